//! Rechunk planning: a direct copy when every output block's inputs fit the budget, else
//! two stages through the intermediate grid whose blocks each lie in one input block
//! and one output block (the refinement of both grids, rechunker's algorithm without
//! storage): the first stage only splits input blocks, the second only gathers the
//! pieces of one output block, so no task holds more than an input or output block
//! and its pieces.
//!
//! Splitting holds each input block until its last piece has been gathered, and the
//! output blocks that gather from one input block need not run one after the other:
//! from 1024x1024 chunks to 8192x16 ones, the eight input blocks of a column of blocks
//! stay in memory while the 64 output blocks of that column run. When the input is a
//! source that can be read again (a generator or an in-memory array, whose values depend
//! on the element index only; a stored array read again by each reader), and the plan
//! must shrink ([`LowerOptions::squeeze`]), the first stage instead *reads* the source
//! in a finer grid ([`read_grid`]): each read box lies in one input block and spans
//! fewer output blocks, so less is held, at the cost of generating a box again, or of
//! decoding a storage chunk more than once. A computed input cannot be read again: its
//! rechunk across blocks holds what the split stage holds, and a plan that does not fit
//! is refused. At the last step the boxes are the pieces themselves, each read by exactly one
//! output block, and the rechunk holds one output block and its pieces at a time.

use crate::chunks::{AxisChunks, ChunkGrid};
use crate::error::Result;
use crate::expr::{Meta, Node, Op, Source};

use super::{Layer, LayerId, LowerOptions};

/// The layers of the rechunk `node` when its input is a source that can be read again
/// (a generator, an in-memory array, a stored array read again by each reader) and the
/// plan is being shrunk: a read in [`read_grid`], a split into the
/// refinement if the read boxes are larger, and the gather. `None` when the usual
/// lowering applies (nothing to shrink, or a direct copy).
pub(super) fn lower_from_source(
    layers: &mut Vec<Layer>,
    node: &Node,
    options: &LowerOptions,
) -> Result<Option<LayerId>> {
    let input = &node.inputs[0];
    // Any source can be read in another grid: its values depend on the element index
    // only. A stored array is, when it is read again by each reader anyway.
    let reads_again = match &input.op {
        Op::Source(Source::Read { .. }) => super::is_regenerated(input, options.budget),
        Op::Source(_) => true,
        _ => false,
    };
    if options.squeeze == 0 || !reads_again {
        return Ok(None);
    }
    let (from, to, item) = (input.chunks(), node.chunks(), node.dtype().size());
    let stages = stages(from, to, item, options.budget);
    let [refined, _] = stages.as_slice() else {
        return Ok(None);
    };
    let grid = read_grid(from, refined, to, options.squeeze);
    let source = Node::new(input.op.clone(), Vec::new(), Meta::new(node.dtype(), grid));
    let mut current = super::push(layers, Layer::for_node(&source, &source.op, Vec::new())?);
    let mut at = source.chunks().clone();
    for grid in [refined.clone(), to.clone()] {
        if grid != at {
            let layer = Layer::rechunk(node.dtype(), at, grid.clone(), current);
            current = super::push(layers, layer);
            at = grid;
        }
    }
    Ok(Some(current))
}

/// The grid a stored array is read in for the first stage of a rechunk from `input` to
/// `output` through `refined`, at shrinking step `squeeze` (1 or more): on each axis the
/// input's cuts plus every `m`-th cut of the output, where `m` (the output blocks one
/// read box spans) starts at the output blocks per input block and halves with each
/// step, down to 1, where the boxes are the pieces of `refined` themselves.
pub(crate) fn read_grid(
    input: &ChunkGrid,
    refined: &ChunkGrid,
    output: &ChunkGrid,
    squeeze: u32,
) -> ChunkGrid {
    let axes = input
        .axes()
        .iter()
        .zip(output.axes())
        .zip(refined.axes())
        .map(|((a, b), r)| {
            let ratio = a.max_chunk_len().div_ceil(b.max_chunk_len().max(1)).max(1);
            let m = (ratio >> squeeze.saturating_sub(1).min(63)).max(1);
            if m == 1 {
                return r.clone();
            }
            refine(a, &coarsen(b, m))
        })
        .collect();
    ChunkGrid::new(axes)
}

/// `axis` with every `m` consecutive chunks merged into one.
fn coarsen(axis: &AxisChunks, m: usize) -> AxisChunks {
    let sizes: Vec<usize> = axis.sizes().collect();
    let merged: Vec<usize> = sizes.chunks(m.max(1)).map(|c| c.iter().sum()).collect();
    AxisChunks::from_sizes(&merged).unwrap_or_else(|_| axis.clone())
}

