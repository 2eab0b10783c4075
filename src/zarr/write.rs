//! Writing lazy arrays to Zarr: [`ZarrWriteOptions`] and [`create_zarr`] (Dask's
//! `to_zarr`), and [`ZarrArray::write_region`] into an existing array.
//!
//! A write is one more layer of the graph: one task per block of the array's chunk grid,
//! each encoding and storing the storage chunks under its block as soon as the block is
//! computed. Before the layer is built, the grid is made *aligned*: if a block boundary
//! falls inside a storage chunk (or shard), the array is rechunked to blocks of whole
//! storage chunks, so no two tasks of one write ever write one file. Chunks at the edge
//! of a region that a write covers only partly are read, patched and written back by the
//! one task that owns them; when another write of the same computation owns part of such
//! a chunk too, the writer's [`layout`](BlockWriter::layout) lets the planner run the two
//! tasks one after the other (`plan::writes`).

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use zarrs::array::codec::{
    BloscCodec, BloscCompressionLevel, BloscCompressor, BloscShuffleMode, GzipCodec, ZstdCodec,
};
use zarrs::array::{Array, ArrayBuilder, ArraySubset, FillValue};
use zarrs::metadata::ArrayMetadata;
use zarrs::storage::{
    Bytes, ListableStorageTraits, ReadableStorageTraits, StoreKey, WritableStorageTraits,
};

use super::array::ZarrArray;
use super::dtype::zarrs_dtype;
use super::error as zerr;
use super::grid;
use super::location::Location;
use super::node::{create_group_metadata, normalize_node_path, store_array_metadata, Inner};
use super::store::Store;
use crate::any_array::AnyArray;
use crate::array::{DynArray, LazyArray};
use crate::compute::PendingWrite;
use crate::element::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::expr::build;
use crate::io::{BlockWriter, IoLimits, IoWindow, WriteLayout};

/// The largest storage chunk the default chunk shape makes: 16 MiB uncompressed.
const DEFAULT_MAX_CHUNK_BYTES: usize = 16 << 20;

/// The compressor of the chunks chunkwise writes.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{ZarrCodec, ZarrWriteOptions};
/// let opts = ZarrWriteOptions::new("out.zarr").codec(ZarrCodec::Gzip { level: 6 });
/// assert_eq!(opts.codec, ZarrCodec::Gzip { level: 6 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZarrCodec {
    /// Zstandard at `level` (1 fastest .. 22 smallest; 3 is the default).
    Zstd {
        /// The compression level.
        level: i32,
    },
    /// Blosc with `compressor` and byte shuffling at `level` (0..=9).
    Blosc {
        /// The compressor inside blosc.
        compressor: BloscCompressorKind,
        /// The compression level.
        level: u8,
    },
    /// Gzip at `level` (0..=9).
    Gzip {
        /// The compression level.
        level: u32,
    },
    /// No compression.
    None,
}

/// The compressor blosc runs inside ([`ZarrCodec::Blosc`]).
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{BloscCompressorKind, ZarrCodec};
/// let codec: ZarrCodec = "blosc:zstd:5".parse()?;
/// assert_eq!(codec, ZarrCodec::Blosc { compressor: BloscCompressorKind::Zstd, level: 5 });
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BloscCompressorKind {
    /// LZ4: fast (blosc's usual choice).
    Lz4,
    /// LZ4 HC: slower to compress, same speed to read, smaller.
    Lz4hc,
    /// Blosc's own LZ compressor.
    Blosclz,
    /// Zstandard.
    Zstd,
    /// zlib.
    Zlib,
}

impl BloscCompressorKind {
    /// The name blosc and Zarr metadata use.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            BloscCompressorKind::Lz4 => "lz4",
            BloscCompressorKind::Lz4hc => "lz4hc",
            BloscCompressorKind::Blosclz => "blosclz",
            BloscCompressorKind::Zstd => "zstd",
            BloscCompressorKind::Zlib => "zlib",
        }
    }

    fn zarrs(self) -> BloscCompressor {
        match self {
            BloscCompressorKind::Lz4 => BloscCompressor::LZ4,
            BloscCompressorKind::Lz4hc => BloscCompressor::LZ4HC,
            BloscCompressorKind::Blosclz => BloscCompressor::BloscLZ,
            BloscCompressorKind::Zstd => BloscCompressor::Zstd,
            BloscCompressorKind::Zlib => BloscCompressor::Zlib,
        }
    }
}

