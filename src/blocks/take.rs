//! `take`: integer-array indexing along one axis with an index known when the graph is
//! built (NumPy's `take(a, indices, axis)` and `a[:, [2, 0, 2]]`).
//!
//! The result has the input's chunks on every other axis; along the indexed axis its
//! length is the number of indices and its chunks follow the index order: a new output
//! chunk starts when the current one holds as many indices as the input's largest chunk
//! on that axis, or when it would read more than [`MAX_READS`] distinct input blocks.
//! Each output block reads only the input blocks that hold its indices, so sorted or
//! clustered indices read each input block about once, and scattered ones never make a
//! task read more than `MAX_READS` blocks.
//!
//! ```text
//!  axis of 10 in chunks (4, 4, 2), indices [9, 0, 1, 5, 5, 8, 2]
//!  output chunks (4, 3): [9, 0, 1, 5] reads input blocks 0, 1, 2;  [5, 8, 2] reads 0, 1, 2
//! ```
//!
//! Repeated and unsorted indices are fine; negative indices count from the end, and an
//! index outside the axis is [`Error::IndexOutOfRange`] when the array is built (so
//! `compute` returns it).

use std::sync::Arc;

use ndarray::{ArrayD, Axis, IxDyn};

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::build::axis_index;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// The most input blocks one output block of `take` reads.
pub(crate) const MAX_READS: usize = 8;

/// The indices `indices` normalized for an axis of length `len` (negative ones count from
/// the end).
///
/// # Errors
///
/// [`Error::IndexOutOfRange`] for an index outside `-len..len`.
pub(crate) fn normalize_indices(indices: &[i64], axis: usize, len: usize) -> Result<Vec<usize>> {
    indices
        .iter()
        .map(|&i| {
            let n = i64::try_from(len).unwrap_or(i64::MAX);
            let j = if i < 0 { i.checked_add(n) } else { Some(i) };
            match j {
                Some(j) if (0..n).contains(&j) => {
                    Ok(usize::try_from(j).expect("a non-negative index below the length"))
                }
                _ => Err(Error::IndexOutOfRange {
                    axis,
                    index: isize::try_from(i).unwrap_or(if i < 0 {
                        isize::MIN
                    } else {
                        isize::MAX
                    }),
                    len,
                }),
            }
        })
        .collect()
}

/// The elements of `x` at `indices` along `axis` (negative axes and indices count from
/// the end), NumPy's `take(x, indices, axis)`.
pub(crate) fn take(x: &Arc<Node>, indices: &[i64], axis: isize) -> Result<Arc<Node>> {
    let axis = axis_index("take", axis, x.ndim())?;
    let indices = normalize_indices(indices, axis, x.shape()[axis])?;
    take_normalized(x, indices, axis, None)
}

/// [`take`] with indices already in `0..len` and a non-negative axis; `chunks`, when
/// given, fixes the result's chunks along the axis (it must have one element per index).
pub(crate) fn take_normalized(
    x: &Arc<Node>,
    indices: Vec<usize>,
    axis: usize,
    chunks: Option<&AxisChunks>,
) -> Result<Arc<Node>> {
    let in_axis = x.chunks().axis(axis);
    let identity = indices.len() == in_axis.len()
        && indices.iter().enumerate().all(|(k, &i)| k == i)
        && chunks.is_none_or(|c| c == in_axis);
    if identity {
        return Ok(x.clone());
    }
    if let Some(c) = chunks {
        if c.len() != indices.len() {
            return Err(Error::internal(
                "take",
                format!("{} indices for chunks of {}", indices.len(), c.len()),
            ));
        }
        let pieces = c
            .sizes()
            .scan(0, |start, n| {
                let range = *start..*start + n;
                *start += n;
                let mut reads: Vec<usize> = indices[range.clone()]
                    .iter()
                    .map(|&i| in_axis.chunk_of(i))
                    .collect();
                reads.dedup();
                Some(Piece::new(range, reads))
            })
            .collect();
        return Ok(take_node(x, indices, axis, pieces));
    }
    let cap = in_axis.max_chunk_len().max(1);
    // Cut the indices into output chunks, each with its sorted distinct input blocks.
    let mut pieces: Vec<Piece> = Vec::new();
    let mut start = 0;
    let mut reads: Vec<usize> = Vec::new();
    for (k, &i) in indices.iter().enumerate() {
        let b = in_axis.chunk_of(i);
        let new_read = !reads.contains(&b);
        if k > start && (k - start == cap || (new_read && reads.len() == MAX_READS)) {
            pieces.push(Piece::new(start..k, std::mem::take(&mut reads)));
            start = k;
        }
        if !reads.contains(&b) {
            reads.push(b);
        }
    }
    if start < indices.len() || pieces.is_empty() {
        pieces.push(Piece::new(start..indices.len(), reads));
    }
    Ok(take_node(x, indices, axis, pieces))
}

