//! Dask's `delayed` tutorial in chunkwise: `inc`, `double` and `add` over a list, each
//! call sleeping a moment, run one after another and then as a lazy graph on all cores;
//! a tree reduction of the results; and many small Zarr arrays loaded in parallel and
//! combined, as plain values and as one array.
//!
//! Run with `cargo run --release --example delayed` (the README puts it beside the Dask
//! code it replaces).

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use chunkwise::delayed::{self, Delayed};
use chunkwise::zarr::ZarrWriteOptions;
use chunkwise::{ComputeOptions, LazyArray, TaskOptions};
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

    // The same calls as a lazy graph; nothing runs until `compute`.
    let start = Instant::now();
    let output: Vec<Delayed<i64>> = data
        .iter()
        .map(|&x| {
            let a = delayed::from_fn("inc", move || inc(x));
            let b = delayed::from_fn("double", move || double(x));
            a.map2("add", &b, |&a, &b| add(a, b))
        })
        .collect();
    let total = Delayed::combine("sum", &output, |xs| xs.iter().copied().sum::<i64>());
    let parallel = total.compute()?;
    let parallel_time = start.elapsed();
    assert_eq!(parallel, sequential);
    println!(
        "sum of add(inc(x), double(x)) for x in 1..=8 = {parallel}: sequential {:.2} s, \
         delayed {:.2} s ({:.1}x faster on {} cores)",
        sequential_time.as_secs_f64(),
        parallel_time.as_secs_f64(),
        sequential_time.as_secs_f64() / parallel_time.as_secs_f64(),
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
    );

    // A tree reduction: add neighbours pairwise until one value is left.
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
    let tree = level[0].compute()?;
    assert_eq!(tree, sequential);
    println!(
        "tree reduction = {tree} in {:.2} s",
        start.elapsed().as_secs_f64()
    );

    // Many small Zarr arrays (one per "file"), loaded in parallel and combined.
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
    // Each load computes its small array on the worker it runs on.
    let one_thread = ComputeOptions::default().single_threaded();
    let loads: Vec<Delayed<ArrayD<f64>>> = paths
        .iter()
        .map(|path| {
            let (path, options) = (path.clone(), one_thread.clone());
            delayed::try_from_fn(TaskOptions::new("load").bytes(50 * 40 * 8), move || {
                chunkwise::from_zarr::<f64>(&path)?.compute_with(&options)
            })
        })
        .collect();
    let means: Vec<Delayed<f64>> = loads
        .iter()
        .map(|a| a.map("mean", |a| a.mean().unwrap_or(f64::NAN)))
        .collect();
    let mean_of_means = Delayed::combine("mean", &means, |m| {
        m.iter().copied().sum::<f64>() / m.len() as f64
    });
    let combined = mean_of_means.compute()?;
    assert!((combined - 7.5).abs() < 1e-12);
    println!(
        "16 Zarr arrays loaded in parallel, mean of their means {combined} in {:.3} s",
        start.elapsed().as_secs_f64()
    );

    // The same loads as the blocks of one array: stacked, then reduced as an array.
    let stacked = chunkwise::stack(
        &loads
            .iter()
            .map(|load| LazyArray::from_delayed(load, &[50, 40]))
            .collect::<Vec<_>>(),
        0,
    );
    let per_file = stacked.mean([1, 2]).compute()?;
    assert_eq!(per_file.len(), 16);
    assert!(per_file.iter().enumerate().all(|(i, &m)| m == i as f64));
    println!(
        "as one array {:?}: per-file means 0, 1, ... 15",
        stacked.shape()
    );
    Ok(())
}
