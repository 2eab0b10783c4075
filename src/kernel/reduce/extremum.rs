//! `min`, `max`, `nanmin` and `nanmax`: one field, the best element so far, in the
//! input's dtype. `min`/`max` propagate NaN; the `nan` variants ignore it (NaN only
//! where every element is NaN). `ptp` keeps two fields, the minimum and the maximum,
//! and gives their difference.

use ndarray::ArrayViewD;

use super::fold::{reduce_axes, Fold};
use super::partial::{merge_field, Partial};
use super::scalar::{Extremum, ScalarFoldKind};
use super::{BlockAt, TypedReducer};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{DType, Element, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;

/// `min`.
#[derive(Debug)]
pub(crate) struct Min;

/// `max`.
#[derive(Debug)]
pub(crate) struct Max;

/// `nanmin`.
#[derive(Debug)]
pub(crate) struct NanMin;

/// `nanmax`.
#[derive(Debug)]
pub(crate) struct NanMax;

/// The best element of `x` over `axes` by `e`.
pub(super) fn best<T: Element>(x: &ArrayViewD<'_, T>, axes: &[usize], e: Extremum) -> AnyArray {
    T::wrap(reduce_axes(
        x,
        axes,
        &Fold::new(|v: T| v, e.pick::<T>(), T::default(), false),
    ))
}

/// The value every element replaces: `inf` (the highest value) for a minimum, `-inf`
/// for a maximum, and NaN for the `nan` variants of floats (any element replaces it).
pub(super) fn start(e: Extremum, input: DType, shape: &[usize]) -> AnyArray {
    crate::element::with_dtype!(input, T => {
        let v = match e {
            Extremum::NanMin | Extremum::NanMax if input.is_float() => {
                Scalar::F64(f64::NAN).cast(input)
            }
            Extremum::Min | Extremum::NanMin => T::HIGHEST.to_scalar(),
            Extremum::Max | Extremum::NanMax => T::LOWEST.to_scalar(),
        };
        crate::kernel::pool::full(shape, v)
    })
}

/// Merges field `i` of `other` into `acc` by `e`.
pub(super) fn merge_best(
    e: Extremum,
    i: usize,
    acc: &mut Partial,
    other: &Partial,
    offset: &[usize],
) -> Result<()> {
    crate::element::with_dtype!(acc.field(i)?.dtype(), T => {
        merge_field::<T>(acc, other, i, offset, e.pick::<T>())
    })
}

macro_rules! extremum_reducer {
    ($ty:ident, $e:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, input: DType) -> usize {
                input.size()
            }
            fn empty(&self, _: ReduceFn, input: DType, shape: &[usize]) -> Partial {
                Partial::one(start($e, input, shape))
            }
            fn partial<T: Element>(
                &self,
                _: ReduceFn,
                x: &ArrayViewD<'_, T>,
                axes: &[usize],
                _: BlockAt<'_>,
            ) -> Result<Partial> {
                Ok(Partial::one(best(x, axes, $e)))
            }
            fn merge(
                &self,
                _: ReduceFn,
                acc: &mut Partial,
                other: &Partial,
                offset: &[usize],
            ) -> Result<()> {
                merge_best($e, 0, acc, other, offset)
            }
            fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
                p.field(0).cloned()
            }
            fn scalar_fold(&self, _: ReduceFn) -> Option<ScalarFoldKind> {
                Some(ScalarFoldKind::Best($e))
            }
        }
    };
}

extremum_reducer!(Min, Extremum::Min);
extremum_reducer!(Max, Extremum::Max);
extremum_reducer!(NanMin, Extremum::NanMin);
extremum_reducer!(NanMax, Extremum::NanMax);

/// `ptp`, "peak to peak": `max - min`.
#[derive(Debug)]
pub(crate) struct Ptp;

impl TypedReducer for Ptp {
    fn partial_item_bytes(&self, _: ReduceFn, input: DType) -> usize {
        2 * input.size()
    }
    fn empty(&self, _: ReduceFn, input: DType, shape: &[usize]) -> Partial {
        Partial::new([
            start(Extremum::Min, input, shape),
            start(Extremum::Max, input, shape),
        ])
    }
    fn partial<T: Element>(
        &self,
        _: ReduceFn,
        x: &ArrayViewD<'_, T>,
        axes: &[usize],
        _: BlockAt<'_>,
    ) -> Result<Partial> {
        Ok(Partial::new([
            best(x, axes, Extremum::Min),
            best(x, axes, Extremum::Max),
        ]))
    }
    fn merge(
        &self,
        _: ReduceFn,
        acc: &mut Partial,
        other: &Partial,
        offset: &[usize],
    ) -> Result<()> {
        merge_best(Extremum::Min, 0, acc, other, offset)?;
        merge_best(Extremum::Max, 1, acc, other, offset)
    }
    fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
        crate::element::with_numeric_dtype!(p.field(0)?.dtype(), T => {
            let (lo, hi) = (p.typed::<T>(0)?, p.typed::<T>(1)?);
            Ok(T::wrap(ndarray::Zip::from(hi).and(lo).map_collect(|&h, &l| h.sub_elem(l))))
        }, else => Err(Error::internal("kernel::reduce", "ptp of dtype bool")))
    }
}
