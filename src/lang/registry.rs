//! The registry: every function of the language, assembled from the area lists in a fixed
//! order, with an index of names and aliases.
//!
//! Each area file lists its entries ([`Function`]s) and knows nothing of the others; this
//! file, above them all, is the one place that joins them. A new area is one file and one
//! line in [`registry`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::function::Function;
use super::{
    core_functions, linalg_functions, order_functions, select_functions, structure_functions,
};

/// The registry: every function, and an index of names and aliases.
struct Registry {
    functions: Vec<Function>,
    by_name: BTreeMap<&'static str, usize>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut functions: Vec<Function> = core_functions::core();
        functions.extend(structure_functions::structure());
        functions.extend(linalg_functions::linalg());
        functions.extend(order_functions::order());
        functions.extend(select_functions::select());
        let mut by_name = BTreeMap::new();
        for (i, f) in functions.iter().enumerate() {
            for &name in std::iter::once(&f.name()).chain(f.aliases()) {
                let previous = by_name.insert(name, i);
                assert!(previous.is_none(), "`{name}` names two functions");
            }
        }
        Registry { functions, by_name }
    })
}

/// Every function of the language, grouped ([`Group`](super::Group)) and in a fixed order: the
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
        .flat_map(|f| std::iter::once(f.name()).chain(f.aliases().iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::core_functions::REDUCE_PARAMS;
    use crate::lang::Group;
    use crate::{BinaryFn, ReduceFn, UnaryFn};

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
