//! Creation of lazy arrays: from an ndarray, constants, ranges.

use crate::any_array::IntoAnyArray;
use ndarray::{ArrayBase, Data, Dimension};

use super::LazyArray;
use crate::chunks::Chunks;
use crate::element::{Element, FloatElement, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::expr::{build, Source};

/// A lazy array holding a copy of an ndarray, cut into `chunks`.
///
/// # Example
///
/// ```
/// use ndarray::array;
/// let a = chunkwise::from_ndarray(array![[1, 2, 3], [4, 5, 6]], [1, 2]);
/// assert_eq!(a.num_chunks(), 4);
/// assert_eq!(a.compute()?, array![[1, 2, 3], [4, 5, 6]].into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Chunks that do not fit the shape give an invalid array (its `compute` says so).
#[track_caller]
pub fn from_ndarray<T, S, D>(array: ArrayBase<S, D>, chunks: impl Into<Chunks>) -> LazyArray<T>
where
    T: Element,
    S: Data<Elem = T>,
    D: Dimension,
{
    let shape = array.shape().to_vec();
    let data = array.into_dyn().as_standard_layout().into_owned();
    let chunks = chunks.into();
    LazyArray::build("from_ndarray", &[], || {
        build::source(
            Source::Array(std::sync::Arc::new(T::wrap(data))),
            &shape,
            T::DTYPE,
            &chunks,
        )
    })
}

/// A lazy array of `shape` with every element `value`.
///
/// # Example
///
/// ```
/// let a = chunkwise::full(&[2, 3], 7u8, [1, 3]);
/// assert!(a.compute()?.iter().all(|&v| v == 7));
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// Chunks that do not fit `shape`, or a shape too large to address, give an invalid
/// array.
#[track_caller]
pub fn full<T: Element>(shape: &[usize], value: T, chunks: impl Into<Chunks>) -> LazyArray<T> {
    let chunks = chunks.into();
    LazyArray::build("full", &[], || {
        build::source(Source::Full(value.to_scalar()), shape, T::DTYPE, &chunks)
    })
}

/// A lazy array of zeros (`false` for `bool`).
///
/// # Example
///
/// ```
/// let z = chunkwise::zeros::<f32>(&[4, 4], chunkwise::Chunks::Auto);
/// assert_eq!(z.sum(..).compute_scalar()?, 0.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
#[track_caller]
pub fn zeros<T: Element>(shape: &[usize], chunks: impl Into<Chunks>) -> LazyArray<T> {
    full(shape, T::from_scalar(Scalar::U8(0)), chunks)
}

/// A lazy array of ones (`true` for `bool`).
///
/// # Example
///
/// ```
/// let o = chunkwise::ones::<i16>(&[3], [2]);
/// assert_eq!(o.compute()?, ndarray::arr1(&[1, 1, 1]).into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
#[track_caller]
pub fn ones<T: Element>(shape: &[usize], chunks: impl Into<Chunks>) -> LazyArray<T> {
    full(shape, T::from_scalar(Scalar::U8(1)), chunks)
}

/// Evenly spaced values `start, start + step, ...` below `stop` (above it for a negative
/// step), as NumPy's `arange`: element `i` is `start + i * step`.
///
/// # Example
///
/// ```
/// let a = chunkwise::arange(0.0, 1.0, 0.25, [3]);
/// assert_eq!(a.compute()?, ndarray::arr1(&[0.0, 0.25, 0.5, 0.75]).into_dyn());
/// let b = chunkwise::arange(10i32, 0, -3, [2]);
/// assert_eq!(b.compute()?, ndarray::arr1(&[10, 7, 4, 1]).into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// A `step` of 0 or not finite gives an invalid array ([`Error::InvalidParameter`]); so
/// do chunks that do not fit.
#[track_caller]
pub fn arange<T: NumElement>(
    start: T,
    stop: T,
    step: T,
    chunks: impl Into<Chunks>,
) -> LazyArray<T> {
    let chunks = chunks.into();
    LazyArray::build("arange", &[], || {
        let len = arange_len(start.to_scalar(), stop.to_scalar(), step.to_scalar())?;
        build::source(
            Source::Arange {
                start: start.to_scalar(),
                step: step.to_scalar(),
            },
            &[len],
            T::DTYPE,
            &chunks,
        )
    })
}

fn as_i128(s: Scalar) -> Option<i128> {
    Some(match s {
        Scalar::I8(v) => v.into(),
        Scalar::I16(v) => v.into(),
        Scalar::I32(v) => v.into(),
        Scalar::I64(v) => v.into(),
        Scalar::U8(v) => v.into(),
        Scalar::U16(v) => v.into(),
        Scalar::U32(v) => v.into(),
        Scalar::U64(v) => v.into(),
        _ => return None,
    })
}

fn arange_len(start: Scalar, stop: Scalar, step: Scalar) -> Result<usize> {
    let bad_step = || Error::parameter("arange", "step", step, "a non-zero, finite step");
    if let (Some(a), Some(b), Some(s)) = (as_i128(start), as_i128(stop), as_i128(step)) {
        if s == 0 {
            return Err(bad_step());
        }
        let span = b - a;
        if span == 0 || (span > 0) != (s > 0) {
            return Ok(0);
        }
        let n = (span.abs() + s.abs() - 1) / s.abs();
        return usize::try_from(n).map_err(|_| Error::ShapeOverflow {
            shape: vec![usize::MAX],
        });
    }
    let (a, b, s) = (start.to_f64(), stop.to_f64(), step.to_f64());
    if s == 0.0 || !s.is_finite() {
        return Err(bad_step());
    }
    let n = ((b - a) / s).ceil();
    if !n.is_finite() {
        return Err(Error::parameter(
            "arange",
            "start/stop",
            format!("{start}/{stop}"),
            "finite bounds",
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(if n <= 0.0 { 0 } else { n as usize })
}

/// `num` evenly spaced values from `start` to `stop`, both included, as NumPy's
/// `linspace`.
///
/// # Example
///
/// ```
/// let a = chunkwise::linspace(0.0f64, 1.0, 5, [2]);
/// assert_eq!(a.compute()?, ndarray::arr1(&[0.0, 0.25, 0.5, 0.75, 1.0]).into_dyn());
/// # Ok::<(), chunkwise::Error>(())
/// ```
///
/// A `start` or `stop` that is not finite gives an invalid array
/// ([`Error::InvalidParameter`]); so do chunks that do not fit.
#[track_caller]
pub fn linspace<T: FloatElement>(
    start: T,
    stop: T,
    num: usize,
    chunks: impl Into<Chunks>,
) -> LazyArray<T> {
    let (a, b) = (FloatElement::to_f64(start), FloatElement::to_f64(stop));
    let chunks = chunks.into();
    LazyArray::build("linspace", &[], || {
        if !a.is_finite() || !b.is_finite() {
            return Err(Error::parameter(
                "linspace",
                "start/stop",
                format!("{a}/{b}"),
                "finite bounds",
            ));
        }
        #[allow(clippy::cast_precision_loss)]
        let step = if num > 1 {
            (b - a) / (num - 1) as f64
        } else {
            0.0
        };
        build::source(
            Source::Linspace {
                start: a,
                step,
                stop: b,
                stop_is_last: num > 1,
            },
            &[num],
            T::DTYPE,
            &chunks,
        )
    })
}
