//! Elementwise operations against ndarray: operators between arrays and with scalars on
//! both sides, broadcasting, math functions, comparisons, logic, `where_`, `clip`,
//! `astype`, and integer wrapping arithmetic.

use chunkwise::{where_, Chunks, LazyArray};
use ndarray::{array, ArrayD, IxDyn};

use crate::common::{
    assert_bits_equal, assert_close, assert_close_f32, assert_same, cases, ints, lazy, positive,
    run, values, with_nans, zip_map, RTOL, RTOL_F32,
};

/// A chunking for `shape` different from the case tables' (3 per axis).
fn other_chunks(shape: &[usize]) -> Chunks {
    Chunks::from(vec![3; shape.len()])
}

/// Pairs of operands whose shapes broadcast: (shape, chunks) of each.
fn broadcast_pairs() -> Vec<(Vec<usize>, Chunks, Vec<usize>, Chunks)> {
    let c = |v: &[usize]| Chunks::from(v.to_vec());
    vec![
        (
            vec![7, 5],
            Chunks::from(vec![vec![3, 1, 3], vec![2, 3]]),
            vec![5],
            c(&[2]),
        ),
        (vec![7, 5], c(&[2, 2]), vec![7, 1], c(&[3, 1])),
        (vec![13, 1, 4], c(&[4, 1, 3]), vec![5, 4], c(&[2, 4])),
        (vec![1, 5], c(&[1, 2]), vec![7, 1], c(&[3, 1])),
        (vec![], c(&[]), vec![7, 5], c(&[2, 3])),
        (
            vec![2, 3, 4, 5],
            c(&[1, 2, 3, 2]),
            vec![3, 1, 5],
            c(&[1, 1, 4]),
        ),
        (vec![3, 0, 4], c(&[2, 1, 3]), vec![4], c(&[1])),
        (vec![1], c(&[1]), vec![0], c(&[1])),
        (
            vec![4, 1, 3],
            Chunks::from(vec![vec![1, 3], vec![1], vec![2, 1]]),
            vec![1, 6, 1],
            c(&[1, 4, 1]),
        ),
    ]
}

#[test]
fn arithmetic_between_arrays_matches_ndarray() {
    for case in cases() {
        let (a, b) = (values(&case.shape, 1), values(&case.shape, 2));
        let x = lazy(&a, case.chunks.clone());
        let y = lazy(&b, other_chunks(&case.shape));
        let name = case.name;
        assert_close(&run(&(&x + &y)), &(&a + &b), RTOL);
        assert_close(&run(&(&x - &y)), &(&a - &b), RTOL);
        assert_close(&run(&(&x * &y)), &(&a * &b), RTOL);
        assert_close(&run(&(&x / &y)), &(&a / &b), RTOL);
        // Owned and borrowed operands in every combination.
        assert_close(&run(&(x.clone() + y.clone())), &(&a + &b), RTOL);
        assert_close(&run(&(x.clone() - &y)), &(&a - &b), RTOL);
        assert_close(&run(&(&x * y.clone())), &(&a * &b), RTOL);
        let chain = (&(&x + &y) * &x) - &y;
        assert_close(&run(&chain), &(&(&(&a + &b) * &a) - &b), RTOL);
        assert_eq!(chain.shape(), case.shape.as_slice(), "{name}");
    }
}

