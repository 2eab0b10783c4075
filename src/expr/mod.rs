//! [`Node`], one operation of the lazy expression graph, with its [`Op`] and deterministic
//! blake3 [`Key`].
//!
//! Every array operation adds one node that records the operation, its inputs and the
//! result's metadata (shape, dtype, chunk grid). Nothing is computed. A node's key hashes
//! the operation, its parameters, its metadata and its inputs' keys, so building the same
//! expression twice yields nodes with the same key, and the planner treats them as one
//! node: a shared sub-expression is computed once.
//!
//! Where it sits: the array facade builds nodes through [`build`]; the planner
//! (`crate::plan`) lowers a set of output nodes to layers and tasks. This module knows
//! nothing about chunks' data or threads.

pub(crate) mod build;
pub(crate) mod deferred;

pub use deferred::UNKNOWN_LEN;
mod key;
mod ops;

use std::sync::Arc;

pub(crate) use key::Key;
pub(crate) use ops::{Distribution, Op, Reduction, Source};

use crate::chunks::ChunkGrid;
use crate::element::DType;

/// What every node knows about the array it produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) shape: Vec<usize>,
    pub(crate) dtype: DType,
    pub(crate) chunks: ChunkGrid,
}

impl Meta {
    pub(crate) fn new(dtype: DType, chunks: ChunkGrid) -> Meta {
        Meta {
            shape: chunks.shape(),
            dtype,
            chunks,
        }
    }

    /// Total bytes of the array.
    pub(crate) fn nbytes(&self) -> usize {
        self.shape.iter().product::<usize>() * self.dtype.size()
    }
}

/// One operation of the expression graph.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) key: Key,
    pub(crate) op: Op,
    pub(crate) inputs: Vec<Arc<Node>>,
    pub(crate) meta: Meta,
    /// The shape users see when some axis has a length that depends on data not
    /// computed yet: those axes read [`deferred::UNKNOWN_LEN`] (`None`: all known, the
    /// shape is `meta.shape`); see [`deferred`].
    pub(crate) shown_shape: Option<Box<[usize]>>,
}

impl Node {
    /// Creates a node and derives its key.
    pub(crate) fn new(op: Op, inputs: Vec<Arc<Node>>, meta: Meta) -> Arc<Node> {
        let key = Key::of(&op, &inputs, &meta);
        let shown_shape = deferred::unknown_axes(&op, &inputs, meta.shape.len()).map(|u| {
            meta.shape
                .iter()
                .zip(u.iter())
                .map(|(&n, &u)| if u { deferred::UNKNOWN_LEN } else { n })
                .collect()
        });
        Arc::new(Node {
            key,
            op,
            inputs,
            meta,
            shown_shape,
        })
    }

    pub(crate) fn shape(&self) -> &[usize] {
        &self.meta.shape
    }

    /// The shape users see: [`deferred::UNKNOWN_LEN`] on axes whose length depends on
    /// data not computed yet.
    pub(crate) fn shown_shape(&self) -> &[usize] {
        self.shown_shape.as_deref().unwrap_or(&self.meta.shape)
    }

    pub(crate) fn ndim(&self) -> usize {
        self.meta.shape.len()
    }

    pub(crate) fn dtype(&self) -> DType {
        self.meta.dtype
    }

    pub(crate) fn chunks(&self) -> &ChunkGrid {
        &self.meta.chunks
    }
}

/// The distinct nodes reachable from `outputs`, each listed after all of its inputs, and
/// deduplicated by key (so equal sub-expressions built twice appear once).
pub(crate) fn topological_order(outputs: &[Arc<Node>]) -> Vec<Arc<Node>> {
    let mut seen: indexmap::IndexSet<Key> = indexmap::IndexSet::new();
    let mut order = Vec::new();
    // Iterative post-order DFS; `true` marks a node whose inputs have been pushed.
    let mut stack: Vec<(Arc<Node>, bool)> =
        outputs.iter().rev().map(|n| (n.clone(), false)).collect();
    while let Some((node, expanded)) = stack.pop() {
        if expanded {
            if seen.insert(node.key) {
                order.push(node);
            }
            continue;
        }
        if seen.contains(&node.key) {
            continue;
        }
        stack.push((node.clone(), true));
        for input in node.inputs.iter().rev() {
            if !seen.contains(&input.key) {
                stack.push((input.clone(), false));
            }
        }
    }
    order
}

/// The error of the first invalid operation under `outputs`, if there is one: what
/// `compute` and `explain` return before planning anything.
pub(crate) fn first_error(outputs: &[Arc<Node>]) -> Option<crate::error::Error> {
    topological_order(outputs).iter().find_map(|n| match &n.op {
        Op::Invalid(i) => Some(i.to_error()),
        _ => None,
    })
}
