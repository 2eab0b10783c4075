//! `topk` and `argtopk` (Dask's): the `k` largest elements along an axis (the `-k`
//! smallest for a negative `k`), sorted, without sorting the axis: a reduction tree.
//!
//! ```text
//!  axis in blocks b0 b1 b2 ... b9      partial: each block's own top k per lane
//!  combine: up to 8 partials -> their top k (repeated until one block is left)
//!  result: the top k, largest first (k < 0: smallest first), one chunk on the axis
//! ```
//!
//! Every task holds at most 8 partials of `k` elements per lane. The order is
//! [`OrderKey`]'s (NaN is the largest, as in NumPy's sort); equal elements come in the
//! order of their indices. `argtopk` carries the indices beside the values (a second
//! node per level, like `argsort`'s merge network) and returns them as `int64`.

use std::sync::Arc;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};

use super::order_key::OrderKey;
use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::build::axis_index;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// Most partials one combine task merges.
const SPLIT_EVERY: usize = 8;

/// The top `k` of `x` along `axis` (`argtopk`: their indices, `int64`).
pub(crate) fn topk(x: &Arc<Node>, k: i64, axis: isize, argtopk: bool) -> Result<Arc<Node>> {
    let op = if argtopk { "argtopk" } else { "topk" };
    let axis = axis_index(op, axis, x.ndim())?;
    if k == 0 {
        return Err(Error::InvalidParameter {
            op,
            param: "k",
            value: "0".into(),
            expected: "a non-zero number of elements (negative for the smallest)".into(),
        });
    }
    let largest = k > 0;
    let want = usize::try_from(k.unsigned_abs()).unwrap_or(usize::MAX);
    // Level 0: each block's own top k; then groups of partials until one is left.
    let mut sizes: Vec<usize> = x.chunks().axis(axis).sizes().map(|s| s.min(want)).collect();
    let mut values = x.clone();
    let mut indices: Option<Arc<Node>> = None;
    let mut group = 1usize;
    let mut first = true;
    loop {
        let next: Vec<usize> = sizes
            .chunks(group)
            .map(|g| g.iter().sum::<usize>().min(want))
            .collect();
        let grid = with_axis(x.chunks(), axis, &next)?;
        let inputs: Vec<Arc<Node>> = std::iter::once(values.clone())
            .chain(indices.clone())
            .collect();
        let with_indices = indices.is_some();
        let make = |want_indices: bool| {
            Node::new(
                Op::Block(Arc::new(TopK {
                    axis,
                    k: want,
                    largest,
                    group,
                    inputs_along: sizes.len(),
                    offsets: if first {
                        let axis_chunks = x.chunks().axis(axis);
                        (0..axis_chunks.num_chunks())
                            .map(|i| axis_chunks.chunk_start(i) as i64)
                            .collect()
                    } else {
                        Vec::new()
                    },
                    with_indices,
                    indices: want_indices,
                })),
                inputs.clone(),
                Meta::new(
                    if want_indices { DType::I64 } else { x.dtype() },
                    grid.clone(),
                ),
            )
        };
        let v = make(false);
        indices = argtopk.then(|| make(true));
        values = v;
        first = false;
        sizes = next;
        if sizes.len() <= 1 {
            break;
        }
        group = SPLIT_EVERY;
    }
    Ok(indices.unwrap_or(values))
}

fn with_axis(grid: &ChunkGrid, axis: usize, sizes: &[usize]) -> Result<ChunkGrid> {
    let mut axes = grid.axes().to_vec();
    axes[axis] = AxisChunks::from_sizes(sizes)?;
    Ok(ChunkGrid::new(axes))
}

/// One level of the tree: output block `i` along the axis holds the top `k` of input
/// blocks `i * group .. (i + 1) * group`, sorted. On the first level (`offsets` given)
/// the inputs are the data, whose indices are their positions plus the block's offset;
/// later levels read the indices from slot 1 (`with_indices`).
#[derive(Debug)]
struct TopK {
    axis: usize,
    k: usize,
    largest: bool,
    group: usize,
    /// Input blocks along the axis.
    inputs_along: usize,
    /// Start of each input block along the axis (first level only).
    offsets: Vec<i64>,
    with_indices: bool,
    indices: bool,
}

