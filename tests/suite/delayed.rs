//! Lazy tasks (`chunkwise::delayed`): dependency order, shared tasks run once, errors and
//! panics named, the memory budget, events and the report, cancellation, and arrays and
//! tasks in one graph (`to_delayed`, `from_delayed`), against eager results.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chunkwise::delayed::{self, Delayed};
use chunkwise::diagnostics::Recorder;
use chunkwise::{CancelToken, ComputeOptions, Error, LazyArray, MemoryLimit, TaskOptions};
use ndarray::{ArrayD, Dimension, IxDyn};
use proptest::prelude::*;

/// Records when each task starts and ends, by name, in one order.
#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Log {
    fn push(&self, event: String) {
        self.0.lock().unwrap().push(event);
    }
    fn position(&self, event: &str) -> usize {
        let log = self.0.lock().unwrap();
        log.iter()
            .position(|e| e == event)
            .unwrap_or_else(|| panic!("{event} not in {log:?}"))
    }
    fn count(&self, event: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| *e == event)
            .count()
    }
}

/// A task `name` that logs its start and end around `f`.
fn logged<T: Send + Sync + 'static>(
    log: &Arc<Log>,
    name: &'static str,
    f: impl Fn() -> T + Send + Sync + 'static,
) -> impl Fn() -> T + Send + Sync + 'static {
    let log = log.clone();
    move || {
        log.push(format!("start {name}"));
        let v = f();
        log.push(format!("end {name}"));
        v
    }
}

fn executors() -> Vec<ComputeOptions> {
    vec![
        ComputeOptions::default(),
        ComputeOptions::default().single_threaded(),
        ComputeOptions::default().threads(3),
    ]
}

#[test]
fn every_task_starts_after_its_inputs_end_and_runs_once() {
    for options in executors() {
        let log = Arc::new(Log::default());
        let a = delayed::from_fn("a", logged(&log, "a", || 1));
        let b = delayed::from_fn("b", logged(&log, "b", || 2));
        let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
        let c = a.map2("c", &b, move |a, b| logged(&l1, "c", || 0)() + a + b);
        let d = a.map("d", move |a| logged(&l2, "d", || 0)() + a * 10);
        let e = Delayed::combine("e", &[c.clone(), d.clone()], move |xs| {
            logged(&l3, "e", || 0)() + xs.iter().copied().sum::<i32>()
        });
        assert_eq!(e.compute_with(&options).unwrap(), 13);
        for (task, inputs) in [("c", &["a", "b"][..]), ("d", &["a"]), ("e", &["c", "d"])] {
            for input in inputs {
                assert!(
                    log.position(&format!("end {input}")) < log.position(&format!("start {task}")),
                    "{task} started before {input} ended"
                );
            }
        }
        for task in ["a", "b", "c", "d", "e"] {
            assert_eq!(log.count(&format!("start {task}")), 1, "{task}");
        }
    }
}

#[test]
fn a_shared_sub_graph_runs_once_for_every_result_that_reads_it() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let load = delayed::from_fn("load", move || {
        counter.fetch_add(1, Ordering::SeqCst);
        vec![1.0, 2.0, 3.0]
    });
    let sum = load.map("sum", |v| v.iter().sum::<f64>());
    let len = load.map("len", |v| v.len() as f64);
    let mean = sum.map2("mean", &len, |s, n| s / n);
    let results = delayed::compute_many(&[mean.clone(), sum.clone(), mean.clone()]).unwrap();
    assert_eq!(results, vec![2.0, 6.0, 2.0]);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // A second computation runs the graph again: nothing is cached between runs.
    assert_eq!(mean.compute().unwrap(), 2.0);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    // Separately built calls are separate tasks, as Dask's `pure=False`.
    assert_ne!(load.key(), delayed::from_fn("load", || vec![0.0]).key());
}

