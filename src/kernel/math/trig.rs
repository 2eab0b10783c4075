//! `sin`, `cos` and `tan` lane functions and kernels.
//!
//! Range reduction (Cody–Waite, in double-double): `n = round(x * 2/π)` and
//! `x - n π/2 = r + rr`, with `π/2 = P1 + T1 + T2`, `P1` holding 33 bits so `n * P1` and
//! `x - n * P1` are exact for `|n| < 2^20`, `n * T1` taken exactly by [`two_prod`] and
//! the small terms summed with their rounding errors. The reduced argument is accurate
//! to about 2^-119 absolute, enough for 1 ulp even at the doubles closest to a multiple
//! of π/2 below `2^20` (the tests try every one of them). The vector path takes
//! `|x| <= 2^20` (over a million, the bound); larger arguments, and infinities,
//! go to `std`, whose Payne–Hanek reduction is exact for every double.
//!
//! Kernels: FreeBSD msun's `__kernel_sin`, `__kernel_cos` (error below 1 ulp on
//! `[-π/4, π/4]` with the tail `rr`) and `__kernel_tan` with its branches turned into
//! selects; both sine and cosine kernels run for every lane and the quadrant picks one.

use super::prim::{fast_two_sum, mla, round_int, two_prod, two_sum, zero_low};
use super::{unary_kernel, widen_lane};

const FRAC_2_PI: f64 = 0.636_619_772_367_581_4;
/// The first 33 bits of π/2.
const P1: f64 = 1.570_796_326_734_125_614_17;
/// `π/2 - P1` to 106 bits, as `T1 + T2`.
const T1: f64 = 6.077_100_506_506_192e-11;
const T2: f64 = 3.521_559_865_183_2e-27;

/// Arguments up to this magnitude take the vector path (`n < 2^20` there).
pub(super) const REDUCE_MAX: f64 = 1_048_576.0;

/// `(r, rr, q)` with `x = q π/2 + r + rr`, `|r| <= π/4` (plus rounding), for
/// `|x| <= REDUCE_MAX`; `q` is only meaningful modulo 4 (its low bits).
#[inline(always)]
fn reduce<const FMA: bool>(x: f64) -> (f64, f64, u64) {
    let (kf, n) = round_int(x * FRAC_2_PI);
    let q = n as u64;
    let r1 = mla::<FMA>(-kf, P1, x); // exact
    let (ph, pl) = two_prod::<FMA>(kf, T1);
    let (s, e) = two_sum(r1, -ph);
    let lo = mla::<FMA>(-kf, T2, e - pl);
    let (r, rr) = fast_two_sum(s, lo);
    (r, rr, q)
}

const S: [f64; 6] = [
    -1.666_666_666_666_663_243_48e-1,
    8.333_333_333_322_489_461_24e-3,
    -1.984_126_982_985_794_931_34e-4,
    2.755_731_370_707_006_767_89e-6,
    -2.505_076_025_340_686_341_95e-8,
    1.589_690_995_211_550_102_21e-10,
];

/// `sin(x + y)` for `|x| <= π/4`, `|y|` below half an ulp of `x` (msun `__kernel_sin`).
#[inline(always)]
fn sin_kernel<const FMA: bool>(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = mla::<FMA>(
        z * w,
        mla::<FMA>(z, S[5], S[4]),
        mla::<FMA>(z, mla::<FMA>(z, S[3], S[2]), S[1]),
    );
    let v = z * x;
    x - ((z * (0.5 * y - v * r) - y) - v * S[0])
}

const C: [f64; 6] = [
    4.166_666_666_666_660_190_37e-2,
    -1.388_888_888_887_410_957_49e-3,
    2.480_158_728_947_672_941_78e-5,
    -2.755_731_435_139_066_330_35e-7,
    2.087_572_321_298_174_827_90e-9,
    -1.135_964_755_778_819_482_65e-11,
];

/// `cos(x + y)` for `|x| <= π/4` (msun `__kernel_cos`).
#[inline(always)]
fn cos_kernel<const FMA: bool>(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = mla::<FMA>(
        w * w,
        mla::<FMA>(z, mla::<FMA>(z, C[5], C[4]), C[3]),
        z * mla::<FMA>(z, mla::<FMA>(z, C[2], C[1]), C[0]),
    );
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + mla::<FMA>(z, r, -(x * y)))
}

/// `sin(x)`.
#[inline(always)]
pub(super) fn sin_lane<const FMA: bool>(x: f64) -> f64 {
    let (r, rr, q) = reduce::<FMA>(x);
    let s = sin_kernel::<FMA>(r, rr);
    let c = cos_kernel::<FMA>(r, rr);
    let v = if q & 1 == 0 { s } else { c };
    let v = f64::from_bits(v.to_bits() ^ ((q & 2) << 62));
    if x == 0.0 {
        x
    } else {
        v
    }
}

/// `cos(x)`.
#[inline(always)]
pub(super) fn cos_lane<const FMA: bool>(x: f64) -> f64 {
    let (r, rr, q) = reduce::<FMA>(x);
    let s = sin_kernel::<FMA>(r, rr);
    let c = cos_kernel::<FMA>(r, rr);
    let v = if q & 1 == 0 { c } else { s };
    f64::from_bits(v.to_bits() ^ ((q.wrapping_add(1) & 2) << 62))
}

