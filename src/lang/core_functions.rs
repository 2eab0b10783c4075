//! The vocabulary's functions: one entry for each element of [`UnaryFn::ALL`],
//! [`BinaryFn::ALL`] and [`ReduceFn::ALL`], with their names, aliases, parameters and
//! docs, so a line added to a table in `crate::ops` is a function of the language with no
//! edit here; and the few operations that are not in those tables (`where`, `clip`,
//! `astype`, `transpose`, `expand_dims`, `squeeze`, `rechunk`), one entry each.

use crate::{BinaryFn, DynArray, Param, ReduceFn, ReduceParam, UnaryFn};

use super::bind::{axes, axis};
use super::function::{Function, Group};
use super::value::Value;

/// The entries of this file, in listing order: elementwise functions, reductions, then
/// the others.
pub(super) fn core() -> Vec<Function> {
    let mut functions: Vec<Function> = Vec::new();
    functions.extend(UnaryFn::ALL.iter().map(|&f| unary(f)));
    functions.extend(BinaryFn::ALL.iter().map(|&f| binary(f)));
    functions.extend(ReduceFn::ALL.iter().map(|&f| reduction(f)));
    functions.extend(others());
    functions
}

fn unary(f: UnaryFn) -> Function {
    let x = f.params()[0].name;
    Function::with_params(
        f.name(),
        f.params().to_vec(),
        Group::Elementwise,
        f.doc(),
        move |args| args.done(args.array(x)?.unary(f)),
    )
    .with_aliases(f.aliases())
}

fn binary(f: BinaryFn) -> Function {
    let (x1, x2) = (f.params()[0].name, f.params()[1].name);
    Function::with_params(
        f.name(),
        f.params().to_vec(),
        Group::Elementwise,
        f.doc(),
        move |args| args.done(f.apply(args.operand(x1)?, args.operand(x2)?)),
    )
    .with_aliases(f.aliases())
}

/// The parameters of reductions beyond `a`, `axis` and `keepdims`, by NumPy keyword.
pub(crate) const REDUCE_PARAMS: &[(&str, ReduceParam)] = &[("ddof", ReduceParam::Ddof)];

/// A reduction, with NumPy's parameters (`ReduceFn::params`) and Dask's `split_every`.
///
/// NumPy's positional order is `a, axis, dtype, out, [ddof,] keepdims`; without `dtype`
/// and `out`, a positional argument after `axis` would not mean what it means in NumPy, so
/// the parameters after `axis` are keyword-only.
fn reduction(f: ReduceFn) -> Function {
    let mut params = Vec::new();
    for &p in f.params() {
        params.push(p);
        if p.name == "axis" {
            params.push(Param::required("*"));
        }
    }
    params.push(Param::optional("split_every", "None"));
    Function::with_params(f.name(), params, Group::Reduction, f.doc(), move |args| {
        let a = args.array("a")?;
        let axes = args.axes("axis", a.ndim())?;
        let mut f = f;
        for p in f.params() {
            if let Some(&(name, param)) = REDUCE_PARAMS.iter().find(|(n, _)| *n == p.name) {
                f = f
                    .with_param(param, args.count(name)?)
                    .expect("the reduction has the parameters it lists");
            }
        }
        let mut spec = crate::Axes::from(axes.as_deref()).keepdims(args.bool("keepdims")?);
        if !args.is_none("split_every") {
            spec = spec.split_every(args.count("split_every")?);
        }
        args.done(a.reduce(f, spec))
    })
    .with_aliases(f.aliases())
    .method()
}

