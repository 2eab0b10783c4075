//! Kernels that move data without computing on it: slicing a block, transposing it,
//! adding or removing length-1 axes, and assembling a block from pieces of others
//! (rechunk, and the final result of `compute`).
//!
//! Every output is a fresh array in standard (C) layout, which the other kernels rely on.

use ndarray::{ArrayD, Axis, IxDyn, SliceInfo, SliceInfoElem};

use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::Element;
use crate::error::{Error, Result};

const CONTEXT: &str = "kernel::copy";

/// Copies the box of `x` at `start` of `shape`, broadcast (NumPy rules) to `to`, into
/// the first elements of `out` (a register of `x`'s dtype) in C order.
pub(crate) fn broadcast_window_into(
    x: &AnyArray,
    start: &[usize],
    shape: &[usize],
    to: &[usize],
    out: &mut AnyArray,
) -> Result<()> {
    const CONTEXT: &str = "kernel::copy";
    let len: usize = to.iter().product();
    crate::any_array::dispatch_any!(x, a, T => {
        if start.len() != a.ndim() || (0..start.len()).any(|d| start[d] + shape[d] > a.shape()[d]) {
            return Err(Error::internal(CONTEXT, format!(
                "window {start:?}+{shape:?} outside a block of {:?}", a.shape())));
        }
        let window = a.slice_each_axis(|ax| {
            let d = ax.axis.index();
            ndarray::Slice::from(start[d]..start[d] + shape[d])
        });
        if shape == to {
            // No broadcast: a contiguous window is one memcpy.
            if let (Some(from), Some(target)) = (
                window.as_slice(),
                T::peek_mut(out).and_then(|o| o.as_slice_mut()).and_then(|o| o.get_mut(..len)),
            ) {
                target.copy_from_slice(from);
                return Ok(());
            }
        }
        let from = window.broadcast(ndarray::IxDyn(to)).ok_or_else(|| {
            Error::internal(CONTEXT, format!("window of {shape:?} does not broadcast to {to:?}"))
        })?;
        let target = T::peek_mut(out)
            .and_then(|o| o.as_slice_mut())
            .and_then(|o| o.get_mut(..len))
            .ok_or_else(|| Error::internal(CONTEXT, "register of another dtype or too short"))?;
        let mut target = ndarray::ArrayViewMutD::from_shape(ndarray::IxDyn(to), target)
            .map_err(|e| Error::internal(CONTEXT, e.to_string()))?;
        target.assign(&from);
        Ok(())
    })
}

/// The part of `x` that `info` selects, as a new standard-layout array.
pub(crate) fn slice_block(x: &AnyArray, info: &[SliceInfoElem]) -> Result<AnyArray> {
    let info: SliceInfo<Vec<SliceInfoElem>, IxDyn, IxDyn> = SliceInfo::try_from(info.to_vec())
        .map_err(|e| Error::internal(CONTEXT, format!("bad block index: {e}")))?;
    Ok(crate::any_array::dispatch_any!(x, a, T => T::wrap(owned_copy(&a.slice(info.as_ref())))))
}

/// `x` with its axes permuted, as a new standard-layout array.
pub(crate) fn transpose_block(x: &AnyArray, perm: &[usize]) -> AnyArray {
    crate::any_array::dispatch_any!(x, a, T => T::wrap(owned_copy(&a.view().permuted_axes(IxDyn(perm)))))
}

/// `x` with a new length-1 axis at `axis`.
pub(crate) fn expand_dims_block(x: &AnyArray, axis: usize) -> AnyArray {
    crate::any_array::dispatch_any!(x, a, T => T::wrap(owned_copy(&a.view().insert_axis(Axis(axis)))))
}

/// `x` without the length-1 axes `axes`.
pub(crate) fn squeeze_block(x: &AnyArray, axes: &[usize]) -> Result<AnyArray> {
    let shape: Vec<usize> = x
        .shape()
        .iter()
        .enumerate()
        .filter(|(d, _)| !axes.contains(d))
        .map(|(_, &n)| n)
        .collect();
    reshape_block(x.clone(), &shape)
}

/// `x` (standard layout) viewed with another shape of the same length.
pub(crate) fn reshape_block(x: AnyArray, shape: &[usize]) -> Result<AnyArray> {
    crate::any_array::dispatch_any!(x, a, T => {
        let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
        a.into_shape_with_order(IxDyn(shape))
            .map(T::wrap)
            .map_err(|e| Error::internal(CONTEXT, format!("reshape to {shape:?}: {e}")))
    })
}

