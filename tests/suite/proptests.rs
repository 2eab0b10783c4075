//! Property tests: random shapes (1 to 4 axes of length 0 to 9), random regular or
//! irregular chunks, random values, and random small expressions, evaluated lazily and
//! eagerly with ndarray.
//!
//! Values are multiples of 1/4 in `-3..=3`, so sums and products are exact until a mean
//! or a sine makes them inexact, and the comparison tolerance stays meaningful.

use chunkwise::{Axes, Chunks, ComputeOptions, Error, LazyArray};
use ndarray::{ArrayD, IxDyn, SliceInfoElem};
use proptest::prelude::*;

use crate::common::{assert_close, assert_same, eager, lazy, mix, reduce_eager, values, zip_map};

/// The comparison tolerance for results of several inexact steps.
const TOL: f64 = 1e-9;

fn config() -> ProptestConfig {
    ProptestConfig {
        // 64 cases unless PROPTEST_CASES says otherwise (for longer bug hunts).
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64),
        // Failing cases are printed; don't write regression files into the repository.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Chunk sizes for an axis of `len`: regular with a random size, or a random split.
fn axis_sizes(len: usize) -> BoxedStrategy<Vec<usize>> {
    if len == 0 {
        return Just(vec![]).boxed();
    }
    let regular = (1..=len).prop_map(move |s| {
        let mut v = vec![s; len / s];
        if len % s > 0 {
            v.push(len % s);
        }
        v
    });
    let cuts: Vec<usize> = (1..len).collect();
    let n = cuts.len();
    let irregular =
        prop::sample::subsequence(cuts, 0..=n).prop_map(move |cuts| sizes_from_cuts(&cuts, len));
    prop_oneof![regular, irregular].boxed()
}

/// Chunk lengths between sorted cut points `cuts` of an axis of `len`.
fn sizes_from_cuts(cuts: &[usize], len: usize) -> Vec<usize> {
    let mut sizes = Vec::with_capacity(cuts.len() + 1);
    let mut prev = 0;
    for &c in cuts.iter().chain(std::iter::once(&len)) {
        sizes.push(c - prev);
        prev = c;
    }
    sizes
}

fn chunks_for(shape: &[usize]) -> impl Strategy<Value = Chunks> + use<> {
    let per_axis: Vec<BoxedStrategy<Vec<usize>>> =
        shape.iter().map(|&len| axis_sizes(len)).collect();
    per_axis.prop_map(Chunks::from)
}

/// A random shape, chunks for it, and a seed for its values.
fn array_strategy() -> impl Strategy<Value = (Vec<usize>, Chunks, u64)> {
    prop::collection::vec(0usize..=9, 1..=4).prop_flat_map(|shape| {
        let chunks = chunks_for(&shape);
        (Just(shape), chunks, any::<u64>())
    })
}

/// Chunks for `shape` derived from `seed`, for steps that need a chunking of a shape known
/// only while the expression is built.
fn chunks_from_seed(shape: &[usize], seed: u64) -> Chunks {
    let per_axis = shape
        .iter()
        .enumerate()
        .map(|(d, &len)| {
            let r = mix(seed ^ (d as u64 + 1));
            if len == 0 {
                vec![]
            } else if r % 2 == 0 {
                let s = 1 + (r / 2) as usize % len;
                sizes_from_cuts(&(1..len).filter(|i| i % s == 0).collect::<Vec<_>>(), len)
            } else {
                let cuts: Vec<usize> = (1..len).filter(|&i| mix(r ^ i as u64) % 3 == 0).collect();
                sizes_from_cuts(&cuts, len)
            }
        })
        .collect::<Vec<_>>();
    Chunks::from(per_axis)
}

/// A basic index for `shape` derived from `seed`: per axis a range with a step in
/// `-3..=3` (not 0), an integer index, or a range preceded by a new axis.
fn index_from_seed(shape: &[usize], seed: u64) -> Vec<SliceInfoElem> {
    let mut info = Vec::new();
    for (d, &len) in shape.iter().enumerate() {
        let r = mix(seed ^ (d as u64 + 7));
        let l = len as isize;
        let pick = |k: u64| (mix(r ^ k) % (2 * len as u64 + 1)) as isize - l; // in -l..=l
        match r % 8 {
            0 if len > 0 => info.push(SliceInfoElem::Index(
                (mix(r ^ 1) % (2 * len as u64)) as isize - l,
            )),
            1 => {
                info.push(SliceInfoElem::NewAxis);
                info.push(SliceInfoElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                });
            }
            _ => {
                let steps = [-3, -2, -1, 1, 2, 3];
                let step = steps[(mix(r ^ 2) % 6) as usize];
                let end = if mix(r ^ 3) % 3 == 0 {
                    None
                } else {
                    Some(pick(4))
                };
                info.push(SliceInfoElem::Slice {
                    start: pick(5),
                    end,
                    step,
                });
            }
        }
    }
    info
}

