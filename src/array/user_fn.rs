//! Users' functions over blocks: [`LazyArray::map_blocks`], [`map_blocks_many`] (broadcasting),
//! [`map_blocks_mixed`] (inputs of several element types),
//! [`blockwise`], [`from_fn`] and [`LazyArray::apply_along_axis`] (Dask's `map_blocks`,
//! `blockwise`, `from_delayed` and `apply_along_axis`).
//!
//! These take Rust closures, so they are in the Rust API only (the expression language
//! cannot name a closure). A function is *named*: the name and the inputs' keys make
//! the node's key, so the same named function over the same inputs is one computation
//! (built twice, computed once). **Two different closures must not share a name**: the
//! second would be taken for the first. A function that must run every time (it reads
//! a clock, or counts) is made with [`MapBlocks::uncached`].
//!
//! A panic or an error in the function becomes [`Error::TaskPanicked`] or
//! [`Error::TaskFailed`] naming the function and the block; a returned block of the
//! wrong shape is [`Error::BlockMismatch`] (inside `TaskFailed`), never a wrong result.
//!
//! [`Error::TaskPanicked`]: crate::error::Error::TaskPanicked
//! [`Error::TaskFailed`]: crate::error::Error::TaskFailed
//! [`Error::BlockMismatch`]: crate::error::Error::BlockMismatch

use std::sync::Arc;

use ndarray::{ArrayD, ArrayView1, ArrayViewD, Axis, IxDyn};

use super::{DynArray, LazyArray};
use crate::any_array::AnyArray;
use crate::blocks::user::{self, BlockwiseSpec, ErasedFn, FnName};
use crate::chunks::{AxisChunks, Chunks};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::expr::build;
use crate::expr::Node;

pub use crate::blocks::user::BlockInfo;

/// The error type a user's function may return: any error (a `chunkwise::Error`, an
/// `std::io::Error`, a `String`...) boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a user's function over blocks returns: a block (`ArrayD<U>`), or a `Result` of
/// one whose error becomes the task's error.
pub trait BlockResult {
    /// The element type of the block.
    type Elem: Element;
    /// The block, or the function's error.
    ///
    /// # Errors
    ///
    /// The function's own error.
    fn into_block(self) -> std::result::Result<ArrayD<Self::Elem>, BoxError>;
}

impl<U: Element> BlockResult for ArrayD<U> {
    type Elem = U;
    fn into_block(self) -> std::result::Result<ArrayD<U>, BoxError> {
        Ok(self)
    }
}

impl<U: Element, E: Into<BoxError>> BlockResult for std::result::Result<ArrayD<U>, E> {
    type Elem = U;
    fn into_block(self) -> std::result::Result<ArrayD<U>, BoxError> {
        self.map_err(Into::into)
    }
}

/// The options of a user's function over blocks: its name, whether it may be cached,
/// and the output's chunks when they are not the input's (Dask's `chunks=`,
/// `drop_axis=`, `new_axis=`).
///
/// # Example
///
/// ```
/// use chunkwise::MapBlocks;
/// let x = chunkwise::ones::<f64>(&[6], [4]);
/// // each block of 4 (or 2) becomes a block of 2 (or 1): its pairwise sums
/// let options = MapBlocks::new("pair_sums").chunks(vec![vec![2, 1]]);
/// let y = x.map_blocks_with(&options, |b, _| {
///     ndarray::Array1::from_shape_fn(b.len() / 2, |i| b[[2 * i]] + b[[2 * i + 1]]).into_dyn()
/// });
/// assert_eq!(y.compute()?, ndarray::arr1(&[2.0, 2.0, 2.0]).into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct MapBlocks {
    /// The function's name, for keys, plans and errors.
    pub name: String,
    /// False for a function computed afresh by every array made with it.
    pub cached: bool,
    /// The output's chunk lengths per axis, when they are not the input's.
    pub chunks: Option<Vec<Vec<usize>>>,
    /// The shape of every output block (the same along each axis), when it is not the
    /// input's; an alternative to `chunks`.
    pub block_shape: Option<Vec<usize>>,
    /// Input axes the function removes (its blocks along them are handed to it
    /// together, concatenated).
    pub drop_axis: Vec<usize>,
    /// Positions in the output of the axes the function adds (one block each, of length
    /// 1 unless `chunks` says otherwise).
    pub new_axis: Vec<usize>,
}

