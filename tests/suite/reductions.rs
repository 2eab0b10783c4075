//! Reductions over single axes, several axes and all axes, with `keepdims` and small
//! `split_every` (several combine levels), against eager reference reductions.

use chunkwise::{Axes, Error, LazyArray};
use ndarray::{array, ArrayD, ArrayView1};

use crate::common::{
    assert_close, assert_same, cases, close, eager, ints, lazy, reduce_eager, run, values,
    with_nans, RTOL,
};

type LazyReduction = fn(&LazyArray<f64>, Axes) -> LazyArray<f64>;
type EagerReduction = fn(&ArrayView1<'_, f64>) -> f64;

/// The float-valued reductions: name, lazy, eager, and whether zero elements are an error.
fn float_reductions() -> Vec<(&'static str, LazyReduction, EagerReduction, bool)> {
    vec![
        ("sum", |x, a| x.sum(a), eager::sum, false),
        ("prod", |x, a| x.prod(a), eager::prod, false),
        ("mean", |x, a| x.mean(a), eager::mean, false),
        (
            "var ddof 0",
            |x, a| x.var(a).ddof(0),
            |v| eager::var(v, 0),
            false,
        ),
        (
            "var ddof 1",
            |x, a| x.var(a).ddof(1),
            |v| eager::var(v, 1),
            false,
        ),
        (
            "std ddof 0",
            |x, a| x.std(a).ddof(0),
            |v| eager::var(v, 0).sqrt(),
            false,
        ),
        (
            "std ddof 1",
            |x, a| x.std(a).ddof(1),
            |v| eager::var(v, 1).sqrt(),
            false,
        ),
        ("min", |x, a| x.min(a), eager::min, true),
        ("max", |x, a| x.max(a), eager::max, true),
        ("nansum", |x, a| x.nansum(a), eager::nansum, false),
        ("nanmean", |x, a| x.nanmean(a), eager::nanmean, false),
        ("nanmin", |x, a| x.nanmin(a), eager::nanmin, true),
        ("nanmax", |x, a| x.nanmax(a), eager::nanmax, true),
        ("nanprod", |x, a| x.nanprod(a), eager::nanprod, false),
        (
            "nanvar ddof 0",
            |x, a| x.nanvar(a),
            |v| eager::nanvar(v, 0),
            false,
        ),
        (
            "nanvar ddof 1",
            |x, a| x.nanvar(a).ddof(1),
            |v| eager::nanvar(v, 1),
            false,
        ),
        (
            "nanstd ddof 1",
            |x, a| x.nanstd(a).ddof(1),
            |v| eager::nanvar(v, 1).sqrt(),
            false,
        ),
        ("ptp", |x, a| x.ptp(a), eager::ptp, true),
    ]
}

/// The axis sets to reduce over for an array of `ndim` axes: all (`None`), each axis,
/// each pair (given in both orders), and every axis listed explicitly.
fn axis_sets(ndim: usize) -> Vec<Option<Vec<usize>>> {
    let mut sets = vec![None, Some((0..ndim).collect())];
    for d in 0..ndim {
        sets.push(Some(vec![d]));
        for e in d + 1..ndim {
            sets.push(Some(vec![d, e]));
            sets.push(Some(vec![e, d]));
        }
    }
    if ndim >= 3 {
        sets.push(Some(vec![0, ndim - 1, 1]));
    }
    sets
}

fn axes_of(set: Option<&Vec<usize>>, keepdims: bool, split_every: usize) -> Axes {
    set.map_or_else(Axes::all, |s| Axes::new(s.clone()))
        .keepdims(keepdims)
        .split_every(split_every)
}

/// Checks every float reduction of `a` (cut into `chunks`) over every axis set.
fn check_float_reductions(
    a: &ArrayD<f64>,
    chunks: &chunkwise::Chunks,
    split_every: usize,
    label: &str,
) {
    let x = lazy(a, chunks.clone());
    for set in axis_sets(a.ndim()) {
        let count: usize = set
            .as_ref()
            .map_or(a.len(), |s| s.iter().map(|&d| a.shape()[d]).product());
        for keepdims in [false, true] {
            let axes = axes_of(set.as_ref(), keepdims, split_every);
            for (name, reduce, reference, needs_elements) in float_reductions() {
                let what = format!("{name} over {set:?} keepdims={keepdims} of {label}");
                let built = reduce(&x, axes.clone());
                if needs_elements && count == 0 {
                    assert!(
                        matches!(
                            crate::common::failure(&built).root(),
                            Error::EmptyReduction { .. }
                        ),
                        "{what}: {built:?}"
                    );
                    continue;
                }
                let got = match built.compute() {
                    Ok(g) => g,
                    Err(e) => panic!("{what}: {e}"),
                };
                let want = reduce_eager(a, set.as_deref(), keepdims, reference);
                assert_eq!(got.shape(), want.shape(), "{what}");
                assert!(
                    got.iter().zip(&want).all(|(&g, &w)| close(g, w, RTOL)),
                    "{what}:\n got {got}\nwant {want}"
                );
            }
        }
    }
}

/// Checks argmin, argmax, any and all of `a` over all axes and each single axis.
fn check_arg_and_logic(
    a: &ArrayD<f64>,
    chunks: &chunkwise::Chunks,
    split_every: usize,
    label: &str,
) {
    let x = lazy(a, chunks.clone());
    let mut sets: Vec<Option<Vec<usize>>> = vec![None];
    sets.extend((0..a.ndim()).map(|d| Some(vec![d])));
    for set in sets {
        let count: usize = set
            .as_ref()
            .map_or(a.len(), |s| s.iter().map(|&d| a.shape()[d]).product());
        for keepdims in [false, true] {
            let axes = axes_of(set.as_ref(), keepdims, split_every);
            let what = format!("over {set:?} keepdims={keepdims} of {label}");
            let any = run(&x.any(axes.clone()));
            assert_same(&any, &reduce_eager(a, set.as_deref(), keepdims, eager::any));
            let all = run(&x.all(axes.clone()));
            assert_same(&all, &reduce_eager(a, set.as_deref(), keepdims, eager::all));
            if count == 0 {
                assert!(
                    matches!(
                        crate::common::failure(x.argmin(axes.clone())).root(),
                        Error::EmptyReduction { .. }
                    ),
                    "argmin {what}"
                );
                assert!(
                    matches!(
                        crate::common::failure(x.argmax(axes)).root(),
                        Error::EmptyReduction { .. }
                    ),
                    "argmax {what}"
                );
                continue;
            }
            let got = run(&x.argmin(axes.clone()));
            assert_same(
                &got,
                &reduce_eager(a, set.as_deref(), keepdims, eager::argmin),
            );
            let got = run(&x.argmax(axes));
            assert_same(
                &got,
                &reduce_eager(a, set.as_deref(), keepdims, eager::argmax),
            );
        }
    }
}

#[test]
fn float_reductions_match_ndarray_on_every_case() {
    for case in cases() {
        // Values near 1 keep products in range.
        let a = values(&case.shape, 40).mapv(|v| 1.0 + v / 8.0);
        check_float_reductions(&a, &case.chunks, 16, case.name);
        let signed = values(&case.shape, 41);
        check_float_reductions(&signed, &case.chunks, 16, case.name);
    }
}

#[test]
fn nan_reductions_match_ndarray_on_every_case() {
    for case in cases() {
        let a = with_nans(&case.shape, 42);
        check_float_reductions(&a, &case.chunks, 16, case.name);
        check_arg_and_logic(&a, &case.chunks, 16, case.name);
    }
    let all_nan = ArrayD::from_elem(ndarray::IxDyn(&[4, 3]), f64::NAN);
    check_float_reductions(&all_nan, &chunkwise::Chunks::from([3, 2]), 16, "all NaN");
}

#[test]
fn arg_and_logical_reductions_match_ndarray_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 43);
        check_arg_and_logic(&a, &case.chunks, 16, case.name);
        // Few distinct values: many ties, which go to the first occurrence.
        let ties = ints::<f64>(&case.shape, 44, 0, 2);
        check_arg_and_logic(&ties, &case.chunks, 16, case.name);
    }
}

