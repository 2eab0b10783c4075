//! [`Element`], the element types an array can hold, and [`DType`], their runtime names.
//!
//! chunkwise arrays hold one of eleven element types: `bool`, `i8`..`i64`, `u8`..`u64`,
//! `f32` and `f64`. The typed facade (`LazyArray<T>`) names the type statically through
//! [`Element`]; the expression graph and the kernels carry a runtime [`DType`] so that
//! arrays of any type share one graph. [`NumElement`] adds arithmetic (every type but
//! `bool`) and [`FloatElement`] the floating-point functions (`f32`, `f64`).
//!
//! Arithmetic follows NumPy: integer `+ - *` wrap on overflow, and casts between types
//! follow `astype` (float to integer truncates toward zero, saturating at the bounds, NaN
//! becomes 0; anything to `bool` is "not zero").

use std::fmt;

use crate::error::{Error, Result};

/// The runtime element type of an array, named as NumPy names it.
///
/// # Example
///
/// ```
/// use chunkwise::DType;
/// assert_eq!(DType::F64.size(), 8);
/// assert_eq!(DType::parse("float32")?, DType::F32);
/// assert_eq!(DType::I32.to_string(), "int32");
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DType {
    /// `bool`
    Bool,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl DType {
    /// Every dtype, in a fixed order.
    pub const ALL: [DType; 11] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ];

    /// Size of one element in bytes.
    #[must_use]
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// The NumPy name of the dtype (`"float64"`, `"int32"`, `"bool"`...).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// Parses a NumPy dtype name (`"float64"`), or a Rust type name (`"f64"`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the name is not one of the eleven dtypes.
    pub fn parse(name: &str) -> Result<DType> {
        let found = DType::ALL.into_iter().find(|d| {
            d.name() == name || d.rust_name() == name || (name == "bool_" && *d == DType::Bool)
        });
        found.ok_or_else(|| {
            Error::parameter(
                "DType::parse",
                "name",
                format!("{name:?}"),
                "one of bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64",
            )
        })
    }

    /// The Rust name of the element type (`"f64"`).
    #[must_use]
    pub fn rust_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// True for `f32` and `f64`.
    #[must_use]
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// True for the signed and unsigned integer types.
    #[must_use]
    pub fn is_integer(self) -> bool {
        !self.is_float() && self != DType::Bool
    }

    /// True for every type with arithmetic (all but `bool`).
    #[must_use]
    pub fn is_numeric(self) -> bool {
        self != DType::Bool
    }

    /// The dtype of a floating-point result computed from this type (`mean`, `sin`...):
    /// `f32` stays `f32`, everything else becomes `f64`.
    #[must_use]
    pub fn float_result(self) -> DType {
        if self == DType::F32 {
            DType::F32
        } else {
            DType::F64
        }
    }

    /// The dtype of `sum` and `prod` over this type, as NumPy chooses it: signed integers
    /// and `bool` accumulate in `i64`, unsigned integers in `u64`, floats in themselves.
    #[must_use]
    pub fn sum_result(self) -> DType {
        match self {
            DType::Bool | DType::I8 | DType::I16 | DType::I32 | DType::I64 => DType::I64,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => DType::U64,
            DType::F32 => DType::F32,
            DType::F64 => DType::F64,
        }
    }

    /// The smallest dtype both operands can be cast to without loss, as NumPy promotes
    /// them (`int32` with `float32` gives `float64`, `uint64` with `int64` gives `float64`).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::DType;
    /// assert_eq!(DType::promote(DType::I32, DType::F32), DType::F64);
    /// assert_eq!(DType::promote(DType::U8, DType::I8), DType::I16);
    /// assert_eq!(DType::promote(DType::Bool, DType::U16), DType::U16);
    /// ```
    #[must_use]
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::{Bool, F32, F64, I16, I32, I64, I8, U16, U32, U64, U8};
        if a == b {
            return a;
        }
        if a == Bool {
            return b;
        }
        if b == Bool {
            return a;
        }
        // Bits of integer precision each type holds exactly (floats: mantissa bits).
        let signed_bits = |d: DType| match d {
            I8 => Some(8),
            I16 => Some(16),
            I32 => Some(32),
            I64 => Some(64),
            _ => None,
        };
        let unsigned_bits = |d: DType| match d {
            U8 => Some(8),
            U16 => Some(16),
            U32 => Some(32),
            U64 => Some(64),
            _ => None,
        };
        match (a, b) {
            (F64, _) | (_, F64) => F64,
            (F32, other) | (other, F32) => {
                if other.size() <= 2 {
                    F32
                } else {
                    F64
                }
            }
            _ => match (
                signed_bits(a),
                unsigned_bits(a),
                signed_bits(b),
                unsigned_bits(b),
            ) {
                (Some(x), _, Some(y), _) => signed_of(x.max(y)),
                (_, Some(x), _, Some(y)) => unsigned_of(x.max(y)),
                (Some(s), _, _, Some(u)) | (_, Some(u), Some(s), _) => {
                    if s > u {
                        signed_of(s)
                    } else if u < 64 {
                        signed_of(u * 2)
                    } else {
                        F64
                    }
                }
                _ => F64,
            },
        }
    }
}

