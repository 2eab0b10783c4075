//! [`parse`] builds the syntax tree, an [`Expr`], from the tokens of an expression, with
//! Python's operator precedence (see the grammar in the [module above](super)).
//!
//! The tree knows nothing of functions: a call is a name with arguments, resolved later
//! against the registry (`registry.rs`).

use std::fmt;

use super::diagnostic::{Diagnostic, Span};
use super::lexer::{lex, Token, TokenKind};

/// A node of the syntax tree and the span of text it was parsed from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) span: Span,
}

/// What an [`Expr`] is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    Int(i64),
    Float(f64),
    Str(String),
    /// An input, a constant (`True`, `nan`...) or `None`.
    Name(String),
    /// `(a, b)`, as an argument (`axis=(0, 1)`, `pad(x, ((1, 2), (3, 0)))`).
    Tuple(Vec<Expr>),
    /// `[a, b]`, as an argument (`concatenate([x, y])`).
    List(Vec<Expr>),
    Unary {
        op: UnaryOperator,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOperator,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `name(args, key=value)`.
    Call {
        name: Ident,
        args: Vec<Expr>,
        kwargs: Vec<Kwarg>,
    },
    /// `receiver.name(args, key=value)`.
    Method {
        receiver: Box<Expr>,
        name: Ident,
        args: Vec<Expr>,
        kwargs: Vec<Kwarg>,
    },
    /// `value.name`, such as `x.T`.
    Attribute {
        value: Box<Expr>,
        name: Ident,
    },
    /// `value[items]`.
    Index {
        value: Box<Expr>,
        items: Vec<IndexItem>,
    },
}

/// A name and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ident {
    pub(crate) name: String,
    pub(crate) span: Span,
}

/// A keyword argument, `name=value`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Kwarg {
    pub(crate) name: Ident,
    pub(crate) value: Expr,
}

/// One entry of an index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum IndexItem {
    /// An integer index (any expression; it must evaluate to an integer).
    Index(Expr),
    /// `start:stop:step`, each optional.
    Slice {
        start: Option<Box<Expr>>,
        stop: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
        span: Span,
    },
    /// `...`: as many whole axes as needed.
    Ellipsis(Span),
    /// `None`: a new axis of length 1.
    NewAxis(Span),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOperator {
    Neg,
    Pos,
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOperator {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    MatMul,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinaryOperator {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinaryOperator::Add => "+",
            BinaryOperator::Sub => "-",
            BinaryOperator::Mul => "*",
            BinaryOperator::Div => "/",
            BinaryOperator::FloorDiv => "//",
            BinaryOperator::Mod => "%",
            BinaryOperator::MatMul => "@",
            BinaryOperator::Pow => "**",
            BinaryOperator::Eq => "==",
            BinaryOperator::Ne => "!=",
            BinaryOperator::Lt => "<",
            BinaryOperator::Le => "<=",
            BinaryOperator::Gt => ">",
            BinaryOperator::Ge => ">=",
            BinaryOperator::And => "&",
            BinaryOperator::Or => "|",
        }
    }

    fn comparison(p: &str) -> Option<BinaryOperator> {
        Some(match p {
            "==" => BinaryOperator::Eq,
            "!=" => BinaryOperator::Ne,
            "<" => BinaryOperator::Lt,
            "<=" => BinaryOperator::Le,
            ">" => BinaryOperator::Gt,
            ">=" => BinaryOperator::Ge,
            _ => return None,
        })
    }
}

impl UnaryOperator {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            UnaryOperator::Neg => "-",
            UnaryOperator::Pos => "+",
            UnaryOperator::Not => "~",
        }
    }
}

