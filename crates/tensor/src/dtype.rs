//! Element types: [`DType`], the [`Element`] trait that ties a Rust type to its `DType`, and [`HostBuffer`],
//! a typed vector in host memory (how data enters and leaves every backend).
//!
//! Three dtypes exist: `F32` (every backend), `F64` (CPU only: gradient checks run in f64) and `I64`, the
//! integer type of class labels and indices (the wgpu backend stores it as 32-bit integers on the device).

use std::fmt;

/// The element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit IEEE float.
    F32,
    /// 64-bit IEEE float (CPU only).
    F64,
    /// 64-bit signed integer, for labels and indices.
    I64,
}

impl DType {
    /// Size of one element in host memory, in bytes.
    pub fn size_in_bytes(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F64 | DType::I64 => 8,
        }
    }

    /// True for `F32` and `F64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// PyTorch's name for the dtype (`float32`, `float64`, `int64`).
    pub fn as_str(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::I64 => "int64",
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Rust type that can be the element of a tensor.
pub trait Element: Copy + Send + Sync + PartialOrd + fmt::Debug + Default + 'static {
    /// The matching dtype.
    const DTYPE: DType;
    /// Lossy conversion to f64 (exact for f32, f64 and integers below 2^53).
    fn to_f64(self) -> f64;
    /// Conversion from f64 (rounding for f32, truncation toward zero for integers).
    fn from_f64(v: f64) -> Self;
    /// Wraps a vector of this type in a [`HostBuffer`].
    fn into_host(v: Vec<Self>) -> HostBuffer;
    /// Borrows the vector of a [`HostBuffer`] of this type, `None` for another dtype.
    fn from_host(b: &HostBuffer) -> Option<&Vec<Self>>;
    /// Takes the vector out of a [`HostBuffer`] of this type, giving the buffer back for another dtype.
    fn from_host_owned(b: HostBuffer) -> Result<Vec<Self>, HostBuffer>;
    /// A vector of `len` elements with unspecified values, from the CPU backend's buffer cache (kernels that
    /// write every output element use it; see `cpu/pool.rs`).
    #[doc(hidden)]
    fn take_buffer(len: usize) -> Vec<Self> {
        vec![Self::default(); len]
    }
    /// Gives a scratch vector back to the CPU backend's buffer cache.
    #[doc(hidden)]
    fn give_buffer(v: Vec<Self>) {
        drop(v)
    }
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            #[inline]
            fn take_buffer(len: usize) -> Vec<Self> {
                crate::cpu::pool::take::<$t>(len)
            }
            #[inline]
            fn give_buffer(v: Vec<Self>) {
                crate::cpu::pool::give::<$t>(v)
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn into_host(v: Vec<Self>) -> HostBuffer {
                HostBuffer::$variant(v)
            }
            fn from_host(b: &HostBuffer) -> Option<&Vec<Self>> {
                match b {
                    HostBuffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn from_host_owned(b: HostBuffer) -> Result<Vec<Self>, HostBuffer> {
                match b {
                    HostBuffer::$variant(v) => Ok(v),
                    other => Err(other),
                }
            }
        }
    };
}
element!(f32, F32);
element!(f64, F64);
element!(i64, I64);

/// A typed vector in host memory. It is also the CPU backend's storage.
#[derive(Clone, Debug, PartialEq)]
pub enum HostBuffer {
    /// f32 elements.
    F32(Vec<f32>),
    /// f64 elements.
    F64(Vec<f64>),
    /// i64 elements.
    I64(Vec<i64>),
}

impl HostBuffer {
    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        match self {
            HostBuffer::F32(_) => DType::F32,
            HostBuffer::F64(_) => DType::F64,
            HostBuffer::I64(_) => DType::I64,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            HostBuffer::F32(v) => v.len(),
            HostBuffer::F64(v) => v.len(),
            HostBuffer::I64(v) => v.len(),
        }
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `n` copies of `value` converted to `dtype`.
    ///
    /// # Panics
    /// When the system refuses the memory (the process is not aborted); see [`HostBuffer::try_full`].
    #[track_caller]
    pub fn full(dtype: DType, n: usize, value: f64) -> HostBuffer {
        HostBuffer::try_full(dtype, n, value).unwrap_or_else(|| {
            let bytes = n as u128 * dtype.size_in_bytes() as u128;
            panic!(
                "full: cannot allocate {} for {n} elements of {dtype} (the system refused the memory); use a \
                 smaller size",
                crate::error::human_bytes(bytes)
            )
        })
    }

    /// `n` copies of `value` converted to `dtype`, or `None` when the system refuses the memory.
    pub fn try_full(dtype: DType, n: usize, value: f64) -> Option<HostBuffer> {
        use crate::cpu::pool::{try_filled, try_zeroed};
        // +0.0 is all-zero bits in every dtype: zeroed memory, which the allocator may map instead of writing.
        let zero = value == 0.0 && value.is_sign_positive();
        Some(match dtype {
            DType::F32 => HostBuffer::F32(if zero { try_zeroed(n)? } else { try_filled(n, value as f32)? }),
            DType::F64 => HostBuffer::F64(if zero { try_zeroed(n)? } else { try_filled(n, value)? }),
            DType::I64 => HostBuffer::I64(if zero { try_zeroed(n)? } else { try_filled(n, value as i64)? }),
        })
    }

    /// Every element converted to f64 (for printing and tests).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self {
            HostBuffer::F32(v) => v.iter().map(|&x| x as f64).collect(),
            HostBuffer::F64(v) => v.clone(),
            HostBuffer::I64(v) => v.iter().map(|&x| x as f64).collect(),
        }
    }
}
