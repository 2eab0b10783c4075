//! The memory limit under stress: random expressions over large generated inputs and
//! stored rechunks, each run in a child process under a random budget, with the child's
//! peak resident memory (`wait4`'s `ru_maxrss`) compared with the budget.
//!
//! `cargo run --release --example budget_stress [CASES] [SEED]` (default 24 cases, seed 1).
//! Prints one line per case and a summary: the largest peak over its budget must stay
//! under the allowance of 64 MiB (the runtime, thread stacks, allocator slack, decoded
//! storage chunks), or the run exits with status 1. Linux only (it reads `ru_maxrss`).
//! The figures of a run are in BENCHMARKS.md ("Memory limit under stress"); the short
//! version runs in `cargo test` (tests/suite/budget.rs).

#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use chunkwise::lang;

#[path = "../tests/suite/stress.rs"]
mod stress;
use chunkwise::zarr::{self, ZarrWriteOptions};
use chunkwise::{ComputeOptions, MemoryLimit};
use stress::{expressions, run_measured, Lcg};

/// What a process may hold beyond its budget.
const ALLOWANCE: u64 = 64 << 20;

const MIB: u64 = 1 << 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        // The error as the CLI would print it, and the CLI's status for a refusal.
        if let Err(e) = child(&args[2..]) {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
        return Ok(());
    }
    let cases: usize = args.get(1).map_or(Ok(24), |s| s.parse())?;
    let mut rng = Lcg(args.get(2).map_or(Ok(1), |s| s.parse())?);
    let dir = tempfile::tempdir()?;
    let stored = dir.path().join("squares.zarr");
    println!("writing a stored 8192x8192 float64 array in 1024x1024 chunks (512 MiB)...");
    chunkwise::random::uniform::<f64>(&[8192, 8192], [1024, 1024], 3)
        .to_zarr(&ZarrWriteOptions::new(&stored).chunk_shape([1024, 1024]))?
        .run()?;

    let mut plan: Vec<Vec<String>> = Vec::new();
    // The issue's own cases first.
    let big = "x=random:65536x8192:chunks=auto:seed=1"; // 4 GiB
    plan.push(eval_case("x.rechunk((65536, 16)).mean(axis=0)", big, 256));
    plan.push(eval_case("(x[:8192] + x[:8192].T).sum(axis=0)", big, 256));
    for chunks in ["8192,16", "16,8192", "1024,1024"] {
        plan.push(rechunk_case(&stored, chunks, 64));
    }
    let shapes = [(8192usize, "512 MiB"), (16384, "2 GiB")];
    while plan.len() < cases {
        let (n, _) = shapes[rng.below(shapes.len() as u64) as usize];
        let c = [512usize, 1024, 2048][rng.below(3) as usize];
        let exprs = expressions(n);
        let expr = &exprs[rng.below(exprs.len() as u64) as usize];
        let budget = [64u64, 128, 256, 512][rng.below(4) as usize];
        if rng.below(4) == 0 {
            let chunks = ["8192,8", "8,8192", "512,2048", "2048,512"][rng.below(4) as usize];
            plan.push(rechunk_case(&stored, chunks, budget));
        } else {
            let input = format!("x=random:{n}x{n}:chunks={c}x{c}:seed={}", plan.len());
            plan.push(eval_case(expr, &input, budget));
        }
    }
    plan.truncate(cases.max(5));

    let exe = std::env::current_exe()?;
    let mut worst: Option<(i64, String)> = None;
    let (mut ran, mut refused) = (0, 0);
    println!(
        "{:>4} {:>8} {:>9} {:>9} {:>7}  case",
        "#", "budget", "peak RSS", "over", "secs"
    );
    for (i, case) in plan.iter().enumerate() {
        let budget: u64 = case[1].parse::<u64>()? * MIB;
        let start = Instant::now();
        let run = run_measured(Command::new(&exe).arg("--child").args(case));
        let (ok, rss, stderr) = (run.status.success(), run.peak_rss, run.stderr);
        let secs = start.elapsed().as_secs_f64();
        let over = rss as i64 - budget as i64;
        let label = format!("{} {}", case[0], case[2..].join(" "));
        if ok {
            ran += 1;
        } else {
            refused += 1;
        }
        println!(
            "{i:>4} {:>4} MiB {:>5} MiB {:>5} MiB {secs:>7.1}  {label}{}",
            budget / MIB,
            rss / MIB,
            over / MIB as i64,
            if ok {
                String::new()
            } else {
                format!("  REFUSED: {}", stderr.trim())
            }
        );
        if worst.as_ref().is_none_or(|(w, _)| over > *w) {
            worst = Some((over, label));
        }
    }
    let (over, label) = worst.unwrap_or((0, String::new()));
    println!(
        "{} cases ({ran} ran, {refused} refused), budgets 64-512 MiB; largest peak over \
         budget: {} MiB ({label}); allowance {} MiB",
        plan.len(),
        over / MIB as i64,
        ALLOWANCE / MIB
    );
    if over > ALLOWANCE as i64 {
        std::process::exit(1);
    }
    Ok(())
}

fn eval_case(expr: &str, input: &str, budget_mib: u64) -> Vec<String> {
    vec![
        "eval".into(),
        budget_mib.to_string(),
        expr.into(),
        input.into(),
    ]
}

fn rechunk_case(stored: &Path, chunks: &str, budget_mib: u64) -> Vec<String> {
    vec![
        "rechunk".into(),
        budget_mib.to_string(),
        stored.display().to_string(),
        chunks.into(),
    ]
}

/// Runs one case in this (child) process.
fn child(case: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let budget = MemoryLimit::from_bytes(case[1].parse::<u64>()? * MIB);
    let options = ComputeOptions::default().memory_limit(budget);
    match case[0].as_str() {
        "eval" => {
            let mut inputs = lang::Inputs::new();
            let (name, spec) = case[3].split_once('=').ok_or("NAME=SPEC")?;
            inputs.try_insert(name, lang::input(spec)?)?;
            let y = lang::eval(&case[2], &inputs)?;
            let r = chunkwise::DynArray::compute_many_with(&[y], &options)?;
            std::hint::black_box(r);
        }
        "rechunk" => {
            let input = zarr::open_array(&case[2])?;
            let chunks: Vec<usize> = case[3]
                .split(',')
                .map(str::parse)
                .collect::<Result<_, _>>()?;
            let out = tempfile::tempdir()?;
            let options_w = ZarrWriteOptions::new(out.path().join("out.zarr")).chunk_shape(chunks);
            zarr::create_zarr(&input.to_dyn(None)?, &options_w)?.run_with(&options)?;
        }
        other => return Err(format!("unknown case {other}").into()),
    }
    Ok(())
}
