//! [`TaskGraph`], the dense task graph, and the executors that run it.
//!
//! A task graph is a set of tasks numbered `0..n` with dependency lists in compressed
//! (CSR) arrays: no string keys, no hashing at run time. Task ids are a topological
//! order, and the executors use them as the static priority (lower runs first).
//!
//! An executor knows nothing about what a task computes: it calls a [`TaskRunner`] with the
//! task's inputs, keeps each result until its last consumer has run (reference counts),
//! and returns the results of the graph's output tasks. Both executors give identical
//! results; the single-threaded one runs tasks in id order, for debugging.
//!
//! The threaded executor is memory-aware: tasks that load or generate new data (roots)
//! start only when no other task is ready and the bytes held plus the bytes being produced
//! fit the memory budget (if nothing is running, the best task runs anyway, so the budget
//! never deadlocks); see `threaded.rs` for its invariants and [`order`] for the static
//! priorities.
//!
//! Where it sits: plan → **exec** → results.

pub(crate) mod budget;
mod events;
#[cfg(feature = "mpi")]
pub mod mpi;
pub(crate) mod order;
#[cfg_attr(
    not(feature = "mpi"),
    allow(
        dead_code,
        reason = "ranks are processes under MPI; tests run them as threads"
    )
)]
pub(crate) mod ranks;
mod sync;
mod threaded;
pub(crate) mod workers;

use std::any::Any;
use std::sync::Arc;

pub(crate) use budget::{held_bytes, HeldBytes};
pub use budget::{MemoryLimit, MEMORY_LIMIT_ENV};
use events::Emitter;
pub(crate) use events::Observers;
pub use events::{CancelToken, Observer, RunEnd, RunStart, TaskFinish, TaskStart, TasksAdded};

use crate::error::{Error, Result};

/// Index of a task in a [`TaskGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TaskId(pub(crate) u32);

impl TaskId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// What identifies a task to a user: its operation and output block.
#[derive(Clone, Debug)]
pub(crate) struct TaskLabel {
    pub(crate) op: String,
    pub(crate) block: Vec<usize>,
}

/// Runs the kernel of one task.
pub(crate) trait TaskRunner: Sync {
    /// What a task produces.
    type Output: Send + Sync;
    /// Computes task `task` from its inputs, given in the order of its dependency list.
    fn run(&self, task: TaskId, inputs: &[&Self::Output]) -> Result<Self::Output>;
    /// The task's operation and block, for error messages.
    fn label(&self, task: TaskId) -> TaskLabel;
    /// The task's layer (an index into [`layer_labels`](Self::layer_labels)), with its
    /// block's coordinates written into `block` (cheap: called for every event).
    fn describe_task(&self, task: TaskId, block: &mut Vec<usize>) -> u32;
    /// The label of each layer, for events.
    fn layer_labels(&self) -> Vec<String>;
    /// Bytes the tasks read or generate, and return or write, as projected (for events).
    fn io_bytes(&self) -> (u64, u64) {
        (0, 0)
    }
    /// Exact bytes held by a result.
    fn output_bytes(value: &Self::Output) -> u64;
    /// Takes back a result nobody will read again (its buffers may be reused).
    fn recycle(&self, value: Self::Output) {
        drop(value);
    }
    /// Appends `value` as bytes, for another process (see `ranks`).
    fn encode(value: &Self::Output, out: &mut Vec<u8>);
    /// The value [`encode`](Self::encode) wrote into `bytes`.
    fn decode(&self, bytes: &[u8]) -> Result<Self::Output>;
    /// Bytes the task needs while it runs besides its inputs and output (its kernel's
    /// temporaries); the executor admits a task only while they fit too.
    fn scratch_bytes(&self, _task: TaskId) -> u64 {
        0
    }
}

