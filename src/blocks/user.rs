//! `blockwise`: a user's function applied block by block, in Dask's index notation; the
//! general tool under `map_blocks`, `from_fn` and `apply_along_axis`.
//!
//! Each input names its axes by letters (`"ik"`), and so does the output (`"ij"`). An
//! output block is computed from, for each input, the blocks at the output block's
//! coordinates along the letters they share; along a letter the output lacks (a
//! contracted index) the input's blocks are all handed to the function together,
//! concatenated into one array. A letter only the output has is a new axis of one
//! block.
//!
//! ```text
//!  blockwise(f, "ij", [(x, "ik"), (y, "kj")]), x in 2 x 3 blocks, y in 3 x 2:
//!  output block (i, j) = f(x[i, 0..3] concatenated, y[0..3, j] concatenated)
//! ```
//!
//! The function is a user's closure behind an `Arc`, erased to [`AnyArray`]s (the typed
//! facade wraps it). A node's key is its function's *name* with the inputs' keys, so
//! the same named function over the same inputs is computed once; an uncacheable
//! function takes a fresh number instead. The kernel checks every returned block's shape
//! and dtype, and turns a panic or an error of the function into a task error naming the
//! function and the block.

use std::fmt;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::build::rechunk_to;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::{for_each_in_box, BlockKernel};
use crate::kernel::copy;

/// Where a block lies, handed to a user's function with the block's data.
///
/// # Example
///
/// ```
/// use chunkwise::BlockInfo;
/// let x = chunkwise::from_fn("rows", &[4, 3], [2, 3], |info: &BlockInfo| {
///     // each element is its row number in the whole array
///     let rows = info.location[0].clone();
///     Ok::<_, chunkwise::Error>(ndarray::Array2::from_shape_fn((rows.len(), 3), |(i, _)| {
///         (rows.start + i) as f64
///     }).into_dyn())
/// });
/// assert_eq!(x.compute()?[[3, 1]], 3.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockInfo {
    /// The block's coordinates in the chunk grid of the result.
    pub block: Vec<usize>,
    /// The block's element ranges in the whole result (Dask's `array-location`).
    pub location: Vec<Range<usize>>,
    /// The shape of the whole result.
    pub shape: Vec<usize>,
    /// The chunk grid of the result.
    pub chunks: Arc<ChunkGrid>,
}

impl BlockInfo {
    /// The info of block `block` of `chunks`.
    pub(crate) fn of(block: &[usize], chunks: &Arc<ChunkGrid>) -> BlockInfo {
        BlockInfo {
            block: block.to_vec(),
            location: (0..block.len())
                .map(|d| chunks.axis(d).chunk_range(block[d]))
                .collect(),
            shape: chunks.shape(),
            chunks: chunks.clone(),
        }
    }

    /// The shape of this block.
    #[must_use]
    pub fn block_shape(&self) -> Vec<usize> {
        self.location.iter().map(ExactSizeIterator::len).collect()
    }
}

/// A user's function over blocks, erased to [`AnyArray`]s: the inputs (one array per
/// input, contracted blocks concatenated) and where the output block lies; returns the
/// output block.
pub(crate) type ErasedFn = Arc<dyn Fn(&[&AnyArray], &BlockInfo) -> Result<AnyArray> + Send + Sync>;

/// How a user's function is named in keys: by its name (the same name over the same
/// inputs is one computation) or by a number no other function has.
#[derive(Clone, Debug)]
pub(crate) struct FnName {
    pub(crate) name: String,
    /// `Some(n)` for an uncacheable function: a number unique in this process.
    pub(crate) unique: Option<u64>,
}

impl FnName {
    /// The name of a cacheable function.
    pub(crate) fn cached(name: &str) -> FnName {
        FnName {
            name: name.to_string(),
            unique: None,
        }
    }

    /// The name of a function computed afresh by every node made with it.
    pub(crate) fn uncached(name: &str) -> FnName {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        FnName {
            name: name.to_string(),
            unique: Some(NEXT.fetch_add(1, Ordering::Relaxed)),
        }
    }

