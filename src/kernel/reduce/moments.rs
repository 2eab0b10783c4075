//! `var`, `std`, `nanvar` and `nanstd`: three `f64` fields, the count, the mean and the sum of squared
//! deviations (`M2`) of the elements; a block's are computed in two passes (mean, then
//! deviations), and partials merge with Chan et al.'s pairwise update, so the variance
//! is as accurate as NumPy's two-pass one. The result divides `M2` by `n - ddof`.

use ndarray::{ArrayD, ArrayViewD, IxDyn, Zip};

use super::fold::{reduce_axes, Fold};
use super::mean::sum_count;
use super::partial::{window, Partial};
use super::scalar::ScalarFoldKind;
use super::{BlockAt, TypedReducer};
use crate::any_array::AnyArray;
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::{ReduceFn, ReduceParam};

const CONTEXT: &str = "kernel::reduce";

/// `var`.
#[derive(Debug)]
pub(crate) struct Var;

/// `std`: the square root of `var`.
#[derive(Debug)]
pub(crate) struct Std;

/// `nanvar`: the variance of the elements that are not NaN.
#[derive(Debug)]
pub(crate) struct NanVar;

/// `nanstd`: the square root of `nanvar`.
#[derive(Debug)]
pub(crate) struct NanStd;

/// The count, mean and `M2` of `x` over `axes`, NaN left out when `skip_nan`.
fn moments<T: Element>(x: &ArrayViewD<'_, T>, axes: &[usize], skip_nan: bool) -> Result<Partial> {
    let (sum, count) = sum_count(x, axes, skip_nan);
    let mut mean = sum;
    Zip::from(&mut mean)
        .and(&count)
        .for_each(|m, &n| *m = if n == 0.0 { 0.0 } else { *m / n });
    let mean_b = mean
        .broadcast(x.raw_dim())
        .ok_or_else(|| Error::internal(CONTEXT, "mean does not broadcast over its block"))?;
    let dev2: ArrayD<f64> = Zip::from(x).and(&mean_b).map_collect(|&v, &m| {
        if skip_nan && v.is_nan() {
            return 0.0;
        }
        let d = v.cast::<f64>() - m;
        d * d
    });
    let m2 = reduce_axes(
        &dev2.view(),
        axes,
        &Fold::new(|v: f64| v, |a, b| a + b, 0.0, true),
    );
    Ok(Partial::new([
        AnyArray::F64(count),
        AnyArray::F64(mean),
        AnyArray::F64(m2),
    ]))
}

fn zeros(shape: &[usize]) -> Partial {
    let z = || AnyArray::F64(ArrayD::zeros(IxDyn(shape)));
    Partial::new([z(), z(), z()])
}

/// Chan et al.'s update: `acc` holds the earlier elements, `other` the later ones.
fn merge(acc: &mut Partial, other: &Partial, offset: &[usize]) -> Result<()> {
    let (nb, mb, m2b) = (
        other.typed::<f64>(0)?,
        other.typed::<f64>(1)?,
        other.typed::<f64>(2)?,
    );
    let shape = nb.shape().to_vec();
    if mb.shape() != shape || m2b.shape() != shape {
        return Err(Error::internal(
            CONTEXT,
            "moment partials of different shapes",
        ));
    }
    let [count, mean, m2] = acc.fields_mut() else {
        return Err(Error::internal(
            CONTEXT,
            "a moment partial without three fields",
        ));
    };
    let (Some(count), Some(mean), Some(m2)) = (f64_mut(count), f64_mut(mean), f64_mut(m2)) else {
        return Err(Error::internal(CONTEXT, "moment partials of another dtype"));
    };
    Zip::from(window(count, offset, &shape)?)
        .and(window(mean, offset, &shape)?)
        .and(window(m2, offset, &shape)?)
        .and(nb)
        .and(mb)
        .and(m2b)
        .for_each(|na, ma, m2a, &nb, &mb, &m2b| {
            let n = *na + nb;
            if n == 0.0 {
                return;
            }
            let delta = mb - *ma;
            *ma += delta * nb / n;
            *m2a += m2b + delta * delta * *na * nb / n;
            *na = n;
        });
    Ok(())
}

fn f64_mut(a: &mut AnyArray) -> Option<&mut ArrayD<f64>> {
    match a {
        AnyArray::F64(x) => Some(x),
        _ => None,
    }
}

/// `M2 / (n - ddof)` (never dividing by a negative), and its root for `std`.
fn variance(f: ReduceFn, mut p: Partial, root: bool, out: DType) -> Result<AnyArray> {
    let ddof = f.param(ReduceParam::Ddof).unwrap_or(0) as f64;
    let [AnyArray::F64(count), _, AnyArray::F64(m2)] = p.fields_mut() else {
        return Err(Error::internal(
            CONTEXT,
            "a moment partial is not three float64 fields",
        ));
    };
    Zip::from(&mut *m2)
        .and(&*count)
        .for_each(|v, &n| *v /= (n - ddof).max(0.0));
    if root {
        m2.mapv_inplace(f64::sqrt);
    }
    Ok(AnyArray::F64(std::mem::take(m2)).cast_into(out))
}

/// The kernels of one member of the family: `skip_nan` for the `nan` variants, `root`
/// for the standard deviations.
macro_rules! moment_reducer {
    ($ty:ident, skip_nan: $skip:expr, root: $root:expr) => {
        impl TypedReducer for $ty {
            fn partial_item_bytes(&self, _: ReduceFn, _: DType) -> usize {
                24
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
                moments(x, axes, $skip)
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
            fn finalize(&self, f: ReduceFn, p: Partial, out: DType) -> Result<AnyArray> {
                variance(f, p, $root, out)
            }
            fn scalar_fold(&self, _: ReduceFn) -> Option<ScalarFoldKind> {
                Some(ScalarFoldKind::Moments { skip_nan: $skip })
            }
        }
    };
}

moment_reducer!(Var, skip_nan: false, root: false);
moment_reducer!(Std, skip_nan: false, root: true);
moment_reducer!(NanVar, skip_nan: true, root: false);
moment_reducer!(NanStd, skip_nan: true, root: true);
