//! `searchsorted` and `digitize` (NumPy's): for every element of `v` (`x`), its
//! insertion index in a sorted one-dimensional array, by binary search.
//!
//! The sorted array is gathered into one block that every task reads beside its own
//! block of `v`; the result has `v`'s shape and chunks, as `int64`. Both arrays are
//! compared in their promoted dtype with NumPy's order ([`OrderKey`]: NaN last).
//! `digitize` checks at run time that its bins are monotonic, as NumPy does, and
//! searches decreasing bins from the other end.

use std::sync::Arc;

use ndarray::ArrayD;

use super::order_key::OrderKey;
use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::DType;
use crate::error::{Error, Result};
use crate::expr::build::rechunk_to;
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// Which search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Search {
    /// `searchsorted(a, v, side)`: `right` for `side="right"`.
    Sorted {
        /// `side="right"`: the index after equal elements.
        right: bool,
    },
    /// `digitize(x, bins, right)`.
    Digitize {
        /// `right=True`: bins closed on the right.
        right: bool,
    },
}

/// The insertion indices of `v` in `sorted` (`searchsorted(sorted, v)`, or
/// `digitize(v, sorted)`).
pub(crate) fn search(sorted: &Arc<Node>, v: &Arc<Node>, search: Search) -> Result<Arc<Node>> {
    let op = match search {
        Search::Sorted { .. } => "searchsorted",
        Search::Digitize { .. } => "digitize",
    };
    if sorted.ndim() != 1 {
        return Err(Error::InvalidParameter {
            op,
            param: if op == "digitize" { "bins" } else { "a" },
            value: format!("an array of shape {:?}", sorted.shape()),
            expected: "a one-dimensional array".into(),
        });
    }
    let n = sorted.shape()[0];
    let gathered = rechunk_to(sorted, ChunkGrid::new(vec![AxisChunks::regular(n, n)?]));
    let dtype = DType::promote(sorted.dtype(), v.dtype());
    Ok(Node::new(
        Op::Block(Arc::new(SearchKernel { search, dtype })),
        vec![gathered, v.clone()],
        Meta::new(DType::I64, v.chunks().clone()),
    ))
}

#[derive(Debug)]
struct SearchKernel {
    search: Search,
    /// The dtype both arrays are compared in.
    dtype: DType,
}

impl BlockKernel for SearchKernel {
    fn name(&self) -> &'static str {
        match self.search {
            Search::Sorted { .. } => "searchsorted",
            Search::Digitize { .. } => "digitize",
        }
    }

    fn key(&self) -> Vec<u8> {
        let (kind, right) = match self.search {
            Search::Sorted { right } => (0u8, right),
            Search::Digitize { right } => (1u8, right),
        };
        vec![kind, u8::from(right)]
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, &[0]);
        f(1, out);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let sorted = inputs[0].cast(self.dtype);
        let v = inputs[1].cast(self.dtype);
        let search = self.search;
        crate::any_array::dispatch_any!(&sorted, s, T => {
            let v = v.as_typed::<T>()?;
            let keys: Vec<u64> = s.iter().map(|e| e.order_key()).collect();
            indices(&keys, v, search).map(AnyArray::from)
        })
    }

    fn describe(&self) -> Option<String> {
        Some(format!("in {}", self.dtype))
    }
}

/// The indices of `v` among the sorted `keys`.
fn indices<T: OrderKey>(keys: &[u64], v: &ArrayD<T>, search: Search) -> Result<ArrayD<i64>> {
    let pos = |k: u64, right: bool| {
        if right {
            keys.partition_point(|&e| e <= k)
        } else {
            keys.partition_point(|&e| e < k)
        }
    };
    let n = keys.len() as i64;
    Ok(match search {
        Search::Sorted { right } => v.mapv(|x| pos(x.order_key(), right) as i64),
        Search::Digitize { right } => {
            let increasing = keys.windows(2).all(|w| w[0] <= w[1]);
            if increasing {
                // NumPy's `digitize` is `searchsorted` with the side swapped.
                v.mapv(|x| pos(x.order_key(), !right) as i64)
            } else if keys.windows(2).all(|w| w[0] >= w[1]) {
                let reversed: Vec<u64> = keys.iter().rev().copied().collect();
                v.mapv(|x| {
                    let k = x.order_key();
                    let p = if right {
                        reversed.partition_point(|&e| e < k)
                    } else {
                        reversed.partition_point(|&e| e <= k)
                    };
                    n - p as i64
                })
            } else {
                return Err(Error::InvalidParameter {
                    op: "digitize",
                    param: "bins",
                    value: "bins that are not sorted".into(),
                    expected: "bins increasing or decreasing monotonically".into(),
                });
            }
        }
    })
}
