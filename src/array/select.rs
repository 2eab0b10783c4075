//! Integer-array and boolean-mask indexing: `take`, `boolean_index` (NumPy's `x[mask]`),
//! `compress`, `nonzero`, `argwhere`, for [`LazyArray`] and [`DynArray`].
//!
//! An index known when the graph is built gives a result of known shape and chunks (a
//! block kernel, `blocks::take`). A lazy index, a mask, `nonzero` and `argwhere` give
//! data-dependent results: their sizes are computed by a counting pass inside the same
//! `compute` (see `expr::deferred` and `crate::resolve`), so reductions, elementwise
//! work and slices of whole axes after them just work; until then
//! [`LazyArray::dims`] reports `None` for the data-dependent axes.

use std::sync::Arc;

use super::{AxisIndex, DynArray, LazyArray};
use crate::element::{DType, Element};
use crate::error::Result;
use crate::expr::Node;

/// The indices of [`LazyArray::take`]: integers known now (`[3, 1]`, a `Vec<i64>`, a
/// slice), or a lazy 1-d integer array computed in the same graph.
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(0i32, 10, 1, [4]);
/// let known = x.take([-1, 0, 0], 0);
/// let lazy = x.take(&chunkwise::arange(0i64, 3, 1, [2]), 0);
/// assert_eq!(known.compute()?.as_slice().unwrap(), &[9, 0, 0]);
/// assert_eq!(lazy.compute()?.as_slice().unwrap(), &[0, 1, 2]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Indices {
    /// Indices known when the graph is built (negative ones count from the end).
    Values(Vec<i64>),
    /// A lazy 1-d array of integers.
    Lazy(DynArray),
}

impl From<Vec<i64>> for Indices {
    fn from(v: Vec<i64>) -> Self {
        Indices::Values(v)
    }
}

impl From<&[i64]> for Indices {
    fn from(v: &[i64]) -> Self {
        Indices::Values(v.to_vec())
    }
}

impl<const N: usize> From<[i64; N]> for Indices {
    fn from(v: [i64; N]) -> Self {
        Indices::Values(v.to_vec())
    }
}

impl From<Vec<usize>> for Indices {
    fn from(v: Vec<usize>) -> Self {
        Indices::Values(
            v.into_iter()
                .map(|i| i64::try_from(i).unwrap_or(i64::MAX))
                .collect(),
        )
    }
}

impl<T: Element> From<&LazyArray<T>> for Indices {
    fn from(a: &LazyArray<T>) -> Self {
        Indices::Lazy(a.to_dyn())
    }
}

impl From<&DynArray> for Indices {
    fn from(a: &DynArray) -> Self {
        Indices::Lazy(a.clone())
    }
}

/// The condition of [`LazyArray::compress`]: bools known now, or a lazy 1-d array
/// (nonzero values count as true).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Condition {
    /// Known when the graph is built.
    Values(Vec<bool>),
    /// A lazy 1-d array.
    Lazy(DynArray),
}

impl From<Vec<bool>> for Condition {
    fn from(v: Vec<bool>) -> Self {
        Condition::Values(v)
    }
}

impl From<&[bool]> for Condition {
    fn from(v: &[bool]) -> Self {
        Condition::Values(v.to_vec())
    }
}

impl<const N: usize> From<[bool; N]> for Condition {
    fn from(v: [bool; N]) -> Self {
        Condition::Values(v.to_vec())
    }
}

impl<T: Element> From<&LazyArray<T>> for Condition {
    fn from(a: &LazyArray<T>) -> Self {
        Condition::Lazy(a.to_dyn())
    }
}

impl From<&DynArray> for Condition {
    fn from(a: &DynArray) -> Self {
        Condition::Lazy(a.clone())
    }
}

fn index_node(x: &Arc<Node>, indices: &Indices, axis: isize) -> Result<Arc<Node>> {
    match indices {
        Indices::Values(v) => crate::blocks::take::take(x, v, axis),
        Indices::Lazy(a) => crate::blocks::lazy_index::take(x, a.node(), axis),
    }
}

