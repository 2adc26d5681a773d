//! `impl Backend for WgpuBackend`: each method checks its operands' views against their buffers, then calls the
//! launcher of its kernel family (`elementwise.rs`, `reduce.rs`, `softmax.rs`, `matmul.rs`, `index.rs`,
//! `optim.rs`, `metrics.rs`, `loss.rs`). The constructors and the host transfers it calls are in `mod.rs`.

use super::{
    elementwise, fits, host_buffer, index, loss, matmul, metrics, optim, reduce, softmax, WgpuBackend, WgpuStorage,
};
use crate::backend::{AdamState, Backend};
use crate::dtype::{DType, HostBuffer};
use crate::layout::Layout;
use crate::ops::optim::{AdamStep, SgdStep};
use crate::ops::{BinaryKernel, BinaryOp, ReduceOp, SoftmaxOp, UnaryOp};

/// Writes the methods of the fused kernels (`metrics.rs`, `loss.rs`): each checks every operand view against its
/// buffer ([`fits`], naming the method), then calls its launcher, which returns `None` where it has no kernel for
/// these operands. A macro because these methods differ only in their name, their operands and their launcher,
/// while the trait fixes each signature: `fn name(&self, a: &WgpuStorage, a_layout: &Layout, ..)
/// -> Option<WgpuStorage>`.
macro_rules! fused_kernels {
    ($(fn $name:ident(&$this:ident, $($x:ident, $layout:ident),+) => $launch:expr;)+) => {
        $(
            fn $name(&$this, $($x: &WgpuStorage, $layout: &Layout),+) -> Option<WgpuStorage> {
                $(fits(stringify!($name), $x, $layout);)+
                $launch
            }
        )+
    };
}

impl Backend for WgpuBackend {
    type Storage = WgpuStorage;

    fn name(&self) -> String {
        format!("wgpu:{}", self.ctx.adapter)
    }

    fn dtype(&self, x: &WgpuStorage) -> DType {
        x.dtype
    }

    /// # Panics
    /// For f64 data, and for an I64 value outside the i32 range of the device (naming the value).
    #[track_caller]
    fn from_host(&self, data: HostBuffer) -> WgpuStorage {
        crate::error::expect_ok("from_host", self.try_from_host(data))
    }

    #[track_caller]
    fn to_host(&self, x: &WgpuStorage, layout: &Layout) -> HostBuffer {
        fits("to_host", x, layout);
        host_buffer(x.dtype, &self.read_words(x, layout))
    }

    fn full(&self, numel: usize, value: f64, dtype: DType) -> WgpuStorage {
        elementwise::full(self, numel, value, dtype)
    }

    #[track_caller]
    fn copy_strided(&self, x: &WgpuStorage, layout: &Layout) -> WgpuStorage {
        fits("copy_strided", x, layout);
        elementwise::copy_strided(self, x, layout)
    }

    #[track_caller]
    fn cast(&self, x: &WgpuStorage, layout: &Layout, dtype: DType) -> WgpuStorage {
        fits("cast", x, layout);
        elementwise::cast(self, x, layout, dtype)
    }

    #[track_caller]
    fn concat(&self, parts: &[(&WgpuStorage, &Layout)], axis: usize) -> WgpuStorage {
        for (x, layout) in parts {
            fits("cat", x, layout);
        }
        elementwise::concat(self, parts, axis)
    }

    #[track_caller]
    fn unary(&self, op: UnaryOp, x: &WgpuStorage, layout: &Layout) -> WgpuStorage {
        fits(op.name(), x, layout);
        elementwise::unary(self, op, x, layout)
    }

    #[track_caller]
    fn binary(
        &self,
        op: BinaryOp,
        lhs: &WgpuStorage,
        lhs_layout: &Layout,
        rhs: &WgpuStorage,
        rhs_layout: &Layout,
    ) -> WgpuStorage {
        fits(op.name(), lhs, lhs_layout);
        fits(op.name(), rhs, rhs_layout);
        elementwise::binary(self, BinaryKernel::Op(op), lhs, lhs_layout, rhs, rhs_layout)
    }

    #[track_caller]
    fn relu_backward(
        &self,
        grad: &WgpuStorage,
        grad_layout: &Layout,
        x: &WgpuStorage,
        x_layout: &Layout,
    ) -> WgpuStorage {
        fits("relu_backward", grad, grad_layout);
        fits("relu_backward", x, x_layout);
        elementwise::binary(self, BinaryKernel::ReluBackward, grad, grad_layout, x, x_layout)
    }

    #[track_caller]
    fn where_cond(
        &self,
        cond: &WgpuStorage,
        cond_layout: &Layout,
        on_true: &WgpuStorage,
        true_layout: &Layout,
        on_false: &WgpuStorage,
        false_layout: &Layout,
    ) -> WgpuStorage {
        fits("where", cond, cond_layout);
        fits("where", on_true, true_layout);
        fits("where", on_false, false_layout);
        elementwise::where_cond(self, cond, cond_layout, on_true, true_layout, on_false, false_layout)
    }

