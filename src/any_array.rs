//! [`AnyArray`], an owned `ndarray::ArrayD` of any element type, tagged by its [`DType`].
//!
//! This is how chunk data travels through the type-erased core (kernels, executor, results
//! of runtime-typed arrays). The typed facade converts to and from `ArrayD<T>` at the edge.

use std::any::Any;

use ndarray::ArrayD;

use crate::element::{DType, Element};
use crate::error::{Error, Result};

/// An owned n-dimensional array of any element type.
///
/// # Example
///
/// ```
/// use chunkwise::{AnyArray, DType};
/// let a = AnyArray::from(ndarray::array![[1.0f32, 2.0], [3.0, 4.0]].into_dyn());
/// assert_eq!(a.dtype(), DType::F32);
/// assert_eq!(a.shape(), &[2, 2]);
/// let back: ndarray::ArrayD<f32> = a.into_typed()?;
/// assert_eq!(back[[1, 0]], 3.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum AnyArray {
    Bool(ArrayD<bool>),
    I8(ArrayD<i8>),
    I16(ArrayD<i16>),
    I32(ArrayD<i32>),
    I64(ArrayD<i64>),
    U8(ArrayD<u8>),
    U16(ArrayD<u16>),
    U32(ArrayD<u32>),
    U64(ArrayD<u64>),
    F32(ArrayD<f32>),
    F64(ArrayD<f64>),
}

/// Runs `$body` with `$a` bound to the typed array inside an [`AnyArray`] (by value or by
/// reference, as `$value` is given) and `$T` to its element type.
macro_rules! dispatch_any {
    ($value:expr, $a:ident, $T:ident => $body:expr) => {
        match $value {
            $crate::AnyArray::Bool($a) => {
                type $T = bool;
                $body
            }
            $crate::AnyArray::I8($a) => {
                type $T = i8;
                $body
            }
            $crate::AnyArray::I16($a) => {
                type $T = i16;
                $body
            }
            $crate::AnyArray::I32($a) => {
                type $T = i32;
                $body
            }
            $crate::AnyArray::I64($a) => {
                type $T = i64;
                $body
            }
            $crate::AnyArray::U8($a) => {
                type $T = u8;
                $body
            }
            $crate::AnyArray::U16($a) => {
                type $T = u16;
                $body
            }
            $crate::AnyArray::U32($a) => {
                type $T = u32;
                $body
            }
            $crate::AnyArray::U64($a) => {
                type $T = u64;
                $body
            }
            $crate::AnyArray::F32($a) => {
                type $T = f32;
                $body
            }
            $crate::AnyArray::F64($a) => {
                type $T = f64;
                $body
            }
        }
    };
}
pub(crate) use dispatch_any;

/// Conversion between `ArrayD<T>` and [`AnyArray`] for each element type; every
/// [`Element`] has it.
///
/// # Example
///
/// ```
/// use chunkwise::IntoAnyArray;
/// let a = f32::wrap(ndarray::arr1(&[1.0f32, 2.0]).into_dyn());
/// assert!(f32::peek(&a).is_some() && f64::peek(&a).is_none());
/// ```
pub trait IntoAnyArray: Sized + 'static {
    /// Wraps a typed array.
    fn wrap(array: ArrayD<Self>) -> AnyArray;
    /// Borrows the typed array, if `any` holds this type.
    fn peek(any: &AnyArray) -> Option<&ArrayD<Self>>;
    /// Borrows the typed array mutably, if `any` holds this type.
    fn peek_mut(any: &mut AnyArray) -> Option<&mut ArrayD<Self>>;
    /// Unwraps the typed array, or gives `any` back if it holds another type.
    ///
    /// # Errors
    ///
    /// Returns the array unchanged when its dtype is not `Self`.
    fn unwrap_any(any: AnyArray) -> std::result::Result<ArrayD<Self>, AnyArray>;
}

// One generic implementation for every element type, through `Any`: the dtype names the
// variant, and the downcast (a type-id comparison, once per block or tile) proves it.
// Being generic, it keeps `Element` free of any dependence on this module.
impl<T: Element> IntoAnyArray for T {
    #[inline]
    fn wrap(array: ArrayD<T>) -> AnyArray {
        let mut slot = Some(array);
        crate::element::with_dtype!(T::DTYPE, U => {
            let typed: ArrayD<U> = (&mut slot as &mut dyn Any)
                .downcast_mut::<Option<ArrayD<U>>>()
                .and_then(Option::take)
                .expect("an element type's DTYPE names that type");
            AnyArray::from(typed)
        })
    }
    #[inline]
    fn peek(any: &AnyArray) -> Option<&ArrayD<T>> {
        dispatch_any!(any, a, _U => (a as &dyn Any).downcast_ref::<ArrayD<T>>())
    }
    #[inline]
    fn peek_mut(any: &mut AnyArray) -> Option<&mut ArrayD<T>> {
        dispatch_any!(any, a, _U => (a as &mut dyn Any).downcast_mut::<ArrayD<T>>())
    }
    #[inline]
    fn unwrap_any(any: AnyArray) -> std::result::Result<ArrayD<T>, AnyArray> {
        if any.dtype() != T::DTYPE {
            return Err(any);
        }
        dispatch_any!(any, a, _U => {
            let mut slot = Some(a);
            Ok((&mut slot as &mut dyn Any)
                .downcast_mut::<Option<ArrayD<T>>>()
                .and_then(Option::take)
                .expect("the dtypes are equal"))
        })
    }
}

