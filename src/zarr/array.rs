//! [`ZarrArray`], an open Zarr array: its metadata, and lazy arrays over its data through
//! a [`BlockReader`](crate::io::BlockReader) that reads exactly the box a task asks for.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use zarrs::array::{Array, ArrayCreateError, ArrayShardedExt, CodecOptions};
use zarrs::metadata::ArrayMetadata;

use super::dtype::{dtype_of, scalar_of};
use super::error as zerr;
use super::grid;
use super::node::{normalize_node_path, open_store, store_array_metadata, Inner};
use super::read::{read_region, ZarrReader};
use super::store::{IoStats, Store};
use crate::any_array::AnyArray;
use crate::array::{DynArray, LazyArray};
use crate::chunks::{ChunkGrid, Chunks};
use crate::element::{DType, Element, Scalar};
use crate::error::{Error, Result};

/// Opens the Zarr array (v2 or v3) in the directory `path`.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.zarr");
/// let x = chunkwise::arange(0i32, 10, 1, [4]);
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
/// let x = chunkwise::ones::<f32>(&[3, 4], [2, 2]);
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
/// chunkwise::arange(0.0f64, 6.0, 1.0, [2])
///     .to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?
///     .run()?;
/// let x = chunkwise::from_zarr::<f64>(&path)?;
/// assert_eq!(x.sum(..).compute_scalar()?, 15.0);
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
/// chunkwise::ones::<u8>(&[5], [5]).to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
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
/// chunkwise::zeros::<f64>(&[100, 60], [50, 30])
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

impl ZarrArray {
    pub(crate) fn open(store: &Arc<Store>, array_path: &str) -> Result<ZarrArray> {
        let array_path = normalize_node_path(array_path);
        let display = store.display(&array_path);
        if let Some(root) = store.local_root() {
            if !root.join(array_path.trim_start_matches('/')).is_dir() {
                return Err(zerr::zarr_problem(
                    &display,
                    "no such directory; check the store path and the array path",
                ));
            }
        }
        match store.probe_node_kind(&array_path)? {
            Some("group") => {
                return Err(zerr::zarr_problem(
                    &display,
                    "is a Zarr group, not an array; open it with `open_group`, or give the \
                     path of an array inside it",
                ))
            }
            None if store.is_remote() => {
                return Err(zerr::zarr_problem(
                    &display,
                    "has no Zarr metadata (neither `zarr.json` nor `.zarray` was found); \
                     check the URL and the array path",
                ))
            }
            _ => {}
        }
        let mut array = Array::open(store.clone(), &array_path).map_err(|e| match e {
            ArrayCreateError::DataTypeCreateError(_) => Error::UnsupportedZarrDType {
                path: display.clone(),
                dtype: stored_dtype_name(store, &array_path).unwrap_or_else(|| "unknown".into()),
            },
            e => zerr::open_array(&display, e),
        })?;
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
        let identity = store.identity(&array_path, array.metadata());
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

    /// The bytes the array occupies in its store: every chunk or shard file and the
    /// metadata, as stored (compressed). Unwritten chunks take no space.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// let opts = chunkwise::zarr::ZarrWriteOptions::new(&path);
    /// chunkwise::zeros::<f64>(&[1000], [100]).to_zarr(&opts)?.run()?;
    /// let stored = chunkwise::zarr::open_array(&path)?.stored_bytes()?;
    /// assert!(stored > 0 && stored < 8000); // zeros compress well
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] when the store cannot be listed.
    pub fn stored_bytes(&self) -> Result<u64> {
        use zarrs::storage::{ListableStorageTraits, StorePrefix};
        let rel = self.inner.array_path.trim_matches('/');
        let prefix = if rel.is_empty() {
            StorePrefix::root()
        } else {
            StorePrefix::new(format!("{rel}/"))
                .map_err(|e| zerr::zarr_error(&self.inner.display, "invalid array path", e))?
        };
        self.inner
            .store
            .size_prefix(&prefix)
            .map_err(|e| zerr::storage(&self.inner.display, e))
    }

    /// Reads and writes through this handle's store so far.
    #[must_use]
    pub fn io_stats(&self) -> IoStats {
        self.inner.store.stats()
    }

    /// The chunking [`to_dyn`](Self::to_dyn) uses by default: storage chunks (shards when
    /// sharded), merged along axes by whole multiples while a block stays within
    /// [`DEFAULT_BLOCK_BYTES`](super::DEFAULT_BLOCK_BYTES), so every block reads whole
    /// files.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// let opts = chunkwise::zarr::ZarrWriteOptions::new(&path).chunk_shape([10, 10]);
    /// chunkwise::zeros::<f64>(&[100, 100], [50, 50]).to_zarr(&opts)?.run()?;
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
            super::DEFAULT_BLOCK_BYTES,
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
        Ok(DynArray::from_reader(reader, &chunks))
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

    /// Reads the box `region` now, as [`BlockReader::read`](crate::io::BlockReader::read) does for a task.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// chunkwise::arange(0i64, 10, 1, [3]).to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
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

