//! Zarr throughput: writing and reading a (2048, 2048) float32 array in (256, 256) chunks,
//! per codec, through the graph (one task per block, the atomic store underneath).
//!
//! `cargo bench --bench zarr_io`; the reported throughput is uncompressed bytes per second.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use chunkwise::zarr::{open_array, BloscCompressorKind, ZarrCodec, ZarrWriteOptions};
use chunkwise::Chunks;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SIDE: usize = 2048;
const CHUNK: usize = 256;

fn codecs() -> [(&'static str, ZarrCodec); 4] {
    [
        ("none", ZarrCodec::None),
        ("zstd3", ZarrCodec::Zstd { level: 3 }),
        (
            "blosc5",
            ZarrCodec::Blosc {
                compressor: BloscCompressorKind::Lz4,
                level: 5,
            },
        ),
        ("gzip1", ZarrCodec::Gzip { level: 1 }),
    ]
}

fn write_and_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("zarr_io");
    group.sample_size(10);
    group.throughput(Throughput::Bytes((SIDE * SIDE * 4) as u64));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let x = chunkwise::random::uniform::<f32>(&[SIDE, SIDE], [CHUNK, CHUNK], 1);
    for (name, codec) in codecs() {
        let path = dir.path().join(format!("{name}.zarr"));
        let options = ZarrWriteOptions::new(&path).codec(codec).overwrite(true);
        group.bench_function(BenchmarkId::new("write", name), |b| {
            b.iter(|| x.to_zarr(&options).expect("creates").run().expect("writes"));
        });
        let z = open_array(&path).expect("opens");
        let chunks = Some(Chunks::Uniform(vec![CHUNK, CHUNK]));
        group.bench_function(BenchmarkId::new("read_sum", name), |b| {
            b.iter(|| {
                let y = z.to_lazy::<f32>(chunks.clone()).expect("reads");
                y.sum(..).compute_scalar().expect("computes")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, write_and_read);
criterion_main!(benches);
