//! Basic slicing with ndarray's `s![]` on multi-chunk arrays, against ndarray's own
//! `slice` of the eager array: ranges, negative indices, positive and negative steps,
//! integer indices and `NewAxis`.

use chunkwise::Chunks;
use ndarray::{s, ArrayD, NewAxis, SliceInfoElem};

use crate::common::{assert_close, assert_same, lazy, run, values, RTOL};

/// Slices the eager array `$a` and the lazy array `$x` with the same `s![...]` and
/// compares shapes and values.
macro_rules! check_slice {
    ($a:expr, $x:expr, $($idx:tt)*) => {{
        let info = s![$($idx)*];
        let want: ArrayD<f64> = $a.slice(&info).to_owned().into_dyn();
        let got = $x.slice(&info);
        if let Some(e) = got.error() {
            panic!("s![{}]: {e}", stringify!($($idx)*));
        }
        assert_eq!(got.shape(), want.shape(), "s![{}] on {:?}", stringify!($($idx)*), $a.shape());
        let grid_shape = got.chunks().shape();
        assert_eq!(grid_shape, want.shape(), "grid of s![{}]", stringify!($($idx)*));
        assert_same(&run(&got), &want);
    }};
}

fn one_d_chunkings() -> Vec<Chunks> {
    vec![
        Chunks::from([6]),
        Chunks::from([1]),
        Chunks::from([20]),
        Chunks::from(vec![vec![3, 7, 1, 9]]),
    ]
}

#[test]
#[allow(
    clippy::reversed_empty_ranges,
    reason = "empty and backwards ranges are cases to test"
)]
fn one_d_ranges_steps_and_indices() {
    let a = values(&[20], 60);
    for chunks in one_d_chunkings() {
        let x = lazy(&a, chunks);
        check_slice!(a, x, ..);
        check_slice!(a, x, 2..9);
        check_slice!(a, x, 2..9;3);
        check_slice!(a, x, ..;-1);
        check_slice!(a, x, ..;-7);
        check_slice!(a, x, 1..5;-2);
        check_slice!(a, x, -3..);
        check_slice!(a, x, ..-3);
        check_slice!(a, x, -5..-1;2);
        check_slice!(a, x, -1..;-1);
        check_slice!(a, x, 5..2);
        check_slice!(a, x, 3..3);
        check_slice!(a, x, 0..20;20);
        check_slice!(a, x, ..;3);
        check_slice!(a, x, 19..;-4);
        check_slice!(a, x, 3..15;-5);
        check_slice!(a, x, -20..;-6);
        check_slice!(a, x, 6..12);
        check_slice!(a, x, 5..6);
        check_slice!(a, x, -1);
        check_slice!(a, x, 0);
        check_slice!(a, x, 7);
        check_slice!(a, x, -20);
        check_slice!(a, x, NewAxis, ..);
        check_slice!(a, x, .., NewAxis);
        check_slice!(a, x, NewAxis, 4..;-3, NewAxis);
        check_slice!(a, x, ..;100);
        check_slice!(a, x, ..;-100);
        check_slice!(a, x, -5..-1;-2);
        check_slice!(a, x, ..0);
        check_slice!(a, x, -1..0);
        check_slice!(a, x, 5..2;-1);
        check_slice!(a, x, 20..);
        check_slice!(a, x, ..-20;-1);
    }
}

#[test]
fn one_d_selection_elements_are_ndarrays() {
    // ndarray semantics: a negative step walks the range backwards from its end.
    let x = chunkwise::arange(0i32, 10, 1, [3]);
    assert_eq!(
        run(&x.slice(s![1..5;-2])).into_raw_vec_and_offset().0,
        vec![4, 2]
    );
    assert_eq!(
        run(&x.slice(s![..;-3])).into_raw_vec_and_offset().0,
        vec![9, 6, 3, 0]
    );
    assert_eq!(
        run(&x.slice(s![-4..;2])).into_raw_vec_and_offset().0,
        vec![6, 8]
    );
    assert_eq!(x.slice(s![-1]).compute_scalar().unwrap(), 9);
}

#[test]
fn two_d_slices_on_regular_and_irregular_chunks() {
    let a = values(&[13, 11], 61);
    for chunks in [
        Chunks::from([4, 3]),
        Chunks::from(vec![vec![5, 1, 7], vec![2, 2, 7]]),
        Chunks::from([1, 11]),
    ] {
        let x = lazy(&a, chunks);
        check_slice!(a, x, .., ..);
        check_slice!(a, x, 1..12;3, ..;-2);
        check_slice!(a, x, -1, ..);
        check_slice!(a, x, .., 4);
        check_slice!(a, x, 2..9, -3..;-1);
        check_slice!(a, x, NewAxis, 3..5, NewAxis, ..;4);
        check_slice!(a, x, 5, 7);
        check_slice!(a, x, -13, -11);
        check_slice!(a, x, ..;-1, ..;-1);
        check_slice!(a, x, 4..4, ..);
        check_slice!(a, x, .., 1..2);
        check_slice!(a, x, 12.., 10..);
        check_slice!(a, x, ..;5, ..;-5);
        check_slice!(a, x, -6..-2;-1, 3);
        check_slice!(a, x, .., NewAxis, ..);
        check_slice!(a, x, 3..10;2, NewAxis, 1..;3);
    }
}