    /// The regions of this array's write units (its shards, or its chunks when it has
    /// none), in C order, each with whether it is stored whole: present, and decoding in
    /// full to its shape (every byte read and decompressed). What a resumed write skips;
    /// a unit that is missing or does not decode is written again (a unit holding only
    /// the fill value is never stored, so it is always computed again: its write stores
    /// nothing).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::zarr::{open_array, ZarrWriteOptions};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// let z = chunkwise::ones::<i32>(&[10], [10]).to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4]))?;
    /// z.run()?;
    /// std::fs::remove_file(path.join("c/1"))?; // as if the job had stopped before it
    /// let units = open_array(&path)?.stored_units()?;
    /// let stored: Vec<bool> = units.iter().map(|(_, whole)| *whole).collect();
    /// assert_eq!(stored, [true, false, true]);
    /// assert_eq!(units[2].0, [8..10]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] when the store cannot be listed.
    pub fn stored_units(&self) -> Result<Vec<(Vec<Range<usize>>, bool)>> {
        let inner = &self.inner;
        let mut units = self.unit_regions();
        for (region, whole) in &mut units {
            let at: Vec<u64> = region
                .iter()
                .zip(&inner.grid_chunk)
                .map(|(r, &c)| (r.start / c.max(1)) as u64)
                .collect();
            let present = inner
                .array
                .retrieve_encoded_chunk(&at)
                .map_err(|e| zerr::zarr_error(&inner.display, "cannot read a chunk", e))?
                .is_some();
            *whole = present
                && inner
                    .array
                    .retrieve_chunk::<zarrs::array::ArrayBytes<'static>>(&at)
                    .is_ok();
        }
        Ok(units)
    }

    /// [`stored_units`](Self::stored_units), made ready for a resumed write: each unit
    /// that is present but not whole (torn, corrupt) is removed, so that writing it
    /// again does not try to merge into it. In an MPI job, rank 0 checks and removes,
    /// and every rank gets its answer (the others wait for it).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::zarr::{open_array, ZarrWriteOptions};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// chunkwise::ones::<f64>(&[10], [10]).to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4]))?.run()?;
    /// std::fs::write(path.join("c/2"), b"torn")?;
    /// let z = open_array(&path)?;
    /// let whole: Vec<bool> = z.resume_units()?.iter().map(|(_, w)| *w).collect();
    /// assert_eq!(whole, [true, true, false]);
    /// assert!(!path.join("c/2").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`stored_units`](Self::stored_units), and [`Error::Zarr`] when a torn unit
    /// cannot be removed.
    pub fn resume_units(&self) -> Result<Vec<(Vec<Range<usize>>, bool)>> {
        let checked = crate::exec::from_first_rank(|| match self.remove_torn_units() {
            Ok(units) => std::iter::once(0)
                .chain(units.iter().map(|(_, whole)| u8::from(*whole)))
                .collect(),
            Err(e) => std::iter::once(1)
                .chain(e.to_string().into_bytes())
                .collect(),
        })?;
        if checked.first() != Some(&0) {
            return Err(zerr::zarr_problem(
                &self.inner.display,
                String::from_utf8_lossy(checked.get(1..).unwrap_or_default()).into_owned(),
            ));
        }
        let mut units = self.unit_regions();
        for (unit, &whole) in units.iter_mut().zip(&checked[1..]) {
            unit.1 = whole == 1;
        }
        Ok(units)
    }

    /// [`stored_units`](Self::stored_units), removing the units present but not whole.
    fn remove_torn_units(&self) -> Result<Vec<(Vec<Range<usize>>, bool)>> {
        let units = self.stored_units()?;
        let unit = &self.inner.grid_chunk;
        for (region, whole) in &units {
            if *whole {
                continue;
            }
            let at: Vec<u64> = region
                .iter()
                .zip(unit)
                .map(|(r, &c)| (r.start / c.max(1)) as u64)
                .collect();
            self.inner
                .array
                .erase_chunk(&at)
                .map_err(|e| zerr::storage(&self.inner.display, e))?;
        }
        Ok(units)
    }

    /// The regions of the write units, in C order (all marked not stored).
    fn unit_regions(&self) -> Vec<(Vec<Range<usize>>, bool)> {
        let inner = &self.inner;
        let unit = &inner.grid_chunk;
        let counts: Vec<usize> = inner
            .shape
            .iter()
            .zip(unit)
            .map(|(&n, &c)| n.div_ceil(c.max(1)))
            .collect();
        let total: usize = counts.iter().product();
        let mut units = Vec::with_capacity(total);
        let mut index = vec![0usize; counts.len()];
        for _ in 0..total {
            let region: Vec<Range<usize>> = index
                .iter()
                .zip(unit)
                .zip(&inner.shape)
                .map(|((&i, &c), &n)| i * c..((i + 1) * c).min(n))
                .collect();
            units.push((region, false));
            for axis in (0..index.len()).rev() {
                index[axis] += 1;
                if index[axis] < counts[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        units
    }

    /// Replaces the user attributes, rewriting the metadata file atomically.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("x.zarr");
    /// chunkwise::ones::<f32>(&[2], [2]).to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
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
        store_array_metadata(&array, display)?;
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

/// The data type as the metadata at `array_path` writes it (v3 `data_type`, v2 `dtype`).
fn stored_dtype_name(store: &Store, array_path: &str) -> Option<String> {
    let (text, field) = match store.read_node_file(array_path, "zarr.json") {
        Some(text) => (text, "data_type"),
        None => (store.read_node_file(array_path, ".zarray")?, "dtype"),
    };
    let meta: serde_json::Value = serde_json::from_slice(&text).ok()?;
    let dtype = meta.get(field)?;
    Some(
        dtype
            .as_str()
            .map_or_else(|| dtype.to_string(), String::from),
    )
}
