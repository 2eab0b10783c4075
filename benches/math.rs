//! Micro-benchmarks of the vectorized math kernels (`src/kernel/math`): each function
//! over one 16,384-element tile in cache, the scalar `std` loop the fused kernels ran
//! before they called this module, against the dispatched kernel, for `f64` and `f32`.
//!
//! The module is crate-private, so it is compiled into this benchmark from its source
//! (the same files, the same dispatch). Inputs are spread over each function's useful
//! domain (see `domain`), deterministic, and free of the rare cases that go to `std`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

#[allow(
    unreachable_pub,
    dead_code,
    unused_imports,
    clippy::pedantic,
    reason = "crate-private code compiled into the benchmark, which calls only some of it"
)]
#[path = "../src/kernel/math/mod.rs"]
mod math;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Elements per tile, as in the fused kernels.
const TILE: usize = 16_384;

/// `n` values spread over `[lo, hi]` by a fixed low-discrepancy sequence.
fn domain(lo: f64, hi: f64) -> Vec<f64> {
    (0..TILE)
        .map(|i| {
            let u = (i as f64 * 0.618_033_988_749_894_9).fract();
            lo + (hi - lo) * u
        })
        .collect()
}

type Unary<T> = fn(&[T], &mut [T]);

struct Case {
    name: &'static str,
    lo: f64,
    hi: f64,
    std64: fn(f64) -> f64,
    simd64: Unary<f64>,
    std32: fn(f32) -> f32,
    simd32: Unary<f32>,
}

fn cases() -> Vec<Case> {
    macro_rules! case {
        ($name:literal, $lo:expr, $hi:expr, $s64:expr, $v64:path, $s32:expr, $v32:path) => {
            Case {
                name: $name,
                lo: $lo,
                hi: $hi,
                std64: $s64,
                simd64: $v64,
                std32: $s32,
                simd32: $v32,
            }
        };
    }
    vec![
        case!(
            "exp",
            -700.0,
            700.0,
            f64::exp,
            math::exp_f64,
            f32::exp,
            math::exp_f32
        ),
        case!(
            "ln",
            1e-300,
            1e300,
            f64::ln,
            math::ln_f64,
            f32::ln,
            math::ln_f32
        ),
        case!(
            "log1p",
            -0.99,
            1e6,
            f64::ln_1p,
            math::log1p_f64,
            f32::ln_1p,
            math::log1p_f32
        ),
        case!(
            "log10",
            1e-300,
            1e300,
            f64::log10,
            math::log10_f64,
            f32::log10,
            math::log10_f32
        ),
        case!(
            "sin",
            -1e4,
            1e4,
            f64::sin,
            math::sin_f64,
            f32::sin,
            math::sin_f32
        ),
        case!(
            "cos",
            -1e4,
            1e4,
            f64::cos,
            math::cos_f64,
            f32::cos,
            math::cos_f32
        ),
        case!(
            "tan",
            -1e4,
            1e4,
            f64::tan,
            math::tan_f64,
            f32::tan,
            math::tan_f32
        ),
        case!(
            "asin",
            -1.0,
            1.0,
            f64::asin,
            math::asin_f64,
            f32::asin,
            math::asin_f32
        ),
        case!(
            "acos",
            -1.0,
            1.0,
            f64::acos,
            math::acos_f64,
            f32::acos,
            math::acos_f32
        ),
        case!(
            "atan",
            -100.0,
            100.0,
            f64::atan,
            math::atan_f64,
            f32::atan,
            math::atan_f32
        ),
        case!(
            "sinh",
            -80.0,
            80.0,
            f64::sinh,
            math::sinh_f64,
            f32::sinh,
            math::sinh_f32
        ),
        case!(
            "cosh",
            -80.0,
            80.0,
            f64::cosh,
            math::cosh_f64,
            f32::cosh,
            math::cosh_f32
        ),
        case!(
            "tanh",
            -10.0,
            10.0,
            f64::tanh,
            math::tanh_f64,
            f32::tanh,
            math::tanh_f32
        ),
        case!(
            "sqrt",
            0.0,
            1e6,
            f64::sqrt,
            math::sqrt_f64,
            f32::sqrt,
            math::sqrt_f32
        ),
        case!(
            "floor",
            -1e6,
            1e6,
            f64::floor,
            math::floor_f64,
            f32::floor,
            math::floor_f32
        ),
        case!(
            "ceil",
            -1e6,
            1e6,
            f64::ceil,
            math::ceil_f64,
            f32::ceil,
            math::ceil_f32
        ),
        case!(
            "round",
            -1e6,
            1e6,
            f64::round_ties_even,
            math::round_f64,
            f32::round_ties_even,
            math::round_f32
        ),
    ]
}

fn configure(c: &mut Criterion) -> &mut Criterion {
    c
}

