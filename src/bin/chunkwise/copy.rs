//! `chunkwise rechunk` and `chunkwise convert`: copy a Zarr array (or, for convert, a
//! whole group) into a new store with other storage chunks, shards or compression,
//! streaming block by block under the memory budget. Attributes and dimension names are
//! copied with the data.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chunkwise::zarr::{self, ZarrArray, ZarrNodeKind, ZarrWriteOptions};
use chunkwise::{run_writes, PendingWrite};
use clap::Args;

use crate::info::size;
use crate::options::{copy_description, RunArgs, Shape, WriteArgs};

const RECHUNK_HELP: &str = "\
The data streams through in blocks of whole input chunks; when the new chunks cut across
the old ones, chunkwise plans the copy in stages so no task holds more than the memory
budget allows. Attributes and dimension names are copied.

EXAMPLES:
  chunkwise rechunk t.zarr t_rows.zarr --chunks 1,8192            one row per chunk
  chunkwise rechunk t.zarr t_sharded.zarr --chunks 256,256 --shards 4096,4096
  chunkwise rechunk t.zarr t2.zarr --chunks 512,512 --codec blosc:lz4:5 --overwrite";

const CONVERT_HELP: &str = "\
Keeps the chunk and shard shapes of the input unless --chunks or --shards say otherwise.
A group is converted whole: every array and subgroup below it, with their attributes, in
one computation. Reads Zarr v2 and v3; writes v3.

EXAMPLES:
  chunkwise convert old_v2.zarr new.zarr                     v2 (any codec) to v3 with zstd
  chunkwise convert t.zarr t_gzip.zarr --codec gzip:6
  chunkwise convert t.zarr t_raw.zarr --codec none --chunks 1024,1024";

