//! `flip`: the order of the elements reversed along some axes (NumPy's `flip`).
//!
//! ```text
//!  axis of 7 in chunks (3, 3, 1), flipped: chunks (1, 3, 3)
//!  output block 0 = input block 2 reversed, 1 = 1 reversed, 2 = 0 reversed
//! ```

use std::sync::Arc;

use ndarray::SliceInfoElem;

use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::error::Result;
use crate::expr::build::normalize_axes;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;
use crate::kernel::copy;

/// `x` reversed along `axes` (`None`: every axis; negative axes count from the end).
pub(crate) fn flip(x: &Arc<Node>, axes: Option<&[isize]>) -> Result<Arc<Node>> {
    let axes = normalize_axes("flip", axes, x.ndim())?;
    if axes.iter().all(|&a| x.shape()[a] <= 1) {
        return Ok(x.clone());
    }
    let grid = ChunkGrid::new(
        x.chunks()
            .axes()
            .iter()
            .enumerate()
            .map(|(d, a)| {
                if axes.contains(&d) {
                    let mut sizes: Vec<usize> = a.sizes().collect();
                    sizes.reverse();
                    AxisChunks::from_sizes(&sizes)
                } else {
                    Ok(a.clone())
                }
            })
            .collect::<Result<Vec<_>>>()?,
    );
    let kernel = Flip {
        axes,
        blocks: x.chunks().blocks_per_axis(),
    };
    Ok(Node::new(
        Op::Block(Arc::new(kernel)),
        vec![x.clone()],
        Meta::new(x.dtype(), grid),
    ))
}

/// The kernel of [`flip`]: output block `i` of a flipped axis of `n` blocks is input
/// block `n - 1 - i`, reversed.
#[derive(Debug)]
struct Flip {
    axes: Vec<usize>,
    /// Input blocks per axis.
    blocks: Vec<usize>,
}

impl BlockKernel for Flip {
    fn name(&self) -> &'static str {
        "flip"
    }

    fn key(&self) -> Vec<u8> {
        self.axes
            .iter()
            .flat_map(|&a| (a as u64).to_le_bytes())
            .collect()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let coords: Vec<usize> = out
            .iter()
            .enumerate()
            .map(|(d, &o)| {
                if self.axes.contains(&d) {
                    self.blocks[d] - 1 - o
                } else {
                    o
                }
            })
            .collect();
        f(0, &coords);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let info: Vec<SliceInfoElem> = (0..self.blocks.len())
            .map(|d| SliceInfoElem::Slice {
                start: 0,
                end: None,
                step: if self.axes.contains(&d) { -1 } else { 1 },
            })
            .collect();
        copy::slice_block(inputs[0], &info)
    }

    fn describe(&self) -> Option<String> {
        Some(format!("axes {:?}", self.axes))
    }
}