/// The operations that are not in the vocabulary's tables, one entry each.
fn others() -> Vec<Function> {
    vec![
        Function::new(
            "where(condition, x, y)",
            Group::Elementwise,
            "Elementwise choice: `x` where `condition` is true, `y` elsewhere (broadcast, and promoted to one dtype).",
            |args| {
                args.done(DynArray::where_(
                    args.operand("condition")?,
                    args.operand("x")?,
                    args.operand("y")?,
                ))
            },
        ),
        Function::new(
            "clip(a, a_min, a_max)",
            Group::Elementwise,
            "The values limited to `[a_min, a_max]`; either bound may be `None`.",
            |args| {
                let a = args.array("a")?;
                let out = match (args.is_none("a_min"), args.is_none("a_max")) {
                    (true, true) => {
                        return Err(args.call_error(format!(
                            "{} needs `a_min` or `a_max`; both are None",
                            args.display()
                        )))
                    }
                    (false, true) => a.maximum(args.operand("a_min")?),
                    (true, false) => a.minimum(args.operand("a_max")?),
                    (false, false) => a.clip(args.operand("a_min")?, args.operand("a_max")?),
                };
                args.done(out)
            },
        )
        .method(),
        Function::new(
            "astype(x, dtype)",
            Group::Elementwise,
            "The array converted to `dtype` (`float32`, or a string such as \"int16\") with NumPy's casting rules.",
            |args| args.done(args.array("x")?.astype(args.dtype("dtype")?)),
        )
        .method(),
        Function::new(
            "transpose(a, axes=None)",
            Group::Shape,
            "The array with its axes permuted: result axis `i` is axis `axes[i]`; reversed for `None` (also `x.T`).",
            |args| {
                let a = args.array("a")?;
                let given = args.get("axes");
                // The method takes the axes one by one (`x.transpose(1, 0)`) or as one
                // tuple (`x.transpose((1, 0))`), as NumPy's does; `x.transpose()`
                // reverses them.
                let given = match &given.value {
                    Value::Tuple(items) if args.is_method() => match items.as_slice() {
                        [] => None,
                        [one] if matches!(one.value, Value::None | Value::Tuple(_) | Value::List(_)) => {
                            Some(one)
                        }
                        _ => Some(given),
                    },
                    _ => Some(given),
                };
                let perm = match given {
                    Some(v) => axes(v, a.ndim())?,
                    None => None,
                };
                args.done(match perm {
                    Some(perm) => a.permute_axes(perm),
                    None => a.t(),
                })
            },
        )
        .method_with("transpose(*axes)"),
        Function::new(
            "expand_dims(a, axis)",
            Group::Shape,
            "The array with new length-1 axes at the positions `axis` (an axis or a tuple) of the result.",
            |args| {
                let a = args.array("a")?;
                let given = args.get("axis");
                if matches!(given.value, Value::None) {
                    return Err(args.error("axis", "`axis` must be an axis or a tuple of axes, not None"));
                }
                let out_ndim = a.ndim() + given.items().len();
                let mut positions = Vec::new();
                for item in given.items() {
                    let p = axis(item, out_ndim)?;
                    if positions.contains(&p) {
                        return Err(item.error(format!("axis {p} is given more than once"), None));
                    }
                    positions.push(p);
                }
                // Inserting in increasing order puts each new axis at its final position.
                positions.sort_unstable();
                let out = positions.into_iter().fold(a, |out, p| out.expand_dims(p));
                args.done(out)
            },
        ),
        Function::new(
            "squeeze(a, axis=None)",
            Group::Shape,
            "The array without the given length-1 axes (every one for `None`).",
            |args| {
                let a = args.array("a")?;
                let out = match args.axes("axis", a.ndim())? {
                    None => a.squeeze(..),
                    Some(list) => a.squeeze(list),
                };
                args.done(out)
            },
        )
        .method(),
        Function::new(
            "rechunk(x, chunks=\"auto\")",
            Group::Shape,
            "The same values cut into other chunks (Dask's `rechunk`): \"auto\", one length, or per axis a length, -1 (whole), None (keep) or a tuple of lengths.",
            |args| {
                let x = args.array("x")?;
                let chunks = args.chunks("chunks", &x)?;
                args.done(x.rechunk(chunks))
            },
        )
        .method(),
    ]
}
