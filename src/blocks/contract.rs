//! `contract`: the product of two arrays summed over pairs of their axes, the one
//! operation behind `matmul`, `dot`, `tensordot`, `einsum` and `outer`.
//!
//! Each axis of an operand plays one role ([`Roles`]): a *batch* axis pairs with one of
//! the other operand and appears once in the result (lengths equal, or 1 and broadcast,
//! as matmul's stacks); a *contracted* axis pairs with one of the other operand and is
//! summed over; a *free* axis appears in the result. The result's axes are the batch
//! axes, then the first operand's free axes, then the second's.
//!
//! ```text
//!  (x @ y) in 3 × 2 × 2 blocks: output block (i, j) = Σ_k x[i, k] · y[k, j]
//!     x blocks          y blocks
//!    [i,0][i,1]   ·    [0,j]          a task reads the pairs (x[i,k], y[k,j]) of its
//!                      [1,j]          group of k and runs one GEMM per pair into one
//!                                     accumulator (the group's partial product)
//! ```
//!
//! Chunks of paired axes are made equal first (the smaller operand is rechunked to the
//! larger one's chunks). A task reads its pairs of blocks along the contracted axes, as
//! many as fit [`TASK_INPUT_BYTES`] (and at most [`TASK_PAIRS`]); when the contracted axes have more block pairs than
//! that, each task computes the partial product of one group, the partials form an array
//! with one more (leading) axis, and a `sum` over that axis, the reduction planner's
//! combine tree with its memory-bounded fan-in, adds them up. Per pair of blocks, the
//! arithmetic is `kernel::gemm` on 2-d views (batched over the batch axes), so a block
//! is never copied unless an operand's axes of one role are several and must be merged
//! into one, or a batch axis is broadcast.

use std::sync::Arc;

use ndarray::{Axis, CowArray, Ix3, IxDyn};

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::build::{self, DEFAULT_SPLIT_EVERY};
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;
use crate::kernel::gemm::Gemm;
use crate::ops::ReduceFn;

/// The most bytes of input blocks one product task reads: its pairs of blocks along the
/// contracted axes. More pairs than fit are split into groups whose partial products a
/// sum tree adds (the default memory budget is gigabytes; 128 MiB keeps a task of
/// 1000 × 1000 float64 blocks at 8 pairs).
pub(crate) const TASK_INPUT_BYTES: usize = 128 << 20;

/// The most pairs of blocks one product task reads, however small: more tasks over a
/// long contracted axis of small blocks spread it over the cores, and the sum tree that
/// adds their partials is cheap.
pub(crate) const TASK_PAIRS: usize = 16;

/// How many pairs of blocks each task of a contraction over `pairs` block pairs of
/// `pair_bytes` bytes reads: as many as [`TASK_INPUT_BYTES`] and [`TASK_PAIRS`] allow,
/// spread evenly over the tasks (6 pairs with room for 4 are two tasks of 3).
pub(crate) fn pairs_per_task(pairs: usize, pair_bytes: usize) -> usize {
    let pairs = pairs.max(1);
    let room = (TASK_INPUT_BYTES / pair_bytes.max(1)).clamp(1, TASK_PAIRS);
    let groups = pairs.div_ceil(room);
    pairs.div_ceil(groups)
}

/// The role of each axis of one operand of [`contract`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Roles {
    /// Axes paired with the other operand's batch axes, in the result's order.
    pub(crate) batch: Vec<usize>,
    /// Axes kept in the result, in order.
    pub(crate) free: Vec<usize>,
    /// Axes summed over, paired in order with the other operand's.
    pub(crate) sum: Vec<usize>,
}

