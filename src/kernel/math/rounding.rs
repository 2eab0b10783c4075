//! `floor`, `ceil` and `round` (half to even, NumPy's rounding) kernels.
//!
//! These are exact, and need no algorithm: the point is the dispatch. On x86-64 the
//! baseline (SSE2) has no rounding instruction, so `f64::floor` in a generic build is a
//! call per element; the AVX2 and AVX-512 versions compile it to `vroundpd` /
//! `vrndscalepd` over whole vectors.

use super::unary_kernel;

macro_rules! exact_lane {
    ($name:ident: $t:ty = $f:path) => {
        #[inline(always)]
        fn $name<const FMA: bool>(x: $t) -> $t {
            $f(x)
        }
    };
}

exact_lane!(floor_lane: f64 = f64::floor);
exact_lane!(floor_lane_f32: f32 = f32::floor);
exact_lane!(ceil_lane: f64 = f64::ceil);
exact_lane!(ceil_lane_f32: f32 = f32::ceil);
exact_lane!(round_lane: f64 = f64::round_ties_even);
exact_lane!(round_lane_f32: f32 = f32::round_ties_even);

unary_kernel! {
    /// Rounds each element down to an integer (exact).
    floor_f64, floor_f64_portable: f64, floor_lane,
    special = |_| false, fallback = f64::floor,
}
unary_kernel! {
    /// Rounds each element down to an integer (exact).
    floor_f32, floor_f32_portable: f32, floor_lane_f32,
    special = |_| false, fallback = f32::floor,
}
unary_kernel! {
    /// Rounds each element up to an integer (exact).
    ceil_f64, ceil_f64_portable: f64, ceil_lane,
    special = |_| false, fallback = f64::ceil,
}
unary_kernel! {
    /// Rounds each element up to an integer (exact).
    ceil_f32, ceil_f32_portable: f32, ceil_lane_f32,
    special = |_| false, fallback = f32::ceil,
}
unary_kernel! {
    /// Rounds each element to the nearest integer, half to even, as NumPy's `round`.
    round_f64, round_f64_portable: f64, round_lane,
    special = |_| false, fallback = f64::round_ties_even,
}
unary_kernel! {
    /// Rounds each element to the nearest integer, half to even, as NumPy's `round`.
    round_f32, round_f32_portable: f32, round_lane_f32,
    special = |_| false, fallback = f32::round_ties_even,
}
