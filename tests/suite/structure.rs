//! Structural operations (`concatenate`, `stack`, `block`, `reshape`, `pad`, `flip`,
//! `roll`, `broadcast_to`, `moveaxis`, `swapaxes`, `repeat`, `tile`, `diff`) against
//! eager ndarray results over the table of shapes and chunkings, NumPy's own outputs for
//! `pad`, the expression language, culling, and proptests for `reshape` and
//! `concatenate`.

use chunkwise::lang::{self, Inputs};
use chunkwise::{Chunks, DType, LazyArray, PadMode};
use ndarray::{ArrayD, Axis, IxDyn, SliceInfoElem};
use proptest::prelude::*;

use crate::common::{cases, lazy, run, values};

/// Eager C-order reshape.
fn reshaped(a: &ArrayD<f64>, shape: &[usize]) -> ArrayD<f64> {
    ArrayD::from_shape_vec(IxDyn(shape), a.iter().copied().collect()).unwrap()
}

/// The shapes of the same size as `shape` worth reshaping to: flattened, split, merged,
/// reversed, with ones inserted.
fn reshape_targets(shape: &[usize]) -> Vec<Vec<usize>> {
    let size: usize = shape.iter().product();
    let mut out = vec![vec![size], vec![1, size, 1]];
    let rev: Vec<usize> = shape.iter().rev().copied().collect();
    out.push(rev);
    for f in [2usize, 3, 5] {
        if size > 0 && size % f == 0 {
            out.push(vec![f, size / f]);
            out.push(vec![size / f, f]);
        }
    }
    if shape.len() >= 2 {
        let mut merged = vec![shape[0] * shape[1]];
        merged.extend_from_slice(&shape[2..]);
        out.push(merged);
    }
    out
}

#[test]
fn reshape_matches_c_order_over_the_table() {
    for case in cases() {
        let a = values(&case.shape, 3);
        let x = lazy(&a, case.chunks.clone());
        for target in reshape_targets(&case.shape) {
            let t: Vec<isize> = target.iter().map(|&n| n as isize).collect();
            let got = run(&x.reshape(&t));
            assert_eq!(got, reshaped(&a, &target), "{} -> {target:?}", case.name);
        }
    }
}

#[test]
fn reshape_takes_minus_one_and_refuses_what_numpy_refuses() {
    let a = values(&[6, 4], 1);
    let x = lazy(&a, [4, 3]);
    assert_eq!(run(&x.reshape(&[-1, 8])), reshaped(&a, &[3, 8]));
    assert_eq!(run(&x.reshape(&[2, -1, 3])), reshaped(&a, &[2, 4, 3]));
    for bad in [&[5, 5][..], &[-1, -1], &[-2, 12], &[-1, 5]] {
        let err = x.reshape(bad).error().expect("invalid");
        assert!(err.to_string().contains("reshape"), "{err}");
    }
    let e = lazy(&values(&[0, 3], 1), [1, 2]);
    assert_eq!(e.reshape(&[3, 0, 5]).shape(), &[3, 0, 5]);
    assert!(e.reshape(&[-1, 0]).error().is_some());
}

#[test]
fn the_transposing_reshape_dask_refuses_needs_no_rechunk() {
    let a = values(&[80, 40], 2);
    let x = lazy(&a, [5, 5]);
    let y = x.reshape(&[40, 80]);
    assert_eq!(run(&y), reshaped(&a, &[40, 80]));
    let plan = y.explain().unwrap();
    assert!(!plan.contains("rechunk"), "{plan}");
    // A split along chunk boundaries keeps one input block per output block.
    let z = lazy(&values(&[800], 1), [50]).reshape(&[400, 2]);
    assert_eq!(z.chunks().axis(0).max_chunk_len(), 25);
    assert_eq!(z.num_chunks(), 16);
}

