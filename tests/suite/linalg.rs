//! Matrix products against an eager reference: `matmul` (1-d, 2-d, batched with
//! broadcasting), `dot`, `tensordot`, `einsum`, `outer`, the symmetric `x @ x.T`, long
//! contracted axes summed by a tree, integer and `bool` dtypes, empty and size-1 axes,
//! irregular and mismatched chunks, errors, and random shapes and chunkings.
//!
//! The reference is a naive Einstein summation over every assignment of the labels
//! (small shapes only), in the operands' own arithmetic (wrapping for integers).

use chunkwise::{Chunks, DType, DynArray, Error, LazyArray, NumElement, TensordotAxes};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

use crate::common::{assert_close, assert_same, failure, into_root, ints, lazy, run, values};

/// `einsum` done naively: `terms` are the operands' labels, `out` the result's; a label
/// of length 1 in one operand broadcasts against a longer one.
fn naive_einsum<T: NumElement>(terms: &[&str], out: &str, arrays: &[&ArrayD<T>]) -> ArrayD<T> {
    let mut labels: Vec<char> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    for (t, a) in terms.iter().zip(arrays) {
        for (c, &len) in t.chars().zip(a.shape()) {
            if let Some(i) = labels.iter().position(|&l| l == c) {
                sizes[i] = sizes[i].max(len);
            } else {
                labels.push(c);
                sizes.push(len);
            }
        }
    }
    let pos = |c: char| labels.iter().position(|&l| l == c).unwrap();
    let out_shape: Vec<usize> = out.chars().map(|c| sizes[pos(c)]).collect();
    let mut result = ArrayD::from_elem(IxDyn(&out_shape), T::ZERO);
    let total: usize = sizes.iter().product();
    let mut idx = vec![0usize; labels.len()];
    for flat in 0..total {
        let mut r = flat;
        for d in (0..labels.len()).rev() {
            idx[d] = r % sizes[d];
            r /= sizes[d];
        }
        let mut p = T::ONE;
        for (t, a) in terms.iter().zip(arrays) {
            let at: Vec<usize> = t
                .chars()
                .zip(a.shape())
                .map(|(c, &len)| if len == 1 { 0 } else { idx[pos(c)] })
                .collect();
            p = p.mul_elem(a[IxDyn(&at)]);
        }
        let o: Vec<usize> = out.chars().map(|c| idx[pos(c)]).collect();
        let slot = &mut result[IxDyn(&o)];
        *slot = slot.add_elem(p);
    }
    result
}

fn f64s(shape: &[usize], seed: u64) -> ArrayD<f64> {
    values(shape, seed)
}

#[test]
fn matmul_2d_with_irregular_and_mismatched_chunks() {
    let a = f64s(&[7, 5], 1);
    let b = f64s(&[5, 3], 2);
    let want = naive_einsum(&["ij", "jk"], "ik", &[&a, &b]);
    for (ca, cb) in [
        (
            Chunks::from(vec![vec![3, 4], vec![2, 3]]),
            Chunks::from(vec![vec![2, 3], vec![1, 2]]),
        ),
        (
            Chunks::from(vec![vec![7], vec![1, 1, 3]]),
            Chunks::from(vec![vec![4, 1], vec![3]]),
        ),
        (Chunks::from([1, 1]), Chunks::from([5, 3])),
    ] {
        let got = run(&lazy(&a, ca).matmul(&lazy(&b, cb)));
        assert_close(&got, &want, 1e-12);
    }
}

#[test]
fn matmul_with_vectors_drops_their_axes() {
    let m = f64s(&[4, 5], 3);
    let v = f64s(&[5], 4);
    let w = f64s(&[4], 5);
    let mv = run(&lazy(&m, [3, 2]).matmul(&lazy(&v, [2])));
    assert_close(&mv, &naive_einsum(&["ij", "j"], "i", &[&m, &v]), 1e-12);
    let wm = run(&lazy(&w, [3]).matmul(&lazy(&m, [2, 2])));
    assert_close(&wm, &naive_einsum(&["i", "ij"], "j", &[&w, &m]), 1e-12);
    let vv = run(&lazy(&v, [2]).matmul(&lazy(&v, [3])));
    assert_eq!(vv.shape(), &[] as &[usize]);
    assert_close(&vv, &naive_einsum(&["i", "i"], "", &[&v, &v]), 1e-12);
    // A stack of matrices times a vector.
    let s = f64s(&[3, 4, 5], 6);
    let sv = run(&lazy(&s, [2, 3, 2]).matmul(&lazy(&v, [5])));
    assert_close(&sv, &naive_einsum(&["bij", "j"], "bi", &[&s, &v]), 1e-12);
    let ws = run(&lazy(&w, [1]).matmul(&lazy(&s, [1, 4, 5])));
    assert_close(&ws, &naive_einsum(&["i", "bij"], "bj", &[&w, &s]), 1e-12);
}