impl fmt::Display for ZarrCodec {
    /// The codec as [`FromStr`](std::str::FromStr) reads it: `zstd:3`, `blosc:lz4:5`,
    /// `gzip:6`, `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZarrCodec::Zstd { level } => write!(f, "zstd:{level}"),
            ZarrCodec::Blosc { compressor, level } => {
                write!(f, "blosc:{}:{level}", compressor.name())
            }
            ZarrCodec::Gzip { level } => write!(f, "gzip:{level}"),
            ZarrCodec::None => f.write_str("none"),
        }
    }
}

impl std::str::FromStr for ZarrCodec {
    type Err = Error;

    /// Reads `zstd`, `zstd:LEVEL`, `gzip`, `gzip:LEVEL`, `blosc`, `blosc:COMPRESSOR`,
    /// `blosc:COMPRESSOR:LEVEL` (compressor lz4, lz4hc, blosclz, zstd or zlib) or `none`.
    /// Levels default to zstd 3, gzip 6 and blosc 5.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::zarr::ZarrCodec;
    /// assert_eq!("gzip:6".parse::<ZarrCodec>()?, ZarrCodec::Gzip { level: 6 });
    /// assert_eq!("zstd".parse::<ZarrCodec>()?.to_string(), "zstd:3");
    /// assert!("lzma".parse::<ZarrCodec>().is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    fn from_str(text: &str) -> Result<ZarrCodec> {
        let bad = |why: &str| {
            Error::parameter(
                "codec",
                "codec",
                text.to_string(),
                format!(
                    "{why}; write zstd[:LEVEL 1..=22], gzip[:LEVEL 0..=9], \
                     blosc[:lz4|lz4hc|blosclz|zstd|zlib[:LEVEL 0..=9]] or none"
                ),
            )
        };
        let parts: Vec<&str> = text.trim().split(':').collect();
        let level =
            |i: usize, default: i64, range: std::ops::RangeInclusive<i64>| match parts.get(i) {
                None => Ok(default),
                Some(p) => p
                    .parse::<i64>()
                    .ok()
                    .filter(|l| range.contains(l))
                    .ok_or_else(|| bad(&format!("level `{p}` is out of range"))),
            };
        let max_parts = match parts[0] {
            "blosc" => 3,
            "none" => 1,
            _ => 2,
        };
        if parts.len() > max_parts {
            return Err(bad("too many `:` parts"));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(match parts[0] {
            "zstd" => ZarrCodec::Zstd {
                level: level(1, 3, 1..=22)? as i32,
            },
            "gzip" => ZarrCodec::Gzip {
                level: level(1, 6, 0..=9)? as u32,
            },
            "none" => ZarrCodec::None,
            "blosc" => {
                let compressor = match parts.get(1).copied().unwrap_or("lz4") {
                    "lz4" => BloscCompressorKind::Lz4,
                    "lz4hc" => BloscCompressorKind::Lz4hc,
                    "blosclz" => BloscCompressorKind::Blosclz,
                    "zstd" => BloscCompressorKind::Zstd,
                    "zlib" => BloscCompressorKind::Zlib,
                    other => return Err(bad(&format!("unknown blosc compressor `{other}`"))),
                };
                ZarrCodec::Blosc {
                    compressor,
                    level: level(2, 5, 0..=9)? as u8,
                }
            }
            other => return Err(bad(&format!("unknown codec `{other}`"))),
        })
    }
}

