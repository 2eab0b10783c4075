//! `map_overlap`: a user's function over blocks extended by a halo from their
//! neighbours (Dask's `map_overlap`), and the edge slabs that halo is built from.
//!
//! A task never holds a whole neighbour block: for every direction `o` (a vector of
//! -1, 0, +1 per axis, over the axes with a depth) an *edge* node cuts from each input
//! block the slab its neighbour in direction `-o` needs (the last `depth` elements
//! along an axis where `o` is -1, the first where it is +1, everything where 0). The
//! overlap kernel reads its own block and the slabs of its neighbours, pads the block
//! (from the slabs, or at the array's edge by the boundary rule), calls the function on
//! the padded block and trims the halo off the result.
//!
//! ```text
//!  2-d, depth 1: block (1, 1) reads
//!     slab of (0,0): its last row, last column      (direction (-1, -1), a corner)
//!     slab of (0,1): its last row                   (direction (-1,  0))
//!     slab of (1,0): its last column                (direction ( 0, -1))
//!     ...  and its own block (1, 1) whole
//!  padded block = [corner | top row    | corner]
//!                 [left   | block(1,1) | right ]
//!                 [corner | bottom row | corner]
//! ```
//!
//! Where a chunk is shorter than the depth along an axis of several chunks, the input is
//! first rechunked (neighbouring chunks merged) so every chunk holds a whole halo, as
//! Dask does. A task's memory is its block, the slabs, the padded block and the
//! function's padded result (`scratch_bytes`).

use std::fmt;
use std::sync::Arc;

use ndarray::{ArrayD, Slice, SliceInfoElem};

use super::user::{call_user, BlockInfo, ErasedFn, FnName};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::expr::build::rechunk_to;
use crate::expr::{Meta, Node, Op, Source};
use crate::kernel::block::BlockKernel;
use crate::kernel::copy;

/// What lies beyond the array's edge along an axis, for [`map_overlap`]'s halos.
///
/// # Example
///
/// ```
/// use chunkwise::{Boundary, MapOverlap};
/// // halo of 1 on both axes; wrap around axis 0, repeat the edge along axis 1
/// let options = MapOverlap::new("f").depth(1)
///     .boundary_per_axis(vec![Boundary::Periodic, Boundary::Nearest]);
/// assert_eq!(options.boundary.len(), 2);
/// ```
///
/// [`map_overlap`]: crate::LazyArray::map_overlap
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Boundary {
    /// The array mirrored at its edge, the edge element included (NumPy's `pad` mode
    /// `symmetric`, Dask's `reflect`): `[c, b, a | a, b, c ...]`.
    Reflect,
    /// The array continued from its other end: `[... y, z | a, b, c ... y, z | a, b]`.
    Periodic,
    /// The edge element repeated (NumPy's `edge`, Dask's `nearest`).
    Nearest,
    /// A constant value (cast to the array's element type).
    Constant(f64),
    /// No halo beyond the edge: blocks at the array's edge are padded only on their
    /// inner sides (Dask's `none`).
    None,
}

impl Boundary {
    fn code(self) -> (u8, f64) {
        match self {
            Boundary::Reflect => (0, 0.0),
            Boundary::Periodic => (1, 0.0),
            Boundary::Nearest => (2, 0.0),
            Boundary::Constant(v) => (3, v),
            Boundary::None => (4, 0.0),
        }
    }
}

/// What a [`map_overlap`] node is asked to make.
pub(crate) struct OverlapSpec {
    pub(crate) name: FnName,
    /// Halo depth per axis.
    pub(crate) depth: Vec<usize>,
    /// Boundary rule per axis.
    pub(crate) boundary: Vec<Boundary>,
    /// Whether the function returns the padded block (and the halo is trimmed off);
    /// else it returns the block's own shape.
    pub(crate) trim: bool,
    /// The output's dtype.
    pub(crate) dtype: DType,
    /// The function over one padded block.
    pub(crate) f: ErasedFn,
}

