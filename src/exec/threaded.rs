//! The threaded executor: a fixed set of worker threads sharing one ready queue ordered by
//! task id (lowest first), so the run stays close to the depth-first static order.
//!
//! Invariants, all kept under the one state lock: `remaining[t]` counts `t`'s unfinished
//! dependency edges, and `t` enters the ready queue exactly when it reaches 0;
//! `refcount[t]` counts the reads of `t`'s result still to come, and the result is
//! dropped when it reaches 0. The first failure sets `failed`: no task starts after it,
//! running tasks finish, and every worker returns.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::{run_task, TaskGraph, TaskId, TaskRunner};
use crate::error::{Error, Result};

struct State<O> {
    ready: BinaryHeap<Reverse<TaskId>>,
    remaining: Vec<u32>,
    refcount: Vec<u32>,
    results: Vec<Option<Arc<O>>>,
    finished: usize,
    error: Option<Error>,
}

struct Shared<O> {
    state: Mutex<State<O>>,
    wake: Condvar,
}

impl<O> Shared<O> {
    fn lock(&self) -> MutexGuard<'_, State<O>> {
        self.state.lock().expect("executor state mutex poisoned")
    }
}

/// Runs `graph` on `threads` worker threads.
pub(super) fn run<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    threads: usize,
) -> Result<Vec<Arc<R::Output>>> {
    let n = graph.len();
    let remaining: Vec<u32> = (0..n)
        .map(|t| u32::try_from(graph.deps(TaskId(t as u32)).len()).expect("fewer than 2^32 edges"))
        .collect();
    let ready = (0..n)
        .filter(|&t| remaining[t] == 0)
        .map(|t| Reverse(TaskId(t as u32)))
        .collect();
    let shared = Shared {
        state: Mutex::new(State {
            ready,
            remaining,
            refcount: graph.initial_refcounts(),
            results: (0..n).map(|_| None).collect(),
            finished: 0,
            error: None,
        }),
        wake: Condvar::new(),
    };
    let workers = threads.min(n.max(1));
    std::thread::scope(|scope| {
        for i in 0..workers {
            #[expect(
                clippy::disallowed_methods,
                reason = "the executor owns its worker threads"
            )]
            std::thread::Builder::new()
                .name(format!("chunkwise-worker-{i}"))
                .spawn_scoped(scope, || worker(graph, runner, &shared))
                .expect("spawning a worker thread");
        }
    });
    let mut state = shared
        .state
        .into_inner()
        .expect("executor state mutex poisoned");
    if let Some(e) = state.error.take() {
        return Err(e);
    }
    graph
        .outputs()
        .iter()
        .map(|o| {
            state.results[o.index()]
                .clone()
                .ok_or_else(|| Error::internal("exec::threaded", "an output was released"))
        })
        .collect()
}

fn worker<R: TaskRunner>(graph: &TaskGraph, runner: &R, shared: &Shared<R::Output>) {
    let n = graph.len();
    let mut state = shared.lock();
    loop {
        if state.error.is_some() || state.finished == n {
            shared.wake.notify_all();
            return;
        }
        let Some(Reverse(task)) = state.ready.pop() else {
            state = shared
                .wake
                .wait(state)
                .expect("executor state mutex poisoned");
            continue;
        };
        let inputs = graph
            .deps(task)
            .iter()
            .map(|d| state.results[d.index()].clone())
            .collect::<Option<Vec<_>>>();
        drop(state);
        let outcome = match inputs {
            Some(inputs) => {
                let refs: Vec<&R::Output> = inputs.iter().map(AsRef::as_ref).collect();
                run_task(runner, task, &refs)
            }
            None => Err(Error::internal(
                "exec::threaded",
                "a dependency's result is missing",
            )),
        };
        state = shared.lock();
        match outcome {
            Ok(value) => {
                let released = complete(graph, &mut state, task, value);
                if !state.ready.is_empty() || state.finished == n {
                    shared.wake.notify_all();
                }
                // Free released chunks outside the lock.
                drop(state);
                drop(released);
                state = shared.lock();
            }
            Err(e) => {
                if state.error.is_none() {
                    state.error = Some(e);
                }
                shared.wake.notify_all();
            }
        }
    }
}

/// Records `task`'s result, releases inputs nobody will read again, and readies the
/// dependents whose last dependency this was. Returns the released results.
fn complete<O>(graph: &TaskGraph, state: &mut State<O>, task: TaskId, value: O) -> Vec<Arc<O>> {
    state.finished += 1;
    let t = task.index();
    let mut released = Vec::new();
    if state.refcount[t] > 0 {
        state.results[t] = Some(Arc::new(value));
    }
    for d in graph.deps(task) {
        let rc = &mut state.refcount[d.index()];
        *rc -= 1;
        if *rc == 0 {
            if let Some(v) = state.results[d.index()].take() {
                released.push(v);
            }
        }
    }
    for &s in graph.dependents(task) {
        let r = &mut state.remaining[s.index()];
        *r -= 1;
        if *r == 0 {
            state.ready.push(Reverse(s));
        }
    }
    released
}
