//! [`Recorder`]: an observer that keeps what every task did, and [`Recording`], a copy of
//! it taken at any moment (what the report draws and the dashboard serves).
//!
//! Why a shard per worker: the recorder is called twice per task from every worker, and
//! tasks can be a microsecond long (`tiny_chunks_100k` runs 100,000 of them in about
//! 0.15 s). Each worker appends to its own vector behind its own lock, which only a
//! snapshot ever contends for, so recording costs an append per task; the figure is in
//! BENCHMARKS.md ("recording overhead"). What bounds it: about 80 bytes per task held
//! until the recorder is dropped (8 MB for 100,000 tasks).
//!
//! A recorder can observe several computations one after another (a command that runs a
//! few): each is a run, placed on one time line from the start of the first, with task
//! ids and layers numbered on from the previous runs. It observes one computation at a
//! time. A client's computation is open-ended: it starts with no tasks and no layers, and
//! each submission adds its tasks and new layers ([`TasksAdded`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use smallvec::SmallVec;

use crate::exec::{Observer, RunEnd, RunStart, TaskFinish, TasksAdded};

/// Independent append buffers; worker `w` uses shard `w % SHARDS`.
const SHARDS: usize = 64;

/// Keeps the events of the computations it observes, for a report ([`Recording`]) or the
/// [`Dashboard`](super::Dashboard).
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use chunkwise::{diagnostics::Recorder, ComputeOptions};
/// let recorder = Arc::new(Recorder::new("sum of ones"));
/// let x = chunkwise::ones::<f64>(&[100, 100], [10, 10]);
/// x.sum(..).compute_scalar_with(&ComputeOptions::default().observer(recorder.clone()))?;
/// let recording = recorder.recording();
/// assert_eq!(recording.tasks.len(), x.sum(..).graph_stats()?.tasks);
/// assert!(recording.tasks.iter().all(|t| t.end >= t.start && t.end <= recording.wall));
/// // One memory sample per task; each task's layer is named.
/// assert_eq!(recording.memory.len(), recording.tasks.len());
/// let first = &recording.tasks[0];
/// assert!(recording.layers[first.layer as usize].op.starts_with("sum"));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug)]
pub struct Recorder {
    title: String,
    created: Instant,
    runs: Mutex<Vec<Run>>,
    /// Layer labels of every run, numbered on from run to run.
    layers: Mutex<Vec<String>>,
    /// The run task events belong to (the last started).
    current: AtomicU32,
    shards: Box<[Shard]>,
}

/// One worker's append buffer, alone on its cache lines: two workers appending to
/// neighbouring buffers would otherwise pass one line back and forth on every task.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard(Mutex<Vec<Entry>>);

impl std::ops::Deref for Shard {
    type Target = Mutex<Vec<Entry>>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// One observed computation.
#[derive(Clone, Debug)]
struct Run {
    /// Its start, from the recorder's creation.
    offset: Duration,
    tasks: usize,
    /// Tasks of the runs before it: its task ids start there.
    task_base: u64,
    /// Layers of the runs before it: its layer numbers start there.
    layer_base: u32,
    workers: usize,
    budget: u64,
    input_bytes: u64,
    output_bytes: u64,
    plan: String,
    /// Its end, from the recorder's creation, once it has ended.
    end: Option<Duration>,
    peak: u64,
    error: Option<String>,
}

/// One finished task, as kept.
#[derive(Clone, Debug)]
struct Entry {
    run: u32,
    task: u32,
    layer: u32,
    worker: u32,
    /// From the run's start, in nanoseconds.
    start: u64,
    end: u64,
    bytes: u64,
    live: u64,
    block: SmallVec<[u32; 4]>,
}

impl Recorder {
    /// A recorder whose report is titled `title`.
    #[must_use]
    pub fn new(title: &str) -> Recorder {
        Recorder {
            title: title.to_string(),
            created: Instant::now(),
            runs: Mutex::new(Vec::new()),
            layers: Mutex::new(Vec::new()),
            current: AtomicU32::new(0),
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        }
    }

