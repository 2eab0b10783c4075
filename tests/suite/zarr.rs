//! Writing and reading Zarr with chunkwise: round trips for every dtype and codec, reads
//! that touch only the chunks they need, atomic chunk writes, overwrite protection and
//! every error naming its path.

// `read(&[a..b])` is a box of one axis, not a mistaken `vec![a..b]`.
#![allow(clippy::single_range_in_vec_init)]

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use chunkwise::io::BlockReader;
use chunkwise::zarr::{
    create_group, create_zarr, open_array, open_array_in, BloscCompressorKind, ZarrCodec,
    ZarrWriteOptions,
};
use chunkwise::PendingWrite;
use chunkwise::{AnyArray, Chunks, DType, DynArray, Error};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

use crate::zarr_interop::formula_array;

/// A reader over an in-memory array (any dtype).
#[derive(Debug)]
pub(crate) struct InMemory(pub(crate) AnyArray);

impl BlockReader for InMemory {
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn shape(&self) -> Vec<usize> {
        self.0.shape().to_vec()
    }
    fn identity(&self) -> String {
        format!("in-memory:{:p}", &self.0)
    }
    fn read(&self, region: &[Range<usize>]) -> chunkwise::Result<AnyArray> {
        let info: Vec<ndarray::SliceInfoElem> =
            region.iter().map(|r| (r.start..r.end).into()).collect();
        macro_rules! cut {
            ($($v:ident),*) => {
                match &self.0 {
                    $(AnyArray::$v(a) => AnyArray::$v(a.slice(info.as_slice()).to_owned()),)*
                    _ => unreachable!("a dtype chunkwise does not have"),
                }
            };
        }
        Ok(cut!(Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64))
    }
}

/// A reader of `value` everywhere that fails on the block starting at `fail_at`.
#[derive(Debug)]
struct FailsAt {
    shape: Vec<usize>,
    value: f64,
    fail_at: Vec<usize>,
}

impl BlockReader for FailsAt {
    fn dtype(&self) -> DType {
        DType::F64
    }
    fn shape(&self) -> Vec<usize> {
        self.shape.clone()
    }
    fn identity(&self) -> String {
        format!(
            "fails-at:{:?}:{}:{:?}",
            self.shape, self.value, self.fail_at
        )
    }
    fn read(&self, region: &[Range<usize>]) -> chunkwise::Result<AnyArray> {
        let start: Vec<usize> = region.iter().map(|r| r.start).collect();
        if start == self.fail_at {
            return Err(Error::Storage {
                path: "test reader".into(),
                problem: format!("deliberate failure at {start:?}"),
            });
        }
        let shape: Vec<usize> = region.iter().map(ExactSizeIterator::len).collect();
        Ok(AnyArray::F64(ArrayD::from_elem(IxDyn(&shape), self.value)))
    }
}

fn lazy(values: AnyArray, chunks: &[usize]) -> DynArray {
    DynArray::from_reader(
        Arc::new(InMemory(values)),
        &Chunks::Uniform(chunks.to_vec()),
    )
}

fn kind_of(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        d if d.is_float() => "float",
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => "signed",
        _ => "unsigned",
    }
}

