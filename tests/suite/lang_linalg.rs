//! The language's linear algebra and scans: `@`, `matmul`, `dot` (also as a method),
//! `tensordot`, `einsum`, `outer`, `cumsum` and friends (functions and methods, with and
//! without an axis), against the library calls and eager ndarray; and their errors.

use chunkwise::lang::{self, Inputs};
use chunkwise::{DType, DynArray};
use ndarray::{ArrayD, Axis, IxDyn};

use crate::common::assert_close;

fn x() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as f64 / 8.0 - 1.0)
}

fn inputs() -> Inputs {
    let c = ArrayD::from_shape_fn(IxDyn(&[3, 4, 5]), |i| {
        (i[0] + 2 * i[1] + 3 * i[2]) as f64 / 4.0
    });
    let n = ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as i32 - 11);
    Inputs::new()
        .with("x", chunkwise::from_ndarray(x(), [3, 4]).to_dyn())
        .with(
            "y",
            chunkwise::from_ndarray(x().t().to_owned(), [4, 2]).to_dyn(),
        )
        .with("c", chunkwise::from_ndarray(c, [2, 3, 5]).to_dyn())
        .with("n", chunkwise::from_ndarray(n, [2, 5]).to_dyn())
}

#[track_caller]
fn eval(src: &str) -> DynArray {
    lang::eval(src, &inputs()).unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[track_caller]
fn f64s(a: &DynArray) -> ArrayD<f64> {
    a.compute().unwrap().cast(DType::F64).into_typed().unwrap()
}

#[track_caller]
fn same(src: &str, want: &DynArray) {
    let got = eval(src);
    assert_eq!(got.dtype(), want.dtype(), "{src}");
    assert_close(&f64s(&got), &f64s(want), 1e-12);
}

#[test]
fn products_by_operator_function_and_method() {
    let i = inputs();
    let (x, y, c) = (
        i.get("x").unwrap(),
        i.get("y").unwrap(),
        i.get("c").unwrap(),
    );
    let xy = x.matmul(y);
    same("x @ y", &xy);
    same("matmul(x, y)", &xy);
    same("x.dot(y)", &xy);
    same("dot(x, y)", &xy);
    same("x @ x.T", &x.matmul(&x.t()));
    same(
        "tensordot(c, c, axes=([1, 2], [1, 2]))",
        &c.tensordot(c, ([1, 2], [1, 2])),
    );
    same("tensordot(x, y, axes=1)", &xy);
    same("tensordot(x, x)", &x.tensordot(x, 2));
    same(
        "einsum(\"ij,ij->i\", x, x)",
        &DynArray::einsum("ij,ij->i", &[x, x]),
    );
    same("einsum('ij,jk', x, y)", &xy);
    same("outer(x, y)", &x.outer(y));
    same("dot(x, 2)", &x.mul(2));
    // Integers stay integers.
    assert_eq!(eval("n @ n.T").dtype(), DType::I32);
    let m = self::x().into_dimensionality::<ndarray::Ix2>().unwrap();
    let want = m.dot(&m.t()).into_dyn();
    assert_close(&f64s(&eval("x @ x.T")), &want, 1e-12);
}

#[test]
fn scans_by_function_and_method() {
    let mut want = x();
    want.accumulate_axis_inplace(Axis(0), |&p, c| *c += p);
    assert_close(&f64s(&eval("cumsum(x, axis=0)")), &want, 1e-12);
    assert_close(&f64s(&eval("x.cumsum(axis=0)")), &want, 1e-12);
    assert_close(&f64s(&eval("x.cumsum(0)")), &want, 1e-12);
    let flat: Vec<f64> = x()
        .iter()
        .scan(0.0, |s, &v| {
            *s += v;
            Some(*s)
        })
        .collect();
    let flat = ArrayD::from_shape_vec(IxDyn(&[24]), flat).unwrap();
    assert_close(&f64s(&eval("cumsum(x)")), &flat, 1e-12);
    assert_close(&f64s(&eval("x.cumsum()")), &flat, 1e-12);
    assert_eq!(eval("cumsum(n, axis=-1)").dtype(), DType::I64);
    assert_eq!(eval("(x > 0).cumsum()").dtype(), DType::I64);
    for f in ["cumprod", "nancumsum", "nancumprod"] {
        assert_eq!(eval(&format!("{f}(x, axis=1)")).shape(), &[4, 6]);
        assert_eq!(eval(&format!("x.{f}()")).shape(), &[24]);
    }
}

#[test]
fn errors_point_at_the_call() {
    for (src, needle) in [
        ("x @ x", "not aligned"),
        ("einsum('ii', x)", "trace"),
        ("einsum(1, x)", "must be a string"),
        ("cumsum(x, axis=2)", "out of range"),
        ("tensordot(x, y, axes='a')", "`axes` must be"),
        ("matmul(x, 1)", "at least 1 axis"),
    ] {
        let err = lang::eval(src, &inputs()).unwrap_err().to_string();
        assert!(err.contains(needle), "{src}: {err}");
    }
}
