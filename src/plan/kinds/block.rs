//! [`Block`]: an operation with its own [`BlockKernel`] (flip, and the operations under
//! `src/blocks/`); the layer only forwards to the kernel.

use std::sync::Arc;

use crate::error::Result;
use crate::kernel::block::BlockKernel;
use crate::kernel::Value;

use super::{array_inputs, LayerKind};

/// The layer of an `Op::Block` node.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) kernel: Arc<dyn BlockKernel>,
}

impl LayerKind for Block {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        self.kernel.for_each_input(out, f);
    }

    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        Ok(Value::Array(
            self.kernel.compute(out, &array_inputs(inputs)?)?,
        ))
    }

    fn scratch_bytes(&self, out: &[usize]) -> u64 {
        self.kernel.scratch_bytes(out)
    }

    fn describe(&self) -> Option<String> {
        self.kernel.describe()
    }
}
