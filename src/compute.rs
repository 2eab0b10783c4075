//! [`ComputeOptions`] and the driver that turns output nodes into results: one
//! preparation (optimize, lower the expression graph to layers, expand the needed tasks,
//! check them against the budget) shared by `explain`, `graph_stats` and `compute`, then
//! execute the tasks and assemble each output's blocks into one array.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod write;

pub use write::{run_writes, PendingWrite};

use crate::any_array::AnyArray;
use crate::diagnostics::Session;
use crate::error::{Error, Result};
use crate::exec::{self, CancelToken, Executor, MemoryLimit, Observer, Observers, RunConfig};
use crate::expr::{Node, Op};
use crate::io::{IoLimits, IoWindow};
use crate::kernel::{copy, Value};
use crate::plan::{self, tasks::TaskPlan};

/// How to run a computation: executor, threads, memory limit, cancellation, events,
/// report and dashboard.
///
/// # Example
///
/// ```
/// use chunkwise::{ComputeOptions, MemoryLimit};
/// let x = chunkwise::arange::<i64>(0, 10, 1, [3]);
/// let threaded = x.sum(..).compute_scalar()?;
/// let debug = x.sum(..).compute_scalar_with(&ComputeOptions::default().single_threaded())?;
/// let small = ComputeOptions::default().threads(2).memory_limit("64MiB".parse::<MemoryLimit>()?);
/// assert_eq!((threaded, debug, x.sum(..).compute_scalar_with(&small)?), (45, 45, 45));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ComputeOptions {
    /// Which executor runs the tasks.
    pub executor: Executor,
    /// The memory budget; `None` reads `CHUNKWISE_MEMORY_LIMIT`, else 60% of physical
    /// memory.
    pub memory_limit: Option<MemoryLimit>,
    /// Stops the computation when cancelled from another thread.
    pub cancel: Option<CancelToken>,
    /// Receive every task's start and finish, in order.
    pub observers: Vec<Arc<dyn Observer>>,
    /// Where to write the performance report (HTML) once the computation has ended.
    pub report: Option<PathBuf>,
    /// Where to serve the live dashboard while the computation runs.
    pub dashboard: Option<SocketAddr>,
    /// Reuses the buffers of released chunks for new chunks (on by default).
    pub buffer_pool: bool,
    /// Optimizes the graph before running it (on by default): fuses elementwise work
    /// into one kernel per chunk. Off runs every operation as its own step, for
    /// comparison and debugging.
    pub optimize: bool,
    /// Requests to remote stores in flight at once, fetching ahead of the compute
    /// threads and writing behind them ([`DEFAULT_IO_CONCURRENCY`] by default).
    pub io_concurrency: usize,
    /// For `explain`: how this many MPI ranks would share the tasks (the job's own
    /// number of ranks when running under MPI and this is `None`).
    pub explain_ranks: Option<usize>,
}

/// Requests in flight to a remote store when [`ComputeOptions::io_concurrency`] is not
/// set: enough to hide 50 ms of latency behind two cores decoding megabyte chunks.
///
/// # Example
///
/// ```
/// assert_eq!(chunkwise::ComputeOptions::default().io_concurrency, chunkwise::DEFAULT_IO_CONCURRENCY);
/// ```
pub const DEFAULT_IO_CONCURRENCY: usize = 32;

impl Default for ComputeOptions {
    fn default() -> Self {
        ComputeOptions {
            executor: Executor::default(),
            memory_limit: None,
            cancel: None,
            observers: Vec::new(),
            report: None,
            dashboard: None,
            buffer_pool: true,
            optimize: true,
            io_concurrency: DEFAULT_IO_CONCURRENCY,
            explain_ranks: None,
        }
    }
}

impl std::fmt::Debug for ComputeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComputeOptions")
            .field("executor", &self.executor)
            .field("memory_limit", &self.memory_limit)
            .field("cancel", &self.cancel)
            .field("observers", &self.observers.len())
            .field("report", &self.report)
            .field("dashboard", &self.dashboard)
            .field("buffer_pool", &self.buffer_pool)
            .field("optimize", &self.optimize)
            .field("io_concurrency", &self.io_concurrency)
            .field("explain_ranks", &self.explain_ranks)
            .finish()
    }
}

