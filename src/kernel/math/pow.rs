//! `pow` (elementwise and scalar exponent) and `sqrt` lane functions and kernels.
//!
//! `x^y = e^(y ln x)`, where an error of `ε` in `y ln x` becomes a relative error `ε` in
//! the result, and `|y ln x|` reaches 745: the logarithm must be good to about 2^-70
//! relative, beyond one `f64`. It is computed in double-double: `x = 2^k (1 + f)`,
//! `s = f/(2+f)` as `sh + sl` (one division and an exact residual), and
//! `ln(1+f) = 2s + (2/3)s^3 + s^5 T(s^2)` with `s^3` and `2/3` in two parts and `T` a
//! near-minimax polynomial (degree 7, fitted for this module); `k ln2` is added in two
//! parts. The product `y ln x` is taken exactly ([`two_prod`]) and fed with its low
//! part into `exp_log::exp_parts`.
//!
//! The vector path takes bases in `(0, inf)` and exponents below `1e300`; other lanes (zero,
//! negative or non-finite bases, infinite or NaN exponents: the cases of C99's table,
//! and negative bases with integer exponents) are recomputed by `std::powf`, so they
//! are exactly std's. `f32` computes `e^(y ln x)` in plain `f64`, whose error (below
//! 2^-45 for results in `f32` range) is far below an `f32` ulp.

use super::exp_log::{exp_lane, exp_parts, ln_lane, log_decompose, LN2_HI, LN2_LO};
use super::prim::{fast_two_sum, horner, mla, scale, two_prod};
use super::{binary_kernel, unary_kernel};

/// `T(z) ~ (2 atanh(s) - 2s - 2s^3/3) / s^5` with `z = s^2` on `[0, 0.0295]`.
const LOG_TAIL: [f64; 8] = [
    0.4,
    0.285_714_285_714_293_7,
    0.222_222_222_216_527_65,
    0.181_818_183_360_998_48,
    0.153_845_948_870_071_8,
    0.133_348_087_988_123_4,
    0.117_061_264_645_633_98,
    0.117_243_270_608_467_47,
];
const TWO_THIRDS_HI: f64 = 0.666_666_666_666_666_6;
const TWO_THIRDS_LO: f64 = 3.700_743_415_417_188e-17;

/// `ln(x) = lh + ll` to about 2^-70 relative, for `x` in `(0, inf)`.
#[inline(always)]
fn ln_dd<const FMA: bool>(x: f64) -> (f64, f64) {
    let (f, dk) = log_decompose(x);
    // s = f / (2 + f) = sh + sl
    let (dh, dl) = fast_two_sum(2.0, f);
    let inv = 1.0 / dh;
    let sh = f * inv;
    let (p, pe) = two_prod::<FMA>(sh, dh);
    let sl = mla::<FMA>(-sh, dl, (f - p) - pe) * inv;
    // s^3 = (b, be)
    let (a, ae) = two_prod::<FMA>(sh, sh);
    let ae = mla::<FMA>(2.0 * sh, sl, ae);
    let (b, be) = two_prod::<FMA>(a, sh);
    let be = mla::<FMA>(a, sl, mla::<FMA>(ae, sh, be));
    // 2/3 + s^2 T(s^2) = (qh, ql)
    let s2 = sh * sh;
    let (qh, ql) = fast_two_sum(TWO_THIRDS_HI, s2 * horner::<FMA, 8>(s2, &LOG_TAIL));
    let ql = ql + TWO_THIRDS_LO;
    // s^3 (2/3 + ...) = (ph, pl)
    let (ph, pl) = two_prod::<FMA>(b, qh);
    let pl = mla::<FMA>(b, ql, mla::<FMA>(be, qh, pl));
    // 2s + that, then k ln2
    let (u, ue) = fast_two_sum(2.0 * sh, ph);
    let ue = ue + (pl + 2.0 * sl);
    let (lh, e1) = fast_two_sum(dk * LN2_HI, u);
    (lh, mla::<FMA>(dk, LN2_LO, e1 + ue))
}

/// `x^y` for `x` in `(0, inf)` and `|y| < 1e300`.
#[inline(always)]
pub(super) fn pow_lane<const FMA: bool>(x: f64, y: f64) -> f64 {
    let (lh, ll) = ln_dd::<FMA>(x);
    let (wh, wl) = two_prod::<FMA>(y, lh);
    let wl = mla::<FMA>(y, ll, wl);
    // Past these the result is inf or 0 whatever the low part.
    let over = wh > 710.0;
    let under = wh < -746.0;
    let w = if over {
        710.0
    } else if under {
        -746.0
    } else {
        wh
    };
    let wl = if over || under { 0.0 } else { wl };
    let (h, l, k) = exp_parts::<FMA>(w, wl);
    scale(h + l, k)
}

