//! Reductions (`sum`, `mean`, `std`, `argmin`...) over a set of [`Axes`].
//!
//! Each reduction runs as a per-chunk partial followed by a tree of combines whose fan-in
//! is [`Axes::split_every`] (Dask's `split_every`). Sums are pairwise within chunks;
//! `var`/`std` merge `(count, mean, M2)` partials, so results match NumPy to
//! floating-point tolerance.

use std::ops::RangeFull;

use super::LazyArray;
use crate::element::{Element, NumElement};
use crate::error::Result;
use crate::expr::build::{self, DEFAULT_SPLIT_EVERY};
use crate::expr::ReduceKind;

/// Which axes a reduction removes, and how.
///
/// Converts from `..` (all axes), one axis (`0`), or a list (`[0, 2]`, `&[1][..]`,
/// `vec![..]`). `keepdims` keeps the reduced axes with length 1; `split_every` sets the
/// fan-in of the combine tree (default 16).
///
/// # Example
///
/// ```
/// use chunkwise::Axes;
/// let x = chunkwise::ones::<f64>(&[4, 6, 8], [2, 3, 4])?;
/// assert_eq!(x.sum(..)?.shape(), &[] as &[usize]);
/// assert_eq!(x.sum(1)?.shape(), &[4, 8]);
/// assert_eq!(x.sum([0, 2])?.shape(), &[6]);
/// assert_eq!(x.sum(Axes::from([0, 2]).keepdims(true))?.shape(), &[1, 6, 1]);
/// assert_eq!(x.sum(Axes::all().split_every(2))?.compute_scalar()?, 192.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axes {
    pub(super) list: Option<Vec<usize>>,
    pub(super) keepdims: bool,
    pub(super) split_every: usize,
}

impl Axes {
    /// Every axis.
    #[must_use]
    pub fn all() -> Axes {
        Axes {
            list: None,
            keepdims: false,
            split_every: DEFAULT_SPLIT_EVERY,
        }
    }

    /// The given axes.
    #[must_use]
    pub fn new(axes: impl Into<Vec<usize>>) -> Axes {
        Axes {
            list: Some(axes.into()),
            ..Axes::all()
        }
    }

    /// Keeps the reduced axes, with length 1.
    #[must_use]
    pub fn keepdims(mut self, keep: bool) -> Axes {
        self.keepdims = keep;
        self
    }

    /// Merges at most `n` partial results per combine task (at least 2).
    #[must_use]
    pub fn split_every(mut self, n: usize) -> Axes {
        self.split_every = n;
        self
    }
}

impl From<RangeFull> for Axes {
    fn from(_: RangeFull) -> Axes {
        Axes::all()
    }
}
impl From<usize> for Axes {
    fn from(axis: usize) -> Axes {
        Axes::new(vec![axis])
    }
}
impl<const N: usize> From<[usize; N]> for Axes {
    fn from(axes: [usize; N]) -> Axes {
        Axes::new(axes.to_vec())
    }
}
impl<const N: usize> From<&[usize; N]> for Axes {
    fn from(axes: &[usize; N]) -> Axes {
        Axes::new(axes.to_vec())
    }
}
impl From<&[usize]> for Axes {
    fn from(axes: &[usize]) -> Axes {
        Axes::new(axes.to_vec())
    }
}
impl From<Vec<usize>> for Axes {
    fn from(axes: Vec<usize>) -> Axes {
        Axes::new(axes)
    }
}
impl From<Option<&[usize]>> for Axes {
    /// `None` means every axis, as in NumPy's `axis=None`.
    fn from(axes: Option<&[usize]>) -> Axes {
        axes.map_or_else(Axes::all, Axes::from)
    }
}

impl<T: Element> LazyArray<T> {
    fn reduce<U: Element>(&self, kind: ReduceKind, axes: impl Into<Axes>) -> Result<LazyArray<U>> {
        let axes = axes.into();
        Ok(LazyArray::wrap(build::reduce(
            kind,
            &self.node,
            axes.list.as_deref(),
            axes.keepdims,
            axes.split_every,
        )?))
    }

    /// Sum over `axes`; integers accumulate in `i64`/`u64` (wrapping), `bool` counts.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 6, 1, [4])?;
    /// let s: i64 = x.sum(..)?.compute_scalar()?;
    /// assert_eq!(s, 15);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::AxisOutOfRange`], [`crate::Error::DuplicateAxis`] for bad axes.
    pub fn sum(&self, axes: impl Into<Axes>) -> Result<LazyArray<T::Sum>> {
        self.reduce(ReduceKind::Sum, axes)
    }

    /// Minimum over `axes`; NaN if any element is NaN.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3, 1], [2, 5]], [1, 1])?;
    /// assert_eq!(x.min(0)?.compute()?, ndarray::arr1(&[2, 1]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::EmptyReduction`] over zero elements; bad axes as [`sum`](Self::sum).
    pub fn min(&self, axes: impl Into<Axes>) -> Result<LazyArray<T>> {
        self.reduce(ReduceKind::Min, axes)
    }

