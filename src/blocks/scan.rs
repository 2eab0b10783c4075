//! Scans: `cumsum`, `cumprod`, `nancumsum`, `nancumprod` along one axis ([`ScanFn`]),
//! without ever gathering the axis into one chunk.
//!
//! ```text
//!  axis of 4 blocks:   x0        x1        x2        x3
//!  totals   (1 row)    t0        t1        t2        t3        each block folded along the axis
//!  prefix, shift 1     t0      t0+t1     t1+t2     t2+t3       Hillis–Steele steps over the
//!  prefix, shift 2     t0      t0+t1    t0..t2    t0..t3       totals: log2(blocks) layers
//!  result              scan(x0)  scan(x1, from t0)  scan(x2, from t0+t1)  scan(x3, from t0..t2)
//! ```
//!
//! Stage one folds each block along the axis into a one-row total; stage two turns the
//! totals into inclusive prefixes by Hillis–Steele doubling (each step a layer whose
//! tasks read two rows); stage three scans each block again, starting from the prefix of
//! the blocks before it. A task holds at most one block and two rows, whatever the
//! number of blocks, and the blocks are read twice instead of held (a generated input is
//! regenerated, as for any two readers). Within a block the scan is sequential, as
//! NumPy's, starting from the carry, so a float result differs from NumPy's only by the
//! rounding of the carries.
//!
//! Result dtypes are NumPy's: `bool` and signed integers accumulate in `int64`,
//! unsigned ones in `uint64` (wrapping), floats in their own type.

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, Axis, Zip};

use super::ravel::ravel;
use crate::any_array::{dispatch_any, AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{Element, NumElement};
use crate::error::{Error, Result};
use crate::expr::build::axis_index;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// A cumulative operation along an axis, under its NumPy name, for
/// [`DynArray::scan`](crate::DynArray::scan).
///
/// # Example
///
/// ```
/// use chunkwise::ScanFn;
/// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::NAN, 3.0], [2]).to_dyn();
/// let out = x.scan(ScanFn::NanCumSum, 0).compute()?.into_typed::<f64>()?;
/// assert_eq!(out, ndarray::array![1.0, 1.0, 4.0].into_dyn());
/// assert_eq!(ScanFn::CumProd.name(), "cumprod");
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScanFn {
    /// Cumulative sum.
    CumSum,
    /// Cumulative product.
    CumProd,
    /// Cumulative sum counting NaN as zero.
    NanCumSum,
    /// Cumulative product counting NaN as one.
    NanCumProd,
}

impl ScanFn {
    /// Every scan, in a fixed order.
    pub const ALL: &'static [ScanFn] = &[
        ScanFn::CumSum,
        ScanFn::CumProd,
        ScanFn::NanCumSum,
        ScanFn::NanCumProd,
    ];

    /// NumPy's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ScanFn::CumSum => "cumsum",
            ScanFn::CumProd => "cumprod",
            ScanFn::NanCumSum => "nancumsum",
            ScanFn::NanCumProd => "nancumprod",
        }
    }

    /// One line of documentation.
    #[must_use]
    pub fn doc(self) -> &'static str {
        match self {
            ScanFn::CumSum => "Cumulative sum along `axis` (of the flattened array for `None`); integers accumulate in int64/uint64.",
            ScanFn::CumProd => "Cumulative product along `axis` (of the flattened array for `None`); integers accumulate in int64/uint64.",
            ScanFn::NanCumSum => "Cumulative sum along `axis`, counting NaN as zero (of the flattened array for `None`).",
            ScanFn::NanCumProd => "Cumulative product along `axis`, counting NaN as one (of the flattened array for `None`).",
        }
    }

    fn is_product(self) -> bool {
        matches!(self, ScanFn::CumProd | ScanFn::NanCumProd)
    }

    fn skips_nan(self) -> bool {
        matches!(self, ScanFn::NanCumSum | ScanFn::NanCumProd)
    }

    fn identity<T: NumElement>(self) -> T {
        if self.is_product() {
            T::ONE
        } else {
            T::ZERO
        }
    }

    #[inline(always)]
    fn combine<T: NumElement>(self, a: T, b: T) -> T {
        if self.is_product() {
            a.mul_elem(b)
        } else {
            a.add_elem(b)
        }
    }

    /// An input element in the accumulator's type, NaN made the identity for the `nan`
    /// variants.
    #[inline(always)]
    fn load<S: Element, T: NumElement>(self, v: S) -> T {
        if self.skips_nan() && v.is_nan() {
            self.identity()
        } else {
            v.cast()
        }
    }
}

