//! `explain`: the optimized plan as a tree a user can read — each layer's operations,
//! array, chunks, tasks and bytes per task, the projected peak memory, and what the
//! optimizer changed.

use std::fmt::Write as _;

use super::check::task_bytes;
use super::layer::BlockBytes;
use super::tasks::TaskPlan;
use super::{LayerId, Plan};
use crate::exec::TaskId;

/// Per-layer figures after culling.
#[derive(Clone, Copy, Default)]
struct LayerFigures {
    tasks: usize,
    max_out: u64,
    max_task: u64,
}

/// The plan of `tasks` as text: a header with totals, the optimizer's changes, then
/// each output's tree of layers (inputs indented under their readers; a layer read by
/// several is printed once and referred to by number after).
pub(crate) fn explain(tasks: &TaskPlan<'_>, budget: u64, changes: &[String]) -> String {
    let plan = tasks.plan();
    let graph = &tasks.graph;
    let mut figures = vec![LayerFigures::default(); plan.layers.len()];
    for t in 0..graph.len() {
        let task = TaskId(t as u32);
        let f = &mut figures[tasks.layer_index(task)];
        f.tasks += 1;
        f.max_out = f.max_out.max(graph.out_bytes(task));
        f.max_task = f.max_task.max(task_bytes(tasks, task));
    }
    let (peak, _) = super::check::sequential_peak(tasks);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan: {} layers, {} tasks; projected peak {} one task at a time (budget for tasks {})",
        plan.layers
            .iter()
            .zip(&figures)
            .filter(|(_, f)| f.tasks > 0)
            .count(),
        graph.len(),
        bytes(peak),
        bytes(budget)
    );
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
    let ops = layer.fused_ops();
    let what = if ops.len() > 1 || (ops.len() == 1 && ops[0] != layer.name) {
        layer.title()
    } else if let Some(about) = layer.describe() {
        format!("{} ({about})", layer.label())
    } else {
        layer.label()
    };
    let array = match &layer.bytes {
        BlockBytes::Grid { grid, .. } => format!("{:?} chunks {grid}", grid.shape()),
        BlockBytes::Partial { grid, axes, .. } => {
            format!("partials of {:?} over axes {axes:?}", grid.shape())
        }
        BlockBytes::Nothing => "written".to_string(),
    };
    let _ = writeln!(
        out,
        "{indent}└ [{}] {what}: {array}; {} of {} tasks, {} out / {} held per task",
        id.0,
        f.tasks,
        layer.num_blocks(),
        bytes(f.max_out),
        bytes(f.max_task)
    );
    for &input in &layer.inputs {
        write_layer(out, plan, figures, shown, input, depth + 1);
    }
}

fn bytes(b: u64) -> String {
    crate::units::human_bytes(b)
}
