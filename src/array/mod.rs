//! [`LazyArray`], the user's handle on a lazy chunked array.
//!
//! A `LazyArray<T>` is a typed, cheap-to-clone reference to one node of the expression
//! graph. Its methods add nodes and return new handles; nothing runs until
//! [`compute`](LazyArray::compute).
//!
//! Building never fails: an operation that is invalid (shapes that do not broadcast, an
//! axis out of range, a dtype it does not take) gives an array that remembers the error
//! and where in the program the operation was built (`#[track_caller]`), and
//! `compute`/`explain` return it as [`Error::Invalid`](crate::error::Error::Invalid). So
//! expressions read as the NumPy they replace: `(&x - x.mean(0)) / x.std(0)`.
//!
//! ## Contents
//!
//! - metadata and results: this file (`shape`, `chunks`, `compute`, `compute_many`...)
//! - creation: [`from_ndarray`](crate::array::from_ndarray), [`zeros`](crate::array::zeros),
//!   [`ones`](crate::array::ones), [`full`](crate::array::full), [`arange`](crate::array::arange),
//!   [`linspace`](crate::array::linspace): `creation.rs` (the seeded random arrays, built on
//!   these, are `chunkwise::random`'s, above this module)
//! - elementwise arithmetic, math functions, comparisons and logic, one method per line
//!   of the vocabulary's tables: `elementwise.rs`
//! - reductions over [`Axes`], one method per line of the reduction table:
//!   `reduction.rs`
//! - runtime-typed operations on [`DynArray`] with NumPy dtype promotion: `dyn_ops.rs`
//! - indexing and shape: `slice`, `permute_axes`, `t`, `squeeze`, `expand_dims`,
//!   `rechunk`: `indexing.rs`
//! - linear algebra and scans: `matmul`, `dot`, `tensordot`, [`einsum`], `outer`,
//!   `cumsum`, `cumprod`, `nancumsum`, `nancumprod`: `linalg.rs`
//! - computing several arrays at once: `many.rs`
//! - structure: [`concatenate`](crate::array::concatenate), [`stack`](crate::array::stack), `reshape`,
//!   `broadcast_to`, `moveaxis`, `swapaxes`, `pad`, `roll`, `repeat`, `tile`, `diff`:
//!   `structure.rs`
//! - users' functions over blocks (`map_blocks`, `blockwise`, `from_fn`,
//!   `apply_along_axis`): `user_fn.rs`; with halos (`map_overlap`): `overlap.rs`
//! - keeping a computed array in memory for reuse (`persist`): `persist.rs`
//! - order statistics (`sort`, `argsort`, `median`, `quantile`, `percentile` and the `nan`
//!   variants): `order.rs`; binning (`histogram`, `searchsorted`, `digitize`): `binning.rs`
//! - integer-array and boolean-mask indexing: `take`, `boolean_index`, `compress`,
//!   `nonzero`, `argwhere`: `select.rs`

mod binning;
mod creation;
mod dyn_array;
mod dyn_ops;
mod elementwise;
mod indexing;
mod linalg;
mod many;
mod order;
mod overlap;
mod persist;
mod reduction;
mod select;
mod structure;
mod user_fn;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use ndarray::{Array, ArrayD, Dimension};

pub use crate::blocks::{matmul::TensordotAxes, scan::ScanFn};
pub use binning::{HistogramBins, Side};
pub use creation::{arange, from_ndarray, full, linspace, ones, zeros};
pub use dyn_array::DynArray;
pub use dyn_ops::DynOperand;
pub use elementwise::{where_, Operand};
pub use indexing::AxisIndex;
pub use linalg::einsum;
pub use many::{compute_many, compute_many_with, ComputeMany, ComputeOne};
pub use order::{QuantileArg, Quantiles};
pub use overlap::{Boundary, MapOverlap};
pub use reduction::Axes;
pub use select::{Condition, Indices};
pub use structure::{block, concatenate, stack, PadMode};
pub use user_fn::{
    blockwise, blockwise_with, from_fn, map_blocks_many, map_blocks_mixed, BlockInfo, BlockResult,
    Blocks, BoxError, MapBlocks,
};