#[test]
fn arithmetic_with_scalars_on_both_sides() {
    for case in cases() {
        let a = values(&case.shape, 3);
        let x = lazy(&a, case.chunks.clone());
        assert_close(&run(&(&x + 2.0)), &a.mapv(|v| v + 2.0), RTOL);
        assert_close(&run(&(2.0 + &x)), &a.mapv(|v| 2.0 + v), RTOL);
        assert_close(&run(&(&x - 1.5)), &a.mapv(|v| v - 1.5), RTOL);
        assert_close(&run(&(1.5 - &x)), &a.mapv(|v| 1.5 - v), RTOL);
        assert_close(&run(&(&x * -3.0)), &a.mapv(|v| v * -3.0), RTOL);
        assert_close(&run(&(-3.0 * &x)), &a.mapv(|v| -3.0 * v), RTOL);
        assert_close(&run(&(&x / 4.0)), &a.mapv(|v| v / 4.0), RTOL);
        assert_close(&run(&(4.0 / &x)), &a.mapv(|v| 4.0 / v), RTOL);
        assert_close(&run(&(x.clone() * 0.5)), &a.mapv(|v| v * 0.5), RTOL);
        assert_close(&run(&(0.5 - x.clone())), &a.mapv(|v| 0.5 - v), RTOL);
        assert_close(&run(&-&x), &a.mapv(|v| -v), RTOL);
        assert_close(&run(&-(x.clone())), &a.mapv(|v| -v), RTOL);
        let mixed = (2.0 * &x - 1.0) / 3.0;
        assert_close(&run(&mixed), &a.mapv(|v| (2.0 * v - 1.0) / 3.0), RTOL);
    }
    let i = ints::<i32>(&[7, 5], 1, -50, 50);
    let x = lazy(&i, [2, 3]);
    assert_same(&run(&(10 - &x)), &i.mapv(|v| 10 - v));
    assert_same(&run(&(&x * 3)), &i.mapv(|v| v * 3));
    assert_same(
        &run(&(100 / &x)),
        &i.mapv(|v| if v == 0 { 0 } else { 100 / v }),
    );
    let f = ints::<f32>(&[7, 5], 2, -5, 5);
    let y = lazy(&f, [3, 3]);
    assert_close_f32(
        &run(&(1.5f32 * &y + 0.25)),
        &f.mapv(|v| 1.5 * v + 0.25),
        RTOL_F32,
    );
}

#[test]
fn broadcasting_matches_ndarray() {
    for (sa, ca, sb, cb) in broadcast_pairs() {
        let (a, b) = (values(&sa, 4), values(&sb, 5));
        let (x, y) = (lazy(&a, ca), lazy(&b, cb));
        let want_shape = crate::common::broadcast_shape(&sa, &sb);
        let sum = &x + &y;
        assert_eq!(sum.shape(), want_shape.as_slice(), "{sa:?} + {sb:?}");
        assert_close(&run(&sum), &zip_map(&a, &b, |p, q| p + q), RTOL);
        assert_close(&run(&(&y - &x)), &zip_map(&b, &a, |p, q| p - q), RTOL);
        assert_close(&run(&(&x * &y)), &zip_map(&a, &b, |p, q| p * q), RTOL);
        assert_close(&run(&(&y / &x)), &zip_map(&b, &a, |p, q| p / q), RTOL);
        assert_close(&run(&x.maximum(&y)), &zip_map(&a, &b, f64::max), RTOL);
        assert_close(&run(&y.pow(&x)), &zip_map(&b, &a, f64::powf), RTOL);
        assert_same(&run(&x.less(&y)), &zip_map(&a, &b, |p, q| p < q));
        assert_same(&run(&y.greater_equal(&x)), &zip_map(&b, &a, |p, q| p >= q));
        // Broadcasting then reducing over the broadcast axes.
        let total = sum.sum(..).compute_scalar().unwrap();
        let want = zip_map(&a, &b, |p, q| p + q).sum();
        assert!(crate::common::close(total, want, RTOL), "{total} vs {want}");
    }
}

#[test]
fn math_functions_match_std() {
    type F = fn(f64) -> f64;
    for case in cases() {
        let a = values(&case.shape, 6);
        let p = positive(&case.shape, 7);
        let x = lazy(&a, case.chunks.clone());
        let xp = lazy(&p, case.chunks.clone());
        let unit = lazy(&a.mapv(|v| v / 3.0), case.chunks.clone());
        let checks: Vec<(&str, LazyArray<f64>, ArrayD<f64>)> = vec![
            ("abs", x.abs(), a.mapv(f64::abs)),
            ("sqrt", xp.sqrt(), p.mapv(f64::sqrt)),
            ("sqrt of negatives", x.sqrt(), a.mapv(f64::sqrt)),
            ("exp", x.exp(), a.mapv(f64::exp)),
            ("ln", xp.ln(), p.mapv(f64::ln)),
            ("ln of zero and negatives", x.ln(), a.mapv(f64::ln)),
            ("log10", xp.log10(), p.mapv(f64::log10)),
            ("sin", x.sin(), a.mapv(f64::sin)),
            ("cos", x.cos(), a.mapv(f64::cos)),
            ("tan", x.tan(), a.mapv(f64::tan)),
            ("arcsin", unit.arcsin(), a.mapv(|v| (v / 3.0).asin())),
            ("arccos", unit.arccos(), a.mapv(|v| (v / 3.0).acos())),
            ("arctan", x.arctan(), a.mapv(f64::atan)),
            ("sinh", x.sinh(), a.mapv(f64::sinh)),
            ("cosh", x.cosh(), a.mapv(f64::cosh)),
            ("tanh", x.tanh(), a.mapv(f64::tanh)),
            ("floor", x.floor(), a.mapv(f64::floor)),
            ("ceil", x.ceil(), a.mapv(f64::ceil)),
            ("round", x.round(), a.mapv(f64::round_ties_even)),
        ];
        for (name, got, want) in checks {
            assert_eq!(
                got.shape(),
                case.shape.as_slice(),
                "{name} on {}",
                case.name
            );
            assert_close(&run(&got), &want, RTOL);
        }
        let composed = x.sin().exp().abs();
        let f: F = |v| v.sin().exp().abs();
        assert_close(&run(&composed), &a.mapv(f), RTOL);
    }
}