#[test]
fn combine_trees_with_small_split_every_match_ndarray() {
    let many = [
        (vec![20, 18], chunkwise::Chunks::from([2, 2])),
        (vec![12, 10, 9], chunkwise::Chunks::from([1, 3, 2])),
        (vec![37], chunkwise::Chunks::from([1])),
        (vec![5, 6, 7, 4], chunkwise::Chunks::from([1, 1, 2, 1])),
    ];
    for (shape, chunks) in many {
        let a = values(&shape, 45).mapv(|v| 1.0 + v / 16.0);
        for split_every in [2, 3, 5] {
            let label = format!("{shape:?} split_every {split_every}");
            check_float_reductions(&a, &chunks, split_every, &label);
            check_arg_and_logic(&a, &chunks, split_every, &label);
            let ties = ints::<f64>(&shape, 46, 0, 1);
            check_arg_and_logic(&ties, &chunks, split_every, &label);
        }
    }
}

#[test]
fn small_split_every_builds_more_combine_levels() {
    let x = chunkwise::random::uniform::<f64>(&[64, 64], [2, 2], 1);
    let deep = x.sum(Axes::all().split_every(2));
    let shallow = x.sum(Axes::all().split_every(16));
    let (d, s) = (deep.graph_stats().unwrap(), shallow.graph_stats().unwrap());
    assert!(d.layers > s.layers, "split_every 2: {d:?}, 16: {s:?}");
    assert!(d.tasks > s.tasks, "split_every 2: {d:?}, 16: {s:?}");
    // One axis of 1024 blocks: 10 combine levels with fan-in 2, 3 with fan-in 16.
    let y = chunkwise::random::uniform::<f64>(&[1024], [1], 2);
    let deep_1d = y.sum(Axes::all().split_every(2)).graph_stats().unwrap();
    let shallow_1d = y.sum(Axes::all().split_every(16)).graph_stats().unwrap();
    assert_eq!(
        deep_1d.layers - shallow_1d.layers,
        7,
        "{deep_1d:?} {shallow_1d:?}"
    );
    let (a, b) = (
        deep.compute_scalar().unwrap(),
        shallow.compute_scalar().unwrap(),
    );
    let want = run(&x).sum();
    assert!(
        close(a, want, RTOL) && close(b, want, RTOL),
        "{a} {b} {want}"
    );
}

