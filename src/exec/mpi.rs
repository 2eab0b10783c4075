//! Running across processes and machines under MPI (cargo feature `mpi`): start-up,
//! the transport the ranks trade blocks over, and the end of a job that fails cleanly.
//!
//! The same program runs on every rank (`mpirun -np 4 chunkwise eval ...`, `srun ...`).
//! [`init`] joins the job; from then on [`Executor::Mpi`](crate::Executor::Mpi) shares
//! each computation's tasks out among the ranks (see `exec/ranks.rs`), and every rank
//! returns every result. Launched without `mpirun`, [`init`] does not start MPI at all
//! and the process runs alone, as it would without the feature.
//!
//! Only one thread calls MPI at a time (the thread that calls `compute`; the worker
//! threads never do), so MPI is asked for `MPI_THREAD_SERIALIZED`, and a lock keeps
//! two computations started on two threads from interleaving their calls.
//!
//! A panic that is not a task's (those become errors, as without MPI) would leave the
//! other ranks waiting forever in their next exchange; a panic hook aborts the whole job
//! instead (`MPI_Abort`, exit code 101).
//!
//! # Example
//!
//! ```no_run
//! use chunkwise::{ComputeOptions, Executor};
//! let mpi = chunkwise::mpi::init()?;
//! let options = ComputeOptions::default().executor(Executor::Mpi);
//! let x = chunkwise::random::uniform::<f64>(&[4000, 4000], [1000, 1000], 7);
//! let mean = x.mean(..).compute_scalar_with(&options)?; // every rank gets the result
//! if mpi.rank() == 0 {
//!     println!("mean {mean} over {} ranks", mpi.size());
//! }
//! # Ok::<(), chunkwise::Error>(())
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use mpi::collective::{CommunicatorCollectives, SystemOperation};
use mpi::datatype::{Partition, PartitionMut};
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::Threading;

use super::ranks::{Traffic, Transport};
use crate::error::{Error, Result};

/// The rank of this process and the size of the job; 0 and 1 until [`init`] joins one.
static RANK: AtomicUsize = AtomicUsize::new(0);
static SIZE: AtomicUsize = AtomicUsize::new(1);
/// Ranks of the job on this machine (they share its cores).
static LOCAL_SIZE: AtomicUsize = AtomicUsize::new(1);
/// Set by [`init`] when a launcher started this process.
static LAUNCHED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Held for every MPI call: at most one thread talks to MPI at a time.
static CALLS: Mutex<()> = Mutex::new(());
/// What this process's ranks did.
static TRAFFIC: Traffic = Traffic {
    tasks: std::sync::atomic::AtomicU64::new(0),
    bytes_sent: std::sync::atomic::AtomicU64::new(0),
    bytes_received: std::sync::atomic::AtomicU64::new(0),
    stages: std::sync::atomic::AtomicU64::new(0),
};

/// Environment variables a launcher sets (`OpenMPI`, `MPICH`'s Hydra, `PMIx`, Slurm's `srun`).
const LAUNCHER_VARIABLES: [&str; 6] = [
    "OMPI_COMM_WORLD_SIZE",
    "PMI_SIZE",
    "PMI_RANK",
    "PMIX_RANK",
    "MPI_LOCALNRANKS",
    "SLURM_PROCID",
];

/// How long a failed rank waits for the others at the end of the job before it stops
/// them all: they may be waiting for blocks it will never send.
const FAILURE_GRACE: Duration = Duration::from_secs(10);

/// Membership of an MPI job, from [`init`] to the end of `main` (dropping it finalizes
/// MPI, so keep it alive as long as anything computes).
///
/// # Example
///
/// ```
/// let mpi = chunkwise::mpi::init()?; // not under mpirun: one process
/// assert_eq!((mpi.rank(), mpi.size()), (0, 1));
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub struct Mpi {
    /// A communicator of its own for [`Mpi::conclude`], made by every rank together at
    /// start-up (duplicating is collective: at the end, a failed rank would wait in it
    /// for ranks that wait in an exchange), so its barrier never matches an exchange.
    /// Declared first, so freed before MPI is finalized.
    end: Option<SimpleCommunicator>,
    /// Kept only to be dropped last: dropping it finalizes MPI. `None` when the process
    /// was not launched by an MPI launcher.
    _universe: Option<mpi::environment::Universe>,
}

