//! Users' functions: `map_blocks` (with `chunks`, `block_shape`, `drop_axis`, `new_axis`),
//! `map_blocks_many`, `blockwise` with contraction, `from_fn`, `apply_along_axis` and
//! `persist`, against eager ndarray; wrong blocks, panics and errors named by function and
//! block; named functions computed once, uncached ones every time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chunkwise::{blockwise, from_fn, map_blocks_many, BlockInfo, Error, LazyArray, MapBlocks};
use ndarray::{ArrayD, Axis, Ix2, IxDyn};

use crate::common::{assert_close, assert_same, cases, lazy, run, values, RTOL};

#[test]
fn map_blocks_of_an_elementwise_function_matches_eager_on_every_case() {
    for case in cases() {
        let a = values(&case.shape, 3);
        let x = lazy(&a, case.chunks.clone());
        let y = x.map_blocks("affine", |b, _| b.mapv(|v| 2.0 * v - 1.0));
        assert_same(&run(&y), &a.mapv(|v| 2.0 * v - 1.0));
    }
}

#[test]
fn block_info_gives_each_block_its_location() {
    for case in cases() {
        let a = values(&case.shape, 5);
        let x = lazy(&a, case.chunks.clone());
        // each element becomes its flat index, computed from the block's location only
        let y = x.map_blocks("flat_index", |b, info: &BlockInfo| {
            let shape = info.shape.clone();
            let loc = info.location.clone();
            assert_eq!(b.shape(), info.block_shape().as_slice());
            ArrayD::from_shape_fn(b.raw_dim(), |ix| {
                let mut k = 0usize;
                for d in 0..shape.len() {
                    k = k * shape[d] + loc[d].start + ix[d];
                }
                k as f64
            })
        });
        let n = a.len();
        let want =
            ArrayD::from_shape_vec(IxDyn(&case.shape), (0..n).map(|k| k as f64).collect()).unwrap();
        assert_same(&run(&y), &want);
    }
}

#[test]
fn drop_axis_hands_the_blocks_along_it_over_together() {
    let a = values(&[7, 5], 1);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    let rows = x.map_blocks_with(&MapBlocks::new("row_sums").drop_axis(vec![1]), |b, _| {
        assert_eq!(b.shape()[1], 5, "all of axis 1 at once");
        b.sum_axis(Axis(1))
    });
    assert_eq!(rows.shape(), &[7]);
    assert_close(&run(&rows), &a.sum_axis(Axis(1)), RTOL);
    let cols = x.map_blocks_with(&MapBlocks::new("col_sums").drop_axis(vec![0]), |b, _| {
        b.sum_axis(Axis(0))
    });
    assert_close(&run(&cols), &a.sum_axis(Axis(0)), RTOL);
}

#[test]
fn new_axis_adds_an_axis_of_one_block() {
    let a = values(&[7, 5], 2);
    let x = lazy(&a, [3, 2]);
    // an axis of length 1 at the front
    let y = x.map_blocks_with(&MapBlocks::new("lift").new_axis(vec![0]), |b, _| {
        b.to_owned().insert_axis(Axis(0))
    });
    assert_eq!(y.shape(), &[1, 7, 5]);
    assert_same(&run(&y), &a.clone().insert_axis(Axis(0)));
    // an axis of length 2 in the middle, declared by chunks
    let options = MapBlocks::new("pair").new_axis(vec![1]).chunks(vec![
        vec![3, 3, 1],
        vec![2],
        vec![2, 2, 1],
    ]);
    let y = x.map_blocks_with(&options, |b, _| {
        ndarray::stack(Axis(1), &[b.view(), b.mapv(|v| -v).view()]).unwrap()
    });
    assert_eq!(y.shape(), &[7, 2, 5]);
    let want = ndarray::stack(Axis(1), &[a.view(), a.mapv(|v| -v).view()]).unwrap();
    assert_same(&run(&y), &want);
}

#[test]
fn declared_chunks_and_block_shapes_change_the_output_grid() {
    let a = values(&[7, 5], 4);
    let x = lazy(&a, [3, 2]);
    let sums = x.map_blocks_with(
        &MapBlocks::new("block_sum").block_shape(vec![1, 1]),
        |b, _| ndarray::arr2(&[[b.sum()]]).into_dyn(),
    );
    assert_eq!(sums.shape(), &[3, 3]);
    let got = run(&sums);
    assert_close(
        &ArrayD::from_elem(IxDyn(&[]), got.sum()),
        &ArrayD::from_elem(IxDyn(&[]), a.sum()),
        RTOL,
    );
    assert_eq!(got[[0, 0]], a.slice(ndarray::s![0..3, 0..2]).sum());
    assert_eq!(got[[2, 2]], a.slice(ndarray::s![6..7, 4..5]).sum());
    // chunks that do not have one entry per block: invalid
    let bad = x.map_blocks_with(
        &MapBlocks::new("b").chunks(vec![vec![7], vec![5]]),
        |b, _| b.to_owned(),
    );
    assert!(matches!(
        bad.error().unwrap().root(),
        Error::InvalidParameter {
            param: "chunks",
            ..
        }
    ));
    let bad = x.map_blocks_with(&MapBlocks::new("c").drop_axis(vec![2]), |b, _| b.to_owned());
    assert!(matches!(
        bad.error().unwrap().root(),
        Error::AxisOutOfRange { axis: 2, .. }
    ));
}

