//! Lazy tasks over plain Rust values, Dask's `delayed`: wrap named closures and their
//! inputs into a graph, then compute it on chunkwise's executor.
//!
//! A [`Delayed<T>`] is a value of type `T` not computed yet: a plain value
//! ([`value`]), a call with no inputs ([`from_fn`]), a call on other delayed values
//! ([`map`](Delayed::map), [`map2`](Delayed::map2), [`combine`](Delayed::combine)), or a
//! block of an array ([`LazyArray::to_delayed`](crate::LazyArray::to_delayed)). Building
//! one runs nothing. [`compute`](Delayed::compute) and [`compute_many`] run every task the
//! results need, once each, in dependency order, on the same memory-aware executor as
//! arrays: a task starts only while the bytes its result is expected to hold
//! ([`TaskOptions::bytes`], by default the size of its type) fit beside what is held;
//! every result is dropped as soon as its last reader has run; the events go to the
//! observers of the [`ComputeOptions`], so the report and the dashboard show the tasks.
//!
//! Every task has a key, its name and a number (`inc-12`): a handle cloned and used
//! twice is one task, run once. Two calls built separately are two tasks even when they
//! look alike, as with Dask's default `pure=False`: a closure's captures cannot be
//! compared, so no key could prove two calls equal.
//!
//! Arrays and tasks share one graph: the blocks of [`LazyArray::to_delayed`](crate::LazyArray::to_delayed) are
//! computed by the array's own tasks, in the same run as the delayed tasks that read
//! them; an array made of delayed blocks ([`LazyArray::from_delayed`](crate::LazyArray::from_delayed)) computes each
//! block's tasks inside the task that makes the block, so that loading streams through
//! the memory budget like any other source.
//!
//! # Example
//!
//! The start of Dask's tutorial (`inc`, `double`, `add` over a list, then a sum):
//!
//! ```
//! use chunkwise::delayed::{self, Delayed};
//! let parts: Vec<Delayed<i64>> = (1..=8)
//!     .map(|x| {
//!         let a = delayed::from_fn("inc", move || x + 1);
//!         let b = delayed::from_fn("double", move || 2 * x);
//!         a.map2("add", &b, |a, b| a + b)
//!     })
//!     .collect();
//! let total = Delayed::combine("sum", &parts, |xs| xs.iter().copied().sum::<i64>());
//! assert_eq!(total.compute()?, (1..=8).map(|x| x + 1 + 2 * x).sum::<i64>());
//! # Ok::<(), chunkwise::Error>(())
//! ```
//!
//! Where it sits: above arrays and `compute` (it lowers to the same task graph and
//! runs through the same driver), below nothing but the user.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::compute::ComputeOptions;
use crate::error::{Error, Result};
use crate::task::{user_result, AnyValue, TaskOptions};

mod arrays;
mod graph;

/// A function's own error, as a fallible closure returns it.
type UserError = Box<dyn std::error::Error + Send + Sync>;

/// What a call does with its inputs' values.
type Call = Box<dyn Fn(&[&AnyValue]) -> Result<AnyValue> + Send + Sync>;

/// A lazy value of type `T`: a task and the tasks under it, run by
/// [`compute`](Self::compute). Cloning shares the task.
///
/// # Example
///
/// ```
/// use chunkwise::delayed;
/// let x = delayed::value(20);
/// let y = x.map("inc", |x| x + 1).map("double", |x| 2 * x);
/// assert_eq!(y.compute()?, 42);
/// assert!(y.key().starts_with("double-"));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[must_use = "a Delayed does nothing until it is computed"]
pub struct Delayed<T> {
    node: Arc<Node>,
    _value: PhantomData<fn() -> T>,
}

impl<T> Clone for Delayed<T> {
    fn clone(&self) -> Self {
        Delayed {
            node: self.node.clone(),
            _value: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Delayed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Delayed({})", self.node.key)
    }
}

impl<T> std::fmt::Display for Delayed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Delayed<{}> {} ({} inputs)",
            std::any::type_name::<T>(),
            self.node.key,
            self.node.inputs.len()
        )
    }
}

