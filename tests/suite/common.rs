//! Helpers shared by the test modules: the table of (shape, chunks) cases, deterministic
//! test data, eager reference implementations of the reductions, and comparisons of
//! float arrays with a tolerance and NaN-equality.

use std::fmt::Debug;

use chunkwise::{Chunks, Element, LazyArray};
use ndarray::{ArrayD, ArrayView1, Ix2, IxDyn, Zip};

/// Relative tolerance for `f64` results whose summation order differs from ndarray's.
pub(crate) const RTOL: f64 = 1e-10;

/// Relative tolerance for `f32` results.
pub(crate) const RTOL_F32: f32 = 1e-4;

/// One entry of the differential-test table: a shape and how to cut it.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) shape: Vec<usize>,
    pub(crate) chunks: Chunks,
}

impl Case {
    fn new(name: &'static str, shape: &[usize], chunks: impl Into<Chunks>) -> Case {
        Case {
            name,
            shape: shape.to_vec(),
            chunks: chunks.into(),
        }
    }
}

/// The table of shapes and chunkings every elementwise operation and reduction runs on:
/// 0-d to 4-d, odd lengths, irregular chunks, partial edge chunks, length-1 and empty
/// axes, and chunks larger than their axis.
pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::new("0-d", &[], Vec::<usize>::new()),
        Case::new("1-d partial edge", &[7], [3]),
        Case::new("1-d one chunk", &[7], [100]),
        Case::new("1-d single elements", &[5], [1]),
        Case::new("2-d irregular", &[7, 5], vec![vec![3, 1, 3], vec![2, 3]]),
        Case::new("2-d partial edges", &[7, 5], [2, 2]),
        Case::new("2-d length-1 axis", &[1, 5], [1, 2]),
        Case::new("3-d length-1 middle", &[13, 1, 4], [4, 1, 3]),
        Case::new(
            "3-d irregular",
            &[13, 1, 4],
            vec![vec![6, 6, 1], vec![1], vec![1, 3]],
        ),
        Case::new("3-d empty middle", &[3, 0, 4], [2, 1, 3]),
        Case::new("2-d empty first", &[0, 5], [1, 2]),
        Case::new("4-d", &[2, 3, 4, 5], [1, 2, 3, 2]),
        Case::new(
            "4-d irregular",
            &[3, 2, 5, 3],
            vec![vec![2, 1], vec![1, 1], vec![1, 4], vec![3]],
        ),
    ]
}

/// A cheap integer hash (the SplitMix64 finalizer), for deterministic test data.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An array of `shape` whose element at flat index `k` is `f(k)`.
pub(crate) fn from_flat<T>(shape: &[usize], f: impl Fn(u64) -> T) -> ArrayD<T> {
    let n: usize = shape.iter().product();
    let data: Vec<T> = (0..n as u64).map(f).collect();
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("length is the product of the shape")
}

/// Multiples of 1/4 in `-3.0..=3.0`: with halves (for rounding), zeros and ties.
pub(crate) fn values(shape: &[usize], seed: u64) -> ArrayD<f64> {
    from_flat(shape, |k| {
        let r = mix(k ^ mix(seed)) % 25;
        (r as f64 - 12.0) / 4.0
    })
}

/// Values in `0.25..=6.0`, for square roots and logarithms.
pub(crate) fn positive(shape: &[usize], seed: u64) -> ArrayD<f64> {
    from_flat(shape, |k| (mix(k ^ mix(seed)) % 24 + 1) as f64 / 4.0)
}

/// Integers in `lo..=hi`, converted to `T`.
pub(crate) fn ints<T: Copy + 'static>(shape: &[usize], seed: u64, lo: i64, hi: i64) -> ArrayD<T>
where
    i64: AsPrimitive<T>,
{
    let span = (hi - lo + 1) as u64;
    from_flat(shape, |k| (lo + (mix(k ^ mix(seed)) % span) as i64).as_())
}

/// `as` conversion from `i64`, for [`ints`].
pub(crate) trait AsPrimitive<T> {
    fn as_(self) -> T;
}

macro_rules! as_primitive {
    ($($t:ty),*) => {$(
        impl AsPrimitive<$t> for i64 {
            fn as_(self) -> $t {
                self as $t
            }
        }
    )*};
}
as_primitive!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

