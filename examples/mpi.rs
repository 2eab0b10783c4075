//! The same pipeline on one process or across an MPI job: reductions, an axis
//! reduction, a slice and a rechunk of a random array, with the results printed by
//! rank 0 (exactly the same whatever the number of ranks).
//!
//! ```text
//! cargo build --release --features mpi --example mpi
//! mpirun -np 4 target/release/examples/mpi
//! srun -N 4 --ntasks-per-node=1 --mpi=pmix target/release/examples/mpi
//! ```
//!
//! `mpi panic` runs a user function that panics on one block: every rank stops, with
//! the error naming the task, printed once.

#![allow(clippy::print_stdout)]

use chunkwise::prelude::*;
use chunkwise::{ComputeOptions, Executor};

fn main() -> std::process::ExitCode {
    let mpi = match chunkwise::mpi::init() {
        Ok(mpi) => mpi,
        Err(e) => {
            eprintln!("mpi: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let failure = run(&mpi).err().map(|e| e.to_string());
    // Every rank learns of any failure; rank 0 prints it once.
    match mpi.conclude(failure.as_deref()) {
        None => std::process::ExitCode::SUCCESS,
        Some((rank, message)) => {
            if mpi.rank() == 0 {
                eprintln!("mpi: rank {rank}: {message}");
            }
            std::process::ExitCode::from(2)
        }
    }
}

fn run(mpi: &chunkwise::mpi::Mpi) -> chunkwise::Result<()> {
    let options = ComputeOptions::default().executor(Executor::Mpi);
    let x = chunkwise::random::uniform::<f64>(&[2_000, 1_500], &[300, 250], 7);
    if std::env::args().nth(1).as_deref() == Some("panic") {
        let y = x.map_blocks("explode", |b, info| {
            assert!(info.block != [3, 2], "block {:?} is bad", info.block);
            b.to_owned()
        });
        y.sum(..).compute_scalar_with(&options)?;
        return Ok(());
    }
    let lines = [
        ("sum", x.sum(..).compute_with(&options)?),
        ("mean_axis0", x.mean(0).compute_with(&options)?),
        (
            "std_axis1_slice",
            x.slice(s![5..1_700;3, 100..])
                .std(1)
                .compute_with(&options)?,
        ),
        ("slice", x.slice(s![-7.., ..;97]).compute_with(&options)?),
        (
            "rechunk",
            x.rechunk([1_000, 1_500])
                .slice(s![990..1_010, ..])
                .compute_with(&options)?,
        ),
    ];
    if mpi.rank() == 0 {
        for (name, value) in &lines {
            // The exact bits, so any difference shows.
            let bits: Vec<u64> = value.iter().map(|v| v.to_bits()).collect();
            println!("{name}: {} values, bits hash {}", bits.len(), hash(&bits));
        }
        let traffic = chunkwise::mpi::traffic();
        let tasks: Vec<u64> = traffic.iter().map(|t| t.tasks).collect();
        println!("ranks: {}, tasks per rank {tasks:?}", mpi.size());
    } else {
        let _ = chunkwise::mpi::traffic();
    }
    Ok(())
}

fn hash(bits: &[u64]) -> u64 {
    // FNV-1a over the values' bits.
    bits.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
