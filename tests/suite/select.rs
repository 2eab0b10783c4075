//! Integer-array and boolean-mask indexing: `take` (known and lazy indices), `boolean_index`
//! (`x[mask]`), `compress`, `nonzero`, `argwhere`, against eager ndarray on the table of odd
//! shapes and irregular chunks; data-dependent sizes resolved by the counting pass inside
//! `compute` (reductions, elementwise work and slices after a mask, a mask of a masked
//! array, `explain`); the errors; the expression language's subscripts; and proptests.

use chunkwise::{lang, ComputeOptions, Error, LazyArray, UNKNOWN_LEN};
use ndarray::{array, ArrayD, Axis, IxDyn};
use proptest::prelude::*;

use crate::common::{cases, ints, lazy, mix, run, values};

/// NumPy's `take`: the lanes at `idx` (negative from the end) along `axis`.
fn take_eager<T: Copy>(a: &ArrayD<T>, idx: &[i64], axis: usize) -> ArrayD<T> {
    let n = a.shape()[axis] as i64;
    let idx: Vec<usize> = idx
        .iter()
        .map(|&i| (if i < 0 { i + n } else { i }) as usize)
        .collect();
    a.select(Axis(axis), &idx)
}

/// NumPy's `x[mask]`: 1-d, C order.
fn mask_eager<T: Copy>(a: &ArrayD<T>, m: &ArrayD<bool>) -> ArrayD<T> {
    let v: Vec<T> = a
        .iter()
        .zip(m.iter())
        .filter(|(_, t)| **t)
        .map(|(x, _)| *x)
        .collect();
    ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap()
}

/// NumPy's `argwhere`.
fn argwhere_eager(m: &ArrayD<bool>) -> ArrayD<i64> {
    let nd = m.ndim();
    let mut v = Vec::new();
    let mut rows = 0;
    for (ix, &t) in m.indexed_iter() {
        if t {
            rows += 1;
            v.extend((0..nd).map(|d| ix[d] as i64));
        }
    }
    ArrayD::from_shape_vec(IxDyn(&[rows, nd]), v).unwrap()
}

/// Indices for an axis of `len`: repeated, unsorted and negative ones.
fn odd_indices(len: usize, seed: u64) -> Vec<i64> {
    if len == 0 {
        return vec![];
    }
    let n = len as i64;
    (0..(len + 3))
        .map(|k| (mix(seed ^ k as u64) % (2 * len as u64)) as i64 - n)
        .collect()
}

