//! Byte sizes for people: [`human_bytes`] writes `7.63 MiB`, [`parse_bytes`] reads
//! `512MiB`, `2GB` or `4096`.
//!
//! The bottom of the module stack: the memory budget, the plan's `explain` and the
//! arrays' summaries all print sizes, and the command line and the environment give
//! them, so this knows nothing else of chunkwise.

/// Bytes as a short human-readable size in binary units (`7.63 MiB`, `512 B`).
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}

/// A size such as `512MiB`, `1.5 GiB`, `2GB` (decimal units), `4096` (bytes) or `64m`,
/// in bytes; `None` when it is not one, or below one byte.
pub(crate) fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().ok()?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tib" => 1024.0_f64.powi(4),
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        _ => return None,
    };
    let bytes = value * scale;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_trip_through_text() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(8_000_000), "7.63 MiB");
        assert_eq!(parse_bytes("1.5g"), Some(3 << 29));
        assert_eq!(parse_bytes("2GB"), Some(2_000_000_000));
        assert_eq!(parse_bytes("0"), None);
        assert_eq!(parse_bytes("1 parsec"), None);
    }
}
