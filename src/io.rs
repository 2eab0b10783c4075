//! Data that lives outside the graph: [`BlockReader`], a source the graph reads boxes of
//! (a Zarr array, a file), and [`BlockWriter`], a sink the graph writes blocks to.
//!
//! The graph knows storage only through these two traits, so a reader is just another
//! source node (culled, sliced and fused like a generator) and a write is just another
//! layer whose tasks hold no data afterwards. The Zarr module implements both.
//!
//! # Example
//!
//! A reader that serves a ramp `0, 1, 2, ...` and a writer that records the sum of each
//! block it receives:
//!
//! ```
//! use std::ops::Range;
//! use std::sync::{Arc, Mutex};
//! use chunkwise::io::{BlockReader, BlockWriter};
//! use chunkwise::{AnyArray, Chunks, DType, DynArray};
//!
//! #[derive(Debug)]
//! struct Ramp(usize);
//! impl BlockReader for Ramp {
//!     fn dtype(&self) -> DType { DType::F64 }
//!     fn shape(&self) -> Vec<usize> { vec![self.0] }
//!     fn identity(&self) -> String { format!("ramp:{}", self.0) }
//!     fn read(&self, region: &[Range<usize>]) -> chunkwise::Result<AnyArray> {
//!         let values: Vec<f64> = region[0].clone().map(|i| i as f64).collect();
//!         Ok(AnyArray::F64(ndarray::arr1(&values).into_dyn()))
//!     }
//! }
//!
//! #[derive(Debug, Default)]
//! struct Sums(Mutex<Vec<(usize, f64)>>);
//! impl BlockWriter for Sums {
//!     fn identity(&self) -> String { "sums".into() }
//!     fn write(&self, region: &[Range<usize>], block: &AnyArray) -> chunkwise::Result<()> {
//!         self.0.lock().unwrap().push((region[0].start, block.sum_f64()));
//!         Ok(())
//!     }
//! }
//!
//! let x = DynArray::from_reader(Arc::new(Ramp(10)), &Chunks::Uniform(vec![4]));
//! assert_eq!(x.compute()?.sum_f64(), 45.0);
//! let sums = Arc::new(Sums::default());
//! x.write_to(sums.clone()).run()?;
//! let mut got = sums.0.lock().unwrap().clone();
//! got.sort_by_key(|&(start, _)| start);
//! assert_eq!(got, vec![(0, 6.0), (4, 22.0), (8, 17.0)]);
//! # Ok::<(), chunkwise::Error>(())
//! ```

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::compute::{self, ComputeOptions};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::{build, Node};

/// A source of array data outside the graph, read one box at a time.
///
/// Implementations must be cheap to call from several threads at once, and `read` must
/// return the same values for the same box for as long as the reader lives.
///
/// # Example
///
/// See the [module documentation](self).
pub trait BlockReader: Send + Sync + fmt::Debug {
    /// The element type of the data.
    fn dtype(&self) -> DType;

    /// The shape of the whole array.
    fn shape(&self) -> Vec<usize>;

    /// Identifies the data: two readers with the same identity read the same values
    /// (a canonical path and array name, for example). It becomes part of node keys, so
    /// reading the same array twice in one expression reads it once.
    fn identity(&self) -> String;

    /// A short name for plans, progress and errors (`"zarr.read"`).
    fn name(&self) -> &'static str {
        "read"
    }

    /// Reads the box `region` (one range per axis) as an array of the reader's dtype,
    /// with shape the lengths of the ranges.
    ///
    /// # Errors
    ///
    /// Whatever went wrong reading; the message should name the path and the problem.
    fn read(&self, region: &[Range<usize>]) -> Result<AnyArray>;
}

/// A sink for array blocks outside the graph.
///
/// What a writer is promised: within one computation each block region of one write is
/// written once, and the regions of one write never overlap, so an implementation can
/// write each one independently from any thread. Nothing is promised about *different*
/// writes (several writers into one file, or one writer in several writes): a writer
/// that stores its blocks in shared units, such as the chunk files of an array, reports
/// them through [`layout`](Self::layout), and then the writes of one computation are
/// also checked and ordered against each other.
///
/// # Example
///
/// See the [module documentation](self).
pub trait BlockWriter: Send + Sync + fmt::Debug {
    /// Identifies the write: the destination and where in it (a canonical path, array
    /// name and offset, for example). Two writes with the same identity and the same
    /// data are one write.
    fn identity(&self) -> String;