#[test]
fn a_block_of_the_wrong_shape_is_a_typed_error_naming_function_and_block() {
    let x = lazy(&values(&[7, 5], 1), [3, 2]);
    let y = x.map_blocks("shrink", |b, info: &BlockInfo| {
        if info.block == [2, 1] {
            b.slice(ndarray::s![.., ..1]).to_owned().into_dyn()
        } else {
            b.to_owned()
        }
    });
    let err = y.compute().unwrap_err();
    let text = format!("{err} / {}", std::error::Error::source(&err).unwrap());
    assert!(text.contains("shrink") && text.contains("[2, 1]"), "{text}");
    match err {
        Error::TaskFailed { op, block, cause } => {
            assert!(op.contains("shrink"), "{op}");
            assert_eq!(block, vec![2, 1]);
            assert!(matches!(
                *cause,
                Error::BlockMismatch { ref function, ref found_shape, ref expected_shape, .. }
                    if function == "shrink" && found_shape == &[1, 1] && expected_shape == &[1, 2]
            ));
        }
        other => panic!("expected TaskFailed, got {other}"),
    }
}

#[test]
fn a_panic_or_error_in_the_function_names_it_and_the_block() {
    let x = lazy(&values(&[6], 1), [2]);
    let y = x.map_blocks("boom", |b, info: &BlockInfo| {
        assert!(info.block != [1], "the middle block is bad");
        b.to_owned()
    });
    match y.compute_with(&chunkwise::ComputeOptions::default().single_threaded()) {
        Err(Error::TaskPanicked { op, block, message }) => {
            assert!(op.contains("boom"), "{op}");
            assert_eq!(block, vec![1]);
            assert!(message.contains("middle block"), "{message}");
        }
        other => panic!("expected TaskPanicked, got {other:?}"),
    }
    let z = from_fn("loader", &[6], [2], |info: &BlockInfo| {
        if info.block == [2] {
            Err(format!("no file for rows {:?}", info.location[0]))
        } else {
            Ok(ArrayD::<f64>::zeros(IxDyn(&info.block_shape())))
        }
    });
    match z.compute() {
        Err(Error::TaskFailed { op, block, cause }) => {
            assert!(op.contains("loader"), "{op}");
            assert_eq!(block, vec![2]);
            assert!(matches!(*cause, Error::User { ref function, .. } if function == "loader"));
            let source = std::error::Error::source(&*cause).unwrap().to_string();
            assert_eq!(source, "no file for rows 4..6");
        }
        other => panic!("expected TaskFailed, got {other:?}"),
    }
}

#[test]
fn the_same_named_function_is_computed_once_and_an_uncached_one_each_time() {
    let x = lazy(&values(&[8, 6], 1), [4, 3]); // 4 blocks
    let calls = Arc::new(AtomicUsize::new(0));
    let counting = |calls: &Arc<AtomicUsize>| {
        let calls = calls.clone();
        move |b: ndarray::ArrayViewD<'_, f64>, _: &BlockInfo| {
            calls.fetch_add(1, Ordering::SeqCst);
            b.mapv(|v| v + 1.0)
        }
    };
    let a = x.map_blocks("plus_one", counting(&calls));
    let b = x.map_blocks("plus_one", counting(&calls));
    assert_eq!(a.key(), b.key());
    let both = (&a + &b).compute().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 4, "one call per block");
    assert_eq!(both, run(&x).mapv(|v| 2.0 * (v + 1.0)));

    calls.store(0, Ordering::SeqCst);
    let options = MapBlocks::new("plus_one").uncached();
    let a = x.map_blocks_with(&options, counting(&calls));
    let b = x.map_blocks_with(&options, counting(&calls));
    assert_ne!(a.key(), b.key());
    (&a + &b).compute().unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        8,
        "each uncached array on its own"
    );
}

