//! [`MapOp`], the elementwise operation a node (or a fused kernel's step) applies: a
//! function of the tables, a constant integer power, `where`, or a cast.

use super::{BinaryFn, UnaryFn};

/// An elementwise function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum MapOp {
    Unary(UnaryFn),
    Binary(BinaryFn),
    /// `x` raised to a constant integer power (`LazyArray::powi`).
    Powi(i32),
    /// `where(cond, a, b)`.
    Where,
    /// Conversion to the node's dtype.
    Cast,
}

impl MapOp {
    pub(crate) fn name(self) -> &'static str {
        match self {
            MapOp::Unary(u) => u.name(),
            MapOp::Binary(b) => b.name(),
            MapOp::Powi(_) => "powi",
            MapOp::Where => "where",
            MapOp::Cast => "astype",
        }
    }

    /// How many inputs the operation takes.
    pub(crate) fn arity(self) -> usize {
        match self {
            MapOp::Unary(_) | MapOp::Cast | MapOp::Powi(_) => 1,
            MapOp::Binary(_) => 2,
            MapOp::Where => 3,
        }
    }
}