#[test]
fn a_failing_task_is_named_with_its_cause_and_nothing_after_it_runs() {
    let after = Arc::new(AtomicUsize::new(0));
    let seen = after.clone();
    let text = delayed::value("4x".to_string());
    let parsed = text.try_map("parse", |s| s.parse::<i64>());
    let doubled = parsed.map("double", move |x| {
        seen.fetch_add(1, Ordering::SeqCst);
        x * 2
    });
    let err = doubled.compute().unwrap_err();
    let Error::TaskFailed { op, cause, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(op, parsed.key());
    assert!(matches!(cause.as_ref(), Error::User { function, .. } if function == "parse"));
    assert!(err.to_string().contains(parsed.key()), "{err}");
    assert!(format!("{err:?}").contains("InvalidDigit"), "{err:?}");
    assert_eq!(after.load(Ordering::SeqCst), 0);
}

#[test]
fn a_panicking_task_becomes_an_error_naming_it() {
    for options in executors() {
        let bad = delayed::value(3).map("explode", |x: &i32| -> i32 {
            assert!(*x > 5, "x is only {x}");
            *x
        });
        let fine: Vec<Delayed<i32>> = (0..6)
            .map(|i| delayed::value(i).map("id", |x| *x))
            .collect();
        let mut all = fine.clone();
        all.push(bad.clone());
        let total = Delayed::combine("sum", &all, |xs| xs.iter().copied().sum::<i32>());
        match total.compute_with(&options).unwrap_err() {
            Error::TaskPanicked { op, message, .. } => {
                assert_eq!(op, bad.key());
                assert!(message.contains("x is only 3"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn tasks_run_in_parallel_on_the_workers() {
    // Two tasks that each wait for the other to have started: they pass only together.
    let met = Arc::new((Mutex::new(0usize), Condvar::new()));
    let meet = move || {
        let (count, cv) = &*met;
        let mut n = count.lock().unwrap();
        *n += 1;
        cv.notify_all();
        let (n, timeout) = cv
            .wait_timeout_while(n, Duration::from_secs(20), |n| *n < 2)
            .unwrap();
        !timeout.timed_out() && *n >= 2
    };
    let meet = Arc::new(meet);
    let (m1, m2) = (meet.clone(), meet.clone());
    let a = delayed::from_fn("meet", move || m1());
    let b = delayed::from_fn("meet", move || m2());
    let both = a.map2("and", &b, |a, b| *a && *b);
    assert!(both
        .compute_with(&ComputeOptions::default().threads(2))
        .unwrap());
}

#[test]
fn the_memory_budget_keeps_large_results_from_running_together() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let parts: Vec<Delayed<Vec<u8>>> = (0..8)
        .map(|i| {
            let (running, most) = (running.clone(), most.clone());
            delayed::from_fn(TaskOptions::new("load").bytes(600), move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                running.fetch_sub(1, Ordering::SeqCst);
                vec![i; 600]
            })
        })
        .collect();
    let sizes: Vec<Delayed<usize>> = parts.iter().map(|p| p.map("len", Vec::len)).collect();
    let total = Delayed::combine("sum", &sizes, |xs| xs.iter().copied().sum::<usize>());
    let options = ComputeOptions::default()
        .threads(4)
        .memory_limit("1000".parse::<MemoryLimit>().unwrap());
    assert_eq!(total.compute_with(&options).unwrap(), 4800);
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "two 600-byte loads ran under 1000 bytes"
    );
}

#[test]
fn the_observers_and_the_report_see_every_task_by_name() {
    let recorder = Arc::new(Recorder::new("delayed"));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let outputs: Vec<Delayed<i64>> = (1..=4)
        .map(|x| {
            let a = delayed::from_fn("inc", move || x + 1);
            let b = delayed::from_fn("double", move || 2 * x);
            a.map2("add", &b, |a, b| a + b)
        })
        .collect();
    let total = Delayed::combine("sum", &outputs, |xs| xs.iter().copied().sum::<i64>());
    let options = ComputeOptions::default()
        .observer(recorder.clone())
        .report(&report);
    assert_eq!(
        total.compute_with(&options).unwrap(),
        2 + 3 + 4 + 5 + 2 + 4 + 6 + 8
    );
    let recording = recorder.recording();
    assert_eq!(recording.tasks.len(), 13);
    let names: Vec<&str> = recording.layers.iter().map(|l| l.op.as_str()).collect();
    for name in ["inc", "double", "add", "sum"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    assert!(recording.plan.contains("13 tasks"), "{}", recording.plan);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("chunkwise-report") && html.contains("double"));
}

#[test]
fn a_cancelled_computation_stops_and_says_so() {
    let token = CancelToken::new();
    let cancel = token.clone();
    let after = Arc::new(AtomicUsize::new(0));
    let seen = after.clone();
    let first = delayed::from_fn("first", move || cancel.cancel());
    let second = first.map("second", move |()| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let options = ComputeOptions::default().cancel_token(token);
    assert!(matches!(
        second.compute_with(&options),
        Err(Error::Cancelled)
    ));
    assert_eq!(after.load(Ordering::SeqCst), 0);
}

#[test]
fn a_chain_of_a_hundred_thousand_tasks_computes_and_drops() {
    let mut x = delayed::value(0u64);
    for _ in 0..100_000 {
        x = x.map("inc", |x| x + 1);
    }
    assert_eq!(x.compute().unwrap(), 100_000);
    drop(x);
}

#[test]
fn array_blocks_and_tasks_run_in_one_computation_and_only_what_is_read() {
    let data = ArrayD::from_shape_fn(IxDyn(&[7, 5]), |ix| (ix[0] * 5 + ix[1]) as f64);
    let x = chunkwise::from_ndarray(data.clone(), [3, 2]);
    let y = &x * 2.0 + 1.0;
    let blocks = y.to_delayed().unwrap();
    assert_eq!(blocks.shape(), &[3, 3]);
    let sums: Vec<Delayed<f64>> = blocks.iter().map(|b| b.map("sum", |b| b.sum())).collect();
    let total = Delayed::combine("total", &sums, |xs| xs.iter().copied().sum::<f64>());
    let recorder = Arc::new(Recorder::new("mixed"));
    let options = ComputeOptions::default().observer(recorder.clone());
    assert_eq!(
        total.compute_with(&options).unwrap(),
        (&data * 2.0 + 1.0).sum()
    );
    let recording = recorder.recording();
    assert_eq!(recording.runs, 1);
    // 9 blocks: fused array tasks, the 9 block reads, 9 sums and the total.
    assert!(
        recording.tasks.len() > 9 + 9 + 9,
        "{}",
        recording.tasks.len()
    );
    // One block read runs only the array tasks that block needs.
    let recorder = Arc::new(Recorder::new("one block"));
    let corner = blocks[[2, 2]].compute_with(&ComputeOptions::default().observer(recorder.clone()));
    let expected = (&data * 2.0 + 1.0)
        .slice(ndarray::s![6.., 4..])
        .to_owned()
        .into_dyn();
    assert_eq!(corner.unwrap(), expected);
    let tasks = recorder.recording().tasks.len();
    assert!(tasks < 9, "{tasks} tasks for one block");
}

#[test]
fn an_array_block_of_the_wrong_shape_is_an_error_naming_its_task() {
    let load = delayed::from_fn("load", || ArrayD::<f32>::zeros(IxDyn(&[2, 3])));
    let x = LazyArray::from_delayed(&load, &[3, 2]);
    let err = x.compute().unwrap_err();
    let text = format!("{err:?} {err}");
    assert!(
        text.contains("from_delayed") && text.contains(load.key()),
        "{text}"
    );
}

#[test]
fn empty_and_size_one_axes_round_trip_through_delayed_blocks() {
    for shape in [vec![0usize, 3], vec![1, 1], vec![4, 0, 2], vec![]] {
        let data = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
            ix.as_array_view().iter().sum::<usize>() as i32
        });
        let x = chunkwise::from_ndarray(data.clone(), chunkwise::Chunks::Auto);
        let blocks = x.to_delayed().unwrap();
        assert_eq!(
            blocks.shape(),
            x.chunks().blocks_per_axis().as_slice(),
            "{shape:?}"
        );
        let all: Vec<Delayed<ArrayD<i32>>> = blocks.iter().cloned().collect();
        let computed = delayed::compute_many(&all).unwrap();
        let elements: usize = computed.iter().map(ArrayD::len).sum();
        assert_eq!(elements, data.len(), "{shape:?}");
        let rebuilt = LazyArray::from_delayed(&delayed::value(data.clone()), &shape);
        assert_eq!(rebuilt.compute().unwrap(), data, "{shape:?}");
    }
}

/// The arrays of a grid of blocks (C order over `grid`, whose first axis is `axis`)
/// joined into one, axis by axis.
fn joined(blocks: &[LazyArray<f64>], grid: &[usize], axis: usize) -> LazyArray<f64> {
    if grid.len() == 1 {
        return chunkwise::concatenate(blocks, axis);
    }
    let inner: usize = grid[1..].iter().product();
    let rows: Vec<LazyArray<f64>> = blocks
        .chunks(inner)
        .map(|row| joined(row, &grid[1..], axis + 1))
        .collect();
    chunkwise::concatenate(&rows, axis)
}

fn shape_and_chunks() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    prop::collection::vec((1usize..9, 1usize..5), 1..4).prop_map(|axes| axes.into_iter().unzip())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Blocks out through `to_delayed`, changed by a task each, and back through
    /// `from_delayed`: the array NumPy would give, whatever the shape and chunks.
    #[test]
    fn blocks_through_tasks_and_back_equal_the_eager_result((shape, chunks) in shape_and_chunks()) {
        let data = ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
            ix.as_array_view().iter().enumerate().map(|(d, &i)| (i * (d + 3)) as f64).sum::<f64>()
        });
        let x = chunkwise::from_ndarray(data.clone(), chunks);
        let grid = x.chunks().clone();
        let blocks = (&x * 2.0).to_delayed().unwrap();
        let arrays: Vec<LazyArray<f64>> = blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let shape = grid.block_shape(&grid.block_coords(i));
                LazyArray::from_delayed(&b.map("negate", |b| -b), &shape)
            })
            .collect();
        let result = joined(&arrays, &grid.blocks_per_axis(), 0).compute().unwrap();
        prop_assert_eq!(result, data.mapv(|v| -2.0 * v));
    }
}
