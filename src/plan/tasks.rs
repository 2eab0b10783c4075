//! [`TaskPlan`]: a plan expanded into the culled task graph, one task per needed block,
//! and the runner that executes a task's kernel.
//!
//! Only blocks that the requested outputs transitively read become tasks. Tasks are
//! numbered in depth-first post-order from the outputs (output block by output block), so
//! every task's inputs have smaller ids, and the ids double as a static priority that
//! finishes one output block before opening the next.
//!
//! Write tasks that touch one storage unit also depend on each other, through edges that
//! carry no data ([`writes`](super::writes)): they come after a task's data inputs, and
//! the runner passes the kernel only the data inputs.

use crate::chunks::{coords_of, linear_index};
use crate::error::{Error, Result};
use crate::exec::{TaskGraph, TaskId, TaskLabel, TaskRunner};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::io::BlockReader;
use crate::kernel::pool::{self, BufferPool};
use crate::kernel::Value;

use super::writes::{self, WriteOrder};
use super::{LayerId, Plan};

const UNSEEN: u32 = u32::MAX;
const OPEN: u32 = u32::MAX - 1;

/// The plan a [`TaskPlan`] expands: borrowed, for a computation run in place, or shared,
/// for one handed to a client's workers (which outlive the call, so need `'static` data).
#[derive(Debug)]
enum PlanRef<'p> {
    Borrowed(&'p Plan),
    Shared(Arc<Plan>),
}

impl std::ops::Deref for PlanRef<'_> {
    type Target = Plan;
    fn deref(&self) -> &Plan {
        match self {
            PlanRef::Borrowed(p) => p,
            PlanRef::Shared(p) => p,
        }
    }
}

/// A plan's task graph, with each task's layer and block.
#[derive(Debug)]
pub(crate) struct TaskPlan<'p> {
    plan: PlanRef<'p>,
    /// Buffers of released chunks, for the next chunks of the same size.
    pool: Arc<BufferPool>,
    task_layer: Vec<LayerId>,
    task_block: Vec<usize>,
    pub(crate) graph: TaskGraph,
    /// For each plan output, its tasks in C order over its blocks.
    pub(crate) output_tasks: Vec<Vec<TaskId>>,
    /// The tasks with ordering edges, and how many: the last that many entries of their
    /// dependency list carry no data.
    ordering_deps: BTreeMap<TaskId, usize>,
    /// Each layer's scratch bytes per task (`Layer::scratch_bytes`), asked for every task.
    layer_scratch: Vec<u64>,
    /// [`check::sequential_peak`](super::check::sequential_peak), once computed.
    pub(super) sequential_peak: std::sync::OnceLock<(u64, Option<TaskId>)>,
}

impl<'p> TaskPlan<'p> {
    /// Expands `plan` into tasks, keeping only the blocks the outputs need.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the graph would have more than 2^32 - 2 tasks;
    /// the errors of [`writes::write_order`] for writes that cannot be made safe.
    pub(crate) fn new(plan: &'p Plan, pool_bytes: usize) -> Result<TaskPlan<'p>> {
        TaskPlan::expand(PlanRef::Borrowed(plan), pool_bytes)
    }

    /// What [`new`](TaskPlan::new) and [`shared`](TaskPlan::shared) do, for either kind
    /// of plan reference.
    fn expand(plan_ref: PlanRef<'p>, pool_bytes: usize) -> Result<TaskPlan<'p>> {
        let plan: &Plan = &plan_ref;
        let order = writes::write_order(plan)?;
        let mut offsets = Vec::with_capacity(plan.layers.len() + 1);
        let mut total = 0usize;
        for l in &plan.layers {
            offsets.push(total);
            total = total
                .checked_add(l.num_blocks())
                .ok_or_else(|| Error::internal("plan::tasks", "block count overflow"))?;
        }
        offsets.push(total);
        if total >= OPEN as usize {
            return Err(Error::parameter(
                "compute",
                "number of blocks",
                total,
                "fewer than 2^32 - 2 blocks in all layers; use larger chunks",
            ));
        }
        let mut builder = Builder {
            plan,
            offsets,
            task_of: vec![UNSEEN; total],
            task_layer: Vec::new(),
            task_block: Vec::new(),
            dep_starts: vec![0],
            deps: Vec::new(),
            out_bytes: Vec::new(),
            order: &order,
            ordering_deps: BTreeMap::new(),
        };
        let mut output_tasks = Vec::with_capacity(plan.outputs.len());
        for out in &plan.outputs {
            let n = plan.layer(out.layer).num_blocks();
            let base = builder.offsets[out.layer.0 as usize];
            let mut ids = Vec::with_capacity(n);
            for b in 0..n {
                ids.push(builder.visit(base + b)?);
            }
            output_tasks.push(ids);
        }
        let outputs: Vec<TaskId> = output_tasks.iter().flatten().copied().collect();
        let Builder {
            task_layer,
            task_block,
            dep_starts,
            deps,
            out_bytes,
            ordering_deps,
            ..
        } = builder;
        let graph = TaskGraph::new(dep_starts, deps, outputs, out_bytes);
        let layer_scratch = plan
            .layers
            .iter()
            .map(super::Layer::scratch_bytes)
            .collect();
        Ok(TaskPlan {
            plan: plan_ref,
            pool: BufferPool::new(pool_bytes, crate::exec::default_threads()),
            task_layer,
            task_block,
            graph,
            output_tasks,
            ordering_deps,
            layer_scratch,
            sequential_peak: std::sync::OnceLock::new(),
        })
    }
}

impl TaskPlan<'static> {
    /// [`new`](TaskPlan::new) for a plan it shares, so it borrows nothing.
    ///
    /// # Errors
    ///
    /// As [`new`](TaskPlan::new).
    pub(crate) fn shared(plan: Arc<Plan>, pool_bytes: usize) -> Result<TaskPlan<'static>> {
        TaskPlan::expand(PlanRef::Shared(plan), pool_bytes)
    }
}

