//! The function registry: every function of the language is one [`Function`] entry, with
//! NumPy's name and signature, whether it is also a method, a documentation line, and the
//! code that runs it over bound arguments.
//!
//! The elementwise functions and reductions are not listed here: the registry makes one
//! entry for each element of [`UnaryFn::ALL`], [`BinaryFn::ALL`] and [`ReduceFn::ALL`],
//! with their names, aliases, parameters and docs, so a line added to a table in
//! `crate::ops` is a function of the language with no edit here. The other operations
//! are listed in [`others`], one entry each:
//!
//! ```text
//! Function::new(
//!     "squeeze(a, axis=None)",                 // NumPy's signature, defaults as NumPy writes them
//!     Group::Shape,
//!     "The array without the given length-1 axes (every one for `None`).",
//!     |args| {                                 // `Args`: the arguments, bound as Python binds them
//!         let a = args.array("a")?;
//!         let out = match args.axes("axis", a.ndim())? {
//!             None => a.squeeze(..),
//!             Some(axes) => a.squeeze(axes),
//!         };
//!         args.done(out)                        // reports the library's error at the call
//!     },
//! )
//! .method(),                                   // also `x.squeeze(...)`
//! ```
//!
//! A signature is Python's: positional-or-keyword parameters, `name=default`, `*` before
//! keyword-only ones and `*name` for extra positional arguments (`transpose(*axes)`).
//! Binding, defaults and the errors are `bind.rs`'s; values are `value.rs`'s.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use crate::{BinaryFn, DynArray, Param, ReduceFn, ReduceParam, UnaryFn};

use super::bind::{axes, axis, Args};
use super::diagnostic::Diagnostic;
use super::value::Value;

/// What a function does, to group the functions in listings.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, Group};
/// assert_eq!(lang::function("sqrt").unwrap().group(), Group::Elementwise);
/// assert_eq!(Group::Reduction.title(), "reductions");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Group {
    /// Elementwise functions, with broadcasting (`sqrt`, `add`, `where`, `clip`,
    /// `astype`).
    Elementwise,
    /// Reductions over axes (`sum`, `std`, `argmax`).
    Reduction,
    /// Axes, shape and chunks (`transpose`, `squeeze`, `rechunk`).
    Shape,
    /// Matrix products (`matmul`, `dot`, `tensordot`, `einsum`, `outer`).
    LinearAlgebra,
    /// Cumulative operations along an axis (`cumsum`, `cumprod`...).
    Scan,
}

impl Group {
    /// Every group, in listing order.
    pub const ALL: &'static [Group] = &[
        Group::Elementwise,
        Group::Reduction,
        Group::Shape,
        Group::LinearAlgebra,
        Group::Scan,
    ];

    /// The heading of the group in listings.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Group::Elementwise => "elementwise",
            Group::Reduction => "reductions",
            Group::Shape => "shape and chunks",
            Group::LinearAlgebra => "linear algebra",
            Group::Scan => "scans",
        }
    }
}

/// What runs a function: its bound arguments in, a value out.
type Implementation = Box<dyn Fn(&Args) -> Result<Value, Diagnostic> + Send + Sync>;

/// One function of the language: NumPy's name and signature, its aliases, whether it is
/// also a method (`x.sum(axis=0)`), its group, a documentation line, and its
/// implementation.
///
/// # Example
///
/// ```
/// let sum = chunkwise::lang::function("sum").unwrap();
/// assert_eq!(sum.signature(), "sum(a, axis=None, *, keepdims=False, split_every=None)");
/// assert_eq!(sum.method_signature().as_deref(), Some("a.sum(axis=None, *, keepdims=False, split_every=None)"));
/// let abs = chunkwise::lang::function("abs").unwrap();       // an alias
/// assert_eq!((abs.name(), abs.aliases()), ("absolute", &["abs"][..]));
/// assert!(!abs.is_method());
/// ```
pub struct Function {
    name: &'static str,
    aliases: &'static [&'static str],
    params: Vec<Param>,
    /// For a method, its parameters after the receiver (the first of `params`).
    method: Option<Vec<Param>>,
    group: Group,
    doc: &'static str,
    call: Implementation,
}

