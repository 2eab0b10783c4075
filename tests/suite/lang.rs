//! `chunkwise::lang` from Rust: every function of the vocabulary evaluated by name and
//! alias against the `DynArray` method, a table of expressions covering every kind of
//! registry entry against eager ndarray, argument binding errors with their carets,
//! lists and tuples, `//` and `%`, an expression starting with a minus sign, and input
//! specs.

use chunkwise::lang::{self, Input, InputError, Inputs};
use chunkwise::{
    AnyArray, BinaryFn, BinaryRule, DType, DynArray, ReduceFn, ReduceParam, UnaryFn, UnaryRule,
};
use ndarray::{array, s, ArrayD, Axis, IxDyn};

use crate::common::{assert_close, assert_same_or_nan, RTOL};

/// `x`: 4 x 6 floats in (0, 1) (every real function is defined or NaN the same way);
/// `y`: 6 positive floats; `n`: 4 x 6 integers from -11 to 12; `b`: a bool mask.
fn x() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as f64 / 25.0 + 0.02)
}

fn y() -> ArrayD<f64> {
    array![0.5, 1.5, 2.0, 0.25, 3.0, 1.0].into_dyn()
}

fn n() -> ArrayD<i64> {
    ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as i64 - 11)
}

fn b() -> ArrayD<bool> {
    x().mapv(|v| v > 0.5)
}

fn inputs() -> Inputs {
    Inputs::new()
        .with("x", chunkwise::from_ndarray(x(), [3, 4]).to_dyn())
        .with("y", chunkwise::from_ndarray(y(), [4]).to_dyn())
        .with("n", chunkwise::from_ndarray(n(), [2, 5]).to_dyn())
        .with("b", chunkwise::from_ndarray(b(), [3, 3]).to_dyn())
}

fn input(name: &str) -> DynArray {
    inputs().get(name).unwrap().clone()
}

#[track_caller]
fn eval(src: &str) -> DynArray {
    lang::eval(src, &inputs()).unwrap_or_else(|e| panic!("{e}"))
}

#[track_caller]
fn f64s(src: &str) -> ArrayD<f64> {
    values(&eval(src))
}

#[track_caller]
fn values(a: &DynArray) -> ArrayD<f64> {
    a.compute().unwrap().cast(DType::F64).into_typed().unwrap()
}

#[track_caller]
fn error(src: &str) -> String {
    match lang::eval(src, &inputs()) {
        Ok(a) => panic!("{src} evaluated to {a:?}"),
        Err(e) => e.to_string(),
    }
}

/// The same dtype and shape, and the same values (NaN equal to NaN), or both invalid.
#[track_caller]
fn same(got: &DynArray, want: &DynArray, what: &str) {
    assert_eq!(got.dtype(), want.dtype(), "{what}");
    assert_eq!(got.shape(), want.shape(), "{what}");
    let (g, w): (AnyArray, AnyArray) = (got.compute().unwrap(), want.compute().unwrap());
    assert_same_or_nan(
        &g.cast(DType::F64).into_typed::<f64>().unwrap(),
        &w.cast(DType::F64).into_typed::<f64>().unwrap(),
    );
}

#[test]
fn every_vocabulary_function_is_in_the_language_by_name_and_alias() {
    for &f in UnaryFn::ALL {
        let arg = match f.rule() {
            UnaryRule::Logical => "b",
            _ => "x",
        };
        let want = input(arg).unary(f);
        assert!(want.error().is_none(), "{f:?}");
        for name in std::iter::once(f.name()).chain(f.aliases().iter().copied()) {
            same(&eval(&format!("{name}({arg})")), &want, name);
            assert_eq!(lang::function(name).unwrap().name(), f.name());
        }
    }
    for &f in BinaryFn::ALL {
        let (a, c) = match f.rule() {
            BinaryRule::Logical => ("b", "~b"),
            _ => ("x", "y"),
        };
        let rhs = if c == "~b" {
            input("b").logical_not()
        } else {
            input(c)
        };
        let want = f.apply(input(a), &rhs);
        assert!(want.error().is_none(), "{f:?}");
        for name in std::iter::once(f.name()).chain(f.aliases().iter().copied()) {
            same(&eval(&format!("{name}({a}, {c})")), &want, name);
        }
    }
    for &f in ReduceFn::ALL {
        let x = input("x");
        for name in std::iter::once(f.name()).chain(f.aliases().iter().copied()) {
            same(&eval(&format!("{name}(x)")), &x.reduce(f, ..), name);
            same(&eval(&format!("{name}(x, axis=0)")), &x.reduce(f, 0), name);
            same(&eval(&format!("{name}(x, -1)")), &x.reduce(f, -1), name);
            same(&eval(&format!("x.{name}(axis=1)")), &x.reduce(f, 1), name);
            same(
                &eval(&format!("{name}(x, axis=0, keepdims=True)")),
                &x.reduce(f, chunkwise::Axes::from(0).keepdims(true)),
                name,
            );
            if let Some(g) = f.with_param(ReduceParam::Ddof, 1) {
                same(&eval(&format!("x.{name}(ddof=1)")), &x.reduce(g, ..), name);
            }
        }
    }
}