/// Where and how [`create_zarr`] writes an array. Plain data: set the fields directly or
/// through the builder methods.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{ZarrCodec, ZarrWriteOptions};
/// let codec: ZarrCodec = "blosc:lz4:5".parse()?;
/// let opts = ZarrWriteOptions::new("out.zarr")
///     .array_path("/results/anomaly")
///     .chunk_shape([256, 256])
///     .shard_shape([1024, 1024])
///     .codec(codec)
///     .dimension_names(["y", "x"])
///     .overwrite(true);
/// assert_eq!(opts.chunk_shape, Some(vec![256, 256]));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ZarrWriteOptions {
    /// The store directory (created if missing).
    pub store_path: PathBuf,
    /// The array's path inside the store; `"/"` makes the store itself the array.
    pub array_path: String,
    /// The storage chunk shape (the inner chunk when sharded). Default: the array's
    /// regular chunk size per axis, halved on the longest axis until at most 16 MiB.
    pub chunk_shape: Option<Vec<usize>>,
    /// The shard shape, a multiple of the chunk shape; `None` writes one file per chunk.
    pub shard_shape: Option<Vec<usize>>,
    /// The compressor (default zstd level 3).
    pub codec: ZarrCodec,
    /// The fill value (default zero, or `false`); chunks equal to it are not stored.
    pub fill_value: Option<Scalar>,
    /// User attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// Names of the axes.
    pub dimension_names: Option<Vec<String>>,
    /// Replace an existing array or group at the path (default `false`: refuse).
    pub overwrite: bool,
    /// Sync each file and its directory to disk before a write returns (default `false`).
    pub durable: bool,
}

impl ZarrWriteOptions {
    /// Options writing to the store directory `store_path`, with every default.
    #[must_use]
    pub fn new(store_path: impl AsRef<Path>) -> ZarrWriteOptions {
        ZarrWriteOptions {
            store_path: store_path.as_ref().to_path_buf(),
            array_path: "/".into(),
            chunk_shape: None,
            shard_shape: None,
            codec: ZarrCodec::Zstd { level: 3 },
            fill_value: None,
            attributes: serde_json::Map::new(),
            dimension_names: None,
            overwrite: false,
            durable: false,
        }
    }

    /// Sets [`array_path`](Self::array_path).
    #[must_use]
    pub fn array_path(mut self, path: &str) -> ZarrWriteOptions {
        self.array_path = path.to_string();
        self
    }

    /// Sets [`chunk_shape`](Self::chunk_shape).
    #[must_use]
    pub fn chunk_shape(mut self, shape: impl Into<Vec<usize>>) -> ZarrWriteOptions {
        self.chunk_shape = Some(shape.into());
        self
    }

    /// Sets [`shard_shape`](Self::shard_shape).
    #[must_use]
    pub fn shard_shape(mut self, shape: impl Into<Vec<usize>>) -> ZarrWriteOptions {
        self.shard_shape = Some(shape.into());
        self
    }

    /// Sets [`codec`](Self::codec).
    #[must_use]
    pub fn codec(mut self, codec: ZarrCodec) -> ZarrWriteOptions {
        self.codec = codec;
        self
    }

    /// Sets [`fill_value`](Self::fill_value).
    #[must_use]
    pub fn fill_value(mut self, value: impl Into<Scalar>) -> ZarrWriteOptions {
        self.fill_value = Some(value.into());
        self
    }

    /// Sets [`attributes`](Self::attributes).
    #[must_use]
    pub fn attributes(
        mut self,
        attributes: serde_json::Map<String, serde_json::Value>,
    ) -> ZarrWriteOptions {
        self.attributes = attributes;
        self
    }

