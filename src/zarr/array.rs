//! [`ZarrArray`], an open Zarr array: its metadata, and lazy arrays over its data through
//! a [`BlockReader`] that reads exactly the box a task asks for.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zarrs::array::{
    data_type as dt, Array, ArrayBytes, ArrayShardedExt, ArraySubset, CodecOptions,
};
use zarrs::metadata::ArrayMetadata;

use super::error as zerr;
use super::grid;
use super::store::{AtomicStore, IoStats};
use crate::any_array::AnyArray;
use crate::array::{DynArray, LazyArray};
use crate::chunks::{ChunkGrid, Chunks, DEFAULT_CHUNK_BYTES};
use crate::element::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::io::BlockReader;

/// Opens the Zarr array (v2 or v3) in the directory `path`.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.zarr");
/// let x = chunkwise::arange(0i32, 10, 1, [4])?;
/// x.to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
/// let z = chunkwise::zarr::open_array(&path)?;
/// assert_eq!(z.shape(), &[10]);
/// assert_eq!(z.dtype(), chunkwise::DType::I32);
/// assert_eq!(z.to_lazy::<i32>(None)?.compute()?, x.compute()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Zarr`] naming the path when it does not exist, is not a Zarr array, or has
/// invalid metadata or an unsupported codec; [`Error::UnsupportedZarrDType`] for a data
/// type chunkwise cannot hold.
pub fn open_array(path: impl AsRef<Path>) -> Result<ZarrArray> {
    open_array_in(path, "/")
}

/// Opens the array at `array_path` (such as `"/group/temperature"`) inside the Zarr
/// store in the directory `store_path`.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{open_array_in, ZarrWriteOptions};
/// let dir = tempfile::tempdir()?;
/// let x = chunkwise::ones::<f32>(&[3, 4], [2, 2])?;
/// x.to_zarr(&ZarrWriteOptions::new(dir.path()).array_path("/data/ones"))?.run()?;
/// let z = open_array_in(dir.path(), "/data/ones")?;
/// assert_eq!(z.array_path(), "/data/ones");
/// assert_eq!(z.to_dyn(None)?.compute()?.sum_f64(), 12.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`open_array`].
pub fn open_array_in(store_path: impl AsRef<Path>, array_path: &str) -> Result<ZarrArray> {
    let store = open_store(store_path.as_ref(), false)?;
    ZarrArray::open(&store, array_path)
}

/// A lazy array over the Zarr array at `path`, in its default chunks
/// ([`ZarrArray::default_chunks`]). Dask's `da.from_zarr`.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.zarr");
/// chunkwise::arange(0.0f64, 6.0, 1.0, [2])?
///     .to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?
///     .run()?;
/// let x = chunkwise::from_zarr::<f64>(&path)?;
/// assert_eq!(x.sum(..)?.compute_scalar()?, 15.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`open_array`], and [`Error::DTypeMismatch`] naming both dtypes when the array's
/// is not `T`.
pub fn from_zarr<T: Element>(path: impl AsRef<Path>) -> Result<LazyArray<T>> {
    open_array(path)?.to_lazy(None)
}

/// A lazy array of the stored element type over the Zarr array at `path`, in its default
/// chunks.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.zarr");
/// chunkwise::ones::<u8>(&[5], [5])?.to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
/// let x = chunkwise::zarr::from_zarr_dyn(&path)?;
/// assert_eq!(x.dtype(), chunkwise::DType::U8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`open_array`].
pub fn from_zarr_dyn(path: impl AsRef<Path>) -> Result<DynArray> {
    open_array(path)?.to_dyn(None)
}

/// A store over an existing directory, checked to exist.
pub(crate) fn open_store(path: &Path, durable: bool) -> Result<Arc<AtomicStore>> {
    if !path.is_dir() {
        let problem = if path.exists() {
            "is a file, not a Zarr store directory; give the directory that holds `zarr.json`"
        } else {
            "no such directory; check the path"
        };
        return Err(zerr::zarr_problem(path.display().to_string(), problem));
    }
    let canonical = path
        .canonicalize()
        .map_err(|e| zerr::zarr_error(path.display().to_string(), "cannot resolve the path", e))?;
    Ok(Arc::new(AtomicStore::new(&canonical, durable)?))
}