#[test]
fn a_table_of_expressions_against_ndarray() {
    let (xa, ya, na) = (x(), y(), n().mapv(|v| v as f64));
    let col_mean = xa.mean_axis(Axis(0)).unwrap();
    let table: Vec<(&str, ArrayD<f64>)> = vec![
        // elementwise, from the tables: a function, an alias, two operands, operators
        ("sqrt(x)", xa.mapv(f64::sqrt)),
        ("abs(n)", na.mapv(f64::abs)),
        (
            "arctan2(x, y)",
            ndarray::Zip::from(&xa)
                .and_broadcast(&ya)
                .map_collect(|a, b| a.atan2(*b)),
        ),
        ("hypot(y, 2)", ya.mapv(|v| v.hypot(2.0))),
        ("fmin(x, 0.5)", xa.mapv(|v| v.min(0.5))),
        ("x * 2 - y / 4", &xa * 2.0 - &(&ya / 4.0)),
        ("-x", xa.mapv(|v| -v)),
        ("-x.sum()", ArrayD::from_elem(IxDyn(&[]), -xa.sum())),
        ("n // 5", na.mapv(|v| (v / 5.0).floor())),
        ("n % 5", na.mapv(|v| v.rem_euclid(5.0))),
        (
            "n % -5",
            na.mapv(|v| {
                let r = v % -5.0;
                if r > 0.0 {
                    r - 5.0
                } else {
                    r
                }
            }),
        ),
        ("y // 0.75", ya.mapv(|v| (v / 0.75).floor())),
        ("-y // 0.75", ya.mapv(|v| (-v / 0.75).floor())),
        ("y % 0.75", ya.mapv(|v| v % 0.75)),
        ("-y % 0.75", ya.mapv(|v| (-v).rem_euclid(0.75))),
        (
            "7 // -2 + -7 % 3",
            ArrayD::from_elem(IxDyn(&[]), -4.0 + 2.0),
        ),
        // reductions: axes by position, keyword, tuple, list, negative; methods; ddof
        ("mean(x, axis=0)", col_mean.clone()),
        ("x.mean(0)", col_mean.clone()),
        (
            "sum(x, axis=(0, 1))",
            ArrayD::from_elem(IxDyn(&[]), xa.sum()),
        ),
        (
            "sum(x, axis=[-1, 0])",
            ArrayD::from_elem(IxDyn(&[]), xa.sum()),
        ),
        ("x.std(axis=1, ddof=1)", xa.std_axis(Axis(1), 1.0)),
        (
            "var(x, ddof=1, axis=None)",
            ArrayD::from_elem(IxDyn(&[]), xa.var(1.0)),
        ),
        (
            "max(x, axis=-1, keepdims=True)",
            xa.map_axis(Axis(1), |r| r.fold(f64::MIN, |a, &b| a.max(b)))
                .insert_axis(Axis(1)),
        ),
        (
            "x.sum(split_every=2)",
            ArrayD::from_elem(IxDyn(&[]), xa.sum()),
        ),
        ("n.argmax(axis=0)", ArrayD::from_elem(IxDyn(&[6]), 3.0)),
        // other operations
        (
            "where(x > 0.5, x, -1)",
            xa.mapv(|v| if v > 0.5 { v } else { -1.0 }),
        ),
        ("clip(n, -2, 3)", na.mapv(|v| v.clamp(-2.0, 3.0))),
        ("n.clip(0, None)", na.mapv(|v| v.max(0.0))),
        ("n.clip(a_max=1, a_min=None)", na.mapv(|v| v.min(1.0))),
        ("astype(x * 10, int16)", xa.mapv(|v| (v * 10.0).trunc())),
        ("(x * 10).astype(\"int8\")", xa.mapv(|v| (v * 10.0).trunc())),
        ("transpose(x)", xa.t().to_owned()),
        ("transpose(x, axes=(1, 0))", xa.t().to_owned()),
        ("x.transpose()", xa.t().to_owned()),
        ("x.transpose(1, 0)", xa.t().to_owned()),
        ("x.transpose((0, 1))", xa.clone()),
        ("x.transpose([1, 0]) + x.T", xa.t().mapv(|v| 2.0 * v)),
        ("expand_dims(y, 0)", ya.clone().insert_axis(Axis(0))),
        (
            "expand_dims(y, (0, -1))",
            ya.clone().insert_axis(Axis(0)).insert_axis(Axis(2)),
        ),
        ("squeeze(expand_dims(y, (0, 2)))", ya.clone()),
        ("expand_dims(y, 1).squeeze(axis=-1)", ya.clone()),
        ("rechunk(x, (2, -1))", xa.clone()),
        (
            "x.rechunk(((1, 3), None))[1:, ::-2]",
            xa.slice(s![1.., ..;-2]).to_owned().into_dyn(),
        ),
        // indexing with NumPy's clamping
        (
            "x[-100:100:3, 4:1:-2]",
            xa.slice(s![..;3, 2..5;-2]).to_owned().into_dyn(),
        ),
        (
            "x[..., None, 0]",
            xa.slice(s![.., 0])
                .to_owned()
                .insert_axis(Axis(1))
                .into_dyn(),
        ),
    ];
    for (src, want) in table {
        let got = f64s(src);
        assert!(
            got.shape() == want.shape(),
            "{src}: shape {:?}, not {:?}",
            got.shape(),
            want.shape()
        );
        assert_close(&got, &want, RTOL);
    }
}

