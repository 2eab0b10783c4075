//! Regression tests, one per reported defect, named after the issue that reported it.

#[allow(unused_imports)]
use crate::common::Built as _;
use std::error::Error as _;
use std::ops::Range;
use std::sync::Arc;

use chunkwise::io::BlockReader;
use chunkwise::{AnyArray, BinaryFn, Chunks, DType, DynArray, Error};

/// The messages of `e` and of each of its sources, outermost first.
pub(crate) fn chain(e: &Error) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut next = e.source();
    while let Some(cause) = next {
        out.push(cause.to_string());
        next = cause.source();
    }
    out
}

/// Issue 10.3: an integer array to a negative constant power gave zeros
/// (`arange(1, 4).pow(-1)` was `[1, 0, 0]`); NumPy refuses it, and so does chunkwise,
/// when the expression is built.
#[test]
fn issue_10_integer_to_a_negative_constant_power_is_refused() {
    let x = chunkwise::arange(1i64, 4, 1, [2]);
    let err = x.pow(-1).unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { op: "power", param: "exponent", ref value, .. } if value == "-1"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("negative integer powers are not allowed"),
        "{err}"
    );
    // Through the runtime-typed API (the expression language's path) too.
    let err = BinaryFn::Pow.apply(x.to_dyn(), -2).unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { op: "power", .. }),
        "{err:?}"
    );
    // Unsigned, zero and positive exponents still work, and floats take any power.
    assert_eq!(x.pow(0).compute().unwrap().sum(), 3);
    let f = chunkwise::arange(1.0f64, 3.0, 1.0, [1]);
    assert_eq!(f.pow(-1.0).compute().unwrap().sum(), 1.5);
}

/// Issue 10.3: an integer array to an exponent *array* with negative values gave zeros
/// (`2 ** -x`); the task that meets a negative exponent fails, naming `power`.
#[test]
fn issue_10_integer_to_a_negative_array_power_fails_in_its_task() {
    let x = chunkwise::arange(0i64, 4, 1, [2]);
    let two = chunkwise::full(&[4], 2i64, [2]);
    let y = two.pow(-&x);
    let err = y.compute().unwrap_err();
    let Error::TaskFailed { ref cause, .. } = err else {
        panic!("expected a task failure, got {err:?}");
    };
    assert!(
        matches!(**cause, Error::InvalidParameter { op: "power", .. }),
        "{cause:?}"
    );
    assert!(
        cause.to_string().contains("negative integer powers"),
        "{cause}"
    );
    // The same expression over the runtime-typed API: `2 ** -x`.
    let neg = x.to_dyn().neg();
    let err = BinaryFn::Pow.apply(2, &neg).compute().unwrap_err();
    assert!(matches!(err, Error::TaskFailed { .. }), "{err:?}");
    // Non-negative exponent arrays are fine: 2 ** [0, 1, 2, 3].
    assert_eq!(two.pow(&x).compute().unwrap().sum(), 15);
}

/// A reader whose every read fails, to make a task fail with a cause.
#[derive(Debug)]
struct Broken;

impl BlockReader for Broken {
    fn dtype(&self) -> DType {
        DType::F64
    }
    fn shape(&self) -> Vec<usize> {
        vec![4]
    }
    fn identity(&self) -> String {
        "broken".into()
    }
    fn read(&self, _: &[Range<usize>]) -> chunkwise::Result<AnyArray> {
        Err(Error::Storage {
            path: "broken.bin".into(),
            problem: "the disk is on fire".into(),
        })
    }
}

/// Issue 10.4: a task failure printed its cause twice in any chain printer ("task
/// `read` failed ...: X | caused by: X"): its message included the cause's text, which
/// was also its `source()`.
#[test]
fn issue_10_a_task_failure_states_its_cause_once() {
    let x = DynArray::from_reader(Arc::new(Broken), &Chunks::Uniform(vec![2]));
    let err = x.compute().unwrap_err();
    assert!(matches!(err, Error::TaskFailed { .. }), "{err:?}");
    let messages = chain(&err);
    assert_eq!(messages.len(), 2, "{messages:?}");
    let all = messages.join(" | ");
    assert_eq!(all.matches("the disk is on fire").count(), 1, "{all}");
    assert!(messages[0].contains("task `read` failed on block"), "{all}");
}
