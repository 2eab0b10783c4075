//! Reductions (`sum`, `mean`, `std`, `argmin`...) over a set of [`Axes`], one method per
//! line of the vocabulary's reduction table, and NumPy's keywords as methods on the
//! result: `x.std(0).ddof(1)`, `x.sum(..).keepdims(true)`.
//!
//! Each reduction runs as a per-chunk partial followed by a tree of combines whose fan-in
//! is [`split_every`](LazyArray::split_every) (Dask's `split_every`). Sums are pairwise
//! within chunks; `var`/`std` merge `(count, mean, M2)` partials, so results match NumPy
//! to floating-point tolerance.

use std::ops::RangeFull;

use super::LazyArray;
use crate::element::Element;
use crate::expr::build::{self, ReduceKeyword, DEFAULT_SPLIT_EVERY};
use crate::ops::ReduceFn;

/// Which axes a reduction removes.
///
/// Converts from `..` (all axes), one axis (`0`, or `-1` for the last), or a list
/// (`[0, 2]`, `&[1][..]`, `vec![..]`). Negative axes count from the end, as in NumPy.
/// `keepdims` and `split_every` can also be set here (or on the result, see
/// [`LazyArray::keepdims`]).
///
/// # Example
///
/// ```
/// use chunkwise::Axes;
/// let x = chunkwise::ones::<f64>(&[4, 6, 8], [2, 3, 4]);
/// assert_eq!(x.sum(..).shape(), &[] as &[usize]);
/// assert_eq!(x.sum(1).shape(), &[4, 8]);
/// assert_eq!(x.sum(-1).shape(), &[4, 6]);
/// assert_eq!(x.sum([0, 2]).shape(), &[6]);
/// assert_eq!(x.sum(Axes::from([0, 2]).keepdims(true)).shape(), &[1, 6, 1]);
/// assert_eq!(x.sum(Axes::all().split_every(2)).compute_scalar()?, 192.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axes {
    pub(super) list: Option<Vec<isize>>,
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
            list: Some(axes.into().into_iter().map(|a| a as isize).collect()),
            ..Axes::all()
        }
    }

    /// The given axes, negative ones counting from the end.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[2, 3, 4], [1, 1, 1]);
    /// assert_eq!(x.sum(chunkwise::Axes::signed([-1, 0])).shape(), &[3]);
    /// ```
    #[must_use]
    pub fn signed(axes: impl Into<Vec<isize>>) -> Axes {
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

macro_rules! axes_from_integers {
    ($($t:ty),*) => {$(
        impl From<$t> for Axes {
            fn from(axis: $t) -> Axes {
                Axes::signed(vec![axis as isize])
            }
        }
        impl<const N: usize> From<[$t; N]> for Axes {
            fn from(axes: [$t; N]) -> Axes {
                Axes::signed(axes.iter().map(|&a| a as isize).collect::<Vec<_>>())
            }
        }
        impl<const N: usize> From<&[$t; N]> for Axes {
            fn from(axes: &[$t; N]) -> Axes {
                Axes::signed(axes.iter().map(|&a| a as isize).collect::<Vec<_>>())
            }
        }
        impl From<&[$t]> for Axes {
            fn from(axes: &[$t]) -> Axes {
                Axes::signed(axes.iter().map(|&a| a as isize).collect::<Vec<_>>())
            }
        }
        impl From<&Vec<$t>> for Axes {
            fn from(axes: &Vec<$t>) -> Axes {
                Axes::from(axes.as_slice())
            }
        }
        impl From<Vec<$t>> for Axes {
            fn from(axes: Vec<$t>) -> Axes {
                Axes::signed(axes.into_iter().map(|a| a as isize).collect::<Vec<_>>())
            }
        }
        impl From<Option<&[$t]>> for Axes {
            /// `None` means every axis, as in NumPy's `axis=None`.
            fn from(axes: Option<&[$t]>) -> Axes {
                axes.map_or_else(Axes::all, Axes::from)
            }
        }
    )*};
}
axes_from_integers!(usize, isize, i32, i64);

impl<T: Element> LazyArray<T> {
    #[track_caller]
    fn reduce<U: Element>(&self, kind: ReduceFn, axes: impl Into<Axes>) -> LazyArray<U> {
        let axes = axes.into();
        LazyArray::build(kind.name(), &[&self.node], || {
            build::reduce(
                kind,
                &self.node,
                axes.list.as_deref(),
                axes.keepdims,
                axes.split_every,
            )
        })
    }

    /// NumPy's `ddof` keyword of `var` and `std` (and their `nan` variants): the result
    /// divides by `n - ddof` (default 0; 1 gives the unbiased sample variance).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 4.0, 1.0, [3]);
    /// assert_eq!(x.var(..).compute_scalar()?, 1.25);
    /// assert!((x.var(..).ddof(1).compute_scalar()? - 5.0 / 3.0).abs() < 1e-15);
    /// assert!(x.sum(..).ddof(1).compute().is_err());        // sum has no ddof
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn ddof(&self, ddof: usize) -> LazyArray<T> {
        LazyArray::build("ddof", &[&self.node], || {
            build::with_keyword(&self.node, ReduceKeyword::Ddof(ddof))
        })
    }

    /// NumPy's `keepdims` keyword: keep the reduced axes, with length 1, so the result
    /// broadcasts against the input.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[3, 4], [2, 2]);
    /// let m = x.mean(1).keepdims(true);
    /// assert_eq!(m.shape(), &[3, 1]);
    /// assert_eq!((&x - &m).sum(..).compute_scalar()?, 0.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn keepdims(&self, keep: bool) -> LazyArray<T> {
        LazyArray::build("keepdims", &[&self.node], || {
            build::with_keyword(&self.node, ReduceKeyword::Keepdims(keep))
        })
    }

    /// Dask's `split_every` keyword: at most `n` partial results per combine task of the
    /// reduction's tree (at least 2; default 16).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[64], [1]);
    /// assert_eq!(x.sum(..).split_every(4).compute_scalar()?, 64.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn split_every(&self, n: usize) -> LazyArray<T> {
        LazyArray::build("split_every", &[&self.node], || {
            build::with_keyword(&self.node, ReduceKeyword::SplitEvery(n))
        })
    }
}

