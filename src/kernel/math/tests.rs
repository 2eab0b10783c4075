//! Accuracy tests of the math kernels against `std` (glibc's libm), which is within 1 ulp
//! and nearly always correctly rounded, and against the `f64` function rounded for `f32`.
//!
//! Every kernel runs in four forms: dispatched (AVX-512 on the development machine), in
//! place, and the portable loop with and without FMA (the baseline x86-64 version); all
//! must agree with the reference within the bound of the module table, and give exactly
//! std's result (sign of zero included) when the input or the result is special.

#![allow(clippy::type_complexity, reason = "tables of kernel function pointers")]

use proptest::prelude::*;

use super::exp_log::*;
use super::hyperbolic::*;
use super::inverse_trig::*;
use super::pow::*;
use super::rounding::*;
use super::trig::*;

const CASES: u32 = 2000;

/// The allowed distance from glibc's result. glibc's `log10`, `sinh`, `cosh` and `tanh`
/// are themselves up to 1-2 ulp off (its manual's table), so where both are within 1
/// ulp of the true value they can be 2 apart; the 1-ulp bound against the correctly
/// rounded value is checked by [`correctly_rounded_reference`].
fn glibc_bound(name: &str) -> u64 {
    match name {
        "log10" | "sinh" | "cosh" | "tanh" => 2,
        _ => 1,
    }
}

/// Position of `x` on the line of all doubles, so ulp distance is a difference.
fn ord64(x: f64) -> i64 {
    let b = x.to_bits() as i64;
    if b < 0 {
        i64::MIN - b
    } else {
        b
    }
}

fn ord32(x: f32) -> i32 {
    let b = x.to_bits() as i32;
    if b < 0 {
        i32::MIN - b
    } else {
        b
    }
}

/// Distance in ulps; 0 for two NaNs, `u64::MAX` for a NaN and a number.
fn ulps64(a: f64, b: f64) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0,
        (false, false) => ord64(a).abs_diff(ord64(b)),
        _ => u64::MAX,
    }
}

fn ulps32(a: f32, b: f32) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => 0,
        (false, false) => u64::from(ord32(a).abs_diff(ord32(b))),
        _ => u64::MAX,
    }
}

