//! `prod` and `nanprod`: one field, the running product in the accumulator type
//! (`int64`/`uint64` for integers, wrapping), folded left to right.

use ndarray::ArrayViewD;

use super::fold::{reduce_axes, Fold};
use super::partial::{merge_field, Partial};
use super::{BlockAt, TypedReducer};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{DType, Element, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;

/// `prod`.
#[derive(Debug)]
pub(crate) struct Prod;

/// `nanprod`: NaN counts as one.
#[derive(Debug)]
pub(crate) struct NanProd;

fn product<T: Element>(x: &ArrayViewD<'_, T>, axes: &[usize], skip_nan: bool) -> Partial {
    Partial::one(T::Sum::wrap(reduce_axes(
        x,
        axes,
        &Fold::new(
            |v: T| {
                if skip_nan && v.is_nan() {
                    T::Sum::ONE
                } else {
                    v.cast::<T::Sum>()
                }
            },
            NumElement::mul_elem,
            T::Sum::ONE,
            false,
        ),
    )))
}

fn merge_products(acc: &mut Partial, other: &Partial, offset: &[usize]) -> Result<()> {
    crate::element::with_numeric_dtype!(acc.field(0)?.dtype(), N => {
        merge_field::<N>(acc, other, 0, offset, NumElement::mul_elem)
    }, else => Err(Error::internal("kernel::reduce", "a product of dtype bool")))
}

fn one(input: DType, shape: &[usize]) -> Partial {
    Partial::one(crate::kernel::pool::full(
        shape,
        Scalar::I64(1).cast(input.sum_result()),
    ))
}

macro_rules! product_reducer {
    ($ty:ident, skip_nan: $skip:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, input: DType) -> usize {
                input.sum_result().size()
            }
            fn empty(&self, _: ReduceFn, input: DType, shape: &[usize]) -> Partial {
                one(input, shape)
            }
            fn partial<T: Element>(
                &self,
                _: ReduceFn,
                x: &ArrayViewD<'_, T>,
                axes: &[usize],
                _: BlockAt<'_>,
            ) -> Result<Partial> {
                Ok(product(x, axes, $skip))
            }
            fn merge(
                &self,
                _: ReduceFn,
                acc: &mut Partial,
                other: &Partial,
                offset: &[usize],
            ) -> Result<()> {
                merge_products(acc, other, offset)
            }
            fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
                p.field(0).cloned()
            }
        }
    };
}

product_reducer!(Prod, skip_nan: false);
product_reducer!(NanProd, skip_nan: true);
