//! [`LazyArray::map_overlap`]: a user's function over blocks extended by halos from
//! their neighbours (Dask's `map_overlap`), with its options [`MapOverlap`].
//!
//! Rust API only, as the other users' functions (see [`map_blocks`]); the same rules for
//! names and caching apply. A task reads its own block and only the edge slabs of its
//! neighbours that its halo needs, never whole neighbour blocks, and its projected
//! memory (shown by `explain`) is the block, the slabs, the padded block and the
//! function's result.
//!
//! [`map_blocks`]: crate::array::LazyArray::map_blocks

use ndarray::ArrayViewD;

use super::user_fn::{BlockResult, BoxError};
use super::LazyArray;
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::blocks::overlap::{self, OverlapSpec};
use crate::blocks::user::{BlockInfo, FnName};
use crate::element::Element;
use crate::error::Error;

pub use crate::blocks::overlap::Boundary;

/// The options of [`LazyArray::map_overlap`]: the function's name, the halo's depth and
/// boundary rule (one for every axis, or one per axis), and whether the halo is trimmed
/// off the function's result.
///
/// The defaults are Dask's: depth 0, boundary [`Boundary::None`], trimmed.
///
/// # Example
///
/// ```
/// use chunkwise::{Boundary, MapOverlap};
/// let o = MapOverlap::new("smooth").depth(2).boundary(Boundary::Reflect);
/// assert_eq!((o.depth.as_slice(), o.trim), (&[2][..], true));
/// let per_axis = MapOverlap::new("smooth").depth_per_axis(vec![1, 0]).trim(false);
/// assert_eq!(per_axis.depth, vec![1, 0]);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MapOverlap {
    /// The function's name, for keys, plans and errors.
    pub name: String,
    /// False for a function computed afresh by every array made with it.
    pub cached: bool,
    /// The halo's depth: one value for every axis, or one per axis.
    pub depth: Vec<usize>,
    /// What lies beyond the array's edges: one rule for every axis, or one per axis.
    pub boundary: Vec<Boundary>,
    /// True (the default): the function returns the padded block and the halo is cut
    /// off its result. False: the function returns a block of the unpadded shape.
    pub trim: bool,
}

impl MapOverlap {
    /// The options of the function `name`: depth 0, no boundary halo, trimmed.
    #[must_use]
    pub fn new(name: impl Into<String>) -> MapOverlap {
        MapOverlap {
            name: name.into(),
            cached: true,
            depth: vec![0],
            boundary: vec![Boundary::None],
            trim: true,
        }
    }

    /// Renames the function.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> MapOverlap {
        self.name = name.into();
        self
    }

    /// The same depth on every axis.
    #[must_use]
    pub fn depth(mut self, depth: usize) -> MapOverlap {
        self.depth = vec![depth];
        self
    }

    /// One depth per axis.
    #[must_use]
    pub fn depth_per_axis(mut self, depth: Vec<usize>) -> MapOverlap {
        self.depth = depth;
        self
    }

    /// The same boundary rule on every axis.
    #[must_use]
    pub fn boundary(mut self, boundary: Boundary) -> MapOverlap {
        self.boundary = vec![boundary];
        self
    }

    /// One boundary rule per axis.
    #[must_use]
    pub fn boundary_per_axis(mut self, boundary: Vec<Boundary>) -> MapOverlap {
        self.boundary = boundary;
        self
    }

    /// Whether the halo is trimmed off the function's result.
    #[must_use]
    pub fn trim(mut self, trim: bool) -> MapOverlap {
        self.trim = trim;
        self
    }

    /// Marks the function as not cacheable (see [`MapBlocks::uncached`](crate::array::MapBlocks::uncached)).
    #[must_use]
    pub fn uncached(mut self) -> MapOverlap {
        self.cached = false;
        self
    }
}

/// One entry per axis: `v` itself, or its single entry repeated.
fn per_axis<V: Clone>(v: &[V], ndim: usize) -> Vec<V> {
    match v {
        [one] => vec![one.clone(); ndim],
        _ => v.to_vec(),
    }
}

impl<T: Element> LazyArray<T> {
    /// Applies the function `options.name`, `f`, to every block extended by a halo of
    /// `options.depth` elements from its neighbours (beyond the array's edge, by
    /// `options.boundary`); `f` receives the padded block and where the (unpadded)
    /// block lies, and returns the padded block's result, whose halo is trimmed off
    /// (or, with `trim(false)`, a block of the unpadded shape).
    ///
    /// # Example
    ///
    /// A 3-point moving sum with zeros beyond the edges:
    ///
    /// ```
    /// use chunkwise::{Boundary, MapOverlap};
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, 2.0, 3.0, 4.0, 5.0], [2]);
    /// let options = MapOverlap::new("sum3").depth(1).boundary(Boundary::Constant(0.0));
    /// let y = x.map_overlap(&options, |b, _| {
    ///     let n = b.len();
    ///     ndarray::ArrayD::from_shape_fn(b.raw_dim(), |ix| {
    ///         let i = ix[0];
    ///         if i == 0 || i + 1 == n { 0.0 } else { b[[i - 1]] + b[[i]] + b[[i + 1]] }
    ///     })
    /// });
    /// assert_eq!(y.compute()?, ndarray::array![3.0, 6.0, 9.0, 12.0, 9.0].into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Depths or boundaries that are not one or one per axis, and `Reflect` or
    /// `Periodic` halos deeper than their axis, give an invalid array.
    #[track_caller]
    pub fn map_overlap<R, F>(&self, options: &MapOverlap, f: F) -> LazyArray<R::Elem>
    where
        R: BlockResult,
        F: Fn(ArrayViewD<'_, T>, &BlockInfo) -> R + Send + Sync + 'static,
    {
        let name = options.name.clone();
        let erased: crate::blocks::user::ErasedFn =
            std::sync::Arc::new(move |inputs: &[&AnyArray], info: &BlockInfo| {
                let block = inputs[0].as_typed::<T>()?;
                match f(block.view(), info).into_block() {
                    Ok(b) => Ok(<R::Elem as IntoAnyArray>::wrap(b)),
                    Err(source) => Err(user_error(&name, source)),
                }
            });
        LazyArray::build("map_overlap", &[&self.node], || {
            let ndim = self.ndim();
            let spec = OverlapSpec {
                name: if options.cached {
                    FnName::cached(&options.name)
                } else {
                    FnName::uncached(&options.name)
                },
                depth: per_axis(&options.depth, ndim),
                boundary: per_axis(&options.boundary, ndim),
                trim: options.trim,
                dtype: R::Elem::DTYPE,
                f: erased,
            };
            overlap::map_overlap(&self.node, spec)
        })
    }
}

fn user_error(name: &str, source: BoxError) -> Error {
    Error::User {
        function: name.to_string(),
        source,
    }
}
