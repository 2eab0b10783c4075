//! Per-task overhead of lazy tasks (`chunkwise::delayed`) and futures
//! (`chunkwise::client`): ten thousand trivial calls, side by side (fan-in) and one after
//! another (a chain), where the calls cost nothing and all the time is scheduling.
//! `benches/dask_tasks.py` times the same four workloads with Dask.
//!
//! `cargo bench --bench tasks`; the reported throughput is tasks per second.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use chunkwise::client::{Client, Future};
use chunkwise::delayed::{self, Delayed};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Calls per workload.
const N: u64 = 10_000;

/// `sum([inc(i) for i in range(N)])` and `inc(inc(...inc(0)))`, built and computed.
fn delayed_tasks(c: &mut Criterion) {
    let mut group = c.benchmark_group("delayed");
    group.sample_size(20);
    group.throughput(Throughput::Elements(N + 1));
    group.bench_function("fan_in_10k", |b| {
        b.iter(|| {
            let incs: Vec<Delayed<u64>> = (0..N)
                .map(|i| delayed::from_fn("inc", move || i + 1))
                .collect();
            let total = Delayed::combine("sum", &incs, |xs| xs.iter().copied().sum::<u64>());
            total.compute().expect("computes")
        });
    });
    group.throughput(Throughput::Elements(N));
    group.bench_function("chain_10k", |b| {
        b.iter(|| {
            let mut x = delayed::value(0u64);
            for _ in 0..N {
                x = x.map("inc", |x| x + 1);
            }
            x.compute().expect("computes")
        });
    });
    group.finish();
}

/// The same two workloads submitted to a client (started once, as Dask's is).
fn futures(c: &mut Criterion) {
    let mut group = c.benchmark_group("futures");
    group.sample_size(20);
    let client = Client::new().expect("a client");
    group.throughput(Throughput::Elements(N + 1));
    group.bench_function("fan_in_10k", |b| {
        b.iter(|| {
            let incs: Vec<Future<u64>> = (0..N)
                .map(|i| client.submit("inc", move || i + 1))
                .collect();
            let total = client.combine("sum", &incs, |xs| xs.iter().copied().sum::<u64>());
            total.value().expect("computes")
        });
    });
    group.throughput(Throughput::Elements(N));
    group.bench_function("chain_10k", |b| {
        b.iter(|| {
            let mut x = client.submit("inc", || 1u64);
            for _ in 1..N {
                x = x.map("inc", |x| x + 1);
            }
            x.value().expect("computes")
        });
    });
    group.finish();
}

criterion_group!(benches, delayed_tasks, futures);
criterion_main!(benches);
