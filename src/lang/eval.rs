//! [`evaluate`] turns an expression into a lazy [`DynArray`] over named inputs: each
//! syntax node becomes one library call, and a library error is reported at the span of
//! the node that made it.
//!
//! Operators are the vocabulary's [`BinaryFn`]s and [`UnaryFn`]s; calls and methods are
//! looked up in the registry (`registry.rs`) and bound as Python binds them (`bind.rs`);
//! `@` calls the registry's `matmul`. Number literals stay Python numbers while only
//! literals are involved (`2 * 3` is the integer 6, `1 / 2` the float 0.5, `fold.rs`), and
//! meet arrays as weak operands ([`DynOperand`](crate::DynOperand)): `x * 2` keeps a `float32` array
//! `float32`.

use ndarray::SliceInfoElem;

use crate::{BinaryFn, DType, DynArray, UnaryFn};

use super::bind::{bind, Call};
use super::diagnostic::{did_you_mean, Diagnostic, Span};
use super::fold::{fold, Lit};
use super::function::Function;
use super::inputs::Inputs;
use super::parser::{
    parse, BinaryOperator, Expr, ExprKind, Ident, IndexItem, Kwarg, UnaryOperator,
};
use super::registry as functions;
use super::value::{constant, Spanned, Value, CONSTANTS};

/// Parses `src` and evaluates it over `inputs`, lazily: nothing is computed. The result
/// must be an array or a number (a 0-d array).
pub(crate) fn evaluate(src: &str, inputs: &Inputs) -> Result<DynArray, Diagnostic> {
    let expr = parse(src)?;
    Evaluator { inputs }.eval(&expr)?.array()
}

/// The value of a default as NumPy writes it (`None`, `False`, `(0, 1)`, `"auto"`).
fn default_value(text: &'static str) -> Result<Value, Diagnostic> {
    let expr = parse(text)?;
    Ok(Evaluator {
        inputs: &Inputs::new(),
    }
    .eval(&expr)?
    .value)
}

struct Evaluator<'a> {
    inputs: &'a Inputs,
}

fn binary_fn(op: BinaryOperator) -> BinaryFn {
    match op {
        BinaryOperator::Add => BinaryFn::Add,
        BinaryOperator::Sub => BinaryFn::Sub,
        BinaryOperator::Mul => BinaryFn::Mul,
        BinaryOperator::Div => BinaryFn::Div,
        BinaryOperator::FloorDiv => BinaryFn::FloorDivide,
        BinaryOperator::Mod => BinaryFn::Remainder,
        BinaryOperator::Pow => BinaryFn::Pow,
        BinaryOperator::Eq => BinaryFn::Equal,
        BinaryOperator::Ne => BinaryFn::NotEqual,
        BinaryOperator::Lt => BinaryFn::Less,
        BinaryOperator::Le => BinaryFn::LessEqual,
        BinaryOperator::Gt => BinaryFn::Greater,
        BinaryOperator::Ge => BinaryFn::GreaterEqual,
        BinaryOperator::And => BinaryFn::LogicalAnd,
        BinaryOperator::Or => BinaryFn::LogicalOr,
        // `@` is the registry's `matmul`, not an elementwise function (see `Evaluator::binary`).
        BinaryOperator::MatMul => unreachable!("`@` is evaluated as a call of `matmul`"),
    }
}

