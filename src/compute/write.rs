//! [`PendingWrite`] and [`run_writes`]: writes of arrays to [`BlockWriter`]s, run as
//! one computation.
//!
//! Here, beside `compute`, and not in `crate::io` with the storage traits: a write runs a
//! computation, so it sits high in the module stack, where the traits sit low.

use std::fmt;
use std::sync::Arc;

use super::{self as compute, ComputeOptions};
use crate::error::{Error, Result};
use crate::expr::{build, Node};
use crate::io::BlockWriter;

/// A write of an array's blocks to a [`BlockWriter`], not yet run. Run it alone with
/// [`run`](Self::run), or several together with [`run_writes`] so that their common work
/// is computed once.
///
/// # Example
///
/// See the [`io` module documentation](crate::io).
#[derive(Clone)]
#[must_use = "a write does nothing until it is run"]
pub struct PendingWrite {
    node: Arc<Node>,
}

impl fmt::Debug for PendingWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingWrite")
            .field("shape", &self.node.shape())
            .field("dtype", &self.node.dtype())
            .finish_non_exhaustive()
    }
}

impl PendingWrite {
    pub(crate) fn new(input: &Arc<Node>, writer: Arc<dyn BlockWriter>) -> PendingWrite {
        PendingWrite {
            node: build::store(input, writer),
        }
    }

    /// Computes the array and writes every block.
    ///
    /// # Errors
    ///
    /// The first error of a task (read, compute or write), naming the task's operation
    /// and block; blocks that were not written are left as they were. Before anything
    /// runs, the errors of the writer's [`layout`](BlockWriter::layout) (for Zarr,
    /// [`Error::Zarr`] when the array was removed or replaced since the write was made).
    pub fn run(&self) -> Result<()> {
        run_writes(std::slice::from_ref(self), &ComputeOptions::default())
    }

    /// [`run`](Self::run) with `options`.
    ///
    /// # Errors
    ///
    /// As [`run`](Self::run).
    pub fn run_with(&self, options: &ComputeOptions) -> Result<()> {
        run_writes(std::slice::from_ref(self), options)
    }

    /// [`run_with`](Self::run_with), returning the most bytes that results and running
    /// tasks held at once (for benchmarks).
    pub(crate) fn run_measured(&self, options: &ComputeOptions) -> Result<u64> {
        let (_, peak_bytes) = run_or_abandon(std::slice::from_ref(&self.node), options)?;
        Ok(peak_bytes)
    }
}

/// Runs the write nodes `nodes`; when the computation fails or is refused, tells every
/// writer ([`BlockWriter::abandon`]), so writes that wrote nothing leave nothing behind.
fn run_or_abandon(
    nodes: &[Arc<Node>],
    options: &ComputeOptions,
) -> Result<(Vec<crate::any_array::AnyArray>, u64)> {
    let result = compute::run_nodes(nodes, options);
    // Background writes (all done by now) report their failures.
    let mut finished = Ok(());
    for node in nodes {
        if let crate::expr::Op::Store(writer) = &node.op {
            let f = writer.finish();
            if finished.is_ok() {
                finished = f;
            }
        }
    }
    let result = result.and_then(|r| finished.map(|()| r));
    if result.is_err() {
        for node in nodes {
            if let crate::expr::Op::Store(writer) = &node.op {
                writer.abandon();
            }
        }
    }
    result
}

/// Runs several writes in one computation: work they share (a common input, a mean both
/// use) is computed once.
///
/// Writes into one destination (for Zarr, one array, whatever handles the writes were
/// made from) may share storage chunks or shards at their edges: the tasks that touch a
/// shared one run one after the other, each reading what the previous wrote. Writes
/// that cover the same elements have no defined winner and are refused.
///
/// # Example
///
/// Four writes that meet inside storage chunks of 4:
///
/// ```
/// use chunkwise::zarr::{open_array, ZarrWriteOptions};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.zarr");
/// chunkwise::zeros::<i32>(&[20], [20]).to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([4]))?.run()?;
/// let z = open_array(&path)?;
/// let ones = chunkwise::ones::<i32>(&[5], [5]).to_dyn();
/// let writes = (0..4).map(|k| z.write_region(&ones, &[k * 5])).collect::<Result<Vec<_>, _>>()?;
/// chunkwise::run_writes(&writes, &Default::default())?;
/// assert_eq!(z.to_dyn(None)?.compute()?.sum_f64(), 20.0);
///
/// let overlapping = [z.write_region(&ones, &[0])?, z.write_region(&ones, &[3])?];
/// let err = chunkwise::run_writes(&overlapping, &Default::default()).unwrap_err();
/// assert!(matches!(err, chunkwise::Error::OverlappingWrites { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`PendingWrite::run`], and, before anything runs: [`Error::OverlappingWrites`]
/// when two writes into one destination cover the same elements;
/// [`Error::WriteLayoutMismatch`] when they see it with different shapes or units.
pub fn run_writes(writes: &[PendingWrite], options: &ComputeOptions) -> Result<()> {
    let nodes: Vec<Arc<Node>> = writes.iter().map(|w| w.node.clone()).collect();
    let (arrays, _) = run_or_abandon(&nodes, options)?;
    if arrays.len() == writes.len() {
        Ok(())
    } else {
        Err(Error::internal("run_writes", "one result per write"))
    }
}
