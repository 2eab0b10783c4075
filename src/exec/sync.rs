//! The single-threaded executor: every task on the calling thread, in priority order.

use std::sync::Arc;
use std::time::Instant;

use super::{
    order, run_task, Execution, RunConfig, TaskFinish, TaskGraph, TaskId, TaskRunner, TaskStart,
};
use crate::error::{Error, Result};

/// Runs `graph` on the calling thread.
pub(super) fn run<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    config: &RunConfig<'_>,
) -> Result<Execution<R::Output>> {
    let n = graph.len();
    let prio = order::priorities(graph);
    let mut sequence = vec![0u32; n];
    for (t, &p) in prio.iter().enumerate() {
        sequence[p as usize] = t as u32;
    }
    let mut refcount = graph.initial_refcounts();
    let mut results: Vec<Option<Arc<R::Output>>> = (0..n).map(|_| None).collect();
    let mut held = vec![0u64; n];
    let (mut live, mut peak) = (0u64, 0u64);
    for t in sequence {
        if config.cancelled() {
            return Err(Error::Cancelled);
        }
        let task = TaskId(t);
        let inputs = graph
            .deps(task)
            .iter()
            .map(|d| results[d.index()].clone())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::internal("exec::sync", "a dependency ran after its consumer"))?;
        let refs: Vec<&R::Output> = inputs.iter().map(AsRef::as_ref).collect();
        if let Some(o) = config.observer {
            o.on_task_start(&TaskStart {
                task: t,
                op: runner.op_name(task),
                worker: 0,
                projected_bytes: graph.out_bytes(task),
            });
        }
        let started = Instant::now();
        let value = run_task(runner, task, &refs)?;
        let bytes = R::output_bytes(&value);
        if let Some(o) = config.observer {
            o.on_task_finish(&TaskFinish {
                task: t,
                op: runner.op_name(task),
                worker: 0,
                output_bytes: bytes,
                elapsed: started.elapsed(),
            });
        }
        drop(refs);
        drop(inputs);
        peak = peak.max(live + bytes);
        if refcount[task.index()] > 0 {
            results[task.index()] = Some(Arc::new(value));
            held[task.index()] = bytes;
            live += bytes;
        } else {
            runner.recycle(value);
        }
        for d in graph.deps(task) {
            refcount[d.index()] -= 1;
            if refcount[d.index()] == 0 {
                if let Some(v) = results[d.index()].take() {
                    live -= held[d.index()];
                    if let Ok(v) = Arc::try_unwrap(v) {
                        runner.recycle(v);
                    }
                }
            }
        }
    }
    let outputs = graph
        .outputs()
        .iter()
        .map(|o| {
            results[o.index()]
                .clone()
                .ok_or_else(|| Error::internal("exec::sync", "an output was released"))
        })
        .collect::<Result<_>>()?;
    Ok(Execution {
        outputs,
        peak_bytes: peak,
    })
}
