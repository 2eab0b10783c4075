//! Simplification: a slice of a slice becomes one slice (unless the inner slice is also
//! read elsewhere), and an elementwise operation whose inputs are all constants becomes
//! a constant.

use std::sync::Arc;

use crate::chunks::AxisSelection;
use crate::expr::{build, Node, Op, Source};

/// Simplifies the graph under `outputs`, logging each change.
pub(crate) fn simplify(outputs: &[Arc<Node>], log: &mut Vec<String>) -> Vec<Arc<Node>> {
    let readers = super::readers(outputs);
    super::rewrite(outputs, &mut |node, original| {
        let shared = original
            .inputs
            .first()
            .is_some_and(|i| readers.get(&i.key).copied().unwrap_or(0) > 1);
        let r = (!shared)
            .then(|| merge_slices(node))
            .flatten()
            .or_else(|| fold_constant(node))?;
        log.push(format!(
            "simplify: {} of {:?} {}",
            node.op.name(),
            node.shape(),
            if matches!(r.op, Op::Source(_)) {
                "folded into a constant"
            } else {
                "merged with the slice under it"
            }
        ));
        Some(r)
    })
}

/// `x[a][b]` as `x[c]`, when both are ranges on every axis (the caller checks that `x[a]`
/// has no other reader).
fn merge_slices(node: &Arc<Node>) -> Option<Arc<Node>> {
    let (Op::Slice(outer), Some(inner)) = (&node.op, node.inputs.first()) else {
        return None;
    };
    let Op::Slice(first) = &inner.op else {
        return None;
    };
    if outer.len() != first.len() {
        return None;
    }
    let merged: Option<Vec<AxisSelection>> = first
        .iter()
        .zip(outer)
        .map(|(a, b)| match (*a, *b) {
            (
                AxisSelection::Range {
                    first: f1,
                    step: s1,
                    ..
                },
                AxisSelection::Range {
                    first: f2,
                    step: s2,
                    len,
                },
            ) => {
                let start = f1 as isize + f2 as isize * s1;
                Some(AxisSelection::Range {
                    first: usize::try_from(start).ok()?,
                    step: s1.checked_mul(s2)?,
                    len,
                })
            }
            _ => None,
        })
        .collect();
    build::select(&inner.inputs[0], merged?).ok()
}

/// An elementwise operation of 0-d constants, computed now.
fn fold_constant(node: &Arc<Node>) -> Option<Arc<Node>> {
    let Op::Map(op) = node.op else {
        return None;
    };
    if node.ndim() != 0 {
        return None;
    }
    let mut values = Vec::with_capacity(node.inputs.len());
    for input in &node.inputs {
        match &input.op {
            Op::Source(Source::Full(v)) if input.ndim() == 0 => values.push(*v),
            _ => return None,
        }
    }
    let value = crate::kernel::fused::constant(op, node.dtype(), &values).ok()?;
    Some(build::scalar(value))
}
