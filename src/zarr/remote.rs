//! [`Remote`], a Zarr store behind HTTP(S) or in S3: zarrs' `object_store` adapter,
//! driven by one small I/O runtime, with reads fetched ahead of compute many at a time.
//!
//! Why a read-ahead: zarrs' synchronous API reads a chunk when a task asks for it, so with
//! two compute threads two requests are in flight, and 50 ms of latency per request caps a
//! read at 40 chunks a second. Before a computation runs, the planner tells each reader the
//! boxes its tasks will read, in task order (the executor's static priority, so about the
//! order they run in); the reader names the chunk keys under them and [`Remote::read_ahead`]
//! fetches those keys on the I/O runtime, `io_concurrency` at a time, while the compute
//! threads decode and compute. A task that finds its chunk fetched takes it; one that
//! finds it in flight waits for it; one that comes first fetches it itself, and the
//! read-ahead skips it.
//!
//! What bounds it: at most `io_concurrency` requests in flight, and at most `window`
//! fetched values not yet taken by a task (each at most a chunk's decoded size, so the
//! window's bytes are reserved from the memory budget before the tasks are admitted; see
//! `crate::compute`). The read-ahead ends with the computation (its guard is dropped),
//! dropping whatever was fetched and not taken.
//!
//! Writes go behind the tasks the same way: while a computation's write-behind runs
//! ([`Remote::write_behind`], started through `BlockWriter::write_behind`), `set` starts
//! the PUT on the I/O runtime and returns, waiting only for room (at most `requests` PUTs
//! and `bytes` in flight, the bytes reserved from the budget like the read window). A read,
//! erase or listing of a key waits for its PUT, so a task that patches a chunk an earlier
//! task wrote reads the new value; the guard's drop waits for every PUT, and the first
//! failure is reported by [`Remote::take_write_failure`] (the computation's error). Outside
//! a computation (metadata) every write completes before `set` returns.
//!
//! Retries are `object_store`'s: transient failures (HTTP 429 and 5xx, timeouts, connection
//! resets) are retried with exponential backoff and jitter, up to [`io_attempts`] attempts in
//! all; permanent ones (403, 400) fail at once. A missing key (404) is `None`: a missing
//! chunk reads as the fill value, as on a file system. Writes are single PUTs of whole
//! values, so an object is replaced whole or not at all.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::http::HttpBuilder;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};
use parking_lot::Mutex;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use zarrs::storage::byte_range::ByteRangeIterator;
use zarrs::storage::storage_adapter::async_to_sync::{
    AsyncToSyncBlockOn, AsyncToSyncStorageAdapter,
};
use zarrs::storage::{
    AsyncReadableStorageTraits, AsyncWritableStorageTraits, Bytes, ListableStorageTraits,
    MaybeBytes, MaybeBytesIterator, OffsetBytesIterator, ReadableStorageTraits, StorageError,
    StoreKey, StoreKeys, StoreKeysPrefixes, StorePrefix, WritableStorageTraits,
};
use zarrs_object_store::AsyncObjectStore;

use super::location::Location;
use crate::error::{Error, Result};

/// Attempts per request when none is set: the first and four retries.
pub const DEFAULT_IO_ATTEMPTS: u32 = 5;

static IO_ATTEMPTS: AtomicU32 = AtomicU32::new(DEFAULT_IO_ATTEMPTS);

/// Sets how many times a request to a remote store is tried before its error is reported
/// (at least 1; the default is [`DEFAULT_IO_ATTEMPTS`]). Applies to stores opened after
/// the call; the command line's `--io-attempts` sets it.
///
/// # Example
///
/// ```
/// chunkwise::zarr::set_io_attempts(3);
/// assert_eq!(chunkwise::zarr::io_attempts(), 3);
/// chunkwise::zarr::set_io_attempts(chunkwise::zarr::DEFAULT_IO_ATTEMPTS);
/// ```
pub fn set_io_attempts(attempts: u32) {
    IO_ATTEMPTS.store(attempts.max(1), Ordering::Relaxed);
}

