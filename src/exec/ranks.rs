//! One task graph run by several processes (ranks) that each hold a share of its tasks:
//! how the tasks are shared out, and the stages in which the ranks run them and trade
//! the blocks they need from each other.
//!
//! Every rank builds the same graph (node keys and task ids are deterministic), so every
//! rank computes the same [`Partition`] with no message at all:
//!
//! - **Owners.** A layer's roots (reads, generators) are split into contiguous runs, one
//!   per rank, in task order (neighbouring blocks, and so the storage chunks and shards
//!   they read and write, stay on one rank). A task whose inputs all have one owner
//!   belongs to it too, so an elementwise chain never leaves its rank; a task that reads
//!   several ranks' blocks (a combine, a rechunk, a halo) goes to the rank that holds most
//!   of its input bytes, so the fewest bytes travel.
//! - **Stages.** A task's stage is the number of rank crossings on its longest path from
//!   a root. Within a stage, a rank's tasks depend only on its own tasks of the stage and
//!   on blocks it holds from earlier stages, so the local executor runs them unchanged,
//!   memory budget and work stealing included.
//! - **Exchange.** After each stage, every rank sends each block a task of another rank
//!   will read (and every output block, to every rank: each rank returns the whole
//!   result, as an SPMD program expects) in one [`Transport::exchange`]. Each message
//!   starts with the sender's status, so a failure on any rank stops every rank at the
//!   same exchange, and none waits for a block that will never come.
//!
//! What bounds it: blocks that cross ranks are held from the stage that makes them until
//! the last stage that reads them; for a reduction they are partial sums, for a rechunk
//! they are the data itself (the share of the array that changes rank). The number of
//! exchanges is the number of stages, a few per reduction or rechunk.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::{threaded, Execution, RunConfig, TaskGraph, TaskId, TaskLabel, TaskRunner};
use crate::error::{Error, Result};

/// How ranks talk: collective calls, made by every rank in the same order.
pub(crate) trait Transport: Sync {
    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;
    /// How many ranks take part.
    fn size(&self) -> usize;
    /// Sends `outgoing[r]` to rank `r` (this rank's own included) and returns what each
    /// rank sent to this one, in rank order.
    ///
    /// # Errors
    ///
    /// [`Error::Mpi`] when the messages cannot be sent.
    fn exchange(&self, outgoing: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>>;
}

/// What this process's ranks did, summed over its computations: what `eval --json`
/// reports under MPI.
#[derive(Debug, Default)]
pub(crate) struct Traffic {
    pub(crate) tasks: AtomicU64,
    pub(crate) bytes_sent: AtomicU64,
    pub(crate) bytes_received: AtomicU64,
    pub(crate) stages: AtomicU64,
}

/// Who runs each task, and in which stage.
#[derive(Debug)]
pub(crate) struct Partition {
    owner: Vec<u32>,
    stage: Vec<u32>,
    stages: u32,
}

impl Partition {
    /// The partition of `graph` over `ranks` ranks (see the module documentation).
    pub(crate) fn new<R: TaskRunner>(graph: &TaskGraph, runner: &R, ranks: usize) -> Partition {
        let n = graph.len();
        let mut block = Vec::new();
        let layers: Vec<u32> = (0..n as u32)
            .map(|t| runner.describe_task(TaskId(t), &mut block))
            .collect();
        let layer_count = layers.iter().max().map_or(0, |&l| l as usize + 1);
        let mut roots_in = vec![0u64; layer_count];
        for t in 0..n {
            if graph.is_root(TaskId(t as u32)) {
                roots_in[layers[t] as usize] += 1;
            }
        }
        let mut seen = vec![0u64; layer_count];
        let mut owner = vec![0u32; n];
        let mut stage = vec![0u32; n];
        let mut bytes_from = vec![0u64; ranks];
        for t in 0..n {
            let task = TaskId(t as u32);
            let deps = graph.deps(task);
            if deps.is_empty() {
                let l = layers[t] as usize;
                owner[t] = (seen[l] * ranks as u64 / roots_in[l]) as u32;
                seen[l] += 1;
                continue;
            }
            let first = owner[deps[0].index()];
            owner[t] = if deps.iter().all(|d| owner[d.index()] == first) {
                first
            } else {
                bytes_from.fill(0);
                for d in deps {
                    bytes_from[owner[d.index()] as usize] += graph.out_bytes(*d).max(1);
                }
                let most = bytes_from.iter().max().copied().unwrap_or(0);
                bytes_from.iter().position(|&b| b == most).unwrap_or(0) as u32
            };
            stage[t] = deps
                .iter()
                .map(|d| stage[d.index()] + u32::from(owner[d.index()] != owner[t]))
                .max()
                .unwrap_or(0);
        }
        let stages = stage.iter().max().map_or(0, |&s| s + 1);
        Partition {
            owner,
            stage,
            stages,
        }
    }

