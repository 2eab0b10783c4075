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

/// The block lengths of an aligned write of a region of `shape`: per axis a multiple of
/// `unit`, grown toward `wanted` (the array's own block lengths) while a block holds no
/// more elements than the larger of one wanted block and one unit. Rounding each axis up
/// to whole units independently would inflate blocks: 1024x1024 blocks written to
/// 8192x16 storage chunks would become 8192x1024 blocks, eight times the data per task;
/// here they become 8192x128, as many elements as before.
///
/// ```text
///  wanted 1024 x 1024, unit 8192 x 16  ->  8192 x 128   (1 Mi elements, 8 units)
///  wanted 8192 x 16,   unit 1024 x 1024 -> 1024 x 1024 (one unit)
/// ```
pub(crate) fn aligned_steps(shape: &[usize], unit: &[usize], wanted: &[usize]) -> Vec<usize> {
    let n = shape.len();
    let unit: Vec<usize> = unit.iter().map(|&u| u.max(1)).collect();
    let elements = |lengths: &[usize]| -> u128 {
        (0..n)
            .map(|a| lengths[a].min(shape[a]).max(1) as u128)
            .product()
    };
    let target = elements(wanted).max(elements(&unit));
    let mut steps = unit.clone();
    loop {
        // Grow the axis furthest below its wanted length (relative to it), by one unit.
        let grow = (0..n)
            .filter(|&a| steps[a] < wanted[a] && steps[a] < shape[a])
            .filter(|&a| {
                let mut s = steps.clone();
                s[a] += unit[a];
                elements(&s) <= target
            })
            .min_by(|&a, &b| {
                let ra = steps[a] as f64 / wanted[a] as f64;
                let rb = steps[b] as f64 / wanted[b] as f64;
                ra.total_cmp(&rb).then(b.cmp(&a))
            });
        match grow {
            Some(a) => steps[a] += unit[a],
            None => return steps,
        }
    }
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

    #[test]
    fn aligned_writes_keep_the_elements_per_block() {
        let s = [8192, 8192];
        assert_eq!(
            aligned_steps(&s, &[8192, 16], &[1024, 1024]),
            vec![8192, 128]
        );
        assert_eq!(
            aligned_steps(&s, &[16, 8192], &[1024, 1024]),
            vec![128, 8192]
        );
        assert_eq!(
            aligned_steps(&s, &[1024, 1024], &[8192, 16]),
            vec![1024, 1024]
        );
        assert_eq!(
            aligned_steps(&s, &[1024, 1024], &[16, 8192]),
            vec![1024, 1024]
        );
        // Already a multiple: unchanged; small regions clamp.
        assert_eq!(
            aligned_steps(&s, &[512, 512], &[1024, 2048]),
            vec![1024, 2048]
        );
        assert_eq!(aligned_steps(&[10, 0], &[4, 4], &[10, 3]), vec![12, 4]);
    }
}