/// How many times a request to a remote store is tried; see [`set_io_attempts`].
///
/// # Example
///
/// ```
/// assert!(chunkwise::zarr::io_attempts() >= 1);
/// ```
#[must_use]
pub fn io_attempts() -> u32 {
    IO_ATTEMPTS.load(Ordering::Relaxed)
}

/// The process's I/O runtime: two threads are plenty to drive hundreds of requests.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("chunkwise-io")
            .enable_all()
            .build()
            .expect("the I/O runtime starts (its threads could not be created)")
    })
}

/// Runs a future on the I/O runtime from a compute thread (never from inside it).
#[derive(Clone, Copy, Debug)]
struct BlockOn;

impl AsyncToSyncBlockOn for BlockOn {
    fn block_on<F: Future>(&self, future: F) -> F::Output {
        runtime().block_on(future)
    }
}

type Objects = AsyncObjectStore<Arc<dyn ObjectStore>>;

/// A fetched or in-flight value of the read-ahead, with its place in the window.
struct Fetched {
    value: oneshot::Receiver<std::result::Result<MaybeBytes, StorageError>>,
    _window: OwnedSemaphorePermit,
}

/// The read-ahead's state, shared by the store and the feeder.
#[derive(Default)]
struct Ahead {
    fetched: BTreeMap<String, Fetched>,
    /// Keys a task read itself while a read-ahead ran: the feeder skips them.
    taken: BTreeSet<String>,
    /// Read-aheads running.
    active: usize,
}

/// A store over HTTP(S) (read-only) or S3; see the module docs.
pub(crate) struct Remote {
    url: String,
    writable: bool,
    objects: Arc<Objects>,
    sync: AsyncToSyncStorageAdapter<Objects, BlockOn>,
    ahead: Arc<Mutex<Ahead>>,
    behind: Arc<Behind>,
}

/// The write-behind's state: PUTs in flight by key, the limits while a computation runs,
/// and the first failure.
#[derive(Default)]
struct Behind {
    state: Mutex<BehindState>,
    changed: parking_lot::Condvar,
}

#[derive(Default)]
struct BehindState {
    /// PUTs in flight, by key (a key is written again only once its last PUT ended).
    in_flight: BTreeSet<String>,
    /// Bytes in flight.
    bytes: u64,
    /// While a computation runs: (requests, bytes) in flight at most. `None`: every
    /// write completes before `set` returns (metadata, and writes outside a computation).
    limits: Option<(usize, u64)>,
    /// Write-behinds running.
    active: usize,
    /// The first PUT that failed since the last [`Remote::take_write_failure`].
    failure: Option<String>,
}

impl Behind {
    /// Waits until `key` has no PUT in flight.
    fn wait_key(&self, key: &str) {
        let mut st = self.state.lock();
        while st.in_flight.contains(key) {
            self.changed.wait(&mut st);
        }
    }

    /// Waits until nothing is in flight.
    fn wait_all(&self) {
        let mut st = self.state.lock();
        while !st.in_flight.is_empty() {
            self.changed.wait(&mut st);
        }
    }
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            base: 2.0,
        },
        max_retries: (io_attempts() - 1) as usize,
        retry_timeout: Duration::from_secs(180),
    }
}

fn client_options() -> ClientOptions {
    ClientOptions::new()
        .with_timeout(Duration::from_secs(60))
        .with_connect_timeout(Duration::from_secs(10))
        .with_pool_max_idle_per_host(256)
}

