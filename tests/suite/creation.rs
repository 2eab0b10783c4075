//! Creation functions and array metadata, against arrays built eagerly.

use chunkwise::{random, Chunks, DType, DynArray, LazyArray};
use ndarray::{arr0, s, Array2, ArrayD, IxDyn};

use crate::common::{assert_close, assert_same, cases, from_flat, ints, lazy, run, values, RTOL};

#[test]
fn from_ndarray_round_trips_every_case() {
    for case in cases() {
        let a = values(&case.shape, 1);
        let x = lazy(&a, case.chunks.clone());
        assert_eq!(x.shape(), a.shape(), "{}", case.name);
        assert_eq!(x.ndim(), a.ndim(), "{}", case.name);
        assert_eq!(x.len(), a.len(), "{}", case.name);
        assert_eq!(x.is_empty(), a.is_empty(), "{}", case.name);
        assert_eq!(x.nbytes(), a.len() * 8, "{}", case.name);
        assert_eq!(x.dtype(), DType::F64, "{}", case.name);
        assert_eq!(x.chunks().shape(), a.shape(), "{}", case.name);
        assert_same(&run(&x), &a);
    }
}

#[test]
fn chunk_grids_follow_the_specification() {
    let a = values(&[7, 5], 2);
    let irregular = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    assert_eq!(irregular.num_chunks(), 6);
    assert_eq!(irregular.chunks().blocks_per_axis(), vec![3, 2]);
    assert_eq!(irregular.chunks().to_string(), "((3, 1, 3), (2, 3))");
    let partial = lazy(&a, [2, 2]);
    assert_eq!(partial.chunks().blocks_per_axis(), vec![4, 3]);
    assert_eq!(partial.chunks().block_shape(&[3, 2]), vec![1, 1]);
    let whole = lazy(&a, [100, 100]);
    assert_eq!(whole.num_chunks(), 1);
    let auto = lazy(&a, Chunks::Auto);
    assert_eq!(auto.num_chunks(), 1);
    let small = lazy(&values(&[100, 100], 3), Chunks::AutoBytes(8 * 100));
    assert!(small.chunks().max_block_len() <= 100, "{}", small.chunks());
    assert!(small.num_chunks() >= 100, "{}", small.chunks());
    // An empty axis has one chunk of length 0.
    let empty = lazy(&values(&[3, 0, 4], 4), [2, 1, 3]);
    assert_eq!(empty.chunks().blocks_per_axis(), vec![2, 1, 2]);
}

#[test]
fn from_ndarray_copies_non_standard_layouts() {
    let a = Array2::from_shape_fn((7, 5), |(i, j)| (i * 10 + j) as f64);
    let transposed = a.t();
    let x = chunkwise::from_ndarray(transposed, [2, 3]);
    assert_same(&run(&x), &transposed.to_owned().into_dyn());
    let reversed = a.slice(s![..;-1, 1..;2]);
    let y = chunkwise::from_ndarray(reversed, vec![vec![4, 3], vec![1, 1]]);
    assert_same(&run(&y), &reversed.to_owned().into_dyn());
    let zero_d = chunkwise::from_ndarray(arr0(2.5), Vec::<usize>::new());
    assert_eq!(zero_d.ndim(), 0);
    assert_eq!(zero_d.compute_scalar().unwrap(), 2.5);
}

#[test]
fn from_ndarray_keeps_every_dtype() {
    let shape = [7, 5];
    let chunks = vec![vec![3, 1, 3], vec![2, 3]];
    let i = ints::<i32>(&shape, 1, -1000, 1000);
    assert_same(&run(&lazy(&i, chunks.clone())), &i);
    let u = ints::<u8>(&shape, 2, 0, 255);
    assert_same(&run(&lazy(&u, chunks.clone())), &u);
    let f = ints::<f32>(&shape, 3, -50, 50);
    assert_same(&run(&lazy(&f, chunks.clone())), &f);
    let b = ints::<i64>(&shape, 4, 0, 1).mapv(|v| v == 1);
    let xb = lazy(&b, chunks.clone());
    assert_eq!(xb.dtype(), DType::Bool);
    assert_same(&run(&xb), &b);
    let big = ints::<u64>(&shape, 5, 0, 10).mapv(|v| u64::MAX - v);
    assert_same(&run(&lazy(&big, chunks)), &big);
}

