//! Runtime-typed operations on `DynArray` against eager ndarray: every elementwise
//! function, comparisons and logic, `where_`, every reduction with axes and `keepdims`,
//! slicing and permutations, NumPy dtype promotion between arrays and with weak literals,
//! broadcasting over irregular chunks, and the errors.

#[allow(unused_imports)]
use crate::common::Built as _;
use chunkwise::{
    AnyArray, Axes, BinaryFn, Chunks, DType, DynArray, DynOperand, Error, ReduceFn, Scalar, UnaryFn,
};
use ndarray::{s, ArrayD, IxDyn};

use crate::common::{assert_close, cases, ints, positive, values, with_nans, RTOL};

fn dyn_of<T: chunkwise::Element>(a: &ArrayD<T>, chunks: impl Into<Chunks>) -> DynArray {
    chunkwise::from_ndarray(a.clone(), chunks).to_dyn()
}

#[track_caller]
fn f64s(x: &DynArray) -> ArrayD<f64> {
    x.compute().unwrap().cast(DType::F64).into_typed().unwrap()
}

#[track_caller]
fn bools(x: &DynArray) -> ArrayD<bool> {
    assert_eq!(x.dtype(), DType::Bool);
    x.compute().unwrap().into_typed().unwrap()
}

fn numpy_unary(f: UnaryFn, v: f64) -> f64 {
    match f {
        UnaryFn::Negative => -v,
        UnaryFn::Abs => v.abs(),
        UnaryFn::Sqrt => v.sqrt(),
        UnaryFn::Exp => v.exp(),
        UnaryFn::Log => v.ln(),
        UnaryFn::Log10 => v.log10(),
        UnaryFn::Sin => v.sin(),
        UnaryFn::Cos => v.cos(),
        UnaryFn::Tan => v.tan(),
        UnaryFn::Arcsin => v.asin(),
        UnaryFn::Arccos => v.acos(),
        UnaryFn::Arctan => v.atan(),
        UnaryFn::Sinh => v.sinh(),
        UnaryFn::Cosh => v.cosh(),
        UnaryFn::Tanh => v.tanh(),
        UnaryFn::Floor => v.floor(),
        UnaryFn::Ceil => v.ceil(),
        UnaryFn::Round => v.round_ties_even(),
        UnaryFn::IsNan => f64::from(u8::from(v.is_nan())),
        UnaryFn::IsFinite => f64::from(u8::from(v.is_finite())),
        UnaryFn::IsInf => f64::from(u8::from(v.is_infinite())),
        UnaryFn::Square => v * v,
        UnaryFn::Cbrt => v.cbrt(),
        UnaryFn::Exp2 => v.exp2(),
        UnaryFn::Expm1 => v.exp_m1(),
        UnaryFn::Log2 => v.log2(),
        UnaryFn::Log1p => v.ln_1p(),
        UnaryFn::Arcsinh => v.asinh(),
        UnaryFn::Arccosh => v.acosh(),
        UnaryFn::Arctanh => v.atanh(),
        UnaryFn::Deg2rad => v.to_radians(),
        UnaryFn::Rad2deg => v.to_degrees(),
        UnaryFn::Trunc => v.trunc(),
        other => panic!("no reference for {other:?}"),
    }
}

#[test]
fn every_unary_math_function_matches_ndarray_on_every_case() {
    for case in cases() {
        let a = positive(&case.shape, 3).mapv(|v| v / 6.0); // in (0, 1] for arcsin/arccos
        let x = dyn_of(&a, case.chunks.clone());
        for &f in UnaryFn::ALL {
            if f == UnaryFn::LogicalNot {
                continue;
            }
            let got = x.unary(f);
            let want = a.mapv(|v| numpy_unary(f, v));
            assert_close(&f64s(&got), &want, RTOL);
            let expected = if matches!(f, UnaryFn::IsNan | UnaryFn::IsFinite | UnaryFn::IsInf) {
                DType::Bool
            } else {
                DType::F64
            };
            assert_eq!(got.dtype(), expected, "{f:?} on {}", case.name);
        }
    }
}

