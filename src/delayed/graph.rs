//! How a delayed graph runs: its tasks in dependency order, numbered into a
//! [`TaskGraph`] behind the tasks of the arrays whose blocks it reads, so that one run of
//! the executor computes both; the [`TaskRunner`] that tells the two kinds apart.
//!
//! ```text
//!  x.to_delayed()[i] ─┐                 task ids:  0 .. m       array tasks (the plan's,
//!  from_fn("load") ───┴─ map2("fit") ──            (only those      kept in their order)
//!                                                  a block read
//!                                                  needs)
//!                                                  m .. m + k   delayed tasks, in
//!                                                               dependency order
//! ```

use std::fmt::Write as _;
use std::sync::Arc;

use indexmap::{IndexMap, IndexSet};
use smallvec::SmallVec;

use super::{Kind, Node};
use crate::compute::{self, ComputeOptions, Prepared};
use crate::error::{Error, Result};
use crate::exec::{Executor, TaskGraph, TaskId, TaskLabel, TaskRunner};
use crate::kernel::Value;
use crate::plan::tasks::TaskPlan;
use crate::task::AnyValue;

/// Runs every task `outputs` need and returns their values, in order.
pub(super) fn compute(outputs: &[Arc<Node>], options: &ComputeOptions) -> Result<Vec<AnyValue>> {
    let nodes = dependency_order(outputs);
    // Delayed tasks have no wire format: under MPI every rank computes them alone.
    let options = &match options.executor {
        Executor::Mpi => options.clone().executor(Executor::Threaded),
        _ => options.clone(),
    };
    let arrays: IndexMap<crate::expr::Key, Arc<crate::expr::Node>> = nodes
        .iter()
        .filter_map(|n| match &n.kind {
            Kind::Block(b) => Some((b.array.key, b.array.clone())),
            _ => None,
        })
        .collect();
    if arrays.is_empty() {
        let budget = compute::available_bytes(options)?;
        return run(&nodes, outputs, None, budget, options);
    }
    let array_nodes: Vec<Arc<crate::expr::Node>> = arrays.values().cloned().collect();
    compute::prepared(&array_nodes, options, |mut p| {
        std::mem::replace(&mut p.fits, Ok(()))?;
        run(&nodes, outputs, Some((&p, &arrays)), p.budget, options)
    })
}

/// Every task under `outputs`, each once (by key), inputs before the tasks that read
/// them (an iterative depth-first walk, so long chains need no deep stack).
fn dependency_order(outputs: &[Arc<Node>]) -> Vec<Arc<Node>> {
    let mut seen: IndexSet<&str> = IndexSet::new();
    let mut order: Vec<Arc<Node>> = Vec::new();
    let mut stack: Vec<(&Arc<Node>, bool)> = outputs.iter().rev().map(|n| (n, false)).collect();
    while let Some((node, expanded)) = stack.pop() {
        if expanded {
            if seen.insert(&node.key) {
                order.push(node.clone());
            }
        } else if !seen.contains(node.key.as_str()) {
            stack.push((node, true));
            stack.extend(node.inputs.iter().rev().map(|n| (n, false)));
        }
    }
    order
}

/// One task of the combined graph.
#[derive(Clone, Copy)]
enum Task {
    /// A task of the arrays' plan.
    Array(TaskId),
    /// The delayed task at this index of the dependency order.
    Delayed(usize),
}

/// What a task of the combined graph produces.
pub(super) enum Held {
    /// An array task's result (a block, or a reduction's partial).
    Block(Value),
    /// A delayed task's value.
    Any(AnyValue),
}

