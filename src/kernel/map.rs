//! Elementwise kernels on whole blocks: one function applied to one, two or three blocks,
//! with NumPy broadcasting of the inputs to the output block's shape. It runs the
//! one-instruction [`Program`] of the operation, so elementwise semantics live once, in
//! the fused kernels.

use super::fused::Program;
use crate::any_array::AnyArray;
use crate::element::DType;
use crate::error::Result;
use crate::expr::MapOp;

/// Applies `op` to `inputs`, producing a block of `out_shape` and `out_dtype`.
pub(crate) fn apply(
    op: MapOp,
    out_dtype: DType,
    out_shape: &[usize],
    inputs: &[&AnyArray],
) -> Result<AnyArray> {
    let shapes: Vec<(DType, &[usize])> = inputs.iter().map(|a| (a.dtype(), a.shape())).collect();
    let program = Program::single(op, out_dtype, &shapes, out_shape)?;
    program.run_block(&vec![0; out_shape.len()], out_shape, inputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::BinaryOp;
    use crate::Error;
    use ndarray::array;

    #[test]
    fn binary_broadcasts_rows_and_scalars() {
        let a = AnyArray::from(array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
        let row = AnyArray::from(array![10.0, 20.0].into_dyn());
        let out = apply(
            MapOp::Binary(BinaryOp::Add),
            DType::F64,
            &[2, 2],
            &[&a, &row],
        )
        .unwrap();
        assert_eq!(
            out,
            AnyArray::from(array![[11.0, 22.0], [13.0, 24.0]].into_dyn())
        );
        let s = AnyArray::from(ndarray::arr0(2.0).into_dyn());
        let out = apply(MapOp::Binary(BinaryOp::Pow), DType::F64, &[2, 2], &[&a, &s]).unwrap();
        assert_eq!(
            out,
            AnyArray::from(array![[1.0, 4.0], [9.0, 16.0]].into_dyn())
        );
    }

    #[test]
    fn comparisons_give_bool_and_where_selects() {
        let a = AnyArray::from(array![1i32, 5, 3].into_dyn());
        let b = AnyArray::from(ndarray::arr0(3i32).into_dyn());
        let c = apply(MapOp::Binary(BinaryOp::Less), DType::Bool, &[3], &[&a, &b]).unwrap();
        assert_eq!(c, AnyArray::from(array![true, false, false].into_dyn()));
        let w = apply(MapOp::Where, DType::I32, &[3], &[&c, &a, &b]).unwrap();
        assert_eq!(w, AnyArray::from(array![1i32, 3, 3].into_dyn()));
    }

    #[test]
    fn wrong_arity_is_an_internal_error() {
        let a = AnyArray::from(array![1.0].into_dyn());
        let err = apply(MapOp::Where, DType::F64, &[1], &[&a]).unwrap_err();
        assert!(matches!(err, Error::Internal { .. }));
    }
}
