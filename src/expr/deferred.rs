//! [`Deferred`], an operation whose result geometry depends on data (a boolean mask's
//! selection, `nonzero`, `argwhere`, `compress`, `take` with a lazy index), and the
//! bookkeeping of which axes of a node have a length not known yet.
//!
//! Such a node (`Op::Deferred`) carries a *placeholder* [`Meta`]: one chunk per block it
//! will produce, each as long as it could at most be. Builders above it use the
//! placeholder as any metadata, so `x[x > 0.5].sum()` and `concatenate([x[m], y])` build;
//! but nothing plans it. Before planning, `compute` and `explain` resolve it
//! (`crate::resolve`): they compute the small arrays it [`needs`](Deferred::needs) (the
//! counting pass: true values per block of a mask, or the index values) inside the same
//! call, ask it for the concrete node ([`resolve`](Deferred::resolve)), and rebuild the
//! nodes above.
//!
//! The user sees honest metadata: a node's unknown axes (its
//! [`shown_shape`](super::Node::shown_shape)) are those whose length is data-dependent,
//! derived per operation by [`unknown_axes`], and
//! `LazyArray::shape` reports them as [`UNKNOWN_LEN`] (`LazyArray::dims` as `None`),
//! never as the placeholder's upper bound.

use std::fmt;
use std::sync::Arc;

use super::{Meta, Node, Op};
use crate::any_array::AnyArray;
use crate::chunks::AxisSelection;
use crate::error::Result;

/// The length `LazyArray::shape` reports for an axis whose length depends on data not
/// computed yet (Dask's `nan`): `usize::MAX`, never a real length.
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(0i32, 6, 1, [4]);
/// let kept = x.boolean_index(&x.greater(2));
/// assert_eq!(kept.shape(), &[chunkwise::UNKNOWN_LEN]);
/// assert_eq!(kept.dims(), vec![None]);
/// assert_eq!(kept.compute()?.len(), 3);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub const UNKNOWN_LEN: usize = usize::MAX;

/// An operation whose output chunks depend on the values of some small arrays.
pub(crate) trait Deferred: Send + Sync + fmt::Debug {
    /// The operation's NumPy name.
    fn name(&self) -> &'static str;

    /// Its parameters in a canonical byte encoding, for the node's key.
    fn key(&self) -> Vec<u8>;

    /// Which output axes have a data-dependent length.
    fn unknown_axes(&self) -> Vec<bool>;

    /// The arrays, built from the node's `inputs`, whose values decide the result's
    /// geometry (the counting pass).
    ///
    /// # Errors
    ///
    /// When they cannot be built.
    fn needs(&self, inputs: &[Arc<Node>]) -> Result<Vec<Arc<Node>>>;

    /// The concrete node computing the same values, given the values of
    /// [`needs`](Self::needs).
    ///
    /// # Errors
    ///
    /// What the values show is wrong (an index out of range, say).
    fn resolve(&self, inputs: &[Arc<Node>], values: &[AnyArray]) -> Result<Arc<Node>>;

    /// The node rebuilt over new inputs of possibly other metadata (when something
    /// under it was resolved first).
    ///
    /// # Errors
    ///
    /// When the new inputs do not fit the operation.
    fn rebuild(&self, inputs: &[Arc<Node>]) -> Result<Arc<Node>>;

    /// What the counting pass computes, for `explain`.
    fn describe(&self) -> String;
}

/// A deferred node of `kernel` over `inputs` with its placeholder metadata.
pub(crate) fn node(
    kernel: Arc<dyn Deferred>,
    inputs: Vec<Arc<Node>>,
    placeholder: Meta,
) -> Arc<Node> {
    Node::new(Op::Deferred(kernel), inputs, placeholder)
}

/// Which axes of a node of `op` over `inputs` (of `ndim` axes) have a data-dependent
/// length; `None` when all are known (the common case, decided without allocating).
pub(crate) fn unknown_axes(op: &Op, inputs: &[Arc<Node>], ndim: usize) -> Option<Box<[bool]>> {
    if let Op::Deferred(d) = op {
        let u = d.unknown_axes();
        return u.iter().any(|&b| b).then(|| u.into());
    }
    if inputs.iter().all(|i| i.shown_shape.is_none()) {
        return None;
    }
    let of = |i: &Arc<Node>| -> Vec<bool> {
        i.shown_shape().iter().map(|&n| n == UNKNOWN_LEN).collect()
    };
    let first = inputs.first().map_or_else(Vec::new, of);
    let out: Vec<bool> = match op {
        Op::Map(_) => (0..ndim)
            .map(|d| {
                inputs.iter().any(|i| {
                    let u = of(i);
                    let off = ndim - u.len();
                    d >= off && u[d - off]
                })
            })
            .collect(),
        Op::Reduce(r) => first
            .iter()
            .enumerate()
            .filter_map(|(d, &u)| {
                if r.axes.contains(&d) {
                    r.keepdims.then_some(false)
                } else {
                    Some(u)
                }
            })
            .collect(),
        Op::Slice(sel) => {
            let mut axis = 0;
            let mut out = Vec::new();
            for s in sel {
                match s {
                    AxisSelection::Range { .. } => {
                        out.push(first[axis]);
                        axis += 1;
                    }
                    AxisSelection::Index(_) => axis += 1,
                    AxisSelection::NewAxis => out.push(false),
                }
            }
            out
        }
        Op::Transpose(p) => p.iter().map(|&a| first[a]).collect(),
        Op::ExpandDims(a) => {
            let mut out = first;
            out.insert(*a, false);
            out
        }
        Op::Squeeze(axes) => first
            .iter()
            .enumerate()
            .filter_map(|(d, &u)| (!axes.contains(&d)).then_some(u))
            .collect(),
        Op::Rechunk | Op::Store(_) => first,
        // A block kernel over a data-dependent input: conservatively, every axis.
        Op::Block(_) => vec![true; ndim],
        Op::Source(_) | Op::Invalid(_) | Op::Deferred(_) => vec![false; ndim],
    };
    (out.len() == ndim && out.iter().any(|&b| b)).then(|| out.into())
}
