//! Operations computed block by block by a kernel of their own: each file holds one
//! operation's builder (it checks the inputs and derives the result's shape, dtype and
//! chunks) and its [`BlockKernel`](crate::kernel::block::BlockKernel) (which input
//! blocks an output block reads, and how it is computed).
//!
//! Where it sits: above the expression graph (the builders make nodes) and below the
//! array facade (whose methods call the builders); the planner and executor see only
//! `Op::Block` and its kernel.

pub(crate) mod flip;
pub(crate) mod lazy_index;
pub(crate) mod mask;
pub(crate) mod take;