/// One task of a delayed graph.
pub(crate) struct Node {
    /// Unique in the process: the name and a number.
    pub(crate) key: String,
    pub(crate) name: String,
    /// Bytes the result is expected to hold.
    pub(crate) bytes: u64,
    pub(crate) inputs: Vec<Arc<Node>>,
    pub(crate) kind: Kind,
}

/// What a task is.
pub(crate) enum Kind {
    /// A value given as it is.
    Value(AnyValue),
    /// A user's closure over the inputs' values.
    Call(Call),
    /// Block `index` (C order over its grid) of an array.
    Block(arrays::ArrayBlock),
}

impl Drop for Node {
    /// Drops a long chain of tasks without recursing once per task (a loop of a
    /// hundred thousand `map`s would overflow the stack).
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.inputs);
        while let Some(node) = pending.pop() {
            if let Ok(mut node) = Arc::try_unwrap(node) {
                pending.append(&mut node.inputs);
            }
        }
    }
}

/// The next key for a task called `name`.
fn next_key(name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{name}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

impl<T: Send + Sync + 'static> Delayed<T> {
    fn wrap(node: Node) -> Delayed<T> {
        Delayed {
            node: Arc::new(node),
            _value: PhantomData,
        }
    }

    pub(crate) fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// A task `task` calling `call` on `inputs`.
    fn call(task: &TaskOptions, inputs: Vec<Arc<Node>>, call: Call) -> Delayed<T> {
        Delayed::wrap(Node {
            key: next_key(task.name()),
            bytes: task.bytes_of::<T>(),
            name: task.name().to_string(),
            inputs,
            kind: Kind::Call(call),
        })
    }

    /// The task's key: its name and a number unique in the process (`inc-12`), as
    /// errors, events and the report show it.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::delayed::from_fn("load", || 3);
    /// assert!(x.key().starts_with("load-") && x.key() != x.map("load", |x| *x).key());
    /// ```
    pub fn key(&self) -> &str {
        &self.node.key
    }

    /// The task's name.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(chunkwise::delayed::value(1).map("inc", |x| x + 1).name(), "inc");
    /// ```
    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// A task `task` applying `f` to this value.
    ///
    /// # Example
    ///
    /// ```
    /// let words = chunkwise::delayed::value("a b c".to_string());
    /// assert_eq!(words.map("count", |s| s.split(' ').count()).compute()?, 3);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map<U, F>(&self, task: impl Into<TaskOptions>, f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: Fn(&T) -> U + Send + Sync + 'static,
    {
        self.try_map(task, move |x| Ok::<U, UserError>(f(x)))
    }

    /// [`map`](Self::map) with a closure that may fail: its error becomes the task's
    /// ([`Error::User`] naming the task, inside [`Error::TaskFailed`] naming its key).
    ///
    /// # Example
    ///
    /// ```
    /// let text = chunkwise::delayed::value("12x".to_string());
    /// let n = text.try_map("parse", |s| s.parse::<i32>());
    /// assert!(n.compute().unwrap_err().to_string().contains("parse"));
    /// ```
    pub fn try_map<U, E, F>(&self, task: impl Into<TaskOptions>, f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        E: Into<UserError>,
        F: Fn(&T) -> std::result::Result<U, E> + Send + Sync + 'static,
    {
        let task = task.into();
        let (name, bytes) = (task.name().to_string(), task.bytes_of::<U>());
        let call: Call = Box::new(move |inputs| {
            let x = input::<T>(inputs, 0, &name)?;
            Ok(AnyValue::new(user_result(&name, f(x))?, bytes))
        });
        Delayed::call(&task, vec![self.node.clone()], call)
    }

    /// A task `task` applying `f` to this value and `other`'s.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed;
    /// let (a, b) = (delayed::value(2), delayed::value(3.5));
    /// assert_eq!(a.map2("scale", &b, |a, b| f64::from(*a) * b).compute()?, 7.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn map2<B, U, F>(
        &self,
        task: impl Into<TaskOptions>,
        other: &Delayed<B>,
        f: F,
    ) -> Delayed<U>
    where
        B: Send + Sync + 'static,
        U: Send + Sync + 'static,
        F: Fn(&T, &B) -> U + Send + Sync + 'static,
    {
        self.try_map2(task, other, move |a, b| Ok::<U, UserError>(f(a, b)))
    }

    /// [`map2`](Self::map2) with a closure that may fail.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed;
    /// let (a, b) = (delayed::value(7_u32), delayed::value(0_u32));
    /// let q = a.try_map2("divide", &b, |a, b| a.checked_div(*b).ok_or("division by zero"));
    /// assert!(format!("{:?}", q.compute().unwrap_err()).contains("division by zero"));
    /// ```
    pub fn try_map2<B, U, E, F>(
        &self,
        task: impl Into<TaskOptions>,
        other: &Delayed<B>,
        f: F,
    ) -> Delayed<U>
    where
        B: Send + Sync + 'static,
        U: Send + Sync + 'static,
        E: Into<UserError>,
        F: Fn(&T, &B) -> std::result::Result<U, E> + Send + Sync + 'static,
    {
        let task = task.into();
        let (name, bytes) = (task.name().to_string(), task.bytes_of::<U>());
        let call: Call = Box::new(move |inputs| {
            let (a, b) = (input::<T>(inputs, 0, &name)?, input::<B>(inputs, 1, &name)?);
            Ok(AnyValue::new(user_result(&name, f(a, b))?, bytes))
        });
        Delayed::call(&task, vec![self.node.clone(), other.node.clone()], call)
    }

    /// A task `task` applying `f` to the values of all `parts`, in order (Dask's
    /// `delayed(f)(list_of_delayed)`): a sum of a list, a concatenation of loaded files.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed::{self, Delayed};
    /// let parts: Vec<Delayed<u64>> = (0..4).map(|i| delayed::from_fn("load", move || i * 10)).collect();
    /// let total = Delayed::combine("sum", &parts, |xs| xs.iter().copied().sum::<u64>());
    /// assert_eq!(total.compute()?, 60);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn combine<U, F>(task: impl Into<TaskOptions>, parts: &[Delayed<T>], f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: Fn(&[&T]) -> U + Send + Sync + 'static,
    {
        Delayed::try_combine(task, parts, move |xs| Ok::<U, UserError>(f(xs)))
    }

    /// [`combine`](Self::combine) with a closure that may fail.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed::{self, Delayed};
    /// let parts = [delayed::value(10_u8), delayed::value(250)];
    /// let total = Delayed::try_combine("sum", &parts, |xs| {
    ///     xs.iter().try_fold(0_u8, |s, &&x| s.checked_add(x)).ok_or("overflow")
    /// });
    /// assert!(total.compute().is_err());
    /// ```
    pub fn try_combine<U, E, F>(
        task: impl Into<TaskOptions>,
        parts: &[Delayed<T>],
        f: F,
    ) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        E: Into<UserError>,
        F: Fn(&[&T]) -> std::result::Result<U, E> + Send + Sync + 'static,
    {
        let task = task.into();
        let (name, bytes) = (task.name().to_string(), task.bytes_of::<U>());
        let call: Call = Box::new(move |inputs| {
            let values = (0..inputs.len())
                .map(|i| input::<T>(inputs, i, &name))
                .collect::<Result<Vec<&T>>>()?;
            Ok(AnyValue::new(user_result(&name, f(&values))?, bytes))
        });
        let inputs = parts.iter().map(|p| p.node.clone()).collect();
        Delayed::call(&task, inputs, call)
    }

    /// This value and `other`'s as a pair (a task `zip` cloning both).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed;
    /// let pair = delayed::value(1).zip(&delayed::value("one"));
    /// assert_eq!(pair.map("show", |(n, s)| format!("{n} {s}")).compute()?, "1 one");
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn zip<B>(&self, other: &Delayed<B>) -> Delayed<(T, B)>
    where
        T: Clone,
        B: Clone + Send + Sync + 'static,
    {
        self.map2("zip", other, |a, b| (a.clone(), b.clone()))
    }

    /// The values of `parts` as one `Vec` (a task `collect` cloning them); see
    /// [`combine`](Self::combine) to use them without copying.
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::delayed::{self, Delayed};
    /// let parts: Vec<_> = (0..3).map(|i| delayed::value(i)).collect();
    /// assert_eq!(Delayed::collect(&parts).compute()?, vec![0, 1, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn collect(parts: &[Delayed<T>]) -> Delayed<Vec<T>>
    where
        T: Clone,
    {
        Delayed::combine("collect", parts, |xs| {
            xs.iter().map(|&x| x.clone()).collect()
        })
    }

    /// Runs every task this value needs and returns it: taken out of the graph when
    /// nothing else holds it, else cloned.
    ///
    /// # Errors
    ///
    /// The first task's error or panic ([`Error::TaskFailed`] or
    /// [`Error::TaskPanicked`], naming its key), [`Error::Cancelled`], or the errors of
    /// array tasks the graph reads.
    ///
    /// # Example
    ///
    /// ```
    /// let x = chunkwise::delayed::from_fn("answer", || vec![4, 2]);
    /// assert_eq!(x.compute()?, vec![4, 2]);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn compute(&self) -> Result<T>
    where
        T: Clone,
    {
        self.compute_with(&ComputeOptions::default())
    }

    /// [`compute`](Self::compute) with options: executor, threads, memory limit,
    /// cancellation, observers, report and dashboard.
    ///
    /// # Errors
    ///
    /// As [`compute`](Self::compute).
    ///
    /// # Example
    ///
    /// ```
    /// use chunkwise::ComputeOptions;
    /// let x = chunkwise::delayed::value(2).map("square", |x| x * x);
    /// assert_eq!(x.compute_with(&ComputeOptions::default().single_threaded())?, 4);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn compute_with(&self, options: &ComputeOptions) -> Result<T>
    where
        T: Clone,
    {
        let [value] = graph::compute(std::slice::from_ref(&self.node), options)?
            .try_into()
            .map_err(|_| Error::internal("delayed::compute", "one result expected"))?;
        owned::<T>(value, &self.node.key)
    }

    /// [`compute`](Self::compute) for a value that cannot be cloned: it comes back
    /// shared.
    ///
    /// # Errors
    ///
    /// As [`compute`](Self::compute).
    ///
    /// # Example
    ///
    /// ```
    /// let lock = chunkwise::delayed::from_fn("make", || std::sync::Mutex::new(3));
    /// assert_eq!(*lock.compute_shared()?.lock().unwrap(), 3);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn compute_shared(&self) -> Result<Arc<T>> {
        let [value] = graph::compute(std::slice::from_ref(&self.node), &ComputeOptions::default())?
            .try_into()
            .map_err(|_| Error::internal("delayed::compute", "one result expected"))?;
        value.get_arc::<T>(&self.node.key)
    }
}