impl BlockKernel for TopK {
    fn name(&self) -> &'static str {
        if self.indices {
            "argtopk"
        } else {
            "topk"
        }
    }

    fn key(&self) -> Vec<u8> {
        let mut key: Vec<u8> = [
            self.axis as u64,
            self.k as u64,
            u64::from(self.largest),
            self.group as u64,
            u64::from(self.with_indices),
            u64::from(self.indices),
            self.offsets.len() as u64,
        ]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
        key.extend(self.offsets.iter().flat_map(|v| v.to_le_bytes()));
        key
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let slots = if self.with_indices { 2 } else { 1 };
        let start = out[self.axis] * self.group;
        let end = (start + self.group).min(self.inputs_along);
        let mut at = out.to_vec();
        for slot in 0..slots {
            for b in start..end {
                at[self.axis] = b;
                f(slot, &at);
            }
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let n = if self.with_indices {
            inputs.len() / 2
        } else {
            inputs.len()
        };
        let start = out[self.axis] * self.group;
        let idx: Vec<&ArrayD<i64>> = if self.with_indices {
            inputs[n..]
                .iter()
                .map(|a| a.as_typed::<i64>())
                .collect::<Result<_>>()?
        } else {
            Vec::new()
        };
        let offsets: Vec<i64> = if self.offsets.is_empty() {
            Vec::new()
        } else {
            (start..start + n).map(|b| self.offsets[b]).collect()
        };
        crate::any_array::dispatch_any!(inputs[0], first, T => {
            let mut views: Vec<ArrayViewD<'_, T>> = vec![first.view()];
            for a in &inputs[1..n] {
                views.push(a.as_typed::<T>()?.view());
            }
            Ok(self.select::<T>(&views, &idx, &offsets))
        })
    }

    fn describe(&self) -> Option<String> {
        Some(format!("axis {}, k {}", self.axis, self.k))
    }
}

impl TopK {
    fn select<T: OrderKey>(
        &self,
        blocks: &[ArrayViewD<'_, T>],
        idx: &[&ArrayD<i64>],
        offsets: &[i64],
    ) -> AnyArray
    where
        AnyArray: From<ArrayD<T>>,
    {
        let axis = Axis(self.axis);
        let total: usize = blocks.iter().map(|b| b.len_of(axis)).sum();
        let keep = total.min(self.k);
        let mut shape = blocks[0].shape().to_vec();
        shape[self.axis] = keep;
        let lanes: Vec<Vec<_>> = blocks
            .iter()
            .map(|b| b.lanes(axis).into_iter().collect())
            .collect();
        let idx_lanes: Vec<Vec<_>> = idx
            .iter()
            .map(|b| b.lanes(axis).into_iter().collect())
            .collect();
        let mut entries: Vec<(u64, i64, T)> = Vec::with_capacity(total);
        let largest = self.largest;
        // Largest first: by key descending, then index ascending; smallest: ascending.
        let order = |a: &(u64, i64, T), b: &(u64, i64, T)| {
            if largest {
                b.0.cmp(&a.0).then(a.1.cmp(&b.1))
            } else {
                a.0.cmp(&b.0).then(a.1.cmp(&b.1))
            }
        };
        let mut values = ArrayD::<T>::from_elem(IxDyn(&shape), T::default());
        let mut positions =
            ArrayD::<i64>::zeros(IxDyn(if self.indices { &shape } else { &[0][..] }));
        let mut out_lanes: Vec<_> = values.lanes_mut(axis).into_iter().collect();
        let mut pos_lanes: Vec<_> = if self.indices {
            positions.lanes_mut(axis).into_iter().collect()
        } else {
            Vec::new()
        };
        for lane in 0..out_lanes.len() {
            entries.clear();
            for (b, block) in lanes.iter().enumerate() {
                let l = &block[lane];
                if idx_lanes.is_empty() {
                    let off = offsets.get(b).copied().unwrap_or(0);
                    entries.extend(
                        l.iter()
                            .enumerate()
                            .map(|(i, &v)| (v.order_key(), off + i as i64, v)),
                    );
                } else {
                    entries.extend(
                        l.iter()
                            .zip(idx_lanes[b][lane].iter())
                            .map(|(&v, &i)| (v.order_key(), i, v)),
                    );
                }
            }
            if keep < entries.len() && keep > 0 {
                entries.select_nth_unstable_by(keep - 1, order);
            }
            entries.truncate(keep);
            entries.sort_unstable_by(order);
            if self.indices {
                for (o, e) in pos_lanes[lane].iter_mut().zip(&entries) {
                    *o = e.1;
                }
            } else {
                for (o, e) in out_lanes[lane].iter_mut().zip(&entries) {
                    *o = e.2;
                }
            }
        }
        drop(out_lanes);
        drop(pos_lanes);
        if self.indices {
            AnyArray::I64(positions)
        } else {
            AnyArray::from(values)
        }
    }
}
