//! The CPU backend: [`CpuBackend`] implements [`Backend`] over [`HostBuffer`] storages.
//!
//! Kernels are families over a layout (STYLE.md, "Kernels"): one element-wise map/zip, one reduction, one
//! softmax, one GEMM, one gather — each with a contiguous fast path first and a strided path second, each calling
//! the scalar definitions of [`crate::ops`]. Files:
//!
//! * `elementwise/` — unary, binary, where, cast, strided copy: the plain loops in `mod.rs`, the float fast
//!   paths (SIMD runs, broadcast rows, short rows) in `fast.rs`;
//! * `reduce.rs` — sum/max/min/argmax/argmin over an axis;
//! * `softmax.rs` — softmax and log-softmax along an axis;
//! * `matmul.rs` — batched matmul on top of `gemm/` (the triple loop, then a packed BLIS-style GEMM with SIMD
//!   microkernels, then the fast paths for the tutorial's shapes; `gemm/mod.rs` gives the reading order);
//! * `index.rs` — gather, index_select, concat;
//! * `optim.rs` — the optimizer steps (SGD, Adam), one pass over a parameter and its buffers;
//! * `simd/` — AVX-512 / AVX2 kernels for contiguous f32 runs (arithmetic, relu, exp, sigmoid, tanh, log1p,
//!   bce, sums, max/min) with a portable fallback, and the accuracy of each;
//! * `features.rs` — the one place that asks the CPU which instruction sets it has;
//! * `parallel.rs` — the rayon pool and its thresholds; `team.rs` — a team of two threads for the GEMM;
//! * `pool.rs` — the per-thread cache of output buffers (what one training step frees, the next one reuses);
//! * `kernels.rs` — the kernels' own entry points, exported for benchmarks and kernel tests ([`kernels`]).

mod elementwise;
pub(crate) mod features;
pub(crate) mod gemm;
mod index;
pub mod kernels;
mod matmul;
mod optim;
pub mod parallel;
pub(crate) mod pool;
mod reduce;
pub(crate) mod simd;
mod softmax;
pub(crate) mod team;

use crate::backend::{AdamState, Backend};
use crate::dtype::{DType, HostBuffer};
use crate::layout::{check_in_storage, Layout};
use crate::ops::optim::{AdamStep, SgdStep};
use crate::ops::{BinaryKernel, BinaryOp, ReduceOp, SoftmaxOp, UnaryOp};

/// Every entry point below first checks each operand view against its buffer, once per call and in release
/// builds too ([`check_in_storage`]): the kernels then index without bounds checks or through raw pointers.
#[track_caller]
fn fits(op: &str, x: &HostBuffer, layout: &Layout) {
    check_in_storage(op, layout, x.len());
}

/// The result of an op whose output has no elements. The kernels walk a view row by row, and an empty view can
/// still have many rows (`[1 << 40, 0]`): such a call returns at once instead of visiting each empty row.
fn empty(dtype: DType) -> HostBuffer {
    HostBuffer::full(dtype, 0, 0.0)
}

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