    /// How many tasks each rank runs.
    pub(crate) fn tasks_per_rank(&self, ranks: usize) -> Vec<u64> {
        let mut counts = vec![0u64; ranks];
        for &o in &self.owner {
            counts[o as usize] += 1;
        }
        counts
    }

    /// How many stages (and so exchanges) the run takes.
    pub(crate) fn stages(&self) -> u32 {
        self.stages
    }

    /// The projected bytes each rank sends: blocks read by tasks of other ranks (once
    /// per reading rank), and the result's blocks (to every other rank), apart.
    pub(crate) fn bytes_sent(&self, graph: &TaskGraph, ranks: usize) -> (Vec<u64>, Vec<u64>) {
        let mut between = vec![0u64; ranks];
        let mut results = vec![0u64; ranks];
        let mut dests = Vec::new();
        let outputs = output_mask(graph);
        for t in 0..graph.len() {
            destinations(
                graph,
                &self.owner,
                &outputs,
                TaskId(t as u32),
                ranks,
                &mut dests,
            );
            let bytes = graph.out_bytes(TaskId(t as u32)) * dests.len() as u64;
            let to = if outputs[t] {
                &mut results
            } else {
                &mut between
            };
            to[self.owner[t] as usize] += bytes;
        }
        (between, results)
    }
}

/// The lines `explain` adds for a run on `ranks` ranks.
pub(crate) fn describe<R: TaskRunner>(graph: &TaskGraph, runner: &R, ranks: usize) -> String {
    let part = Partition::new(graph, runner, ranks);
    let tasks = part.tasks_per_rank(ranks);
    let (between, results) = part.bytes_sent(graph, ranks);
    let (min, max) = (
        tasks.iter().min().copied().unwrap_or(0),
        tasks.iter().max().copied().unwrap_or(0),
    );
    let human = crate::units::human_bytes;
    let most = |v: &[u64]| human(v.iter().max().copied().unwrap_or(0));
    format!(
        "ranks: {ranks} (MPI): {min}..{max} tasks per rank, {} stages; sent as MPI messages \
         (projected): blocks for other ranks' tasks {} per rank at most, {} in all; the \
         result to every rank {} per rank at most, {} in all\n",
        part.stages(),
        most(&between),
        human(between.iter().sum()),
        most(&results),
        human(results.iter().sum())
    )
}

fn output_mask(graph: &TaskGraph) -> Vec<bool> {
    let mut is_output = vec![false; graph.len()];
    for o in graph.outputs() {
        is_output[o.index()] = true;
    }
    is_output
}

/// The ranks other than `t`'s owner that need `t`'s result, into `dests` (sorted).
fn destinations(
    graph: &TaskGraph,
    owner: &[u32],
    is_output: &[bool],
    t: TaskId,
    ranks: usize,
    dests: &mut Vec<u32>,
) {
    dests.clear();
    let me = owner[t.index()];
    if is_output[t.index()] {
        dests.extend((0..ranks as u32).filter(|&r| r != me));
        return;
    }
    for c in graph.dependents(t) {
        let o = owner[c.index()];
        if o != me && !dests.contains(&o) {
            dests.push(o);
        }
    }
    dests.sort_unstable();
}

/// Runs this rank's share of `graph` over `transport` (see the module documentation),
/// each stage on `threads` worker threads; every rank returns every output.
pub(crate) fn run<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    config: &RunConfig<'_>,
    threads: usize,
    transport: &dyn Transport,
    traffic: &Traffic,
) -> Result<Execution<R::Output>> {
    let ranks = transport.size();
    let me = transport.rank() as u32;
    let n = graph.len();
    let part = Partition::new(graph, runner, ranks);
    let is_output = output_mask(graph);
    // The last stage in which a task of this rank reads each result (outputs: kept to the
    // end), so a held block is dropped once nothing here reads it again.
    let mut keep_until: Vec<Option<u32>> = vec![None; n];
    for t in 0..n {
        if part.owner[t] == me {
            for d in graph.deps(TaskId(t as u32)) {
                let k = &mut keep_until[d.index()];
                *k = Some(k.map_or(part.stage[t], |s| s.max(part.stage[t])));
            }
        }
        if is_output[t] {
            keep_until[t] = Some(u32::MAX);
        }
    }
    // Results another rank reads.
    let crosses: Vec<bool> = (0..n)
        .map(|t| {
            let o = part.owner[t];
            graph
                .dependents(TaskId(t as u32))
                .iter()
                .any(|c| part.owner[c.index()] != o)
        })
        .collect();
    let mut held: Vec<Option<Arc<R::Output>>> = (0..n).map(|_| None).collect();
    let mut held_bytes = 0u64;
    let mut peak = 0u64;
    let mut by_stage: Vec<Vec<TaskId>> = vec![Vec::new(); part.stages as usize];
    for t in 0..n {
        if part.owner[t] == me {
            by_stage[part.stage[t] as usize].push(TaskId(t as u32));
        }
    }
    let mut dests = Vec::new();
    let mut encoded = Vec::new();
    for (s, local_tasks) in by_stage.iter().enumerate() {
        let s = s as u32;
        let outcome = run_stage(
            graph,
            runner,
            config,
            threads,
            local_tasks,
            &held,
            held_bytes,
            |t| {
                let t = t.index();
                keep_until[t].is_some_and(|k| k > s) || is_output[t] || crosses[t]
            },
        );
        // What goes to each rank: this rank's status first, then its blocks.
        let mut outgoing: Vec<Vec<u8>> = vec![Vec::new(); ranks];
        let mut failure = None;
        match outcome {
            Ok((results, stage_peak)) => {
                peak = peak.max(stage_peak);
                traffic
                    .tasks
                    .fetch_add(local_tasks.len() as u64, Ordering::Relaxed);
                for msg in &mut outgoing {
                    msg.push(0);
                }
                for (t, value) in results {
                    destinations(graph, &part.owner, &is_output, t, ranks, &mut dests);
                    if !dests.is_empty() {
                        encoded.clear();
                        R::encode(&value, &mut encoded);
                        for &d in &dests {
                            let msg = &mut outgoing[d as usize];
                            msg.extend_from_slice(&t.0.to_le_bytes());
                            msg.extend_from_slice(&(encoded.len() as u64).to_le_bytes());
                            msg.extend_from_slice(&encoded);
                        }
                    }
                    if keep_until[t.index()].is_some_and(|k| k > s) {
                        held_bytes += R::output_bytes(&value);
                        held[t.index()] = Some(value);
                    } else if let Ok(v) = Arc::try_unwrap(value) {
                        runner.recycle(v);
                    }
                }
            }
            Err(e) => {
                let text = error_chain(&e);
                for msg in &mut outgoing {
                    msg.push(1);
                    msg.extend_from_slice(text.as_bytes());
                }
                failure = Some(e);
            }
        }
        let sent: u64 = outgoing
            .iter()
            .enumerate()
            .filter(|&(r, _)| r != me as usize)
            .map(|(_, m)| m.len() as u64)
            .sum();
        let incoming = transport.exchange(outgoing)?;
        traffic.bytes_sent.fetch_add(sent, Ordering::Relaxed);
        traffic.stages.fetch_add(1, Ordering::Relaxed);
        if let Some(e) = failure {
            return Err(e);
        }
        let failed = incoming.iter().position(|m| m.first() != Some(&0));
        if let Some(rank) = failed {
            let message = incoming[rank].get(1..).unwrap_or_default();
            return Err(Error::RankFailed {
                rank,
                ranks,
                message: String::from_utf8_lossy(message).into_owned(),
            });
        }
        for (from, msg) in incoming.iter().enumerate() {
            if from == me as usize {
                continue;
            }
            traffic
                .bytes_received
                .fetch_add(msg.len() as u64, Ordering::Relaxed);
            let mut at = 1;
            while at < msg.len() {
                let (t, len, body) = read_entry(msg, at)?;
                at = body + len;
                let value = runner.decode(&msg[body..at])?;
                held_bytes += R::output_bytes(&value);
                held[t as usize] = Some(Arc::new(value));
            }
        }
        // Blocks nothing here reads after this stage are dropped.
        for t in 0..n {
            if keep_until[t].is_some_and(|k| k <= s) {
                if let Some(v) = held[t].take() {
                    held_bytes -= R::output_bytes(&v);
                    if let Ok(v) = Arc::try_unwrap(v) {
                        runner.recycle(v);
                    }
                }
            }
        }
        peak = peak.max(held_bytes);
    }
    let outputs = graph
        .outputs()
        .iter()
        .map(|o| {
            held[o.index()]
                .clone()
                .ok_or_else(|| Error::internal("exec::ranks", "an output block never arrived"))
        })
        .collect::<Result<_>>()?;
    Ok(Execution {
        outputs,
        peak_bytes: peak,
    })
}

