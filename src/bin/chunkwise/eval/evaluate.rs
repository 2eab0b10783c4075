//! [`evaluate`] turns an expression into a lazy [`DynArray`] over named inputs: each
//! syntax node becomes one library call, and a library error is reported at the span of
//! the node that made it.
//!
//! Number literals stay Python numbers while only literals are involved (`2 * 3` is the
//! integer 6, `1 / 2` the float 0.5), and meet arrays as weak operands
//! ([`DynOperand`]): `x * 2` keeps a `float32` array `float32`.

use std::collections::BTreeMap;

use chunkwise::{Axes, BinaryFn, DType, DynArray, DynOperand, ReduceFn, UnaryFn};
use ndarray::SliceInfoElem;

use super::fold::{fold, Lit};
use super::parser::{
    parse, BinaryOperator, Expr, ExprKind, Ident, IndexItem, Kwarg, UnaryOperator,
};
use super::{did_you_mean, Diagnostic, Span};

/// The named constants, with their values.
const CONSTANTS: &[(&str, DynOperand)] = &[
    ("True", DynOperand::Bool(true)),
    ("False", DynOperand::Bool(false)),
    ("nan", DynOperand::Float(f64::NAN)),
    ("inf", DynOperand::Float(f64::INFINITY)),
    ("pi", DynOperand::Float(std::f64::consts::PI)),
];

/// Every function the language knows, for `--help` and suggestions.
pub(crate) const FUNCTIONS: &[&str] = &[
    // elementwise, one argument
    "negative",
    "abs",
    "absolute",
    "sqrt",
    "exp",
    "log",
    "log10",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "floor",
    "ceil",
    "round",
    "isnan",
    "isfinite",
    "logical_not",
    // elementwise, two arguments
    "add",
    "subtract",
    "multiply",
    "divide",
    "power",
    "minimum",
    "maximum",
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "logical_and",
    "logical_or",
    // others
    "where",
    "astype",
    "transpose",
    // reductions
    "sum",
    "prod",
    "mean",
    "min",
    "max",
    "var",
    "std",
    "argmin",
    "argmax",
    "any",
    "all",
    "nansum",
    "nanmean",
    "nanmin",
    "nanmax",
];

/// Parses `src` and evaluates it over `inputs`, lazily: nothing is computed.
pub(crate) fn evaluate(
    src: &str,
    inputs: &BTreeMap<String, DynArray>,
) -> Result<DynArray, Diagnostic> {
    let expr = parse(src)?;
    let value = Evaluator { inputs }.eval(&expr)?;
    Ok(value.into_array())
}

struct Evaluator<'a> {
    inputs: &'a BTreeMap<String, DynArray>,
}

fn lib_error(span: Span) -> impl Fn(chunkwise::Error) -> Diagnostic {
    move |e| Diagnostic::library(e.root(), span)
}

/// The library keeps an invalid operation's error in the array it returns; this turns it
/// back into a `Result`, so each call's error is reported at its own span.
trait Checked: Sized {
    fn checked(self) -> Result<DynArray, chunkwise::Error>;
}

impl Checked for DynArray {
    fn checked(self) -> Result<DynArray, chunkwise::Error> {
        match self.error() {
            Some(e) => Err(e),
            None => Ok(self),
        }
    }
}

fn unary_fn(name: &str) -> Option<UnaryFn> {
    match name {
        "absolute" => Some(UnaryFn::Abs),
        _ => UnaryFn::from_name(name),
    }
}

fn binary_fn(op: BinaryOperator) -> BinaryFn {
    match op {
        BinaryOperator::Add => BinaryFn::Add,
        BinaryOperator::Sub => BinaryFn::Sub,
        BinaryOperator::Mul => BinaryFn::Mul,
        BinaryOperator::Div => BinaryFn::Div,
        BinaryOperator::Pow => BinaryFn::Pow,
        BinaryOperator::Eq => BinaryFn::Equal,
        BinaryOperator::Ne => BinaryFn::NotEqual,
        BinaryOperator::Lt => BinaryFn::Less,
        BinaryOperator::Le => BinaryFn::LessEqual,
        BinaryOperator::Gt => BinaryFn::Greater,
        BinaryOperator::Ge => BinaryFn::GreaterEqual,
        BinaryOperator::And => BinaryFn::LogicalAnd,
        BinaryOperator::Or => BinaryFn::LogicalOr,
    }
}