/// [`values`] with NaN at about one element in five.
pub(crate) fn with_nans(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut a = values(shape, seed);
    for (k, v) in a.iter_mut().enumerate() {
        if mix(k as u64 ^ mix(seed + 1000)) % 5 == 0 {
            *v = f64::NAN;
        }
    }
    a
}

/// A lazy array holding a copy of `a`, cut into `chunks`.
#[track_caller]
pub(crate) fn lazy<T: Element>(a: &ArrayD<T>, chunks: impl Into<Chunks>) -> LazyArray<T> {
    chunkwise::from_ndarray(a.clone(), chunks)
}

/// Something that can hold an error: a lazy array that was invalid when built, or a
/// `Result`.
pub(crate) trait Outcome {
    /// The error it holds, if any (for an invalid array, [`chunkwise::Error::Invalid`]).
    fn outcome(self) -> Option<chunkwise::Error>;
}

impl<T: Element> Outcome for LazyArray<T> {
    fn outcome(self) -> Option<chunkwise::Error> {
        self.error()
    }
}

impl<T: Element> Outcome for &LazyArray<T> {
    fn outcome(self) -> Option<chunkwise::Error> {
        self.error()
    }
}

impl Outcome for chunkwise::DynArray {
    fn outcome(self) -> Option<chunkwise::Error> {
        self.error()
    }
}

impl Outcome for &chunkwise::DynArray {
    fn outcome(self) -> Option<chunkwise::Error> {
        self.error()
    }
}

impl<T, E: Into<chunkwise::Error>> Outcome for Result<T, E> {
    fn outcome(self) -> Option<chunkwise::Error> {
        self.err().map(Into::into)
    }
}

/// The error `x` holds (an invalid array's, or a `Result`'s), panicking if there is none.
#[track_caller]
pub(crate) fn failure(x: impl Outcome) -> chunkwise::Error {
    x.outcome().expect("expected an error")
}

/// `Result`-like checks of a lazy array that may be invalid, so tests read as they did
/// when building returned `Result`: `x.add(300).unwrap_err()` is the error itself (the
/// root of `Error::Invalid`).
#[allow(
    clippy::wrong_self_convention,
    reason = "named as the `Result` methods these replace"
)]
pub(crate) trait Built: Outcome + Sized {
    /// The error the array holds: the error of the invalid operation itself.
    #[track_caller]
    fn unwrap_err(self) -> chunkwise::Error {
        into_root(failure(self))
    }
    /// True when the array is invalid.
    fn is_err(self) -> bool {
        self.outcome().is_some()
    }
    /// True when the array is valid.
    fn is_ok(self) -> bool {
        self.outcome().is_none()
    }
}

impl<T: Element> Built for LazyArray<T> {}
impl<T: Element> Built for &LazyArray<T> {}
impl Built for chunkwise::DynArray {}
impl Built for &chunkwise::DynArray {}

/// The error an `Error::Invalid` stands for, owned (the array holding it has been dropped,
/// so this is its last reference); any other error as it is.
#[track_caller]
pub(crate) fn into_root(e: chunkwise::Error) -> chunkwise::Error {
    match e {
        chunkwise::Error::Invalid { cause, .. } => match std::sync::Arc::try_unwrap(cause) {
            Ok(inner) => into_root(inner),
            Err(shared) => {
                panic!("the invalid array is still alive; match on `.root()` of: {shared}")
            }
        },
        other => other,
    }
}

/// Computes `x`, panicking with the error on failure.
#[track_caller]
pub(crate) fn run<T: Element>(x: &LazyArray<T>) -> ArrayD<T> {
    match x.compute() {
        Ok(a) => a,
        Err(e) => panic!("compute failed: {e}"),
    }
}

/// True when `a` and `b` are equal within `rtol` (relative to the larger magnitude, and
/// absolute below 1), or both NaN, or the same infinity.
pub(crate) fn close(a: f64, b: f64, rtol: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a.to_bits() == b.to_bits();
    }
    (a - b).abs() <= rtol * a.abs().max(b.abs()).max(1.0)
}

/// Asserts that `got` and `want` have the same shape and are elementwise [`close`].
#[track_caller]
pub(crate) fn assert_close(got: &ArrayD<f64>, want: &ArrayD<f64>, rtol: f64) {
    assert_eq!(
        got.shape(),
        want.shape(),
        "shapes differ:\n got {got}\nwant {want}"
    );
    let bad = Zip::from(got)
        .and(want)
        .fold(0usize, |n, &g, &w| n + usize::from(!close(g, w, rtol)));
    assert!(
        bad == 0,
        "{bad} elements differ by more than {rtol}:\n got {got:?}\nwant {want:?}"
    );
}

