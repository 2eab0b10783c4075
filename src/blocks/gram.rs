//! `gram`: `x @ x.T` and `x.T @ x` for a 2-d `x`, computing only the blocks on and above
//! the diagonal, as BLAS's SYRK does; the blocks below are the transposes of their mirror
//! images.
//!
//! ```text
//!  x @ x.T, x in 3 row blocks:      G = Gram: block (i, j) = Σ_k x[i, k] · x[j, k]ᵀ
//!   (0,0) (0,1) (0,2)                 computed for i <= j only (culling never asks
//!    ᵀ    (1,1) (1,2)                 for the others); diagonal blocks compute their
//!    ᵀ     ᵀ    (2,2)                 own upper panels only (kernel::gemm::syrk_acc)
//!                                   M = Mirror: block (i, j) = G[i, j], or G[j, i]ᵀ
//! ```
//!
//! Two layers: the Gram products ([`Gram`], reading blocks of `x` only), then
//! [`Mirror`] (one block each). A long contracted axis is split into groups whose partial
//! products are summed first (as in `contract`), and only the upper blocks of that sum
//! are ever computed either: the mirror is the only reader.

use std::sync::Arc;

use ndarray::{ArrayView2, Ix2, IxDyn};

use super::contract::{pairs_per_task, sum_partials};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;
use crate::kernel::gemm::{mirror_lower, syrk_acc, Gemm};

/// `x @ x.T` (`left_transposed` false) or `x.T @ x` (true), for a 2-d `x`.
pub(crate) fn gram(x: &Arc<Node>, left_transposed: bool) -> Result<Arc<Node>> {
    if x.ndim() != 2 {
        return Err(Error::internal("gram", "a 2-d operand"));
    }
    // The free axis of `x` (rows of the result) and the summed one.
    let (free, sum) = if left_transposed { (1, 0) } else { (0, 1) };
    let side = x.chunks().axis(free).clone();
    let sum_blocks = x.chunks().axis(sum).num_chunks();
    let pair_bytes = 2 * x.chunks().max_block_len() * x.dtype().size();
    let per_task = pairs_per_task(sum_blocks, pair_bytes);
    let groups = sum_blocks.div_ceil(per_task);
    let out_grid = ChunkGrid::new(vec![side.clone(), side]);
    let kernel = Gram {
        free,
        sum_blocks,
        per_task,
        partial: groups > 1,
        out_grid: out_grid.clone(),
        dtype: x.dtype(),
    };
    let products = if groups == 1 {
        Node::new(
            Op::Block(Arc::new(kernel)),
            vec![x.clone()],
            Meta::new(x.dtype(), out_grid.clone()),
        )
    } else {
        let mut axes = vec![AxisChunks::regular(groups, 1)?];
        axes.extend(out_grid.axes().iter().cloned());
        let partials = Node::new(
            Op::Block(Arc::new(kernel)),
            vec![x.clone()],
            Meta::new(x.dtype(), ChunkGrid::new(axes)),
        );
        sum_partials(&partials, x.dtype())?
    };
    Ok(Node::new(
        Op::Block(Arc::new(Mirror)),
        vec![products],
        Meta::new(x.dtype(), out_grid),
    ))
}

/// The products of [`gram`]: block (i, j) (of group g, the leading coordinate, when
/// there are partials) reads the blocks of rows `i` and `j` of the group's summed
/// blocks (once each when `i == j`).
#[derive(Debug)]
struct Gram {
    /// The axis of `x` that indexes the result's rows and columns.
    free: usize,
    sum_blocks: usize,
    per_task: usize,
    partial: bool,
    out_grid: ChunkGrid,
    dtype: DType,
}

impl Gram {
    fn split<'a>(&self, out: &'a [usize]) -> (usize, &'a [usize]) {
        if self.partial {
            (out[0], &out[1..])
        } else {
            (0, out)
        }
    }

    /// Block `x[row, k]` of `x`'s grid, with `row` on the free axis.
    fn block(&self, row: usize, k: usize) -> [usize; 2] {
        if self.free == 0 {
            [row, k]
        } else {
            [k, row]
        }
    }

    /// A block of `x` as the matrix (free, summed).
    fn rows<'a, T: Element>(&self, block: &'a AnyArray) -> Result<ArrayView2<'a, T>> {
        let a = T::peek(block).ok_or_else(|| Error::internal("gram", "dtype of a block"))?;
        let v = a
            .view()
            .into_dimensionality::<Ix2>()
            .map_err(|e| Error::internal("gram", e.to_string()))?;
        Ok(if self.free == 0 { v } else { v.reversed_axes() })
    }

    fn compute_typed<T: Gemm>(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let (_, oc) = self.split(out);
        let shape = self.out_grid.block_shape(oc);
        let mut c = crate::kernel::pool::array_like::<T>(&shape)
            .into_dimensionality::<Ix2>()
            .map_err(|e| Error::internal("gram", e.to_string()))?;
        if oc[0] == oc[1] {
            for block in inputs {
                syrk_acc(self.rows::<T>(block)?, c.view_mut());
            }
            mirror_lower(c.view_mut());
        } else {
            for pair in inputs.chunks(2) {
                let [x, y] = pair else {
                    return Err(Error::internal("gram", "inputs come in pairs"));
                };
                T::gemm_acc(
                    self.rows::<T>(x)?,
                    self.rows::<T>(y)?.reversed_axes(),
                    c.view_mut(),
                );
            }
        }
        let mut out_shape = shape;
        if self.partial {
            out_shape.insert(0, 1);
        }
        let c = c
            .into_shape_with_order(IxDyn(&out_shape))
            .map_err(|e| Error::internal("gram", e.to_string()))?;
        Ok(T::wrap(c))
    }
}

impl BlockKernel for Gram {
    fn name(&self) -> &'static str {
        "matmul"
    }

    fn key(&self) -> Vec<u8> {
        let mut out = vec![b'g', self.free as u8, u8::from(self.partial)];
        out.extend((self.per_task as u64).to_le_bytes());
        out
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let (g, oc) = self.split(out);
        let end = ((g + 1) * self.per_task).min(self.sum_blocks);
        for k in g * self.per_task..end {
            f(0, &self.block(oc[0], k));
            if oc[0] != oc[1] {
                f(0, &self.block(oc[1], k));
            }
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        crate::element::with_dtype!(self.dtype, T => self.compute_typed::<T>(out, inputs))
    }

    fn describe(&self) -> Option<String> {
        let t = if self.free == 0 { "x @ x.T" } else { "x.T @ x" };
        Some(format!(
            "{t}: blocks on and above the diagonal, {} of {} block pairs per task",
            self.per_task, self.sum_blocks
        ))
    }
}

/// The symmetric result of [`gram`] from its upper blocks: block (i, j) is block (i, j)
/// of the products when `i <= j`, and the transpose of block (j, i) otherwise.
#[derive(Debug)]
struct Mirror;

impl BlockKernel for Mirror {
    fn name(&self) -> &'static str {
        "matmul"
    }

    fn key(&self) -> Vec<u8> {
        b"mirror".to_vec()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, &[out[0].min(out[1]), out[0].max(out[1])]);
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let block = inputs[0];
        if out[0] <= out[1] {
            return Ok(block.clone());
        }
        Ok(crate::kernel::copy::transpose_block(block, &[1, 0])
            .standard_layout()
            .into_owned())
    }

    fn describe(&self) -> Option<String> {
        Some("blocks below the diagonal transposed from above".into())
    }
}
