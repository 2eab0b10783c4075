//! Data that lives outside the graph: [`BlockReader`], a source the graph reads boxes of
//! (a Zarr array, a file), and [`BlockWriter`], a sink the graph writes blocks to.
//!
//! The graph knows storage only through these two traits, so a reader is just another
//! source node (culled, sliced and fused like a generator) and a write is just another
//! layer whose tasks hold no data afterwards. The Zarr module implements both.
//!
//! # Example
//!
//! A reader that serves a ramp `0, 1, 2, ...` and a writer that records the sum of each
//! block it receives:
//!
//! ```
//! use std::ops::Range;
//! use std::sync::{Arc, Mutex};
//! use chunkwise::io::{BlockReader, BlockWriter};
//! use chunkwise::{AnyArray, Chunks, DType, DynArray};
//!
//! #[derive(Debug)]
//! struct Ramp(usize);
//! impl BlockReader for Ramp {
//!     fn dtype(&self) -> DType { DType::F64 }
//!     fn shape(&self) -> Vec<usize> { vec![self.0] }
//!     fn identity(&self) -> String { format!("ramp:{}", self.0) }
//!     fn read(&self, region: &[Range<usize>]) -> chunkwise::Result<AnyArray> {
//!         let values: Vec<f64> = region[0].clone().map(|i| i as f64).collect();
//!         Ok(AnyArray::F64(ndarray::arr1(&values).into_dyn()))
//!     }
//! }
//!
//! #[derive(Debug, Default)]
//! struct Sums(Mutex<Vec<(usize, f64)>>);
//! impl BlockWriter for Sums {
//!     fn identity(&self) -> String { "sums".into() }
//!     fn write(&self, region: &[Range<usize>], block: &AnyArray) -> chunkwise::Result<()> {
//!         self.0.lock().unwrap().push((region[0].start, block.sum_f64()));
//!         Ok(())
//!     }
//! }
//!
//! let x = DynArray::from_reader(Arc::new(Ramp(10)), &Chunks::Uniform(vec![4]));
//! assert_eq!(x.compute()?.sum_f64(), 45.0);
//! let sums = Arc::new(Sums::default());
//! x.write_to(sums.clone()).run()?;
//! let mut got = sums.0.lock().unwrap().clone();
//! got.sort_by_key(|&(start, _)| start);
//! assert_eq!(got, vec![(0, 6.0), (4, 22.0), (8, 17.0)]);
//! # Ok::<(), chunkwise::Error>(())
//! ```

mod storage;

pub use storage::{BlockReader, BlockWriter, IoLimits, IoWindow, WriteLayout};
