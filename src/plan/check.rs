//! The memory check: every task's projected memory (its input blocks, its output and
//! its kernel's tile registers) must fit the budget, or the plan is refused before
//! anything runs, with the operation named and a chunking that would fit.

use super::layer::BlockBytes;
use super::tasks::TaskPlan;
use crate::error::{Error, Result};
use crate::exec::TaskId;

/// The bytes task `t` holds while it runs: its inputs, its output and its scratch.
pub(crate) fn task_bytes(tasks: &TaskPlan<'_>, t: TaskId) -> u64 {
    let graph = &tasks.graph;
    let inputs: u64 = graph.deps(t).iter().map(|&d| graph.out_bytes(d)).sum();
    inputs + graph.out_bytes(t) + tasks.layer_of(t).scratch_bytes()
}

/// Refuses a plan in which one task alone needs more than `budget` bytes.
pub(crate) fn check_memory(tasks: &TaskPlan<'_>, budget: u64) -> Result<()> {
    let Some((t, need)) = (0..tasks.graph.len())
        .map(|t| (TaskId(t as u32), task_bytes(tasks, TaskId(t as u32))))
        .max_by_key(|&(_, need)| need)
    else {
        return Ok(());
    };
    if need <= budget {
        return Ok(());
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
