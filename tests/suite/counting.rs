//! `unique` (values, counts, NaNs) and `bincount` (counts, weights, `minlength`) against
//! eager references and NumPy's printed results, on the shared case table, empty arrays,
//! one-block and many-block inputs, through later operations, in the language, with their
//! errors, and proptests over random shapes and chunkings.

use chunkwise::{lang, Error, UNKNOWN_LEN};
use ndarray::{array, ArrayD, IxDyn};
use proptest::prelude::*;

use crate::common::{cases, failure, from_flat, into_root, ints, lazy, mix, run, with_nans};

/// NumPy's `unique(a, return_counts=True)`: sorted values (NaN last, all NaNs as one).
fn eager_unique(a: &ArrayD<f64>) -> (Vec<f64>, Vec<i64>) {
    let mut v: Vec<f64> = a.iter().copied().collect();
    v.sort_by(|x, y| match (x.is_nan(), y.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => x.partial_cmp(y).unwrap(),
    });
    let (mut values, mut counts): (Vec<f64>, Vec<i64>) = (Vec::new(), Vec::new());
    for x in v {
        match values.last() {
            Some(&last) if last == x || (last.is_nan() && x.is_nan()) => {
                *counts.last_mut().unwrap() += 1;
            }
            _ => {
                values.push(x);
                counts.push(1);
            }
        }
    }
    (values, counts)
}

/// NumPy's `bincount(x, weights, minlength)`.
fn eager_bincount(x: &ArrayD<i64>, weights: Option<&ArrayD<f64>>, minlength: usize) -> Vec<f64> {
    let n = x
        .iter()
        .map(|&v| v as usize + 1)
        .max()
        .unwrap_or(0)
        .max(minlength);
    let mut out = vec![0.0; n];
    for (k, &v) in x.iter().enumerate() {
        out[v as usize] += weights.map_or(1.0, |w| w.as_slice().unwrap()[k]);
    }
    out
}

fn same_with_nans(got: &[f64], want: &[f64]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()))
}

#[test]
fn unique_over_every_case_is_numpys() {
    for (i, case) in cases().into_iter().enumerate() {
        // Few distinct values, so there are repeats; NaNs in some cases.
        let a = if i % 2 == 0 {
            ints::<f64>(&case.shape, i as u64, -3, 3)
        } else {
            with_nans(&case.shape, i as u64).mapv(|v| (v * 4.0).round())
        };
        let x = lazy(&a, case.chunks.clone());
        let (want_values, want_counts) = eager_unique(&a);
        let got = run(&x.unique());
        assert!(
            same_with_nans(got.as_slice().unwrap(), &want_values),
            "{}: {got} vs {want_values:?}",
            case.name
        );
        let (values, counts) = x.unique_counts();
        assert!(same_with_nans(
            run(&values).as_slice().unwrap(),
            &want_values
        ));
        assert_eq!(
            run(&counts).as_slice().unwrap(),
            want_counts.as_slice(),
            "{}",
            case.name
        );
    }
}

#[test]
fn unique_of_integers_and_of_empty_arrays() {
    let a = ints::<i32>(&[41], 3, 0, 9);
    let x = lazy(&a, [5]);
    let mut want: Vec<i32> = a.iter().copied().collect();
    want.sort_unstable();
    want.dedup();
    assert_eq!(run(&x.unique()).as_slice().unwrap(), want.as_slice());
    // The length is data-dependent until computed.
    assert_eq!(x.unique().shape(), &[UNKNOWN_LEN]);
    // A later operation just works: the sum of the distinct values.
    let sum: i64 = want.iter().map(|&v| i64::from(v)).sum();
    assert_eq!(x.unique().sum(..).compute_scalar().unwrap(), sum);
    // Empty: empty values and counts.
    let e = lazy(&ArrayD::<f64>::zeros(IxDyn(&[0, 3])), [1, 2]);
    let (values, counts) = e.unique_counts();
    assert_eq!(run(&values).len(), 0);
    assert_eq!(run(&counts).len(), 0);
    // All equal, in many blocks: one value, counted once per element.
    let same = chunkwise::full(&[1000], 7u8, [33]);
    let (values, counts) = same.unique_counts();
    assert_eq!(run(&values), array![7u8].into_dyn());
    assert_eq!(run(&counts), array![1000i64].into_dyn());
}

#[test]
fn bincount_counts_weights_and_minlength_as_numpy() {
    // np.bincount([0, 1, 1, 3, 2, 1, 7]) -> [1, 3, 1, 1, 0, 0, 0, 1]
    let x = lazy(&array![0i64, 1, 1, 3, 2, 1, 7].into_dyn(), [3]);
    assert_eq!(
        run(&x.bincount(0)),
        array![1i64, 3, 1, 1, 0, 0, 0, 1].into_dyn()
    );
    // minlength longer than max + 1 pads with zeros; shorter changes nothing.
    assert_eq!(run(&x.bincount(10)).len(), 10);
    assert_eq!(run(&x.bincount(3)).len(), 8);
    // np.bincount([0, 1, 1, 2, 2, 2], weights=[0.3, 0.5, 0.2, 0.7, 1., -0.6])
    //   -> [0.3, 0.7, 1.1]
    let x = lazy(&array![0u8, 1, 1, 2, 2, 2].into_dyn(), [4]);
    let w = lazy(&array![0.3, 0.5, 0.2, 0.7, 1.0, -0.6].into_dyn(), [2]);
    let got = run(&x.bincount_weighted(&w, 0));
    let want = [0.3, 0.7, 1.1];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-15, "{got}");
    }
    // Bools count as 0 and 1; the length is data-dependent until computed.
    let b = lazy(&array![true, false, true].into_dyn(), [2]);
    assert_eq!(run(&b.bincount(0)), array![1i64, 2].into_dyn());
    assert_eq!(b.bincount(0).shape(), &[UNKNOWN_LEN]);
    // Empty: `minlength` zeros (NumPy: np.bincount(np.array([], int), minlength=3)).
    let e = lazy(&ArrayD::<i64>::zeros(IxDyn(&[0])), [1]);
    assert_eq!(run(&e.bincount(3)), array![0i64, 0, 0].into_dyn());
    assert_eq!(run(&e.bincount(0)).len(), 0);
    // Through later operations: a normalized histogram of integers.
    let x = lazy(&ints::<i64>(&[500], 9, 0, 20), [64]);
    let share = x.bincount(0).astype::<f64>() / 500.0;
    let total = share.sum(..).compute_scalar().unwrap();
    assert!((total - 1.0).abs() < 1e-12, "{total}");
}

