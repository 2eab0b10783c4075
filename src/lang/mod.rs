//! The expression language: [`eval`] evaluates a NumPy-like expression over named
//! [`Inputs`] to a lazy [`DynArray`], and [`input`] opens the input specs of
//! `chunkwise eval` (`random:1000x1000:chunks=250x250`, a Zarr path...).
//!
//! ```
//! use chunkwise::lang::{self, Inputs};
//! let inputs = Inputs::new().with("x", lang::input("random:400x300:chunks=100x100:seed=1")?);
//! let z = lang::eval("(x - x.mean(axis=0)) / x.std(axis=0, ddof=1)", &inputs)?;
//! assert_eq!(z.shape(), &[400, 300]);
//! let m = lang::eval("mean(x, axis=0)", &inputs)?.compute()?;
//! assert_eq!(m.shape(), &[300]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Where it sits: on top of the stack, above [`crate::DynArray`]; every syntax node
//! becomes one call of the runtime-typed array API, so the language computes exactly
//! what the same Rust calls would. It takes its functions from the library's vocabulary
//! ([`UnaryFn::ALL`](crate::UnaryFn::ALL), [`BinaryFn::ALL`](crate::BinaryFn::ALL),
//! [`ReduceFn::ALL`](crate::ReduceFn::ALL)) through one registry ([`functions`]), with
//! NumPy's names, aliases and parameters, so a function added to the vocabulary is a
//! function of the language at once.
//!
//! One concept per file: `lexer.rs` (tokens with byte spans), `parser.rs` (the syntax
//! tree, Python's precedence), `fold.rs` (arithmetic on number literals), `value.rs`
//! (what expressions evaluate to), `bind.rs` (Python's argument binding), `function.rs`
//! (one entry of the registry), the area lists (`core_functions.rs` and the other
//! `*_functions.rs`), `registry.rs` (every entry, by name), `eval.rs` (evaluation over
//! `DynArray`), `diagnostic.rs` (errors with a column caret), `inputs.rs` (input names
//! and specs). Every error is a [`Diagnostic`] that points at the columns of the text it
//! is about; [`eval`] returns it with the text as an [`Error`].
//!
//! Expressions have at most 2,000 tokens and 64 levels of nesting, so that neither the
//! recursive parser nor the evaluator can run out of stack.
//!
//! # The language
//!
//! ```text
//! expr     := compare
//! compare  := or (('==' | '!=' | '<' | '<=' | '>' | '>=') or)?     no chains: a < b < c is an error
//! or       := and ('|' and)*                                       logical or of bool arrays
//! and      := sum ('&' sum)*                                       logical and of bool arrays
//! sum      := product (('+' | '-') product)*
//! product  := unary (('*' | '/' | '//' | '%' | '@') unary)*        `/` true division, `//` floor_divide,
//!                                                                  `%` remainder, `@` matmul
//! unary    := ('-' | '+' | '~') unary | power                      `~` is logical not
//! power    := postfix ('**' unary)?                                right-associative; -x**2 is -(x**2)
//! postfix  := atom ( '(' args ')' | '.' NAME | '.' NAME '(' args ')' | '[' index ']' )*
//! atom     := INT | FLOAT | STRING | NAME | '(' expr ')' | '(' expr ',' ... ')' | '[' expr, ... ']'
//! args     := (expr | NAME '=' expr) (',' ...)*
//! index    := item (',' item)*      item := expr | expr? ':' expr? (':' expr?)? | '...' | None
//! ```
//!
//! As in Python and NumPy, `&` and `|` bind tighter than comparisons: write
//! `(x > 0) & (x < 1)`; Python's `and`, `or`, `not` are errors that say so. Names are
//! inputs, the constants `True`, `False`, `None`, `nan`, `inf` and `pi`, or dtypes
//! (`float32`, as NumPy's `np.float32`). Tuples `(0, 1)`, lists `[x, y]`, strings and
//! `None` are arguments of functions, nested as deep as needed
//! (`pad(x, ((1, 2), (3, 0)))`). Calls bind their arguments as Python does, by position
//! then keyword, with defaults (`sum(x, axis=None, keepdims=False)`); reductions and
//! array methods are methods too (`x.std(axis=0, ddof=1)`, `x.clip(0, 1)`,
//! `x.transpose(1, 0)`, `x.T`). Indexing follows NumPy's basic indexing (bounds clamp,
//! negative indices count from the end; [`crate::python_slice`]).
//!
//! # Adding a function
//!
//! A line in a table of `crate::ops` (`for_each_unary_fn!`, `for_each_binary_fn!`,
//! `for_each_reduce_fn!`) is enough for an elementwise function or a reduction. Any other
//! operation is one [`Function`] entry in the list of its area (`core_functions.rs`,
//! `structure_functions.rs`, `linalg_functions.rs`, `order_functions.rs`,
//! `select_functions.rs`): its NumPy signature, its group, a documentation line and the
//! code that runs it over the bound arguments (see `function.rs` for an example). A new
//! area is a new file and one line in `registry.rs`.

mod bind;
mod core_functions;
mod diagnostic;
mod eval;
mod fold;
mod function;
mod inputs;
mod lexer;
mod linalg_functions;
mod order_functions;
mod parser;
mod registry;
mod select_functions;
mod structure_functions;
mod value;

pub use diagnostic::{Diagnostic, Error};
pub use function::{Function, Group};
pub use inputs::{input, Input, InputError, Inputs};
pub use registry::{function, functions};

use crate::DynArray;

/// Evaluates the expression `src` over `inputs`, lazily: the result is a [`DynArray`]
/// that nothing has computed yet.
///
/// Every operation is checked as it is built, so an invalid one (shapes that do not
/// broadcast, an axis out of range...) is an error here, pointing at its columns, not a
/// failure of `compute` later.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, Inputs};
/// let x = chunkwise::from_ndarray(ndarray::array![[1.0, 2.0], [3.0, 5.0]], [1, 2]).to_dyn();
/// let inputs = Inputs::new().with("x", x);
/// let m = lang::eval("mean(x, axis=0)", &inputs)?;
/// assert_eq!(m.compute()?.into_typed::<f64>()?, ndarray::array![2.0, 3.5].into_dyn());
/// let s = lang::eval("x.std(ddof=1) // 1 + x[-1, ::-1].sum()", &inputs)?;
/// assert_eq!(s.compute()?.sum_f64(), 1.0 + 8.0);
/// let err = lang::eval("meen(x, axis=0)", &inputs).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "error: unknown function `meen` at column 1 (did you mean `mean`?)\n  meen(x, axis=0)\n  ^^^^"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// An [`Error`] for a syntax error, an unknown name or function, arguments that do not
/// bind, or an operation the library refuses (its [`Diagnostic::cause`]).
pub fn eval(src: &str, inputs: &Inputs) -> Result<DynArray, Error> {
    eval::evaluate(src, inputs).map_err(|d| Error::new(d, src))
}

#[cfg(test)]
mod tests;