#[test]
fn unary_dtypes_follow_numpy() {
    let i = dyn_of(&ints::<i16>(&[5], 1, -4, 4), [2]);
    assert_eq!(i.unary(UnaryFn::Sqrt).dtype(), DType::F64);
    assert_eq!(i.unary(UnaryFn::Abs).dtype(), DType::I16);
    assert_eq!(i.neg().dtype(), DType::I16);
    let f = dyn_of(&ArrayD::from_elem(IxDyn(&[3]), 2.0f32), [2]);
    assert_eq!(f.unary(UnaryFn::Exp).dtype(), DType::F32);
    assert_eq!(f.unary(UnaryFn::Floor).dtype(), DType::F32);
    let got = f64s(&i.unary(UnaryFn::Abs));
    let want = ints::<i16>(&[5], 1, -4, 4).mapv(|v| f64::from(v.abs()));
    assert_eq!(got, want);
}

#[test]
fn isnan_and_logical_not_on_nans() {
    let a = with_nans(&[9, 4], 2);
    let x = dyn_of(&a, vec![vec![4, 4, 1], vec![3, 1]]);
    let nan = x.unary(UnaryFn::IsNan);
    assert_eq!(bools(&nan), a.mapv(f64::is_nan));
    assert_eq!(bools(&nan.logical_not()), a.mapv(|v| !v.is_nan()));
}

fn reference(f: BinaryFn, a: f64, b: f64) -> f64 {
    let t = |c: bool| f64::from(u8::from(c));
    match f {
        BinaryFn::Add => a + b,
        BinaryFn::Sub => a - b,
        BinaryFn::Mul => a * b,
        BinaryFn::Div => a / b,
        BinaryFn::Pow => a.powf(b),
        // Without NaNs in the data, minimum and fmin agree (and maximum and fmax).
        BinaryFn::Minimum | BinaryFn::Fmin => a.min(b),
        BinaryFn::Maximum | BinaryFn::Fmax => a.max(b),
        BinaryFn::Equal => t(a == b),
        BinaryFn::NotEqual => t(a != b),
        BinaryFn::Less => t(a < b),
        BinaryFn::LessEqual => t(a <= b),
        BinaryFn::Greater => t(a > b),
        BinaryFn::GreaterEqual => t(a >= b),
        // Python's `//` and `%` on floats (NumPy follows them).
        BinaryFn::FloorDivide => (a / b).floor(),
        BinaryFn::Remainder => a - b * (a / b).floor(),
        BinaryFn::Arctan2 => a.atan2(b),
        BinaryFn::Hypot => a.hypot(b),
        other => panic!("no reference for {other:?}"),
    }
}

fn broadcast_ref(a: &ArrayD<f64>, b: &ArrayD<f64>, f: impl Fn(f64, f64) -> f64) -> ArrayD<f64> {
    let shape = crate::common::broadcast_shape(a.shape(), b.shape());
    let (a, b) = (
        a.broadcast(IxDyn(&shape)).unwrap(),
        b.broadcast(IxDyn(&shape)).unwrap(),
    );
    ndarray::Zip::from(&a).and(&b).map_collect(|&x, &y| f(x, y))
}

#[test]
fn every_binary_function_with_broadcasting_and_irregular_chunks() {
    let pairs: Vec<(Vec<usize>, Chunks, Vec<usize>, Chunks)> = vec![
        (
            vec![7, 5],
            Chunks::from(vec![vec![3, 1, 3], vec![2, 3]]),
            vec![5],
            Chunks::from([2]),
        ),
        (
            vec![13, 1, 4],
            Chunks::from([4, 1, 3]),
            vec![5, 4],
            Chunks::from([2, 4]),
        ),
        (
            vec![],
            Chunks::from(Vec::<usize>::new()),
            vec![3, 2],
            Chunks::from([2, 1]),
        ),
        (
            vec![3, 0, 4],
            Chunks::from([2, 1, 3]),
            vec![4],
            Chunks::from([1]),
        ),
    ];
    for (sa, ca, sb, cb) in pairs {
        let a = positive(&sa, 1);
        let b = values(&sb, 2);
        let (x, y) = (dyn_of(&a, ca), dyn_of(&b, cb));
        for &f in BinaryFn::ALL {
            if matches!(
                f,
                BinaryFn::LogicalAnd | BinaryFn::LogicalOr | BinaryFn::LogicalXor
            ) {
                continue;
            }
            let got = x.binary(f, &y);
            let want = broadcast_ref(&a, &b, |p, q| reference(f, p, q));
            assert_close(&f64s(&got), &want, RTOL);
            // And the other way round.
            let got = f.apply(&y, &x);
            let want = broadcast_ref(&b, &a, |p, q| reference(f, p, q));
            assert_close(&f64s(&got), &want, RTOL);
        }
    }
}

