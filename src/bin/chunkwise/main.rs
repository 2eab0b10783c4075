//! The `chunkwise` command line: argument parsing and printing only; everything it does is
//! a library call.

mod bench;
mod demo;
mod eval;
mod eval_cmd;
mod info;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Chunked n-dimensional array computation, native to Zarr.
///
/// Start with `chunkwise demo`, which runs a small pipeline on generated data and shows
/// what chunkwise computed and how long it took.
#[derive(Parser, Debug)]
#[command(name = "chunkwise", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs a small end-to-end pipeline on generated data and prints what it computed.
    Demo(demo::DemoArgs),
    /// Times the standard workloads, one JSON line each (see `chunkwise bench --help`).
    Bench(bench::BenchArgs),
    /// Evaluates a NumPy-like expression over generated inputs and prints the result
    /// (see `chunkwise eval --help` for the language, the inputs and examples).
    Eval(eval_cmd::EvalArgs),
    /// Shows a Zarr array's shape, dtype, chunks and attributes without reading its data.
    Info(info::InfoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Eval(args) => eval_cmd::run(&args),
        Command::Info(args) => info::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // An expression error is already a full report: message, text and carets.
            match e.downcast_ref::<eval::ExprError>() {
                Some(expr) => eprintln!("{expr}"),
                None => eprintln!("chunkwise: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`), if known.
pub(crate) fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Prints one line on standard output; a closed pipe (`chunkwise bench | head -1`) ends
/// the program quietly instead of panicking.
pub(crate) fn print_line(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("chunkwise: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
