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
use chunkwise::zarr::{self, ZarrWriteOptions};
use chunkwise::{ComputeOptions, MemoryLimit};

/// What a process may hold beyond its budget.
const ALLOWANCE: u64 = 64 << 20;

const MIB: u64 = 1 << 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--child") {
        return child(&args[2..]);
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
        let (ok, rss, stderr) = peak_rss(Command::new(&exe).arg("--child").args(case));
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

/// Expressions over a square `x` of side `n`, each with a small result.
fn expressions(n: usize) -> Vec<String> {
    let h = n / 2;
    vec![
        format!("x.rechunk(({n}, 16)).mean(axis=0)"),
        format!("x.rechunk((16, {n})).sum(axis=1)"),
        format!("(x[:{h}] + x[:{h}].T).sum(axis=0)"),
        "(x - x.mean(axis=0)).std(axis=0)".into(),
        "(x + x.T).max(axis=1)".into(),
        format!("x.rechunk(({h}, 8)).rechunk((8, {h})).min(axis=0)"),
        "(sin(x) * x.mean(axis=1, keepdims=True)).sum(axis=0)".into(),
    ]
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

/// `struct rusage` of Linux on 64-bit targets: two `timeval`s, then `long`s, the first
/// of which is `ru_maxrss` (KiB).
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[repr(C)]
struct Rusage {
    times: [i64; 4],
    maxrss: i64,
    rest: [i64; 13],
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[allow(unsafe_code)]
unsafe extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut Rusage) -> i32;
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
/// Runs `cmd` and returns whether it succeeded, its peak resident bytes and its stderr.
fn peak_rss(cmd: &mut Command) -> (bool, u64, String) {
    use std::os::unix::process::ExitStatusExt;
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the child starts");
    let pid = child.id() as i32;
    let mut stderr = child.stderr.expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let mut status = 0;
    let mut usage = Rusage {
        times: [0; 4],
        maxrss: 0,
        rest: [0; 13],
    };
    // SAFETY: `wait4` writes only to the two pointers it is given, which point to live
    // values of the C layout it expects and outlive the call.
    #[allow(unsafe_code)]
    let r = unsafe { wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let text = reader.join().unwrap_or_default();
    let ok = std::process::ExitStatus::from_raw(status).success();
    (ok, usage.maxrss as u64 * 1024, text)
}

/// Elsewhere: no peak figure (the example measures on Linux only).
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn peak_rss(cmd: &mut Command) -> (bool, u64, String) {
    let out = cmd.output().expect("the child runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success(), 0, stderr)
}

/// A small deterministic generator for the cases.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}
