//! Fused kernels: a [`Program`] of elementwise instructions over typed virtual registers,
//! run over an output block in cache-sized [`tiles`].
//!
//! The planner turns a group of fused expression nodes into one program: its leaves load
//! input blocks (read in place when they have the block's shape, broadcast into a
//! register otherwise), generate source values, or are constants; each instruction is
//! one elementwise function. For every tile, the instructions run in order, each a tight
//! loop over at most [`TILE_ELEMENTS`](tiles::TILE_ELEMENTS) elements, and the result is
//! written into the output block or folded into a reduction's partial result. No
//! temporary the size of a block is ever made: intermediate values live in registers of
//! one tile, which are reused once their last reader has run.

mod elementwise;
pub(crate) mod tiles;

use smallvec::SmallVec;

use self::elementwise::AnySrc;
use self::tiles::{for_each_tile, Tile, TILE_ELEMENTS};
use super::{copy, reduce, source, Partial};
use crate::any_array::{AnyArray, IntoAnyArray};
use crate::element::{DType, Scalar};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;
use crate::ops::{MapOp, Source};

const CONTEXT: &str = "kernel::fused";

/// Where an instruction's operand comes from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    /// A register written by an earlier step.
    Reg(usize),
    /// An input block that has the output block's shape, read in place.
    Slot(usize),
    /// One value for every element.
    Scalar(Scalar),
}

/// How an operand of fewer or length-1 axes lines up with the output block (NumPy
/// broadcasting): it lacks the `lead` leading axes, and its axes marked in `broadcast`
/// have length 1 where the output's are longer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Broadcast {
    pub(crate) lead: usize,
    pub(crate) broadcast: Vec<bool>,
}

impl Broadcast {
    /// The alignment of an operand of `shape` with an output of `out_shape`.
    pub(crate) fn of(shape: &[usize], out_shape: &[usize]) -> Broadcast {
        let lead = out_shape.len() - shape.len();
        Broadcast {
            lead,
            broadcast: shape
                .iter()
                .enumerate()
                .map(|(k, &n)| n != out_shape[lead + k])
                .collect(),
        }
    }

    /// True when the operand has exactly the output's shape.
    pub(crate) fn is_identity(&self) -> bool {
        self.lead == 0 && !self.broadcast.contains(&true)
    }

    /// The operand's coordinates for output coordinates `out` (a broadcast axis is 0).
    pub(crate) fn map<'a>(&'a self, out: &'a [usize]) -> impl Iterator<Item = usize> + 'a {
        self.broadcast
            .iter()
            .enumerate()
            .map(move |(k, &b)| if b { 0 } else { out[self.lead + k] })
    }

    /// The operand's part of a box of the output: `(start, shape)`.
    fn window(&self, start: &[usize], shape: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let starts = self.map(start).collect();
        let shapes = self
            .broadcast
            .iter()
            .enumerate()
            .map(|(k, &b)| if b { 1 } else { shape[self.lead + k] })
            .collect();
        (starts, shapes)
    }
}

/// What a load step puts in its register.
#[derive(Clone, Debug)]
pub(crate) enum Load {
    /// An input block broadcast to the output block.
    Slot { slot: usize, align: Broadcast },
    /// Values of a source (generator, in-memory or stored array) of `shape`, generated
    /// for each tile and broadcast to it.
    Source {
        source: Source,
        dtype: DType,
        shape: Vec<usize>,
        align: Broadcast,
    },
}

/// One step of a program.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Load {
        out: usize,
        load: Load,
    },
    Apply {
        out: usize,
        op: MapOp,
        args: SmallVec<[Operand; 3]>,
    },
}

/// A fused kernel: steps over registers, and the operand holding the result.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    steps: Vec<Step>,
    registers: Vec<DType>,
    result: Operand,
    dtype: DType,
    /// Names of the fused operations, in evaluation order (for plans and labels).
    ops: Vec<&'static str>,
}

/// Builds a [`Program`] step by step; [`finish`](Self::finish) assigns registers.
#[derive(Debug, Default)]
pub(crate) struct ProgramBuilder {
    steps: Vec<Step>,
    /// The dtype of each value (one per step before register assignment).
    values: Vec<DType>,
    ops: Vec<&'static str>,
}

