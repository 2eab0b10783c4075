//! The single-threaded executor: every task on the calling thread, in id order.

use std::sync::Arc;

use super::{run_task, TaskGraph, TaskId, TaskRunner};
use crate::error::{Error, Result};

/// Runs `graph` on the calling thread.
pub(super) fn run<R: TaskRunner>(graph: &TaskGraph, runner: &R) -> Result<Vec<Arc<R::Output>>> {
    let n = graph.len();
    let mut refcount = graph.initial_refcounts();
    let mut results: Vec<Option<Arc<R::Output>>> = (0..n).map(|_| None).collect();
    for t in 0..n {
        let task = TaskId(u32::try_from(t).expect("task ids fit u32"));
        let inputs = graph
            .deps(task)
            .iter()
            .map(|d| results[d.index()].clone())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::internal("exec::sync", "a dependency ran after its consumer"))?;
        let refs: Vec<&R::Output> = inputs.iter().map(AsRef::as_ref).collect();
        let value = run_task(runner, task, &refs)?;
        drop(refs);
        drop(inputs);
        if refcount[t] > 0 {
            results[t] = Some(Arc::new(value));
        }
        for d in graph.deps(task) {
            refcount[d.index()] -= 1;
            if refcount[d.index()] == 0 {
                results[d.index()] = None;
            }
        }
    }
    graph
        .outputs()
        .iter()
        .map(|o| {
            results[o.index()]
                .clone()
                .ok_or_else(|| Error::internal("exec::sync", "an output was released"))
        })
        .collect()
}
