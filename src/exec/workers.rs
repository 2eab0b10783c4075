//! [`Workers`]: persistent worker threads over a dynamic task table, what a
//! [`Client`](crate::client::Client) runs its futures and arrays on.
//!
//! Why a second scheduler: the threaded executor (`threaded.rs`) runs one static graph,
//! known in full before it starts, on threads that live for that run. A client's tasks
//! arrive one submission at a time, each depending on tasks submitted earlier, and its
//! threads outlive every submission. The rules are the threaded executor's, so both
//! behave alike under a budget:
//!
//! - **Readiness**: `remaining` counts a task's unfinished inputs; it is ready when that
//!   reaches 0 (at once, when every input had finished before it was submitted).
//! - **Priority**: submission order, earlier first. A batch (an array computation's task
//!   graph) takes a range of priorities and orders its tasks inside it by the static
//!   priorities of [`order`](super::order), so a submitted array runs as it would alone.
//! - **Admission**: a task starts only if the bytes held by results plus those reserved
//!   by running tasks plus its own projected bytes fit the budget, or if nothing is
//!   running (so the budget never deadlocks). The best ready task waits for room; no
//!   worse task overtakes it.
//! - **Results** are kept while a handle ([`Handle`], behind a `Future`) or an
//!   unfinished dependent needs them (`handles` and `readers` count them), and their
//!   bytes count against the budget for as long.
//! - **Failure**: a task whose job returns an error or panics fails with it; every task
//!   that depends on it, directly or not, fails without running, with
//!   [`Error::DependencyFailed`] naming it. Nothing else stops.
//! - **Cancellation**: a pending task (waiting or ready) is cancelled at once, and its
//!   dependents with it; a running task finishes, its result is dropped and it reports
//!   [`Error::FutureCancelled`]. Closing cancels every pending task, waits for the
//!   running ones and joins the threads.
//!
//! There is one ready heap, not one per worker: client tasks are coarse (a closure, a
//! chunk), so the lock is taken far less often than in the threaded executor.
//!
//! Events: one run per [`Workers`], from its start to its close: [`RunStart`] with no
//! tasks, a [`TasksAdded`](super::TasksAdded) per submission (the layers are the distinct
//! task names and array layer labels, numbered as they first appear), [`TaskStart`] and
//! [`TaskFinish`] per task that ran (task ids are the keys), and [`RunEnd`] at close.
//!
//! What bounds it: a finished task's entry is removed once nothing needs it (no handle,
//! no pending reader), so the table holds the pending tasks plus the results still
//! wanted. The lock is never held while a job runs or a result is freed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use indexmap::IndexSet;
use parking_lot::{Condvar, Mutex, MutexGuard};
use smallvec::SmallVec;

use super::events::{Observer, RunEnd, RunStart, TaskFinish, TaskStart, TasksAdded};
use super::{catch_panic, order, run_task, TaskGraph, TaskId, TaskRunner};
use crate::error::{Error, Result};
use crate::task::AnyValue;

/// Identifies a task of a [`Workers`] table: its submission number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct TaskKey(pub(crate) u64);

/// What a task computes from its inputs' results (in the order of its inputs).
pub(crate) type Job = Box<dyn FnOnce(&[&AnyValue]) -> Result<AnyValue> + Send>;

/// An input of a new task.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Input {
    /// A task submitted before, still held by a handle.
    Task(TaskKey),
    /// The task at this index of the same batch (an earlier one).
    InBatch(usize),
}

/// A task to add.
pub(crate) struct NewTask {
    /// Its name, for errors.
    pub(crate) name: String,
    /// Its layer: an index into its batch's layer labels.
    pub(crate) layer: u32,
    /// Its block in the layer's grid, for events (empty for a future).
    pub(crate) block: Vec<usize>,
    pub(crate) inputs: Vec<Input>,
    /// Its rank in the batch (0 first); priorities follow submission, then this.
    pub(crate) order: u32,
    /// Bytes it holds while running and its result holds once done.
    pub(crate) projected: u64,
    /// True when the submitter gets a [`Handle`] on it.
    pub(crate) handle: bool,
    pub(crate) job: Job,
}

/// Tasks added together, with the labels of their layers.
pub(crate) struct Batch {
    pub(crate) layers: Vec<String>,
    pub(crate) tasks: Vec<NewTask>,
}

