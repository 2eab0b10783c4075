//! The elementwise functions: [`UnaryFn`] (one array) and [`BinaryFn`] (two operands, with
//! broadcasting), each one line of a table.
//!
//! A line gives the variant, NumPy's name, the Rust method name, the dtype rule, NumPy
//! aliases, the scalar expression that defines the function (its kernel: the fused tile
//! loops expand it, monomorphized per element type), and a documentation line. The
//! expression is written over `v` (or `a`, `b`) of the rule's element trait:
//! [`NumElement`](crate::NumElement) for numeric rules, [`FloatElement`](crate::FloatElement)
//! for float rules, [`Element`](crate::Element) for predicates and comparisons, `bool`
//! for logic.

use crate::element::DType;

use super::Param;

/// How a function of one array treats dtypes.
///
/// # Example
///
/// ```
/// use chunkwise::{DType, UnaryFn, UnaryRule};
/// assert_eq!(UnaryFn::Sqrt.rule(), UnaryRule::Float);
/// assert_eq!(UnaryRule::Float.result_dtype(DType::I32), Some(DType::F64));
/// assert_eq!(UnaryRule::Numeric.result_dtype(DType::Bool), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnaryRule {
    /// Defined on numbers, keeps the dtype (`negative`, `absolute`, `square`).
    Numeric,
    /// A real function: integer and `bool` arrays become `float64` first, `float32`
    /// stays `float32` (`sqrt`, `exp`, `sin`...).
    Float,
    /// Rounding to an integral value, in floating point (`floor`, `ceil`, `round`,
    /// `trunc`); integers become `float64` first.
    Rounding,
    /// A test of each element, giving `bool` (`isnan`, `isfinite`, `isinf`).
    Predicate,
    /// Logic on `bool` (`logical_not`).
    Logical,
}

impl UnaryRule {
    /// The dtype the input is converted to before the function runs, if the function
    /// is defined for `input`.
    #[must_use]
    pub fn input_dtype(self, input: DType) -> Option<DType> {
        match self {
            UnaryRule::Numeric => input.is_numeric().then_some(input),
            UnaryRule::Float | UnaryRule::Rounding => Some(input.float_result()),
            UnaryRule::Predicate => Some(input),
            UnaryRule::Logical => (input == DType::Bool).then_some(input),
        }
    }

    /// The result dtype for an input of `input`, or `None` when the function is not
    /// defined for it.
    #[must_use]
    pub fn result_dtype(self, input: DType) -> Option<DType> {
        let converted = self.input_dtype(input)?;
        Some(match self {
            UnaryRule::Predicate | UnaryRule::Logical => DType::Bool,
            UnaryRule::Numeric | UnaryRule::Float | UnaryRule::Rounding => converted,
        })
    }

    /// What the function needs, for error messages.
    pub(crate) fn needs(self) -> &'static str {
        match self {
            UnaryRule::Numeric => "a numeric array; cast bool with `astype` first",
            UnaryRule::Logical => "a bool array; compare with a value first (e.g. `equal(0)`)",
            UnaryRule::Float | UnaryRule::Rounding | UnaryRule::Predicate => "any array",
        }
    }
}

/// How a function of two operands treats dtypes (after the operands are promoted to one
/// dtype).
///
/// # Example
///
/// ```
/// use chunkwise::{BinaryFn, BinaryRule, DType};
/// assert_eq!(BinaryFn::Less.rule(), BinaryRule::Comparison);
/// assert_eq!(BinaryRule::Comparison.result_dtype(DType::F32), Some(DType::Bool));
/// assert_eq!(BinaryRule::Arithmetic.result_dtype(DType::Bool), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BinaryRule {
    /// Defined on numbers, keeps the dtype (`add`, `power`, `minimum`...).
    Arithmetic,
    /// `divide`: keeps the dtype in the typed API; true division (integers give
    /// `float64`) for runtime-typed arrays and the expression language, as in NumPy.
    Division,
    /// A real function of two numbers: integers become `float64` first (`arctan2`,
    /// `hypot`).
    Float,
    /// A comparison, giving `bool`; defined on every dtype.
    Comparison,
    /// Logic on `bool` operands, giving `bool`.
    Logical,
}

