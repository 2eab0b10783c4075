//! [`Fused`]: a chain of elementwise operations run as one tile program per block, and
//! optionally folded into the first stage of a reduction, so the chain's result is never
//! materialized.

use crate::chunks::ChunkGrid;
use crate::error::Result;
use crate::expr::Reduction;
use crate::kernel::fused::{Broadcast, Program};
use crate::kernel::Value;

use super::reduce::{expand_final, finish, Finalize};
use super::{array_inputs, LayerKind};

/// A fused kernel over the blocks of `grid`.
#[derive(Debug)]
pub(crate) struct Fused {
    pub(crate) program: Program,
    pub(crate) grid: ChunkGrid,
    /// How each input slot's blocks line up with the output's.
    pub(crate) slots: Vec<Broadcast>,
    /// The reduction this kernel folds its result into, and whether it finalizes.
    pub(crate) reduce: Option<(Reduction, Option<Finalize>)>,
}

impl Fused {
    /// The block of `grid` that output block `out` covers.
    fn coords(&self, out: &[usize]) -> Vec<usize> {
        match &self.reduce {
            Some((r, fin)) => expand_final(out, r, fin.as_ref()),
            None => out.to_vec(),
        }
    }
}

impl LayerKind for Fused {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let coords = self.coords(out);
        let mut input = Vec::with_capacity(coords.len());
        for (slot, align) in self.slots.iter().enumerate() {
            input.clear();
            input.extend(align.map(&coords));
            f(slot, &input);
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        let arrays = array_inputs(inputs)?;
        let grid = &self.grid;
        match &self.reduce {
            None => Ok(Value::Array(self.program.run_block(
                &grid.block_start(out),
                &grid.block_shape(out),
                &arrays,
            )?)),
            Some((r, fin)) => {
                let coords = self.coords(out);
                let p = self.program.run_reduce(
                    &grid.block_start(&coords),
                    &grid.block_shape(&coords),
                    &arrays,
                    r.kind,
                    &r.axes,
                    &grid.shape(),
                )?;
                finish(r, p, fin.as_ref())
            }
        }
    }

    /// The registers of the tile program, sized for the largest block.
    fn scratch_bytes(&self, _: &[usize]) -> u64 {
        self.program.scratch_bytes(self.grid.max_block_len())
    }

    fn fused_ops(&self) -> &[&'static str] {
        self.program.ops()
    }

    fn source_bytes(&self, out: &[usize]) -> Option<u64> {
        Some(
            self.program
                .source_bytes(&self.grid.block_shape(&self.coords(out))),
        )
    }

    fn total_source_bytes(&self) -> Option<u64> {
        // Over the grid's blocks, each axis independently: a block reads its length of
        // an axis the source has, one element of an axis it broadcasts, and all of it
        // again for each block along an axis it lacks.
        let g = &self.grid;
        Some(
            self.program
                .total_source_bytes(&|d| g.axis(d).num_chunks(), &|d| g.axis(d).len()),
        )
    }
}
