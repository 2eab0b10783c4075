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
//! Where it sits: plan → **exec** → results. The memory-aware scheduler replaces the
//! threaded executor behind [`execute`].

mod sync;
mod threaded;

use std::any::Any;
use std::sync::Arc;

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
}

/// Tasks `0..n` with their dependencies and dependents in CSR form.
#[derive(Debug)]
pub(crate) struct TaskGraph {
    dep_starts: Vec<u32>,
    deps: Vec<TaskId>,
    dependent_starts: Vec<u32>,
    dependents: Vec<TaskId>,
    outputs: Vec<TaskId>,
}

impl TaskGraph {
    /// A graph from each task's dependency list (`deps[dep_starts[t]..dep_starts[t + 1]]`,
    /// all smaller than `t`) and the tasks whose results are returned.
    pub(crate) fn new(dep_starts: Vec<u32>, deps: Vec<TaskId>, outputs: Vec<TaskId>) -> TaskGraph {
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
        TaskGraph {
            dep_starts,
            deps,
            dependent_starts,
            dependents,
            outputs,
        }
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
/// let x = chunkwise::ones::<f64>(&[4, 4], [2, 2])?;
/// assert_eq!(x.sum(..)?.compute_scalar_with(&opts)?, 16.0);
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
}

/// Runs every task of `graph` and returns the results of its outputs, in order.
pub(crate) fn execute<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    executor: Executor,
) -> Result<Vec<Arc<R::Output>>> {
    match executor {
        Executor::SingleThreaded => sync::run(graph, runner),
        Executor::Threaded => threaded::run(graph, runner, default_threads()),
        Executor::Threads(0) => Err(Error::parameter(
            "Executor::Threads",
            "threads",
            0,
            "at least 1 thread",
        )),
        Executor::Threads(n) => threaded::run(graph, runner, n),
    }
}

/// One worker per available core.
pub(crate) fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Runs one task, turning a panic in its kernel into an error that names it.
fn run_task<R: TaskRunner>(runner: &R, task: TaskId, inputs: &[&R::Output]) -> Result<R::Output> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runner.run(task, inputs))) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => {
            let label = runner.label(task);
            Err(match e {
                already @ (Error::TaskFailed { .. } | Error::TaskPanicked { .. }) => already,
                source => Error::TaskFailed {
                    op: label.op,
                    block: label.block,
                    source: Box::new(source),
                },
            })
        }
        Err(payload) => {
            let label = runner.label(task);
            Err(Error::TaskPanicked {
                op: label.op,
                block: label.block,
                message: panic_message(payload.as_ref()),
            })
        }
    }
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
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A runner over a chain-and-diamond graph: each task returns the sum of its inputs plus
    /// its id; `fail_at` panics or errors there.
    pub(crate) struct SumRunner {
        pub(crate) fail_at: Option<(u32, bool)>,
        pub(crate) runs: AtomicUsize,
    }

    impl TaskRunner for SumRunner {
        type Output = u64;
        fn run(&self, task: TaskId, inputs: &[&u64]) -> Result<u64> {
            self.runs.fetch_add(1, Ordering::Relaxed);
            if let Some((t, panic)) = self.fail_at {
                if t == task.0 {
                    assert!(!panic, "boom at {t}");
                    return Err(Error::Cancelled);
                }
            }
            Ok(inputs.iter().map(|v| **v).sum::<u64>() + u64::from(task.0))
        }
        fn label(&self, task: TaskId) -> TaskLabel {
            TaskLabel {
                op: "sum_runner".into(),
                block: vec![task.index()],
            }
        }
    }

    /// 0 -> 1 -> 3, 0 -> 2 -> 3, 3 -> 4 (twice), outputs 4 and 2.
    pub(crate) fn diamond() -> TaskGraph {
        let deps = vec![
            TaskId(0),
            TaskId(0),
            TaskId(1),
            TaskId(2),
            TaskId(3),
            TaskId(3),
        ];
        TaskGraph::new(vec![0, 0, 1, 2, 4, 6], deps, vec![TaskId(4), TaskId(2)])
    }

    #[test]
    fn dependents_are_the_reverse_edges() {
        let g = diamond();
        assert_eq!(g.dependents(TaskId(0)), &[TaskId(1), TaskId(2)]);
        assert_eq!(g.dependents(TaskId(3)), &[TaskId(4), TaskId(4)]);
        assert_eq!(g.initial_refcounts(), vec![2, 1, 2, 2, 1]);
    }

    #[test]
    fn executors_agree_and_report_failures() {
        for exec in [
            Executor::SingleThreaded,
            Executor::Threads(1),
            Executor::Threads(3),
        ] {
            let r = SumRunner {
                fail_at: None,
                runs: AtomicUsize::new(0),
            };
            let out = execute(&diamond(), &r, exec).unwrap();
            // t0=0, t1=1, t2=2, t3=0+... : 3 + (1 + 2) = 6, t4 = 6 + 6 + 4 = 16
            assert_eq!((*out[0], *out[1]), (16, 2), "{exec:?}");
            assert_eq!(r.runs.load(Ordering::Relaxed), 5);
            for panic in [true, false] {
                let r = SumRunner {
                    fail_at: Some((3, panic)),
                    runs: AtomicUsize::new(0),
                };
                let err = execute(&diamond(), &r, exec).unwrap_err();
                match (panic, &err) {
                    (true, Error::TaskPanicked { op, block, message }) => {
                        assert_eq!((op.as_str(), block.as_slice()), ("sum_runner", &[3][..]));
                        assert!(message.contains("boom at 3"));
                    }
                    (false, Error::TaskFailed { block, .. }) => assert_eq!(block, &[3]),
                    _ => panic!("unexpected {err:?}"),
                }
                // Task 4 never starts once 3 failed.
                assert!(r.runs.load(Ordering::Relaxed) <= 4);
            }
        }
        let err = execute(
            &diamond(),
            &SumRunner {
                fail_at: None,
                runs: AtomicUsize::new(0),
            },
            Executor::Threads(0),
        );
        assert!(matches!(err, Err(Error::InvalidParameter { .. })));
    }
}
