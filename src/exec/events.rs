//! [`Observer`]: callbacks on every task start and finish, cheap enough to leave on, and
//! [`CancelToken`], which stops a running computation from another thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A task about to run.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct TaskStart {
    /// The task's id in the task graph.
    pub task: u32,
    /// The operation the task belongs to.
    pub op: &'static str,
    /// The worker thread running it (0-based).
    pub worker: usize,
    /// Bytes the task is expected to produce.
    pub projected_bytes: u64,
}

/// A task that has finished.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct TaskFinish {
    /// The task's id in the task graph.
    pub task: u32,
    /// The operation the task belongs to.
    pub op: &'static str,
    /// The worker thread that ran it (0-based).
    pub worker: usize,
    /// Bytes of the task's result.
    pub output_bytes: u64,
    /// Time spent in the task's kernel.
    pub elapsed: Duration,
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
///     fn on_task_finish(&self, _: &TaskFinish) {
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
    /// The computation is about to run `tasks` tasks.
    fn on_start(&self, tasks: usize) {
        let _ = tasks;
    }
    /// A task is about to run.
    fn on_task_start(&self, event: &TaskStart) {
        let _ = event;
    }
    /// A task has finished.
    fn on_task_finish(&self, event: &TaskFinish) {
        let _ = event;
    }
    /// The computation has ended (successfully or not).
    fn on_finish(&self) {}
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
