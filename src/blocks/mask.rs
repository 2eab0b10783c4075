//! Boolean-mask selection of the same shape (`x[mask]`) and `argwhere` (hence `nonzero`):
//! results whose length depends on data, resolved by a counting pass.
//!
//! NumPy's `x[mask]` is 1-d, in C order over the whole array. Whole rows of blocks come
//! in C order one after the other (a "slab": the blocks sharing their coordinate on axis
//! 0), so the result has one chunk per slab with any true value, as long as its count:
//!
//! ```text
//!  x 4 x 6 in 2 x 3 blocks: slabs = block rows {(0,0), (0,1)} and {(1,0), (1,1)}
//!  counting pass: count[s] = true values of the mask in slab s   (one task per slab)
//!  resolved:      output chunk k = the selected values of slab s_k, C order within it
//! ```
//!
//! Built, the selection is a deferred node (`Op::Deferred`, see `expr::deferred`) whose
//! placeholder has one chunk per slab as long as the slab; `compute` first runs the
//! counting pass ([`CountTrue`], a block kernel over the mask), then replaces the node by
//! a [`Gather`] block kernel with the counted chunks. An output block reads its slab of
//! the array and of the mask; slabs are first cut along axis 0 to hold no more than one
//! block ([`thin_slabs`]), so a task reads about two blocks' worth, however wide the
//! array.

use std::sync::Arc;

use ndarray::{Array2, ArrayD, IxDyn};

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::expr::deferred::{self, Deferred};
use crate::expr::{build, Meta, Node, Op};
use crate::kernel::block::{for_each_in_box, BlockKernel};
use crate::kernel::copy;

/// What a mask selection gathers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// The selected elements of the array (`x[mask]`): inputs `[x, mask]`.
    Values,
    /// The coordinates of the true elements (`argwhere`): input `[mask]`.
    Coords,
}

/// `x[mask]` for a bool `mask` of `x`'s shape: the selected elements, 1-d in C order.
pub(crate) fn select(x: &Arc<Node>, mask: &Arc<Node>) -> Result<Arc<Node>> {
    if mask.dtype() != DType::Bool {
        return Err(Error::parameter(
            "boolean_index",
            "mask",
            format!("an array of {}", mask.dtype()),
            "a bool array (build one with a comparison, as in `x > 0.5`)",
        ));
    }
    if mask.shape() != x.shape() {
        return Err(Error::parameter(
            "boolean_index",
            "mask",
            format!("a mask of shape {:?}", mask.shape()),
            format!(
                "a bool mask of the array's shape {:?}, or 1-d along its first axis",
                x.shape()
            ),
        ));
    }
    let mask = build::rechunk_to(mask, x.chunks().clone());
    selection(Mode::Values, vec![x.clone(), mask])
}

/// `argwhere(x)`: the coordinates of the nonzero (true) elements, one row each in C order,
/// as an `(n, ndim)` array of `i64`.
pub(crate) fn argwhere(x: &Arc<Node>) -> Result<Arc<Node>> {
    let mask = if x.dtype() == DType::Bool {
        x.clone()
    } else {
        let zero =
            build::scalar(crate::element::with_dtype!(x.dtype(), T => T::default().to_scalar()));
        build::binary(crate::ops::BinaryFn::NotEqual, x, &zero)?
    };
    selection(Mode::Coords, vec![mask])
}

/// The inputs with their first axis cut so that a slab (the blocks sharing a coordinate
/// on axis 0) holds no more elements than their largest block. A gather task reads one
/// slab of each input, so a wide array's whole row of blocks would otherwise be read at
/// once: `x[x > 0.5]` over 10000x10000 in 1000x1000 blocks read 76 MiB of `x` and 10 MiB
/// of mask per task (702 MiB resident at the peak, against Dask's 505); cut into slabs
/// of 100 rows, a task reads 7.6 MiB and 1 MiB. Each piece lies in one block (a split
/// only), and a generator is made in the new chunks.
fn thin_slabs(inputs: Vec<Arc<Node>>) -> Result<Vec<Arc<Node>>> {
    let grid = mask_of(&inputs).chunks();
    if grid.ndim() < 2 {
        return Ok(inputs);
    }
    let row: usize = grid.shape()[1..].iter().product();
    let rows = (grid.max_block_len() / row.max(1)).max(1);
    let axis0 = grid.axis(0);
    if row == 0 || axis0.max_chunk_len() <= rows {
        return Ok(inputs);
    }
    let sizes: Vec<usize> = axis0
        .sizes()
        .flat_map(|n| {
            let pieces = n.div_ceil(rows);
            (0..pieces).map(move |i| if i + 1 < pieces { rows } else { n - rows * i })
        })
        .collect();
    let mut axes = grid.axes().to_vec();
    axes[0] = AxisChunks::from_sizes(&sizes)?;
    let thin = ChunkGrid::new(axes);
    Ok(inputs
        .iter()
        .map(|i| build::rechunk_to(i, thin.clone()))
        .collect())
}

