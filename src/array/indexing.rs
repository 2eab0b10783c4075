//! Indexing and shape: basic slicing with ndarray's `s![]`, axis permutations, adding and
//! removing length-1 axes, and rechunking.

use ndarray::SliceInfoElem;

use super::{Axes, LazyArray};
use crate::chunks::Chunks;
use crate::element::Element;
use crate::expr::build;

/// One axis number: `usize`, or a signed integer where negative numbers count from the
/// end, as in NumPy.
///
/// # Example
///
/// ```
/// let x = chunkwise::zeros::<f32>(&[3, 4], [2, 2]);
/// assert_eq!(x.expand_dims(-1).shape(), &[3, 4, 1]);
/// assert_eq!(x.expand_dims(0usize).shape(), &[1, 3, 4]);
/// ```
pub trait AxisIndex: Copy {
    /// The axis as a signed number.
    fn to_isize(self) -> isize;
}

macro_rules! axis_index {
    ($($t:ty),*) => {$(
        impl AxisIndex for $t {
            fn to_isize(self) -> isize {
                self as isize
            }
        }
    )*};
}
axis_index!(usize, isize, i32, i64);

impl<T: Element> LazyArray<T> {
    /// Basic indexing with an ndarray `s![]` index: ranges with steps (negative steps walk
    /// the range backwards, as in ndarray), integer indices (negative from the end), and
    /// `NewAxis`. Missing trailing entries select whole axes.
    ///
    /// Each output chunk reads exactly one input chunk.
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::s;
    /// let x = chunkwise::arange(0i32, 20, 1, [6]);
    /// assert_eq!(x.slice(s![2..9;3]).compute()?, ndarray::arr1(&[2, 5, 8]).into_dyn());
    /// assert_eq!(x.slice(s![..;-7]).compute()?, ndarray::arr1(&[19, 12, 5]).into_dyn());
    /// assert_eq!(x.slice(s![-1]).compute_scalar()?, 19);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An index out of range, a zero step or too many indices give an invalid array
    /// ([`crate::error::Error::IndexOutOfRange`], [`crate::error::Error::SliceOutOfBounds`],
    /// [`crate::error::Error::SliceStepZero`], [`crate::error::Error::SliceRankMismatch`]).
    #[track_caller]
    pub fn slice(&self, index: impl AsRef<[SliceInfoElem]>) -> LazyArray<T> {
        let index = index.as_ref();
        LazyArray::build("slice", &[&self.node], || build::slice(&self.node, index))
    }

    /// The array with its axes permuted: result axis `i` is axis `axes[i]` of `self`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2, 3, 4], [1, 2, 3]);
    /// assert_eq!(x.permute_axes([2, 0, 1]).shape(), &[4, 2, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Negative axes count from the end; `..` reverses the axes. Unless `axes` lists
    /// every axis exactly once, the array is invalid ([`crate::error::Error::InvalidParameter`]).
    #[track_caller]
    pub fn permute_axes(&self, axes: impl Into<Axes>) -> LazyArray<T> {
        let axes: Vec<isize> = match axes.into().list {
            Some(list) => list,
            None => (0..self.ndim() as isize).rev().collect(),
        };
        LazyArray::build("transpose", &[&self.node], || {
            build::permute(&self.node, &axes)
        })
    }

    /// The array with its axes reversed (NumPy's `.T`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2]);
    /// assert_eq!(x.t().compute()?, ndarray::array![[1, 4], [2, 5], [3, 6]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn t(&self) -> LazyArray<T> {
        self.permute_axes(..)
    }

    /// Same as [`t`](Self::t).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<u8>(&[2, 5], [2, 2]);
    /// assert_eq!(x.transpose().shape(), &[5, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn transpose(&self) -> LazyArray<T> {
        self.t()
    }

    /// The array without its length-1 axes.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[1, 3, 1], [1, 2, 1]);
    /// assert_eq!(x.squeeze().shape(), &[3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn squeeze(&self) -> LazyArray<T> {
        LazyArray::build("squeeze", &[&self.node], || {
            build::squeeze(&self.node, None)
        })
    }

    /// The array without the given length-1 axes.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[1, 3, 1], [1, 2, 1]);
    /// assert_eq!(x.squeeze_axes([2]).shape(), &[1, 3]);
    /// assert!(x.squeeze_axes([1]).compute().is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An axis whose length is not 1 gives an invalid array
    /// ([`crate::error::Error::NotSqueezable`]).
    #[track_caller]
    pub fn squeeze_axes(&self, axes: impl Into<Axes>) -> LazyArray<T> {
        let axes = axes.into().list;
        LazyArray::build("squeeze", &[&self.node], || {
            build::squeeze(&self.node, axes.as_deref())
        })
    }

    /// The array with a new length-1 axis at position `axis` of the result (NumPy's
    /// `expand_dims`, ndarray's `insert_axis`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[3, 4], [2, 2]);
    /// assert_eq!(x.expand_dims(1).shape(), &[3, 1, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Negative axes count from the end of the result; an axis outside `-ndim - 1..=ndim`
    /// gives an invalid array ([`crate::error::Error::AxisOutOfRange`]).
    #[track_caller]
    pub fn expand_dims(&self, axis: impl AxisIndex) -> LazyArray<T> {
        LazyArray::build("expand_dims", &[&self.node], || {
            build::expand_dims(&self.node, axis.to_isize())
        })
    }

    /// The elements in reverse order along `axes` (`..` for every axis; NumPy's
    /// `flip`). Each output block reads the one input block it mirrors.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2]);
    /// assert_eq!(x.flip(1).compute()?, ndarray::array![[3, 2, 1], [6, 5, 4]].into_dyn());
    /// assert_eq!(x.flip(..).compute()?, ndarray::array![[6, 5, 4], [3, 2, 1]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// An axis out of range gives an invalid array ([`crate::error::Error::AxisOutOfRange`]).
    #[track_caller]
    pub fn flip(&self, axes: impl Into<Axes>) -> LazyArray<T> {
        let axes = axes.into().list;
        LazyArray::build("flip", &[&self.node], || {
            crate::blocks::flip::flip(&self.node, axes.as_deref())
        })
    }

    /// The same values cut into other chunks.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 10, 1, [3]);
    /// let y = x.rechunk(vec![vec![5, 5]]);
    /// assert_eq!(y.chunks().to_string(), "((5, 5),)");
    /// assert_eq!(y.compute()?, x.compute()?);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Chunks that do not fit the shape give an invalid array.
    #[track_caller]
    pub fn rechunk(&self, chunks: impl Into<Chunks>) -> LazyArray<T> {
        let chunks = chunks.into();
        LazyArray::build("rechunk", &[&self.node], || {
            build::rechunk(&self.node, &chunks)
        })
    }
}
