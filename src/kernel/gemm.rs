//! [`Gemm`], the arithmetic of every block product: `c += a · b` on 2-d views of one
//! element type, and its symmetric form `c += a · aᵀ` ([`syrk_acc`]) that computes only
//! the upper half of the panels.
//!
//! Where it sits: the matrix-product kernels of `crate::blocks` (matmul, tensordot,
//! einsum, `x @ x.T`) reduce each pair of blocks to 2-d (or batched 2-d) views and call
//! these; nothing here knows about blocks or graphs.
//!
//! Floats run the `gemm` crate's kernels (AVX-512 or AVX2+FMA, chosen at run time; one
//! thread, since parallelism is across tasks). Integers wrap on overflow and `bool` is
//! `or` of `and`s, as NumPy's `matmul` of those dtypes: both are plain loops in `i, k, j`
//! order over contiguous rows, which the compiler vectorizes.

#![allow(
    clippy::needless_pass_by_value,
    reason = "ndarray views are cheap handles, passed by value as ndarray itself does"
)]

use ndarray::{s, ArrayView2, ArrayViewMut2, Zip};

use crate::element::{Element, NumElement};

/// An element type with a matrix product: every [`Element`].
pub(crate) trait Gemm: Element {
    /// `c += a · b`, for `a` of shape `(m, k)`, `b` of `(k, n)` and `c` of `(m, n)`.
    fn gemm_acc(a: ArrayView2<'_, Self>, b: ArrayView2<'_, Self>, c: ArrayViewMut2<'_, Self>);
}

macro_rules! float_gemm_impl {
    ($($t:ty),*) => {$(
        impl Gemm for $t {
            fn gemm_acc(a: ArrayView2<'_, $t>, b: ArrayView2<'_, $t>, c: ArrayViewMut2<'_, $t>) {
                float_gemm(a, b, c);
            }
        }
    )*};
}
float_gemm_impl!(f32, f64);

macro_rules! int_gemm_impl {
    ($($t:ty),*) => {$(
        impl Gemm for $t {
            fn gemm_acc(a: ArrayView2<'_, $t>, b: ArrayView2<'_, $t>, c: ArrayViewMut2<'_, $t>) {
                loop_gemm(a, b, c, |c, a, b| c.add_elem(a.mul_elem(b)));
            }
        }
    )*};
}
int_gemm_impl!(i8, i16, i32, i64, u8, u16, u32, u64);

impl Gemm for bool {
    fn gemm_acc(a: ArrayView2<'_, bool>, b: ArrayView2<'_, bool>, c: ArrayViewMut2<'_, bool>) {
        loop_gemm(a, b, c, |c, a, b| c || (a & b));
    }
}

/// Checks the shapes of `c += a · b`; false when there is nothing to add (an empty
/// inner or outer length).
fn shapes_agree<T>(a: &ArrayView2<'_, T>, b: &ArrayView2<'_, T>, c: &ArrayViewMut2<'_, T>) -> bool {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(
        k == k2 && c.dim() == (m, n),
        "gemm of {:?} and {:?} into {:?}: the caller's shapes disagree",
        a.dim(),
        b.dim(),
        c.dim()
    );
    m > 0 && n > 0 && k > 0
}

/// `c += a · b` through the `gemm` crate.
fn float_gemm<T: Element + num_traits::One + std::ops::Add<Output = T>>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    mut c: ArrayViewMut2<'_, T>,
) {
    if !shapes_agree(&a, &b, &c) {
        return;
    }
    // Negative strides are legal in ndarray and in `gemm`, but a standard copy costs
    // little next to the product and keeps the pointer arithmetic below trivially in
    // bounds; a zero stride (a broadcast operand) is read as is.
    let a_copy;
    let b_copy;
    let a = if a.strides().iter().any(|&s| s < 0) {
        a_copy = a.as_standard_layout().into_owned();
        a_copy.view()
    } else {
        a
    };
    let b = if b.strides().iter().any(|&s| s < 0) {
        b_copy = b.as_standard_layout().into_owned();
        b_copy.view()
    } else {
        b
    };
    let dst_ok = c.strides().iter().all(|&s| s > 0);
    if !dst_ok {
        // A destination with zero or negative strides: compute into a fresh one.
        let mut tmp = ndarray::Array2::<T>::from_elem(c.dim(), T::default());
        float_gemm_raw(&a, &b, &mut tmp.view_mut(), false);
        Zip::from(&mut c).and(&tmp).for_each(|c, &t| *c = *c + t);
        return;
    }
    float_gemm_raw(&a, &b, &mut c, true);
}

