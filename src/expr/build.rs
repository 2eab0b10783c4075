//! Constructors for every kind of node: they check their inputs (shapes, dtypes, axes),
//! derive the result's metadata, and return errors that say how to fix bad input.
//!
//! Both the typed facade (`LazyArray<T>`) and runtime-typed callers build through these
//! functions, so the rules (broadcasting, chunk unification, dtype results) live once.

use std::sync::Arc;

use ndarray::SliceInfoElem;

use super::ops::{Invalid, MapOp, Op, Reduction, Source};
use super::{Meta, Node};
use crate::chunks::{checked_len, AxisChunks, AxisSelection, ChunkGrid, Chunks, SliceMap};
use crate::element::{DType, Scalar};
use crate::error::{Error, Result};
use crate::io::{BlockReader, BlockWriter};
use crate::ops::{BinaryFn, ReduceFn, ReduceParam, UnaryFn};

/// The default fan-in of a reduction's combine tree (Dask's `split_every`).
pub(crate) const DEFAULT_SPLIT_EVERY: usize = 16;

/// A source node of `shape`, cut as `chunks` asks.
pub(crate) fn source(
    source: Source,
    shape: &[usize],
    dtype: DType,
    chunks: &Chunks,
) -> Result<Arc<Node>> {
    let len = checked_len(shape)?;
    len.checked_mul(dtype.size())
        .ok_or_else(|| Error::ShapeOverflow {
            shape: shape.to_vec(),
        })?;
    let grid = chunks.resolve(shape, dtype)?;
    Ok(Node::new(
        Op::Source(source),
        Vec::new(),
        Meta::new(dtype, grid),
    ))
}

/// A node standing for an operation that was invalid when built at `location`: it holds
/// the error until `compute` or `explain` returns it. Its metadata is a placeholder (a 0-d
/// array of `dtype`).
pub(crate) fn invalid(
    op: &'static str,
    location: &'static std::panic::Location<'static>,
    error: Error,
    dtype: DType,
) -> Arc<Node> {
    // An error that already says where it was built keeps its own location.
    let invalid = match error {
        Error::Invalid {
            op,
            location,
            cause,
        } => Invalid {
            op,
            location,
            error: cause,
        },
        error => Invalid {
            op,
            location,
            error: Arc::new(error),
        },
    };
    Node::new(
        Op::Invalid(invalid),
        Vec::new(),
        Meta::new(dtype, ChunkGrid::scalar()),
    )
}

/// The first invalid node among `inputs`, as a node of `dtype`: an operation on an
/// invalid array is invalid for the same reason, and only the first error is reported.
pub(crate) fn first_invalid(inputs: &[&Arc<Node>], dtype: DType) -> Option<Arc<Node>> {
    inputs.iter().find_map(|n| match &n.op {
        Op::Invalid(_) if n.dtype() == dtype => Some((*n).clone()),
        Op::Invalid(i) => Some(Node::new(
            Op::Invalid(i.clone()),
            Vec::new(),
            Meta::new(dtype, ChunkGrid::scalar()),
        )),
        _ => None,
    })
}

/// The node `build` makes from `inputs`, or, when an input is invalid or `build` fails,
/// an invalid node of `dtype` located at the caller: building never fails, and the error
/// is returned by `compute`.
#[track_caller]
pub(crate) fn or_invalid(
    op: &'static str,
    inputs: &[&Arc<Node>],
    dtype: DType,
    build: impl FnOnce() -> Result<Arc<Node>>,
) -> Arc<Node> {
    let location = std::panic::Location::caller();
    if let Some(node) = first_invalid(inputs, dtype) {
        return node;
    }
    match build() {
        Ok(node) => node,
        Err(e) => invalid(op, location, e, dtype),
    }
}

/// A 0-d constant.
pub(crate) fn scalar(value: Scalar) -> Arc<Node> {
    Node::new(
        Op::Source(Source::Full(value)),
        Vec::new(),
        Meta::new(value.dtype(), ChunkGrid::scalar()),
    )
}

/// `x` converted to `dtype` (`x` itself when it already has that dtype).
pub(crate) fn cast(x: &Arc<Node>, dtype: DType) -> Arc<Node> {
    if x.dtype() == dtype {
        return x.clone();
    }
    Node::new(
        Op::Map(MapOp::Cast),
        vec![x.clone()],
        Meta::new(dtype, x.chunks().clone()),
    )
}