/// Builds the combined graph of `nodes` (and the array tasks their blocks need, when
/// `arrays` are given) and runs it under `budget` bytes.
fn run(
    nodes: &[Arc<Node>],
    outputs: &[Arc<Node>],
    arrays: Option<(
        &Prepared<'_>,
        &IndexMap<crate::expr::Key, Arc<crate::expr::Node>>,
    )>,
    budget: u64,
    options: &ComputeOptions,
) -> Result<Vec<AnyValue>> {
    let position: IndexMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.key.as_str(), i))
        .collect();
    // The plan's output task each block read needs.
    let block_task = |node: &Node| -> Result<Option<TaskId>> {
        let (Kind::Block(b), Some((p, arrays))) = (&node.kind, arrays) else {
            return Ok(None);
        };
        let which = arrays.get_index_of(&b.array.key);
        which
            .and_then(|j| p.tasks.output_tasks.get(j))
            .and_then(|blocks| blocks.get(b.index))
            .copied()
            .map(Some)
            .ok_or_else(|| Error::internal("delayed", "a block read has no task"))
    };
    // The array tasks needed, in the plan's order.
    let mut tasks: Vec<Task> = Vec::new();
    let mut id_of_plan_task: IndexMap<TaskId, u32> = IndexMap::new();
    if let Some((p, _)) = arrays {
        let graph = &p.tasks.graph;
        let mut needed = vec![false; graph.len()];
        let mut stack = Vec::new();
        for node in nodes {
            stack.extend(block_task(node)?);
        }
        while let Some(t) = stack.pop() {
            if !std::mem::replace(&mut needed[t.index()], true) {
                stack.extend_from_slice(graph.deps(t));
            }
        }
        for (i, _) in needed.iter().enumerate().filter(|(_, n)| **n) {
            let t = TaskId(u32::try_from(i).map_err(|_| too_many())?);
            id_of_plan_task.insert(t, u32::try_from(tasks.len()).map_err(|_| too_many())?);
            tasks.push(Task::Array(t));
        }
    }
    let first_delayed = tasks.len();
    let mut dep_starts = vec![0u32];
    let mut deps: Vec<TaskId> = Vec::new();
    let mut out_bytes: Vec<u64> = Vec::new();
    for task in &tasks {
        let Task::Array(t) = *task else { continue };
        let graph = &arrays.map(|(p, _)| &p.tasks.graph);
        let graph = graph.ok_or_else(|| Error::internal("delayed", "array task without plan"))?;
        deps.extend(graph.deps(t).iter().map(|d| TaskId(id_of_plan_task[d])));
        dep_starts.push(u32::try_from(deps.len()).map_err(|_| too_many())?);
        out_bytes.push(graph.out_bytes(t));
    }
    for (i, node) in nodes.iter().enumerate() {
        let input_id =
            |input: &Arc<Node>| TaskId((first_delayed + position[input.key.as_str()]) as u32);
        deps.extend(node.inputs.iter().map(input_id));
        if let Some(t) = block_task(node)? {
            deps.push(TaskId(id_of_plan_task[&t]));
        }
        dep_starts.push(u32::try_from(deps.len()).map_err(|_| too_many())?);
        out_bytes.push(node.bytes);
        tasks.push(Task::Delayed(i));
    }
    if tasks.len() >= u32::MAX as usize {
        return Err(too_many());
    }
    // Each output once; the same handle asked twice shares one result.
    let mut wanted: IndexSet<TaskId> = IndexSet::new();
    let picks: Vec<usize> = outputs
        .iter()
        .map(|o| {
            let id = TaskId((first_delayed + position[o.key.as_str()]) as u32);
            wanted.insert_full(id).0
        })
        .collect();
    let graph = TaskGraph::new(
        dep_starts,
        deps,
        wanted.iter().copied().collect(),
        out_bytes,
    );
    let runner = Runner::new(nodes, tasks, arrays.map(|(p, _)| &p.tasks));
    let describe = || runner.describe(arrays.map(|(p, _)| p), budget, options);
    let memory_limit = match arrays {
        Some((p, _)) => compute::start_storage_io(&p.tasks, budget, options).1,
        None => budget,
    };
    let execution = compute::run_observed(&graph, &runner, memory_limit, &describe, options)?;
    let values: Vec<AnyValue> = execution
        .outputs
        .iter()
        .map(|held| match held.as_ref() {
            Held::Any(v) => Ok(v.clone()),
            Held::Block(_) => Err(Error::internal("delayed", "an output is an array block")),
        })
        .collect::<Result<_>>()?;
    drop(execution);
    Ok(picks.into_iter().map(|i| values[i].clone()).collect())
}

fn too_many() -> Error {
    Error::parameter(
        "delayed::compute",
        "number of tasks",
        "2^32 or more",
        "fewer than 2^32 - 1 tasks",
    )
}

/// Runs the tasks of a combined graph: an array task by the arrays' plan, a delayed
/// task by its own kind.
struct Runner<'r, 'p> {
    nodes: &'r [Arc<Node>],
    tasks: Vec<Task>,
    plan: Option<&'r TaskPlan<'p>>,
    /// The delayed tasks' names, in order of appearance: their layers, after the plan's.
    names: IndexSet<String>,
    /// The index in `names` of each delayed task's name.
    name_of: Vec<u32>,
    plan_layers: u32,
}

impl<'r, 'p> Runner<'r, 'p> {
    fn new(nodes: &'r [Arc<Node>], tasks: Vec<Task>, plan: Option<&'r TaskPlan<'p>>) -> Self {
        let mut names = IndexSet::new();
        let name_of = nodes
            .iter()
            .map(|n| names.insert_full(n.name.clone()).0 as u32)
            .collect();
        let plan_layers = plan.map_or(0, |p| p.plan().layers.len() as u32);
        Runner {
            nodes,
            tasks,
            plan,
            names,
            name_of,
            plan_layers,
        }
    }

