//! [`ChunkGrid`] splits an array's shape into blocks; index math only, no data and no I/O.
//!
//! Each axis is cut by an [`AxisChunks`]: either regular (every chunk `size` long but the
//! last, which may be shorter) or irregular (explicit lengths, Dask's tuple-of-tuples).
//! Grids are kept canonical: explicit lengths that happen to be regular are stored as
//! regular, so two grids that cut an array the same way compare (and hash) equal.
//!
//! ```text
//!  axis of length 10, regular size 4      irregular (3, 5, 2)
//!  |0 1 2 3|4 5 6 7|8 9|                  |0 1 2|3 4 5 6 7|8 9|
//!   chunk 0  chunk 1 chunk 2 (partial)     chunk 0  chunk 1  chunk 2
//! ```
//!
//! An empty axis has exactly one chunk, of length 0.
//!
//! Where it sits: user code gives a [`Chunks`] specification; it is resolved against the
//! array's shape and dtype into a grid, which every expression node carries.

mod slicing;
mod spec;

use std::fmt;
use std::sync::Arc;

pub use slicing::python_slice;
pub(crate) use slicing::{AxisSelection, SliceMap};
pub use spec::{Chunks, DEFAULT_CHUNK_BYTES};

use crate::error::{Error, Result};

/// How one axis is cut into chunks.
///
/// # Example
///
/// ```
/// use chunkwise::AxisChunks;
/// let axis = AxisChunks::regular(10, 4)?;
/// assert_eq!(axis.num_chunks(), 3);
/// assert_eq!(axis.chunk_len(2), 2);
/// assert_eq!(axis.chunk_of(5), 1);
/// let irregular = AxisChunks::from_sizes(&[3, 5, 2])?;
/// assert_eq!(irregular.chunk_start(2), 8);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AxisChunks {
    len: usize,
    cut: Cut,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Cut {
    /// Every chunk `size` long except a shorter last one.
    Regular { size: usize },
    /// Chunk boundaries `0 = b[0] < b[1] < ... < b[n] = len`.
    Irregular { bounds: Arc<[usize]> },
}

impl AxisChunks {
    /// Cuts an axis of length `len` into chunks of `size` (the last may be shorter).
    ///
    /// # Errors
    ///
    /// [`Error::ZeroChunk`] when `size` is 0 and `len` is not.
    pub fn regular(len: usize, size: usize) -> Result<Self> {
        if len == 0 {
            return Ok(AxisChunks::empty());
        }
        if size == 0 {
            return Err(Error::ZeroChunk { axis: 0, len });
        }
        Ok(AxisChunks {
            len,
            cut: Cut::Regular {
                size: size.min(len),
            },
        })
    }

    /// An axis from explicit chunk lengths.
    ///
    /// # Errors
    ///
    /// [`Error::ZeroChunk`] when a length is 0 (unless it is the single chunk of an empty
    /// axis), [`Error::ShapeOverflow`] when the lengths overflow.
    pub fn from_sizes(sizes: &[usize]) -> Result<Self> {
        if sizes.is_empty() || sizes == [0] {
            return Ok(AxisChunks::empty());
        }
        if sizes.contains(&0) {
            let len = sizes.iter().sum();
            return Err(Error::ZeroChunk { axis: 0, len });
        }
        let mut bounds = Vec::with_capacity(sizes.len() + 1);
        let mut acc = 0usize;
        bounds.push(0);
        for &s in sizes {
            acc = acc.checked_add(s).ok_or_else(|| Error::ShapeOverflow {
                shape: sizes.to_vec(),
            })?;
            bounds.push(acc);
        }
        let first = sizes[0];
        let n = sizes.len();
        let regular = sizes[..n - 1].iter().all(|&s| s == first) && sizes[n - 1] <= first;
        Ok(if regular {
            AxisChunks {
                len: acc,
                cut: Cut::Regular { size: first },
            }
        } else {
            AxisChunks {
                len: acc,
                cut: Cut::Irregular {
                    bounds: bounds.into(),
                },
            }
        })
    }

    fn empty() -> Self {
        AxisChunks {
            len: 0,
            cut: Cut::Regular { size: 0 },
        }
    }

    /// Length of the axis.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an axis of length 0.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of chunks (at least 1; an empty axis has one chunk of length 0).
    #[must_use]
    pub fn num_chunks(&self) -> usize {
        match &self.cut {
            Cut::Regular { size } => {
                if self.len == 0 {
                    1
                } else {
                    self.len.div_ceil(*size)
                }
            }
            Cut::Irregular { bounds } => bounds.len() - 1,
        }
    }

    /// True when every chunk but the last has the same length.
    #[must_use]
    pub fn is_regular(&self) -> bool {
        matches!(self.cut, Cut::Regular { .. })
    }

