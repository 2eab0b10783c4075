//! [`lower_to_fit`]: lowering that keeps the memory promise, by changing the plan until
//! its projected peak fits the budget.
//!
//! The budget is a promise: a computation either runs within it or is refused before
//! anything runs. Checking each task alone is not enough: a rechunk's first stage holds
//! every input block until its last piece is gathered, a stored array read once is held
//! for all its readers, a combine task's partials wait for their siblings. So the plan
//! is lowered, expanded into tasks and replayed one task at a time in the executor's
//! order ([`check::sequential_peak`]); while the peak is over the budget the plan is
//! lowered again one step tighter ([`LowerOptions::squeeze`]: half the budget for the
//! planner's own choices, finer read boxes for rechunks of stored arrays). The first
//! plan that fits is used; when none does, the one with the lowest peak is returned and
//! [`check::check_memory`] refuses it, naming the task at the peak.
//!
//! Where it sits: between lowering and expanding, in `compute`. What bounds it: at most
//! [`MAX_SQUEEZE`] + 1 lowerings, and each costs as much as expanding the task graph.

use std::sync::Arc;

use super::tasks::TaskPlan;
use super::{check, lower, LowerOptions, Plan};
use crate::error::Result;
use crate::expr::Node;

/// The most tightening steps tried: the read boxes of a rechunk shrink by half per step,
/// so this covers 2^15 output blocks per input block along an axis.
pub(crate) const MAX_SQUEEZE: u32 = 16;

/// How many steps in a row that do not lower the peak end the search.
const PATIENCE: u32 = 3;

/// The plan of `outputs` whose projected peak fits `budget`, lowered with `fuse`; or,
/// when no step of tightening makes it fit, the plan with the lowest peak (which the
/// memory check then refuses).
///
/// # Errors
///
/// The errors of [`lower`] and of expanding the plan into tasks.
pub(crate) fn lower_to_fit(outputs: &[Arc<Node>], fuse: bool, budget: u64) -> Result<Plan> {
    let mut best: Option<(u64, Plan)> = None;
    let mut stale = 0;
    for squeeze in 0..=MAX_SQUEEZE {
        let plan = lower(
            outputs,
            LowerOptions {
                fuse,
                budget,
                squeeze,
            },
        )?;
        let (peak, _) = check::sequential_peak(&TaskPlan::new(&plan, 0)?);
        if peak <= budget {
            return Ok(plan);
        }
        match &best {
            Some((lowest, _)) if peak >= *lowest => {
                stale += 1;
                if stale >= PATIENCE {
                    break;
                }
            }
            _ => {
                stale = 0;
                best = Some((peak, plan));
            }
        }
    }
    Ok(best.expect("one plan at least was lowered").1)
}

/// The budget tasks are planned and admitted under, and the bytes the buffer pool may
/// keep: with the pool on, an eighth of `limit` goes to free buffers kept for reuse
/// (they stay resident), the rest to results and running tasks, so the two together
/// stay under `limit`.
pub(crate) fn split_budget(limit: u64, buffer_pool: bool) -> (u64, usize) {
    if buffer_pool {
        let pool = limit / 8;
        (limit - pool, usize::try_from(pool).unwrap_or(usize::MAX))
    } else {
        (limit, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_takes_an_eighth() {
        assert_eq!(split_budget(800, true), (700, 100));
        assert_eq!(split_budget(800, false), (800, 0));
    }
}
