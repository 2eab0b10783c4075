//! Linear algebra and scans on [`LazyArray`] and [`DynArray`]: `matmul` (the `@` of
//! the expression language), `dot`, `tensordot`, [`einsum`], `outer`, and `cumsum`,
//! `cumprod`, `nancumsum`, `nancumprod`, with NumPy's names and rules.
//!
//! Block products run a GEMM per pair of blocks and add the pairs of a long contracted
//! axis through a sum tree; `x @ x.T` computes only the blocks on and above the
//! diagonal. Scans carry the totals of the blocks before each block instead of gathering
//! the axis (see `crate::blocks`). Runtime-typed operands are promoted to one dtype as
//! NumPy does; the result keeps it (integer products wrap, `bool` products are `or` of
//! `and`s). Scans accumulate `bool` and integers in `int64`/`uint64`, as NumPy does.

use std::sync::Arc;

use super::{Axes, DynArray, LazyArray};
use crate::blocks::einsum as einsum_builder;
use crate::blocks::matmul::{self, TensordotAxes};
use crate::blocks::scan::{self, ScanFn};
use crate::element::{DType, Element};
use crate::error::Result;
use crate::expr::{build, Node};

/// The scan axis from [`Axes`]: one axis, or every axis (`..`: the flattened array).
fn scan_axis(op: &'static str, axes: &Axes) -> Result<Option<isize>> {
    match axes.list.as_deref() {
        None => Ok(None),
        Some([a]) => Ok(Some(*a)),
        Some(list) => Err(crate::error::Error::parameter(
            op,
            "axis",
            format!("{list:?}"),
            "one axis, or `..` for the flattened array (NumPy's `axis=None`)",
        )),
    }
}

impl<T: Element> LazyArray<T> {
    /// The matrix product `self @ other`, with NumPy's `matmul` rules: the last axis of
    /// `self` with the second-to-last of `other`; axes before the last two are stacks of
    /// matrices, broadcast together; a 1-d operand is a vector whose axis leaves the
    /// result. Integers wrap on overflow, `bool` gives `or` of `and`s.
    ///
    /// `x.matmul(&x.t())` and `x.t().matmul(&x)` compute only the blocks on and above the
    /// diagonal of their symmetric result.
    ///
    /// # Example
    ///
    /// ```
    /// let a = chunkwise::from_ndarray(ndarray::array![[1.0, 2.0], [3.0, 4.0]], [1, 2]);
    /// let b = chunkwise::from_ndarray(ndarray::array![[5.0, 6.0], [7.0, 8.0]], [2, 1]);
    /// assert_eq!(a.matmul(&b).compute()?, ndarray::array![[19.0, 22.0], [43.0, 50.0]].into_dyn());
    /// let v = chunkwise::from_ndarray(ndarray::array![1.0, 1.0], [1]);
    /// assert_eq!(a.matmul(&v).compute()?, ndarray::array![3.0, 7.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A 0-d operand, or contracted axes of different lengths
    /// ([`Error::ContractionMismatch`](crate::error::Error::ContractionMismatch)), give an
    /// invalid array.
    #[track_caller]
    pub fn matmul(&self, other: &LazyArray<T>) -> LazyArray<T> {
        LazyArray::build("matmul", &[&self.node, &other.node], || {
            matmul::matmul(&self.node, &other.node)
        })
    }