/// True when the environment or the AWS files give credentials, so requests are signed;
/// otherwise S3 is read anonymously (public buckets), unless `AWS_SKIP_SIGNATURE` says
/// otherwise.
fn has_credentials(builder: &AmazonS3Builder) -> bool {
    use object_store::aws::AmazonS3ConfigKey as K;
    builder.get_config_value(&K::AccessKeyId).is_some()
        || std::env::var_os("AWS_WEB_IDENTITY_TOKEN_FILE").is_some()
        || std::env::var_os("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || std::env::var_os("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
}

/// Settings from `~/.aws/credentials` and `~/.aws/config` for the profile `AWS_PROFILE`
/// (or `default`), for the keys the environment does not set.
fn with_aws_files(mut builder: AmazonS3Builder) -> AmazonS3Builder {
    use object_store::aws::AmazonS3ConfigKey as K;
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    let Some(home) = std::env::var_os("HOME").map(std::path::PathBuf::from) else {
        return builder;
    };
    let credentials = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map_or_else(|| home.join(".aws/credentials"), Into::into);
    let config =
        std::env::var_os("AWS_CONFIG_FILE").map_or_else(|| home.join(".aws/config"), Into::into);
    let sections = [
        (credentials, profile.clone()),
        (config.clone(), format!("profile {profile}")),
        (config, profile),
    ];
    let keys = [
        ("aws_access_key_id", K::AccessKeyId),
        ("aws_secret_access_key", K::SecretAccessKey),
        ("aws_session_token", K::Token),
        ("region", K::Region),
        ("endpoint_url", K::Endpoint),
    ];
    for (file, section) in sections {
        let Ok(ini) = ini::Ini::load_from_file(&file) else {
            continue;
        };
        let Some(props) = ini.section(Some(section.as_str())) else {
            continue;
        };
        for (name, key) in &keys {
            if builder.get_config_value(key).is_none() {
                if let Some(value) = props.get(*name) {
                    builder = builder.with_config(*key, value);
                }
            }
        }
    }
    builder
}

impl Remote {
    /// Opens the store at `location` (HTTP(S) or S3). Nothing is requested yet.
    pub(crate) fn open(location: &Location) -> Result<Remote> {
        let fail = |e: object_store::Error| Error::Zarr {
            path: location.to_string(),
            problem: "cannot open this remote store".into(),
            source: Some(Box::new(e)),
        };
        let (objects, writable): (Arc<dyn ObjectStore>, bool) = match location {
            Location::Http(url) => {
                let store = HttpBuilder::new()
                    .with_url(url.clone())
                    .with_client_options(client_options().with_allow_http(true))
                    .with_retry(retry_config())
                    .build()
                    .map_err(fail)?;
                (Arc::new(store), false)
            }
            Location::S3 { bucket, prefix } => {
                use object_store::aws::AmazonS3ConfigKey as K;
                use object_store::ClientConfigKey as C;
                let mut builder = with_aws_files(AmazonS3Builder::from_env());
                let endpoint = builder.get_config_value(&K::Endpoint).unwrap_or_default();
                if endpoint.starts_with("http://") {
                    builder = builder.with_allow_http(true);
                }
                if builder.get_config_value(&K::Region).is_none() {
                    builder = builder.with_region("us-east-1");
                }
                if !has_credentials(&builder)
                    && builder.get_config_value(&K::SkipSignature).is_none()
                {
                    builder = builder.with_skip_signature(true);
                }
                let store = builder
                    .with_bucket_name(bucket.clone())
                    .with_config(K::Client(C::Timeout), "60s")
                    .with_config(K::Client(C::ConnectTimeout), "10s")
                    .with_config(K::Client(C::PoolMaxIdlePerHost), "256")
                    .with_retry(retry_config())
                    .build()
                    .map_err(fail)?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(store)
                } else {
                    Arc::new(PrefixStore::new(store, prefix.as_str()))
                };
                (store, true)
            }
            Location::Local(_) => {
                return Err(Error::internal(
                    "zarr::remote",
                    "a local path is not a remote store",
                ))
            }
        };
        let objects = Arc::new(AsyncObjectStore::new(objects));
        Ok(Remote {
            url: location.to_string(),
            writable,
            sync: AsyncToSyncStorageAdapter::new(objects.clone(), BlockOn),
            objects,
            ahead: Arc::default(),
            behind: Arc::default(),
        })
    }

    /// The URL of `key`.
    pub(crate) fn key_url(&self, key: &str) -> String {
        format!("{}/{key}", self.url)
    }

    /// Starts fetching `keys`, in order, at most `concurrency` at a time and at most
    /// `window` fetched and not yet taken; see the module docs. Fetching stops when the
    /// returned guard is dropped.
    pub(crate) fn read_ahead(
        &self,
        keys: Vec<StoreKey>,
        concurrency: usize,
        window: usize,
    ) -> ReadAhead {
        let window = Arc::new(Semaphore::new(window.max(1)));
        let requests = Arc::new(Semaphore::new(concurrency.max(1)));
        self.ahead.lock().active += 1;
        let (ahead, objects, slots) = (self.ahead.clone(), self.objects.clone(), window.clone());
        runtime().spawn(async move {
            for key in keys {
                let Ok(place) = slots.clone().acquire_owned().await else {
                    return; // the guard closed the window: the computation ended
                };
                let Ok(request) = requests.clone().acquire_owned().await else {
                    return;
                };
                if slots.is_closed() {
                    return;
                }
                let (tx, rx) = oneshot::channel();
                {
                    let mut a = ahead.lock();
                    let name = key.as_str();
                    if a.taken.contains(name) || a.fetched.contains_key(name) {
                        continue;
                    }
                    a.fetched.insert(
                        name.to_string(),
                        Fetched {
                            value: rx,
                            _window: place,
                        },
                    );
                }
                let objects = objects.clone();
                tokio::spawn(async move {
                    let value = objects.get(&key).await;
                    drop(request);
                    let _ = tx.send(value);
                });
            }
        });
        ReadAhead {
            ahead: self.ahead.clone(),
            window,
        }
    }
}

