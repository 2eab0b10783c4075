//! The layers that move, add or drop axes block by block: [`Transpose`], [`ExpandDims`]
//! and [`Squeeze`]. Each output block is one input block with its axes rearranged.

use crate::error::Result;
use crate::kernel::{copy, Value};

use super::{array_input, LayerKind};

/// Axes permuted: output axis `i` is input axis `perm[i]`.
#[derive(Debug)]
pub(crate) struct Transpose {
    pub(crate) perm: Vec<usize>,
}

impl LayerKind for Transpose {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut coords = vec![0; self.perm.len()];
        for (i, &p) in self.perm.iter().enumerate() {
            coords[p] = out[i];
        }
        f(0, &coords);
    }

    fn compute(&self, _: &[usize], inputs: &[&Value]) -> Result<Value> {
        Ok(Value::Array(copy::transpose_block(
            array_input(inputs, 0)?,
            &self.perm,
        )))
    }
}

/// A new axis of length 1 at `axis`.
#[derive(Debug)]
pub(crate) struct ExpandDims {
    pub(crate) axis: usize,
}

impl LayerKind for ExpandDims {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut coords = out.to_vec();
        coords.remove(self.axis);
        f(0, &coords);
    }

    fn compute(&self, _: &[usize], inputs: &[&Value]) -> Result<Value> {
        Ok(Value::Array(copy::expand_dims_block(
            array_input(inputs, 0)?,
            self.axis,
        )))
    }
}

/// The length-1 `axes` (sorted) removed.
#[derive(Debug)]
pub(crate) struct Squeeze {
    pub(crate) axes: Vec<usize>,
}

impl LayerKind for Squeeze {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, &with_zeros(out, &self.axes));
    }

    fn compute(&self, _: &[usize], inputs: &[&Value]) -> Result<Value> {
        Ok(Value::Array(copy::squeeze_block(
            array_input(inputs, 0)?,
            &self.axes,
        )?))
    }
}

/// `coords` with a 0 inserted at each of the (sorted) positions `axes`.
pub(super) fn with_zeros(coords: &[usize], axes: &[usize]) -> Vec<usize> {
    let mut full = coords.to_vec();
    for &a in axes {
        full.insert(a, 0);
    }
    full
}
