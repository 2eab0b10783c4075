//! [`Op`], the operations an expression node can hold, and their parameters.

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::AxisSelection;
use crate::element::{DType, Scalar};
use crate::io::{BlockReader, BlockWriter};

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
    Unary(UnaryOp),
    Binary(BinaryOp),
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
            MapOp::Where => "where",
            MapOp::Cast => "astype",
        }
    }

    /// How many inputs the operation takes.
    pub(crate) fn arity(self) -> usize {
        match self {
            MapOp::Unary(_) | MapOp::Cast => 1,
            MapOp::Binary(_) => 2,
            MapOp::Where => 3,
        }
    }
}

/// Functions of one element.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub(crate) enum UnaryOp {
    Neg,
    Abs,
    Sqrt,
    Exp,
    Ln,
    Log10,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Floor,
    Ceil,
    Round,
    IsNan,
    IsFinite,
    Not,
    Powi(i32),
}

impl UnaryOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "negative",
            UnaryOp::Abs => "abs",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Exp => "exp",
            UnaryOp::Ln => "log",
            UnaryOp::Log10 => "log10",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tan => "tan",
            UnaryOp::Arcsin => "arcsin",
            UnaryOp::Arccos => "arccos",
            UnaryOp::Arctan => "arctan",
            UnaryOp::Sinh => "sinh",
            UnaryOp::Cosh => "cosh",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Floor => "floor",
            UnaryOp::Ceil => "ceil",
            UnaryOp::Round => "round",
            UnaryOp::IsNan => "isnan",
            UnaryOp::IsFinite => "isfinite",
            UnaryOp::Not => "logical_not",
            UnaryOp::Powi(_) => "powi",
        }
    }

    /// True for the functions only defined on floats (integers are cast to float first).
    pub(crate) fn needs_float(self) -> bool {
        matches!(
            self,
            UnaryOp::Sqrt
                | UnaryOp::Exp
                | UnaryOp::Ln
                | UnaryOp::Log10
                | UnaryOp::Sin
                | UnaryOp::Cos
                | UnaryOp::Tan
                | UnaryOp::Arcsin
                | UnaryOp::Arccos
                | UnaryOp::Arctan
                | UnaryOp::Sinh
                | UnaryOp::Cosh
                | UnaryOp::Tanh
                | UnaryOp::Floor
                | UnaryOp::Ceil
                | UnaryOp::Round
        )
    }
}

/// Functions of two elements of the same dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Minimum,
    Maximum,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    And,
    Or,
}

impl BinaryOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "subtract",
            BinaryOp::Mul => "multiply",
            BinaryOp::Div => "divide",
            BinaryOp::Pow => "power",
            BinaryOp::Minimum => "minimum",
            BinaryOp::Maximum => "maximum",
            BinaryOp::Equal => "equal",
            BinaryOp::NotEqual => "not_equal",
            BinaryOp::Less => "less",
            BinaryOp::LessEqual => "less_equal",
            BinaryOp::Greater => "greater",
            BinaryOp::GreaterEqual => "greater_equal",
            BinaryOp::And => "logical_and",
            BinaryOp::Or => "logical_or",
        }
    }

    /// True for the comparisons, whose result is `bool`.
    pub(crate) fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Equal
                | BinaryOp::NotEqual
                | BinaryOp::Less
                | BinaryOp::LessEqual
                | BinaryOp::Greater
                | BinaryOp::GreaterEqual
        )
    }

    /// True for the logical operations, defined on `bool` only.
    pub(crate) fn is_logical(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or)
    }
}

/// A reduction and how to run it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reduction {
    pub(crate) kind: ReduceKind,
    /// Reduced axes of the input, sorted, without repeats.
    pub(crate) axes: Vec<usize>,
    pub(crate) keepdims: bool,
    /// Most partial results one combine task merges.
    pub(crate) split_every: usize,
}

/// What a reduction computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum ReduceKind {
    Sum,
    Prod,
    Mean,
    Min,
    Max,
    Var { ddof: usize },
    Std { ddof: usize },
    ArgMin,
    ArgMax,
    Any,
    All,
    NanSum,
    NanMean,
    NanMin,
    NanMax,
}

impl ReduceKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ReduceKind::Sum => "sum",
            ReduceKind::Prod => "prod",
            ReduceKind::Mean => "mean",
            ReduceKind::Min => "min",
            ReduceKind::Max => "max",
            ReduceKind::Var { .. } => "var",
            ReduceKind::Std { .. } => "std",
            ReduceKind::ArgMin => "argmin",
            ReduceKind::ArgMax => "argmax",
            ReduceKind::Any => "any",
            ReduceKind::All => "all",
            ReduceKind::NanSum => "nansum",
            ReduceKind::NanMean => "nanmean",
            ReduceKind::NanMin => "nanmin",
            ReduceKind::NanMax => "nanmax",
        }
    }

    /// The result dtype for an input of `dtype`.
    pub(crate) fn result_dtype(self, dtype: DType) -> DType {
        match self {
            ReduceKind::Sum | ReduceKind::Prod | ReduceKind::NanSum => dtype.sum_result(),
            ReduceKind::Mean
            | ReduceKind::NanMean
            | ReduceKind::Var { .. }
            | ReduceKind::Std { .. } => dtype.float_result(),
            ReduceKind::Min | ReduceKind::Max | ReduceKind::NanMin | ReduceKind::NanMax => dtype,
            ReduceKind::ArgMin | ReduceKind::ArgMax => DType::I64,
            ReduceKind::Any | ReduceKind::All => DType::Bool,
        }
    }

    /// True for the reductions with no identity, which fail on zero elements.
    pub(crate) fn needs_elements(self) -> bool {
        matches!(
            self,
            ReduceKind::Min
                | ReduceKind::Max
                | ReduceKind::ArgMin
                | ReduceKind::ArgMax
                | ReduceKind::NanMin
                | ReduceKind::NanMax
        )
    }
}
