//! The ops every backend implements, as data, and the scalar definition of each op.
//!
//! An op is a variant of [`UnaryOp`], [`BinaryOp`] or [`ReduceOp`]; a kernel is a loop over a layout
//! parameterised by the op. A backend-only kernel — ReLU's gradient, [`relu_backward`] — is no public op: the
//! crate-private `BinaryKernel` lists it beside the public binary ops, so that it runs through their kernels. The scalar function of each op (`ops::sigmoid`, `ops::bce_with_logits`, ...) is
//! written once here, generic over [`Float`]: the CPU kernels call it and the tests use it as the oracle, and each
//! WGSL function in `shaders/` is its twin with the same name.
//!
//! Names share one stem across the crate: `UnaryOp::Sigmoid` / [`sigmoid`] / the op code `SIGMOID` and
//! `fn sigmoid` in `shaders/elementwise.wgsl` (called by the `unary_f32` entry point) / `sigmoid_*` tests; and
//! `SoftmaxOp::LogSoftmax` / [`log_softmax`] / `LOG_SOFTMAX` in `shaders/softmax.wgsl` / the
//! `softmax_and_log_softmax_*` tests. The optimizer steps, written with these scalar ops, are in [`optim`].

pub use crate::float::Float;

pub mod optim;

/// Element-wise ops of one tensor. Parameters are stored as f64 and cast to the element type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `e^x`
    Exp,
    /// `ln x`
    Log,
    /// `ln(1 + x)`, accurate near 0
    Log1p,
    /// `√x`
    Sqrt,
    /// `|x|`
    Abs,
    /// `max(x, 0)`
    Relu,
    /// `1 / (1 + e^-x)`, stable for large |x|
    Sigmoid,
    /// `tanh x`
    Tanh,
    /// `-1, 0 or 1` (NaN stays NaN)
    Sign,
    /// Round half to even, as `torch.round`
    Round,
    /// `x^p`
    Powf(f64),
    /// `min(max(x, min), max)`
    Clamp(f64, f64),
    /// `x * mul + add` (scalar arithmetic: `x + 1`, `2 * x`, `1 - x` ...)
    Affine(f64, f64),
}

/// Element-wise ops of two tensors of the same shape (broadcasting is done before, by `expand`).
/// Comparisons give 1 or 0 in the operands' dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `lhs + rhs`
    Add,
    /// `lhs - rhs`
    Sub,
    /// `lhs * rhs`
    Mul,
    /// `lhs / rhs` (integers: truncated toward zero; division by zero panics)
    Div,
    /// `max(lhs, rhs)`, NaN-propagating as `torch.maximum`
    Maximum,
    /// `min(lhs, rhs)`, NaN-propagating as `torch.minimum`
    Minimum,
    /// `lhs ^ rhs`
    Pow,
    /// `lhs == rhs`
    Eq,
    /// `lhs != rhs`
    Ne,
    /// `lhs < rhs`
    Lt,
    /// `lhs <= rhs`
    Le,
    /// `lhs > rhs`
    Gt,
    /// `lhs >= rhs`
    Ge,
    /// Binary cross-entropy of logits `lhs` against targets `rhs`, element-wise:
    /// `max(x, 0) - x*y + ln(1 + e^-|x|)`, finite for every finite target and any logit including ±∞
    /// (PyTorch's `binary_cross_entropy_with_logits(x, y, reduction='none')`).
    BceWithLogits,
}

/// The binary kernels of the backends: every public [`BinaryOp`], and the backend-only kernels that no program asks
/// for by op and that no public enum lists — ReLU's gradient, the kernel of autograd's ReLU rule, which a program
/// reaches as `Tensor::relu_backward`. One enum, so that they run through the same code: the CPU SIMD dispatch
/// (`cpu/simd/dispatch.rs`), its portable fallback, and the one op-code switch of the GPU binary family
/// (`fn binary` in `shaders/elementwise.wgsl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum BinaryKernel {
    /// A public op.
    Op(BinaryOp),
    /// The gradient of ReLU ([`relu_backward`]): the upstream gradient `lhs` where `rhs` (the ReLU's output, or
    /// its input) is not `≤ 0`, else 0 — PyTorch's `threshold_backward(grad, x, 0)`, one pass instead of a mask
    /// and a product.
    ReluBackward,
}

/// Reductions over one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Sum.
    Sum,
    /// Largest value (NaN if any element is NaN).
    Max,
    /// Smallest value (NaN if any element is NaN).
    Min,
    /// Index (i64) of the first largest value, as `torch.argmax`.
    ArgMax,
    /// Index (i64) of the first smallest value.
    ArgMin,
}

