//! `rechunk` to regular, irregular and single-chunk grids, merging and splitting chunks:
//! the values never change, and the grid is the one asked for.

use chunkwise::{Chunks, DType, LazyArray};
use ndarray::ArrayD;

use crate::common::{assert_close, assert_same, cases, ints, lazy, run, values, RTOL};

/// Irregular sizes for an axis of `len`: a chunk of 1, then the rest in two uneven parts.
fn irregular(len: usize) -> Vec<usize> {
    match len {
        0 => vec![],
        1 => vec![1],
        2 => vec![1, 1],
        _ => {
            let rest = len - 1;
            vec![1, rest - rest / 3, rest / 3]
                .into_iter()
                .filter(|&s| s > 0)
                .collect()
        }
    }
}

/// The targets every case is rechunked to.
fn targets(shape: &[usize]) -> Vec<(&'static str, Chunks)> {
    let n = shape.len();
    vec![
        ("regular 2", Chunks::from(vec![2; n])),
        ("single elements", Chunks::from(vec![1; n])),
        ("single chunk", Chunks::from(vec![1000; n])),
        (
            "irregular",
            Chunks::from(shape.iter().map(|&l| irregular(l)).collect::<Vec<_>>()),
        ),
        ("auto", Chunks::Auto),
        ("tiny auto", Chunks::AutoBytes(24)),
    ]
}

#[test]
fn rechunk_keeps_values_and_sets_the_grid_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 90);
        let x = lazy(&a, case.chunks.clone());
        for (name, target) in targets(&case.shape) {
            let y = x.rechunk(target.clone());
            let want_grid = target.resolve(&case.shape, DType::F64).unwrap();
            assert_eq!(y.chunks(), &want_grid, "{name} of {}", case.name);
            assert_eq!(y.shape(), x.shape());
            assert_same(&run(&y), &a);
            // And back again.
            let back = y.rechunk(case.chunks.clone());
            assert_eq!(back.chunks(), x.chunks());
            assert_same(&run(&back), &a);
        }
    }
}

#[test]
fn merging_and_splitting_in_sequence() {
    let a = values(&[13, 11], 91);
    let x = lazy(&a, [4, 3]);
    let steps = [
        Chunks::from([13, 11]),
        Chunks::from([1, 1]),
        Chunks::from([5, 2]),
        Chunks::from(vec![vec![6, 6, 1], vec![1, 9, 1]]),
        Chunks::from([8, 8]),
        Chunks::from(vec![vec![2, 2, 2, 2, 2, 3], vec![11]]),
    ];
    let mut y = x.clone();
    for target in steps {
        y = y.rechunk(target.clone());
        assert_eq!(y.chunks(), &target.resolve(&[13, 11], DType::F64).unwrap());
        assert_same(&run(&y), &a);
    }
    assert_eq!(y.chunks().blocks_per_axis(), vec![6, 1]);
}

#[test]
fn rechunk_to_the_same_grid_is_the_identity() {
    let a = values(&[7, 5], 92);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    assert_eq!(x.rechunk(vec![vec![3, 1, 3], vec![2, 3]]).key(), x.key());
    // Explicit sizes that are regular are the regular grid.
    let r = lazy(&a, [2, 2]);
    assert_eq!(
        r.rechunk(vec![vec![2, 2, 2, 1], vec![2, 2, 1]]).key(),
        r.key()
    );
    // A rechunk of a rechunk goes back to the original when the grids agree.
    assert_eq!(x.rechunk([1, 1]).rechunk(x.chunks()).key(), x.key());
}

#[test]
fn rechunked_operands_combine_with_others() {
    let a = values(&[12, 10], 93);
    let b = values(&[12, 10], 94);
    let x = lazy(&a, [5, 3]);
    let y = lazy(&b, vec![vec![1, 11], vec![7, 3]]);
    let z = &x.rechunk([2, 10]) * &y.rechunk([12, 1]);
    assert_close(&run(&z), &(&a * &b), RTOL);
    let s = z.rechunk([3, 3]).sum(0);
    assert_close(&run(&s), &(&a * &b).sum_axis(ndarray::Axis(0)), RTOL);
}