/// An elementwise function of one input, by its [`UnaryRule`](crate::ops::UnaryRule):
/// the input is converted to the dtype the function runs in first.
pub(crate) fn unary(op: UnaryFn, x: &Arc<Node>) -> Result<Arc<Node>> {
    let rule = op.rule();
    let dtype = x.dtype();
    let (Some(input), Some(out_dtype)) = (rule.input_dtype(dtype), rule.result_dtype(dtype)) else {
        return Err(Error::UnsupportedDType {
            op: op.name(),
            dtype,
            needs: rule.needs(),
        });
    };
    let input = cast(x, input);
    let chunks = input.chunks().clone();
    Ok(Node::new(
        Op::Map(MapOp::Unary(op)),
        vec![input],
        Meta::new(out_dtype, chunks),
    ))
}

/// `x` raised to the constant integer power `exponent`.
pub(crate) fn powi(x: &Arc<Node>, exponent: i32) -> Result<Arc<Node>> {
    let dtype = x.dtype();
    require_numeric("powi", dtype)?;
    if exponent < 0 && dtype.is_integer() {
        return Err(Error::parameter(
            "powi",
            "exponent",
            exponent,
            "a non-negative exponent: integers to negative integer powers are not allowed \
             (as in NumPy); cast the base to float first (`astype`)",
        ));
    }
    Ok(Node::new(
        Op::Map(MapOp::Powi(exponent)),
        vec![x.clone()],
        x.meta.clone(),
    ))
}

fn require_numeric(op: &'static str, dtype: DType) -> Result<()> {
    if dtype.is_numeric() {
        Ok(())
    } else {
        Err(Error::UnsupportedDType {
            op,
            dtype,
            needs: "a numeric array; cast bool with `astype` first",
        })
    }
}

/// An elementwise function of two inputs of the same dtype, with broadcasting, by its
/// [`BinaryRule`]: both inputs are converted to the dtype the function runs in first
/// (integers to `float64` for `arctan2`, say). `divide` keeps the dtype here; runtime-
/// typed callers make it true division by promoting the operands to a float first.
pub(crate) fn binary(op: BinaryFn, a: &Arc<Node>, b: &Arc<Node>) -> Result<Arc<Node>> {
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch {
            context: format!("`{}` needs operands of one dtype", op.name()),
            expected: a.dtype(),
            found: b.dtype(),
        });
    }
    let rule = op.rule();
    let dtype = a.dtype();
    let (Some(input), Some(out_dtype)) = (rule.input_dtype(dtype), rule.result_dtype(dtype)) else {
        return Err(Error::UnsupportedDType {
            op: op.name(),
            dtype,
            needs: rule.needs(),
        });
    };
    if op == BinaryFn::Pow && dtype.is_integer() {
        refuse_negative_constant_exponent(b)?;
    }
    map_node(
        MapOp::Binary(op),
        op.name(),
        &[cast(a, input), cast(b, input)],
        out_dtype,
    )
}

/// An integer array to a constant negative power is refused when it is built (NumPy:
/// "Integers to negative integer powers are not allowed"); an exponent array is
/// checked by the kernel, block by block.
fn refuse_negative_constant_exponent(exponent: &Node) -> Result<()> {
    if let Op::Source(Source::Full(value)) = &exponent.op {
        let v = value.cast(DType::I64);
        if let Scalar::I64(e) = v {
            if e < 0 {
                return Err(Error::negative_integer_power(e));
            }
        }
    }
    Ok(())
}

/// `where(cond, a, b)`.
pub(crate) fn where_(cond: &Arc<Node>, a: &Arc<Node>, b: &Arc<Node>) -> Result<Arc<Node>> {
    if cond.dtype() != DType::Bool {
        return Err(Error::DTypeMismatch {
            context: "the condition of `where`".into(),
            expected: DType::Bool,
            found: cond.dtype(),
        });
    }
    if a.dtype() != b.dtype() {
        return Err(Error::DTypeMismatch {
            context: "`where` needs both branches of one dtype".into(),
            expected: a.dtype(),
            found: b.dtype(),
        });
    }
    map_node(
        MapOp::Where,
        "where",
        &[cond.clone(), a.clone(), b.clone()],
        a.dtype(),
    )
}

