//! Every error a user can cause: the variant with its typed values, and a message that
//! names the offending values.

use chunkwise::{Axes, Chunks, ComputeOptions, Error};
use ndarray::{s, SliceInfoElem};

use crate::common::{lazy, values};

/// Asserts that `$result` is an error matching `$pattern` (with an optional guard) whose
/// message contains every needle.
macro_rules! assert_error {
    ($result:expr, $pattern:pat $(if $guard:expr)?, [$($needle:expr),* $(,)?]) => {{
        let Some(outer) = crate::common::Outcome::outcome($result) else {
            panic!("expected an error");
        };
        // An invalid operation is reported as `Error::Invalid`, naming the operation and
        // where it was built; the error itself is its root.
        let err = outer.root();
        assert!(matches!(*err, $pattern $(if $guard)?), "unexpected error: {err:?}");
        let text = err.to_string();
        $(
            assert!(text.contains($needle), "message {text:?} lacks {:?}", $needle);
        )*
    }};
}

#[test]
fn mismatched_shapes() {
    let a = chunkwise::zeros::<f64>(&[3, 4], [2, 2]);
    let b = chunkwise::zeros::<f64>(&[5], [5]);
    assert_error!(
        &a + &b,
        Error::ShapeMismatch { ref lhs, ref rhs, axis: 1, lhs_len: 4, rhs_len: 5, .. }
            if lhs == &[3, 4] && rhs == &[5],
        ["[3, 4]", "[5]", "axis 1", "4 and 5", "add"]
    );
    let c = chunkwise::zeros::<f64>(&[7, 5], [2, 2]);
    let d = chunkwise::zeros::<f64>(&[7], [3]);
    assert_error!(
        c.less(&d),
        Error::ShapeMismatch {
            axis: 1,
            lhs_len: 5,
            rhs_len: 7,
            ..
        },
        ["[7, 5]", "[7]", "5 and 7", "less"]
    );
    assert_error!(
        c.pow(&d),
        Error::ShapeMismatch { axis: 1, .. },
        ["[7, 5]", "[7]"]
    );
    let e = chunkwise::zeros::<f64>(&[2, 3, 4], [1, 1, 1]);
    let f = chunkwise::zeros::<f64>(&[5, 1], [1, 1]);
    assert_error!(
        e.maximum(&f),
        Error::ShapeMismatch {
            axis: 1,
            lhs_len: 3,
            rhs_len: 5,
            ..
        },
        ["[2, 3, 4]", "[5, 1]", "3 and 5"]
    );
    let cond = c.greater(0.0);
    assert_error!(
        chunkwise::where_(&cond, &c, &d),
        Error::ShapeMismatch {
            axis: 1,
            lhs_len: 5,
            rhs_len: 7,
            ..
        },
        ["[7, 5]", "[7]", "where"]
    );
}

#[test]
fn chunks_that_do_not_add_up() {
    let a = values(&[7, 5], 1);
    assert_error!(
        chunkwise::from_ndarray(a.clone(), vec![vec![3, 3], vec![5]]),
        Error::ChunksSumMismatch {
            axis: 0,
            len: 7,
            sum: 6
        },
        ["add up to 6", "length 7", "axis 0"]
    );
    let x = lazy(&a, [2, 2]);
    assert_error!(
        x.rechunk(vec![vec![7], vec![2, 2]]),
        Error::ChunksSumMismatch {
            axis: 1,
            len: 5,
            sum: 4
        },
        ["add up to 4", "length 5", "axis 1"]
    );
    let other = chunkwise::zeros::<f64>(&[7, 6], [2, 2]);
    assert_error!(
        x.rechunk(other.chunks()),
        Error::ChunksSumMismatch {
            axis: 1,
            len: 5,
            sum: 6
        },
        ["add up to 6", "length 5", "axis 1"]
    );
    assert_error!(
        x.rechunk(vec![vec![7], vec![3, 3]]),
        Error::ChunksSumMismatch {
            axis: 1,
            len: 5,
            sum: 6
        },
        ["add up to 6", "length 5"]
    );
}

