//! [`Layer`]: one kernel applied per output block, and its block-index map: which input
//! blocks each output block reads.

use std::sync::Arc;

use crate::chunks::{ChunkGrid, SliceMap};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::{Node, Op, Reduction, Source};
use crate::io::BlockWriter;
use crate::kernel::block::{for_each_in_box, BlockKernel};
use crate::kernel::fused::{Broadcast, Program};
use crate::kernel::{copy, reduce, source, Value};
use crate::ops::ReduceFn;

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
    pub(crate) kind: LayerKind,
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

/// What a layer computes, with the geometry its kernel needs.
#[derive(Debug)]
pub(crate) enum LayerKind {
    Source {
        source: Source,
        dtype: DType,
        grid: ChunkGrid,
    },
    /// A fused kernel over the blocks of `grid` (of the whole `shape`), optionally
    /// folding its result into a reduction's first stage.
    Fused {
        program: Program,
        grid: ChunkGrid,
        /// How each input slot's blocks line up with the output's.
        slots: Vec<Broadcast>,
        reduce: Option<(Reduction, Option<Finalize>)>,
    },
    Slice {
        map: SliceMap,
    },
    Transpose {
        perm: Vec<usize>,
    },
    ExpandDims {
        axis: usize,
    },
    Squeeze {
        axes: Vec<usize>,
    },
    Rechunk {
        dtype: DType,
        input: ChunkGrid,
        output: ChunkGrid,
    },
    ReducePartial {
        reduction: Reduction,
        input: ChunkGrid,
        finalize: Option<Finalize>,
    },
    Store {
        writer: Arc<dyn BlockWriter>,
        grid: ChunkGrid,
    },
    /// An operation computed block by block by its kernel.
    Block {
        kernel: Arc<dyn BlockKernel>,
    },
    ReduceCombine {
        reduction: Reduction,
        /// Input blocks per axis.
        input_blocks: Vec<usize>,
        /// How many input blocks along each axis one task merges (1 on kept axes).
        factors: Vec<usize>,
        finalize: Option<Finalize>,
    },
}

/// The last step of a reduction: the result dtype and the shape of the result blocks.
#[derive(Debug)]
pub(crate) struct Finalize {
    dtype: DType,
    keepdims: bool,
}

