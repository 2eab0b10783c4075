//! Prints the optimized plan of a small pipeline: `cargo run --example explain_plan`.

#![allow(clippy::print_stdout)]

fn main() -> Result<(), chunkwise::Error> {
    let x = chunkwise::random::uniform::<f64>(&[4_000, 4_000], [1_000, 1_000], 1);
    let score = ((&x - x.mean(0)) / x.std(0)).abs().max(..);
    println!("{}", score.explain()?);
    println!("max |z| = {:.4}", score.compute_scalar()?);
    Ok(())
}