/// The mask is the last input.
fn mask_of(inputs: &[Arc<Node>]) -> &Arc<Node> {
    inputs.last().expect("a selection has a mask")
}

/// The deferred node of a selection (or, for an empty array, the resolved one at once).
fn selection(mode: Mode, inputs: Vec<Arc<Node>>) -> Result<Arc<Node>> {
    let inputs = thin_slabs(inputs)?;
    let grid = mask_of(&inputs).chunks().clone();
    let slabs = slab_sizes(&grid);
    if slabs.iter().all(|&n| n == 0) {
        return Ok(gather(mode, inputs, &vec![0; slabs.len()]));
    }
    let placeholder = AxisChunks::from_sizes(&slabs)?;
    let meta = Meta::new(
        result_dtype(mode, &inputs),
        result_grid(mode, placeholder, grid.ndim()),
    );
    Ok(deferred::node(
        Arc::new(Selection { mode, grid }),
        inputs,
        meta,
    ))
}

fn result_dtype(mode: Mode, inputs: &[Arc<Node>]) -> DType {
    match mode {
        Mode::Values => inputs[0].dtype(),
        Mode::Coords => DType::I64,
    }
}

fn result_grid(mode: Mode, along: AxisChunks, ndim: usize) -> ChunkGrid {
    match mode {
        Mode::Values => ChunkGrid::new(vec![along]),
        Mode::Coords => ChunkGrid::new(vec![
            along,
            AxisChunks::regular(ndim, ndim.max(1)).expect("a positive chunk"),
        ]),
    }
}

/// Number of slabs of `grid` (blocks along axis 0; one for a 0-d grid).
fn num_slabs(grid: &ChunkGrid) -> usize {
    if grid.ndim() == 0 {
        1
    } else {
        grid.axis(0).num_chunks()
    }
}

/// Elements in each slab of `grid`.
fn slab_sizes(grid: &ChunkGrid) -> Vec<usize> {
    let rest: usize = grid.shape().iter().skip(1).product();
    (0..num_slabs(grid))
        .map(|s| {
            if grid.ndim() == 0 {
                1
            } else {
                grid.axis(0).chunk_len(s) * rest
            }
        })
        .collect()
}

/// Calls `f` on the blocks of slab `s`, in C order.
fn for_each_slab_block(grid: &ChunkGrid, s: usize, f: &mut dyn FnMut(&[usize])) {
    let mut ranges: Vec<std::ops::Range<usize>> =
        grid.blocks_per_axis().into_iter().map(|n| 0..n).collect();
    if let Some(first) = ranges.first_mut() {
        *first = s..s + 1;
    }
    for_each_in_box(&ranges, f);
}

/// The slab `s` of an array of `grid`, assembled from its blocks (in
/// [`for_each_slab_block`] order).
fn assemble_slab(
    grid: &ChunkGrid,
    s: usize,
    blocks: &[&AnyArray],
    dtype: DType,
) -> Result<AnyArray> {
    let mut shape = grid.shape();
    let mut origin = vec![0; grid.ndim()];
    if let Some(first) = shape.first_mut() {
        *first = grid.axis(0).chunk_len(s);
        origin[0] = grid.axis(0).chunk_start(s);
    }
    if let [only] = blocks {
        return Ok((*only).clone());
    }
    let mut starts = Vec::new();
    for_each_slab_block(grid, s, &mut |b| starts.push(grid.block_start(b)));
    let pieces: Vec<copy::Piece<'_>> = blocks
        .iter()
        .zip(starts)
        .map(|(data, start)| copy::Piece { data, start })
        .collect();
    copy::assemble(dtype, &origin, &shape, &pieces)
}

/// The concrete selection: output chunk `k` gathers slab `slabs[k]`, `counts[k]` long.
fn gather(mode: Mode, inputs: Vec<Arc<Node>>, counts: &[usize]) -> Arc<Node> {
    let grid = mask_of(&inputs).chunks().clone();
    let (slabs, sizes): (Vec<usize>, Vec<usize>) = counts
        .iter()
        .enumerate()
        .filter(|&(_, &n)| n > 0)
        .map(|(s, &n)| (s, n))
        .unzip();
    let along = AxisChunks::from_sizes(&sizes).expect("positive counts, or none");
    let meta = Meta::new(
        result_dtype(mode, &inputs),
        result_grid(mode, along, grid.ndim()),
    );
    let kernel = Gather {
        mode,
        grid,
        slabs,
        counts: sizes,
        dtype: meta.dtype,
    };
    Node::new(Op::Block(Arc::new(kernel)), inputs, meta)
}

