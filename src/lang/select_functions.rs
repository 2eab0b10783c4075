//! The language's integer-array and boolean-mask indexing: the functions `take`,
//! `compress`, `nonzero`, `argwhere`, and the advanced subscripts `x[[0, 5]]`,
//! `x[:, idx]`, `x[x > 0.5]` (called by the evaluator when a subscript holds a list or
//! an array).
//!
//! Subscripts follow NumPy's rules for one advanced index among basic ones: an integer
//! list or 1-d integer array along an axis becomes a `take` there; a 1-d bool list or
//! array of the axis's length becomes a `compress`; a bool array of the whole array's
//! shape (the only item) selects elements, 1-d in C order. Integers count as advanced
//! indices too, so when they and the array are separated by a slice or `None`, the
//! array's axis goes first, as NumPy puts it. Two or more integer lists or arrays are
//! NumPy's pointwise indexing ([`pointwise`]): they broadcast together, and element `i`
//! of the result's indexed part is `a[idx1[i], idx2[i], ...]`.

use crate::{Condition, DType, DynArray, Indices};

use super::diagnostic::{Diagnostic, Span};
use super::function::{Function, Group};
use super::value::{Spanned, Value};

/// The functions of this area, for the registry.
pub(super) fn select() -> Vec<Function> {
    vec![
        Function::new(
            "take(a, indices, axis=None)",
            Group::Shape,
            "The elements at `indices` (a list, or a 1-d integer array) along `axis`; `None` for a 1-d array.",
            |args| {
                let a = args.array("a")?;
                let axis = one_axis(&a, args.get("axis"), "take")?;
                let idx = args.get("indices");
                if let Value::Int(i) = idx.value {
                    let taken = a.take(vec![i], axis);
                    return args.done(taken.squeeze(axis));
                }
                args.done(a.take(indices(idx)?, axis))
            },
        )
        .method(),
        Function::new(
            "compress(condition, a, axis=None)",
            Group::Shape,
            "The slices along `axis` where `condition` (1-d, bools or a lazy array) is true; `None` for a 1-d array.",
            |args| {
                let a = args.array("a")?;
                let axis = one_axis(&a, args.get("axis"), "compress")?;
                args.done(a.compress(condition(args.get("condition"))?, axis))
            },
        ),
        Function::new(
            "argwhere(a)",
            Group::Shape,
            "The coordinates of the nonzero elements, one row each in C order: an (n, ndim) int64 array.",
            |args| args.done(args.array("a")?.argwhere()),
        ),
        Function::new(
            "nonzero(a)",
            Group::Shape,
            "The indices of the nonzero elements, a tuple of one int64 array per axis.",
            |args| {
                let at = args.get("a").span;
                let mut out = Vec::new();
                for part in args.array("a")?.nonzero() {
                    match args.done(part)? {
                        v @ Value::Array(_) => out.push(Spanned::new(v, at)),
                        other => return Ok(other),
                    }
                }
                Ok(Value::Tuple(out))
            },
        )
        .method(),
    ]
}

/// The axis of `take`/`compress`: `None` means the only axis of a 1-d array.
fn one_axis(a: &DynArray, v: &Spanned, op: &str) -> Result<usize, Diagnostic> {
    if matches!(v.value, Value::None) {
        if a.ndim() == 1 {
            return Ok(0);
        }
        return Err(v.error(
            format!(
                "`{op}` with `axis=None` flattens the array, which is not supported for {} axes",
                a.ndim()
            ),
            Some("give the axis, as in `axis=0`".into()),
        ));
    }
    super::bind::axis(v, a.ndim())
}

/// Integer indices: a list or tuple of integers, or a 1-d integer array.
fn indices(v: &Spanned) -> Result<Indices, Diagnostic> {
    match &v.value {
        Value::Array(a) => Ok(Indices::Lazy(a.clone())),
        Value::List(items) | Value::Tuple(items) => Ok(Indices::Values(
            items
                .iter()
                .map(|i| i.int("an index"))
                .collect::<Result<_, _>>()?,
        )),
        _ => Err(v.error(
            format!(
                "indices must be a list of integers or an integer array, found {}",
                v.value.describe()
            ),
            None,
        )),
    }
}

/// A condition: a list of bools (or integers), or a 1-d array.
fn condition(v: &Spanned) -> Result<Condition, Diagnostic> {
    match &v.value {
        Value::Array(a) => Ok(Condition::Lazy(a.clone())),
        Value::List(items) | Value::Tuple(items) => Ok(Condition::Values(
            items
                .iter()
                .map(|i| match i.value {
                    Value::Bool(b) => Ok(b),
                    Value::Int(n) => Ok(n != 0),
                    _ => Err(i.error(
                        format!("a condition holds bools, found {}", i.value.describe()),
                        None,
                    )),
                })
                .collect::<Result<_, _>>()?,
        )),
        _ => Err(v.error(
            format!(
                "a condition must be a list of bools or an array, found {}",
                v.value.describe()
            ),
            None,
        )),
    }
}

