//! `chunkwise info`: what a Zarr store holds (its tree of groups and arrays, each array's
//! shape, dtype, chunks, shards, codecs, fill value and stored size), without reading
//! any data.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use chunkwise::zarr::{self, ZarrArray, ZarrNodeKind};
use clap::Args;
use serde_json::{json, Value};

const AFTER_HELP: &str = "\
EXAMPLES:
  chunkwise info data.zarr               a group: every array and subgroup below it
  chunkwise info data.zarr/temperature   one array
  chunkwise info data.zarr --json        the same, as one JSON object
  chunkwise info results/                a plain directory: every Zarr store directly in it";

/// Arguments of `chunkwise info`.
#[derive(Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub(crate) struct InfoArgs {
    /// A Zarr array or group (v2 or v3): the directory holding `zarr.json`, `.zarray`
    /// or `.zgroup`.
    path: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &InfoArgs) -> Result<()> {
    let description = describe(&args.path)?;
    if args.json {
        crate::print_line(&description.to_string());
    } else {
        crate::print_line(&format!("{}", args.path.display()));
        print_node(&description, "  ");
    }
    Ok(())
}

/// The node at `path` as JSON: an array's description, or a group's with its children.
fn describe(path: &Path) -> Result<Value> {
    match zarr::node_kind(path) {
        Some(ZarrNodeKind::Group) => {
            let group = zarr::open_group(path)?;
            let mut children = Vec::new();
            for node in group.tree()? {
                children.push(if node.kind == ZarrNodeKind::Group {
                    json!({
                        "path": node.path,
                        "node": "group",
                        "attributes": group.open_group(&node.path)?.attributes(),
                    })
                } else {
                    let mut a = describe_array(&group.open_array(&node.path)?)?;
                    a["path"] = json!(node.path);
                    a
                });
            }
            Ok(json!({
                "node": "group",
                "attributes": group.attributes(),
                "children": children,
            }))
        }
        Some(_) => describe_array(&zarr::open_array(path)?),
        None if path.is_dir() => {
            // A plain directory: describe the Zarr stores directly inside it, if any.
            let mut stores = Vec::new();
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| zarr::node_kind(p).is_some())
                .collect();
            entries.sort();
            for entry in entries {
                let mut store = describe(&entry)?;
                let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
                store["path"] = json!(name);
                stores.push(store);
            }
            if stores.is_empty() {
                bail!(
                    "{}: not a Zarr array or group (no zarr.json, .zarray or .zgroup), and \
                     holds none; give the directory of a Zarr store, group or array",
                    path.display()
                );
            }
            Ok(json!({ "node": "directory", "stores": stores }))
        }
        None => {
            // Let the library name the problem (missing directory, a file...).
            zarr::open_array(path)?;
            bail!("{}: not a Zarr array or group", path.display())
        }
    }
}

#[allow(clippy::cast_precision_loss)]
fn describe_array(z: &ZarrArray) -> Result<Value> {
    let elements: usize = z.shape().iter().product();
    let bytes = elements * z.dtype().size();
    // Plain HTTP cannot list a store, so its stored size is unknown (`null`).
    let stored = match z.stored_bytes() {
        Ok(n) => Some(n),
        Err(_) if z.path().starts_with("http://") || z.path().starts_with("https://") => None,
        Err(e) => return Err(e.into()),
    };
    Ok(json!({
        "node": "array",
        "zarr_format": z.zarr_format(),
        "shape": z.shape(),
        "dtype": z.dtype().to_string(),
        "chunks": z.chunk_shape(),
        "shards": z.shard_shape(),
        "codecs": z.codecs(),
        "fill_value": z.fill_value().to_string(),
        "dimension_names": z.dimension_names(),
        "bytes": bytes,
        "stored_bytes": stored,
        "compression_ratio": stored.filter(|&s| s > 0).map(|s| ((bytes as f64 / s as f64) * 100.0).round() / 100.0),
        "attributes": z.attributes(),
    }))
}

fn print_node(node: &Value, indent: &str) {
    if node["node"] == "directory" {
        for store in node["stores"].as_array().into_iter().flatten() {
            let kind = if store["node"] == "group" {
                "group"
            } else {
                "array"
            };
            let path = store["path"].as_str().unwrap_or("?");
            crate::print_line(&format!("{indent}{path}  (Zarr {kind})"));
            print_node(store, &format!("{indent}  "));
        }
    } else if node["node"] == "group" {
        print_attributes(node, indent);
        for child in node["children"].as_array().into_iter().flatten() {
            let path = child["path"].as_str().unwrap_or("?");
            if child["node"] == "group" {
                crate::print_line(&format!("{indent}{path}/  (group)"));
                print_attributes(child, &format!("{indent}  "));
            } else {
                crate::print_line(&format!("{indent}{path}"));
                print_array(child, &format!("{indent}  "));
            }
        }
    } else {
        print_array(node, indent);
    }
}

fn print_array(a: &Value, indent: &str) {
    let line = |key: &str, value: String| crate::print_line(&format!("{indent}{key:<11} {value}"));
    line("format", format!("zarr v{}", a["zarr_format"]));
    line("shape", compact(&a["shape"]));
    line("dtype", a["dtype"].as_str().unwrap_or("?").to_string());
    line("chunks", compact(&a["chunks"]));
    if !a["shards"].is_null() {
        line("shards", compact(&a["shards"]));
    }
    let codecs: Vec<&str> = a["codecs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    line("codecs", codecs.join(", "));
    line(
        "fill value",
        a["fill_value"].as_str().unwrap_or("?").to_string(),
    );
    if let Some(names) = a["dimension_names"].as_array() {
        line("dimensions", compact(&Value::Array(names.clone())));
    }
    let bytes = a["bytes"].as_u64().unwrap_or(0);
    let ratio = a["compression_ratio"]
        .as_f64()
        .map_or_else(String::new, |r| format!(", ratio {r:.2}"));
    let stored = a["stored_bytes"].as_u64().map_or_else(
        || {
            format!(
                "{} uncompressed (stored size unknown: HTTP cannot list)",
                size(bytes)
            )
        },
        |stored| format!("{} of {} uncompressed{ratio}", size(stored), size(bytes)),
    );
    line("stored", stored);
    print_attributes(a, indent);
}

fn print_attributes(node: &Value, indent: &str) {
    if let Some(attrs) = node["attributes"].as_object() {
        if !attrs.is_empty() {
            crate::print_line(&format!(
                "{indent}{:<11} {}",
                "attributes", node["attributes"]
            ));
        }
    }
}

/// `[512, 512]` from a JSON list.
fn compact(v: &Value) -> String {
    let items: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| match x {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// `1.5 MB` (powers of 1000, as disk sizes are usually quoted).
#[allow(clippy::cast_precision_loss)]
pub(crate) fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if b < 1e3 {
        format!("{bytes} B")
    } else if b < 1e6 {
        format!("{:.1} kB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}