#[test]
fn integer_sums_accumulate_in_64_bits() {
    let i = ints::<i32>(&[13, 1, 4], 47, -2_000_000_000, 2_000_000_000);
    let x = lazy(&i, [4, 1, 3]);
    let total: LazyArray<i64> = x.sum(..);
    assert_eq!(
        total.compute_scalar().unwrap(),
        i.iter().map(|&v| i64::from(v)).sum::<i64>()
    );
    let per_row = run(&x.sum([1, 2]));
    assert_same(
        &per_row,
        &reduce_eager(&i, Some(&[1, 2][..]), false, |v| {
            v.iter().map(|&e| i64::from(e)).sum()
        }),
    );
    let u = ints::<u8>(&[7, 5], 48, 200, 255);
    let y = lazy(&u, vec![vec![3, 1, 3], vec![2, 3]]);
    let s: LazyArray<u64> = y.sum(0);
    assert_same(
        &run(&s),
        &reduce_eager(&u, Some(&[0][..]), false, |v| {
            v.iter().map(|&e| u64::from(e)).sum()
        }),
    );
    let b = u.mapv(|v| v % 2 == 0);
    let count: LazyArray<i64> = lazy(&b, [2, 2]).sum(..);
    assert_eq!(
        count.compute_scalar().unwrap(),
        b.iter().filter(|&&v| v).count() as i64
    );
    // Products wrap in 64 bits, whatever the order of the combine tree.
    let p = ints::<i8>(&[2, 3, 4, 5], 49, -3, 3).mapv(|v| if v == 0 { 2 } else { v });
    let z = lazy(&p, [1, 2, 3, 2]);
    let want = p
        .iter()
        .fold(1i64, |acc, &v| acc.wrapping_mul(i64::from(v)));
    assert_eq!(
        z.prod(Axes::all().split_every(2)).compute_scalar().unwrap(),
        want
    );
    let m: LazyArray<f64> = x.mean(0);
    let want = reduce_eager(&i.mapv(f64::from), Some(&[0][..]), false, eager::mean);
    assert_close(&run(&m), &want, RTOL);
}

