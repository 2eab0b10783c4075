//! `concatenate`: arrays joined along an existing axis (NumPy's `concatenate`); `stack`
//! and `block` are built from it.
//!
//! ```text
//!  concatenate([x, y], axis=0), x of 7 in chunks (3, 3, 1), y of 4 in (4,):
//!  output chunks (3, 3, 1, 4); output block 3 is y's block 0, the others x's
//! ```
//!
//! Each output block is one input block, so the result keeps every input's chunks along
//! the axis and culling reads only the inputs a slice touches. Along the other axes the
//! inputs are brought to one chunking, taken per axis from the input that would cost
//! the most to rechunk (a generator costs nothing).

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, AxisSelection, ChunkGrid};
use crate::error::{Error, Result};
use crate::expr::build::{axis_index, rechunk_to};
use crate::expr::{Meta, Node, Op, Source};
use crate::kernel::block::{BlockKernel, SelectionParts};

/// `inputs` joined along `axis` (negative counts from the end). The inputs must have one
/// dtype (the facade promotes them first), the same number of axes (at least one) and
/// equal lengths on every other axis.
pub(crate) fn concatenate(inputs: &[Arc<Node>], axis: isize) -> Result<Arc<Node>> {
    let Some(first) = inputs.first() else {
        return Err(Error::parameter(
            "concatenate",
            "arrays",
            "an empty list",
            "at least one array",
        ));
    };
    let ndim = first.ndim();
    if ndim == 0 {
        return Err(Error::parameter(
            "concatenate",
            "arrays",
            "0-d arrays",
            "arrays of at least one axis (zero-dimensional arrays cannot be concatenated)",
        ));
    }
    let axis = axis_index("concatenate", axis, ndim)?;
    for x in inputs {
        if x.dtype() != first.dtype() {
            return Err(Error::internal(
                "blocks::concatenate",
                format!("inputs of dtypes {} and {}", first.dtype(), x.dtype()),
            ));
        }
        let same =
            x.ndim() == ndim && (0..ndim).all(|d| d == axis || x.shape()[d] == first.shape()[d]);
        if !same {
            return Err(Error::parameter(
                "concatenate",
                "arrays",
                format!("arrays of shapes {:?} and {:?}", first.shape(), x.shape()),
                format!(
                    "arrays of {ndim} axes whose lengths match on every axis but the concatenation axis {axis}"
                ),
            ));
        }
    }
    // Per other axis, the chunking of the input that is dearest to rechunk.
    let dearest = inputs
        .iter()
        .max_by_key(|n| match &n.op {
            Op::Source(Source::Read { .. }) => n.meta.nbytes().saturating_add(1),
            Op::Source(_) => 0,
            _ => n.meta.nbytes().saturating_add(1),
        })
        .expect("inputs is not empty");
    let parts: Vec<Arc<Node>> = inputs
        .iter()
        .filter(|x| x.shape()[axis] > 0)
        .map(|x| {
            let mut axes = dearest.chunks().axes().to_vec();
            axes[axis] = x.chunks().axis(axis).clone();
            rechunk_to(x, ChunkGrid::new(axes))
        })
        .collect();
    match parts.as_slice() {
        [] => {
            // Every input is empty along the axis: so is the result.
            let mut axes = dearest.chunks().axes().to_vec();
            axes[axis] = AxisChunks::regular(0, 1)?;
            return Ok(rechunk_to(first, ChunkGrid::new(axes)));
        }
        [only] => return Ok(only.clone()),
        _ => {}
    }
    let mut sizes = Vec::new();
    let mut table = Vec::new();
    for (slot, p) in parts.iter().enumerate() {
        let a = p.chunks().axis(axis);
        sizes.extend(a.sizes());
        table.extend((0..a.num_chunks()).map(|b| (slot, b)));
    }
    let mut axes = parts[0].chunks().axes().to_vec();
    axes[axis] = AxisChunks::from_sizes(&sizes)?;
    let meta = Meta::new(first.dtype(), ChunkGrid::new(axes));
    Ok(Node::new(
        Op::Block(Arc::new(Concatenate { axis, table })),
        parts,
        meta,
    ))
}

/// The kernel of [`concatenate`]: output block `i` along the axis is block `table[i].1`
/// of input `table[i].0`, unchanged.
#[derive(Debug)]
struct Concatenate {
    axis: usize,
    /// For each output block along the axis: the input slot and its block.
    table: Vec<(usize, usize)>,
}

impl BlockKernel for Concatenate {
    fn name(&self) -> &'static str {
        "concatenate"
    }

    fn key(&self) -> Vec<u8> {
        (self.axis as u64).to_le_bytes().to_vec()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let (slot, block) = self.table[out[self.axis]];
        let mut coords = out.to_vec();
        coords[self.axis] = block;
        f(slot, &coords);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        Ok(inputs[0].clone())
    }

    fn describe(&self) -> Option<String> {
        Some(format!("axis {}", self.axis))
    }

    fn selection_parts(
        &self,
        sel: &[AxisSelection],
        in_shapes: &[&[usize]],
    ) -> Option<SelectionParts> {
        let a = self.axis;
        if sel.len() != in_shapes.first()?.len() || sel.contains(&AxisSelection::NewAxis) {
            return None;
        }
        // The result's axis of the concatenation: the kept axes before it.
        let axis = sel[..a]
            .iter()
            .filter(|s| !matches!(s, AxisSelection::Index(_)))
            .count();
        let mut parts = Vec::new();
        let mut lo = 0;
        for (slot, shape) in in_shapes.iter().enumerate() {
            let hi = lo + shape[a];
            let part = match sel[a] {
                AxisSelection::Index(i) if (lo..hi).contains(&i) => {
                    Some(AxisSelection::Index(i - lo))
                }
                AxisSelection::Range { first, step, len } if step > 0 && len > 0 => {
                    let step = step.unsigned_abs();
                    // The first selected position at or after `lo`, and how many fall below `hi`.
                    let k = if first >= lo {
                        0
                    } else {
                        (lo - first).div_ceil(step)
                    };
                    let p = first + k * step;
                    (k < len && p < hi).then(|| AxisSelection::Range {
                        first: p - lo,
                        step: isize::try_from(step).unwrap_or(isize::MAX),
                        len: (len - k).min((hi - 1 - p) / step + 1),
                    })
                }
                AxisSelection::Index(_) => None,
                _ => return None,
            };
            if let Some(part) = part {
                let mut s = sel.to_vec();
                s[a] = part;
                parts.push((slot, s));
            }
            lo = hi;
        }
        (!parts.is_empty()).then_some(SelectionParts { parts, axis })
    }
}

/// `inputs` (of one shape) joined along a new axis at position `axis` of the result
/// (NumPy's `stack`): each gains a length-1 axis there, then they are concatenated.
pub(crate) fn stack(inputs: &[Arc<Node>], axis: isize) -> Result<Arc<Node>> {
    let Some(first) = inputs.first() else {
        return Err(Error::parameter(
            "stack",
            "arrays",
            "an empty list",
            "at least one array",
        ));
    };
    if let Some(x) = inputs.iter().find(|x| x.shape() != first.shape()) {
        return Err(Error::parameter(
            "stack",
            "arrays",
            format!("arrays of shapes {:?} and {:?}", first.shape(), x.shape()),
            "arrays of one shape",
        ));
    }
    let axis = axis_index("stack", axis, first.ndim() + 1)?;
    let expanded = inputs
        .iter()
        .map(|x| crate::expr::build::expand_dims(x, axis as isize))
        .collect::<Result<Vec<_>>>()?;
    concatenate(&expanded, axis as isize)
}
