//! [`Client`] and [`Future`]: Dask's futures for Rust, on chunkwise's own worker threads.
//!
//! A client owns a pool of worker threads that live as long as it does. Each
//! [`submit`](Client::submit) starts a closure as soon as a worker and the memory budget
//! allow, and returns at once with a [`Future`], a handle on its result. Futures are inputs
//! to later tasks ([`Future::map`], [`Future::map2`], [`Client::combine`]), which start
//! when their inputs are ready; [`gather`], [`wait`] and [`as_completed`] collect results.
//! An array computation runs on the same workers ([`Client::compute`]), its tasks
//! interleaved with the futures' under the same budget.
//!
//! ```
//! use chunkwise::client::{self, Client};
//!
//! let client = Client::new()?;
//! let xs: Vec<_> = (1..=4).map(|i| client.submit("inc", move || i + 1)).collect();
//! let total = client.combine("sum", &xs, |xs: &[&i32]| xs.iter().copied().sum::<i32>());
//! assert_eq!(*total.result()?, 14);
//! assert_eq!(client::gather(&xs)?.iter().map(|x| **x).collect::<Vec<_>>(), [2, 3, 4, 5]);
//! # Ok::<(), chunkwise::Error>(())
//! ```
//!
//! Why threads of its own: chunkwise runs its work on threads it owns (no rayon, no async
//! runtime), and a client's tasks are scheduled by the same rules as a computation's (see
//! `docs/ARCHITECTURE.md`, "Futures"): priority by submission order, admission under the
//! memory budget, results kept while a future or a pending task needs them.
//!
//! What the API promises:
//! - **Errors**: a closure's error ([`Client::try_submit`] and the other `try_` forms)
//!   becomes [`Error::User`] naming the task; a panic becomes [`Error::TaskPanicked`]
//!   naming it. The future reports [`Error::FutureFailed`] with that error as its cause,
//!   and every future that depends on it, directly or not, reports
//!   [`Error::DependencyFailed`] naming the task that failed, without running.
//!   [`Error::root`] reaches the first error in both cases.
//! - **Cancellation**: [`Future::cancel`] ends a pending task at once, with every task
//!   depending on it; a running task finishes (a closure cannot be stopped), but its
//!   result is dropped and the future reports [`Error::FutureCancelled`].
//! - **Closing**: [`Client::close`], or dropping the client, cancels every pending task,
//!   waits for the running ones, stops the workers, and writes the report if one was
//!   asked for. Futures outlive their client: their results stay readable, and tasks
//!   submitted after closing are cancelled at once.
//! - **Memory**: a task's result is taken to hold [`TaskOptions::bytes`] bytes (by default
//!   the size of its type). A task starts only while the results held plus the tasks
//!   running plus its own bytes fit the budget, or when nothing else runs, so a task
//!   larger than the budget still runs, alone.
//!
//! What bounds it: a task's entry is dropped as soon as no future and no pending task
//! needs it. A closure must not wait for another future ([`Future::result`] inside a
//! task): with every worker waiting, nothing would run; feed the future in as an input
//! instead.

use std::marker::PhantomData;
use std::sync::Arc;

use ndarray::ArrayD;

use crate::array::LazyArray;
use crate::compute::{ComputeOptions, Detached};
use crate::diagnostics::Session;
use crate::element::Element;
use crate::error::{Error, Result};
use crate::exec::workers::{self, Batch, Handle, Input, Job, NewTask, Pool, Workers};
use crate::exec::{self, Executor, Observers};
use crate::kernel::Value;
use crate::task::{user_result, AnyValue, TaskOptions};

