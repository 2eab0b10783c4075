//! Reduction kernels: the [`Partial`] of one block, the merge of several partials, and the
//! final value.
//!
//! A block is reduced over runs of adjacent reduced axes, one run at a time, viewing the
//! (C-contiguous) data as `(outer, n, inner)`. Sums are pairwise: within a contiguous run
//! by recursive halving over 8-wide accumulators (NumPy's scheme), and across rows by
//! recursive halving over rows, so the rounding error grows with `log n`, not `n`.
//! Variance uses a two-pass mean and squared deviations per block, and Chan et al.'s
//! pairwise update to merge `(count, mean, M2)` partials.

use ndarray::{ArrayD, IxDyn, Zip};

use super::Partial;
use crate::any_array::{view_of, AnyArray, IntoAnyArray};
use crate::element::{DType, Element, NumElement, Scalar};
use crate::error::{Error, Result};
use crate::ops::ReduceFn;

const CONTEXT: &str = "kernel::reduce";

/// How to fold the elements of one run.
struct Fold<S, A, L, C> {
    lift: L,
    combine: C,
    /// The value of an empty fold (only reached for reductions with an identity).
    zero: A,
    /// Pairwise (for sums) or left-to-right (exact folds: min, max, any, all, prod).
    pairwise: bool,
    _s: std::marker::PhantomData<S>,
}

impl<S: Copy, A: Copy, L: Fn(S) -> A + Copy, C: Fn(A, A) -> A + Copy> Fold<S, A, L, C> {
    fn new(lift: L, combine: C, zero: A, pairwise: bool) -> Self {
        Fold {
            lift,
            combine,
            zero,
            pairwise,
            _s: std::marker::PhantomData,
        }
    }

    fn slice(&self, xs: &[S]) -> A {
        if xs.is_empty() {
            return self.zero;
        }
        if !self.pairwise {
            return xs[1..].iter().fold((self.lift)(xs[0]), |acc, &x| {
                (self.combine)(acc, (self.lift)(x))
            });
        }
        self.pairwise_slice(xs)
    }

    fn pairwise_slice(&self, xs: &[S]) -> A {
        let (lift, add) = (self.lift, self.combine);
        if xs.len() <= 128 {
            let mut acc = [self.zero; 8];
            let chunks = xs.chunks_exact(8);
            let rest = chunks.remainder();
            for c in chunks {
                for i in 0..8 {
                    acc[i] = add(acc[i], lift(c[i]));
                }
            }
            let mut r = add(
                add(add(acc[0], acc[1]), add(acc[2], acc[3])),
                add(add(acc[4], acc[5]), add(acc[6], acc[7])),
            );
            for &x in rest {
                r = add(r, lift(x));
            }
            r
        } else {
            let half = xs.len() / 2 / 8 * 8;
            add(
                self.pairwise_slice(&xs[..half]),
                self.pairwise_slice(&xs[half..]),
            )
        }
    }

    /// Folds `n` rows of `inner` elements into `out` (`inner` long).
    fn rows(&self, data: &[S], n: usize, inner: usize, out: &mut [A]) {
        let (lift, combine) = (self.lift, self.combine);
        if !self.pairwise || n <= 8 {
            for (o, &x) in out.iter_mut().zip(&data[..inner]) {
                *o = lift(x);
            }
            for r in 1..n {
                for (o, &x) in out.iter_mut().zip(&data[r * inner..(r + 1) * inner]) {
                    *o = combine(*o, lift(x));
                }
            }
            return;
        }
        let h = n / 2;
        self.rows(&data[..h * inner], h, inner, out);
        let mut rest = vec![self.zero; inner];
        self.rows(&data[h * inner..], n - h, inner, &mut rest);
        for (o, r) in out.iter_mut().zip(rest) {
            *o = combine(*o, r);
        }
    }

    /// Reduces a C-contiguous array of `shape` over the axes `first..=last` (keepdims).
    fn run(&self, data: &[S], shape: &[usize], first: usize, last: usize) -> Vec<A> {
        let outer: usize = shape[..first].iter().product();
        let n: usize = shape[first..=last].iter().product();
        let inner: usize = shape[last + 1..].iter().product();
        let mut out = vec![self.zero; outer * inner];
        if n == 0 {
            return out;
        }
        for o in 0..outer {
            let block = &data[o * n * inner..(o + 1) * n * inner];
            if inner == 1 {
                out[o] = self.slice(block);
            } else {
                self.rows(block, n, inner, &mut out[o * inner..(o + 1) * inner]);
            }
        }
        out
    }
}

