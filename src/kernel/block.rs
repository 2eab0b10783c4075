//! [`BlockKernel`], the seam for operations that compute each output block from some
//! input blocks: one type per operation (a concatenation, a padding, a user's function
//! over blocks, a matrix product...), holding the geometry it needs, and implementing
//! the block-index map, the kernel, the bytes it allocates and its label.
//!
//! Where it sits: an expression node holds its operation's kernel (`Op::Block`); the
//! planner lowers such a node to one layer that asks the kernel which input blocks each
//! output block reads (so culling and the memory check need nothing more), and the
//! executor runs [`compute`](BlockKernel::compute) per block. Nothing here knows the
//! graph.
//!
//! # Adding an operation
//!
//! A builder (checks its inputs, derives the result's shape, dtype and chunks, and makes
//! the node with `Op::Block(Arc::new(MyKernel { .. }))`) and one type implementing this
//! trait, usually in one file; the planner, explain and the executor need no change.
//!
//! ```text
//!  concatenate([x, y], axis=0), x in 2 blocks, y in 1 along axis 0:
//!  output blocks  [0]   [1]   [2]
//!                  |     |     |
//!  inputs        x[0]  x[1]  y[0]     for_each_input(out) names one block each
//! ```

use std::fmt;

use crate::any_array::AnyArray;
use crate::chunks::AxisSelection;
use crate::error::Result;

/// A selection of a kernel's output as pieces of its inputs, for the optimizer's slice
/// pushdown: the selected output equals the concatenation along `axis` (of the
/// selected result) of the selections `parts` (input slot, selection of that input) in
/// order, or, when there is one part, that part itself.
#[derive(Debug, PartialEq)]
pub(crate) struct SelectionParts {
    pub(crate) parts: Vec<(usize, Vec<AxisSelection>)>,
    pub(crate) axis: usize,
}

/// An operation computing output blocks from input blocks.
///
/// Inputs are numbered by slot (the node's inputs, in order); input block coordinates
/// are in each input's own chunk grid.
pub(crate) trait BlockKernel: Send + Sync + fmt::Debug {
    /// The operation's NumPy (or Dask) name, for plans, progress and errors.
    fn name(&self) -> &'static str;

    /// The operation's parameters in a canonical byte encoding, for the node's key: two
    /// kernels with equal names and parameters over equal inputs compute equal blocks.
    fn key(&self) -> Vec<u8>;

    /// Calls `f(slot, input block)` for every input block that output block `out`
    /// reads, in the order [`compute`](Self::compute) receives them.
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize]));

    /// Computes output block `out` from its input blocks (in `for_each_input` order).
    ///
    /// # Errors
    ///
    /// Whatever the operation finds wrong with the data (a user function's error, say).
    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray>;

    /// The most bytes the task of `out` allocates besides its inputs and output (its
    /// temporaries), for the memory budget.
    fn scratch_bytes(&self, out: &[usize]) -> u64 {
        let _ = out;
        0
    }

    /// One line about the operation for `explain` beyond its name (its parameters, the
    /// halo it reads...), if there is something to say.
    fn describe(&self) -> Option<String> {
        None
    }

    /// The selection `sel` of the output as selections of the inputs (of `in_shapes`),
    /// for a kernel whose output is pieces of its inputs copied unchanged (a
    /// concatenation): the optimizer then moves the selection below the node, so only
    /// the selected elements of the inputs are computed. `None` (the default): the
    /// selection stays above.
    fn selection_parts(
        &self,
        sel: &[AxisSelection],
        in_shapes: &[&[usize]],
    ) -> Option<SelectionParts> {
        let _ = (sel, in_shapes);
        None
    }
}

/// Calls `f` on every coordinate vector in the box `ranges`, in C order: the usual way a
/// block-index map names a box of input blocks.
pub(crate) fn for_each_in_box(ranges: &[std::ops::Range<usize>], f: &mut dyn FnMut(&[usize])) {
    if ranges.iter().any(std::ops::Range::is_empty) {
        return;
    }
    let mut c: Vec<usize> = ranges.iter().map(|r| r.start).collect();
    loop {
        f(&c);
        let mut d = ranges.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            c[d] += 1;
            if c[d] < ranges[d].end {
                break;
            }
            c[d] = ranges[d].start;
        }
    }
}