/// Whether `got` is acceptable for `want`: exact (zeros with their sign, infinities,
/// NaN) when `input_special` or `want` is special, else within `bound` ulps.
fn ok64(got: f64, want: f64, input_special: bool, bound: u64) -> bool {
    if input_special || want == 0.0 || want.is_infinite() || want.is_nan() {
        (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits()
    } else {
        ulps64(got, want) <= bound
    }
}

fn ok32(got: f32, want: f32, input_special: bool, bound: u64) -> bool {
    if input_special || want == 0.0 || want.is_infinite() || want.is_nan() {
        (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits()
    } else {
        ulps32(got, want) <= bound
    }
}

fn special64(x: f64) -> bool {
    x == 0.0 || !x.is_finite()
}

type Unary<T> = fn(&[T], &mut [T]);

/// The three forms of a unary kernel.
struct Forms<T> {
    dispatched: Unary<T>,
    fma: Unary<T>,
    plain: Unary<T>,
}

impl<T: Copy + Default> Forms<T> {
    fn run_all(&self, x: &[T]) -> [Vec<T>; 3] {
        let mut outs = [(); 3].map(|()| vec![T::default(); x.len()]);
        (self.dispatched)(x, &mut outs[0]);
        (self.fma)(x, &mut outs[1]);
        (self.plain)(x, &mut outs[2]);
        outs
    }
}

const FORM_NAMES: [&str; 3] = ["dispatched", "portable+fma", "portable"];

fn check_unary64(
    name: &str,
    forms: &Forms<f64>,
    reference: fn(f64) -> f64,
    bound: u64,
    x: &[f64],
) -> Result<(), TestCaseError> {
    for (form, out) in FORM_NAMES.iter().zip(forms.run_all(x)) {
        for (&v, &got) in x.iter().zip(&out) {
            let want = reference(v);
            prop_assert!(
                ok64(got, want, special64(v), bound),
                "{name}({v:e}) [{form}] = {got:e}, std {want:e} ({} ulp)",
                ulps64(got, want)
            );
        }
    }
    Ok(())
}

fn check_unary32(
    name: &str,
    forms: &Forms<f32>,
    reference: fn(f64) -> f64,
    bound: u64,
    x: &[f32],
) -> Result<(), TestCaseError> {
    for (form, out) in FORM_NAMES.iter().zip(forms.run_all(x)) {
        for (&v, &got) in x.iter().zip(&out) {
            let want = reference(f64::from(v)) as f32;
            prop_assert!(
                ok32(got, want, special64(f64::from(v)), bound),
                "{name}({v:e}) [{form}] = {got:e}, reference {want:e} ({} ulp)",
                ulps32(got, want)
            );
        }
    }
    Ok(())
}

/// Any finite double, uniform over bit patterns (so log-uniform in magnitude).
fn finite() -> impl Strategy<Value = f64> {
    any::<u64>()
        .prop_map(f64::from_bits)
        .prop_filter("finite", |v| v.is_finite())
}

/// Any positive finite double, log-uniform.
fn positive() -> impl Strategy<Value = f64> {
    (1u64..0x7FF0_0000_0000_0000).prop_map(f64::from_bits)
}

/// A function's domain of interest, mixed with every class of double.
fn mixed(domain: impl Strategy<Value = f64> + 'static) -> BoxedStrategy<f64> {
    prop_oneof![6 => domain, 2 => finite(), 1 => any::<f64>()].boxed()
}

#[allow(unused_macros, reason = "used by the tests only")]
macro_rules! forms {
    ($k:ident, $p:ident) => {
        Forms {
            dispatched: $k,
            fma: $p::<true>,
            plain: $p::<false>,
        }
    };
}

/// One proptest per (function, type): vectors of inputs from `$strategy` through every
/// form, against the reference.
macro_rules! unary_props {
    ($($test64:ident, $test32:ident: $name:literal, $std:expr, $strategy:expr,
       ($k64:ident, $p64:ident), ($k32:ident, $p32:ident);)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]
            $(
                #[test]
                fn $test64(x in prop::collection::vec($strategy, 1..100)) {
                    check_unary64($name, &forms!($k64, $p64), $std, glibc_bound($name), &x)?;
                }

                #[test]
                fn $test32(x in prop::collection::vec($strategy, 1..100)) {
                    let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
                    check_unary32($name, &forms!($k32, $p32), $std, 1, &x)?;
                }
            )*
        }
    };
}

unary_props! {
    exp_f64_prop, exp_f32_prop: "exp", f64::exp, mixed(-750.0..712.0f64),
        (exp_f64, exp_f64_portable), (exp_f32, exp_f32_portable);
    ln_f64_prop, ln_f32_prop: "ln", f64::ln, mixed(prop_oneof![positive(), 0.5..2.0f64]),
        (ln_f64, ln_f64_portable), (ln_f32, ln_f32_portable);
    log1p_f64_prop, log1p_f32_prop: "log1p", f64::ln_1p,
        mixed(prop_oneof![positive(), -1.0..1.0f64, -1e-10..1e-10f64]),
        (log1p_f64, log1p_f64_portable),
        (log1p_f32, log1p_f32_portable);
    log10_f64_prop, log10_f32_prop: "log10", f64::log10, mixed(prop_oneof![positive(), 0.5..2.0f64]),
        (log10_f64, log10_f64_portable),
        (log10_f32, log10_f32_portable);
    sin_f64_prop, sin_f32_prop: "sin", f64::sin,
        mixed(prop_oneof![-1.1e6..1.1e6f64, -10.0..10.0f64]),
        (sin_f64, sin_f64_portable), (sin_f32, sin_f32_portable);
    cos_f64_prop, cos_f32_prop: "cos", f64::cos,
        mixed(prop_oneof![-1.1e6..1.1e6f64, -10.0..10.0f64]),
        (cos_f64, cos_f64_portable), (cos_f32, cos_f32_portable);
    tan_f64_prop, tan_f32_prop: "tan", f64::tan,
        mixed(prop_oneof![-1.1e6..1.1e6f64, -10.0..10.0f64]),
        (tan_f64, tan_f64_portable), (tan_f32, tan_f32_portable);
    asin_f64_prop, asin_f32_prop: "asin", f64::asin,
        mixed(prop_oneof![-1.0..=1.0f64, 0.97..=1.0f64, -1.0..-0.97f64]),
        (asin_f64, asin_f64_portable),
        (asin_f32, asin_f32_portable);
    acos_f64_prop, acos_f32_prop: "acos", f64::acos,
        mixed(prop_oneof![-1.0..=1.0f64, 0.97..=1.0f64, -1.0..-0.97f64]),
        (acos_f64, acos_f64_portable),
        (acos_f32, acos_f32_portable);
    atan_f64_prop, atan_f32_prop: "atan", f64::atan, mixed(-5.0..5.0f64),
        (atan_f64, atan_f64_portable),
        (atan_f32, atan_f32_portable);
    sinh_f64_prop, sinh_f32_prop: "sinh", f64::sinh,
        mixed(prop_oneof![-720.0..720.0f64, -2.0..2.0f64]),
        (sinh_f64, sinh_f64_portable),
        (sinh_f32, sinh_f32_portable);
    cosh_f64_prop, cosh_f32_prop: "cosh", f64::cosh,
        mixed(prop_oneof![-720.0..720.0f64, -2.0..2.0f64]),
        (cosh_f64, cosh_f64_portable),
        (cosh_f32, cosh_f32_portable);
    tanh_f64_prop, tanh_f32_prop: "tanh", f64::tanh,
        mixed(prop_oneof![-25.0..25.0f64, -1.0..1.0f64]),
        (tanh_f64, tanh_f64_portable),
        (tanh_f32, tanh_f32_portable);
    sqrt_f64_prop, sqrt_f32_prop: "sqrt", f64::sqrt, mixed(positive()),
        (sqrt_f64, sqrt_f64_portable),
        (sqrt_f32, sqrt_f32_portable);
    floor_f64_prop, floor_f32_prop: "floor", f64::floor, mixed(-1e6..1e6f64),
        (floor_f64, floor_f64_portable),
        (floor_f32, floor_f32_portable);
    ceil_f64_prop, ceil_f32_prop: "ceil", f64::ceil, mixed(-1e6..1e6f64),
        (ceil_f64, ceil_f64_portable),
        (ceil_f32, ceil_f32_portable);
    round_f64_prop, round_f32_prop: "round", f64::round_ties_even,
        mixed(prop_oneof![-1e6..1e6f64, (-4000i32..4000).prop_map(|i| f64::from(i) * 0.5)]),
        (round_f64, round_f64_portable),
        (round_f32, round_f32_portable);
}

