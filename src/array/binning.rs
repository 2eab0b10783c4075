//! Binning on [`LazyArray`] and [`DynArray`]: `histogram`, `bincount`, `searchsorted`,
//! `digitize` (the builders and kernels are in `blocks::histogram`, `blocks::bincount`
//! and `blocks::search`).

use super::{DynArray, LazyArray};
use crate::blocks::bincount;
use crate::blocks::histogram::{self, Bins};
use crate::blocks::search::{self, Search};
use crate::element::{DType, Element};

/// The `bins` of [`LazyArray::histogram`]: a number of equal bins, or the edges.
///
/// # Example
///
/// ```
/// use chunkwise::HistogramBins;
/// let edges = chunkwise::from_ndarray(ndarray::array![0.0, 1.0, 5.0], [3]).to_dyn();
/// assert!(matches!(HistogramBins::from(10), HistogramBins::Count(10)));
/// assert!(matches!(HistogramBins::from(&edges), HistogramBins::Edges(_)));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum HistogramBins {
    /// This many bins of equal width over the range.
    Count(usize),
    /// The bin edges, a one-dimensional increasing array.
    Edges(DynArray),
}

impl std::fmt::Debug for HistogramBins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HistogramBins::Count(n) => write!(f, "Count({n})"),
            HistogramBins::Edges(e) => write!(f, "Edges(shape {:?}, {})", e.shape(), e.dtype()),
        }
    }
}

impl From<usize> for HistogramBins {
    fn from(n: usize) -> HistogramBins {
        HistogramBins::Count(n)
    }
}

impl From<&DynArray> for HistogramBins {
    fn from(edges: &DynArray) -> HistogramBins {
        HistogramBins::Edges(edges.clone())
    }
}

impl<T: Element> From<&LazyArray<T>> for HistogramBins {
    fn from(edges: &LazyArray<T>) -> HistogramBins {
        HistogramBins::Edges(edges.to_dyn())
    }
}

/// Which index `searchsorted` gives for a value equal to elements of the sorted array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Side {
    /// The index of the first equal element (NumPy's `side="left"`).
    Left,
    /// The index after the last equal element (`side="right"`).
    Right,
}

impl DynArray {
    /// The histogram of the values (NumPy's `histogram` without weights or density):
    /// the counts (`int64`) and the bin edges. `bins` is a number of equal bins over
    /// `range` (by default the data's minimum and maximum, computed in the graph), or
    /// the edges themselves. Bin `i` counts `edges[i] <= v < edges[i + 1]`, the last
    /// bin also its right edge.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, 2.0, 2.0, 4.0], [3]).to_dyn();
    /// let (counts, edges) = x.histogram(3, None);
    /// assert_eq!(counts.compute()?.into_typed::<i64>()?, ndarray::array![1i64, 2, 1].into_dyn());
    /// assert_eq!(edges.compute()?.into_typed::<f64>()?, ndarray::array![1.0, 2.0, 3.0, 4.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Zero bins, a range that is not finite or decreasing, or edges that are not a
    /// one-dimensional array give invalid arrays; data holding NaN or inf without a
    /// `range`, and edges that decrease, fail at `compute`, as NumPy raises.
    #[track_caller]
    pub fn histogram(
        &self,
        bins: impl Into<HistogramBins>,
        range: Option<(f64, f64)>,
    ) -> (DynArray, DynArray) {
        let bins = bins.into();
        let (edge_node, edge_dtype) = match &bins {
            HistogramBins::Count(_) => (None, self.dtype().float_result()),
            HistogramBins::Edges(e) => (Some(e.node().clone()), e.dtype()),
        };
        let mut edges_out = None;
        let inputs: Vec<&std::sync::Arc<crate::expr::Node>> = std::iter::once(self.node())
            .chain(edge_node.as_ref())
            .collect();
        let counts = DynArray::build("histogram", &inputs, DType::I64, || {
            let bins = match &bins {
                HistogramBins::Count(n) => Bins::Count(*n),
                HistogramBins::Edges(e) => Bins::Edges(e.node().clone()),
            };
            let (counts, edges) = histogram::histogram(self.node(), &bins, range)?;
            edges_out = Some(edges);
            Ok(counts)
        });
        let edges = match edges_out {
            Some(e) => DynArray::from_node(e),
            None => DynArray::build("histogram", &[counts.node()], edge_dtype, || {
                Err(crate::error::Error::internal("histogram", "unreachable"))
            }),
        };
        (counts, edges)
    }

    /// How often each value occurs in this 1-d array of non-negative integers (NumPy's
    /// `bincount`): `int64` counts of length `max + 1`, at least `minlength`; with
    /// `weights` (of the same shape), the `float64` sum of the weights at each value.
    /// The length depends on the data: `compute` finds the maximum first, in the same
    /// computation, and `shape` reports [`UNKNOWN_LEN`](crate::UNKNOWN_LEN) until then.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![0i64, 1, 1, 3, 1], [2]).to_dyn();
    /// assert_eq!(x.bincount(None, 0).compute()?.into_typed::<i64>()?, ndarray::array![1i64, 3, 0, 1].into_dyn());
    /// let w = chunkwise::from_ndarray(ndarray::array![0.5, 1.0, 1.0, 2.0, 1.0], [3]).to_dyn();
    /// assert_eq!(x.bincount(Some(&w), 6).compute()?.into_typed::<f64>()?, ndarray::array![0.5, 3.0, 0.0, 2.0, 0.0, 0.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An array that is not 1-d or not of integers (or bools), or weights of another
    /// shape, give an invalid array; a negative value fails at `compute`, as NumPy raises.
    #[track_caller]
    pub fn bincount(&self, weights: Option<&DynArray>, minlength: usize) -> DynArray {
        let dtype = if weights.is_some() {
            DType::F64
        } else {
            DType::I64
        };
        let inputs: Vec<&std::sync::Arc<crate::expr::Node>> = std::iter::once(self.node())
            .chain(weights.map(DynArray::node))
            .collect();
        DynArray::build("bincount", &inputs, dtype, || {
            bincount::bincount(self.node(), weights.map(DynArray::node), minlength)
        })
    }

