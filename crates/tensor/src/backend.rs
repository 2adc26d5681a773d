//! The [`Backend`] trait: the primitives a device must provide. Read this file in one sitting to know
//! everything a new backend has to implement.
//!
//! A backend owns *storages* — flat buffers of one dtype — and runs kernels on them. It knows nothing of
//! gradients, of broadcasting rules or of argument checking: the [`Tensor`](crate::Tensor) layer above checks
//! shapes and dtypes, turns broadcasting into `expand` (stride-0 views), and only then calls the backend. So every
//! method below may assume its arguments are valid.
//!
//! Inputs come as `(storage, layout)`: a layout may be any strided view (transposed, narrowed, expanded with
//! stride 0, with an offset). Outputs are always new, contiguous, row-major storages with offset 0.
//!
//! | family        | methods                                         |
//! |---------------|-------------------------------------------------|
//! | data movement | `from_host`, `to_host`, `full`, `copy_strided`, `cast`, `concat` |
//! | element-wise  | `unary`, `binary`, `relu_backward`, `where_cond` |
//! | reductions    | `reduce`, `softmax`                             |
//! | linear algebra| `matmul`                                        |
//! | indexing      | `gather`, `index_select`                        |
//!
//! Two fused primitives are optional — they have default implementations that return `None`, and the tensor
//! layer then composes them from the primitives above: `linear` (`x · w + b`, optionally followed by a ReLU) and
//! `scatter_add`. The optimizer steps (`sgd_step`, `sgd_step_pair`, `adam_step`) are optional too: where a backend
//! has no kernel for them, the tensor layer runs the CPU backend's on host copies.

use crate::dtype::{DType, HostBuffer};
use crate::layout::Layout;
use crate::ops::optim::{AdamStep, SgdStep};
use crate::ops::{BinaryOp, ReduceOp, SoftmaxOp, UnaryOp};