/// The shape that `shapes` broadcast to, NumPy style.
pub(crate) fn broadcast_shapes(op: &'static str, shapes: &[&[usize]]) -> Result<Vec<usize>> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    let mut owner: Vec<Option<usize>> = vec![None; ndim];
    for (i, s) in shapes.iter().enumerate() {
        let offset = ndim - s.len();
        for (k, &len) in s.iter().enumerate() {
            let d = offset + k;
            if len == 1 {
                continue;
            }
            match owner[d] {
                None => {
                    out[d] = len;
                    owner[d] = Some(i);
                }
                Some(_) if out[d] == len => {}
                Some(j) => {
                    return Err(Error::ShapeMismatch {
                        op,
                        lhs: shapes[j].to_vec(),
                        rhs: s.to_vec(),
                        axis: d,
                        lhs_len: out[d],
                        rhs_len: len,
                    })
                }
            }
        }
    }
    Ok(out)
}

/// An elementwise node of `op` over `inputs` with result `dtype` (the inputs already of
/// the dtypes `op` needs): for rewrites that rebuild an existing operation.
pub(crate) fn map_with(op: MapOp, inputs: &[Arc<Node>], dtype: DType) -> Result<Arc<Node>> {
    map_node(op, op.name(), inputs, dtype)
}

/// Builds an n-ary map node: broadcasts the shapes and brings the inputs to a common
/// chunking.
///
/// The common chunking is the one that moves the fewest bytes: along each result axis
/// the candidates are the chunkings of the inputs spanning it without broadcasting, and
/// of all combinations the one is chosen whose rechunked inputs weigh least. Rechunking
/// a generator or in-memory source moves nothing (it is made in any chunking), so it
/// adapts to the other operands. Ties go to the chunking of the largest input. Inputs
/// broadcast along an axis keep their single chunk there.
fn map_node(
    op: MapOp,
    name: &'static str,
    inputs: &[Arc<Node>],
    out_dtype: DType,
) -> Result<Arc<Node>> {
    if inputs.len() != op.arity() {
        return Err(Error::internal(
            "expr::build",
            format!(
                "`{name}` built with {} inputs, not {}",
                inputs.len(),
                op.arity()
            ),
        ));
    }
    let shapes: Vec<&[usize]> = inputs.iter().map(|n| n.shape()).collect();
    let out_shape = broadcast_shapes(name, &shapes)?;
    let axes = common_chunks(inputs, &out_shape)?;
    let aligned: Vec<Arc<Node>> = inputs
        .iter()
        .map(|n| rechunk_to(n, aligned_grid(n, &axes, &out_shape)))
        .collect();
    Ok(Node::new(
        Op::Map(op),
        aligned,
        Meta::new(out_dtype, ChunkGrid::new(axes)),
    ))
}

/// `n`'s grid with the axes it spans unbroadcast taken from `axes`.
fn aligned_grid(n: &Node, axes: &[AxisChunks], out_shape: &[usize]) -> ChunkGrid {
    let offset = out_shape.len() - n.ndim();
    ChunkGrid::new(
        n.chunks()
            .axes()
            .iter()
            .enumerate()
            .map(|(k, a)| {
                if n.shape()[k] == out_shape[offset + k] {
                    axes[offset + k].clone()
                } else {
                    a.clone()
                }
            })
            .collect(),
    )
}

/// Bytes moved by rechunking `n`: nothing for sources that can be made in any chunking.
fn rechunk_cost(n: &Node) -> usize {
    match &n.op {
        Op::Source(Source::Read { .. }) => n.meta.nbytes(),
        Op::Source(_) => 0,
        _ => n.meta.nbytes(),
    }
}

/// Most chunking combinations weighed before settling for the largest input's.
const MAX_CHUNKING_CANDIDATES: usize = 4096;

