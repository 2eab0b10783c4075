//! Elementwise operations: arithmetic operators, math functions, comparisons, logic,
//! `where`, `clip` and `astype`, all with NumPy broadcasting.
//!
//! The methods are made from the vocabulary's tables (`crate::ops`), one per function:
//! `x.sqrt()`, `x.arctan2(&y)`, `x.less(0.5)`. Operators work on references and values:
//! `&a + &b`, `a * b`, `&a * 2.0` and `2.0 * &a` all give a `LazyArray<T>`; shapes that
//! do not broadcast give an invalid array whose `compute` says so.

use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Neg, Not, Rem, Sub};
use std::sync::Arc;

use super::LazyArray;
use crate::element::{Element, FloatElement, NumElement};
use crate::expr::{build, Node};
use crate::ops::{BinaryFn, UnaryFn};

/// Something that can stand on either side of an elementwise operation with a
/// `LazyArray<T>`: another array (by value or reference) or a scalar `T`.
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(0i64, 6, 1, [4]);
/// let big = x.greater(2);                      // a scalar operand
/// let same = x.equal(&x);                      // an array operand
/// assert_eq!(big.compute()?, ndarray::arr1(&[false, false, false, true, true, true]).into_dyn());
/// assert!(same.all(..).compute_scalar()?);
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
    #[track_caller]
    pub(crate) fn binary<U: Element>(&self, op: BinaryFn, rhs: impl Operand<T>) -> LazyArray<U> {
        let rhs = node_of(rhs);
        LazyArray::build(op.name(), &[&self.node, &rhs], || {
            build::binary(op, &self.node, &rhs)
        })
    }

    #[track_caller]
    pub(crate) fn unary<U: Element>(&self, op: UnaryFn) -> LazyArray<U> {
        LazyArray::build(op.name(), &[&self.node], || build::unary(op, &self.node))
    }

    /// The array converted to `U` with NumPy `astype` rules (floats truncate toward zero
    /// when cast to integers; anything non-zero is `true`).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(-1.5f64, 2.0, 1.0, [2]);
    /// assert_eq!(x.astype::<i32>().compute()?, ndarray::arr1(&[-1, 0, 0, 1]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn astype<U: Element>(&self) -> LazyArray<U> {
        LazyArray::build("astype", &[&self.node], || {
            Ok(build::cast(&self.node, U::DTYPE))
        })
    }
}

/// One typed method per elementwise function of one array, with the signature its dtype
/// rule gives.
macro_rules! typed_unary_method {
    (Float, $V:ident, $name:literal, $method:ident, $doc:literal, |$v:ident| $kernel:expr) => {
        impl<T: Element> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`. Integer and `bool` arrays give `float64`; `float32` stays `float32`.")]
            ///
            /// # Example
            ///
            /// ```
            /// # #[allow(unused_imports)] use chunkwise::{FloatElement, NumElement};
            /// let x = chunkwise::from_ndarray(ndarray::array![0.25f64, 0.5, 1.5], [2]);
            #[doc = concat!("let y = x.", stringify!($method), "().compute()?;")]
            #[doc = concat!("let want = [0.25f64, 0.5, 1.5].map(|", stringify!($v), ": f64| ", stringify!($kernel), ");")]
            /// assert!(y.iter().zip(want).all(|(a, b)| *a == b || (a.is_nan() && b.is_nan())));
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self) -> LazyArray<T::Float> {
                self.unary(UnaryFn::$V)
            }
        }
    };
    (Rounding, $V:ident, $name:literal, $method:ident, $doc:literal, |$v:ident| $kernel:expr) => {
        impl<T: FloatElement> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`.")]
            ///
            /// # Example
            ///
            /// ```
            /// # #[allow(unused_imports)] use chunkwise::{FloatElement, NumElement};
            /// let x = chunkwise::from_ndarray(ndarray::array![2.5f64, -1.5, 0.4], [2]);
            #[doc = concat!("let y = x.", stringify!($method), "().compute()?;")]
            #[doc = concat!("let want = [2.5f64, -1.5, 0.4].map(|", stringify!($v), ": f64| ", stringify!($kernel), ");")]
            /// assert_eq!(y.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self) -> LazyArray<T> {
                self.unary(UnaryFn::$V)
            }
        }
    };
    (Numeric, $V:ident, $name:literal, $method:ident, $doc:literal, |$v:ident| $kernel:expr) => {
        impl<T: NumElement> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`.")]
            ///
            /// # Example
            ///
            /// ```
            /// # #[allow(unused_imports)] use chunkwise::{FloatElement, NumElement};
            /// let x = chunkwise::from_ndarray(ndarray::array![-3i32, 0, 7], [2]);
            #[doc = concat!("let y = x.", stringify!($method), "().compute()?;")]
            #[doc = concat!("let want = [-3i32, 0, 7].map(|", stringify!($v), ": i32| ", stringify!($kernel), ");")]
            /// assert_eq!(y.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self) -> LazyArray<T> {
                self.unary(UnaryFn::$V)
            }
        }
    };
    (Predicate, $V:ident, $name:literal, $method:ident, $doc:literal, |$v:ident| $kernel:expr) => {
        impl<T: Element> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`.")]
            ///
            /// # Example
            ///
            /// ```
            /// # #[allow(unused_imports)] use chunkwise::{Element, FloatElement};
            /// let x = chunkwise::from_ndarray(ndarray::array![1.0f64, f64::NAN, f64::INFINITY], [2]);
            #[doc = concat!("let y = x.", stringify!($method), "().compute()?;")]
            #[doc = concat!("let want = [1.0f64, f64::NAN, f64::INFINITY].map(|", stringify!($v), ": f64| ", stringify!($kernel), ");")]
            /// assert_eq!(y.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self) -> LazyArray<bool> {
                self.unary(UnaryFn::$V)
            }
        }
    };
    (Logical, $V:ident, $name:literal, $method:ident, $doc:literal, |$v:ident| $kernel:expr) => {
        impl LazyArray<bool> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`.")]
            ///
            /// # Example
            ///
            /// ```
            /// let x = chunkwise::from_ndarray(ndarray::array![true, false], [1]);
            #[doc = concat!("let y = x.", stringify!($method), "().compute()?;")]
            #[doc = concat!("let want = [true, false].map(|", stringify!($v), ": bool| ", stringify!($kernel), ");")]
            /// assert_eq!(y.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self) -> LazyArray<bool> {
                self.unary(UnaryFn::$V)
            }
        }
    };
}

