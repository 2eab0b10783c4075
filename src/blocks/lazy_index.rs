//! Indexing along one axis by a lazy array: `take(x, idx, axis)` with an integer array
//! computed in the same graph, and `compress(condition, x, axis)` (and `x[:, mask]`)
//! with a lazy 1-d bool condition.
//!
//! Both need the index's values to know which input blocks each output block reads, so
//! they are deferred nodes (see `expr::deferred`): `compute` first computes the index (a
//! 1-d array, small next to the data), then builds the in-memory [`take`](super::take)
//! with those values. A lazy `take`'s shape is known when built (the index's length) and
//! its chunks along the axis are the index's, so nothing above it changes when it is
//! resolved; `compress`'s length is the number of true values, unknown until then.

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::expr::build::axis_index;
use crate::expr::deferred::{self, Deferred};
use crate::expr::{build, Meta, Node};

use super::take::{normalize_indices, take_normalized, true_positions};

/// What the lazy index is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Integer positions (`take`).
    Positions,
    /// A bool condition (`compress`): the positions of its true values.
    Condition,
}

/// `take(x, indices, axis)` with a lazy 1-d integer `indices`.
pub(crate) fn take(x: &Arc<Node>, indices: &Arc<Node>, axis: isize) -> Result<Arc<Node>> {
    let axis = axis_index("take", axis, x.ndim())?;
    if indices.ndim() != 1 || !indices.dtype().is_integer() {
        return Err(Error::parameter(
            "take",
            "indices",
            format!("a {}-d array of {}", indices.ndim(), indices.dtype()),
            "a 1-d array of integers",
        ));
    }
    let indices = build::cast(indices, DType::I64);
    let mut axes = x.chunks().axes().to_vec();
    axes[axis] = indices.chunks().axis(0).clone();
    Ok(deferred_node(
        Kind::Positions,
        axis,
        x,
        indices,
        ChunkGrid::new(axes),
    ))
}

/// `compress(condition, x, axis)` with a lazy 1-d `condition` (nonzero values count as
/// true); the condition may be shorter than the axis (the rest is not selected).
pub(crate) fn compress(condition: &Arc<Node>, x: &Arc<Node>, axis: isize) -> Result<Arc<Node>> {
    let axis = axis_index("compress", axis, x.ndim())?;
    if condition.ndim() != 1 {
        return Err(Error::parameter(
            "compress",
            "condition",
            format!("a {}-d array", condition.ndim()),
            "a 1-d array of bools",
        ));
    }
    let condition = if condition.dtype() == DType::Bool {
        condition.clone()
    } else {
        let zero = build::scalar(
            crate::element::with_dtype!(condition.dtype(), T => T::default().to_scalar()),
        );
        build::binary(crate::ops::BinaryFn::NotEqual, condition, &zero)?
    };
    let bound = condition.shape()[0].min(x.shape()[axis]);
    let mut axes = x.chunks().axes().to_vec();
    axes[axis] = AxisChunks::regular(bound, x.chunks().axis(axis).max_chunk_len().max(1))?;
    Ok(deferred_node(
        Kind::Condition,
        axis,
        x,
        condition,
        ChunkGrid::new(axes),
    ))
}

fn deferred_node(
    kind: Kind,
    axis: usize,
    x: &Arc<Node>,
    index: Arc<Node>,
    grid: ChunkGrid,
) -> Arc<Node> {
    let ndim = x.ndim();
    let kernel = LazyIndex {
        kind,
        axis,
        ndim,
        chunks: grid.axis(axis).clone(),
    };
    deferred::node(
        Arc::new(kernel),
        vec![x.clone(), index],
        Meta::new(x.dtype(), grid),
    )
}

/// The deferred `take`/`compress`: computes the index, then takes.
#[derive(Debug)]
struct LazyIndex {
    kind: Kind,
    axis: usize,
    ndim: usize,
    /// The placeholder's chunks along the axis (a lazy take keeps them).
    chunks: AxisChunks,
}

impl Deferred for LazyIndex {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Positions => "take",
            Kind::Condition => "compress",
        }
    }

    fn key(&self) -> Vec<u8> {
        vec![
            u8::from(self.kind == Kind::Condition),
            u8::try_from(self.axis).unwrap_or(u8::MAX),
        ]
    }

    fn unknown_axes(&self) -> Vec<bool> {
        (0..self.ndim)
            .map(|d| d == self.axis && self.kind == Kind::Condition)
            .collect()
    }

    fn needs(&self, inputs: &[Arc<Node>]) -> Result<Vec<Arc<Node>>> {
        Ok(vec![inputs[1].clone()])
    }

    fn resolve(&self, inputs: &[Arc<Node>], values: &[AnyArray]) -> Result<Arc<Node>> {
        let x = &inputs[0];
        let len = x.shape()[self.axis];
        match self.kind {
            Kind::Positions => {
                let v = values[0].cast(DType::I64).into_typed::<i64>()?;
                let v: Vec<i64> = v.iter().copied().collect();
                let idx = normalize_indices(&v, self.axis, len)?;
                take_normalized(x, idx, self.axis, Some(&self.chunks))
            }
            Kind::Condition => {
                let idx = true_positions(&values[0])?;
                if let Some(&bad) = idx.iter().find(|&&i| i >= len) {
                    return Err(Error::IndexOutOfRange {
                        axis: self.axis,
                        index: isize::try_from(bad).unwrap_or(isize::MAX),
                        len,
                    });
                }
                take_normalized(x, idx, self.axis, None)
            }
        }
    }

    fn rebuild(&self, inputs: &[Arc<Node>]) -> Result<Arc<Node>> {
        let axis = self.axis as isize;
        match self.kind {
            Kind::Positions => take(&inputs[0], &inputs[1], axis),
            Kind::Condition => compress(&inputs[1], &inputs[0], axis),
        }
    }

    fn describe(&self) -> String {
        match self.kind {
            Kind::Positions => format!("the index along axis {} computed first", self.axis),
            Kind::Condition => format!("the condition along axis {} computed first", self.axis),
        }
    }
}
