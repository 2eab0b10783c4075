//! `sort` and `argsort` along one axis (NumPy's), on an axis of any length and chunking:
//! the result has the input's chunks.
//!
//! Two plans, chosen when the node is built. When one block column (the whole axis, by
//! the other axes' largest chunks) is at most [`GATHER_BYTES`], the axis is gathered
//! into one block per column, each lane is sorted, and the result is cut back into the
//! input's chunks. Otherwise the axis is cut into equal blocks and sorted by a *merge
//! network*: every block is sorted, then Batcher's odd-even merge network runs over the
//! blocks, each comparator a task that reads two sorted blocks and keeps the lower (or
//! the upper) half of their merge; no task holds more than two blocks (four for
//! `argsort`, which carries the indices beside the values).
//!
//! ```text
//!  axis in 4 equal blocks, each sorted first     stages (p, k) of the network
//!  b0 b1 b2 b3                                   (1,1): b0-b1  b2-b3
//!                                                (2,2): b0-b2  b1-b3
//!                                                (2,1): b1-b2
//! ```
//!
//! A network that sorts single elements sorts sorted blocks of equal length when each
//! comparator is a merge-split (Knuth, TAOCP 5.3.4, ex. 38). The last block may be
//! shorter and the block count need not be a power of two: missing elements act as
//! `+inf` padding at the end, which a merge-split always leaves in the higher block, so
//! comparators with a missing block are skipped and the shorter last block keeps its
//! length. The order is [`OrderKey`]'s (NaN last, `-0.0 == 0.0`); `argsort` orders by
//! `(key, original index)`, which is NumPy's stable sort.

use std::sync::Arc;

use ndarray::{ArrayD, Axis, Zip};

use super::order_key::OrderKey;
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::Result;
use crate::expr::build::{axis_index, rechunk_to};
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// The most bytes of one block column (the whole sorted axis by the other axes' largest
/// chunks, with `argsort`'s indices) that the gathering plan holds in one task; a longer
/// axis is sorted by the merge network, whose tasks hold two blocks.
pub(crate) const GATHER_BYTES: usize = 64 << 20;

/// `x` sorted along `axis` (`argsort`: the indices that sort it, as `int64`).
pub(crate) fn sort(x: &Arc<Node>, axis: isize, argsort: bool) -> Result<Arc<Node>> {
    sort_within(x, axis, argsort, GATHER_BYTES)
}

/// [`sort`] with the gathering plan limited to columns of `gather_bytes`.
pub(crate) fn sort_within(
    x: &Arc<Node>,
    axis: isize,
    argsort: bool,
    gather_bytes: usize,
) -> Result<Arc<Node>> {
    let op = if argsort { "argsort" } else { "sort" };
    let axis = axis_index(op, axis, x.ndim())?;
    let n = x.shape()[axis];
    let blocks = x.chunks().axis(axis).num_chunks();
    let out_dtype = if argsort { DType::I64 } else { x.dtype() };
    let one_pass = |input: &Arc<Node>| {
        Node::new(
            Op::Block(Arc::new(SortBlocks {
                axis,
                indices: argsort,
                step: 0,
            })),
            vec![input.clone()],
            Meta::new(out_dtype, input.chunks().clone()),
        )
    };
    if blocks <= 1 || x.shape().contains(&0) {
        return Ok(one_pass(x));
    }
    let item = x.dtype().size() + if argsort { 8 } else { 0 };
    let column: usize = x
        .chunks()
        .axes()
        .iter()
        .enumerate()
        .map(|(d, a)| if d == axis { n } else { a.max_chunk_len() })
        .product::<usize>()
        .saturating_mul(item);
    if column <= gather_bytes {
        let gathered = with_axis(x.chunks(), axis, AxisChunks::regular(n, n)?);
        let sorted = one_pass(&rechunk_to(x, gathered));
        return Ok(rechunk_to(&sorted, x.chunks().clone()));
    }
    let size = x.chunks().axis(axis).max_chunk_len();
    let equal = rechunk_to(
        x,
        with_axis(x.chunks(), axis, AxisChunks::regular(n, size)?),
    );
    let grid = equal.chunks().clone();
    let blocks = grid.axis(axis).num_chunks();
    let first = |indices| {
        Node::new(
            Op::Block(Arc::new(SortBlocks {
                axis,
                indices,
                step: size,
            })),
            vec![equal.clone()],
            Meta::new(if indices { DType::I64 } else { x.dtype() }, grid.clone()),
        )
    };
    let mut values = first(false);
    let mut indices = argsort.then(|| first(true));
    for stage in network(blocks) {
        let inputs: Vec<Arc<Node>> = std::iter::once(values.clone())
            .chain(indices.clone())
            .collect();
        let step = |want_indices: bool| {
            Node::new(
                Op::Block(Arc::new(MergeSplit {
                    axis,
                    partner: stage.clone(),
                    with_indices: argsort,
                    indices: want_indices,
                })),
                inputs.clone(),
                Meta::new(
                    if want_indices { DType::I64 } else { x.dtype() },
                    grid.clone(),
                ),
            )
        };
        let next_values = step(false);
        indices = indices.as_ref().map(|_| step(true));
        values = next_values;
    }
    let result = indices.unwrap_or(values);
    Ok(rechunk_to(&result, x.chunks().clone()))
}

