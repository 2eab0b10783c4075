//! `explain`: the optimized plan as a tree a user can read — each layer's operations,
//! array, chunks, tasks and bytes per task, the projected peak memory, and what the
//! optimizer changed.
//!
//! The figures and phrases of each layer ([`LayerFigures`], [`summary`], [`operations`],
//! [`array`]) are shared with the Graphviz rendering in [`super::dot`], so the tree and
//! the picture say the same thing.

use std::fmt::Write as _;

use super::check::task_bytes;
use super::layer::{BlockBytes, Layer};
use super::tasks::TaskPlan;
use super::{LayerId, Plan};
use crate::exec::TaskId;

/// Per-layer figures after culling.
#[derive(Clone, Copy, Default)]
pub(super) struct LayerFigures {
    /// Tasks of the layer that run.
    pub(super) tasks: usize,
    /// The most bytes one task outputs.
    pub(super) max_out: u64,
    /// The most bytes one task holds while it runs (inputs, output, scratch).
    pub(super) max_task: u64,
}

/// The figures of every layer of `tasks`' plan, by layer index.
pub(super) fn layer_figures(tasks: &TaskPlan<'_>) -> Vec<LayerFigures> {
    let graph = &tasks.graph;
    let mut figures = vec![LayerFigures::default(); tasks.plan().layers.len()];
    for t in 0..graph.len() {
        let task = TaskId(t as u32);
        let f = &mut figures[tasks.layer_index(task)];
        f.tasks += 1;
        f.max_out = f.max_out.max(graph.out_bytes(task));
        f.max_task = f.max_task.max(task_bytes(tasks, task));
    }
    figures
}

/// The header line of a plan: `plan: 3 layers, 110 tasks; projected peak ... one task at
/// a time (budget for tasks ...)`, counting the layers that have tasks.
pub(super) fn summary(tasks: &TaskPlan<'_>, figures: &[LayerFigures], budget: u64) -> String {
    let (peak, _) = super::check::sequential_peak(tasks);
    format!(
        "plan: {} layers, {} tasks; projected peak {} one task at a time (budget for tasks {})",
        figures.iter().filter(|f| f.tasks > 0).count(),
        tasks.graph.len(),
        bytes(peak),
        bytes(budget)
    )
}

/// What a layer runs: its label, with its fused operations (`sum (partial) = fused
/// [random.uniform → add]`) or its kind's note (`matmul (partial products summed)`).
pub(super) fn operations(layer: &Layer) -> String {
    let ops = layer.fused_ops();
    if ops.len() > 1 || (ops.len() == 1 && ops[0] != layer.name) {
        layer.title()
    } else if let Some(about) = layer.describe() {
        format!("{} ({about})", layer.label())
    } else {
        layer.label()
    }
}

/// The array a layer makes: `[100, 100] chunks ...`, `partials of [100, 100] over axes
/// [0]`, or `written`.
pub(super) fn array(layer: &Layer) -> String {
    match &layer.bytes {
        BlockBytes::Grid { grid, .. } => format!("{:?} chunks {grid}", grid.shape()),
        BlockBytes::Partial { grid, axes, .. } => {
            format!("partials of {:?} over axes {axes:?}", grid.shape())
        }
        BlockBytes::Nothing => "written".to_string(),
    }
}

/// The plan of `tasks` as text: a header with totals, the optimizer's changes, then
/// each output's tree of layers (inputs indented under their readers; a layer read by
/// several is printed once and referred to by number after).
pub(crate) fn explain(tasks: &TaskPlan<'_>, budget: u64, changes: &[String]) -> String {
    let plan = tasks.plan();
    let figures = layer_figures(tasks);
    let mut out = summary(tasks, &figures, budget);
    out.push('\n');
    if changes.is_empty() {
        let _ = writeln!(out, "optimizer: no changes");
    } else {
        let _ = writeln!(out, "optimizer:");
        for c in changes {
            let _ = writeln!(out, "  - {c}");
        }
    }
    let mut shown = vec![false; plan.layers.len()];
    for (i, o) in plan.outputs.iter().enumerate() {
        let _ = writeln!(
            out,
            "output {i}: {} {:?} chunks {}",
            o.dtype,
            o.grid.shape(),
            o.grid
        );
        write_layer(&mut out, plan, &figures, &mut shown, o.layer, 1);
    }
    out
}

fn write_layer(
    out: &mut String,
    plan: &Plan,
    figures: &[LayerFigures],
    shown: &mut [bool],
    id: LayerId,
    depth: usize,
) {
    let layer = plan.layer(id);
    let indent = "  ".repeat(depth);
    let f = figures[id.0 as usize];
    if shown[id.0 as usize] {
        let _ = writeln!(out, "{indent}└ [{}] {} (shown above)", id.0, layer.label());
        return;
    }
    shown[id.0 as usize] = true;
    let _ = writeln!(
        out,
        "{indent}└ [{}] {}: {}; {} of {} tasks, {} out / {} held per task",
        id.0,
        operations(layer),
        array(layer),
        f.tasks,
        layer.num_blocks(),
        bytes(f.max_out),
        bytes(f.max_task)
    );
    for &input in &layer.inputs {
        write_layer(out, plan, figures, shown, input, depth + 1);
    }
}

pub(super) fn bytes(b: u64) -> String {
    crate::units::human_bytes(b)
}
