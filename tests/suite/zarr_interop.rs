//! Zarr arrays written by zarr-python (`tests/fixtures/zarr/make_fixtures.py`) read exactly,
//! and arrays chunkwise writes read exactly in zarr-python (`check_written.py`).

use std::path::{Path, PathBuf};

use chunkwise::zarr::{
    open_array, open_group, BloscCompressorKind, ZarrCodec, ZarrNodeKind, ZarrWriteOptions,
};
use chunkwise::{AnyArray, DType, Scalar};
use ndarray::ArrayD;

pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zarr")
}

/// The fixture formula at flat index `k` for a dtype kind, as `make_fixtures.py` defines it.
pub(crate) fn formula(kind: &str, k: usize) -> f64 {
    let m = ((7 * k) % 101) as f64;
    match kind {
        "bool" => f64::from(u8::from(k % 3 == 0)),
        "float" => m / 4.0 - 12.5,
        "signed" => m - 50.0,
        _ => m,
    }
}

/// The values of an array of `shape` whose element at flat index k is `formula(kind, k)`.
pub(crate) fn formula_array(kind: &str, shape: &[usize], dtype: DType) -> AnyArray {
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n).map(|k| formula(kind, k)).collect();
    AnyArray::F64(ArrayD::from_shape_vec(shape.to_vec(), values).unwrap()).cast(dtype)
}

fn dtype_of(name: &str) -> DType {
    match name {
        "bool" => DType::Bool,
        "int8" => DType::I8,
        "int16" => DType::I16,
        "int32" => DType::I32,
        "int64" => DType::I64,
        "uint8" => DType::U8,
        "uint16" => DType::U16,
        "uint32" => DType::U32,
        "uint64" => DType::U64,
        "float32" => DType::F32,
        // '>f8' reads as native float64.
        _ => DType::F64,
    }
}