#[test]
fn constants_fill_every_element() {
    for case in cases() {
        let n = &case.shape;
        let z = chunkwise::zeros::<f64>(n, case.chunks.clone());
        assert_same(&run(&z), &ArrayD::zeros(IxDyn(n)));
        let o = chunkwise::ones::<i16>(n, case.chunks.clone());
        assert_same(&run(&o), &ArrayD::from_elem(IxDyn(n), 1i16));
        let t = chunkwise::ones::<bool>(n, case.chunks.clone());
        assert_same(&run(&t), &ArrayD::from_elem(IxDyn(n), true));
        let f = chunkwise::zeros::<bool>(n, case.chunks.clone());
        assert_same(&run(&f), &ArrayD::from_elem(IxDyn(n), false));
        let v = chunkwise::full(n, -1.5f32, case.chunks.clone());
        assert_same(&run(&v), &ArrayD::from_elem(IxDyn(n), -1.5f32));
        let m = chunkwise::full(n, i64::MIN, case.chunks.clone());
        assert_same(&run(&m), &ArrayD::from_elem(IxDyn(n), i64::MIN));
        assert_eq!(m.shape(), n.as_slice(), "{}", case.name);
    }
    let u = chunkwise::full(&[3, 4], 7u8, [2, 3]);
    assert!(run(&u).iter().all(|&v| v == 7));
    assert_eq!(run(&u).len(), 12);
}

#[test]
fn integer_arange_matches_a_stepped_range() {
    let check = |x: LazyArray<i64>, want: Vec<i64>| {
        assert_eq!(x.shape(), &[want.len()]);
        assert_eq!(run(&x).into_raw_vec_and_offset().0, want);
    };
    check(chunkwise::arange(0i64, 10, 1, [3]), (0..10).collect());
    check(chunkwise::arange(10i64, 0, -3, [2]), vec![10, 7, 4, 1]);
    check(chunkwise::arange(-7i64, 7, 4, [1]), vec![-7, -3, 1, 5]);
    check(chunkwise::arange(5i64, 5, 1, [3]), vec![]);
    check(chunkwise::arange(0i64, 10, -1, [3]), vec![]);
    check(
        chunkwise::arange(3i64, 1000, 7, [13]),
        (3..1000).step_by(7).collect(),
    );
    let u = chunkwise::arange(0u8, 250, 50, [4]);
    assert_eq!(
        run(&u).into_raw_vec_and_offset().0,
        vec![0, 50, 100, 150, 200]
    );
    let i = chunkwise::arange(-3i8, 3, 2, vec![vec![1, 2]]);
    assert_eq!(run(&i).into_raw_vec_and_offset().0, vec![-3, -1, 1]);
}

#[test]
fn float_arange_is_start_plus_index_times_step() {
    let x = chunkwise::arange(0.0f64, 1.0, 0.1, [3]);
    assert_eq!(x.shape(), &[10]);
    let want = from_flat(&[10], |k| k as f64 * 0.1);
    assert_close(&run(&x), &want, 1e-15);
    let down = chunkwise::arange(1.0f64, 0.0, -0.25, [3]);
    assert_eq!(
        run(&down).into_raw_vec_and_offset().0,
        vec![1.0, 0.75, 0.5, 0.25]
    );
    let half = chunkwise::arange(0.5f64, 3.0, 1.0, [1]);
    assert_eq!(run(&half).into_raw_vec_and_offset().0, vec![0.5, 1.5, 2.5]);
    let f = chunkwise::arange(-1.0f32, 1.0, 0.5, [3]);
    assert_eq!(
        run(&f).into_raw_vec_and_offset().0,
        vec![-1.0f32, -0.5, 0.0, 0.5]
    );
    let empty = chunkwise::arange(1.0f64, 1.0, 0.5, [3]);
    assert!(empty.is_empty());
    assert_eq!(run(&empty).len(), 0);
}

#[test]
fn linspace_includes_both_ends() {
    let x = chunkwise::linspace(0.0f64, 1.0, 5, [2]);
    assert_eq!(
        run(&x).into_raw_vec_and_offset().0,
        vec![0.0, 0.25, 0.5, 0.75, 1.0]
    );
    let y = chunkwise::linspace(-1.0f64, 2.3, 13, vec![vec![4, 1, 8]]);
    let got = run(&y);
    let want = ndarray::Array1::linspace(-1.0, 2.3, 13).into_dyn();
    assert_close(&got, &want, RTOL);
    assert_eq!(got[[0]], -1.0);
    assert_eq!(got[[12]], 2.3, "the last value is `stop` exactly");
    let one = chunkwise::linspace(4.0f64, 9.0, 1, [1]);
    assert_eq!(run(&one).into_raw_vec_and_offset().0, vec![4.0]);
    let none = chunkwise::linspace(4.0f64, 9.0, 0, [1]);
    assert_eq!(none.shape(), &[0]);
    assert_eq!(run(&none).len(), 0);
    let f = chunkwise::linspace(1.0f32, 0.0, 3, [2]);
    assert_eq!(run(&f).into_raw_vec_and_offset().0, vec![1.0f32, 0.5, 0.0]);
}

