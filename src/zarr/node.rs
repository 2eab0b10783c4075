//! What the files of `src/zarr/` share about a Zarr node (an array or a group in a store):
//! opening the store, normalizing and displaying node paths, reading which kind a node is,
//! writing array and group metadata, and [`Inner`], an open array's state that readers and
//! writers both use.
//!
//! Where it sits: at the bottom of `zarr`, below `array`, `read`, `write` and `group`, so
//! those four import it and not each other's internals (`zarr` has no import circle).

use std::path::Path;
use std::sync::Arc;

use zarrs::array::{Array, ArrayMetadataOptions};
use zarrs::group::GroupBuilder;

use super::error as zerr;
use super::store::AtomicStore;
use crate::element::{DType, Scalar};
use crate::error::Result;

/// A store over an existing directory, checked to exist.
pub(crate) fn open_store(path: &Path, durable: bool) -> Result<Arc<AtomicStore>> {
    if !path.is_dir() {
        let problem = if path.exists() {
            "is a file, not a Zarr store directory; give the directory that holds `zarr.json`"
        } else {
            "no such directory; check the path"
        };
        return Err(zerr::zarr_problem(path.display().to_string(), problem));
    }
    let canonical = path
        .canonicalize()
        .map_err(|e| zerr::zarr_error(path.display().to_string(), "cannot resolve the path", e))?;
    Ok(Arc::new(AtomicStore::new(&canonical, durable)?))
}

/// `"/a/b"` from `"a/b"`, `"/a/b/"` or `""`.
pub(crate) fn normalize_node_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    format!("/{trimmed}")
}

/// How messages name a node: the store directory, joined with the node path.
pub(crate) fn display_path(store: &Path, node_path: &str) -> String {
    let rel = node_path.trim_start_matches('/');
    if rel.is_empty() {
        store.display().to_string()
    } else {
        store.join(rel).display().to_string()
    }
}

/// An open array: the zarrs handle, its store and path, and what `chunkwise` reads from its
/// metadata once (shape, dtype, chunk shapes, fill value, identity for keys).
pub(crate) struct Inner {
    pub(crate) array: Array<AtomicStore>,
    pub(crate) store: Arc<AtomicStore>,
    pub(crate) array_path: String,
    pub(crate) display: String,
    pub(crate) shape: Vec<usize>,
    pub(crate) dtype: DType,
    /// The grid chunks: shards when sharded.
    pub(crate) grid_chunk: Vec<usize>,
    pub(crate) read_chunk: Vec<usize>,
    pub(crate) sharded: bool,
    pub(crate) fill: Scalar,
    pub(crate) identity: String,
}

/// `"array"` or `"group"` when the metadata in `dir` says which (v3 `node_type`, or the
/// v2 metadata file's name); `None` when there is none or it cannot be read.
pub(crate) fn node_kind(dir: &Path) -> Option<&'static str> {
    if let Ok(text) = std::fs::read_to_string(dir.join("zarr.json")) {
        let meta: serde_json::Value = serde_json::from_str(&text).ok()?;
        return match meta.get("node_type")?.as_str()? {
            "array" => Some("array"),
            "group" => Some("group"),
            _ => None,
        };
    }
    if dir.join(".zarray").exists() {
        Some("array")
    } else if dir.join(".zgroup").exists() {
        Some("group")
    } else {
        None
    }
}

/// A stable identity for the array at `node_dir`: its path, plus the metadata file's
/// modification time and length, so an array rewritten in place gets a new one.
pub(crate) fn identity(node_dir: &Path, array_path: &str) -> String {
    let stamp = ["zarr.json", ".zarray"]
        .iter()
        .find_map(|name| std::fs::metadata(node_dir.join(name)).ok())
        .map(|m| {
            let nanos = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{nanos}:{}", m.len())
        })
        .unwrap_or_default();
    format!("zarr:{}:{array_path}:{stamp}", node_dir.display())
}

/// Writes `array`'s metadata (without zarrs' own `_zarrs` attribute).
pub(crate) fn store_array_metadata(array: &Array<AtomicStore>, display: &str) -> Result<()> {
    let options = ArrayMetadataOptions::default().with_include_zarrs_metadata(false);
    array
        .store_metadata_opt(&options)
        .map_err(|e| zerr::storage(display, e))
}

/// Writes v3 group metadata at `path`.
pub(crate) fn create_group_metadata(
    store: &Arc<AtomicStore>,
    path: &str,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let display = display_path(store.root(), path);
    let group = GroupBuilder::new()
        .attributes(attributes)
        .build(store.clone(), path)
        .map_err(|e| zerr::open_group(&display, e))?;
    group
        .store_metadata()
        .map_err(|e| zerr::storage(&display, e))
}