    /// NumPy's `dot`: `matmul` for 1-d and 2-d operands, a product with a 0-d one, and
    /// otherwise the sum over the last axis of `self` and the second-to-last of `other`
    /// (its last when 1-d), every other axis kept.
    ///
    /// # Example
    ///
    /// ```
    /// let v = chunkwise::arange(0i64, 4, 1, [3]);
    /// assert_eq!(v.dot(&v).compute_scalar()?, 14);
    /// let x = chunkwise::ones::<i64>(&[2, 3, 4], [1, 2, 2]);
    /// let y = chunkwise::ones::<i64>(&[5, 4, 6], [2, 2, 3]);
    /// assert_eq!(x.dot(&y).shape(), &[2, 3, 5, 6]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn dot(&self, other: &LazyArray<T>) -> LazyArray<T> {
        LazyArray::build("dot", &[&self.node, &other.node], || {
            matmul::dot(&self.node, &other.node)
        })
    }

    /// NumPy's `tensordot`: the sum of products over the paired `axes` (the last `n`
    /// of `self` with the first `n` of `other`, or two lists); the result has the other
    /// axes of `self`, then those of `other`.
    ///
    /// # Example
    ///
    /// ```
    /// let c = chunkwise::ones::<f64>(&[3, 4, 5], [2, 2, 2]);
    /// let g = c.tensordot(&c, ([1, 2], [1, 2]));
    /// assert_eq!(g.shape(), &[3, 3]);
    /// assert_eq!(g.compute()?[[0, 1]], 20.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn tensordot(&self, other: &LazyArray<T>, axes: impl Into<TensordotAxes>) -> LazyArray<T> {
        let axes = axes.into();
        LazyArray::build("tensordot", &[&self.node, &other.node], || {
            matmul::tensordot(&self.node, &other.node, &axes)
        })
    }

    /// NumPy's `outer`: `out[i, j] = self.ravel()[i] * other.ravel()[j]`.
    ///
    /// # Example
    ///
    /// ```
    /// let a = chunkwise::arange(1i32, 4, 1, [2]);
    /// let b = chunkwise::arange(1i32, 3, 1, [1]);
    /// assert_eq!(a.outer(&b).compute()?, ndarray::array![[1, 2], [2, 4], [3, 6]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn outer(&self, other: &LazyArray<T>) -> LazyArray<T> {
        LazyArray::build("outer", &[&self.node, &other.node], || {
            matmul::outer(&self.node, &other.node)
        })
    }

    fn scan(&self, kind: ScanFn, axis: &Axes) -> LazyArray<T::Sum> {
        LazyArray::build(kind.name(), &[&self.node], || {
            scan::scan(kind, &self.node, scan_axis(kind.name(), axis)?)
        })
    }

    /// The cumulative sum along `axis` (`..`: of the flattened array, NumPy's
    /// `axis=None`), accumulated in [`Element::Sum`] (`int64`/`uint64` for integers and
    /// `bool`, as NumPy).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2]);
    /// assert_eq!(x.cumsum(0).compute()?, ndarray::array![[1i64, 2, 3], [5, 7, 9]].into_dyn());
    /// assert_eq!(x.cumsum(..).compute()?, ndarray::array![1i64, 3, 6, 10, 15, 21].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Several axes, or an axis out of range, give an invalid array.
    #[track_caller]
    pub fn cumsum(&self, axis: impl Into<Axes>) -> LazyArray<T::Sum> {
        self.scan(ScanFn::CumSum, &axis.into())
    }

    /// The cumulative product along `axis` (see [`cumsum`](Self::cumsum)).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(1u8, 6, 1, [2]);
    /// assert_eq!(x.cumprod(0).compute()?, ndarray::array![1u64, 2, 6, 24, 120].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn cumprod(&self, axis: impl Into<Axes>) -> LazyArray<T::Sum> {
        self.scan(ScanFn::CumProd, &axis.into())
    }

    /// The cumulative sum along `axis`, counting NaN as zero (see
    /// [`cumsum`](Self::cumsum)).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![f64::NAN, 1.0, 2.0], [1]);
    /// assert_eq!(x.nancumsum(0).compute()?, ndarray::array![0.0, 1.0, 3.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn nancumsum(&self, axis: impl Into<Axes>) -> LazyArray<T::Sum> {
        self.scan(ScanFn::NanCumSum, &axis.into())
    }

    /// The cumulative product along `axis`, counting NaN as one (see
    /// [`cumsum`](Self::cumsum)).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![2.0, f64::NAN, 3.0], [2]);
    /// assert_eq!(x.nancumprod(0).compute()?, ndarray::array![2.0, 2.0, 6.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn nancumprod(&self, axis: impl Into<Axes>) -> LazyArray<T::Sum> {
        self.scan(ScanFn::NanCumProd, &axis.into())
    }
}

/// NumPy's `einsum`: the sum of products of `operands` over the labels of `subscripts`
/// (`"ij,jk->ik"`; without `->`, the labels that appear once, sorted; `...` for
/// broadcast axes). A label repeated in one operand (a trace or a diagonal) is refused.
///
/// # Example
///
/// ```
/// let x = chunkwise::from_ndarray(ndarray::array![[1, 2], [3, 4]], [1, 2]);
/// let rows = chunkwise::einsum("ij,ij->i", &[&x, &x]);
/// assert_eq!(rows.compute()?, ndarray::array![5, 25].into_dyn());
/// assert_eq!(chunkwise::einsum("ij->ji", &[&x]).compute()?, ndarray::array![[1, 3], [2, 4]].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Subscripts that do not fit the operands give an invalid array
/// ([`Error::InvalidParameter`](crate::error::Error::InvalidParameter)).
#[track_caller]
pub fn einsum<T: Element>(subscripts: &str, operands: &[&LazyArray<T>]) -> LazyArray<T> {
    let nodes: Vec<&Arc<Node>> = operands.iter().map(|a| &a.node).collect();
    LazyArray::build("einsum", &nodes, || {
        let owned: Vec<Arc<Node>> = nodes.iter().map(|&n| n.clone()).collect();
        einsum_builder::einsum(subscripts, &owned)
    })
}

/// The arrays' nodes converted to their promoted dtype.
fn promoted(arrays: &[&DynArray]) -> (DType, Vec<Arc<Node>>) {
    let dtype = arrays
        .iter()
        .map(|a| a.dtype())
        .reduce(DType::promote)
        .unwrap_or(DType::F64);
    let nodes = arrays
        .iter()
        .map(|a| build::cast(a.node(), dtype))
        .collect();
    (dtype, nodes)
}

