//! Vectorized elementwise math over slices: `exp`, `ln`, `sin`, `asin`, `pow`... for
//! `f64` and `f32`, chosen at run time for the CPU (AVX-512, AVX2+FMA, NEON, or portable).
//!
//! The fused kernels (`kernel::fused`) map one function over one cache-sized tile at a
//! time. Calling `f64::asin` per element there costs about 10-20 ns; the functions here
//! take a whole tile, dispatch once on the CPU's features, and run a loop that the
//! compiler vectorizes, at 0.1-2 ns per element (5 for `pow`; the measured table is in
//! `BENCHMARKS.md`, "vectorized math", from `cargo bench --bench math`).
//!
//! # How it works
//!
//! Each function is a *lane function* in one of the family files (`exp_log`, `trig`,
//! `inverse_trig`, `hyperbolic`, `pow`, `rounding`): plain scalar `f64` code with no
//! branches (selects instead), no libm calls and no table lookups, built from the
//! error-free transformations in `prim`. Inlined into a slice loop, LLVM vectorizes it
//! to the full vector width. The algorithms are the classic ones: Cody–Waite range
//! reduction, the FreeBSD msun kernels and rational/polynomial approximations for
//! `log`, `sin`/`cos`/`tan` and `atan`, and near-minimax polynomials (Chebyshev fits,
//! coefficients computed for this module) for `exp`, `asin`/`acos`, `sinh`/`cosh`
//! and the logarithm inside `pow`, which works in double-double to stay within 1 ulp.
//!
//! Dispatch: every kernel is a [`multiversion`] function compiled for
//! `x86_64+avx512{f,dq,vl,bw}` (taken on Ice Lake, Zen 4 and later, whose AVX-512 runs
//! without frequency penalties; older AVX-512 parts take the AVX2 version),
//! `x86_64+avx2+fma`, `aarch64+neon`, and the target's baseline (SSE2 on x86-64). The
//! choice is made at the first call and cached in an atomic function pointer, so each
//! call costs one load and one indirect call, once per tile. Versions with FMA evaluate
//! `a * b + c` fused; the others use separate operations and Dekker products, with the
//! same accuracy bound (the tests run both).
//!
//! Rare inputs that the vector path does not handle (sin/cos/tan arguments beyond
//! `2^20`, zeros and infinities in `atan2`, non-positive or non-finite bases in `pow`)
//! are marked by a cheap test in the same loop and recomputed afterwards by `std`, so
//! they get std's result exactly; a tile without them pays nothing more.
//!
//! # Accuracy
//!
//! Every result is within the bound below of the correctly rounded value; NaN, ±inf, ±0
//! (with its sign), subnormals and domain edges give exactly what `std` gives (a NaN is
//! a NaN; payloads are not kept). For `f64` the tests measure the distance to glibc's
//! result, which is itself within 1 ulp (and nearly always correctly rounded); for `f32`
//! the reference is the `f64` function rounded to `f32`. "Measured" is the largest
//! difference seen over the property tests, the edge lists and the near-multiples of
//! π/2 below `2^20`.
//!
//! | function | f64 bound (tested, ulp) | f32 bound (tested, ulp) | notes |
//! |---|---|---|---|
//! | `exp` | 1 | 1 | overflow above 709.78, 0 below -745.13, as std |
//! | `ln`, `log1p`, `log10` | 1 | 1 | `ln(0) = -inf`, `ln(x < 0) = NaN` |
//! | `sin`, `cos`, `tan` | 1 | 1 | exact reduction for `\|x\| <= 2^20`; std beyond |
//! | `asin`, `acos`, `atan` | 1 | 1 | NaN outside `[-1, 1]` |
//! | `atan2` | 1 | 1 | zeros, infinities and NaN through std |
//! | `sinh`, `cosh`, `tanh` | 1 | 1 | overflow above 710.47 |
//! | `pow`, `powf_scalar` | 1 | 1 | bases `<= 0` or non-finite, and non-finite exponents through std |
//! | `sqrt`, `floor`, `ceil`, `round` | 0 | 0 | `round` is half to even, as NumPy's |
//!
//! `f32` functions run the `f64` lane functions on widened values and round once, so
//! their error is that rounding plus a negligible part (they run at the `f64` vector
//! width).
//!
//! # Calling
//!
//! `fn asin_f64(x: &[f64], out: &mut [f64])` and the like; binary functions take both
//! operands (`atan2_f64(y, x, out)`, `pow_f64(x, y, out)`) or a scalar exponent
//! (`powf_scalar_f64(x, y, out)`). Code generic over the element type uses [`VecMath`];
//! the fused kernels reach it through `kernel::fused::elementwise`, which maps the
//! functions of `crate::ops` to these (this module names nothing outside itself, so
//! `benches/math.rs` can compile it alone). All
//! slices should have the same length: each kernel processes the shortest length and
//! debug builds assert that they are equal.