/// Parses a whole expression.
pub(crate) fn parse(src: &str) -> Result<Expr, Diagnostic> {
    let tokens = lex(src)?;
    // Bounds on size and nesting keep the recursive parser and evaluator well inside the
    // stack; real expressions are far smaller.
    if tokens.len() > MAX_TOKENS {
        return Err(Diagnostic::new(
            format!(
                "the expression is too long ({} tokens; at most {MAX_TOKENS})",
                tokens.len() - 1
            ),
            tokens[MAX_TOKENS].span,
            None,
        ));
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        src,
        depth: 0,
    };
    let e = p.expr()?;
    let t = p.peek().clone();
    if t.kind != TokenKind::End {
        let help = match &t.kind {
            TokenKind::Name(n) => {
                keyword_hint(n).or_else(|| Some("is an operator missing?".into()))
            }
            TokenKind::Punct(")") => Some("there is no `(` for it to close".into()),
            TokenKind::Punct("=") => Some("write `==` to compare".into()),
            _ => None,
        };
        return Err(Diagnostic::new(
            format!(
                "unexpected {} after a complete expression",
                describe(&t.kind)
            ),
            t.span,
            help,
        ));
    }
    Ok(e)
}

/// Help for Python's word operators, which this language spells as NumPy does.
fn keyword_hint(name: &str) -> Option<String> {
    match name {
        "and" => Some("write `&` for logical and, with parentheses: `(a > 0) & (b > 0)`".into()),
        "or" => Some("write `|` for logical or, with parentheses: `(a > 0) | (b > 0)`".into()),
        "not" => Some("write `~` for logical not: `~(a > 0)`".into()),
        _ => None,
    }
}

fn describe(kind: &TokenKind) -> String {
    match kind {
        TokenKind::Int(v) => format!("number `{v}`"),
        TokenKind::Float(v) => format!("number `{v}`"),
        TokenKind::Name(n) => format!("name `{n}`"),
        TokenKind::Str(s) => format!("string {s:?}"),
        TokenKind::Punct(p) => format!("`{p}`"),
        TokenKind::End => "end of expression".into(),
    }
}

/// Most tokens an expression may have.
const MAX_TOKENS: usize = 2_000;

/// Deepest nesting of parentheses, calls, indices and prefix operators.
const MAX_DEPTH: usize = 64;

