//! `exp`, `ln`, `log1p` and `log10` lane functions and kernels, and the exponential and
//! logarithm reductions that `hyperbolic` and `pow` build on.
//!
//! `exp`: `x = k ln2 + r` with `|r| <= ln2/2` (Cody–Waite: `ln2` in two parts, the high
//! one with 32 trailing zero bits so `k * LN2_HI` is exact), then
//! `e^r = 1 + r + r^2 q(r)` with `q` a degree-10 near-minimax polynomial (relative error
//! 2^-57.5 after rounding its coefficients to `f64`), the sum `1 + r` kept exact in two
//! parts, and the result scaled by `2^k` in two steps so overflow and subnormal results
//! round once.
//!
//! Logarithms: `x = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`, `f = m - 1`, and
//! `ln(1 + f)` from `s = f / (2 + f)` with the FreeBSD msun polynomial `R(s^2)` (its
//! `Lg1..Lg7`, error below 2^-58.45), as in msun's `e_log.c`; `log10` follows msun's
//! `e_log10.c`, which carries the high part of `ln(1+f)` in 21 bits so the products by
//! the split `1/ln10` are exact; `log1p` computes `u = 1 + x` with its exact rounding
//! error `e` and adds `e / u` to the low-order part of `ln(u)`.

use super::prim::{
    fast_two_sum, horner, mla, round_int, scale, small_int_to_f64, two_sum, zero_low,
};
use super::{unary_kernel, widen_lane};

/// High part of `ln 2` (32 trailing zero bits): `k * LN2_HI` is exact for `|k| < 2^21`.
pub(super) const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
/// `ln 2 - LN2_HI`.
pub(super) const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const LOG2_E: f64 = 1.442_695_040_888_963_4;

/// `q(r) ~ (e^r - 1 - r) / r^2` on `[-ln2/2, ln2/2]`, lowest degree first.
const EXP_Q: [f64; 11] = [
    0.5,
    0.166_666_666_666_666_7,
    0.041_666_666_666_666_67,
    0.008_333_333_333_326_136,
    0.001_388_888_888_888_374_8,
    0.000_198_412_698_748_206_27,
    2.480_158_732_554_774_3e-5,
    2.755_725_540_020_642_2e-6,
    2.755_727_364_311_03e-7,
    2.510_521_700_472_074_5e-8,
    2.091_468_696_808_687_6e-9,
];

/// `e^(x + xl) = (h + l) * 2^k` for `-746 <= x <= 711` and `|xl| < 2^-40`: `h = fl(1 + r)`
/// and `l` carries the rest, `|l| < 0.07`, to about 2^-60 relative to the sum.
#[inline(always)]
pub(super) fn exp_parts<const FMA: bool>(x: f64, xl: f64) -> (f64, f64, i64) {
    let (kf, k) = round_int(x * LOG2_E);
    let hi = mla::<FMA>(-kf, LN2_HI, x); // exact: the product is, and hi is close to x
    let lo = mla::<FMA>(kf, LN2_LO, -xl);
    let (r, c) = two_sum(hi, -lo);
    let t = mla::<FMA>(r * r, horner::<FMA, 11>(r, &EXP_Q), c);
    let (h, l) = fast_two_sum(1.0, r);
    (h, l + t, k)
}

/// `e^x`.
#[inline(always)]
pub(super) fn exp_lane<const FMA: bool>(x: f64) -> f64 {
    // Past these every result is inf or 0; clamping keeps k in range (NaN stays NaN).
    let x = if x > 710.0 { 710.0 } else { x };
    let x = if x < -746.0 { -746.0 } else { x };
    let (h, l, k) = exp_parts::<FMA>(x, 0.0);
    scale(h + l, k)
}

const LG: [f64; 7] = [
    6.666_666_666_666_735_130e-1,
    3.999_999_999_940_941_908e-1,
    2.857_142_874_366_239_149e-1,
    2.222_219_843_214_978_396e-1,
    1.818_357_216_161_805_012e-1,
    1.531_383_769_920_937_332e-1,
    1.479_819_860_511_658_591e-1,
];

/// `(f, k)` with `x = 2^k (1 + f)` and `1 + f` in `[sqrt(1/2), sqrt(2))`, for positive
/// finite `x` (subnormals included); `k` as a float.
#[inline(always)]
pub(super) fn log_decompose(x: f64) -> (f64, f64) {
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18_014_398_509_481_984.0 } else { x }; // 2^54
                                                                 // Move the binade boundary to sqrt(1/2) (msun's 0x3fe6a09e high word).
    let ui = xs
        .to_bits()
        .wrapping_add((0x3ff0_0000u64 - 0x3fe6_a09e) << 32);
    let k = ((ui >> 52) as i64) - 0x3ff - if sub { 54 } else { 0 };
    let m = f64::from_bits((ui & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09eu64 << 32));
    (m - 1.0, small_int_to_f64(k))
}

/// `(hfsq, s, R)` of msun's `e_log.c`: `ln(1+f) = f - hfsq + s (hfsq + R)`.
#[inline(always)]
fn log_kernel<const FMA: bool>(f: f64) -> (f64, f64, f64) {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * mla::<FMA>(w, mla::<FMA>(w, LG[5], LG[3]), LG[1]);
    let t2 = z * mla::<FMA>(w, mla::<FMA>(w, mla::<FMA>(w, LG[6], LG[4]), LG[2]), LG[0]);
    (hfsq, s, t2 + t1)
}