/// `e` and its sources, outermost first, as the failed rank would print them.
pub(crate) fn error_chain(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The task, length and body offset of the message entry at `at`.
fn read_entry(msg: &[u8], at: usize) -> Result<(u32, usize, usize)> {
    let short = || Error::internal("exec::ranks", "a truncated block message");
    let header = msg.get(at..at + 12).ok_or_else(short)?;
    let t = u32::from_le_bytes(header[..4].try_into().map_err(|_| short())?);
    let len = u64::from_le_bytes(header[4..].try_into().map_err(|_| short())?) as usize;
    if msg.len() < at + 12 + len {
        return Err(short());
    }
    Ok((t, len, at + 12))
}

/// The results of one stage that are kept (`keep`) or sent, by task.
type StageResults<O> = Vec<(TaskId, Arc<O>)>;

/// Runs `tasks` (one stage of this rank's share) on the local executor: the blocks they
/// read from earlier stages (`held`, `held_bytes` in all) are given to them as ready
/// roots. Returns the results that leave the stage (read later, by another rank, or
/// returned) and the stage's peak, counting every block this rank holds.
#[expect(clippy::too_many_arguments, reason = "one stage's whole context")]
fn run_stage<R: TaskRunner>(
    graph: &TaskGraph,
    runner: &R,
    config: &RunConfig<'_>,
    threads: usize,
    tasks: &[TaskId],
    held: &[Option<Arc<R::Output>>],
    held_bytes: u64,
    leaves: impl Fn(TaskId) -> bool,
) -> Result<(StageResults<R::Output>, u64)> {
    if tasks.is_empty() {
        return Ok((Vec::new(), 0));
    }
    // Sub-graph ids: the given blocks first (roots), then the stage's tasks in order.
    let mut sub_of = std::collections::BTreeMap::new();
    let mut global = Vec::new();
    let mut given = Vec::new();
    for &t in tasks {
        sub_of.insert(t, u32::MAX);
    }
    for &t in tasks {
        for d in graph.deps(t) {
            if !sub_of.contains_key(d) {
                let value = held[d.index()]
                    .clone()
                    .ok_or_else(|| Error::internal("exec::ranks", "an input block is missing"))?;
                sub_of.insert(*d, global.len() as u32);
                global.push(*d);
                given.push(Some(value));
            }
        }
    }
    for &t in tasks {
        sub_of.insert(t, global.len() as u32);
        global.push(t);
        given.push(None);
    }
    let mut dep_starts = vec![0u32];
    let mut deps = Vec::new();
    let mut out_bytes = Vec::with_capacity(global.len());
    let mut outputs = Vec::new();
    for (i, &t) in global.iter().enumerate() {
        if let Some(v) = &given[i] {
            out_bytes.push(R::output_bytes(v));
        } else {
            deps.extend(graph.deps(t).iter().map(|d| TaskId(sub_of[d])));
            out_bytes.push(graph.out_bytes(t));
            if leaves(t) {
                outputs.push(TaskId(i as u32));
            }
        }
        dep_starts.push(deps.len() as u32);
    }
    let given_bytes: u64 = out_bytes[..global.len() - tasks.len()].iter().sum();
    // Held blocks the stage does not read stay held beside it.
    let others = held_bytes.saturating_sub(given_bytes);
    let sub = TaskGraph::new(dep_starts, deps, outputs, out_bytes);
    let stage_runner = StageRunner {
        inner: runner,
        global: &global,
        given,
    };
    let stage_config = RunConfig {
        memory_limit: config.memory_limit.saturating_sub(others),
        ..*config
    };
    let execution = threaded::run(&sub, &stage_runner, threads, &stage_config)?;
    let results = sub
        .outputs()
        .iter()
        .zip(execution.outputs)
        .map(|(o, v)| {
            let v = Arc::try_unwrap(v).unwrap_or_else(|shared| Arc::clone(&shared));
            (global[o.index()], v)
        })
        .collect();
    Ok((results, execution.peak_bytes + others))
}

/// A stage's tasks as a graph of their own: given blocks are returned as they are, the
/// rest run as in the whole graph.
struct StageRunner<'a, R: TaskRunner> {
    inner: &'a R,
    global: &'a [TaskId],
    given: Vec<Option<Arc<R::Output>>>,
}

