//! The threaded executor: dedicated worker threads, each with its own ready heap (ordered
//! by static priority) and a "run next" slot, sharing a queue of roots admitted under the
//! memory budget.
//!
//! Selection, for worker `w`: its run-next slot (the best task that its last task made
//! ready, whose inputs are hot in its cache); else the best task of all ready heaps, its
//! own first on ties (taking another worker's is stealing); else a root. Every task,
//! root or not, is admitted only if the bytes held plus the bytes being produced (and
//! the scratch of running tasks) plus its own output and scratch fit the budget, or if
//! nothing is running at all (so the budget can never deadlock: one task at a time
//! always runs, and the plan's sequential peak was checked against the budget before
//! the run). A worker whose best task does not fit waits for a running task to finish.
//!
//! Invariants, kept under the one state lock: `remaining[t]` counts `t`'s unfinished
//! dependency edges and `t` becomes ready exactly when it reaches 0; `refcount[t]` counts
//! the reads of `t`'s result still to come, and the result is dropped (its buffers handed
//! back to the runner) when it reaches 0; `live` is the exact bytes of held results and
//! `reserved` the projected bytes of running tasks. The first failure or a cancellation
//! sets `error`: no task starts after it, running tasks finish, every worker returns, and
//! dropping the state frees every intermediate. The lock is held only for bookkeeping,
//! never while a kernel runs or a chunk is freed.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex, MutexGuard};
use smallvec::SmallVec;

use super::events::{Emitter, Finished};
use super::{finish_run, order, run_task, Execution, RunConfig, TaskGraph, TaskId, TaskRunner};
use crate::error::{Error, Result};

/// How long an idle worker sleeps before looking at the cancel flag again.
const IDLE_POLL: Duration = Duration::from_millis(20);

type Ready = BinaryHeap<Reverse<(u32, TaskId)>>;

struct State<O> {
    /// Ready non-root tasks, one heap per worker.
    heaps: Vec<Ready>,
    run_next: Vec<Option<TaskId>>,
    /// Roots waiting for admission, best priority last. Roots have no inputs, so they
    /// are all ready from the start and the queue only shrinks: a sorted vector suffices.
    roots: Vec<TaskId>,
    remaining: Vec<u32>,
    refcount: Vec<u32>,
    results: Vec<Option<Arc<O>>>,
    held: Vec<u64>,
    live: u64,
    reserved: u64,
    peak: u64,
    running: usize,
    /// Workers waiting for work.
    idle: usize,
    finished: usize,
    error: Option<Error>,
}

struct Shared<'g, O> {
    state: Mutex<State<O>>,
    wake: Condvar,
    graph: &'g TaskGraph,
    prio: Vec<u32>,
    /// Bytes each task holds while running besides its inputs: output and scratch.
    projected: Vec<u64>,
    budget: u64,
}

impl<O> Shared<'_, O> {
    fn lock(&self) -> MutexGuard<'_, State<O>> {
        self.state.lock()
    }

    /// Queues a non-root task that has just become ready.
    fn push_ready(&self, st: &mut State<O>, worker: usize, t: TaskId) {
        debug_assert!(
            !self.graph.is_root(t),
            "roots are queued once, at the start"
        );
        st.heaps[worker].push(Reverse((self.prio[t.index()], t)));
    }

    /// True when `t` may start now: its output and scratch fit beside what is held and
    /// reserved, or nothing runs at all.
    fn admits(&self, st: &State<O>, t: TaskId) -> bool {
        let need = self.projected[t.index()];
        st.running == 0 || st.live.saturating_add(st.reserved).saturating_add(need) <= self.budget
    }

    /// The next task for `worker`, or `None` when it must wait.
    fn select(&self, st: &mut State<O>, worker: usize) -> Option<TaskId> {
        if let Some(t) = st.run_next[worker].take() {
            if self.admits(st, t) {
                return Some(t);
            }
            self.push_ready(st, worker, t);
        }
        let mut best: Option<(u32, usize)> = None;
        for i in std::iter::once(worker).chain((0..st.heaps.len()).filter(|&i| i != worker)) {
            if let Some(Reverse((p, _))) = st.heaps[i].peek() {
                if best.is_none_or(|(bp, _)| *p < bp) {
                    best = Some((*p, i));
                }
            }
        }
        if let Some((_, i)) = best {
            let Reverse((_, t)) = *st.heaps[i].peek()?;
            if !self.admits(st, t) {
                return None;
            }
            return st.heaps[i].pop().map(|Reverse((_, t))| t);
        }
        let root = *st.roots.last()?;
        if self.admits(st, root) {
            st.roots.pop();
            return Some(root);
        }
        None
    }
}