#[test]
fn batched_matmul_broadcasts_the_stacks() {
    let a = f64s(&[2, 1, 3, 4], 7);
    let b = f64s(&[5, 4, 2], 8);
    let got = run(&lazy(&a, [1, 1, 2, 3]).matmul(&lazy(&b, [2, 3, 1])));
    assert_eq!(got.shape(), &[2, 5, 3, 2]);
    // b broadcast over a's first axis, a's length-1 axis over b's stack.
    let b4 = b.clone().insert_axis(ndarray::Axis(0));
    assert_close(
        &got,
        &naive_einsum(&["xyij", "xyjk"], "xyik", &[&a, &b4]),
        1e-12,
    );
    let bad = lazy(&f64s(&[2, 3, 4], 0), [1, 3, 4]).matmul(&lazy(&f64s(&[3, 4, 2], 0), [1, 4, 2]));
    assert!(matches!(
        into_root(failure(bad)),
        Error::ShapeMismatch { .. }
    ));
}

#[test]
fn integer_matmul_wraps_in_its_dtype_and_bool_is_or_of_and() {
    let a: ArrayD<i8> = ints(&[6, 9], 1, -100, 100);
    let b: ArrayD<i8> = ints(&[9, 4], 2, -100, 100);
    let got = run(&lazy(&a, [4, 2]).matmul(&lazy(&b, [2, 3])));
    assert_same(&got, &naive_einsum(&["ij", "jk"], "ik", &[&a, &b]));
    let u: ArrayD<u32> = ints(&[5, 40], 3, 0, 1 << 20);
    let got = run(&lazy(&u, [2, 3]).matmul(&lazy(&u.t().to_owned(), [3, 2])));
    let ut = u.t().to_owned();
    assert_same(&got, &naive_einsum(&["ij", "jk"], "ik", &[&u, &ut]));
    let p = ints::<i64>(&[4, 6], 4, 0, 1).mapv(|v| v == 1);
    let q = ints::<i64>(&[6, 3], 5, 0, 1).mapv(|v| v == 1);
    let got = run(&lazy(&p, [3, 4]).matmul(&lazy(&q, [4, 2])));
    let want =
        ndarray::Array2::from_shape_fn((4, 3), |(i, k)| (0..6).any(|j| p[[i, j]] && q[[j, k]]));
    assert_same(&got, &want.into_dyn());
}

#[test]
fn empty_and_size_one_axes() {
    let a = f64s(&[3, 0], 1);
    let b = f64s(&[0, 4], 2);
    let got = run(&lazy(&a, [2, 1]).matmul(&lazy(&b, [1, 3])));
    assert_same(&got, &ArrayD::zeros(IxDyn(&[3, 4])));
    let got = run(&lazy(&f64s(&[0, 3], 0), [1, 2]).matmul(&lazy(&f64s(&[3, 2], 0), [2, 2])));
    assert_eq!(got.shape(), &[0, 2]);
    let one = f64s(&[1, 1], 3);
    let got = run(&lazy(&one, [1, 1]).matmul(&lazy(&one, [1, 1])));
    assert_close(&got, &naive_einsum(&["ij", "jk"], "ik", &[&one, &one]), 0.0);
}

#[test]
fn x_at_x_t_computes_the_upper_blocks_only() {
    let a = f64s(&[10, 7], 11);
    let x = lazy(&a, [3, 4]);
    let at = a.t().to_owned();
    let want = naive_einsum(&["ij", "jk"], "ik", &[&a, &at]);
    let xxt = x.matmul(&x.t());
    assert_close(&run(&xxt), &want, 1e-12);
    let plan = xxt.explain().unwrap();
    assert!(plan.contains("x @ x.T"), "{plan}");
    // 4 row blocks: 10 products on and above the diagonal, then 16 mirrored blocks.
    assert!(plan.contains("10 of 16 tasks"), "{plan}");
    let xtx = x.t().matmul(&x);
    let want = naive_einsum(&["ij", "jk"], "ik", &[&at, &a]);
    assert_close(&run(&xtx), &want, 1e-12);
    // The result is exactly symmetric, as a SYRK's is.
    let got = run(&xxt);
    assert_same(&got, &got.t().to_owned());
    // Integers, and a long contracted axis whose partial products a sum tree adds.
    let n: ArrayD<i64> = ints(&[5, 70], 12, -50, 50);
    let xn = lazy(&n, [2, 2]);
    let nt = n.t().to_owned();
    assert_same(
        &run(&xn.matmul(&xn.t())),
        &naive_einsum(&["ij", "jk"], "ik", &[&n, &nt]),
    );
    assert_same(
        &run(&xn.t().matmul(&xn)),
        &naive_einsum(&["ij", "jk"], "ik", &[&nt, &n]),
    );
}

