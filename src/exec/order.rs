//! Static priorities: the order in which ready tasks are preferred, chosen to keep the
//! bytes held in memory low.
//!
//! Two depth-first strategies are computed, both "one output at a time, each task right
//! after its inputs" (post-order from the outputs, which finishes linear chains and
//! completes a reduction's inputs before opening more data):
//!
//! - **as built**: inputs visited in the order the layer lists them (the task ids);
//! - **heaviest first**: inputs visited in decreasing order of the bytes their sub-graph
//!   produces (Sethi–Ullman's rule for trees: evaluate the expensive operand first, so
//!   that only its small result is held while the cheaper one runs).
//!
//! A sequential replay ([`simulate_peak`]) measures the peak of live bytes under each
//! order, and the lower one wins. Graphs in which no task reads more than one input are
//! independent chains, for which the first order is already optimal: they skip the second
//! strategy (the O(n) fast path).

use super::{TaskGraph, TaskId};

/// Priorities (lower runs first) for every task of `graph`: a topological order.
pub(crate) fn priorities(graph: &TaskGraph) -> Vec<u32> {
    let n = graph.len();
    let as_built: Vec<u32> = (0..n as u32).collect();
    let chains = (0..n).all(|t| graph.deps(TaskId(t as u32)).len() <= 1);
    if chains || n < 3 {
        return as_built;
    }
    let heavy = heaviest_first(graph);
    if simulate_peak(graph, &heavy) < simulate_peak(graph, &as_built) {
        heavy
    } else {
        as_built
    }
}

/// Post-order DFS from the outputs, visiting each task's inputs heaviest first.
fn heaviest_first(graph: &TaskGraph) -> Vec<u32> {
    let n = graph.len();
    // Bytes produced by a task and everything under it (shared inputs counted once per
    // reader: an upper bound, which is all the heuristic needs).
    let mut weight = vec![0u64; n];
    for t in 0..n {
        let task = TaskId(t as u32);
        weight[t] = graph
            .deps(task)
            .iter()
            .fold(graph.out_bytes(task), |acc, d| {
                acc.saturating_add(weight[d.index()])
            });
    }
    let mut prio = vec![u32::MAX; n];
    let mut next = 0u32;
    let mut stack: Vec<(TaskId, bool)> = Vec::new();
    let mut children: Vec<TaskId> = Vec::new();
    for &out in graph.outputs().iter().rev() {
        stack.push((out, false));
    }
    // The outputs were pushed in reverse so the first output is finished first.
    while let Some((t, expanded)) = stack.pop() {
        if prio[t.index()] != u32::MAX {
            continue;
        }
        if expanded {
            prio[t.index()] = next;
            next += 1;
            continue;
        }
        stack.push((t, true));
        children.clear();
        children.extend(graph.deps(t).iter().filter(|d| prio[d.index()] == u32::MAX));
        // Heaviest first means pushed last.
        children.sort_by_key(|d| (weight[d.index()], std::cmp::Reverse(d.0)));
        for &c in &children {
            stack.push((c, false));
        }
    }
    // Tasks no output reaches (none after culling) keep their relative order at the end.
    for p in &mut prio {
        if *p == u32::MAX {
            *p = next;
            next += 1;
        }
    }
    prio
}

/// The peak of live bytes when tasks run one at a time in priority order, each result
/// held until its last reader has run (outputs until the end).
pub(crate) fn simulate_peak(graph: &TaskGraph, prio: &[u32]) -> u64 {
    replay(graph, prio, |_| 0).peak
}

/// What a sequential replay ([`replay`]) found.
pub(crate) struct Replay {
    /// The most bytes held at once: results waiting for readers, plus the running task's
    /// output and scratch.
    pub(crate) peak: u64,
    /// The task running at the peak.
    pub(crate) at: Option<TaskId>,
    /// The bytes held after the last task: the outputs.
    pub(crate) end: u64,
}

/// Replays the tasks one at a time in priority order, each result held until its last
/// reader has run (outputs until the end); `scratch(t)` is what task `t` needs while it
/// runs besides its inputs and output.
pub(crate) fn replay(
    graph: &TaskGraph,
    prio: &[u32],
    mut scratch: impl FnMut(TaskId) -> u64,
) -> Replay {
    let n = graph.len();
    // `prio` is a permutation of 0..n: invert it instead of sorting.
    let mut order = vec![0u32; n];
    for (t, &p) in prio.iter().enumerate() {
        order[p as usize] = t as u32;
    }
    let mut readers: Vec<u32> = (0..n)
        .map(|t| graph.dependents(TaskId(t as u32)).len() as u32)
        .collect();
    for o in graph.outputs() {
        readers[o.index()] += 1;
    }
    let (mut live, mut peak, mut at) = (0u64, 0u64, None);
    for t in order {
        let task = TaskId(t);
        let out = graph.out_bytes(task);
        let need = live.saturating_add(out).saturating_add(scratch(task));
        if need > peak || at.is_none() {
            (peak, at) = (need.max(peak), Some(task));
        }
        live += out;
        for d in graph.deps(task) {
            readers[d.index()] -= 1;
            if readers[d.index()] == 0 {
                live -= graph.out_bytes(*d);
            }
        }
        if readers[task.index()] == 0 {
            live -= out;
        }
    }
    Replay {
        peak,
        at,
        end: live,
    }
}