macro_rules! typed_unary_methods {
    ($(
        $V:ident $name:literal $method:ident $rule:ident [$($alias:literal),*]
            |$v:ident| $kernel:expr, $doc:literal;
    )*) => {
        $(typed_unary_method!($rule, $V, $name, $method, $doc, |$v| $kernel);)*
    };
}

crate::ops::for_each_unary_fn!(typed_unary_methods);

/// One typed method per elementwise function of two operands (but the four operators).
macro_rules! typed_binary_method {
    (untyped, $($rest:tt)*) => {};
    (typed, Arithmetic, $V:ident, $name:literal, $method:ident, $doc:literal, |$a:ident, $b:ident| $kernel:expr) => {
        impl<T: NumElement> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`, with broadcasting; `rhs` is an array or a scalar.")]
            ///
            /// # Example
            ///
            /// ```
            /// # #[allow(unused_imports)] use chunkwise::{FloatElement, NumElement};
            /// let x = chunkwise::from_ndarray(ndarray::array![7.5f64, -2.0, 3.0], [2]);
            /// let y = chunkwise::from_ndarray(ndarray::array![2.0f64, 3.0, f64::NAN], [2]);
            #[doc = concat!("let z = x.", stringify!($method), "(&y).compute()?;")]
            #[doc = concat!("let want = [(7.5f64, 2.0f64), (-2.0, 3.0), (3.0, f64::NAN)].map(|(", stringify!($a), ", ", stringify!($b), ")| ", stringify!($kernel), ");")]
            /// assert!(z.iter().zip(want).all(|(p, q)| *p == q || (p.is_nan() && q.is_nan())));
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self, rhs: impl Operand<T>) -> LazyArray<T> {
                self.binary(BinaryFn::$V, rhs)
            }
        }
    };
    (typed, Float, $V:ident, $name:literal, $method:ident, $doc:literal, |$a:ident, $b:ident| $kernel:expr) => {
        impl<T: Element> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`, with broadcasting; integer and `bool` arrays give `float64`.")]
            ///
            /// # Example
            ///
            /// ```
            /// # #[allow(unused_imports)] use chunkwise::{FloatElement, NumElement};
            /// let x = chunkwise::from_ndarray(ndarray::array![1.0f64, -2.0, 3.0], [2]);
            /// let y = chunkwise::from_ndarray(ndarray::array![2.0f64, 3.0, -0.5], [2]);
            #[doc = concat!("let z = x.", stringify!($method), "(&y).compute()?;")]
            #[doc = concat!("let want = [(1.0f64, 2.0f64), (-2.0, 3.0), (3.0, -0.5)].map(|(", stringify!($a), ", ", stringify!($b), ")| ", stringify!($kernel), ");")]
            /// assert_eq!(z.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self, rhs: impl Operand<T>) -> LazyArray<T::Float> {
                self.binary(BinaryFn::$V, rhs)
            }
        }
    };
    (typed, Comparison, $V:ident, $name:literal, $method:ident, $doc:literal, |$a:ident, $b:ident| $kernel:expr) => {
        impl<T: Element> LazyArray<T> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`, with broadcasting; a `bool` array.")]
            ///
            /// # Example
            ///
            /// ```
            /// let x = chunkwise::arange(0i32, 4, 1, [3]);
            #[doc = concat!("let z = x.", stringify!($method), "(2).compute()?;")]
            #[doc = concat!("let want = [0i32, 1, 2, 3].map(|", stringify!($a), "| { let ", stringify!($b), " = 2; ", stringify!($kernel), " });")]
            /// assert_eq!(z.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self, rhs: impl Operand<T>) -> LazyArray<bool> {
                self.binary(BinaryFn::$V, rhs)
            }
        }
    };
    (typed, Logical, $V:ident, $name:literal, $method:ident, $doc:literal, |$a:ident, $b:ident| $kernel:expr) => {
        impl LazyArray<bool> {
            #[doc = $doc]
            ///
            #[doc = concat!("NumPy's `", $name, "`, with broadcasting.")]
            ///
            /// # Example
            ///
            /// ```
            /// let x = chunkwise::from_ndarray(ndarray::array![true, true, false, false], [3]);
            /// let y = chunkwise::from_ndarray(ndarray::array![true, false, true, false], [2]);
            #[doc = concat!("let z = x.", stringify!($method), "(&y).compute()?;")]
            #[doc = concat!("let want = [(true, true), (true, false), (false, true), (false, false)].map(|(", stringify!($a), ", ", stringify!($b), ")| ", stringify!($kernel), ");")]
            /// assert_eq!(z.as_slice().unwrap(), &want);
            /// # Ok::<(), chunkwise::Error>(())
            /// ```
            #[track_caller]
            pub fn $method(&self, rhs: impl Operand<bool>) -> LazyArray<bool> {
                self.binary(BinaryFn::$V, rhs)
            }
        }
    };
}