impl Remote {
    /// Lets `set` return before its PUT completes, at most `requests` PUTs and `bytes` in
    /// flight, until the returned guard drops (which waits for them all).
    pub(crate) fn write_behind(&self, requests: usize, bytes: u64) -> WriteBehind {
        let mut st = self.behind.state.lock();
        st.active += 1;
        st.limits = Some((requests.max(1), bytes.max(1)));
        WriteBehind {
            behind: self.behind.clone(),
        }
    }

    /// The first background PUT that failed since the last call, as a message naming
    /// its URL.
    pub(crate) fn take_write_failure(&self) -> Option<String> {
        self.behind.state.lock().failure.take()
    }

    /// Stores `value` at `key`: in the background while a write-behind runs (waiting
    /// for room under its limits), else before returning.
    fn put(&self, key: &StoreKey, value: Bytes) -> std::result::Result<(), StorageError> {
        let name = key.as_str().to_string();
        let len = value.len() as u64;
        {
            let mut st = self.behind.state.lock();
            loop {
                let Some((requests, bytes)) = st.limits else {
                    drop(st);
                    self.behind.wait_key(&name);
                    return BlockOn.block_on(self.objects.set(key, value));
                };
                let room = st.in_flight.len() < requests
                    && (st.bytes + len <= bytes || st.in_flight.is_empty());
                if room && !st.in_flight.contains(&name) {
                    break;
                }
                self.behind.changed.wait(&mut st);
            }
            st.in_flight.insert(name.clone());
            st.bytes += len;
        }
        let (objects, behind, key, url) = (
            self.objects.clone(),
            self.behind.clone(),
            key.clone(),
            self.key_url(&name),
        );
        runtime().spawn(async move {
            let result = objects.set(&key, value).await;
            let mut st = behind.state.lock();
            st.in_flight.remove(key.as_str());
            st.bytes -= len;
            if let Err(e) = result {
                st.failure
                    .get_or_insert_with(|| format!("writing `{url}` failed: {e}"));
            }
            drop(st);
            behind.changed.notify_all();
        });
        Ok(())
    }
}

/// A running write-behind; dropping it waits for every PUT in flight and makes writes
/// synchronous again once no other write-behind runs.
pub(crate) struct WriteBehind {
    behind: Arc<Behind>,
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        self.behind.wait_all();
        let mut st = self.behind.state.lock();
        st.active -= 1;
        if st.active == 0 {
            st.limits = None;
        }
    }
}

/// A running read-ahead; dropping it stops it and drops what it fetched and no task took.
pub(crate) struct ReadAhead {
    ahead: Arc<Mutex<Ahead>>,
    window: Arc<Semaphore>,
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.window.close();
        let mut a = self.ahead.lock();
        a.active -= 1;
        if a.active == 0 {
            a.fetched.clear();
            a.taken.clear();
        }
    }
}

