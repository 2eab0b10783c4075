//! Diagnostics: the task events, the recorder, the HTML report (loaded in headless
//! Chromium, which must draw one bar per task and the memory curve without a script
//! error), the live dashboard (polled while a computation runs, gone after it), and the
//! `--report` and `--dashboard` flags of the command line.
//!
//! The browser tests skip themselves when Chromium is not installed, unless
//! `CHUNKWISE_REQUIRE_BROWSER` is set (CI installs Debian's `chromium` and sets it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chunkwise::diagnostics::Recorder;
use chunkwise::{ComputeOptions, Error, Observer, RunEnd, RunStart, TaskFinish};
use serde_json::Value;

use crate::support::{free_port, http_request};

/// A run's start, as received.
struct Started {
    tasks: usize,
    workers: usize,
    budget: u64,
    layers: Vec<String>,
}

/// A task's finish, as received.
struct Finished {
    task: u32,
    layer: u32,
    op: String,
    block: Vec<usize>,
    worker: usize,
    start: Duration,
    end: Duration,
    bytes: u64,
    live: u64,
}

/// Every event of one computation, as received.
#[derive(Default)]
struct Events {
    starts: Mutex<Vec<Started>>,
    finishes: Mutex<Vec<Finished>>,
    ends: Mutex<Vec<(Duration, u64, bool)>>,
}

impl Observer for Events {
    fn on_start(&self, run: &RunStart<'_>) {
        self.starts.lock().unwrap().push(Started {
            tasks: run.tasks,
            workers: run.workers,
            budget: run.budget_bytes,
            layers: run.layers.to_vec(),
        });
    }
    fn on_task_finish(&self, e: &TaskFinish<'_>) {
        self.finishes.lock().unwrap().push(Finished {
            task: e.task,
            layer: e.layer,
            op: e.op.to_string(),
            block: e.block.to_vec(),
            worker: e.worker,
            start: e.start,
            end: e.end,
            bytes: e.output_bytes,
            live: e.live_bytes,
        });
    }
    fn on_finish(&self, end: &RunEnd<'_>) {
        self.ends
            .lock()
            .unwrap()
            .push((end.elapsed, end.peak_bytes, end.error.is_some()));
    }
}

/// A mean over irregular chunks with a fused elementwise step: several layers, edge
/// blocks, a reduction tree.
fn workload() -> chunkwise::LazyArray<f64> {
    let x = chunkwise::arange::<f64>(0.0, 391.0 * 7.0, 1.0, [100]).reshape(&[391, 7]);
    ((&x * 2.0) + 1.0).mean(0)
}

#[test]
fn every_task_has_one_event_naming_its_layer_block_and_times() {
    let y = workload();
    let tasks = y.graph_stats().unwrap().tasks;
    for options in [
        ComputeOptions::default().single_threaded(),
        ComputeOptions::default().threads(2),
    ] {
        let events = Arc::new(Events::default());
        let result = y
            .compute_with(&options.clone().observer(events.clone()))
            .unwrap();
        assert_eq!(result, y.compute().unwrap());
        let starts = events.starts.lock().unwrap();
        let finishes = events.finishes.lock().unwrap();
        let ends = events.ends.lock().unwrap();
        assert_eq!(starts.len(), 1);
        let Started {
            tasks: planned,
            workers,
            budget,
            layers,
        } = &starts[0];
        assert_eq!((*planned, finishes.len()), (tasks, tasks));
        let (elapsed, peak, failed) = ends[0];
        assert!(!failed && peak > 0);
        let mut seen = std::collections::BTreeSet::new();
        let mut ids = std::collections::BTreeSet::new();
        for f in finishes.iter() {
            assert!(ids.insert(f.task), "task {} finished twice", f.task);
            assert!(
                seen.insert((f.layer, f.block.clone())),
                "{} {:?} twice",
                f.op,
                f.block
            );
            assert_eq!(f.op, layers[f.layer as usize]);
            assert!(f.worker < *workers && f.start <= f.end && f.end <= elapsed);
            assert!(f.bytes > 0 && f.live <= *budget);
        }
        // The fused step is named in its layer's label; the tree's stages are told apart.
        assert!(
            layers
                .iter()
                .any(|l| l.contains("fused") && l.contains("multiply")),
            "{layers:?}"
        );
        assert!(layers.iter().any(|l| l.contains("combine")), "{layers:?}");
    }
}

