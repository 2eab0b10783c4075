//! The expression graph: deterministic keys, shared sub-expressions computed once, and
//! culling of the blocks a result does not need.

use chunkwise::{compute_many, random, LazyArray};
use ndarray::s;

use crate::common::{assert_close, lazy, run, values, RTOL};

fn source(seed: u64) -> LazyArray<f64> {
    random::uniform::<f64>(&[100, 100], [10, 10], seed)
}

#[test]
fn the_same_expression_twice_has_the_same_key() {
    let build = || {
        let x = source(1);
        let y = &x.sin() * 2.0 + &x.t();
        y.slice(s![..;2, 10..]).mean(1)
    };
    let (a, b) = (build(), build());
    assert_eq!(a.key(), b.key());
    assert_eq!(a.key().len(), 32);
    assert!(
        a.key().chars().all(|c| c.is_ascii_hexdigit()),
        "{}",
        a.key()
    );
    // Arrays from equal ndarrays have equal keys too.
    let v = values(&[7, 5], 1);
    assert_eq!(lazy(&v, [2, 2]).key(), lazy(&v, [2, 2]).key());
}

#[test]
fn different_expressions_have_different_keys() {
    let x = source(1);
    let keys = [
        source(1).key(),
        source(2).key(),
        random::uniform::<f64>(&[100, 100], [20, 10], 1).key(),
        random::uniform::<f64>(&[100, 99], [10, 10], 1).key(),
        random::normal::<f64>(&[100, 100], [10, 10], 1).key(),
        (&x + 1.0).key(),
        (&x + 2.0).key(),
        (&x - 1.0).key(),
        (1.0 - &x).key(),
        x.sum(0).key(),
        x.sum(1).key(),
        x.mean(0).key(),
        x.var(0).ddof(0).key(),
        x.var(0).ddof(1).key(),
        x.slice(s![1..]).key(),
        x.slice(s![..;-1]).key(),
        x.t().key(),
        x.rechunk([50, 50]).key(),
        x.astype::<f32>().astype::<f64>().key(),
    ];
    for i in 0..keys.len() {
        for j in 0..i {
            assert_ne!(keys[i], keys[j], "expressions {j} and {i} share a key");
        }
    }
    let a = values(&[7, 5], 1);
    let mut b = a.clone();
    b[[6, 4]] += 1.0;
    assert_ne!(
        lazy(&a, [2, 2]).key(),
        lazy(&b, [2, 2]).key(),
        "data is part of the key"
    );
}

#[test]
fn a_shared_sub_expression_is_computed_once() {
    let x = source(1);
    let expensive = x.sin().exp();
    let unshared = source(2).sin().exp();
    let shared_sum = &expensive + &expensive;
    let separate_sum = &expensive + &unshared;
    let shared = shared_sum.graph_stats().unwrap();
    let separate = separate_sum.graph_stats().unwrap();
    // Both fuse into one kernel per block; the shared one computes sin and exp once.
    assert_eq!(shared.tasks, separate.tasks, "{shared:?} {separate:?}");
    assert!(
        shared.kernel_ops < separate.kernel_ops,
        "shared {shared:?}, separate {separate:?}"
    );
    assert!(
        shared.nodes < separate.nodes,
        "shared {shared:?}, separate {separate:?}"
    );
    // Two separately built copies of one expression are one node (hash-consing by key).
    let rebuilt = &x.sin().exp() + &source(1).sin().exp();
    assert_eq!(rebuilt.key(), shared_sum.key());
    assert_eq!(rebuilt.graph_stats().unwrap(), shared);
    // Without sharing, the kernel loads a second source and runs sin and exp again.
    assert_eq!(
        separate.kernel_ops - shared.kernel_ops,
        3,
        "shared {shared:?}, separate {separate:?}"
    );
    let got = run(&rebuilt);
    let e = run(&expensive);
    assert_close(&got, &(&e + &e), RTOL);
}

