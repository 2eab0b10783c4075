//! The instruction loops of fused kernels: one elementwise function over one tile.
//!
//! Each operand is a slice of the tile's length or a scalar. The operation and the
//! dtypes are matched once per tile, outside the loop; every arm is a monomorphized,
//! branch-free loop that the compiler vectorizes where the function allows. The float
//! functions that [`kernel::math`](crate::kernel::math) implements (`exp`, `log`, `sin`,
//! `arcsin`, `power`...) run its vectorized kernels instead of `std`'s scalar ones: 5 to
//! 50 times faster, within 1 ulp (its module doc has each function's bound and speed).

use crate::any_array::IntoAnyArray;
use std::ops::Range;

use crate::any_array::AnyArray;
use crate::element::{DType, Element, FloatElement, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::kernel::math::VecMath;
use crate::ops::MapOp;
use crate::ops::{BinaryFn, UnaryFn};

const CONTEXT: &str = "kernel::fused";

/// One operand of an instruction over a tile.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Src<'a, T> {
    Slice(&'a [T]),
    Scalar(T),
}

/// An untyped operand: the tile's elements of some dtype, or one value for all of them.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AnySrc<'a> {
    /// The elements `start..start + len` of a contiguous array.
    Data(&'a AnyArray, usize, usize),
    Scalar(Scalar),
}

impl<'a> AnySrc<'a> {
    pub(crate) fn dtype(&self) -> DType {
        match self {
            AnySrc::Data(a, ..) => a.dtype(),
            AnySrc::Scalar(s) => s.dtype(),
        }
    }

    fn typed<T: Element>(self) -> Result<Src<'a, T>> {
        match self {
            AnySrc::Scalar(s) => Ok(Src::Scalar(T::from_scalar(s))),
            AnySrc::Data(a, start, len) => {
                let slice = T::peek(a)
                    .and_then(|a| a.as_slice())
                    .and_then(|s| s.get(start..start + len))
                    .ok_or_else(|| {
                        Error::internal(
                            CONTEXT,
                            format!(
                                "operand of dtype {} is not a contiguous {}",
                                a.dtype(),
                                T::DTYPE
                            ),
                        )
                    })?;
                Ok(Src::Slice(slice))
            }
        }
    }
}

/// `out[i] = f(a[i])` over a tile (or of one value for all of it).
#[inline(always)]
fn map1<A: Copy, O>(a: Src<'_, A>, out: &mut [O], f: impl Fn(A) -> O) {
    map1_dispatched(a, out, &f);
}

/// `out[i] = f(a[i], b[i])` over a tile, each operand a slice or one value.
#[inline(always)]
fn map2<A: Copy, B: Copy, O>(a: Src<'_, A>, b: Src<'_, B>, out: &mut [O], f: impl Fn(A, B) -> O) {
    map2_dispatched(a, b, out, &f);
}

/// The loop of [`map1`], compiled for the CPU's vector width (AVX-512, AVX2, NEON or
/// the baseline) and chosen once per call: the crate is built for baseline x86-64, whose
/// SSE2 loops process two `f64` at a time; with AVX-512 eight. Results are the same on
/// every version (no operation is contracted or reordered).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon",
))]
fn map1_dispatched<A: Copy, O, F: Fn(A) -> O>(a: Src<'_, A>, out: &mut [O], f: &F) {
    match a {
        Src::Slice(x) => {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = f(v);
            }
        }
        Src::Scalar(v) => out.fill_with(|| f(v)),
    }
}

/// The loop of [`map2`], dispatched as [`map1_dispatched`].
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon",
))]
fn map2_dispatched<A: Copy, B: Copy, O, F: Fn(A, B) -> O>(
    a: Src<'_, A>,
    b: Src<'_, B>,
    out: &mut [O],
    f: &F,
) {
    match (a, b) {
        (Src::Slice(x), Src::Slice(y)) => {
            for ((o, &p), &q) in out.iter_mut().zip(x).zip(y) {
                *o = f(p, q);
            }
        }
        (Src::Slice(x), Src::Scalar(q)) => {
            for (o, &p) in out.iter_mut().zip(x) {
                *o = f(p, q);
            }
        }
        (Src::Scalar(p), Src::Slice(y)) => {
            for (o, &q) in out.iter_mut().zip(y) {
                *o = f(p, q);
            }
        }
        (Src::Scalar(p), Src::Scalar(q)) => out.fill_with(|| f(p, q)),
    }
}

