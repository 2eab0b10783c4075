//! The memory limit is a promise (issue 10, item 2): a computation either fits the budget
//! or is refused before it runs, and a refused write leaves nothing behind.
//!
//! - stored arrays rechunked across their chunks (rows to columns and back) under a budget
//!   that holds about one input chunk and one output chunk, through the library and
//!   `chunkwise rechunk`, with results equal to the input and projected peaks under the
//!   budget;
//! - refused writes (library and command line) leave no `zarr.json`, no directory;
//! - a short stress run: random expressions over generated inputs in child processes of
//!   the `chunkwise` binary, under random budgets, whose peak resident memory
//!   (`wait4`'s `ru_maxrss`) stays under the budget plus [`ALLOWANCE`]. The long version
//!   is `cargo run --release --example budget_stress` (figures in BENCHMARKS.md).

use std::path::Path;
use std::process::Command;

use chunkwise::zarr::{open_array, ZarrWriteOptions};
use chunkwise::{ComputeOptions, Error, MemoryLimit};

use crate::stress::{expressions, run_measured, ChildRun, Lcg};

/// What a process may hold beyond the budget: the runtime, the binary, thread stacks,
/// allocator slack, zarrs' decoded storage chunks and the codec's buffers.
pub(crate) const ALLOWANCE: u64 = 64 << 20;

fn limit(bytes: u64) -> ComputeOptions {
    ComputeOptions::default().memory_limit(MemoryLimit::from_bytes(bytes))
}

/// The projected peak that `explain` prints ("projected peak 1.50 MiB ...").
fn projected_peak(explain: &str) -> u64 {
    let at = explain
        .find("projected peak ")
        .expect("explain prints the peak")
        + 15;
    let words: Vec<&str> = explain[at..].split_whitespace().take(2).collect();
    words
        .join(" ")
        .parse::<MemoryLimit>()
        .unwrap_or_else(|_| panic!("a size: {words:?}"))
        .bytes()
}

/// A stored 2048x2048 float64 array in 256x256 chunks (512 KiB each), of random values.
fn stored_squares(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("in.zarr");
    chunkwise::random::uniform::<f64>(&[2048, 2048], [512, 512], 7)
        .to_zarr(&ZarrWriteOptions::new(&path).chunk_shape([256, 256]))
        .unwrap()
        .run()
        .unwrap();
    path
}

#[test]
fn stored_rechunks_across_chunks_fit_a_budget_of_a_few_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = stored_squares(dir.path());
    let z = open_array(&path).unwrap();
    let budget = 4u64 << 20;
    // A maximum over each column: exact in any order of blocks, and a result of 16 KiB,
    // so the budget is the rechunk's (the whole array, 32 MiB, is far over it).
    let want = z.to_dyn(None).unwrap().max(0).compute().unwrap();
    for target in [[2048, 4], [4, 2048]] {
        let x = z.to_dyn(None).unwrap().rechunk(target.to_vec()).max(0);
        let explain = x.explain_with(&limit(budget)).unwrap();
        assert!(!explain.contains("refused"), "{target:?}:\n{explain}");
        let peak = projected_peak(&explain);
        assert!(peak <= budget, "{target:?}: projected {peak}\n{explain}");
        let got = chunkwise::DynArray::compute_many_with(&[x], &limit(budget))
            .unwrap()
            .remove(0);
        assert_eq!(got, want, "{target:?}");
    }
    // The whole array as one block does not fit: refused before running.
    let whole = z.to_dyn(None).unwrap().rechunk(vec![2048, 2048]);
    let err = chunkwise::DynArray::compute_many_with(&[whole], &limit(budget)).unwrap_err();
    assert!(
        matches!(err, Error::TaskTooLarge { .. } | Error::PlanTooLarge { .. }),
        "{err}"
    );
}

#[test]
fn rechunk_columns_to_rows_of_a_computed_array_is_refused_or_fits() {
    // A computed intermediate cannot be read again: its split stage holds input blocks.
    // The plan must either fit (projected peak under the budget) or be refused.
    let x = chunkwise::random::uniform::<f64>(&[1024, 1024], [1024, 16], 1);
    let y = (&x + 1.0).rechunk(vec![16, 1024]).sum(..);
    let budget = 2u64 << 20;
    let explain = y.explain_with(&limit(budget)).unwrap();
    match y.compute_scalar_with(&limit(budget)) {
        Ok(v) => {
            assert!(projected_peak(&explain) <= budget, "{explain}");
            let want = (&x + 1.0).sum(..).compute_scalar().unwrap();
            assert!((v - want).abs() <= 1e-9 * want.abs(), "{v} {want}");
        }
        Err(e) => {
            assert!(explain.contains("refused"), "{explain}");
            assert!(
                matches!(e, Error::PlanTooLarge { .. } | Error::TaskTooLarge { .. }),
                "{e}"
            );
            assert!(e.to_string().contains("memory limit"), "{e}");
        }
    }
}

