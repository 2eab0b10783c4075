//! Fusion: fused plans give the results of unfused ones and of ndarray, on blocks big
//! enough to be cut into several tiles (split along the first, middle and last axes),
//! with broadcast operands and reductions over every axis set; and fused plans run one
//! task per block.

use chunkwise::{Axes, Chunks, ComputeOptions, LazyArray};
use ndarray::{ArrayD, Axis, IxDyn};

use crate::common::{assert_close, lazy, reduce_eager, values, RTOL};

fn unfused() -> ComputeOptions {
    ComputeOptions::default().optimize(false)
}

/// Shapes whose blocks span several 16384-element tiles in different ways.
fn big_cases() -> Vec<(Vec<usize>, Chunks)> {
    vec![
        // Rows of 70: a tile is 234 rows; the second block is a partial edge.
        (vec![400, 70], Chunks::Uniform(vec![300, 70])),
        // Rows longer than a tile: tiles split the last axis.
        (vec![3, 40_001], Chunks::Uniform(vec![2, 40_001])),
        // 3-d, split on the middle axis.
        (vec![3, 400, 50], Chunks::Uniform(vec![2, 400, 50])),
        // Irregular chunks.
        (
            vec![300, 77],
            Chunks::Explicit(vec![vec![280, 20], vec![70, 7]]),
        ),
    ]
}

/// `((x + 1) * 2 - sin(x)) * row + col` where `row` and `col` broadcast along the first
/// and last axes, eagerly.
fn eager_expression(a: &ArrayD<f64>, row: &ArrayD<f64>, col: &ArrayD<f64>) -> ArrayD<f64> {
    let base = (a + 1.0) * 2.0 - a.mapv(f64::sin);
    &(&base * row) + col
}

fn lazy_expression(
    x: &LazyArray<f64>,
    row: &LazyArray<f64>,
    col: &LazyArray<f64>,
) -> LazyArray<f64> {
    let base = (x + 1.0) * 2.0 - &x.sin();
    (&base * row) + col
}

/// The operands of the expression: the array, a row over its trailing axes and a
/// column-like array with length-1 trailing axes.
fn operands(shape: &[usize], chunks: &Chunks) -> [(LazyArray<f64>, ArrayD<f64>); 3] {
    let a = values(shape, 1);
    let row_shape = &shape[1..];
    let row = values(row_shape, 2);
    let mut col_shape = shape.to_vec();
    for n in &mut col_shape[1..] {
        *n = 1;
    }
    let col = values(&col_shape, 3);
    let x = lazy(&a, chunks.clone());
    let row_chunks: Vec<Vec<usize>> = x.chunks().axes()[1..]
        .iter()
        .map(|a| a.sizes().collect())
        .collect();
    let mut col_chunks: Vec<Vec<usize>> = vec![x.chunks().axes()[0].sizes().collect()];
    col_chunks.extend(std::iter::repeat_n(vec![1], shape.len() - 1));
    [
        (x, a),
        (lazy(&row, Chunks::Explicit(row_chunks)), row),
        (lazy(&col, Chunks::Explicit(col_chunks)), col),
    ]
}

#[test]
fn fused_elementwise_matches_unfused_and_ndarray_across_tiles() {
    for (shape, chunks) in big_cases() {
        let [(x, a), (row, r), (col, c)] = operands(&shape, &chunks);
        let y = lazy_expression(&x, &row, &col);
        let want = eager_expression(&a, &r, &c);
        let fused = y.compute().unwrap();
        let plain = y.compute_with(&unfused()).unwrap();
        assert_close(&fused, &want, RTOL);
        assert_eq!(fused, plain, "{shape:?}: fused and unfused differ");
    }
}

#[test]
fn fused_reductions_match_ndarray_over_every_axis_set() {
    for (shape, chunks) in big_cases() {
        let [(x, a), (row, r), (col, c)] = operands(&shape, &chunks);
        let y = lazy_expression(&x, &row, &col);
        let e = eager_expression(&a, &r, &c);
        let ndim = shape.len();
        for mask in 0..(1u32 << ndim) {
            let set: Vec<usize> = (0..ndim).filter(|d| mask & (1 << d) != 0).collect();
            for keepdims in [false, true] {
                let axes = || Axes::new(set.clone()).keepdims(keepdims);
                let sum = y.sum(axes());
                let mean = y.mean(axes());
                let var = y.var(axes()).ddof(1);
                let max = y.max(axes());
                let want_sum = reduce_eager(&e, Some(&set), keepdims, |v| v.sum());
                let want_mean =
                    reduce_eager(&e, Some(&set), keepdims, |v| v.mean().unwrap_or(f64::NAN));
                let want_var = reduce_eager(&e, Some(&set), keepdims, |v| {
                    let n = v.len() as f64;
                    let m = v.sum() / n;
                    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)
                });
                let want_max = reduce_eager(&e, Some(&set), keepdims, |v| {
                    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                });
                let ctx = format!("{shape:?} axes {set:?} keepdims {keepdims}");
                for (lazy, want) in [
                    (&sum, &want_sum),
                    (&mean, &want_mean),
                    (&var, &want_var),
                    (&max, &want_max),
                ] {
                    let fused = lazy.compute().unwrap();
                    let plain = lazy.compute_with(&unfused()).unwrap();
                    assert_close(&fused, want, 1e-9);
                    assert_close(&fused, &plain, 1e-9);
                    assert_eq!(fused.shape(), want.shape(), "{ctx}");
                }
                // argmax over one axis: exact, and the first of ties.
                if set.len() == 1 {
                    let got = y.argmax(Axes::new(set.clone()));
                    let want = e.map_axis(Axis(set[0]), |v| {
                        let mut best = 0;
                        for (i, &x) in v.iter().enumerate() {
                            if x > v[best] {
                                best = i;
                            }
                        }
                        best as i64
                    });
                    assert_eq!(got.compute().unwrap(), want, "{ctx}");
                }
            }
        }
    }
}

