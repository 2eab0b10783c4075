//! `sum` and `nansum`: one field, the running sum in the accumulator type
//! (`int64`/`uint64` for integers and `bool`, the float itself for floats), pairwise.

use ndarray::ArrayViewD;

use super::fold::{reduce_axes, Fold};
use super::partial::{merge_field, Partial};
use super::scalar::ScalarFoldKind;
use super::{BlockAt, TypedReducer};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{DType, Element, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;

/// `sum`.
#[derive(Debug)]
pub(crate) struct Sum;

/// `nansum`: NaN counts as zero.
#[derive(Debug)]
pub(crate) struct NanSum;

/// The pairwise sum of `x` over `axes`, NaN counted as zero when `skip_nan`.
fn sum_over<T: Element>(x: &ArrayViewD<'_, T>, axes: &[usize], skip_nan: bool) -> Partial {
    Partial::one(T::Sum::wrap(reduce_axes(
        x,
        axes,
        &Fold::new(
            |v: T| {
                if skip_nan && v.is_nan() {
                    T::Sum::ZERO
                } else {
                    v.cast::<T::Sum>()
                }
            },
            NumElement::add_elem,
            T::Sum::ZERO,
            true,
        ),
    )))
}

/// Adds `other`'s running sum into `acc`'s (wrapping for integers).
pub(super) fn merge_sums(acc: &mut Partial, other: &Partial, offset: &[usize]) -> Result<()> {
    crate::element::with_numeric_dtype!(acc.field(0)?.dtype(), N => {
        merge_field::<N>(acc, other, 0, offset, NumElement::add_elem)
    }, else => Err(Error::internal("kernel::reduce", "a sum of dtype bool")))
}

/// The partial of no elements: a zero of the accumulator type.
fn zero(input: DType, shape: &[usize]) -> Partial {
    Partial::one(crate::kernel::pool::full(
        shape,
        Scalar::I64(0).cast(input.sum_result()),
    ))
}

macro_rules! sum_reducer {
    ($ty:ident, skip_nan: $skip:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, input: DType) -> usize {
                input.sum_result().size()
            }
            fn empty(&self, _: ReduceFn, input: DType, shape: &[usize]) -> Partial {
                zero(input, shape)
            }
            fn partial<T: Element>(
                &self,
                _: ReduceFn,
                x: &ArrayViewD<'_, T>,
                axes: &[usize],
                _: BlockAt<'_>,
            ) -> Result<Partial> {
                Ok(sum_over(x, axes, $skip))
            }
            fn merge(
                &self,
                _: ReduceFn,
                acc: &mut Partial,
                other: &Partial,
                offset: &[usize],
            ) -> Result<()> {
                merge_sums(acc, other, offset)
            }
            fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
                p.field(0).cloned()
            }
            fn scalar_fold(&self, _: ReduceFn) -> Option<ScalarFoldKind> {
                Some(ScalarFoldKind::Sum { skip_nan: $skip })
            }
        }
    };
}

sum_reducer!(Sum, skip_nan: false);
sum_reducer!(NanSum, skip_nan: true);
