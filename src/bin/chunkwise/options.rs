//! Arguments several commands share: how a computation runs ([`RunArgs`]) and how a Zarr
//! array is written ([`WriteArgs`]), with their parsers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context, Result};
use chunkwise::diagnostics::{Dashboard, Recorder};
use chunkwise::zarr::{ZarrArray, ZarrCodec, ZarrWriteOptions};
use chunkwise::{ComputeOptions, MemoryLimit};
use clap::Args;

/// How a computing command runs: threads, memory budget, progress bar.
#[derive(Args, Debug, Clone)]
pub(crate) struct RunArgs {
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// Memory budget, e.g. 1GiB or 512MB (default: the CHUNKWISE_MEMORY_LIMIT environment
    /// variable, else 60% of RAM). Tasks are scheduled to stay under it.
    #[arg(long, value_parser = parse_memory_limit)]
    memory_limit: Option<MemoryLimit>,
    /// Requests to remote stores (s3://, http(s)://) in flight at once, fetching ahead
    /// of the compute threads and writing behind them.
    #[arg(long, default_value_t = chunkwise::DEFAULT_IO_CONCURRENCY as u32,
          value_parser = clap::value_parser!(u32).range(1..))]
    io_concurrency: u32,
    /// Do not show a progress bar (it shows only on a terminal anyway).
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    pub(crate) diagnostics: DiagnosticsArgs,
}

/// What a command shows of its computations besides the progress bar: a report file, a
/// live dashboard. One recorder observes all of a command's computations, so the report
/// and the dashboard cover the whole command.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct DiagnosticsArgs {
    /// Write a performance report of the command's computations to FILE: one HTML page,
    /// readable offline (task stream per worker, memory over time, time per layer, plan).
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Serve a live dashboard on ADDR while the command computes, e.g. 127.0.0.1:8787 (a
    /// bare port listens on the loopback address; port 0 picks a free one). It shows the
    /// report's page, updating, and answers GET /api/status; it stops when the command's
    /// computations end.
    #[arg(long, value_name = "ADDR", value_parser = parse_dashboard_addr)]
    pub(crate) dashboard: Option<SocketAddr>,
    /// The recorder of this command's computations, once `observe` has started it.
    #[arg(skip)]
    recorder: Arc<OnceLock<Arc<Recorder>>>,
}

impl DiagnosticsArgs {
    /// Runs `command` with a recorder observing every computation that `options` sets
    /// up (when a report or a dashboard is asked for), serving the dashboard meanwhile
    /// and writing the report after, titled `title`.
    pub(crate) fn around<T>(&self, title: &str, command: impl FnOnce() -> Result<T>) -> Result<T> {
        if self.report.is_none() && self.dashboard.is_none() {
            return command();
        }
        let recorder = self.recorder.get_or_init(|| Arc::new(Recorder::new(title)));
        // In an MPI job: one dashboard (rank 0's) and one report per rank.
        let dashboard = match self.dashboard.filter(|_| crate::ranks::leads()) {
            Some(addr) => {
                let d = Dashboard::serve(addr, recorder.clone())?;
                eprintln!(
                    "chunkwise: dashboard at http://{}/ while computing",
                    d.addr()
                );
                Some(d)
            }
            None => None,
        };
        let result = command();
        drop(dashboard);
        if let Some(path) = &self.report {
            let path = &crate::ranks::own_path(path);
            recorder
                .recording()
                .write_html(path)
                .with_context(|| "writing the report".to_string())?;
            eprintln!("chunkwise: report written to {}", path.display());
        }
        result
    }

    /// `options` observed by the command's recorder, if one runs.
    pub(crate) fn observe(&self, options: ComputeOptions) -> ComputeOptions {
        match self.recorder.get() {
            Some(r) => options.observer(r.clone()),
            None => options,
        }
    }
}

/// Parses `--dashboard`: `HOST:PORT`, or a bare port on the loopback address.
pub(crate) fn parse_dashboard_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| {
        format!("`{s}` is not an address to listen on; write HOST:PORT (127.0.0.1:8787) or a port")
    })
}

impl RunArgs {
    /// The compute options these arguments ask for, without a progress bar.
    pub(crate) fn options(&self) -> ComputeOptions {
        let mut options = ComputeOptions::default().io_concurrency(self.io_concurrency as usize);
        if let Some(n) = self.threads {
            options = options.threads(n as usize);
        }
        if let Some(m) = self.memory_limit {
            options = options.memory_limit(m);
        }
        self.diagnostics.observe(crate::ranks::across(options))
    }

    /// [`options`](Self::options) with a progress bar labelled `label` (unless
    /// `--no-progress`).
    pub(crate) fn with_progress(&self, label: &str) -> ComputeOptions {
        let options = self.options();
        if self.no_progress || !crate::ranks::leads() {
            options
        } else {
            options.observer(Arc::new(chunkwise::diagnostics::ProgressBar::new(label)))
        }
    }
}