fn compress_node(x: &Arc<Node>, condition: &Condition, axis: isize) -> Result<Arc<Node>> {
    match condition {
        Condition::Values(c) => {
            let axis_u = crate::expr::build::axis_index("compress", axis, x.ndim())?;
            let len = x.shape()[axis_u];
            let positions: Vec<i64> = c
                .iter()
                .enumerate()
                .filter(|&(_, &t)| t)
                .map(|(k, _)| i64::try_from(k).unwrap_or(i64::MAX))
                .collect();
            if let Some(&bad) = positions
                .iter()
                .find(|&&k| k >= i64::try_from(len).unwrap_or(i64::MAX))
            {
                return Err(crate::error::Error::IndexOutOfRange {
                    axis: axis_u,
                    index: isize::try_from(bad).unwrap_or(isize::MAX),
                    len,
                });
            }
            crate::blocks::take::take(x, &positions, axis)
        }
        Condition::Lazy(a) => crate::blocks::lazy_index::compress(a.node(), x, axis),
    }
}

fn lazy_inputs(index: &Indices) -> Vec<Arc<Node>> {
    match index {
        Indices::Values(_) => Vec::new(),
        Indices::Lazy(a) => vec![a.node().clone()],
    }
}

fn condition_inputs(c: &Condition) -> Vec<Arc<Node>> {
    match c {
        Condition::Values(_) => Vec::new(),
        Condition::Lazy(a) => vec![a.node().clone()],
    }
}

impl<T: Element> LazyArray<T> {
    /// The elements at `indices` along `axis` (NumPy's `take(x, indices, axis)`, and
    /// `x[:, [2, 0]]` for axis 1). Indices may repeat and come in any order; negative ones
    /// count from the end. The result has the index's length on `axis`.
    ///
    /// With indices known now, output chunks follow the index order (as long as the
    /// input's largest chunk on the axis, and reading at most 8 input blocks each); with a
    /// lazy index, the index is computed first in the same `compute` and the result has
    /// its chunks.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2]);
    /// let cols = x.take([2, 0, -1], 1);
    /// assert_eq!(cols.compute()?, ndarray::array![[3, 1, 3], [6, 4, 6]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An index outside the axis gives an invalid array ([`crate::error::Error::IndexOutOfRange`],
    /// at `compute` for a lazy index), as does an axis out of range or a lazy index that is
    /// not a 1-d integer array.
    #[track_caller]
    pub fn take(&self, indices: impl Into<Indices>, axis: impl AxisIndex) -> LazyArray<T> {
        let indices = indices.into();
        let lazy = lazy_inputs(&indices);
        let mut inputs = vec![&self.node];
        inputs.extend(lazy.iter());
        LazyArray::build("take", &inputs, || {
            index_node(&self.node, &indices, axis.to_isize())
        })
    }

    /// The elements where `mask` is true, 1-d in C order: NumPy's `x[mask]` for a bool
    /// mask of `x`'s shape. A 1-d mask along the first axis of a higher-dimensional array
    /// selects whole rows (NumPy's `x[mask]` then), as [`compress`](Self::compress).
    ///
    /// The result's length depends on the data: [`dims`](Self::dims) reports `None` for
    /// it, and `compute` first counts the true values per block row of the mask (a
    /// counting pass, shown by `explain`), then gathers; anything built on the result
    /// (reductions, elementwise work) just works.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[0.1, 0.9], [0.7, 0.2]], [1, 1]);
    /// let big = x.boolean_index(&x.greater(0.5));
    /// assert_eq!(big.compute()?.as_slice().unwrap(), &[0.9, 0.7]);
    /// let total: f64 = big.sum(..).compute_scalar()?;
    /// assert_eq!(total, 0.9 + 0.7);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A mask that is not bool, or whose shape is neither `x`'s nor `x`'s first axis,
    /// gives an invalid array.
    #[track_caller]
    pub fn boolean_index(&self, mask: &LazyArray<bool>) -> LazyArray<T> {
        LazyArray::build("boolean_index", &[&self.node, &mask.node], || {
            boolean_index_node(&self.node, &mask.node)
        })
    }

