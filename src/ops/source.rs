//! [`Source`], where a source node's values come from (memory, a constant, a range, a
//! seeded generator, storage), and [`Distribution`].
//!
//! Vocabulary, not computation: the expression graph holds these, the kernels generate
//! or read the values (`kernel::source`).

use std::sync::Arc;

use crate::any_array::AnyArray;
use crate::element::Scalar;
use crate::io::BlockReader;

/// Where a source's values come from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// An in-memory array (standard layout), keyed by a hash of its contents.
    Array(Arc<AnyArray>),
    /// Every element equal to one value (its dtype is the node's).
    Full(Scalar),
    /// `start + i * step` for flat index `i`, in the node's dtype.
    Arange { start: Scalar, step: Scalar },
    /// `start + i * step`, with the last element exactly `stop` when `stop_is_last`.
    Linspace {
        start: f64,
        step: f64,
        stop: f64,
        stop_is_last: bool,
    },
    /// Counter-based random numbers keyed by seed and flat element index, so that the
    /// values do not depend on the chunking.
    Random { seed: u64, dist: Distribution },
    /// The integer-hash uniform input of the Dask peer benchmark (`det_block`).
    HashUniform { salt: u64 },
    /// Data read from outside (storage): node element `i` is reader element
    /// `origin + i`, so a slice pushed into the source reads only what it keeps.
    Read {
        reader: Arc<dyn BlockReader>,
        origin: Vec<usize>,
    },
}

impl Source {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Source::Array(_) => "from_ndarray",
            Source::Full(_) => "full",
            Source::Arange { .. } => "arange",
            Source::Linspace { .. } => "linspace",
            Source::Random {
                dist: Distribution::Uniform,
                ..
            } => "random.uniform",
            Source::Random {
                dist: Distribution::Normal,
                ..
            } => "random.normal",
            Source::HashUniform { .. } => "random.hash_uniform",
            Source::Read { reader, .. } => reader.name(),
        }
    }
}

/// A random distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Distribution {
    /// Uniform on `[0, 1)`.
    Uniform,
    /// Standard normal.
    Normal,
}