/// Inputs every unary function must handle exactly as std where the result is special.
fn edges() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        1e-310,
        -1e-310,
        1e-300,
        1.0,
        -1.0,
        1.0 + f64::EPSILON,
        -1.0 - f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        -1.0 + f64::EPSILON / 2.0,
        0.5,
        -0.5,
        f64::MAX,
        f64::MIN,
        709.782_712_893_383_9,
        709.782_712_893_384,
        710.475_860_073_943_9,
        710.475_860_073_944,
        -745.133_219_101_941_1,
        -745.133_219_101_941_2,
        -708.396_418_532_264_1,
        22.0,
        -22.0,
        std::f64::consts::FRAC_PI_2,
        -std::f64::consts::FRAC_PI_2,
        std::f64::consts::PI,
        1e6,
        1_048_576.0,
        1_048_577.0,
        1e7,
        1e22,
        1e300,
        2.0_f64.powi(-27),
        2.0_f64.powi(-54),
        0.4375,
        0.6875,
        1.1875,
        2.4375,
        1e3,
        1e-3,
        10.0,
        100.0,
    ];
    let more: Vec<f64> = v
        .iter()
        .flat_map(|&x| [x.next_up(), x.next_down()])
        .collect();
    v.extend(more);
    v
}

macro_rules! edge_test {
    ($($test:ident: $name:literal, $std:expr, ($k:ident, $p:ident), ($k32:ident, $p32:ident);)*) => {
        $(
            #[test]
            fn $test() {
                let x = edges();
                check_unary64($name, &forms!($k, $p), $std, glibc_bound($name), &x).unwrap();
                let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
                check_unary32($name, &forms!($k32, $p32), $std, 1, &x).unwrap();
            }
        )*
    };
}