/// The grids a rechunk from `input` to `output` goes through, `output` last: just
/// `[output]` when a direct copy's tasks fit in half of `budget` bytes.
pub(crate) fn stages(
    input: &ChunkGrid,
    output: &ChunkGrid,
    item: usize,
    budget: u64,
) -> Vec<ChunkGrid> {
    let direct = gather_bytes(input, output, item).saturating_add(block_bytes(output, item));
    if direct <= budget / 2 {
        return vec![output.clone()];
    }
    let refined = ChunkGrid::new(
        input
            .axes()
            .iter()
            .zip(output.axes())
            .map(|(a, b)| refine(a, b))
            .collect(),
    );
    if refined == *input || refined == *output {
        return vec![output.clone()];
    }
    vec![refined, output.clone()]
}

/// The most bytes of input blocks one output block of a direct copy reads.
pub(crate) fn gather_bytes(input: &ChunkGrid, output: &ChunkGrid, item: usize) -> u64 {
    let mut bytes = item as u64;
    for (a, b) in input.axes().iter().zip(output.axes()) {
        let widest = (0..b.num_chunks())
            .map(|i| {
                let r = a.chunks_overlapping(b.chunk_range(i));
                if r.is_empty() {
                    0
                } else {
                    a.chunk_range(r.end - 1).end - a.chunk_start(r.start)
                }
            })
            .max()
            .unwrap_or(0);
        bytes = bytes.saturating_mul(widest as u64);
    }
    bytes
}

fn block_bytes(grid: &ChunkGrid, item: usize) -> u64 {
    (grid.max_block_len() as u64).saturating_mul(item as u64)
}

/// The chunks cut at every boundary of `a` and of `b` (same length).
fn refine(a: &AxisChunks, b: &AxisChunks) -> AxisChunks {
    let mut cuts: Vec<usize> = (0..a.num_chunks())
        .map(|i| a.chunk_range(i).end)
        .chain((0..b.num_chunks()).map(|i| b.chunk_range(i).end))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut sizes = Vec::with_capacity(cuts.len());
    let mut start = 0;
    for c in cuts {
        if c > start {
            sizes.push(c - start);
            start = c;
        }
    }
    AxisChunks::from_sizes(&sizes).unwrap_or_else(|_| a.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(shape: &[usize], chunks: &[usize]) -> ChunkGrid {
        ChunkGrid::new(
            shape
                .iter()
                .zip(chunks)
                .map(|(&n, &c)| AxisChunks::regular(n, c).unwrap())
                .collect(),
        )
    }

    #[test]
    fn columns_to_rows_go_through_squares_when_the_budget_is_small() {
        let cols = grid(&[1600, 1600], &[1600, 10]);
        let rows = grid(&[1600, 1600], &[10, 1600]);
        // A row block reads every column block: the whole array.
        assert_eq!(gather_bytes(&cols, &rows, 8), 1600 * 1600 * 8);
        assert_eq!(stages(&cols, &rows, 8, u64::MAX), vec![rows.clone()]);
        let two = stages(&cols, &rows, 8, 4 << 20);
        assert_eq!(two, vec![grid(&[1600, 1600], &[10, 10]), rows.clone()]);
        // Each stage's tasks read one block's worth.
        assert_eq!(gather_bytes(&cols, &two[0], 8), 1600 * 10 * 8);
        assert_eq!(gather_bytes(&two[0], &rows, 8), 10 * 1600 * 8);
    }

    #[test]
    fn refinement_cuts_at_both_grids_boundaries() {
        let a = AxisChunks::regular(10, 4).unwrap();
        let b = AxisChunks::regular(10, 3).unwrap();
        let r = refine(&a, &b);
        assert_eq!(r.sizes().collect::<Vec<_>>(), vec![3, 1, 2, 2, 1, 1]);
        // Nested grids refine to the finer one: no second stage.
        let fine = grid(&[12], &[3]);
        let coarse = grid(&[12], &[12]);
        assert_eq!(stages(&coarse, &fine, 8, 1), vec![fine.clone()]);
    }

    #[test]
    fn read_grids_shrink_from_the_input_blocks_to_the_pieces() {
        let squares = grid(&[8192, 8192], &[1024, 1024]);
        let columns = grid(&[8192, 8192], &[8192, 16]);
        let two = stages(&squares, &columns, 8, 64 << 20);
        let refined = &two[0];
        assert_eq!(refined, &grid(&[8192, 8192], &[1024, 16]));
        assert_eq!(read_grid(&squares, refined, &columns, 1), squares);
        assert_eq!(
            read_grid(&squares, refined, &columns, 2),
            grid(&[8192, 8192], &[1024, 512])
        );
        assert_eq!(read_grid(&squares, refined, &columns, 7), *refined);
        assert_eq!(read_grid(&squares, refined, &columns, 30), *refined);
        // The other way: boxes shrink along the long input axis.
        let back = stages(&columns, &squares, 8, 64 << 20);
        assert_eq!(
            read_grid(&columns, &back[0], &squares, 2),
            grid(&[8192, 8192], &[4096, 16])
        );
    }
}
