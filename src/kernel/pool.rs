//! [`BufferPool`]: the buffers of chunks nobody will read again, kept for the next chunk of
//! the same dtype and length.
//!
//! On the machines chunkwise targets, touching fresh memory costs about 0.3 GB/s (the
//! kernel zeroes and maps each new page), some 70 times slower than writing to memory
//! already mapped; a chunk larger than glibc's mmap threshold is fresh memory on every
//! allocation. The executor hands released results back through
//! [`TaskRunner::recycle`](crate::exec::TaskRunner), they land here, and kernels that
//! allocate a chunk ask [`vec_with_capacity`] first. The pool is bounded (a share of the
//! memory budget, a few buffers per worker of each size, and eight times that in all,
//! the oldest given up first) and lives as long as one computation.
//!
//! A request takes a free buffer of its dtype up to an eighth longer than it asks for:
//! chunks of data-dependent length (`x[x > 0.5]`, 100 chunks of about 500,000 values,
//! each a little different) then reuse each other's buffers. Kept by exact length, they
//! never did: every freed chunk stayed in the pool, unused, and `boolean_mask` held
//! 450 MiB, half of it page faults (0.44 s of system time), where 90 MiB did.
//!
//! Kernels reach the pool of the computation they run in through a thread-local set by
//! [`with_pool`] around each task, so kernel signatures stay plain.

use crate::any_array::IntoAnyArray;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;

use crate::any_array::AnyArray;
use crate::element::DType;
use crate::element::Element;

/// Free chunk buffers by `(dtype, length)`.
#[derive(Debug)]
pub(crate) struct BufferPool {
    limit: usize,
    per_size: usize,
    /// Buffers kept in all, of any size.
    max_buffers: usize,
    state: Mutex<PoolState>,
}

#[derive(Debug, Default)]
struct PoolState {
    bytes: usize,
    buffers: usize,
    /// By `(dtype, length)`, the sizes in the order they were first kept.
    free: IndexMap<(DType, usize), Vec<AnyArray>>,
}

impl PoolState {
    /// Removes one buffer of `key`, and the key once it has none.
    fn remove(&mut self, key: (DType, usize)) -> Option<AnyArray> {
        let list = self.free.get_mut(&key)?;
        let array = list.pop()?;
        if list.is_empty() {
            self.free.shift_remove(&key);
        }
        self.bytes -= array.nbytes();
        self.buffers -= 1;
        Some(array)
    }
}

