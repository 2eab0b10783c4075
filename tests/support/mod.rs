//! Servers for the remote-store tests: a static HTTP server over a directory, with fault and
//! latency injection (`tests/servers/http_store.py`), and an S3 server (moto).
//!
//! A test file includes this with `mod support;`. Both servers are child processes, killed
//! when their handle drops (also when the test panics). Standard library only, plus
//! `serde_json` for the statistics; the few HTTP requests the tests themselves make (control,
//! statistics, bucket creation) go through the small HTTP/1.0 client at the end.
//!
//! The Python used is `$CHUNKWISE_PYTHON` if set, else `python3` (as in `zarr_interop.rs`).

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Python to run the servers with: `$CHUNKWISE_PYTHON`, else `python3`.
fn python() -> String {
    std::env::var("CHUNKWISE_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether `CHUNKWISE_REQUIRE_SERVERS` is set (CI sets it): a missing server is then a test
/// failure, not a skip.
fn servers_required() -> bool {
    std::env::var_os("CHUNKWISE_REQUIRE_SERVERS").is_some_and(|v| !v.is_empty())
}

/// A read-only HTTP server over a directory (`tests/servers/http_store.py`), on 127.0.0.1.
///
/// Besides the files, it answers `/_control?...` (latency, injected failures, forbidden
/// paths), `/_stats` and `/_reset`: see the script's docstring.
#[derive(Debug)]
pub(crate) struct HttpServer {
    child: Child,
    port: u16,
}

impl HttpServer {
    /// Starts serving `root` on a free port; returns once the server listens.
    ///
    /// # Panics
    ///
    /// If Python 3 cannot be run, or the script exits without reporting its port.
    pub(crate) fn start(root: &Path) -> HttpServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/http_store.py");
        let python = python();
        let mut child = match Command::new(&python)
            .arg(&script)
            .arg("--root")
            .arg(root)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
        {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
                "`{python}` not found: the HTTP store tests need Python 3 on PATH \
                 (or CHUNKWISE_PYTHON set to one)"
            ),
            Err(e) => panic!("cannot run `{python} {}`: {e}", script.display()),
        };
        let stdout = child.stdout.take().expect("the child's stdout is piped");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse::<u16>().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let status = child.wait();
            panic!(
                "{} did not report its port (read {read:?}, line {line:?}, exit {status:?}); \
                 its stderr is above",
                script.display()
            );
        };
        HttpServer { child, port }
    }

    /// The port it listens on (on 127.0.0.1).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Changes the server's settings: `GET /_control?{query}`, e.g. `"latency_ms=50"`,
    /// `"fail=2&fail_status=500"`, `"forbid=c/0"`, `"forbid="` (clears). `query` must
    /// already be URL-encoded.
    ///
    /// # Panics
    ///
    /// If the server does not answer 200 (e.g. a parameter that is not a number).
    pub(crate) fn control(&self, query: &str) {
        let (status, body) = http_request(self.port, "GET", &format!("/_control?{query}"));
        assert_eq!(
            status,
            200,
            "GET /_control?{query}: {}",
            String::from_utf8_lossy(&body)
        );
    }

    /// The counters since the start or the last [`reset`](Self::reset): `requests`,
    /// `in_flight`, `max_in_flight`, `failed` (injected failures served), `bytes` (body bytes
    /// of files sent). Control requests are not counted.
    ///
    /// # Panics
    ///
    /// If the server does not answer 200 with JSON.
    pub(crate) fn stats(&self) -> serde_json::Value {
        let (status, body) = http_request(self.port, "GET", "/_stats");
        assert_eq!(
            status,
            200,
            "GET /_stats: {}",
            String::from_utf8_lossy(&body)
        );
        serde_json::from_slice(&body).expect("/_stats answers JSON")
    }

    /// Zeroes the counters (the settings stay).
    ///
    /// # Panics
    ///
    /// If the server does not answer 200.
    pub(crate) fn reset(&self) {
        let (status, body) = http_request(self.port, "GET", "/_reset");
        assert_eq!(
            status,
            200,
            "GET /_reset: {}",
            String::from_utf8_lossy(&body)
        );
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An S3 server (moto's, `moto[server]`) on 127.0.0.1, with no buckets at the start.
///
/// moto accepts any credentials and does not check signatures; unsigned reads of objects
/// answer 403 (their ACL is private), so tests read through a signing client.
#[derive(Debug)]
pub(crate) struct S3Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

/// How one attempt at starting moto went.
enum Launch {
    Started(S3Server),
    /// The program or module is not there.
    NotFound(String),
    /// It ran but exited or never listened: the log's tail.
    Failed(String),
}

impl S3Server {
    /// Starts moto's server on a free port and waits (up to 20 s) until it accepts
    /// connections. Runs `moto_server` if it is on PATH, else `python3 -m moto.server`.
    ///
    /// Returns `None` when moto is not installed, so the test can skip itself.
    ///
    /// # Panics
    ///
    /// When moto is not installed and `CHUNKWISE_REQUIRE_SERVERS` is set, and when moto is
    /// installed but does not start.
    pub(crate) fn start() -> Option<S3Server> {
        let mut notes = Vec::new();
        if on_path("moto_server") {
            match launch_moto("moto_server", &[]) {
                Launch::Started(server) => return Some(server),
                // A stale shim (pyenv) or a broken install: try the module below.
                Launch::NotFound(note) | Launch::Failed(note) => notes.push(note),
            }
        }
        let python = python();
        let importable = Command::new(&python)
            .args(["-c", "import moto.server"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if importable {
            match launch_moto(&python, &["-m", "moto.server"]) {
                Launch::Started(server) => return Some(server),
                Launch::NotFound(note) | Launch::Failed(note) => {
                    notes.push(note);
                    panic!(
                        "moto is installed but its server did not start:\n{}",
                        notes.join("\n")
                    );
                }
            }
        }
        notes.push(format!("`{python} -c \"import moto.server\"` fails"));
        let why = notes.join("\n");
        assert!(
            !servers_required(),
            "CHUNKWISE_REQUIRE_SERVERS is set but moto's S3 server is not available: \
             install it with `pip install \"moto[server]\"`\n{why}"
        );
        eprintln!(
            "note: moto's S3 server is not available (`pip install \"moto[server]\"`): \
             skipping the S3 test"
        );
        None
    }

    /// The endpoint URL, `http://127.0.0.1:PORT` (path-style bucket addressing).
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port it listens on (on 127.0.0.1).
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Creates a bucket (an unsigned `PUT /name`, which moto accepts), and checks that it
    /// exists. Creating an existing bucket succeeds (as in us-east-1). The name must be a
    /// valid S3 bucket name: 3 to 63 characters, lowercase letters, digits, `-` and `.`.
    ///
    /// # Panics
    ///
    /// If moto refuses (e.g. `InvalidBucketName`) or the bucket is not there afterwards.
    pub(crate) fn create_bucket(&self, name: &str) {
        let (status, body) = http_request(self.port, "PUT", &format!("/{name}"));
        assert_eq!(
            status,
            200,
            "creating bucket {name:?} in moto: {}",
            String::from_utf8_lossy(&body)
        );
        let (status, _) = http_request(self.port, "HEAD", &format!("/{name}"));
        assert_eq!(
            status, 200,
            "bucket {name:?} missing in moto after creating it"
        );
    }

    /// The environment for a client of this server: `AWS_ENDPOINT_URL`, test credentials,
    /// `AWS_REGION=us-east-1` and `AWS_ALLOW_HTTP=true`. For `Command::envs`, or for the
    /// library's own configuration.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Whether an executable file `name` is in a directory of PATH.
pub(crate) fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
}

/// A port that was free a moment ago (bound to port 0, then released).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding 127.0.0.1:0 for a free port")
        .port()
}

/// Runs `program args... -H 127.0.0.1 -p PORT` and waits until it listens. Tries another
/// port when the one picked was taken in the meantime.
fn launch_moto(program: &str, args: &[&str]) -> Launch {
    let mut last = Launch::Failed(String::new());
    for _attempt in 0..3 {
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("chunkwise-moto-{}-{port}.log", std::process::id()));
        let log_file = match std::fs::File::create(&log) {
            Ok(f) => f,
            Err(e) => panic!("creating moto's log {}: {e}", log.display()),
        };
        let spawned = Command::new(program)
            .args(args)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(
                log_file
                    .try_clone()
                    .map_or_else(|_| Stdio::null(), Stdio::from),
            )
            .stderr(log_file)
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_file(&log);
                return Launch::NotFound(format!("`{program}`: {e}"));
            }
        };
        let mut server = S3Server { child, port, log };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(20);
        let outcome = loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                break Some(status);
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break None;
            }
            if Instant::now() > deadline {
                let tail = log_tail(&server.log);
                // Dropping `server` kills it.
                return Launch::Failed(format!(
                    "`{program} {}` did not listen on port {port} within 20 s:\n{tail}",
                    args.join(" ")
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let Some(status) = outcome else {
            return Launch::Started(server);
        };
        let tail = log_tail(&server.log);
        let note = format!("`{program} {}` exited ({status}):\n{tail}", args.join(" "));
        if tail.contains("already in use") {
            last = Launch::Failed(note);
            continue;
        }
        // Exit code 127: a shim (pyenv) whose Python lacks the command.
        return if status.code() == Some(127) || tail.contains("No module named") {
            Launch::NotFound(note)
        } else {
            Launch::Failed(note)
        };
    }
    last
}

/// The last 4096 bytes of a log file, for failure messages.
fn log_tail(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = bytes.len().saturating_sub(4096);
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

/// One HTTP/1.0 request without a body to 127.0.0.1:`port`; the status and the body.
///
/// # Panics
///
/// On a connection error or a malformed answer.
pub(crate) fn http_request(port: u16, method: &str, path: &str) -> (u16, Vec<u8>) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect(addr)
        .unwrap_or_else(|e| panic!("connecting to {addr} for {method} {path}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("setting a read timeout");
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{method} {path} to {addr}: {e}"));
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .unwrap_or_else(|e| panic!("reading the answer to {method} {path} from {addr}: {e}"));
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{method} {path} to {addr}: no end of headers in the answer"));
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let mut body = response[split + 4..].to_vec();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("{method} {path} to {addr}: bad status line in {head:?}"));
    let length = head.lines().skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            value.trim().parse::<usize>().ok()
        } else {
            None
        }
    });
    if let Some(length) = length {
        body.truncate(length);
    }
    (status, body)
}

/// Every file under `dir`, recursively, sorted.
pub(crate) fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("listing a test directory") {
            let path = entry.expect("reading a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
