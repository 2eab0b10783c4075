//! [`ZarrGroup`]: opening and creating Zarr groups, listing their arrays and subgroups,
//! and reading and writing their attributes.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use zarrs::group::Group;
use zarrs::node::NodeMetadata;

use super::array::ZarrArray;
use super::error as zerr;
use super::node::{create_group_metadata, normalize_node_path, open_store};
use super::store::Store;
use crate::error::{Error, Result};

/// Opens the Zarr group (v2 or v3) in the directory `path`.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{create_group, open_group, ZarrWriteOptions};
/// let dir = tempfile::tempdir()?;
/// create_group(dir.path(), "/", serde_json::Map::new())?;
/// chunkwise::ones::<f64>(&[4], [2]).to_zarr(&ZarrWriteOptions::new(dir.path()).array_path("a"))?.run()?;
/// chunkwise::ones::<f64>(&[4], [2]).to_zarr(&ZarrWriteOptions::new(dir.path()).array_path("sub/b"))?.run()?;
/// let g = open_group(dir.path())?;
/// assert_eq!(g.arrays()?, vec!["/a"]);
/// assert_eq!(g.groups()?, vec!["/sub"]);
/// let tree: Vec<String> = g.tree()?.into_iter().map(|n| n.path).collect();
/// assert_eq!(tree, vec!["/a", "/sub", "/sub/b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::Zarr`] naming the path when it does not exist, is not a Zarr group or has
/// invalid metadata.
pub fn open_group(path: impl AsRef<Path>) -> Result<ZarrGroup> {
    open_group_in(path, "/")
}

/// Opens the group at `group_path` inside the Zarr store in the directory `store_path`.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// chunkwise::zarr::create_group(dir.path(), "/a/b", serde_json::Map::new())?;
/// assert_eq!(chunkwise::zarr::open_group_in(dir.path(), "a")?.groups()?, vec!["/a/b"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`open_group`].
pub fn open_group_in(store_path: impl AsRef<Path>, group_path: &str) -> Result<ZarrGroup> {
    let store = open_store(store_path.as_ref(), false)?;
    ZarrGroup::open(&store, group_path)
}

/// Creates a Zarr v3 group at `group_path` in the store directory `store_path` (created
/// if missing), with `attributes`, and any missing parent groups.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let mut attrs = serde_json::Map::new();
/// attrs.insert("title".into(), "run 7".into());
/// let g = chunkwise::zarr::create_group(dir.path(), "/", attrs)?;
/// assert_eq!(g.attributes()["title"], "run 7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::AlreadyExists`] when a Zarr array or group is already at the path;
/// [`Error::Zarr`] when the directory cannot be written.
pub fn create_group(
    store_path: impl AsRef<Path>,
    group_path: &str,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> Result<ZarrGroup> {
    let store = Store::create(store_path.as_ref(), false)?;
    create_in(&store, group_path, attributes)
}

fn create_in(
    store: &Arc<Store>,
    group_path: &str,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> Result<ZarrGroup> {
    let group_path = normalize_node_path(group_path);
    // In an MPI job, rank 0 writes the metadata and the others open the group after it.
    crate::exec::first_rank_then_others(
        || create_alone(store, &group_path, attributes),
        || ZarrGroup::open(store, &group_path),
    )
}

fn create_alone(
    store: &Arc<Store>,
    group_path: &str,
    attributes: serde_json::Map<String, serde_json::Value>,
) -> Result<ZarrGroup> {
    let group_path = group_path.to_string();
    if store.is_node(&group_path) {
        return Err(Error::AlreadyExists {
            path: store.display(&group_path),
        });
    }
    let parts: Vec<&str> = group_path.split('/').filter(|p| !p.is_empty()).collect();
    for depth in 0..parts.len() {
        let parent = format!("/{}", parts[..depth].join("/"));
        if store.node_kind(&parent) != Some("group") {
            create_group_metadata(store, &parent, serde_json::Map::new())?;
        }
    }
    create_group_metadata(store, &group_path, attributes)?;
    ZarrGroup::open(store, &group_path)
}

/// What the directory or URL `path` holds: a Zarr array, a Zarr group (v2 or v3), or
/// neither (`None`, also when it does not exist or cannot be read). Reads only the
/// metadata document.
///
/// # Example
///
/// ```
/// use chunkwise::zarr::{node_kind, create_group, ZarrNodeKind};
/// let dir = tempfile::tempdir()?;
/// assert_eq!(node_kind(dir.path()), None);
/// create_group(dir.path(), "/", serde_json::Map::new())?;
/// assert_eq!(node_kind(dir.path()), Some(ZarrNodeKind::Group));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn node_kind(path: impl AsRef<Path>) -> Option<ZarrNodeKind> {
    let store = Store::open(path.as_ref(), false).ok()?;
    match store.node_kind("/")? {
        "array" => Some(ZarrNodeKind::Array),
        _ => Some(ZarrNodeKind::Group),
    }
}

/// Whether a node of a group's tree is an array or a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZarrNodeKind {
    /// An array.
    Array,
    /// A group.
    Group,
}

