//! [`Rechunk`]: each output block assembled from the input blocks it overlaps.

use crate::chunks::ChunkGrid;
use crate::element::DType;
use crate::error::{Error, Result};
use crate::kernel::block::for_each_in_box;
use crate::kernel::{copy, Value};

use super::LayerKind;

/// The blocks of `input` cut again as `output`.
#[derive(Debug)]
pub(crate) struct Rechunk {
    pub(crate) dtype: DType,
    pub(crate) input: ChunkGrid,
    pub(crate) output: ChunkGrid,
}

impl LayerKind for Rechunk {
    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let ranges: Vec<std::ops::Range<usize>> = (0..out.len())
            .map(|d| {
                let r = self.output.axis(d).chunk_range(out[d]);
                if r.is_empty() {
                    0..1
                } else {
                    self.input.axis(d).chunks_overlapping(r)
                }
            })
            .collect();
        for_each_in_box(&ranges, &mut |c| f(0, c));
    }

    fn compute(&self, out: &[usize], inputs: &[&Value]) -> Result<Value> {
        const CONTEXT: &str = "plan::kinds::rechunk";
        let mut pieces = Vec::with_capacity(inputs.len());
        let mut i = 0;
        let mut missing = false;
        self.for_each_input(out, &mut |_, c| {
            match inputs.get(i).map(|v| v.array(CONTEXT)) {
                Some(Ok(data)) => pieces.push(copy::Piece {
                    data,
                    start: self.input.block_start(c),
                }),
                _ => missing = true,
            }
            i += 1;
        });
        if missing {
            return Err(Error::internal(
                CONTEXT,
                "rechunk input is not an array block",
            ));
        }
        Ok(Value::Array(copy::assemble(
            self.dtype,
            &self.output.block_start(out),
            &self.output.block_shape(out),
            &pieces,
        )?))
    }
}
