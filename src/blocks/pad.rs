//! `pad`: the array with values added before and after each axis (NumPy's `pad`, modes
//! `constant`, `edge`, `reflect`, `symmetric` and `wrap`).
//!
//! Built from other operations, axis after axis as NumPy pads: along an axis the padded
//! array is the concatenation of constant blocks (`constant`), the edge element broadcast
//! (`edge`), or runs of the array itself read forwards or backwards (`reflect`,
//! `symmetric`, `wrap`: padding wider than the axis repeats the pattern, as NumPy's does).
//! So every piece keeps the array's chunks, slices of the padding read only the blocks
//! they need, and the runs are slices the optimizer can push down.
//!
//! ```text
//!  [a b c d] reflect 2: c b | a b c d | c b     symmetric 2: b a | a b c d | d c
//!  wrap 2:              c d | a b c d | a b     edge 2:      a a | a b c d | d d
//! ```

use std::sync::Arc;

use crate::chunks::{AxisChunks, AxisSelection, ChunkGrid, Chunks};
use crate::element::Scalar;
use crate::error::{Error, Result};
use crate::expr::build::{select, source};
use crate::expr::{Node, Source};

use super::broadcast::broadcast_to;
use super::concatenate::concatenate;

/// How [`pad`](crate::LazyArray::pad) fills the added elements (NumPy's `mode`).
///
/// # Example
///
/// ```
/// use chunkwise::PadMode;
/// let x = chunkwise::from_ndarray(ndarray::array![1, 2, 3], [2]);
/// let y = x.pad(&[(2, 1)], PadMode::Reflect);
/// assert_eq!(y.compute()?, ndarray::array![3, 2, 1, 2, 3, 2].into_dyn());
/// assert_eq!(PadMode::parse("wrap"), Some(PadMode::Wrap));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PadMode {
    /// A constant value (zero unless given).
    Constant,
    /// The edge element repeated.
    Edge,
    /// The array mirrored about its edge elements, which are not repeated.
    Reflect,
    /// The array mirrored about its edges, edge elements repeated.
    Symmetric,
    /// The array repeated, as if periodic.
    Wrap,
}

impl PadMode {
    /// Every mode, in NumPy's order.
    pub const ALL: &'static [PadMode] = &[
        PadMode::Constant,
        PadMode::Edge,
        PadMode::Reflect,
        PadMode::Symmetric,
        PadMode::Wrap,
    ];

    /// NumPy's name of the mode.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            PadMode::Constant => "constant",
            PadMode::Edge => "edge",
            PadMode::Reflect => "reflect",
            PadMode::Symmetric => "symmetric",
            PadMode::Wrap => "wrap",
        }
    }

    /// The mode NumPy names `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<PadMode> {
        PadMode::ALL.iter().copied().find(|m| m.name() == name)
    }
}