impl<R: TaskRunner> TaskRunner for StageRunner<'_, R> {
    type Output = Arc<R::Output>;

    fn run(&self, task: TaskId, inputs: &[&Self::Output]) -> Result<Self::Output> {
        if let Some(v) = &self.given[task.index()] {
            return Ok(v.clone());
        }
        let inputs: smallvec::SmallVec<[&R::Output; 4]> = inputs.iter().map(|v| &***v).collect();
        self.inner
            .run(self.global[task.index()], &inputs)
            .map(Arc::new)
    }

    fn label(&self, task: TaskId) -> TaskLabel {
        self.inner.label(self.global[task.index()])
    }

    fn describe_task(&self, task: TaskId, block: &mut Vec<usize>) -> u32 {
        self.inner.describe_task(self.global[task.index()], block)
    }

    fn layer_labels(&self) -> Vec<String> {
        self.inner.layer_labels()
    }

    fn output_bytes(value: &Self::Output) -> u64 {
        R::output_bytes(value)
    }

    fn recycle(&self, value: Self::Output) {
        if let Ok(v) = Arc::try_unwrap(value) {
            self.inner.recycle(v);
        }
    }

    fn scratch_bytes(&self, task: TaskId) -> u64 {
        if self.given[task.index()].is_some() {
            0
        } else {
            self.inner.scratch_bytes(self.global[task.index()])
        }
    }

    fn encode(value: &Self::Output, out: &mut Vec<u8>) {
        R::encode(value, out);
    }

    fn decode(&self, bytes: &[u8]) -> Result<Self::Output> {
        self.inner.decode(bytes).map(Arc::new)
    }
}