impl std::fmt::Debug for Mpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mpi")
            .field("rank", &self.rank())
            .field("size", &self.size())
            .finish()
    }
}

/// Joins the MPI job this process was launched in (`mpirun`, `mpiexec`, `srun`), or,
/// when it was launched on its own, returns a membership of one rank without starting
/// MPI. Call it once, at the start of `main`, and keep what it returns.
///
/// # Example
///
/// ```
/// let mpi = chunkwise::mpi::init()?;
/// assert!(mpi.rank() < mpi.size());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Mpi`] when MPI cannot start, gives less than serialized thread support,
/// or was already started; or when Slurm started several tasks but MPI sees one (a
/// `srun` without its MPI plugin: pass `--mpi=pmix`).
pub fn init() -> Result<Mpi> {
    if !LAUNCHER_VARIABLES
        .iter()
        .any(|v| std::env::var_os(v).is_some())
    {
        return Ok(Mpi {
            end: None,
            _universe: None,
        });
    }
    if mpi::environment::is_initialized() {
        return Err(Error::Mpi {
            problem: "MPI is already initialized; call chunkwise::mpi::init() once, at the \
                      start of main"
                .into(),
        });
    }
    let (universe, threading) =
        mpi::initialize_with_threading(Threading::Serialized).ok_or_else(|| Error::Mpi {
            problem: "MPI could not be initialized".into(),
        })?;
    if threading < Threading::Serialized {
        return Err(Error::Mpi {
            problem: format!(
                "the MPI library gives thread support {threading:?}; chunkwise needs \
                 Serialized (rebuild the MPI library with thread support)"
            ),
        });
    }
    let world = universe.world();
    let size = world.size() as usize;
    let slurm_tasks = std::env::var("SLURM_NTASKS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok());
    if size == 1 && slurm_tasks.is_some_and(|n| n > 1) {
        return Err(Error::Mpi {
            problem: format!(
                "Slurm started {} tasks but MPI sees one: each runs alone; launch with \
                 `srun --mpi=pmix` (see `srun --mpi=list`) or `mpirun`",
                slurm_tasks.unwrap_or(0)
            ),
        });
    }
    RANK.store(world.rank() as usize, Ordering::Relaxed);
    SIZE.store(size, Ordering::Relaxed);
    LOCAL_SIZE.store(
        world.split_shared(world.rank()).size().max(1) as usize,
        Ordering::Relaxed,
    );
    LAUNCHED.store(true, Ordering::Relaxed);
    install_abort_on_panic();
    let end = world.duplicate();
    Ok(Mpi {
        end: Some(end),
        _universe: Some(universe),
    })
}

/// A panic outside a task (tasks' panics become errors) aborts every rank: otherwise the
/// others would wait forever for this one.
fn install_abort_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        if !super::catching_panics() {
            SimpleCommunicator::world().abort(101);
        }
    }));
}

impl Mpi {
    /// This process's rank, `0..size()`.
    #[must_use]
    pub fn rank(&self) -> usize {
        rank()
    }

    /// How many ranks the job has (1 when launched on its own).
    #[must_use]
    pub fn size(&self) -> usize {
        size()
    }