/// The deferred selection: its counting pass and how it resolves.
#[derive(Debug)]
struct Selection {
    mode: Mode,
    /// The mask's (and array's) grid.
    grid: ChunkGrid,
}

impl Deferred for Selection {
    fn name(&self) -> &'static str {
        match self.mode {
            Mode::Values => "boolean_index",
            Mode::Coords => "argwhere",
        }
    }

    fn key(&self) -> Vec<u8> {
        Vec::new()
    }

    fn unknown_axes(&self) -> Vec<bool> {
        match self.mode {
            Mode::Values => vec![true],
            Mode::Coords => vec![true, false],
        }
    }

    fn needs(&self, inputs: &[Arc<Node>]) -> Result<Vec<Arc<Node>>> {
        let mask = mask_of(inputs);
        let n = num_slabs(mask.chunks());
        let grid = ChunkGrid::new(vec![AxisChunks::regular(n, 1)?]);
        let kernel = CountTrue {
            grid: mask.chunks().clone(),
        };
        Ok(vec![Node::new(
            Op::Block(Arc::new(kernel)),
            vec![mask.clone()],
            Meta::new(DType::I64, grid),
        )])
    }

    fn resolve(&self, inputs: &[Arc<Node>], values: &[AnyArray]) -> Result<Arc<Node>> {
        let counts = i64::peek(&values[0])
            .ok_or_else(|| Error::internal("boolean_index", "counts are not i64"))?;
        let counts: Vec<usize> = counts
            .iter()
            .map(|&c| usize::try_from(c).expect("counts are non-negative"))
            .collect();
        Ok(gather(self.mode, inputs.to_vec(), &counts))
    }

    fn rebuild(&self, inputs: &[Arc<Node>]) -> Result<Arc<Node>> {
        match self.mode {
            Mode::Values => select(&inputs[0], &inputs[1]),
            Mode::Coords => selection(Mode::Coords, inputs.to_vec()),
        }
    }

    fn describe(&self) -> String {
        format!(
            "true values counted per block row of the mask, {} tasks",
            num_slabs(&self.grid)
        )
    }
}

/// The counting pass: output element `s` is the number of true values in slab `s` of the
/// mask.
#[derive(Debug)]
struct CountTrue {
    grid: ChunkGrid,
}

impl BlockKernel for CountTrue {
    fn name(&self) -> &'static str {
        "count_true"
    }

    fn key(&self) -> Vec<u8> {
        Vec::new()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        for_each_slab_block(&self.grid, out[0], &mut |b| f(0, b));
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let mut n = 0i64;
        for block in inputs {
            let m = bool::peek(block)
                .ok_or_else(|| Error::internal("count_true", "a mask that is not bool"))?;
            n += m.iter().filter(|&&t| t).count() as i64;
        }
        Ok(AnyArray::from(ArrayD::from_elem(IxDyn(&[1]), n)))
    }

    fn describe(&self) -> Option<String> {
        Some("the counting pass of a boolean selection".into())
    }
}

/// The selected values of a slab of at most 2 axes, `count` of them, straight from its
/// blocks (`data[i]` and `masks[i]` of one shape, side by side along axis 1): row by row
/// across the blocks, which is C order over the slab, without assembling it. The loop
/// writes every value and advances past the kept ones, with no branch on the mask (a
/// filtering iterator mispredicts on half of random data: 41% of `boolean_mask`'s time).
fn gather_rows<T: Element>(
    data: &[&AnyArray],
    masks: &[&AnyArray],
    count: usize,
) -> Result<Vec<T>> {
    let broken = |what: &str| Error::internal("boolean_index", format!("a slab {what}"));
    let mut v = crate::kernel::pool::vec_with_capacity::<T>(count + 1);
    v.resize(count + 1, T::default());
    let mut n = 0;
    let rows = match data.first().map(|d| d.shape()) {
        Some([rows, _]) => *rows,
        _ => 1,
    };
    let blocks: Vec<(&[T], &[bool])> = data
        .iter()
        .zip(masks)
        .map(|(d, m)| {
            let d = T::peek(d)
                .and_then(|d| d.as_slice())
                .ok_or_else(|| broken("block not contiguous"))?;
            let m = bool::peek(m)
                .and_then(|m| m.as_slice())
                .ok_or_else(|| broken("mask not contiguous"))?;
            if d.len() != m.len() || d.len() % rows.max(1) != 0 {
                return Err(broken("block and mask of different shapes"));
            }
            Ok((d, m))
        })
        .collect::<Result<_>>()?;
    for r in 0..rows {
        for &(d, m) in &blocks {
            let w = d.len() / rows;
            for (&x, &keep) in d[r * w..(r + 1) * w].iter().zip(&m[r * w..(r + 1) * w]) {
                v[n.min(count)] = x;
                n += usize::from(keep);
            }
        }
    }
    if n != count {
        return Err(broken(&format!(
            "holds {n} true values where the counting pass found {count}: the mask changed between the two passes"
        )));
    }
    v.truncate(count);
    Ok(v)
}

