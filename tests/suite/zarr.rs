//! Reading Zarr arrays written by zarr-python (tests/fixtures/zarr, made by
//! `make_fixtures.py`): v3 with default, gzip, blosc and sharding codecs, v2 with blosc and
//! zlib, big-endian and Fortran order, partial edge chunks, unwritten chunks; and the errors
//! for paths that are not Zarr arrays.

use std::path::PathBuf;

use chunkwise::{AnyArray, Chunks, ComputeOptions, DType, Error};
use ndarray::{ArrayD, IxDyn};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/zarr")
        .join(name)
}

/// The fixtures' formula: element k is `(k % 251) - 100` in the array's dtype.
fn expected(shape: &[usize], dtype: DType) -> AnyArray {
    let n: usize = shape.iter().product();
    let ks: Vec<i64> = (0..n as i64).map(|k| (k % 251) - 100).collect();
    // Integer conversion wraps, as NumPy's `astype` from int64 does.
    let ints = ArrayD::from_shape_vec(IxDyn(shape), ks).unwrap();
    if dtype == DType::Bool {
        let b = (0..n).map(|k| k % 3 == 0).collect();
        return AnyArray::Bool(ArrayD::from_shape_vec(IxDyn(shape), b).unwrap());
    }
    AnyArray::I64(ints).cast(dtype)
}

#[test]
fn every_fixture_reads_exactly() {
    for (name, shape, dtype) in [
        ("v3_default_f64.zarr", vec![7, 5], DType::F64),
        ("v3_i16.zarr", vec![10], DType::I16),
        ("v3_u8.zarr", vec![3, 4, 5], DType::U8),
        ("v3_bool.zarr", vec![6, 6], DType::Bool),
        ("v3_gzip_f32.zarr", vec![9, 4], DType::F32),
        ("v3_blosc_i64.zarr", vec![11, 3], DType::I64),
        ("v3_sharded_f32.zarr", vec![10, 9], DType::F32),
        ("v2_blosc_f64.zarr", vec![8, 5], DType::F64),
        ("v2_zlib_i32.zarr", vec![7, 6], DType::I32),
        ("v2_bigendian_f8.zarr", vec![5, 5], DType::F64),
        ("v2_fortran_i16.zarr", vec![4, 6], DType::I16),
    ] {
        let z = chunkwise::zarr::open_array(fixture(name)).unwrap();
        assert_eq!((z.shape(), z.dtype()), (shape.as_slice(), dtype), "{name}");
        let want = expected(&shape, dtype);
        // Default chunks, storage chunks, and chunks that cut storage chunks in two.
        for chunks in [
            None,
            Some(Chunks::Uniform(z.chunk_shape().to_vec())),
            Some(Chunks::Uniform(vec![1; shape.len()])),
        ] {
            let got = z.to_dyn(chunks.clone()).unwrap().compute().unwrap();
            assert_eq!(got, want, "{name} {chunks:?}");
        }
    }
}

#[test]
fn sharded_arrays_chunk_by_shard_and_unwritten_chunks_read_the_fill_value() {
    let z = chunkwise::zarr::open_array(fixture("v3_sharded_f32.zarr")).unwrap();
    assert_eq!(
        z.chunk_shape(),
        &[4, 4],
        "a sharded array is chunked by shard"
    );
    let f = chunkwise::zarr::open_array(fixture("v3_fill.zarr")).unwrap();
    let got = f.to_lazy::<f64>(None).unwrap().compute().unwrap();
    let all = expected(&[6, 6], DType::F64);
    let all = all.as_typed::<f64>().unwrap();
    for ((i, j), v) in got
        .clone()
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .indexed_iter()
    {
        let want = if i < 3 && j < 3 { all[[i, j]] } else { -7.5 };
        assert_eq!(*v, want, "({i}, {j})");
    }
}

#[test]
fn computations_over_zarr_inputs_match_eager_ones() {
    let z = chunkwise::zarr::open_array(fixture("v3_default_f64.zarr")).unwrap();
    let x = z.to_lazy::<f64>(Some(Chunks::Uniform(vec![3, 2]))).unwrap();
    let a = expected(&[7, 5], DType::F64).into_typed::<f64>().unwrap();
    let anomaly = (&x - &x.mean(0).unwrap())
        .unwrap()
        .powi(2)
        .unwrap()
        .sum(..)
        .unwrap();
    let mean = a.mean_axis(ndarray::Axis(0)).unwrap();
    let want: f64 = (&a - &mean).mapv(|v| v * v).sum();
    assert!((anomaly.compute_scalar().unwrap() - want).abs() < 1e-9 * want.abs());
    // A slice reads only the blocks it touches: 1 of the 9 blocks.
    let corner = x.slice(ndarray::s![..2, ..2]).unwrap();
    let plan = corner.explain().unwrap();
    assert!(
        plan.contains("zarr.read: [7, 5] chunks ((3, 3, 1), (2, 2, 1)); 1 of 9 tasks"),
        "{plan}"
    );
    assert_eq!(
        corner.compute().unwrap(),
        a.slice(ndarray::s![..2, ..2]).into_dyn()
    );
}