/// Runs of adjacent axes among sorted `axes`, last run first.
fn axis_runs(axes: &[usize]) -> Vec<(usize, usize)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &a in axes {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == a => *last = a,
            _ => runs.push((a, a)),
        }
    }
    runs.reverse();
    runs
}

/// Reduces `x` over `axes` (sorted) with a fold, keeping the reduced axes as length 1.
fn reduce_axes<S, A, L, C>(
    x: &ndarray::ArrayViewD<'_, S>,
    axes: &[usize],
    fold: &Fold<S, A, L, C>,
) -> ArrayD<A>
where
    S: Copy,
    A: Copy,
    L: Fn(S) -> A + Copy,
    C: Fn(A, A) -> A + Copy,
{
    let std = x.as_standard_layout();
    let data = std.as_slice().expect("standard layout is contiguous");
    let mut shape = x.shape().to_vec();
    let runs = axis_runs(axes);
    if runs.is_empty() {
        let v: Vec<A> = data.iter().map(|&s| (fold.lift)(s)).collect();
        return ArrayD::from_shape_vec(IxDyn(&shape), v).expect("same length");
    }
    let (first, last) = runs[0];
    let mut acc = fold.run(data, &shape, first, last);
    shape[first..=last].fill(1);
    let then = Fold::new(|a: A| a, fold.combine, fold.zero, fold.pairwise);
    for &(first, last) in &runs[1..] {
        acc = then.run(&acc, &shape, first, last);
        shape[first..=last].fill(1);
    }
    ArrayD::from_shape_vec(IxDyn(&shape), acc).expect("reduced length matches reduced shape")
}

#[inline(always)]
fn min_nan<T: Element>(a: T, b: T) -> T {
    if a.is_nan() || (!b.is_nan() && a <= b) {
        a
    } else {
        b
    }
}
#[inline(always)]
fn max_nan<T: Element>(a: T, b: T) -> T {
    if a.is_nan() || (!b.is_nan() && a >= b) {
        a
    } else {
        b
    }
}
#[inline(always)]
fn nanmin<T: Element>(a: T, b: T) -> T {
    if b.is_nan() || (!a.is_nan() && a <= b) {
        a
    } else {
        b
    }
}
#[inline(always)]
fn nanmax<T: Element>(a: T, b: T) -> T {
    if b.is_nan() || (!a.is_nan() && a >= b) {
        a
    } else {
        b
    }
}

/// True when `new` should replace `cur` as the arg-reduction's best value: the first NaN
/// wins (as in NumPy), otherwise the strictly smaller (argmin) or larger (argmax) value.
#[inline(always)]
fn arg_better<T: Element>(kind: ReduceFn, new: T, cur: T) -> bool {
    if cur.is_nan() {
        false
    } else if new.is_nan() {
        true
    } else if kind == ReduceFn::ArgMin {
        new < cur
    } else {
        new > cur
    }
}

/// The partial result of reducing one block over `axes`.
///
/// `block_start` and `full_shape` locate the block in the whole input, for the indices of
/// argmin and argmax.
pub(crate) fn partial(
    kind: ReduceFn,
    axes: &[usize],
    block: &AnyArray,
    block_start: &[usize],
    full_shape: &[usize],
) -> Result<Partial> {
    crate::any_array::dispatch_any!(block, a, T => typed_partial::<T>(kind, axes, &a.view(), block_start, full_shape))
}

/// A whole-block reduction folded tile by tile into scalars (the fast path of fused
/// reductions over every axis): no partial arrays per tile.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ScalarFold<T: Element> {
    Sum(T::Sum),
    /// Sum and count (mean, nanmean).
    Mean(f64, f64),
    /// Count, mean and sum of squared deviations (var, std), merged with Chan's update.
    Moments(f64, f64, f64),
    /// The best value so far, if any (min, max and the nan-variants).
    Best(Option<T>),
}