/// `grid` with axis `axis` cut as `chunks`.
fn with_axis(grid: &ChunkGrid, axis: usize, chunks: AxisChunks) -> ChunkGrid {
    let mut axes = grid.axes().to_vec();
    axes[axis] = chunks;
    ChunkGrid::new(axes)
}

/// The stages of Batcher's odd-even merge network over `n` blocks: per stage, each
/// block's partner and whether it is the lower of the two (`None`: not compared).
/// Comparators reaching past the last block (the padding up to a power of two) are left
/// out.
fn network(n: usize) -> Vec<Vec<Option<(usize, bool)>>> {
    let size = n.next_power_of_two();
    let mut stages = Vec::new();
    let mut p = 1;
    while p < size {
        let mut k = p;
        while k >= 1 {
            let mut stage = vec![None; n];
            let mut any = false;
            let mut j = k % p;
            while j + k < size {
                for i in 0..k.min(size - j - k) {
                    let (lo, hi) = (i + j, i + j + k);
                    if lo / (2 * p) == hi / (2 * p) && hi < n {
                        stage[lo] = Some((hi, true));
                        stage[hi] = Some((lo, false));
                        any = true;
                    }
                }
                j += 2 * k;
            }
            if any {
                stages.push(stage);
            }
            k /= 2;
        }
        p *= 2;
    }
    stages
}

/// Each block's lanes sorted on their own: the values, or (`indices`) the positions
/// that sort them, offset by `step` times the block's index along the axis.
#[derive(Debug)]
struct SortBlocks {
    axis: usize,
    indices: bool,
    step: usize,
}

impl BlockKernel for SortBlocks {
    fn name(&self) -> &'static str {
        if self.indices {
            "argsort"
        } else {
            "sort"
        }
    }

    fn key(&self) -> Vec<u8> {
        [self.axis as u64, u64::from(self.indices), self.step as u64]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, out);
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let offset = (out[self.axis] * self.step) as i64;
        let (axis, indices) = (Axis(self.axis), self.indices);
        Ok(
            crate::any_array::dispatch_any!(inputs[0], a, T => sort_block::<T>(a, axis, indices, offset)),
        )
    }

    fn scratch_bytes(&self, _: &[usize]) -> u64 {
        0
    }

    fn describe(&self) -> Option<String> {
        Some(format!("axis {}", self.axis))
    }
}

/// `keyed` := the lane's elements with their keys and positions, in order.
fn order<T: OrderKey>(keyed: &mut Vec<Entry<T>>, lane: &ndarray::ArrayView1<'_, T>) {
    keyed.clear();
    keyed.extend(
        lane.iter()
            .enumerate()
            .map(|(i, &v)| (v.order_key(), i as i64, v)),
    );
    keyed.sort_unstable_by_key(|&(k, i, _)| (k, i));
}

/// The lanes of `a` along `axis` sorted (or their sorting positions plus `offset`).
fn sort_block<T: OrderKey>(a: &ArrayD<T>, axis: Axis, indices: bool, offset: i64) -> AnyArray {
    let mut keyed: Vec<Entry<T>> = Vec::with_capacity(a.len_of(axis));
    if indices {
        let mut out = ArrayD::<i64>::zeros(a.raw_dim());
        Zip::from(a.lanes(axis))
            .and(out.lanes_mut(axis))
            .for_each(|lane, mut o| {
                order(&mut keyed, &lane);
                for (o, &(_, i, _)) in o.iter_mut().zip(&keyed) {
                    *o = i + offset;
                }
            });
        AnyArray::I64(out)
    } else {
        let mut out = a.to_owned();
        for mut lane in out.lanes_mut(axis) {
            order(&mut keyed, &lane.view());
            for (o, &(_, _, v)) in lane.iter_mut().zip(&keyed) {
                *o = v;
            }
        }
        T::wrap(out)
    }
}

/// One stage of the merge network: a block compared with its partner keeps the lower
/// (or upper) part of the merge of the two, as long as itself; a block without a partner
/// is passed on. Input slot 0 holds the values, slot 1 (`with_indices`) the original
/// indices; the kernel produces the values, or (`indices`) the indices.
#[derive(Debug)]
struct MergeSplit {
    axis: usize,
    partner: Vec<Option<(usize, bool)>>,
    with_indices: bool,
    indices: bool,
}

