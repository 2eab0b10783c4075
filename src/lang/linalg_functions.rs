//! The language's linear algebra and scans: `matmul` (the `@` operator), `dot`,
//! `tensordot`, `einsum`, `outer`, and `cumsum`, `cumprod`, `nancumsum`, `nancumprod`,
//! each one registry entry with NumPy's signature (see `functions.rs`).

use crate::{BinaryFn, DynArray, DynOperand, ScanFn, TensordotAxes};

use super::diagnostic::Diagnostic;
use super::function::{Function, Group};
use super::value::{Spanned, Value};

/// The registry entries of this area.
pub(super) fn linalg() -> Vec<Function> {
    let mut functions = vec![
        Function::new(
            "matmul(x1, x2)",
            Group::LinearAlgebra,
            "Matrix product (also `x1 @ x2`): stacks of matrices broadcast, 1-d operands are vectors; `x @ x.T` computes half the blocks.",
            |args| args.done(args.array("x1")?.matmul(&args.array("x2")?)),
        ),
        Function::new(
            "dot(a, b)",
            Group::LinearAlgebra,
            "Dot product: `matmul` for 1-d and 2-d operands, a product with a scalar, else the last axis of `a` with the second-to-last of `b`.",
            |args| {
                let (a, b) = (args.operand("a")?, args.operand("b")?);
                match (a, b) {
                    (DynOperand::Array(a), DynOperand::Array(b)) => args.done(a.dot(&b)),
                    (a, b) => args.done(BinaryFn::Mul.apply(a, b)),
                }
            },
        )
        .method(),
        Function::new(
            "tensordot(a, b, axes=2)",
            Group::LinearAlgebra,
            "Sum of products over axis pairs: the last `axes` of `a` with the first of `b`, or two lists, as in `axes=([1, 2], [0, 1])`.",
            |args| {
                let (a, b) = (args.array("a")?, args.array("b")?);
                let axes = tensordot_axes(args.get("axes"))?;
                args.done(a.tensordot(&b, axes))
            },
        ),
        Function::new(
            "einsum(subscripts, *operands)",
            Group::LinearAlgebra,
            "Einstein summation, as `einsum(\"ij,jk->ik\", x, y)`: contractions, batch labels, transposes, sums, outer products and `...`; no repeated label in one operand.",
            |args| {
                let subscripts = args.get("subscripts");
                let Value::Str(text) = &subscripts.value else {
                    return Err(subscripts.error(
                        format!(
                            "`subscripts` must be a string such as \"ij,jk->ik\", found {}",
                            subscripts.value.describe()
                        ),
                        None,
                    ));
                };
                let operands = args
                    .get("operands")
                    .items()
                    .into_iter()
                    .map(Spanned::array)
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&DynArray> = operands.iter().collect();
                args.done(DynArray::einsum(text, &refs))
            },
        ),
        Function::new(
            "outer(a, b)",
            Group::LinearAlgebra,
            "Outer product of the flattened operands: `out[i, j] = a.ravel()[i] * b.ravel()[j]`.",
            |args| args.done(args.array("a")?.outer(&args.array("b")?)),
        ),
    ];
    functions.extend(ScanFn::ALL.iter().map(|&kind| scan(kind)));
    functions
}

/// A scan entry: `cumsum(a, axis=None)`, also a method.
fn scan(kind: ScanFn) -> Function {
    let signature: &'static str = match kind {
        ScanFn::CumProd => "cumprod(a, axis=None)",
        ScanFn::NanCumSum => "nancumsum(a, axis=None)",
        ScanFn::NanCumProd => "nancumprod(a, axis=None)",
        _ => "cumsum(a, axis=None)",
    };
    Function::new(signature, Group::Scan, kind.doc(), move |args| {
        let a = args.array("a")?;
        let axis = if args.is_none("axis") {
            crate::Axes::all()
        } else {
            let item = args.get("axis");
            let axis = super::bind::axis(item, a.ndim())?;
            crate::Axes::new([axis])
        };
        args.done(a.scan(kind, axis))
    })
    .method()
}

/// `tensordot`'s `axes`: a count, or two lists (or single axes) of paired axes.
fn tensordot_axes(v: &Spanned) -> Result<TensordotAxes, Diagnostic> {
    let expected = "`axes` must be a count, or a pair of axis lists such as ([1, 2], [0, 1])";
    match &v.value {
        Value::Int(_) => Ok(TensordotAxes::Last(v.count("`axes`")?)),
        Value::Tuple(items) | Value::List(items) if items.len() == 2 => {
            let list = |s: &Spanned| -> Result<Vec<isize>, Diagnostic> {
                s.items()
                    .into_iter()
                    .map(|i| i.int("an axis").map(|a| a as isize))
                    .collect()
            };
            Ok(TensordotAxes::Pairs(list(&items[0])?, list(&items[1])?))
        }
        other => Err(v.error(format!("{expected}; found {}", other.describe()), None)),
    }
}