#[test]
fn take_matches_numpy_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 3);
        let x = lazy(&a, case.chunks.clone());
        for axis in 0..case.shape.len() {
            for idx in [odd_indices(case.shape[axis], axis as u64), vec![]] {
                let got = run(&x.take(idx.clone(), axis));
                assert_eq!(
                    got,
                    take_eager(&a, &idx, axis),
                    "{} axis {axis} {idx:?}",
                    case.name
                );
                let lazy_idx =
                    chunkwise::from_ndarray(ndarray::Array1::from(idx.clone()).into_dyn(), [2]);
                let got = run(&x.take(&lazy_idx, axis));
                assert_eq!(
                    got,
                    take_eager(&a, &idx, axis),
                    "lazy: {} axis {axis} {idx:?}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn take_chunks_follow_the_index_order() {
    let x = chunkwise::arange(0i64, 10, 1, [4]);
    let y = x.take([9, 0, 1, 5, 5, 8, 2], 0);
    assert_eq!(y.chunks().to_string(), "((4, 3),)");
    assert_eq!(run(&y), array![9, 0, 1, 5, 5, 8, 2].into_dyn());
    // The identity is the array itself.
    assert_eq!(x.take([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0).key(), x.key());
    // Negative axis.
    let m = chunkwise::from_ndarray(array![[1, 2, 3], [4, 5, 6]], [1, 2]);
    assert_eq!(run(&m.take([-1, 0], -1)), array![[3, 1], [6, 4]].into_dyn());
    // Then a reduction and elementwise work.
    assert_eq!(y.sum(..).compute_scalar().unwrap(), 30);
    assert_eq!(run(&(&y * 2)), array![18, 0, 2, 10, 10, 16, 4].into_dyn());
}

#[test]
fn take_out_of_range_is_an_index_error() {
    let x = chunkwise::arange(0i32, 5, 1, [2]);
    let e = x.take([0, 5], 0).compute().unwrap_err();
    assert!(
        matches!(
            e.root(),
            Error::IndexOutOfRange {
                index: 5,
                len: 5,
                axis: 0
            }
        ),
        "{e}"
    );
    let e = x.take([-6], 0).compute().unwrap_err();
    assert!(
        matches!(e.root(), Error::IndexOutOfRange { index: -6, .. }),
        "{e}"
    );
    let lazy_idx = chunkwise::from_ndarray(array![1i64, 7].into_dyn(), [1]);
    let e = x.take(&lazy_idx, 0).compute().unwrap_err();
    assert!(
        matches!(e.root(), Error::IndexOutOfRange { index: 7, .. }),
        "{e}"
    );
    let float_idx = chunkwise::from_ndarray(array![1.0f64].into_dyn(), [1]);
    assert!(x.take(&float_idx, 0).error().is_some());
    assert!(x.take([0], 1).error().is_some());
}

#[test]
fn boolean_index_matches_numpy_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 5);
        let x = lazy(&a, case.chunks.clone());
        for threshold in [-10.0, 0.3, 10.0] {
            let m = a.mapv(|v| v > threshold);
            let got = run(&x.boolean_index(&x.greater(threshold)));
            assert_eq!(got, mask_eager(&a, &m), "{} > {threshold}", case.name);
            // A mask chunked differently from the array.
            let lm = lazy(&m, vec![1usize; case.shape.len()]);
            assert_eq!(
                run(&x.boolean_index(&lm)),
                mask_eager(&a, &m),
                "{}",
                case.name
            );
            assert_eq!(
                run(&x.greater(threshold).argwhere()),
                argwhere_eager(&m),
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn masked_length_is_unknown_until_compute() {
    let a = values(&[7, 5], 1);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    let y = x.boolean_index(&x.greater(0.0));
    assert_eq!(y.shape(), &[UNKNOWN_LEN]);
    assert_eq!(y.dims(), vec![None]);
    assert!(y.to_string().contains('?'), "{y}");
    // A reduction over it has a known (0-d) shape; elementwise work keeps it unknown.
    assert_eq!(y.sum(..).dims(), Vec::<Option<usize>>::new());
    assert_eq!((&y + 1.0).dims(), vec![None]);
    let m = a.mapv(|v| v > 0.0);
    let want = mask_eager(&a, &m);
    let total: f64 = want.iter().sum();
    assert!((y.sum(..).compute_scalar().unwrap() - total).abs() < 1e-9);
    assert_eq!(run(&(&y * 2.0)), want.mapv(|v| v * 2.0));
    assert_eq!(run(&y.slice(ndarray::s![..])), want);
    let plan = y.sum(..).explain().unwrap();
    assert!(plan.contains("counting pass"), "{plan}");
    // The same on one thread and without optimization.
    let one = ComputeOptions::default().single_threaded().optimize(false);
    assert!((y.sum(..).compute_scalar_with(&one).unwrap() - total).abs() < 1e-9);
}

#[test]
fn all_true_all_false_empty_and_masks_of_masks() {
    let x = chunkwise::arange(0i64, 12, 1, [5]);
    assert_eq!(
        run(&x.boolean_index(&x.greater_equal(0))),
        ndarray::Array1::from_iter(0..12).into_dyn()
    );
    let none = x.boolean_index(&x.less(0));
    assert_eq!(run(&none).shape(), &[0]);
    assert_eq!(none.sum(..).compute_scalar().unwrap(), 0);
    let empty = chunkwise::zeros::<f32>(&[0, 3], [1, 2]);
    assert_eq!(run(&empty.boolean_index(&empty.greater(0.0))).shape(), &[0]);
    // A mask of a masked array: two counting rounds.
    let evens = x.boolean_index(&x.remainder(2).equal(0));
    let big = evens.boolean_index(&evens.greater(4));
    assert_eq!(run(&big), array![6, 8, 10].into_dyn());
    // A bool array masked by itself.
    let b = x.greater(9);
    assert_eq!(run(&b.boolean_index(&b)), array![true, true].into_dyn());
}

#[test]
fn one_d_mask_along_the_first_axis_and_compress() {
    let a = values(&[5, 4], 2);
    let x = lazy(&a, vec![vec![2, 3], vec![3, 1]]);
    let rows = array![true, false, true, true, false].into_dyn();
    let m = lazy(&rows, [2]);
    let want = take_eager(&a, &[0, 2, 3], 0);
    assert_eq!(run(&x.boolean_index(&m)), want);
    assert_eq!(x.boolean_index(&m).dims(), vec![None, Some(4)]);
    assert_eq!(run(&x.compress(&m, 0)), want);
    assert_eq!(run(&x.compress([true, false, true, true], 0)), want);
    // Shorter conditions select from the start; nonzero integers count as true.
    assert_eq!(run(&x.compress([false, true], 1)), take_eager(&a, &[1], 1));
    let c = lazy(&array![0i32, 3, 0, 1].into_dyn(), [3]);
    assert_eq!(run(&x.compress(&c, 1)), take_eager(&a, &[1, 3], 1));
    // A true value beyond the axis.
    let e = x
        .compress([false, false, false, false, false, true], 0)
        .compute()
        .unwrap_err();
    assert!(
        matches!(e.root(), Error::IndexOutOfRange { index: 5, .. }),
        "{e}"
    );
    let long = lazy(&array![false, false, false, false, true].into_dyn(), [2]);
    let e = x.compress(&long, 1).compute().unwrap_err();
    assert!(
        matches!(e.root(), Error::IndexOutOfRange { index: 4, .. }),
        "{e}"
    );
}

#[test]
fn nonzero_and_argwhere() {
    let a = ints::<i32>(&[4, 3, 5], 9, -1, 2);
    let x = lazy(&a, vec![vec![3, 1], vec![2, 1], vec![2, 2, 1]]);
    let m = a.mapv(|v| v != 0);
    let want = argwhere_eager(&m);
    assert_eq!(run(&x.argwhere()), want);
    let parts = x.nonzero();
    assert_eq!(parts.len(), 3);
    let got = chunkwise::compute_many((&parts[0], &parts[1], &parts[2])).unwrap();
    assert_eq!(got.0, want.index_axis(Axis(1), 0).to_owned());
    assert_eq!(got.1, want.index_axis(Axis(1), 1).to_owned());
    assert_eq!(got.2, want.index_axis(Axis(1), 2).to_owned());
    // 0-d: argwhere gives (1, 0) or (0, 0); nonzero is refused.
    let t = chunkwise::from_ndarray(ndarray::arr0(3.0f64).into_dyn(), Vec::<usize>::new());
    assert_eq!(run(&t.argwhere()).shape(), &[1, 0]);
    assert!(t.nonzero()[0].error().is_some());
}

#[test]
fn operations_that_cannot_follow_a_mask_say_so() {
    let x = chunkwise::arange(0i64, 12, 1, [5]);
    let y = x.boolean_index(&x.greater(3)).flip(0);
    let e = y.compute().unwrap_err();
    assert!(
        matches!(
            e,
            Error::DataDependentShape {
                after: "boolean_index",
                ..
            }
        ),
        "{e}"
    );
    let e = x
        .boolean_index(&x.greater(3))
        .slice(ndarray::s![1..])
        .compute()
        .unwrap_err();
    assert!(matches!(e, Error::DataDependentShape { .. }), "{e}");
    let bad = x.boolean_index(&chunkwise::ones::<bool>(&[3], [2]));
    assert!(bad.error().is_some());
}

fn lang_inputs() -> lang::Inputs {
    let x = ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as f64 / 25.0);
    let idx = array![3i64, -1, 0].into_dyn();
    lang::Inputs::new()
        .with("x", chunkwise::from_ndarray(x, [3, 4]).to_dyn())
        .with("idx", chunkwise::from_ndarray(idx, [2]).to_dyn())
        .with("t", chunkwise::zeros::<f64>(&[2, 3, 4], [1, 2, 3]).to_dyn())
}

fn lang_x() -> ArrayD<f64> {
    ArrayD::from_shape_fn(IxDyn(&[4, 6]), |i| (i[0] * 6 + i[1]) as f64 / 25.0)
}

fn eval(src: &str) -> ArrayD<f64> {
    let out = lang::eval(src, &lang_inputs()).unwrap_or_else(|e| panic!("{src}: {e}"));
    out.compute().unwrap().into_typed::<f64>().unwrap()
}

#[test]
fn the_language_indexes_as_numpy() {
    let x = lang_x();
    assert_eq!(eval("take(x, [3, 1], axis=0)"), take_eager(&x, &[3, 1], 0));
    assert_eq!(
        eval("x.take([5, 5, -1], axis=1)"),
        take_eager(&x, &[5, 5, -1], 1)
    );
    assert_eq!(
        eval("take(x, 2, axis=1)"),
        x.index_axis(Axis(1), 2).to_owned()
    );
    assert_eq!(eval("x[[0, 3, 3]]"), take_eager(&x, &[0, 3, 3], 0));
    assert_eq!(eval("x[:, [2, 0]]"), take_eager(&x, &[2, 0], 1));
    assert_eq!(eval("x[:, idx]"), take_eager(&x, &[3, -1, 0], 1));
    assert_eq!(
        eval("x[1:3, [4]]"),
        take_eager(&x, &[4], 1)
            .slice_move(ndarray::s![1..3, ..])
            .into_dyn()
    );
    assert_eq!(eval("x[x > 0.5]"), mask_eager(&x, &x.mapv(|v| v > 0.5)));
    assert_eq!(
        eval("x[x > 0.5].sum()"),
        ndarray::arr0(mask_eager(&x, &x.mapv(|v| v > 0.5)).sum()).into_dyn()
    );
    assert_eq!(
        eval("x[[True, False, False, True]]"),
        take_eager(&x, &[0, 3], 0)
    );
    assert_eq!(eval("x[:, x[0] > 0.1]"), take_eager(&x, &[3, 4, 5], 1));
    assert_eq!(
        eval("compress([False, True], x, axis=0)"),
        take_eager(&x, &[1], 0)
    );
    assert_eq!(
        eval("x[0, [1, 2]]"),
        array![1.0 / 25.0, 2.0 / 25.0].into_dyn()
    );
    let out = lang::eval("argwhere(x > 0.8)", &lang_inputs())
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(
        out.into_typed::<i64>().unwrap(),
        argwhere_eager(&x.mapv(|v| v > 0.8))
    );
    // An integer and an array separated by a slice: the array's axis goes first.
    let out = lang::eval("t[0, :, [1, 2, 3]]", &lang_inputs()).unwrap();
    assert_eq!(out.shape(), &[3, 3]);
    let out = lang::eval("t[:, 0, [1, 2, 3]]", &lang_inputs()).unwrap();
    assert_eq!(out.shape(), &[2, 3]);
    // Errors: out of range, a mask of the wrong shape.
    assert!(lang::eval("x[[0, 9]]", &lang_inputs()).is_err());
    assert!(lang::eval("x[[True, False]]", &lang_inputs()).is_err());
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(48),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A random shape (1 to 3 axes of 0 to 8) with random regular chunks, and a seed.
fn shaped() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, u64)> {
    prop::collection::vec(0usize..=8, 1..=3).prop_flat_map(|shape| {
        let chunks: Vec<BoxedStrategy<usize>> =
            shape.iter().map(|&n| (1..=n.max(1)).boxed()).collect();
        (Just(shape), chunks, any::<u64>())
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn take_equals_eager((shape, chunks, seed) in shaped(), axis_pick in 0usize..3) {
        let axis = axis_pick % shape.len();
        let a = values(&shape, seed);
        let x: LazyArray<f64> = lazy(&a, chunks);
        let idx = odd_indices(shape[axis], seed ^ 0x4d);
        prop_assert_eq!(x.take(idx.clone(), axis).compute().unwrap(), take_eager(&a, &idx, axis));
    }

    #[test]
    fn boolean_mask_equals_eager((shape, chunks, seed) in shaped(), cut in -1.0f64..1.0) {
        let a = values(&shape, seed);
        let x: LazyArray<f64> = lazy(&a, chunks);
        let m = a.mapv(|v| v > cut);
        prop_assert_eq!(x.boolean_index(&x.greater(cut)).compute().unwrap(), mask_eager(&a, &m));
        let s = x.boolean_index(&x.greater(cut)).sum(..).compute_scalar().unwrap();
        prop_assert!((s - mask_eager(&a, &m).sum()).abs() < 1e-9);
    }
}

#[test]
fn a_masked_result_writes_to_zarr() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.zarr");
    let a = values(&[9, 7], 4);
    let x = lazy(&a, vec![vec![4, 4, 1], vec![3, 4]]);
    let y = x.boolean_index(&x.greater(0.0));
    y.to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))
        .unwrap()
        .run()
        .unwrap();
    let z = chunkwise::zarr::open_array(&path).unwrap();
    let want = mask_eager(&a, &a.mapv(|v| v > 0.0));
    let region = 0..want.len();
    let got = z
        .read(std::slice::from_ref(&region))
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    assert_eq!(got, want);
    assert_eq!(z.shape(), &[want.len()]);
}

/// Several integer lists or arrays in one subscript: NumPy's pointwise indexing, with
/// its placement rule (in place when adjacent, first when a slice separates them),
/// broadcasting, negative indices, integers counted as advanced, lazy index arrays, and
/// an index out of its axis's range refused. Expected values are NumPy's for
/// `x = np.arange(24).reshape(2, 3, 4)`.
#[test]
fn several_array_indices_index_pointwise_as_numpy() {
    let x = ndarray::Array::from_iter(0i64..24)
        .into_shape_with_order((2, 3, 4))
        .unwrap()
        .into_dyn();
    let mut inputs = chunkwise::lang::Inputs::new();
    inputs.insert("x", chunkwise::from_ndarray(x, [1, 2, 3]).to_dyn());
    inputs.insert(
        "i",
        chunkwise::from_ndarray(ndarray::array![0i64, 1].into_dyn(), [1]).to_dyn(),
    );
    let eval = |src: &str| -> (Vec<usize>, Vec<i64>) {
        let y = chunkwise::lang::eval(src, &inputs)
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .compute()
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .into_typed::<i64>()
            .unwrap();
        (y.shape().to_vec(), y.iter().copied().collect())
    };
    let cases: &[(&str, &[usize], &[i64])] = &[
        ("x[[0, 1], [1, 2]]", &[2, 4], &[4, 5, 6, 7, 20, 21, 22, 23]),
        ("x[[0, 1], [1, 2], [3, 0]]", &[2], &[7, 20]),
        ("x[:, [0, 2], [1, 3]]", &[2, 2], &[1, 11, 13, 23]),
        ("x[[0, 1], :, [1, 3]]", &[2, 3], &[1, 5, 9, 15, 19, 23]),
        ("x[[1], [0, 2]]", &[2, 4], &[12, 13, 14, 15, 20, 21, 22, 23]),
        (
            "x[[-1, 0], [-1, 0]]",
            &[2, 4],
            &[20, 21, 22, 23, 0, 1, 2, 3],
        ),
        ("x[0, [0, 2], [1, 3]]", &[2], &[1, 11]),
        ("x[[0, 1], 1, [1, 3]]", &[2], &[5, 19]),
        ("x[i, [1, 2]]", &[2, 4], &[4, 5, 6, 7, 20, 21, 22, 23]),
        ("x[i, :, i + 2]", &[2, 3], &[2, 6, 10, 15, 19, 23]),
        ("x[..., [0, 1], [3, 3]][:, 1]", &[2], &[7, 19]),
    ];
    for &(src, shape, values) in cases {
        assert_eq!(eval(src), (shape.to_vec(), values.to_vec()), "{src}");
    }
    // An index past its axis (2 on an axis of 2) fails, though its flat index would not.
    let err = chunkwise::lang::eval("x[[0, 2], [0, 0]]", &inputs)
        .unwrap()
        .compute()
        .unwrap_err();
    assert!(err.to_string().contains("out of"), "{err}");
    // A boolean mask with another array index is refused, saying how to write it.
    let err = chunkwise::lang::eval("x[[True, False], [0, 1]]", &inputs).unwrap_err();
    assert!(err.to_string().contains("boolean mask"), "{err}");
}