#![allow(
    clippy::excessive_precision,
    clippy::approx_constant,
    reason = "constants are quoted as published (msun's 21-digit decimals) or as mpmath \
              printed them, next to their low parts; each rounds to the intended double"
)]

mod exp_log;
mod hyperbolic;
mod inverse_trig;
mod pow;
mod prim;
mod rounding;
mod trig;

#[cfg(test)]
mod tests;

pub(crate) use exp_log::{
    exp_f32, exp_f64, ln_f32, ln_f64, log10_f32, log10_f64, log1p_f32, log1p_f64,
};
pub(crate) use hyperbolic::{cosh_f32, cosh_f64, sinh_f32, sinh_f64, tanh_f32, tanh_f64};
pub(crate) use inverse_trig::{
    acos_f32, acos_f64, asin_f32, asin_f64, atan2_f32, atan2_f64, atan_f32, atan_f64,
};
pub(crate) use pow::{pow_f32, pow_f64, powf_scalar_f32, powf_scalar_f64, sqrt_f32, sqrt_f64};
pub(crate) use rounding::{ceil_f32, ceil_f64, floor_f32, floor_f64, round_f32, round_f64};
pub(crate) use trig::{cos_f32, cos_f64, sin_f32, sin_f64, tan_f32, tan_f64};

/// Maps `lane` over `x` into `out` (equal lengths), then recomputes with `fallback` the
/// elements whose input satisfies `special`. Inlined into each dispatched kernel.
#[inline(always)]
fn map_unary<T: Copy>(
    x: &[T],
    out: &mut [T],
    lane: impl Fn(T) -> T,
    special: impl Fn(T) -> bool,
    fallback: impl Fn(T) -> T,
) {
    let mut any = false;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = lane(v);
        any |= special(v);
    }
    if any {
        for (o, &v) in out.iter_mut().zip(x) {
            if special(v) {
                *o = fallback(v);
            }
        }
    }
}

/// Generates a dispatched unary kernel `$name(x, out)` and `$portable::<FMA>(x, out)`, the same loop for a given FMA setting on whatever CPU
/// runs it (what each dispatched version inlines, and what the tests call to check the
/// non-FMA path on an FMA machine).
///
/// `$lane` is a `fn<const FMA: bool>($t) -> $t` in scope; `$special` and `$fallback`
/// are closures over one element (see [`map_unary`]).
macro_rules! unary_kernel {
    ($(#[$doc:meta])* $name:ident, $portable:ident: $t:ty,
     $lane:ident, special = $special:expr, fallback = $fallback:expr $(,)?) => {
        $(#[$doc])*
        ///
        /// Processes `min(x.len(), out.len())` elements (debug builds assert the lengths
        /// are equal).
        pub(crate) fn $name(x: &[$t], out: &mut [$t]) {
            #[multiversion::multiversion(targets(
                "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
                "x86_64+avx2+fma",
                "aarch64+neon",
            ))]
            fn dispatch(x: &[$t], out: &mut [$t]) {
                const FMA: bool = multiversion::target::target_cfg_f!(target_feature = "fma")
                    || cfg!(target_arch = "aarch64");
                $portable::<FMA>(x, out);
            }
            debug_assert_eq!(x.len(), out.len(), concat!(stringify!($name), ": lengths differ"));
            let n = x.len().min(out.len());
            dispatch(&x[..n], &mut out[..n]);
        }

        #[doc = concat!("[`", stringify!($name), "`] with `a * b + c` fused or not, compiled for the caller's target.")]
        #[inline(always)]
        pub(super) fn $portable<const FMA: bool>(x: &[$t], out: &mut [$t]) {
            super::map_unary(
                x,
                out,
                $lane::<FMA>,
                $special,
                $fallback,
            );
        }
    };
}

