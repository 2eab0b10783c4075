//! `any` and `all`: one `bool` field, whether any (every) element so far is non-zero;
//! `count_nonzero`: one `int64` field, how many are.

use ndarray::ArrayViewD;

use super::fold::{reduce_axes, Fold};
use super::partial::{merge_field, Partial};
use super::{BlockAt, TypedReducer};
use crate::any_array::AnyArray;
use crate::element::{DType, Element, Scalar};
use crate::error::Result;
use crate::ops::ReduceFn;

/// `any`.
#[derive(Debug)]
pub(crate) struct Any;

/// `all`.
#[derive(Debug)]
pub(crate) struct All;

macro_rules! logic_reducer {
    ($ty:ident, identity: $id:expr, $op:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, _: DType) -> usize {
                1
            }
            fn empty(&self, _: ReduceFn, _: DType, shape: &[usize]) -> Partial {
                Partial::one(crate::kernel::pool::full(shape, Scalar::Bool($id)))
            }
            fn partial<T: Element>(
                &self,
                _: ReduceFn,
                x: &ArrayViewD<'_, T>,
                axes: &[usize],
                _: BlockAt<'_>,
            ) -> Result<Partial> {
                Ok(Partial::one(AnyArray::Bool(reduce_axes(
                    x,
                    axes,
                    &Fold::new(|v: T| v.cast::<bool>(), $op, $id, false),
                ))))
            }
            fn merge(
                &self,
                _: ReduceFn,
                acc: &mut Partial,
                other: &Partial,
                offset: &[usize],
            ) -> Result<()> {
                merge_field::<bool>(acc, other, 0, offset, $op)
            }
            fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
                p.field(0).cloned()
            }
        }
    };
}

logic_reducer!(Any, identity: false, |a: bool, b: bool| a || b);
logic_reducer!(All, identity: true, |a: bool, b: bool| a && b);

/// `count_nonzero`.
#[derive(Debug)]
pub(crate) struct CountNonzero;

impl TypedReducer for CountNonzero {
    fn partial_item_bytes(&self, _: ReduceFn, _: DType) -> usize {
        8
    }
    fn empty(&self, _: ReduceFn, _: DType, shape: &[usize]) -> Partial {
        Partial::one(crate::kernel::pool::full(shape, Scalar::I64(0)))
    }
    fn partial<T: Element>(
        &self,
        _: ReduceFn,
        x: &ArrayViewD<'_, T>,
        axes: &[usize],
        _: BlockAt<'_>,
    ) -> Result<Partial> {
        let zero = T::default();
        Ok(Partial::one(AnyArray::I64(reduce_axes(
            x,
            axes,
            &Fold::new(
                move |v: T| i64::from(v != zero),
                |a: i64, b: i64| a + b,
                0,
                false,
            ),
        ))))
    }
    fn merge(
        &self,
        _: ReduceFn,
        acc: &mut Partial,
        other: &Partial,
        offset: &[usize],
    ) -> Result<()> {
        merge_field::<i64>(acc, other, 0, offset, |a, b| a + b)
    }
    fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
        p.field(0).cloned()
    }
}
