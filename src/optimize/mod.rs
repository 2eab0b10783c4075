//! Expression-level optimization: pure rewrites of the graph of output nodes before it is
//! lowered, each a type behind [`Pass`] in its own module, run in the order of
//! [`PASSES`]. Their cost grows with the number of operations, never with the number of
//! chunks.
//!
//! - [`SimplifySlicesAndConstants`](simplify::SimplifySlicesAndConstants): merges a slice
//!   of a slice into one slice, and folds elementwise operations on constants into
//!   constants.
//! - [`PushSlicesTowardSources`](pushdown::PushSlicesTowardSources): moves slices through
//!   elementwise operations, transposes and concatenations toward the sources, so
//!   `(x + y)[::2, :100]` computes only what it keeps and reads only the blocks it needs.
//!
//! A pass may change how a result is computed, never what it is: every rewritten node
//! keeps its shape, dtype and chunks, and the outputs stay the same in number and
//! metadata. A pass that breaks this is a bug, reported as [`Error::Internal`] naming the
//! pass, never silently dropped or run.
//!
//! Identities (full slices, identity transposes, same-chunk rechunks, same-dtype casts),
//! transpose∘transpose and rechunk∘rechunk are removed when the nodes are built
//! (`expr::build`), so they never reach the passes. Fusion, budget-aware rechunks and
//! combine trees are decided when lowering (`plan`).

mod pushdown;
mod simplify;

use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::{Error, Result};
use crate::expr::{Key, Node};

/// One rewrite of the expression graph.
pub(crate) trait Pass: Sync {
    /// What the pass does, as a verb phrase (`"push slices toward sources"`), for errors.
    fn name(&self) -> &'static str;

    /// The graph under `outputs` rewritten, logging one line per change for `explain`.
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] naming the pass when a rewrite would change a node's shape,
    /// dtype or chunks.
    fn run(&self, outputs: &[Arc<Node>], log: &mut Vec<String>) -> Result<Vec<Arc<Node>>>;
}

/// The passes, in the order they run.
pub(crate) const PASSES: &[&dyn Pass] = &[
    &simplify::SimplifySlicesAndConstants,
    &pushdown::PushSlicesTowardSources,
];

/// Runs the passes over `outputs`; returns the rewritten outputs (same shapes, dtypes
/// and chunks) and one line per change, for `explain`.
///
/// # Errors
///
/// [`Error::Internal`] naming the pass that broke an invariant.
pub(crate) fn optimize(outputs: &[Arc<Node>]) -> Result<(Vec<Arc<Node>>, Vec<String>)> {
    let mut log = Vec::new();
    let mut current = outputs.to_vec();
    for pass in PASSES {
        let next = pass.run(&current, &mut log)?;
        check_outputs(pass.name(), &current, &next)?;
        current = next;
    }
    Ok((current, log))
}

/// That `after` are `before` rewritten: as many outputs, each with the same metadata.
fn check_outputs(pass: &'static str, before: &[Arc<Node>], after: &[Arc<Node>]) -> Result<()> {
    if before.len() != after.len() {
        return Err(Error::internal(
            pass,
            format!("{} outputs became {}", before.len(), after.len()),
        ));
    }
    for (b, a) in before.iter().zip(after) {
        if a.meta != b.meta {
            return Err(Error::internal(pass, changed(b, a)));
        }
    }
    Ok(())
}

/// What a rewrite changed that it must not have.
fn changed(before: &Node, after: &Node) -> String {
    format!(
        "rewrote {} ({} {:?}, chunks {:?}) into {} ({} {:?}, chunks {:?}); a rewrite must keep \
         the node's shape, dtype and chunks",
        before.op.name(),
        before.dtype(),
        before.shape(),
        before.chunks().blocks_per_axis(),
        after.op.name(),
        after.dtype(),
        after.shape(),
        after.chunks().blocks_per_axis(),
    )
}

/// How many distinct nodes read each node of the graph under `outputs` (outputs count
/// as one reader more).
pub(crate) fn readers(outputs: &[Arc<Node>]) -> IndexMap<Key, usize> {
    let mut count: IndexMap<Key, usize> = IndexMap::new();
    for node in crate::expr::topological_order(outputs) {
        count.entry(node.key).or_insert(0);
        let mut seen: Vec<Key> = Vec::new();
        for input in &node.inputs {
            if !seen.contains(&input.key) {
                seen.push(input.key);
                *count.entry(input.key).or_insert(0) += 1;
            }
        }
    }
    for o in outputs {
        *count.entry(o.key).or_insert(0) += 1;
    }
    count
}

/// A rewrite rule: `(rebuilt node, original node) -> replacement`.
pub(crate) type Rule<'r> = dyn FnMut(&Arc<Node>, &Arc<Node>) -> Option<Arc<Node>> + 'r;

/// Rebuilds the graph under `outputs` bottom-up: `rule` sees each node with its inputs
/// already rewritten, and the original node (whose keys index [`readers`]), and returns
/// its replacement, which must keep the node's shape, dtype and chunks. Shared nodes are
/// rewritten once.
///
/// # Errors
///
/// [`Error::Internal`] naming `pass` when a replacement changes a node's metadata.
pub(crate) fn rewrite(
    outputs: &[Arc<Node>],
    pass: &'static str,
    rule: &mut Rule<'_>,
) -> Result<Vec<Arc<Node>>> {
    let mut done: IndexMap<Key, Arc<Node>> = IndexMap::new();
    for node in crate::expr::topological_order(outputs) {
        let inputs: Vec<Arc<Node>> = node.inputs.iter().map(|i| done[&i.key].clone()).collect();
        let same_inputs = inputs
            .iter()
            .zip(&node.inputs)
            .all(|(a, b)| Arc::ptr_eq(a, b));
        let rebuilt = if same_inputs {
            node.clone()
        } else {
            Node::new(node.op.clone(), inputs, node.meta.clone())
        };
        let replaced = match rule(&rebuilt, &node) {
            Some(r) if r.meta != rebuilt.meta => {
                return Err(Error::internal(pass, changed(&rebuilt, &r)));
            }
            Some(r) => r,
            None => rebuilt,
        };
        done.insert(node.key, replaced);
    }
    Ok(outputs.iter().map(|o| done[&o.key].clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rewrite_that_changes_a_node_is_an_internal_error_naming_the_pass() {
        let x = crate::arange::<f64>(0.0, 10.0, 1.0, [5]);
        let y = (&x + 1.0).node.clone();
        let other = crate::arange::<f64>(0.0, 4.0, 1.0, [4]).node.clone();
        let err = rewrite(&[y], "replace everything", &mut |_, _| Some(other.clone())).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Internal {
                    context: "replace everything",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("must keep"), "{err}");
    }

    #[test]
    fn the_passes_keep_every_output() {
        let x = crate::random::uniform::<f64>(&[50, 50], [7, 9], 3);
        let outputs = [
            (&x * 2.0).slice(ndarray::s![3..9, ..;2]).node.clone(),
            x.sum(0).node.clone(),
        ];
        let (out, _) = optimize(&outputs).unwrap();
        assert_eq!(out.len(), 2);
        for (a, b) in out.iter().zip(&outputs) {
            assert_eq!(a.meta, b.meta);
        }
    }
}
