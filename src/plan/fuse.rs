//! Blockwise fusion: which expression nodes run inside another node's kernel, and the
//! [`Program`] of each fused group.
//!
//! A group is a tree of elementwise nodes under one root (an elementwise node whose value
//! is needed elsewhere, or the input of a reduction, whose first stage then runs in the
//! same kernel). Into it fold:
//! - elementwise nodes read by exactly one other node of the group (a node two branches
//!   read is computed once, in its own layer, never twice);
//! - sources that are cheaper to make again than to keep (generators and in-memory
//!   arrays): they are generated or copied tile by tile inside the kernel, by every group
//!   that needs them. Stored arrays are read a block at a time, by a layer per reader.
//!
//! A node joins only when its blocks line up with the root's (same chunks on every axis
//! it does not broadcast), and a group stops growing at [`MAX_GROUP`] nodes. Everything
//! else is an input slot: a block of another layer, read in place or broadcast.

use std::sync::Arc;

use indexmap::{IndexMap, IndexSet};
use smallvec::SmallVec;

use super::LayerId;
use crate::error::{Error, Result};
use crate::expr::{Key, Node, Op, Source};
use crate::kernel::fused::{Broadcast, Load, Operand, Program, ProgramBuilder};

/// Most expression nodes in one fused group (bounds a kernel's registers and inputs).
pub(crate) const MAX_GROUP: usize = 48;

/// The fusion decisions for one graph.
#[derive(Debug, Default)]
pub(crate) struct Fusion {
    enabled: bool,
    /// Elementwise nodes computed inside their consumer's kernel.
    inlined: IndexSet<Key>,
    /// Reductions whose first stage runs in the kernel of their input's group.
    fused_reductions: IndexSet<Key>,
}

impl Fusion {
    /// Decides, for the nodes of `order` (topological) computing `outputs`, which fuse.
    pub(crate) fn decide(order: &[Arc<Node>], outputs: &[Arc<Node>], enabled: bool) -> Fusion {
        let mut fusion = Fusion {
            enabled,
            ..Fusion::default()
        };
        if !enabled {
            return fusion;
        }
        let mut consumers: IndexMap<Key, SmallVec<[&Arc<Node>; 2]>> = IndexMap::new();
        for node in order {
            for input in &node.inputs {
                let list = consumers.entry(input.key).or_default();
                if !list.iter().any(|c| c.key == node.key) {
                    list.push(node);
                }
            }
        }
        let is_output = |n: &Node| outputs.iter().any(|o| o.key == n.key);
        // The node whose blocks a fused node's kernel runs over, and each group's size.
        let mut root_of: IndexMap<Key, Arc<Node>> = IndexMap::new();
        let mut size: IndexMap<Key, usize> = IndexMap::new();
        for node in order.iter().rev() {
            let only_consumer = match consumers.get(&node.key).map(SmallVec::as_slice) {
                Some([c]) if !is_output(node) => Some(*c),
                _ => None,
            };
            match (&node.op, only_consumer) {
                (Op::Map(_), Some(c)) if matches!(c.op, Op::Map(_)) => {
                    let root = root_of.get(&c.key).cloned().unwrap_or_else(|| c.clone());
                    let members = size.entry(root.key).or_insert(1);
                    if *members < MAX_GROUP && lines_up(node, &root) {
                        *members += 1;
                        fusion.inlined.insert(node.key);
                        root_of.insert(node.key, root);
                    }
                }
                (Op::Map(_), Some(c)) if matches!(c.op, Op::Reduce(_)) => {
                    fusion.inlined.insert(node.key);
                    fusion.fused_reductions.insert(c.key);
                }
                _ => {}
            }
        }
        // A reduction straight over a regenerated source generates it in its kernel.
        for node in order {
            if matches!(node.op, Op::Reduce(_)) && is_leaf_source(&node.inputs[0]) {
                fusion.fused_reductions.insert(node.key);
            }
        }
        fusion
    }

    /// True when `node` is computed inside its consumer's kernel (it has no layer).
    pub(crate) fn is_inlined(&self, node: &Node) -> bool {
        self.inlined.contains(&node.key)
    }

