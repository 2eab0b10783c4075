//! `chunkwise bench`: times the standard workloads, one JSON line each.
//!
//! The parent process runs each workload in a fresh child process (this same binary with
//! the hidden `--child NAME` flag) so that each reported peak RSS is that workload's alone.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use chunkwise::bench::{find, workloads, Input, WorkloadParams};
use chunkwise::{ComputeOptions, MemoryLimit};
use clap::{Args, ValueEnum};
use serde_json::json;

const AFTER_HELP: &str = "\
Workloads (float64; the same definitions as the Dask peer benchmark):
  seed_arcsin          a, b (4000, 4000, 10) in (1000, 1000, 10): (arcsin(a) + arccos(b)).sum(axis=(1, 2))
  docs_transpose_mean  x (10000, 10000) in (1000, 1000): (x + x.T)[::2, 5000:].mean(axis=1)
  anomaly              x (20000, 20000) in (1000, 1000): ((x - x.mean(axis=0)) ** 2).mean()
  global_anomaly       x (20000, 20000) in (1000, 1000): (x - x.mean()).sum()
  rechunk              x (16000, 16000) in (16000, 100): x.rechunk((100, 16000)).sum()
  tiny_chunks          ones (4000, 4000) in (40, 40): (x + 1).sum()
  tiny_chunks_100k     ones (4000, 4000) in (20, 8): (x + 1).sum()

Each line reports: name, seconds (median of --runs, building the expression and computing
it), all_seconds, peak_rss_mib (the workload's own child process), tasks, checksum (sum of
the result as float64), and the settings (input, threads, quick, git commit).

Examples:
  chunkwise bench --quick                      smoke-test every workload at a small size
  chunkwise bench anomaly rechunk --runs 5     time two workloads, median of 5 runs
  chunkwise bench --input det                  checksums comparable with the Dask peer's --det";

/// Arguments of `chunkwise bench`.
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct BenchArgs {
    /// Workloads to run, by name (all when none is given).
    names: Vec<String>,
    /// Timed runs per workload; the median is reported.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    /// Input values: seeded random numbers, or the Dask peer benchmark's exact hash input.
    #[arg(long, value_enum, default_value_t = InputArg::Random)]
    input: InputArg,
    /// Run each workload at a small size (a smoke test, not a measurement).
    #[arg(long)]
    quick: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Memory budget, e.g. 1GiB or 512MB (default: the CHUNKWISE_MEMORY_LIMIT environment variable, else 60% of RAM).
    #[arg(long, value_parser = crate::options::parse_memory_limit)]
    memory_limit: Option<MemoryLimit>,
    /// Allocate every chunk afresh instead of reusing released chunk buffers.
    #[arg(long)]
    no_buffer_pool: bool,
    #[command(flatten)]
    diagnostics: crate::options::DiagnosticsArgs,
    /// Run one workload in this process and print its record (used by the parent process).
    #[arg(long, hide = true)]
    child: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum InputArg {
    /// Seeded uniform random numbers.
    Random,
    /// The integer-hash input of the Dask peer benchmark (`--det` there).
    Det,
}

impl InputArg {
    fn input(self) -> Input {
        match self {
            InputArg::Random => Input::Random,
            InputArg::Det => Input::Det,
        }
    }
    fn name(self) -> &'static str {
        match self {
            InputArg::Random => "random",
            InputArg::Det => "det",
        }
    }
}