/// `"/a/b"` from `"a/b"`, `"/a/b/"` or `""`.
pub(crate) fn normalize_node_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    format!("/{trimmed}")
}

/// How messages name a node: the store directory, joined with the node path.
pub(crate) fn display_path(store: &Path, node_path: &str) -> String {
    let rel = node_path.trim_start_matches('/');
    if rel.is_empty() {
        store.display().to_string()
    } else {
        store.join(rel).display().to_string()
    }
}

/// An open Zarr array: metadata accessors, and lazy arrays over its data.
///
/// Cheap to clone; clones share the open store.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{open_array, ZarrWriteOptions};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("t.zarr");
/// chunkwise::zeros::<f64>(&[100, 60], [50, 30])?
///     .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([25, 30]))?
///     .run()?;
/// let z = open_array(&path)?;
/// assert_eq!(z.chunk_shape(), &[25, 30]);
/// assert_eq!(z.shard_shape(), None);
/// assert_eq!(z.zarr_format(), 3);
/// assert_eq!(z.codecs(), vec!["bytes", "zstd"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ZarrArray {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) array: Array<AtomicStore>,
    pub(crate) store: Arc<AtomicStore>,
    pub(crate) array_path: String,
    pub(crate) display: String,
    shape: Vec<usize>,
    dtype: DType,
    /// The grid chunks: shards when sharded.
    grid_chunk: Vec<usize>,
    read_chunk: Vec<usize>,
    sharded: bool,
    fill: Scalar,
    identity: String,
}

impl ZarrArray {
    pub(crate) fn open(store: &Arc<AtomicStore>, array_path: &str) -> Result<ZarrArray> {
        let array_path = normalize_node_path(array_path);
        let display = display_path(store.root(), &array_path);
        let node_dir = PathBuf::from(&display);
        if !node_dir.is_dir() {
            return Err(zerr::zarr_problem(
                &display,
                "no such directory; check the store path and the array path",
            ));
        }
        if node_kind(&node_dir) == Some("group") {
            return Err(zerr::zarr_problem(
                &display,
                "is a Zarr group, not an array; open it with `open_group`, or give the path \
                 of an array inside it",
            ));
        }
        let mut array =
            Array::open(store.clone(), &array_path).map_err(|e| zerr::open_array(&display, e))?;
        // Parallelism is across tasks, one per block; zarrs' own threads inside a task
        // would only compete with the other workers.
        array.set_codec_options(CodecOptions::default().with_concurrent_target(1));
        let dtype = dtype_of(&array, &display)?;
        let shape: Vec<usize> = array.shape().iter().map(|&n| n as usize).collect();
        let zero = vec![0u64; shape.len()];
        let grid_chunk: Vec<usize> = if shape.is_empty() {
            Vec::new()
        } else {
            array
                .chunk_shape(&zero)
                .map_err(|e| zerr::array(&display, "reading the chunk grid", e))?
                .iter()
                .map(|n| n.get() as usize)
                .collect()
        };
        let sharded = array.is_sharded();
        let read_chunk = match array.effective_subchunk_shape() {
            Some(s) if sharded => s.iter().map(|n| n.get() as usize).collect(),
            _ => grid_chunk.clone(),
        };
        let fill = scalar_of(dtype, array.fill_value().as_ne_bytes());
        let identity = identity(&node_dir, &array_path);
        Ok(ZarrArray {
            inner: Arc::new(Inner {
                array,
                store: store.clone(),
                array_path,
                display,
                shape,
                dtype,
                grid_chunk,
                read_chunk,
                sharded,
                fill,
                identity,
            }),
        })
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.inner.shape
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.inner.dtype
    }

    /// The shape of a storage chunk: the unit that is compressed and read as a whole (for
    /// a sharded array, the inner chunk inside each shard).
    #[must_use]
    pub fn chunk_shape(&self) -> &[usize] {
        &self.inner.read_chunk
    }