    /// The slices along `axis` where `condition` is true (NumPy's `compress(condition,
    /// a, axis)`): `condition` is 1-d, at most as long as the axis (missing entries count
    /// as false), and nonzero values count as true.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2], [3, 4], [5, 6]], [2, 1]);
    /// assert_eq!(x.compress([false, true, true], 0).compute()?, ndarray::array![[3, 4], [5, 6]].into_dyn());
    /// let lazy = chunkwise::from_ndarray(ndarray::array![true, false], [1]);
    /// assert_eq!(x.compress(&lazy, 1).compute()?, ndarray::array![[1], [3], [5]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A true value beyond the axis gives an invalid array
    /// ([`crate::error::Error::IndexOutOfRange`]).
    #[track_caller]
    pub fn compress(&self, condition: impl Into<Condition>, axis: impl AxisIndex) -> LazyArray<T> {
        let condition = condition.into();
        let lazy = condition_inputs(&condition);
        let mut inputs = vec![&self.node];
        inputs.extend(lazy.iter());
        LazyArray::build("compress", &inputs, || {
            compress_node(&self.node, &condition, axis.to_isize())
        })
    }

    /// The coordinates of the nonzero (true) elements, one row each in C order: an
    /// `(n, ndim)` array (NumPy's `argwhere`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[0, 3], [5, 0]], [1, 1]);
    /// assert_eq!(x.argwhere().compute()?, ndarray::array![[0, 1], [1, 0]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn argwhere(&self) -> LazyArray<i64> {
        LazyArray::build("argwhere", &[&self.node], || {
            crate::blocks::mask::argwhere(&self.node)
        })
    }

    /// The indices of the nonzero (true) elements, one 1-d array per axis (NumPy's
    /// `nonzero`): element `k` of each names the `k`-th nonzero element in C order.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[0, 3], [5, 0]], [1, 1]);
    /// let [rows, cols] = <[_; 2]>::try_from(x.nonzero()).unwrap();
    /// assert_eq!(rows.compute()?.as_slice().unwrap(), &[0, 1]);
    /// assert_eq!(cols.compute()?.as_slice().unwrap(), &[1, 0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// For a 0-d array, one invalid array (NumPy refuses it too).
    #[track_caller]
    pub fn nonzero(&self) -> Vec<LazyArray<i64>> {
        let coords = self.argwhere();
        if self.ndim() == 0 {
            return vec![LazyArray::build("nonzero", &[&self.node], || {
                Err(crate::error::Error::parameter(
                    "nonzero",
                    "a",
                    "a 0-d array",
                    "an array of at least one axis (use `atleast_1d` or `expand_dims` first)",
                ))
            })];
        }
        (0..self.ndim())
            .map(|d| LazyArray::build("nonzero", &[&coords.node], || nonzero_axis(&coords.node, d)))
            .collect()
    }
}

/// Column `d` of an `argwhere` result.
fn nonzero_axis(coords: &Arc<Node>, d: usize) -> Result<Arc<Node>> {
    use crate::chunks::AxisSelection;
    let rows = coords.shape()[0];
    crate::expr::build::select(
        coords,
        vec![
            AxisSelection::Range {
                first: 0,
                step: 1,
                len: rows,
            },
            AxisSelection::Index(d),
        ],
    )
}

/// `x[mask]`: a mask of `x`'s shape, or a 1-d mask along the first axis.
fn boolean_index_node(x: &Arc<Node>, mask: &Arc<Node>) -> Result<Arc<Node>> {
    if mask.ndim() == 1
        && x.ndim() > 1
        && mask.dtype() == DType::Bool
        && mask.shape()[0] == x.shape()[0]
    {
        return crate::blocks::lazy_index::compress(mask, x, 0);
    }
    crate::blocks::mask::select(x, mask)
}

