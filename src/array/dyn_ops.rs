//! Operations on [`DynArray`], the runtime-typed array: elementwise functions
//! ([`UnaryFn`], [`BinaryFn`], [`DynArray::where_`]), reductions ([`ReduceFn`]), indexing
//! and constants, with NumPy's dtype promotion between operands of different dtypes.
//!
//! The typed API (`LazyArray<T>`) needs operands of one element type; here the dtypes are
//! known only at run time (a Zarr array, a command-line expression), so each operation
//! first finds the result dtype and casts its operands to it, then builds the same nodes
//! as the typed API.
//!
//! The promotion rules are on [`DynOperand`].

use std::sync::Arc;

use ndarray::SliceInfoElem;

use super::{Axes, DynArray};
use crate::chunks::Chunks;
use crate::element::{DType, Scalar};
use crate::error::{Error, Result};
use crate::expr::{build, BinaryOp, Node, ReduceKind, Source, UnaryOp};

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
/// arithmetic on `bool` is an error, and the unary math functions give `float64` for
/// integers (`float32` stays `float32`).
///
/// # Example
///
/// ```
/// use chunkwise::{DType, DynArray};
/// let x = chunkwise::ones::<f32>(&[3], [2])?.to_dyn();
/// assert_eq!(x.add(1)?.dtype(), DType::F32);     // a weak integer literal
/// assert_eq!(x.add(0.5)?.dtype(), DType::F32);   // a weak float literal
/// assert_eq!(x.add(&DynArray::scalar(0.5f64))?.dtype(), DType::F64); // a strong 0-d array
/// # Ok::<(), chunkwise::Error>(())
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

