//! Axis permutations (`permute_axes`, `t`, `transpose`) and length-1 axes (`squeeze`,
//! `squeeze_axes`, `expand_dims`), against ndarray's `permuted_axes`, `t`, `insert_axis`
//! and `remove_axis`.

use chunkwise::Axes;
use ndarray::{Array2, ArrayD, Axis, Ix2, IxDyn};

use crate::common::{
    assert_close, assert_same, cases, eager, lazy, reduce_eager, run, values, RTOL,
};

/// Every permutation of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

#[test]
fn transpose_reverses_axes_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 70);
        let x = lazy(&a, case.chunks.clone());
        let t = x.t();
        let want = a.t().to_owned();
        assert_eq!(t.shape(), want.shape(), "{}", case.name);
        let reversed: Vec<_> = x.chunks().axes().iter().rev().cloned().collect();
        assert_eq!(t.chunks().axes(), reversed.as_slice(), "{}", case.name);
        assert_same(&run(&t), &want);
        assert_same(&run(&x.transpose()), &want);
        assert_eq!(t.t().key(), x.key(), "transposing twice is the identity");
    }
}

#[test]
fn every_permutation_matches_ndarray() {
    for (shape, chunks) in [
        (
            vec![7, 5, 6],
            chunkwise::Chunks::from(vec![vec![3, 1, 3], vec![2, 3], vec![4, 2]]),
        ),
        (vec![2, 3, 4, 5], chunkwise::Chunks::from([1, 2, 3, 2])),
        (vec![13, 1, 4], chunkwise::Chunks::from([4, 1, 3])),
        (vec![3, 0, 4], chunkwise::Chunks::from([2, 1, 3])),
    ] {
        let a = values(&shape, 71);
        let x = lazy(&a, chunks);
        for perm in permutations(shape.len()) {
            let got = x.permute_axes(&perm);
            let want = a.view().permuted_axes(IxDyn(&perm)).to_owned();
            assert_eq!(got.shape(), want.shape(), "{perm:?}");
            for (i, &p) in perm.iter().enumerate() {
                assert_eq!(got.chunks().axis(i), x.chunks().axis(p), "{perm:?}");
            }
            assert_same(&run(&got), &want);
            // Composing with the inverse permutation gives the original expression back.
            let mut inverse = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p] = i;
            }
            assert_eq!(got.permute_axes(&inverse).key(), x.key(), "{perm:?}");
        }
    }
    let a = values(&[7, 5, 6], 72);
    let x = lazy(&a, [3, 2, 4]);
    let twice = x.permute_axes([2, 0, 1]).permute_axes([2, 0, 1]);
    let want = a
        .view()
        .permuted_axes(IxDyn(&[2, 0, 1]))
        .permuted_axes(IxDyn(&[2, 0, 1]))
        .to_owned();
    assert_same(&run(&twice), &want);
}

#[test]
fn squeeze_removes_length_one_axes() {
    let a = values(&[13, 1, 4], 73);
    let x = lazy(&a, [4, 1, 3]);
    let s = x.squeeze();
    assert_eq!(s.shape(), &[13, 4]);
    assert_eq!(s.chunks().blocks_per_axis(), vec![4, 2]);
    assert_same(&run(&s), &a.clone().remove_axis(Axis(1)));
    assert_same(&run(&x.squeeze_axes([1])), &a.clone().remove_axis(Axis(1)));
    let b = values(&[1, 3, 1, 1], 74);
    let y = lazy(&b, [1, 2, 1, 1]);
    assert_same(
        &run(&y.squeeze()),
        &b.clone().into_shape_with_order(IxDyn(&[3])).unwrap(),
    );
    let partial = y.squeeze_axes([3, 0]);
    assert_eq!(partial.shape(), &[3, 1]);
    assert_same(
        &run(&partial),
        &b.clone().into_shape_with_order(IxDyn(&[3, 1])).unwrap(),
    );
    let ones = values(&[1, 1, 1], 75);
    let z = lazy(&ones, [1, 1, 1]);
    let scalar = z.squeeze();
    assert_eq!(scalar.ndim(), 0);
    assert_eq!(scalar.compute_scalar().unwrap(), ones[[0, 0, 0]]);
    // Nothing to squeeze: the same expression.
    let e = lazy(&values(&[3, 0, 4], 76), [2, 1, 3]);
    assert_eq!(e.squeeze().key(), e.key());
    assert_eq!(e.squeeze_axes(&[] as &[usize]).key(), e.key());
    let empty_squeezed = lazy(&values(&[1, 0], 77), [1, 1]).squeeze();
    assert_eq!(empty_squeezed.shape(), &[0]);
    assert_eq!(run(&empty_squeezed).len(), 0);
}

