//! NumPy's matrix products on top of [`contract`](super::contract): `matmul` (the `@`
//! operator), `dot`, `tensordot` and `outer`, each its NumPy rules for which axes pair,
//! which broadcast and which are summed over.
//!
//! - `matmul(a, b)`: the last axis of `a` with the second-to-last of `b`; the axes before
//!   the last two are stacks of matrices, broadcast against each other; a 1-d operand is
//!   a row (first) or column (second) vector whose axis is removed from the result.
//!   `x @ x.T` and `x.T @ x` of a 2-d `x` compute only half the blocks (`gram`).
//! - `dot(a, b)`: `matmul` for 1-d and 2-d operands; a scalar multiplies; otherwise the
//!   last axis of `a` with the second-to-last of `b` (the last, if `b` is 1-d), every
//!   other axis of both kept (no broadcasting).
//! - `tensordot(a, b, axes)`: the listed axes pairwise, or the last `n` of `a` with the
//!   first `n` of `b`; the result has `a`'s other axes then `b`'s.
//! - `outer(a, b)`: both flattened, every product of an element of `a` with one of `b`.

use std::sync::Arc;

use super::contract::{contract, mismatch, Roles};
use super::gram::gram;
use super::ravel::ravel;
use crate::error::{Error, Result};
use crate::expr::build::{self, axis_index};
use crate::expr::{Node, Op};
use crate::ops::BinaryFn;

/// How `tensordot` pairs axes (NumPy's `axes` argument).
///
/// # Example
///
/// ```
/// use chunkwise::TensordotAxes;
/// let x = chunkwise::ones::<f64>(&[3, 4, 5], [2, 2, 5]);
/// let y = chunkwise::ones::<f64>(&[4, 5, 2], [2, 5, 1]);
/// assert_eq!(x.tensordot(&y, 2).shape(), &[3, 2]);                              // last 2 with first 2
/// assert_eq!(x.tensordot(&y, ([1, 2], [0, 1])).shape(), &[3, 2]);               // the same, listed
/// assert_eq!(x.tensordot(&y, TensordotAxes::Pairs(vec![-1], vec![1])).shape(), &[3, 4, 4, 2]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TensordotAxes {
    /// The last `n` axes of the first operand with the first `n` of the second, in order.
    Last(usize),
    /// These axes of the first operand with these of the second, pairwise (negative
    /// axes count from the end).
    Pairs(Vec<isize>, Vec<isize>),
}

impl From<usize> for TensordotAxes {
    fn from(n: usize) -> Self {
        TensordotAxes::Last(n)
    }
}

impl<const N: usize> From<([isize; N], [isize; N])> for TensordotAxes {
    fn from((a, b): ([isize; N], [isize; N])) -> Self {
        TensordotAxes::Pairs(a.to_vec(), b.to_vec())
    }
}

impl From<(Vec<isize>, Vec<isize>)> for TensordotAxes {
    fn from((a, b): (Vec<isize>, Vec<isize>)) -> Self {
        TensordotAxes::Pairs(a, b)
    }
}

/// The transposed input, when `n` is a plain 2-d transpose.
fn transposed_of(n: &Node) -> Option<&Arc<Node>> {
    match &n.op {
        Op::Transpose(perm) if perm.as_slice() == [1, 0] => Some(&n.inputs[0]),
        _ => None,
    }
}

/// NumPy's `matmul(a, b)` (see the module doc).
pub(crate) fn matmul(a: &Arc<Node>, b: &Arc<Node>) -> Result<Arc<Node>> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return Err(Error::parameter(
            "matmul",
            "operands",
            format!("arrays of shapes {:?} and {:?}", a.shape(), b.shape()),
            "arrays of at least 1 axis (a 0-d array is a scalar: multiply with `*`)",
        ));
    }
    if a.ndim() == 2 && b.ndim() == 2 && a.shape()[1] == b.shape()[0] {
        if transposed_of(b).is_some_and(|x| x.key == a.key) {
            return gram(a, false);
        }
        if transposed_of(a).is_some_and(|x| x.key == b.key) {
            return gram(b, true);
        }
    }
    let a2 = if a.ndim() == 1 {
        build::expand_dims(a, 0)?
    } else {
        a.clone()
    };
    let b2 = if b.ndim() == 1 {
        build::expand_dims(b, 1)?
    } else {
        b.clone()
    };
    let (ka, kb) = (a2.ndim() - 1, b2.ndim() - 2);
    if a2.shape()[ka] != b2.shape()[kb] {
        // Name the axes of the operands as given.
        let kb_given = if b.ndim() == 1 { 0 } else { kb };
        return Err(mismatch("matmul", a, b, (a.ndim() - 1, kb_given)));
    }
    // Stacks of different depth: the shorter gets leading axes of length 1.
    let depth = (a2.ndim() - 2).max(b2.ndim() - 2);
    let lift = |x: Arc<Node>| -> Result<Arc<Node>> {
        let mut x = x;
        while x.ndim() - 2 < depth {
            x = build::expand_dims(&x, 0)?;
        }
        Ok(x)
    };
    let (a3, b3) = (lift(a2)?, lift(b2)?);
    let ra = Roles {
        batch: (0..depth).collect(),
        free: vec![depth],
        sum: vec![depth + 1],
    };
    let rb = Roles {
        batch: (0..depth).collect(),
        free: vec![depth + 1],
        sum: vec![depth],
    };
    let mut out = contract("matmul", &a3, &b3, &ra, &rb)?;
    // The vectors' axes leave the result: the column's is the last axis, the row's the
    // one before it (the last, once the column's is gone).
    if b.ndim() == 1 {
        out = build::squeeze(&out, Some(&[-1]))?;
    }
    if a.ndim() == 1 {
        let row = if b.ndim() == 1 { -1 } else { -2 };
        out = build::squeeze(&out, Some(&[row]))?;
    }
    Ok(out)
}

