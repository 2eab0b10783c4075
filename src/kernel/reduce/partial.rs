//! [`Partial`], the running state of a reduction over part of its input: a few arrays
//! (its fields) of the input block's shape with the reduced axes cut to length 1.
//!
//! What the fields mean is each reduction's own business (`sum` keeps one, `mean` a sum
//! and a count, `var` a count, a mean and the squared deviations, `argmin` a value and an
//! index, `ptp` a minimum and a maximum); this module only holds them and gives typed,
//! windowed access for merging.

use ndarray::{ArrayD, ArrayViewMutD, Zip};
use smallvec::SmallVec;

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::Element;
use crate::error::{Error, Result};

const CONTEXT: &str = "kernel::reduce";

/// The running state of a reduction: its fields, all of one shape.
#[derive(Clone, Debug)]
pub(crate) struct Partial {
    fields: SmallVec<[AnyArray; 3]>,
}

impl Partial {
    /// A partial of these fields (all of one shape).
    pub(crate) fn new(fields: impl IntoIterator<Item = AnyArray>) -> Partial {
        Partial {
            fields: fields.into_iter().collect(),
        }
    }

    /// A partial of one field.
    pub(crate) fn one(field: AnyArray) -> Partial {
        Partial::new([field])
    }

    /// Number of axes (the input's: reduced axes are kept with length 1).
    pub(crate) fn ndim(&self) -> usize {
        self.fields.first().map_or(0, |f| f.shape().len())
    }

    /// Bytes of data held.
    pub(crate) fn nbytes(&self) -> usize {
        self.fields.iter().map(AnyArray::nbytes).sum()
    }

    /// Field `i`.
    pub(crate) fn field(&self, i: usize) -> Result<&AnyArray> {
        self.fields
            .get(i)
            .ok_or_else(|| Error::internal(CONTEXT, format!("a partial without field {i}")))
    }

    /// Field `i`, mutably.
    pub(crate) fn field_mut(&mut self, i: usize) -> Result<&mut AnyArray> {
        self.fields
            .get_mut(i)
            .ok_or_else(|| Error::internal(CONTEXT, format!("a partial without field {i}")))
    }

    /// Field `i` as a typed array.
    pub(crate) fn typed<T: Element>(&self, i: usize) -> Result<&ArrayD<T>> {
        let f = self.field(i)?;
        T::peek(f).ok_or_else(|| mismatch::<T>(f))
    }

    /// Field `i` as a typed array, mutably.
    pub(crate) fn typed_mut<T: Element>(&mut self, i: usize) -> Result<&mut ArrayD<T>> {
        let f = self.field_mut(i)?;
        let dtype = f.dtype();
        T::peek_mut(f).ok_or_else(|| {
            Error::internal(
                CONTEXT,
                format!("partial field of dtype {dtype}, expected {}", T::DTYPE),
            )
        })
    }

    /// The fields.
    pub(crate) fn fields(&self) -> &[AnyArray] {
        &self.fields
    }

    /// The fields, mutably (to update several at once).
    pub(crate) fn fields_mut(&mut self) -> &mut [AnyArray] {
        &mut self.fields
    }
}

fn mismatch<T: Element>(f: &AnyArray) -> Error {
    Error::internal(
        CONTEXT,
        format!(
            "partial field of dtype {}, expected {}",
            f.dtype(),
            T::DTYPE
        ),
    )
}

/// `acc`'s box of `shape` at `offset`.
pub(crate) fn window<'a, A>(
    acc: &'a mut ArrayD<A>,
    offset: &[usize],
    shape: &[usize],
) -> Result<ArrayViewMutD<'a, A>> {
    if acc.ndim() != shape.len() || (0..shape.len()).any(|d| offset[d] + shape[d] > acc.shape()[d])
    {
        return Err(Error::internal(
            CONTEXT,
            format!(
                "partial of shape {shape:?} at {offset:?} outside {:?}",
                acc.shape()
            ),
        ));
    }
    Ok(acc.slice_each_axis_mut(|ax| {
        let d = ax.axis.index();
        ndarray::Slice::from(offset[d]..offset[d] + shape[d])
    }))
}

/// Merges `other` into the box of `acc` at `offset`, element by element with `f`.
pub(crate) fn zip_at<A: Copy, B: Copy>(
    acc: &mut ArrayD<A>,
    other: &ArrayD<B>,
    offset: &[usize],
    f: impl Fn(A, B) -> A,
) -> Result<()> {
    let view = window(acc, offset, other.shape())?;
    Zip::from(view).and(other).for_each(|a, &b| *a = f(*a, b));
    Ok(())
}

/// Merges field `i` of `other` into field `i` of `acc` at `offset` with `f`, for fields
/// of the element type `T`.
pub(crate) fn merge_field<T: Element>(
    acc: &mut Partial,
    other: &Partial,
    i: usize,
    offset: &[usize],
    f: impl Fn(T, T) -> T,
) -> Result<()> {
    let b = other.typed::<T>(i)?;
    let a = acc.typed_mut::<T>(i)?;
    zip_at(a, b, offset, f)
}
