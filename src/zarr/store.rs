//! [`Store`], the one store chunkwise reads and writes Zarr through: a directory on this
//! machine ([`Local`]) or a remote store over HTTP(S) or S3 ([`Remote`]), with the node-level
//! questions the rest of `zarr` asks (which kind of node is at a path, its identity, how to
//! name a key in a message) answered the same way for both.
//!
//! [`Local`]: reads, listing and erasing are zarrs' `FilesystemStore`; every write goes to a
//! temporary file in the same directory that is then renamed over the destination. Why:
//! zarrs' own store writes a chunk file in place (truncate, then write), so a crash or a
//! failed task in the middle of a write leaves a torn chunk that no longer decodes. A rename
//! within one directory is atomic on POSIX file systems and on NTFS, so a reader sees either
//! the old file or the new one, never half of each. With `durable`, the file is synced before
//! the rename and the directory after it, so the new chunk also survives a power cut once
//! the write has returned. A write that fails removes its temporary file, so a failed
//! computation leaves no stray files behind (only a crash of the whole process can, and
//! those files start with `.` and end in `.chunkwise-tmp`, so Zarr readers ignore them).
//!
//! [`Remote`] (`remote.rs`): S3 writes are single PUTs of whole objects, atomic by nature.
//!
//! The store also counts reads and writes ([`IoStats`]), which tests use to check that a
//! slice reads only the chunks it touches.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    store_set_partial_many, Bytes, ListableStorageTraits, MaybeBytesIterator, OffsetBytesIterator,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
    WritableStorageTraits,
};

use super::location::Location;
use super::remote::{ReadAhead, Remote, WriteBehind};
use crate::error::{Error, Result};

/// The suffix of temporary files; a file with it is never a finished chunk.
pub(crate) const TEMP_SUFFIX: &str = ".chunkwise-tmp";

/// Counts of the reads and writes a Zarr array's store has served.
///
/// # Example
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.zarr");
/// let x = chunkwise::arange(0.0f64, 100.0, 1.0, [10]);
/// x.to_zarr(&chunkwise::zarr::ZarrWriteOptions::new(&path))?.run()?;
/// let z = chunkwise::zarr::open_array(&path)?;
/// let before = z.io_stats();
/// let x = z.to_lazy::<f64>(Some(chunkwise::Chunks::Uniform(vec![10])))?;
/// x.slice(ndarray::s![25..35]).compute()?; // touches chunks 2 and 3
/// assert_eq!(z.io_stats().reads - before.reads, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IoStats {
    /// Values (chunk, shard or metadata files, or byte ranges of them) read and found.
    pub reads: u64,
    /// Bytes read, as stored (compressed).
    pub bytes_read: u64,
    /// Values written.
    pub writes: u64,
    /// Bytes written, as stored (compressed).
    pub bytes_written: u64,
}

/// A zarrs store over a directory that never leaves a torn file; see the module docs.
#[derive(Debug)]
pub(crate) struct Local {
    inner: FilesystemStore,
    root: PathBuf,
    durable: bool,
    temp_counter: AtomicU64,
}

impl Local {
    /// A store over the directory `root` (which need not exist yet).
    pub(crate) fn new(root: &Path, durable: bool) -> Result<Local> {
        let inner = FilesystemStore::new(root).map_err(|e| Error::Zarr {
            path: root.display().to_string(),
            problem: "cannot use this directory as a Zarr store".into(),
            source: Some(Box::new(e)),
        })?;
        Ok(Local {
            inner,
            root: root.to_path_buf(),
            durable,
            temp_counter: AtomicU64::new(0),
        })
    }

    /// The store's directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The file holding `key`.
    pub(crate) fn key_path(&self, key: &StoreKey) -> PathBuf {
        self.inner.key_to_fspath(key)
    }

    /// Writes `value` to `path` through a temporary file renamed into place.
    fn write_atomic(&self, path: &Path, value: &[u8]) -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let n = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{n}{TEMP_SUFFIX}", std::process::id()));
        let written = (|| {
            let mut file = fs::File::create(&temp)?;
            file.write_all(value)?;
            if self.durable {
                file.sync_all()?;
            }
            drop(file);
            fs::rename(&temp, path)
        })();
        if let Err(e) = written {
            // Best effort: the write already failed, and the error that matters is `e`.
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
        if self.durable {
            // Makes the rename itself durable (a no-op where directories cannot be opened).
            if let Ok(d) = fs::File::open(dir) {
                d.sync_all()?;
            }
        }
        Ok(())
    }
}