impl Remote {
    /// The read-ahead's value of `key`, when it fetched it (waiting while it is in
    /// flight); otherwise notes that a task reads `key` itself, so the read-ahead skips it.
    fn take_fetched(
        &self,
        key: &StoreKey,
    ) -> Option<std::result::Result<MaybeBytes, StorageError>> {
        let fetched = {
            let mut a = self.ahead.lock();
            let fetched = a.fetched.remove(key.as_str());
            if fetched.is_none() && a.active > 0 {
                a.taken.insert(key.as_str().to_string());
            }
            fetched
        };
        BlockOn.block_on(fetched?.value).ok()
    }
}

/// `ranges` of `bytes`, or an error naming `key` when one falls outside it.
fn slice_ranges(
    key: &StoreKey,
    bytes: &Bytes,
    ranges: &[zarrs::storage::byte_range::ByteRange],
) -> std::result::Result<Vec<Bytes>, StorageError> {
    let size = bytes.len() as u64;
    ranges
        .iter()
        .map(|r| {
            let range = r.to_range(size);
            if range.start > range.end || range.end > size {
                return Err(StorageError::Other(format!(
                    "byte range {range:?} is outside `{}` ({size} bytes)",
                    key.as_str()
                )));
            }
            Ok(bytes.slice(range.start as usize..range.end as usize))
        })
        .collect()
}

impl ReadableStorageTraits for Remote {
    fn get(&self, key: &StoreKey) -> std::result::Result<MaybeBytes, StorageError> {
        self.behind.wait_key(key.as_str());
        if let Some(value) = self.take_fetched(key) {
            return value;
        }
        // A plain GET: the synchronous adapter's `get` asks for a byte range, which
        // servers without range support refuse.
        BlockOn.block_on(self.objects.get(key))
    }

    fn get_partial_many<'a>(
        &'a self,
        key: &StoreKey,
        byte_ranges: ByteRangeIterator<'a>,
    ) -> std::result::Result<MaybeBytesIterator<'a>, StorageError> {
        self.behind.wait_key(key.as_str());
        let ranges: Vec<_> = byte_ranges.collect();
        let whole =
            |value: MaybeBytes| -> std::result::Result<MaybeBytesIterator<'a>, StorageError> {
                let Some(bytes) = value else {
                    return Ok(None);
                };
                let parts = slice_ranges(key, &bytes, &ranges)?;
                Ok(Some(Box::new(parts.into_iter().map(Ok))))
            };
        if let Some(value) = self.take_fetched(key) {
            return whole(value?);
        }
        let partial = self
            .sync
            .get_partial_many(key, Box::new(ranges.clone().into_iter()));
        match partial {
            // A server without range requests: read the whole value once.
            Err(e) if e.to_string().contains("Range request not supported") => {
                whole(BlockOn.block_on(self.objects.get(key))?)
            }
            other => other,
        }
    }

    fn size_key(&self, key: &StoreKey) -> std::result::Result<Option<u64>, StorageError> {
        self.behind.wait_key(key.as_str());
        self.sync.size_key(key)
    }

    fn supports_get_partial(&self) -> bool {
        self.sync.supports_get_partial()
    }
}

impl Remote {
    fn refuse_write(&self) -> StorageError {
        StorageError::Other(format!(
            "`{}` is read-only: chunkwise reads HTTP(S) stores but writes only to s3:// \
             and local paths",
            self.url
        ))
    }
}

impl WritableStorageTraits for Remote {
    fn set(&self, key: &StoreKey, value: Bytes) -> std::result::Result<(), StorageError> {
        if !self.writable {
            return Err(self.refuse_write());
        }
        self.put(key, value)
    }

    fn set_partial_many(
        &self,
        key: &StoreKey,
        offset_values: OffsetBytesIterator,
    ) -> std::result::Result<(), StorageError> {
        if !self.writable {
            return Err(self.refuse_write());
        }
        // Read, patch and PUT the whole value, so the object is replaced whole.
        zarrs::storage::store_set_partial_many(self, key, offset_values)
    }

    fn erase(&self, key: &StoreKey) -> std::result::Result<(), StorageError> {
        if !self.writable {
            return Err(self.refuse_write());
        }
        self.behind.wait_key(key.as_str());
        self.sync.erase(key)
    }

    fn erase_prefix(&self, prefix: &StorePrefix) -> std::result::Result<(), StorageError> {
        if !self.writable {
            return Err(self.refuse_write());
        }
        self.behind.wait_all();
        self.sync.erase_prefix(prefix)
    }

