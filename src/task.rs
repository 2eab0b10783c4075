//! What lazy tasks (`delayed`) and futures (`client`) share: [`TaskOptions`], a task's name and projected bytes; [`AnyValue`], a plain Rust
//! value of any type with the bytes it holds, as the executors keep it; and the one way a
//! user's closure result becomes a task's result.
//!
//! Where it sits: below `delayed` and `client`, above `error`; it knows nothing of arrays
//! or of how tasks are scheduled.

use std::any::Any;
use std::sync::Arc;

use crate::error::{Error, Result};

/// A task's name, shown in errors, events and the report, and the bytes its result is
/// expected to hold, for the memory budget (by default the size of the result's type,
/// `size_of::<T>()`, which is right for numbers and small structs but not for what they
/// point to: give the bytes of a loaded `Vec` or array with [`bytes`](Self::bytes)).
///
/// A `&str` or `String` converts into it, so most calls just pass a name.
///
/// # Example
///
/// ```
/// use chunkwise::TaskOptions;
/// let plain: TaskOptions = "inc".into();
/// let large = TaskOptions::new("load").bytes(8 << 20);
/// assert_eq!((plain.name(), plain.projected_bytes()), ("inc", None));
/// assert_eq!(large.projected_bytes(), Some(8 << 20));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskOptions {
    name: String,
    bytes: Option<u64>,
}

impl TaskOptions {
    /// A task called `name`, its bytes the size of its result's type.
    pub fn new(name: impl Into<String>) -> TaskOptions {
        TaskOptions {
            name: name.into(),
            bytes: None,
        }
    }

    /// The bytes the task's result holds, for the memory budget: a task starts only
    /// while what is held plus this fits (or nothing else is running).
    #[must_use]
    pub fn bytes(mut self, bytes: u64) -> TaskOptions {
        self.bytes = Some(bytes);
        self
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bytes given with [`bytes`](Self::bytes), if any.
    pub fn projected_bytes(&self) -> Option<u64> {
        self.bytes
    }

    /// The bytes a result of type `T` is taken to hold.
    pub(crate) fn bytes_of<T>(&self) -> u64 {
        self.bytes.unwrap_or(std::mem::size_of::<T>() as u64)
    }
}

impl From<&str> for TaskOptions {
    fn from(name: &str) -> TaskOptions {
        TaskOptions::new(name)
    }
}

impl From<String> for TaskOptions {
    fn from(name: String) -> TaskOptions {
        TaskOptions::new(name)
    }
}

impl From<&String> for TaskOptions {
    fn from(name: &String) -> TaskOptions {
        TaskOptions::new(name.clone())
    }
}

/// A task's result: a value of any type, shared, with the bytes it is taken to hold.
#[derive(Clone)]
pub(crate) struct AnyValue {
    value: Arc<dyn Any + Send + Sync>,
    bytes: u64,
}

impl std::fmt::Debug for AnyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnyValue")
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl AnyValue {
    /// `value`, taken to hold `bytes`.
    pub(crate) fn new<T: Send + Sync + 'static>(value: T, bytes: u64) -> AnyValue {
        AnyValue {
            value: Arc::new(value),
            bytes,
        }
    }

    /// The bytes the value is taken to hold.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The value as a `T`; an internal error naming `task` when it is not one (the
    /// typed handles make that impossible from the public API).
    pub(crate) fn get<T: 'static>(&self, task: &str) -> Result<&T> {
        self.value.downcast_ref::<T>().ok_or_else(|| {
            Error::internal(
                "task::AnyValue",
                format!(
                    "the result of `{task}` is not a {}",
                    std::any::type_name::<T>()
                ),
            )
        })
    }

    /// The value as a shared `T`.
    pub(crate) fn get_arc<T: Send + Sync + 'static>(&self, task: &str) -> Result<Arc<T>> {
        self.get::<T>(task)?;
        Arc::downcast::<T>(self.value.clone())
            .map_err(|_| Error::internal("task::AnyValue", format!("`{task}` changed type")))
    }
}

/// The result of a user's closure for the task `name`: its value, or its own error as
/// [`Error::User`] naming the task.
pub(crate) fn user_result<T, E>(name: &str, result: std::result::Result<T, E>) -> Result<T>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    result.map_err(|e| Error::User {
        function: name.to_string(),
        source: e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_as_their_own_type_only() {
        let v = AnyValue::new(vec![1u8, 2, 3], 3);
        assert_eq!(v.get::<Vec<u8>>("load").unwrap(), &vec![1, 2, 3]);
        assert_eq!(v.get_arc::<Vec<u8>>("load").unwrap().len(), 3);
        let wrong = v.get::<String>("load").unwrap_err().to_string();
        assert!(wrong.contains("`load`"), "{wrong}");
        assert_eq!(v.bytes(), 3);
    }

    #[test]
    fn a_closure_error_names_its_task() {
        let e = user_result::<i32, _>("parse", "abc".parse::<i32>()).unwrap_err();
        assert!(matches!(&e, Error::User { function, .. } if function == "parse"));
        assert_eq!(user_result::<i32, String>("ok", Ok(3)).unwrap(), 3);
        assert_eq!(TaskOptions::from("x").bytes_of::<u64>(), 8);
    }
}
