//! [`resolve`] turns a graph with data-dependent nodes (`Op::Deferred`: boolean masks,
//! `nonzero`, `argwhere`, `compress`, `take` with a lazy index) into one the planner can
//! lay out, by running their counting passes first, inside the same `compute`.
//!
//! Where it sits: the first step of `compute`, `explain` and `graph_stats`, before the
//! optimizer. It is given the way to run a computation (`run`), so it needs nothing of
//! the planner and the executor.
//!
//! ```text
//!  x[x > 0.5].sum()                       round 1: compute the counts of `x > 0.5`
//!                                                  per block row (one small task each)
//!  sum ── mask_select? ── x, x > 0.5      then:   mask_select → a block kernel whose
//!                                                  chunks are the counts; `sum` rebuilt
//!                                                  over it; plan and run as usual
//! ```
//!
//! One round resolves the lowest data-dependent nodes (those with none under them), so a
//! mask of a masked array takes two rounds. Each node above a resolved one is rebuilt by
//! its own builder over the new inputs ([`rederive`]): elementwise functions,
//! reductions, transposes, new and squeezed axes, slices that keep the data-dependent
//! axes whole, rechunks (which keep the resolved chunks on those axes), and other
//! data-dependent nodes. A node that baked the old geometry into itself (a block
//! kernel such as `flip` or `concatenate`, a write to storage, a slice into the
//! data-dependent axis) cannot be rebuilt and is refused with
//! [`Error::DataDependentShape`], which says to compute the selection first; `take` with
//! a lazy index keeps the chunks it was built with, so anything may follow it.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::any_array::AnyArray;
use crate::chunks::{AxisSelection, ChunkGrid};
use crate::error::{Error, Result};
use crate::expr::{build, topological_order, Key, Node, Op};

/// How `resolve` runs the counting pass: computes nodes, returns their values.
pub(crate) type Run<'r> = dyn FnMut(&[Arc<Node>]) -> Result<Vec<AnyArray>> + 'r;

/// `outputs` with every data-dependent node replaced by a concrete one (the counting
/// passes computed by `run`), and one line per resolved node for `explain`.
///
/// # Errors
///
/// The counting pass's errors, a resolution's (an index out of range), or
/// [`Error::DataDependentShape`] for an operation that cannot follow a data-dependent
/// one.
pub(crate) fn resolve(
    outputs: &[Arc<Node>],
    run: &mut Run<'_>,
    log: &mut Vec<String>,
) -> Result<Vec<Arc<Node>>> {
    let mut outputs = outputs.to_vec();
    loop {
        let order = topological_order(&outputs);
        // Nodes with a deferred node strictly under them.
        let mut above: IndexMap<Key, bool> = IndexMap::new();
        let mut lowest: Vec<Arc<Node>> = Vec::new();
        for node in &order {
            let under = node
                .inputs
                .iter()
                .any(|i| above[&i.key] || matches!(i.op, Op::Deferred(_)));
            above.insert(node.key, under);
            if matches!(node.op, Op::Deferred(_)) && !under {
                lowest.push(node.clone());
            }
        }
        if lowest.is_empty() {
            return Ok(outputs);
        }
        let mut needs = Vec::new();
        let mut counts = Vec::new();
        for node in &lowest {
            let Op::Deferred(d) = &node.op else {
                unreachable!("filtered above")
            };
            let n = d.needs(&node.inputs)?;
            counts.push(n.len());
            needs.extend(n);
        }
        let values = run(&needs)?;
        let mut done: IndexMap<Key, Arc<Node>> = IndexMap::new();
        let mut next = 0;
        for (node, count) in lowest.iter().zip(counts) {
            let Op::Deferred(d) = &node.op else {
                unreachable!("filtered above")
            };
            let resolved = d.resolve(&node.inputs, &values[next..next + count])?;
            next += count;
            log.push(format!(
                "data-dependent sizes: `{}` ({}) was resolved by a counting pass run first \
                 ({} array{} computed); its chunks are {}",
                d.name(),
                d.describe(),
                count,
                if count == 1 { "" } else { "s" },
                resolved.chunks()
            ));
            done.insert(node.key, resolved);
        }
        for node in &order {
            if done.contains_key(&node.key) {
                continue;
            }
            let inputs: Vec<Arc<Node>> = node.inputs.iter().map(|i| done[&i.key].clone()).collect();
            let same = inputs
                .iter()
                .zip(&node.inputs)
                .all(|(a, b)| Arc::ptr_eq(a, b));
            let rebuilt = if same {
                node.clone()
            } else {
                rederive(node, inputs)?
            };
            done.insert(node.key, rebuilt);
        }
        outputs = outputs.iter().map(|o| done[&o.key].clone()).collect();
    }
}

/// `node`'s operation rebuilt over `inputs`, whose metadata may differ from its old
/// inputs' (something under them was resolved).
fn rederive(node: &Arc<Node>, inputs: Vec<Arc<Node>>) -> Result<Arc<Node>> {
    let unchanged = inputs
        .iter()
        .zip(&node.inputs)
        .all(|(a, b)| a.meta == b.meta);
    if unchanged && !matches!(node.op, Op::Deferred(_)) {
        return Ok(Node::new(node.op.clone(), inputs, node.meta.clone()));
    }
    let refuse = || Error::DataDependentShape {
        op: node.op.name(),
        after: data_dependent_name(&node.inputs),
    };
    let x = &inputs[0];
    match &node.op {
        Op::Map(m) => build::map_with(*m, &inputs, node.dtype()),
        Op::Reduce(r) => {
            let axes: Vec<isize> = r.axes.iter().map(|&a| a as isize).collect();
            build::reduce(r.kind, x, Some(&axes), r.keepdims, r.split_every)
        }
        Op::Transpose(p) => build::permute_exact(x, p),
        Op::ExpandDims(a) => build::expand_dims(x, *a as isize),
        Op::Squeeze(axes) => {
            let axes: Vec<isize> = axes.iter().map(|&a| a as isize).collect();
            build::squeeze(x, Some(&axes))
        }
        Op::Slice(sel) => {
            let old = node.inputs[0].shape();
            let mut axis = 0;
            let mut out = Vec::with_capacity(sel.len());
            for s in sel {
                match *s {
                    AxisSelection::NewAxis => out.push(*s),
                    _ if old[axis] == x.shape()[axis] => {
                        out.push(*s);
                        axis += 1;
                    }
                    AxisSelection::Range { .. } if s.is_full(old[axis]) => {
                        out.push(AxisSelection::Range {
                            first: 0,
                            step: 1,
                            len: x.shape()[axis],
                        });
                        axis += 1;
                    }
                    _ => return Err(refuse()),
                }
            }
            build::select(x, out)
        }
        Op::Rechunk => {
            let old = node.inputs[0].shape();
            let axes = (0..x.ndim())
                .map(|d| {
                    if old[d] == x.shape()[d] {
                        node.chunks().axis(d).clone()
                    } else {
                        x.chunks().axis(d).clone()
                    }
                })
                .collect();
            Ok(build::rechunk_to(x, ChunkGrid::new(axes)))
        }
        Op::Deferred(d) => d.rebuild(&inputs),
        Op::Block(_) | Op::Store(_) | Op::Source(_) | Op::Invalid(_) => Err(refuse()),
    }
}

/// The name of the data-dependent operation under `inputs`, for errors.
fn data_dependent_name(inputs: &[Arc<Node>]) -> &'static str {
    topological_order(inputs)
        .iter()
        .find_map(|n| match &n.op {
            Op::Deferred(d) => Some(d.name()),
            _ => None,
        })
        .unwrap_or("a data-dependent operation")
}
