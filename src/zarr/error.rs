//! Turns zarrs' errors into [`Error::Zarr`] values that name the path, say what was wrong
//! and how to fix it, and keep zarrs' error as the source.

use zarrs::array::{ArrayCreateError, ArrayError};
use zarrs::group::GroupCreateError;
use zarrs::node::NodeCreateError;
use zarrs::storage::StorageError;

use crate::error::Error;

/// The codecs chunkwise reads, for messages.
const SUPPORTED_CODECS: &str = "v3: bytes, blosc, gzip, zstd, crc32c, transpose, \
     sharding_indexed; v2: blosc, zlib, gzip, zstd";

/// An [`Error::Zarr`] with `source`.
pub(crate) fn zarr_error(
    path: impl Into<String>,
    problem: impl Into<String>,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Zarr {
        path: path.into(),
        problem: problem.into(),
        source: Some(Box::new(source)),
    }
}

/// An [`Error::Zarr`] without a source.
pub(crate) fn zarr_problem(path: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::Zarr {
        path: path.into(),
        problem: problem.into(),
        source: None,
    }
}

/// A store error at `path`.
pub(crate) fn storage(path: &str, e: StorageError) -> Error {
    let problem = match &e {
        StorageError::InvalidMetadata(key, _) => format!(
            "metadata `{}` is not valid Zarr metadata JSON; fix or rewrite the file",
            key.as_str()
        ),
        StorageError::IOError(_) | StorageError::Other(_) if path.contains("://") => {
            "the remote store refused or failed the request (transient failures were retried; \
             see the cause for the status)"
                .to_string()
        }
        StorageError::IOError(_) | StorageError::Other(_) => {
            "the file system refused a read or write; check that the path exists and is writable"
                .to_string()
        }
        _ => "the store could not be read or written".to_string(),
    };
    zarr_error(path, problem, e)
}

/// An error opening the array at `path`.
pub(crate) fn open_array(path: &str, e: ArrayCreateError) -> Error {
    let problem = match &e {
        ArrayCreateError::MissingMetadata => {
            "not a Zarr array: it has no `zarr.json` (v3) or `.zarray` (v2); check the path, \
             or open it with `open_group` if it is a group"
                .to_string()
        }
        ArrayCreateError::StorageError(s) => return storage(path, s.clone()),
        ArrayCreateError::CodecsCreateError(_) => format!(
            "the array uses a codec that chunkwise cannot decode; supported codecs are {SUPPORTED_CODECS}"
        ),
        ArrayCreateError::UnsupportedZarrV2Array(_) => format!(
            "unsupported Zarr v2 array (a codec, filter or data type chunkwise cannot read); \
             supported codecs are {SUPPORTED_CODECS}"
        ),
        _ => "the array metadata is not valid Zarr metadata".to_string(),
    };
    zarr_error(path, problem, e)
}

/// An error reading or writing the data of the array at `path`.
pub(crate) fn array(path: &str, doing: &str, e: ArrayError) -> Error {
    let problem = match &e {
        ArrayError::StorageError(_) => format!("{doing} failed in the store"),
        ArrayError::CodecError(_) => {
            format!("{doing}: a chunk could not be decoded; the chunk file is truncated or corrupt")
        }
        _ => format!("{doing} failed"),
    };
    zarr_error(path, problem, e)
}

/// An error opening the group at `path`.
pub(crate) fn open_group(path: &str, e: GroupCreateError) -> Error {
    let problem = match &e {
        GroupCreateError::MissingMetadata => {
            "not a Zarr group: it has no `zarr.json` (v3) or `.zgroup` (v2); check the path, \
             or open it with `open_array` if it is an array"
                .to_string()
        }
        GroupCreateError::StorageError(s) => return storage(path, s.clone()),
        _ => "the group metadata is not valid Zarr metadata".to_string(),
    };
    zarr_error(path, problem, e)
}

/// An error listing the children of the group at `path`.
pub(crate) fn node(path: &str, e: NodeCreateError) -> Error {
    zarr_error(
        path,
        "cannot list the group's children: a child's metadata is missing or invalid",
        e,
    )
}
