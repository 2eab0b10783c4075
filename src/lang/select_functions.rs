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
//! array's axis goes first, as NumPy puts it. Two array indices (which NumPy broadcasts
//! together) are refused with a message.

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
        return Err(Diagnostic::new(
            "only one list or array per index is supported",
            span,
            Some("index one axis at a time: `x[[0, 1]][:, [2, 3]]`".into()),
        ));
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
    let mut info = Vec::with_capacity(items.len());
    let mut out_axis = 0;
    for (k, item) in items.iter().enumerate() {
        match item {
            Item::Basic {
                elem,
                consumes,
                integer,
            } => {
                info.push(*elem);
                if k < at && (!*consumes || !*integer) {
                    out_axis += 1;
                }
            }
            Item::Advanced(_) => info.push(ndarray::SliceInfoElem::Slice {
                start: 0,
                end: None,
                step: 1,
            }),
        }
    }
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
