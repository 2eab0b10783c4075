//! Elementwise operations: arithmetic operators, math functions, comparisons, logic,
//! `where`, `clip` and `astype`, all with NumPy broadcasting.
//!
//! Operators work on references and values: `&a + &b` and `a * b` give a
//! `Result<LazyArray<T>>` (shapes may not broadcast); an array with a scalar, `&a * 2.0`
//! or `2.0 * &a`, cannot fail and gives a `LazyArray<T>`.

use std::ops::{Add, BitAnd, BitOr, Div, Mul, Neg, Not, Sub};
use std::sync::Arc;

use super::LazyArray;
use crate::element::{Element, FloatElement, NumElement};
use crate::error::Result;
use crate::expr::{build, BinaryOp, Node, UnaryOp};

/// Something that can stand on either side of an elementwise operation with a
/// `LazyArray<T>`: another array (by value or reference) or a scalar `T`.
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(0i64, 6, 1, [4])?;
/// let big = x.greater(2)?;                     // a scalar operand
/// let same = x.equal(&x)?;                     // an array operand
/// assert_eq!(big.compute()?, ndarray::arr1(&[false, false, false, true, true, true]).into_dyn());
/// assert!(same.all(..)?.compute_scalar()?);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub trait Operand<T: Element> {
    /// The operand as a lazy array (a 0-d array for a scalar).
    fn into_lazy(self) -> LazyArray<T>;
}

impl<T: Element> Operand<T> for LazyArray<T> {
    fn into_lazy(self) -> LazyArray<T> {
        self
    }
}

impl<T: Element> Operand<T> for &LazyArray<T> {
    fn into_lazy(self) -> LazyArray<T> {
        self.clone()
    }
}

impl<T: Element> Operand<T> for T {
    fn into_lazy(self) -> LazyArray<T> {
        LazyArray::wrap(build::scalar(self.to_scalar()))
    }
}

fn node_of<T: Element>(x: impl Operand<T>) -> Arc<Node> {
    x.into_lazy().node
}

impl<T: Element> LazyArray<T> {
    fn binary<U: Element>(&self, op: BinaryOp, rhs: impl Operand<T>) -> Result<LazyArray<U>> {
        Ok(LazyArray::wrap(build::binary(
            op,
            &self.node,
            &node_of(rhs),
        )?))
    }

    fn unary<U: Element>(&self, op: UnaryOp) -> LazyArray<U> {
        LazyArray::wrap(
            build::unary(op, &self.node)
                .expect("the dtype rules of unary functions accept this element type"),
        )
    }

    /// The array converted to `U` with NumPy `astype` rules (floats truncate toward zero
    /// when cast to integers; anything non-zero is `true`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(-1.5f64, 2.0, 1.0, [2])?;
    /// assert_eq!(x.astype::<i32>().compute()?, ndarray::arr1(&[-1, 0, 0, 1]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn astype<U: Element>(&self) -> LazyArray<U> {
        LazyArray::wrap(build::cast(&self.node, U::DTYPE))
    }

    /// Elementwise `self == rhs`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0u8, 4, 1, [3])?;
    /// assert_eq!(x.equal(2)?.compute()?, ndarray::arr1(&[false, false, true, false]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ShapeMismatch`] when the shapes do not broadcast.
    pub fn equal(&self, rhs: impl Operand<T>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::Equal, rhs)
    }

    /// Elementwise `self != rhs`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0u8, 3, 1, [3])?;
    /// assert_eq!(x.not_equal(1)?.compute()?, ndarray::arr1(&[true, false, true]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`equal`](Self::equal).
    pub fn not_equal(&self, rhs: impl Operand<T>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::NotEqual, rhs)
    }

    /// Elementwise `self < rhs`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 3, 1, [2])?;
    /// assert_eq!(x.less(1)?.compute()?, ndarray::arr1(&[true, false, false]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`equal`](Self::equal).
    pub fn less(&self, rhs: impl Operand<T>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::Less, rhs)
    }

    /// Elementwise `self <= rhs`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 3, 1, [2])?;
    /// assert_eq!(x.less_equal(1)?.compute()?, ndarray::arr1(&[true, true, false]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`equal`](Self::equal).
    pub fn less_equal(&self, rhs: impl Operand<T>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::LessEqual, rhs)
    }

    /// Elementwise `self > rhs`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 3, 1, [2])?;
    /// assert_eq!(x.greater(1)?.compute()?, ndarray::arr1(&[false, false, true]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`equal`](Self::equal).
    pub fn greater(&self, rhs: impl Operand<T>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::Greater, rhs)
    }

    /// Elementwise `self >= rhs`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 3, 1, [2])?;
    /// assert_eq!(x.greater_equal(1)?.compute()?, ndarray::arr1(&[false, true, true]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`equal`](Self::equal).
    pub fn greater_equal(&self, rhs: impl Operand<T>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::GreaterEqual, rhs)
    }

    /// True where the element is NaN (never for integers).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::NAN], [1])?;
    /// assert_eq!(x.isnan().compute()?, ndarray::arr1(&[false, true]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn isnan(&self) -> LazyArray<bool> {
        self.unary(UnaryOp::IsNan)
    }

    /// True where the element is neither NaN nor infinite (always for integers).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![1.0, f64::INFINITY], [2])?;
    /// assert_eq!(x.isfinite().compute()?, ndarray::arr1(&[true, false]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn isfinite(&self) -> LazyArray<bool> {
        self.unary(UnaryOp::IsFinite)
    }
}