    /// The shape of a shard (the unit that is one file), when the array is sharded.
    #[must_use]
    pub fn shard_shape(&self) -> Option<&[usize]> {
        self.inner
            .sharded
            .then_some(self.inner.grid_chunk.as_slice())
    }

    /// The shape of one file of the array: the shard when sharded, else the chunk. Writes
    /// are aligned to it, and the default chunking merges it.
    #[must_use]
    pub fn write_unit(&self) -> &[usize] {
        &self.inner.grid_chunk
    }

    /// The value that unwritten chunks read as.
    #[must_use]
    pub fn fill_value(&self) -> Scalar {
        self.inner.fill
    }

    /// The user attributes (`attributes` in `zarr.json`, or `.zattrs` in v2).
    #[must_use]
    pub fn attributes(&self) -> &serde_json::Map<String, serde_json::Value> {
        self.inner.array.attributes()
    }

    /// The dimension names, when the metadata gives them.
    #[must_use]
    pub fn dimension_names(&self) -> Option<Vec<Option<String>>> {
        self.inner.array.dimension_names().as_ref().map(|names| {
            names
                .iter()
                .map(|n| n.as_deref().map(String::from))
                .collect()
        })
    }

    /// The Zarr format version: 2 or 3.
    #[must_use]
    pub fn zarr_format(&self) -> u8 {
        match self.inner.array.metadata() {
            ArrayMetadata::V2(_) => 2,
            ArrayMetadata::V3(_) => 3,
        }
    }

    /// The codecs, outermost last, by their Zarr names; a sharded array lists
    /// `sharding_indexed(...)` with its inner codecs. Version 2 arrays list their filters
    /// and compressor.
    #[must_use]
    pub fn codecs(&self) -> Vec<String> {
        let meta = serde_json::to_value(self.inner.array.metadata()).unwrap_or_default();
        match self.inner.array.metadata() {
            ArrayMetadata::V3(_) => codec_names(meta.get("codecs")),
            ArrayMetadata::V2(_) => {
                let mut out: Vec<String> = meta
                    .get("filters")
                    .and_then(serde_json::Value::as_array)
                    .map(|f| {
                        f.iter()
                            .filter_map(|c| c.get("id"))
                            .map(json_name)
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(id) = meta.get("compressor").and_then(|c| c.get("id")) {
                    out.push(json_name(id));
                }
                out
            }
        }
    }

    /// The store directory and array path, as messages name the array.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.inner.display
    }

    /// The array's path inside its store (`"/"` for a store that is one array).
    #[must_use]
    pub fn array_path(&self) -> &str {
        &self.inner.array_path
    }

    /// Reads and writes through this handle's store so far.
    #[must_use]
    pub fn io_stats(&self) -> IoStats {
        self.inner.store.stats()
    }

    /// The chunking [`to_dyn`](Self::to_dyn) uses by default: storage chunks (shards when
    /// sharded), merged along axes by whole multiples toward
    /// [`DEFAULT_CHUNK_BYTES`](crate::DEFAULT_CHUNK_BYTES), so every block reads whole
    /// files.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// let opts = chunkwise::zarr::ZarrWriteOptions::new(&path).chunk_shape([10, 10]);
    /// chunkwise::zeros::<f64>(&[100, 100], [50, 50])?.to_zarr(&opts)?.run()?;
    /// let grid = chunkwise::zarr::open_array(&path)?.default_chunks()?;
    /// assert_eq!(grid.num_blocks(), 1); // 80 kB in all: one block
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Only for an inconsistent array (a bug).
    pub fn default_chunks(&self) -> Result<ChunkGrid> {
        grid::merged_grid(
            self.shape(),
            self.write_unit(),
            self.dtype().size(),
            DEFAULT_CHUNK_BYTES,
        )
    }

    /// A lazy array over the data, cut as `chunks` asks (`None`:
    /// [`default_chunks`](Self::default_chunks)). Nothing is read until a computation
    /// needs a block, and then only the storage chunks under that block.
    ///
    /// # Example
    ///
    /// See [`open_array_in`].
    ///
    /// # Errors
    ///
    /// When `chunks` does not fit the shape.
    pub fn to_dyn(&self, chunks: Option<Chunks>) -> Result<DynArray> {
        let chunks = match chunks {
            Some(c) => c,
            None => Chunks::Grid(self.default_chunks()?),
        };
        let reader = Arc::new(ZarrReader {
            inner: self.inner.clone(),
        });
        DynArray::from_reader(reader, &chunks)
    }

    /// [`to_dyn`](Self::to_dyn) as a typed array.
    ///
    /// # Example
    ///
    /// See [`open_array`].
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] naming both dtypes when the array's is not `T`; when
    /// `chunks` does not fit the shape.
    pub fn to_lazy<T: Element>(&self, chunks: Option<Chunks>) -> Result<LazyArray<T>> {
        if self.dtype() != T::DTYPE {
            return Err(Error::DTypeMismatch {
                context: format!("reading zarr array `{}`", self.path()),
                expected: T::DTYPE,
                found: self.dtype(),
            });
        }
        self.to_dyn(chunks)?.downcast()
    }

