//! The structural functions of the language, under NumPy's names and argument names:
//! `concatenate`, `stack`, `block`, `reshape`, `pad`, `flip`, `roll`, `broadcast_to`,
//! `moveaxis`, `swapaxes`, `repeat`, `tile`, `diff` (and the methods NumPy has:
//! `x.reshape(...)`, `x.repeat(...)`, `x.swapaxes(...)`, `x.flip` is not one in NumPy).
//!
//! Each entry reads its arguments as NumPy takes them (a shape as one integer or a tuple,
//! pad widths as one number, a pair or a pair per axis...) and makes one library call;
//! the library does the checking, and its errors are reported at the call.

use crate::{DynArray, PadMode, Scalar};

use super::bind::axis;
use super::diagnostic::Diagnostic;
use super::function::{Function, Group};
use super::value::{Spanned, Value};

/// The arrays of a list or tuple argument.
fn arrays(v: &Spanned, what: &str) -> Result<Vec<DynArray>, Diagnostic> {
    match &v.value {
        Value::List(items) | Value::Tuple(items) => items.iter().map(Spanned::array).collect(),
        other => Err(v.error(
            format!(
                "{what} must be a list of arrays, found {}",
                other.describe()
            ),
            Some("such as `[x, y]`".into()),
        )),
    }
}

/// Integers given as one integer or a tuple or list of them.
fn ints(v: &Spanned, what: &str) -> Result<Vec<i64>, Diagnostic> {
    v.items().into_iter().map(|i| i.int(what)).collect()
}

/// Non-negative integers given as one integer or a tuple or list of them.
fn counts(v: &Spanned, what: &str) -> Result<Vec<usize>, Diagnostic> {
    v.items().into_iter().map(|i| i.count(what)).collect()
}

fn isizes(values: &[i64]) -> Vec<isize> {
    values
        .iter()
        .map(|&v| isize::try_from(v).unwrap_or(isize::MIN))
        .collect()
}

/// A shape for `reshape`: one integer or a tuple of them (`-1` allowed).
fn shape_arg(v: &Spanned) -> Result<Vec<isize>, Diagnostic> {
    Ok(isizes(&ints(v, "a length of the shape")?))
}

/// The `(before, after)` pairs per axis of `pad_width` or `constant_values`, as NumPy
/// broadcasts them: one value, `(v,)`, `(before, after)`, `((before, after),)`, or one
/// value or pair per axis.
fn pairs<T: Copy>(
    v: &Spanned,
    ndim: usize,
    name: &str,
    read: &dyn Fn(&Spanned) -> Result<T, Diagnostic>,
) -> Result<Vec<(T, T)>, Diagnostic> {
    let pair = |item: &Spanned| -> Result<(T, T), Diagnostic> {
        match item.items().as_slice() {
            [one] => {
                let x = read(one)?;
                Ok((x, x))
            }
            [b, a] => Ok((read(b)?, read(a)?)),
            _ => Err(item.error(
                format!("each entry of `{name}` must be a value or a (before, after) pair"),
                None,
            )),
        }
    };
    let items = v.items();
    let nested = items
        .iter()
        .any(|i| matches!(i.value, Value::Tuple(_) | Value::List(_)));
    if !nested {
        return Ok(vec![pair(v)?; ndim]);
    }
    match items.as_slice() {
        [one] => Ok(vec![pair(one)?; ndim]),
        list if list.len() == ndim => list.iter().map(|i| pair(i)).collect(),
        list => Err(v.error(
            format!(
                "`{name}` has {} entries but the array has {ndim} axes",
                list.len()
            ),
            Some("give one (before, after) pair, or one per axis".into()),
        )),
    }
}

/// A number as a scalar (for `constant_values`).
fn scalar(v: &Spanned) -> Result<Scalar, Diagnostic> {
    match v.value {
        Value::Int(i) => Ok(Scalar::I64(i)),
        Value::Float(f) => Ok(Scalar::F64(f)),
        Value::Bool(b) => Ok(Scalar::Bool(b)),
        ref other => Err(v.error(
            format!(
                "a constant value must be a number, found {}",
                other.describe()
            ),
            None,
        )),
    }
}

