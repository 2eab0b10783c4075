//! `asin`, `acos`, `atan` and `atan2` lane functions and kernels.
//!
//! `asin`/`acos` follow FreeBSD msun's `e_asin.c`/`e_acos.c` in structure: for
//! `|x| < 1/2`, `asin(x) = x + x z g(z)` with `z = x^2`; above, `asin(x) = π/2 - 2
//! asin(sqrt(z))` with `z = (1 - |x|)/2`. One evaluation serves both (`z` is selected per
//! lane). Two changes make it branch-free and division-free: msun's rational `P/Q` is
//! replaced by `g`, a degree-12 near-minimax polynomial of
//! `(asin(sqrt z)/sqrt z - 1)/z` on `[0, 1/4]` (relative error 2^-52.9, in a term below
//! 5% of the result), and the square root is carried as `s + c` with the correction `c`
//! from the exact residual `z - s^2` (see `prim::sqrt_dd`), where msun truncates `s` and
//! divides. Measured speed-up over glibc: see the module table.
//!
//! `atan` is msun's `s_atan.c` with its five argument intervals selected per lane
//! (one division for the interval's transformation), and `atan2(y, x)` is
//! `atan(|y/x|)` with the quotient's rounding error fed back into the low-order part
//! and the quadrant added in double-double, so the result stays within 1 ulp where
//! msun's `e_atan2.c` allows 2. Zeros, infinities and NaN go to `std::atan2`, which
//! implements C99's table of special cases.

use super::prim::{horner, mla, recip_approx, sqrt_dd, two_prod, two_sum};
use super::{binary_kernel, unary_kernel, widen_lane};

const PIO2_HI: f64 = 1.570_796_326_794_896_558_00;
const PIO2_LO: f64 = 6.123_233_995_736_766_035_87e-17;
const PIO4_HI: f64 = 7.853_981_633_974_482_789_99e-1;
const PI_HI: f64 = 3.141_592_653_589_793;
const PI_LO: f64 = 1.224_646_799_147_353_2e-16;

/// `g(z) ~ (asin(sqrt z)/sqrt z - 1) / z` on `[0, 1/4]`, lowest degree first.
const ASIN_G: [f64; 13] = [
    0.166_666_666_666_666_69,
    0.074_999_999_999_984_33,
    0.044_642_857_146_355_43,
    0.030_381_944_138_531_247,
    0.022_372_172_942_149_89,
    0.017_352_392_720_869_973,
    0.013_971_212_973_552_933,
    0.011_479_177_415_184_906,
    0.010_322_814_350_185_78,
    0.005_457_506_718_640_358,
    0.017_400_879_442_694_02,
    -0.014_851_887_071_247_204,
    0.028_757_851_367_421_566,
];

/// The shared part of `asin` and `acos`: `(small, zg, s, c)` where `small` is
/// `|x| < 1/2`, `zg = z g(z)` (so `asin(t) = t (1 + zg)` for `t = sqrt(z)`, or for
/// `t = x` when small) and `s + c = sqrt(z)` (meaningful when not small).
#[inline(always)]
fn asin_parts<const FMA: bool>(x: f64) -> (bool, f64, f64, f64) {
    let ax = x.abs();
    let small = ax < 0.5;
    let z = if small { x * x } else { (1.0 - ax) * 0.5 };
    let zg = z * horner::<FMA, 13>(z, &ASIN_G);
    let (s, c) = sqrt_dd::<FMA>(z);
    (small, zg, s, c)
}

/// `asin(x)`; NaN outside `[-1, 1]` (the square root of a negative `z`).
#[inline(always)]
pub(super) fn asin_lane<const FMA: bool>(x: f64) -> f64 {
    let (small, zg, s, c) = asin_parts::<FMA>(x);
    let near = mla::<FMA>(x, zg, x);
    // π/2 - 2 (s + c)(1 + zg), around π/4 so that PIO4_HI - 2s is exact (msun's form).
    let p = mla::<FMA>(2.0 * s, zg, -(PIO2_LO - 2.0 * c));
    let q = PIO4_HI - 2.0 * s;
    let far = (PIO4_HI - (p - q)).copysign(x);
    if small {
        near
    } else {
        far
    }
}