/// The one call into `gemm`: `c = (read_dst ? c : 0) + a · b`, on views whose strides
/// are non-negative (and positive for `c`).
#[allow(unsafe_code)]
fn float_gemm_raw<T: Element + num_traits::One>(
    a: &ArrayView2<'_, T>,
    b: &ArrayView2<'_, T>,
    c: &mut ArrayViewMut2<'_, T>,
    read_dst: bool,
) {
    let ((m, k), (_, n)) = (a.dim(), b.dim());
    let (sa, sb) = (a.strides(), b.strides());
    let (sc0, sc1) = (c.strides()[0], c.strides()[1]);
    // SAFETY: every pointer comes from a live ndarray view of exactly the dimensions
    // passed (m×k, k×n, m×n) with the strides passed, which are non-negative (checked
    // by the caller), so every element `gemm` addresses, `ptr + i*rs + j*cs` for `i, j`
    // within those dimensions, is an element of that view. `c` is borrowed mutably and
    // cannot alias `a` or `b` (shared borrows of other arrays). `gemm` is told to run
    // on this thread only (`Parallelism::None`). `T` is `f32` or `f64` here (the only
    // implementors that call this), which `gemm` supports.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            sc1,
            sc0,
            read_dst,
            a.as_ptr(),
            sa[1],
            sa[0],
            b.as_ptr(),
            sb[1],
            sb[0],
            T::one(),
            T::one(),
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `c[i, j] = step(c[i, j], a[i, k], b[k, j])` over every `k`, in `i, k, j` order: the
/// rows of `b` and `c` are walked contiguously.
fn loop_gemm<T: Element>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
    mut c: ArrayViewMut2<'_, T>,
    step: impl Fn(T, T, T) -> T,
) {
    if !shapes_agree(&a, &b, &c) {
        return;
    }
    let b = b.as_standard_layout();
    let (m, k) = a.dim();
    for i in 0..m {
        let mut row = c.row_mut(i);
        for kk in 0..k {
            let aik = a[[i, kk]];
            let brow = b.row(kk);
            if let (Some(r), Some(br)) = (row.as_slice_mut(), brow.as_slice()) {
                for (cv, &bv) in r.iter_mut().zip(br) {
                    *cv = step(*cv, aik, bv);
                }
            } else {
                Zip::from(&mut row)
                    .and(&brow)
                    .for_each(|cv, &bv| *cv = step(*cv, aik, bv));
            }
        }
    }
}

/// The panel length of [`syrk_acc`] for `m` rows: four panels or so, none shorter than
/// 128 rows (shorter products lose more to packing than symmetry saves).
fn panel_len(m: usize) -> usize {
    m.div_ceil(4).max(128)
}

/// `c += a · aᵀ` for `a` of shape `(m, k)` and `c` of `(m, m)`, computing only the
/// panels on and above the diagonal: with four panels, 10 of 16 products. The panels
/// below the diagonal are left as they were; [`mirror_lower`] fills them once every
/// product has been added.
pub(crate) fn syrk_acc<T: Gemm>(a: ArrayView2<'_, T>, mut c: ArrayViewMut2<'_, T>) {
    let m = a.nrows();
    let p = panel_len(m);
    let mut i0 = 0;
    while i0 < m {
        let i1 = (i0 + p).min(m);
        let mut j0 = i0;
        while j0 < m {
            let j1 = (j0 + p).min(m);
            T::gemm_acc(
                a.slice(s![i0..i1, ..]),
                a.slice(s![j0..j1, ..]).reversed_axes(),
                c.slice_mut(s![i0..i1, j0..j1]),
            );
            j0 = j1;
        }
        i0 = i1;
    }
}