fn usizes(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn in_box(index: &[usize], b: &serde_json::Value) -> bool {
    b.as_array().unwrap().iter().zip(index).all(|(r, &i)| {
        (r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize).contains(&i)
    })
}

#[test]
fn every_fixture_reads_exactly_with_its_metadata() {
    let text = std::fs::read_to_string(fixtures().join("data/expected.json")).unwrap();
    let expected: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(expected.len() >= 18, "{} fixtures", expected.len());
    for e in &expected {
        let rel = e["path"].as_str().unwrap();
        let z = open_array(fixtures().join("data").join(rel)).unwrap();
        let shape = usizes(&e["shape"]);
        let dtype = dtype_of(e["dtype"].as_str().unwrap());
        assert_eq!(z.shape(), shape.as_slice(), "{rel}");
        assert_eq!(z.dtype(), dtype, "{rel}");
        assert_eq!(z.chunk_shape(), usizes(&e["chunks"]).as_slice(), "{rel}");
        assert_eq!(
            z.zarr_format(),
            e["zarr_format"].as_u64().unwrap() as u8,
            "{rel}"
        );
        match &e["shards"] {
            serde_json::Value::Null => assert_eq!(z.shard_shape(), None, "{rel}"),
            s => assert_eq!(z.shard_shape(), Some(usizes(s).as_slice()), "{rel}"),
        }
        let fill = if e["fill_is_nan"].as_bool().unwrap() {
            f64::NAN
        } else {
            e["fill"].as_f64().unwrap_or(0.0)
        };
        if fill.is_nan() {
            assert!(z.fill_value().to_f64().is_nan(), "{rel}");
        } else {
            assert_eq!(z.fill_value(), Scalar::from(fill).cast(dtype), "{rel}");
        }
        let kind = e["kind"].as_str().unwrap();
        let boxes = e["written"].as_array().unwrap();
        // Small default chunks and odd explicit chunks both read the same values.
        for chunks in [None, Some(chunkwise::Chunks::Uniform(vec![3; shape.len()]))] {
            let got = z.to_dyn(chunks).unwrap().compute().unwrap();
            assert_eq!(got.dtype(), dtype, "{rel}");
            let got = got.cast(DType::F64).into_typed::<f64>().unwrap();
            for (index, &v) in got.indexed_iter() {
                let index = ndarray::Dimension::slice(&index).to_vec();
                let k = index
                    .iter()
                    .zip(&shape)
                    .fold(0, |acc, (&i, &n)| acc * n + i);
                let want = if boxes.iter().any(|b| in_box(&index, b)) {
                    formula(kind, k)
                } else {
                    fill
                };
                assert!(
                    v == want || (v.is_nan() && want.is_nan()),
                    "{rel} at {index:?}: {v} != {want}"
                );
            }
        }
    }
}

#[test]
fn fixture_codecs_are_described() {
    let data = fixtures().join("data");
    assert_eq!(
        open_array(data.join("v3_gzip_i16.zarr")).unwrap().codecs(),
        ["bytes", "gzip"]
    );
    assert_eq!(
        open_array(data.join("v3_sharded_f32.zarr"))
            .unwrap()
            .codecs(),
        ["sharding_indexed(bytes, zstd)"]
    );
    assert_eq!(
        open_array(data.join("v2_zlib_be_F.zarr")).unwrap().codecs(),
        ["zlib"]
    );
    let z = open_array(data.join("v3_transpose_crc32c_be_f64.zarr")).unwrap();
    assert_eq!(z.codecs(), ["transpose", "bytes", "crc32c"]);
    assert!(
        z.to_string().contains("transpose -> bytes -> crc32c"),
        "{z}"
    );
}

#[test]
fn fixture_group_lists_its_tree_and_attributes() {
    let g = open_group(fixtures().join("data/group.zarr")).unwrap();
    assert_eq!(g.attributes()["title"], "fixture group");
    assert_eq!(g.arrays().unwrap(), ["/temperature"]);
    assert_eq!(g.groups().unwrap(), ["/sub"]);
    let tree = g.tree().unwrap();
    let listed: Vec<(&str, ZarrNodeKind)> =
        tree.iter().map(|n| (n.path.as_str(), n.kind)).collect();
    assert_eq!(
        listed,
        [
            ("/sub", ZarrNodeKind::Group),
            ("/sub/counts", ZarrNodeKind::Array),
            ("/temperature", ZarrNodeKind::Array)
        ]
    );
    let t = g.open_array("temperature").unwrap();
    assert_eq!(t.attributes()["units"], "K");
    let counts = g.open_group("sub").unwrap().open_array("counts").unwrap();
    let want = formula_array("signed", &[6], DType::I32);
    assert_eq!(counts.to_dyn(None).unwrap().compute().unwrap(), want);
}

/// The Python to check with (`$CHUNKWISE_PYTHON`, else `python3`), if `import zarr` works
/// in it.
fn python_with_zarr() -> Option<String> {
    let python = std::env::var("CHUNKWISE_PYTHON").unwrap_or_else(|_| "python3".into());
    std::process::Command::new(&python)
        .args(["-c", "import zarr"])
        .output()
        .is_ok_and(|o| o.status.success())
        .then_some(python)
}

#[test]
fn zarr_python_reads_what_chunkwise_writes() {
    let Some(python) = python_with_zarr() else {
        eprintln!("note: skipping zarr_python_reads_what_chunkwise_writes: `import zarr` fails in python3 (set CHUNKWISE_PYTHON to a Python with zarr)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, DType, Vec<usize>, ZarrWriteOptions)> = vec![
        (
            "zstd_f64",
            DType::F64,
            vec![9, 7],
            ZarrWriteOptions::new("").chunk_shape([4, 3]),
        ),
        (
            "blosc_i16",
            DType::I16,
            vec![10],
            ZarrWriteOptions::new("")
                .codec(ZarrCodec::Blosc {
                    compressor: BloscCompressorKind::Lz4,
                    level: 5,
                })
                .chunk_shape([3]),
        ),
        (
            "gzip_u8",
            DType::U8,
            vec![5, 4, 3],
            ZarrWriteOptions::new("")
                .codec(ZarrCodec::Gzip { level: 4 })
                .chunk_shape([2, 2, 2]),
        ),
        (
            "none_bool",
            DType::Bool,
            vec![6, 5],
            ZarrWriteOptions::new("")
                .codec(ZarrCodec::None)
                .chunk_shape([4, 4]),
        ),
        (
            "sharded_f32",
            DType::F32,
            vec![13, 11],
            ZarrWriteOptions::new("")
                .chunk_shape([2, 3])
                .shard_shape([4, 6]),
        ),
        (
            "grouped_u64",
            DType::U64,
            vec![8],
            ZarrWriteOptions::new("")
                .array_path("/g/inner/x")
                .chunk_shape([3]),
        ),
    ];
    let mut listing = Vec::new();
    for (name, dtype, shape, opts) in cases {
        let mut opts = opts;
        opts.store_path = dir.path().join(format!("{name}.zarr"));
        let kind = match dtype {
            DType::Bool => "bool",
            d if d.is_float() => "float",
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => "signed",
            _ => "unsigned",
        };
        let values = formula_array(kind, &shape, dtype);
        let x = chunkwise::DynArray::from_reader(
            std::sync::Arc::new(crate::zarr::InMemory(values)),
            &chunkwise::Chunks::Uniform(vec![3; shape.len()]),
        );
        x.to_zarr(&opts).unwrap().run().unwrap();
        listing.push(serde_json::json!({
            "store": opts.store_path, "path": opts.array_path, "kind": kind,
            "shape": shape, "dtype": dtype.name(),
        }));
    }
    let list_file = dir.path().join("written.json");
    std::fs::write(&list_file, serde_json::to_string(&listing).unwrap()).unwrap();
    let out = std::process::Command::new(python)
        .arg(fixtures().join("check_written.py"))
        .arg(&list_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "check_written.py failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
