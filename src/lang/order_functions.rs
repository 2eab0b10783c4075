//! The language's order statistics and binning: `sort`, `argsort`, `topk`, `argtopk`,
//! `median`,
//! `quantile`, `percentile` and their `nan` variants, `histogram`, `bincount`, `unique`,
//! `searchsorted`, `digitize` (`count_nonzero` is a line of the reduction table).
//!
//! The method forms (`x.sort(axis=0)`) return the sorted copy: the language has no
//! assignment, so NumPy's in-place `ndarray.sort` has nothing to change.

use crate::{DynArray, HistogramBins, Quantiles, Side};

use super::bind::Args;
use super::diagnostic::Diagnostic;
use super::function::{Function, Group};
use super::value::{Spanned, Value};

/// The entries.
pub(super) fn order() -> Vec<Function> {
    let mut out = vec![
        Function::new(
            "sort(a, axis=-1)",
            Group::Shape,
            "A sorted copy along `axis` (NaN last; `None` sorts a 1-d array); also `x.sort(axis)`, which returns the copy.",
            |args| {
                let a = args.array("a")?;
                let axis = one_axis(args, &a, "sort")?;
                args.done(a.sort(axis))
            },
        )
        .method(),
        Function::new(
            "argsort(a, axis=-1)",
            Group::Shape,
            "The indices (int64) that sort `a` along `axis`, stable: equal values keep their order, NaN last.",
            |args| {
                let a = args.array("a")?;
                let axis = one_axis(args, &a, "argsort")?;
                args.done(a.argsort(axis))
            },
        )
        .method(),
        Function::new(
            "topk(a, k, axis=-1)",
            Group::Shape,
            "Dask's `topk`: the `k` largest elements along `axis`, largest first (`k < 0`: the smallest, smallest first), without a full sort.",
            |args| {
                let a = args.array("a")?;
                let k = args.get("k").int("`k`")?;
                let axis = super::bind::axis(args.get("axis"), a.ndim())?;
                args.done(a.topk(k, axis, false))
            },
        )
        .method(),
        Function::new(
            "argtopk(a, k, axis=-1)",
            Group::Shape,
            "Dask's `argtopk`: the indices (int64) of `topk`'s elements.",
            |args| {
                let a = args.array("a")?;
                let k = args.get("k").int("`k`")?;
                let axis = super::bind::axis(args.get("axis"), a.ndim())?;
                args.done(a.topk(k, axis, true))
            },
        )
        .method(),
        Function::new(
            "histogram(a, bins=10, range=None)",
            Group::Reduction,
            "The counts (int64) and the edges of the histogram, as a tuple `(counts, edges)`; `bins` is a number of equal bins over `range` (default: the data's min and max) or the edges.",
            |args| {
                let a = args.array("a")?;
                let bins = match &args.get("bins").value {
                    Value::Int(_) => HistogramBins::Count(args.count("bins")?),
                    _ => HistogramBins::Edges(array_like(args.get("bins"))?),
                };
                let range = if args.is_none("range") {
                    None
                } else {
                    let v = args.get("range");
                    match v.items().as_slice() {
                        [lo, hi] if matches!(v.value, Value::Tuple(_) | Value::List(_)) => {
                            Some((number(lo)?, number(hi)?))
                        }
                        _ => {
                            return Err(v.error(
                                format!("`range` must be a pair `(min, max)`, found {}", v.value.describe()),
                                None,
                            ))
                        }
                    }
                };
                let (counts, edges) = a.histogram(bins, range);
                let span = args.get("a").span;
                args.done(counts.clone())?;
                args.done(edges.clone())?;
                Ok(Value::Tuple(vec![
                    Spanned::new(Value::Array(counts), span),
                    Spanned::new(Value::Array(edges), span),
                ]))
            },
        ),
        Function::new(
            "bincount(x, weights=None, minlength=0)",
            Group::Reduction,
            "How often each non-negative integer occurs in the 1-d `x` (int64, length max(x) + 1, at least `minlength`); with `weights`, their float64 sums.",
            |args| {
                let x = args.array("x")?;
                let weights = if args.is_none("weights") {
                    None
                } else {
                    Some(array_like(args.get("weights"))?)
                };
                let minlength = args.count("minlength")?;
                args.done(x.bincount(weights.as_ref(), minlength))
            },
        ),
        Function::new(
            "unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *, equal_nan=True)",
            Group::Reduction,
            "The sorted distinct values of the flattened `ar`; with `return_counts`, the tuple `(values, counts)`; NaNs collapse into one with `equal_nan`.",
            |args| {
                let a = args.array("ar")?;
                for unsupported in ["return_index", "return_inverse"] {
                    if args.bool(unsupported)? {
                        return Err(args.error(
                            unsupported,
                            format!("`{unsupported}=True` is not supported; `return_counts` is"),
                        ));
                    }
                }
                if !args.is_none("axis") {
                    return Err(args.error(
                        "axis",
                        "`unique` works over the flattened array only (`axis=None`)",
                    ));
                }
                let counts = args.bool("return_counts")?;
                let (values, c) = a.unique_with(counts, args.bool("equal_nan")?);
                args.done(values.clone())?;
                if !counts {
                    return Ok(Value::Array(values));
                }
                args.done(c.clone())?;
                let span = args.get("ar").span;
                Ok(Value::Tuple(vec![
                    Spanned::new(Value::Array(values), span),
                    Spanned::new(Value::Array(c), span),
                ]))
            },
        ),
        Function::new(
            "searchsorted(a, v, side=\"left\")",
            Group::Elementwise,
            "Where each value of `v` would be inserted into the sorted 1-d `a` (int64); `side=\"right\"` after equal elements.",
            |args| {
                let a = args.array("a")?;
                let v = args.array("v")?;
                let side = match &args.get("side").value {
                    Value::Str(s) if s == "left" => Side::Left,
                    Value::Str(s) if s == "right" => Side::Right,
                    other => {
                        return Err(args.error(
                            "side",
                            format!("`side` must be \"left\" or \"right\", found {}", other.describe()),
                        ))
                    }
                };
                args.done(a.searchsorted(&v, side))
            },
        )
        .method(),
        Function::new(
            "digitize(x, bins, right=False)",
            Group::Elementwise,
            "The index (int64) of the bin of each value: `bins[i-1] <= x < bins[i]` for increasing bins (`right`: closed on the right); decreasing bins too.",
            |args| {
                let x = args.array("x")?;
                let bins = array_like(args.get("bins"))?;
                args.done(x.digitize(&bins, args.bool("right")?))
            },
        ),
    ];
    for (name, nan) in [("median", false), ("nanmedian", true)] {
        out.push(
            Function::with_params(
                name,
                params(&["a", "axis=None", "*", "keepdims=False"]),
                Group::Reduction,
                if nan {
                    "The median leaving NaN out (NaN where a lane has only NaN), along one axis or over the whole array (`None`), exactly."
                } else {
                    "The median (the mean of the two middle values of an even count; NaN if a NaN is present), along one axis or over the whole array (`None`), exactly; float64 for integers."
                },
                move |args| {
                    let a = args.array("a")?;
                    let axes = statistic_axes(args, &a)?;
                    args.done(a.median(axes, nan))
                },
            )
            .method(),
        );
    }
    for (name, percent, nan, doc) in [
        ("quantile", false, false, "The `q`-th quantiles (q in [0, 1], a number or a list, which puts an axis first) along one axis or over the whole array, exactly, with NumPy's `linear` method."),
        ("nanquantile", false, true, "The quantiles leaving NaN out (NaN where a lane has only NaN)."),
        ("percentile", true, false, "The `q`-th percentiles (q in [0, 100]), `quantile` at `q / 100`."),
        ("nanpercentile", true, true, "The percentiles leaving NaN out."),
    ] {
        out.push(
            Function::with_params(
                name,
                params(&["a", "q", "axis=None", "*", "method=\"linear\"", "keepdims=False"]),
                Group::Reduction,
                doc,
                move |args| {
                    let a = args.array("a")?;
                    match &args.get("method").value {
                        Value::Str(m) if m == "linear" => {}
                        other => {
                            return Err(args.error(
                                "method",
                                format!(
                                    "only the `linear` method is supported, found {}",
                                    other.describe()
                                ),
                            ))
                        }
                    }
                    let q = quantiles(args.get("q"))?;
                    let axes = statistic_axes(args, &a)?;
                    let out = a.quantile(q, axes, percent, nan);
                    // An integer `q` (0 or 1) takes elements without interpolating, so
                    // NumPy's `quantile` keeps the input's dtype.
                    let whole = args.get("q").items().iter().all(|i| matches!(i.value, Value::Int(_)));
                    if whole && !percent && !matches!(args.get("q").value, Value::Tuple(ref v) | Value::List(ref v) if v.is_empty()) {
                        return args.done(out.astype(a.dtype()));
                    }
                    args.done(out)
                },
            )
            .method(),
        );
    }
    out
}

