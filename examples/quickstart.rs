//! The first example: broadcasting, transpose, slicing and a mean over a
//! 10 000 x 10 000 random array (800 MB), computed chunk by chunk.
//!
//! Run with `cargo run --release --example quickstart`.

#![allow(clippy::print_stdout)]

use chunkwise::prelude::*;

fn main() -> chunkwise::Result<()> {
    let start = std::time::Instant::now();
    let x = chunkwise::random::uniform::<f64>(&[10_000, 10_000], &[1_000, 1_000], 42);
    let y = &x + &x.t(); // broadcasting, transpose
    let z = y.slice(s![..;2, 5_000..]).mean(1); // ndarray's s! macro
    println!("{z}");
    let out: ndarray::ArrayD<f64> = z.compute()?;
    println!(
        "computed {} means in {:.2?}; first {:.6}, overall {:.6} (expect about 1.0)",
        out.len(),
        start.elapsed(),
        out[0],
        out.mean().unwrap_or(f64::NAN)
    );
    Ok(())
}
