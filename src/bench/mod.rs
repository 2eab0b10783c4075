//! [`Workload`]: the standard end-to-end workloads that `chunkwise bench` times and that
//! `benches/` reuse, defined exactly as the Dask peer benchmark defines them
//! (`shared/bench/dask_bench.py`), so the two can be compared side by side.
//!
//! | name | input (float64) | expression |
//! |---|---|---|
//! | `seed_arcsin` | a, b (4000, 4000, 10) in (1000, 1000, 10) | `(arcsin(a) + arccos(b)).sum(axis=(1, 2))` |
//! | `docs_transpose_mean` | x (10000, 10000) in (1000, 1000) | `(x + x.T)[::2, 5000:].mean(axis=1)` |
//! | `anomaly` | x (20000, 20000) in (1000, 1000) | `((x - x.mean(axis=0)) ** 2).mean()` |
//! | `global_anomaly` | x (20000, 20000) in (1000, 1000) | `(x - x.mean()).sum()` |
//! | `rechunk` | x (16000, 16000) in (16000, 100) | `x.rechunk((100, 16000)).sum()` |
//! | `tiny_chunks` | ones (4000, 4000) in (40, 40) | `(x + 1).sum()` |
//! | `tiny_chunks_100k` | ones (4000, 4000) in (20, 8) | `(x + 1).sum()` |
//! | `concat_reshape` | x, y (4000, 4000) in (500, 500) | `concatenate([x, y], axis=0).reshape(4000, 2, 4000)[:, 1, :].sum(axis=0)`, checksum `sum(r * arange(4000))` |
//! | `map_overlap` | x (8000, 8000) in (1000, 1000) | `x.map_overlap(smooth3, depth=1, boundary='nearest').sum()` |
//! | `map_blocks` | x (8000, 8000) in (1000, 1000) | `x.map_blocks(smooth3).sum()`: `map_overlap`'s baseline, no Dask peer |
//! | `zarr_pipeline` | Zarr float32 (8192, 8192) in (512, 512), zstd | `(x - x.mean(axis=0)) / x.std(axis=0)` written to Zarr |
//! | `matmul` | x (6000, 6000) in (1000, 1000) | `(x @ x.T).sum()` |
//! | `cumsum` | x (20000, 20000) in (1000, 1000) | `x.cumsum(axis=0)[::100].sum()` |
//!
//! Inputs are seeded uniform random numbers ([`Input::Random`]) or the peer benchmark's
//! integer-hash values ([`Input::Det`], salt 0 for the first input and 1 for the second),
//! whose checksums can be compared with Dask's `--det` run up to summation order.
//! `zarr_pipeline` reads the peer's `zarr_value_block` values from a cached Zarr store
//! whatever the input, and its checksum is `sum(|y|)` of the store it writes.

mod zarr_pipeline;

use std::time::Instant;

use ndarray::s;

use crate::array::{DynArray, LazyArray};
use crate::compute::ComputeOptions;
use crate::error::Result;
use crate::random;

/// Where a workload's input values come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Input {
    /// Seeded uniform random numbers on `[0, 1)` (seed 1234, plus 1 for a second input).
    Random,
    /// The Dask peer benchmark's integer-hash input (`det_block`), reproduced exactly.
    Det,
}

/// Parameters of one workload run.
///
/// # Example
///
/// ```
/// use chunkwise::bench::{Input, WorkloadParams};
/// let p = WorkloadParams::new(Input::Det).quick(true);
/// assert!(p.quick);
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct WorkloadParams {
    /// The input values.
    pub input: Input,
    /// Run at about a hundredth of the full size, for smoke tests.
    pub quick: bool,
}

impl WorkloadParams {
    /// Full-size runs on `input`.
    #[must_use]
    pub fn new(input: Input) -> WorkloadParams {
        WorkloadParams {
            input,
            quick: false,
        }
    }

    /// Small (`true`) or full-size (`false`) runs.
    #[must_use]
    pub fn quick(mut self, quick: bool) -> WorkloadParams {
        self.quick = quick;
        self
    }
}

