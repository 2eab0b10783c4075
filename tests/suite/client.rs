//! Futures (`chunkwise::client`): tasks start when submitted and after their inputs,
//! futures as inputs, errors and panics named and passed to every dependent,
//! cancellation, `as_completed` order, the memory budget, events and the report, and
//! array computations on the same workers, against eager results.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use chunkwise::client::{self, Client, Future};
use chunkwise::diagnostics::Recorder;
use chunkwise::{ComputeOptions, Error, MemoryLimit, TaskOptions};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

/// A gate the test opens: tasks that pass it wait until then.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.changed.notify_all();
    }
    /// Waits (at most 20 s, so a broken test fails instead of hanging) for the gate.
    fn pass(&self) -> bool {
        let open = self.open.lock().unwrap();
        let (open, _) = self
            .changed
            .wait_timeout_while(open, Duration::from_secs(20), |open| !*open)
            .unwrap();
        *open
    }
}

fn client(threads: usize) -> Client {
    Client::with_options(&ComputeOptions::default().threads(threads)).unwrap()
}

#[test]
fn a_task_starts_when_submitted_without_waiting_for_its_result() {
    let client = client(2);
    let started = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(Gate::default());
    let (s, g) = (started.clone(), gate.clone());
    let x = client.submit("wait", move || {
        s.fetch_add(1, Ordering::SeqCst);
        g.pass()
    });
    // Nothing asks for the result, yet the task starts.
    for _ in 0..2000 {
        if started.load(Ordering::SeqCst) == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert!(!x.done());
    gate.open();
    assert!(*x.result().unwrap());
    assert!(x.done());
}

#[test]
fn futures_feed_later_tasks_which_run_after_them_and_once() {
    let client = client(3);
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let a = client.submit("a", move || {
        g.pass();
        r.fetch_add(1, Ordering::SeqCst);
        10
    });
    let b = client.submit("b", || 1);
    // Dependents submitted while `a` still runs wait for it.
    let c = a.map2("c", &b, |a, b| a + b);
    let d = a.map("d", |a| a * 2);
    let e = client.combine("e", &[c.clone(), d.clone()], |xs| {
        xs.iter().copied().sum::<i32>()
    });
    assert!(!c.done() && !d.done() && !e.done());
    gate.open();
    assert_eq!(e.value().unwrap(), 11 + 20);
    assert_eq!((c.value().unwrap(), d.value().unwrap()), (11, 20));
    // A finished future feeds a new task at once.
    assert_eq!(a.map("again", |a| a + 1).value().unwrap(), 11);
    assert_eq!(runs.load(Ordering::SeqCst), 1, "`a` ran more than once");
}

#[test]
fn tasks_run_in_parallel_on_the_workers() {
    let client = client(2);
    let met = Arc::new((Mutex::new(0usize), Condvar::new()));
    let meet = move || {
        let (count, cv) = &*met;
        let mut n = count.lock().unwrap();
        *n += 1;
        cv.notify_all();
        let (n, _) = cv
            .wait_timeout_while(n, Duration::from_secs(20), |n| *n < 2)
            .unwrap();
        *n >= 2
    };
    let meet = Arc::new(meet);
    let (m1, m2) = (meet.clone(), meet.clone());
    let both = [
        client.submit("meet", move || m1()),
        client.submit("meet", move || m2()),
    ];
    assert!(client::gather(&both).unwrap().iter().all(|met| **met));
}

#[test]
fn an_error_is_named_and_reaches_every_dependent_which_does_not_run() {
    let client = client(2);
    let ran = Arc::new(AtomicUsize::new(0));
    let bad = client.try_submit("parse", || "12x".parse::<i32>());
    let r = ran.clone();
    let next = bad.map("next", move |x| {
        r.fetch_add(1, Ordering::SeqCst);
        x + 1
    });
    let r = ran.clone();
    let last = next.map("last", move |x| {
        r.fetch_add(1, Ordering::SeqCst);
        x * 2
    });
    let err = bad.result().unwrap_err();
    assert!(
        matches!(&err, Error::FutureFailed { task, .. } if task == "parse"),
        "{err}"
    );
    assert!(matches!(err.root(), Error::User { function, .. } if function == "parse"));
    match err.root() {
        Error::User { source, .. } => assert!(source.to_string().contains("invalid digit")),
        other => panic!("not the closure's error: {other}"),
    }
    for (future, name) in [(&next, "next"), (&last, "last")] {
        let err = future.result().unwrap_err();
        assert!(
            matches!(&err, Error::DependencyFailed { task, dependency, .. }
                if task == name && dependency == "parse"),
            "{err}"
        );
        assert!(matches!(err.root(), Error::User { .. }));
    }
    // Submitted after the failure, a dependent fails at once too.
    let late = bad.map("late", |x| *x);
    assert!(matches!(late.result(), Err(Error::DependencyFailed { .. })));
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    // The other tasks of the client go on.
    assert_eq!(client.submit("fine", || 7).value().unwrap(), 7);
}

#[test]
fn a_panic_becomes_an_error_naming_the_task() {
    let client = client(2);
    let boom = client.submit("boom", || -> i32 { panic!("the closure gave up") });
    let after = boom.map("after", |x| x + 1);
    let err = boom.result().unwrap_err();
    match err.root() {
        Error::TaskPanicked { op, message, .. } => {
            assert_eq!(op, "boom");
            assert!(message.contains("the closure gave up"), "{message}");
        }
        other => panic!("not a panic error: {other}"),
    }
    assert!(
        matches!(after.result(), Err(Error::DependencyFailed { dependency, .. }) if dependency == "boom")
    );
    assert_eq!(client.submit("fine", || 1).value().unwrap(), 1);
}

#[test]
fn a_cancelled_pending_task_ends_at_once_with_its_dependents() {
    let client = client(1);
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let blocker = client.submit("blocker", move || g.pass());
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let pending = client.submit("pending", move || {
        r.fetch_add(1, Ordering::SeqCst);
        1
    });
    let dependent = pending.map("dependent", |x| x + 1);
    pending.cancel();
    assert!(pending.done() && dependent.done());
    assert!(matches!(pending.result(), Err(Error::FutureCancelled { task }) if task == "pending"));
    assert!(
        matches!(dependent.result(), Err(Error::DependencyFailed { dependency, .. }) if dependency == "pending")
    );
    gate.open();
    assert!(blocker.value().unwrap());
    // Cancelling a finished future changes nothing.
    blocker.cancel();
    assert!(blocker.value().unwrap());
    client.close().unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn a_cancelled_running_task_finishes_but_its_result_is_dropped() {
    let client = client(1);
    let gate = Arc::new(Gate::default());
    let started = Arc::new(AtomicUsize::new(0));
    let (g, s) = (gate.clone(), started.clone());
    let running = client.submit("running", move || {
        s.fetch_add(1, Ordering::SeqCst);
        g.pass()
    });
    while started.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    running.cancel();
    gate.open();
    assert!(matches!(
        running.result(),
        Err(Error::FutureCancelled { .. })
    ));
}

#[test]
fn closing_cancels_pending_tasks_and_results_outlive_the_client() {
    let client = client(1);
    let done = client.submit("done", || 5);
    assert_eq!(done.value().unwrap(), 5);
    let gate = Arc::new(Gate::default());
    let g = gate.clone();
    let started = Arc::new(AtomicUsize::new(0));
    let s = started.clone();
    let running = client.submit("running", move || {
        s.fetch_add(1, Ordering::SeqCst);
        g.pass()
    });
    let pending = client.submit("pending", || 1);
    while started.load(Ordering::SeqCst) == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let opener = {
        let gate = gate.clone();
        move || {
            std::thread::sleep(Duration::from_millis(50));
            gate.open();
        }
    };
    std::thread::scope(|s| {
        s.spawn(opener);
        client.close().unwrap();
    });
    assert!(running.value().unwrap(), "the running task finished");
    assert!(matches!(
        pending.result(),
        Err(Error::FutureCancelled { .. })
    ));
    assert_eq!(done.value().unwrap(), 5);
    assert!(matches!(
        done.map("late", |x| x + 1).result(),
        Err(Error::FutureCancelled { .. })
    ));
}

#[test]
fn as_completed_yields_futures_in_the_order_they_finish() {
    let client = client(3);
    // Submitted slowest first; each finishes only after the one before it in `order`.
    let gates: Vec<Arc<Gate>> = (0..3).map(|_| Arc::new(Gate::default())).collect();
    let futures: Vec<Future<usize>> = (0..3)
        .map(|i| {
            let gate = gates[i].clone();
            client.submit("step", move || {
                gate.pass();
                i
            })
        })
        .collect();
    let order = [2, 0, 1];
    let mut seen = Vec::new();
    let mut completed = client::as_completed(futures.clone());
    for &i in &order {
        gates[i].open();
        let next = completed.next().unwrap();
        seen.push(next.value().unwrap());
    }
    assert!(completed.next().is_none());
    assert_eq!(seen, order);
    // Failed and cancelled futures come out too.
    let bad = client.try_submit("bad", || Err::<usize, _>("no"));
    let good = client.submit("good", || 3);
    let out: Vec<_> = client::as_completed([bad, good]).collect();
    assert_eq!(out.len(), 2);
    assert_eq!(out.iter().filter(|f| f.result().is_err()).count(), 1);
}

#[test]
fn wait_returns_once_every_future_has_ended() {
    let client = client(2);
    let futures: Vec<Future<u64>> = (0..6)
        .map(|i| {
            client.submit("sleep", move || {
                std::thread::sleep(Duration::from_millis(5 * i));
                i
            })
        })
        .collect();
    client::wait(&futures);
    assert!(futures.iter().all(Future::done));
    let values: Vec<u64> = client::gather(&futures)
        .unwrap()
        .iter()
        .map(|v| **v)
        .collect();
    assert_eq!(values, [0, 1, 2, 3, 4, 5]);
}

#[test]
fn the_memory_budget_keeps_large_tasks_from_running_together() {
    let client = Client::with_options(
        &ComputeOptions::default()
            .threads(4)
            .memory_limit("1000".parse::<MemoryLimit>().unwrap()),
    )
    .unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let sizes: Vec<Future<usize>> = (0..8)
        .map(|i| {
            let (running, most) = (running.clone(), most.clone());
            client
                .submit(TaskOptions::new("load").bytes(600), move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                    vec![i; 600]
                })
                .map("len", Vec::len)
        })
        .collect();
    let total = client.combine("sum", &sizes, |xs| xs.iter().copied().sum::<usize>());
    assert_eq!(total.value().unwrap(), 4800);
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "two 600-byte loads ran under 1000 bytes"
    );
}