/// A pool of worker threads running submitted closures and array computations, until
/// it is closed or dropped.
///
/// # Example
///
/// ```
/// use chunkwise::client::Client;
/// use chunkwise::ComputeOptions;
///
/// let client = Client::with_options(&ComputeOptions::default().threads(2))?;
/// let x = client.submit("load", || vec![1.0, 2.0, 3.0]);
/// let total = x.map("total", |v: &Vec<f64>| v.iter().sum::<f64>());
/// assert_eq!(total.value()?, 6.0);
/// client.close()?;
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub struct Client {
    workers: Workers,
    session: Option<Session>,
    options: ComputeOptions,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("workers", &self.workers.threads())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with one worker per core and the default memory limit
    /// (`CHUNKWISE_MEMORY_LIMIT`, else 60% of physical memory).
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// assert!(client.workers() >= 1);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `CHUNKWISE_MEMORY_LIMIT` is set but is not a size.
    pub fn new() -> Result<Client> {
        Client::with_options(&ComputeOptions::default())
    }

    /// A client run as `options` ask: its threads ([`Executor::Threads`]; one per core
    /// otherwise), its memory limit, its observers (they see one computation, from
    /// the client's start to its close, growing with each submission), the report
    /// (written when the client is closed or dropped) and the dashboard (served while
    /// the client lives). The options also serve the array computations it runs.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{client::Client, ComputeOptions};
    /// let dir = tempfile::tempdir()?;
    /// let report = dir.path().join("futures.html");
    /// let client = Client::with_options(&ComputeOptions::default().threads(2).report(&report))?;
    /// assert_eq!(client.submit("answer", || 42).value()?, 42);
    /// client.close()?;
    /// assert!(std::fs::read_to_string(&report)?.contains(r#""op":"answer""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for `Executor::Threads(0)` or an invalid
    /// `CHUNKWISE_MEMORY_LIMIT`; [`Error::Dashboard`] when the dashboard's address cannot
    /// be listened on.
    pub fn with_options(options: &ComputeOptions) -> Result<Client> {
        let threads = match options.executor {
            Executor::Threads(0) => {
                return Err(Error::parameter(
                    "Client::with_options",
                    "threads",
                    0,
                    "at least 1 thread",
                ))
            }
            Executor::Threads(n) => n,
            _ => exec::default_threads(),
        };
        let budget = crate::compute::available_bytes(options)?;
        let session = Session::start(options.report.as_deref(), options.dashboard)?;
        let mut observers = options.observers.clone();
        observers.extend(session.as_ref().map(Session::observer));
        let workers = Workers::start(threads, budget, Observers::combine(observers));
        Ok(Client {
            workers,
            session,
            options: ComputeOptions {
                report: None,
                dashboard: None,
                ..options.clone()
            },
        })
    }

    /// Worker threads.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{client::Client, ComputeOptions};
    /// assert_eq!(Client::with_options(&ComputeOptions::default().threads(3))?.workers(), 3);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn workers(&self) -> usize {
        self.workers.threads()
    }

    /// Runs `f` on a worker as soon as one is free (and the budget allows), and
    /// returns at once with a future of its result.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let x = client.submit("inc", || 1 + 1);
    /// assert_eq!(*x.result()?, 2);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn submit<T, F>(&self, task: impl Into<TaskOptions>, f: F) -> Future<T>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.try_submit(task, move || Ok::<T, Error>(f()))
    }

    /// [`submit`](Self::submit) for a closure that can fail: its error becomes the
    /// future's ([`Error::User`] naming the task, as the cause of
    /// [`Error::FutureFailed`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{client::Client, Error};
    /// let client = Client::new()?;
    /// let n = client.try_submit("parse", || "12x".parse::<i32>());
    /// let err = n.result().unwrap_err();
    /// assert!(matches!(err.root(), Error::User { function, .. } if function == "parse"));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn try_submit<T, E, F>(&self, task: impl Into<TaskOptions>, f: F) -> Future<T>
    where
        T: Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: FnOnce() -> std::result::Result<T, E> + Send + 'static,
    {
        submit_typed(
            self.workers.pool(),
            &task.into(),
            Vec::new(),
            move |name, _| user_result(name, f()),
        )
    }

    /// A future of `f` applied to the results of `inputs` (in order), run once they
    /// are all ready: a reduction over many futures.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let parts: Vec<_> = (0..4).map(|i| client.submit("part", move || i * 10)).collect();
    /// let total = client.combine("total", &parts, |xs: &[&i32]| xs.iter().copied().sum::<i32>());
    /// assert_eq!(total.value()?, 60);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn combine<T, U, F>(
        &self,
        task: impl Into<TaskOptions>,
        inputs: &[Future<T>],
        f: F,
    ) -> Future<U>
    where
        T: Send + Sync + 'static,
        U: Send + Sync + 'static,
        F: FnOnce(&[&T]) -> U + Send + 'static,
    {
        self.try_combine(task, inputs, move |xs: &[&T]| Ok::<U, Error>(f(xs)))
    }

    /// [`combine`](Self::combine) for a closure that can fail.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let parts: Vec<_> = (1..=3).map(|i| client.submit("part", move || i)).collect();
    /// let ratio = client.try_combine("ratio", &parts, |xs: &[&i32]| {
    ///     if *xs[0] == 0 { Err("division by zero") } else { Ok(*xs[2] / *xs[0]) }
    /// });
    /// assert_eq!(ratio.value()?, 3);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn try_combine<T, U, E, F>(
        &self,
        task: impl Into<TaskOptions>,
        inputs: &[Future<T>],
        f: F,
    ) -> Future<U>
    where
        T: Send + Sync + 'static,
        U: Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: FnOnce(&[&T]) -> std::result::Result<U, E> + Send + 'static,
    {
        let keys = inputs.iter().map(|i| Input::Task(i.handle.key())).collect();
        submit_typed(
            self.workers.pool(),
            &task.into(),
            keys,
            move |name, values| {
                let xs = values
                    .iter()
                    .map(|v| v.get::<T>(name))
                    .collect::<Result<Vec<&T>>>()?;
                user_result(name, f(&xs))
            },
        )
    }

    /// Computes `array` on the client's workers: its tasks run among the futures',
    /// under the client's budget, and its events go to the client's observers. The
    /// result is what [`LazyArray::compute`] returns. The plan is prepared (and its
    /// data-dependent sizes counted) in this call; preparation errors (an invalid
    /// operation, a plan too large for the budget) are the future's error.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let x = chunkwise::arange::<f64>(0.0, 10.0, 1.0, [3]);
    /// let total = client.compute(&(&x * 2.0).sum(..));
    /// let shifted = total.map("shift", |a: &ndarray::ArrayD<f64>| a.sum() + 1.0);
    /// assert_eq!(shifted.value()?, 91.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn compute<T: Element>(&self, array: &LazyArray<T>) -> Future<ArrayD<T>> {
        let name = "compute";
        let detached = match Detached::prepare(std::slice::from_ref(&array.node), &self.options) {
            Ok(d) => Arc::new(d),
            Err(e) => {
                return submit_typed(
                    self.workers.pool(),
                    &name.into(),
                    Vec::new(),
                    move |_, _| Err::<ArrayD<T>, _>(e),
                )
            }
        };
        let tasks = detached.tasks();
        let mut batch = workers::graph_batch(&tasks.graph, tasks);
        let n = batch.tasks.len();
        let outputs: Vec<Input> = tasks
            .graph
            .outputs()
            .iter()
            .map(|t| Input::InBatch(t.index()))
            .collect();
        let bytes = array.shape().iter().product::<usize>() as u64 * T::DTYPE.size() as u64;
        let job: Job = Box::new(move |values: &[&AnyValue]| {
            let blocks = values
                .iter()
                .map(|v| v.get::<Value>(name))
                .collect::<Result<Vec<&Value>>>()?;
            let array = detached
                .assemble(&blocks)?
                .pop()
                .ok_or_else(|| Error::internal("Client::compute", "no result"))?
                .into_typed::<T>()?;
            Ok(AnyValue::new(array, bytes))
        });
        batch.layers.push(name.to_string());
        batch.tasks.push(NewTask {
            name: name.to_string(),
            layer: (batch.layers.len() - 1) as u32,
            block: Vec::new(),
            inputs: outputs,
            order: n as u32,
            projected: bytes,
            handle: true,
            job,
        });
        typed(self.workers.pool().submit(batch))
    }

    /// Cancels every pending task, waits for the running ones, stops the workers, and
    /// writes the report if one was asked for (dropping the client does the same, and
    /// ignores a report that cannot be written).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{client::Client, Error};
    /// let client = Client::new()?;
    /// let done = client.submit("quick", || 1);
    /// done.result()?;
    /// client.close()?;
    /// assert_eq!(done.value()?, 1); // results outlive the client
    /// let late = done.map("late", |x: &i32| x + 1);
    /// assert!(matches!(late.result(), Err(Error::FutureCancelled { .. })));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Storage`] when the report cannot be written.
    pub fn close(mut self) -> Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<()> {
        self.workers.close();
        self.session.take().map_or(Ok(()), Session::finish)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // `close` returns the report's error; a drop has nowhere to put it.
        let _ = self.shut_down();
    }
}

