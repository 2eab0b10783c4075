//! [`bind`] matches the arguments of a call to a function's parameters as Python does, and
//! [`Args`] reads the bound arguments as the kinds a function needs (an array, axes, a
//! dtype, chunks...).
//!
//! Binding follows Python's rules over a NumPy signature (see `function.rs`):
//! positional arguments fill the parameters before `*` (or `*name`) in order; a `*name`
//! parameter collects the rest into a tuple; keyword arguments fill any named parameter;
//! a parameter left unfilled takes its default, written as NumPy writes it (`None`,
//! `False`, `0`) and evaluated by the language itself; a method's receiver is its first
//! parameter. The errors are Python's, pointing at the text:
//!
//! ```text
//! `where` takes 3 arguments but 4 were given
//! `sum` got multiple values for argument `axis` (by position and as `axis=`)
//! `where` is missing required argument `y`
//! `mean` has no keyword argument `axes` (did you mean `axis`?)
//! ```

use crate::{AxisChunks, ChunkGrid, Chunks, DType, DynArray, DynOperand};

use super::diagnostic::{did_you_mean, Diagnostic, Span};
use super::value::{Spanned, Value};
use crate::Param;

/// A call to bind: the parameters it binds, how it was written and its evaluated
/// arguments.
pub(crate) struct Call<'a> {
    /// The parameters the call binds: the function's, or for a method the receiver then
    /// the method's (`Function::bound_params`).
    pub(crate) params: Vec<Param>,
    /// The signature the call's errors quote (`Function::call_signature`).
    pub(crate) signature: String,
    /// The name as written (a name or an alias).
    pub(crate) name: &'a str,
    /// The whole call, for errors about the call itself.
    pub(crate) span: Span,
    /// The receiver, for a method call (`x` in `x.sum()`).
    pub(crate) receiver: Option<Spanned>,
    pub(crate) positional: Vec<Spanned>,
    /// Keyword arguments: the keyword, its span, the value.
    pub(crate) keywords: Vec<(String, Span, Spanned)>,
}

/// The arguments of a call, bound to the function's parameters: what a function's
/// implementation reads.
///
/// Each accessor names a parameter of the signature and reports a wrong kind of value at
/// the argument's span; reading a parameter the signature does not declare is a bug in
/// the entry and panics (the registry tests call every entry).
pub(crate) struct Args {
    /// The call, as messages name it: `` `sum` `` or `` `.sum` ``.
    display: String,
    span: Span,
    method: bool,
    names: Vec<&'static str>,
    values: Vec<Spanned>,
}

