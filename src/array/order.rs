//! Order statistics on [`LazyArray`] and [`DynArray`]: `sort`, `argsort`, `topk`,
//! `argtopk`, `unique`, `median`, `quantile`, `percentile` and their `nan` variants (the
//! builders and kernels are in `blocks::sort`, `blocks::topk`, `blocks::unique` and
//! `blocks::quantile`).

use std::sync::Arc;

use super::{Axes, AxisIndex, DynArray, LazyArray};
use crate::blocks::quantile::{self, Statistic};
use crate::blocks::{sort, unique};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::expr::build::{expand_dims, normalize_axes};
use crate::expr::Node;

/// The `q` of a quantile: one value, or a list (whose result has a first axis of its
/// length, as in NumPy).
///
/// # Example
///
/// ```
/// use chunkwise::Quantiles;
/// assert_eq!(Quantiles::from(0.5).values(), &[0.5]);
/// assert!(Quantiles::from(vec![0.25, 0.75]).is_list());
/// assert!(!Quantiles::from(0.5).is_list());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Quantiles {
    q: Vec<f64>,
    list: bool,
}

impl Quantiles {
    /// The values of `q`.
    #[must_use]
    pub fn values(&self) -> &[f64] {
        &self.q
    }

    /// True when `q` was given as a sequence.
    #[must_use]
    pub fn is_list(&self) -> bool {
        self.list
    }

    /// The values divided by `by` (`percentile`'s `q / 100`).
    fn scaled(&self, by: f64) -> Quantiles {
        Quantiles {
            q: self.q.iter().map(|v| v / by).collect(),
            list: self.list,
        }
    }
}

impl From<f64> for Quantiles {
    fn from(q: f64) -> Quantiles {
        Quantiles {
            q: vec![q],
            list: false,
        }
    }
}

impl From<Vec<f64>> for Quantiles {
    fn from(q: Vec<f64>) -> Quantiles {
        Quantiles { q, list: true }
    }
}

impl From<&[f64]> for Quantiles {
    fn from(q: &[f64]) -> Quantiles {
        Quantiles::from(q.to_vec())
    }
}

impl<const N: usize> From<[f64; N]> for Quantiles {
    fn from(q: [f64; N]) -> Quantiles {
        Quantiles::from(q.to_vec())
    }
}

/// A `q` for [`LazyArray::quantile`] with the result's element type: one `q` gives the
/// input's float type (`float32` stays, everything else is `float64`), a list of `q`
/// gives `float64` (NumPy's promotion of the interpolation weights).
pub trait QuantileArg<T: Element>: Into<Quantiles> {
    /// The result's element type.
    type Output: Element;
}

impl<T: Element> QuantileArg<T> for f64 {
    type Output = T::Float;
}
impl<T: Element> QuantileArg<T> for Vec<f64> {
    type Output = f64;
}
impl<T: Element> QuantileArg<T> for &[f64] {
    type Output = f64;
}
impl<T: Element, const N: usize> QuantileArg<T> for [f64; N] {
    type Output = f64;
}

/// What the statistic functions share: NumPy's name, whether `q` is a percentage, and
/// whether NaNs are left out.
#[derive(Clone, Copy)]
struct Kind {
    op: &'static str,
    percent: bool,
    nan: bool,
}

const QUANTILE: Kind = Kind {
    op: "quantile",
    percent: false,
    nan: false,
};
const NANQUANTILE: Kind = Kind {
    op: "nanquantile",
    percent: false,
    nan: true,
};
const PERCENTILE: Kind = Kind {
    op: "percentile",
    percent: true,
    nan: false,
};
const NANPERCENTILE: Kind = Kind {
    op: "nanpercentile",
    percent: true,
    nan: true,
};

