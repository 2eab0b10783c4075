//! [`Diagnostic`], an error in an expression with the span of text it is about, and
//! [`Error`], a diagnostic together with its expression, which prints with a column caret.
//!
//! Every phase of the language (lexing, parsing, binding arguments, evaluating) reports
//! its errors as a `Diagnostic`; [`eval`](super::eval) attaches the expression text, so
//! the error the caller receives renders on its own:
//!
//! ```text
//! error: unknown function `meen` at column 1 (did you mean `mean`?)
//!   meen(x, axis=0)
//!   ^^^^
//! ```

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A byte range of the expression text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub(crate) fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// An error in an expression: what is wrong, the byte span of the text it is about, how to
/// fix it when that is known, and for an operation the library refused, the library's
/// error.
///
/// [`render`](Diagnostic::render) prints it under the expression with a caret line; an
/// [`Error`] does that in its `Display`.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, Inputs};
/// let err = lang::eval("1 + ", &Inputs::new()).unwrap_err();
/// let d = err.diagnostic();
/// assert_eq!((d.message(), d.span(), d.column("1 + ")), ("unexpected end of expression", 4..4, 5));
/// assert_eq!(d.help(), Some("an operand is missing"));
/// ```
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub(crate) message: String,
    pub(crate) span: Span,
    pub(crate) help: Option<String>,
    /// The library's error, for operations it refused.
    pub(crate) cause: Option<Arc<crate::Error>>,
}

