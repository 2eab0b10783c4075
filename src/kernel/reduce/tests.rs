use super::*;
use crate::element::DType;
use ndarray::{array, ArrayD, Axis, IxDyn};

fn at<'a>(start: &'a [usize], full_shape: &'a [usize]) -> BlockAt<'a> {
    BlockAt { start, full_shape }
}

fn arr(a: ArrayD<f64>) -> AnyArray {
    AnyArray::F64(a)
}

#[test]
fn sum_over_runs_of_axes_matches_ndarray() {
    let x = ArrayD::from_shape_fn(IxDyn(&[3, 4, 5, 2]), |i| {
        (i[0] * 40 + i[1] * 10 + i[2] * 2 + i[3]) as f64
    });
    for axes in [
        vec![0],
        vec![1, 2],
        vec![0, 3],
        vec![0, 1, 2, 3],
        vec![1, 3],
    ] {
        let p = partial(
            ReduceFn::Sum,
            &axes,
            &arr(x.clone()),
            at(&[0; 4], &[3, 4, 5, 2]),
        )
        .unwrap();
        let got = p.typed::<f64>(0).unwrap().clone();
        let mut want = x.clone();
        for &a in axes.iter().rev() {
            want = want.sum_axis(Axis(a)).insert_axis(Axis(a));
        }
        assert_eq!(got, want, "axes {axes:?}");
    }
}

#[test]
fn pairwise_sum_is_accurate() {
    // 1 + many tiny values: naive left-to-right summation loses them all in f32.
    let mut v = vec![1e-8f32; 1 << 20];
    v[0] = 1.0;
    let x = ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
    let p = partial(ReduceFn::Sum, &[0], &AnyArray::F32(x), at(&[0], &[1 << 20])).unwrap();
    let s = p.typed::<f32>(0).unwrap().iter().copied().next().unwrap();
    assert!((s - 1.010_485_7).abs() < 1e-4, "{s}");
}

#[test]
fn moments_merge_to_the_two_pass_variance() {
    let a = array![1.0, 2.0, 3.0, 4.0].into_dyn();
    let b = array![10.0, 20.0].into_dyn();
    let kind = ReduceFn::Var { ddof: 1 };
    let pa = partial(kind, &[0], &arr(a), at(&[0], &[6])).unwrap();
    let pb = partial(kind, &[0], &arr(b), at(&[4], &[6])).unwrap();
    let merged = combine(kind, &[&pa, &pb]).unwrap();
    let v = finalize(kind, merged, DType::F64)
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    let all = [1.0, 2.0, 3.0, 4.0, 10.0, 20.0];
    let m = all.iter().sum::<f64>() / 6.0;
    let want = all.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 5.0;
    assert!((v[[0]] - want).abs() < 1e-12);
}

#[test]
fn argmin_prefers_first_occurrence_and_nan() {
    let x = array![[3.0, 1.0], [1.0, 0.5]].into_dyn();
    let p = partial(
        ReduceFn::ArgMin,
        &[0, 1],
        &arr(x.clone()),
        at(&[2, 0], &[4, 2]),
    )
    .unwrap();
    let merged = finalize(ReduceFn::ArgMin, p, DType::I64)
        .unwrap()
        .into_typed::<i64>()
        .unwrap();
    assert_eq!(merged[[0, 0]], 7); // (2+1)*2 + 1
    let y = array![1.0, f64::NAN, 0.0, f64::NAN].into_dyn();
    let p = partial(ReduceFn::ArgMax, &[0], &arr(y), at(&[0], &[4])).unwrap();
    let idx = finalize(ReduceFn::ArgMax, p, DType::I64)
        .unwrap()
        .into_typed::<i64>()
        .unwrap();
    assert_eq!(idx[[0]], 1);
    // Ties across blocks go to the smaller flat index.
    let left = partial(
        ReduceFn::ArgMin,
        &[0],
        &arr(array![0.0].into_dyn()),
        at(&[5], &[9]),
    )
    .unwrap();
    let right = partial(
        ReduceFn::ArgMin,
        &[0],
        &arr(array![0.0].into_dyn()),
        at(&[2], &[9]),
    )
    .unwrap();
    let m = combine(ReduceFn::ArgMin, &[&left, &right]).unwrap();
    let idx = finalize(ReduceFn::ArgMin, m, DType::I64)
        .unwrap()
        .into_typed::<i64>()
        .unwrap();
    assert_eq!(idx[[0]], 2);
}

#[test]
fn nan_variants_skip_nan() {
    let x = array![f64::NAN, 2.0, 4.0].into_dyn();
    let p = partial(ReduceFn::NanMean, &[0], &arr(x.clone()), at(&[0], &[3])).unwrap();
    let m = finalize(ReduceFn::NanMean, p, DType::F64)
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    assert_eq!(m[[0]], 3.0);
    let p = partial(ReduceFn::NanMin, &[0], &arr(x.clone()), at(&[0], &[3])).unwrap();
    assert_eq!(
        finalize(ReduceFn::NanMin, p, DType::F64).unwrap(),
        arr(array![2.0].into_dyn())
    );
    let p = partial(ReduceFn::Max, &[0], &arr(x), at(&[0], &[3])).unwrap();
    let m = finalize(ReduceFn::Max, p, DType::F64)
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    assert!(m[[0]].is_nan());
}
