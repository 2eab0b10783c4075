//! Elementwise kernels: one function applied to one, two or three blocks, with NumPy
//! broadcasting of the inputs to the output block's shape.
//!
//! The operation is matched once per block, outside the loop; each arm is a monomorphized
//! loop over contiguous slices when the inputs are contiguous and of the output's shape,
//! and an `ndarray::Zip` over broadcast views otherwise.

use ndarray::{ArrayD, ArrayViewD, IxDyn, Zip};

use super::pool;
use crate::any_array::{view_of, AnyArray, IntoAnyArray};
use crate::element::{DType, Element, FloatElement, NumElement};
use crate::error::{Error, Result};
use crate::expr::{BinaryOp, MapOp, UnaryOp};

const CONTEXT: &str = "kernel::map";

/// Applies `op` to `inputs`, producing a block of `out_shape` and `out_dtype`.
pub(crate) fn apply(
    op: MapOp,
    out_dtype: DType,
    out_shape: &[usize],
    inputs: &[&AnyArray],
) -> Result<AnyArray> {
    match (op, inputs) {
        (MapOp::Cast, [x]) => Ok(broadcast_owned(x, out_shape)?.cast(out_dtype)),
        (MapOp::Unary(u), [x]) => unary(u, x, out_shape),
        (MapOp::Binary(b), [x, y]) => binary(b, x, y, out_shape),
        (MapOp::Where, [c, x, y]) => where_(c, x, y, out_shape),
        _ => Err(Error::internal(
            CONTEXT,
            format!("`{}` got {} inputs", op.name(), inputs.len()),
        )),
    }
}

fn broadcast<'a, T>(a: &'a ArrayD<T>, shape: &[usize]) -> Result<ArrayViewD<'a, T>> {
    a.broadcast(IxDyn(shape)).ok_or_else(|| {
        Error::internal(
            CONTEXT,
            format!(
                "block of shape {:?} does not broadcast to {shape:?}",
                a.shape()
            ),
        )
    })
}

fn broadcast_owned(x: &AnyArray, shape: &[usize]) -> Result<AnyArray> {
    if x.shape() == shape {
        return Ok(x.clone());
    }
    crate::dispatch_any!(x, a, T => Ok(T::wrap(broadcast(a, shape)?.to_owned())))
}

/// `f` of every element of `a` (broadcast to `shape`).
fn map1<T: Copy, O: Element>(
    a: &ArrayD<T>,
    shape: &[usize],
    f: impl Fn(T) -> O,
) -> Result<ArrayD<O>> {
    if a.shape() == shape {
        if let Some(s) = a.as_slice() {
            let v = pool::collect(s.len(), s.iter().map(|&x| f(x)));
            return Ok(ArrayD::from_shape_vec(IxDyn(shape), v).expect("same length as the input"));
        }
    }
    let view = broadcast(a, shape)?;
    let mut out = pool::array_like::<O>(shape);
    Zip::from(&mut out).and(&view).for_each(|o, &x| *o = f(x));
    Ok(out)
}

/// `f` of every pair of elements of `a` and `b` (broadcast to `shape`).
fn map2<A: Copy, B: Copy, O: Element>(
    a: &ArrayD<A>,
    b: &ArrayD<B>,
    shape: &[usize],
    f: impl Fn(A, B) -> O,
) -> Result<ArrayD<O>> {
    if a.shape() == shape && b.shape() == shape {
        if let (Some(x), Some(y)) = (a.as_slice(), b.as_slice()) {
            let v = pool::collect(x.len(), x.iter().zip(y).map(|(&p, &q)| f(p, q)));
            return Ok(ArrayD::from_shape_vec(IxDyn(shape), v).expect("same length as the inputs"));
        }
    }
    // One operand a 0-d or broadcast scalar: loop over the other's slice.
    if b.len() == 1 && a.shape() == shape {
        if let (Some(x), Some(&q)) = (a.as_slice(), b.iter().next()) {
            let v = pool::collect(x.len(), x.iter().map(|&p| f(p, q)));
            return Ok(ArrayD::from_shape_vec(IxDyn(shape), v).expect("same length as the input"));
        }
    }
    if a.len() == 1 && b.shape() == shape {
        if let (Some(&p), Some(y)) = (a.iter().next(), b.as_slice()) {
            let v = pool::collect(y.len(), y.iter().map(|&q| f(p, q)));
            return Ok(ArrayD::from_shape_vec(IxDyn(shape), v).expect("same length as the input"));
        }
    }
    let av = broadcast(a, shape)?;
    let bv = broadcast(b, shape)?;
    let mut out = pool::array_like::<O>(shape);
    Zip::from(&mut out)
        .and(&av)
        .and(&bv)
        .for_each(|o, &p, &q| *o = f(p, q));
    Ok(out)
}