#[test]
fn integer_min_max_and_arg_are_exact() {
    for case in cases() {
        let i = ints::<i16>(&case.shape, 50, -300, 300);
        let x = lazy(&i, case.chunks.clone());
        for d in 0..case.shape.len() {
            if case.shape[d] == 0 {
                continue;
            }
            let min = reduce_eager(&i, Some(&[d][..]), false, |v| *v.iter().min().unwrap());
            assert_same(&run(&x.min(d)), &min);
            let max = reduce_eager(&i, Some(&[d][..]), true, |v| *v.iter().max().unwrap());
            assert_same(&run(&x.max(Axes::from(d).keepdims(true))), &max);
            let f = i.mapv(f64::from);
            assert_same(
                &run(&x.argmax(d)),
                &reduce_eager(&f, Some(&[d][..]), false, eager::argmax),
            );
            assert_same(
                &run(&x.argmin(d)),
                &reduce_eager(&f, Some(&[d][..]), false, eager::argmin),
            );
        }
        let var = reduce_eager(&i.mapv(f64::from), None, false, |v| eager::var(v, 1));
        assert_close(&run(&x.var(..).ddof(1)), &var, RTOL);
    }
}

#[test]
fn f32_reductions_stay_f32() {
    let a = ints::<f32>(&[7, 5], 51, -12, 12).mapv(|v| v / 4.0);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    let s: LazyArray<f32> = x.sum(1);
    let want = reduce_eager(&a.mapv(f64::from), Some(&[1][..]), false, eager::sum);
    assert_close(&run(&s).mapv(f64::from), &want, 1e-5);
    let v: LazyArray<f32> = x.std(..).ddof(1);
    let want = reduce_eager(&a.mapv(f64::from), None, false, |r| eager::var(r, 1).sqrt());
    assert_close(&run(&v).mapv(f64::from), &want, 1e-5);
}

#[test]
fn arg_reductions_break_ties_and_nan_across_chunks() {
    let a = array![3.0, 1.0, 2.0, 1.0, 1.0, 0.5, 0.5].into_dyn();
    for chunks in [vec![1], vec![2], vec![3], vec![7]] {
        let x = lazy(&a, chunks.clone());
        assert_eq!(x.argmin(..).compute_scalar().unwrap(), 5, "{chunks:?}");
        assert_eq!(x.argmax(0).compute_scalar().unwrap(), 0, "{chunks:?}");
        assert_eq!(
            x.argmin(Axes::all().split_every(2))
                .compute_scalar()
                .unwrap(),
            5
        );
    }
    let n = array![1.0, f64::NAN, 0.0, f64::NAN, 9.0].into_dyn();
    for chunks in [vec![1], vec![2], vec![5]] {
        let x = lazy(&n, chunks.clone());
        assert_eq!(x.argmin(..).compute_scalar().unwrap(), 1, "{chunks:?}");
        assert_eq!(x.argmax(..).compute_scalar().unwrap(), 1, "{chunks:?}");
    }
    // Flattened index of a 2-d array: the C-order position.
    let m = array![[5.0, 4.0, 3.0], [2.0, 0.0, 0.0], [9.0, 0.0, 9.0]].into_dyn();
    let x = lazy(&m, [2, 2]);
    assert_eq!(x.argmin(..).compute_scalar().unwrap(), 4);
    assert_eq!(x.argmax(..).compute_scalar().unwrap(), 6);
    assert_same(&run(&x.argmin(0)), &array![1i64, 1, 1].into_dyn());
    assert_same(&run(&x.argmax(1)), &array![0i64, 0, 0].into_dyn());
    let kept = x.argmin(Axes::all().keepdims(true));
    assert_eq!(kept.shape(), &[1, 1]);
    assert_same(&run(&kept), &array![[4i64]].into_dyn());
}