/// [`unary_kernel`] for two operands: `$name(a, b, out)` and `$portable::<FMA>(a, b, out)`.
macro_rules! binary_kernel {
    ($(#[$doc:meta])* $name:ident, $portable:ident: $t:ty, ($a:ident, $b:ident),
     $lane:ident, special = $special:expr, fallback = $fallback:expr $(,)?) => {
        $(#[$doc])*
        ///
        /// Processes the shortest of the three lengths (debug builds assert they are equal).
        pub(crate) fn $name($a: &[$t], $b: &[$t], out: &mut [$t]) {
            #[multiversion::multiversion(targets(
                "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
                "x86_64+avx2+fma",
                "aarch64+neon",
            ))]
            fn dispatch(a: &[$t], b: &[$t], out: &mut [$t]) {
                const FMA: bool = multiversion::target::target_cfg_f!(target_feature = "fma")
                    || cfg!(target_arch = "aarch64");
                $portable::<FMA>(a, b, out);
            }
            debug_assert!(
                $a.len() == out.len() && $b.len() == out.len(),
                concat!(stringify!($name), ": lengths differ")
            );
            let n = $a.len().min($b.len()).min(out.len());
            dispatch(&$a[..n], &$b[..n], &mut out[..n]);
        }

        #[doc = concat!("[`", stringify!($name), "`] with `a * b + c` fused or not, compiled for the caller's target.")]
        #[inline(always)]
        pub(super) fn $portable<const FMA: bool>(a: &[$t], b: &[$t], out: &mut [$t]) {
            // The loop is spelled out here, not passed `$lane` as a value: LLVM then
            // inlines the lane function into each dispatched version for certain
            // (through a function value it kept a call, unvectorized, 50x slower).
            let mut any = false;
            for ((o, &p), &q) in out.iter_mut().zip(a).zip(b) {
                *o = $lane::<FMA>(p, q);
                any |= $special(p, q);
            }
            if any {
                for ((o, &p), &q) in out.iter_mut().zip(a).zip(b) {
                    if $special(p, q) {
                        *o = $fallback(p, q);
                    }
                }
            }
        }
    };
}

/// Defines `$f32_lane::<FMA>(x: f32) -> f32` as `$f64_lane` on the widened value, rounded.
macro_rules! widen_lane {
    ($f32_lane:ident = $f64_lane:ident) => {
        #[inline(always)]
        fn $f32_lane<const FMA: bool>(x: f32) -> f32 {
            $f64_lane::<FMA>(f64::from(x)) as f32
        }
    };
}

pub(crate) use {binary_kernel, unary_kernel, widen_lane};

/// The kernels of this module for code generic over the element type (`f32`, `f64`).
///
/// Each method is the `_f32` or `_f64` function of the same name, with the same length
/// rule: it processes the shortest of its slices.
pub(crate) trait VecMath: Sized + Copy {
    /// `e^x`.
    fn exp(x: &[Self], out: &mut [Self]);
    /// The natural logarithm.
    fn ln(x: &[Self], out: &mut [Self]);
    /// `ln(1 + x)`, accurate near 0.
    fn log1p(x: &[Self], out: &mut [Self]);
    /// The base-10 logarithm.
    fn log10(x: &[Self], out: &mut [Self]);
    /// The sine.
    fn sin(x: &[Self], out: &mut [Self]);
    /// The cosine.
    fn cos(x: &[Self], out: &mut [Self]);
    /// The tangent.
    fn tan(x: &[Self], out: &mut [Self]);
    /// The inverse sine.
    fn asin(x: &[Self], out: &mut [Self]);
    /// The inverse cosine.
    fn acos(x: &[Self], out: &mut [Self]);
    /// The inverse tangent.
    fn atan(x: &[Self], out: &mut [Self]);
    /// The angle of the point `(x, y)`, in `[-π, π]`.
    fn atan2(y: &[Self], x: &[Self], out: &mut [Self]);
    /// The hyperbolic sine.
    fn sinh(x: &[Self], out: &mut [Self]);
    /// The hyperbolic cosine.
    fn cosh(x: &[Self], out: &mut [Self]);
    /// The hyperbolic tangent.
    fn tanh(x: &[Self], out: &mut [Self]);
    /// The square root.
    fn sqrt(x: &[Self], out: &mut [Self]);
    /// `x^y`, elementwise.
    fn pow(x: &[Self], y: &[Self], out: &mut [Self]);
    /// `x^y` for one exponent `y`.
    fn powf_scalar(x: &[Self], y: Self, out: &mut [Self]);
    /// Rounds down.
    fn floor(x: &[Self], out: &mut [Self]);
    /// Rounds up.
    fn ceil(x: &[Self], out: &mut [Self]);
    /// Rounds to nearest, half to even (NumPy's `round`).
    fn round(x: &[Self], out: &mut [Self]);
}

