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
    /// Elements of the counter-based generator `base` (`Arange`, `Linspace`, `Random`,
    /// `HashUniform`) of shape `base_shape`: node element `(i_0, i_1, ...)` is the base's
    /// element of flat C-order index `index.first + sum(i_d * index.strides[d])`. A slice of a
    /// generated array is one of these (the optimizer's pushdown), generated directly:
    /// no whole blocks made and then cut.
    Strided {
        base: Arc<Source>,
        base_shape: Vec<usize>,
        index: FlatIndex,
    },
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
            Source::Strided { base, .. } => base.name(),
            Source::Read { reader, .. } => reader.name(),
        }
    }

    /// This counter-based source (over an array of `shape`) with the flat index of each
    /// element changed by `f`, as a [`Source::Strided`] of the same generator: how a
    /// slice or a transpose of a generator is generated directly. `None` for sources
    /// that are not counter-based, or when `f` gives none.
    pub(crate) fn reindexed(
        &self,
        shape: &[usize],
        f: impl FnOnce(&FlatIndex) -> Option<FlatIndex>,
    ) -> Option<Source> {
        let (base, base_shape, index) = match self {
            Source::Strided {
                base,
                base_shape,
                index,
            } => (base.clone(), base_shape.clone(), index.clone()),
            s if s.is_counter_based() => (
                Arc::new(s.clone()),
                shape.to_vec(),
                FlatIndex::c_order(shape)?,
            ),
            _ => return None,
        };
        Some(Source::Strided {
            base,
            base_shape,
            index: f(&index)?,
        })
    }

    /// Whether each element is a function of its flat index alone, so that any strided
    /// selection of the source can be generated directly ([`Source::Strided`]).
    pub(crate) fn is_counter_based(&self) -> bool {
        matches!(
            self,
            Source::Arange { .. }
                | Source::Linspace { .. }
                | Source::Random { .. }
                | Source::HashUniform { .. }
                | Source::Strided { .. }
        )
    }
}

/// Which elements of a counter-based generator a source holds: element `(i_0, i_1, ...)`
/// is the generator's element of flat C-order index `first + sum(i_d * strides[d])`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FlatIndex {
    pub(crate) first: u64,
    pub(crate) strides: Vec<i64>,
}

impl FlatIndex {
    /// The flat index of an array of `shape` itself (`None` past `i64`).
    pub(crate) fn c_order(shape: &[usize]) -> Option<FlatIndex> {
        let mut strides = vec![1i64; shape.len()];
        for d in (0..shape.len().saturating_sub(1)).rev() {
            strides[d] = strides[d + 1].checked_mul(i64::try_from(shape[d + 1]).ok()?)?;
        }
        Some(FlatIndex { first: 0, strides })
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