/// A reader and the boxes the tasks read from it, in task order.
pub(crate) type ReaderRegions = (Arc<dyn BlockReader>, Vec<super::kinds::Region>);

impl TaskPlan<'_> {
    /// The storage reads of the tasks, per reader, in task order (the static priority's
    /// first candidate, so about the order they run in): what a read-ahead fetches.
    pub(crate) fn storage_reads(&self) -> Vec<ReaderRegions> {
        let mut reads: Vec<ReaderRegions> = Vec::new();
        let mut coords = Vec::new();
        for (&layer, &block) in self.task_layer.iter().zip(&self.task_block) {
            let layer = self.plan.layer(layer);
            coords_of(block, &layer.blocks, &mut coords);
            let Some((reader, region)) = layer.kind.storage_read(&coords) else {
                continue;
            };
            match reads.iter_mut().find(|(r, _)| Arc::ptr_eq(r, reader)) {
                Some((_, regions)) => regions.push(region),
                None => reads.push((reader.clone(), vec![region])),
            }
        }
        reads
    }

    /// The writers of the plan's write layers.
    pub(crate) fn storage_writers(&self) -> Vec<Arc<dyn crate::io::BlockWriter>> {
        self.plan
            .layers
            .iter()
            .filter_map(|l| l.kind.as_store())
            .map(|s| s.writer.clone())
            .collect()
    }
}

struct Builder<'p> {
    plan: &'p Plan,
    /// First global block number of each layer (and the total at the end).
    offsets: Vec<usize>,
    /// Global block number -> task id, [`UNSEEN`] or [`OPEN`] (on the DFS stack).
    task_of: Vec<u32>,
    task_layer: Vec<LayerId>,
    task_block: Vec<usize>,
    dep_starts: Vec<u32>,
    deps: Vec<TaskId>,
    out_bytes: Vec<u64>,
    /// The write tasks that must wait for others.
    order: &'p WriteOrder,
    ordering_deps: BTreeMap<TaskId, usize>,
}

struct Frame {
    global: usize,
    deps_from: usize,
    next: usize,
}