#[test]
fn flattening_small_chunks_gathers_instead_of_rechunking() {
    let a = values(&[30, 40], 4);
    for chunks in [vec![3, 4], vec![30, 1], vec![1, 40], vec![7, 9]] {
        let x = lazy(&a, chunks.clone());
        assert_eq!(run(&x.reshape(&[-1])), reshaped(&a, &[1200]), "{chunks:?}");
        assert_eq!(
            run(&x.reshape(&[8, 5, 30])),
            reshaped(&a, &[8, 5, 30]),
            "{chunks:?}"
        );
        assert_eq!(
            run(&x.reshape(&[40, 30])),
            reshaped(&a, &[40, 30]),
            "{chunks:?}"
        );
    }
}

#[test]
fn concatenate_and_stack_match_ndarray() {
    for case in cases() {
        if case.shape.is_empty() {
            continue;
        }
        let a = values(&case.shape, 1);
        let b = values(&case.shape, 2);
        let x = lazy(&a, case.chunks.clone());
        let y = lazy(&b, Chunks::Auto);
        for axis in 0..case.shape.len() {
            let want = ndarray::concatenate(Axis(axis), &[a.view(), b.view(), a.view()]).unwrap();
            let got = run(&chunkwise::concatenate(
                &[x.clone(), y.clone(), x.clone()],
                axis,
            ));
            assert_eq!(got, want, "{} axis {axis}", case.name);
        }
        for axis in 0..=case.shape.len() {
            let want = ndarray::stack(Axis(axis), &[a.view(), b.view()]).unwrap();
            let got = run(&chunkwise::stack(&[x.clone(), y.clone()], axis));
            assert_eq!(got, want, "{} stack axis {axis}", case.name);
        }
    }
    let x = lazy(&values(&[2, 3], 1), [1, 2]);
    let y = lazy(&values(&[2, 4], 1), [1, 2]);
    assert!(chunkwise::concatenate(&[x.clone(), y.clone()], 0)
        .error()
        .is_some());
    assert_eq!(chunkwise::concatenate(&[x, y], 1).shape(), &[2, 7]);
    assert!(chunkwise::concatenate::<f64>(&[], 0).error().is_some());
}

#[test]
fn a_slice_of_a_concatenation_reads_only_the_inputs_it_touches() {
    let x = chunkwise::random::uniform::<f64>(&[40, 10], [10, 10], 1);
    let y = chunkwise::random::uniform::<f64>(&[40, 10], [10, 10], 2);
    let both = chunkwise::concatenate(&[x.clone(), y.clone()], 0);
    let part = both.slice(ndarray::s![50..70, ..]);
    assert_eq!(run(&part), run(&y.slice(ndarray::s![10..30, ..])));
    let stats = part.graph_stats().unwrap();
    // Two slice blocks, two concatenate blocks, two generated blocks of y: nothing of x.
    assert!(stats.tasks <= 6, "{stats:?}");
}