impl MapBlocks {
    /// The options of the function `name`, cacheable, with the input's chunks.
    #[must_use]
    pub fn new(name: impl Into<String>) -> MapBlocks {
        MapBlocks {
            name: name.into(),
            cached: true,
            ..MapBlocks::default()
        }
    }

    /// Renames the function.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> MapBlocks {
        self.name = name.into();
        self
    }

    /// Marks the function as not cacheable: every array made with these options is
    /// computed on its own, even over the same inputs.
    #[must_use]
    pub fn uncached(mut self) -> MapBlocks {
        self.cached = false;
        self
    }

    /// The output's chunk lengths, one list per output axis.
    #[must_use]
    pub fn chunks(mut self, chunks: Vec<Vec<usize>>) -> MapBlocks {
        self.chunks = Some(chunks);
        self
    }

    /// The shape of every output block.
    #[must_use]
    pub fn block_shape(mut self, shape: Vec<usize>) -> MapBlocks {
        self.block_shape = Some(shape);
        self
    }

    /// Input axes the function removes.
    #[must_use]
    pub fn drop_axis(mut self, axes: Vec<usize>) -> MapBlocks {
        self.drop_axis = axes;
        self
    }

    /// Output positions of the axes the function adds.
    #[must_use]
    pub fn new_axis(mut self, axes: Vec<usize>) -> MapBlocks {
        self.new_axis = axes;
        self
    }

    pub(crate) fn fn_name(&self) -> FnName {
        if self.cached {
            FnName::cached(&self.name)
        } else {
            FnName::uncached(&self.name)
        }
    }
}

/// The letter of input axis `d`, and of the `k`-th new axis.
fn axis_letter(d: usize) -> char {
    char::from_u32(u32::from('a') + u32::try_from(d).unwrap_or(0)).unwrap_or('a')
}
fn new_letter(k: usize) -> char {
    char::from_u32(0x3b1 + u32::try_from(k).unwrap_or(0)).unwrap_or('α')
}