/// How to run a task graph.
#[derive(Clone, Copy)]
pub(crate) struct RunConfig<'a> {
    pub(crate) executor: Executor,
    /// Bytes that live results plus running tasks may hold.
    pub(crate) memory_limit: u64,
    pub(crate) cancel: Option<&'a CancelToken>,
    pub(crate) observer: Option<&'a dyn Observer>,
    /// The plan as text, for observers that ask ([`RunStart::plan`]).
    pub(crate) describe: &'a (dyn Fn() -> String + Sync),
}

impl<'a> RunConfig<'a> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(CancelToken::is_cancelled)
    }

    /// The events of a run of `tasks` tasks on `workers` workers, when someone observes.
    fn emitter<R: TaskRunner>(
        &self,
        runner: &'a R,
        tasks: usize,
        workers: usize,
    ) -> Option<Emitter<'a, R>> {
        let observer = self.observer?;
        Some(Emitter::start(
            observer,
            runner,
            tasks,
            workers,
            self.memory_limit,
            self.describe,
        ))
    }
}

/// What a run produced, and what it measured.
#[derive(Debug)]
pub(crate) struct Execution<O> {
    /// Results of the graph's outputs, in order.
    pub(crate) outputs: Vec<Arc<O>>,
    /// The largest number of bytes held at once by results and running tasks.
    pub(crate) peak_bytes: u64,
}

/// Tasks `0..n` with their dependencies and dependents in CSR form, and the bytes each
/// task is expected to produce.
#[derive(Debug)]
pub(crate) struct TaskGraph {
    dep_starts: Vec<u32>,
    deps: Vec<TaskId>,
    dependent_starts: Vec<u32>,
    dependents: Vec<TaskId>,
    outputs: Vec<TaskId>,
    out_bytes: Vec<u64>,
}

impl TaskGraph {
    /// A graph from each task's dependency list (`deps[dep_starts[t]..dep_starts[t + 1]]`,
    /// all smaller than `t`), the tasks whose results are returned, and each task's
    /// projected output bytes.
    pub(crate) fn new(
        dep_starts: Vec<u32>,
        deps: Vec<TaskId>,
        outputs: Vec<TaskId>,
        out_bytes: Vec<u64>,
    ) -> TaskGraph {
        let n = dep_starts.len() - 1;
        let mut counts = vec![0u32; n + 1];
        for d in &deps {
            counts[d.index() + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let dependent_starts = counts.clone();
        let mut fill = counts;
        let mut dependents = vec![TaskId(0); deps.len()];
        for t in 0..n {
            for d in &deps[dep_starts[t] as usize..dep_starts[t + 1] as usize] {
                let slot = &mut fill[d.index()];
                dependents[*slot as usize] = TaskId(u32::try_from(t).expect("task ids fit u32"));
                *slot += 1;
            }
        }
        debug_assert_eq!(out_bytes.len(), n);
        TaskGraph {
            dep_starts,
            deps,
            dependent_starts,
            dependents,
            outputs,
            out_bytes,
        }
    }

    /// Bytes task `t` is expected to produce.
    pub(crate) fn out_bytes(&self, t: TaskId) -> u64 {
        self.out_bytes[t.index()]
    }

    /// True for a task with no inputs: it loads or generates new data.
    pub(crate) fn is_root(&self, t: TaskId) -> bool {
        self.dep_starts[t.index()] == self.dep_starts[t.index() + 1]
    }

    /// Number of tasks.
    pub(crate) fn len(&self) -> usize {
        self.dep_starts.len() - 1
    }

    /// The tasks `t` reads, in kernel input order (may repeat a task).
    pub(crate) fn deps(&self, t: TaskId) -> &[TaskId] {
        &self.deps[self.dep_starts[t.index()] as usize..self.dep_starts[t.index() + 1] as usize]
    }

    /// The tasks that read `t` (once per edge).
    pub(crate) fn dependents(&self, t: TaskId) -> &[TaskId] {
        &self.dependents[self.dependent_starts[t.index()] as usize
            ..self.dependent_starts[t.index() + 1] as usize]
    }

    /// The tasks whose results are returned.
    pub(crate) fn outputs(&self) -> &[TaskId] {
        &self.outputs
    }

    /// How many times each task's result is read: one per dependent edge, plus one per
    /// appearance among the outputs.
    fn initial_refcounts(&self) -> Vec<u32> {
        let mut rc: Vec<u32> = (0..self.len())
            .map(|t| self.dependent_starts[t + 1] - self.dependent_starts[t])
            .collect();
        for o in &self.outputs {
            rc[o.index()] += 1;
        }
        rc
    }
}

/// Which executor runs a computation.
///
/// # Example
///
/// ```
/// use chunkwise::{ComputeOptions, Executor};
/// let opts = ComputeOptions::default().executor(Executor::SingleThreaded);
/// let x = chunkwise::ones::<f64>(&[4, 4], [2, 2]);
/// assert_eq!(x.sum(..).compute_scalar_with(&opts)?, 16.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Executor {
    /// Worker threads, one per core unless `threads` says otherwise.
    #[default]
    Threaded,
    /// Worker threads, this many.
    Threads(usize),
    /// Every task on the calling thread, in a fixed order (for debugging).
    SingleThreaded,
    /// The tasks shared out among the ranks of an MPI job (cargo feature `mpi`; see
    /// `chunkwise::mpi`), each rank running its share on its cores (the cores of a
    /// machine shared among its ranks); every rank returns every result. A process
    /// launched on its own runs everything, on all cores.
    Mpi,
}

/// Runs every task of `graph` and returns the results of its outputs, in order.
pub(crate) fn execute<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    config: &RunConfig<'_>,
) -> Result<Execution<R::Output>> {
    match config.executor {
        Executor::SingleThreaded => sync::run(graph, runner, config),
        Executor::Threaded => threaded::run(graph, runner, default_threads(), config),
        Executor::Threads(0) => Err(Error::parameter(
            "Executor::Threads",
            "threads",
            0,
            "at least 1 thread",
        )),
        Executor::Threads(n) => threaded::run(graph, runner, n, config),
        Executor::Mpi => across_ranks(graph, runner, config),
    }
}