/// A random permutation of `0..n`.
fn permutation_from_seed(n: usize, seed: u64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (mix(seed ^ i as u64) % (i as u64 + 1)) as usize;
        p.swap(i, j);
    }
    p
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Sum,
    Mean,
    Max,
}

/// One step of a random expression; seeds are interpreted against the current shape.
#[derive(Clone, Debug)]
enum Step {
    /// Plus, minus or times another random array of the same shape and other chunks.
    Add(u64),
    Sub(u64),
    Mul(u64),
    /// Plus a broadcast row (the last axis, or a length-1 stand-in for it).
    AddRow(u64),
    /// `x + x`: one shared input.
    AddSelf,
    ScalarMinus(i8),
    Sin,
    Abs,
    Neg,
    Slice(u64),
    Transpose,
    Permute(u64),
    Rechunk(u64),
    Reduce(Kind, u64, bool),
    /// Variance over the axes in a bit mask.
    Var(u8, bool),
    /// `where(x > other, x, other)`, elementwise maximum via a condition.
    WhereGreater(u64),
    /// NaN-propagating minimum with another array.
    Minimum(u64),
    Clip,
    ExpandDims(u64),
    Squeeze,
}

fn step_strategy() -> impl Strategy<Value = Step> {
    let kind = prop_oneof![Just(Kind::Sum), Just(Kind::Mean), Just(Kind::Max)];
    prop_oneof![
        any::<u64>().prop_map(Step::Add),
        any::<u64>().prop_map(Step::Sub),
        any::<u64>().prop_map(Step::Mul),
        any::<u64>().prop_map(Step::AddRow),
        Just(Step::AddSelf),
        any::<i8>().prop_map(Step::ScalarMinus),
        Just(Step::Sin),
        Just(Step::Abs),
        Just(Step::Neg),
        any::<u64>().prop_map(Step::Slice),
        Just(Step::Transpose),
        any::<u64>().prop_map(Step::Permute),
        any::<u64>().prop_map(Step::Rechunk),
        (kind, any::<u64>(), any::<bool>()).prop_map(|(k, s, keep)| Step::Reduce(k, s, keep)),
        (any::<u8>(), any::<bool>()).prop_map(|(m, keep)| Step::Var(m, keep)),
        any::<u64>().prop_map(Step::WhereGreater),
        any::<u64>().prop_map(Step::Minimum),
        Just(Step::Clip),
        any::<u64>().prop_map(Step::ExpandDims),
        Just(Step::Squeeze),
    ]
}

/// A lazy expression and the same computation done eagerly.
struct Pair {
    lazy: LazyArray<f64>,
    eager: ArrayD<f64>,
}

/// Another random array of `shape`, with chunks of its own.
fn other(shape: &[usize], seed: u64) -> (LazyArray<f64>, ArrayD<f64>) {
    let b = values(shape, seed);
    (lazy(&b, chunks_from_seed(shape, seed)), b)
}