#[test]
fn a_refused_write_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let x = chunkwise::ones::<f64>(&[256, 256], [256, 256]);
    // A new store.
    let path = dir.path().join("out.zarr");
    let write = x.to_zarr(&ZarrWriteOptions::new(&path)).unwrap();
    assert!(
        path.join("zarr.json").exists(),
        "metadata is written with the write"
    );
    let err = write.run_with(&limit(64 << 10)).unwrap_err();
    assert!(matches!(err, Error::TaskTooLarge { .. }), "{err}");
    assert!(!path.exists(), "a refused write left {}", path.display());
    // An array inside an existing store, under groups that did not exist.
    let store = dir.path().join("store.zarr");
    std::fs::create_dir(&store).unwrap();
    let nested = ZarrWriteOptions::new(&store).array_path("a/b");
    let write = x.to_zarr(&nested).unwrap();
    assert!(store.join("zarr.json").exists() && store.join("a/b/zarr.json").exists());
    write.run_with(&limit(64 << 10)).unwrap_err();
    let left: Vec<_> = std::fs::read_dir(&store).unwrap().collect();
    assert!(left.is_empty(), "left {left:?}");
    // The same write under a budget that fits writes the array, and it stays.
    x.to_zarr(&ZarrWriteOptions::new(&path))
        .unwrap()
        .run_with(&limit(64 << 20))
        .unwrap();
    let back = open_array(&path)
        .unwrap()
        .to_dyn(None)
        .unwrap()
        .compute()
        .unwrap();
    assert_eq!(back.sum_f64(), 65536.0);
}

fn chunkwise_cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the chunkwise binary runs")
}

#[test]
fn cli_rechunk_across_chunks_under_a_small_limit_and_back() {
    // See issue 10: 1024x1024 chunks to 8192,16 under 64MiB was refused, suggesting
    // chunks larger than the input's; here the same geometry at 1/16 of the bytes.
    let dir = tempfile::tempdir().unwrap();
    let input = stored_squares(dir.path());
    let want = open_array(&input)
        .unwrap()
        .to_dyn(None)
        .unwrap()
        .compute()
        .unwrap();
    let mut from = input.clone();
    for (i, chunks) in ["2048,4", "4,2048", "256,256"].iter().enumerate() {
        let out = dir.path().join(format!("out{i}.zarr"));
        let run = chunkwise_cli(&[
            "rechunk",
            from.to_str().unwrap(),
            out.to_str().unwrap(),
            "--chunks",
            chunks,
            "--memory-limit",
            "4MiB",
            "--no-progress",
        ]);
        assert!(
            run.status.success(),
            "{chunks}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let z = open_array(&out).unwrap();
        let expected: Vec<usize> = chunks.split(',').map(|c| c.parse().unwrap()).collect();
        assert_eq!(z.chunk_shape(), expected.as_slice());
        assert_eq!(z.to_dyn(None).unwrap().compute().unwrap(), want, "{chunks}");
        from = out;
    }
    // Refused (one 512 KiB chunk cannot fit 64 KiB): nothing written.
    let out = dir.path().join("refused.zarr");
    let run = chunkwise_cli(&[
        "rechunk",
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        "--chunks",
        "2048,4",
        "--memory-limit",
        "64KiB",
        "--no-progress",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("memory limit"), "{stderr}");
    assert!(!out.exists(), "a refused rechunk left {}", out.display());
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
#[test]
fn random_expressions_stay_under_their_budgets() {
    let n = 4096; // 128 MiB of float64
    let mut rng = Lcg(10);
    let exprs = expressions(n);
    let mut worst = i64::MIN;
    for case in 0..4 {
        let expr = &exprs[rng.below(exprs.len() as u64) as usize];
        let chunk = [256, 512, 1024][rng.below(3) as usize];
        let budget: u64 = [32u64, 48, 64, 96][rng.below(4) as usize] << 20;
        let input = format!("x=random:{n}x{n}:chunks={chunk}x{chunk}:seed={case}");
        let limit = budget.to_string();
        let ChildRun {
            status,
            peak_rss: rss,
            stderr,
        } = run_measured(
            Command::new(env!("CARGO_BIN_EXE_chunkwise"))
                .args(["eval", expr, "--input", &input, "--memory-limit", &limit])
                .args(["--no-progress", "--max-elements", "100000"]),
        );
        let over = rss as i64 - budget as i64;
        worst = worst.max(over);
        if status.success() {
            assert!(
                rss <= budget + ALLOWANCE,
                "`{expr}` ({input}) peaked at {} MiB under a {} MiB limit",
                rss >> 20,
                budget >> 20
            );
        } else {
            // Refused before running: the message says what does not fit.
            assert!(stderr.contains("memory limit"), "`{expr}`: {stderr}");
            assert!(rss <= ALLOWANCE, "refused, yet {} MiB resident", rss >> 20);
        }
    }
    assert!(worst <= ALLOWANCE as i64);
}
