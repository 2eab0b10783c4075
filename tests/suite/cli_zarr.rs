//! The dataset commands end to end: the built binary on the zarr-python fixtures
//! (`info`, `stats`, `eval`, `rechunk`, `convert`, `demo`), its output checked against
//! values the library and ndarray compute here, and its errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chunkwise::zarr::open_array;
use chunkwise::{AnyArray, DType};
use ndarray::{ArrayD, Axis};
use serde_json::Value;

use crate::cli_eval::floats;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/zarr/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn chunkwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the chunkwise binary runs")
}

/// Standard output of a run that must succeed.
#[track_caller]
fn ok(args: &[&str]) -> String {
    let out = chunkwise(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// Standard error of a run that must fail with status 2 and print nothing on stdout.
#[track_caller]
fn fails(args: &[&str]) -> String {
    let out = chunkwise(args);
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail: {out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[track_caller]
fn json(args: &[&str]) -> Value {
    let text = ok(args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn read(path: impl AsRef<Path>) -> AnyArray {
    open_array(path)
        .unwrap()
        .to_dyn(None)
        .unwrap()
        .compute()
        .unwrap()
}

fn f64s(a: &AnyArray) -> ArrayD<f64> {
    a.cast(DType::F64).into_typed::<f64>().unwrap()
}

fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.zarr");
    (dir, out)
}

#[track_caller]
fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{got:?} vs {want:?}"
        );
    }
}

#[test]
fn info_shows_the_tree_of_a_group() {
    let group = fixture("group.zarr");
    let text = ok(&["info", &group]);
    for needle in [
        "/sub/  (group)",
        "/sub/counts",
        "/temperature",
        "shape       [4, 5]",
        "dtype       float32",
        "chunks      [2, 5]",
        r#"{"units":"K"}"#,
        "fixture group",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }
    let v = json(&["info", &group, "--json"]);
    assert_eq!(v["node"], "group");
    let children = v["children"].as_array().unwrap();
    let paths: Vec<&str> = children
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/sub", "/sub/counts", "/temperature"]);
    let t = &children[2];
    assert_eq!(t["shape"], serde_json::json!([4, 5]));
    assert_eq!(t["bytes"], 80);
    assert!(t["stored_bytes"].as_u64().unwrap() > 0);
    assert!(t["compression_ratio"].as_f64().unwrap() > 0.0);
}

#[test]
fn info_describes_sharded_and_v2_arrays() {
    let v = json(&["info", &fixture("v3_sharded_f32.zarr"), "--json"]);
    assert_eq!(v["chunks"], serde_json::json!([4, 5]));
    assert_eq!(v["shards"], serde_json::json!([8, 10]));
    assert!(v["codecs"][0]
        .as_str()
        .unwrap()
        .starts_with("sharding_indexed"));
    let text = ok(&["info", &fixture("v2_gzip_i4.zarr")]);
    assert!(text.contains("zarr v2"), "{text}");
    assert!(text.contains("fill value  -1"), "{text}");
}

#[test]
fn info_errors_name_the_path() {
    let err = fails(&["info", "/no/such/store.zarr"]);
    assert!(
        err.contains("`/no/such/store.zarr`: no such directory"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let err = fails(&["info", dir.path().to_str().unwrap()]);
    assert!(err.contains("not a Zarr array or group"), "{err}");
}

#[test]
fn stats_leave_nans_out_and_count_them() {
    // Fill NaN; only elements 3..6 were written: -7.25, -5.5, -3.75.
    let v = json(&[
        "stats",
        &fixture("v3_nan_f32.zarr"),
        "--json",
        "--no-progress",
    ]);
    assert_eq!(v["count"], 3);
    assert_eq!(v["nan_count"], 6);
    assert_eq!(v["min"], -7.25);
    assert_eq!(v["max"], -3.75);
    assert_eq!(v["mean"], -5.5);
    let std = (2.0 * 1.75f64 * 1.75 / 3.0).sqrt();
    assert!((v["std"].as_f64().unwrap() - std).abs() < 1e-12, "{v}");
}

#[test]
fn stats_along_an_axis_match_ndarray() {
    let path = fixture("v3_default_f64.zarr");
    let x = f64s(&read(&path));
    for (flag, axis) in [("0", 0), ("-1", 1)] {
        let v = json(&["stats", &path, "--axis", flag, "--json", "--no-progress"]);
        let n = x.len_of(Axis(axis));
        assert_eq!(v["shape"], serde_json::json!([x.shape()[1 - axis]]));
        let mean = x.mean_axis(Axis(axis)).unwrap();
        let std = x.std_axis(Axis(axis), 0.0);
        let min = x.map_axis(Axis(axis), |l| l.fold(f64::INFINITY, |a, &b| a.min(b)));
        let max = x.map_axis(Axis(axis), |l| l.fold(f64::NEG_INFINITY, |a, &b| a.max(b)));
        assert_close(&floats(&v["mean"]), mean.as_slice().unwrap());
        assert_close(&floats(&v["std"]), &std.iter().copied().collect::<Vec<_>>());
        assert_close(&floats(&v["min"]), &min.iter().copied().collect::<Vec<_>>());
        assert_close(&floats(&v["max"]), &max.iter().copied().collect::<Vec<_>>());
        #[allow(clippy::cast_precision_loss)]
        let count = vec![n as f64; x.shape()[1 - axis]];
        assert_eq!(floats(&v["count"]), count);
    }
    let text = ok(&["stats", &path, "--axis", "1", "--no-progress"]);
    assert!(text.contains("statistics along axis 1"), "{text}");
    assert!(text.lines().nth(1).unwrap().contains("nan_count"), "{text}");
    assert_eq!(text.lines().count(), 2 + 10, "{text}");
    let err = fails(&["stats", &path, "--axis", "2"]);
    assert!(err.contains("--axis 2 is out of range"), "{err}");
}

#[test]
fn stats_of_integers_with_a_fill_value() {
    let path = fixture("v3_fill_i64.zarr");
    let x = f64s(&read(&path));
    let v = json(&["stats", &path, "--json", "--no-progress"]);
    assert_eq!(v["dtype"], "int64");
    assert_eq!(v["count"], 144);
    assert_eq!(v["nan_count"], 0);
    assert_eq!(v["min"].as_f64(), x.iter().copied().reduce(f64::min));
    assert_eq!(v["max"].as_f64(), x.iter().copied().reduce(f64::max));
    assert!((v["mean"].as_f64().unwrap() - x.mean().unwrap()).abs() < 1e-12);
}

#[test]
fn eval_reads_zarr_inputs() {
    let path = fixture("v2_zlib_be_F.zarr");
    let x = f64s(&read(&path));
    let v = json(&[
        "eval",
        "sum(x, axis=0)",
        "--input",
        &format!("x={path}"),
        "--json",
        "--no-progress",
    ]);
    assert_eq!(v["dtype"], "float64");
    assert_close(
        &floats(&v["values"]),
        x.sum_axis(Axis(0)).as_slice().unwrap(),
    );
}

/// A boolean selection's length is known only once counted: the message gives the shape
/// as written, not the placeholder of the unknown length.
#[test]
fn eval_reports_the_written_shape_of_a_boolean_selection() {
    let (_dir, out) = out_dir();
    let out_s = out.to_str().unwrap();
    let text = ok(&[
        "eval",
        "x[x > 10]",
        "-i",
        "x=arange:40:chunks=7",
        "--output",
        out_s,
        "--no-progress",
    ]);
    assert!(text.contains("of shape [29]"), "{text}");
    assert_eq!(open_array(&out).unwrap().shape(), &[29]);
}

#[test]
fn eval_writes_zarr_with_the_input_attributes() {
    let (_dir, out) = out_dir();
    let out_s = out.to_str().unwrap();
    let input = fixture("group.zarr/temperature");
    let text = ok(&[
        "eval",
        "x * 2 - 1",
        "-i",
        &format!("x={input}"),
        "--output",
        out_s,
        "--chunks",
        "2,2",
        "--codec",
        "gzip:1",
        "--no-progress",
    ]);
    assert!(text.starts_with(&format!("wrote {out_s}")), "{text}");
    let z = open_array(&out).unwrap();
    assert_eq!(z.chunk_shape(), &[2, 2]);
    assert_eq!(z.codecs(), ["bytes", "gzip"]);
    assert_eq!(z.attributes()["units"], "K");
    assert_eq!(z.attributes()["chunkwise_expression"], "x * 2 - 1");
    let want = f64s(&read(&input)).mapv(|v| v * 2.0 - 1.0);
    assert_eq!(f64s(&read(&out)), want);
    // The output exists now: refused without --overwrite, replaced with it.
    let args = [
        "eval",
        "x + 1",
        "-i",
        &format!("x={input}"),
        "--output",
        out_s,
    ];
    let err = fails(&args);
    assert!(err.contains("already exists; pass --overwrite"), "{err}");
    ok(&[&args[..], &["--overwrite", "--no-progress"]].concat());
    let want = f64s(&read(&input)).mapv(|v| v + 1.0);
    assert_eq!(f64s(&read(&out)), want);
    // Writing over an input is refused: --overwrite would delete it before it is read.
    let err = fails(&[
        "eval",
        "x + 1",
        "-i",
        &format!("x={out_s}"),
        "--output",
        out_s,
        "--overwrite",
    ]);
    assert!(err.contains("overlaps the input"), "{err}");
    assert_eq!(f64s(&read(&out)), want);
    // --output and --json do not go together.
    let err = fails(&[&args[..], &["--json"]].concat());
    assert!(err.contains("--json"), "{err}");
}

#[test]
fn rechunk_changes_chunks_and_shards_and_keeps_data_and_attributes() {
    let (_dir, out) = out_dir();
    let out_s = out.to_str().unwrap();
    let input = fixture("group.zarr/temperature");
    let text = ok(&[
        "rechunk",
        &input,
        out_s,
        "--chunks",
        "1,3",
        "--shards",
        "2,3",
        "--no-progress",
    ]);
    assert!(text.contains("wrote"), "{text}");
    let z = open_array(&out).unwrap();
    assert_eq!(z.chunk_shape(), &[1, 3]);
    assert_eq!(z.shard_shape(), Some(&[2, 3][..]));
    assert_eq!(z.attributes()["units"], "K");
    assert_eq!(read(&out), read(&input));
    // Irregular cuts across a 2-D array with edge chunks.
    let input = fixture("v3_default_f64.zarr");
    let (_dir2, out2) = out_dir();
    ok(&[
        "rechunk",
        &input,
        out2.to_str().unwrap(),
        "--chunks",
        "3x7",
        "--no-progress",
    ]);
    assert_eq!(open_array(&out2).unwrap().chunk_shape(), &[3, 7]);
    assert_eq!(read(&out2), read(&input));
}

#[test]
fn rechunk_refuses_bad_requests() {
    let input = fixture("v3_default_f64.zarr");
    let (_dir, out) = out_dir();
    let out_s = out.to_str().unwrap();
    let err = fails(&["rechunk", &input, out_s, "--chunks", "3"]);
    assert!(err.contains("chunk_shape"), "{err}");
    let err = fails(&["rechunk", &input, out_s, "--chunks", "3,0"]);
    assert!(err.contains("not a positive length"), "{err}");
    let err = fails(&[
        "rechunk", &input, out_s, "--chunks", "4,4", "--shards", "6,6",
    ]);
    assert!(err.contains("multiple of the chunk shape"), "{err}");
    let err = fails(&[
        "rechunk",
        &input,
        &format!("{input}/inner"),
        "--chunks",
        "4,4",
    ]);
    assert!(err.contains("overlaps the input"), "{err}");
    let err = fails(&["rechunk", "/no/such.zarr", out_s, "--chunks", "4,4"]);
    assert!(err.contains("/no/such.zarr"), "{err}");
    // Nothing was left behind by the refusals.
    assert!(!out.exists());
}

#[test]
fn convert_v2_to_v3_with_another_codec() {
    let input = fixture("v2_zlib_be_F.zarr");
    let (_dir, out) = out_dir();
    let out_s = out.to_str().unwrap();
    ok(&[
        "convert",
        &input,
        out_s,
        "--codec",
        "blosc:zstd:3",
        "--no-progress",
    ]);
    let z = open_array(&out).unwrap();
    assert_eq!(z.zarr_format(), 3);
    assert_eq!(z.chunk_shape(), &[3, 4], "the input's chunks are kept");
    assert_eq!(z.codecs(), ["bytes", "blosc"]);
    assert_eq!(read(&out), read(&input));
    let err = fails(&["convert", &input, "/tmp/x.zarr", "--zarr-format", "2"]);
    assert!(err.contains("writes Zarr version 3 only"), "{err}");
    let err = fails(&["convert", &input, "/tmp/x.zarr", "--codec", "lzma"]);
    assert!(
        err.contains("unknown codec `lzma`") && err.contains("zstd[:LEVEL"),
        "{err}"
    );
}

#[test]
fn convert_copies_a_whole_group_with_its_attributes() {
    let input = fixture("group.zarr");
    let (_dir, out) = out_dir();
    let out_s = out.to_str().unwrap();
    let text = ok(&["convert", &input, out_s, "--codec", "none", "--no-progress"]);
    assert!(text.contains("(2 arrays)"), "{text}");
    let g = chunkwise::zarr::open_group(&out).unwrap();
    assert_eq!(g.attributes()["title"], "fixture group");
    let tree: Vec<String> = g.tree().unwrap().into_iter().map(|n| n.path).collect();
    assert_eq!(tree, ["/sub", "/sub/counts", "/temperature"]);
    for name in ["temperature", "sub/counts"] {
        let copied = g.open_array(name).unwrap();
        assert_eq!(copied.codecs(), ["bytes"]);
        assert_eq!(
            copied.to_dyn(None).unwrap().compute().unwrap(),
            read(format!("{input}/{name}"))
        );
    }
    assert_eq!(
        g.open_array("temperature").unwrap().attributes()["units"],
        "K"
    );
    let err = fails(&["convert", &input, out_s, "--chunks", "2,2"]);
    assert!(err.contains("apply to one array"), "{err}");
}

#[test]
fn demo_writes_both_stores() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(&[
        "demo",
        "--size",
        "300",
        "--chunk",
        "70",
        "--dir",
        dir.path().to_str().unwrap(),
        "--no-progress",
    ]);
    assert!(text.contains("25 chunks per array"), "{text}");
    let anomaly = f64s(&read(dir.path().join("anomaly.zarr")));
    let x = f64s(&read(dir.path().join("input.zarr")));
    assert_eq!(anomaly.shape(), &[300, 300]);
    let want = (&x - &x.mean_axis(Axis(0)).unwrap()) / x.std_axis(Axis(0), 0.0);
    for (a, b) in anomaly.iter().zip(&want) {
        assert!((a - b).abs() < 1e-9);
    }
    let z = open_array(dir.path().join("anomaly.zarr")).unwrap();
    assert_eq!(z.chunk_shape(), &[70, 70]);
    assert!(z.attributes()["history"].as_str().unwrap().contains("std"));
    // `info` on the directory lists both stores.
    let v = json(&["info", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(v["node"], "directory");
    let names: Vec<&str> = v["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["anomaly.zarr", "input.zarr"]);
    let text = ok(&["info", dir.path().to_str().unwrap()]);
    assert!(text.contains("input.zarr  (Zarr array)"), "{text}");
}

#[test]
fn stats_of_empty_and_zero_dimensional_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.zarr");
    let input = format!("x={}", fixture("v3_default_f64.zarr"));
    let e = empty.to_str().unwrap();
    ok(&[
        "eval",
        "x[:, :0]",
        "-i",
        &input,
        "--output",
        e,
        "--no-progress",
    ]);
    let v = json(&["stats", e, "--json", "--no-progress"]);
    assert_eq!(
        (v["count"].clone(), v["nan_count"].clone()),
        (0.into(), 0.into())
    );
    for name in ["min", "max", "mean", "std"] {
        assert_eq!(v[name], "nan", "{v}");
    }
    // Along the empty axis: one row per index of the other, each with nothing in it.
    let v = json(&["stats", e, "--axis", "1", "--json", "--no-progress"]);
    assert_eq!(floats(&v["count"]), vec![0.0; 10]);
    // Along the other axis: no rows at all.
    let v = json(&["stats", e, "--axis", "0", "--json", "--no-progress"]);
    assert_eq!(v["shape"], serde_json::json!([0]));
    assert_eq!(v["min"], serde_json::json!([]));

    let scalar = dir.path().join("scalar.zarr");
    let s = scalar.to_str().unwrap();
    ok(&[
        "eval",
        "sum(x)",
        "-i",
        &input,
        "--output",
        s,
        "--no-progress",
    ]);
    let total: f64 = f64s(&read(fixture("v3_default_f64.zarr"))).sum();
    let v = json(&["stats", s, "--json", "--no-progress"]);
    assert_eq!(
        (v["count"].clone(), v["min"].as_f64()),
        (1.into(), Some(total))
    );
    let err = fails(&["stats", s, "--axis", "0"]);
    assert!(err.contains("0-dimensional"), "{err}");
}