#[test]
fn long_contracted_axes_sum_partial_products() {
    // 40 blocks along the contracted axis: three partial products per output block.
    let a: ArrayD<i32> = ints(&[3, 40], 1, -1000, 1000);
    let b: ArrayD<i32> = ints(&[40, 2], 2, -1000, 1000);
    let y = lazy(&a, [2, 1]).matmul(&lazy(&b, [1, 2]));
    assert_eq!(y.dtype(), DType::I32);
    assert_same(&run(&y), &naive_einsum(&["ij", "jk"], "ik", &[&a, &b]));
    assert!(y.explain().unwrap().contains("partial products summed"));
    let p = ints::<i64>(&[2, 40], 3, 0, 1).mapv(|v| v == 1);
    let q = ints::<i64>(&[40, 2], 4, 0, 1).mapv(|v| v == 1);
    let got = run(&lazy(&p, [1, 1]).matmul(&lazy(&q, [1, 1])));
    let want =
        ndarray::Array2::from_shape_fn((2, 2), |(i, k)| (0..40).any(|j| p[[i, j]] && q[[j, k]]));
    assert_same(&got, &want.into_dyn());
}

#[test]
fn dot_follows_numpys_rules() {
    let a = f64s(&[2, 3, 4], 1);
    let b = f64s(&[5, 4, 6], 2);
    let got = run(&lazy(&a, [1, 2, 3]).dot(&lazy(&b, [2, 2, 6])));
    assert_close(
        &got,
        &naive_einsum(&["ijk", "lkm"], "ijlm", &[&a, &b]),
        1e-12,
    );
    let v = f64s(&[4], 3);
    let got = run(&lazy(&a, [2, 2, 2]).dot(&lazy(&v, [3])));
    assert_close(&got, &naive_einsum(&["ijk", "k"], "ij", &[&a, &v]), 1e-12);
    let s = lazy(&ArrayD::from_elem(IxDyn(&[]), 2.0), Chunks::Auto);
    assert_close(&run(&lazy(&a, [1, 1, 1]).dot(&s)), &(&a * 2.0), 0.0);
    let m = f64s(&[3, 4], 4);
    let n = f64s(&[4, 2], 5);
    assert_close(
        &run(&lazy(&m, [2, 2]).dot(&lazy(&n, [2, 1]))),
        &naive_einsum(&["ij", "jk"], "ik", &[&m, &n]),
        1e-12,
    );
}

#[test]
fn tensordot_pairs_axes() {
    let c = f64s(&[3, 4, 5], 1);
    let lc = lazy(&c, [2, 3, 2]);
    let got = run(&lc.tensordot(&lc, ([1, 2], [1, 2])));
    assert_close(&got, &naive_einsum(&["ijk", "ljk"], "il", &[&c, &c]), 1e-12);
    let d = f64s(&[5, 2], 2);
    let got = run(&lc.tensordot(&lazy(&d, [3, 1]), 1));
    assert_close(&got, &naive_einsum(&["ijk", "kl"], "ijl", &[&c, &d]), 1e-12);
    let got = run(&lazy(&d, [2, 2]).tensordot(&lazy(&d, [1, 1]), 0));
    assert_close(&got, &naive_einsum(&["ij", "kl"], "ijkl", &[&d, &d]), 0.0);
    let got = run(&lc.tensordot(&lc, TensordotAxes::Pairs(vec![0, -1], vec![0, 2])));
    assert_close(&got, &naive_einsum(&["ijk", "ilk"], "jl", &[&c, &c]), 1e-12);
    let bad = lc.tensordot(&lc, ([1], [2]));
    assert!(matches!(
        into_root(failure(bad)),
        Error::ContractionMismatch { .. }
    ));
    let bad = lc.tensordot(&lc, 4);
    assert!(matches!(
        into_root(failure(bad)),
        Error::InvalidParameter { .. }
    ));
}

