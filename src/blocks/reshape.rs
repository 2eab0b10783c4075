//! `reshape`: the same elements in C order under another shape (NumPy's `reshape`,
//! every shape NumPy allows, `-1` included), without rechunking in the usual cases.
//!
//! The axes fall into *groups*: the fewest consecutive input axes and output axes whose
//! lengths have equal products (length-1 axes on their own). Within a group the elements
//! keep their C-order position, so a group is reshaped independently of the others and
//! an axis alone in its group on both sides keeps its chunks.
//!
//! Each output block reads every input block holding one of its elements: the kernel
//! gathers them directly, so a reshape copies each element once and never needs a
//! rechunk stage when the chunks line up as they usually do. The output chunks of a
//! group are chosen among a few candidates (the input's blocks laid end to end; the
//! input's last chunk length kept; the input's block size filled in from the last axis)
//! by the bytes an output block reads per byte it writes, on sample blocks. Only when
//! every candidate reads more than [`MAX_READ_RATIO`] times what it writes is the group
//! rechunked first (its trailing axes made whole), and then gathered.
//!
//! ```text
//!  (8000, 4000) in 500 x 500 -> (4000, 8000): one group of two axes on each side;
//!  output block (500, 500) at (0, 0) holds rows 0, 2, ..., 998 of input column block 0:
//!  it reads input blocks (0, 0) and (1, 0), and nothing is rechunked
//!  (8000,) in 500 -> (4000, 2): a split; output chunks (250, 2), one input block each
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid, Chunks};
use crate::element::{with_dtype, Scalar};
use crate::error::{Error, Result};
use crate::expr::build::{rechunk_to, source};
use crate::expr::{Meta, Node, Op, Source};
use crate::kernel::block::{for_each_in_box, BlockKernel};

/// Most bytes an output block may read per byte it writes before its group is rechunked
/// first.
const MAX_READ_RATIO: f64 = 8.0;

/// `x` with the shape `shape`, NumPy's C-order `reshape`; one entry may be `-1` (the
/// length that keeps the number of elements).
pub(crate) fn reshape(x: &Arc<Node>, shape: &[isize]) -> Result<Arc<Node>> {
    let shape = resolve_shape(x.shape(), shape)?;
    if shape == x.shape() {
        return Ok(x.clone());
    }
    let size: usize = shape.iter().product();
    if size == 0 {
        // No elements: any array of the shape is the result.
        let grid = ChunkGrid::new(
            shape
                .iter()
                .map(|&n| AxisChunks::regular(n, n.max(1)))
                .collect::<Result<Vec<_>>>()?,
        );
        return source(
            Source::Full(Scalar::Bool(false).cast(x.dtype())),
            &shape,
            x.dtype(),
            &Chunks::Grid(grid),
        );
    }
    let groups = groups(x.shape(), &shape);
    let mut plan = plan_chunks(x.shape(), x.chunks().axes(), &shape, &groups);
    let mut input = x.clone();
    if plan.iter().any(|p| p.ratio > MAX_READ_RATIO) {
        let mut axes = x.chunks().axes().to_vec();
        for (g, p) in groups.iter().zip(&plan) {
            if p.ratio > MAX_READ_RATIO {
                linear_input_chunks(x.shape(), &mut axes, g.ins.clone())?;
            }
        }
        input = rechunk_to(x, ChunkGrid::new(axes));
        plan = plan_chunks(input.shape(), input.chunks().axes(), &shape, &groups);
    }
    let out_chunks: Vec<AxisChunks> = plan.into_iter().flat_map(|p| p.chunks).collect();
    let last_group_axis = groups
        .iter()
        .rev()
        .find(|g| !g.outs.is_empty())
        .and_then(|g| g.ins.clone().last());
    let kernel = Reshape {
        in_shape: input.shape().to_vec(),
        in_chunks: input.chunks().axes().to_vec(),
        out_shape: shape,
        out_chunks: out_chunks.clone(),
        groups,
        last_group_axis,
    };
    let meta = Meta::new(input.dtype(), ChunkGrid::new(out_chunks));
    Ok(Node::new(Op::Block(Arc::new(kernel)), vec![input], meta))
}

