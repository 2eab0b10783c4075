//! [`Inputs`], the named arrays an expression reads, and [`input`], which opens an input
//! spec: a Zarr array's path or a generator such as `random:1000x1000:chunks=250x250`
//! (the specs are listed on [`input`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::zarr::ZarrArray;
use crate::{Chunks, DType, DynArray, Scalar};

use super::value::CONSTANTS;

/// The named arrays an expression reads, by name.
///
/// [`insert`](Inputs::insert) and [`with`](Inputs::with) take any name, as a map does;
/// [`try_insert`](Inputs::try_insert) also checks that the name can be written in an
/// expression and is not taken, as the command line's `--input` does.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, Inputs};
/// let mut inputs = Inputs::new().with("x", chunkwise::ones::<f32>(&[4], [2]).to_dyn());
/// inputs.try_insert("y", lang::input("arange:4")?)?;
/// assert!(inputs.try_insert("y", lang::input("zeros:4")?).is_err());   // taken
/// assert!(inputs.try_insert("nan", lang::input("zeros:4")?).is_err()); // a constant
/// assert_eq!(inputs.names().collect::<Vec<_>>(), ["x", "y"]);
/// assert_eq!(lang::eval("x + y", &inputs)?.compute()?.sum_f64(), 10.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    arrays: BTreeMap<String, DynArray>,
}

impl Inputs {
    /// No inputs.
    #[must_use]
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// These inputs and `array` as `name` (replacing an input of that name).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, array: DynArray) -> Inputs {
        self.arrays.insert(name.into(), array);
        self
    }

    /// Adds `array` as `name`; returns the input it replaces, if any.
    pub fn insert(&mut self, name: impl Into<String>, array: DynArray) -> Option<DynArray> {
        self.arrays.insert(name.into(), array)
    }

    /// Adds `array` as `name`, if `name` is a valid input name (see
    /// [`check_name`](Inputs::check_name)) that is not taken yet.
    ///
    /// # Errors
    ///
    /// [`InputError::BadName`] and [`InputError::ReservedName`] as `check_name` says;
    /// [`InputError::DuplicateName`] when there is an input `name` already.
    pub fn try_insert(&mut self, name: &str, array: DynArray) -> Result<(), InputError> {
        Inputs::check_name(name)?;
        if self.arrays.contains_key(name) {
            return Err(InputError::DuplicateName { name: name.into() });
        }
        self.arrays.insert(name.into(), array);
        Ok(())
    }

    /// Checks that `name` can name an input: letters, digits and `_`, not starting with a
    /// digit, and not one of the language's constants (`True`, `False`, `None`, `nan`,
    /// `inf`, `pi`).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::lang::Inputs;
    /// assert!(Inputs::check_name("x_1").is_ok());
    /// assert!(Inputs::check_name("2x").is_err());
    /// assert!(Inputs::check_name("pi").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`InputError::BadName`] or [`InputError::ReservedName`].
    pub fn check_name(name: &str) -> Result<(), InputError> {
        let mut chars = name.chars();
        let ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(InputError::BadName { name: name.into() });
        }
        if CONSTANTS.contains(&name) {
            return Err(InputError::ReservedName { name: name.into() });
        }
        Ok(())
    }

    /// The input `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&DynArray> {
        self.arrays.get(name)
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.arrays.keys().map(String::as_str)
    }

    /// The number of inputs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.arrays.len()
    }

    /// True when there are no inputs.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.arrays.is_empty()
    }
}

impl<S: Into<String>> FromIterator<(S, DynArray)> for Inputs {
    fn from_iter<I: IntoIterator<Item = (S, DynArray)>>(iter: I) -> Self {
        let mut inputs = Inputs::new();
        inputs.extend(iter);
        inputs
    }
}

impl<S: Into<String>> Extend<(S, DynArray)> for Inputs {
    fn extend<I: IntoIterator<Item = (S, DynArray)>>(&mut self, iter: I) {
        for (name, array) in iter {
            self.insert(name, array);
        }
    }
}