impl BlockKernel for MergeSplit {
    fn name(&self) -> &'static str {
        "sort_merge"
    }

    fn key(&self) -> Vec<u8> {
        let mut key: Vec<u8> = [
            self.axis as u64,
            u64::from(self.with_indices),
            u64::from(self.indices),
        ]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
        for p in &self.partner {
            let code = p.map_or(u64::MAX, |(b, lower)| (b as u64) << 1 | u64::from(lower));
            key.extend(code.to_le_bytes());
        }
        key
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let slots = if self.with_indices { 2 } else { 1 };
        let mut at = out.to_vec();
        for slot in 0..slots {
            match self.partner[out[self.axis]] {
                None => f(slot, out),
                Some((p, lower)) => {
                    let (lo, hi) = if lower {
                        (out[self.axis], p)
                    } else {
                        (p, out[self.axis])
                    };
                    at[self.axis] = lo;
                    f(slot, &at);
                    at[self.axis] = hi;
                    f(slot, &at);
                }
            }
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let Some((_, lower)) = self.partner[out[self.axis]] else {
            let slot = usize::from(self.indices);
            return Ok(inputs[slot].clone());
        };
        let axis = Axis(self.axis);
        let idx = if self.with_indices {
            Some((inputs[2].as_typed::<i64>()?, inputs[3].as_typed::<i64>()?))
        } else {
            None
        };
        let want = self.indices;
        Ok(crate::any_array::dispatch_any!(inputs[0], lo, T => {
            let hi = inputs[1].as_typed::<T>()?;
            merge_split::<T>(lo, hi, idx, axis, lower, want)
        }))
    }

    fn describe(&self) -> Option<String> {
        let pairs = self.partner.iter().filter(|p| p.is_some()).count() / 2;
        Some(format!("axis {}, {pairs} merged pairs", self.axis))
    }
}

/// The lower (`lower`) or upper part of the merge of the lanes of `lo` and `hi` along
/// `axis`, as long as `lo`'s (or `hi`'s) lanes: its values, or (`want_indices`) its
/// original indices. Elements are ordered by key, then by original index when known.
fn merge_split<T: OrderKey>(
    lo: &ArrayD<T>,
    hi: &ArrayD<T>,
    idx: Option<(&ArrayD<i64>, &ArrayD<i64>)>,
    axis: Axis,
    lower: bool,
    want_indices: bool,
) -> AnyArray {
    let shape = if lower { lo.raw_dim() } else { hi.raw_dim() };
    let idx_lanes: Option<(Vec<_>, Vec<_>)> = idx.map(|(l, h)| {
        (
            l.lanes(axis).into_iter().collect(),
            h.lanes(axis).into_iter().collect(),
        )
    });
    let (mut a, mut b, mut merged) = (Vec::new(), Vec::new(), Vec::new());
    let mut lane_merge = |lane: usize, lv, hv, merged: &mut Vec<Entry<T>>| {
        fill(&mut a, &lv, idx_lanes.as_ref().map(|(l, _)| &l[lane]));
        fill(&mut b, &hv, idx_lanes.as_ref().map(|(_, h)| &h[lane]));
        merge_lane(&a, &b, lower, merged);
    };
    let lanes = lo.lanes(axis).into_iter().zip(hi.lanes(axis));
    if want_indices {
        let mut out = ArrayD::<i64>::zeros(shape);
        for (lane, ((lv, hv), mut o)) in lanes.zip(out.lanes_mut(axis)).enumerate() {
            lane_merge(lane, lv, hv, &mut merged);
            for (o, e) in o.iter_mut().zip(&merged) {
                *o = e.1;
            }
        }
        AnyArray::I64(out)
    } else {
        let mut out = ArrayD::<T>::from_elem(shape, T::default());
        for (lane, ((lv, hv), mut o)) in lanes.zip(out.lanes_mut(axis)).enumerate() {
            lane_merge(lane, lv, hv, &mut merged);
            for (o, e) in o.iter_mut().zip(&merged) {
                *o = e.2;
            }
        }
        T::wrap(out)
    }
}

/// An element with its key and original index.
type Entry<T> = (u64, i64, T);

/// `dst` := the lane's elements with their keys and original indices (`i`, or 0).
fn fill<T: OrderKey>(
    dst: &mut Vec<Entry<T>>,
    v: &ndarray::ArrayView1<'_, T>,
    i: Option<&ndarray::ArrayView1<'_, i64>>,
) {
    dst.clear();
    match i {
        Some(i) => dst.extend(v.iter().zip(i.iter()).map(|(&v, &i)| (v.order_key(), i, v))),
        None => dst.extend(v.iter().map(|&v| (v.order_key(), 0, v))),
    }
}