/// `out[i] = op(lhs[i], rhs[i])` for any binary kernel: the body of [`Backend::binary`] (a public op) and of
/// [`Backend::relu_backward`] (ReLU's gradient), one code path for both.
#[track_caller]
fn binary_kernel(
    op: BinaryKernel,
    lhs: &HostBuffer,
    lhs_layout: &Layout,
    rhs: &HostBuffer,
    rhs_layout: &Layout,
) -> HostBuffer {
    fits(op.name(), lhs, lhs_layout);
    fits(op.name(), rhs, rhs_layout);
    if lhs_layout.numel() == 0 {
        return empty(lhs.dtype());
    }
    match (lhs, rhs) {
        (HostBuffer::F32(l), HostBuffer::F32(r)) => {
            HostBuffer::F32(elementwise::binary_float(op, l, lhs_layout, r, rhs_layout))
        }
        (HostBuffer::F64(l), HostBuffer::F64(r)) => {
            HostBuffer::F64(elementwise::binary_float(op, l, lhs_layout, r, rhs_layout))
        }
        (HostBuffer::I64(l), HostBuffer::I64(r)) => {
            // The backend-only kernels are float kernels (the tensor layer refuses them on integers).
            let BinaryKernel::Op(op) = op else { panic!("{}: not defined for int64 tensors", op.name()) };
            HostBuffer::I64(elementwise::zip(l, lhs_layout, r, rhs_layout, |a, b| crate::ops::binary_i64(op, a, b)))
        }
        _ => unreachable!("binary: operands checked to share a dtype"),
    }
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

    #[track_caller]
    fn to_host(&self, x: &HostBuffer, layout: &Layout) -> HostBuffer {
        self.copy_strided(x, layout)
    }

    fn full(&self, numel: usize, value: f64, dtype: DType) -> HostBuffer {
        HostBuffer::full(dtype, numel, value)
    }

    #[track_caller]
    fn copy_strided(&self, x: &HostBuffer, layout: &Layout) -> HostBuffer {
        fits("copy_strided", x, layout);
        if layout.numel() == 0 {
            return empty(x.dtype());
        }
        with_dtype!(x, |v| elementwise::copy_strided(v, layout).into())
    }

    #[track_caller]
    fn cast(&self, x: &HostBuffer, layout: &Layout, dtype: DType) -> HostBuffer {
        fits("cast", x, layout);
        if layout.numel() == 0 {
            return empty(dtype);
        }
        elementwise::cast(x, layout, dtype)
    }

    #[track_caller]
    fn concat(&self, parts: &[(&HostBuffer, &Layout)], axis: usize) -> HostBuffer {
        for (x, layout) in parts {
            fits("cat", x, layout);
        }
        if parts.iter().all(|(_, l)| l.numel() == 0) {
            return empty(parts.first().map_or(DType::F32, |(x, _)| x.dtype()));
        }
        index::concat(parts, axis)
    }

    #[track_caller]
    fn unary(&self, op: UnaryOp, x: &HostBuffer, layout: &Layout) -> HostBuffer {
        fits(op.name(), x, layout);
        if layout.numel() == 0 {
            return empty(x.dtype());
        }
        match x {
            HostBuffer::F32(v) => HostBuffer::F32(elementwise::unary_float(op, v, layout)),
            HostBuffer::F64(v) => HostBuffer::F64(elementwise::unary_float(op, v, layout)),
            HostBuffer::I64(v) => HostBuffer::I64(elementwise::map(v, layout, |x| crate::ops::unary_i64(op, x))),
        }
    }

    #[track_caller]
    fn binary(
        &self,
        op: BinaryOp,
        lhs: &HostBuffer,
        lhs_layout: &Layout,
        rhs: &HostBuffer,
        rhs_layout: &Layout,
    ) -> HostBuffer {
        binary_kernel(BinaryKernel::Op(op), lhs, lhs_layout, rhs, rhs_layout)
    }

    #[track_caller]
    fn relu_backward(&self, grad: &HostBuffer, grad_layout: &Layout, x: &HostBuffer, x_layout: &Layout) -> HostBuffer {
        binary_kernel(BinaryKernel::ReluBackward, grad, grad_layout, x, x_layout)
    }

    #[track_caller]
    fn where_cond(
        &self,
        cond: &HostBuffer,
        cond_layout: &Layout,
        on_true: &HostBuffer,
        true_layout: &Layout,
        on_false: &HostBuffer,
        false_layout: &Layout,
    ) -> HostBuffer {
        fits("where", cond, cond_layout);
        fits("where", on_true, true_layout);
        fits("where", on_false, false_layout);
        if true_layout.numel() == 0 {
            return empty(on_true.dtype());
        }
        elementwise::where_cond(cond, cond_layout, on_true, true_layout, on_false, false_layout)
    }

    #[track_caller]
    fn reduce(&self, op: ReduceOp, x: &HostBuffer, layout: &Layout, axis: usize) -> HostBuffer {
        fits(op.name(), x, layout);
        if layout.numel() == 0 && layout.shape().iter().enumerate().any(|(d, &n)| d != axis && n == 0) {
            return empty(if op.is_arg() { DType::I64 } else { x.dtype() });
        }
        match x {
            HostBuffer::F32(v) => reduce::reduce_float(op, v, layout, axis),
            HostBuffer::F64(v) => reduce::reduce_float(op, v, layout, axis),
            HostBuffer::I64(v) => reduce::reduce_i64(op, v, layout, axis),
        }
    }

    #[track_caller]
    fn softmax(&self, op: SoftmaxOp, x: &HostBuffer, layout: &Layout, axis: usize) -> HostBuffer {
        fits(op.name(), x, layout);
        if layout.numel() == 0 {
            return empty(x.dtype());
        }
        match x {
            HostBuffer::F32(v) => HostBuffer::F32(softmax::softmax(op, v, layout, axis)),
            HostBuffer::F64(v) => HostBuffer::F64(softmax::softmax(op, v, layout, axis)),
            HostBuffer::I64(_) => unreachable!("softmax: checked to be a float tensor"),
        }
    }

    #[track_caller]
    fn matmul(&self, lhs: &HostBuffer, lhs_layout: &Layout, rhs: &HostBuffer, rhs_layout: &Layout) -> HostBuffer {
        fits("matmul", lhs, lhs_layout);
        fits("matmul", rhs, rhs_layout);
        let (l, r) = (lhs_layout.shape(), rhs_layout.shape());
        if l[0] == 0 || l[1] == 0 || r[2] == 0 {
            return empty(lhs.dtype());
        }
        matmul::matmul(lhs, lhs_layout, rhs, rhs_layout)
    }

    #[track_caller]
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
        fits("linear", x, x_layout);
        fits("linear", w, w_layout);
        fits("linear", b, b_layout);
        matmul::linear(x, x_layout, w, w_layout, b, b_layout, relu)
    }

    #[track_caller]
    fn gather(
        &self,
        x: &HostBuffer,
        layout: &Layout,
        axis: usize,
        index: &HostBuffer,
        index_layout: &Layout,
    ) -> HostBuffer {
        fits("gather", x, layout);
        fits("gather", index, index_layout);
        if index_layout.numel() == 0 {
            return empty(x.dtype());
        }
        let HostBuffer::I64(idx) = index else { unreachable!("gather: index checked to be int64") };
        with_dtype!(x, |v| index::gather(v, layout, axis, idx, index_layout).into())
    }

    #[track_caller]
    fn index_select(
        &self,
        x: &HostBuffer,
        layout: &Layout,
        axis: usize,
        index: &HostBuffer,
        index_layout: &Layout,
    ) -> HostBuffer {
        fits("index_select", x, layout);
        fits("index_select", index, index_layout);
        if index_layout.numel() == 0 || layout.numel() == 0 {
            return empty(x.dtype());
        }
        let HostBuffer::I64(idx) = index else { unreachable!("index_select: index checked to be int64") };
        with_dtype!(x, |v| index::index_select(v, layout, axis, idx, index_layout).into())
    }

    #[track_caller]
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
        fits("scatter_add", x, layout);
        fits("scatter_add", index, index_layout);
        fits("scatter_add", src, src_layout);
        let HostBuffer::I64(idx) = index else { unreachable!("scatter_add: index checked to be int64") };
        let (il, sl) = (index_layout, src_layout);
        Some(match (x, src) {
            (HostBuffer::F32(x), HostBuffer::F32(s)) => index::scatter_add(x, layout, axis, idx, il, s, sl).into(),
            (HostBuffer::F64(x), HostBuffer::F64(s)) => index::scatter_add(x, layout, axis, idx, il, s, sl).into(),
            (HostBuffer::I64(x), HostBuffer::I64(s)) => index::scatter_add(x, layout, axis, idx, il, s, sl).into(),
            _ => unreachable!("scatter_add: dtypes checked to match"),
        })
    }

    fn sgd_step(
        &self,
        x: (&HostBuffer, &Layout),
        grad: (&HostBuffer, &Layout),
        momentum_buffer: Option<(&HostBuffer, &Layout)>,
        h: &SgdStep,
    ) -> Option<(HostBuffer, Option<HostBuffer>)> {
        for (b, l) in [Some(x), Some(grad), momentum_buffer].into_iter().flatten() {
            fits("sgd_step", b, l);
        }
        optim::sgd_step_views(x, grad, momentum_buffer, h)
    }

    fn adam_step(
        &self,
        x: (&HostBuffer, &Layout),
        grad: (&HostBuffer, &Layout),
        exp_avg: (&HostBuffer, &Layout),
        exp_avg_sq: (&HostBuffer, &Layout),
        max_exp_avg_sq: Option<(&HostBuffer, &Layout)>,
        h: &AdamStep,
    ) -> Option<AdamState<HostBuffer>> {
        for (b, l) in [Some(x), Some(grad), Some(exp_avg), Some(exp_avg_sq), max_exp_avg_sq].into_iter().flatten() {
            fits("adam_step", b, l);
        }
        optim::adam_step_views(x, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, h)
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

#[cfg(test)]
mod tests {
    use crate::layout::Layout;
    use crate::{DType, Device, Tensor};

    /// The message of the panic of `f`.
    fn panic_of(what: &str, f: impl FnOnce()) -> String {
        let e = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err(what);
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    /// A tensor whose layout reaches past its storage — what a bug in a view op would make — is stopped by the
    /// backend's check before any kernel reads, for every family of kernel.
    #[test]
    fn a_view_outside_its_storage_never_reaches_a_kernel() {
        let base = Tensor::from_vec(vec![1f32, 2., 3., 4., 5., 6.], &[2, 3], &Device::Cpu);
        let bad = [
            Layout::from_parts(vec![2, 3], vec![3, 1], 1), // one past the end
            Layout::from_parts(vec![3, 3], vec![3, 1], 0), // one row too many
            Layout::from_parts(vec![2, 3], vec![3, 1], usize::MAX - 8), // far past the end, no wrap
            Layout::from_parts(vec![2, 2], vec![5, 1], 0), // stride too large
        ];
        for l in bad {
            let t = base.with_layout(l.clone());
            let ones = Tensor::ones(&[l.shape()[1], 2], DType::F32, &Device::Cpu);
            let idx = Tensor::from_vec(vec![0i64; l.numel()], l.shape(), &Device::Cpu);
            type Call<'a> = Box<dyn Fn() + 'a>;
            let ops: [(&str, Call); 8] = [
                ("to_vec", Box::new(|| drop(t.to_vec::<f32>()))),
                ("neg", Box::new(|| drop(t.neg()))),
                ("add", Box::new(|| drop(t.add(&t)))),
                ("sum", Box::new(|| drop(t.sum_dim(0usize)))),
                ("softmax", Box::new(|| drop(t.softmax(1usize)))),
                ("matmul", Box::new(|| drop(t.matmul(&ones)))),
                ("gather", Box::new(|| drop(t.gather(0usize, &idx)))),
                ("cast", Box::new(|| drop(t.to_dtype(DType::F64)))),
            ];
            for (op, f) in ops {
                let m = panic_of(&format!("{op} on {l:?} must panic"), f);
                assert!(m.contains("reaches outside its storage"), "{op} on {l:?}: {m}");
            }
        }
    }
}
