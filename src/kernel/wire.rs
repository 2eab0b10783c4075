//! [`Value`]s as bytes, for a block that travels to another process (an MPI rank):
//! `encode` appends one value to a buffer, `decode` reads it back exactly.
//!
//! The format is private to one run of one binary (every rank runs the same build on
//! the same kind of machine), so it is plain: a kind byte, then for each array a dtype
//! byte, the number of axes, the shape and the elements in C order in native byte
//! order (`bool` as one byte). Decoding checks every length, so a short or corrupt
//! message is an error, never a panic.

use ndarray::{ArrayD, IxDyn};

use super::{Partial, Value};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{with_numeric_dtype, DType};
use crate::error::{Error, Result};

const CONTEXT: &str = "kernel::wire";

const ARRAY: u8 = 0;
const PARTIAL: u8 = 1;
const WRITTEN: u8 = 2;

/// Appends `value` to `out`.
pub(crate) fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(a) => {
            out.push(ARRAY);
            encode_array(a, out);
        }
        Value::Partial(p) => {
            out.push(PARTIAL);
            let fields = p.fields();
            out.push(fields.len() as u8);
            for f in fields {
                encode_array(f, out);
            }
        }
        Value::Written => out.push(WRITTEN),
    }
}

/// The value `encode` wrote at the start of `bytes`, which must hold exactly one.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value> {
    let mut r = Reader { bytes, at: 0 };
    let value = match r.byte()? {
        ARRAY => Value::Array(r.array()?),
        PARTIAL => {
            let n = r.byte()?;
            let fields = (0..n).map(|_| r.array()).collect::<Result<Vec<_>>>()?;
            Value::Partial(Box::new(Partial::new(fields)))
        }
        WRITTEN => Value::Written,
        other => return Err(corrupt(format!("unknown value kind {other}"))),
    };
    if r.at != bytes.len() {
        return Err(corrupt(format!(
            "{} bytes left after the value",
            bytes.len() - r.at
        )));
    }
    Ok(value)
}

fn encode_array(a: &AnyArray, out: &mut Vec<u8>) {
    let dtype = a.dtype();
    out.push(dtype_tag(dtype));
    out.push(a.shape().len() as u8);
    for &n in a.shape() {
        out.extend_from_slice(&(n as u64).to_ne_bytes());
    }
    let a = a.standard_layout();
    crate::any_array::dispatch_any!(a.as_ref(), x, T => {
        let slice = x.as_slice().expect("a standard-layout array is contiguous");
        out.extend_from_slice(bytemuck::cast_slice::<T, u8>(slice));
    });
}

fn dtype_tag(dtype: DType) -> u8 {
    DType::ALL.iter().position(|&d| d == dtype).unwrap_or(0) as u8
}

/// Reads what `encode` wrote, checking every length.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| {
            corrupt(format!(
                "needs {n} bytes at offset {}, the message has {}",
                self.at,
                self.bytes.len()
            ))
        })?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn array(&mut self) -> Result<AnyArray> {
        let tag = self.byte()?;
        let dtype = *DType::ALL
            .get(tag as usize)
            .ok_or_else(|| corrupt(format!("unknown dtype tag {tag}")))?;
        let ndim = self.byte()? as usize;
        let mut shape = Vec::with_capacity(ndim);
        for _ in 0..ndim {
            let n = u64::from_ne_bytes(self.take(8)?.try_into().unwrap_or([0; 8]));
            shape.push(usize::try_from(n).map_err(|_| corrupt("an axis too long"))?);
        }
        let len = shape
            .iter()
            .try_fold(1usize, |acc, &n| acc.checked_mul(n))
            .ok_or_else(|| corrupt("a shape whose size overflows"))?;
        let data = self.take(
            len.checked_mul(dtype.size())
                .ok_or_else(|| corrupt("a size that overflows"))?,
        )?;
        let shape = IxDyn(&shape);
        with_numeric_dtype!(dtype, T => {
            let values: Vec<T> = bytemuck::pod_collect_to_vec(data);
            ArrayD::from_shape_vec(shape, values).map(T::wrap)
        }, else => {
            let values: Vec<bool> = data.iter().map(|&b| b != 0).collect();
            ArrayD::from_shape_vec(shape, values).map(bool::wrap)
        })
        .map_err(|e| corrupt(e.to_string()))
    }
}