/// Ranks as threads of one process, for tests: each exchange meets at a barrier.
#[cfg(test)]
pub(crate) mod threads {
    use super::{Result, Transport};
    use std::sync::{Barrier, Mutex};

    /// The state the simulated ranks share.
    pub(crate) struct Hub {
        size: usize,
        barrier: Barrier,
        /// `mail[to][from]`.
        mail: Mutex<Vec<Vec<Vec<u8>>>>,
    }

    impl Hub {
        pub(crate) fn new(size: usize) -> Hub {
            Hub {
                size,
                barrier: Barrier::new(size),
                mail: Mutex::new(vec![vec![Vec::new(); size]; size]),
            }
        }
    }

    /// One simulated rank.
    pub(crate) struct ThreadRank<'h> {
        pub(crate) hub: &'h Hub,
        pub(crate) rank: usize,
    }

    impl Transport for ThreadRank<'_> {
        fn rank(&self) -> usize {
            self.rank
        }
        fn size(&self) -> usize {
            self.hub.size
        }
        fn exchange(&self, outgoing: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
            {
                let mut mail = self.hub.mail.lock().expect("mail lock");
                for (to, msg) in outgoing.into_iter().enumerate() {
                    mail[to][self.rank] = msg;
                }
            }
            self.hub.barrier.wait();
            let mine = std::mem::replace(
                &mut self.hub.mail.lock().expect("mail lock")[self.rank],
                vec![Vec::new(); self.hub.size],
            );
            // Nobody writes the next exchange's mail before every rank has taken this one's.
            self.hub.barrier.wait();
            Ok(mine)
        }
    }
}
