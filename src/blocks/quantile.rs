//! `median`, `quantile`, `percentile` and their `nan` variants (NumPy's, with its
//! default `linear` method), along one axis or over the whole array, exactly.
//!
//! Along an axis the axis is gathered into one block per column and each lane is
//! sorted: the result's blocks are the input's with the axis removed (a list of `q`
//! puts a new first axis of one chunk in front, as NumPy does).
//!
//! Over the whole array, an array of one block, or of at most
//! [`GATHER_BYTES`](super::sort::GATHER_BYTES), is gathered into one lane. A larger one
//! is never gathered: the order statistics are found by *radix selection* over the
//! elements' [`OrderKey`]s, [`DIGIT_BITS`] bits per pass, every pass one reduction over
//! the array:
//!
//! ```text
//!  pass 0   every block: histogram of the keys' top 11 bits (+ the NaN count)
//!           tree of sums (16 per task) -> select: the element count n, the ranks
//!           wanted (floor((n-1) q) and the next, per q), and each rank's digit
//!  pass p   every block: per rank, histogram of the next 11 bits of the keys that
//!           match the rank's digits so far -> tree of sums -> select the next digit
//!  final    the keys are complete: the values at the ranks, interpolated
//! ```
//!
//! A 64-bit type takes 6 passes, a 32-bit one 3, 16 bits 2 and 8 bits 1, whatever the
//! data: the plan is static, every task holds one input block and histograms of
//! `ranks x 2048` counts, and the result is the exact order statistic.
//!
//! NumPy's arithmetic is kept: the virtual index is `(n - 1) * q`, the interpolation
//! NumPy's `_lerp` (`a + (b - a) t`, or `b - (b - a)(1 - t)` when `t >= 0.5`) in the
//! input's float type for a scalar `q` and in `float64` for a list (integers: `float64`,
//! with `b - a` in the integer type as NumPy computes it), and the median of an even
//! count is the mean of the two middle values. A lane with a NaN gives NaN; the `nan`
//! variants leave NaNs out and give NaN for a lane of only NaNs (or of nothing).

use std::sync::Arc;

use ndarray::{ArrayD, Axis, IxDyn};

use super::histogram::SumCounts;
use super::order_key::OrderKey;
use super::sort::GATHER_BYTES;
use crate::any_array::AnyArray;
use crate::chunks::{AxisChunks, ChunkGrid};
use crate::element::{with_numeric_dtype, DType, NumElement};
use crate::error::{Error, Result};
use crate::expr::build::{axis_index, rechunk_to};
use crate::expr::{Meta, Node, Op};
use crate::kernel::block::BlockKernel;

/// Bits of the key each radix-selection pass decides.
pub(crate) const DIGIT_BITS: u32 = 11;

/// Most histograms one combine task of the radix selection sums (as [`SumCounts`]).
const SPLIT_EVERY: usize = 16;

/// Which statistic, and how `q` was given.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Statistic {
    /// NumPy's `median`: the middle value, or the mean of the two middle values.
    Median,
    /// `quantile` (and `percentile`, whose `q` is divided by 100 first) at these `q`
    /// in `[0, 1]`; `list`: `q` was a sequence, so the result has a first axis of
    /// `q.len()`.
    Quantile {
        /// The quantiles.
        q: Vec<f64>,
        /// Whether `q` was given as a sequence.
        list: bool,
    },
}

impl Statistic {
    fn qs(&self) -> &[f64] {
        match self {
            Statistic::Median => &[0.5],
            Statistic::Quantile { q, .. } => q,
        }
    }

    fn list(&self) -> bool {
        matches!(self, Statistic::Quantile { list: true, .. })
    }

    /// The result dtype for an input of `dtype`: NumPy computes a scalar `q` (and the
    /// median's mean) in the input's float type, a list of `q` in `float64`.
    fn dtype(&self, dtype: DType) -> DType {
        if self.list() {
            DType::F64
        } else {
            dtype.float_result()
        }
    }