    /// Sets [`dimension_names`](Self::dimension_names).
    #[must_use]
    pub fn dimension_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> ZarrWriteOptions {
        self.dimension_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets [`overwrite`](Self::overwrite).
    #[must_use]
    pub fn overwrite(mut self, overwrite: bool) -> ZarrWriteOptions {
        self.overwrite = overwrite;
        self
    }

    /// Sets [`durable`](Self::durable).
    #[must_use]
    pub fn durable(mut self, durable: bool) -> ZarrWriteOptions {
        self.durable = durable;
        self
    }
}

/// Creates a Zarr v3 array for `array` as `options` say (its metadata is written now)
/// and returns the write of its data, which runs chunk by chunk as the computation
/// produces blocks. Run several with [`run_writes`](crate::compute::run_writes) to share
/// their common work.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{create_zarr, open_array, ZarrWriteOptions};
/// let dir = tempfile::tempdir()?;
/// let x = chunkwise::arange(0.0f64, 12.0, 1.0, [5]);
/// let mean = x.mean(..);
/// let a = create_zarr(&(&x - &mean).to_dyn(), &ZarrWriteOptions::new(dir.path().join("a.zarr")))?;
/// let b = create_zarr(&(&x * 2.0).to_dyn(), &ZarrWriteOptions::new(dir.path().join("b.zarr")))?;
/// chunkwise::run_writes(&[a, b], &Default::default())?;
/// assert_eq!(open_array(dir.path().join("b.zarr"))?.to_dyn(None)?.compute()?.sum_f64(), 132.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::AlreadyExists`] when a Zarr array or group is at the path and `overwrite` is
/// off; [`Error::Zarr`] when the path holds other files, or cannot be written;
/// [`Error::InvalidParameter`] for a chunk or shard shape that does not fit.
pub fn create_zarr(array: &DynArray, options: &ZarrWriteOptions) -> Result<PendingWrite> {
    // A data-dependent shape (a boolean mask's result) is counted now: the store needs it.
    let array = &array.with_sizes_resolved()?;
    // In an MPI job, rank 0 creates the array and the others open it once it exists.
    let (zarr, created) = crate::exec::first_rank_then_others(
        || {
            let (zarr, created) =
                create_array(array.shape(), array.dtype(), array.chunks(), options)?;
            Ok((zarr, Some(Arc::new(created))))
        },
        || {
            let store = Store::create(&options.store_path, options.durable)?;
            let zarr = ZarrArray::open(&store, &normalize_node_path(&options.array_path))?;
            Ok((zarr, None))
        },
    )?;
    let offset = vec![0; array.shape().len()];
    zarr.write_region_of(array, &offset, created.clone())
        .inspect_err(|_| {
            if let Some(c) = &created {
                c.undo();
            }
        })
}

/// What [`create_array`] made on disk for one new array, undone ([`Created::undo`])
/// when the computation writing it fails or is refused before any block was written, so
/// that it leaves no output at all.
///
/// Undoing removes only what is still this creation's: a metadata file while it holds
/// the bytes written here, a directory once it is empty. A node replaced since
/// (another write's `overwrite`), or written into, keeps what its writer made.
#[derive(Debug)]
struct Created {
    /// The store written to.
    store: Arc<Store>,
    /// The metadata documents written (the array's, and parent groups' that had none),
    /// with their contents.
    files: Vec<(StoreKey, Bytes)>,
    /// The directories made on the way to the array, deepest first.
    dirs: Vec<PathBuf>,
    /// Set when the first block starts being written: from then on the array stays.
    wrote: AtomicBool,
}

impl Created {
    /// Removes the metadata files that still hold what was written, then the directories
    /// made that are empty.
    fn undo(&self) {
        for (key, bytes) in &self.files {
            if self
                .store
                .get(key)
                .is_ok_and(|now| now.as_ref() == Some(bytes))
            {
                // Best effort: the write is being abandoned for another reason.
                let _ = self.store.erase(key);
            }
        }
        for dir in &self.dirs {
            // Fails, and keeps the directory, when anything else is in it.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// `dir` and those of its ancestors that do not exist yet, deepest first.
fn missing_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    missing
}

/// `keys` with their current contents (those that can be read).
fn with_contents(
    store: &Store,
    keys: impl IntoIterator<Item = StoreKey>,
) -> Vec<(StoreKey, Bytes)> {
    keys.into_iter()
        .filter_map(|k| store.get(&k).ok().flatten().map(|bytes| (k, bytes)))
        .collect()
}

impl<T: Element> LazyArray<T> {
    /// Writes this array to a new Zarr array; see [`create_zarr`].
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let opts = chunkwise::zarr::ZarrWriteOptions::new(dir.path().join("x.zarr"));
    /// chunkwise::ones::<f32>(&[4, 4], [2, 2]).to_zarr(&opts)?.run()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`create_zarr`].
    pub fn to_zarr(&self, options: &ZarrWriteOptions) -> Result<PendingWrite> {
        create_zarr(&self.to_dyn(), options)
    }
}

impl DynArray {
    /// Writes this array to a new Zarr array; see [`create_zarr`].
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let opts = chunkwise::zarr::ZarrWriteOptions::new(dir.path().join("x.zarr"));
    /// chunkwise::ones::<u16>(&[4], [2]).to_dyn().to_zarr(&opts)?.run()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`create_zarr`].
    pub fn to_zarr(&self, options: &ZarrWriteOptions) -> Result<PendingWrite> {
        create_zarr(self, options)
    }
}

impl ZarrArray {
    /// The write of `array` into this Zarr array at `offset` (one index per axis); nothing
    /// runs until [`PendingWrite::run`]. Storage chunks the region covers only partly
    /// keep their values outside it.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::zarr::{open_array, ZarrWriteOptions};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// chunkwise::zeros::<i32>(&[10], [4]).to_zarr(&ZarrWriteOptions::new(&path))?.run()?;
    /// let z = open_array(&path)?;
    /// z.write_region(&chunkwise::ones::<i32>(&[3], [3]).to_dyn(), &[5])?.run()?;
    /// let values: Vec<i32> = z.read(&[0..10])?.into_typed::<i32>()?.iter().copied().collect();
    /// assert_eq!(values, [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] when the dtypes differ; [`Error::Zarr`] when the region
    /// does not fit inside the array.
    pub fn write_region(&self, array: &DynArray, offset: &[usize]) -> Result<PendingWrite> {
        self.write_region_of(array, offset, None)
    }

    /// [`write_region`](Self::write_region), for a write that created the array (and
    /// removes it if it writes nothing) when `created` is set.
    fn write_region_of(
        &self,
        array: &DynArray,
        offset: &[usize],
        created: Option<Arc<Created>>,
    ) -> Result<PendingWrite> {
        let inner = self.inner();
        if array.dtype() != self.dtype() {
            return Err(Error::DTypeMismatch {
                context: format!("writing to zarr array `{}`", self.path()),
                expected: self.dtype(),
                found: array.dtype(),
            });
        }
        let fits = offset.len() == self.shape().len()
            && array.shape().len() == self.shape().len()
            && (0..offset.len()).all(|a| offset[a] + array.shape()[a] <= self.shape()[a]);
        if !fits {
            return Err(zerr::zarr_problem(
                self.path(),
                format!(
                    "cannot write an array of shape {:?} at offset {offset:?} into an array \
                     of shape {:?}; the region must lie inside the array",
                    array.shape(),
                    self.shape()
                ),
            ));
        }
        let unit = self.write_unit();
        let node = if grid::is_aligned(array.chunks(), offset, unit) {
            array.node().clone()
        } else {
            let wanted: Vec<usize> = array
                .chunks()
                .axes()
                .iter()
                .map(crate::chunks::AxisChunks::max_chunk_len)
                .collect();
            let steps = grid::aligned_steps(array.shape(), unit, &wanted);
            let aligned = grid::aligned_region_grid(offset, array.shape(), unit, &steps)?;
            build::rechunk_to(array.node(), aligned)
        };
        let writer = ZarrWriter {
            inner: inner.clone(),
            offset: offset.to_vec(),
            created,
        };
        Ok(PendingWrite::new(&node, Arc::new(writer)))
    }
}

/// Creates the array's metadata (and any missing parent groups) and opens it; also
/// returns what it created.
fn create_array(
    shape: &[usize],
    dtype: DType,
    blocks: &crate::chunks::ChunkGrid,
    options: &ZarrWriteOptions,
) -> Result<(ZarrArray, Created)> {
    let array_path = normalize_node_path(&options.array_path);
    let chunk = match &options.chunk_shape {
        Some(c) => check_shape("chunk_shape", c, shape.len())?,
        None => default_chunk_shape(blocks, dtype),
    };
    let shard = match &options.shard_shape {
        Some(s) => {
            let s = check_shape("shard_shape", s, shape.len())?;
            if s.iter().zip(&chunk).any(|(&s, &c)| s % c != 0) {
                return Err(Error::parameter(
                    "create_zarr",
                    "shard_shape",
                    format!("{s:?}"),
                    format!("a multiple of the chunk shape {chunk:?} on every axis"),
                ));
            }
            Some(s)
        }
        None => None,
    };
    let store_path = &options.store_path;
    // What this creates, to undo if the write never writes a block: the directories on
    // the way to a local array (the metadata documents are listed below).
    let (store, dirs) = if let Location::Local(_) = Location::parse(store_path)? {
        {
            let rel = array_path.trim_start_matches('/');
            let dir = if rel.is_empty() {
                store_path.clone()
            } else {
                store_path.join(rel)
            };
            prepare_node_dir(&dir, options.overwrite)?;
            let dirs = missing_dirs(&dir);
            (Store::create(store_path, options.durable)?, dirs)
        }
    } else {
        let store = Store::create(store_path, options.durable)?;
        prepare_remote_node(&store, &array_path, options.overwrite)?;
        (store, Vec::new())
    };
    let display = store.display(&array_path);
    let groups = create_parent_groups(&store, &array_path)?;

    let grid_chunk = shard.clone().unwrap_or_else(|| chunk.clone());
    let fill = options
        .fill_value
        .unwrap_or_else(|| Scalar::from(0u8).cast(dtype))
        .cast(dtype);
    let mut builder = ArrayBuilder::new(
        to_u64(shape),
        to_u64(&grid_chunk),
        zarrs_dtype(dtype),
        fill_value_of(fill),
    );
    if shard.is_some() {
        builder.subchunk_shape(to_u64(&chunk));
    }
    let codecs: Vec<Arc<dyn zarrs::array::codec::api::BytesToBytesCodecTraits>> =
        match options.codec {
            ZarrCodec::Zstd { level } => vec![Arc::new(ZstdCodec::new(level, false))],
            ZarrCodec::Gzip { level } => vec![Arc::new(GzipCodec::new(level).map_err(|e| {
                Error::parameter(
                    "create_zarr",
                    "codec",
                    format!("gzip level {level}: {e}"),
                    "0..=9",
                )
            })?)],
            ZarrCodec::Blosc { compressor, level } => {
                let clevel = BloscCompressionLevel::try_from(level).map_err(|_| {
                    Error::parameter(
                        "create_zarr",
                        "codec",
                        format!("blosc level {level}"),
                        "0..=9",
                    )
                })?;
                let codec = BloscCodec::new(
                    compressor.zarrs(),
                    clevel,
                    None,
                    BloscShuffleMode::Shuffle,
                    Some(dtype.size()),
                )
                .map_err(|e| zerr::zarr_error(&display, "cannot configure blosc", e))?;
                vec![Arc::new(codec)]
            }
            ZarrCodec::None => Vec::new(),
        };
    builder.bytes_to_bytes_codecs(codecs);
    builder.attributes(options.attributes.clone());
    if let Some(names) = &options.dimension_names {
        if names.len() != shape.len() {
            return Err(Error::parameter(
                "create_zarr",
                "dimension_names",
                format!("{names:?}"),
                format!("one name per axis ({} names)", shape.len()),
            ));
        }
        builder.dimension_names(Some(names.clone()));
    }
    let array = builder
        .build(store.clone(), &array_path)
        .map_err(|e| zerr::open_array(&display, e))?;
    let stored = store_array_metadata(&array, &display);
    let created = Created {
        files: with_contents(
            &store,
            groups
                .into_iter()
                .chain(Store::node_key(&array_path, "zarr.json")),
        ),
        store: store.clone(),
        dirs,
        wrote: AtomicBool::new(false),
    };
    match stored.and_then(|()| ZarrArray::open(&store, &array_path)) {
        Ok(zarr) => Ok((zarr, created)),
        Err(e) => {
            created.undo();
            Err(e)
        }
    }
}

/// Checks that nothing is at `dir`, or removes the Zarr node there when `overwrite`.
fn prepare_node_dir(dir: &Path, overwrite: bool) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let display = dir.display().to_string();
    if !dir.is_dir() {
        return Err(zerr::zarr_problem(
            display,
            "is a file; give a directory for the Zarr store",
        ));
    }
    let is_node = ["zarr.json", ".zarray", ".zgroup"]
        .iter()
        .any(|m| dir.join(m).exists());
    let is_empty = std::fs::read_dir(dir)
        .map_err(|e| zerr::zarr_error(&display, "cannot list the directory", e))?
        .next()
        .is_none();
    if is_empty {
        return Ok(());
    }
    if !is_node {
        return Err(zerr::zarr_problem(
            display,
            "exists and holds files that are not a Zarr array or group; \
             chunkwise will not write into it or delete it; choose another path",
        ));
    }
    if !overwrite {
        return Err(Error::AlreadyExists { path: display });
    }
    std::fs::remove_dir_all(dir).map_err(|e| {
        zerr::zarr_error(
            display,
            "cannot remove the existing array to overwrite it",
            e,
        )
    })
}

/// Checks that nothing is at `array_path` in a remote store, or removes the Zarr node
/// there when `overwrite`; as [`prepare_node_dir`] for a directory.
fn prepare_remote_node(store: &Store, array_path: &str, overwrite: bool) -> Result<()> {
    let display = store.display(array_path);
    let rel = array_path.trim_matches('/');
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let prefix = zarrs::storage::StorePrefix::new(prefix)
        .map_err(|e| zerr::zarr_error(&display, "is not a valid node path", e))?;
    if store.probe_node_kind(array_path)?.is_none() {
        let keys = store
            .list_prefix(&prefix)
            .map_err(|e| zerr::storage(&display, e))?;
        if keys.is_empty() {
            return Ok(());
        }
        return Err(zerr::zarr_problem(
            display,
            "holds objects that are not a Zarr array or group; chunkwise will not write \
             into it or delete them; choose another prefix",
        ));
    }
    if !overwrite {
        return Err(Error::AlreadyExists { path: display });
    }
    store.erase_prefix(&prefix).map_err(|e| {
        zerr::zarr_error(
            display,
            "cannot remove the existing array to overwrite it",
            e,
        )
    })
}

/// Writes group metadata for every ancestor of `array_path` that has none, so that
/// zarr-python and others can open the array through its parents; returns the metadata
/// documents it wrote.
fn create_parent_groups(store: &Arc<Store>, array_path: &str) -> Result<Vec<StoreKey>> {
    let parts: Vec<&str> = array_path.split('/').filter(|p| !p.is_empty()).collect();
    let mut written = Vec::new();
    if parts.is_empty() {
        return Ok(written);
    }
    for depth in 0..parts.len() {
        let path = format!("/{}", parts[..depth].join("/"));
        if store.node_kind(&path) != Some("group") {
            create_group_metadata(store, &path, serde_json::Map::new())?;
            written.extend(Store::node_key(&path, "zarr.json"));
        }
    }
    Ok(written)
}

fn check_shape(param: &'static str, shape: &[usize], ndim: usize) -> Result<Vec<usize>> {
    if shape.len() != ndim || shape.contains(&0) {
        return Err(Error::parameter(
            "create_zarr",
            param,
            format!("{shape:?}"),
            format!("{ndim} positive lengths, one per axis"),
        ));
    }
    Ok(shape.to_vec())
}

/// The array's largest chunk per axis, halved on the longest axis until it is at most
/// [`DEFAULT_MAX_CHUNK_BYTES`].
fn default_chunk_shape(blocks: &crate::chunks::ChunkGrid, dtype: DType) -> Vec<usize> {
    let mut chunk: Vec<usize> = blocks
        .axes()
        .iter()
        .map(|a| a.max_chunk_len().max(1))
        .collect();
    while chunk.iter().product::<usize>() * dtype.size() > DEFAULT_MAX_CHUNK_BYTES {
        let Some(longest) = (0..chunk.len()).max_by_key(|&a| chunk[a]) else {
            break;
        };
        if chunk[longest] == 1 {
            break;
        }
        chunk[longest] = chunk[longest].div_ceil(2);
    }
    chunk
}

fn to_u64(v: &[usize]) -> Vec<u64> {
    v.iter().map(|&n| n as u64).collect()
}

fn fill_value_of(value: Scalar) -> FillValue {
    match value {
        Scalar::Bool(v) => FillValue::from(v),
        Scalar::I8(v) => FillValue::from(v),
        Scalar::I16(v) => FillValue::from(v),
        Scalar::I32(v) => FillValue::from(v),
        Scalar::I64(v) => FillValue::from(v),
        Scalar::U8(v) => FillValue::from(v),
        Scalar::U16(v) => FillValue::from(v),
        Scalar::U32(v) => FillValue::from(v),
        Scalar::U64(v) => FillValue::from(v),
        Scalar::F32(v) => FillValue::from(v),
        Scalar::F64(v) => FillValue::from(v),
    }
}

/// The [`BlockWriter`] behind [`ZarrArray::write_region`]: stores each block at its
/// region plus `offset`.
struct ZarrWriter {
    inner: Arc<Inner>,
    offset: Vec<usize>,
    /// What `create_zarr` made for this write, removed if the write is abandoned before
    /// writing anything.
    created: Option<Arc<Created>>,
}

impl fmt::Debug for ZarrWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZarrWriter")
            .field("path", &self.inner.display)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl BlockWriter for ZarrWriter {
    fn identity(&self) -> String {
        format!("zarr-write:{}:{:?}", self.inner.display, self.offset)
    }

    fn name(&self) -> &'static str {
        "zarr.write"
    }