    /// A copy of everything recorded so far (a computation may still be running: its
    /// finished tasks are in, the wall time is up to now).
    #[must_use]
    pub fn recording(&self) -> Recording {
        let runs = self.runs.lock().clone();
        let layer_labels = self.layers.lock().clone();
        let mut entries: Vec<Entry> = Vec::new();
        for shard in &*self.shards {
            entries.extend(shard.lock().iter().cloned());
        }
        let origin = runs.first().map_or(Duration::ZERO, |r| r.offset);
        let seconds = |run: &Run, nanos: u64| {
            (run.offset + Duration::from_nanos(nanos))
                .saturating_sub(origin)
                .as_secs_f64()
        };
        entries.sort_by_key(|e| (e.run, e.start, e.task));
        let mut tasks = Vec::with_capacity(entries.len());
        let mut layers: Vec<LayerRecord> = layer_labels
            .iter()
            .enumerate()
            .map(|(id, op)| LayerRecord {
                id: id as u32,
                op: op.clone(),
                tasks: 0,
            })
            .collect();
        for e in &entries {
            let Some(run) = runs.get(e.run as usize) else {
                continue;
            };
            let layer = run.layer_base + e.layer;
            if let Some(l) = layers.get_mut(layer as usize) {
                l.tasks += 1;
            }
            tasks.push(TaskRecord {
                id: run.task_base + u64::from(e.task),
                layer,
                block: e.block.iter().map(|&b| b as usize).collect(),
                worker: e.worker as usize,
                start: seconds(run, e.start),
                end: seconds(run, e.end),
                bytes: e.bytes,
            });
        }
        let mut memory: Vec<MemorySample> = entries
            .iter()
            .filter_map(|e| {
                let run = runs.get(e.run as usize)?;
                Some(MemorySample {
                    t: seconds(run, e.end),
                    live: e.live,
                })
            })
            .collect();
        memory.sort_by(|a, b| a.t.total_cmp(&b.t));
        let now = self.created.elapsed();
        let wall = runs
            .last()
            .map_or(Duration::ZERO, |r| r.end.unwrap_or(now))
            .saturating_sub(origin)
            .as_secs_f64();
        let peak_live = runs
            .iter()
            .map(|r| r.peak)
            .chain(memory.iter().map(|m| m.live))
            .max()
            .unwrap_or(0);
        let plan = if runs.len() == 1 {
            runs[0].plan.clone()
        } else {
            runs.iter()
                .enumerate()
                .map(|(i, r)| format!("computation {}:\n{}", i + 1, r.plan))
                .collect::<Vec<_>>()
                .join("\n")
        };
        Recording {
            title: self.title.clone(),
            done: tasks.len(),
            total: runs.iter().map(|r| r.tasks).sum(),
            tasks,
            memory,
            budget: runs.iter().map(|r| r.budget).max().unwrap_or(0),
            wall,
            threads: runs.iter().map(|r| r.workers).max().unwrap_or(0),
            plan,
            layers,
            runs: runs.len(),
            peak_live,
            input_bytes: runs.iter().map(|r| r.input_bytes).sum(),
            output_bytes: runs.iter().map(|r| r.output_bytes).sum(),
            error: runs.iter().find_map(|r| r.error.clone()),
            running: runs.last().is_some_and(|r| r.end.is_none()),
        }
    }

    /// How far the computations have come, cheaply (no copy of the tasks): what the
    /// dashboard's `/api/status` answers.
    #[must_use]
    pub fn status(&self) -> Status {
        let runs = self.runs.lock();
        let mut done = 0;
        let mut latest: Option<(u32, u64, u64)> = None;
        for shard in &*self.shards {
            let shard = shard.lock();
            done += shard.len();
            if let Some(e) = shard.last() {
                if latest.is_none_or(|(run, end, _)| (e.run, e.end) > (run, end)) {
                    latest = Some((e.run, e.end, e.live));
                }
            }
        }
        let origin = runs.first().map_or(Duration::ZERO, |r| r.offset);
        let last = runs.last();
        Status {
            done,
            total: runs.iter().map(|r| r.tasks).sum(),
            live_bytes: latest.map_or(0, |(_, _, live)| live),
            budget_bytes: last.map_or(0, |r| r.budget),
            elapsed: last
                .map_or(Duration::ZERO, |r| {
                    r.end.unwrap_or_else(|| self.created.elapsed())
                })
                .saturating_sub(origin)
                .as_secs_f64(),
            workers: last.map_or(0, |r| r.workers),
            running: last.is_some_and(|r| r.end.is_none()),
        }
    }
}

impl Observer for Recorder {
    fn on_start(&self, run: &RunStart<'_>) {
        let plan = run.plan();
        let (input_bytes, output_bytes) = run.io_bytes();
        let mut layers = self.layers.lock();
        let mut runs = self.runs.lock();
        let task_base = runs.last().map_or(0, |r| r.task_base + r.tasks as u64);
        runs.push(Run {
            offset: self.created.elapsed(),
            tasks: run.tasks,
            task_base,
            layer_base: u32::try_from(layers.len()).unwrap_or(u32::MAX),
            workers: run.workers,
            budget: run.budget_bytes,
            input_bytes,
            output_bytes,
            plan,
            end: None,
            peak: 0,
            error: None,
        });
        layers.extend(run.layers.iter().cloned());
        // Room for every task up front, so no append copies a shard mid-run.
        let per_worker = run.tasks / run.workers.max(1) + 1;
        for shard in self.shards.iter().take(run.workers.min(SHARDS)) {
            shard.lock().reserve(per_worker);
        }
        self.current.store(
            u32::try_from(runs.len() - 1).unwrap_or(u32::MAX),
            Ordering::Release,
        );
    }