/// A plain value as a delayed one (a task `value` that gives it).
///
/// # Example
///
/// ```
/// let x = chunkwise::delayed::value(vec![1.5, 2.5]);
/// assert_eq!(x.map("sum", |v| v.iter().sum::<f64>()).compute()?, 4.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn value<T: Send + Sync + 'static>(value: T) -> Delayed<T> {
    let bytes = std::mem::size_of::<T>() as u64;
    Delayed::wrap(Node {
        key: next_key("value"),
        name: "value".to_string(),
        bytes,
        inputs: Vec::new(),
        kind: Kind::Value(AnyValue::new(value, bytes)),
    })
}

/// A task `task` calling `f` with no inputs: loading a file, making a value (Dask's
/// `delayed(f)(plain, arguments)`, the arguments captured by the closure).
///
/// # Example
///
/// ```
/// let x = chunkwise::delayed::from_fn("inc", move || 1 + 1);
/// assert_eq!(x.compute()?, 2);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn from_fn<T, F>(task: impl Into<TaskOptions>, f: F) -> Delayed<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    try_from_fn(task, move || Ok::<T, UserError>(f()))
}

/// [`from_fn`] with a closure that may fail: its error becomes the task's.
///
/// # Example
///
/// ```
/// use chunkwise::TaskOptions;
/// let path = std::env::temp_dir().join("chunkwise-no-such-file");
/// let text = chunkwise::delayed::try_from_fn(TaskOptions::new("read").bytes(1 << 20), move || {
///     std::fs::read_to_string(&path)
/// });
/// assert!(text.compute().unwrap_err().to_string().contains("read-"));
/// ```
pub fn try_from_fn<T, E, F>(task: impl Into<TaskOptions>, f: F) -> Delayed<T>
where
    T: Send + Sync + 'static,
    E: Into<UserError>,
    F: Fn() -> std::result::Result<T, E> + Send + Sync + 'static,
{
    let task = task.into();
    let (name, bytes) = (task.name().to_string(), task.bytes_of::<T>());
    let call: Call = Box::new(move |_| Ok(AnyValue::new(user_result(&name, f())?, bytes)));
    Delayed::call(&task, Vec::new(), call)
}