/// The two normalisations of a row along an axis, one kernel family (`cpu/softmax.rs`, `shaders/softmax.wgsl`).
/// Both are stable by max subtraction (see [`softmax`] and [`log_softmax`], their scalar definitions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoftmaxOp {
    /// `e^(x_j - m) / Σ_i e^(x_i - m)`, `m = max x`
    Softmax,
    /// `x_j - m - ln Σ_i e^(x_i - m)`, `m = max x`
    LogSoftmax,
}

impl UnaryOp {
    /// Lower-case name, the stem of the kernel names.
    pub fn name(&self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Abs => "abs",
            UnaryOp::Relu => "relu",
            UnaryOp::Sigmoid => "sigmoid",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Sign => "sign",
            UnaryOp::Round => "round",
            UnaryOp::Powf(_) => "powf",
            UnaryOp::Clamp(..) => "clamp",
            UnaryOp::Affine(..) => "affine",
        }
    }

    /// True for the ops defined on integers too (`neg`, `abs`, `relu`, `sign`, `clamp`, `affine`).
    pub fn supports_int(&self) -> bool {
        matches!(
            self,
            UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Relu | UnaryOp::Sign | UnaryOp::Clamp(..) | UnaryOp::Affine(..)
        )
    }
}

impl BinaryOp {
    /// Every binary op, in declaration order (tests iterate over it, so a new op is tested everywhere).
    pub const ALL: [BinaryOp; 14] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Maximum,
        BinaryOp::Minimum,
        BinaryOp::Pow,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::BceWithLogits,
    ];

    /// Lower-case name, the stem of the kernel names.
    pub fn name(&self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Maximum => "maximum",
            BinaryOp::Minimum => "minimum",
            BinaryOp::Pow => "pow",
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
            BinaryOp::BceWithLogits => "bce_with_logits",
        }
    }

    /// True for the ops defined on integers too (all but `pow` and `bce_with_logits`).
    pub fn supports_int(&self) -> bool {
        !matches!(self, BinaryOp::Pow | BinaryOp::BceWithLogits)
    }
}

impl BinaryKernel {
    /// Every binary kernel: the public ops in their order, then the backend-only ones (the kernel tests iterate
    /// over it, so a new kernel is tested everywhere).
    #[cfg(test)]
    pub(crate) const ALL: [BinaryKernel; BinaryOp::ALL.len() + 1] = {
        let mut all = [BinaryKernel::ReluBackward; BinaryOp::ALL.len() + 1];
        let mut i = 0;
        while i < BinaryOp::ALL.len() {
            all[i] = BinaryKernel::Op(BinaryOp::ALL[i]);
            i += 1;
        }
        all
    };

    /// Lower-case name, the stem of the kernel names.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            BinaryKernel::Op(op) => op.name(),
            BinaryKernel::ReluBackward => "relu_backward",
        }
    }

    /// True for the kernels defined on integers too (the public ops where [`BinaryOp::supports_int`]).
    pub(crate) fn supports_int(&self) -> bool {
        matches!(self, BinaryKernel::Op(op) if op.supports_int())
    }
}

impl ReduceOp {
    /// Lower-case name, the stem of the kernel names.
    pub fn name(&self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Max => "max",
            ReduceOp::Min => "min",
            ReduceOp::ArgMax => "argmax",
            ReduceOp::ArgMin => "argmin",
        }
    }

    /// True for `ArgMax` and `ArgMin`, whose result is i64.
    pub fn is_arg(&self) -> bool {
        matches!(self, ReduceOp::ArgMax | ReduceOp::ArgMin)
    }
}

impl SoftmaxOp {
    /// Both ops, in declaration order.
    pub const ALL: [SoftmaxOp; 2] = [SoftmaxOp::Softmax, SoftmaxOp::LogSoftmax];

    /// Lower-case name, the stem of the kernel names.
    pub fn name(&self) -> &'static str {
        match self {
            SoftmaxOp::Softmax => "softmax",
            SoftmaxOp::LogSoftmax => "log_softmax",
        }
    }
}

/// The layout with `axis` moved last. Reductions and softmax walk a view in this order on every backend: each
/// output element (each output row, for softmax) is then one *row*, a run of elements with one stride.
pub fn axis_last(layout: &crate::layout::Layout, axis: usize) -> crate::layout::Layout {
    let mut perm: Vec<usize> = (0..layout.rank()).filter(|&d| d != axis).collect();
    perm.push(axis);
    layout.permute(&perm)
}

