//! `mean` and `nanmean`: two `f64` fields, the sum and the count of the elements (the
//! count leaves NaN out for `nanmean`); the result is their quotient (NaN over none).

use ndarray::{ArrayD, ArrayViewD, IxDyn, Zip};

use super::fold::{reduce_axes, Fold};
use super::partial::{merge_field, Partial};
use super::scalar::ScalarFoldKind;
use super::{BlockAt, TypedReducer};
use crate::any_array::AnyArray;
use crate::element::{DType, Element};
use crate::error::Result;
use crate::ops::ReduceFn;

/// `mean`.
#[derive(Debug)]
pub(crate) struct Mean;

/// `nanmean`.
#[derive(Debug)]
pub(crate) struct NanMean;

/// The sum (pairwise) and count of `x` over `axes`, NaN left out when `skip_nan`.
pub(super) fn sum_count<T: Element>(
    x: &ArrayViewD<'_, T>,
    axes: &[usize],
    skip_nan: bool,
) -> (ArrayD<f64>, ArrayD<f64>) {
    let sum = reduce_axes(
        x,
        axes,
        &Fold::new(
            |v: T| {
                if skip_nan && v.is_nan() {
                    0.0
                } else {
                    v.cast::<f64>()
                }
            },
            |a, b| a + b,
            0.0,
            true,
        ),
    );
    let count = if skip_nan {
        reduce_axes(
            x,
            axes,
            &Fold::new(
                |v: T| if v.is_nan() { 0.0 } else { 1.0 },
                |a, b| a + b,
                0.0,
                true,
            ),
        )
    } else {
        let n: usize = axes.iter().map(|&a| x.shape()[a]).product();
        ArrayD::from_elem(sum.raw_dim(), n as f64)
    };
    (sum, count)
}

fn zeros(shape: &[usize]) -> Partial {
    let z = || AnyArray::F64(ArrayD::zeros(IxDyn(shape)));
    Partial::new([z(), z()])
}

fn merge(acc: &mut Partial, other: &Partial, offset: &[usize]) -> Result<()> {
    merge_field::<f64>(acc, other, 0, offset, |a, b| a + b)?;
    merge_field::<f64>(acc, other, 1, offset, |a, b| a + b)
}

fn quotient(mut p: Partial, out: DType) -> Result<AnyArray> {
    let [AnyArray::F64(sum), AnyArray::F64(count)] = p.fields_mut() else {
        return Err(crate::error::Error::internal(
            "kernel::reduce",
            "a mean partial is not two float64 fields",
        ));
    };
    Zip::from(&mut *sum).and(&*count).for_each(|s, &c| *s /= c);
    Ok(AnyArray::F64(std::mem::take(sum)).cast_into(out))
}

macro_rules! mean_reducer {
    ($ty:ident, skip_nan: $skip:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, _: DType) -> usize {
                16
            }
            fn empty(&self, _: ReduceFn, _: DType, shape: &[usize]) -> Partial {
                zeros(shape)
            }
            fn partial<T: Element>(
                &self,
                _: ReduceFn,
                x: &ArrayViewD<'_, T>,
                axes: &[usize],
                _: BlockAt<'_>,
            ) -> Result<Partial> {
                let (sum, count) = sum_count(x, axes, $skip);
                Ok(Partial::new([AnyArray::F64(sum), AnyArray::F64(count)]))
            }
            fn merge(
                &self,
                _: ReduceFn,
                acc: &mut Partial,
                other: &Partial,
                offset: &[usize],
            ) -> Result<()> {
                merge(acc, other, offset)
            }
            fn finalize(&self, _: ReduceFn, p: Partial, out: DType) -> Result<AnyArray> {
                quotient(p, out)
            }
            fn scalar_fold(&self, _: ReduceFn) -> Option<ScalarFoldKind> {
                Some(ScalarFoldKind::Mean { skip_nan: $skip })
            }
        }
    };
}

mean_reducer!(Mean, skip_nan: false);
mean_reducer!(NanMean, skip_nan: true);