#[test]
fn map_blocks_many_unifies_chunks_first() {
    let a = values(&[7, 5], 1);
    let b = values(&[7, 5], 2);
    let x = lazy(&a, [3, 2]);
    let y = lazy(&b, vec![vec![1, 6], vec![5]]);
    let z = map_blocks_many(&MapBlocks::new("hypot2"), &[&x, &y], |bs, _| {
        assert_eq!(bs[0].shape(), bs[1].shape());
        &bs[0] * &bs[0] + &bs[1] * &bs[1]
    });
    assert_same(&run(&z), &(&a * &a + &b * &b));
    let short = lazy(&values(&[6, 5], 1), [3, 2]);
    let bad = map_blocks_many(&MapBlocks::new("f"), &[&x, &short], |bs, _| {
        bs[0].to_owned()
    });
    assert!(bad.error().is_some());
}

#[test]
fn map_blocks_many_broadcasts_as_numpy() {
    // (7, 5) against (5,), (1, 5), (7, 1) and (1, 1), in irregular chunks: every shape
    // NumPy broadcasts, each block handed over unexpanded.
    let a = values(&[7, 5], 1);
    let x = lazy(&a, vec![vec![3, 3, 1], vec![2, 3]]);
    for shape in [vec![5], vec![1, 5], vec![7, 1], vec![1, 1], vec![1]] {
        let b = values(&shape, 2);
        let y = lazy(&b, vec![2; shape.len()]);
        let z = map_blocks_many(&MapBlocks::new("weighted"), &[&x, &y], |bs, _| {
            assert!(bs[1].len() <= bs[0].len());
            &bs[0] * &bs[1] + 1.0
        });
        assert_same(&run(&z), &(&a * &b + 1.0));
    }
    // A size-1 input against an empty axis, and the broadcast input first.
    let empty = values(&[0, 5], 3);
    let e = lazy(&empty, [2, 2]);
    let row = lazy(&values(&[1, 5], 4), [1, 2]);
    let z = map_blocks_many(&MapBlocks::new("sum2"), &[&row, &e], |bs, _| {
        &bs[0] + &bs[1]
    });
    assert_eq!(run(&z).shape(), &[0, 5]);
    // Lengths that do not broadcast are a typed error.
    let bad = map_blocks_many(
        &MapBlocks::new("f"),
        &[&x, &lazy(&values(&[4], 1), [2])],
        |bs, _| bs[0].to_owned(),
    );
    assert!(matches!(
        bad.error().unwrap().root(),
        Error::ShapeMismatch { .. }
    ));
}

#[test]
fn map_blocks_mixed_takes_arrays_of_several_element_types() {
    let a = values(&[6, 4], 5);
    let x = lazy(&a, vec![vec![4, 2], vec![3, 1]]);
    let keep = x.greater(0.3);
    let counts = chunkwise::arange(0i64, 4, 1, [4]);
    let y = chunkwise::map_blocks_mixed(
        &MapBlocks::new("masked_scale"),
        &[&x.to_dyn(), &keep.to_dyn(), &counts.to_dyn()],
        |b, _| -> chunkwise::Result<ArrayD<f64>> {
            let (v, k, n) = (b.get::<f64>(0)?, b.get::<bool>(1)?, b.get::<i64>(2)?);
            let n = n.broadcast(v.raw_dim()).expect("a row broadcasts");
            Ok(ndarray::Zip::from(&v)
                .and(&k)
                .and(&n)
                .map_collect(|&v, &k, &n| if k { v * n as f64 } else { 0.0 }))
        },
    );
    let want = ArrayD::from_shape_fn(IxDyn(&[6, 4]), |ix| {
        let v = a[[ix[0], ix[1]]];
        if v > 0.3 {
            v * ix[1] as f64
        } else {
            0.0
        }
    });
    assert_same(&run(&y), &want);
    // Asking a block for another element type fails the task, naming the types.
    let wrong =
        chunkwise::map_blocks_mixed(&MapBlocks::new("wrong"), &[&counts.to_dyn()], |b, _| {
            b.get::<f32>(0).map(|v| v.to_owned())
        });
    let err = wrong.compute().unwrap_err();
    let top = err.to_string();
    let mut root = String::new();
    let mut cause: Option<&dyn std::error::Error> = Some(&err);
    while let Some(e) = cause {
        root = e.to_string();
        cause = e.source();
    }
    assert!(top.contains("wrong"), "{top}");
    assert!(root.contains("int64") && root.contains("float32"), "{root}");
}