/// One node of a group's tree: its path inside the store and its kind.
///
/// # Example
///
/// See [`open_group`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ZarrNode {
    /// The node's path inside the store, such as `"/sub/b"`.
    pub path: String,
    /// Array or group.
    pub kind: ZarrNodeKind,
}

/// An open Zarr group.
///
/// # Example
///
/// See [`open_group`].
#[derive(Clone)]
pub struct ZarrGroup {
    group: Arc<Group<Store>>,
    store: Arc<Store>,
    group_path: String,
    display: String,
}

impl ZarrGroup {
    fn open(store: &Arc<Store>, group_path: &str) -> Result<ZarrGroup> {
        let group_path = normalize_node_path(group_path);
        let display = store.display(&group_path);
        if let Some(root) = store.local_root() {
            if !root.join(group_path.trim_start_matches('/')).is_dir() {
                return Err(zerr::zarr_problem(
                    &display,
                    "no such directory; check the store path and the group path",
                ));
            }
        }
        if store.probe_node_kind(&group_path)? == Some("array") {
            return Err(zerr::zarr_problem(
                &display,
                "is a Zarr array, not a group; open it with `open_array`",
            ));
        }
        let group =
            Group::open(store.clone(), &group_path).map_err(|e| zerr::open_group(&display, e))?;
        Ok(ZarrGroup {
            group: Arc::new(group),
            store: store.clone(),
            group_path,
            display,
        })
    }

