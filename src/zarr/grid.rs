//! Chunk grids that respect a Zarr array's storage chunks: the default grid for reading
//! (storage chunks merged toward a byte target) and aligned grids for writing, so that no
//! two tasks of one write ever write one storage chunk (or shard).
//!
//! ```text
//!  storage chunks (unit 4), region written at offset 6, length 13:
//!  global  |0 1 2 3|4 5 6 7|8 9 10 11|12 13 14 15|16 17 18 19|
//!  blocks              [6 7|8 ... 15      |16 17 18]
//!                       first block ends on a unit boundary; the rest are k units long
//! ```
//! Each storage chunk overlapping the region then lies inside exactly one block; the
//! chunks the region covers only partly (4..8 and 16..20 here) are read, patched and
//! written back by the single task that owns them.

use crate::chunks::{AxisChunks, ChunkGrid};
use crate::error::Result;

/// The storage chunks (`unit`) of an array of `shape`, merged along axes by whole
/// multiples while a block stays within `target_bytes`: each step grows the axis whose
/// block is currently shortest, so blocks stay close to square.
pub(crate) fn merged_grid(
    shape: &[usize],
    unit: &[usize],
    itemsize: usize,
    target_bytes: usize,
) -> Result<ChunkGrid> {
    let unit: Vec<usize> = unit.iter().map(|&u| u.max(1)).collect();
    let mut multiple = vec![1usize; shape.len()];
    let extent = |axis: usize, k: usize| (k * unit[axis]).min(shape[axis].max(1));
    loop {
        let bytes = |m: &[usize]| -> usize {
            (0..shape.len())
                .map(|a| extent(a, m[a]))
                .product::<usize>()
                .saturating_mul(itemsize)
        };
        let mut candidates: Vec<usize> = (0..shape.len())
            .filter(|&a| multiple[a] * unit[a] < shape[a])
            .collect();
        candidates.sort_by_key(|&a| (extent(a, multiple[a]), std::cmp::Reverse(a)));
        let grown = candidates.into_iter().find(|&a| {
            let mut m = multiple.clone();
            m[a] += 1;
            bytes(&m) <= target_bytes
        });
        match grown {
            Some(a) => multiple[a] += 1,
            None => break,
        }
    }
    let axes = (0..shape.len())
        .map(|a| AxisChunks::regular(shape[a], multiple[a] * unit[a]))
        .collect::<Result<Vec<_>>>()?;
    Ok(ChunkGrid::new(axes))
}

/// True when every boundary between two blocks of `grid`, shifted by `offset`, falls on
/// a multiple of `unit`.
pub(crate) fn is_aligned(grid: &ChunkGrid, offset: &[usize], unit: &[usize]) -> bool {
    grid.axes()
        .iter()
        .zip(offset)
        .zip(unit)
        .all(|((axis, &o), &u)| {
            (1..axis.num_chunks()).all(|i| (o + axis.chunk_start(i)) % u.max(1) == 0)
        })
}

/// A grid over the region of lengths `shape` at `offset` whose inner boundaries are the
/// multiples of `k * unit` (in global coordinates), with `k * unit` the smallest multiple
/// of `unit` at least `wanted` long on each axis.
pub(crate) fn aligned_region_grid(
    offset: &[usize],
    shape: &[usize],
    unit: &[usize],
    wanted: &[usize],
) -> Result<ChunkGrid> {
    let mut axes = Vec::with_capacity(shape.len());
    for a in 0..shape.len() {
        let u = unit[a].max(1);
        let step = wanted[a].max(1).div_ceil(u) * u;
        let (start, end) = (offset[a], offset[a] + shape[a]);
        let mut sizes = Vec::new();
        let mut at = start;
        while at < end {
            let next = ((at / step + 1) * step).min(end);
            sizes.push(next - at);
            at = next;
        }
        axes.push(AxisChunks::from_sizes(&sizes)?);
    }
    Ok(ChunkGrid::new(axes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_grows_the_shortest_axis_until_the_target() {
        let g = merged_grid(&[8192, 8192], &[512, 512], 4, 64 << 20).unwrap();
        assert_eq!(g.to_string(), "((4096, 4096), (4096, 4096))");
        let small = merged_grid(&[100, 10], &[7, 3], 8, 8 * 7 * 3).unwrap();
        assert_eq!(small.block_shape(&[0, 0]), vec![7, 3]);
        let whole = merged_grid(&[10, 10], &[3, 3], 1, 1 << 20).unwrap();
        assert_eq!(whole.num_blocks(), 1);
    }

    #[test]
    fn region_grids_start_and_end_on_unit_boundaries() {
        let g = aligned_region_grid(&[6], &[13], &[4], &[4]).unwrap();
        assert_eq!(g.axis(0).sizes().collect::<Vec<_>>(), vec![2, 4, 4, 3]);
        assert!(is_aligned(&g, &[6], &[4]));
        let merged = aligned_region_grid(&[0], &[20], &[4], &[6]).unwrap();
        assert_eq!(merged.axis(0).sizes().collect::<Vec<_>>(), vec![8, 8, 4]);
        assert!(!is_aligned(&merged, &[2], &[4]));
    }
}