#[test]
fn keepdims_and_axes_conversions() {
    let a = values(&[4, 6, 8], 52);
    let x = lazy(&a, [3, 4, 5]);
    assert_eq!(x.sum(..).shape(), &[] as &[usize]);
    assert_eq!(x.sum(1).shape(), &[4, 8]);
    assert_eq!(x.sum([0, 2]).shape(), &[6]);
    let by_ref = Axes::from(&[0, 2]);
    assert_eq!(x.sum(by_ref).shape(), &[6]);
    assert_eq!(x.sum(&[2usize, 0][..]).shape(), &[6]);
    assert_eq!(x.sum(vec![1]).shape(), &[4, 8]);
    assert_eq!(x.sum(None::<&[usize]>).shape(), &[] as &[usize]);
    let k = x.mean(Axes::from([0, 2]).keepdims(true));
    assert_eq!(k.shape(), &[1, 6, 1]);
    assert_eq!(k.chunks().blocks_per_axis(), vec![1, 2, 1]);
    let want = reduce_eager(&a, Some(&[0, 2][..]), true, eager::mean);
    assert_close(&run(&k), &want, RTOL);
    let all_kept = x.max(Axes::all().keepdims(true));
    assert_eq!(all_kept.shape(), &[1, 1, 1]);
    assert_close(
        &run(&all_kept),
        &reduce_eager(&a, None, true, eager::max),
        RTOL,
    );
}

#[test]
fn reductions_of_derived_arrays() {
    let a = values(&[9, 7], 53);
    let b = values(&[7], 54);
    let x = lazy(&a, vec![vec![2, 5, 2], vec![3, 4]]);
    let y = lazy(&b, [2]);
    let z = (&x * &y).sum(1);
    let prod = crate::common::zip_map(&a, &b, |p, q| p * q);
    assert_close(
        &run(&z),
        &reduce_eager(&prod, Some(&[1][..]), false, eager::sum),
        RTOL,
    );
    let t = x.t().mean(0);
    assert_close(
        &run(&t),
        &reduce_eager(&a, Some(&[1][..]), false, eager::mean),
        RTOL,
    );
    let s = x.slice(ndarray::s![1..;2, ..;-1]).var(..).ddof(0);
    let sl = a.slice(ndarray::s![1..;2, ..;-1]).to_owned().into_dyn();
    assert_close(
        &run(&s),
        &reduce_eager(&sl, None, false, |v| eager::var(v, 0)),
        RTOL,
    );
    // Centering by a reduction, then reducing again: the mean of deviations is zero.
    let centered = &x - &x.mean(0);
    let col = run(&centered.sum(0));
    assert!(col.iter().all(|v| v.abs() < 1e-12), "{col}");
    let anomaly = centered.powi(2).mean(..).compute_scalar().unwrap();
    let want: f64 = reduce_eager(&a, Some(&[0][..]), false, |v| eager::var(v, 0)).sum() / 7.0;
    assert!(close(anomaly, want, RTOL), "{anomaly} vs {want}");
}

#[test]
fn reductions_over_empty_axes_give_identities() {
    let a = values(&[3, 0, 4], 55);
    let x = lazy(&a, [2, 1, 3]);
    assert_same(&run(&x.sum(1)), &ArrayD::zeros(ndarray::IxDyn(&[3, 4])));
    assert_same(
        &run(&x.prod(1)),
        &ArrayD::from_elem(ndarray::IxDyn(&[3, 4]), 1.0),
    );
    assert!(run(&x.mean(1)).iter().all(|v| v.is_nan()));
    assert!(!x.any(..).compute_scalar().unwrap());
    assert!(x.all(..).compute_scalar().unwrap());
    assert_eq!(x.sum(..).compute_scalar().unwrap(), 0.0);
    // Reducing a non-empty axis of an empty array gives an empty result.
    let m = x.max(2);
    assert_eq!(m.shape(), &[3, 0]);
    assert_eq!(run(&m).len(), 0);
}