macro_rules! fn_enum {
    (
        $(#[$meta:meta])*
        $name:ident => $inner:ident {
            $($(#[$vdoc:meta])* $variant:ident = $text:literal => $op:expr,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every function of this family, in a fixed order.
            ///
            /// # Example
            ///
            /// ```
            #[doc = concat!("use chunkwise::", stringify!($name), ";")]
            #[doc = concat!("assert!(", stringify!($name), "::ALL.len() > 10);")]
            /// ```
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The NumPy name of the function.
            ///
            /// # Example
            ///
            /// ```
            #[doc = concat!("use chunkwise::", stringify!($name), ";")]
            #[doc = concat!("let names: Vec<&str> = ", stringify!($name), "::ALL.iter().map(|f| f.name()).collect();")]
            /// assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())));
            /// ```
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The function with this NumPy name, if there is one.
            ///
            /// # Example
            ///
            /// ```
            #[doc = concat!("use chunkwise::", stringify!($name), ";")]
            #[doc = concat!("for &f in ", stringify!($name), "::ALL {")]
            #[doc = concat!("    assert_eq!(", stringify!($name), "::from_name(f.name()), Some(f));")]
            /// }
            #[doc = concat!("assert_eq!(", stringify!($name), "::from_name(\"meen\"), None);")]
            /// ```
            #[must_use]
            pub fn from_name(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|f| f.name() == name)
            }

            fn op(self) -> $inner {
                match self {
                    $($name::$variant => $op,)*
                }
            }
        }
    };
}

fn_enum! {
    /// An elementwise function of one array, for [`DynArray::unary`].
    ///
    /// The math functions (`sqrt` to `round`) give `float64` for integer and `bool`
    /// arrays and keep `float32`; `negative` and `abs` keep the dtype and are not defined
    /// for `bool`; `isnan` and `isfinite` give `bool`; `logical_not` needs `bool`.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, UnaryFn};
    /// let x = chunkwise::arange(1i32, 5, 1, [3])?.to_dyn();
    /// let r = x.unary(UnaryFn::Sqrt)?;
    /// assert_eq!(r.dtype(), DType::F64);
    /// assert_eq!(r.compute()?.sum_f64(), 1.0 + 2f64.sqrt() + 3f64.sqrt() + 2.0);
    /// assert_eq!(UnaryFn::from_name("log10"), Some(UnaryFn::Log10));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    UnaryFn => UnaryOp {
        /// `-x`.
        Negative = "negative" => UnaryOp::Neg,
        /// Absolute value.
        Abs = "abs" => UnaryOp::Abs,
        /// Square root.
        Sqrt = "sqrt" => UnaryOp::Sqrt,
        /// `e^x`.
        Exp = "exp" => UnaryOp::Exp,
        /// Natural logarithm.
        Log = "log" => UnaryOp::Ln,
        /// Base-10 logarithm.
        Log10 = "log10" => UnaryOp::Log10,
        /// Sine.
        Sin = "sin" => UnaryOp::Sin,
        /// Cosine.
        Cos = "cos" => UnaryOp::Cos,
        /// Tangent.
        Tan = "tan" => UnaryOp::Tan,
        /// Inverse sine.
        Arcsin = "arcsin" => UnaryOp::Arcsin,
        /// Inverse cosine.
        Arccos = "arccos" => UnaryOp::Arccos,
        /// Inverse tangent.
        Arctan = "arctan" => UnaryOp::Arctan,
        /// Hyperbolic sine.
        Sinh = "sinh" => UnaryOp::Sinh,
        /// Hyperbolic cosine.
        Cosh = "cosh" => UnaryOp::Cosh,
        /// Hyperbolic tangent.
        Tanh = "tanh" => UnaryOp::Tanh,
        /// Largest integer not above.
        Floor = "floor" => UnaryOp::Floor,
        /// Smallest integer not below.
        Ceil = "ceil" => UnaryOp::Ceil,
        /// Nearest integer, halves to even.
        Round = "round" => UnaryOp::Round,
        /// True where NaN.
        IsNan = "isnan" => UnaryOp::IsNan,
        /// True where neither NaN nor infinite.
        IsFinite = "isfinite" => UnaryOp::IsFinite,
        /// Logical not of a `bool` array.
        LogicalNot = "logical_not" => UnaryOp::Not,
    }
}

fn_enum! {
    /// An elementwise function of two operands, for [`DynArray::binary`] and
    /// [`BinaryFn::apply`]. Operands are promoted to one dtype first (see the
    /// [promotion rules](DynOperand)).
    ///
    /// Arithmetic (`add` to `maximum`) is not defined for `bool`; `divide` is true
    /// division (integers give `float64`); the comparisons give `bool`; `logical_and` and
    /// `logical_or` need `bool` operands.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{BinaryFn, DType};
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?.to_dyn();
    /// let half = BinaryFn::Div.apply(&x, 2)?;
    /// assert_eq!(half.dtype(), DType::F64);
    /// assert_eq!(half.compute()?.sum_f64(), 3.0);
    /// let back = BinaryFn::Sub.apply(10, &x)?;              // a literal on the left
    /// assert_eq!(back.compute()?.sum_f64(), 34.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    BinaryFn => BinaryOp {
        /// `a + b`.
        Add = "add" => BinaryOp::Add,
        /// `a - b`.
        Sub = "subtract" => BinaryOp::Sub,
        /// `a * b`.
        Mul = "multiply" => BinaryOp::Mul,
        /// `a / b`, true division.
        Div = "divide" => BinaryOp::Div,
        /// `a ** b`.
        Pow = "power" => BinaryOp::Pow,
        /// The smaller value; NaN where either is NaN.
        Minimum = "minimum" => BinaryOp::Minimum,
        /// The larger value; NaN where either is NaN.
        Maximum = "maximum" => BinaryOp::Maximum,
        /// `a == b`.
        Equal = "equal" => BinaryOp::Equal,
        /// `a != b`.
        NotEqual = "not_equal" => BinaryOp::NotEqual,
        /// `a < b`.
        Less = "less" => BinaryOp::Less,
        /// `a <= b`.
        LessEqual = "less_equal" => BinaryOp::LessEqual,
        /// `a > b`.
        Greater = "greater" => BinaryOp::Greater,
        /// `a >= b`.
        GreaterEqual = "greater_equal" => BinaryOp::GreaterEqual,
        /// `a & b` on `bool`.
        LogicalAnd = "logical_and" => BinaryOp::And,
        /// `a | b` on `bool`.
        LogicalOr = "logical_or" => BinaryOp::Or,
    }
}

