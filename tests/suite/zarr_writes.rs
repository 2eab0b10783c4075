//! Several writes into one Zarr array in one computation: writes that share storage chunks
//! or shards at their edges keep every value (whatever the handles they were made from),
//! overlapping regions are refused before anything is written, and a write whose array
//! was removed or replaced since it was created is refused too.

// `read(&[a..b])` is a box of one axis, not a mistaken `vec![a..b]`.
#![allow(clippy::single_range_in_vec_init)]

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chunkwise::io::BlockWriter;
use chunkwise::zarr::{create_zarr, open_array, open_array_in, ZarrArray, ZarrWriteOptions};
use chunkwise::{run_writes, PendingWrite};
use chunkwise::{AnyArray, Chunks, ComputeOptions, Error, Executor};
use ndarray::{Array2, ArrayD};
use proptest::prelude::*;

/// The first few elements of the 1-D f64 array `z` that are not `want`, as (index, value).
fn wrong_values(z: &ZarrArray, want: f64) -> Vec<(usize, f64)> {
    let n = z.shape()[0];
    let got = z.read(&[0..n]).unwrap().into_typed::<f64>().unwrap();
    got.iter()
        .enumerate()
        .filter(|&(_, &v)| v != want)
        .map(|(i, &v)| (i, v))
        .take(5)
        .collect()
}

/// The files whose name marks an unfinished write, below `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(temp_files(&p));
        } else if p.to_string_lossy().ends_with(".chunkwise-tmp") {
            out.push(p.display().to_string());
        }
    }
    out
}

/// Region writes of one computation used to read, patch and rewrite the storage chunks
/// they share at their edges concurrently, so one task's patch was lost (the store summed
/// to 372320 instead of 400000 in 3 of 10 runs with 4 writes, every run with 16).
// See: issue 10, defect 1 (several region writes in one computation corrupt data).
#[test]
fn issue_10_region_writes_sharing_edge_chunks_keep_every_value() {
    for (writes, len) in [(4, 100_000), (16, 25_000)] {
        for executor in [Executor::Threaded, Executor::Threads(4)] {
            for _ in 0..5 {
                let dir = tempfile::tempdir().unwrap();
                let p = dir.path().join("x.zarr");
                chunkwise::zeros::<f64>(&[400_000], [65_536])
                    .to_zarr(&ZarrWriteOptions::new(&p).chunk_shape([65_536]))
                    .unwrap()
                    .run()
                    .unwrap();
                let z = open_array(&p).unwrap();
                let a = chunkwise::ones::<f64>(&[len], [25_000]);
                let ws: Vec<PendingWrite> = (0..writes)
                    .map(|k| z.write_region(&a.to_dyn(), &[k * len]))
                    .collect::<Result<_, _>>()
                    .unwrap();
                run_writes(&ws, &ComputeOptions::default().executor(executor)).unwrap();
                let z = open_array(&p).unwrap();
                assert_eq!(
                    wrong_values(&z, 1.0),
                    vec![],
                    "{writes} writes, {executor:?}"
                );
                assert_eq!(
                    z.to_dyn(None).unwrap().compute().unwrap().sum_f64(),
                    400_000.0
                );
            }
        }
    }
}

/// Many small writes into the chunks of one shard: a chain of read-patch-rewrites of one
/// file, across writes and through two handles.
#[test]
fn small_writes_into_one_shard_keep_every_value() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.zarr");
        let opts = ZarrWriteOptions::new(&p).chunk_shape([4]).shard_shape([16]);
        chunkwise::zeros::<f64>(&[48], [48])
            .to_zarr(&opts)
            .unwrap()
            .run()
            .unwrap();
        let handles = [open_array(&p).unwrap(), open_array(&p).unwrap()];
        let mut at = 0;
        let mut writes = Vec::new();
        for k in 0..20 {
            let len = 1 + k % 3;
            let x = chunkwise::full(&[len], 7.0f64, [1]).to_dyn();
            writes.push(handles[k % 2].write_region(&x, &[at]).unwrap());
            at += len;
        }
        assert_eq!(at, 39);
        let tail = chunkwise::full(&[9], 7.0f64, [3]).to_dyn();
        writes.push(handles[0].write_region(&tail, &[39]).unwrap());
        run_writes(&writes, &ComputeOptions::default().threads(4)).unwrap();
        assert_eq!(wrong_values(&open_array(&p).unwrap(), 7.0), vec![]);
        assert!(temp_files(&p).is_empty());
    }
}

