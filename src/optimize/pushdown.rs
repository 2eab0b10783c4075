//! Slice pushdown: a slice of an elementwise operation becomes the operation of slices of
//! its inputs, a slice of a transpose the transpose of a slice, and a slice of a
//! concatenation (and of what is built from one: `roll`, `stack`, `block`) the
//! concatenation of the slices of the inputs it touches, and a slice of a generator a
//! generator of the kept elements (`Source::Strided`), repeatedly, so slices
//! reach the sources and only kept elements are computed (and only the blocks holding
//! them are read or generated). A slice is not pushed through a node that another reader
//! needs whole: that would compute the node's kept part twice. A slice that reaches a
//! stored source becomes a source over the slice's bounding box, so only the storage
//! chunks under kept elements are ever read.

use std::sync::Arc;

use crate::chunks::{AxisSelection, Chunks};
use crate::error::Result;
use crate::expr::{build, Node, Op, Source};
use crate::io::BlockReader;
use crate::ops::FlatIndex;

use super::Pass;

/// The pass: slices moved below elementwise operations, transposes and concatenations.
pub(crate) struct PushSlicesTowardSources;

impl Pass for PushSlicesTowardSources {
    fn name(&self) -> &'static str {
        "push slices toward sources"
    }

    fn run(&self, outputs: &[Arc<Node>], log: &mut Vec<String>) -> Result<Vec<Arc<Node>>> {
        pushdown(outputs, self.name(), log)
    }
}

/// Pushes slices down the graph under `outputs`, logging each move.
fn pushdown(
    outputs: &[Arc<Node>],
    pass: &'static str,
    log: &mut Vec<String>,
) -> Result<Vec<Arc<Node>>> {
    let readers = super::readers(outputs);
    let single = |n: &Node| readers.get(&n.key).copied().unwrap_or(0) <= 1;
    super::rewrite(outputs, pass, &mut |node, original| {
        let (Op::Slice(sel), Some(x), Some(x_orig)) =
            (&node.op, node.inputs.first(), original.inputs.first())
        else {
            return None;
        };
        let pushed = push(sel, x, x_orig, &single, 0)?;
        if pushed.chunks() != node.chunks() {
            return None; // a different chunking would move data later
        }
        log.push(format!(
            "pushdown: slice to {:?} moved below {} toward the sources",
            node.shape(),
            x.op.name()
        ));
        Some(pushed)
    })
}

/// Deepest a slice is pushed in one rewrite.
const MAX_DEPTH: usize = 64;

/// `x[sel]` with the slice moved below `x` (recursively), or `None` when it cannot move:
/// `x` is not elementwise or a transpose, or `x_orig` (the same node before rewriting)
/// has another reader.
fn push(
    sel: &[AxisSelection],
    x: &Arc<Node>,
    x_orig: &Arc<Node>,
    single: &dyn Fn(&Node) -> bool,
    depth: usize,
) -> Option<Arc<Node>> {
    // A generator is made again for each reader anyway (`plan::lower` regenerates them),
    // so a slice of one moves into it even when other readers take it whole.
    if let Op::Source(source) = &x.op {
        if source.is_counter_based() {
            return strided_source(sel, x, source);
        }
    }
    if !single(x_orig) || depth > MAX_DEPTH {
        return None;
    }
    let originals = originals(x, x_orig);
    match &x.op {
        Op::Map(_) => {
            let mut inputs = Vec::with_capacity(x.inputs.len());
            for (input, input_orig) in x.inputs.iter().zip(originals) {
                let s = input_selection(sel, input.shape(), x.shape())?;
                let pushed = push(&s, input, input_orig, single, depth + 1);
                inputs.push(match pushed {
                    Some(p) => p,
                    None => build::select(input, s).ok()?,
                });
            }
            rebuild_map(x, &inputs)
        }
        Op::Transpose(perm) if sel.iter().all(|s| matches!(s, AxisSelection::Range { .. })) => {
            let mut inner = sel.to_vec();
            for (i, &p) in perm.iter().enumerate() {
                inner[p] = sel[i];
            }
            let (y, y_orig) = (&x.inputs[0], originals[0]);
            let sliced = match push(&inner, y, y_orig, single, depth + 1) {
                Some(p) => p,
                None => build::select(y, inner).ok()?,
            };
            let transposed = build::permute_exact(&sliced, perm).ok()?;
            Some(transposed_source(&sliced, &transposed, perm).unwrap_or(transposed))
        }
        Op::Source(Source::Read { reader, origin }) => read_box(sel, x, reader, origin),
        Op::Block(kernel) => {
            let shapes: Vec<&[usize]> = x.inputs.iter().map(|i| i.shape()).collect();
            let parts = kernel.selection_parts(sel, &shapes)?;
            let mut pieces = Vec::with_capacity(parts.parts.len());
            for (slot, s) in parts.parts {
                let (input, input_orig) = (x.inputs.get(slot)?, *originals.get(slot)?);
                pieces.push(match push(&s, input, input_orig, single, depth + 1) {
                    Some(p) => p,
                    None => build::select(input, s).ok()?,
                });
            }
            if let [one] = pieces.as_slice() {
                return Some(one.clone());
            }
            let axis = isize::try_from(parts.axis).ok()?;
            crate::blocks::concatenate::concatenate(&pieces, axis).ok()
        }
        _ => None,
    }
}

