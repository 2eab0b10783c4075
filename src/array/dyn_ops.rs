//! Operations on [`DynArray`], the runtime-typed array: elementwise functions
//! ([`UnaryFn`], [`BinaryFn`], [`DynArray::where_`]), reductions ([`ReduceFn`]), indexing
//! and constants, with NumPy's dtype promotion between operands of different dtypes. The
//! methods are made from the vocabulary's tables (`crate::ops`), one per function.
//!
//! The typed API (`LazyArray<T>`) needs operands of one element type; here the dtypes are
//! known only at run time (a Zarr array, a command-line expression), so each operation
//! first finds the result dtype and casts its operands to it, then builds the same nodes
//! as the typed API.
//!
//! The promotion rules are on [`DynOperand`].

use std::sync::Arc;

use ndarray::SliceInfoElem;

use super::{Axes, AxisIndex, DynArray};
use crate::chunks::Chunks;
use crate::element::{DType, Scalar};
use crate::error::{Error, Result};
use crate::expr::build::ReduceKeyword;
use crate::expr::{build, Node, Source};
use crate::ops::{BinaryFn, BinaryRule, ReduceFn, UnaryFn};

/// One operand of a runtime-typed elementwise operation: an array, or a literal number
/// that adapts to the array's dtype, as a Python number does in NumPy.
///
/// # Promotion
///
/// - Two arrays: [`DType::promote`] (`int32` with `float32` gives `float64`).
/// - An array with a literal ([`DynOperand::Int`], [`DynOperand::Float`],
///   [`DynOperand::Bool`]): the literal is *weak*, as a Python number is in NumPy 2
///   (NEP 50). An integer literal takes the array's dtype (an error if the value does not
///   fit an integer dtype; `int64` for a `bool` array); a float literal takes a float
///   array's dtype and makes integer and `bool` arrays `float64`; a `bool` literal takes
///   the array's dtype.
/// - Two literals: `bool` with `bool` stays `bool`, any float gives `float64`, otherwise
///   `int64`.
/// - [`DynArray::scalar`] makes a *strong* 0-d array: it promotes like any array
///   (`float32` array plus `DynArray::scalar(1.0f64)` gives `float64`).
///
/// After promotion, [`BinaryFn::Div`] is true division (integers give `float64`),
/// arithmetic on `bool` is invalid, and the unary math functions give `float64` for
/// integers (`float32` stays `float32`).
///
/// # Example
///
/// ```
/// use chunkwise::{DType, DynArray};
/// let x = chunkwise::ones::<f32>(&[3], [2]).to_dyn();
/// assert_eq!(x.add(1).dtype(), DType::F32);     // a weak integer literal
/// assert_eq!(x.add(0.5).dtype(), DType::F32);   // a weak float literal
/// assert_eq!(x.add(&DynArray::scalar(0.5f64)).dtype(), DType::F64); // a strong 0-d array
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum DynOperand {
    /// An array (its dtype takes part in promotion).
    Array(DynArray),
    /// An integer literal, like a Python `int`.
    Int(i64),
    /// A float literal, like a Python `float`.
    Float(f64),
    /// A boolean literal, like a Python `bool`.
    Bool(bool),
}

impl From<DynArray> for DynOperand {
    fn from(a: DynArray) -> Self {
        DynOperand::Array(a)
    }
}
impl From<&DynArray> for DynOperand {
    fn from(a: &DynArray) -> Self {
        DynOperand::Array(a.clone())
    }
}
impl From<i64> for DynOperand {
    fn from(v: i64) -> Self {
        DynOperand::Int(v)
    }
}
impl From<i32> for DynOperand {
    fn from(v: i32) -> Self {
        DynOperand::Int(v.into())
    }
}
impl From<f64> for DynOperand {
    fn from(v: f64) -> Self {
        DynOperand::Float(v)
    }
}
impl From<bool> for DynOperand {
    fn from(v: bool) -> Self {
        DynOperand::Bool(v)
    }
}

impl DynOperand {
    /// The dtype a literal has on its own (`int64`, `float64`, `bool`), or the array's.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, DynOperand};
    /// assert_eq!(DynOperand::from(2).dtype(), DType::I64);
    /// assert_eq!(DynOperand::from(2.0).dtype(), DType::F64);
    /// ```
    #[must_use]
    pub fn dtype(&self) -> DType {
        match self {
            DynOperand::Array(a) => a.dtype(),
            DynOperand::Int(_) => DType::I64,
            DynOperand::Float(_) => DType::F64,
            DynOperand::Bool(_) => DType::Bool,
        }
    }

