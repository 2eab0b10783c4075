//! [`ZarrReader`], the [`BlockReader`] behind [`ZarrArray::to_dyn`](super::ZarrArray::to_dyn):
//! it asks zarrs for exactly a task's box, so only the storage chunks under it are read,
//! and names the chunk file when one fails to decode.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use zarrs::array::{ArrayBytes, ArraySubset};

use super::error as zerr;
use super::node::Inner;
use crate::any_array::AnyArray;
use crate::element::DType;
use crate::error::Result;
use crate::io::{BlockReader, IoLimits, IoWindow};

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
        return Ok(crate::kernel::pool::full(&shape, inner.fill));
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
            return Some((inner.store.key_display(&key), e));
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

/// The [`BlockReader`] behind [`ZarrArray::to_dyn`].
pub(crate) struct ZarrReader {
    pub(crate) inner: Arc<Inner>,
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

    /// Fetches the chunk (or shard) files under `regions` ahead of the tasks, from a
    /// remote store only (see `remote.rs`). The window holds at most `limits.bytes` of
    /// decoded chunk size (an upper bound on what is stored) and at most four times the
    /// requests in flight, enough to keep them all busy.
    fn read_ahead(&self, regions: &[Vec<Range<usize>>], limits: IoLimits) -> Option<IoWindow> {
        let inner = &self.inner;
        if !inner.store.is_remote() {
            return None;
        }
        let chunk_bytes =
            (inner.grid_chunk.iter().product::<usize>() * inner.dtype.size()).max(1) as u64;
        let values = (limits.bytes / chunk_bytes).clamp(1, 4 * limits.requests.max(1) as u64);
        let mut keys = Vec::new();
        for region in regions {
            let ranges: Vec<Range<u64>> = region
                .iter()
                .map(|r| r.start as u64..r.end as u64)
                .collect();
            if ranges.iter().any(Range::is_empty) {
                continue;
            }
            let subset = ArraySubset::new_with_ranges(&ranges);
            let Ok(Some(chunks)) = inner.array.chunks_in_array_subset(&subset) else {
                continue;
            };
            let chunk_ranges = chunks.to_ranges();
            let mut index: Vec<u64> = chunk_ranges.iter().map(|r| r.start).collect();
            'chunks: loop {
                keys.push(inner.array.chunk_key(&index));
                let mut axis = index.len();
                loop {
                    if axis == 0 {
                        break 'chunks;
                    }
                    axis -= 1;
                    index[axis] += 1;
                    if index[axis] < chunk_ranges[axis].end {
                        break;
                    }
                    index[axis] = chunk_ranges[axis].start;
                }
            }
        }
        let guard = inner
            .store
            .read_ahead(keys, limits.requests, values as usize)?;
        Some(IoWindow::new(Box::new(guard), values * chunk_bytes))
    }
}