impl Roles {
    fn check(&self, ndim: usize) -> Result<()> {
        let mut seen = vec![false; ndim];
        for &a in self.batch.iter().chain(&self.free).chain(&self.sum) {
            if a >= ndim || seen[a] {
                return Err(Error::internal(
                    "contract",
                    format!("axis roles {self:?} do not cover {ndim} axes once each"),
                ));
            }
            seen[a] = true;
        }
        if seen.iter().all(|&s| s) {
            Ok(())
        } else {
            Err(Error::internal(
                "contract",
                format!("axis roles {self:?} leave an axis of {ndim} without a role"),
            ))
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        for list in [&self.batch, &self.free, &self.sum] {
            out.extend((list.len() as u64).to_le_bytes());
            out.extend(list.iter().flat_map(|&a| (a as u64).to_le_bytes()));
        }
    }
}

/// The error for contracted axes of different lengths.
pub(crate) fn mismatch(op: &'static str, a: &Node, b: &Node, axes: (usize, usize)) -> Error {
    Error::ContractionMismatch {
        op,
        lhs: a.shape().to_vec(),
        rhs: b.shape().to_vec(),
        lhs_axis: axes.0,
        rhs_axis: axes.1,
        lhs_len: a.shape()[axes.0],
        rhs_len: b.shape()[axes.1],
    }
}

/// The product of `a` and `b` over the axes that `ra` and `rb` pair (see the module
/// doc): result axes are the batch axes, `a`'s free axes, then `b`'s. Both operands have
/// one dtype, which the result keeps (integers wrap, `bool` is `or` of `and`s).
pub(crate) fn contract(
    op: &'static str,
    a: &Arc<Node>,
    b: &Arc<Node>,
    ra: &Roles,
    rb: &Roles,
) -> Result<Arc<Node>> {
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch {
            context: format!("`{op}` operands"),
            expected: a.dtype(),
            found: b.dtype(),
        });
    }
    ra.check(a.ndim())?;
    rb.check(b.ndim())?;
    if ra.batch.len() != rb.batch.len() || ra.sum.len() != rb.sum.len() {
        return Err(Error::internal(
            "contract",
            "unpaired batch or contracted axes",
        ));
    }
    for (&x, &y) in ra.sum.iter().zip(&rb.sum) {
        if a.shape()[x] != b.shape()[y] {
            return Err(mismatch(op, a, b, (x, y)));
        }
    }
    for (i, (&x, &y)) in ra.batch.iter().zip(&rb.batch).enumerate() {
        let (lx, ly) = (a.shape()[x], b.shape()[y]);
        if lx != ly && lx != 1 && ly != 1 {
            return Err(Error::ShapeMismatch {
                op,
                lhs: a.shape().to_vec(),
                rhs: b.shape().to_vec(),
                axis: i,
                lhs_len: lx,
                rhs_len: ly,
            });
        }
    }
    let (a, b) = unify_chunks(a, b, ra, rb);
    let batch: Vec<AxisChunks> = ra
        .batch
        .iter()
        .zip(&rb.batch)
        .map(|(&x, &y)| {
            if a.shape()[x] == 1 {
                b.chunks().axis(y).clone()
            } else {
                a.chunks().axis(x).clone()
            }
        })
        .collect();
    let a_broadcast: Vec<bool> = ra
        .batch
        .iter()
        .zip(&batch)
        .map(|(&x, c)| a.shape()[x] != c.len())
        .collect();
    let b_broadcast: Vec<bool> = rb
        .batch
        .iter()
        .zip(&batch)
        .map(|(&y, c)| b.shape()[y] != c.len())
        .collect();
    let mut out_axes = batch;
    out_axes.extend(ra.free.iter().map(|&x| a.chunks().axis(x).clone()));
    out_axes.extend(rb.free.iter().map(|&y| b.chunks().axis(y).clone()));
    let out_grid = ChunkGrid::new(out_axes);
    let sum_blocks: Vec<usize> = ra
        .sum
        .iter()
        .map(|&x| a.chunks().axis(x).num_chunks())
        .collect();
    let pairs: usize = sum_blocks.iter().product();
    let item = a.dtype().size();
    let pair_bytes = (a.chunks().max_block_len() + b.chunks().max_block_len()) * item;
    let per_task = pairs_per_task(pairs, pair_bytes);
    let groups = pairs.div_ceil(per_task);
    let copies = |r: &Roles, broadcast: &[bool], n: &Node| -> u64 {
        let merges = r.batch.len() > 1 || r.free.len() > 1 || r.sum.len() > 1;
        if merges || broadcast.iter().any(|&x| x) {
            let factor: usize = out_grid.axes()[..r.batch.len()]
                .iter()
                .zip(broadcast)
                .filter(|&(_, &bc)| bc)
                .map(|(c, _)| c.max_chunk_len())
                .product();
            (n.chunks().max_block_len() * factor * item) as u64
        } else {
            0
        }
    };
    let scratch = copies(ra, &a_broadcast, &a) + copies(rb, &b_broadcast, &b);
    let kernel = Contract {
        op,
        ra: ra.clone(),
        rb: rb.clone(),
        a_broadcast,
        b_broadcast,
        a_ndim: a.ndim(),
        b_ndim: b.ndim(),
        sum_blocks,
        pairs,
        per_task,
        partial: groups > 1,
        out_grid: out_grid.clone(),
        dtype: a.dtype(),
        scratch,
    };
    let inputs = vec![a.clone(), b.clone()];
    if groups == 1 {
        return Ok(Node::new(
            Op::Block(Arc::new(kernel)),
            inputs,
            Meta::new(a.dtype(), out_grid),
        ));
    }
    let mut axes = vec![AxisChunks::regular(groups, 1)?];
    axes.extend(out_grid.axes().iter().cloned());
    let partials = Node::new(
        Op::Block(Arc::new(kernel)),
        inputs,
        Meta::new(a.dtype(), ChunkGrid::new(axes)),
    );
    sum_partials(&partials, a.dtype())
}