/// Arguments of `chunkwise rechunk`.
#[derive(Args, Debug)]
#[command(after_long_help = RECHUNK_HELP)]
pub(crate) struct RechunkArgs {
    /// The Zarr array to read (v2 or v3).
    input: PathBuf,
    /// The new Zarr array to write.
    output: PathBuf,
    /// The new storage chunk shape, e.g. 512,512.
    #[arg(long, value_parser = crate::options::parse_shape, value_name = "SHAPE")]
    chunks: Shape,
    #[command(flatten)]
    write: WriteArgs,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// Arguments of `chunkwise convert`.
#[derive(Args, Debug)]
#[command(after_long_help = CONVERT_HELP)]
pub(crate) struct ConvertArgs {
    /// The Zarr array or group to read (v2 or v3).
    input: PathBuf,
    /// The new Zarr array or group to write.
    output: PathBuf,
    /// The storage chunk shape of the output (default: the input's; arrays only).
    #[arg(long, value_parser = crate::options::parse_shape, value_name = "SHAPE")]
    chunks: Option<Shape>,
    #[command(flatten)]
    write: WriteArgs,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

pub(crate) fn rechunk(args: &RechunkArgs) -> Result<()> {
    check_distinct(&args.input, &args.output)?;
    let input = zarr::open_array(&args.input)?;
    let options = args
        .write
        .write_options(&args.output, Some(args.chunks.0.clone()))?;
    let write = copy_array(&input, copy_description(&input, options))?;
    run_and_report(&[write], &args.output, &args.run, "rechunk")
}

pub(crate) fn convert(args: &ConvertArgs) -> Result<()> {
    check_distinct(&args.input, &args.output)?;
    let writes = if zarr::node_kind(&args.input) == Some(ZarrNodeKind::Group) {
        if args.chunks.is_some() || args.write.shards().is_some() {
            bail!(
                "--chunks and --shards apply to one array; convert the arrays of a group \
                     one at a time to change their chunks (e.g. `chunkwise convert {}/NAME ...`)",
                args.input.display()
            );
        }
        convert_group(args)?
    } else {
        let input = zarr::open_array(&args.input)?;
        let chunks = args.chunks.as_ref().map(|c| c.0.clone());
        let options = keep_layout(&input, args.write.write_options(&args.output, chunks)?);
        vec![copy_array(&input, copy_description(&input, options))?]
    };
    run_and_report(&writes, &args.output, &args.run, "convert")
}

/// The writes copying every array of the group `args.input`, after creating its groups
/// (with their attributes) in `args.output`.
fn convert_group(args: &ConvertArgs) -> Result<Vec<PendingWrite>> {
    let group = zarr::open_group(&args.input)?;
    let out = &args.output;
    // One rank looks and removes; in an MPI job the others wait for it.
    crate::ranks::on_first_rank(|| {
        if zarr::node_kind(out).is_some() {
            if !args.write.overwrite() {
                bail!(
                    "{} already exists; pass --overwrite to replace it, or choose another path",
                    out.display()
                );
            }
            std::fs::remove_dir_all(out)
                .with_context(|| format!("removing {} to overwrite it", out.display()))?;
        }
        Ok(())
    })?;
    zarr::create_group(out, "/", group.attributes().clone())?;
    let mut writes = Vec::new();
    for node in group.tree()? {
        if node.kind == ZarrNodeKind::Group {
            let attributes = group.open_group(&node.path)?.attributes().clone();
            zarr::create_group(out, &node.path, attributes)?;
        } else {
            let input = group.open_array(&node.path)?;
            let options =
                keep_layout(&input, args.write.write_options(out, None)?).array_path(&node.path);
            writes.push(copy_array(&input, copy_description(&input, options))?);
        }
    }
    Ok(writes)
}

/// `options` with the input's chunk and shard shapes where they are not set.
fn keep_layout(input: &ZarrArray, mut options: ZarrWriteOptions) -> ZarrWriteOptions {
    if options.chunk_shape.is_none() {
        options.chunk_shape = Some(input.chunk_shape().to_vec());
        if options.shard_shape.is_none() {
            options.shard_shape = input.shard_shape().map(<[usize]>::to_vec);
        }
    }
    options
}

/// The write of `input`'s data as `options` say (metadata is written now).
fn copy_array(input: &ZarrArray, options: ZarrWriteOptions) -> Result<PendingWrite> {
    let data = input.to_dyn(None)?;
    let mut options = options;
    if options.fill_value.is_none() {
        options.fill_value = Some(input.fill_value());
    }
    Ok(zarr::create_zarr(&data, &options)?)
}

/// Refuses an output that is the input, or inside it, or holds it: the copy would read
/// what it is overwriting (with `--overwrite`, the input is removed before it is read).
pub(crate) fn check_distinct(input: &Path, output: &Path) -> Result<()> {
    fn url(p: &Path) -> Option<&str> {
        p.to_str()
            .filter(|s| s.contains("://") && !s.starts_with("file://"))
    }
    match (url(input), url(output)) {
        (None, None) => {}
        (Some(i), Some(o)) => {
            let (i, o) = (i.trim_end_matches('/'), o.trim_end_matches('/'));
            let inside = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}/"));
            if inside(o, i) || inside(i, o) {
                bail!("the output {o} overlaps the input {i}; write to a new URL");
            }
            return Ok(());
        }
        // One on this machine, one remote: distinct.
        _ => return Ok(()),
    }
    let input = input
        .canonicalize()
        .with_context(|| format!("{}: no such Zarr array or group", input.display()))?;
    let out = output
        .canonicalize()
        .unwrap_or_else(|_| std::path::absolute(output).unwrap_or_else(|_| output.into()));
    if out.starts_with(&input) || input.starts_with(&out) {
        bail!(
            "the output {} overlaps the input {}; write to a new path (and rename afterwards)",
            output.display(),
            input.display()
        );
    }
    Ok(())
}

/// Runs `writes` in one computation and prints what was written.
#[allow(clippy::cast_precision_loss)]
fn run_and_report(writes: &[PendingWrite], out: &Path, run: &RunArgs, label: &str) -> Result<()> {
    let start = Instant::now();
    run_writes(writes, &run.with_progress(label))?;
    let seconds = start.elapsed().as_secs_f64();
    let (mut bytes, mut stored, mut arrays) = (0u64, 0u64, 0usize);
    for array in written_arrays(out)? {
        bytes += (array.shape().iter().product::<usize>() * array.dtype().size()) as u64;
        stored += array.stored_bytes()?;
        arrays += 1;
    }
    crate::print_line(&format!(
        "wrote {} ({arrays} array{}): {} of data stored in {} ({:.2}x), in {seconds:.2} s ({:.0} MB/s)",
        out.display(),
        if arrays == 1 { "" } else { "s" },
        size(bytes),
        size(stored),
        if stored > 0 { bytes as f64 / stored as f64 } else { 0.0 },
        bytes as f64 / 1e6 / seconds.max(1e-9),
    ));
    Ok(())
}

/// The arrays at or below `path`.
fn written_arrays(path: &Path) -> Result<Vec<ZarrArray>> {
    Ok(match zarr::node_kind(path) {
        Some(ZarrNodeKind::Group) => {
            let group = zarr::open_group(path)?;
            let mut out = Vec::new();
            for node in group.tree()? {
                if node.kind == ZarrNodeKind::Array {
                    out.push(group.open_array(&node.path)?);
                }
            }
            out
        }
        _ => vec![zarr::open_array(path)?],
    })
}
