//! `histogram` (NumPy's, without weights or density): the counts of the elements in
//! each bin, and the bin edges.
//!
//! ```text
//!  bins=n, range=None:   min(x), max(x) (reductions) -> edges (NumPy's linspace)
//!  bins=n, range=(a, b): constants a, b               -> edges
//!  bins=edges array:     the array, gathered into one block
//!  every block of x + edges -> its counts (int64) -> tree of sums (16 per task)
//! ```
//!
//! Bin `i` holds `edges[i] <= v < edges[i + 1]`, the last bin also its right edge;
//! values outside the edges (and NaN) are not counted. Values and edges are compared in
//! their promoted dtype. The edges are NumPy's: `float32` for `float32` data and
//! `float64` otherwise, computed as `np.linspace` does (in `float32` when the range is
//! the data's own `float32` extremes); an empty range widens by 0.5 on each side, an
//! empty array uses `[0, 1]`, and a range that is not finite (data holding NaN or inf
//! without a `range`) fails at run time, as NumPy raises.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use super::order_key::OrderKey;
use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{DType, Scalar};
use crate::error::{Error, Result};
use crate::expr::build::{self, rechunk_to, DEFAULT_SPLIT_EVERY};
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;
use crate::ops::ReduceFn;

/// Most count arrays one combine task sums.
pub(crate) const SPLIT_EVERY: usize = 16;

/// The bins of a histogram.
#[derive(Clone, Debug)]
pub(crate) enum Bins {
    /// This many equal bins over the range.
    Count(usize),
    /// The bin edges, increasing (a one-dimensional array).
    Edges(Arc<Node>),
}

/// The counts and the edges of the histogram of `x`.
pub(crate) fn histogram(
    x: &Arc<Node>,
    bins: &Bins,
    range: Option<(f64, f64)>,
) -> Result<(Arc<Node>, Arc<Node>)> {
    let edges = match bins {
        Bins::Edges(e) => {
            if e.ndim() != 1 || e.shape()[0] < 1 {
                return Err(Error::InvalidParameter {
                    op: "histogram",
                    param: "bins",
                    value: format!("an array of shape {:?}", e.shape()),
                    expected: "an integer, or a one-dimensional array of edges".into(),
                });
            }
            let n = e.shape()[0];
            rechunk_to(e, ChunkGrid::new(vec![AxisChunks::regular(n, n)?]))
        }
        Bins::Count(n) => {
            if *n == 0 {
                return Err(Error::InvalidParameter {
                    op: "histogram",
                    param: "bins",
                    value: "0".into(),
                    expected: "a positive number of bins".into(),
                });
            }
            let (lo, hi) = match range {
                Some((a, b)) => {
                    if !(a.is_finite() && b.is_finite()) || a > b {
                        return Err(Error::InvalidParameter {
                            op: "histogram",
                            param: "range",
                            value: format!("({a}, {b})"),
                            expected: "finite bounds with min <= max".into(),
                        });
                    }
                    (build::scalar(Scalar::F64(a)), build::scalar(Scalar::F64(b)))
                }
                None if x.shape().contains(&0) => (
                    build::scalar(Scalar::F64(0.0)),
                    build::scalar(Scalar::F64(1.0)),
                ),
                None => (
                    build::reduce(ReduceFn::Min, x, None, false, DEFAULT_SPLIT_EVERY)?,
                    build::reduce(ReduceFn::Max, x, None, false, DEFAULT_SPLIT_EVERY)?,
                ),
            };
            let dtype = edge_dtype(x.dtype());
            Node::new(
                Op::Block(Arc::new(Edges { bins: *n, dtype })),
                vec![lo, hi],
                Meta::new(
                    dtype,
                    ChunkGrid::new(vec![AxisChunks::regular(n + 1, n + 1)?]),
                ),
            )
        }
    };
    let nbins = edges.shape()[0].saturating_sub(1).max(1);
    let counts_of = |n: usize| {
        ChunkGrid::new(vec![
            AxisChunks::regular(n * nbins, nbins).expect("bins are not empty")
        ])
    };
    let blocks = x.chunks().num_blocks();
    let compare = DType::promote(x.dtype(), edges.dtype());
    let mut counts = Node::new(
        Op::Block(Arc::new(Count {
            grid: x.chunks().blocks_per_axis(),
            compare,
            check: matches!(bins, Bins::Edges(_)),
        })),
        vec![x.clone(), edges.clone()],
        Meta::new(DType::I64, counts_of(blocks.max(1))),
    );
    let mut n = blocks;
    while n > 1 {
        let inputs = n;
        n = n.div_ceil(SPLIT_EVERY);
        counts = Node::new(
            Op::Block(Arc::new(SumCounts { len: nbins, inputs })),
            vec![counts],
            Meta::new(DType::I64, counts_of(n)),
        );
    }
    Ok((counts, edges))
}

/// The dtype of the edges NumPy computes for data of `dtype`.
fn edge_dtype(dtype: DType) -> DType {
    if dtype == DType::F32 {
        DType::F32
    } else {
        DType::F64
    }
}

/// The edges of `bins` equal bins between two 0-d inputs (NumPy's `linspace`).
#[derive(Debug)]
struct Edges {
    bins: usize,
    dtype: DType,
}

