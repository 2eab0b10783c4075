//! `unique` (NumPy's, over the flattened array): the sorted distinct values, and with
//! `counts` how often each occurs. Built from operations that exist, so it streams as
//! they do and needs no kernel of its own:
//!
//! ```text
//!  s = sort(ravel(x))                          (blocks sorted, then merged: never gathered)
//!  first = [True, s[1:] != s[:-1]]             (NaN equal to NaN with `equal_nan`)
//!  values = s[first]                           (a boolean mask: the counting pass sizes it)
//!  counts = bincount(cumsum(first) - 1)        (each element's run number, counted)
//! ```
//!
//! NaNs sort last, so with `equal_nan` (NumPy's default) they collapse into one NaN at
//! the end, as NumPy gives; without it each NaN is its own value.

use std::sync::Arc;

use ndarray::SliceInfoElem;

use super::scan::{self, ScanFn};
use super::{bincount, concatenate, mask, ravel, sort};
use crate::element::{DType, Scalar};
use crate::error::Result;
use crate::expr::{build, Node};
use crate::ops::{BinaryFn, UnaryFn};

/// The sorted distinct values of `x` (1-d), and their counts (`int64`) when `counts`.
///
/// # Errors
///
/// Those of the operations it is built from (none for a valid `x`).
pub(crate) fn unique(
    x: &Arc<Node>,
    counts: bool,
    equal_nan: bool,
) -> Result<(Arc<Node>, Option<Arc<Node>>)> {
    let sorted = sort::sort(&ravel::ravel(x)?, 0, false)?;
    let n = sorted.shape()[0];
    if n == 0 {
        let none = build::cast(&sorted, DType::I64);
        return Ok((sorted, counts.then_some(none)));
    }
    let index = |range: std::ops::Range<usize>| {
        build::slice(
            &sorted,
            &[SliceInfoElem::Slice {
                start: range.start as isize,
                end: Some(range.end as isize),
                step: 1,
            }],
        )
    };
    let (later, earlier) = (index(1..n)?, index(0..n - 1)?);
    let mut first = build::binary(BinaryFn::NotEqual, &later, &earlier)?;
    if equal_nan && sorted.dtype().is_float() {
        let both_nan = build::binary(
            BinaryFn::LogicalAnd,
            &build::unary(UnaryFn::IsNan, &later)?,
            &build::unary(UnaryFn::IsNan, &earlier)?,
        )?;
        first = build::binary(
            BinaryFn::LogicalAnd,
            &first,
            &build::unary(UnaryFn::LogicalNot, &both_nan)?,
        )?;
    }
    let leading = build::expand_dims(&build::scalar(Scalar::Bool(true)), 0)?;
    let first = concatenate::concatenate(&[leading, first], 0)?;
    let values = mask::select(&sorted, &first)?;
    if !counts {
        return Ok((values, None));
    }
    // Each element's run (the cumulative sum of the run starts, from 0): the counts are
    // how often each run number occurs, a `bincount` whose length is the number of runs.
    let run = build::binary(
        BinaryFn::Sub,
        &scan::scan(ScanFn::CumSum, &build::cast(&first, DType::I64), Some(0))?,
        &build::scalar(Scalar::I64(1)),
    )?;
    let counts = bincount::bincount(&run, None, 0)?;
    Ok((values, Some(counts)))
}
