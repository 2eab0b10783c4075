//! [`Plan`]: the expression graph lowered to layers, each one kernel applied per output
//! block, with the map from each output block to the input blocks it reads.
//!
//! Lowering walks the distinct nodes (deduplicated by key) in topological order. Most
//! nodes become one layer; a reduction becomes a per-block partial layer followed by a
//! tree of combine layers whose fan-in is the reduction's `split_every`, the last one
//! finalizing (mean = sum / count, ...). The number of layers grows with the number of
//! operations, never with the number of chunks; [`tasks`] then expands the layers into
//! a culled task graph with one task per needed block.
//!
//! Where it sits: expr → **plan** → exec. The optimizer (a later stage) will rewrite the
//! expression graph before lowering and fuse layers after it.

pub(crate) mod check;
pub(crate) mod dot;
pub(crate) mod explain;
pub(crate) mod fit;
mod fuse;
mod kinds;
mod layer;
mod rechunk;
pub(crate) mod tasks;
pub(crate) mod writes;

use std::sync::Arc;

use indexmap::IndexMap;

pub(crate) use layer::Layer;

use crate::chunks::ChunkGrid;
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::{self, Key, Node, Op, Reduction, Source};
use crate::kernel::fused::{Broadcast, Program};

/// Index of a layer in a [`Plan`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LayerId(pub(crate) u32);

/// One requested output of a plan.
#[derive(Clone, Debug)]
pub(crate) struct PlanOutput {
    pub(crate) layer: LayerId,
    pub(crate) grid: ChunkGrid,
    pub(crate) dtype: DType,
}

/// Layers in topological order, and the layers holding the requested outputs.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) layers: Vec<Layer>,
    pub(crate) outputs: Vec<PlanOutput>,
    /// Number of distinct expression nodes lowered.
    pub(crate) nodes: usize,
}

impl Plan {
    pub(crate) fn layer(&self, id: LayerId) -> &Layer {
        &self.layers[id.0 as usize]
    }
}

/// How to lower a graph.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LowerOptions {
    /// Fuse chains of elementwise work (and the first stage of reductions) into one
    /// kernel per block; without it, every operation is its own layer.
    pub(crate) fuse: bool,
    /// The memory budget in bytes: rechunks and reduction trees are planned so that
    /// their tasks fit in it.
    pub(crate) budget: u64,
    /// How hard to shrink the plan (0: not at all): each step halves the budget the
    /// planner aims at and reads stored arrays in finer boxes for rechunks
    /// ([`fit`] raises it until the plan's projected peak fits).
    pub(crate) squeeze: u32,
}

impl Default for LowerOptions {
    fn default() -> Self {
        LowerOptions {
            fuse: true,
            budget: u64::MAX,
            squeeze: 0,
        }
    }
}

