//! Simplification: a slice of a slice becomes one slice (unless the inner slice is also
//! read elsewhere), and an elementwise operation whose inputs are all constants becomes
//! a constant.

use std::sync::Arc;

use crate::chunks::AxisSelection;
use crate::error::Result;
use crate::expr::{build, Node, Op, Source};

use super::Pass;

/// The pass: a slice of a slice merged, constants folded.
pub(crate) struct SimplifySlicesAndConstants;

impl Pass for SimplifySlicesAndConstants {
    fn name(&self) -> &'static str {
        "simplify slices and constants"
    }

    fn run(&self, outputs: &[Arc<Node>], log: &mut Vec<String>) -> Result<Vec<Arc<Node>>> {
        simplify(outputs, self.name(), log)
    }
}

/// Simplifies the graph under `outputs`, logging each change.
fn simplify(
    outputs: &[Arc<Node>],
    pass: &'static str,
    log: &mut Vec<String>,
) -> Result<Vec<Arc<Node>>> {
    let readers = super::readers(outputs);
    super::rewrite(outputs, pass, &mut |node, original| {
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

#[cfg(test)]
mod tests {
    use ndarray::s;

    use super::*;

    #[test]
    fn a_slice_of_a_slice_becomes_one_slice() {
        let x = crate::arange::<f64>(0.0, 100.0, 1.0, [10]);
        let y = x.slice(s![10..90]).slice(s![5..20;2]);
        let mut log = Vec::new();
        let out = SimplifySlicesAndConstants
            .run(std::slice::from_ref(&y.node), &mut log)
            .unwrap();
        assert!(matches!(out[0].op, Op::Slice(_)));
        assert!(matches!(out[0].inputs[0].op, Op::Source(_)), "{:?}", out[0]);
        assert_eq!(out[0].meta, y.node.meta);
        assert_eq!(log.len(), 1, "{log:?}");
    }

    #[test]
    fn an_operation_on_constants_folds_into_a_constant() {
        let two = build::scalar(crate::Scalar::F64(2.0));
        let y = build::unary(crate::ops::UnaryFn::Exp, &two).unwrap();
        let mut log = Vec::new();
        let out = SimplifySlicesAndConstants.run(&[y], &mut log).unwrap();
        assert!(matches!(out[0].op, Op::Source(_)), "{:?}", out[0]);
        assert!(log[0].contains("folded into a constant"), "{log:?}");
    }
}
