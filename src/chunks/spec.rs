//! [`Chunks`], how a user asks for a chunking, and its resolution into a [`ChunkGrid`].

use super::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};

/// The byte size "auto" chunking aims for: 64 MiB per chunk.
pub const DEFAULT_CHUNK_BYTES: usize = 64 << 20;

/// How to chunk an array, as a user writes it.
///
/// - `[1000, 1000]` (array, slice or `Vec<usize>`): one chunk length per axis; a length
///   larger than the axis means "the whole axis".
/// - `vec![vec![3, 5, 2], vec![4]]`: explicit chunk lengths per axis (irregular chunks).
/// - [`Chunks::Auto`]: chunks of about [`DEFAULT_CHUNK_BYTES`], as even across axes as the
///   shape allows; [`Chunks::AutoBytes`] aims at another size.
///
/// # Example
///
/// ```
/// use chunkwise::{Chunks, DType};
/// let grid = Chunks::from([4, 100]).resolve(&[10, 6], DType::F64)?;
/// assert_eq!(grid.to_string(), "((4, 4, 2), (6,))");
/// let auto = Chunks::AutoBytes(8 * 100).resolve(&[1000, 1000], DType::F64)?;
/// assert_eq!(auto.max_block_len(), 100);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Chunks {
    /// About [`DEFAULT_CHUNK_BYTES`] per chunk.
    Auto,
    /// About this many bytes per chunk.
    AutoBytes(usize),
    /// One chunk length per axis (the last chunk of an axis may be shorter).
    Uniform(Vec<usize>),
    /// Explicit chunk lengths per axis.
    Explicit(Vec<Vec<usize>>),
    /// An already resolved grid.
    Grid(ChunkGrid),
}

impl From<&[usize]> for Chunks {
    fn from(sizes: &[usize]) -> Self {
        Chunks::Uniform(sizes.to_vec())
    }
}
impl<const N: usize> From<[usize; N]> for Chunks {
    fn from(sizes: [usize; N]) -> Self {
        Chunks::Uniform(sizes.to_vec())
    }
}
impl<const N: usize> From<&[usize; N]> for Chunks {
    fn from(sizes: &[usize; N]) -> Self {
        Chunks::Uniform(sizes.to_vec())
    }
}
impl From<Vec<usize>> for Chunks {
    fn from(sizes: Vec<usize>) -> Self {
        Chunks::Uniform(sizes)
    }
}
impl From<Vec<Vec<usize>>> for Chunks {
    fn from(sizes: Vec<Vec<usize>>) -> Self {
        Chunks::Explicit(sizes)
    }
}
impl From<ChunkGrid> for Chunks {
    fn from(grid: ChunkGrid) -> Self {
        Chunks::Grid(grid)
    }
}
impl From<&ChunkGrid> for Chunks {
    fn from(grid: &ChunkGrid) -> Self {
        Chunks::Grid(grid.clone())
    }
}