    fn key(&self) -> Vec<u8> {
        let mut key = vec![u8::from(self.list())];
        if let Statistic::Quantile { q, .. } = self {
            for v in q {
                key.extend(v.to_bits().to_le_bytes());
            }
        }
        key
    }

    /// The two ranks (0-based, among `n` sorted values) the statistic at `q` reads,
    /// and the weight of the second (NumPy's `_get_indexes`, `_get_gamma`).
    fn ranks(&self, q: f64, n: u64) -> (u64, u64, f64) {
        if n == 0 {
            return (0, 0, 0.0);
        }
        match self {
            Statistic::Median if n % 2 == 1 => ((n - 1) / 2, (n - 1) / 2, 0.0),
            Statistic::Median => (n / 2 - 1, n / 2, 0.5),
            Statistic::Quantile { .. } => {
                #[allow(clippy::cast_precision_loss)]
                let virtual_index = (n - 1) as f64 * q;
                #[allow(clippy::cast_precision_loss)]
                if virtual_index >= (n - 1) as f64 {
                    return (n - 1, n - 1, 0.0);
                }
                let prev = virtual_index.floor();
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let p = prev as u64;
                (p, p + 1, virtual_index - prev)
            }
        }
    }
}

/// Checks `q` (already divided by 100 for `percentile`): every value in `[0, 1]`.
pub(crate) fn check_q(op: &'static str, q: &[f64], scale: f64) -> Result<()> {
    match q.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        Some(bad) => Err(Error::InvalidParameter {
            op,
            param: "q",
            value: format!("{}", bad * scale),
            expected: format!("values in [0, {scale}]"),
        }),
        None => Ok(()),
    }
}

/// The statistic of `x` along `axis` (`None`: over the whole array); `nan`: NaNs left
/// out. `op` names the operation for errors.
pub(crate) fn quantile(
    op: &'static str,
    x: &Arc<Node>,
    statistic: &Statistic,
    axis: Option<isize>,
    nan: bool,
) -> Result<Arc<Node>> {
    quantile_within(op, x, statistic, axis, nan, GATHER_BYTES)
}

/// [`quantile`] with the whole-array gather limited to `gather_bytes`.
pub(crate) fn quantile_within(
    op: &'static str,
    x: &Arc<Node>,
    statistic: &Statistic,
    axis: Option<isize>,
    nan: bool,
    gather_bytes: usize,
) -> Result<Arc<Node>> {
    if x.dtype() == DType::Bool {
        return Err(Error::UnsupportedDType {
            op,
            dtype: DType::Bool,
            needs: "a numeric dtype; convert with `astype`",
        });
    }
    let axis = axis.map(|a| axis_index(op, a, x.ndim())).transpose()?;
    let len = axis.map_or_else(|| x.shape().iter().product(), |a| x.shape()[a]);
    if len == 0 && !nan && matches!(statistic, Statistic::Quantile { .. }) {
        // NumPy raises IndexError: there is no value to index.
        return Err(Error::EmptyReduction {
            op,
            shape: x.shape().to_vec(),
            axes: axis.map_or_else(|| (0..x.ndim()).collect(), |a| vec![a]),
        });
    }
    let dtype = statistic.dtype(x.dtype());
    let q_axis = statistic
        .list()
        .then(|| AxisChunks::regular(statistic.qs().len(), statistic.qs().len()))
        .transpose()?;
    let lanes = |input: &Arc<Node>, grid: ChunkGrid| {
        Node::new(
            Op::Block(Arc::new(Lanes {
                statistic: statistic.clone(),
                axis,
                ndim: x.ndim(),
                nan,
                dtype,
            })),
            vec![input.clone()],
            Meta::new(dtype, grid),
        )
    };
    #[allow(clippy::single_match_else)]
    match axis {
        Some(a) => {
            let mut gathered = x.chunks().axes().to_vec();
            gathered[a] = AxisChunks::regular(len, len)?;
            let input = rechunk_to(x, ChunkGrid::new(gathered));
            let mut out: Vec<AxisChunks> = q_axis.into_iter().collect();
            out.extend(
                x.chunks()
                    .axes()
                    .iter()
                    .enumerate()
                    .filter(|&(d, _)| d != a)
                    .map(|(_, c)| c.clone()),
            );
            Ok(lanes(&input, ChunkGrid::new(out)))
        }
        None => {
            let out = ChunkGrid::new(q_axis.into_iter().collect());
            let bytes = len.saturating_mul(x.dtype().size());
            if x.chunks().num_blocks() <= 1 || bytes <= gather_bytes {
                let one = ChunkGrid::new(
                    x.shape()
                        .iter()
                        .map(|&n| AxisChunks::regular(n, n))
                        .collect::<Result<Vec<_>>>()?,
                );
                return Ok(lanes(&rechunk_to(x, one), out));
            }
            Ok(radix_select(x, statistic, nan, dtype, out))
        }
    }
}

