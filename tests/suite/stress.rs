//! What the memory-limit stress runs share: the short one in `cargo test` (`budget.rs`)
//! and the long one, `examples/budget_stress.rs`, which includes this file by path. The
//! expressions, a deterministic generator to pick cases, and the peak resident memory of
//! a child process.
//!
//! The peak is the child's own high-water mark (`VmHWM` in `/proc/PID/status`), read every
//! millisecond while it runs, once it has become the program (Linux on 64-bit targets;
//! elsewhere no figure). Not `ru_maxrss`, which `wait4` reports when the child ends: it
//! counts the process from its fork, when it still maps the parent's memory, so a child
//! of a test process that holds 300 MiB "peaks" at 300 MiB (measured). The mark is the
//! address space's, which `exec` replaces, so it holds only the program's own pages; if
//! the child ends before one reading, `ru_maxrss` is the (upper-bound) fallback. Its
//! stderr goes to a temporary file, read after it ended, so nothing has to drain a pipe
//! while it runs.

use std::process::{Command, ExitStatus};

/// How a child ended: its status, its peak resident bytes (0 where unknown) and what it
/// wrote to stderr.
pub(crate) struct ChildRun {
    pub(crate) status: ExitStatus,
    pub(crate) peak_rss: u64,
    pub(crate) stderr: String,
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

/// Runs `cmd` to its end and measures it.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub(crate) fn run_measured(cmd: &mut Command) -> ChildRun {
    use std::os::unix::process::ExitStatusExt;
    let log = tempfile::tempfile().expect("a temporary file for the child's stderr");
    let reader = log.try_clone().expect("the file can be shared");
    // The child is reaped by `wait4` below, which `Child::wait` cannot replace: it does
    // not report the child's resource usage.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the child starts");
    let pid = i32::try_from(child.id()).expect("a pid fits i32");
    let program = std::path::Path::new(cmd.get_program())
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(15).collect::<String>())
        .unwrap_or_default();
    let mut status = 0;
    let mut usage = Rusage {
        times: [0; 4],
        maxrss: 0,
        rest: [0; 13],
    };
    let mut high_water: Option<u64> = None;
    loop {
        // The child's own mark, once it runs the program (before `exec` it is still a
        // copy of this process).
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim_end() == program {
            if let Some(kib) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|text| {
                    let line = text.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                })
            {
                high_water = Some(high_water.unwrap_or(0).max(kib * 1024));
            }
        }
        // SAFETY: `wait4` writes only to the two pointers it is given, which point to
        // live values of the C layout it expects and outlive the call.
        #[allow(unsafe_code)]
        let r = unsafe {
            wait4(pid, &raw mut status, 1 /* WNOHANG */, &raw mut usage)
        };
        if r == pid {
            break;
        }
        assert_eq!(r, 0, "wait4");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let peak = high_water.unwrap_or_else(|| u64::try_from(usage.maxrss).unwrap_or(0) * 1024);
    let mut stderr = String::new();
    let mut reader = reader;
    std::io::Seek::rewind(&mut reader).expect("the log can be read again");
    std::io::Read::read_to_string(&mut reader, &mut stderr).ok();
    ChildRun {
        status: ExitStatus::from_raw(status),
        peak_rss: peak,
        stderr,
    }
}

/// Runs `cmd` to its end; no peak figure off Linux.
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub(crate) fn run_measured(cmd: &mut Command) -> ChildRun {
    let out = cmd.output().expect("the child runs");
    ChildRun {
        status: out.status,
        peak_rss: 0,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A small deterministic generator for the stress cases.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    /// The next number below `n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Expressions over a square `x` of side `n`, each with a small result: rechunks across
/// the chunks, a transpose added to its input, reductions broadcast back.
pub(crate) fn expressions(n: usize) -> Vec<String> {
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