    fn supports_set_partial(&self) -> bool {
        false
    }
}

impl Remote {
    /// HTTP has no list request (`object_store` would try `WebDAV`'s `PROPFIND`, which
    /// static servers refuse, after retries): say so at once.
    fn listing(&self) -> std::result::Result<(), StorageError> {
        if self.writable {
            // What is listed includes every write made so far.
            self.behind.wait_all();
            return Ok(());
        }
        Err(StorageError::Other(format!(
            "`{}` cannot be listed: plain HTTP has no list request (open arrays by path, \
             or groups through consolidated metadata)",
            self.url
        )))
    }
}

impl ListableStorageTraits for Remote {
    fn list(&self) -> std::result::Result<StoreKeys, StorageError> {
        self.listing()?;
        self.sync.list()
    }

    fn list_prefix(&self, prefix: &StorePrefix) -> std::result::Result<StoreKeys, StorageError> {
        self.listing()?;
        self.sync.list_prefix(prefix)
    }

    fn list_dir(
        &self,
        prefix: &StorePrefix,
    ) -> std::result::Result<StoreKeysPrefixes, StorageError> {
        self.listing()?;
        self.sync.list_dir(prefix)
    }

    fn size_prefix(&self, prefix: &StorePrefix) -> std::result::Result<u64, StorageError> {
        self.listing()?;
        self.sync.size_prefix(prefix)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, Read, Write};

    use super::*;

    /// `GET path` on the test server, the body as text.
    fn get(port: u16, path: &str) -> String {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text.split("\r\n\r\n")
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }

    /// Kills the server also when the test panics.
    struct Server(std::process::Child);

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn writes_behind_keep_many_puts_in_flight_and_reads_wait_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/servers/http_store.py");
        let Ok(child) = std::process::Command::new("python3")
            .args([script, "--writable", "--port", "0", "--root"])
            .arg(dir.path())
            .stdout(std::process::Stdio::piped())
            .spawn()
        else {
            eprintln!("note: skipping: python3 cannot be run");
            return;
        };
        let mut server = Server(child);
        let mut line = String::new();
        std::io::BufReader::new(server.0.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line.trim().trim_start_matches("PORT ").parse().unwrap();
        get(port, "/_control?latency_ms=50");
        // The test server takes PUTs; chunkwise itself never writes over HTTP.
        let mut remote = Remote::open(&Location::Http(format!("http://127.0.0.1:{port}"))).unwrap();
        remote.writable = true;
        let key = |i: usize| StoreKey::new(format!("x/c/{i}")).unwrap();
        let value = |i: usize| Bytes::from(vec![i as u8; 1000]);
        let guard = remote.write_behind(16, 1 << 20);
        for i in 0..64 {
            remote.set(&key(i), value(i)).unwrap();
        }
        // A read of a key waits for its PUT.
        assert_eq!(remote.get(&key(63)).unwrap(), Some(value(63)));
        drop(guard);
        assert_eq!(remote.take_write_failure(), None);
        let stats: serde_json::Value = serde_json::from_str(&get(port, "/_stats")).unwrap();
        let in_flight = stats["max_in_flight"].as_u64().unwrap();
        assert!((8..=17).contains(&in_flight), "{stats}");
        for i in 0..64 {
            let bytes = std::fs::read(dir.path().join(format!("x/c/{i}"))).unwrap();
            assert_eq!(bytes, value(i).to_vec());
        }
        // Without a write-behind, `set` returns once stored; a failure is its error.
        get(port, "/_control?forbid=y/");
        let err = remote
            .set(&StoreKey::new("y/0").unwrap(), value(1))
            .unwrap_err();
        assert!(err.to_string().contains("403"), "{err}");
        // Behind the tasks, a failed PUT is reported afterwards, naming the URL.
        let guard = remote.write_behind(4, 1 << 20);
        remote
            .set(&StoreKey::new("y/1").unwrap(), value(1))
            .unwrap();
        drop(guard);
        let failure = remote.take_write_failure().unwrap();
        assert!(
            failure.contains("y/1") && failure.contains("403"),
            "{failure}"
        );
    }
}