/// Submits one task called `options`' name reading `inputs`, whose closure gets the
/// name and the inputs' values.
fn submit_typed<U, F>(pool: &Pool, options: &TaskOptions, inputs: Vec<Input>, f: F) -> Future<U>
where
    U: Send + Sync + 'static,
    F: FnOnce(&str, &[&AnyValue]) -> Result<U> + Send + 'static,
{
    let bytes = options.bytes_of::<U>();
    let name = options.name().to_string();
    let job_name = name.clone();
    let job: Job =
        Box::new(move |values: &[&AnyValue]| f(&job_name, values).map(|v| AnyValue::new(v, bytes)));
    let batch = Batch {
        layers: vec![name.clone()],
        tasks: vec![NewTask {
            name,
            layer: 0,
            block: Vec::new(),
            inputs,
            order: 0,
            projected: bytes,
            handle: true,
            job,
        }],
    };
    typed(pool.submit(batch))
}

/// The one handle a submission returned, typed.
fn typed<T>(mut handles: Vec<Handle>) -> Future<T> {
    Future {
        handle: handles
            .pop()
            .expect("a submission returns the handle it asked for"),
        _type: PhantomData,
    }
}

/// Identifies a future among those of its client: the number of its task, in
/// submission order (what the events and the report call the task's id).
///
/// # Example
///
/// ```
/// let client = chunkwise::client::Client::new()?;
/// let (a, b) = (client.submit("a", || 1), client.submit("b", || 2));
/// assert!(a.key() < b.key());
/// assert_eq!(a.key(), a.clone().key());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FutureKey(u64);

