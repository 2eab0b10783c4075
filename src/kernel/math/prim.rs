//! Exact and compensated arithmetic for the lane functions of [`super`]: error-free
//! transformations (`two_sum`, `two_prod`), Horner evaluation, integer rounding and
//! powers of two by bit construction.
//!
//! Everything here is branch-free scalar code over `f64`, written so that LLVM's loop
//! vectorizer turns it into SIMD once inlined into a loop compiled for AVX-512, AVX2 or
//! NEON: no calls into libm, no integer-to-float conversions (AVX2 has none for 64-bit
//! lanes; [`small_int_to_f64`] goes through the bits instead), selects instead of
//! branches. Each function takes `const FMA: bool`: with it, `a * b + c` is one fused
//! multiply-add (one rounding); without it (x86-64 without FMA), plain multiply and add,
//! and [`two_prod`] splits its operands (Dekker) instead of using the fused residual.

/// `1.5 * 2^52`: adding it to `|x| < 2^51` rounds `x` to an integer (ties to even) held in
/// the low bits of the sum.
pub(super) const SHIFT: f64 = 6_755_399_441_055_744.0;
const SHIFT_BITS: i64 = 0x4338_0000_0000_0000;

/// `a * b + c`, fused when `FMA`.
#[inline(always)]
pub(super) fn mla<const FMA: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// The polynomial `c[0] + c[1] x + ... + c[N-1] x^(N-1)`, by Horner's rule.
#[inline(always)]
pub(super) fn horner<const FMA: bool, const N: usize>(x: f64, c: &[f64; N]) -> f64 {
    let mut acc = c[N - 1];
    let mut i = N - 1;
    while i > 0 {
        i -= 1;
        acc = mla::<FMA>(acc, x, c[i]);
    }
    acc
}

/// `(s, e)` with `s = fl(a + b)` and `s + e = a + b` exactly (Knuth).
#[inline(always)]
pub(super) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// [`two_sum`] for `|a| >= |b|` (or `a == 0`), in three operations (Dekker).
#[inline(always)]
pub(super) fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let e = b - (s - a);
    (s, e)
}

/// Splits `a` into a high half of 26 bits and the rest (Veltkamp), for [`two_prod`]
/// without FMA. Valid for `|a| < 2^995`.
#[inline(always)]
fn split(a: f64) -> (f64, f64) {
    let c = 134_217_729.0 * a; // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// `(p, e)` with `p = fl(a * b)` and `p + e = a * b` exactly (barring underflow).
#[inline(always)]
pub(super) fn two_prod<const FMA: bool>(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if FMA {
        (p, a.mul_add(b, -p))
    } else {
        let (ah, al) = split(a);
        let (bh, bl) = split(b);
        (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
    }
}

/// `x` rounded to the nearest integer (ties to even), as a float and as the low bits of
/// an integer, for `|x| < 2^51`. For other `x` (NaN included) both are meaningless but
/// harmless: the callers select another result for those lanes.
#[inline(always)]
pub(super) fn round_int(x: f64) -> (f64, i64) {
    let t = x + SHIFT;
    (t - SHIFT, (t.to_bits() as i64).wrapping_sub(SHIFT_BITS))
}

/// `k as f64` for `|k| < 2^51`, through the bits (a vectorizable conversion on AVX2,
/// which has no 64-bit integer conversion instruction).
#[inline(always)]
pub(super) fn small_int_to_f64(k: i64) -> f64 {
    f64::from_bits(k.wrapping_add(SHIFT_BITS) as u64) - SHIFT
}

/// `2^k` for `-1022 <= k <= 1023`.
#[inline(always)]
pub(super) fn pow2(k: i64) -> f64 {
    f64::from_bits((k.wrapping_add(1023) as u64) << 52)
}

/// `y * 2^k` for `-2044 <= k <= 2046`, rounded once: the scale is split in two powers
/// of two so results that overflow or are subnormal come out as a single multiplication
/// would give them.
#[inline(always)]
pub(super) fn scale(y: f64, k: i64) -> f64 {
    let k1 = k >> 1;
    y * pow2(k1) * pow2(k - k1)
}

/// `x` with the low 32 bits of its significand cleared (21 significant bits are left, so
/// products of two such values are exact).
#[inline(always)]
pub(super) fn zero_low(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & 0xFFFF_FFFF_0000_0000)
}

/// `1 / d` to about 24 bits for positive normal `d`, without a division: an initial
/// guess from the bits (relative error at most 1/8) and three Newton steps, each of which
/// squares the error. Used for correction terms that need only a few bits.
#[inline(always)]
pub(super) fn recip_approx<const FMA: bool>(d: f64) -> f64 {
    let mut y = f64::from_bits(0x7FE0_0000_0000_0000u64.wrapping_sub(d.to_bits()));
    for _ in 0..3 {
        let e = mla::<FMA>(-d, y, 1.0);
        y = mla::<FMA>(y, e, y);
    }
    y
}

/// `sqrt(z)` as `s + c` to about 100 bits, for `0 <= z` normal or zero: the rounded root
/// and its correction `(z - s^2) / (2s)` (0 when `z` is 0).
#[inline(always)]
pub(super) fn sqrt_dd<const FMA: bool>(z: f64) -> (f64, f64) {
    let s = z.sqrt();
    let (p, pe) = two_prod::<FMA>(s, s);
    let residual = (z - p) - pe;
    let c = residual * 0.5 * recip_approx::<FMA>(s);
    (s, if z > 0.0 { c } else { 0.0 })
}