#[test]
fn observers_and_the_report_see_every_submission_by_name() {
    let recorder = Arc::new(Recorder::new("futures"));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("futures.html");
    let client = Client::with_options(
        &ComputeOptions::default()
            .threads(2)
            .observer(recorder.clone())
            .report(&report),
    )
    .unwrap();
    let outputs: Vec<Future<i64>> = (1..=4)
        .map(|x| {
            let a = client.submit("inc", move || x + 1);
            let b = client.submit("double", move || 2 * x);
            a.map2("add", &b, |a, b| a + b)
        })
        .collect();
    let total = client.combine("sum", &outputs, |xs| xs.iter().copied().sum::<i64>());
    assert_eq!(total.value().unwrap(), 14 + 20);
    client.close().unwrap();
    let recording = recorder.recording();
    assert_eq!(recording.runs, 1);
    assert_eq!(recording.tasks.len(), 13);
    let names: Vec<&str> = recording.layers.iter().map(|l| l.op.as_str()).collect();
    for name in ["inc", "double", "add", "sum"] {
        assert!(names.contains(&name), "{name} not in {names:?}");
    }
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("chunkwise-report") && html.contains("double"));
}

#[test]
fn arrays_compute_on_the_clients_workers_among_futures() {
    let recorder = Arc::new(Recorder::new("mixed"));
    let client = Client::with_options(
        &ComputeOptions::default()
            .threads(2)
            .observer(recorder.clone()),
    )
    .unwrap();
    let data = ArrayD::from_shape_fn(IxDyn(&[7, 5]), |ix| (ix[0] * 5 + ix[1]) as f64);
    let x = chunkwise::from_ndarray(data.clone(), [3, 2]);
    let offset = client.submit("offset", || 1.5);
    let column_sums = client.compute(&(&x * 2.0).sum(0));
    let shifted = column_sums.map2("shift", &offset, |sums, offset| sums + *offset);
    let expected = (&data * 2.0).sum_axis(ndarray::Axis(0)) + 1.5;
    assert_eq!(shifted.value().unwrap(), expected.into_dyn());
    // An invalid array is the future's error, named, and nothing panics.
    let wrong = client.compute(&(&x + &chunkwise::zeros::<f64>(&[4, 5], [2, 2])));
    assert!(wrong.result().is_err());
    client.close().unwrap();
    let recording = recorder.recording();
    assert_eq!(recording.runs, 1, "arrays and futures are one computation");
    let names: Vec<&str> = recording.layers.iter().map(|l| l.op.as_str()).collect();
    assert!(
        names.contains(&"offset") && names.contains(&"shift"),
        "{names:?}"
    );
    assert!(recording.tasks.len() > 3, "{}", recording.tasks.len());
}

