//! [`BlockReader`] and [`BlockWriter`], the two traits through which the graph knows
//! storage, and [`WriteLayout`], where a writer's blocks land.
//!
//! Low in the module stack: the expression graph, the optimizer, the planner and the
//! kernels name these traits, and nothing here knows about them. See the
//! [module documentation](super) for an example.

use std::fmt;
use std::ops::Range;

use crate::any_array::AnyArray;
use crate::element::DType;
use crate::error::Result;

/// A source of array data outside the graph, read one box at a time.
///
/// Implementations must be cheap to call from several threads at once, and `read` must
/// return the same values for the same box for as long as the reader lives.
///
/// # Example
///
/// See the [module documentation](crate::io).
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

    /// Starts fetching, in the background, what reading `regions` will need, in the
    /// order given (the order the tasks are expected to run), so that storage latency is
    /// hidden behind compute: at most `limits.requests` requests in flight, and at most
    /// `limits.bytes` fetched and not yet read. Called once per computation, before its
    /// tasks run; the fetching stops when the returned [`IoWindow`] is dropped, at the
    /// computation's end.
    ///
    /// The default fetches nothing (`None`): right for data on a local disk, whose reads
    /// are as fast as a fetch would be. The Zarr reader fetches ahead from remote stores.
    ///
    /// # Example
    ///
    /// ```
    /// use std::ops::Range;
    /// use chunkwise::io::{BlockReader, IoLimits};
    /// use chunkwise::{AnyArray, DType};
    ///
    /// /// A reader of local data: nothing to fetch ahead, so the default is right.
    /// #[derive(Debug)]
    /// struct Ramp;
    /// impl BlockReader for Ramp {
    ///     fn dtype(&self) -> DType { DType::F64 }
    ///     fn shape(&self) -> Vec<usize> { vec![8] }
    ///     fn identity(&self) -> String { "ramp".into() }
    ///     fn read(&self, region: &[Range<usize>]) -> chunkwise::Result<AnyArray> {
    ///         let values: Vec<f64> = region[0].clone().map(|i| i as f64).collect();
    ///         Ok(AnyArray::F64(ndarray::arr1(&values).into_dyn()))
    ///     }
    /// }
    /// let limits = IoLimits { requests: 32, bytes: 1 << 20 };
    /// assert!(Ramp.read_ahead(&[vec![0..4], vec![4..8]], limits).is_none());
    /// ```
    fn read_ahead(&self, regions: &[Vec<Range<usize>>], limits: IoLimits) -> Option<IoWindow> {
        let _ = (regions, limits);
        None
    }
}

/// How much a [`BlockReader::read_ahead`] may fetch ahead, or a
/// [`BlockWriter::write_behind`] may hold in flight.
///
/// # Example
///
/// ```
/// let limits = chunkwise::io::IoLimits { requests: 32, bytes: 64 << 20 };
/// assert_eq!(limits.requests, 32);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoLimits {
    /// Requests in flight at once.
    pub requests: usize,
    /// Bytes held at most (fetched and not yet read by a task, or written by a task and
    /// not yet stored); reserved from the computation's memory budget while it runs.
    pub bytes: u64,
}

/// Storage I/O running beside a computation (a read-ahead or a write-behind), holding
/// at most [`bytes`](Self::bytes): dropping it stops a read-ahead (what was fetched and
/// not read is freed) or waits for a write-behind's writes.
///
/// # Example
///
/// ```
/// let guard = chunkwise::io::IoWindow::new(Box::new(()), 1 << 20);
/// assert_eq!(guard.bytes(), 1 << 20);
/// ```
pub struct IoWindow {
    _guard: Box<dyn Send>,
    bytes: u64,
}

impl IoWindow {
    /// I/O that runs until `guard` is dropped, holding at most `bytes`.
    #[must_use]
    pub fn new(guard: Box<dyn Send>, bytes: u64) -> IoWindow {
        IoWindow {
            _guard: guard,
            bytes,
        }
    }

    /// The most bytes it holds at once: what the computation reserves for it.
    #[must_use]
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl fmt::Debug for IoWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoWindow")
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
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
/// See the [module documentation](crate::io).
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
    /// ([`Error::OverlappingWrites`](crate::Error::OverlappingWrites)), and so are layouts that disagree
    /// ([`Error::WriteLayoutMismatch`](crate::Error::WriteLayoutMismatch)); and two blocks that touch one unit (within
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
    /// let err = chunkwise::run_writes(&[a, b], &Default::default()).unwrap_err();
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

    /// Called when the computation holding this write failed or was refused. A writer
    /// that created its destination for this write and has not written any block into
    /// it yet should remove what it created, so that a computation that wrote nothing
    /// leaves nothing behind (the Zarr writer removes the array's metadata). The default
    /// does nothing.
    fn abandon(&self) {}

    /// Called once before a computation's tasks run: a writer that stores its blocks in
    /// the background (many requests in flight to a remote store) may start doing so,
    /// holding at most `limits.requests` writes and `limits.bytes` of encoded data in
    /// flight, which the computation reserves from its budget. Dropping the returned
    /// guard waits for every write in flight; [`finish`](Self::finish) then reports
    /// their failures. The default (`None`) writes each block before `write` returns.
    ///
    /// # Example
    ///
    /// ```
    /// use std::ops::Range;
    /// use chunkwise::io::{BlockWriter, IoLimits};
    /// #[derive(Debug)]
    /// struct Nowhere;
    /// impl BlockWriter for Nowhere {
    ///     fn identity(&self) -> String { "nowhere".into() }
    ///     fn write(&self, _: &[Range<usize>], _: &chunkwise::AnyArray) -> chunkwise::Result<()> { Ok(()) }
    /// }
    /// assert!(Nowhere.write_behind(IoLimits { requests: 32, bytes: 1 << 20 }).is_none());
    /// ```
    fn write_behind(&self, limits: IoLimits) -> Option<IoWindow> {
        let _ = limits;
        None
    }

    /// Called once after a computation's tasks have all returned (and its
    /// [`write_behind`](Self::write_behind) guard was dropped, so nothing is in flight):
    /// the first failure of a write made in the background, if any. The default: `Ok`.
    ///
    /// # Errors
    ///
    /// What went wrong with a background write; the message should name the chunk.
    fn finish(&self) -> Result<()> {
        Ok(())
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