/// How a task ended.
#[derive(Clone)]
enum Failure {
    /// Its job returned this error or panicked.
    Own(Arc<Error>),
    /// The task `dependency` it reads failed with `cause`.
    Dependency {
        dependency: Arc<str>,
        cause: Arc<Error>,
    },
    Cancelled,
}

enum Status {
    Waiting,
    Ready,
    Running,
    Done(AnyValue),
    Failed(Failure),
}

struct Slot {
    name: Arc<str>,
    layer: u32,
    block: Vec<usize>,
    inputs: Vec<TaskKey>,
    /// Tasks that read this one and have not finished (once per edge).
    dependents: Vec<TaskKey>,
    remaining: u32,
    /// Reads of the result still to come (one per pending dependent edge).
    readers: u32,
    handles: u32,
    projected: u64,
    priority: u64,
    job: Option<Job>,
    status: Status,
    cancel_requested: bool,
    /// Its rank among finished tasks (for `as_completed`), once final.
    completed: u64,
}

impl Slot {
    fn is_final(&self) -> bool {
        matches!(self.status, Status::Done(_) | Status::Failed(_))
    }
}

struct State {
    tasks: BTreeMap<TaskKey, Slot>,
    /// Ready tasks by (priority, key); entries of tasks cancelled since are skipped.
    ready: BinaryHeap<Reverse<(u64, TaskKey)>>,
    next_key: u64,
    next_priority: u64,
    layers: IndexSet<String>,
    /// Bytes of the results held.
    live: u64,
    /// Projected bytes of the running tasks.
    reserved: u64,
    peak: u64,
    running: usize,
    completions: u64,
    closing: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Workers wait here for a task they may start.
    work: Condvar,
    /// Handles wait here for a task to end.
    ended: Condvar,
    budget: u64,
    observer: Option<Arc<dyn Observer>>,
    epoch: Instant,
}

/// A cheap clone of a [`Workers`]' table: submits tasks, also after the owner is gone
/// (they are cancelled at once then).
#[derive(Clone)]
pub(crate) struct Pool(Arc<Shared>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("budget", &self.0.budget)
            .finish_non_exhaustive()
    }
}

/// The owner of the worker threads: closing it (or dropping it) cancels what is pending,
/// waits for what runs, and joins the threads.
pub(crate) struct Workers {
    pool: Pool,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("threads", &self.threads.len())
            .finish_non_exhaustive()
    }
}

impl Workers {
    /// Starts `threads` workers (at least 1) keeping results and running tasks under
    /// `budget` bytes, sending events to `observer`.
    pub(crate) fn start(
        threads: usize,
        budget: u64,
        observer: Option<Arc<dyn Observer>>,
    ) -> Workers {
        let threads = threads.max(1);
        if let Some(o) = &observer {
            let describe =
                move || format!("client: {threads} workers, tasks submitted as they come\n");
            o.on_start(&RunStart::new(0, threads, budget, &[], &describe, &|| {
                (0, 0)
            }));
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                tasks: BTreeMap::new(),
                ready: BinaryHeap::new(),
                next_key: 0,
                next_priority: 0,
                layers: IndexSet::new(),
                live: 0,
                reserved: 0,
                peak: 0,
                running: 0,
                completions: 0,
                closing: false,
            }),
            work: Condvar::new(),
            ended: Condvar::new(),
            budget,
            observer,
            epoch: Instant::now(),
        });
        let threads = (0..threads)
            .map(|w| {
                let shared = shared.clone();
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the executor owns its worker threads"
                )]
                std::thread::Builder::new()
                    .name(format!("chunkwise-client-{w}"))
                    .spawn(move || worker(w, &shared))
                    .expect("spawning a worker thread")
            })
            .collect();
        Workers {
            pool: Pool(shared),
            threads,
        }
    }

    /// The table, for submitting.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Worker threads.
    pub(crate) fn threads(&self) -> usize {
        self.threads.len()
    }

    /// Cancels every pending task, waits for the running ones, joins the threads and
    /// sends the end of the run. Closing twice does nothing more.
    pub(crate) fn close(&mut self) {
        let shared = &self.pool.0;
        {
            let mut st = shared.lock();
            if st.closing {
                return;
            }
            st.closing = true;
            let pending: Vec<TaskKey> = st
                .tasks
                .iter()
                .filter(|(_, s)| matches!(s.status, Status::Waiting | Status::Ready))
                .map(|(k, _)| *k)
                .collect();
            let mut freed = Vec::new();
            for key in pending {
                fail(&mut st, key, Failure::Cancelled, &mut freed);
            }
            shared.work.notify_all();
            shared.ended.notify_all();
        }
        for t in self.threads.drain(..) {
            // A worker that panicked outside a job has nothing left to clean up.
            let _ = t.join();
        }
        if let Some(o) = &shared.observer {
            let peak = shared.lock().peak;
            o.on_finish(&RunEnd {
                elapsed: shared.epoch.elapsed(),
                peak_bytes: peak,
                error: None,
            });
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.close();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }
}

