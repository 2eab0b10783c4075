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
use super::store::Store;
use crate::element::{DType, Scalar};
use crate::error::Result;

/// The existing store at `path` (a directory, checked to exist, or a URL).
pub(crate) fn open_store(path: &Path, durable: bool) -> Result<Arc<Store>> {
    Store::open(path, durable)
}

/// `"/a/b"` from `"a/b"`, `"/a/b/"` or `""`.
pub(crate) fn normalize_node_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    format!("/{trimmed}")
}

/// An open array: the zarrs handle, its store and path, and what `chunkwise` reads from its
/// metadata once (shape, dtype, chunk shapes, fill value, identity for keys).
pub(crate) struct Inner {
    pub(crate) array: Array<Store>,
    pub(crate) store: Arc<Store>,
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

/// Writes `array`'s metadata (without zarrs' own `_zarrs` attribute).
pub(crate) fn store_array_metadata(array: &Array<Store>, display: &str) -> Result<()> {
    let options = ArrayMetadataOptions::default().with_include_zarrs_metadata(false);
    array
        .store_metadata_opt(&options)
        .map_err(|e| zerr::storage(display, e))
}

/// Writes v3 group metadata at `path`.
pub(crate) fn create_group_metadata(
    store: &Arc<Store>,
    path: &str,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let display = store.display(path);
    let group = GroupBuilder::new()
        .attributes(attributes)
        .build(store.clone(), path)
        .map_err(|e| zerr::open_group(&display, e))?;
    group
        .store_metadata()
        .map_err(|e| zerr::storage(&display, e))
}