/// The sum of `partials` over its leading axis (the groups of a long contraction),
/// through the reduction planner, in `dtype` again: `sum` accumulates integers in 64
/// bits and counts `bool`s, and converting back wraps, or tests "not zero", exactly as
/// adding in `dtype` would have.
pub(crate) fn sum_partials(partials: &Arc<Node>, dtype: DType) -> Result<Arc<Node>> {
    let total = build::reduce(
        ReduceFn::Sum,
        partials,
        Some(&[0]),
        false,
        DEFAULT_SPLIT_EVERY,
    )?;
    Ok(build::cast(&total, dtype))
}

/// `a` and `b` with equal chunks on every pair of axes that must line up (contracted
/// pairs, and batch pairs that are not broadcast): on each pair, the smaller operand
/// takes the larger one's chunks.
fn unify_chunks(a: &Arc<Node>, b: &Arc<Node>, ra: &Roles, rb: &Roles) -> (Arc<Node>, Arc<Node>) {
    let pairs = ra.sum.iter().zip(&rb.sum).chain(
        ra.batch
            .iter()
            .zip(&rb.batch)
            .filter(|&(&x, &y)| a.shape()[x] == b.shape()[y]),
    );
    let mut ga = a.chunks().axes().to_vec();
    let mut gb = b.chunks().axes().to_vec();
    let a_leads = a.meta.nbytes() >= b.meta.nbytes();
    for (&x, &y) in pairs {
        if ga[x] != gb[y] {
            if a_leads {
                gb[y] = ga[x].clone();
            } else {
                ga[x] = gb[y].clone();
            }
        }
    }
    (
        build::rechunk_to(a, ChunkGrid::new(ga)),
        build::rechunk_to(b, ChunkGrid::new(gb)),
    )
}

/// The kernel of [`contract`]: output block (batch, free of `a`, free of `b`) of group
/// `g` (the leading coordinate, when there are partials) reads the pairs of blocks of
/// the group's contracted coordinates.
#[derive(Debug)]
struct Contract {
    op: &'static str,
    ra: Roles,
    rb: Roles,
    /// Per batch pair: the operand's axis has length 1 and is broadcast (block 0 is read).
    a_broadcast: Vec<bool>,
    b_broadcast: Vec<bool>,
    a_ndim: usize,
    b_ndim: usize,
    /// Blocks per contracted axis.
    sum_blocks: Vec<usize>,
    /// Pairs of blocks along the contracted axes (their product).
    pairs: usize,
    /// Pairs per task.
    per_task: usize,
    /// True when each task computes one group's partial product (a leading axis).
    partial: bool,
    /// The result's grid (without the partials' axis).
    out_grid: ChunkGrid,
    dtype: DType,
    scratch: u64,
}

impl Contract {
    /// The output block's coordinates and its group.
    fn split<'a>(&self, out: &'a [usize]) -> (usize, &'a [usize]) {
        if self.partial {
            (out[0], &out[1..])
        } else {
            (0, out)
        }
    }

    fn compute_typed<T: Gemm>(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let (_, oc) = self.split(out);
        let shape = self.out_grid.block_shape(oc);
        let nb = self.ra.batch.len();
        let nfa = self.ra.free.len();
        let batch = &shape[..nb];
        let (bl, m, n) = (
            batch.iter().product::<usize>(),
            shape[nb..nb + nfa].iter().product::<usize>(),
            shape[nb + nfa..].iter().product::<usize>(),
        );
        let mut c = crate::kernel::pool::array_like::<T>(&[bl, m, n])
            .into_dimensionality::<Ix3>()
            .map_err(|e| Error::internal("contract", e.to_string()))?;
        for pair in inputs.chunks(2) {
            let [x, y] = pair else {
                return Err(Error::internal("contract", "inputs come in pairs"));
            };
            let x = T::peek(x).ok_or_else(|| Error::internal("contract", "dtype of a block"))?;
            let y = T::peek(y).ok_or_else(|| Error::internal("contract", "dtype of a block"))?;
            let a3 = as_batched_matrix(x, &self.ra, &self.a_broadcast, batch, false)?;
            let b3 = as_batched_matrix(y, &self.rb, &self.b_broadcast, batch, true)?;
            for t in 0..bl {
                T::gemm_acc(
                    a3.index_axis(Axis(0), t),
                    b3.index_axis(Axis(0), t),
                    c.index_axis_mut(Axis(0), t),
                );
            }
        }
        let mut out_shape = shape;
        if self.partial {
            out_shape.insert(0, 1);
        }
        let c = c
            .into_shape_with_order(IxDyn(&out_shape))
            .map_err(|e| Error::internal("contract", e.to_string()))?;
        Ok(T::wrap(c))
    }
}