fn corrupt(problem: impl std::fmt::Display) -> Error {
    Error::internal(CONTEXT, format!("a corrupt block message: {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    fn round_trip(v: &Value) -> Value {
        let mut bytes = Vec::new();
        encode(v, &mut bytes);
        decode(&bytes).unwrap()
    }

    fn same(a: &AnyArray, b: &AnyArray) -> bool {
        a.dtype() == b.dtype() && a.shape() == b.shape() && a.cast(DType::F64) == b.cast(DType::F64)
    }

    #[test]
    fn every_dtype_and_shape_round_trips_exactly() {
        let base = Array::from_shape_fn((3, 5), |(i, j)| (i * 5 + j) as f64 - 6.5).into_dyn();
        for dtype in DType::ALL {
            let a = AnyArray::F64(base.clone()).cast(dtype);
            for shape in [vec![3, 5], vec![15], vec![0, 5], vec![1, 1, 15], vec![]] {
                let len: usize = shape.iter().product();
                let flat = AnyArray::F64(
                    Array::from_iter((0..len).map(|i| i as f64 * 0.5 - 1.0))
                        .into_shape_with_order(IxDyn(&shape))
                        .unwrap(),
                )
                .cast(dtype);
                let Value::Array(back) = round_trip(&Value::Array(flat.clone())) else {
                    panic!("not an array")
                };
                assert!(same(&back, &flat), "{dtype} {shape:?}");
            }
            let Value::Array(back) = round_trip(&Value::Array(a.clone())) else {
                panic!("not an array")
            };
            assert!(same(&back, &a));
        }
        // NaN keeps its bits; a transposed (non-standard) view goes in C order.
        let nan = AnyArray::F64(ArrayD::from_elem(IxDyn(&[2]), f64::NAN));
        let Value::Array(AnyArray::F64(back)) = round_trip(&Value::Array(nan)) else {
            panic!()
        };
        assert!(back.iter().all(|x| x.is_nan()));
        let view = AnyArray::F64(base.clone().reversed_axes());
        let Value::Array(back) = round_trip(&Value::Array(view.clone())) else {
            panic!()
        };
        assert!(same(&back, &view));
    }

    #[test]
    fn partials_and_written_round_trip() {
        let p = Partial::new([
            AnyArray::F64(ArrayD::from_elem(IxDyn(&[1, 3]), 2.5)),
            AnyArray::I64(ArrayD::from_elem(IxDyn(&[1, 3]), 7)),
        ]);
        let Value::Partial(back) = round_trip(&Value::Partial(Box::new(p.clone()))) else {
            panic!()
        };
        assert_eq!(back.fields().len(), 2);
        assert!(same(&back.fields()[0], &p.fields()[0]) && same(&back.fields()[1], &p.fields()[1]));
        assert!(matches!(round_trip(&Value::Written), Value::Written));
    }

    #[test]
    fn a_short_or_corrupt_message_is_an_error() {
        let mut bytes = Vec::new();
        encode(
            &Value::Array(AnyArray::I32(ArrayD::from_elem(IxDyn(&[4, 4]), 1))),
            &mut bytes,
        );
        for cut in [0, 1, 2, 5, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(decode(&long).is_err());
        let mut kind = bytes.clone();
        kind[0] = 9;
        assert!(decode(&kind).is_err());
        let mut dtype = bytes;
        dtype[1] = 200;
        assert!(decode(&dtype).is_err());
    }
}