/// NumPy's `np.pad(np.arange(12).reshape(3, 4), ...)`, pasted.
#[test]
fn pad_matches_numpy() {
    let x = ArrayD::from_shape_vec(IxDyn(&[3, 4]), (0..12i64).collect()).unwrap();
    let check = |widths: &[(usize, usize)], mode: PadMode, want: &[&[i64]]| {
        let want = ArrayD::from_shape_vec(
            IxDyn(&[want.len(), want[0].len()]),
            want.iter().flat_map(|r| r.iter().copied()).collect(),
        )
        .unwrap();
        for chunks in [vec![1, 1], vec![2, 3], vec![3, 4]] {
            let got = run(&lazy(&x, chunks.clone()).pad(widths, mode));
            assert_eq!(got, want, "{mode:?} {widths:?} {chunks:?}");
        }
    };
    check(
        &[(1, 2), (3, 0)],
        PadMode::Edge,
        &[
            &[0, 0, 0, 0, 1, 2, 3],
            &[0, 0, 0, 0, 1, 2, 3],
            &[4, 4, 4, 4, 5, 6, 7],
            &[8, 8, 8, 8, 9, 10, 11],
            &[8, 8, 8, 8, 9, 10, 11],
            &[8, 8, 8, 8, 9, 10, 11],
        ],
    );
    check(
        &[(4, 2), (5, 6)],
        PadMode::Reflect,
        &[
            &[1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3],
            &[5, 6, 7, 6, 5, 4, 5, 6, 7, 6, 5, 4, 5, 6, 7],
            &[9, 10, 11, 10, 9, 8, 9, 10, 11, 10, 9, 8, 9, 10, 11],
            &[5, 6, 7, 6, 5, 4, 5, 6, 7, 6, 5, 4, 5, 6, 7],
            &[1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3],
            &[5, 6, 7, 6, 5, 4, 5, 6, 7, 6, 5, 4, 5, 6, 7],
            &[9, 10, 11, 10, 9, 8, 9, 10, 11, 10, 9, 8, 9, 10, 11],
            &[5, 6, 7, 6, 5, 4, 5, 6, 7, 6, 5, 4, 5, 6, 7],
            &[1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3],
        ],
    );
    check(
        &[(2, 3), (1, 6)],
        PadMode::Symmetric,
        &[
            &[4, 4, 5, 6, 7, 7, 6, 5, 4, 4, 5],
            &[0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1],
            &[0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1],
            &[4, 4, 5, 6, 7, 7, 6, 5, 4, 4, 5],
            &[8, 8, 9, 10, 11, 11, 10, 9, 8, 8, 9],
            &[8, 8, 9, 10, 11, 11, 10, 9, 8, 8, 9],
            &[4, 4, 5, 6, 7, 7, 6, 5, 4, 4, 5],
            &[0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1],
        ],
    );
    check(
        &[(2, 3), (9, 1)],
        PadMode::Wrap,
        &[
            &[7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4],
            &[11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8],
            &[3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0],
            &[7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4],
            &[11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8],
            &[3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0],
            &[7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4],
            &[11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8],
        ],
    );
    let e = lazy(&values(&[0, 3], 1), [1, 2]);
    assert!(e.pad(&[(1, 1), (0, 0)], PadMode::Edge).error().is_some());
    assert_eq!(e.pad(&[(1, 1), (0, 0)], PadMode::Constant).shape(), &[2, 3]);
}

/// The expression language against NumPy's results, computed by hand or pasted.
fn lang_inputs() -> Inputs {
    let x = ArrayD::from_shape_vec(IxDyn(&[3, 4]), (0..12i64).collect()).unwrap();
    let y = ArrayD::from_shape_vec(IxDyn(&[5]), vec![1.0, 4.0, 9.0, 16.0, 25.0]).unwrap();
    Inputs::new()
        .with("x", chunkwise::from_ndarray(x, [2, 3]).to_dyn())
        .with("y", chunkwise::from_ndarray(y, [2]).to_dyn())
        .with("c", chunkwise::zeros::<f32>(&[2, 3, 4], [1, 2, 3]).to_dyn())
}

#[track_caller]
fn eval(src: &str) -> (Vec<usize>, DType, Vec<f64>) {
    let a = lang::eval(src, &lang_inputs()).unwrap_or_else(|e| panic!("{src}: {e}"));
    let v = a
        .compute()
        .unwrap()
        .cast(DType::F64)
        .into_typed::<f64>()
        .unwrap();
    (a.shape().to_vec(), a.dtype(), v.iter().copied().collect())
}