/// `acos(x)`; NaN outside `[-1, 1]`.
#[inline(always)]
pub(super) fn acos_lane<const FMA: bool>(x: f64) -> f64 {
    let (small, zg, s, c) = asin_parts::<FMA>(x);
    // π/2 - asin(x)
    let near = PIO2_HI - (x - mla::<FMA>(-x, zg, PIO2_LO));
    // x <= -1/2: π - 2 asin(sqrt z)
    let w = mla::<FMA>(zg, s, -PIO2_LO);
    let negative = 2.0 * (PIO2_HI - (s + w));
    // x >= 1/2: 2 asin(sqrt z)
    let positive = 2.0 * (s + mla::<FMA>(zg, s, c));
    if small {
        near
    } else if x < 0.0 {
        negative
    } else {
        positive
    }
}

const ATAN_HI: [f64; 4] = [
    4.636_476_090_008_060_935_15e-1,
    7.853_981_633_974_482_789_99e-1,
    9.827_937_232_473_290_540_82e-1,
    1.570_796_326_794_896_558_00,
];
const ATAN_LO: [f64; 4] = [
    2.269_877_745_296_168_709_24e-17,
    3.061_616_997_868_383_017_93e-17,
    1.390_331_103_123_099_845_16e-17,
    6.123_233_995_736_766_035_87e-17,
];
const AT: [f64; 11] = [
    3.333_333_333_333_293_180_27e-1,
    -1.999_999_999_987_648_324_76e-1,
    1.428_571_427_250_346_637_11e-1,
    -1.111_111_040_546_235_578_80e-1,
    9.090_887_133_436_506_561_96e-2,
    -7.691_876_205_044_829_994_95e-2,
    6.661_073_137_387_531_206_69e-2,
    -5.833_570_133_790_573_486_45e-2,
    4.976_877_994_615_932_360_17e-2,
    -3.653_157_274_421_691_552_70e-2,
    1.628_582_011_536_578_236_23e-2,
];

/// `atan(a) + delta = hi + rest` for `a >= 0` (or NaN) and `|delta|` far below
/// `ulp(atan a)`: `hi` is one of msun's breakpoint values `atan(0.5)`, `π/4`,
/// `atan(1.5)`, `π/2`, or 0, and `rest` the remainder, both rounded once.
#[inline(always)]
fn atan_parts<const FMA: bool>(a: f64, delta: f64) -> (f64, f64) {
    let (num, den, hi, lo) = if a < 0.4375 {
        (a, 1.0, 0.0, 0.0)
    } else if a < 0.6875 {
        (2.0 * a - 1.0, 2.0 + a, ATAN_HI[0], ATAN_LO[0])
    } else if a < 1.1875 {
        (a - 1.0, a + 1.0, ATAN_HI[1], ATAN_LO[1])
    } else if a < 2.4375 {
        (a - 1.5, mla::<FMA>(1.5, a, 1.0), ATAN_HI[2], ATAN_LO[2])
    } else {
        (-1.0, a, ATAN_HI[3], ATAN_LO[3])
    };
    let t = num / den;
    let z = t * t;
    let w = z * z;
    let s1 = z * mla::<FMA>(
        w,
        mla::<FMA>(
            w,
            mla::<FMA>(w, mla::<FMA>(w, mla::<FMA>(w, AT[10], AT[8]), AT[6]), AT[4]),
            AT[2],
        ),
        AT[0],
    );
    let s2 = w * mla::<FMA>(
        w,
        mla::<FMA>(w, mla::<FMA>(w, mla::<FMA>(w, AT[9], AT[7]), AT[5]), AT[3]),
        AT[1],
    );
    let rest = -(((mla::<FMA>(t, s1 + s2, -lo)) - t) - delta);
    (hi, rest)
}

/// `atan(x)`.
#[inline(always)]
pub(super) fn atan_lane<const FMA: bool>(x: f64) -> f64 {
    let (hi, rest) = atan_parts::<FMA>(x.abs(), 0.0);
    let v = (hi + rest).copysign(x);
    // Below 2^-27 atan(x) rounds to x; this also keeps -0 and subnormals exact.
    if x.abs() < f64::from_bits(0x3E40_0000_0000_0000) {
        x
    } else {
        v
    }
}