impl FutureKey {
    /// The task's number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for FutureKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A handle on the result of a task submitted to a [`Client`]; cloning shares it. The
/// result is kept while a handle (or a pending task reading it) lives.
///
/// # Example
///
/// ```
/// let client = chunkwise::client::Client::new()?;
/// let x = client.submit("x", || 20);
/// let y = x.map("double", |x: &i32| x * 2);
/// let z = x.map2("add", &y, |x: &i32, y: &i32| x + y);
/// assert_eq!((x.value()?, y.value()?, z.value()?), (20, 40, 60));
/// assert!(z.done() && z.name() == "add");
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub struct Future<T> {
    handle: Handle,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Future {
            handle: self.handle.clone(),
            _type: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Future")
            .field("key", &self.key())
            .field("name", &self.name())
            .field("done", &self.done())
            .finish()
    }
}

impl<T: Send + Sync + 'static> Future<T> {
    /// Waits for the task and returns its result, shared with the other handles.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let v = client.submit("load", || vec![1u8; 1000]);
    /// assert_eq!(v.result()?.len(), 1000);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::FutureFailed`] when the task's closure failed or panicked (its error is
    /// the cause, [`Error::root`] reaches it); [`Error::DependencyFailed`] when a task it
    /// reads failed or was cancelled; [`Error::FutureCancelled`] when it was cancelled
    /// or its client closed before it ran.
    pub fn result(&self) -> Result<Arc<T>> {
        let name = self.handle.name();
        self.handle.outcome()?.get_arc::<T>(&name)
    }