/// Runs `graph` on `threads` worker threads.
pub(super) fn run<'a, R: TaskRunner>(
    graph: &TaskGraph,
    runner: &'a R,
    threads: usize,
    config: &RunConfig<'a>,
) -> Result<Execution<R::Output>> {
    let workers = threads.min(graph.len().max(1));
    let events = config.emitter(runner, graph.len(), workers);
    let result = run_workers(graph, runner, workers, config, events.as_ref());
    finish_run(events.as_ref(), result)
}

fn run_workers<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    workers: usize,
    config: &RunConfig<'_>,
    events: Option<&Emitter<'_, R>>,
) -> Result<Execution<R::Output>> {
    let n = graph.len();
    let shared = Shared {
        state: Mutex::new(State {
            heaps: (0..workers).map(|_| Ready::new()).collect(),
            run_next: vec![None; workers],
            roots: Vec::new(),
            remaining: (0..n)
                .map(|t| graph.deps(TaskId(t as u32)).len() as u32)
                .collect(),
            refcount: graph.initial_refcounts(),
            results: (0..n).map(|_| None).collect(),
            held: vec![0; n],
            live: 0,
            reserved: 0,
            peak: 0,
            running: 0,
            idle: 0,
            finished: 0,
            error: None,
        }),
        wake: Condvar::new(),
        graph,
        prio: order::priorities(graph),
        projected: (0..n as u32)
            .map(|t| graph.out_bytes(TaskId(t)) + runner.scratch_bytes(TaskId(t)))
            .collect(),
        budget: config.memory_limit,
    };
    {
        let mut st = shared.lock();
        let mut roots: Vec<TaskId> = (0..n as u32)
            .map(TaskId)
            .filter(|&t| graph.is_root(t))
            .collect();
        roots.sort_unstable_by_key(|t| std::cmp::Reverse(shared.prio[t.index()]));
        st.roots = roots;
    }
    std::thread::scope(|scope| {
        for w in 0..workers {
            let shared = &shared;
            #[expect(
                clippy::disallowed_methods,
                reason = "the executor owns its worker threads"
            )]
            std::thread::Builder::new()
                .name(format!("chunkwise-worker-{w}"))
                .spawn_scoped(scope, move || worker(w, runner, shared, config, events))
                .expect("spawning a worker thread");
        }
    });
    let mut state = shared.state.into_inner();
    if let Some(e) = state.error.take() {
        return Err(e);
    }
    let outputs = graph
        .outputs()
        .iter()
        .map(|o| {
            state.results[o.index()]
                .clone()
                .ok_or_else(|| Error::internal("exec::threaded", "an output was released"))
        })
        .collect::<Result<_>>()?;
    Ok(Execution {
        outputs,
        peak_bytes: state.peak,
    })
}

