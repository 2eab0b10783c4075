//! The vocabulary of operations: every elementwise function ([`UnaryFn`], [`BinaryFn`]) and
//! every reduction ([`ReduceFn`]) chunkwise knows, each described once.
//!
//! Each family is one table, written once as a macro (`for_each_unary_fn!`,
//! `for_each_binary_fn!`, `for_each_reduce_fn!`), that the rest of the crate expands
//! wherever it needs the list: this module makes the public enums with their NumPy names,
//! argument names, dtype rules and documentation; the typed facade ([`LazyArray`]) makes
//! one method per entry; the runtime-typed [`DynArray`] and the expression language take
//! the enums' `ALL` lists; the kernels make one arm per entry from the entry's scalar
//! expression (elementwise) or its implementing type (reductions). A new elementwise
//! function is therefore one table line, and a new reduction one table line plus the
//! file of its kernel.
//!
//! Where it sits: below the kernels and the expression graph (it knows only element types
//! and dtypes); see `docs/ARCHITECTURE.md` for the whole stack.
//!
//! [`LazyArray`]: crate::LazyArray
//! [`DynArray`]: crate::DynArray

mod elementwise;
mod map;
mod reduction;
mod source;

pub(crate) use elementwise::{for_each_binary_fn, for_each_unary_fn};
pub use elementwise::{BinaryFn, BinaryRule, UnaryFn, UnaryRule};
pub(crate) use map::MapOp;
pub(crate) use reduction::for_each_reduce_fn;
pub use reduction::{ReduceFn, ReduceParam, ReduceResult};
pub(crate) use source::{Distribution, FlatIndex, Source};

/// One parameter of an operation as the expression language and the documentation name
/// it: NumPy's keyword, and its default written as NumPy writes it.
///
/// # Example
///
/// ```
/// use chunkwise::ReduceFn;
/// let names: Vec<&str> = ReduceFn::Var { ddof: 0 }.params().iter().map(|p| p.name).collect();
/// assert_eq!(names, ["a", "axis", "ddof", "keepdims"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The keyword (`"axis"`).
    pub name: &'static str,
    /// The default as NumPy writes it (`"None"`), or `None` for a required argument.
    pub default: Option<&'static str>,
}

impl Param {
    pub(crate) const fn required(name: &'static str) -> Param {
        Param {
            name,
            default: None,
        }
    }

    pub(crate) const fn optional(name: &'static str, default: &'static str) -> Param {
        Param {
            name,
            default: Some(default),
        }
    }
}
