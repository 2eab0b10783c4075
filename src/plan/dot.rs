//! [`dot`]: the optimized plan as a Graphviz graph — one box per layer that runs, an
//! arrow from each layer to each layer that reads it, the header of `explain` on top.
//!
//! Where it sits: `compute::explain_dot` renders the same preparation that `compute`
//! runs, so the picture shows what runs. Each box says what [`super::explain`] says of
//! its layer (the same figures and phrases, from the functions shared with it); the
//! fill tells the kind of layer ([`Role`]), a double border marks an output, and a
//! red note says why the plan would be refused. The text is plain DOT with every label
//! escaped, for `dot -Tsvg` (Graphviz 2.43 or newer) or any other DOT reader.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::explain::{array, bytes, layer_figures, operations, summary};
use super::layer::{BlockBytes, Layer};
use super::tasks::TaskPlan;

/// Label lines are wrapped at spaces past this many characters.
const WRAP: usize = 96;

/// What kind of work a layer does, told apart by the fill of its box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Makes blocks from nothing: reads storage or generates (possibly with fused
    /// elementwise work on top).
    Source,
    /// Fused elementwise work on the blocks of other layers.
    Elementwise,
    /// A stage of a reduction (partials, combines, the final result).
    Reduction,
    /// Writes its blocks to storage.
    Write,
    /// Moves or regroups blocks (slice, transpose, rechunk) or runs a block kernel of
    /// its own (matmul, scans, ...).
    Other,
}

impl Role {
    fn of(layer: &Layer) -> Role {
        if matches!(layer.bytes, BlockBytes::Nothing) {
            Role::Write
        } else if layer.stage.is_some() {
            Role::Reduction
        } else if layer.inputs.is_empty() {
            Role::Source
        } else if !layer.fused_ops().is_empty() {
            Role::Elementwise
        } else {
            Role::Other
        }
    }

    /// The fill colour of the role's boxes (pastel, so that black text stays readable).
    fn fill(self) -> &'static str {
        match self {
            Role::Source => "#d5e8d4",
            Role::Elementwise => "#dae8fc",
            Role::Reduction => "#e1d5e7",
            Role::Write => "#ffe6cc",
            Role::Other => "#f5f5f5",
        }
    }

    /// The role in words, shown as the tooltip of a box in SVG.
    fn name(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Elementwise => "elementwise",
            Role::Reduction => "reduction",
            Role::Write => "write",
            Role::Other => "blocks moved or computed",
        }
    }
}

/// The plan of `tasks` as a Graphviz `digraph`: a node `L<n>` per layer with tasks after
/// culling, edges in the direction data flows (one per distinct input, labelled `×k`
/// when a layer reads it `k` times), and a note node when the plan is `refused`.
pub(crate) fn dot(tasks: &TaskPlan<'_>, budget: u64, refused: Option<&str>) -> String {
    let plan = tasks.plan();
    let figures = layer_figures(tasks);
    let mut outputs: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, o) in plan.outputs.iter().enumerate() {
        outputs
            .entry(o.layer.0 as usize)
            .or_default()
            .push(format!("output {i}: {}", o.dtype));
    }
    // The header of `explain`, its totals and its memory on a line each.
    let title: Vec<String> = summary(tasks, &figures, budget)
        .split("; ")
        .map(str::to_string)
        .collect();
    let mut out = String::from("digraph chunkwise {\n");
    let _ = writeln!(
        out,
        "  graph [label={}, labelloc=t, labeljust=l, fontname=\"Helvetica\", fontsize=12];",
        label(&title)
    );
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    out.push_str("  edge [color=\"#555555\", fontname=\"Helvetica\", fontsize=10];\n");
    let runs = |l: usize| figures[l].tasks > 0;
    for (l, layer) in plan.layers.iter().enumerate().filter(|&(l, _)| runs(l)) {
        let f = figures[l];
        let role = Role::of(layer);
        let mut lines = vec![
            format!("[{l}] {}", operations(layer)),
            array(layer),
            format!("tasks: {} of {}", f.tasks, layer.num_blocks()),
            format!(
                "{} out / {} held per task",
                bytes(f.max_out),
                bytes(f.max_task)
            ),
        ];
        let output = outputs.get(&l);
        lines.extend(output.into_iter().flatten().cloned());
        let _ = writeln!(
            out,
            "  L{l} [label={}, fillcolor=\"{}\", tooltip={}{}];",
            label(&lines),
            role.fill(),
            quoted(role.name()),
            if output.is_some() {
                ", peripheries=2"
            } else {
                ""
            }
        );
    }
    for (l, layer) in plan.layers.iter().enumerate().filter(|&(l, _)| runs(l)) {
        let mut reads: BTreeMap<usize, usize> = BTreeMap::new();
        for input in &layer.inputs {
            *reads.entry(input.0 as usize).or_default() += 1;
        }
        // A layer none of whose blocks are needed has no node: no edge from it either.
        for (input, times) in reads.into_iter().filter(|&(i, _)| runs(i)) {
            if times > 1 {
                let _ = writeln!(out, "  L{input} -> L{l} [label=\"×{times}\"];");
            } else {
                let _ = writeln!(out, "  L{input} -> L{l};");
            }
        }
    }
    if let Some(reason) = refused {
        let _ = writeln!(
            out,
            "  refused [shape=note, style=filled, fillcolor=\"#f8cecc\", color=\"#b85450\", \
             label={}];",
            label(&[format!("refused: {reason}")])
        );
    }
    out.push_str("}\n");
    out
}

