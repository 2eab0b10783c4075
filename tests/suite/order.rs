//! Order statistics and binning against eager references and NumPy's printed results:
//! `sort`/`argsort` along every axis of the shared case table (NaN last, ties stable),
//! `median`/`quantile`/`percentile` and the `nan` variants along axes and over the whole
//! array (dtypes as NumPy's), `count_nonzero`, `histogram`, `searchsorted`,
//! `digitize`, the language's entries, errors, and proptests over random shapes and
//! chunkings.

// NumPy's printed digits, and its `(a + b) / 2` median, kept as written.
#![allow(clippy::unreadable_literal, clippy::manual_midpoint)]

use chunkwise::{lang, DType, Error, LazyArray, Side};
use ndarray::{array, ArrayD, Axis, IxDyn};
use proptest::prelude::*;

use crate::common::{cases, failure, from_flat, into_root, ints, lazy, mix, run, with_nans};

/// NumPy's order: NaN last, otherwise by value (`-0.0 == 0.0`).
fn numpy_cmp(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).unwrap(),
    }
}

/// Eager stable argsort along `axis`.
fn eager_argsort(a: &ArrayD<f64>, axis: usize) -> ArrayD<i64> {
    let mut out = ArrayD::<i64>::zeros(a.raw_dim());
    for (lane, mut o) in a
        .lanes(Axis(axis))
        .into_iter()
        .zip(out.lanes_mut(Axis(axis)))
    {
        let v: Vec<f64> = lane.to_vec();
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&i, &j| numpy_cmp(v[i], v[j]));
        for (o, i) in o.iter_mut().zip(idx) {
            *o = i as i64;
        }
    }
    out
}

/// Eager sort along `axis`.
fn eager_sort(a: &ArrayD<f64>, axis: usize) -> ArrayD<f64> {
    let mut out = a.clone();
    for mut lane in out.lanes_mut(Axis(axis)) {
        let mut v = lane.to_vec();
        v.sort_by(|x, y| numpy_cmp(*x, *y));
        for (o, x) in lane.iter_mut().zip(v) {
            *o = x;
        }
    }
    out
}

/// Equal values, NaN equal to NaN.
#[track_caller]
fn assert_same_f64(got: &ArrayD<f64>, want: &ArrayD<f64>) {
    assert_eq!(got.shape(), want.shape());
    for (g, w) in got.iter().zip(want) {
        assert!(
            g == w || (g.is_nan() && w.is_nan()),
            "got {got}\nwant {want}"
        );
    }
}

#[test]
fn sort_and_argsort_along_every_axis_of_every_case() {
    for case in cases() {
        let a = with_nans(&case.shape, 7);
        let x = lazy(&a, case.chunks.clone());
        for axis in 0..case.shape.len() {
            let s = x.sort(axis);
            assert_eq!(s.chunks(), x.chunks(), "{}: chunks kept", case.name);
            assert_same_f64(&run(&s), &eager_sort(&a, axis));
            assert_eq!(
                run(&x.argsort(axis)),
                eager_argsort(&a, axis),
                "{} axis {axis}",
                case.name
            );
            assert_eq!(run(&x.argsort(-1 - axis as isize)).ndim(), case.shape.len());
        }
    }
}

#[test]
fn argsort_is_stable_with_nan_last_and_zeros_equal() {
    // NumPy: np.argsort([3., nan, 1., 3., -0.0, 0.0, nan, 1.], kind='stable')
    let x = lazy(
        &array![3., f64::NAN, 1., 3., -0.0, 0.0, f64::NAN, 1.].into_dyn(),
        [3],
    );
    assert_eq!(
        run(&x.argsort(0)),
        array![4i64, 5, 2, 7, 0, 3, 1, 6].into_dyn()
    );
}

#[test]
fn sort_integers_and_bools() {
    let a: ArrayD<i16> = ints(&[5, 9], 3, -300, 300);
    let x = lazy(&a, vec![vec![2, 3], vec![4, 4, 1]]);
    let want = eager_sort(&a.mapv(f64::from), 1).mapv(|v| v as i16);
    assert_eq!(run(&x.sort(1)), want);
    let b = lazy(&array![true, false, true, false].into_dyn(), [3]);
    assert_eq!(run(&b.sort(0)), array![false, false, true, true].into_dyn());
    assert_eq!(run(&b.argsort(0)), array![1i64, 3, 0, 2].into_dyn());
}