impl<T: Element> ScalarFold<T>
where
    T::Sum: IntoAnyArray,
{
    /// The empty fold for `kind`, or `None` for kinds without a scalar fast path.
    pub(crate) fn new(kind: ReduceFn) -> Option<Self> {
        Some(match kind {
            ReduceFn::Sum | ReduceFn::NanSum => ScalarFold::Sum(T::Sum::ZERO),
            ReduceFn::Mean | ReduceFn::NanMean => ScalarFold::Mean(0.0, 0.0),
            ReduceFn::Var { .. } | ReduceFn::Std { .. } => ScalarFold::Moments(0.0, 0.0, 0.0),
            ReduceFn::Min | ReduceFn::Max | ReduceFn::NanMin | ReduceFn::NanMax => {
                ScalarFold::Best(None)
            }
            _ => return None,
        })
    }

    /// Folds the next elements in.
    pub(crate) fn add(&mut self, kind: ReduceFn, data: &[T]) {
        let nan = matches!(kind, ReduceFn::NanSum | ReduceFn::NanMean);
        let sum_f64 = |xs: &[T]| {
            Fold::new(
                |v: T| {
                    if nan && v.is_nan() {
                        0.0
                    } else {
                        v.cast::<f64>()
                    }
                },
                |a, b| a + b,
                0.0,
                true,
            )
            .slice(xs)
        };
        match self {
            ScalarFold::Sum(acc) => {
                let tile = Fold::new(
                    |v: T| {
                        if nan && v.is_nan() {
                            T::Sum::ZERO
                        } else {
                            v.cast::<T::Sum>()
                        }
                    },
                    NumElement::add_elem,
                    T::Sum::ZERO,
                    true,
                )
                .slice(data);
                *acc = acc.add_elem(tile);
            }
            ScalarFold::Mean(sum, count) => {
                *sum += sum_f64(data);
                *count += if nan {
                    Fold::new(
                        |v: T| if v.is_nan() { 0.0 } else { 1.0 },
                        |a, b| a + b,
                        0.0,
                        true,
                    )
                    .slice(data)
                } else {
                    data.len() as f64
                };
            }
            ScalarFold::Moments(na, ma, m2a) => {
                if data.is_empty() {
                    return;
                }
                let nb = data.len() as f64;
                let mb = sum_f64(data) / nb;
                let m2b = Fold::new(
                    |v: T| {
                        let d = v.cast::<f64>() - mb;
                        d * d
                    },
                    |a, b| a + b,
                    0.0,
                    true,
                )
                .slice(data);
                let n = *na + nb;
                let delta = mb - *ma;
                *ma += delta * nb / n;
                *m2a += m2b + delta * delta * *na * nb / n;
                *na = n;
            }
            ScalarFold::Best(best) => {
                let f = match kind {
                    ReduceFn::Min => min_nan::<T>,
                    ReduceFn::Max => max_nan::<T>,
                    ReduceFn::NanMin => nanmin::<T>,
                    _ => nanmax::<T>,
                };
                for &v in data {
                    *best = Some(best.map_or(v, |b| f(b, v)));
                }
            }
        }
    }

    /// The partial result (every axis of length 1).
    pub(crate) fn finish(self, kind: ReduceFn, ndim: usize) -> Partial {
        let ones = IxDyn(&vec![1; ndim]);
        let one = |v: f64| ArrayD::from_elem(ones.clone(), v);
        match self {
            ScalarFold::Sum(v) => {
                Partial::Running(T::Sum::wrap(ArrayD::from_elem(ones.clone(), v)))
            }
            ScalarFold::Mean(sum, count) => Partial::SumCount {
                sum: one(sum),
                count: one(count),
            },
            ScalarFold::Moments(n, mean, m2) => Partial::Moments {
                count: one(n),
                mean: one(mean),
                m2: one(m2),
            },
            ScalarFold::Best(Some(v)) => {
                Partial::Running(T::wrap(ArrayD::from_elem(ones.clone(), v)))
            }
            ScalarFold::Best(None) => empty_partial(kind, T::DTYPE, &vec![1; ndim]),
        }
    }
}