/// `lines` as one quoted DOT label, each line wrapped and left-justified (`\l`).
fn label(lines: &[String]) -> String {
    let mut text = String::from("\"");
    for line in lines {
        for part in line.split('\n').flat_map(wrap) {
            text.push_str(&escape(&part));
            text.push_str("\\l");
        }
    }
    text.push('"');
    text
}

/// `text` as a quoted DOT string on one line.
fn quoted(text: &str) -> String {
    format!("\"{}\"", escape(&text.replace('\n', " ")))
}

/// `text` escaped for a quoted DOT string: backslashes and quotes get a backslash (so
/// that `\n` or `\N` in a name stays text), carriage returns go.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// `line` cut at spaces into pieces of at most [`WRAP`] characters where it can be (a
/// longer word stays whole), the pieces after the first indented by two spaces.
fn wrap(line: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        let len = current.chars().count();
        if len > 0 && len + 1 + word.chars().count() > WRAP {
            pieces.push(std::mem::take(&mut current));
            current.push_str("  ");
        } else if len > 0 {
            current.push(' ');
        }
        current.push_str(word);
    }
    pieces.push(current);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ComputeOptions, MemoryLimit};

    /// Options with a budget every task of these small plans fits.
    fn roomy() -> ComputeOptions {
        ComputeOptions::default().memory_limit(MemoryLimit::from_bytes(1 << 30))
    }

    /// The lines of `dot` that declare a layer's node.
    fn nodes(dot: &str) -> Vec<&str> {
        dot.lines()
            .map(str::trim)
            .filter(|l| l.starts_with('L') && !l.contains("->"))
            .collect()
    }

    /// The number of the layer a node line declares.
    fn number(node: &str) -> usize {
        node[1..].split(' ').next().unwrap().parse().unwrap()
    }

    /// The edges of `dot` as (from, to) pairs of layer numbers.
    fn edges(dot: &str) -> Vec<(usize, usize)> {
        dot.lines()
            .filter_map(|l| {
                let (from, to) = l.trim().split_once(" -> ")?;
                let to = to.split([' ', ';']).next()?;
                Some((from[1..].parse().ok()?, to[1..].parse().ok()?))
            })
            .collect()
    }

    #[test]
    fn a_fused_reduction_is_one_kernel_then_its_combines() {
        let x = crate::random::uniform::<f64>(&[1_000, 1_000], [100, 100], 7);
        let dot = ((&x + 1.0) * 2.0)
            .sum(..)
            .explain_dot_with(&roomy())
            .unwrap();
        assert!(dot.starts_with("digraph chunkwise {\n"), "{dot}");
        assert!(dot.ends_with("}\n"), "{dot}");
        assert!(
            dot.contains("label=\"plan: 3 layers, 110 tasks\\lprojected peak "),
            "{dot}"
        );
        let nodes = nodes(&dot);
        assert_eq!(nodes.len(), 3, "{dot}");
        // The kernel: the fused chain, its array, its tasks, bytes per task.
        let kernel = nodes[0];
        assert!(
            kernel.contains(
                "[label=\"[0] sum (partial) = fused [random.uniform → add → multiply]\\l\
                 partials of [1000, 1000] over axes [0, 1]\\ltasks: 100 of 100\\l"
            ),
            "{dot}"
        );
        assert!(kernel.contains(" out / "), "{dot}");
        assert!(kernel.contains("fillcolor=\"#e1d5e7\""), "{dot}");
        assert!(!kernel.contains("peripheries"), "{dot}");
        // The last combine is the output, with a double border.
        assert!(nodes[2].contains("output 0: float64\\l"), "{dot}");
        assert!(nodes[2].contains("peripheries=2"), "{dot}");
        let layers: Vec<usize> = nodes.iter().map(|n| number(n)).collect();
        assert_eq!(
            edges(&dot),
            [(layers[0], layers[1]), (layers[1], layers[2])],
            "{dot}"
        );
        assert!(!dot.contains("refused"), "{dot}");
    }

    #[test]
    fn a_shared_input_is_one_node_with_an_edge_to_each_reader() {
        // The column means, read by two slices (a column and a row of the outer product).
        let x = crate::random::uniform::<f64>(&[40, 40], [10, 10], 7);
        let m = x.mean(0);
        let outer = m.expand_dims(1) * m.expand_dims(0);
        let dot = outer.explain_dot_with(&roomy()).unwrap();
        let means: Vec<usize> = nodes(&dot)
            .into_iter()
            .filter(|n| n.contains("] mean (finalize)"))
            .map(number)
            .collect();
        assert_eq!(means.len(), 1, "{dot}");
        let readers = edges(&dot).iter().filter(|e| e.0 == means[0]).count();
        assert_eq!(readers, 2, "{dot}");
        assert_eq!(dot.matches("peripheries=2").count(), 1, "{dot}");
    }

    #[test]
    fn a_layer_reading_one_input_twice_has_one_labelled_edge() {
        let x = crate::random::uniform::<f64>(&[40, 40], [20, 20], 7);
        let dot = x.matmul(&x).explain_dot_with(&roomy()).unwrap();
        assert_eq!(edges(&dot), [(0, 1)], "{dot}");
        assert!(dot.contains("L0 -> L1 [label=\"×2\"];"), "{dot}");
        // Computed together, two outputs are both marked.
        let (a, b) = (x.sum(0), x.matmul(&x));
        let dot = crate::compute::explain_dot(&[a.node, b.node], &roomy()).unwrap();
        assert_eq!(dot.matches("peripheries=2").count(), 2, "{dot}");
    }

    #[test]
    fn a_refused_plan_has_a_red_note() {
        let x = crate::random::uniform::<f64>(&[1_000], [100], 7).sum(..);
        let tiny = ComputeOptions::default().memory_limit(MemoryLimit::from_bytes(100));
        let dot = x.explain_dot_with(&tiny).unwrap();
        assert!(dot.contains("refused [shape=note,"), "{dot}");
        assert!(dot.contains("label=\"refused: `sum"), "{dot}");
    }

    #[test]
    fn labels_are_escaped_and_wrapped() {
        assert_eq!(escape(r#"a "b" \n c"#), r#"a \"b\" \\n c"#);
        assert_eq!(
            label(&["x \"y\"".to_string(), "one\ntwo".to_string()]),
            r#""x \"y\"\lone\ltwo\l""#
        );
        assert_eq!(quoted("a\nb\\"), r#""a b\\""#);
        let long = ["word"; 30].join(" ");
        let pieces = wrap(&long);
        assert!(
            pieces.iter().all(|p| p.chars().count() <= WRAP),
            "{pieces:?}"
        );
        assert!(pieces[1].starts_with("  word"), "{pieces:?}");
        assert_eq!(pieces.concat().split_whitespace().count(), 30);
        assert_eq!(wrap(""), [""]);
    }
}
