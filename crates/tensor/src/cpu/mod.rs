//! The CPU backend: [`CpuBackend`] implements [`Backend`] over [`HostBuffer`] storages.
//!
//! Kernels are families over a layout (STYLE.md, "Kernels"): one element-wise map/zip, one reduction, one
//! softmax, one GEMM, one gather — each with a contiguous fast path first and a strided path second, each calling
//! the scalar definitions of [`crate::ops`]. Files:
//!
//! * `elementwise.rs` — unary, binary, where, cast, strided copy;
//! * `reduce.rs` — sum/max/min/argmax/argmin over an axis, softmax and log-softmax;
//! * `matmul.rs` — batched matmul on top of `gemm/` (packed BLIS-style GEMM with SIMD microkernels);
//! * `index.rs` — gather, index_select, concat;
//! * `simd/` — AVX-512 / AVX2 kernels for contiguous f32 runs (arithmetic, relu, exp, sigmoid, tanh, log1p,
//!   bce, sums, max/min) with a portable fallback, and the accuracy of each;
//! * `parallel.rs` — the rayon pool and its thresholds;
//! * `pool.rs` — the per-thread cache of output buffers (what one training step frees, the next one reuses).

mod elementwise;
pub mod gemm;
mod index;
mod matmul;
pub mod parallel;
pub(crate) mod pool;
mod reduce;
pub mod simd;
pub mod team;

use crate::backend::Backend;
use crate::dtype::{DType, HostBuffer};
use crate::layout::Layout;
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};

/// The CPU backend. It has no state: the thread pool is global (see [`parallel`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

/// Applies `$body` to the vector inside a [`HostBuffer`], whatever its dtype, binding it as `$v`.
macro_rules! with_dtype {
    ($buf:expr, |$v:ident| $body:expr) => {
        match $buf {
            HostBuffer::F32($v) => $body,
            HostBuffer::F64($v) => $body,
            HostBuffer::I64($v) => $body,
        }
    };
}

impl Backend for CpuBackend {
    type Storage = HostBuffer;

    fn name(&self) -> String {
        "cpu".to_string()
    }

    fn dtype(&self, x: &HostBuffer) -> DType {
        x.dtype()
    }

    fn from_host(&self, data: HostBuffer) -> HostBuffer {
        data
    }

    fn to_host(&self, x: &HostBuffer, layout: &Layout) -> HostBuffer {
        self.copy_strided(x, layout)
    }

    fn full(&self, numel: usize, value: f64, dtype: DType) -> HostBuffer {
        HostBuffer::full(dtype, numel, value)
    }

    fn copy_strided(&self, x: &HostBuffer, layout: &Layout) -> HostBuffer {
        with_dtype!(x, |v| elementwise::copy_strided(v, layout).into())
    }

    fn cast(&self, x: &HostBuffer, layout: &Layout, dtype: DType) -> HostBuffer {
        elementwise::cast(x, layout, dtype)
    }

    fn concat(&self, parts: &[(&HostBuffer, &Layout)], axis: usize) -> HostBuffer {
        index::concat(parts, axis)
    }

    fn unary(&self, op: UnaryOp, x: &HostBuffer, layout: &Layout) -> HostBuffer {
        match x {
            HostBuffer::F32(v) => HostBuffer::F32(elementwise::unary_float(op, v, layout)),
            HostBuffer::F64(v) => HostBuffer::F64(elementwise::unary_float(op, v, layout)),
            HostBuffer::I64(v) => HostBuffer::I64(elementwise::map(v, layout, |x| crate::ops::unary_i64(op, x))),
        }
    }

    fn binary(
        &self,
        op: BinaryOp,
        lhs: &HostBuffer,
        lhs_layout: &Layout,
        rhs: &HostBuffer,
        rhs_layout: &Layout,
    ) -> HostBuffer {
        match (lhs, rhs) {
            (HostBuffer::F32(l), HostBuffer::F32(r)) => {
                HostBuffer::F32(elementwise::binary_float(op, l, lhs_layout, r, rhs_layout))
            }
            (HostBuffer::F64(l), HostBuffer::F64(r)) => {
                HostBuffer::F64(elementwise::binary_float(op, l, lhs_layout, r, rhs_layout))
            }
            (HostBuffer::I64(l), HostBuffer::I64(r)) => {
                HostBuffer::I64(elementwise::zip(l, lhs_layout, r, rhs_layout, |a, b| crate::ops::binary_i64(op, a, b)))
            }
            _ => unreachable!("binary: operands checked to share a dtype"),
        }
    }

