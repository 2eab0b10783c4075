//! The single-threaded executor: every task on the calling thread, in priority order.

use std::sync::Arc;

use super::events::{Emitter, Finished};
use super::{finish_run, order, run_task, Execution, RunConfig, TaskGraph, TaskId, TaskRunner};
use crate::error::{Error, Result};

/// Runs `graph` on the calling thread.
pub(super) fn run<'a, R: TaskRunner>(
    graph: &TaskGraph,
    runner: &'a R,
    config: &RunConfig<'a>,
) -> Result<Execution<R::Output>> {
    let events = config.emitter(runner, graph.len(), 1);
    let result = run_all(graph, runner, config, events.as_ref());
    finish_run(events.as_ref(), result)
}

fn run_all<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    config: &RunConfig<'_>,
    events: Option<&Emitter<'_, R>>,
) -> Result<Execution<R::Output>> {
    let n = graph.len();
    let mut block = Vec::new();
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
        let start = events.map(|e| e.task_start(task, 0, graph.out_bytes(task), &mut block));
        let value = run_task(runner, task, &refs)?;
        let end = events.map(Emitter::now);
        let bytes = R::output_bytes(&value);
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
        if let (Some(e), Some((layer, start)), Some(end)) = (events, start, end) {
            let done = Finished {
                task,
                layer,
                start,
                end,
                bytes,
                live,
            };
            e.task_finish(done, 0, &block);
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
