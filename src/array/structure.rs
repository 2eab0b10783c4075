//! Structure: joining arrays (`concatenate`, `stack`), changing their shape (`reshape`,
//! `broadcast_to`, `moveaxis`, `swapaxes`), padding (`pad`), shifting (`roll`) and
//! repeating (`repeat`, `tile`), and differences (`diff`), with NumPy's names and
//! semantics, for [`LazyArray`] and [`DynArray`].
//!
//! The builders are in `crate::blocks`; this file checks nothing itself and turns their
//! errors into invalid arrays located at the caller.

use std::sync::Arc;

use super::{Axes, AxisIndex, DynArray, LazyArray};
use crate::blocks::{broadcast, concatenate as concat, diff, pad, repeat, reshape, roll, tile};
use crate::element::{DType, Element, Scalar};
use crate::error::{Error, Result};
use crate::expr::{build, Node};

pub use crate::blocks::pad::PadMode;

/// The arrays joined along an existing axis (NumPy's `concatenate`).
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(0i32, 3, 1, [2]);
/// let y = chunkwise::arange(10i32, 12, 1, [1]);
/// let z = chunkwise::concatenate(&[x, y], 0);
/// assert_eq!(z.compute()?, ndarray::arr1(&[0, 1, 2, 10, 11]).into_dyn());
/// assert_eq!(z.chunks().to_string(), "((2, 1, 1, 1),)");
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// No arrays, 0-d arrays, or lengths that differ on another axis give an invalid array
/// ([`Error::InvalidParameter`]).
#[track_caller]
pub fn concatenate<T: Element>(arrays: &[LazyArray<T>], axis: impl AxisIndex) -> LazyArray<T> {
    let nodes: Vec<Arc<Node>> = arrays.iter().map(|a| a.node.clone()).collect();
    let refs: Vec<&Arc<Node>> = nodes.iter().collect();
    LazyArray::build("concatenate", &refs, || {
        concat::concatenate(&nodes, axis.to_isize())
    })
}

/// An array assembled from a grid of blocks (NumPy's `block` for a list of lists, as in
/// `np.block([[a, b], [c, d]])`): the arrays of each row joined along the last axis, then
/// the rows along the one before. Arrays with fewer axes than the most of any (and at
/// least two) get leading length-1 axes first, as NumPy promotes them. Deeper nesting is
/// the language's `block`.
///
/// # Example
///
/// ```
/// use chunkwise::{block, ones, zeros};
/// let a = ones::<f64>(&[2, 2], [1, 2]);
/// let b = zeros::<f64>(&[2, 3], [2, 2]);
/// let row = chunkwise::arange(0.0, 5.0, 1.0, [3]); // 1-d: becomes one row
/// let m = block(&[vec![a, b], vec![row]]);
/// assert_eq!(m.shape(), &[3, 5]);
/// let m = m.compute()?;
/// assert_eq!((m[[0, 0]], m[[1, 4]], m[[2, 3]]), (1.0, 0.0, 3.0));
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Rows whose heights differ within a row, or whose widths differ between rows, give an
/// invalid array, as `concatenate` does.
#[track_caller]
pub fn block<T: Element>(rows: &[Vec<LazyArray<T>>]) -> LazyArray<T> {
    let ndim = rows
        .iter()
        .flatten()
        .map(LazyArray::ndim)
        .max()
        .unwrap_or(0)
        .max(2);
    let joined: Vec<LazyArray<T>> = rows
        .iter()
        .map(|row| {
            let parts: Vec<LazyArray<T>> = row
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    while a.ndim() < ndim {
                        a = a.expand_dims(0);
                    }
                    a
                })
                .collect();
            concatenate(&parts, -1)
        })
        .collect();
    concatenate(&joined, -2)
}

/// The arrays (of one shape) joined along a new axis at position `axis` of the result
/// (NumPy's `stack`).
///
/// # Example
///
/// ```
/// let x = chunkwise::zeros::<f32>(&[3, 4], [2, 2]);
/// assert_eq!(chunkwise::stack(&[x.clone(), x.clone()], 2).shape(), &[3, 4, 2]);
/// assert_eq!(chunkwise::stack(&[x.clone(), x], -3).shape(), &[2, 3, 4]);
/// ```
#[track_caller]
pub fn stack<T: Element>(arrays: &[LazyArray<T>], axis: impl AxisIndex) -> LazyArray<T> {
    let nodes: Vec<Arc<Node>> = arrays.iter().map(|a| a.node.clone()).collect();
    let refs: Vec<&Arc<Node>> = nodes.iter().collect();
    LazyArray::build("stack", &refs, || concat::stack(&nodes, axis.to_isize()))
}