impl Layer {
    /// The single layer of a node that is not a reduction.
    pub(crate) fn for_node(node: &Node, op: &Op, inputs: Vec<LayerId>) -> Result<Layer> {
        let grid = node.chunks().clone();
        let kind = match op {
            Op::Source(s) => LayerKind::Source {
                source: s.clone(),
                dtype: node.dtype(),
                grid: grid.clone(),
            },
            Op::Map(_) => {
                return Err(Error::internal(
                    "plan::layer",
                    "elementwise operations lower to fused layers",
                ))
            }
            Op::Slice(sel) => LayerKind::Slice {
                map: SliceMap::new(sel, node.inputs[0].chunks())?,
            },
            Op::Transpose(p) => LayerKind::Transpose { perm: p.clone() },
            Op::ExpandDims(a) => LayerKind::ExpandDims { axis: *a },
            Op::Squeeze(a) => LayerKind::Squeeze { axes: a.clone() },
            Op::Rechunk => LayerKind::Rechunk {
                dtype: node.dtype(),
                input: node.inputs[0].chunks().clone(),
                output: grid.clone(),
            },
            Op::Store(writer) => LayerKind::Store {
                writer: writer.clone(),
                grid: grid.clone(),
            },
            Op::Reduce(_) => {
                return Err(Error::internal(
                    "plan::layer",
                    "reductions lower to several layers",
                ))
            }
            Op::Block(kernel) => LayerKind::Block {
                kernel: kernel.clone(),
            },
            Op::Deferred(d) => {
                return Err(Error::internal(
                    "plan::layer",
                    format!("`{}` reached the planner before its sizes were resolved", d.name()),
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
            kind: LayerKind::Rechunk {
                dtype,
                input: from,
                output: to,
            },
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
            kind: LayerKind::Fused {
                program,
                grid,
                slots,
                reduce: None,
            },
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
        let mut layer = Layer::fused(input_node, program, slots);
        let finalize = finalize.map(|node| {
            layer.bytes = block_bytes(r, input_node, Some(node));
            Finalize {
                dtype: node.dtype(),
                keepdims: r.keepdims,
            }
        });
        if finalize.is_some() {
            layer.blocks = final_blocks.to_vec();
        } else {
            layer.bytes = block_bytes(r, input_node, None);
        }
        layer.name = r.kind.name();
        layer.stage = Some(if finalize.is_some() {
            "reduce"
        } else {
            "partial"
        });
        if let LayerKind::Fused { reduce, .. } = &mut layer.kind {
            *reduce = Some((r.clone(), finalize));
        }
        layer
    }

    /// Bytes a task of this layer uses besides its inputs and output: the registers of a
    /// fused kernel.
    pub(crate) fn scratch_bytes(&self) -> u64 {
        match &self.kind {
            LayerKind::Fused { program, grid, .. } => program.scratch_bytes(grid.max_block_len()),
            LayerKind::Block { kernel } => {
                // The largest block's temporaries (block 0 is the largest on regular axes).
                kernel.scratch_bytes(&vec![0; self.blocks.len()])
            }
            _ => 0,
        }
    }

    /// A note for `explain` from a block operation's kernel (its parameters, its halo...).
    pub(crate) fn describe(&self) -> Option<String> {
        match &self.kind {
            LayerKind::Block { kernel } => kernel.describe(),
            _ => None,
        }
    }

    /// The fused operations of this layer, in evaluation order (empty for other layers).
    pub(crate) fn fused_ops(&self) -> &[&'static str] {
        match &self.kind {
            LayerKind::Fused { program, .. } => program.ops(),
            _ => &[],
        }
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
            kind: LayerKind::ReducePartial {
                reduction: r.clone(),
                input: grid,
                finalize: finalize.map(|dtype| Finalize {
                    dtype,
                    keepdims: r.keepdims,
                }),
            },
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
            kind: LayerKind::ReduceCombine {
                reduction: r.clone(),
                input_blocks: input_blocks.to_vec(),
                factors,
                finalize: finalize.map(|dtype| Finalize {
                    dtype,
                    keepdims: r.keepdims,
                }),
            },
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
        match &self.kind {
            LayerKind::Source { .. } => {}
            LayerKind::Fused { slots, reduce, .. } => {
                let coords = match reduce {
                    Some((r, fin)) => expand_final(out, r, fin.as_ref()),
                    None => out.to_vec(),
                };
                let mut input = Vec::with_capacity(coords.len());
                for (slot, align) in slots.iter().enumerate() {
                    input.clear();
                    input.extend(align.map(&coords));
                    f(slot, &input);
                }
            }
            LayerKind::Slice { map } => {
                let mut coords = Vec::new();
                map.input_block(out, &mut coords);
                f(0, &coords);
            }
            LayerKind::Transpose { perm } => {
                let mut coords = vec![0; perm.len()];
                for (i, &p) in perm.iter().enumerate() {
                    coords[p] = out[i];
                }
                f(0, &coords);
            }
            LayerKind::ExpandDims { axis } => {
                let mut coords = out.to_vec();
                coords.remove(*axis);
                f(0, &coords);
            }
            LayerKind::Squeeze { axes } => f(0, &with_zeros(out, axes)),
            LayerKind::Store { .. } => f(0, out),
            LayerKind::Block { kernel } => kernel.for_each_input(out, f),
            LayerKind::Rechunk { input, output, .. } => {
                let ranges: Vec<std::ops::Range<usize>> = (0..out.len())
                    .map(|d| {
                        let r = output.axis(d).chunk_range(out[d]);
                        if r.is_empty() {
                            0..1
                        } else {
                            input.axis(d).chunks_overlapping(r)
                        }
                    })
                    .collect();
                for_each_in_box(&ranges, &mut |c| f(0, c));
            }
            LayerKind::ReducePartial {
                reduction,
                finalize,
                ..
            } => {
                let coords = expand_final(out, reduction, finalize.as_ref());
                f(0, &coords);
            }
            LayerKind::ReduceCombine {
                reduction,
                input_blocks,
                factors,
                finalize,
            } => {
                let coords = expand_final(out, reduction, finalize.as_ref());
                let ranges: Vec<std::ops::Range<usize>> = coords
                    .iter()
                    .zip(factors)
                    .zip(input_blocks)
                    .map(|((&c, &k), &n)| c * k..((c + 1) * k).min(n))
                    .collect();
                for_each_in_box(&ranges, &mut |c| f(0, c));
            }
        }
    }

    /// Runs the kernel for output block `out` on its inputs (in [`for_each_input`] order).
    pub(crate) fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        const CONTEXT: &str = "plan::layer";
        let array = |i: usize| -> Result<&crate::any_array::AnyArray> {
            inputs
                .get(i)
                .ok_or_else(|| Error::internal(CONTEXT, "missing input"))?
                .array(CONTEXT)
        };
        Ok(match &self.kind {
            LayerKind::Source {
                source: s,
                dtype,
                grid,
            } => Value::Array(source::generate(
                s,
                *dtype,
                &grid.shape(),
                &grid.block_start(out),
                &grid.block_shape(out),
            )?),
            LayerKind::Fused {
                program,
                grid,
                reduce,
                ..
            } => {
                let arrays = (0..inputs.len()).map(array).collect::<Result<Vec<_>>>()?;
                match reduce {
                    None => Value::Array(program.run_block(
                        &grid.block_start(out),
                        &grid.block_shape(out),
                        &arrays,
                    )?),
                    Some((r, fin)) => {
                        let coords = expand_final(out, r, fin.as_ref());
                        let p = program.run_reduce(
                            &grid.block_start(&coords),
                            &grid.block_shape(&coords),
                            &arrays,
                            r.kind,
                            &r.axes,
                            &grid.shape(),
                        )?;
                        finish(r, p, fin.as_ref())?
                    }
                }
            }
            LayerKind::Slice { map } => {
                Value::Array(copy::slice_block(array(0)?, &map.local_index(out))?)
            }
            LayerKind::Block { kernel } => {
                let arrays = (0..inputs.len()).map(array).collect::<Result<Vec<_>>>()?;
                Value::Array(kernel.compute(out, &arrays)?)
            }
            LayerKind::Transpose { perm } => Value::Array(copy::transpose_block(array(0)?, perm)),
            LayerKind::ExpandDims { axis } => {
                Value::Array(copy::expand_dims_block(array(0)?, *axis))
            }
            LayerKind::Squeeze { axes } => Value::Array(copy::squeeze_block(array(0)?, axes)?),
            LayerKind::Store { writer, grid } => {
                let region: Vec<std::ops::Range<usize>> = (0..out.len())
                    .map(|d| grid.axis(d).chunk_range(out[d]))
                    .collect();
                writer.write(&region, array(0)?)?;
                Value::Written
            }
            LayerKind::Rechunk {
                dtype,
                input,
                output,
            } => {
                let mut pieces = Vec::with_capacity(inputs.len());
                let mut i = 0;
                let mut missing = false;
                self.for_each_input(out, &mut |_, c| {
                    match inputs.get(i).map(|v| v.array(CONTEXT)) {
                        Some(Ok(data)) => pieces.push(copy::Piece {
                            data,
                            start: input.block_start(c),
                        }),
                        _ => missing = true,
                    }
                    i += 1;
                });
                if missing {
                    return Err(Error::internal(
                        CONTEXT,
                        "rechunk input is not an array block",
                    ));
                }
                Value::Array(copy::assemble(
                    *dtype,
                    &output.block_start(out),
                    &output.block_shape(out),
                    &pieces,
                )?)
            }
            LayerKind::ReducePartial {
                reduction,
                input,
                finalize,
            } => {
                let coords = expand_final(out, reduction, finalize.as_ref());
                let (start, shape) = (input.block_start(&coords), input.shape());
                let at = reduce::BlockAt {
                    start: &start,
                    full_shape: &shape,
                };
                let p = reduce::partial(reduction.kind, &reduction.axes, array(0)?, at)?;
                finish(reduction, p, finalize.as_ref())?
            }
            LayerKind::ReduceCombine {
                reduction,
                finalize,
                ..
            } => {
                let parts = inputs
                    .iter()
                    .map(|v| v.partial(CONTEXT))
                    .collect::<Result<Vec<_>>>()?;
                let p = reduce::combine(reduction.kind, &parts)?;
                finish(reduction, p, finalize.as_ref())?
            }
        })
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

/// Finalizes a partial when this is the reduction's last layer, dropping the reduced axes
/// unless `keepdims`.
fn finish(r: &Reduction, p: crate::kernel::Partial, finalize: Option<&Finalize>) -> Result<Value> {
    let Some(fin) = finalize else {
        return Ok(Value::Partial(Box::new(p)));
    };
    let kind: ReduceFn = r.kind;
    let out = reduce::finalize(kind, p, fin.dtype)?;
    if fin.keepdims {
        return Ok(Value::Array(out));
    }
    let shape: Vec<usize> = out
        .shape()
        .iter()
        .enumerate()
        .filter(|(d, _)| !r.axes.contains(d))
        .map(|(_, &n)| n)
        .collect();
    Ok(Value::Array(copy::reshape_block(out, &shape)?))
}

/// Output coordinates of a reduction's last layer, with the dropped axes put back as 0.
fn expand_final(out: &[usize], r: &Reduction, finalize: Option<&Finalize>) -> Vec<usize> {
    match finalize {
        Some(f) if !f.keepdims => with_zeros(out, &r.axes),
        _ => out.to_vec(),
    }
}

/// `coords` with a 0 inserted at each of the (sorted) positions `axes`.
fn with_zeros(coords: &[usize], axes: &[usize]) -> Vec<usize> {
    let mut full = coords.to_vec();
    for &a in axes {
        full.insert(a, 0);
    }
    full
}