/// Runs `graph` across the ranks of the MPI job, or alone when there is none.
#[cfg(feature = "mpi")]
fn across_ranks<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    config: &RunConfig<'_>,
) -> Result<Execution<R::Output>> {
    let threads = mpi::threads_per_rank();
    match mpi::world() {
        Some((world, traffic)) => ranks::run(graph, runner, config, threads, world, traffic),
        None => threaded::run(graph, runner, threads, config),
    }
}

/// Without the `mpi` feature there are no ranks to run across.
#[cfg(not(feature = "mpi"))]
fn across_ranks<R: TaskRunner>(
    _: &TaskGraph,
    _: &R,
    _: &RunConfig<'_>,
) -> Result<Execution<R::Output>> {
    Err(Error::Mpi {
        problem: "this chunkwise was built without MPI; build it with `cargo build \
                  --release --features mpi` (needs an MPI library and libclang)"
            .into(),
    })
}

/// Runs `first` on rank 0 of the MPI job, and `then` on the other ranks once rank 0 is
/// done (each returns rank 0's error if it failed): for what one process must do for
/// all (creating a Zarr array that every rank then writes into). Alone, runs `first`.
pub(crate) fn first_rank_then_others<T>(
    first: impl FnOnce() -> Result<T>,
    then: impl FnOnce() -> Result<T>,
) -> Result<T> {
    #[cfg(feature = "mpi")]
    if let Some((world, _)) = mpi::world() {
        let ranks = world.size();
        let (mine, status) = if world.rank() == 0 {
            let done = first();
            let status = match &done {
                Ok(_) => Vec::new(),
                Err(e) => ranks::error_chain(e).into_bytes(),
            };
            (Some(done), status)
        } else {
            (None, Vec::new())
        };
        let outgoing = vec![status; ranks];
        let incoming = world.exchange(outgoing)?;
        if let Some(done) = mine {
            return done;
        }
        if !incoming[0].is_empty() {
            return Err(Error::RankFailed {
                rank: 0,
                ranks,
                message: String::from_utf8_lossy(&incoming[0]).into_owned(),
            });
        }
        return then();
    }
    let _ = then;
    first()
}