macro_rules! float_functions {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {
        impl<T: Element> LazyArray<T> {
            $(
                $(#[$doc])*
                ///
                /// Integer and `bool` arrays are converted to `f64` first; `f32` stays `f32`.
                pub fn $name(&self) -> LazyArray<T::Float> {
                    self.unary(UnaryOp::$op)
                }
            )*
        }
    };
}

float_functions! {
    /// Elementwise square root.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![4.0f32, 9.0], [1])?;
    /// assert_eq!(x.sqrt().compute()?, ndarray::arr1(&[2.0, 3.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    sqrt => Sqrt;
    /// Elementwise `e^x`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[2], [1])?;
    /// assert_eq!(x.exp().compute()?, ndarray::arr1(&[1.0, 1.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    exp => Exp;
    /// Elementwise natural logarithm (NumPy `log`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[2], [2])?;
    /// assert_eq!(x.ln().compute()?, ndarray::arr1(&[0.0, 0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ln => Ln;
    /// Elementwise base-10 logarithm.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::full(&[1], 1000.0f64, [1])?;
    /// assert_eq!(x.log10().compute()?, ndarray::arr1(&[3.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    log10 => Log10;
    /// Elementwise sine.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<i32>(&[2], [2])?;   // integers become f64
    /// let s: ndarray::ArrayD<f64> = x.sin().compute()?;
    /// assert_eq!(s, ndarray::arr1(&[0.0, 0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    sin => Sin;
    /// Elementwise cosine.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[1], [1])?;
    /// assert_eq!(x.cos().compute()?, ndarray::arr1(&[1.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    cos => Cos;
    /// Elementwise tangent.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[1], [1])?;
    /// assert_eq!(x.tan().compute()?, ndarray::arr1(&[0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    tan => Tan;
    /// Elementwise inverse sine.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[1], [1])?;
    /// assert_eq!(x.arcsin().compute()?, ndarray::arr1(&[std::f64::consts::FRAC_PI_2]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    arcsin => Arcsin;
    /// Elementwise inverse cosine.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[1], [1])?;
    /// assert_eq!(x.arccos().compute()?, ndarray::arr1(&[0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    arccos => Arccos;
    /// Elementwise inverse tangent.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<f64>(&[1], [1])?;
    /// assert_eq!(x.arctan().compute()?, ndarray::arr1(&[std::f64::consts::FRAC_PI_4]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    arctan => Arctan;
    /// Elementwise hyperbolic sine.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[1], [1])?;
    /// assert_eq!(x.sinh().compute()?, ndarray::arr1(&[0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    sinh => Sinh;
    /// Elementwise hyperbolic cosine.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[1], [1])?;
    /// assert_eq!(x.cosh().compute()?, ndarray::arr1(&[1.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    cosh => Cosh;
    /// Elementwise hyperbolic tangent.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::zeros::<f64>(&[1], [1])?;
    /// assert_eq!(x.tanh().compute()?, ndarray::arr1(&[0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    tanh => Tanh;
}

impl<T: FloatElement> LazyArray<T> {
    /// Elementwise floor.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![-0.5, 1.5], [2])?;
    /// assert_eq!(x.floor().compute()?, ndarray::arr1(&[-1.0, 1.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn floor(&self) -> LazyArray<T> {
        self.unary(UnaryOp::Floor)
    }

    /// Elementwise ceiling.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![-0.5, 1.5], [2])?;
    /// assert_eq!(x.ceil().compute()?, ndarray::arr1(&[-0.0, 2.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn ceil(&self) -> LazyArray<T> {
        self.unary(UnaryOp::Ceil)
    }

    /// Elementwise rounding to the nearest integer, halves to even (as NumPy's `round`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::from_ndarray(ndarray::array![0.5, 1.5, 2.5, -0.5], [4])?;
    /// assert_eq!(x.round().compute()?, ndarray::arr1(&[0.0, 2.0, 2.0, -0.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn round(&self) -> LazyArray<T> {
        self.unary(UnaryOp::Round)
    }

    /// Elementwise `self` raised to the float power `exponent`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::full(&[2], 4.0f64, [1])?;
    /// assert_eq!(x.powf(0.5).compute()?, ndarray::arr1(&[2.0, 2.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[allow(
        clippy::missing_panics_doc,
        reason = "the `expect` inside states an invariant, it cannot fire"
    )]
    pub fn powf(&self, exponent: T) -> LazyArray<T> {
        self.binary(BinaryOp::Pow, exponent)
            .expect("a scalar operand broadcasts against any shape")
    }
}