/// The one axis of a statistic (`None`: over the whole array). NumPy also takes a tuple
/// of axes (flattened together); chunkwise takes every axis or one.
fn one_axis(op: &'static str, axes: &Axes, ndim: usize) -> Result<Option<isize>> {
    let Some(list) = &axes.list else {
        return Ok(None);
    };
    let normalized = normalize_axes(op, Some(list.as_slice()), ndim)?;
    match normalized.as_slice() {
        [a] => Ok(Some(*a as isize)),
        all if all.len() == ndim => Ok(None),
        _ => Err(Error::InvalidParameter {
            op,
            param: "axis",
            value: format!("{list:?}"),
            expected: "one axis, or None for the whole array (a tuple of some of the axes \
                       is not supported; move them into one with `transpose` and compute \
                       along each, or over the whole array)"
                .into(),
        }),
    }
}

/// The statistic's node, with NumPy's `keepdims` applied.
fn statistic_node(
    op: &'static str,
    x: &Arc<Node>,
    statistic: &Statistic,
    axes: &Axes,
    nan: bool,
) -> Result<Arc<Node>> {
    let axis = one_axis(op, axes, x.ndim())?;
    let mut node = quantile::quantile(op, x, statistic, axis, nan)?;
    if axes.keepdims {
        let lead = isize::from(matches!(statistic, Statistic::Quantile { list: true, .. }));
        let kept: Vec<usize> = match axis {
            Some(a) => vec![crate::expr::build::axis_index(op, a, x.ndim())?],
            None => (0..x.ndim()).collect(),
        };
        for a in kept {
            node = expand_dims(&node, lead + a as isize)?;
        }
    }
    Ok(node)
}

fn quantile_node(kind: Kind, x: &Arc<Node>, q: &Quantiles, axes: &Axes) -> Result<Arc<Node>> {
    let scale = if kind.percent { 100.0 } else { 1.0 };
    let q = q.scaled(scale);
    quantile::check_q(kind.op, &q.q, scale)?;
    let statistic = Statistic::Quantile {
        q: q.q,
        list: q.list,
    };
    statistic_node(kind.op, x, &statistic, axes, kind.nan)
}

/// The result dtype of a quantile of `q` over `dtype`.
fn quantile_dtype(dtype: DType, q: &Quantiles) -> DType {
    if q.list {
        DType::F64
    } else {
        dtype.float_result()
    }
}