impl BlockKernel for Edges {
    fn name(&self) -> &'static str {
        "histogram_edges"
    }

    fn key(&self) -> Vec<u8> {
        (self.bins as u64).to_le_bytes().to_vec()
    }

    fn for_each_input(&self, _: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, &[]);
        f(1, &[]);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let (lo, hi) = (inputs[0].cast(DType::F64), inputs[1].cast(DType::F64));
        let (lo, hi) = (lo.as_typed::<f64>()?, hi.as_typed::<f64>()?);
        let (lo, hi) = (lo.iter().copied().next(), hi.iter().copied().next());
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Err(Error::internal(
                "histogram",
                "a range bound without a value",
            ));
        };
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(Error::InvalidParameter {
                op: "histogram",
                param: "range",
                value: format!("[{lo}, {hi}] (the data's own)"),
                expected: "a finite range: the data holds NaN or inf; pass `range`".into(),
            });
        }
        // `float32` data without a range: NumPy's linspace runs in `float32`.
        let f32_math = inputs[0].dtype() == DType::F32;
        let n = self.bins;
        let edges: Vec<f64> = if f32_math {
            #[allow(clippy::cast_possible_truncation)]
            let (mut lo, mut hi) = (lo as f32, hi as f32);
            if lo == hi {
                (lo, hi) = (lo - 0.5, hi + 0.5);
            }
            let delta = hi - lo;
            #[allow(clippy::cast_precision_loss)]
            let step = delta / n as f32;
            (0..=n)
                .map(|i| {
                    #[allow(clippy::cast_precision_loss)]
                    let i = i as f32;
                    let y = if i as usize == n {
                        hi
                    } else if step == 0.0 {
                        i / n as f32 * delta + lo
                    } else {
                        i * step + lo
                    };
                    f64::from(y)
                })
                .collect()
        } else {
            let (lo, hi) = if lo == hi {
                (lo - 0.5, hi + 0.5)
            } else {
                (lo, hi)
            };
            let delta = hi - lo;
            #[allow(clippy::cast_precision_loss)]
            let step = delta / n as f64;
            (0..=n)
                .map(|i| {
                    #[allow(clippy::cast_precision_loss)]
                    let f = i as f64;
                    if i == n {
                        hi
                    } else if step == 0.0 {
                        f / n as f64 * delta + lo
                    } else {
                        f * step + lo
                    }
                })
                .collect()
        };
        let edges =
            AnyArray::from(ArrayD::from_shape_vec(IxDyn(&[n + 1]), edges).expect("length matches"));
        Ok(if self.dtype == DType::F64 {
            edges
        } else {
            edges.cast(self.dtype)
        })
    }
}

/// The counts of one block of `x` in the bins (slot 1: the edges).
#[derive(Debug)]
struct Count {
    /// Blocks of `x` per axis (output block `i` reads block `i` in C order).
    grid: Vec<usize>,
    /// The dtype values and edges are compared in.
    compare: DType,
    /// Whether to check that given edges increase.
    check: bool,
}

impl BlockKernel for Count {
    fn name(&self) -> &'static str {
        "histogram"
    }

    fn key(&self) -> Vec<u8> {
        vec![u8::from(self.check)]
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut at = Vec::new();
        crate::chunks::coords_of(out[0], &self.grid, &mut at);
        f(0, &at);
        f(1, &[0]);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let x = inputs[0].cast(self.compare);
        let edges = inputs[1].cast(self.compare);
        let check = self.check;
        crate::any_array::dispatch_any!(&x, x, T => {
            let e = edges.as_typed::<T>()?;
            let keys: Vec<u64> = e.iter().map(|v| v.order_key()).collect();
            if check && keys.windows(2).any(|w| w[0] > w[1]) {
                return Err(Error::InvalidParameter {
                    op: "histogram",
                    param: "bins",
                    value: "edges that decrease".into(),
                    expected: "edges that increase monotonically".into(),
                });
            }
            let nbins = keys.len().saturating_sub(1).max(1);
            let mut counts = vec![0i64; nbins];
            if keys.len() >= 2 {
                let (first, last) = (keys[0], keys[keys.len() - 1]);
                for v in x {
                    if v.is_nan_value() {
                        continue;
                    }
                    let k = v.order_key();
                    if k < first || k > last {
                        continue;
                    }
                    let bin = keys.partition_point(|&e| e <= k).saturating_sub(1).min(nbins - 1);
                    counts[bin] += 1;
                }
            }
            Ok(AnyArray::from(
                ArrayD::from_shape_vec(IxDyn(&[nbins]), counts).expect("length matches"),
            ))
        })
    }
}

/// A combine task: the sum of up to [`SPLIT_EVERY`] count arrays (`int64` or `uint64`,
/// or `float64` sums of weights) of `len` entries.
#[derive(Debug)]
pub(crate) struct SumCounts {
    pub(crate) len: usize,
    /// Count arrays in the input.
    pub(crate) inputs: usize,
}

impl BlockKernel for SumCounts {
    fn name(&self) -> &'static str {
        "sum_counts"
    }

    fn key(&self) -> Vec<u8> {
        (self.len as u64).to_le_bytes().to_vec()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        // The last group may be short.
        for i in out[0] * SPLIT_EVERY..((out[0] + 1) * SPLIT_EVERY).min(self.inputs) {
            f(0, &[i]);
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        match inputs.first().map(|a| a.dtype()) {
            Some(DType::U64) => Ok(AnyArray::from(self.sum::<u64>(inputs)?)),
            Some(DType::F64) => Ok(AnyArray::from(self.sum::<f64>(inputs)?)),
            _ => Ok(AnyArray::from(self.sum::<i64>(inputs)?)),
        }
    }
}

impl SumCounts {
    fn sum<T: crate::element::NumElement>(&self, inputs: &[&AnyArray]) -> Result<ArrayD<T>> {
        let mut sum = vec![T::ZERO; self.len];
        for h in inputs {
            for (s, &v) in sum.iter_mut().zip(h.as_typed::<T>()?.iter()) {
                *s = s.add_elem(v);
            }
        }
        Ok(ArrayD::from_shape_vec(IxDyn(&[self.len]), sum).expect("length matches"))
    }
}