impl BinaryFn {
    /// Applies the function to two operands, either of which may be a literal.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::BinaryFn;
    /// let x = chunkwise::arange(0.0f64, 3.0, 1.0, [2])?.to_dyn();
    /// let y = BinaryFn::Maximum.apply(&x, 1)?;
    /// assert_eq!(y.compute()?.sum_f64(), 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ShapeMismatch`] when the shapes do not broadcast,
    /// [`Error::UnsupportedDType`] for arithmetic on `bool` or logic on other dtypes,
    /// [`Error::InvalidParameter`] for an integer literal that does not fit the array's
    /// integer dtype or a negative integer power of an integer array.
    pub fn apply(self, lhs: impl Into<DynOperand>, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        let (lhs, rhs) = (lhs.into(), rhs.into());
        let op = self.op();
        let mut dtype = result_dtype(&[&lhs, &rhs]);
        let arithmetic = !op.is_comparison() && !op.is_logical();
        if arithmetic && dtype == DType::Bool {
            return Err(Error::UnsupportedDType {
                op: op.name(),
                dtype,
                needs: "numeric operands; cast bool with `astype` first",
            });
        }
        if self == BinaryFn::Div && !dtype.is_float() {
            dtype = DType::F64;
        }
        // A comparison with an integer the array's dtype cannot hold still has an answer
        // (`uint8_array < 300` is all true, as in NumPy): compare in a wider dtype.
        if op.is_comparison() {
            for o in [&lhs, &rhs] {
                if let DynOperand::Int(v) = *o {
                    if !int_fits(v, dtype) {
                        dtype = DType::promote(dtype, DType::I64);
                    }
                }
            }
        }
        if self == BinaryFn::Pow && dtype.is_integer() {
            if let DynOperand::Int(e) = rhs {
                if e < 0 {
                    return Err(Error::parameter(
                        "power",
                        "exponent",
                        e,
                        "a non-negative exponent for integer arrays (integers to negative \
                         powers are not integers); use a float exponent such as `2.0`",
                    ));
                }
            }
        }
        let a = lhs.to_node(op.name(), dtype)?;
        let b = rhs.to_node(op.name(), dtype)?;
        Ok(DynArray::from_node(build::binary(op, &a, &b)?))
    }
}

/// A reduction, for [`DynArray::reduce`].
///
/// Result dtypes follow NumPy: `sum`, `prod` and `nansum` accumulate integers in
/// `int64`/`uint64`; `mean`, `var`, `std` and `nanmean` give `float64` (`float32` stays);
/// `argmin`/`argmax` give `int64`; `any`/`all` give `bool`; the others keep the dtype.
///
/// # Example
///
/// ```
/// use chunkwise::{Axes, ReduceFn};
/// let x = chunkwise::from_ndarray(ndarray::array![[1.0, 2.0], [3.0, 5.0]], [1, 1])?.to_dyn();
/// let v = x.reduce(ReduceFn::Var { ddof: 1 }, Axes::from(0).keepdims(true))?;
/// assert_eq!(v.shape(), &[1, 2]);
/// assert_eq!(v.compute()?.sum_f64(), 2.0 + 4.5);
/// assert_eq!(ReduceFn::from_name("nanmax"), Some(ReduceFn::NanMax));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReduceFn {
    /// Sum.
    Sum,
    /// Product.
    Prod,
    /// Arithmetic mean.
    Mean,
    /// Minimum; NaN if any element is NaN.
    Min,
    /// Maximum; NaN if any element is NaN.
    Max,
    /// Variance, dividing by `n - ddof`.
    Var {
        /// Delta degrees of freedom.
        ddof: usize,
    },
    /// Standard deviation, dividing by `n - ddof`.
    Std {
        /// Delta degrees of freedom.
        ddof: usize,
    },
    /// Index of the minimum (one axis, or all axes: the flat index).
    ArgMin,
    /// Index of the maximum (one axis, or all axes: the flat index).
    ArgMax,
    /// True where any element is non-zero.
    Any,
    /// True where every element is non-zero.
    All,
    /// Sum, NaN counted as 0.
    NanSum,
    /// Mean of the elements that are not NaN.
    NanMean,
    /// Minimum ignoring NaN.
    NanMin,
    /// Maximum ignoring NaN.
    NanMax,
}