/// `atan2(y, x)` for `x` and `y` of magnitude in `(2^-960, 2^960)` (other lanes are
/// recomputed by std).
#[inline(always)]
pub(super) fn atan2_lane<const FMA: bool>(y: f64, x: f64) -> f64 {
    let (ay, ax) = (y.abs(), x.abs());
    let q = ay / ax;
    // q + ql = ay/ax to about 2^-100; atan(q + ql) = atan(q) + ql/(1 + q^2).
    let (p, pe) = two_prod::<FMA>(q, ax);
    let ql = ((ay - p) - pe) * recip_approx::<FMA>(ax);
    let bounded = q < 1.0e150;
    let qc = if bounded { q } else { 1.0e150 };
    let delta = ql * recip_approx::<FMA>(mla::<FMA>(qc, qc, 1.0));
    let delta = if bounded { delta } else { 0.0 };
    let (hi, rest) = atan_parts::<FMA>(q, delta);
    // x < 0: π - atan(q), with π - hi exact in two parts.
    let (a, ae) = two_sum(PI_HI, -hi);
    let left = a + ((ae + PI_LO) - rest);
    let tiny = q < f64::from_bits(0x3E40_0000_0000_0000);
    let right = if tiny { q + ql } else { hi + rest };
    let v = if x < 0.0 { left } else { right };
    v.copysign(y)
}

/// Lanes `atan2_lane` leaves to std: a zero, infinite or NaN operand, or one beyond
/// `2^±960`, where the correction terms' reciprocals would leave the range of doubles.
#[inline(always)]
fn atan2_special(y: f64, x: f64) -> bool {
    const LO: f64 = 1.0e-289; // about 2^-960
    const HI: f64 = 1.0e289;
    let (ay, ax) = (y.abs(), x.abs());
    !(ay > LO && ay < HI && ax > LO && ax < HI)
}

widen_lane!(asin_lane_f32 = asin_lane);
widen_lane!(acos_lane_f32 = acos_lane);
widen_lane!(atan_lane_f32 = atan_lane);

#[inline(always)]
fn atan2_lane_f32<const FMA: bool>(y: f32, x: f32) -> f32 {
    atan2_lane::<FMA>(f64::from(y), f64::from(x)) as f32
}

#[inline(always)]
fn atan2_special_f32(y: f32, x: f32) -> bool {
    atan2_special(f64::from(y), f64::from(x))
}

unary_kernel! {
    /// The inverse sine elementwise: within 1 ulp; `asin(±1) = ±π/2`, NaN outside `[-1, 1]`.
    asin_f64, asin_f64_portable: f64, asin_lane,
    special = |_| false, fallback = f64::asin,
}
unary_kernel! {
    /// The inverse sine elementwise, computed in `f64` and rounded: within 1 ulp.
    asin_f32, asin_f32_portable: f32, asin_lane_f32,
    special = |_| false, fallback = f32::asin,
}
unary_kernel! {
    /// The inverse cosine elementwise: within 1 ulp; `acos(1) = +0`, NaN outside `[-1, 1]`.
    acos_f64, acos_f64_portable: f64, acos_lane,
    special = |_| false, fallback = f64::acos,
}
unary_kernel! {
    /// The inverse cosine elementwise, computed in `f64` and rounded: within 1 ulp.
    acos_f32, acos_f32_portable: f32, acos_lane_f32,
    special = |_| false, fallback = f32::acos,
}
unary_kernel! {
    /// The inverse tangent elementwise: within 1 ulp.
    atan_f64, atan_f64_portable: f64, atan_lane,
    special = |_| false, fallback = f64::atan,
}
unary_kernel! {
    /// The inverse tangent elementwise, computed in `f64` and rounded: within 1 ulp.
    atan_f32, atan_f32_portable: f32, atan_lane_f32,
    special = |_| false, fallback = f32::atan,
}
binary_kernel! {
    /// `atan2(y, x)` elementwise, the angle of `(x, y)` in `[-π, π]`: within 1 ulp;
    /// zeros, infinities, NaN and operands beyond `1e±289` as std (computed by it).
    atan2_f64, atan2_f64_portable: f64, (y, x), atan2_lane,
    special = atan2_special, fallback = f64::atan2,
}
binary_kernel! {
    /// `atan2(y, x)` elementwise, computed in `f64` and rounded: within 1 ulp.
    atan2_f32, atan2_f32_portable: f32, (y, x), atan2_lane_f32,
    special = atan2_special_f32, fallback = f32::atan2,
}
