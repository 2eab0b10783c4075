//! `chunkwise eval`: evaluates a NumPy-like expression over named inputs and prints the
//! result.
//!
//! The command runs in phases, each a library call: open the inputs ([`open_input`]),
//! build the lazy result ([`crate::eval::evaluate`]), check its size, compute, print. A
//! plan explanation (`--explain`) belongs between building and computing: it needs only
//! the lazy `DynArray` that [`build`] returns.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::{anyhow, bail, Context, Result};
use chunkwise::{AnyArray, Chunks, DType, DynArray, Scalar};
use clap::Args;
use ndarray::ArrayViewD;

use crate::eval::{self, ExprError};

const AFTER_HELP: &str = "\
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
  numbers 1, 2.5, 1e-3, nan, inf, pi, True, False; input names
  + - * / ** (true division; -x**2 is -(x**2)), comparisons == != < <= > >=
  & | ~ on bool arrays (bind tighter than comparisons, as in NumPy: (x > 0) & (y < 1))
  elementwise: abs sqrt exp log log10 sin cos tan arcsin arccos arctan sinh cosh tanh
               floor ceil round isnan isfinite negative logical_not
               minimum maximum power add subtract multiply divide equal not_equal less
               less_equal greater greater_equal logical_and logical_or where(c, a, b)
  reductions:  sum prod mean min max var std argmin argmax any all nansum nanmean nanmin
               nanmax, with axis=0, axis=-1, axis=(0, 1), keepdims=True, ddof=1 (var, std);
               also as methods: x.mean(axis=0)
  others:      astype(x, \"float32\"), x.astype(\"int16\"), transpose(x), x.T
  indexing:    x[0], x[-1], x[::2, 10:-3], x[..., 1], x[None] (NumPy rules, clamped)
  Numbers are weak, as Python numbers in NumPy 2: a float32 array times 2 stays float32.

OUTPUT:
  --json prints {\"shape\": [...], \"dtype\": \"float64\", \"values\": ...} on one line, the values
  as nested lists (a bare number for a 0-d result); NaN and infinities are the strings
  \"nan\", \"inf\" and \"-inf\". Results over --max-elements are refused before computing.
  --output PATH writes the result to a new Zarr v3 array instead, chunk by chunk, of any
  size (--chunks, --shards and --codec set its layout; --overwrite replaces an existing
  one). The attributes of a single Zarr input (units...) are copied, with the expression.

EXAMPLES:
  chunkwise eval 'mean(x, axis=0)[:5]' --input x=random:4000x4000:chunks=1000x1000 --json
  chunkwise eval 'std(x - x.mean(axis=0), ddof=1)' --input x=normal:2000x500:seed=7
  chunkwise eval 'sum(where(x > 0.5, 1, 0))' --input x=random:1000x1000 --json
  chunkwise eval 'x.T[::100, -1] * 2' --input x=arange:300x200:chunks=64x64 --json
  chunkwise eval 'std(x - mean(x, axis=0), axis=0)' --input x=random:8000x8000 --explain
  chunkwise eval '(t - t.mean(axis=0)) / t.std(axis=0)' -i t=data.zarr/temperature \\
      --output anomaly.zarr --chunks 512,512 --codec zstd:5";

/// Arguments of `chunkwise eval`.
#[derive(Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub(crate) struct EvalArgs {
    /// The expression, e.g. 'mean(x, axis=0)' (see --help for the language).
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
    /// Refuse results with more elements than this (checked before computing; not with
    /// --output).
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    max_elements: usize,
    #[command(flatten)]
    run: crate::options::RunArgs,
    /// Print the optimized plan (fused kernels, tasks, bytes per task, projected peak
    /// memory) instead of computing.
    #[arg(long)]
    explain: bool,
}

pub(crate) fn run(args: &EvalArgs) -> Result<()> {
    let (result, zarr_inputs) = build(args)?;
    if args.explain {
        crate::print_line(result.explain_with(&args.run.options())?.trim_end());
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
        crate::print_line(&to_json(&value));
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
    let write = chunkwise::zarr::create_zarr(result, &options)?;
    let start = std::time::Instant::now();
    write.run_with(&args.run.with_progress("eval"))?;
    let stored = chunkwise::zarr::open_array(out)?.stored_bytes()?;
    crate::print_line(&format!(
        "wrote {}: {} array of shape {:?}, {} stored, in {:.2} s",
        out.display(),
        result.dtype(),
        result.shape(),
        crate::info::size(stored),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// Opens the inputs and builds the lazy result of the expression; nothing is computed.
/// Also returns the inputs that are Zarr arrays, in the order given.
///
/// This is the seam for `--explain`: it needs only the lazy array returned here.
pub(crate) fn build(args: &EvalArgs) -> Result<(DynArray, Vec<chunkwise::zarr::ZarrArray>)> {
    let mut inputs = BTreeMap::new();
    let mut zarr_inputs = Vec::new();
    for item in &args.inputs {
        let (name, spec) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--input `{item}` must be NAME=SPEC, e.g. x=random:100x100"))?;
        check_name(name)?;
        if inputs.contains_key(name) {
            bail!("input `{name}` is given twice");
        }
        let array = if is_generator(spec) {
            open_input(spec)
        } else {
            open_zarr(spec).and_then(|z| {
                let array = z.to_dyn(None)?;
                zarr_inputs.push(z);
                Ok(array)
            })
        }
        .with_context(|| format!("input `{name}`"))?;
        inputs.insert(name.to_string(), array);
    }
    let result = eval::evaluate(&args.expression, &inputs).map_err(|diagnostic| ExprError {
        diagnostic,
        source: args.expression.clone(),
    })?;
    Ok((result, zarr_inputs))
}

fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        bail!("input name `{name}` is not a name: use letters, digits and `_`, not starting with a digit");
    }
    if matches!(name, "True" | "False" | "None" | "nan" | "inf" | "pi") {
        bail!("input name `{name}` is a constant of the expression language; choose another name");
    }
    Ok(())
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

/// Opens one input source: a Zarr array's directory, or a generator. A new kind is one more
/// arm here.
///
/// # Errors
///
/// When the spec is malformed or names an unknown kind.
pub(crate) fn open_input(spec: &str) -> Result<DynArray> {
    if is_generator(spec) {
        let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let array = generator(kind, rest)?;
        // Building never fails in the library; a bad chunking is kept in the array.
        match array.error() {
            Some(e) => Err(anyhow::anyhow!("{}", e.root())),
            None => Ok(array),
        }
    } else {
        Ok(open_zarr(spec)?.to_dyn(None)?)
    }
}

const GENERATORS: [&str; 6] = ["random", "normal", "arange", "ones", "zeros", "full"];

fn is_generator(spec: &str) -> bool {
    let kind = spec.split_once(':').map_or(spec, |(kind, _)| kind);
    GENERATORS.contains(&kind)
}

fn open_zarr(spec: &str) -> Result<chunkwise::zarr::ZarrArray> {
    let path = std::path::Path::new(spec);
    let looks_like_a_path = spec.contains(std::path::MAIN_SEPARATOR)
        || path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zarr"));
    if looks_like_a_path && !std::path::Path::new(spec).is_dir() {
        bail!(
            "`{spec}`: no such directory; give the directory of a Zarr array (the one holding \
             zarr.json or .zarray), or a generator such as `random:100x100`"
        );
    }
    if !std::path::Path::new(spec).is_dir() {
        bail!(
            "unknown input source `{spec}`: expected the path of a Zarr array, or a generator, \
             one of random, normal, arange, ones, zeros, full, as in `random:100x100`"
        );
    }
    Ok(chunkwise::zarr::open_array(spec)?)
}

/// The options of a generator spec.
struct GenSpec {
    shape: Vec<usize>,
    chunks: Chunks,
    seed: u64,
    dtype: Option<DType>,
    value: Option<String>,
}

fn parse_gen(kind: &str, rest: &str) -> Result<GenSpec> {
    let mut parts = rest.split(':');
    let shape_text = parts.next().unwrap_or("");
    if shape_text.is_empty() {
        bail!("`{kind}` needs a shape, as in `{kind}:100x100`");
    }
    let shape = shape_text
        .split('x')
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| anyhow!("bad shape `{shape_text}`: expected lengths like 100x100"))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut spec = GenSpec {
        shape,
        chunks: Chunks::Auto,
        seed: 0,
        dtype: None,
        value: None,
    };
    for opt in parts {
        match opt.split_once('=') {
            Some(("chunks", v)) => spec.chunks = parse_chunks(v)?,
            Some(("seed", v)) => {
                spec.seed = v
                    .parse()
                    .map_err(|_| anyhow!("bad seed `{v}`: expected a non-negative integer"))?;
            }
            Some(("value", v)) => spec.value = Some(v.to_string()),
            Some((k, _)) => {
                bail!("unknown option `{k}`: expected chunks=, seed=, value= or a dtype")
            }
            None => {
                spec.dtype = Some(DType::parse(opt).map_err(|_| {
                    anyhow!(
                        "unknown option `{opt}`: expected chunks=..., seed=..., value=... or a \
                         dtype (f64, float32, int16, uint8, bool...)"
                    )
                })?);
            }
        }
    }
    Ok(spec)
}

fn parse_chunks(v: &str) -> Result<Chunks> {
    if v == "auto" {
        return Ok(Chunks::Auto);
    }
    let bad = || {
        anyhow!("bad chunks `{v}`: expected lengths like 250x250, or 3,1,3x5 for explicit lengths")
    };
    let axes: Vec<Vec<usize>> = v
        .split('x')
        .map(|axis| {
            axis.split(',')
                .map(|s| s.trim().parse::<usize>().map_err(|_| bad()))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    if axes.iter().all(|a| a.len() == 1) {
        Ok(Chunks::from(
            axes.into_iter().map(|a| a[0]).collect::<Vec<_>>(),
        ))
    } else {
        Ok(Chunks::from(axes))
    }
}

fn generator(kind: &str, rest: &str) -> Result<DynArray> {
    let g = parse_gen(kind, rest)?;
    if g.value.is_some() && kind != "full" {
        bail!("`value=` is only for `full`");
    }
    let shape = &g.shape;
    let chunks = g.chunks.clone();
    Ok(match kind {
        "random" | "normal" => {
            let normal = kind == "normal";
            match g.dtype.unwrap_or(DType::F64) {
                DType::F64 if normal => chunkwise::random::normal::<f64>(shape, chunks, g.seed).to_dyn(),
                DType::F64 => chunkwise::random::uniform::<f64>(shape, chunks, g.seed).to_dyn(),
                DType::F32 if normal => chunkwise::random::normal::<f32>(shape, chunks, g.seed).to_dyn(),
                DType::F32 => chunkwise::random::uniform::<f32>(shape, chunks, g.seed).to_dyn(),
                other => bail!("`{kind}` makes float32 or float64 numbers, not {other}; convert with astype in the expression"),
            }
        }
        "arange" => arange(shape, &chunks)?.astype(g.dtype.unwrap_or(DType::I64)),
        _ => {
            let dtype = g.dtype.unwrap_or(DType::F64);
            let value = match (kind, &g.value) {
                ("ones", _) => Scalar::F64(1.0),
                ("zeros", _) => Scalar::F64(0.0),
                (_, Some(v)) => parse_value(v)?,
                (_, None) => bail!("`full` needs a value, as in `full:3x4:value=2.5`"),
            };
            DynArray::full(shape, value.cast(dtype), chunks)
        }
    })
}

fn parse_value(v: &str) -> Result<Scalar> {
    if let Ok(i) = v.parse::<i64>() {
        return Ok(Scalar::I64(i));
    }
    match v {
        "true" | "True" => return Ok(Scalar::Bool(true)),
        "false" | "False" => return Ok(Scalar::Bool(false)),
        _ => {}
    }
    v.parse::<f64>().map(Scalar::F64).map_err(|_| {
        anyhow!("bad value `{v}`: expected a number (2, -1.5, nan, inf) or true/false")
    })
}

/// `0, 1, 2, ...` in C order over `shape`, lazily: the sum over axes of
/// `arange(len) * stride`, broadcast, so no input is held in memory.
fn arange(shape: &[usize], chunks: &Chunks) -> Result<DynArray> {
    let grid = chunks.resolve(shape, DType::I64)?;
    let mut total = DynArray::full(&[], Scalar::I64(0), Vec::<usize>::new());
    let mut stride: i64 = 1;
    for d in (0..shape.len()).rev() {
        let len = i64::try_from(shape[d])?;
        let sizes: Vec<usize> = grid.axis(d).sizes().collect();
        let mut axis = chunkwise::arange(0i64, len, 1, vec![sizes])
            .to_dyn()
            .mul(stride);
        for k in d + 1..shape.len() {
            axis = axis.expand_dims(k - d);
        }
        total = total.add(&axis);
        stride = stride
            .checked_mul(len.max(1))
            .ok_or_else(|| anyhow!("shape {shape:?} has too many elements for int64 values"))?;
    }
    Ok(total.rechunk(Chunks::Grid(grid)))
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

    fn values(a: &DynArray) -> Vec<f64> {
        a.compute()
            .unwrap()
            .cast(DType::F64)
            .into_typed::<f64>()
            .unwrap()
            .iter()
            .copied()
            .collect()
    }

    #[test]
    fn generators() {
        let a = open_input("arange:3x4:chunks=2x3").unwrap();
        assert_eq!((a.shape(), a.dtype()), (&[3, 4][..], DType::I64));
        assert_eq!(a.chunks().to_string(), "((2, 1), (3, 1))");
        assert_eq!(values(&a), (0..12).map(f64::from).collect::<Vec<_>>());
        let a = open_input("arange:2x0x3").unwrap();
        assert_eq!(a.shape(), &[2, 0, 3]);
        let a = open_input("arange:5:f32:chunks=2").unwrap();
        assert_eq!(
            (a.dtype(), values(&a)),
            (DType::F32, vec![0.0, 1.0, 2.0, 3.0, 4.0])
        );
        let a = open_input("ones:3x4:f32:chunks=1,2x4").unwrap();
        assert_eq!(
            (a.dtype(), a.chunks().to_string()),
            (DType::F32, "((1, 2), (4,))".to_string())
        );
        assert_eq!(values(&a), vec![1.0; 12]);
        assert_eq!(values(&open_input("zeros:2:int8").unwrap()), vec![0.0; 2]);
        assert_eq!(
            values(&open_input("full:2:value=-1.5").unwrap()),
            vec![-1.5; 2]
        );
        assert_eq!(
            open_input("full:2:value=3:uint16").unwrap().dtype(),
            DType::U16
        );
        let r1 = values(&open_input("random:50x20:chunks=7x6:seed=3").unwrap());
        let r2 = values(&open_input("random:50x20:seed=3").unwrap());
        assert_eq!(r1, r2);
        assert!(r1.iter().all(|v| (0.0..1.0).contains(v)));
        assert_ne!(r1, values(&open_input("random:50x20:seed=4").unwrap()));
        assert_eq!(open_input("normal:10:f32").unwrap().dtype(), DType::F32);
    }

    #[test]
    fn bad_specs_say_what_is_valid() {
        let err = |s: &str| format!("{:#}", open_input(s).unwrap_err());
        assert!(err("data/x.zarr").contains("`data/x.zarr`: no such directory"));
        assert!(err("rnadom:10").contains("expected the path of a Zarr array"));
        assert!(err("random").contains("needs a shape"));
        assert!(err("random:10xa").contains("bad shape"));
        assert!(err("random:10:int32").contains("float32 or float64"));
        assert!(err("ones:10:chunks=0").contains("chunk size 0"));
        assert!(err("ones:10:chunks=3x3").contains("axes"));
        assert!(err("ones:10:flot32").contains("unknown option `flot32`"));
        assert!(err("ones:10:color=red").contains("unknown option `color`"));
        assert!(err("full:10").contains("needs a value"));
        assert!(err("full:10:value=abc").contains("bad value"));
        assert!(err("ones:10:value=2").contains("only for `full`"));
        assert!(err("random:10:seed=-1").contains("bad seed"));
        assert!(check_name("2x").is_err());
        assert!(check_name("nan").is_err());
        assert!(check_name("x_1").is_ok());
    }

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