const T: [f64; 13] = [
    3.333_333_333_333_340_919_86e-1,
    1.333_333_333_332_012_426_99e-1,
    5.396_825_397_622_605_213_77e-2,
    2.186_948_829_485_954_245_99e-2,
    8.863_239_823_599_300_057_37e-3,
    3.592_079_107_591_312_353_56e-3,
    1.456_209_454_325_290_255_16e-3,
    5.880_412_408_202_640_968_74e-4,
    2.464_631_348_184_699_068_12e-4,
    7.817_944_429_395_570_923_00e-5,
    7.140_724_913_826_081_903_05e-5,
    -1.855_863_748_552_754_566_54e-5,
    2.590_730_518_636_337_128_84e-5,
];
const PIO4: f64 = 7.853_981_633_974_482_789_99e-1;
const PIO4_LO: f64 = 3.061_616_997_868_383_017_93e-17;

/// `tan(x + y)`, or `-1/tan(x + y)` when `odd`, for `|x| <= π/4` (msun `__kernel_tan`).
#[inline(always)]
fn tan_kernel<const FMA: bool>(x: f64, y: f64, odd: bool) -> f64 {
    // Near π/4, tan(π/4 - x') with x' = π/4 - |x| keeps the polynomial accurate.
    let big = x.abs() >= f64::from_bits(0x3FE5_9428_0000_0000);
    let neg = x < 0.0;
    let (xa, ya) = if neg { (-x, -y) } else { (x, y) };
    let xb = (PIO4 - xa) + (PIO4_LO - ya);
    let x = if big { xb } else { x };
    let y = if big { 0.0 } else { y };
    let z = x * x;
    let w = z * z;
    let r = mla::<FMA>(
        w,
        mla::<FMA>(
            w,
            mla::<FMA>(w, mla::<FMA>(w, mla::<FMA>(w, T[11], T[9]), T[7]), T[5]),
            T[3],
        ),
        T[1],
    );
    let v = z * mla::<FMA>(
        w,
        mla::<FMA>(
            w,
            mla::<FMA>(w, mla::<FMA>(w, mla::<FMA>(w, T[12], T[10]), T[8]), T[6]),
            T[4],
        ),
        T[2],
    );
    let s = z * x;
    let r = mla::<FMA>(s, T[0], mla::<FMA>(z, mla::<FMA>(s, r + v, y), y));
    let w = x + r;
    // |x| >= 0.6744
    let sg = if odd { -1.0 } else { 1.0 };
    let vb = sg - 2.0 * (x + (r - w * w / (w + sg)));
    let big_result = if neg { -vb } else { vb };
    // -1/(x + r), accurately: w0 + v = x + r with w0 holding 21 bits.
    let w0 = zero_low(w);
    let v = r - (w0 - x);
    let a = -1.0 / w;
    let a0 = zero_low(a);
    let odd_result = mla::<FMA>(a, mla::<FMA>(a0, v, mla::<FMA>(a0, w0, 1.0)), a0);
    if big {
        big_result
    } else if odd {
        odd_result
    } else {
        w
    }
}

/// `tan(x)`.
#[inline(always)]
pub(super) fn tan_lane<const FMA: bool>(x: f64) -> f64 {
    let (r, rr, q) = reduce::<FMA>(x);
    let v = tan_kernel::<FMA>(r, rr, q & 1 == 1);
    if x == 0.0 {
        x
    } else {
        v
    }
}

widen_lane!(sin_lane_f32 = sin_lane);
widen_lane!(cos_lane_f32 = cos_lane);
widen_lane!(tan_lane_f32 = tan_lane);

#[inline(always)]
fn beyond_reduction(x: f64) -> bool {
    x.abs() > REDUCE_MAX
}

#[inline(always)]
fn beyond_reduction_f32(x: f32) -> bool {
    beyond_reduction(f64::from(x))
}

unary_kernel! {
    /// The sine elementwise: within 1 ulp for `|x| <= 2^20`; larger arguments and
    /// infinities are computed by `std` (exact reduction).
    sin_f64, sin_f64_portable: f64, sin_lane,
    special = beyond_reduction, fallback = f64::sin,
}
unary_kernel! {
    /// The sine elementwise, computed in `f64` and rounded (`std` beyond `2^20`): within 1 ulp.
    sin_f32, sin_f32_portable: f32, sin_lane_f32,
    special = beyond_reduction_f32, fallback = f32::sin,
}
unary_kernel! {
    /// The cosine elementwise: within 1 ulp for `|x| <= 2^20`; `std` beyond.
    cos_f64, cos_f64_portable: f64, cos_lane,
    special = beyond_reduction, fallback = f64::cos,
}
unary_kernel! {
    /// The cosine elementwise, computed in `f64` and rounded (`std` beyond `2^20`): within 1 ulp.
    cos_f32, cos_f32_portable: f32, cos_lane_f32,
    special = beyond_reduction_f32, fallback = f32::cos,
}
unary_kernel! {
    /// The tangent elementwise: within 1 ulp for `|x| <= 2^20` (near π/2 too); `std` beyond.
    tan_f64, tan_f64_portable: f64, tan_lane,
    special = beyond_reduction, fallback = f64::tan,
}
unary_kernel! {
    /// The tangent elementwise, computed in `f64` and rounded (`std` beyond `2^20`): within 1 ulp.
    tan_f32, tan_f32_portable: f32, tan_lane_f32,
    special = beyond_reduction_f32, fallback = f32::tan,
}