impl ReduceFn {
    /// Every reduction (`var` and `std` with `ddof` 0), in a fixed order.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ReduceFn;
    /// assert!(ReduceFn::ALL.contains(&ReduceFn::Std { ddof: 0 }));
    /// ```
    pub const ALL: &'static [ReduceFn] = &[
        ReduceFn::Sum,
        ReduceFn::Prod,
        ReduceFn::Mean,
        ReduceFn::Min,
        ReduceFn::Max,
        ReduceFn::Var { ddof: 0 },
        ReduceFn::Std { ddof: 0 },
        ReduceFn::ArgMin,
        ReduceFn::ArgMax,
        ReduceFn::Any,
        ReduceFn::All,
        ReduceFn::NanSum,
        ReduceFn::NanMean,
        ReduceFn::NanMin,
        ReduceFn::NanMax,
    ];

    /// The NumPy name of the reduction.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ReduceFn;
    /// assert_eq!(ReduceFn::Var { ddof: 1 }.name(), "var");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        self.kind().name()
    }

    /// The reduction with this NumPy name (`var` and `std` with `ddof` 0), if any.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ReduceFn;
    /// assert_eq!(ReduceFn::from_name("argmax"), Some(ReduceFn::ArgMax));
    /// assert_eq!(ReduceFn::from_name("average"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<ReduceFn> {
        ReduceFn::ALL.iter().copied().find(|f| f.name() == name)
    }

    fn kind(self) -> ReduceKind {
        match self {
            ReduceFn::Sum => ReduceKind::Sum,
            ReduceFn::Prod => ReduceKind::Prod,
            ReduceFn::Mean => ReduceKind::Mean,
            ReduceFn::Min => ReduceKind::Min,
            ReduceFn::Max => ReduceKind::Max,
            ReduceFn::Var { ddof } => ReduceKind::Var { ddof },
            ReduceFn::Std { ddof } => ReduceKind::Std { ddof },
            ReduceFn::ArgMin => ReduceKind::ArgMin,
            ReduceFn::ArgMax => ReduceKind::ArgMax,
            ReduceFn::Any => ReduceKind::Any,
            ReduceFn::All => ReduceKind::All,
            ReduceFn::NanSum => ReduceKind::NanSum,
            ReduceFn::NanMean => ReduceKind::NanMean,
            ReduceFn::NanMin => ReduceKind::NanMin,
            ReduceFn::NanMax => ReduceKind::NanMax,
        }
    }
}