impl Pair {
    fn apply(self, step: &Step) -> Pair {
        let Pair { lazy: x, eager: a } = self;
        let ndim = a.ndim();
        match *step {
            Step::Add(seed) | Step::Sub(seed) | Step::Mul(seed) => {
                let (y, b) = other(a.shape(), seed);
                let (lazy, eager) = match step {
                    Step::Add(_) => ((&x + &y), &a + &b),
                    Step::Sub(_) => ((&x - &y), &a - &b),
                    _ => ((&x * &y), &a * &b),
                };
                Pair { lazy, eager }
            }
            Step::AddRow(seed) => {
                let row_shape = match a.shape().last() {
                    Some(&n) if seed % 3 != 0 => vec![n],
                    Some(_) => vec![1],
                    None => vec![],
                };
                let b = values(&row_shape, seed);
                let y = lazy(&b, chunks_from_seed(&row_shape, seed));
                Pair {
                    lazy: (&x + &y),
                    eager: zip_map(&a, &b, |p, q| p + q),
                }
            }
            Step::AddSelf => Pair {
                lazy: (&x + &x),
                eager: &a + &a,
            },
            Step::ScalarMinus(c) => Pair {
                lazy: f64::from(c) / 8.0 - &x,
                eager: a.mapv(|v| f64::from(c) / 8.0 - v),
            },
            Step::Sin => Pair {
                lazy: x.sin(),
                eager: a.mapv(f64::sin),
            },
            Step::Abs => Pair {
                lazy: x.abs(),
                eager: a.mapv(f64::abs),
            },
            Step::Neg => Pair {
                lazy: -&x,
                eager: a.mapv(|v| -v),
            },
            Step::Slice(seed) => {
                let info = index_from_seed(a.shape(), seed);
                Pair {
                    lazy: x.slice(&info),
                    eager: a.slice(info.as_slice()).to_owned(),
                }
            }
            Step::Transpose => Pair {
                lazy: x.t(),
                eager: a.t().to_owned(),
            },
            Step::Permute(seed) => {
                let perm = permutation_from_seed(ndim, seed);
                Pair {
                    lazy: x.permute_axes(&perm),
                    eager: a.view().permuted_axes(IxDyn(&perm)).to_owned(),
                }
            }
            Step::Rechunk(seed) => Pair {
                lazy: x.rechunk(chunks_from_seed(a.shape(), seed)),
                eager: a,
            },
            Step::Reduce(kind, seed, keepdims) => {
                if ndim == 0 {
                    return Pair { lazy: x, eager: a };
                }
                let axis = (seed % ndim as u64) as usize;
                let axes = Axes::from(axis)
                    .keepdims(keepdims)
                    .split_every(2 + (seed % 4) as usize);
                let set = [axis];
                match kind {
                    Kind::Sum => Pair {
                        lazy: x.sum(axes),
                        eager: reduce_eager(&a, Some(&set[..]), keepdims, eager::sum),
                    },
                    Kind::Mean => Pair {
                        lazy: x.mean(axes),
                        eager: reduce_eager(&a, Some(&set[..]), keepdims, eager::mean),
                    },
                    Kind::Max if a.shape()[axis] == 0 => {
                        assert!(matches!(
                            crate::common::failure(x.max(axes)).root(),
                            Error::EmptyReduction { .. }
                        ));
                        Pair { lazy: x, eager: a }
                    }
                    Kind::Max => Pair {
                        lazy: x.max(axes),
                        eager: reduce_eager(&a, Some(&set[..]), keepdims, eager::max),
                    },
                }
            }
            Step::Var(mask, keepdims) => {
                let set: Vec<usize> = (0..ndim).filter(|d| mask & (1 << d) != 0).collect();
                let ddof = usize::from(mask >= 128);
                let axes = Axes::new(set.clone())
                    .keepdims(keepdims)
                    .split_every(2 + usize::from(mask % 3));
                Pair {
                    lazy: x.var(axes).ddof(ddof),
                    eager: reduce_eager(&a, Some(&set), keepdims, |v| eager::var(v, ddof)),
                }
            }
            Step::WhereGreater(seed) => {
                let (y, b) = other(a.shape(), seed);
                Pair {
                    lazy: chunkwise::where_(&x.greater(&y), &x, &y),
                    eager: zip_map(&a, &b, |p, q| if p > q { p } else { q }),
                }
            }
            Step::Minimum(seed) => {
                let (y, b) = other(a.shape(), seed);
                Pair {
                    lazy: x.minimum(&y),
                    eager: zip_map(&a, &b, |p, q| {
                        if p.is_nan() || q.is_nan() {
                            f64::NAN
                        } else {
                            p.min(q)
                        }
                    }),
                }
            }
            Step::Clip => Pair {
                lazy: x.clip(-1.5, 2.0),
                eager: a.mapv(|v| if v.is_nan() { v } else { v.clamp(-1.5, 2.0) }),
            },
            Step::ExpandDims(seed) => {
                if ndim >= 5 {
                    return Pair { lazy: x, eager: a };
                }
                let axis = (seed % (ndim as u64 + 1)) as usize;
                Pair {
                    lazy: x.expand_dims(axis),
                    eager: a.insert_axis(ndarray::Axis(axis)),
                }
            }
            Step::Squeeze => {
                let kept: Vec<usize> = a.shape().iter().copied().filter(|&n| n != 1).collect();
                Pair {
                    lazy: x.squeeze(),
                    eager: a
                        .as_standard_layout()
                        .into_owned()
                        .into_shape_with_order(IxDyn(&kept))
                        .unwrap(),
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Reduction {
    Sum,
    Prod,
    Mean,
    Var(usize),
    Std(usize),
    Min,
    Max,
    NanSum,
    NanMean,
    NanMax,
}

fn reduction_strategy() -> impl Strategy<Value = Reduction> {
    prop_oneof![
        Just(Reduction::Sum),
        Just(Reduction::Prod),
        Just(Reduction::Mean),
        (0usize..=1).prop_map(Reduction::Var),
        (0usize..=1).prop_map(Reduction::Std),
        Just(Reduction::Min),
        Just(Reduction::Max),
        Just(Reduction::NanSum),
        Just(Reduction::NanMean),
        Just(Reduction::NanMax),
    ]
}

/// One step of a random integer expression: wrapping arithmetic, exact results.
#[derive(Clone, Debug)]
enum IntStep {
    Add(u64),
    Sub(u64),
    Mul(u64),
    /// Division by another array that has zeros: truncating, and 0 where it divides by 0.
    Div(u64),
    Neg,
    Abs,
    ScalarMul(i16),
    Powi(u8),
    Clip(i16, i16),
    Slice(u64),
    Permute(u64),
    Rechunk(u64),
    /// Sum, product, min or max over the axes in a bit mask.
    Reduce(u8, u8, bool),
}

fn int_step_strategy() -> impl Strategy<Value = IntStep> {
    prop_oneof![
        any::<u64>().prop_map(IntStep::Add),
        any::<u64>().prop_map(IntStep::Sub),
        any::<u64>().prop_map(IntStep::Mul),
        any::<u64>().prop_map(IntStep::Div),
        Just(IntStep::Neg),
        Just(IntStep::Abs),
        any::<i16>().prop_map(IntStep::ScalarMul),
        (0u8..=5).prop_map(IntStep::Powi),
        (any::<i16>(), any::<i16>()).prop_map(|(a, b)| IntStep::Clip(a.min(b), a.max(b))),
        any::<u64>().prop_map(IntStep::Slice),
        any::<u64>().prop_map(IntStep::Permute),
        any::<u64>().prop_map(IntStep::Rechunk),
        (0u8..4, any::<u8>(), any::<bool>()).prop_map(|(k, m, keep)| IntStep::Reduce(k, m, keep)),
    ]
}

fn int_values(shape: &[usize], seed: u64) -> ArrayD<i64> {
    crate::common::ints::<i64>(shape, seed, -1000, 1000)
}

/// Applies `step` to a lazy integer expression and to its eager counterpart.
fn apply_int(x: LazyArray<i64>, a: ArrayD<i64>, step: &IntStep) -> (LazyArray<i64>, ArrayD<i64>) {
    let ndim = a.ndim();
    let other = |seed: u64, lo: i64, hi: i64| {
        let b = crate::common::ints::<i64>(a.shape(), seed, lo, hi);
        (lazy(&b, chunks_from_seed(a.shape(), seed)), b)
    };
    match *step {
        IntStep::Add(seed) => {
            let (y, b) = other(seed, -1000, 1000);
            ((&x + &y), zip_map(&a, &b, i64::wrapping_add))
        }
        IntStep::Sub(seed) => {
            let (y, b) = other(seed, -1000, 1000);
            ((&x - &y), zip_map(&a, &b, i64::wrapping_sub))
        }
        IntStep::Mul(seed) => {
            let (y, b) = other(seed, -1000, 1000);
            ((&x * &y), zip_map(&a, &b, i64::wrapping_mul))
        }
        IntStep::Div(seed) => {
            let (y, b) = other(seed, -3, 3);
            let div = |p: i64, q: i64| if q == 0 { 0 } else { p.wrapping_div(q) };
            ((&x / &y), zip_map(&a, &b, div))
        }
        IntStep::Neg => (-&x, a.mapv(i64::wrapping_neg)),
        IntStep::Abs => (x.abs(), a.mapv(i64::wrapping_abs)),
        IntStep::ScalarMul(c) => (i64::from(c) * &x, a.mapv(|v| i64::from(c).wrapping_mul(v))),
        IntStep::Powi(e) => (
            x.powi(i32::from(e)),
            a.mapv(|v| v.wrapping_pow(u32::from(e))),
        ),
        IntStep::Clip(lo, hi) => {
            let (lo, hi) = (i64::from(lo), i64::from(hi));
            (x.clip(lo, hi), a.mapv(|v| v.clamp(lo, hi)))
        }
        IntStep::Slice(seed) => {
            let info = index_from_seed(a.shape(), seed);
            (x.slice(&info), a.slice(info.as_slice()).to_owned())
        }
        IntStep::Permute(seed) => {
            let perm = permutation_from_seed(ndim, seed);
            (
                x.permute_axes(&perm),
                a.view().permuted_axes(IxDyn(&perm)).to_owned(),
            )
        }
        IntStep::Rechunk(seed) => (x.rechunk(chunks_from_seed(a.shape(), seed)), a),
        IntStep::Reduce(kind, mask, keepdims) => {
            let set: Vec<usize> = (0..ndim).filter(|d| mask & (1 << d) != 0).collect();
            let axes = Axes::new(set.clone())
                .keepdims(keepdims)
                .split_every(2 + usize::from(mask >> 6));
            let count: usize = set.iter().map(|&d| a.shape()[d]).product();
            let s = Some(&set[..]);
            match kind {
                0 => (
                    x.sum(axes),
                    reduce_eager(&a, s, keepdims, |v| {
                        v.iter().fold(0i64, |p, &q| p.wrapping_add(q))
                    }),
                ),
                1 => (
                    x.prod(axes),
                    reduce_eager(&a, s, keepdims, |v| {
                        v.iter().fold(1i64, |p, &q| p.wrapping_mul(q))
                    }),
                ),
                _ if count == 0 => {
                    assert!(matches!(
                        crate::common::failure(x.min(axes)).root(),
                        Error::EmptyReduction { .. }
                    ));
                    (x, a)
                }
                2 => (
                    x.min(axes),
                    reduce_eager(&a, s, keepdims, |v| *v.iter().min().unwrap()),
                ),
                _ => (
                    x.max(axes),
                    reduce_eager(&a, s, keepdims, |v| *v.iter().max().unwrap()),
                ),
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_expressions_match_ndarray(
        (shape, chunks, seed) in array_strategy(),
        steps in prop::collection::vec(step_strategy(), 1..=6),
    ) {
        let a = values(&shape, seed);
        let mut pair = Pair { lazy: lazy(&a, chunks), eager: a };
        for step in &steps {
            pair = pair.apply(step);
            prop_assert_eq!(pair.lazy.shape(), pair.eager.shape(), "after {:?}", step);
        }
        let got = pair.lazy.compute().unwrap();
        assert_close(&got, &pair.eager, TOL);
        // The unoptimized plan (every operation its own layer) agrees with the fused one.
        let plain = pair.lazy.compute_with(&ComputeOptions::default().optimize(false)).unwrap();
        assert_close(&got, &plain, TOL);
    }

    #[test]
    fn random_reductions_match_ndarray(
        (shape, chunks, seed) in array_strategy(),
        mask in any::<u8>(),
        keepdims in any::<bool>(),
        split_every in 2usize..=5,
        kind in reduction_strategy(),
        nans in any::<bool>(),
    ) {
        let mut a = values(&shape, seed);
        if matches!(kind, Reduction::Prod) {
            // Values near 1 keep products of up to 9^4 elements finite.
            a.mapv_inplace(|v| 1.0 + v / 16.0);
        }
        if nans {
            for (k, v) in a.iter_mut().enumerate() {
                if mix(k as u64 ^ seed) % 4 == 0 {
                    *v = f64::NAN;
                }
            }
        }
        let x = lazy(&a, chunks);
        let set: Vec<usize> = (0..shape.len()).filter(|d| mask & (1 << d) != 0).collect();
        let axes = Axes::new(set.clone()).keepdims(keepdims).split_every(split_every);
        let count: usize = set.iter().map(|&d| shape[d]).product();
        let (built, reference): (_, fn(&ndarray::ArrayView1<'_, f64>) -> f64) = match kind {
            Reduction::Sum => (x.sum(axes), eager::sum),
            Reduction::Prod => (x.prod(axes), eager::prod),
            Reduction::Mean => (x.mean(axes), eager::mean),
            Reduction::Var(0) => (x.var(axes).ddof(0), |v| eager::var(v, 0)),
            Reduction::Var(_) => (x.var(axes).ddof(1), |v| eager::var(v, 1)),
            Reduction::Std(0) => (x.std(axes).ddof(0), |v| eager::var(v, 0).sqrt()),
            Reduction::Std(_) => (x.std(axes).ddof(1), |v| eager::var(v, 1).sqrt()),
            Reduction::Min => (x.min(axes), eager::min),
            Reduction::Max => (x.max(axes), eager::max),
            Reduction::NanSum => (x.nansum(axes), eager::nansum),
            Reduction::NanMean => (x.nanmean(axes), eager::nanmean),
            Reduction::NanMax => (x.nanmax(axes), eager::nanmax),
        };
        let needs_elements = matches!(kind, Reduction::Min | Reduction::Max | Reduction::NanMax);
        if needs_elements && count == 0 {
            assert!(matches!(crate::common::failure(&built).root(), Error::EmptyReduction { .. }), "{built:?}");
        } else {
            let got = built.compute().unwrap();
            assert_close(&got, &reduce_eager(&a, Some(&set), keepdims, reference), TOL);
        }
    }

    #[test]
    fn random_arg_reductions_match_ndarray(
        (shape, chunks, seed) in array_strategy(),
        axis_seed in any::<usize>(),
        flat in any::<bool>(),
        keepdims in any::<bool>(),
        split_every in 2usize..=5,
    ) {
        // Few distinct values: ties everywhere, which go to the first occurrence.
        let a = values(&shape, seed).mapv(|v| (v * 4.0).rem_euclid(3.0));
        let x = lazy(&a, chunks);
        let set: Vec<usize> = if flat {
            (0..shape.len()).collect()
        } else {
            vec![axis_seed % shape.len()]
        };
        let count: usize = set.iter().map(|&d| shape[d]).product();
        let axes = if flat { Axes::all() } else { Axes::new(set.clone()) };
        let axes = axes.keepdims(keepdims).split_every(split_every);
        if count == 0 {
            assert!(matches!(crate::common::failure(x.argmax(axes)).root(), Error::EmptyReduction { .. }));
        } else {
            let got = x.argmin(axes.clone()).compute().unwrap();
            assert_same(&got, &reduce_eager(&a, Some(&set), keepdims, eager::argmin));
            let got = x.argmax(axes).compute().unwrap();
            assert_same(&got, &reduce_eager(&a, Some(&set), keepdims, eager::argmax));
        }
    }

    #[test]
    fn random_slices_match_ndarray(
        (shape, chunks, seed) in array_strategy(),
        first in any::<u64>(),
        second in any::<u64>(),
    ) {
        let a = values(&shape, seed);
        let x = lazy(&a, chunks);
        let info = index_from_seed(&shape, first);
        let y = x.slice(&info);
        let b = a.slice(info.as_slice()).to_owned();
        assert_same(&y.compute().unwrap(), &b);
        let info2 = index_from_seed(b.shape(), second);
        let z = y.slice(&info2);
        assert_same(&z.compute().unwrap(), &b.slice(info2.as_slice()).to_owned());
    }

    #[test]
    fn random_rechunks_keep_values(
        (shape, chunks, seed) in array_strategy(),
        targets in prop::collection::vec(any::<u64>(), 1..=3),
    ) {
        let a = values(&shape, seed);
        let mut x = lazy(&a, chunks);
        for t in targets {
            let target = chunks_from_seed(&shape, t);
            x = x.rechunk(target.clone());
            prop_assert_eq!(x.chunks(), &target.resolve(&shape, chunkwise::DType::F64).unwrap());
            assert_same(&x.compute().unwrap(), &a);
        }
    }

    #[test]
    fn random_broadcasts_match_ndarray(
        (shape, chunks, seed) in array_strategy(),
        ones_mask in any::<u8>(),
        drop in 0usize..=4,
        other_seed in any::<u64>(),
    ) {
        // The other operand: a suffix of the shape, some axes set to 1.
        let keep = shape.len() - drop.min(shape.len());
        let other: Vec<usize> = shape[shape.len() - keep..]
            .iter()
            .enumerate()
            .map(|(d, &n)| if ones_mask & (1 << d) != 0 { 1 } else { n })
            .collect();
        let (a, b) = (values(&shape, seed), values(&other, other_seed));
        let x = lazy(&a, chunks);
        let y = lazy(&b, chunks_from_seed(&other, other_seed));
        assert_close(&(&x + &y).compute().unwrap(), &zip_map(&a, &b, |p, q| p + q), TOL);
        assert_close(&(&y * &x).compute().unwrap(), &zip_map(&b, &a, |p, q| p * q), TOL);
        assert_same(&y.less(&x).compute().unwrap(), &zip_map(&b, &a, |p, q| p < q));
    }

    #[test]
    fn random_integer_expressions_match_ndarray(
        (shape, chunks, seed) in array_strategy(),
        steps in prop::collection::vec(int_step_strategy(), 1..=6),
    ) {
        let a = int_values(&shape, seed);
        let (mut x, mut e) = (lazy(&a, chunks), a);
        for step in &steps {
            (x, e) = apply_int(x, e, step);
            prop_assert_eq!(x.shape(), e.shape(), "after {:?}", step);
        }
        assert_same(&x.compute().unwrap(), &e);
    }
}

/// Regression (found by `random_expressions_match_ndarray`): `(x + x)[i] + x` sliced again.
/// The first slice turned `x + x` into a map of slices; pushing the second slice through
/// that new map paired its inputs with the old slice's, and built a one-input `add`.
#[test]
fn a_slice_pushed_through_an_already_rewritten_node() {
    let a = values(&[1], 0);
    let mut pair = Pair {
        lazy: lazy(&a, Chunks::Explicit(vec![vec![1]])),
        eager: a,
    };
    for step in [
        Step::Add(0),
        Step::Slice(13_726_274_291_324_198_774),
        Step::Add(0),
        Step::Slice(3_922_277_152_024_223_425),
    ] {
        pair = pair.apply(&step);
    }
    assert_close(&pair.lazy.compute().unwrap(), &pair.eager, TOL);
}