impl Function {
    /// An entry from NumPy's signature, such as `"clip(a, a_min, a_max)"`.
    ///
    /// # Panics
    ///
    /// When `signature` is not `name(parameters)`: a bug in the entry, caught by the
    /// registry's tests.
    pub(crate) fn new(
        signature: &'static str,
        group: Group,
        doc: &'static str,
        call: impl Fn(&Args) -> Result<Value, Diagnostic> + Send + Sync + 'static,
    ) -> Function {
        let (name, params) = parse_signature(signature);
        Function::with_params(name, params, group, doc, call)
    }

    /// An entry with its parameters given as a list.
    pub(crate) fn with_params(
        name: &'static str,
        params: Vec<Param>,
        group: Group,
        doc: &'static str,
        call: impl Fn(&Args) -> Result<Value, Diagnostic> + Send + Sync + 'static,
    ) -> Function {
        Function {
            name,
            aliases: &[],
            params,
            method: None,
            group,
            doc,
            call: Box::new(call),
        }
    }

    /// The entry with NumPy's other names for the function.
    pub(crate) fn with_aliases(mut self, aliases: &'static [&'static str]) -> Function {
        self.aliases = aliases;
        self
    }

    /// The entry, also a method: `x.name(...)` binds `x` to the first parameter.
    pub(crate) fn method(mut self) -> Function {
        self.method = Some(self.params[1..].to_vec());
        self
    }

    /// The entry, also a method with its own signature (without the receiver), as
    /// NumPy's `ndarray.transpose(*axes)` next to `transpose(a, axes=None)`.
    ///
    /// # Panics
    ///
    /// When `signature` is not `name(parameters)` with the function's name.
    pub(crate) fn method_with(mut self, signature: &'static str) -> Function {
        let (name, params) = parse_signature(signature);
        assert_eq!(name, self.name, "a method signature names its function");
        self.method = Some(params);
        self
    }

    /// NumPy's name of the function.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// NumPy's other names for it (`abs` for `absolute`).
    #[must_use]
    pub fn aliases(&self) -> &'static [&'static str] {
        self.aliases
    }

    /// The parameters, as NumPy names them, in order; `*` marks the keyword-only ones
    /// that follow, `*name` collects extra positional arguments.
    #[must_use]
    pub fn params(&self) -> &[Param] {
        &self.params
    }

    /// For a method, its parameters after the receiver: the function's own after the
    /// first, or a signature of its own (`transpose(*axes)`).
    ///
    /// # Example
    ///
    /// ```
    /// let clip = chunkwise::lang::function("clip").unwrap();
    /// assert_eq!(clip.method_params(), Some(&clip.params()[1..]));
    /// assert_eq!(chunkwise::lang::function("sqrt").unwrap().method_params(), None);
    /// ```
    #[must_use]
    pub fn method_params(&self) -> Option<&[Param]> {
        self.method.as_deref()
    }

    /// True when the function is also a method (`x.sum()`).
    #[must_use]
    pub fn is_method(&self) -> bool {
        self.method.is_some()
    }

    /// What the function does, to group listings.
    #[must_use]
    pub fn group(&self) -> Group {
        self.group
    }

    /// The one-line description.
    #[must_use]
    pub fn doc(&self) -> &'static str {
        self.doc
    }

    /// The signature as Python writes it: `clip(a, a_min, a_max)`.
    #[must_use]
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, join(&self.params))
    }

    /// The method's signature, `a.clip(a_min, a_max)`, for a method.
    #[must_use]
    pub fn method_signature(&self) -> Option<String> {
        let params = self.method.as_ref()?;
        Some(format!(
            "{}.{}({})",
            self.params[0].name,
            self.name,
            join(params)
        ))
    }

    /// The signature of the function (`method` false) or the method.
    pub(crate) fn call_signature(&self, method: bool) -> String {
        match self.method_signature() {
            Some(s) if method => s,
            _ => self.signature(),
        }
    }

    /// The parameters the method binds: the receiver, then the method's.
    pub(crate) fn receiver_and_method_params(&self) -> Vec<Param> {
        let mut params = vec![self.params[0]];
        params.extend(self.method.iter().flatten().copied());
        params
    }

    /// Runs the function on bound arguments.
    pub(crate) fn call(&self, args: &Args) -> Result<Value, Diagnostic> {
        (self.call)(args)
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Function")
            .field("signature", &self.signature())
            .field("aliases", &self.aliases)
            .field("method", &self.method_signature())
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

fn join(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| match p.default {
            Some(d) => format!("{}={d}", p.name),
            None => p.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits `name(p1, p2=default, *, p3=default)` into the name and the parameters.
fn parse_signature(signature: &'static str) -> (&'static str, Vec<Param>) {
    let malformed = || format!("the signature `{signature}` is not `name(parameters)`");
    let (name, rest) = signature
        .split_once('(')
        .unwrap_or_else(|| panic!("{}", malformed()));
    let inner = rest
        .strip_suffix(')')
        .unwrap_or_else(|| panic!("{}", malformed()));
    let mut params = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut push = |piece: &'static str| {
        let piece = piece.trim();
        if piece.is_empty() {
            return;
        }
        params.push(match piece.split_once('=') {
            Some((n, d)) => Param::optional(n.trim(), d.trim()),
            None => Param::required(piece),
        });
    };
    for (i, c) in inner.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('(' | '[', None) => depth += 1,
            (')' | ']', None) => depth -= 1,
            (',', None) if depth == 0 => {
                push(&inner[start..i]);
                start = i + 1;
            }
            // Anything else, and everything inside quotes.
            _ => {}
        }
    }
    push(&inner[start..]);
    (name.trim(), params)
}