impl<T: NumElement> LazyArray<T> {
    /// Elementwise absolute value (wrapping at the minimum of signed integers).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(-2i32, 2, 1, [3])?;
    /// assert_eq!(x.abs().compute()?, ndarray::arr1(&[2, 1, 0, 1]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn abs(&self) -> LazyArray<T> {
        self.unary(UnaryOp::Abs)
    }

    /// Elementwise `self` raised to the integer power `exponent`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 4, 1, [2])?;
    /// assert_eq!(x.powi(3)?.compute()?, ndarray::arr1(&[0, 1, 8, 27]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::InvalidParameter`] for a negative exponent on an integer array.
    pub fn powi(&self, exponent: i32) -> Result<LazyArray<T>> {
        Ok(LazyArray::wrap(build::unary(
            UnaryOp::Powi(exponent),
            &self.node,
        )?))
    }

    /// Elementwise `self` raised to the power `exponent` (an array or a scalar).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::full(&[3], 2.0f64, [2])?;
    /// let e = chunkwise::arange(0.0f64, 3.0, 1.0, [2])?;
    /// assert_eq!(x.pow(&e)?.compute()?, ndarray::arr1(&[1.0, 2.0, 4.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ShapeMismatch`] when the shapes do not broadcast.
    pub fn pow(&self, exponent: impl Operand<T>) -> Result<LazyArray<T>> {
        self.binary(BinaryOp::Pow, exponent)
    }

    /// The elementwise smaller value; NaN where either is NaN (NumPy `minimum`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [2])?;
    /// assert_eq!(x.minimum(2)?.compute()?, ndarray::arr1(&[0, 1, 2, 2]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ShapeMismatch`] when the shapes do not broadcast.
    pub fn minimum(&self, rhs: impl Operand<T>) -> Result<LazyArray<T>> {
        self.binary(BinaryOp::Minimum, rhs)
    }

    /// The elementwise larger value; NaN where either is NaN (NumPy `maximum`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [2])?;
    /// assert_eq!(x.maximum(2)?.compute()?, ndarray::arr1(&[2, 2, 2, 3]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ShapeMismatch`] when the shapes do not broadcast.
    pub fn maximum(&self, rhs: impl Operand<T>) -> Result<LazyArray<T>> {
        self.binary(BinaryOp::Maximum, rhs)
    }

    /// Every element limited to `[min, max]`; NaN stays NaN.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 6, 1, [4])?;
    /// assert_eq!(x.clip(1, 3).compute()?, ndarray::arr1(&[1, 1, 2, 3, 3, 3]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[allow(
        clippy::missing_panics_doc,
        reason = "the `expect` inside states an invariant, it cannot fire"
    )]
    pub fn clip(&self, min: T, max: T) -> LazyArray<T> {
        self.maximum(min)
            .and_then(|x| x.minimum(max))
            .expect("scalar operands broadcast against any shape")
    }
}

impl LazyArray<bool> {
    /// Elementwise logical and.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?;
    /// let mid = x.greater(0)?.logical_and(&x.less(3)?)?;
    /// assert_eq!(mid.compute()?, ndarray::arr1(&[false, true, true, false]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ShapeMismatch`] when the shapes do not broadcast.
    pub fn logical_and(&self, rhs: impl Operand<bool>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::And, rhs)
    }

    /// Elementwise logical or.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 4, 1, [3])?;
    /// let ends = x.less(1)?.logical_or(&x.greater(2)?)?;
    /// assert_eq!(ends.compute()?, ndarray::arr1(&[true, false, false, true]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`crate::Error::ShapeMismatch`] when the shapes do not broadcast.
    pub fn logical_or(&self, rhs: impl Operand<bool>) -> Result<LazyArray<bool>> {
        self.binary(BinaryOp::Or, rhs)
    }

    /// Elementwise logical not.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::ones::<bool>(&[2], [1])?;
    /// assert_eq!(x.logical_not().compute()?, ndarray::arr1(&[false, false]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn logical_not(&self) -> LazyArray<bool> {
        self.unary(UnaryOp::Not)
    }
}