    /// True when reduction `node` runs its first stage in its input's kernel.
    pub(crate) fn fuses_reduction(&self, node: &Node) -> bool {
        self.fused_reductions.contains(&node.key)
    }

    /// The program computing `root` block by block, and its input slots: the layer each
    /// reads (from `layer_of`, which lowers a regenerated source when asked) and how its
    /// blocks line up with the root's.
    pub(crate) fn program(
        &self,
        root: &Arc<Node>,
        layer_of: &mut dyn FnMut(&Arc<Node>) -> Result<LayerId>,
    ) -> Result<(Program, Vec<(LayerId, Broadcast)>)> {
        let mut b = ProgramBuilder::new();
        let mut slots: Vec<(LayerId, Broadcast)> = Vec::new();
        let mut memo: IndexMap<Key, Operand> = IndexMap::new();
        let result = self.value(root, root, &mut b, &mut slots, &mut memo, layer_of)?;
        Ok((b.finish(result, root.dtype()), slots))
    }

    fn value(
        &self,
        node: &Arc<Node>,
        root: &Arc<Node>,
        b: &mut ProgramBuilder,
        slots: &mut Vec<(LayerId, Broadcast)>,
        memo: &mut IndexMap<Key, Operand>,
        layer_of: &mut dyn FnMut(&Arc<Node>) -> Result<LayerId>,
    ) -> Result<Operand> {
        if let Some(v) = memo.get(&node.key) {
            return Ok(v.clone());
        }
        let align = Broadcast::of(node.shape(), root.shape());
        let value = match &node.op {
            Op::Map(op) if node.key == root.key || self.is_inlined(node) => {
                let mut args = SmallVec::new();
                for input in &node.inputs {
                    args.push(self.value(input, root, b, slots, memo, layer_of)?);
                }
                b.apply(*op, node.dtype(), args)?
            }
            Op::Source(Source::Full(v)) if self.enabled => Operand::Scalar(v.cast(node.dtype())),
            Op::Source(s)
                if is_tile_source(s)
                    && (self.enabled || node.key == root.key)
                    && lines_up(node, root) =>
            {
                b.load(
                    Load::Source {
                        source: s.clone(),
                        dtype: node.dtype(),
                        shape: node.shape().to_vec(),
                        align,
                    },
                    node.dtype(),
                    s.name(),
                )
            }
            _ => {
                if !lines_up(node, root) {
                    return Err(Error::internal(
                        "plan::fuse",
                        format!(
                            "input {:?} chunked {:?} does not line up with {:?} chunked {:?}",
                            node.shape(),
                            node.chunks(),
                            root.shape(),
                            root.chunks()
                        ),
                    ));
                }
                let slot = slots.len();
                slots.push((layer_of(node)?, align.clone()));
                if align.is_identity() {
                    Operand::Slot(slot)
                } else {
                    b.load(Load::Slot { slot, align }, node.dtype(), "broadcast")
                }
            }
        };
        memo.insert(node.key, value.clone());
        Ok(value)
    }
}

/// True for sources a kernel can read or generate tile by tile.
fn is_leaf_source(node: &Node) -> bool {
    matches!(&node.op, Op::Source(s) if is_tile_source(s))
}

/// True for sources that are cheap to make a tile at a time: generators and in-memory
/// arrays. Stored arrays are not: a tile would decode every storage chunk it touches
/// again, so they are read a block at a time by a layer of their own.
fn is_tile_source(s: &Source) -> bool {
    !matches!(s, Source::Read { .. })
}

/// True when `node`'s blocks line up with `root`'s: `node` broadcasts to `root`'s
/// shape, and every axis it does not broadcast is chunked as `root`'s.
fn lines_up(node: &Node, root: &Node) -> bool {
    let (n, r) = (node.ndim(), root.ndim());
    if n > r {
        return false;
    }
    let lead = r - n;
    (0..n).all(|j| {
        let (len, root_len) = (node.shape()[j], root.shape()[lead + j]);
        if len == root_len {
            node.chunks().axis(j) == root.chunks().axis(lead + j)
        } else {
            len == 1
        }
    })
}