/// How a command writes its Zarr output: codec, shards, format, overwrite.
#[derive(Args, Debug, Clone)]
pub(crate) struct WriteArgs {
    /// Compression of the written chunks: zstd[:LEVEL], gzip[:LEVEL],
    /// blosc[:lz4|lz4hc|blosclz|zstd|zlib[:LEVEL]] or none.
    #[arg(long, default_value = "zstd:3", value_parser = parse_codec)]
    codec: ZarrCodec,
    /// Shard shape, e.g. 2048,2048: a multiple of the chunk shape; each shard is one file
    /// holding many chunks (default: no shards, one file per chunk).
    #[arg(long, value_parser = parse_shape, value_name = "SHAPE")]
    shards: Option<Shape>,
    /// The Zarr format to write. chunkwise writes version 3 only; it reads 2 and 3.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=3))]
    zarr_format: u8,
    /// Replace the output array or group if it exists (default: refuse).
    #[arg(long)]
    overwrite: bool,
}

impl WriteArgs {
    /// Write options for the store `out`, with the storage chunk shape `chunks` (`None`:
    /// chunkwise's default for the array's blocks).
    pub(crate) fn write_options(
        &self,
        out: &Path,
        chunks: Option<Vec<usize>>,
    ) -> Result<ZarrWriteOptions> {
        if self.zarr_format != 3 {
            bail!(
                "--zarr-format {}: chunkwise writes Zarr version 3 only (it reads version 2); \
                 write version 3, which zarr-python 3, TensorStore and zarrs all read",
                self.zarr_format
            );
        }
        let mut options = ZarrWriteOptions::new(out)
            .codec(self.codec)
            .overwrite(self.overwrite);
        options.chunk_shape = chunks;
        options.shard_shape = self.shards.as_ref().map(|s| s.0.clone());
        Ok(options)
    }

    /// The shard shape `--shards` asks for.
    pub(crate) fn shards(&self) -> Option<&[usize]> {
        self.shards.as_ref().map(|s| s.0.as_slice())
    }

    /// Whether `--overwrite` was given.
    pub(crate) fn overwrite(&self) -> bool {
        self.overwrite
    }
}

/// A shape from the command line (a newtype, so clap takes it as one value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Shape(pub(crate) Vec<usize>);

/// The write options `options` with what describes the data of `input` copied over: its
/// attributes (units, long names...) and dimension names. The `_zarrs` attribute, which
/// says which library wrote the input, is not copied: chunkwise writes the output.
pub(crate) fn copy_description(input: &ZarrArray, options: ZarrWriteOptions) -> ZarrWriteOptions {
    let mut attributes = input.attributes().clone();
    attributes.remove("_zarrs");
    let mut options = options.attributes(attributes);
    if let Some(names) = input.dimension_names() {
        if names.iter().all(Option::is_some) {
            options = options.dimension_names(names.into_iter().flatten());
        }
    }
    options
}

/// Parses `--memory-limit` (`1GiB`, `512MB`, bytes).
pub(crate) fn parse_memory_limit(s: &str) -> Result<MemoryLimit, String> {
    s.parse().map_err(|e: chunkwise::Error| e.to_string())
}

/// Parses `--codec`.
pub(crate) fn parse_codec(s: &str) -> Result<ZarrCodec, String> {
    s.parse().map_err(|e: chunkwise::Error| e.to_string())
}

/// Parses a shape such as `512,512` (or `512x512`): positive lengths, one per axis.
pub(crate) fn parse_shape(s: &str) -> Result<Shape, String> {
    let lengths: Result<Vec<usize>, String> = s
        .split([',', 'x'])
        .map(|part| match part.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "`{part}` in `{s}` is not a positive length; write one length per axis, \
                 as in 512,512"
            )),
        })
        .collect();
    lengths.map(Shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(parse_shape("512,256"), Ok(Shape(vec![512, 256])));
        assert_eq!(parse_shape("4x5x6"), Ok(Shape(vec![4, 5, 6])));
        assert!(parse_shape("512,0").unwrap_err().contains("`0`"));
        assert!(parse_shape("").is_err());
        assert!(parse_shape("a,b").is_err());
    }

    #[test]
    fn dashboard_addresses() {
        assert_eq!(
            parse_dashboard_addr("8787"),
            Ok("127.0.0.1:8787".parse().unwrap())
        );
        assert_eq!(
            parse_dashboard_addr("0.0.0.0:80"),
            Ok("0.0.0.0:80".parse().unwrap())
        );
        assert!(parse_dashboard_addr("localhost")
            .unwrap_err()
            .contains("HOST:PORT"));
    }

    #[test]
    fn codecs() {
        assert_eq!(parse_codec("gzip:6"), Ok(ZarrCodec::Gzip { level: 6 }));
        assert!(parse_codec("zstd:99").unwrap_err().contains("out of range"));
        assert!(parse_codec("lzma").unwrap_err().contains("unknown codec"));
    }
}