    fn on_tasks_added(&self, added: &TasksAdded<'_>) {
        // The layers of the running computation grow at the end of the list; they are
        // its own as long as it is the last run started (one computation at a time).
        let mut layers = self.layers.lock();
        let mut runs = self.runs.lock();
        if let Some(run) = runs.last_mut() {
            run.tasks += added.tasks;
        }
        layers.extend(added.layers.iter().cloned());
    }

    fn on_task_finish(&self, event: &TaskFinish<'_>) {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        let entry = Entry {
            run: self.current.load(Ordering::Acquire),
            task: event.task,
            layer: event.layer,
            worker: u32::try_from(event.worker).unwrap_or(u32::MAX),
            start: nanos(event.start),
            end: nanos(event.end),
            bytes: event.output_bytes,
            live: event.live_bytes,
            block: event
                .block
                .iter()
                .map(|&b| u32::try_from(b).unwrap_or(u32::MAX))
                .collect(),
        };
        self.shards[event.worker % SHARDS].lock().push(entry);
    }

    fn on_finish(&self, end: &RunEnd<'_>) {
        let mut runs = self.runs.lock();
        if let Some(run) = runs.last_mut() {
            run.end = Some(run.offset + end.elapsed);
            run.peak = end.peak_bytes;
            run.error = end.error.map(ToString::to_string);
        }
    }
}

/// What a [`Recorder`] saw: every finished task, the bytes held over time, and the runs'
/// figures. Times are in seconds from the start of the first computation.
///
/// # Example
///
/// See [`Recorder`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Recording {
    /// The title given to the recorder.
    pub title: String,
    /// Finished tasks, in order of start within each computation.
    pub tasks: Vec<TaskRecord>,
    /// Bytes held by results and running tasks after each task, in time order.
    pub memory: Vec<MemorySample>,
    /// The memory budget (the largest, over several computations).
    pub budget: u64,
    /// From the start of the first computation to the end of the last (or now).
    pub wall: f64,
    /// Worker threads (the most, over several computations).
    pub threads: usize,
    /// The plan of each computation, as `explain` prints it.
    pub plan: String,
    /// Every layer, indexed by [`TaskRecord::layer`].
    pub layers: Vec<LayerRecord>,
    /// Computations observed.
    pub runs: usize,
    /// The most bytes results and running tasks held at once.
    pub peak_live: u64,
    /// Bytes read or generated by the tasks without inputs (as projected).
    pub input_bytes: u64,
    /// Bytes returned or written (as projected).
    pub output_bytes: u64,
    /// The error of the first computation that failed.
    pub error: Option<String>,
    /// Tasks finished.
    pub done: usize,
    /// Tasks planned by the computations started so far.
    pub total: usize,
    /// True while the last computation is still running.
    pub running: bool,
}

/// One finished task of a [`Recording`].
///
/// # Example
///
/// See [`Recorder`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TaskRecord {
    /// Unique over the recording's computations.
    pub id: u64,
    /// Index into [`Recording::layers`].
    pub layer: u32,
    /// The block it computed, in its layer's chunk grid.
    pub block: Vec<usize>,
    /// The worker thread that ran it.
    pub worker: usize,
    /// Seconds from the start of the first computation.
    pub start: f64,
    /// Seconds from the start of the first computation.
    pub end: f64,
    /// Bytes of its result.
    pub bytes: u64,
}

/// The bytes held at one moment of a [`Recording`].
///
/// # Example
///
/// See [`Recorder`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct MemorySample {
    /// Seconds from the start of the first computation.
    pub t: f64,
    /// Bytes held by results and running tasks.
    pub live: u64,
}

/// A layer of a [`Recording`]: a group of tasks computing one operation's blocks.
///
/// # Example
///
/// See [`Recorder`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LayerRecord {
    /// Its index in [`Recording::layers`].
    pub id: u32,
    /// Its operation (and stage, for reductions).
    pub op: String,
    /// Its finished tasks.
    pub tasks: usize,
}

/// How far the observed computations have come.
///
/// # Example
///
/// ```
/// use chunkwise::diagnostics::Recorder;
/// let status = Recorder::new("nothing yet").status();
/// assert_eq!((status.done, status.total, status.running), (0, 0, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Status {
    /// Tasks finished.
    pub done: usize,
    /// Tasks planned by the computations started so far.
    pub total: usize,
    /// Bytes held by results and running tasks after the latest task.
    pub live_bytes: u64,
    /// The budget of the current computation.
    pub budget_bytes: u64,
    /// Seconds since the first computation started.
    pub elapsed: f64,
    /// Worker threads of the current computation.
    pub workers: usize,
    /// True while a computation runs.
    pub running: bool,
}