/// [`partial`] of a typed view (a tile of a fused kernel).
#[allow(clippy::too_many_lines)]
pub(crate) fn typed_partial<T: Element>(
    kind: ReduceFn,
    axes: &[usize],
    x: &ndarray::ArrayViewD<'_, T>,
    block_start: &[usize],
    full_shape: &[usize],
) -> Result<Partial>
where
    T::Sum: IntoAnyArray,
{
    let count: usize = axes.iter().map(|&a| x.shape()[a]).product();
    #[allow(clippy::cast_precision_loss)]
    let count_f = count as f64;
    let running = |a: AnyArray| Ok(Partial::Running(a));
    match kind {
        ReduceFn::Sum => running(T::Sum::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(
                |v: T| v.cast::<T::Sum>(),
                NumElement::add_elem,
                T::Sum::ZERO,
                true,
            ),
        ))),
        ReduceFn::NanSum => running(T::Sum::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(
                |v: T| {
                    if v.is_nan() {
                        T::Sum::ZERO
                    } else {
                        v.cast::<T::Sum>()
                    }
                },
                NumElement::add_elem,
                T::Sum::ZERO,
                true,
            ),
        ))),
        ReduceFn::Prod => running(T::Sum::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(
                |v: T| v.cast::<T::Sum>(),
                NumElement::mul_elem,
                T::Sum::ONE,
                false,
            ),
        ))),
        ReduceFn::Min => running(T::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(|v: T| v, min_nan, T::default(), false),
        ))),
        ReduceFn::Max => running(T::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(|v: T| v, max_nan, T::default(), false),
        ))),
        ReduceFn::NanMin => running(T::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(|v: T| v, nanmin, T::default(), false),
        ))),
        ReduceFn::NanMax => running(T::wrap(reduce_axes(
            x,
            axes,
            &Fold::new(|v: T| v, nanmax, T::default(), false),
        ))),
        ReduceFn::Any => running(AnyArray::Bool(reduce_axes(
            x,
            axes,
            &Fold::new(|v: T| v.cast::<bool>(), |a, b| a || b, false, false),
        ))),
        ReduceFn::All => running(AnyArray::Bool(reduce_axes(
            x,
            axes,
            &Fold::new(|v: T| v.cast::<bool>(), |a, b| a && b, true, false),
        ))),
        ReduceFn::Mean => {
            let sum = reduce_axes(
                x,
                axes,
                &Fold::new(|v: T| v.cast::<f64>(), |a, b| a + b, 0.0, true),
            );
            let count = ArrayD::from_elem(sum.raw_dim(), count_f);
            Ok(Partial::SumCount { sum, count })
        }
        ReduceFn::NanMean => {
            let sum = reduce_axes(
                x,
                axes,
                &Fold::new(
                    |v: T| if v.is_nan() { 0.0 } else { v.cast::<f64>() },
                    |a, b| a + b,
                    0.0,
                    true,
                ),
            );
            let count = reduce_axes(
                x,
                axes,
                &Fold::new(
                    |v: T| if v.is_nan() { 0.0 } else { 1.0 },
                    |a, b| a + b,
                    0.0,
                    true,
                ),
            );
            Ok(Partial::SumCount { sum, count })
        }
        ReduceFn::Var { .. } | ReduceFn::Std { .. } => {
            let sum = reduce_axes(
                x,
                axes,
                &Fold::new(|v: T| v.cast::<f64>(), |a, b| a + b, 0.0, true),
            );
            let mean = if count == 0 {
                sum.mapv(|_| 0.0)
            } else {
                sum.mapv(|s| s / count_f)
            };
            let mean_b = mean.broadcast(x.raw_dim()).ok_or_else(|| {
                Error::internal(CONTEXT, "mean does not broadcast over its block")
            })?;
            let dev2: ArrayD<f64> = Zip::from(x).and(&mean_b).map_collect(|&v, &m| {
                let d = v.cast::<f64>() - m;
                d * d
            });
            let m2 = reduce_axes(
                &dev2.view(),
                axes,
                &Fold::new(|v: f64| v, |a, b| a + b, 0.0, true),
            );
            let count = ArrayD::from_elem(mean.raw_dim(), count_f);
            Ok(Partial::Moments { count, mean, m2 })
        }
        ReduceFn::ArgMin | ReduceFn::ArgMax => {
            Ok(arg_partial(kind, axes, x, block_start, full_shape))
        }
    }
}