/// One evaluated subscript item.
pub(super) enum Item {
    /// A basic item, already an ndarray slice entry; `consumes` when it uses an axis,
    /// `integer` for an integer index.
    Basic {
        elem: ndarray::SliceInfoElem,
        consumes: bool,
        integer: bool,
    },
    /// A list or an array.
    Advanced(Spanned),
}

/// True when `v` makes a subscript advanced.
pub(super) fn is_advanced(v: &Value) -> bool {
    match v {
        Value::List(_) => true,
        Value::Array(a) => a.ndim() > 0 || a.dtype() == DType::Bool,
        _ => false,
    }
}

/// `a[items]` with exactly one advanced item (NumPy's rules above).
pub(super) fn advanced(a: &DynArray, items: &[Item], span: Span) -> Result<DynArray, Diagnostic> {
    let positions: Vec<usize> = items
        .iter()
        .enumerate()
        .filter_map(|(k, i)| matches!(i, Item::Advanced(_)).then_some(k))
        .collect();
    let [at] = positions[..] else {
        return pointwise(a, items, &positions, span);
    };
    let Item::Advanced(index) = &items[at] else {
        unreachable!("found above")
    };
    // A whole-shape bool mask, alone.
    if let Value::Array(m) = &index.value {
        if m.dtype() == DType::Bool && m.ndim() != 1
            || (items.len() == 1 && m.ndim() == a.ndim() && m.dtype() == DType::Bool)
        {
            if items.len() != 1 || m.shape() != a.shape() {
                return Err(index.error(
                    format!(
                        "a boolean mask of shape {:?} does not match the array's shape {:?}",
                        m.shape(),
                        a.shape()
                    ),
                    Some(
                        "a mask indexes alone and has the array's shape, or is 1-d along one axis"
                            .into(),
                    ),
                ));
            }
            return Ok(a.boolean_index(m));
        }
    }
    // Basic indexing with a full slice in place of the advanced item, then take.
    let (info, axes_of) = basic_part(items);
    let out_axis = axes_of[0];
    let in_axis = items[..at]
        .iter()
        .filter(|i| matches!(i, Item::Basic { consumes: true, .. }))
        .count();
    let len = a.shape().get(in_axis).copied().unwrap_or(0);
    let based = a.slice(&info);
    let picked = match &index.value {
        Value::Array(m) if m.dtype() == DType::Bool => {
            if m.shape() != [len] {
                return Err(index.error(
                    format!("a boolean index of length {} does not match axis {in_axis} of length {len}", m.shape()[0]),
                    None,
                ));
            }
            based.compress(m, out_axis)
        }
        Value::Array(m) if m.dtype().is_integer() && m.ndim() == 1 => based.take(m, out_axis),
        Value::Array(m) => {
            return Err(index.error(
                format!(
                    "an index array must be 1-d of integers or bools, found a {}-d array of {}",
                    m.ndim(),
                    m.dtype()
                ),
                None,
            ))
        }
        Value::List(list)
            if !list.is_empty() && list.iter().all(|i| matches!(i.value, Value::Bool(_))) =>
        {
            if list.len() != len {
                return Err(index.error(
                    format!("a boolean index of length {} does not match axis {in_axis} of length {len}", list.len()),
                    None,
                ));
            }
            based.compress(condition(index)?, out_axis)
        }
        _ => based.take(indices(index)?, out_axis),
    };
    // Integers and the array separated by a basic item: the array's axis goes first.
    let integer_at: Vec<usize> = items
        .iter()
        .enumerate()
        .filter_map(|(k, i)| matches!(i, Item::Basic { integer: true, .. }).then_some(k))
        .collect();
    let lo = integer_at.iter().copied().chain([at]).min().unwrap_or(at);
    let hi = integer_at.iter().copied().chain([at]).max().unwrap_or(at);
    let separated = (lo..=hi).any(|k| matches!(items[k], Item::Basic { integer: false, .. }));
    if separated && out_axis != 0 {
        let ndim = picked.ndim();
        let mut perm: Vec<usize> = vec![out_axis];
        perm.extend((0..ndim).filter(|&d| d != out_axis));
        return Ok(picked.permute_axes(perm));
    }
    Ok(picked)
}

/// The basic part of a subscript: its slice entries with a full slice in place of each
/// advanced item, and the axis of that basic result each advanced item lands on.
fn basic_part(items: &[Item]) -> (Vec<ndarray::SliceInfoElem>, Vec<usize>) {
    let mut info = Vec::with_capacity(items.len());
    let mut kept = 0;
    let mut axes_of = Vec::new();
    for item in items {
        match item {
            Item::Basic {
                elem,
                consumes,
                integer,
            } => {
                info.push(*elem);
                if !*consumes || !*integer {
                    kept += 1;
                }
            }
            Item::Advanced(_) => {
                info.push(ndarray::SliceInfoElem::Slice {
                    start: 0,
                    end: None,
                    step: 1,
                });
                axes_of.push(kept);
                kept += 1;
            }
        }
    }
    (info, axes_of)
}