impl ReadableStorageTraits for Local {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        self.inner.get_partial_many(key, byte_ranges)
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl WritableStorageTraits for Local {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let path = self.key_path(key);
        self.write_atomic(&path, &value)
            .map_err(|e| StorageError::Other(format!("cannot write `{}`: {e}", path.display())))
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        // Read, patch and replace the whole value, so the update is atomic too.
        store_set_partial_many(self, key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.inner.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl ListableStorageTraits for Local {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.inner.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.inner.list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.inner.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.inner.size_prefix(prefix)
    }
}

/// Where a [`Store`]'s values live.
#[derive(Debug)]
enum Backend {
    Local(Local),
    Remote(Remote),
}

/// The store of an open array or group; see the module docs.
#[derive(Debug)]
pub(crate) struct Store {
    backend: Backend,
    location: Location,
    reads: AtomicU64,
    bytes_read: AtomicU64,
    writes: AtomicU64,
    bytes_written: AtomicU64,
}

/// The metadata documents a node may have, v3 first.
const METADATA_KEYS: [&str; 3] = ["zarr.json", ".zarray", ".zgroup"];

impl Store {
    fn with_backend(backend: Backend, location: Location) -> Arc<Store> {
        Arc::new(Store {
            backend,
            location,
            reads: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            bytes_written: AtomicU64::new(0),
        })
    }

    /// Opens the existing store at `path` (a directory or a URL; see `location.rs`).
    pub(crate) fn open(path: &Path, durable: bool) -> Result<Arc<Store>> {
        let location = Location::parse(path)?;
        if let Location::Local(dir) = &location {
            if !dir.is_dir() {
                let problem = if dir.exists() {
                    "is a file, not a Zarr store directory; give the directory that holds \
                     `zarr.json`"
                } else {
                    "no such directory; check the path"
                };
                return Err(super::error::zarr_problem(
                    dir.display().to_string(),
                    problem,
                ));
            }
            let canonical = dir.canonicalize().map_err(|e| {
                super::error::zarr_error(dir.display().to_string(), "cannot resolve the path", e)
            })?;
            let local = Local::new(&canonical, durable)?;
            return Ok(Store::with_backend(
                Backend::Local(local),
                Location::Local(canonical),
            ));
        }
        let remote = Remote::open(&location)?;
        Ok(Store::with_backend(Backend::Remote(remote), location))
    }

    /// Opens the store at `path` to write into, creating a local directory if missing;
    /// HTTP(S) stores are refused (chunkwise only reads them).
    pub(crate) fn create(path: &Path, durable: bool) -> Result<Arc<Store>> {
        match Location::parse(path)? {
            Location::Local(dir) => {
                fs::create_dir_all(&dir).map_err(|e| {
                    super::error::zarr_error(
                        dir.display().to_string(),
                        "cannot create the store directory",
                        e,
                    )
                })?;
                Store::open(&dir, durable)
            }
            Location::Http(url) => Err(super::error::zarr_problem(
                url,
                "HTTP(S) stores are read-only; write to an s3:// URL or a local path",
            )),
            location @ Location::S3 { .. } => {
                let remote = Remote::open(&location)?;
                Ok(Store::with_backend(Backend::Remote(remote), location))
            }
        }
    }

    /// The local directory, for a store on this machine.
    pub(crate) fn local_root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local(l) => Some(l.root()),
            Backend::Remote(_) => None,
        }
    }

    /// True for HTTP(S) and S3 stores.
    pub(crate) fn is_remote(&self) -> bool {
        self.location.is_remote()
    }

    /// How messages name the node at `node_path`: the store's directory or URL joined with it.
    pub(crate) fn display(&self, node_path: &str) -> String {
        let rel = node_path.trim_matches('/');
        match &self.backend {
            Backend::Local(l) if rel.is_empty() => l.root().display().to_string(),
            Backend::Local(l) => l.root().join(rel).display().to_string(),
            Backend::Remote(_) if rel.is_empty() => self.location.to_string(),
            Backend::Remote(_) => format!("{}/{rel}", self.location),
        }
    }