/// `x` padded by `widths[d] = (before, after)` on each axis; `constant[d]` gives the
/// values before and after for [`PadMode::Constant`] (zeros when `constant` is empty).
pub(crate) fn pad(
    x: &Arc<Node>,
    widths: &[(usize, usize)],
    mode: PadMode,
    constant: &[(Scalar, Scalar)],
) -> Result<Arc<Node>> {
    if widths.len() != x.ndim() {
        return Err(Error::parameter(
            "pad",
            "pad_width",
            format!("{widths:?}"),
            format!(
                "one (before, after) pair per axis of the array ({} axes)",
                x.ndim()
            ),
        ));
    }
    if !constant.is_empty() && constant.len() != x.ndim() {
        return Err(Error::parameter(
            "pad",
            "constant_values",
            format!("{constant:?}"),
            format!(
                "one value, or one (before, after) pair per axis ({} axes)",
                x.ndim()
            ),
        ));
    }
    let mut out = x.clone();
    for (d, &(before, after)) in widths.iter().enumerate() {
        if before == 0 && after == 0 {
            continue;
        }
        let n = out.shape()[d];
        let mut pieces = Vec::new();
        match mode {
            PadMode::Constant => {
                let (b, a) = constant
                    .get(d)
                    .copied()
                    .unwrap_or((Scalar::Bool(false), Scalar::Bool(false)));
                pieces.push(constant_piece(&out, d, before, b)?);
                pieces.push(out.clone());
                pieces.push(constant_piece(&out, d, after, a)?);
            }
            _ if n == 0 => {
                return Err(Error::parameter(
                    "pad",
                    "mode",
                    mode.name(),
                    format!("\"constant\" to pad axis {d}, which is empty (the other modes read the axis' elements)"),
                ))
            }
            PadMode::Edge => {
                pieces.push(edge_piece(&out, d, 0, before)?);
                pieces.push(out.clone());
                pieces.push(edge_piece(&out, d, n - 1, after)?);
            }
            PadMode::Reflect if n == 1 => {
                pieces.push(edge_piece(&out, d, 0, before)?);
                pieces.push(out.clone());
                pieces.push(edge_piece(&out, d, 0, after)?);
            }
            PadMode::Reflect | PadMode::Symmetric | PadMode::Wrap => {
                let index = |i: i64| -> usize { source_index(mode, n, i) };
                for run in runs(-(before as i64), 0, &index) {
                    pieces.push(run_piece(&out, d, run)?);
                }
                pieces.push(out.clone());
                for run in runs(n as i64, (n + after) as i64, &index) {
                    pieces.push(run_piece(&out, d, run)?);
                }
            }
        }
        out = concatenate(&pieces, d as isize)?;
    }
    Ok(out)
}

/// The element of an axis of `n` (`n > 0`) that position `i` (negative before the axis,
/// `n` and beyond after it) copies.
fn source_index(mode: PadMode, n: usize, i: i64) -> usize {
    let n = n as i64;
    let at = match mode {
        PadMode::Reflect => {
            let p = 2 * (n - 1);
            let m = i.rem_euclid(p);
            if m >= n {
                p - m
            } else {
                m
            }
        }
        PadMode::Symmetric => {
            let p = 2 * n;
            let m = i.rem_euclid(p);
            if m >= n {
                p - 1 - m
            } else {
                m
            }
        }
        _ => i.rem_euclid(n),
    };
    at as usize
}

/// A run of consecutive source elements: the first, the step (1 or -1) and the length.
type Run = (usize, isize, usize);

/// The positions `lo..hi` as runs of source elements read forwards or backwards.
fn runs(lo: i64, hi: i64, index: &dyn Fn(i64) -> usize) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for i in lo..hi {
        let at = index(i);
        if let Some((first, step, len)) = out.last_mut() {
            let next = *first as isize + *step * *len as isize;
            if next == at as isize {
                *len += 1;
                continue;
            }
            if *len == 1 && (at as isize - *first as isize).abs() == 1 {
                *step = at as isize - *first as isize;
                *len = 2;
                continue;
            }
        }
        out.push((at, 1, 1));
    }
    out
}

/// The elements of a run along axis `d` of `x`.
fn run_piece(x: &Arc<Node>, d: usize, (first, step, len): Run) -> Result<Arc<Node>> {
    let sel = (0..x.ndim())
        .map(|k| {
            if k == d {
                AxisSelection::Range { first, step, len }
            } else {
                AxisSelection::Range {
                    first: 0,
                    step: 1,
                    len: x.shape()[k],
                }
            }
        })
        .collect();
    select(x, sel)
}

/// Element `at` of axis `d` of `x`, repeated `width` times along it.
fn edge_piece(x: &Arc<Node>, d: usize, at: usize, width: usize) -> Result<Arc<Node>> {
    let one = run_piece(x, d, (at, 1, 1))?;
    let mut shape = x.shape().to_vec();
    shape[d] = width;
    broadcast_to(&one, &shape)
}

/// `width` elements of `value` along axis `d`, the other axes as `x`'s.
fn constant_piece(x: &Arc<Node>, d: usize, width: usize, value: Scalar) -> Result<Arc<Node>> {
    let mut axes = x.chunks().axes().to_vec();
    axes[d] = AxisChunks::regular(width, width.max(1))?;
    let grid = ChunkGrid::new(axes);
    source(
        Source::Full(value.cast(x.dtype())),
        &grid.shape(),
        x.dtype(),
        &Chunks::Grid(grid),
    )
}