/// A standard-layout copy of `view`, in a (possibly pooled) buffer.
fn owned_copy<T: Element>(view: &ndarray::ArrayViewD<'_, T>) -> ArrayD<T> {
    if let Some(s) = view.as_slice() {
        let v = super::pool::collect(s.len(), s.iter().copied());
        return ArrayD::from_shape_vec(view.raw_dim(), v).expect("length matches shape");
    }
    let mut out = super::pool::array_like::<T>(view.shape());
    out.assign(view);
    out
}

/// A piece of a larger array: a block and where it starts.
pub(crate) struct Piece<'a> {
    pub(crate) data: &'a AnyArray,
    pub(crate) start: Vec<usize>,
}

/// The block of `shape` starting at `start`, copied out of the `pieces` that overlap it.
///
/// Pieces must cover the block; their overlap with it is copied, the rest of each piece is
/// ignored.
pub(crate) fn assemble(
    dtype: crate::element::DType,
    start: &[usize],
    shape: &[usize],
    pieces: &[Piece<'_>],
) -> Result<AnyArray> {
    if let [only] = pieces {
        if only.start == start && only.data.shape() == shape {
            return Ok(only.data.clone());
        }
    }
    crate::element::with_dtype!(dtype, T => {
        let len = shape.iter().product();
        let mut v = super::pool::vec_with_capacity::<T>(len);
        v.resize(len, T::default());
        let mut out = ArrayD::from_shape_vec(IxDyn(shape), v).expect("length matches shape");
        for p in pieces {
            let src = T::peek(p.data).ok_or_else(|| {
                Error::internal(CONTEXT, format!("piece of dtype {} in a {} block", p.data.dtype(), dtype))
            })?;
            copy_overlap(&mut out, start, src, &p.start);
        }
        Ok(T::wrap(out))
    })
}

/// Copies the overlap of `src` (starting at `src_start`) into `dst` (starting at
/// `dst_start`), both in whole-array coordinates.
fn copy_overlap<T: Copy>(
    dst: &mut ArrayD<T>,
    dst_start: &[usize],
    src: &ArrayD<T>,
    src_start: &[usize],
) {
    let mut dst_info = Vec::with_capacity(dst.ndim());
    let mut src_info = Vec::with_capacity(dst.ndim());
    for d in 0..dst.ndim() {
        let lo = dst_start[d].max(src_start[d]);
        let hi = (dst_start[d] + dst.shape()[d]).min(src_start[d] + src.shape()[d]);
        if lo >= hi && dst.shape()[d] > 0 {
            return;
        }
        let hi = hi.max(lo);
        #[allow(clippy::cast_possible_wrap)]
        {
            dst_info.push(SliceInfoElem::from(ndarray::Slice::new(
                (lo - dst_start[d]) as isize,
                Some((hi - dst_start[d]) as isize),
                1,
            )));
            src_info.push(SliceInfoElem::from(ndarray::Slice::new(
                (lo - src_start[d]) as isize,
                Some((hi - src_start[d]) as isize),
                1,
            )));
        }
    }
    let dst_info: SliceInfo<_, IxDyn, IxDyn> = SliceInfo::try_from(dst_info).expect("ranges only");
    let src_info: SliceInfo<_, IxDyn, IxDyn> = SliceInfo::try_from(src_info).expect("ranges only");
    dst.slice_mut(dst_info.as_ref())
        .assign(&src.slice(src_info.as_ref()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn assemble_copies_overlaps() {
        let a = AnyArray::from(array![[1, 2], [3, 4]].into_dyn());
        let b = AnyArray::from(array![[5], [6]].into_dyn());
        let pieces = [
            Piece {
                data: &a,
                start: vec![0, 0],
            },
            Piece {
                data: &b,
                start: vec![0, 2],
            },
        ];
        let out = assemble(crate::element::DType::I32, &[1, 1], &[1, 2], &pieces).unwrap();
        assert_eq!(out, AnyArray::from(array![[4, 6]].into_dyn()));
    }

    #[test]
    fn transpose_gives_standard_layout() {
        let a = AnyArray::from(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn());
        let t = transpose_block(&a, &[1, 0]);
        let t = t.into_typed::<f64>().unwrap();
        assert!(t.is_standard_layout());
        assert_eq!(t, array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]].into_dyn());
    }
}