// ---------------------------------------------------------------------------------------------------------
// Scalar definitions. Each is the oracle of its kernels.
// ---------------------------------------------------------------------------------------------------------

/// `max(x, 0)`; NaN stays NaN (as PyTorch).
#[inline(always)]
pub fn relu<T: Float>(x: T) -> T {
    if x > T::ZERO || x.is_nan() {
        x
    } else {
        T::ZERO
    }
}

/// `1 / (1 + e^-x)`, evaluated so that neither branch overflows: for `x < 0` it is `e^x / (1 + e^x)`.
#[inline(always)]
pub fn sigmoid<T: Float>(x: T) -> T {
    if x >= T::ZERO {
        T::ONE / (T::ONE + (-x).exp())
    } else {
        let e = x.exp();
        e / (T::ONE + e)
    }
}

/// `-1`, `0` or `1`; NaN stays NaN.
#[inline(always)]
pub fn sign<T: Float>(x: T) -> T {
    if x > T::ZERO {
        T::ONE
    } else if x < T::ZERO {
        -T::ONE
    } else {
        x // 0, -0 or NaN
    }
}

/// `min(max(x, lo), hi)`; NaN stays NaN.
#[inline(always)]
pub fn clamp<T: Float>(x: T, lo: T, hi: T) -> T {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// `max(a, b)` propagating NaN.
#[inline(always)]
pub fn maximum<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || a > b {
        a
    } else {
        b
    }
}

/// `min(a, b)` propagating NaN.
#[inline(always)]
pub fn minimum<T: Float>(a: T, b: T) -> T {
    if a.is_nan() || a < b {
        a
    } else {
        b
    }
}

/// Binary cross-entropy of a logit `x` against a target `y`:
/// `ℓ(x, y) = -[y ln σ(x) + (1-y) ln(1-σ(x))] = max(x, 0) - x·y + ln(1 + e^-|x|)`.
///
/// The linear part `max(x,0) - x·y` is written as `x·(1-y)` for `x ≥ 0` and `-x·y` for `x < 0`, with `0·∞ = 0`,
/// so that a logit of ±∞ with its matching target gives 0 instead of `∞ - ∞ = NaN`.
#[inline(always)]
pub fn bce_with_logits<T: Float>(x: T, y: T) -> T {
    #[inline(always)]
    fn mul0<T: Float>(a: T, b: T) -> T {
        if b == T::ZERO {
            T::ZERO
        } else {
            a * b
        }
    }
    let linear = if x >= T::ZERO { mul0(x, T::ONE - y) } else { mul0(-x, y) };
    linear + (-x.abs()).exp().ln_1p()
}

/// The gradient of ReLU at one element: the upstream `grad` where `x` (the ReLU's output, or its input) is not
/// `≤ 0`, else 0 (PyTorch's `threshold_backward(grad, x, 0)`). The oracle of `Tensor::relu_backward`, a
/// backend-only kernel rather than a [`BinaryOp`].
#[inline(always)]
pub fn relu_backward<T: Float>(grad: T, x: T) -> T {
    if x <= T::ZERO {
        T::ZERO
    } else {
        grad
    }
}

/// The shift of a softmax row: its max `m`, or 0 when `m` is -∞ (an all -∞ row then gives NaN through
/// `-∞ - ln 0`, as PyTorch, instead of through `-∞ - -∞`).
#[inline(always)]
fn softmax_shift<T: Float>(row: &[T]) -> T {
    let m = row.iter().fold(-T::ONE / T::ZERO, |m, &v| maximum(m, v));
    if m.is_infinite() && m < T::ZERO {
        T::ZERO
    } else {
        m
    }
}

/// Softmax of one row, stable by max subtraction: `softmax(x)_j = e^(x_j - m) / Σ_i e^(x_i - m)`, `m = max x`
/// (0 for a row whose max is -∞). The sum runs left to right. The oracle of the softmax kernels of every backend.
pub fn softmax<T: Float>(row: &[T]) -> Vec<T> {
    let shift = softmax_shift(row);
    let e: Vec<T> = row.iter().map(|&v| (v - shift).exp()).collect();
    let total = e.iter().fold(T::ZERO, |a, &v| a + v);
    e.into_iter().map(|v| v / total).collect()
}

/// Log-softmax of one row: `log_softmax(x)_j = (x_j - m) - ln Σ_i e^(x_i - m)`, `m` as in [`softmax`]. The oracle
/// of the log-softmax kernels of every backend.
pub fn log_softmax<T: Float>(row: &[T]) -> Vec<T> {
    let shift = softmax_shift(row);
    let total = row.iter().fold(T::ZERO, |a, &v| a + (v - shift).exp());
    let lse = total.ln();
    row.iter().map(|&v| (v - shift) - lse).collect()
}