/// The shape `shape` asks for an array of shape `from`, with a `-1` resolved.
fn resolve_shape(from: &[usize], shape: &[isize]) -> Result<Vec<usize>> {
    let size: usize = from.iter().product();
    let bad = |why: &str| {
        Error::parameter(
            "reshape",
            "shape",
            format!("{shape:?}"),
            format!("{why} (the array has shape {from:?}, {size} elements)"),
        )
    };
    let mut unknown = None;
    let mut known = 1usize;
    for (i, &n) in shape.iter().enumerate() {
        match usize::try_from(n) {
            Ok(n) => {
                known = known
                    .checked_mul(n)
                    .ok_or_else(|| bad("lengths whose product fits in memory"))?;
            }
            Err(_) if n == -1 && unknown.is_none() => unknown = Some(i),
            Err(_) if n == -1 => return Err(bad("at most one length of -1")),
            Err(_) => return Err(bad("non-negative lengths, or -1 for one unknown length")),
        }
    }
    let mut out: Vec<usize> = shape.iter().map(|&n| n.max(0).unsigned_abs()).collect();
    if let Some(i) = unknown {
        if known == 0 || size % known != 0 {
            return Err(bad(&format!(
                "lengths whose product divides {size}, so that -1 stands for a whole length"
            )));
        }
        out[i] = size / known;
    } else if known != size {
        return Err(bad(&format!("lengths whose product is {size}")));
    }
    Ok(out)
}

/// Consecutive input axes `ins` holding the same elements as output axes `outs`.
#[derive(Clone, Debug)]
struct Group {
    ins: Range<usize>,
    outs: Range<usize>,
}

/// The groups of a reshape from `s` to `t` (both of the same non-zero size).
fn groups(s: &[usize], t: &[usize]) -> Vec<Group> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    loop {
        let si = s.get(i).copied();
        let tj = t.get(j).copied();
        let (ni, nj) = match (si, tj) {
            (None, None) => return out,
            (Some(1), Some(1)) => (1, 1),
            #[allow(
                clippy::match_same_arms,
                reason = "each arm says which side is length 1"
            )]
            (Some(1), _) => (1, 0),
            #[allow(
                clippy::match_same_arms,
                reason = "each arm says which side is length 1"
            )]
            (_, Some(1)) => (0, 1),
            (Some(a), Some(b)) => {
                let (mut pa, mut pb, mut i1, mut j1) = (a, b, i + 1, j + 1);
                while pa != pb {
                    if pa < pb {
                        pa *= s[i1];
                        i1 += 1;
                    } else {
                        pb *= t[j1];
                        j1 += 1;
                    }
                }
                (i1 - i, j1 - j)
            }
            // Equal sizes: one side cannot end before the other except with ones.
            (None, Some(_)) => (0, 1),
            (Some(_), None) => (1, 0),
        };
        out.push(Group {
            ins: i..i + ni,
            outs: j..j + nj,
        });
        i += ni;
        j += nj;
    }
}

/// The output chunks of one group and the bytes its blocks read per byte written.
struct GroupPlan {
    chunks: Vec<AxisChunks>,
    ratio: f64,
}

fn plan_chunks(
    s: &[usize],
    in_chunks: &[AxisChunks],
    t: &[usize],
    groups: &[Group],
) -> Vec<GroupPlan> {
    groups
        .iter()
        .map(|g| {
            let ins: Vec<&AxisChunks> = in_chunks[g.ins.clone()].iter().collect();
            plan_group(&s[g.ins.clone()], &ins, &t[g.outs.clone()])
        })
        .collect()
}

