//! [`lex`] turns an expression into [`Token`]s, each with the byte [`Span`] it came from,
//! so that later errors can point at the column.

use super::diagnostic::{Diagnostic, Span};

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TokenKind {
    /// An integer literal (`42`).
    Int(i64),
    /// A float literal (`1.5`, `1e-3`, `.5`).
    Float(f64),
    /// A name: an input, a function, a keyword argument, `True`, `nan`...
    Name(String),
    /// A quoted string (`"float32"` or `'float32'`).
    Str(String),
    /// One of the operators and punctuation marks, as written (`**`, `<=`, `...`).
    Punct(&'static str),
    /// The end of the expression.
    End,
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) span: Span,
}

/// Operators and punctuation, longest first so that `**` wins over `*`.
const PUNCTS: &[&str] = &[
    "...", "**", "==", "!=", "<=", ">=", "//", "+", "-", "*", "/", "%", "<", ">", "&", "|", "~",
    "(", ")", "[", "]", ",", ":", "=", ".", "^", "@",
];

/// Operators that Python has and this language does not, with what to write instead.
fn unsupported(punct: &str) -> Option<&'static str> {
    match punct {
        "^" => Some("`^` is not supported; write `logical_xor(a, b)` for exclusive or"),
        _ => None,
    }
}

/// Splits `src` into tokens; the last one is [`TokenKind::End`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, Diagnostic> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (kind, end) = number(src, start)?;
            tokens.push(Token {
                kind,
                span: Span::new(start, end),
            });
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            tokens.push(Token {
                kind: TokenKind::Name(src[start..i].to_string()),
                span: Span::new(start, i),
            });
        } else if c == b'"' || c == b'\'' {
            let close = src[i + 1..].find(char::from(c)).ok_or_else(|| {
                Diagnostic::new(
                    "unterminated string",
                    Span::new(start, src.len()),
                    Some(format!("close it with {}", char::from(c))),
                )
            })?;
            let end = i + 1 + close;
            tokens.push(Token {
                kind: TokenKind::Str(src[i + 1..end].to_string()),
                span: Span::new(start, end + 1),
            });
            i = end + 1;
        } else if let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            let span = Span::new(start, start + p.len());
            if let Some(why) = unsupported(p) {
                return Err(Diagnostic::new(why, span, None));
            }
            tokens.push(Token {
                kind: TokenKind::Punct(p),
                span,
            });
            i += p.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            let span = Span::new(start, start + ch.len_utf8());
            let hint = match ch {
                '!' => Some("write `~x` for logical not, `!=` for not equal".to_string()),
                _ => None,
            };
            return Err(Diagnostic::new(
                format!("unexpected character `{ch}`"),
                span,
                hint,
            ));
        }
    }
    tokens.push(Token {
        kind: TokenKind::End,
        span: Span::new(src.len(), src.len()),
    });
    Ok(tokens)
}

/// Lexes the number starting at `start`: digits, an optional fraction and an optional
/// exponent. Returns the token and the end of the number.
fn number(src: &str, start: usize) -> Result<(TokenKind, usize), Diagnostic> {
    let bytes = src.as_bytes();
    let digits = |mut i: usize| {
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    let mut is_float = false;
    // A fraction: `1.5`, `1.`, `.5`, `1.e3`; but not the `..` of `...` nor an attribute
    // (`2.T`).
    let exponent_follows = |j: usize| {
        matches!(bytes.get(j), Some(b'e' | b'E'))
            && match bytes.get(j + 1) {
                Some(b'+' | b'-') => bytes.get(j + 2).is_some_and(u8::is_ascii_digit),
                Some(b) => b.is_ascii_digit(),
                None => false,
            }
    };
    if bytes.get(i) == Some(&b'.')
        && (exponent_follows(i + 1)
            || !bytes
                .get(i + 1)
                .is_some_and(|b| *b == b'.' || b.is_ascii_alphabetic() || *b == b'_'))
    {
        is_float = true;
        i = digits(i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            is_float = true;
            i = digits(j);
        } else {
            return Err(Diagnostic::new(
                "malformed number: the exponent has no digits",
                Span::new(start, j),
                Some("write e.g. `1e-3`".to_string()),
            ));
        }
    }
    if bytes
        .get(i)
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        return Err(Diagnostic::new(
            format!("malformed number `{}`", &src[start..j]),
            Span::new(start, j),
            None,
        ));
    }
    let text: String = src[start..i].chars().filter(|&c| c != '_').collect();
    let span = Span::new(start, i);
    let kind = if is_float {
        TokenKind::Float(text.parse().map_err(|_| {
            Diagnostic::new(format!("malformed number `{}`", &src[start..i]), span, None)
        })?)
    } else {
        TokenKind::Int(text.parse().map_err(|_| {
            Diagnostic::new(
                format!("integer `{}` does not fit in 64 bits", &src[start..i]),
                span,
                Some("write it as a float, e.g. `1e20`".to_string()),
            )
        })?)
    };
    Ok((kind, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn numbers() {
        assert_eq!(
            kinds("1 2.5 1e-3 .5 3. 1_000 2E+2 1.e2"),
            vec![
                TokenKind::Int(1),
                TokenKind::Float(2.5),
                TokenKind::Float(1e-3),
                TokenKind::Float(0.5),
                TokenKind::Float(3.0),
                TokenKind::Int(1000),
                TokenKind::Float(200.0),
                TokenKind::Float(100.0),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            kinds("x**-2<=y.T[...,::2]"),
            vec![
                TokenKind::Name("x".into()),
                TokenKind::Punct("**"),
                TokenKind::Punct("-"),
                TokenKind::Int(2),
                TokenKind::Punct("<="),
                TokenKind::Name("y".into()),
                TokenKind::Punct("."),
                TokenKind::Name("T".into()),
                TokenKind::Punct("["),
                TokenKind::Punct("..."),
                TokenKind::Punct(","),
                TokenKind::Punct(":"),
                TokenKind::Punct(":"),
                TokenKind::Int(2),
                TokenKind::Punct("]"),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn floor_division_remainder_and_matmul_are_operators() {
        assert_eq!(
            kinds("a // b % c @ d"),
            vec![
                TokenKind::Name("a".into()),
                TokenKind::Punct("//"),
                TokenKind::Name("b".into()),
                TokenKind::Punct("%"),
                TokenKind::Name("c".into()),
                TokenKind::Punct("@"),
                TokenKind::Name("d".into()),
                TokenKind::End,
            ]
        );
    }

    #[test]
    fn strings_and_spans() {
        let t = lex("astype(x, 'float32')").unwrap();
        assert_eq!(t[4].kind, TokenKind::Str("float32".into()));
        assert_eq!(t[4].span, Span::new(10, 19));
        assert_eq!(t[0].span, Span::new(0, 6));
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let e = lex("x $ 2").unwrap_err();
        assert_eq!(e.span, Span::new(2, 3));
        assert!(e.message.contains("unexpected character `$`"));
        let e = lex("x ^ 2").unwrap_err();
        assert_eq!(e.span, Span::new(2, 3));
        assert!(e.message.contains("logical_xor"));
        let e = lex("1e+").unwrap_err();
        assert!(e.message.contains("exponent"));
        let e = lex("12abc").unwrap_err();
        assert_eq!(e.span, Span::new(0, 5));
        let e = lex("99999999999999999999").unwrap_err();
        assert!(e.message.contains("64 bits"));
        let e = lex("'abc").unwrap_err();
        assert!(e.message.contains("unterminated"));
        let e = lex("!x").unwrap_err();
        assert!(e.help.unwrap().contains('~'));
    }
}