/// Lowers the expression graph reachable from `outputs` to layers.
///
/// A generator source (constants, ranges, random numbers) read by several operations gets
/// one layer per reader, or is generated inside each reader's fused kernel: regenerating
/// a block is cheaper than holding it in memory until its last reader runs (for
/// `(x - x.mean()).sum()`, holding `x` would mean holding all of it while the mean is
/// computed). A stored array is read once and its blocks shared when all of it fits in
/// a quarter of the budget (decoding is far dearer than generating), and read again by
/// each reader when it does not, so arrays larger than memory still stream.
pub(crate) fn lower(outputs: &[Arc<Node>], options: LowerOptions) -> Result<Plan> {
    let options = LowerOptions {
        budget: options.budget >> options.squeeze.min(63),
        ..options
    };
    let order = expr::topological_order(outputs);
    let fusion = fuse::Fusion::decide(&order, outputs, options.fuse);
    let mut layers: Vec<Layer> = Vec::new();
    let mut layer_of: IndexMap<Key, LayerId> = IndexMap::new();
    let is_output = |n: &Node| outputs.iter().any(|o| o.key == n.key);
    for node in &order {
        let regenerated = is_regenerated(node, options.budget);
        if (regenerated || fusion.is_inlined(node)) && !is_output(node) {
            continue; // lowered by its readers
        }
        let id = match &node.op {
            Op::Map(_) => {
                let (program, slots) = fusion.program(node, &mut |input| {
                    input_layer(&mut layers, &layer_of, input, options.budget)
                })?;
                push(&mut layers, Layer::fused(node, program, slots))
            }
            Op::Reduce(r) if fusion.fuses_reduction(node) => {
                let input = &node.inputs[0];
                let (program, slots) = fusion.program(input, &mut |i| {
                    input_layer(&mut layers, &layer_of, i, options.budget)
                })?;
                lower_reduction(
                    &mut layers,
                    node,
                    r,
                    First::Fused(program, slots),
                    options.budget,
                )
            }
            op => {
                if matches!(op, Op::Rechunk) {
                    if let Some(id) = rechunk::lower_from_source(&mut layers, node, &options)? {
                        layer_of.insert(node.key, id);
                        continue;
                    }
                }
                let mut inputs: Vec<LayerId> = Vec::with_capacity(node.inputs.len());
                for (i, input) in node.inputs.iter().enumerate() {
                    // The same generator twice in one operation is generated once.
                    let id = match node.inputs[..i].iter().position(|p| p.key == input.key) {
                        Some(j) => inputs[j],
                        None => input_layer(&mut layers, &layer_of, input, options.budget)?,
                    };
                    inputs.push(id);
                }
                match op {
                    Op::Reduce(r) => lower_reduction(
                        &mut layers,
                        node,
                        r,
                        First::Input(inputs[0]),
                        options.budget,
                    ),
                    Op::Rechunk => {
                        let from = node.inputs[0].chunks();
                        let item = node.dtype().size();
                        let mut current = (inputs[0], from.clone());
                        for grid in rechunk::stages(from, node.chunks(), item, options.budget) {
                            let layer =
                                Layer::rechunk(node.dtype(), current.1, grid.clone(), current.0);
                            current = (push(&mut layers, layer), grid);
                        }
                        current.0
                    }
                    _ => push(&mut layers, Layer::for_node(node, op, inputs)?),
                }
            }
        };
        layer_of.insert(node.key, id);
    }
    let outputs = outputs
        .iter()
        .map(|n| PlanOutput {
            layer: layer_of[&n.key],
            grid: n.chunks().clone(),
            dtype: n.dtype(),
        })
        .collect();
    Ok(Plan {
        layers,
        outputs,
        nodes: order.len(),
    })
}

/// The layer holding `input`'s blocks: lowered already, or (a regenerated source) a new
/// layer for this reader.
fn input_layer(
    layers: &mut Vec<Layer>,
    layer_of: &IndexMap<Key, LayerId>,
    input: &Arc<Node>,
    budget: u64,
) -> Result<LayerId> {
    match layer_of.get(&input.key) {
        Some(&id) => Ok(id),
        None if is_regenerated(input, budget) => {
            Ok(push(layers, Layer::for_node(input, &input.op, Vec::new())?))
        }
        None => Err(Error::internal(
            "plan::lower",
            "input lowered after its consumer",
        )),
    }
}

/// True for sources that are cheaper to generate again than to keep: generators always,
/// stored arrays when holding all of them would take more than a quarter of `budget`.
fn is_regenerated(node: &Node, budget: u64) -> bool {
    match &node.op {
        Op::Source(Source::Array(_)) => false,
        Op::Source(Source::Read { .. }) => node.meta.nbytes() as u64 > budget / 4,
        Op::Source(_) => true,
        _ => false,
    }
}

fn push(layers: &mut Vec<Layer>, layer: Layer) -> LayerId {
    let id = LayerId(u32::try_from(layers.len()).expect("fewer than 2^32 layers"));
    layers.push(layer);
    id
}

