//! [`WriteOrder`]: which write tasks must wait for which, so that no storage unit (a Zarr
//! chunk file, or a shard) is ever rewritten from a stale read; and the checks that refuse
//! the writes of a computation that cannot be made safe.
//!
//! Where it sits: plan → **writes** → tasks. [`write_order`] reads the [`WriteLayout`] of
//! every store layer whose writer has one, groups the writes by destination, refuses
//! overlapping regions and disagreeing layouts, and finds the units that several blocks
//! touch. [`tasks`](super::tasks) turns each constraint into a dependency edge that
//! carries no data, so the executor needs to know nothing about writes.
//!
//! A unit that a block covers only partly is read, patched and rewritten whole by that
//! block's task. Each write's own blocks are aligned to its units (`zarr::grid`), but two
//! writes of one computation can still share the units at their common edge:
//!
//! ```text
//!  units of 4:      |0 1 2 3|4 5 6 7|8 9 10 11|
//!  write a (0..6)   [a a a a|a a]
//!  write b (6..12)               [b b|b b  b  b]
//!                            unit 1 is touched by a's last block and b's first:
//!                            b's task runs only after a's has returned
//! ```
//!
//! Why ordering and not merging the blocks that share a unit into one task: a merged task
//! would hold every block of its group at once, and a chain of small writes over one
//! unit (or writes that share units along a whole face) makes that group, and the task's
//! memory, unbounded; it would also need a new kind of layer reading several writes'
//! inputs. An ordering edge keeps every task and its memory as they were, only delays
//! the tasks at shared edges (a unit fully inside a block is never shared, so only the
//! blocks at a region's border can wait), and is correct whatever the block shapes.
//! The price is that a shared unit is read and rewritten once per block touching it.
//!
//! Invariant: constraints always point from a block to one that comes earlier in plan
//! order (output by output, blocks in C order), which is the order in which the store
//! blocks get task ids, so every edge goes to a smaller id and the graph stays a DAG.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use smallvec::SmallVec;

use super::kinds;
use super::{LayerId, Plan};
use crate::chunks::ChunkGrid;
use crate::error::{Error, Result};
use crate::io::WriteLayout;

/// One block of a store layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct StoreBlock {
    pub(crate) layer: LayerId,
    /// The block's index in C order over the layer's grid.
    pub(crate) block: usize,
}

/// For each store block that must wait, the store blocks that must have finished first.
#[derive(Debug, Default)]
pub(crate) struct WriteOrder {
    after: BTreeMap<StoreBlock, Vec<StoreBlock>>,
}

impl WriteOrder {
    /// The blocks `block` of `layer` must run after (none for most blocks).
    pub(crate) fn before(&self, layer: LayerId, block: usize) -> &[StoreBlock] {
        if self.after.is_empty() {
            return &[];
        }
        self.after
            .get(&StoreBlock { layer, block })
            .map_or(&[], Vec::as_slice)
    }

    /// The number of ordering edges.
    #[cfg(test)]
    fn edges(&self) -> usize {
        self.after.values().map(Vec::len).sum()
    }
}

/// A store layer whose writer reported a layout.
struct Write<'p> {
    layer: LayerId,
    grid: &'p ChunkGrid,
    layout: WriteLayout,
    /// The destination's elements the write covers.
    region: Vec<Range<usize>>,
}

/// The ordering the plan's writes need, after checking them.
///
/// # Errors
///
/// [`Error::OverlappingWrites`] when two writes into one destination cover the same
/// elements; [`Error::WriteLayoutMismatch`] when writes into one destination see
/// different shapes or units; [`Error::Storage`] for a layout that does not fit its
/// write; whatever a writer's [`layout`](crate::io::BlockWriter::layout) returns.
pub(crate) fn write_order(plan: &Plan) -> Result<WriteOrder> {
    // Store layers in plan order: the order in which their blocks get task ids.
    let mut writes: Vec<Write<'_>> = Vec::new();
    let mut seen: BTreeSet<LayerId> = BTreeSet::new();
    for out in &plan.outputs {
        if !seen.insert(out.layer) {
            continue; // the same write given twice is one write
        }
        let Some(kinds::Store { writer, grid }) = plan.layer(out.layer).kind.as_store() else {
            continue;
        };
        let Some(layout) = writer.layout()? else {
            continue;
        };
        let region = checked_region(&layout, grid, &writer.identity())?;
        writes.push(Write {
            layer: out.layer,
            grid,
            layout,
            region,
        });
    }
    let mut by_destination: BTreeMap<&str, Vec<&Write<'_>>> = BTreeMap::new();
    for w in &writes {
        by_destination
            .entry(w.layout.destination.as_str())
            .or_default()
            .push(w);
    }
    let mut edges: Vec<(StoreBlock, StoreBlock)> = Vec::new();
    for group in by_destination.values() {
        check_same_layout(group)?;
        check_disjoint(group)?;
        shared_unit_edges(group, &mut edges);
    }
    edges.sort_unstable();
    edges.dedup();
    let mut order = WriteOrder::default();
    for (after, before) in edges {
        order.after.entry(after).or_default().push(before);
    }
    Ok(order)
}