/// Erases a typed function over blocks to [`AnyArray`]s.
fn erase<T, R, F>(name: &str, f: F) -> ErasedFn
where
    T: Element,
    R: BlockResult,
    F: Fn(&[ArrayViewD<'_, T>], &BlockInfo) -> R + Send + Sync + 'static,
{
    let name = name.to_string();
    Arc::new(move |inputs: &[&AnyArray], info: &BlockInfo| {
        let views = inputs
            .iter()
            .map(|a| a.as_typed::<T>().map(|a| a.view()))
            .collect::<Result<Vec<_>>>()?;
        match f(&views, info).into_block() {
            Ok(b) => Ok(<R::Elem as crate::any_array::IntoAnyArray>::wrap(b)),
            Err(source) => Err(Error::User {
                function: name.clone(),
                source,
            }),
        }
    })
}

/// The letters of `map_blocks` inputs under NumPy's broadcasting: the inputs are
/// aligned at their last axes, axis `d` of the result (of `ndim`, the most axes of any
/// input) is letter `axis_letter(d)`, and an input's axis of length 1 where another
/// input is longer gets a letter of its own, so its one block is handed to every task
/// (the function receives it unexpanded, as Dask's `map_blocks` does).
///
/// # Errors
///
/// [`Error::ShapeMismatch`] when two inputs' lengths on an axis differ and neither is 1.
fn broadcast_letters(op: &'static str, inputs: &[Arc<Node>]) -> Result<(usize, Vec<Vec<char>>)> {
    let ndim = inputs.iter().map(|n| n.ndim()).max().unwrap_or(0);
    let mut shape = vec![1usize; ndim];
    for x in inputs {
        let lead = ndim - x.ndim();
        for (k, &n) in x.shape().iter().enumerate() {
            let out = shape[lead + k];
            if out == 1 {
                shape[lead + k] = n;
            } else if n != 1 && n != out {
                return Err(Error::ShapeMismatch {
                    op,
                    lhs: shape.clone(),
                    rhs: x.shape().to_vec(),
                    axis: lead + k,
                    lhs_len: out,
                    rhs_len: n,
                });
            }
        }
    }
    let mut fresh = 0;
    let inds = inputs
        .iter()
        .map(|x| {
            let lead = ndim - x.ndim();
            x.shape()
                .iter()
                .enumerate()
                .map(|(k, &n)| {
                    if n == 1 && shape[lead + k] != 1 {
                        fresh += 1;
                        broadcast_letter(fresh)
                    } else {
                        axis_letter(lead + k)
                    }
                })
                .collect()
        })
        .collect();
    Ok((ndim, inds))
}

/// The `k`-th letter of a broadcast axis, distinct from axis and new-axis letters.
fn broadcast_letter(k: usize) -> char {
    char::from_u32(0x4e00 + u32::try_from(k).unwrap_or(0)).unwrap_or('一')
}

/// Builds the node of a `map_blocks` over `inputs`, broadcast against each other.
fn map_blocks_node(
    op: &'static str,
    options: &MapBlocks,
    inputs: &[Arc<Node>],
    dtype: crate::element::DType,
    f: ErasedFn,
) -> Result<Arc<Node>> {
    if inputs.is_empty() {
        return Err(Error::parameter(op, "inputs", "none", "at least one array"));
    }
    let (ndim, in_inds) = broadcast_letters(op, inputs)?;
    let in_ind: Vec<char> = (0..ndim).map(axis_letter).collect();
    let mut drop = options.drop_axis.clone();
    drop.sort_unstable();
    drop.dedup();
    if let Some(&bad) = drop.iter().find(|&&a| a >= ndim) {
        return Err(Error::AxisOutOfRange {
            op,
            axis: isize::try_from(bad).unwrap_or(isize::MAX),
            ndim,
        });
    }
    let mut out_ind: Vec<char> = in_ind
        .iter()
        .enumerate()
        .filter(|(d, _)| !drop.contains(d))
        .map(|(_, &c)| c)
        .collect();
    let mut new = options.new_axis.clone();
    new.sort_unstable();
    new.dedup();
    let out_ndim = out_ind.len() + new.len();
    for (k, &p) in new.iter().enumerate() {
        if p >= out_ndim {
            return Err(Error::AxisOutOfRange {
                op,
                axis: isize::try_from(p).unwrap_or(isize::MAX),
                ndim: out_ndim,
            });
        }
        out_ind.insert(p, new_letter(k));
    }
    let mut chunks: Vec<(char, AxisChunks)> = Vec::new();
    if options.chunks.is_some() && options.block_shape.is_some() {
        return Err(Error::parameter(
            op,
            "chunks",
            "both `chunks` and `block_shape`",
            "one of the two",
        ));
    }
    if let Some(c) = &options.chunks {
        if c.len() != out_ndim {
            return Err(Error::parameter(
                op,
                "chunks",
                format!("{} axes", c.len()),
                format!("one list of chunk lengths per output axis ({out_ndim})"),
            ));
        }
        for (&l, sizes) in out_ind.iter().zip(c) {
            chunks.push((l, AxisChunks::from_sizes(sizes)?));
        }
    }
    if let Some(shape) = &options.block_shape {
        if shape.len() != out_ndim {
            return Err(Error::parameter(
                op,
                "block_shape",
                format!("{shape:?}"),
                format!("one length per output axis ({out_ndim})"),
            ));
        }
        for (&l, &n) in out_ind.iter().zip(shape) {
            // The blocks along `l` of the first input that spans it (not broadcast).
            let blocks = inputs
                .iter()
                .zip(&in_inds)
                .find_map(|(x, ind)| {
                    let d = ind.iter().position(|&c| c == l)?;
                    Some(x.chunks().axis(d).num_chunks())
                })
                .unwrap_or(1);
            chunks.push((l, AxisChunks::from_sizes(&vec![n; blocks])?));
        }
    }
    let spec_inputs: Vec<(Arc<Node>, Vec<char>)> = inputs.iter().cloned().zip(in_inds).collect();
    user::blockwise(BlockwiseSpec {
        op,
        name: options.fn_name(),
        out_ind: &out_ind,
        inputs: &spec_inputs,
        dtype,
        chunks: &chunks,
        f,
    })
}

impl<T: Element> LazyArray<T> {
    /// Applies the function `name`, `f`, to every block: `f` receives the block and
    /// where it lies ([`BlockInfo`]) and returns the output block, of the same shape
    /// (use [`map_blocks_with`](Self::map_blocks_with) to declare other chunks).
    ///
    /// The name is the function's identity: the same name over the same input is
    /// computed once, so two different closures must not share a name (for a closure
    /// that must run every time, use [`MapBlocks::uncached`]).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 6.0, 1.0, [4]);
    /// // each element minus the first element of its block
    /// let y = x.map_blocks("minus_first", |b, _info| {
    ///     let first = b[[0]];
    ///     b.mapv(|v| v - first)
    /// });
    /// assert_eq!(y.compute()?, ndarray::array![0.0, 1.0, 2.0, 3.0, 0.0, 1.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A block of another shape than declared makes `compute` fail with
    /// [`Error::BlockMismatch`](crate::error::Error::BlockMismatch).
    #[track_caller]
    pub fn map_blocks<R, F>(&self, name: &str, f: F) -> LazyArray<R::Elem>
    where
        R: BlockResult,
        F: Fn(ArrayViewD<'_, T>, &BlockInfo) -> R + Send + Sync + 'static,
    {
        self.map_blocks_with(&MapBlocks::new(name), f)
    }

    /// [`map_blocks`](Self::map_blocks) with options: other output chunks, dropped and
    /// new axes, no caching.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::MapBlocks;
    /// let x = chunkwise::ones::<f64>(&[4, 6], [2, 3]);
    /// // the sum of each row: axis 1 is dropped, its blocks handed over together
    /// let rows = x.map_blocks_with(&MapBlocks::new("row_sums").drop_axis(vec![1]), |b, _| {
    ///     b.sum_axis(ndarray::Axis(1))
    /// });
    /// assert_eq!(rows.compute()?, ndarray::arr1(&[6.0; 4]).into_dyn());
    /// // each block summarized by one number: blocks of shape (1, 1)
    /// let sums = x.map_blocks_with(&MapBlocks::new("block_sum").block_shape(vec![1, 1]), |b, _| {
    ///     ndarray::arr2(&[[b.sum()]]).into_dyn()
    /// });
    /// assert_eq!(sums.compute()?, ndarray::arr2(&[[6.0, 6.0], [6.0, 6.0]]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn map_blocks_with<R, F>(&self, options: &MapBlocks, f: F) -> LazyArray<R::Elem>
    where
        R: BlockResult,
        F: Fn(ArrayViewD<'_, T>, &BlockInfo) -> R + Send + Sync + 'static,
    {
        map_blocks_many(
            options,
            &[self],
            move |views: &[ArrayViewD<'_, T>], info| f(views[0].view(), info),
        )
    }

    /// Applies `f` to every 1-d lane along `axis` (NumPy's `apply_along_axis`): the
    /// result has the lane's axis replaced by the axes of what `f` returns (nothing for
    /// a 0-d result). `f` is first called on a lane of zeros to learn that shape, as
    /// Dask does.
    ///
    /// The axis is rechunked to one chunk first; when a block along the whole axis does
    /// not fit the memory limit, `compute` refuses the plan
    /// ([`Error::TaskTooLarge`](crate::error::Error::TaskTooLarge)) and says to use smaller
    /// chunks along the other axes.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], [1, 2]);
    /// // the largest two of each row, sorted
    /// let top2 = x.apply_along_axis(1, "top2", |lane| {
    ///     let mut v = lane.to_vec();
    ///     v.sort_by(f64::total_cmp);
    ///     ndarray::arr1(&v[v.len() - 2..]).into_dyn()
    /// });
    /// assert_eq!(top2.compute()?, ndarray::array![[2.0, 3.0], [4.0, 5.0]].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn apply_along_axis<U, F>(&self, axis: isize, name: &str, f: F) -> LazyArray<U>
    where
        U: Element,
        F: Fn(ArrayView1<'_, T>) -> ArrayD<U> + Send + Sync + 'static,
    {
        let name_s = name.to_string();
        LazyArray::build("apply_along_axis", &[&self.node], || {
            let axis = build::axis_index("apply_along_axis", axis, self.ndim())?;
            let n = self.shape()[axis];
            let zeros = ndarray::Array1::<T>::from_elem(n, T::default());
            let Ok(lane_shape) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f(zeros.view()).shape().to_vec()
            })) else {
                return Err(Error::parameter(
                    "apply_along_axis",
                    "func1d",
                    format!("`{name_s}`, which panicked on a lane of zeros"),
                    "a function that accepts any lane: it is called once on zeros to \
                     learn the shape of its result",
                ));
            };
            let mut options = MapBlocks::new(name_s.clone()).drop_axis(vec![axis]);
            options.new_axis = (axis..axis + lane_shape.len()).collect();
            let mut grid: Vec<AxisChunks> = self.chunks().axes().to_vec();
            grid[axis] = AxisChunks::regular(n, n.max(1))?;
            let x = build::rechunk_to(&self.node, crate::chunks::ChunkGrid::new(grid.clone()));
            // Output chunks: the input's along kept axes, whole along the lane's.
            let mut out_chunks: Vec<Vec<usize>> = grid
                .iter()
                .enumerate()
                .filter(|(d, _)| *d != axis)
                .map(|(_, a)| a.sizes().collect())
                .collect();
            for (k, &len) in lane_shape.iter().enumerate() {
                out_chunks.insert(axis + k, vec![len]);
            }
            options.chunks = Some(out_chunks);
            let lane_ndim = lane_shape.len();
            let f = erase(
                &name_s,
                move |views: &[ArrayViewD<'_, T>], info: &BlockInfo| {
                    along_axis(&views[0], axis, &lane_shape, lane_ndim, &f, info)
                },
            );
            map_blocks_node("apply_along_axis", &options, &[x], U::DTYPE, f)
        })
    }
}

/// One block of `apply_along_axis`: `f` over every lane of `x` along `axis`.
fn along_axis<T: Element, U: Element>(
    x: &ArrayViewD<'_, T>,
    axis: usize,
    lane_shape: &[usize],
    lane_ndim: usize,
    f: &dyn Fn(ArrayView1<'_, T>) -> ArrayD<U>,
    info: &BlockInfo,
) -> std::result::Result<ArrayD<U>, BoxError> {
    let lane_len: usize = lane_shape.iter().product();
    let mut outer: Vec<usize> = x.shape().to_vec();
    outer.remove(axis);
    let lanes: usize = outer.iter().product();
    let mut values = Vec::with_capacity(lanes * lane_len);
    for lane in x.lanes(Axis(axis)) {
        let r = f(lane);
        if r.shape() != lane_shape {
            return Err(Box::new(Error::BlockMismatch {
                function: "apply_along_axis".into(),
                block: info.block.clone(),
                expected_dtype: U::DTYPE,
                expected_shape: lane_shape.to_vec(),
                found_dtype: U::DTYPE,
                found_shape: r.shape().to_vec(),
            }));
        }
        values.extend(r.iter().copied());
    }
    let mut shape = outer.clone();
    shape.extend_from_slice(lane_shape);
    let out = ArrayD::from_shape_vec(IxDyn(&shape), values)
        .map_err(|e| Box::new(Error::internal("apply_along_axis", e.to_string())) as BoxError)?;
    // Move the lane's axes from the end to `axis`.
    let nout = outer.len();
    let mut perm: Vec<usize> = (0..axis).collect();
    perm.extend(nout..nout + lane_ndim);
    perm.extend(axis..nout);
    Ok(out
        .permuted_axes(IxDyn(&perm))
        .as_standard_layout()
        .into_owned())
}

/// [`LazyArray::map_blocks_with`] over several arrays: `f` receives one block of each
/// (at the same block coordinates; the inputs are first cut into common chunks) and
/// returns the output block.
///
/// The inputs broadcast against each other as NumPy's operands do: aligned at their
/// last axes, and an axis of length 1 against a longer one hands its one block to every
/// task, unexpanded (as Dask's `map_blocks` does; `ndarray`'s arithmetic broadcasts it
/// inside the function). Arrays of different element types go through
/// [`map_blocks_mixed`].
///
/// # Example
///
/// ```
/// use chunkwise::{map_blocks_many, MapBlocks};
/// let x = chunkwise::arange(0i64, 6, 1, [4]);
/// let y = chunkwise::arange(10i64, 16, 1, [3]);  // other chunks: made to match x's
/// let z = map_blocks_many(&MapBlocks::new("add"), &[&x, &y], |b, _| &b[0] + &b[1]);
/// assert_eq!(z.compute()?, ndarray::array![10i64, 12, 14, 16, 18, 20].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[track_caller]
pub fn map_blocks_many<T, R, F>(
    options: &MapBlocks,
    inputs: &[&LazyArray<T>],
    f: F,
) -> LazyArray<R::Elem>
where
    T: Element,
    R: BlockResult,
    F: Fn(&[ArrayViewD<'_, T>], &BlockInfo) -> R + Send + Sync + 'static,
{
    let nodes: Vec<&Arc<Node>> = inputs.iter().map(|a| &a.node).collect();
    let f = erase(&options.name, f);
    LazyArray::build("map_blocks", &nodes, || {
        let nodes: Vec<Arc<Node>> = inputs.iter().map(|a| a.node.clone()).collect();
        map_blocks_node("map_blocks", options, &nodes, R::Elem::DTYPE, f)
    })
}

/// The blocks a function over arrays of several element types receives
/// ([`map_blocks_mixed`]): one block of each input, at the same block coordinates, each
/// viewed as its own element type with [`get`](Blocks::get).
///
/// # Example
///
/// ```
/// use chunkwise::{map_blocks_mixed, MapBlocks};
/// let values = chunkwise::arange(0.0f64, 4.0, 1.0, [2]);
/// let keep = chunkwise::from_ndarray(ndarray::array![true, false, true, true], [2]);
/// let y = map_blocks_mixed(&MapBlocks::new("masked"), &[&values.to_dyn(), &keep.to_dyn()],
///     |b, _| -> chunkwise::Result<_> {
///         let (v, k) = (b.get::<f64>(0)?, b.get::<bool>(1)?);
///         Ok(ndarray::Zip::from(&v).and(&k).map_collect(|&v, &k| if k { v } else { -1.0 }))
///     });
/// assert_eq!(y.compute()?, ndarray::array![0.0, -1.0, 2.0, 3.0].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Blocks<'a> {
    arrays: &'a [&'a AnyArray],
}

impl<'a> Blocks<'a> {
    /// The number of blocks (one per input).
    ///
    /// # Example
    ///
    /// ```
    /// # use chunkwise::{map_blocks_mixed, MapBlocks};
    /// let x = chunkwise::ones::<f32>(&[3], [3]).to_dyn();
    /// let y = map_blocks_mixed(&MapBlocks::new("count"), &[&x, &x], |b, _| {
    ///     ndarray::ArrayD::from_elem(vec![3], b.len() as u8)
    /// });
    /// assert_eq!(y.compute()?, ndarray::array![2u8, 2, 2].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.arrays.len()
    }

    /// Whether there are no blocks (never, for a function of at least one input).
    ///
    /// # Example
    ///
    /// ```
    /// # use chunkwise::{map_blocks_mixed, MapBlocks};
    /// let x = chunkwise::ones::<f32>(&[3], [3]).to_dyn();
    /// let y = map_blocks_mixed(&MapBlocks::new("any"), &[&x], |b, _| {
    ///     ndarray::ArrayD::from_elem(vec![3], b.is_empty())
    /// });
    /// assert_eq!(y.compute()?, ndarray::array![false, false, false].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.arrays.is_empty()
    }

    /// The element type of block `i`, or `None` past the last input.
    ///
    /// # Example
    ///
    /// ```
    /// # use chunkwise::{map_blocks_mixed, DType, MapBlocks};
    /// let x = chunkwise::ones::<i16>(&[3], [3]).to_dyn();
    /// let y = map_blocks_mixed(&MapBlocks::new("is_i16"), &[&x], |b, _| {
    ///     ndarray::ArrayD::from_elem(vec![3], b.dtype(0) == Some(DType::I16))
    /// });
    /// assert_eq!(y.compute()?, ndarray::array![true, true, true].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[must_use]
    pub fn dtype(&self, i: usize) -> Option<crate::element::DType> {
        self.arrays.get(i).map(|a| a.dtype())
    }

    /// Block `i` as an array of `T`.
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] when block `i` holds another element type, and
    /// [`Error::InvalidParameter`] when there is no input `i`; returned from the
    /// function (with `?`), either becomes the task's error.
    ///
    /// # Example
    ///
    /// ```
    /// # use chunkwise::{map_blocks_mixed, MapBlocks};
    /// let x = chunkwise::ones::<i32>(&[2], [2]).to_dyn();
    /// let y = map_blocks_mixed(&MapBlocks::new("wrong"), &[&x], |b, _| b.get::<f64>(0).map(|v| v.to_owned()));
    /// // the task fails; its cause is the `DTypeMismatch` (int32, not float64)
    /// assert!(matches!(y.compute(), Err(chunkwise::Error::TaskFailed { .. })));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn get<T: Element>(&self, i: usize) -> Result<ArrayViewD<'a, T>> {
        let a = self.arrays.get(i).ok_or_else(|| {
            Error::parameter(
                "map_blocks",
                "block",
                format!("{i}"),
                format!("the index of one of the {} inputs", self.arrays.len()),
            )
        })?;
        let a: &'a AnyArray = a;
        match a.as_typed::<T>() {
            Ok(typed) => Ok(typed.view()),
            Err(_) => Err(Error::DTypeMismatch {
                context: format!("block {i} of a map_blocks_mixed function"),
                expected: T::DTYPE,
                found: a.dtype(),
            }),
        }
    }
}