fn signed_of(bits: u32) -> DType {
    match bits {
        8 => DType::I8,
        16 => DType::I16,
        32 => DType::I32,
        _ => DType::I64,
    }
}

fn unsigned_of(bits: u32) -> DType {
    match bits {
        8 => DType::U8,
        16 => DType::U16,
        32 => DType::U32,
        _ => DType::U64,
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One value of any element type.
///
/// Used for constants in expressions (`full`, scalar operands, `clip` bounds) and for
/// values read back at run time.
///
/// # Example
///
/// ```
/// use chunkwise::{DType, Scalar};
/// let s = Scalar::from(2.5f64);
/// assert_eq!(s.dtype(), DType::F64);
/// assert_eq!(s.cast(DType::I32), Scalar::I32(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
#[non_exhaustive]
pub enum Scalar {
    /// A `bool`.
    Bool(bool),
    /// An `i8`.
    I8(i8),
    /// An `i16`.
    I16(i16),
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// A `u8`.
    U8(u8),
    /// A `u16`.
    U16(u16),
    /// A `u32`.
    U32(u32),
    /// A `u64`.
    U64(u64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

impl Scalar {
    /// The dtype of the value.
    #[must_use]
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::I8(_) => DType::I8,
            Scalar::I16(_) => DType::I16,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::U8(_) => DType::U8,
            Scalar::U16(_) => DType::U16,
            Scalar::U32(_) => DType::U32,
            Scalar::U64(_) => DType::U64,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    /// The value converted to `dtype` with NumPy `astype` rules.
    #[must_use]
    pub fn cast(self, dtype: DType) -> Scalar {
        crate::element::with_dtype!(dtype, T => T::from_scalar(self).to_scalar())
    }

    /// The value as an `f64` (`true` is 1.0).
    #[must_use]
    pub fn to_f64(self) -> f64 {
        f64::from_scalar(self)
    }

    /// Little-endian bytes of the value, with every NaN mapped to one canonical NaN, so
    /// that equal constants hash equally in expression keys.
    pub(crate) fn canonical_bytes(self) -> Vec<u8> {
        match self {
            Scalar::Bool(v) => vec![u8::from(v)],
            Scalar::I8(v) => v.to_le_bytes().to_vec(),
            Scalar::I16(v) => v.to_le_bytes().to_vec(),
            Scalar::I32(v) => v.to_le_bytes().to_vec(),
            Scalar::I64(v) => v.to_le_bytes().to_vec(),
            Scalar::U8(v) => v.to_le_bytes().to_vec(),
            Scalar::U16(v) => v.to_le_bytes().to_vec(),
            Scalar::U32(v) => v.to_le_bytes().to_vec(),
            Scalar::U64(v) => v.to_le_bytes().to_vec(),
            Scalar::F32(v) => (if v.is_nan() { f32::NAN } else { v })
                .to_le_bytes()
                .to_vec(),
            Scalar::F64(v) => (if v.is_nan() { f64::NAN } else { v })
                .to_le_bytes()
                .to_vec(),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(v) => write!(f, "{v}"),
            Scalar::I8(v) => write!(f, "{v}"),
            Scalar::I16(v) => write!(f, "{v}"),
            Scalar::I32(v) => write!(f, "{v}"),
            Scalar::I64(v) => write!(f, "{v}"),
            Scalar::U8(v) => write!(f, "{v}"),
            Scalar::U16(v) => write!(f, "{v}"),
            Scalar::U32(v) => write!(f, "{v}"),
            Scalar::U64(v) => write!(f, "{v}"),
            Scalar::F32(v) => write!(f, "{v}"),
            Scalar::F64(v) => write!(f, "{v}"),
        }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// An element type an array can hold: `bool`, `i8`..`i64`, `u8`..`u64`, `f32`, `f64`.
///
/// The trait is sealed: these eleven types are the whole set, which is what lets the
/// type-erased core dispatch on a [`DType`].
///
/// # Example
///
/// ```
/// use chunkwise::{DType, Element};
/// assert_eq!(<f32 as Element>::DTYPE, DType::F32);
/// assert_eq!(3.9f64.cast::<i32>(), 3);
/// assert_eq!((-1i8).cast::<u8>(), 255);
/// ```
pub trait Element:
    Copy
    + Send
    + Sync
    + PartialEq
    + PartialOrd
    + Default
    + fmt::Debug
    + fmt::Display
    + bytemuck::NoUninit
    + sealed::Sealed
    + 'static
{
    /// The runtime name of this type.
    const DTYPE: DType;

    /// The type `sum` and `prod` return for this type (see [`DType::sum_result`]).
    type Sum: NumElement;

    /// The type `mean`, `var`, `sin` and friends return (see [`DType::float_result`]).
    type Float: FloatElement;

    /// Wraps the value in a [`Scalar`].
    fn to_scalar(self) -> Scalar;

    /// Converts any [`Scalar`] to this type with NumPy `astype` rules.
    fn from_scalar(value: Scalar) -> Self;

    /// The smallest value (`-inf` for floats, `false` for bool): where a running maximum
    /// starts.
    const LOWEST: Self;

    /// The largest value (`inf` for floats, `true` for bool): where a running minimum
    /// starts.
    const HIGHEST: Self;

    /// Converts to another element type with NumPy `astype` rules.
    #[inline]
    #[must_use]
    fn cast<U: Element>(self) -> U {
        U::from_scalar(self.to_scalar())
    }

    /// True if the value is a floating-point NaN (always false for other types).
    #[inline]
    fn is_nan(self) -> bool {
        false
    }

    /// True unless the value is a floating-point NaN or infinity.
    #[inline]
    fn is_finite(self) -> bool {
        true
    }
}

/// An element type with arithmetic: every [`Element`] but `bool`.
///
/// Integer `+`, `-`, `*` and negation wrap on overflow (as NumPy's do); integer division
/// truncates toward zero and gives 0 when dividing by zero instead of panicking.
///
/// # Example
///
/// ```
/// use chunkwise::NumElement;
/// assert_eq!(200u8.add_elem(100), 44);
/// assert_eq!(7i32.div_elem(0), 0);
/// assert!(f64::NAN.minimum_elem(1.0).is_nan());
/// ```
pub trait NumElement: Element {
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// Addition (wrapping for integers).
    #[must_use]
    fn add_elem(self, rhs: Self) -> Self;
    /// Subtraction (wrapping for integers).
    #[must_use]
    fn sub_elem(self, rhs: Self) -> Self;
    /// Multiplication (wrapping for integers).
    #[must_use]
    fn mul_elem(self, rhs: Self) -> Self;
    /// Division (integers: truncating, and 0 when `rhs` is 0).
    #[must_use]
    fn div_elem(self, rhs: Self) -> Self;
    /// Negation (wrapping for integers).
    #[must_use]
    fn neg_elem(self) -> Self;
    /// Absolute value (wrapping for `MIN` of signed integers).
    #[must_use]
    fn abs_elem(self) -> Self;
    /// `self` raised to `exp` (integers: wrapping; a negative exponent truncates toward
    /// zero, so only bases 1 and -1 give non-zero results).
    #[must_use]
    fn pow_elem(self, exp: Self) -> Self;
    /// `self` raised to an integer power.
    #[must_use]
    fn powi_elem(self, exp: i32) -> Self;
    /// The smaller value; NaN if either is NaN (NumPy `minimum`).
    #[must_use]
    fn minimum_elem(self, rhs: Self) -> Self;
    /// The larger value; NaN if either is NaN (NumPy `maximum`).
    #[must_use]
    fn maximum_elem(self, rhs: Self) -> Self;
    /// The smaller value, ignoring a NaN (NumPy `fmin`).
    #[must_use]
    fn fmin_elem(self, rhs: Self) -> Self {
        if rhs.is_nan() {
            self
        } else if self.is_nan() {
            rhs
        } else {
            self.minimum_elem(rhs)
        }
    }
    /// The larger value, ignoring a NaN (NumPy `fmax`).
    #[must_use]
    fn fmax_elem(self, rhs: Self) -> Self {
        if rhs.is_nan() {
            self
        } else if self.is_nan() {
            rhs
        } else {
            self.maximum_elem(rhs)
        }
    }
    /// Division rounding toward minus infinity (NumPy `floor_divide`, Python `//`;
    /// integers give 0 for a zero divisor, as NumPy does).
    #[must_use]
    fn floor_div_elem(self, rhs: Self) -> Self;
    /// The remainder with the sign of the divisor (NumPy `remainder`, Python `%`;
    /// integers give 0 for a zero divisor, as NumPy does).
    #[must_use]
    fn rem_elem(self, rhs: Self) -> Self;
}

/// A floating-point element type: `f32` or `f64`.
///
/// # Example
///
/// ```
/// use chunkwise::FloatElement;
/// assert_eq!(2.5f64.round_half_even(), 2.0);
/// assert_eq!(0.0f32.arccos(), std::f32::consts::FRAC_PI_2);
/// ```
pub trait FloatElement: NumElement + num_traits::Float {
    /// Converts from `f64` (rounding to nearest for `f32`).
    fn from_f64(value: f64) -> Self;
    /// Converts to `f64`.
    fn to_f64(self) -> f64;
    /// Rounds half to even, as NumPy's `round` does.
    #[must_use]
    fn round_half_even(self) -> Self;
    /// The inverse sine.
    #[must_use]
    fn arcsin(self) -> Self {
        num_traits::Float::asin(self)
    }
    /// The inverse cosine.
    #[must_use]
    fn arccos(self) -> Self {
        num_traits::Float::acos(self)
    }
    /// The inverse tangent.
    #[must_use]
    fn arctan(self) -> Self {
        num_traits::Float::atan(self)
    }
}

macro_rules! impl_element {
    ($t:ty, $variant:ident, $sum:ty, $float:ty, $kind:ident) => {
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            type Sum = $sum;
            type Float = $float;
            #[inline(always)]
            fn to_scalar(self) -> Scalar {
                Scalar::$variant(self)
            }
            #[inline(always)]
            #[allow(clippy::cast_lossless, clippy::cast_possible_truncation, clippy::cast_sign_loss,
                    clippy::cast_precision_loss, clippy::cast_possible_wrap)]
            fn from_scalar(value: Scalar) -> Self {
                match value {
                    Scalar::Bool(v) => u8::from(v) as $t,
                    Scalar::I8(v) => v as $t,
                    Scalar::I16(v) => v as $t,
                    Scalar::I32(v) => v as $t,
                    Scalar::I64(v) => v as $t,
                    Scalar::U8(v) => v as $t,
                    Scalar::U16(v) => v as $t,
                    Scalar::U32(v) => v as $t,
                    Scalar::U64(v) => v as $t,
                    Scalar::F32(v) => v as $t,
                    Scalar::F64(v) => v as $t,
                }
            }
            impl_element!(@$kind $t);
        }
        impl From<$t> for Scalar {
            fn from(v: $t) -> Scalar {
                Scalar::$variant(v)
            }
        }
    };
    (@int $t:ty) => {
        const LOWEST: Self = <$t>::MIN;
        const HIGHEST: Self = <$t>::MAX;
    };
    (@float $t:ty) => {
        const LOWEST: Self = Self::NEG_INFINITY;
        const HIGHEST: Self = Self::INFINITY;
        #[inline(always)]
        fn is_nan(self) -> bool {
            self.is_nan()
        }
        #[inline(always)]
        fn is_finite(self) -> bool {
            self.is_finite()
        }
    };
}

impl_element!(i8, I8, i64, f64, int);
impl_element!(i16, I16, i64, f64, int);
impl_element!(i32, I32, i64, f64, int);
impl_element!(i64, I64, i64, f64, int);
impl_element!(u8, U8, u64, f64, int);
impl_element!(u16, U16, u64, f64, int);
impl_element!(u32, U32, u64, f64, int);
impl_element!(u64, U64, u64, f64, int);
impl_element!(f32, F32, f32, f32, float);
impl_element!(f64, F64, f64, f64, float);

impl sealed::Sealed for bool {}
impl Element for bool {
    const DTYPE: DType = DType::Bool;
    const LOWEST: Self = false;
    const HIGHEST: Self = true;
    type Sum = i64;
    type Float = f64;
    #[inline(always)]
    fn to_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
    #[inline(always)]
    fn from_scalar(value: Scalar) -> Self {
        match value {
            Scalar::Bool(v) => v,
            Scalar::I8(v) => v != 0,
            Scalar::I16(v) => v != 0,
            Scalar::I32(v) => v != 0,
            Scalar::I64(v) => v != 0,
            Scalar::U8(v) => v != 0,
            Scalar::U16(v) => v != 0,
            Scalar::U32(v) => v != 0,
            Scalar::U64(v) => v != 0,
            Scalar::F32(v) => v != 0.0,
            Scalar::F64(v) => v != 0.0,
        }
    }
}
impl From<bool> for Scalar {
    fn from(v: bool) -> Scalar {
        Scalar::Bool(v)
    }
}

macro_rules! impl_int {
    ($t:ty) => {
        impl NumElement for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn add_elem(self, rhs: Self) -> Self {
                self.wrapping_add(rhs)
            }
            #[inline(always)]
            fn sub_elem(self, rhs: Self) -> Self {
                self.wrapping_sub(rhs)
            }
            #[inline(always)]
            fn mul_elem(self, rhs: Self) -> Self {
                self.wrapping_mul(rhs)
            }
            #[inline(always)]
            fn div_elem(self, rhs: Self) -> Self {
                if rhs == 0 {
                    0
                } else {
                    self.wrapping_div(rhs)
                }
            }
            #[inline(always)]
            fn neg_elem(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn abs_elem(self) -> Self {
                if self < 0 {
                    self.wrapping_neg()
                } else {
                    self
                }
            }
            #[inline]
            #[allow(
                unused_comparisons,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            fn pow_elem(self, exp: Self) -> Self {
                if exp < 0 {
                    // Truncating 1 / self^|exp|: only 1 and -1 survive.
                    return match self {
                        1 => 1,
                        _ if self.wrapping_add(1) == 0 => {
                            if exp % 2 == 0 {
                                1
                            } else {
                                self
                            }
                        }
                        _ => 0,
                    };
                }
                let e = u32::try_from(exp).unwrap_or(u32::MAX);
                self.wrapping_pow(e)
            }
            #[inline]
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_possible_wrap
            )]
            fn powi_elem(self, exp: i32) -> Self {
                self.pow_elem(exp as Self)
            }
            #[inline(always)]
            fn minimum_elem(self, rhs: Self) -> Self {
                if rhs < self {
                    rhs
                } else {
                    self
                }
            }
            #[inline(always)]
            fn maximum_elem(self, rhs: Self) -> Self {
                if rhs > self {
                    rhs
                } else {
                    self
                }
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn floor_div_elem(self, rhs: Self) -> Self {
                if rhs == 0 {
                    return 0;
                }
                let q = self.wrapping_div(rhs);
                let r = self.wrapping_rem(rhs);
                if r != 0 && ((r < 0) != (rhs < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn rem_elem(self, rhs: Self) -> Self {
                if rhs == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(rhs);
                if r != 0 && ((r < 0) != (rhs < 0)) {
                    r.wrapping_add(rhs)
                } else {
                    r
                }
            }
        }
    };
}
impl_int!(i8);
impl_int!(i16);
impl_int!(i32);
impl_int!(i64);
impl_int!(u8);
impl_int!(u16);
impl_int!(u32);
impl_int!(u64);

macro_rules! impl_float {
    ($t:ty) => {
        impl NumElement for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn add_elem(self, rhs: Self) -> Self {
                self + rhs
            }
            #[inline(always)]
            fn sub_elem(self, rhs: Self) -> Self {
                self - rhs
            }
            #[inline(always)]
            fn mul_elem(self, rhs: Self) -> Self {
                self * rhs
            }
            #[inline(always)]
            fn div_elem(self, rhs: Self) -> Self {
                self / rhs
            }
            #[inline(always)]
            fn neg_elem(self) -> Self {
                -self
            }
            #[inline(always)]
            fn abs_elem(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn pow_elem(self, exp: Self) -> Self {
                self.powf(exp)
            }
            #[inline(always)]
            fn powi_elem(self, exp: i32) -> Self {
                <$t>::powi(self, exp)
            }
            #[inline(always)]
            fn minimum_elem(self, rhs: Self) -> Self {
                if self.is_nan() || rhs.is_nan() {
                    <$t>::NAN
                } else if rhs < self {
                    rhs
                } else {
                    self
                }
            }
            #[inline(always)]
            fn maximum_elem(self, rhs: Self) -> Self {
                if self.is_nan() || rhs.is_nan() {
                    <$t>::NAN
                } else if rhs > self {
                    rhs
                } else {
                    self
                }
            }
            /// NumPy's `npy_floor_divide`: `(a - fmod(a, b)) / b`, corrected toward minus
            /// infinity, and `a / b` for a zero divisor.
            #[inline]
            fn floor_div_elem(self, rhs: Self) -> Self {
                if rhs == 0.0 {
                    return self / rhs;
                }
                let m = self % rhs;
                let mut div = (self - m) / rhs;
                if m != 0.0 && ((rhs < 0.0) != (m < 0.0)) {
                    div -= 1.0;
                }
                if div == 0.0 {
                    return (0.0 as $t).copysign(self / rhs);
                }
                let floor = div.floor();
                if div - floor > 0.5 {
                    floor + 1.0
                } else {
                    floor
                }
            }
            /// NumPy's `npy_remainder`: `fmod(a, b)` moved to the sign of `b`, and NaN for
            /// a zero divisor.
            #[inline]
            fn rem_elem(self, rhs: Self) -> Self {
                let m = self % rhs;
                if rhs == 0.0 {
                    return m;
                }
                if m == 0.0 {
                    (0.0 as $t).copysign(rhs)
                } else if (rhs < 0.0) != (m < 0.0) {
                    m + rhs
                } else {
                    m
                }
            }
        }
        impl FloatElement for $t {
            #[inline(always)]
            #[allow(clippy::cast_possible_truncation)]
            fn from_f64(value: f64) -> Self {
                value as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                f64::from(self)
            }
            #[inline(always)]
            fn round_half_even(self) -> Self {
                self.round_ties_even()
            }
        }
    };
}
impl_float!(f32);
impl_float!(f64);

/// Runs `$body` with `$T` bound to the Rust type of a runtime [`DType`].
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::U16 => {
                type $T = u16;
                $body
            }
            $crate::DType::U32 => {
                type $T = u32;
                $body
            }
            $crate::DType::U64 => {
                type $T = u64;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}
pub(crate) use with_dtype;

/// Like [`with_dtype!`] for the numeric types; `bool` takes the `else` branch.
macro_rules! with_numeric_dtype {
    ($dtype:expr, $T:ident => $body:expr, else => $other:expr) => {
        match $dtype {
            $crate::DType::Bool => $other,
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::U16 => {
                type $T = u16;
                $body
            }
            $crate::DType::U32 => {
                type $T = u32;
                $body
            }
            $crate::DType::U64 => {
                type $T = u64;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}
pub(crate) use with_numeric_dtype;

/// Like [`with_dtype!`] for `f32` and `f64`; other types take the `else` branch.
macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr, else => $other:expr) => {
        match $dtype {
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    };
}
pub(crate) use with_float_dtype;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_follow_numpy_astype() {
        assert_eq!((-1.7f64).cast::<i32>(), -1);
        assert_eq!(f64::NAN.cast::<i32>(), 0);
        assert_eq!(1e20f64.cast::<i32>(), i32::MAX);
        assert_eq!(300i32.cast::<u8>(), 44);
        assert!(0.5f32.cast::<bool>());
        assert!(!0u64.cast::<bool>());
        assert_eq!(true.cast::<f64>(), 1.0);
        assert_eq!(u64::MAX.cast::<i64>(), -1);
    }

    #[test]
    fn integer_arithmetic_wraps_and_never_panics() {
        assert_eq!(i8::MIN.neg_elem(), i8::MIN);
        assert_eq!(i8::MIN.abs_elem(), i8::MIN);
        assert_eq!(i32::MIN.div_elem(-1), i32::MIN);
        assert_eq!(5u8.div_elem(0), 0);
        assert_eq!(2i32.pow_elem(-1), 0);
        assert_eq!((-1i32).pow_elem(-3), -1);
        assert_eq!((-1i32).pow_elem(-2), 1);
        assert_eq!(1i64.pow_elem(-5), 1);
        assert_eq!(3u16.pow_elem(3), 27);
        assert_eq!(2i64.powi_elem(62), 1 << 62);
    }

    #[test]
    fn promotion_matches_numpy() {
        use DType::*;
        let cases = [
            (I8, U8, I16),
            (I32, U32, I64),
            (I64, U64, F64),
            (U16, F32, F32),
            (I32, F32, F64),
            (Bool, I8, I8),
            (U8, U16, U16),
            (I16, I64, I64),
            (F32, F64, F64),
        ];
        for (a, b, want) in cases {
            assert_eq!(DType::promote(a, b), want, "{a} with {b}");
            assert_eq!(DType::promote(b, a), want, "{b} with {a}");
        }
    }

    #[test]
    fn parse_round_trips_every_name() {
        for d in DType::ALL {
            assert_eq!(DType::parse(d.name()).unwrap(), d);
            assert_eq!(DType::parse(d.rust_name()).unwrap(), d);
        }
        let err = DType::parse("complex64").unwrap_err();
        assert!(err.to_string().contains("float64"), "{err}");
    }

    #[test]
    fn nan_propagates_through_minimum_and_maximum() {
        assert!(1.0f32.maximum_elem(f32::NAN).is_nan());
        assert_eq!(1.0f64.maximum_elem(2.0), 2.0);
        assert_eq!(3i8.minimum_elem(-3), -3);
    }
}