macro_rules! typed_binary_methods {
    ($(
        $V:ident $name:literal $method:ident $rule:ident $typed:ident [$($alias:literal),*]
            |$a:ident, $b:ident| $kernel:expr, $doc:literal;
    )*) => {
        $(typed_binary_method!($typed, $rule, $V, $name, $method, $doc, |$a, $b| $kernel);)*
    };
}

crate::ops::for_each_binary_fn!(typed_binary_methods);

impl<T: Element> LazyArray<T> {
    /// The natural logarithm: the same as [`log`](Self::log), under Rust's name.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::full(&[2], std::f64::consts::E, [1]);
    /// assert_eq!(x.ln().compute()?, ndarray::arr1(&[1.0, 1.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn ln(&self) -> LazyArray<T::Float> {
        self.log()
    }
}

impl<T: FloatElement> LazyArray<T> {
    /// Elementwise `self` raised to the float power `exponent`.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::full(&[2], 4.0f64, [1]);
    /// assert_eq!(x.powf(0.5).compute()?, ndarray::arr1(&[2.0, 2.0]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn powf(&self, exponent: T) -> LazyArray<T> {
        self.binary(BinaryFn::Pow, exponent)
    }
}

impl<T: NumElement> LazyArray<T> {
    /// Elementwise `self` raised to the integer power `exponent`.
    ///
    /// A negative exponent of an integer array is invalid (integers to negative integer
    /// powers are not integers, as NumPy says).
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i64, 4, 1, [2]);
    /// assert_eq!(x.powi(3).compute()?, ndarray::arr1(&[0, 1, 8, 27]).into_dyn());
    /// assert!(x.powi(-1).compute().is_err());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn powi(&self, exponent: i32) -> LazyArray<T> {
        LazyArray::build("powi", &[&self.node], || build::powi(&self.node, exponent))
    }

    /// The values limited to `[a_min, a_max]` (NumPy's `clip`): `minimum(maximum(x,
    /// a_min), a_max)`, so NaN stays NaN.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::arange(0i32, 6, 1, [4]);
    /// assert_eq!(x.clip(1, 4).compute()?, ndarray::arr1(&[1, 1, 2, 3, 4, 4]).into_dyn());
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    #[track_caller]
    pub fn clip(&self, a_min: impl Operand<T>, a_max: impl Operand<T>) -> LazyArray<T> {
        self.maximum(a_min).minimum(a_max)
    }
}

