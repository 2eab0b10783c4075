//! `map_overlap` against a hand-padded eager filter: every boundary rule, depths per axis,
//! odd shapes, irregular and edge chunks, chunks shorter than the depth, size-1 axes,
//! `trim(false)`, errors, `explain`; and a proptest over random shapes, chunks, depths and
//! boundaries.

use chunkwise::{Boundary, Chunks, Error, LazyArray, MapOverlap};
use ndarray::{ArrayD, ArrayViewD, Dimension, IxDyn};
use proptest::prelude::*;

use crate::common::{assert_same, cases, lazy, values};

/// The filter the tests apply: at distance at least `depth` from every edge of its input,
/// the sum of the box of radius `depth` around the element; nearer the edges, the element
/// as it is (so the padded ring that `map_overlap` trims is kept, as Dask's tests do).
fn box_sum(b: &ArrayViewD<'_, f64>, depth: &[usize]) -> ArrayD<f64> {
    let shape = b.shape().to_vec();
    ArrayD::from_shape_fn(b.raw_dim(), |ix| {
        let ix = ix.slice().to_vec();
        let inner = (0..shape.len()).all(|d| ix[d] >= depth[d] && ix[d] + depth[d] < shape[d]);
        if !inner {
            return b[IxDyn(&ix)];
        }
        let mut sum = 0.0;
        let ranges: Vec<Vec<usize>> = (0..shape.len())
            .map(|d| (ix[d] - depth[d]..=ix[d] + depth[d]).collect())
            .collect();
        let mut pick = vec![0usize; shape.len()];
        loop {
            let at: Vec<usize> = (0..shape.len()).map(|d| ranges[d][pick[d]]).collect();
            sum += b[IxDyn(&at)];
            let mut d = shape.len();
            loop {
                if d == 0 {
                    return sum;
                }
                d -= 1;
                pick[d] += 1;
                if pick[d] < ranges[d].len() {
                    break;
                }
                pick[d] = 0;
            }
        }
    })
}

/// Index `g` (from `-depth` to `n + depth`) of an axis of `n` mapped into `0..n` by the
/// boundary rule, or `None` for the constant.
fn boundary_index(g: isize, n: usize, b: Boundary) -> Option<usize> {
    let n = n as isize;
    if (0..n).contains(&g) {
        return Some(g as usize);
    }
    match b {
        Boundary::Reflect => Some(if g < 0 { -g - 1 } else { 2 * n - g - 1 } as usize),
        Boundary::Periodic => Some(g.rem_euclid(n) as usize),
        Boundary::Nearest => Some(g.clamp(0, n - 1) as usize),
        _ => None,
    }
}

/// `a` padded by `depth` on both sides of every axis, by `boundary` (not `None`).
fn pad(a: &ArrayD<f64>, depth: &[usize], boundary: &[Boundary]) -> ArrayD<f64> {
    let shape: Vec<usize> = a
        .shape()
        .iter()
        .zip(depth)
        .map(|(n, d)| n + 2 * d)
        .collect();
    ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
        let mut at = Vec::with_capacity(shape.len());
        let mut constant = None;
        for d in 0..shape.len() {
            let g = ix[d] as isize - depth[d] as isize;
            match boundary_index(g, a.shape()[d], boundary[d]) {
                Some(i) => at.push(i),
                // NumPy pads axis after axis: the last constant axis wins
                None => match boundary[d] {
                    Boundary::Constant(v) => constant = Some(v),
                    _ => unreachable!("None is not padded"),
                },
            }
        }
        constant.unwrap_or_else(|| a[IxDyn(&at)])
    })
}

/// What `map_overlap` of [`box_sum`] must give, computed on the whole array: axes with a
/// `None` boundary are not padded (the filter keeps their edge rings), the others are
/// padded, filtered and trimmed.
fn eager(a: &ArrayD<f64>, depth: &[usize], boundary: &[Boundary]) -> ArrayD<f64> {
    let pad_depth: Vec<usize> = depth
        .iter()
        .zip(boundary)
        .map(|(&d, b)| if *b == Boundary::None { 0 } else { d })
        .collect();
    let padded = pad(a, &pad_depth, boundary);
    let filtered = box_sum(&padded.view(), depth);
    let info: Vec<ndarray::SliceInfoElem> = a
        .shape()
        .iter()
        .zip(&pad_depth)
        .map(|(&n, &d)| ndarray::Slice::from(d..d + n).into())
        .collect();
    filtered.slice(info.as_slice()).to_owned()
}

