//! `chunkwise eval` end to end: the built binary on generator inputs, its JSON output
//! checked against values computed here, and its error reports with the column caret.

use std::process::{Command, Output};

use serde_json::Value;

fn eval(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .arg("eval")
        .args(args)
        .arg("--no-progress")
        .output()
        .expect("the chunkwise binary runs")
}

#[track_caller]
fn json(args: &[&str]) -> Value {
    let out = eval(args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    assert_eq!(stdout.lines().count(), 1, "one JSON line: {stdout}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[track_caller]
fn failure(args: &[&str]) -> String {
    let out = eval(args);
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail");
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

/// A JSON list of numbers (also used by `cli_zarr`).
pub(crate) fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn arange_slices_and_transposes() {
    // x[i, j] = 200 i + j; x.T[::100, -1] picks j = 0, 100 of row 299.
    let v = json(&[
        "x.T[::100, -1] * 2",
        "--input",
        "x=arange:300x200:chunks=64x64",
        "--json",
    ]);
    assert_eq!(v["shape"], serde_json::json!([2]));
    assert_eq!(v["dtype"], "int64");
    assert_eq!(v["values"], serde_json::json!([119_600, 119_800]));
}

#[test]
fn nested_values_with_keepdims_and_mixed_dtypes() {
    let v = json(&[
        "max(x, axis=-1, keepdims=True) + y",
        "-i",
        "x=arange:3x4:chunks=2x3",
        "-i",
        "y=ones:1:f32",
        "--json",
    ]);
    // int64 + float32 promotes to float64, as in NumPy.
    assert_eq!(v["dtype"], "float64");
    assert_eq!(v["shape"], serde_json::json!([3, 1]));
    assert_eq!(v["values"], serde_json::json!([[4.0], [8.0], [12.0]]));
}

#[test]
fn reductions_of_random_inputs_match_their_definition() {
    let args = |e: &'static str| {
        [
            e,
            "--input",
            "x=random:200x300:chunks=64x100:seed=5",
            "--json",
            "--threads",
            "2",
        ]
    };
    let mean0 = json(&args("mean(x, axis=0)"));
    let sum0 = json(&args("x.sum(axis=0)"));
    assert_eq!(mean0["shape"], serde_json::json!([300]));
    for (m, s) in floats(&mean0["values"]).iter().zip(floats(&sum0["values"])) {
        assert!((m - s / 200.0).abs() < 1e-12, "{m} vs {s}");
        assert!((0.0..1.0).contains(m));
    }
    let total = json(&args("mean(x)"))["values"].as_f64().unwrap();
    let mean_of_means = floats(&mean0["values"]).iter().sum::<f64>() / 300.0;
    assert!((total - mean_of_means).abs() < 1e-12);
    assert!((total - 0.5).abs() < 0.01);
    // The same seed with other chunks gives the same numbers.
    let other = json(&[
        "mean(x)",
        "--input",
        "x=random:200x300:chunks=200x7:seed=5",
        "--json",
    ]);
    assert!((other["values"].as_f64().unwrap() - total).abs() < 1e-12);
    let var = json(&args("std(x, axis=(0, 1), ddof=1) ** 2 - var(x, ddof=1)"));
    assert!(var["values"].as_f64().unwrap().abs() < 1e-12);
    let count = json(&args("sum(where(x > 0.5, 1, 0))"));
    let c = count["values"].as_i64().unwrap();
    assert!((29_000..31_000).contains(&c), "{c}");
}

#[test]
fn non_finite_values_are_strings() {
    let v = json(&["log(x - 1)", "-i", "x=arange:3", "--json"]);
    let values = v["values"].as_array().unwrap();
    assert_eq!(values[0], "nan");
    assert_eq!(values[1], "-inf");
    assert_eq!(values[2].as_f64(), Some(0.0));
    let v = json(&["1 / x[0]", "-i", "x=zeros:2", "--json"]);
    assert_eq!(v["values"], "inf");
    assert_eq!(v["shape"], serde_json::json!([]));
}

#[test]
fn text_output_without_json() {
    let out = eval(&["x * 2", "-i", "x=arange:3:int16"]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout, "int16 array of shape [3]\n[0, 2, 4]\n");
}

#[test]
fn unknown_function_error_has_a_caret() {
    let err = failure(&["meen(x, axis=0)", "-i", "x=arange:10"]);
    assert_eq!(
        err,
        "error: unknown function `meen` at column 1 (did you mean `mean`?)\n  meen(x, axis=0)\n  ^^^^\n"
    );
}

#[test]
fn syntax_and_shape_errors_point_at_their_columns() {
    let err = failure(&["x + ", "-i", "x=arange:10"]);
    assert!(
        err.starts_with("error: unexpected end of expression at column 5"),
        "{err}"
    );
    assert!(err.ends_with("  x + \n      ^\n"), "{err}");
    let err = failure(&["sum(x) + (x + y)", "-i", "x=ones:3x4", "-i", "y=ones:5"]);
    assert!(
        err.contains("at column 10: cannot broadcast shape [3, 4] with [5]"),
        "{err}"
    );
    assert!(
        err.ends_with("  sum(x) + (x + y)\n           ^^^^^^^\n"),
        "{err}"
    );
    let err = failure(&["mean(x, axis=2)", "-i", "x=ones:3x4"]);
    assert!(
        err.contains("axis 2 is out of range for an array with 2 axes at column 14"),
        "{err}"
    );
}

#[test]
fn input_and_size_errors_are_clear() {
    let err = failure(&["x", "-i", "x=random:2000x1000"]);
    assert!(err.contains("2000000 elements"), "{err}");
    assert!(err.contains("--max-elements"), "{err}");
    let ok = json(&["x", "-i", "x=ones:5", "--max-elements", "5", "--json"]);
    assert_eq!(ok["values"], serde_json::json!([1.0, 1.0, 1.0, 1.0, 1.0]));
    let err = failure(&["x", "-i", "x=ones:5", "--max-elements", "4"]);
    assert!(err.contains("more than --max-elements 4"), "{err}");
    let err = failure(&["x", "-i", "x=data/a.zarr"]);
    assert!(
        err.contains("input `x`") && err.contains("`data/a.zarr`: no such directory"),
        "{err}"
    );
    let err = failure(&["x", "-i", "x"]);
    assert!(err.contains("NAME=SPEC"), "{err}");
    let err = failure(&["x", "-i", "x=ones:3", "-i", "x=ones:4"]);
    assert!(err.contains("given twice"), "{err}");
    let err = failure(&["x", "-i", "x=ones:3:chunks=2x2"]);
    assert!(err.contains("axes"), "{err}");
    let ok = json(&[
        "sum(x)",
        "-i",
        "x=ones:1000x100:chunks=100x100",
        "--memory-limit",
        "1MiB",
        "--threads",
        "1",
        "--json",
    ]);
    assert_eq!(ok["values"].as_f64(), Some(100_000.0));
    let err = failure(&["x", "-i", "x=ones:3", "--memory-limit", "lots"]);
    assert!(err.contains("--memory-limit"), "{err}");
    let err = failure(&["y", "-i", "x=ones:3"]);
    assert!(
        err.contains("unknown name `y`") && err.contains("inputs are: x"),
        "{err}"
    );
}

#[test]
fn help_teaches_the_language_with_examples() {
    let out = Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .args(["eval", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "EXAMPLES:",
        "random:SHAPE",
        "chunks=250x250",
        "keepdims=True",
        "--json",
        "\"nan\"",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    // The functions are listed from the registry, each with its signature and doc line.
    for f in chunkwise::lang::functions() {
        assert!(
            help.contains(&f.signature()),
            "--help lacks {}:\n{help}",
            f.signature()
        );
        assert!(
            help.contains(f.doc()),
            "--help lacks the doc of {}",
            f.name()
        );
    }
    assert!(help.contains("Also: abs."), "{help}");
    assert!(
        help.contains("Also a method: a.transpose(*axes)."),
        "{help}"
    );
}

/// An expression that starts with a minus sign is the expression, not an unknown flag,
/// wherever it stands among the flags.
#[test]
fn an_expression_may_start_with_a_minus_sign() {
    let v = json(&["-x", "-i", "x=arange:3", "--json"]);
    assert_eq!(v["values"], serde_json::json!([0, -1, -2]));
    let v = json(&["--json", "-2 * x // 3", "-i", "x=arange:4"]);
    assert_eq!(v["values"], serde_json::json!([0, -1, -2, -2]));
    let v = json(&["-i", "x=arange:3", "-x.sum()", "--json"]);
    assert_eq!(v["values"], serde_json::json!(-3));
}

#[test]
fn floor_division_remainder_lists_and_binding_errors() {
    let v = json(&["x % 3 - x // 3", "-i", "x=arange:5:chunks=2", "--json"]);
    assert_eq!(v["values"], serde_json::json!([0, 1, 2, -1, 0]));
    let v = json(&["sum(x, axis=[0, 1])", "-i", "x=ones:3x4", "--json"]);
    assert_eq!(v["values"].as_f64(), Some(12.0));
    let err = failure(&["where(x > 0, x)", "-i", "x=ones:3"]);
    assert_eq!(
        err,
        "error: `where` is missing required argument `y` at column 1 (it is `where(condition, x, \
         y)`)\n  where(x > 0, x)\n  ^^^^^^^^^^^^^^^\n"
    );
}

#[test]
fn explain_prints_the_fused_plan_without_computing() {
    let out = eval(&[
        "sum((x + 1) * 2 - sin(x))",
        "--input",
        "x=random:1000x1000:chunks=100x100",
        "--explain",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("plan: 3 layers, 110 tasks"), "{text}");
    assert!(
        text.contains("fused [random.uniform → add → multiply → sin → subtract]"),
        "{text}"
    );
    // A budget no task fits: the plan says it would be refused.
    let out = eval(&[
        "sum(x)",
        "-i",
        "x=random:1000x1000:chunks=500x500",
        "--explain",
        "--memory-limit",
        "1KiB",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("refused: `sum"), "{text}");
}

/// True when Graphviz's `dot` runs here (the SVG checks are skipped when not).
fn graphviz() -> bool {
    Command::new("dot").arg("-V").output().is_ok()
}

/// `dot -Tsvg` of `graph`, checked to be an SVG drawing.
#[track_caller]
fn draw(graph: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(graph.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "dot refused the graph: {stderr}\n{graph}"
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    svg
}

/// The three layers of the fused plan of `sum((x + 1) * 2 - sin(x))`, and its flags.
const PLAN: [&str; 4] = [
    "sum((x + 1) * 2 - sin(x))",
    "--input",
    "x=random:1000x1000:chunks=100x100",
    "--explain",
];

#[test]
fn explain_as_dot_is_a_graph_with_a_box_per_layer() {
    let out = eval(&[&PLAN[..], &["--format", "dot"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let graph = String::from_utf8(out.stdout).unwrap();
    assert!(graph.starts_with("digraph chunkwise {\n"), "{graph}");
    assert_eq!(graph.lines().last(), Some("}"), "{graph}");
    let lines: Vec<&str> = graph.lines().map(str::trim).collect();
    let boxes = lines
        .iter()
        .filter(|l| l.starts_with('L') && !l.contains(" -> "));
    let edges = lines
        .iter()
        .filter(|l| l.starts_with('L') && l.contains(" -> "));
    assert_eq!(boxes.count(), 3, "{graph}");
    assert_eq!(edges.count(), 2, "{graph}");
    assert!(graph.contains("plan: 3 layers, 110 tasks"), "{graph}");
    assert!(
        graph.contains("fused [random.uniform → add → multiply → sin → subtract]"),
        "{graph}"
    );
    assert!(graph.contains("peripheries=2"), "{graph}");
    if graphviz() {
        draw(&graph);
    }
    // A plan the budget refuses says so in a note.
    let out = eval(&[
        "sum(x)",
        "-i",
        "x=random:1000x1000:chunks=500x500",
        "--explain",
        "--format",
        "dot",
        "--memory-limit",
        "1KiB",
    ]);
    let graph = String::from_utf8(out.stdout).unwrap();
    assert!(graph.contains("label=\"refused: `sum"), "{graph}");
    if graphviz() {
        draw(&graph);
    }
    // The default format is the text tree; --format needs --explain.
    let text = String::from_utf8(eval(&PLAN).stdout).unwrap();
    let same = String::from_utf8(eval(&[&PLAN[..], &["--format", "text"]].concat()).stdout);
    assert!(text.starts_with("plan: 3 layers"), "{text}");
    assert_eq!(same.unwrap(), text);
    let out = eval(&[PLAN[0], PLAN[1], PLAN[2], "--format", "dot"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--explain"));
}

#[test]
fn explain_as_svg_is_drawn_by_graphviz() {
    if !graphviz() {
        eprintln!("skipped: Graphviz's `dot` is not on PATH");
        return;
    }
    let out = eval(&[&PLAN[..], &["--format", "svg"]].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    assert!(svg.contains("random.uniform"), "{svg}");
}

#[test]
fn explain_as_svg_without_graphviz_says_how_to_get_it() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .arg("eval")
        .args(PLAN)
        .args(["--format", "svg", "--no-progress"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "chunkwise: --format svg needs Graphviz's `dot` on PATH (apt install graphviz, brew \
         install graphviz); --format dot prints the graph for rendering elsewhere\n"
    );
}

/// A `dot` that fails: its standard error is in the error chunkwise reports.
#[cfg(unix)]
#[test]
fn explain_as_svg_reports_what_a_failing_dot_says() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("dot");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'Error: out of crayons' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .arg("eval")
        .args(PLAN)
        .args(["--format", "svg", "--no-progress"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("chunkwise: Graphviz's `dot -Tsvg` failed (exit status: 3): "),
        "{stderr}"
    );
    assert!(stderr.ends_with("Error: out of crayons\n"), "{stderr}");
}

/// Issue 10.3: `2 ** -x` on an int64 input printed `[1, 0, 0, 0]`; NumPy refuses integers
/// to negative integer powers, and so does `chunkwise eval`, naming `power`, with the
/// cause stated once.
#[test]
fn integer_to_a_negative_power_is_an_error() {
    let e = failure(&["2 ** -x", "-i", "x=arange:4:chunks=2", "--json"]);
    assert!(e.contains("negative integer powers are not allowed"), "{e}");
    assert!(e.contains("`power`"), "{e}");
    assert_eq!(e.matches("negative integer powers").count(), 1, "{e}");
    let e = failure(&["x ** -1", "-i", "x=arange:4:chunks=2", "--json"]);
    assert!(e.contains("negative integer powers are not allowed"), "{e}");
    let v = json(&["2 ** x", "-i", "x=arange:4:chunks=2", "--json"]);
    assert_eq!(v["values"], serde_json::json!([1, 2, 4, 8]));
}