/// The nodes of the original graph that `x`'s inputs were rewritten from. When an earlier
/// rewrite replaced `x_orig` by another kind of node (a slice of a map became a map of
/// slices), `x`'s inputs are new nodes with no original: each stands for itself.
fn originals<'a>(x: &'a Arc<Node>, x_orig: &'a Arc<Node>) -> Vec<&'a Arc<Node>> {
    if x.op.name() == x_orig.op.name() && x.inputs.len() == x_orig.inputs.len() {
        x_orig.inputs.iter().collect()
    } else {
        x.inputs.iter().collect()
    }
}

/// `x[sel]` for a stored source `x`: a source reading only the bounding box of the
/// selection (in `x`'s chunks cut to the box, so the result keeps its chunks), then the
/// rest of the selection (steps, dropped axes) inside the box. Readers fetch exactly
/// the box a task asks for, so only the storage chunks under kept elements are read.
fn read_box(
    sel: &[AxisSelection],
    x: &Arc<Node>,
    reader: &Arc<dyn BlockReader>,
    origin: &[usize],
) -> Option<Arc<Node>> {
    if sel.contains(&AxisSelection::NewAxis) || sel.len() != x.ndim() {
        return None;
    }
    let mut bounds = Vec::with_capacity(sel.len());
    let mut inner = Vec::with_capacity(sel.len());
    for (s, &len) in sel.iter().zip(x.shape()) {
        let (lo, hi, rest) = match *s {
            AxisSelection::Index(i) => (i, i + 1, AxisSelection::Index(0)),
            // An empty selection reads nothing anyway; a new axis was refused above.
            AxisSelection::Range { len: 0, .. } | AxisSelection::NewAxis => return None,
            AxisSelection::Range { first, step, len } => {
                let last = first.checked_add_signed(step * isize::try_from(len - 1).ok()?)?;
                let (lo, hi) = (first.min(last), first.max(last) + 1);
                let rest = AxisSelection::Range {
                    first: first - lo,
                    step,
                    len,
                };
                (lo, hi, rest)
            }
        };
        if hi > len {
            return None;
        }
        bounds.push((lo, hi));
        inner.push(rest);
    }
    if bounds
        .iter()
        .zip(x.shape())
        .all(|(&(lo, hi), &len)| lo == 0 && hi == len)
    {
        return None; // the slice keeps the whole source: nothing to push
    }
    let window: Vec<AxisSelection> = bounds
        .iter()
        .map(|&(lo, hi)| AxisSelection::Range {
            first: lo,
            step: 1,
            len: hi - lo,
        })
        .collect();
    let chunks = build::select(x, window).ok()?.chunks().clone();
    let shape: Vec<usize> = bounds.iter().map(|&(lo, hi)| hi - lo).collect();
    let origin: Vec<usize> = origin
        .iter()
        .zip(&bounds)
        .map(|(o, &(lo, _))| o + lo)
        .collect();
    let boxed = build::source(
        Source::Read {
            reader: reader.clone(),
            origin,
        },
        &shape,
        x.dtype(),
        &Chunks::Grid(chunks),
    )
    .ok()?;
    build::select(&boxed, inner).ok()
}