#[test]
fn the_language_has_every_structural_function() {
    let cases: &[(&str, &[usize], &[f64])] = &[
        (
            "concatenate([y, y], axis=0)",
            &[10],
            &[1., 4., 9., 16., 25., 1., 4., 9., 16., 25.],
        ),
        ("concatenate([x, x], axis=None)", &[24], &[]),
        (
            "stack([y, y], axis=1)",
            &[5, 2],
            &[1., 1., 4., 4., 9., 9., 16., 16., 25., 25.],
        ),
        ("block([[x, x], [x, x]])", &[6, 8], &[]),
        ("block([y, 5])", &[6], &[1., 4., 9., 16., 25., 5.]),
        (
            "reshape(x, (4, 3))",
            &[4, 3],
            &[0., 1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11.],
        ),
        (
            "x.reshape(2, -1)",
            &[2, 6],
            &[0., 1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11.],
        ),
        ("x.reshape((6, 2))", &[6, 2], &[]),
        (
            "reshape(x, (4, 3), order=\"F\")",
            &[4, 3],
            &[0., 5., 10., 4., 9., 3., 8., 2., 7., 1., 6., 11.],
        ),
        (
            "pad(y, (1, 2), mode=\"edge\")",
            &[8],
            &[1., 1., 4., 9., 16., 25., 25., 25.],
        ),
        ("pad(y, 2)", &[9], &[0., 0., 1., 4., 9., 16., 25., 0., 0.]),
        (
            "pad(y, ((1, 0),), constant_values=7)",
            &[6],
            &[7., 1., 4., 9., 16., 25.],
        ),
        ("pad(x, ((1, 2), (3, 0)), mode=\"reflect\")", &[6, 7], &[]),
        ("flip(y, axis=0)", &[5], &[25., 16., 9., 4., 1.]),
        (
            "flip(x)",
            &[3, 4],
            &[11., 10., 9., 8., 7., 6., 5., 4., 3., 2., 1., 0.],
        ),
        ("roll(y, 2)", &[5], &[16., 25., 1., 4., 9.]),
        (
            "roll(x, 5, axis=1)",
            &[3, 4],
            &[3., 0., 1., 2., 7., 4., 5., 6., 11., 8., 9., 10.],
        ),
        (
            "roll(x, -1)",
            &[3, 4],
            &[1., 2., 3., 4., 5., 6., 7., 8., 9., 10., 11., 0.],
        ),
        (
            "broadcast_to(y, (2, 5))",
            &[2, 5],
            &[1., 4., 9., 16., 25., 1., 4., 9., 16., 25.],
        ),
        ("moveaxis(c, 0, 2)", &[3, 4, 2], &[]),
        ("swapaxes(c, 0, 1)", &[3, 2, 4], &[]),
        ("c.swapaxes(0, -1)", &[4, 3, 2], &[]),
        (
            "repeat(y, 2)",
            &[10],
            &[1., 1., 4., 4., 9., 9., 16., 16., 25., 25.],
        ),
        ("x.repeat(2, axis=0)", &[6, 4], &[]),
        ("repeat(y, [0, 1, 2, 0, 1])", &[4], &[4., 9., 9., 25.]),
        (
            "tile(y, 2)",
            &[10],
            &[1., 4., 9., 16., 25., 1., 4., 9., 16., 25.],
        ),
        ("tile(y, (2, 1))", &[2, 5], &[]),
        ("diff(y)", &[4], &[3., 5., 7., 9.]),
        ("diff(y, n=2)", &[3], &[2., 2., 2.]),
        ("diff(y, prepend=0)", &[5], &[1., 3., 5., 7., 9.]),
        (
            "diff(x, axis=0)",
            &[2, 4],
            &[4., 4., 4., 4., 4., 4., 4., 4.],
        ),
    ];
    for &(src, shape, want) in cases {
        let (got_shape, _, got) = eval(src);
        assert_eq!(got_shape, shape, "{src}");
        if !want.is_empty() {
            assert_eq!(got, want, "{src}");
        }
    }
    assert_eq!(eval("diff(y, prepend=0)").1, DType::F64);
    assert_eq!(eval("concatenate([x, y[:4].reshape(1, 4)])").1, DType::F64);
    for bad in [
        "reshape(x, (5, 3))",
        "concatenate(x)",
        "pad(y, 1, mode=\"mean\")",
        "broadcast_to(y, (5, 2))",
        "block([[x], x])",
        "moveaxis(c, 0, 5)",
    ] {
        assert!(lang::eval(bad, &lang_inputs()).is_err(), "{bad}");
    }
}