    #[track_caller]
    fn reduce(&self, op: ReduceOp, x: &WgpuStorage, layout: &Layout, axis: usize) -> WgpuStorage {
        fits(op.name(), x, layout);
        reduce::reduce(self, op, x, layout, axis)
    }

    #[track_caller]
    fn softmax(&self, op: SoftmaxOp, x: &WgpuStorage, layout: &Layout, axis: usize) -> WgpuStorage {
        fits(op.name(), x, layout);
        softmax::softmax(self, op, x, layout, axis)
    }

    #[track_caller]
    fn matmul(&self, lhs: &WgpuStorage, lhs_layout: &Layout, rhs: &WgpuStorage, rhs_layout: &Layout) -> WgpuStorage {
        fits("matmul", lhs, lhs_layout);
        fits("matmul", rhs, rhs_layout);
        matmul::matmul(self, lhs, lhs_layout, rhs, rhs_layout)
    }

    #[track_caller]
    fn linear(
        &self,
        x: &WgpuStorage,
        x_layout: &Layout,
        w: &WgpuStorage,
        w_layout: &Layout,
        b: &WgpuStorage,
        b_layout: &Layout,
        relu: bool,
    ) -> Option<WgpuStorage> {
        fits("linear", x, x_layout);
        fits("linear", w, w_layout);
        fits("linear", b, b_layout);
        matmul::linear(self, x, x_layout, w, w_layout, b, b_layout, relu)
    }

    fn sgd_step(
        &self,
        x: (&WgpuStorage, &Layout),
        grad: (&WgpuStorage, &Layout),
        momentum_buffer: Option<(&WgpuStorage, &Layout)>,
        h: &SgdStep,
    ) -> Option<(WgpuStorage, Option<WgpuStorage>)> {
        for (s, l) in [Some(x), Some(grad), momentum_buffer].into_iter().flatten() {
            fits("sgd_step", s, l);
        }
        optim::sgd_step(self, x, grad, momentum_buffer, h)
    }

    fn sgd_step_pair(
        &self,
        first: [(&WgpuStorage, &Layout); 2],
        second: [(&WgpuStorage, &Layout); 2],
        h: &SgdStep,
    ) -> Option<(WgpuStorage, WgpuStorage)> {
        for (s, l) in first.into_iter().chain(second) {
            fits("sgd_step_pair", s, l);
        }
        optim::sgd_step_pair(self, first, second, h)
    }

    fn adam_step(
        &self,
        x: (&WgpuStorage, &Layout),
        grad: (&WgpuStorage, &Layout),
        exp_avg: (&WgpuStorage, &Layout),
        exp_avg_sq: (&WgpuStorage, &Layout),
        max_exp_avg_sq: Option<(&WgpuStorage, &Layout)>,
        h: &AdamStep,
    ) -> Option<AdamState<WgpuStorage>> {
        for (s, l) in [Some(x), Some(grad), Some(exp_avg), Some(exp_avg_sq), max_exp_avg_sq].into_iter().flatten() {
            fits("adam_step", s, l);
        }
        optim::adam_step(self, [x, grad, exp_avg, exp_avg_sq], max_exp_avg_sq, h)
    }

    fused_kernels! {
        fn count_round_sigmoid_eq(&self, logits, logits_layout, target, target_layout) =>
            metrics::count_round_sigmoid_eq(self, logits, logits_layout, target, target_layout);
        fn count_argmax_softmax_eq(&self, logits, logits_layout, target, target_layout) =>
            metrics::count_argmax_softmax_eq(self, logits, logits_layout, target, target_layout);
        fn bce_with_logits_mean(&self, logits, logits_layout, target, target_layout) =>
            loss::bce_with_logits_mean(self, (logits, logits_layout), (target, target_layout), None);
        fn bce_with_logits_mean_grad(&self, logits, logits_layout, target, target_layout, grad, grad_layout) =>
            loss::bce_with_logits_mean(
                self,
                (logits, logits_layout),
                (target, target_layout),
                Some((grad, grad_layout)),
            );
        fn cross_entropy_mean(&self, logits, logits_layout, target, target_layout) =>
            loss::cross_entropy_mean(self, (logits, logits_layout), (target, target_layout), None);
        fn cross_entropy_mean_grad(&self, logits, logits_layout, target, target_layout, grad, grad_layout) =>
            loss::cross_entropy_mean(
                self,
                (logits, logits_layout),
                (target, target_layout),
                Some((grad, grad_layout)),
            );
    }

    #[track_caller]
    fn gather(
        &self,
        x: &WgpuStorage,
        layout: &Layout,
        axis: usize,
        index: &WgpuStorage,
        index_layout: &Layout,
    ) -> WgpuStorage {
        fits("gather", x, layout);
        fits("gather", index, index_layout);
        index::gather(self, x, layout, axis, index, index_layout)
    }

    #[track_caller]
    fn index_select(
        &self,
        x: &WgpuStorage,
        layout: &Layout,
        axis: usize,
        index: &WgpuStorage,
        index_layout: &Layout,
    ) -> WgpuStorage {
        fits("index_select", x, layout);
        fits("index_select", index, index_layout);
        index::index_select(self, x, layout, axis, index, index_layout)
    }
}