fn arg_partial<T: Element>(
    kind: ReduceFn,
    axes: &[usize],
    x: &ndarray::ArrayViewD<'_, T>,
    block_start: &[usize],
    full_shape: &[usize],
) -> Partial {
    let std = x.as_standard_layout();
    let data = std.as_slice().expect("standard layout is contiguous");
    let shape = x.shape();
    let ndim = shape.len();
    if data.is_empty() {
        // A block that is empty along a kept axis: nothing to choose from.
        let mut kept = shape.to_vec();
        for &a in axes {
            kept[a] = 1;
        }
        return Partial::Arg {
            value: T::wrap(ArrayD::from_elem(IxDyn(&kept), T::default())),
            index: ArrayD::from_elem(IxDyn(&kept), 0),
        };
    }
    if axes.len() == ndim {
        // Flattened: the index in the whole array, in C order.
        let mut best = 0usize;
        for (p, &v) in data.iter().enumerate().skip(1) {
            if arg_better(kind, v, data[best]) {
                best = p;
            }
        }
        let mut local = Vec::new();
        crate::chunks::coords_of(best, shape, &mut local);
        let mut flat: u64 = 0;
        for d in 0..ndim {
            flat = flat * full_shape[d] as u64 + (block_start[d] + local[d]) as u64;
        }
        let ones = vec![1usize; ndim];
        #[allow(clippy::cast_possible_wrap)]
        return Partial::Arg {
            value: T::wrap(ArrayD::from_elem(IxDyn(&ones), data[best])),
            index: ArrayD::from_elem(IxDyn(&ones), flat as i64),
        };
    }
    let k = axes[0];
    let outer: usize = shape[..k].iter().product();
    let n = shape[k];
    let inner: usize = shape[k + 1..].iter().product();
    let mut values = Vec::with_capacity(outer * inner);
    let mut index = Vec::with_capacity(outer * inner);
    #[allow(clippy::cast_possible_wrap)]
    let base_index = block_start[k] as i64;
    for o in 0..outer {
        let block = &data[o * n * inner..(o + 1) * n * inner];
        let vs = values.len();
        values.extend_from_slice(&block[..inner]);
        index.resize(vs + inner, base_index);
        for i in 1..n {
            let row = &block[i * inner..(i + 1) * inner];
            for j in 0..inner {
                if arg_better(kind, row[j], values[vs + j]) {
                    values[vs + j] = row[j];
                    #[allow(clippy::cast_possible_wrap)]
                    {
                        index[vs + j] = base_index + i as i64;
                    }
                }
            }
        }
    }
    let mut kept = shape.to_vec();
    kept[k] = 1;
    Partial::Arg {
        value: T::wrap(ArrayD::from_shape_vec(IxDyn(&kept), values).expect("kept shape")),
        index: ArrayD::from_shape_vec(IxDyn(&kept), index).expect("kept shape"),
    }
}

/// Merges partial results of equal shape, in block order.
pub(crate) fn combine(kind: ReduceFn, parts: &[&Partial]) -> Result<Partial> {
    let (first, rest) = parts
        .split_first()
        .ok_or_else(|| Error::internal(CONTEXT, "combine of zero partials"))?;
    let mut acc = (*first).clone();
    let origin = vec![0; acc.ndim()];
    for p in rest {
        merge_at(kind, &mut acc, p, &origin)?;
    }
    Ok(acc)
}

/// The partial of no elements, of `shape`, for an input of `dtype`: where a fused
/// reduction starts before its tiles merge in. Reductions without an identity start from
/// the value every element replaces (`inf` for min, index `i64::MAX` for argmin...).
pub(crate) fn empty_partial(kind: ReduceFn, dtype: DType, shape: &[usize]) -> Partial {
    let zeros = || ArrayD::<f64>::zeros(IxDyn(shape));
    let running = |v: Scalar| crate::kernel::pool::full(shape, v);
    match kind {
        ReduceFn::Sum | ReduceFn::NanSum => {
            Partial::Running(running(Scalar::I64(0).cast(kind.result_dtype(dtype))))
        }
        ReduceFn::Prod => Partial::Running(running(Scalar::I64(1).cast(kind.result_dtype(dtype)))),
        ReduceFn::Any => Partial::Running(running(Scalar::Bool(false))),
        ReduceFn::All => Partial::Running(running(Scalar::Bool(true))),
        ReduceFn::Min | ReduceFn::NanMin => crate::element::with_dtype!(dtype, T => {
            Partial::Running(running(if kind == ReduceFn::NanMin && T::DTYPE.is_float() {
                Scalar::F64(f64::NAN).cast(dtype)
            } else {
                T::HIGHEST.to_scalar()
            }))
        }),
        ReduceFn::Max | ReduceFn::NanMax => crate::element::with_dtype!(dtype, T => {
            Partial::Running(running(if kind == ReduceFn::NanMax && T::DTYPE.is_float() {
                Scalar::F64(f64::NAN).cast(dtype)
            } else {
                T::LOWEST.to_scalar()
            }))
        }),
        ReduceFn::Mean | ReduceFn::NanMean => Partial::SumCount {
            sum: zeros(),
            count: zeros(),
        },
        ReduceFn::Var { .. } | ReduceFn::Std { .. } => Partial::Moments {
            count: zeros(),
            mean: zeros(),
            m2: zeros(),
        },
        ReduceFn::ArgMin | ReduceFn::ArgMax => {
            crate::element::with_dtype!(dtype, T => Partial::Arg {
                value: running(if kind == ReduceFn::ArgMin { T::HIGHEST } else { T::LOWEST }.to_scalar()),
                index: ArrayD::from_elem(IxDyn(shape), i64::MAX),
            })
        }
    }
}

