//! Per-chunk compute: [`Value`], the data a task produces, and the kernels that make it.
//!
//! Each submodule holds one family of kernels: generating source blocks, elementwise maps,
//! reduction partials and combines, and the copies that slice, transpose and rechunk.
//! Kernels are plain functions over [`AnyArray`]s; they know nothing about graphs or
//! threads, and they never panic on data (integer division by zero, NaN... are defined).

pub(crate) mod block;
pub(crate) mod copy;
pub(crate) mod fused;
pub(crate) mod gemm;
pub(crate) mod math;
pub(crate) mod pool;
pub(crate) mod reduce;
pub(crate) mod source;
pub(crate) mod wire;

pub(crate) use reduce::Partial;

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
