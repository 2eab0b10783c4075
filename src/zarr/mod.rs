//! Zarr arrays as lazy sources: open a Zarr v2 or v3 array in a filesystem store (through
//! the `zarrs` crate) and compute over it chunk by chunk. Nothing is read until a
//! computation needs a block, and then only the storage chunks that block overlaps (for
//! sharded arrays, only the inner chunks).
//!
//! # Example
//!
//! ```no_run
//! let x = chunkwise::zarr::open_array("data/temperature.zarr")?;
//! println!("{:?} {} in storage chunks {:?}", x.shape(), x.dtype(), x.chunk_shape());
//! let t = x.to_lazy::<f32>(None)?;
//! let anomaly = (&t - &t.mean(0)?)?;
//! println!("{}", anomaly.std(.., 0)?.compute_scalar()?);
//! # Ok::<(), chunkwise::Error>(())
//! ```

mod store;
mod write;

pub use write::{create, Compression, WriteOptions};

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zarrs::array::{data_type, Array, ArraySubset};
use zarrs::filesystem::FilesystemStore;

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::array::{DynArray, LazyArray};
use crate::chunks::{Chunks, DEFAULT_CHUNK_BYTES};
use crate::element::{DType, Element};
use crate::error::{Error, Result};
use crate::io::BlockReader;

/// An opened Zarr array: its metadata, and lazy arrays over its data.
///
/// # Example
///
/// See the [module documentation](self).
#[derive(Clone, Debug)]
pub struct ZarrArray {
    reader: Arc<ZarrReader>,
    chunk_shape: Vec<usize>,
}

/// Opens the Zarr array (v3 `zarr.json` or v2 `.zarray`) in the directory `path`.
///
/// # Example
///
/// See the [module documentation](self).
///
/// # Errors
///
/// [`Error::Storage`] naming the path when it does not exist, holds no Zarr array, its
/// metadata is corrupt, or its dtype or codecs are not supported.
pub fn open_array(path: impl AsRef<Path>) -> Result<ZarrArray> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    if !path.is_dir() {
        return Err(Error::storage(
            &shown,
            "no such directory; give the path of a Zarr array (the directory holding \
             `zarr.json` or `.zarray`)",
        ));
    }
    if !path.join("zarr.json").is_file() && !path.join(".zarray").is_file() {
        return Err(Error::storage(
            &shown,
            "not a Zarr array: the directory has neither `zarr.json` (Zarr v3) nor `.zarray` \
             (Zarr v2)",
        ));
    }
    let store = FilesystemStore::new(path)
        .map_err(|e| Error::storage(&shown, format!("cannot open the store: {e}")))?;
    let array = Array::open(Arc::new(store), "/")
        .map_err(|e| Error::storage(&shown, format!("cannot open the array: {e}")))?;
    let dtype = dtype_of(&array).ok_or_else(|| {
        Error::storage(
            &shown,
            format!(
                "data type `{}` is not supported; chunkwise reads bool, int8 to int64, \
                 uint8 to uint64, float32 and float64",
                array.data_type()
            ),
        )
    })?;
    let shape: Vec<usize> = array.shape().iter().map(|&n| n as usize).collect();
    let chunk_shape: Vec<usize> = if shape.is_empty() {
        Vec::new()
    } else {
        array
            .chunk_shape_usize(&vec![0; shape.len()])
            .map_err(|e| Error::storage(&shown, format!("unusable chunk grid: {e}")))?
    };
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let identity = identity(&canonical);
    Ok(ZarrArray {
        reader: Arc::new(ZarrReader {
            array,
            path: canonical,
            identity,
            dtype,
            shape,
        }),
        chunk_shape,
    })
}