impl Chunks {
    /// Resolves the specification against an array's shape and element type.
    ///
    /// # Errors
    ///
    /// [`Error::ChunksRankMismatch`] when the number of axes differs from the shape's,
    /// [`Error::ChunksSumMismatch`] when explicit lengths do not add up to an axis,
    /// [`Error::ZeroChunk`] for a zero length on a non-empty axis, and
    /// [`Error::InvalidParameter`] for an auto target of 0 bytes.
    pub fn resolve(&self, shape: &[usize], dtype: DType) -> Result<ChunkGrid> {
        let rank_error = |chunks_ndim: usize| Error::ChunksRankMismatch {
            chunks: format!("{self:?}"),
            chunks_ndim,
            shape: shape.to_vec(),
            ndim: shape.len(),
        };
        let with_axis = |axis: usize, e: Error| match e {
            Error::ZeroChunk { len, .. } => Error::ZeroChunk { axis, len },
            other => other,
        };
        match self {
            Chunks::Auto => auto_grid(shape, dtype.size(), DEFAULT_CHUNK_BYTES),
            Chunks::AutoBytes(bytes) => {
                if *bytes == 0 {
                    return Err(Error::parameter(
                        "Chunks::AutoBytes",
                        "bytes",
                        0,
                        "a positive byte target",
                    ));
                }
                auto_grid(shape, dtype.size(), *bytes)
            }
            Chunks::Uniform(sizes) => {
                if sizes.len() != shape.len() {
                    return Err(rank_error(sizes.len()));
                }
                let axes = shape
                    .iter()
                    .zip(sizes)
                    .enumerate()
                    .map(|(axis, (&len, &size))| {
                        AxisChunks::regular(len, size).map_err(|e| with_axis(axis, e))
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(ChunkGrid::new(axes))
            }
            Chunks::Explicit(per_axis) => {
                if per_axis.len() != shape.len() {
                    return Err(rank_error(per_axis.len()));
                }
                let mut axes = Vec::with_capacity(shape.len());
                for (axis, (&len, sizes)) in shape.iter().zip(per_axis).enumerate() {
                    let sum = sizes
                        .iter()
                        .try_fold(0usize, |acc, &s| acc.checked_add(s))
                        .unwrap_or(usize::MAX);
                    if sum != len {
                        return Err(Error::ChunksSumMismatch { axis, len, sum });
                    }
                    let sizes: &[usize] = if len == 0 { &[] } else { sizes };
                    axes.push(AxisChunks::from_sizes(sizes).map_err(|e| with_axis(axis, e))?);
                }
                Ok(ChunkGrid::new(axes))
            }
            Chunks::Grid(grid) => {
                if grid.ndim() != shape.len() {
                    return Err(rank_error(grid.ndim()));
                }
                for (axis, (a, &len)) in grid.axes().iter().zip(shape).enumerate() {
                    if a.len() != len {
                        return Err(Error::ChunksSumMismatch {
                            axis,
                            len,
                            sum: a.len(),
                        });
                    }
                }
                Ok(grid.clone())
            }
        }
    }
}

/// Chunks of about `target_bytes`, as close to cubes as the shape allows.
///
/// Axes shorter than their share of the budget are taken whole and their unused share is
/// handed to the other axes; the remaining axes get equal lengths, then each length is
/// evened out so that an axis's chunks differ by as little as possible.
fn auto_grid(shape: &[usize], itemsize: usize, target_bytes: usize) -> Result<ChunkGrid> {
    let target_elems = (target_bytes / itemsize.max(1)).max(1);
    let mut sizes = vec![0usize; shape.len()];
    let mut open: Vec<usize> = (0..shape.len()).filter(|&a| shape[a] > 0).collect();
    let mut budget = target_elems as f64;
    loop {
        if open.is_empty() {
            break;
        }
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let share = budget.powf(1.0 / open.len() as f64);
        #[allow(clippy::cast_precision_loss)]
        let small: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&a| (shape[a] as f64) <= share)
            .collect();
        if small.is_empty() {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let s = (share.floor() as usize).max(1);
            for &a in &open {
                sizes[a] = s;
            }
            break;
        }
        for &a in &small {
            sizes[a] = shape[a];
            #[allow(clippy::cast_precision_loss)]
            {
                budget /= shape[a] as f64;
            }
        }
        open.retain(|a| !small.contains(a));
    }
    let axes = shape
        .iter()
        .zip(&sizes)
        .map(|(&len, &size)| {
            if len == 0 {
                return AxisChunks::regular(0, 1);
            }
            let n = len.div_ceil(size.max(1));
            AxisChunks::regular(len, len.div_ceil(n))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ChunkGrid::new(axes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_takes_small_arrays_whole() {
        let g = Chunks::Auto.resolve(&[100, 200], DType::F64).unwrap();
        assert_eq!(g.num_blocks(), 1);
    }

    #[test]
    fn auto_stays_near_the_target_and_evens_chunks() {
        let g = Chunks::AutoBytes(1 << 20)
            .resolve(&[10_000, 10_000], DType::F64)
            .unwrap();
        let bytes = g.max_block_len() * 8;
        assert!(bytes <= 1 << 20 && bytes > (1 << 20) / 2, "{bytes}");
        // A narrow axis is taken whole, the budget goes to the other axis.
        let g = Chunks::AutoBytes(8 * 1000)
            .resolve(&[3, 1_000_000], DType::F64)
            .unwrap();
        assert_eq!(g.axis(0).num_chunks(), 1);
        assert!(g.max_block_len() <= 1000);
    }

    #[test]
    fn auto_handles_empty_and_zero_d() {
        let g = Chunks::Auto.resolve(&[0, 5], DType::F64).unwrap();
        assert_eq!(g.blocks_per_axis(), vec![1, 1]);
        let g = Chunks::Auto.resolve(&[], DType::F64).unwrap();
        assert_eq!(g.num_blocks(), 1);
    }

    #[test]
    fn explicit_chunks_must_add_up() {
        let err = Chunks::from(vec![vec![3, 3], vec![2]])
            .resolve(&[7, 2], DType::F32)
            .unwrap_err();
        assert!(matches!(
            err,
            Error::ChunksSumMismatch {
                axis: 0,
                len: 7,
                sum: 6
            }
        ));
        assert!(err.to_string().contains("add up to 6"), "{err}");
    }

    #[test]
    fn rank_mismatch_names_both_shapes() {
        let err = Chunks::from([2]).resolve(&[4, 4], DType::F32).unwrap_err();
        assert!(matches!(err, Error::ChunksRankMismatch { .. }));
        assert!(err.to_string().contains("[4, 4]"), "{err}");
    }

    #[test]
    fn zero_chunk_names_the_axis() {
        let err = Chunks::from([2, 0])
            .resolve(&[4, 4], DType::F32)
            .unwrap_err();
        assert!(matches!(err, Error::ZeroChunk { axis: 1, len: 4 }), "{err}");
    }
}