/// What went wrong with an input: a spec that does not parse, a name that cannot be used,
/// or the library's error opening or building it.
///
/// # Example
///
/// ```
/// use chunkwise::lang::{self, InputError};
/// let err = lang::input("random:10:int32").unwrap_err();
/// assert!(matches!(err, InputError::GeneratorDType { kind: "random", .. }));
/// assert_eq!(
///     err.to_string(),
///     "`random` makes float32 or float64 numbers, not int32; convert with astype in the expression"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A path that looks like a Zarr array's (it has a separator or ends in `.zarr`) but
    /// is not a directory.
    #[error(
        "`{path}`: no such directory; give the directory of a Zarr array (the one holding \
         zarr.json or .zarray), or a generator such as `random:100x100`"
    )]
    NoSuchDirectory {
        /// The path given.
        path: String,
    },
    /// A spec that is neither a directory nor a generator.
    #[error(
        "unknown input source `{spec}`: expected the path of a Zarr array, or a generator, \
         one of random, normal, arange, ones, zeros, full, as in `random:100x100`"
    )]
    UnknownSource {
        /// The spec given.
        spec: String,
    },
    /// A generator without a shape.
    #[error("`{kind}` needs a shape, as in `{kind}:100x100`")]
    MissingShape {
        /// The generator.
        kind: &'static str,
    },
    /// A shape that is not lengths separated by `x`.
    #[error("bad shape `{text}`: expected lengths like 100x100")]
    BadShape {
        /// The shape given.
        text: String,
    },
    /// Chunks that are not lengths separated by `x` and `,`.
    #[error("bad chunks `{text}`: expected lengths like 250x250, or 3,1,3x5 for explicit lengths")]
    BadChunks {
        /// The chunks given.
        text: String,
    },
    /// A seed that is not a non-negative integer.
    #[error("bad seed `{text}`: expected a non-negative integer")]
    BadSeed {
        /// The seed given.
        text: String,
    },
    /// A `key=value` option with an unknown key.
    #[error("unknown option `{key}`: expected chunks=, seed=, value= or a dtype")]
    UnknownOption {
        /// The key given.
        key: String,
    },
    /// An option that is neither `key=value` nor a dtype.
    #[error(
        "unknown option `{option}`: expected chunks=..., seed=..., value=... or a dtype (f64, \
         float32, int16, uint8, bool...)"
    )]
    UnknownFlag {
        /// The option given.
        option: String,
    },
    /// `value=` for a generator other than `full`.
    #[error("`value=` is only for `full`")]
    ValueNotForKind {
        /// The generator.
        kind: &'static str,
    },
    /// `full` without `value=`.
    #[error("`full` needs a value, as in `full:3x4:value=2.5`")]
    MissingValue,
    /// A `value=` that is not a number or a bool.
    #[error("bad value `{text}`: expected a number (2, -1.5, nan, inf) or true/false")]
    BadValue {
        /// The value given.
        text: String,
    },
    /// A random generator asked for a dtype that is not a float.
    #[error("`{kind}` makes float32 or float64 numbers, not {dtype}; convert with astype in the expression")]
    GeneratorDType {
        /// The generator.
        kind: &'static str,
        /// The dtype asked for.
        dtype: DType,
    },
    /// An `arange` whose flat indices do not fit `int64`.
    #[error("shape {shape:?} has too many elements for int64 values")]
    TooManyElements {
        /// The shape.
        shape: Vec<usize>,
    },
    /// An input name that is not a name.
    #[error(
        "input name `{name}` is not a name: use letters, digits and `_`, not starting with a digit"
    )]
    BadName {
        /// The name given.
        name: String,
    },
    /// An input name that is a constant of the language.
    #[error("input name `{name}` is a constant of the expression language; choose another name")]
    ReservedName {
        /// The name given.
        name: String,
    },
    /// Two inputs of one name.
    #[error("input `{name}` is given twice")]
    DuplicateName {
        /// The name given.
        name: String,
    },
    /// The library refused the array (chunks that do not fit the shape...) or could not
    /// open the Zarr array; the error is the library's, reached through
    /// [`crate::Error::Invalid`] (see [`crate::Error::root`]).
    #[error(transparent)]
    Library(Arc<crate::Error>),
}

/// The generators, by spec kind.
const GENERATORS: [&str; 6] = ["random", "normal", "arange", "ones", "zeros", "full"];

/// An input spec, opened: a generated array, or a Zarr array (with its metadata and
/// attributes).
///
/// # Example
///
/// ```
/// use chunkwise::lang::Input;
/// let Input::Generated(a) = Input::open("ones:3x4:f32:chunks=2x2")? else { unreachable!() };
/// assert_eq!((a.shape(), a.dtype()), (&[3, 4][..], chunkwise::DType::F32));
/// # Ok::<(), chunkwise::lang::InputError>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Input {
    /// A generator's array.
    Generated(DynArray),
    /// A Zarr array, read chunk by chunk (in its default chunks) by [`Input::to_dyn`].
    Zarr(ZarrArray),
}