    /// How messages name `key`: its file or its URL.
    pub(crate) fn key_display(&self, key: &StoreKey) -> String {
        match &self.backend {
            Backend::Local(l) => l.key_path(key).display().to_string(),
            Backend::Remote(r) => r.key_url(key.as_str()),
        }
    }

    /// The key of `name` in the node at `node_path`.
    pub(crate) fn node_key(node_path: &str, name: &str) -> Option<StoreKey> {
        let rel = node_path.trim_matches('/');
        let key = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        StoreKey::new(key).ok()
    }

    /// The value of `name` in the node at `node_path`, if it can be read.
    pub(crate) fn read_node_file(&self, node_path: &str, name: &str) -> Option<Bytes> {
        let key = Store::node_key(node_path, name)?;
        self.get(&key).ok().flatten()
    }

    /// True when `name` exists in the node at `node_path` (a cheap check on a local store).
    pub(crate) fn has_node_file(&self, node_path: &str, name: &str) -> bool {
        match &self.backend {
            Backend::Local(l) => {
                Store::node_key(node_path, name).is_some_and(|k| l.key_path(&k).exists())
            }
            Backend::Remote(_) => self.read_node_file(node_path, name).is_some(),
        }
    }

    /// True when the node at `node_path` has any Zarr metadata document.
    pub(crate) fn is_node(&self, node_path: &str) -> bool {
        METADATA_KEYS
            .iter()
            .any(|m| self.has_node_file(node_path, m))
    }

    /// `"array"` or `"group"` when the metadata at `node_path` says which (v3
    /// `node_type`, or the v2 metadata file's name); `None` when there is none or it
    /// cannot be read.
    pub(crate) fn node_kind(&self, node_path: &str) -> Option<&'static str> {
        self.probe_node_kind(node_path).ok().flatten()
    }

    /// As [`Store::node_kind`], but a store that cannot be read (a 403, a server that
    /// keeps failing) is an error naming the URL, not `None`.
    pub(crate) fn probe_node_kind(&self, node_path: &str) -> Result<Option<&'static str>> {
        let get = |name: &str| -> Result<Option<Bytes>> {
            let Some(key) = Store::node_key(node_path, name) else {
                return Ok(None);
            };
            if let Backend::Local(l) = &self.backend {
                if !l.key_path(&key).exists() {
                    return Ok(None);
                }
            }
            self.get(&key)
                .map_err(|e| super::error::storage(&self.key_display(&key), e))
        };
        if let Some(bytes) = get("zarr.json")? {
            let Ok(meta) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                return Ok(None);
            };
            return Ok(match meta.get("node_type").and_then(|t| t.as_str()) {
                Some("array") => Some("array"),
                Some("group") => Some("group"),
                _ => None,
            });
        }
        if get(".zarray")?.is_some() {
            Ok(Some("array"))
        } else if get(".zgroup")?.is_some() {
            Ok(Some("group"))
        } else {
            Ok(None)
        }
    }

    /// A stable identity for the array at `node_path`, whose metadata is `metadata`: its
    /// location, plus what changes when it is rewritten (the metadata file's modification
    /// time and length on a local store; on a remote one, which has no cheap modification
    /// time, a hash of the metadata already read, so opening asks for nothing more).
    pub(crate) fn identity(
        &self,
        node_path: &str,
        metadata: &zarrs::metadata::ArrayMetadata,
    ) -> String {
        let stamp = match &self.backend {
            Backend::Local(l) => METADATA_KEYS[..2]
                .iter()
                .filter_map(|name| Store::node_key(node_path, name))
                .find_map(|k| fs::metadata(l.key_path(&k)).ok())
                .map(|m| {
                    let nanos = m
                        .modified()
                        .ok()
                        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                        .map_or(0, |d| d.as_nanos());
                    format!("{nanos}:{}", m.len())
                })
                .unwrap_or_default(),
            Backend::Remote(_) => serde_json::to_vec(metadata)
                .map(|b| blake3::hash(&b).to_hex().to_string())
                .unwrap_or_default(),
        };
        format!("zarr:{}:{node_path}:{stamp}", self.location)
    }

    /// Starts fetching `keys` ahead of the tasks that will read them (remote stores only;
    /// see `remote.rs`), at most `concurrency` requests in flight and `window` values
    /// fetched and not yet taken.
    pub(crate) fn read_ahead(
        &self,
        keys: Vec<StoreKey>,
        concurrency: usize,
        window: usize,
    ) -> Option<ReadAhead> {
        match &self.backend {
            Backend::Local(_) => None,
            Backend::Remote(r) => Some(r.read_ahead(keys, concurrency, window)),
        }
    }

    /// True when keys can be listed (not an HTTP(S) store, which has no list request).
    pub(crate) fn listable(&self) -> bool {
        !matches!(self.location, Location::Http(_))
    }

    /// Lets writes return before they are stored (remote stores only; see `remote.rs`),
    /// at most `requests` and `bytes` in flight, until the guard drops.
    pub(crate) fn write_behind(&self, requests: usize, bytes: u64) -> Option<WriteBehind> {
        match &self.backend {
            Backend::Remote(r) if self.listable() => Some(r.write_behind(requests, bytes)),
            _ => None,
        }
    }

    /// The first background write that failed since the last call.
    pub(crate) fn take_write_failure(&self) -> Option<String> {
        match &self.backend {
            Backend::Remote(r) => r.take_write_failure(),
            Backend::Local(_) => None,
        }
    }

    /// The counts so far.
    pub(crate) fn stats(&self) -> IoStats {
        IoStats {
            reads: self.reads.load(Ordering::Relaxed),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            bytes_written: self.bytes_written.load(Ordering::Relaxed),
        }
    }

    fn count_read(&self, bytes: usize) {
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.bytes_read.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    fn readable(&self) -> &dyn ReadableStorageTraits {
        match &self.backend {
            Backend::Local(l) => l,
            Backend::Remote(r) => r,
        }
    }

    fn writable_backend(&self) -> &dyn WritableStorageTraits {
        match &self.backend {
            Backend::Local(l) => l,
            Backend::Remote(r) => r,
        }
    }

    fn listing_backend(&self) -> &dyn ListableStorageTraits {
        match &self.backend {
            Backend::Local(l) => l,
            Backend::Remote(r) => r,
        }
    }
}

