//! Errors. Two kinds, handled differently (see STYLE.md, "Errors"):
//!
//! * programmer errors — a shape, dtype or device mismatch — panic at the call site through the one
//!   [`#[cold]`](shape_error) helper below, with a message naming the op and the operands' shapes;
//! * environment errors — no GPU adapter, a device lost, a buffer too large — are [`Error`] values that say
//!   what to do next.

use std::fmt;

/// Panics with `"{op}: {msg}"`. Every shape/dtype/device check of the crate ends here, so the messages share one
/// form: `matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3 differ`.
#[cold]
#[inline(never)]
#[track_caller]
pub fn shape_error(op: &str, msg: fmt::Arguments<'_>) -> ! {
    panic!("{op}: {msg}")
}

/// Checks `cond`, else panics through [`shape_error`].
#[macro_export]
#[doc(hidden)]
macro_rules! ensure {
    ($cond:expr, $op:expr, $($fmt:tt)+) => {
        if !$cond {
            $crate::error::shape_error($op, format_args!($($fmt)+))
        }
    };
}

/// An error the environment caused; its message says what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// No GPU adapter could be found.
    NoAdapter(String),
    /// The device was lost, ran out of memory, or failed to map a buffer.
    Device(String),
    /// A tensor does not fit the device's limits.
    TooLarge(String),
    /// The operation is not supported for this dtype or device.
    Unsupported(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoAdapter(m) => write!(f, "no GPU adapter: {m}"),
            Error::Device(m) => write!(f, "GPU device error: {m}"),
            Error::TooLarge(m) => write!(f, "tensor too large for the device: {m}"),
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