macro_rules! impl_vec_math {
    ($t:ty, $exp:ident, $ln:ident, $log1p:ident, $log10:ident, $sin:ident, $cos:ident,
     $tan:ident, $asin:ident, $acos:ident, $atan:ident, $atan2:ident, $sinh:ident,
     $cosh:ident, $tanh:ident, $sqrt:ident, $pow:ident, $powf:ident, $floor:ident,
     $ceil:ident, $round:ident) => {
        impl VecMath for $t {
            fn exp(x: &[Self], out: &mut [Self]) {
                $exp(x, out);
            }
            fn ln(x: &[Self], out: &mut [Self]) {
                $ln(x, out);
            }
            fn log1p(x: &[Self], out: &mut [Self]) {
                $log1p(x, out);
            }
            fn log10(x: &[Self], out: &mut [Self]) {
                $log10(x, out);
            }
            fn sin(x: &[Self], out: &mut [Self]) {
                $sin(x, out);
            }
            fn cos(x: &[Self], out: &mut [Self]) {
                $cos(x, out);
            }
            fn tan(x: &[Self], out: &mut [Self]) {
                $tan(x, out);
            }
            fn asin(x: &[Self], out: &mut [Self]) {
                $asin(x, out);
            }
            fn acos(x: &[Self], out: &mut [Self]) {
                $acos(x, out);
            }
            fn atan(x: &[Self], out: &mut [Self]) {
                $atan(x, out);
            }
            fn atan2(y: &[Self], x: &[Self], out: &mut [Self]) {
                $atan2(y, x, out);
            }
            fn sinh(x: &[Self], out: &mut [Self]) {
                $sinh(x, out);
            }
            fn cosh(x: &[Self], out: &mut [Self]) {
                $cosh(x, out);
            }
            fn tanh(x: &[Self], out: &mut [Self]) {
                $tanh(x, out);
            }
            fn sqrt(x: &[Self], out: &mut [Self]) {
                $sqrt(x, out);
            }
            fn pow(x: &[Self], y: &[Self], out: &mut [Self]) {
                $pow(x, y, out);
            }
            fn powf_scalar(x: &[Self], y: Self, out: &mut [Self]) {
                $powf(x, y, out);
            }
            fn floor(x: &[Self], out: &mut [Self]) {
                $floor(x, out);
            }
            fn ceil(x: &[Self], out: &mut [Self]) {
                $ceil(x, out);
            }
            fn round(x: &[Self], out: &mut [Self]) {
                $round(x, out);
            }
        }
    };
}

impl_vec_math!(
    f64,
    exp_f64,
    ln_f64,
    log1p_f64,
    log10_f64,
    sin_f64,
    cos_f64,
    tan_f64,
    asin_f64,
    acos_f64,
    atan_f64,
    atan2_f64,
    sinh_f64,
    cosh_f64,
    tanh_f64,
    sqrt_f64,
    pow_f64,
    powf_scalar_f64,
    floor_f64,
    ceil_f64,
    round_f64
);
impl_vec_math!(
    f32,
    exp_f32,
    ln_f32,
    log1p_f32,
    log10_f32,
    sin_f32,
    cos_f32,
    tan_f32,
    asin_f32,
    acos_f32,
    atan_f32,
    atan2_f32,
    sinh_f32,
    cosh_f32,
    tanh_f32,
    sqrt_f32,
    pow_f32,
    powf_scalar_f32,
    floor_f32,
    ceil_f32,
    round_f32
);