/// The write's region in the destination, checked to fit it.
fn checked_region(
    layout: &WriteLayout,
    grid: &ChunkGrid,
    identity: &str,
) -> Result<Vec<Range<usize>>> {
    let ndim = grid.ndim();
    let region: Vec<Range<usize>> = (0..ndim.min(layout.offset.len()))
        .map(|d| layout.offset[d]..layout.offset[d] + grid.axis(d).len())
        .collect();
    let fits = layout.shape.len() == ndim
        && layout.offset.len() == ndim
        && layout.unit.len() == ndim
        && !layout.unit.contains(&0)
        && region.iter().zip(&layout.shape).all(|(r, &n)| r.end <= n);
    if fits {
        Ok(region)
    } else {
        Err(Error::storage(
            &layout.destination,
            format!(
                "the writer `{identity}` reports a layout that does not fit its write: a block \
                 grid of shape {:?} at offset {:?} in a destination of shape {:?} with units \
                 of {:?}; a layout needs one entry per axis, units of at least 1, and the \
                 region inside the shape",
                grid.shape(),
                layout.offset,
                layout.shape,
                layout.unit
            ),
        ))
    }
}

/// Refuses writes into one destination that disagree about its shape or units: it was
/// replaced between their creations, and at least one would write in the wrong units.
fn check_same_layout(group: &[&Write<'_>]) -> Result<()> {
    let first = &group[0].layout;
    match group
        .iter()
        .find(|w| w.layout.shape != first.shape || w.layout.unit != first.unit)
    {
        None => Ok(()),
        Some(other) => Err(Error::WriteLayoutMismatch {
            destination: first.destination.clone(),
            first_shape: first.shape.clone(),
            first_unit: first.unit.clone(),
            second_shape: other.layout.shape.clone(),
            second_unit: other.layout.unit.clone(),
        }),
    }
}

/// Refuses two writes into one destination that cover the same elements.
///
/// A sweep along axis 0: writes sorted by where they start there, each compared only
/// with the earlier ones that have not ended by then.
fn check_disjoint(group: &[&Write<'_>]) -> Result<()> {
    let start = |w: &Write<'_>| w.region.first().map_or(0, |r| r.start);
    let end = |w: &Write<'_>| w.region.first().map_or(1, |r| r.end);
    let mut sorted: Vec<usize> = (0..group.len()).collect();
    sorted.sort_by_key(|&i| (start(group[i]), i));
    let mut active: Vec<usize> = Vec::new();
    for &i in &sorted {
        let w = group[i];
        active.retain(|&j| end(group[j]) > start(w));
        for &j in &active {
            let overlap: Vec<Range<usize>> = w
                .region
                .iter()
                .zip(&group[j].region)
                .map(|(a, b)| a.start.max(b.start)..a.end.min(b.end))
                .collect();
            if overlap.iter().all(|r| r.start < r.end) {
                let (first, second) = if j < i { (j, i) } else { (i, j) };
                return Err(Error::OverlappingWrites {
                    destination: w.layout.destination.clone(),
                    first: group[first].region.clone(),
                    second: group[second].region.clone(),
                    overlap,
                });
            }
        }
        active.push(i);
    }
    Ok(())
}

/// Unit coordinates: few axes, so no heap allocation.
type Unit = SmallVec<[usize; 4]>;

/// Appends `(after, before)` for every pair of blocks, consecutive in plan order, that
/// touch one unit.
///
/// Only units a block covers partly can be shared: the writes are disjoint, so a unit a
/// block covers whole is touched by no other block. Those are the units on a block's
/// faces that do not fall on unit boundaries, so the work is proportional to the
/// surface of the unaligned faces (none at all for a write aligned to its units).
fn shared_unit_edges(group: &[&Write<'_>], edges: &mut Vec<(StoreBlock, StoreBlock)>) {
    let shape = &group[0].layout.shape;
    let unit = &group[0].layout.unit;
    // (unit, position of the write in plan order, block): sorted, the touchers of each
    // unit come together, in plan order.
    let mut touches: Vec<(Unit, usize, usize)> = Vec::new();
    for (position, w) in group.iter().enumerate() {
        let ndim = w.grid.ndim();
        let blocks = w.grid.blocks_per_axis();
        if blocks.contains(&0) {
            continue;
        }
        let mut coords = vec![0usize; ndim];
        for block in 0..w.grid.num_blocks() {
            let bounds: SmallVec<[Range<usize>; 4]> = (0..ndim)
                .map(|d| {
                    let r = w.grid.axis(d).chunk_range(coords[d]);
                    r.start + w.region[d].start..r.end + w.region[d].start
                })
                .collect();
            if bounds.iter().all(|r| !r.is_empty()) {
                for u in partial_units(&bounds, shape, unit) {
                    touches.push((u, position, block));
                }
            }
            // Next block in C order.
            for d in (0..ndim).rev() {
                coords[d] += 1;
                if coords[d] < blocks[d] {
                    break;
                }
                coords[d] = 0;
            }
        }
    }
    touches.sort_unstable();
    touches.dedup();
    for pair in touches.windows(2) {
        let ((u0, w0, b0), (u1, w1, b1)) = (&pair[0], &pair[1]);
        if u0 == u1 {
            edges.push((
                StoreBlock {
                    layer: group[*w1].layer,
                    block: *b1,
                },
                StoreBlock {
                    layer: group[*w0].layer,
                    block: *b0,
                },
            ));
        }
    }
}

/// The units that the non-empty box `bounds` covers only partly, each once.
///
/// ```text
///  bounds 3..9 on an axis with units of 4 (length 12):  |0 1 2 3|4 5 6 7|8 9 10 11|
///                                                             [3|4 5 6 7|8]
///  units 0 and 2 are cut (partly covered), unit 1 is whole
/// ```
/// A unit is partial when its index is a cut on some axis. For each axis `d` and cut
/// `c`, the box with axis `d` fixed to `c` is enumerated, leaving out the cuts of the
/// axes before `d` (they were enumerated with those axes), which only trims the ends of
/// those ranges.
fn partial_units(bounds: &[Range<usize>], shape: &[usize], unit: &[usize]) -> Vec<Unit> {
    let ndim = bounds.len();
    let mut full: SmallVec<[Range<usize>; 4]> = SmallVec::new();
    let mut cuts: SmallVec<[(bool, bool); 4]> = SmallVec::new();
    for d in 0..ndim {
        let (r, u) = (&bounds[d], unit[d]);
        full.push(r.start / u..r.end.div_ceil(u));
        // The last unit of an axis ends at the shape, so reaching the shape covers it.
        cuts.push((r.start % u != 0, r.end % u != 0 && r.end != shape[d]));
    }
    let mut out = Vec::new();
    for d in 0..ndim {
        let (cut_start, cut_end) = cuts[d];
        let mut fixed: SmallVec<[usize; 2]> = SmallVec::new();
        if cut_start {
            fixed.push(full[d].start);
        }
        if cut_end && !(cut_start && full[d].len() == 1) {
            fixed.push(full[d].end - 1);
        }
        for c in fixed {
            let ranges: SmallVec<[Range<usize>; 4]> = (0..ndim)
                .map(|a| match a.cmp(&d) {
                    std::cmp::Ordering::Less => {
                        let (s, e) = cuts[a];
                        (full[a].start + usize::from(s))..(full[a].end - usize::from(e))
                    }
                    std::cmp::Ordering::Equal => c..c + 1,
                    std::cmp::Ordering::Greater => full[a].clone(),
                })
                .collect();
            for_each_in_box(&ranges, &mut |u| out.push(Unit::from_slice(u)));
        }
    }
    out
}

/// Calls `f` with every point of the box `ranges`, in C order (nothing when it is empty).
fn for_each_in_box(ranges: &[Range<usize>], f: &mut dyn FnMut(&[usize])) {
    if ranges.iter().any(|r| r.start >= r.end) {
        return;
    }
    let mut point: Unit = ranges.iter().map(|r| r.start).collect();
    loop {
        f(&point);
        let mut d = ranges.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            point[d] += 1;
            if point[d] < ranges[d].end {
                break;
            }
            point[d] = ranges[d].start;
        }
    }
}

#[cfg(test)]
// `&[3..9]` is a box of one axis, not a mistaken `vec![3..9]`.
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    fn units(bounds: &[Range<usize>], shape: &[usize], unit: &[usize]) -> Vec<Vec<usize>> {
        let mut got: Vec<Vec<usize>> = partial_units(bounds, shape, unit)
            .into_iter()
            .map(|u| u.to_vec())
            .collect();
        got.sort();
        got
    }

    /// Every unit the box touches but does not cover, by brute force.
    fn brute(bounds: &[Range<usize>], shape: &[usize], unit: &[usize]) -> Vec<Vec<usize>> {
        let ranges: Vec<Range<usize>> = (0..bounds.len())
            .map(|d| bounds[d].start / unit[d]..bounds[d].end.div_ceil(unit[d]))
            .collect();
        let mut out = Vec::new();
        for_each_in_box(&ranges, &mut |u| {
            let covered = (0..u.len()).all(|d| {
                let lo = u[d] * unit[d];
                let hi = ((u[d] + 1) * unit[d]).min(shape[d]);
                bounds[d].start <= lo && hi <= bounds[d].end
            });
            if !covered {
                out.push(u.to_vec());
            }
        });
        out
    }

    #[test]
    fn partial_units_are_the_cut_faces_each_once() {
        assert_eq!(units(&[3..9], &[12], &[4]), vec![vec![0], vec![2]]);
        assert_eq!(units(&[4..12], &[12], &[4]), Vec::<Vec<usize>>::new());
        // The last unit is short: reaching the end of the axis covers it.
        assert_eq!(units(&[4..10], &[10], &[4]), Vec::<Vec<usize>>::new());
        assert_eq!(units(&[1..2], &[10], &[4]), vec![vec![0]]);
        for (bounds, shape, unit) in [
            (vec![3..9, 0..7], vec![12, 7], vec![4, 3]),
            (vec![1..2, 5..6], vec![3, 9], vec![2, 4]),
            (vec![0..8, 2..11, 1..5], vec![8, 11, 9], vec![3, 4, 2]),
            (vec![5..6, 5..6], vec![6, 6], vec![6, 6]),
        ] {
            assert_eq!(
                units(&bounds, &shape, &unit),
                brute(&bounds, &shape, &unit),
                "{bounds:?}"
            );
        }
    }

    /// A writer with a fixed layout.
    #[derive(Debug)]
    struct Laid(WriteLayout);

    impl crate::io::BlockWriter for Laid {
        fn identity(&self) -> String {
            format!("laid:{:?}", self.0)
        }
        fn write(&self, _: &[Range<usize>], _: &crate::any_array::AnyArray) -> Result<()> {
            Ok(())
        }
        fn layout(&self) -> Result<Option<WriteLayout>> {
            Ok(Some(self.0.clone()))
        }
    }

    fn plan_of(writes: &[(usize, usize, usize, Vec<usize>)]) -> Result<Plan> {
        // (offset, length, block length, unit) of a write into a destination of 40.
        let nodes: Vec<_> = writes
            .iter()
            .map(|(offset, len, block, unit)| {
                let x = crate::array::ones::<f64>(&[*len], [*block]).to_dyn();
                let layout = WriteLayout::new("d", vec![40], vec![*offset], unit.clone());
                crate::expr::build::store(x.node(), std::sync::Arc::new(Laid(layout)))
            })
            .collect();
        super::super::lower(&nodes, super::super::LowerOptions::default())
    }

    #[test]
    fn writes_that_share_a_unit_are_chained_in_plan_order() {
        // Units of 8: a = 0..6 (blocks of 3), b = 6..20 (blocks of 2), c = 20..22.
        let plan =
            plan_of(&[(0, 6, 3, vec![8]), (6, 14, 2, vec![8]), (20, 2, 2, vec![8])]).unwrap();
        let order = write_order(&plan).unwrap();
        let layer = |i: usize| plan.outputs[i].layer;
        let sb = |l: usize, block: usize| StoreBlock {
            layer: layer(l),
            block,
        };
        // Unit 0 (0..8): a0, a1, b0; unit 1: b1..b4 (b is not aligned to its units, so
        // its own blocks share them too); unit 2 (16..24): b5, b6, c0.
        assert_eq!(order.before(layer(0), 0), &[]);
        assert_eq!(order.before(layer(0), 1), &[sb(0, 0)]);
        assert_eq!(order.before(layer(1), 0), &[sb(0, 1)]);
        assert_eq!(order.before(layer(1), 4), &[sb(1, 3)]);
        assert_eq!(order.before(layer(1), 5), &[]);
        assert_eq!(order.before(layer(1), 6), &[sb(1, 5)]);
        assert_eq!(order.before(layer(2), 0), &[sb(1, 6)]);
        assert_eq!(order.edges(), 7);
    }

    #[test]
    fn overlapping_or_disagreeing_writes_are_refused() {
        let overlap = plan_of(&[(0, 10, 5, vec![4]), (12, 4, 4, vec![4]), (9, 2, 2, vec![4])]);
        match write_order(&overlap.unwrap()) {
            Err(Error::OverlappingWrites {
                first,
                second,
                overlap,
                ..
            }) => {
                assert_eq!(
                    (first, second, overlap),
                    (vec![0..10], vec![9..11], vec![9..10])
                );
            }
            other => panic!("{other:?}"),
        }
        let mismatch = plan_of(&[(0, 10, 5, vec![4]), (12, 4, 4, vec![8])]);
        assert!(matches!(
            write_order(&mismatch.unwrap()),
            Err(Error::WriteLayoutMismatch { .. })
        ));
        let outside = plan_of(&[(38, 4, 4, vec![4])]);
        assert!(matches!(
            write_order(&outside.unwrap()),
            Err(Error::Storage { .. })
        ));
    }
}
