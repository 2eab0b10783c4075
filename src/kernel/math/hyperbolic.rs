//! `sinh`, `cosh` and `tanh` lane functions and kernels.
//!
//! Below `|x| = 1` (`sinh`) and `1/2` (`cosh`), odd and even near-minimax polynomials
//! (Chebyshev fits of `(sinh a - a)/a^3` and `(cosh a - 1 - a^2/2)/a^4`, relative error
//! 2^-54); above, `e^|x|/2` from `exp_log::exp_parts` in two parts, with `1/(2 e^|x|)`
//! subtracted or added around that sum's rounding error. `tanh(a) = -m/(m + 2)` with
//! `m = expm1(-2a)` carried in double-double and a compensated quotient, for every
//! `a <= 22` (beyond, `tanh` rounds to ±1). glibc documents up to 2 ulp for these three;
//! these stay within 1 ulp of the correctly rounded value by construction, and within 1
//! ulp of glibc on every tested input.

use super::exp_log::exp_parts;
use super::prim::{fast_two_sum, horner, mla, pow2, two_prod, two_sum};
use super::{unary_kernel, widen_lane};

/// `h(z) ~ (sinh a - a) / a^3` with `z = a^2` on `[0, 1]`, lowest degree first.
const SINH_H: [f64; 8] = [
    0.166_666_666_666_666_66,
    0.008_333_333_333_333_333,
    0.000_198_412_698_412_697_73,
    2.755_731_922_404_034e-6,
    2.505_210_836_405_804e-8,
    1.605_904_839_635_056_2e-10,
    7.646_625_361_656_657e-13,
    2.844_526_416_989_528_5e-15,
];

/// `k(z) ~ (cosh a - 1 - a^2/2) / a^4` with `z = a^2` on `[0, 1/4]`, lowest degree first.
const COSH_K: [f64; 6] = [
    0.041_666_666_666_666_664,
    0.001_388_888_888_888_890_5,
    2.480_158_730_151_054_3e-5,
    2.755_731_935_497_036_4e-7,
    2.087_665_596_614_887_4e-9,
    1.150_664_664_362_677_1e-11,
];

/// `e^a / 2 = eh + el` (unnormalized, `|el| < 0.07 eh`) for `0 <= a <= 711` or NaN.
#[inline(always)]
fn half_exp<const FMA: bool>(a: f64) -> (f64, f64) {
    let (h, l, k) = exp_parts::<FMA>(a, 0.0);
    let k = k - 1;
    let k1 = k >> 1;
    let (s1, s2) = (pow2(k1), pow2(k - k1));
    (h * s1 * s2, l * s1 * s2)
}

/// `sinh(x)`.
#[inline(always)]
pub(super) fn sinh_lane<const FMA: bool>(x: f64) -> f64 {
    let a = x.abs();
    let z = a * a;
    let near = mla::<FMA>(a, z * horner::<FMA, 8>(z, &SINH_H), a);
    let ac = if a > 711.0 { 711.0 } else { a };
    let (eh, el) = half_exp::<FMA>(ac);
    // e^a/2 - 1/(2 e^a); past 700 the second term is far below an ulp of the first, and
    // the sum may overflow (the two-sum of an infinity is NaN).
    let inv = 0.25 / (eh + el);
    let (s, e) = two_sum(eh, -inv);
    let far = if a > 700.0 { eh + el } else { s + (e + el) };
    let v = if a < 1.0 { near } else { far };
    v.copysign(x)
}

/// `cosh(x)`.
#[inline(always)]
pub(super) fn cosh_lane<const FMA: bool>(x: f64) -> f64 {
    let a = x.abs();
    let z = a * a;
    let near = mla::<FMA>(z, mla::<FMA>(z, horner::<FMA, 6>(z, &COSH_K), 0.5), 1.0);
    let ac = if a > 711.0 { 711.0 } else { a };
    let (eh, el) = half_exp::<FMA>(ac);
    let inv = 0.25 / (eh + el);
    let far = if a > 700.0 { eh + el } else { eh + (el + inv) };
    if a < 0.5 {
        near
    } else {
        far
    }
}

/// `tanh(x)`.
#[inline(always)]
pub(super) fn tanh_lane<const FMA: bool>(x: f64) -> f64 {
    let a = x.abs();
    let a = if a > 22.0 { 22.0 } else { a };
    // m = e^(-2a) - 1 = (h + l) 2^k - 1 = (h 2^k - 1) + l 2^k, as (mh, ml).
    let (h, l, k) = exp_parts::<FMA>(-2.0 * a, 0.0);
    let p = pow2(k);
    let (mh, e) = two_sum(h * p, -1.0);
    let (mh, ml) = fast_two_sum(mh, mla::<FMA>(l, p, e)); // l is not small: renormalize
                                                          // tanh = -m / (m + 2): d = m + 2 in two parts, then q = m/d compensated.
    let (dh, dl) = fast_two_sum(2.0, mh);
    let dl = dl + ml;
    let rd = 1.0 / dh;
    let qh = mh * rd;
    let (pp, pe) = two_prod::<FMA>(qh, dh);
    let residual = mla::<FMA>(-qh, dl, ((mh - pp) - pe) + ml);
    let v = -mla::<FMA>(residual, rd, qh);
    v.copysign(x)
}

widen_lane!(sinh_lane_f32 = sinh_lane);
widen_lane!(cosh_lane_f32 = cosh_lane);
widen_lane!(tanh_lane_f32 = tanh_lane);

unary_kernel! {
    /// The hyperbolic sine elementwise: within 1 ulp; `±inf` beyond ±710.48.
    sinh_f64, sinh_f64_portable: f64, sinh_lane,
    special = |_| false, fallback = f64::sinh,
}
unary_kernel! {
    /// The hyperbolic sine elementwise, computed in `f64` and rounded: within 1 ulp.
    sinh_f32, sinh_f32_portable: f32, sinh_lane_f32,
    special = |_| false, fallback = f32::sinh,
}
unary_kernel! {
    /// The hyperbolic cosine elementwise: within 1 ulp; `inf` beyond ±710.48.
    cosh_f64, cosh_f64_portable: f64, cosh_lane,
    special = |_| false, fallback = f64::cosh,
}
unary_kernel! {
    /// The hyperbolic cosine elementwise, computed in `f64` and rounded: within 1 ulp.
    cosh_f32, cosh_f32_portable: f32, cosh_lane_f32,
    special = |_| false, fallback = f32::cosh,
}
unary_kernel! {
    /// The hyperbolic tangent elementwise: within 1 ulp.
    tanh_f64, tanh_f64_portable: f64, tanh_lane,
    special = |_| false, fallback = f64::tanh,
}
unary_kernel! {
    /// The hyperbolic tangent elementwise, computed in `f64` and rounded: within 1 ulp.
    tanh_f32, tanh_f32_portable: f32, tanh_lane_f32,
    special = |_| false, fallback = f32::tanh,
}
