//! `tile`: the whole array repeated along each axis (NumPy's `tile`).
//!
//! ```text
//!  axis of 5 in chunks (3, 2), tiled 3 times: chunks (3, 2, 3, 2, 3, 2)
//!  output block i reads input block i mod 2, unchanged
//! ```
//!
//! Every output block is one input block, so a tiling copies nothing it does not write
//! and a slice of it reads only the blocks under it.

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid, Chunks};
use crate::element::Scalar;
use crate::error::Result;
use crate::expr::build::{expand_dims, source};
use crate::expr::{Meta, Node, Op, Source};
use crate::kernel::block::BlockKernel;

/// `x` repeated `reps[d]` times along each axis. When `reps` is longer than `x`'s
/// axes, `x` gains leading length-1 axes first; when shorter, `reps` is padded with
/// leading ones (NumPy's rules).
pub(crate) fn tile(x: &Arc<Node>, reps: &[usize]) -> Result<Arc<Node>> {
    let mut x = x.clone();
    while x.ndim() < reps.len() {
        x = expand_dims(&x, 0)?;
    }
    let mut full = vec![1usize; x.ndim() - reps.len()];
    full.extend_from_slice(reps);
    let reps = full;
    if reps.iter().all(|&r| r == 1) {
        return Ok(x);
    }
    let shape: Vec<usize> = x.shape().iter().zip(&reps).map(|(&n, &r)| n * r).collect();
    if shape.contains(&0) {
        let grid = ChunkGrid::new(
            shape
                .iter()
                .map(|&n| AxisChunks::regular(n, n.max(1)))
                .collect::<Result<Vec<_>>>()?,
        );
        return source(
            Source::Full(Scalar::Bool(false).cast(x.dtype())),
            &shape,
            x.dtype(),
            &Chunks::Grid(grid),
        );
    }
    let axes = x
        .chunks()
        .axes()
        .iter()
        .zip(&reps)
        .map(|(a, &r)| {
            if r == 1 {
                return Ok(a.clone());
            }
            let sizes: Vec<usize> = a.sizes().collect();
            AxisChunks::from_sizes(&sizes.repeat(r))
        })
        .collect::<Result<Vec<_>>>()?;
    let kernel = Tile {
        reps,
        blocks: x.chunks().blocks_per_axis(),
    };
    let meta = Meta::new(x.dtype(), ChunkGrid::new(axes));
    Ok(Node::new(Op::Block(Arc::new(kernel)), vec![x], meta))
}

/// The kernel of [`tile`]: output block `i` of an axis of `n` input blocks is input block
/// `i mod n`.
#[derive(Debug)]
struct Tile {
    reps: Vec<usize>,
    /// Input blocks per axis.
    blocks: Vec<usize>,
}

impl BlockKernel for Tile {
    fn name(&self) -> &'static str {
        "tile"
    }

    fn key(&self) -> Vec<u8> {
        self.reps
            .iter()
            .flat_map(|&r| (r as u64).to_le_bytes())
            .collect()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let coords: Vec<usize> = out.iter().zip(&self.blocks).map(|(&o, &n)| o % n).collect();
        f(0, &coords);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        Ok(inputs[0].clone())
    }

    fn describe(&self) -> Option<String> {
        Some(format!("reps {:?}", self.reps))
    }
}
