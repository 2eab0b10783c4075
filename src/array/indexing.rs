//! Indexing and shape: basic slicing with ndarray's `s![]`, axis permutations, adding and
//! removing length-1 axes, and rechunking.

use ndarray::SliceInfoElem;

use super::LazyArray;
use crate::chunks::Chunks;
use crate::element::Element;
use crate::error::Result;
use crate::expr::build;

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
    /// let x = chunkwise::arange(0i32, 20, 1, [6])?;
    /// assert_eq!(x.slice(s![2..9;3])?.compute()?, ndarray::arr1(&[2, 5, 8]).into_dyn());
    /// assert_eq!(x.slice(s![..;-7])?.compute()?, ndarray::arr1(&[19, 12, 5]).into_dyn());
    /// assert_eq!(x.slice(s![-1])?.compute_scalar()?, 19);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::IndexOutOfRange`], [`crate::Error::SliceOutOfBounds`],
    /// [`crate::Error::SliceStepZero`], [`crate::Error::SliceRankMismatch`].
    pub fn slice(&self, index: impl AsRef<[SliceInfoElem]>) -> Result<LazyArray<T>> {
        Ok(LazyArray::wrap(build::slice(&self.node, index.as_ref())?))
    }

    /// The array with its axes permuted: result axis `i` is axis `axes[i]` of `self`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2, 3, 4], [1, 2, 3])?;
    /// assert_eq!(x.permute_axes(&[2, 0, 1])?.shape(), &[4, 2, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidParameter`] unless `axes` lists every axis exactly once.
    pub fn permute_axes(&self, axes: &[usize]) -> Result<LazyArray<T>> {
        Ok(LazyArray::wrap(build::permute(&self.node, axes)?))
    }

    /// The array with its axes reversed (NumPy's `.T`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2])?;
    /// assert_eq!(x.t().compute()?, ndarray::array![[1, 4], [2, 5], [3, 6]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[allow(
        clippy::missing_panics_doc,
        reason = "the `expect` inside states an invariant, it cannot fire"
    )]
    pub fn t(&self) -> LazyArray<T> {
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        self.permute_axes(&perm)
            .expect("a reversal is a valid permutation")
    }

    /// Same as [`t`](Self::t).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<u8>(&[2, 5], [2, 2])?;
    /// assert_eq!(x.transpose().shape(), &[5, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn transpose(&self) -> LazyArray<T> {
        self.t()
    }

    /// The array without its length-1 axes.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[1, 3, 1], [1, 2, 1])?;
    /// assert_eq!(x.squeeze().shape(), &[3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[allow(
        clippy::missing_panics_doc,
        reason = "the `expect` inside states an invariant, it cannot fire"
    )]
    pub fn squeeze(&self) -> LazyArray<T> {
        LazyArray::wrap(
            build::squeeze(&self.node, None).expect("length-1 axes can always be removed"),
        )
    }

    /// The array without the given length-1 axes.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[1, 3, 1], [1, 2, 1])?;
    /// assert_eq!(x.squeeze_axes(&[2])?.shape(), &[1, 3]);
    /// assert!(x.squeeze_axes(&[1]).is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::NotSqueezable`] for an axis whose length is not 1, and bad axes.
    pub fn squeeze_axes(&self, axes: &[usize]) -> Result<LazyArray<T>> {
        Ok(LazyArray::wrap(build::squeeze(&self.node, Some(axes))?))
    }

    /// The array with a new length-1 axis at position `axis` of the result (NumPy's
    /// `expand_dims`, ndarray's `insert_axis`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[3, 4], [2, 2])?;
    /// assert_eq!(x.expand_dims(1)?.shape(), &[3, 1, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::AxisOutOfRange`] when `axis > ndim`.
    pub fn expand_dims(&self, axis: usize) -> Result<LazyArray<T>> {
        Ok(LazyArray::wrap(build::expand_dims(&self.node, axis)?))
    }

    /// The same values cut into other chunks.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 10, 1, [3])?;
    /// let y = x.rechunk(vec![vec![5, 5]])?;
    /// assert_eq!(y.chunks().to_string(), "((5, 5),)");
    /// assert_eq!(y.compute()?, x.compute()?);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `chunks` does not fit the shape.
    pub fn rechunk(&self, chunks: impl Into<Chunks>) -> Result<LazyArray<T>> {
        Ok(LazyArray::wrap(build::rechunk(&self.node, &chunks.into())?))
    }
}
