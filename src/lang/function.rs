//! One function of the language: [`Function`], NumPy's name and signature, whether it is
//! also a method, a documentation line, and the code that runs it over bound arguments
//! (`bind.rs`'s [`Args`]); and [`Group`], what it does, for listings.
//!
//! An entry, as the area files (`core_functions.rs`, `structure_functions.rs`...) write
//! them:
//!
//! ```text
//! Function::new(
//!     "squeeze(a, axis=None)",                 // NumPy's signature, defaults as NumPy writes them
//!     Group::Shape,
//!     "The array without the given length-1 axes (every one for `None`).",
//!     |args| {                                 // `Args`: the arguments, bound as Python binds them
//!         let a = args.array("a")?;
//!         let out = match args.axes("axis", a.ndim())? {
//!             None => a.squeeze(..),
//!             Some(axes) => a.squeeze(axes),
//!         };
//!         args.done(out)                        // reports the library's error at the call
//!     },
//! )
//! .method(),                                   // also `x.squeeze(...)`
//! ```
//!
//! A signature is Python's: positional-or-keyword parameters, `name=default`, `*` before
//! keyword-only ones and `*name` for extra positional arguments (`transpose(*axes)`).
//! Binding, defaults and the errors are `bind.rs`'s; values are `value.rs`'s; the list of
//! every function is `registry.rs`'s.

use std::fmt;

use crate::Param;

use super::bind::Args;
use super::diagnostic::Diagnostic;
use super::value::Value;

/// What a function does, to group the functions in listings.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, Group};
/// assert_eq!(lang::function("sqrt").unwrap().group(), Group::Elementwise);
/// assert_eq!(Group::Reduction.title(), "reductions");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Group {
    /// Elementwise functions, with broadcasting (`sqrt`, `add`, `where`, `clip`,
    /// `astype`).
    Elementwise,
    /// Reductions over axes (`sum`, `std`, `argmax`).
    Reduction,
    /// Axes, shape and chunks (`transpose`, `squeeze`, `rechunk`).
    Shape,
    /// Matrix products (`matmul`, `dot`, `tensordot`, `einsum`, `outer`).
    LinearAlgebra,
    /// Cumulative operations along an axis (`cumsum`, `cumprod`...).
    Scan,
}

impl Group {
    /// Every group, in listing order.
    pub const ALL: &'static [Group] = &[
        Group::Elementwise,
        Group::Reduction,
        Group::Shape,
        Group::LinearAlgebra,
        Group::Scan,
    ];

    /// The heading of the group in listings.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Group::Elementwise => "elementwise",
            Group::Reduction => "reductions",
            Group::Shape => "shape and chunks",
            Group::LinearAlgebra => "linear algebra",
            Group::Scan => "scans",
        }
    }
}

/// What runs a function: its bound arguments in, a value out.
type Implementation = Box<dyn Fn(&Args) -> Result<Value, Diagnostic> + Send + Sync>;

/// One function of the language: NumPy's name and signature, its aliases, whether it is
/// also a method (`x.sum(axis=0)`), its group, a documentation line, and its
/// implementation.
///
/// # Example
///
/// ```
/// let sum = chunkwise::lang::function("sum").unwrap();
/// assert_eq!(sum.signature(), "sum(a, axis=None, *, keepdims=False, split_every=None)");
/// assert_eq!(sum.method_signature().as_deref(), Some("a.sum(axis=None, *, keepdims=False, split_every=None)"));
/// let abs = chunkwise::lang::function("abs").unwrap();       // an alias
/// assert_eq!((abs.name(), abs.aliases()), ("absolute", &["abs"][..]));
/// assert!(!abs.is_method());
/// ```
pub struct Function {
    name: &'static str,
    aliases: &'static [&'static str],
    params: Vec<Param>,
    /// For a method, its parameters after the receiver (the first of `params`).
    method: Option<Vec<Param>>,
    group: Group,
    doc: &'static str,
    call: Implementation,
}

impl Function {
    /// An entry from NumPy's signature, such as `"clip(a, a_min, a_max)"`.
    ///
    /// # Panics
    ///
    /// When `signature` is not `name(parameters)`: a bug in the entry, caught by the
    /// registry's tests.
    pub(crate) fn new(
        signature: &'static str,
        group: Group,
        doc: &'static str,
        call: impl Fn(&Args) -> Result<Value, Diagnostic> + Send + Sync + 'static,
    ) -> Function {
        let (name, params) = parse_signature(signature);
        Function::with_params(name, params, group, doc, call)
    }

    /// An entry with its parameters given as a list.
    pub(crate) fn with_params(
        name: &'static str,
        params: Vec<Param>,
        group: Group,
        doc: &'static str,
        call: impl Fn(&Args) -> Result<Value, Diagnostic> + Send + Sync + 'static,
    ) -> Function {
        Function {
            name,
            aliases: &[],
            params,
            method: None,
            group,
            doc,
            call: Box::new(call),
        }
    }