/// `acc`'s box of `shape` at `offset`.
fn window<'a, A>(
    acc: &'a mut ArrayD<A>,
    offset: &[usize],
    shape: &[usize],
) -> Result<ndarray::ArrayViewMutD<'a, A>> {
    if acc.ndim() != shape.len() || (0..shape.len()).any(|d| offset[d] + shape[d] > acc.shape()[d])
    {
        return Err(Error::internal(
            CONTEXT,
            format!(
                "partial of shape {shape:?} at {offset:?} outside {:?}",
                acc.shape()
            ),
        ));
    }
    Ok(acc.slice_each_axis_mut(|ax| {
        let d = ax.axis.index();
        ndarray::Slice::from(offset[d]..offset[d] + shape[d])
    }))
}

fn zip_at<A: Copy, B: Copy>(
    acc: &mut ArrayD<A>,
    other: &ArrayD<B>,
    offset: &[usize],
    f: impl Fn(A, B) -> A,
) -> Result<()> {
    let view = window(acc, offset, other.shape())?;
    Zip::from(view).and(other).for_each(|a, &b| *a = f(*a, b));
    Ok(())
}

/// Merges `other` into the box of `acc` that starts at `offset` (the whole of `acc`
/// when the shapes are equal): `acc` holds earlier elements, `other` later ones.
pub(crate) fn merge_at(
    kind: ReduceFn,
    acc: &mut Partial,
    other: &Partial,
    offset: &[usize],
) -> Result<()> {
    match (acc, other) {
        (Partial::Running(a), Partial::Running(b)) => merge_running(kind, a, b, offset),
        (Partial::SumCount { sum, count }, Partial::SumCount { sum: s2, count: c2 }) => {
            zip_at(sum, s2, offset, |a, b| a + b)?;
            zip_at(count, c2, offset, |a, b| a + b)
        }
        (
            Partial::Moments { count, mean, m2 },
            Partial::Moments {
                count: nb,
                mean: mb,
                m2: m2b,
            },
        ) => {
            let shape = nb.shape();
            if mb.shape() != shape || m2b.shape() != shape {
                return Err(Error::internal(
                    CONTEXT,
                    "moment partials of different shapes",
                ));
            }
            Zip::from(window(count, offset, shape)?)
                .and(window(mean, offset, shape)?)
                .and(window(m2, offset, shape)?)
                .and(nb)
                .and(mb)
                .and(m2b)
                .for_each(|na, ma, m2a, &nb, &mb, &m2b| {
                    let n = *na + nb;
                    if n == 0.0 {
                        return;
                    }
                    let delta = mb - *ma;
                    *ma += delta * nb / n;
                    *m2a += m2b + delta * delta * *na * nb / n;
                    *na = n;
                });
            Ok(())
        }
        (
            Partial::Arg { value, index },
            Partial::Arg {
                value: v2,
                index: i2,
            },
        ) => {
            crate::any_array::dispatch_any!(value, va, T => {
                let vb = view_of::<T>(v2, CONTEXT)?;
                if vb.shape() != i2.shape() {
                    return Err(Error::internal(CONTEXT, "arg partials of different shapes"));
                }
                Zip::from(window(va, offset, i2.shape())?)
                    .and(window(index, offset, i2.shape())?)
                    .and(&vb)
                    .and(i2)
                    .for_each(|v, i, &w, &j| {
                        let tie = (*v == w) || (v.is_nan() && w.is_nan());
                        if arg_better(kind, w, *v) || (tie && j < *i) {
                            *v = w;
                            *i = j;
                        }
                    });
                Ok(())
            })
        }
        _ => Err(Error::internal(CONTEXT, "partials of different kinds")),
    }
}