#[test]
fn boolean_reductions_count_and_combine() {
    for case in cases() {
        let b = ints::<i64>(&case.shape, 56, 0, 3).mapv(|v| v != 0);
        let x = lazy(&b, case.chunks.clone());
        for set in axis_sets(case.shape.len()) {
            for keepdims in [false, true] {
                let axes = axes_of(set.as_ref(), keepdims, 2);
                let s = set.as_deref();
                let any = run(&x.any(axes.clone()));
                assert_same(
                    &any,
                    &reduce_eager(&b, s, keepdims, |v| v.iter().any(|&e| e)),
                );
                let all = run(&x.all(axes.clone()));
                assert_same(
                    &all,
                    &reduce_eager(&b, s, keepdims, |v| v.iter().all(|&e| e)),
                );
                let count: LazyArray<i64> = x.sum(axes);
                let want =
                    reduce_eager(&b, s, keepdims, |v| v.iter().filter(|&&e| e).count() as i64);
                assert_same(&run(&count), &want);
            }
        }
    }
}

/// Exact reductions of one integer type over its whole range: sums and products wrap in
/// 64 bits, extremes and arg-extremes are exact, `mean` and `var` go through `f64`.
macro_rules! integer_reductions {
    ($($t:ty => $sum:ty),*) => {$({
        let shape = [7, 5, 3];
        let a: ArrayD<$t> = crate::common::from_flat(&shape, |k| crate::common::mix(k ^ 77) as $t);
        let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3], vec![1, 2]]);
        for set in axis_sets(3) {
            let s = set.as_deref();
            let axes = axes_of(set.as_ref(), false, 2);
            let what = format!("{} over {set:?}", stringify!($t));
            let sum: LazyArray<$sum> = x.sum(axes.clone());
            let add = |p: $sum, &q: &$t| p.wrapping_add(q as $sum);
            let want = reduce_eager(&a, s, false, |v| v.iter().fold(0 as $sum, add));
            assert_eq!(run(&sum), want, "sum {what}");
            let prod: LazyArray<$sum> = x.prod(axes.clone());
            let mul = |p: $sum, &q: &$t| p.wrapping_mul(q as $sum);
            let want = reduce_eager(&a, s, false, |v| v.iter().fold(1 as $sum, mul));
            assert_eq!(run(&prod), want, "prod {what}");
            let want = reduce_eager(&a, s, false, |v| *v.iter().min().unwrap());
            assert_eq!(run(&x.min(axes.clone())), want, "min {what}");
            let want = reduce_eager(&a, s, false, |v| *v.iter().max().unwrap());
            assert_eq!(run(&x.nanmax(axes.clone())), want, "nanmax {what}");
            let f = a.mapv(|v| v as f64);
            let want = reduce_eager(&f, s, false, eager::mean);
            assert_close(&run(&x.mean(axes.clone())), &want, RTOL);
            let want = reduce_eager(&f, s, false, |v| eager::var(v, 1));
            assert_close(&run(&x.var(axes.clone()).ddof(1)), &want, 1e-8);
            let want = reduce_eager(&a, s, false, |v| v.iter().any(|&e| e != 0));
            assert_eq!(run(&x.any(axes)), want, "any {what}");
        }
        for set in [None, Some(vec![0]), Some(vec![1]), Some(vec![2])] {
            let axes = axes_of(set.as_ref(), true, 3);
            let first = |v: &ArrayView1<'_, $t>, pick: fn($t, $t) -> bool| {
                (1..v.len()).fold(0, |best, i| if pick(v[i], v[best]) { i } else { best }) as i64
            };
            let want = reduce_eager(&a, set.as_deref(), true, |v| first(v, |p, q| p < q));
            let what = format!("{} over {set:?}", stringify!($t));
            assert_eq!(run(&x.argmin(axes.clone())), want, "argmin {what}");
            let want = reduce_eager(&a, set.as_deref(), true, |v| first(v, |p, q| p > q));
            assert_eq!(run(&x.argmax(axes)), want, "argmax {what}");
        }
    })*};
}