    /// Canonical bytes for a key.
    pub(crate) fn key(&self) -> Vec<u8> {
        let mut k = Vec::with_capacity(self.name.len() + 17);
        k.extend((self.name.len() as u64).to_le_bytes());
        k.extend(self.name.as_bytes());
        match self.unique {
            None => k.push(0),
            Some(n) => {
                k.push(1);
                k.extend(n.to_le_bytes());
            }
        }
        k
    }
}

impl fmt::Display for FnName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Calls a user's function, turning a panic into [`Error::TaskPanicked`] and an error
/// into [`Error::TaskFailed`], both naming `op` (the operation and the function's name)
/// and the block, and checks that the returned block has `dtype` and `shape`.
pub(crate) fn call_user(
    op: &str,
    name: &FnName,
    block: &[usize],
    dtype: DType,
    shape: &[usize],
    call: impl FnOnce() -> Result<AnyArray>,
) -> Result<AnyArray> {
    let label = format!("{op} `{name}`");
    let out = match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => {
            return Err(Error::TaskFailed {
                op: label,
                block: block.to_vec(),
                cause: Box::new(e),
            })
        }
        Err(payload) => {
            let message = if let Some(s) = payload.downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "a panic with a non-string payload".to_string()
            };
            return Err(Error::TaskPanicked {
                op: label,
                block: block.to_vec(),
                message,
            });
        }
    };
    if out.dtype() != dtype || out.shape() != shape {
        return Err(Error::TaskFailed {
            op: label,
            block: block.to_vec(),
            cause: Box::new(Error::BlockMismatch {
                function: name.name.clone(),
                block: block.to_vec(),
                expected_dtype: dtype,
                expected_shape: shape.to_vec(),
                found_dtype: out.dtype(),
                found_shape: out.shape().to_vec(),
            }),
        });
    }
    Ok(out)
}

/// What a [`blockwise`] node is asked to make: the output's letters, dtype, and chunks
/// where they are not the inputs'.
pub(crate) struct BlockwiseSpec<'a> {
    /// The operation, for errors and plans (`"map_blocks"`, `"blockwise"`...).
    pub(crate) op: &'static str,
    pub(crate) name: FnName,
    /// One letter per output axis.
    pub(crate) out_ind: &'a [char],
    /// The inputs and one letter per axis of each.
    pub(crate) inputs: &'a [(Arc<Node>, Vec<char>)],
    pub(crate) dtype: DType,
    /// Chunk lengths per output letter, where they are not the inputs' (new letters
    /// default to one chunk of length 1; other letters to the inputs' chunks).
    pub(crate) chunks: &'a [(char, AxisChunks)],
    pub(crate) f: ErasedFn,
}