/// [`map_blocks_many`] over arrays of different element types: `f` receives one block of
/// each input as [`Blocks`] (read each with [`Blocks::get`]) and returns the output
/// block. The inputs broadcast against each other as in [`map_blocks_many`].
///
/// # Example
///
/// ```
/// use chunkwise::{map_blocks_mixed, MapBlocks};
/// let x = chunkwise::arange(0.0f64, 6.0, 1.0, [4]);
/// let n = chunkwise::arange(0i32, 6, 1, [3]);
/// // x ** n per element, over a float and an integer array
/// let y = map_blocks_mixed(&MapBlocks::new("powi"), &[&x.to_dyn(), &n.to_dyn()],
///     |b, _| -> chunkwise::Result<_> {
///         let (x, n) = (b.get::<f64>(0)?, b.get::<i32>(1)?);
///         Ok(ndarray::Zip::from(&x).and(&n).map_collect(|&x, &n| x.powi(n)))
///     });
/// assert_eq!(y.compute()?, ndarray::array![1.0, 1.0, 4.0, 27.0, 256.0, 3125.0].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[track_caller]
pub fn map_blocks_mixed<R, F>(options: &MapBlocks, inputs: &[&DynArray], f: F) -> LazyArray<R::Elem>
where
    R: BlockResult,
    F: Fn(&Blocks<'_>, &BlockInfo) -> R + Send + Sync + 'static,
{
    let nodes: Vec<&Arc<Node>> = inputs.iter().map(|a| a.node()).collect();
    let name = options.name.clone();
    let f: ErasedFn = Arc::new(move |arrays: &[&AnyArray], info: &BlockInfo| {
        match f(&Blocks { arrays }, info).into_block() {
            Ok(b) => Ok(<R::Elem as crate::any_array::IntoAnyArray>::wrap(b)),
            Err(source) => Err(Error::User {
                function: name.clone(),
                source,
            }),
        }
    });
    LazyArray::build("map_blocks", &nodes, || {
        let nodes: Vec<Arc<Node>> = inputs.iter().map(|a| a.node().clone()).collect();
        map_blocks_node("map_blocks", options, &nodes, R::Elem::DTYPE, f)
    })
}

/// Dask's `blockwise`: the function `name`, `f`, over blocks of several inputs in index
/// notation. `out_ind` names the output's axes by letters and each input names its own;
/// an output block receives, per input, its blocks at the output block's coordinates
/// along the shared letters, and along a letter the output lacks (a contraction) all
/// of the input's blocks, concatenated. Inputs are first cut into common chunks along
/// shared letters.
///
/// # Example
///
/// ```
/// use chunkwise::blockwise;
/// let x = chunkwise::from_ndarray(ndarray::array![[1.0, 2.0], [3.0, 4.0]], [1, 1]);
/// let y = chunkwise::from_ndarray(ndarray::array![[5.0, 6.0], [7.0, 8.0]], [1, 1]);
/// // a matrix product: the blocks along k come together
/// let z = blockwise("matmul", "ij", &[(&x, "ik"), (&y, "kj")], |b, _| {
///     let a = b[0].view().into_dimensionality::<ndarray::Ix2>().unwrap();
///     let c = b[1].view().into_dimensionality::<ndarray::Ix2>().unwrap();
///     a.dot(&c).into_dyn()
/// });
/// assert_eq!(z.compute()?, ndarray::array![[19.0, 22.0], [43.0, 50.0]].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Letters that do not match the inputs' axes, or inputs that disagree on a letter's
/// length, give an invalid array.
#[track_caller]
pub fn blockwise<T, R, F>(
    name: &str,
    out_ind: &str,
    inputs: &[(&LazyArray<T>, &str)],
    f: F,
) -> LazyArray<R::Elem>
where
    T: Element,
    R: BlockResult,
    F: Fn(&[ArrayViewD<'_, T>], &BlockInfo) -> R + Send + Sync + 'static,
{
    blockwise_with(&MapBlocks::new(name), out_ind, inputs, f)
}

/// [`blockwise`] with options: the name, caching, and the output's chunks (`chunks`,
/// one list per output letter; `drop_axis`/`new_axis` do not apply, the letters say
/// it).
///
/// # Example
///
/// ```
/// use chunkwise::{blockwise_with, MapBlocks};
/// let x = chunkwise::ones::<f64>(&[4], [2]);
/// // an outer product with a new axis "j" of length 3
/// let z = blockwise_with(&MapBlocks::new("outer").chunks(vec![vec![2, 2], vec![3]]), "ij",
///     &[(&x, "i")], |b, _| {
///         let col = b[0].view().insert_axis(ndarray::Axis(1));
///         ndarray::ArrayD::from_shape_fn(vec![col.len(), 3], |ix| col[[ix[0], 0]] * ix[1] as f64)
///     });
/// assert_eq!(z.compute_array::<ndarray::Ix2>()?.row(3).to_vec(), vec![0.0, 1.0, 2.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[track_caller]
pub fn blockwise_with<T, R, F>(
    options: &MapBlocks,
    out_ind: &str,
    inputs: &[(&LazyArray<T>, &str)],
    f: F,
) -> LazyArray<R::Elem>
where
    T: Element,
    R: BlockResult,
    F: Fn(&[ArrayViewD<'_, T>], &BlockInfo) -> R + Send + Sync + 'static,
{
    let nodes: Vec<&Arc<Node>> = inputs.iter().map(|(a, _)| &a.node).collect();
    let f = erase(&options.name, f);
    LazyArray::build("blockwise", &nodes, || {
        if !options.drop_axis.is_empty() || !options.new_axis.is_empty() {
            return Err(Error::parameter(
                "blockwise",
                "options",
                "`drop_axis` or `new_axis`",
                "letters only: a letter missing from `out_ind` is dropped, a new one added",
            ));
        }
        let out: Vec<char> = out_ind.chars().collect();
        let spec_inputs: Vec<(Arc<Node>, Vec<char>)> = inputs
            .iter()
            .map(|(a, ind)| (a.node.clone(), ind.chars().collect()))
            .collect();
        let mut chunks: Vec<(char, AxisChunks)> = Vec::new();
        if let Some(c) = &options.chunks {
            if c.len() != out.len() {
                return Err(Error::parameter(
                    "blockwise",
                    "chunks",
                    format!("{} axes", c.len()),
                    format!(
                        "one list of chunk lengths per output letter ({})",
                        out.len()
                    ),
                ));
            }
            for (&l, sizes) in out.iter().zip(c) {
                chunks.push((l, AxisChunks::from_sizes(sizes)?));
            }
        }
        for &l in &out {
            if !chunks.iter().any(|(c, _)| *c == l)
                && !spec_inputs.iter().any(|(_, ind)| ind.contains(&l))
            {
                chunks.push((l, AxisChunks::regular(1, 1)?));
            }
        }
        user::blockwise(BlockwiseSpec {
            op: "blockwise",
            name: options.fn_name(),
            out_ind: &out,
            inputs: &spec_inputs,
            dtype: R::Elem::DTYPE,
            chunks: &chunks,
            f,
        })
    })
}

/// An array whose blocks are made by the loader `name`, `f`, one call per block (Dask's
/// `from_delayed`/`map_blocks(block_info)` idiom): TIFF stacks, HDF5 files, a database,
/// a model. `f` receives where the block lies and returns it (or an error, which
/// becomes the task's).
///
/// The name is the loader's identity in keys: the same name, shape and chunks are the
/// same array. Give loaders of different data different names.
///
/// # Example
///
/// ```
/// let x = chunkwise::from_fn("ramp", &[3, 4], [2, 2], |info| {
///     let start = info.location[1].start as f32;
///     ndarray::ArrayD::from_shape_fn(info.block_shape(), |ix| start + ix[1] as f32)
/// });
/// assert_eq!(x.sum(0).compute()?, ndarray::array![0.0f32, 3.0, 6.0, 9.0].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[track_caller]
pub fn from_fn<R, F>(
    name: &str,
    shape: &[usize],
    chunks: impl Into<Chunks>,
    f: F,
) -> LazyArray<R::Elem>
where
    R: BlockResult,
    F: Fn(&BlockInfo) -> R + Send + Sync + 'static,
{
    let chunks = chunks.into();
    let erased = erase::<R::Elem, R, _>(name, move |_: &[ArrayViewD<'_, R::Elem>], info| f(info));
    let name = name.to_string();
    LazyArray::build("from_fn", &[], || {
        crate::chunks::checked_len(shape)?;
        let grid = chunks.resolve(shape, R::Elem::DTYPE)?;
        let out: Vec<char> = (0..shape.len()).map(axis_letter).collect();
        let axes: Vec<(char, AxisChunks)> = out
            .iter()
            .zip(grid.axes())
            .map(|(&c, a)| (c, a.clone()))
            .collect();
        user::blockwise(BlockwiseSpec {
            op: "from_fn",
            name: FnName::cached(&name),
            out_ind: &out,
            inputs: &[],
            dtype: R::Elem::DTYPE,
            chunks: &axes,
            f: erased,
        })
    })
}
