//! [`Tile`]s: how a block is cut for a fused kernel. Each tile is a box that is also a
//! contiguous run of the block in C order (fixed indices on the leading axes, a range on
//! one axis, whole trailing axes), so a full-shape input is read in place as one slice.

use std::ops::Range;

/// Most elements in one tile: registers of this many `f64` take 128 KiB, so the few a
/// kernel uses at once stay in the L2 cache while each instruction runs (smaller tiles
/// measured slower: the per-tile dispatch then outweighs the L1 hits).
pub(crate) const TILE_ELEMENTS: usize = 16_384;

/// One tile of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Tile {
    /// Where the tile starts, in block coordinates.
    pub(crate) start: Vec<usize>,
    /// The tile's shape (the block's rank).
    pub(crate) shape: Vec<usize>,
    /// The tile's elements as a range of the block's C-order flat indices.
    pub(crate) flat: Range<usize>,
}

impl Tile {
    pub(crate) fn len(&self) -> usize {
        self.flat.len()
    }
}

/// Calls `f` on the tiles of a block of `shape`, in C order, each at most `target`
/// elements (unless one element of the split axis is more: never, since the split axis
/// is chosen so that its trailing axes fit). An empty block has no tiles; a 0-d block
/// has one.
pub(crate) fn for_each_tile(
    shape: &[usize],
    target: usize,
    f: &mut dyn FnMut(&Tile) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let ndim = shape.len();
    if shape.contains(&0) {
        return Ok(());
    }
    if ndim == 0 {
        return f(&Tile {
            start: Vec::new(),
            shape: Vec::new(),
            flat: 0..1,
        });
    }
    // The split axis `k`: the first one whose trailing axes fit in a tile.
    let mut inner = 1usize;
    let mut k = ndim - 1;
    for d in (0..ndim).rev() {
        let next = inner * shape[d];
        if next > target {
            k = d;
            break;
        }
        inner = next;
        k = d;
    }
    // `inner` is now the product of the axes after `k` (or all axes if everything fits).
    if inner == shape[k..].iter().product::<usize>() {
        // The whole block fits: one tile.
        return f(&Tile {
            start: vec![0; ndim],
            shape: shape.to_vec(),
            flat: 0..inner,
        });
    }
    let step = (target / inner).max(1);
    let outer: usize = shape[..k].iter().product();
    let mut tile_shape = shape.to_vec();
    tile_shape[..k].fill(1);
    let mut tile = Tile {
        start: vec![0; ndim],
        shape: tile_shape,
        flat: 0..0,
    };
    let mut outer_coords = Vec::with_capacity(k);
    for o in 0..outer {
        crate::chunks::coords_of(o, &shape[..k], &mut outer_coords);
        tile.start[..k].copy_from_slice(&outer_coords);
        let mut i = 0;
        while i < shape[k] {
            let m = step.min(shape[k] - i);
            tile.start[k] = i;
            tile.shape[k] = m;
            let first = (o * shape[k] + i) * inner;
            tile.flat = first..first + m * inner;
            f(&tile)?;
            i += m;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiles(shape: &[usize], target: usize) -> Vec<Tile> {
        let mut out = Vec::new();
        for_each_tile(shape, target, &mut |t| {
            out.push(t.clone());
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn tiles_cover_the_block_once_in_order() {
        for shape in [
            vec![7usize],
            vec![3, 5],
            vec![10, 10],
            vec![2, 3, 17],
            vec![1, 1],
            vec![4, 1, 9],
            vec![100],
        ] {
            for target in [1, 4, 6, 16, 33, 1000] {
                let ts = tiles(&shape, target);
                let total: usize = shape.iter().product();
                let mut next = 0;
                for t in &ts {
                    assert_eq!(t.flat.start, next, "{shape:?} {target}");
                    assert_eq!(t.len(), t.shape.iter().product::<usize>());
                    assert!(t.len() <= target.max(1), "{shape:?} {target} {t:?}");
                    // The flat start is the C-order index of the tile start.
                    let flat = shape.iter().zip(&t.start).fold(0, |f, (&n, &s)| f * n + s);
                    assert_eq!(flat, t.flat.start);
                    next = t.flat.end;
                }
                assert_eq!(next, total, "{shape:?} {target}");
            }
        }
    }

    #[test]
    fn empty_blocks_have_no_tiles_and_scalars_one() {
        assert!(tiles(&[3, 0], 16).is_empty());
        assert_eq!(tiles(&[], 16).len(), 1);
        assert_eq!(tiles(&[4, 4], 16).len(), 1);
    }
}
