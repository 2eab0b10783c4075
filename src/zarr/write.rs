//! Writing arrays to new Zarr v3 arrays, block by block as the computation produces them.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zarrs::array::codec::{GzipCodec, ZstdCodec};
use zarrs::array::{data_type, Array, ArrayBuilder, ArraySubset};

use super::store::AtomicStore;
use crate::any_array::AnyArray;
use crate::array::DynArray;
use crate::chunks::{Chunks, DEFAULT_CHUNK_BYTES};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::io::{BlockWriter, PendingWrite};

/// How chunks are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// Zstandard at this level (1 to 22; 3 is the default).
    Zstd(i32),
    /// Gzip at this level (0 to 9).
    Gzip(u32),
    /// Uncompressed.
    None,
}

/// Options of [`create`]: storage chunks, compression, attributes, and whether an existing
/// array may be replaced.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{Compression, WriteOptions};
/// let options = WriteOptions::default().chunks(vec![256, 256]).compression(Compression::Gzip(6));
/// assert!(!options.overwrite);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct WriteOptions {
    /// The storage chunk shape (default: the array's largest chunk on each axis).
    pub chunks: Option<Vec<usize>>,
    /// Chunk compression (default: zstd level 3).
    pub compression: Compression,
    /// Replace an existing directory at the path (default: refuse).
    pub overwrite: bool,
    /// fsync every chunk file and its directory (default: off).
    pub durable: bool,
    /// Attributes stored with the array.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            chunks: None,
            compression: Compression::Zstd(3),
            overwrite: false,
            durable: false,
            attributes: serde_json::Map::new(),
        }
    }
}

impl WriteOptions {
    /// Uses storage chunks of `shape`.
    #[must_use]
    pub fn chunks(mut self, shape: Vec<usize>) -> Self {
        self.chunks = Some(shape);
        self
    }

    /// Compresses chunks with `compression`.
    #[must_use]
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Replaces an existing array at the path (`true`) or refuses to (`false`).
    #[must_use]
    pub fn overwrite(mut self, overwrite: bool) -> Self {
        self.overwrite = overwrite;
        self
    }

    /// Makes every chunk durable (fsync) before it counts as written.
    #[must_use]
    pub fn durable(mut self, durable: bool) -> Self {
        self.durable = durable;
        self
    }

    /// Stores `attributes` with the array.
    #[must_use]
    pub fn attributes(mut self, attributes: serde_json::Map<String, serde_json::Value>) -> Self {
        self.attributes = attributes;
        self
    }
}

/// Creates a Zarr v3 array at `path` for `array` (metadata written now) and returns the
/// write of its data, to run alone or with others ([`crate::io::run_writes`]).
///
/// Each chunk file is written once, by one task, atomically (temporary file, then
/// rename): when the computation fails, chunks it did not finish are absent (they read as
/// the fill value, 0) and no temporary file is left. If the array's chunks do not line up
/// with the storage chunks, it is rechunked first so that no two tasks write one chunk.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{self, WriteOptions};
/// let dir = std::env::temp_dir().join(format!("chunkwise-doc-{}.zarr", std::process::id()));
/// let x = chunkwise::arange::<f32>(0.0, 12.0, 1.0, [5])?.to_dyn();
/// zarr::create(&x, &dir, &WriteOptions::default().chunks(vec![4]).overwrite(true))?.run()?;
/// let back = zarr::open_array(&dir)?;
/// assert_eq!(back.chunk_shape(), &[4]);
/// assert_eq!(back.to_dyn(None)?.compute()?, x.compute()?);
/// std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Storage`] naming the path when it exists and `overwrite` is off, cannot be
/// created, or the storage chunks do not fit the array.
pub fn create(
    array: &DynArray,
    path: impl AsRef<Path>,
    options: &WriteOptions,
) -> Result<PendingWrite> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    if path.exists() {
        if !options.overwrite {
            return Err(Error::storage(
                &shown,
                "already exists; remove it, choose another path, or ask to overwrite \
                 (`WriteOptions::overwrite(true)`, `--overwrite`)",
            ));
        }
        std::fs::remove_dir_all(path)
            .map_err(|e| Error::storage(&shown, format!("cannot remove the old array: {e}")))?;
    }
    let shape = array.shape().to_vec();
    let chunks: Vec<usize> = match &options.chunks {
        Some(c) => c.clone(),
        None => array
            .chunks()
            .axes()
            .iter()
            .map(|a| a.max_chunk_len().max(1))
            .collect(),
    };
    if chunks.len() != shape.len() || chunks.contains(&0) {
        return Err(Error::storage(
            &shown,
            format!(
                "storage chunks {chunks:?} do not fit an array of shape {shape:?}: give one \
                 positive length per axis"
            ),
        ));
    }
    std::fs::create_dir_all(path)
        .map_err(|e| Error::storage(&shown, format!("cannot create the directory: {e}")))?;
    let store = Arc::new(
        AtomicStore::new(path.to_path_buf(), options.durable)
            .map_err(|e| Error::storage(&shown, e))?,
    );
    let mut builder = ArrayBuilder::new(
        shape.iter().map(|&n| n as u64).collect::<Vec<u64>>(),
        chunks.iter().map(|&n| n as u64).collect::<Vec<u64>>(),
        zarr_type(array.dtype()),
        zarrs::array::FillValue::from(vec![0u8; array.dtype().size()]),
    );
    match options.compression {
        Compression::Zstd(level) => {
            builder.bytes_to_bytes_codecs(vec![Arc::new(ZstdCodec::new(level, false))]);
        }
        Compression::Gzip(level) => {
            let gzip = GzipCodec::new(level)
                .map_err(|e| Error::storage(&shown, format!("gzip level {level}: {e}")))?;
            builder.bytes_to_bytes_codecs(vec![Arc::new(gzip)]);
        }
        Compression::None => {
            builder.bytes_to_bytes_codecs(vec![]);
        }
    }
    builder.attributes(options.attributes.clone());
    let zarr = builder
        .build(store, "/")
        .map_err(|e| Error::storage(&shown, format!("cannot create the array: {e}")))?;
    zarr.store_metadata()
        .map_err(|e| Error::storage(&shown, format!("cannot write the metadata: {e}")))?;
    let aligned = align(array, &chunks)?;
    let writer = ZarrWriter {
        array: zarr,
        path: path.to_path_buf(),
    };
    Ok(aligned.write_to(Arc::new(writer)))
}

