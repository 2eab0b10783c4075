//! `chunkwise stats`: count, min, max, mean, standard deviation and NaN count of a Zarr
//! array, over all of it or along one axis, computed chunk by chunk in one pass (two
//! when the array holds NaNs).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use chunkwise::{AnyArray, Axes, Chunks, DType, DynArray, ReduceFn, Scalar, UnaryFn};
use clap::Args;
use serde_json::{json, Value};

use crate::options::RunArgs;

const AFTER_HELP: &str = "\
NaN values are counted in `nan_count` and left out of every other statistic (as NumPy's
nanmin, nanmean... do); `count` is the number of values that are not NaN. `std` divides by
the count (ddof 0).

EXAMPLES:
  chunkwise stats data.zarr/temperature              over the whole array
  chunkwise stats data.zarr/temperature --axis 0     along axis 0: one row per index of the
                                                     other axes, as NumPy's axis=0
  chunkwise stats data.zarr/temperature --json       one JSON object";

/// How many rows of a per-index table the text output shows before eliding.
const MAX_TEXT_ROWS: usize = 20;

/// Arguments of `chunkwise stats`.
#[derive(Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub(crate) struct StatsArgs {
    /// A Zarr array (v2 or v3): the directory holding `zarr.json` or `.zarray`.
    array: PathBuf,
    /// Reduce along this axis only (negative counts from the end), as NumPy's `axis=`.
    #[arg(long, allow_negative_numbers = true)]
    axis: Option<isize>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// The statistics in output order.
const NAMES: [&str; 6] = ["count", "min", "max", "mean", "std", "nan_count"];

pub(crate) fn run(args: &StatsArgs) -> Result<()> {
    let x = chunkwise::zarr::open_array(&args.array)?.to_dyn(None)?;
    let axis = match args.axis {
        None => None,
        Some(a) => Some(normalize_axis(a, x.shape().len())?),
    };
    let values = compute(&x, axis, &args.run)?;
    let columns: Vec<Vec<f64>> = values.iter().map(flat_f64).collect();
    let integer: Vec<bool> = values.iter().map(|v| v.dtype().is_integer()).collect();
    let shape = values[0].shape().to_vec();
    if args.json {
        let mut out = serde_json::Map::new();
        out.insert("shape".into(), json!(shape));
        out.insert("dtype".into(), json!(x.dtype().to_string()));
        for (name, (value, column)) in NAMES.iter().zip(values.iter().zip(&columns)) {
            out.insert((*name).into(), to_json(value, column));
        }
        crate::print_line(&Value::Object(out).to_string());
        return Ok(());
    }
    crate::print_line(&format!(
        "{}: {} array of shape {:?}{}",
        args.array.display(),
        x.dtype(),
        x.shape(),
        args.axis
            .map_or_else(String::new, |a| format!(", statistics along axis {a}"))
    ));
    if shape.is_empty() {
        for ((name, column), &integer) in NAMES.iter().zip(&columns).zip(&integer) {
            crate::print_line(&format!("  {name:<10} {}", number(column[0], integer)));
        }
        return Ok(());
    }
    print_table(&shape, &columns, &integer);
    Ok(())
}

fn normalize_axis(axis: isize, ndim: usize) -> Result<usize> {
    let n = isize::try_from(ndim)?;
    let a = if axis < 0 { axis + n } else { axis };
    usize::try_from(a)
        .ok()
        .filter(|&a| a < ndim)
        .ok_or_else(|| {
            if ndim == 0 {
                anyhow!("--axis {axis}: the array is 0-dimensional (one value); leave out --axis")
            } else {
                anyhow!(
                    "--axis {axis} is out of range for an array with {ndim} axes; use 0 to {} \
                     or -1 to -{ndim}",
                    ndim - 1
                )
            }
        })
}

/// The axes `axis` names (`None`: all).
fn axes_of(axis: Option<usize>) -> Axes {
    axis.map_or_else(Axes::all, Axes::from)
}