/// [`assert_close`] for `f32` arrays.
#[track_caller]
pub(crate) fn assert_close_f32(got: &ArrayD<f32>, want: &ArrayD<f32>, rtol: f32) {
    assert_close(&got.mapv(f64::from), &want.mapv(f64::from), f64::from(rtol));
}

/// Asserts exact equality of arrays of any element type, naming the shapes and values.
#[track_caller]
pub(crate) fn assert_same<T: PartialEq + Debug>(got: &ArrayD<T>, want: &ArrayD<T>) {
    assert_eq!(got.shape(), want.shape(), "shapes differ");
    assert!(got == want, "arrays differ:\n got {got:?}\nwant {want:?}");
}

/// Bitwise equality of float arrays (NaN equals NaN), for results that must not depend
/// on scheduling at all.
#[track_caller]
pub(crate) fn assert_bits_equal(got: &ArrayD<f64>, want: &ArrayD<f64>) {
    assert_eq!(got.shape(), want.shape(), "shapes differ");
    let same = Zip::from(got)
        .and(want)
        .all(|&g, &w| g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()));
    assert!(same, "arrays differ bitwise:\n got {got:?}\nwant {want:?}");
}

/// The NumPy broadcast of two shapes.
///
/// # Panics
///
/// When the shapes do not broadcast.
pub(crate) fn broadcast_shape(a: &[usize], b: &[usize]) -> Vec<usize> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|d| {
            let x = if d + a.len() >= n {
                a[d + a.len() - n]
            } else {
                1
            };
            let y = if d + b.len() >= n {
                b[d + b.len() - n]
            } else {
                1
            };
            match (x, y) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => panic!("shapes {a:?} and {b:?} do not broadcast"),
            }
        })
        .collect()
}

/// `f` applied to the NumPy broadcast of `a` and `b`: the eager reference for binary ops.
pub(crate) fn zip_map<A: Copy, B: Copy, O>(
    a: &ArrayD<A>,
    b: &ArrayD<B>,
    f: impl Fn(A, B) -> O,
) -> ArrayD<O> {
    let shape = broadcast_shape(a.shape(), b.shape());
    let av = a.broadcast(IxDyn(&shape)).expect("broadcasts");
    let bv = b.broadcast(IxDyn(&shape)).expect("broadcasts");
    Zip::from(&av).and(&bv).map_collect(|&p, &q| f(p, q))
}

