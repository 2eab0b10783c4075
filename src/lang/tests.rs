//! Tests of [`super::eval`]: every operator and function against ndarray, slicing
//! against Python's rules, errors with their columns, and random expressions.

use ndarray::{array, s, ArrayD, IxDyn};

use super::{eval as evaluate, Inputs};
use crate::{AnyArray, DType, DynArray};

fn inputs() -> Inputs {
    let x = ndarray::Array::from_shape_fn((6, 5), |(i, j)| (i * 5 + j) as f64 - 10.0).into_dyn();
    let f = ndarray::Array::from_shape_fn(7, |i| i as f32 * 0.5).into_dyn();
    let n = ndarray::Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as i32).into_dyn();
    Inputs::new()
        .with(
            "x",
            crate::from_ndarray(x, vec![vec![4, 2], vec![2, 2, 1]]).to_dyn(),
        )
        .with("f", crate::from_ndarray(f, [3]).to_dyn())
        .with("n", crate::from_ndarray(n, [2, 3]).to_dyn())
}

fn x() -> ArrayD<f64> {
    ndarray::Array::from_shape_fn((6, 5), |(i, j)| (i * 5 + j) as f64 - 10.0).into_dyn()
}

fn n() -> ArrayD<f64> {
    ndarray::Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64).into_dyn()
}

#[track_caller]
fn eval(src: &str) -> DynArray {
    match evaluate(src, &inputs()) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

#[track_caller]
fn run(src: &str) -> AnyArray {
    eval(src).compute().unwrap()
}

#[track_caller]
fn f64s(src: &str) -> ArrayD<f64> {
    run(src).cast(DType::F64).into_typed().unwrap()
}

#[track_caller]
fn scalar(src: &str) -> f64 {
    let a = f64s(src);
    assert_eq!(a.ndim(), 0, "{src} is not 0-d");
    a.sum()
}

#[track_caller]
fn close(a: &ArrayD<f64>, b: &ArrayD<f64>) {
    assert_eq!(a.shape(), b.shape());
    for (p, q) in a.iter().zip(b) {
        assert!(
            (p - q).abs() <= 1e-9 * q.abs().max(1.0) || (p.is_nan() && q.is_nan()),
            "{a} != {b}"
        );
    }
}

#[track_caller]
fn error(src: &str) -> String {
    match evaluate(src, &inputs()) {
        Ok(a) => panic!("{src} evaluated to {a:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn arithmetic_and_precedence() {
    close(&f64s("x + 1"), &x().mapv(|v| v + 1.0));
    close(&f64s("-x**2"), &x().mapv(|v| -(v * v)));
    close(&f64s("2 * x - x / 4"), &x().mapv(|v| 2.0 * v - v / 4.0));
    close(
        &f64s("(x - 1) * (x + 1)"),
        &x().mapv(|v| (v - 1.0) * (v + 1.0)),
    );
    close(
        &f64s("2 ** x[0]"),
        &x().slice(s![0, ..]).mapv(|v| 2f64.powf(v)).into_dyn(),
    );
    close(&f64s("x.T"), &x().t().to_owned());
    close(&f64s("transpose(x) + x.T"), &x().t().mapv(|v| 2.0 * v));
    close(&f64s("transpose(x, axes=(1, 0))"), &x().t().to_owned());
    close(&f64s("transpose(x, (0, -1))"), &x());
    close(&f64s("x.transpose(None)"), &x().t().to_owned());
    assert!(error("transpose(x, axes=(0,))").contains("each of the 2 axes"));
    assert_eq!(scalar("2 ** 3 ** 2"), 512.0);
    assert_eq!(scalar("-2 ** 2"), -4.0);
    assert_eq!(scalar("7 / 2"), 3.5);
    assert_eq!(scalar("1e-3 * 1000"), 1.0);
    assert!(scalar("nan + 1").is_nan());
    assert_eq!(scalar("-inf"), f64::NEG_INFINITY);
}

#[test]
fn literals_are_weak() {
    assert_eq!(eval("f * 2").dtype(), DType::F32);
    assert_eq!(eval("f + 0.5").dtype(), DType::F32);
    assert_eq!(eval("n + 1").dtype(), DType::I32);
    assert_eq!(eval("n * 0.5").dtype(), DType::F64);
    assert_eq!(eval("n / 2").dtype(), DType::F64);
    assert_eq!(eval("n[0] + f[:4]").dtype(), DType::F64);
    assert_eq!(eval("2 * 3").dtype(), DType::I64);
    assert_eq!(eval("f * (2 * 3)").dtype(), DType::F32);
    assert_eq!(eval("1 < 2").dtype(), DType::Bool);
    close(&f64s("n / 1"), &n());
}

#[test]
fn comparisons_and_logic() {
    let got: ArrayD<bool> = run("(x > 0) & (x < 8)").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| v > 0.0 && v < 8.0));
    let got: ArrayD<bool> = run("~(x >= 0) | (x == 3)").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| v < 0.0 || v == 3.0));
    let got: ArrayD<bool> = run("x != 2").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| v != 2.0));
    let got: ArrayD<bool> = run("x <= -1").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| v <= -1.0));
    assert_eq!(scalar("(1 < 2) & ~False"), 1.0);
}