impl DynArray {
    fn product2(
        &self,
        op: &'static str,
        other: &DynArray,
        make: impl FnOnce(&Arc<Node>, &Arc<Node>) -> Result<Arc<Node>>,
    ) -> DynArray {
        let (dtype, nodes) = promoted(&[self, other]);
        DynArray::build(op, &[self.node(), other.node()], dtype, || {
            make(&nodes[0], &nodes[1])
        })
    }

    /// The matrix product `self @ other` with the operands promoted to one dtype (see
    /// [`LazyArray::matmul`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::DType;
    /// let a = chunkwise::ones::<i32>(&[2, 3], [1, 3]).to_dyn();
    /// let b = chunkwise::ones::<f32>(&[3, 4], [3, 2]).to_dyn();
    /// let c = a.matmul(&b);
    /// assert_eq!((c.dtype(), c.shape()), (DType::F64, &[2usize, 4][..]));
    /// ```
    #[track_caller]
    pub fn matmul(&self, other: &DynArray) -> DynArray {
        self.product2("matmul", other, matmul::matmul)
    }

    /// NumPy's `dot` (see [`LazyArray::dot`]), with the operands promoted.
    ///
    /// # Example
    ///
    /// ```
    /// let v = chunkwise::arange(0i64, 3, 1, [2]).to_dyn();
    /// assert_eq!(v.dot(&v).compute()?.into_typed::<i64>()?.sum(), 5);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn dot(&self, other: &DynArray) -> DynArray {
        self.product2("dot", other, matmul::dot)
    }

    /// NumPy's `tensordot` (see [`LazyArray::tensordot`]), with the operands promoted.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[3, 4], [2, 2]).to_dyn();
    /// assert_eq!(x.tensordot(&x, 0).shape(), &[3, 4, 3, 4]);
    /// ```
    #[track_caller]
    pub fn tensordot(&self, other: &DynArray, axes: impl Into<TensordotAxes>) -> DynArray {
        let axes = axes.into();
        self.product2("tensordot", other, |a, b| matmul::tensordot(a, b, &axes))
    }

    /// NumPy's `outer` (see [`LazyArray::outer`]), with the operands promoted.
    ///
    /// # Example
    ///
    /// ```
    /// let a = chunkwise::ones::<u8>(&[2, 2], [1, 1]).to_dyn();
    /// assert_eq!(a.outer(&a).shape(), &[4, 4]);
    /// ```
    #[track_caller]
    pub fn outer(&self, other: &DynArray) -> DynArray {
        self.product2("outer", other, matmul::outer)
    }

    /// NumPy's `einsum` (see [`einsum`]) over runtime-typed operands, promoted to one
    /// dtype.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::DynArray;
    /// let x = chunkwise::ones::<f32>(&[3, 4], [2, 2]).to_dyn();
    /// let y = chunkwise::ones::<f32>(&[4, 5], [2, 5]).to_dyn();
    /// assert_eq!(DynArray::einsum("ij,jk", &[&x, &y]).shape(), &[3, 5]);
    /// ```
    #[track_caller]
    pub fn einsum(subscripts: &str, operands: &[&DynArray]) -> DynArray {
        let (dtype, nodes) = promoted(operands);
        let inputs: Vec<&Arc<Node>> = operands.iter().map(|a| a.node()).collect();
        DynArray::build("einsum", &inputs, dtype, || {
            einsum_builder::einsum(subscripts, &nodes)
        })
    }

    /// The scan `kind` along `axis` (`..`: of the flattened array), accumulated in
    /// `int64`/`uint64` for integers and `bool` (see [`LazyArray::cumsum`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, ScanFn};
    /// let x = chunkwise::ones::<bool>(&[4], [3]).to_dyn();
    /// let c = x.scan(ScanFn::CumSum, ..);
    /// assert_eq!(c.dtype(), DType::I64);
    /// assert_eq!(c.compute()?.into_typed::<i64>()?, ndarray::arr1(&[1, 2, 3, 4]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn scan(&self, kind: ScanFn, axis: impl Into<Axes>) -> DynArray {
        let axis = axis.into();
        DynArray::build(
            kind.name(),
            &[self.node()],
            self.dtype().sum_result(),
            || scan::scan(kind, self.node(), scan_axis(kind.name(), &axis)?),
        )
    }

    /// The cumulative sum along `axis` (see [`LazyArray::cumsum`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3]).to_dyn();
    /// assert_eq!(x.cumsum(0).compute()?.into_typed::<i64>()?, ndarray::arr1(&[0, 1, 3, 6]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn cumsum(&self, axis: impl Into<Axes>) -> DynArray {
        self.scan(ScanFn::CumSum, axis)
    }

    /// The cumulative product along `axis` (see [`LazyArray::cumprod`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(1i32, 5, 1, [3]).to_dyn();
    /// assert_eq!(x.cumprod(..).compute()?.into_typed::<i64>()?, ndarray::arr1(&[1, 2, 6, 24]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn cumprod(&self, axis: impl Into<Axes>) -> DynArray {
        self.scan(ScanFn::CumProd, axis)
    }
}
