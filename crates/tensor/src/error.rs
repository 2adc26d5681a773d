//! Errors. Two kinds, handled differently (see STYLE.md, "Errors"):
//!
//! * programmer errors — a shape, dtype or device mismatch — panic at the call site through the one
//!   [`#[cold]`](shape_error) helper below, with a message naming the op and the operands' shapes;
//! * environment errors — no GPU adapter, a device lost, a buffer too large, memory the system refuses — are
//!   [`Error`] values that say what to do next. Sizes that come from outside the program (a CLI flag, a file)
//!   go through the fallible constructors (`Tensor::try_zeros`, ...), which return them; the panicking
//!   constructors panic with the same message at the caller.

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
    /// A tensor does not fit the device's limits (or cannot exist at all: its size overflows).
    TooLarge(String),
    /// The system refused the memory of a tensor that could exist.
    OutOfMemory(String),
    /// The operation is not supported for this dtype or device.
    Unsupported(String),
    /// Data from outside the program does not fit the shape it was given with.
    Shape(String),
}

impl Error {
    /// The message without the kind's prefix (what the panicking twins of the fallible functions print after
    /// the op's name: `zeros: cannot allocate 4 TiB for shape [1099511627776] ...`).
    pub fn detail(&self) -> &str {
        match self {
            Error::NoAdapter(m)
            | Error::Device(m)
            | Error::TooLarge(m)
            | Error::OutOfMemory(m)
            | Error::Unsupported(m)
            | Error::Shape(m) => m,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoAdapter(m) => write!(f, "no GPU adapter: {m}"),
            Error::Device(m) => write!(f, "GPU device error: {m}"),
            Error::TooLarge(m) => write!(f, "tensor too large for the device: {m}"),
            Error::OutOfMemory(m) => write!(f, "out of memory: {m}"),
            Error::Unsupported(m) => write!(f, "unsupported: {m}"),
            Error::Shape(m) => write!(f, "shape mismatch: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Panics at the caller with `"{op}: {detail}"`: the panicking twin of a fallible constructor or check.
#[cold]
#[inline(never)]
#[track_caller]
pub fn fail(op: &str, e: &Error) -> ! {
    shape_error(op, format_args!("{}", e.detail()))
}

/// The value of `result`, or a panic at the caller with `"{op}: {detail}"` (a closure would lose the caller's
/// location, so the panicking twins of the fallible functions go through this).
#[track_caller]
pub fn expect_ok<T>(op: &str, result: Result<T>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => fail(op, &e),
    }
}

/// A byte count for people: `4 TiB`, `1.5 GiB`, `12 bytes` (binary units, one decimal when not whole).
pub fn human_bytes(bytes: u128) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut unit = 0;
    let mut scale: u128 = 1024;
    while unit + 1 < UNITS.len() && bytes >= scale * 1024 {
        scale *= 1024;
        unit += 1;
    }
    if bytes.is_multiple_of(scale) {
        format!("{} {}", bytes / scale, UNITS[unit])
    } else {
        format!("{:.1} {}", bytes as f64 / scale as f64, UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_bytes_in_binary_units() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(4 << 40), "4 TiB");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
        assert_eq!(human_bytes(u64::MAX as u128 + 1), "16 EiB");
    }
}