type Reference = fn(f64) -> f64;

#[test]
fn every_elementwise_function() {
    let p = "(x + 11) / 40"; // in (0, 1)
    let base = x().mapv(|v| (v + 11.0) / 40.0);
    let table: &[(&str, Reference)] = &[
        ("negative", |v| -v),
        ("abs", f64::abs),
        ("absolute", f64::abs),
        ("sqrt", f64::sqrt),
        ("exp", f64::exp),
        ("log", f64::ln),
        ("log10", f64::log10),
        ("sin", f64::sin),
        ("cos", f64::cos),
        ("tan", f64::tan),
        ("arcsin", f64::asin),
        ("arccos", f64::acos),
        ("arctan", f64::atan),
        ("sinh", f64::sinh),
        ("cosh", f64::cosh),
        ("tanh", f64::tanh),
        ("floor", |v| (v * 10.0).floor()),
        ("ceil", |v| (v * 10.0).ceil()),
        ("round", |v| (v * 10.0).round_ties_even()),
    ];
    for (name, f) in table {
        let arg = if matches!(*name, "floor" | "ceil" | "round") {
            format!("{p} * 10")
        } else {
            p.to_string()
        };
        close(&f64s(&format!("{name}({arg})")), &base.mapv(f));
    }
    let got: ArrayD<bool> = run("isnan(x / 0 * 0)").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| (v / 0.0 * 0.0).is_nan()));
    let got: ArrayD<bool> = run("isfinite(1 / x)").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| (1.0 / v).is_finite()));
    let got: ArrayD<bool> = run("logical_not(x > 0)").into_typed().unwrap();
    assert_eq!(got, x().mapv(|v| v <= 0.0));
    close(&f64s("minimum(x, 0)"), &x().mapv(|v| v.min(0.0)));
    close(&f64s("maximum(x, n[0, 0])"), &x().mapv(|v| v.max(0.0)));
    close(&f64s("power(x, 2)"), &x().mapv(|v| v * v));
    close(&f64s("add(x, 1)"), &x().mapv(|v| v + 1.0));
    close(&f64s("subtract(1, x)"), &x().mapv(|v| 1.0 - v));
    close(&f64s("multiply(x, x)"), &x().mapv(|v| v * v));
    close(&f64s("divide(x, 2)"), &x().mapv(|v| v / 2.0));
    close(&f64s("where(x > 0, x, 0)"), &x().mapv(|v| v.max(0.0)));
    close(
        &f64s("where(x > 0, 1, -1)"),
        &x().mapv(|v| if v > 0.0 { 1.0 } else { -1.0 }),
    );
    for (name, f) in [
        ("equal", f64::eq as fn(&f64, &f64) -> bool),
        ("not_equal", f64::ne),
        ("less", f64::lt),
        ("less_equal", f64::le),
        ("greater", f64::gt),
        ("greater_equal", f64::ge),
    ] {
        let got: ArrayD<bool> = run(&format!("{name}(x, 3)")).into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| f(&v, &3.0)), "{name}");
    }
    let got: ArrayD<bool> = run("logical_or(x > 3, logical_and(x < 0, x > -3))")
        .into_typed()
        .unwrap();
    assert_eq!(got, x().mapv(|v| v > 3.0 || (v < 0.0 && v > -3.0)));
}

