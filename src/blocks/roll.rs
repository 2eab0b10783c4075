//! `roll`: the elements shifted cyclically along axes (NumPy's `roll`), as the
//! concatenation of the array's two parts: `roll(x, s)` along an axis of `n` is
//! `concatenate([x[n - s:], x[:n - s]])`, so each output block is a slice of one input
//! block and culling reads only what a slice of the result needs.
//!
//! ```text
//!  [a b c d e] rolled by 2: [d e | a b c]
//! ```

use std::sync::Arc;

use crate::chunks::AxisSelection;
use crate::error::{Error, Result};
use crate::expr::build::{axis_index, select};
use crate::expr::Node;

use super::concatenate::concatenate;
use super::reshape::reshape;

/// `x` rolled by `shifts[i]` along `axes[i]` (shifts and axes broadcast against each
/// other; shifts on a repeated axis add up). `axes` `None`: the flattened array is
/// rolled by the sum of the shifts, and reshaped back.
pub(crate) fn roll(x: &Arc<Node>, shifts: &[i64], axes: Option<&[isize]>) -> Result<Arc<Node>> {
    let Some(axes) = axes else {
        let total = shifts.iter().fold(0i64, |a, &s| a.wrapping_add(s));
        let flat = reshape(x, &[-1])?;
        let rolled = roll_axis(&flat, 0, total)?;
        let shape: Vec<isize> = x.shape().iter().map(|&n| n as isize).collect();
        return reshape(&rolled, &shape);
    };
    let n = match (shifts.len(), axes.len()) {
        (a, b) if a == b => a,
        (1, b) => b,
        (a, 1) => a,
        (a, b) => {
            return Err(Error::parameter(
                "roll",
                "shift",
                format!("{a} shifts for {b} axes"),
                "one shift, or one per axis",
            ))
        }
    };
    let mut per_axis = vec![0i64; x.ndim()];
    for i in 0..n {
        let s = shifts[if shifts.len() == 1 { 0 } else { i }];
        let a = axes[if axes.len() == 1 { 0 } else { i }];
        let a = axis_index("roll", a, x.ndim())?;
        per_axis[a] = per_axis[a].wrapping_add(s);
    }
    let mut out = x.clone();
    for (d, &s) in per_axis.iter().enumerate() {
        out = roll_axis(&out, d, s)?;
    }
    Ok(out)
}

/// `x` rolled by `shift` along axis `d`.
fn roll_axis(x: &Arc<Node>, d: usize, shift: i64) -> Result<Arc<Node>> {
    let n = x.shape()[d];
    if n == 0 {
        return Ok(x.clone());
    }
    let s = shift.rem_euclid(n as i64) as usize;
    if s == 0 {
        return Ok(x.clone());
    }
    let part = |first: usize, len: usize| {
        let sel = (0..x.ndim())
            .map(|k| AxisSelection::Range {
                first: if k == d { first } else { 0 },
                step: 1,
                len: if k == d { len } else { x.shape()[k] },
            })
            .collect();
        select(x, sel)
    };
    concatenate(&[part(n - s, s)?, part(0, n - s)?], d as isize)
}
