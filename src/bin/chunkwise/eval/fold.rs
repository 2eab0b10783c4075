//! Arithmetic on number literals with Python's rules, so that `2 * 3` is the integer 6
//! and `1 / 2` the float 0.5 before either meets an array.

use chunkwise::DynOperand;

use super::parser::BinaryOperator;

/// A literal operand.
#[derive(Clone, Copy)]
pub(crate) enum Lit {
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Lit {
    pub(crate) fn of(v: &DynOperand) -> Option<Lit> {
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
pub(crate) fn fold(op: BinaryOperator, a: Lit, b: Lit) -> Result<DynOperand, String> {
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