/// One named workload.
#[derive(Debug)]
pub struct Workload {
    /// The name `chunkwise bench` and the peer benchmark use.
    pub name: &'static str,
    /// The expression, in NumPy notation.
    pub summary: &'static str,
    build: fn(WorkloadParams) -> Result<DynArray>,
    /// Runs the workload its own way (a write, say) instead of computing `build`.
    run: Option<fn(WorkloadParams, &ComputeOptions) -> Result<RunOutcome>>,
}

/// What one timed run of a workload measured.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RunOutcome {
    /// Wall-clock seconds to build the expression and compute it.
    pub seconds: f64,
    /// Sum of the result's elements, as `f64`.
    pub checksum: f64,
    /// The most bytes that results and running tasks held at once (0 when not measured).
    pub peak_bytes: u64,
    /// Uncompressed input megabytes (10^6 bytes) processed per second, for workloads
    /// that read or write storage.
    pub mb_per_s: Option<f64>,
}

impl Workload {
    /// Builds the lazy expression (nothing runs).
    ///
    /// # Errors
    ///
    /// Only if the definition is inconsistent (a bug).
    pub fn build(&self, params: &WorkloadParams) -> Result<DynArray> {
        (self.build)(*params)
    }

    /// Builds and computes the workload once, timing both.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::bench::{find, Input, WorkloadParams};
    /// let w = find("tiny_chunks").expect("a standard workload");
    /// let run = w.run(&WorkloadParams::new(Input::Random).quick(true), &Default::default())?;
    /// assert_eq!(run.checksum, 2.0 * 400.0 * 400.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the computation fails.
    pub fn run(&self, params: &WorkloadParams, options: &ComputeOptions) -> Result<RunOutcome> {
        if let Some(run) = self.run {
            return run(*params, options);
        }
        let start = Instant::now();
        let array = self.build(params)?;
        let (result, peak_bytes) = crate::compute::run_nodes(&[array.node().clone()], options)?;
        let seconds = start.elapsed().as_secs_f64();
        let checksum = result.iter().map(crate::any_array::AnyArray::sum_f64).sum();
        Ok(RunOutcome {
            seconds,
            checksum,
            peak_bytes,
            mb_per_s: None,
        })
    }
}

/// Every standard workload, in the order `chunkwise bench` runs them.
#[must_use]
pub fn workloads() -> &'static [Workload] {
    WORKLOADS
}