    /// The operand as an array: a literal becomes a 0-d array of its own dtype.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, DynOperand};
    /// let a = DynOperand::from(3).into_array();
    /// assert_eq!((a.dtype(), a.ndim()), (DType::I64, 0));
    /// ```
    pub fn into_array(self) -> DynArray {
        match self {
            DynOperand::Array(a) => a,
            DynOperand::Int(v) => DynArray::scalar(v),
            DynOperand::Float(v) => DynArray::scalar(v),
            DynOperand::Bool(v) => DynArray::scalar(v),
        }
    }

    /// The dtype this literal takes next to an array of `dtype`.
    fn weak_dtype(&self, dtype: DType) -> DType {
        match self {
            DynOperand::Array(a) => DType::promote(dtype, a.dtype()),
            DynOperand::Int(_) if dtype == DType::Bool => DType::I64,
            DynOperand::Float(_) if !dtype.is_float() => DType::F64,
            DynOperand::Int(_) | DynOperand::Float(_) | DynOperand::Bool(_) => dtype,
        }
    }

    /// The operand as a node of `dtype`.
    fn to_node(&self, op: &'static str, dtype: DType) -> Result<Arc<Node>> {
        let value = match *self {
            DynOperand::Array(ref a) => return Ok(build::cast(a.node(), dtype)),
            DynOperand::Int(v) => {
                if !int_fits(v, dtype) {
                    return Err(Error::parameter(
                        op,
                        "literal",
                        v,
                        format!(
                            "a value that fits the array's dtype {dtype}; cast the array with \
                             `astype` first"
                        ),
                    ));
                }
                Scalar::I64(v).cast(dtype)
            }
            DynOperand::Float(v) => Scalar::F64(v).cast(dtype),
            DynOperand::Bool(v) => Scalar::Bool(v).cast(dtype),
        };
        Ok(build::scalar(value))
    }
}

/// True when the integer `v` is exactly representable in an integer `dtype` (always true
/// for other dtypes, which take any integer, rounded for floats).
fn int_fits(v: i64, dtype: DType) -> bool {
    match dtype {
        DType::I8 => i8::try_from(v).is_ok(),
        DType::I16 => i16::try_from(v).is_ok(),
        DType::I32 => i32::try_from(v).is_ok(),
        DType::U8 => u8::try_from(v).is_ok(),
        DType::U16 => u16::try_from(v).is_ok(),
        DType::U32 => u32::try_from(v).is_ok(),
        DType::U64 => v >= 0,
        _ => true,
    }
}

/// The dtype that `operands` promote to (see the [promotion rules](DynOperand)).
fn result_dtype(operands: &[&DynOperand]) -> DType {
    let arrays: Vec<DType> = operands
        .iter()
        .filter_map(|o| match o {
            DynOperand::Array(a) => Some(a.dtype()),
            _ => None,
        })
        .collect();
    if let Some((&first, rest)) = arrays.split_first() {
        let strong = rest.iter().fold(first, |acc, &d| DType::promote(acc, d));
        return operands
            .iter()
            .filter(|o| !matches!(o, DynOperand::Array(_)))
            .fold(strong, |acc, o| o.weak_dtype(acc));
    }
    if operands.iter().all(|o| matches!(o, DynOperand::Bool(_))) {
        DType::Bool
    } else if operands.iter().any(|o| matches!(o, DynOperand::Float(_))) {
        DType::F64
    } else {
        DType::I64
    }
}

impl DynArray {
    /// The array `make` builds from `inputs`; when an input is invalid, or `make` fails,
    /// an invalid array (of `dtype`, a placeholder) naming `op` and the caller's location.
    #[track_caller]
    pub(crate) fn build(
        op: &'static str,
        inputs: &[&Arc<Node>],
        dtype: DType,
        make: impl FnOnce() -> Result<Arc<Node>>,
    ) -> DynArray {
        DynArray::from_node(build::or_invalid(op, inputs, dtype, make))
    }

    /// The nodes of the array operands among `operands`, to propagate an invalid one.
    fn operand_nodes(operands: &[&DynOperand]) -> Vec<Arc<Node>> {
        operands
            .iter()
            .filter_map(|o| match o {
                DynOperand::Array(a) => Some(a.node().clone()),
                _ => None,
            })
            .collect()
    }
}