impl ProgramBuilder {
    pub(crate) fn new() -> ProgramBuilder {
        ProgramBuilder::default()
    }

    /// Adds a load step; returns its value.
    pub(crate) fn load(&mut self, load: Load, dtype: DType, name: &'static str) -> Operand {
        let out = self.values.len();
        self.values.push(dtype);
        self.steps.push(Step::Load { out, load });
        self.ops.push(name);
        Operand::Reg(out)
    }

    /// Adds an elementwise step; returns its value. A step whose operands are all
    /// constants is computed now and becomes a constant.
    pub(crate) fn apply(
        &mut self,
        op: MapOp,
        dtype: DType,
        args: SmallVec<[Operand; 3]>,
    ) -> Result<Operand> {
        if args.iter().all(|a| matches!(a, Operand::Scalar(_))) {
            let srcs: SmallVec<[AnySrc<'_>; 3]> = args
                .iter()
                .map(|a| match a {
                    Operand::Scalar(s) => AnySrc::Scalar(*s),
                    _ => AnySrc::Scalar(Scalar::Bool(false)),
                })
                .collect();
            let mut out = crate::kernel::pool::full(&[1], Scalar::Bool(false).cast(dtype));
            elementwise::apply(op, &srcs, &mut out, 0..1)?;
            return Ok(Operand::Scalar(first_value(&out)?));
        }
        let out = self.values.len();
        self.values.push(dtype);
        self.steps.push(Step::Apply { out, op, args });
        self.ops.push(op.name());
        Ok(Operand::Reg(out))
    }

    /// The program computing `result` (of `dtype`), with registers reused once their
    /// last reader has run. Value `i` is the one step `i` defines.
    pub(crate) fn finish(mut self, result: Operand, dtype: DType) -> Program {
        let n = self.values.len();
        // The last step reading each value (its own step when nothing reads it).
        let mut last_use: Vec<usize> = (0..n).collect();
        for (i, step) in self.steps.iter().enumerate() {
            if let Step::Apply { args, .. } = step {
                for a in args {
                    if let Operand::Reg(v) = a {
                        last_use[*v] = i;
                    }
                }
            }
        }
        if let Operand::Reg(v) = result {
            last_use[v] = usize::MAX;
        }
        let mut assigned = vec![0usize; n];
        let mut registers: Vec<DType> = Vec::new();
        let mut free: Vec<usize> = Vec::new();
        for (i, step) in self.steps.iter_mut().enumerate() {
            let mut dying: SmallVec<[usize; 3]> = SmallVec::new();
            if let Step::Apply { args, .. } = step {
                for a in args.iter_mut() {
                    if let Operand::Reg(v) = a {
                        if last_use[*v] == i && !dying.contains(v) {
                            dying.push(*v);
                        }
                        *a = Operand::Reg(assigned[*v]);
                    }
                }
            }
            // An instruction never writes a register it reads: allocate before freeing.
            let dtype = self.values[i];
            let reg = if let Some(p) = free.iter().position(|&r| registers[r] == dtype) {
                free.swap_remove(p)
            } else {
                registers.push(dtype);
                registers.len() - 1
            };
            assigned[i] = reg;
            match step {
                Step::Load { out, .. } | Step::Apply { out, .. } => *out = reg,
            }
            free.extend(dying.iter().map(|&v| assigned[v]));
            if last_use[i] == i {
                free.push(reg);
            }
        }
        let result = match result {
            Operand::Reg(v) => Operand::Reg(assigned[v]),
            other => other,
        };
        Program {
            steps: self.steps,
            registers,
            result,
            dtype,
            ops: self.ops,
        }
    }
}

/// `op` of constants, as a constant of `dtype` (what a fused kernel computes for them).
pub(crate) fn constant(op: MapOp, dtype: DType, args: &[Scalar]) -> Result<Scalar> {
    let mut b = ProgramBuilder::new();
    match b.apply(
        op,
        dtype,
        args.iter().map(|&s| Operand::Scalar(s)).collect(),
    )? {
        Operand::Scalar(v) => Ok(v),
        _ => Err(Error::internal(CONTEXT, "constants did not fold")),
    }
}

/// The first element of `a` as a scalar.
fn first_value(a: &AnyArray) -> Result<Scalar> {
    crate::any_array::dispatch_any!(a, arr, _T => arr
        .iter()
        .next()
        .map(|v| crate::element::Element::to_scalar(*v))
        .ok_or_else(|| Error::internal(CONTEXT, "constant of no elements")))
}

impl Program {
    /// The program of one operation on its inputs (`(dtype, shape)` each, broadcast to
    /// `out_shape`): what an operation that is not fused with others runs.
    #[cfg(test)]
    pub(crate) fn single(
        op: MapOp,
        out_dtype: DType,
        inputs: &[(DType, &[usize])],
        out_shape: &[usize],
    ) -> Result<Program> {
        let mut b = ProgramBuilder::new();
        let mut args = SmallVec::new();
        for (slot, &(dtype, shape)) in inputs.iter().enumerate() {
            let align = Broadcast::of(shape, out_shape);
            args.push(if align.is_identity() {
                Operand::Slot(slot)
            } else {
                b.load(Load::Slot { slot, align }, dtype, "broadcast")
            });
        }
        let result = b.apply(op, out_dtype, args)?;
        Ok(b.finish(result, out_dtype))
    }

