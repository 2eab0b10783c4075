//! [`Fold`], the loops every reduction kernel is made of: a fold of the elements of one
//! run of reduced axes, pairwise for sums, and [`reduce_axes`], which reduces a block
//! over any set of axes run by run; and the NaN rules of `min`/`max` and their `nan`
//! variants.
//!
//! A block is reduced over runs of adjacent reduced axes, one run at a time, viewing the
//! (C-contiguous) data as `(outer, n, inner)`. Sums are pairwise: within a contiguous run
//! by recursive halving over 8-wide accumulators (NumPy's scheme), and across rows by
//! recursive halving over rows, so the rounding error grows with `log n`, not `n`.

use ndarray::{ArrayD, IxDyn};

use crate::element::Element;

/// How to fold the elements of one run.
pub(crate) struct Fold<S, A, L, C> {
    lift: L,
    combine: C,
    /// The value of an empty fold (only reached for reductions with an identity).
    zero: A,
    /// Pairwise (for sums) or left-to-right (exact folds: min, max, any, all, prod).
    pairwise: bool,
    _s: std::marker::PhantomData<S>,
}

impl<S: Copy, A: Copy, L: Fn(S) -> A + Copy, C: Fn(A, A) -> A + Copy> Fold<S, A, L, C> {
    pub(crate) fn new(lift: L, combine: C, zero: A, pairwise: bool) -> Self {
        Fold {
            lift,
            combine,
            zero,
            pairwise,
            _s: std::marker::PhantomData,
        }
    }

    pub(crate) fn slice(&self, xs: &[S]) -> A {
        if xs.is_empty() {
            return self.zero;
        }
        if !self.pairwise {
            return xs[1..].iter().fold((self.lift)(xs[0]), |acc, &x| {
                (self.combine)(acc, (self.lift)(x))
            });
        }
        pairwise_slice(xs, self.lift, self.combine, self.zero)
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

/// NumPy's pairwise sum of `xs`: 8 accumulators over runs of at most 128 elements,
/// recursive halving above, compiled for the CPU's vector width and chosen once per
/// call (the crate itself is built for baseline x86-64: two `f64` lanes where AVX-512
/// has eight). The same additions in the same order on every version.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+fma",
    "x86_64+avx2+fma",
    "aarch64+neon",
))]
fn pairwise_slice<S: Copy, A: Copy, L: Fn(S) -> A + Copy, C: Fn(A, A) -> A + Copy>(
    xs: &[S],
    lift: L,
    add: C,
    zero: A,
) -> A {
    #[multiversion::inherit_target]
    fn halve<S: Copy, A: Copy, L: Fn(S) -> A + Copy, C: Fn(A, A) -> A + Copy>(
        xs: &[S],
        lift: L,
        add: C,
        zero: A,
    ) -> A {
        if xs.len() <= 128 {
            let mut acc = [zero; 8];
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
                halve(&xs[..half], lift, add, zero),
                halve(&xs[half..], lift, add, zero),
            )
        }
    }
    halve(xs, lift, add, zero)
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
pub(crate) fn reduce_axes<S, A, L, C>(
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
pub(crate) fn min_nan<T: Element>(a: T, b: T) -> T {
    if a.is_nan() || (!b.is_nan() && a <= b) {
        a
    } else {
        b
    }
}
#[inline(always)]
pub(crate) fn max_nan<T: Element>(a: T, b: T) -> T {
    if a.is_nan() || (!b.is_nan() && a >= b) {
        a
    } else {
        b
    }
}
#[inline(always)]
pub(crate) fn nanmin<T: Element>(a: T, b: T) -> T {
    if b.is_nan() || (!a.is_nan() && a <= b) {
        a
    } else {
        b
    }
}
#[inline(always)]
pub(crate) fn nanmax<T: Element>(a: T, b: T) -> T {
    if b.is_nan() || (!a.is_nan() && a >= b) {
        a
    } else {
        b
    }
}