#[test]
fn math_functions_on_other_dtypes() {
    let f = ints::<f32>(&[7, 5], 8, -12, 12).mapv(|v| v / 4.0);
    let x = lazy(&f, vec![vec![3, 1, 3], vec![2, 3]]);
    let s: LazyArray<f32> = x.sin();
    assert_close_f32(&run(&s), &f.mapv(f32::sin), RTOL_F32);
    assert_close_f32(&run(&x.round()), &f.mapv(f32::round_ties_even), RTOL_F32);
    assert_close_f32(&run(&x.abs().sqrt()), &f.mapv(|v| v.abs().sqrt()), RTOL_F32);
    // Integers become f64.
    let i = ints::<i32>(&[13, 1, 4], 9, -20, 20);
    let y = lazy(&i, [4, 1, 3]);
    let c: LazyArray<f64> = y.cos();
    assert_close(&run(&c), &i.mapv(|v| f64::from(v).cos()), RTOL);
    assert_close(&run(&y.exp()), &i.mapv(|v| f64::from(v).exp()), RTOL);
    let u = ints::<u8>(&[7], 10, 1, 200);
    assert_close(
        &run(&lazy(&u, [3]).log10()),
        &u.mapv(|v| f64::from(v).log10()),
        RTOL,
    );
    assert_same(&run(&y.abs()), &i.mapv(i32::abs));
}

#[test]
fn round_halves_to_even() {
    let a = array![0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.4999, -3.5001].into_dyn();
    let x = lazy(&a, [4]);
    let got = run(&x.round());
    assert_eq!(
        got.into_raw_vec_and_offset().0,
        vec![0.0, 2.0, 2.0, -0.0, -2.0, -2.0, 4.0, 0.0, -4.0]
    );
    let f = array![0.5f32, 1.5, 2.5, -2.5].into_dyn();
    let y = lazy(&f, [3]);
    assert_eq!(
        run(&y.round()).into_raw_vec_and_offset().0,
        vec![0.0f32, 2.0, 2.0, -2.0]
    );
}

#[test]
fn powers_match_std() {
    for case in cases() {
        let a = values(&case.shape, 11);
        let b = values(&case.shape, 12);
        let p = positive(&case.shape, 13);
        let x = lazy(&a, case.chunks.clone());
        let xp = lazy(&p, case.chunks.clone());
        for e in [0, 1, 2, 3, -1, -2] {
            assert_close(&run(&x.powi(e)), &a.mapv(|v| v.powi(e)), RTOL);
        }
        assert_close(&run(&xp.powf(0.5)), &p.mapv(|v| v.powf(0.5)), RTOL);
        assert_close(&run(&xp.powf(-1.5)), &p.mapv(|v| v.powf(-1.5)), RTOL);
        assert_close(&run(&x.powf(0.5)), &a.mapv(|v| v.powf(0.5)), RTOL);
        assert_close(&run(&x.pow(2.0)), &a.mapv(|v| v.powf(2.0)), RTOL);
        // `x ** 2` is `x * x` exactly, as NumPy computes it.
        assert_same(&run(&x.pow(2.0)), &a.mapv(|v| v * v));
        let y = lazy(&b, other_chunks(&case.shape));
        assert_close(&run(&xp.pow(&y)), &zip_map(&p, &b, f64::powf), RTOL);
        assert_close(&run(&x.pow(&y)), &zip_map(&a, &b, f64::powf), RTOL);
    }
}

