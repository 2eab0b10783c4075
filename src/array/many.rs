//! [`compute_many`]: several arrays computed in one pass, so that the work they share (a
//! common input, a common sub-expression) runs once; the arrays may have different
//! element types.

use std::sync::Arc;

use ndarray::ArrayD;

use super::{DynArray, LazyArray};
use crate::any_array::AnyArray;
use crate::compute::{self, ComputeOptions};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::expr::Node;

/// One array of a [`compute_many`] tuple: a `&LazyArray<T>` (computed as `ArrayD<T>`)
/// or a `&DynArray` (computed as [`AnyArray`]).
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(0i64, 10, 1, [4]);
/// let (total, mean) = chunkwise::compute_many((&x.sum(..), &x.mean(..)))?;
/// assert_eq!((total.sum(), mean.sum()), (45, 4.5));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub trait ComputeOne {
    /// What the array computes to.
    type Output;
    /// The array, runtime-typed.
    fn to_dyn_array(&self) -> DynArray;
    /// The computed block data, converted to [`ComputeOne::Output`].
    ///
    /// # Errors
    ///
    /// When the data is not of the array's element type (a bug in chunkwise).
    fn finish(result: AnyArray) -> Result<Self::Output>;
}

impl<T: Element> ComputeOne for &LazyArray<T> {
    type Output = ArrayD<T>;
    fn to_dyn_array(&self) -> DynArray {
        self.to_dyn()
    }
    fn finish(result: AnyArray) -> Result<ArrayD<T>> {
        result.into_typed()
    }
}

impl ComputeOne for &DynArray {
    type Output = AnyArray;
    fn to_dyn_array(&self) -> DynArray {
        (*self).clone()
    }
    fn finish(result: AnyArray) -> Result<AnyArray> {
        Ok(result)
    }
}

/// Arrays that [`compute_many`] computes together: a slice, array or `Vec` of
/// `&LazyArray<T>` (giving a `Vec<ArrayD<T>>`), or a tuple of up to eight `&LazyArray`s
/// and `&DynArray`s of any element types (giving a tuple of their results).
///
/// # Example
///
/// ```
/// let x = chunkwise::random::uniform::<f64>(&[100, 100], [30, 30], 1);
/// let (lo, hi, count) = chunkwise::compute_many((&x.min(..), &x.max(..), &x.greater(0.5).sum(..)))?;
/// assert!(lo.sum() >= 0.0 && hi.sum() < 1.0 && count.sum() > 4000);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub trait ComputeMany {
    /// What the arrays compute to.
    type Output;
    /// The arrays, runtime-typed, in order.
    fn to_dyn_arrays(&self) -> Vec<DynArray>;
    /// The computed results, in order, converted to [`ComputeMany::Output`].
    ///
    /// # Errors
    ///
    /// When a result is not of its array's element type (a bug in chunkwise).
    fn finish(results: Vec<AnyArray>) -> Result<Self::Output>;
}

impl<T: Element> ComputeMany for &[&LazyArray<T>] {
    type Output = Vec<ArrayD<T>>;
    fn to_dyn_arrays(&self) -> Vec<DynArray> {
        self.iter().map(|a| a.to_dyn()).collect()
    }
    fn finish(results: Vec<AnyArray>) -> Result<Vec<ArrayD<T>>> {
        results.into_iter().map(AnyArray::into_typed).collect()
    }
}

impl<T: Element, const N: usize> ComputeMany for &[&LazyArray<T>; N] {
    type Output = Vec<ArrayD<T>>;
    fn to_dyn_arrays(&self) -> Vec<DynArray> {
        self.iter().map(|a| a.to_dyn()).collect()
    }
    fn finish(results: Vec<AnyArray>) -> Result<Vec<ArrayD<T>>> {
        results.into_iter().map(AnyArray::into_typed).collect()
    }
}

impl<T: Element> ComputeMany for &Vec<&LazyArray<T>> {
    type Output = Vec<ArrayD<T>>;
    fn to_dyn_arrays(&self) -> Vec<DynArray> {
        self.iter().map(|a| a.to_dyn()).collect()
    }
    fn finish(results: Vec<AnyArray>) -> Result<Vec<ArrayD<T>>> {
        results.into_iter().map(AnyArray::into_typed).collect()
    }
}

impl<T: Element> ComputeMany for &[LazyArray<T>] {
    type Output = Vec<ArrayD<T>>;
    fn to_dyn_arrays(&self) -> Vec<DynArray> {
        self.iter().map(LazyArray::to_dyn).collect()
    }
    fn finish(results: Vec<AnyArray>) -> Result<Vec<ArrayD<T>>> {
        results.into_iter().map(AnyArray::into_typed).collect()
    }
}

macro_rules! tuple_compute_many {
    ($(($($name:ident $index:tt),+))*) => {$(
        impl<$($name: ComputeOne),+> ComputeMany for ($($name,)+) {
            type Output = ($($name::Output,)+);
            fn to_dyn_arrays(&self) -> Vec<DynArray> {
                vec![$(self.$index.to_dyn_array()),+]
            }
            fn finish(results: Vec<AnyArray>) -> Result<Self::Output> {
                let mut results = results.into_iter();
                Ok(($(
                    $name::finish(results.next().ok_or_else(|| {
                        Error::internal("compute_many", "fewer results than arrays")
                    })?)?,
                )+))
            }
        }
    )*};
}

tuple_compute_many! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
}

/// Computes several arrays in one pass: work they share (a common input, a common
/// sub-expression) runs once. Takes a slice of arrays of one element type, or a tuple
/// of arrays of any element types (see [`ComputeMany`]).
///
/// # Example
///
/// ```
/// let x = chunkwise::random::uniform::<f64>(&[100, 100], [30, 30], 1);
/// let y = (&x * 2.0).sum(..);
/// let z = (&x * 2.0).mean(..);
/// let out = chunkwise::compute_many(&[&y, &z])?;
/// assert!((out[0].sum() / 10_000.0 - out[1].sum()).abs() < 1e-12);
/// let (sum, above) = chunkwise::compute_many((&y, &x.greater(0.5).any(..)))?;
/// assert!(sum.sum() > 0.0 && above.iter().all(|&b| b));
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// As [`LazyArray::compute`].
#[allow(
    clippy::needless_pass_by_value,
    reason = "a tuple of references is passed by value: `compute_many((&a, &b))`"
)]
pub fn compute_many<C: ComputeMany>(arrays: C) -> Result<C::Output> {
    compute_many_with(arrays, &ComputeOptions::default())
}

/// [`compute_many`] with `options` (executor, threads).
///
/// # Example
///
/// ```
/// use chunkwise::ComputeOptions;
/// let x = chunkwise::arange(0.0f64, 8.0, 1.0, [3]);
/// let (lo, hi) = (x.min(..), x.max(..));
/// let out = chunkwise::compute_many_with(&[&lo, &hi], &ComputeOptions::default().threads(2))?;
/// assert_eq!((out[0].sum(), out[1].sum()), (0.0, 7.0));
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// As [`LazyArray::compute`].
#[allow(
    clippy::needless_pass_by_value,
    reason = "a tuple of references is passed by value: `compute_many((&a, &b))`"
)]
pub fn compute_many_with<C: ComputeMany>(arrays: C, options: &ComputeOptions) -> Result<C::Output> {
    let nodes: Vec<Arc<Node>> = arrays
        .to_dyn_arrays()
        .iter()
        .map(|a| a.node().clone())
        .collect();
    C::finish(compute::compute_nodes(&nodes, options)?)
}