/// NumPy's `block`: nested lists, the innermost joined along the last axis, each level
/// out along the axis before.
fn block(v: &Spanned) -> Result<DynArray, Diagnostic> {
    fn depth(v: &Spanned) -> Result<usize, Diagnostic> {
        match &v.value {
            Value::List(items) => {
                let Some(first) = items.first() else {
                    return Err(v.error("`block` cannot join an empty list", None));
                };
                let d = depth(first)?;
                for item in items {
                    if depth(item)? != d {
                        return Err(item.error(
                            "the lists given to `block` must all be nested to the same depth",
                            None,
                        ));
                    }
                }
                Ok(d + 1)
            }
            Value::Tuple(_) => Err(v.error(
                "`block` takes lists, not tuples",
                Some("write `[[x, y], [z, w]]`".into()),
            )),
            _ => Ok(0),
        }
    }
    fn leaves_ndim(v: &Spanned) -> Result<usize, Diagnostic> {
        match &v.value {
            Value::List(items) => {
                let mut most = 0;
                for item in items {
                    most = most.max(leaves_ndim(item)?);
                }
                Ok(most)
            }
            _ => Ok(v.array()?.ndim()),
        }
    }
    fn join(v: &Spanned, level: usize, ndim: usize) -> Result<DynArray, Diagnostic> {
        if let Value::List(items) = &v.value {
            let parts = items
                .iter()
                .map(|i| join(i, level - 1, ndim))
                .collect::<Result<Vec<_>, _>>()?;
            // The innermost lists (level 1) join along the last axis.
            Ok(DynArray::concatenate(&parts, -(level as isize)))
        } else {
            let mut a = v.array()?;
            while a.ndim() < ndim {
                a = a.expand_dims(0);
            }
            Ok(a)
        }
    }
    let d = depth(v)?;
    let ndim = d.max(leaves_ndim(v)?);
    join(v, d, ndim)
}

