//! The optimizer steps of `torch.optim` as scalar functions of one element: [`sgd_step`] and [`adam_step`], with
//! their hyper-parameters [`SgdStep`] and [`AdamStep`].
//!
//! Each is PyTorch's single-tensor update (`_single_tensor_sgd`, `_single_tensor_adam`) written with the scalar
//! ops of this module's parent ([`unary`], [`binary`]) in the order of the tensor ops PyTorch runs, so one element
//! of the result has the bits that the sequence of element-wise tensor ops gives. They are the oracle of the CPU
//! kernel (`cpu/optim.rs`, one pass over the elements calling them), and `shaders/optim.wgsl` has their twins
//! `fn sgd_step` and `fn adam_step`. `Tensor::sgd_step` and `Tensor::adam_step` run the kernels; a test holds the
//! kernels to the tensor-op composition (`crates/tensor/tests/optim_steps.rs`).
//!
//! The scalars of an update (`1 - dampening`, `lr / (1 - β1^t)`...) are computed in f64, as Python computes its
//! floats, and enter the element type as an affine op's factors do (`T::of`).

use super::{binary, unary, BinaryOp, Float, UnaryOp};

/// The options of one SGD step (`torch.optim.SGD`'s, PyTorch's names).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdStep {
    /// Learning rate.
    pub lr: f64,
    /// Momentum factor (0: no momentum buffer).
    pub momentum: f64,
    /// Dampening of the momentum.
    pub dampening: f64,
    /// Nesterov momentum.
    pub nesterov: bool,
    /// L2 penalty added to the gradient (0: none).
    pub weight_decay: f64,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl SgdStep {
    /// `SGD(params, lr=lr)`: no momentum, weight decay or maximize.
    pub fn new(lr: f64) -> SgdStep {
        SgdStep { lr, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0, maximize: false }
    }
}

/// The options of one Adam or AdamW step at step `t` (`torch.optim.Adam` / `AdamW`, PyTorch's names), with
/// the bias corrections of that step ([`AdamStep::new`] computes them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    /// Learning rate.
    pub lr: f64,
    /// Decay rate of the first moment (the lerp weight is `1 - beta1`).
    pub beta1: f64,
    /// Decay rate of the second moment.
    pub beta2: f64,
    /// Added to the denominator.
    pub eps: f64,
    /// Weight decay (0: none): an L2 penalty added to the gradient (Adam), or decoupled (AdamW).
    pub weight_decay: f64,
    /// The weight decay shrinks the parameter by `lr·weight_decay` instead of entering the gradient (AdamW).
    pub decoupled_weight_decay: bool,
    /// Divide by the running maximum of the second moment (AMSGrad; needs a `max_exp_avg_sq` buffer).
    pub amsgrad: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
    /// `lr / (1 - beta1^t)`.
    pub step_size: f64,
    /// `sqrt(1 - beta2^t)`.
    pub bias_correction2_sqrt: f64,
}

impl AdamStep {
    /// Step `t` (from 1) of `Adam(params, lr, betas, eps)` without weight decay, amsgrad or maximize: the bias
    /// corrections are Python floats, f64 with Python's `**` (the C library's `pow`). Set the other options with
    /// struct update syntax (`AdamStep { amsgrad: true, ..AdamStep::new(...) }`).
    pub fn new(lr: f64, (beta1, beta2): (f64, f64), eps: f64, t: u64) -> AdamStep {
        let t = t as f64;
        let bias_correction1 = 1.0 - beta1.powf(t);
        let bias_correction2 = 1.0 - beta2.powf(t);
        AdamStep {
            lr,
            beta1,
            beta2,
            eps,
            weight_decay: 0.0,
            decoupled_weight_decay: false,
            amsgrad: false,
            maximize: false,
            step_size: lr / bias_correction1,
            bias_correction2_sqrt: bias_correction2.powf(0.5),
        }
    }
}

/// `alpha·v` as the tensor op `mul_scalar(alpha)` computes it (the affine `v·alpha + 0`).
#[inline(always)]
fn scale<T: Float>(alpha: f64, v: T) -> T {
    unary(UnaryOp::Affine(alpha, 0.0), v)
}

