//! The integration tests of chunkwise: one binary, one module per user-facing capability.
//!
//! Nearly every test is differential: it builds an expression lazily over chunked arrays,
//! computes it, and compares the result with the same computation done eagerly with
//! ndarray. The modules live in `tests/suite/` (a directory cargo does not scan, so they do
//! not become test binaries of their own).
//!
//! Tests that show a known bug in the library are `#[ignore = "bug: ..."]`; run them with
//! `cargo test --test tests -- --ignored`.

// `unwrap` is how a test fails; clippy.toml's `allow-unwrap-in-tests` covers `#[test]`
// functions only, not the helpers and proptest bodies they call.
#![allow(clippy::unwrap_used)]

// Helpers: the table of (shape, chunks) cases, test data, eager reference reductions and
// tolerant comparisons.
#[path = "suite/common.rs"]
mod common;

// `from_ndarray`, `zeros`, `ones`, `full`, `arange`, `linspace`, `random::*`, metadata.
#[path = "suite/creation.rs"]
mod creation;

// Operators, math functions, comparisons, logic, `where_`, `clip`, `astype`, broadcasting.
#[path = "suite/elementwise.rs"]
mod elementwise;

// `sum`, `prod`, `mean`, `var`, `std`, `min`, `max`, `arg*`, `any`, `all`, `nan*` over `Axes`.
#[path = "suite/reductions.rs"]
mod reductions;

// `slice` with ndarray's `s![]`: ranges, steps, indices, `NewAxis`.
#[path = "suite/slicing.rs"]
mod slicing;

// `permute_axes`, `t`, `squeeze`, `squeeze_axes`, `expand_dims`.
#[path = "suite/shape.rs"]
mod shape;

// `rechunk` to regular, irregular and single-chunk grids.
#[path = "suite/rechunk.rs"]
mod rechunk;

// Expression keys, shared sub-expressions computed once, culling of unneeded blocks.
#[path = "suite/graph.rs"]
mod graph;

// Threaded (1, 2, 4 threads) and single-threaded executors give identical results.
#[path = "suite/executors.rs"]
mod executors;

// Fused and unfused plans agree across tiles, broadcasts and reductions; task counts.
#[path = "suite/fusion.rs"]
mod fusion;

// Expression-level passes: slice pushdown, slice merging, constant folding.
#[path = "suite/optimizer.rs"]
mod optimizer;

// Every error: the variant, and the offending values in its message.
#[path = "suite/errors.rs"]
mod errors;

// Random shapes, chunks and expression trees against eager ndarray.
#[path = "suite/proptests.rs"]
mod proptests;

// `DynArray` operations with runtime dtypes: NumPy promotion, weak literals, every
// elementwise function and reduction, slicing, and their errors.
#[path = "suite/dyn_ops.rs"]
mod dyn_ops;

// `chunkwise::lang` from Rust: the vocabulary by name and alias, a table of expressions
// against ndarray, argument binding errors, lists and tuples, `//`, `%`, input specs.
#[path = "suite/lang.rs"]
mod lang;

// `chunkwise eval` run as a process: JSON results, text output, errors with a column caret,
// the plan as text, as a Graphviz graph and drawn as SVG.
#[path = "suite/cli_eval.rs"]
mod cli_eval;

// The dataset commands (info, stats, eval --output, rechunk, convert, demo) run as a
// process on the zarr-python fixtures, checked against the library and ndarray.
#[path = "suite/cli_zarr.rs"]
mod cli_zarr;

// Zarr: round trips for every dtype and codec, reads of only the touched chunks, atomic
// writes, overwrite protection, groups and attributes, errors that name the path.
#[path = "suite/zarr.rs"]
mod zarr;

// Several writes into one Zarr array in one computation: shared storage chunks and shards,
// overlapping regions refused, writes whose array was replaced refused.
#[path = "suite/zarr_writes.rs"]
mod zarr_writes;

// Zarr interop: fixtures written by zarr-python read exactly; zarr-python reads what
// chunkwise writes (when `python3 -c "import zarr"` works).
#[path = "suite/zarr_interop.rs"]
mod zarr_interop;

// Structural operations: concatenate, stack, block, reshape, pad, flip, roll,
// broadcast_to, moveaxis, swapaxes, repeat, tile, diff, in Rust and the language.
#[path = "suite/structure.rs"]
mod structure;
// Matrix products: `matmul` (1-d, 2-d, batched), `dot`, `tensordot`, `einsum`, `outer`,
// the symmetric `x @ x.T`, long contractions, integer and bool dtypes, errors.
#[path = "suite/linalg.rs"]
mod linalg;

// Scans: `cumsum`, `cumprod`, `nancumsum`, `nancumprod` along any axis or flattened.
#[path = "suite/scans.rs"]
mod scans;

// The language's linear algebra and scans: `@`, `dot`, `tensordot`, `einsum`, `cumsum`.
#[path = "suite/lang_linalg.rs"]
mod lang_linalg;

// One test per reported defect, named after its issue.
#[path = "suite/regression.rs"]
mod regression;

// The modules of `src/` are a one-way stack: the table of allowed directions, checked.
#[path = "suite/layering.rs"]
mod layering;

// Users' functions: `map_blocks` (chunks, drop_axis, new_axis), `map_blocks_many`,
// `blockwise`, `from_fn`, `apply_along_axis`, `persist`; errors naming function and block.
#[path = "suite/user_fn.rs"]
mod user_fn;

// `chunkwise::delayed`: lazy tasks over plain values, and arrays and tasks in one graph.
#[path = "suite/delayed.rs"]
mod delayed;

// `chunkwise::client`: futures on persistent workers, with arrays on the same pool.
#[path = "suite/client.rs"]
mod client;

// `map_overlap` against a hand-padded eager filter for every boundary rule; proptests.
#[path = "suite/overlap.rs"]
mod overlap;
// `sort`, `argsort`, `median`, `quantile`, `percentile` (and `nan*`), `count_nonzero`,
// `histogram`, `searchsorted`, `digitize`.
#[path = "suite/order.rs"]
mod order;
// `take`, `boolean_index` (`x[mask]`), `compress`, `nonzero`, `argwhere`; the counting pass.
#[path = "suite/select.rs"]
mod select;
// The memory limit as a promise: stored rechunks across chunks under small budgets (library
// and `chunkwise rechunk`), refused writes leave nothing, a short peak-RSS stress run.
#[path = "suite/budget.rs"]
mod budget;
// What the stress runs share with examples/budget_stress.rs: expressions, a generator,
// a child process's peak resident memory.
#[path = "suite/stress.rs"]
mod stress;
// `unique` (values, counts, NaNs) and `bincount` (weights, minlength) against NumPy.
#[path = "suite/counting.rs"]
mod counting;
// Remote stores: every fixture over HTTP (with latency and injected faults) and through S3
// (moto), consolidated metadata, retries, requests in flight, the memory limit.
#[path = "suite/remote.rs"]
mod remote;
// Task events, the recorder, the HTML report rendered in headless Chromium, the live
// dashboard, and the `--report`/`--dashboard` flags.
#[path = "suite/diagnostics.rs"]
mod diagnostics;
// The servers the remote-store tests start: an HTTP store server and moto's S3 server.
#[path = "support/mod.rs"]
mod support;

// Under `mpirun -np 3` (feature `mpi`): results equal one process's, failures stop every
// rank.
#[cfg(feature = "mpi")]
#[path = "suite/mpi.rs"]
mod mpi;
