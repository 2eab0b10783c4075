//! A Zarr dataset pipeline from Rust: write an array to a Zarr store, standardize it
//! column by column into a second store, read a slice back, and look at the stores.
//!
//! `cargo run --release --example zarr_pipeline [DIR]` (default: a temporary directory).

#![allow(clippy::print_stdout)]

use chunkwise::zarr::{self, ZarrCodec, ZarrWriteOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let temp = tempfile::tempdir()?;
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| temp.path().to_path_buf(), std::path::PathBuf::from);
    let input = dir.join("temperature.zarr");
    let output = dir.join("standardized.zarr");

    // A dataset to start from: 2000 x 3000 float32 values in 500 x 500 storage chunks,
    // with units, as zarr-python or xarray would have written it.
    let mut attributes = serde_json::Map::new();
    attributes.insert("units".into(), "K".into());
    let values = chunkwise::random::normal::<f32>(&[2_000, 3_000], [500, 500], 7);
    let kelvin = ((values * 5.0) + 280.0).to_dyn();
    zarr::create_zarr(
        &kelvin,
        &ZarrWriteOptions::new(&input)
            .chunk_shape([500, 500])
            .attributes(attributes)
            .overwrite(true),
    )?
    .run()?;

    // The pipeline: lazy until `run`, then chunk by chunk, written as it is computed.
    let x = chunkwise::from_zarr::<f32>(&input)?;
    let y = (&x - &x.mean(0)) / x.std(0).ddof(0);
    let options = ZarrWriteOptions::new(&output)
        .chunk_shape([500, 500])
        .shard_shape([1_000, 3_000])
        .codec(ZarrCodec::Zstd { level: 5 })
        .overwrite(true);
    y.to_zarr(&options)?.run()?;

    // Reading a slice back reads only the storage chunks under it.
    let z = zarr::open_array(&output)?;
    let corner = z
        .to_lazy::<f32>(None)?
        .slice(ndarray::s![..3, ..4])
        .compute()?;
    println!("standardized corner:\n{corner:.3}");
    for path in [&input, &output] {
        let a = zarr::open_array(path)?;
        println!(
            "{}: {} {:?}, chunks {:?}, shards {:?}, codecs {:?}, {} bytes stored",
            path.display(),
            a.dtype(),
            a.shape(),
            a.chunk_shape(),
            a.shard_shape(),
            a.codecs(),
            a.stored_bytes()?
        );
    }
    Ok(())
}
