//! Under `mpirun -np 3` (feature `mpi`): the command line and `examples/mpi.rs` give
//! what one process gives (reductions, axis reductions, slices, rechunks, Zarr writes
//! byte for byte), every rank runs tasks, and failures stop every rank with the error
//! printed once: a missing input, a panicking user function, a rank killed with SIGKILL.
//!
//! Needs `mpirun` (`OpenMPI`) on PATH and the example built:
//! `cargo build --features mpi --example mpi` (as `.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const RANKS: &str = "3";
/// Longest any of these jobs may take: a hang fails the test instead of stalling CI.
const TIMEOUT: Duration = Duration::from_secs(120);

fn chunkwise() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_chunkwise"))
}

/// `target/<profile>/examples/mpi`, beside the binary.
fn example() -> PathBuf {
    let path = chunkwise()
        .parent()
        .expect("the binary's directory")
        .join("examples/mpi");
    assert!(
        path.is_file(),
        "{} is missing: build it first with `cargo build --features mpi --example mpi`",
        path.display()
    );
    path
}

/// `mpirun` on loopback TCP and shared memory, as root if need be, 3 ranks on any
/// number of cores.
fn mpirun(program: &Path, args: &[&str]) -> Command {
    assert!(
        crate::support::on_path("mpirun"),
        "mpirun is not on PATH: install OpenMPI (apt install openmpi-bin libopenmpi-dev)"
    );
    let mut cmd = Command::new("mpirun");
    cmd.args(["--oversubscribe", "--allow-run-as-root", "-np", RANKS])
        .args(["--mca", "btl", "self,vader,tcp"])
        .args([
            "--mca",
            "btl_tcp_if_include",
            "lo",
            "--mca",
            "oob_tcp_if_include",
            "lo",
        ])
        .arg(program)
        .args(args);
    cmd
}

/// Runs `cmd` to its end, failing the test if it takes longer than [`TIMEOUT`].
fn finish(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the job");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("waiting for the job").is_some() {
            return child.wait_with_output().expect("reading the job's output");
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let out = child.wait_with_output().expect("reading the job's output");
            panic!(
                "the job hung for {TIMEOUT:?}; stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn alone(program: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args);
    finish(cmd)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed with {}: {}",
        out.status,
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn the_example_computes_exactly_what_one_process_computes_and_every_rank_works() {
    let single = ok(&alone(&example(), &[]));
    let job = ok(&finish(mpirun(&example(), &[])));
    let results = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("ranks:"))
            .map(str::to_string)
            .collect()
    };
    // sum, mean along an axis, std of a strided slice, a slice, a rechunk: same bits.
    assert_eq!(results(&job), results(&single));
    assert_eq!(results(&job).len(), 5, "{job}");
    let ranks = job.lines().find(|l| l.starts_with("ranks: 3")).expect(&job);
    let counts: Vec<u64> = ranks
        .split('[')
        .nth(1)
        .unwrap()
        .trim_end_matches(']')
        .split(", ")
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(counts.len(), 3);
    assert!(counts.iter().all(|&n| n > 0), "{ranks}");
}

#[test]
fn eval_json_prints_one_result_from_rank_zero_with_the_ranks_share() {
    let args = [
        "eval",
        "std(x, axis=1)[::50]",
        "--input",
        "x=random:3000x2000:chunks=500x400:seed=4",
        "--json",
    ];
    let single: serde_json::Value =
        serde_json::from_str(ok(&alone(&chunkwise(), &args)).trim()).unwrap();
    let job = ok(&finish(mpirun(&chunkwise(), &args)));
    assert_eq!(job.lines().count(), 1, "one line, from rank 0: {job}");
    let job: serde_json::Value = serde_json::from_str(job.trim()).unwrap();
    assert_eq!(job["values"], single["values"]);
    assert_eq!(job["shape"], single["shape"]);
    assert_eq!(job["ranks"], 3);
    let tasks = job["tasks_per_rank"].as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    assert!(tasks.iter().all(|n| n.as_u64().unwrap() > 0), "{job}");
    let sent = job["bytes_sent_per_rank"].as_array().unwrap();
    assert!(sent.iter().all(|n| n.as_u64().unwrap() > 0), "{job}");
}

/// Every file under `dir`, by relative path, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    crate::support::files_under(dir)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path.strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

