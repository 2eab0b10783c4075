//! The performance report: a [`Recording`] as JSON, and as one self-contained HTML page
//! that draws it (the task stream, memory over time, a table per layer, the plan).
//!
//! The page (`report.html`, compiled in) holds all its script and style and fetches
//! nothing, so a report opens offline, attached to an issue or years later. Its data is
//! embedded once, as `<script type="application/json" id="chunkwise-report">`, and the
//! page draws from it; the live dashboard serves the same page and the same JSON.

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;

use super::recorder::Recording;
use crate::error::{Error, Result};

/// The page, with `__CHUNKWISE_TITLE__` and `__CHUNKWISE_DATA__` to fill in.
const TEMPLATE: &str = include_str!("report.html");

#[derive(Serialize)]
struct ReportJson<'a> {
    title: &'a str,
    tasks: Vec<TaskJson<'a>>,
    memory: Vec<MemoryJson>,
    budget: u64,
    wall: f64,
    threads: usize,
    plan: &'a str,
    layers: Vec<LayerJson<'a>>,
    summary: SummaryJson<'a>,
    live: bool,
    done: usize,
    total: usize,
}

#[derive(Serialize)]
struct TaskJson<'a> {
    id: u64,
    layer: u32,
    op: &'a str,
    block: &'a [usize],
    worker: usize,
    start: f64,
    end: f64,
    bytes: u64,
}

#[derive(Serialize)]
struct MemoryJson {
    t: f64,
    live: u64,
}

#[derive(Serialize)]
struct LayerJson<'a> {
    id: u32,
    op: &'a str,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    tasks: usize,
    peak_live: u64,
    input_bytes: u64,
    output_bytes: u64,
    runs: usize,
    error: Option<&'a str>,
}

impl Recording {
    /// The recording as the report's JSON: `{"tasks": [{"id", "layer", "op", "block",
    /// "worker", "start", "end", "bytes"}], "memory": [{"t", "live"}], "budget", "wall",
    /// "threads", "plan", "layers", "summary", ...}`, times in seconds from the start.
    ///
    /// # Example
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chunkwise::{diagnostics::Recorder, ComputeOptions};
    /// let recorder = Arc::new(Recorder::new("ones"));
    /// let x = chunkwise::ones::<f64>(&[10], [5]);
    /// x.sum(..).compute_scalar_with(&ComputeOptions::default().observer(recorder.clone()))?;
    /// let json: serde_json::Value = serde_json::from_str(&recorder.recording().to_json())?;
    /// assert_eq!(json["tasks"].as_array().map(Vec::len), Some(3)); // two chunks, one combine
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        self.json(false)
    }

    /// The JSON of [`to_json`](Self::to_json), marked as live (the dashboard's page
    /// polls for more while `live` is true).
    pub(crate) fn json(&self, live: bool) -> String {
        let op = |layer: u32| {
            self.layers
                .get(layer as usize)
                .map_or("", |l| l.op.as_str())
        };
        let report = ReportJson {
            title: &self.title,
            tasks: self
                .tasks
                .iter()
                .map(|t| TaskJson {
                    id: t.id,
                    layer: t.layer,
                    op: op(t.layer),
                    block: &t.block,
                    worker: t.worker,
                    start: t.start,
                    end: t.end,
                    bytes: t.bytes,
                })
                .collect(),
            memory: self
                .memory
                .iter()
                .map(|m| MemoryJson {
                    t: m.t,
                    live: m.live,
                })
                .collect(),
            budget: self.budget,
            wall: self.wall,
            threads: self.threads,
            plan: &self.plan,
            layers: self
                .layers
                .iter()
                .map(|l| LayerJson {
                    id: l.id,
                    op: &l.op,
                })
                .collect(),
            summary: SummaryJson {
                tasks: self.tasks.len(),
                peak_live: self.peak_live,
                input_bytes: self.input_bytes,
                output_bytes: self.output_bytes,
                runs: self.runs,
                error: self.error.as_deref(),
            },
            live: live && self.running,
            done: self.done,
            total: self.total,
        };
        serde_json::to_string(&report).unwrap_or_else(|_| "{}".to_string())
    }

    /// The report as one self-contained HTML page (no network access needed to view it).
    ///
    /// # Example
    ///
    /// ```
    /// let recording = chunkwise::diagnostics::Recorder::new("nothing").recording();
    /// let html = recording.to_html();
    /// assert!(html.contains(r#"<script type="application/json" id="chunkwise-report">"#));
    /// // Nothing is fetched: no script, style or image comes from elsewhere.
    /// assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    /// ```
    #[must_use]
    pub fn to_html(&self) -> String {
        self.html(false)
    }

    /// The page of [`to_html`](Self::to_html), live or not.
    pub(crate) fn html(&self, live: bool) -> String {
        // `<` only occurs inside JSON strings, where `\u003c` means the same: the script
        // element then cannot be closed (`</script>`) or commented (`<!--`) by the data.
        let data = self.json(live).replace('<', "\\u003c");
        TEMPLATE
            .replacen("__CHUNKWISE_TITLE__", &escape_html(&self.title), 1)
            .replacen("__CHUNKWISE_DATA__", &data, 1)
    }

    /// Writes [`to_html`](Self::to_html) to `path`, whole or not at all (written beside
    /// it under a temporary name, then renamed into place).
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("report.html");
    /// chunkwise::diagnostics::Recorder::new("nothing").recording().write_html(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.starts_with("<!DOCTYPE html>"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Storage`] naming the path when the file cannot be written.
    pub fn write_html(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let failed = |e: std::io::Error| {
            Error::storage(
                path.display().to_string(),
                format!("cannot write the report: {e}"),
            )
        };
        // A name of our own beside the file, so the rename stays on one file system.
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(format!(".{}.tmp", std::process::id()));
        let temporary = std::path::PathBuf::from(temporary);
        let written = std::fs::File::create(&temporary)
            .and_then(|mut f| f.write_all(self.to_html().as_bytes()))
            .and_then(|()| std::fs::rename(&temporary, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temporary);
            return Err(failed(e));
        }
        Ok(())
    }
}

/// `text` with the characters HTML gives meaning to escaped.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Recorder;

    #[test]
    fn the_data_cannot_close_its_script_element_and_the_title_is_escaped() {
        let recording = Recorder::new("</script><b>x & y</b>").recording();
        let html = recording.to_html();
        assert_eq!(
            html.matches("</script>").count(),
            TEMPLATE.matches("</script>").count()
        );
        assert!(html.contains("&lt;/script&gt;&lt;b&gt;x &amp; y"));
        let start = html.find(r#"id="chunkwise-report">"#).unwrap() + 22;
        let end = start + html[start..].find("</script>").unwrap();
        let json: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(json["title"], "</script><b>x & y</b>");
        assert_eq!(json["tasks"], serde_json::json!([]));
    }
}