impl ComputeOptions {
    /// Uses `executor`.
    #[must_use]
    pub fn executor(mut self, executor: Executor) -> Self {
        self.executor = executor;
        self
    }

    /// Uses `n` worker threads.
    #[must_use]
    pub fn threads(self, n: usize) -> Self {
        self.executor(Executor::Threads(n))
    }

    /// Runs every task on the calling thread, in a fixed order (for debugging).
    #[must_use]
    pub fn single_threaded(self) -> Self {
        self.executor(Executor::SingleThreaded)
    }

    /// Keeps the bytes held by results and running tasks under `limit`: tasks that load
    /// or generate new data wait while it is reached (one always runs if nothing else
    /// is, so the computation never stalls). A plan with a task that alone needs more
    /// than `limit` (its inputs, output and scratch) is refused before anything runs,
    /// with [`Error::TaskTooLarge`](crate::error::Error::TaskTooLarge) suggesting smaller
    /// chunks.
    #[must_use]
    pub fn memory_limit(mut self, limit: MemoryLimit) -> Self {
        self.memory_limit = Some(limit);
        self
    }

    /// Stops the computation when `token` is cancelled.
    #[must_use]
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Reuses the buffers of released chunks for new chunks of the same size (`true`, the
    /// default), or allocates every chunk afresh (`false`, for measuring the difference).
    #[must_use]
    pub fn buffer_pool(mut self, enabled: bool) -> Self {
        self.buffer_pool = enabled;
        self
    }

    /// Optimizes the graph (`true`, the default) or runs every operation as its own
    /// step (`false`: the unoptimized plan, for comparison and debugging).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ComputeOptions;
    /// let x = chunkwise::arange::<f64>(0.0, 100.0, 1.0, [10]);
    /// let y = ((&x + 1.0) * 2.0).sum(..);
    /// let plain = ComputeOptions::default().optimize(false);
    /// assert_eq!(y.compute_scalar()?, y.compute_scalar_with(&plain)?);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn optimize(mut self, enabled: bool) -> Self {
        self.optimize = enabled;
        self
    }

    /// Keeps up to `n` requests to remote stores (`s3://`, `https://`) in flight at once
    /// (at least 1): blocks are fetched ahead of the tasks that read them, and written
    /// to S3 behind the tasks that computed them, so latency is hidden while the compute
    /// threads decode and compute. What is fetched and not yet read, or written and not
    /// yet stored, is held under a quarter of the memory budget, reserved from it.
    ///
    /// # Example
    ///
    /// ```
    /// let options = chunkwise::ComputeOptions::default().io_concurrency(64);
    /// assert_eq!(options.io_concurrency, 64);
    /// ```
    #[must_use]
    pub fn io_concurrency(mut self, n: usize) -> Self {
        self.io_concurrency = n.max(1);
        self
    }

    /// Makes `explain` show how `ranks` MPI ranks would share the tasks: tasks per
    /// rank, stages (exchanges between ranks) and the bytes each rank would send, as
    /// counted from the plan; for sizing a job before running it.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::random::uniform::<f64>(&[4000, 4000], [1000, 1000], 1);
    /// let plan = x.mean(0).explain_with(&chunkwise::ComputeOptions::default().explain_ranks(4))?;
    /// assert!(plan.contains("ranks: 4"), "{plan}");
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn explain_ranks(mut self, ranks: usize) -> Self {
        self.explain_ranks = Some(ranks.max(1));
        self
    }