/// The result element type of a reduction, from its rule.
macro_rules! reduce_output {
    (SumOf, $T:ident) => { LazyArray<$T::Sum> };
    (FloatOf, $T:ident) => { LazyArray<$T::Float> };
    (Same, $T:ident) => { LazyArray<$T> };
    (Index, $T:ident) => { LazyArray<i64> };
    (Bool, $T:ident) => { LazyArray<bool> };
}

macro_rules! typed_reduce_methods {
    ($(
        $V:ident $({ $($field:ident),* })? $name:literal $method:ident $result:ident $axes:ident
            $empty:ident $domain:ident [$($alias:literal),*] $module:ident :: $kernel:ident,
            $doc:literal;
    )*) => {
        impl<T: Element> LazyArray<T> {
            $(
                #[doc = $doc]
                ///
                #[doc = concat!("NumPy's `", $name, "` over `axes` (`..` for all, `0`, `-1`, `[0, 2]`...; see [`Axes`]).")]
                #[doc = concat!("Set NumPy's keywords on the result: `x.", stringify!($method), "(0).keepdims(true)`", $(" and `.", $(stringify!($field),)* "(1)`",)? ".")]
                ///
                /// # Example
                ///
                /// ```
                /// let x = chunkwise::from_ndarray(ndarray::array![[3.0, 1.0, 2.0], [0.5, 5.0, 4.0]], [1, 2]);
                #[doc = concat!("let all = x.", stringify!($method), "(..).compute()?;")]
                #[doc = concat!("let rows = x.", stringify!($method), "(1).compute()?;")]
                #[doc = concat!("let kept = x.", stringify!($method), "(-1).keepdims(true);")]
                /// assert_eq!((all.ndim(), rows.shape(), kept.shape()), (0, &[2][..], &[2, 1][..]));
                /// # Ok::<(), chunkwise::Error>(())
                /// ```
                #[track_caller]
                pub fn $method(&self, axes: impl Into<Axes>) -> reduce_output!($result, T) {
                    self.reduce(ReduceFn::$V $({ $($field: 0),* })?, axes)
                }
            )*
        }
    };
}

crate::ops::for_each_reduce_fn!(typed_reduce_methods);