/// The kernel of a gathered statistic: each lane along `axis` (or the whole block) in
/// one block, sorted, and read at the ranks.
#[derive(Debug)]
struct Lanes {
    statistic: Statistic,
    axis: Option<usize>,
    /// Axes of the input.
    ndim: usize,
    nan: bool,
    dtype: DType,
}

impl BlockKernel for Lanes {
    fn name(&self) -> &'static str {
        match (&self.statistic, self.nan) {
            (Statistic::Median, false) => "median",
            (Statistic::Median, true) => "nanmedian",
            (_, false) => "quantile",
            (_, true) => "nanquantile",
        }
    }

    fn key(&self) -> Vec<u8> {
        let mut key = self.statistic.key();
        key.extend((self.axis.map_or(u64::MAX, |a| a as u64)).to_le_bytes());
        key.push(u8::from(self.nan));
        key
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let skip = usize::from(self.statistic.list());
        match self.axis {
            None => f(0, &vec![0; self.ndim]),
            Some(a) => {
                let mut at = out[skip..].to_vec();
                at.insert(a, 0);
                f(0, &at);
            }
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let input = inputs[0];
        with_numeric_dtype!(input.dtype(), T => {
            let a = input.as_typed::<T>()?;
            Ok(lanes_statistic::<T>(a, self))
        }, else => Err(Error::Internal {
            context: "quantile",
            detail: "a bool block reached the kernel".into(),
        }))
    }

    fn describe(&self) -> Option<String> {
        Some(match self.axis {
            Some(a) => format!("axis {a}, gathered"),
            None => "whole array, gathered".into(),
        })
    }
}

/// The statistic of every lane of `a`.
fn lanes_statistic<T: OrderKey + NumElement>(a: &ArrayD<T>, k: &Lanes) -> AnyArray {
    let qs = k.statistic.qs();
    let f32_math = k.dtype == DType::F32;
    let mut values: Vec<T> = Vec::new();
    let mut one_lane = |lane: &mut dyn Iterator<Item = T>, out: &mut dyn FnMut(usize, f64)| {
        values.clear();
        let mut has_nan = false;
        for v in lane {
            if v.is_nan_value() {
                has_nan = true;
            } else {
                values.push(v);
            }
        }
        if values.is_empty() || (has_nan && !k.nan) {
            for i in 0..qs.len() {
                out(i, f64::NAN);
            }
            return;
        }
        values.sort_unstable_by_key(|v| v.order_key());
        let n = values.len() as u64;
        for (i, &q) in qs.iter().enumerate() {
            let (p, nx, t) = k.statistic.ranks(q, n);
            #[allow(clippy::cast_possible_truncation)]
            let (lo, hi) = (values[p as usize], values[nx as usize]);
            out(i, combine(&k.statistic, lo, hi, t, f32_math));
        }
    };
    let result: ArrayD<f64> = match k.axis {
        None => {
            let mut r = ArrayD::<f64>::zeros(IxDyn(&[qs.len()]));
            one_lane(&mut a.iter().copied(), &mut |i, v| r[i] = v);
            r
        }
        Some(axis) => {
            let mut shape = a.shape().to_vec();
            shape.remove(axis);
            shape.insert(0, qs.len());
            let mut r = ArrayD::<f64>::zeros(IxDyn(&shape));
            let mut at = vec![0usize; shape.len()];
            let rest: Vec<usize> = shape[1..].to_vec();
            for (flat, lane) in a.lanes(Axis(axis)).into_iter().enumerate() {
                crate::chunks::coords_of(flat, &rest, &mut at);
                at.insert(0, 0);
                one_lane(&mut lane.iter().copied(), &mut |i, v| {
                    at[0] = i;
                    r[at.as_slice()] = v;
                });
            }
            r
        }
    };
    finish(result, k.statistic.list(), k.dtype)
}