    /// Sends every task's start and finish to `observer` too (after the observers
    /// added before it).
    #[must_use]
    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observers.push(observer);
        self
    }

    /// Writes a performance report to `path` once the computation has ended (also when
    /// it failed): one self-contained HTML page, readable offline, with the task stream
    /// (one lane per worker, one bar per task), the bytes held over time against the
    /// budget, a table per layer, the plan and a summary. Its data is embedded as JSON
    /// (`<script type="application/json" id="chunkwise-report">`); see
    /// [`Recording::to_json`](crate::diagnostics::Recording::to_json).
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("sum.html");
    /// let x = chunkwise::ones::<f64>(&[100, 100], [10, 10]);
    /// x.sum(..).compute_scalar_with(&chunkwise::ComputeOptions::default().report(&path))?;
    /// let html = std::fs::read_to_string(&path)?;
    /// assert!(html.contains(r#"id="task-stream""#) && html.contains(r#""op":"sum"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn report(mut self, path: impl AsRef<Path>) -> Self {
        self.report = Some(path.as_ref().to_path_buf());
        self
    }

    /// Serves the live dashboard on `addr` while the computation runs: the report's page,
    /// redrawn about once a second, and `GET /api/status` answering `{"done", "total",
    /// "live_bytes", "budget_bytes", "elapsed", "workers"}` as JSON. Only these read-only
    /// routes (and `/api/report`, the page's data) are served, and the port is closed
    /// when the computation ends. Port 0 picks a free port.
    ///
    /// # Example
    ///
    /// ```
    /// let options = chunkwise::ComputeOptions::default().dashboard("127.0.0.1:0".parse()?);
    /// let x = chunkwise::ones::<f64>(&[100], [10]);
    /// assert_eq!(x.sum(..).compute_scalar_with(&options)?, 100.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn dashboard(mut self, addr: SocketAddr) -> Self {
        self.dashboard = Some(addr);
        self
    }

    /// These options without a report or a dashboard: for the passes a computation runs
    /// first (counting data-dependent sizes), whose report would be overwritten.
    fn without_diagnostics(&self) -> ComputeOptions {
        ComputeOptions {
            report: None,
            dashboard: None,
            ..self.clone()
        }
    }
}

/// Sizes of a computation's graph at each level.
///
/// # Example
///
/// ```
/// let x = chunkwise::ones::<f64>(&[100, 100], [10, 10]);
/// let stats = (&x + 1.0).sum(..).graph_stats()?;
/// assert_eq!(stats.nodes, 4); // ones, the scalar 1.0, add, sum
/// // ones + 1 and the sum's first stage run as one fused task per chunk (100), then the
/// // partial sums are combined (9 + 1 tasks).
/// assert_eq!(stats.tasks, 110);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GraphStats {
    /// Distinct expression nodes.
    pub nodes: usize,
    /// Layers after lowering (a reduction is several layers).
    pub layers: usize,
    /// Tasks after culling: what would run.
    pub tasks: usize,
    /// Steps of the fused kernels (loads, generators, elementwise functions), summed
    /// over the layers: the elementwise work per block, which sharing reduces.
    pub kernel_ops: usize,
}

/// The graph sizes of computing `nodes` together.
pub(crate) fn graph_stats(nodes: &[Arc<Node>], options: &ComputeOptions) -> Result<GraphStats> {
    prepared(nodes, options, |p| {
        Ok(GraphStats {
            nodes: p.plan.nodes,
            layers: p.plan.layers.len(),
            tasks: p.tasks.graph.len(),
            kernel_ops: p.plan.layers.iter().map(|l| l.fused_ops().len()).sum(),
        })
    })
}

/// The optimized plan of computing `nodes` together, as text (see
/// `LazyArray::explain`).
pub(crate) fn explain(nodes: &[Arc<Node>], options: &ComputeOptions) -> Result<String> {
    prepared(nodes, options, |p| {
        Ok(plan_text(
            &p.tasks,
            p.budget,
            &p.changes,
            p.fits.as_ref().err(),
            options,
        ))
    })
}

/// The text of `explain`: the plan of `tasks`, the optimizer's `changes`, and why the
/// plan is refused, if it is.
pub(crate) fn plan_text(
    tasks: &TaskPlan<'_>,
    budget: u64,
    changes: &[String],
    refused: Option<&Error>,
    options: &ComputeOptions,
) -> String {
    let mut changes = changes.to_vec();
    let kernels = tasks
        .plan()
        .layers
        .iter()
        .filter(|l| !l.fused_ops().is_empty());
    let (count, ops) = kernels.fold((0, 0), |(c, o), l| (c + 1, o + l.fused_ops().len()));
    if options.optimize && ops > count {
        changes.push(format!(
            "fusion: {ops} operations (sources, broadcasts and elementwise functions) run \
             in {count} kernels, one task per chunk each"
        ));
    }
    let mut text = plan::explain::explain(tasks, budget, &changes);
    let ranks = options.explain_ranks.unwrap_or_else(exec::ranks_in_job);
    if ranks > 1 {
        text.push_str(&exec::ranks::describe(&tasks.graph, tasks, ranks));
    }
    if let Some(e) = refused {
        text.push_str("refused: ");
        text.push_str(&e.to_string());
        text.push('\n');
    }
    text
}

