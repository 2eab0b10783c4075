//! The threaded executor with 1, 2 and 4 threads, the default, and the single-threaded
//! executor give bit-identical results, because every task's result depends only on its
//! inputs and reductions combine partials in a fixed order.

use chunkwise::{compute_many_with, random, Axes, ComputeOptions, Executor, LazyArray};
use ndarray::s;

use crate::common::{assert_bits_equal, assert_close, run, RTOL};

fn options() -> Vec<(&'static str, ComputeOptions)> {
    vec![
        ("default", ComputeOptions::default()),
        (
            "single-threaded",
            ComputeOptions::default().single_threaded(),
        ),
        ("1 thread", ComputeOptions::default().threads(1)),
        ("2 threads", ComputeOptions::default().threads(2)),
        ("4 threads", ComputeOptions::default().threads(4)),
        (
            "Executor::SingleThreaded",
            ComputeOptions::default().executor(Executor::SingleThreaded),
        ),
        (
            "Executor::Threaded",
            ComputeOptions::default().executor(Executor::Threaded),
        ),
    ]
}

/// A mix of every kind of layer: sources, broadcasting maps, slices with negative steps,
/// transposes, rechunks and reductions with several combine levels.
fn mixed() -> Vec<LazyArray<f64>> {
    let x = random::uniform::<f64>(&[60, 45], [7, 6], 11);
    let n = random::normal::<f64>(&[45], [4], 12);
    let y = (&x * 2.0 + &x.sin()) / &(n.abs() + 1.0);
    let z = y.slice(s![..;-2, 3..]).rechunk([5, 9]);
    let centered = &z - &z.mean(Axes::from(0).keepdims(true));
    vec![
        centered.std(Axes::from(1).split_every(2)).ddof(1),
        z.t().sum(Axes::all().split_every(3)).expand_dims(0),
        chunkwise::where_(&z.greater(1.0), &z, -1.0).max(0),
        z.argmin(1).astype::<f64>(),
        x.var(Axes::new([0, 1]).split_every(2))
            .ddof(0)
            .expand_dims(0),
    ]
}

#[test]
fn every_executor_gives_identical_results() {
    let exprs = mixed();
    let reference: Vec<_> = exprs
        .iter()
        .map(|e| {
            e.compute_with(&ComputeOptions::default().single_threaded())
                .unwrap()
        })
        .collect();
    for (name, opts) in options() {
        for round in 0..3 {
            for (e, want) in exprs.iter().zip(&reference) {
                let got = e
                    .compute_with(&opts)
                    .unwrap_or_else(|err| panic!("{name}: {err}"));
                assert_eq!(got.shape(), want.shape(), "{name} round {round}");
                assert_bits_equal(&got, want);
            }
        }
        let refs: Vec<&LazyArray<f64>> = exprs.iter().collect();
        let together = compute_many_with(&refs, &opts).unwrap();
        for (got, want) in together.iter().zip(&reference) {
            assert_bits_equal(got, want);
        }
    }
}

#[test]
fn executors_agree_with_eager_ndarray() {
    let x = random::uniform::<f64>(&[30, 20], [7, 3], 5);
    let a = run(&x);
    let e = (&x.t() * 3.0).sum(1);
    let want = a.t().mapv(|v| v * 3.0).sum_axis(ndarray::Axis(1));
    for (name, opts) in options() {
        let got = e.compute_with(&opts).unwrap();
        assert_close(&got, &want, RTOL);
        let scalar = x.max(..).compute_scalar_with(&opts).unwrap();
        assert_eq!(scalar, a.iter().copied().fold(f64::MIN, f64::max), "{name}");
    }
}

#[test]
fn many_small_tasks_on_many_threads() {
    // More threads than tasks in some layers, and many one-element chunks.
    let x = random::uniform::<f64>(&[40, 40], [1, 1], 8);
    let s = x.sum(Axes::all().split_every(2));
    let single = s
        .compute_scalar_with(&ComputeOptions::default().single_threaded())
        .unwrap();
    for threads in [1, 2, 4, 16] {
        let got = s
            .compute_scalar_with(&ComputeOptions::default().threads(threads))
            .unwrap();
        assert_eq!(got.to_bits(), single.to_bits(), "{threads} threads");
    }
    let tiny = chunkwise::ones::<f64>(&[1], [1]);
    let out = tiny
        .compute_with(&ComputeOptions::default().threads(8))
        .unwrap();
    assert_eq!(out.into_raw_vec_and_offset().0, vec![1.0]);
}