/// The node of a take whose output chunks along `axis` are `pieces`.
fn take_node(x: &Arc<Node>, indices: Vec<usize>, axis: usize, pieces: Vec<Piece>) -> Arc<Node> {
    let sizes: Vec<usize> = pieces.iter().map(|p| p.range.len()).collect();
    let mut axes = x.chunks().axes().to_vec();
    axes[axis] =
        AxisChunks::from_sizes(&sizes).expect("piece lengths are positive or one empty piece");
    let grid = ChunkGrid::new(axes);
    let kernel = Take {
        axis,
        indices: indices.into(),
        pieces,
        input: x.chunks().clone(),
        dtype: x.dtype(),
    };
    Node::new(
        Op::Block(Arc::new(kernel)),
        vec![x.clone()],
        Meta::new(x.dtype(), grid),
    )
}

/// One output chunk along the taken axis: which indices, and the input blocks (along
/// that axis, sorted) holding them.
#[derive(Debug)]
struct Piece {
    range: std::ops::Range<usize>,
    reads: Vec<usize>,
}

impl Piece {
    fn new(range: std::ops::Range<usize>, mut reads: Vec<usize>) -> Piece {
        reads.sort_unstable();
        reads.dedup();
        Piece { range, reads }
    }
}

/// The kernel of [`take`]: output block `o` reads, along the axis, the input blocks of
/// its piece (its coordinates on the other axes are the output's), and copies the
/// indexed lanes in order.
#[derive(Debug)]
struct Take {
    axis: usize,
    indices: Arc<[usize]>,
    pieces: Vec<Piece>,
    input: ChunkGrid,
    dtype: DType,
}

impl BlockKernel for Take {
    fn name(&self) -> &'static str {
        "take"
    }

    fn key(&self) -> Vec<u8> {
        let mut k = (self.axis as u64).to_le_bytes().to_vec();
        for &i in self.indices.iter() {
            k.extend((i as u64).to_le_bytes());
        }
        // The chunking is derived from the indices and the input, but says so anyway.
        for p in &self.pieces {
            k.extend((p.range.end as u64).to_le_bytes());
        }
        k
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut coords = out.to_vec();
        for &b in &self.pieces[out[self.axis]].reads {
            coords[self.axis] = b;
            f(0, &coords);
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let piece = &self.pieces[out[self.axis]];
        let in_axis = self.input.axis(self.axis);
        // The other axes' blocks are the input's; along the axis the piece sets the length.
        let mut coords = out.to_vec();
        coords[self.axis] = 0;
        let mut shape = self.input.block_shape(&coords);
        shape[self.axis] = piece.range.len();
        crate::element::with_dtype!(self.dtype, T => {
            let blocks: Vec<&ArrayD<T>> = inputs
                .iter()
                .map(|a| {
                    T::peek(a).ok_or_else(|| {
                        Error::internal("take", format!("a {} block for a {} take", a.dtype(), self.dtype))
                    })
                })
                .collect::<Result<_>>()?;
            let mut result = ArrayD::<T>::from_elem(IxDyn(&shape), T::default());
            for (j, &i) in self.indices[piece.range.clone()].iter().enumerate() {
                let b = in_axis.chunk_of(i);
                let slot = piece.reads.binary_search(&b).map_err(|_| {
                    Error::internal("take", format!("index {i} not in the blocks read"))
                })?;
                let lane = blocks[slot].index_axis(Axis(self.axis), i - in_axis.chunk_start(b));
                result.index_axis_mut(Axis(self.axis), j).assign(&lane);
            }
            Ok(T::wrap(result))
        })
    }

    fn describe(&self) -> Option<String> {
        Some(format!(
            "axis {}, {} indices",
            self.axis,
            self.indices.len()
        ))
    }
}

/// The positions of the true values of a 1-d bool array, as indices.
pub(crate) fn true_positions(mask: &AnyArray) -> Result<Vec<usize>> {
    let m = bool::peek(mask)
        .ok_or_else(|| Error::internal("take", format!("a {} mask", mask.dtype())))?;
    Ok(m.iter()
        .enumerate()
        .filter_map(|(k, &t)| t.then_some(k))
        .collect())
}