/// The optimized plan of computing `nodes` together, as a Graphviz graph (see
/// `LazyArray::explain_dot`).
pub(crate) fn explain_dot(nodes: &[Arc<Node>], options: &ComputeOptions) -> Result<String> {
    prepared(nodes, options, |p| {
        let refused = p.fits.err().map(|e| e.to_string());
        Ok(plan::dot::dot(&p.tasks, p.budget, refused.as_deref()))
    })
}

/// Computes `nodes` in one pass (shared work runs once) and returns each as an array.
pub(crate) fn compute_nodes(
    nodes: &[Arc<Node>],
    options: &ComputeOptions,
) -> Result<Vec<AnyArray>> {
    Ok(run_nodes(nodes, options)?.0)
}

/// [`compute_nodes`], also returning the peak bytes held by results and running tasks.
pub(crate) fn run_nodes(
    nodes: &[Arc<Node>],
    options: &ComputeOptions,
) -> Result<(Vec<AnyArray>, u64)> {
    prepared(nodes, options, |p| {
        p.fits?;
        exec::budget::return_freed_memory();
        let execution = execute(&p.tasks, p.budget, &p.changes, options)?;
        let writes: Vec<bool> = nodes.iter().map(|n| matches!(n.op, Op::Store(_))).collect();
        let arrays = assemble_outputs(&p.tasks, &writes, &execution.outputs)?;
        Ok((arrays, execution.peak_bytes))
    })
}

/// Computes `node` and returns its blocks, in C order over its chunk grid, without
/// putting them together: what `persist` keeps.
pub(crate) fn compute_blocks(node: &Arc<Node>, options: &ComputeOptions) -> Result<Vec<AnyArray>> {
    prepared(std::slice::from_ref(node), options, |p| {
        p.fits?;
        let execution = execute(&p.tasks, p.budget, &p.changes, options)?;
        execution
            .outputs
            .into_iter()
            .map(|b| match Arc::try_unwrap(b) {
                Ok(Value::Array(a)) => Ok(a),
                Ok(_) => Err(Error::internal(
                    "compute::compute_blocks",
                    "not an array block",
                )),
                Err(shared) => shared.array("compute::compute_blocks").cloned(),
            })
            .collect()
    })
}

/// Runs `tasks` (a plan that fits `budget`) as `options` ask ([`run_observed`]), with
/// its storage reads fetched ahead and writes behind.
fn execute(
    tasks: &TaskPlan<'_>,
    budget: u64,
    changes: &[String],
    options: &ComputeOptions,
) -> Result<exec::Execution<Value>> {
    let describe = || plan_text(tasks, budget, changes, None, options);
    let (_storage_io, memory_limit) = start_storage_io(tasks, budget, options);
    run_observed(&tasks.graph, tasks, memory_limit, &describe, options)
}

/// Runs `graph` with `runner` under `memory_limit` bytes, as `options` ask: its events
/// sent to the observers, and the report and dashboard asked for (the report is written
/// also when the computation fails). `describe` gives the plan's text, for observers
/// that ask. Arrays and lazy tasks ([`crate::delayed`]) run through here alike.
pub(crate) fn run_observed<R: exec::TaskRunner>(
    graph: &exec::TaskGraph,
    runner: &R,
    memory_limit: u64,
    describe: &(dyn Fn() -> String + Sync),
    options: &ComputeOptions,
) -> Result<exec::Execution<R::Output>> {
    let session = Session::start(options.report.as_deref(), options.dashboard)?;
    let mut observers = options.observers.clone();
    observers.extend(session.as_ref().map(Session::observer));
    let observer = Observers::combine(observers);
    let config = RunConfig {
        executor: options.executor,
        memory_limit,
        cancel: options.cancel.as_ref(),
        observer: observer.as_deref(),
        describe,
    };
    let execution = exec::execute(graph, runner, &config);
    let written = session.map_or(Ok(()), Session::finish);
    let execution = execution?;
    written?;
    Ok(execution)
}

