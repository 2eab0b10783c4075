//! `argmin` and `argmax`: two fields, the best value so far (input dtype) and its index
//! (`int64`: along the one reduced axis, or into the flattened input). The first
//! occurrence wins, and NaN counts as the best (as in NumPy); across blocks a tie goes
//! to the smaller index.

use ndarray::{ArrayD, ArrayViewD, IxDyn, Zip};

use super::partial::{window, Partial};
use super::{BlockAt, TypedReducer};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;

const CONTEXT: &str = "kernel::reduce";

/// `argmin`.
#[derive(Debug)]
pub(crate) struct ArgMin;

/// `argmax`.
#[derive(Debug)]
pub(crate) struct ArgMax;

/// True when `new` should replace `cur` as the best value: the first NaN wins, otherwise
/// the strictly smaller (`min`) or larger value.
#[inline(always)]
fn arg_better<T: Element>(min: bool, new: T, cur: T) -> bool {
    if cur.is_nan() {
        false
    } else if new.is_nan() {
        true
    } else if min {
        new < cur
    } else {
        new > cur
    }
}

fn arg_partial<T: Element>(
    min: bool,
    axes: &[usize],
    x: &ArrayViewD<'_, T>,
    block_start: &[usize],
    full_shape: &[usize],
) -> Partial {
    let std = x.as_standard_layout();
    let data = std.as_slice().expect("standard layout is contiguous");
    let shape = x.shape();
    let ndim = shape.len();
    if data.is_empty() {
        // A block that is empty along a kept axis: nothing to choose from.
        let mut kept = shape.to_vec();
        for &a in axes {
            kept[a] = 1;
        }
        return Partial::new([
            T::wrap(ArrayD::from_elem(IxDyn(&kept), T::default())),
            AnyArray::I64(ArrayD::from_elem(IxDyn(&kept), 0)),
        ]);
    }
    if axes.len() == ndim {
        // Flattened: the index in the whole array, in C order.
        let mut best = 0usize;
        for (p, &v) in data.iter().enumerate().skip(1) {
            if arg_better(min, v, data[best]) {
                best = p;
            }
        }
        let mut local = Vec::new();
        crate::chunks::coords_of(best, shape, &mut local);
        let mut flat: u64 = 0;
        for d in 0..ndim {
            flat = flat * full_shape[d] as u64 + (block_start[d] + local[d]) as u64;
        }
        let ones = vec![1usize; ndim];
        #[allow(clippy::cast_possible_wrap)]
        return Partial::new([
            T::wrap(ArrayD::from_elem(IxDyn(&ones), data[best])),
            AnyArray::I64(ArrayD::from_elem(IxDyn(&ones), flat as i64)),
        ]);
    }
    let k = axes[0];
    let outer: usize = shape[..k].iter().product();
    let n = shape[k];
    let inner: usize = shape[k + 1..].iter().product();
    let mut values = Vec::with_capacity(outer * inner);
    let mut index = Vec::with_capacity(outer * inner);
    #[allow(clippy::cast_possible_wrap)]
    let base_index = block_start[k] as i64;
    for o in 0..outer {
        let block = &data[o * n * inner..(o + 1) * n * inner];
        let vs = values.len();
        values.extend_from_slice(&block[..inner]);
        index.resize(vs + inner, base_index);
        for i in 1..n {
            let row = &block[i * inner..(i + 1) * inner];
            for j in 0..inner {
                if arg_better(min, row[j], values[vs + j]) {
                    values[vs + j] = row[j];
                    #[allow(clippy::cast_possible_wrap)]
                    {
                        index[vs + j] = base_index + i as i64;
                    }
                }
            }
        }
    }
    let mut kept = shape.to_vec();
    kept[k] = 1;
    Partial::new([
        T::wrap(ArrayD::from_shape_vec(IxDyn(&kept), values).expect("kept shape")),
        AnyArray::I64(ArrayD::from_shape_vec(IxDyn(&kept), index).expect("kept shape")),
    ])
}

fn empty(min: bool, input: DType, shape: &[usize]) -> Partial {
    crate::element::with_dtype!(input, T => Partial::new([
        crate::kernel::pool::full(shape, if min { T::HIGHEST } else { T::LOWEST }.to_scalar()),
        AnyArray::I64(ArrayD::from_elem(IxDyn(shape), i64::MAX)),
    ]))
}

fn merge(min: bool, acc: &mut Partial, other: &Partial, offset: &[usize]) -> Result<()> {
    let i2 = other.typed::<i64>(1)?;
    let [value, index] = acc.fields_mut() else {
        return Err(Error::internal(
            CONTEXT,
            "an arg partial without two fields",
        ));
    };
    let AnyArray::I64(index) = index else {
        return Err(Error::internal(
            CONTEXT,
            "an arg partial's index is not int64",
        ));
    };
    crate::any_array::dispatch_any!(value, va, T => {
        let vb = T::peek(other.field(0)?)
            .ok_or_else(|| Error::internal(CONTEXT, "arg partials of different dtypes"))?;
        if vb.shape() != i2.shape() {
            return Err(Error::internal(CONTEXT, "arg partials of different shapes"));
        }
        Zip::from(window(va, offset, i2.shape())?)
            .and(window(index, offset, i2.shape())?)
            .and(vb)
            .and(i2)
            .for_each(|v, i, &w, &j| {
                let tie = (*v == w) || (v.is_nan() && w.is_nan());
                if arg_better(min, w, *v) || (tie && j < *i) {
                    *v = w;
                    *i = j;
                }
            });
        Ok(())
    })
}

macro_rules! arg_reducer {
    ($ty:ident, min: $min:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, input: DType) -> usize {
                input.size() + 8
            }
            fn empty(&self, _: ReduceFn, input: DType, shape: &[usize]) -> Partial {
                empty($min, input, shape)
            }
            fn partial<T: Element>(
                &self,
                _: ReduceFn,
                x: &ArrayViewD<'_, T>,
                axes: &[usize],
                at: BlockAt<'_>,
            ) -> Result<Partial> {
                Ok(arg_partial($min, axes, x, at.start, at.full_shape))
            }
            fn merge(
                &self,
                _: ReduceFn,
                acc: &mut Partial,
                other: &Partial,
                offset: &[usize],
            ) -> Result<()> {
                merge($min, acc, other, offset)
            }
            fn finalize(&self, _: ReduceFn, p: Partial, _: DType) -> Result<AnyArray> {
                p.field(1).cloned()
            }
        }
    };
}

arg_reducer!(ArgMin, min: true);
arg_reducer!(ArgMax, min: false);