/// The structural functions, one entry each.
pub(crate) fn structure() -> Vec<Function> {
    vec![
        Function::new(
            "concatenate(arrays, axis=0)",
            Group::Shape,
            "The arrays joined along an existing axis (flattened first for `axis=None`), promoted to one dtype.",
            |args| {
                let mut list = arrays(args.get("arrays"), "`arrays`")?;
                let axis = if args.is_none("axis") {
                    list = list.iter().map(|a| a.reshape(&[-1])).collect();
                    0
                } else {
                    args.get("axis").int("`axis`")?
                };
                args.done(DynArray::concatenate(&list, axis as isize))
            },
        ),
        Function::new(
            "stack(arrays, axis=0)",
            Group::Shape,
            "The arrays (of one shape) joined along a new axis at position `axis` of the result.",
            |args| {
                let list = arrays(args.get("arrays"), "`arrays`")?;
                let axis = args.get("axis").int("`axis`")?;
                args.done(DynArray::stack(&list, axis as isize))
            },
        ),
        Function::new(
            "block(arrays)",
            Group::Shape,
            "An array assembled from nested lists of blocks: the innermost lists joined along the last axis, the next along the one before.",
            |args| args.done(block(args.get("arrays"))?),
        ),
        Function::new(
            "reshape(a, shape, order=\"C\")",
            Group::Shape,
            "The same elements under another shape (one length may be -1), read and written in C order (or Fortran order for `order=\"F\"`).",
            |args| {
                let a = args.array("a")?;
                let given = args.get("shape");
                // The method takes the lengths one by one (`x.reshape(2, 3)`) or as one
                // tuple (`x.reshape((2, 3))`), as NumPy's does.
                let shape = match &given.value {
                    Value::Tuple(items) if args.is_method() => match items.as_slice() {
                        [one] => shape_arg(one)?,
                        _ => shape_arg(given)?,
                    },
                    _ => shape_arg(given)?,
                };
                let order = args.get("order");
                let out = match &order.value {
                    Value::Str(s) if s == "C" || s == "A" => a.reshape(&shape),
                    Value::Str(s) if s == "F" => {
                        let reversed: Vec<isize> = shape.iter().rev().copied().collect();
                        a.t().reshape(&reversed).t()
                    }
                    other => {
                        return Err(order.error(
                            format!("`order` must be \"C\", \"F\" or \"A\", found {}", other.describe()),
                            None,
                        ))
                    }
                };
                args.done(out)
            },
        )
        .method_with("reshape(*shape, order=\"C\")"),
        Function::new(
            "pad(array, pad_width, mode=\"constant\", *, constant_values=0)",
            Group::Shape,
            "The array padded by `pad_width` ((before, after) per axis, or one for all) with mode \"constant\", \"edge\", \"reflect\", \"symmetric\" or \"wrap\".",
            |args| {
                let a = args.array("array")?;
                let ndim = a.ndim();
                let widths = pairs(args.get("pad_width"), ndim, "pad_width", &|v| v.count("a pad width"))?;
                let mode = args.get("mode");
                let mode = match &mode.value {
                    Value::Str(s) => PadMode::parse(s).ok_or_else(|| {
                        mode.error(
                            format!("unsupported pad mode \"{s}\""),
                            Some("the modes are \"constant\", \"edge\", \"reflect\", \"symmetric\" and \"wrap\"".into()),
                        )
                    })?,
                    other => {
                        return Err(mode.error(format!("`mode` must be a string, found {}", other.describe()), None))
                    }
                };
                let values = pairs(args.get("constant_values"), ndim, "constant_values", &scalar)?;
                args.done(a.pad(&widths, mode, &values))
            },
        ),
        Function::new(
            "flip(m, axis=None)",
            Group::Shape,
            "The elements in reverse order along `axis` (every axis for `None`).",
            |args| {
                let m = args.array("m")?;
                let out = match args.axes("axis", m.ndim())? {
                    None => m.flip(..),
                    Some(list) => m.flip(list),
                };
                args.done(out)
            },
        ),
        Function::new(
            "roll(a, shift, axis=None)",
            Group::Shape,
            "The elements shifted cyclically by `shift` along `axis` (the flattened array for `None`).",
            |args| {
                let a = args.array("a")?;
                let shifts = ints(args.get("shift"), "a shift")?;
                let out = if args.is_none("axis") {
                    a.roll(&shifts, None)
                } else {
                    let axes = ints(args.get("axis"), "an axis")?;
                    a.roll(&shifts, Some(isizes(&axes).as_slice()))
                };
                args.done(out)
            },
        ),
        Function::new(
            "broadcast_to(array, shape)",
            Group::Shape,
            "The array broadcast to `shape` by NumPy's rules (fused with what reads it).",
            |args| {
                let a = args.array("array")?;
                let shape = counts(args.get("shape"), "a length of the shape")?;
                args.done(a.broadcast_to(&shape))
            },
        ),
        Function::new(
            "moveaxis(a, source, destination)",
            Group::Shape,
            "The axes `source` moved to the positions `destination`, the others in their order.",
            |args| {
                let a = args.array("a")?;
                let source = ints(args.get("source"), "an axis")?;
                let destination = ints(args.get("destination"), "an axis")?;
                args.done(a.moveaxis(&isizes(&source), &isizes(&destination)))
            },
        ),
        Function::new(
            "swapaxes(a, axis1, axis2)",
            Group::Shape,
            "The array with two axes interchanged.",
            |args| {
                let a = args.array("a")?;
                let a1 = axis(args.get("axis1"), a.ndim())?;
                let a2 = axis(args.get("axis2"), a.ndim())?;
                args.done(a.swapaxes(a1, a2))
            },
        )
        .method(),
        Function::new(
            "repeat(a, repeats, axis=None)",
            Group::Shape,
            "Each element repeated `repeats` times (one count, or one per element) along `axis` (of the flattened array for `None`).",
            |args| {
                let a = args.array("a")?;
                let repeats = counts(args.get("repeats"), "a repeat count")?;
                let out = if args.is_none("axis") {
                    a.repeat(&repeats, None)
                } else {
                    let ax = axis(args.get("axis"), a.ndim())?;
                    a.repeat(&repeats, Some(ax as isize))
                };
                args.done(out)
            },
        )
        .method(),
        Function::new(
            "tile(A, reps)",
            Group::Shape,
            "The whole array repeated `reps` times along each axis (`reps` aligned with the last axes).",
            |args| {
                let a = args.array("A")?;
                let reps = counts(args.get("reps"), "a repetition count")?;
                args.done(a.tile(&reps))
            },
        ),
        Function::new(
            "diff(a, n=1, axis=-1, prepend=None, append=None)",
            Group::Shape,
            "The `n`-th discrete difference along `axis` (`!=` for booleans), after joining `prepend` and `append`.",
            |args| {
                let a = args.array("a")?;
                let n = args.count("n")?;
                let ax = axis(args.get("axis"), a.ndim())?;
                let prepend = (!args.is_none("prepend")).then(|| args.array("prepend")).transpose()?;
                let append = (!args.is_none("append")).then(|| args.array("append")).transpose()?;
                args.done(a.diff(n, ax, prepend.as_ref(), append.as_ref()))
            },
        ),
    ]
}