/// Count, min, max, mean, std and NaN count along `axis` (`None`: over everything), as
/// arrays of the reduced shape.
fn compute(x: &DynArray, axis: Option<usize>, run: &RunArgs) -> Result<Vec<AnyArray>> {
    let xf = x.astype(DType::F64);
    let reduced_len: usize = match axis {
        None => x.shape().iter().product(),
        Some(a) => x.shape()[a],
    };
    let nan_count = x
        .unary(UnaryFn::IsNan)
        .astype(DType::I64)
        .reduce(ReduceFn::Sum, axes_of(axis));
    let count = nan_count.neg().add(i64::try_from(reduced_len)?);
    // Min and max of nothing have no value (NumPy raises): NaN, as the mean and std are.
    let (min, max) = if reduced_len == 0 {
        let shape = nan_count.shape().to_vec();
        let nan = DynArray::full(&shape, Scalar::F64(f64::NAN), Chunks::Auto);
        (nan.clone(), nan)
    } else {
        (
            x.reduce(ReduceFn::NanMin, axes_of(axis)),
            x.reduce(ReduceFn::NanMax, axes_of(axis)),
        )
    };
    let lazy = [
        count.clone(),
        min,
        max,
        xf.reduce(ReduceFn::NanMean, axes_of(axis)),
        xf.reduce(ReduceFn::Std { ddof: 0 }, axes_of(axis)),
        nan_count,
    ];
    let mut values = DynArray::compute_many_with(&lazy, &run.with_progress("stats"))?;
    if values[5].sum_f64() > 0.0 {
        // The one-pass std counts NaNs; recompute it over the values that are not NaN:
        // sqrt(nansum((x - nanmean)^2) / count). Two more passes, only for NaN data.
        let mean = xf.reduce(ReduceFn::NanMean, axes_of(axis).keepdims(true));
        let centered = xf.sub(&mean);
        let std = centered
            .mul(&centered)
            .reduce(ReduceFn::NanSum, axes_of(axis))
            .div(count.astype(DType::F64))
            .unary(UnaryFn::Sqrt);
        values[4] =
            DynArray::compute_many_with(&[std], &run.with_progress("stats (std, NaN-aware)"))?
                .pop()
                .ok_or_else(|| anyhow!("the computation returned no result"))?;
    }
    Ok(values)
}

fn flat_f64(a: &AnyArray) -> Vec<f64> {
    a.cast(DType::F64)
        .into_typed::<f64>()
        .map(|v| v.iter().copied().collect())
        .unwrap_or_default()
}

/// A statistic as JSON: a number (or `"nan"`) for a 0-d result, else a flat list.
fn to_json(value: &AnyArray, column: &[f64]) -> Value {
    let integer = value.dtype().is_integer();
    #[allow(clippy::cast_possible_truncation)]
    let one = |v: f64| match () {
        () if !v.is_finite() => json!(number(v, false)),
        () if integer => json!(v as i64),
        () => json!(v),
    };
    if value.shape().is_empty() {
        one(column[0])
    } else {
        Value::Array(column.iter().map(|&v| one(v)).collect())
    }
}

/// `v` for text output: integers whole, other numbers with six decimals.
fn number(v: f64, integer: bool) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else if integer {
        format!("{v:.0}")
    } else {
        format!("{v:.6}")
    }
}

/// One row per index of the reduced shape (C order), elided in the middle when long.
fn print_table(shape: &[usize], columns: &[Vec<f64>], integer: &[bool]) {
    let mut header = format!("  {:<14}", "index");
    for name in NAMES {
        let _ = write!(header, " {name:>14}");
    }
    crate::print_line(&header);
    let rows = columns[0].len();
    let row_line = |r: usize| {
        let mut line = format!("  {:<14}", format!("{:?}", unravel(r, shape)));
        for (column, &integer) in columns.iter().zip(integer) {
            let _ = write!(line, " {:>14}", number(column[r], integer));
        }
        line
    };
    if rows <= MAX_TEXT_ROWS {
        (0..rows).for_each(|r| crate::print_line(&row_line(r)));
    } else {
        let half = MAX_TEXT_ROWS / 2;
        (0..half).for_each(|r| crate::print_line(&row_line(r)));
        crate::print_line(&format!(
            "  ... {} more rows (use --json for all)",
            rows - 2 * half
        ));
        (rows - half..rows).for_each(|r| crate::print_line(&row_line(r)));
    }
}

fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for a in (0..shape.len()).rev() {
        let n = shape[a].max(1);
        index[a] = flat % n;
        flat /= n;
    }
    index
}