/// The registry: every function, and an index of names and aliases.
struct Registry {
    functions: Vec<Function>,
    by_name: BTreeMap<&'static str, usize>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut functions: Vec<Function> = Vec::new();
        functions.extend(UnaryFn::ALL.iter().map(|&f| unary(f)));
        functions.extend(BinaryFn::ALL.iter().map(|&f| binary(f)));
        functions.extend(ReduceFn::ALL.iter().map(|&f| reduction(f)));
        functions.extend(others());
        functions.extend(super::structure_functions::structure());
        functions.extend(super::linalg_functions::linalg());
        functions.extend(super::order_functions::order());
        functions.extend(super::select_functions::select());
        let mut by_name = BTreeMap::new();
        for (i, f) in functions.iter().enumerate() {
            for &name in std::iter::once(&f.name).chain(f.aliases) {
                let previous = by_name.insert(name, i);
                assert!(previous.is_none(), "`{name}` names two functions");
            }
        }
        Registry { functions, by_name }
    })
}

/// Every function of the language, grouped ([`Group`]) and in a fixed order: the
/// elementwise functions of the vocabulary's tables, its reductions, then the other
/// operations.
///
/// # Example
///
/// ```
/// let names: Vec<&str> = chunkwise::lang::functions().iter().map(|f| f.name()).collect();
/// assert!(names.contains(&"arctan2") && names.contains(&"nanmean") && names.contains(&"where"));
/// for f in chunkwise::lang::functions() {
///     println!("{:40} {}", f.signature(), f.doc());
/// }
/// ```
pub fn functions() -> &'static [Function] {
    &registry().functions
}

/// The function with this name or alias, if there is one.
///
/// # Example
///
/// ```
/// let f = chunkwise::lang::function("amax").unwrap();
/// assert_eq!(f.name(), "max");
/// assert!(chunkwise::lang::function("meen").is_none());
/// ```
pub fn function(name: &str) -> Option<&'static Function> {
    let r = registry();
    r.by_name.get(name).map(|&i| &r.functions[i])
}

/// Every name and alias, for suggestions.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    functions()
        .iter()
        .flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
}

fn unary(f: UnaryFn) -> Function {
    let x = f.params()[0].name;
    Function::with_params(
        f.name(),
        f.params().to_vec(),
        Group::Elementwise,
        f.doc(),
        move |args| args.done(args.array(x)?.unary(f)),
    )
    .with_aliases(f.aliases())
}

fn binary(f: BinaryFn) -> Function {
    let (x1, x2) = (f.params()[0].name, f.params()[1].name);
    Function::with_params(
        f.name(),
        f.params().to_vec(),
        Group::Elementwise,
        f.doc(),
        move |args| args.done(f.apply(args.operand(x1)?, args.operand(x2)?)),
    )
    .with_aliases(f.aliases())
}

/// The parameters of reductions beyond `a`, `axis` and `keepdims`, by NumPy keyword.
pub(crate) const REDUCE_PARAMS: &[(&str, ReduceParam)] = &[("ddof", ReduceParam::Ddof)];