#[test]
fn a_recorder_puts_several_computations_on_one_time_line() {
    let recorder = Arc::new(Recorder::new("two"));
    let options = ComputeOptions::default().observer(recorder.clone());
    let a = workload();
    let b = chunkwise::ones::<i32>(&[10, 10], [3, 4]).sum(..);
    a.compute_with(&options).unwrap();
    b.compute_scalar_with(&options).unwrap();
    let r = recorder.recording();
    let (ta, tb) = (
        a.graph_stats().unwrap().tasks,
        b.graph_stats().unwrap().tasks,
    );
    assert_eq!(
        (r.runs, r.tasks.len(), r.done, r.total),
        (2, ta + tb, ta + tb, ta + tb)
    );
    let ids: std::collections::BTreeSet<u64> = r.tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), ta + tb);
    // The second computation's tasks come after the first's, in layers of its own.
    let first_layers = r.tasks[..ta].iter().map(|t| t.layer).max().unwrap();
    assert!(r.tasks[ta..].iter().all(|t| t.layer > first_layers));
    assert!(r.tasks[ta..]
        .iter()
        .all(|t| t.start >= r.tasks[..ta].iter().map(|t| t.end).fold(0.0, f64::max)));
    assert!(r.tasks.iter().all(|t| t.end <= r.wall));
    assert!(r.plan.contains("computation 1:") && r.plan.contains("computation 2:"));
    assert!(!r.running && r.error.is_none());
    assert_eq!(r.memory.len(), ta + tb);
}

#[test]
fn a_failed_computation_still_writes_its_report_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("failed.html");
    let x = chunkwise::ones::<f64>(&[40], [10]);
    let y = x.map_blocks("explode", |b, info| {
        assert!(info.block != [2], "block two is bad");
        b.to_owned()
    });
    let err = y
        .sum(..)
        .compute_scalar_with(&ComputeOptions::default().single_threaded().report(&path))
        .unwrap_err();
    assert!(matches!(err, Error::TaskPanicked { .. }), "{err}");
    let data = embedded(&std::fs::read_to_string(&path).unwrap());
    let error = data["summary"]["error"].as_str().unwrap();
    assert!(
        error.contains("explode") && error.contains("block two is bad"),
        "{error}"
    );
    // The tasks before it ran and are in the report, not the ones after.
    let ran = data["tasks"].as_array().unwrap().len();
    assert!(
        ran > 0 && ran < y.sum(..).graph_stats().unwrap().tasks,
        "{ran}"
    );
}

#[test]
fn an_unwritable_report_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/r.html");
    let err = chunkwise::ones::<f64>(&[4], [2])
        .sum(..)
        .compute_scalar_with(&ComputeOptions::default().report(&path))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Storage { path: p, .. } if p.contains("no/such/dir")),
        "{err}"
    );
}

