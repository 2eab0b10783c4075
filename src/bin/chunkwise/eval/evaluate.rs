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
    move |e| Diagnostic::library(&e, span)
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
                .map(DynOperand::Array)
                .map_err(lib_error(c.span));
        }
        if let Some(f) = BinaryFn::from_name(name) {
            c.check(2, 2, &[])?;
            let (a, b) = (self.eval(c.args[0])?, self.eval(c.args[1])?);
            return f
                .apply(a, b)
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
                        x.permute_axes(&perm)
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
        x.reduce(f, axes).map_err(lib_error(c.span))
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
                    let v = self.int_arg(e, "an index")?;
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
        a.slice(&info).map_err(lib_error(span))
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
        let count = (e - s + step - 1) / step;
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
        let count = (s - e + k - 1) / k;
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
                    Ok(a)
                }
            };
            r.map(DynOperand::Array).map_err(lib_error(span))
        }
    }
}

/// A literal operand.
#[derive(Clone, Copy)]
enum Lit {
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Lit {
    fn of(v: &DynOperand) -> Option<Lit> {
        match *v {
            DynOperand::Int(i) => Some(Lit::Int(i)),
            DynOperand::Float(f) => Some(Lit::Float(f)),
            DynOperand::Bool(b) => Some(Lit::Bool(b)),
            _ => None,
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Lit::Int(i) => i as f64,
            Lit::Float(f) => f,
            Lit::Bool(b) => f64::from(u8::from(b)),
        }
    }
}

/// An operation on two literals, with Python's rules (integers stay integers except
/// under `/` and negative powers; overflow is an error, as the result must be exact).
fn fold(op: BinaryOperator, a: Lit, b: Lit) -> Result<DynOperand, String> {
    use BinaryOperator as B;
    let overflow = || format!("integer overflow in `{}`", op.symbol());
    let compare = |x: f64, y: f64| match op {
        B::Eq => x == y,
        B::Ne => x != y,
        B::Lt => x < y,
        B::Le => x <= y,
        B::Gt => x > y,
        _ => x >= y,
    };
    match op {
        B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => {
            if let (Lit::Int(x), Lit::Int(y)) = (a, b) {
                let ord = x.cmp(&y);
                let r = match op {
                    B::Eq => ord.is_eq(),
                    B::Ne => ord.is_ne(),
                    B::Lt => ord.is_lt(),
                    B::Le => ord.is_le(),
                    B::Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                };
                return Ok(DynOperand::Bool(r));
            }
            Ok(DynOperand::Bool(compare(a.as_f64(), b.as_f64())))
        }
        B::And | B::Or => match (a, b) {
            (Lit::Bool(x), Lit::Bool(y)) => {
                Ok(DynOperand::Bool(if op == B::And { x && y } else { x || y }))
            }
            _ => Err(format!(
                "`{}` needs bool operands (bitwise operations on integers are not supported)",
                op.symbol()
            )),
        },
        _ => {
            if matches!(a, Lit::Bool(_)) || matches!(b, Lit::Bool(_)) {
                return Err(format!("`{}` is not defined for bool", op.symbol()));
            }
            if let (Lit::Int(x), Lit::Int(y)) = (a, b) {
                let r = match op {
                    B::Add => x.checked_add(y),
                    B::Sub => x.checked_sub(y),
                    B::Mul => x.checked_mul(y),
                    B::Div => return Ok(DynOperand::Float(x as f64 / y as f64)),
                    _ => {
                        if y < 0 {
                            return Ok(DynOperand::Float((x as f64).powf(y as f64)));
                        }
                        u32::try_from(y).ok().and_then(|e| x.checked_pow(e))
                    }
                };
                return r.map(DynOperand::Int).ok_or_else(overflow);
            }
            let (x, y) = (a.as_f64(), b.as_f64());
            Ok(DynOperand::Float(match op {
                B::Add => x + y,
                B::Sub => x - y,
                B::Mul => x * y,
                B::Div => x / y,
                _ => x.powf(y),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use chunkwise::AnyArray;
    use ndarray::{array, s, ArrayD, IxDyn};

    use super::*;

    fn inputs() -> BTreeMap<String, DynArray> {
        let x =
            ndarray::Array::from_shape_fn((6, 5), |(i, j)| (i * 5 + j) as f64 - 10.0).into_dyn();
        let f = ndarray::Array::from_shape_fn(7, |i| i as f32 * 0.5).into_dyn();
        let n = ndarray::Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as i32).into_dyn();
        let mut m = BTreeMap::new();
        m.insert(
            "x".to_string(),
            chunkwise::from_ndarray(x, vec![vec![4, 2], vec![2, 2, 1]])
                .unwrap()
                .to_dyn(),
        );
        m.insert(
            "f".to_string(),
            chunkwise::from_ndarray(f, [3]).unwrap().to_dyn(),
        );
        m.insert(
            "n".to_string(),
            chunkwise::from_ndarray(n, [2, 3]).unwrap().to_dyn(),
        );
        m
    }

    fn x() -> ArrayD<f64> {
        ndarray::Array::from_shape_fn((6, 5), |(i, j)| (i * 5 + j) as f64 - 10.0).into_dyn()
    }

    fn n() -> ArrayD<f64> {
        ndarray::Array::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64).into_dyn()
    }

    #[track_caller]
    fn eval(src: &str) -> DynArray {
        match evaluate(src, &inputs()) {
            Ok(a) => a,
            Err(d) => panic!("{}", d.render(src)),
        }
    }

    #[track_caller]
    fn run(src: &str) -> AnyArray {
        eval(src).compute().unwrap()
    }

    #[track_caller]
    fn f64s(src: &str) -> ArrayD<f64> {
        run(src).cast(DType::F64).into_typed().unwrap()
    }

    #[track_caller]
    fn scalar(src: &str) -> f64 {
        let a = f64s(src);
        assert_eq!(a.ndim(), 0, "{src} is not 0-d");
        a.sum()
    }

    #[track_caller]
    fn close(a: &ArrayD<f64>, b: &ArrayD<f64>) {
        assert_eq!(a.shape(), b.shape());
        for (p, q) in a.iter().zip(b) {
            assert!(
                (p - q).abs() <= 1e-9 * q.abs().max(1.0) || (p.is_nan() && q.is_nan()),
                "{a} != {b}"
            );
        }
    }

    #[track_caller]
    fn error(src: &str) -> String {
        match evaluate(src, &inputs()) {
            Ok(a) => panic!("{src} evaluated to {a:?}"),
            Err(d) => d.render(src),
        }
    }

    #[test]
    fn arithmetic_and_precedence() {
        close(&f64s("x + 1"), &x().mapv(|v| v + 1.0));
        close(&f64s("-x**2"), &x().mapv(|v| -(v * v)));
        close(&f64s("2 * x - x / 4"), &x().mapv(|v| 2.0 * v - v / 4.0));
        close(
            &f64s("(x - 1) * (x + 1)"),
            &x().mapv(|v| (v - 1.0) * (v + 1.0)),
        );
        close(
            &f64s("2 ** x[0]"),
            &x().slice(s![0, ..]).mapv(|v| 2f64.powf(v)).into_dyn(),
        );
        close(&f64s("x.T"), &x().t().to_owned());
        close(&f64s("transpose(x) + x.T"), &x().t().mapv(|v| 2.0 * v));
        close(&f64s("transpose(x, axes=(1, 0))"), &x().t().to_owned());
        close(&f64s("transpose(x, (0, -1))"), &x());
        close(&f64s("x.transpose(None)"), &x().t().to_owned());
        assert!(error("transpose(x, axes=(0,))").contains("each of the 2 axes"));
        assert_eq!(scalar("2 ** 3 ** 2"), 512.0);
        assert_eq!(scalar("-2 ** 2"), -4.0);
        assert_eq!(scalar("7 / 2"), 3.5);
        assert_eq!(scalar("1e-3 * 1000"), 1.0);
        assert!(scalar("nan + 1").is_nan());
        assert_eq!(scalar("-inf"), f64::NEG_INFINITY);
    }

    #[test]
    fn literals_are_weak() {
        assert_eq!(eval("f * 2").dtype(), DType::F32);
        assert_eq!(eval("f + 0.5").dtype(), DType::F32);
        assert_eq!(eval("n + 1").dtype(), DType::I32);
        assert_eq!(eval("n * 0.5").dtype(), DType::F64);
        assert_eq!(eval("n / 2").dtype(), DType::F64);
        assert_eq!(eval("n[0] + f[:4]").dtype(), DType::F64);
        assert_eq!(eval("2 * 3").dtype(), DType::I64);
        assert_eq!(eval("f * (2 * 3)").dtype(), DType::F32);
        assert_eq!(eval("1 < 2").dtype(), DType::Bool);
        close(&f64s("n / 1"), &n());
    }

    #[test]
    fn comparisons_and_logic() {
        let got: ArrayD<bool> = run("(x > 0) & (x < 8)").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| v > 0.0 && v < 8.0));
        let got: ArrayD<bool> = run("~(x >= 0) | (x == 3)").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| v < 0.0 || v == 3.0));
        let got: ArrayD<bool> = run("x != 2").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| v != 2.0));
        let got: ArrayD<bool> = run("x <= -1").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| v <= -1.0));
        assert_eq!(scalar("(1 < 2) & ~False"), 1.0);
    }

    type Reference = fn(f64) -> f64;

    #[test]
    fn every_elementwise_function() {
        let p = "(x + 11) / 40"; // in (0, 1)
        let base = x().mapv(|v| (v + 11.0) / 40.0);
        let table: &[(&str, Reference)] = &[
            ("negative", |v| -v),
            ("abs", f64::abs),
            ("absolute", f64::abs),
            ("sqrt", f64::sqrt),
            ("exp", f64::exp),
            ("log", f64::ln),
            ("log10", f64::log10),
            ("sin", f64::sin),
            ("cos", f64::cos),
            ("tan", f64::tan),
            ("arcsin", f64::asin),
            ("arccos", f64::acos),
            ("arctan", f64::atan),
            ("sinh", f64::sinh),
            ("cosh", f64::cosh),
            ("tanh", f64::tanh),
            ("floor", |v| (v * 10.0).floor()),
            ("ceil", |v| (v * 10.0).ceil()),
            ("round", |v| (v * 10.0).round_ties_even()),
        ];
        for (name, f) in table {
            let arg = if matches!(*name, "floor" | "ceil" | "round") {
                format!("{p} * 10")
            } else {
                p.to_string()
            };
            close(&f64s(&format!("{name}({arg})")), &base.mapv(f));
        }
        let got: ArrayD<bool> = run("isnan(x / 0 * 0)").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| (v / 0.0 * 0.0).is_nan()));
        let got: ArrayD<bool> = run("isfinite(1 / x)").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| (1.0 / v).is_finite()));
        let got: ArrayD<bool> = run("logical_not(x > 0)").into_typed().unwrap();
        assert_eq!(got, x().mapv(|v| v <= 0.0));
        close(&f64s("minimum(x, 0)"), &x().mapv(|v| v.min(0.0)));
        close(&f64s("maximum(x, n[0, 0])"), &x().mapv(|v| v.max(0.0)));
        close(&f64s("power(x, 2)"), &x().mapv(|v| v * v));
        close(&f64s("add(x, 1)"), &x().mapv(|v| v + 1.0));
        close(&f64s("subtract(1, x)"), &x().mapv(|v| 1.0 - v));
        close(&f64s("multiply(x, x)"), &x().mapv(|v| v * v));
        close(&f64s("divide(x, 2)"), &x().mapv(|v| v / 2.0));
        close(&f64s("where(x > 0, x, 0)"), &x().mapv(|v| v.max(0.0)));
        close(
            &f64s("where(x > 0, 1, -1)"),
            &x().mapv(|v| if v > 0.0 { 1.0 } else { -1.0 }),
        );
        for (name, f) in [
            ("equal", f64::eq as fn(&f64, &f64) -> bool),
            ("not_equal", f64::ne),
            ("less", f64::lt),
            ("less_equal", f64::le),
            ("greater", f64::gt),
            ("greater_equal", f64::ge),
        ] {
            let got: ArrayD<bool> = run(&format!("{name}(x, 3)")).into_typed().unwrap();
            assert_eq!(got, x().mapv(|v| f(&v, &3.0)), "{name}");
        }
        let got: ArrayD<bool> = run("logical_or(x > 3, logical_and(x < 0, x > -3))")
            .into_typed()
            .unwrap();
        assert_eq!(got, x().mapv(|v| v > 3.0 || (v < 0.0 && v > -3.0)));
    }

    #[test]
    fn reductions_with_keywords() {
        let a = x();
        let mean0 = a.mean_axis(ndarray::Axis(0)).unwrap();
        close(&f64s("mean(x, axis=0)"), &mean0);
        close(&f64s("x.mean(axis=0)"), &mean0);
        close(&f64s("mean(x, 0)"), &mean0);
        close(&f64s("sum(x, axis=-1)"), &a.sum_axis(ndarray::Axis(1)));
        assert_eq!(scalar("sum(x)"), a.sum());
        assert_eq!(scalar("x.sum()"), a.sum());
        assert_eq!(scalar("sum(x, axis=None)"), a.sum());
        assert_eq!(scalar("sum(x, axis=(0, 1))"), a.sum());
        assert_eq!(eval("sum(x, axis=())").shape(), &[6, 5]);
        let std1 = scalar("std(x, axis=(0, 1), ddof=1)");
        assert!((std1 - a.std(1.0)).abs() < 1e-12);
        assert!((scalar("var(x)") - a.var(0.0)).abs() < 1e-12);
        assert!((scalar("x.var(ddof=1)") - a.var(1.0)).abs() < 1e-12);
        let m = eval("max(x, axis=-1, keepdims=True)");
        assert_eq!(m.shape(), &[6, 1]);
        close(
            &f64s("max(x, axis=-1, keepdims=True)"),
            &array![[-6.0], [-1.0], [4.0], [9.0], [14.0], [19.0]].into_dyn(),
        );
        assert_eq!(scalar("min(x)"), -10.0);
        assert_eq!(scalar("prod(n[0, 1:])"), 6.0);
        assert_eq!(scalar("argmax(x)"), 29.0);
        assert_eq!(scalar("argmin(x)"), 0.0);
        close(
            &f64s("argmax(n, axis=0)"),
            &array![2.0, 2.0, 2.0, 2.0].into_dyn(),
        );
        assert_eq!(scalar("any(x > 18)"), 1.0);
        assert_eq!(scalar("all(x > -11)"), 1.0);
        assert_eq!(scalar("all(x > -10)"), 0.0);
        assert_eq!(
            scalar("nansum(where(x > 0, x, nan))"),
            (1..=19).sum::<i32>() as f64
        );
        assert_eq!(scalar("nanmean(where(x > 0, x, nan))"), 10.0);
        assert_eq!(scalar("nanmin(where(x > 0, x, nan))"), 1.0);
        assert_eq!(scalar("nanmax(where(x < 0, x, nan))"), -1.0);
        assert_eq!(eval("mean(n)").dtype(), DType::F64);
        assert_eq!(eval("sum(n)").dtype(), DType::I64);
        assert_eq!(eval("mean(f)").dtype(), DType::F32);
    }

    #[test]
    fn slicing_follows_numpy() {
        let a = x();
        close(
            &f64s("x[::2, 1:-1]"),
            &a.slice(s![..;2, 1..4]).to_owned().into_dyn(),
        );
        close(&f64s("x[0]"), &a.slice(s![0, ..]).to_owned().into_dyn());
        close(&f64s("x[-1, -2]"), &ArrayD::from_elem(IxDyn(&[]), 18.0));
        close(
            &f64s("x[..., 1]"),
            &a.slice(s![.., 1]).to_owned().into_dyn(),
        );
        close(
            &f64s("x[1, ...]"),
            &a.slice(s![1, ..]).to_owned().into_dyn(),
        );
        close(
            &f64s("x[::-1]"),
            &a.slice(s![..;-1, ..]).to_owned().into_dyn(),
        );
        // Python: x[4:1:-2] on 6 rows -> rows 4, 2.
        close(
            &f64s("x[4:1:-2]"),
            &a.slice(s![2..5;-2, ..]).to_owned().into_dyn(),
        );
        // Out-of-range bounds clamp, as in NumPy.
        close(
            &f64s("x[-100:100, 3:100]"),
            &a.slice(s![.., 3..]).to_owned().into_dyn(),
        );
        assert_eq!(eval("x[5:2]").shape(), &[0, 5]);
        assert_eq!(eval("x[None]").shape(), &[1, 6, 5]);
        assert_eq!(eval("x[:, None, 0]").shape(), &[6, 1]);
        assert_eq!(eval("x[1:2:None]").shape(), &[1, 5]);
        // A reference check of the translation against Python's rules on every bound.
        let v: Vec<i64> = (0..7).collect();
        for start in [None, Some(-9), Some(-3), Some(0), Some(2), Some(6), Some(9)] {
            for stop in [
                None,
                Some(-9),
                Some(-2),
                Some(0),
                Some(3),
                Some(7),
                Some(10),
            ] {
                for step in [-3, -1, 1, 2] {
                    let want = python_reference(&v, start, stop, step);
                    let src = format!(
                        "x7[{}:{}:{step}]",
                        start.map(|s| s.to_string()).unwrap_or_default(),
                        stop.map(|s| s.to_string()).unwrap_or_default()
                    );
                    let mut inputs = BTreeMap::new();
                    inputs.insert(
                        "x7".to_string(),
                        chunkwise::arange(0i64, 7, 1, [3]).unwrap().to_dyn(),
                    );
                    let got: ArrayD<i64> = evaluate(&src, &inputs)
                        .unwrap()
                        .compute()
                        .unwrap()
                        .into_typed()
                        .unwrap();
                    assert_eq!(got.iter().copied().collect::<Vec<_>>(), want, "{src}");
                }
            }
        }
    }

    /// Python's slice semantics, element by element.
    fn python_reference(v: &[i64], start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<i64> {
        let n = v.len() as i64;
        let norm = |x: i64, lo: i64, hi: i64| if x < 0 { (x + n).max(lo) } else { x.min(hi) };
        let mut out = Vec::new();
        if step > 0 {
            let mut i = start.map_or(0, |s| norm(s, 0, n));
            let e = stop.map_or(n, |s| norm(s, 0, n));
            while i < e {
                out.push(v[i as usize]);
                i += step;
            }
        } else {
            let mut i = start.map_or(n - 1, |s| norm(s, -1, n - 1));
            let e = stop.map_or(-1, |s| norm(s, -1, n - 1));
            while i > e {
                out.push(v[i as usize]);
                i += step;
            }
        }
        out
    }

    /// A random arithmetic expression over `x` (shape [6, 5]) and `y` (shape [5], the last
    /// row of `x` plus 0.5), with its reference value per element.
    #[derive(Clone, Debug)]
    enum Tree {
        X,
        Y,
        Int(i64),
        Float(f64),
        Neg(Box<Tree>),
        Abs(Box<Tree>),
        Bin(&'static str, Box<Tree>, Box<Tree>),
    }

    impl Tree {
        fn text(&self) -> String {
            match self {
                Tree::X => "x".into(),
                Tree::Y => "(x[-1] + 0.5)".into(),
                Tree::Int(v) => v.to_string(),
                Tree::Float(v) => format!("{v:?}"),
                Tree::Neg(t) => format!("-({})", t.text()),
                Tree::Abs(t) => format!("abs({})", t.text()),
                Tree::Bin(f @ ("minimum" | "maximum"), a, b) => {
                    format!("{f}({}, {})", a.text(), b.text())
                }
                Tree::Bin(op, a, b) => format!("({} {op} {})", a.text(), b.text()),
            }
        }

        fn value(&self, x: f64, y: f64) -> f64 {
            match self {
                Tree::X => x,
                Tree::Y => y,
                Tree::Int(v) => *v as f64,
                Tree::Float(v) => *v,
                Tree::Neg(t) => -t.value(x, y),
                Tree::Abs(t) => t.value(x, y).abs(),
                Tree::Bin(op, a, b) => {
                    let (p, q) = (a.value(x, y), b.value(x, y));
                    match *op {
                        "+" => p + q,
                        "-" => p - q,
                        "*" => p * q,
                        "/" => p / q,
                        "minimum" => {
                            if p.is_nan() || q.is_nan() {
                                f64::NAN
                            } else {
                                p.min(q)
                            }
                        }
                        _ => {
                            if p.is_nan() || q.is_nan() {
                                f64::NAN
                            } else {
                                p.max(q)
                            }
                        }
                    }
                }
            }
        }
    }

    fn tree() -> impl proptest::strategy::Strategy<Value = Tree> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Tree::X),
            Just(Tree::Y),
            (-3i64..4).prop_map(Tree::Int),
            (-8i32..8).prop_map(|v| Tree::Float(f64::from(v) / 4.0)),
        ];
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|t| Tree::Neg(Box::new(t))),
                inner.clone().prop_map(|t| Tree::Abs(Box::new(t))),
                (
                    prop_oneof![
                        Just("+"),
                        Just("-"),
                        Just("*"),
                        Just("/"),
                        Just("minimum"),
                        Just("maximum")
                    ],
                    inner.clone(),
                    inner
                )
                    .prop_map(|(op, a, b)| Tree::Bin(op, Box::new(a), Box::new(b))),
            ]
        })
    }

    proptest::proptest! {
        // Failing cases are printed; don't write regression files into the repository.
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            failure_persistence: None,
            ..proptest::prelude::ProptestConfig::default()
        })]
        #[test]
        fn random_expressions_match_the_reference(t in tree()) {
            let src = t.text();
            let got = f64s(&src);
            let a = x();
            let last = a.slice(s![-1, ..]).mapv(|v| v + 0.5);
            let shape = got.shape().to_vec();
            // The result broadcasts to [6, 5], or is smaller when `x` does not appear.
            let full = ndarray::Array::from_shape_fn((6, 5), |(i, j)| t.value(a[[i, j]], last[j]));
            let want = full.into_dyn();
            let want = match shape.len() {
                2 => want,
                1 => want.slice(s![0, ..]).to_owned().into_dyn(),
                _ => want.slice(s![0, 0]).to_owned().into_dyn(),
            };
            for (p, q) in got.iter().zip(want.iter()) {
                proptest::prop_assert!(
                    p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()) || (p - q).abs() <= 1e-12 * q.abs().max(1.0),
                    "{} gives {} but the reference is {}", src, p, q
                );
            }
        }
    }

    #[test]
    fn astype_and_constants() {
        assert_eq!(eval("astype(x, \"float32\")").dtype(), DType::F32);
        assert_eq!(eval("x.astype('int16')").dtype(), DType::I16);
        assert_eq!(eval("astype(x, dtype=\"uint8\")").dtype(), DType::U8);
        assert_eq!(eval("astype(x > 0, int32)").dtype(), DType::I32);
        close(
            &f64s("astype(x / 4, \"int64\")"),
            &x().mapv(|v| (v / 4.0).trunc()),
        );
        assert!((scalar("pi") - std::f64::consts::PI).abs() < 1e-15);
        assert_eq!(scalar("True"), 1.0);
    }

    #[test]
    fn name_and_call_errors_point_at_columns() {
        assert_eq!(
            error("meen(x, axis=0)"),
            "error: unknown function `meen` at column 1 (did you mean `mean`?)\n  meen(x, axis=0)\n  ^^^^"
        );
        let e = error("x + y");
        assert!(e.starts_with("error: unknown name `y` at column 5"), "{e}");
        assert!(e.ends_with("\n  x + y\n      ^"), "{e}");
        assert!(error("nam + 1").contains("did you mean `nan`?"));
        assert!(error("zzzzz").contains("inputs are: f, n, x"));
        assert!(error("sqrt").contains("is a function"));
        assert!(error("x(1)").contains("is an input, not a function"));
        let e = error("mean(x, axes=0)");
        assert!(
            e.contains("no keyword argument `axes` at column 9 (did you mean `axis`?)"),
            "{e}"
        );
        assert!(error("sqrt(x, 2)").contains("`sqrt` takes 1 argument but 2 were given"));
        assert!(error("x.sum(0, 1)").contains("`.sum` takes 0 to 1 arguments but 2 were given"));
        assert!(error("sqrt()").contains("`sqrt` takes 1 argument but 0 were given"));
        assert!(error("where(x > 0, x)").contains("takes 3 arguments but 2 were given"));
        assert!(error("mean(x, ddof=1)").contains("no keyword argument `ddof`"));
        assert!(error("x.sqrt()").contains("call it as a function"));
        assert!(error("x.shape").contains("unknown attribute `shape`"));
        assert!(error("astype(x, \"float23\")").contains("did you mean \"float32\"?"));
        assert!(error("astype(x)").contains("needs a dtype"));
        assert!(error("None + x").contains("`None` is only valid"));
        assert!(error("'a' + x").contains("string is only valid"));
        assert!(error("(1, 2) + x").contains("tuple is only valid"));
    }

    #[test]
    fn value_errors_point_at_columns() {
        let e = error("mean(x, axis=2)");
        assert!(e.starts_with("error: axis 2 is out of range for an array with 2 axes at column 14 (valid axes are -2..2)"), "{e}");
        assert!(e.ends_with("\n  mean(x, axis=2)\n               ^"), "{e}");
        assert!(error("sum(x, axis=(0, -2))").contains("axis 0 is given more than once"));
        assert!(
            error("sum(x, axis=1.5)").contains("an axis must be an integer, found the float 1.5")
        );
        assert!(error("sum(x, 0, axis=0)").contains("axis twice"));
        assert!(error("std(x, ddof=-1)").contains("ddof must not be negative"));
        assert!(error("max(x, keepdims=1)").contains("`keepdims` must be True or False"));
        let e = error("x[6]");
        assert!(e.contains("index 6 is out of range for axis 0 of length 6 at column 3 (valid indices are -6..6)"), "{e}");
        assert!(error("x[0, 0, 0]").contains("too many indices"));
        assert!(error("x[::0]").contains("step cannot be zero"));
        assert!(error("x[..., ...]").contains("only one `...`"));
        assert!(error("x[0.5]").contains("an index must be an integer"));
    }

    #[test]
    fn type_and_shape_errors_from_the_library_have_the_span() {
        let e = error("1 + (x + n)");
        assert!(
            e.contains("cannot broadcast shape [6, 5] with [3, 4]"),
            "{e}"
        );
        assert!(e.ends_with("\n  1 + (x + n)\n      ^^^^^^^"), "{e}");
        let e = error("x > 0 & x");
        assert!(e.contains("`&` needs bool operands"), "{e}");
        assert!(e.contains("bind tighter than comparisons"), "{e}");
        let e = error("(x > 0) + (x > 0)");
        assert!(
            e.contains("not defined for dtype bool") || e.contains("is not defined for bool"),
            "{e}"
        );
        assert!(error("-(x > 0)").contains("bool"));
        assert!(error("~x").contains("bool"));
        assert!(error("~1").contains("needs a bool"));
        assert!(error("n + 3000000000").contains("fits the array's dtype int32"));
        assert!(error("n ** -1").contains("non-negative exponent"));
        assert!(error("9223372036854775807 + 1").contains("integer overflow"));
        assert!(error("argmin(zeros3, axis=(0, 1))").contains("unknown name"));
        assert!(error("min(x[5:2])").contains("zero elements"));
    }
}