/// The arguments of one call: positional expressions (a method's receiver first) and
/// keyword arguments.
struct Call<'e> {
    name: &'e Ident,
    span: Span,
    args: Vec<&'e Expr>,
    kwargs: &'e [Kwarg],
    /// Called as a method: `args[0]` is the receiver, not counted in messages.
    method: bool,
}

impl Call<'_> {
    /// Checks the number of positional arguments and the keyword names.
    fn check(&self, min: usize, max: usize, keywords: &[&str]) -> Result<(), Diagnostic> {
        let n = self.args.len();
        if n < min || n > max {
            let skip = usize::from(self.method);
            let (min, max, n) = (
                min.saturating_sub(skip),
                max.saturating_sub(skip),
                n.saturating_sub(skip),
            );
            let wanted = if min == max {
                format!("{min} argument{}", if min == 1 { "" } else { "s" })
            } else {
                format!("{min} to {max} arguments")
            };
            return Err(Diagnostic::new(
                format!(
                    "`{}{}` takes {wanted} but {n} {} given",
                    if self.method { "." } else { "" },
                    self.name.name,
                    if n == 1 { "was" } else { "were" }
                ),
                self.span,
                None,
            ));
        }
        for k in self.kwargs {
            if !keywords.contains(&k.name.name.as_str()) {
                let help = match did_you_mean(&k.name.name, keywords.iter().copied()) {
                    Some(s) => Some(format!("did you mean `{s}`?")),
                    None if keywords.is_empty() => Some("it takes no keyword arguments".into()),
                    None => Some(format!("valid: {}", keywords.join(", "))),
                };
                return Err(Diagnostic::new(
                    format!(
                        "`{}` has no keyword argument `{}`",
                        self.name.name, k.name.name
                    ),
                    k.name.span,
                    help,
                ));
            }
        }
        Ok(())
    }

    fn kwarg(&self, name: &str) -> Option<&Expr> {
        self.kwargs
            .iter()
            .find(|k| k.name.name == name)
            .map(|k| &k.value)
    }
}