#[test]
fn sort_errors() {
    let x = chunkwise::zeros::<f64>(&[3, 4], [2, 2]);
    assert!(matches!(
        into_root(failure(x.sort(2))),
        Error::AxisOutOfRange { axis: 2, .. }
    ));
    let s = chunkwise::full(&[], 1.0f64, Vec::<usize>::new());
    assert!(matches!(
        into_root(failure(s.sort(0))),
        Error::AxisOutOfRange { .. }
    ));
}

/// Eager `argtopk`: the `k` largest (NaN largest) by index among ties, or the `-k`
/// smallest.
fn eager_argtopk(a: &ArrayD<f64>, k: i64, axis: usize) -> ArrayD<i64> {
    let n = a.shape()[axis];
    let keep = (k.unsigned_abs() as usize).min(n);
    let mut shape = a.shape().to_vec();
    shape[axis] = keep;
    let mut out = ArrayD::<i64>::zeros(IxDyn(&shape));
    for (lane, mut o) in a
        .lanes(Axis(axis))
        .into_iter()
        .zip(out.lanes_mut(Axis(axis)))
    {
        let v: Vec<f64> = lane.to_vec();
        let mut idx: Vec<usize> = (0..n).collect();
        if k > 0 {
            idx.sort_by(|&i, &j| numpy_cmp(v[j], v[i]).then(i.cmp(&j)));
        } else {
            idx.sort_by(|&i, &j| numpy_cmp(v[i], v[j]).then(i.cmp(&j)));
        }
        for (o, i) in o.iter_mut().zip(idx) {
            *o = i as i64;
        }
    }
    out
}

#[test]
fn topk_and_argtopk_along_every_axis() {
    for case in cases() {
        let a = with_nans(&case.shape, 13);
        let x = lazy(&a, case.chunks.clone());
        for axis in 0..case.shape.len() {
            for k in [1i64, 2, -3, 40] {
                let want = eager_argtopk(&a, k, axis);
                assert_eq!(
                    run(&x.argtopk(k, axis)),
                    want,
                    "{} axis {axis} k {k}",
                    case.name
                );
                let values = run(&x.topk(k, axis));
                let picked = want.mapv(|i| i as usize);
                let mut expect = ArrayD::<f64>::zeros(picked.raw_dim());
                for (mut o, (src, ix)) in expect.lanes_mut(Axis(axis)).into_iter().zip(
                    a.lanes(Axis(axis))
                        .into_iter()
                        .zip(picked.lanes(Axis(axis))),
                ) {
                    for (o, &i) in o.iter_mut().zip(ix.iter()) {
                        *o = src[i];
                    }
                }
                assert_same_f64(&values, &expect);
            }
        }
    }
    let x = chunkwise::zeros::<f64>(&[4], [2]);
    assert!(matches!(
        into_root(failure(x.topk(0, 0))),
        Error::InvalidParameter { param: "k", .. }
    ));
}