    /// The indices at which the values of `v` would be inserted into this sorted
    /// one-dimensional array to keep it sorted (NumPy's `searchsorted`), `int64`, in
    /// `v`'s shape and chunks. The sorted array is read whole by every task.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::Side;
    /// let a = chunkwise::from_ndarray(ndarray::array![1, 2, 2, 5], [2]).to_dyn();
    /// let v = chunkwise::from_ndarray(ndarray::array![2, 6, 0], [2]).to_dyn();
    /// assert_eq!(a.searchsorted(&v, Side::Left).compute()?.into_typed::<i64>()?, ndarray::array![1i64, 4, 0].into_dyn());
    /// assert_eq!(a.searchsorted(&v, Side::Right).compute()?.into_typed::<i64>()?, ndarray::array![3i64, 4, 0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A sorted array that is not one-dimensional gives an invalid array.
    #[track_caller]
    pub fn searchsorted(&self, v: &DynArray, side: Side) -> DynArray {
        DynArray::build("searchsorted", &[self.node(), v.node()], DType::I64, || {
            search::search(
                self.node(),
                v.node(),
                Search::Sorted {
                    right: side == Side::Right,
                },
            )
        })
    }

    /// The index of the bin each value falls in (NumPy's `digitize`): for increasing
    /// `bins`, `i` such that `bins[i-1] <= x < bins[i]` (`right`: `bins[i-1] < x <=
    /// bins[i]`); decreasing bins are searched from the other end. `int64`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![0.2, 6.4, 3.0, 1.6], [3]).to_dyn();
    /// let bins = chunkwise::from_ndarray(ndarray::array![0.0, 1.0, 2.5, 4.0, 10.0], [5]).to_dyn();
    /// assert_eq!(x.digitize(&bins, false).compute()?.into_typed::<i64>()?, ndarray::array![1i64, 4, 3, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Bins that are not one-dimensional give an invalid array; bins that are not
    /// monotonic fail at `compute`, as NumPy raises.
    #[track_caller]
    pub fn digitize(&self, bins: &DynArray, right: bool) -> DynArray {
        DynArray::build("digitize", &[bins.node(), self.node()], DType::I64, || {
            search::search(bins.node(), self.node(), Search::Digitize { right })
        })
    }
}

impl<T: Element> LazyArray<T> {
    /// The histogram of the values: the counts and the edges (see
    /// [`DynArray::histogram`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 10, 1, [4]);
    /// let (counts, _) = x.histogram(2, Some((0.0, 10.0)));
    /// assert_eq!(counts.compute()?, ndarray::array![5i64, 5].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn histogram(
        &self,
        bins: impl Into<HistogramBins>,
        range: Option<(f64, f64)>,
    ) -> (LazyArray<i64>, DynArray) {
        let (counts, edges) = self.to_dyn().histogram(bins, range);
        (LazyArray::wrap(counts.node().clone()), edges)
    }

    /// How often each value occurs (see [`DynArray::bincount`]), `int64` counts.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![2u8, 0, 2], [2]);
    /// assert_eq!(x.bincount(0).compute()?, ndarray::array![1i64, 0, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn bincount(&self, minlength: usize) -> LazyArray<i64> {
        LazyArray::wrap(self.to_dyn().bincount(None, minlength).node().clone())
    }

    /// The sum of `weights` at each value (NumPy's `bincount(x, weights)`; see
    /// [`DynArray::bincount`]), `float64`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1i32, 1, 0], [2]);
    /// let w = chunkwise::from_ndarray(ndarray::array![0.25f32, 0.5, 2.0], [3]);
    /// assert_eq!(x.bincount_weighted(&w, 0).compute()?, ndarray::array![2.0, 0.75].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn bincount_weighted<W: Element>(
        &self,
        weights: &LazyArray<W>,
        minlength: usize,
    ) -> LazyArray<f64> {
        let weights = weights.to_dyn();
        LazyArray::wrap(
            self.to_dyn()
                .bincount(Some(&weights), minlength)
                .node()
                .clone(),
        )
    }

    /// The insertion indices of `v` in this sorted one-dimensional array (see
    /// [`DynArray::searchsorted`]).
    ///
    /// # Example
    ///
    /// ```
    /// let a = chunkwise::arange(0.0f64, 5.0, 1.0, [2]);
    /// let v = chunkwise::from_ndarray(ndarray::array![2.5, -1.0], [1]);
    /// assert_eq!(a.searchsorted(&v, chunkwise::Side::Left).compute()?, ndarray::array![3i64, 0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn searchsorted<U: Element>(&self, v: &LazyArray<U>, side: Side) -> LazyArray<i64> {
        LazyArray::wrap(self.to_dyn().searchsorted(&v.to_dyn(), side).node().clone())
    }

    /// The bin index of each value (see [`DynArray::digitize`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1, 5, 9], [2]);
    /// let bins = chunkwise::from_ndarray(ndarray::array![0, 5, 10], [3]);
    /// assert_eq!(x.digitize(&bins, true).compute()?, ndarray::array![1i64, 1, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn digitize<U: Element>(&self, bins: &LazyArray<U>, right: bool) -> LazyArray<i64> {
        LazyArray::wrap(self.to_dyn().digitize(&bins.to_dyn(), right).node().clone())
    }
}
