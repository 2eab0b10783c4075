//! The `zarr_pipeline` workload: `y = (x - x.mean(axis=0)) / x.std(axis=0)` from a Zarr v3
//! float32 array (8192 x 8192 in 512 x 512 chunks, zstd) into a new Zarr store, with the
//! peer benchmark's input values (`zarr_value_block` in `dask_bench.py`).

use std::path::PathBuf;
use std::time::Instant;

use super::{RunOutcome, WorkloadParams};
use crate::array::{DynArray, LazyArray};
use crate::compute::ComputeOptions;
use crate::error::Result;
use crate::zarr::{self, Compression, WriteOptions};

/// The side of the square input (a tenth for quick runs).
fn side(p: WorkloadParams) -> usize {
    if p.quick {
        1024
    } else {
        8192
    }
}

fn cache_dir() -> PathBuf {
    std::env::temp_dir().join("chunkwise-bench-cache")
}

/// The input store, created once (a `.done` marker records a complete one).
fn input_path(p: WorkloadParams) -> Result<PathBuf> {
    let n = side(p);
    let path = cache_dir().join(format!("zarr_in_{n}_f32_zstd.zarr"));
    let marker = path.with_extension("zarr.done");
    if marker.exists() {
        return Ok(path);
    }
    // sin(0.001 i + 0.0007 j) + 0.5 cos(0.013 i (1 + j mod 5)), in float64, then float32.
    let i = crate::arange::<f64>(0.0, n as f64, 1.0, [512])?.expand_dims(1)?;
    let j = crate::arange::<f64>(0.0, n as f64, 1.0, [512])?.expand_dims(0)?;
    let j_mod_5 = (&j - &((&j / 5.0).floor() * 5.0))?;
    let phase = ((&i * 0.001) + &(&j * 0.0007))?.sin();
    let wave = ((&i * 0.013) * &(j_mod_5 + 1.0))?.cos() * 0.5;
    let x: LazyArray<f32> = (&phase + &wave)?.astype::<f32>();
    let options = WriteOptions::default()
        .chunks(vec![512, 512])
        .compression(Compression::Zstd(3))
        .overwrite(true);
    zarr::create(&x.to_dyn(), &path, &options)?.run()?;
    std::fs::write(&marker, "ok\n")
        .map_err(|e| crate::Error::storage(marker.display().to_string(), e.to_string()))?;
    Ok(path)
}

/// The lazy `y` over the cached input (the input is created on first use).
pub(super) fn build(p: WorkloadParams) -> Result<DynArray> {
    let x = zarr::open_array(input_path(p)?)?.to_lazy::<f32>(None)?;
    Ok(((&x - &x.mean(0)?)? / &x.std(0, 0)?)?.to_dyn())
}

/// Builds `y`, writes it to a new store (timed), then reads the store back for the
/// checksum, sum(|y|) in float64 (not timed, as in the peer).
pub(super) fn run(p: WorkloadParams, options: &ComputeOptions) -> Result<RunOutcome> {
    input_path(p)?;
    let out = cache_dir().join(format!("zarr_out_{}.zarr", std::process::id()));
    let start = Instant::now();
    let y = build(p)?;
    let write_options = WriteOptions::default()
        .chunks(vec![512, 512])
        .compression(Compression::Zstd(3))
        .overwrite(true);
    zarr::create(&y, &out, &write_options)?.run_with(options)?;
    let seconds = start.elapsed().as_secs_f64();
    let back = zarr::open_array(&out)?.to_lazy::<f32>(None)?;
    let checksum = back.astype::<f64>().abs().sum(..)?.compute_scalar()?;
    let _ = std::fs::remove_dir_all(&out);
    let n = side(p) as u64;
    Ok(RunOutcome {
        seconds,
        checksum,
        peak_bytes: 0,
        bytes: n * n * 4,
    })
}