fn merge_running(
    kind: ReduceFn,
    acc: &mut AnyArray,
    other: &AnyArray,
    offset: &[usize],
) -> Result<()> {
    let dtype_error = || Error::internal(CONTEXT, "running partials of different dtypes");
    if matches!(kind, ReduceFn::Sum | ReduceFn::NanSum | ReduceFn::Prod) {
        return crate::element::with_numeric_dtype!(acc.dtype(), N => {
            let b = N::peek(other).ok_or_else(dtype_error)?;
            let a = N::peek_mut(acc).ok_or_else(dtype_error)?;
            if kind == ReduceFn::Prod {
                zip_at(a, b, offset, NumElement::mul_elem)
            } else {
                zip_at(a, b, offset, NumElement::add_elem)
            }
        }, else => Err(Error::internal(CONTEXT, "sum partial of dtype bool")));
    }
    crate::any_array::dispatch_any!(acc, a, T => {
        let b = T::peek(other).ok_or_else(dtype_error)?;
        match kind {
            ReduceFn::Min => zip_at(a, b, offset, min_nan),
            ReduceFn::Max => zip_at(a, b, offset, max_nan),
            ReduceFn::NanMin => zip_at(a, b, offset, nanmin),
            ReduceFn::NanMax => zip_at(a, b, offset, nanmax),
            ReduceFn::Any => zip_at(a, b, offset, |p: T, q: T| if p.cast::<bool>() { p } else { q }),
            ReduceFn::All => zip_at(a, b, offset, |p: T, q: T| if p.cast::<bool>() { q } else { p }),
            _ => Err(Error::internal(CONTEXT, format!("`{}` has no running partial", kind.name()))),
        }
    })
}

