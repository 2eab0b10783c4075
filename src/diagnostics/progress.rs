//! A terminal progress bar fed by task events.

use std::time::Duration;

use crate::exec::{Observer, RunEnd, RunStart, TaskFinish, TasksAdded};

/// A progress bar on standard error: tasks done out of tasks planned, elapsed time and an
/// estimate of the time left. Hidden when standard error is not a terminal.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use chunkwise::{diagnostics::ProgressBar, ComputeOptions};
/// let options = ComputeOptions::default().observer(Arc::new(ProgressBar::new("sum")));
/// let x = chunkwise::ones::<f64>(&[100, 100], [10, 10]);
/// assert_eq!(x.sum(..).compute_scalar_with(&options)?, 10_000.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug)]
pub struct ProgressBar {
    bar: indicatif::ProgressBar,
}

impl ProgressBar {
    /// A bar labelled `message`, shown once the computation starts.
    #[must_use]
    pub fn new(message: &str) -> ProgressBar {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_message(message.to_string());
        ProgressBar { bar }
    }
}

impl Observer for ProgressBar {
    fn on_start(&self, run: &RunStart<'_>) {
        let style = indicatif::ProgressStyle::with_template(
            "{msg:>12} [{bar:40}] {pos}/{len} tasks, {elapsed} elapsed, {eta} left",
        )
        .expect("a valid template")
        .progress_chars("=> ");
        self.bar.set_style(style);
        self.bar.set_length(run.tasks as u64);
        self.bar.set_position(0);
        self.bar
            .set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(10));
        self.bar.enable_steady_tick(Duration::from_millis(200));
    }

    fn on_tasks_added(&self, added: &TasksAdded<'_>) {
        self.bar.inc_length(added.tasks as u64);
    }

    fn on_task_finish(&self, _: &TaskFinish<'_>) {
        self.bar.inc(1);
    }

    fn on_finish(&self, _: &RunEnd<'_>) {
        self.bar.finish_and_clear();
    }
}