impl DynArray {
    /// The same array with every data-dependent size resolved (the counting passes run
    /// now), for what needs the shape before computing (creating a Zarr array); the
    /// array itself when its sizes are known.
    pub(crate) fn with_sizes_resolved(&self) -> Result<DynArray> {
        if crate::expr::topological_order(std::slice::from_ref(self.node()))
            .iter()
            .all(|n| !matches!(n.op, crate::expr::Op::Deferred(_)))
        {
            return Ok(self.clone());
        }
        if let Some(e) = self.error() {
            return Err(e);
        }
        let options = crate::compute::ComputeOptions::default();
        let nodes =
            crate::compute::resolved(std::slice::from_ref(self.node()), &options, &mut Vec::new())?;
        Ok(DynArray::from_node(nodes[0].clone()))
    }

    /// [`LazyArray::take`] for a runtime-typed array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 5, 1, [2]).to_dyn();
    /// assert_eq!(x.take([4, 4], 0).compute()?.sum_f64(), 8.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn take(&self, indices: impl Into<Indices>, axis: impl AxisIndex) -> DynArray {
        let indices = indices.into();
        let lazy = lazy_inputs(&indices);
        let mut inputs = vec![self.node()];
        inputs.extend(lazy.iter());
        DynArray::build("take", &inputs, self.dtype(), || {
            index_node(self.node(), &indices, axis.to_isize())
        })
    }

    /// [`LazyArray::boolean_index`] for a runtime-typed array (`mask` must be bool).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 6.0, 1.0, [4]).to_dyn();
    /// let m = chunkwise::arange(0.0f64, 6.0, 1.0, [4]).greater(2.5).to_dyn();
    /// assert_eq!(x.boolean_index(&m).compute()?.sum_f64(), 12.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn boolean_index(&self, mask: &DynArray) -> DynArray {
        DynArray::build(
            "boolean_index",
            &[self.node(), mask.node()],
            self.dtype(),
            || boolean_index_node(self.node(), mask.node()),
        )
    }

    /// [`LazyArray::compress`] for a runtime-typed array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 4, 1, [3]).to_dyn();
    /// assert_eq!(x.compress([true, false, true], 0).compute()?.sum_f64(), 2.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn compress(&self, condition: impl Into<Condition>, axis: impl AxisIndex) -> DynArray {
        let condition = condition.into();
        let lazy = condition_inputs(&condition);
        let mut inputs = vec![self.node()];
        inputs.extend(lazy.iter());
        DynArray::build("compress", &inputs, self.dtype(), || {
            compress_node(self.node(), &condition, axis.to_isize())
        })
    }

    /// [`LazyArray::argwhere`] for a runtime-typed array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 4, 1, [3]).to_dyn();
    /// assert_eq!(x.argwhere().compute()?.shape(), &[3, 1]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn argwhere(&self) -> DynArray {
        DynArray::build("argwhere", &[self.node()], DType::I64, || {
            crate::blocks::mask::argwhere(self.node())
        })
    }

    /// [`LazyArray::nonzero`] for a runtime-typed array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 4, 1, [3]).to_dyn();
    /// assert_eq!(x.nonzero()[0].compute()?.sum_f64(), 6.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn nonzero(&self) -> Vec<DynArray> {
        if self.ndim() == 0 {
            return vec![DynArray::build(
                "nonzero",
                &[self.node()],
                DType::I64,
                || {
                    Err(crate::error::Error::parameter(
                        "nonzero",
                        "a",
                        "a 0-d array",
                        "an array of at least one axis",
                    ))
                },
            )];
        }
        let coords = self.argwhere();
        (0..self.ndim())
            .map(|d| {
                DynArray::build("nonzero", &[coords.node()], DType::I64, || {
                    nonzero_axis(coords.node(), d)
                })
            })
            .collect()
    }
}