/// `result` (q first) as the statistic's output: without the q axis for a scalar `q`,
/// in `dtype`.
fn finish(result: ArrayD<f64>, list: bool, dtype: DType) -> AnyArray {
    let result = if list {
        result
    } else {
        result.index_axis_move(Axis(0), 0)
    };
    let any = AnyArray::from(result);
    if dtype == DType::F64 {
        any
    } else {
        any.cast(dtype)
    }
}

/// The statistic from its two order statistics: the median's mean, or NumPy's `_lerp`
/// at weight `t` (in `f32` when `f32_math`, else `f64`).
// NumPy's median is `mean` of the middle two, `(a + b) / 2`, overflow and all.
#[allow(clippy::manual_midpoint)]
fn combine<T: NumElement>(statistic: &Statistic, a: T, b: T, t: f64, f32_math: bool) -> f64 {
    if let Statistic::Median = statistic {
        if f32_math {
            let (a, b) = (a.cast::<f32>(), b.cast::<f32>());
            return f64::from(if t == 0.0 { a } else { (a + b) / 2.0 });
        }
        let (a, b) = (a.cast::<f64>(), b.cast::<f64>());
        return if t == 0.0 { a } else { (a + b) / 2.0 };
    }
    let diff = b.sub_elem(a);
    if f32_math {
        let (a, b, diff) = (a.cast::<f32>(), b.cast::<f32>(), diff.cast::<f32>());
        #[allow(clippy::cast_possible_truncation)]
        let r = if t >= 0.5 {
            b - diff * ((1.0 - t) as f32)
        } else {
            a + diff * (t as f32)
        };
        return f64::from(r);
    }
    let (a, b, diff) = (a.cast::<f64>(), b.cast::<f64>(), diff.cast::<f64>());
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

// ---------------------------------------------------------------------------------
// Radix selection over the whole array.

/// The geometry of pass `pass` over keys of `bits` bits: the shift of its digit and the
/// digit's width.
fn digit(bits: u32, pass: u32) -> (u32, u32) {
    let done = pass * DIGIT_BITS;
    let width = DIGIT_BITS.min(bits - done);
    (bits - done - width, width)
}

/// The node computing the statistic over the whole of `x` by radix selection.
fn radix_select(
    x: &Arc<Node>,
    statistic: &Statistic,
    nan: bool,
    dtype: DType,
    out: ChunkGrid,
) -> Arc<Node> {
    let bits = with_numeric_dtype!(x.dtype(), T => <T as OrderKey>::BITS, else => 1);
    let passes = bits.div_ceil(DIGIT_BITS);
    let ranks = 2 * statistic.qs().len();
    let blocks = x.chunks().num_blocks();
    let mut state: Option<Arc<Node>> = None;
    for pass in 0..passes {
        let (_, width) = digit(bits, pass);
        let len = if pass == 0 {
            (1 << width) + 1
        } else {
            ranks << width
        };
        let part_grid = |n: usize| {
            ChunkGrid::new(vec![
                AxisChunks::regular(n * len, len).expect("a histogram is not empty")
            ])
        };
        let inputs: Vec<Arc<Node>> = std::iter::once(x.clone()).chain(state.clone()).collect();
        let mut hist = Node::new(
            Op::Block(Arc::new(Histogram {
                grid: x.chunks().blocks_per_axis(),
                bits,
                pass,
                ranks,
            })),
            inputs,
            Meta::new(DType::U64, part_grid(blocks)),
        );
        let mut n = blocks;
        while n > 1 {
            let inputs = n;
            n = n.div_ceil(SPLIT_EVERY);
            hist = Node::new(
                Op::Block(Arc::new(SumCounts { len, inputs })),
                vec![hist.clone()],
                Meta::new(DType::U64, part_grid(n)),
            );
        }
        let inputs: Vec<Arc<Node>> = std::iter::once(hist).chain(state.clone()).collect();
        state = Some(Node::new(
            Op::Block(Arc::new(SelectDigit {
                statistic: statistic.clone(),
                bits,
                pass,
                ranks,
            })),
            inputs,
            Meta::new(
                DType::U64,
                ChunkGrid::new(vec![AxisChunks::regular(2 + 2 * ranks, 2 + 2 * ranks)
                    .expect("the state is not empty")]),
            ),
        ));
    }
    Node::new(
        Op::Block(Arc::new(FromKeys {
            statistic: statistic.clone(),
            nan,
            input: x.dtype(),
            dtype,
        })),
        vec![state.expect("at least one pass")],
        Meta::new(dtype, out),
    )
}

/// Pass `pass` of the radix selection over one input block: the histogram of the
/// keys' top digit plus the NaN count (pass 0), or per rank the histogram of the next
/// digit of the keys that match the rank's digits so far (read from the state, slot 1).
#[derive(Debug)]
struct Histogram {
    /// Input blocks per axis (output block `i` reads input block `i` in C order).
    grid: Vec<usize>,
    bits: u32,
    pass: u32,
    ranks: usize,
}

impl BlockKernel for Histogram {
    fn name(&self) -> &'static str {
        "quantile_histogram"
    }

    fn key(&self) -> Vec<u8> {
        [u64::from(self.pass), self.ranks as u64]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect()
    }

    fn for_each_input(&self, out: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        let mut at = Vec::new();
        crate::chunks::coords_of(out[0], &self.grid, &mut at);
        f(0, &at);
        if self.pass > 0 {
            f(1, &[0]);
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let input = inputs[0];
        let state = (self.pass > 0)
            .then(|| inputs[1].as_typed::<u64>())
            .transpose()?;
        with_numeric_dtype!(input.dtype(), T => {
            let a = input.as_typed::<T>()?;
            Ok(AnyArray::from(self.histogram::<T>(a, state)))
        }, else => Err(Error::Internal {
            context: "quantile",
            detail: "a bool block reached the histogram".into(),
        }))
    }

    fn describe(&self) -> Option<String> {
        Some(format!("radix pass {}", self.pass))
    }
}

impl Histogram {
    fn histogram<T: OrderKey>(&self, a: &ArrayD<T>, state: Option<&ArrayD<u64>>) -> ArrayD<u64> {
        let (shift, width) = digit(self.bits, self.pass);
        let mask = (1u64 << width) - 1;
        let Some(state) = state else {
            let mut h = vec![0u64; (1 << width) + 1];
            for &v in a {
                if v.is_nan_value() {
                    h[1 << width] += 1;
                } else {
                    #[allow(clippy::cast_possible_truncation)]
                    let d = ((v.order_key() >> shift) & mask) as usize;
                    h[d] += 1;
                }
            }
            return ArrayD::from_shape_vec(IxDyn(&[h.len()]), h).expect("length matches");
        };
        let state = state.as_slice().expect("a state block is contiguous");
        // The distinct prefixes the ranks look for, sorted, and each rank's among them.
        let prefixes: Vec<u64> = (0..self.ranks).map(|r| state[2 + 2 * r]).collect();
        let mut distinct = prefixes.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let mut counts = vec![0u64; distinct.len() << width];
        if state[0] > 0 {
            for &v in a {
                if v.is_nan_value() {
                    continue;
                }
                let key = v.order_key();
                if let Ok(i) = distinct.binary_search(&(key >> (shift + width))) {
                    #[allow(clippy::cast_possible_truncation)]
                    let d = ((key >> shift) & mask) as usize;
                    counts[(i << width) + d] += 1;
                }
            }
        }
        let mut h = Vec::with_capacity(self.ranks << width);
        for p in prefixes {
            let i = distinct.binary_search(&p).expect("every prefix is listed");
            h.extend_from_slice(&counts[i << width..(i + 1) << width]);
        }
        ArrayD::from_shape_vec(IxDyn(&[h.len()]), h).expect("length matches")
    }
}

/// The end of a radix pass: from the summed histogram, each rank's next digit. Pass 0
/// also counts the elements (`n`, the NaNs) and places the ranks.
///
/// The state is `[n, nan count, (prefix, rank within the prefix) per rank]`; the ranks
/// come in pairs per `q` (the lower and upper neighbours of the virtual index).
#[derive(Debug)]
struct SelectDigit {
    statistic: Statistic,
    bits: u32,
    pass: u32,
    ranks: usize,
}

impl BlockKernel for SelectDigit {
    fn name(&self) -> &'static str {
        "quantile_select"
    }

    fn key(&self) -> Vec<u8> {
        let mut key = self.statistic.key();
        key.extend(u64::from(self.pass).to_le_bytes());
        key
    }

    fn for_each_input(&self, _: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, &[0]);
        if self.pass > 0 {
            f(1, &[0]);
        }
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let hist = inputs[0].as_typed::<u64>()?;
        let hist = hist.as_slice().expect("a histogram block is contiguous");
        let (_, width) = digit(self.bits, self.pass);
        let bins = 1usize << width;
        let mut state = vec![0u64; 2 + 2 * self.ranks];
        if self.pass == 0 {
            state[0] = hist[..bins].iter().sum();
            state[1] = hist[bins];
            for (i, &q) in self.statistic.qs().iter().enumerate() {
                let (lo, hi, _) = self.statistic.ranks(q, state[0]);
                state[2 + 4 * i + 1] = lo;
                state[2 + 4 * i + 3] = hi;
            }
        } else {
            let before = inputs[1].as_typed::<u64>()?;
            state.copy_from_slice(before.as_slice().expect("a state block is contiguous"));
        }
        if state[0] == 0 {
            return Ok(to_array(state));
        }
        for r in 0..self.ranks {
            let h = if self.pass == 0 {
                &hist[..bins]
            } else {
                &hist[r * bins..(r + 1) * bins]
            };
            let mut rank = state[3 + 2 * r];
            let mut d = 0;
            while rank >= h[d] {
                rank -= h[d];
                d += 1;
            }
            state[2 + 2 * r] = (state[2 + 2 * r] << width) | d as u64;
            state[3 + 2 * r] = rank;
        }
        Ok(to_array(state))
    }
}

