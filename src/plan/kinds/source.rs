//! [`Generate`]: the blocks of a source (a generator, an in-memory array, a storage
//! reader), made from nothing but their coordinates.

use std::sync::Arc;

use crate::chunks::ChunkGrid;
use crate::element::DType;
use crate::error::Result;
use crate::expr::Source;
use crate::io::BlockReader;
use crate::kernel::{source, Value};

use super::{LayerKind, Region};

/// A source's blocks: block `out` of `grid`, generated or read.
#[derive(Debug)]
pub(crate) struct Generate {
    pub(crate) source: Source,
    pub(crate) dtype: DType,
    pub(crate) grid: ChunkGrid,
}

impl LayerKind for Generate {
    fn for_each_input(&self, _: &[usize], _: &mut dyn FnMut(usize, &[usize])) {}

    fn compute(&self, out: &[usize], _: &[&Value]) -> Result<Value> {
        let grid = &self.grid;
        Ok(Value::Array(source::generate(
            &self.source,
            self.dtype,
            &grid.shape(),
            &grid.block_start(out),
            &grid.block_shape(out),
        )?))
    }

    fn storage_read(&self, out: &[usize]) -> Option<(&Arc<dyn BlockReader>, Region)> {
        let Source::Read { reader, origin } = &self.source else {
            return None;
        };
        let start = self.grid.block_start(out);
        let shape = self.grid.block_shape(out);
        let region = origin
            .iter()
            .zip(start.iter().zip(&shape))
            .map(|(&o, (&s, &n))| o + s..o + s + n)
            .collect();
        Some((reader, region))
    }
}