/// A reduction, with NumPy's parameters (`ReduceFn::params`) and Dask's `split_every`.
///
/// NumPy's positional order is `a, axis, dtype, out, [ddof,] keepdims`; without `dtype`
/// and `out`, a positional argument after `axis` would not mean what it means in NumPy, so
/// the parameters after `axis` are keyword-only.
fn reduction(f: ReduceFn) -> Function {
    let mut params = Vec::new();
    for &p in f.params() {
        params.push(p);
        if p.name == "axis" {
            params.push(Param::required("*"));
        }
    }
    params.push(Param::optional("split_every", "None"));
    Function::with_params(f.name(), params, Group::Reduction, f.doc(), move |args| {
        let a = args.array("a")?;
        let axes = args.axes("axis", a.ndim())?;
        let mut f = f;
        for p in f.params() {
            if let Some(&(name, param)) = REDUCE_PARAMS.iter().find(|(n, _)| *n == p.name) {
                f = f
                    .with_param(param, args.count(name)?)
                    .expect("the reduction has the parameters it lists");
            }
        }
        let mut spec = crate::Axes::from(axes.as_deref()).keepdims(args.bool("keepdims")?);
        if !args.is_none("split_every") {
            spec = spec.split_every(args.count("split_every")?);
        }
        args.done(a.reduce(f, spec))
    })
    .with_aliases(f.aliases())
    .method()
}

