//! chunkwise: chunked n-dimensional array computation, the Rust answer to Dask Array.
//!
//! Arrays are split into a grid of chunks. Operations on a [`LazyArray`] build a lazy
//! expression graph; [`LazyArray::compute`] lowers it to a graph of per-chunk tasks, keeps
//! only the tasks the result needs, and runs them on all cores, freeing every
//! intermediate chunk as soon as its last consumer has run.
//!
//! # Quick start
//!
//! ```
//! use chunkwise::prelude::*;
//!
//! // A 2000 x 2000 array of seeded uniform numbers, in 500 x 500 chunks. Nothing runs yet.
//! let x = chunkwise::random::uniform::<f64>(&[2_000, 2_000], [500, 500], 42);
//! let y = &x + &x.t();                                    // broadcasting, transpose
//! let z = y.slice(s![..;2, 1_000..]).mean(1);              // ndarray's s! macro, reduce axis 1
//! println!("{z}");                                         // shape, chunks, bytes
//! let out: ndarray::ArrayD<f64> = z.compute()?;            // runs, chunk by chunk
//! assert_eq!(out.shape(), &[1_000]);
//! // Anomaly of a column mean, fully lazy until `compute_scalar`:
//! let anomaly = (&x - x.mean(0)).powi(2).mean(..).compute_scalar()?;
//! // The standardized anomaly, as NumPy writes it; an invalid operation (shapes that do
//! // not broadcast, an axis out of range) is reported by `compute`, with where it was built.
//! let z = (&x - x.mean(0)) / x.std(0).ddof(1);
//! assert_eq!(z.shape(), &[2_000, 2_000]);
//! assert!((anomaly - 1.0 / 12.0).abs() < 1e-3);
//! # Ok::<(), chunkwise::Error>(())
//! ```
//!
//! # Where things are
//!
//! - [`LazyArray`]: the typed handle, with creation ([`from_ndarray`], [`zeros`],
//!   [`arange`], [`random`]...), elementwise operations, reductions over [`Axes`],
//!   indexing and [`rechunk`](LazyArray::rechunk).
//! - [`Chunks`] and [`ChunkGrid`]: how arrays are cut.
//! - [`Element`] and [`DType`]: the eleven element types; [`DynArray`] and [`AnyArray`]
//!   for arrays whose type is known only at run time.
//! - [`ComputeOptions`] and [`Executor`]: how a computation runs.
//! - [`zarr`]: reading and writing Zarr arrays and groups ([`from_zarr`],
//!   [`LazyArray::to_zarr`]).
//! - [`lang`]: the NumPy-like expression language of `chunkwise eval`, from Rust:
//!   `lang::eval("mean(x, axis=0)", &inputs)` gives a lazy [`DynArray`].
//! - [`client`]: futures, Dask-style: a [`Client`](client::Client) with a pool of worker
//!   threads runs closures as they are submitted, futures feeding later ones, and array
//!   computations on the same workers, under the same memory budget.
//! - [`bench`](mod@bench): the standard workloads behind `chunkwise bench`.
//! - `mpi` (cargo feature `mpi`): the same programs across many processes and machines,
//!   launched by `mpirun` or `srun`, with [`Executor::Mpi`].
//!
//! The architecture (expression graph → layers → task graph → executor) is described in
//! `docs/ARCHITECTURE.md`.

#![doc(test(attr(deny(warnings))))]
#![cfg_attr(test, allow(clippy::float_cmp))]

mod any_array;
mod array;
pub mod bench;
mod blocks;
mod chunks;
pub mod client;
mod compute;
pub mod delayed;
pub mod diagnostics;
mod element;
mod error;
mod exec;
mod expr;
pub mod io;
mod kernel;
pub mod lang;
mod ops;
mod optimize;
mod plan;
pub mod random;
mod resolve;
mod task;
mod units;
pub mod zarr;

pub use any_array::{AnyArray, IntoAnyArray};
pub use array::{
    arange, blockwise, blockwise_with, compute_many, compute_many_with, from_fn, from_ndarray,
    full, linspace, map_blocks_many, map_blocks_mixed, ones, where_, zeros, Axes, AxisIndex,
    BlockInfo, BlockResult, Blocks, Boundary, BoxError, ComputeMany, ComputeOne, DynArray,
    DynOperand, LazyArray, MapBlocks, MapOverlap, Operand,
};
pub use array::{block, concatenate, stack, PadMode};
pub use array::{einsum, ScanFn, TensordotAxes};
pub use array::{Condition, Indices};
pub use array::{HistogramBins, QuantileArg, Quantiles, Side};
pub use chunks::{python_slice, AxisChunks, ChunkGrid, Chunks, DEFAULT_CHUNK_BYTES};
pub use compute::{run_writes, ComputeOptions, GraphStats, PendingWrite, DEFAULT_IO_CONCURRENCY};
pub use element::{DType, Element, FloatElement, NumElement, Scalar};
pub use error::{Error, Result};
#[cfg(feature = "mpi")]
pub use exec::mpi;
pub use exec::{
    CancelToken, Executor, MemoryLimit, Observer, RunEnd, RunStart, TaskFinish, TaskStart,
    TasksAdded, MEMORY_LIMIT_ENV,
};
pub use expr::UNKNOWN_LEN;
pub use ops::{
    BinaryFn, BinaryRule, Param, ReduceFn, ReduceParam, ReduceResult, UnaryFn, UnaryRule,
};
pub use task::TaskOptions;
pub use zarr::{from_zarr, ZarrArray};

/// The names most programs need: `use chunkwise::prelude::*;`.
///
/// Brings in [`LazyArray`], the element traits, [`Axes`], [`Chunks`], the creation
/// functions, and ndarray's `s!` macro for slicing.
///
/// # Example
///
/// ```
/// use chunkwise::prelude::*;
/// let x: LazyArray<f64> = zeros(&[4, 4], Chunks::Auto);
/// assert_eq!(x.slice(s![1.., ..;2]).shape(), &[3, 2]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub mod prelude {
    pub use crate::{
        arange, compute_many, from_ndarray, full, linspace, ones, where_, zeros, Axes, Chunks,
        ComputeOptions, DType, DynArray, Element, FloatElement, LazyArray, NumElement,
    };
    pub use ndarray::s;
}