/// `ln(x)` for `x` in `(0, inf)`, plus `c` (a correction far below `ulp(ln x)`).
#[inline(always)]
fn ln_finite<const FMA: bool>(x: f64, c: f64) -> f64 {
    let (f, dk) = log_decompose(x);
    let (hfsq, s, r) = log_kernel::<FMA>(f);
    mla::<FMA>(s, hfsq + r, mla::<FMA>(dk, LN2_LO, c)) - hfsq + f + dk * LN2_HI
}

/// The result of a logarithm for inputs outside `(0, inf)`: `-inf` at zero, `+inf` at
/// `+inf`, NaN below zero and for NaN.
#[inline(always)]
fn log_special(x: f64, zero_at: f64) -> f64 {
    if x == zero_at {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        f64::INFINITY
    } else {
        f64::NAN
    }
}

/// `ln(x)`.
#[inline(always)]
pub(super) fn ln_lane<const FMA: bool>(x: f64) -> f64 {
    let v = ln_finite::<FMA>(x, 0.0);
    if x > 0.0 && x < f64::INFINITY {
        v
    } else {
        log_special(x, 0.0)
    }
}

/// `ln(1 + x)`.
#[inline(always)]
pub(super) fn log1p_lane<const FMA: bool>(x: f64) -> f64 {
    let (u, e) = two_sum(1.0, x);
    let v = ln_finite::<FMA>(u, e / u);
    if x > -1.0 && x < f64::INFINITY {
        if x == 0.0 {
            x // keeps the sign of zero
        } else {
            v
        }
    } else {
        log_special(x, -1.0)
    }
}

const IVLN10_HI: f64 = 4.342_944_818_781_688_809_39e-1;
const IVLN10_LO: f64 = 2.508_294_671_164_527_522_98e-11;
const LOG10_2_HI: f64 = 3.010_299_956_636_117_713_06e-1;
const LOG10_2_LO: f64 = 3.694_239_077_158_930_786_16e-13;

/// `log10(x)`.
#[inline(always)]
pub(super) fn log10_lane<const FMA: bool>(x: f64) -> f64 {
    let (f, dk) = log_decompose(x);
    let (hfsq, s, r) = log_kernel::<FMA>(f);
    let hi = zero_low(f - hfsq);
    let lo = mla::<FMA>(s, hfsq + r, (f - hi) - hfsq);
    let val_hi = hi * IVLN10_HI;
    let y = dk * LOG10_2_HI;
    let val_lo = mla::<FMA>(
        lo,
        IVLN10_HI,
        mla::<FMA>(lo + hi, IVLN10_LO, dk * LOG10_2_LO),
    );
    let w = y + val_hi;
    let val_lo = val_lo + ((y - w) + val_hi);
    let v = val_lo + w;
    if x > 0.0 && x < f64::INFINITY {
        v
    } else {
        log_special(x, 0.0)
    }
}

widen_lane!(exp_lane_f32 = exp_lane);
widen_lane!(ln_lane_f32 = ln_lane);
widen_lane!(log1p_lane_f32 = log1p_lane);
widen_lane!(log10_lane_f32 = log10_lane);

unary_kernel! {
    /// `e^x` elementwise: within 1 ulp of the correctly rounded result (tested against
    /// glibc); `inf` above 709.78, `0` below -745.14, as std.
    exp_f64, exp_f64_portable: f64, exp_lane,
    special = |_| false, fallback = f64::exp,
}
unary_kernel! {
    /// `e^x` elementwise, computed in `f64` and rounded: within 1 ulp.
    exp_f32, exp_f32_portable: f32, exp_lane_f32,
    special = |_| false, fallback = f32::exp,
}
unary_kernel! {
    /// The natural logarithm elementwise: within 1 ulp; `ln(±0) = -inf`, `ln(x < 0) = NaN`.
    ln_f64, ln_f64_portable: f64, ln_lane,
    special = |_| false, fallback = f64::ln,
}
unary_kernel! {
    /// The natural logarithm elementwise, computed in `f64` and rounded: within 1 ulp.
    ln_f32, ln_f32_portable: f32, ln_lane_f32,
    special = |_| false, fallback = f32::ln,
}
unary_kernel! {
    /// `ln(1 + x)` elementwise, accurate for tiny `x`: within 1 ulp; `-inf` at -1.
    log1p_f64, log1p_f64_portable: f64, log1p_lane,
    special = |_| false, fallback = f64::ln_1p,
}
unary_kernel! {
    /// `ln(1 + x)` elementwise, computed in `f64` and rounded: within 1 ulp.
    log1p_f32, log1p_f32_portable: f32, log1p_lane_f32,
    special = |_| false, fallback = f32::ln_1p,
}
unary_kernel! {
    /// The base-10 logarithm elementwise: within 1 ulp.
    log10_f64, log10_f64_portable: f64, log10_lane,
    special = |_| false, fallback = f64::log10,
}
unary_kernel! {
    /// The base-10 logarithm elementwise, computed in `f64` and rounded: within 1 ulp.
    log10_f32, log10_f32_portable: f32, log10_lane_f32,
    special = |_| false, fallback = f32::log10,
}