/// Applies a softmax op to one row ([`softmax`] or [`log_softmax`]).
pub fn softmax_row<T: Float>(op: SoftmaxOp, row: &[T]) -> Vec<T> {
    match op {
        SoftmaxOp::Softmax => softmax(row),
        SoftmaxOp::LogSoftmax => log_softmax(row),
    }
}

/// Applies a unary op to one float.
#[inline(always)]
pub fn unary<T: Float>(op: UnaryOp, x: T) -> T {
    match op {
        UnaryOp::Neg => -x,
        UnaryOp::Exp => x.exp(),
        UnaryOp::Log => x.ln(),
        UnaryOp::Log1p => x.ln_1p(),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Abs => x.abs(),
        UnaryOp::Relu => relu(x),
        UnaryOp::Sigmoid => sigmoid(x),
        UnaryOp::Tanh => x.tanh(),
        UnaryOp::Sign => sign(x),
        UnaryOp::Round => x.round_ties_even(),
        UnaryOp::Powf(p) => x.powf(T::of(p)),
        UnaryOp::Clamp(lo, hi) => clamp(x, T::of(lo), T::of(hi)),
        UnaryOp::Affine(mul, add) => x * T::of(mul) + T::of(add),
    }
}

/// Applies a binary op to two floats.
#[inline(always)]
pub fn binary<T: Float>(op: BinaryOp, a: T, b: T) -> T {
    let bool = |c: bool| if c { T::ONE } else { T::ZERO };
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        BinaryOp::Maximum => maximum(a, b),
        BinaryOp::Minimum => minimum(a, b),
        BinaryOp::Pow => a.powf(b),
        BinaryOp::Eq => bool(a == b),
        BinaryOp::Ne => bool(a != b),
        BinaryOp::Lt => bool(a < b),
        BinaryOp::Le => bool(a <= b),
        BinaryOp::Gt => bool(a > b),
        BinaryOp::Ge => bool(a >= b),
        BinaryOp::BceWithLogits => bce_with_logits(a, b),
    }
}

/// Applies a binary kernel to two floats: [`binary`] for a public op, [`relu_backward`] for ReLU's gradient.
#[inline(always)]
pub(crate) fn binary_kernel<T: Float>(kernel: BinaryKernel, a: T, b: T) -> T {
    match kernel {
        BinaryKernel::Op(op) => binary(op, a, b),
        BinaryKernel::ReluBackward => relu_backward(a, b),
    }
}

/// Applies a unary op to one integer (only the ops where [`UnaryOp::supports_int`]).
#[inline(always)]
pub fn unary_i64(op: UnaryOp, x: i64) -> i64 {
    match op {
        UnaryOp::Neg => x.wrapping_neg(),
        UnaryOp::Abs => x.wrapping_abs(),
        UnaryOp::Relu => x.max(0),
        UnaryOp::Sign => x.signum(),
        // `min(max(x, lo), hi)` as torch (not `i64::clamp`, which panics when the rounded bounds cross).
        UnaryOp::Clamp(lo, hi) => x.max(lo.ceil() as i64).min(hi.floor() as i64),
        UnaryOp::Affine(mul, add) => (x as f64 * mul + add) as i64,
        other => panic!("{}: not defined for int64 tensors", other.name()),
    }
}

/// Applies a binary op to two integers (only the ops where [`BinaryOp::supports_int`]).
#[inline(always)]
pub fn binary_i64(op: BinaryOp, a: i64, b: i64) -> i64 {
    match op {
        BinaryOp::Add => a.wrapping_add(b),
        BinaryOp::Sub => a.wrapping_sub(b),
        BinaryOp::Mul => a.wrapping_mul(b),
        BinaryOp::Div => {
            if b == 0 {
                panic!("div: integer division by zero")
            }
            a.wrapping_div(b)
        }
        BinaryOp::Maximum => a.max(b),
        BinaryOp::Minimum => a.min(b),
        BinaryOp::Eq => (a == b) as i64,
        BinaryOp::Ne => (a != b) as i64,
        BinaryOp::Lt => (a < b) as i64,
        BinaryOp::Le => (a <= b) as i64,
        BinaryOp::Gt => (a > b) as i64,
        BinaryOp::Ge => (a >= b) as i64,
        other => panic!("{}: not defined for int64 tensors", other.name()),
    }
}

#[cfg(test)]
mod tests;