#[test]
fn a_fused_chain_and_its_reduction_run_one_task_per_chunk() {
    // The example: ((x + 1) * 2 - sin(x)).sum() over n chunks is n fused tasks
    // plus the combine tree.
    let x = chunkwise::random::uniform::<f64>(&[1_000, 1_000], [100, 100], 7);
    let y = ((&x + 1.0) * 2.0 - &x.sin()).sum(..);
    let stats = y.graph_stats().unwrap();
    // 100 fused tasks, 10 x 10 partials merged 4 x 4 into 3 x 3, then into 1.
    assert_eq!(stats.tasks, 100 + 9 + 1, "{stats:?}");
    assert_eq!(stats.layers, 3, "{stats:?}");
    let fused = y.compute_scalar().unwrap();
    let plain = y.compute_scalar_with(&unfused()).unwrap();
    assert!(
        (fused - plain).abs() <= 1e-9 * plain.abs(),
        "{fused} {plain}"
    );
}

#[test]
fn a_node_two_consumers_read_is_computed_once_not_fused_twice() {
    let x = chunkwise::random::uniform::<f64>(&[200, 200], [50, 50], 1);
    let shared = x.sin().exp();
    let y = &shared.sum(0) + &shared.mean(0);
    let stats = y.graph_stats().unwrap();
    // `shared` is its own layer (16 tasks) read by both reductions, not recomputed.
    let a = y.compute().unwrap();
    let b = y.compute_with(&unfused()).unwrap();
    assert_close(&a, &b, RTOL);
    assert!(stats.kernel_ops < 2 * 3 + 1 + 3, "{stats:?}");
}

#[test]
fn generators_fuse_into_their_readers_with_exact_values() {
    let x = chunkwise::arange::<i64>(0, 10_000, 1, [3_000]);
    let y = (&x * 3) - 7;
    let stats = y.graph_stats().unwrap();
    assert_eq!(
        stats.tasks, 4,
        "arange, * 3 and - 7 are one task per chunk: {stats:?}"
    );
    let want: Vec<i64> = (0..10_000).map(|v| v * 3 - 7).collect();
    assert_eq!(
        y.compute().unwrap(),
        ArrayD::from_shape_vec(IxDyn(&[10_000]), want).unwrap()
    );
    assert_eq!(
        y.sum(..).compute_scalar().unwrap(),
        (0..10_000i64).map(|v| v * 3 - 7).sum::<i64>()
    );
}

#[test]
fn explain_shows_fused_kernels_tasks_and_a_refusal() {
    let x = chunkwise::random::uniform::<f64>(&[1_000, 1_000], [100, 100], 7);
    let y = ((&x + 1.0) * 2.0 - &x.sin()).sum(..);
    let plan = y.explain().unwrap();
    assert!(
        plan.contains("sum (partial) = fused [random.uniform → add → multiply → sin → subtract]"),
        "{plan}"
    );
    assert!(plan.contains("100 of 100 tasks"), "{plan}");
    assert!(plan.contains("plan: 3 layers, 110 tasks"), "{plan}");
    assert!(plan.contains("fusion: "), "{plan}");
    // Unoptimized: every operation is its own layer, and no fusion is reported.
    let plain = y.explain_with(&unfused()).unwrap();
    assert!(plain.contains("optimizer: no changes"), "{plain}");
    assert!(plain.contains("[0] random.uniform"), "{plain}");
    // A slice needs only some blocks: explain counts the culled tasks (of an in-memory
    // array; a generator would make just the sliced elements).
    let corner = y.graph_stats().unwrap();
    let data = ndarray::ArrayD::from_elem(ndarray::IxDyn(&[1_000, 1_000]), 0.5);
    let stored = chunkwise::from_ndarray(data, [100, 100]);
    let part = stored.slice(ndarray::s![..150, ..150]).sin();
    assert!(
        part.explain().unwrap().contains("4 of 100 tasks"),
        "{}",
        part.explain().unwrap()
    );
    assert!(corner.tasks > 4);
    // Under a budget no task fits, the plan says it would be refused.
    let tiny = ComputeOptions::default().memory_limit(chunkwise::MemoryLimit::from_bytes(1_000));
    let refused = y.explain_with(&tiny).unwrap();
    assert!(refused.contains("refused: `sum"), "{refused}");
}
