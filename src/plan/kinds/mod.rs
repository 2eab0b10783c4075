//! [`LayerKind`], the seam between the planner and what a layer computes: one type per
//! kind of layer (a source, a fused kernel, a slice, a rechunk, the stages of a
//! reduction, a store, an operation with its own block kernel), each implementing the
//! block-index map (which input blocks an output block reads), the kernel, and its
//! temporaries for the memory budget.
//!
//! Where it sits: a [`Layer`](super::Layer) holds its kind next to what every layer has
//! (name, stage, block counts, inputs, output block sizes); the planner builds layers, the
//! task graph asks [`for_each_input`](LayerKind::for_each_input), and the executor calls
//! [`compute`](LayerKind::compute). Nothing else matches on kinds.
//!
//! # Adding a layer kind
//!
//! One file here with the type and its `impl LayerKind`, one `mod` line below, and the
//! place in the planner (`plan/mod.rs`) that makes the layer. Most new operations need no
//! new kind: an operation that computes each output block from some input blocks is a
//! [`BlockKernel`](crate::kernel::block::BlockKernel), run by the one [`Block`] kind.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::error::Result;
use crate::io::BlockReader;
use crate::kernel::Value;

mod axes;
mod block;
mod fused;
mod rechunk;
mod reduce;
mod slice;
mod source;
mod store;

pub(crate) use axes::{ExpandDims, Squeeze, Transpose};
pub(crate) use block::Block;
pub(crate) use fused::Fused;
pub(crate) use rechunk::Rechunk;
pub(crate) use reduce::{Finalize, ReduceCombine, ReducePartial};
pub(crate) use slice::Slice;
pub(crate) use source::Generate;
pub(crate) use store::Store;

/// A box of an array: one range per axis.
pub(crate) type Region = Vec<Range<usize>>;

/// What a layer computes per output block, and which input blocks that reads.
///
/// Inputs are numbered by slot (the layer's inputs, in order); input block coordinates
/// are in each input's own block grid.
pub(crate) trait LayerKind: Send + Sync + fmt::Debug {
    /// Calls `f(slot, input block)` for every input block that output block `out` reads,
    /// in the order [`compute`](Self::compute) receives them.
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize]));

    /// Computes output block `out` from its input blocks (in `for_each_input` order).
    ///
    /// # Errors
    ///
    /// What the kernel finds wrong with the data, or a storage error.
    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value>;

    /// The most bytes the task of `out` allocates besides its inputs and output.
    fn scratch_bytes(&self, out: &[usize]) -> u64 {
        let _ = out;
        0
    }

    /// One line for `explain` beyond the layer's name, if there is something to say.
    fn describe(&self) -> Option<String> {
        None
    }

    /// The elementwise operations this layer runs fused, in evaluation order.
    fn fused_ops(&self) -> &[&'static str] {
        &[]
    }

    /// Bytes the sources run inside this layer's kernel produce for block `out`, when
    /// it runs sources inside (a fused kernel); `None` for other kinds, whose input is
    /// their input layers' blocks.
    fn source_bytes(&self, out: &[usize]) -> Option<u64> {
        let _ = out;
        None
    }

    /// [`source_bytes`](Self::source_bytes) summed over all the layer's blocks, when
    /// it runs sources inside.
    fn total_source_bytes(&self) -> Option<u64> {
        None
    }

    /// The storage read the task of `out` makes, when this layer reads storage: the
    /// reader and the box, so that the computation can fetch it ahead
    /// ([`TaskPlan::storage_reads`](super::tasks::TaskPlan::storage_reads)).
    fn storage_read(&self, out: &[usize]) -> Option<(&Arc<dyn BlockReader>, Region)> {
        let _ = out;
        None
    }

    /// This kind as a [`Store`], for the write planner (`plan::writes`).
    fn as_store(&self) -> Option<&Store> {
        None
    }
}

/// Input `i` as an array block (not a reduction's partial).
fn array_input<'a>(inputs: &[&'a Value], i: usize) -> Result<&'a crate::any_array::AnyArray> {
    const CONTEXT: &str = "plan::kinds";
    inputs
        .get(i)
        .ok_or_else(|| crate::error::Error::internal(CONTEXT, "missing input"))?
        .array(CONTEXT)
}

/// Every input as an array block.
fn array_inputs<'a>(inputs: &[&'a Value]) -> Result<Vec<&'a crate::any_array::AnyArray>> {
    (0..inputs.len()).map(|i| array_input(inputs, i)).collect()
}