#[test]
fn paths_that_are_not_zarr_arrays_are_errors_naming_them() {
    let missing = fixture("no_such_array.zarr");
    let err = chunkwise::zarr::open_array(&missing).unwrap_err();
    assert!(matches!(err, Error::Storage { .. }), "{err:?}");
    assert!(
        err.to_string().contains("no_such_array.zarr")
            && err.to_string().contains("no such directory"),
        "{err}"
    );
    let not_zarr = fixture("");
    let err = chunkwise::zarr::open_array(&not_zarr).unwrap_err();
    assert!(err.to_string().contains("not a Zarr array"), "{err}");
    let dir = std::env::temp_dir().join(format!("chunkwise-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("zarr.json"), "{ this is not json").unwrap();
    let err = chunkwise::zarr::open_array(&dir).unwrap_err();
    assert!(err.to_string().contains("chunkwise-corrupt"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    let z = chunkwise::zarr::open_array(fixture("v3_i16.zarr")).unwrap();
    let err = z.to_lazy::<f32>(None).unwrap_err();
    assert!(
        err.to_string().contains("int16") && err.to_string().contains("float32"),
        "{err}"
    );
}

/// A fresh directory for a test's output.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chunkwise-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Files under `dir` whose name marks an unfinished write.
fn temporaries(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".chunkwise-tmp-")
            {
                found.push(p);
            }
        }
    }
    found
}

#[test]
fn every_dtype_and_codec_round_trips() {
    use chunkwise::zarr::{Compression, WriteOptions};
    let shape = [13usize, 7];
    for dtype in [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ] {
        for compression in [
            Compression::Zstd(3),
            Compression::Gzip(6),
            Compression::None,
        ] {
            let want = expected(&shape, dtype);
            let dir = scratch(&format!("rt-{dtype}-{compression:?}"));
            let source = chunkwise::DynArray::from_reader(
                std::sync::Arc::new(Fixed(want.clone())),
                &Chunks::Uniform(vec![5, 3]),
            )
            .unwrap();
            // Storage chunks that the computation's chunks do not line up with: rechunked.
            let options = WriteOptions::default()
                .chunks(vec![4, 4])
                .compression(compression);
            chunkwise::zarr::create(&source, &dir, &options)
                .unwrap()
                .run()
                .unwrap();
            let back = chunkwise::zarr::open_array(&dir).unwrap();
            assert_eq!(
                (back.dtype(), back.chunk_shape()),
                (dtype, &[4usize, 4][..])
            );
            assert_eq!(
                back.to_dyn(None).unwrap().compute().unwrap(),
                want,
                "{dtype} {compression:?}"
            );
            assert!(temporaries(&dir).is_empty());
            if compression == Compression::Zstd(3) {
                check_with_zarr_python(&dir);
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}

/// An in-memory array served as a reader, failing on the block that starts at `fail_at`.
#[derive(Debug)]
struct Fixed(AnyArray);

impl chunkwise::io::BlockReader for Fixed {
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn shape(&self) -> Vec<usize> {
        self.0.shape().to_vec()
    }
    fn identity(&self) -> String {
        format!("fixed:{:?}:{:?}", self.0.dtype(), self.0.shape())
    }
    fn read(&self, region: &[std::ops::Range<usize>]) -> chunkwise::Result<AnyArray> {
        chunkwise::zarr::slice_any(&self.0, region)
    }
}

#[derive(Debug)]
struct FailsAt(AnyArray, usize);

impl chunkwise::io::BlockReader for FailsAt {
    fn dtype(&self) -> DType {
        self.0.dtype()
    }
    fn shape(&self) -> Vec<usize> {
        self.0.shape().to_vec()
    }
    fn identity(&self) -> String {
        "fails".into()
    }
    fn read(&self, region: &[std::ops::Range<usize>]) -> chunkwise::Result<AnyArray> {
        if region[0].start == self.1 {
            return Err(Error::Storage {
                path: "input".into(),
                problem: "disk on fire".into(),
            });
        }
        chunkwise::zarr::slice_any(&self.0, region)
    }
}

#[test]
fn a_failed_write_leaves_finished_chunks_and_no_temporary_files() {
    use chunkwise::zarr::WriteOptions;
    let want = expected(&[12, 4], DType::F64);
    let source = chunkwise::DynArray::from_reader(
        std::sync::Arc::new(FailsAt(want.clone(), 8)),
        &Chunks::Uniform(vec![4, 4]),
    )
    .unwrap();
    let dir = scratch("fails");
    let options = ComputeOptions::default().single_threaded();
    let err = chunkwise::zarr::create(&source, &dir, &WriteOptions::default())
        .unwrap()
        .run_with(&options)
        .unwrap_err();
    assert!(
        err.to_string().contains("[2, 0]"),
        "the error names the block: {err}"
    );
    assert!(format!("{err:?}").contains("disk on fire"), "{err:?}");
    assert!(temporaries(&dir).is_empty(), "{:?}", temporaries(&dir));
    // Blocks 0 and 1 were written before block 2 failed; block 2 reads as the fill value.
    let back = chunkwise::zarr::open_array(&dir)
        .unwrap()
        .to_lazy::<f64>(None)
        .unwrap()
        .compute()
        .unwrap();
    let want = want.into_typed::<f64>().unwrap();
    assert_eq!(
        back.slice(ndarray::s![..8, ..]),
        want.slice(ndarray::s![..8, ..])
    );
    assert!(back.slice(ndarray::s![8.., ..]).iter().all(|&v| v == 0.0));
    // Existing data is not overwritten unless asked.
    let err = chunkwise::zarr::create(&source, &dir, &WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Reads an array chunkwise wrote with zarr-python, when it is installed
/// (`CHUNKWISE_TEST_PYTHON` names the interpreter; CI installs zarr into one).
fn check_with_zarr_python(dir: &std::path::Path) {
    let python = std::env::var("CHUNKWISE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let has_zarr = std::process::Command::new(&python)
        .args(["-c", "import zarr"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_zarr {
        eprintln!(
            "zarr-python not found: skipping the interop check of {}",
            dir.display()
        );
        return;
    }
    let script = fixture("check_written.py");
    let out = std::process::Command::new(&python)
        .arg(script)
        .arg(dir)
        .arg("ramp")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zarr-python rejects {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout)
    );
}