/// Computes all of `values` in one run (tasks they share run once) and returns them in
/// order.
///
/// # Errors
///
/// As [`Delayed::compute`].
///
/// # Example
///
/// ```
/// use chunkwise::delayed;
/// let shared = delayed::from_fn("load", || 10);
/// let (a, b) = (shared.map("inc", |x| x + 1), shared.map("dec", |x| x - 1));
/// assert_eq!(delayed::compute_many(&[a, b])?, vec![11, 9]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn compute_many<T: Clone + Send + Sync + 'static>(values: &[Delayed<T>]) -> Result<Vec<T>> {
    compute_many_with(values, &ComputeOptions::default())
}

/// [`compute_many`] with options.
///
/// # Errors
///
/// As [`Delayed::compute`].
///
/// # Example
///
/// ```
/// use chunkwise::{delayed, ComputeOptions};
/// let xs: Vec<_> = (0..4).map(|i| delayed::value(i).map("square", |x| x * x)).collect();
/// assert_eq!(delayed::compute_many_with(&xs, &ComputeOptions::default().threads(2))?, vec![0, 1, 4, 9]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn compute_many_with<T: Clone + Send + Sync + 'static>(
    values: &[Delayed<T>],
    options: &ComputeOptions,
) -> Result<Vec<T>> {
    let nodes: Vec<Arc<Node>> = values.iter().map(|v| v.node.clone()).collect();
    let results = graph::compute(&nodes, options)?;
    // The same handle asked twice is one result: each copy after the first is cloned.
    results
        .into_iter()
        .zip(values)
        .map(|(v, d)| owned::<T>(v, d.key()))
        .collect()
}

/// Input `i` of a call, as a `T`.
fn input<'a, T: 'static>(inputs: &[&'a AnyValue], i: usize, task: &str) -> Result<&'a T> {
    inputs
        .get(i)
        .ok_or_else(|| Error::internal("delayed", format!("`{task}` is missing input {i}")))?
        .get::<T>(task)
}

/// A result as an owned `T`: taken when nothing else holds it, else cloned.
fn owned<T: Clone + Send + Sync + 'static>(value: AnyValue, key: &str) -> Result<T> {
    let shared = value.get_arc::<T>(key)?;
    drop(value);
    Ok(Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone()))
}