use crate::chunks::ChunkGrid;
use crate::compute::{self, ComputeOptions, GraphStats};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::expr::{build, Node, Op};
use crate::units::human_bytes;

/// A lazy n-dimensional array of `T`, split into a grid of chunks.
///
/// Operations build an expression graph; [`compute`](Self::compute) runs it chunk by chunk
/// on all cores and returns an `ndarray::ArrayD<T>`. Cloning is cheap (a reference count).
///
/// An operation that is invalid gives an array that holds the error: its `compute` (and
/// that of everything built from it) returns [`Error::Invalid`], naming the operation and
/// the file and line where it was built; [`error`](Self::error) asks without computing.
/// Such an array's shape and chunks are placeholders (a 0-d array).
///
/// # Example
///
/// ```
/// use chunkwise::prelude::*;
/// let x = chunkwise::random::uniform::<f64>(&[1000, 800], [250, 200], 42);
/// let y = &x + &x.slice(s![.., ..;-1]);                  // x plus its mirror image
/// let col_means = y.mean(0);                             // reduce axis 0
/// println!("{col_means}");                               // shape, chunks, bytes...
/// let out: ndarray::ArrayD<f64> = col_means.compute()?;
/// assert_eq!(out.shape(), &[800]);
/// assert!((out[0] - out[799]).abs() < 1e-12);            // symmetric by construction
/// let anomaly = (&x - x.mean(0)) / x.std(0);             // reads as the NumPy it replaces
/// assert_eq!(anomaly.shape(), &[1000, 800]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[must_use = "a LazyArray does nothing until it is computed"]
pub struct LazyArray<T: Element> {
    pub(crate) node: Arc<Node>,
    _element: PhantomData<fn() -> T>,
}

impl<T: Element> Clone for LazyArray<T> {
    fn clone(&self) -> Self {
        LazyArray::wrap(self.node.clone())
    }
}

impl<T: Element> LazyArray<T> {
    pub(crate) fn wrap(node: Arc<Node>) -> Self {
        debug_assert_eq!(node.dtype(), T::DTYPE);
        LazyArray {
            node,
            _element: PhantomData,
        }
    }

    /// The array `make` builds from `inputs`; when an input is invalid, or `make` fails,
    /// an invalid array that names `op` and the caller's location.
    #[track_caller]
    pub(crate) fn build(
        op: &'static str,
        inputs: &[&Arc<Node>],
        make: impl FnOnce() -> Result<Arc<Node>>,
    ) -> Self {
        LazyArray::wrap(build::or_invalid(op, inputs, T::DTYPE, make))
    }

    /// The error `compute` would return before running anything, if an operation this
    /// array is built from was invalid.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[3, 4], [2, 2]);
    /// assert!(x.sum(1).error().is_none());
    /// let bad = x.sum(2);                           // axis 2 of a 2-d array
    /// let err = bad.error().unwrap();
    /// assert!(err.to_string().contains("`sum` built at"), "{err}");
    /// assert!(matches!(err.root(), chunkwise::Error::AxisOutOfRange { axis: 2, .. }));
    /// ```
    #[must_use]
    pub fn error(&self) -> Option<Error> {
        crate::expr::first_error(std::slice::from_ref(&self.node))
    }