#[test]
fn chunks_of_the_wrong_rank() {
    assert_error!(
        chunkwise::zeros::<f64>(&[4, 4], [2]),
        Error::ChunksRankMismatch { chunks_ndim: 1, ndim: 2, ref shape, .. } if shape == &[4, 4],
        ["[4, 4]", "1 axes", "2 axes"]
    );
    assert_error!(
        chunkwise::ones::<i32>(&[4], vec![vec![2, 2], vec![1], vec![1]]),
        Error::ChunksRankMismatch {
            chunks_ndim: 3,
            ndim: 1,
            ..
        },
        ["[4]", "3 axes", "1 axes"]
    );
    let x = lazy(&values(&[7, 5], 2), [2, 2]);
    assert_error!(
        x.rechunk([1, 1, 1]),
        Error::ChunksRankMismatch {
            chunks_ndim: 3,
            ndim: 2,
            ..
        },
        ["[7, 5]", "3 axes"]
    );
}

#[test]
fn zero_chunks() {
    assert_error!(
        chunkwise::zeros::<f64>(&[4, 4], [2, 0]),
        Error::ZeroChunk { axis: 1, len: 4 },
        ["axis 1", "length 4", "chunk size 0"]
    );
    assert_error!(
        chunkwise::zeros::<f64>(&[4, 4], vec![vec![4], vec![2, 0, 2]]),
        Error::ZeroChunk { axis: 1, len: 4 },
        ["axis 1", "length 4"]
    );
    let x = lazy(&values(&[3, 6], 3), [1, 2]);
    assert_error!(
        x.rechunk([0, 2]),
        Error::ZeroChunk { axis: 0, len: 3 },
        ["axis 0", "length 3"]
    );
    assert_error!(
        chunkwise::zeros::<f64>(&[4], Chunks::AutoBytes(0)),
        Error::InvalidParameter { param: "bytes", .. },
        ["bytes", "0"]
    );
}

#[test]
fn out_of_range_axes() {
    let x = lazy(&values(&[7, 5], 4), [2, 2]);
    assert_error!(
        x.sum(2),
        Error::AxisOutOfRange {
            op: "sum",
            axis: 2,
            ndim: 2
        },
        ["axis 2", "2 axes", "`sum`", "-2..2"]
    );
    // Negative axes count from the end; -3 is out of range for two axes.
    assert_error!(
        x.sum(-3),
        Error::AxisOutOfRange {
            op: "sum",
            axis: -3,
            ndim: 2
        },
        ["axis -3", "-2..2"]
    );
    assert_eq!(x.sum(-1).shape(), &[7]);
    assert_error!(
        x.mean([0, 5]),
        Error::AxisOutOfRange {
            op: "mean",
            axis: 5,
            ndim: 2
        },
        ["axis 5", "2 axes"]
    );
    assert_error!(
        x.argmax(3),
        Error::AxisOutOfRange {
            axis: 3,
            ndim: 2,
            ..
        },
        ["axis 3"]
    );
    assert_error!(
        x.expand_dims(3),
        Error::AxisOutOfRange {
            op: "expand_dims",
            axis: 3,
            ..
        },
        ["axis 3", "expand_dims"]
    );
    assert_error!(
        x.squeeze_axes([4]),
        Error::AxisOutOfRange {
            op: "squeeze",
            axis: 4,
            ndim: 2
        },
        ["axis 4", "squeeze"]
    );
    let zero_d = chunkwise::full(&[], 1.0f64, Vec::<usize>::new());
    assert_error!(
        zero_d.max(0),
        Error::AxisOutOfRange {
            axis: 0,
            ndim: 0,
            ..
        },
        ["axis 0", "0 axes"]
    );
}

#[test]
fn duplicate_axes() {
    let x = lazy(&values(&[7, 5, 3], 5), [2, 2, 2]);
    assert_error!(
        x.sum([1, 1]),
        Error::DuplicateAxis { op: "sum", axis: 1 },
        ["axis 1", "more than once", "`sum`"]
    );
    assert_error!(
        x.var(Axes::new([2, 0, 2])).ddof(0),
        Error::DuplicateAxis { axis: 2, .. },
        ["axis 2"]
    );
    let y = lazy(&values(&[1, 5], 6), [1, 2]);
    assert_error!(
        y.squeeze_axes([0, 0]),
        Error::DuplicateAxis {
            op: "squeeze",
            axis: 0
        },
        ["axis 0", "squeeze"]
    );
}

