//! [`Op`], the operations an expression node can hold, and their parameters.

use std::sync::Arc;

use crate::chunks::AxisSelection;
use crate::error::Error;
use crate::io::BlockWriter;
use crate::kernel::block::BlockKernel;
use crate::ops::ReduceFn;
pub(crate) use crate::ops::{Distribution, MapOp, Source};

/// An expression node's operation. Result metadata lives in the node, not here.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// Data that comes from outside the graph (memory, a generator).
    Source(Source),
    /// An elementwise function of one or more inputs, with NumPy broadcasting.
    Map(MapOp),
    /// A reduction over some axes.
    Reduce(Reduction),
    /// Basic indexing: ranges with steps, integer indices, new axes.
    Slice(Vec<AxisSelection>),
    /// A permutation of the axes: output axis `i` is input axis `perm[i]`.
    Transpose(Vec<usize>),
    /// A new axis of length 1 at this output position.
    ExpandDims(usize),
    /// Removes these length-1 input axes.
    Squeeze(Vec<usize>),
    /// The same values cut into the node's chunk grid.
    Rechunk,
    /// Writes the input's blocks; the node's blocks hold nothing afterwards.
    Store(Arc<dyn BlockWriter>),
    /// An operation that computes each output block from some input blocks through
    /// its [`BlockKernel`] (concatenations, paddings, users' functions...).
    Block(Arc<dyn BlockKernel>),
    /// An operation whose chunks depend on data (a boolean mask's selection, `nonzero`):
    /// resolved into a concrete node before planning (`crate::resolve`), never lowered.
    Deferred(Arc<dyn super::deferred::Deferred>),
    /// An operation that was invalid when built; computing it returns its error.
    Invalid(Invalid),
}

impl Op {
    /// A short name for errors, plans and task labels.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Source(s) => s.name(),
            Op::Map(m) => m.name(),
            Op::Reduce(r) => r.kind.name(),
            Op::Slice(_) => "slice",
            Op::Transpose(_) => "transpose",
            Op::ExpandDims(_) => "expand_dims",
            Op::Squeeze(_) => "squeeze",
            Op::Rechunk => "rechunk",
            Op::Store(w) => w.name(),
            Op::Block(k) => k.name(),
            Op::Deferred(d) => d.name(),
            Op::Invalid(i) => i.op,
        }
    }
}

/// A reduction and how to run it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reduction {
    pub(crate) kind: ReduceFn,
    /// Reduced axes of the input, sorted, without repeats.
    pub(crate) axes: Vec<usize>,
    pub(crate) keepdims: bool,
    /// Most partial results one combine task merges.
    pub(crate) split_every: usize,
}

/// An operation that was invalid when it was built: the error, waiting to be returned
/// by `compute` or `explain`, and where in the user's code the operation was built.
#[derive(Clone, Debug)]
pub(crate) struct Invalid {
    /// The operation that was invalid.
    pub(crate) op: &'static str,
    /// Where it was built.
    pub(crate) location: &'static std::panic::Location<'static>,
    /// What was wrong.
    pub(crate) error: Arc<Error>,
}

impl Invalid {
    /// The error `compute` returns for this node.
    pub(crate) fn to_error(&self) -> Error {
        Error::Invalid {
            op: self.op,
            location: self.location,
            cause: self.error.clone(),
        }
    }
}