/// `array` cut so that every block is a box of whole storage chunks: as it is when it
/// already is, else storage chunks merged along the leading axes toward the byte target.
fn align(array: &DynArray, chunks: &[usize]) -> Result<DynArray> {
    let aligned = array.chunks().axes().iter().zip(chunks).all(|(axis, &c)| {
        (0..axis.num_chunks()).all(|i| {
            let r = axis.chunk_range(i);
            r.start % c == 0 && (r.end % c == 0 || r.end == axis.len())
        })
    });
    if aligned {
        return Ok(array.clone());
    }
    let item = array.dtype().size();
    let mut merged: Vec<usize> = chunks.to_vec();
    for d in 0..merged.len() {
        let bytes: usize = merged.iter().product::<usize>() * item;
        let factor = (DEFAULT_CHUNK_BYTES / bytes.max(1)).max(1);
        let most = array.shape()[d].div_ceil(merged[d]).max(1);
        merged[d] *= factor.min(most);
    }
    array.rechunk(Chunks::Uniform(merged))
}

/// The Zarr data type of `dtype`.
fn zarr_type(dtype: DType) -> zarrs::array::DataType {
    match dtype {
        DType::Bool => data_type::bool(),
        DType::I8 => data_type::int8(),
        DType::I16 => data_type::int16(),
        DType::I32 => data_type::int32(),
        DType::I64 => data_type::int64(),
        DType::U8 => data_type::uint8(),
        DType::U16 => data_type::uint16(),
        DType::U32 => data_type::uint32(),
        DType::U64 => data_type::uint64(),
        DType::F32 => data_type::float32(),
        DType::F64 => data_type::float64(),
    }
}

/// Writes blocks (boxes of whole storage chunks) into one Zarr array.
#[derive(Debug)]
struct ZarrWriter {
    array: Array<AtomicStore>,
    path: PathBuf,
}

impl BlockWriter for ZarrWriter {
    fn identity(&self) -> String {
        format!("zarr-write:{}", self.path.display())
    }

    fn name(&self) -> &'static str {
        "zarr.write"
    }

    fn write(&self, region: &[Range<usize>], block: &AnyArray) -> Result<()> {
        let ranges: Vec<Range<u64>> = region
            .iter()
            .map(|r| r.start as u64..r.end as u64)
            .collect();
        let subset = ArraySubset::new_with_ranges(&ranges);
        let fail = |e: String| {
            Error::storage(
                self.path.display().to_string(),
                format!("cannot write the chunks of {region:?}: {e}"),
            )
        };
        crate::dispatch_any!(block, a, _T => {
            let owned = a.as_standard_layout().into_owned();
            self.array.store_array_subset(&subset, owned).map_err(|e| fail(e.to_string()))
        })
    }
}