/// The best output chunking of one group (see the module docs).
fn plan_group(s: &[usize], ins: &[&AxisChunks], t: &[usize]) -> GroupPlan {
    let whole = |lens: &[usize]| -> Vec<AxisChunks> {
        lens.iter()
            .map(|&n| AxisChunks::regular(n, n).expect("non-empty axis"))
            .collect()
    };
    if t.is_empty() {
        return GroupPlan {
            chunks: Vec::new(),
            ratio: 1.0,
        };
    }
    if s.is_empty() || (s.len() == 1 && t.len() == 1) {
        let chunks = if s.is_empty() {
            whole(t)
        } else {
            vec![ins[0].clone()]
        };
        return GroupPlan { chunks, ratio: 1.0 };
    }
    let block: usize = ins.iter().map(|a| a.max_chunk_len().max(1)).product();
    let mut candidates: Vec<Vec<AxisChunks>> = Vec::new();
    if let Some(c) = end_to_end(s, ins, t) {
        candidates.push(c);
    }
    let last_in = ins[ins.len() - 1].max_chunk_len().max(1);
    candidates.push(fill_from_last(t, block, Some(last_in)));
    candidates.push(fill_from_last(t, block, None));
    let mut best: Option<GroupPlan> = None;
    for chunks in candidates {
        let ratio = read_ratio(s, ins, t, &chunks);
        if best.as_ref().is_none_or(|b| ratio < b.ratio) {
            best = Some(GroupPlan { chunks, ratio });
        }
    }
    best.expect("there is a candidate")
}

/// Regular chunks of about `block` elements, filling the axes from the last (whose chunk
/// is at most `last` when given).
fn fill_from_last(t: &[usize], block: usize, last: Option<usize>) -> Vec<AxisChunks> {
    let mut left = block.max(1);
    let mut out = vec![AxisChunks::regular(1, 1).expect("non-empty"); t.len()];
    for (j, &n) in t.iter().enumerate().rev() {
        let mut c = n.min(left).max(1);
        if j + 1 == t.len() {
            if let Some(l) = last {
                c = c.min(l);
            }
        }
        left = (left / c).max(1);
        out[j] = AxisChunks::regular(n, c).expect("non-empty axis, chunk at least 1");
    }
    out
}

/// When the input's blocks in the group are consecutive runs of elements (the axes after
/// its first longer than 1 are whole), output chunks laid along the same runs, their
/// boundaries rounded to whole rows of the output.
fn end_to_end(s: &[usize], ins: &[&AxisChunks], t: &[usize]) -> Option<Vec<AxisChunks>> {
    let p = s.iter().position(|&n| n > 1)?;
    if ins[p + 1..].iter().any(|a| a.num_chunks() > 1) {
        return None;
    }
    let row_in: usize = s[p + 1..].iter().product();
    let q = t.iter().position(|&n| n > 1)?;
    let row_out: usize = t[q + 1..].iter().product();
    let mut bounds: Vec<usize> = (0..ins[p].num_chunks())
        .map(|b| ins[p].chunk_start(b) * row_in)
        .map(|b| (b + row_out / 2) / row_out)
        .collect();
    bounds.push(t[q]);
    bounds.dedup();
    let sizes: Vec<usize> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
    let mut out: Vec<AxisChunks> = t
        .iter()
        .map(|&n| AxisChunks::regular(n, n).expect("non-empty axis"))
        .collect();
    out[q] = AxisChunks::from_sizes(&sizes).ok()?;
    Some(out)
}

/// Makes the input axes `ins` of a group read as consecutive runs: the axes after the
/// first longer than 1 whole, that one cut to keep about the original block size.
fn linear_input_chunks(s: &[usize], axes: &mut [AxisChunks], ins: Range<usize>) -> Result<()> {
    let block: usize = axes[ins.clone()]
        .iter()
        .map(|a| a.max_chunk_len().max(1))
        .product();
    let Some(p) = (ins.start..ins.end).find(|&i| s[i] > 1) else {
        return Ok(());
    };
    let row: usize = s[p + 1..ins.end].iter().product();
    axes[p] = AxisChunks::regular(s[p], (block / row.max(1)).max(1))?;
    for i in p + 1..ins.end {
        axes[i] = AxisChunks::regular(s[i], s[i])?;
    }
    Ok(())
}