/// Rank 0's `value()` on every rank of the MPI job (a collective); alone, `value()`.
#[cfg_attr(
    not(feature = "mpi"),
    expect(clippy::unnecessary_wraps, reason = "an exchange can fail under MPI")
)]
pub(crate) fn from_first_rank(value: impl FnOnce() -> Vec<u8>) -> Result<Vec<u8>> {
    #[cfg(feature = "mpi")]
    if let Some((world, _)) = mpi::world() {
        let mine = if world.rank() == 0 {
            value()
        } else {
            Vec::new()
        };
        let mut incoming = world.exchange(vec![mine; world.size()])?;
        return Ok(std::mem::take(&mut incoming[0]));
    }
    Ok(value())
}

/// Waits until every rank of the MPI job has come here (a collective); alone, returns.
pub(crate) fn barrier() -> Result<()> {
    from_first_rank(Vec::new).map(drop)
}

/// True on rank 0 of the MPI job, and alone.
pub(crate) fn is_first_rank() -> bool {
    #[cfg(feature = "mpi")]
    return mpi::world().is_none_or(|(world, _)| world.rank() == 0);
    #[cfg(not(feature = "mpi"))]
    true
}

/// The ranks of the MPI job this process is in (1 when alone).
pub(crate) fn ranks_in_job() -> usize {
    #[cfg(feature = "mpi")]
    return mpi::world().map_or(1, |(world, _)| world.size());
    #[cfg(not(feature = "mpi"))]
    1
}

/// Runs `f` as if this process were alone (no exchanges with other ranks): for what
/// one rank does for all, such as writing a shared input once.
pub(crate) fn alone<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            ALONE.with(|a| a.set(self.0));
        }
    }
    let _restore = Restore(ALONE.with(|a| a.replace(true)));
    f()
}

/// True inside [`alone`].
#[cfg_attr(
    not(feature = "mpi"),
    allow(dead_code, reason = "asked when finding the ranks")
)]
fn is_alone() -> bool {
    ALONE.with(std::cell::Cell::get)
}

thread_local! {
    /// Set inside [`alone`].
    static ALONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Non-zero while this thread runs a task, whose panic becomes an error.
    static CATCHING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// True while this thread runs a task: a panic now is caught and becomes the task's
/// error (the MPI panic hook must not abort the job for it).
#[cfg_attr(
    not(feature = "mpi"),
    allow(dead_code, reason = "asked by the MPI panic hook")
)]
pub(crate) fn catching_panics() -> bool {
    CATCHING.with(|c| c.get() > 0)
}

/// Sends the end of a run to its observer, if any, and returns its result.
fn finish_run<R: TaskRunner, O>(
    events: Option<&Emitter<'_, R>>,
    result: Result<Execution<O>>,
) -> Result<Execution<O>> {
    if let Some(events) = events {
        match &result {
            Ok(e) => events.finish(e.peak_bytes, None),
            Err(err) => events.finish(0, Some(err)),
        }
    }
    result
}

/// One worker per available core. Asked once per process: the standard library reads
/// the cgroup files of `/proc` and `/sys` on every call, and that was a quarter of the
/// time of a small computation (`compute` of 64 Ki elements, 107 µs).
pub(crate) fn default_threads() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES
        .get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

/// Runs one task, turning a panic in its kernel into an error that names it.
pub(crate) fn run_task<R: TaskRunner>(
    runner: &R,
    task: TaskId,
    inputs: &[&R::Output],
) -> Result<R::Output> {
    match catch_panic(|| runner.run(task, inputs)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            let label = runner.label(task);
            Err(match e {
                already @ (Error::TaskFailed { .. } | Error::TaskPanicked { .. }) => already,
                source => Error::TaskFailed {
                    op: label.op,
                    block: label.block,
                    cause: Box::new(source),
                },
            })
        }
        Err(message) => {
            let label = runner.label(task);
            Err(Error::TaskPanicked {
                op: label.op,
                block: label.block,
                message,
            })
        }
    }
}