#[test]
fn reductions_with_keywords() {
    let a = x();
    let mean0 = a.mean_axis(ndarray::Axis(0)).unwrap();
    close(&f64s("mean(x, axis=0)"), &mean0);
    close(&f64s("x.mean(axis=0)"), &mean0);
    close(&f64s("mean(x, 0)"), &mean0);
    close(&f64s("sum(x, axis=-1)"), &a.sum_axis(ndarray::Axis(1)));
    assert_eq!(scalar("sum(x)"), a.sum());
    assert_eq!(scalar("x.sum()"), a.sum());
    assert_eq!(scalar("sum(x, axis=None)"), a.sum());
    assert_eq!(scalar("sum(x, axis=(0, 1))"), a.sum());
    assert_eq!(eval("sum(x, axis=())").shape(), &[6, 5]);
    let std1 = scalar("std(x, axis=(0, 1), ddof=1)");
    assert!((std1 - a.std(1.0)).abs() < 1e-12);
    assert!((scalar("var(x)") - a.var(0.0)).abs() < 1e-12);
    assert!((scalar("x.var(ddof=1)") - a.var(1.0)).abs() < 1e-12);
    let m = eval("max(x, axis=-1, keepdims=True)");
    assert_eq!(m.shape(), &[6, 1]);
    close(
        &f64s("max(x, axis=-1, keepdims=True)"),
        &array![[-6.0], [-1.0], [4.0], [9.0], [14.0], [19.0]].into_dyn(),
    );
    assert_eq!(scalar("min(x)"), -10.0);
    assert_eq!(scalar("prod(n[0, 1:])"), 6.0);
    assert_eq!(scalar("argmax(x)"), 29.0);
    assert_eq!(scalar("argmin(x)"), 0.0);
    close(
        &f64s("argmax(n, axis=0)"),
        &array![2.0, 2.0, 2.0, 2.0].into_dyn(),
    );
    assert_eq!(scalar("any(x > 18)"), 1.0);
    assert_eq!(scalar("all(x > -11)"), 1.0);
    assert_eq!(scalar("all(x > -10)"), 0.0);
    assert_eq!(
        scalar("nansum(where(x > 0, x, nan))"),
        (1..=19).sum::<i32>() as f64
    );
    assert_eq!(scalar("nanmean(where(x > 0, x, nan))"), 10.0);
    assert_eq!(scalar("nanmin(where(x > 0, x, nan))"), 1.0);
    assert_eq!(scalar("nanmax(where(x < 0, x, nan))"), -1.0);
    assert_eq!(eval("mean(n)").dtype(), DType::F64);
    assert_eq!(eval("sum(n)").dtype(), DType::I64);
    assert_eq!(eval("mean(f)").dtype(), DType::F32);
}