fn lazy_filter(x: &LazyArray<f64>, depth: &[usize], boundary: &[Boundary]) -> LazyArray<f64> {
    let depth_v = depth.to_vec();
    let options = MapOverlap::new(format!("box_sum{depth:?}"))
        .depth_per_axis(depth.to_vec())
        .boundary_per_axis(boundary.to_vec());
    x.map_overlap(&options, move |b, _| box_sum(&b, &depth_v))
}

const RULES: [Boundary; 5] = [
    Boundary::Reflect,
    Boundary::Periodic,
    Boundary::Nearest,
    Boundary::Constant(2.5),
    Boundary::None,
];

#[test]
fn every_boundary_matches_the_hand_padded_filter_on_every_case() {
    for case in cases() {
        if case.shape.is_empty() {
            continue;
        }
        let a = values(&case.shape, 11);
        let x = lazy(&a, case.chunks.clone());
        for rule in RULES {
            let ndim = case.shape.len();
            // depth 1 everywhere, except where it would exceed a Reflect/Periodic axis
            let depth: Vec<usize> = case
                .shape
                .iter()
                .map(|&n| {
                    usize::from(n >= 1 || !matches!(rule, Boundary::Reflect | Boundary::Periodic))
                })
                .collect();
            let boundary = vec![rule; ndim];
            if a.is_empty() {
                let y = lazy_filter(&x, &depth, &boundary);
                assert_eq!(y.compute().unwrap().shape(), a.shape(), "{}", case.name);
                continue;
            }
            let y = lazy_filter(&x, &depth, &boundary);
            let got = y
                .compute()
                .unwrap_or_else(|e| panic!("{} {rule:?}: {e}", case.name));
            assert_same(&got, &eager(&a, &depth, &boundary));
        }
    }
}

#[test]
fn deeper_halos_and_depths_per_axis_read_several_neighbours() {
    let a = values(&[11, 9], 7);
    // chunks shorter than the depth are merged first
    let x = lazy(&a, vec![vec![1, 1, 4, 2, 3], vec![2, 2, 2, 3]]);
    for rule in RULES {
        for depth in [[2, 3], [3, 0], [0, 1]] {
            let boundary = [rule, Boundary::Nearest];
            let got = lazy_filter(&x, &depth, &boundary).compute().unwrap();
            assert_same(&got, &eager(&a, &depth, &boundary));
        }
    }
    // a constant per axis: corners take the last axis's, as NumPy's pad does
    let boundary = [Boundary::Constant(-1.0), Boundary::Constant(3.0)];
    let got = lazy_filter(&x, &[2, 1], &boundary).compute().unwrap();
    assert_same(&got, &eager(&a, &[2, 1], &boundary));
    // mixed rules per axis, 3-d with a size-1 axis
    let b = values(&[6, 1, 5], 3);
    let y = lazy(&b, vec![vec![2, 4], vec![1], vec![3, 2]]);
    let boundary = [Boundary::Periodic, Boundary::Nearest, Boundary::Reflect];
    let depth = [2, 1, 2];
    assert_same(
        &lazy_filter(&y, &depth, &boundary).compute().unwrap(),
        &eager(&b, &depth, &boundary),
    );
}

#[test]
fn trim_false_takes_blocks_of_the_unpadded_shape() {
    let a = values(&[7, 5], 2);
    let x = lazy(&a, [3, 2]);
    let options = MapOverlap::new("inner_sum")
        .depth(1)
        .boundary(Boundary::Nearest)
        .trim(false);
    let y = x.map_overlap(&options, |b, _| {
        let s = box_sum(&b, &[1, 1]);
        #[allow(clippy::reversed_empty_ranges, reason = "NumPy-style negative ends")]
        s.slice(ndarray::s![1..-1, 1..-1]).to_owned().into_dyn()
    });
    assert_same(
        &y.compute().unwrap(),
        &eager(&a, &[1, 1], &[Boundary::Nearest; 2]),
    );
}