/// A block as a stack of matrices `(batch, rows, columns)`: `(batch, free, contracted)`
/// for the left operand, `(batch, contracted, free)` for the right (`right`). Batch
/// axes the operand broadcasts are stretched to `batch`. A view when each role has at
/// most one axis and nothing is broadcast over several axes; a copy otherwise.
fn as_batched_matrix<'a, T: Gemm>(
    block: &'a ndarray::ArrayD<T>,
    roles: &Roles,
    broadcast: &[bool],
    batch: &[usize],
    right: bool,
) -> Result<CowArray<'a, T, Ix3>> {
    let (rows, cols) = if right {
        (&roles.sum, &roles.free)
    } else {
        (&roles.free, &roles.sum)
    };
    let order: Vec<usize> = roles
        .batch
        .iter()
        .chain(rows)
        .chain(cols)
        .copied()
        .collect();
    let permuted = block.view().permuted_axes(IxDyn(&order));
    let mut target: Vec<usize> = permuted.shape().to_vec();
    for (i, &bc) in broadcast.iter().enumerate() {
        if bc {
            target[i] = batch[i];
        }
    }
    let groups = [roles.batch.len(), rows.len(), cols.len()];
    let dims = [
        target[..groups[0]].iter().product::<usize>(),
        target[groups[0]..groups[0] + groups[1]]
            .iter()
            .product::<usize>(),
        target[groups[0] + groups[1]..].iter().product::<usize>(),
    ];
    let internal = |e: ndarray::ShapeError| Error::internal("contract", e.to_string());
    let broadcasts = broadcast.iter().any(|&b| b);
    if groups.iter().all(|&g| g <= 1) && !broadcasts {
        // One axis or none per role: insert the missing ones, no copy.
        let mut v = permuted;
        for (at, g) in groups.into_iter().enumerate() {
            if g == 0 {
                v.insert_axis_inplace(Axis(at));
            }
        }
        return Ok(CowArray::from(
            v.into_dimensionality::<Ix3>().map_err(internal)?,
        ));
    }
    let owned = if broadcasts {
        permuted
            .broadcast(IxDyn(&target))
            .ok_or_else(|| Error::internal("contract", "broadcast of a batch axis"))?
            .as_standard_layout()
            .into_owned()
    } else {
        permuted.as_standard_layout().into_owned()
    };
    Ok(CowArray::from(
        owned.into_shape_with_order(dims).map_err(internal)?,
    ))
}

impl BlockKernel for Contract {
    fn name(&self) -> &'static str {
        self.op
    }

    fn key(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.ra.encode(&mut out);
        self.rb.encode(&mut out);
        out.extend((self.per_task as u64).to_le_bytes());
        out.push(u8::from(self.partial));
        out
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let (g, oc) = self.split(out);
        let nb = self.ra.batch.len();
        let nfa = self.ra.free.len();
        let mut ac = vec![0; self.a_ndim];
        let mut bc = vec![0; self.b_ndim];
        for (i, (&x, &y)) in self.ra.batch.iter().zip(&self.rb.batch).enumerate() {
            ac[x] = if self.a_broadcast[i] { 0 } else { oc[i] };
            bc[y] = if self.b_broadcast[i] { 0 } else { oc[i] };
        }
        for (i, &x) in self.ra.free.iter().enumerate() {
            ac[x] = oc[nb + i];
        }
        for (i, &y) in self.rb.free.iter().enumerate() {
            bc[y] = oc[nb + nfa + i];
        }
        let mut sum = Vec::new();
        let end = ((g + 1) * self.per_task).min(self.pairs);
        for p in g * self.per_task..end {
            crate::chunks::coords_of(p, &self.sum_blocks, &mut sum);
            for (i, (&x, &y)) in self.ra.sum.iter().zip(&self.rb.sum).enumerate() {
                ac[x] = sum[i];
                bc[y] = sum[i];
            }
            f(0, &ac);
            f(1, &bc);
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        crate::element::with_dtype!(self.dtype, T => self.compute_typed::<T>(out, inputs))
    }

    fn scratch_bytes(&self, _: &[usize]) -> u64 {
        self.scratch
    }

    fn describe(&self) -> Option<String> {
        let groups = self.pairs.div_ceil(self.per_task);
        Some(if self.partial {
            format!(
                "{} block pairs per output block, {} per task: {groups} partial products summed",
                self.pairs, self.per_task
            )
        } else {
            format!("{} block pairs per output block, in one task", self.pairs)
        })
    }
}
