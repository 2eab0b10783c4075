//! [`Layer`]: one kind of kernel applied per output block (its [`LayerKind`], which also
//! says which input blocks each output block reads), with what every layer has: a name, a
//! stage, block counts, inputs and the size of each output block.

use crate::chunks::{ChunkGrid, SliceMap};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::{Node, Op, Reduction};
use crate::kernel::fused::{Broadcast, Program};
use crate::kernel::{reduce, Value};
use crate::ops::ReduceFn;

use super::kinds::{self, Finalize, LayerKind};
use super::LayerId;

/// One layer of the plan.
#[derive(Debug)]
pub(crate) struct Layer {
    /// The operation's name, for errors and task labels.
    pub(crate) name: &'static str,
    /// Which step of a multi-layer operation this is (reductions), if any.
    pub(crate) stage: Option<&'static str>,
    /// Number of output blocks along each axis.
    pub(crate) blocks: Vec<usize>,
    /// The layers this one reads, by input slot.
    pub(crate) inputs: Vec<LayerId>,
    pub(crate) kind: Box<dyn LayerKind>,
    /// The size of each output block.
    pub(crate) bytes: BlockBytes,
}

/// How big a layer's output blocks are.
#[derive(Debug)]
pub(crate) enum BlockBytes {
    /// Blocks of `grid`, `item` bytes per element.
    Grid { grid: ChunkGrid, item: usize },
    /// Nothing: the blocks were written to storage.
    Nothing,
    /// Partial results: blocks of the reduction's input `grid` with the reduced `axes`
    /// cut to length 1, `item` bytes per element (all fields of the partial together).
    Partial {
        grid: ChunkGrid,
        axes: Vec<usize>,
        item: usize,
    },
}

/// Bytes per element of a reduction's partial result, all fields together.
fn partial_item_bytes(kind: ReduceFn, input: DType) -> usize {
    reduce::reducer(kind).partial_item_bytes(kind, input)
}

impl Layer {
    /// The single layer of a node that is not a reduction.
    pub(crate) fn for_node(node: &Node, op: &Op, inputs: Vec<LayerId>) -> Result<Layer> {
        let grid = node.chunks().clone();
        let kind: Box<dyn LayerKind> = match op {
            Op::Source(s) => Box::new(kinds::Generate {
                source: s.clone(),
                dtype: node.dtype(),
                grid: grid.clone(),
            }),
            Op::Map(_) => {
                return Err(Error::internal(
                    "plan::layer",
                    "elementwise operations lower to fused layers",
                ))
            }
            Op::Slice(sel) => Box::new(kinds::Slice {
                map: SliceMap::new(sel, node.inputs[0].chunks())?,
            }),
            Op::Transpose(p) => Box::new(kinds::Transpose { perm: p.clone() }),
            Op::ExpandDims(a) => Box::new(kinds::ExpandDims { axis: *a }),
            Op::Squeeze(a) => Box::new(kinds::Squeeze { axes: a.clone() }),
            Op::Rechunk => Box::new(kinds::Rechunk {
                dtype: node.dtype(),
                input: node.inputs[0].chunks().clone(),
                output: grid.clone(),
            }),
            Op::Store(writer) => Box::new(kinds::Store {
                writer: writer.clone(),
                grid: grid.clone(),
            }),
            Op::Reduce(_) => {
                return Err(Error::internal(
                    "plan::layer",
                    "reductions lower to several layers",
                ))
            }
            Op::Block(kernel) => Box::new(kinds::Block {
                kernel: kernel.clone(),
            }),
            Op::Deferred(d) => {
                return Err(Error::internal(
                    "plan::layer",
                    format!(
                        "`{}` reached the planner before its sizes were resolved",
                        d.name()
                    ),
                ))
            }
            Op::Invalid(i) => return Err(i.to_error()),
        };
        Ok(Layer {
            name: op.name(),
            stage: None,
            blocks: grid.blocks_per_axis(),
            inputs,
            kind,
            bytes: if matches!(op, Op::Store(_)) {
                BlockBytes::Nothing
            } else {
                BlockBytes::Grid {
                    grid,
                    item: node.dtype().size(),
                }
            },
        })
    }

