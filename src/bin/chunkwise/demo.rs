//! `chunkwise demo`: a small end-to-end pipeline on generated data.

use std::time::Instant;

use anyhow::Result;
use chunkwise::prelude::*;
use clap::Args;

/// Arguments of `chunkwise demo`.
#[derive(Args, Debug)]
pub(crate) struct DemoArgs {
    /// Rows and columns of the generated array.
    #[arg(long, default_value_t = 4000)]
    size: usize,
    /// Rows and columns of each chunk.
    #[arg(long, default_value_t = 500)]
    chunk: usize,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Memory budget, e.g. 1GiB or 512MB (default: the CHUNKWISE_MEMORY_LIMIT environment variable, else 60% of RAM).
    #[arg(long, value_parser = crate::bench::parse_memory_limit)]
    memory_limit: Option<chunkwise::MemoryLimit>,
    /// Do not show progress bars (they show only on a terminal anyway).
    #[arg(long)]
    no_progress: bool,
}

#[allow(clippy::print_stdout)]
pub(crate) fn run(args: &DemoArgs) -> Result<()> {
    let mut options = ComputeOptions::default();
    if let Some(n) = args.threads {
        options = options.threads(n as usize);
    }
    if let Some(m) = args.memory_limit {
        options = options.memory_limit(m);
    }
    let progress = |label: &str| {
        if args.no_progress {
            options.clone()
        } else {
            options.clone().observer(std::sync::Arc::new(
                chunkwise::diagnostics::ProgressBar::new(label),
            ))
        }
    };
    let n = args.size;
    println!(
        "chunkwise demo: a {n} x {n} float64 array of seeded random numbers (uniform on [0, 1)),"
    );
    println!(
        "cut into {0} x {0} chunks and processed chunk by chunk.\n",
        args.chunk
    );

    let start = Instant::now();
    let x = chunkwise::random::uniform::<f64>(&[n, n], [args.chunk, args.chunk], 42)?;
    println!("{x}\n");

    // Standardize each column, then look at the result from several sides in one pass.
    let col_mean = x.mean(0)?;
    let col_std = x.std(0, 0)?;
    let z = ((&x - &col_mean)? / col_std.clone())?;
    let summaries = [
        ("mean of z (expect 0)", z.mean(..)?),
        ("std of z (expect 1)", z.std(.., 0)?),
        ("min of z (expect near -sqrt(3) = -1.73)", z.min(..)?),
        ("max of z (expect near sqrt(3) = 1.73)", z.max(..)?),
        ("mean of x (expect 0.5)", x.mean(..)?),
        ("variance of x (expect 1/12 = 0.0833)", x.var(.., 0)?),
    ];
    let lazy: Vec<&LazyArray<f64>> = summaries.iter().map(|(_, a)| a).collect();
    let tasks: usize = lazy
        .iter()
        .map(|a| a.graph_stats().map_or(0, |s| s.tasks))
        .sum();
    let built = start.elapsed();
    let values = chunkwise::compute_many_with(&lazy, &progress("statistics"))?;
    let computed = start.elapsed();
    for ((label, _), v) in summaries.iter().zip(&values) {
        println!(
            "  {label:<40} {:>12.6}",
            v.iter().next().copied().unwrap_or(f64::NAN)
        );
    }

    // Argmax of the sum of the mirrored array along rows: exercises transpose and slicing.
    let mirrored = (&x + &x.slice(s![.., ..;-1])?)?;
    let row_sums = mirrored.sum(1)?;
    let best = row_sums
        .argmax(..)?
        .compute_scalar_with(&progress("argmax"))?;
    let row_total = row_sums
        .slice(s![best as isize])?
        .compute_scalar_with(&options)?;
    let total = start.elapsed();

    println!("  {:<40} {:>12}", "row with the largest mirrored sum", best);
    println!(
        "  {:<40} {:>12.3}",
        format!("its sum (expect a little above {n})"),
        row_total
    );
    #[allow(clippy::cast_precision_loss)]
    let gb = (n * n * 8) as f64 / 1e9;
    println!(
        "\n{gb:.2} GB of input, {} chunks; the six statistics ran as one pass ({} tasks if run \
         separately) in {:.2?} after {:.2?} of graph building; everything took {:.2?}.",
        x.num_chunks(),
        tasks,
        computed.saturating_sub(built),
        built,
        total
    );
    if let Some(rss) = crate::peak_rss_mib() {
        println!("peak memory (resident): {rss:.0} MiB");
    }
    Ok(())
}