#[test]
fn arrays_of_different_dtypes_promote_as_numpy() {
    let table = [
        (DType::I32, DType::F32, DType::F64),
        (DType::U8, DType::I8, DType::I16),
        (DType::I16, DType::F32, DType::F32),
        (DType::U64, DType::I64, DType::F64),
        (DType::Bool, DType::U16, DType::U16),
        (DType::F32, DType::F64, DType::F64),
    ];
    let a = ints::<i64>(&[4, 3], 5, 1, 9);
    for (da, db, want) in table {
        let x = dyn_of(&a, [3, 2]).astype(da);
        let y = dyn_of(&a.index_axis(ndarray::Axis(0), 0).to_owned(), [2]).astype(db);
        let r = x.add(&y);
        assert_eq!(r.dtype(), want, "{da} + {db}");
        let c = x.less(&y);
        assert_eq!(c.dtype(), DType::Bool);
        // Values: small positive integers are exact in every dtype involved.
        let row = a.index_axis(ndarray::Axis(0), 0).to_owned();
        let fa = a.mapv(|v| v as f64);
        let fb = row.mapv(|v| v as f64);
        let expect_add = if da == DType::Bool || db == DType::Bool {
            // bool(v) is 1 for every v here.
            let ta = if da == DType::Bool {
                fa.mapv(|_| 1.0)
            } else {
                fa.clone()
            };
            let tb = if db == DType::Bool {
                fb.mapv(|_| 1.0)
            } else {
                fb.clone()
            };
            broadcast_ref(&ta, &tb, |p, q| p + q)
        } else {
            broadcast_ref(&fa, &fb, |p, q| p + q)
        };
        assert_eq!(f64s(&r), expect_add, "{da} + {db}");
    }
}

#[test]
fn literals_are_weak_like_python_numbers() {
    let f32s = dyn_of(&ArrayD::from_elem(IxDyn(&[5]), 1.5f32), [2]);
    let i8s = dyn_of(&ints::<i8>(&[5], 4, -3, 3), [3]);
    let u8s = dyn_of(&ints::<u8>(&[5], 4, 0, 200), [3]);
    let bools = i8s.greater(0);
    assert_eq!(f32s.add(1).dtype(), DType::F32);
    assert_eq!(f32s.mul(0.5).dtype(), DType::F32);
    assert_eq!(i8s.add(1).dtype(), DType::I8);
    assert_eq!(i8s.add(1.5).dtype(), DType::F64);
    assert_eq!(bools.add(1).dtype(), DType::I64);
    assert_eq!(bools.logical_and(true).dtype(), DType::Bool);
    assert_eq!(i8s.equal(true).dtype(), DType::Bool);
    assert_eq!(u8s.add(DynArray::scalar(1i64)).dtype(), DType::I64);
    assert_eq!(BinaryFn::Add.apply(1, 2).dtype(), DType::I64);
    assert_eq!(BinaryFn::Add.apply(1, 2.0).dtype(), DType::F64);
    assert_eq!(BinaryFn::LogicalOr.apply(true, false).dtype(), DType::Bool);
    // Values of an integer literal with an integer array, and a float with an integer.
    let a = ints::<i8>(&[5], 4, -3, 3);
    assert_eq!(f64s(&i8s.add(100)), a.mapv(|v| f64::from(v) + 100.0));
    assert_eq!(f64s(&i8s.mul(0.5)), a.mapv(|v| f64::from(v) * 0.5));
    assert_eq!(
        f64s(&BinaryFn::Sub.apply(1, &i8s)),
        a.mapv(|v| 1.0 - f64::from(v))
    );
    // Integer division is true division.
    let d = i8s.div(2);
    assert_eq!(d.dtype(), DType::F64);
    assert_eq!(f64s(&d), a.mapv(|v| f64::from(v) / 2.0));
}