/// A chunking of `len` elements: regular blocks of `block`, or irregular ones alternating
/// `block` and `block + 2`.
fn chunking(len: usize, block: usize, irregular: bool) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut left = len;
    let mut i = 0;
    while left > 0 {
        let want = if irregular && i % 2 == 1 {
            block + 2
        } else {
            block
        };
        let s = want.min(left);
        sizes.push(s);
        left -= s;
        i += 1;
    }
    sizes
}

/// Cut points of an axis of `len` (at least 2) into strips, from raw picks.
fn strips(len: usize, picks: &[usize]) -> Vec<Range<usize>> {
    let mut cuts: Vec<usize> = picks.iter().map(|p| 1 + p % (len - 1)).collect();
    cuts.push(0);
    cuts.push(len);
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The handles a write may be made from: the same array opened in different ways.
fn handles(store: &Path) -> Vec<ZarrArray> {
    let mut out = vec![
        open_array_in(store, "/a").unwrap(),
        open_array(store.join("a")).unwrap(),
        open_array_in(store, "a/").unwrap(),
    ];
    #[cfg(unix)]
    {
        let link = store.with_extension("link");
        if !link.exists() {
            std::os::unix::fs::symlink(store, &link).unwrap();
        }
        out.push(open_array_in(&link, "/a").unwrap());
    }
    out
}

/// Proptest's case count: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// One random region write: which tile, how it is shrunk inside it, its blocks, the
/// handle it is made from.
type WriteCase = (
    (usize, usize),
    (usize, usize, usize, usize),
    (usize, usize, bool),
    usize,
);

fn write_case() -> impl Strategy<Value = WriteCase> {
    (
        (0usize..64, 0usize..64),
        (0usize..64, 0usize..64, 0usize..64, 0usize..64),
        (1usize..9, 1usize..9, any::<bool>()),
        0usize..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// 2 to 6 region writes into one array in one computation, over random storage chunks
    /// and shards, random block chunkings (some irregular) and different handles to the
    /// same array: the array ends up as patching an ndarray by hand in the same order.
    /// The regions are tiles (shrunk at random) of a random cut of the array, so they are
    /// disjoint and often share the storage chunks at their edges.
    #[test]
    fn several_region_writes_in_one_computation_match_patching_in_order(
        (rows, cols) in (2usize..24, 2usize..24),
        storage in (1usize..7, 1usize..7),
        shards in proptest::option::of((1usize..4, 1usize..4)),
        cuts in (proptest::collection::vec(0usize..64, 1..4), proptest::collection::vec(0usize..64, 1..4)),
        writes in proptest::collection::vec(write_case(), 2..=6),
        threads in prop_oneof![Just(2usize), Just(4)],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.zarr");
        let base = Array2::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as f64);
        let mut opts = ZarrWriteOptions::new(&store)
            .array_path("/a")
            .chunk_shape([storage.0, storage.1]);
        if let Some((a, b)) = shards {
            opts = opts.shard_shape([storage.0 * a, storage.1 * b]);
        }
        chunkwise::from_ndarray(base.clone(), [rows, cols])

            .to_zarr(&opts)
            .unwrap()
            .run()
            .unwrap();
        let handles = handles(&store);
        let (row_strips, col_strips) = (strips(rows, &cuts.0), strips(cols, &cuts.1));
        let tiles = row_strips.len() * col_strips.len();
        let mut used = vec![false; tiles];
        let mut want = base;
        let mut pending = Vec::new();
        for (k, (tile, shrink, blocks, handle)) in writes.into_iter().enumerate() {
            // The tile picked, or the next unused one.
            let Some(t) = (0..tiles)
                .map(|i| (tile.0 * col_strips.len() + tile.1 + i) % tiles)
                .find(|&t| !used[t])
            else {
                break;
            };
            used[t] = true;
            let (rs, cs) = (&row_strips[t / col_strips.len()], &col_strips[t % col_strips.len()]);
            let r0 = rs.start + shrink.0 % rs.len();
            let r1 = r0 + 1 + shrink.1 % (rs.end - r0);
            let c0 = cs.start + shrink.2 % cs.len();
            let c1 = c0 + 1 + shrink.3 % (cs.end - c0);
            let patch = Array2::from_shape_fn((r1 - r0, c1 - c0), |(i, j)| {
                -(1000.0 * (k + 1) as f64 + (i * 100 + j) as f64)
            });
            let chunks = Chunks::Explicit(vec![
                chunking(r1 - r0, blocks.0, blocks.2),
                chunking(c1 - c0, blocks.1, !blocks.2),
            ]);
            let lazy = chunkwise::from_ndarray(patch.clone(), chunks).to_dyn();
            let z = &handles[handle % handles.len()];
            pending.push(z.write_region(&lazy, &[r0, c0]).unwrap());
            want.slice_mut(ndarray::s![r0..r1, c0..c1]).assign(&patch);
        }
        prop_assert!(pending.len() >= 2);
        run_writes(&pending, &ComputeOptions::default().threads(threads)).unwrap();
        let got = open_array_in(&store, "/a").unwrap().to_lazy::<f64>(None).unwrap().compute().unwrap();
        prop_assert_eq!(got, want.into_dyn());
        prop_assert!(temp_files(&store).is_empty());
    }
}

/// Reads the whole 2-D f64 array at `path`.
fn read_all(path: &Path) -> ArrayD<f64> {
    open_array(path)
        .unwrap()
        .to_lazy::<f64>(None)
        .unwrap()
        .compute()
        .unwrap()
}

#[test]
fn overlapping_region_writes_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    chunkwise::full(&[20, 20], 3.0f64, [20, 20])
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4, 4]))
        .unwrap()
        .run()
        .unwrap();
    let (z, z2) = (open_array(&path).unwrap(), open_array(&path).unwrap());
    let ones = |n: usize| chunkwise::ones::<f64>(&[n, n], [2, 2]).to_dyn();
    let first = z.write_region(&ones(6), &[2, 2]).unwrap();
    let apart = z.write_region(&ones(3), &[15, 15]).unwrap();
    // Through another handle to the same array: still the same elements.
    let second = z2.write_region(&ones(5), &[7, 7]).unwrap();
    let err = run_writes(&[first, apart, second], &ComputeOptions::default()).unwrap_err();
    match &err {
        Error::OverlappingWrites {
            destination,
            first,
            second,
            overlap,
        } => {
            assert!(destination.ends_with("x.zarr"), "{destination}");
            assert_eq!(first, &vec![2..8, 2..8]);
            assert_eq!(second, &vec![7..12, 7..12]);
            assert_eq!(overlap, &vec![7..8, 7..8]);
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    for needle in [
        "x.zarr",
        "[2..8, 2..8]",
        "[7..12, 7..12]",
        "[7..8, 7..8]",
        "disjoint",
    ] {
        assert!(text.contains(needle), "{text:?} lacks {needle:?}");
    }
    // Nothing ran: no chunk was written through either handle, and the data is as it was.
    assert_eq!((z.io_stats().writes, z2.io_stats().writes), (0, 0));
    assert!(read_all(&path).iter().all(|&v| v == 3.0));

    // The same region written twice with different data is refused too; the same write
    // given twice is one write.
    let again = z.write_region(&ones(2), &[0, 0]).unwrap();
    let twos = chunkwise::full(&[2, 2], 2.0f64, [2, 2]).to_dyn();
    let other = z.write_region(&twos, &[0, 0]).unwrap();
    assert!(matches!(
        run_writes(&[again.clone(), other], &ComputeOptions::default()),
        Err(Error::OverlappingWrites { .. })
    ));
    run_writes(&[again.clone(), again], &ComputeOptions::default()).unwrap();
    assert_eq!(read_all(&path).sum(), 3.0 * 396.0 + 4.0);
}

#[cfg(unix)]
#[test]
fn overlapping_writes_are_found_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.zarr");
    chunkwise::zeros::<i32>(&[10], [10])
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4]))
        .unwrap()
        .run()
        .unwrap();
    let link = dir.path().join("link.zarr");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let x = chunkwise::ones::<i32>(&[4], [4]).to_dyn();
    let a = open_array(&path).unwrap().write_region(&x, &[0]).unwrap();
    let b = open_array(&link).unwrap().write_region(&x, &[3]).unwrap();
    assert!(matches!(
        run_writes(&[a, b], &ComputeOptions::default()),
        Err(Error::OverlappingWrites { .. })
    ));
}

