//! Operations computed block by block by a kernel of their own: each file holds one
//! operation's builder (it checks the inputs and derives the result's shape, dtype and
//! chunks) and its [`BlockKernel`](crate::kernel::block::BlockKernel) (which input
//! blocks an output block reads, and how it is computed).
//!
//! Where it sits: above the expression graph (the builders make nodes) and below the
//! array facade (whose methods call the builders); the planner and executor see only
//! `Op::Block` and its kernel.

pub(crate) mod bincount;
pub(crate) mod broadcast;
pub(crate) mod concatenate;
pub(crate) mod contract;
pub(crate) mod diff;
pub(crate) mod einsum;
pub(crate) mod flip;
pub(crate) mod gram;
pub(crate) mod histogram;
pub(crate) mod lazy_index;
pub(crate) mod mask;
pub(crate) mod matmul;
pub(crate) mod order_key;
pub(crate) mod overlap;
pub(crate) mod pad;
pub(crate) mod quantile;
pub(crate) mod ravel;
pub(crate) mod repeat;
pub(crate) mod reshape;
pub(crate) mod roll;
pub(crate) mod scan;
pub(crate) mod search;
pub(crate) mod sort;
pub(crate) mod take;
pub(crate) mod tile;
pub(crate) mod topk;
pub(crate) mod unique;
pub(crate) mod user;
