//! The `zarr_pipeline` workload: standardize a Zarr array column-wise and write the
//! result to a new Zarr store, as `w_zarr_pipeline` in the Dask peer benchmark does.
//!
//! The input, a Zarr v3 float32 array (8192, 8192) in (512, 512) zstd chunks holding the
//! peer's `zarr_value_block` values, is written once into
//! `<temp dir>/chunkwise-bench-cache/` (written elsewhere and renamed into place, so it is
//! reused only when complete). Each run writes `y = (x - x.mean(axis=0)) / x.std(axis=0)` to a new
//! store, which is read back for the checksum `sum(|y|)` and then deleted.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use super::{size, RunOutcome, WorkloadParams};
use crate::any_array::AnyArray;
use crate::array::{DynArray, LazyArray};
use crate::chunks::Chunks;
use crate::compute::ComputeOptions;
use crate::element::DType;
use crate::error::{Error, Result};
use crate::io::BlockReader;
use crate::zarr::{open_array, ZarrCodec, ZarrWriteOptions};

/// Side and chunk side of the full-size input.
const FULL: usize = 8192;
const CHUNK: usize = 512;

/// The peer's `zarr_value_block`: `sin(0.001 i + 0.0007 j) + 0.5 cos(0.013 i (1 + j % 5))`,
/// computed in float64 and stored as float32.
#[derive(Debug)]
struct ValueBlocks {
    n: usize,
}

impl BlockReader for ValueBlocks {
    fn dtype(&self) -> DType {
        DType::F32
    }

    fn shape(&self) -> Vec<usize> {
        vec![self.n, self.n]
    }

    fn identity(&self) -> String {
        format!("zarr_value_block:{}", self.n)
    }

    fn read(&self, region: &[Range<usize>]) -> Result<AnyArray> {
        let (rows, cols) = (region[0].clone(), region[1].clone());
        let block = ndarray::Array2::from_shape_fn((rows.len(), cols.len()), |(r, c)| {
            let i = (rows.start + r) as f64;
            let j = (cols.start + c) as f64;
            let jm = ((cols.start + c) % 5) as f64;
            ((0.001 * i + 0.0007 * j).sin() + 0.5 * (0.013 * i * (1.0 + jm)).cos()) as f32
        });
        Ok(AnyArray::F32(block.into_dyn()))
    }
}

fn cache_dir() -> PathBuf {
    std::env::temp_dir().join("chunkwise-bench-cache")
}

/// The cached input store for side `n`, created on first use.
///
/// It is written under a name of this process's own and renamed into place when complete,
/// so a store at the final path is always whole, and two benchmark processes starting at
/// once cannot delete each other's half-written input.
fn ensure_input(n: usize, chunk: usize) -> Result<PathBuf> {
    let name = format!("zarr_in_{n}_f32_zstd.zarr");
    let path = cache_dir().join(&name);
    if path.join("zarr.json").exists() {
        return Ok(path);
    }
    let staging = cache_dir().join(format!("{name}.partial-{}", std::process::id()));
    let _removed = RemoveOnDrop(staging.clone(), true);
    let values = DynArray::from_reader(
        Arc::new(ValueBlocks { n }),
        &Chunks::Uniform(vec![chunk, chunk]),
    );
    let options = ZarrWriteOptions::new(&staging)
        .chunk_shape([chunk, chunk])
        .codec(ZarrCodec::Zstd { level: 3 })
        .overwrite(true);
    values.to_zarr(&options)?.run()?;
    if let Err(e) = std::fs::rename(&staging, &path) {
        // Another process may have put its complete copy there first.
        if !path.join("zarr.json").exists() {
            return Err(Error::storage(path.display().to_string(), e.to_string()));
        }
    }
    Ok(path)
}

/// [`ensure_input`], by rank 0 alone in an MPI job (the others wait for it).
fn ensure_shared_input(n: usize, chunk: usize) -> Result<PathBuf> {
    crate::exec::first_rank_then_others(
        || crate::exec::alone(|| ensure_input(n, chunk)),
        || Ok(cache_dir().join(format!("zarr_in_{n}_f32_zstd.zarr"))),
    )
}

/// The standardized array, lazily, over the cached input.
pub(super) fn build(p: WorkloadParams) -> Result<DynArray> {
    let (n, chunk) = (size(p, FULL), size(p, CHUNK));
    let path = ensure_shared_input(n, chunk)?;
    // In the default chunks, as a user opens it: here the storage chunks, as Dask's
    // `da.from_zarr` reads them.
    let x: LazyArray<f32> = open_array(&path)?.to_lazy(None)?;
    Ok(((&x - x.mean(0)) / x.std(0)).to_dyn())
}

/// A fresh output path for one run.
fn output_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    cache_dir().join(format!("zarr_out_{}_{nanos}.zarr", std::process::id()))
}

/// Removes the output store when the run ends, whether it succeeded or not (when its
/// flag is set: on one rank of an MPI job).
struct RemoveOnDrop(PathBuf, bool);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if self.1 {
            // Best effort: a leftover output in the temp dir is harmless.
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl fmt::Debug for RemoveOnDrop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RemoveOnDrop({})", self.0.display())
    }
}

/// Builds and writes the workload once (timed), then reads the output back for the
/// checksum (not timed).
pub(super) fn run(p: WorkloadParams, options: &ComputeOptions) -> Result<RunOutcome> {
    // Create the cached input before the clock starts, as the peer does.
    let n = size(p, FULL);
    ensure_shared_input(n, size(p, CHUNK))?;
    // One output for all ranks of an MPI job, removed by rank 0 once all have read it.
    let out = crate::exec::from_first_rank(|| output_path().into_os_string().into_encoded_bytes())?;
    let out = PathBuf::from(String::from_utf8_lossy(&out).into_owned());
    let out = RemoveOnDrop(out, crate::exec::is_first_rank());
    let start = Instant::now();
    let y = build(p)?;
    let write = y.to_zarr(
        &ZarrWriteOptions::new(&out.0)
            .chunk_shape([size(p, CHUNK); 2])
            .codec(ZarrCodec::Zstd { level: 3 }),
    )?;
    let peak_bytes = write.run_measured(options)?;
    let seconds = start.elapsed().as_secs_f64();
    // Read back in the written chunks: small blocks keep the (untimed) checksum's memory low.
    let chunks = Chunks::Uniform(vec![size(p, CHUNK); 2]);
    let back: LazyArray<f32> = open_array(&out.0)?.to_lazy(Some(chunks))?;
    let checksum = back.astype::<f64>().abs().sum(..).compute_scalar()?;
    crate::exec::barrier()?;
    let input_bytes = (n * n * DType::F32.size()) as f64;
    Ok(RunOutcome {
        seconds,
        checksum,
        peak_bytes,
        mb_per_s: Some(input_bytes / 1e6 / seconds),
    })
}
