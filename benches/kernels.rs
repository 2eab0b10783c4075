//! Micro-benchmarks of the per-chunk kernels through the public API: an elementwise chain
//! with a reduction over one large chunk, against a hand-written `ndarray::Zip` loop doing
//! the same arithmetic.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{ArrayD, IxDyn, Zip};

fn elementwise_sum(c: &mut Criterion) {
    let mut group = c.benchmark_group("elementwise_then_sum");
    for n in [1usize << 16, 1 << 20] {
        let data = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (i[0] % 97) as f64 * 0.01);
        group.throughput(Throughput::Bytes((n * 8) as u64));
        let x = chunkwise::from_ndarray(data.clone(), [n]);
        let expr = ((&x + 1.0) * 2.0 - x.sin()).sum(..);
        let single = chunkwise::ComputeOptions::default().single_threaded();
        group.bench_with_input(BenchmarkId::new("chunkwise", n), &n, |b, _| {
            b.iter(|| expr.compute_scalar_with(&single).expect("computes"));
        });
        group.bench_with_input(BenchmarkId::new("ndarray_zip", n), &n, |b, _| {
            b.iter(|| {
                let mut acc = 0.0;
                Zip::from(&data).for_each(|&v| acc += (v + 1.0) * 2.0 - v.sin());
                acc
            });
        });
    }
    group.finish();
}

/// Arithmetic only (no transcendental function to hide the loop overhead behind):
/// `((x + 1) * 2 - x * x).sum()`, one fused kernel, against one `Zip` loop.
fn arithmetic_sum(c: &mut Criterion) {
    let mut group = c.benchmark_group("arithmetic_then_sum");
    for n in [1usize << 16, 1 << 22] {
        let data = ArrayD::from_shape_fn(IxDyn(&[n]), |i| (i[0] % 97) as f64 * 0.01);
        group.throughput(Throughput::Bytes((n * 8) as u64));
        let x = chunkwise::from_ndarray(data.clone(), [n]);
        let expr = ((&x + 1.0) * 2.0 - (&x * &x)).sum(..);
        let single = chunkwise::ComputeOptions::default().single_threaded();
        group.bench_with_input(BenchmarkId::new("chunkwise", n), &n, |b, _| {
            b.iter(|| expr.compute_scalar_with(&single).expect("computes"));
        });
        group.bench_with_input(BenchmarkId::new("ndarray_zip", n), &n, |b, _| {
            b.iter(|| {
                let mut acc = 0.0;
                Zip::from(&data).for_each(|&v| acc += (v + 1.0) * 2.0 - v * v);
                acc
            });
        });
    }
    group.finish();
}

/// The counter-based generators: `uniform(...).sum()` over one chunk of 4 Mi elements,
/// single-threaded, against the same sum over the values already in memory (so the
/// difference is the generation).
fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate_then_sum");
    let n = 1usize << 22;
    group.throughput(Throughput::Elements(n as u64));
    let single = chunkwise::ComputeOptions::default().single_threaded();
    let uniform = chunkwise::random::uniform::<f64>(&[n], [n], 3);
    let normal = chunkwise::random::normal::<f64>(&[n], [n], 3);
    let data = uniform.compute().expect("computes");
    let stored = chunkwise::from_ndarray(data, [n]);
    for (name, x) in [
        ("uniform_f64", &uniform),
        ("normal_f64", &normal),
        ("in_memory_f64", &stored),
    ] {
        let expr = x.sum(..);
        group.bench_function(name, |b| {
            b.iter(|| expr.compute_scalar_with(&single).expect("computes"));
        });
    }
    group.finish();
}

criterion_group!(benches, elementwise_sum, arithmetic_sum, generate);
criterion_main!(benches);