impl BinaryFn {
    /// Applies the function to two operands, either of which may be a literal.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::BinaryFn;
    /// let x = chunkwise::arange(0.0f64, 3.0, 1.0, [2]).to_dyn();
    /// let y = BinaryFn::Maximum.apply(&x, 1);
    /// assert_eq!(y.compute()?.sum_f64(), 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Shapes that do not broadcast ([`Error::ShapeMismatch`]), arithmetic on `bool` or
    /// logic on other dtypes ([`Error::UnsupportedDType`]), an integer literal that does
    /// not fit the array's integer dtype or a negative integer power of an integer array
    /// ([`Error::InvalidParameter`]) give an invalid array.
    #[track_caller]
    pub fn apply(self, lhs: impl Into<DynOperand>, rhs: impl Into<DynOperand>) -> DynArray {
        let (lhs, rhs) = (lhs.into(), rhs.into());
        let mut dtype = result_dtype(&[&lhs, &rhs]);
        let rule = self.rule();
        if rule == BinaryRule::Division && !dtype.is_float() && dtype != DType::Bool {
            dtype = DType::F64;
        }
        // A comparison with an integer the array's dtype cannot hold still has an answer
        // (`uint8_array < 300` is all true, as in NumPy): compare in a wider dtype.
        if rule == BinaryRule::Comparison {
            for o in [&lhs, &rhs] {
                if let DynOperand::Int(v) = *o {
                    if !int_fits(v, dtype) {
                        dtype = DType::promote(dtype, DType::I64);
                    }
                }
            }
        }
        let out = rule.result_dtype(dtype).unwrap_or(dtype);
        let inputs = DynArray::operand_nodes(&[&lhs, &rhs]);
        let refs: Vec<&Arc<Node>> = inputs.iter().collect();
        DynArray::build(self.name(), &refs, out, || {
            let a = lhs.to_node(self.name(), dtype)?;
            let b = rhs.to_node(self.name(), dtype)?;
            build::binary(self, &a, &b)
        })
    }
}

