//! [`Op`], the operations an expression node can hold, and their parameters.

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::AxisSelection;
use crate::element::Scalar;
use crate::error::Error;
use crate::io::{BlockReader, BlockWriter};
use crate::ops::{BinaryFn, ReduceFn, UnaryFn};

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
            Op::Invalid(i) => i.op,
        }
    }
}

/// Where a source's values come from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// An in-memory array (standard layout), keyed by a hash of its contents.
    Array(Arc<AnyArray>),
    /// Every element equal to one value (its dtype is the node's).
    Full(Scalar),
    /// `start + i * step` for flat index `i`, in the node's dtype.
    Arange { start: Scalar, step: Scalar },
    /// `start + i * step`, with the last element exactly `stop` when `stop_is_last`.
    Linspace {
        start: f64,
        step: f64,
        stop: f64,
        stop_is_last: bool,
    },
    /// Counter-based random numbers keyed by seed and flat element index, so that the
    /// values do not depend on the chunking.
    Random { seed: u64, dist: Distribution },
    /// The integer-hash uniform input of the Dask peer benchmark (`det_block`).
    HashUniform { salt: u64 },
    /// Data read from outside (storage): node element `i` is reader element
    /// `origin + i`, so a slice pushed into the source reads only what it keeps.
    Read {
        reader: Arc<dyn BlockReader>,
        origin: Vec<usize>,
    },
}

impl Source {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Source::Array(_) => "from_ndarray",
            Source::Full(_) => "full",
            Source::Arange { .. } => "arange",
            Source::Linspace { .. } => "linspace",
            Source::Random {
                dist: Distribution::Uniform,
                ..
            } => "random.uniform",
            Source::Random {
                dist: Distribution::Normal,
                ..
            } => "random.normal",
            Source::HashUniform { .. } => "random.hash_uniform",
            Source::Read { reader, .. } => reader.name(),
        }
    }
}

/// A random distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Distribution {
    /// Uniform on `[0, 1)`.
    Uniform,
    /// Standard normal.
    Normal,
}

/// An elementwise function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum MapOp {
    Unary(UnaryFn),
    Binary(BinaryFn),
    /// `x` raised to a constant integer power (`LazyArray::powi`).
    Powi(i32),
    /// `where(cond, a, b)`.
    Where,
    /// Conversion to the node's dtype.
    Cast,
}

impl MapOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            MapOp::Unary(u) => u.name(),
            MapOp::Binary(b) => b.name(),
            MapOp::Powi(_) => "powi",
            MapOp::Where => "where",
            MapOp::Cast => "astype",
        }
    }

    /// How many inputs the operation takes.
    pub(crate) fn arity(self) -> usize {
        match self {
            MapOp::Unary(_) | MapOp::Cast | MapOp::Powi(_) => 1,
            MapOp::Binary(_) => 2,
            MapOp::Where => 3,
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