/// Elements read per element written by sample output blocks of a group chunked as
/// `outs` (the first, middle and last block on every axis).
fn read_ratio(s: &[usize], ins: &[&AxisChunks], t: &[usize], outs: &[AxisChunks]) -> f64 {
    let (mut read, mut written) = (0usize, 0usize);
    for pick in [0usize, 1, 2] {
        let bx: Vec<Range<usize>> = outs
            .iter()
            .map(|a| {
                let n = a.num_chunks();
                a.chunk_range([0, n / 2, n - 1][pick])
            })
            .collect();
        written += bx.iter().map(ExactSizeIterator::len).product::<usize>();
        for c in touched(s, ins, t, &bx) {
            read += c
                .iter()
                .zip(ins)
                .map(|(&b, a)| a.chunk_len(b))
                .product::<usize>();
        }
    }
    read as f64 / written.max(1) as f64
}

/// The input blocks (coordinates over the group's input axes) holding an element of the
/// output box `bx` of a group, sorted.
fn touched(s: &[usize], ins: &[&AxisChunks], t: &[usize], bx: &[Range<usize>]) -> Vec<Vec<usize>> {
    let mut boxes: Vec<Vec<Range<usize>>> = Vec::new();
    linear_runs(t, bx, &mut |start, len| {
        decompose(s, ins, 0, start, start + len, &mut Vec::new(), &mut boxes);
    });
    let mut set = BTreeSet::new();
    for b in &boxes {
        for_each_in_box(b, &mut |c| {
            set.insert(c.to_vec());
        });
    }
    set.into_iter().collect()
}

/// Calls `f(start, len)` for the runs of consecutive C-order positions that the box `bx`
/// of an array of shape `lens` covers.
fn linear_runs(lens: &[usize], bx: &[Range<usize>], f: &mut dyn FnMut(usize, usize)) {
    let Some(q) = (0..lens.len()).rev().find(|&j| bx[j] != (0..lens[j])) else {
        f(0, lens.iter().product());
        return;
    };
    let tail: usize = lens[q + 1..].iter().product();
    let run = bx[q].len() * tail;
    for_each_in_box(&bx[..q], &mut |idx| {
        let row = idx
            .iter()
            .zip(lens)
            .fold(0usize, |acc, (&i, &n)| acc * n + i);
        f((row * lens[q] + bx[q].start) * tail, run);
    });
}

/// Pushes onto `out` boxes of block coordinates (over axes `d..` of shape `s`) covering
/// the C-order positions `a..b` of the sub-array of axes `d..`; `prefix` holds the block
/// ranges of the axes before `d`.
fn decompose(
    s: &[usize],
    ins: &[&AxisChunks],
    d: usize,
    a: usize,
    b: usize,
    prefix: &mut Vec<Range<usize>>,
    out: &mut Vec<Vec<Range<usize>>>,
) {
    if d == s.len() {
        out.push(prefix.clone());
        return;
    }
    let stride: usize = s[d + 1..].iter().product();
    let (i0, i1) = (a / stride, (b - 1) / stride);
    let mut one = |i: usize, lo: usize, hi: usize, prefix: &mut Vec<Range<usize>>| {
        let blk = ins[d].chunk_of(i);
        prefix.push(blk..blk + 1);
        decompose(s, ins, d + 1, lo, hi, prefix, out);
        prefix.pop();
    };
    if i0 == i1 {
        one(i0, a - i0 * stride, b - i0 * stride, prefix);
        return;
    }
    let first_whole = a % stride == 0;
    let last_whole = b % stride == 0;
    if !first_whole {
        one(i0, a - i0 * stride, stride, prefix);
    }
    if !last_whole {
        one(i1, 0, b - i1 * stride, prefix);
    }
    let lo = if first_whole { i0 } else { i0 + 1 };
    let hi = if last_whole { i1 + 1 } else { i1 };
    if lo < hi {
        let mut full = prefix.clone();
        full.push(ins[d].chunks_overlapping(lo..hi));
        full.extend(ins[d + 1..].iter().map(|c| 0..c.num_chunks()));
        out.push(full);
    }
}