/// A node applying `spec.f` block by block (see the module documentation).
///
/// # Errors
///
/// [`Error::InvalidParameter`] when an input's letters do not match its axes, repeat, or
/// the output names a letter twice; [`Error::ShapeMismatch`]-like parameter errors when
/// inputs disagree on a letter's length, or declared chunks disagree with the inputs'
/// number of blocks.
pub(crate) fn blockwise(spec: BlockwiseSpec<'_>) -> Result<Arc<Node>> {
    let op = spec.op;
    let letters = |s: &[char]| s.iter().collect::<String>();
    for (i, (node, ind)) in spec.inputs.iter().enumerate() {
        if ind.len() != node.ndim() {
            return Err(Error::parameter(
                op,
                "index",
                format!("\"{}\" for input {i}", letters(ind)),
                format!("one letter per axis of the input's {} axes", node.ndim()),
            ));
        }
        if has_repeat(ind) {
            return Err(Error::parameter(
                op,
                "index",
                format!("\"{}\" for input {i}", letters(ind)),
                "distinct letters (a repeated letter, a diagonal, is not supported)",
            ));
        }
    }
    if has_repeat(spec.out_ind) {
        return Err(Error::parameter(
            op,
            "out_ind",
            format!("\"{}\"", letters(spec.out_ind)),
            "distinct letters",
        ));
    }
    // The chunks of every letter: the first input spanning it sets them; the others are
    // rechunked to match.
    let mut axes: Vec<(char, AxisChunks)> = Vec::new();
    for (node, ind) in spec.inputs {
        for (d, &c) in ind.iter().enumerate() {
            let a = node.chunks().axis(d);
            match axes.iter().find(|(l, _)| *l == c) {
                Some((_, known)) if known.len() != a.len() => {
                    return Err(Error::parameter(
                        op,
                        "index",
                        format!("'{c}' of lengths {} and {}", known.len(), a.len()),
                        "inputs that agree on the length of every shared letter",
                    ))
                }
                Some(_) => {}
                None => axes.push((c, a.clone())),
            }
        }
    }
    let chunks_of = |c: char| axes.iter().find(|(l, _)| *l == c).map(|(_, a)| a.clone());
    let inputs: Vec<Arc<Node>> = spec
        .inputs
        .iter()
        .map(|(node, ind)| {
            let grid = ChunkGrid::new(
                ind.iter()
                    .map(|&c| chunks_of(c).expect("every input letter is known"))
                    .collect(),
            );
            rechunk_to(node, grid)
        })
        .collect();
    // The output's chunks.
    let mut out_axes = Vec::with_capacity(spec.out_ind.len());
    for &c in spec.out_ind {
        let declared = spec.chunks.iter().find(|(l, _)| *l == c).map(|(_, a)| a);
        let a = match (declared, chunks_of(c)) {
            (Some(d), Some(known)) => {
                if d.num_chunks() != known.num_chunks() {
                    return Err(Error::parameter(
                        op,
                        "chunks",
                        format!("{} chunks along '{c}'", d.num_chunks()),
                        format!(
                            "{} chunks, as many as the inputs have along that axis",
                            known.num_chunks()
                        ),
                    ));
                }
                d.clone()
            }
            // A new letter: the function makes its blocks (any number of them).
            (Some(d), None) => d.clone(),
            (None, Some(known)) => known,
            (None, None) => AxisChunks::regular(1, 1)?,
        };
        out_axes.push(a);
    }
    let grid = Arc::new(ChunkGrid::new(out_axes));
    let kernel = Blockwise {
        op,
        name: spec.name,
        out_ind: spec.out_ind.to_vec(),
        in_inds: spec.inputs.iter().map(|(_, ind)| ind.clone()).collect(),
        in_grids: inputs.iter().map(|n| n.chunks().clone()).collect(),
        in_dtypes: inputs.iter().map(|n| n.dtype()).collect(),
        grid: grid.clone(),
        dtype: spec.dtype,
        f: spec.f,
    };
    Ok(Node::new(
        Op::Block(Arc::new(kernel)),
        inputs,
        Meta::new(spec.dtype, (*grid).clone()),
    ))
}

fn has_repeat(ind: &[char]) -> bool {
    ind.iter().enumerate().any(|(i, c)| ind[..i].contains(c))
}

/// The kernel of [`blockwise`].
struct Blockwise {
    op: &'static str,
    name: FnName,
    out_ind: Vec<char>,
    in_inds: Vec<Vec<char>>,
    in_grids: Vec<ChunkGrid>,
    in_dtypes: Vec<DType>,
    grid: Arc<ChunkGrid>,
    dtype: DType,
    f: ErasedFn,
}

impl fmt::Debug for Blockwise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blockwise")
            .field("op", &self.op)
            .field("name", &self.name)
            .field("out_ind", &self.out_ind)
            .field("in_inds", &self.in_inds)
            .finish_non_exhaustive()
    }
}

impl Blockwise {
    /// The box of blocks of input `slot` that output block `out` reads.
    fn input_box(&self, slot: usize, out: &[usize]) -> Vec<Range<usize>> {
        self.in_inds[slot]
            .iter()
            .enumerate()
            .map(|(d, c)| match self.out_ind.iter().position(|o| o == c) {
                Some(p) => out[p]..out[p] + 1,
                None => 0..self.in_grids[slot].axis(d).num_chunks(),
            })
            .collect()
    }