#[test]
fn a_write_whose_array_was_removed_or_replaced_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let x = chunkwise::ones::<f64>(&[8], [4]);
    // Creating `/g` with `overwrite` removes the group and the array `/g/a` inside it.
    let inside = x
        .to_zarr(&ZarrWriteOptions::new(store).array_path("/g/a"))
        .unwrap();
    let over = x
        .to_zarr(
            &ZarrWriteOptions::new(store)
                .array_path("/g")
                .overwrite(true),
        )
        .unwrap();
    let err = run_writes(&[over, inside], &ComputeOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Zarr { path, problem, .. } if path.ends_with('a') && problem.contains("removed")),
        "{err}"
    );
    // Nothing ran, and a refused computation leaves no output: the array `over` created
    // at `/g` is removed again, and `inside`, whose group `/g` was replaced, removes
    // nothing of `over`'s.
    assert!(open_array_in(store, "/g").is_err());
    assert!(
        !store.join("g").exists(),
        "the refused writes left `/g` behind"
    );

    // An array replaced by one with other chunks: the old handle would write old chunks.
    let path = store.join("r.zarr");
    x.to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4]))
        .unwrap()
        .run()
        .unwrap();
    let old = open_array(&path).unwrap();
    let stale = old.write_region(&x.to_dyn(), &[0]).unwrap();
    chunkwise::zeros::<f64>(&[8], [8])
        .to_zarr(
            &ZarrWriteOptions::new(&path)
                .chunk_shape([2])
                .overwrite(true),
        )
        .unwrap()
        .run()
        .unwrap();
    let err = stale.run().unwrap_err();
    assert!(
        matches!(&err, Error::Zarr { problem, .. } if problem.contains("replaced")),
        "{err}"
    );
    assert_eq!(read_1d(&path), vec![0.0; 8]);

    // New attributes do not change where or how chunks are written.
    let mut z = open_array(&path).unwrap();
    let write = z.write_region(&x.to_dyn(), &[0]).unwrap();
    let mut attrs = serde_json::Map::new();
    attrs.insert("units".into(), "K".into());
    z.set_attributes(attrs).unwrap();
    write.run().unwrap();
    assert_eq!(read_1d(&path), vec![1.0; 8]);
}

