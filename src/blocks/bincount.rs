//! `bincount` (NumPy's): how often each non-negative integer occurs in a 1-d array, or
//! the sum of the `weights` at each, as a 1-d array of length `max(x) + 1` (at least
//! `minlength`).
//!
//! ```text
//!  min(x), max(x) (reductions, the counting pass)       -> the length n, x checked >= 0
//!  every block of x (+ its weights) -> its n counts       (int64, or float64 sums)
//!                                   -> tree of sums (16 per task, `SumCounts`)
//! ```
//!
//! The length depends on the data, so the node is deferred (`expr::deferred`): its
//! placeholder is as long as the dtype allows (capped at 2^31), and `compute` computes
//! the minimum and the maximum first, inside the same computation. Each task holds one
//! block of `x` and `n` counts, so the memory is a block plus a few count arrays. Weighted
//! sums are added block by block, then the block sums in a tree, so they can differ from
//! NumPy's one running sum in the last bits, as any chunked sum does.

use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};

use super::histogram::{SumCounts, SPLIT_EVERY};
use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::build::{self, rechunk_to, DEFAULT_SPLIT_EVERY};
use crate::expr::deferred::{self, Deferred};
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;
use crate::ops::ReduceFn;

/// The deferred `bincount` of the 1-d integer (or bool) array `x`, with optional
/// `weights` of `x`'s shape, at least `minlength` long.
///
/// # Errors
///
/// `x` not 1-d, not of an integer or bool dtype; `weights` of another shape or not
/// numeric.
pub(crate) fn bincount(
    x: &Arc<Node>,
    weights: Option<&Arc<Node>>,
    minlength: usize,
) -> Result<Arc<Node>> {
    if x.ndim() != 1 {
        return Err(Error::parameter(
            "bincount",
            "x",
            format!("a {}-d array", x.ndim()),
            "a 1-d array of non-negative integers",
        ));
    }
    if !(x.dtype().is_integer() || x.dtype() == DType::Bool) {
        return Err(Error::parameter(
            "bincount",
            "x",
            format!("an array of {}", x.dtype()),
            "non-negative integers (cast with `astype` first; NumPy refuses floats too)",
        ));
    }
    let weights = match weights {
        None => None,
        Some(w) if w.shape() != x.shape() => {
            return Err(Error::parameter(
                "bincount",
                "weights",
                format!("an array of shape {:?}", w.shape()),
                format!("the shape of `x`, {:?}", x.shape()),
            ))
        }
        Some(w) if w.dtype() == DType::Bool || w.dtype().is_integer() || w.dtype().is_float() => {
            Some(rechunk_to(&build::cast(w, DType::F64), x.chunks().clone()))
        }
        Some(w) => {
            return Err(Error::parameter(
                "bincount",
                "weights",
                format!("an array of {}", w.dtype()),
                "numbers",
            ))
        }
    };
    let dtype = if weights.is_some() {
        DType::F64
    } else {
        DType::I64
    };
    let kernel = BinCount {
        minlength,
        weighted: weights.is_some(),
    };
    if x.shape()[0] == 0 {
        // Nothing to count: `minlength` zeros, no counting pass.
        return kernel.counts(x, weights.as_ref(), minlength);
    }
    let bound = minlength.max(placeholder_len(x.dtype()));
    let inputs = std::iter::once(x.clone()).chain(weights).collect();
    Ok(deferred::node(
        Arc::new(kernel),
        inputs,
        Meta::new(
            dtype,
            ChunkGrid::new(vec![AxisChunks::regular(bound, bound)?]),
        ),
    ))
}

/// The most bins an array of `dtype` can need, capped at 2^31: the placeholder length.
fn placeholder_len(dtype: DType) -> usize {
    match dtype {
        DType::Bool => 2,
        DType::U8 => 1 << 8,
        DType::I8 => 1 << 7,
        DType::U16 => 1 << 16,
        DType::I16 => 1 << 15,
        _ => 1 << 31,
    }
}

/// The key bytes of a length and whether the counts are weighted.
fn key(len: usize, weighted: bool) -> Vec<u8> {
    let mut key = (len as u64).to_le_bytes().to_vec();
    key.push(u8::from(weighted));
    key
}

/// The deferred kernel: its parameters.
#[derive(Debug)]
struct BinCount {
    minlength: usize,
    weighted: bool,
}