impl Builder<'_> {
    fn layer_of(&self, global: usize) -> usize {
        self.offsets.partition_point(|&o| o <= global) - 1
    }

    /// Appends the global block numbers that `global` reads to `buf`.
    fn inputs_of(&self, global: usize, buf: &mut Vec<usize>, coords: &mut Vec<usize>) {
        let li = self.layer_of(global);
        let layer = &self.plan.layers[li];
        coords_of(global - self.offsets[li], &layer.blocks, coords);
        layer.for_each_input(coords, &mut |slot, c| {
            let input = layer.inputs[slot].0 as usize;
            let blocks = &self.plan.layers[input].blocks;
            buf.push(self.offsets[input] + linear_index(c, blocks.iter().copied()));
        });
    }

    /// Assigns task ids to `root` and everything it reads (post-order), returning root's id.
    fn visit(&mut self, root: usize) -> Result<TaskId> {
        if self.task_of[root] < OPEN {
            return Ok(TaskId(self.task_of[root]));
        }
        let mut buf: Vec<usize> = Vec::new();
        let mut coords = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        self.task_of[root] = OPEN;
        self.inputs_of(root, &mut buf, &mut coords);
        stack.push(Frame {
            global: root,
            deps_from: 0,
            next: 0,
        });
        while let Some(top) = stack.last_mut() {
            let n_deps = buf.len() - top.deps_from;
            if top.next < n_deps {
                let child = buf[top.deps_from + top.next];
                top.next += 1;
                match self.task_of[child] {
                    UNSEEN => {
                        self.task_of[child] = OPEN;
                        let from = buf.len();
                        self.inputs_of(child, &mut buf, &mut coords);
                        stack.push(Frame {
                            global: child,
                            deps_from: from,
                            next: 0,
                        });
                    }
                    OPEN => return Err(Error::internal("plan::tasks", "cycle in the block graph")),
                    _ => {}
                }
                continue;
            }
            let frame = stack.pop().expect("stack is not empty");
            let id = u32::try_from(self.task_layer.len()).expect("checked against OPEN");
            for &d in &buf[frame.deps_from..] {
                self.deps.push(TaskId(self.task_of[d]));
            }
            buf.truncate(frame.deps_from);
            let li = self.layer_of(frame.global);
            let block = frame.global - self.offsets[li];
            let layer_id = LayerId(u32::try_from(li).expect("few layers"));
            let before = self.order.before(layer_id, block);
            for b in before {
                // Earlier in plan order, so already numbered (see `writes`).
                let earlier = self.task_of[self.offsets[b.layer.0 as usize] + b.block];
                if earlier >= OPEN {
                    return Err(Error::internal(
                        "plan::tasks",
                        "a write is ordered after a block that has no task yet",
                    ));
                }
                self.deps.push(TaskId(earlier));
            }
            if !before.is_empty() {
                self.ordering_deps.insert(TaskId(id), before.len());
            }
            self.dep_starts.push(
                u32::try_from(self.deps.len())
                    .map_err(|_| Error::internal("plan::tasks", "too many edges"))?,
            );
            let layer = &self.plan.layers[li];
            coords_of(block, &layer.blocks, &mut coords);
            self.out_bytes.push(layer.out_bytes(&coords));
            self.task_layer.push(layer_id);
            self.task_block.push(block);
            self.task_of[frame.global] = id;
        }
        Ok(TaskId(self.task_of[root]))
    }
}

/// The C-order coordinates of block `index` in a grid of `dims` blocks (no heap
/// allocation for up to 8 axes: this runs once per task).
fn block_coords(mut index: usize, dims: &[usize]) -> smallvec::SmallVec<[usize; 8]> {
    let mut coords = smallvec::SmallVec::from_elem(0, dims.len());
    for (c, &n) in coords.iter_mut().zip(dims).rev() {
        *c = index % n;
        index /= n;
    }
    coords
}

impl TaskPlan<'_> {
    /// The layer task `t` belongs to.
    pub(crate) fn layer_of(&self, t: TaskId) -> &super::Layer {
        self.plan.layer(self.task_layer[t.index()])
    }

    /// The scratch bytes of task `t` (its layer's).
    pub(crate) fn scratch_of(&self, t: TaskId) -> u64 {
        self.layer_scratch[self.layer_index(t)]
    }

    /// The index of the layer task `t` belongs to.
    pub(crate) fn layer_index(&self, t: TaskId) -> usize {
        self.task_layer[t.index()].0 as usize
    }

    /// The plan the tasks were expanded from.
    pub(crate) fn plan(&self) -> &super::Plan {
        &self.plan
    }

    /// Projected bytes the tasks read or generate (the blocks of source tasks, and
    /// what the sources inside fused kernels produce) and return or write (an output's
    /// blocks, or what a write's tasks store).
    pub(crate) fn io_bytes(&self) -> (u64, u64) {
        let graph = &self.graph;
        let mut per_layer = vec![0usize; self.plan.layers.len()];
        for &l in &self.task_layer {
            per_layer[l.0 as usize] += 1;
        }
        // A layer that runs all its blocks is counted whole, else block by block.
        let whole: Vec<Option<u64>> = (self.plan.layers.iter().zip(&per_layer))
            .map(|(layer, &n)| {
                if n == layer.num_blocks() {
                    layer.kind.total_source_bytes()
                } else {
                    None
                }
            })
            .collect();
        let mut input: u64 = whole.iter().flatten().sum();
        let mut coords = Vec::new();
        for t in (0..graph.len() as u32).map(TaskId) {
            let index = self.layer_index(t);
            if whole[index].is_some() {
                continue;
            }
            let layer = self.plan.layer(self.task_layer[t.index()]);
            coords_of(self.task_block[t.index()], &layer.blocks, &mut coords);
            input += match layer.kind.source_bytes(&coords) {
                Some(bytes) => bytes,
                None if graph.is_root(t) => graph.out_bytes(t),
                None => 0,
            };
        }
        let output = graph
            .outputs()
            .iter()
            .map(|&t| {
                if matches!(self.layer_of(t).bytes, super::layer::BlockBytes::Nothing) {
                    graph.deps(t).first().map_or(0, |&d| graph.out_bytes(d))
                } else {
                    graph.out_bytes(t)
                }
            })
            .sum();
        (input, output)
    }
}