impl ReadableStorageTraits for Store {
    fn get(&self, key: &StoreKey) -> Result<zarrs::storage::MaybeBytes, StorageError> {
        let value = self.readable().get(key)?;
        if let Some(v) = &value {
            self.count_read(v.len());
        }
        Ok(value)
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let Some(values) = self.readable().get_partial_many(key, byte_ranges)? else {
            return Ok(None);
        };
        let values: Vec<Result<Bytes, StorageError>> = values.collect();
        let bytes: usize = values.iter().flatten().map(Bytes::len).sum();
        self.count_read(bytes);
        Ok(Some(Box::new(values.into_iter())))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.readable().size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.readable().supports_get_partial()
    }
}

impl WritableStorageTraits for Store {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let len = value.len();
        self.writable_backend().set(key, value)?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.bytes_written.fetch_add(len as u64, Ordering::Relaxed);
        Ok(())
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        // Read, patch and replace the whole value, so the update is atomic too.
        store_set_partial_many(self, key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> Result<(), StorageError> {
        self.writable_backend().erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.writable_backend().erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl ListableStorageTraits for Store {
    fn list(&self) -> Result<StoreKeys, StorageError> {
        self.listing_backend().list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> Result<StoreKeys, StorageError> {
        self.listing_backend().list_prefix(prefix)
    }

    fn list_dir(&self, prefix: &StorePrefix) -> Result<StoreKeysPrefixes, StorageError> {
        self.listing_backend().list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> Result<u64, StorageError> {
        self.listing_backend().size_prefix(prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_whole_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), true).unwrap();
        let key = StoreKey::new("a/c/0/0").unwrap();
        store.set(&key, Bytes::from_static(b"first")).unwrap();
        store.set(&key, Bytes::from_static(b"second")).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().as_ref(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path().canonicalize().unwrap().join("a/c/0"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("0")]);
        let stats = store.stats();
        assert_eq!((stats.reads, stats.writes), (1, 2));
    }
}