/// The primitives of a device. Implemented by [`CpuBackend`](crate::cpu::CpuBackend) and, with the `wgpu`
/// feature, `WgpuBackend`.
pub trait Backend: Clone + Send + Sync + std::fmt::Debug + 'static {
    /// A flat buffer of one dtype on this device.
    type Storage: Send + Sync + std::fmt::Debug;

    /// A short human-readable name (`"cpu"`, `"wgpu:NVIDIA H100 (Vulkan)"`).
    fn name(&self) -> String;

    /// The dtype of a storage.
    fn dtype(&self, x: &Self::Storage) -> DType;

    // --- data movement -------------------------------------------------------------------------------

    /// Uploads host data.
    #[allow(clippy::wrong_self_convention)] // `self` is the backend, not the data: `backend.from_host(data)`.
    fn from_host(&self, data: HostBuffer) -> Self::Storage;

    /// Downloads the elements of the view `layout`, in logical (row-major) order.
    fn to_host(&self, x: &Self::Storage, layout: &Layout) -> HostBuffer;

    /// `numel` copies of `value` (converted to `dtype`).
    fn full(&self, numel: usize, value: f64, dtype: DType) -> Self::Storage;

    /// Copies a view into a new contiguous storage (what `Tensor::contiguous` runs).
    fn copy_strided(&self, x: &Self::Storage, layout: &Layout) -> Self::Storage;

    /// Converts every element of a view to `dtype` (floats to integers truncate toward zero).
    fn cast(&self, x: &Self::Storage, layout: &Layout, dtype: DType) -> Self::Storage;

    /// Concatenates views that agree on every dimension but `axis`, along `axis`.
    fn concat(&self, parts: &[(&Self::Storage, &Layout)], axis: usize) -> Self::Storage;

    // --- element-wise --------------------------------------------------------------------------------

    /// `out[i] = op(x[i])`.
    fn unary(&self, op: UnaryOp, x: &Self::Storage, layout: &Layout) -> Self::Storage;

    /// `out[i] = op(lhs[i], rhs[i])`; both layouts have the same shape (broadcast operands arrive expanded).
    /// Both storages have the same dtype; comparisons return 0/1 in that dtype.
    fn binary(
        &self,
        op: BinaryOp,
        lhs: &Self::Storage,
        lhs_layout: &Layout,
        rhs: &Self::Storage,
        rhs_layout: &Layout,
    ) -> Self::Storage;

    /// ReLU's gradient, `out[i] = if x[i] <= 0 { 0 } else { grad[i] }` ([`crate::ops::relu_backward`], PyTorch's
    /// `threshold_backward(grad, x, 0)`), for `x` the ReLU's output or input: the kernel of autograd's ReLU rule, a
    /// backend-only kernel of the binary family rather than a [`BinaryOp`]. Float storages of one dtype, both
    /// layouts of one shape.
    fn relu_backward(
        &self,
        grad: &Self::Storage,
        grad_layout: &Layout,
        x: &Self::Storage,
        x_layout: &Layout,
    ) -> Self::Storage;

    /// `out[i] = if cond[i] != 0 { on_true[i] } else { on_false[i] }`; the three layouts have the same shape.
    fn where_cond(
        &self,
        cond: &Self::Storage,
        cond_layout: &Layout,
        on_true: &Self::Storage,
        true_layout: &Layout,
        on_false: &Self::Storage,
        false_layout: &Layout,
    ) -> Self::Storage;

    // --- reductions ----------------------------------------------------------------------------------

    /// Reduces dimension `axis`: the output has the input's shape with that dimension removed (the tensor layer
    /// adds it back for `keepdim`). `ArgMax`/`ArgMin` return I64. Reducing an empty dimension gives 0 for `Sum`
    /// (the tensor layer rejects the others).
    fn reduce(&self, op: ReduceOp, x: &Self::Storage, layout: &Layout, axis: usize) -> Self::Storage;

    /// Softmax or log-softmax (`op`) along `axis`, stable: `e^(x - max) / Σ e^(x - max)` and
    /// `x - max - ln Σ e^(x - max)` (the scalar definitions are [`crate::ops::softmax`] and
    /// [`crate::ops::log_softmax`]); the output has the input's shape.
    fn softmax(&self, op: SoftmaxOp, x: &Self::Storage, layout: &Layout, axis: usize) -> Self::Storage;

    // --- linear algebra ------------------------------------------------------------------------------

    /// Batched matrix product: `lhs` is `[b, m, k]`, `rhs` is `[b, k, n]` (any strides, including a batch
    /// stride of 0 for a broadcast operand); the output is `[b, m, n]`.
    fn matmul(
        &self,
        lhs: &Self::Storage,
        lhs_layout: &Layout,
        rhs: &Self::Storage,
        rhs_layout: &Layout,
    ) -> Self::Storage;

    /// Optional: `x · w + b` for a 2-D `x` `[m, k]`, a 2-D `w` `[k, n]` and a bias row `b` `[n]`, fused, with
    /// exactly the bits of `matmul` followed by the `add` of the broadcast bias — and, when `relu`, by the
    /// `Relu` unary op (`max(x · w + b, 0)`, the epilogue of a hidden layer). `None` (the default) when the
    /// backend has no such kernel for these operands: the tensor layer runs the two (or three) ops.
    fn linear(
        &self,
        _x: &Self::Storage,
        _x_layout: &Layout,
        _w: &Self::Storage,
        _w_layout: &Layout,
        _b: &Self::Storage,
        _b_layout: &Layout,
        _relu: bool,
    ) -> Option<Self::Storage> {
        None
    }

    // --- metrics -------------------------------------------------------------------------------------

    /// Optional: the right predictions of a binary classifier, `Σ [round(sigmoid(logits)) == target]`, as a
    /// one-element f32 storage with exactly the bits of the `Sigmoid`, `Round`, `Eq` and sum it replaces. `None`
    /// (the default) when the backend has no such kernel for these operands: the tensor layer runs the ops.
    fn count_round_sigmoid_eq(
        &self,
        _logits: &Self::Storage,
        _logits_layout: &Layout,
        _target: &Self::Storage,
        _target_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }

    /// Optional: the right predictions of a multi-class classifier, `Σ_i [argmax(softmax(logits_i)) == target_i]`
    /// for logits `[N, C]` and int64 class indices `[N]`, as a one-element int64 storage with exactly the value of
    /// the `softmax`, `argmax`, `Eq` and sum it replaces (the same tie rule: the first maximal probability). `None`
    /// (the default) when the backend has no such kernel for these operands: the tensor layer runs the ops.
    fn count_argmax_softmax_eq(
        &self,
        _logits: &Self::Storage,
        _logits_layout: &Layout,
        _target: &Self::Storage,
        _target_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }

    /// Optional: the mean binary cross-entropy of logits against targets of the same shape, `mean(bce_with_logits(
    /// logits, target))`, as a one-element f32 storage, in one kernel (a fixed-order reduction; see
    /// `shaders/loss.wgsl` for when its bits are those of the unfused ops). `None` (the default) when the backend
    /// has no such kernel for these operands: the tensor layer runs the ops.
    fn bce_with_logits_mean(
        &self,
        _logits: &Self::Storage,
        _logits_layout: &Layout,
        _target: &Self::Storage,
        _target_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }

    /// Optional: the gradient of [`Backend::bce_with_logits_mean`] with respect to the logits, `(sigmoid(logits) -
    /// target) · (grad / n)` for the one-element upstream `grad`, with exactly the bits of the unfused ops (`Div`,
    /// `Sigmoid`, `Sub`, `Mul`). `None` (the default) when the backend has no such kernel for these operands.
    fn bce_with_logits_mean_grad(
        &self,
        _logits: &Self::Storage,
        _logits_layout: &Layout,
        _target: &Self::Storage,
        _target_layout: &Layout,
        _grad: &Self::Storage,
        _grad_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }

    /// Optional: the mean cross-entropy of logits `[N, C]` against int64 class indices `[N]`,
    /// `mean_i -log_softmax(logits_i)[target_i]`, as a one-element f32 storage, in one kernel (see
    /// `shaders/loss.wgsl` for when its bits are those of the unfused ops). `None` (the default) when the backend has
    /// no such kernel for these operands: the tensor layer runs the ops.
    fn cross_entropy_mean(
        &self,
        _logits: &Self::Storage,
        _logits_layout: &Layout,
        _target: &Self::Storage,
        _target_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }

    /// Optional: the gradient of [`Backend::cross_entropy_mean`] with respect to the logits, `(softmax(logits) -
    /// onehot(target)) · grad / n` computed as the rules of the unfused ops (mean, neg, gather, log_softmax) in their
    /// order. `None` (the default) when the backend has no such kernel for these operands.
    fn cross_entropy_mean_grad(
        &self,
        _logits: &Self::Storage,
        _logits_layout: &Layout,
        _target: &Self::Storage,
        _target_layout: &Layout,
        _grad: &Self::Storage,
        _grad_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }

    // --- optimizers ----------------------------------------------------------------------------------

    /// Optional: one SGD step ([`sgd_step`](crate::ops::optim::sgd_step) on every element) of a parameter `x`
    /// with gradient `grad` and, with momentum, its momentum buffer (`None` before the first step): the new
    /// parameter and, when `h.momentum` is not 0, the new buffer. The operands are contiguous float views of one
    /// shape (the tensor layer makes them so). `None` (the default) when the backend has no kernel for them: the
    /// tensor layer then runs the CPU backend's on host copies.
    #[allow(clippy::type_complexity)]
    fn sgd_step(
        &self,
        _x: (&Self::Storage, &Layout),
        _grad: (&Self::Storage, &Layout),
        _momentum_buffer: Option<(&Self::Storage, &Layout)>,
        _h: &SgdStep,
    ) -> Option<(Self::Storage, Option<Self::Storage>)> {
        None
    }

    /// Optional: [`Backend::sgd_step`] without momentum for two parameters (each `[param, grad]`) in one kernel,
    /// with the same bits. `None` (the default, and with momentum) when the backend has no such kernel for these
    /// operands: the tensor layer steps them one by one.
    fn sgd_step_pair(
        &self,
        _first: [(&Self::Storage, &Layout); 2],
        _second: [(&Self::Storage, &Layout); 2],
        _h: &SgdStep,
    ) -> Option<(Self::Storage, Self::Storage)> {
        None
    }

    /// Optional: one Adam or AdamW step ([`adam_step`](crate::ops::optim::adam_step) on every element) of a
    /// parameter `x` with gradient `grad`, moments `exp_avg`, `exp_avg_sq` and, with amsgrad, `max_exp_avg_sq`:
    /// the new parameter, moments and (with amsgrad) maximum. Operands as for [`Backend::sgd_step`]; `None` (the
    /// default) as there.
    #[allow(clippy::type_complexity)]
    fn adam_step(
        &self,
        _x: (&Self::Storage, &Layout),
        _grad: (&Self::Storage, &Layout),
        _exp_avg: (&Self::Storage, &Layout),
        _exp_avg_sq: (&Self::Storage, &Layout),
        _max_exp_avg_sq: Option<(&Self::Storage, &Layout)>,
        _h: &AdamStep,
    ) -> Option<AdamState<Self::Storage>> {
        None
    }

    // --- indexing ------------------------------------------------------------------------------------

    /// `torch.gather`: `index` (I64) has the rank of `x`; `out[.., i, ..] = x[.., index[.., i, ..], ..]` along
    /// `axis`; the output has the shape of `index`. Indices are in range (checked by the tensor layer).
    fn gather(
        &self,
        x: &Self::Storage,
        layout: &Layout,
        axis: usize,
        index: &Self::Storage,
        index_layout: &Layout,
    ) -> Self::Storage;

    /// `torch.index_select`: `index` (I64) is 1-D; the output is `x` with dimension `axis` replaced by the
    /// selected entries. Indices are in range (checked by the tensor layer).
    fn index_select(
        &self,
        x: &Self::Storage,
        layout: &Layout,
        axis: usize,
        index: &Self::Storage,
        index_layout: &Layout,
    ) -> Self::Storage;

    /// Optional: `torch.scatter_add`, the adjoint of `gather`: a contiguous copy of `x` with
    /// `out[.., index[p], ..] += src[p]` along `axis` for every position `p` of `index` (I64, the shape of
    /// `src`, no larger than `x` outside `axis`; indices in range). `None` (the default) when the backend has no
    /// kernel for it: the tensor layer composes it from the primitives above.
    fn scatter_add(
        &self,
        _x: &Self::Storage,
        _layout: &Layout,
        _axis: usize,
        _index: &Self::Storage,
        _index_layout: &Layout,
        _src: &Self::Storage,
        _src_layout: &Layout,
    ) -> Option<Self::Storage> {
        None
    }
}

/// What one Adam step ([`Backend::adam_step`]) returns: the new parameter, moments and, with amsgrad, maximum of
/// the second moment.
#[derive(Debug)]
pub struct AdamState<S> {
    /// The parameter.
    pub param: S,
    /// The first moment.
    pub exp_avg: S,
    /// The second moment.
    pub exp_avg_sq: S,
    /// The running maximum of the second moment (amsgrad).
    pub max_exp_avg_sq: Option<S>,
}

impl<S> AdamState<S> {
    /// The same state with each storage mapped by `f`.
    pub fn map<T>(self, mut f: impl FnMut(S) -> T) -> AdamState<T> {
        AdamState {
            param: f(self.param),
            exp_avg: f(self.exp_avg),
            exp_avg_sq: f(self.exp_avg_sq),
            max_exp_avg_sq: self.max_exp_avg_sq.map(f),
        }
    }
}