/// Parameters from their written forms.
fn params(list: &[&'static str]) -> Vec<crate::Param> {
    list.iter()
        .map(|p| match p.split_once('=') {
            Some((n, d)) => crate::Param::optional(n, d),
            None => crate::Param::required(p),
        })
        .collect()
}

/// The `axis` of `sort`/`argsort`: an integer, or `None` for a 1-d array (NumPy sorts
/// the flattened array; chunkwise flattens only what is already flat).
fn one_axis(args: &Args, a: &DynArray, op: &str) -> Result<isize, Diagnostic> {
    let v = args.get("axis");
    if matches!(v.value, Value::None) {
        if a.ndim() == 1 {
            return Ok(0);
        }
        return Err(v.error(
            format!("`{op}` with axis=None flattens the array, which is only supported for 1-d arrays (this one has shape {:?})", a.shape()),
            Some("give an axis".into()),
        ));
    }
    let axis = super::bind::axis(v, a.ndim())?;
    Ok(axis as isize)
}

/// The `axis` and `keepdims` of a statistic.
fn statistic_axes(args: &Args, a: &DynArray) -> Result<crate::Axes, Diagnostic> {
    let axes = args.axes("axis", a.ndim())?;
    Ok(crate::Axes::from(axes.as_deref()).keepdims(args.bool("keepdims")?))
}

/// A number (an integer or a float) as `f64`.
fn number(v: &Spanned) -> Result<f64, Diagnostic> {
    match v.value {
        #[allow(clippy::cast_precision_loss)]
        Value::Int(i) => Ok(i as f64),
        Value::Float(f) => Ok(f),
        _ => Err(v.error(
            format!("expected a number, found {}", v.value.describe()),
            None,
        )),
    }
}

/// `q`: a number, or a tuple or list of numbers.
fn quantiles(v: &Spanned) -> Result<Quantiles, Diagnostic> {
    match &v.value {
        Value::Tuple(items) | Value::List(items) => Ok(Quantiles::from(
            items.iter().map(number).collect::<Result<Vec<f64>, _>>()?,
        )),
        _ => Ok(Quantiles::from(number(v)?)),
    }
}

/// An array, or a list or tuple of numbers made a 1-d array (`int64` when every one
/// is an integer, else `float64`, as `np.asarray`).
fn array_like(v: &Spanned) -> Result<DynArray, Diagnostic> {
    match &v.value {
        Value::Tuple(items) | Value::List(items) => {
            let n = items.len().max(1);
            if items.iter().all(|i| matches!(i.value, Value::Int(_))) {
                let data: Vec<i64> = items
                    .iter()
                    .map(|i| i.int("an edge"))
                    .collect::<Result<_, _>>()?;
                Ok(crate::from_ndarray(ndarray::Array1::from(data).into_dyn(), [n]).to_dyn())
            } else {
                let data: Vec<f64> = items.iter().map(number).collect::<Result<_, _>>()?;
                Ok(crate::from_ndarray(ndarray::Array1::from(data).into_dyn(), [n]).to_dyn())
            }
        }
        _ => v.array(),
    }
}