/// NumPy's `quantile` (linear method) of one lane, in `f64`, for the eager reference.
fn eager_quantile(lane: &[f64], q: f64, nan: bool) -> f64 {
    let mut v: Vec<f64> = lane.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() || (!nan && v.len() != lane.len()) {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    let virtual_index = (n - 1) as f64 * q;
    if virtual_index >= (n - 1) as f64 {
        return v[n - 1];
    }
    let p = virtual_index.floor();
    let t = virtual_index - p;
    let (a, b) = (v[p as usize], v[p as usize + 1]);
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

fn eager_median(lane: &[f64], nan: bool) -> f64 {
    let mut v: Vec<f64> = lane.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() || (!nan && v.len() != lane.len()) {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn along(a: &ArrayD<f64>, axis: usize, f: impl Fn(&[f64]) -> f64) -> ArrayD<f64> {
    a.map_axis(Axis(axis), |lane| f(&lane.to_vec()))
}

#[test]
fn statistics_along_every_axis_of_every_case() {
    for case in cases() {
        let a = with_nans(&case.shape, 11);
        let x = lazy(&a, case.chunks.clone());
        for axis in 0..case.shape.len() {
            for nan in [false, true] {
                let m = if nan {
                    x.nanmedian(axis)
                } else {
                    x.median(axis)
                };
                assert_same_f64(&run(&m), &along(&a, axis, |l| eager_median(l, nan)));
                if case.shape[axis] == 0 {
                    continue;
                }
                for q in [0.0, 0.3, 0.5, 0.95, 1.0] {
                    let got = if nan {
                        x.nanquantile(q, axis)
                    } else {
                        x.quantile(q, axis)
                    };
                    assert_same_f64(&run(&got), &along(&a, axis, |l| eager_quantile(l, q, nan)));
                }
                let list = if nan {
                    x.nanpercentile([10.0, 50.0, 90.0], axis)
                } else {
                    x.percentile([10.0, 50.0, 90.0], axis)
                };
                let got = run(&list);
                assert_eq!(got.shape()[0], 3);
                for (i, q) in [0.1, 0.5, 0.9].into_iter().enumerate() {
                    let want = along(&a, axis, |l| eager_quantile(l, q, nan));
                    assert_same_f64(&got.index_axis(Axis(0), i).to_owned(), &want);
                }
            }
        }
    }
}

#[test]
fn whole_array_statistics_of_every_case() {
    for case in cases() {
        let a = with_nans(&case.shape, 5);
        let flat: Vec<f64> = a.iter().copied().collect();
        let clean = a.mapv(|v| if v.is_nan() { 0.5 } else { v });
        let clean_flat: Vec<f64> = clean.iter().copied().collect();
        let x = lazy(&a, case.chunks.clone());
        let c = lazy(&clean, case.chunks.clone());
        let m = run(&x.nanmedian(..)).first().copied().unwrap();
        let want = eager_median(&flat, true);
        assert!(m == want || (m.is_nan() && want.is_nan()), "{}", case.name);
        assert_same_f64(
            &run(&c.median(..)),
            &ArrayD::from_elem(IxDyn(&[]), eager_median(&clean_flat, false)),
        );
        if !flat.is_empty() {
            let q = run(&c.quantile([0.0, 0.25, 0.6, 1.0], ..));
            let want: Vec<f64> = [0.0, 0.25, 0.6, 1.0]
                .iter()
                .map(|&q| eager_quantile(&clean_flat, q, false))
                .collect();
            assert_eq!(q.into_raw_vec_and_offset().0, want, "{}", case.name);
        }
    }
}

#[test]
fn quantile_matches_numpy_printed_results() {
    let data = array![0.1, 0.7, 0.3, 1e10, -2.5, 0.3, 7.125, 3.3, -0.0, 9.9, 2.2].into_dyn();
    let x = lazy(&data, [4]);
    // np.quantile(a, [0.0, 0.05, 0.37, 0.5, 0.9, 1.0])
    assert_eq!(
        run(&x.quantile([0.0, 0.05, 0.37, 0.5, 0.9, 1.0], ..)),
        array![-2.5, -1.25, 0.3, 0.7, 9.9, 1e10].into_dyn()
    );
    assert_eq!(run(&x.percentile(33.3, ..)).first().copied().unwrap(), 0.3);
    // float32: a scalar q stays float32, a list gives float64 (NumPy's promotion).
    let f = lazy(&data.mapv(|v| v as f32), [5]);
    let one: LazyArray<f32> = f.quantile(0.37, ..);
    assert_eq!(run(&one).first().copied().unwrap(), 0.3f32);
    let list: LazyArray<f64> = f.quantile(vec![0.37], ..);
    assert_eq!(run(&list), array![0.30000001192092896].into_dyn());
    assert_eq!(run(&f.median(..)).first().copied().unwrap(), 0.7f32);
    // int8: NumPy's `b - a` wraps in int8 (np.quantile(int8 [-128, 127, 5], 0.25) = 66.5).
    let i = lazy(&array![-128i8, 127, 5].into_dyn(), [2]);
    assert_eq!(run(&i.quantile(0.25, ..)).first().copied().unwrap(), 66.5);
    assert_eq!(run(&i.quantile(0.75, ..)).first().copied().unwrap(), 66.0);
    let two = lazy(&array![-128i8, 127].into_dyn(), [1]);
    assert_eq!(run(&two.median(..)).first().copied().unwrap(), -0.5);
    // np.nanquantile([[1, nan, 3], [4, 5, 6]], [0.25, 0.5], axis=1)
    let n = lazy(&array![[1., f64::NAN, 3.], [4., 5., 6.]].into_dyn(), [1, 2]);
    assert_eq!(
        run(&n.nanquantile([0.25, 0.5], 1)),
        array![[1.5, 4.5], [2.0, 5.0]].into_dyn()
    );
    assert_same_f64(&run(&n.median(1)), &array![f64::NAN, 5.0].into_dyn());
    assert_eq!(run(&n.nanmedian(1)), array![2.0, 5.0].into_dyn());
}

#[test]
fn keepdims_and_all_nan_lanes() {
    let a = array![[f64::NAN, f64::NAN], [1.0, 2.0], [3.0, f64::NAN]].into_dyn();
    let x = lazy(&a, [2, 1]);
    assert_same_f64(
        &run(&x.nanmedian(1)),
        &array![f64::NAN, 1.5, 3.0].into_dyn(),
    );
    let k = x.nanmedian(chunkwise::Axes::from(1).keepdims(true));
    assert_eq!(k.shape(), &[3, 1]);
    let q = x.nanquantile([0.5, 1.0], chunkwise::Axes::all().keepdims(true));
    assert_eq!(q.shape(), &[2, 1, 1]);
    assert_eq!(run(&q).into_raw_vec_and_offset().0, vec![2.0, 3.0]);
}

#[test]
fn statistic_errors() {
    let x = chunkwise::zeros::<f64>(&[3, 4], [2, 2]);
    assert!(matches!(
        into_root(failure(x.quantile(1.5, ..))),
        Error::InvalidParameter { param: "q", .. }
    ));
    assert!(matches!(
        into_root(failure(x.percentile(-1.0, 0))),
        Error::InvalidParameter { param: "q", .. }
    ));
    let e = chunkwise::zeros::<f64>(&[0, 4], [1, 2]);
    assert!(matches!(
        into_root(failure(e.quantile(0.5, 0))),
        Error::EmptyReduction { .. }
    ));
    assert!(run(&e.nanquantile(0.5, 0)).iter().all(|v| v.is_nan()));
    assert!(run(&e.median(..)).first().copied().unwrap().is_nan());
    let b = chunkwise::zeros::<bool>(&[3], [2]);
    assert!(matches!(
        into_root(failure(b.median(..))),
        Error::UnsupportedDType { .. }
    ));
    let three = chunkwise::zeros::<f64>(&[2, 2, 2], [1, 1, 1]);
    assert!(matches!(
        into_root(failure(three.median([0, 1]))),
        Error::InvalidParameter { param: "axis", .. }
    ));
    assert!(three.median([0, 1, 2]).error().is_none());
}

#[test]
fn count_nonzero_counts_nan_and_not_negative_zero() {
    let x = lazy(
        &array![[0., -0.0, f64::NAN], [1., 0., 2.]].into_dyn(),
        [1, 2],
    );
    assert_eq!(run(&x.count_nonzero(0)), array![1i64, 0, 2].into_dyn());
    assert_eq!(run(&x.count_nonzero(..)).first().copied().unwrap(), 3);
    assert_eq!(x.count_nonzero(..).dtype(), DType::I64);
}

#[test]
fn histogram_matches_numpy() {
    let x = lazy(&array![1.0, 2.0, 2.0, 4.0].into_dyn(), [3]);
    let (c, e) = x.histogram(3, None);
    assert_eq!(run(&c), array![1i64, 2, 1].into_dyn());
    assert_eq!(
        e.compute().unwrap().into_typed::<f64>().unwrap(),
        array![1., 2., 3., 4.].into_dyn()
    );
    // float32 edges from the data's float32 extremes, computed in float32.
    let f = lazy(&array![0.1f32, 0.7, 0.3, 1.7].into_dyn(), [2]);
    let (c, e) = f.histogram(7, None);
    assert_eq!(run(&c), array![2i64, 0, 1, 0, 0, 0, 1].into_dyn());
    let e = e.compute().unwrap().into_typed::<f32>().unwrap();
    assert_eq!(
        e,
        array![0.1f32, 0.32857144, 0.55714285, 0.7857143, 1.0142857, 1.2428572, 1.4714286, 1.7]
            .into_dyn()
    );
    let (c, e) = f.histogram(7, Some((0.0, 1.5)));
    assert_eq!(run(&c), array![1i64, 1, 0, 1, 0, 0, 0].into_dyn());
    assert_eq!(e.dtype(), DType::F32);
    let (c, e) = lazy(&array![5i64, 5, 5].into_dyn(), [2]).histogram(4, None);
    assert_eq!(run(&c), array![0i64, 0, 3, 0].into_dyn());
    assert_eq!(
        e.compute().unwrap().into_typed::<f64>().unwrap(),
        array![4.5, 4.75, 5.0, 5.25, 5.5].into_dyn()
    );
    let (c, _) = chunkwise::zeros::<f64>(&[0], [1]).histogram(2, None);
    assert_eq!(run(&c), array![0i64, 0].into_dyn());
    let (c, _) = chunkwise::arange(0i64, 10, 1, [3]).histogram(3, None);
    assert_eq!(run(&c), array![3i64, 3, 4].into_dyn());
}

#[test]
fn histogram_with_edges_and_errors() {
    let a: ArrayD<f64> = from_flat(&[37, 3], |k| ((mix(k) % 100) as f64) / 7.0 - 2.0);
    let x = lazy(&a, vec![vec![10, 20, 7], vec![2, 1]]);
    let edges = lazy(&array![-1.0, 0.0, 0.5, 3.0, 3.0, 10.0].into_dyn(), [4]);
    let (c, e) = x.histogram(&edges, None);
    let mut want = vec![0i64; 5];
    let ev = [-1.0, 0.0, 0.5, 3.0, 3.0, 10.0];
    for &v in &a {
        if v < ev[0] || v > ev[5] {
            continue;
        }
        let bin = ev
            .iter()
            .filter(|&&e| e <= v)
            .count()
            .saturating_sub(1)
            .min(4);
        want[bin] += 1;
    }
    assert_eq!(run(&c).into_raw_vec_and_offset().0, want);
    assert_eq!(e.shape(), &[6]);
    let bad = lazy(&array![1.0, 0.0].into_dyn(), [2]);
    assert!(x.histogram(&bad, None).0.compute().is_err());
    assert!(x.histogram(0, None).0.error().is_some());
    assert!(x.histogram(3, Some((2.0, 1.0))).0.error().is_some());
    let nans = lazy(&array![1.0, f64::NAN].into_dyn(), [1]);
    assert!(nans.histogram(3, None).0.compute().is_err());
    assert_eq!(
        run(&nans.histogram(2, Some((0.0, 2.0))).0),
        array![0i64, 1].into_dyn()
    );
}

#[test]
fn searchsorted_and_digitize_match_numpy() {
    let a = lazy(&array![1., 2., f64::NAN].into_dyn(), [2]);
    let v = lazy(&array![f64::NAN, 3., 2.].into_dyn(), [1]);
    assert_eq!(
        run(&a.searchsorted(&v, Side::Left)),
        array![2i64, 2, 1].into_dyn()
    );
    assert_eq!(
        run(&a.searchsorted(&v, Side::Right)),
        array![3i64, 2, 2].into_dyn()
    );
    let x = lazy(&array![0.2, 6.4, 3.0, 1.6, 10.0].into_dyn(), [2]);
    let dec = lazy(&array![10.0, 4.0, 2.5, 1.0, 0.0].into_dyn(), [2]);
    assert_eq!(
        run(&x.digitize(&dec, true)),
        array![4i64, 1, 2, 3, 1].into_dyn()
    );
    assert_eq!(
        run(&x.digitize(&dec, false)),
        array![4i64, 1, 2, 3, 0].into_dyn()
    );
    let inc = lazy(&array![0.0, 1.0, 2.5, 4.0, 10.0].into_dyn(), [3]);
    assert_eq!(
        run(&x.digitize(&inc, false)),
        array![1i64, 4, 3, 2, 5].into_dyn()
    );
    let unsorted = lazy(&array![0.0, 2.0, 1.0].into_dyn(), [3]);
    assert!(x.digitize(&unsorted, false).compute().is_err());
    let two_d = chunkwise::zeros::<f64>(&[2, 2], [1, 1]);
    assert!(two_d.searchsorted(&x, Side::Left).error().is_some());
    // Mixed dtypes compare in the promoted dtype.
    let ia = lazy(&array![1i32, 3, 5].into_dyn(), [2]);
    let fv = lazy(&array![2.5f64, 3.0].into_dyn(), [1]);
    assert_eq!(
        run(&ia.searchsorted(&fv, Side::Right)),
        array![1i64, 2].into_dyn()
    );
}

fn lang_eval(src: &str, x: &ArrayD<f64>) -> chunkwise::AnyArray {
    let inputs = lang::Inputs::new().with("x", chunkwise::from_ndarray(x.clone(), [2, 3]).to_dyn());
    lang::eval(src, &inputs)
        .unwrap_or_else(|e| panic!("{e}"))
        .compute()
        .unwrap()
}

#[test]
fn the_language_has_numpy_names() {
    let a = with_nans(&[5, 4], 3);
    let sorted = lang_eval("sort(x, axis=0)", &a)
        .into_typed::<f64>()
        .unwrap();
    assert_same_f64(&sorted, &eager_sort(&a, 0));
    let method = lang_eval("x.sort(axis=0)", &a).into_typed::<f64>().unwrap();
    assert_same_f64(&method, &sorted);
    let args = lang_eval("argsort(x)", &a);
    assert_eq!(args.dtype(), DType::I64);
    assert_eq!(args.into_typed::<i64>().unwrap(), eager_argsort(&a, 1));
    let m = lang_eval("nanmedian(x, axis=0)", &a)
        .into_typed::<f64>()
        .unwrap();
    assert_same_f64(&m, &along(&a, 0, |l| eager_median(l, true)));
    let p = lang_eval("nanpercentile(x, [25, 90], axis=1)", &a)
        .into_typed::<f64>()
        .unwrap();
    assert_eq!(p.shape(), &[2, 5]);
    let q = lang_eval("x.nanquantile(0.25)", &a)
        .into_typed::<f64>()
        .unwrap();
    let flat: Vec<f64> = a.iter().copied().collect();
    assert_eq!(
        q.first().copied().unwrap(),
        eager_quantile(&flat, 0.25, true)
    );
    let c = lang_eval("count_nonzero(x > 0, axis=1)", &a);
    assert_eq!(c.dtype(), DType::I64);
    let h = lang_eval("histogram(x, 4, range=(-3, 3))[0]", &a);
    assert_eq!(h.dtype(), DType::I64);
    assert_eq!(h.shape(), &[4]);
    let e = lang_eval("histogram(x, bins=[-3, 0, 3])[1]", &a);
    assert_eq!(e.dtype(), DType::I64);
    let s = lang_eval("searchsorted(sort(x[0], axis=0), x, side=\"right\")", &a);
    assert_eq!(s.shape(), &[5, 4]);
    let t = lang_eval("topk(x, 2, axis=0)", &a)
        .into_typed::<f64>()
        .unwrap();
    assert_eq!(t.shape(), &[2, 4]);
    let t = lang_eval("x.argtopk(-2)", &a);
    assert_eq!((t.dtype(), t.shape()), (DType::I64, &[5usize, 2][..]));
    let d = lang_eval("digitize(x, [-1, 0, 1])", &a);
    assert_eq!(d.dtype(), DType::I64);
    let inputs = lang::Inputs::new().with("x", chunkwise::from_ndarray(a.clone(), [2, 3]).to_dyn());
    assert!(lang::eval("sort(x, axis=None)", &inputs).is_err());
    assert!(lang::eval("quantile(x, 0.5, method=\"nearest\")", &inputs).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Sorting and arg-sorting random data (with ties and NaNs) along a random axis of
    /// a random shape and chunking gives the eager result.
    #[test]
    fn sort_is_eager_sort(
        shape in prop::collection::vec(1usize..7, 1..4),
        chunk in prop::collection::vec(1usize..4, 3),
        seed in 0u64..1000,
        axis_pick in 0usize..3,
    ) {
        let chunks: Vec<usize> = shape.iter().zip(&chunk).map(|(&s, &c)| c.min(s)).collect();
        let a = with_nans(&shape, seed);
        let axis = axis_pick % shape.len();
        let x = lazy(&a, chunks);
        let got = run(&x.sort(axis));
        let want = eager_sort(&a, axis);
        prop_assert!(got.iter().zip(&want).all(|(g, w)| g == w || (g.is_nan() && w.is_nan())));
        prop_assert_eq!(run(&x.argsort(axis)), eager_argsort(&a, axis));
        let q = run(&x.nanquantile(0.4, axis));
        let want = along(&a, axis, |l| eager_quantile(l, 0.4, true));
        prop_assert!(q.iter().zip(&want).all(|(g, w)| g == w || (g.is_nan() && w.is_nan())));
    }
}
