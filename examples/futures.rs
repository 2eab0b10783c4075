//! Dask's futures tutorial in chunkwise: `inc`, `double` and `add` over a list, each call
//! sleeping a moment, run one after another and then submitted to a client's workers,
//! which start each call at once; a tree reduction of the results as futures; many small
//! Zarr arrays loaded in parallel and combined as they complete; and an array
//! computation on the same workers.
//!
//! Run with `cargo run --release --example futures` (the README puts it beside the Dask
//! code it replaces).

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use chunkwise::client::{self, Client, Future};
use chunkwise::zarr::ZarrWriteOptions;
use chunkwise::{ComputeOptions, TaskOptions};
use ndarray::ArrayD;

/// How long each call "works" (sleeps): long enough to see the parallelism.
const WORK: Duration = Duration::from_millis(100);

fn inc(x: i64) -> i64 {
    std::thread::sleep(WORK);
    x + 1
}

fn double(x: i64) -> i64 {
    std::thread::sleep(WORK);
    2 * x
}

fn add(x: i64, y: i64) -> i64 {
    std::thread::sleep(WORK);
    x + y
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data: Vec<i64> = (1..=8).collect();

    // One call after another, as plain Rust.
    let start = Instant::now();
    let sequential: i64 = data.iter().map(|&x| add(inc(x), double(x))).sum();
    let sequential_time = start.elapsed();

    // The same calls submitted to the client: each starts as soon as a worker is free,
    // and a future that reads others starts once they are done.
    let client = Client::new()?;
    let start = Instant::now();
    let output: Vec<Future<i64>> = data
        .iter()
        .map(|&x| {
            let a = client.submit("inc", move || inc(x));
            let b = client.submit("double", move || double(x));
            a.map2("add", &b, |&a, &b| add(a, b))
        })
        .collect();
    let total = client.combine("sum", &output, |xs| xs.iter().copied().sum::<i64>());
    let parallel = total.value()?;
    let parallel_time = start.elapsed();
    assert_eq!(parallel, sequential);
    println!(
        "sum of add(inc(x), double(x)) for x in 1..=8 = {parallel}: sequential {:.2} s, \
         futures {:.2} s ({:.1}x faster on {} workers)",
        sequential_time.as_secs_f64(),
        parallel_time.as_secs_f64(),
        sequential_time.as_secs_f64() / parallel_time.as_secs_f64(),
        client.workers(),
    );

    // A tree reduction over the futures already computed: add neighbours pairwise.
    let start = Instant::now();
    let mut level = output;
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [a, b] => a.map2("add", b, |&a, &b| add(a, b)),
                [a] => a.clone(),
                _ => unreachable!("chunks(2) gives one or two"),
            })
            .collect();
    }
    let tree = level[0].value()?;
    assert_eq!(tree, sequential);
    println!(
        "tree reduction = {tree} in {:.2} s",
        start.elapsed().as_secs_f64()
    );

    // Many small Zarr arrays (one per "file"), loaded in parallel; their means are
    // combined in the order the loads complete.
    let dir = tempfile::tempdir()?;
    let paths: Vec<std::path::PathBuf> = (0..16)
        .map(|i| dir.path().join(format!("part-{i:02}.zarr")))
        .collect();
    for (i, path) in paths.iter().enumerate() {
        chunkwise::full(&[50, 40], i as f64, [25, 40])
            .to_zarr(&ZarrWriteOptions::new(path))?
            .run()?;
    }
    let start = Instant::now();
    let one_thread = ComputeOptions::default().single_threaded();
    let means: Vec<Future<f64>> = paths
        .iter()
        .map(|path| {
            let (path, options) = (path.clone(), one_thread.clone());
            let load: Future<ArrayD<f64>> = client
                .try_submit(TaskOptions::new("load").bytes(50 * 40 * 8), move || {
                    chunkwise::from_zarr::<f64>(&path)?.compute_with(&options)
                });
            load.map("mean", |a| a.mean().unwrap_or(f64::NAN))
        })
        .collect();
    let mut sum = 0.0;
    let mut count = 0;
    for mean in client::as_completed(means) {
        sum += mean.value()?;
        count += 1;
    }
    let combined = sum / f64::from(count);
    assert!((combined - 7.5).abs() < 1e-12);
    println!(
        "16 Zarr arrays loaded in parallel, mean of their means {combined} in {:.3} s",
        start.elapsed().as_secs_f64()
    );

    // The same files as one lazy array, computed on the client's workers.
    let parts = paths
        .iter()
        .map(chunkwise::from_zarr::<f64>)
        .collect::<chunkwise::Result<Vec<_>>>()?;
    let stacked = chunkwise::stack(&parts, 0);
    let per_file = client.compute(&stacked.mean([1, 2])).value()?;
    assert!(per_file.iter().enumerate().all(|(i, &m)| m == i as f64));
    println!(
        "as one array {:?} on the same workers: per-file means 0, 1, ... 15",
        stacked.shape()
    );
    client.close()?;
    Ok(())
}