/// The final value of a reduction from its merged partial, in `out_dtype`.
pub(crate) fn finalize(kind: ReduceFn, part: Partial, out_dtype: DType) -> Result<AnyArray> {
    match part {
        Partial::Running(a) => Ok(a),
        Partial::SumCount { sum, count } => {
            let mut mean = sum;
            Zip::from(&mut mean).and(&count).for_each(|s, &c| *s /= c);
            Ok(AnyArray::F64(mean).cast(out_dtype))
        }
        Partial::Moments { count, m2, .. } => {
            let (ReduceFn::Var { ddof } | ReduceFn::Std { ddof }) = kind else {
                return Err(Error::internal(
                    CONTEXT,
                    "moments for a reduction other than var/std",
                ));
            };
            #[allow(clippy::cast_precision_loss)]
            let ddof = ddof as f64;
            let mut var = m2;
            Zip::from(&mut var)
                .and(&count)
                .for_each(|v, &n| *v /= (n - ddof).max(0.0));
            if matches!(kind, ReduceFn::Std { .. }) {
                var.mapv_inplace(f64::sqrt);
            }
            Ok(AnyArray::F64(var).cast(out_dtype))
        }
        Partial::Arg { index, .. } => Ok(AnyArray::I64(index)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Axis};

    fn arr(a: ArrayD<f64>) -> AnyArray {
        AnyArray::F64(a)
    }

    #[test]
    fn sum_over_runs_of_axes_matches_ndarray() {
        let x = ArrayD::from_shape_fn(IxDyn(&[3, 4, 5, 2]), |i| {
            (i[0] * 40 + i[1] * 10 + i[2] * 2 + i[3]) as f64
        });
        for axes in [
            vec![0],
            vec![1, 2],
            vec![0, 3],
            vec![0, 1, 2, 3],
            vec![1, 3],
        ] {
            let p = partial(
                ReduceFn::Sum,
                &axes,
                &arr(x.clone()),
                &[0; 4],
                &[3, 4, 5, 2],
            )
            .unwrap();
            let Partial::Running(AnyArray::F64(got)) = p else {
                panic!()
            };
            let mut want = x.clone();
            for &a in axes.iter().rev() {
                want = want.sum_axis(Axis(a)).insert_axis(Axis(a));
            }
            assert_eq!(got, want, "axes {axes:?}");
        }
    }

    #[test]
    fn pairwise_sum_is_accurate() {
        // 1 + many tiny values: naive left-to-right summation loses them all in f32.
        let mut v = vec![1e-8f32; 1 << 20];
        v[0] = 1.0;
        let x = ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
        let p = partial(ReduceFn::Sum, &[0], &AnyArray::F32(x), &[0], &[1 << 20]).unwrap();
        let Partial::Running(AnyArray::F32(s)) = p else {
            panic!()
        };
        let s = s.into_iter().next().unwrap();
        assert!((s - 1.010_485_7).abs() < 1e-4, "{s}");
    }

    #[test]
    fn moments_merge_to_the_two_pass_variance() {
        let a = array![1.0, 2.0, 3.0, 4.0].into_dyn();
        let b = array![10.0, 20.0].into_dyn();
        let kind = ReduceFn::Var { ddof: 1 };
        let pa = partial(kind, &[0], &arr(a), &[0], &[6]).unwrap();
        let pb = partial(kind, &[0], &arr(b), &[4], &[6]).unwrap();
        let merged = combine(kind, &[&pa, &pb]).unwrap();
        let v = finalize(kind, merged, DType::F64)
            .unwrap()
            .into_typed::<f64>()
            .unwrap();
        let all = [1.0, 2.0, 3.0, 4.0, 10.0, 20.0];
        let m = all.iter().sum::<f64>() / 6.0;
        let want = all.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 5.0;
        assert!((v[[0]] - want).abs() < 1e-12);
    }

    #[test]
    fn argmin_prefers_first_occurrence_and_nan() {
        let x = array![[3.0, 1.0], [1.0, 0.5]].into_dyn();
        let p = partial(ReduceFn::ArgMin, &[0, 1], &arr(x.clone()), &[2, 0], &[4, 2]).unwrap();
        let merged = finalize(ReduceFn::ArgMin, p, DType::I64)
            .unwrap()
            .into_typed::<i64>()
            .unwrap();
        assert_eq!(merged[[0, 0]], 7); // (2+1)*2 + 1
        let y = array![1.0, f64::NAN, 0.0, f64::NAN].into_dyn();
        let p = partial(ReduceFn::ArgMax, &[0], &arr(y), &[0], &[4]).unwrap();
        let idx = finalize(ReduceFn::ArgMax, p, DType::I64)
            .unwrap()
            .into_typed::<i64>()
            .unwrap();
        assert_eq!(idx[[0]], 1);
        // Ties across blocks go to the smaller flat index.
        let left = partial(
            ReduceFn::ArgMin,
            &[0],
            &arr(array![0.0].into_dyn()),
            &[5],
            &[9],
        )
        .unwrap();
        let right = partial(
            ReduceFn::ArgMin,
            &[0],
            &arr(array![0.0].into_dyn()),
            &[2],
            &[9],
        )
        .unwrap();
        let m = combine(ReduceFn::ArgMin, &[&left, &right]).unwrap();
        let idx = finalize(ReduceFn::ArgMin, m, DType::I64)
            .unwrap()
            .into_typed::<i64>()
            .unwrap();
        assert_eq!(idx[[0]], 2);
    }

    #[test]
    fn nan_variants_skip_nan() {
        let x = array![f64::NAN, 2.0, 4.0].into_dyn();
        let p = partial(ReduceFn::NanMean, &[0], &arr(x.clone()), &[0], &[3]).unwrap();
        let m = finalize(ReduceFn::NanMean, p, DType::F64)
            .unwrap()
            .into_typed::<f64>()
            .unwrap();
        assert_eq!(m[[0]], 3.0);
        let p = partial(ReduceFn::NanMin, &[0], &arr(x.clone()), &[0], &[3]).unwrap();
        assert_eq!(
            finalize(ReduceFn::NanMin, p, DType::F64).unwrap(),
            arr(array![2.0].into_dyn())
        );
        let p = partial(ReduceFn::Max, &[0], &arr(x), &[0], &[3]).unwrap();
        let m = finalize(ReduceFn::Max, p, DType::F64)
            .unwrap()
            .into_typed::<f64>()
            .unwrap();
        assert!(m[[0]].is_nan());
    }
}
