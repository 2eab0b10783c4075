//! Per-task overhead of the executors: many tiny chunks, where the kernels cost almost
//! nothing and the time is graph building, planning and scheduling.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn tiny_tasks(c: &mut Criterion) {
    let mut group = c.benchmark_group("tiny_chunks_sum");
    group.sample_size(10);
    for chunk in [40usize, 10] {
        let x = chunkwise::ones::<f64>(&[2000, 2000], [chunk, chunk]).expect("valid chunks");
        let expr = (&x + 1.0).sum(..).expect("valid axes");
        let tasks = expr.graph_stats().expect("plans").tasks;
        group.throughput(Throughput::Elements(tasks as u64));
        group.bench_with_input(BenchmarkId::new("threaded", tasks), &tasks, |b, _| {
            b.iter(|| expr.compute_scalar().expect("computes"));
        });
        let single = chunkwise::ComputeOptions::default().single_threaded();
        group.bench_with_input(
            BenchmarkId::new("single_threaded", tasks),
            &tasks,
            |b, _| {
                b.iter(|| expr.compute_scalar_with(&single).expect("computes"));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, tiny_tasks);
criterion_main!(benches);