impl Pool {
    /// Adds `batch` and returns a handle on each task that asked for one, in batch
    /// order. Inputs are tasks submitted before (held by handles) or earlier tasks of
    /// the batch. A task whose input has failed fails at once; after closing, every
    /// task is cancelled at once.
    pub(crate) fn submit(&self, batch: Batch) -> Vec<Handle> {
        let shared = &self.0;
        let mut st = shared.lock();
        let new_layers: Vec<String> = batch
            .layers
            .iter()
            .filter(|l| !st.layers.contains(*l))
            .cloned()
            .collect::<IndexSet<_>>()
            .into_iter()
            .collect();
        st.layers.extend(new_layers.iter().cloned());
        let layer_map: Vec<u32> = batch
            .layers
            .iter()
            .map(|l| st.layers.get_index_of(l).map_or(0, |i| i as u32))
            .collect();
        if let Some(o) = &shared.observer {
            o.on_tasks_added(&TasksAdded {
                tasks: batch.tasks.len(),
                layers: &new_layers,
            });
        }
        let base = st.next_key;
        let priority_base = st.next_priority;
        st.next_key += batch.tasks.len() as u64;
        st.next_priority += batch.tasks.len() as u64;
        let mut handles = Vec::new();
        let mut freed = Vec::new();
        for (i, task) in batch.tasks.into_iter().enumerate() {
            let key = TaskKey(base + i as u64);
            let inputs: Vec<TaskKey> = task
                .inputs
                .iter()
                .map(|input| match *input {
                    Input::Task(k) => k,
                    Input::InBatch(j) => TaskKey(base + j as u64),
                })
                .collect();
            let mut slot = Slot {
                name: task.name.into(),
                layer: layer_map.get(task.layer as usize).copied().unwrap_or(0),
                block: task.block,
                inputs: Vec::new(),
                dependents: Vec::new(),
                remaining: 0,
                readers: 0,
                handles: u32::from(task.handle),
                projected: task.projected,
                priority: priority_base + u64::from(task.order),
                job: Some(task.job),
                status: Status::Waiting,
                cancel_requested: false,
                completed: 0,
            };
            // The first failed input, if any: the new task fails at once (and `fail`
            // undoes its reads, so every input present counts one).
            let mut failed: Option<Failure> = None;
            for &input in &inputs {
                let Some(dep) = st.tasks.get_mut(&input) else {
                    failed.get_or_insert(Failure::Own(Arc::new(Error::internal(
                        "exec::workers",
                        "an input was released before its dependent was submitted",
                    ))));
                    continue;
                };
                dep.readers += 1;
                match &dep.status {
                    Status::Failed(f) => {
                        failed.get_or_insert_with(|| f.as_dependency(&dep.name));
                    }
                    Status::Done(_) => {}
                    _ => {
                        dep.dependents.push(key);
                        slot.remaining += 1;
                    }
                }
            }
            slot.inputs = inputs;
            st.tasks.insert(key, slot);
            if st.closing {
                failed = Some(Failure::Cancelled);
            }
            if let Some(f) = failed {
                fail(&mut st, key, f, &mut freed);
            } else if st.tasks[&key].remaining == 0 {
                make_ready(&mut st, key);
            }
            if task.handle {
                handles.push(Handle {
                    pool: self.clone(),
                    key,
                });
            }
        }
        shared.work.notify_all();
        drop(st);
        drop(freed);
        handles
    }
}

impl Failure {
    /// What a task reading the task `name`, which ended with `self`, reports.
    fn as_dependency(&self, name: &Arc<str>) -> Failure {
        match self {
            Failure::Own(cause) => Failure::Dependency {
                dependency: name.clone(),
                cause: cause.clone(),
            },
            Failure::Dependency { .. } => self.clone(),
            Failure::Cancelled => Failure::Dependency {
                dependency: name.clone(),
                cause: Arc::new(Error::FutureCancelled {
                    task: name.to_string(),
                }),
            },
        }
    }