/// The result chunking of a map over `inputs` (see [`map_node`]).
fn common_chunks(inputs: &[Arc<Node>], out_shape: &[usize]) -> Result<Vec<AxisChunks>> {
    let ndim = out_shape.len();
    let mut by_size: Vec<usize> = (0..inputs.len()).collect();
    by_size.sort_by_key(|&i| std::cmp::Reverse(inputs[i].meta.nbytes()));
    // Candidates per axis, the largest input's first.
    let mut candidates: Vec<Vec<AxisChunks>> = Vec::with_capacity(ndim);
    for (d, &len) in out_shape.iter().enumerate() {
        let mut list: Vec<AxisChunks> = Vec::new();
        for &i in &by_size {
            let n = &inputs[i];
            let offset = ndim - n.ndim();
            if d >= offset && n.shape()[d - offset] == len {
                let a = n.chunks().axis(d - offset);
                if !list.contains(a) {
                    list.push(a.clone());
                }
            }
        }
        if list.is_empty() {
            list.push(AxisChunks::regular(len, len.max(1))?);
        }
        candidates.push(list);
    }
    let first: Vec<AxisChunks> = candidates.iter().map(|c| c[0].clone()).collect();
    let combinations = candidates
        .iter()
        .try_fold(1usize, |acc, c| acc.checked_mul(c.len()));
    if combinations.is_none_or(|c| c <= 1 || c > MAX_CHUNKING_CANDIDATES) {
        return Ok(first);
    }
    let cost = |axes: &[AxisChunks]| -> usize {
        inputs
            .iter()
            .filter(|n| *n.chunks() != aligned_grid(n, axes, out_shape))
            .map(|n| rechunk_cost(n))
            .sum()
    };
    let mut best = (cost(&first), first);
    let mut pick = vec![0usize; ndim];
    loop {
        // Next combination, in mixed-radix order.
        let mut d = ndim;
        loop {
            if d == 0 {
                return Ok(best.1);
            }
            d -= 1;
            pick[d] += 1;
            if pick[d] < candidates[d].len() {
                break;
            }
            pick[d] = 0;
        }
        let axes: Vec<AxisChunks> = (0..ndim).map(|a| candidates[a][pick[a]].clone()).collect();
        let c = cost(&axes);
        if c < best.0 {
            best = (c, axes);
        }
    }
}

/// `x` cut into `grid` (`x` itself when already so cut).
///
/// A source that makes any block on demand (a generator or an in-memory array) is
/// simply made in the new chunking: its values depend on the element's position, not on
/// the chunks, so no data moves. A stored array is read as it is stored and rechunked.
pub(crate) fn rechunk_to(x: &Arc<Node>, grid: ChunkGrid) -> Arc<Node> {
    if *x.chunks() == grid {
        return x.clone();
    }
    if let Op::Source(s) = &x.op {
        if !matches!(s, Source::Read { .. }) {
            return Node::new(x.op.clone(), Vec::new(), Meta::new(x.dtype(), grid));
        }
    }
    // Rechunking a rechunk: go straight from the original chunks.
    let base = match x.op {
        Op::Rechunk => &x.inputs[0],
        _ => x,
    };
    if *base.chunks() == grid {
        return base.clone();
    }
    Node::new(Op::Rechunk, vec![base.clone()], Meta::new(x.dtype(), grid))
}

/// A node reading the whole of `reader`, cut as `chunks` asks.
pub(crate) fn read(reader: Arc<dyn BlockReader>, chunks: &Chunks) -> Result<Arc<Node>> {
    let shape = reader.shape();
    let dtype = reader.dtype();
    let origin = vec![0; shape.len()];
    source(Source::Read { reader, origin }, &shape, dtype, chunks)
}

/// A node writing `x`'s blocks to `writer`.
pub(crate) fn store(x: &Arc<Node>, writer: Arc<dyn BlockWriter>) -> Arc<Node> {
    Node::new(Op::Store(writer), vec![x.clone()], x.meta.clone())
}

/// `x` cut as `chunks` asks.
pub(crate) fn rechunk(x: &Arc<Node>, chunks: &Chunks) -> Result<Arc<Node>> {
    let grid = chunks.resolve(x.shape(), x.dtype())?;
    Ok(rechunk_to(x, grid))
}

/// The axis `axis` of an array of `ndim` axes, counting negative ones from the end.
pub(crate) fn axis_index(op: &'static str, axis: isize, ndim: usize) -> Result<usize> {
    let n = ndim as isize;
    let a = if axis < 0 { axis + n } else { axis };
    if a < 0 || a >= n {
        return Err(Error::AxisOutOfRange { op, axis, ndim });
    }
    Ok(a as usize)
}