impl Input {
    /// Opens `spec`: a generator (`random:100x100:seed=1`...) or the path of a Zarr
    /// array's directory. Nothing is read or computed.
    ///
    /// # Errors
    ///
    /// An [`InputError`] naming what is wrong with the spec; [`InputError::Library`] when
    /// the Zarr array cannot be opened or the chunks do not fit the shape.
    pub fn open(spec: &str) -> Result<Input, InputError> {
        let kind = spec.split_once(':').map_or(spec, |(kind, _)| kind);
        if let Some(&kind) = GENERATORS.iter().find(|g| **g == kind) {
            let rest = spec.split_once(':').map_or("", |(_, rest)| rest);
            let array = generator(kind, rest)?;
            // Building never fails in the library; a bad chunking is kept in the array.
            return match array.error() {
                Some(e) => Err(library(e)),
                None => Ok(Input::Generated(array)),
            };
        }
        let path = Path::new(spec);
        // A URL (`s3://`, `https://`, `file://`): the store says what is wrong with it.
        let is_url = spec.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if is_url {
            return crate::zarr::open_array(spec)
                .map(Input::Zarr)
                .map_err(library);
        }
        let looks_like_a_path = spec.contains(std::path::MAIN_SEPARATOR)
            || path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("zarr"));
        if !path.is_dir() {
            return Err(if looks_like_a_path {
                InputError::NoSuchDirectory { path: spec.into() }
            } else {
                InputError::UnknownSource { spec: spec.into() }
            });
        }
        crate::zarr::open_array(spec)
            .map(Input::Zarr)
            .map_err(library)
    }

    /// The array: the generated one, or the Zarr array in its default chunks.
    ///
    /// # Errors
    ///
    /// [`InputError::Library`] when the Zarr array's dtype or chunks cannot be read.
    pub fn to_dyn(&self) -> Result<DynArray, InputError> {
        match self {
            Input::Generated(a) => Ok(a.clone()),
            Input::Zarr(z) => z.to_dyn(None).map_err(library),
        }
    }
}

/// Opens an input spec as an array: a generator or a Zarr array's path. Nothing is read
/// or computed.
///
/// A spec is the path of a Zarr array (v2 or v3), read chunk by chunk as a computation
/// needs it, or a generator `KIND:SHAPE[:OPTION]...` with `SHAPE` as `1000x1000` (or `10`
/// for one axis):
///
/// ```text
/// random:SHAPE     uniform numbers on [0, 1), seeded     (float64 or float32)
/// normal:SHAPE     standard normal numbers, seeded       (float64 or float32)
/// arange:SHAPE     0, 1, 2, ... in C order               (int64 unless a dtype is given)
/// ones:SHAPE       all ones                              (float64 unless a dtype is given)
/// zeros:SHAPE      all zeros                             (float64 unless a dtype is given)
/// full:SHAPE:value=V   all V                             (float64 unless a dtype is given)
/// options: chunks=250x250 (or 3,1,3x5 for explicit lengths, or auto), seed=N, a dtype
/// ```
///
/// Generators make the same values whatever the chunks: `random` and `normal` from their
/// seed, `arange` the flat C-order index of each element.
///
/// # Example
///
/// ```
/// use chunkwise::{lang, DType};
/// let a = lang::input("arange:3x4:chunks=2x3")?;
/// assert_eq!((a.shape(), a.dtype()), (&[3, 4][..], DType::I64));
/// assert_eq!(a.compute()?.sum_f64(), (0..12).sum::<i32>() as f64);
/// let r = lang::input("random:50x20:chunks=7x6:seed=3:f32")?;
/// assert_eq!(r.dtype(), DType::F32);
/// let err = lang::input("rnadom:10").unwrap_err();
/// assert!(err.to_string().contains("expected the path of a Zarr array, or a generator"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`Input::open`].
pub fn input(spec: &str) -> Result<DynArray, InputError> {
    Input::open(spec)?.to_dyn()
}

/// The library's error, reached through `Error::Invalid` to the cause it names.
fn library(e: crate::Error) -> InputError {
    fn root(e: &Arc<crate::Error>) -> Arc<crate::Error> {
        match &**e {
            crate::Error::Invalid { cause, .. } => root(cause),
            _ => e.clone(),
        }
    }
    InputError::Library(root(&Arc::new(e)))
}

/// The options of a generator spec.
struct GenSpec {
    shape: Vec<usize>,
    chunks: Chunks,
    seed: u64,
    dtype: Option<DType>,
    value: Option<String>,
}

