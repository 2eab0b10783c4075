//! Seeded random arrays whose values do not depend on the chunking.
//!
//! Each element's value is a function of the seed and the element's flat C-order index
//! only (a counter-based generator: SplitMix64 evaluated at that index), so the same seed
//! and shape give the same numbers with any chunks, on any number of threads.
//!
//! # Example
//!
//! ```
//! let a = chunkwise::random::uniform::<f64>(&[60, 40], [7, 9], 42).compute()?;
//! let b = chunkwise::random::uniform::<f64>(&[60, 40], [60, 40], 42).compute()?;
//! assert_eq!(a, b);
//! # Ok::<(), chunkwise::Error>(())
//! ```

use crate::array::LazyArray;
use crate::chunks::Chunks;
use crate::element::FloatElement;
use crate::expr::{build, Distribution, Source};

/// Uniform random values on `[0, 1)`.
///
/// # Example
///
/// ```
/// let x = chunkwise::random::uniform::<f32>(&[1000], [300], 7).compute()?;
/// assert!(x.iter().all(|&v| (0.0..1.0).contains(&v)));
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Chunks that do not fit `shape` give an invalid array.
#[track_caller]
pub fn uniform<T: FloatElement>(
    shape: &[usize],
    chunks: impl Into<Chunks>,
    seed: u64,
) -> LazyArray<T> {
    generator(
        Source::Random {
            seed,
            dist: Distribution::Uniform,
        },
        shape,
        chunks,
    )
}

/// Standard normal random values (mean 0, standard deviation 1).
///
/// # Example
///
/// ```
/// let x = chunkwise::random::normal::<f64>(&[100_000], [30_000], 1);
/// let mean = x.mean(..).compute_scalar()?;
/// assert!(mean.abs() < 0.02);
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Chunks that do not fit `shape` give an invalid array.
#[track_caller]
pub fn normal<T: FloatElement>(
    shape: &[usize],
    chunks: impl Into<Chunks>,
    seed: u64,
) -> LazyArray<T> {
    generator(
        Source::Random {
            seed,
            dist: Distribution::Normal,
        },
        shape,
        chunks,
    )
}

/// The integer-hash uniform input of the Dask peer benchmark (`det_block` in
/// `dask_bench.py`), reproduced exactly: element `k` (flat C-order index) is
/// `(((k + salt * 1000000007) mod 2^32) * 2654435761 mod 2^32) / 2^32`.
///
/// Not random in any statistical sense; it exists so that benchmark checksums can be
/// compared with Dask's bit for bit (up to summation order).
///
/// # Example
///
/// ```
/// let x = chunkwise::random::hash_uniform::<f64>(&[3], [2], 0).compute()?;
/// assert_eq!(x[1], 2654435761.0 / 4294967296.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Chunks that do not fit `shape` give an invalid array.
#[track_caller]
pub fn hash_uniform<T: FloatElement>(
    shape: &[usize],
    chunks: impl Into<Chunks>,
    salt: u64,
) -> LazyArray<T> {
    generator(Source::HashUniform { salt }, shape, chunks)
}

#[track_caller]
fn generator<T: FloatElement>(
    source: Source,
    shape: &[usize],
    chunks: impl Into<Chunks>,
) -> LazyArray<T> {
    let chunks = chunks.into();
    LazyArray::build(source.name(), &[], move || {
        build::source(source, shape, T::DTYPE, &chunks)
    })
}