edge_test! {
    exp_edges: "exp", f64::exp, (exp_f64, exp_f64_portable), (exp_f32, exp_f32_portable);
    ln_edges: "ln", f64::ln, (ln_f64, ln_f64_portable), (ln_f32, ln_f32_portable);
    log1p_edges: "log1p", f64::ln_1p, (log1p_f64, log1p_f64_portable), (log1p_f32, log1p_f32_portable);
    log10_edges: "log10", f64::log10, (log10_f64, log10_f64_portable), (log10_f32, log10_f32_portable);
    sin_edges: "sin", f64::sin, (sin_f64, sin_f64_portable), (sin_f32, sin_f32_portable);
    cos_edges: "cos", f64::cos, (cos_f64, cos_f64_portable), (cos_f32, cos_f32_portable);
    tan_edges: "tan", f64::tan, (tan_f64, tan_f64_portable), (tan_f32, tan_f32_portable);
    asin_edges: "asin", f64::asin, (asin_f64, asin_f64_portable), (asin_f32, asin_f32_portable);
    acos_edges: "acos", f64::acos, (acos_f64, acos_f64_portable), (acos_f32, acos_f32_portable);
    atan_edges: "atan", f64::atan, (atan_f64, atan_f64_portable), (atan_f32, atan_f32_portable);
    sinh_edges: "sinh", f64::sinh, (sinh_f64, sinh_f64_portable), (sinh_f32, sinh_f32_portable);
    cosh_edges: "cosh", f64::cosh, (cosh_f64, cosh_f64_portable), (cosh_f32, cosh_f32_portable);
    tanh_edges: "tanh", f64::tanh, (tanh_f64, tanh_f64_portable), (tanh_f32, tanh_f32_portable);
    sqrt_edges: "sqrt", f64::sqrt, (sqrt_f64, sqrt_f64_portable), (sqrt_f32, sqrt_f32_portable);
    floor_edges: "floor", f64::floor, (floor_f64, floor_f64_portable), (floor_f32, floor_f32_portable);
    ceil_edges: "ceil", f64::ceil, (ceil_f64, ceil_f64_portable), (ceil_f32, ceil_f32_portable);
    round_edges: "round", f64::round_ties_even, (round_f64, round_f64_portable), (round_f32, round_f32_portable);
}