#[test]
fn bincount_refuses_what_numpy_refuses() {
    // Negative values fail at compute, naming the operation.
    let x = lazy(&array![1i64, -2, 3].into_dyn(), [2]);
    let e = into_root(failure(x.bincount(0).compute()));
    assert!(
        matches!(&e, Error::InvalidParameter { op: "bincount", .. }),
        "{e}"
    );
    assert!(e.to_string().contains("-2"), "{e}");
    // Floats and 2-d arrays are invalid when built.
    let f = lazy(&array![1.0, 2.0].into_dyn(), [2]);
    assert!(f.to_dyn().bincount(None, 0).error().is_some());
    let two = lazy(&array![[1i64, 2], [3, 4]].into_dyn(), [1, 2]);
    assert!(two.bincount(0).error().is_some());
    // Weights of another shape.
    let x = lazy(&array![1i64, 2].into_dyn(), [2]);
    let w = lazy(&array![1.0, 2.0, 3.0].into_dyn(), [3]);
    assert!(x.bincount_weighted(&w, 0).error().is_some());
}

#[test]
fn unique_and_bincount_in_the_language() {
    let mut inputs = lang::Inputs::new();
    let x = array![3i64, 1, 3, 0, 1, 3].into_dyn();
    inputs.insert("x", chunkwise::from_ndarray(x, [4]).to_dyn());
    let eval = |src: &str| lang::eval(src, &inputs).unwrap().compute().unwrap();
    assert_eq!(
        eval("unique(x)").into_typed::<i64>().unwrap(),
        array![0i64, 1, 3].into_dyn()
    );
    assert_eq!(
        eval("unique(x, return_counts=True)[1]")
            .into_typed::<i64>()
            .unwrap(),
        array![1i64, 2, 3].into_dyn()
    );
    assert_eq!(
        eval("bincount(x, minlength=6)")
            .into_typed::<i64>()
            .unwrap(),
        array![1i64, 2, 0, 3, 0, 0].into_dyn()
    );
    assert_eq!(
        eval("bincount(x, weights=x * 0.5)")
            .into_typed::<f64>()
            .unwrap(),
        array![0.0, 1.0, 0.0, 4.5].into_dyn()
    );
    let err = lang::eval("unique(x, return_inverse=True)", &inputs).unwrap_err();
    assert!(err.to_string().contains("return_inverse"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// `unique` with counts of random data with repeats and NaNs, over a random shape
    /// and chunking, is NumPy's.
    #[test]
    fn unique_is_eager_unique(
        shape in prop::collection::vec(0usize..9, 1..4),
        chunk in prop::collection::vec(1usize..5, 3),
        seed in 0u64..1000,
    ) {
        let chunks: Vec<usize> = shape.iter().zip(&chunk).map(|(&s, &c)| c.min(s.max(1))).collect();
        let a = from_flat(&shape, |k| {
            let h = mix(k ^ mix(seed));
            if h % 7 == 0 { f64::NAN } else { (h % 5) as f64 - 2.0 }
        });
        let (values, counts) = lazy(&a, chunks).unique_counts();
        let (want_values, want_counts) = eager_unique(&a);
        prop_assert!(same_with_nans(run(&values).as_slice().unwrap(), &want_values));
        let got_counts = run(&counts);
        prop_assert_eq!(got_counts.as_slice().unwrap(), want_counts.as_slice());
    }

    /// `bincount`, with and without weights, of random non-negative integers over a
    /// random chunking is NumPy's.
    #[test]
    fn bincount_is_eager_bincount(
        len in 0usize..60,
        chunk in 1usize..17,
        top in 0i64..40,
        minlength in 0usize..50,
        seed in 0u64..1000,
    ) {
        let a = ints::<i64>(&[len], seed, 0, top);
        let w = from_flat(&[len], |k| (mix(k ^ seed) % 8) as f64 * 0.25);
        let x = lazy(&a, [chunk]);
        let want = eager_bincount(&a, None, minlength);
        let got = run(&x.bincount(minlength));
        prop_assert_eq!(got.iter().map(|&c| c as f64).collect::<Vec<_>>(), want);
        let want = eager_bincount(&a, Some(&w), minlength);
        // Quarters sum exactly in any order.
        let got = run(&x.bincount_weighted(&lazy(&w, [chunk.max(2) - 1]), minlength));
        prop_assert_eq!(got.iter().copied().collect::<Vec<_>>(), want);
    }
}
