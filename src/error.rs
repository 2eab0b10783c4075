//! [`Error`], the one error type of chunkwise, and the [`Result`] alias.
//!
//! Every fallible call in the crate returns this type. Variants carry typed values (shapes,
//! axes, dtypes), so callers can `matches!` on them, and every message says what was wrong,
//! the offending values and how to fix it.

use crate::element::DType;

/// The result type of every fallible chunkwise operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in chunkwise.
///
/// # Example
///
/// ```
/// use chunkwise::{Error, zeros};
/// let a = zeros::<f64>(&[3, 4], [2, 2]);
/// let b = zeros::<f64>(&[5], [5]);
/// let err = (&a + &b).compute().unwrap_err();      // building never fails; compute says why
/// assert!(matches!(err, Error::Invalid { op: "add", .. }));
/// assert!(matches!(err.root(), Error::ShapeMismatch { .. }));
/// assert!(err.root().to_string().contains("must be equal or 1"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Operands whose shapes cannot be broadcast together.
    #[error(
        "cannot broadcast shape {lhs:?} with {rhs:?} in `{op}`: lengths {lhs_len} and {rhs_len} \
         differ on axis {axis} of the result; lengths must be equal or 1"
    )]
    ShapeMismatch {
        /// The operation being built.
        op: &'static str,
        /// Shape of the left operand.
        lhs: Vec<usize>,
        /// Shape of the right operand.
        rhs: Vec<usize>,
        /// The first axis of the broadcast result where the lengths disagree.
        axis: usize,
        /// The left operand's length on that axis.
        lhs_len: usize,
        /// The right operand's length on that axis.
        rhs_len: usize,
    },

    /// Axes that a matrix product pairs and sums over (`matmul`, `dot`, `tensordot`,
    /// `einsum`) have different lengths.
    #[error(
        "shapes {lhs:?} and {rhs:?} are not aligned in `{op}`: axis {lhs_axis} of the first \
         has length {lhs_len} but axis {rhs_axis} of the second has length {rhs_len}; the \
         axes summed over must have equal lengths"
    )]
    ContractionMismatch {
        /// The operation being built.
        op: &'static str,
        /// Shape of the first operand.
        lhs: Vec<usize>,
        /// Shape of the second operand.
        rhs: Vec<usize>,
        /// The first operand's summed axis.
        lhs_axis: usize,
        /// The second operand's summed axis.
        rhs_axis: usize,
        /// The first operand's length on its axis.
        lhs_len: usize,
        /// The second operand's length on its axis.
        rhs_len: usize,
    },

    /// A chunk specification with a different number of axes than the array.
    #[error(
        "chunks {chunks} have {chunks_ndim} axes but the array has shape {shape:?} ({ndim} axes); \
         give one chunk entry per axis"
    )]
    ChunksRankMismatch {
        /// The chunk specification, as written.
        chunks: String,
        /// Number of axes in the chunk specification.
        chunks_ndim: usize,
        /// Shape of the array.
        shape: Vec<usize>,
        /// Number of axes of the array.
        ndim: usize,
    },

    /// Explicit chunk sizes on an axis that do not add up to the axis length.
    #[error(
        "chunk sizes on axis {axis} add up to {sum} but the axis has length {len}; \
         give sizes that add up to exactly {len}"
    )]
    ChunksSumMismatch {
        /// The axis.
        axis: usize,
        /// The axis length.
        len: usize,
        /// What the given chunk sizes add up to.
        sum: usize,
    },

    /// A chunk size of zero on a non-empty axis.
    #[error(
        "chunk size 0 on axis {axis} of length {len}; chunk sizes must be at least 1 \
         (only an empty axis has the single chunk of size 0)"
    )]
    ZeroChunk {
        /// The axis.
        axis: usize,
        /// The axis length.
        len: usize,
    },

    /// An axis number outside `-ndim..ndim` (negative axes count from the end).
    #[error(
        "axis {axis} is out of range in `{op}` for an array with {ndim} axes; valid axes are \
         -{ndim}..{ndim} (negative ones count from the end)"
    )]
    AxisOutOfRange {
        /// The operation being built.
        op: &'static str,
        /// The axis given.
        axis: isize,
        /// Number of axes of the array.
        ndim: usize,
    },

    /// The same axis given twice.
    #[error("axis {axis} is given more than once in `{op}`; list each axis at most once")]
    DuplicateAxis {
        /// The operation being built.
        op: &'static str,
        /// The repeated axis.
        axis: usize,
    },

    /// An integer index outside an axis.
    #[error("index {index} is out of range on axis {axis} of length {len}; valid indices are -{len}..{len}")]
    IndexOutOfRange {
        /// The axis.
        axis: usize,
        /// The index given (negative counts from the end).
        index: isize,
        /// The axis length.
        len: usize,
    },

    /// A slice range that begins or ends outside its axis.
    #[error(
        "slice {start}..{end} is out of bounds on axis {axis} of length {len}; \
         ranges must lie within -{len}..={len} (negative values count from the end)"
    )]
    SliceOutOfBounds {
        /// The axis.
        axis: usize,
        /// The range start, as given.
        start: isize,
        /// The range end, as given (the axis length when open).
        end: isize,
        /// The axis length.
        len: usize,
    },

    /// A slice with a step of zero.
    #[error("slice step is 0 on axis {axis}; use a positive step, or a negative one to reverse")]
    SliceStepZero {
        /// The axis.
        axis: usize,
    },

    /// A slice with more entries than the array has axes.
    #[error(
        "slice has {given} entries that select along axes (new axes not counted) but the array has \
         {ndim} axes; give at most {ndim}"
    )]
    SliceRankMismatch {
        /// Entries that consume an axis.
        given: usize,
        /// Number of axes of the array.
        ndim: usize,
    },

    /// An array of one element type where another was required.
    #[error("{context}: expected dtype {expected} but found {found}; convert with `astype`")]
    DTypeMismatch {
        /// Where the mismatch was found.
        context: String,
        /// The dtype that was required.
        expected: DType,
        /// The dtype that was found.
        found: DType,
    },

    /// An operation that is not defined for an element type.
    #[error("`{op}` is not defined for dtype {dtype}; it needs {needs}")]
    UnsupportedDType {
        /// The operation being built.
        op: &'static str,
        /// The dtype given.
        dtype: DType,
        /// What the operation accepts.
        needs: &'static str,
    },

    /// A reduction without an identity over zero elements.
    #[error(
        "cannot compute `{op}` over zero elements (shape {shape:?}, reducing axes {axes:?}): it has \
         no identity; reduce over non-empty axes or slice the empty ones away"
    )]
    EmptyReduction {
        /// The reduction.
        op: &'static str,
        /// Shape of the input.
        shape: Vec<usize>,
        /// Axes being reduced.
        axes: Vec<usize>,
    },

    /// `squeeze` of an axis whose length is not 1.
    #[error("cannot squeeze axis {axis} of length {len}; only axes of length 1 can be removed")]
    NotSqueezable {
        /// The axis.
        axis: usize,
        /// Its length.
        len: usize,
    },

    /// An operation that cannot follow one whose length depends on data (a boolean mask's
    /// selection, `nonzero`) before that length is computed.
    #[error(
        "`{op}` cannot be applied to the result of `{after}`, whose length depends on data; \
         compute that result first (or apply `{op}` before the selection)"
    )]
    DataDependentShape {
        /// The operation that was refused.
        op: &'static str,
        /// The data-dependent operation under it.
        after: &'static str,
    },

    /// A parameter outside its valid range.
    #[error("invalid `{param}` = {value} in `{op}`; expected {expected}")]
    InvalidParameter {
        /// The operation being built.
        op: &'static str,
        /// The parameter's name.
        param: &'static str,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: String,
    },

    /// A shape whose number of elements or bytes overflows `usize`.
    #[error(
        "shape {shape:?} has more elements than this machine can address; use a smaller shape"
    )]
    ShapeOverflow {
        /// The shape.
        shape: Vec<usize>,
    },

    /// An operation was invalid when it was built (shapes that do not broadcast, an axis
    /// out of range, a dtype the operation does not take...). Building an expression
    /// never fails; the error is kept in the expression and returned by `compute` and
    /// `explain`, naming the operation and where in the program it was built. The
    /// error itself is `cause` (also the `source()`); [`Error::root`] reaches it.
    #[error("`{op}` built at {location} is invalid")]
    Invalid {
        /// The operation that was invalid.
        op: &'static str,
        /// Where the operation was built (file, line and column).
        location: &'static std::panic::Location<'static>,
        /// What was wrong.
        #[source]
        cause: std::sync::Arc<Error>,
    },

    /// A task's kernel returned an error. The message names the task; the cause (a chunk
    /// file that does not decode, say) is the error's `source()`, so a chain printer
    /// (anyhow's `{:#}`, the command line) shows both, each once.
    #[error("task `{op}` failed on block {block:?}")]
    TaskFailed {
        /// The operation the task belongs to.
        op: String,
        /// The block coordinates of the task's output.
        block: Vec<usize>,
        /// What went wrong: the error's `source()`.
        #[source]
        cause: Box<Error>,
    },

    /// A task's kernel panicked; the run was stopped cleanly.
    #[error("task `{op}` panicked on block {block:?}: {message}")]
    TaskPanicked {
        /// The operation the task belongs to.
        op: String,
        /// The block coordinates of the task's output.
        block: Vec<usize>,
        /// The panic message.
        message: String,
    },

    /// A user's function (given to `map_blocks`, `map_overlap`, `blockwise`, `from_fn`...)
    /// returned a block of another shape or dtype than the operation declared: an error,
    /// never a wrong result.
    #[error(
        "function `{function}` returned a {found_dtype} block of shape {found_shape:?} for block \
         {block:?}, expected {expected_dtype} of shape {expected_shape:?}; return blocks of the \
         declared shape, or declare the output's chunks (`chunks`, `drop_axis`, `new_axis`)"
    )]
    BlockMismatch {
        /// The function's name.
        function: String,
        /// The block coordinates of the output block.
        block: Vec<usize>,
        /// The dtype the operation declared.
        expected_dtype: DType,
        /// The shape the operation declared for this block.
        expected_shape: Vec<usize>,
        /// The dtype returned.
        found_dtype: DType,
        /// The shape returned.
        found_shape: Vec<usize>,
    },

    /// A user's function returned an error of its own (the `source()`).
    #[error("function `{function}` failed")]
    User {
        /// The function's name.
        function: String,
        /// What the function reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// The computation was cancelled before it finished.
    #[error("the computation was cancelled")]
    Cancelled,

    /// A future's task failed (its closure returned an error or panicked, or the array
    /// computation it stands for failed): what every handle of the future reports. The
    /// task's own error is `cause` (also the `source()`); [`Error::root`] reaches it.
    #[error("task `{task}` failed")]
    FutureFailed {
        /// The task's name.
        task: String,
        /// Its own error, shared by every handle of the future.
        #[source]
        cause: std::sync::Arc<Error>,
    },

    /// A future's task did not run because a task it depends on (directly or through
    /// others) failed or was cancelled; `cause` is that task's error (also the
    /// `source()`), and [`Error::root`] reaches what went wrong first.
    #[error("task `{task}` did not run: its input `{dependency}` failed")]
    DependencyFailed {
        /// The task that did not run.
        task: String,
        /// The task that failed first, which `task` reads directly or through others.
        dependency: String,
        /// The error of `dependency`.
        #[source]
        cause: std::sync::Arc<Error>,
    },

    /// A future was cancelled ([`Future::cancel`](crate::client::Future::cancel), or its
    /// client was closed) before its result was ready.
    #[error("task `{task}` was cancelled before its result was ready")]
    FutureCancelled {
        /// The task's name.
        task: String,
    },

    /// One task of the plan alone needs more memory than the budget: the plan is refused
    /// before anything runs.
    #[error(
        "`{op}` needs {bytes} bytes for block {block:?} (its inputs, output and scratch), more \
         than the memory limit of {limit} bytes; {hint}"
    )]
    TaskTooLarge {
        /// The operation the task belongs to.
        op: String,
        /// The block coordinates of the task's output.
        block: Vec<usize>,
        /// The bytes the task needs.
        bytes: u64,
        /// The memory limit.
        limit: u64,
        /// How to make it fit.
        hint: String,
    },

    /// The plan's projected peak, with tasks run one at a time in the chosen order and
    /// every result held until its last reader has run, exceeds the budget even after
    /// the planner shrank it (finer rechunk stages, smaller reduction fan-in): the
    /// plan is refused before anything runs.
    #[error(
        "the plan needs {bytes} bytes at once when `{op}` runs block {block:?} (results held \
         for later tasks, plus that task's inputs, output and scratch), more than the memory \
         limit of {limit} bytes; {hint}"
    )]
    PlanTooLarge {
        /// The operation of the task at the peak.
        op: String,
        /// The block coordinates of that task's output.
        block: Vec<usize>,
        /// The bytes held at the peak.
        bytes: u64,
        /// The memory limit.
        limit: u64,
        /// How to make it fit.
        hint: String,
    },

    /// Reading or writing data outside the graph failed (a missing path, corrupt
    /// metadata, a truncated chunk, a reader that returned the wrong shape...).
    #[error("{path}: {problem}")]
    Storage {
        /// The file, store or array concerned.
        path: String,
        /// What was wrong, and how to fix it where that is known.
        problem: String,
    },

    /// The live dashboard could not be served.
    #[error("dashboard on {addr}: {problem}; name another address or port (`--dashboard 127.0.0.1:0` picks a free port)")]
    Dashboard {
        /// The address asked for.
        addr: String,
        /// What went wrong.
        problem: String,
    },

    /// Another process of a multi-process (MPI) computation failed; every process stops
    /// with this error, and the failed one with its own.
    #[error("rank {rank} of {ranks} failed: {message}")]
    RankFailed {
        /// The rank (process) that failed first.
        rank: usize,
        /// How many ranks the job has.
        ranks: usize,
        /// Its error, as it printed it.
        message: String,
    },

    /// Running across processes (MPI) was asked for but is not possible as asked.
    #[error("MPI: {problem}")]
    Mpi {
        /// What was wrong, and how to fix it.
        problem: String,
    },

    /// A Zarr store, array, group or chunk that could not be opened, read or written.
    #[error("zarr `{path}`: {problem}")]
    Zarr {
        /// The store, array, group or chunk file concerned.
        path: String,
        /// What was wrong, and how to fix it where that is known.
        problem: String,
        /// The underlying error (from zarrs or the file system), when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// A Zarr array whose data type chunkwise cannot hold.
    #[error(
        "zarr array `{path}` has data type `{dtype}`, which chunkwise does not support; \
         supported: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64"
    )]
    UnsupportedZarrDType {
        /// The array.
        path: String,
        /// The Zarr name of its data type.
        dtype: String,
    },

    /// A write that would replace existing data, without `overwrite(true)`.
    #[error(
        "`{path}` already exists; pass `overwrite(true)` to replace it, or write to another path"
    )]
    AlreadyExists {
        /// The existing store, array or group.
        path: String,
    },

    /// Two writes of one computation that cover the same elements of one destination:
    /// which one would win is undefined, so the computation is refused before anything
    /// runs (and nothing is written).
    #[error(
        "two writes of one computation cover the same elements of `{destination}`: region \
         {first:?} and region {second:?} overlap in {overlap:?}; which one would win is \
         undefined, so nothing was written; make the regions disjoint, or run the writes \
         one after the other (the later one wins)"
    )]
    OverlappingWrites {
        /// The destination both write to.
        destination: String,
        /// The region of the first write, in the destination's coordinates.
        first: Vec<std::ops::Range<usize>>,
        /// The region of the second write.
        second: Vec<std::ops::Range<usize>>,
        /// The elements both cover.
        overlap: Vec<std::ops::Range<usize>>,
    },

    /// Writes of one computation into one destination that see it with different shapes
    /// or units (its files): it was replaced after some of them were created, so the
    /// computation is refused before anything runs.
    #[error(
        "writes of one computation see `{destination}` differently: shape {first_shape:?} in \
         units of {first_unit:?}, and shape {second_shape:?} in units of {second_unit:?}; \
         it was replaced after some of the writes were created, so nothing was written; \
         create the writes again after its last change"
    )]
    WriteLayoutMismatch {
        /// The destination.
        destination: String,
        /// The shape one write sees.
        first_shape: Vec<usize>,
        /// The unit one write sees.
        first_unit: Vec<usize>,
        /// The shape another write sees.
        second_shape: Vec<usize>,
        /// The unit another write sees.
        second_unit: Vec<usize>,
    },

    /// A broken internal invariant. This is a bug in chunkwise.
    #[error("internal error in {context}: {detail}; this is a bug in chunkwise, please report it")]
    Internal {
        /// The component that found the problem.
        context: &'static str,
        /// What was found.
        detail: String,
    },
}

