//! `diff`: the `n`-th discrete difference along an axis (NumPy's `diff`), as `n` rounds
//! of `x[1:] - x[:-1]` (`!=` for booleans, as NumPy does), elementwise and so fused.
//!
//! ```text
//!  [1 4 9 16] -> [3 5 7] -> (n=2) [2 2]
//! ```

use std::sync::Arc;

use crate::chunks::AxisSelection;
use crate::element::DType;
use crate::error::Result;
use crate::expr::build::{axis_index, binary, select};
use crate::expr::Node;
use crate::ops::BinaryFn;

/// The `n`-th difference of `x` along `axis`.
pub(crate) fn diff(x: &Arc<Node>, n: usize, axis: isize) -> Result<Arc<Node>> {
    if n == 0 {
        return Ok(x.clone());
    }
    let d = axis_index("diff", axis, x.ndim())?;
    let mut out = x.clone();
    for _ in 0..n {
        let len = out.shape()[d];
        if len <= 1 {
            return part(&out, d, 0, 0);
        }
        let hi = part(&out, d, 1, len - 1)?;
        let lo = part(&out, d, 0, len - 1)?;
        let op = if out.dtype() == DType::Bool {
            BinaryFn::NotEqual
        } else {
            BinaryFn::Sub
        };
        out = binary(op, &hi, &lo)?;
    }
    Ok(out)
}

/// Elements `first..first + len` of axis `d` of `x`.
fn part(x: &Arc<Node>, d: usize, first: usize, len: usize) -> Result<Arc<Node>> {
    let sel = (0..x.ndim())
        .map(|k| AxisSelection::Range {
            first: if k == d { first } else { 0 },
            step: 1,
            len: if k == d { len } else { x.shape()[k] },
        })
        .collect();
    select(x, sel)
}