#[test]
fn einsum_contractions_transposes_sums_outer_and_batches() {
    let x = f64s(&[4, 5], 1);
    let y = f64s(&[5, 3], 2);
    let z = f64s(&[3, 2], 3);
    let b = f64s(&[2, 4, 5], 4);
    let c = f64s(&[2, 5, 3], 5);
    let (lx, ly, lz) = (lazy(&x, [3, 2]), lazy(&y, [2, 2]), lazy(&z, [1, 2]));
    let (lb, lc) = (lazy(&b, [1, 3, 2]), lazy(&c, [2, 2, 3]));
    #[allow(clippy::type_complexity)]
    let cases: Vec<(
        &str,
        Vec<&LazyArray<f64>>,
        Vec<&str>,
        &str,
        Vec<&ArrayD<f64>>,
    )> = vec![
        (
            "ij,ij->i",
            vec![&lx, &lx],
            vec!["ij", "ij"],
            "i",
            vec![&x, &x],
        ),
        (
            "ij,jk->ik",
            vec![&lx, &ly],
            vec!["ij", "jk"],
            "ik",
            vec![&x, &y],
        ),
        (
            "ij,jk",
            vec![&lx, &ly],
            vec!["ij", "jk"],
            "ik",
            vec![&x, &y],
        ),
        ("ij->ji", vec![&lx], vec!["ij"], "ji", vec![&x]),
        ("ij->", vec![&lx], vec!["ij"], "", vec![&x]),
        ("ij->j", vec![&lx], vec!["ij"], "j", vec![&x]),
        (
            "ij,kl->ijkl",
            vec![&lz, &lx],
            vec!["ij", "kl"],
            "ijkl",
            vec![&z, &x],
        ),
        (
            "bij,bjk->bik",
            vec![&lb, &lc],
            vec!["bij", "bjk"],
            "bik",
            vec![&b, &c],
        ),
        (
            "bij,bjk->kib",
            vec![&lb, &lc],
            vec!["bij", "bjk"],
            "kib",
            vec![&b, &c],
        ),
        (
            "ij,jk,kl->il",
            vec![&lx, &ly, &lz],
            vec!["ij", "jk", "kl"],
            "il",
            vec![&x, &y, &z],
        ),
        (
            "ij,jk,kl",
            vec![&lx, &ly, &lz],
            vec!["ij", "jk", "kl"],
            "il",
            vec![&x, &y, &z],
        ),
        (
            "...ij,...jk->...ik",
            vec![&lb, &lc],
            vec!["bij", "bjk"],
            "bik",
            vec![&b, &c],
        ),
        (
            "ij,kj->",
            vec![&lx, &lx],
            vec!["ij", "kj"],
            "",
            vec![&x, &x],
        ),
        ("bij->b", vec![&lb], vec!["bij"], "b", vec![&b]),
    ];
    for (spec, ops, terms, out, arrays) in cases {
        let got = run(&chunkwise::einsum(spec, &ops));
        assert_close(&got, &naive_einsum(&terms, out, &arrays), 1e-12);
    }
    // Integer einsum keeps its dtype.
    let n: ArrayD<i16> = ints(&[3, 4], 9, -300, 300);
    let ln = lazy(&n, [2, 3]);
    let got = run(&chunkwise::einsum("ij,ij->j", &[&ln, &ln]));
    assert_same(&got, &naive_einsum(&["ij", "ij"], "j", &[&n, &n]));
}

#[test]
fn einsum_refuses_what_it_cannot_do_with_clear_errors() {
    let x = lazy(&f64s(&[3, 3], 1), [2, 2]);
    let y = lazy(&f64s(&[4, 3], 1), [2, 2]);
    for (spec, ops, needle) in [
        ("ii->i", vec![&x], "trace or a diagonal"),
        ("ii", vec![&x], "trace or a diagonal"),
        ("ij,jk", vec![&x], "one term per operand"),
        ("ijk", vec![&x], "name each of its 2 axes"),
        ("ij->k", vec![&x], "no operand has `k`"),
        ("ij->ii", vec![&x], "`i` is repeated"),
        ("i1", vec![&x], "`1`"),
        ("ij,ij->i", vec![&x, &y], "one length per label"),
    ] {
        let err = into_root(failure(chunkwise::einsum(spec, &ops)));
        assert!(
            matches!(err, Error::InvalidParameter { .. }),
            "{spec}: {err}"
        );
        assert!(err.to_string().contains(needle), "{spec}: {err}");
    }
}