/// The eager reference for every reduction: `f` applied to each run of elements that
/// `axes` (`None`: all) reduce, in C order; the reduced axes are dropped, or kept with
/// length 1 under `keepdims`.
pub(crate) fn reduce_eager<T: Clone, U>(
    a: &ArrayD<T>,
    axes: Option<&[usize]>,
    keepdims: bool,
    f: impl Fn(&ArrayView1<'_, T>) -> U,
) -> ArrayD<U> {
    let ndim = a.ndim();
    let mut axes: Vec<usize> = axes.map_or_else(|| (0..ndim).collect(), <[usize]>::to_vec);
    axes.sort_unstable();
    let kept: Vec<usize> = (0..ndim).filter(|d| !axes.contains(d)).collect();
    let perm: Vec<usize> = kept.iter().chain(&axes).copied().collect();
    let rows: usize = kept.iter().map(|&d| a.shape()[d]).product();
    let n: usize = axes.iter().map(|&d| a.shape()[d]).product();
    let moved = a
        .view()
        .permuted_axes(IxDyn(&perm))
        .as_standard_layout()
        .into_owned();
    let table = moved
        .into_shape_with_order(IxDyn(&[rows, n]))
        .expect("same length")
        .into_dimensionality::<Ix2>()
        .expect("2-d");
    let out: Vec<U> = table.outer_iter().map(|row| f(&row)).collect();
    let shape: Vec<usize> = (0..ndim)
        .filter_map(|d| {
            if axes.contains(&d) {
                keepdims.then_some(1)
            } else {
                Some(a.shape()[d])
            }
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), out).expect("one value per kept position")
}

/// Eager reductions of one run of `f64` values, with NumPy's semantics.
pub(crate) mod eager {
    use ndarray::ArrayView1;

    pub(crate) fn sum(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter().sum()
    }

    pub(crate) fn prod(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter().product()
    }

    pub(crate) fn mean(v: &ArrayView1<'_, f64>) -> f64 {
        sum(v) / v.len() as f64
    }

    /// `sum((x - mean)^2) / max(n - ddof, 0)`, as NumPy's `var(ddof=...)`.
    pub(crate) fn var(v: &ArrayView1<'_, f64>, ddof: usize) -> f64 {
        let m = mean(v);
        let m2: f64 = v.iter().map(|x| (x - m) * (x - m)).sum();
        m2 / (v.len() as f64 - ddof as f64).max(0.0)
    }

    /// The minimum; NaN if any element is NaN.
    pub(crate) fn min(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter().fold(f64::INFINITY, |a, &x| {
            if a.is_nan() || x.is_nan() {
                f64::NAN
            } else {
                a.min(x)
            }
        })
    }

    /// The maximum; NaN if any element is NaN.
    pub(crate) fn max(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter().fold(f64::NEG_INFINITY, |a, &x| {
            if a.is_nan() || x.is_nan() {
                f64::NAN
            } else {
                a.max(x)
            }
        })
    }

    /// Index of the first minimum, or of the first NaN.
    pub(crate) fn argmin(v: &ArrayView1<'_, f64>) -> i64 {
        arg(v, |new, cur| new < cur)
    }

    /// Index of the first maximum, or of the first NaN.
    pub(crate) fn argmax(v: &ArrayView1<'_, f64>) -> i64 {
        arg(v, |new, cur| new > cur)
    }

    fn arg(v: &ArrayView1<'_, f64>, better: impl Fn(f64, f64) -> bool) -> i64 {
        if let Some(i) = v.iter().position(|x| x.is_nan()) {
            return i as i64;
        }
        let mut best = 0;
        for (i, &x) in v.iter().enumerate() {
            if better(x, v[best]) {
                best = i;
            }
        }
        best as i64
    }

    pub(crate) fn any(v: &ArrayView1<'_, f64>) -> bool {
        v.iter().any(|&x| x != 0.0)
    }

    pub(crate) fn all(v: &ArrayView1<'_, f64>) -> bool {
        v.iter().all(|&x| x != 0.0)
    }

    pub(crate) fn nansum(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter().filter(|x| !x.is_nan()).sum()
    }

    /// Mean of the non-NaN elements (NaN when there are none).
    pub(crate) fn nanmean(v: &ArrayView1<'_, f64>) -> f64 {
        let n = v.iter().filter(|x| !x.is_nan()).count();
        nansum(v) / n as f64
    }

    /// Product of the non-NaN elements (1 when there are none).
    pub(crate) fn nanprod(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter().filter(|x| !x.is_nan()).product()
    }

    /// Variance of the non-NaN elements, dividing by `n - ddof` (NaN when there are
    /// none), as NumPy's `nanvar`.
    pub(crate) fn nanvar(v: &ArrayView1<'_, f64>, ddof: usize) -> f64 {
        let kept: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        let n = kept.len() as f64;
        let m = kept.iter().sum::<f64>() / n;
        kept.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - ddof as f64).max(0.0)
    }

    /// `max - min` (NaN if any element is NaN), as NumPy's `ptp`.
    pub(crate) fn ptp(v: &ArrayView1<'_, f64>) -> f64 {
        max(v) - min(v)
    }

    /// Minimum of the non-NaN elements (NaN when there are none).
    pub(crate) fn nanmin(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter()
            .filter(|x| !x.is_nan())
            .copied()
            .reduce(f64::min)
            .unwrap_or(f64::NAN)
    }

    /// Maximum of the non-NaN elements (NaN when there are none).
    pub(crate) fn nanmax(v: &ArrayView1<'_, f64>) -> f64 {
        v.iter()
            .filter(|x| !x.is_nan())
            .copied()
            .reduce(f64::max)
            .unwrap_or(f64::NAN)
    }
}

/// Asserts elementwise equality where NaN equals NaN (`x != x` only for NaN), for arrays
/// of any element type.
#[track_caller]
pub(crate) fn assert_same_or_nan<T: PartialEq + Debug>(got: &ArrayD<T>, want: &ArrayD<T>) {
    assert_eq!(got.shape(), want.shape(), "shapes differ");
    #[allow(clippy::eq_op)]
    let same = Zip::from(got)
        .and(want)
        .all(|g, w| g == w || (g != g && w != w));
    assert!(same, "arrays differ:\n got {got:?}\nwant {want:?}");
}