#[test]
fn integer_powers_wrap_and_truncate() {
    let i = ints::<i64>(&[7, 5], 14, -30, 30);
    let x = lazy(&i, [3, 2]);
    assert_same(&run(&x.powi(3)), &i.mapv(|v| v.pow(3)));
    assert_same(&run(&x.powi(0)), &i.mapv(|_| 1));
    let small = ints::<i8>(&[13], 15, -128, 127);
    let y = lazy(&small, [4]);
    assert_same(&run(&y.powi(2)), &small.mapv(|v| v.wrapping_pow(2)));
    assert_same(&run(&y.powi(5)), &small.mapv(|v| v.wrapping_pow(5)));
    // Array exponents wrap; a negative one is an error of its task, as NumPy refuses
    // integers to negative integer powers.
    let base = array![2i32, 1, -1, -1, 3, -2, 7, 5].into_dyn();
    let exp = array![1i32, 5, 3, 2, 3, 3, 0, 12].into_dyn();
    let got = run(&lazy(&base, [3]).pow(lazy(&exp, [5])));
    let want = array![2, 1, -1, 1, 27, -8, 1, 5i32.wrapping_pow(12)].into_dyn();
    assert_same(&got, &want);
    let negative = lazy(&base, [3]).pow(lazy(&(-exp), [5]));
    assert!(negative.compute().is_err());
    let u = ints::<u16>(&[9], 16, 0, 400);
    assert_same(&run(&lazy(&u, [4]).pow(3)), &u.mapv(|v| v.wrapping_pow(3)));
}

fn nan_min(p: f64, q: f64) -> f64 {
    if p.is_nan() || q.is_nan() {
        f64::NAN
    } else {
        p.min(q)
    }
}

fn nan_max(p: f64, q: f64) -> f64 {
    if p.is_nan() || q.is_nan() {
        f64::NAN
    } else {
        p.max(q)
    }
}

#[test]
fn minimum_and_maximum_propagate_nan() {
    for case in cases() {
        let a = with_nans(&case.shape, 17);
        let b = with_nans(&case.shape, 18);
        let x = lazy(&a, case.chunks.clone());
        let y = lazy(&b, other_chunks(&case.shape));
        assert_close(&run(&x.minimum(&y)), &zip_map(&a, &b, nan_min), RTOL);
        assert_close(&run(&x.maximum(&y)), &zip_map(&a, &b, nan_max), RTOL);
        assert_close(&run(&x.minimum(0.5)), &a.mapv(|v| nan_min(v, 0.5)), RTOL);
        assert_close(&run(&y.maximum(-0.5)), &b.mapv(|v| nan_max(v, -0.5)), RTOL);
    }
    let nan_first = lazy(&array![f64::NAN, 1.0, 2.0].into_dyn(), [2]);
    let nan_second = lazy(&array![1.0, f64::NAN, 0.0].into_dyn(), [1]);
    let min = run(&nan_first.minimum(&nan_second));
    assert!(min[[0]].is_nan() && min[[1]].is_nan());
    assert_eq!(min[[2]], 0.0);
    let i = ints::<i16>(&[7, 5], 19, -9, 9);
    let j = ints::<i16>(&[5], 20, -9, 9);
    let got = run(&lazy(&i, [2, 2]).maximum(lazy(&j, [4])));
    assert_same(&got, &zip_map(&i, &j, std::cmp::max));
}

#[test]
fn comparisons_match_ndarray() {
    for case in cases() {
        let a = with_nans(&case.shape, 21);
        let b = values(&case.shape, 22);
        let x = lazy(&a, case.chunks.clone());
        let y = lazy(&b, other_chunks(&case.shape));
        assert_same(&run(&x.equal(&y)), &zip_map(&a, &b, |p, q| p == q));
        assert_same(&run(&x.not_equal(&y)), &zip_map(&a, &b, |p, q| p != q));
        assert_same(&run(&x.less(&y)), &zip_map(&a, &b, |p, q| p < q));
        assert_same(&run(&x.less_equal(&y)), &zip_map(&a, &b, |p, q| p <= q));
        assert_same(&run(&x.greater(&y)), &zip_map(&a, &b, |p, q| p > q));
        assert_same(&run(&x.greater_equal(&y)), &zip_map(&a, &b, |p, q| p >= q));
        assert_same(&run(&x.equal(0.0)), &a.mapv(|v| v == 0.0));
        assert_same(&run(&y.greater(0.5)), &b.mapv(|v| v > 0.5));
        assert_same(&run(&y.less_equal(-1.0)), &b.mapv(|v| v <= -1.0));
        // A comparison with itself: false only at NaN.
        assert_same(&run(&x.equal(&x)), &a.mapv(|v| !v.is_nan()));
    }
    let i = ints::<u32>(&[13, 1, 4], 23, 0, 5);
    let x = lazy(&i, [4, 1, 3]);
    assert_same(&run(&x.not_equal(3)), &i.mapv(|v| v != 3));
    let sq = ints::<u32>(&[5, 5], 39, 0, 5);
    let s = lazy(&sq, vec![vec![2, 3], vec![4, 1]]);
    let want = zip_map(&sq, &sq.t().to_owned(), |p, q| p < q);
    assert_same(&run(&s.less(s.t())), &want);
}

