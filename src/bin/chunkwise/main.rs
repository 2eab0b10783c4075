//! The `chunkwise` command line: argument parsing and printing only; everything it does is
//! a library call.

mod bench;
mod copy;
mod demo;
mod eval_cmd;
mod info;
mod options;
mod ranks;
mod stats;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Chunked n-dimensional array computation, native to Zarr.
///
/// Start with `chunkwise demo`, which writes a generated dataset to Zarr, computes an
/// anomaly pipeline from it into a second store, and shows what it computed and how long
/// it took. Every command reads Zarr v2 and v3 arrays (a path to the array's directory)
/// chunk by chunk, so datasets larger than memory stream through; `chunkwise COMMAND
/// --help` explains each, with examples.
#[derive(Parser, Debug)]
#[command(name = "chunkwise", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Tries of each request to a remote store (s3://, http(s)://) before its error is
    /// reported: transient failures (HTTP 429 and 5xx, timeouts, resets) are retried with
    /// exponential backoff and jitter.
    #[arg(long, global = true, default_value_t = chunkwise::zarr::DEFAULT_IO_ATTEMPTS,
          value_parser = clap::value_parser!(u32).range(1..))]
    io_attempts: u32,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Writes a generated dataset to Zarr, computes an anomaly from it into a second store,
    /// and prints what it computed.
    Demo(demo::DemoArgs),
    /// Shows the groups and arrays of a Zarr store: shape, dtype, chunks, shards, codecs,
    /// fill value, stored size and compression ratio (reads no data).
    Info(info::InfoArgs),
    /// Count, min, max, mean, std and NaN count of a Zarr array, overall or along an axis.
    Stats(stats::StatsArgs),
    /// Evaluates a NumPy-like expression over Zarr arrays or generated inputs; prints the
    /// result or writes it to Zarr (see `chunkwise eval --help` for the language).
    Eval(eval_cmd::EvalArgs),
    /// Copies a Zarr array into a new one with other storage chunks (and shards).
    Rechunk(copy::RechunkArgs),
    /// Copies a Zarr array or group into a new v3 store with another codec (v2 to v3, too).
    Convert(copy::ConvertArgs),
    /// Times the standard workloads, one JSON line each (see `chunkwise bench --help`).
    Bench(bench::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Under mpirun or srun (built with the `mpi` feature), join the job: every rank runs
    // this same command on its share of the tasks.
    #[cfg(feature = "mpi")]
    let mpi = match chunkwise::mpi::init() {
        Ok(mpi) => mpi,
        Err(e) => {
            eprintln!("chunkwise: {e}");
            return ExitCode::from(2);
        }
    };
    // The report's title: the command as typed.
    let title = std::iter::once("chunkwise".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    chunkwise::zarr::set_io_attempts(cli.io_attempts);
    let result = match cli.command {
        Command::Demo(args) => args.run.diagnostics.around(&title, || demo::run(&args)),
        Command::Info(args) => info::run(&args),
        Command::Stats(args) => args.run.diagnostics.around(&title, || stats::run(&args)),
        Command::Eval(args) => args.run.diagnostics.around(&title, || eval_cmd::run(&args)),
        Command::Rechunk(args) => args.run.diagnostics.around(&title, || copy::rechunk(&args)),
        Command::Convert(args) => args.run.diagnostics.around(&title, || copy::convert(&args)),
        Command::Bench(args) => bench::run(&args),
    };
    let failure = result.err().map(|e| error_text(&e));
    // Every rank learns whether any failed; the error is printed once, by rank 0.
    #[cfg(feature = "mpi")]
    let failure = mpi
        .conclude(failure.as_deref())
        .map(|(rank, message)| match failure {
            Some(own) => own,
            None => format!("chunkwise: rank {rank} of {}: {message}", mpi.size()),
        });
    match failure {
        None => ExitCode::SUCCESS,
        Some(text) => {
            if ranks::leads() {
                eprintln!("{text}");
            }
            ExitCode::from(2)
        }
    }
}

/// What the command prints for error `e`.
fn error_text(e: &anyhow::Error) -> String {
    // An expression error is already a full report: message, text and carets.
    match (
        e.downcast_ref::<chunkwise::lang::Error>(),
        e.downcast_ref::<chunkwise::Error>(),
    ) {
        (Some(expr), _) => expr.to_string(),
        // The library's advice names its API; on the command line it is a flag.
        (_, Some(chunkwise::Error::AlreadyExists { path })) => format!(
            "chunkwise: `{path}` already exists; pass --overwrite to replace it, or choose \
             another output path"
        ),
        _ => format!("chunkwise: {}", full_message(e)),
    }
}

/// The error and its sources, outermost first: each layer's message states only its own
/// layer, so every cause appears once.
fn full_message(e: &anyhow::Error) -> String {
    e.chain()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`), if known.
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Prints one line on standard output (from rank 0 alone, in an MPI job); a closed pipe
/// (`chunkwise bench | head -1`) ends the program quietly instead of panicking.
pub(crate) fn print_line(line: &str) {
    use std::io::Write;
    if !ranks::leads() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("chunkwise: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