/// Starts fetching the storage reads of `tasks` ahead of them, and lets their writers
/// write behind them (remote stores only), returning the running read-aheads and
/// write-behinds (dropped at the end: a read-ahead stops, a write-behind waits for its
/// writes) and the budget left for the tasks: the budget less what they may hold, at
/// most a quarter of it.
/// The tasks still run (one at a time if need be) however little is left, since the
/// executor always admits a task when none is running.
pub(crate) fn start_storage_io(
    tasks: &TaskPlan<'_>,
    budget: u64,
    options: &ComputeOptions,
) -> (Vec<IoWindow>, u64) {
    let reads = tasks.storage_reads();
    let writers = tasks.storage_writers();
    if reads.is_empty() && writers.is_empty() {
        return (Vec::new(), budget);
    }
    let share = budget / 4 / (reads.len() + writers.len()) as u64;
    let limits = IoLimits {
        requests: options.io_concurrency.max(1),
        bytes: share,
    };
    let mut running: Vec<IoWindow> = reads
        .iter()
        .filter_map(|(reader, regions)| reader.read_ahead(regions, limits))
        .collect();
    running.extend(writers.iter().filter_map(|w| w.write_behind(limits)));
    let held: u64 = running.iter().map(IoWindow::bytes).sum();
    (running, budget.saturating_sub(held))
}

/// A computation made ready to run: what `explain`, `graph_stats` and `compute` all
/// look at, so that what they report is what runs.
pub(crate) struct Prepared<'p> {
    pub(crate) plan: &'p plan::Plan,
    pub(crate) tasks: TaskPlan<'p>,
    /// One line per change the optimizer made, for `explain`.
    pub(crate) changes: Vec<String>,
    /// The budget of tasks in bytes: the memory limit less the buffer pool's share.
    pub(crate) budget: u64,
    /// Whether every task fits the budget (`compute` refuses the plan when not).
    pub(crate) fits: Result<()>,
}

/// The one preparation of a computation of `nodes`, handed to `then`: refuse operations
/// that were invalid when built, resolve data-dependent sizes, optimize (unless `options.optimize` is off), lower to
/// layers, expand the needed tasks, and check them against the memory budget.
pub(crate) fn prepared<R>(
    nodes: &[Arc<Node>],
    options: &ComputeOptions,
    then: impl FnOnce(Prepared<'_>) -> Result<R>,
) -> Result<R> {
    let lowered = lowered(nodes, options)?;
    let tasks = TaskPlan::new(&lowered.plan, lowered.pool_bytes)?;
    let fits = plan::check::check_memory(&tasks, lowered.budget);
    then(Prepared {
        plan: &lowered.plan,
        tasks,
        changes: lowered.changes,
        budget: lowered.budget,
        fits,
    })
}

/// A computation lowered to its plan, before its tasks are expanded.
struct Lowered {
    plan: plan::Plan,
    /// Bytes the buffer pool may keep.
    pool_bytes: usize,
    changes: Vec<String>,
    budget: u64,
}

/// The first steps of [`prepared`]: refuse operations that were invalid when built,
/// resolve data-dependent sizes, optimize (unless `options.optimize` is off), and
/// lower to layers that fit the budget.
fn lowered(nodes: &[Arc<Node>], options: &ComputeOptions) -> Result<Lowered> {
    refuse_invalid(nodes)?;
    let budget = available_bytes(options)?;
    // Data-dependent sizes first: their counting passes run now (`crate::resolve`).
    let mut log = Vec::new();
    let nodes = resolved(nodes, options, &mut log)?;
    let (optimized, changes) = if options.optimize {
        crate::optimize::optimize(&nodes)?
    } else {
        (nodes, Vec::new())
    };
    log.extend(changes);
    // Free chunk buffers may take an eighth of the budget, tasks the rest; the plan is
    // changed until its projected peak fits, or refused by the check below.
    let (budget, pool_bytes) = plan::fit::split_budget(budget, options.buffer_pool);
    let plan = plan::fit::lower_to_fit(&optimized, options.optimize, budget)?;
    Ok(Lowered {
        plan,
        pool_bytes,
        changes: log,
        budget,
    })
}

/// The bytes a computation with `options` may hold: the memory limit (given, else from
/// the environment or the default) less the bytes kept outside computations (persisted
/// arrays), which are not available to it.
pub(crate) fn available_bytes(options: &ComputeOptions) -> Result<u64> {
    Ok(match options.memory_limit {
        Some(l) => l,
        None => MemoryLimit::from_env_or_default()?,
    }
    .bytes()
    .saturating_sub(exec::held_bytes()))
}

/// A computation prepared to run elsewhere than in the call that prepared it (on a
/// client's workers, `crate::client`): it owns its plan, so its tasks borrow nothing.
#[derive(Debug)]
pub(crate) struct Detached {
    tasks: Arc<TaskPlan<'static>>,
    /// Whether each output is a write (whose result is an empty array).
    writes: Vec<bool>,
}

impl Detached {
    /// Prepares the computation of `nodes` as `compute` would (the same optimizations,
    /// the same memory check), for the budget `options` give.
    ///
    /// # Errors
    ///
    /// What `compute` would return before running anything: invalid operations, and a
    /// plan that cannot fit the budget.
    pub(crate) fn prepare(nodes: &[Arc<Node>], options: &ComputeOptions) -> Result<Detached> {
        let lowered = lowered(nodes, options)?;
        let tasks = Arc::new(TaskPlan::shared(
            Arc::new(lowered.plan),
            lowered.pool_bytes,
        )?);
        plan::check::check_memory(&tasks, lowered.budget)?;
        exec::budget::return_freed_memory();
        Ok(Detached {
            tasks,
            writes: nodes.iter().map(|n| matches!(n.op, Op::Store(_))).collect(),
        })
    }

    /// The tasks, which also run them (a [`exec::TaskRunner`]).
    pub(crate) fn tasks(&self) -> &Arc<TaskPlan<'static>> {
        &self.tasks
    }

    /// Puts the results of the graph's outputs (in order) together into one array per
    /// node.
    ///
    /// # Errors
    ///
    /// An internal error when the blocks do not make up the outputs.
    pub(crate) fn assemble(&self, results: &[&Value]) -> Result<Vec<AnyArray>> {
        assemble_outputs(&self.tasks, &self.writes, results)
    }
}

