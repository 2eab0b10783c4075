//! The events of a computation and who receives them: [`Observer`], with [`RunStart`],
//! [`TaskStart`], [`TaskFinish`] and [`RunEnd`], cheap enough to leave on; and
//! [`CancelToken`], which stops a running computation from another thread.
//!
//! The executor sends the events without knowing what a task computes: what names a
//! task (its layer, the layer's label, its block) comes from the task runner, written
//! into a buffer each worker reuses, so an event allocates nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{TaskId, TaskRunner};
use crate::error::Error;

/// A computation about to run.
///
/// # Example
///
/// An observer that follows one computation from its start to its end:
///
/// ```
/// use std::sync::Mutex;
/// use std::sync::Arc;
/// use chunkwise::{ComputeOptions, Observer, RunEnd, RunStart, TaskFinish, TaskStart};
///
/// #[derive(Default)]
/// struct Log(Mutex<Vec<String>>);
/// impl Observer for Log {
///     fn on_start(&self, run: &RunStart<'_>) {
///         let (input, _) = run.io_bytes();
///         assert!(run.plan().starts_with("plan:") && input == 800); // 100 doubles
///         self.0.lock().unwrap().push(format!("{} tasks", run.tasks));
///     }
///     fn on_task_start(&self, t: &TaskStart<'_>) {
///         assert!(t.block.len() <= 1 && !t.op.is_empty());
///     }
///     fn on_task_finish(&self, t: &TaskFinish<'_>) {
///         self.0.lock().unwrap().push(format!("{} {:?} {:?}", t.op, t.block, t.elapsed() > std::time::Duration::ZERO));
///     }
///     fn on_finish(&self, end: &RunEnd<'_>) {
///         assert!(end.error.is_none() && end.peak_bytes > 0);
///     }
/// }
///
/// let log = Arc::new(Log::default());
/// let x = chunkwise::random::uniform::<f64>(&[100], [50], 1);
/// x.sum(..).compute_scalar_with(&ComputeOptions::default().single_threaded().observer(log.clone()))?;
/// let log = log.0.lock().unwrap();
/// assert_eq!(log[0], "3 tasks"); // two partial sums, one combine
/// assert_eq!(log.len(), 4);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct RunStart<'a> {
    /// Tasks that will run.
    pub tasks: usize,
    /// Worker threads running them.
    pub workers: usize,
    /// Bytes that results and running tasks may hold at once.
    pub budget_bytes: u64,
    /// The label of each layer (a group of tasks computing one operation's blocks),
    /// indexed by [`TaskStart::layer`].
    pub layers: &'a [String],
    describe: &'a (dyn Fn() -> String + Sync),
    io_bytes: &'a (dyn Fn() -> (u64, u64) + Sync),
}

impl std::fmt::Debug for RunStart<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunStart")
            .field("tasks", &self.tasks)
            .field("workers", &self.workers)
            .field("budget_bytes", &self.budget_bytes)
            .field("layers", &self.layers)
            .finish_non_exhaustive()
    }
}

impl<'a> RunStart<'a> {
    /// The start of a run described by `describe`, reading or writing what `io_bytes`
    /// counts.
    pub(super) fn new(
        tasks: usize,
        workers: usize,
        budget_bytes: u64,
        layers: &'a [String],
        describe: &'a (dyn Fn() -> String + Sync),
        io_bytes: &'a (dyn Fn() -> (u64, u64) + Sync),
    ) -> RunStart<'a> {
        RunStart {
            tasks,
            workers,
            budget_bytes,
            layers,
            describe,
            io_bytes,
        }
    }

    /// The plan being run, as [`LazyArray::explain`](crate::LazyArray::explain) prints
    /// it (rendered on each call: ask once).
    #[must_use]
    pub fn plan(&self) -> String {
        (self.describe)()
    }

    /// Bytes the tasks will read from storage or memory or generate, and return or
    /// write, as projected (counted over the tasks on each call: ask once).
    #[must_use]
    pub fn io_bytes(&self) -> (u64, u64) {
        (self.io_bytes)()
    }
}