/// Runs `f` as a task's kernel: a panic in it is caught (and not reported by the MPI
/// panic hook, see [`catching_panics`]) and returned as its message.
fn catch_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    CATCHING.with(|c| c.set(c.get() + 1));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    outcome.map_err(|payload| panic_message(payload.as_ref()))
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

    /// A result that counts how many of its kind are alive, to prove every intermediate
    /// is freed.
    #[derive(Debug)]
    struct Tracked {
        value: u64,
        alive: Arc<AtomicI64>,
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.alive.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Each task returns the sum of its inputs plus its id; `fail_at` panics or errors
    /// there.
    struct SumRunner {
        fail_at: Option<(u32, bool)>,
        runs: AtomicUsize,
        alive: Arc<AtomicI64>,
    }

    impl SumRunner {
        fn new(fail_at: Option<(u32, bool)>) -> SumRunner {
            SumRunner {
                fail_at,
                runs: AtomicUsize::new(0),
                alive: Arc::new(AtomicI64::new(0)),
            }
        }
    }

    impl TaskRunner for SumRunner {
        type Output = Tracked;
        fn run(&self, task: TaskId, inputs: &[&Tracked]) -> Result<Tracked> {
            self.runs.fetch_add(1, Ordering::Relaxed);
            if let Some((t, panic)) = self.fail_at {
                if t == task.0 {
                    assert!(!panic, "boom at {t}");
                    return Err(Error::Cancelled);
                }
            }
            self.alive.fetch_add(1, Ordering::SeqCst);
            Ok(Tracked {
                value: inputs.iter().map(|v| v.value).sum::<u64>() + u64::from(task.0),
                alive: self.alive.clone(),
            })
        }
        fn label(&self, task: TaskId) -> TaskLabel {
            TaskLabel {
                op: "sum_runner".into(),
                block: vec![task.index()],
            }
        }
        fn describe_task(&self, task: TaskId, block: &mut Vec<usize>) -> u32 {
            block.clear();
            block.push(task.index());
            0
        }
        fn layer_labels(&self) -> Vec<String> {
            vec!["sum_runner".into()]
        }
        fn output_bytes(_: &Tracked) -> u64 {
            100
        }
        fn encode(value: &Tracked, out: &mut Vec<u8>) {
            out.extend_from_slice(&value.value.to_le_bytes());
        }
        fn decode(&self, bytes: &[u8]) -> Result<Tracked> {
            let value = u64::from_le_bytes(bytes.try_into().map_err(|_| Error::Cancelled)?);
            self.alive.fetch_add(1, Ordering::SeqCst);
            Ok(Tracked {
                value,
                alive: self.alive.clone(),
            })
        }
    }

    fn no_description() -> String {
        String::new()
    }

    fn config(executor: Executor, memory_limit: u64) -> RunConfig<'static> {
        RunConfig {
            executor,
            memory_limit,
            cancel: None,
            observer: None,
            describe: &no_description,
        }
    }

    /// 0 -> 1 -> 3, 0 -> 2 -> 3, 3 -> 4 (twice), outputs 4 and 2.
    fn diamond() -> TaskGraph {
        let deps = [0, 0, 1, 2, 3, 3].map(TaskId).to_vec();
        TaskGraph::new(
            vec![0, 0, 1, 2, 4, 6],
            deps,
            vec![TaskId(4), TaskId(2)],
            vec![100; 5],
        )
    }

    const EXECUTORS: [Executor; 4] = [
        Executor::SingleThreaded,
        Executor::Threads(1),
        Executor::Threads(2),
        Executor::Threads(4),
    ];

    #[test]
    fn dependents_are_the_reverse_edges() {
        let g = diamond();
        assert_eq!(g.dependents(TaskId(0)), &[TaskId(1), TaskId(2)]);
        assert_eq!(g.dependents(TaskId(3)), &[TaskId(4), TaskId(4)]);
        assert_eq!(g.initial_refcounts(), vec![2, 1, 2, 2, 1]);
        assert!(g.is_root(TaskId(0)) && !g.is_root(TaskId(1)));
    }

    #[test]
    fn executors_agree_and_report_failures() {
        for exec in EXECUTORS {
            let r = SumRunner::new(None);
            let out = execute(&diamond(), &r, &config(exec, u64::MAX)).unwrap();
            // t0 = 0, t1 = 1, t2 = 2, t3 = 1 + 2 + 3 = 6, t4 = 6 + 6 + 4 = 16
            assert_eq!(
                (out.outputs[0].value, out.outputs[1].value),
                (16, 2),
                "{exec:?}"
            );
            assert_eq!(r.runs.load(Ordering::Relaxed), 5);
            // Only the two outputs are alive once the run is over.
            assert_eq!(r.alive.load(Ordering::SeqCst), 2);
            drop(out);
            assert_eq!(r.alive.load(Ordering::SeqCst), 0);
            for panic in [true, false] {
                let r = SumRunner::new(Some((3, panic)));
                let err = execute(&diamond(), &r, &config(exec, u64::MAX)).unwrap_err();
                match (panic, &err) {
                    (true, Error::TaskPanicked { op, block, message }) => {
                        assert_eq!((op.as_str(), block.as_slice()), ("sum_runner", &[3][..]));
                        assert!(message.contains("boom at 3"));
                    }
                    (false, Error::TaskFailed { block, .. }) => assert_eq!(block, &[3]),
                    _ => panic!("unexpected {err:?}"),
                }
                // Task 4 never starts once 3 failed, and nothing is left alive.
                assert!(r.runs.load(Ordering::Relaxed) <= 4);
                assert_eq!(r.alive.load(Ordering::SeqCst), 0);
            }
        }
        let r = SumRunner::new(None);
        let err = execute(&diamond(), &r, &config(Executor::Threads(0), u64::MAX));
        assert!(matches!(err, Err(Error::InvalidParameter { .. })));
    }

    #[test]
    fn a_cancelled_run_returns_cancelled_and_frees_everything() {
        let token = CancelToken::new();
        token.cancel();
        for exec in EXECUTORS {
            let r = SumRunner::new(None);
            let cfg = RunConfig {
                cancel: Some(&token),
                ..config(exec, u64::MAX)
            };
            let err = execute(&diamond(), &r, &cfg).unwrap_err();
            assert!(matches!(err, Error::Cancelled), "{exec:?}");
            assert_eq!(r.alive.load(Ordering::SeqCst), 0);
        }
    }

    /// A random DAG: task `t` reads up to 3 earlier tasks.
    fn random_graph() -> impl Strategy<Value = TaskGraph> {
        (1usize..60)
            .prop_flat_map(|n| {
                let deps = (0..n)
                    .map(|t| {
                        proptest::collection::vec(0..t.max(1), if t == 0 { 0..1 } else { 0..4 })
                    })
                    .collect::<Vec<_>>();
                (Just(n), deps, proptest::collection::vec(1u64..1000, n))
            })
            .prop_map(|(n, deps, bytes)| {
                let mut starts = vec![0u32];
                let mut flat = Vec::new();
                let mut read = vec![false; n];
                for (t, d) in deps.iter().enumerate() {
                    for &x in d {
                        if x < t {
                            flat.push(TaskId(x as u32));
                            read[x] = true;
                        }
                    }
                    starts.push(flat.len() as u32);
                }
                let outputs = (0..n)
                    .filter(|&t| !read[t])
                    .map(|t| TaskId(t as u32))
                    .collect();
                TaskGraph::new(starts, flat, outputs, bytes)
            })
    }

    /// The outputs of `g`, computed on one thread without failures.
    fn reference_values(g: &TaskGraph) -> Vec<u64> {
        let r = SumRunner::new(None);
        let out = execute(g, &r, &config(Executor::SingleThreaded, u64::MAX)).unwrap();
        out.outputs.iter().map(|v| v.value).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn every_executor_and_budget_gives_the_same_results_and_frees_everything(
            g in random_graph(),
            fail in proptest::option::of((0u32..60, any::<bool>())),
            budget in prop_oneof![Just(u64::MAX), 1u64..2000],
        ) {
            let fail = fail.filter(|(t, _)| (*t as usize) < g.len());
            let reference = reference_values(&g);
            for exec in EXECUTORS {
                let r = SumRunner::new(fail);
                let result = execute(&g, &r, &config(exec, budget));
                match (fail, result) {
                    (None, Ok(out)) => {
                        let values: Vec<u64> = out.outputs.iter().map(|v| v.value).collect();
                        prop_assert_eq!(&values, &reference);
                        prop_assert_eq!(r.runs.load(Ordering::Relaxed), g.len());
                    }
                    (Some(_), Err(Error::TaskPanicked { .. } | Error::TaskFailed { .. })) => {}
                    (f, other) => prop_assert!(false, "{exec:?} fail={f:?}: {other:?}"),
                }
                prop_assert_eq!(r.alive.load(Ordering::SeqCst), 0, "{:?} leaked results", exec);
            }
        }

        #[test]
        fn ranks_together_give_every_result_to_every_rank_running_each_task_once(
            g in random_graph(),
            ranks in 1usize..5,
            fail in proptest::option::of((0u32..60, any::<bool>())),
            budget in prop_oneof![Just(u64::MAX), 1u64..2000],
        ) {
            let fail = fail.filter(|(t, _)| (*t as usize) < g.len());
            let reference = reference_values(&g);
            let runner = SumRunner::new(fail);
            let hub = ranks::threads::Hub::new(ranks);
            let traffic = ranks::Traffic::default();
            let results: Vec<Result<Vec<u64>>> = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..ranks)
                    .map(|rank| {
                        let (g, runner, hub, traffic) = (&g, &runner, &hub, &traffic);
                        scope.spawn(move || {
                            let me = ranks::threads::ThreadRank { hub, rank };
                            let threads = 1 + rank % 2;
                            ranks::run(g, runner, &config(Executor::Mpi, budget), threads, &me, traffic)
                                .map(|e| e.outputs.iter().map(|v| v.value).collect())
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let part = ranks::Partition::new(&g, &runner, ranks);
            prop_assert_eq!(part.tasks_per_rank(ranks).iter().sum::<u64>(), g.len() as u64);
            if fail.is_none() {
                for r in &results {
                    prop_assert_eq!(r.as_ref().unwrap(), &reference);
                }
                prop_assert_eq!(runner.runs.load(Ordering::Relaxed), g.len());
                prop_assert_eq!(traffic.tasks.load(Ordering::Relaxed), g.len() as u64);
            } else {
                {
                    // Every rank stops with an error: the failed one its own, the others
                    // naming it.
                    let own = results
                        .iter()
                        .filter(|r| matches!(r, Err(Error::TaskPanicked { .. } | Error::TaskFailed { .. })))
                        .count();
                    prop_assert_eq!(own, 1);
                    for r in &results {
                        let ok = matches!(
                            r,
                            Err(Error::TaskPanicked { .. } | Error::TaskFailed { .. } | Error::RankFailed { .. })
                        );
                        prop_assert!(ok, "{:?}", r);
                    }
                }
            }
            drop(results);
            prop_assert_eq!(runner.alive.load(Ordering::SeqCst), 0, "leaked results");
        }

        #[test]
        fn orders_are_topological(g in random_graph()) {
            let prio = order::priorities(&g);
            prop_assert!(order::is_topological(&g, &prio));
        }
    }
}