/// Eager references of the index-shuffling operations.
fn eager_roll(a: &ArrayD<f64>, shift: i64, axis: usize) -> ArrayD<f64> {
    let n = a.shape()[axis] as i64;
    ArrayD::from_shape_fn(a.raw_dim(), |i| {
        let mut j = i.clone();
        j[axis] = ((i[axis] as i64 - shift).rem_euclid(n.max(1))) as usize;
        a[j]
    })
}

#[test]
fn flip_roll_repeat_tile_diff_broadcast_match_ndarray() {
    for case in cases() {
        let a = values(&case.shape, 5);
        let x: LazyArray<f64> = lazy(&a, case.chunks.clone());
        for axis in 0..case.shape.len() {
            let mut want = a.clone();
            want.invert_axis(Axis(axis));
            assert_eq!(run(&x.flip(axis)), want, "{} flip {axis}", case.name);
            for shift in [-3i64, 1, 7] {
                assert_eq!(
                    run(&x.roll(shift, axis)),
                    eager_roll(&a, shift, axis),
                    "{} roll {shift} {axis}",
                    case.name
                );
            }
            let n = case.shape[axis];
            let mut shape = case.shape.clone();
            shape[axis] = n * 3;
            let want = ArrayD::from_shape_fn(IxDyn(&shape), |i| {
                let mut j = i.clone();
                j[axis] = i[axis] / 3;
                a[j]
            });
            assert_eq!(run(&x.repeat(3, axis)), want, "{} repeat {axis}", case.name);
            let want = ArrayD::from_shape_fn(IxDyn(&shape), |i| {
                let mut j = i.clone();
                j[axis] = i[axis] % n.max(1);
                a[j]
            });
            let mut reps = vec![1; case.shape.len()];
            reps[axis] = 3;
            assert_eq!(run(&x.tile(&reps)), want, "{} tile {axis}", case.name);
            let mut shape = case.shape.clone();
            shape[axis] = n.saturating_sub(1);
            let want = ArrayD::from_shape_fn(IxDyn(&shape), |i| {
                let mut j = i.clone();
                j[axis] += 1;
                a[j.clone()] - a[i]
            });
            assert_eq!(run(&x.diff(1, axis)), want, "{} diff {axis}", case.name);
        }
        let mut target = vec![2];
        target.extend_from_slice(&case.shape);
        let want = a.broadcast(IxDyn(&target)).unwrap().to_owned();
        assert_eq!(
            run(&x.broadcast_to(&target)),
            want,
            "{} broadcast",
            case.name
        );
    }
}

#[test]
fn broadcast_to_fuses_with_its_reader() {
    let y = chunkwise::random::uniform::<f64>(&[53], [20], 1);
    let s = (&y.broadcast_to(&[37, 53]) * 2.0).sum(0);
    let plan = s.explain().unwrap();
    assert!(plan.contains("where"), "{plan}");
    let want = run(&y).mapv(|v| v * 2.0 * 37.0);
    let got = run(&s);
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-9);
    }
}