/// Tasks added to a computation that is running: what a [`Client`](crate::client::Client)
/// sends for each submission (its computation is open-ended: it starts with no tasks and
/// ends when the client closes). Static computations never send it.
///
/// # Example
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use chunkwise::{client::Client, ComputeOptions, Observer, TasksAdded};
///
/// #[derive(Default)]
/// struct Planned(AtomicUsize);
/// impl Observer for Planned {
///     fn on_tasks_added(&self, added: &TasksAdded<'_>) {
///         self.0.fetch_add(added.tasks, Ordering::Relaxed);
///     }
/// }
///
/// let planned = Arc::new(Planned::default());
/// let client = Client::with_options(&ComputeOptions::default().threads(1).observer(planned.clone()))?;
/// let two = client.submit("two", || 2).map("square", |x: &i32| x * x);
/// assert_eq!(*two.result()?, 4);
/// assert_eq!(planned.0.load(Ordering::Relaxed), 2);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct TasksAdded<'a> {
    /// How many tasks were added.
    pub tasks: usize,
    /// The labels of the layers the tasks add, numbered on from the layers of
    /// [`RunStart::layers`] and of the additions before (often empty: a client's tasks
    /// of one name share a layer).
    pub layers: &'a [String],
}

/// A task about to run.
///
/// # Example
///
/// See [`RunStart`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct TaskStart<'a> {
    /// The task's id in the task graph (unique within one computation).
    pub task: u32,
    /// The task's layer, an index into [`RunStart::layers`].
    pub layer: u32,
    /// The layer's label: its operation (and stage, for reductions).
    pub op: &'a str,
    /// The block the task computes, in the layer's chunk grid.
    pub block: &'a [usize],
    /// The worker thread running it (0-based).
    pub worker: usize,
    /// Bytes the task is expected to hold while it runs (output and scratch).
    pub projected_bytes: u64,
    /// When it starts, from the start of the computation.
    pub start: Duration,
}

/// A task that has finished.
///
/// # Example
///
/// See [`RunStart`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct TaskFinish<'a> {
    /// The task's id in the task graph (unique within one computation).
    pub task: u32,
    /// The task's layer, an index into [`RunStart::layers`].
    pub layer: u32,
    /// The layer's label: its operation (and stage, for reductions).
    pub op: &'a str,
    /// The block the task computed, in the layer's chunk grid.
    pub block: &'a [usize],
    /// The worker thread that ran it (0-based).
    pub worker: usize,
    /// When it started, from the start of the computation.
    pub start: Duration,
    /// When it ended, from the start of the computation.
    pub end: Duration,
    /// Bytes of the task's result.
    pub output_bytes: u64,
    /// Bytes held by results and running tasks once this task's result was kept and the
    /// inputs nobody reads again were released.
    pub live_bytes: u64,
    /// The budget `live_bytes` is kept under.
    pub budget_bytes: u64,
}

impl TaskFinish<'_> {
    /// Time spent in the task's kernel.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }
}

/// A computation that has ended, successfully or not.
///
/// # Example
///
/// See [`RunStart`].
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RunEnd<'a> {
    /// From the start of the computation.
    pub elapsed: Duration,
    /// The most bytes results and running tasks held at once.
    pub peak_bytes: u64,
    /// Why it failed, if it did.
    pub error: Option<&'a Error>,
}

/// Receives the events of a computation. Every method has an empty default.
///
/// Calls come from the worker threads, concurrently; keep them short.
///
/// # Example
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use chunkwise::{ComputeOptions, Observer, TaskFinish};
///
/// #[derive(Default)]
/// struct Count(AtomicUsize);
/// impl Observer for Count {
///     fn on_task_finish(&self, event: &TaskFinish<'_>) {
///         assert!(event.end >= event.start && event.live_bytes <= event.budget_bytes);
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let count = Arc::new(Count::default());
/// let x = chunkwise::ones::<f64>(&[10, 10], [5, 5]);
/// let options = ComputeOptions::default().observer(count.clone());
/// x.sum(..).compute_scalar_with(&options)?;
/// assert_eq!(count.0.load(Ordering::Relaxed), x.sum(..).graph_stats()?.tasks);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub trait Observer: Send + Sync {
    /// The computation is about to run.
    fn on_start(&self, run: &RunStart<'_>) {
        let _ = run;
    }
    /// Tasks were added to the running computation (a client's submissions; see
    /// [`TasksAdded`]).
    fn on_tasks_added(&self, added: &TasksAdded<'_>) {
        let _ = added;
    }
    /// A task is about to run.
    fn on_task_start(&self, event: &TaskStart<'_>) {
        let _ = event;
    }
    /// A task has finished (successfully: a failure ends the computation, see
    /// [`on_finish`](Self::on_finish)).
    fn on_task_finish(&self, event: &TaskFinish<'_>) {
        let _ = event;
    }
    /// The computation has ended (successfully or not).
    fn on_finish(&self, end: &RunEnd<'_>) {
        let _ = end;
    }
}

/// Several observers as one, called in order.
pub(crate) struct Observers(pub(crate) Vec<Arc<dyn Observer>>);