#[test]
fn where_selects_with_broadcasting() {
    for case in cases() {
        let a = values(&case.shape, 24);
        let b = values(&case.shape, 25);
        let x = lazy(&a, case.chunks.clone());
        let y = lazy(&b, other_chunks(&case.shape));
        let cond = x.greater(&y);
        let got = run(&where_(&cond, &x, &y));
        assert_close(&got, &zip_map(&a, &b, f64::max), RTOL);
        let relu = run(&where_(&x.greater(0.0), &x, 0.0));
        assert_close(&relu, &a.mapv(|v| if v > 0.0 { v } else { 0.0 }), RTOL);
        let flip = run(&where_(&x.less(0.0), -1.0, 1.0));
        assert_close(&flip, &a.mapv(|v| if v < 0.0 { -1.0 } else { 1.0 }), RTOL);
    }
    // A column condition, a row and a scalar broadcast together.
    let c = array![[true], [false], [true]].into_dyn();
    let row = array![1, 2, 3, 4].into_dyn();
    let got = run(&where_(&lazy(&c, [2, 1]), lazy(&row, [3]), 0));
    assert_same(
        &got,
        &array![[1, 2, 3, 4], [0, 0, 0, 0], [1, 2, 3, 4]].into_dyn(),
    );
}

#[test]
fn clip_limits_and_keeps_nan() {
    for case in cases() {
        let a = with_nans(&case.shape, 26);
        let x = lazy(&a, case.chunks.clone());
        let want = a.mapv(|v| if v.is_nan() { v } else { v.clamp(-1.0, 1.5) });
        assert_close(&run(&x.clip(-1.0, 1.5)), &want, RTOL);
    }
    let i = ints::<i64>(&[7, 5], 27, -100, 100);
    assert_same(
        &run(&lazy(&i, [3, 3]).clip(-10, 20)),
        &i.mapv(|v| v.clamp(-10, 20)),
    );
    let u = ints::<u8>(&[7], 28, 0, 255);
    assert_same(
        &run(&lazy(&u, [2]).clip(10, 100)),
        &u.mapv(|v| v.clamp(10, 100)),
    );
}

#[test]
fn isnan_and_isfinite() {
    for case in cases() {
        let mut a = with_nans(&case.shape, 29);
        for (k, v) in a.iter_mut().enumerate() {
            if k % 7 == 3 {
                *v = if k % 2 == 0 {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                };
            }
        }
        let x = lazy(&a, case.chunks.clone());
        assert_same(&run(&x.isnan()), &a.mapv(f64::is_nan));
        assert_same(&run(&x.isfinite()), &a.mapv(f64::is_finite));
        assert_same(&run(&x.isnan().logical_not()), &a.mapv(|v| !v.is_nan()));
    }
    let i = ints::<i32>(&[7], 30, -5, 5);
    let x = lazy(&i, [3]);
    assert!(run(&x.isfinite()).iter().all(|&v| v));
    assert!(run(&x.isnan()).iter().all(|&v| !v));
}