    /// Reads the box `region` now, as [`BlockReader::read`] does for a task.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// chunkwise::arange(0i64, 10, 1, [3])?.to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
    /// let z = chunkwise::zarr::open_array(&path)?;
    /// assert_eq!(z.read(&[2..5])?.sum_f64(), 9.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] naming the chunk file when a chunk is truncated or corrupt, or the
    /// store cannot be read; an out-of-bounds region.
    pub fn read(&self, region: &[Range<usize>]) -> Result<AnyArray> {
        read_region(&self.inner, region)
    }

    /// Replaces the user attributes, rewriting the metadata file atomically.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// chunkwise::ones::<f32>(&[2], [2])?.to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
    /// let mut z = chunkwise::zarr::open_array(&path)?;
    /// let mut attrs = serde_json::Map::new();
    /// attrs.insert("units".into(), "K".into());
    /// z.set_attributes(attrs)?;
    /// assert_eq!(chunkwise::zarr::open_array(&path)?.attributes()["units"], "K");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] when the metadata cannot be written.
    pub fn set_attributes(
        &mut self,
        attributes: serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        let display = &self.inner.display;
        let mut array = Array::open(self.inner.store.clone(), &self.inner.array_path)
            .map_err(|e| zerr::open_array(display, e))?;
        *array.attributes_mut() = attributes;
        super::write::store_array_metadata(&array, display)?;
        *self = ZarrArray::open(&self.inner.store, &self.inner.array_path)?;
        Ok(())
    }
}

impl fmt::Debug for ZarrArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZarrArray")
            .field("path", &self.path())
            .field("shape", &self.shape())
            .field("dtype", &self.dtype())
            .field("chunk_shape", &self.chunk_shape())
            .field("shard_shape", &self.shard_shape())
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ZarrArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "zarr v{} array `{}`: {} {:?}, chunks {:?}",
            self.zarr_format(),
            self.path(),
            self.dtype(),
            self.shape(),
            self.chunk_shape()
        )?;
        if let Some(shard) = self.shard_shape() {
            write!(f, " in shards {shard:?}")?;
        }
        write!(f, ", codecs {}", self.codecs().join(" -> "))
    }
}