#[test]
fn uniform_does_not_depend_on_the_chunks() {
    let shape = [13, 1, 4];
    let a = run(&random::uniform::<f64>(&shape, [4, 1, 3], 42));
    let b = run(&random::uniform::<f64>(
        &shape,
        vec![vec![6, 6, 1], vec![1], vec![1, 3]],
        42,
    ));
    let c = run(&random::uniform::<f64>(&shape, [13, 1, 4], 42));
    assert_same(&a, &b);
    assert_same(&a, &c);
    let other = run(&random::uniform::<f64>(&shape, [4, 1, 3], 43));
    assert!(a != other, "different seeds give different numbers");
    let big = run(&random::uniform::<f64>(&[20_000], [3_000], 7));
    assert!(big.iter().all(|v| (0.0..1.0).contains(v)));
    let mean = big.mean().unwrap();
    assert!((mean - 0.5).abs() < 0.01, "{mean}");
    // Values are distinct: not one number repeated.
    let distinct = big.iter().filter(|&&v| v != big[[0]]).count();
    assert!(distinct > 19_990);
    let f = run(&random::uniform::<f32>(&[7, 5], [2, 2], 1));
    let g = run(&random::uniform::<f32>(&[7, 5], [7, 1], 1));
    assert_same(&f, &g);
    assert!(f.iter().all(|v| (0.0..1.0).contains(v)));
}

#[test]
fn normal_does_not_depend_on_the_chunks() {
    let a = run(&random::normal::<f64>(&[7, 5], [2, 2], 9));
    let b = run(&random::normal::<f64>(
        &[7, 5],
        vec![vec![3, 1, 3], vec![2, 3]],
        9,
    ));
    assert_same(&a, &b);
    let big = run(&random::normal::<f64>(&[40_000], [7_000], 3));
    let mean = big.mean().unwrap();
    let std = big.std(0.0);
    assert!(mean.abs() < 0.03, "{mean}");
    assert!((std - 1.0).abs() < 0.03, "{std}");
}

/// The peer benchmark's formula, in exact integer arithmetic.
fn hash_value(k: u64, salt: u64) -> f64 {
    let m = 1u128 << 32;
    let h = ((u128::from(k) + u128::from(salt) * 1_000_000_007) % m) * 2_654_435_761 % m;
    h as f64 / 4_294_967_296.0
}

#[test]
fn hash_uniform_matches_the_formula() {
    for salt in [0u64, 1, 3, 5_000_000_000] {
        let shape = [7, 5];
        let x = random::hash_uniform::<f64>(&shape, vec![vec![3, 1, 3], vec![2, 3]], salt);
        let want = from_flat(&shape, |k| hash_value(k, salt));
        assert_same(&run(&x), &want);
        let f = random::hash_uniform::<f32>(&shape, [2, 2], salt);
        assert_same(&run(&f), &want.mapv(|v| v as f32));
    }
    let x = random::hash_uniform::<f64>(&[3, 4, 5], [2, 3, 2], 2);
    assert_same(&run(&x), &from_flat(&[3, 4, 5], |k| hash_value(k, 2)));
}

#[test]
fn display_and_debug_describe_the_array() {
    let x = chunkwise::zeros::<f32>(&[7, 5], [2, 2]);
    let text = x.to_string();
    assert!(text.contains("float32"), "{text}");
    assert!(text.contains("[7, 5]"), "{text}");
    assert!(text.contains("12"), "number of chunks: {text}");
    let debug = format!("{x:?}");
    assert!(debug.contains("[7, 5]"), "{debug}");
}

#[test]
fn dyn_arrays_compute_cast_and_downcast() {
    let a = values(&[7, 5], 5);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    let d: DynArray = x.to_dyn();
    assert_eq!(d.dtype(), DType::F64);
    assert_eq!(d.shape(), &[7, 5]);
    assert_eq!(d.chunks(), x.chunks());
    let back = d.downcast::<f64>().unwrap();
    assert_eq!(back.key(), x.key());
    let any = d.compute().unwrap();
    assert_eq!(any.dtype(), DType::F64);
    assert_same(&any.into_typed::<f64>().unwrap(), &a);
    let as_i32 = d.astype(DType::I32);
    assert_eq!(as_i32.dtype(), DType::I32);
    let out = DynArray::compute_many(&[as_i32, d.astype(DType::Bool)]).unwrap();
    assert_same(
        &out[0].clone().into_typed::<i32>().unwrap(),
        &a.mapv(|v| v as i32),
    );
    assert_same(
        &out[1].clone().into_typed::<bool>().unwrap(),
        &a.mapv(|v| v != 0.0),
    );
}
