//! The expression language of `chunkwise eval`: a small NumPy-like language over named
//! input arrays, evaluated lazily to a [`chunkwise::DynArray`].
//!
//! [`lexer`] splits the text into tokens with byte spans, [`parser`] builds an `Expr`
//! tree (Python's operator precedence), and [`evaluate`] turns the tree into library calls
//! ([`chunkwise::BinaryFn`], [`chunkwise::ReduceFn`], `DynArray::slice`...); arithmetic
//! between number literals is done first, with Python's rules (`fold.rs`). Every error is
//! a [`Diagnostic`] that points at the columns of the text it is about.
//!
//! Expressions have at most 2,000 tokens and 64 levels of nesting, so that neither the
//! recursive parser nor the evaluator can run out of stack.
//!
//! # The language
//!
//! ```text
//! expr     := compare
//! compare  := or (('==' | '!=' | '<' | '<=' | '>' | '>=') or)?     no chains: a < b < c is an error
//! or       := and ('|' and)*                                       logical or of bool arrays
//! and      := sum ('&' sum)*                                       logical and of bool arrays
//! sum      := product (('+' | '-') product)*
//! product  := unary (('*' | '/') unary)*                           `/` is true division
//! unary    := ('-' | '+' | '~') unary | power                      `~` is logical not
//! power    := postfix ('**' unary)?                                right-associative; -x**2 is -(x**2)
//! postfix  := atom ( '(' args ')' | '.' NAME | '.' NAME '(' args ')' | '[' index ']' )*
//! atom     := INT | FLOAT | STRING | NAME | '(' expr ')' | '(' expr ',' ... ')'
//! args     := (expr | NAME '=' expr) (',' ...)*
//! index    := item (',' item)*      item := expr | expr? ':' expr? (':' expr?)? | '...' | None
//! ```
//!
//! As in Python and NumPy, `&` and `|` bind tighter than comparisons: write
//! `(x > 0) & (x < 1)`; Python's `and`, `or`, `not` are errors that say so. Names are
//! inputs, or the constants `True`, `False`, `nan`, `inf` and `pi`. Indexing follows
//! NumPy's basic indexing (bounds clamp, negative indices count from the end) and is
//! translated to ndarray's `s![]` form; the functions and their keywords are listed in
//! `chunkwise eval --help`.

pub(crate) mod evaluate;
mod fold;
pub(crate) mod lexer;
pub(crate) mod parser;

use std::fmt;

pub(crate) use evaluate::evaluate;

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

/// An error in an expression, with the span of the text it is about.
///
/// Rendered (by [`Diagnostic::render`]) as the message with the 1-based column, the
/// expression, and carets under the span:
///
/// ```text
/// error: unknown function `meen` at column 1 (did you mean `mean`?)
///   meen(x, axis=0)
///   ^^^^
/// ```
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Diagnostic {
    /// What is wrong.
    pub(crate) message: String,
    /// Where.
    pub(crate) span: Span,
    /// How to fix it, when known.
    pub(crate) help: Option<String>,
    /// The library's explanation, for operations it refused (printed after the column).
    pub(crate) detail: Option<String>,
}

impl Diagnostic {
    pub(crate) fn new(message: impl Into<String>, span: Span, help: Option<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
            help,
            detail: None,
        }
    }

    /// An operation the library refused (shapes that do not broadcast, a dtype an
    /// operation does not accept...), at the span of the expression that asked for it.
    pub(crate) fn library(error: &chunkwise::Error, span: Span) -> Diagnostic {
        Diagnostic {
            message: "invalid operation".into(),
            span,
            help: None,
            detail: Some(error.to_string()),
        }
    }

    /// The 1-based column (in characters) where the span starts.
    pub(crate) fn column(&self, src: &str) -> usize {
        let start = self.span.start.min(src.len());
        src.get(..start).map_or(start, |s| s.chars().count()) + 1
    }

    /// The message, the expression and a caret line under the span.
    pub(crate) fn render(&self, src: &str) -> String {
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
        let detail = self
            .detail
            .as_ref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
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

/// A [`Diagnostic`] with its expression text: an error the command line prints as is.
#[derive(Debug)]
pub(crate) struct ExprError {
    pub(crate) diagnostic: Diagnostic,
    pub(crate) source: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.render(&self.source))
    }
}

impl std::error::Error for ExprError {}

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
            (d > 0 && d <= limit) || (name.len() >= 2 && c.starts_with(name))
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
        let e = chunkwise::Error::Cancelled;
        assert_eq!(
            Diagnostic::library(&e, Span::new(2, 3)).render("x + y"),
            "error: invalid operation at column 3: the computation was cancelled\n  x + y\n    ^"
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("meen", ["mean", "min", "max"]), Some("mean"));
        assert_eq!(did_you_mean("sqr", ["sqrt", "sum"]), Some("sqrt"));
        assert_eq!(did_you_mean("zzzzzz", ["mean", "min"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