#[test]
fn outer_flattens_both_operands() {
    let a = f64s(&[2, 3], 1);
    let b = f64s(&[4], 2);
    let got = run(&lazy(&a, [1, 2]).outer(&lazy(&b, [3])));
    let flat: Vec<f64> = a.iter().copied().collect();
    let want = ndarray::Array2::from_shape_fn((6, 4), |(i, j)| flat[i] * b[j]).into_dyn();
    assert_close(&got, &want, 0.0);
}

#[test]
fn errors_name_the_shapes() {
    let a = lazy(&f64s(&[3, 4], 1), [2, 2]);
    let b = lazy(&f64s(&[5, 2], 1), [2, 2]);
    let err = into_root(failure(a.matmul(&b)));
    match &err {
        Error::ContractionMismatch {
            lhs,
            rhs,
            lhs_len,
            rhs_len,
            ..
        } => {
            assert_eq!(
                (lhs.as_slice(), rhs.as_slice(), *lhs_len, *rhs_len),
                (&[3, 4][..], &[5, 2][..], 4, 5)
            );
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("not aligned"), "{err}");
    let s = lazy(&ArrayD::from_elem(IxDyn(&[]), 1.0), Chunks::Auto);
    let err = into_root(failure(a.matmul(&s)));
    assert!(err.to_string().contains("at least 1 axis"), "{err}");
}

#[test]
fn runtime_typed_products_promote() {
    let a = chunkwise::from_ndarray(ints::<i32>(&[2, 3], 1, -5, 5), [1, 2]).to_dyn();
    let b =
        chunkwise::from_ndarray(ints::<i64>(&[3, 2], 2, -5, 5).mapv(|v| v as f32), [2, 1]).to_dyn();
    let c = a.matmul(&b);
    assert_eq!(c.dtype(), DType::F64);
    let want = naive_einsum(
        &["ij", "jk"],
        "ik",
        &[
            &ints::<i32>(&[2, 3], 1, -5, 5).mapv(f64::from),
            &ints::<i64>(&[3, 2], 2, -5, 5).mapv(|v| v as f64),
        ],
    );
    assert_close(
        &c.compute().unwrap().into_typed::<f64>().unwrap(),
        &want,
        0.0,
    );
    let e = DynArray::einsum("ij,jk->ki", &[&a, &b]);
    assert_eq!((e.dtype(), e.shape()), (DType::F64, &[2usize, 2][..]));
}

/// A random chunking of an axis of `len` from `seed`.
fn sizes(len: usize, seed: u64) -> Vec<usize> {
    if len == 0 {
        return vec![];
    }
    let mut out = Vec::new();
    let mut left = len;
    let mut s = seed;
    while left > 0 {
        s = crate::common::mix(s);
        let take = 1 + (s as usize) % left;
        out.push(take);
        left -= take;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn matmul_matches_the_reference(
        batch in prop::collection::vec(1usize..=3, 0..=2),
        m in 0usize..=7, k in 0usize..=9, n in 0usize..=6,
        seed in any::<u64>(),
    ) {
        let mut sa = batch.clone();
        sa.extend([m, k]);
        let mut sb = batch.clone();
        sb.extend([k, n]);
        let a: ArrayD<i64> = ints(&sa, seed, -9, 9);
        let b: ArrayD<i64> = ints(&sb, seed ^ 1, -9, 9);
        let ca: Vec<Vec<usize>> = sa.iter().enumerate().map(|(d, &l)| sizes(l, seed + d as u64)).collect();
        let cb: Vec<Vec<usize>> = sb.iter().enumerate().map(|(d, &l)| sizes(l, seed + 7 + d as u64)).collect();
        let got = run(&lazy(&a, Chunks::from(ca)).matmul(&lazy(&b, Chunks::from(cb))));
        let letters = ["", "x", "xy"][batch.len()];
        let want = naive_einsum(&[&format!("{letters}ij"), &format!("{letters}jk")], &format!("{letters}ik"), &[&a, &b]);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn gram_matches_the_reference(m in 1usize..=9, k in 0usize..=9, seed in any::<u64>(), transposed in any::<bool>()) {
        let a: ArrayD<i64> = ints(&[m, k], seed, -9, 9);
        let c: Vec<Vec<usize>> = vec![sizes(m, seed), sizes(k, seed + 1)];
        let x = lazy(&a, Chunks::from(c));
        let at = a.t().to_owned();
        let (got, want) = if transposed {
            (run(&x.t().matmul(&x)), naive_einsum(&["ij", "jk"], "ik", &[&at, &a]))
        } else {
            (run(&x.matmul(&x.t())), naive_einsum(&["ij", "jk"], "ik", &[&a, &at]))
        };
        prop_assert_eq!(got, want);
    }
}