impl DynArray {
    /// A 0-d array holding `value`, with the value's dtype; it promotes like any array
    /// (use a [`DynOperand`] literal for Python-number promotion).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let s = DynArray::scalar(2.5f32);
    /// assert_eq!((s.dtype(), s.ndim()), (DType::F32, 0));
    /// assert_eq!(s.compute()?.sum_f64(), 2.5);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn scalar(value: impl Into<Scalar>) -> DynArray {
        DynArray::from_node(build::scalar(value.into()))
    }

    /// An array of `shape` with every element `value` (of the value's dtype).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DynArray, Scalar};
    /// let a = DynArray::full(&[2, 3], Scalar::I16(7), [1, 2]);
    /// assert_eq!(a.compute()?.sum_f64(), 42.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Chunks that do not fit `shape`, or a shape too large to address, give an invalid
    /// array.
    #[track_caller]
    pub fn full(shape: &[usize], value: impl Into<Scalar>, chunks: impl Into<Chunks>) -> DynArray {
        let value = value.into();
        let chunks = chunks.into();
        DynArray::build("full", &[], value.dtype(), || {
            build::source(Source::Full(value), shape, value.dtype(), &chunks)
        })
    }

    /// Applies an elementwise function of two operands (see [`BinaryFn`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::BinaryFn;
    /// let x = chunkwise::arange(0i64, 5, 1, [2]).to_dyn();
    /// let big = x.binary(BinaryFn::GreaterEqual, 3);
    /// assert_eq!(big.compute()?.sum_f64(), 2.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Invalid operands give an invalid array, as [`BinaryFn::apply`] says.
    #[track_caller]
    pub fn binary(&self, f: BinaryFn, rhs: impl Into<DynOperand>) -> DynArray {
        f.apply(self, rhs)
    }

    /// Applies an elementwise function of one array (see [`UnaryFn`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::UnaryFn;
    /// let x = chunkwise::arange(-2i8, 2, 1, [3]).to_dyn();
    /// assert_eq!(x.unary(UnaryFn::Abs).compute()?.sum_f64(), 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A dtype the function does not take (`negative` of `bool`, `logical_not` of
    /// numbers) gives an invalid array ([`Error::UnsupportedDType`]).
    #[track_caller]
    pub fn unary(&self, f: UnaryFn) -> DynArray {
        let out = f.rule().result_dtype(self.dtype()).unwrap_or(self.dtype());
        DynArray::build(f.name(), &[self.node()], out, || {
            build::unary(f, self.node())
        })
    }

    /// Elementwise `-self` (the same as [`negative`](Self::negative)).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 3.0, 1.0, [2]).to_dyn();
    /// assert_eq!(x.neg().compute()?.sum_f64(), -3.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn neg(&self) -> DynArray {
        self.unary(UnaryFn::Negative)
    }

    /// Elementwise choice: `a` where `cond` is true, `b` elsewhere, with broadcasting;
    /// `a` and `b` are promoted to one dtype (NumPy's `where`).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = chunkwise::arange(-2i32, 3, 1, [2]).to_dyn();
    /// let relu = DynArray::where_(x.greater(0), &x, 0.0);
    /// assert_eq!(relu.dtype(), DType::F64);
    /// assert_eq!(relu.compute()?.sum_f64(), 3.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A `cond` that is not `bool` ([`Error::DTypeMismatch`]) or shapes that do not
    /// broadcast ([`Error::ShapeMismatch`]) give an invalid array.
    #[doc(alias = "where")]
    #[track_caller]
    pub fn where_(
        cond: impl Into<DynOperand>,
        a: impl Into<DynOperand>,
        b: impl Into<DynOperand>,
    ) -> DynArray {
        let (cond, a, b) = (cond.into(), a.into(), b.into());
        let dtype = result_dtype(&[&a, &b]);
        let inputs = DynArray::operand_nodes(&[&cond, &a, &b]);
        let refs: Vec<&Arc<Node>> = inputs.iter().collect();
        DynArray::build("where", &refs, dtype, || {
            let cond = match cond {
                DynOperand::Bool(v) => build::scalar(Scalar::Bool(v)),
                other => other.into_array().node().clone(),
            };
            let a = a.to_node("where", dtype)?;
            let b = b.to_node("where", dtype)?;
            build::where_(&cond, &a, &b)
        })
    }

    /// The values limited to `[a_min, a_max]` (NumPy's `clip`): `minimum(maximum(x,
    /// a_min), a_max)`, with promotion.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 6, 1, [4]).to_dyn();
    /// assert_eq!(x.clip(1, 4).compute()?.sum_f64(), 1.0 + 1.0 + 2.0 + 3.0 + 4.0 + 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn clip(&self, a_min: impl Into<DynOperand>, a_max: impl Into<DynOperand>) -> DynArray {
        self.maximum(a_min).minimum(a_max)
    }

    /// A reduction over `axes` (see [`ReduceFn`] and [`Axes`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, ReduceFn};
    /// let x = chunkwise::ones::<u8>(&[3, 4], [2, 3]).to_dyn();
    /// let s = x.reduce(ReduceFn::Sum, 1);
    /// assert_eq!((s.dtype(), s.shape()), (DType::U64, &[3][..]));
    /// assert_eq!(x.reduce(ReduceFn::Mean, ..).compute()?.sum_f64(), 1.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// Bad axes ([`Error::AxisOutOfRange`], [`Error::DuplicateAxis`]), `min`-like
    /// reductions over zero elements ([`Error::EmptyReduction`]) and `argmin`/`argmax`
    /// over several but not all axes ([`Error::InvalidParameter`]) give an invalid array.
    #[track_caller]
    pub fn reduce(&self, f: ReduceFn, axes: impl Into<Axes>) -> DynArray {
        let axes = axes.into();
        DynArray::build(
            f.name(),
            &[self.node()],
            f.result_dtype(self.dtype()),
            || {
                build::reduce(
                    f,
                    self.node(),
                    axes.list.as_deref(),
                    axes.keepdims,
                    axes.split_every,
                )
            },
        )
    }

    /// NumPy's `ddof` keyword of `var` and `std`: the result divides by `n - ddof`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 4.0, 1.0, [3]).to_dyn();
    /// assert!((x.var(..).ddof(1).compute()?.sum_f64() - 5.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn ddof(&self, ddof: usize) -> DynArray {
        DynArray::build("ddof", &[self.node()], self.dtype(), || {
            build::with_keyword(self.node(), ReduceKeyword::Ddof(ddof))
        })
    }

    /// NumPy's `keepdims` keyword: keep the reduced axes, with length 1.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[3, 4], [2, 2]).to_dyn();
    /// assert_eq!(x.sum(1).keepdims(true).shape(), &[3, 1]);
    /// ```
    #[track_caller]
    pub fn keepdims(&self, keep: bool) -> DynArray {
        DynArray::build("keepdims", &[self.node()], self.dtype(), || {
            build::with_keyword(self.node(), ReduceKeyword::Keepdims(keep))
        })
    }

    /// Dask's `split_every` keyword: at most `n` partials per combine task.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[16], [1]).to_dyn();
    /// assert_eq!(x.sum(..).split_every(2).compute()?.sum_f64(), 16.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn split_every(&self, n: usize) -> DynArray {
        DynArray::build("split_every", &[self.node()], self.dtype(), || {
            build::with_keyword(self.node(), ReduceKeyword::SplitEvery(n))
        })
    }

    /// Basic indexing with an ndarray `s![]` index (see [`LazyArray::slice`](crate::array::LazyArray::slice)).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::s;
    /// let x = chunkwise::arange(0i32, 20, 1, [6]).to_dyn();
    /// assert_eq!(x.slice(s![2..9;3]).compute()?.sum_f64(), 15.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// A bad index gives an invalid array, as [`LazyArray::slice`](crate::array::LazyArray::slice) says.
    #[track_caller]
    pub fn slice(&self, index: impl AsRef<[SliceInfoElem]>) -> DynArray {
        let index = index.as_ref();
        DynArray::build("slice", &[self.node()], self.dtype(), || {
            build::slice(self.node(), index)
        })
    }

    /// The array with its axes permuted: result axis `i` is axis `axes[i]` of `self`
    /// (negative axes count from the end; `..` reverses them).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2, 3, 4], [1, 2, 3]).to_dyn();
    /// assert_eq!(x.permute_axes([2, 0, 1]).shape(), &[4, 2, 3]);
    /// assert_eq!(x.permute_axes([-1, 0, 1]).shape(), &[4, 2, 3]);
    /// ```
    ///
    /// Unless `axes` lists every axis exactly once, the array is invalid
    /// ([`Error::InvalidParameter`]).
    #[track_caller]
    pub fn permute_axes(&self, axes: impl Into<Axes>) -> DynArray {
        let axes: Vec<isize> = match axes.into().list {
            Some(list) => list,
            None => (0..self.ndim() as isize).rev().collect(),
        };
        DynArray::build("transpose", &[self.node()], self.dtype(), || {
            build::permute(self.node(), &axes)
        })
    }

    /// The array with its axes reversed (NumPy's `.T`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2, 5], [2, 2]).to_dyn();
    /// assert_eq!(x.t().shape(), &[5, 2]);
    /// ```
    #[track_caller]
    pub fn t(&self) -> DynArray {
        self.permute_axes(..)
    }

    /// The array without the given length-1 axes (`..`: every length-1 axis).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[1, 3, 1], [1, 2, 1]).to_dyn();
    /// assert_eq!(x.squeeze(..).shape(), &[3]);
    /// assert_eq!(x.squeeze(-1).shape(), &[1, 3]);
    /// ```
    ///
    /// An axis whose length is not 1 gives an invalid array ([`Error::NotSqueezable`]).
    #[track_caller]
    pub fn squeeze(&self, axes: impl Into<Axes>) -> DynArray {
        let axes = axes.into().list;
        DynArray::build("squeeze", &[self.node()], self.dtype(), || {
            build::squeeze(self.node(), axes.as_deref())
        })
    }

    /// The array with a new length-1 axis at position `axis` of the result (negative
    /// axes count from the end).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[3, 4], [2, 2]).to_dyn();
    /// assert_eq!(x.expand_dims(1).shape(), &[3, 1, 4]);
    /// ```
    ///
    /// An axis outside `-ndim - 1..=ndim` gives an invalid array
    /// ([`Error::AxisOutOfRange`]).
    #[track_caller]
    pub fn expand_dims(&self, axis: impl AxisIndex) -> DynArray {
        DynArray::build("expand_dims", &[self.node()], self.dtype(), || {
            build::expand_dims(self.node(), axis.to_isize())
        })
    }

    /// The elements in reverse order along `axes` (`..` for every axis; see
    /// [`LazyArray::flip`](crate::array::LazyArray::flip)).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 5, 1, [2]).to_dyn();
    /// assert_eq!(x.flip(..).compute()?.into_typed::<i32>()?, ndarray::arr1(&[4, 3, 2, 1, 0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn flip(&self, axes: impl Into<Axes>) -> DynArray {
        let axes = axes.into().list;
        DynArray::build("flip", &[self.node()], self.dtype(), || {
            crate::blocks::flip::flip(self.node(), axes.as_deref())
        })
    }

    /// The same values cut into other chunks.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 10, 1, [3]).to_dyn();
    /// assert_eq!(x.rechunk([5]).chunks().to_string(), "((5, 5),)");
    /// ```
    ///
    /// Chunks that do not fit the shape give an invalid array.
    #[track_caller]
    pub fn rechunk(&self, chunks: impl Into<Chunks>) -> DynArray {
        let chunks = chunks.into();
        DynArray::build("rechunk", &[self.node()], self.dtype(), || {
            build::rechunk(self.node(), &chunks)
        })
    }
}