    /// A copy of the blocks of `input` (cut as `from`) into blocks cut as `to`.
    pub(crate) fn rechunk(dtype: DType, from: ChunkGrid, to: ChunkGrid, input: LayerId) -> Layer {
        Layer {
            name: "rechunk",
            stage: None,
            blocks: to.blocks_per_axis(),
            inputs: vec![input],
            bytes: BlockBytes::Grid {
                grid: to.clone(),
                item: dtype.size(),
            },
            kind: Box::new(kinds::Rechunk {
                dtype,
                input: from,
                output: to,
            }),
        }
    }

    /// The most bytes one output block takes.
    pub(crate) fn max_out_bytes(&self) -> u64 {
        let mut coords = vec![0; self.blocks.len()];
        // Blocks are largest at index 0 on regular axes; check every first and last
        // block along each axis to cover irregular ones cheaply.
        let mut most = 0;
        for d in 0..self.blocks.len() {
            for i in [0, self.blocks[d].saturating_sub(1)] {
                coords.fill(0);
                coords[d] = i;
                most = most.max(self.out_bytes(&coords));
            }
        }
        most.max(if self.blocks.is_empty() {
            self.out_bytes(&[])
        } else {
            0
        })
    }

    /// A fused layer computing `root` block by block with `program`, reading the layers
    /// of `slots`.
    pub(crate) fn fused(root: &Node, program: Program, slots: Vec<(LayerId, Broadcast)>) -> Layer {
        Layer::fused_into(root, program, slots, None)
    }

    /// A fused layer, folding its result into `reduce` when given.
    fn fused_into(
        root: &Node,
        program: Program,
        slots: Vec<(LayerId, Broadcast)>,
        reduce: Option<(Reduction, Option<Finalize>)>,
    ) -> Layer {
        let grid = root.chunks().clone();
        let (inputs, slots) = slots.into_iter().unzip();
        Layer {
            name: root.op.name(),
            stage: None,
            blocks: grid.blocks_per_axis(),
            inputs,
            bytes: BlockBytes::Grid {
                grid: grid.clone(),
                item: root.dtype().size(),
            },
            kind: Box::new(kinds::Fused {
                program,
                grid,
                slots,
                reduce,
            }),
        }
    }

    /// The first layer of a reduction run by the fused kernel of its input: one partial
    /// per input block (or the result, when the input has one block along the reduced
    /// axes).
    pub(crate) fn fused_partial(
        r: &Reduction,
        input_node: &Node,
        program: Program,
        slots: Vec<(LayerId, Broadcast)>,
        finalize: Option<&Node>,
        final_blocks: &[usize],
    ) -> Layer {
        let finalize = finalize.map(|node| {
            (
                block_bytes(r, input_node, Some(node)),
                Finalize {
                    dtype: node.dtype(),
                    keepdims: r.keepdims,
                },
            )
        });
        let finalizes = finalize.is_some();
        let (bytes, finalize) = match finalize {
            Some((bytes, fin)) => (bytes, Some(fin)),
            None => (block_bytes(r, input_node, None), None),
        };
        let mut layer = Layer::fused_into(input_node, program, slots, Some((r.clone(), finalize)));
        layer.bytes = bytes;
        if finalizes {
            layer.blocks = final_blocks.to_vec();
        }
        layer.name = r.kind.name();
        layer.stage = Some(if finalizes { "reduce" } else { "partial" });
        layer
    }

    /// Bytes a task of this layer uses besides its inputs and output (the largest block's
    /// temporaries: block 0 is the largest on regular axes).
    pub(crate) fn scratch_bytes(&self) -> u64 {
        self.kind.scratch_bytes(&vec![0; self.blocks.len()])
    }

    /// A note for `explain` from the layer's kind (a block kernel's parameters, say).
    pub(crate) fn describe(&self) -> Option<String> {
        self.kind.describe()
    }

    /// The fused operations of this layer, in evaluation order (empty for other layers).
    pub(crate) fn fused_ops(&self) -> &[&'static str] {
        self.kind.fused_ops()
    }