/// Checks and sorts reduction axes (`None`: every axis; negative axes count from the
/// end).
pub(crate) fn normalize_axes(
    op: &'static str,
    axes: Option<&[isize]>,
    ndim: usize,
) -> Result<Vec<usize>> {
    let Some(axes) = axes else {
        return Ok((0..ndim).collect());
    };
    let mut out = axes
        .iter()
        .map(|&a| axis_index(op, a, ndim))
        .collect::<Result<Vec<usize>>>()?;
    out.sort_unstable();
    if let Some(w) = out.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::DuplicateAxis { op, axis: w[0] });
    }
    Ok(out)
}

/// A reduction of `x` over `axes` (`None`: all axes).
pub(crate) fn reduce(
    kind: ReduceFn,
    x: &Arc<Node>,
    axes: Option<&[isize]>,
    keepdims: bool,
    split_every: usize,
) -> Result<Arc<Node>> {
    let name = kind.name();
    let axes = normalize_axes(name, axes, x.ndim())?;
    if split_every < 2 {
        return Err(Error::parameter(
            name,
            "split_every",
            split_every,
            "at least 2",
        ));
    }
    if kind.one_or_all_axes() && axes.len() != 1 && axes.len() != x.ndim() {
        return Err(Error::parameter(
            name,
            "axes",
            format!("{axes:?}"),
            "one axis, or all axes (the index into the flattened array)",
        ));
    }
    let dtype = x.dtype();
    if kind.needs_numeric() {
        require_numeric(name, dtype)?;
    }
    let count: usize = axes.iter().map(|&a| x.shape()[a]).product();
    if kind.needs_elements() && count == 0 {
        return Err(Error::EmptyReduction {
            op: name,
            shape: x.shape().to_vec(),
            axes,
        });
    }
    let mut out_axes = Vec::new();
    for (d, a) in x.chunks().axes().iter().enumerate() {
        if axes.contains(&d) {
            if keepdims {
                out_axes.push(AxisChunks::regular(1, 1)?);
            }
        } else {
            out_axes.push(a.clone());
        }
    }
    let meta = Meta::new(kind.result_dtype(dtype), ChunkGrid::new(out_axes));
    Ok(Node::new(
        Op::Reduce(Reduction {
            kind,
            axes,
            keepdims,
            split_every,
        }),
        vec![x.clone()],
        meta,
    ))
}

/// A NumPy keyword of a reduction, set after the fact: `x.std(0).ddof(1)`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ReduceKeyword {
    /// `ddof` of the variance family.
    Ddof(usize),
    /// `keepdims`.
    Keepdims(bool),
    /// Dask's `split_every`.
    SplitEvery(usize),
}

impl ReduceKeyword {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ReduceKeyword::Ddof(_) => "ddof",
            ReduceKeyword::Keepdims(_) => "keepdims",
            ReduceKeyword::SplitEvery(_) => "split_every",
        }
    }
}

/// The reduction `node` rebuilt with `keyword` set; an error when `node` is not a
/// reduction, or the reduction has no such parameter.
pub(crate) fn with_keyword(node: &Arc<Node>, keyword: ReduceKeyword) -> Result<Arc<Node>> {
    let name = keyword.name();
    let Op::Reduce(r) = &node.op else {
        return Err(Error::parameter(
            name,
            "receiver",
            format!("the result of `{}`", node.op.name()),
            format!(
                "the result of a reduction, as in `x.std(0).{name}(...)`; or pass it to the \
                 reduction in its `Axes` (`Axes::from(0).{name}(...)`)"
            ),
        ));
    };
    let (mut kind, mut keepdims, mut split_every) = (r.kind, r.keepdims, r.split_every);
    match keyword {
        ReduceKeyword::Ddof(ddof) => {
            kind = kind.with_param(ReduceParam::Ddof, ddof).ok_or_else(|| {
                Error::parameter(
                    "ddof",
                    "reduction",
                    kind.name(),
                    "`var` or `std` (and their `nan` variants)",
                )
            })?;
        }
        ReduceKeyword::Keepdims(keep) => keepdims = keep,
        ReduceKeyword::SplitEvery(n) => split_every = n,
    }
    let axes: Vec<isize> = r.axes.iter().map(|&a| a as isize).collect();
    reduce(kind, &node.inputs[0], Some(&axes), keepdims, split_every)
}