    /// The most bytes its registers take (one tile each) over blocks of at most
    /// `block_len` elements.
    pub(crate) fn scratch_bytes(&self, block_len: usize) -> u64 {
        let tile = block_len.clamp(1, TILE_ELEMENTS);
        self.registers
            .iter()
            .map(|d| (d.size() * tile) as u64)
            .sum()
    }

    /// The sources read inside the kernel (generators, in-memory and stored arrays):
    /// their element type and how they line up with the output block.
    fn sources(&self) -> impl Iterator<Item = (DType, &Broadcast)> {
        self.steps.iter().filter_map(|step| match step {
            Step::Load {
                load: Load::Source { dtype, align, .. },
                ..
            } => Some((*dtype, align)),
            _ => None,
        })
    }

    /// Bytes its sources produce for an output block of `shape`: what the block reads.
    pub(crate) fn source_bytes(&self, shape: &[usize]) -> u64 {
        self.sources()
            .map(|(dtype, align)| {
                let elements: usize = (align.broadcast.iter().enumerate())
                    .map(|(k, &b)| if b { 1 } else { shape[align.lead + k] })
                    .product();
                (dtype.size() * elements) as u64
            })
            .sum()
    }

    /// [`source_bytes`](Self::source_bytes) summed over every block of a grid with
    /// `blocks(d)` blocks and length `len(d)` along output axis `d`.
    pub(crate) fn total_source_bytes(
        &self,
        blocks: &dyn Fn(usize) -> usize,
        len: &dyn Fn(usize) -> usize,
    ) -> u64 {
        self.sources()
            .map(|(dtype, align)| {
                let lead: u64 = (0..align.lead).map(|d| blocks(d) as u64).product();
                let own: u64 = (align.broadcast.iter().enumerate())
                    .map(|(k, &b)| {
                        (if b {
                            blocks(align.lead + k)
                        } else {
                            len(align.lead + k)
                        }) as u64
                    })
                    .product();
                dtype.size() as u64 * lead * own
            })
            .sum()
    }

    /// The fused operations' names, in evaluation order.
    pub(crate) fn ops(&self) -> &[&'static str] {
        &self.ops
    }

    /// Computes the output block at `start` (in the whole output) of `shape`.
    pub(crate) fn run_block(
        &self,
        start: &[usize],
        shape: &[usize],
        inputs: &[&AnyArray],
    ) -> Result<AnyArray> {
        let mut out = crate::element::with_dtype!(self.dtype, T => T::wrap(super::pool::array_like::<T>(shape)));
        let last_writes_result = matches!(
            (self.steps.last(), &self.result),
            (Some(Step::Apply { out: o, .. }), Operand::Reg(r)) if o == r
        );
        self.run_tiles(
            start,
            shape,
            inputs,
            last_writes_result,
            &mut |tile, regs, inputs, last| {
                if let Some((op, args)) = last {
                    elementwise::apply(op, args, &mut out, tile.flat.clone())
                } else {
                    let src = operand(&self.result, regs, inputs, tile)?;
                    elementwise::apply(MapOp::Cast, &[src], &mut out, tile.flat.clone())
                }
            },
        )?;
        Ok(out)
    }