struct Parser<'s> {
    tokens: Vec<Token>,
    pos: usize,
    src: &'s str,
    /// Current nesting, checked against [`MAX_DEPTH`].
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, k: usize) -> &Token {
        &self.tokens[(self.pos + k).min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != TokenKind::End {
            self.pos += 1;
        }
        t
    }

    fn at(&self, punct: &str) -> bool {
        matches!(self.peek().kind, TokenKind::Punct(p) if p == punct)
    }

    fn eat(&mut self, punct: &str) -> Option<Span> {
        self.at(punct).then(|| self.bump().span)
    }

    /// Expects `punct`, closing what was opened at `open` (for the message).
    fn expect_close(&mut self, punct: &str, open: Span) -> Result<Span, Diagnostic> {
        if let Some(s) = self.eat(punct) {
            return Ok(s);
        }
        let t = self.peek();
        Err(Diagnostic::new(
            format!("expected `{punct}`, found {}", describe(&t.kind)),
            t.span,
            Some(format!(
                "to close the `{}` at column {}",
                &self.src[open.start..open.end],
                Diagnostic::new("", open, None).column(self.src)
            )),
        ))
    }

    /// Runs `f` one nesting level deeper, refusing to go past [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        if self.depth >= MAX_DEPTH {
            return Err(Diagnostic::new(
                format!("the expression is nested too deeply (more than {MAX_DEPTH} levels)"),
                self.peek().span,
                None,
            ));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn expr(&mut self) -> Result<Expr, Diagnostic> {
        self.nested(Self::comparison)
    }

    fn comparison(&mut self) -> Result<Expr, Diagnostic> {
        let lhs = self.or()?;
        let Some(op) = self.comparison_op() else {
            return Ok(lhs);
        };
        self.bump();
        let rhs = self.or()?;
        if let Some(_next) = self.comparison_op() {
            let t = self.peek();
            return Err(Diagnostic::new(
                "chained comparisons are not supported",
                t.span,
                Some("write `(a < b) & (b < c)`".into()),
            ));
        }
        Ok(binary(op, lhs, rhs))
    }

    fn comparison_op(&self) -> Option<BinaryOperator> {
        match self.peek().kind {
            TokenKind::Punct(p) => BinaryOperator::comparison(p),
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.and()?;
        while self.eat("|").is_some() {
            let rhs = self.and()?;
            lhs = binary(BinaryOperator::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.sum()?;
        while self.eat("&").is_some() {
            let rhs = self.sum()?;
            lhs = binary(BinaryOperator::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn sum(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.product()?;
        loop {
            let op = if self.eat("+").is_some() {
                BinaryOperator::Add
            } else if self.eat("-").is_some() {
                BinaryOperator::Sub
            } else {
                return Ok(lhs);
            };
            let rhs = self.product()?;
            lhs = binary(op, lhs, rhs);
        }
    }

    fn product(&mut self) -> Result<Expr, Diagnostic> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek().kind {
                TokenKind::Punct("*") => BinaryOperator::Mul,
                TokenKind::Punct("/") => BinaryOperator::Div,
                TokenKind::Punct("//") => BinaryOperator::FloorDiv,
                TokenKind::Punct("%") => BinaryOperator::Mod,
                TokenKind::Punct("@") => BinaryOperator::MatMul,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            lhs = binary(op, lhs, rhs);
        }
    }

    fn unary(&mut self) -> Result<Expr, Diagnostic> {
        let op = if self.at("-") {
            UnaryOperator::Neg
        } else if self.at("+") {
            UnaryOperator::Pos
        } else if self.at("~") {
            UnaryOperator::Not
        } else {
            return self.power();
        };
        let start = self.bump().span;
        let operand = self.nested(Self::unary)?;
        Ok(Expr {
            span: start.to(operand.span),
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
        })
    }

    fn power(&mut self) -> Result<Expr, Diagnostic> {
        let base = self.postfix()?;
        if self.eat("**").is_none() {
            return Ok(base);
        }
        // The exponent is a unary expression: `2 ** -1`, and `a ** b ** c` is `a ** (b ** c)`.
        let exponent = self.unary()?;
        Ok(binary(BinaryOperator::Pow, base, exponent))
    }

    fn postfix(&mut self) -> Result<Expr, Diagnostic> {
        let mut e = self.atom()?;
        loop {
            if self.at("(") {
                // Only a bare name is callable: not `(f)(x)` nor `x[0](y)`.
                let bare = match &e.kind {
                    ExprKind::Name(n) if e.span.end - e.span.start == n.len() => Some(n),
                    _ => None,
                };
                let Some(name) = bare else {
                    return Err(Diagnostic::new(
                        "only named functions can be called",
                        e.span,
                        Some("write e.g. `sqrt(x)`".into()),
                    ));
                };
                let name = Ident {
                    name: name.clone(),
                    span: e.span,
                };
                let (args, kwargs, end) = self.arguments()?;
                e = Expr {
                    span: e.span.to(end),
                    kind: ExprKind::Call { name, args, kwargs },
                };
            } else if self.eat(".").is_some() {
                let t = self.bump();
                let TokenKind::Name(n) = t.kind else {
                    return Err(Diagnostic::new(
                        format!(
                            "expected an attribute name after `.`, found {}",
                            describe(&t.kind)
                        ),
                        t.span,
                        Some("such as `x.T` or `x.mean(axis=0)`".into()),
                    ));
                };
                let name = Ident {
                    name: n,
                    span: t.span,
                };
                if self.at("(") {
                    let (args, kwargs, end) = self.arguments()?;
                    e = Expr {
                        span: e.span.to(end),
                        kind: ExprKind::Method {
                            receiver: Box::new(e),
                            name,
                            args,
                            kwargs,
                        },
                    };
                } else {
                    e = Expr {
                        span: e.span.to(name.span),
                        kind: ExprKind::Attribute {
                            value: Box::new(e),
                            name,
                        },
                    };
                }
            } else if self.at("[") {
                let open = self.bump().span;
                let mut items = Vec::new();
                loop {
                    if self.at("]") && !items.is_empty() {
                        break;
                    }
                    items.push(self.index_item()?);
                    if self.eat(",").is_none() {
                        break;
                    }
                }
                let end = self.expect_close("]", open)?;
                e = Expr {
                    span: e.span.to(end),
                    kind: ExprKind::Index {
                        value: Box::new(e),
                        items,
                    },
                };
            } else {
                return Ok(e);
            }
        }
    }

    /// `( args )`, the current token being `(`.
    fn arguments(&mut self) -> Result<(Vec<Expr>, Vec<Kwarg>, Span), Diagnostic> {
        let open = self.bump().span;
        let mut args = Vec::new();
        let mut kwargs: Vec<Kwarg> = Vec::new();
        while !self.at(")") {
            let keyword = match (&self.peek().kind, &self.peek_at(1).kind) {
                (TokenKind::Name(n), TokenKind::Punct("=")) => Some(n.clone()),
                _ => None,
            };
            if let Some(n) = keyword {
                let t = self.bump();
                self.bump();
                if kwargs.iter().any(|k| k.name.name == n) {
                    return Err(Diagnostic::new(
                        format!("keyword argument `{n}` is given twice"),
                        t.span,
                        None,
                    ));
                }
                let value = self.expr()?;
                kwargs.push(Kwarg {
                    name: Ident {
                        name: n,
                        span: t.span,
                    },
                    value,
                });
            } else {
                let value = self.expr()?;
                if let Some(k) = kwargs.last() {
                    return Err(Diagnostic::new(
                        "positional argument after a keyword argument",
                        value.span,
                        Some(format!("move it before `{}=`", k.name.name)),
                    ));
                }
                args.push(value);
            }
            if self.eat(",").is_none() {
                break;
            }
        }
        let end = self.expect_close(")", open)?;
        Ok((args, kwargs, end))
    }

    fn index_item(&mut self) -> Result<IndexItem, Diagnostic> {
        if let Some(span) = self.eat("...") {
            return Ok(IndexItem::Ellipsis(span));
        }
        let first_span = self.peek().span;
        let start = if self.at(":") {
            None
        } else {
            Some(self.expr()?)
        };
        if !self.at(":") {
            let e = start.expect("an item without `:` has an expression");
            if matches!(&e.kind, ExprKind::Name(n) if n == "None") {
                return Ok(IndexItem::NewAxis(e.span));
            }
            return Ok(IndexItem::Index(e));
        }
        let mut end = self.bump().span;
        let bound = |p: &mut Parser| -> Result<Option<Box<Expr>>, Diagnostic> {
            if p.at(":") || p.at(",") || p.at("]") {
                Ok(None)
            } else {
                p.expr().map(|e| Some(Box::new(e)))
            }
        };
        let stop = bound(self)?;
        if let Some(s) = &stop {
            end = s.span;
        }
        let mut step = None;
        if let Some(colon) = self.eat(":") {
            end = colon;
            step = bound(self)?;
            if let Some(s) = &step {
                end = s.span;
            }
        }
        Ok(IndexItem::Slice {
            start: start.map(Box::new),
            stop,
            step,
            span: first_span.to(end),
        })
    }

    fn atom(&mut self) -> Result<Expr, Diagnostic> {
        let t = self.bump();
        let kind = match t.kind {
            TokenKind::Int(v) => ExprKind::Int(v),
            TokenKind::Float(v) => ExprKind::Float(v),
            TokenKind::Str(s) => ExprKind::Str(s),
            TokenKind::Name(n) => {
                if let Some(help) = keyword_hint(&n) {
                    return Err(Diagnostic::new(
                        format!("`{n}` is not supported"),
                        t.span,
                        Some(help),
                    ));
                }
                ExprKind::Name(n)
            }
            TokenKind::Punct("(") => {
                if let Some(end) = self.eat(")") {
                    return Ok(Expr {
                        kind: ExprKind::Tuple(Vec::new()),
                        span: t.span.to(end),
                    });
                }
                let first = self.expr()?;
                if !self.at(",") {
                    let end = self.expect_close(")", t.span)?;
                    return Ok(Expr {
                        kind: first.kind,
                        span: t.span.to(end),
                    });
                }
                let mut items = vec![first];
                while self.eat(",").is_some() && !self.at(")") {
                    items.push(self.expr()?);
                }
                let end = self.expect_close(")", t.span)?;
                return Ok(Expr {
                    kind: ExprKind::Tuple(items),
                    span: t.span.to(end),
                });
            }
            TokenKind::Punct("[") => {
                let mut items = Vec::new();
                while !self.at("]") {
                    items.push(self.expr()?);
                    if self.eat(",").is_none() {
                        break;
                    }
                }
                let end = self.expect_close("]", t.span)?;
                return Ok(Expr {
                    kind: ExprKind::List(items),
                    span: t.span.to(end),
                });
            }
            TokenKind::End => {
                return Err(Diagnostic::new(
                    "unexpected end of expression",
                    t.span,
                    Some("an operand is missing".into()),
                ))
            }
            other @ TokenKind::Punct(_) => {
                return Err(Diagnostic::new(
                    format!("expected an expression, found {}", describe(&other)),
                    t.span,
                    None,
                ))
            }
        };
        Ok(Expr { kind, span: t.span })
    }
}

fn binary(op: BinaryOperator, lhs: Expr, rhs: Expr) -> Expr {
    Expr {
        span: lhs.span.to(rhs.span),
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
    }
}

/// A fully parenthesized rendering, for tests and debugging: `(- (** x 2))`.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, args: &[Expr], kwargs: &[Kwarg]| {
            for a in args {
                write!(f, " {a}")?;
            }
            for k in kwargs {
                write!(f, " {}={}", k.name.name, k.value)?;
            }
            Ok(())
        };
        match &self.kind {
            ExprKind::Int(v) => write!(f, "{v}"),
            ExprKind::Float(v) => write!(f, "{v:?}"),
            ExprKind::Str(s) => write!(f, "{s:?}"),
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::Tuple(items) => {
                f.write_str("(tuple")?;
                list(f, items, &[])?;
                f.write_str(")")
            }
            ExprKind::List(items) => {
                f.write_str("(list")?;
                list(f, items, &[])?;
                f.write_str(")")
            }
            ExprKind::Unary { op, operand } => write!(f, "({} {operand})", op.symbol()),
            ExprKind::Binary { op, lhs, rhs } => write!(f, "({} {lhs} {rhs})", op.symbol()),
            ExprKind::Call { name, args, kwargs } => {
                write!(f, "({}", name.name)?;
                list(f, args, kwargs)?;
                f.write_str(")")
            }
            ExprKind::Method {
                receiver,
                name,
                args,
                kwargs,
            } => {
                write!(f, "(.{} {receiver}", name.name)?;
                list(f, args, kwargs)?;
                f.write_str(")")
            }
            ExprKind::Attribute { value, name } => write!(f, "(.{} {value})", name.name),
            ExprKind::Index { value, items } => {
                write!(f, "([] {value}")?;
                for item in items {
                    match item {
                        IndexItem::Index(e) => write!(f, " {e}")?,
                        IndexItem::Ellipsis(_) => f.write_str(" ...")?,
                        IndexItem::NewAxis(_) => f.write_str(" None")?,
                        IndexItem::Slice {
                            start, stop, step, ..
                        } => {
                            let part = |e: &Option<Box<Expr>>| {
                                e.as_ref().map(ToString::to_string).unwrap_or_default()
                            };
                            write!(f, " {}:{}:{}", part(start), part(stop), part(step))?;
                        }
                    }
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(src: &str) -> String {
        match parse(src) {
            Ok(e) => e.to_string(),
            Err(d) => panic!("{}", d.render(src)),
        }
    }

    fn error(src: &str) -> Diagnostic {
        parse(src).expect_err(src)
    }

    #[test]
    fn precedence_follows_python() {
        assert_eq!(tree("1 + 2 * 3"), "(+ 1 (* 2 3))");
        assert_eq!(tree("1 - 2 - 3"), "(- (- 1 2) 3)");
        assert_eq!(tree("a / b * c"), "(* (/ a b) c)");
        assert_eq!(tree("-x**2"), "(- (** x 2))");
        assert_eq!(tree("a**b**c"), "(** a (** b c))");
        assert_eq!(tree("2**-1"), "(** 2 (- 1))");
        assert_eq!(tree("-a * b"), "(* (- a) b)");
        assert_eq!(tree("a + b < c * d"), "(< (+ a b) (* c d))");
        assert_eq!(tree("a < b | c"), "(< a (| b c))");
        assert_eq!(tree("a | b & c"), "(| a (& b c))");
        assert_eq!(tree("(a > 0) & (b <= 1)"), "(& (> a 0) (<= b 1))");
        assert_eq!(tree("~a | b"), "(| (~ a) b)");
        assert_eq!(tree("a == b"), "(== a b)");
        assert_eq!(tree("a != +b"), "(!= a (+ b))");
        assert_eq!(tree("(1 + 2) * 3"), "(* (+ 1 2) 3)");
        assert_eq!(tree("x.T**2"), "(** (.T x) 2)");
        assert_eq!(tree("-x[0]"), "(- ([] x 0))");
        // `*`, `/`, `//`, `%` and `@` share one level, left to right; unary minus binds
        // tighter, `**` tighter still.
        assert_eq!(tree("a // b % c"), "(% (// a b) c)");
        assert_eq!(tree("a + b // c"), "(+ a (// b c))");
        assert_eq!(tree("a @ b * c"), "(* (@ a b) c)");
        assert_eq!(tree("a * b @ c"), "(@ (* a b) c)");
        assert_eq!(tree("-a % b"), "(% (- a) b)");
        assert_eq!(tree("a % b ** 2"), "(% a (** b 2))");
        assert_eq!(tree("-x"), "(- x)");
    }

    #[test]
    fn lists_and_nested_tuples() {
        assert_eq!(tree("[x, y]"), "(list x y)");
        assert_eq!(tree("[]"), "(list)");
        assert_eq!(tree("[1,]"), "(list 1)");
        assert_eq!(tree("[[x, x], [x, x]]"), "(list (list x x) (list x x))");
        assert_eq!(
            tree("pad(x, ((1, 2), (3, 0)))"),
            "(pad x (tuple (tuple 1 2) (tuple 3 0)))"
        );
        assert_eq!(
            tree("concatenate([x, y], axis=0)"),
            "(concatenate (list x y) axis=0)"
        );
        assert_eq!(tree("take(x, [3, 1])[0]"), "([] (take x (list 3 1)) 0)");
        assert_eq!(tree("([1], (2,))"), "(tuple (list 1) (tuple 2))");
        let d = error("[1, 2");
        assert_eq!(d.help.as_deref(), Some("to close the `[` at column 1"));
        let d = error("[1 2]");
        assert!(d.message.contains("expected `]`"), "{}", d.message);
    }

    #[test]
    fn calls_methods_attributes() {
        assert_eq!(tree("sqrt(x)"), "(sqrt x)");
        assert_eq!(tree("mean(x, axis=0)"), "(mean x axis=0)");
        assert_eq!(
            tree("std(x, axis=(0, 1), ddof=1)"),
            "(std x axis=(tuple 0 1) ddof=1)"
        );
        assert_eq!(
            tree("max(x, axis=-1, keepdims=True,)"),
            "(max x axis=(- 1) keepdims=True)"
        );
        assert_eq!(tree("x.mean(axis=0).T"), "(.T (.mean x axis=0))");
        assert_eq!(tree("astype(x, \"float32\")"), "(astype x \"float32\")");
        assert_eq!(tree("where(c, a, 0.5)"), "(where c a 0.5)");
        assert_eq!(tree("sum(x, axis=())"), "(sum x axis=(tuple))");
        assert_eq!(tree("f()"), "(f)");
        assert_eq!(tree("(1,)"), "(tuple 1)");
    }

    #[test]
    fn indexing() {
        assert_eq!(tree("x[::2, 10:-3]"), "([] x ::2 10:(- 3):)");
        assert_eq!(tree("x[0]"), "([] x 0)");
        assert_eq!(tree("x[..., 1]"), "([] x ... 1)");
        assert_eq!(tree("x[None, :]"), "([] x None ::)");
        assert_eq!(tree("x[1:][0]"), "([] ([] x 1::) 0)");
        assert_eq!(tree("x[a:b:c]"), "([] x a:b:c)");
        assert_eq!(tree("x[:, ]"), "([] x ::)");
    }

    #[test]
    fn spans_cover_the_text() {
        let e = parse("  sqrt(x) + y[1:2]").unwrap();
        assert_eq!(e.span, Span::new(2, 18));
        let ExprKind::Binary { lhs, rhs, .. } = e.kind else {
            panic!("not binary")
        };
        assert_eq!(lhs.span, Span::new(2, 9));
        assert_eq!(rhs.span, Span::new(12, 18));
    }

    #[test]
    fn size_and_nesting_are_bounded() {
        let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
        assert!(error(&deep).message.contains("nested too deeply"));
        assert!(error(&"-".repeat(100))
            .message
            .contains("nested too deeply"));
        let ok = format!("{}x{}", "(".repeat(30), ")".repeat(30));
        assert_eq!(tree(&ok), "x");
        let long = vec!["x"; 1_500].join(" + ");
        assert!(error(&long).message.contains("too long"));
        let fine = vec!["x"; 900].join(" + ");
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn syntax_errors_have_columns() {
        let d = error("x + ");
        assert_eq!(
            (d.span.start, d.message.as_str()),
            (4, "unexpected end of expression")
        );
        let d = error("(x + 1");
        assert!(d.message.contains("expected `)`"), "{}", d.message);
        assert_eq!(d.span.start, 6);
        assert_eq!(d.help.as_deref(), Some("to close the `(` at column 1"));
        let d = error("sqrt(x[1, 2)");
        assert_eq!(d.help.as_deref(), Some("to close the `[` at column 7"));
        let d = error("x y");
        assert_eq!(d.span, Span::new(2, 3));
        assert!(d.render("x y").contains("at column 3"));
        let d = error("a < b < c");
        assert!(d.message.contains("chained"));
        let d = error("x and y");
        assert!(d.help.unwrap().contains('&'));
        let d = error("not x");
        assert!(d.help.unwrap().contains('~'));
        let d = error("f(axis=1, x)");
        assert!(d.message.contains("positional"));
        let d = error("f(a=1, a=2)");
        assert!(d.message.contains("twice"));
        let d = error("x[]");
        assert_eq!(d.span.start, 2);
        let d = error("x.(y)");
        assert!(d.message.contains("attribute"));
        let d = error("(x)(y)");
        assert!(d.message.contains("named functions"));
        let d = error("x = 1");
        assert!(d.help.unwrap().contains("=="));
        let d = error("*x");
        assert!(d.message.contains("expected an expression"));
        let d = error("x)");
        assert!(d.help.unwrap().contains("no `(`"));
    }
}