    /// The array's canonical directory, its shape and its files (shards when sharded),
    /// after checking that the array is still the one this write was made for.
    fn layout(&self) -> Result<Option<WriteLayout>> {
        let inner = &self.inner;
        let gone = |e| {
            zerr::zarr_error(
                &inner.display,
                "the array was removed after this write was created (by another write's \
                 `overwrite`, say), so nothing was written; create the array and the write again",
                e,
            )
        };
        let destination = if inner.store.is_remote() {
            inner.display.clone()
        } else {
            let dir = Path::new(&inner.display).canonicalize().map_err(gone)?;
            dir.display().to_string()
        };
        let now = Array::open(inner.store.clone(), &inner.array_path).map_err(|e| {
            zerr::zarr_error(
                &inner.display,
                "the array's metadata can no longer be read: it was removed or replaced after \
                 this write was created, so nothing was written; create the write again",
                e,
            )
        })?;
        if layout_metadata(now.metadata()) != layout_metadata(inner.array.metadata()) {
            return Err(zerr::zarr_problem(
                &inner.display,
                "the array was replaced after this write was created (its shape, chunks, \
                 codecs or data type changed, by another write's `overwrite`, say), and its \
                 chunks would be written as the old array's, so nothing was written; open \
                 the array again and create the write from the new handle",
            ));
        }
        Ok(Some(WriteLayout::new(
            destination,
            inner.shape.clone(),
            self.offset.clone(),
            inner.grid_chunk.clone(),
        )))
    }