impl Diagnostic {
    pub(crate) fn new(message: impl Into<String>, span: Span, help: Option<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
            help,
            cause: None,
        }
    }

    /// An operation the library refused (shapes that do not broadcast, a dtype an
    /// operation does not accept...), at the span of the expression that asked for it.
    pub(crate) fn library(error: crate::Error, span: Span) -> Diagnostic {
        Diagnostic {
            message: "invalid operation".into(),
            span,
            help: None,
            cause: Some(Arc::new(error)),
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte range of the expression this is about (empty at the end of the text for
    /// "unexpected end").
    #[must_use]
    pub fn span(&self) -> Range<usize> {
        self.span.start..self.span.end
    }

    /// How to fix it, when known (a "did you mean", the valid values...).
    #[must_use]
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// For an operation the library refused, the library's error: the typed cause
    /// (already reached through [`Error::Invalid`](crate::Error::Invalid), as
    /// [`crate::Error::root`] does), to `match` on.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::lang::{self, Inputs};
    /// let inputs = Inputs::new()
    ///     .with("x", chunkwise::ones::<f64>(&[3, 4], [2, 2]).to_dyn())
    ///     .with("y", chunkwise::ones::<f64>(&[5], [5]).to_dyn());
    /// let err = lang::eval("x + y", &inputs).unwrap_err();
    /// assert!(matches!(err.diagnostic().cause(), Some(chunkwise::Error::ShapeMismatch { .. })));
    /// ```
    #[must_use]
    pub fn cause(&self) -> Option<&crate::Error> {
        self.cause.as_deref().map(crate::Error::root)
    }

    /// The 1-based column (in characters) of `src` where the span starts.
    #[must_use]
    pub fn column(&self, src: &str) -> usize {
        let start = self.span.start.min(src.len());
        src.get(..start).map_or(start, |s| s.chars().count()) + 1
    }

    /// The message with its column, help and cause, then `src` and a caret line under
    /// the span.
    #[must_use]
    pub fn render(&self, src: &str) -> String {
        let column = self.column(src);
        let end = self.span.end.clamp(self.span.start, src.len());
        let width = src
            .get(self.span.start.min(src.len())..end)
            .map_or(1, |s| s.chars().count())
            .max(1);
        let help = self
            .help
            .as_ref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        let detail = self.cause().map(|d| format!(": {d}")).unwrap_or_default();
        // Tabs and newlines would break the caret's alignment: show them as spaces (one
        // character each, so the columns stay right).
        let shown: String = src
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        format!(
            "error: {} at column {column}{help}{detail}\n  {shown}\n  {}{}",
            self.message,
            " ".repeat(column - 1),
            "^".repeat(width)
        )
    }
}

/// An error in an expression given to [`eval`](super::eval): a [`Diagnostic`] with the
/// expression's text. Its `Display` is the full report, message, text and carets.
///
/// The library's error behind a refused operation is part of that report (it sits on the
/// message line, before the text), so `source()` is `None` and a chain printer does not
/// repeat it; [`Diagnostic::cause`] gives it typed.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, Inputs};
/// let inputs = Inputs::new().with("x", chunkwise::ones::<f64>(&[3, 4], [2, 2]).to_dyn());
/// let err = lang::eval("mean(x, axis=2)", &inputs).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "error: axis 2 is out of range for an array with 2 axes at column 14 (valid axes are -2..2)\n  \
///      mean(x, axis=2)\n               ^"
/// );
/// assert_eq!((err.expression(), err.column()), ("mean(x, axis=2)", 14));
/// ```
#[derive(Clone, Debug)]
pub struct Error {
    diagnostic: Diagnostic,
    expression: String,
}

impl Error {
    pub(crate) fn new(diagnostic: Diagnostic, expression: &str) -> Error {
        Error {
            diagnostic,
            expression: expression.to_string(),
        }
    }

    /// What is wrong and where.
    #[must_use]
    pub fn diagnostic(&self) -> &Diagnostic {
        &self.diagnostic
    }

    /// The expression the error is in.
    #[must_use]
    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The 1-based column (in characters) of the expression where the error is.
    #[must_use]
    pub fn column(&self) -> usize {
        self.diagnostic.column(&self.expression)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.render(&self.expression))
    }
}

impl std::error::Error for Error {}

/// The candidate closest to `name`, if one is close enough: within edit distance 1 for
/// names of 3 to 5 characters and 2 for longer ones, or starting with `name`.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, c)| {
            // Short names are close to everything: demand more similarity from them.
            let limit = match name.chars().count() {
                0..=2 => 0,
                3..=5 => 1,
                _ => 2,
            };
            (d > 0 && d <= limit) || (name.len() >= 2 && c.starts_with(name) && c != name)
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_column_and_carets() {
        let d = Diagnostic::new(
            "unknown function `meen`",
            Span::new(0, 4),
            Some("did you mean `mean`?".into()),
        );
        assert_eq!(
            d.render("meen(x, axis=0)"),
            "error: unknown function `meen` at column 1 (did you mean `mean`?)\n  meen(x, axis=0)\n  ^^^^"
        );
        let d = Diagnostic::new("bad", Span::new(4, 5), None);
        assert_eq!(
            d.render("x\t+\n y"),
            "error: bad at column 5\n  x +  y\n      ^"
        );
        let d = Diagnostic::new("unexpected end of expression", Span::new(4, 4), None);
        assert_eq!(
            d.render("x + "),
            "error: unexpected end of expression at column 5\n  x + \n      ^"
        );
    }

    #[test]
    fn library_errors_follow_the_column() {
        let d = Diagnostic::library(crate::Error::Cancelled, Span::new(2, 3));
        assert_eq!(
            d.render("x + y"),
            "error: invalid operation at column 3: the computation was cancelled\n  x + y\n    ^"
        );
        assert!(matches!(d.cause(), Some(crate::Error::Cancelled)));
        let e = Error::new(d, "x + y");
        assert_eq!(e.column(), 3);
        assert!(std::error::Error::source(&e).is_none());
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("meen", ["mean", "min", "max"]), Some("mean"));
        assert_eq!(did_you_mean("sqr", ["sqrt", "sum"]), Some("sqrt"));
        assert_eq!(did_you_mean("zzzzzz", ["mean", "min"]), None);
        assert_eq!(did_you_mean("mean", ["mean"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