/// The workload called `name`.
#[must_use]
pub fn find(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

static WORKLOADS: &[Workload] = &[
    Workload {
        name: "seed_arcsin",
        summary:
            "a, b (4000, 4000, 10) in (1000, 1000, 10): (arcsin(a) + arccos(b)).sum(axis=(1, 2))",
        build: seed_arcsin,
        run: None,
    },
    Workload {
        name: "docs_transpose_mean",
        summary: "x (10000, 10000) in (1000, 1000): (x + x.T)[::2, 5000:].mean(axis=1)",
        build: docs_transpose_mean,
        run: None,
    },
    Workload {
        name: "anomaly",
        summary: "x (20000, 20000) in (1000, 1000): ((x - x.mean(axis=0)) ** 2).mean()",
        build: anomaly,
        run: None,
    },
    Workload {
        name: "global_anomaly",
        summary: "x (20000, 20000) in (1000, 1000): (x - x.mean()).sum()",
        build: global_anomaly,
        run: None,
    },
    Workload {
        name: "rechunk",
        summary: "x (16000, 16000) in (16000, 100): x.rechunk((100, 16000)).sum()",
        build: rechunk,
        run: None,
    },
    Workload {
        name: "tiny_chunks",
        summary: "ones (4000, 4000) in (40, 40): (x + 1).sum()",
        build: tiny_chunks,
        run: None,
    },
    Workload {
        name: "tiny_chunks_100k",
        summary: "ones (4000, 4000) in (20, 8): (x + 1).sum()",
        build: tiny_chunks_100k,
        run: None,
    },
    Workload {
        name: "zarr_pipeline",
        summary: "zarr float32 (8192, 8192) in (512, 512), zstd: \
                  (x - x.mean(axis=0)) / x.std(axis=0) written to a new zarr store; checksum sum(|y|)",
        build: zarr_pipeline::build,
        run: Some(zarr_pipeline::run),
    },
    Workload {
        name: "concat_reshape",
        summary: "x, y (4000, 4000) in (500, 500): \
                  concatenate([x, y], axis=0).reshape(4000, 2, 4000)[:, 1, :].sum(axis=0); \
                  checksum sum(r * arange(4000))",
        build: concat_reshape,
        run: None,
    },
    Workload {
        name: "map_overlap",
        summary: "x (8000, 8000) in (1000, 1000): x.map_overlap(smooth3, depth=1, \
                  boundary='nearest').sum(), smooth3 a 3x3 box mean keeping the block's outer ring",
        build: map_overlap,
        run: None,
    },
    Workload {
        name: "map_blocks",
        summary: "x (8000, 8000) in (1000, 1000): x.map_blocks(smooth3).sum(), map_overlap's \
                  function without the halo: the baseline of map_overlap's memory (no Dask peer)",
        build: map_blocks,
        run: None,
    },
    Workload {
        name: "matmul",
        summary: "x (6000, 6000) in (1000, 1000): (x @ x.T).sum()",
        build: matmul,
        run: None,
    },
    Workload {
        name: "cumsum",
        summary: "x (20000, 20000) in (1000, 1000): x.cumsum(axis=0)[::100].sum()",
        build: cumsum,
        run: None,
    },
    Workload {
        name: "boolean_mask",
        summary: "x (10000, 10000) in (1000, 1000): x[x > 0.5].sum(), with the mask's counting pass",
        build: boolean_mask,
        run: None,
    },
];

/// Divides a full-size extent for quick runs.
fn size(p: WorkloadParams, full: usize) -> usize {
    if p.quick {
        (full / 10).max(1)
    } else {
        full
    }
}

/// The `salt`-th input of a workload.
fn input(p: WorkloadParams, shape: &[usize], chunks: &[usize], salt: u64) -> LazyArray<f64> {
    match p.input {
        Input::Random => random::uniform(shape, chunks, 1234 + salt),
        Input::Det => random::hash_uniform(shape, chunks, salt),
    }
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn seed_arcsin(p: WorkloadParams) -> Result<DynArray> {
    let shape = [size(p, 4000), size(p, 4000), 10];
    let chunks = [size(p, 1000), size(p, 1000), 10];
    let a = input(p, &shape, &chunks, 0);
    let b = input(p, &shape, &chunks, 1);
    Ok((&a.arcsin() + &b.arccos()).sum([1, 2]).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn docs_transpose_mean(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 10_000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    let y = &x + &x.t();
    #[allow(clippy::cast_possible_wrap)]
    let half = (n / 2) as isize;
    Ok(y.slice(s![..;2, half..]).mean(1).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn anomaly(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 20_000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    Ok((&x - &x.mean(0)).powi(2).mean(..).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn global_anomaly(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 20_000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    Ok((&x - &x.mean(..)).sum(..).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn rechunk(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 16_000);
    let thin = size(p, 100);
    let x = input(p, &[n, n], &[n, thin], 0);
    Ok(x.rechunk([thin, n]).sum(..).to_dyn())
}

fn tiny(p: WorkloadParams, chunks: [usize; 2]) -> DynArray {
    let n = size(p, 4000);
    let x = crate::array::ones::<f64>(&[n, n], chunks);
    (&x + 1.0).sum(..).to_dyn()
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn tiny_chunks(p: WorkloadParams) -> Result<DynArray> {
    Ok(tiny(p, [40, 40]))
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn tiny_chunks_100k(p: WorkloadParams) -> Result<DynArray> {
    Ok(tiny(p, [20, 8]))
}

/// The sum over the odd rows of `concatenate([x, y])` seen as row pairs, weighted by
/// column index for the checksum (the peer's `sum(r * arange(4000))`).
#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn concat_reshape(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 4000);
    let c = size(p, 500);
    let x = input(p, &[n, n], &[c, c], 0);
    let y = input(p, &[n, n], &[c, c], 1);
    #[allow(clippy::cast_possible_wrap)]
    let side = n as isize;
    let z = crate::array::concatenate(&[x, y], 0)
        .reshape(&[side, 2, side])
        .slice(s![.., 1, ..]);
    #[allow(clippy::cast_precision_loss)]
    let weights = crate::array::arange(0.0, n as f64, 1.0, [c]);
    Ok((&z.sum(0) * &weights).sum(..).to_dyn())
}

/// The peer benchmark's `smooth3`: the 3x3 box mean of a 2-d block, its outer ring
/// kept as is (`map_overlap` trims it off). Written as a Rust user would, over row
/// slices so the inner loop vectorizes, with the peer's summation order (rows of the
/// window outer, columns inner, from zero), so the checksums agree to the last digit.
fn smooth3(b: &ndarray::ArrayViewD<'_, f64>) -> ndarray::ArrayD<f64> {
    let b = b
        .view()
        .into_dimensionality::<ndarray::Ix2>()
        .expect("smooth3 takes 2-d blocks");
    let mut out = b.as_standard_layout().into_owned();
    let (n, m) = out.dim();
    if n < 3 || m < 3 {
        return out.into_dyn();
    }
    let src = b.as_standard_layout();
    let rows: Vec<&[f64]> = src
        .rows()
        .into_iter()
        .map(|r| r.to_slice().expect("standard layout"))
        .collect();
    for (i, o) in out.rows_mut().into_iter().enumerate().take(n - 1).skip(1) {
        let o = o.into_slice().expect("standard layout");
        let (r0, r1, r2) = (rows[i - 1], rows[i], rows[i + 1]);
        for j in 1..m - 1 {
            let acc = 0.0
                + r0[j - 1]
                + r0[j]
                + r0[j + 1]
                + r1[j - 1]
                + r1[j]
                + r1[j + 1]
                + r2[j - 1]
                + r2[j]
                + r2[j + 1];
            o[j] = acc / 9.0;
        }
    }
    out.into_dyn()
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn map_blocks(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 8000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    Ok(x.map_blocks("smooth3", |b, _| smooth3(&b)).sum(..).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn map_overlap(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 8000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    let options = crate::array::MapOverlap::new("smooth3")
        .depth(1)
        .boundary(crate::array::Boundary::Nearest);
    Ok(x.map_overlap(&options, |b, _| smooth3(&b)).sum(..).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn matmul(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 6000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    Ok(x.matmul(&x.t()).sum(..).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn cumsum(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 20_000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    Ok(x.cumsum(0).slice(s![..;100, ..]).sum(..).to_dyn())
}

#[allow(
    clippy::unnecessary_wraps,
    reason = "every workload's builder has the signature of the fallible Zarr one"
)]
fn boolean_mask(p: WorkloadParams) -> Result<DynArray> {
    let n = size(p, 10_000);
    let x = input(p, &[n, n], &[size(p, 1000); 2], 0);
    Ok(x.boolean_index(&x.greater(0.5)).sum(..).to_dyn())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_workloads_run_and_agree_across_executors() {
        let params = WorkloadParams::new(Input::Det).quick(true);
        for w in workloads() {
            let threaded = w.run(&params, &ComputeOptions::default()).unwrap();
            let single = w
                .run(&params, &ComputeOptions::default().single_threaded())
                .unwrap();
            let scale = threaded.checksum.abs().max(1.0);
            assert!(
                (threaded.checksum - single.checksum).abs() <= 1e-9 * scale,
                "{}: {} vs {}",
                w.name,
                threaded.checksum,
                single.checksum
            );
        }
    }

    #[test]
    fn det_anomaly_is_near_one_twelfth() {
        let w = find("anomaly").unwrap();
        let run = w
            .run(
                &WorkloadParams::new(Input::Det).quick(true),
                &ComputeOptions::default(),
            )
            .unwrap();
        assert!((run.checksum - 1.0 / 12.0).abs() < 1e-3, "{}", run.checksum);
    }
}
