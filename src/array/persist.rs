//! [`LazyArray::persist`]: an array computed into memory, kept in its blocks, and handed
//! back as a lazy array with the same key whose blocks are the kept ones (Dask's
//! `persist`), so later computations reuse it instead of recomputing it.
//!
//! The kept blocks live in a [`Persisted`] store that the returned array's source node
//! reads (a [`BlockReader`]: reading one whole block clones it, any other box is
//! assembled from the blocks it overlaps, so slices and rechunks of a persisted array
//! work as for any stored array). The store lives as long as a handle on the array (or
//! on anything built from it) does; while it lives, its bytes are counted against the
//! memory budget of every computation (`exec::budget::HeldBytes`).

use std::ops::Range;
use std::sync::Arc;

use super::LazyArray;
use crate::any_array::AnyArray;
use crate::chunks::ChunkGrid;
use crate::compute::{self, ComputeOptions};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::exec::HeldBytes;
use crate::expr::{Node, Op, Source};
use crate::io::BlockReader;
use crate::kernel::copy;

/// The kept blocks of a persisted array.
struct Persisted {
    /// The key of the array it holds, as hex: its identity.
    key: String,
    dtype: DType,
    grid: ChunkGrid,
    /// The blocks, in C order over `grid`.
    blocks: Vec<AnyArray>,
    /// Counts the blocks' bytes against later computations' budgets while alive.
    _held: HeldBytes,
}

impl std::fmt::Debug for Persisted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persisted")
            .field("key", &self.key)
            .field("dtype", &self.dtype)
            .field("grid", &self.grid)
            .finish_non_exhaustive()
    }
}

impl BlockReader for Persisted {
    fn dtype(&self) -> DType {
        self.dtype
    }

    fn shape(&self) -> Vec<usize> {
        self.grid.shape()
    }

    fn identity(&self) -> String {
        format!("persist:{}", self.key)
    }

    fn name(&self) -> &'static str {
        "persisted"
    }

    fn read(&self, region: &[Range<usize>]) -> Result<AnyArray> {
        let ranges: Vec<Range<usize>> = region
            .iter()
            .enumerate()
            .map(|(d, r)| {
                if r.is_empty() {
                    0..0
                } else {
                    self.grid.axis(d).chunks_overlapping(r.clone())
                }
            })
            .collect();
        let start: Vec<usize> = region.iter().map(|r| r.start).collect();
        let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
        let mut pieces = Vec::new();
        crate::kernel::block::for_each_in_box(&ranges, &mut |c| {
            pieces.push(copy::Piece {
                data: &self.blocks[self.grid.block_index(c)],
                start: self.grid.block_start(c),
            });
        });
        copy::assemble(self.dtype, &start, &shape, &pieces)
    }
}

impl<T: Element> LazyArray<T> {
    /// Computes the array into memory, kept in its blocks, and returns a lazy array with
    /// the same key whose blocks are the kept ones: later computations built from it
    /// reuse them instead of recomputing (Dask's `persist`). The kept bytes count
    /// against the memory budget of later computations while any handle on the result
    /// lives; dropping the handles frees them.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::random::uniform::<f64>(&[1000], [100], 7);
    /// let y = (&x * 2.0).persist()?;          // computed now, once
    /// assert_eq!(y.key(), (&x * 2.0).key());   // the same array
    /// let (mean, max) = (y.mean(..).compute_scalar()?, y.max(..).compute_scalar()?);
    /// assert!(mean < max);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`compute`](Self::compute).
    pub fn persist(&self) -> Result<LazyArray<T>> {
        self.persist_with(&ComputeOptions::default())
    }

    /// [`persist`](Self::persist) with `options` (executor, threads, memory limit).
    ///
    /// # Errors
    ///
    /// As [`compute`](Self::compute).
    pub fn persist_with(&self, options: &ComputeOptions) -> Result<LazyArray<T>> {
        if let Op::Source(Source::Read { reader, .. }) = &self.node.op {
            if reader.name() == "persisted" {
                return Ok(self.clone());
            }
        }
        let blocks = compute::compute_blocks(&self.node, options)?;
        let grid = self.chunks().clone();
        if blocks.len() != grid.num_blocks() {
            return Err(Error::internal(
                "LazyArray::persist",
                format!(
                    "{} blocks for a grid of {}",
                    blocks.len(),
                    grid.num_blocks()
                ),
            ));
        }
        let bytes: usize = blocks.iter().map(AnyArray::nbytes).sum();
        let store = Persisted {
            key: self.node.key.to_hex(),
            dtype: T::DTYPE,
            grid,
            blocks,
            _held: HeldBytes::new(bytes as u64),
        };
        let node = Arc::new(Node {
            key: self.node.key,
            op: Op::Source(Source::Read {
                reader: Arc::new(store),
                origin: vec![0; self.ndim()],
            }),
            inputs: Vec::new(),
            meta: self.node.meta.clone(),
            shown_shape: None,
        });
        Ok(LazyArray::wrap(node))
    }
}