#[test]
fn slicing_follows_numpy() {
    let a = x();
    close(
        &f64s("x[::2, 1:-1]"),
        &a.slice(s![..;2, 1..4]).to_owned().into_dyn(),
    );
    close(&f64s("x[0]"), &a.slice(s![0, ..]).to_owned().into_dyn());
    close(&f64s("x[-1, -2]"), &ArrayD::from_elem(IxDyn(&[]), 18.0));
    close(
        &f64s("x[..., 1]"),
        &a.slice(s![.., 1]).to_owned().into_dyn(),
    );
    close(
        &f64s("x[1, ...]"),
        &a.slice(s![1, ..]).to_owned().into_dyn(),
    );
    close(
        &f64s("x[::-1]"),
        &a.slice(s![..;-1, ..]).to_owned().into_dyn(),
    );
    // Python: x[4:1:-2] on 6 rows -> rows 4, 2.
    close(
        &f64s("x[4:1:-2]"),
        &a.slice(s![2..5;-2, ..]).to_owned().into_dyn(),
    );
    // Out-of-range bounds clamp, as in NumPy.
    close(
        &f64s("x[-100:100, 3:100]"),
        &a.slice(s![.., 3..]).to_owned().into_dyn(),
    );
    assert_eq!(eval("x[5:2]").shape(), &[0, 5]);
    assert_eq!(eval("x[None]").shape(), &[1, 6, 5]);
    assert_eq!(eval("x[:, None, 0]").shape(), &[6, 1]);
    assert_eq!(eval("x[1:2:None]").shape(), &[1, 5]);
    // Extreme bounds and steps clamp without overflowing.
    assert_eq!(eval("x[::9223372036854775807]").shape(), &[1, 5]);
    assert_eq!(eval("x[::-9223372036854775807]").shape(), &[1, 5]);
    assert_eq!(
        eval("x[-9223372036854775807:9223372036854775807]").shape(),
        &[6, 5]
    );
    assert_eq!(eval("x[9223372036854775807::-1]").shape(), &[6, 5]);
    // A reference check of the translation against Python's rules on every bound.
    let v: Vec<i64> = (0..7).collect();
    for start in [None, Some(-9), Some(-3), Some(0), Some(2), Some(6), Some(9)] {
        for stop in [
            None,
            Some(-9),
            Some(-2),
            Some(0),
            Some(3),
            Some(7),
            Some(10),
        ] {
            for step in [-3, -1, 1, 2] {
                let want = python_reference(&v, start, stop, step);
                let src = format!(
                    "x7[{}:{}:{step}]",
                    start.map(|s| s.to_string()).unwrap_or_default(),
                    stop.map(|s| s.to_string()).unwrap_or_default()
                );
                let inputs = Inputs::new().with("x7", crate::arange(0i64, 7, 1, [3]).to_dyn());
                let got: ArrayD<i64> = evaluate(&src, &inputs)
                    .unwrap()
                    .compute()
                    .unwrap()
                    .into_typed()
                    .unwrap();
                assert_eq!(got.iter().copied().collect::<Vec<_>>(), want, "{src}");
            }
        }
    }
}

/// Python's slice semantics, element by element.
fn python_reference(v: &[i64], start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<i64> {
    let n = v.len() as i64;
    let norm = |x: i64, lo: i64, hi: i64| if x < 0 { (x + n).max(lo) } else { x.min(hi) };
    let mut out = Vec::new();
    if step > 0 {
        let mut i = start.map_or(0, |s| norm(s, 0, n));
        let e = stop.map_or(n, |s| norm(s, 0, n));
        while i < e {
            out.push(v[i as usize]);
            i += step;
        }
    } else {
        let mut i = start.map_or(n - 1, |s| norm(s, -1, n - 1));
        let e = stop.map_or(-1, |s| norm(s, -1, n - 1));
        while i > e {
            out.push(v[i as usize]);
            i += step;
        }
    }
    out
}

/// A random arithmetic expression over `x` (shape [6, 5]) and `y` (shape [5], the last
/// row of `x` plus 0.5), with its reference value per element.
#[derive(Clone, Debug)]
enum Tree {
    X,
    Y,
    Int(i64),
    Float(f64),
    Neg(Box<Tree>),
    Abs(Box<Tree>),
    Bin(&'static str, Box<Tree>, Box<Tree>),
}

impl Tree {
    fn text(&self) -> String {
        match self {
            Tree::X => "x".into(),
            Tree::Y => "(x[-1] + 0.5)".into(),
            Tree::Int(v) => v.to_string(),
            Tree::Float(v) => format!("{v:?}"),
            Tree::Neg(t) => format!("-({})", t.text()),
            Tree::Abs(t) => format!("abs({})", t.text()),
            Tree::Bin(f @ ("minimum" | "maximum"), a, b) => {
                format!("{f}({}, {})", a.text(), b.text())
            }
            Tree::Bin(op, a, b) => format!("({} {op} {})", a.text(), b.text()),
        }
    }

    fn value(&self, x: f64, y: f64) -> f64 {
        match self {
            Tree::X => x,
            Tree::Y => y,
            Tree::Int(v) => *v as f64,
            Tree::Float(v) => *v,
            Tree::Neg(t) => -t.value(x, y),
            Tree::Abs(t) => t.value(x, y).abs(),
            Tree::Bin(op, a, b) => {
                let (p, q) = (a.value(x, y), b.value(x, y));
                match *op {
                    "+" => p + q,
                    "-" => p - q,
                    "*" => p * q,
                    "/" => p / q,
                    "minimum" => {
                        if p.is_nan() || q.is_nan() {
                            f64::NAN
                        } else {
                            p.min(q)
                        }
                    }
                    _ => {
                        if p.is_nan() || q.is_nan() {
                            f64::NAN
                        } else {
                            p.max(q)
                        }
                    }
                }
            }
        }
    }
}

fn tree() -> impl proptest::strategy::Strategy<Value = Tree> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Tree::X),
        Just(Tree::Y),
        (-3i64..4).prop_map(Tree::Int),
        (-8i32..8).prop_map(|v| Tree::Float(f64::from(v) / 4.0)),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|t| Tree::Neg(Box::new(t))),
            inner.clone().prop_map(|t| Tree::Abs(Box::new(t))),
            (
                prop_oneof![
                    Just("+"),
                    Just("-"),
                    Just("*"),
                    Just("/"),
                    Just("minimum"),
                    Just("maximum")
                ],
                inner.clone(),
                inner
            )
                .prop_map(|(op, a, b)| Tree::Bin(op, Box::new(a), Box::new(b))),
        ]
    })
}