impl Evaluator<'_> {
    fn eval(&self, e: &Expr) -> Result<DynOperand, Diagnostic> {
        match &e.kind {
            ExprKind::Int(v) => Ok(DynOperand::Int(*v)),
            ExprKind::Float(v) => Ok(DynOperand::Float(*v)),
            ExprKind::Str(_) => Err(Diagnostic::new(
                "a string is only valid as the dtype of `astype`",
                e.span,
                Some("such as `astype(x, \"float32\")`".into()),
            )),
            ExprKind::Tuple(_) => Err(Diagnostic::new(
                "a tuple is only valid as the axes of a reduction",
                e.span,
                Some("such as `sum(x, axis=(0, 1))`".into()),
            )),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand)?;
                unary(*op, v, e.span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.eval(lhs)?, self.eval(rhs)?);
                Self::binary(*op, a, b, e.span)
            }
            ExprKind::Call { name, args, kwargs } => self.call(&Call {
                name,
                span: e.span,
                args: args.iter().collect(),
                kwargs,
                method: false,
            }),
            ExprKind::Method {
                receiver,
                name,
                args,
                kwargs,
            } => {
                let is_method = ReduceFn::from_name(&name.name).is_some()
                    || matches!(name.name.as_str(), "astype" | "transpose");
                if !is_method {
                    return Err(Diagnostic::new(
                        format!("`{}` is not a method", name.name),
                        name.span,
                        Some(if FUNCTIONS.contains(&name.name.as_str()) {
                            format!("call it as a function: `{}(...)`", name.name)
                        } else {
                            "methods are the reductions, `astype` and `transpose`".into()
                        }),
                    ));
                }
                let mut all: Vec<&Expr> = vec![receiver];
                all.extend(args.iter());
                self.call(&Call {
                    name,
                    span: e.span,
                    args: all,
                    kwargs,
                    method: true,
                })
            }
            ExprKind::Attribute { value, name } => {
                if name.name != "T" {
                    return Err(Diagnostic::new(
                        format!("unknown attribute `{}`", name.name),
                        name.span,
                        Some("the only attribute is `.T`, the transpose".into()),
                    ));
                }
                let a = self.array(value)?;
                Ok(DynOperand::Array(a.t()))
            }
            ExprKind::Index { value, items } => {
                let a = self.array(value)?;
                self.index(&a, items, e.span).map(DynOperand::Array)
            }
        }
    }

    /// Evaluates `e`, which must be an array or a number (made a 0-d array).
    fn array(&self, e: &Expr) -> Result<DynArray, Diagnostic> {
        Ok(self.eval(e)?.into_array())
    }

    fn name(&self, n: &str, span: Span) -> Result<DynOperand, Diagnostic> {
        if let Some(a) = self.inputs.get(n) {
            return Ok(DynOperand::Array(a.clone()));
        }
        if let Some((_, v)) = CONSTANTS.iter().find(|(c, _)| *c == n) {
            return Ok(v.clone());
        }
        if n == "None" {
            return Err(Diagnostic::new(
                "`None` is only valid in an index (a new axis) or as `axis=None`",
                span,
                None,
            ));
        }
        if FUNCTIONS.contains(&n) {
            return Err(Diagnostic::new(
                format!("`{n}` is a function"),
                span,
                Some(format!("call it: `{n}(x)`")),
            ));
        }
        let names = self
            .inputs
            .keys()
            .map(String::as_str)
            .chain(CONSTANTS.iter().map(|(c, _)| *c));
        let help = match did_you_mean(n, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None if self.inputs.is_empty() => {
                "no inputs are defined; add one with `--input NAME=SPEC`".into()
            }
            None => format!(
                "inputs are: {}",
                self.inputs
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(Diagnostic::new(
            format!("unknown name `{n}`"),
            span,
            Some(help),
        ))
    }

    fn binary(
        op: BinaryOperator,
        a: DynOperand,
        b: DynOperand,
        span: Span,
    ) -> Result<DynOperand, Diagnostic> {
        if let (Some(x), Some(y)) = (Lit::of(&a), Lit::of(&b)) {
            return fold(op, x, y).map_err(|m| Diagnostic::new(m, span, None));
        }
        let logical = matches!(op, BinaryOperator::And | BinaryOperator::Or);
        if logical && (a.dtype() != DType::Bool || b.dtype() != DType::Bool) {
            let (da, db) = (a.dtype(), b.dtype());
            return Err(Diagnostic::new(
                format!("`{}` needs bool operands, found {da} and {db}", op.symbol()),
                span,
                Some(
                    "`&` and `|` bind tighter than comparisons, as in NumPy: write \
                     `(x > 0) & (y < 1)`"
                        .into(),
                ),
            ));
        }
        binary_fn(op)
            .apply(a, b)
            .checked()
            .map(DynOperand::Array)
            .map_err(lib_error(span))
    }

    fn call(&self, c: &Call<'_>) -> Result<DynOperand, Diagnostic> {
        let name = c.name.name.as_str();
        if let Some(f) = unary_fn(name) {
            c.check(1, 1, &[])?;
            let v = self.eval(c.args[0])?;
            return v
                .into_array()
                .unary(f)
                .checked()
                .map(DynOperand::Array)
                .map_err(lib_error(c.span));
        }
        if let Some(f) = BinaryFn::from_name(name) {
            c.check(2, 2, &[])?;
            let (a, b) = (self.eval(c.args[0])?, self.eval(c.args[1])?);
            return f
                .apply(a, b)
                .checked()
                .map(DynOperand::Array)
                .map_err(lib_error(c.span));
        }
        if let Some(f) = ReduceFn::from_name(name) {
            return self.reduce(f, c).map(DynOperand::Array);
        }
        match name {
            "where" => {
                c.check(3, 3, &[])?;
                let cond = self.eval(c.args[0])?;
                let (a, b) = (self.eval(c.args[1])?, self.eval(c.args[2])?);
                DynArray::where_(cond, a, b)
                    .checked()
                    .map(DynOperand::Array)
                    .map_err(lib_error(c.span))
            }
            "astype" => {
                c.check(1, 2, &["dtype"])?;
                let x = self.array(c.args[0])?;
                let d = c
                    .args
                    .get(1)
                    .copied()
                    .or_else(|| c.kwarg("dtype"))
                    .ok_or_else(|| {
                        Diagnostic::new(
                            "`astype` needs a dtype",
                            c.span,
                            Some("such as `astype(x, \"float32\")`".into()),
                        )
                    })?;
                let dtype = dtype_arg(d)?;
                Ok(DynOperand::Array(x.astype(dtype)))
            }
            "transpose" => {
                c.check(1, 2, &["axes"])?;
                let x = self.array(c.args[0])?;
                match c.args.get(1).copied().or_else(|| c.kwarg("axes")) {
                    None => Ok(DynOperand::Array(x.t())),
                    Some(axes) => {
                        let perm = self
                            .axes(axes, x.ndim(), true)?
                            .unwrap_or_else(|| (0..x.ndim()).rev().collect());
                        x.permute_axes(perm)
                            .checked()
                            .map(DynOperand::Array)
                            .map_err(lib_error(axes.span))
                    }
                }
            }
            _ => Err(self.unknown_function(c.name)),
        }
    }

    fn unknown_function(&self, name: &Ident) -> Diagnostic {
        if self.inputs.contains_key(&name.name) {
            return Diagnostic::new(
                format!("`{}` is an input, not a function", name.name),
                name.span,
                None,
            );
        }
        let help = did_you_mean(&name.name, FUNCTIONS.iter().copied())
            .map(|s| format!("did you mean `{s}`?"));
        Diagnostic::new(format!("unknown function `{}`", name.name), name.span, help)
    }

    fn reduce(&self, f: ReduceFn, c: &Call<'_>) -> Result<DynArray, Diagnostic> {
        let with_ddof = matches!(f, ReduceFn::Var { .. } | ReduceFn::Std { .. });
        let keywords: &[&str] = if with_ddof {
            &["axis", "keepdims", "ddof"]
        } else {
            &["axis", "keepdims"]
        };
        c.check(1, 2, keywords)?;
        let x = self.array(c.args[0])?;
        if c.args.len() == 2 && c.kwarg("axis").is_some() {
            return Err(Diagnostic::new(
                format!(
                    "`{}` got the axis twice, by position and as `axis=`",
                    c.name.name
                ),
                c.span,
                None,
            ));
        }
        let axes = match c.args.get(1).copied().or_else(|| c.kwarg("axis")) {
            Some(e) => self.axes(e, x.ndim(), true)?,
            None => None,
        };
        let keepdims = match c.kwarg("keepdims") {
            Some(e) => self.bool_arg(e, "keepdims")?,
            None => false,
        };
        let f = match (f, c.kwarg("ddof")) {
            (ReduceFn::Var { .. }, Some(e)) => ReduceFn::Var {
                ddof: self.count_arg(e, "ddof")?,
            },
            (ReduceFn::Std { .. }, Some(e)) => ReduceFn::Std {
                ddof: self.count_arg(e, "ddof")?,
            },
            (f, _) => f,
        };
        let axes = Axes::from(axes.as_deref()).keepdims(keepdims);
        x.reduce(f, axes).checked().map_err(lib_error(c.span))
    }

    fn int_arg(&self, e: &Expr, what: &str) -> Result<i64, Diagnostic> {
        match self.eval(e)? {
            DynOperand::Int(v) => Ok(v),
            other => Err(Diagnostic::new(
                format!("{what} must be an integer, found {}", describe(&other)),
                e.span,
                None,
            )),
        }
    }

    fn count_arg(&self, e: &Expr, what: &str) -> Result<usize, Diagnostic> {
        let v = self.int_arg(e, what)?;
        usize::try_from(v).map_err(|_| {
            Diagnostic::new(
                format!("{what} must not be negative, found {v}"),
                e.span,
                None,
            )
        })
    }

    fn bool_arg(&self, e: &Expr, what: &str) -> Result<bool, Diagnostic> {
        match self.eval(e)? {
            DynOperand::Bool(v) => Ok(v),
            other => Err(Diagnostic::new(
                format!("`{what}` must be True or False, found {}", describe(&other)),
                e.span,
                None,
            )),
        }
    }

    /// Axes written as `0`, `-1`, `(0, 2)` or `None` (every axis: `Ok(None)` when
    /// `allow_none`), normalized against `ndim` and checked for repeats.
    fn axes(
        &self,
        e: &Expr,
        ndim: usize,
        allow_none: bool,
    ) -> Result<Option<Vec<usize>>, Diagnostic> {
        let items: Vec<&Expr> = match &e.kind {
            ExprKind::Name(n) if n == "None" && allow_none => return Ok(None),
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![e],
        };
        let mut out: Vec<usize> = Vec::with_capacity(items.len());
        for item in items {
            let v = self.int_arg(item, "an axis")?;
            let n = ndim as i64;
            if v < -n || v >= n {
                return Err(Diagnostic::new(
                    format!("axis {v} is out of range for an array with {ndim} axes"),
                    item.span,
                    Some(if ndim == 0 {
                        "a 0-d array has no axes".to_string()
                    } else {
                        format!("valid axes are {}..{ndim}", -n)
                    }),
                ));
            }
            let a = if v < 0 { v + n } else { v } as usize;
            if out.contains(&a) {
                return Err(Diagnostic::new(
                    format!("axis {a} is given more than once"),
                    item.span,
                    None,
                ));
            }
            out.push(a);
        }
        Ok(Some(out))
    }

    /// NumPy basic indexing, translated to ndarray's `s![]` semantics.
    fn index(&self, a: &DynArray, items: &[IndexItem], span: Span) -> Result<DynArray, Diagnostic> {
        let consuming = items
            .iter()
            .filter(|i| matches!(i, IndexItem::Index(_) | IndexItem::Slice { .. }))
            .count();
        let ellipses: Vec<Span> = items
            .iter()
            .filter_map(|i| match i {
                IndexItem::Ellipsis(s) => Some(*s),
                _ => None,
            })
            .collect();
        if let Some(second) = ellipses.get(1) {
            return Err(Diagnostic::new(
                "an index can have only one `...`",
                *second,
                None,
            ));
        }
        if consuming > a.ndim() {
            return Err(Diagnostic::new(
                format!(
                    "too many indices: the array has {} axes (shape {:?}) but {consuming} are indexed",
                    a.ndim(),
                    a.shape()
                ),
                span,
                None,
            ));
        }
        let mut info = Vec::with_capacity(items.len() + a.ndim());
        let mut axis = 0;
        for item in items {
            match item {
                IndexItem::NewAxis(_) => info.push(SliceInfoElem::NewAxis),
                IndexItem::Ellipsis(_) => {
                    for _ in 0..a.ndim() - consuming {
                        info.push(full_slice());
                        axis += 1;
                    }
                }
                IndexItem::Index(e) => {
                    let len = a.shape()[axis];
                    let v = self.int_arg(e, "an index").map_err(|mut d| {
                        d.help = Some(
                            "only basic indexing is supported: integers, slices, `...`, \
                             `None`; for a mask, use `where(mask, x, nan)`"
                                .into(),
                        );
                        d
                    })?;
                    let n = len as i64;
                    if v < -n || v >= n {
                        return Err(Diagnostic::new(
                            format!("index {v} is out of range for axis {axis} of length {len}"),
                            e.span,
                            Some(if len == 0 {
                                "the axis is empty".to_string()
                            } else {
                                format!("valid indices are {}..{len}", -n)
                            }),
                        ));
                    }
                    info.push(SliceInfoElem::Index(if v < 0 { v + n } else { v } as isize));
                    axis += 1;
                }
                IndexItem::Slice {
                    start, stop, step, ..
                } => {
                    let bound = |b: &Option<Box<Expr>>| -> Result<Option<i64>, Diagnostic> {
                        match b {
                            Some(e) if matches!(&e.kind, ExprKind::Name(n) if n == "None") => {
                                Ok(None)
                            }
                            Some(e) => self.int_arg(e, "a slice bound").map(Some),
                            None => Ok(None),
                        }
                    };
                    let (start, stop) = (bound(start)?, bound(stop)?);
                    let k = match step {
                        Some(e) => match bound(step)? {
                            Some(0) => {
                                return Err(Diagnostic::new(
                                    "slice step cannot be zero",
                                    e.span,
                                    Some("use a negative step to reverse".into()),
                                ))
                            }
                            other => other.unwrap_or(1),
                        },
                        None => 1,
                    };
                    info.push(python_slice(a.shape()[axis], start, stop, k));
                    axis += 1;
                }
            }
        }
        a.slice(&info).checked().map_err(lib_error(span))
    }
}

fn full_slice() -> SliceInfoElem {
    SliceInfoElem::Slice {
        start: 0,
        end: None,
        step: 1,
    }
}

/// Python's `start:stop:step` on an axis of `len` (clamped, negative from the end), as an
/// ndarray slice selecting the same elements in the same order.
///
/// ```text
/// Python  x[7:2:-2] on len 10  -> 7, 5, 3
/// ndarray s![3..8;-2]          -> walks 3..8 backwards from its end: 7, 5, 3
/// ```
fn python_slice(len: usize, start: Option<i64>, stop: Option<i64>, step: i64) -> SliceInfoElem {
    let n = len as i64;
    let empty = SliceInfoElem::Slice {
        start: 0,
        end: Some(0),
        step: 1,
    };
    if step > 0 {
        let clamp = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let s = start.map_or(0, clamp);
        let e = stop.map_or(n, clamp);
        if e <= s {
            return empty;
        }
        // Written to stay in range for steps near `i64::MAX`.
        let count = (e - s - 1) / step + 1;
        SliceInfoElem::Slice {
            start: s as isize,
            end: Some((s + (count - 1) * step + 1) as isize),
            step: step as isize,
        }
    } else {
        let k = step.checked_neg().unwrap_or(i64::MAX);
        let clamp = |v: i64| if v < 0 { (v + n).max(-1) } else { v.min(n - 1) };
        let s = start.map_or(n - 1, clamp);
        let e = stop.map_or(-1, clamp);
        if s <= e {
            return empty;
        }
        let count = (s - e - 1) / k + 1;
        SliceInfoElem::Slice {
            start: (s - (count - 1) * k) as isize,
            end: Some((s + 1) as isize),
            step: -(k as isize),
        }
    }
}

fn dtype_arg(e: &Expr) -> Result<DType, Diagnostic> {
    let (name, span) = match &e.kind {
        ExprKind::Str(s) | ExprKind::Name(s) => (s.as_str(), e.span),
        _ => {
            return Err(Diagnostic::new(
                "the dtype must be a name such as \"float32\"",
                e.span,
                None,
            ))
        }
    };
    DType::parse(name).map_err(|_| {
        let names = DType::ALL.iter().map(|d| d.name());
        let help = match did_you_mean(name, names) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => "valid: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, \
                     float32, float64"
                .into(),
        };
        Diagnostic::new(format!("unknown dtype \"{name}\""), span, Some(help))
    })
}

