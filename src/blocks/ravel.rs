//! `ravel`: the elements of an array as one axis, in C order (NumPy's `ravel`), for the
//! operations NumPy defines on the flattened array (`cumsum` without an axis, `outer`).
//!
//! ```text
//!  (4, 6) in (2, 3) chunks: the trailing axis is first made one chunk, (2, 6),
//!  then output block i is input block (i, 0) read in C order: chunks (12, 12)
//! ```
//!
//! A run of C order is contiguous only across whole trailing axes, so those are
//! rechunked to one chunk each first (as Dask does); an output block is then one input
//! block, reshaped.

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::error::Result;
use crate::expr::build;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// `x` as a 1-d array in C order (`x` itself when 1-d; a 0-d array gives length 1).
pub(crate) fn ravel(x: &Arc<Node>) -> Result<Arc<Node>> {
    match x.ndim() {
        0 => return build::expand_dims(x, 0),
        1 => return Ok(x.clone()),
        _ => {}
    }
    let mut axes = x.chunks().axes().to_vec();
    for a in &mut axes[1..] {
        *a = AxisChunks::regular(a.len(), a.len())?;
    }
    let x = build::rechunk_to(x, ChunkGrid::new(axes));
    let row: usize = x.shape()[1..].iter().product();
    let sizes: Vec<usize> = x.chunks().axis(0).sizes().map(|s| s * row).collect();
    let axis = if row == 0 {
        AxisChunks::regular(0, 1)?
    } else {
        AxisChunks::from_sizes(&sizes)?
    };
    Ok(Node::new(
        Op::Block(Arc::new(Ravel { ndim: x.ndim() })),
        vec![x.clone()],
        Meta::new(x.dtype(), ChunkGrid::new(vec![axis])),
    ))
}

/// The kernel of [`ravel`]: output block `i` is input block `(i, 0, ..., 0)` reshaped.
#[derive(Debug)]
struct Ravel {
    ndim: usize,
}

impl BlockKernel for Ravel {
    fn name(&self) -> &'static str {
        "ravel"
    }

    fn key(&self) -> Vec<u8> {
        Vec::new()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut coords = vec![0; self.ndim];
        coords[0] = out[0];
        f(0, &coords);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let block = inputs[0];
        crate::kernel::copy::reshape_block(block.clone(), &[block.len()])
    }
}