impl<T: Element> LazyArray<T> {
    /// The sorted distinct values of the flattened array (see [`DynArray::unique`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![5u16, 5, 1, 9, 1], [2]);
    /// assert_eq!(x.unique().compute()?, ndarray::array![1u16, 5, 9].into_dyn());
    /// let (values, counts) = x.unique_counts();
    /// assert_eq!(values.compute()?, ndarray::array![1u16, 5, 9].into_dyn());
    /// assert_eq!(counts.compute()?, ndarray::array![2i64, 2, 1].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn unique(&self) -> LazyArray<T> {
        LazyArray::wrap(self.to_dyn().unique().node().clone())
    }

    /// The sorted distinct values and their counts (see [`DynArray::unique_counts`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![true, false, true], [2]);
    /// let (values, counts) = x.unique_counts();
    /// assert_eq!(values.compute()?, ndarray::array![false, true].into_dyn());
    /// assert_eq!(counts.compute()?, ndarray::array![1i64, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn unique_counts(&self) -> (LazyArray<T>, LazyArray<i64>) {
        let (values, counts) = self.to_dyn().unique_counts();
        (
            LazyArray::wrap(values.node().clone()),
            LazyArray::wrap(counts.node().clone()),
        )
    }

    /// A sorted copy along `axis` (NumPy's `sort`; negative axes count from the end):
    /// NaNs last, the result in the input's chunks. An axis of many chunks is sorted
    /// by a merge network whose tasks hold two blocks, so it need not fit in memory.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3.0, f64::NAN, 1.0], [2.0, 0.5, 9.0]], [1, 2]);
    /// let s = x.sort(-1).compute_array::<ndarray::Ix2>()?;
    /// assert_eq!(s.row(1).to_vec(), vec![0.5, 2.0, 9.0]);
    /// assert!(s[[0, 2]].is_nan());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An axis out of range gives an invalid array ([`Error::AxisOutOfRange`]).
    #[track_caller]
    pub fn sort(&self, axis: impl AxisIndex) -> LazyArray<T> {
        LazyArray::build("sort", &[&self.node], || {
            sort::sort(&self.node, axis.to_isize(), false)
        })
    }

    /// The indices that sort the array along `axis` (NumPy's `argsort` with a stable
    /// sort: equal values keep their order; NaNs last), as `int64`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![3, 1, 2, 1], [3]);
    /// assert_eq!(x.argsort(0).compute()?, ndarray::array![1i64, 3, 2, 0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn argsort(&self, axis: impl AxisIndex) -> LazyArray<i64> {
        LazyArray::build("argsort", &[&self.node], || {
            sort::sort(&self.node, axis.to_isize(), true)
        })
    }

    /// The `k` largest elements along `axis`, largest first (the `-k` smallest,
    /// smallest first, for a negative `k`; Dask's `topk`), found by a reduction tree
    /// without sorting the axis. NaN counts as the largest, as in NumPy's sort; a `k`
    /// beyond the axis gives the whole axis, sorted.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![5, 1, 9, 3, 7], [2]);
    /// assert_eq!(x.topk(2, 0).compute()?, ndarray::array![9, 7].into_dyn());
    /// assert_eq!(x.topk(-2, 0).compute()?, ndarray::array![1, 3].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// `k = 0` gives an invalid array ([`Error::InvalidParameter`]).
    #[track_caller]
    pub fn topk(&self, k: i64, axis: impl AxisIndex) -> LazyArray<T> {
        LazyArray::build("topk", &[&self.node], || {
            crate::blocks::topk::topk(&self.node, k, axis.to_isize(), false)
        })
    }

    /// The indices of [`topk`](Self::topk)'s elements (Dask's `argtopk`), `int64`;
    /// equal elements in the order of their indices.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![5, 1, 9, 3, 9], [2]);
    /// assert_eq!(x.argtopk(2, 0).compute()?, ndarray::array![2i64, 4].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn argtopk(&self, k: i64, axis: impl AxisIndex) -> LazyArray<i64> {
        LazyArray::build("argtopk", &[&self.node], || {
            crate::blocks::topk::topk(&self.node, k, axis.to_isize(), true)
        })
    }

    /// The median along one axis, or over the whole array (`..`), exactly (NumPy's
    /// `median`: the mean of the two middle values of an even count; NaN where a lane
    /// holds a NaN). Integers give `float64`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[10, 7, 4], [3, 2, 1]], [1, 2]);
    /// assert_eq!(x.median(..).compute()?.first(), Some(&3.5));
    /// assert_eq!(x.median(0).compute()?, ndarray::array![6.5, 4.5, 2.5].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An array larger than memory is not gathered: its whole-array median is found by
    /// radix selection, a fixed number of passes over the data (see
    /// [`quantile`](Self::quantile)).
    #[track_caller]
    pub fn median(&self, axis: impl Into<Axes>) -> LazyArray<T::Float> {
        let axes = axis.into();
        LazyArray::build("median", &[&self.node], || {
            statistic_node("median", &self.node, &Statistic::Median, &axes, false)
        })
    }

    /// The median leaving NaNs out (NumPy's `nanmedian`); NaN for a lane of only NaNs.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::NAN, 4.0, 2.0], [2]);
    /// assert_eq!(x.nanmedian(..).compute()?.first(), Some(&2.0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn nanmedian(&self, axis: impl Into<Axes>) -> LazyArray<T::Float> {
        let axes = axis.into();
        LazyArray::build("nanmedian", &[&self.node], || {
            statistic_node("nanmedian", &self.node, &Statistic::Median, &axes, true)
        })
    }

    /// The `q`-th quantiles (`q` in `[0, 1]`, one value or a list) along one axis or
    /// over the whole array, exactly, with NumPy's default `linear` method. A list of
    /// `q` puts an axis of its length first and gives `float64`; one `q` gives the
    /// input's float type.
    ///
    /// Over the whole array, an array of more than 64 MiB is never gathered: radix
    /// selection finds the order statistics in a fixed number of passes (6 for 64-bit
    /// types, 3 for 32-bit ones), each a reduction whose tasks hold one block.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[10.0, 7.0, 4.0], [3.0, 2.0, 1.0]], [2, 2]);
    /// assert_eq!(x.quantile(0.5, ..).compute()?.first(), Some(&3.5));
    /// assert_eq!(x.quantile([0.0, 1.0], 1).compute()?, ndarray::array![[4.0, 1.0], [10.0, 3.0]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A `q` outside `[0, 1]` gives an invalid array ([`Error::InvalidParameter`]), as
    /// does an empty array or axis ([`Error::EmptyReduction`]; NumPy raises).
    #[track_caller]
    pub fn quantile<Q: QuantileArg<T>>(&self, q: Q, axis: impl Into<Axes>) -> LazyArray<Q::Output> {
        self.typed_quantile(QUANTILE, &q.into(), &axis.into())
    }

    /// The quantiles leaving NaNs out (NumPy's `nanquantile`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::NAN, 3.0], [2]);
    /// assert_eq!(x.nanquantile(0.5, ..).compute()?.first(), Some(&2.0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn nanquantile<Q: QuantileArg<T>>(
        &self,
        q: Q,
        axis: impl Into<Axes>,
    ) -> LazyArray<Q::Output> {
        self.typed_quantile(NANQUANTILE, &q.into(), &axis.into())
    }

    /// The `q`-th percentiles (`q` in `[0, 100]`; NumPy's `percentile`, which is
    /// `quantile` at `q / 100`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 11, 1, [4]);
    /// assert_eq!(x.percentile(90.0, ..).compute()?.first(), Some(&9.0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn percentile<Q: QuantileArg<T>>(
        &self,
        q: Q,
        axis: impl Into<Axes>,
    ) -> LazyArray<Q::Output> {
        self.typed_quantile(PERCENTILE, &q.into(), &axis.into())
    }

    /// The percentiles leaving NaNs out (NumPy's `nanpercentile`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![f64::NAN, 0.0, 10.0], [1]);
    /// assert_eq!(x.nanpercentile(25.0, ..).compute()?.first(), Some(&2.5));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn nanpercentile<Q: QuantileArg<T>>(
        &self,
        q: Q,
        axis: impl Into<Axes>,
    ) -> LazyArray<Q::Output> {
        self.typed_quantile(NANPERCENTILE, &q.into(), &axis.into())
    }

    #[track_caller]
    fn typed_quantile<U: Element>(&self, kind: Kind, q: &Quantiles, axes: &Axes) -> LazyArray<U> {
        debug_assert_eq!(quantile_dtype(T::DTYPE, q), U::DTYPE);
        LazyArray::build(kind.op, &[&self.node], || {
            quantile_node(kind, &self.node, q, axes)
        })
    }
}