    /// The first layer of a reduction: one partial per input block.
    pub(crate) fn reduce_partial(
        r: &Reduction,
        input_node: &Node,
        input: LayerId,
        finalize: Option<&Node>,
        final_blocks: &[usize],
    ) -> Layer {
        let grid = input_node.chunks().clone();
        let bytes = block_bytes(r, input_node, finalize);
        let finalize = finalize.map(Node::dtype);
        let blocks = if finalize.is_some() {
            final_blocks.to_vec()
        } else {
            grid.blocks_per_axis()
        };
        Layer {
            name: r.kind.name(),
            stage: Some(if finalize.is_some() {
                "reduce"
            } else {
                "partial"
            }),
            blocks,
            inputs: vec![input],
            kind: Box::new(kinds::ReducePartial {
                reduction: r.clone(),
                input: grid,
                finalize: finalize.map(|dtype| Finalize {
                    dtype,
                    keepdims: r.keepdims,
                }),
            }),
            bytes,
        }
    }

    /// A combine layer of a reduction's tree.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn reduce_combine(
        r: &Reduction,
        input_node: &Node,
        input: LayerId,
        input_blocks: &[usize],
        factors: Vec<usize>,
        finalize: Option<&Node>,
        final_blocks: &[usize],
        next_blocks: &[usize],
    ) -> Layer {
        let bytes = block_bytes(r, input_node, finalize);
        let finalize = finalize.map(Node::dtype);
        Layer {
            name: r.kind.name(),
            stage: Some(if finalize.is_some() {
                "finalize"
            } else {
                "combine"
            }),
            blocks: if finalize.is_some() {
                final_blocks.to_vec()
            } else {
                next_blocks.to_vec()
            },
            inputs: vec![input],
            kind: Box::new(kinds::ReduceCombine {
                reduction: r.clone(),
                input_blocks: input_blocks.to_vec(),
                factors,
                finalize: finalize.map(|dtype| Finalize {
                    dtype,
                    keepdims: r.keepdims,
                }),
            }),
            bytes,
        }
    }

    /// Bytes of output block `out`.
    pub(crate) fn out_bytes(&self, out: &[usize]) -> u64 {
        let (grid, item, reduced): (&ChunkGrid, usize, &[usize]) = match &self.bytes {
            BlockBytes::Grid { grid, item } => (grid, *item, &[]),
            BlockBytes::Partial { grid, axes, item } => (grid, *item, axes),
            BlockBytes::Nothing => return 0,
        };
        let elements: usize = (0..grid.ndim())
            .map(|d| {
                if reduced.contains(&d) {
                    1
                } else {
                    grid.axis(d).chunk_len(out[d])
                }
            })
            .product();
        (elements * item) as u64
    }

    /// Number of output blocks (tasks before culling).
    pub(crate) fn num_blocks(&self) -> usize {
        self.blocks.iter().product()
    }

    /// A label for plans and reports: the [`label`](Self::label), with the operations
    /// it runs fused when there are several: `sum (partial) = fused [ones → add]`.
    pub(crate) fn title(&self) -> String {
        let ops = self.fused_ops();
        if ops.len() > 1 || (ops.len() == 1 && ops[0] != self.name) {
            format!("{} = fused [{}]", self.label(), ops.join(" → "))
        } else {
            self.label()
        }
    }

    /// A label for errors: `sum (combine)`.
    pub(crate) fn label(&self) -> String {
        match self.stage {
            Some(s) => format!("{} ({s})", self.name),
            None => self.name.to_string(),
        }
    }

    /// Calls `f(input slot, input block coordinates)` for every input block that output
    /// block `out` reads, in the order the kernel receives them.
    pub(crate) fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        self.kind.for_each_input(out, f);
    }

    /// Runs the kernel for output block `out` on its inputs (in [`for_each_input`] order).
    ///
    /// [`for_each_input`]: Self::for_each_input
    pub(crate) fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        self.kind.compute(out, inputs)
    }
}

/// The block sizes of a reduction layer: the result's grid when it finalizes, the
/// partials' otherwise.
fn block_bytes(r: &Reduction, input_node: &Node, finalize: Option<&Node>) -> BlockBytes {
    match finalize {
        Some(out) => BlockBytes::Grid {
            grid: out.chunks().clone(),
            item: out.dtype().size(),
        },
        None => BlockBytes::Partial {
            grid: input_node.chunks().clone(),
            axes: r.axes.clone(),
            item: partial_item_bytes(r.kind, input_node.dtype()),
        },
    }
}