/// The resolved selection: output chunk `k` holds the selected values (or coordinates) of
/// slab `slabs[k]`.
#[derive(Debug)]
struct Gather {
    mode: Mode,
    grid: ChunkGrid,
    slabs: Vec<usize>,
    /// The length of each output chunk (the true values of its slab).
    counts: Vec<usize>,
    dtype: DType,
}

impl BlockKernel for Gather {
    fn name(&self) -> &'static str {
        match self.mode {
            Mode::Values => "boolean_index",
            Mode::Coords => "argwhere",
        }
    }

    fn key(&self) -> Vec<u8> {
        let mut k = vec![u8::from(self.mode == Mode::Coords)];
        for &s in &self.slabs {
            k.extend((s as u64).to_le_bytes());
        }
        k
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let Some(&s) = self.slabs.get(out[0]) else {
            return;
        };
        let slots = match self.mode {
            Mode::Values => 0..2,
            Mode::Coords => 0..1,
        };
        for slot in slots {
            for_each_slab_block(&self.grid, s, &mut |b| f(slot, b));
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let ndim = self.grid.ndim();
        let Some(&s) = self.slabs.get(out[0]) else {
            return Ok(match self.mode {
                Mode::Values => crate::element::with_dtype!(self.dtype, T => {
                    T::wrap(ArrayD::<T>::from_elem(IxDyn(&[0]), T::default()))
                }),
                Mode::Coords => AnyArray::from(ArrayD::<i64>::zeros(IxDyn(&[0, ndim]))),
            });
        };
        let per_slab = inputs.len() / if self.mode == Mode::Values { 2 } else { 1 };
        let (data, masks) = inputs.split_at(inputs.len() - per_slab);
        if self.mode == Mode::Values && ndim <= 2 {
            return crate::element::with_dtype!(self.dtype, T => {
                let v = gather_rows::<T>(data, masks, self.counts[out[0]])?;
                Ok(T::wrap(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).expect("1-d")))
            });
        }
        let mask = assemble_slab(&self.grid, s, masks, DType::Bool)?;
        let mask = bool::peek(&mask)
            .ok_or_else(|| Error::internal("boolean_index", "a mask that is not bool"))?;
        match self.mode {
            Mode::Values => {
                let x = assemble_slab(&self.grid, s, data, self.dtype)?;
                crate::element::with_dtype!(self.dtype, T => {
                    let x = T::peek(&x).ok_or_else(|| Error::internal("boolean_index", "a block of another dtype"))?;
                    let mut v = crate::kernel::pool::vec_with_capacity::<T>(self.counts[out[0]]);
                    v.extend(x.iter().zip(mask.iter()).filter(|(_, m)| **m).map(|(v, _)| *v));
                    Ok(T::wrap(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).expect("1-d")))
                })
            }
            Mode::Coords => {
                let offset = if ndim == 0 {
                    0
                } else {
                    self.grid.axis(0).chunk_start(s)
                };
                let mut v = Vec::new();
                let mut rows = 0;
                for (ix, &m) in mask.indexed_iter() {
                    if m {
                        rows += 1;
                        for d in 0..ndim {
                            let c = ix[d] + if d == 0 { offset } else { 0 };
                            v.push(i64::try_from(c).expect("an index fits i64"));
                        }
                    }
                }
                let a = Array2::from_shape_vec((rows, ndim), v).expect("rows x ndim");
                Ok(AnyArray::from(a.into_dyn()))
            }
        }
    }

    fn scratch_bytes(&self, out: &[usize]) -> u64 {
        // The slab of the mask and of the data, assembled from their blocks.
        let Some(&s) = self.slabs.get(out[0]) else {
            return 0;
        };
        let elements = slab_sizes(&self.grid)[s] as u64;
        let item = match self.mode {
            Mode::Values => self.dtype.size() as u64,
            Mode::Coords => 0,
        };
        elements * (1 + item)
    }

    fn describe(&self) -> Option<String> {
        Some(format!(
            "{} chunks gathered from block rows",
            self.slabs.len()
        ))
    }
}