/// `f` over the blocks of `x` extended by halos (see the module documentation).
///
/// # Errors
///
/// [`Error::InvalidParameter`] when the depths or boundaries do not have one entry per
/// axis, or a `Reflect` or `Periodic` halo is deeper than its axis is long.
pub(crate) fn map_overlap(x: &Arc<Node>, spec: OverlapSpec) -> Result<Arc<Node>> {
    const OP: &str = "map_overlap";
    let ndim = x.ndim();
    if spec.depth.len() != ndim {
        return Err(Error::parameter(
            OP,
            "depth",
            format!("{:?}", spec.depth),
            format!("one depth, or one per axis of the array's {ndim}"),
        ));
    }
    if spec.boundary.len() != ndim {
        return Err(Error::parameter(
            OP,
            "boundary",
            format!("{} rules", spec.boundary.len()),
            format!("one rule, or one per axis of the array's {ndim}"),
        ));
    }
    for d in 0..ndim {
        let (n, depth) = (x.shape()[d], spec.depth[d]);
        if depth > n && matches!(spec.boundary[d], Boundary::Reflect | Boundary::Periodic) {
            return Err(Error::parameter(
                OP,
                "depth",
                format!("{depth} on axis {d} of length {n}"),
                "a depth no longer than the axis for `Reflect` and `Periodic` boundaries",
            ));
        }
    }
    // Every chunk must hold a whole halo: merge chunks shorter than the depth.
    let grid = ChunkGrid::new(
        (0..ndim)
            .map(|d| merge_short(x.chunks().axis(d), spec.depth[d]))
            .collect::<Result<Vec<_>>>()?,
    );
    let x = rechunk_to(x, grid.clone());
    let directions = directions(&spec.depth);
    let mut inputs = vec![x.clone()];
    for o in &directions {
        inputs.push(edge(&x, o, &spec.depth)?);
    }
    let kernel = Overlap {
        name: spec.name,
        depth: spec.depth,
        boundary: spec.boundary,
        trim: spec.trim,
        directions,
        grid: Arc::new(grid.clone()),
        in_dtype: x.dtype(),
        dtype: spec.dtype,
        f: spec.f,
    };
    Ok(Node::new(
        Op::Block(Arc::new(kernel)),
        inputs,
        Meta::new(spec.dtype, grid),
    ))
}

/// `a` with chunks shorter than `depth` merged into a neighbour, so that every chunk is
/// at least `depth` long (or the axis is one chunk).
fn merge_short(a: &AxisChunks, depth: usize) -> Result<AxisChunks> {
    if depth == 0 || a.num_chunks() <= 1 || a.sizes().all(|s| s >= depth) {
        return Ok(a.clone());
    }
    let mut sizes: Vec<usize> = Vec::new();
    let mut acc = 0;
    for s in a.sizes() {
        acc += s;
        if acc >= depth {
            sizes.push(acc);
            acc = 0;
        }
    }
    if acc > 0 {
        match sizes.last_mut() {
            Some(last) => *last += acc,
            None => sizes.push(acc),
        }
    }
    AxisChunks::from_sizes(&sizes)
}

/// Every direction of a neighbour: vectors of -1, 0, +1 (0 on axes without depth), the
/// zero vector excluded, in C order.
fn directions(depth: &[usize]) -> Vec<Vec<i8>> {
    let mut out: Vec<Vec<i8>> = vec![Vec::new()];
    for &d in depth {
        let choices: &[i8] = if d == 0 { &[0] } else { &[-1, 0, 1] };
        out = out
            .into_iter()
            .flat_map(|v| {
                choices.iter().map(move |&c| {
                    let mut v = v.clone();
                    v.push(c);
                    v
                })
            })
            .collect();
    }
    out.retain(|v| v.iter().any(|&c| c != 0));
    out
}