/// One element of an SGD step: parameter `x`, gradient `grad`, and the momentum buffer (`None` before the first
/// step with momentum). Returns the new parameter and, when `momentum ≠ 0`, the new buffer.
///
/// ```text
/// g ← -g                          if maximize
/// g ← g + weight_decay·x          if weight_decay ≠ 0
/// b ← g  (first step)  or  momentum·b + (1 - dampening)·g      if momentum ≠ 0
/// g ← g + momentum·b  (nesterov)  or  b
/// x ← x + (-lr)·g
/// ```
#[inline(always)]
pub fn sgd_step<T: Float>(h: &SgdStep, x: T, grad: T, momentum_buffer: Option<T>) -> (T, Option<T>) {
    let mut g = if h.maximize { unary(UnaryOp::Neg, grad) } else { grad };
    if h.weight_decay != 0.0 {
        // grad.add(param, alpha=weight_decay)
        g = binary(BinaryOp::Add, g, scale(h.weight_decay, x));
    }
    let mut buffer = None;
    if h.momentum != 0.0 {
        // buf.mul_(momentum).add_(grad, alpha=1 - dampening), or a copy of the gradient at first; `add_` skips
        // the multiplication when alpha = 1
        let b = match momentum_buffer {
            None => g,
            Some(old) => {
                let damped = if 1.0 - h.dampening == 1.0 { g } else { scale(1.0 - h.dampening, g) };
                binary(BinaryOp::Add, scale(h.momentum, old), damped)
            }
        };
        g = if h.nesterov { binary(BinaryOp::Add, g, scale(h.momentum, b)) } else { b };
        buffer = Some(b);
    }
    // param.add_(grad, alpha=-lr)
    (binary(BinaryOp::Add, x, scale(-h.lr, g)), buffer)
}

/// One element of an Adam (or AdamW) step: parameter `x`, gradient `grad`, first and second moments `exp_avg`,
/// `exp_avg_sq`, and with amsgrad the running maximum `max_exp_avg_sq`. Returns the new parameter, moments and
/// maximum (`Some` with amsgrad).
///
/// ```text
/// g ← -g                                   if maximize
/// x ← x·(1 - lr·wd)                        if wd ≠ 0, decoupled (AdamW)
/// g ← g + wd·x                             if wd ≠ 0, not decoupled (Adam)
/// m ← lerp(m, g, 1 - β1)                   first moment
/// v ← β2·v + ((1 - β2)·g)·g                second moment
/// v̂ ← max(v̂, v) if amsgrad, else v
/// denom = √v̂ / √(1 - β2^t) + eps
/// x ← x + (-step_size·m) / denom           step_size = lr / (1 - β1^t)
/// ```
///
/// `torch.lerp(start, end, w)` is `start + w·(end - start)` for `|w| < 0.5`, else `end - (end - start)·(1 - w)`
/// (exact at both ends), as aten computes it.
#[inline(always)]
pub fn adam_step<T: Float>(
    h: &AdamStep,
    x: T,
    grad: T,
    exp_avg: T,
    exp_avg_sq: T,
    max_exp_avg_sq: Option<T>,
) -> (T, T, T, Option<T>) {
    use BinaryOp::{Add, Div, Maximum, Mul, Sub};
    let mut x = x;
    let mut g = if h.maximize { unary(UnaryOp::Neg, grad) } else { grad };
    if h.weight_decay != 0.0 {
        if h.decoupled_weight_decay {
            // param.mul_(1 - lr * weight_decay)
            x = scale(1.0 - h.lr * h.weight_decay, x);
        } else {
            // grad.add(param, alpha=weight_decay)
            g = binary(Add, g, scale(h.weight_decay, x));
        }
    }
    // exp_avg.lerp_(grad, 1 - beta1)
    let w = 1.0 - h.beta1;
    let diff = binary(Sub, g, exp_avg);
    let m = if w.abs() < 0.5 { binary(Add, exp_avg, scale(w, diff)) } else { binary(Sub, g, scale(1.0 - w, diff)) };
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    let v = binary(Add, scale(h.beta2, exp_avg_sq), binary(Mul, scale(1.0 - h.beta2, g), g));
    // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq) with amsgrad
    let max = max_exp_avg_sq.map(|max| binary(Maximum, max, v));
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    let root = unary(UnaryOp::Sqrt, max.unwrap_or(v));
    let denom = unary(UnaryOp::Affine(1.0, h.eps), binary(Div, root, T::of(h.bias_correction2_sqrt)));
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    (binary(Add, x, binary(Div, scale(-h.step_size, m), denom)), m, v, max)
}