    /// The store directory and group path, as messages name the group.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.display
    }

    /// The group's path inside its store (`"/"` for the root).
    #[must_use]
    pub fn group_path(&self) -> &str {
        &self.group_path
    }

    /// The user attributes.
    #[must_use]
    pub fn attributes(&self) -> &serde_json::Map<String, serde_json::Value> {
        self.group.attributes()
    }

    /// Replaces the user attributes, rewriting the metadata file atomically.
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let mut g = chunkwise::zarr::create_group(dir.path(), "/", serde_json::Map::new())?;
    /// let attrs = serde_json::json!({"source": "model"}).as_object().cloned().unwrap_or_default();
    /// g.set_attributes(attrs)?;
    /// assert_eq!(chunkwise::zarr::open_group(dir.path())?.attributes()["source"], "model");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] when the metadata cannot be written.
    pub fn set_attributes(
        &mut self,
        attributes: serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        let mut group = Group::open(self.store.clone(), &self.group_path)
            .map_err(|e| zerr::open_group(&self.display, e))?;
        *group.attributes_mut() = attributes;
        group
            .store_metadata()
            .map_err(|e| zerr::storage(&self.display, e))?;
        self.group = Arc::new(group);
        Ok(())
    }

    /// The paths of the arrays directly in this group, sorted.
    ///
    /// # Example
    ///
    /// See [`open_group`].
    ///
    /// # Errors
    ///
    /// [`Error::Zarr`] when a child's metadata cannot be read.
    pub fn arrays(&self) -> Result<Vec<String>> {
        if !self.store.listable() {
            return self.children(ZarrNodeKind::Array);
        }
        let mut out: Vec<String> = self
            .group
            .child_array_paths()
            .map_err(|e| zerr::node(&self.display, e))?
            .iter()
            .map(|p| p.as_str().to_string())
            .collect();
        out.sort();
        Ok(out)
    }

    /// The paths of the groups directly in this group, sorted.
    ///
    /// # Example
    ///
    /// See [`open_group`].
    ///
    /// # Errors
    ///
    /// As [`arrays`](Self::arrays).
    pub fn groups(&self) -> Result<Vec<String>> {
        if !self.store.listable() {
            return self.children(ZarrNodeKind::Group);
        }
        let mut out: Vec<String> = self
            .group
            .child_group_paths()
            .map_err(|e| zerr::node(&self.display, e))?
            .iter()
            .map(|p| p.as_str().to_string())
            .collect();
        out.sort();
        Ok(out)
    }

    /// Every array and group below this group, recursively, sorted by path.
    ///
    /// # Example
    ///
    /// See [`open_group`].
    ///
    /// # Errors
    ///
    /// As [`arrays`](Self::arrays).
    pub fn tree(&self) -> Result<Vec<ZarrNode>> {
        if !self.store.listable() {
            return self.consolidated();
        }
        let mut out: Vec<ZarrNode> = self
            .group
            .traverse()
            .map_err(|e| zerr::node(&self.display, e))?
            .into_iter()
            .filter(|(path, _)| path.as_str() != self.group_path)
            .map(|(path, meta)| ZarrNode {
                path: path.as_str().to_string(),
                kind: match meta {
                    NodeMetadata::Array(_) => ZarrNodeKind::Array,
                    NodeMetadata::Group(_) => ZarrNodeKind::Group,
                },
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// Opens the array `name` (a path relative to this group, or absolute in the store).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::zarr::{create_group, ZarrWriteOptions};
    /// let dir = tempfile::tempdir()?;
    /// let g = create_group(dir.path(), "/g", serde_json::Map::new())?;
    /// chunkwise::ones::<i8>(&[3], [3]).to_zarr(&ZarrWriteOptions::new(dir.path()).array_path("/g/x"))?.run()?;
    /// assert_eq!(g.open_array("x")?.shape(), &[3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open_array`](super::open_array).
    pub fn open_array(&self, name: &str) -> Result<ZarrArray> {
        ZarrArray::open(&self.store, &self.child_path(name))
    }

    /// Opens the group `name` (a path relative to this group, or absolute in the store).
    ///
    /// # Example
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let root = chunkwise::zarr::create_group(dir.path(), "/", serde_json::Map::new())?;
    /// root.create_group("inner", serde_json::Map::new())?;
    /// assert_eq!(root.open_group("inner")?.group_path(), "/inner");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open_group`].
    pub fn open_group(&self, name: &str) -> Result<ZarrGroup> {
        ZarrGroup::open(&self.store, &self.child_path(name))
    }

    /// Creates the group `name` inside this group, with `attributes`.
    ///
    /// # Example
    ///
    /// See [`open_group`](Self::open_group).
    ///
    /// # Errors
    ///
    /// As [`create_group`].
    pub fn create_group(
        &self,
        name: &str,
        attributes: serde_json::Map<String, serde_json::Value>,
    ) -> Result<ZarrGroup> {
        create_in(&self.store, &self.child_path(name), attributes)
    }

    /// The direct children of `kind`, from the consolidated metadata.
    fn children(&self, kind: ZarrNodeKind) -> Result<Vec<String>> {
        let depth = self.group_path.matches('/').count() + usize::from(self.group_path != "/");
        Ok(self
            .consolidated()?
            .into_iter()
            .filter(|n| n.kind == kind && n.path.matches('/').count() == depth)
            .map(|n| n.path)
            .collect())
    }

    /// Every node below this group, from its consolidated metadata (v3
    /// `consolidated_metadata` in `zarr.json`, or v2 `.zmetadata`): how a group is listed
    /// over plain HTTP, which has no list request.
    fn consolidated(&self) -> Result<Vec<ZarrNode>> {
        let no_listing = || {
            zerr::zarr_problem(
                &self.display,
                "cannot be listed: plain HTTP has no list request, and the group has no \
                 consolidated metadata (`consolidated_metadata` in `zarr.json`, or \
                 `.zmetadata`); consolidate it (zarr-python: `zarr.consolidate_metadata`) \
                 or open its arrays by path",
            )
        };
        let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).ok();
        let mut nodes: Vec<(String, ZarrNodeKind)> = Vec::new();
        let v3 = self
            .store
            .read_node_file(&self.group_path, "zarr.json")
            .and_then(|b| parse(&b));
        if let Some(map) = v3
            .as_ref()
            .and_then(|m| m.pointer("/consolidated_metadata/metadata"))
            .and_then(|m| m.as_object())
        {
            for (path, meta) in map {
                let kind = match meta.get("node_type").and_then(|t| t.as_str()) {
                    Some("array") => ZarrNodeKind::Array,
                    _ => ZarrNodeKind::Group,
                };
                nodes.push((path.clone(), kind));
            }
        } else if let Some(map) = self
            .store
            .read_node_file(&self.group_path, ".zmetadata")
            .and_then(|b| parse(&b))
            .as_ref()
            .and_then(|m| m.get("metadata"))
            .and_then(|m| m.as_object())
        {
            for key in map.keys() {
                let (path, kind) = if let Some(p) = key.strip_suffix(".zarray") {
                    (p, ZarrNodeKind::Array)
                } else if let Some(p) = key.strip_suffix(".zgroup") {
                    (p, ZarrNodeKind::Group)
                } else {
                    continue;
                };
                let path = path.trim_end_matches('/');
                if !path.is_empty() {
                    nodes.push((path.to_string(), kind));
                }
            }
        } else {
            return Err(no_listing());
        }
        let mut out: Vec<ZarrNode> = nodes
            .into_iter()
            .map(|(path, kind)| ZarrNode {
                path: self.child_path(&path),
                kind,
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out.dedup();
        Ok(out)
    }

    fn child_path(&self, name: &str) -> String {
        if name.starts_with('/') {
            normalize_node_path(name)
        } else {
            normalize_node_path(&format!("{}/{name}", self.group_path))
        }
    }
}

impl fmt::Debug for ZarrGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZarrGroup")
            .field("path", &self.display)
            .finish_non_exhaustive()
    }
}