    /// Ends a command the same way on every rank: each says whether it failed (`failure`,
    /// its error as it would print it) and every rank learns the first failure, as
    /// `(rank, message)`, to print once (from rank 0) and exit non-zero everywhere.
    ///
    /// A failed rank waits at most 10 s for the others: if they do not come (they are
    /// waiting for blocks it will never send), it prints its own error and aborts the job.
    ///
    /// # Example
    ///
    /// ```
    /// let mpi = chunkwise::mpi::init()?;
    /// assert_eq!(mpi.conclude(None), None);
    /// assert_eq!(mpi.conclude(Some("no such file")), Some((0, "no such file".to_string())));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn conclude(&self, failure: Option<&str>) -> Option<(usize, String)> {
        let Some(comm) = self.end.as_ref().filter(|_| size() > 1) else {
            return failure.map(|m| (0, m.to_string()));
        };
        let _calls = CALLS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let request = comm.immediate_barrier();
        let started = Instant::now();
        let mut pending = request;
        loop {
            match pending.test() {
                Ok(_) => break,
                Err(still) => {
                    if failure.is_some() && started.elapsed() > FAILURE_GRACE {
                        let message = failure.unwrap_or_default();
                        eprintln!("chunkwise: rank {} of {}: {message}", rank(), size());
                        comm.abort(2);
                    }
                    pending = still;
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        // A status byte first: MPI refuses a gather of nothing at all.
        let mut mine = vec![u8::from(failure.is_some())];
        mine.extend_from_slice(failure.unwrap_or_default().as_bytes());
        let gathered = all_gather_bytes(comm, &mine);
        gathered
            .iter()
            .position(|m| m.first() == Some(&1))
            .map(|r| (r, String::from_utf8_lossy(&gathered[r][1..]).into_owned()))
    }
}

/// What each rank did so far, in rank order (a collective: every rank calls it); this
/// process's alone when it is not one of several ranks.
///
/// # Example
///
/// ```
/// let mpi = chunkwise::mpi::init()?;
/// let options = chunkwise::ComputeOptions::default().executor(chunkwise::Executor::Mpi);
/// chunkwise::ones::<f64>(&[10], [5]).sum(..).compute_scalar_with(&options)?;
/// assert_eq!(chunkwise::mpi::traffic().len(), mpi.size());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[must_use]
pub fn traffic() -> Vec<RankTraffic> {
    let mine = RankTraffic::local();
    if size() == 1 {
        return vec![mine];
    }
    let _calls = CALLS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let send = [
        mine.tasks,
        mine.bytes_sent,
        mine.bytes_received,
        mine.stages,
    ];
    let mut all = vec![0u64; 4 * size()];
    SimpleCommunicator::world().all_gather_into(&send[..], &mut all[..]);
    all.chunks(4)
        .map(|c| RankTraffic {
            tasks: c[0],
            bytes_sent: c[1],
            bytes_received: c[2],
            stages: c[3],
        })
        .collect()
}

/// Rank 0's `value()`, on every rank (a collective: every rank calls it; `value` runs on
/// rank 0 only): for what one process decides or does for all, such as removing an
/// output before it is written again. Alone, `value()`.
///
/// # Example
///
/// ```
/// let dir = chunkwise::mpi::from_first_rank(|| b"/scratch/run-7".to_vec())?;
/// assert_eq!(dir, b"/scratch/run-7");
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::Mpi`] when the ranks cannot exchange.
pub fn from_first_rank(value: impl FnOnce() -> Vec<u8>) -> Result<Vec<u8>> {
    super::from_first_rank(value)
}

/// What one rank did over the computations it took part in.
///
/// # Example
///
/// ```
/// let t = chunkwise::mpi::RankTraffic::default();
/// assert_eq!(t.tasks + t.bytes_sent, 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RankTraffic {
    /// Tasks it ran.
    pub tasks: u64,
    /// Bytes it sent to other ranks (blocks, and the status that starts each message).
    pub bytes_sent: u64,
    /// Bytes it received from other ranks.
    pub bytes_received: u64,
    /// Stages (exchanges) it took part in.
    pub stages: u64,
}

impl RankTraffic {
    fn local() -> RankTraffic {
        RankTraffic {
            tasks: TRAFFIC.tasks.load(Ordering::Relaxed),
            bytes_sent: TRAFFIC.bytes_sent.load(Ordering::Relaxed),
            bytes_received: TRAFFIC.bytes_received.load(Ordering::Relaxed),
            stages: TRAFFIC.stages.load(Ordering::Relaxed),
        }
    }
}

/// True once [`init`] has joined a job that a launcher started (even a job of one rank):
/// such a process must not start processes that would try to join it too.
///
/// # Example
///
/// ```
/// assert!(!chunkwise::mpi::launched());
/// ```
#[must_use]
pub fn launched() -> bool {
    LAUNCHED.load(Ordering::Relaxed)
}

/// This process's rank (0 when not in an MPI job).
///
/// # Example
///
/// ```
/// assert_eq!(chunkwise::mpi::rank(), 0);
/// ```
#[must_use]
pub fn rank() -> usize {
    RANK.load(Ordering::Relaxed)
}

/// How many ranks the job has (1 when not in an MPI job).
///
/// # Example
///
/// ```
/// assert_eq!(chunkwise::mpi::size(), 1);
/// ```
#[must_use]
pub fn size() -> usize {
    SIZE.load(Ordering::Relaxed)
}

/// Worker threads each rank runs: the cores this process may use shared among the ranks
/// on its machine (at least one). Under `OpenMPI`, `mpirun` binds each rank to one core
/// when it starts two ranks or fewer; `--bind-to none` gives a lone rank all cores.
///
/// # Example
///
/// ```
/// assert!(chunkwise::mpi::threads_per_rank() >= 1);
/// ```
#[must_use]
pub fn threads_per_rank() -> usize {
    (super::default_threads() / LOCAL_SIZE.load(Ordering::Relaxed).max(1)).max(1)
}

/// The job's transport when this process is one of several ranks.
pub(crate) fn world() -> Option<(&'static dyn Transport, &'static Traffic)> {
    (size() > 1 && !super::is_alone()).then_some((&MpiWorld as &dyn Transport, &TRAFFIC))
}

/// `MPI_COMM_WORLD`, one call at a time.
struct MpiWorld;

/// Bytes per rank pair in one round of an exchange: MPI counts are 32-bit.
const ROUND_BYTES: usize = 1 << 30;

impl Transport for MpiWorld {
    fn rank(&self) -> usize {
        rank()
    }

