//! The stages of a reduction: [`ReducePartial`] (one partial per input block) and
//! [`ReduceCombine`] (partials merged along the reduced axes, a tree of such layers),
//! either of which can be the last stage that [`Finalize`]s into the result.
//!
//! What a partial holds and how partials merge is the reducer's business
//! (`kernel::reduce`); these layers only say which blocks go together.

use crate::chunks::ChunkGrid;
use crate::element::DType;
use crate::error::Result;
use crate::expr::Reduction;
use crate::kernel::block::for_each_in_box;
use crate::kernel::{copy, reduce, Partial, Value};

use super::axes::with_zeros;
use super::{array_input, LayerKind};

/// The last step of a reduction: the result dtype and the shape of the result blocks.
#[derive(Debug)]
pub(crate) struct Finalize {
    pub(crate) dtype: DType,
    pub(crate) keepdims: bool,
}

/// The first stage: a partial (or, when it finalizes, the result) per input block.
#[derive(Debug)]
pub(crate) struct ReducePartial {
    pub(crate) reduction: Reduction,
    /// The input's blocks.
    pub(crate) input: ChunkGrid,
    pub(crate) finalize: Option<Finalize>,
}

impl LayerKind for ReducePartial {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(
            0,
            &expand_final(out, &self.reduction, self.finalize.as_ref()),
        );
    }

    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        let r = &self.reduction;
        let coords = expand_final(out, r, self.finalize.as_ref());
        let (start, shape) = (self.input.block_start(&coords), self.input.shape());
        let at = reduce::BlockAt {
            start: &start,
            full_shape: &shape,
        };
        let p = reduce::partial(r.kind, &r.axes, array_input(inputs, 0)?, at)?;
        finish(r, p, self.finalize.as_ref())
    }
}

/// A combine stage: each task merges the partials of a box of `factors` input blocks.
#[derive(Debug)]
pub(crate) struct ReduceCombine {
    pub(crate) reduction: Reduction,
    /// Input blocks per axis.
    pub(crate) input_blocks: Vec<usize>,
    /// How many input blocks along each axis one task merges (1 on kept axes).
    pub(crate) factors: Vec<usize>,
    pub(crate) finalize: Option<Finalize>,
}

impl LayerKind for ReduceCombine {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let coords = expand_final(out, &self.reduction, self.finalize.as_ref());
        let ranges: Vec<std::ops::Range<usize>> = coords
            .iter()
            .zip(&self.factors)
            .zip(&self.input_blocks)
            .map(|((&c, &k), &n)| c * k..((c + 1) * k).min(n))
            .collect();
        for_each_in_box(&ranges, &mut |c| f(0, c));
    }

    fn compute(&self, _: &[usize], inputs: &[&Value]) -> Result<Value> {
        let parts = inputs
            .iter()
            .map(|v| v.partial("plan::kinds::reduce"))
            .collect::<Result<Vec<_>>>()?;
        let p = reduce::combine(self.reduction.kind, &parts)?;
        finish(&self.reduction, p, self.finalize.as_ref())
    }
}

/// Finalizes a partial when this is the reduction's last layer, dropping the reduced axes
/// unless `keepdims`.
pub(super) fn finish(r: &Reduction, p: Partial, finalize: Option<&Finalize>) -> Result<Value> {
    let Some(fin) = finalize else {
        return Ok(Value::Partial(Box::new(p)));
    };
    let out = reduce::finalize(r.kind, p, fin.dtype)?;
    if fin.keepdims {
        return Ok(Value::Array(out));
    }
    let shape: Vec<usize> = out
        .shape()
        .iter()
        .enumerate()
        .filter(|(d, _)| !r.axes.contains(d))
        .map(|(_, &n)| n)
        .collect();
    Ok(Value::Array(copy::reshape_block(out, &shape)?))
}

/// Output coordinates of a reduction's last layer, with the dropped axes put back as 0.
pub(super) fn expand_final(
    out: &[usize],
    r: &Reduction,
    finalize: Option<&Finalize>,
) -> Vec<usize> {
    match finalize {
        Some(f) if !f.keepdims => with_zeros(out, &r.axes),
        _ => out.to_vec(),
    }
}
