//! Scans (`cumsum`, `cumprod`, `nancumsum`, `nancumprod`) against an eager sequential
//! scan: every axis, the flattened array, NumPy's result dtypes, NaN, empty and size-1
//! axes, many blocks along the axis, no rechunk of the axis, and random shapes and
//! chunkings.

use chunkwise::{Axes, Chunks, DType, Error, ScanFn};
use ndarray::{ArrayD, Axis, IxDyn};
use proptest::prelude::*;

use crate::common::{
    assert_close, assert_same, failure, into_root, ints, lazy, run, values, with_nans,
};

/// The sequential scan of NumPy, along `axis` (`None`: the flattened array).
fn eager(kind: ScanFn, a: &ArrayD<f64>, axis: Option<usize>) -> ArrayD<f64> {
    let (mut out, axis) = match axis {
        Some(d) => (a.clone(), d),
        None => (
            ArrayD::from_shape_vec(IxDyn(&[a.len()]), a.iter().copied().collect()).unwrap(),
            0,
        ),
    };
    let (skip, product) = match kind {
        ScanFn::CumSum => (false, false),
        ScanFn::CumProd => (false, true),
        ScanFn::NanCumSum => (true, false),
        _ => (true, true),
    };
    let id = if product { 1.0 } else { 0.0 };
    out.mapv_inplace(|v| if skip && v.is_nan() { id } else { v });
    out.accumulate_axis_inplace(Axis(axis), |&p, c| {
        *c = if product { p * *c } else { p + *c }
    });
    out
}

/// The same scan on integers, wrapping in `i64`.
fn eager_int(a: &ArrayD<i64>, axis: usize, product: bool) -> ArrayD<i64> {
    let mut out = a.clone();
    out.accumulate_axis_inplace(Axis(axis), |&p, c| {
        *c = if product {
            p.wrapping_mul(*c)
        } else {
            p.wrapping_add(*c)
        }
    });
    out
}

#[test]
fn every_axis_of_irregular_chunks() {
    let a = values(&[7, 5, 6], 1);
    let chunks = Chunks::from(vec![vec![2, 1, 4], vec![5], vec![1, 2, 3]]);
    let x = lazy(&a, chunks);
    for axis in 0..3 {
        assert_close(
            &run(&x.cumsum(axis)),
            &eager(ScanFn::CumSum, &a, Some(axis)),
            1e-12,
        );
        let negative = axis as i32 - 3;
        assert_close(
            &run(&x.cumsum(negative)),
            &eager(ScanFn::CumSum, &a, Some(axis)),
            1e-12,
        );
    }
    assert_close(&run(&x.cumsum(..)), &eager(ScanFn::CumSum, &a, None), 1e-12);
}

#[test]
fn products_and_nan_variants() {
    let a = with_nans(&[9, 4], 2);
    let x = lazy(&a, [2, 3]);
    for kind in [
        ScanFn::NanCumSum,
        ScanFn::NanCumProd,
        ScanFn::CumSum,
        ScanFn::CumProd,
    ] {
        for axis in [Some(0), Some(1), None] {
            let got = match axis {
                Some(d) => x.to_dyn().scan(kind, d),
                None => x.to_dyn().scan(kind, ..),
            };
            let got = got.compute().unwrap().into_typed::<f64>().unwrap();
            assert_close(&got, &eager(kind, &a, axis), 1e-12);
        }
    }
    assert_close(
        &run(&x.nancumsum(0)),
        &eager(ScanFn::NanCumSum, &a, Some(0)),
        1e-12,
    );
    assert_close(
        &run(&x.nancumprod(1)),
        &eager(ScanFn::NanCumProd, &a, Some(1)),
        1e-12,
    );
    assert_close(
        &run(&x.cumprod(1)),
        &eager(ScanFn::CumProd, &a, Some(1)),
        1e-12,
    );
}