    fn size(&self) -> usize {
        size()
    }

    fn exchange(&self, outgoing: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
        let _calls = CALLS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let world = SimpleCommunicator::world();
        let n = size();
        let per_pair = (i32::MAX as usize / n).min(ROUND_BYTES);
        let my_rounds = outgoing
            .iter()
            .map(|m| m.len().div_ceil(per_pair))
            .max()
            .unwrap_or(0) as u64;
        // At least one round, even of empty messages: an exchange is also a barrier.
        let mut rounds = 0u64;
        world.all_reduce_into(&my_rounds.max(1), &mut rounds, SystemOperation::max());
        let mut incoming: Vec<Vec<u8>> = vec![Vec::new(); n];
        for round in 0..rounds as usize {
            let pieces: Vec<&[u8]> = outgoing
                .iter()
                .map(|m| {
                    let start = (round * per_pair).min(m.len());
                    &m[start..(start + per_pair).min(m.len())]
                })
                .collect();
            let send_counts: Vec<i32> = pieces.iter().map(|p| p.len() as i32).collect();
            let mut recv_counts = vec![0i32; n];
            world.all_to_all_into(&send_counts[..], &mut recv_counts[..]);
            let mut send: Vec<u8> = pieces.concat();
            // MPI refuses buffers without storage, even for nothing.
            send.push(0);
            let send_displs = displacements(&send_counts)?;
            let recv_displs = displacements(&recv_counts)?;
            let total: usize = recv_counts.iter().map(|&c| c as usize).sum();
            let mut recv = vec![0u8; total + 1];
            {
                let send = Partition::new(&send[..], &send_counts[..], &send_displs[..]);
                let mut into = PartitionMut::new(&mut recv[..], &recv_counts[..], &recv_displs[..]);
                world.all_to_all_varcount_into(&send, &mut into);
            }
            for (from, msg) in incoming.iter_mut().enumerate() {
                let start = recv_displs[from] as usize;
                msg.extend_from_slice(&recv[start..start + recv_counts[from] as usize]);
            }
        }
        Ok(incoming)
    }
}

fn displacements(counts: &[i32]) -> Result<Vec<i32>> {
    let mut at = 0i32;
    counts
        .iter()
        .map(|&c| {
            let here = at;
            at = at.checked_add(c).ok_or_else(|| Error::Mpi {
                problem: "an exchange round over 2 GiB".into(),
            })?;
            Ok(here)
        })
        .collect()
}

/// Every rank's `mine`, in rank order, over `comm`.
fn all_gather_bytes(comm: &SimpleCommunicator, mine: &[u8]) -> Vec<Vec<u8>> {
    let n = comm.size() as usize;
    let mut counts = vec![0i32; n];
    comm.all_gather_into(&(mine.len() as i32), &mut counts[..]);
    let displs = displacements(&counts).unwrap_or_else(|_| vec![0; n]);
    let mut all = vec![0u8; counts.iter().map(|&c| c as usize).sum()];
    {
        let mut into = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        comm.all_gather_varcount_into(mine, &mut into);
    }
    (0..n)
        .map(|r| all[displs[r] as usize..(displs[r] + counts[r]) as usize].to_vec())
        .collect()
}