    /// The partial result of reducing the output block at `start` of `shape` over
    /// `axes`; `full_shape` is the whole output's (for argmin and argmax indices).
    pub(crate) fn run_reduce(
        &self,
        start: &[usize],
        shape: &[usize],
        inputs: &[&AnyArray],
        kind: ReduceFn,
        axes: &[usize],
        full_shape: &[usize],
    ) -> Result<Partial> {
        let reducer = reduce::reducer(kind);
        if axes.len() == shape.len() {
            if let Some(fold) = reducer.scalar_fold(kind) {
                let folded = crate::element::with_dtype!(self.dtype, T => {
                    self.run_scalar_fold::<T>(start, shape, inputs, fold)?
                });
                let ones = vec![1; shape.len()];
                return Ok(folded.unwrap_or_else(|| reducer.empty(kind, self.dtype, &ones)));
            }
        }
        let mut kept = shape.to_vec();
        for &a in axes {
            kept[a] = 1;
        }
        let mut acc = reducer.empty(kind, self.dtype, &kept);
        let mut global = vec![0; shape.len()];
        let mut offset = vec![0; shape.len()];
        self.run_tiles(start, shape, inputs, false, &mut |tile, regs, inputs, _| {
            for d in 0..shape.len() {
                global[d] = start[d] + tile.start[d];
                offset[d] = if axes.contains(&d) { 0 } else { tile.start[d] };
            }
            let at = reduce::BlockAt {
                start: &global,
                full_shape,
            };
            let part = match operand(&self.result, regs, inputs, tile)? {
                AnySrc::Data(a, from, n) => {
                    reducer.partial_of(kind, a, from..from + n, &tile.shape, axes, at)?
                }
                AnySrc::Scalar(s) => {
                    let a = crate::kernel::pool::full(&tile.shape, s);
                    reducer.partial_of(kind, &a, 0..a.len(), &tile.shape, axes, at)?
                }
            };
            reducer.merge(kind, &mut acc, &part, &offset)
        })?;
        Ok(acc)
    }

    /// A reduction over every axis folded into scalars tile by tile (`None` when no
    /// element was seen and the fold keeps no value).
    fn run_scalar_fold<T: crate::element::Element>(
        &self,
        start: &[usize],
        shape: &[usize],
        inputs: &[&AnyArray],
        kind: reduce::ScalarFoldKind,
    ) -> Result<Option<Partial>> {
        let mut fold = reduce::scalar::ScalarFold::<T>::new(kind);
        let mut constant: Vec<T> = Vec::new();
        self.run_tiles(start, shape, inputs, false, &mut |tile, regs, inputs, _| {
            match operand(&self.result, regs, inputs, tile)? {
                AnySrc::Data(a, from, n) => {
                    let data = T::peek(a)
                        .and_then(|a| a.as_slice())
                        .and_then(|s| s.get(from..from + n))
                        .ok_or_else(|| {
                            Error::internal(CONTEXT, "result is not a contiguous tile")
                        })?;
                    fold.add(kind, data);
                }
                AnySrc::Scalar(s) => {
                    constant.clear();
                    constant.resize(tile.len(), T::from_scalar(s));
                    fold.add(kind, &constant);
                }
            }
            Ok(())
        })?;
        Ok(fold.finish(shape.len()))
    }

