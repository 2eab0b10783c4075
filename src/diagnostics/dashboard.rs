//! [`Dashboard`]: the report's page, live, served while a computation runs.
//!
//! A small synchronous HTTP server (`tiny_http`) on one thread answers three read-only
//! routes: `/` (the page, which redraws itself about once a second), `/api/report` (the
//! report's JSON so far) and `/api/status` (progress, cheaply). A browser polling once a
//! second is the whole load, so no async runtime. It listens where it is told (the command
//! line's default is the loopback address) and stops when dropped: the port is closed
//! once the computation ends.

use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;

use super::Recorder;
use crate::error::{Error, Result};

/// The live page of a [`Recorder`], served over HTTP until dropped.
///
/// # Example
///
/// ```
/// use std::io::{Read, Write};
/// use std::sync::Arc;
/// use chunkwise::diagnostics::{Dashboard, Recorder};
/// let recorder = Arc::new(Recorder::new("idle"));
/// let dashboard = Dashboard::serve("127.0.0.1:0".parse()?, recorder)?;
/// let mut stream = std::net::TcpStream::connect(dashboard.addr())?;
/// stream.write_all(b"GET /api/status HTTP/1.0\r\n\r\n")?;
/// let mut answer = String::new();
/// stream.read_to_string(&mut answer)?;
/// assert!(answer.starts_with("HTTP/1.0 200") && answer.contains(r#""done":0"#));
/// drop(stream);
/// let addr = dashboard.addr();
/// drop(dashboard);
/// assert!(std::net::TcpStream::connect(addr).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Dashboard {
    addr: SocketAddr,
    server: Option<Arc<tiny_http::Server>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Serialize)]
struct StatusJson {
    done: usize,
    total: usize,
    live_bytes: u64,
    budget_bytes: u64,
    elapsed: f64,
    workers: usize,
    running: bool,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Dashboard {
    /// Serves `recorder`'s live page on `addr` (port 0 picks a free port: see
    /// [`addr`](Self::addr)).
    ///
    /// # Errors
    ///
    /// [`Error::Dashboard`] when `addr` cannot be listened on (in use, or not an address
    /// of this machine).
    pub fn serve(addr: SocketAddr, recorder: Arc<Recorder>) -> Result<Dashboard> {
        let server = tiny_http::Server::http(addr).map_err(|e| Error::Dashboard {
            addr: addr.to_string(),
            problem: format!("cannot listen: {e}"),
        })?;
        let bound = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| Error::internal("diagnostics::dashboard", "not an IP listener"))?;
        let server = Arc::new(server);
        let serving = server.clone();
        #[expect(
            clippy::disallowed_methods,
            reason = "the dashboard's one server thread, outside the executor's compute work"
        )]
        let thread = std::thread::Builder::new()
            .name("chunkwise-dashboard".into())
            .spawn(move || {
                for request in serving.incoming_requests() {
                    answer(request, &recorder);
                }
            })
            .map_err(|e| Error::Dashboard {
                addr: addr.to_string(),
                problem: format!("cannot start its thread: {e}"),
            })?;
        Ok(Dashboard {
            addr: bound,
            server: Some(server),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.unblock();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Dropping the server tells its accept thread to stop, which closes the port a
        // moment later; wait for that (at most a second), so that the port is closed
        // when the computation returns.
        drop(self.server.take());
        for _ in 0..100 {
            if std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(50)).is_err()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Answers one request: the page, the report or the status; nothing else.
fn answer(request: tiny_http::Request, recorder: &Recorder) {
    let get = *request.method() == tiny_http::Method::Get;
    let path = request.url().split('?').next().unwrap_or("");
    let (status, kind, body) = match (get, path) {
        (false, _) => (405, "text/plain", "only GET is served\n".to_string()),
        (true, "/" | "/index.html") => (
            200,
            "text/html; charset=utf-8",
            recorder.recording().html(true),
        ),
        (true, "/api/report") => (200, "application/json", recorder.recording().json(true)),
        (true, "/api/status") => (200, "application/json", status_json(recorder)),
        (true, _) => (
            404,
            "text/plain",
            "not found: the dashboard serves /, /api/report and /api/status\n".to_string(),
        ),
    };
    let mut response = tiny_http::Response::from_string(body).with_status_code(status);
    for (name, value) in [("Content-Type", kind), ("Cache-Control", "no-store")] {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // A browser that went away mid-answer is not an error of the computation.
    let _ = request.respond(response);
}

fn status_json(recorder: &Recorder) -> String {
    let s = recorder.status();
    serde_json::to_string(&StatusJson {
        done: s.done,
        total: s.total,
        live_bytes: s.live_bytes,
        budget_bytes: s.budget_bytes,
        elapsed: s.elapsed,
        workers: s.workers,
        running: s.running,
    })
    .unwrap_or_else(|_| "{}".to_string())
}