impl DynArray {
    /// The sorted distinct values of the flattened array (NumPy's `unique`, NaNs
    /// collapsed into one at the end as NumPy's `equal_nan=True` does), 1-d. The length
    /// depends on the data: `compute` counts it in the same computation.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3, 1], [3, 2]], [1, 2]).to_dyn();
    /// assert_eq!(x.unique().compute()?.into_typed::<i32>()?, ndarray::array![1, 2, 3].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn unique(&self) -> DynArray {
        DynArray::build("unique", &[self.node()], self.dtype(), || {
            Ok(unique::unique(self.node(), false, true)?.0)
        })
    }

    /// The sorted distinct values and how often each occurs (`int64`), as NumPy's
    /// `unique(x, return_counts=True)` (and `unique_counts`) gives them.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![2.0, f64::NAN, 2.0, 0.5, f64::NAN], [2]).to_dyn();
    /// let (values, counts) = x.unique_counts();
    /// let values = values.compute()?.into_typed::<f64>()?;
    /// assert_eq!((values[0], values[1]), (0.5, 2.0));
    /// assert!(values[2].is_nan() && values.len() == 3);
    /// assert_eq!(counts.compute()?.into_typed::<i64>()?, ndarray::array![1i64, 2, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn unique_counts(&self) -> (DynArray, DynArray) {
        self.unique_with(true, true)
    }

    /// `unique` with NumPy's `return_counts` and `equal_nan`: the values, and the
    /// counts (an empty `int64` array when `counts` is false).
    #[track_caller]
    pub(crate) fn unique_with(&self, counts: bool, equal_nan: bool) -> (DynArray, DynArray) {
        let mut counts_out = None;
        let values = DynArray::build("unique", &[self.node()], self.dtype(), || {
            let (values, c) = unique::unique(self.node(), counts, equal_nan)?;
            counts_out = c;
            Ok(values)
        });
        let counts = match counts_out {
            Some(c) => DynArray::from_node(c),
            None => DynArray::build("unique", &[values.node()], DType::I64, || {
                Err(Error::internal("unique", "no counts asked for"))
            }),
        };
        (values, counts)
    }

    /// A sorted copy along `axis` (see [`LazyArray::sort`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![3u8, 1, 2], [2]).to_dyn();
    /// assert_eq!(x.sort(0).compute()?.into_typed::<u8>()?, ndarray::array![1u8, 2, 3].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn sort(&self, axis: impl AxisIndex) -> DynArray {
        DynArray::build("sort", &[self.node()], self.dtype(), || {
            sort::sort(self.node(), axis.to_isize(), false)
        })
    }

    /// The indices that sort the array along `axis`, `int64` (see
    /// [`LazyArray::argsort`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![3u8, 1, 2], [2]).to_dyn();
    /// assert_eq!(x.argsort(0).compute()?.into_typed::<i64>()?, ndarray::array![1i64, 2, 0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn argsort(&self, axis: impl AxisIndex) -> DynArray {
        DynArray::build("argsort", &[self.node()], DType::I64, || {
            sort::sort(self.node(), axis.to_isize(), true)
        })
    }

    /// The `k` largest elements along `axis` (`argtopk`: their indices); see
    /// [`LazyArray::topk`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![0.5, 2.0, 1.0], [2]).to_dyn();
    /// assert_eq!(x.topk(1, 0, false).compute()?.into_typed::<f64>()?, ndarray::array![2.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn topk(&self, k: i64, axis: impl AxisIndex, argtopk: bool) -> DynArray {
        let (op, dtype) = if argtopk {
            ("argtopk", DType::I64)
        } else {
            ("topk", self.dtype())
        };
        DynArray::build(op, &[self.node()], dtype, || {
            crate::blocks::topk::topk(self.node(), k, axis.to_isize(), argtopk)
        })
    }

    /// The median (see [`LazyArray::median`]); `nan`: NaNs left out (`nanmedian`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 4, 1, [3]).to_dyn();
    /// assert_eq!(x.median(.., false).compute()?.into_typed::<f64>()?.first(), Some(&1.5));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn median(&self, axis: impl Into<Axes>, nan: bool) -> DynArray {
        let axes = axis.into();
        let op = if nan { "nanmedian" } else { "median" };
        DynArray::build(op, &[self.node()], self.dtype().float_result(), || {
            statistic_node(op, self.node(), &Statistic::Median, &axes, nan)
        })
    }

    /// The quantiles at `q` in `[0, 1]` (`percent`: `q` in `[0, 100]`, NumPy's
    /// `percentile`; `nan`: NaNs left out); see [`LazyArray::quantile`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 5, 1, [2]).to_dyn();
    /// let q = x.quantile(vec![0.25, 0.5], .., false, false).compute()?;
    /// assert_eq!(q.into_typed::<f64>()?, ndarray::array![1.0, 2.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn quantile(
        &self,
        q: impl Into<Quantiles>,
        axis: impl Into<Axes>,
        percent: bool,
        nan: bool,
    ) -> DynArray {
        let (q, axes) = (q.into(), axis.into());
        let kind = match (percent, nan) {
            (false, false) => QUANTILE,
            (false, true) => NANQUANTILE,
            (true, false) => PERCENTILE,
            (true, true) => NANPERCENTILE,
        };
        DynArray::build(
            kind.op,
            &[self.node()],
            quantile_dtype(self.dtype(), &q),
            || quantile_node(kind, self.node(), &q, &axes),
        )
    }
}