fn axis_chunks() -> impl Strategy<Value = (Vec<usize>, Vec<Vec<usize>>)> {
    prop::collection::vec(1usize..=6, 1..=4).prop_flat_map(|shape| {
        let per: Vec<BoxedStrategy<Vec<usize>>> = shape
            .iter()
            .map(|&n| {
                (1..=n)
                    .prop_map(move |c| {
                        let mut v = vec![c; n / c];
                        if n % c > 0 {
                            v.push(n % c);
                        }
                        v
                    })
                    .boxed()
            })
            .collect();
        (Just(shape), per)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn reshape_to_random_factorings((shape, chunks) in axis_chunks(), seed in any::<u64>(), pick in any::<u64>()) {
        let a = values(&shape, seed);
        let x = lazy(&a, Chunks::from(chunks));
        let size: usize = shape.iter().product();
        // A random factoring of the size into up to 4 lengths.
        let mut target = Vec::new();
        let mut left = size;
        let mut p = pick;
        while left > 1 && target.len() < 3 {
            let divisors: Vec<usize> = (1..=left).filter(|d| left % d == 0).collect();
            let d = divisors[(p % divisors.len() as u64) as usize];
            p /= 7;
            target.push(d);
            left /= d;
        }
        target.push(left);
        if p % 2 == 0 {
            target.insert((p as usize / 2) % (target.len() + 1), 1);
        }
        let t: Vec<isize> = target.iter().map(|&n| n as isize).collect();
        prop_assert_eq!(run(&x.reshape(&t)), reshaped(&a, &target));
    }

    #[test]
    fn concatenate_random_chunkings((shape, chunks) in axis_chunks(), (_, other) in axis_chunks(), seed in any::<u64>(), axis in 0usize..4) {
        let axis = axis % shape.len();
        let a = values(&shape, seed);
        let mut shape_b = shape.clone();
        shape_b[axis] = other[0].iter().sum();
        let b = values(&shape_b, seed ^ 1);
        let mut chunks_b = chunks.clone();
        chunks_b[axis] = other[0].clone();
        let x = lazy(&a, Chunks::from(chunks));
        let y = lazy(&b, Chunks::from(chunks_b));
        let want = ndarray::concatenate(Axis(axis), &[a.view(), b.view()]).unwrap();
        let joined = chunkwise::concatenate(&[x, y], axis);
        prop_assert_eq!(run(&joined), want.clone());
        // A slice of the join is pushed below it to the inputs it touches: same values.
        let n = want.shape()[axis] as isize;
        let (start, step) = ((seed % 7) as isize % n.max(1), 1 + (seed / 7 % 3) as isize);
        let mut index = vec![SliceInfoElem::Slice { start: 0, end: None, step: 1 }; shape.len()];
        index[axis] = SliceInfoElem::Slice { start, end: None, step };
        prop_assert_eq!(run(&joined.slice(&index[..])), want.slice(&index[..]).to_owned());
    }
}

/// `chunkwise::block` (Rust) equals the eager block matrix, on odd shapes and irregular
/// chunks, promotes 1-d arrays to rows as NumPy does, matches the language's `block`, and
/// refuses blocks whose heights differ within a row.
#[test]
fn block_assembles_a_grid_of_blocks_as_numpy() {
    let a = values(&[3, 2], 1);
    let b = values(&[3, 5], 2);
    let c = values(&[1, 7], 3);
    let r = values(&[7], 4);
    let got = run(&chunkwise::block(&[
        vec![lazy(&a, [2, 1]), lazy(&b, vec![vec![1, 2], vec![5]])],
        vec![lazy(&c, [1, 3])],
        vec![lazy(&r, [4])],
    ]));
    let top = ndarray::concatenate(Axis(1), &[a.view(), b.view()]).unwrap();
    let r2 = r.clone().insert_axis(Axis(0));
    let want = ndarray::concatenate(Axis(0), &[top.view(), c.view(), r2.view()]).unwrap();
    assert_eq!(got, want);
    // The same through the language.
    let mut inputs = Inputs::new();
    for (name, v, ch) in [("a", &a, [2, 1]), ("b", &b, [3, 2]), ("c", &c, [1, 3])] {
        inputs.insert(name, lazy(v, ch).to_dyn());
    }
    inputs.insert("r", lazy(&r, [4]).to_dyn());
    let lang_got = lang::eval("block([[a, b], [c], [r]])", &inputs)
        .unwrap()
        .compute()
        .unwrap()
        .into_typed::<f64>()
        .unwrap();
    assert_eq!(lang_got, want);
    // Heights that differ within a row are an invalid array.
    let bad = chunkwise::block(&[vec![lazy(&a, [3, 2]), lazy(&c, [1, 7])]]);
    assert!(bad.error().is_some());
}
