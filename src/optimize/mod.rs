//! Expression-level optimization: pure rewrites of the graph of output nodes before it is
//! lowered, each pass its own module. Their cost grows with the number of operations,
//! never with the number of chunks.
//!
//! - [`simplify`]: merges a slice of a slice into one slice, and folds elementwise
//!   operations on constants into constants.
//! - [`pushdown`]: moves slices through elementwise operations and transposes toward the
//!   sources, so `(x + y)[::2, :100]` computes only what it keeps and reads only the blocks
//!   it needs.
//!
//! Identities (full slices, identity transposes, same-chunk rechunks, same-dtype casts),
//! transpose∘transpose and rechunk∘rechunk are removed when the nodes are built
//! (`expr::build`), so they never reach the passes. Fusion, budget-aware rechunks and
//! combine trees are decided when lowering (`plan`).

mod pushdown;
mod simplify;

use std::sync::Arc;

use indexmap::IndexMap;

use crate::expr::{Key, Node};

/// Runs the passes over `outputs`; returns the rewritten outputs (same shapes, dtypes
/// and chunks) and one line per change, for `explain`.
pub(crate) fn optimize(outputs: &[Arc<Node>]) -> (Vec<Arc<Node>>, Vec<String>) {
    let mut log = Vec::new();
    let simplified = simplify::simplify(outputs, &mut log);
    let pushed = pushdown::pushdown(&simplified, &mut log);
    (pushed, log)
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
/// its replacement (which must keep the node's shape, dtype and chunks; a replacement
/// that does not is dropped). Shared nodes are rewritten once.
pub(crate) fn rewrite(outputs: &[Arc<Node>], rule: &mut Rule<'_>) -> Vec<Arc<Node>> {
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
            Some(r) if r.meta == rebuilt.meta => r,
            _ => rebuilt,
        };
        done.insert(node.key, replaced);
    }
    outputs.iter().map(|o| done[&o.key].clone()).collect()
}