/// Elementwise choice: `a` where `cond` is true, `b` elsewhere, with broadcasting
/// (NumPy's `where`).
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(-2.0f64, 3.0, 1.0, [2])?;
/// let relu = chunkwise::where_(&x.greater(0.0)?, &x, 0.0)?;
/// assert_eq!(relu.compute()?, ndarray::arr1(&[0.0, 0.0, 0.0, 1.0, 2.0]).into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// # Errors
///
/// [`crate::Error::ShapeMismatch`] when the three shapes do not broadcast.
#[doc(alias = "where")]
pub fn where_<T: Element>(
    cond: &LazyArray<bool>,
    a: impl Operand<T>,
    b: impl Operand<T>,
) -> Result<LazyArray<T>> {
    Ok(LazyArray::wrap(build::where_(
        &cond.node,
        &node_of(a),
        &node_of(b),
    )?))
}

macro_rules! binary_operator {
    ($trait:ident, $method:ident, $op:ident, $bound:ident) => {
        impl<T: $bound> $trait<&LazyArray<T>> for &LazyArray<T> {
            type Output = Result<LazyArray<T>>;
            fn $method(self, rhs: &LazyArray<T>) -> Self::Output {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl<T: $bound> $trait<LazyArray<T>> for LazyArray<T> {
            type Output = Result<LazyArray<T>>;
            fn $method(self, rhs: LazyArray<T>) -> Self::Output {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl<T: $bound> $trait<&LazyArray<T>> for LazyArray<T> {
            type Output = Result<LazyArray<T>>;
            fn $method(self, rhs: &LazyArray<T>) -> Self::Output {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl<T: $bound> $trait<LazyArray<T>> for &LazyArray<T> {
            type Output = Result<LazyArray<T>>;
            fn $method(self, rhs: LazyArray<T>) -> Self::Output {
                self.binary(BinaryOp::$op, rhs)
            }
        }
    };
}
binary_operator!(Add, add, Add, NumElement);
binary_operator!(Sub, sub, Sub, NumElement);
binary_operator!(Mul, mul, Mul, NumElement);
binary_operator!(Div, div, Div, NumElement);

impl BitAnd<&LazyArray<bool>> for &LazyArray<bool> {
    type Output = Result<LazyArray<bool>>;
    fn bitand(self, rhs: &LazyArray<bool>) -> Self::Output {
        self.logical_and(rhs)
    }
}

impl BitOr<&LazyArray<bool>> for &LazyArray<bool> {
    type Output = Result<LazyArray<bool>>;
    fn bitor(self, rhs: &LazyArray<bool>) -> Self::Output {
        self.logical_or(rhs)
    }
}

impl Not for &LazyArray<bool> {
    type Output = LazyArray<bool>;
    fn not(self) -> LazyArray<bool> {
        self.logical_not()
    }
}

impl<T: NumElement> Neg for &LazyArray<T> {
    type Output = LazyArray<T>;
    fn neg(self) -> LazyArray<T> {
        self.unary(UnaryOp::Neg)
    }
}

impl<T: NumElement> Neg for LazyArray<T> {
    type Output = LazyArray<T>;
    fn neg(self) -> LazyArray<T> {
        -&self
    }
}

macro_rules! scalar_operators {
    ($($t:ty),*) => {$(
        scalar_operators!(@one $t, Add, add, Add);
        scalar_operators!(@one $t, Sub, sub, Sub);
        scalar_operators!(@one $t, Mul, mul, Mul);
        scalar_operators!(@one $t, Div, div, Div);
    )*};
    (@one $t:ty, $trait:ident, $method:ident, $op:ident) => {
        impl $trait<$t> for &LazyArray<$t> {
            type Output = LazyArray<$t>;
            fn $method(self, rhs: $t) -> LazyArray<$t> {
                self.binary(BinaryOp::$op, rhs).expect("a scalar operand broadcasts against any shape")
            }
        }
        impl $trait<$t> for LazyArray<$t> {
            type Output = LazyArray<$t>;
            fn $method(self, rhs: $t) -> LazyArray<$t> {
                std::ops::$trait::$method(&self, rhs)
            }
        }
        impl $trait<&LazyArray<$t>> for $t {
            type Output = LazyArray<$t>;
            fn $method(self, rhs: &LazyArray<$t>) -> LazyArray<$t> {
                self.into_lazy()
                    .binary(BinaryOp::$op, rhs)
                    .expect("a scalar operand broadcasts against any shape")
            }
        }
        impl $trait<LazyArray<$t>> for $t {
            type Output = LazyArray<$t>;
            fn $method(self, rhs: LazyArray<$t>) -> LazyArray<$t> {
                std::ops::$trait::$method(self, &rhs)
            }
        }
    };
}
scalar_operators!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
