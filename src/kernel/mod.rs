//! Per-chunk compute: [`Value`], the data a task produces, and the kernels that make it.
//!
//! Each submodule holds one family of kernels: generating source blocks, elementwise maps,
//! reduction partials and combines, and the copies that slice, transpose and rechunk.
//! Kernels are plain functions over [`AnyArray`]s; they know nothing about graphs or
//! threads, and they never panic on data (integer division by zero, NaN... are defined).

pub(crate) mod copy;
pub(crate) mod fused;
pub(crate) mod math;
pub(crate) mod pool;
pub(crate) mod reduce;
pub(crate) mod source;

use ndarray::ArrayD;

use crate::any_array::AnyArray;
use crate::error::{Error, Result};

/// What a task produces: a block of an array, a reduction's partial result, or nothing
/// (a block written to storage).
#[derive(Debug)]
pub(crate) enum Value {
    Array(AnyArray),
    Partial(Box<Partial>),
    Written,
}

impl Value {
    /// Bytes of data held.
    pub(crate) fn nbytes(&self) -> usize {
        match self {
            Value::Array(a) => a.nbytes(),
            Value::Partial(p) => p.nbytes(),
            Value::Written => 0,
        }
    }

    /// The array block, or an internal error when this is a partial result.
    pub(crate) fn array(&self, context: &'static str) -> Result<&AnyArray> {
        match self {
            Value::Array(a) => Ok(a),
            Value::Partial(_) => Err(Error::internal(
                context,
                "expected an array block, found a partial reduction",
            )),
            Value::Written => Err(Error::internal(
                context,
                "expected an array block, found a written block",
            )),
        }
    }

    /// The partial result, or an internal error when this is an array block.
    pub(crate) fn partial(&self, context: &'static str) -> Result<&Partial> {
        match self {
            Value::Partial(p) => Ok(p),
            Value::Array(_) | Value::Written => Err(Error::internal(
                context,
                "expected a partial reduction, found an array block",
            )),
        }
    }
}

/// The running state of a reduction over part of its input. Every array in it has the
/// shape of the input block with the reduced axes set to length 1.
#[derive(Clone, Debug)]
pub(crate) enum Partial {
    /// The result so far, in the result dtype (sum, prod, min, max, any, all, nan-variants).
    Running(AnyArray),
    /// Sum and number of elements (mean, nanmean).
    SumCount {
        sum: ArrayD<f64>,
        count: ArrayD<f64>,
    },
    /// Number of elements, their mean, and the sum of squared deviations (var, std).
    Moments {
        count: ArrayD<f64>,
        mean: ArrayD<f64>,
        m2: ArrayD<f64>,
    },
    /// The best value so far and its index (argmin, argmax).
    Arg { value: AnyArray, index: ArrayD<i64> },
}

impl Partial {
    /// Number of axes (the input's: reduced axes are kept with length 1).
    pub(crate) fn ndim(&self) -> usize {
        match self {
            Partial::Running(a) => a.shape().len(),
            Partial::SumCount { sum, .. } => sum.ndim(),
            Partial::Moments { count, .. } => count.ndim(),
            Partial::Arg { index, .. } => index.ndim(),
        }
    }

    /// Bytes of data held.
    pub(crate) fn nbytes(&self) -> usize {
        match self {
            Partial::Running(a) => a.nbytes(),
            Partial::SumCount { sum, count } => 8 * (sum.len() + count.len()),
            Partial::Moments { count, mean, m2 } => 8 * (count.len() + mean.len() + m2.len()),
            Partial::Arg { value, index } => value.nbytes() + 8 * index.len(),
        }
    }
}