macro_rules! from_typed {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<ArrayD<$t>> for AnyArray {
            fn from(array: ArrayD<$t>) -> AnyArray {
                AnyArray::$variant(array)
            }
        }
    )*};
}
from_typed!(bool => Bool, i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16,
    u32 => U32, u64 => U64, f32 => F32, f64 => F64);

impl AnyArray {
    /// The element type.
    #[must_use]
    pub fn dtype(&self) -> DType {
        dispatch_any!(self, _a, T => <T as Element>::DTYPE)
    }

    /// The shape.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        dispatch_any!(self, a, _T => a.shape())
    }

    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        dispatch_any!(self, a, _T => a.len())
    }

    /// True when the array has no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of element data.
    #[must_use]
    pub fn nbytes(&self) -> usize {
        self.len() * self.dtype().size()
    }

    /// Converts into a typed array.
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] when the array holds another element type.
    pub fn into_typed<T: Element>(self) -> Result<ArrayD<T>> {
        T::unwrap_any(self).map_err(|other| Error::DTypeMismatch {
            context: "AnyArray::into_typed".into(),
            expected: T::DTYPE,
            found: other.dtype(),
        })
    }

    /// Borrows as a typed array.
    ///
    /// # Errors
    ///
    /// [`Error::DTypeMismatch`] when the array holds another element type.
    pub fn as_typed<T: Element>(&self) -> Result<&ArrayD<T>> {
        T::peek(self).ok_or_else(|| Error::DTypeMismatch {
            context: "AnyArray::as_typed".into(),
            expected: T::DTYPE,
            found: self.dtype(),
        })
    }

    /// The array converted to `dtype` (itself, without a copy, when it has that dtype).
    #[must_use]
    pub(crate) fn cast_into(self, dtype: DType) -> AnyArray {
        if self.dtype() == dtype {
            self
        } else {
            self.cast(dtype)
        }
    }

    /// Converts every element to `dtype` with NumPy `astype` rules.
    #[must_use]
    pub fn cast(&self, dtype: DType) -> AnyArray {
        dispatch_any!(self, a, S => crate::element::with_dtype!(dtype, D => {
            D::wrap(a.mapv(|v: S| v.cast::<D>()))
        }))
    }

    /// Sum of all elements as `f64` (`true` counts 1), the checksum `chunkwise bench`
    /// reports.
    #[must_use]
    pub fn sum_f64(&self) -> f64 {
        dispatch_any!(self, a, T => pairwise_sum(a.iter().map(|v: &T| v.cast::<f64>())))
    }

    /// True when the array is in standard (C-contiguous) layout.
    pub(crate) fn is_standard_layout(&self) -> bool {
        crate::any_array::dispatch_any!(self, a, _T => a.is_standard_layout())
    }

    /// This array in standard (C-contiguous) layout: itself when it already is, else a
    /// copy.
    pub(crate) fn standard_layout(&self) -> std::borrow::Cow<'_, AnyArray> {
        crate::any_array::dispatch_any!(self, a, T => {
            if a.is_standard_layout() {
                std::borrow::Cow::Borrowed(self)
            } else {
                std::borrow::Cow::Owned(T::wrap(a.as_standard_layout().into_owned()))
            }
        })
    }
}

/// Pairwise sum of any sequence of `f64`, in blocks of 1024 (a checksum's accuracy: the
/// rounding error grows with the logarithm of the count, not the count).
fn pairwise_sum(values: impl Iterator<Item = f64>) -> f64 {
    // NumPy's scheme, as the sum kernels use it: 8 accumulators up to 128 values, and
    // halves (at a multiple of 8) above.
    fn halves(xs: &[f64]) -> f64 {
        if xs.len() <= 128 {
            let mut acc = [0.0; 8];
            let chunks = xs.chunks_exact(8);
            let rest = chunks.remainder();
            for c in chunks {
                for i in 0..8 {
                    acc[i] += c[i];
                }
            }
            let mut r =
                ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
            for &x in rest {
                r += x;
            }
            return r;
        }
        let half = xs.len() / 2 / 8 * 8;
        halves(&xs[..half]) + halves(&xs[half..])
    }
    let mut block = Vec::with_capacity(1024);
    let mut partials = Vec::new();
    for v in values {
        block.push(v);
        if block.len() == 1024 {
            partials.push(halves(&block));
            block.clear();
        }
    }
    partials.push(halves(&block));
    halves(&partials)
}