/// The message of `e` and all its sources.
fn chain(e: &Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(" | ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Files under `dir` whose names mark an unfinished write.
fn temp_files(dir: &Path) -> Vec<String> {
    crate::support::files_under(dir)
        .iter()
        .filter(|path| path.to_string_lossy().contains("chunkwise-tmp"))
        .map(|path| path.display().to_string())
        .collect()
}

#[test]
fn every_dtype_and_codec_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let codecs = [
        ("zstd", ZarrCodec::Zstd { level: 3 }, None),
        (
            "blosc",
            ZarrCodec::Blosc {
                compressor: BloscCompressorKind::Lz4,
                level: 5,
            },
            None,
        ),
        ("gzip", ZarrCodec::Gzip { level: 6 }, None),
        ("none", ZarrCodec::None, None),
        ("sharded", ZarrCodec::Zstd { level: 1 }, Some(vec![6, 4])),
    ];
    for dtype in DType::ALL {
        for (name, codec, shard) in &codecs {
            let shape = [11, 7];
            let values = formula_array(kind_of(dtype), &shape, dtype);
            let x = lazy(values.clone(), &[5, 3]);
            let path = dir.path().join(format!("{dtype}_{name}.zarr"));
            let mut opts = ZarrWriteOptions::new(&path)
                .chunk_shape([3, 2])
                .codec(*codec);
            if let Some(s) = shard {
                opts = opts.shard_shape(s.clone());
            }
            x.to_zarr(&opts).unwrap().run().unwrap();
            let z = open_array(&path).unwrap();
            assert_eq!(z.dtype(), dtype);
            assert_eq!(z.chunk_shape(), &[3, 2]);
            assert_eq!(z.shard_shape(), shard.as_deref());
            let back = z.to_dyn(None).unwrap().compute().unwrap();
            assert_eq!(back, values, "{dtype} {name}");
            let odd = z
                .to_dyn(Some(Chunks::Uniform(vec![4, 5])))
                .unwrap()
                .compute()
                .unwrap();
            assert_eq!(odd, values, "{dtype} {name} in other chunks");
        }
    }
}

#[test]
fn typed_reads_check_the_dtype() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    chunkwise::ones::<f32>(&[4], [2])
        .to_zarr(&ZarrWriteOptions::new(&path))
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(
        chunkwise::from_zarr::<f32>(&path)
            .unwrap()
            .compute()
            .unwrap()
            .sum(),
        4.0
    );
    let err = chunkwise::from_zarr::<f64>(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::DTypeMismatch {
                expected: DType::F64,
                found: DType::F32,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("float32") && err.to_string().contains("float64"),
        "{err}"
    );
}

#[test]
fn a_slice_reads_only_the_chunks_it_touches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let x = chunkwise::arange(0.0f64, 400.0, 1.0, [100]);
    let x = x.rechunk([100]);
    let grid = (&x * 1.0).to_dyn();
    grid.to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([10]))
        .unwrap()
        .run()
        .unwrap();
    let z = open_array(&path).unwrap();
    let before = z.io_stats();
    // 95..117 overlaps chunks 9, 10 and 11.
    assert_eq!(
        z.read(&[95..117]).unwrap().sum_f64(),
        (95..117).sum::<i32>() as f64
    );
    assert_eq!(z.io_stats().reads - before.reads, 3);
    // Through the graph, in blocks of one storage chunk: the blocks under the slice.
    let before = z.io_stats();
    let blocks = z.to_lazy::<f64>(Some(Chunks::Uniform(vec![10]))).unwrap();
    let y = blocks.slice(ndarray::s![95..117]);
    assert_eq!(y.compute().unwrap().sum(), (95..117).sum::<i32>() as f64);
    assert_eq!(z.io_stats().reads - before.reads, 3);

    // Sharded: a box inside one shard reads that shard's index and its touched chunks only.
    let sharded = dir.path().join("s.zarr");
    let opts = ZarrWriteOptions::new(&sharded)
        .chunk_shape([10])
        .shard_shape([100]);
    grid.to_zarr(&opts).unwrap().run().unwrap();
    let s = open_array(&sharded).unwrap();
    let before = s.io_stats();
    let bytes_all = std::fs::metadata(sharded.join("c/0")).unwrap().len();
    assert_eq!(
        s.read(&[20..35]).unwrap().sum_f64(),
        (20..35).sum::<i32>() as f64
    );
    let after = s.io_stats();
    assert!(
        after.bytes_read - before.bytes_read < bytes_all,
        "{before:?} {after:?} of {bytes_all}"
    );
}