/// The permutation NumPy's `moveaxis` makes: axes `source` moved to `destination`, the
/// others in their order.
fn moveaxis_perm(source: &[isize], destination: &[isize], ndim: usize) -> Result<Vec<isize>> {
    let norm = |list: &[isize]| -> Result<Vec<usize>> {
        let mut out = Vec::with_capacity(list.len());
        for &a in list {
            let a = build::axis_index("moveaxis", a, ndim)?;
            if out.contains(&a) {
                return Err(Error::DuplicateAxis {
                    op: "moveaxis",
                    axis: a,
                });
            }
            out.push(a);
        }
        Ok(out)
    };
    let (src, dst) = (norm(source)?, norm(destination)?);
    if src.len() != dst.len() {
        return Err(Error::parameter(
            "moveaxis",
            "destination",
            format!("{destination:?}"),
            format!("as many axes as `source` ({source:?})"),
        ));
    }
    let mut order: Vec<usize> = (0..ndim).filter(|a| !src.contains(a)).collect();
    let mut pairs: Vec<(usize, usize)> = dst.into_iter().zip(src).collect();
    pairs.sort_unstable();
    for (d, s) in pairs {
        order.insert(d, s);
    }
    Ok(order.into_iter().map(|a| a as isize).collect())
}

/// The one axis of `axes`, or `None` for every axis (`..`).
fn single_axis(op: &'static str, axes: &Axes) -> Result<Option<isize>> {
    match axes.list.as_deref() {
        None => Ok(None),
        Some([a]) => Ok(Some(*a)),
        Some(list) => Err(Error::parameter(
            op,
            "axis",
            format!("{list:?}"),
            "one axis, or `..` for the flattened array",
        )),
    }
}

impl<T: Element> LazyArray<T> {
    /// The same elements, in C order, under another shape (NumPy's `reshape`); one
    /// length may be `-1`, standing for what keeps the number of elements.
    ///
    /// No rechunk is needed where the input's chunks line up with the new shape (a
    /// merged axis whose trailing axes are whole, a split along chunk boundaries); other
    /// reshapes gather each output block from the input blocks holding its elements.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 12, 1, [5]);
    /// let y = x.reshape(&[3, -1]);
    /// assert_eq!(y.compute()?, ndarray::Array::from_shape_vec((3, 4), (0..12).collect())?.into_dyn());
    /// assert_eq!(y.reshape(&[12]).compute()?, x.compute()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// A shape of another size, two `-1`s, or a negative length give an invalid array
    /// ([`Error::InvalidParameter`]).
    #[track_caller]
    pub fn reshape(&self, shape: &[isize]) -> LazyArray<T> {
        LazyArray::build("reshape", &[&self.node], || {
            reshape::reshape(&self.node, shape)
        })
    }

    /// The array broadcast to `shape` by NumPy's rules (NumPy's `broadcast_to`); an
    /// elementwise operation, fused with what reads it.
    ///
    /// # Example
    ///
    /// ```
    /// let y = chunkwise::arange(0i32, 3, 1, [2]);
    /// let b = y.broadcast_to(&[2, 3]);
    /// assert_eq!(b.compute()?, ndarray::array![[0, 1, 2], [0, 1, 2]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A shape the array does not broadcast to gives an invalid array.
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> LazyArray<T> {
        LazyArray::build("broadcast_to", &[&self.node], || {
            broadcast::broadcast_to(&self.node, shape)
        })
    }

    /// The axes `source` moved to the positions `destination`, the others keeping their
    /// order (NumPy's `moveaxis`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[3, 4, 5], [2, 2, 2]);
    /// assert_eq!(x.moveaxis(&[0], &[-1]).shape(), &[4, 5, 3]);
    /// assert_eq!(x.moveaxis(&[0, 1], &[-1, -2]).shape(), &[5, 4, 3]);
    /// ```
    #[track_caller]
    pub fn moveaxis(&self, source: &[isize], destination: &[isize]) -> LazyArray<T> {
        LazyArray::build("moveaxis", &[&self.node], || {
            let perm = moveaxis_perm(source, destination, self.ndim())?;
            build::permute(&self.node, &perm)
        })
    }