/// Reads `region` of an array, naming the chunk file that failed to decode.
pub(crate) fn read_region(inner: &Inner, region: &[Range<usize>]) -> Result<AnyArray> {
    let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
    if region.len() != inner.shape.len()
        || region
            .iter()
            .zip(&inner.shape)
            .any(|(r, &n)| r.end > n || r.start > r.end)
    {
        return Err(zerr::zarr_problem(
            &inner.display,
            format!(
                "region {region:?} is outside the array of shape {:?}",
                inner.shape
            ),
        ));
    }
    if shape.contains(&0) {
        return Ok(AnyArray::full(&shape, inner.fill));
    }
    let ranges: Vec<Range<u64>> = region
        .iter()
        .map(|r| r.start as u64..r.end as u64)
        .collect();
    let subset = ArraySubset::new_with_ranges(&ranges);
    macro_rules! get {
        ($variant:ident, $t:ty) => {
            inner
                .array
                .retrieve_array_subset::<ndarray::ArrayD<$t>>(&subset)
                .map(AnyArray::$variant)
        };
    }
    let result = match inner.dtype {
        DType::Bool => get!(Bool, bool),
        DType::I8 => get!(I8, i8),
        DType::I16 => get!(I16, i16),
        DType::I32 => get!(I32, i32),
        DType::I64 => get!(I64, i64),
        DType::U8 => get!(U8, u8),
        DType::U16 => get!(U16, u16),
        DType::U32 => get!(U32, u32),
        DType::U64 => get!(U64, u64),
        DType::F32 => get!(F32, f32),
        DType::F64 => get!(F64, f64),
    };
    result.map_err(|e| {
        let doing = format!("reading region {region:?}");
        match failing_chunk(inner, &subset) {
            Some((path, chunk_err)) => zerr::array(&path, &doing, chunk_err),
            None => zerr::array(&inner.display, &doing, e),
        }
    })
}

/// The file of the first chunk (or shard) under `subset` that fails to read, with its
/// error: decoding one chunk at a time, only after a read of the whole box has failed.
fn failing_chunk(
    inner: &Inner,
    subset: &ArraySubset,
) -> Option<(String, zarrs::array::ArrayError)> {
    let chunks = inner.array.chunks_in_array_subset(subset).ok()??;
    let ranges = chunks.to_ranges();
    let mut index: Vec<u64> = ranges.iter().map(|r| r.start).collect();
    if ranges.iter().any(Range::is_empty) {
        return None;
    }
    loop {
        if let Err(e) = inner.array.retrieve_chunk::<ArrayBytes<'static>>(&index) {
            let key = inner.array.chunk_key(&index);
            return Some((inner.store.key_path(&key).display().to_string(), e));
        }
        // Next index in C order.
        let mut axis = index.len();
        loop {
            if axis == 0 {
                return None;
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < ranges[axis].end {
                break;
            }
            index[axis] = ranges[axis].start;
        }
    }
}

/// The chunkwise dtype of a zarrs array.
fn dtype_of<S: ?Sized>(array: &Array<S>, display: &str) -> Result<DType> {
    let d = array.data_type();
    let found = [
        (d.is::<dt::BoolDataType>(), DType::Bool),
        (d.is::<dt::Int8DataType>(), DType::I8),
        (d.is::<dt::Int16DataType>(), DType::I16),
        (d.is::<dt::Int32DataType>(), DType::I32),
        (d.is::<dt::Int64DataType>(), DType::I64),
        (d.is::<dt::UInt8DataType>(), DType::U8),
        (d.is::<dt::UInt16DataType>(), DType::U16),
        (d.is::<dt::UInt32DataType>(), DType::U32),
        (d.is::<dt::UInt64DataType>(), DType::U64),
        (d.is::<dt::Float32DataType>(), DType::F32),
        (d.is::<dt::Float64DataType>(), DType::F64),
    ]
    .into_iter()
    .find_map(|(is, dtype)| is.then_some(dtype));
    found.ok_or_else(|| Error::UnsupportedZarrDType {
        path: display.to_string(),
        dtype: d.to_string(),
    })
}

/// The zarrs data type of a chunkwise dtype.
pub(crate) fn zarrs_dtype(dtype: DType) -> zarrs::array::DataType {
    match dtype {
        DType::Bool => dt::bool(),
        DType::I8 => dt::int8(),
        DType::I16 => dt::int16(),
        DType::I32 => dt::int32(),
        DType::I64 => dt::int64(),
        DType::U8 => dt::uint8(),
        DType::U16 => dt::uint16(),
        DType::U32 => dt::uint32(),
        DType::U64 => dt::uint64(),
        DType::F32 => dt::float32(),
        DType::F64 => dt::float64(),
    }
}