impl BinaryRule {
    /// The dtype both operands are converted to before the function runs, if the
    /// function is defined for operands of `input`.
    #[must_use]
    pub fn input_dtype(self, input: DType) -> Option<DType> {
        match self {
            BinaryRule::Arithmetic | BinaryRule::Division => input.is_numeric().then_some(input),
            BinaryRule::Float => Some(input.float_result()),
            BinaryRule::Comparison => Some(input),
            BinaryRule::Logical => (input == DType::Bool).then_some(input),
        }
    }

    /// The result dtype for operands of `input`, or `None` when the function is not
    /// defined for them.
    #[must_use]
    pub fn result_dtype(self, input: DType) -> Option<DType> {
        let converted = self.input_dtype(input)?;
        Some(match self {
            BinaryRule::Comparison | BinaryRule::Logical => DType::Bool,
            BinaryRule::Arithmetic | BinaryRule::Division | BinaryRule::Float => converted,
        })
    }

    /// What the function needs, for error messages.
    pub(crate) fn needs(self) -> &'static str {
        match self {
            BinaryRule::Arithmetic | BinaryRule::Division => {
                "numeric operands; cast bool with `astype` first"
            }
            BinaryRule::Logical => "bool operands; compare with a value first (e.g. `x > 0`)",
            BinaryRule::Float | BinaryRule::Comparison => "any operands",
        }
    }
}