/// Each output of `tasks` put together from the results of the graph's outputs (in
/// order); a write (`writes`) gives an empty array.
fn assemble_outputs<V: std::borrow::Borrow<Value>>(
    tasks: &TaskPlan<'_>,
    writes: &[bool],
    results: &[V],
) -> Result<Vec<AnyArray>> {
    let mut next = 0;
    let mut arrays = Vec::with_capacity(writes.len());
    for ((out, ids), &write) in tasks
        .plan()
        .outputs
        .iter()
        .zip(&tasks.output_tasks)
        .zip(writes)
    {
        let blocks = results
            .get(next..next + ids.len())
            .ok_or_else(|| Error::internal("compute::assemble", "missing output blocks"))?;
        next += ids.len();
        arrays.push(if write {
            AnyArray::F64(ndarray::ArrayD::zeros(ndarray::IxDyn(&[0])))
        } else {
            assemble(out, blocks)?
        });
    }
    Ok(arrays)
}

/// `nodes` with their data-dependent sizes resolved (`crate::resolve`): the counting
/// passes run first, with the same options; one line per resolved node goes to `log`.
pub(crate) fn resolved(
    nodes: &[Arc<Node>],
    options: &ComputeOptions,
    log: &mut Vec<String>,
) -> Result<Vec<Arc<Node>>> {
    let passes = options.without_diagnostics();
    crate::resolve::resolve(nodes, &mut |needs| compute_nodes(needs, &passes), log)
}

/// The error of the first operation under `nodes` that was invalid when built.
fn refuse_invalid(nodes: &[Arc<Node>]) -> Result<()> {
    match crate::expr::first_error(nodes) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Puts an output's blocks (C order over its grid) together into one array.
fn assemble<V: std::borrow::Borrow<Value>>(
    out: &plan::PlanOutput,
    blocks: &[V],
) -> Result<AnyArray> {
    let grid = &out.grid;
    let mut pieces = Vec::with_capacity(blocks.len());
    for (i, b) in blocks.iter().enumerate() {
        pieces.push(copy::Piece {
            data: b.borrow().array("compute::assemble")?,
            start: grid.block_start(&grid.block_coords(i)),
        });
    }
    let shape = grid.shape();
    let result = copy::assemble(out.dtype, &vec![0; shape.len()], &shape, &pieces)?;
    if result.dtype() != out.dtype || result.shape() != shape.as_slice() {
        return Err(Error::internal(
            "compute::assemble",
            format!(
                "result is {} {:?}, expected {} {:?}",
                result.dtype(),
                result.shape(),
                out.dtype,
                shape
            ),
        ));
    }
    Ok(result)
}
