//! [`MemoryLimit`]: the byte budget a computation stays under, and where its default comes
//! from (a fraction of physical memory, or the `CHUNKWISE_MEMORY_LIMIT` environment
//! variable).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The environment variable that sets the default memory limit (`"4GiB"`, `"512MB"`...).
pub const MEMORY_LIMIT_ENV: &str = "CHUNKWISE_MEMORY_LIMIT";

/// The share of physical memory a computation may use by default.
const DEFAULT_FRACTION: f64 = 0.6;

/// Used when physical memory cannot be read.
const FALLBACK_BYTES: u64 = 4 << 30;

/// A memory budget in bytes.
///
/// Parses from sizes such as `"1GiB"`, `"512 MiB"`, `"2GB"`, `"1.5G"` or plain bytes
/// (binary units for `KiB`/`MiB`/`GiB`/`TiB` and the bare `K`/`M`/`G`/`T`; decimal ones for
/// `KB`/`MB`/`GB`/`TB`).
///
/// # Example
///
/// ```
/// use chunkwise::MemoryLimit;
/// let limit: MemoryLimit = "1.5GiB".parse()?;
/// assert_eq!(limit.bytes(), 3 << 29);
/// assert_eq!("2GB".parse::<MemoryLimit>()?.bytes(), 2_000_000_000);
/// assert!("lots".parse::<MemoryLimit>().is_err());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MemoryLimit(u64);

impl MemoryLimit {
    /// A limit of `bytes`.
    #[must_use]
    pub fn from_bytes(bytes: u64) -> MemoryLimit {
        MemoryLimit(bytes)
    }

    /// The limit in bytes.
    #[must_use]
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// The default: `CHUNKWISE_MEMORY_LIMIT` if set, else 60% of physical memory.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the environment variable is set but is not a size.
    pub fn from_env_or_default() -> Result<MemoryLimit> {
        match std::env::var(MEMORY_LIMIT_ENV) {
            Ok(v) => v.parse(),
            Err(_) => Ok(MemoryLimit::default()),
        }
    }
}

impl Default for MemoryLimit {
    /// 60% of physical memory (4 GiB when it cannot be read).
    fn default() -> Self {
        #[allow(clippy::cast_precision_loss)]
        let total = physical_memory().unwrap_or(FALLBACK_BYTES) as f64;
        MemoryLimit((total * DEFAULT_FRACTION) as u64)
    }
}

impl fmt::Display for MemoryLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::units::human_bytes(self.0))
    }
}

impl FromStr for MemoryLimit {
    type Err = Error;

    fn from_str(s: &str) -> Result<MemoryLimit> {
        let bad = || {
            Error::parameter(
                "memory limit",
                "size",
                format!("{s:?}"),
                "a size such as 512MiB, 4GiB, 2GB or a number of bytes",
            )
        };
        crate::units::parse_bytes(s)
            .map(MemoryLimit)
            .ok_or_else(bad)
    }
}

/// Allocations from this size up are mapped from the system and unmapped when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 4 << 20;

/// Free memory at the top of the heap beyond this goes back to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 8 << 20;

/// Makes freed chunks leave the process at once, so that resident memory follows the
/// bytes the executor counts (Linux with glibc; elsewhere nothing to do).
///
/// glibc raises its mmap threshold each time a large mapped block is freed (up to 32
/// MiB on 64-bit), so after the first freed chunk later chunks of that size come from
/// the heap, where freed space stays resident and fragments: a computation whose live
/// chunks never exceeded 256 MiB peaked at 842 MiB resident (issue 10). Fixing the
/// threshold (which turns the adjustment off) maps every chunk of 4 MiB or more on its
/// own and unmaps it when freed; the buffer pool keeps the few that are worth reusing.
/// At 1 MiB, the codecs' own buffers of a 512x512 float32 chunk were mapped and faulted
/// in afresh each time, and `zarr_pipeline` took 1.6 times as long; at 4 MiB it runs as
/// fast as without the call, and the budget stress run stays 32 MiB under its
/// allowance. Called once per process, at the first computation.
pub(crate) fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // glibc's <malloc.h>: `int mallopt(int param, int value)`.
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        #[allow(unsafe_code)]
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        ONCE.call_once(|| {
            // SAFETY: `mallopt` only sets allocator parameters; it is called with valid
            // parameter numbers and values and touches no memory of ours.
            #[allow(unsafe_code)]
            unsafe {
                mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
                mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            }
        });
    }
}

/// Physical memory in bytes (Linux `MemTotal`), read once per process.
fn physical_memory() -> Option<u64> {
    static TOTAL: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *TOTAL.get_or_init(read_physical_memory)
}

/// `MemTotal` of `/proc/meminfo`.
fn read_physical_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        let cases = [
            ("1GiB", 1u64 << 30),
            ("1 GiB", 1 << 30),
            ("512MiB", 512 << 20),
            ("512m", 512 << 20),
            ("2GB", 2_000_000_000),
            ("1.5g", 3 << 29),
            ("4096", 4096),
        ];
        for (text, bytes) in cases {
            assert_eq!(
                text.parse::<MemoryLimit>().unwrap().bytes(),
                bytes,
                "{text}"
            );
        }
        for bad in ["", "GiB", "-1GiB", "1 parsec", "0"] {
            let err = bad.parse::<MemoryLimit>().unwrap_err();
            assert!(err.to_string().contains("4GiB"), "{bad}: {err}");
        }
    }

    #[test]
    fn default_is_a_fraction_of_physical_memory() {
        let d = MemoryLimit::default().bytes();
        assert!(d > 0);
        if let Some(total) = physical_memory() {
            assert!(d < total);
        }
    }
}

/// Bytes held in memory outside any computation (persisted arrays), counted against
/// every computation's budget.
static HELD_BYTES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The bytes held outside computations now: the sum of the live [`HeldBytes`].
pub(crate) fn held_bytes() -> u64 {
    HELD_BYTES.load(std::sync::atomic::Ordering::Relaxed)
}

/// A claim on memory outside any computation (the blocks of a persisted array): counted
/// in [`held_bytes`] from its creation until it is dropped.
#[derive(Debug)]
pub(crate) struct HeldBytes(u64);

impl HeldBytes {
    /// Claims `bytes`.
    pub(crate) fn new(bytes: u64) -> HeldBytes {
        HELD_BYTES.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        HeldBytes(bytes)
    }
}

impl Drop for HeldBytes {
    fn drop(&mut self) {
        HELD_BYTES.fetch_sub(self.0, std::sync::atomic::Ordering::Relaxed);
    }
}