#[test]
fn out_of_range_indices() {
    let x = lazy(&values(&[4, 5], 7), [3, 3]);
    assert_error!(
        x.slice(s![0, 7]),
        Error::IndexOutOfRange {
            axis: 1,
            index: 7,
            len: 5
        },
        ["index 7", "axis 1", "length 5"]
    );
    assert_error!(
        x.slice(s![-5, ..]),
        Error::IndexOutOfRange {
            axis: 0,
            index: -5,
            len: 4
        },
        ["index -5", "axis 0", "length 4"]
    );
    assert_error!(
        x.slice(s![4]),
        Error::IndexOutOfRange {
            axis: 0,
            index: 4,
            len: 4
        },
        ["index 4", "length 4"]
    );
    let e = lazy(&values(&[0], 8), [1]);
    assert_error!(
        e.slice(s![0]),
        Error::IndexOutOfRange {
            axis: 0,
            index: 0,
            len: 0
        },
        ["index 0", "length 0"]
    );
}

#[test]
#[allow(
    clippy::reversed_empty_ranges,
    reason = "`2..-7` is a range that ends before the axis starts"
)]
fn slices_out_of_bounds() {
    let x = lazy(&values(&[4], 9), [3]);
    assert_error!(
        x.slice(s![0..9]),
        Error::SliceOutOfBounds {
            axis: 0,
            start: 0,
            end: 9,
            len: 4
        },
        ["0..9", "length 4", "axis 0"]
    );
    assert_error!(
        x.slice(s![-6..]),
        Error::SliceOutOfBounds {
            start: -6,
            end: 4,
            len: 4,
            ..
        },
        ["-6..4", "length 4"]
    );
    let y = lazy(&values(&[4, 6], 10), [3, 3]);
    assert_error!(
        y.slice(s![.., 2..-7]),
        Error::SliceOutOfBounds {
            axis: 1,
            start: 2,
            end: -7,
            len: 6
        },
        ["2..-7", "axis 1", "length 6"]
    );
    assert_error!(
        y.slice([SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 0
        }]),
        Error::SliceStepZero { axis: 0 },
        ["step is 0", "axis 0"]
    );
    assert_error!(
        y.slice(s![0, 0, 0]),
        Error::SliceRankMismatch { given: 3, ndim: 2 },
        ["3 entries", "2 axes"]
    );
}

#[test]
fn squeeze_of_an_axis_longer_than_one() {
    let x = chunkwise::zeros::<f32>(&[1, 3, 1], [1, 2, 1]);
    assert_error!(
        x.squeeze_axes([1]),
        Error::NotSqueezable { axis: 1, len: 3 },
        ["axis 1", "length 3"]
    );
    let e = chunkwise::zeros::<f32>(&[1, 0], [1, 1]);
    assert_error!(
        e.squeeze_axes([0, 1]),
        Error::NotSqueezable { axis: 1, len: 0 },
        ["axis 1", "length 0"]
    );
}

#[test]
fn downcast_to_the_wrong_dtype() {
    let x = chunkwise::zeros::<f64>(&[3], [2]).to_dyn();
    assert_error!(
        x.downcast::<f32>(),
        Error::DTypeMismatch {
            expected: chunkwise::DType::F32,
            found: chunkwise::DType::F64,
            ..
        },
        ["float32", "float64", "downcast"]
    );
    let i = chunkwise::arange(0u8, 5, 1, [2]).to_dyn();
    assert_error!(
        i.downcast::<i8>(),
        Error::DTypeMismatch {
            expected: chunkwise::DType::I8,
            found: chunkwise::DType::U8,
            ..
        },
        ["int8", "uint8"]
    );
    assert!(i.downcast::<u8>().is_ok());
    assert_error!(
        i.compute().unwrap().into_typed::<f64>(),
        Error::DTypeMismatch {
            found: chunkwise::DType::U8,
            ..
        },
        ["uint8", "float64"]
    );
}

#[test]
fn reductions_without_identity_over_zero_elements() {
    let x = chunkwise::zeros::<f64>(&[0, 3], [1, 2]);
    assert_error!(
        x.min(0),
        Error::EmptyReduction { op: "min", ref shape, ref axes }
            if shape == &[0, 3] && axes == &[0],
        ["`min`", "[0, 3]", "[0]"]
    );
    assert_error!(
        x.argmin(..),
        Error::EmptyReduction { op: "argmin", ref axes, .. } if axes == &[0, 1],
        ["`argmin`", "[0, 3]", "[0, 1]"]
    );
    assert_error!(
        x.max(..),
        Error::EmptyReduction { op: "max", .. },
        ["`max`"]
    );
    assert_error!(
        x.nanmax(0),
        Error::EmptyReduction { op: "nanmax", .. },
        ["`nanmax`"]
    );
    assert_error!(
        x.nanmin(..),
        Error::EmptyReduction { op: "nanmin", .. },
        ["`nanmin`"]
    );
    assert_error!(
        x.argmax(0),
        Error::EmptyReduction { op: "argmax", .. },
        ["`argmax`"]
    );
    let e = chunkwise::arange(0i32, 0, 1, [3]);
    assert_error!(
        e.min(..),
        Error::EmptyReduction { op: "min", .. },
        ["`min`", "[0]"]
    );
    // Over the non-empty axis it is fine.
    assert_eq!(x.min(1).shape(), &[0]);
}