proptest::proptest! {
    // Failing cases are printed; don't write regression files into the repository.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]
    #[test]
    fn random_expressions_match_the_reference(t in tree()) {
        let src = t.text();
        let got = f64s(&src);
        let a = x();
        let last = a.slice(s![-1, ..]).mapv(|v| v + 0.5);
        let shape = got.shape().to_vec();
        // The result broadcasts to [6, 5], or is smaller when `x` does not appear.
        let full = ndarray::Array::from_shape_fn((6, 5), |(i, j)| t.value(a[[i, j]], last[j]));
        let want = full.into_dyn();
        let want = match shape.len() {
            2 => want,
            1 => want.slice(s![0, ..]).to_owned().into_dyn(),
            _ => want.slice(s![0, 0]).to_owned().into_dyn(),
        };
        for (p, q) in got.iter().zip(want.iter()) {
            proptest::prop_assert!(
                p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()) || (p - q).abs() <= 1e-12 * q.abs().max(1.0),
                "{} gives {} but the reference is {}", src, p, q
            );
        }
    }
}

#[test]
fn astype_and_constants() {
    assert_eq!(eval("astype(x, \"float32\")").dtype(), DType::F32);
    assert_eq!(eval("x.astype('int16')").dtype(), DType::I16);
    assert_eq!(eval("astype(x, dtype=\"uint8\")").dtype(), DType::U8);
    assert_eq!(eval("astype(x > 0, int32)").dtype(), DType::I32);
    close(
        &f64s("astype(x / 4, \"int64\")"),
        &x().mapv(|v| (v / 4.0).trunc()),
    );
    assert!((scalar("pi") - std::f64::consts::PI).abs() < 1e-15);
    assert_eq!(scalar("True"), 1.0);
}