#[test]
fn argument_kinds_chunks_and_dtypes() {
    assert_eq!(
        eval("rechunk(x, (2, -1))").chunks().to_string(),
        "((2, 2), (6,))"
    );
    assert_eq!(eval("x.rechunk(5)").chunks().to_string(), "((4,), (5, 1))");
    assert_eq!(
        eval("rechunk(x, [1, (2, 4)])").chunks().to_string(),
        "((1, 1, 1, 1), (2, 4))"
    );
    assert_eq!(
        eval("rechunk(x, (None, 6))").chunks().to_string(),
        "((3, 1), (6,))"
    );
    assert_eq!(eval("rechunk(x)").chunks().num_blocks(), 1); // "auto": one chunk this small
    assert_eq!(eval("astype(n, float32)").dtype(), DType::F32);
    assert_eq!(eval("n.astype(dtype='uint8')").dtype(), DType::U8);
    assert_eq!(eval("n // 2").dtype(), DType::I64);
    assert_eq!(eval("x.astype(float32) % 2").dtype(), DType::F32);
    assert_eq!(eval("sqrt(x=x)").shape(), &[4, 6]);
}

#[test]
fn binding_errors_point_at_their_columns() {
    assert_eq!(
        error("where(x > 0, x)"),
        "error: `where` is missing required argument `y` at column 1 (it is `where(condition, x, y)`)\n  \
         where(x > 0, x)\n  ^^^^^^^^^^^^^^^"
    );
    assert_eq!(
        error("mean(x, axes=0)"),
        "error: `mean` has no keyword argument `axes` at column 9 (did you mean `axis`?)\n  \
         mean(x, axes=0)\n          ^^^^"
    );
    assert_eq!(
        error("sum(x, 0, axis=1)"),
        "error: `sum` got multiple values for argument `axis` (by position and as `axis=`) at \
         column 11\n  sum(x, 0, axis=1)\n            ^^^^"
    );
    assert_eq!(
        error("sqrt(x, 2)"),
        "error: `sqrt` takes 1 argument but 2 were given at column 1 (it is `sqrt(x)`)\n  \
         sqrt(x, 2)\n  ^^^^^^^^^^"
    );
    // The parameters of a reduction after `axis` are keyword-only, as NumPy's `dtype`
    // and `out` stand between them.
    let e = error("x.std(0, 1)");
    assert!(
        e.contains("`.std` takes 0 to 1 arguments but 2 were given"),
        "{e}"
    );
    assert!(
        e.contains("(it is `a.std(axis=None, *, ddof=0, keepdims=False, split_every=None)`)"),
        "{e}"
    );
    let e = error("x.sum(a=x)");
    assert!(e.contains("`.sum` has no keyword argument `a`"), "{e}");
    let e = error("transpose(x, 1, 0)");
    assert!(
        e.contains("`transpose` takes 1 to 2 arguments but 3 were given"),
        "{e}"
    );
    let e = error("clip(x, None, None)");
    assert!(
        e.contains("`clip` needs `a_min` or `a_max`; both are None"),
        "{e}"
    );
    let e = error("sqrt(y=x)");
    assert!(
        e.contains("no keyword argument `y`") && e.contains("valid: x"),
        "{e}"
    );
    let e = error("where(b, x, y, axis=0)");
    assert!(
        e.contains("`where` has no keyword argument `axis` at column 16"),
        "{e}"
    );
    let e = error("rechunk(x, (2, 3, 4))");
    assert!(
        e.contains("`chunks` has 3 entries but the array has 2 axes"),
        "{e}"
    );
    assert!(
        e.ends_with("\n  rechunk(x, (2, 3, 4))\n             ^^^^^^^^^"),
        "{e}"
    );
    let e = error("rechunk(x, ((1, 2), None))");
    assert!(
        e.contains("chunk lengths on axis 0 add up to 3 but the axis has length 4"),
        "{e}"
    );
    let e = error("sum(x, axis=(0, 5))");
    assert!(
        e.contains("axis 5 is out of range for an array with 2 axes at column 17"),
        "{e}"
    );
    let e = error("expand_dims(y, (0, 0))");
    assert!(e.contains("axis 0 is given more than once"), "{e}");
    let e = error("astype(x, 'float23')");
    assert!(e.contains("did you mean \"float32\"?"), "{e}");
    let e = error("x.sqrt()");
    assert!(e.contains("call it as a function: `sqrt(...)`"), "{e}");
    let e = error("x.meen()");
    assert!(
        e.contains("`meen` is not a method") && e.contains("did you mean `mean`?"),
        "{e}"
    );
}