/// The table of elementwise functions of one array, expanded by `$callback`.
///
/// Each line: `Variant "numpy_name" method Rule [aliases] |v| kernel, "doc";`.
macro_rules! for_each_unary_fn {
    ($callback:ident) => {
        $callback! {
            Negative "negative" negative Numeric [] |v| v.neg_elem(),
                "Numerical negative, `-x` (wrapping for integers).";
            Abs "absolute" abs Numeric ["abs"] |v| v.abs_elem(),
                "Absolute value (wrapping at the minimum of signed integers).";
            Square "square" square Numeric [] |v| v.mul_elem(v),
                "The square, `x * x` (wrapping for integers).";
            Sqrt "sqrt" sqrt Float [] |v| v.sqrt(),
                "Square root (NaN below zero).";
            Cbrt "cbrt" cbrt Float [] |v| v.cbrt(),
                "Cube root.";
            Exp "exp" exp Float [] |v| v.exp(),
                "`e` raised to the element.";
            Exp2 "exp2" exp2 Float [] |v| v.exp2(),
                "2 raised to the element.";
            Expm1 "expm1" expm1 Float [] |v| v.exp_m1(),
                "`exp(x) - 1`, accurate near zero.";
            Log "log" log Float [] |v| v.ln(),
                "Natural logarithm (`-inf` at zero, NaN below).";
            Log2 "log2" log2 Float [] |v| v.log2(),
                "Base-2 logarithm.";
            Log10 "log10" log10 Float [] |v| v.log10(),
                "Base-10 logarithm.";
            Log1p "log1p" log1p Float [] |v| v.ln_1p(),
                "`log(1 + x)`, accurate near zero.";
            Sin "sin" sin Float [] |v| v.sin(),
                "Sine (radians).";
            Cos "cos" cos Float [] |v| v.cos(),
                "Cosine (radians).";
            Tan "tan" tan Float [] |v| v.tan(),
                "Tangent (radians).";
            Arcsin "arcsin" arcsin Float ["asin"] |v| v.asin(),
                "Inverse sine (NaN outside [-1, 1]).";
            Arccos "arccos" arccos Float ["acos"] |v| v.acos(),
                "Inverse cosine (NaN outside [-1, 1]).";
            Arctan "arctan" arctan Float ["atan"] |v| v.atan(),
                "Inverse tangent.";
            Sinh "sinh" sinh Float [] |v| v.sinh(),
                "Hyperbolic sine.";
            Cosh "cosh" cosh Float [] |v| v.cosh(),
                "Hyperbolic cosine.";
            Tanh "tanh" tanh Float [] |v| v.tanh(),
                "Hyperbolic tangent.";
            Arcsinh "arcsinh" arcsinh Float ["asinh"] |v| v.asinh(),
                "Inverse hyperbolic sine.";
            Arccosh "arccosh" arccosh Float ["acosh"] |v| v.acosh(),
                "Inverse hyperbolic cosine (NaN below 1).";
            Arctanh "arctanh" arctanh Float ["atanh"] |v| v.atanh(),
                "Inverse hyperbolic tangent (NaN outside [-1, 1]).";
            Deg2rad "deg2rad" deg2rad Float ["radians"] |v| v.to_radians(),
                "Degrees to radians.";
            Rad2deg "rad2deg" rad2deg Float ["degrees"] |v| v.to_degrees(),
                "Radians to degrees.";
            Floor "floor" floor Rounding [] |v| v.floor(),
                "The largest integral value not above the element.";
            Ceil "ceil" ceil Rounding [] |v| v.ceil(),
                "The smallest integral value not below the element.";
            Trunc "trunc" trunc Rounding ["fix"] |v| v.trunc(),
                "The integral part, rounding toward zero.";
            Round "round" round Rounding ["rint", "around"] |v| v.round_half_even(),
                "The nearest integral value, halves to even (NumPy's `round`).";
            IsNan "isnan" isnan Predicate [] |v| v.is_nan(),
                "True where the element is NaN (never for integers).";
            IsFinite "isfinite" isfinite Predicate [] |v| v.is_finite(),
                "True where the element is neither NaN nor infinite.";
            IsInf "isinf" isinf Predicate [] |v| !v.is_finite() && !v.is_nan(),
                "True where the element is positive or negative infinity.";
            LogicalNot "logical_not" logical_not Logical [] |v| !v,
                "Logical not of a `bool` array.";
        }
    };
}
pub(crate) use for_each_unary_fn;