#[test]
fn logical_operations_match_ndarray() {
    for case in cases() {
        let a = ints::<i64>(&case.shape, 31, 0, 1).mapv(|v| v == 1);
        let b = ints::<i64>(&case.shape, 32, 0, 1).mapv(|v| v == 1);
        let x = lazy(&a, case.chunks.clone());
        let y = lazy(&b, other_chunks(&case.shape));
        assert_same(&run(&x.logical_and(&y)), &zip_map(&a, &b, |p, q| p && q));
        assert_same(&run(&x.logical_or(&y)), &zip_map(&a, &b, |p, q| p || q));
        assert_same(&run(&x.logical_not()), &a.mapv(|v| !v));
        assert_same(&run(&(&x & &y)), &zip_map(&a, &b, |p, q| p && q));
        assert_same(&run(&(&x | &y)), &zip_map(&a, &b, |p, q| p || q));
        assert_same(&run(&!&x), &a.mapv(|v| !v));
        assert_same(&run(&x.logical_and(true)), &a);
        assert_same(&run(&x.logical_or(true)), &a.mapv(|_| true));
        assert_same(&run(&x.equal(&y)), &zip_map(&a, &b, |p, q| p == q));
    }
    let col = array![[true], [false]].into_dyn();
    let row = array![true, false, true].into_dyn();
    let got = run(&lazy(&col, [1, 1]).logical_or(lazy(&row, [2])));
    assert_same(
        &got,
        &array![[true, true, true], [true, false, true]].into_dyn(),
    );
}

#[test]
fn astype_follows_numpy_rules() {
    let special = array![
        -1.7,
        -0.5,
        0.0,
        0.5,
        1.9,
        2.5,
        300.7,
        -300.2,
        1e20,
        -1e20,
        f64::NAN,
        f64::INFINITY
    ]
    .into_dyn();
    let x = lazy(&special, [5]);
    assert_same(&run(&x.astype::<i32>()), &special.mapv(|v| v as i32));
    assert_eq!(
        run(&x.astype::<i32>()).into_raw_vec_and_offset().0[..7],
        [-1, 0, 0, 0, 1, 2, 300],
        "float to int truncates toward zero"
    );
    assert_same(&run(&x.astype::<u8>()), &special.mapv(|v| v as u8));
    assert_same(&run(&x.astype::<i64>()), &special.mapv(|v| v as i64));
    assert_same(&run(&x.astype::<bool>()), &special.mapv(|v| v != 0.0));
    assert_close_f32(&run(&x.astype::<f32>()), &special.mapv(|v| v as f32), 0.0);
    assert_bits_equal(
        &run(&x.astype::<f32>().astype::<f64>()),
        &special.mapv(|v| f64::from(v as f32)),
    );
    assert_eq!(
        x.astype::<f64>().key(),
        x.key(),
        "a cast to the same dtype is the identity"
    );
    for case in cases() {
        let a = values(&case.shape, 33);
        let x = lazy(&a, case.chunks.clone());
        assert_same(&run(&x.astype::<i16>()), &a.mapv(|v| v as i16));
        let b = x.greater(0.0);
        assert_same(
            &run(&b.astype::<f64>()),
            &a.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }),
        );
        assert_same(&run(&b.astype::<i32>()), &a.mapv(|v| i32::from(v > 0.0)));
        let round_trip = x.astype::<f32>().astype::<f64>();
        assert_close(&run(&round_trip), &a, RTOL);
    }
    let i = ints::<i32>(&[7, 5], 34, -400, 400);
    let y = lazy(&i, vec![vec![3, 1, 3], vec![2, 3]]);
    assert_same(&run(&y.astype::<u8>()), &i.mapv(|v| v as u8));
    assert_same(&run(&y.astype::<i8>()), &i.mapv(|v| v as i8));
    assert_same(&run(&y.astype::<f32>()), &i.mapv(|v| v as f32));
    assert_same(&run(&y.astype::<u64>()), &i.mapv(|v| v as u64));
    let big = array![u64::MAX, 0, 1 << 63, 12345].into_dyn();
    let z = lazy(&big, [3]);
    assert_same(&run(&z.astype::<i64>()), &big.mapv(|v| v as i64));
    assert_same(&run(&z.astype::<f64>()), &big.mapv(|v| v as f64));
    let neg = array![-1i8, -128, 127, 0].into_dyn();
    assert_same(
        &run(&lazy(&neg, [2]).astype::<u16>()),
        &neg.mapv(|v| v as u16),
    );
}