fn parse_gen(kind: &'static str, rest: &str) -> Result<GenSpec, InputError> {
    let mut parts = rest.split(':');
    let shape_text = parts.next().unwrap_or("");
    if shape_text.is_empty() {
        return Err(InputError::MissingShape { kind });
    }
    let shape = shape_text
        .split('x')
        .map(|s| {
            s.trim().parse::<usize>().map_err(|_| InputError::BadShape {
                text: shape_text.into(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
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
                    .map_err(|_| InputError::BadSeed { text: v.into() })?;
            }
            Some(("value", v)) => spec.value = Some(v.to_string()),
            Some((k, _)) => return Err(InputError::UnknownOption { key: k.into() }),
            None => {
                spec.dtype = Some(
                    DType::parse(opt)
                        .map_err(|_| InputError::UnknownFlag { option: opt.into() })?,
                );
            }
        }
    }
    Ok(spec)
}

fn parse_chunks(v: &str) -> Result<Chunks, InputError> {
    if v == "auto" {
        return Ok(Chunks::Auto);
    }
    let bad = || InputError::BadChunks { text: v.into() };
    let axes: Vec<Vec<usize>> = v
        .split('x')
        .map(|axis| {
            axis.split(',')
                .map(|s| s.trim().parse::<usize>().map_err(|_| bad()))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()?;
    if axes.iter().all(|a| a.len() == 1) {
        Ok(Chunks::from(
            axes.into_iter().map(|a| a[0]).collect::<Vec<_>>(),
        ))
    } else {
        Ok(Chunks::from(axes))
    }
}

fn generator(kind: &'static str, rest: &str) -> Result<DynArray, InputError> {
    let g = parse_gen(kind, rest)?;
    if g.value.is_some() && kind != "full" {
        return Err(InputError::ValueNotForKind { kind });
    }
    let shape = &g.shape;
    let chunks = g.chunks.clone();
    Ok(match kind {
        "random" | "normal" => {
            let normal = kind == "normal";
            match g.dtype.unwrap_or(DType::F64) {
                DType::F64 if normal => {
                    crate::random::normal::<f64>(shape, chunks, g.seed).to_dyn()
                }
                DType::F64 => crate::random::uniform::<f64>(shape, chunks, g.seed).to_dyn(),
                DType::F32 if normal => {
                    crate::random::normal::<f32>(shape, chunks, g.seed).to_dyn()
                }
                DType::F32 => crate::random::uniform::<f32>(shape, chunks, g.seed).to_dyn(),
                dtype => return Err(InputError::GeneratorDType { kind, dtype }),
            }
        }
        "arange" => arange(shape, &chunks)?.astype(g.dtype.unwrap_or(DType::I64)),
        _ => {
            let dtype = g.dtype.unwrap_or(DType::F64);
            let value = match (kind, &g.value) {
                ("ones", _) => Scalar::F64(1.0),
                ("zeros", _) => Scalar::F64(0.0),
                (_, Some(v)) => parse_value(v)?,
                (_, None) => return Err(InputError::MissingValue),
            };
            DynArray::full(shape, value.cast(dtype), chunks)
        }
    })
}

fn parse_value(v: &str) -> Result<Scalar, InputError> {
    if let Ok(i) = v.parse::<i64>() {
        return Ok(Scalar::I64(i));
    }
    match v {
        "true" | "True" => return Ok(Scalar::Bool(true)),
        "false" | "False" => return Ok(Scalar::Bool(false)),
        _ => {}
    }
    v.parse::<f64>()
        .map(Scalar::F64)
        .map_err(|_| InputError::BadValue { text: v.into() })
}

/// `0, 1, 2, ...` in C order over `shape`, lazily: the sum over axes of
/// `arange(len) * stride`, broadcast, so no input is held in memory.
fn arange(shape: &[usize], chunks: &Chunks) -> Result<DynArray, InputError> {
    let grid = chunks.resolve(shape, DType::I64).map_err(library)?;
    let too_many = || InputError::TooManyElements {
        shape: shape.to_vec(),
    };
    let mut total = DynArray::full(&[], Scalar::I64(0), Vec::<usize>::new());
    let mut stride: i64 = 1;
    for d in (0..shape.len()).rev() {
        let len = i64::try_from(shape[d]).map_err(|_| too_many())?;
        let sizes: Vec<usize> = grid.axis(d).sizes().collect();
        let mut axis = crate::arange(0i64, len, 1, vec![sizes])
            .to_dyn()
            .mul(stride);
        for k in d + 1..shape.len() {
            axis = axis.expand_dims(k - d);
        }
        total = total.add(&axis);
        stride = stride.checked_mul(len.max(1)).ok_or_else(too_many)?;
    }
    Ok(total.rechunk(Chunks::Grid(grid)))
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
        let a = input("arange:3x4:chunks=2x3").unwrap();
        assert_eq!((a.shape(), a.dtype()), (&[3, 4][..], DType::I64));
        assert_eq!(a.chunks().to_string(), "((2, 1), (3, 1))");
        assert_eq!(values(&a), (0..12).map(f64::from).collect::<Vec<_>>());
        let a = input("arange:2x0x3").unwrap();
        assert_eq!(a.shape(), &[2, 0, 3]);
        let a = input("arange:5:f32:chunks=2").unwrap();
        assert_eq!(
            (a.dtype(), values(&a)),
            (DType::F32, vec![0.0, 1.0, 2.0, 3.0, 4.0])
        );
        let a = input("ones:3x4:f32:chunks=1,2x4").unwrap();
        assert_eq!(
            (a.dtype(), a.chunks().to_string()),
            (DType::F32, "((1, 2), (4,))".to_string())
        );
        assert_eq!(values(&a), vec![1.0; 12]);
        assert_eq!(values(&input("zeros:2:int8").unwrap()), vec![0.0; 2]);
        assert_eq!(values(&input("full:2:value=-1.5").unwrap()), vec![-1.5; 2]);
        assert_eq!(input("full:2:value=3:uint16").unwrap().dtype(), DType::U16);
        assert_eq!(
            values(&input("full:2:value=true:bool").unwrap()),
            vec![1.0; 2]
        );
        let r1 = values(&input("random:50x20:chunks=7x6:seed=3").unwrap());
        let r2 = values(&input("random:50x20:seed=3").unwrap());
        assert_eq!(r1, r2);
        assert!(r1.iter().all(|v| (0.0..1.0).contains(v)));
        assert_ne!(r1, values(&input("random:50x20:seed=4").unwrap()));
        assert_eq!(input("normal:10:f32").unwrap().dtype(), DType::F32);
    }

    #[test]
    fn bad_specs_say_what_is_valid() {
        let err = |s: &str| input(s).unwrap_err().to_string();
        assert!(err("data/x.zarr").contains("`data/x.zarr`: no such directory"));
        assert!(err("rnadom:10").contains("expected the path of a Zarr array"));
        assert!(err("random").contains("needs a shape"));
        assert!(err("random:10xa").contains("bad shape"));
        assert!(err("random:10:int32").contains("float32 or float64"));
        assert!(err("ones:10:chunks=0").contains("chunk size 0"));
        assert!(err("ones:10:chunks=3x3").contains("axes"));
        assert!(err("ones:10:chunks=3y").contains("bad chunks `3y`"));
        assert!(err("ones:10:flot32").contains("unknown option `flot32`"));
        assert!(err("ones:10:color=red").contains("unknown option `color`"));
        assert!(err("full:10").contains("needs a value"));
        assert!(err("full:10:value=abc").contains("bad value"));
        assert!(err("ones:10:value=2").contains("only for `full`"));
        assert!(err("random:10:seed=-1").contains("bad seed"));
        assert!(matches!(
            input("ones:10:chunks=0").unwrap_err(),
            InputError::Library(e) if matches!(*e, crate::Error::ZeroChunk { .. })
        ));
    }

    #[test]
    fn names() {
        assert!(Inputs::check_name("2x").is_err());
        assert!(Inputs::check_name("").is_err());
        assert!(Inputs::check_name("a-b").is_err());
        assert!(Inputs::check_name("nan").is_err());
        assert!(Inputs::check_name("x_1").is_ok());
        assert!(Inputs::check_name("_").is_ok());
        let mut inputs = Inputs::new();
        let x = input("ones:2").unwrap();
        inputs.try_insert("x", x.clone()).unwrap();
        assert_eq!(
            inputs.try_insert("x", x.clone()).unwrap_err().to_string(),
            "input `x` is given twice"
        );
        assert!(inputs.insert("x", x).is_some());
        let collected: Inputs = [("a", input("ones:1").unwrap())].into_iter().collect();
        assert_eq!(collected.len(), 1);
    }

    #[test]
    fn zarr_paths_open_lazily() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zarr");
        let a = crate::arange(0i32, 6, 1, [4]);
        a.to_zarr(&crate::zarr::ZarrWriteOptions::new(&path))
            .unwrap()
            .run()
            .unwrap();
        let spec = path.to_str().unwrap();
        let Input::Zarr(z) = Input::open(spec).unwrap() else {
            panic!("not a Zarr input")
        };
        assert_eq!(z.shape(), &[6]);
        assert_eq!(
            values(&input(spec).unwrap()),
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
        );
    }
}