#[test]
fn literals_that_do_not_fit_the_array_dtype_are_errors() {
    let u8s = dyn_of(&ints::<u8>(&[5], 4, 0, 200), [3]);
    let err = u8s.add(300).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                param: "literal",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("uint8"), "{err}");
    assert!(u8s.add(-1).is_err());
    assert!(u8s.add(255).is_ok());
    let u64s = dyn_of(&ints::<u64>(&[5], 4, 0, 9), [3]);
    assert!(matches!(
        u64s.add(-1).unwrap_err(),
        Error::InvalidParameter {
            param: "literal",
            ..
        }
    ));
    let i16s = dyn_of(&ints::<i16>(&[5], 4, -9, 9), [3]);
    assert!(i16s.mul(40_000).is_err());
    assert!(i16s.mul(-32_768).is_ok());
}

#[test]
fn comparisons_with_out_of_range_literals_still_answer() {
    let a = ints::<u8>(&[6], 2, 0, 255);
    let u8s = dyn_of(&a, [4]);
    assert_eq!(bools(&u8s.less(300)), a.mapv(|_| true));
    assert_eq!(bools(&u8s.greater(-1)), a.mapv(|_| true));
    assert_eq!(bools(&u8s.equal(256)), a.mapv(|_| false));
    assert_eq!(bools(&BinaryFn::Less.apply(1000, &u8s)), a.mapv(|_| false));
    assert_eq!(bools(&u8s.greater_equal(128)), a.mapv(|v| v >= 128));
}

#[test]
fn bool_arithmetic_and_non_bool_logic_are_errors() {
    let b = dyn_of(&ints::<i32>(&[4], 1, 0, 3), [2]).greater(1);
    for f in [
        BinaryFn::Add,
        BinaryFn::Sub,
        BinaryFn::Mul,
        BinaryFn::Div,
        BinaryFn::Pow,
    ] {
        let err = b.binary(f, &b).unwrap_err();
        assert!(
            matches!(
                err,
                Error::UnsupportedDType {
                    dtype: DType::Bool,
                    ..
                }
            ),
            "{f:?}: {err}"
        );
    }
    assert!(matches!(
        b.neg().unwrap_err(),
        Error::UnsupportedDType { .. }
    ));
    let i = dyn_of(&ints::<i32>(&[4], 1, 0, 3), [2]);
    assert!(matches!(
        i.logical_and(&i).unwrap_err(),
        Error::UnsupportedDType { .. }
    ));
    assert!(matches!(
        i.logical_not().unwrap_err(),
        Error::UnsupportedDType { .. }
    ));
    let err = i.pow(-1).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                param: "exponent",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        f64s(&i.pow(2)),
        ints::<i32>(&[4], 1, 0, 3).mapv(|v| f64::from(v * v))
    );
}