fn describe(v: &DynOperand) -> String {
    match v {
        DynOperand::Array(a) => format!("an array of shape {:?}", a.shape()),
        DynOperand::Int(i) => format!("the integer {i}"),
        DynOperand::Float(f) => format!("the float {f}"),
        DynOperand::Bool(b) => format!("the bool {}", if *b { "True" } else { "False" }),
        _ => "a value".into(),
    }
}

fn unary(op: UnaryOperator, v: DynOperand, span: Span) -> Result<DynOperand, Diagnostic> {
    let err = |m: &str| Err(Diagnostic::new(m, span, None));
    match (op, v) {
        (UnaryOperator::Neg, DynOperand::Int(i)) => i
            .checked_neg()
            .map(DynOperand::Int)
            .ok_or_else(|| Diagnostic::new("integer overflow", span, None)),
        (UnaryOperator::Neg, DynOperand::Float(f)) => Ok(DynOperand::Float(-f)),
        (UnaryOperator::Pos, v @ (DynOperand::Int(_) | DynOperand::Float(_))) => Ok(v),
        (UnaryOperator::Neg | UnaryOperator::Pos, DynOperand::Bool(_)) => {
            err("arithmetic is not defined for bool")
        }
        (UnaryOperator::Not, DynOperand::Bool(b)) => Ok(DynOperand::Bool(!b)),
        (UnaryOperator::Not, DynOperand::Int(_) | DynOperand::Float(_)) => {
            err("`~` needs a bool operand (bitwise not of integers is not supported)")
        }
        (op, v) => {
            let a = v.into_array();
            let r = match op {
                UnaryOperator::Neg => a.neg(),
                UnaryOperator::Not => a.logical_not(),
                UnaryOperator::Pos => {
                    if a.dtype() == DType::Bool {
                        return err("arithmetic is not defined for bool");
                    }
                    a
                }
            };
            r.checked().map(DynOperand::Array).map_err(lib_error(span))
        }
    }
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