/// The first `a.len()` (`lower`) or the last `b.len()` entries of the merge of the
/// sorted `a` and `b`, into `out`, in order.
fn merge_lane<T: Copy>(a: &[Entry<T>], b: &[Entry<T>], lower: bool, out: &mut Vec<Entry<T>>) {
    let before = |x: &Entry<T>, y: &Entry<T>| (x.0, x.1) <= (y.0, y.1);
    out.clear();
    if lower {
        let (mut i, mut j) = (0, 0);
        while out.len() < a.len() {
            if j == b.len() || before(&a[i], &b[j]) {
                out.push(a[i]);
                i += 1;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
    } else {
        let (mut i, mut j) = (a.len(), b.len());
        while out.len() < b.len() {
            if i == 0 || (j > 0 && before(&a[i - 1], &b[j - 1])) {
                out.push(b[j - 1]);
                j -= 1;
            } else {
                out.push(a[i - 1]);
                i -= 1;
            }
        }
        out.reverse();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ndarray::{ArrayD, Axis, IxDyn};
    use proptest::prelude::*;

    use super::{network, sort_within};
    use crate::expr::Node;

    fn run<T: crate::Element>(node: &Arc<Node>) -> ArrayD<T> {
        crate::DynArray::from_node(node.clone())
            .compute()
            .unwrap()
            .into_typed::<T>()
            .unwrap()
    }

    /// NumPy's order for the eager reference: NaN last.
    fn key(v: f64) -> (bool, f64) {
        (v.is_nan(), if v.is_nan() { 0.0 } else { v })
    }

    fn eager(a: &ArrayD<f64>, axis: usize) -> (ArrayD<f64>, ArrayD<i64>) {
        let mut values = a.clone();
        let mut indices = ArrayD::<i64>::zeros(a.raw_dim());
        for ((lane, mut v), mut i) in a
            .lanes(Axis(axis))
            .into_iter()
            .zip(values.lanes_mut(Axis(axis)))
            .zip(indices.lanes_mut(Axis(axis)))
        {
            let mut idx: Vec<usize> = (0..lane.len()).collect();
            idx.sort_by(|&p, &q| key(lane[p]).partial_cmp(&key(lane[q])).unwrap());
            for (k, &j) in idx.iter().enumerate() {
                v[k] = lane[j];
                i[k] = j as i64;
            }
        }
        (values, indices)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The merge network (gathering disabled) sorts and arg-sorts like the eager
        /// stable sort, on random shapes, irregular chunks, ties and NaNs.
        #[test]
        fn the_merge_network_sorts_like_a_stable_sort(
            shape in prop::collection::vec(1usize..9, 1..4),
            cuts in prop::collection::vec(prop::collection::vec(1usize..4, 1..9), 3),
            seed in 0u64..10_000,
            pick in 0usize..3,
        ) {
            let axis = pick % shape.len();
            // Irregular chunks: lengths from `cuts`, trimmed to the axis.
            let chunks: Vec<Vec<usize>> = shape.iter().zip(&cuts).map(|(&n, c)| {
                let mut out = Vec::new();
                let mut left = n;
                for &s in c.iter().cycle() {
                    if left == 0 { break; }
                    let s = s.min(left);
                    out.push(s);
                    left -= s;
                }
                out
            }).collect();
            let len: usize = shape.iter().product();
            let data: Vec<f64> = (0..len as u64).map(|k| {
                let h = (k + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed.wrapping_mul(0xbf58_476d_1ce4_e5b9);
                match (h >> 20) % 9 { 0 => f64::NAN, 1 => -0.0, r => f64::from((r as u32) % 4) - 1.5 }
            }).collect();
            let a = ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap();
            let x = crate::from_ndarray(a.clone(), crate::Chunks::from(chunks));
            let (want_v, want_i) = eager(&a, axis);
            let v = run::<f64>(&sort_within(&x.node, axis as isize, false, 0).unwrap());
            prop_assert!(v.iter().zip(&want_v).all(|(g, w)| g == w || (g.is_nan() && w.is_nan())));
            let i = run::<i64>(&sort_within(&x.node, axis as isize, true, 0).unwrap());
            prop_assert_eq!(i, want_i);
        }
    }

    /// The network sorts every 0-1 sequence of its length (the 0-1 principle), also
    /// when the block count is not a power of two.
    #[test]
    fn the_network_sorts_every_zero_one_sequence() {
        for n in 1..=11usize {
            let stages = network(n);
            for bits in 0u32..(1 << n) {
                let mut v: Vec<u32> = (0..n).map(|i| (bits >> i) & 1).collect();
                for stage in &stages {
                    for (lo, p) in stage.iter().enumerate() {
                        if let Some((hi, true)) = *p {
                            if v[lo] > v[hi] {
                                v.swap(lo, hi);
                            }
                        }
                    }
                }
                assert!(v.windows(2).all(|w| w[0] <= w[1]), "n {n}, bits {bits:b}");
            }
        }
    }
}