/// The operations that are not in the vocabulary's tables, one entry each.
fn others() -> Vec<Function> {
    vec![
        Function::new(
            "where(condition, x, y)",
            Group::Elementwise,
            "Elementwise choice: `x` where `condition` is true, `y` elsewhere (broadcast, and promoted to one dtype).",
            |args| {
                args.done(DynArray::where_(
                    args.operand("condition")?,
                    args.operand("x")?,
                    args.operand("y")?,
                ))
            },
        ),
        Function::new(
            "clip(a, a_min, a_max)",
            Group::Elementwise,
            "The values limited to `[a_min, a_max]`; either bound may be `None`.",
            |args| {
                let a = args.array("a")?;
                let out = match (args.is_none("a_min"), args.is_none("a_max")) {
                    (true, true) => {
                        return Err(args.call_error(format!(
                            "{} needs `a_min` or `a_max`; both are None",
                            args.display()
                        )))
                    }
                    (false, true) => a.maximum(args.operand("a_min")?),
                    (true, false) => a.minimum(args.operand("a_max")?),
                    (false, false) => a.clip(args.operand("a_min")?, args.operand("a_max")?),
                };
                args.done(out)
            },
        )
        .method(),
        Function::new(
            "astype(x, dtype)",
            Group::Elementwise,
            "The array converted to `dtype` (`float32`, or a string such as \"int16\") with NumPy's casting rules.",
            |args| args.done(args.array("x")?.astype(args.dtype("dtype")?)),
        )
        .method(),
        Function::new(
            "transpose(a, axes=None)",
            Group::Shape,
            "The array with its axes permuted: result axis `i` is axis `axes[i]`; reversed for `None` (also `x.T`).",
            |args| {
                let a = args.array("a")?;
                let given = args.get("axes");
                // The method takes the axes one by one (`x.transpose(1, 0)`) or as one
                // tuple (`x.transpose((1, 0))`), as NumPy's does; `x.transpose()`
                // reverses them.
                let given = match &given.value {
                    Value::Tuple(items) if args.is_method() => match items.as_slice() {
                        [] => None,
                        [one] if matches!(one.value, Value::None | Value::Tuple(_) | Value::List(_)) => {
                            Some(one)
                        }
                        _ => Some(given),
                    },
                    _ => Some(given),
                };
                let perm = match given {
                    Some(v) => axes(v, a.ndim())?,
                    None => None,
                };
                args.done(match perm {
                    Some(perm) => a.permute_axes(perm),
                    None => a.t(),
                })
            },
        )
        .method_with("transpose(*axes)"),
        Function::new(
            "expand_dims(a, axis)",
            Group::Shape,
            "The array with new length-1 axes at the positions `axis` (an axis or a tuple) of the result.",
            |args| {
                let a = args.array("a")?;
                let given = args.get("axis");
                if matches!(given.value, Value::None) {
                    return Err(args.error("axis", "`axis` must be an axis or a tuple of axes, not None"));
                }
                let out_ndim = a.ndim() + given.items().len();
                let mut positions = Vec::new();
                for item in given.items() {
                    let p = axis(item, out_ndim)?;
                    if positions.contains(&p) {
                        return Err(item.error(format!("axis {p} is given more than once"), None));
                    }
                    positions.push(p);
                }
                // Inserting in increasing order puts each new axis at its final position.
                positions.sort_unstable();
                let out = positions.into_iter().fold(a, |out, p| out.expand_dims(p));
                args.done(out)
            },
        ),
        Function::new(
            "squeeze(a, axis=None)",
            Group::Shape,
            "The array without the given length-1 axes (every one for `None`).",
            |args| {
                let a = args.array("a")?;
                let out = match args.axes("axis", a.ndim())? {
                    None => a.squeeze(..),
                    Some(list) => a.squeeze(list),
                };
                args.done(out)
            },
        )
        .method(),
        Function::new(
            "rechunk(x, chunks=\"auto\")",
            Group::Shape,
            "The same values cut into other chunks (Dask's `rechunk`): \"auto\", one length, or per axis a length, -1 (whole), None (keep) or a tuple of lengths.",
            |args| {
                let x = args.array("x")?;
                let chunks = args.chunks("chunks", &x)?;
                args.done(x.rechunk(chunks))
            },
        )
        .method(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_parse_as_python_writes_them() {
        let (name, params) = parse_signature("f(a, b=(1, 2), *, c=\"x, y\", d=[0])");
        assert_eq!(name, "f");
        let shown: Vec<(&str, Option<&str>)> = params.iter().map(|p| (p.name, p.default)).collect();
        assert_eq!(
            shown,
            [
                ("a", None),
                ("b", Some("(1, 2)")),
                ("*", None),
                ("c", Some("\"x, y\"")),
                ("d", Some("[0]"))
            ]
        );
        assert!(parse_signature("g()").1.is_empty());
    }

    #[test]
    fn every_table_entry_is_in_the_registry_with_its_names() {
        for &f in UnaryFn::ALL {
            let entry = function(f.name()).unwrap();
            assert_eq!((entry.name(), entry.aliases()), (f.name(), f.aliases()));
            assert_eq!(entry.params(), f.params());
            for alias in f.aliases() {
                assert_eq!(function(alias).unwrap().name(), f.name());
            }
        }
        for &f in BinaryFn::ALL {
            assert_eq!(function(f.name()).unwrap().params(), f.params());
            for alias in f.aliases() {
                assert_eq!(function(alias).unwrap().name(), f.name());
            }
        }
        for &f in ReduceFn::ALL {
            let entry = function(f.name()).unwrap();
            assert!(entry.is_method());
            // NumPy's parameters, in NumPy's order, with `*` after `axis`.
            let names: Vec<&str> = entry
                .params()
                .iter()
                .map(|p| p.name)
                .filter(|n| *n != "*")
                .collect();
            let mut want: Vec<&str> = f.params().iter().map(|p| p.name).collect();
            want.push("split_every");
            assert_eq!(names, want);
            // Every parameter beyond a, axis and keepdims is one the registry knows.
            for p in f.params() {
                assert!(
                    matches!(p.name, "a" | "axis" | "keepdims")
                        || REDUCE_PARAMS.iter().any(|(n, _)| *n == p.name),
                    "`{}` of `{}` is not bound by the registry",
                    p.name,
                    f.name()
                );
            }
        }
    }

    #[test]
    fn every_entry_has_a_doc_and_a_group() {
        assert!(
            functions().len() >= UnaryFn::ALL.len() + BinaryFn::ALL.len() + ReduceFn::ALL.len() + 7
        );
        for f in functions() {
            assert!(!f.doc().is_empty(), "{}", f.name());
            assert!(Group::ALL.contains(&f.group()));
            assert!(
                f.doc().ends_with('.'),
                "the doc of `{}` is a sentence",
                f.name()
            );
        }
        assert_eq!(
            function("transpose").unwrap().method_signature().as_deref(),
            Some("a.transpose(*axes)")
        );
        assert_eq!(
            function("rechunk").unwrap().signature(),
            "rechunk(x, chunks=\"auto\")"
        );
    }
}