/// Lanes `pow_lane` leaves to std: bases not in `(0, inf)`, and exponents not finite or
/// beyond `1e300` (where the result is 0, 1 or inf, and the exact product's splitting
/// without FMA would overflow).
#[inline(always)]
fn pow_special(x: f64, y: f64) -> bool {
    !(x > 0.0 && x < f64::INFINITY && y.abs() < 1e300)
}

#[inline(always)]
fn pow_lane_f32<const FMA: bool>(x: f32, y: f32) -> f32 {
    exp_lane::<FMA>(f64::from(y) * ln_lane::<FMA>(f64::from(x))) as f32
}

#[inline(always)]
fn pow_special_f32(x: f32, y: f32) -> bool {
    pow_special(f64::from(x), f64::from(y))
}

binary_kernel! {
    /// `x^y` elementwise: within 1 ulp for positive finite bases and finite exponents;
    /// every other case (`0^y`, negative bases, `inf`, NaN) exactly as `std::powf`.
    pow_f64, pow_f64_portable: f64, (x, y), pow_lane,
    special = pow_special, fallback = f64::powf,
}
binary_kernel! {
    /// `x^y` elementwise in `f32`, from `e^(y ln x)` in `f64`: within 1 ulp; other
    /// cases as `std`.
    pow_f32, pow_f32_portable: f32, (x, y), pow_lane_f32,
    special = pow_special_f32, fallback = f32::powf,
}

/// Generates `$name(x, y, out)`: `x^y` for one exponent, with exact shortcuts for the
/// exponents 0, 1, 2 and -1 (std's results, without a `pow`).
macro_rules! powf_scalar_kernel {
    ($(#[$doc:meta])* $name:ident: $t:ty, $lane:ident, $special:ident) => {
        $(#[$doc])*
        ///
        /// Processes `min(x.len(), out.len())` elements (debug builds assert the lengths
        /// are equal).
        pub(crate) fn $name(x: &[$t], y: $t, out: &mut [$t]) {
            #[multiversion::multiversion(targets(
                "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
                "x86_64+avx2+fma",
                "aarch64+neon",
            ))]
            fn dispatch(x: &[$t], y: $t, out: &mut [$t]) {
                const FMA: bool = multiversion::target::target_cfg_f!(target_feature = "fma")
                    || cfg!(target_arch = "aarch64");
                if y == 0.0 {
                    out.fill(1.0);
                } else if y == 1.0 {
                    out.copy_from_slice(x);
                } else if y == 2.0 {
                    for (o, &v) in out.iter_mut().zip(x) {
                        *o = v * v;
                    }
                } else if y == -1.0 {
                    for (o, &v) in out.iter_mut().zip(x) {
                        *o = 1.0 / v;
                    }
                } else {
                    super::map_unary(
                        x,
                        out,
                        |v| $lane::<FMA>(v, y),
                        |v| $special(v, y),
                        |v| v.powf(y),
                    );
                }
            }
            debug_assert_eq!(x.len(), out.len(), concat!(stringify!($name), ": lengths differ"));
            let n = x.len().min(out.len());
            dispatch(&x[..n], y, &mut out[..n]);
        }
    };
}

powf_scalar_kernel! {
    /// `x^y` elementwise for one exponent `y`: as [`pow_f64`].
    powf_scalar_f64: f64, pow_lane, pow_special
}
powf_scalar_kernel! {
    /// `x^y` elementwise for one exponent `y`: as [`pow_f32`].
    powf_scalar_f32: f32, pow_lane_f32, pow_special_f32
}

#[inline(always)]
fn sqrt_lane<const FMA: bool>(x: f64) -> f64 {
    x.sqrt()
}

#[inline(always)]
fn sqrt_lane_f32<const FMA: bool>(x: f32) -> f32 {
    x.sqrt()
}

unary_kernel! {
    /// The square root elementwise, correctly rounded (the hardware instruction).
    sqrt_f64, sqrt_f64_portable: f64, sqrt_lane,
    special = |_| false, fallback = f64::sqrt,
}
unary_kernel! {
    /// The square root elementwise, correctly rounded.
    sqrt_f32, sqrt_f32_portable: f32, sqrt_lane_f32,
    special = |_| false, fallback = f32::sqrt,
}