/// The report's embedded data.
fn embedded(html: &str) -> Value {
    let open = r#"<script type="application/json" id="chunkwise-report">"#;
    let start = html.find(open).expect("the report's data element") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// Headless Chromium, when installed (`CHUNKWISE_CHROMIUM`, else `chromium` on PATH).
fn chromium() -> Option<String> {
    let program = std::env::var("CHUNKWISE_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Path::new(&program).is_file() || crate::support::on_path(&program);
    let required = std::env::var_os("CHUNKWISE_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty());
    match (found, required) {
        (true, _) => Some(program),
        (false, true) => {
            panic!("CHUNKWISE_REQUIRE_BROWSER is set but `{program}` is not installed")
        }
        (false, false) => {
            eprintln!("skipped: `{program}` is not installed (set CHUNKWISE_CHROMIUM)");
            None
        }
    }
}

/// The page at `url` as Chromium renders it (scripts run), or `None` when there is no
/// Chromium. With `screenshot`, also a PNG of it.
fn render(url: &str, screenshot: Option<&Path>) -> Option<String> {
    let program = chromium()?;
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(program);
    // The flags keep Chromium off the network (this machine has none) and let it run as
    // root in a container.
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
        "--window-size=1300,1400",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()));
    match screenshot {
        Some(png) => cmd.arg(format!("--screenshot={}", png.display())),
        None => cmd.arg("--dump-dom"),
    };
    let out = cmd.arg(url).output().expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// What a test checks of a rendered report: its status, errors, bars and curve.
struct Rendered {
    status: String,
    errors: String,
    rects: usize,
    curve: bool,
    aggregated: bool,
}

fn inspect(dom: &str) -> Rendered {
    let status = dom
        .split("data-status=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
        .to_string();
    let errors = dom
        .split("<pre id=\"errors\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap_or("missing")
        .to_string();
    let element = |id: &str| -> &str {
        let open = format!("id=\"{id}\"");
        let start = dom
            .find(&open)
            .unwrap_or_else(|| panic!("no #{id} in the page"));
        let rest = &dom[start..];
        &rest[..rest.find("</svg>").map_or(rest.len(), |e| e + 6)]
    };
    let stream = element("task-stream");
    let memory = element("memory");
    Rendered {
        status,
        errors,
        rects: stream.matches("<rect").count(),
        curve: memory.contains("<path") || memory.contains("<polyline"),
        // The note, shown (not `hidden`), and not the script that writes it.
        aggregated: dom
            .split("<p id=\"stream-note\"")
            .nth(1)
            .and_then(|s| s.split("</p>").next())
            .is_some_and(|note| !note.contains("hidden") && note.contains("bars aggregated")),
    }
}

#[test]
fn the_report_of_a_real_computation_renders_in_chromium_one_bar_per_task() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mean.html");
    let y = workload();
    y.compute_with(&ComputeOptions::default().threads(2).report(&path))
        .unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "fetches nothing"
    );
    let data = embedded(&html);
    let tasks = data["tasks"].as_array().unwrap().len();
    assert_eq!(tasks, y.graph_stats().unwrap().tasks);
    for key in [
        "id", "layer", "op", "block", "worker", "start", "end", "bytes",
    ] {
        assert!(data["tasks"][0].get(key).is_some(), "task field {key}");
    }
    for key in ["memory", "budget", "wall", "threads", "plan"] {
        assert!(data.get(key).is_some(), "field {key}");
    }
    let Some(dom) = render(&format!("file://{}", path.display()), None) else {
        return;
    };
    let page = inspect(&dom);
    assert_eq!(
        (page.status.as_str(), page.errors.as_str()),
        ("ok", ""),
        "{dom:.2000}"
    );
    assert_eq!(page.rects, tasks);
    assert!(page.curve && !page.aggregated);
    assert!(dom.contains("<table id=\"layers\"") && dom.contains("mean (combine)"));
}

#[test]
fn a_report_of_more_than_20000_tasks_aggregates_its_bars_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.html");
    let y = chunkwise::ones::<f32>(&[300, 300], [2, 2]).sum(..);
    let tasks = y.graph_stats().unwrap().tasks;
    assert!(tasks > 20_000);
    y.compute_scalar_with(&ComputeOptions::default().report(&path))
        .unwrap();
    let Some(dom) = render(&format!("file://{}", path.display()), None) else {
        return;
    };
    let page = inspect(&dom);
    assert_eq!((page.status.as_str(), page.errors.as_str()), ("ok", ""));
    assert!(
        page.aggregated && page.rects > 0 && page.rects < tasks / 10,
        "{}",
        page.rects
    );
    assert!(page.curve);
}

/// A computation slow enough to watch: `blocks` blocks of 15 ms each.
fn slow(blocks: usize) -> chunkwise::LazyArray<f64> {
    chunkwise::ones::<f64>(&[blocks * 4], [4])
        .map_blocks("nap", |b, _| {
            std::thread::sleep(Duration::from_millis(15));
            b.to_owned()
        })
        .sum(..)
}

#[test]
fn the_dashboard_answers_while_computing_and_is_gone_after() {
    let port = free_port();
    let y = slow(60);
    let tasks = y.graph_stats().unwrap().tasks;
    let options = ComputeOptions::default()
        .threads(2)
        .dashboard(format!("127.0.0.1:{port}").parse().unwrap());
    #[expect(
        clippy::disallowed_methods,
        reason = "the test's own thread runs the computation while it polls"
    )]
    let running = std::thread::spawn(move || y.compute_scalar_with(&options));
    let mut done = Vec::new();
    let mut page = None;
    while !running.is_finished() {
        // The server may stop between two requests: a failed request ends nothing.
        if let Some((code, body)) = try_request(port, "GET", "/api/status") {
            if code == 200 {
                let status: Value = serde_json::from_slice(&body).unwrap();
                for key in [
                    "done",
                    "total",
                    "live_bytes",
                    "budget_bytes",
                    "elapsed",
                    "workers",
                ] {
                    assert!(status.get(key).is_some(), "status field {key}: {status}");
                }
                if status["total"].as_u64() == Some(tasks as u64) {
                    done.push(status["done"].as_u64().unwrap());
                    assert_eq!(status["workers"], 2);
                }
                if page.is_none() && done.len() > 2 {
                    page = (|| {
                        Some((
                            try_request(port, "GET", "/")?,
                            try_request(port, "GET", "/api/report")?,
                            try_request(port, "GET", "/elsewhere")?,
                            try_request(port, "POST", "/api/status")?,
                        ))
                    })();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(running.join().unwrap().unwrap(), 240.0);
    assert!(done.len() >= 3, "polled {done:?}");
    assert!(
        done.windows(2).all(|w| w[0] <= w[1]),
        "done never goes back: {done:?}"
    );
    assert!(done.last() > done.first(), "done grows: {done:?}");
    let ((html_code, html), (report_code, report), (missing, _), (post, _)) =
        page.expect("the page was fetched while running");
    assert_eq!(
        (html_code, report_code, missing, post),
        (200, 200, 404, 405)
    );
    let html = String::from_utf8(html).unwrap();
    assert_eq!(embedded(&html)["live"], true);
    let report: Value = serde_json::from_slice(&report).unwrap();
    assert!(report["tasks"].as_array().unwrap().len() < tasks);
    // The computation has ended: nothing listens any more.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

/// [`http_request`], or `None` when the connection fails (the server has stopped).
fn try_request(port: u16, method: &'static str, path: &'static str) -> Option<(u16, Vec<u8>)> {
    std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    std::panic::catch_unwind(|| http_request(port, method, path)).ok()
}

#[test]
fn a_dashboard_address_in_use_is_a_clear_error_before_anything_runs() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let err = slow(1)
        .compute_scalar_with(&ComputeOptions::default().dashboard(addr))
        .unwrap_err();
    assert!(matches!(&err, Error::Dashboard { .. }), "{err}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

fn chunkwise_cli(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chunkwise"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the chunkwise binary runs")
}

#[test]
fn the_command_line_writes_one_report_for_all_of_a_commands_computations() {
    let dir = tempfile::tempdir().unwrap();
    let out = chunkwise_cli(
        &[
            "eval",
            "std(x, axis=0)",
            "-i",
            "x=random:300x50:chunks=70x20",
            "--json",
            "--no-progress",
            "--report",
            "r.html",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("report written to r.html"));
    let data = embedded(&std::fs::read_to_string(dir.path().join("r.html")).unwrap());
    assert!(data["title"]
        .as_str()
        .unwrap()
        .starts_with("chunkwise eval std(x, axis=0)"));
    assert!(!data["tasks"].as_array().unwrap().is_empty());
    // `demo` runs three computations (write the input, the anomaly, a summary): one report.
    let out = chunkwise_cli(
        &[
            "demo",
            "--size",
            "400",
            "--chunk",
            "100",
            "--no-progress",
            "--report",
            "demo.html",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = embedded(&std::fs::read_to_string(dir.path().join("demo.html")).unwrap());
    assert!(
        data["summary"]["runs"].as_u64().unwrap() >= 3,
        "{}",
        data["summary"]
    );
    if let Some(dom) = render(
        &format!("file://{}", dir.path().join("demo.html").display()),
        None,
    ) {
        let page = inspect(&dom);
        assert_eq!((page.status.as_str(), page.errors.as_str()), ("ok", ""));
        assert_eq!(page.rects, data["tasks"].as_array().unwrap().len());
    }
}

#[test]
fn bench_writes_a_report_per_workload() {
    let dir = tempfile::tempdir().unwrap();
    let out = chunkwise_cli(
        &[
            "bench",
            "tiny_chunks",
            "global_anomaly",
            "--quick",
            "--runs",
            "1",
            "--report",
            "b.html",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["tiny_chunks", "global_anomaly"] {
        let path: PathBuf = dir.path().join(format!("b-{name}.html"));
        let data = embedded(&std::fs::read_to_string(&path).unwrap());
        assert!(data["title"].as_str().unwrap().contains(name));
        assert!(!data["tasks"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_bad_dashboard_address_is_refused_by_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = chunkwise_cli(
        &["eval", "sum(x)", "-i", "x=ones:10", "--dashboard", "here"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOST:PORT"));
}