/// `x[sel]` for a counter-based generator `x` (`source`), as a generator of just the
/// selected elements ([`Source::Strided`]): each element is a function of its flat
/// index, so the selection only changes which indices are generated. `None` for a
/// selection that keeps the whole source.
fn strided_source(sel: &[AxisSelection], x: &Arc<Node>, source: &Source) -> Option<Arc<Node>> {
    let whole = |s: &AxisSelection, n: usize| matches!(*s, AxisSelection::Range { first: 0, step: 1, len } if len == n);
    if sel.len() == x.ndim() && sel.iter().zip(x.shape()).all(|(s, &n)| whole(s, n)) {
        return None;
    }
    let mut shape = Vec::new();
    let strided = source.reindexed(x.shape(), |index| {
        let mut first = i64::try_from(index.first).ok()?;
        let mut strides = Vec::new();
        let mut axis = 0;
        for s in sel {
            match *s {
                AxisSelection::Index(i) => {
                    first += i64::try_from(i).ok()? * index.strides.get(axis)?;
                    axis += 1;
                }
                AxisSelection::Range {
                    first: f,
                    step,
                    len,
                } => {
                    let stride = *index.strides.get(axis)?;
                    if len > 0 {
                        first += i64::try_from(f).ok()? * stride;
                    }
                    strides.push(i64::try_from(step).ok()? * stride);
                    shape.push(len);
                    axis += 1;
                }
                AxisSelection::NewAxis => {
                    strides.push(0);
                    shape.push(1);
                }
            }
        }
        let first = u64::try_from(first).ok()?;
        (axis == x.ndim()).then_some(FlatIndex { first, strides })
    })?;
    let chunks = build::select(x, sel.to_vec()).ok()?.chunks().clone();
    build::source(strided, &shape, x.dtype(), &Chunks::Grid(chunks)).ok()
}

/// `transposed` (the transpose by `perm` of `x`) as a generator, when `x` is a
/// counter-based one: the same flat indices with the strides permuted, so the
/// transposed block is generated in place of copied (`(x + x.T)[::2, 5000:]`).
fn transposed_source(x: &Arc<Node>, transposed: &Arc<Node>, perm: &[usize]) -> Option<Arc<Node>> {
    let Op::Source(source) = &x.op else {
        return None;
    };
    let strided = source.reindexed(x.shape(), |index| {
        let strides = perm
            .iter()
            .map(|&p| index.strides.get(p).copied())
            .collect::<Option<_>>()?;
        Some(FlatIndex {
            first: index.first,
            strides,
        })
    })?;
    let chunks = Chunks::Grid(transposed.chunks().clone());
    build::source(strided, transposed.shape(), x.dtype(), &chunks).ok()
}

/// The map `x` over new inputs, keeping its operation and dtype.
fn rebuild_map(x: &Arc<Node>, inputs: &[Arc<Node>]) -> Option<Arc<Node>> {
    let Op::Map(op) = x.op else {
        return None;
    };
    build::map_with(op, inputs, x.dtype()).ok()
}

/// The selection of an elementwise operation's input (of `shape`, broadcast to the
/// operation's `out_shape`) that yields its part of the selection `sel` of the result;
/// `None` when new axes would misalign a broadcast input.
fn input_selection(
    sel: &[AxisSelection],
    shape: &[usize],
    out_shape: &[usize],
) -> Option<Vec<AxisSelection>> {
    let lead = out_shape.len() - shape.len();
    let mut out = Vec::with_capacity(sel.len());
    let mut axis = 0;
    for s in sel {
        if *s == AxisSelection::NewAxis {
            if lead > 0 {
                return None;
            }
            out.push(AxisSelection::NewAxis);
            continue;
        }
        if axis >= lead {
            let k = axis - lead;
            let broadcast = shape[k] != out_shape[axis];
            out.push(match (s, broadcast) {
                (AxisSelection::Index(_), true) => AxisSelection::Index(0),
                (AxisSelection::Range { .. }, true) => AxisSelection::Range {
                    first: 0,
                    step: 1,
                    len: 1,
                },
                _ => *s,
            });
        }
        axis += 1;
    }
    // An input missing leading axes that the selection indexes away still lines up: its
    // remaining axes are the result's trailing ones.
    Some(out)
}

#[cfg(test)]
mod tests {
    use ndarray::s;

    use super::*;

    #[test]
    fn a_slice_of_a_sum_moves_below_the_sum() {
        let x = crate::random::uniform::<f64>(&[100, 100], [10, 10], 1);
        let y = (&x + 1.0).slice(s![..10, 20..40]);
        let mut log = Vec::new();
        let out = PushSlicesTowardSources
            .run(std::slice::from_ref(&y.node), &mut log)
            .unwrap();
        assert_eq!(out[0].op.name(), "add", "{:?}", out[0]);
        assert_eq!(out[0].meta, y.node.meta);
        assert!(log[0].contains("moved below add"), "{log:?}");
    }

    #[test]
    fn a_slice_of_a_node_read_whole_elsewhere_stays() {
        let x = crate::random::uniform::<f64>(&[100], [10], 1);
        let sum = &x + 1.0;
        let part = sum.slice(s![..10]);
        let mut log = Vec::new();
        let out = PushSlicesTowardSources
            .run(&[part.node.clone(), sum.node.clone()], &mut log)
            .unwrap();
        assert!(matches!(out[0].op, Op::Slice(_)));
        assert!(log.is_empty(), "{log:?}");
    }
}