#[test]
fn integer_arithmetic_wraps() {
    let a = array![100i8, -100, 127, -128, 5, -7].into_dyn();
    let b = array![100i8, -100, 1, -1, 0, 2].into_dyn();
    let (x, y) = (lazy(&a, [4]), lazy(&b, [5]));
    assert_same(&run(&(&x + &y)), &zip_map(&a, &b, i8::wrapping_add));
    assert_same(&run(&(&x - &y)), &zip_map(&a, &b, i8::wrapping_sub));
    assert_same(&run(&(&x * &y)), &zip_map(&a, &b, i8::wrapping_mul));
    // Division truncates toward zero, wraps at MIN / -1, and gives 0 for division by 0.
    let div = run(&(&x / &y));
    assert_same(&div, &array![1i8, 1, 127, -128, 0, -3].into_dyn());
    assert_same(&run(&-&x), &a.mapv(i8::wrapping_neg));
    assert_same(&run(&x.abs()), &a.mapv(i8::wrapping_abs));
    assert_same(&run(&(100i8 + &x)), &a.mapv(|v| 100i8.wrapping_add(v)));
    let u = array![200u8, 3, 0, 255].into_dyn();
    let v = array![100u8, 5, 0, 255].into_dyn();
    let (p, q) = (lazy(&u, [3]), lazy(&v, [1]));
    assert_same(&run(&(&p + &q)), &array![44u8, 8, 0, 254].into_dyn());
    assert_same(&run(&(&p - &q)), &array![100u8, 254, 0, 0].into_dyn());
    assert_same(&run(&(&p * &q)), &zip_map(&u, &v, u8::wrapping_mul));
    assert_same(&run(&(&p / &q)), &array![2u8, 0, 0, 1].into_dyn());
    assert_same(&run(&(&p / 0)), &array![0u8, 0, 0, 0].into_dyn());
    let big = array![65_536i32, i32::MAX, i32::MIN, -65_536].into_dyn();
    let w = lazy(&big, [2]);
    assert_same(&run(&(&w * &w)), &big.mapv(|v| v.wrapping_mul(v)));
    assert_same(&run(&(&w + 1)), &big.mapv(|v| v.wrapping_add(1)));
    assert_same(&run(&(&w / -1)), &big.mapv(|v| v.wrapping_div(-1)));
    for case in cases() {
        let i = ints::<i64>(&case.shape, 35, -1000, 1000);
        let j = ints::<i64>(&case.shape, 36, -3, 3);
        let x = lazy(&i, case.chunks.clone());
        let y = lazy(&j, other_chunks(&case.shape));
        let want = zip_map(&i, &j, |p, q| if q == 0 { 0 } else { p / q });
        assert_same(&run(&(&x / &y)), &want);
        assert_same(&run(&(&(&x * &y) - &x)), &zip_map(&i, &j, |p, q| p * q - p));
    }
}

#[test]
fn f32_arithmetic_stays_f32() {
    let a = ints::<f32>(&[13, 1, 4], 37, -12, 12).mapv(|v| v / 4.0);
    let b = ints::<f32>(&[4], 38, 1, 8);
    let x = lazy(&a, [4, 1, 3]);
    let y = lazy(&b, [3]);
    let z: LazyArray<f32> = ((&x * &y) - 1.0f32) / 2.0f32;
    assert_close_f32(
        &run(&z),
        &zip_map(&a, &b, |p, q| (p * q - 1.0) / 2.0),
        RTOL_F32,
    );
    let m = run(&x.mean(..));
    assert_eq!(m.shape(), &[] as &[usize]);
    let want = a.iter().map(|&v| f64::from(v)).sum::<f64>() / a.len() as f64;
    assert!((f64::from(m[IxDyn(&[])]) - want).abs() < 1e-5);
}

/// Test values of every element type: integers over their whole range (raw hash bits),
/// floats from a list of awkward values.
fn raw<T: Copy + 'static>(shape: &[usize], seed: u64, f: impl Fn(u64) -> T) -> ArrayD<T> {
    crate::common::from_flat(shape, |k| {
        f(crate::common::mix(k ^ crate::common::mix(seed)))
    })
}

const AWKWARD: [f64; 16] = [
    0.0,
    -0.0,
    0.5,
    -0.5,
    1.7,
    -1.7,
    127.9,
    -128.9,
    255.5,
    300.2,
    -300.2,
    65_535.9,
    1e20,
    -1e20,
    f64::NAN,
    f64::INFINITY,
];