pub(crate) fn run(args: &BenchArgs) -> Result<()> {
    if let Some(name) = &args.child {
        let title = format!("chunkwise bench {name}");
        return args.diagnostics.around(&title, || run_child(args, name));
    }
    let names: Vec<&str> = if args.names.is_empty() {
        workloads().iter().map(|w| w.name).collect()
    } else {
        args.names.iter().map(String::as_str).collect()
    };
    for name in &names {
        if find(name).is_none() {
            let known: Vec<&str> = workloads().iter().map(|w| w.name).collect();
            bail!(
                "unknown workload `{name}`; the workloads are: {}",
                known.join(", ")
            );
        }
    }
    // A rank of an MPI job cannot start processes that would join it: the workloads run
    // in this process, one after the other, on every rank.
    if crate::ranks::launched() {
        for name in names {
            run_child(args, name)?;
        }
        return Ok(());
    }
    let exe = std::env::current_exe().context("finding the chunkwise executable")?;
    let several = names.len() > 1;
    let mut failed = 0;
    for name in names {
        let mut cmd = Command::new(&exe);
        cmd.args([
            "bench",
            "--child",
            name,
            "--runs",
            &args.runs.to_string(),
            "--input",
            args.input.name(),
        ]);
        if args.quick {
            cmd.arg("--quick");
        }
        if let Some(t) = args.threads {
            cmd.args(["--threads", &t.to_string()]);
        }
        if let Some(m) = args.memory_limit {
            cmd.args(["--memory-limit", &m.bytes().to_string()]);
        }
        if args.no_buffer_pool {
            cmd.arg("--no-buffer-pool");
        }
        if let Some(report) = &args.diagnostics.report {
            cmd.arg("--report").arg(report_path(report, name, several));
        }
        if let Some(addr) = args.diagnostics.dashboard {
            cmd.args(["--dashboard", &addr.to_string()]);
        }
        let output = cmd
            .output()
            .with_context(|| format!("running workload `{name}`"))?;
        // The child's notes (where its report went, where its dashboard listens).
        for line in String::from_utf8_lossy(&output.stderr).lines() {
            if line.starts_with("chunkwise: report") {
                eprintln!("{line}");
            }
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout.lines().rev().find(|l| l.starts_with('{')) {
            Some(line) if output.status.success() => print_line(line),
            _ => {
                failed += 1;
                let stderr = String::from_utf8_lossy(&output.stderr);
                let tail: String = stderr
                    .chars()
                    .rev()
                    .take(800)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                print_line(&json!({"name": name, "error": format!("exit status {}", output.status), "stderr_tail": tail}).to_string());
            }
        }
    }
    if failed > 0 {
        bail!("{failed} workload(s) failed");
    }
    Ok(())
}

/// Where workload `name`'s report goes: `report` itself when one workload runs, else
/// `report` with `-NAME` before its extension.
fn report_path(report: &Path, name: &str, several: bool) -> PathBuf {
    if !several {
        return report.to_path_buf();
    }
    let stem = report
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let file = match report.extension() {
        Some(ext) => format!("{stem}-{name}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{name}"),
    };
    report.with_file_name(file)
}

fn print_line(line: &str) {
    crate::print_line(line);
}

fn run_child(args: &BenchArgs, name: &str) -> Result<()> {
    let workload = find(name).with_context(|| format!("unknown workload `{name}`"))?;
    let params = WorkloadParams::new(args.input.input()).quick(args.quick);
    let mut options = ComputeOptions::default().buffer_pool(!args.no_buffer_pool);
    // Every timed run is recorded when a report or dashboard is asked for, so the times
    // include recording (writing the report comes after them).
    options = args.diagnostics.observe(options);
    if let Some(n) = args.threads {
        options = options.threads(n as usize);
    }
    if let Some(m) = args.memory_limit {
        options = options.memory_limit(m);
    }
    options = crate::ranks::across(options);
    let memory_limit = match args.memory_limit {
        Some(m) => m,
        None => MemoryLimit::from_env_or_default()?,
    };
    let threads = args
        .threads
        .map_or_else(crate::ranks::threads, |n| n as usize);
    let array = workload.build(&params)?;
    let stats = array.graph_stats()?;
    let chunks = array.chunks().to_string();
    drop(array);
    let mut times = Vec::new();
    let mut checksum = 0.0;
    let mut peak_bytes = 0;
    let mut megabytes = None;
    for _ in 0..args.runs {
        let run = workload
            .run(&params, &options)
            .with_context(|| format!("workload `{name}`"))?;
        times.push(run.seconds);
        checksum = run.checksum;
        peak_bytes = peak_bytes.max(run.peak_bytes);
        megabytes = run.mb_per_s.map(|rate| rate * run.seconds);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let record = json!({
        "name": name,
        "seconds": round4(median),
        "all_seconds": times.iter().map(|&t| round4(t)).collect::<Vec<_>>(),
        "runs": times.len(),
        "peak_rss_mib": crate::peak_rss_mib().map(|m| (m * 10.0).round() / 10.0),
        "tasks": stats.tasks,
        "peak_task_mib": (peak_bytes as f64 / 1_048_576.0 * 10.0).round() / 10.0,
        "checksum": checksum,
        "mb_per_s": megabytes.map(|mb: f64| (mb / median * 10.0).round() / 10.0),
        "input": args.input.name(),
        "threads": threads,
        "memory_limit_mib": memory_limit.bytes() / 1_048_576,
        "buffer_pool": !args.no_buffer_pool,
        "quick": args.quick,
        "result_chunks": chunks,
        "git_commit": env!("CHUNKWISE_GIT_COMMIT"),
    });
    let ranks = crate::ranks::json_fields();
    print_line(&crate::ranks::with_fields(
        &record.to_string(),
        ranks.as_deref(),
    ));
    Ok(())
}

fn round4(t: f64) -> f64 {
    (t * 1e4).round() / 1e4
}