impl BufferPool {
    /// A pool holding at most `limit` bytes of free buffers, and at most two per worker
    /// thread (and two more) of each dtype and length.
    pub(crate) fn new(limit: usize, workers: usize) -> Arc<BufferPool> {
        let per_size = 2 * workers + 2;
        Arc::new(BufferPool {
            limit,
            per_size,
            max_buffers: 8 * per_size,
            state: Mutex::new(PoolState::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().expect("buffer pool mutex poisoned")
    }

    /// Keeps `array`'s buffer for reuse, if there is room.
    pub(crate) fn put(&self, array: AnyArray) {
        let bytes = array.nbytes();
        if bytes < MIN_POOLED_BYTES {
            return;
        }
        let mut st = self.lock();
        if st.bytes + bytes > self.limit {
            return;
        }
        let key = (array.dtype(), array.len());
        if st
            .free
            .get(&key)
            .is_some_and(|free| free.len() >= self.per_size)
        {
            // Enough of this size for every worker to reuse: a computation that frees
            // buffers faster than it asks for them (reads streamed into writes, say)
            // would otherwise keep a share of the budget resident for nothing.
            return;
        }
        while st.buffers >= self.max_buffers {
            let Some(&oldest) = st.free.keys().next() else {
                break;
            };
            st.remove(oldest);
        }
        st.free.entry(key).or_default().push(array);
        st.bytes += bytes;
        st.buffers += 1;
    }

    /// A buffer of at least `len` elements of `T` (empty, with that capacity or a little
    /// more: the shortest free one at most an eighth longer), if one is free.
    fn take<T: Element>(&self, len: usize) -> Option<Vec<T>> {
        let array = {
            let mut st = self.lock();
            let key = st
                .free
                .keys()
                .filter(|&&(dtype, n)| dtype == T::DTYPE && (len..=len + len / 8).contains(&n))
                .min_by_key(|&&(_, n)| n)
                .copied()?;
            st.remove(key)?
        };
        let (mut v, _) = T::unwrap_any(array).ok()?.into_raw_vec_and_offset();
        v.clear();
        Some(v)
    }

    /// Bytes of free buffers held.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

/// Buffers smaller than this are cheaper to allocate than to pool.
const MIN_POOLED_BYTES: usize = 64 << 10;

thread_local! {
    static CURRENT: RefCell<Option<Arc<BufferPool>>> = const { RefCell::new(None) };
}

/// Runs `f` with `pool` as this thread's current pool.
pub(crate) fn with_pool<R>(pool: &Arc<BufferPool>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<BufferPool>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(pool.clone()));
    let _restore = Restore(previous);
    f()
}

/// Gives a kernel's own scratch array back to this thread's current pool (when there
/// is one), for the next task to reuse: a buffer only the kernel saw (a padded block,
/// say) never reaches the executor's `recycle`.
pub(crate) fn give_back(array: AnyArray) {
    CURRENT.with(|c| {
        if let Some(p) = c.borrow().as_ref() {
            p.put(array);
        }
    });
}

/// An empty vector with room for `len` elements, reusing a pooled buffer when one fits.
pub(crate) fn vec_with_capacity<T: Element>(len: usize) -> Vec<T> {
    if len * T::DTYPE.size() >= MIN_POOLED_BYTES {
        let pooled = CURRENT.with(|c| c.borrow().as_ref().and_then(|p| p.take::<T>(len)));
        if let Some(v) = pooled {
            return v;
        }
    }
    Vec::with_capacity(len)
}

/// An array of `shape` with every element `value`, in a (possibly pooled) buffer.
pub(crate) fn full(shape: &[usize], value: crate::element::Scalar) -> AnyArray {
    let len = shape.iter().product();
    crate::element::with_dtype!(value.dtype(), T => {
        let mut v = vec_with_capacity::<T>(len);
        v.resize(len, T::from_scalar(value));
        T::wrap(ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), v).expect("length matches shape"))
    })
}

/// The `len` items of `items`, collected into a (possibly pooled) vector.
pub(crate) fn collect<T: Element>(len: usize, items: impl Iterator<Item = T>) -> Vec<T> {
    let mut v = vec_with_capacity(len);
    v.extend(items);
    v
}

/// A standard-layout array of `shape` in a (possibly pooled) buffer, filled with the
/// default value, for kernels that write it in place.
pub(crate) fn array_like<T: Element>(shape: &[usize]) -> ndarray::ArrayD<T> {
    let len = shape.iter().product();
    let mut v = vec_with_capacity(len);
    v.resize(len, T::default());
    ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(shape), v).expect("length matches shape")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn buffers_are_reused_by_dtype_and_length() {
        let pool = BufferPool::new(1 << 30, 2);
        let n = 100_000;
        let a = ArrayD::from_elem(IxDyn(&[n]), 1.5f64);
        let ptr = a.as_ptr();
        pool.put(AnyArray::F64(a));
        assert_eq!(pool.bytes(), n * 8);
        with_pool(&pool, || {
            assert!(vec_with_capacity::<f32>(n).capacity() >= n); // other dtype: fresh
            let v = vec_with_capacity::<f64>(n);
            assert_eq!((v.len(), v.as_ptr()), (0, ptr));
        });
        assert_eq!(pool.bytes(), 0);
        // Outside `with_pool`, allocation is plain.
        assert!(vec_with_capacity::<f64>(n).capacity() >= n);
    }

    #[test]
    fn the_pool_respects_its_limit() {
        let pool = BufferPool::new(1 << 20, 2);
        for _ in 0..4 {
            pool.put(AnyArray::F64(ArrayD::zeros(IxDyn(&[100_000]))));
        }
        assert_eq!(pool.bytes(), 800_000);
    }

    #[test]
    fn a_request_takes_a_slightly_longer_buffer_and_the_oldest_go_first() {
        let pool = BufferPool::new(1 << 40, 2);
        pool.put(AnyArray::F64(ArrayD::zeros(IxDyn(&[10_500]))));
        pool.put(AnyArray::F64(ArrayD::zeros(IxDyn(&[10_100]))));
        with_pool(&pool, || {
            // The shortest that fits within an eighth: 10_100 for 10_000.
            assert!(vec_with_capacity::<f64>(10_000).capacity() >= 10_100);
            assert_eq!(pool.lock().buffers, 1);
            // 10_500 is more than an eighth longer than 9_000: a fresh buffer.
            let _ = vec_with_capacity::<f64>(9_000);
            assert_eq!(pool.lock().buffers, 1);
        });
        // Sizes never asked for again do not pile up: the oldest are given up.
        for n in 0..1000 {
            pool.put(AnyArray::F64(ArrayD::zeros(IxDyn(&[20_000 + n]))));
        }
        assert_eq!(pool.lock().buffers, pool.max_buffers);
        assert!(pool
            .lock()
            .free
            .keys()
            .all(|&(_, n)| n >= 20_000 + 1000 - pool.max_buffers));
    }

    #[test]
    fn the_pool_keeps_a_few_buffers_of_each_size() {
        let pool = BufferPool::new(1 << 40, 2);
        for _ in 0..1000 {
            pool.put(AnyArray::F64(ArrayD::zeros(IxDyn(&[10_000]))));
            pool.put(AnyArray::F32(ArrayD::zeros(IxDyn(&[20_000]))));
        }
        assert_eq!(pool.bytes(), 2 * pool.per_size * 80_000);
    }
}