#[test]
fn expand_dims_at_every_position_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 78);
        let x = lazy(&a, case.chunks.clone());
        for axis in 0..=case.shape.len() {
            let got = x.expand_dims(axis);
            let want = a.clone().insert_axis(Axis(axis));
            assert_eq!(got.shape(), want.shape(), "{} at {axis}", case.name);
            assert_same(&run(&got), &want);
            assert_eq!(got.squeeze_axes([axis]).shape(), x.shape());
            assert_same(&run(&got.squeeze_axes([axis])), &a);
        }
    }
}

#[test]
fn keepdims_equals_expand_dims_of_the_reduction() {
    let a = values(&[7, 5, 6], 79);
    let x = lazy(&a, [3, 2, 4]);
    let kept = x.sum(Axes::from(1).keepdims(true));
    let expanded = x.sum(1).expand_dims(1);
    assert_eq!(kept.shape(), expanded.shape());
    assert_close(&run(&kept), &run(&expanded), RTOL);
    assert_close(
        &run(&kept.squeeze()),
        &reduce_eager(&a, Some(&[1][..]), false, eager::sum),
        RTOL,
    );
}

#[test]
fn outer_products_via_expand_dims_match_dot() {
    let a = values(&[7, 5], 80);
    let b = values(&[5, 4], 81);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    let y = lazy(&b, [2, 3]);
    let product = &x.expand_dims(2) * &y.expand_dims(0);
    assert_eq!(product.shape(), &[7, 5, 4]);
    let got = run(&product.sum(1));
    let a2: Array2<f64> = a.into_dimensionality::<Ix2>().unwrap();
    let b2: Array2<f64> = b.into_dimensionality::<Ix2>().unwrap();
    let want: ArrayD<f64> = a2.dot(&b2).into_dyn();
    assert_close(&got, &want, RTOL);
    // x + x.T on a square array with irregular chunks is symmetric.
    let s = values(&[9, 9], 82);
    let z = lazy(&s, vec![vec![2, 5, 2], vec![4, 4, 1]]);
    let sym = run(&(&z + &z.t()));
    assert_close(&sym, &(&s + &s.t()), RTOL);
    assert_same(&sym, &sym.t().to_owned());
}

/// `flip` against ndarray's reversed views on every case of the table (odd shapes,
/// irregular and edge chunks, size-1 and empty axes), for each axis, negative axes and
/// all axes.
#[test]
fn flip_matches_ndarray_on_every_case() {
    for case in crate::common::cases() {
        let a = values(&case.shape, 91);
        let x = lazy(&a, case.chunks.clone());
        let nd = a.ndim();
        let mut sets: Vec<Vec<isize>> = (0..nd as isize).map(|d| vec![d]).collect();
        if nd > 0 {
            sets.push(vec![-1]);
            sets.push((0..nd as isize).collect());
        }
        for axes in sets {
            let mut want = a.clone();
            for &d in &axes {
                let d = if d < 0 { d + nd as isize } else { d } as usize;
                want.invert_axis(ndarray::Axis(d));
            }
            let got = x.flip(chunkwise::Axes::signed(axes.clone()));
            assert_eq!(got.chunks().shape(), want.shape(), "{} {axes:?}", case.name);
            assert_eq!(run(&got), want, "{} flip {axes:?}", case.name);
        }
        assert_eq!(run(&x.flip(..).flip(..)), a, "{}", case.name);
    }
}

/// A slice of a flipped array computes only the blocks it keeps: culling follows the
/// flip's block map.
#[test]
fn a_slice_of_a_flip_reads_only_its_blocks() {
    let a = values(&[100], 92);
    let x = lazy(&a, [10]);
    let head = x.flip(0).slice(ndarray::s![..10]);
    assert_eq!(head.graph_stats().unwrap().tasks, 3); // the source block, its flip, the slice
    let mut want = a.clone();
    want.invert_axis(ndarray::Axis(0));
    assert_eq!(
        run(&head),
        want.slice(ndarray::s![..10]).to_owned().into_dyn()
    );
    assert!(x.flip(3).error().is_some());
}