#[test]
fn a_slice_of_a_merged_block_reads_only_the_chunks_under_it() {
    // 60 x 80 in storage chunks of 10 x 10; the default chunking is one 38 kB block, so
    // without pushdown any slice would read all 48 chunks.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let eager = ndarray::Array::from_iter((0..4800).map(f64::from))
        .into_shape_with_order((60, 80))
        .unwrap();
    let x2 = chunkwise::from_ndarray(eager.clone(), [25, 30]);
    x2.to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([10, 10]))
        .unwrap()
        .run()
        .unwrap();
    let z = open_array(&path).unwrap();
    assert_eq!(z.default_chunks().unwrap().num_blocks(), 1);
    let x = z.to_lazy::<f64>(None).unwrap();
    let eager = eager.into_dyn();
    let cases: Vec<(Vec<ndarray::SliceInfoElem>, usize)> = vec![
        // Rows 12..18 (chunk row 1), columns 5..25 (chunk columns 0, 1, 2): 3 chunks.
        (ndarray::s![12..18, 5..25].as_ref().to_vec(), 3),
        // One element.
        (ndarray::s![33, 47].as_ref().to_vec(), 1),
        // Every 7th column of row 59: all 8 chunk columns of the last chunk row.
        (ndarray::s![59..60, ..;7].as_ref().to_vec(), 8),
        // A negative step over rows 0..20 of column 0: 2 chunks.
        (ndarray::s![0..20;-3, 0].as_ref().to_vec(), 2),
    ];
    for (index, chunks_read) in cases {
        let before = z.io_stats();
        // Through an elementwise operation, so the slice is pushed down twice.
        let y = ((&x * 2.0) + 1.0).slice(&index);
        let want = eager.slice(index.as_slice()).mapv(|v| v * 2.0 + 1.0);
        assert_eq!(y.compute().unwrap(), want, "{index:?}");
        assert_eq!(
            z.io_stats().reads - before.reads,
            chunks_read as u64,
            "{index:?}"
        );
    }
    // Without the optimizer the whole block is read.
    let before = z.io_stats();
    let y = x.slice(ndarray::s![33, 47]);
    let options = chunkwise::ComputeOptions::default().optimize(false);
    assert_eq!(y.compute_with(&options).unwrap().sum(), 33.0 * 80.0 + 47.0);
    assert_eq!(z.io_stats().reads - before.reads, 48);
}

/// A 200 x 200 float64 array (320 kB) in 50 x 50 storage chunks (16 of them), opened in
/// blocks of 100 x 200 (2 blocks of 8 chunks, each larger than a fused kernel's tile).
fn stored_grid(
    dir: &Path,
) -> (
    chunkwise::LazyArray<f64>,
    chunkwise::zarr::ZarrArray,
    ndarray::ArrayD<f64>,
) {
    let path = dir.join("x.zarr");
    let eager = ndarray::Array::from_iter((0..40_000).map(f64::from))
        .into_shape_with_order(vec![200, 200])
        .unwrap();
    chunkwise::from_ndarray(eager.clone(), [200, 200])
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([50, 50]))
        .unwrap()
        .run()
        .unwrap();
    let z = open_array(&path).unwrap();
    let x = z
        .to_lazy::<f64>(Some(Chunks::Uniform(vec![100, 200])))
        .unwrap();
    (x, z, eager)
}

#[test]
fn fused_kernels_read_each_storage_chunk_once() {
    // Regression: a stored source inside a fused kernel was read tile by tile, decoding
    // every chunk under a tile again (28 s instead of 0.5 s on 256 MB).
    let dir = tempfile::tempdir().unwrap();
    let (x, z, eager) = stored_grid(dir.path());
    let before = z.io_stats();
    let total = ((&x * 2.0) + 1.0).sum(..).compute_scalar().unwrap();
    assert_eq!(total, eager.mapv(|v| v * 2.0 + 1.0).sum());
    assert_eq!(z.io_stats().reads - before.reads, 16);
}

#[test]
fn a_stored_array_is_read_once_when_it_fits_and_again_per_reader_when_not() {
    let dir = tempfile::tempdir().unwrap();
    let (x, z, eager) = stored_grid(dir.path());
    let y = &x - &x.mean(0);
    let want = &eager - &eager.mean_axis(ndarray::Axis(0)).unwrap();
    // 320 kB fits a quarter of the default budget: read once, blocks shared.
    let before = z.io_stats();
    assert_eq!(y.compute().unwrap(), want);
    assert_eq!(z.io_stats().reads - before.reads, 16);
    // A quarter of a 1 MiB budget does not hold it: the mean and the subtraction each
    // read it.
    let small: chunkwise::MemoryLimit = "1MiB".parse().unwrap();
    let options = chunkwise::ComputeOptions::default().memory_limit(small);
    let before = z.io_stats();
    assert_eq!(y.compute_with(&options).unwrap(), want);
    assert_eq!(z.io_stats().reads - before.reads, 32);
}

#[test]
fn default_chunks_merge_storage_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let opts = ZarrWriteOptions::new(&path)
        .chunk_shape([10, 10])
        .shard_shape([20, 30]);
    chunkwise::zeros::<u8>(&[100, 90], [50, 30])
        .to_zarr(&opts)
        .unwrap()
        .run()
        .unwrap();
    let z = open_array(&path).unwrap();
    assert_eq!(z.write_unit(), &[20, 30]);
    // 9 kB in all: one block, a whole-shard multiple.
    assert_eq!(z.default_chunks().unwrap().num_blocks(), 1);
}