#[test]
fn named_edge_values() {
    let one = |f: Unary<f64>, x: f64| {
        let mut o = [0.0];
        f(&[x], &mut o);
        o[0]
    };
    assert_eq!(one(asin_f64, 1.0), std::f64::consts::FRAC_PI_2);
    assert_eq!(one(asin_f64, -1.0), -std::f64::consts::FRAC_PI_2);
    assert!(one(asin_f64, 1.0 + f64::EPSILON).is_nan());
    assert!(one(acos_f64, -1.0 - f64::EPSILON).is_nan());
    assert_eq!(one(acos_f64, 1.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(one(acos_f64, -1.0), std::f64::consts::PI);
    assert_eq!(one(ln_f64, 0.0), f64::NEG_INFINITY);
    assert_eq!(one(ln_f64, -0.0), f64::NEG_INFINITY);
    assert!(one(ln_f64, -1.0).is_nan());
    assert_eq!(one(ln_f64, 1.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(one(log1p_f64, -1.0), f64::NEG_INFINITY);
    assert_eq!(one(log1p_f64, -0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(one(exp_f64, 709.8), f64::INFINITY);
    assert_eq!(one(exp_f64, -746.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(one(exp_f64, 0.0), 1.0);
    assert_eq!(one(sin_f64, -0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(one(tan_f64, -0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(one(tanh_f64, -0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(one(sinh_f64, -0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(one(tanh_f64, 30.0), 1.0);
    assert_eq!(one(round_f64, 2.5), 2.0);
    assert_eq!(one(round_f64, -0.5).to_bits(), (-0.0f64).to_bits());
    let big = 1e22;
    assert_eq!(one(sin_f64, big), big.sin());
    let tan_near = one(tan_f64, std::f64::consts::FRAC_PI_2);
    assert!(ulps64(tan_near, std::f64::consts::FRAC_PI_2.tan()) <= 1);
}

/// The doubles nearest to multiples of π/2 below `2^20`, where the reduced argument is
/// smallest and any error in the reduction shows most.
#[test]
fn trig_near_multiples_of_half_pi() {
    let mut x = Vec::new();
    for n in 1..=667_544u32 {
        let v = f64::from(n) * std::f64::consts::FRAC_PI_2;
        if v <= super::trig::REDUCE_MAX {
            x.extend([v, v.next_up(), v.next_down(), -v]);
        }
    }
    for (name, k, p, reference) in [
        (
            "sin",
            sin_f64 as Unary<f64>,
            sin_f64_portable::<false> as Unary<f64>,
            f64::sin as fn(f64) -> f64,
        ),
        ("cos", cos_f64, cos_f64_portable::<false>, f64::cos),
        ("tan", tan_f64, tan_f64_portable::<false>, f64::tan),
    ] {
        let mut out = vec![0.0; x.len()];
        let mut plain = vec![0.0; x.len()];
        k(&x, &mut out);
        p(&x, &mut plain);
        for ((&v, &got), &got_plain) in x.iter().zip(&out).zip(&plain) {
            let want = reference(v);
            assert!(
                ulps64(got, want) <= 1,
                "{name}({v:e}) = {got:e}, std {want:e}"
            );
            assert!(
                ulps64(got_plain, want) <= 1,
                "{name}({v:e}) portable = {got_plain:e}, std {want:e}"
            );
        }
    }
}

/// Every 4099th `f32` bit pattern (a million values, all classes) through each `f32`
/// kernel, against the `f64` std function rounded.
#[test]
fn f32_sweep() {
    let x: Vec<f32> = (0..=u32::MAX).step_by(4099).map(f32::from_bits).collect();
    let cases: [(&str, Unary<f32>, fn(f64) -> f64); 17] = [
        ("exp", exp_f32, f64::exp),
        ("ln", ln_f32, f64::ln),
        ("log1p", log1p_f32, f64::ln_1p),
        ("log10", log10_f32, f64::log10),
        ("sin", sin_f32, f64::sin),
        ("cos", cos_f32, f64::cos),
        ("tan", tan_f32, f64::tan),
        ("asin", asin_f32, f64::asin),
        ("acos", acos_f32, f64::acos),
        ("atan", atan_f32, f64::atan),
        ("sinh", sinh_f32, f64::sinh),
        ("cosh", cosh_f32, f64::cosh),
        ("tanh", tanh_f32, f64::tanh),
        ("sqrt", sqrt_f32, f64::sqrt),
        ("floor", floor_f32, f64::floor),
        ("ceil", ceil_f32, f64::ceil),
        ("round", round_f32, f64::round_ties_even),
    ];
    let mut out = vec![0.0f32; x.len()];
    for (name, k, reference) in cases {
        k(&x, &mut out);
        for (&v, &got) in x.iter().zip(&out) {
            let want = reference(f64::from(v)) as f32;
            assert!(
                ok32(got, want, special64(f64::from(v)), 1),
                "{name}({v:e}) = {got:e}, reference {want:e}"
            );
        }
    }
}

fn check_binary64(
    name: &str,
    forms: [(&str, fn(&[f64], &[f64], &mut [f64])); 3],
    reference: fn(f64, f64) -> f64,
    a: &[f64],
    b: &[f64],
) -> Result<(), TestCaseError> {
    for (form, f) in forms {
        let mut out = vec![0.0; a.len()];
        f(a, b, &mut out);
        for ((&p, &q), &got) in a.iter().zip(b).zip(&out) {
            let want = reference(p, q);
            prop_assert!(
                ok64(got, want, special64(p) || special64(q), 1),
                "{name}({p:e}, {q:e}) [{form}] = {got:e}, std {want:e} ({} ulp)",
                ulps64(got, want)
            );
        }
    }
    Ok(())
}

fn check_binary32(
    name: &str,
    forms: [(&str, fn(&[f32], &[f32], &mut [f32])); 3],
    reference: fn(f64, f64) -> f64,
    a: &[f32],
    b: &[f32],
) -> Result<(), TestCaseError> {
    for (form, f) in forms {
        let mut out = vec![0.0; a.len()];
        f(a, b, &mut out);
        for ((&p, &q), &got) in a.iter().zip(b).zip(&out) {
            let want = reference(f64::from(p), f64::from(q)) as f32;
            let special = special64(f64::from(p)) || special64(f64::from(q));
            prop_assert!(
                ok32(got, want, special, 1),
                "{name}({p:e}, {q:e}) [{form}] = {got:e}, reference {want:e} ({} ulp)",
                ulps32(got, want)
            );
        }
    }
    Ok(())
}

fn pairs(
    a: impl Strategy<Value = f64> + 'static,
    b: impl Strategy<Value = f64> + 'static,
) -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((mixed(a), mixed(b)), 1..100)
}

fn powf_scalar_forms64(y: f64) -> impl Fn(&[f64], &mut [f64]) {
    move |x, out| powf_scalar_f64(x, y, out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn atan2_prop(v in pairs(finite(), finite())) {
        let (y, x): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let forms: [(&str, fn(&[f64], &[f64], &mut [f64])); 3] = [
            ("dispatched", atan2_f64),
            ("portable+fma", atan2_f64_portable::<true>),
            ("portable", atan2_f64_portable::<false>),
        ];
        check_binary64("atan2", forms, f64::atan2, &y, &x)?;
        let (y32, x32): (Vec<f32>, Vec<f32>) = (y.iter().map(|&v| v as f32).collect(), x.iter().map(|&v| v as f32).collect());
        let forms: [(&str, fn(&[f32], &[f32], &mut [f32])); 3] = [
            ("dispatched", atan2_f32),
            ("portable+fma", atan2_f32_portable::<true>),
            ("portable", atan2_f32_portable::<false>),
        ];
        check_binary32("atan2", forms, f64::atan2, &y32, &x32)?;
    }

    #[test]
    fn atan2_small_prop(v in pairs(-3.0..3.0f64, -3.0..3.0f64)) {
        let (y, x): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let forms: [(&str, fn(&[f64], &[f64], &mut [f64])); 3] = [
            ("dispatched", atan2_f64),
            ("portable+fma", atan2_f64_portable::<true>),
            ("portable", atan2_f64_portable::<false>),
        ];
        check_binary64("atan2", forms, f64::atan2, &y, &x)?;
    }

    #[test]
    fn pow_prop(v in pairs(prop_oneof![positive(), 0.0..4.0f64, -8.0..8.0f64], prop_oneof![-60.0..60.0f64, -1100.0..1100.0f64, (-40i32..40).prop_map(f64::from)])) {
        let (x, y): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let forms: [(&str, fn(&[f64], &[f64], &mut [f64])); 3] = [
            ("dispatched", pow_f64),
            ("portable+fma", pow_f64_portable::<true>),
            ("portable", pow_f64_portable::<false>),
        ];
        check_binary64("pow", forms, f64::powf, &x, &y)?;
        let (x32, y32): (Vec<f32>, Vec<f32>) = (x.iter().map(|&v| v as f32).collect(), y.iter().map(|&v| v as f32).collect());
        let forms: [(&str, fn(&[f32], &[f32], &mut [f32])); 3] = [
            ("dispatched", pow_f32),
            ("portable+fma", pow_f32_portable::<true>),
            ("portable", pow_f32_portable::<false>),
        ];
        check_binary32("pow", forms, f64::powf, &x32, &y32)?;
    }

    #[test]
    fn powf_scalar_prop(
        x in prop::collection::vec(mixed(prop_oneof![positive(), 0.0..4.0f64, -8.0..8.0f64]), 1..100),
        y in prop_oneof![Just(0.0), Just(1.0), Just(2.0), Just(-1.0), Just(0.5), -60.0..60.0f64, any::<f64>()],
    ) {
        let f = powf_scalar_forms64(y);
        let mut out = vec![0.0; x.len()];
        f(&x, &mut out);
        for (&p, &got) in x.iter().zip(&out) {
            let want = p.powf(y);
            prop_assert!(ok64(got, want, special64(p) || special64(y), 1), "powf({p:e}, {y:e}) = {got:e}, std {want:e}");
        }
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let mut out32 = vec![0.0f32; x.len()];
        powf_scalar_f32(&x32, y as f32, &mut out32);
        for (&p, &got) in x32.iter().zip(&out32) {
            let want = f64::from(p).powf(f64::from(y as f32)) as f32;
            let special = special64(f64::from(p)) || special64(f64::from(y as f32));
            prop_assert!(ok32(got, want, special, 1), "powf({p:e}, {y:e}) = {got:e}, reference {want:e}");
        }
    }
}

#[test]
fn binary_edges() {
    let e = edges();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for &p in &e {
        for &q in &e {
            a.push(p);
            b.push(q);
        }
    }
    let atan2_forms: [(&str, fn(&[f64], &[f64], &mut [f64])); 3] = [
        ("dispatched", atan2_f64),
        ("portable+fma", atan2_f64_portable::<true>),
        ("portable", atan2_f64_portable::<false>),
    ];
    check_binary64("atan2", atan2_forms, f64::atan2, &a, &b).unwrap();
    let pow_forms: [(&str, fn(&[f64], &[f64], &mut [f64])); 3] = [
        ("dispatched", pow_f64),
        ("portable+fma", pow_f64_portable::<true>),
        ("portable", pow_f64_portable::<false>),
    ];
    check_binary64("pow", pow_forms, f64::powf, &a, &b).unwrap();
}

/// Lengths that differ are cut to the shortest in release builds; here (debug) they
/// must be equal, and every tail length of the vector loops is exercised.
#[test]
fn every_tail_length() {
    for n in 0..70 {
        let x: Vec<f64> = (0..n).map(|i| f64::from(i) * 0.37 - 10.0).collect();
        let mut out = vec![0.0; n as usize];
        exp_f64(&x, &mut out);
        for (&v, &got) in x.iter().zip(&out) {
            assert!(ulps64(got, v.exp()) <= 1);
        }
    }
}

#[test]
fn generic_entry() {
    fn via_trait<T: super::VecMath + Default>(x: &[T]) -> Vec<T> {
        let mut out = vec![T::default(); x.len()];
        T::asin(x, &mut out);
        out
    }
    let x = [0.25f64, -0.75, 1.0];
    let got = via_trait(&x);
    for (&v, &g) in x.iter().zip(&got) {
        assert!(ulps64(g, v.asin()) <= 1);
    }
    let x32 = [0.25f32, -0.75, 1.0];
    let got32 = via_trait(&x32);
    for (&v, &g) in x32.iter().zip(&got32) {
        assert!(ulps32(g, v.asin()) <= 1);
    }
}

/// `testdata/reference.txt`: 6,000 correctly rounded results (mpmath at 200 bits, from
/// `testdata/generate.py`) over the hard regions of every transcendental function. Each
/// kernel, with and without FMA, must be within 1 ulp of all of them.
#[test]
fn correctly_rounded_reference() {
    let data = include_str!("testdata/reference.txt");
    let parse = |s: &str| f64::from_bits(u64::from_str_radix(s, 16).expect("hex bits"));
    let mut worst: Vec<(&str, u64)> = Vec::new();
    for line in data.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let name = fields[0];
        let args: Vec<f64> = fields[1..fields.len() - 1]
            .iter()
            .map(|s| parse(s))
            .collect();
        let want = parse(fields[fields.len() - 1]);
        let got: Vec<f64> = match (name, args.as_slice()) {
            ("atan2", &[y, x]) => [atan2_f64, atan2_f64_portable::<false>]
                .map(|f| {
                    let mut o = [0.0];
                    f(&[y], &[x], &mut o);
                    o[0]
                })
                .to_vec(),
            ("pow", &[x, y]) => [pow_f64, pow_f64_portable::<false>]
                .map(|f| {
                    let mut o = [0.0];
                    f(&[x], &[y], &mut o);
                    o[0]
                })
                .to_vec(),
            (_, &[x]) => {
                let fs: [Unary<f64>; 2] = match name {
                    "exp" => [exp_f64, exp_f64_portable::<false>],
                    "ln" => [ln_f64, ln_f64_portable::<false>],
                    "log1p" => [log1p_f64, log1p_f64_portable::<false>],
                    "log10" => [log10_f64, log10_f64_portable::<false>],
                    "sin" => [sin_f64, sin_f64_portable::<false>],
                    "cos" => [cos_f64, cos_f64_portable::<false>],
                    "tan" => [tan_f64, tan_f64_portable::<false>],
                    "asin" => [asin_f64, asin_f64_portable::<false>],
                    "acos" => [acos_f64, acos_f64_portable::<false>],
                    "atan" => [atan_f64, atan_f64_portable::<false>],
                    "sinh" => [sinh_f64, sinh_f64_portable::<false>],
                    "cosh" => [cosh_f64, cosh_f64_portable::<false>],
                    "tanh" => [tanh_f64, tanh_f64_portable::<false>],
                    _ => panic!("unknown function {name}"),
                };
                fs.map(|f| {
                    let mut o = [0.0];
                    f(&[x], &mut o);
                    o[0]
                })
                .to_vec()
            }
            _ => panic!("bad line {line}"),
        };
        for g in got {
            let d = ulps64(g, want);
            assert!(
                d <= 1,
                "{name}{args:?} = {g:e}, correctly rounded {want:e} ({d} ulp)"
            );
            match worst.iter_mut().find(|(n, _)| *n == name) {
                Some(w) => w.1 = w.1.max(d),
                None => worst.push((name, d)),
            }
        }
    }
    eprintln!("largest distance from the correctly rounded result, in ulp: {worst:?}");
}