    /// [`result`](Self::result), cloned out.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// assert_eq!(client.submit("name", || String::from("dask")).value()?, "dask");
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`result`](Self::result).
    pub fn value(&self) -> Result<T>
    where
        T: Clone,
    {
        self.result().map(|v| (*v).clone())
    }

    /// A future of `f` applied to this future's result, run once it is ready.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let n = client.submit("n", || 3).map("square", |n: &i32| n * n);
    /// assert_eq!(n.value()?, 9);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map<U, F>(&self, task: impl Into<TaskOptions>, f: F) -> Future<U>
    where
        U: Send + Sync + 'static,
        F: FnOnce(&T) -> U + Send + 'static,
    {
        self.try_map(task, move |x: &T| Ok::<U, Error>(f(x)))
    }

    /// [`map`](Self::map) for a closure that can fail.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::Error;
    /// let client = chunkwise::client::Client::new()?;
    /// let text = client.submit("text", || String::from("7"));
    /// let n = text.try_map("parse", |t: &String| t.parse::<i32>());
    /// let bad = client.submit("text", || String::from("x")).try_map("parse", |t: &String| t.parse::<i32>());
    /// assert_eq!(n.value()?, 7);
    /// assert!(matches!(bad.result().unwrap_err().root(), Error::User { .. }));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn try_map<U, E, F>(&self, task: impl Into<TaskOptions>, f: F) -> Future<U>
    where
        U: Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: FnOnce(&T) -> std::result::Result<U, E> + Send + 'static,
    {
        let inputs = vec![Input::Task(self.handle.key())];
        submit_typed(
            self.handle.pool(),
            &task.into(),
            inputs,
            move |name, values| {
                let x = values
                    .first()
                    .ok_or_else(|| Error::internal("Future::map", "no input"))?
                    .get::<T>(name)?;
                user_result(name, f(x))
            },
        )
    }

    /// A future of `f` applied to this future's result and `other`'s.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let (a, b) = (client.submit("a", || 2), client.submit("b", || 0.5));
    /// let c = a.map2("scale", &b, |a: &i32, b: &f64| f64::from(*a) * b);
    /// assert_eq!(c.value()?, 1.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map2<B, U, F>(&self, task: impl Into<TaskOptions>, other: &Future<B>, f: F) -> Future<U>
    where
        B: Send + Sync + 'static,
        U: Send + Sync + 'static,
        F: FnOnce(&T, &B) -> U + Send + 'static,
    {
        self.try_map2(task, other, move |a: &T, b: &B| Ok::<U, Error>(f(a, b)))
    }

    /// [`map2`](Self::map2) for a closure that can fail.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let (a, b) = (client.submit("a", || 6), client.submit("b", || 3));
    /// let q = a.try_map2("div", &b, |a: &i32, b: &i32| a.checked_div(*b).ok_or("division by zero"));
    /// assert_eq!(q.value()?, 2);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn try_map2<B, U, E, F>(
        &self,
        task: impl Into<TaskOptions>,
        other: &Future<B>,
        f: F,
    ) -> Future<U>
    where
        B: Send + Sync + 'static,
        U: Send + Sync + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
        F: FnOnce(&T, &B) -> std::result::Result<U, E> + Send + 'static,
    {
        let inputs = vec![
            Input::Task(self.handle.key()),
            Input::Task(other.handle.key()),
        ];
        submit_typed(
            self.handle.pool(),
            &task.into(),
            inputs,
            move |name, values| {
                let [a, b] = values else {
                    return Err(Error::internal("Future::map2", "not two inputs"));
                };
                user_result(name, f(a.get::<T>(name)?, b.get::<B>(name)?))
            },
        )
    }
}