    /// The entry with NumPy's other names for the function.
    pub(crate) fn with_aliases(mut self, aliases: &'static [&'static str]) -> Function {
        self.aliases = aliases;
        self
    }

    /// The entry, also a method: `x.name(...)` binds `x` to the first parameter.
    pub(crate) fn method(mut self) -> Function {
        self.method = Some(self.params[1..].to_vec());
        self
    }

    /// The entry, also a method with its own signature (without the receiver), as
    /// NumPy's `ndarray.transpose(*axes)` next to `transpose(a, axes=None)`.
    ///
    /// # Panics
    ///
    /// When `signature` is not `name(parameters)` with the function's name.
    pub(crate) fn method_with(mut self, signature: &'static str) -> Function {
        let (name, params) = parse_signature(signature);
        assert_eq!(name, self.name, "a method signature names its function");
        self.method = Some(params);
        self
    }

    /// NumPy's name of the function.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// NumPy's other names for it (`abs` for `absolute`).
    #[must_use]
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// The parameters, as NumPy names them, in order; `*` marks the keyword-only ones
    /// that follow, `*name` collects extra positional arguments.
    #[must_use]
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// For a method, its parameters after the receiver: the function's own after the
    /// first, or a signature of its own (`transpose(*axes)`).
    ///
    /// # Example
    ///
    /// ```
    /// let clip = chunkwise::lang::function("clip").unwrap();
    /// assert_eq!(clip.method_params(), Some(&clip.params()[1..]));
    /// assert_eq!(chunkwise::lang::function("sqrt").unwrap().method_params(), None);
    /// ```
    #[must_use]
    pub fn method_params(&self) -> Option<&[Param]> {
        self.method.as_deref()
    }

    /// True when the function is also a method (`x.sum()`).
    #[must_use]
    pub fn is_method(&self) -> bool {
        self.method.is_some()
    }

    /// What the function does, to group listings.
    #[must_use]
    pub fn group(&self) -> Group {
        self.group
    }

    /// The one-line description.
    #[must_use]
    pub fn doc(&self) -> &'static str {
        self.doc
    }

    /// The signature as Python writes it: `clip(a, a_min, a_max)`.
    #[must_use]
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, join(&self.params))
    }

    /// The method's signature, `a.clip(a_min, a_max)`, for a method.
    #[must_use]
    pub fn method_signature(&self) -> Option<String> {
        let params = self.method.as_ref()?;
        Some(format!(
            "{}.{}({})",
            self.params[0].name,
            self.name,
            join(params)
        ))
    }

    /// The signature of the function (`method` false) or the method.
    pub(crate) fn call_signature(&self, method: bool) -> String {
        match self.method_signature() {
            Some(s) if method => s,
            _ => self.signature(),
        }
    }

    /// The parameters a call binds: the function's (`method` false), or the receiver
    /// then the method's.
    pub(crate) fn bound_params(&self, method: bool) -> Vec<Param> {
        if !method {
            return self.params.clone();
        }
        let mut params = vec![self.params[0]];
        params.extend(self.method.iter().flatten().copied());
        params
    }

    /// Runs the function on bound arguments.
    pub(crate) fn call(&self, args: &Args) -> Result<Value, Diagnostic> {
        (self.call)(args)
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function")
            .field("signature", &self.signature())
            .field("aliases", &self.aliases)
            .field("method", &self.method_signature())
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

fn join(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| match p.default {
            Some(d) => format!("{}={d}", p.name),
            None => p.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits `name(p1, p2=default, *, p3=default)` into the name and the parameters.
fn parse_signature(signature: &'static str) -> (&'static str, Vec<Param>) {
    let malformed = || format!("the signature `{signature}` is not `name(parameters)`");
    let (name, rest) = signature
        .split_once('(')
        .unwrap_or_else(|| panic!("{}", malformed()));
    let inner = rest
        .strip_suffix(')')
        .unwrap_or_else(|| panic!("{}", malformed()));
    let mut params = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut push = |piece: &'static str| {
        let piece = piece.trim();
        if piece.is_empty() {
            return;
        }
        params.push(match piece.split_once('=') {
            Some((n, d)) => Param::optional(n.trim(), d.trim()),
            None => Param::required(piece),
        });
    };
    for (i, c) in inner.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('(' | '[', None) => depth += 1,
            (')' | ']', None) => depth -= 1,
            (',', None) if depth == 0 => {
                push(&inner[start..i]);
                start = i + 1;
            }
            // Anything else, and everything inside quotes.
            _ => {}
        }
    }
    push(&inner[start..]);
    (name.trim(), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse_as_python_writes_them() {
        let (name, params) = parse_signature("f(a, b=(1, 2), *, c=\"x, y\", d=[0])");
        assert_eq!(name, "f");
        let shown: Vec<(&str, Option<&str>)> = params.iter().map(|p| (p.name, p.default)).collect();
        assert_eq!(
            shown,
            [
                ("a", None),
                ("b", Some("(1, 2)")),
                ("*", None),
                ("c", Some("\"x, y\"")),
                ("d", Some("[0]"))
            ]
        );
        assert!(parse_signature("g()").1.is_empty());
    }
}