#[test]
fn integer_reductions_of_every_width() {
    integer_reductions!(i8 => i64, i16 => i64, i32 => i64, i64 => i64);
    integer_reductions!(u8 => u64, u16 => u64, u32 => u64, u64 => u64);
}

// The doc of `Axes::split_every` promises "merges at most `n` partial results per combine
// task", but with `k` reduced axes the per-axis fan-in is `max(2, floor(n^(1/k)))`, so a
// combine task merges up to `2^k > n` partials (Dask computes the same fan-in; either the
// doc or the code should change).
#[test]
fn split_every_bounds_the_partials_per_combine_task() {
    // 16 blocks reduced to 1: a tree whose tasks merge at most 2 partials has at least
    // 15 combine tasks (16 leaves, 15 inner nodes), on top of 16 fused zeros+partial tasks.
    let x = chunkwise::zeros::<f64>(&[4, 4], [1, 1]);
    let stats = x.sum(Axes::all().split_every(2)).graph_stats().unwrap();
    assert!(
        stats.tasks >= 16 + 15,
        "{stats:?}: some combine task merges more than 2 partials"
    );
    let y = chunkwise::zeros::<f64>(&[4, 4, 4], [1, 1, 1]);
    let stats = y.sum(Axes::all().split_every(4)).graph_stats().unwrap();
    // 64 leaves merged at most 4 at a time need at least ceil(63 / 3) = 21 combine tasks.
    assert!(
        stats.tasks >= 64 + 21,
        "{stats:?}: some combine task merges more than 4 partials"
    );
}

/// NumPy semantics of the reductions added with the reduction seam: `nanprod` of all-NaN
/// lanes is 1, `nanvar` of them NaN, `ptp` of integers wraps in their dtype and is not
/// defined for `bool`.
#[test]
fn nanprod_nanvar_and_ptp_follow_numpy() {
    let a = ndarray::array![[f64::NAN, f64::NAN], [2.0, f64::NAN], [3.0, 4.0]].into_dyn();
    let x = lazy(&a, [2, 1]);
    assert_eq!(
        run(&x.nanprod(1)),
        ndarray::arr1(&[1.0, 2.0, 12.0]).into_dyn()
    );
    let v = run(&x.nanvar(1));
    assert!(v[[0]].is_nan() && v[[1]] == 0.0 && v[[2]] == 0.25, "{v}");
    // ddof larger than the count divides by zero, as NumPy does (with a warning there).
    assert!(run(&x.nanvar(1).ddof(2))[[2]].is_infinite());
    let p = run(&x.ptp(0));
    assert!(p[[0]].is_nan() && p[[1]].is_nan());
    let i = ndarray::array![[-128i8, 127], [0, 5]].into_dyn();
    let y = lazy(&i, [1, 1]);
    assert_eq!(run(&y.ptp(0)), ndarray::arr1(&[-128i8, 122]).into_dyn());
    assert_eq!(run(&y.ptp(..)), ndarray::arr0(-1i8).into_dyn()); // 127 - (-128) wraps
    let b = lazy(&ndarray::array![true, false].into_dyn(), [1]);
    assert!(matches!(
        crate::common::failure(b.ptp(..)).root(),
        Error::UnsupportedDType { op: "ptp", .. }
    ));
    assert!(matches!(
        crate::common::failure(lazy(&a, [2, 1]).slice(ndarray::s![..0, ..]).ptp(0)).root(),
        Error::EmptyReduction { op: "ptp", .. }
    ));
}
