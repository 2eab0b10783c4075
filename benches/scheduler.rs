//! Per-task overhead of planning and scheduling: graphs of many trivial tasks, where the
//! kernels cost almost nothing, against the same arithmetic done by one ndarray call.
//!
//! `cargo bench --bench scheduler`; the reported throughput is tasks per second.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// `tiny_chunks_100k`: `(ones((4000, 4000)) + 1).sum()` in (20, 8) chunks, against ndarray.
fn tiny_chunks(c: &mut Criterion) {
    let mut group = c.benchmark_group("tiny_chunks_100k");
    group.sample_size(10);
    let x = chunkwise::ones::<f64>(&[4000, 4000], [20, 8]);
    let expr = (&x + 1.0).sum(..);
    let tasks = expr.graph_stats().expect("plans").tasks;
    group.throughput(Throughput::Elements(tasks as u64));
    group.bench_function(BenchmarkId::new("threaded", tasks), |b| {
        b.iter(|| expr.compute_scalar().expect("computes"));
    });
    let single = chunkwise::ComputeOptions::default().single_threaded();
    group.bench_function(BenchmarkId::new("single_threaded", tasks), |b| {
        b.iter(|| expr.compute_scalar_with(&single).expect("computes"));
    });
    group.bench_function("ndarray_one_call", |b| {
        b.iter(|| (ndarray::Array2::<f64>::ones((4000, 4000)) + 1.0).sum());
    });
    group.finish();
}

/// About a million trivial tasks after fusion: `((x + 1) * 2).sum()` over two-element
/// chunks (the three operations fuse into one task per chunk, plus the combine tree),
/// and the plan alone (building, optimizing, lowering and culling).
fn million_tasks(c: &mut Criterion) {
    let mut group = c.benchmark_group("million_tasks");
    group.sample_size(10);
    let x = chunkwise::zeros::<f64>(&[1_880_000], [2]);
    let expr = ((&x + 1.0) * 2.0).sum(..);
    let tasks = expr.graph_stats().expect("plans").tasks;
    group.throughput(Throughput::Elements(tasks as u64));
    group.bench_function(BenchmarkId::new("plan", tasks), |b| {
        b.iter(|| {
            let x = chunkwise::zeros::<f64>(&[1_880_000], [2]);
            ((&x + 1.0) * 2.0).sum(..).graph_stats().expect("plans")
        });
    });
    group.bench_function(BenchmarkId::new("plan_and_run", tasks), |b| {
        b.iter(|| expr.compute_scalar().expect("computes"));
    });
    group.finish();
}

/// The expression-level passes, fusion and lowering of a 100-node expression over 4
/// chunks (so the per-chunk work is negligible): slices, elementwise operations and
/// broadcasts the passes rewrite.
fn hundred_node_plan(c: &mut Criterion) {
    use ndarray::s;
    let build = || {
        let x = chunkwise::random::uniform::<f64>(&[200, 200], [100, 100], 1);
        let mut y = x.clone();
        for i in 0..24 {
            y = ((&y * 1.5 + &x) - f64::from(i)).sin();
        }
        y.slice(s![..;2, 10..])
    };
    let nodes = build().graph_stats().expect("plans").nodes;
    c.bench_function(&format!("plan_{nodes}_nodes"), |b| {
        b.iter(|| build().graph_stats().expect("plans"));
    });
}

criterion_group!(benches, tiny_chunks, million_tasks, hundred_node_plan);
criterion_main!(benches);