impl TaskRunner for TaskPlan<'_> {
    type Output = Value;

    fn scratch_bytes(&self, task: TaskId) -> u64 {
        self.scratch_of(task)
    }

    fn run(&self, task: TaskId, inputs: &[&Value]) -> Result<Value> {
        let layer = self.plan.layer(self.task_layer[task.index()]);
        let coords = block_coords(self.task_block[task.index()], &layer.blocks);
        let inputs = if self.ordering_deps.is_empty() {
            inputs
        } else {
            let ordering = self.ordering_deps.get(&task).copied().unwrap_or(0);
            &inputs[..inputs.len() - ordering]
        };
        pool::with_pool(&self.pool, || layer.compute(&coords, inputs))
    }

    fn describe_task(&self, task: TaskId, block: &mut Vec<usize>) -> u32 {
        let layer = self.task_layer[task.index()];
        coords_of(
            self.task_block[task.index()],
            &self.plan.layer(layer).blocks,
            block,
        );
        layer.0
    }

    fn layer_labels(&self) -> Vec<String> {
        self.plan.layers.iter().map(super::Layer::title).collect()
    }

    fn io_bytes(&self) -> (u64, u64) {
        TaskPlan::io_bytes(self)
    }

    fn output_bytes(value: &Value) -> u64 {
        value.nbytes() as u64
    }

    fn encode(value: &Value, out: &mut Vec<u8>) {
        crate::kernel::wire::encode(value, out);
    }

    fn decode(&self, bytes: &[u8]) -> Result<Value> {
        crate::kernel::wire::decode(bytes)
    }

    fn recycle(&self, value: Value) {
        if let Value::Array(a) = value {
            self.pool.put(a);
        }
    }

    fn label(&self, task: TaskId) -> TaskLabel {
        let layer = self.plan.layer(self.task_layer[task.index()]);
        let mut block = Vec::new();
        coords_of(self.task_block[task.index()], &layer.blocks, &mut block);
        TaskLabel {
            op: layer.label(),
            block,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `io_bytes`' input, counted block by block (what the whole-layer sums must equal).
    fn input_by_block(tasks: &TaskPlan<'_>) -> u64 {
        let mut coords = Vec::new();
        (0..tasks.graph.len() as u32)
            .map(TaskId)
            .map(|t| {
                let layer = tasks.layer_of(t);
                coords_of(tasks.task_block[t.index()], &layer.blocks, &mut coords);
                match layer.kind.source_bytes(&coords) {
                    Some(b) => b,
                    None if tasks.graph.is_root(t) => tasks.graph.out_bytes(t),
                    None => 0,
                }
            })
            .sum()
    }

    #[test]
    fn input_bytes_count_what_every_block_reads_broadcasts_included() {
        let x = crate::random::uniform::<f64>(&[391, 7], [100, 3], 1);
        let row = crate::random::uniform::<f32>(&[7], [7], 2);
        let col = crate::random::uniform::<f64>(&[391, 1], [391, 1], 3);
        let cases = [
            ((&x + &row.astype::<f64>()) * &col).sum(..).node,
            (&x + 1.0).mean(0).node,
            x.sum(1).node,
        ];
        for node in cases {
            let plan = super::super::fit::lower_to_fit(&[node], true, u64::MAX).unwrap();
            let tasks = TaskPlan::new(&plan, 0).unwrap();
            let (input, _) = tasks.io_bytes();
            assert_eq!(input, input_by_block(&tasks));
            // x alone is 391 * 7 doubles; the broadcast operands add their reads.
            assert!(input >= 391 * 7 * 8, "{input}");
        }
        // x + row: row (4 bytes each) is read once per block along axis 0 (4 blocks).
        let plan = super::super::fit::lower_to_fit(
            &[(&x + &row.astype::<f64>()).sum(..).node],
            true,
            u64::MAX,
        )
        .unwrap();
        let (input, _) = TaskPlan::new(&plan, 0).unwrap().io_bytes();
        assert_eq!(input, 391 * 7 * 8 + 4 * 7 * 4);
    }
}