/// Fills the panels below the diagonal of `c` (of shape `(m, m)`) with the transposes
/// of those above, after [`syrk_acc`].
pub(crate) fn mirror_lower<T: Element>(mut c: ArrayViewMut2<'_, T>) {
    let m = c.nrows();
    let p = panel_len(m);
    let mut i0 = p;
    while i0 < m {
        let i1 = (i0 + p).min(m);
        for j in 0..i0 {
            for i in i0..i1 {
                c[[i, j]] = c[[j, i]];
            }
        }
        i0 = i1;
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, ShapeBuilder};

    use super::*;

    fn naive<T: NumElement>(a: &Array2<T>, b: &Array2<T>) -> Array2<T> {
        let (m, k) = a.dim();
        let n = b.ncols();
        Array2::from_shape_fn((m, n), |(i, j)| {
            (0..k).fold(T::ZERO, |acc, kk| {
                acc.add_elem(a[[i, kk]].mul_elem(b[[kk, j]]))
            })
        })
    }

    #[test]
    fn float_products_match_a_naive_loop_in_any_layout() {
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (37, 19, 41), (130, 7, 3), (4, 0, 3)] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| (i * 7 + j * 3) as f64 % 5.0 - 2.0);
            let b = Array2::from_shape_fn((k, n), |(i, j)| (i * 2 + j * 5) as f64 % 3.0 - 1.0);
            let want = naive(&a, &b);
            let mut c = Array2::<f64>::zeros((m, n));
            f64::gemm_acc(a.view(), b.view(), c.view_mut());
            assert_eq!(c, want);
            // Fortran-ordered operands, a reversed one, and accumulation into `c`.
            let af = a.as_standard_layout().to_owned().reversed_axes();
            let mut at = Array2::<f64>::zeros((k, m).f());
            at.assign(&af);
            let brev = b.slice(s![..;-1, ..]).to_owned();
            let mut c2 = want.clone();
            f64::gemm_acc(at.t(), brev.slice(s![..;-1, ..]), c2.view_mut());
            assert_eq!(c2, &want * 2.0);
        }
    }

    #[test]
    fn integer_products_wrap_and_bool_products_are_or_of_and() {
        let a = Array2::from_shape_fn((3, 4), |(i, j)| (100 + i * 10 + j) as u8);
        let b = Array2::from_shape_fn((4, 2), |(i, j)| (200 - i * 3 - j) as u8);
        let mut c = Array2::<u8>::zeros((3, 2));
        u8::gemm_acc(a.view(), b.view(), c.view_mut());
        assert_eq!(c, naive(&a, &b));
        let x = ndarray::array![[true, false], [false, false]];
        let y = ndarray::array![[false, true], [true, true]];
        let mut z = Array2::from_elem((2, 2), false);
        bool::gemm_acc(x.view(), y.view(), z.view_mut());
        assert_eq!(z, ndarray::array![[false, true], [false, false]]);
    }

    #[test]
    fn syrk_and_mirror_give_the_full_symmetric_product() {
        for &(m, k) in &[(1, 3), (129, 5), (300, 17), (513, 2)] {
            let a = Array2::from_shape_fn((m, k), |(i, j)| ((i * 13 + j * 7) % 11) as i64 - 5);
            let want = naive(&a, &a.t().to_owned());
            let mut c = Array2::<i64>::zeros((m, m));
            syrk_acc(a.view(), c.view_mut());
            syrk_acc(a.view(), c.view_mut());
            mirror_lower(c.view_mut());
            assert_eq!(c, &want * 2);
        }
    }
}