fn read_1d(path: &Path) -> Vec<f64> {
    read_all(path).iter().copied().collect()
}

/// A plain writer that records every region it is given.
#[derive(Debug, Default)]
struct Recorder(Mutex<Vec<Vec<Range<usize>>>>);

impl BlockWriter for Recorder {
    fn identity(&self) -> String {
        format!("recorder:{self:p}")
    }
    fn write(&self, region: &[Range<usize>], _: &AnyArray) -> chunkwise::Result<()> {
        self.0.lock().unwrap().push(region.to_vec());
        Ok(())
    }
}

/// A writer without a layout is promised that the regions of one write never overlap
/// and are each written once, whatever the chunking, even when the write is given twice.
#[test]
fn a_plain_writer_gets_each_region_of_a_write_once() {
    let chunks = Chunks::Explicit(vec![vec![3, 1, 5], vec![2, 2, 2, 1]]);
    let x = chunkwise::from_ndarray(Array2::<f64>::ones((9, 7)), chunks).to_dyn();
    let recorder = Arc::new(Recorder::default());
    let write = x.write_to(recorder.clone());
    run_writes(
        &[write.clone(), write],
        &ComputeOptions::default().threads(4),
    )
    .unwrap();
    let mut regions = recorder.0.lock().unwrap().clone();
    regions.sort_by_key(|r| (r[0].start, r[1].start));
    assert_eq!(regions.len(), 12);
    let mut covered = Array2::<u8>::zeros((9, 7));
    for r in &regions {
        covered
            .slice_mut(ndarray::s![r[0].clone(), r[1].clone()])
            .map_inplace(|c| *c += 1);
    }
    assert!(covered.iter().all(|&c| c == 1), "{covered}");
}

/// Two arrays of one group written in one computation, with the group created by the
/// first: each array's chunks are its own files.
#[test]
fn arrays_of_one_group_written_together() {
    let dir = tempfile::tempdir().unwrap();
    let x = chunkwise::arange(0.0f64, 30.0, 1.0, [7]);
    let writes: Vec<PendingWrite> = ["/g/a", "/g/b", "/g/sub/c"]
        .iter()
        .map(|p| {
            create_zarr(
                &x.to_dyn(),
                &ZarrWriteOptions::new(dir.path())
                    .array_path(p)
                    .chunk_shape([4]),
            )
            .unwrap()
        })
        .collect();
    run_writes(&writes, &ComputeOptions::default().threads(4)).unwrap();
    for p in ["/g/a", "/g/b", "/g/sub/c"] {
        let z = open_array_in(dir.path(), p).unwrap();
        assert_eq!(z.to_dyn(None).unwrap().compute().unwrap().sum_f64(), 435.0);
    }
}