/// How many blocks one combine task merges along each reduced axis that still has
/// several blocks (`open`, their block counts), so that the product stays at most `k`:
/// an even share `f` per axis (the largest with `f^m <= k`), then the leftover budget
/// given to the axes with the most blocks. At least one factor is 2 or more, so every
/// level makes progress.
fn fan_in_factors(k: usize, open: &[usize]) -> Vec<usize> {
    let m = u32::try_from(open.len()).expect("few axes");
    let mut f = 1usize;
    while (f + 1).checked_pow(m).is_some_and(|p| p <= k) {
        f += 1;
    }
    let mut factors: Vec<usize> = open.iter().map(|&b| f.min(b)).collect();
    let mut order: Vec<usize> = (0..open.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(open[i]));
    loop {
        let mut grew = false;
        for &i in &order {
            let product: usize = factors.iter().product();
            if factors[i] < open[i] && product / factors[i] * (factors[i] + 1) <= k {
                factors[i] += 1;
                grew = true;
            }
        }
        if !grew {
            return factors;
        }
    }
}

/// The first stage of a reduction: over the blocks of an input layer, or inside the
/// fused kernel of its input.
enum First {
    Input(LayerId),
    Fused(Program, Vec<(LayerId, Broadcast)>),
}

/// A reduction: one partial layer, then combine layers until one block remains along
/// every reduced axis; the last layer finalizes.
fn lower_reduction(
    layers: &mut Vec<Layer>,
    node: &Node,
    r: &Reduction,
    first: First,
    budget: u64,
) -> LayerId {
    let in_node = &node.inputs[0];
    let mut blocks = in_node.chunks().blocks_per_axis();
    let done = |b: &[usize]| r.axes.iter().all(|&a| b[a] == 1);
    let final_blocks = node.chunks().blocks_per_axis();
    let finalize = done(&blocks).then_some(node);
    let first = match first {
        First::Input(input) => Layer::reduce_partial(r, in_node, input, finalize, &final_blocks),
        First::Fused(program, slots) => {
            Layer::fused_partial(r, in_node, program, slots, finalize, &final_blocks)
        }
    };
    // A combine task holds its partials: at most a quarter of the budget.
    let partial_bytes = first.max_out_bytes().max(1);
    let fan_in = usize::try_from(budget / 4 / partial_bytes)
        .unwrap_or(usize::MAX)
        .clamp(2, r.split_every.max(2));
    let mut current = push(layers, first);
    while !done(&blocks) {
        let open: Vec<usize> = r.axes.iter().copied().filter(|&a| blocks[a] > 1).collect();
        let open_blocks: Vec<usize> = open.iter().map(|&a| blocks[a]).collect();
        let mut factors = vec![1usize; blocks.len()];
        let mut next = blocks.clone();
        for (&a, f) in open.iter().zip(fan_in_factors(fan_in, &open_blocks)) {
            factors[a] = f;
            next[a] = blocks[a].div_ceil(f);
        }
        let last = done(&next);
        current = push(
            layers,
            Layer::reduce_combine(
                r,
                in_node,
                current,
                &blocks,
                factors,
                last.then_some(node),
                &final_blocks,
                &next,
            ),
        );
        blocks = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fan_in_never_exceeds_split_every() {
        assert_eq!(fan_in_factors(16, &[100]), vec![16]);
        assert_eq!(fan_in_factors(16, &[10, 10]), vec![4, 4]);
        assert_eq!(fan_in_factors(16, &[10, 10, 10]), vec![4, 2, 2]);
        assert_eq!(fan_in_factors(2, &[4, 4]), vec![2, 1]);
        assert_eq!(fan_in_factors(16, &[2, 50]), vec![2, 8]);
        for k in 2..40 {
            for open in [vec![3, 3], vec![2, 5, 7], vec![9, 2, 2, 2]] {
                let f = fan_in_factors(k, &open);
                assert!(f.iter().product::<usize>() <= k, "{k} {open:?} {f:?}");
                assert!(f.iter().any(|&x| x >= 2), "{k} {open:?} {f:?}");
            }
        }
    }
}
