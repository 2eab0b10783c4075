//! [`ZarrArray`] and [`create_zarr`]: reading and writing Zarr arrays, chunk by chunk, as
//! sources and sinks of the graph.
//!
//! Reading: [`open_array`] (or [`from_zarr`] for a lazy array straight away) opens a
//! Zarr v3 or v2 array with any codec zarrs enables by default (bytes, blosc, gzip, zstd,
//! crc32c, transpose, sharding; v2 also zlib). [`ZarrArray::to_dyn`] makes a lazy array
//! whose blocks are read through a [`BlockReader`](crate::io::BlockReader) that asks
//! zarrs for exactly the block's box, so only the storage chunks under it are read and
//! decoded. By default blocks are whole storage chunks (or shards), merged when they are
//! smaller than [`DEFAULT_BLOCK_BYTES`].
//!
//! Writing: [`create_zarr`] (or [`LazyArray::to_zarr`](crate::array::LazyArray::to_zarr))
//! writes the array's metadata and returns a [`PendingWrite`](crate::compute::PendingWrite):
//! one task per block, each storing the chunks under its block as soon as it is
//! computed. Blocks are aligned to storage chunks first, so no two tasks of one write
//! write one file; tasks of different writes that share a file at their edges run one
//! after the other, and writes that overlap are refused (see
//! [`run_writes`](crate::compute::run_writes)). Every file is written to a temporary name and
//! renamed into place, so a chunk is never torn and a failed computation leaves the
//! chunks it did not finish as they were.
//!
//! Groups: [`open_group`], [`create_group`], [`ZarrGroup::tree`], attributes.
//!
//! # Example
//!
//! ```
//! use chunkwise::zarr::{open_array, ZarrWriteOptions};
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("x.zarr");
//! let x = chunkwise::random::uniform::<f32>(&[1000, 800], [250, 200], 7);
//! let y = &x - x.mean(0);                          // lazy
//! y.to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([250, 200]))?.run()?;
//! let z = open_array(&path)?;
//! assert_eq!(z.chunk_shape(), &[250, 200]);
//! let back = z.to_lazy::<f32>(None)?.compute()?;
//! assert_eq!(back, y.compute()?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// The size a block of a stored array grows to by default: storage chunks (or shards)
/// smaller than this are merged, larger ones are taken as they are, as Dask's `from_zarr`
/// takes them.
///
/// Smaller than [`DEFAULT_CHUNK_BYTES`](crate::DEFAULT_CHUNK_BYTES) for generated arrays,
/// because decoding, computing and encoding pipeline across tasks: on the `zarr_pipeline`
/// benchmark (1 MiB storage chunks, 2 cores), blocks of one chunk run in 0.47 s, of 4
/// chunks in 0.57 s, of 16 in 0.65 s and of 64 (64 MiB) in 1.09 s, with twice the memory.
///
/// # Example
///
/// ```
/// assert_eq!(chunkwise::zarr::DEFAULT_BLOCK_BYTES, 1 << 20);
/// ```
pub const DEFAULT_BLOCK_BYTES: usize = 1 << 20;

mod array;
mod dtype;
mod error;
mod grid;
mod group;
mod location;
mod node;
mod read;
mod remote;
mod store;
mod write;

pub use array::{from_zarr, from_zarr_dyn, open_array, open_array_in, ZarrArray};
pub use group::{
    create_group, node_kind, open_group, open_group_in, ZarrGroup, ZarrNode, ZarrNodeKind,
};
pub use remote::{io_attempts, set_io_attempts, DEFAULT_IO_ATTEMPTS};
pub use store::IoStats;
pub use write::{create_zarr, BloscCompressorKind, ZarrCodec, ZarrWriteOptions};
