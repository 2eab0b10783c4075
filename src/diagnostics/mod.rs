//! [`ProgressBar`]: what a running computation shows its user. Built on the executor's
//! task events ([`Observer`](crate::Observer)), like every later report.

mod progress;

pub use progress::ProgressBar;