/// The table of elementwise functions of two operands, expanded by `$callback`.
///
/// Each line: `Variant "numpy_name" method Rule typed|untyped [aliases] |a, b| kernel,
/// "doc";`. `typed` functions get a method on `LazyArray` (`+ - * /` are operators there
/// instead).
macro_rules! for_each_binary_fn {
    ($callback:ident) => {
        $callback! {
            Add "add" add Arithmetic untyped [] |a, b| a.add_elem(b),
                "Elementwise `a + b` (wrapping for integers).";
            Sub "subtract" sub Arithmetic untyped [] |a, b| a.sub_elem(b),
                "Elementwise `a - b` (wrapping for integers).";
            Mul "multiply" mul Arithmetic untyped [] |a, b| a.mul_elem(b),
                "Elementwise `a * b` (wrapping for integers).";
            Div "divide" div Division untyped ["true_divide"] |a, b| a.div_elem(b),
                "Elementwise `a / b`: true division for runtime-typed arrays (integers give `float64`), the element type's division in the typed API (integers truncate, and give 0 for a zero divisor).";
            FloorDivide "floor_divide" floor_divide Arithmetic typed [] |a, b| a.floor_div_elem(b),
                "Elementwise `a // b`, rounding toward minus infinity (integers: 0 for a zero divisor, as NumPy gives).";
            Remainder "remainder" remainder Arithmetic typed ["mod"] |a, b| a.rem_elem(b),
                "Elementwise `a % b` with the sign of `b`, as Python's `%` (integers: 0 for a zero divisor).";
            Pow "power" pow Arithmetic typed ["pow"] |a, b| a.pow_elem(b),
                "Elementwise `a ** b`; an integer raised to a negative integer power is an error, as in NumPy.";
            Minimum "minimum" minimum Arithmetic typed [] |a, b| a.minimum_elem(b),
                "The smaller value; NaN where either is NaN.";
            Maximum "maximum" maximum Arithmetic typed [] |a, b| a.maximum_elem(b),
                "The larger value; NaN where either is NaN.";
            Fmin "fmin" fmin Arithmetic typed [] |a, b| a.fmin_elem(b),
                "The smaller value, ignoring NaN (NaN only where both are NaN).";
            Fmax "fmax" fmax Arithmetic typed [] |a, b| a.fmax_elem(b),
                "The larger value, ignoring NaN (NaN only where both are NaN).";
            Arctan2 "arctan2" arctan2 Float typed ["atan2"] |a, b| a.atan2(b),
                "The angle of the point `(b, a)`: `arctan(a / b)` in the right quadrant.";
            Hypot "hypot" hypot Float typed [] |a, b| a.hypot(b),
                "`sqrt(a * a + b * b)`, without overflow in between.";
            Equal "equal" equal Comparison typed [] |a, b| a == b,
                "Elementwise `a == b`.";
            NotEqual "not_equal" not_equal Comparison typed [] |a, b| a != b,
                "Elementwise `a != b`.";
            Less "less" less Comparison typed [] |a, b| a < b,
                "Elementwise `a < b`.";
            LessEqual "less_equal" less_equal Comparison typed [] |a, b| a <= b,
                "Elementwise `a <= b`.";
            Greater "greater" greater Comparison typed [] |a, b| a > b,
                "Elementwise `a > b`.";
            GreaterEqual "greater_equal" greater_equal Comparison typed [] |a, b| a >= b,
                "Elementwise `a >= b`.";
            LogicalAnd "logical_and" logical_and Logical typed [] |a, b| a && b,
                "Elementwise logical and of `bool` operands.";
            LogicalOr "logical_or" logical_or Logical typed [] |a, b| a || b,
                "Elementwise logical or of `bool` operands.";
            LogicalXor "logical_xor" logical_xor Logical typed [] |a, b| a != b,
                "Elementwise logical exclusive or of `bool` operands.";
        }
    };
}
pub(crate) use for_each_binary_fn;

