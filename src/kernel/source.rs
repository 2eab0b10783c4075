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
use crate::ops::{Distribution, FlatIndex, Source};

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
        Source::Strided {
            base,
            base_shape,
            index,
        } => generate_indexed(base, dtype, base_shape, index, start, shape),
        Source::Read { reader, origin } => read(reader.as_ref(), origin, dtype, start, shape),
        counter_based => {
            let index = FlatIndex::c_order(full_shape).ok_or_else(|| {
                Error::internal(
                    "kernel::source",
                    format!("{full_shape:?} has more than 2^63 elements"),
                )
            })?;
            generate_indexed(counter_based, dtype, full_shape, &index, start, shape)
        }
    }
}

/// The block at `start` of `shape` of the counter-based generator `source` (whose whole
/// array has `base_shape`), at the flat indices `map` gives.
fn generate_indexed(
    source: &Source,
    dtype: DType,
    base_shape: &[usize],
    map: &FlatIndex,
    start: &[usize],
    shape: &[usize],
) -> Result<AnyArray> {
    let full_shape = base_shape;
    match source {
        Source::Arange { start: first, step } => {
            crate::element::with_numeric_dtype!(dtype, T => {
                let (first, step) = (T::from_scalar(*first), T::from_scalar(*step));
                Ok(T::wrap(by_flat_index(map, start, shape, |k| {
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
            let values = by_flat_index(map, start, shape, |k| {
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
                Distribution::Uniform => by_flat_index(map, start, shape, |k| uniform::<T>(key, k)),
                Distribution::Normal => by_runs(map, start, shape, |out, first, step, n| normal_run(key, first, step, n, out)),
            }))
        }, else => Err(Error::UnsupportedDType { op: "random", dtype, needs: "float32 or float64" })),
        Source::HashUniform { salt } => crate::element::with_float_dtype!(dtype, T => {
            let offset = salt.wrapping_mul(1_000_000_007);
            Ok(T::wrap(by_flat_index(map, start, shape, |k| {
                T::from_f64(hash_uniform(k, offset))
            })))
        }, else => Err(Error::UnsupportedDType { op: "hash_uniform", dtype, needs: "float32 or float64" })),
        other => Err(Error::internal(
            "kernel::source",
            format!("`{}` is not generated from flat indices", other.name()),
        )),
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
///
/// The block is walked in runs of consecutive flat indices (a row, or several rows when
/// the block spans the array's trailing axes: a `(1000, 1000, 10)` block of a
/// `(4000, 4000, 10)` array is runs of 10,000), and each run is one call of
/// [`extend_run`], compiled for the CPU's vector width: the generators are branch-free
/// integer mixing and one conversion, so the loop vectorizes (8 lanes with AVX-512) and
/// a uniform `f64` costs well under a nanosecond (`cargo bench --bench kernels`,
/// `generate`).
fn by_flat_index<T: Element>(
    map: &FlatIndex,
    start: &[usize],
    shape: &[usize],
    f: impl Fn(u64) -> T,
) -> ArrayD<T> {
    by_runs(map, start, shape, |out, first, step, n| {
        extend_run(out, first, step, n, &f);
    })
}

/// [`by_flat_index`] with the runs filled by `fill(out, first, step, n)`, which appends
/// the values of flat indices `first, first + step, ...` (`n` of them) to `out`.
fn by_runs<T: Element>(
    map: &FlatIndex,
    start: &[usize],
    shape: &[usize],
    fill: impl Fn(&mut Vec<T>, u64, i64, u64),
) -> ArrayD<T> {
    let len: usize = shape.iter().product();
    let mut out = super::pool::vec_with_capacity(len);
    if len > 0 {
        let ndim = shape.len();
        let strides = &map.strides;
        // Axes `outer..` of the block hold an arithmetic run of flat indices: the last
        // axis, and each axis before it whose stride continues the run (for an unsliced
        // array, the trailing axes the block spans whole).
        let step = strides.last().copied().unwrap_or(1);
        let mut outer = ndim.saturating_sub(1);
        let mut run = shape.last().copied().unwrap_or(1);
        while outer > 0 && i64::try_from(run).is_ok_and(|r| strides[outer - 1] == step * r) {
            outer -= 1;
            run *= shape[outer];
        }
        let mut pos = vec![0usize; outer];
        for _ in 0..len / run {
            let base = (0..ndim).fold(map.first, |acc, d| {
                let p = if d < outer {
                    start[d] + pos[d]
                } else {
                    start[d]
                };
                acc.wrapping_add_signed(p as i64 * strides[d])
            });
            fill(&mut out, base, step, run as u64);
            // Advance the run counter in C order.
            for d in (0..outer).rev() {
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

/// Appends `f(first)`, `f(first + step)`, ... (`n` values) to `out`: the inner loop of
/// [`by_flat_index`], dispatched once per run for the CPU (AVX-512, AVX2, NEON or the
/// baseline) so the inlined generator is vectorized to the full width.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon",
))]
fn extend_run<T, F: Fn(u64) -> T>(out: &mut Vec<T>, first: u64, step: i64, n: u64, f: &F) {
    if step == 1 {
        out.extend((first..first + n).map(f));
    } else {
        out.extend((0..n).map(|j| f(first.wrapping_add_signed(j as i64 * step))));
    }
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

/// The two uniforms on `[0, 1)` behind the normal value of element `k`.
#[inline(always)]
fn normal_uniforms(key: u64, k: u64) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let u = |b: u64| (b >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    (u(bits(key, 2 * k)), u(bits(key, 2 * k + 1)))
}

/// Standard normal values of elements `first..first + n`, appended to `out`: Box-Muller,
/// `sqrt(-2 ln(1 - u1)) cos(2π u2)` over the two uniforms of each element, a tile at a
/// time through the vectorized `ln` and `cos` of `kernel::math` (within 1 ulp of `std`'s,
/// 20 times faster than calling them per element).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon",
))]
fn normal_run<T: FloatElement>(key: u64, first: u64, step: i64, n: u64, out: &mut Vec<T>) {
    const TILE: u64 = 512;
    let (mut radius, mut angle) = ([0.0f64; TILE as usize], [0.0f64; TILE as usize]);
    let (mut ln, mut cos) = ([0.0f64; TILE as usize], [0.0f64; TILE as usize]);
    let mut done = 0;
    while done < n {
        let m = TILE.min(n - done) as usize;
        for (j, (r, a)) in radius[..m].iter_mut().zip(&mut angle[..m]).enumerate() {
            let k = first.wrapping_add_signed((done + j as u64) as i64 * step);
            let (u1, u2) = normal_uniforms(key, k);
            (*r, *a) = (1.0 - u1, std::f64::consts::TAU * u2);
        }
        crate::kernel::math::ln_f64(&radius[..m], &mut ln[..m]);
        crate::kernel::math::cos_f64(&angle[..m], &mut cos[..m]);
        out.extend(
            ln[..m]
                .iter()
                .zip(&cos[..m])
                .map(|(&l, &c)| T::from_f64((-2.0 * l).sqrt() * c)),
        );
        done += m as u64;
    }
}

/// One standard normal value, computed with `std`'s scalar functions (the reference
/// the tests hold [`normal_run`] to).
#[cfg(test)]
fn normal(key: u64, k: u64) -> f64 {
    let (u1, u2) = normal_uniforms(key, k);
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
    fn runs_over_whole_trailing_axes_give_the_same_values() {
        // Blocks that span the trailing axes are generated in runs of several rows.
        let src = Source::Random {
            seed: 11,
            dist: Distribution::Uniform,
        };
        let full = [4, 5, 3];
        let whole = generate(&src, DType::F64, &full, &[0, 0, 0], &full).unwrap();
        let whole = whole.into_typed::<f64>().unwrap();
        for (start, shape) in [
            ([1, 0, 0], [2, 5, 3]),
            ([1, 2, 0], [2, 3, 3]),
            ([3, 4, 1], [1, 1, 2]),
            ([0, 0, 0], [4, 5, 0]),
        ] {
            let part = generate(&src, DType::F64, &full, &start, &shape).unwrap();
            let want = whole.slice(ndarray::s![
                start[0]..start[0] + shape[0],
                start[1]..start[1] + shape[1],
                start[2]..start[2] + shape[2]
            ]);
            assert_eq!(
                part.into_typed::<f64>().unwrap(),
                want.to_owned().into_dyn()
            );
        }
        let scalar = generate(&src, DType::F64, &[], &[], &[]).unwrap();
        assert_eq!(scalar.into_typed::<f64>().unwrap().len(), 1);
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
        let mut zs: Vec<f64> = Vec::new();
        normal_run(key, 0, 1, n, &mut zs);
        // Within a few ulps of the scalar formula (ln and cos are each within 1 ulp).
        for (k, &z) in zs.iter().enumerate() {
            let want = normal(key, k as u64);
            assert!(
                (z - want).abs() <= 4.0 * f64::EPSILON * want.abs().max(1.0),
                "{z} {want}"
            );
        }
        let mean = zs.iter().sum::<f64>() / n as f64;
        let var = zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.05, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
