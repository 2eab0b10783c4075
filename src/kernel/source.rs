//! Kernels that generate a source block: in-memory data, constants, ranges and the
//! counter-based random generators.
//!
//! Generated values depend only on the element's flat C-order index in the whole array
//! (and the seed), never on the chunking: the same seed and shape give the same numbers
//! whatever the chunks.

use ndarray::{ArrayD, IxDyn, SliceInfoElem};

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{DType, Element, FloatElement, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::ops::{Distribution, Source};

/// Makes the block of `source` that starts at `start` with `shape`, in an array of
/// `full_shape` and `dtype`.
pub(crate) fn generate(
    source: &Source,
    dtype: DType,
    full_shape: &[usize],
    start: &[usize],
    shape: &[usize],
) -> Result<AnyArray> {
    match source {
        Source::Array(data) => {
            let info: Vec<SliceInfoElem> = start
                .iter()
                .zip(shape)
                .map(|(&s, &n)| {
                    #[allow(clippy::cast_possible_wrap)]
                    ndarray::Slice::new(s as isize, Some((s + n) as isize), 1).into()
                })
                .collect();
            super::copy::slice_block(data, &info)
        }
        Source::Full(value) => Ok(crate::kernel::pool::full(shape, value.cast(dtype))),
        Source::Arange { start: first, step } => {
            crate::element::with_numeric_dtype!(dtype, T => {
                let (first, step) = (T::from_scalar(*first), T::from_scalar(*step));
                Ok(T::wrap(by_flat_index(full_shape, start, shape, |k| {
                    first.add_elem(step.mul_elem(T::from_scalar(Scalar::U64(k))))
                })))
            }, else => Err(Error::UnsupportedDType { op: "arange", dtype, needs: "a numeric dtype" }))
        }
        Source::Linspace {
            start: first,
            step,
            stop,
            stop_is_last,
        } => {
            let n: usize = full_shape.iter().product();
            let last = n.saturating_sub(1) as u64;
            #[allow(clippy::cast_precision_loss)]
            let values = by_flat_index(full_shape, start, shape, |k| {
                if *stop_is_last && k == last {
                    *stop
                } else {
                    first + (k as f64) * step
                }
            });
            Ok(AnyArray::F64(values).cast(dtype))
        }
        Source::Random { seed, dist } => crate::element::with_float_dtype!(dtype, T => {
            let key = mix(*seed ^ 0x6a09_e667_f3bc_c909);
            Ok(T::wrap(match dist {
                Distribution::Uniform => by_flat_index(full_shape, start, shape, |k| uniform::<T>(key, k)),
                Distribution::Normal => by_flat_index(full_shape, start, shape, |k| T::from_f64(normal(key, k))),
            }))
        }, else => Err(Error::UnsupportedDType { op: "random", dtype, needs: "float32 or float64" })),
        Source::HashUniform { salt } => crate::element::with_float_dtype!(dtype, T => {
            let offset = salt.wrapping_mul(1_000_000_007);
            Ok(T::wrap(by_flat_index(full_shape, start, shape, |k| {
                T::from_f64(hash_uniform(k, offset))
            })))
        }, else => Err(Error::UnsupportedDType { op: "hash_uniform", dtype, needs: "float32 or float64" })),
        Source::Read { reader, origin } => read(reader.as_ref(), origin, dtype, start, shape),
    }
}

/// Reads the box at `origin + start` of `shape` and checks that the reader kept its
/// promise (dtype and shape), so a faulty reader is an error, not a wrong result.
fn read(
    reader: &dyn crate::io::BlockReader,
    origin: &[usize],
    dtype: DType,
    start: &[usize],
    shape: &[usize],
) -> Result<AnyArray> {
    let region: Vec<std::ops::Range<usize>> = origin
        .iter()
        .zip(start)
        .zip(shape)
        .map(|((&o, &s), &n)| o + s..o + s + n)
        .collect();
    let block = reader.read(&region)?;
    if block.dtype() != dtype || block.shape() != shape {
        return Err(Error::storage(
            reader.identity(),
            format!(
                "the reader returned {} {:?} for region {region:?}, expected {dtype} {shape:?}",
                block.dtype(),
                block.shape()
            ),
        ));
    }
    Ok(block)
}

/// Fills a block by calling `f` with each element's flat C-order index in the whole array.
fn by_flat_index<T: Element>(
    full_shape: &[usize],
    start: &[usize],
    shape: &[usize],
    mut f: impl FnMut(u64) -> T,
) -> ArrayD<T> {
    let len: usize = shape.iter().product();
    let mut out = super::pool::vec_with_capacity(len);
    if len > 0 {
        let ndim = shape.len();
        // Strides of the whole array, in elements.
        let mut strides = vec![1u64; ndim];
        for d in (0..ndim.saturating_sub(1)).rev() {
            strides[d] = strides[d + 1] * full_shape[d + 1] as u64;
        }
        let inner = if ndim == 0 { 1 } else { shape[ndim - 1] };
        let rows = len / inner;
        let mut pos = vec![0usize; ndim.saturating_sub(1)];
        for _ in 0..rows {
            let mut base = 0u64;
            for d in 0..ndim.saturating_sub(1) {
                base += (start[d] + pos[d]) as u64 * strides[d];
            }
            if ndim > 0 {
                base += start[ndim - 1] as u64;
            }
            for j in 0..inner as u64 {
                out.push(f(base + j));
            }
            // Advance the row counter in C order.
            for d in (0..pos.len()).rev() {
                pos[d] += 1;
                if pos[d] < shape[d] {
                    break;
                }
                pos[d] = 0;
            }
        }
    }
    ArrayD::from_shape_vec(IxDyn(shape), out).expect("a block's length is the product of its shape")
}

/// The SplitMix64 output function: a bijective mix of 64 bits.
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64 random bits for counter `k` under `key` (SplitMix64 evaluated at position `k`).
#[inline(always)]
fn bits(key: u64, k: u64) -> u64 {
    mix(key.wrapping_add(k.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

/// A uniform value on `[0, 1)` with the full mantissa of `T`.
#[inline(always)]
fn uniform<T: FloatElement>(key: u64, k: u64) -> T {
    #[allow(clippy::cast_precision_loss)]
    if T::DTYPE == DType::F32 {
        T::from_f64(f64::from((bits(key, k) >> 40) as u32) * (1.0 / (1u64 << 24) as f64))
    } else {
        T::from_f64((bits(key, k) >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
    }
}

/// A standard normal value (Box-Muller over two independent uniforms of element `k`).
#[inline(always)]
fn normal(key: u64, k: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let u1 = (bits(key, 2 * k) >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    #[allow(clippy::cast_precision_loss)]
    let u2 = (bits(key, 2 * k + 1) >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The Dask peer benchmark's `det_block` value for flat index `k`:
/// `(((k + offset) mod 2^32) * 2654435761 mod 2^32) / 2^32`.
#[inline(always)]
fn hash_uniform(k: u64, offset: u64) -> f64 {
    let h = (k.wrapping_add(offset) & 0xffff_ffff).wrapping_mul(2_654_435_761) & 0xffff_ffff;
    #[allow(clippy::cast_precision_loss)]
    let v = h as f64 / 4_294_967_296.0;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_do_not_depend_on_the_block() {
        let src = Source::Random {
            seed: 7,
            dist: Distribution::Uniform,
        };
        let whole = generate(&src, DType::F64, &[5, 7], &[0, 0], &[5, 7]).unwrap();
        let part = generate(&src, DType::F64, &[5, 7], &[2, 3], &[2, 4]).unwrap();
        let whole = whole.into_typed::<f64>().unwrap();
        let part = part.into_typed::<f64>().unwrap();
        assert_eq!(
            part,
            whole.slice(ndarray::s![2..4, 3..7]).to_owned().into_dyn()
        );
    }

    #[test]
    fn hash_uniform_matches_the_peer_formula() {
        // det_block with salt 0 at k = 1: 2654435761 / 2^32
        assert_eq!(hash_uniform(1, 0), 2_654_435_761.0 / 4_294_967_296.0);
        // salt 1 wraps modulo 2^32 before multiplying
        let k = 5u64;
        let expect = (((k + 1_000_000_007) % (1 << 32)) * 2_654_435_761 % (1 << 32)) as f64
            / 4_294_967_296.0;
        assert_eq!(hash_uniform(k, 1_000_000_007), expect);
    }

    #[test]
    fn uniform_stays_in_range_and_normal_has_unit_variance() {
        let n = 20_000u64;
        let key = mix(3);
        let us: Vec<f32> = (0..n).map(|k| uniform::<f32>(key, k)).collect();
        assert!(us.iter().all(|&u| (0.0..1.0).contains(&u)));
        let zs: Vec<f64> = (0..n).map(|k| normal(key, k)).collect();
        let mean = zs.iter().sum::<f64>() / n as f64;
        let var = zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.05, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