impl Evaluator<'_> {
    fn eval(&self, e: &Expr) -> Result<Spanned, Diagnostic> {
        let value = match &e.kind {
            ExprKind::Int(v) => Value::Int(*v),
            ExprKind::Float(v) => Value::Float(*v),
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Name(n) => self.name(n, e.span)?,
            ExprKind::Tuple(items) => Value::Tuple(self.eval_all(items)?),
            ExprKind::List(items) => Value::List(self.eval_all(items)?),
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand)?;
                unary(*op, &v, e.span)?
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.eval(lhs)?, self.eval(rhs)?);
                Self::binary(*op, &a, &b, e.span)?
            }
            ExprKind::Call { name, args, kwargs } => {
                let Some(f) = functions::function(&name.name) else {
                    return Err(self.unknown_function(name));
                };
                self.call(f, name, e.span, None, args, kwargs)?
            }
            ExprKind::Method {
                receiver,
                name,
                args,
                kwargs,
            } => {
                let f = functions::function(&name.name).filter(|f| f.is_method());
                let Some(f) = f else {
                    return Err(unknown_method(name));
                };
                let receiver = self.eval(receiver)?;
                self.call(f, name, e.span, Some(receiver), args, kwargs)?
            }
            ExprKind::Attribute { value, name } => {
                if name.name != "T" {
                    return Err(Diagnostic::new(
                        format!("unknown attribute `{}`", name.name),
                        name.span,
                        Some("the only attribute is `.T`, the transpose".into()),
                    ));
                }
                let a = self.eval(value)?.array()?;
                Value::Array(a.t())
            }
            ExprKind::Index { value, items } => {
                let v = self.eval(value)?;
                // A tuple (what `histogram` returns) takes one integer index.
                if let (Value::Tuple(parts), [IndexItem::Index(i)]) = (&v.value, items.as_slice()) {
                    let k = self.eval(i)?.int("a tuple index")?;
                    let n = parts.len() as i64;
                    if k < -n || k >= n {
                        return Err(Diagnostic::new(
                            format!("index {k} is out of range for a tuple of {n} items"),
                            i.span,
                            None,
                        ));
                    }
                    parts[if k < 0 { k + n } else { k } as usize].value.clone()
                } else {
                    let a = v.array()?;
                    self.index(&a, items, e.span)?
                }
            }
        };
        Ok(Spanned::new(value, e.span))
    }

    fn eval_all(&self, items: &[Expr]) -> Result<Vec<Spanned>, Diagnostic> {
        items.iter().map(|i| self.eval(i)).collect()
    }

    /// Evaluates the arguments, binds them to `f`'s parameters and runs it.
    fn call(
        &self,
        f: &Function,
        name: &Ident,
        span: Span,
        receiver: Option<Spanned>,
        args: &[Expr],
        kwargs: &[Kwarg],
    ) -> Result<Value, Diagnostic> {
        let positional = self.eval_all(args)?;
        let keywords = kwargs
            .iter()
            .map(|k| Ok((k.name.name.clone(), k.name.span, self.eval(&k.value)?)))
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        let method = receiver.is_some();
        let call = Call {
            params: f.bound_params(method),
            signature: f.call_signature(method),
            name: &name.name,
            span,
            receiver,
            positional,
            keywords,
        };
        f.call(&bind(call, default_value)?)
    }

    fn name(&self, n: &str, span: Span) -> Result<Value, Diagnostic> {
        // Python's keywords cannot be shadowed; the other constants can, by an input.
        if matches!(n, "True" | "False" | "None") {
            return Ok(constant(n).expect("a keyword is a constant"));
        }
        if let Some(a) = self.inputs.get(n) {
            return Ok(Value::Array(a.clone()));
        }
        if let Some(v) = constant(n) {
            return Ok(v);
        }
        if functions::function(n).is_some() {
            return Err(Diagnostic::new(
                format!("`{n}` is a function"),
                span,
                Some(format!("call it: `{n}(x)`")),
            ));
        }
        let dtypes = DType::ALL.iter().map(|d| d.name());
        let names = self
            .inputs
            .names()
            .chain(CONSTANTS.iter().copied())
            .chain(dtypes);
        let help = match did_you_mean(n, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None if self.inputs.is_empty() => {
                "no inputs are defined; add one with `--input NAME=SPEC`".into()
            }
            None => format!(
                "inputs are: {}",
                self.inputs.names().collect::<Vec<_>>().join(", ")
            ),
        };
        Err(Diagnostic::new(
            format!("unknown name `{n}`"),
            span,
            Some(help),
        ))
    }

    fn unknown_function(&self, name: &Ident) -> Diagnostic {
        if self.inputs.get(&name.name).is_some() {
            return Diagnostic::new(
                format!("`{}` is an input, not a function", name.name),
                name.span,
                None,
            );
        }
        let help =
            did_you_mean(&name.name, functions::names()).map(|s| format!("did you mean `{s}`?"));
        Diagnostic::new(format!("unknown function `{}`", name.name), name.span, help)
    }

    fn binary(
        op: BinaryOperator,
        a: &Spanned,
        b: &Spanned,
        span: Span,
    ) -> Result<Value, Diagnostic> {
        if op == BinaryOperator::MatMul {
            return matmul(a, b, span);
        }
        let (x, y) = (a.operand()?, b.operand()?);
        if let (Some(x), Some(y)) = (Lit::of(&a.value), Lit::of(&b.value)) {
            return fold(op, x, y).map_err(|m| Diagnostic::new(m, span, None));
        }
        let logical = matches!(op, BinaryOperator::And | BinaryOperator::Or);
        if logical && (x.dtype() != DType::Bool || y.dtype() != DType::Bool) {
            let (dx, dy) = (x.dtype(), y.dtype());
            return Err(Diagnostic::new(
                format!("`{}` needs bool operands, found {dx} and {dy}", op.symbol()),
                span,
                Some(
                    "`&` and `|` bind tighter than comparisons, as in NumPy: write \
                     `(x > 0) & (y < 1)`"
                        .into(),
                ),
            ));
        }
        checked(binary_fn(op).apply(x, y), span)
    }

    /// NumPy basic indexing, translated to ndarray's `s![]` semantics.
    fn index(&self, a: &DynArray, items: &[IndexItem], span: Span) -> Result<Value, Diagnostic> {
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
        if let Some(v) = self.advanced_index(a, items, consuming, span)? {
            return Ok(v);
        }
        let mut info = Vec::with_capacity(items.len() + a.ndim());
        let mut axis = 0;
        for item in items {
            match item {
                IndexItem::NewAxis(_) => info.push(SliceInfoElem::NewAxis),
                IndexItem::Ellipsis(_) => {
                    for _ in 0..a.ndim() - consuming {
                        info.push(SliceInfoElem::Slice {
                            start: 0,
                            end: None,
                            step: 1,
                        });
                        axis += 1;
                    }
                }
                IndexItem::Index(e) => {
                    let len = a.shape()[axis];
                    let v = self.eval(e)?.int("an index").map_err(|mut d| {
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
                IndexItem::Slice { .. } => {
                    info.push(self.slice_elem(a.shape()[axis], item)?);
                    axis += 1;
                }
            }
        }
        checked(a.slice(&info), span)
    }

    /// A slice item as an ndarray slice entry for an axis of length `len`.
    fn slice_elem(&self, len: usize, item: &IndexItem) -> Result<SliceInfoElem, Diagnostic> {
        let IndexItem::Slice {
            start, stop, step, ..
        } = item
        else {
            unreachable!("called on slice items")
        };
        let bound = |b: &Option<Box<Expr>>| -> Result<Option<isize>, Diagnostic> {
            let Some(e) = b else { return Ok(None) };
            let v = self.eval(e)?;
            if matches!(v.value, Value::None) {
                return Ok(None);
            }
            // Beyond `isize` (on 32-bit targets) a bound clamps like any other.
            let i = v.int("a slice bound")?;
            Ok(Some(isize::try_from(i).unwrap_or(if i < 0 {
                isize::MIN
            } else {
                isize::MAX
            })))
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
        Ok(crate::python_slice(len, start, stop, k))
    }

    /// `a[items]` when an item is a list or an array (integer-array or boolean
    /// indexing, `select_functions::advanced`); `None` for basic indexing.
    fn advanced_index(
        &self,
        a: &DynArray,
        items: &[IndexItem],
        consuming: usize,
        span: Span,
    ) -> Result<Option<Value>, Diagnostic> {
        use super::select_functions::{advanced, is_advanced, Item};
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(match item {
                IndexItem::Index(e) => Some(Spanned::new(self.eval(e)?.value, e.span)),
                _ => None,
            });
        }
        if !values.iter().flatten().any(|v| is_advanced(&v.value)) {
            return Ok(None);
        }
        let full = SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 1,
        };
        let mut out = Vec::with_capacity(items.len() + a.ndim());
        let mut axis = 0;
        for (item, value) in items.iter().zip(values) {
            match (item, value) {
                (IndexItem::NewAxis(_), _) => out.push(Item::Basic {
                    elem: SliceInfoElem::NewAxis,
                    consumes: false,
                    integer: false,
                }),
                (IndexItem::Ellipsis(_), _) => {
                    for _ in 0..a.ndim() - consuming {
                        out.push(Item::Basic {
                            elem: full,
                            consumes: true,
                            integer: false,
                        });
                        axis += 1;
                    }
                }
                (IndexItem::Index(_), Some(v)) if is_advanced(&v.value) => {
                    out.push(Item::Advanced(v));
                    axis += 1;
                }
                (IndexItem::Index(_), Some(v)) => {
                    let i = v.int("an index")?;
                    let n = a.shape()[axis] as i64;
                    if i < -n || i >= n {
                        return Err(v.error(
                            format!("index {i} is out of range for axis {axis} of length {n}"),
                            None,
                        ));
                    }
                    out.push(Item::Basic {
                        elem: SliceInfoElem::Index(if i < 0 { i + n } else { i } as isize),
                        consumes: true,
                        integer: true,
                    });
                    axis += 1;
                }
                (IndexItem::Slice { .. }, _) => {
                    out.push(Item::Basic {
                        elem: self.slice_elem(a.shape()[axis], item)?,
                        consumes: true,
                        integer: false,
                    });
                    axis += 1;
                }
                (IndexItem::Index(_), None) => unreachable!("an index item is evaluated"),
            }
        }
        checked(advanced(a, &out, span)?, span).map(Some)
    }
}

/// `a @ b`: the registry's `matmul`, once there is one.
fn matmul(a: &Spanned, b: &Spanned, span: Span) -> Result<Value, Diagnostic> {
    let Some(f) = functions::function("matmul") else {
        return Err(Diagnostic::new(
            "matmul is not available yet",
            span,
            Some("`@` is matrix multiplication; chunkwise has no `matmul` yet".into()),
        ));
    };
    let call = Call {
        params: f.bound_params(false),
        signature: f.call_signature(false),
        name: "matmul",
        span,
        receiver: None,
        positional: vec![a.clone(), b.clone()],
        keywords: Vec::new(),
    };
    f.call(&bind(call, default_value)?)
}

fn unknown_method(name: &Ident) -> Diagnostic {
    let methods: Vec<&str> = functions::functions()
        .iter()
        .filter(|f| f.is_method())
        .map(Function::name)
        .collect();
    let help = if functions::function(&name.name).is_some() {
        format!("call it as a function: `{}(...)`", name.name)
    } else if let Some(s) = did_you_mean(&name.name, methods.iter().copied()) {
        format!("did you mean `{s}`?")
    } else {
        format!("the methods are {}", methods.join(", "))
    };
    Diagnostic::new(
        format!("`{}` is not a method", name.name),
        name.span,
        Some(help),
    )
}

/// The library keeps an invalid operation's error in the array it returns; this turns it
/// back into a `Result`, so each operation's error is reported at its own span.
fn checked(a: DynArray, span: Span) -> Result<Value, Diagnostic> {
    match a.error() {
        Some(e) => Err(Diagnostic::library(e, span)),
        None => Ok(Value::Array(a)),
    }
}

fn unary(op: UnaryOperator, v: &Spanned, span: Span) -> Result<Value, Diagnostic> {
    let err = |m: &str| Err(Diagnostic::new(m, span, None));
    match (op, &v.value) {
        (UnaryOperator::Neg, Value::Int(i)) => i
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| Diagnostic::new("integer overflow", span, None)),
        (UnaryOperator::Neg, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOperator::Pos, Value::Int(_) | Value::Float(_)) => Ok(v.value.clone()),
        (UnaryOperator::Neg | UnaryOperator::Pos, Value::Bool(_)) => {
            err("arithmetic is not defined for bool")
        }
        (UnaryOperator::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOperator::Not, Value::Int(_) | Value::Float(_)) => {
            err("`~` needs a bool operand (bitwise not of integers is not supported)")
        }
        _ => {
            let a = v.array()?;
            let r = match op {
                UnaryOperator::Neg => a.unary(UnaryFn::Negative),
                UnaryOperator::Not => a.unary(UnaryFn::LogicalNot),
                UnaryOperator::Pos => {
                    if a.dtype() == DType::Bool {
                        return err("arithmetic is not defined for bool");
                    }
                    a
                }
            };
            checked(r, span)
        }
    }
}