/// `kind` of `x` along `axis` (`None`: of the flattened array, as NumPy).
pub(crate) fn scan(kind: ScanFn, x: &Arc<Node>, axis: Option<isize>) -> Result<Arc<Node>> {
    let (x, axis) = match axis {
        None => (ravel(x)?, 0),
        Some(a) => (x.clone(), axis_index(kind.name(), a, x.ndim())?),
    };
    let dtype = x.dtype().sum_result();
    let blocks = x.chunks().axis(axis).num_chunks();
    let grid = x.chunks().clone();
    if blocks == 1 {
        return Ok(Node::new(
            Op::Block(Arc::new(ScanBlocks {
                kind,
                axis,
                carry: false,
            })),
            vec![x.clone()],
            Meta::new(dtype, grid),
        ));
    }
    let mut rows = grid.axes().to_vec();
    rows[axis] = AxisChunks::regular(blocks, 1)?;
    let rows = ChunkGrid::new(rows);
    let mut totals = Node::new(
        Op::Block(Arc::new(Totals { kind, axis })),
        vec![x.clone()],
        Meta::new(dtype, rows.clone()),
    );
    // Only the first `blocks - 1` prefixes are carries.
    let mut shift = 1;
    while shift < blocks - 1 {
        totals = Node::new(
            Op::Block(Arc::new(PrefixStep { kind, axis, shift })),
            vec![totals],
            Meta::new(dtype, rows.clone()),
        );
        shift *= 2;
    }
    Ok(Node::new(
        Op::Block(Arc::new(ScanBlocks {
            kind,
            axis,
            carry: true,
        })),
        vec![x, totals],
        Meta::new(dtype, grid),
    ))
}

fn key_of(kind: ScanFn, axis: usize, extra: u64) -> Vec<u8> {
    let mut out = kind.name().as_bytes().to_vec();
    out.extend((axis as u64).to_le_bytes());
    out.extend(extra.to_le_bytes());
    out
}

fn typed<T: Element>(a: &AnyArray) -> Result<&ArrayD<T>> {
    T::peek(a).ok_or_else(|| Error::internal("scan", "dtype of a block"))
}

/// Stage one: each block folded along the axis, a block one row long.
#[derive(Debug)]
struct Totals {
    kind: ScanFn,
    axis: usize,
}

impl BlockKernel for Totals {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn key(&self) -> Vec<u8> {
        key_of(self.kind, self.axis, 0)
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, out);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let (kind, axis) = (self.kind, Axis(self.axis));
        Ok(dispatch_any!(inputs[0], a, S => {
            type T = <S as Element>::Sum;
            let folded: ArrayD<T> =
                a.fold_axis(axis, kind.identity::<T>(), |&acc, &v| kind.combine(acc, kind.load::<S, T>(v)));
            T::wrap(folded.insert_axis(axis))
        }))
    }

    fn describe(&self) -> Option<String> {
        Some(format!("block totals along axis {}", self.axis))
    }
}

/// Stage two: one Hillis–Steele step, row `i` plus row `i - shift` (when there is one).
#[derive(Debug)]
struct PrefixStep {
    kind: ScanFn,
    axis: usize,
    shift: usize,
}

impl BlockKernel for PrefixStep {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn key(&self) -> Vec<u8> {
        key_of(self.kind, self.axis, self.shift as u64)
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, out);
        if out[self.axis] >= self.shift {
            let mut earlier = out.to_vec();
            earlier[self.axis] -= self.shift;
            f(0, &earlier);
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let Some(earlier) = inputs.get(1) else {
            return Ok(inputs[0].clone());
        };
        let kind = self.kind;
        crate::element::with_numeric_dtype!(inputs[0].dtype(), T => {
            let mut row = typed::<T>(inputs[0])?.clone();
            Zip::from(&mut row)
                .and(typed::<T>(earlier)?)
                .for_each(|r, &e| *r = kind.combine(e, *r));
            Ok(T::wrap(row))
        }, else => Err(Error::internal("scan", "a bool accumulator")))
    }

    fn describe(&self) -> Option<String> {
        Some(format!("prefix of the block totals, step {}", self.shift))
    }
}

/// Stage three (or the whole scan, for one block along the axis): each block scanned,
/// starting from the prefix of the totals of the blocks before it.
#[derive(Debug)]
struct ScanBlocks {
    kind: ScanFn,
    axis: usize,
    /// True when there are carries to read (more than one block along the axis).
    carry: bool,
}

impl BlockKernel for ScanBlocks {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn key(&self) -> Vec<u8> {
        key_of(self.kind, self.axis, u64::from(self.carry))
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, out);
        if self.carry && out[self.axis] > 0 {
            let mut before = out.to_vec();
            before[self.axis] -= 1;
            f(1, &before);
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let (kind, axis) = (self.kind, Axis(self.axis));
        dispatch_any!(inputs[0], a, S => {
            type T = <S as Element>::Sum;
            let carry = match inputs.get(1) {
                Some(c) => Some(typed::<T>(c)?.view()),
                None => None,
            };
            Ok(T::wrap(scan_block::<S, T>(kind, axis, a, carry)))
        })
    }

    fn describe(&self) -> Option<String> {
        Some(format!("scan of each block along axis {}", self.axis))
    }
}

/// `block` scanned along `axis` in the accumulator's type, from `carry` (a row).
fn scan_block<S: Element, T: NumElement>(
    kind: ScanFn,
    axis: Axis,
    block: &ArrayD<S>,
    carry: Option<ArrayViewD<'_, T>>,
) -> ArrayD<T> {
    let mut out = crate::kernel::pool::array_like::<T>(block.shape());
    Zip::from(&mut out)
        .and(block)
        .for_each(|o, &v| *o = kind.load::<S, T>(v));
    if out.len_of(axis) == 0 {
        return out;
    }
    if let Some(carry) = carry {
        let mut first = out.index_axis_mut(axis, 0);
        Zip::from(&mut first)
            .and(&carry.index_axis(axis, 0))
            .for_each(|f, &c| *f = kind.combine(c, *f));
    }
    out.accumulate_axis_inplace(axis, |&prev, cur| *cur = kind.combine(prev, *cur));
    out
}