    /// The array with two axes interchanged (NumPy's `swapaxes`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[3, 4, 5], [2, 2, 2]);
    /// assert_eq!(x.swapaxes(0, -1).shape(), &[5, 4, 3]);
    /// ```
    #[track_caller]
    pub fn swapaxes(&self, axis1: impl AxisIndex, axis2: impl AxisIndex) -> LazyArray<T> {
        LazyArray::build("swapaxes", &[&self.node], || {
            swap_perm(axis1.to_isize(), axis2.to_isize(), self.ndim())
                .and_then(|p| build::permute(&self.node, &p))
        })
    }

    /// The array padded by `widths[d] = (before, after)` on each axis, the added
    /// elements filled as `mode` says (NumPy's `pad`; [`PadMode::Constant`] pads zeros,
    /// see [`pad_constant`](Self::pad_constant) for another value).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::PadMode;
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2], [3, 4]], [1, 1]);
    /// let y = x.pad(&[(1, 0), (0, 2)], PadMode::Edge);
    /// assert_eq!(y.compute()?, ndarray::array![[1, 2, 2, 2], [1, 2, 2, 2], [3, 4, 4, 4]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Widths for another number of axes, or a mode other than `Constant` on an empty
    /// axis, give an invalid array.
    #[track_caller]
    pub fn pad(&self, widths: &[(usize, usize)], mode: PadMode) -> LazyArray<T> {
        LazyArray::build("pad", &[&self.node], || {
            pad::pad(&self.node, widths, mode, &[])
        })
    }

    /// The array padded with `value` (NumPy's `pad` with `mode="constant"` and
    /// `constant_values=value`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, 2.0], [1]);
    /// assert_eq!(x.pad_constant(&[(1, 1)], -1.0).compute()?, ndarray::array![-1.0, 1.0, 2.0, -1.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn pad_constant(&self, widths: &[(usize, usize)], value: T) -> LazyArray<T> {
        let v = value.to_scalar();
        let values = vec![(v, v); self.ndim()];
        LazyArray::build("pad", &[&self.node], || {
            pad::pad(&self.node, widths, PadMode::Constant, &values)
        })
    }

    /// The elements shifted by `shift` along `axis`, those that fall off one end coming
    /// back at the other (NumPy's `roll`); `..` rolls the flattened array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2, 3], [4, 5, 6]], [1, 2]);
    /// assert_eq!(x.roll(1, 1).compute()?, ndarray::array![[3, 1, 2], [6, 4, 5]].into_dyn());
    /// assert_eq!(x.roll(-1, ..).compute()?, ndarray::array![[2, 3, 4], [5, 6, 1]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn roll(&self, shift: i64, axis: impl Into<Axes>) -> LazyArray<T> {
        let axes = axis.into().list;
        LazyArray::build("roll", &[&self.node], || {
            roll::roll(&self.node, &[shift], axes.as_deref())
        })
    }

    /// Each element repeated `repeats` times along `axis` (NumPy's `repeat`); `..`
    /// repeats the elements of the flattened array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[1, 2], [3, 4]], [1, 1]);
    /// assert_eq!(x.repeat(2, ..).compute()?, ndarray::array![1, 1, 2, 2, 3, 3, 4, 4].into_dyn());
    /// assert_eq!(x.repeat(2, 0).compute()?, ndarray::array![[1, 2], [1, 2], [3, 4], [3, 4]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn repeat(&self, repeats: usize, axis: impl Into<Axes>) -> LazyArray<T> {
        self.repeat_each(&[repeats], axis)
    }

    /// Element `i` along `axis` repeated `counts[i]` times (NumPy's `repeat` with a
    /// sequence of counts; one count repeats every element).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1, 2, 3], [2]);
    /// assert_eq!(x.repeat_each(&[0, 2, 1], 0).compute()?, ndarray::array![2, 2, 3].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn repeat_each(&self, counts: &[usize], axis: impl Into<Axes>) -> LazyArray<T> {
        let axes = axis.into();
        LazyArray::build("repeat", &[&self.node], || {
            repeat::repeat(&self.node, counts, single_axis("repeat", &axes)?)
        })
    }

    /// The whole array repeated `reps[d]` times along each axis (NumPy's `tile`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1, 2], [1]);
    /// assert_eq!(x.tile(&[2]).compute()?, ndarray::array![1, 2, 1, 2].into_dyn());
    /// assert_eq!(x.tile(&[2, 1]).compute()?, ndarray::array![[1, 2], [1, 2]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn tile(&self, reps: &[usize]) -> LazyArray<T> {
        LazyArray::build("tile", &[&self.node], || tile::tile(&self.node, reps))
    }

    /// The `n`-th discrete difference along `axis` (NumPy's `diff`; `!=` for booleans).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1, 4, 9, 16], [3]);
    /// assert_eq!(x.diff(1, -1).compute()?, ndarray::array![3, 5, 7].into_dyn());
    /// assert_eq!(x.diff(2, 0).compute()?, ndarray::array![2, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn diff(&self, n: usize, axis: impl AxisIndex) -> LazyArray<T> {
        LazyArray::build("diff", &[&self.node], || {
            diff::diff(&self.node, n, axis.to_isize())
        })
    }
}