/// True when `prio` orders every task after all of its inputs.
#[cfg(test)]
pub(crate) fn is_topological(graph: &TaskGraph, prio: &[u32]) -> bool {
    (0..graph.len()).all(|t| {
        let task = TaskId(t as u32);
        graph.deps(task).iter().all(|d| prio[d.index()] < prio[t])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a graph from `(deps, bytes)` per task; outputs are the tasks nobody reads.
    fn graph(tasks: &[(&[u32], u64)]) -> TaskGraph {
        let mut starts = vec![0u32];
        let mut deps = Vec::new();
        let mut read = vec![false; tasks.len()];
        for (d, _) in tasks {
            for &x in *d {
                deps.push(TaskId(x));
                read[x as usize] = true;
            }
            starts.push(deps.len() as u32);
        }
        let outputs = (0..tasks.len() as u32)
            .filter(|&t| !read[t as usize])
            .map(TaskId)
            .collect();
        TaskGraph::new(starts, deps, outputs, tasks.iter().map(|t| t.1).collect())
    }

    /// A tree reduction over `leaves` roots of `bytes` each, with fan-in `k`, listed
    /// breadth-first (all roots, then each level): the worst "as built" order.
    fn wide_reduction(leaves: u32, k: u32, bytes: u64) -> TaskGraph {
        let mut tasks: Vec<(Vec<u32>, u64)> = (0..leaves).map(|_| (vec![], bytes)).collect();
        let mut level: Vec<u32> = (0..leaves).collect();
        while level.len() > 1 {
            let mut next = Vec::new();
            for group in level.chunks(k as usize) {
                tasks.push((group.to_vec(), 8));
                next.push(tasks.len() as u32 - 1);
            }
            level = next;
        }
        let refs: Vec<(&[u32], u64)> = tasks.iter().map(|(d, b)| (d.as_slice(), *b)).collect();
        graph(&refs)
    }

    #[test]
    fn reductions_are_finished_before_more_roots_are_loaded() {
        // Breadth-first ids would hold all 64 roots; depth-first needs about one group.
        let g = wide_reduction(64, 4, 1000);
        let prio = priorities(&g);
        assert!(is_topological(&g, &prio));
        let peak = simulate_peak(&g, &prio);
        assert!(peak <= 4 * 1000 + 64 * 8, "peak {peak}");
        let breadth: Vec<u32> = (0..g.len() as u32).collect();
        assert!(simulate_peak(&g, &breadth) >= 64 * 1000);
    }

    #[test]
    fn the_heavier_operand_runs_first() {
        // Task 5 reads a light input (0) and the result of a heavy chain (1..4 -> 4).
        // Post-order as built loads 0 first and holds it through the heavy chain.
        let g = graph(&[
            (&[], 100),    // 0: light input
            (&[], 1000),   // 1: heavy root
            (&[], 1000),   // 2: heavy root
            (&[1, 2], 10), // 3: reduces the heavy roots
            (&[3], 10),    // 4
            (&[0, 4], 10), // 5: output
        ]);
        let prio = priorities(&g);
        assert!(is_topological(&g, &prio));
        assert!(prio[1] < prio[0] && prio[2] < prio[0], "{prio:?}");
    }

    #[test]
    fn two_reductions_of_one_intermediate() {
        // dask/dask#5859: x -> (sum(x), mean(x)); each x block read by two partials.
        // Every x block must be released as soon as both of its partials ran.
        let mut tasks: Vec<(Vec<u32>, u64)> = Vec::new();
        let mut partials_a = Vec::new();
        let mut partials_b = Vec::new();
        for _ in 0..16 {
            tasks.push((vec![], 1000));
            let x = tasks.len() as u32 - 1;
            tasks.push((vec![x], 8));
            partials_a.push(tasks.len() as u32 - 1);
            tasks.push((vec![x], 8));
            partials_b.push(tasks.len() as u32 - 1);
        }
        tasks.push((partials_a, 8));
        tasks.push((partials_b, 8));
        let refs: Vec<(&[u32], u64)> = tasks.iter().map(|(d, b)| (d.as_slice(), *b)).collect();
        let g = graph(&refs);
        let prio = priorities(&g);
        assert!(is_topological(&g, &prio));
        assert!(
            simulate_peak(&g, &prio) <= 2 * 1000 + 32 * 8,
            "{}",
            simulate_peak(&g, &prio)
        );
    }

    #[test]
    fn chains_keep_their_order() {
        let g = graph(&[(&[], 5), (&[0], 5), (&[], 5), (&[2], 5)]);
        assert_eq!(priorities(&g), vec![0, 1, 2, 3]);
    }
}
