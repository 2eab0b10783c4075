//! `repeat`: each element repeated along an axis (NumPy's `repeat`).
//!
//! One count for every element is a broadcast and a reshape: a new length-1 axis after
//! `axis`, broadcast to the count, merged into `axis`. The broadcast fuses, and the merge
//! needs no rechunk (the new axis is whole), so each output block reads one input block.
//! One count per element is the concatenation of each element broadcast to its count.
//!
//! ```text
//!  [a b c] repeated 2: [[a] [b] [c]] -> [[a a] [b b] [c c]] -> [a a b b c c]
//! ```

use std::sync::Arc;

use crate::chunks::AxisSelection;
use crate::error::{Error, Result};
use crate::expr::build::{axis_index, expand_dims, select};
use crate::expr::Node;

use super::broadcast::broadcast_to;
use super::concatenate::concatenate;
use super::reshape::reshape;

/// `x` with each element repeated `repeats` times along `axis` (one count for all, or
/// one per element); `axis` `None` repeats the elements of the flattened array.
pub(crate) fn repeat(x: &Arc<Node>, repeats: &[usize], axis: Option<isize>) -> Result<Arc<Node>> {
    let (x, d) = match axis {
        Some(a) => (x.clone(), axis_index("repeat", a, x.ndim())?),
        None => (reshape(x, &[-1])?, 0),
    };
    let n = x.shape()[d];
    let mut shape: Vec<isize> = x.shape().iter().map(|&k| k as isize).collect();
    match repeats {
        [r] => {
            let r = *r;
            if r == 1 {
                return Ok(x);
            }
            let expanded = expand_dims(&x, d as isize + 1)?;
            let mut wide = expanded.shape().to_vec();
            wide[d + 1] = r;
            let wide = broadcast_to(&expanded, &wide)?;
            shape[d] = (n * r) as isize;
            reshape(&wide, &shape)
        }
        counts if counts.len() == n => {
            let mut pieces = Vec::new();
            for (i, &r) in counts.iter().enumerate() {
                if r == 0 {
                    continue;
                }
                let one = element(&x, d, i, 1)?;
                let mut to = one.shape().to_vec();
                to[d] = r;
                pieces.push(broadcast_to(&one, &to)?);
            }
            if pieces.is_empty() {
                return element(&x, d, 0, 0);
            }
            concatenate(&pieces, d as isize)
        }
        counts => Err(Error::parameter(
            "repeat",
            "repeats",
            format!("{} counts", counts.len()),
            format!("one count, or one per element along the axis ({n})"),
        )),
    }
}

/// Elements `i..i + len` of axis `d` of `x`.
fn element(x: &Arc<Node>, d: usize, i: usize, len: usize) -> Result<Arc<Node>> {
    let sel = (0..x.ndim())
        .map(|k| AxisSelection::Range {
            first: if k == d { i } else { 0 },
            step: 1,
            len: if k == d { len } else { x.shape()[k] },
        })
        .collect();
    select(x, sel)
}