macro_rules! define_unary_fn {
    ($(
        $V:ident $name:literal $method:ident $rule:ident [$($alias:literal),*]
            |$v:ident| $kernel:expr, $doc:literal;
    )*) => {
        /// An elementwise function of one array, under its NumPy name.
        ///
        /// The dtype rule of each is its [`UnaryRule`]: the real functions (`sqrt` to
        /// `rad2deg`) give `float64` for integer and `bool` arrays and keep `float32`;
        /// `negative`, `absolute` and `square` keep the dtype and are not defined for
        /// `bool`; the rounding functions give floats; the predicates give `bool`;
        /// `logical_not` needs `bool`.
        ///
        /// # Example
        ///
        /// ```
        /// use chunkwise::{DType, UnaryFn};
        /// let x = chunkwise::arange(1i32, 5, 1, [3]).to_dyn();
        /// let r = x.unary(UnaryFn::Sqrt);
        /// assert_eq!(r.dtype(), DType::F64);
        /// assert_eq!(r.compute()?.sum_f64(), 1.0 + 2f64.sqrt() + 3f64.sqrt() + 2.0);
        /// assert_eq!(UnaryFn::from_name("log10"), Some(UnaryFn::Log10));
        /// assert_eq!(UnaryFn::from_name("abs"), Some(UnaryFn::Abs)); // an alias
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum UnaryFn {
            $(#[doc = $doc] $V,)*
        }

        impl UnaryFn {
            /// Every function of one array, in a fixed order.
            ///
            /// # Example
            ///
            /// ```
            /// assert!(chunkwise::UnaryFn::ALL.contains(&chunkwise::UnaryFn::Tanh));
            /// ```
            pub const ALL: &'static [UnaryFn] = &[$(UnaryFn::$V,)*];

            /// NumPy's name of the function.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::UnaryFn::Abs.name(), "absolute");
            /// ```
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(UnaryFn::$V => $name,)*
                }
            }

            /// The Rust method of [`LazyArray`](crate::LazyArray) and
            /// [`DynArray`](crate::DynArray) that applies it.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::UnaryFn::Abs.method(), "abs");
            /// ```
            #[must_use]
            pub fn method(self) -> &'static str {
                match self {
                    $(UnaryFn::$V => stringify!($method),)*
                }
            }

            /// NumPy's other names for the function.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::UnaryFn::Arcsin.aliases(), ["asin"]);
            /// ```
            #[must_use]
            pub fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(UnaryFn::$V => &[$($alias),*],)*
                }
            }

            /// The one-line description.
            ///
            /// # Example
            ///
            /// ```
            /// assert!(chunkwise::UnaryFn::Sqrt.doc().starts_with("Square root"));
            /// ```
            #[must_use]
            pub fn doc(self) -> &'static str {
                match self {
                    $(UnaryFn::$V => $doc,)*
                }
            }

            /// How the function treats dtypes.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::{UnaryFn, UnaryRule};
            /// assert_eq!(UnaryFn::IsNan.rule(), UnaryRule::Predicate);
            /// ```
            #[must_use]
            pub fn rule(self) -> UnaryRule {
                match self {
                    $(UnaryFn::$V => UnaryRule::$rule,)*
                }
            }
        }
    };
}

for_each_unary_fn!(define_unary_fn);

macro_rules! define_binary_fn {
    ($(
        $V:ident $name:literal $method:ident $rule:ident $typed:ident [$($alias:literal),*]
            |$a:ident, $b:ident| $kernel:expr, $doc:literal;
    )*) => {
        /// An elementwise function of two operands, under its NumPy name, for
        /// [`DynArray::binary`](crate::DynArray::binary) and [`BinaryFn::apply`].
        /// Operands are promoted to one dtype first (see the
        /// [promotion rules](crate::DynOperand)), then the function's [`BinaryRule`]
        /// applies.
        ///
        /// # Example
        ///
        /// ```
        /// use chunkwise::{BinaryFn, DType};
        /// let x = chunkwise::arange(0i32, 4, 1, [3]).to_dyn();
        /// let half = BinaryFn::Div.apply(&x, 2);
        /// assert_eq!(half.dtype(), DType::F64);
        /// assert_eq!(half.compute()?.sum_f64(), 3.0);
        /// let back = BinaryFn::Sub.apply(10, &x);                // a literal on the left
        /// assert_eq!(back.compute()?.sum_f64(), 34.0);
        /// # Ok::<(), chunkwise::Error>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum BinaryFn {
            $(#[doc = $doc] $V,)*
        }

        impl BinaryFn {
            /// Every function of two operands, in a fixed order.
            ///
            /// # Example
            ///
            /// ```
            /// assert!(chunkwise::BinaryFn::ALL.contains(&chunkwise::BinaryFn::Hypot));
            /// ```
            pub const ALL: &'static [BinaryFn] = &[$(BinaryFn::$V,)*];

            /// NumPy's name of the function.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::BinaryFn::Sub.name(), "subtract");
            /// ```
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $(BinaryFn::$V => $name,)*
                }
            }

            /// The Rust method of [`DynArray`](crate::DynArray) that applies it (also of
            /// [`LazyArray`](crate::LazyArray), except for the four operators).
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::BinaryFn::Pow.method(), "pow");
            /// ```
            #[must_use]
            pub fn method(self) -> &'static str {
                match self {
                    $(BinaryFn::$V => stringify!($method),)*
                }
            }

            /// NumPy's other names for the function.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(chunkwise::BinaryFn::Remainder.aliases(), ["mod"]);
            /// ```
            #[must_use]
            pub fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(BinaryFn::$V => &[$($alias),*],)*
                }
            }

            /// The one-line description.
            ///
            /// # Example
            ///
            /// ```
            /// assert!(chunkwise::BinaryFn::Less.doc().contains("a < b"));
            /// ```
            #[must_use]
            pub fn doc(self) -> &'static str {
                match self {
                    $(BinaryFn::$V => $doc,)*
                }
            }

            /// How the function treats dtypes.
            ///
            /// # Example
            ///
            /// ```
            /// use chunkwise::{BinaryFn, BinaryRule};
            /// assert_eq!(BinaryFn::LogicalOr.rule(), BinaryRule::Logical);
            /// ```
            #[must_use]
            pub fn rule(self) -> BinaryRule {
                match self {
                    $(BinaryFn::$V => BinaryRule::$rule,)*
                }
            }
        }
    };
}