/// Cancels its token from a worker thread once `after` tasks have finished, and counts
/// the tasks that finish.
struct CancelAfter {
    token: chunkwise::CancelToken,
    after: usize,
    finished: std::sync::atomic::AtomicUsize,
}

impl chunkwise::Observer for CancelAfter {
    fn on_task_finish(&self, _: &chunkwise::TaskFinish) {
        let done = self
            .finished
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        if done == self.after {
            self.token.cancel();
        }
    }
}

#[test]
fn cancelling_from_another_thread_stops_the_run() {
    use std::sync::Arc;
    let x = chunkwise::random::uniform::<f64>(&[400, 400], [10, 10], 3);
    let expr = (&x - &x.mean(0)).sum(..);
    let total = expr.graph_stats().unwrap().tasks;
    for options in [
        chunkwise::ComputeOptions::default().threads(2),
        chunkwise::ComputeOptions::default().single_threaded(),
    ] {
        let token = chunkwise::CancelToken::new();
        let observer = Arc::new(CancelAfter {
            token: token.clone(),
            after: 50,
            finished: std::sync::atomic::AtomicUsize::new(0),
        });
        let options = options.cancel_token(token).observer(observer.clone());
        let err = expr.compute_scalar_with(&options).unwrap_err();
        assert!(matches!(err, chunkwise::Error::Cancelled), "{err}");
        let finished = observer.finished.load(std::sync::atomic::Ordering::SeqCst);
        assert!(finished >= 50 && finished < total, "{finished} of {total}");
    }
}

#[test]
fn a_small_memory_limit_finishes_with_the_same_result_and_a_too_small_one_is_refused() {
    let x = chunkwise::random::uniform::<f64>(&[300, 300], [30, 30], 9);
    let expr = (&x - &x.mean(..)).powi(2).mean(0);
    let free = expr.compute().unwrap();
    // Chunks are 7.2 kB: 256 kB holds a task's inputs, output and registers, not more.
    let tight = chunkwise::ComputeOptions::default()
        .threads(2)
        .memory_limit(chunkwise::MemoryLimit::from_bytes(256 << 10));
    assert_eq!(expr.compute_with(&tight).unwrap(), free);
    // One byte fits no task: refused before anything runs, naming the operation, the
    // bytes it needs and a chunking that would fit.
    let impossible =
        chunkwise::ComputeOptions::default().memory_limit(chunkwise::MemoryLimit::from_bytes(1));
    let err = expr.compute_with(&impossible).unwrap_err();
    assert!(
        matches!(err, chunkwise::Error::TaskTooLarge { limit: 1, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("memory limit of 1 bytes"), "{message}");
    assert!(message.contains("memory limit"), "{message}");
    let no_pool = chunkwise::ComputeOptions::default().buffer_pool(false);
    assert_eq!(expr.compute_with(&no_pool).unwrap(), free);
}

/// `(x - x.mean()).sum()` and `((x - x.mean(0)) ** 2).mean()` over generated inputs hold
/// only a few chunks at a time (dask/dask#10384, dask/distributed#2602 are this shape):
/// the scheduler regenerates `x` for its second reader instead of holding all of it.
#[test]
fn anomalies_hold_a_few_chunks_not_the_input() {
    use chunkwise::bench::{find, Input, WorkloadParams};
    let params = WorkloadParams::new(Input::Det).quick(true);
    // Quick size: x is 2000 x 2000 float64 (32 MB) in 100 x 100 chunks (80 kB).
    let input_bytes = 2000u64 * 2000 * 8;
    for name in ["anomaly", "global_anomaly"] {
        // Sequential order, and a 1 MiB budget: a handful of chunks.
        for options in [
            ComputeOptions::default().single_threaded(),
            ComputeOptions::default().memory_limit(chunkwise::MemoryLimit::from_bytes(1 << 20)),
        ] {
            let run = find(name).unwrap().run(&params, &options).unwrap();
            assert!(
                run.peak_bytes < input_bytes / 20,
                "{name} {:?}: peak {} bytes",
                options.executor,
                run.peak_bytes
            );
        }
        // Without a budget, idle workers may load ahead while the mean finishes, but
        // never the whole input.
        let run = find(name)
            .unwrap()
            .run(&params, &ComputeOptions::default().threads(2))
            .unwrap();
        assert!(
            run.peak_bytes < input_bytes / 2,
            "{name}: peak {} bytes",
            run.peak_bytes
        );
    }
}