#[test]
fn name_and_call_errors_point_at_columns() {
    assert_eq!(
        error("meen(x, axis=0)"),
        "error: unknown function `meen` at column 1 (did you mean `mean`?)\n  meen(x, axis=0)\n  ^^^^"
    );
    let e = error("x + y");
    assert!(e.starts_with("error: unknown name `y` at column 5"), "{e}");
    assert!(e.ends_with("\n  x + y\n      ^"), "{e}");
    assert!(error("nam + 1").contains("did you mean `nan`?"));
    assert!(error("zzzzz").contains("inputs are: f, n, x"));
    assert!(error("sqrt").contains("is a function"));
    assert!(error("x(1)").contains("is an input, not a function"));
    let e = error("mean(x, axes=0)");
    assert!(
        e.contains("no keyword argument `axes` at column 9 (did you mean `axis`?)"),
        "{e}"
    );
    assert!(error("sqrt(x, 2)").contains("`sqrt` takes 1 argument but 2 were given"));
    assert!(error("x.sum(0, 1)").contains("`.sum` takes 0 to 1 arguments but 2 were given"));
    let e = error("sqrt()");
    assert!(
        e.contains("`sqrt` is missing required argument `x` at column 1 (it is `sqrt(x)`)"),
        "{e}"
    );
    assert!(error("where(x > 0, x)").contains("missing required argument `y`"));
    assert!(error("where(x > 0, x, x, x)").contains("takes 3 arguments but 4 were given"));
    assert!(error("mean(x, ddof=1)").contains("no keyword argument `ddof`"));
    assert!(error("x.sqrt()").contains("call it as a function"));
    assert!(error("x.shape").contains("unknown attribute `shape`"));
    assert!(error("astype(x, \"float23\")").contains("did you mean \"float32\"?"));
    let e = error("astype(x)");
    assert!(e.contains("missing required argument `dtype`"), "{e}");
    assert!(e.contains("it is `astype(x, dtype)`"), "{e}");
    assert!(error("x.astype()").contains("it is `x.astype(dtype)`"));
    assert!(error("None + x").contains("`None` is only valid"));
    assert!(error("'a' + x").contains("string is only valid"));
    assert!(error("(1, 2) + x").contains("tuple is only valid"));
}

#[test]
fn value_errors_point_at_columns() {
    let e = error("mean(x, axis=2)");
    assert!(e.starts_with("error: axis 2 is out of range for an array with 2 axes at column 14 (valid axes are -2..2)"), "{e}");
    assert!(e.ends_with("\n  mean(x, axis=2)\n               ^"), "{e}");
    assert!(error("sum(x, axis=(0, -2))").contains("axis 0 is given more than once"));
    assert!(error("sum(x, axis=1.5)").contains("an axis must be an integer, found the float 1.5"));
    let e = error("sum(x, 0, axis=0)");
    assert!(
        e.contains("`sum` got multiple values for argument `axis` (by position and as `axis=`) at column 11"),
        "{e}"
    );
    assert!(error("std(x, ddof=-1)").contains("`ddof` must not be negative"));
    assert!(error("max(x, keepdims=1)").contains("`keepdims` must be True or False"));
    let e = error("x[6]");
    assert!(
        e.contains(
            "index 6 is out of range for axis 0 of length 6 at column 3 (valid indices are -6..6)"
        ),
        "{e}"
    );
    assert!(error("x[0, 0, 0]").contains("too many indices"));
    assert!(error("x[::0]").contains("step cannot be zero"));
    assert!(error("x[..., ...]").contains("only one `...`"));
    assert!(error("x[0.5]").contains("an index must be an integer"));
}

#[test]
fn type_and_shape_errors_from_the_library_have_the_span() {
    let e = error("1 + (x + n)");
    assert!(
        e.contains("cannot broadcast shape [6, 5] with [3, 4]"),
        "{e}"
    );
    assert!(e.ends_with("\n  1 + (x + n)\n      ^^^^^^^"), "{e}");
    let e = error("x > 0 & x");
    assert!(e.contains("`&` needs bool operands"), "{e}");
    assert!(e.contains("bind tighter than comparisons"), "{e}");
    let e = error("(x > 0) + (x > 0)");
    assert!(
        e.contains("not defined for dtype bool") || e.contains("is not defined for bool"),
        "{e}"
    );
    assert!(error("-(x > 0)").contains("bool"));
    assert!(error("~x").contains("bool"));
    assert!(error("~1").contains("needs a bool"));
    assert!(error("n + 3000000000").contains("fits the array's dtype int32"));
    assert!(error("n ** -1").contains("non-negative exponent"));
    assert!(error("9223372036854775807 + 1").contains("integer overflow"));
    assert!(error("argmin(zeros3, axis=(0, 1))").contains("unknown name"));
    assert!(error("min(x[5:2])").contains("zero elements"));
}