#[test]
fn rechunk_of_other_dtypes_and_empty_arrays() {
    let i = ints::<i64>(&[7, 5, 3], 95, -(1 << 60), 1 << 60);
    let x = lazy(&i, [3, 2, 2]);
    assert_same(&run(&x.rechunk([7, 1, 3])), &i);
    let b = i.mapv(|v| v > 0);
    let y = lazy(&b, [1, 5, 1]);
    assert_same(&run(&y.rechunk(vec![vec![4, 3], vec![5], vec![2, 1]])), &b);
    let e = values(&[3, 0, 4], 96);
    let z = lazy(&e, [1, 1, 1]);
    let r = z.rechunk([3, 5, 4]);
    assert_eq!(r.shape(), &[3, 0, 4]);
    assert_eq!(r.chunks().blocks_per_axis(), vec![1, 1, 1]);
    assert_same(&run(&r), &e);
}

/// A computed copy of `a` (not a source, which would be made in the new chunks instead
/// of rechunked): what the rechunk kernels and plans are tested on.
fn computed(a: &ArrayD<f64>, chunks: impl Into<Chunks>) -> LazyArray<f64> {
    lazy(a, chunks.into()) * 1.0
}

#[test]
fn rechunks_of_computed_arrays_copy_blocks_exactly() {
    let a = values(&[13, 1, 7], 97);
    for (from, to) in [
        (
            vec![vec![5, 5, 3], vec![1], vec![7]],
            vec![vec![13], vec![1], vec![1; 7]],
        ),
        (
            vec![vec![1; 13], vec![1], vec![3, 4]],
            vec![vec![6, 7], vec![1], vec![2, 2, 3]],
        ),
        (
            vec![vec![13], vec![1], vec![7]],
            vec![
                vec![2; 6].into_iter().chain([1]).collect(),
                vec![1],
                vec![4, 3],
            ],
        ),
    ] {
        let x = computed(&a, from.clone());
        let r = x.rechunk(to.clone());
        assert_eq!(
            r.chunks().blocks_per_axis(),
            to.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert!(
            r.explain().unwrap().contains("rechunk"),
            "{from:?} -> {to:?}"
        );
        assert_same(&run(&r), &a);
    }
}

#[test]
fn a_rechunk_too_big_for_the_budget_goes_through_intermediate_chunks() {
    // Columns to rows: each row block of a direct copy reads every column block (the
    // whole 1.28 MB array); under a 256 KiB budget the plan splits the columns into
    // 10 x 10 pieces and gathers one row block's pieces. The input is read again in
    // pieces (a source can be), so no more than a row block and its pieces is held.
    let a = values(&[400, 400], 98);
    let x = lazy(&a, Chunks::from([400, 10]));
    let rows = x.rechunk([10, 400]);
    let tight = chunkwise::ComputeOptions::default()
        .memory_limit(chunkwise::MemoryLimit::from_bytes(256 << 10));
    // The sum over rows needs every row block; its result is small.
    let sums = rows.max(1);
    let plan = sums.explain_with(&tight).unwrap();
    assert!(!plan.contains("refused"), "{plan}");
    assert_eq!(
        sums.compute_with(&tight).unwrap(),
        a.map_axis(ndarray::Axis(1), |r| r
            .fold(f64::NEG_INFINITY, |m, &v| m.max(v)))
            .into_dyn()
    );
    // The whole result (1.28 MB) is more than the budget: refused before running.
    let err = rows.compute_with(&tight).unwrap_err();
    assert!(err.to_string().contains("memory limit"), "{err}");
    // A computed input cannot be read again: its rechunk either fits or is refused with
    // the memory limit named, never run over it. Without a budget it is one direct copy.
    let computed_rows = computed(&a, [400, 10]).rechunk([10, 400]).max(1);
    let free = computed_rows.explain().unwrap();
    assert_eq!(free.matches("rechunk").count(), 1, "{free}");
    match computed_rows.compute_with(&tight) {
        Ok(v) => assert_eq!(v, sums.compute().unwrap()),
        Err(e) => assert!(e.to_string().contains("memory limit"), "{e}"),
    }
}
