//! `chunkwise eval`: evaluates a NumPy-like expression over named inputs and prints the
//! result.
//!
//! The command runs in phases, each a library call: open the inputs
//! ([`chunkwise::lang::Input::open`]), build the lazy result ([`chunkwise::lang::eval`]),
//! check its size, compute, print. A plan explanation (`--explain`) belongs between
//! building and computing: it needs only the lazy `DynArray` that [`build`] returns. Its
//! `--format svg` is the one thing not done by the library: Graphviz's `dot` draws the
//! graph the library writes ([`render_svg`]).

use std::fmt::Write as _;

use anyhow::{anyhow, bail, Context, Result};
use chunkwise::lang;
use chunkwise::{AnyArray, DType, DynArray};
use clap::Args;
use ndarray::ArrayViewD;

/// The first part of `--help`: inputs and the language.
const HELP_LANGUAGE: &str = "\
INPUTS (--input NAME=SPEC, repeatable):
  A SPEC is the path of a Zarr array (v2 or v3, e.g. --input t=data/temperature.zarr),
  read chunk by chunk as the computation needs it, or a generator KIND:SHAPE[:OPTION]...
  with SHAPE as 1000x1000 (or 10 for one axis):
    random:SHAPE     uniform numbers on [0, 1), seeded     (float64 or float32)
    normal:SHAPE     standard normal numbers, seeded       (float64 or float32)
    arange:SHAPE     0, 1, 2, ... in C order               (int64 unless a dtype is given)
    ones:SHAPE       all ones                              (float64 unless a dtype is given)
    zeros:SHAPE      all zeros                             (float64 unless a dtype is given)
    full:SHAPE:value=V   all V                             (float64 unless a dtype is given)
  OPTIONS:
    chunks=250x250   chunk lengths per axis; chunks=3,1,3x5 gives explicit (irregular)
                     lengths on an axis; default: chunks=auto (about 64 MiB each)
    seed=N           the random seed (default 0)
    f32, float32, int16, uint8, bool, ...   the dtype
  Example: --input x=random:1000x1000:chunks=250x250:seed=1 --input n=arange:10:f32

THE LANGUAGE (NumPy-like; Python precedence):
  numbers 1, 2.5, 1e-3, nan, inf, pi, True, False; None; strings \"float32\"; dtypes float32;
  tuples (0, 1) and lists [x, y], nested; input names
  + - * / // % ** (true division; // floor_divide, % remainder; -x**2 is -(x**2));
  @ calls matmul (when the library has it); comparisons == != < <= > >=
  & | ~ on bool arrays (bind tighter than comparisons, as in NumPy: (x > 0) & (y < 1))
  calls bind as in Python: mean(x, 0), mean(x, axis=(0, 1), keepdims=True), std(x, ddof=1);
  reductions and array methods are also methods: x.mean(axis=0), x.clip(0, 1), x.T
  indexing:    x[0], x[-1], x[::2, 10:-3], x[..., 1], x[None] (NumPy rules, clamped)
  Numbers are weak, as Python numbers in NumPy 2: a float32 array times 2 stays float32.
  An expression may start with a minus sign: chunkwise eval '-x' -i x=arange:3
";