impl<T> Future<T> {
    /// True once the task has ended: finished, failed or cancelled (then
    /// [`result`](Self::result) returns at once).
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// let x = client.submit("x", || 1);
    /// chunkwise::client::wait(std::slice::from_ref(&x));
    /// assert!(x.done());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn done(&self) -> bool {
        self.handle.done()
    }

    /// Cancels the task unless it has ended: a pending task, and every task depending
    /// on it, ends at once, without running; a running task finishes, but its result
    /// is dropped. Either way the future reports [`Error::FutureCancelled`] and its
    /// dependents [`Error::DependencyFailed`]. A finished task keeps its result.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{client::Client, ComputeOptions, Error};
    /// let client = Client::with_options(&ComputeOptions::default().threads(1))?;
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// let busy = client.submit("busy", move || rx.recv().is_ok()); // holds the one worker
    /// let later = client.submit("later", || 1);
    /// let after = later.map("after", |x: &i32| x + 1);
    /// later.cancel();
    /// tx.send(()).unwrap();
    /// assert!(busy.value()?);
    /// assert!(matches!(later.result(), Err(Error::FutureCancelled { .. })));
    /// assert!(matches!(after.result(), Err(Error::DependencyFailed { .. })));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn cancel(&self) {
        self.handle.cancel();
    }

    /// The future's key.
    ///
    /// # Example
    ///
    /// See [`FutureKey`].
    pub fn key(&self) -> FutureKey {
        FutureKey(self.handle.key().0)
    }

    /// The task's name, as given at submission.
    ///
    /// # Example
    ///
    /// ```
    /// let client = chunkwise::client::Client::new()?;
    /// assert_eq!(client.submit("inc", || 2).name(), "inc");
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn name(&self) -> String {
        self.handle.name().to_string()
    }
}

/// Waits for every future and returns their results, in order.
///
/// # Example
///
/// ```
/// let client = chunkwise::client::Client::new()?;
/// let xs: Vec<_> = (0..3).map(|i| client.submit("sq", move || i * i)).collect();
/// let values: Vec<i32> = chunkwise::client::gather(&xs)?.iter().map(|v| **v).collect();
/// assert_eq!(values, [0, 1, 4]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// The error of the first future (in order) that failed, as [`Future::result`] reports
/// it.
pub fn gather<T: Send + Sync + 'static>(futures: &[Future<T>]) -> Result<Vec<Arc<T>>> {
    futures.iter().map(Future::result).collect()
}

/// Waits until every future has ended (finished, failed or cancelled).
///
/// # Example
///
/// ```
/// let client = chunkwise::client::Client::new()?;
/// let xs: Vec<_> = (0..3).map(|i| client.submit("i", move || i)).collect();
/// chunkwise::client::wait(&xs);
/// assert!(xs.iter().all(|x| x.done()));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn wait<T>(futures: &[Future<T>]) {
    for f in futures {
        // The outcome is read only to wait for it; `result` returns it.
        let _ = f.handle.outcome();
    }
}

/// The futures in the order their tasks end (finished, failed or cancelled): each
/// `next` waits for the next one to end.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use chunkwise::client::{as_completed, Client};
/// let client = Client::new()?;
/// let slow = client.submit("slow", || { std::thread::sleep(Duration::from_millis(100)); "slow" });
/// let quick = slow.map("after slow", |_: &&str| "after slow");
/// let order: Vec<&str> = as_completed([quick, slow]).map(|f| f.value().unwrap()).collect();
/// assert_eq!(order, ["slow", "after slow"]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn as_completed<T>(futures: impl IntoIterator<Item = Future<T>>) -> AsCompleted<T> {
    AsCompleted {
        pending: futures.into_iter().collect(),
    }
}

/// The iterator of [`as_completed`].
///
/// # Example
///
/// See [`as_completed`].
pub struct AsCompleted<T> {
    pending: Vec<Future<T>>,
}

impl<T> std::fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsCompleted")
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl<T> Iterator for AsCompleted<T> {
    type Item = Future<T>;

    fn next(&mut self) -> Option<Future<T>> {
        let handles: Vec<&Handle> = self.pending.iter().map(|f| &f.handle).collect();
        let i = workers::first_ended(&handles)?;
        Some(self.pending.swap_remove(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.pending.len(), Some(self.pending.len()))
    }
}
