//! The modules of `src/` are a one-way stack: each may use only the modules below it.
//!
//! [`STACK`] lists the modules from the bottom up; the test reads every file's `crate::`
//! paths (code only: comments, doc comments and `#[cfg(test)]` modules are left out) and
//! fails on any that reaches a module higher in the stack, naming the file, the line and
//! the two modules. [`an_upward_import_is_caught`] shows that it would fail: it feeds the
//! checker a file of `kernel` that uses `crate::plan`.
//!
//! Adding a module means adding it to [`STACK`] at its place; `docs/ARCHITECTURE.md`
//! explains the order.

use std::path::{Path, PathBuf};

/// The modules from the bottom of the stack up. Modules on one line form one layer and
/// may use each other (only `error` and `element`, whose types name each other).
const STACK: &[&[&str]] = &[
    &["units"],
    &["error", "element"],
    &["task"],
    &["chunks"],
    &["any_array"],
    &["io"],
    &["ops"],
    &["kernel"],
    &["exec"],
    &["diagnostics"],
    &["expr"],
    &["blocks"],
    &["resolve"],
    &["optimize"],
    &["plan"],
    &["compute"],
    &["array"],
    &["delayed"],
    &["client"],
    &["random"],
    &["zarr"],
    &["bench"],
    &["lang"],
    &["lib"],
];

/// Macros, used by module path, with the module that defines them (the items the crate
/// root re-exports are read from `src/lib.rs` by [`root_reexports`]).
const MACROS: &[(&str, &str)] = &[
    ("with_dtype", "element"),
    ("with_numeric_dtype", "element"),
    ("with_float_dtype", "element"),
    ("dispatch_any", "any_array"),
    ("for_each_unary_fn", "ops"),
    ("for_each_binary_fn", "ops"),
    ("for_each_reduce_fn", "ops"),
];

/// The items `src/lib.rs` re-exports at the crate root (`pub use module::{A, b};`), with
/// their modules, so that `crate::DType` counts as a use of `element`.
fn root_reexports() -> Vec<(String, String)> {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let mut out = Vec::new();
    for stmt in lib.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names
            .trim_matches(|c: char| c == '{' || c == '}' || c.is_whitespace())
            .split(',')
        {
            let name = name.trim();
            if !name.is_empty() && !module.contains(' ') {
                out.push((name.to_string(), module.trim().to_string()));
            }
        }
    }
    out
}

/// The layer of `module` in [`STACK`].
fn layer(module: &str) -> Option<usize> {
    STACK.iter().position(|l| l.contains(&module))
}

/// The module a source file belongs to, from its path under `src/`.
fn module_of(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    match parts.as_slice() {
        [first, ..] => first.clone(),
        [] => String::new(),
    }
}

/// The code of a file without comments, string contents and `#[cfg(test)]` modules.
fn code_only(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut pending_test = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("");
        let trimmed = line.trim();
        if trimmed.starts_with("#[cfg(test)]") {
            pending_test = true;
        }
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        if pending_test && opens > 0 && skip_depth.is_none() {
            skip_depth = Some(depth);
            pending_test = false;
        }
        depth += opens - closes;
        if let Some(d) = skip_depth {
            if depth <= d {
                skip_depth = None;
            }
            continue;
        }
        out.push((n + 1, line.to_string()));
    }
    out
}

/// Every `crate::` use in `text` that reaches above `module`: (line, used module).
fn upward_uses(module: &str, text: &str) -> Vec<(usize, String)> {
    let own = layer(module).unwrap_or_else(|| panic!("module `{module}` is not in STACK"));
    let mut bad = Vec::new();
    for (n, line) in code_only(text) {
        for (i, _) in line.match_indices("crate::") {
            if i >= 1 && line[..i].ends_with('$') {
                continue; // `$crate::` in a macro
            }
            let rest = &line[i + "crate::".len()..];
            let first: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let used: String = if let Some((_, m)) = MACROS.iter().find(|(n, _)| *n == first) {
                (*m).to_string()
            } else if let Some((_, m)) = root_reexports().into_iter().find(|(n, _)| *n == first) {
                m
            } else {
                first
            };
            if used == module || used.is_empty() {
                continue;
            }
            let Some(theirs) = layer(&used) else {
                bad.push((n, format!("{used} (not in STACK)")));
                continue;
            };
            if theirs > own || (theirs == own && used != module) && !same_layer_allowed(own) {
                bad.push((n, used));
            }
        }
    }
    bad
}

/// Only the `error`/`element` layer may use itself across modules.
fn same_layer_allowed(layer: usize) -> bool {
    STACK[layer].len() > 1
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_use_only_the_modules_below_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut failures = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        if relative.starts_with("bin") {
            continue; // the command line is its own crate: it uses `chunkwise::` only
        }
        let module = module_of(relative);
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, used) in upward_uses(&module, &text) {
            failures.push(format!(
                "src/{}:{line}: `{module}` uses `{used}`, which is above it",
                relative.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "imports against the stack (see tests/suite/layering.rs and docs/ARCHITECTURE.md):\n{}",
        failures.join("\n")
    );
}

#[test]
fn an_upward_import_is_caught() {
    let kernel_file =
        "use crate::chunks::ChunkGrid;\nuse crate::plan::Layer;\n// crate::array in a comment\n";
    assert_eq!(
        upward_uses("kernel", kernel_file),
        vec![(2, "plan".to_string())]
    );
    let io_file = "use crate::PendingWrite;\n";
    assert_eq!(upward_uses("io", io_file), vec![(1, "compute".to_string())]);
    let tests_only = "#[cfg(test)]\nmod tests {\n    use crate::array::LazyArray;\n}\n";
    assert!(upward_uses("kernel", tests_only).is_empty());
    assert_eq!(module_of(Path::new("compute/write.rs")), "compute");
    assert_eq!(module_of(Path::new("kernel/fused/mod.rs")), "kernel");
}