#[test]
fn misaligned_blocks_are_rechunked_so_each_chunk_has_one_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let values = formula_array("float", &[50, 30], DType::F64);
    let x = lazy(values.clone(), &[7, 11]);
    create_zarr(&x, &ZarrWriteOptions::new(&path).chunk_shape([10, 10]))
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(
        open_array(&path)
            .unwrap()
            .to_dyn(None)
            .unwrap()
            .compute()
            .unwrap(),
        values
    );
}

#[test]
fn write_region_patches_partly_covered_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let base = formula_array("signed", &[20, 17], DType::I32);
    lazy(base.clone(), &[20, 17])
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4, 5]))
        .unwrap()
        .run()
        .unwrap();
    let z = open_array(&path).unwrap();
    let patch = chunkwise::full(&[9, 8], -1i32, [3, 3]).to_dyn();
    z.write_region(&patch, &[3, 6]).unwrap().run().unwrap();
    let got = z
        .to_dyn(None)
        .unwrap()
        .compute()
        .unwrap()
        .into_typed::<i32>()
        .unwrap();
    let mut want = base.into_typed::<i32>().unwrap();
    want.slice_mut(ndarray::s![3..12, 6..14]).fill(-1);
    assert_eq!(got, want);

    let err = z.write_region(&patch, &[15, 0]).unwrap_err();
    assert!(
        err.to_string().contains("x.zarr") && err.to_string().contains("inside"),
        "{err}"
    );
    let wrong = chunkwise::ones::<f32>(&[2, 2], [2, 2]).to_dyn();
    assert!(matches!(
        z.write_region(&wrong, &[0, 0]).unwrap_err(),
        Error::DTypeMismatch { .. }
    ));
}

#[test]
fn a_failed_write_leaves_unfinished_chunks_intact_and_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let shape = vec![40, 40];
    chunkwise::full(&shape, 1.0f64, [10, 10])
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([10, 10]))
        .unwrap()
        .run()
        .unwrap();
    let z = open_array(&path).unwrap();
    let failing = FailsAt {
        shape: shape.clone(),
        value: 2.0,
        fail_at: vec![20, 10],
    };
    let x = DynArray::from_reader(Arc::new(failing), &Chunks::Uniform(vec![10, 10]));
    let err = z.write_region(&x, &[0, 0]).unwrap().run().unwrap_err();
    assert!(
        chain(&err).contains("deliberate failure"),
        "{}",
        chain(&err)
    );
    let after = z
        .read(&[0..40, 0..40])
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    // Every chunk is whole: all old (1.0) or all new (2.0), and the failed one is old.
    for bi in 0..4 {
        for bj in 0..4 {
            let chunk = after.slice(ndarray::s![bi * 10..bi * 10 + 10, bj * 10..bj * 10 + 10]);
            let first = chunk[[0, 0]];
            assert!(chunk.iter().all(|&v| v == first), "torn chunk {bi},{bj}");
        }
    }
    assert_eq!(after[[20, 10]], 1.0);
    assert!(temp_files(&path).is_empty(), "{:?}", temp_files(&path));
}

#[test]
fn existing_arrays_are_not_replaced_without_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let opts = ZarrWriteOptions::new(&path);
    chunkwise::ones::<f64>(&[4], [2])
        .to_zarr(&opts)
        .unwrap()
        .run()
        .unwrap();
    let err = chunkwise::zeros::<f64>(&[4], [2])
        .to_zarr(&opts)
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    assert!(
        err.to_string().contains("x.zarr") && err.to_string().contains("overwrite(true)"),
        "{err}"
    );
    assert_eq!(
        chunkwise::from_zarr::<f64>(&path)
            .unwrap()
            .compute()
            .unwrap()
            .sum(),
        4.0
    );

    let replaced = chunkwise::full(&[3], 5.0f64, [3]);
    replaced
        .to_zarr(&opts.clone().overwrite(true))
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(
        chunkwise::from_zarr::<f64>(&path)
            .unwrap()
            .compute()
            .unwrap()
            .sum(),
        15.0
    );

    // A directory of other files is never written into nor deleted.
    let other = dir.path().join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("a.jpg"), b"...").unwrap();
    let err = replaced
        .to_zarr(&ZarrWriteOptions::new(&other).overwrite(true))
        .unwrap_err();
    assert!(
        err.to_string().contains("photos") && err.to_string().contains("not a Zarr"),
        "{err}"
    );
    assert!(other.join("a.jpg").exists());
}