fn worker<R: TaskRunner>(
    w: usize,
    runner: &R,
    shared: &Shared<'_, R::Output>,
    config: &RunConfig<'_>,
    events: Option<&Emitter<'_, R>>,
) {
    let graph = shared.graph;
    let n = graph.len();
    // Results released by the last completion, freed outside the lock before the next
    // task runs (so each task takes the lock once); likewise the finish event of the
    // last task, sent once its bookkeeping (and so the bytes held after it) is done.
    let mut released: Vec<Arc<R::Output>> = Vec::new();
    let mut finished: Option<Finished> = None;
    // The running task's block, and the finished one's, awaiting its event.
    let (mut block, mut finished_block) = (Vec::new(), Vec::new());
    let send_finished = |finished: &mut Option<Finished>, block: &[usize]| {
        if let (Some(e), Some(done)) = (events, finished.take()) {
            e.task_finish(done, w, block);
        }
    };
    let mut st = shared.lock();
    loop {
        if st.error.is_none() && config.cancelled() {
            st.error = Some(Error::Cancelled);
        }
        if st.error.is_some() || st.finished == n {
            shared.wake.notify_all();
            drop(st);
            send_finished(&mut finished, &finished_block);
            recycle(runner, &mut released);
            return;
        }
        let Some(task) = shared.select(&mut st, w) else {
            if !released.is_empty() || finished.is_some() {
                drop(st);
                send_finished(&mut finished, &finished_block);
                recycle(runner, &mut released);
                st = shared.lock();
                continue;
            }
            st.idle += 1;
            shared.wake.wait_for(&mut st, IDLE_POLL);
            st.idle -= 1;
            continue;
        };
        let projected = shared.projected[task.index()];
        st.running += 1;
        st.reserved += projected;
        st.peak = st.peak.max(st.live + st.reserved);
        let inputs = graph
            .deps(task)
            .iter()
            .map(|d| st.results[d.index()].clone())
            .collect::<Option<SmallVec<[Arc<R::Output>; 4]>>>();
        drop(st);
        send_finished(&mut finished, &finished_block);
        recycle(runner, &mut released);

        let start = events.map(|e| e.task_start(task, w, projected, &mut block));
        let outcome = match &inputs {
            Some(inputs) => {
                let refs: SmallVec<[&R::Output; 4]> = inputs.iter().map(AsRef::as_ref).collect();
                run_task(runner, task, &refs)
            }
            None => Err(Error::internal(
                "exec::threaded",
                "a dependency's result is missing",
            )),
        };
        let end = events.map(Emitter::now);
        drop(inputs);
        let bytes = outcome.as_ref().map_or(0, |v| R::output_bytes(v));

        st = shared.lock();
        st.running -= 1;
        st.reserved -= projected;
        match outcome {
            Ok(value) => {
                released = complete(shared, &mut st, w, task, value, bytes);
                if let (Some((layer, start)), Some(end)) = (start, end) {
                    std::mem::swap(&mut block, &mut finished_block);
                    finished = Some(Finished {
                        task,
                        layer,
                        start,
                        end,
                        bytes,
                        live: st.live + st.reserved,
                    });
                }
            }
            Err(e) => {
                if st.error.is_none() {
                    st.error = Some(e);
                }
                shared.wake.notify_all();
            }
        }
    }
}

/// Hands released results back to the runner (their buffers may be reused).
fn recycle<R: TaskRunner>(runner: &R, released: &mut Vec<Arc<R::Output>>) {
    for v in released.drain(..) {
        if let Ok(v) = Arc::try_unwrap(v) {
            runner.recycle(v);
        }
    }
}

/// Records `task`'s result, releases the inputs nobody will read again, and queues the
/// dependents whose last dependency this was (the best one in `worker`'s run-next slot).
/// Returns the released results, to be freed outside the lock.
fn complete<O>(
    shared: &Shared<'_, O>,
    st: &mut State<O>,
    worker: usize,
    task: TaskId,
    value: O,
    bytes: u64,
) -> Vec<Arc<O>> {
    let graph = shared.graph;
    st.finished += 1;
    let t = task.index();
    let mut released = Vec::new();
    if st.refcount[t] > 0 {
        st.results[t] = Some(Arc::new(value));
        st.held[t] = bytes;
        st.live += bytes;
        st.peak = st.peak.max(st.live + st.reserved);
    }
    for d in graph.deps(task) {
        let rc = &mut st.refcount[d.index()];
        *rc -= 1;
        if *rc == 0 {
            if let Some(v) = st.results[d.index()].take() {
                st.live -= st.held[d.index()];
                released.push(v);
            }
        }
    }
    let mut best: Option<TaskId> = None;
    for &s in graph.dependents(task) {
        let r = &mut st.remaining[s.index()];
        *r -= 1;
        if *r != 0 {
            continue;
        }
        match best {
            None => best = Some(s),
            Some(b) if shared.prio[s.index()] < shared.prio[b.index()] => {
                shared.push_ready(st, worker, b);
                best = Some(s);
            }
            Some(_) => {
                shared.push_ready(st, worker, s);
            }
        }
    }
    if let Some(b) = best {
        if st.run_next[worker].is_none() {
            st.run_next[worker] = Some(b);
        } else {
            shared.push_ready(st, worker, b);
        }
    }
    // Others may now have work: queued tasks to steal, or room for a task that waited
    // for memory (this task's reservation has just ended).
    if st.idle > 0 || st.finished == graph.len() {
        shared.wake.notify_all();
    }
    released
}