    /// The shape. An axis whose length depends on data not computed yet (the result of
    /// a boolean mask, `nonzero`, `compress`) reads [`UNKNOWN_LEN`](crate::expr::UNKNOWN_LEN);
    /// [`dims`](Self::dims) says so with `None`.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        self.node.shown_shape()
    }

    /// The length of each axis, `None` where it depends on data not computed yet (the
    /// result of a boolean mask, `nonzero`, `compress`; Dask's `nan`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 12.0, 1.0, [5]);
    /// assert_eq!(x.dims(), vec![Some(12)]);
    /// assert_eq!(x.boolean_index(&x.greater(3.5)).dims(), vec![None]);
    /// ```
    #[must_use]
    pub fn dims(&self) -> Vec<Option<usize>> {
        self.shape()
            .iter()
            .map(|&n| (n != crate::expr::UNKNOWN_LEN).then_some(n))
            .collect()
    }

    /// Number of axes.
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.node.ndim()
    }

    /// Number of elements ([`UNKNOWN_LEN`](crate::expr::UNKNOWN_LEN) when an axis's length
    /// depends on data not computed yet, and the array is not empty).
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape()
            .iter()
            .fold(1usize, |a, &n| a.saturating_mul(n))
    }

    /// True when the array has no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        T::DTYPE
    }

    /// The chunk grid.
    #[must_use]
    pub fn chunks(&self) -> &ChunkGrid {
        self.node.chunks()
    }

    /// Total number of chunks.
    #[must_use]
    pub fn num_chunks(&self) -> usize {
        self.chunks().num_blocks()
    }

    /// Bytes of the whole array.
    #[must_use]
    pub fn nbytes(&self) -> usize {
        self.len().saturating_mul(T::DTYPE.size())
    }

    /// The expression's deterministic key (32 hex digits): equal for equal expressions.
    ///
    /// # Example
    ///
    /// ```
    /// let a = chunkwise::ones::<f32>(&[4], [2]);
    /// let b = chunkwise::ones::<f32>(&[4], [2]);
    /// assert_eq!((&a + 1.0).key(), (&b + 1.0).key());
    /// assert_ne!((&a + 1.0).key(), (&a + 2.0).key());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn key(&self) -> String {
        self.node.key.to_hex()
    }

    /// The same array with its element type known only at run time.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<u16>(&[3], [2]).to_dyn();
    /// assert_eq!(x.dtype(), chunkwise::DType::U16);
    /// ```
    pub fn to_dyn(&self) -> DynArray {
        DynArray::from_node(self.node.clone())
    }

    /// A write of this array's blocks to `writer`, one call per block of its chunk grid;
    /// nothing runs until [`PendingWrite::run`](crate::compute::PendingWrite::run). See
    /// [`crate::io`] for an example.
    pub fn write_to(
        &self,
        writer: std::sync::Arc<dyn crate::io::BlockWriter>,
    ) -> crate::compute::PendingWrite {
        crate::compute::PendingWrite::new(&self.node, writer)
    }

    /// Runs the computation and returns the result.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when an operation the array is built from was invalid (before
    /// anything runs). The first task that fails or panics stops the run; its error names
    /// the operation and block ([`Error::TaskFailed`], [`Error::TaskPanicked`]).
    pub fn compute(&self) -> Result<ArrayD<T>>
    where
        T: Element,
    {
        self.compute_with(&ComputeOptions::default())
    }

    /// Runs the computation with `options` (executor, threads).
    ///
    /// # Errors
    ///
    /// As [`compute`](Self::compute).
    pub fn compute_with(&self, options: &ComputeOptions) -> Result<ArrayD<T>>
    where
        T: Element,
    {
        let mut out = compute::compute_nodes(std::slice::from_ref(&self.node), options)?;
        out.pop()
            .ok_or_else(|| Error::internal("LazyArray::compute", "no result"))?
            .into_typed()
    }

    /// Runs the computation and returns the result with a static dimensionality
    /// (`Ix2` for a matrix...).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::Ix2;
    /// let x = chunkwise::ones::<f32>(&[2, 3], [1, 2]);
    /// let m: ndarray::Array2<f32> = x.compute_array::<Ix2>()?;
    /// assert_eq!(m.dim(), (2, 3));
    /// assert!(x.compute_array::<ndarray::Ix1>().is_err());  // the array has 2 axes
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the array does not have `D`'s number of axes;
    /// otherwise as [`compute`](Self::compute).
    pub fn compute_array<D: Dimension>(&self) -> Result<Array<T, D>> {
        self.compute_array_with(&ComputeOptions::default())
    }

    /// [`compute_array`](Self::compute_array) with `options`.
    ///
    /// # Errors
    ///
    /// As [`compute_array`](Self::compute_array).
    pub fn compute_array_with<D: Dimension>(
        &self,
        options: &ComputeOptions,
    ) -> Result<Array<T, D>> {
        if let Some(n) = D::NDIM {
            if n != self.ndim() {
                return Err(Error::parameter(
                    "compute_array",
                    "dimensionality",
                    format!("{n} axes"),
                    format!(
                        "the array's {} axes (shape {:?}); use `compute` for any number",
                        self.ndim(),
                        self.shape()
                    ),
                ));
            }
        }
        let out = self.compute_with(options)?;
        out.into_dimensionality::<D>()
            .map_err(|e| Error::internal("LazyArray::compute_array", e.to_string()))
    }

    /// Computes a 0-d array (the result of a full reduction) and returns its value.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<i32>(&[3, 5], [2, 2]);
    /// assert_eq!(x.sum(..).compute_scalar()?, 15);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the array is not 0-dimensional; otherwise as
    /// [`compute`](Self::compute).
    pub fn compute_scalar(&self) -> Result<T>
    where
        T: Element,
    {
        self.compute_scalar_with(&ComputeOptions::default())
    }

    /// [`compute_scalar`](Self::compute_scalar) with `options`.
    ///
    /// # Errors
    ///
    /// As [`compute_scalar`](Self::compute_scalar).
    pub fn compute_scalar_with(&self, options: &ComputeOptions) -> Result<T>
    where
        T: Element,
    {
        if self.ndim() != 0 {
            return Err(Error::parameter(
                "compute_scalar",
                "shape",
                format!("{:?}", self.shape()),
                "a 0-d array, such as the result of `sum(..)`; use `compute` for others",
            ));
        }
        let a = self.compute_with(options)?;
        a.iter()
            .next()
            .copied()
            .ok_or_else(|| Error::internal("compute_scalar", "empty 0-d result"))
    }

    /// The optimized plan of computing this array, as a tree: each layer's operations
    /// (fused kernels list theirs), array and chunks, tasks after culling, bytes per
    /// task, the projected peak memory and what the optimizer changed. It is how to
    /// learn why a computation is slow or big.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::random::uniform::<f64>(&[1_000, 1_000], [250, 250], 1);
    /// let plan = ((&x + 1.0) * 2.0 - x.sin()).sum(..).explain()?;
    /// assert!(plan.contains("fused [random.uniform → add → multiply → sin → subtract]"));
    /// println!("{plan}");
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when an operation was invalid; when the graph cannot be built
    /// (too many blocks).
    pub fn explain(&self) -> Result<String> {
        self.explain_with(&ComputeOptions::default())
    }

    /// [`explain`](Self::explain) for running with `options` (its memory limit, and
    /// `optimize(false)` to see the unoptimized plan).
    ///
    /// # Errors
    ///
    /// When the graph cannot be built (too many blocks).
    pub fn explain_with(&self, options: &ComputeOptions) -> Result<String> {
        compute::explain(std::slice::from_ref(&self.node), options)
    }

    /// The plan of [`explain`](Self::explain) as a Graphviz graph (DOT), to render with
    /// `dot -Tsvg plan.dot > plan.svg`: one box `L<n>` per layer that runs, labelled
    /// as `explain` prints it (its operations, array and chunks, tasks after culling,
    /// bytes out and held per task), an arrow from each layer to each layer that reads
    /// it (marked `×2` when it reads it twice), and `explain`'s header as the title.
    ///
    /// The fill tells the kind of layer: green for sources (reads and generators, with
    /// the elementwise work fused onto them), blue for elementwise kernels, purple for
    /// the stages of reductions, orange for writes, grey for the rest (slices,
    /// rechunks, block kernels such as matmul). Outputs have a double border. A plan
    /// the memory budget refuses gets a red note saying why.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::random::uniform::<f64>(&[1_000, 1_000], [250, 250], 1);
    /// let dot = ((&x + 1.0) * 2.0).sum(..).explain_dot()?;
    /// assert!(dot.starts_with("digraph chunkwise {"));
    /// // Two boxes, each with its tasks: the fused kernel making the sum's partials, and
    /// // the combine of the 16 partials.
    /// assert_eq!(dot.matches("tasks: ").count(), 2);
    /// assert!(dot.contains("L0 -> L1"));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn explain_dot(&self) -> Result<String> {
        self.explain_dot_with(&ComputeOptions::default())
    }

    /// [`explain_dot`](Self::explain_dot) for running with `options` (its memory limit,
    /// and `optimize(false)` to see the unoptimized plan).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{ComputeOptions, MemoryLimit};
    /// // A budget smaller than one chunk: the plan would be refused, and says why.
    /// let x = chunkwise::random::uniform::<f64>(&[1_000], [100], 1).sum(..);
    /// let tiny = ComputeOptions::default().memory_limit(MemoryLimit::from_bytes(100));
    /// assert!(x.explain_dot_with(&tiny)?.contains("refused: "));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`explain_with`](Self::explain_with).
    pub fn explain_dot_with(&self, options: &ComputeOptions) -> Result<String> {
        compute::explain_dot(std::slice::from_ref(&self.node), options)
    }

    /// Sizes of the graph that computing this array would run (with the default
    /// options).
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn graph_stats(&self) -> Result<GraphStats> {
        self.graph_stats_with(&ComputeOptions::default())
    }

    /// Sizes of the graph that computing this array with `options` would run.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ComputeOptions;
    /// let x = chunkwise::ones::<f64>(&[100], [10]);
    /// let y = (&x + 1.0).sum(..);
    /// let fused = y.graph_stats()?.tasks;
    /// let plain = y.graph_stats_with(&ComputeOptions::default().optimize(false))?.tasks;
    /// assert!(fused < plain);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn graph_stats_with(&self, options: &ComputeOptions) -> Result<GraphStats> {
        compute::graph_stats(std::slice::from_ref(&self.node), options)
    }
}

