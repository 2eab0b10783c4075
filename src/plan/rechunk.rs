//! Rechunk planning: a direct copy when every output block's inputs fit the budget, else
//! two stages through the intermediate grid whose blocks each lie in one input block
//! and one output block (the refinement of both grids, rechunker's algorithm without
//! storage): the first stage only splits input blocks, the second only gathers the
//! pieces of one output block, so no task holds more than an input or output block
//! and its pieces.

use crate::chunks::{AxisChunks, ChunkGrid};

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
}