macro_rules! dyn_unary_methods {
    ($(
        $V:ident $name:literal $method:ident $rule:ident [$($alias:literal),*]
            |$v:ident| $kernel:expr, $doc:literal;
    )*) => {
        impl DynArray {
            $(
                #[doc = $doc]
                ///
                #[doc = concat!("NumPy's `", $name, "` (see [`UnaryFn::", stringify!($V), "`]).")]
                ///
                /// # Example
                ///
                /// ```
                /// let x = chunkwise::from_ndarray(ndarray::array![0.5f64, 2.0], [1]).to_dyn();
                #[doc = concat!("let y = x.", stringify!($method), "();")]
                #[doc = concat!("let z = x.unary(chunkwise::UnaryFn::", stringify!($V), ");")]
                /// assert_eq!((y.dtype(), y.error().is_some()), (z.dtype(), z.error().is_some()));
                /// ```
                #[track_caller]
                pub fn $method(&self) -> DynArray {
                    self.unary(UnaryFn::$V)
                }
            )*
        }
    };
}

crate::ops::for_each_unary_fn!(dyn_unary_methods);

macro_rules! dyn_binary_methods {
    ($(
        $V:ident $name:literal $method:ident $rule:ident $typed:ident [$($alias:literal),*]
            |$a:ident, $b:ident| $kernel:expr, $doc:literal;
    )*) => {
        impl DynArray {
            $(
                #[doc = $doc]
                ///
                #[doc = concat!("NumPy's `", $name, "`: operands of different dtypes are promoted first (see [`DynOperand`]).")]
                ///
                /// # Example
                ///
                /// ```
                /// let x = chunkwise::arange(1i32, 5, 1, [3]).to_dyn();
                /// let y = chunkwise::from_ndarray(ndarray::array![1.0f32, 2.0, 3.0, 4.0], [2]).to_dyn();
                #[doc = concat!("let r = x.", stringify!($method), "(&y);")]
                #[doc = concat!("let z = chunkwise::BinaryFn::", stringify!($V), ".apply(&x, &y);")]
                /// assert_eq!((r.dtype(), r.error().is_some()), (z.dtype(), z.error().is_some()));
                /// ```
                #[track_caller]
                pub fn $method(&self, rhs: impl Into<DynOperand>) -> DynArray {
                    BinaryFn::$V.apply(self, rhs)
                }
            )*
        }
    };
}

crate::ops::for_each_binary_fn!(dyn_binary_methods);

macro_rules! dyn_reduce_methods {
    ($(
        $V:ident $({ $($field:ident),* })? $name:literal $method:ident $result:ident $axes:ident
            $empty:ident $domain:ident [$($alias:literal),*] $module:ident :: $kernel:ident,
            $doc:literal;
    )*) => {
        impl DynArray {
            $(
                #[doc = $doc]
                ///
                #[doc = concat!("NumPy's `", $name, "` over `axes` (see [`Axes`]).")]
                ///
                /// # Example
                ///
                /// ```
                /// let x = chunkwise::from_ndarray(ndarray::array![[3.0, 1.0], [0.5, 5.0]], [1, 1]).to_dyn();
                #[doc = concat!("assert_eq!(x.", stringify!($method), "(-1).shape(), &[2]);")]
                /// ```
                #[track_caller]
                pub fn $method(&self, axes: impl Into<Axes>) -> DynArray {
                    self.reduce(ReduceFn::$V $({ $($field: 0),* })?, axes)
                }
            )*
        }
    };
}

crate::ops::for_each_reduce_fn!(dyn_reduce_methods);