/// `where(c, a, b)`: one loop per kind of operands, so that none matches an operand per
/// element (that loop did not vectorize: `sum(where(x > 0.5, x, 0))` took 6 times as
/// long as `count_nonzero(x > 0.5)`).
#[inline(always)]
fn select<T: Copy>(c: Src<'_, bool>, a: Src<'_, T>, b: Src<'_, T>, out: &mut [T]) {
    let pick = |c: bool, a: T, b: T| if c { a } else { b };
    match (c, a, b) {
        (Src::Scalar(c), a, b) => map1(if c { a } else { b }, out, |v| v),
        (Src::Slice(c), Src::Slice(a), Src::Slice(b)) => {
            for (((o, &c), &a), &b) in out.iter_mut().zip(c).zip(a).zip(b) {
                *o = pick(c, a, b);
            }
        }
        (Src::Slice(c), a, Src::Scalar(b)) => map2(Src::Slice(c), a, out, |c, a| pick(c, a, b)),
        (Src::Slice(c), Src::Scalar(a), b) => map2(Src::Slice(c), b, out, |c, b| pick(c, a, b)),
    }
}

/// Computes `op` of `args` into the elements `range` of `out` (a register or the
/// output block), whose dtype is the operation's result dtype.
pub(crate) fn apply(
    op: MapOp,
    args: &[AnySrc<'_>],
    out: &mut AnyArray,
    range: Range<usize>,
) -> Result<()> {
    match (op, args) {
        (MapOp::Cast, [x]) => crate::element::with_dtype!(out.dtype(), O => {
            let out = out_slice::<O>(out, range)?;
            crate::element::with_dtype!(x.dtype(), S => {
                map1(x.typed::<S>()?, out, |v: S| v.cast::<O>());
                Ok(())
            })
        }),
        (MapOp::Unary(u), [x]) => unary(u, *x, out, range),
        (MapOp::Powi(e), [x]) => powi(e, *x, out, range),
        (MapOp::Binary(b), [x, y]) => binary(b, *x, *y, out, range),
        (MapOp::Where, [c, x, y]) => crate::element::with_dtype!(out.dtype(), T => {
            let c = c.typed::<bool>()?;
            let (a, b) = (x.typed::<T>()?, y.typed::<T>()?);
            select(c, a, b, out_slice::<T>(out, range)?);
            Ok(())
        }),
        _ => Err(Error::internal(
            CONTEXT,
            format!("`{}` got {} operands", op.name(), args.len()),
        )),
    }
}

/// The elements `range` of `out`, as `T`.
fn out_slice<T: Element>(out: &mut AnyArray, range: Range<usize>) -> Result<&mut [T]> {
    let dtype = out.dtype();
    T::peek_mut(out)
        .and_then(|a| a.as_slice_mut())
        .and_then(|s| s.get_mut(range))
        .ok_or_else(|| {
            Error::internal(
                CONTEXT,
                format!(
                    "output of dtype {dtype} is not a contiguous {} of the tile's length",
                    T::DTYPE
                ),
            )
        })
}

/// One arm of [`unary`]: the function's loop for the element types its rule takes.
macro_rules! unary_arm {
    (Numeric, $f:expr, $x:expr, $out:expr, $range:expr, |$v:ident| $kernel:expr) => {
        crate::element::with_numeric_dtype!($x.dtype(), T => {
            map1($x.typed::<T>()?, out_slice::<T>($out, $range)?, |$v: T| $kernel);
            Ok(())
        }, else => Err(unsupported($f.name(), $x.dtype())))
    };
    (Float, $f:expr, $x:expr, $out:expr, $range:expr, |$v:ident| $kernel:expr) => {
        crate::element::with_float_dtype!($x.dtype(), T => {
            map1($x.typed::<T>()?, out_slice::<T>($out, $range)?, |$v: T| $kernel);
            Ok(())
        }, else => Err(unsupported($f.name(), $x.dtype())))
    };
    (Rounding, $($rest:tt)*) => {
        unary_arm!(Float, $($rest)*)
    };
    (Predicate, $f:expr, $x:expr, $out:expr, $range:expr, |$v:ident| $kernel:expr) => {
        crate::element::with_dtype!($x.dtype(), T => {
            map1($x.typed::<T>()?, out_slice::<bool>($out, $range)?, |$v: T| $kernel);
            Ok(())
        })
    };
    (Logical, $f:expr, $x:expr, $out:expr, $range:expr, |$v:ident| $kernel:expr) => {{
        map1($x.typed::<bool>()?, out_slice::<bool>($out, $range)?, |$v: bool| $kernel);
        Ok(())
    }};
}

macro_rules! unary_kernels {
    ($(
        $V:ident $name:literal $method:ident $rule:ident [$($alias:literal),*]
            |$v:ident| $kernel:expr, $doc:literal;
    )*) => {
        /// Computes `f(x)` for the tile's elements into `out`: one monomorphized loop per
        /// function and element type, chosen once per tile.
        fn unary(f: UnaryFn, x: AnySrc<'_>, out: &mut AnyArray, range: Range<usize>) -> Result<()> {
            if let Some(done) = vectorized_unary(f, x, out, range.clone()) {
                return done;
            }
            match f {
                $(UnaryFn::$V => unary_arm!($rule, f, x, out, range, |$v| $kernel),)*
            }
        }
    };
}

crate::ops::for_each_unary_fn!(unary_kernels);

/// `f(x)` through the vectorized kernel of [`kernel::math`](crate::kernel::math), when
/// `x` is a float slice and the module has one for `f`; `None` otherwise (the caller
/// then maps the table's scalar kernel).
fn vectorized_unary(
    f: UnaryFn,
    x: AnySrc<'_>,
    out: &mut AnyArray,
    range: Range<usize>,
) -> Option<Result<()>> {
    let AnySrc::Data(..) = x else { return None };
    crate::element::with_float_dtype!(x.dtype(), T => {
        let kernel = vector_unary::<T>(f)?;
        Some(x.typed::<T>().and_then(|x| {
            let out = out_slice::<T>(out, range)?;
            if let Src::Slice(x) = x {
                kernel(x, out);
            }
            Ok(())
        }))
    }, else => None)
}

/// [`vectorized_unary`] for two operands of one float dtype (`power`, `arctan2`): both
/// slices, or for `power` a slice of bases and one exponent.
fn vectorized_binary(
    f: BinaryFn,
    x: AnySrc<'_>,
    y: AnySrc<'_>,
    out: &mut AnyArray,
    range: Range<usize>,
) -> Option<Result<()>> {
    let AnySrc::Data(..) = x else { return None };
    crate::element::with_float_dtype!(x.dtype(), T => {
        let kernel = vector_binary::<T>(f)?;
        if matches!(y, AnySrc::Scalar(_)) && f != BinaryFn::Pow {
            return None;
        }
        Some(x.typed::<T>().and_then(|x| {
            let y = y.typed::<T>()?;
            let out = out_slice::<T>(out, range)?;
            match (x, y) {
                (Src::Slice(x), Src::Slice(y)) => kernel(x, y, out),
                // NumPy's fast path: `x ** 2` is `x * x` (the same correctly rounded value).
                (Src::Slice(x), Src::Scalar(2.0)) => map1(Src::Slice(x), out, |v| v * v),
                (Src::Slice(x), Src::Scalar(e)) => <T as VecMath>::powf_scalar(x, e, out),
                _ => {}
            }
            Ok(())
        }))
    }, else => None)
}

/// A vectorized kernel of one operand: reads the input slice, writes the output slice.
type UnaryKernel<T> = fn(&[T], &mut [T]);
/// A vectorized kernel of two operands.
type BinaryKernel<T> = fn(&[T], &[T], &mut [T]);

/// The vectorized kernel of the elementwise function `f`, or `None` where
/// `kernel::math` has none.
fn vector_unary<T: VecMath>(f: UnaryFn) -> Option<UnaryKernel<T>> {
    Some(match f {
        UnaryFn::Exp => T::exp,
        UnaryFn::Log => T::ln,
        UnaryFn::Log1p => T::log1p,
        UnaryFn::Log10 => T::log10,
        UnaryFn::Sin => T::sin,
        UnaryFn::Cos => T::cos,
        UnaryFn::Tan => T::tan,
        UnaryFn::Arcsin => T::asin,
        UnaryFn::Arccos => T::acos,
        UnaryFn::Arctan => T::atan,
        UnaryFn::Sinh => T::sinh,
        UnaryFn::Cosh => T::cosh,
        UnaryFn::Tanh => T::tanh,
        UnaryFn::Sqrt => T::sqrt,
        UnaryFn::Floor => T::floor,
        UnaryFn::Ceil => T::ceil,
        UnaryFn::Round => T::round,
        _ => return None,
    })
}

/// [`vector_unary`] for functions of two operands.
fn vector_binary<T: VecMath>(f: BinaryFn) -> Option<BinaryKernel<T>> {
    Some(match f {
        BinaryFn::Pow => T::pow,
        BinaryFn::Arctan2 => T::atan2,
        _ => return None,
    })
}

/// `x` to the constant integer power `e` (`x * x` for the common square).
fn powi(e: i32, x: AnySrc<'_>, out: &mut AnyArray, range: Range<usize>) -> Result<()> {
    crate::element::with_numeric_dtype!(x.dtype(), T => {
        let (a, out) = (x.typed::<T>()?, out_slice::<T>(out, range)?);
        if e == 2 {
            map1(a, out, |v: T| v.mul_elem(v));
        } else {
            map1(a, out, |v: T| v.powi_elem(e));
        }
        Ok(())
    }, else => Err(unsupported("powi", x.dtype())))
}

/// One arm of [`binary`]: the function's loop for the element types its rule takes.
macro_rules! binary_arm {
    (Arithmetic, $f:expr, $x:expr, $y:expr, $out:expr, $range:expr, |$a:ident, $b:ident| $kernel:expr) => {
        crate::element::with_numeric_dtype!($x.dtype(), T => {
            let (p, q, out) = ($x.typed::<T>()?, $y.typed::<T>()?, out_slice::<T>($out, $range)?);
            if $f == BinaryFn::Pow && T::DTYPE.is_integer() {
                check_integer_exponents(q)?;
            }
            map2(p, q, out, |$a: T, $b: T| $kernel);
            Ok(())
        }, else => Err(unsupported($f.name(), $x.dtype())))
    };
    (Division, $($rest:tt)*) => {
        binary_arm!(Arithmetic, $($rest)*)
    };
    (Float, $f:expr, $x:expr, $y:expr, $out:expr, $range:expr, |$a:ident, $b:ident| $kernel:expr) => {
        crate::element::with_float_dtype!($x.dtype(), T => {
            let (p, q, out) = ($x.typed::<T>()?, $y.typed::<T>()?, out_slice::<T>($out, $range)?);
            map2(p, q, out, |$a: T, $b: T| $kernel);
            Ok(())
        }, else => Err(unsupported($f.name(), $x.dtype())))
    };
    (Comparison, $f:expr, $x:expr, $y:expr, $out:expr, $range:expr, |$a:ident, $b:ident| $kernel:expr) => {
        crate::element::with_dtype!($x.dtype(), T => {
            let (p, q, out) = ($x.typed::<T>()?, $y.typed::<T>()?, out_slice::<bool>($out, $range)?);
            map2(p, q, out, |$a: T, $b: T| $kernel);
            Ok(())
        })
    };
    (Logical, $f:expr, $x:expr, $y:expr, $out:expr, $range:expr, |$a:ident, $b:ident| $kernel:expr) => {{
        let (p, q, out) = ($x.typed::<bool>()?, $y.typed::<bool>()?, out_slice::<bool>($out, $range)?);
        map2(p, q, out, |$a: bool, $b: bool| $kernel);
        Ok(())
    }};
}

macro_rules! binary_kernels {
    ($(
        $V:ident $name:literal $method:ident $rule:ident $typed:ident [$($alias:literal),*]
            |$a:ident, $b:ident| $kernel:expr, $doc:literal;
    )*) => {
        /// Computes `f(x, y)` for the tile's elements into `out` (both operands of one
        /// dtype): one monomorphized loop per function and element type.
        #[allow(
            clippy::bool_comparison,
            reason = "the comparison kernels are generic over every element type, bool included"
        )]
        fn binary(
            f: BinaryFn,
            x: AnySrc<'_>,
            y: AnySrc<'_>,
            out: &mut AnyArray,
            range: Range<usize>,
        ) -> Result<()> {
            if y.dtype() != x.dtype() {
                return Err(mismatch(y.dtype()));
            }
            if let Some(done) = vectorized_binary(f, x, y, out, range.clone()) {
                return done;
            }
            match f {
                $(BinaryFn::$V => binary_arm!($rule, f, x, y, out, range, |$a, $b| $kernel),)*
            }
        }
    };
}

crate::ops::for_each_binary_fn!(binary_kernels);

/// NumPy refuses an integer raised to a negative integer power (the result is not an
/// integer); so does chunkwise, from the task that meets such an exponent.
fn check_integer_exponents<T: NumElement>(exponents: Src<'_, T>) -> Result<()> {
    let negative = |v: T| v.cast::<f64>() < 0.0;
    let found = match exponents {
        Src::Slice(xs) => xs.iter().copied().find(|&v| negative(v)),
        Src::Scalar(v) => Some(v).filter(|&v| negative(v)),
    };
    match found {
        None => Ok(()),
        Some(v) => Err(Error::negative_integer_power(v.cast::<f64>() as i64)),
    }
}

fn mismatch(found: DType) -> Error {
    Error::internal(CONTEXT, format!("unexpected dtype {found}"))
}

fn unsupported(op: &'static str, dtype: DType) -> Error {
    Error::internal(
        CONTEXT,
        format!("`{op}` reached the kernel with dtype {dtype}"),
    )
}