    /// The length of the largest chunk.
    #[must_use]
    pub fn max_chunk_len(&self) -> usize {
        match &self.cut {
            Cut::Regular { size } => *size,
            Cut::Irregular { bounds } => bounds.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0),
        }
    }

    /// Start of chunk `i`.
    ///
    /// # Panics
    ///
    /// When `i` is not less than [`num_chunks`](Self::num_chunks) (a bug in the caller).
    #[must_use]
    pub fn chunk_start(&self, i: usize) -> usize {
        assert!(i < self.num_chunks(), "chunk {i} out of range");
        match &self.cut {
            Cut::Regular { size } => i * size,
            Cut::Irregular { bounds } => bounds[i],
        }
    }

    /// Length of chunk `i`.
    ///
    /// # Panics
    ///
    /// When `i` is not less than [`num_chunks`](Self::num_chunks) (a bug in the caller).
    #[must_use]
    pub fn chunk_len(&self, i: usize) -> usize {
        assert!(i < self.num_chunks(), "chunk {i} out of range");
        match &self.cut {
            Cut::Regular { size } => (*size).min(self.len - i * size),
            Cut::Irregular { bounds } => bounds[i + 1] - bounds[i],
        }
    }

    /// The index range of chunk `i`.
    #[must_use]
    pub fn chunk_range(&self, i: usize) -> std::ops::Range<usize> {
        let start = self.chunk_start(i);
        start..start + self.chunk_len(i)
    }

    /// The chunk holding element `index` (`index < len`).
    #[must_use]
    pub fn chunk_of(&self, index: usize) -> usize {
        debug_assert!(index < self.len.max(1));
        match &self.cut {
            Cut::Regular { size } => {
                if *size == 0 {
                    0
                } else {
                    index / size
                }
            }
            Cut::Irregular { bounds } => bounds.partition_point(|&b| b <= index) - 1,
        }
    }

    /// The chunk lengths, in order.
    pub fn sizes(&self) -> impl ExactSizeIterator<Item = usize> + '_ {
        (0..self.num_chunks()).map(|i| self.chunk_len(i))
    }

    /// Chunks `first..=last` that overlap the element range `range` (non-empty range).
    #[must_use]
    pub fn chunks_overlapping(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        if range.is_empty() {
            return 0..0;
        }
        self.chunk_of(range.start)..self.chunk_of(range.end - 1) + 1
    }
}

impl fmt::Debug for AxisChunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for AxisChunks {
    /// Regular axes print as `len/size` chunks `(size, ..., last)`; short axes in full.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.num_chunks();
        if n <= 4 {
            let sizes: Vec<String> = self.sizes().map(|s| s.to_string()).collect();
            let comma = if n == 1 { "," } else { "" };
            write!(f, "({}{comma})", sizes.join(", "))
        } else if let Cut::Regular { size } = self.cut {
            let last = self.chunk_len(n - 1);
            if last == size {
                write!(f, "({size},)*{n}")
            } else {
                write!(f, "({size},)*{}+({last},)", n - 1)
            }
        } else {
            write!(
                f,
                "({}, {}, ..., {}) [{n} chunks]",
                self.chunk_len(0),
                self.chunk_len(1),
                self.chunk_len(n - 1)
            )
        }
    }
}

/// The chunking of a whole array: one [`AxisChunks`] per axis.
///
/// Blocks are numbered in C order over the grid of chunks (the last axis varies fastest).
///
/// # Example
///
/// ```
/// use chunkwise::{ChunkGrid, Chunks, DType};
/// let grid: ChunkGrid = Chunks::from([4, 3]).resolve(&[10, 6], DType::F64)?;
/// assert_eq!(grid.blocks_per_axis(), vec![3, 2]);
/// assert_eq!(grid.num_blocks(), 6);
/// assert_eq!(grid.block_shape(&[2, 1]), vec![2, 3]);
/// assert_eq!(grid.block_start(&[2, 1]), vec![8, 3]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ChunkGrid {
    axes: Vec<AxisChunks>,
}

impl ChunkGrid {
    /// A grid from per-axis chunkings.
    #[must_use]
    pub fn new(axes: Vec<AxisChunks>) -> Self {
        ChunkGrid { axes }
    }

    /// The grid of a 0-d array (one block).
    #[must_use]
    pub fn scalar() -> Self {
        ChunkGrid { axes: Vec::new() }
    }

    /// The per-axis chunkings.
    #[must_use]
    pub fn axes(&self) -> &[AxisChunks] {
        &self.axes
    }

    /// The chunking of one axis.
    #[must_use]
    pub fn axis(&self, axis: usize) -> &AxisChunks {
        &self.axes[axis]
    }

    /// Number of axes.
    #[must_use]
    pub fn ndim(&self) -> usize {
        self.axes.len()
    }

    /// The array shape the grid cuts.
    #[must_use]
    pub fn shape(&self) -> Vec<usize> {
        self.axes.iter().map(AxisChunks::len).collect()
    }

    /// Number of blocks along each axis.
    #[must_use]
    pub fn blocks_per_axis(&self) -> Vec<usize> {
        self.axes.iter().map(AxisChunks::num_chunks).collect()
    }

    /// Total number of blocks.
    #[must_use]
    pub fn num_blocks(&self) -> usize {
        self.axes.iter().map(AxisChunks::num_chunks).product()
    }