impl Error {
    /// Builds an [`Error::Internal`].
    pub(crate) fn internal(context: &'static str, detail: impl Into<String>) -> Self {
        Error::Internal {
            context,
            detail: detail.into(),
        }
    }

    /// Builds an [`Error::Storage`].
    pub(crate) fn storage(path: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Storage {
            path: path.into(),
            problem: problem.into(),
        }
    }

    /// The error itself, or for an [`Error::Invalid`] the error of the operation it
    /// names, and for a future's [`Error::FutureFailed`] or [`Error::DependencyFailed`]
    /// the error of the task that failed first: what to `match` on.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::Error;
    /// let a = chunkwise::zeros::<f64>(&[3, 4], [2, 2]);
    /// let b = chunkwise::zeros::<f64>(&[5], [5]);
    /// let err = (&a + &b).compute().unwrap_err();
    /// assert!(matches!(err, Error::Invalid { op: "add", .. }));
    /// assert!(matches!(err.root(), Error::ShapeMismatch { axis: 1, .. }));
    /// ```
    #[must_use]
    pub fn root(&self) -> &Error {
        match self {
            Error::Invalid { cause, .. }
            | Error::FutureFailed { cause, .. }
            | Error::DependencyFailed { cause, .. } => cause.root(),
            other => other,
        }
    }

    /// Builds an [`Error::InvalidParameter`].
    pub(crate) fn parameter(
        op: &'static str,
        param: &'static str,
        value: impl std::fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            op,
            param,
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// The error for an integer array raised to the negative integer power `exponent`
    /// (NumPy: "Integers to negative integer powers are not allowed").
    pub(crate) fn negative_integer_power(exponent: i64) -> Self {
        Error::parameter(
            "power",
            "exponent",
            exponent,
            "a non-negative exponent: integers to negative integer powers are not allowed \
             (as in NumPy); cast the base to float first (`astype`)",
        )
    }
}
