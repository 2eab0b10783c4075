//! Smoothing a Zarr array with `map_overlap`: a 5 x 5 Gaussian-like (binomial) filter over
//! every chunk extended by a halo of 2 from its neighbours (`Reflect` at the array's
//! edges), written back to a new Zarr array.
//!
//! `cargo run --release --example smooth [DIR]` (default: a temporary directory).

#![allow(clippy::print_stdout)]

use chunkwise::zarr::{self, ZarrWriteOptions};
use chunkwise::{Boundary, MapOverlap};
use ndarray::{ArrayD, ArrayViewD, Ix2};

/// Binomial weights 1 4 6 4 1 (a Gaussian of variance 1, nearly), normalized.
const WEIGHTS: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];

/// The 5 x 5 filter of a padded block, as two 1-d passes; the halo ring of 2 is left as
/// it is (`map_overlap` trims it off).
fn gaussian5(block: &ArrayViewD<'_, f32>) -> ArrayD<f32> {
    let b = block
        .view()
        .into_dimensionality::<Ix2>()
        .expect("a 2-d array has 2-d blocks");
    let (n, m) = b.dim();
    let mut rows = b.to_owned();
    for i in 0..n {
        for j in 2..m.saturating_sub(2) {
            rows[[i, j]] = (0..5).map(|k| WEIGHTS[k] * b[[i, j + k - 2]]).sum();
        }
    }
    let mut out = rows.clone();
    for i in 2..n.saturating_sub(2) {
        for j in 0..m {
            out[[i, j]] = (0..5).map(|k| WEIGHTS[k] * rows[[i + k - 2, j]]).sum();
        }
    }
    out.into_dyn()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| temp.path().to_path_buf(), std::path::PathBuf::from);
    let input = dir.join("noisy.zarr");
    let output = dir.join("smoothed.zarr");

    // A noisy image to start from: 3000 x 2000 float32 in 500 x 500 storage chunks.
    let noisy = chunkwise::random::normal::<f32>(&[3_000, 2_000], [500, 500], 3).to_dyn();
    zarr::create_zarr(
        &noisy,
        &ZarrWriteOptions::new(&input)
            .chunk_shape([500, 500])
            .overwrite(true),
    )?
    .run()?;

    // Read, smooth with halos of 2 from the neighbouring chunks, write.
    let x = chunkwise::from_zarr::<f32>(&input)?;
    let options = MapOverlap::new("gaussian5")
        .depth(2)
        .boundary(Boundary::Reflect);
    let y = x.map_overlap(&options, |block, _| gaussian5(&block));
    println!("{}", y.explain()?);
    y.to_zarr(
        &ZarrWriteOptions::new(&output)
            .chunk_shape([500, 500])
            .overwrite(true),
    )?
    .run()?;

    // Smoothing shrinks white noise: the standard deviation drops from about 1 to about
    // 0.27 (the 2-d weights squared sum to (70/256)^2 ~ 0.075, whose square root is 0.27).
    let before = x.std(..).compute_scalar()?;
    let after = chunkwise::from_zarr::<f32>(&output)?
        .std(..)
        .compute_scalar()?;
    println!("std before {before:.3}, after {after:.3}");
    Ok(())
}