/// Basic indexing of `x` with an ndarray `s![]` index.
pub(crate) fn slice(x: &Arc<Node>, info: &[SliceInfoElem]) -> Result<Arc<Node>> {
    select(x, AxisSelection::normalize(info, x.shape())?)
}

/// `x` sliced by a normalized selection (one entry per input axis, plus new axes).
pub(crate) fn select(x: &Arc<Node>, selection: Vec<AxisSelection>) -> Result<Arc<Node>> {
    let identity = selection.len() == x.ndim()
        && selection
            .iter()
            .zip(x.shape())
            .all(|(s, &len)| s.is_full(len));
    if identity {
        return Ok(x.clone());
    }
    let map = SliceMap::new(&selection, x.chunks())?;
    let meta = Meta::new(x.dtype(), map.out_grid().clone());
    Ok(Node::new(Op::Slice(selection), vec![x.clone()], meta))
}

/// The axes of `x` permuted: result axis `i` is input axis `axes[i]` (negative axes
/// count from the end).
pub(crate) fn permute(x: &Arc<Node>, axes: &[isize]) -> Result<Arc<Node>> {
    let ndim = x.ndim();
    let bad = || {
        Error::parameter(
            "transpose",
            "axes",
            format!("{axes:?}"),
            format!("each of the {ndim} axes 0..{ndim} exactly once"),
        )
    };
    if axes.len() != ndim {
        return Err(bad());
    }
    let mut seen = vec![false; ndim];
    let mut perm = Vec::with_capacity(ndim);
    for &a in axes {
        let p = axis_index("transpose", a, ndim).map_err(|_| bad())?;
        if seen[p] {
            return Err(bad());
        }
        seen[p] = true;
        perm.push(p);
    }
    permute_exact(x, &perm)
}

/// [`permute`] with a checked permutation of `0..ndim`.
pub(crate) fn permute_exact(x: &Arc<Node>, perm: &[usize]) -> Result<Arc<Node>> {
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(x.clone());
    }
    // Transposing a transpose: compose the permutations.
    if let Op::Transpose(inner) = &x.op {
        let composed: Vec<usize> = perm.iter().map(|&p| inner[p]).collect();
        return permute_exact(&x.inputs[0], &composed);
    }
    let axes = perm.iter().map(|&p| x.chunks().axis(p).clone()).collect();
    let meta = Meta::new(x.dtype(), ChunkGrid::new(axes));
    Ok(Node::new(
        Op::Transpose(perm.to_vec()),
        vec![x.clone()],
        meta,
    ))
}

/// `x` with a new axis of length 1 at position `axis` of the result (negative axes
/// count from the end of the result, as in NumPy).
pub(crate) fn expand_dims(x: &Arc<Node>, axis: isize) -> Result<Arc<Node>> {
    let axis = axis_index("expand_dims", axis, x.ndim() + 1)?;
    let mut axes = x.chunks().axes().to_vec();
    axes.insert(axis, AxisChunks::regular(1, 1)?);
    let meta = Meta::new(x.dtype(), ChunkGrid::new(axes));
    Ok(Node::new(Op::ExpandDims(axis), vec![x.clone()], meta))
}