#[test]
fn compute_many_shares_work_and_matches_separate_computes() {
    let x = source(3);
    let y = (&x * 2.0).sin();
    let outs = [
        y.sum(..).expand_dims(0),
        y.mean(0),
        y.max(1),
        y.slice(s![5, ..]),
        y.slice(s![5, ..]),
    ];
    let refs: Vec<&LazyArray<f64>> = outs.iter().collect();
    let together = compute_many(&refs).unwrap();
    assert_eq!(together.len(), outs.len());
    for (t, o) in together.iter().zip(&outs) {
        assert_eq!(t.shape(), o.shape());
        assert_close(t, &run(o), RTOL);
    }
    assert_eq!(together[3], together[4]);
    // An output that is also the input of another output, and nothing at all.
    let both = compute_many(&[&x, &(&x + 1.0), &x.t()]).unwrap();
    assert_close(&both[1], &both[0].mapv(|v| v + 1.0), RTOL);
    assert_eq!(both[2], both[0].t().to_owned());
    assert!(compute_many(&[] as &[&chunkwise::LazyArray<f64>])
        .unwrap()
        .is_empty());
    // A shared expression in a combined graph is computed once (its own layer, read by
    // both reductions); an unshared copy is computed again inside each reduction.
    let sum = &y.sum(0) + &y.mean(0);
    let other = (&source(4) * 2.0).sin();
    let unshared = &y.sum(0) + &other.mean(0);
    let (a, b) = (sum.graph_stats().unwrap(), unshared.graph_stats().unwrap());
    assert!(a.kernel_ops < b.kernel_ops, "{a:?} {b:?}");
}

#[test]
fn culling_keeps_only_the_needed_blocks() {
    let x = source(1);
    let full = x.graph_stats().unwrap();
    assert_eq!(full.tasks, 100);
    let row = x.slice(s![0..1, ..]);
    let stats = row.graph_stats().unwrap();
    assert!(stats.tasks < full.tasks, "slice {stats:?}, full {full:?}");
    assert!(
        stats.tasks <= 20,
        "10 source blocks and 10 slice blocks: {stats:?}"
    );
    // Culling through elementwise operations: one corner block of a sum.
    let corner = (&(&x * 2.0) + &x.sin()).slice(s![..10, ..10]);
    let stats = corner.graph_stats().unwrap();
    // x (generated once per reader: for `* 2.0` and for `sin`), 2.0, mul, sin, add, slice.
    assert!(stats.tasks <= 7, "{stats:?}");
    // Culling through a reduction: one column of blocks.
    let col = x.sum(0).slice(s![0..5]);
    let all_cols = x.sum(0).graph_stats().unwrap();
    assert!(
        col.graph_stats().unwrap().tasks * 5 < all_cols.tasks,
        "{all_cols:?}"
    );
    // Culled graphs still give the right values.
    let a = run(&x);
    assert_close(
        &run(&row),
        &a.slice(s![0..1, ..]).to_owned().into_dyn(),
        RTOL,
    );
    let want = (&a * 2.0 + a.mapv(f64::sin))
        .slice(s![..10, ..10])
        .to_owned()
        .into_dyn();
    assert_close(&run(&corner), &want, RTOL);
    let want = a
        .sum_axis(ndarray::Axis(0))
        .slice(s![0..5])
        .to_owned()
        .into_dyn();
    assert_close(&run(&col), &want, RTOL);
}

#[test]
fn graph_stats_count_nodes_and_layers() {
    let x = chunkwise::ones::<f64>(&[100, 100], [10, 10]);
    let stats = (&x + 1.0).sum(..).graph_stats().unwrap();
    assert_eq!(stats.nodes, 4, "ones, the scalar 1.0, add, sum: {stats:?}");
    // ones, + 1.0 and the first stage of the sum fuse into one layer of 100 tasks; the
    // 10 x 10 partials are combined 4 x 4 (3 x 3 = 9 tasks), then once more.
    assert_eq!(stats.layers, 3, "{stats:?}");
    assert_eq!(stats.tasks, 100 + 9 + 1, "{stats:?}");
    let d = x.to_dyn().graph_stats().unwrap();
    assert_eq!(d.tasks, 100);
}