/// The permutation swapping two axes.
fn swap_perm(a: isize, b: isize, ndim: usize) -> Result<Vec<isize>> {
    let a = build::axis_index("swapaxes", a, ndim)?;
    let b = build::axis_index("swapaxes", b, ndim)?;
    let mut perm: Vec<isize> = (0..ndim as isize).collect();
    perm.swap(a, b);
    Ok(perm)
}

/// The arrays cast to their common dtype (NumPy's promotion).
fn promoted(arrays: &[DynArray]) -> (DType, Vec<Arc<Node>>) {
    let dtype = arrays
        .iter()
        .map(DynArray::dtype)
        .reduce(DType::promote)
        .unwrap_or(DType::F64);
    let nodes = arrays
        .iter()
        .map(|a| build::cast(a.node(), dtype))
        .collect();
    (dtype, nodes)
}

impl DynArray {
    /// The arrays joined along an existing axis, promoted to one dtype (NumPy's
    /// `concatenate`; see [`concatenate`](crate::array::concatenate)).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = chunkwise::arange(0i32, 3, 1, [2]).to_dyn();
    /// let y = chunkwise::ones::<f32>(&[2], [2]).to_dyn();
    /// let z = DynArray::concatenate(&[x, y], 0);
    /// assert_eq!((z.shape(), z.dtype()), (&[5][..], DType::F64));
    /// ```
    #[track_caller]
    pub fn concatenate(arrays: &[DynArray], axis: impl AxisIndex) -> DynArray {
        let (dtype, nodes) = promoted(arrays);
        let refs: Vec<&Arc<Node>> = arrays.iter().map(DynArray::node).collect();
        DynArray::build("concatenate", &refs, dtype, || {
            concat::concatenate(&nodes, axis.to_isize())
        })
    }

    /// The arrays (of one shape) joined along a new axis, promoted to one dtype (NumPy's
    /// `stack`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[3], [2]).to_dyn();
    /// assert_eq!(chunkwise::DynArray::stack(&[x.clone(), x], 1).shape(), &[3, 2]);
    /// ```
    #[track_caller]
    pub fn stack(arrays: &[DynArray], axis: impl AxisIndex) -> DynArray {
        let (dtype, nodes) = promoted(arrays);
        let refs: Vec<&Arc<Node>> = arrays.iter().map(DynArray::node).collect();
        DynArray::build("stack", &refs, dtype, || {
            concat::stack(&nodes, axis.to_isize())
        })
    }

    /// See [`LazyArray::reshape`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[6, 4], [2, 2]).to_dyn();
    /// assert_eq!(x.reshape(&[-1, 3]).shape(), &[8, 3]);
    /// ```
    #[track_caller]
    pub fn reshape(&self, shape: &[isize]) -> DynArray {
        DynArray::build("reshape", &[self.node()], self.dtype(), || {
            reshape::reshape(self.node(), shape)
        })
    }

    /// See [`LazyArray::broadcast_to`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[4], [2]).to_dyn();
    /// assert_eq!(x.broadcast_to(&[3, 4]).shape(), &[3, 4]);
    /// ```
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> DynArray {
        DynArray::build("broadcast_to", &[self.node()], self.dtype(), || {
            broadcast::broadcast_to(self.node(), shape)
        })
    }

    /// See [`LazyArray::moveaxis`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[2, 3, 4], [2, 2, 2]).to_dyn();
    /// assert_eq!(x.moveaxis(&[0], &[2]).shape(), &[3, 4, 2]);
    /// ```
    #[track_caller]
    pub fn moveaxis(&self, source: &[isize], destination: &[isize]) -> DynArray {
        DynArray::build("moveaxis", &[self.node()], self.dtype(), || {
            let perm = moveaxis_perm(source, destination, self.ndim())?;
            build::permute(self.node(), &perm)
        })
    }

    /// See [`LazyArray::swapaxes`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[2, 3], [2, 2]).to_dyn();
    /// assert_eq!(x.swapaxes(0, 1).shape(), &[3, 2]);
    /// ```
    #[track_caller]
    pub fn swapaxes(&self, axis1: impl AxisIndex, axis2: impl AxisIndex) -> DynArray {
        DynArray::build("swapaxes", &[self.node()], self.dtype(), || {
            swap_perm(axis1.to_isize(), axis2.to_isize(), self.ndim())
                .and_then(|p| build::permute(self.node(), &p))
        })
    }