/// `x` without the given length-1 axes (`None`: every length-1 axis).
pub(crate) fn squeeze(x: &Arc<Node>, axes: Option<&[isize]>) -> Result<Arc<Node>> {
    let axes = match axes {
        Some(a) => normalize_axes("squeeze", Some(a), x.ndim())?,
        None => (0..x.ndim()).filter(|&d| x.shape()[d] == 1).collect(),
    };
    for &a in &axes {
        if x.shape()[a] != 1 {
            return Err(Error::NotSqueezable {
                axis: a,
                len: x.shape()[a],
            });
        }
    }
    if axes.is_empty() {
        return Ok(x.clone());
    }
    let kept = x
        .chunks()
        .axes()
        .iter()
        .enumerate()
        .filter(|(d, _)| !axes.contains(d))
        .map(|(_, a)| a.clone())
        .collect();
    let meta = Meta::new(x.dtype(), ChunkGrid::new(kept));
    Ok(Node::new(Op::Squeeze(axes), vec![x.clone()], meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Distribution;
    use crate::ops::{BinaryFn as BinaryOp, ReduceFn as ReduceKind, UnaryFn as UnaryOp};

    fn random(shape: &[usize], chunks: &[usize]) -> Arc<Node> {
        source(
            Source::Random {
                seed: 1,
                dist: Distribution::Uniform,
            },
            shape,
            DType::F64,
            &Chunks::from(chunks.to_vec()),
        )
        .unwrap()
    }

    #[test]
    fn same_expression_gives_same_key() {
        let x = random(&[10, 10], &[5, 5]);
        let y = random(&[10, 10], &[5, 5]);
        assert_eq!(x.key, y.key);
        let a = binary(BinaryOp::Add, &x, &x).unwrap();
        let b = binary(BinaryOp::Add, &y, &y).unwrap();
        assert_eq!(a.key, b.key);
        let c = binary(BinaryOp::Sub, &y, &y).unwrap();
        assert_ne!(a.key, c.key);
        let other_chunks = random(&[10, 10], &[5, 2]);
        assert_ne!(x.key, other_chunks.key);
    }

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(
            broadcast_shapes("t", &[&[3, 1, 5], &[4, 1]]).unwrap(),
            vec![3, 4, 5]
        );
        assert_eq!(broadcast_shapes("t", &[&[], &[2]]).unwrap(), vec![2]);
        assert_eq!(
            broadcast_shapes("t", &[&[0, 1], &[1, 3]]).unwrap(),
            vec![0, 3]
        );
        let err = broadcast_shapes("add", &[&[3, 4], &[5]]).unwrap_err();
        assert!(
            matches!(
                err,
                Error::ShapeMismatch {
                    axis: 1,
                    lhs_len: 4,
                    rhs_len: 5,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn different_chunkings_are_unified_by_the_bytes_they_move() {
        let x = random(&[10, 10], &[5, 5]);
        let y = random(&[10], &[3]);
        let z = binary(BinaryOp::Add, &x, &y).unwrap();
        assert_eq!(z.chunks(), x.chunks());
        // A generator is made in the new chunks: no rechunk node.
        assert!(matches!(z.inputs[1].op, Op::Source(_)));
        assert_eq!(z.inputs[1].chunks().axis(0), x.chunks().axis(1));
        // A computed operand keeps its chunks when the generator can adapt instead, even
        // when the generator is larger: the choice minimizes the bytes moved.
        let m = unary(UnaryOp::Sin, &random(&[10], &[2])).unwrap();
        let w = binary(BinaryOp::Add, &x, &m).unwrap();
        assert_eq!(w.chunks().axis(1), m.chunks().axis(0));
        assert!(matches!(w.inputs[1].op, Op::Map(_)), "{:?}", w.inputs[1].op);
        // Two computed operands: the smaller one moves.
        let big = unary(UnaryOp::Sin, &x).unwrap();
        let v = binary(BinaryOp::Add, &big, &m).unwrap();
        assert_eq!(v.chunks(), big.chunks());
        assert!(matches!(v.inputs[1].op, Op::Rechunk));
    }

    #[test]
    fn transposes_compose_and_identities_vanish() {
        let x = random(&[2, 3, 4], &[1, 2, 3]);
        let t = permute(&x, &[2, 0, 1]).unwrap();
        let back = permute(&t, &[1, 2, 0]).unwrap();
        assert_eq!(back.key, x.key);
        let s = slice(&x, ndarray::s![.., .., ..].as_ref()).unwrap();
        assert_eq!(s.key, x.key);
    }

    #[test]
    fn reductions_check_their_axes() {
        let x = random(&[2, 3], &[1, 2]);
        let err = reduce(ReduceKind::Sum, &x, Some(&[2]), false, 16).unwrap_err();
        assert!(matches!(
            err,
            Error::AxisOutOfRange {
                axis: 2,
                ndim: 2,
                ..
            }
        ));
        let err = reduce(ReduceKind::Sum, &x, Some(&[1, 1]), false, 16).unwrap_err();
        assert!(matches!(err, Error::DuplicateAxis { axis: 1, .. }));
        let e = random(&[0, 3], &[1, 2]);
        let err = reduce(ReduceKind::Max, &e, Some(&[0]), false, 16).unwrap_err();
        assert!(matches!(err, Error::EmptyReduction { .. }));
        assert!(reduce(ReduceKind::Sum, &e, Some(&[0]), false, 16).is_ok());
    }
}