#[test]
fn zarr_writes_and_rechunks_are_byte_equal_to_one_process() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let write = |out: &str| {
        vec![
            "eval".to_string(),
            "(x - mean(x, axis=0)) / std(x, axis=0)".into(),
            "--input".into(),
            "x=random:1100x900:chunks=200x300:seed=9".into(),
            "--output".into(),
            out.to_string(),
            "--chunks".into(),
            "250,250".into(),
        ]
    };
    let strs = |v: &[String]| v.iter().map(String::clone).collect::<Vec<String>>();
    let run_alone = |v: Vec<String>| {
        let v = strs(&v);
        ok(&alone(
            &chunkwise(),
            &v.iter().map(String::as_str).collect::<Vec<_>>(),
        ))
    };
    let run_job = |v: Vec<String>| {
        ok(&finish(mpirun(
            &chunkwise(),
            &v.iter().map(String::as_str).collect::<Vec<_>>(),
        )))
    };
    run_alone(write(&p("one.zarr")));
    let printed = run_job(write(&p("three.zarr")));
    assert_eq!(printed.lines().count(), 1, "{printed}");
    let one = tree(&dir.path().join("one.zarr"));
    assert!(one.len() > 10);
    assert_eq!(one, tree(&dir.path().join("three.zarr")));
    // A rechunk of it, by the `rechunk` command.
    let rechunk = |from: &str, to: &str| {
        vec![
            "rechunk".to_string(),
            from.into(),
            to.into(),
            "--chunks".into(),
            "1100,90".into(),
        ]
    };
    run_alone(rechunk(&p("one.zarr"), &p("r1.zarr")));
    run_job(rechunk(&p("three.zarr"), &p("r3.zarr")));
    assert_eq!(
        tree(&dir.path().join("r1.zarr")),
        tree(&dir.path().join("r3.zarr"))
    );

    // A job that stopped half way: chunks lost, one torn; --resume writes what is
    // missing, and the store is again what one process writes.
    let chunks: Vec<PathBuf> = one
        .iter()
        .map(|(path, _)| path.clone())
        .filter(|path| path.starts_with("c"))
        .collect();
    let three = dir.path().join("three.zarr");
    std::fs::remove_file(three.join(&chunks[0])).unwrap();
    std::fs::remove_file(three.join(&chunks[5])).unwrap();
    let torn = three.join(&chunks[3]);
    let bytes = std::fs::read(&torn).unwrap();
    std::fs::write(&torn, &bytes[..bytes.len() / 2]).unwrap();
    let mut resume = write(&p("three.zarr"));
    resume.push("--resume".into());
    let printed = run_job(resume);
    let kept = format!("kept {} of {}", chunks.len() - 3, chunks.len());
    assert!(
        printed.contains("wrote 3,") && printed.contains(&kept),
        "{printed}"
    );
    assert_eq!(one, tree(&three));
}

#[test]
fn a_group_converts_as_one_process_converts_it_and_an_existing_output_is_refused_once() {
    use chunkwise::zarr::{create_group, ZarrWriteOptions};
    let dir = tempfile::tempdir().unwrap();
    let group = dir.path().join("g.zarr");
    create_group(&group, "/", serde_json::Map::new()).unwrap();
    let x = chunkwise::random::uniform::<f64>(&[300, 200], [100, 90], 3);
    x.to_zarr(&ZarrWriteOptions::new(&group).array_path("a"))
        .unwrap()
        .run()
        .unwrap();
    create_group(&group, "/sub", serde_json::Map::new()).unwrap();
    (&x * 2.0)
        .to_zarr(&ZarrWriteOptions::new(&group).array_path("sub/b"))
        .unwrap()
        .run()
        .unwrap();
    let p = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let convert = |out: &str| {
        [
            "convert".to_string(),
            p("g.zarr"),
            out.to_string(),
            "--codec".into(),
            "gzip:3".into(),
        ]
    };
    let one = convert(&p("one.zarr"));
    ok(&alone(
        &chunkwise(),
        &one.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    let three = convert(&p("three.zarr"));
    let three: Vec<&str> = three.iter().map(String::as_str).collect();
    ok(&finish(mpirun(&chunkwise(), &three)));
    assert_eq!(
        tree(&dir.path().join("one.zarr")),
        tree(&dir.path().join("three.zarr"))
    );
    let again = finish(mpirun(&chunkwise(), &three));
    assert!(!again.status.success());
    assert_eq!(
        count(&text(&again.stderr), "already exists"),
        1,
        "{}",
        text(&again.stderr)
    );
}

/// The lines of `stderr` that contain `needle`.
fn count(stderr: &str, needle: &str) -> usize {
    stderr.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn a_missing_input_stops_every_rank_with_the_error_printed_once() {
    let out = finish(mpirun(
        &chunkwise(),
        &[
            "eval",
            "sum(x)",
            "--input",
            "x=/no/such/array.zarr",
            "--json",
        ],
    ));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert_eq!(count(&stderr, "/no/such/array.zarr"), 1, "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_panicking_user_function_stops_every_rank_naming_the_task() {
    let out = finish(mpirun(&example(), &["panic"]));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert_eq!(count(&stderr, "mpi: rank"), 1, "{stderr}");
    assert!(
        stderr.contains("`explode`") && stderr.contains("panicked on block [3, 2]"),
        "{stderr}"
    );
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: the fields after the command's closing parenthesis.
        let after = stat.rsplit(')').next().unwrap_or("");
        if after.split_whitespace().nth(1) == Some(&pid.to_string()) {
            found.push(p);
        }
    }
    found
}

#[test]
fn a_rank_killed_with_sigkill_stops_the_job() {
    let mut cmd = mpirun(
        &chunkwise(),
        &[
            "eval",
            "sum(sin(x) * cos(x))",
            "--input",
            "x=random:40000x40000:chunks=1000x1000",
            "--json",
        ],
    );
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let ranks = loop {
        let ranks: Vec<u32> = children(child.id())
            .into_iter()
            .filter(|&p| {
                std::fs::read_to_string(format!("/proc/{p}/cmdline"))
                    .is_ok_and(|c| c.contains("chunkwise"))
            })
            .collect();
        if ranks.len() == 3 || start.elapsed() > Duration::from_secs(30) {
            break ranks;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(ranks.len(), 3, "the three ranks did not start");
    std::thread::sleep(Duration::from_millis(1500));
    let killed = Command::new("kill")
        .args(["-9", &ranks[1].to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "the job succeeded without one rank");
            break;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "the job hung after a rank was killed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}