/// The last part of `--help`: output and examples.
const HELP_OUTPUT: &str = "\
OUTPUT:
  --json prints {\"shape\": [...], \"dtype\": \"float64\", \"values\": ...} on one line, the values
  as nested lists (a bare number for a 0-d result); NaN and infinities are the strings
  \"nan\", \"inf\" and \"-inf\". Results over --max-elements are refused before computing.
  --output PATH writes the result to a new Zarr v3 array instead, chunk by chunk, of any
  size (--chunks, --shards and --codec set its layout; --overwrite replaces an existing
  one). The attributes of a single Zarr input (units...) are copied, with the expression.
  --explain prints the optimized plan instead of computing: as a tree of layers (--format
  text, the default), as a Graphviz graph (--format dot, one box per layer), or drawn as
  SVG by Graphviz's `dot`, which must be on PATH (--format svg). --format needs --explain.

EXAMPLES:
  chunkwise eval 'mean(x, axis=0)[:5]' --input x=random:4000x4000:chunks=1000x1000 --json
  chunkwise eval 'std(x - x.mean(axis=0), ddof=1)' --input x=normal:2000x500:seed=7
  chunkwise eval 'sum(where(x > 0.5, 1, 0))' --input x=random:1000x1000 --json
  chunkwise eval 'x.T[::100, -1] * 2' --input x=arange:300x200:chunks=64x64 --json
  chunkwise eval 'std(x - mean(x, axis=0), axis=0)' --input x=random:8000x8000 --explain
  chunkwise eval 'x - mean(x, axis=0)' -i x=random:4000x4000 --explain --format svg > plan.svg
  chunkwise eval '(t - t.mean(axis=0)) / t.std(axis=0)' -i t=data.zarr/temperature \\
      --output anomaly.zarr --chunks 512,512 --codec zstd:5";

/// `--help` after the flags: inputs, the language, every function of the registry with
/// its signature and documentation line, output and examples.
fn after_help() -> String {
    // Signatures up to this width share a line with their doc; longer ones get their own.
    const COLUMN: usize = 28;
    let mut s = String::from(HELP_LANGUAGE);
    s.push_str(
        "\nFUNCTIONS (NumPy's names and parameters; parameters after * are keyword-only):\n",
    );
    for &group in lang::Group::ALL {
        let _ = writeln!(s, "  {}:", group.title());
        for f in lang::functions().iter().filter(|f| f.group() == group) {
            let mut doc = f.doc().to_string();
            if !f.aliases().is_empty() {
                let _ = write!(doc, " Also: {}.", f.aliases().join(", "));
            }
            match (f.method_params(), f.method_signature()) {
                (Some(own), _) if own == &f.params()[1..] => doc.push_str(" Also a method."),
                (_, Some(m)) => {
                    let _ = write!(doc, " Also a method: {m}.");
                }
                _ => {}
            }
            let signature = f.signature();
            if signature.len() <= COLUMN {
                let _ = writeln!(s, "    {signature:<COLUMN$} {doc}");
            } else {
                let _ = writeln!(s, "    {signature}\n    {:COLUMN$} {doc}", "");
            }
        }
    }
    s.push('\n');
    s.push_str(HELP_OUTPUT);
    s
}

/// Arguments of `chunkwise eval`.
#[derive(Args, Debug)]
#[command(after_long_help = after_help())]
pub(crate) struct EvalArgs {
    /// The expression, e.g. 'mean(x, axis=0)' (see --help for the language); it may start
    /// with a minus sign ('-x').
    #[arg(allow_hyphen_values = true)]
    expression: String,
    /// An input array, NAME=SPEC, e.g. x=random:1000x1000:chunks=250x250:seed=1 (repeatable).
    #[arg(long = "input", short = 'i', value_name = "NAME=SPEC")]
    inputs: Vec<String>,
    /// Print the result as one JSON object: {"shape", "dtype", "values"}.
    #[arg(long)]
    json: bool,
    /// Write the result to this new Zarr array (v3) instead of printing it; no size
    /// limit. Attributes of a single Zarr input are copied, with the expression.
    #[arg(long, value_name = "PATH", conflicts_with = "json")]
    output: Option<std::path::PathBuf>,
    /// With --output: the storage chunk shape, e.g. 512,512 (default: from the result's
    /// chunks, at most 16 MiB each).
    #[arg(long, value_parser = crate::options::parse_shape, value_name = "SHAPE", requires = "output")]
    chunks: Option<crate::options::Shape>,
    #[command(flatten)]
    write: crate::options::WriteArgs,
    /// With --output: continue a write that stopped (a crashed or killed job). The
    /// array at PATH must be the one this same command created (expression, inputs,
    /// shape, dtype and chunks); its chunks that are stored whole (present and decoding
    /// in full) are kept, and the others are computed and written.
    #[arg(long, requires = "output", conflicts_with = "overwrite")]
    resume: bool,
    /// Refuse results with more elements than this (checked before computing; not with
    /// --output).
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    max_elements: usize,
    #[command(flatten)]
    pub(crate) run: crate::options::RunArgs,
    /// Print the optimized plan (fused kernels, tasks, bytes per task, projected peak
    /// memory) instead of computing.
    #[arg(long)]
    explain: bool,
    /// With --explain: print the plan as a tree (text, the default), as a Graphviz graph
    /// (dot), or drawn by Graphviz's `dot` (svg; needs `dot` on PATH).
    #[arg(long, value_enum, value_name = "FORMAT", requires = "explain")]
    format: Option<ExplainFormat>,
    /// With --explain: show how N MPI ranks would share the tasks (tasks per rank,
    /// stages, bytes each rank sends), to size a job before running it.
    #[arg(long, value_name = "N", requires = "explain", value_parser = clap::value_parser!(u32).range(1..))]
    ranks: Option<u32>,
}

/// How `--explain` prints the plan.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
enum ExplainFormat {
    /// The tree of layers, as text.
    #[default]
    Text,
    /// A Graphviz graph (DOT), one box per layer, to render elsewhere.
    Dot,
    /// The graph drawn as SVG by Graphviz's `dot`.
    Svg,
}

/// What `--format svg` says when Graphviz is not installed.
const NO_DOT: &str = "--format svg needs Graphviz's `dot` on PATH (apt install graphviz, brew \
                      install graphviz); --format dot prints the graph for rendering elsewhere";

pub(crate) fn run(args: &EvalArgs) -> Result<()> {
    let (result, zarr_inputs) = build(args)?;
    if args.explain {
        let mut options = args.run.options();
        if let Some(n) = args.ranks {
            options = options.explain_ranks(n as usize);
        }
        let plan = match args.format.unwrap_or_default() {
            ExplainFormat::Text => result.explain_with(&options)?,
            ExplainFormat::Dot => result.explain_dot_with(&options)?,
            ExplainFormat::Svg => render_svg(&result.explain_dot_with(&options)?)?,
        };
        crate::print_line(plan.trim_end());
        return Ok(());
    }
    if let Some(out) = &args.output {
        return write_output(args, &result, &zarr_inputs, out);
    }
    check_size(&result, args.max_elements)?;
    let options = args.run.with_progress("eval");
    let value = DynArray::compute_many_with(std::slice::from_ref(&result), &options)?
        .pop()
        .ok_or_else(|| anyhow!("the computation returned no result"))?;
    if args.json {
        let ranks = crate::ranks::json_fields();
        crate::print_line(&crate::ranks::with_fields(
            &to_json(&value),
            ranks.as_deref(),
        ));
    } else {
        crate::print_line(&format!(
            "{} array of shape {:?}",
            value.dtype(),
            value.shape()
        ));
        crate::print_line(&to_text(&value));
    }
    Ok(())
}

/// Continues the write of `result` into the existing array `out` (`--resume`): writes
/// the write units (chunks or shards) that are not stored whole, after checking that
/// the array is what this command writes.
fn resume_output(
    args: &EvalArgs,
    result: &DynArray,
    options: &chunkwise::zarr::ZarrWriteOptions,
    out: &std::path::Path,
) -> Result<()> {
    let existing = chunkwise::zarr::open_array(out).map_err(|e| {
        anyhow!(
            "--resume: {e}; run without --resume to create {}",
            out.display()
        )
    })?;
    let recorded = |key: &str| existing.attributes().get(key).cloned();
    let same_command = recorded("chunkwise_expression")
        == options.attributes.get("chunkwise_expression").cloned()
        && recorded("chunkwise_inputs") == options.attributes.get("chunkwise_inputs").cloned();
    if !same_command {
        bail!(
            "--resume: {} was not written by this command (its recorded expression and inputs \
             differ); resume with the command that created it, or write anew with --overwrite",
            out.display()
        );
    }
    let unit_ok = options
        .chunk_shape
        .as_ref()
        .is_none_or(|c| c.as_slice() == existing.chunk_shape());
    if existing.shape() != result.shape() || existing.dtype() != result.dtype() || !unit_ok {
        bail!(
            "--resume: {} holds a {} array of shape {:?} in chunks {:?}, but this command \
             writes {} of shape {:?}; resume with the same options, or write anew with \
             --overwrite",
            out.display(),
            existing.dtype(),
            existing.shape(),
            existing.chunk_shape(),
            result.dtype(),
            result.shape()
        );
    }
    let start = std::time::Instant::now();
    let units = existing.resume_units()?;
    let todo: Vec<&Vec<std::ops::Range<usize>>> = units
        .iter()
        .filter(|(_, whole)| !whole)
        .map(|(r, _)| r)
        .collect();
    let writes = todo
        .iter()
        .map(|region| {
            let index: Vec<ndarray::SliceInfoElem> = region
                .iter()
                .map(|r| ndarray::SliceInfoElem::Slice {
                    start: r.start as isize,
                    end: Some(r.end as isize),
                    step: 1,
                })
                .collect();
            let offset: Vec<usize> = region.iter().map(|r| r.start).collect();
            existing.write_region(&result.slice(index), &offset)
        })
        .collect::<chunkwise::Result<Vec<_>>>()?;
    if !writes.is_empty() {
        chunkwise::run_writes(&writes, &args.run.with_progress("eval"))?;
    }
    crate::print_line(&format!(
        "resumed {}: kept {} of {} chunks (stored whole), wrote {}, in {:.2} s",
        out.display(),
        units.len() - todo.len(),
        units.len(),
        todo.len(),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Writes `result` to the Zarr array `out`, with the attributes of the one Zarr input
/// (when there is exactly one) and the expression that made it.
fn write_output(
    args: &EvalArgs,
    result: &DynArray,
    zarr_inputs: &[chunkwise::zarr::ZarrArray],
    out: &std::path::Path,
) -> Result<()> {
    // Creating the output (with --overwrite) would delete an input before the
    // computation reads it, and the reads would then return fill values.
    for input in zarr_inputs {
        crate::copy::check_distinct(std::path::Path::new(input.path()), out)?;
    }
    let chunks = args.chunks.as_ref().map(|c| c.0.clone());
    let mut options = args.write.write_options(out, chunks)?;
    if let [input] = zarr_inputs {
        options.attributes.clone_from(input.attributes());
        options.attributes.remove("_zarrs");
        if input.shape() == result.shape() {
            options = crate::options::copy_description(input, options);
        }
    }
    options.attributes.insert(
        "chunkwise_expression".into(),
        serde_json::Value::String(args.expression.clone()),
    );
    options
        .attributes
        .insert("chunkwise_inputs".into(), serde_json::json!(args.inputs));
    if args.resume {
        return resume_output(args, result, &options, out);
    }
    let write = chunkwise::zarr::create_zarr(result, &options)?;
    let start = std::time::Instant::now();
    write.run_with(&args.run.with_progress("eval"))?;
    // The shape as written: a data-dependent one (`x[x > 0.5]`) is known only now.
    let written = chunkwise::zarr::open_array(out)?;
    let stored = written.stored_bytes()?;
    crate::print_line(&format!(
        "wrote {}: {} array of shape {:?}, {} stored, in {:.2} s",
        out.display(),
        result.dtype(),
        written.shape(),
        crate::info::size(stored),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// The SVG that Graphviz's `dot` draws of `graph` (DOT text), run as `dot -Tsvg` with the
/// graph on its standard input.
fn render_svg(graph: &str) -> Result<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let spawned = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(NO_DOT),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot run Graphviz's `dot`")),
    };
    // `dot` reads the whole graph before it writes, so writing it all first cannot wait
    // on a full output pipe; dropping the pipe ends its input.
    let written = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(graph.as_bytes()),
        None => Ok(()),
    };
    let output = child
        .wait_with_output()
        .context("cannot read the output of Graphviz's `dot`")?;
    if !output.status.success() {
        bail!(
            "Graphviz's `dot -Tsvg` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    written.context("cannot write the graph to Graphviz's `dot`")?;
    String::from_utf8(output.stdout).context("Graphviz's `dot` wrote SVG that is not UTF-8")
}

/// Opens the inputs and builds the lazy result of the expression; nothing is computed.
/// Also returns the inputs that are Zarr arrays, in the order given.
///
/// This is the seam for `--explain`: it needs only the lazy array returned here.
pub(crate) fn build(args: &EvalArgs) -> Result<(DynArray, Vec<chunkwise::zarr::ZarrArray>)> {
    let mut inputs = lang::Inputs::new();
    let mut zarr_inputs = Vec::new();
    for item in &args.inputs {
        let (name, spec) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--input `{item}` must be NAME=SPEC, e.g. x=random:100x100"))?;
        lang::Inputs::check_name(name)?;
        if inputs.get(name).is_some() {
            bail!("input `{name}` is given twice");
        }
        let input = lang::Input::open(spec).with_context(|| format!("input `{name}`"))?;
        let array = input.to_dyn().with_context(|| format!("input `{name}`"))?;
        if let lang::Input::Zarr(z) = input {
            zarr_inputs.push(z);
        }
        inputs.try_insert(name, array)?;
    }
    let result = lang::eval(&args.expression, &inputs)?;
    Ok((result, zarr_inputs))
}

fn check_size(result: &DynArray, max: usize) -> Result<()> {
    let n = result
        .shape()
        .iter()
        .try_fold(1usize, |acc, &len| acc.checked_mul(len));
    if n.is_none_or(|n| n > max) {
        let n = n.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string());
        bail!(
            "the result has shape {:?} ({n} elements), more than --max-elements {max}; reduce it \
             (e.g. `mean(EXPR, axis=0)`), slice it (e.g. `(EXPR)[:10]`), or raise --max-elements",
            result.shape()
        );
    }
    Ok(())
}

/// A value as JSON (numbers as Rust prints them, shortest round-trip; non-finite floats
/// as strings).
fn json_float(v: f64, text: String) -> String {
    if v.is_nan() {
        "\"nan\"".into()
    } else if v.is_infinite() {
        if v > 0.0 { "\"inf\"" } else { "\"-inf\"" }.into()
    } else {
        text
    }
}

fn nested<T>(a: &ArrayViewD<'_, T>, out: &mut String, f: &impl Fn(&T) -> String) {
    if a.ndim() == 0 {
        if let Some(v) = a.iter().next() {
            out.push_str(&f(v));
        }
        return;
    }
    out.push('[');
    for (i, sub) in a.outer_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        nested(&sub, out, f);
    }
    out.push(']');
}

fn json_values(a: &AnyArray) -> String {
    let mut s = String::new();
    match a {
        AnyArray::Bool(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::I8(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::I16(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::I32(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::I64(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::U8(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::U16(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::U32(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::U64(v) => nested(&v.view(), &mut s, &|x| x.to_string()),
        AnyArray::F32(v) => nested(&v.view(), &mut s, &|x| {
            json_float(f64::from(*x), format!("{x:?}"))
        }),
        AnyArray::F64(v) => nested(&v.view(), &mut s, &|x| json_float(*x, format!("{x:?}"))),
        other => nested(
            &other
                .cast(DType::F64)
                .into_typed::<f64>()
                .unwrap_or_default()
                .view(),
            &mut s,
            &|x| json_float(*x, format!("{x:?}")),
        ),
    }
    s
}

/// The result as one JSON object: `{"shape": [...], "dtype": "...", "values": ...}`.
pub(crate) fn to_json(a: &AnyArray) -> String {
    let mut s = String::from("{\"shape\": [");
    for (i, n) in a.shape().iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{n}");
    }
    let _ = write!(
        s,
        "], \"dtype\": \"{}\", \"values\": {}}}",
        a.dtype(),
        json_values(a)
    );
    s
}

/// The result as ndarray prints it (long arrays elided).
fn to_text(a: &AnyArray) -> String {
    match a {
        AnyArray::Bool(v) => v.to_string(),
        AnyArray::I8(v) => v.to_string(),
        AnyArray::I16(v) => v.to_string(),
        AnyArray::I32(v) => v.to_string(),
        AnyArray::I64(v) => v.to_string(),
        AnyArray::U8(v) => v.to_string(),
        AnyArray::U16(v) => v.to_string(),
        AnyArray::U32(v) => v.to_string(),
        AnyArray::U64(v) => v.to_string(),
        AnyArray::F32(v) => v.to_string(),
        AnyArray::F64(v) => v.to_string(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output() {
        let a = AnyArray::from(ndarray::array![[1.5, f64::NAN], [f64::INFINITY, -0.25]].into_dyn());
        assert_eq!(
            to_json(&a),
            r#"{"shape": [2, 2], "dtype": "float64", "values": [[1.5, "nan"], ["inf", -0.25]]}"#
        );
        let a = AnyArray::from(ndarray::arr0(0.1f32).into_dyn());
        assert_eq!(
            to_json(&a),
            r#"{"shape": [], "dtype": "float32", "values": 0.1}"#
        );
        let a = AnyArray::from(ndarray::array![true, false].into_dyn());
        assert_eq!(
            to_json(&a),
            r#"{"shape": [2], "dtype": "bool", "values": [true, false]}"#
        );
        let a = AnyArray::from(ndarray::Array::from_elem(vec![0, 2], 1u8).into_dyn());
        assert_eq!(
            to_json(&a),
            r#"{"shape": [0, 2], "dtype": "uint8", "values": []}"#
        );
        let v: serde_json::Value = serde_json::from_str(&to_json(&AnyArray::from(
            ndarray::array![1e300, 1e-7, -3.0].into_dyn(),
        )))
        .unwrap();
        assert_eq!(v["values"][0].as_f64(), Some(1e300));
        assert_eq!(v["values"][1].as_f64(), Some(1e-7));
        assert_eq!(v["values"][2].as_f64(), Some(-3.0));
    }
}