    fn task(&self, task: TaskId) -> Task {
        self.tasks[task.index()]
    }

    fn plan(&self) -> Result<&TaskPlan<'p>> {
        self.plan
            .ok_or_else(|| Error::internal("delayed", "an array task without a plan"))
    }

    /// The graph in words, for `RunStart::plan`: the delayed tasks by name, and the
    /// arrays' plan under them.
    fn describe(
        &self,
        arrays: Option<&Prepared<'_>>,
        budget: u64,
        options: &ComputeOptions,
    ) -> String {
        let mut counts = vec![0usize; self.names.len()];
        for &n in &self.name_of {
            counts[n as usize] += 1;
        }
        let mut text = format!("delayed: {} tasks:", self.nodes.len());
        for (name, count) in self.names.iter().zip(counts) {
            let _ = write!(text, " {name} ×{count},");
        }
        text.pop();
        if let Some(p) = arrays {
            text.push_str(" reading the blocks of\n");
            text.push_str(&compute::plan_text(
                &p.tasks, budget, &p.changes, None, options,
            ));
        }
        text
    }
}

impl TaskRunner for Runner<'_, '_> {
    type Output = Held;

    fn run(&self, task: TaskId, inputs: &[&Held]) -> Result<Held> {
        match self.task(task) {
            Task::Array(t) => {
                let blocks = inputs
                    .iter()
                    .map(|h| match h {
                        Held::Block(v) => Ok(v),
                        Held::Any(_) => Err(Error::internal("delayed", "array task reads a value")),
                    })
                    .collect::<Result<SmallVec<[&Value; 4]>>>()?;
                Ok(Held::Block(self.plan()?.run(t, &blocks)?))
            }
            Task::Delayed(i) => {
                let node = &self.nodes[i];
                match &node.kind {
                    Kind::Value(v) => Ok(Held::Any(v.clone())),
                    Kind::Call(call) => {
                        let values = inputs
                            .iter()
                            .map(|h| match h {
                                Held::Any(v) => Ok(v),
                                Held::Block(_) => {
                                    Err(Error::internal("delayed", "a call reads an array task"))
                                }
                            })
                            .collect::<Result<SmallVec<[&AnyValue; 4]>>>()?;
                        Ok(Held::Any(call(&values)?))
                    }
                    Kind::Block(b) => match inputs {
                        [Held::Block(v)] => Ok(Held::Any(b.take(v)?)),
                        _ => Err(Error::internal("delayed", "a block read without its block")),
                    },
                }
            }
        }
    }

    fn label(&self, task: TaskId) -> TaskLabel {
        match (self.task(task), self.plan) {
            (Task::Array(t), Some(plan)) => plan.label(t),
            (Task::Delayed(i), _) => TaskLabel {
                op: self.nodes[i].key.clone(),
                block: Vec::new(),
            },
            (Task::Array(_), None) => TaskLabel {
                op: "array".to_string(),
                block: Vec::new(),
            },
        }
    }

    fn describe_task(&self, task: TaskId, block: &mut Vec<usize>) -> u32 {
        match (self.task(task), self.plan) {
            (Task::Array(t), Some(plan)) => plan.describe_task(t, block),
            (Task::Delayed(i), _) => {
                block.clear();
                self.plan_layers + self.name_of[i]
            }
            (Task::Array(_), None) => 0,
        }
    }

    fn layer_labels(&self) -> Vec<String> {
        let mut labels = self.plan.map(TaskRunner::layer_labels).unwrap_or_default();
        labels.extend(self.names.iter().cloned());
        labels
    }

    fn io_bytes(&self) -> (u64, u64) {
        self.plan.map_or((0, 0), TaskRunner::io_bytes)
    }

    fn output_bytes(value: &Held) -> u64 {
        match value {
            Held::Block(v) => TaskPlan::output_bytes(v),
            Held::Any(v) => v.bytes(),
        }
    }

    fn recycle(&self, value: Held) {
        if let (Held::Block(v), Some(plan)) = (value, self.plan) {
            plan.recycle(v);
        }
    }

    fn encode(_: &Held, _: &mut Vec<u8>) {
        // Never called: delayed graphs do not run across ranks (see `compute`).
    }

    fn decode(&self, _: &[u8]) -> Result<Held> {
        Err(Error::internal(
            "delayed",
            "delayed values do not travel between MPI ranks",
        ))
    }

    fn scratch_bytes(&self, task: TaskId) -> u64 {
        match (self.task(task), self.plan) {
            (Task::Array(t), Some(plan)) => plan.scratch_bytes(t),
            _ => 0,
        }
    }
}