#[test]
fn integer_powi_with_a_negative_exponent() {
    let x = chunkwise::arange(1i32, 5, 1, [2]);
    assert_error!(
        x.powi(-1),
        Error::InvalidParameter { op: "powi", param: "exponent", ref value, .. } if value == "-1",
        ["-1", "powi", "exponent"]
    );
    let u = chunkwise::ones::<u64>(&[3], [3]);
    assert_error!(
        u.powi(-7),
        Error::InvalidParameter { op: "powi", .. },
        ["-7"]
    );
    // Floats accept negative exponents.
    assert!(chunkwise::ones::<f32>(&[3], [3]).powi(-7).error().is_none());
}

#[test]
fn other_invalid_parameters() {
    let x = lazy(&values(&[3, 4, 5], 11), [2, 2, 2]);
    assert_error!(
        x.compute_scalar(),
        Error::InvalidParameter { op: "compute_scalar", ref value, .. } if value == "[3, 4, 5]",
        ["[3, 4, 5]", "0-d"]
    );
    assert_error!(
        x.permute_axes([0, 0, 1]),
        Error::InvalidParameter { op: "transpose", ref value, .. } if value == "[0, 0, 1]",
        ["[0, 0, 1]", "transpose"]
    );
    assert_error!(
        x.permute_axes([1, 0]),
        Error::InvalidParameter {
            op: "transpose",
            ..
        },
        ["[1, 0]"]
    );
    assert_error!(
        x.argmin([0, 1]),
        Error::InvalidParameter { op: "argmin", ref value, .. } if value == "[0, 1]",
        ["[0, 1]", "argmin"]
    );
    assert_error!(
        x.sum(Axes::all().split_every(1)),
        Error::InvalidParameter { param: "split_every", ref value, .. } if value == "1",
        ["split_every", "1"]
    );
    assert_error!(
        chunkwise::arange(0i32, 10, 0, [3]),
        Error::InvalidParameter { op: "arange", param: "step", ref value, .. } if value == "0",
        ["step", "0"]
    );
    assert_error!(
        chunkwise::arange(0.0f64, 1.0, f64::NAN, [3]),
        Error::InvalidParameter {
            op: "arange",
            param: "step",
            ..
        },
        ["NaN"]
    );
    assert_error!(
        chunkwise::linspace(0.0f64, f64::INFINITY, 3, [3]),
        Error::InvalidParameter { op: "linspace", .. },
        ["inf"]
    );
    assert_error!(
        x.compute_with(&ComputeOptions::default().threads(0)),
        Error::InvalidParameter { param: "threads", ref value, .. } if value == "0",
        ["threads", "0"]
    );
}

/// Building never fails: an invalid operation is reported by `compute` and `explain`,
/// naming the operation and the file and line where it was built, and every array built
/// from it reports the same first error.
#[test]
fn invalid_operations_are_reported_with_where_they_were_built() {
    let a = chunkwise::zeros::<f64>(&[3, 4], [2, 2]);
    let b = chunkwise::zeros::<f64>(&[5], [5]);
    let line = line!() + 1;
    let bad = &a + &b;
    let later = (bad.sqrt() * 2.0).sum(0);
    for err in [
        later.compute().unwrap_err(),
        later.explain().unwrap_err(),
        later.graph_stats().unwrap_err(),
    ] {
        let Error::Invalid { op, location, .. } = &err else {
            panic!("expected an invalid operation, got {err:?}");
        };
        assert_eq!(*op, "add");
        assert_eq!(location.line(), line, "{err}");
        assert!(location.file().ends_with("errors.rs"), "{err}");
        assert!(
            err.to_string().contains(&format!("errors.rs:{line}")),
            "{err}"
        );
        assert!(matches!(err.root(), Error::ShapeMismatch { axis: 1, .. }));
        let source = std::error::Error::source(&err).expect("the cause");
        assert!(source.to_string().contains("[3, 4]"), "{source}");
    }
    // The display of an invalid array says so, and asking needs no computation.
    assert!(later.to_string().contains("invalid"), "{later}");
    assert!(later.error().is_some() && a.error().is_none());
}