fn unary(op: UnaryOp, x: &AnyArray, shape: &[usize]) -> Result<AnyArray> {
    let dtype = x.dtype();
    match op {
        UnaryOp::IsNan => {
            crate::dispatch_any!(x, a, T => Ok(AnyArray::Bool(map1(a, shape, |v: T| v.is_nan())?)))
        }
        UnaryOp::IsFinite => {
            crate::dispatch_any!(x, a, T => Ok(AnyArray::Bool(map1(a, shape, |v: T| v.is_finite())?)))
        }
        UnaryOp::Not => {
            let a = view_of::<bool>(x, CONTEXT)?.to_owned();
            Ok(AnyArray::Bool(map1(&a, shape, |v: bool| !v)?))
        }
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Powi(_) => crate::with_numeric_dtype!(dtype, T => {
            let a = T::peek(x).ok_or_else(|| mismatch(dtype))?;
            Ok(T::wrap(match op {
                UnaryOp::Neg => map1(a, shape, |v: T| v.neg_elem())?,
                UnaryOp::Abs => map1(a, shape, |v: T| v.abs_elem())?,
                UnaryOp::Powi(2) => map1(a, shape, |v: T| v.mul_elem(v))?,
                UnaryOp::Powi(e) => map1(a, shape, |v: T| v.powi_elem(e))?,
                _ => unreachable_arm(op)?,
            }))
        }, else => Err(unsupported(op.name(), dtype))),
        _ => crate::with_float_dtype!(dtype, T => {
            let a = T::peek(x).ok_or_else(|| mismatch(dtype))?;
            Ok(T::wrap(float_unary::<T>(op, a, shape)?))
        }, else => Err(unsupported(op.name(), dtype))),
    }
}

fn float_unary<T: FloatElement>(op: UnaryOp, a: &ArrayD<T>, shape: &[usize]) -> Result<ArrayD<T>> {
    use num_traits::Float;
    match op {
        UnaryOp::Sqrt => map1(a, shape, Float::sqrt),
        UnaryOp::Exp => map1(a, shape, Float::exp),
        UnaryOp::Ln => map1(a, shape, Float::ln),
        UnaryOp::Log10 => map1(a, shape, Float::log10),
        UnaryOp::Sin => map1(a, shape, Float::sin),
        UnaryOp::Cos => map1(a, shape, Float::cos),
        UnaryOp::Tan => map1(a, shape, Float::tan),
        UnaryOp::Arcsin => map1(a, shape, FloatElement::arcsin),
        UnaryOp::Arccos => map1(a, shape, FloatElement::arccos),
        UnaryOp::Arctan => map1(a, shape, FloatElement::arctan),
        UnaryOp::Sinh => map1(a, shape, Float::sinh),
        UnaryOp::Cosh => map1(a, shape, Float::cosh),
        UnaryOp::Tanh => map1(a, shape, Float::tanh),
        UnaryOp::Floor => map1(a, shape, Float::floor),
        UnaryOp::Ceil => map1(a, shape, Float::ceil),
        UnaryOp::Round => map1(a, shape, FloatElement::round_half_even),
        _ => unreachable_arm(op),
    }
}