#[test]
fn shape_mismatches_are_errors() {
    let x = dyn_of(&values(&[3, 4], 1), [2, 2]);
    let y = dyn_of(&values(&[5], 1), [2]);
    let err = x.add(&y).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShapeMismatch {
                lhs_len: 4,
                rhs_len: 5,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn logic_on_bool_arrays() {
    let a = values(&[6, 5], 7);
    let x = dyn_of(&a, vec![vec![1, 5], vec![2, 2, 1]]);
    let p = x.greater(0);
    let q = x.less_equal(1.5);
    assert_eq!(bools(&p.logical_and(&q)), a.mapv(|v| v > 0.0 && v <= 1.5));
    assert_eq!(bools(&p.logical_or(&q)), a.mapv(|v| v > 0.0 || v <= 1.5));
}

#[test]
fn where_promotes_its_branches_and_broadcasts() {
    let a = values(&[4, 6], 3);
    let x = dyn_of(&a, [3, 4]);
    let cond = x.greater(0);
    let r = DynArray::where_(&cond, &x, 0);
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(f64s(&r), a.mapv(|v| v.max(0.0)));
    let i = dyn_of(&ints::<i32>(&[6], 1, -5, 5), [4]);
    let r = DynArray::where_(&cond, &i, 0.5);
    assert_eq!(r.dtype(), DType::F64);
    let iv = ints::<i32>(&[6], 1, -5, 5);
    let want = ndarray::Zip::from(&a)
        .and_broadcast(&iv)
        .map_collect(|&v, &w| if v > 0.0 { f64::from(w) } else { 0.5 });
    assert_eq!(f64s(&r), want);
    let r = DynArray::where_(&cond, 1, 2);
    assert_eq!(r.dtype(), DType::I64);
    let err = DynArray::where_(&x, 1, 2).unwrap_err();
    assert!(
        matches!(
            err,
            Error::DTypeMismatch {
                expected: DType::Bool,
                ..
            }
        ),
        "{err}"
    );
}

fn reduce_ref(a: &ArrayD<f64>, f: ReduceFn, axis: usize) -> ArrayD<f64> {
    let lanes = a.lanes(ndarray::Axis(axis));
    let out: Vec<f64> = lanes
        .into_iter()
        .map(|l| {
            let v: Vec<f64> = l.iter().copied().collect();
            let nn: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let var =
                |ddof: usize| v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - ddof as f64);
            let first = |better: &dyn Fn(f64, f64) -> bool| {
                let mut best = 0;
                for (k, &x) in v.iter().enumerate() {
                    if better(x, v[best]) {
                        best = k;
                    }
                }
                best as f64
            };
            match f {
                ReduceFn::Sum => v.iter().sum(),
                ReduceFn::Prod => v.iter().product(),
                ReduceFn::Mean => mean,
                ReduceFn::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
                ReduceFn::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                ReduceFn::Var { ddof } => var(ddof),
                ReduceFn::Std { ddof } => var(ddof).sqrt(),
                ReduceFn::ArgMin => first(&|x, b| x < b),
                ReduceFn::ArgMax => first(&|x, b| x > b),
                ReduceFn::Any => f64::from(u8::from(v.iter().any(|&x| x != 0.0))),
                ReduceFn::All => f64::from(u8::from(v.iter().all(|&x| x != 0.0))),
                ReduceFn::NanSum => nn.iter().sum(),
                ReduceFn::NanMean => nn.iter().sum::<f64>() / nn.len() as f64,
                ReduceFn::NanMin => nn.iter().copied().fold(f64::INFINITY, f64::min),
                ReduceFn::NanMax => nn.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                ReduceFn::NanProd => nn.iter().product(),
                ReduceFn::NanVar { ddof } | ReduceFn::NanStd { ddof } => {
                    let k = nn.len() as f64;
                    let m = nn.iter().sum::<f64>() / k;
                    let var = nn.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (k - ddof as f64);
                    if matches!(f, ReduceFn::NanStd { .. }) {
                        var.sqrt()
                    } else {
                        var
                    }
                }
                ReduceFn::Ptp => {
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                        - v.iter().copied().fold(f64::INFINITY, f64::min)
                }
                ReduceFn::CountNonzero => v.iter().filter(|&&x| x != 0.0).count() as f64,
                other => panic!("no reference for {other:?}"),
            }
        })
        .collect();
    let mut shape = a.shape().to_vec();
    shape.remove(axis);
    ArrayD::from_shape_vec(IxDyn(&shape), out).unwrap()
}

#[test]
fn every_reduction_over_each_axis_with_keepdims() {
    let mut fns: Vec<ReduceFn> = ReduceFn::ALL.to_vec();
    fns.push(ReduceFn::Var { ddof: 1 });
    fns.push(ReduceFn::Std { ddof: 1 });
    let shape = [7, 5, 3];
    let chunks = Chunks::from(vec![vec![3, 1, 3], vec![2, 3], vec![3]]);
    let plain = values(&shape, 11);
    let nans = with_nans(&shape, 11);
    for &f in &fns {
        let a = if f.name().starts_with("nan") {
            &nans
        } else {
            &plain
        };
        let x = dyn_of(a, chunks.clone());
        for axis in 0..3 {
            let got = x.reduce(f, axis);
            assert_close(&f64s(&got), &reduce_ref(a, f, axis), 1e-9);
            let kept = x.reduce(f, Axes::from(axis).keepdims(true));
            let mut want_shape = shape.to_vec();
            want_shape[axis] = 1;
            assert_eq!(kept.shape(), &want_shape[..], "{f:?} keepdims");
        }
    }
}

#[test]
fn reduction_dtypes_and_full_reductions() {
    let a = ints::<u8>(&[6, 4], 3, 0, 9);
    let x = dyn_of(&a, [4, 3]);
    let total: u64 = a.iter().map(|&v| u64::from(v)).sum();
    let s = x.reduce(ReduceFn::Sum, ..);
    assert_eq!(s.dtype(), DType::U64);
    assert_eq!(
        s.compute().unwrap(),
        AnyArray::from(ndarray::arr0(total).into_dyn())
    );
    assert_eq!(x.reduce(ReduceFn::Mean, ..).dtype(), DType::F64);
    assert_eq!(x.reduce(ReduceFn::Max, 0).dtype(), DType::U8);
    assert_eq!(x.reduce(ReduceFn::ArgMax, ..).dtype(), DType::I64);
    assert_eq!(x.reduce(ReduceFn::Any, 1).dtype(), DType::Bool);
    let m = x.reduce(ReduceFn::Mean, [0, 1]);
    assert!((f64s(&m).sum() - total as f64 / 24.0).abs() < 1e-12);
}

#[test]
fn reduction_errors() {
    let x = dyn_of(&values(&[3, 4], 1), [2, 2]);
    assert!(matches!(
        x.reduce(ReduceFn::Sum, 2).unwrap_err(),
        Error::AxisOutOfRange {
            axis: 2,
            ndim: 2,
            ..
        }
    ));
    assert!(matches!(
        x.reduce(ReduceFn::Sum, [1, 1]).unwrap_err(),
        Error::DuplicateAxis { axis: 1, .. }
    ));
    // As in NumPy, the mean of a bool array is the fraction of true elements.
    let b = x.greater(0);
    let frac = b.reduce(ReduceFn::Mean, ..).compute().unwrap().sum_f64();
    assert!((0.0..=1.0).contains(&frac));
    let e = dyn_of(&values(&[0, 3], 1), [1, 2]);
    assert!(matches!(
        e.reduce(ReduceFn::Min, 0).unwrap_err(),
        Error::EmptyReduction { .. }
    ));
    let three = dyn_of(&values(&[2, 3, 4], 1), [1, 2, 2]);
    assert!(matches!(
        three.reduce(ReduceFn::ArgMin, [0, 1]).unwrap_err(),
        Error::InvalidParameter { .. }
    ));
}

#[test]
fn slicing_permuting_and_expanding() {
    let a = values(&[9, 7], 5);
    let x = dyn_of(&a, vec![vec![4, 4, 1], vec![3, 4]]);
    assert_eq!(
        f64s(&x.slice(s![1..8;2, ..;-3])),
        a.slice(s![1..8;2, ..;-3]).to_owned().into_dyn()
    );
    assert_eq!(
        f64s(&x.slice(s![-1, 2..])),
        a.slice(s![-1, 2..]).to_owned().into_dyn()
    );
    assert_eq!(f64s(&x.t()), a.t().to_owned());
    let three = values(&[2, 3, 4], 9);
    let y = dyn_of(&three, [1, 2, 3]);
    assert_eq!(
        f64s(&y.permute_axes([2, 0, 1])),
        three.view().permuted_axes(vec![2, 0, 1]).to_owned()
    );
    assert_eq!(y.expand_dims(3).shape(), &[2, 3, 4, 1]);
    assert_eq!(f64s(&y.rechunk([2, 2, 2])), three);
    assert!(matches!(
        x.slice(s![.., .., 0]).unwrap_err(),
        Error::SliceRankMismatch { .. }
    ));
    assert!(matches!(
        x.permute_axes([0, 0]).unwrap_err(),
        Error::InvalidParameter { .. }
    ));
}

#[test]
fn scalars_full_and_operand_conversions() {
    let s = DynArray::scalar(Scalar::U16(7));
    assert_eq!((s.dtype(), s.ndim(), s.len()), (DType::U16, 0, 1));
    let f = DynArray::full(&[3, 2], 1.5f32, [2, 2]);
    assert_eq!(f.dtype(), DType::F32);
    assert_eq!(f64s(&f), ArrayD::from_elem(IxDyn(&[3, 2]), 1.5));
    assert_eq!(DynOperand::from(true).into_array().dtype(), DType::Bool);
    assert_eq!(f64s(&f.add(&s)), ArrayD::from_elem(IxDyn(&[3, 2]), 8.5));
    assert_eq!(f.add(&s).dtype(), DType::F32);
    assert!(DynArray::full(&[3], 0i32, [0]).is_err());
}

#[test]
fn names_round_trip() {
    for &f in UnaryFn::ALL {
        assert_eq!(UnaryFn::from_name(f.name()), Some(f));
    }
    for &f in BinaryFn::ALL {
        assert_eq!(BinaryFn::from_name(f.name()), Some(f));
    }
    for &f in ReduceFn::ALL {
        assert_eq!(ReduceFn::from_name(f.name()), Some(f));
    }
    assert_eq!(UnaryFn::from_name("meen"), None);
    assert_eq!(ReduceFn::from_name("std"), Some(ReduceFn::Std { ddof: 0 }));
}

#[test]
fn every_binary_function_on_mixed_dtypes_matches_float64_reference() {
    // int16 with float32 promotes to float32 in NumPy (int16 fits a float32 exactly);
    // uint8 with int8 to int16; small integers keep every result exact.
    let a = ints::<i64>(&[5, 4], 8, -4, 4);
    let b = ints::<i64>(&[4], 9, 1, 3);
    let fa = a.mapv(|v| v as f64);
    let fb = b.mapv(|v| v as f64);
    for (da, db, want_dtype) in [
        (DType::I16, DType::F32, DType::F32),
        (DType::I8, DType::I32, DType::I32),
        (DType::U8, DType::I8, DType::I16),
        (DType::F32, DType::F64, DType::F64),
    ] {
        // Unsigned operands get the magnitudes (a negative one would wrap to 252...,
        // whose powers overflow int16, as they would in NumPy).
        let (src, ra) = if da == DType::U8 {
            (a.mapv(i64::abs), fa.mapv(f64::abs))
        } else {
            (a.clone(), fa.clone())
        };
        let x = dyn_of(&src, [2, 3]).astype(da);
        let y = dyn_of(&b, [3]).astype(db);
        for &f in BinaryFn::ALL {
            if matches!(
                f,
                BinaryFn::LogicalAnd | BinaryFn::LogicalOr | BinaryFn::LogicalXor
            ) {
                continue;
            }
            let got = x.binary(f, &y);
            let expected_dtype = match f {
                BinaryFn::Div | BinaryFn::Arctan2 | BinaryFn::Hypot if !want_dtype.is_float() => {
                    DType::F64
                }
                BinaryFn::Equal
                | BinaryFn::NotEqual
                | BinaryFn::Less
                | BinaryFn::LessEqual
                | BinaryFn::Greater
                | BinaryFn::GreaterEqual => DType::Bool,
                _ => want_dtype,
            };
            assert_eq!(got.dtype(), expected_dtype, "{da} {f:?} {db}");
            let want = broadcast_ref(&ra, &fb, |p, q| reference(f, p, q));
            let tol = if want_dtype == DType::F32 { 1e-6 } else { RTOL };
            assert_close(&f64s(&got), &want, tol);
        }
    }
}

#[test]
fn integer_arithmetic_wraps_like_numpy() {
    let a = ArrayD::from_elem(IxDyn(&[3]), 100i8);
    let x = dyn_of(&a, [2]);
    let sum: ArrayD<i8> = x.add(&x).compute().unwrap().into_typed().unwrap();
    assert_eq!(sum, ArrayD::from_elem(IxDyn(&[3]), -56i8));
    let prod: ArrayD<i8> = x.mul(2).compute().unwrap().into_typed().unwrap();
    assert_eq!(prod, ArrayD::from_elem(IxDyn(&[3]), -56i8));
}