#[test]
fn several_writes_run_together() {
    let dir = tempfile::tempdir().unwrap();
    let x = chunkwise::arange(0.0f64, 100.0, 1.0, [10]);
    let mean = x.mean(..);
    let writes: Vec<PendingWrite> = vec![
        (&x - &mean)
            .to_zarr(&ZarrWriteOptions::new(dir.path().join("a.zarr")))
            .unwrap(),
        (&x * &mean)
            .to_zarr(&ZarrWriteOptions::new(dir.path().join("b.zarr")))
            .unwrap(),
    ];
    chunkwise::run_writes(&writes, &chunkwise::ComputeOptions::default()).unwrap();
    let a = chunkwise::from_zarr::<f64>(dir.path().join("a.zarr"))
        .unwrap()
        .compute()
        .unwrap();
    let b = chunkwise::from_zarr::<f64>(dir.path().join("b.zarr"))
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(a.sum(), 0.0);
    assert_eq!(b.sum(), 4950.0 * 49.5);
}

#[test]
fn groups_and_attributes_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let attrs = serde_json::json!({"experiment": "e1", "n": 3})
        .as_object()
        .cloned()
        .unwrap();
    let mut root = create_group(dir.path(), "/", attrs.clone()).unwrap();
    assert!(matches!(
        create_group(dir.path(), "/", attrs).unwrap_err(),
        Error::AlreadyExists { .. }
    ));
    root.create_group("runs", serde_json::Map::new()).unwrap();
    let opts = ZarrWriteOptions::new(dir.path())
        .array_path("/runs/r1")
        .dimension_names(["t"])
        .attributes(
            serde_json::json!({"units": "m"})
                .as_object()
                .cloned()
                .unwrap(),
        );
    chunkwise::ones::<i16>(&[5], [5])
        .to_zarr(&opts)
        .unwrap()
        .run()
        .unwrap();
    let mut z = open_array_in(dir.path(), "runs/r1").unwrap();
    assert_eq!(z.attributes()["units"], "m");
    assert_eq!(z.dimension_names(), Some(vec![Some("t".to_string())]));
    z.set_attributes(
        serde_json::json!({"units": "km"})
            .as_object()
            .cloned()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        open_array_in(dir.path(), "/runs/r1").unwrap().attributes()["units"],
        "km"
    );
    root.set_attributes(serde_json::Map::new()).unwrap();
    let reopened = chunkwise::zarr::open_group(dir.path()).unwrap();
    assert!(reopened.attributes().is_empty());
    assert_eq!(
        reopened.open_group("runs").unwrap().arrays().unwrap(),
        ["/runs/r1"]
    );
}

