//! [`Slice`]: each output block cut from the one input block that holds it.

use crate::chunks::SliceMap;
use crate::error::Result;
use crate::kernel::{copy, Value};

use super::{array_input, LayerKind};

/// A basic slice (ranges, steps, integer indices) of the input.
#[derive(Debug)]
pub(crate) struct Slice {
    pub(crate) map: SliceMap,
}

impl LayerKind for Slice {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut coords = Vec::new();
        self.map.input_block(out, &mut coords);
        f(0, &coords);
    }

    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        Ok(Value::Array(copy::slice_block(
            array_input(inputs, 0)?,
            &self.map.local_index(out),
        )?))
    }
}