    /// Runs the steps on every tile of the block, then calls `finish(tile, registers,
    /// last)`. With `defer_last`, the last step is not run but handed to `finish` (so it
    /// can write straight into the output block).
    fn run_tiles(
        &self,
        start: &[usize],
        shape: &[usize],
        inputs: &[&AnyArray],
        defer_last: bool,
        finish: &mut TileFinish<'_>,
    ) -> Result<()> {
        let standard: Vec<std::borrow::Cow<'_, AnyArray>> =
            inputs.iter().map(|a| a.standard_layout()).collect();
        let inputs: Vec<&AnyArray> = standard.iter().map(AsRef::as_ref).collect();
        let inputs = &inputs[..];
        let len: usize = shape.iter().product();
        let tile_len = len.clamp(1, TILE_ELEMENTS);
        let mut regs = Registers {
            data: self
                .registers
                .iter()
                .map(|&d| crate::kernel::pool::full(&[tile_len], Scalar::Bool(false).cast(d)))
                .collect(),
            borrowed: vec![None; self.registers.len()],
        };
        let (body, last) = match (defer_last, self.steps.split_last()) {
            (true, Some((last, body))) => (body, Some(last)),
            _ => (&self.steps[..], None),
        };
        let mut tile_start = vec![0; shape.len()];
        for_each_tile(shape, TILE_ELEMENTS, &mut |tile| {
            for d in 0..shape.len() {
                tile_start[d] = start[d] + tile.start[d];
            }
            for step in body {
                run_step(step, &mut regs, inputs, tile, &tile_start)?;
            }
            match last {
                Some(Step::Apply { op, args, .. }) => {
                    let srcs = args
                        .iter()
                        .map(|a| operand(a, &regs, inputs, tile))
                        .collect::<Result<SmallVec<[AnySrc<'_>; 3]>>>()?;
                    finish(tile, &regs, inputs, Some((*op, &srcs)))
                }
                _ => finish(tile, &regs, inputs, None),
            }
        })
    }
}

/// What [`Program::run_tiles`] calls after each tile's steps: with the tile, the
/// registers, the inputs, and the deferred last step with its operands.
type TileFinish<'f> = dyn FnMut(&Tile, &Registers<'_>, &[&AnyArray], Option<(MapOp, &[AnySrc<'_>])>) -> Result<()>
    + 'f;

/// The registers of a running kernel: each one tile of its own, or (for an in-memory
/// source whose tile is contiguous) a window of that source's data, read in place.
struct Registers<'p> {
    data: Vec<AnyArray>,
    borrowed: Vec<Option<(&'p AnyArray, usize)>>,
}

impl Registers<'_> {
    /// The tile's elements of register `r`.
    fn src(&self, r: usize, len: usize) -> Result<AnySrc<'_>> {
        if let Some(Some((a, from))) = self.borrowed.get(r) {
            return Ok(AnySrc::Data(a, *from, len));
        }
        Ok(AnySrc::Data(
            self.data
                .get(r)
                .ok_or_else(|| Error::internal(CONTEXT, "register out of range"))?,
            0,
            len,
        ))
    }
}

/// The C-order offset of the box (`start`, `shape`) in an array of `full` when that box
/// is one contiguous run of it.
fn contiguous_offset(start: &[usize], shape: &[usize], full: &[usize]) -> Option<usize> {
    let first = shape.iter().position(|&n| n > 1).unwrap_or(shape.len());
    if (first + 1..shape.len()).any(|d| shape[d] != full[d]) {
        return None;
    }
    Some(start.iter().zip(full).fold(0, |acc, (&s, &n)| acc * n + s))
}

/// The tile's view of an operand.
fn operand<'a>(
    op: &Operand,
    regs: &'a Registers<'_>,
    inputs: &[&'a AnyArray],
    tile: &Tile,
) -> Result<AnySrc<'a>> {
    Ok(match op {
        Operand::Reg(r) => regs.src(*r, tile.len())?,
        Operand::Slot(s) => AnySrc::Data(
            inputs
                .get(*s)
                .ok_or_else(|| Error::internal(CONTEXT, "missing input"))?,
            tile.flat.start,
            tile.len(),
        ),
        Operand::Scalar(v) => AnySrc::Scalar(*v),
    })
}

/// Runs one step on one tile; `global` is the tile's start in the whole output.
fn run_step<'p>(
    step: &'p Step,
    regs: &mut Registers<'p>,
    inputs: &[&AnyArray],
    tile: &Tile,
    global: &[usize],
) -> Result<()> {
    match step {
        Step::Apply { out, op, args } => {
            let placeholder = AnyArray::Bool(ndarray::ArrayD::default(ndarray::IxDyn(&[0])));
            let mut target = std::mem::replace(&mut regs.data[*out], placeholder);
            let result = {
                let srcs = args
                    .iter()
                    .map(|a| operand(a, regs, inputs, tile))
                    .collect::<Result<SmallVec<[AnySrc<'_>; 3]>>>()?;
                elementwise::apply(*op, &srcs, &mut target, 0..tile.len())
            };
            regs.data[*out] = target;
            regs.borrowed[*out] = None;
            result
        }
        Step::Load { out, load } => {
            regs.borrowed[*out] = None;
            let target = regs
                .data
                .get_mut(*out)
                .ok_or_else(|| Error::internal(CONTEXT, "register out of range"))?;
            match load {
                Load::Slot { slot, align } => {
                    let input = inputs
                        .get(*slot)
                        .ok_or_else(|| Error::internal(CONTEXT, "missing input"))?;
                    let (s, n) = align.window(&tile.start, &tile.shape);
                    copy::broadcast_window_into(input, &s, &n, &tile.shape, target)
                }
                Load::Source {
                    source,
                    dtype,
                    shape,
                    align,
                } => {
                    let (s, n) = align.window(global, &tile.shape);
                    if let Source::Array(data) = source {
                        // In memory: read a contiguous window in place, else copy it.
                        if align.is_identity() && data.is_standard_layout() {
                            if let Some(from) = contiguous_offset(&s, &n, data.shape()) {
                                regs.borrowed[*out] = Some((data, from));
                                return Ok(());
                            }
                        }
                        return copy::broadcast_window_into(data, &s, &n, &tile.shape, target);
                    }
                    let data = source::generate(source, *dtype, shape, &s, &n)?;
                    copy::broadcast_window_into(&data, &vec![0; n.len()], &n, &tile.shape, target)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::BinaryFn as BinaryOp;
    use ndarray::array;

    /// `op` of whole blocks, as an unfused operation runs it.
    fn apply(op: MapOp, dtype: DType, shape: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let shapes: Vec<(DType, &[usize])> =
            inputs.iter().map(|a| (a.dtype(), a.shape())).collect();
        Program::single(op, dtype, &shapes, shape)?.run_block(&vec![0; shape.len()], shape, inputs)
    }

    #[test]
    fn binary_broadcasts_rows_and_scalars() {
        let a = AnyArray::from(array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
        let row = AnyArray::from(array![10.0, 20.0].into_dyn());
        let out = apply(
            MapOp::Binary(BinaryOp::Add),
            DType::F64,
            &[2, 2],
            &[&a, &row],
        )
        .unwrap();
        assert_eq!(
            out,
            AnyArray::from(array![[11.0, 22.0], [13.0, 24.0]].into_dyn())
        );
        let s = AnyArray::from(ndarray::arr0(2.0).into_dyn());
        let out = apply(MapOp::Binary(BinaryOp::Pow), DType::F64, &[2, 2], &[&a, &s]).unwrap();
        assert_eq!(
            out,
            AnyArray::from(array![[1.0, 4.0], [9.0, 16.0]].into_dyn())
        );
    }

    #[test]
    fn comparisons_give_bool_and_where_selects() {
        let a = AnyArray::from(array![1i32, 5, 3].into_dyn());
        let b = AnyArray::from(ndarray::arr0(3i32).into_dyn());
        let c = apply(MapOp::Binary(BinaryOp::Less), DType::Bool, &[3], &[&a, &b]).unwrap();
        assert_eq!(c, AnyArray::from(array![true, false, false].into_dyn()));
        let w = apply(MapOp::Where, DType::I32, &[3], &[&c, &a, &b]).unwrap();
        assert_eq!(w, AnyArray::from(array![1i32, 3, 3].into_dyn()));
    }

    #[test]
    fn wrong_arity_is_an_internal_error() {
        let a = AnyArray::from(array![1.0].into_dyn());
        let err = apply(MapOp::Where, DType::F64, &[1], &[&a]).unwrap_err();
        assert!(matches!(err, Error::Internal { .. }));
    }
}