#[test]
fn three_and_four_d_slices() {
    let a = values(&[7, 5, 6], 62);
    for chunks in [
        Chunks::from([3, 2, 4]),
        Chunks::from(vec![vec![1, 6], vec![2, 3], vec![5, 1]]),
    ] {
        let x = lazy(&a, chunks);
        check_slice!(a, x, 1..6;2, .., ..;-1);
        check_slice!(a, x, -1, 1..4, NewAxis, 2);
        check_slice!(a, x, ..;-3, 4, ..);
        check_slice!(a, x, 2, 3, 4);
        check_slice!(a, x, NewAxis, ..;2, ..;2, ..;2);
        check_slice!(a, x, 3..3, .., 1..);
    }
    let b = values(&[3, 4, 5, 6], 63);
    let y = lazy(&b, [2, 3, 2, 4]);
    check_slice!(b, y, .., 1..;2, ..;-2, -2);
    check_slice!(b, y, 1, NewAxis, .., 2..5, ..;-1);
    check_slice!(b, y, -1..;-1, ..;-3, 0, 1..5;2);
}

#[test]
fn missing_trailing_entries_select_whole_axes() {
    let a = values(&[7, 5, 6], 64);
    let x = lazy(&a, [3, 2, 4]);
    let got = run(&x.slice(s![1..4]));
    assert_same(&got, &a.slice(s![1..4, .., ..]).to_owned().into_dyn());
    let got = run(&x.slice(s![2]));
    assert_same(&got, &a.slice(s![2, .., ..]).to_owned().into_dyn());
    let got = run(&x.slice(s![..;-2, NewAxis]));
    assert_same(
        &got,
        &a.slice(s![..;-2, NewAxis, .., ..]).to_owned().into_dyn(),
    );
}

#[test]
fn slices_of_slices_and_of_expressions() {
    let a = values(&[13, 11], 65);
    let b = values(&[11], 66);
    let x = lazy(&a, vec![vec![5, 1, 7], vec![2, 2, 7]]);
    let y = lazy(&b, [4]);
    let twice = x.slice(s![1..;2, ..]).slice(s![..;-1, 2..]);
    let want = a
        .slice(s![1..;2, ..])
        .slice(s![..;-1, 2..])
        .to_owned()
        .into_dyn();
    assert_same(&run(&twice), &want);
    let thrice = twice.slice(s![1..3, ..;-3]);
    assert_same(
        &run(&thrice),
        &want.slice(s![1..3, ..;-3]).to_owned().into_dyn(),
    );
    // Slicing a broadcast sum and a transpose.
    let sum = (&x + &y).slice(s![3..9;2, -4..]);
    let eager_sum = &a + &b;
    assert_close(
        &run(&sum),
        &eager_sum.slice(s![3..9;2, -4..]).to_owned().into_dyn(),
        RTOL,
    );
    let t = x.t().slice(s![..;-4, 2]);
    assert_same(&run(&t), &a.t().slice(s![..;-4, 2]).to_owned().into_dyn());
    // A sliced array in arithmetic with an unsliced one of other chunks.
    let mirrored = &x + &x.slice(s![.., ..;-1]);
    let want = &a + &a.slice(s![.., ..;-1]);
    assert_close(&run(&mirrored), &want.into_dyn(), RTOL);
}

#[test]
fn slices_of_empty_and_zero_d_arrays() {
    let e = values(&[3, 0, 4], 67);
    let x = lazy(&e, [2, 1, 3]);
    check_slice!(e, x, 1.., .., ..;-1);
    check_slice!(e, x, 0, .., 2);
    check_slice!(e, x, NewAxis, ..;2, ..;-1, 1..3);
    let z = values(&[], 68);
    let y = lazy(&z, Vec::<usize>::new());
    let same = y.slice([] as [SliceInfoElem; 0]);
    assert_eq!(same.key(), y.key(), "an empty index is the identity");
    let lifted = y.slice([SliceInfoElem::NewAxis, SliceInfoElem::NewAxis]);
    assert_eq!(lifted.shape(), &[1, 1]);
    assert_same(
        &run(&lifted),
        &z.clone()
            .into_shape_with_order(ndarray::IxDyn(&[1, 1]))
            .unwrap(),
    );
}

#[test]
fn slice_chunks_follow_the_input_chunks() {
    let x = chunkwise::zeros::<f64>(&[20], [6]);
    let rev = x.slice(s![..;-1]);
    assert_eq!(
        rev.chunks().axis(0).sizes().collect::<Vec<_>>(),
        vec![2, 6, 6, 6]
    );
    let mid = x.slice(s![4..14]);
    assert_eq!(
        mid.chunks().axis(0).sizes().collect::<Vec<_>>(),
        vec![2, 6, 2]
    );
    let stepped = x.slice(s![1..20;3]);
    // Elements 1 4 | 7 10 | 13 16 | 19.
    assert_eq!(
        stepped.chunks().axis(0).sizes().collect::<Vec<_>>(),
        vec![2, 2, 2, 1]
    );
    let full = x.slice(s![..]);
    assert_eq!(full.key(), x.key(), "a full slice is the identity");
}