fn unary(c: &mut Criterion) {
    for case in cases() {
        let x64 = domain(case.lo, case.hi);
        let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
        let mut out64 = vec![0.0f64; TILE];
        let mut out32 = vec![0.0f32; TILE];
        let mut group = configure(c).benchmark_group(format!("math/{}", case.name));
        group.throughput(Throughput::Elements(TILE as u64));
        group.bench_function(BenchmarkId::new("std", "f64"), |b| {
            b.iter(|| {
                for (o, &v) in out64.iter_mut().zip(black_box(&x64)) {
                    *o = (case.std64)(v);
                }
            });
        });
        group.bench_function(BenchmarkId::new("simd", "f64"), |b| {
            b.iter(|| (case.simd64)(black_box(&x64), &mut out64));
        });
        group.bench_function(BenchmarkId::new("std", "f32"), |b| {
            b.iter(|| {
                for (o, &v) in out32.iter_mut().zip(black_box(&x32)) {
                    *o = (case.std32)(v);
                }
            });
        });
        group.bench_function(BenchmarkId::new("simd", "f32"), |b| {
            b.iter(|| (case.simd32)(black_box(&x32), &mut out32));
        });
        group.finish();
    }
}

fn binary(c: &mut Criterion) {
    let x64 = domain(1e-3, 1e3);
    let y64: Vec<f64> = domain(-30.0, 30.0).into_iter().rev().collect();
    let (x32, y32): (Vec<f32>, Vec<f32>) = (
        x64.iter().map(|&v| v as f32).collect(),
        domain(-10.0, 10.0)
            .iter()
            .rev()
            .map(|&v| v as f32)
            .collect(),
    );
    let yy64: Vec<f64> = domain(-1e3, 1e3).into_iter().rev().collect();
    let xx64 = domain(-1e3, 1e3);
    let (xx32, yy32): (Vec<f32>, Vec<f32>) = (
        xx64.iter().map(|&v| v as f32).collect(),
        yy64.iter().map(|&v| v as f32).collect(),
    );
    let mut out64 = vec![0.0f64; TILE];
    let mut out32 = vec![0.0f32; TILE];

    let mut group = c.benchmark_group("math/pow");
    group.throughput(Throughput::Elements(TILE as u64));
    group.bench_function(BenchmarkId::new("std", "f64"), |b| {
        b.iter(|| {
            for ((o, &p), &q) in out64.iter_mut().zip(black_box(&x64)).zip(&y64) {
                *o = p.powf(q);
            }
        });
    });
    group.bench_function(BenchmarkId::new("simd", "f64"), |b| {
        b.iter(|| math::pow_f64(black_box(&x64), &y64, &mut out64));
    });
    group.bench_function(BenchmarkId::new("std", "f32"), |b| {
        b.iter(|| {
            for ((o, &p), &q) in out32.iter_mut().zip(black_box(&x32)).zip(&y32) {
                *o = p.powf(q);
            }
        });
    });
    group.bench_function(BenchmarkId::new("simd", "f32"), |b| {
        b.iter(|| math::pow_f32(black_box(&x32), &y32, &mut out32));
    });
    group.finish();

    let mut group = c.benchmark_group("math/powf_scalar");
    group.throughput(Throughput::Elements(TILE as u64));
    group.bench_function(BenchmarkId::new("std", "f64"), |b| {
        b.iter(|| {
            for (o, &p) in out64.iter_mut().zip(black_box(&x64)) {
                *o = p.powf(black_box(1.7));
            }
        });
    });
    group.bench_function(BenchmarkId::new("simd", "f64"), |b| {
        b.iter(|| math::powf_scalar_f64(black_box(&x64), black_box(1.7), &mut out64));
    });
    group.bench_function(BenchmarkId::new("std", "f32"), |b| {
        b.iter(|| {
            for (o, &p) in out32.iter_mut().zip(black_box(&x32)) {
                *o = p.powf(black_box(1.7));
            }
        });
    });
    group.bench_function(BenchmarkId::new("simd", "f32"), |b| {
        b.iter(|| math::powf_scalar_f32(black_box(&x32), black_box(1.7), &mut out32));
    });
    group.finish();

    let mut group = c.benchmark_group("math/atan2");
    group.throughput(Throughput::Elements(TILE as u64));
    group.bench_function(BenchmarkId::new("std", "f64"), |b| {
        b.iter(|| {
            for ((o, &p), &q) in out64.iter_mut().zip(black_box(&yy64)).zip(&xx64) {
                *o = p.atan2(q);
            }
        });
    });
    group.bench_function(BenchmarkId::new("simd", "f64"), |b| {
        b.iter(|| math::atan2_f64(black_box(&yy64), &xx64, &mut out64));
    });
    group.bench_function(BenchmarkId::new("std", "f32"), |b| {
        b.iter(|| {
            for ((o, &p), &q) in out32.iter_mut().zip(black_box(&yy32)).zip(&xx32) {
                *o = p.atan2(q);
            }
        });
    });
    group.bench_function(BenchmarkId::new("simd", "f32"), |b| {
        b.iter(|| math::atan2_f32(black_box(&yy32), &xx32, &mut out32));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_millis(800))
        .sample_size(20);
    targets = unary, binary
}
criterion_main!(benches);