impl Observers {
    /// `observers` as one observer, or `None` when there are none.
    pub(crate) fn combine(mut observers: Vec<Arc<dyn Observer>>) -> Option<Arc<dyn Observer>> {
        match observers.len() {
            0 => None,
            1 => observers.pop(),
            _ => Some(Arc::new(Observers(observers))),
        }
    }
}

impl Observer for Observers {
    fn on_start(&self, run: &RunStart<'_>) {
        self.0.iter().for_each(|o| o.on_start(run));
    }
    fn on_tasks_added(&self, added: &TasksAdded<'_>) {
        self.0.iter().for_each(|o| o.on_tasks_added(added));
    }
    fn on_task_start(&self, event: &TaskStart<'_>) {
        self.0.iter().for_each(|o| o.on_task_start(event));
    }
    fn on_task_finish(&self, event: &TaskFinish<'_>) {
        self.0.iter().for_each(|o| o.on_task_finish(event));
    }
    fn on_finish(&self, end: &RunEnd<'_>) {
        self.0.iter().for_each(|o| o.on_finish(end));
    }
}

/// How an executor sends events: the observer, the layer labels and the clock of one
/// computation.
pub(super) struct Emitter<'a, R> {
    observer: &'a dyn Observer,
    runner: &'a R,
    labels: Vec<String>,
    epoch: Instant,
    budget: u64,
}

/// What the executor measured of a finished task, sent once its bookkeeping is done.
#[derive(Clone, Copy)]
pub(super) struct Finished {
    pub(super) task: TaskId,
    pub(super) layer: u32,
    pub(super) start: Duration,
    pub(super) end: Duration,
    pub(super) bytes: u64,
    pub(super) live: u64,
}

impl<'a, R: TaskRunner> Emitter<'a, R> {
    /// Sends [`Observer::on_start`] and starts the clock.
    pub(super) fn start(
        observer: &'a dyn Observer,
        runner: &'a R,
        tasks: usize,
        workers: usize,
        budget: u64,
        describe: &'a (dyn Fn() -> String + Sync),
    ) -> Emitter<'a, R> {
        let labels = runner.layer_labels();
        observer.on_start(&RunStart {
            tasks,
            workers,
            budget_bytes: budget,
            layers: &labels,
            describe,
            io_bytes: &|| runner.io_bytes(),
        });
        Emitter {
            observer,
            runner,
            labels,
            epoch: Instant::now(),
            budget,
        }
    }

    /// The time from the start of the computation.
    pub(super) fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    fn label(&self, layer: u32) -> &str {
        self.labels.get(layer as usize).map_or("", String::as_str)
    }

    /// Sends [`Observer::on_task_start`] and returns the task's layer and start time;
    /// its block is left in `block` (the worker's reused buffer), for the finish event.
    pub(super) fn task_start(
        &self,
        task: TaskId,
        worker: usize,
        projected_bytes: u64,
        block: &mut Vec<usize>,
    ) -> (u32, Duration) {
        let layer = self.runner.describe_task(task, block);
        let start = self.now();
        self.observer.on_task_start(&TaskStart {
            task: task.0,
            layer,
            op: self.label(layer),
            block,
            worker,
            projected_bytes,
            start,
        });
        (layer, start)
    }

    /// Sends [`Observer::on_task_finish`]; `block` is what [`task_start`](Self::task_start)
    /// left.
    pub(super) fn task_finish(&self, done: Finished, worker: usize, block: &[usize]) {
        self.observer.on_task_finish(&TaskFinish {
            task: done.task.0,
            layer: done.layer,
            op: self.label(done.layer),
            block,
            worker,
            start: done.start,
            end: done.end,
            output_bytes: done.bytes,
            live_bytes: done.live,
            budget_bytes: self.budget,
        });
    }

    /// Sends [`Observer::on_finish`].
    pub(super) fn finish(&self, peak_bytes: u64, error: Option<&Error>) {
        self.observer.on_finish(&RunEnd {
            elapsed: self.now(),
            peak_bytes,
            error,
        });
    }
}

/// Cancels a running computation from another thread.
///
/// No task starts after [`cancel`](Self::cancel); running tasks finish, intermediates are
/// freed, and `compute` returns [`crate::error::Error::Cancelled`].
///
/// # Example
///
/// ```
/// use chunkwise::{CancelToken, ComputeOptions, Error};
/// let token = CancelToken::new();
/// token.cancel();
/// let x = chunkwise::ones::<f64>(&[100], [10]);
/// let err = x.sum(..).compute_with(&ComputeOptions::default().cancel_token(token)).unwrap_err();
/// assert!(matches!(err, Error::Cancelled));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that has not been cancelled.
    #[must_use]
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Asks every computation using this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// True once [`cancel`](Self::cancel) has been called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