    /// A short name for plans, progress and errors (`"zarr.write"`).
    fn name(&self) -> &'static str {
        "write"
    }

    /// Writes `block`, whose shape is the lengths of `region`, at `region`.
    ///
    /// # Errors
    ///
    /// Whatever went wrong writing; the message should name the path and the chunk.
    fn write(&self, region: &[Range<usize>], block: &AnyArray) -> Result<()>;

    /// Where the blocks land, for a writer that stores them in units other writes may
    /// share (files that are read, patched and rewritten whole); `None` (the default)
    /// for a writer without such units, which gets only the promise above.
    ///
    /// Called once per write when a computation is planned. With a layout, the writes of
    /// one computation into one [`destination`](WriteLayout::destination) are checked
    /// before anything runs: regions that cover the same elements are refused
    /// ([`Error::OverlappingWrites`]), and so are layouts that disagree
    /// ([`Error::WriteLayoutMismatch`]); and two blocks that touch one unit (within
    /// one write or across writes) are never written at the same time: the later in
    /// plan order starts only once the earlier has returned, so it reads what the
    /// earlier wrote.
    ///
    /// # Example
    ///
    /// ```
    /// use std::ops::Range;
    /// use chunkwise::io::{BlockWriter, WriteLayout};
    /// use chunkwise::AnyArray;
    ///
    /// /// Writes into tiles of 64 elements of a 1000-element file, starting at `at`.
    /// #[derive(Debug)]
    /// struct Tiles { at: usize }
    /// impl BlockWriter for Tiles {
    ///     fn identity(&self) -> String { format!("tiles:{}", self.at) }
    ///     fn write(&self, _: &[Range<usize>], _: &AnyArray) -> chunkwise::Result<()> { Ok(()) }
    ///     fn layout(&self) -> chunkwise::Result<Option<WriteLayout>> {
    ///         Ok(Some(WriteLayout::new("tiles.bin", vec![1000], vec![self.at], vec![64])))
    ///     }
    /// }
    ///
    /// let x = chunkwise::ones::<f64>(&[100], [50]).to_dyn();
    /// let a = x.write_to(std::sync::Arc::new(Tiles { at: 0 }));
    /// let b = x.write_to(std::sync::Arc::new(Tiles { at: 50 }));
    /// let err = chunkwise::io::run_writes(&[a, b], &Default::default()).unwrap_err();
    /// assert!(matches!(err, chunkwise::Error::OverlappingWrites { .. }));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the destination can no longer be written as the writer was made to (it was
    /// removed or replaced since); the computation is then refused before anything runs.
    fn layout(&self) -> Result<Option<WriteLayout>> {
        Ok(None)
    }
}

/// Where a [`BlockWriter`]'s blocks land: the destination, its shape, where the write's
/// region starts in it, and the unit that is stored as a whole (a Zarr chunk file, or a
/// shard). Units form a regular grid from the destination's origin.
///
/// ```text
///  destination of shape [10], unit [4]; a write of 5 elements at offset 3:
///  |0 1 2 3|4 5 6 7|8 9|
///        [3 4 5 6 7]        region 3..8 touches units 0 and 1; it covers unit 1 whole
///                           and unit 0 only partly, so another write may share unit 0
/// ```
///
/// # Example
///
/// ```
/// use chunkwise::io::WriteLayout;
/// let l = WriteLayout::new("/data/x.zarr", vec![10], vec![3], vec![4]);
/// assert_eq!((l.offset.as_slice(), l.unit.as_slice()), (&[3][..], &[4][..]));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteLayout {
    /// Identifies the storage: every writer into it gives the same destination (a
    /// canonical path), whatever handle it was made from. Writes are checked against
    /// the other writes with the same destination.
    pub destination: String,
    /// The shape of the whole destination.
    pub shape: Vec<usize>,
    /// Where the write's region starts in the destination (its block regions are
    /// relative to it).
    pub offset: Vec<usize>,
    /// The shape of a unit; each is written whole (read, patched and rewritten when a
    /// write covers it only partly).
    pub unit: Vec<usize>,
}

impl WriteLayout {
    /// A layout; see the fields.
    ///
    /// # Example
    ///
    /// See [`WriteLayout`].
    #[must_use]
    pub fn new(
        destination: impl Into<String>,
        shape: Vec<usize>,
        offset: Vec<usize>,
        unit: Vec<usize>,
    ) -> WriteLayout {
        WriteLayout {
            destination: destination.into(),
            shape,
            offset,
            unit,
        }
    }
}

/// A write of an array's blocks to a [`BlockWriter`], not yet run. Run it alone with
/// [`run`](Self::run), or several together with [`run_writes`] so that their common work
/// is computed once.
///
/// # Example
///
/// See the [module documentation](self).
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
        let (_, peak_bytes) = compute::run_nodes(std::slice::from_ref(&self.node), options)?;
        Ok(peak_bytes)
    }
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
/// chunkwise::io::run_writes(&writes, &Default::default())?;
/// assert_eq!(z.to_dyn(None)?.compute()?.sum_f64(), 20.0);
///
/// let overlapping = [z.write_region(&ones, &[0])?, z.write_region(&ones, &[3])?];
/// let err = chunkwise::io::run_writes(&overlapping, &Default::default()).unwrap_err();
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
    let (arrays, _) = compute::run_nodes(&nodes, options)?;
    if arrays.len() == writes.len() {
        Ok(())
    } else {
        Err(Error::internal("io::run_writes", "one result per write"))
    }
}
