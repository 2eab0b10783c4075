//! [`ScalarFold`]: a reduction over every axis of a block folded tile by tile into a few
//! scalars (the fast path of fused reductions: no partial array per tile).
//!
//! A reduction offers it by naming its [`ScalarFoldKind`]; the fold's result has the
//! same fields as the reduction's own partial, so the two merge alike.

use ndarray::{ArrayD, IxDyn};

use super::fold::{max_nan, min_nan, nanmax, nanmin, Fold};
use super::partial::Partial;
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{Element, NumElement};

/// Which scalar fold a reduction has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScalarFoldKind {
    /// A sum in the reduction's accumulator type: partial `[sum]`.
    Sum { skip_nan: bool },
    /// A sum and a count: partial `[sum, count]` (`f64`).
    Mean { skip_nan: bool },
    /// Count, mean and squared deviations, merged with Chan's update: partial
    /// `[count, mean, m2]` (`f64`).
    Moments { skip_nan: bool },
    /// The best element so far: partial `[best]` in the input dtype.
    Best(Extremum),
}

/// Which element is best for [`ScalarFoldKind::Best`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Extremum {
    /// The minimum; NaN wins.
    Min,
    /// The maximum; NaN wins.
    Max,
    /// The minimum, ignoring NaN.
    NanMin,
    /// The maximum, ignoring NaN.
    NanMax,
}

impl Extremum {
    /// The pairwise choice.
    pub(crate) fn pick<T: Element>(self) -> fn(T, T) -> T {
        match self {
            Extremum::Min => min_nan::<T>,
            Extremum::Max => max_nan::<T>,
            Extremum::NanMin => nanmin::<T>,
            Extremum::NanMax => nanmax::<T>,
        }
    }
}

/// The running state of a scalar fold.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ScalarFold<T: Element> {
    Sum(T::Sum),
    Mean(f64, f64),
    Moments(f64, f64, f64),
    Best(Option<T>),
}

impl<T: Element> ScalarFold<T> {
    /// The empty fold of `kind`.
    pub(crate) fn new(kind: ScalarFoldKind) -> Self {
        match kind {
            ScalarFoldKind::Sum { .. } => ScalarFold::Sum(T::Sum::ZERO),
            ScalarFoldKind::Mean { .. } => ScalarFold::Mean(0.0, 0.0),
            ScalarFoldKind::Moments { .. } => ScalarFold::Moments(0.0, 0.0, 0.0),
            ScalarFoldKind::Best(_) => ScalarFold::Best(None),
        }
    }

    /// Folds the next elements in.
    pub(crate) fn add(&mut self, kind: ScalarFoldKind, data: &[T]) {
        let skip = match kind {
            ScalarFoldKind::Sum { skip_nan }
            | ScalarFoldKind::Mean { skip_nan }
            | ScalarFoldKind::Moments { skip_nan } => skip_nan,
            ScalarFoldKind::Best(_) => false,
        };
        let sum_f64 = |xs: &[T]| {
            Fold::new(
                |v: T| {
                    if skip && v.is_nan() {
                        0.0
                    } else {
                        v.cast::<f64>()
                    }
                },
                |a, b| a + b,
                0.0,
                true,
            )
            .slice(xs)
        };
        let count = |xs: &[T]| {
            if skip {
                Fold::new(
                    |v: T| if v.is_nan() { 0.0 } else { 1.0 },
                    |a, b| a + b,
                    0.0,
                    true,
                )
                .slice(xs)
            } else {
                xs.len() as f64
            }
        };
        match self {
            ScalarFold::Sum(acc) => {
                let tile = Fold::new(
                    |v: T| {
                        if skip && v.is_nan() {
                            T::Sum::ZERO
                        } else {
                            v.cast::<T::Sum>()
                        }
                    },
                    NumElement::add_elem,
                    T::Sum::ZERO,
                    true,
                )
                .slice(data);
                *acc = acc.add_elem(tile);
            }
            ScalarFold::Mean(sum, n) => {
                *sum += sum_f64(data);
                *n += count(data);
            }
            ScalarFold::Moments(na, ma, m2a) => {
                let nb = count(data);
                if nb == 0.0 {
                    return;
                }
                let mb = sum_f64(data) / nb;
                let m2b = Fold::new(
                    |v: T| {
                        if skip && v.is_nan() {
                            return 0.0;
                        }
                        let d = v.cast::<f64>() - mb;
                        d * d
                    },
                    |a, b| a + b,
                    0.0,
                    true,
                )
                .slice(data);
                let n = *na + nb;
                let delta = mb - *ma;
                *ma += delta * nb / n;
                *m2a += m2b + delta * delta * *na * nb / n;
                *na = n;
            }
            ScalarFold::Best(best) => {
                let ScalarFoldKind::Best(e) = kind else {
                    return;
                };
                let f = e.pick::<T>();
                for &v in data {
                    *best = Some(best.map_or(v, |b| f(b, v)));
                }
            }
        }
    }

    /// The partial (every axis of length 1), or `None` for a [`ScalarFold::Best`] that
    /// saw no element (the reduction's empty partial stands for it).
    pub(crate) fn finish(self, ndim: usize) -> Option<Partial> {
        let ones = IxDyn(&vec![1; ndim]);
        let one = |v: f64| AnyArray::F64(ArrayD::from_elem(ones.clone(), v));
        Some(match self {
            ScalarFold::Sum(v) => Partial::one(T::Sum::wrap(ArrayD::from_elem(ones.clone(), v))),
            ScalarFold::Mean(sum, count) => Partial::new([one(sum), one(count)]),
            ScalarFold::Moments(n, mean, m2) => Partial::new([one(n), one(mean), one(m2)]),
            ScalarFold::Best(Some(v)) => Partial::one(T::wrap(ArrayD::from_elem(ones.clone(), v))),
            ScalarFold::Best(None) => return None,
        })
    }
}