#[test]
fn errors_name_the_path_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::zarr_interop::fixtures().join("data");

    let missing = dir.path().join("nowhere.zarr");
    let err = open_array(&missing).unwrap_err();
    assert!(matches!(err, Error::Zarr { .. }));
    assert!(
        err.to_string().contains("nowhere.zarr") && err.to_string().contains("no such directory"),
        "{err}"
    );

    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let err = open_array(&plain).unwrap_err();
    assert!(
        err.to_string().contains("plain") && err.to_string().contains("not a Zarr array"),
        "{err}"
    );
    let err = chunkwise::zarr::open_group(&plain).unwrap_err();
    assert!(err.to_string().contains("not a Zarr group"), "{err}");
    let err = open_array(data.join("group.zarr")).unwrap_err();
    assert!(err.to_string().contains("group.zarr"), "{err}");

    let corrupt = dir.path().join("corrupt.zarr");
    std::fs::create_dir(&corrupt).unwrap();
    std::fs::write(
        corrupt.join("zarr.json"),
        b"{\"zarr_format\": 3, \"node_type\": \"array\", ",
    )
    .unwrap();
    let err = open_array(&corrupt).unwrap_err();
    assert!(
        err.to_string().contains("corrupt.zarr") && err.to_string().contains("JSON"),
        "{}",
        chain(&err)
    );

    let err = open_array(data.join("unsupported_complex64.zarr")).unwrap_err();
    assert!(matches!(err, Error::UnsupportedZarrDType { .. }), "{err}");
    assert!(
        err.to_string().contains("unsupported_complex64.zarr")
            && err.to_string().contains("complex64"),
        "{err}"
    );

    // A data type zarrs does not know either.
    let odd = dir.path().join("odd_dtype.zarr");
    chunkwise::ones::<f32>(&[4], [2])
        .to_zarr(&ZarrWriteOptions::new(&odd))
        .unwrap()
        .run()
        .unwrap();
    let meta = std::fs::read_to_string(odd.join("zarr.json")).unwrap();
    std::fs::write(
        odd.join("zarr.json"),
        meta.replace("\"float32\"", "\"int128\""),
    )
    .unwrap();
    let err = open_array(&odd).unwrap_err();
    assert!(
        matches!(err, Error::UnsupportedZarrDType { .. }),
        "{}",
        chain(&err)
    );
    assert!(
        err.to_string().contains("odd_dtype.zarr") && err.to_string().contains("int128"),
        "{err}"
    );

    // An unknown codec.
    let unknown = dir.path().join("unknown_codec.zarr");
    chunkwise::ones::<f32>(&[4], [2])
        .to_zarr(&ZarrWriteOptions::new(&unknown))
        .unwrap()
        .run()
        .unwrap();
    let meta = std::fs::read_to_string(unknown.join("zarr.json")).unwrap();
    std::fs::write(
        unknown.join("zarr.json"),
        meta.replace("\"zstd\"", "\"lzham\""),
    )
    .unwrap();
    let err = open_array(&unknown).unwrap_err();
    let message = chain(&err);
    assert!(err.to_string().contains("unknown_codec.zarr"), "{message}");
    assert!(
        err.to_string().contains("codec") && message.contains("lzham"),
        "{message}"
    );

    // A truncated chunk: the error names the chunk file.
    let path = dir.path().join("t.zarr");
    chunkwise::arange(0.0f64, 100.0, 1.0, [50])
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([25]))
        .unwrap()
        .run()
        .unwrap();
    let chunk = path.join("c/2");
    let bytes = std::fs::read(&chunk).unwrap();
    std::fs::write(&chunk, &bytes[..bytes.len() / 2]).unwrap();
    let z = open_array(&path).unwrap();
    assert_eq!(z.read(&[0..50]).unwrap().sum_f64(), 1225.0);
    let err = z.to_dyn(None).unwrap().compute().unwrap_err();
    let message = chain(&err);
    assert!(message.contains(&chunk.display().to_string()), "{message}");
    assert!(message.contains("truncated or corrupt"), "{message}");

    // Writing where a file is.
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let err = chunkwise::ones::<f64>(&[2], [2])
        .to_zarr(&ZarrWriteOptions::new(&file))
        .unwrap_err();
    assert!(err.to_string().contains("file"), "{err}");
    let err = chunkwise::ones::<f64>(&[4], [2])
        .to_zarr(
            &ZarrWriteOptions::new(dir.path().join("s.zarr"))
                .chunk_shape([2])
                .shard_shape([3]),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                param: "shard_shape",
                ..
            }
        ),
        "{err}"
    );
}

