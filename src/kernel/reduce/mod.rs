//! Reduction kernels: each reduction is one type implementing [`TypedReducer`] (its
//! partial result of one block, the merge of two partials, the final value, its empty
//! partial and the partial's size), found through [`reducer`].
//!
//! A reduction runs as one partial per input block, merged by a tree of combines, and
//! finalized once (`plan` lays out the tree; fused kernels compute the first partial tile
//! by tile, see [`scalar`] for the fast path over every axis). The kernels are in one
//! file per family: `sum.rs`, `prod.rs`, `mean.rs`, `moments.rs` (var, std), `extremum.rs`
//! (min, max, ptp), `arg.rs`, `logic.rs` (any, all); the loops they share are in
//! [`fold`], the partial's fields in [`partial`].
//!
//! # Adding a reduction
//!
//! One line in the vocabulary's table (`src/ops/reduction.rs`, which names its NumPy
//! name, result dtype and the kernel type) and one type here implementing
//! [`TypedReducer`]; the typed and runtime-typed methods, the expression language and the
//! planner pick it up from the table.

mod arg;
mod extremum;
pub(crate) mod fold;
mod logic;
mod mean;
mod moments;
pub(crate) mod partial;
mod prod;
pub(crate) mod scalar;
mod sum;

use std::ops::Range;

use ndarray::{ArrayViewD, IxDyn};

pub(crate) use partial::Partial;
pub(crate) use scalar::ScalarFoldKind;

use crate::any_array::AnyArray;
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;

const CONTEXT: &str = "kernel::reduce";

/// Where a block lies in the whole input: what arg-reductions need for their indices.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockAt<'a> {
    /// The block's first element in the input.
    pub(crate) start: &'a [usize],
    /// The input's shape.
    pub(crate) full_shape: &'a [usize],
}

/// One reduction's kernels, generic over the input's element type.
///
/// Every partial has the shape of its block with the reduced axes cut to length 1; its
/// fields are the reduction's own (see [`Partial`]).
pub(crate) trait TypedReducer: Sync {
    /// Bytes per element of the partial, all fields together, for an input of `input`.
    fn partial_item_bytes(&self, f: ReduceFn, input: DType) -> usize;

    /// The partial of no elements, of `shape`: where a fused reduction starts before its
    /// tiles merge in. A reduction without an identity starts from the value every
    /// element replaces (`inf` for `min`, index `i64::MAX` for `argmin`...).
    fn empty(&self, f: ReduceFn, input: DType, shape: &[usize]) -> Partial;

    /// The partial of the block `x` over the sorted `axes`.
    ///
    /// # Errors
    ///
    /// Internal errors only (mismatched shapes).
    fn partial<T: Element>(
        &self,
        f: ReduceFn,
        x: &ArrayViewD<'_, T>,
        axes: &[usize],
        at: BlockAt<'_>,
    ) -> Result<Partial>;

    /// Merges `other` (later elements) into the box of `acc` at `offset` (the whole of
    /// `acc` when the shapes are equal).
    ///
    /// # Errors
    ///
    /// Internal errors only (partials of another reduction or shape).
    fn merge(
        &self,
        f: ReduceFn,
        acc: &mut Partial,
        other: &Partial,
        offset: &[usize],
    ) -> Result<()>;

    /// The result from the merged partial, in `out`.
    ///
    /// # Errors
    ///
    /// Internal errors only.
    fn finalize(&self, f: ReduceFn, p: Partial, out: DType) -> Result<AnyArray>;

    /// The scalar fold of whole tiles, for fused reductions over every axis, if the
    /// reduction has one (without, it merges a partial per tile, which is correct but
    /// slower).
    fn scalar_fold(&self, f: ReduceFn) -> Option<ScalarFoldKind> {
        let _ = f;
        None
    }
}