/// Elementwise choice: `a` where `cond` is true, `b` elsewhere, with broadcasting
/// (NumPy's `where`).
///
/// # Example
///
/// ```
/// let x = chunkwise::arange(-2i32, 3, 1, [2]);
/// let relu = chunkwise::where_(&x.greater(0), &x, 0);
/// assert_eq!(relu.compute()?, ndarray::arr1(&[0, 0, 0, 1, 2]).into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[doc(alias = "where")]
#[track_caller]
pub fn where_<T: Element>(
    cond: &LazyArray<bool>,
    a: impl Operand<T>,
    b: impl Operand<T>,
) -> LazyArray<T> {
    let (a, b) = (node_of(a), node_of(b));
    LazyArray::build("where", &[&cond.node, &a, &b], || {
        build::where_(&cond.node, &a, &b)
    })
}

macro_rules! binary_operator {
    ($trait:ident, $method:ident, $op:ident, $bound:ident) => {
        impl<T: $bound, R: Operand<T>> $trait<R> for &LazyArray<T> {
            type Output = LazyArray<T>;
            #[track_caller]
            fn $method(self, rhs: R) -> LazyArray<T> {
                self.binary(BinaryFn::$op, rhs)
            }
        }
        impl<T: $bound, R: Operand<T>> $trait<R> for LazyArray<T> {
            type Output = LazyArray<T>;
            #[track_caller]
            fn $method(self, rhs: R) -> LazyArray<T> {
                self.binary(BinaryFn::$op, rhs)
            }
        }
    };
}
binary_operator!(Add, add, Add, NumElement);
binary_operator!(Sub, sub, Sub, NumElement);
binary_operator!(Mul, mul, Mul, NumElement);
binary_operator!(Div, div, Div, NumElement);
binary_operator!(Rem, rem, Remainder, NumElement);

macro_rules! logical_operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl<R: Operand<bool>> $trait<R> for &LazyArray<bool> {
            type Output = LazyArray<bool>;
            #[track_caller]
            fn $method(self, rhs: R) -> LazyArray<bool> {
                self.binary(BinaryFn::$op, rhs)
            }
        }
        impl<R: Operand<bool>> $trait<R> for LazyArray<bool> {
            type Output = LazyArray<bool>;
            #[track_caller]
            fn $method(self, rhs: R) -> LazyArray<bool> {
                self.binary(BinaryFn::$op, rhs)
            }
        }
    };
}
logical_operator!(BitAnd, bitand, LogicalAnd);
logical_operator!(BitOr, bitor, LogicalOr);
logical_operator!(BitXor, bitxor, LogicalXor);

impl Not for &LazyArray<bool> {
    type Output = LazyArray<bool>;
    #[track_caller]
    fn not(self) -> LazyArray<bool> {
        self.logical_not()
    }
}

impl Not for LazyArray<bool> {
    type Output = LazyArray<bool>;
    #[track_caller]
    fn not(self) -> LazyArray<bool> {
        self.logical_not()
    }
}

impl<T: NumElement> Neg for &LazyArray<T> {
    type Output = LazyArray<T>;
    #[track_caller]
    fn neg(self) -> LazyArray<T> {
        self.negative()
    }
}

impl<T: NumElement> Neg for LazyArray<T> {
    type Output = LazyArray<T>;
    #[track_caller]
    fn neg(self) -> LazyArray<T> {
        self.negative()
    }
}

/// A scalar on the left of an operator: `2.0 * &a`.
macro_rules! scalar_left_operators {
    ($($t:ty),*) => {$(
        scalar_left_operators!(@one $t, Add, add, Add);
        scalar_left_operators!(@one $t, Sub, sub, Sub);
        scalar_left_operators!(@one $t, Mul, mul, Mul);
        scalar_left_operators!(@one $t, Div, div, Div);
        scalar_left_operators!(@one $t, Rem, rem, Remainder);
    )*};
    (@one $t:ty, $trait:ident, $method:ident, $op:ident) => {
        impl $trait<&LazyArray<$t>> for $t {
            type Output = LazyArray<$t>;
            #[track_caller]
            fn $method(self, rhs: &LazyArray<$t>) -> LazyArray<$t> {
                self.into_lazy().binary(BinaryFn::$op, rhs)
            }
        }
        impl $trait<LazyArray<$t>> for $t {
            type Output = LazyArray<$t>;
            #[track_caller]
            fn $method(self, rhs: LazyArray<$t>) -> LazyArray<$t> {
                self.into_lazy().binary(BinaryFn::$op, rhs)
            }
        }
    };
}
scalar_left_operators!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);
