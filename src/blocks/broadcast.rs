//! `broadcast_to`: the array repeated along new or length-1 axes to a given shape
//! (NumPy's `broadcast_to`), as an elementwise operation, so it fuses with what reads it
//! and no broadcast block is ever stored on its own.
//!
//! It is `where(true, x, x)` over a constant condition of the target shape: the
//! broadcasting machinery of elementwise operations does the rest, and the fused kernel
//! reads each input block once per output tile.
//!
//! ```text
//!  (53,) in chunks (20,) to (37, 53): chunks ((37,), (20, 20, 13))
//!  output block (0, j) reads input block j
//! ```

use std::sync::Arc;

use crate::chunks::{AxisChunks, ChunkGrid, Chunks, DEFAULT_CHUNK_BYTES};
use crate::element::{DType, Scalar};
use crate::error::{Error, Result};
use crate::expr::build::{map_with, source};
use crate::expr::Node;
use crate::ops::MapOp;

/// `x` broadcast to `shape` by NumPy's rules: `shape` has at least `x`'s axes, and each
/// axis of `x` (aligned at the end) is as long as `shape`'s or 1.
pub(crate) fn broadcast_to(x: &Arc<Node>, shape: &[usize]) -> Result<Arc<Node>> {
    let ndim = shape.len();
    let bad = || {
        Error::parameter(
            "broadcast_to",
            "shape",
            format!("{shape:?}"),
            format!(
                "a shape that the array's shape {:?} broadcasts to: at least {} axes, each axis of the array (aligned at the end) of the same length or 1",
                x.shape(),
                x.ndim()
            ),
        )
    };
    if ndim < x.ndim() {
        return Err(bad());
    }
    let offset = ndim - x.ndim();
    for (k, &len) in x.shape().iter().enumerate() {
        if len != shape[offset + k] && len != 1 {
            return Err(bad());
        }
    }
    if shape == x.shape() {
        return Ok(x.clone());
    }
    // Axes the array spans keep its chunks; broadcast axes are whole while a block stays
    // within the default block size, filled from the last.
    let spans = |d: usize| d >= offset && x.shape()[d - offset] == shape[d];
    let block: usize = x
        .chunks()
        .axes()
        .iter()
        .map(|a| a.max_chunk_len().max(1))
        .product();
    let mut left = (DEFAULT_CHUNK_BYTES / x.dtype().size().max(1) / block).max(1);
    let mut axes = vec![AxisChunks::regular(0, 1)?; ndim];
    for d in (0..ndim).rev() {
        axes[d] = if spans(d) {
            x.chunks().axis(d - offset).clone()
        } else {
            let c = shape[d].min(left).max(1);
            left = (left / c).max(1);
            AxisChunks::regular(shape[d], c)?
        };
    }
    let cond = source(
        crate::expr::Source::Full(Scalar::Bool(true)),
        shape,
        DType::Bool,
        &Chunks::Grid(ChunkGrid::new(axes)),
    )?;
    map_with(MapOp::Where, &[cond, x.clone(), x.clone()], x.dtype())
}
