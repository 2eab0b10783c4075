//! [`DynArray`], a lazy array whose element type is known only at run time.

use std::fmt;
use std::sync::Arc;

use super::LazyArray;
use crate::any_array::AnyArray;
use crate::chunks::{ChunkGrid, Chunks};
use crate::compute::PendingWrite;
use crate::compute::{self, ComputeOptions};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::expr::{build, Node};
use crate::io::{BlockReader, BlockWriter};

/// A lazy array of any element type: what a Zarr array of unknown dtype or a command-line
/// expression produces. Convert with [`LazyArray::to_dyn`] and
/// [`DynArray::downcast`].
///
/// # Example
///
/// ```
/// use chunkwise::{DType, DynArray};
/// let a = chunkwise::ones::<f32>(&[2, 2], [1, 1]).to_dyn();
/// let b = chunkwise::arange(0i32, 4, 1, [2]).to_dyn();
/// assert_eq!(a.dtype(), DType::F32);
/// let out = DynArray::compute_many(&[a.astype(DType::F64), b])?;
/// assert_eq!(out[0].dtype(), DType::F64);
/// assert_eq!(out[1].sum_f64(), 6.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a DynArray does nothing until it is computed"]
pub struct DynArray {
    node: Arc<Node>,
}

impl DynArray {
    pub(crate) fn from_node(node: Arc<Node>) -> DynArray {
        DynArray { node }
    }

    pub(crate) fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// A lazy array over the data of `reader`, cut as `chunks` asks. Nothing is read
    /// until a computation needs a block, and then only that block's box.
    ///
    /// # Example
    ///
    /// See [`crate::io`].
    ///
    /// Chunks that do not fit the reader's shape give an invalid array.
    #[track_caller]
    pub fn from_reader(reader: Arc<dyn BlockReader>, chunks: &Chunks) -> DynArray {
        let dtype = reader.dtype();
        DynArray::build("read", &[], dtype, || build::read(reader, chunks))
    }

    /// The error `compute` would return before running anything, if an operation this
    /// array is built from was invalid (see [`LazyArray::error`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<u8>(&[3], [2]).to_dyn();
    /// assert!(x.logical_not().error().is_some());     // logical_not needs bool
    /// assert!(x.equal(0).logical_not().error().is_none());
    /// ```
    #[must_use]
    pub fn error(&self) -> Option<Error> {
        crate::expr::first_error(std::slice::from_ref(&self.node))
    }

    /// A write of this array's blocks to `writer`, one call per block of its chunk grid;
    /// nothing runs until [`PendingWrite::run`].
    ///
    /// # Example
    ///
    /// See [`crate::io`].
    pub fn write_to(&self, writer: Arc<dyn BlockWriter>) -> PendingWrite {
        PendingWrite::new(&self.node, writer)
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.node.dtype()
    }

    /// The shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        self.node.shown_shape()
    }

    /// Number of axes.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(chunkwise::DynArray::scalar(1.0f64).ndim(), 0);
    /// ```
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.node.ndim()
    }

    /// Number of elements.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<u8>(&[3, 4], [2, 2]).to_dyn();
    /// assert_eq!((x.ndim(), x.len(), x.is_empty()), (2, 12, false));
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape()
            .iter()
            .fold(1usize, |a, &n| a.saturating_mul(n))
    }

    /// True when the array has no elements.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<u8>(&[3, 0], [2, 1]).to_dyn();
    /// assert!(x.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The chunk grid.
    #[must_use]
    pub fn chunks(&self) -> &ChunkGrid {
        self.node.chunks()
    }

    /// The array converted to `dtype` with NumPy `astype` rules.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::DType;
    /// let x = chunkwise::arange(0i32, 3, 1, [2]).to_dyn();
    /// assert_eq!(x.astype(DType::F32).dtype(), DType::F32);
    /// ```
    #[track_caller]
    pub fn astype(&self, dtype: DType) -> DynArray {
        DynArray::build("astype", &[&self.node], dtype, || {
            Ok(build::cast(&self.node, dtype))
        })
    }

    /// The typed handle, if the element type is `T`.
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] naming both dtypes when they differ.
    pub fn downcast<T: Element>(&self) -> Result<LazyArray<T>> {
        if self.dtype() != T::DTYPE {
            return Err(Error::DTypeMismatch {
                context: "DynArray::downcast".into(),
                expected: T::DTYPE,
                found: self.dtype(),
            });
        }
        Ok(LazyArray::wrap(self.node.clone()))
    }

    /// Runs the computation.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3]).to_dyn();
    /// assert_eq!(x.compute()?.sum_f64(), 6.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`LazyArray::compute`].
    pub fn compute(&self) -> Result<AnyArray> {
        Self::compute_many(std::slice::from_ref(self))?
            .pop()
            .ok_or_else(|| Error::internal("DynArray::compute", "no result"))
    }

    /// Computes several arrays in one pass, sharing their common work.
    ///
    /// # Errors
    ///
    /// As [`LazyArray::compute`].
    pub fn compute_many(arrays: &[DynArray]) -> Result<Vec<AnyArray>> {
        Self::compute_many_with(arrays, &ComputeOptions::default())
    }

    /// [`compute_many`](Self::compute_many) with `options`.
    ///
    /// # Errors
    ///
    /// As [`LazyArray::compute`].
    pub fn compute_many_with(
        arrays: &[DynArray],
        options: &ComputeOptions,
    ) -> Result<Vec<AnyArray>> {
        let nodes: Vec<Arc<Node>> = arrays.iter().map(|a| a.node.clone()).collect();
        compute::compute_nodes(&nodes, options)
    }

    /// The optimized plan of computing this array, as a tree (see
    /// [`LazyArray::explain`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f32>(&[100], [10]).to_dyn();
    /// assert!(x.explain()?.contains("10 of 10 tasks"));
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

    /// [`explain`](Self::explain) for running with `options`.
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn explain_with(&self, options: &ComputeOptions) -> Result<String> {
        compute::explain(std::slice::from_ref(&self.node), options)
    }

    /// The optimized plan of computing this array as a Graphviz graph (see
    /// [`LazyArray::explain_dot`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f32>(&[100], [10]).to_dyn();
    /// let dot = x.mul(&x).explain_dot()?;
    /// assert!(dot.starts_with("digraph chunkwise {"));
    /// assert!(dot.contains("tasks: 10 of 10"));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn explain_dot(&self) -> Result<String> {
        self.explain_dot_with(&ComputeOptions::default())
    }

    /// [`explain_dot`](Self::explain_dot) for running with `options`.
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn explain_dot_with(&self, options: &ComputeOptions) -> Result<String> {
        compute::explain_dot(std::slice::from_ref(&self.node), options)
    }

    /// Sizes of the graph that computing this array would run.
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn graph_stats(&self) -> Result<compute::GraphStats> {
        self.graph_stats_with(&ComputeOptions::default())
    }

    /// Sizes of the graph that computing this array with `options` would run.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[100], [10]).to_dyn();
    /// assert_eq!(x.graph_stats_with(&chunkwise::ComputeOptions::default())?.tasks, 10);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`explain`](Self::explain).
    pub fn graph_stats_with(&self, options: &ComputeOptions) -> Result<compute::GraphStats> {
        compute::graph_stats(std::slice::from_ref(&self.node), options)
    }
}

impl fmt::Display for DynArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::describe(&self.node, f)
    }
}

impl fmt::Debug for DynArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynArray")
            .field("dtype", &self.dtype())
            .field("shape", &self.shape())
            .field("chunks", self.chunks())
            .finish_non_exhaustive()
    }
}