#[test]
fn ten_thousand_small_futures_chain_and_fan_in() {
    let client = client(2);
    let mut x = client.submit("start", || 0u64);
    for _ in 0..10_000 {
        x = x.map("inc", |x| x + 1);
    }
    assert_eq!(x.value().unwrap(), 10_000);
    let many: Vec<Future<u64>> = (0..10_000u64)
        .map(|i| client.submit("id", move || i))
        .collect();
    let total = client.combine("sum", &many, |xs| xs.iter().copied().sum::<u64>());
    assert_eq!(total.value().unwrap(), (0..10_000u64).sum::<u64>());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any tree of sums over futures gives the sum of its leaves, on any number of
    /// workers, with errors anywhere reaching the root.
    #[test]
    fn tree_reductions_equal_the_sequential_sum(
        leaves in proptest::collection::vec(-1000i64..1000, 1..40),
        threads in 1usize..4,
        fanout in 2usize..5,
        fail_at in proptest::option::of(0usize..40),
    ) {
        let client = client(threads);
        let mut level: Vec<Future<i64>> = leaves
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let fail = fail_at == Some(i);
                client.try_submit("leaf", move || if fail { Err("bad leaf") } else { Ok(x) })
            })
            .collect();
        while level.len() > 1 {
            level = level
                .chunks(fanout)
                .map(|group| client.combine("add", group, |xs| xs.iter().copied().sum::<i64>()))
                .collect();
        }
        let root = level.pop().unwrap().result();
        if fail_at.is_some_and(|i| i < leaves.len()) {
            let err = root.unwrap_err();
            prop_assert!(matches!(err.root(), Error::User { function, .. } if function == "leaf"), "{}", err);
        } else {
            prop_assert_eq!(*root.unwrap(), leaves.iter().sum::<i64>());
        }
    }
}
