//! `chunkwise info`: what a Zarr array holds, without reading its data.

use anyhow::Result;
use clap::Args;

/// Arguments of `chunkwise info`.
#[derive(Args, Debug)]
pub(crate) struct InfoArgs {
    /// The path of a Zarr array (v2 or v3): the directory holding `zarr.json` or `.zarray`.
    array: std::path::PathBuf,
}

pub(crate) fn run(args: &InfoArgs) -> Result<()> {
    let z = chunkwise::zarr::open_array(&args.array)?;
    let elements: usize = z.shape().iter().product();
    let bytes = elements * z.dtype().size();
    crate::print_line(&format!("{}", args.array.display()));
    crate::print_line(&format!("  shape          {:?}", z.shape()));
    crate::print_line(&format!("  dtype          {}", z.dtype()));
    crate::print_line(&format!("  storage chunks {:?}", z.chunk_shape()));
    crate::print_line(&format!(
        "  chunkwise uses {:?} by default",
        z.default_chunks()
    ));
    crate::print_line(&format!("  uncompressed   {bytes} bytes"));
    let attributes = z.attributes();
    if !attributes.is_empty() {
        crate::print_line(&format!(
            "  attributes     {}",
            serde_json::Value::Object(attributes)
        ));
    }
    Ok(())
}