    /// Shape of the block at grid coordinates `block`.
    #[must_use]
    pub fn block_shape(&self, block: &[usize]) -> Vec<usize> {
        self.axes
            .iter()
            .zip(block)
            .map(|(a, &b)| a.chunk_len(b))
            .collect()
    }

    /// Index of the first element of the block at `block`.
    #[must_use]
    pub fn block_start(&self, block: &[usize]) -> Vec<usize> {
        self.axes
            .iter()
            .zip(block)
            .map(|(a, &b)| a.chunk_start(b))
            .collect()
    }

    /// Number of elements in the largest block.
    #[must_use]
    pub fn max_block_len(&self) -> usize {
        self.axes.iter().map(AxisChunks::max_chunk_len).product()
    }

    /// Block coordinates of linear block number `index` (C order).
    #[must_use]
    pub fn block_coords(&self, mut index: usize) -> Vec<usize> {
        let mut coords = vec![0; self.axes.len()];
        for (c, a) in coords.iter_mut().zip(&self.axes).rev() {
            let n = a.num_chunks();
            *c = index % n;
            index /= n;
        }
        coords
    }

    /// Linear block number (C order) of the block at `coords`.
    #[must_use]
    pub fn block_index(&self, coords: &[usize]) -> usize {
        linear_index(coords, self.axes.iter().map(AxisChunks::num_chunks))
    }
}

/// The C-order linear index of `coords` in a grid with `dims` entries per axis.
pub(crate) fn linear_index(coords: &[usize], dims: impl IntoIterator<Item = usize>) -> usize {
    coords.iter().zip(dims).fold(0, |acc, (&c, n)| acc * n + c)
}

/// The C-order coordinates of linear index `index` in a grid with `dims` entries per axis.
pub(crate) fn coords_of(mut index: usize, dims: &[usize], out: &mut Vec<usize>) {
    out.clear();
    out.resize(dims.len(), 0);
    for (c, &n) in out.iter_mut().zip(dims).rev() {
        *c = index % n;
        index /= n;
    }
}

impl fmt::Debug for ChunkGrid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for ChunkGrid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, a) in self.axes.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        if self.axes.len() == 1 {
            f.write_str(",")?;
        }
        f.write_str(")")
    }
}

/// Number of elements of `shape`, or an error when it overflows.
pub(crate) fn checked_len(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .ok_or_else(|| Error::ShapeOverflow {
            shape: shape.to_vec(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_axis_has_short_last_chunk() {
        let a = AxisChunks::regular(10, 4).unwrap();
        assert_eq!(a.sizes().collect::<Vec<_>>(), vec![4, 4, 2]);
        assert_eq!(a.chunk_of(0), 0);
        assert_eq!(a.chunk_of(9), 2);
        assert_eq!(a.chunks_overlapping(3..9), 0..3);
        assert_eq!(a.chunks_overlapping(4..8), 1..2);
    }

    #[test]
    fn explicit_sizes_that_are_regular_compare_equal_to_regular() {
        let a = AxisChunks::from_sizes(&[4, 4, 2]).unwrap();
        assert!(a.is_regular());
        assert_eq!(a, AxisChunks::regular(10, 4).unwrap());
        let b = AxisChunks::from_sizes(&[2, 4, 4]).unwrap();
        assert!(!b.is_regular());
        assert_eq!(b.chunk_of(5), 1);
        assert_eq!(b.chunk_of(6), 2);
        assert_eq!(b.chunk_start(2), 6);
    }

    #[test]
    fn empty_axis_has_one_empty_chunk() {
        let a = AxisChunks::regular(0, 5).unwrap();
        assert_eq!(a.num_chunks(), 1);
        assert_eq!(a.chunk_len(0), 0);
        assert_eq!(AxisChunks::from_sizes(&[0]).unwrap(), a);
    }

    #[test]
    fn zero_chunk_is_an_error() {
        assert!(matches!(
            AxisChunks::regular(3, 0),
            Err(Error::ZeroChunk { .. })
        ));
        assert!(matches!(
            AxisChunks::from_sizes(&[2, 0, 1]),
            Err(Error::ZeroChunk { .. })
        ));
    }

    #[test]
    fn block_coords_round_trip() {
        let grid = ChunkGrid::new(vec![
            AxisChunks::regular(10, 3).unwrap(),
            AxisChunks::from_sizes(&[1, 2, 3]).unwrap(),
        ]);
        for i in 0..grid.num_blocks() {
            assert_eq!(grid.block_index(&grid.block_coords(i)), i);
        }
        assert_eq!(grid.block_shape(&[3, 2]), vec![1, 3]);
    }

    #[test]
    fn display_is_compact() {
        let a = AxisChunks::regular(1000, 10).unwrap();
        assert_eq!(a.to_string(), "(10,)*100");
        let b = AxisChunks::regular(1005, 10).unwrap();
        assert_eq!(b.to_string(), "(10,)*100+(5,)");
        let c = AxisChunks::regular(10, 4).unwrap();
        assert_eq!(c.to_string(), "(4, 4, 2)");
    }
}