fn to_array(v: Vec<u64>) -> AnyArray {
    AnyArray::from(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).expect("length matches"))
}

/// The end of the radix selection: the values of the selected keys, combined into the
/// statistic.
#[derive(Debug)]
struct FromKeys {
    statistic: Statistic,
    nan: bool,
    input: DType,
    dtype: DType,
}

impl BlockKernel for FromKeys {
    fn name(&self) -> &'static str {
        "quantile_from_keys"
    }

    fn key(&self) -> Vec<u8> {
        let mut key = self.statistic.key();
        key.push(u8::from(self.nan));
        key
    }

    fn for_each_input(&self, _: &[usize], f: &mut dyn FnMut(usize, &[usize])) {
        f(0, &[0]);
    }

    fn compute(&self, _: &[usize], inputs: &[&AnyArray]) -> Result<AnyArray> {
        let state = inputs[0].as_typed::<u64>()?;
        let state = state.as_slice().expect("a state block is contiguous");
        let qs = self.statistic.qs();
        let (n, nans) = (state[0], state[1]);
        let f32_math = self.dtype == DType::F32;
        let mut result = ArrayD::<f64>::zeros(IxDyn(&[qs.len()]));
        with_numeric_dtype!(self.input, T => {
            for (i, &q) in qs.iter().enumerate() {
                result[i] = if n == 0 || (nans > 0 && !self.nan) {
                    f64::NAN
                } else {
                    let (_, _, t) = self.statistic.ranks(q, n);
                    let lo = <T as OrderKey>::from_order_key(state[2 + 4 * i]);
                    let hi = <T as OrderKey>::from_order_key(state[4 + 4 * i]);
                    combine(&self.statistic, lo, hi, t, f32_math)
                };
            }
        }, else => return Err(Error::Internal {
            context: "quantile",
            detail: "a bool statistic reached the kernel".into(),
        }));
        Ok(finish(result, self.statistic.list(), self.dtype))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x: &Arc<Node>) -> ArrayD<f64> {
        let a = crate::DynArray::from_node(x.clone());
        a.compute()
            .unwrap()
            .cast(DType::F64)
            .into_typed::<f64>()
            .unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Radix selection (gathering disabled) gives the gathered result for every
        /// statistic, dtype-width and NaN mix.
        #[test]
        fn radix_selection_is_exact(
            len in 1usize..300,
            chunk in 1usize..40,
            seed in 0u64..10_000,
            nans in 0u64..3,
            q in 0.0f64..=1.0,
        ) {
            let data: Vec<f64> = (0..len as u64).map(|k| {
                let h = (k + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed.wrapping_mul(0xbf58_476d_1ce4_e5b9);
                if nans > 0 && (h >> 7) % 11 < nans { f64::NAN } else { ((h >> 13) % 2001) as f64 / 8.0 - 125.0 }
            }).collect();
            let a = ndarray::Array::from_vec(data).into_dyn();
            let f = crate::from_ndarray(a.clone(), [chunk]);
            let f32s = crate::from_ndarray(a.mapv(|v| v as f32), [chunk]);
            let i16s = crate::from_ndarray(a.mapv(|v| if v.is_nan() { 0 } else { (v * 8.0) as i16 }), [chunk]);
            for node in [&f.node, &f32s.node, &i16s.node] {
                for nan in [false, true] {
                    for statistic in [
                        Statistic::Median,
                        Statistic::Quantile { q: vec![q, 0.0, 1.0], list: true },
                        Statistic::Quantile { q: vec![q], list: false },
                    ] {
                        let gathered = quantile_within("q", node, &statistic, None, nan, usize::MAX).unwrap();
                        let radix = quantile_within("q", node, &statistic, None, nan, 0).unwrap();
                        let (g, r) = (run(&gathered), run(&radix));
                        proptest::prop_assert!(
                            g.iter().zip(&r).all(|(a, b)| a == b || (a.is_nan() && b.is_nan())),
                            "{:?} nan {}: {} vs {}", statistic, nan, g, r
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn radix_selection_equals_gathering() {
        let data: Vec<f64> = (0..997)
            .map(|i| f64::from((i * 7919) % 1009) * if i % 3 == 0 { -0.5 } else { 1.25 })
            .collect();
        let x = crate::from_ndarray(ndarray::Array::from_vec(data).into_dyn(), [100]);
        for statistic in [
            Statistic::Median,
            Statistic::Quantile {
                q: vec![0.0, 0.1, 0.5, 0.77, 1.0],
                list: true,
            },
            Statistic::Quantile {
                q: vec![0.3],
                list: false,
            },
        ] {
            let gathered =
                quantile_within("q", &x.node, &statistic, None, false, usize::MAX).unwrap();
            let radix = quantile_within("q", &x.node, &statistic, None, false, 0).unwrap();
            assert_eq!(run(&gathered), run(&radix), "{statistic:?}");
        }
    }
}
