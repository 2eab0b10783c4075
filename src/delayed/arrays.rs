//! Arrays meet tasks: the blocks of an array as delayed values
//! ([`LazyArray::to_delayed`]), and an array made of a delayed block
//! ([`LazyArray::from_delayed`]), so that custom per-file loading and array operations
//! share one graph.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use super::{graph, next_key, owned, Delayed, Kind, Node};
use crate::array::LazyArray;
use crate::compute::ComputeOptions;
use crate::element::Element;
use crate::error::{Error, Result};
use crate::expr::UNKNOWN_LEN;
use crate::kernel::Value;
use crate::task::AnyValue;

/// Block `index` (C order over its grid) of an array, read by a delayed task.
pub(crate) struct ArrayBlock {
    pub(crate) array: Arc<crate::expr::Node>,
    pub(crate) index: usize,
    /// The block as the delayed value (an `ArrayD` of the array's element type).
    convert: fn(&Value, u64) -> Result<AnyValue>,
    bytes: u64,
}

impl ArrayBlock {
    /// The delayed value of the block the array's task computed.
    pub(crate) fn take(&self, block: &Value) -> Result<AnyValue> {
        (self.convert)(block, self.bytes)
    }
}

/// A block as an owned `ArrayD<T>` (a copy: the array task's result stays with the
/// executor, which may hand its buffer to the next block).
fn typed_block<T: Element>(block: &Value, bytes: u64) -> Result<AnyValue> {
    let array = block.array("delayed::to_delayed")?.as_typed::<T>()?.clone();
    Ok(AnyValue::new(array, bytes))
}

impl<T: Element> LazyArray<T> {
    /// One delayed value per block of this array, in an array shaped like its grid of
    /// blocks (Dask's `to_delayed`): custom code on each block, in the same graph as
    /// the array's tasks. Computing a delayed value runs only the array tasks its
    /// block needs, in the same run as the delayed tasks.
    ///
    /// # Errors
    ///
    /// The array's own error when it is invalid, or [`Error::DataDependentShape`] when
    /// its chunks depend on data (compute it first).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed::Delayed;
    /// let x = chunkwise::arange(0.0f64, 10.0, 1.0, [4]);          // blocks of 4, 4, 2
    /// let blocks = x.to_delayed()?;
    /// assert_eq!(blocks.shape(), &[3]);
    /// let maxima: Vec<Delayed<f64>> = blocks.iter()
    ///     .map(|b| b.map("max", |b| b.fold(f64::MIN, |m, &v| m.max(v))))
    ///     .collect();
    /// assert_eq!(chunkwise::delayed::compute_many(&maxima)?, vec![3.0, 7.0, 9.0]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn to_delayed(&self) -> Result<ArrayD<Delayed<ArrayD<T>>>> {
        if let Some(e) = self.error() {
            return Err(e);
        }
        if self.shape().contains(&UNKNOWN_LEN) {
            return Err(Error::DataDependentShape {
                op: "to_delayed",
                after: "a selection of data-dependent size",
            });
        }
        let grid = self.chunks();
        let blocks: Vec<Delayed<ArrayD<T>>> = (0..grid.num_blocks())
            .map(|index| {
                let shape = grid.block_shape(&grid.block_coords(index));
                let bytes = (shape.iter().product::<usize>() * std::mem::size_of::<T>()) as u64;
                Delayed::wrap(Node {
                    key: next_key("to_delayed"),
                    name: "to_delayed".to_string(),
                    bytes,
                    inputs: Vec::new(),
                    kind: Kind::Block(ArrayBlock {
                        array: self.node.clone(),
                        index,
                        convert: typed_block::<T>,
                        bytes,
                    }),
                })
            })
            .collect();
        ArrayD::from_shape_vec(IxDyn(&grid.blocks_per_axis()), blocks)
            .map_err(|e| Error::internal("delayed::to_delayed", e.to_string()))
    }

    /// An array of one chunk, the value of `block` (Dask's `from_delayed`), declared
    /// to have `shape`; join several with [`stack`](crate::stack),
    /// [`concatenate`](crate::concatenate) or [`block`](crate::block). The block's tasks
    /// run inside the task that makes the chunk, on its worker, when the array is
    /// computed, so loading streams through the memory budget like any other source. A
    /// delayed value shared by several such arrays runs once for each: compute it
    /// first when it is expensive.
    ///
    /// A block of another shape than declared is an error naming the task.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{delayed, LazyArray};
    /// // One "file" per row, loaded by custom code, then a column mean over all of them.
    /// let rows: Vec<LazyArray<f64>> = (0..4)
    ///     .map(|i| {
    ///         let load = delayed::from_fn("load", move || ndarray::ArrayD::from_elem(ndarray::IxDyn(&[1, 3]), f64::from(i)));
    ///         LazyArray::from_delayed(&load, &[1, 3])
    ///     })
    ///     .collect();
    /// let x = chunkwise::concatenate(&rows, 0);
    /// assert_eq!(x.mean(0).compute()?, ndarray::arr1(&[1.5, 1.5, 1.5]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn from_delayed(block: &Delayed<ArrayD<T>>, shape: &[usize]) -> LazyArray<T> {
        let node = block.node().clone();
        let chunks: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
        // Each chunk runs its own small graph, on the worker that makes the chunk.
        let inner = ComputeOptions::default().single_threaded();
        crate::array::from_fn(
            &format!("from_delayed {}", node.key),
            shape,
            chunks,
            move |_| -> Result<ArrayD<T>> {
                let [value] = graph::compute(std::slice::from_ref(&node), &inner)?
                    .try_into()
                    .map_err(|_| Error::internal("delayed::from_delayed", "one value expected"))?;
                owned::<ArrayD<T>>(value, &node.key)
            },
        )
    }
}