impl ZarrArray {
    /// The array's shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.reader.shape
    }

    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        self.reader.dtype
    }

    /// The shape of its storage chunks (of its shards, when it is sharded).
    #[must_use]
    pub fn chunk_shape(&self) -> &[usize] {
        &self.chunk_shape
    }

    /// The array's attributes (JSON).
    #[must_use]
    pub fn attributes(&self) -> serde_json::Map<String, serde_json::Value> {
        self.reader.array.attributes().clone()
    }

    /// The chunking chunkwise uses by default: the storage chunks, merged along the
    /// leading axes by whole multiples toward [`DEFAULT_CHUNK_BYTES`], so every block is
    /// a box of whole storage chunks.
    #[must_use]
    pub fn default_chunks(&self) -> Vec<usize> {
        let item = self.dtype().size();
        let mut chunks: Vec<usize> = self.chunk_shape.iter().map(|&c| c.max(1)).collect();
        for d in 0..chunks.len() {
            let bytes: usize = chunks.iter().product::<usize>() * item;
            let factor = (DEFAULT_CHUNK_BYTES / bytes.max(1)).max(1);
            let most = self.shape()[d].div_ceil(chunks[d]).max(1);
            chunks[d] *= factor.min(most);
        }
        chunks
    }

    /// A lazy array over the data, cut as `chunks` asks (`None`:
    /// [`default_chunks`](Self::default_chunks)).
    ///
    /// # Errors
    ///
    /// When `chunks` does not fit the shape.
    pub fn to_dyn(&self, chunks: Option<Chunks>) -> Result<DynArray> {
        let chunks = chunks.unwrap_or_else(|| Chunks::Uniform(self.default_chunks()));
        DynArray::from_reader(self.reader.clone(), &chunks)
    }

    /// A typed lazy array over the data (see [`to_dyn`](Self::to_dyn)).
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] naming both dtypes when the array's is not `T`'s, or
    /// `chunks` that do not fit.
    pub fn to_lazy<T: Element>(&self, chunks: Option<Chunks>) -> Result<LazyArray<T>> {
        if self.dtype() != T::DTYPE {
            return Err(Error::DTypeMismatch {
                context: format!("the Zarr array {}", self.reader.path.display()),
                expected: T::DTYPE,
                found: self.dtype(),
            });
        }
        self.to_dyn(chunks)?.downcast::<T>()
    }
}

/// Reads boxes of one Zarr array.
#[derive(Debug)]
struct ZarrReader {
    array: Array<FilesystemStore>,
    path: PathBuf,
    identity: String,
    dtype: DType,
    shape: Vec<usize>,
}

impl BlockReader for ZarrReader {
    fn dtype(&self) -> DType {
        self.dtype
    }

    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }

    fn identity(&self) -> String {
        self.identity.clone()
    }

    fn name(&self) -> &'static str {
        "zarr.read"
    }

    fn read(&self, region: &[Range<usize>]) -> Result<AnyArray> {
        let ranges: Vec<Range<u64>> = region
            .iter()
            .map(|r| r.start as u64..r.end as u64)
            .collect();
        let subset = ArraySubset::new_with_ranges(&ranges);
        crate::with_dtype!(self.dtype, T => {
            let data = self
                .array
                .retrieve_array_subset::<ndarray::ArrayD<T>>(&subset)
                .map_err(|e| Error::storage(
                    self.path.display().to_string(),
                    format!("cannot read {region:?}: {e}"),
                ))?;
            Ok(T::wrap(data))
        })
    }
}

/// The box `region` of `a`, as an owned standard-layout array (for readers and writers
/// over in-memory data).
///
/// # Example
///
/// ```
/// let a = chunkwise::AnyArray::F64(ndarray::arr2(&[[1.0, 2.0], [3.0, 4.0]]).into_dyn());
/// let b = chunkwise::zarr::slice_any(&a, &[1..2, 0..2])?;
/// assert_eq!(b.shape(), &[1, 2]);
/// assert_eq!(b.sum_f64(), 7.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Storage`] when the region does not lie inside `a`.
pub fn slice_any(a: &AnyArray, region: &[Range<usize>]) -> Result<AnyArray> {
    if region.len() != a.shape().len()
        || region
            .iter()
            .zip(a.shape())
            .any(|(r, &n)| r.start > r.end || r.end > n)
    {
        return Err(Error::storage(
            "in-memory array",
            format!(
                "region {region:?} is outside an array of shape {:?}",
                a.shape()
            ),
        ));
    }
    crate::dispatch_any!(a, arr, T => {
        let view = arr.slice_each_axis(|ax| ndarray::Slice::from(region[ax.axis.index()].clone()));
        Ok(T::wrap(view.as_standard_layout().into_owned()))
    })
}

/// The chunkwise dtype of a Zarr data type, if supported.
fn dtype_of(array: &Array<FilesystemStore>) -> Option<DType> {
    let t = array.data_type();
    [
        (data_type::bool(), DType::Bool),
        (data_type::int8(), DType::I8),
        (data_type::int16(), DType::I16),
        (data_type::int32(), DType::I32),
        (data_type::int64(), DType::I64),
        (data_type::uint8(), DType::U8),
        (data_type::uint16(), DType::U16),
        (data_type::uint32(), DType::U32),
        (data_type::uint64(), DType::U64),
        (data_type::float32(), DType::F32),
        (data_type::float64(), DType::F64),
    ]
    .into_iter()
    .find_map(|(zarr, ours)| (*t == zarr).then_some(ours))
}

/// A key for the data at `path`: the path and the metadata file's size and modification
/// time, so a rewritten array is a new source.
fn identity(path: &Path) -> String {
    let stamp = ["zarr.json", ".zarray"]
        .iter()
        .find_map(|f| std::fs::metadata(path.join(f)).ok())
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", m.len())
        })
        .unwrap_or_default();
    format!("zarr:{}@{stamp}", path.display())
}