#[test]
fn result_dtypes_are_numpys() {
    let i: ArrayD<i32> = ints(&[5, 3], 1, -1000, 1000);
    let x = lazy(&i, [2, 2]);
    let c = x.cumsum(0);
    assert_eq!(c.dtype(), DType::I64);
    assert_same(&run(&c), &eager_int(&i.mapv(i64::from), 0, false));
    let u: ArrayD<u8> = ints(&[40], 2, 0, 255);
    let c = lazy(&u, [7]).cumsum(0);
    assert_eq!(c.dtype(), DType::U64);
    let want: Vec<u64> = u
        .iter()
        .scan(0u64, |s, &v| {
            *s += u64::from(v);
            Some(*s)
        })
        .collect();
    assert_same(
        &run(&c),
        &ArrayD::from_shape_vec(IxDyn(&[40]), want).unwrap(),
    );
    let b = ints::<i64>(&[3, 4], 3, 0, 1).mapv(|v| v == 1);
    let c = lazy(&b, [2, 3]).to_dyn().cumsum(1);
    assert_eq!(c.dtype(), DType::I64);
    assert_same(
        &c.compute().unwrap().into_typed::<i64>().unwrap(),
        &eager_int(&b.mapv(i64::from), 1, false),
    );
    let f = values(&[6], 4).mapv(|v| v as f32);
    assert_eq!(lazy(&f, [4]).cumsum(0).dtype(), DType::F32);
    // Integer products wrap in int64.
    let big: ArrayD<i64> = ints(&[30], 5, 1000, 100_000);
    assert_same(&run(&lazy(&big, [4]).cumprod(0)), &eager_int(&big, 0, true));
}

#[test]
fn empty_size_one_and_many_blocks() {
    for shape in [vec![0, 3], vec![3, 0], vec![1, 1], vec![1, 5], vec![0]] {
        let a = values(&shape, 1);
        let x = lazy(&a, Chunks::Auto);
        for axis in 0..shape.len() {
            assert_close(
                &run(&x.cumsum(axis)),
                &eager(ScanFn::CumSum, &a, Some(axis)),
                0.0,
            );
        }
        assert_close(&run(&x.cumsum(..)), &eager(ScanFn::CumSum, &a, None), 0.0);
    }
    // 37 blocks of one row: six prefix steps.
    let n: ArrayD<i64> = ints(&[37, 3], 2, -5, 5);
    let got = run(&lazy(&n, [1, 2]).cumsum(0));
    assert_same(&got, &eager_int(&n, 0, false));
    // A 0-d array flattens to one element.
    let s = lazy(&ArrayD::from_elem(IxDyn(&[]), 2.5), Chunks::Auto);
    assert_close(
        &run(&s.cumsum(..)),
        &ArrayD::from_elem(IxDyn(&[1]), 2.5),
        0.0,
    );
}

#[test]
fn the_axis_is_never_gathered_into_one_chunk() {
    let x = chunkwise::ones::<f64>(&[400, 30], [10, 10]);
    let y = x.cumsum(0);
    assert_eq!(y.chunks(), x.chunks());
    let plan = y.explain().unwrap();
    assert!(!plan.contains("rechunk"), "{plan}");
    let col = run(&y.slice(ndarray::s![.., 0]));
    assert_eq!(col[399], 400.0);
}

#[test]
fn bad_axes_are_errors() {
    let x = lazy(&values(&[3, 4], 1), [2, 2]);
    assert!(matches!(
        into_root(failure(x.cumsum(2))),
        Error::AxisOutOfRange { .. }
    ));
    assert!(matches!(
        into_root(failure(x.cumsum(Axes::new([0, 1])))),
        Error::InvalidParameter { .. }
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn scans_match_the_sequential_scan(
        shape in prop::collection::vec(0usize..=8, 1..=3),
        seed in any::<u64>(),
        axis_pick in any::<usize>(),
        flat in any::<bool>(),
    ) {
        let a: ArrayD<i64> = ints(&shape, seed, -20, 20);
        let chunks: Vec<Vec<usize>> = shape
            .iter()
            .enumerate()
            .map(|(d, &len)| {
                let mut out = Vec::new();
                let mut left = len;
                let mut s = seed.wrapping_add(d as u64);
                while left > 0 {
                    s = crate::common::mix(s);
                    let take = 1 + (s as usize) % left;
                    out.push(take);
                    left -= take;
                }
                out
            })
            .collect();
        let x = lazy(&a, Chunks::from(chunks));
        if flat {
            let flat_a = ArrayD::from_shape_vec(IxDyn(&[a.len()]), a.iter().copied().collect()).unwrap();
            prop_assert_eq!(run(&x.cumsum(..)), eager_int(&flat_a, 0, false));
        } else {
            let axis = axis_pick % shape.len();
            prop_assert_eq!(run(&x.cumsum(axis)), eager_int(&a, axis, false));
            prop_assert_eq!(run(&x.cumprod(axis)), eager_int(&a, axis, true));
        }
    }
}