    /// Maximum over `axes`; NaN if any element is NaN.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3, 1], [2, 5]], [1, 1])?;
    /// assert_eq!(x.max(1)?.compute()?, ndarray::arr1(&[3, 5]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`min`](Self::min).
    pub fn max(&self, axes: impl Into<Axes>) -> Result<LazyArray<T>> {
        self.reduce(ReduceKind::Max, axes)
    }

    /// Index of the minimum along one axis, or in the flattened array with `..`; the
    /// first occurrence wins, and a NaN counts as the minimum.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3, 1], [0, 5]], [1, 1])?;
    /// assert_eq!(x.argmin(..)?.compute_scalar()?, 2);
    /// assert_eq!(x.argmin(1)?.compute()?, ndarray::arr1(&[1, 0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidParameter`] for more than one (but not all) axes; as
    /// [`min`](Self::min) otherwise.
    pub fn argmin(&self, axes: impl Into<Axes>) -> Result<LazyArray<i64>> {
        self.reduce(ReduceKind::ArgMin, axes)
    }

    /// Index of the maximum along one axis, or in the flattened array with `..`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3, 1], [0, 5]], [1, 1])?;
    /// assert_eq!(x.argmax(..)?.compute_scalar()?, 3);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`argmin`](Self::argmin).
    pub fn argmax(&self, axes: impl Into<Axes>) -> Result<LazyArray<i64>> {
        self.reduce(ReduceKind::ArgMax, axes)
    }

    /// True where any element over `axes` is non-zero.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?;
    /// assert!(x.any(..)?.compute_scalar()?);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn any(&self, axes: impl Into<Axes>) -> Result<LazyArray<bool>> {
        self.reduce(ReduceKind::Any, axes)
    }

    /// True where every element over `axes` is non-zero.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?;
    /// assert!(!x.all(..)?.compute_scalar()?);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn all(&self, axes: impl Into<Axes>) -> Result<LazyArray<bool>> {
        self.reduce(ReduceKind::All, axes)
    }
}

impl<T: NumElement> LazyArray<T> {
    /// Product over `axes` (integers in `i64`/`u64`, wrapping).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(1i32, 6, 1, [2])?;
    /// assert_eq!(x.prod(..)?.compute_scalar()?, 120);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn prod(&self, axes: impl Into<Axes>) -> Result<LazyArray<T::Sum>> {
        self.reduce(ReduceKind::Prod, axes)
    }

    /// Arithmetic mean over `axes` (NaN over zero elements).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?;
    /// assert_eq!(x.mean(..)?.compute_scalar()?, 1.5);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn mean(&self, axes: impl Into<Axes>) -> Result<LazyArray<T::Float>> {
        self.reduce(ReduceKind::Mean, axes)
    }

    /// Variance over `axes`, dividing by `n - ddof` (NumPy's `var(ddof=...)`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 4.0, 1.0, [3])?;
    /// assert_eq!(x.var(.., 0)?.compute_scalar()?, 1.25);
    /// assert!((x.var(.., 1)?.compute_scalar()? - 5.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn var(&self, axes: impl Into<Axes>, ddof: usize) -> Result<LazyArray<T::Float>> {
        self.reduce(ReduceKind::Var { ddof }, axes)
    }

    /// Standard deviation over `axes`, dividing by `n - ddof`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0f64, 3.0], [1])?;
    /// assert_eq!(x.std(.., 0)?.compute_scalar()?, 1.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn std(&self, axes: impl Into<Axes>, ddof: usize) -> Result<LazyArray<T::Float>> {
        self.reduce(ReduceKind::Std { ddof }, axes)
    }

    /// Sum over `axes`, treating NaN as 0.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::NAN, 2.0], [2])?;
    /// assert_eq!(x.nansum(..)?.compute_scalar()?, 3.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn nansum(&self, axes: impl Into<Axes>) -> Result<LazyArray<T::Sum>> {
        self.reduce(ReduceKind::NanSum, axes)
    }

    /// Mean over `axes` of the elements that are not NaN.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::NAN, 2.0], [2])?;
    /// assert_eq!(x.nanmean(..)?.compute_scalar()?, 1.5);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Bad axes, as [`sum`](Self::sum).
    pub fn nanmean(&self, axes: impl Into<Axes>) -> Result<LazyArray<T::Float>> {
        self.reduce(ReduceKind::NanMean, axes)
    }

    /// Minimum over `axes`, ignoring NaN (NaN only where every element is NaN).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![f64::NAN, 2.0, 1.0], [2])?;
    /// assert_eq!(x.nanmin(..)?.compute_scalar()?, 1.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`min`](Self::min).
    pub fn nanmin(&self, axes: impl Into<Axes>) -> Result<LazyArray<T>> {
        self.reduce(ReduceKind::NanMin, axes)
    }

    /// Maximum over `axes`, ignoring NaN.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![f64::NAN, 2.0, 1.0], [2])?;
    /// assert_eq!(x.nanmax(..)?.compute_scalar()?, 2.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`min`](Self::min).
    pub fn nanmax(&self, axes: impl Into<Axes>) -> Result<LazyArray<T>> {
        self.reduce(ReduceKind::NanMax, axes)
    }
}
