//! Arithmetic on number literals with Python's rules, so that `2 * 3` is the integer 6
//! and `1 / 2` the float 0.5 before either meets an array.
//!
//! Division by zero follows NumPy's scalars rather than raising (`1 / 0` is `inf`, an
//! integer `7 // 0` and `7 % 0` are 0), so a literal gives the value the same operation on
//! an array would; integer overflow is an error, as the result must be exact.

use crate::NumElement;

use super::parser::BinaryOperator;
use super::value::Value;

/// A literal operand.
#[derive(Clone, Copy)]
pub(crate) enum Lit {
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Lit {
    pub(crate) fn of(v: &Value) -> Option<Lit> {
        match *v {
            Value::Int(i) => Some(Lit::Int(i)),
            Value::Float(f) => Some(Lit::Float(f)),
            Value::Bool(b) => Some(Lit::Bool(b)),
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
/// `@` is not folded: it is not defined on numbers.
pub(crate) fn fold(op: BinaryOperator, a: Lit, b: Lit) -> Result<Value, String> {
    use BinaryOperator as B;
    let overflow = || format!("integer overflow in `{}`", op.symbol());
    match op {
        B::Eq | B::Ne | B::Lt | B::Le | B::Gt | B::Ge => Ok(Value::Bool(compare(op, a, b))),
        B::And | B::Or => match (a, b) {
            (Lit::Bool(x), Lit::Bool(y)) => {
                Ok(Value::Bool(if op == B::And { x && y } else { x || y }))
            }
            _ => Err(format!(
                "`{}` needs bool operands (bitwise operations on integers are not supported)",
                op.symbol()
            )),
        },
        B::MatMul => Err("`@` needs arrays with at least one axis, not numbers".into()),
        B::Add | B::Sub | B::Mul | B::Div | B::FloorDiv | B::Mod | B::Pow => {
            if matches!(a, Lit::Bool(_)) || matches!(b, Lit::Bool(_)) {
                return Err(format!("`{}` is not defined for bool", op.symbol()));
            }
            if let (Lit::Int(x), Lit::Int(y)) = (a, b) {
                let r = match op {
                    B::Add => x.checked_add(y),
                    B::Sub => x.checked_sub(y),
                    B::Mul => x.checked_mul(y),
                    B::Div => return Ok(Value::Float(x as f64 / y as f64)),
                    // `i64::MIN // -1` is the one quotient that does not fit.
                    B::FloorDiv => (x != i64::MIN || y != -1).then(|| x.floor_div_elem(y)),
                    B::Mod => Some(x.rem_elem(y)),
                    _ => {
                        if y < 0 {
                            return Ok(Value::Float((x as f64).powf(y as f64)));
                        }
                        u32::try_from(y).ok().and_then(|e| x.checked_pow(e))
                    }
                };
                return r.map(Value::Int).ok_or_else(overflow);
            }
            let (x, y) = (a.as_f64(), b.as_f64());
            Ok(Value::Float(match op {
                B::Add => x + y,
                B::Sub => x - y,
                B::Mul => x * y,
                B::Div => x / y,
                B::FloorDiv => x.floor_div_elem(y),
                B::Mod => x.rem_elem(y),
                _ => x.powf(y),
            }))
        }
    }
}

/// A comparison of two literals: exact between integers, in `f64` otherwise.
fn compare(op: BinaryOperator, a: Lit, b: Lit) -> bool {
    use BinaryOperator as B;
    if let (Lit::Int(x), Lit::Int(y)) = (a, b) {
        let ord = x.cmp(&y);
        return match op {
            B::Eq => ord.is_eq(),
            B::Ne => ord.is_ne(),
            B::Lt => ord.is_lt(),
            B::Le => ord.is_le(),
            B::Gt => ord.is_gt(),
            _ => ord.is_ge(),
        };
    }
    let (x, y) = (a.as_f64(), b.as_f64());
    match op {
        B::Eq => x == y,
        B::Ne => x != y,
        B::Lt => x < y,
        B::Le => x <= y,
        B::Gt => x > y,
        _ => x >= y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(op: BinaryOperator, a: i64, b: i64) -> Result<i64, String> {
        match fold(op, Lit::Int(a), Lit::Int(b))? {
            Value::Int(v) => Ok(v),
            other => panic!("{op:?} gave {}", other.describe()),
        }
    }

    fn float(op: BinaryOperator, a: f64, b: f64) -> f64 {
        match fold(op, Lit::Float(a), Lit::Float(b)).unwrap() {
            Value::Float(v) => v,
            other => panic!("{op:?} gave {}", other.describe()),
        }
    }

    #[test]
    fn floor_division_and_remainder_follow_python() {
        use BinaryOperator::{FloorDiv, Mod};
        for (a, b, q, r) in [
            (7, 2, 3, 1),
            (-7, 2, -4, 1),
            (7, -2, -4, -1),
            (-7, -2, 3, -1),
            (6, 3, 2, 0),
        ] {
            assert_eq!(int(FloorDiv, a, b), Ok(q), "{a} // {b}");
            assert_eq!(int(Mod, a, b), Ok(r), "{a} % {b}");
        }
        assert_eq!(int(FloorDiv, 7, 0), Ok(0));
        assert_eq!(int(Mod, 7, 0), Ok(0));
        assert_eq!(int(Mod, i64::MIN, -1), Ok(0));
        assert!(int(FloorDiv, i64::MIN, -1)
            .unwrap_err()
            .contains("overflow"));
        assert_eq!(float(FloorDiv, 7.5, 2.0), 3.0);
        assert_eq!(float(FloorDiv, -7.5, 2.0), -4.0);
        assert_eq!(float(Mod, -7.5, 2.0), 0.5);
        assert_eq!(float(Mod, 7.5, -2.0), -0.5);
        assert_eq!(float(FloorDiv, 1.0, 0.0), f64::INFINITY);
    }

    #[test]
    fn integers_stay_exact() {
        use BinaryOperator::{Add, Mul, Pow};
        assert_eq!(int(Mul, 6, 7), Ok(42));
        assert_eq!(int(Pow, 2, 10), Ok(1024));
        assert!(int(Add, i64::MAX, 1)
            .unwrap_err()
            .contains("overflow in `+`"));
        assert!(matches!(
            fold(Pow, Lit::Int(2), Lit::Int(-1)),
            Ok(Value::Float(v)) if v == 0.5
        ));
        assert!(fold(BinaryOperator::MatMul, Lit::Int(2), Lit::Int(3)).is_err());
    }
}