    /// See [`LazyArray::pad`]; `constant_values[d]` gives the values before and after
    /// axis `d` for [`PadMode::Constant`] (cast to the array's dtype; zeros when empty).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{PadMode, Scalar};
    /// let x = chunkwise::zeros::<f32>(&[2, 3], [2, 2]).to_dyn();
    /// let v = (Scalar::F64(1.0), Scalar::F64(2.0));
    /// assert_eq!(x.pad(&[(1, 2), (0, 1)], PadMode::Constant, &[v, v]).shape(), &[5, 4]);
    /// ```
    #[track_caller]
    pub fn pad(
        &self,
        widths: &[(usize, usize)],
        mode: PadMode,
        constant_values: &[(Scalar, Scalar)],
    ) -> DynArray {
        DynArray::build("pad", &[self.node()], self.dtype(), || {
            pad::pad(self.node(), widths, mode, constant_values)
        })
    }

    /// See [`LazyArray::roll`]; `shifts` and `axes` pair up (either may be one value),
    /// and `axes` `None` rolls the flattened array by the sum of the shifts.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 6, 1, [4]).to_dyn().reshape(&[2, 3]);
    /// assert_eq!(x.roll(&[1, 1], Some(&[0, 1][..])).shape(), &[2, 3]);
    /// ```
    #[track_caller]
    pub fn roll(&self, shifts: &[i64], axes: Option<&[isize]>) -> DynArray {
        DynArray::build("roll", &[self.node()], self.dtype(), || {
            roll::roll(self.node(), shifts, axes)
        })
    }

    /// See [`LazyArray::repeat_each`]; `axis` `None` repeats the elements of the
    /// flattened array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[2, 3], [2, 2]).to_dyn();
    /// assert_eq!(x.repeat(&[2], None).shape(), &[12]);
    /// assert_eq!(x.repeat(&[1, 0, 2], Some(1)).shape(), &[2, 3]);
    /// ```
    #[track_caller]
    pub fn repeat(&self, counts: &[usize], axis: Option<isize>) -> DynArray {
        DynArray::build("repeat", &[self.node()], self.dtype(), || {
            repeat::repeat(self.node(), counts, axis)
        })
    }

    /// See [`LazyArray::tile`].
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[2, 3], [2, 2]).to_dyn();
    /// assert_eq!(x.tile(&[2, 1, 2]).shape(), &[2, 2, 6]);
    /// ```
    #[track_caller]
    pub fn tile(&self, reps: &[usize]) -> DynArray {
        DynArray::build("tile", &[self.node()], self.dtype(), || {
            tile::tile(self.node(), reps)
        })
    }

    /// See [`LazyArray::diff`]; `prepend` and `append` (promoted with the array; a 0-d
    /// one is broadcast to length 1 along the axis) are joined to the array first.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 5, 1, [2]).to_dyn();
    /// let zero = chunkwise::DynArray::scalar(0i64);
    /// assert_eq!(x.diff(1, -1, Some(&zero), None).shape(), &[5]);
    /// ```
    #[track_caller]
    pub fn diff(
        &self,
        n: usize,
        axis: impl AxisIndex,
        prepend: Option<&DynArray>,
        append: Option<&DynArray>,
    ) -> DynArray {
        let axis = axis.to_isize();
        let mut parts = Vec::new();
        parts.extend(prepend.cloned());
        parts.push(self.clone());
        parts.extend(append.cloned());
        let (dtype, nodes) = promoted(&parts);
        let refs: Vec<&Arc<Node>> = parts.iter().map(DynArray::node).collect();
        let me = parts.len() - 1 - usize::from(append.is_some());
        DynArray::build("diff", &refs, dtype, || {
            let x = &nodes[me];
            let d = build::axis_index("diff", axis, x.ndim())?;
            let mut edge = x.shape().to_vec();
            edge[d] = 1;
            let joined: Vec<Arc<Node>> = nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    if i != me && n.ndim() == 0 {
                        broadcast::broadcast_to(n, &edge)
                    } else {
                        Ok(n.clone())
                    }
                })
                .collect::<Result<_>>()?;
            let x = if joined.len() == 1 {
                joined[0].clone()
            } else {
                concat::concatenate(&joined, d as isize)?
            };
            diff::diff(&x, n, d as isize)
        })
    }
}