    /// The error the task `task` reports.
    fn to_error(&self, task: &str) -> Error {
        match self {
            Failure::Own(cause) => Error::FutureFailed {
                task: task.to_string(),
                cause: cause.clone(),
            },
            Failure::Dependency { dependency, cause } => Error::DependencyFailed {
                task: task.to_string(),
                dependency: dependency.to_string(),
                cause: cause.clone(),
            },
            Failure::Cancelled => Error::FutureCancelled {
                task: task.to_string(),
            },
        }
    }
}

fn make_ready(st: &mut State, key: TaskKey) {
    let slot = st
        .tasks
        .get_mut(&key)
        .expect("a task being made ready is in the table");
    slot.status = Status::Ready;
    let priority = slot.priority;
    st.ready.push(Reverse((priority, key)));
}

/// Ends the pending task `key` (waiting, ready, or just run) with `failure`, and every
/// pending task that depends on it; releases their inputs (values nobody needs any more
/// go to `freed`, to be dropped outside the lock).
fn fail(st: &mut State, key: TaskKey, failure: Failure, freed: &mut Vec<AnyValue>) {
    let mut queue = vec![(key, failure)];
    while let Some((key, failure)) = queue.pop() {
        let Some(slot) = st.tasks.get_mut(&key) else {
            continue;
        };
        if slot.is_final() {
            continue;
        }
        let dependency = failure.as_dependency(&slot.name);
        slot.status = Status::Failed(failure);
        slot.job = None;
        st.completions += 1;
        slot.completed = st.completions;
        let inputs = std::mem::take(&mut slot.inputs);
        let dependents = std::mem::take(&mut slot.dependents);
        for input in inputs {
            unread(st, input, freed);
        }
        queue.extend(dependents.into_iter().map(|d| (d, dependency.clone())));
        remove_if_unneeded(st, key, freed);
    }
}

/// One read of `key`'s result is no longer to come.
fn unread(st: &mut State, key: TaskKey, freed: &mut Vec<AnyValue>) {
    if let Some(slot) = st.tasks.get_mut(&key) {
        slot.readers = slot.readers.saturating_sub(1);
        remove_if_unneeded(st, key, freed);
    }
}

/// Removes `key`'s entry once it has ended and neither a handle nor a reader needs it.
fn remove_if_unneeded(st: &mut State, key: TaskKey, freed: &mut Vec<AnyValue>) {
    let unneeded = st
        .tasks
        .get(&key)
        .is_some_and(|s| s.is_final() && s.readers == 0 && s.handles == 0);
    if unneeded {
        if let Some(Slot {
            status: Status::Done(value),
            ..
        }) = st.tasks.remove(&key)
        {
            st.live -= value.bytes();
            freed.push(value);
        }
    }
}

/// Records the result of the task `key`, which has just run, and readies the
/// dependents it was the last input of.
fn succeed(st: &mut State, key: TaskKey, value: AnyValue, freed: &mut Vec<AnyValue>) {
    if st.tasks.get(&key).is_none_or(|s| s.cancel_requested) {
        fail(st, key, Failure::Cancelled, freed);
        freed.push(value);
        return;
    }
    let slot = st
        .tasks
        .get_mut(&key)
        .expect("a running task is in the table");
    let bytes = value.bytes();
    slot.status = Status::Done(value);
    st.completions += 1;
    slot.completed = st.completions;
    let inputs = std::mem::take(&mut slot.inputs);
    let dependents = std::mem::take(&mut slot.dependents);
    st.live += bytes;
    st.peak = st.peak.max(st.live + st.reserved);
    for input in inputs {
        unread(st, input, freed);
    }
    for d in dependents {
        let Some(dep) = st.tasks.get_mut(&d) else {
            continue;
        };
        if matches!(dep.status, Status::Waiting) {
            dep.remaining -= 1;
            if dep.remaining == 0 {
                make_ready(st, d);
            }
        }
    }
    remove_if_unneeded(st, key, freed);
}

/// The best ready task if it may start now, taken off the heap.
fn select(st: &mut State, budget: u64) -> Option<TaskKey> {
    while let Some(&Reverse((_, key))) = st.ready.peek() {
        let Some(slot) = st
            .tasks
            .get(&key)
            .filter(|s| matches!(s.status, Status::Ready))
        else {
            st.ready.pop();
            continue;
        };
        let fits = st
            .live
            .saturating_add(st.reserved)
            .saturating_add(slot.projected)
            <= budget;
        if st.running == 0 || fits {
            st.ready.pop();
            return Some(key);
        }
        return None;
    }
    None
}