/// `astype` from `$s` to each listed type, against Rust's `as` (saturating float to int,
/// NaN to 0, wrapping int to int) and "not zero" for `bool`.
macro_rules! casts_from {
    ($s:ty, $values:expr => $($d:ty),*) => {{
        let a: ArrayD<$s> = $values;
        let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
        $(
            crate::common::assert_same_or_nan(&run(&x.astype::<$d>()), &a.mapv(|v| v as $d));
        )*
        assert_same(&run(&x.astype::<bool>()), &a.mapv(|v| v != (0 as $s)));
        let b = a.mapv(|v| v != (0 as $s));
        let y = lazy(&b, [2, 2]);
        assert_same(&run(&y.astype::<$s>()), &b.mapv(|v| u8::from(v) as $s));
    }};
}

#[test]
fn astype_between_every_pair_of_dtypes() {
    let shape = [7, 5];
    let ints = |seed| raw(&shape, seed, |r| r);
    let floats = |seed| raw(&shape, seed, |r| AWKWARD[(r % 16) as usize]);
    casts_from!(i8, ints(1).mapv(|r| r as i8) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(i16, ints(2).mapv(|r| r as i16) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(i32, ints(3).mapv(|r| r as i32) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(i64, ints(4).mapv(|r| r as i64) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(u8, ints(5).mapv(|r| r as u8) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(u16, ints(6).mapv(|r| r as u16) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(u32, ints(7).mapv(|r| r as u32) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(u64, ints(8) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    let f32s = floats(9).mapv(|v| v as f32);
    casts_from!(f32, f32s => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
    casts_from!(f64, floats(10) => i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
}

/// Wrapping arithmetic, division by zero, powers, extremes and comparisons of one integer
/// type, over its whole range.
macro_rules! integer_ops {
    ($($t:ty),*) => {$({
        let shape = [13, 1, 4];
        let a: ArrayD<$t> = raw(&shape, 20, |r| r as $t);
        // Small divisors and exponents, with zeros.
        let b: ArrayD<$t> = raw(&shape, 21, |r| (r % 5) as $t);
        let x = lazy(&a, [4, 1, 3]);
        let y = lazy(&b, vec![vec![6, 6, 1], vec![1], vec![1, 3]]);
        assert_same(&run(&(&x + &y)), &zip_map(&a, &b, <$t>::wrapping_add));
        assert_same(&run(&(&x - &y)), &zip_map(&a, &b, <$t>::wrapping_sub));
        assert_same(&run(&(&x * &x)), &zip_map(&a, &a, <$t>::wrapping_mul));
        let div = |p: $t, q: $t| if q == 0 { 0 } else { p.wrapping_div(q) };
        assert_same(&run(&(&x / &y)), &zip_map(&a, &b, div));
        assert_same(&run(&(&y / &x)), &zip_map(&b, &a, div));
        assert_same(&run(&-&x), &a.mapv(<$t>::wrapping_neg));
        assert_same(&run(&x.abs()), &a.mapv(|v| if v < (0 as $t) { v.wrapping_neg() } else { v }));
        assert_same(&run(&x.pow(&y)), &zip_map(&a, &b, |p, q| p.wrapping_pow(q as u32)));
        assert_same(&run(&x.powi(3)), &a.mapv(|v| v.wrapping_pow(3)));
        assert_same(&run(&x.minimum(&y)), &zip_map(&a, &b, std::cmp::min));
        assert_same(&run(&x.maximum(&y)), &zip_map(&a, &b, std::cmp::max));
        assert_same(&run(&x.less(&y)), &zip_map(&a, &b, |p, q| p < q));
        assert_same(&run(&x.greater_equal(&y)), &zip_map(&a, &b, |p, q| p >= q));
        assert_same(&run(&x.equal(&x)), &a.mapv(|_| true));
        let (lo, hi) = (<$t>::MIN / 2, <$t>::MAX / 2);
        assert_same(&run(&x.clip(lo, hi)), &a.mapv(|v| v.clamp(lo, hi)));
        assert_same(&run(&(&x + <$t>::MAX)), &a.mapv(|v| v.wrapping_add(<$t>::MAX)));
        assert_same(&run(&(<$t>::MIN - &x)), &a.mapv(|v| <$t>::MIN.wrapping_sub(v)));
        let w = run(&where_(&x.greater(&y), &x, <$t>::MIN));
        assert_same(&w, &zip_map(&a, &b, |p, q| if p > q { p } else { <$t>::MIN }));
    })*};
}

#[test]
fn integer_operations_of_every_width() {
    integer_ops!(i8, i16, i32, i64, u8, u16, u32, u64);
}
