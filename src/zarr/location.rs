//! [`Location`]: where a Zarr store lives, parsed from what the user typed where a path
//! is taken: a local path, `file://`, `http://`/`https://` (read-only) or `s3://`.
//!
//! Every public function of `chunkwise::zarr` takes `impl AsRef<Path>`, so a URL is a
//! string like any path (`open_array("s3://bucket/data.zarr")`); this module decides what
//! it names. A string that starts with a scheme (`letters://`) is a URL, anything else a
//! path; a local directory whose name looks like a URL can still be reached as
//! `./s3:/...` or `file://...`.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where a store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Location {
    /// A directory on this machine.
    Local(PathBuf),
    /// An HTTP(S) URL with no trailing slash; read-only.
    Http(String),
    /// A bucket and a key prefix in it (no leading or trailing slash; may be empty).
    S3 { bucket: String, prefix: String },
}

impl Location {
    /// Parses `path` (see the module docs).
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] for a scheme chunkwise does not read (`gs://`, say) or an `s3://`
    /// URL without a bucket.
    pub(crate) fn parse(path: &Path) -> Result<Location> {
        let Some(text) = path.to_str() else {
            return Ok(Location::Local(path.to_path_buf()));
        };
        let Some((scheme, rest)) = split_scheme(text) else {
            return Ok(Location::Local(path.to_path_buf()));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "file" => Ok(Location::Local(PathBuf::from(rest))),
            "http" | "https" => Ok(Location::Http(text.trim_end_matches('/').to_string())),
            "s3" => {
                let rest = rest.trim_end_matches('/');
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(problem(text, "names no bucket; write `s3://BUCKET/PREFIX`"));
                }
                Ok(Location::S3 {
                    bucket: bucket.to_string(),
                    prefix: prefix.trim_matches('/').to_string(),
                })
            }
            other => Err(problem(
                text,
                &format!(
                    "`{other}://` is not a store chunkwise can open; give a local path, \
                     `file://`, `http://`, `https://` or `s3://`"
                ),
            )),
        }
    }

    /// True for stores that are not on this machine.
    pub(crate) fn is_remote(&self) -> bool {
        !matches!(self, Location::Local(_))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(p) => write!(f, "{}", p.display()),
            Location::Http(url) => f.write_str(url),
            Location::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Location::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// `("s3", "bucket/x")` from `"s3://bucket/x"`: a scheme is an ASCII letter followed by
/// letters, digits, `+`, `-` or `.`, then `://`.
fn split_scheme(text: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some((scheme, rest))
}

fn problem(text: &str, problem: &str) -> Error {
    Error::Zarr {
        path: text.to_string(),
        problem: problem.to_string(),
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Location {
        Location::parse(Path::new(s)).unwrap()
    }

    #[test]
    fn paths_and_urls_are_told_apart() {
        assert_eq!(parse("data/x.zarr"), Location::Local("data/x.zarr".into()));
        assert_eq!(parse("/tmp/a:b"), Location::Local("/tmp/a:b".into()));
        assert_eq!(parse("file:///tmp/x"), Location::Local("/tmp/x".into()));
        assert_eq!(
            parse("https://example.org/a/x.zarr/"),
            Location::Http("https://example.org/a/x.zarr".into())
        );
        assert_eq!(
            parse("s3://bucket/a/b.zarr/"),
            Location::S3 {
                bucket: "bucket".into(),
                prefix: "a/b.zarr".into()
            }
        );
        assert_eq!(
            parse("S3://bucket"),
            Location::S3 {
                bucket: "bucket".into(),
                prefix: String::new()
            }
        );
        assert_eq!(parse("s3://b/p").to_string(), "s3://b/p");
        assert!(parse("s3://b").is_remote() && !parse("x").is_remote());
    }

    #[test]
    fn unknown_schemes_and_missing_buckets_are_errors() {
        let e = Location::parse(Path::new("gs://b/x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("gs://") && e.contains("s3://"), "{e}");
        let e = Location::parse(Path::new("s3:///x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bucket"), "{e}");
    }
}