fn shape_and_chunks(
) -> impl Strategy<Value = (Vec<usize>, Vec<usize>, Vec<usize>, Option<Vec<usize>>)> {
    prop::collection::vec(1usize..12, 1..=3).prop_flat_map(|shape| {
        let n = shape.len();
        (
            Just(shape),
            prop::collection::vec(1usize..6, n),
            prop::collection::vec(1usize..6, n),
            prop::option::of(prop::collection::vec(1usize..3, n)),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_shapes_and_chunkings_round_trip(
        (shape, chunks, storage, shard_mult) in shape_and_chunks(),
        dtype in prop::sample::select(DType::ALL.to_vec()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let values = formula_array(kind_of(dtype), &shape, dtype);
        let x = lazy(values.clone(), &chunks);
        let mut opts = ZarrWriteOptions::new(dir.path().join("p.zarr")).chunk_shape(storage.clone());
        if let Some(m) = shard_mult {
            opts = opts.shard_shape(storage.iter().zip(&m).map(|(s, k)| s * k).collect::<Vec<_>>());
        }
        x.to_zarr(&opts).unwrap().run().unwrap();
        let z = open_array(dir.path().join("p.zarr")).unwrap();
        prop_assert_eq!(z.to_dyn(None).unwrap().compute().unwrap(), values.clone());
        let other = z.to_dyn(Some(Chunks::Uniform(chunks))).unwrap().compute().unwrap();
        prop_assert_eq!(other, values);
    }
}

#[test]
fn a_chunk_that_cannot_be_stored_is_named_and_leaves_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    let opts = ZarrWriteOptions::new(&path).chunk_shape([10]).durable(true);
    chunkwise::full(&[40], 1.0f64, [10])
        .to_zarr(&opts)
        .unwrap()
        .run()
        .unwrap();
    // A directory where chunk 1's file goes: renaming the new chunk over it fails.
    std::fs::remove_file(path.join("c/1")).unwrap();
    std::fs::create_dir_all(path.join("c/1/blocker")).unwrap();
    let z = open_array(&path).unwrap();
    let twos = chunkwise::full(&[40], 2.0f64, [10]).to_dyn();
    let err = z.write_region(&twos, &[0]).unwrap().run().unwrap_err();
    let message = chain(&err);
    assert!(
        message.contains(&path.join("c/1").display().to_string()),
        "{message}"
    );
    assert!(temp_files(&path).is_empty(), "{:?}", temp_files(&path));
    // The other chunks are whole: old or new.
    for c in [0, 2, 3] {
        let v = z
            .read(&[c * 10..c * 10 + 10])
            .unwrap()
            .into_typed::<f64>()
            .unwrap();
        assert!(v.iter().all(|&x| x == v[0]), "chunk {c} torn: {v}");
    }
}

#[test]
fn opening_a_group_as_an_array_says_so() {
    let data = crate::zarr_interop::fixtures().join("data");
    let err = open_array(data.join("group.zarr")).unwrap_err();
    assert!(err.to_string().contains("group.zarr"), "{}", chain(&err));
    assert!(err.to_string().contains("open_group"), "{}", chain(&err));
    let err = chunkwise::zarr::open_group(data.join("v3_bool.zarr")).unwrap_err();
    assert!(
        err.to_string().contains("v3_bool.zarr") && err.to_string().contains("open_array"),
        "{err}"
    );
}

#[test]
fn zero_dimensional_and_empty_arrays_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let scalar = lazy(AnyArray::from(ndarray::arr0(2.5f64).into_dyn()), &[]);
    scalar
        .to_zarr(&ZarrWriteOptions::new(dir.path().join("s.zarr")))
        .unwrap()
        .run()
        .unwrap();
    let back = open_array(dir.path().join("s.zarr")).unwrap();
    assert_eq!(back.shape(), &[] as &[usize]);
    assert_eq!(back.to_dyn(None).unwrap().compute().unwrap().sum_f64(), 2.5);

    let empty = chunkwise::zeros::<i16>(&[0, 4], [1, 2]);
    empty
        .to_zarr(&ZarrWriteOptions::new(dir.path().join("e.zarr")))
        .unwrap()
        .run()
        .unwrap();
    let back = open_array(dir.path().join("e.zarr")).unwrap();
    assert_eq!(back.shape(), &[0, 4]);
    assert_eq!(
        back.to_dyn(None).unwrap().compute().unwrap().shape(),
        &[0, 4]
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Random slices (steps, negative steps, indices) of a stored 2-D array, through an
    /// elementwise operation, equal ndarray's, whatever the storage and block chunks.
    #[test]
    fn slices_of_stored_arrays_match_ndarray(
        rows in 1usize..23,
        cols in 1usize..19,
        chunk in (1usize..9, 1usize..9),
        block in proptest::option::of((1usize..12, 1usize..12)),
        sel in proptest::collection::vec((0usize..30, 0usize..30, -4isize..5, proptest::bool::ANY), 2),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zarr");
        let eager = ndarray::Array::from_iter((0..rows * cols).map(|v| v as f64))
            .into_shape_with_order(vec![rows, cols])
            .unwrap();
        chunkwise::from_ndarray(eager.clone(), [rows, cols])

            .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([chunk.0, chunk.1]))
            .unwrap()
            .run()
            .unwrap();
        let chunks = block.map(|(r, c)| Chunks::Uniform(vec![r, c]));
        let x = open_array(&path).unwrap().to_lazy::<f64>(chunks).unwrap();
        let shape = [rows, cols];
        let index: Vec<ndarray::SliceInfoElem> = sel
            .iter()
            .zip(shape)
            .map(|(&(a, b, step, as_index), len)| {
                let (a, b) = ((a % len) as isize, (b % (len + 1)) as isize);
                if as_index {
                    ndarray::SliceInfoElem::Index(a)
                } else {
                    let step = if step == 0 { 1 } else { step };
                    ndarray::SliceInfoElem::Slice { start: a.min(b), end: Some(a.max(b)), step }
                }
            })
            .collect();
        let y = (&x * 3.0).slice(&index);
        let want = eager.slice(index.as_slice()).mapv(|v| v * 3.0);
        proptest::prop_assert_eq!(y.compute().unwrap(), want);
    }
}

#[test]
fn truncated_or_corrupt_chunk_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    for (name, damage) in [
        (
            "truncated",
            &(|b: &[u8]| b[..b.len() / 2].to_vec()) as &dyn Fn(&[u8]) -> Vec<u8>,
        ),
        ("garbage", &|b: &[u8]| vec![0xA5; b.len()]),
        ("empty", &|_: &[u8]| Vec::new()),
    ] {
        let path = dir.path().join(format!("{name}.zarr"));
        chunkwise::arange(0.0f64, 400.0, 1.0, [100])
            .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([100]))
            .unwrap()
            .run()
            .unwrap();
        let chunk = path.join("c/2");
        let bytes = std::fs::read(&chunk).unwrap();
        std::fs::write(&chunk, damage(&bytes)).unwrap();
        let x = open_array(&path).unwrap().to_lazy::<f64>(None).unwrap();
        let err = x.sum(..).compute_scalar().unwrap_err();
        // The task's error names the task; its cause names the chunk file.
        let message = crate::regression::chain(&err).join(": ");
        assert!(
            message.contains(&format!("{name}.zarr")) && message.contains("c/2"),
            "{name}: {message}"
        );
        // The chunks that are intact still read.
        let head = x.slice(ndarray::s![..200]).sum(..);
        assert_eq!(head.compute_scalar().unwrap(), (0..200).sum::<i32>() as f64);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// A region written into an existing array, at any offset, in any block chunking, over
    /// any storage chunks and shards, replaces exactly that region: the chunks it covers
    /// only partly keep their other elements.
    #[test]
    fn region_writes_replace_exactly_the_region(
        (rows, cols) in (1usize..20, 1usize..20),
        storage in (1usize..7, 1usize..7),
        shards in proptest::option::of((1usize..3, 1usize..3)),
        region in (0usize..20, 0usize..20, 0usize..20, 0usize..20),
        blocks in (1usize..9, 1usize..9),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.zarr");
        let base = ndarray::Array::from_iter((0..rows * cols).map(|v| v as f64))
            .into_shape_with_order(vec![rows, cols])
            .unwrap();
        let mut opts = ZarrWriteOptions::new(&path).chunk_shape([storage.0, storage.1]);
        if let Some((a, b)) = shards {
            opts = opts.shard_shape([storage.0 * a, storage.1 * b]);
        }
        chunkwise::from_ndarray(base.clone(), [rows, cols])

            .to_zarr(&opts)
            .unwrap()
            .run()
            .unwrap();
        let (r0, c0) = (region.0 % rows, region.1 % cols);
        let (pr, pc) = (region.2 % (rows - r0) + 1, region.3 % (cols - c0) + 1);
        let patch = ndarray::Array::from_iter((0..pr * pc).map(|v| -(v as f64) - 1.0))
            .into_shape_with_order(vec![pr, pc])
            .unwrap();
        let z = open_array(&path).unwrap();
        let lazy_patch = chunkwise::from_ndarray(patch.clone(), [blocks.0, blocks.1]);
        z.write_region(&lazy_patch.to_dyn(), &[r0, c0]).unwrap().run().unwrap();
        let mut want = base;
        want.slice_mut(ndarray::s![r0..r0 + pr, c0..c0 + pc]).assign(&patch);
        let got = open_array(&path).unwrap().to_lazy::<f64>(None).unwrap().compute().unwrap();
        proptest::prop_assert_eq!(got, want.into_dyn());
        proptest::prop_assert!(temp_files(&path).is_empty());
    }
}