#[test]
fn blockwise_contracts_an_index_like_a_matrix_product() {
    let a = values(&[7, 5], 1);
    let b = values(&[5, 4], 2);
    let x = lazy(&a, vec![vec![3, 1, 3], vec![2, 3]]);
    let y = lazy(&b, vec![vec![1, 4], vec![3, 1]]); // other chunks along k: unified
    let z: LazyArray<f64> = blockwise("matmul", "ij", &[(&x, "ik"), (&y, "kj")], |bs, _| {
        let p = bs[0].view().into_dimensionality::<Ix2>().unwrap();
        let q = bs[1].view().into_dimensionality::<Ix2>().unwrap();
        p.dot(&q).into_dyn()
    });
    assert_eq!(z.shape(), &[7, 4]);
    let want = a
        .view()
        .into_dimensionality::<Ix2>()
        .unwrap()
        .dot(&b.view().into_dimensionality::<Ix2>().unwrap())
        .into_dyn();
    assert_close(&run(&z), &want, RTOL);
    // a transpose by letters
    let t: LazyArray<f64> = blockwise("transpose", "ji", &[(&x, "ij")], |bs, _| {
        bs[0].t().to_owned()
    });
    assert_same(&run(&t), &a.t().to_owned());
    // letters that do not match the axes
    let bad: LazyArray<f64> = blockwise("f", "ij", &[(&x, "ijk")], |bs, _| bs[0].to_owned());
    assert!(matches!(
        bad.error().unwrap().root(),
        Error::InvalidParameter { param: "index", .. }
    ));
}

#[test]
fn from_fn_builds_an_array_block_by_block() {
    for case in cases() {
        let want = values(&case.shape, 9);
        let source = Arc::new(want.clone());
        let x = from_fn(
            "slices_of_want",
            &case.shape,
            case.chunks.clone(),
            move |info: &BlockInfo| {
                let info_elems: Vec<ndarray::SliceInfoElem> = info
                    .location
                    .iter()
                    .map(|r| ndarray::Slice::from(r.clone()).into())
                    .collect();
                source.slice(info_elems.as_slice()).to_owned()
            },
        );
        assert_same(&run(&x), &want);
    }
}

#[test]
fn apply_along_axis_matches_eager_lanes() {
    let a = values(&[7, 5, 3], 3);
    let x = lazy(&a, vec![vec![3, 4], vec![2, 3], vec![1, 2]]);
    for axis in 0..3 {
        // a cumulative sum: the lane's shape is kept
        let y = x.apply_along_axis(axis as isize, "cumsum", |lane| {
            let mut acc = 0.0;
            lane.iter()
                .map(|&v| {
                    acc += v;
                    acc
                })
                .collect::<ndarray::Array1<f64>>()
                .into_dyn()
        });
        let mut want = a.clone();
        want.accumulate_axis_inplace(Axis(axis), |&prev, cur| *cur += prev);
        assert_same(&run(&y), &want);
        // a 0-d result: the axis is removed
        let s = x.apply_along_axis(axis as isize, "lane_max", |lane| {
            ndarray::arr0(lane.iter().copied().fold(f64::MIN, f64::max)).into_dyn()
        });
        let want = a.map_axis(Axis(axis), |l| l.iter().copied().fold(f64::MIN, f64::max));
        assert_same(&run(&s), &want);
        // a longer result: the axis becomes the result's length
        let twice = x.apply_along_axis(axis as isize, "twice", |lane| {
            ndarray::concatenate(Axis(0), &[lane, lane])
                .unwrap()
                .into_dyn()
        });
        let want = ndarray::concatenate(Axis(axis), &[a.view(), a.view()]).unwrap();
        assert_same(&run(&twice), &want);
    }
    assert!(x
        .apply_along_axis(3, "f", |l| l.to_owned().into_dyn())
        .error()
        .is_some());
}

#[test]
fn apply_along_axis_too_large_for_the_budget_says_so() {
    let x = chunkwise::zeros::<f64>(&[4000, 10], [100, 10]);
    let y = x.apply_along_axis(0, "same", |l| l.to_owned().into_dyn());
    let small = chunkwise::ComputeOptions::default()
        .memory_limit(chunkwise::MemoryLimit::from_bytes(100_000));
    let err = y.compute_with(&small).unwrap_err();
    assert!(matches!(err, Error::TaskTooLarge { .. }), "{err}");
}

#[test]
fn persist_keeps_the_blocks_and_the_key() {
    let a = values(&[9, 7], 4);
    let x = lazy(&a, [4, 3]);
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let y = x.map_blocks("persisted_square", move |b, _| {
        c.fetch_add(1, Ordering::SeqCst);
        b.mapv(|v| v * v)
    });
    let p = y.persist().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 9);
    assert_eq!(p.key(), y.key());
    assert_eq!(p.chunks(), y.chunks());
    let sq = a.mapv(|v| v * v);
    assert_same(&run(&p), &sq);
    assert_close(&p.sum(0).compute().unwrap(), &sq.sum_axis(Axis(0)), RTOL);
    assert_same(
        &run(&p.slice(ndarray::s![1..8;2, 2..])),
        &sq.slice(ndarray::s![1..8;2, 2..]).to_owned().into_dyn(),
    );
    assert_same(&run(&p.rechunk([5, 5])), &sq);
    assert_same(&run(&(&p + &y)), &(&sq * 2.0));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        9,
        "later computations reuse the kept blocks"
    );
    // persisting again is free
    let again = p.persist().unwrap();
    assert_eq!(again.key(), p.key());
}
