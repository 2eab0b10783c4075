//! The instruction loops of fused kernels: one elementwise function over one tile.
//!
//! Each operand is a slice of the tile's length or a scalar. The operation and the
//! dtypes are matched once per tile, outside the loop; every arm is a monomorphized,
//! branch-free loop that the compiler vectorizes where the function allows.

use std::ops::Range;

use num_traits::Float;

use crate::any_array::AnyArray;
use crate::element::{DType, Element, FloatElement, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::expr::{BinaryOp, MapOp, UnaryOp};

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

#[inline(always)]
fn map1<A: Copy, O>(a: Src<'_, A>, out: &mut [O], f: impl Fn(A) -> O) {
    match a {
        Src::Slice(x) => {
            for (o, &v) in out.iter_mut().zip(x) {
                *o = f(v);
            }
        }
        Src::Scalar(v) => out.fill_with(|| f(v)),
    }
}

#[inline(always)]
fn map2<A: Copy, B: Copy, O>(a: Src<'_, A>, b: Src<'_, B>, out: &mut [O], f: impl Fn(A, B) -> O) {
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

impl<T: Copy> Src<'_, T> {
    #[inline(always)]
    fn get(&self, i: usize) -> T {
        match self {
            Src::Slice(x) => x[i],
            Src::Scalar(v) => *v,
        }
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
        (MapOp::Cast, [x]) => crate::with_dtype!(out.dtype(), O => {
            let out = out_slice::<O>(out, range)?;
            crate::with_dtype!(x.dtype(), S => {
                map1(x.typed::<S>()?, out, |v: S| v.cast::<O>());
                Ok(())
            })
        }),
        (MapOp::Unary(u), [x]) => unary(u, *x, out, range),
        (MapOp::Binary(b), [x, y]) => binary(b, *x, *y, out, range),
        (MapOp::Where, [c, x, y]) => crate::with_dtype!(out.dtype(), T => {
            let c = c.typed::<bool>()?;
            let (a, b) = (x.typed::<T>()?, y.typed::<T>()?);
            for (i, o) in out_slice::<T>(out, range)?.iter_mut().enumerate() {
                *o = if c.get(i) { a.get(i) } else { b.get(i) };
            }
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

fn unary(op: UnaryOp, x: AnySrc<'_>, out: &mut AnyArray, range: Range<usize>) -> Result<()> {
    let dtype = x.dtype();
    match op {
        UnaryOp::IsNan => crate::with_dtype!(dtype, T => {
            map1(x.typed::<T>()?, out_slice::<bool>(out, range)?, |v: T| v.is_nan());
            Ok(())
        }),
        UnaryOp::IsFinite => crate::with_dtype!(dtype, T => {
            map1(x.typed::<T>()?, out_slice::<bool>(out, range)?, |v: T| v.is_finite());
            Ok(())
        }),
        UnaryOp::Not => {
            map1(
                x.typed::<bool>()?,
                out_slice::<bool>(out, range)?,
                |v: bool| !v,
            );
            Ok(())
        }
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Powi(_) => crate::with_numeric_dtype!(dtype, T => {
            let (a, out) = (x.typed::<T>()?, out_slice::<T>(out, range)?);
            match op {
                UnaryOp::Neg => map1(a, out, |v: T| v.neg_elem()),
                UnaryOp::Abs => map1(a, out, |v: T| v.abs_elem()),
                UnaryOp::Powi(2) => map1(a, out, |v: T| v.mul_elem(v)),
                UnaryOp::Powi(e) => map1(a, out, |v: T| v.powi_elem(e)),
                _ => return Err(unreachable(op)),
            }
            Ok(())
        }, else => Err(unsupported(op.name(), dtype))),
        _ => crate::with_float_dtype!(dtype, T => {
            float_unary::<T>(op, x.typed::<T>()?, out_slice::<T>(out, range)?)
        }, else => Err(unsupported(op.name(), dtype))),
    }
}

fn float_unary<T: FloatElement>(op: UnaryOp, a: Src<'_, T>, out: &mut [T]) -> Result<()> {
    match op {
        UnaryOp::Sqrt => map1(a, out, Float::sqrt),
        UnaryOp::Exp => map1(a, out, Float::exp),
        UnaryOp::Ln => map1(a, out, Float::ln),
        UnaryOp::Log10 => map1(a, out, Float::log10),
        UnaryOp::Sin => map1(a, out, Float::sin),
        UnaryOp::Cos => map1(a, out, Float::cos),
        UnaryOp::Tan => map1(a, out, Float::tan),
        UnaryOp::Arcsin => map1(a, out, FloatElement::arcsin),
        UnaryOp::Arccos => map1(a, out, FloatElement::arccos),
        UnaryOp::Arctan => map1(a, out, FloatElement::arctan),
        UnaryOp::Sinh => map1(a, out, Float::sinh),
        UnaryOp::Cosh => map1(a, out, Float::cosh),
        UnaryOp::Tanh => map1(a, out, Float::tanh),
        UnaryOp::Floor => map1(a, out, Float::floor),
        UnaryOp::Ceil => map1(a, out, Float::ceil),
        UnaryOp::Round => map1(a, out, FloatElement::round_half_even),
        _ => return Err(unreachable(op)),
    }
    Ok(())
}

#[allow(
    clippy::bool_comparison,
    reason = "the comparison kernels are generic over every element type, bool included"
)]
fn binary(
    op: BinaryOp,
    x: AnySrc<'_>,
    y: AnySrc<'_>,
    out: &mut AnyArray,
    range: Range<usize>,
) -> Result<()> {
    let dtype = x.dtype();
    if y.dtype() != dtype {
        return Err(mismatch(y.dtype()));
    }
    if op.is_comparison() {
        return crate::with_dtype!(dtype, T => {
            let (a, b, out) = (x.typed::<T>()?, y.typed::<T>()?, out_slice::<bool>(out, range)?);
            match op {
                BinaryOp::Equal => map2(a, b, out, |p: T, q: T| p == q),
                BinaryOp::NotEqual => map2(a, b, out, |p: T, q: T| p != q),
                BinaryOp::Less => map2(a, b, out, |p: T, q: T| p < q),
                BinaryOp::LessEqual => map2(a, b, out, |p: T, q: T| p <= q),
                BinaryOp::Greater => map2(a, b, out, |p: T, q: T| p > q),
                BinaryOp::GreaterEqual => map2(a, b, out, |p: T, q: T| p >= q),
                _ => return Err(unreachable(op)),
            }
            Ok(())
        });
    }
    if op.is_logical() {
        let (a, b) = (x.typed::<bool>()?, y.typed::<bool>()?);
        let out = out_slice::<bool>(out, range)?;
        if op == BinaryOp::And {
            map2(a, b, out, |p, q| p && q);
        } else {
            map2(a, b, out, |p, q| p || q);
        }
        return Ok(());
    }
    crate::with_numeric_dtype!(dtype, T => {
        let (a, b, out) = (x.typed::<T>()?, y.typed::<T>()?, out_slice::<T>(out, range)?);
        match op {
            BinaryOp::Add => map2(a, b, out, |p: T, q: T| p.add_elem(q)),
            BinaryOp::Sub => map2(a, b, out, |p: T, q: T| p.sub_elem(q)),
            BinaryOp::Mul => map2(a, b, out, |p: T, q: T| p.mul_elem(q)),
            BinaryOp::Div => map2(a, b, out, |p: T, q: T| p.div_elem(q)),
            BinaryOp::Pow => map2(a, b, out, |p: T, q: T| p.pow_elem(q)),
            BinaryOp::Minimum => map2(a, b, out, |p: T, q: T| p.minimum_elem(q)),
            BinaryOp::Maximum => map2(a, b, out, |p: T, q: T| p.maximum_elem(q)),
            _ => return Err(unreachable(op)),
        }
        Ok(())
    }, else => Err(unsupported(op.name(), dtype)))
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

fn unreachable(op: impl std::fmt::Debug) -> Error {
    Error::internal(CONTEXT, format!("no kernel arm for {op:?}"))
}
