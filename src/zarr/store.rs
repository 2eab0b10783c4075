//! [`AtomicStore`]: a filesystem store whose writes are all-or-nothing. zarrs' own
//! `FilesystemStore` writes a chunk file in place (truncate, write, fsync), so a process
//! killed mid-write leaves a torn chunk; here every value is written to a temporary file
//! in the same directory and renamed over its key, which on POSIX filesystems replaces the
//! old file atomically. `durable` adds an fsync of the file before the rename and of the
//! directory after it. Reads, listings and erasures go to zarrs' store.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use zarrs::filesystem::FilesystemStore;
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::{
    Bytes, ListableStorageTraits, MaybeBytesIterator, ReadableStorageTraits, StorageError,
    StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix, WritableStorageTraits,
};

/// A filesystem store with atomic (temporary file + rename) writes.
#[derive(Debug)]
pub(crate) struct AtomicStore {
    inner: FilesystemStore,
    root: PathBuf,
    durable: bool,
    counter: AtomicU64,
}

/// The prefix of temporary files; a leftover one (after a kill) is never a Zarr key.
pub(crate) const TEMP_PREFIX: &str = ".chunkwise-tmp-";

impl AtomicStore {
    pub(crate) fn new(root: PathBuf, durable: bool) -> Result<AtomicStore, String> {
        let inner = FilesystemStore::new(&root).map_err(|e| e.to_string())?;
        Ok(AtomicStore {
            inner,
            root,
            durable,
            counter: AtomicU64::new(0),
        })
    }

    fn write_atomically(&self, key: &StoreKey, value: &[u8]) -> std::io::Result<()> {
        let target = self.inner.key_to_fspath(key);
        let dir = target
            .parent()
            .map_or_else(|| self.root.clone(), PathBuf::from);
        std::fs::create_dir_all(&dir)?;
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!("{TEMP_PREFIX}{}-{n}", std::process::id()));
        let result = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(value)?;
            if self.durable {
                file.sync_all()?;
            }
            drop(file);
            std::fs::rename(&temp, &target)?;
            if self.durable {
                std::fs::File::open(&dir)?.sync_all()?;
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }
}

impl ReadableStorageTraits for AtomicStore {
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

impl WritableStorageTraits for AtomicStore {
    fn set(&self, key: &StoreKey, value: Bytes) -> Result<(), StorageError> {
        self.write_atomically(key, &value)
            .map_err(|e| StorageError::IOError(Arc::new(e)))
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: zarrs::storage::OffsetBytesIterator,
    ) -> Result<(), StorageError> {
        // Never in place: read, patch, and write the whole value atomically.
        let mut bytes = self.inner.get(key)?.map(|b| b.to_vec()).unwrap_or_default();
        for (offset, value) in offset_values {
            let start =
                usize::try_from(offset).map_err(|_| StorageError::Unsupported("offset".into()))?;
            if bytes.len() < start + value.len() {
                bytes.resize(start + value.len(), 0);
            }
            bytes[start..start + value.len()].copy_from_slice(&value);
        }
        self.write_atomically(key, &bytes)
            .map_err(|e| StorageError::IOError(Arc::new(e)))
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