/// What a worker takes out of the table to run a task.
struct Taken {
    key: TaskKey,
    name: Arc<str>,
    layer: u32,
    label: String,
    block: Vec<usize>,
    projected: u64,
    job: Job,
    inputs: SmallVec<[AnyValue; 4]>,
}

fn take(st: &mut State, key: TaskKey) -> Option<Taken> {
    let label = {
        let slot = st.tasks.get(&key)?;
        st.layers
            .get_index(slot.layer as usize)
            .cloned()
            .unwrap_or_default()
    };
    let inputs = {
        let slot = &st.tasks[&key];
        slot.inputs
            .iter()
            .map(|k| match st.tasks.get(k).map(|s| &s.status) {
                Some(Status::Done(v)) => Some(v.clone()),
                _ => None,
            })
            .collect::<Option<SmallVec<[AnyValue; 4]>>>()
    };
    let Some(inputs) = inputs else {
        let failure = Failure::Own(Arc::new(Error::internal(
            "exec::workers",
            "a ready task's input has no result",
        )));
        let mut freed = Vec::new();
        fail(st, key, failure, &mut freed);
        return None;
    };
    let slot = st.tasks.get_mut(&key)?;
    slot.status = Status::Running;
    let job = slot.job.take()?;
    st.running += 1;
    st.reserved += slot.projected;
    st.peak = st.peak.max(st.live + st.reserved);
    Some(Taken {
        key,
        name: slot.name.clone(),
        layer: slot.layer,
        label,
        block: slot.block.clone(),
        projected: slot.projected,
        job,
        inputs,
    })
}

fn worker(w: usize, shared: &Shared) {
    let mut freed: Vec<AnyValue> = Vec::new();
    let mut st = shared.lock();
    loop {
        if st.closing {
            return;
        }
        let Some(key) = select(&mut st, shared.budget) else {
            shared.work.wait(&mut st);
            continue;
        };
        let Some(task) = take(&mut st, key) else {
            continue;
        };
        drop(st);
        drop(std::mem::take(&mut freed));
        let start = shared.epoch.elapsed();
        if let Some(o) = &shared.observer {
            o.on_task_start(&TaskStart {
                task: task.key.0 as u32,
                layer: task.layer,
                op: &task.label,
                block: &task.block,
                worker: w,
                projected_bytes: task.projected,
                start,
            });
        }
        let outcome = {
            let refs: SmallVec<[&AnyValue; 4]> = task.inputs.iter().collect();
            match catch_panic(|| (task.job)(&refs)) {
                Ok(outcome) => outcome,
                Err(message) => Err(Error::TaskPanicked {
                    op: task.name.to_string(),
                    block: Vec::new(),
                    message,
                }),
            }
        };
        let end = shared.epoch.elapsed();
        drop(task.inputs);
        let bytes = outcome.as_ref().map_or(0, AnyValue::bytes);
        let ran = outcome.is_ok();
        st = shared.lock();
        st.running -= 1;
        st.reserved -= task.projected;
        match outcome {
            Ok(value) => succeed(&mut st, task.key, value, &mut freed),
            Err(e) => fail(&mut st, task.key, Failure::Own(Arc::new(e)), &mut freed),
        }
        let live = st.live + st.reserved;
        shared.work.notify_all();
        shared.ended.notify_all();
        if let (true, Some(o)) = (ran, &shared.observer) {
            // Sent under the lock so that the bytes held it reports follow each other.
            o.on_task_finish(&TaskFinish {
                task: task.key.0 as u32,
                layer: task.layer,
                op: &task.label,
                block: &task.block,
                worker: w,
                start,
                end,
                output_bytes: bytes,
                live_bytes: live,
                budget_bytes: shared.budget,
            });
        }
    }
}

/// A claim on a task's result: while one lives, the result is kept. Cloning makes
/// another claim.
pub(crate) struct Handle {
    pool: Pool,
    key: TaskKey,
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handle")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Clone for Handle {
    fn clone(&self) -> Handle {
        if let Some(slot) = self.pool.0.lock().tasks.get_mut(&self.key) {
            slot.handles += 1;
        }
        Handle {
            pool: self.pool.clone(),
            key: self.key,
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let mut freed = Vec::new();
        {
            let mut st = self.pool.0.lock();
            if let Some(slot) = st.tasks.get_mut(&self.key) {
                slot.handles = slot.handles.saturating_sub(1);
            }
            remove_if_unneeded(&mut st, self.key, &mut freed);
        }
        drop(freed);
    }
}

impl Handle {
    /// The task's key.
    pub(crate) fn key(&self) -> TaskKey {
        self.key
    }