/// `a[items]` with several integer lists or arrays (at `positions` of `items`), as NumPy
/// indexes: the index arrays broadcast together to a shape `B`, and the indexed axes are
/// replaced by `B`, in place when the advanced items (integers included) are adjacent,
/// else first.
///
/// ```text
///  based  = a[basic items, full slices at the advanced ones]  (integers drop their axes)
///  merged = the indexed axes moved together and reshaped into one
///  flat   = sum over k of (idx_k, negatives from the end) * stride_k   (broadcast: B)
///  a[...] = merged.take(flat.ravel()) with that axis reshaped to B
/// ```
///
/// Lists are checked against their axes when the expression is built; for lazy index
/// arrays an index out of its axis's range makes the flat index out of range, and the
/// `take` fails at `compute`.
fn pointwise(
    a: &DynArray,
    items: &[Item],
    positions: &[usize],
    span: Span,
) -> Result<DynArray, Diagnostic> {
    let mut index_arrays: Vec<DynArray> = Vec::with_capacity(positions.len());
    for &k in positions {
        let Item::Advanced(v) = &items[k] else {
            unreachable!("positions are those of the advanced items")
        };
        let arr = match &v.value {
            Value::Array(m) if m.dtype().is_integer() => m.astype(DType::I64),
            Value::List(list) if list.iter().all(|i| matches!(i.value, Value::Int(_))) => {
                let values: Vec<i64> = list.iter().map(|i| i.int("an index")).collect::<Result<_, _>>()?;
                let n = values.len();
                crate::from_ndarray(ndarray::Array1::from(values).into_dyn(), [n.max(1)]).to_dyn()
            }
            _ => {
                return Err(v.error(
                    format!(
                        "with several array indices, each must be a 1-d list or an array of integers, found {}",
                        v.value.describe()
                    ),
                    Some("a boolean mask indexes alone or along one axis: `x[m][:, [0, 1]]`".into()),
                ))
            }
        };
        index_arrays.push(arr);
    }
    // Basic indexing first, with full slices where the arrays are; where each lands.
    let (info, axes_of) = basic_part(items);
    let based = a.slice(&info);
    if let Some(e) = based.error() {
        return Err(Diagnostic::library(e, span));
    }
    // Integers count as advanced indices: separated from the arrays (or the arrays from
    // each other) by a slice, `None` or `...`, the broadcast axes go first.
    let advanced_or_integer = |k: &usize| {
        matches!(
            items[*k],
            Item::Advanced(_) | Item::Basic { integer: true, .. }
        )
    };
    let spots: Vec<usize> = (0..items.len()).filter(advanced_or_integer).collect();
    let (lo, hi) = (spots[0], spots[spots.len() - 1]);
    let separated = (lo..=hi).any(|k| !advanced_or_integer(&k));
    let at = if separated { 0 } else { axes_of[0] };
    let moved = if separated && axes_of.iter().enumerate().any(|(i, &ax)| ax != i) {
        let mut perm = axes_of.clone();
        perm.extend((0..based.ndim()).filter(|d| !axes_of.contains(d)));
        based.permute_axes(perm)
    } else {
        based
    };
    let shape = moved.shape().to_vec();
    let m = positions.len();
    let lens: Vec<usize> = shape[at..at + m].to_vec();
    let total: usize = lens.iter().product();
    let to_isize = |n: usize| isize::try_from(n).unwrap_or(isize::MAX);
    let mut merged_shape: Vec<isize> = shape[..at].iter().map(|&n| to_isize(n)).collect();
    merged_shape.push(to_isize(total));
    merged_shape.extend(shape[at + m..].iter().map(|&n| to_isize(n)));
    let merged = moved.reshape(&merged_shape);
    // The flat index into the merged axis, broadcast over the index arrays.
    let to_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut flat: Option<DynArray> = None;
    let mut valid: Option<DynArray> = None;
    let mut stride = 1usize;
    for (idx, &n) in index_arrays.iter().zip(&lens).rev() {
        let from_end = idx.add(to_i64(n));
        let norm = DynArray::where_(idx.less(0i64), &from_end, idx);
        let ok = norm.greater_equal(0i64).logical_and(norm.less(to_i64(n)));
        let term = norm.mul(to_i64(stride));
        flat = Some(match flat {
            None => term,
            Some(f) => f.add(&term),
        });
        valid = Some(match valid {
            None => ok,
            Some(v) => v.logical_and(&ok),
        });
        stride *= n;
    }
    let (Some(flat), Some(valid)) = (flat, valid) else {
        unreachable!("two index arrays at least")
    };
    // An index outside its axis: a flat index past the end, which `take` refuses.
    let flat = DynArray::where_(&valid, &flat, to_i64(total));
    if let Some(e) = flat.error() {
        return Err(Diagnostic::library(e, span));
    }
    let b_shape = flat.shape().to_vec();
    let taken = merged.take(&flat.reshape(&[-1]), at);
    let mut out_shape: Vec<isize> = shape[..at].iter().map(|&n| to_isize(n)).collect();
    out_shape.extend(b_shape.iter().map(|&n| to_isize(n)));
    out_shape.extend(shape[at + m..].iter().map(|&n| to_isize(n)));
    Ok(taken.reshape(&out_shape))
}