/// NumPy's `dot(a, b)` (see the module doc).
pub(crate) fn dot(a: &Arc<Node>, b: &Arc<Node>) -> Result<Arc<Node>> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return build::binary(BinaryFn::Mul, a, b);
    }
    if a.ndim() <= 2 && b.ndim() <= 2 {
        return matmul(a, b);
    }
    let b_axis = if b.ndim() == 1 {
        0
    } else {
        b.ndim() as isize - 2
    };
    tensordot_pairs("dot", a, b, &[-1], &[b_axis])
}

/// NumPy's `tensordot(a, b, axes)` (see the module doc).
pub(crate) fn tensordot(a: &Arc<Node>, b: &Arc<Node>, axes: &TensordotAxes) -> Result<Arc<Node>> {
    let (xa, xb): (Vec<isize>, Vec<isize>) = match axes {
        TensordotAxes::Last(n) => {
            let n = *n;
            if n > a.ndim() || n > b.ndim() {
                return Err(Error::parameter(
                    "tensordot",
                    "axes",
                    n,
                    format!(
                        "at most {} (the operands have {} and {} axes)",
                        a.ndim().min(b.ndim()),
                        a.ndim(),
                        b.ndim()
                    ),
                ));
            }
            (
                (a.ndim() - n..a.ndim()).map(|d| d as isize).collect(),
                (0..n).map(|d| d as isize).collect(),
            )
        }
        TensordotAxes::Pairs(xa, xb) => (xa.clone(), xb.clone()),
    };
    // The plain matrix product, so that `tensordot(x, x.T, axes=1)` is `gram` too.
    if a.ndim() == 2 && b.ndim() == 2 && xa.len() == 1 && xb.len() == 1 {
        let (pa, pb) = (
            axis_index("tensordot", xa[0], 2)?,
            axis_index("tensordot", xb[0], 2)?,
        );
        if (pa, pb) == (1, 0) {
            return matmul(a, b);
        }
    }
    tensordot_pairs("tensordot", a, b, &xa, &xb)
}

/// The product over the axis pairs `xa[i]`, `xb[i]`; the result has the other axes of
/// `a`, then those of `b`.
fn tensordot_pairs(
    op: &'static str,
    a: &Arc<Node>,
    b: &Arc<Node>,
    xa: &[isize],
    xb: &[isize],
) -> Result<Arc<Node>> {
    if xa.len() != xb.len() {
        return Err(Error::parameter(
            op,
            "axes",
            format!("{xa:?} and {xb:?}"),
            "two lists of the same length: the axes of the first operand and those of the \
             second they pair with",
        ));
    }
    let sa = distinct(op, xa, a.ndim())?;
    let sb = distinct(op, xb, b.ndim())?;
    let ra = Roles {
        batch: Vec::new(),
        free: (0..a.ndim()).filter(|d| !sa.contains(d)).collect(),
        sum: sa,
    };
    let rb = Roles {
        batch: Vec::new(),
        free: (0..b.ndim()).filter(|d| !sb.contains(d)).collect(),
        sum: sb,
    };
    contract(op, a, b, &ra, &rb)
}

/// The axes `axes` normalized against `ndim`, in the given order, each at most once.
fn distinct(op: &'static str, axes: &[isize], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let d = axis_index(op, a, ndim)?;
        if out.contains(&d) {
            return Err(Error::DuplicateAxis { op, axis: d });
        }
        out.push(d);
    }
    Ok(out)
}

/// NumPy's `outer(a, b)`: `out[i, j] = a.ravel()[i] * b.ravel()[j]`.
pub(crate) fn outer(a: &Arc<Node>, b: &Arc<Node>) -> Result<Arc<Node>> {
    let (a, b) = (ravel(a)?, ravel(b)?);
    let ra = Roles {
        batch: Vec::new(),
        free: vec![0],
        sum: Vec::new(),
    };
    contract("outer", &a, &b, &ra, &ra)
}