/// The kernel of [`reshape`]: an output block gathered from the input blocks holding its
/// elements.
#[derive(Debug)]
struct Reshape {
    in_shape: Vec<usize>,
    in_chunks: Vec<AxisChunks>,
    out_shape: Vec<usize>,
    out_chunks: Vec<AxisChunks>,
    groups: Vec<Group>,
    /// The input axis that moves with the last output axis (the last input axis of the
    /// last output axis' group), if that group has input axes.
    last_group_axis: Option<usize>,
}

impl Reshape {
    /// The input position of the output position `out`.
    fn to_input(&self, out: &[usize], inp: &mut [usize]) {
        for g in &self.groups {
            let mut lin = g
                .outs
                .clone()
                .fold(0usize, |acc, j| acc * self.out_shape[j] + out[j]);
            for i in g.ins.clone().rev() {
                inp[i] = lin % self.in_shape[i];
                lin /= self.in_shape[i];
            }
        }
    }
}

impl BlockKernel for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }

    fn key(&self) -> Vec<u8> {
        self.out_shape
            .iter()
            .flat_map(|&n| (n as u64).to_le_bytes())
            .collect()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        // Per group, the input blocks it touches; the blocks read are their product.
        let per_group: Vec<Vec<Vec<usize>>> = self
            .groups
            .iter()
            .map(|g| {
                let ins: Vec<&AxisChunks> = self.in_chunks[g.ins.clone()].iter().collect();
                let bx: Vec<Range<usize>> = g
                    .outs
                    .clone()
                    .map(|j| self.out_chunks[j].chunk_range(out[j]))
                    .collect();
                touched(
                    &self.in_shape[g.ins.clone()],
                    &ins,
                    &self.out_shape[g.outs.clone()],
                    &bx,
                )
            })
            .collect();
        let ranges: Vec<Range<usize>> = per_group.iter().map(|p| 0..p.len()).collect();
        let mut coords = Vec::with_capacity(self.in_shape.len());
        for_each_in_box(&ranges, &mut |pick| {
            coords.clear();
            for (g, &k) in per_group.iter().zip(pick) {
                coords.extend_from_slice(&g[k]);
            }
            f(0, &coords);
        });
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let mut index: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
        self.for_each_input(out, &mut |_, c| {
            let k = index.len();
            index.insert(c.to_vec(), k);
        });
        let grid = ChunkGrid::new(self.out_chunks.clone());
        let start = grid.block_start(out);
        let shape = grid.block_shape(out);
        let in_grid = ChunkGrid::new(self.in_chunks.clone());
        let dtype = inputs
            .first()
            .map(|a| a.dtype())
            .ok_or_else(|| Error::internal("blocks::reshape", "a block with no inputs"))?;
        let standard: Vec<std::borrow::Cow<'_, AnyArray>> =
            inputs.iter().map(|a| a.standard_layout()).collect();
        let nd = shape.len();
        let last = if nd == 0 { 1 } else { shape[nd - 1] };
        let rows = if nd == 0 { &[][..] } else { &shape[..nd - 1] };
        let row_ranges: Vec<Range<usize>> = rows.iter().map(|&n| 0..n).collect();
        with_dtype!(dtype, T => {
            let srcs = standard
                .iter()
                .map(|a| T::peek(a.as_ref()).and_then(|a| a.as_slice()))
                .collect::<Option<Vec<&[T]>>>()
                .ok_or_else(|| Error::internal("blocks::reshape", "an input of another dtype"))?;
            let len: usize = shape.iter().product();
            let mut v = crate::kernel::pool::vec_with_capacity::<T>(len);
            let mut pos = start.clone();
            let mut inp = vec![0usize; self.in_shape.len()];
            let mut failed = None;
            for_each_in_box(&row_ranges, &mut |row| {
                for (d, &r) in row.iter().enumerate() {
                    pos[d] = start[d] + r;
                }
                let mut col = 0;
                while col < last && failed.is_none() {
                    if nd > 0 {
                        pos[nd - 1] = start[nd - 1] + col;
                    }
                    self.to_input(&pos, &mut inp);
                    let block: Vec<usize> = inp
                        .iter()
                        .zip(&self.in_chunks)
                        .map(|(&i, a)| a.chunk_of(i))
                        .collect();
                    let Some(&k) = index.get(&block) else {
                        failed = Some(block);
                        return;
                    };
                    let bstart = in_grid.block_start(&block);
                    let bshape = in_grid.block_shape(&block);
                    let (mut base, mut stride, mut seg_stride) = (0usize, 1usize, 1usize);
                    for d in (0..inp.len()).rev() {
                        base += (inp[d] - bstart[d]) * stride;
                        if Some(d) == self.last_group_axis {
                            seg_stride = stride;
                        }
                        stride *= bshape[d];
                    }
                    let seg = match self.last_group_axis {
                        Some(a) => (last - col).min(bstart[a] + bshape[a] - inp[a]),
                        None => 1,
                    };
                    let src = srcs[k];
                    v.extend((0..seg).map(|t| src[base + t * seg_stride]));
                    col += seg;
                }
            });
            if let Some(block) = failed {
                return Err(Error::internal(
                    "blocks::reshape",
                    format!("output block {out:?} needs input block {block:?}, which it was not given"),
                ));
            }
            let array = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), v)
                .map_err(|e| Error::internal("blocks::reshape", e.to_string()))?;
            Ok(T::wrap(array))
        })
    }

    fn describe(&self) -> Option<String> {
        Some(format!("{:?} -> {:?}", self.in_shape, self.out_shape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes(lens: &[usize], chunks: &[usize]) -> Vec<AxisChunks> {
        lens.iter()
            .zip(chunks)
            .map(|(&n, &c)| AxisChunks::regular(n, c).unwrap())
            .collect()
    }

    #[test]
    fn groups_pair_axes_with_equal_products() {
        let g = groups(&[8000, 4000], &[4000, 2, 4000]);
        assert_eq!(g.len(), 2);
        assert_eq!((g[0].ins.clone(), g[0].outs.clone()), (0..1, 0..2));
        let g = groups(&[2, 1, 3], &[6, 1]);
        assert_eq!((g[0].ins.clone(), g[0].outs.clone()), (0..3, 0..1));
        assert_eq!((g[1].ins.clone(), g[1].outs.clone()), (3..3, 1..2));
        let g = groups(&[6, 4], &[4, 6]);
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn a_transposing_reshape_reads_two_blocks_per_block() {
        let s = [8000, 4000];
        let ins = axes(&s, &[500, 500]);
        let refs: Vec<&AxisChunks> = ins.iter().collect();
        let plan = plan_group(&s, &refs, &[4000, 8000]);
        assert!(plan.ratio <= 2.0, "{}", plan.ratio);
    }

    #[test]
    fn a_split_along_chunks_is_one_to_one() {
        let s = [8000];
        let ins = axes(&s, &[500]);
        let refs: Vec<&AxisChunks> = ins.iter().collect();
        let plan = plan_group(&s, &refs, &[4000, 2]);
        assert_eq!(plan.ratio, 1.0);
        assert_eq!(plan.chunks[0].max_chunk_len(), 250);
    }
}
