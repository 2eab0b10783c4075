//! The memory check: every task's projected memory (its input blocks, its output and
//! its kernel's tile registers) must fit the budget, and so must the plan's projected
//! peak ([`sequential_peak`]: tasks one at a time in the executor's order, each result
//! held until its last reader ran), or the plan is refused before anything runs, with
//! the operation named and what to do.

use super::layer::BlockBytes;
use super::tasks::TaskPlan;
use crate::error::{Error, Result};
use crate::exec::TaskId;

/// The bytes task `t` holds while it runs: its inputs, its output and its scratch.
pub(crate) fn task_bytes(tasks: &TaskPlan<'_>, t: TaskId) -> u64 {
    let graph = &tasks.graph;
    let inputs: u64 = graph.deps(t).iter().map(|&d| graph.out_bytes(d)).sum();
    inputs + graph.out_bytes(t) + tasks.scratch_of(t)
}

/// The most bytes held at once when the tasks run one at a time in the executor's
/// priority order: results waiting for readers (outputs until the end), plus the running
/// task's output and scratch; and at the end the outputs' blocks plus the arrays they
/// are assembled into. Returns the bytes and the task at the peak.
///
/// Computed once per task plan (the memory check, `explain` and the report all ask).
pub(crate) fn sequential_peak(tasks: &TaskPlan<'_>) -> (u64, Option<TaskId>) {
    *tasks.sequential_peak.get_or_init(|| replay_peak(tasks))
}

fn replay_peak(tasks: &TaskPlan<'_>) -> (u64, Option<TaskId>) {
    let graph = &tasks.graph;
    let prio = crate::exec::order::priorities(graph);
    let mut scratch: Vec<Option<u64>> = vec![None; tasks.plan().layers.len()];
    let replay = crate::exec::order::replay(graph, &prio, |task| {
        let layer = tasks.layer_index(task);
        *scratch[layer].get_or_insert_with(|| tasks.layer_of(task).scratch_bytes())
    });
    let (peak, at) = (replay.peak, replay.at);
    // At the end each output's blocks are copied into one array while they are held.
    let assembled: u64 = graph.outputs().iter().map(|&o| graph.out_bytes(o)).sum();
    if replay.end.saturating_add(assembled) > peak {
        return (
            replay.end + assembled,
            graph.outputs().last().copied().or(at),
        );
    }
    (peak, at)
}

/// Refuses a plan in which one task alone needs more than `budget` bytes
/// ([`Error::TaskTooLarge`]), or whose [`sequential_peak`] does
/// ([`Error::PlanTooLarge`]).
pub(crate) fn check_memory(tasks: &TaskPlan<'_>, budget: u64) -> Result<()> {
    let Some((t, need)) = (0..tasks.graph.len())
        .map(|t| (TaskId(t as u32), task_bytes(tasks, TaskId(t as u32))))
        .max_by_key(|&(_, need)| need)
    else {
        return Ok(());
    };
    if need <= budget {
        return check_peak(tasks, budget);
    }
    let label = crate::exec::TaskRunner::label(tasks, t);
    let layer = tasks.layer_of(t);
    Err(Error::TaskTooLarge {
        op: label.op,
        block: label.block,
        bytes: need,
        limit: budget,
        hint: hint(&layer.bytes, need, budget),
    })
}

/// Refuses a plan whose [`sequential_peak`] exceeds `budget`.
fn check_peak(tasks: &TaskPlan<'_>, budget: u64) -> Result<()> {
    let (peak, Some(t)) = sequential_peak(tasks) else {
        return Ok(());
    };
    if peak <= budget {
        return Ok(());
    }
    let label = crate::exec::TaskRunner::label(tasks, t);
    let hint = match hint(&tasks.layer_of(t).bytes, peak, budget) {
        h if h.starts_with("cut") => h,
        _ => "use smaller chunks for the arrays read or made here (`rechunk` them or \
              create them so), compute fewer results at once, or raise the memory limit \
              (`ComputeOptions::memory_limit`, `--memory-limit` or CHUNKWISE_MEMORY_LIMIT)"
            .into(),
    };
    Err(Error::PlanTooLarge {
        op: label.op,
        block: label.block,
        bytes: peak,
        limit: budget,
        hint,
    })
}

/// A chunk shape for the layer's array that would bring `need` under `budget`: the
/// longest chunk axes halved until the chunk is small enough.
fn hint(bytes: &BlockBytes, need: u64, budget: u64) -> String {
    let grid = match bytes {
        BlockBytes::Grid { grid, .. } | BlockBytes::Partial { grid, .. } => grid,
        BlockBytes::Nothing => return "raise the memory limit".into(),
    };
    let mut shape: Vec<usize> = grid
        .axes()
        .iter()
        .map(|a| a.max_chunk_len().max(1))
        .collect();
    let before: usize = shape.iter().product::<usize>().max(1);
    let mut scale = need as f64 / budget.max(1) as f64;
    while scale > 0.8 {
        let Some(longest) = (0..shape.len())
            .filter(|&d| shape[d] > 1)
            .max_by_key(|&d| shape[d])
        else {
            break;
        };
        shape[longest] = shape[longest].div_ceil(2);
        scale /= 2.0;
    }
    let after: usize = shape.iter().product();
    if after >= before {
        return "raise the memory limit (`ComputeOptions::memory_limit`, `--memory-limit` or \
                CHUNKWISE_MEMORY_LIMIT)"
            .into();
    }
    format!(
        "cut the array into smaller chunks, about {shape:?} (`rechunk` it or create it so), or \
         raise the memory limit (`ComputeOptions::memory_limit`, `--memory-limit` or \
         CHUNKWISE_MEMORY_LIMIT)"
    )
}