/// Writes the Dask-like summary of an array node.
pub(crate) fn describe(node: &Node, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if let Op::Invalid(invalid) = &node.op {
        let e = invalid.to_error();
        return write!(f, "LazyArray<{}>, invalid: {e}: {}", node.dtype(), e.root());
    }
    if let Some(shown) = &node.shown_shape {
        let dims: Vec<String> = shown
            .iter()
            .map(|&n| {
                if n == crate::expr::UNKNOWN_LEN {
                    "?".into()
                } else {
                    n.to_string()
                }
            })
            .collect();
        writeln!(f, "LazyArray<{}> from `{}`", node.dtype(), node.op.name())?;
        writeln!(
            f,
            "  shape      [{}] (? depends on data; known at compute)",
            dims.join(", ")
        )?;
        return write!(f, "  chunks     decided by a counting pass at compute");
    }
    let chunks = node.chunks();
    let itemsize = node.dtype().size();
    let total: usize = node.shape().iter().product();
    let per_axis: Vec<String> = chunks
        .blocks_per_axis()
        .iter()
        .map(ToString::to_string)
        .collect();
    writeln!(f, "LazyArray<{}> from `{}`", node.dtype(), node.op.name())?;
    writeln!(f, "  shape      {:?}", node.shape())?;
    writeln!(f, "  chunks     {chunks}")?;
    writeln!(
        f,
        "  bytes      {} in all, {} in the largest chunk",
        human_bytes((total * itemsize) as u64),
        human_bytes((chunks.max_block_len() * itemsize) as u64)
    )?;
    write!(
        f,
        "  num_chunks {} ({})",
        chunks.num_blocks(),
        per_axis.join(" x ")
    )
}

impl<T: Element> fmt::Display for LazyArray<T> {
    /// A Dask-like summary: dtype, shape, chunks, bytes and number of chunks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe(&self.node, f)
    }
}

impl<T: Element> fmt::Debug for LazyArray<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyArray")
            .field("dtype", &T::DTYPE)
            .field("shape", &self.shape())
            .field("chunks", self.chunks())
            .field("op", &self.node.op.name())
            .finish_non_exhaustive()
    }
}