#[allow(
    clippy::bool_comparison,
    reason = "the comparison kernels are generic over every element type, bool included"
)]
fn binary(op: BinaryOp, x: &AnyArray, y: &AnyArray, shape: &[usize]) -> Result<AnyArray> {
    let dtype = x.dtype();
    if y.dtype() != dtype {
        return Err(mismatch(y.dtype()));
    }
    if op.is_comparison() {
        return crate::dispatch_any!(x, a, T => {
            let b = T::peek(y).ok_or_else(|| mismatch(dtype))?;
            Ok(AnyArray::Bool(match op {
                BinaryOp::Equal => map2(a, b, shape, |p: T, q: T| p == q)?,
                BinaryOp::NotEqual => map2(a, b, shape, |p: T, q: T| p != q)?,
                BinaryOp::Less => map2(a, b, shape, |p: T, q: T| p < q)?,
                BinaryOp::LessEqual => map2(a, b, shape, |p: T, q: T| p <= q)?,
                BinaryOp::Greater => map2(a, b, shape, |p: T, q: T| p > q)?,
                BinaryOp::GreaterEqual => map2(a, b, shape, |p: T, q: T| p >= q)?,
                _ => unreachable_arm(op)?,
            }))
        });
    }
    if op.is_logical() {
        let a = bool::peek(x).ok_or_else(|| mismatch(dtype))?;
        let b = bool::peek(y).ok_or_else(|| mismatch(dtype))?;
        return Ok(AnyArray::Bool(match op {
            BinaryOp::And => map2(a, b, shape, |p, q| p && q)?,
            _ => map2(a, b, shape, |p, q| p || q)?,
        }));
    }
    crate::with_numeric_dtype!(dtype, T => {
        let a = T::peek(x).ok_or_else(|| mismatch(dtype))?;
        let b = T::peek(y).ok_or_else(|| mismatch(dtype))?;
        Ok(T::wrap(match op {
            BinaryOp::Add => map2(a, b, shape, |p: T, q: T| p.add_elem(q))?,
            BinaryOp::Sub => map2(a, b, shape, |p: T, q: T| p.sub_elem(q))?,
            BinaryOp::Mul => map2(a, b, shape, |p: T, q: T| p.mul_elem(q))?,
            BinaryOp::Div => map2(a, b, shape, |p: T, q: T| p.div_elem(q))?,
            BinaryOp::Pow => map2(a, b, shape, |p: T, q: T| p.pow_elem(q))?,
            BinaryOp::Minimum => map2(a, b, shape, |p: T, q: T| p.minimum_elem(q))?,
            BinaryOp::Maximum => map2(a, b, shape, |p: T, q: T| p.maximum_elem(q))?,
            _ => unreachable_arm(op)?,
        }))
    }, else => Err(unsupported(op.name(), dtype)))
}

fn where_(c: &AnyArray, x: &AnyArray, y: &AnyArray, shape: &[usize]) -> Result<AnyArray> {
    let cond = bool::peek(c).ok_or_else(|| mismatch(c.dtype()))?;
    let cond = broadcast(cond, shape)?;
    crate::dispatch_any!(x, a, T => {
        let b = T::peek(y).ok_or_else(|| mismatch(y.dtype()))?;
        let av = broadcast(a, shape)?;
        let bv = broadcast(b, shape)?;
        Ok(T::wrap(Zip::from(&cond).and(&av).and(&bv).map_collect(|&k, &p, &q| if k { p } else { q })))
    })
}

fn mismatch(found: DType) -> Error {
    Error::internal(CONTEXT, format!("unexpected input dtype {found}"))
}

fn unsupported(op: &'static str, dtype: DType) -> Error {
    Error::internal(
        CONTEXT,
        format!("`{op}` reached the kernel with dtype {dtype}"),
    )
}

fn unreachable_arm<T>(op: impl std::fmt::Debug) -> Result<T> {
    Err(Error::internal(
        CONTEXT,
        format!("no kernel arm for {op:?}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn binary_broadcasts_rows_and_scalars() {
        let a = AnyArray::from(array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
        let row = AnyArray::from(array![10.0, 20.0].into_dyn());
        let out = apply(
            MapOp::Binary(BinaryOp::Add),
            DType::F64,
            &[2, 2],
            &[&a, &row],
        )
        .unwrap();
        assert_eq!(
            out,
            AnyArray::from(array![[11.0, 22.0], [13.0, 24.0]].into_dyn())
        );
        let s = AnyArray::from(ndarray::arr0(2.0).into_dyn());
        let out = apply(MapOp::Binary(BinaryOp::Pow), DType::F64, &[2, 2], &[&a, &s]).unwrap();
        assert_eq!(
            out,
            AnyArray::from(array![[1.0, 4.0], [9.0, 16.0]].into_dyn())
        );
    }

    #[test]
    fn comparisons_give_bool_and_where_selects() {
        let a = AnyArray::from(array![1i32, 5, 3].into_dyn());
        let b = AnyArray::from(ndarray::arr0(3i32).into_dyn());
        let c = apply(MapOp::Binary(BinaryOp::Less), DType::Bool, &[3], &[&a, &b]).unwrap();
        assert_eq!(c, AnyArray::from(array![true, false, false].into_dyn()));
        let w = apply(MapOp::Where, DType::I32, &[3], &[&c, &a, &b]).unwrap();
        assert_eq!(w, AnyArray::from(array![1i32, 3, 3].into_dyn()));
    }

    #[test]
    fn wrong_arity_is_an_internal_error() {
        let a = AnyArray::from(array![1.0].into_dyn());
        let err = apply(MapOp::Where, DType::F64, &[1], &[&a]).unwrap_err();
        assert!(matches!(err, Error::Internal { .. }));
    }
}