    /// Whether input `slot` has a contracted letter (its blocks are concatenated).
    fn contracts(&self, slot: usize) -> bool {
        self.in_inds[slot].iter().any(|c| !self.out_ind.contains(c))
    }

    /// The element ranges of the box of blocks `b` of input `slot`.
    fn box_region(&self, slot: usize, b: &[Range<usize>]) -> (Vec<usize>, Vec<usize>) {
        let g = &self.in_grids[slot];
        let start = (0..b.len())
            .map(|d| g.axis(d).chunk_start(b[d].start))
            .collect();
        let shape = (0..b.len())
            .map(|d| {
                let a = g.axis(d);
                if b[d].is_empty() {
                    0
                } else {
                    a.chunk_start(b[d].end - 1) + a.chunk_len(b[d].end - 1)
                        - a.chunk_start(b[d].start)
                }
            })
            .collect();
        (start, shape)
    }
}

impl BlockKernel for Blockwise {
    fn name(&self) -> &'static str {
        self.op
    }

    fn key(&self) -> Vec<u8> {
        let mut k = self.name.key();
        let mut push = |ind: &[char]| {
            k.extend((ind.len() as u64).to_le_bytes());
            for c in ind {
                k.extend(u32::from(*c).to_le_bytes());
            }
        };
        push(&self.out_ind);
        for ind in &self.in_inds {
            push(ind);
        }
        k
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        for slot in 0..self.in_inds.len() {
            for_each_in_box(&self.input_box(slot, out), &mut |c| f(slot, c));
        }
    }

    fn compute(&self, out: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let mut next = 0;
        let mut joined: Vec<std::borrow::Cow<'_, AnyArray>> =
            Vec::with_capacity(self.in_inds.len());
        for slot in 0..self.in_inds.len() {
            let b = self.input_box(slot, out);
            let count: usize = b.iter().map(ExactSizeIterator::len).product();
            let blocks = inputs
                .get(next..next + count)
                .ok_or_else(|| Error::internal("blocks::user", "missing input blocks"))?;
            next += count;
            // One block is the whole box (a contracted letter of one block, or a
            // broadcast axis, included): handed over as it is.
            if count == 1 {
                joined.push(std::borrow::Cow::Borrowed(blocks[0]));
                continue;
            }
            let (start, shape) = self.box_region(slot, &b);
            let g = &self.in_grids[slot];
            let mut pieces = Vec::with_capacity(count);
            let mut i = 0;
            for_each_in_box(&b, &mut |c| {
                pieces.push(copy::Piece {
                    data: blocks[i],
                    start: g.block_start(c),
                });
                i += 1;
            });
            let dtype = self.in_dtypes[slot];
            joined.push(std::borrow::Cow::Owned(copy::assemble(
                dtype, &start, &shape, &pieces,
            )?));
        }
        let arrays: Vec<&AnyArray> = joined.iter().map(|c| &**c).collect();
        let info = BlockInfo::of(out, &self.grid);
        let shape = self.grid.block_shape(out);
        call_user(self.op, &self.name, out, self.dtype, &shape, || {
            (self.f)(&arrays, &info)
        })
    }

    fn scratch_bytes(&self, out: &[usize]) -> u64 {
        // The concatenated blocks of the inputs with a contracted letter.
        (0..self.in_inds.len())
            .filter(|&s| self.contracts(s))
            .map(|s| {
                let (_, shape) = self.box_region(s, &self.input_box(s, out));
                (shape.iter().product::<usize>() * self.in_dtypes[s].size()) as u64
            })
            .sum()
    }

    fn describe(&self) -> Option<String> {
        let letters = |s: &[char]| s.iter().collect::<String>();
        let ins: Vec<String> = self.in_inds.iter().map(|i| letters(i)).collect();
        Some(format!(
            "function `{}`{}, {} <- {}",
            self.name,
            if self.name.unique.is_some() {
                " (not cached)"
            } else {
                ""
            },
            letters(&self.out_ind),
            ins.join(", ")
        ))
    }
}