/// The value of native-endian `bytes` of `dtype` (zero when the length is wrong).
fn scalar_of(dtype: DType, bytes: &[u8]) -> Scalar {
    fn arr<const N: usize>(bytes: &[u8]) -> [u8; N] {
        bytes.try_into().unwrap_or([0; N])
    }
    match dtype {
        DType::Bool => Scalar::Bool(bytes.first().is_some_and(|&b| b != 0)),
        DType::I8 => Scalar::I8(i8::from_ne_bytes(arr(bytes))),
        DType::I16 => Scalar::I16(i16::from_ne_bytes(arr(bytes))),
        DType::I32 => Scalar::I32(i32::from_ne_bytes(arr(bytes))),
        DType::I64 => Scalar::I64(i64::from_ne_bytes(arr(bytes))),
        DType::U8 => Scalar::U8(u8::from_ne_bytes(arr(bytes))),
        DType::U16 => Scalar::U16(u16::from_ne_bytes(arr(bytes))),
        DType::U32 => Scalar::U32(u32::from_ne_bytes(arr(bytes))),
        DType::U64 => Scalar::U64(u64::from_ne_bytes(arr(bytes))),
        DType::F32 => Scalar::F32(f32::from_ne_bytes(arr(bytes))),
        DType::F64 => Scalar::F64(f64::from_ne_bytes(arr(bytes))),
    }
}

/// Codec names from a v3 `codecs` list, with sharding's inner codecs in parentheses.
fn codec_names(codecs: Option<&serde_json::Value>) -> Vec<String> {
    let Some(list) = codecs.and_then(serde_json::Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|c| {
            // A codec without configuration may be written as just its name.
            let name = c
                .as_str()
                .map(String::from)
                .or_else(|| c.get("name").map(json_name))
                .unwrap_or_default();
            match c.get("configuration").and_then(|conf| conf.get("codecs")) {
                Some(inner) => format!("{name}({})", codec_names(Some(inner)).join(", ")),
                None => name,
            }
        })
        .collect()
}

fn json_name(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), String::from)
}

/// `"array"` or `"group"` when the metadata in `dir` says which (v3 `node_type`, or the
/// v2 metadata file's name); `None` when there is none or it cannot be read.
pub(crate) fn node_kind(dir: &Path) -> Option<&'static str> {
    if let Ok(text) = std::fs::read_to_string(dir.join("zarr.json")) {
        let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
        return match meta.get("node_type")?.as_str()? {
            "array" => Some("array"),
            "group" => Some("group"),
            _ => None,
        };
    }
    if dir.join(".zarray").exists() {
        Some("array")
    } else if dir.join(".zgroup").exists() {
        Some("group")
    } else {
        None
    }
}

/// A stable identity for the array at `node_dir`: its path, plus the metadata file's
/// modification time and length, so an array rewritten in place gets a new one.
fn identity(node_dir: &Path, array_path: &str) -> String {
    let stamp = ["zarr.json", ".zarray"]
        .iter()
        .find_map(|name| std::fs::metadata(node_dir.join(name)).ok())
        .map(|m| {
            let nanos = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{nanos}:{}", m.len())
        })
        .unwrap_or_default();
    format!("zarr:{}:{array_path}:{stamp}", node_dir.display())
}

/// The [`BlockReader`] behind [`ZarrArray::to_dyn`].
struct ZarrReader {
    inner: Arc<Inner>,
}

impl fmt::Debug for ZarrReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZarrReader")
            .field("path", &self.inner.display)
            .finish_non_exhaustive()
    }
}

impl BlockReader for ZarrReader {
    fn dtype(&self) -> DType {
        self.inner.dtype
    }

    fn shape(&self) -> Vec<usize> {
        self.inner.shape.clone()
    }

    fn identity(&self) -> String {
        self.inner.identity.clone()
    }

    fn name(&self) -> &'static str {
        "zarr.read"
    }

    fn read(&self, region: &[Range<usize>]) -> Result<AnyArray> {
        read_region(&self.inner, region)
    }
}