    fn where_cond(
        &self,
        cond: &HostBuffer,
        cond_layout: &Layout,
        on_true: &HostBuffer,
        true_layout: &Layout,
        on_false: &HostBuffer,
        false_layout: &Layout,
    ) -> HostBuffer {
        elementwise::where_cond(cond, cond_layout, on_true, true_layout, on_false, false_layout)
    }

    fn reduce(&self, op: ReduceOp, x: &HostBuffer, layout: &Layout, axis: usize) -> HostBuffer {
        match x {
            HostBuffer::F32(v) => reduce::reduce_float(op, v, layout, axis),
            HostBuffer::F64(v) => reduce::reduce_float(op, v, layout, axis),
            HostBuffer::I64(v) => reduce::reduce_i64(op, v, layout, axis),
        }
    }

    fn softmax(&self, x: &HostBuffer, layout: &Layout, axis: usize, log: bool) -> HostBuffer {
        match x {
            HostBuffer::F32(v) => HostBuffer::F32(reduce::softmax(v, layout, axis, log)),
            HostBuffer::F64(v) => HostBuffer::F64(reduce::softmax(v, layout, axis, log)),
            HostBuffer::I64(_) => unreachable!("softmax: checked to be a float tensor"),
        }
    }

    fn matmul(&self, lhs: &HostBuffer, lhs_layout: &Layout, rhs: &HostBuffer, rhs_layout: &Layout) -> HostBuffer {
        matmul::matmul(lhs, lhs_layout, rhs, rhs_layout)
    }

    fn linear(
        &self,
        x: &HostBuffer,
        x_layout: &Layout,
        w: &HostBuffer,
        w_layout: &Layout,
        b: &HostBuffer,
        b_layout: &Layout,
        relu: bool,
    ) -> Option<HostBuffer> {
        matmul::linear(x, x_layout, w, w_layout, b, b_layout, relu)
    }

    fn gather(
        &self,
        x: &HostBuffer,
        layout: &Layout,
        axis: usize,
        index: &HostBuffer,
        index_layout: &Layout,
    ) -> HostBuffer {
        let HostBuffer::I64(idx) = index else { unreachable!("gather: index checked to be int64") };
        with_dtype!(x, |v| index::gather(v, layout, axis, idx, index_layout).into())
    }

    fn index_select(
        &self,
        x: &HostBuffer,
        layout: &Layout,
        axis: usize,
        index: &HostBuffer,
        index_layout: &Layout,
    ) -> HostBuffer {
        let HostBuffer::I64(idx) = index else { unreachable!("index_select: index checked to be int64") };
        with_dtype!(x, |v| index::index_select(v, layout, axis, idx, index_layout).into())
    }

    fn scatter_add(
        &self,
        x: &HostBuffer,
        layout: &Layout,
        axis: usize,
        index: &HostBuffer,
        index_layout: &Layout,
        src: &HostBuffer,
        src_layout: &Layout,
    ) -> Option<HostBuffer> {
        let HostBuffer::I64(idx) = index else { unreachable!("scatter_add: index checked to be int64") };
        let (il, sl) = (index_layout, src_layout);
        Some(match (x, src) {
            (HostBuffer::F32(x), HostBuffer::F32(s)) => index::scatter_add(x, layout, axis, idx, il, s, sl).into(),
            (HostBuffer::F64(x), HostBuffer::F64(s)) => index::scatter_add(x, layout, axis, idx, il, s, sl).into(),
            (HostBuffer::I64(x), HostBuffer::I64(s)) => index::scatter_add(x, layout, axis, idx, il, s, sl).into(),
            _ => unreachable!("scatter_add: dtypes checked to match"),
        })
    }
}

impl From<Vec<f32>> for HostBuffer {
    fn from(v: Vec<f32>) -> Self {
        HostBuffer::F32(v)
    }
}
impl From<Vec<f64>> for HostBuffer {
    fn from(v: Vec<f64>) -> Self {
        HostBuffer::F64(v)
    }
}
impl From<Vec<i64>> for HostBuffer {
    fn from(v: Vec<i64>) -> Self {
        HostBuffer::I64(v)
    }
}