    /// On a remote store, lets the tasks' PUTs run in the background, many at once.
    fn write_behind(&self, limits: IoLimits) -> Option<IoWindow> {
        let guard = self
            .inner
            .store
            .write_behind(limits.requests, limits.bytes)?;
        Some(IoWindow::new(Box::new(guard), limits.bytes))
    }

    fn finish(&self) -> Result<()> {
        match self.inner.store.take_write_failure() {
            Some(problem) => Err(zerr::zarr_problem(&self.inner.display, problem)),
            None => Ok(()),
        }
    }

    fn abandon(&self) {
        if let Some(created) = &self.created {
            if !created.wrote.load(Ordering::SeqCst) {
                created.undo();
            }
        }
    }

    fn write(&self, region: &[Range<usize>], block: &AnyArray) -> Result<()> {
        if let Some(created) = &self.created {
            created.wrote.store(true, Ordering::SeqCst);
        }
        let ranges: Vec<Range<u64>> = region
            .iter()
            .zip(&self.offset)
            .map(|(r, &o)| (r.start + o) as u64..(r.end + o) as u64)
            .collect();
        if ranges.iter().any(Range::is_empty) {
            return Ok(());
        }
        let subset = ArraySubset::new_with_ranges(&ranges);
        let array = &self.inner.array;
        let stored = crate::any_array::dispatch_any!(block, a, T => {
            let _: Option<T> = None;
            array.store_array_subset(&subset, a)
        });
        stored.map_err(|e| {
            zerr::array(
                &self.inner.display,
                &format!("writing region {ranges:?}"),
                e,
            )
        })
    }
}

/// `metadata` without the user attributes: what decides where and how chunks are
/// written, so that a write made before the attributes changed still counts as current.
fn layout_metadata(metadata: &ArrayMetadata) -> ArrayMetadata {
    let mut m = metadata.clone();
    match &mut m {
        ArrayMetadata::V3(v) => v.attributes.clear(),
        ArrayMetadata::V2(v) => v.attributes.clear(),
    }
    m
}