/// A named parameter of a signature (not the `*` marker), and whether it is the `*name`
/// parameter that collects extra positional arguments.
fn named(params: &[Param]) -> impl Iterator<Item = (&'static str, bool)> + '_ {
    params
        .iter()
        .filter(|p| p.name != "*")
        .map(|p| match p.name.strip_prefix('*') {
            Some(name) => (name, true),
            None => (p.name, false),
        })
}

/// Binds `call`'s arguments to its function's parameters; `default` evaluates a default
/// as NumPy writes it.
pub(crate) fn bind(
    call: Call<'_>,
    default: impl Fn(&'static str) -> Result<Value, Diagnostic>,
) -> Result<Args, Diagnostic> {
    let method = call.receiver.is_some();
    let display = format!("`{}{}`", if method { "." } else { "" }, call.name);
    let params = call.params;
    let names: Vec<&'static str> = named(&params).map(|(n, _)| n).collect();
    let mut slots: Vec<Option<Spanned>> = vec![None; names.len()];
    // Parameters that take positional arguments: those before `*` or `*name`.
    let positional_params = params
        .iter()
        .take_while(|p| !p.name.starts_with('*'))
        .count();
    let variadic = named(&params).position(|(_, v)| v);
    let receiver = usize::from(method);

    let mut positional = call.receiver.into_iter().chain(call.positional);
    for slot in slots.iter_mut().take(positional_params) {
        match positional.next() {
            Some(v) => *slot = Some(v),
            None => break,
        }
    }
    let extra: Vec<Spanned> = positional.collect();
    if let Some(v) = variadic {
        let span = match (extra.first(), extra.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => call.span,
        };
        slots[v] = Some(Spanned::new(Value::Tuple(extra), span));
    } else if !extra.is_empty() {
        let max = positional_params - receiver;
        let min = params[..positional_params]
            .iter()
            .filter(|p| p.default.is_none())
            .count()
            - receiver;
        let given = max + extra.len();
        let wanted = if min == max {
            format!("{min} argument{}", if min == 1 { "" } else { "s" })
        } else {
            format!("{min} to {max} arguments")
        };
        return Err(Diagnostic::new(
            format!(
                "{display} takes {wanted} but {given} {} given",
                if given == 1 { "was" } else { "were" }
            ),
            call.span,
            Some(format!("it is `{}`", call.signature)),
        ));
    }

    for (keyword, span, value) in call.keywords {
        let index = named(&params)
            .position(|(n, v)| n == keyword && !v)
            .filter(|&i| !(method && i == 0));
        let Some(index) = index else {
            let valid: Vec<&str> = named(&params)
                .skip(receiver)
                .filter(|(_, v)| !v)
                .map(|(n, _)| n)
                .collect();
            let help = match did_you_mean(&keyword, valid.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None if valid.is_empty() => "it takes no keyword arguments".into(),
                None => format!("valid: {}", valid.join(", ")),
            };
            return Err(Diagnostic::new(
                format!("{display} has no keyword argument `{keyword}`"),
                span,
                Some(help),
            ));
        };
        if slots[index].is_some() {
            return Err(Diagnostic::new(
                format!(
                    "{display} got multiple values for argument `{keyword}` (by position and \
                     as `{keyword}=`)"
                ),
                span,
                None,
            ));
        }
        slots[index] = Some(value);
    }

    let mut values = Vec::with_capacity(slots.len());
    let defaults = params.iter().filter(|p| p.name != "*");
    for ((slot, name), param) in slots.into_iter().zip(&names).zip(defaults) {
        let value = match (slot, param.default) {
            (Some(v), _) => v,
            (None, Some(text)) => respan(default(text)?, call.span),
            (None, None) => {
                return Err(Diagnostic::new(
                    format!("{display} is missing required argument `{name}`"),
                    call.span,
                    Some(format!("it is `{}`", call.signature)),
                ))
            }
        };
        values.push(value);
    }
    Ok(Args {
        display,
        span: call.span,
        method,
        names,
        values,
    })
}

/// A default's value, placed at the call's span (its own spans are offsets into the
/// default's text, not the expression).
fn respan(value: Value, span: Span) -> Spanned {
    let value = match value {
        Value::Tuple(items) => {
            Value::Tuple(items.into_iter().map(|i| respan(i.value, span)).collect())
        }
        Value::List(items) => {
            Value::List(items.into_iter().map(|i| respan(i.value, span)).collect())
        }
        other => other,
    };
    Spanned::new(value, span)
}

impl Args {
    /// The argument bound to `name`.
    ///
    /// # Panics
    ///
    /// When the signature has no parameter `name`: a bug in the function's entry.
    pub(crate) fn get(&self, name: &str) -> &Spanned {
        let i = self
            .names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| {
                panic!("{} reads `{name}`, which its signature lacks", self.display)
            });
        &self.values[i]
    }

    /// True when the function was called as a method (`x.sum()`).
    pub(crate) fn is_method(&self) -> bool {
        self.method
    }

    /// True when the argument is `None`.
    pub(crate) fn is_none(&self, name: &str) -> bool {
        matches!(self.get(name).value, Value::None)
    }

    /// An error about the argument `name`, at its span.
    pub(crate) fn error(&self, name: &str, message: impl Into<String>) -> Diagnostic {
        self.get(name).error(message, None)
    }

    /// An array (a number becomes a 0-d array).
    pub(crate) fn array(&self, name: &str) -> Result<DynArray, Diagnostic> {
        self.get(name).array()
    }

    /// An operand of an elementwise function: an array or a weak number.
    pub(crate) fn operand(&self, name: &str) -> Result<DynOperand, Diagnostic> {
        self.get(name).operand()
    }

    /// A non-negative integer.
    pub(crate) fn count(&self, name: &str) -> Result<usize, Diagnostic> {
        self.get(name).count(&format!("`{name}`"))
    }

    /// `True` or `False`.
    pub(crate) fn bool(&self, name: &str) -> Result<bool, Diagnostic> {
        self.get(name).bool(&format!("`{name}`"))
    }

    /// A dtype: a bare dtype name (`float32`) or a string (`"float32"`, `"f4"`-style
    /// Rust names such as `"f32"` too).
    pub(crate) fn dtype(&self, name: &str) -> Result<DType, Diagnostic> {
        let v = self.get(name);
        let text = match &v.value {
            Value::DType(d) => return Ok(*d),
            Value::Str(s) => s,
            other => {
                return Err(v.error(
                    format!(
                        "`{name}` must be a dtype such as \"float32\", found {}",
                        other.describe()
                    ),
                    None,
                ))
            }
        };
        DType::parse(text).map_err(|_| {
            let names = DType::ALL.iter().map(|d| d.name());
            let help = match did_you_mean(text, names) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "valid: bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, \
                         float32, float64"
                    .into(),
            };
            v.error(format!("unknown dtype \"{text}\""), Some(help))
        })
    }

    /// Axes as NumPy takes them (see [`axes`]).
    pub(crate) fn axes(&self, name: &str, ndim: usize) -> Result<Option<Vec<usize>>, Diagnostic> {
        axes(self.get(name), ndim)
    }

    /// Chunks as Dask's `rechunk` takes them for an array of `array`'s shape: `"auto"`;
    /// one length for every axis; or one entry per axis, each a length, `-1` (the whole
    /// axis), `None` (the array's current chunks on that axis) or a tuple of explicit
    /// lengths.
    pub(crate) fn chunks(&self, name: &str, array: &DynArray) -> Result<Chunks, Diagnostic> {
        let v = self.get(name);
        let shape = array.shape();
        let expected = "`\"auto\"`, a chunk length, or one entry per axis (a length, -1 for the \
                        whole axis, None to keep the axis' chunks, or a tuple of lengths)";
        let per_axis: Vec<&Spanned> = match &v.value {
            Value::Str(s) if s == "auto" => return Ok(Chunks::Auto),
            Value::Int(_) => vec![v; shape.len()],
            Value::Tuple(items) | Value::List(items) => items.iter().collect(),
            other => {
                return Err(v.error(
                    format!("`{name}` must be {expected}; found {}", other.describe()),
                    None,
                ))
            }
        };
        if per_axis.len() != shape.len() {
            return Err(v.error(
                format!(
                    "`{name}` has {} entries but the array has {} axes (shape {shape:?})",
                    per_axis.len(),
                    shape.len()
                ),
                Some("give one entry per axis".into()),
            ));
        }
        let mut axes = Vec::with_capacity(shape.len());
        for (d, item) in per_axis.into_iter().enumerate() {
            let len = shape[d];
            let library = |e: crate::Error| Diagnostic::library(e, item.span);
            let axis = match &item.value {
                Value::None => array.chunks().axis(d).clone(),
                Value::Int(-1) => AxisChunks::regular(len, len.max(1)).map_err(library)?,
                Value::Int(_) => {
                    let c = item.count("a chunk length")?;
                    if c == 0 && len > 0 {
                        return Err(item.error(
                            format!("chunk length 0 on axis {d} of length {len}"),
                            Some("chunk lengths must be at least 1".into()),
                        ));
                    }
                    AxisChunks::regular(len, c.max(1)).map_err(library)?
                }
                Value::Tuple(sizes) | Value::List(sizes) => {
                    let sizes = sizes
                        .iter()
                        .map(|s| s.count("a chunk length"))
                        .collect::<Result<Vec<_>, _>>()?;
                    let sum: usize = sizes.iter().sum();
                    if sum != len {
                        return Err(item.error(
                            format!("chunk lengths on axis {d} add up to {sum} but the axis has length {len}"),
                            Some(format!("give lengths that add up to exactly {len}")),
                        ));
                    }
                    AxisChunks::from_sizes(&sizes).map_err(library)?
                }
                other => {
                    return Err(item.error(
                        format!("the chunks of axis {d} must be a length, -1, None or a tuple of lengths; found {}", other.describe()),
                        None,
                    ))
                }
            };
            axes.push(axis);
        }
        Ok(Chunks::Grid(ChunkGrid::new(axes)))
    }

    /// The result of a library call: the array, or the error the library kept in it,
    /// reported at the call.
    pub(crate) fn done(&self, array: DynArray) -> Result<Value, Diagnostic> {
        match array.error() {
            Some(e) => Err(Diagnostic::library(e, self.span)),
            None => Ok(Value::Array(array)),
        }
    }

    /// An error about the whole call.
    pub(crate) fn call_error(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message, self.span, None)
    }

    /// The call as messages name it: `` `sum` `` or `` `.sum` ``.
    pub(crate) fn display(&self) -> &str {
        &self.display
    }
}

/// Axes as NumPy takes them: `None` (every axis: `Ok(None)`), one axis, or a tuple or
/// list of axes; negative ones count from the end of `ndim` axes. Each is checked to be in
/// range and given once.
pub(crate) fn axes(v: &Spanned, ndim: usize) -> Result<Option<Vec<usize>>, Diagnostic> {
    if matches!(v.value, Value::None) {
        return Ok(None);
    }
    let mut out: Vec<usize> = Vec::new();
    for item in v.items() {
        let a = axis(item, ndim)?;
        if out.contains(&a) {
            return Err(item.error(format!("axis {a} is given more than once"), None));
        }
        out.push(a);
    }
    Ok(Some(out))
}

/// One axis, normalized against `ndim`.
pub(crate) fn axis(item: &Spanned, ndim: usize) -> Result<usize, Diagnostic> {
    let v = item.int("an axis")?;
    let n = ndim as i64;
    if v < -n || v >= n {
        return Err(item.error(
            format!("axis {v} is out of range for an array with {ndim} axes"),
            Some(if ndim == 0 {
                "a 0-d array has no axes".to_string()
            } else {
                format!("valid axes are {}..{ndim}", -n)
            }),
        ));
    }
    Ok(if v < 0 { v + n } else { v } as usize)
}