#[test]
fn lists_tuples_and_other_values_outside_arguments() {
    let e = error("[x, y] + 1");
    assert!(
        e.contains("a list is only valid as an argument at column 1"),
        "{e}"
    );
    let e = error("x + (1, 2)");
    assert!(
        e.contains("a tuple is only valid as an argument at column 5"),
        "{e}"
    );
    let e = error("float32 * 2");
    assert!(e.contains("a dtype is only valid as an argument"), "{e}");
    let e = error("'abc'");
    assert!(e.contains("a string is only valid as an argument"), "{e}");
    // Nested tuples and lists parse and bind (the chunks of `rechunk` here).
    assert_eq!(
        eval("rechunk(x, ([2, 2], (3, 3)))").chunks().to_string(),
        "((2, 2), (3, 3))"
    );
}

#[test]
fn matmul_binds_tighter_than_addition() {
    // `1 + x @ x.T` is `1 + (x @ x.T)`, as in Python.
    assert_eq!(eval("1 + x @ x.T").shape(), &[4, 4]);
}

#[test]
fn library_errors_are_typed_and_at_the_operation() {
    let err = lang::eval("sum(x) + (x + n[:2])", &inputs()).unwrap_err();
    assert_eq!(err.column(), 10);
    assert!(matches!(
        err.diagnostic().cause(),
        Some(chunkwise::Error::ShapeMismatch { .. })
    ));
    assert!(
        err.to_string()
            .contains("cannot broadcast shape [4, 6] with [2, 6]"),
        "{err}"
    );
    assert_eq!(err.diagnostic().span(), 9..20);
    let err = lang::eval("n ** -1", &inputs()).unwrap_err();
    assert!(matches!(
        err.diagnostic().cause(),
        Some(chunkwise::Error::InvalidParameter { op: "power", .. })
    ));
}

#[test]
fn an_expression_may_start_with_a_minus_sign() {
    assert_close(&f64s("-x"), &x().mapv(|v| -v), RTOL);
    assert_close(&f64s("-2 * y + 1"), &y().mapv(|v| -2.0 * v + 1.0), RTOL);
    assert_close(
        &f64s("-y.max()"),
        &ArrayD::from_elem(IxDyn(&[]), -3.0),
        RTOL,
    );
}

#[test]
fn input_specs_from_rust() {
    let a = lang::input("arange:3x4:chunks=2x3:int32").unwrap();
    assert_eq!(
        (a.dtype(), a.chunks().to_string()),
        (DType::I32, "((2, 1), (3, 1))".to_string())
    );
    let want = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| (i[0] * 4 + i[1]) as f64);
    assert_close(&values(&a), &want, 0.0);
    let inputs = Inputs::new()
        .with("a", a)
        .with("r", lang::input("random:30x40:chunks=7x9:seed=2").unwrap())
        .with("z", lang::input("full:4:value=2.5:f32").unwrap());
    let m = lang::eval("mean(r) + a[1, 2] + z.sum()", &inputs).unwrap();
    let mean = values(&lang::input("random:30x40:seed=2").unwrap())
        .mean()
        .unwrap();
    assert!((values(&m).sum() - (mean + 6.0 + 10.0)).abs() < 1e-12);
    assert!(matches!(
        lang::input("ones").unwrap_err(),
        InputError::MissingShape { kind: "ones" }
    ));
    assert!(matches!(
        lang::input("ones:3:chunks=2x2").unwrap_err(),
        InputError::Library(e) if matches!(*e, chunkwise::Error::ChunksRankMismatch { .. })
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.zarr");
    chunkwise::from_ndarray(x(), [2, 3])
        .to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))
        .unwrap()
        .run()
        .unwrap();
    let spec = path.to_str().unwrap();
    assert!(matches!(Input::open(spec).unwrap(), Input::Zarr(_)));
    let t = Inputs::new().with("t", lang::input(spec).unwrap());
    assert_close(
        &values(&lang::eval("t.mean(axis=0)", &t).unwrap()),
        &x().mean_axis(Axis(0)).unwrap(),
        RTOL,
    );
}
