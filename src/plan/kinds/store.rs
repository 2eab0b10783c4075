//! [`Store`]: each block handed to a storage writer; the layer's output is nothing.

use std::sync::Arc;

use crate::chunks::ChunkGrid;
use crate::error::Result;
use crate::io::BlockWriter;
use crate::kernel::Value;

use super::{array_input, LayerKind};

/// Block `out` of `grid` written by `writer`.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) writer: Arc<dyn BlockWriter>,
    pub(crate) grid: ChunkGrid,
}

impl LayerKind for Store {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, out);
    }

    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        let region: Vec<std::ops::Range<usize>> = (0..out.len())
            .map(|d| self.grid.axis(d).chunk_range(out[d]))
            .collect();
        self.writer.write(&region, array_input(inputs, 0)?)?;
        Ok(Value::Written)
    }

    fn as_store(&self) -> Option<&Store> {
        Some(self)
    }
}