for_each_binary_fn!(define_binary_fn);

impl UnaryFn {
    /// The function with this NumPy name or alias, if there is one.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::UnaryFn;
    /// for &f in UnaryFn::ALL {
    ///     assert_eq!(UnaryFn::from_name(f.name()), Some(f));
    /// }
    /// assert_eq!(UnaryFn::from_name("meen"), None);
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<UnaryFn> {
        UnaryFn::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name || f.aliases().contains(&name))
    }

    /// The parameters, as NumPy names them (`x`).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(chunkwise::UnaryFn::Sin.params()[0].name, "x");
    /// ```
    #[must_use]
    pub fn params(self) -> &'static [Param] {
        const X: &[Param] = &[Param::required("x")];
        X
    }
}

impl BinaryFn {
    /// The function with this NumPy name or alias, if there is one.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::BinaryFn;
    /// for &f in BinaryFn::ALL {
    ///     assert_eq!(BinaryFn::from_name(f.name()), Some(f));
    /// }
    /// assert_eq!(BinaryFn::from_name("atan2"), Some(BinaryFn::Arctan2));
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<BinaryFn> {
        BinaryFn::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name || f.aliases().contains(&name))
    }

    /// The parameters, as NumPy names them (`x1`, `x2`).
    ///
    /// # Example
    ///
    /// ```
    /// let names: Vec<&str> = chunkwise::BinaryFn::Add.params().iter().map(|p| p.name).collect();
    /// assert_eq!(names, ["x1", "x2"]);
    /// ```
    #[must_use]
    pub fn params(self) -> &'static [Param] {
        const X1_X2: &[Param] = &[Param::required("x1"), Param::required("x2")];
        X1_X2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique_across_both_tables() {
        let mut all: Vec<&str> = Vec::new();
        for f in UnaryFn::ALL {
            all.push(f.name());
            all.extend(f.aliases());
        }
        for f in BinaryFn::ALL {
            all.push(f.name());
            all.extend(f.aliases());
        }
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len(), "a name is listed twice: {all:?}");
    }

    #[test]
    fn rules_follow_numpy() {
        assert_eq!(UnaryRule::Float.result_dtype(DType::F32), Some(DType::F32));
        assert_eq!(UnaryRule::Float.result_dtype(DType::Bool), Some(DType::F64));
        assert_eq!(UnaryRule::Logical.result_dtype(DType::I8), None);
        assert_eq!(
            UnaryRule::Predicate.result_dtype(DType::U8),
            Some(DType::Bool)
        );
        assert_eq!(BinaryRule::Float.result_dtype(DType::I64), Some(DType::F64));
        assert_eq!(
            BinaryRule::Logical.result_dtype(DType::Bool),
            Some(DType::Bool)
        );
        assert_eq!(BinaryRule::Division.result_dtype(DType::Bool), None);
    }
}
