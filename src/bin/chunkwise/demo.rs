//! `chunkwise demo`: the newcomer's end-to-end run. It writes a generated dataset to a
//! Zarr store, computes a standardized anomaly from that store into a second one, reads
//! the result back for a summary, and says how long each step took.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use chunkwise::prelude::*;
use chunkwise::zarr::{self, ZarrWriteOptions};
use clap::Args;

use crate::info::size;
use crate::options::RunArgs;

/// Arguments of `chunkwise demo`.
#[derive(Args, Debug)]
pub(crate) struct DemoArgs {
    /// Rows and columns of the generated array.
    #[arg(long, default_value_t = 4000)]
    size: usize,
    /// Rows and columns of each chunk (the Zarr storage chunks too).
    #[arg(long, default_value_t = 500)]
    chunk: usize,
    /// Keep the two Zarr stores in this directory (default: a temporary directory,
    /// removed at the end).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
pub(crate) fn run(args: &DemoArgs) -> Result<()> {
    let temp;
    let dir: &Path = if let Some(d) = &args.dir {
        d
    } else {
        temp = tempfile::Builder::new()
            .prefix("chunkwise-demo-")
            .tempdir()
            .context(
                "cannot create a temporary directory for the demo's Zarr stores; give one \
                 with --dir DIR",
            )?;
        temp.path()
    };
    let (n, c) = (args.size, args.chunk);
    let input_path = dir.join("input.zarr");
    let anomaly_path = dir.join("anomaly.zarr");
    println!(
        "chunkwise demo: a {n} x {n} float64 dataset of seeded random numbers (uniform on \
         [0, 1)) in {c} x {c} chunks,\nwritten to Zarr, standardized column by column into \
         a second Zarr store, and summarized.\n"
    );
    let start = Instant::now();

    // 1. Generate the dataset and write it to Zarr, chunk by chunk.
    let x = chunkwise::random::uniform::<f64>(&[n, n], [c, c], 42);
    let chunks = x.num_chunks();
    let mut attributes = serde_json::Map::new();
    attributes.insert("units".into(), "1".into());
    attributes.insert(
        "description".into(),
        "seeded uniform random numbers (chunkwise demo)".into(),
    );
    let write_input = ZarrWriteOptions::new(&input_path)
        .chunk_shape([c, c])
        .attributes(attributes)
        .dimension_names(["row", "column"])
        .overwrite(true);
    x.to_zarr(&write_input)?
        .run_with(&args.run.with_progress("write input"))?;
    let wrote_input = start.elapsed();
    let input = zarr::open_array(&input_path)?;
    println!("1. wrote {}", input_path.display());
    println!(
        "   {} in {:?} chunks, {} as stored ({:.2} s)",
        input.dtype(),
        input.chunk_shape(),
        size(input.stored_bytes()?),
        wrote_input.as_secs_f64()
    );

    // 2. Read it back lazily and write the standardized anomaly to a second store.
    let x = input.to_lazy::<f64>(None)?;
    let anomaly = (&x - x.mean(0)) / x.std(0);
    let mut attributes = input.attributes().clone();
    attributes.insert(
        "history".into(),
        "(x - mean(x, axis=0)) / std(x, axis=0) of input.zarr, by chunkwise demo".into(),
    );
    let write_anomaly = ZarrWriteOptions::new(&anomaly_path)
        .chunk_shape([c, c])
        .attributes(attributes)
        .dimension_names(["row", "column"])
        .overwrite(true);
    anomaly
        .to_zarr(&write_anomaly)?
        .run_with(&args.run.with_progress("anomaly"))?;
    let wrote_anomaly = start.elapsed();
    let seconds = wrote_anomaly.saturating_sub(wrote_input).as_secs_f64();
    let bytes = (n * n * 8) as f64;
    println!(
        "2. computed (x - mean(x, axis=0)) / std(x, axis=0) into {}",
        anomaly_path.display()
    );
    println!(
        "   read, computed and wrote {} in {seconds:.2} s ({:.0} MB/s)",
        size(bytes as u64),
        bytes / 1e6 / seconds.max(1e-9)
    );

    // 3. Summarize the stored anomaly in one pass.
    let z = zarr::from_zarr::<f64>(&anomaly_path)?;
    let summaries = [
        ("mean of the anomaly (expect 0)", z.mean(..)),
        ("std of the anomaly (expect 1)", z.std(..)),
        ("min (expect near -sqrt(3) = -1.73)", z.min(..)),
        ("max (expect near sqrt(3) = 1.73)", z.max(..)),
        ("column 0 mean (expect 0)", z.slice(s![.., 0]).mean(..)),
    ];
    let lazy: Vec<&LazyArray<f64>> = summaries.iter().map(|(_, a)| a).collect();
    let values = chunkwise::compute_many_with(&lazy, &args.run.with_progress("summary"))?;
    println!("3. summary of the stored anomaly:");
    for ((label, _), v) in summaries.iter().zip(&values) {
        println!(
            "   {label:<38} {:>10.6}",
            v.iter().next().copied().unwrap_or(f64::NAN)
        );
    }
    let total = start.elapsed();
    println!(
        "\n{chunks} chunks per array; everything took {:.2} s.",
        total.as_secs_f64()
    );
    if let Some(rss) = crate::peak_rss_mib() {
        println!("peak memory (resident): {rss:.0} MiB");
    }
    if args.dir.is_some() {
        println!(
            "The stores are kept: try `chunkwise info {}` or `chunkwise stats {}`.",
            dir.display(),
            anomaly_path.display()
        );
    } else {
        println!("(The stores were in a temporary directory; --dir DIR keeps them.)");
    }
    Ok(())
}