impl BinCount {
    /// The counts of `x` (with `weights`) in `n` bins: one count array per block of `x`,
    /// then sums of [`SPLIT_EVERY`] at a time.
    fn counts(&self, x: &Arc<Node>, weights: Option<&Arc<Node>>, n: usize) -> Result<Arc<Node>> {
        let dtype = if self.weighted {
            DType::F64
        } else {
            DType::I64
        };
        let grid_of = |blocks: usize| -> Result<ChunkGrid> {
            Ok(ChunkGrid::new(vec![AxisChunks::from_sizes(&vec![
                n;
                blocks
                    .max(
                        1
                    )
            ])?]))
        };
        let blocks = x.chunks().num_blocks();
        let mut counts = Node::new(
            Op::Block(Arc::new(Count {
                bins: n,
                blocks,
                weighted: self.weighted,
            })),
            std::iter::once(x.clone()).chain(weights.cloned()).collect(),
            Meta::new(dtype, grid_of(blocks)?),
        );
        let mut left = blocks;
        while left > 1 {
            let inputs = left;
            left = left.div_ceil(SPLIT_EVERY);
            counts = Node::new(
                Op::Block(Arc::new(SumCounts { len: n, inputs })),
                vec![counts],
                Meta::new(dtype, grid_of(left)?),
            );
        }
        Ok(counts)
    }
}

impl Deferred for BinCount {
    fn name(&self) -> &'static str {
        "bincount"
    }

    fn key(&self) -> Vec<u8> {
        key(self.minlength, self.weighted)
    }

    fn unknown_axes(&self) -> Vec<bool> {
        vec![true]
    }

    fn needs(&self, inputs: &[Arc<Node>]) -> Result<Vec<Arc<Node>>> {
        let x = &inputs[0];
        Ok(vec![
            build::reduce(ReduceFn::Min, x, None, false, DEFAULT_SPLIT_EVERY)?,
            build::reduce(ReduceFn::Max, x, None, false, DEFAULT_SPLIT_EVERY)?,
        ])
    }

    fn resolve(&self, inputs: &[Arc<Node>], values: &[AnyArray]) -> Result<Arc<Node>> {
        let least = values[0].cast(DType::I64).into_typed::<i64>()?;
        let most = values[1].cast(DType::I64).into_typed::<i64>()?;
        let (least, most): (i64, i64) = (least.iter().copied().sum(), most.iter().copied().sum());
        if least < 0 {
            return Err(Error::parameter(
                "bincount",
                "x",
                format!("an array holding {least}"),
                "non-negative integers (NumPy: \"'list' argument must have no negative elements\")",
            ));
        }
        let n = usize::try_from(most)
            .ok()
            .and_then(|m| m.checked_add(1))
            .ok_or_else(|| Error::parameter("bincount", "x", most, "values below 2^63"))?
            .max(self.minlength);
        self.counts(&inputs[0], inputs.get(1), n)
    }

    fn rebuild(&self, inputs: &[Arc<Node>]) -> Result<Arc<Node>> {
        bincount(&inputs[0], inputs.get(1), self.minlength)
    }

    fn describe(&self) -> String {
        "the minimum and maximum of `x` computed first (the length)".into()
    }
}

/// The counts of one block of `x` (slot 1: its weights) in `bins` bins.
#[derive(Debug)]
struct Count {
    bins: usize,
    /// Blocks of `x`: output block `i` reads block `i`.
    blocks: usize,
    weighted: bool,
}

impl BlockKernel for Count {
    fn name(&self) -> &'static str {
        "bincount"
    }

    fn key(&self) -> Vec<u8> {
        key(self.bins, self.weighted)
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        if out[0] < self.blocks {
            f(0, out);
            if self.weighted {
                f(1, out);
            }
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let mut bins = Vec::new();
        if let Some(x) = inputs.first() {
            let x = x.cast(DType::I64).into_typed::<i64>()?;
            for &v in &x {
                // The counting pass checked the range; a value outside it is a bug.
                let bin = usize::try_from(v)
                    .ok()
                    .filter(|&b| b < self.bins)
                    .ok_or_else(|| {
                        Error::internal("bincount", "a value outside the counted range")
                    })?;
                bins.push(bin);
            }
        }
        let shape = IxDyn(&[self.bins]);
        if self.weighted {
            let mut sums = vec![0.0f64; self.bins];
            if let Some(w) = inputs.get(1) {
                let w = w.cast(DType::F64).into_typed::<f64>()?;
                for (&b, &v) in bins.iter().zip(&w) {
                    sums[b] += v;
                }
            }
            Ok(AnyArray::from(
                ArrayD::from_shape_vec(shape, sums).expect("length matches"),
            ))
        } else {
            let mut counts = vec![0i64; self.bins];
            for &b in &bins {
                counts[b] += 1;
            }
            Ok(AnyArray::from(
                ArrayD::from_shape_vec(shape, counts).expect("length matches"),
            ))
        }
    }
}
