//! [`Value`], what an expression evaluates to: an array, a Python number, or one of the
//! argument kinds (strings, dtypes, `None`, tuples and lists, nested).
//!
//! Only arrays and numbers are operands of operators; the other kinds exist to be passed
//! to functions (`astype(x, "float32")`, `axis=None`, `axis=(0, 1)`,
//! `concatenate([x, y])`, `pad(x, ((1, 2), (3, 0)))`), which read them through the
//! accessors of `bind.rs`. Every value keeps the span it was written at ([`Spanned`]), down
//! to the items of a tuple, so an error about `5` in `axis=(0, 5)` points at the `5`.

use crate::{DType, DynArray, DynOperand};

use super::diagnostic::{Diagnostic, Span};

/// A value of the language.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    /// A lazy array.
    Array(DynArray),
    /// An integer literal, a Python `int` (weak in promotion).
    Int(i64),
    /// A float literal, a Python `float` (weak in promotion).
    Float(f64),
    /// `True` or `False`.
    Bool(bool),
    /// A quoted string.
    Str(String),
    /// A dtype named bare, as `float32` (NumPy's `np.float32`).
    DType(DType),
    /// `None`.
    None,
    /// `(a, b)`.
    Tuple(Vec<Spanned>),
    /// `[a, b]`.
    List(Vec<Spanned>),
}

/// A value and the span of the text it came from.
#[derive(Clone, Debug)]
pub(crate) struct Spanned {
    pub(crate) value: Value,
    pub(crate) span: Span,
}

impl Value {
    /// The value in words, for messages: "an array of shape [6, 5]", "the integer 1".
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::Array(a) => format!("an array of shape {:?}", a.shape()),
            Value::Int(i) => format!("the integer {i}"),
            Value::Float(f) => format!("the float {f}"),
            Value::Bool(b) => format!("the bool {}", if *b { "True" } else { "False" }),
            Value::Str(s) => format!("the string {s:?}"),
            Value::DType(d) => format!("the dtype {d}"),
            Value::None => "None".into(),
            Value::Tuple(items) => format!("a tuple of {} items", items.len()),
            Value::List(items) => format!("a list of {} items", items.len()),
        }
    }
}

impl Spanned {
    pub(crate) fn new(value: Value, span: Span) -> Spanned {
        Spanned { value, span }
    }

    /// An error about this value, at its span.
    pub(crate) fn error(&self, message: impl Into<String>, help: Option<String>) -> Diagnostic {
        Diagnostic::new(message, self.span, help)
    }

    /// The value as an operand of arithmetic: an array or a (weak) number.
    pub(crate) fn operand(&self) -> Result<DynOperand, Diagnostic> {
        let (what, example) = match &self.value {
            Value::Array(a) => return Ok(DynOperand::Array(a.clone())),
            Value::Int(v) => return Ok(DynOperand::Int(*v)),
            Value::Float(v) => return Ok(DynOperand::Float(*v)),
            Value::Bool(v) => return Ok(DynOperand::Bool(*v)),
            Value::Str(_) => (
                "a string is only valid as an argument",
                "such as the dtype in `astype(x, \"float32\")`",
            ),
            Value::DType(_) => (
                "a dtype is only valid as an argument",
                "such as `astype(x, float32)`",
            ),
            Value::None => (
                "`None` is only valid in an index (a new axis) or as an argument",
                "such as `axis=None`",
            ),
            Value::Tuple(_) => (
                "a tuple is only valid as an argument",
                "such as the axes in `sum(x, axis=(0, 1))`",
            ),
            Value::List(_) => (
                "a list is only valid as an argument",
                "such as the chunks in `rechunk(x, [100, 50])`",
            ),
        };
        Err(self.error(what, Some(example.into())))
    }

    /// The value as an array: an array, or a number made a 0-d array.
    pub(crate) fn array(&self) -> Result<DynArray, Diagnostic> {
        Ok(self.operand()?.into_array())
    }

    /// The value as an integer; `what` names it in the message ("an axis", "`ddof`").
    pub(crate) fn int(&self, what: &str) -> Result<i64, Diagnostic> {
        match self.value {
            Value::Int(v) => Ok(v),
            _ => Err(self.error(
                format!("{what} must be an integer, found {}", self.value.describe()),
                None,
            )),
        }
    }

    /// The value as a non-negative integer.
    pub(crate) fn count(&self, what: &str) -> Result<usize, Diagnostic> {
        let v = self.int(what)?;
        usize::try_from(v)
            .map_err(|_| self.error(format!("{what} must not be negative, found {v}"), None))
    }

    /// The value as `True` or `False`.
    pub(crate) fn bool(&self, what: &str) -> Result<bool, Diagnostic> {
        match self.value {
            Value::Bool(v) => Ok(v),
            _ => Err(self.error(
                format!(
                    "{what} must be True or False, found {}",
                    self.value.describe()
                ),
                None,
            )),
        }
    }

    /// The items of a tuple or list; any other value is a sequence of itself.
    pub(crate) fn items(&self) -> Vec<&Spanned> {
        match &self.value {
            Value::Tuple(items) | Value::List(items) => items.iter().collect(),
            _ => vec![self],
        }
    }
}

/// The named constants (besides the dtype names), with their values.
pub(crate) const CONSTANTS: &[&str] = &["True", "False", "None", "nan", "inf", "pi"];

/// The value of the named constant `name` (`True`, `nan`, a dtype name...), if it is one.
pub(crate) fn constant(name: &str) -> Option<Value> {
    Some(match name {
        "True" => Value::Bool(true),
        "False" => Value::Bool(false),
        "None" => Value::None,
        "nan" => Value::Float(f64::NAN),
        "inf" => Value::Float(f64::INFINITY),
        "pi" => Value::Float(std::f64::consts::PI),
        _ => {
            return DType::ALL
                .iter()
                .find(|d| d.name() == name)
                .map(|&d| Value::DType(d))
        }
    })
}