macro_rules! binary_methods {
    ($($(#[$doc:meta])* $method:ident => $f:ident, $example:literal;)*) => {
        impl DynArray {
            $(
                $(#[$doc])*
                ///
                /// Operands of different dtypes are promoted first (see [`DynOperand`]).
                ///
                /// # Example
                ///
                /// ```
                /// let x = chunkwise::arange(0i32, 4, 1, [3])?.to_dyn();
                /// let y = chunkwise::from_ndarray(ndarray::array![1.0f32, 2.0, 3.0, 4.0], [2])?.to_dyn();
                #[doc = concat!("let r = x.", stringify!($method), "(&y)?;")]
                #[doc = concat!("assert_eq!(r.compute()?.cast(chunkwise::DType::F64).sum_f64(), ", $example, ");")]
                /// # Ok::<(), chunkwise::Error>(())
                /// ```
                ///
                /// # Errors
                ///
                /// As [`BinaryFn::apply`].
                pub fn $method(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
                    BinaryFn::$f.apply(self, rhs)
                }
            )*
        }
    };
}

binary_methods! {
    /// Elementwise `self + rhs`.
    add => Add, "16.0";
    /// Elementwise `self - rhs`.
    sub => Sub, "-4.0";
    /// Elementwise `self * rhs`.
    mul => Mul, "20.0";
    /// Elementwise `self / rhs`, true division (integers give `float64`).
    div => Div, "0.5 + 2.0 / 3.0 + 0.75";
    /// Elementwise `self ** rhs`.
    pow => Pow, "1.0 + 8.0 + 81.0";
    /// The elementwise smaller value; NaN where either is NaN.
    minimum => Minimum, "6.0";
    /// The elementwise larger value; NaN where either is NaN.
    maximum => Maximum, "10.0";
    /// Elementwise `self == rhs`, a `bool` array.
    equal => Equal, "0.0";
    /// Elementwise `self != rhs`, a `bool` array.
    not_equal => NotEqual, "4.0";
    /// Elementwise `self < rhs`, a `bool` array.
    less => Less, "4.0";
    /// Elementwise `self <= rhs`, a `bool` array.
    less_equal => LessEqual, "4.0";
    /// Elementwise `self > rhs`, a `bool` array.
    greater => Greater, "0.0";
    /// Elementwise `self >= rhs`, a `bool` array.
    greater_equal => GreaterEqual, "0.0";
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
    /// let a = DynArray::full(&[2, 3], Scalar::I16(7), [1, 2])?;
    /// assert_eq!(a.compute()?.sum_f64(), 42.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `chunks` does not fit `shape`, or the shape is too large to address.
    pub fn full(
        shape: &[usize],
        value: impl Into<Scalar>,
        chunks: impl Into<Chunks>,
    ) -> Result<DynArray> {
        let value = value.into();
        let node = build::source(Source::Full(value), shape, value.dtype(), &chunks.into())?;
        Ok(DynArray::from_node(node))
    }

    /// Applies an elementwise function of two operands (see [`BinaryFn`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::BinaryFn;
    /// let x = chunkwise::arange(0i64, 5, 1, [2])?.to_dyn();
    /// let big = x.binary(BinaryFn::GreaterEqual, 3)?;
    /// assert_eq!(big.compute()?.sum_f64(), 2.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`BinaryFn::apply`].
    pub fn binary(&self, f: BinaryFn, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        f.apply(self, rhs)
    }

    /// Applies an elementwise function of one array (see [`UnaryFn`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::UnaryFn;
    /// let x = chunkwise::arange(-2i8, 2, 1, [3])?.to_dyn();
    /// assert_eq!(x.unary(UnaryFn::Abs)?.compute()?.sum_f64(), 4.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedDType`] for `negative`/`abs` of `bool` and `logical_not` of
    /// anything but `bool`.
    pub fn unary(&self, f: UnaryFn) -> Result<DynArray> {
        Ok(DynArray::from_node(build::unary(f.op(), self.node())?))
    }

    /// Elementwise `-self`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0.0f64, 3.0, 1.0, [2])?.to_dyn();
    /// assert_eq!(x.neg()?.compute()?.sum_f64(), -3.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedDType`] for a `bool` array.
    pub fn neg(&self) -> Result<DynArray> {
        self.unary(UnaryFn::Negative)
    }

    /// Elementwise logical and of `bool` operands.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?.to_dyn();
    /// let mid = x.greater(0)?.logical_and(x.less(3)?)?;
    /// assert_eq!(mid.compute()?.sum_f64(), 2.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`BinaryFn::apply`].
    pub fn logical_and(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        BinaryFn::LogicalAnd.apply(self, rhs)
    }

    /// Elementwise logical or of `bool` operands.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?.to_dyn();
    /// let ends = x.less(1)?.logical_or(x.greater(2)?)?;
    /// assert_eq!(ends.compute()?.sum_f64(), 2.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`BinaryFn::apply`].
    pub fn logical_or(&self, rhs: impl Into<DynOperand>) -> Result<DynArray> {
        BinaryFn::LogicalOr.apply(self, rhs)
    }

    /// Elementwise logical not of a `bool` array.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?.to_dyn();
    /// assert_eq!(x.less(1)?.logical_not()?.compute()?.sum_f64(), 3.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedDType`] unless the array is `bool`.
    pub fn logical_not(&self) -> Result<DynArray> {
        self.unary(UnaryFn::LogicalNot)
    }

    /// Elementwise choice: `a` where `cond` is true, `b` elsewhere, with broadcasting;
    /// `a` and `b` are promoted to one dtype (NumPy's `where`).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, DynArray};
    /// let x = chunkwise::arange(-2i32, 3, 1, [2])?.to_dyn();
    /// let relu = DynArray::where_(x.greater(0)?, &x, 0.0)?;
    /// assert_eq!(relu.dtype(), DType::F64);
    /// assert_eq!(relu.compute()?.sum_f64(), 3.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] when `cond` is not `bool`; [`Error::ShapeMismatch`] when
    /// the three shapes do not broadcast.
    #[doc(alias = "where")]
    pub fn where_(
        cond: impl Into<DynOperand>,
        a: impl Into<DynOperand>,
        b: impl Into<DynOperand>,
    ) -> Result<DynArray> {
        let (cond, a, b) = (cond.into(), a.into(), b.into());
        let cond = match cond {
            DynOperand::Bool(v) => build::scalar(Scalar::Bool(v)),
            other => other.into_array().node().clone(),
        };
        let dtype = result_dtype(&[&a, &b]);
        let a = a.to_node("where", dtype)?;
        let b = b.to_node("where", dtype)?;
        Ok(DynArray::from_node(build::where_(&cond, &a, &b)?))
    }

    /// A reduction over `axes` (see [`ReduceFn`] and [`Axes`]).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::{DType, ReduceFn};
    /// let x = chunkwise::ones::<u8>(&[3, 4], [2, 3])?.to_dyn();
    /// let s = x.reduce(ReduceFn::Sum, 1)?;
    /// assert_eq!((s.dtype(), s.shape()), (DType::U64, &[3][..]));
    /// assert_eq!(x.reduce(ReduceFn::Mean, ..)?.compute()?.sum_f64(), 1.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::AxisOutOfRange`], [`Error::DuplicateAxis`] for bad axes;
    /// [`Error::EmptyReduction`] for `min`-like reductions over zero elements;
    /// [`Error::UnsupportedDType`] for `mean`, `prod`, `var`, `std` of `bool`;
    /// [`Error::InvalidParameter`] for `argmin`/`argmax` over several but not all axes.
    pub fn reduce(&self, f: ReduceFn, axes: impl Into<Axes>) -> Result<DynArray> {
        let axes = axes.into();
        Ok(DynArray::from_node(build::reduce(
            f.kind(),
            self.node(),
            axes.list.as_deref(),
            axes.keepdims,
            axes.split_every,
        )?))
    }

    /// Basic indexing with an ndarray `s![]` index (see [`LazyArray::slice`](crate::LazyArray::slice)).
    ///
    /// # Example
    ///
    /// ```
    /// use ndarray::s;
    /// let x = chunkwise::arange(0i32, 20, 1, [6])?.to_dyn();
    /// assert_eq!(x.slice(s![2..9;3])?.compute()?.sum_f64(), 15.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`LazyArray::slice`](crate::LazyArray::slice).
    pub fn slice(&self, index: impl AsRef<[SliceInfoElem]>) -> Result<DynArray> {
        Ok(DynArray::from_node(build::slice(
            self.node(),
            index.as_ref(),
        )?))
    }

    /// The array with its axes permuted: result axis `i` is axis `axes[i]` of `self`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2, 3, 4], [1, 2, 3])?.to_dyn();
    /// assert_eq!(x.permute_axes(&[2, 0, 1])?.shape(), &[4, 2, 3]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless `axes` lists every axis exactly once.
    pub fn permute_axes(&self, axes: &[usize]) -> Result<DynArray> {
        Ok(DynArray::from_node(build::permute(self.node(), axes)?))
    }

    /// The array with its axes reversed (NumPy's `.T`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2, 5], [2, 2])?.to_dyn();
    /// assert_eq!(x.t().shape(), &[5, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[allow(
        clippy::missing_panics_doc,
        reason = "the `expect` inside states an invariant, it cannot fire"
    )]
    pub fn t(&self) -> DynArray {
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        self.permute_axes(&perm)
            .expect("a reversal is a valid permutation")
    }

    /// The array with a new length-1 axis at position `axis` of the result.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f32>(&[3, 4], [2, 2])?.to_dyn();
    /// assert_eq!(x.expand_dims(1)?.shape(), &[3, 1, 4]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::AxisOutOfRange`] when `axis > ndim`.
    pub fn expand_dims(&self, axis: usize) -> Result<DynArray> {
        Ok(DynArray::from_node(build::expand_dims(self.node(), axis)?))
    }

    /// The same values cut into other chunks.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 10, 1, [3])?.to_dyn();
    /// assert_eq!(x.rechunk([5])?.chunks().to_string(), "((5, 5),)");
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `chunks` does not fit the shape.
    pub fn rechunk(&self, chunks: impl Into<Chunks>) -> Result<DynArray> {
        Ok(DynArray::from_node(build::rechunk(
            self.node(),
            &chunks.into(),
        )?))
    }
}