/// The node of the slabs of `x`'s blocks that the neighbour in direction `-o` reads.
///
/// When `x` is a generator or an in-memory array (its values depend on the element
/// index only, so it can be read in any grid), the slabs are read from it directly: the
/// edge reads `x` in a grid that cuts each slab off as a block of its own, and only
/// those blocks are made. Otherwise (a stored or a computed array) each slab is cut
/// from its whole block, which is computed (or read) for its other readers anyway.
fn edge(x: &Arc<Node>, o: &[i8], depth: &[usize]) -> Result<Arc<Node>> {
    let axes = (0..x.ndim())
        .map(|d| {
            let a = x.chunks().axis(d);
            if o[d] == 0 {
                Ok(a.clone())
            } else {
                let sizes: Vec<usize> = a.sizes().map(|s| s.min(depth[d])).collect();
                AxisChunks::from_sizes(&sizes)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let readable = matches!(&x.op, Op::Source(s) if !matches!(s, Source::Read { .. }));
    let (input, slab_blocks) = if readable {
        let (grid, map) = slab_grid(x.chunks(), o, depth)?;
        let source = Node::new(x.op.clone(), Vec::new(), Meta::new(x.dtype(), grid));
        (source, Some(map))
    } else {
        (x.clone(), None)
    };
    let kernel = Edge {
        direction: o.to_vec(),
        depth: depth.to_vec(),
        slab_blocks,
    };
    Ok(Node::new(
        Op::Block(Arc::new(kernel)),
        vec![input],
        Meta::new(x.dtype(), ChunkGrid::new(axes)),
    ))
}

/// `grid` with every chunk cut in two along the axes where `o` is not 0, so that the
/// slab of direction `o` (the last `depth` elements for -1, the first for +1) is a chunk
/// of its own; and, per axis, the index in the new grid of block `b`'s slab.
fn slab_grid(grid: &ChunkGrid, o: &[i8], depth: &[usize]) -> Result<(ChunkGrid, Vec<Vec<usize>>)> {
    let mut axes = Vec::with_capacity(o.len());
    let mut map = Vec::with_capacity(o.len());
    for (d, a) in grid.axes().iter().enumerate() {
        let mut sizes = Vec::with_capacity(2 * a.num_chunks());
        let mut at = Vec::with_capacity(a.num_chunks());
        for s in a.sizes() {
            let k = s.min(depth[d]);
            let (first, second, slab_second) = match o[d] {
                -1 => (s - k, k, true),
                1 => (k, s - k, false),
                _ => (s, 0, false),
            };
            if first > 0 || !slab_second {
                sizes.push(first);
            }
            if slab_second {
                at.push(sizes.len());
                sizes.push(second);
            } else {
                at.push(sizes.len() - 1);
                if second > 0 {
                    sizes.push(second);
                }
            }
        }
        axes.push(AxisChunks::from_sizes(&sizes)?);
        map.push(at);
    }
    Ok((ChunkGrid::new(axes), map))
}

/// The kernel of an edge node: block `b` is the slab of input block `b` at the side
/// `direction` names (last elements for -1, first for +1); or, when the input was read
/// in a grid that holds the slabs as blocks (`slab_blocks`, per axis the index of block
/// `b`'s slab), that block itself.
#[derive(Debug)]
struct Edge {
    direction: Vec<i8>,
    depth: Vec<usize>,
    slab_blocks: Option<Vec<Vec<usize>>>,
}

impl BlockKernel for Edge {
    fn name(&self) -> &'static str {
        "overlap.edge"
    }

    fn key(&self) -> Vec<u8> {
        let mut k: Vec<u8> = self.direction.iter().map(|&c| c.to_le_bytes()[0]).collect();
        for &d in &self.depth {
            k.extend((d as u64).to_le_bytes());
        }
        k.push(u8::from(self.slab_blocks.is_some()));
        k
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        match &self.slab_blocks {
            Some(map) => {
                let at: Vec<usize> = out.iter().zip(map).map(|(&b, m)| m[b]).collect();
                f(0, &at);
            }
            None => f(0, out),
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let x = inputs[0];
        if self.slab_blocks.is_some() {
            return Ok(x.clone());
        }
        let info: Vec<SliceInfoElem> = (0..self.direction.len())
            .map(|d| {
                let n = x.shape()[d];
                let k = self.depth[d].min(n);
                let (start, end) = match self.direction[d] {
                    -1 => (n - k, n),
                    1 => (0, k),
                    _ => (0, n),
                };
                #[allow(clippy::cast_possible_wrap)]
                SliceInfoElem::from(Slice::new(start as isize, Some(end as isize), 1))
            })
            .collect();
        copy::slice_block(x, &info)
    }

    fn describe(&self) -> Option<String> {
        Some(format!(
            "halo slabs for direction {:?}, depth {:?}",
            self.direction, self.depth
        ))
    }
}

/// The kernel of [`map_overlap`]: slot 0 is the input, slot `1 + k` the edge node of
/// `directions[k]`.
struct Overlap {
    name: FnName,
    depth: Vec<usize>,
    boundary: Vec<Boundary>,
    trim: bool,
    directions: Vec<Vec<i8>>,
    grid: Arc<ChunkGrid>,
    in_dtype: DType,
    dtype: DType,
    f: ErasedFn,
}

impl fmt::Debug for Overlap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Overlap")
            .field("name", &self.name)
            .field("depth", &self.depth)
            .field("boundary", &self.boundary)
            .field("trim", &self.trim)
            .finish_non_exhaustive()
    }
}

/// Where the elements of one stretch of a padded axis come from.
#[derive(Clone, Debug)]
struct Segment {
    /// Positions in the padded block.
    len: usize,
    /// The direction of the source along this axis (-1, 0, +1), or `None` for the
    /// constant.
    source: Option<i8>,
    /// The source's elements along this axis.
    index: Index,
    /// Whether this is the block itself (not a halo).
    center: bool,
}

#[derive(Clone, Debug)]
enum Index {
    /// `start..end`, in order.
    Range(usize, usize),
    /// `start..end` reversed.
    Reversed(usize, usize),
    /// Element `i`, repeated.
    Repeat(usize),
}

impl Overlap {
    /// The neighbour block in direction `o` of block `out`, if there is one.
    fn neighbour(&self, out: &[usize], o: &[i8]) -> Option<Vec<usize>> {
        (0..out.len())
            .map(|d| {
                let n = self.grid.axis(d).num_chunks();
                match o[d] {
                    0 => Some(out[d]),
                    -1 if out[d] > 0 => Some(out[d] - 1),
                    1 if out[d] + 1 < n => Some(out[d] + 1),
                    -1 if self.boundary[d] == Boundary::Periodic => Some(n - 1),
                    1 if self.boundary[d] == Boundary::Periodic => Some(0),
                    _ => None,
                }
            })
            .collect()
    }

    /// The segments of axis `d` of the padded block of `out` (left halo, block, right
    /// halo).
    fn segments(&self, d: usize, b: usize) -> Vec<Segment> {
        let a = self.grid.axis(d);
        let (n, len, depth) = (a.num_chunks(), a.chunk_len(b), self.depth[d]);
        let mut segs = Vec::with_capacity(3);
        let side = |inner: bool, left: bool| -> Option<Segment> {
            if depth == 0 {
                return None;
            }
            let toward: i8 = if left { -1 } else { 1 };
            if inner || self.boundary[d] == Boundary::Periodic {
                return Some(Segment {
                    len: depth,
                    source: Some(toward),
                    index: Index::Range(0, depth),
                    center: false,
                });
            }
            let index = match self.boundary[d] {
                Boundary::Reflect if left => Index::Reversed(0, depth),
                Boundary::Reflect => Index::Reversed(len - depth, len),
                Boundary::Nearest if left => Index::Repeat(0),
                Boundary::Nearest => Index::Repeat(len.saturating_sub(1)),
                Boundary::Constant(_) => {
                    return Some(Segment {
                        len: depth,
                        source: None,
                        index: Index::Repeat(0),
                        center: false,
                    })
                }
                _ => return None,
            };
            Some(Segment {
                len: depth,
                source: Some(0),
                index,
                center: false,
            })
        };
        segs.extend(side(b > 0, true));
        segs.push(Segment {
            len,
            source: Some(0),
            index: Index::Range(0, len),
            center: true,
        });
        segs.extend(side(b + 1 < n, false));
        segs
    }

    /// The shape of the padded block of `out`, where the block starts in it, and the
    /// segments of each axis.
    fn padded(&self, out: &[usize]) -> (Vec<usize>, Vec<usize>, Vec<Vec<Segment>>) {
        let mut shape = Vec::with_capacity(out.len());
        let mut start = Vec::with_capacity(out.len());
        let mut all = Vec::with_capacity(out.len());
        for (d, &b) in out.iter().enumerate() {
            let segs = self.segments(d, b);
            shape.push(segs.iter().map(|s| s.len).sum());
            let before: usize = segs.iter().take_while(|s| !s.center).map(|s| s.len).sum();
            start.push(before);
            all.push(segs);
        }
        (shape, start, all)
    }

    /// The input blocks `out` reads: slot 0's block, then each direction's slab that
    /// exists, as `(direction index or None for the block, coordinates)`.
    fn sources(&self, out: &[usize]) -> Vec<(Option<usize>, Vec<usize>)> {
        let mut v = vec![(None, out.to_vec())];
        for (k, o) in self.directions.iter().enumerate() {
            if let Some(c) = self.neighbour(out, o) {
                v.push((Some(k), c));
            }
        }
        v
    }
}

impl BlockKernel for Overlap {
    fn name(&self) -> &'static str {
        "map_overlap"
    }

    fn key(&self) -> Vec<u8> {
        let mut k = self.name.key();
        for (&d, &b) in self.depth.iter().zip(&self.boundary) {
            k.extend((d as u64).to_le_bytes());
            let (code, value) = b.code();
            k.push(code);
            k.extend(value.to_bits().to_le_bytes());
        }
        k.push(u8::from(self.trim));
        k
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        for (k, c) in self.sources(out) {
            f(k.map_or(0, |k| k + 1), &c);
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let sources = self.sources(out);
        if inputs.len() != sources.len() {
            return Err(Error::internal("blocks::overlap", "missing input blocks"));
        }
        let mut slabs: Vec<Option<&AnyArray>> = vec![None; self.directions.len()];
        for ((k, _), a) in sources.iter().zip(inputs) {
            if let Some(k) = k {
                slabs[*k] = Some(*a);
            }
        }
        let (shape, start, segments) = self.padded(out);
        let constant: Vec<Scalar> = self
            .boundary
            .iter()
            .map(|b| match b {
                Boundary::Constant(v) => Scalar::F64(*v),
                _ => Scalar::F64(0.0),
            })
            .collect();
        let padded = crate::element::with_dtype!(self.in_dtype, T => {
            T::wrap(pad::<T>(inputs[0], &slabs, &self.directions, &segments, &shape, &constant)?)
        });
        let info = BlockInfo::of(out, &self.grid);
        let block_shape = self.grid.block_shape(out);
        let expect = if self.trim {
            shape.clone()
        } else {
            block_shape.clone()
        };
        let result = call_user("map_overlap", &self.name, out, self.dtype, &expect, || {
            (self.f)(&[&padded], &info)
        })?;
        crate::kernel::pool::give_back(padded);
        if !self.trim {
            return Ok(result);
        }
        let cut: Vec<SliceInfoElem> = start
            .iter()
            .zip(&block_shape)
            .map(|(&s, &n)| {
                #[allow(clippy::cast_possible_wrap)]
                SliceInfoElem::from(Slice::new(s as isize, Some((s + n) as isize), 1))
            })
            .collect();
        copy::slice_block(&result, &cut)
    }

    fn scratch_bytes(&self, out: &[usize]) -> u64 {
        // Besides the input block and the output, the task holds the padded block and
        // the function's result while the function runs, then the result while it is
        // trimmed into the output: the larger of the two, less the output counted
        // already. Untrimmed, the result is the output.
        let (shape, _, _) = self.padded(out);
        let n: usize = shape.iter().product();
        let padded = n * self.in_dtype.size();
        if !self.trim {
            return padded as u64;
        }
        let result = n * self.dtype.size();
        let output = self.grid.block_shape(out).iter().product::<usize>() * self.dtype.size();
        ((padded + result).max(result + output) - output) as u64
    }

    fn describe(&self) -> Option<String> {
        Some(format!(
            "function `{}`{}, depth {:?}, boundary {:?}{}; each task reads its block and \
             {} neighbours' edge slabs",
            self.name,
            if self.name.unique.is_some() {
                " (not cached)"
            } else {
                ""
            },
            self.depth,
            self.boundary,
            if self.trim { ", trimmed" } else { "" },
            self.directions.len()
        ))
    }
}

/// The padded block: every combination of the axes' segments copied from its source
/// (the block, a neighbour's slab, or the constant).
fn pad<T: Element>(
    block: &AnyArray,
    slabs: &[Option<&AnyArray>],
    directions: &[Vec<i8>],
    segments: &[Vec<Segment>],
    shape: &[usize],
    constant: &[Scalar],
) -> Result<ArrayD<T>> {
    fn typed<T: Element>(a: &AnyArray) -> Result<&ArrayD<T>> {
        a.as_typed::<T>()
            .map_err(|_| Error::internal("blocks::overlap", "a slab of another dtype"))
    }
    let block = typed::<T>(block)?;
    // A pooled buffer: a fresh one of a block's size costs more in first-touch page
    // faults than the copy into it.
    let mut padded = crate::kernel::pool::array_like::<T>(shape);
    let ndim = shape.len();
    let mut pick = vec![0usize; ndim];
    loop {
        let segs: Vec<&Segment> = (0..ndim).map(|d| &segments[d][pick[d]]).collect();
        if segs.iter().all(|s| s.len > 0) {
            let mut at = padded.view_mut();
            for d in 0..ndim {
                let begin: usize = segments[d][..pick[d]].iter().map(|s| s.len).sum();
                #[allow(clippy::cast_possible_wrap)]
                at.slice_axis_inplace(
                    ndarray::Axis(d),
                    Slice::new(begin as isize, Some((begin + segs[d].len) as isize), 1),
                );
            }
            // Beyond `Constant` edges of several axes (a corner): the last axis's
            // constant, as NumPy's `pad` and Dask, padding axis after axis, give.
            if let Some(d) = segs.iter().rposition(|s| s.source.is_none()) {
                at.fill(T::from_scalar(constant[d]));
            } else {
                let o: Vec<i8> = segs.iter().map(|s| s.source.unwrap_or(0)).collect();
                let src = if o.iter().all(|&c| c == 0) {
                    block
                } else {
                    let k = directions
                        .iter()
                        .position(|d| *d == o)
                        .ok_or_else(|| Error::internal("blocks::overlap", "unknown direction"))?;
                    typed::<T>(slabs[k].ok_or_else(|| {
                        Error::internal("blocks::overlap", "a neighbour's slab is missing")
                    })?)?
                };
                let mut view = src.view();
                // An empty source has nothing to copy (the result is empty along that axis).
                let segs: &[_] = if view.is_empty() { &[] } else { &segs[..] };
                for (d, s) in segs.iter().enumerate() {
                    #[allow(clippy::cast_possible_wrap)]
                    let slice = match s.index {
                        Index::Range(a, b) => Slice::new(a as isize, Some(b as isize), 1),
                        Index::Reversed(a, b) => Slice::new(a as isize, Some(b as isize), -1),
                        Index::Repeat(i) => Slice::new(i as isize, Some(i as isize + 1), 1),
                    };
                    view.slice_axis_inplace(ndarray::Axis(d), slice);
                }
                // An empty source axis has nothing to copy (the result is empty along it).
                if !view.is_empty() {
                    let view = view.broadcast(at.raw_dim()).ok_or_else(|| {
                        Error::internal("blocks::overlap", "a halo segment does not fit its source")
                    })?;
                    at.assign(&view);
                }
            }
        }
        // Next combination.
        let mut d = ndim;
        loop {
            if d == 0 {
                return Ok(padded);
            }
            d -= 1;
            pick[d] += 1;
            if pick[d] < segments[d].len() {
                break;
            }
            pick[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 x 3 box mean keeping the outer ring (the bench's `smooth3`).
    fn smooth3(b: &ndarray::ArrayViewD<'_, f64>) -> ArrayD<f64> {
        let mut out = b.to_owned();
        let (n, m) = (b.shape()[0], b.shape()[1]);
        for i in 1..n.saturating_sub(1) {
            for j in 1..m.saturating_sub(1) {
                let mut acc = 0.0;
                for di in 0..3 {
                    for dj in 0..3 {
                        acc += b[[i + di - 1, j + dj - 1]];
                    }
                }
                out[[i, j]] = acc / 9.0;
            }
        }
        out
    }

    #[test]
    fn directions_cover_the_neighbours_of_the_axes_with_depth() {
        assert_eq!(directions(&[1, 0]), vec![vec![-1, 0], vec![1, 0]]);
        assert_eq!(directions(&[1, 1]).len(), 8);
        assert_eq!(directions(&[2, 1, 1]).len(), 26);
        assert!(directions(&[0, 0]).is_empty());
    }

    #[test]
    fn short_chunks_are_merged_until_each_holds_a_halo() {
        let a = AxisChunks::from_sizes(&[1, 1, 4, 2, 3]).unwrap();
        let merged = merge_short(&a, 3).unwrap();
        assert_eq!(merged.sizes().collect::<Vec<_>>(), vec![6, 5]);
        let b = AxisChunks::from_sizes(&[3, 3, 1]).unwrap();
        assert_eq!(
            merge_short(&b, 2).unwrap().sizes().collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert_eq!(merge_short(&b, 0).unwrap(), b);
    }

    /// The peak of bytes held by results and running tasks of a 3 x 3 filter with halos,
    /// against the same function over the blocks alone. While the function runs, a halo
    /// task holds its block, the padded copy and the function's padded result, where a
    /// `map_blocks` task holds its block and its result: 1.5x (the edge slabs are read
    /// from the generator directly and hold next to nothing).
    #[test]
    fn map_overlap_peak_memory_is_about_one_and_a_half_map_blocks() {
        use crate::array::{Boundary, MapOverlap};
        use crate::compute::{run_nodes, ComputeOptions};
        let x = crate::random::uniform::<f64>(&[2000, 2000], [250, 250], 3);
        let options = ComputeOptions::default().threads(2);
        let overlap = x
            .map_overlap(
                &MapOverlap::new("smooth3")
                    .depth(1)
                    .boundary(Boundary::Nearest),
                |b, _| smooth3(&b),
            )
            .sum(..);
        let blocks = x.map_blocks("smooth3_blocks", |b, _| smooth3(&b)).sum(..);
        let (_, with_halo) = run_nodes(std::slice::from_ref(&overlap.node), &options).unwrap();
        let (_, without) = run_nodes(std::slice::from_ref(&blocks.node), &options).unwrap();
        #[allow(clippy::cast_precision_loss)]
        let ratio = with_halo as f64 / without as f64;
        assert!(
            ratio <= 1.55,
            "map_overlap peak {with_halo} vs map_blocks {without}: {ratio:.2}"
        );
    }
}
