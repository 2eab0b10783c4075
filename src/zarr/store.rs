//! [`AtomicStore`], the file-system store chunkwise reads and writes Zarr through: reads,
//! listing and erasing are zarrs' `FilesystemStore`; every write goes to a temporary file
//! in the same directory that is then renamed over the destination.
//!
//! Why: zarrs' own store writes a chunk file in place (truncate, then write), so a crash
//! or a failed task in the middle of a write leaves a torn chunk that no longer decodes.
//! A rename within one directory is atomic on POSIX file systems and on NTFS, so a
//! reader sees either the old file or the new one, never half of each. With `durable`,
//! the file is synced before the rename and the directory after it, so the new chunk
//! also survives a power cut once the write has returned.
//!
//! Invariant: a write that fails removes its temporary file, so a failed computation
//! leaves no stray files behind (only a crash of the whole process can, and those files
//! start with `.` and end in `.chunkwise-tmp`, so Zarr readers ignore them).
//!
//! The store also counts reads and writes ([`IoStats`]), which tests use to check that a
//! slice reads only the chunks it touches.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    store_set_partial_many, Bytes, ListableStorageTraits, MaybeBytesIterator, OffsetBytesIterator,
    ReadableStorageTraits, StorageError, StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix,
    WritableStorageTraits,
};

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
pub(crate) struct AtomicStore {
    inner: FilesystemStore,
    root: PathBuf,
    durable: bool,
    reads: AtomicU64,
    bytes_read: AtomicU64,
    writes: AtomicU64,
    bytes_written: AtomicU64,
    temp_counter: AtomicU64,
}

impl AtomicStore {
    /// A store over the directory `root` (which need not exist yet).
    pub(crate) fn new(root: &Path, durable: bool) -> Result<AtomicStore> {
        let inner = FilesystemStore::new(root).map_err(|e| Error::Zarr {
            path: root.display().to_string(),
            problem: "cannot use this directory as a Zarr store".into(),
            source: Some(Box::new(e)),
        })?;
        Ok(AtomicStore {
            inner,
            root: root.to_path_buf(),
            durable,
            reads: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            bytes_written: AtomicU64::new(0),
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

    /// The counts so far.
    pub(crate) fn stats(&self) -> IoStats {
        IoStats {
            reads: self.reads.load(Ordering::Relaxed),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            bytes_written: self.bytes_written.load(Ordering::Relaxed),
        }
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

impl ReadableStorageTraits for AtomicStore {
    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> Result<MaybeBytesIterator<'a>, StorageError> {
        let Some(values) = self.inner.get_partial_many(key, byte_ranges)? else {
            return Ok(None);
        };
        let values: Vec<Result<Bytes, StorageError>> = values.collect();
        let bytes: usize = values.iter().flatten().map(Bytes::len).sum();
        self.reads.fetch_add(1, Ordering::Relaxed);
        self.bytes_read.fetch_add(bytes as u64, Ordering::Relaxed);
        Ok(Some(Box::new(values.into_iter())))
    }

    fn size_key(&self, key: &StoreKey) -> Result<Option<u64>, StorageError> {
        self.inner.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.inner.supports_get_partial()
    }
}

impl WritableStorageTraits for AtomicStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        let path = self.key_path(key);
        self.write_atomic(&path, &value)
            .map_err(|e| StorageError::Other(format!("cannot write `{}`: {e}", path.display())))?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.bytes_written
            .fetch_add(value.len() as u64, Ordering::Relaxed);
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
        self.inner.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> Result<(), StorageError> {
        self.inner.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl ListableStorageTraits for AtomicStore {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_whole_files_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let store = AtomicStore::new(dir.path(), true).unwrap();
        let key = StoreKey::new("a/c/0/0").unwrap();
        store.set(&key, Bytes::from_static(b"first")).unwrap();
        store.set(&key, Bytes::from_static(b"second")).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().as_ref(), b"second");
        let names: Vec<_> = fs::read_dir(dir.path().join("a/c/0"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("0")]);
        let stats = store.stats();
        assert_eq!((stats.reads, stats.writes), (1, 2));
    }
}