/// [`TypedReducer`] with its input type erased: what the planner and the fused kernels
/// call. Every `TypedReducer` is one.
pub(crate) trait Reducer: Sync {
    /// See [`TypedReducer::partial_item_bytes`].
    fn partial_item_bytes(&self, f: ReduceFn, input: DType) -> usize;
    /// See [`TypedReducer::empty`].
    fn empty(&self, f: ReduceFn, input: DType, shape: &[usize]) -> Partial;
    /// The partial of the elements `range` of the contiguous `data`, seen as `shape`,
    /// over `axes` (see [`TypedReducer::partial`]).
    fn partial_of(
        &self,
        f: ReduceFn,
        data: &AnyArray,
        range: Range<usize>,
        shape: &[usize],
        axes: &[usize],
        at: BlockAt<'_>,
    ) -> Result<Partial>;
    /// See [`TypedReducer::merge`].
    fn merge(
        &self,
        f: ReduceFn,
        acc: &mut Partial,
        other: &Partial,
        offset: &[usize],
    ) -> Result<()>;
    /// See [`TypedReducer::finalize`].
    fn finalize(&self, f: ReduceFn, p: Partial, out: DType) -> Result<AnyArray>;
    /// See [`TypedReducer::scalar_fold`].
    fn scalar_fold(&self, f: ReduceFn) -> Option<ScalarFoldKind>;
}

impl<R: TypedReducer> Reducer for R {
    fn partial_item_bytes(&self, f: ReduceFn, input: DType) -> usize {
        TypedReducer::partial_item_bytes(self, f, input)
    }
    fn empty(&self, f: ReduceFn, input: DType, shape: &[usize]) -> Partial {
        TypedReducer::empty(self, f, input, shape)
    }
    fn partial_of(
        &self,
        f: ReduceFn,
        data: &AnyArray,
        range: Range<usize>,
        shape: &[usize],
        axes: &[usize],
        at: BlockAt<'_>,
    ) -> Result<Partial> {
        crate::any_array::dispatch_any!(data, a, T => {
            let slice = a
                .as_slice()
                .and_then(|s| s.get(range))
                .ok_or_else(|| Error::internal(CONTEXT, "reduced data is not contiguous"))?;
            let view = ArrayViewD::from_shape(IxDyn(shape), slice)
                .map_err(|e| Error::internal(CONTEXT, e.to_string()))?;
            TypedReducer::partial::<T>(self, f, &view, axes, at)
        })
    }
    fn merge(
        &self,
        f: ReduceFn,
        acc: &mut Partial,
        other: &Partial,
        offset: &[usize],
    ) -> Result<()> {
        TypedReducer::merge(self, f, acc, other, offset)
    }
    fn finalize(&self, f: ReduceFn, p: Partial, out: DType) -> Result<AnyArray> {
        TypedReducer::finalize(self, f, p, out)
    }
    fn scalar_fold(&self, f: ReduceFn) -> Option<ScalarFoldKind> {
        TypedReducer::scalar_fold(self, f)
    }
}

macro_rules! registry {
    ($(
        $V:ident $({ $($field:ident),* })? $name:literal $method:ident $result:ident $axes:ident
            $empty:ident $domain:ident [$($alias:literal),*] $module:ident :: $kernel:ident,
            $doc:literal;
    )*) => {
        /// The kernels of reduction `f`: the type its line of the vocabulary's table
        /// names.
        pub(crate) fn reducer(f: ReduceFn) -> &'static dyn Reducer {
            match f {
                $(ReduceFn::$V { .. } => &$module::$kernel,)*
            }
        }
    };
}

crate::ops::for_each_reduce_fn!(registry);

/// The partial result of reducing the block `block` over `axes`; `at` locates it in the
/// whole input (for the indices of argmin and argmax).
pub(crate) fn partial(
    kind: ReduceFn,
    axes: &[usize],
    block: &AnyArray,
    at: BlockAt<'_>,
) -> Result<Partial> {
    let block = block.standard_layout();
    reducer(kind).partial_of(kind, &block, 0..block.len(), block.shape(), axes, at)
}

/// Merges partial results of equal shape, in block order.
pub(crate) fn combine(kind: ReduceFn, parts: &[&Partial]) -> Result<Partial> {
    let (first, rest) = parts
        .split_first()
        .ok_or_else(|| Error::internal(CONTEXT, "combine of zero partials"))?;
    let mut acc = (*first).clone();
    let origin = vec![0; acc.ndim()];
    let r = reducer(kind);
    for p in rest {
        r.merge(kind, &mut acc, p, &origin)?;
    }
    Ok(acc)
}

/// The final value of a reduction from its merged partial, in `out_dtype`.
pub(crate) fn finalize(kind: ReduceFn, part: Partial, out_dtype: DType) -> Result<AnyArray> {
    reducer(kind).finalize(kind, part, out_dtype)
}

#[cfg(test)]
mod tests;