    /// The table the task is in.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The task's name.
    pub(crate) fn name(&self) -> Arc<str> {
        self.pool
            .0
            .lock()
            .tasks
            .get(&self.key)
            .map_or_else(|| Arc::from(""), |s| s.name.clone())
    }

    /// True once the task has ended (finished, failed or cancelled).
    pub(crate) fn done(&self) -> bool {
        self.pool
            .0
            .lock()
            .tasks
            .get(&self.key)
            .is_none_or(Slot::is_final)
    }

    /// Waits for the task to end and returns its result or its error.
    pub(crate) fn outcome(&self) -> Result<AnyValue> {
        let shared = &self.pool.0;
        let mut st = shared.lock();
        loop {
            let Some(slot) = st.tasks.get(&self.key) else {
                return Err(Error::internal(
                    "exec::workers",
                    "a task held by a handle left the table",
                ));
            };
            match &slot.status {
                Status::Done(v) => return Ok(v.clone()),
                Status::Failed(f) => return Err(f.to_error(&slot.name)),
                _ => shared.ended.wait(&mut st),
            }
        }
    }

    /// Cancels the task if it has not ended: a pending task, and every task depending
    /// on it, ends at once with [`Error::FutureCancelled`] (the dependents with
    /// [`Error::DependencyFailed`]); a running one finishes, and its result is dropped.
    pub(crate) fn cancel(&self) {
        let shared = &self.pool.0;
        let mut freed = Vec::new();
        {
            let mut st = shared.lock();
            let Some(slot) = st.tasks.get_mut(&self.key) else {
                return;
            };
            match slot.status {
                Status::Waiting | Status::Ready => {
                    fail(&mut st, self.key, Failure::Cancelled, &mut freed);
                }
                Status::Running => slot.cancel_requested = true,
                Status::Done(_) | Status::Failed(_) => return,
            }
            shared.ended.notify_all();
        }
        drop(freed);
    }
}

/// Waits until one of `handles` has ended, and returns the index of the one that ended
/// first (by the order in which tasks ended).
pub(crate) fn first_ended(handles: &[&Handle]) -> Option<usize> {
    let shared = &handles.first()?.pool.0;
    let mut st = shared.lock();
    loop {
        let best = handles
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let s = st.tasks.get(&h.key)?;
                s.is_final().then_some((s.completed, i))
            })
            .min();
        if let Some((_, i)) = best {
            return Some(i);
        }
        if handles.iter().all(|h| !st.tasks.contains_key(&h.key)) {
            return Some(0);
        }
        shared.ended.wait(&mut st);
    }
}

/// The tasks of `graph`, each running `runner`'s kernel, as a batch whose tasks rank by
/// the graph's static priorities; no task gets a handle. The layers are the runner's.
pub(crate) fn graph_batch<R>(graph: &TaskGraph, runner: &Arc<R>) -> Batch
where
    R: TaskRunner + Send + 'static,
    R::Output: 'static,
{
    let priorities = order::priorities(graph);
    let tasks = (0..graph.len() as u32)
        .map(TaskId)
        .map(|t| {
            let mut block = Vec::new();
            let layer = runner.describe_task(t, &mut block);
            let name = runner.label(t).op;
            let projected = graph.out_bytes(t) + runner.scratch_bytes(t);
            let runner = runner.clone();
            let job: Job = Box::new(move |inputs: &[&AnyValue]| {
                let values = inputs
                    .iter()
                    .map(|v| v.get::<R::Output>("an array task"))
                    .collect::<Result<SmallVec<[&R::Output; 4]>>>()?;
                let out = run_task(&*runner, t, &values)?;
                let bytes = R::output_bytes(&out);
                Ok(AnyValue::new(out, bytes))
            });
            NewTask {
                name,
                layer,
                block,
                inputs: graph
                    .deps(t)
                    .iter()
                    .map(|d| Input::InBatch(d.index()))
                    .collect(),
                order: priorities[t.index()],
                projected,
                handle: false,
                job,
            }
        })
        .collect();
    Batch {
        layers: runner.layer_labels(),
        tasks,
    }
}