#[test]
fn bad_depths_and_blocks_are_errors() {
    let x = lazy(&values(&[3, 5], 1), [2, 2]);
    let deep = x.map_overlap(
        &MapOverlap::new("f").depth(4).boundary(Boundary::Reflect),
        |b, _| b.to_owned(),
    );
    assert!(matches!(
        deep.error().unwrap().root(),
        Error::InvalidParameter { param: "depth", .. }
    ));
    let three = x.map_overlap(
        &MapOverlap::new("f").depth_per_axis(vec![1, 1, 1]),
        |b, _| b.to_owned(),
    );
    assert!(three.error().is_some());
    // Nearest and Constant halos may be deeper than the axis
    let a = values(&[3, 5], 1);
    let boundary = [Boundary::Nearest, Boundary::Constant(-1.0)];
    let got = lazy_filter(&x, &[4, 6], &boundary).compute().unwrap();
    assert_same(&got, &eager(&a, &[4, 6], &boundary));
    // a block of the wrong shape
    let wrong = x.map_overlap(
        &MapOverlap::new("unpadded")
            .depth(1)
            .boundary(Boundary::Nearest),
        |b, _| b.slice(ndarray::s![1.., ..]).to_owned().into_dyn(),
    );
    match wrong.compute().unwrap_err() {
        Error::TaskFailed { op, cause, .. } => {
            assert!(op.contains("unpadded"), "{op}");
            assert!(matches!(*cause, Error::BlockMismatch { .. }));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn explain_shows_the_halo_and_the_slabs() {
    let x = chunkwise::random::uniform::<f64>(&[4000, 4000], [1000, 1000], 1);
    let y = x.map_overlap(
        &MapOverlap::new("smooth")
            .depth(1)
            .boundary(Boundary::Nearest),
        |b, _| b.to_owned(),
    );
    let plan = y.explain().unwrap();
    assert!(plan.contains("map_overlap"), "{plan}");
    assert!(plan.contains("function `smooth`"), "{plan}");
    assert!(plan.contains("overlap.edge"), "{plan}");
}

fn case_strategy() -> impl Strategy<Value = (Vec<usize>, Vec<Vec<usize>>, Vec<usize>, Vec<Boundary>)>
{
    prop::collection::vec(1usize..8, 1..=3).prop_flat_map(|shape| {
        let chunks: Vec<BoxedStrategy<Vec<usize>>> = shape
            .iter()
            .map(|&n| {
                prop::collection::vec(1usize..=n, 1..=n)
                    .prop_map(move |cuts| {
                        // sizes that sum to n
                        let mut out = Vec::new();
                        let mut left = n;
                        for c in cuts {
                            if left == 0 {
                                break;
                            }
                            let s = c.min(left);
                            out.push(s);
                            left -= s;
                        }
                        if left > 0 {
                            out.push(left);
                        }
                        out
                    })
                    .boxed()
            })
            .collect();
        let ndim = shape.len();
        (
            Just(shape),
            chunks,
            prop::collection::vec(0usize..=3, ndim),
            prop::collection::vec(prop::sample::select(RULES.to_vec()), ndim),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn map_overlap_matches_eager_on_random_cases((shape, chunks, depth, boundary) in case_strategy()) {
        let a = values(&shape, 5);
        let x = lazy(&a, Chunks::Explicit(chunks));
        let y = lazy_filter(&x, &depth, &boundary);
        let too_deep = (0..shape.len()).any(|d| {
            depth[d] > shape[d] && matches!(boundary[d], Boundary::Reflect | Boundary::Periodic)
        });
        if too_deep {
            prop_assert!(y.error().is_some());
        } else {
            let got = y.compute().unwrap();
            prop_assert_eq!(got, eager(&a, &depth, &boundary));
            // A computed input: its slabs are cut from its blocks, not read from a source.
            let computed = lazy_filter(&(&x + 0.0), &depth, &boundary).compute().unwrap();
            prop_assert_eq!(computed, eager(&a, &depth, &boundary));
        }
    }
}
