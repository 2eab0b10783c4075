//! What a running or finished computation shows its user, all built on the executor's
//! task events ([`Observer`]): the [`ProgressBar`]; the [`Recorder`], which keeps every
//! task's events; the performance report drawn from its [`Recording`] (one
//! self-contained HTML page); and the [`Dashboard`], the same page served live.
//!
//! `ComputeOptions::report` and `ComputeOptions::dashboard` ask for the last two on one
//! computation; a [`Recorder`] passed as an observer to several computations gathers
//! them into one report (what the command line does for a command that runs several).

mod dashboard;
mod progress;
mod recorder;
mod report;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use dashboard::Dashboard;
pub use progress::ProgressBar;
pub use recorder::{LayerRecord, MemorySample, Recorder, Recording, Status, TaskRecord};

use crate::error::Result;
use crate::exec::Observer;

/// The report and dashboard of one computation: a recorder, the dashboard serving it
/// while the computation runs, and where to write the report once it has ended.
pub(crate) struct Session {
    recorder: Arc<Recorder>,
    dashboard: Option<Dashboard>,
    report: Option<PathBuf>,
}

impl Session {
    /// A session when a report or a dashboard is asked for; the dashboard is listening
    /// when this returns.
    pub(crate) fn start(
        report: Option<&Path>,
        dashboard: Option<SocketAddr>,
    ) -> Result<Option<Session>> {
        if report.is_none() && dashboard.is_none() {
            return Ok(None);
        }
        let title = report.map_or_else(
            || "chunkwise computation".to_string(),
            |p| {
                p.file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            },
        );
        let recorder = Arc::new(Recorder::new(&title));
        let dashboard = dashboard
            .map(|addr| Dashboard::serve(addr, recorder.clone()))
            .transpose()?;
        Ok(Some(Session {
            recorder,
            dashboard,
            report: report.map(Path::to_path_buf),
        }))
    }

    /// The observer that records the computation.
    pub(crate) fn observer(&self) -> Arc<dyn Observer> {
        self.recorder.clone()
    }

    /// Stops the dashboard and writes the report.
    pub(crate) fn finish(self) -> Result<()> {
        drop(self.dashboard);
        match &self.report {
            Some(path) => self.recorder.recording().write_html(path),
            None => Ok(()),
        }
    }
}
