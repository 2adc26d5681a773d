//! [`Op`]: the differentiable primitives, and what each one saves for its backward rule.
//!
//! A node of the graph remembers which primitive made it and the tensors its derivative rule will need — and
//! nothing else (minitorch's `save_for_backward`). Each variant below names those tensors explicitly: `Exp` keeps
//! its output (`d/dx e^x = e^x`), `Log` its input (`d/dx ln x = 1/x`), `Add` nothing at all. The rules themselves
//! are in `rules.rs`, one arm per variant, in the same order.
//!
//! The enum has two parts:
//! * **primitives** (24) — the vocabulary: every other differentiable op is composed from them;
//! * **fused** (7) — compositions of primitives that run as one kernel for speed (`sigmoid` is
//!   `1 / (1 + e^-x)`, `linear` is `matmul` + `expand` + `add`…). Each keeps a rule of its own, documented with
//!   the composition it replaces, and `tests/rules.rs` checks that it gives the bits of that composition (or
//!   states the bound, and why, where the kernel sums in another order).
//!
//! Everything else the [`Var`](crate::Var) API offers — `neg` (`affine(-1, 0)`), `minimum`
//! (`-max(-a, -b)`), `clamp` (a `where`), `mean`, `sqr`, `transpose`, `squeeze`, `stack`, `index_select`… — is
//! composed from these in `var_ops/composed.rs` and has no rule of its own.
//!
//! Binary variants always see operands of one shape: broadcasting is recorded as an explicit [`Op::Expand`]
//! before them, so their rules never sum a gradient back to a smaller shape. Two rules do: `Expand`'s, and
//! `Linear`'s for its bias (the fused layer adds the bias to every row, so its gradient is summed over rows).

use std::sync::Arc;

use tensor::Tensor;

/// A user-supplied derivative rule for [`Var::custom`](crate::Var::custom): given the op's inputs, its output
/// and the upstream gradient, returns one gradient per input.
pub type CustomRule = dyn Fn(&[Tensor], &Tensor, &Tensor) -> Vec<Tensor> + Send + Sync;

/// A differentiable primitive (or a fused composition of them) and the values its rule needs. Axes are resolved
/// (`usize`), shapes are the shapes of the inputs.
pub(crate) enum Op {
    // =========================================================================================================
    // Primitives
    // =========================================================================================================

    // --- element-wise, two operands of the same shape -----------------------------------------------------
    /// `lhs + rhs`
    Add,
    /// `lhs - rhs` (a primitive, not `lhs + (-rhs)`: one kernel each way for the losses' `pred - y`)
    Sub,
    /// `lhs * rhs`
    Mul { lhs: Tensor, rhs: Tensor },
    /// `lhs / rhs`
    Div { lhs: Tensor, rhs: Tensor },
    /// `max(lhs, rhs)`
    Maximum { lhs: Tensor, rhs: Tensor },
    /// `cond ? on_true : on_false` (the condition is data, not differentiated).
    Where { cond: Tensor },

    // --- element-wise, one operand ------------------------------------------------------------------------
    /// `x * mul + add`
    Affine { mul: f64 },
    /// `x^p`
    Powf { x: Tensor, p: f64 },
    /// `e^x`
    Exp { out: Tensor },
    /// `ln x`
    Log { x: Tensor },
    /// `ln(1 + x)`
    Log1p { x: Tensor },
    /// `√x`
    Sqrt { out: Tensor },
    /// `|x|`
    Abs { x: Tensor },
    /// `max(x, 0)`
    Relu { out: Tensor },
    /// `tanh x`
    Tanh { out: Tensor },

    // --- reductions ---------------------------------------------------------------------------------------
    /// Sum over `axis` of an input of shape `in_shape`.
    Sum { in_shape: Vec<usize>, axis: usize, keepdim: bool },
    /// Maximum over `axis`; `out` is kept with the axis as size 1.
    Max { x: Tensor, out: Tensor, axis: usize, keepdim: bool },

    // --- linear algebra -----------------------------------------------------------------------------------
    /// `lhs @ rhs`, both 2-D or both 3-D (a 2-D operand of a batched product is expanded first).
    Matmul { lhs: Tensor, rhs: Tensor },

    // --- movement: no arithmetic, the rule moves the gradient back --------------------------------------
    /// A new shape with the same elements.
    Reshape { in_shape: Vec<usize> },
    /// Dimensions reordered: output dimension `i` is input dimension `perm[i]`.
    Permute { perm: Vec<usize> },
    /// Broadcast from `in_shape` (size-1 and missing leading dimensions repeated).
    Expand { in_shape: Vec<usize> },
    /// The range `start..start + len` of `axis`, which had size `in_len`.
    Narrow { axis: usize, start: usize, in_len: usize },
    /// Inputs of sizes `sizes` along `axis`, concatenated.
    Cat { axis: usize, sizes: Vec<usize> },
    /// `out[.., i, ..] = x[.., index[.., i, ..], ..]` along `axis`, `x` of shape `in_shape`.
    Gather { axis: usize, index: Tensor, in_shape: Vec<usize> },

    // =========================================================================================================
    // Fused: compositions of the primitives above, one kernel each for speed. Each rule gives the gradient of
    // the composition it replaces (tested in `tests/rules.rs`).
    // =========================================================================================================
    /// `σ(x) = 1 / (1 + e^-x)`, replacing `neg`, `exp`, `affine` and a division.
    Sigmoid { out: Tensor },
    /// `softmax(x) = e^(x - max x) / Σ e^(x - max x)` along `axis`, replacing `max`, `expand`, `add`, `exp`,
    /// `sum` and `div`.
    Softmax { out: Tensor, axis: usize },
    /// `log_softmax(x) = x - max x - ln Σ e^(x - max x)` along `axis`, replacing the same primitives as
    /// `Softmax`, and `log`.
    LogSoftmax { out: Tensor, axis: usize },
    /// Binary cross-entropy of logits `lhs` against targets `rhs`, `max(x, 0) - x·y + ln(1 + e^-|x|)`,
    /// replacing `relu`, `mul`, `abs`, `neg`, `exp`, `log1p` and the additions.
    BceWithLogits { lhs: Tensor, rhs: Tensor },
    /// `bce_with_logits(lhs, rhs).mean()` for operands of the same shape (one node, one kernel each way).
    BceWithLogitsMean { lhs: Tensor, rhs: Tensor },
    /// `-log_softmax(logits, 1).gather(1, target[:, None]).mean()` of `logits` `[N, C]` against the class
    /// indices `target` `[N]` (one node; the targets are data, not differentiated).
    CrossEntropyMean { logits: Tensor, target: Tensor },
    /// `x Wᵀ (+ b)`, `nn.Linear`'s map, recorded as one node (PyTorch's `addmm`), replacing `permute`, `matmul`,
    /// `expand` and `add`: its rule gives exactly the gradients of those nodes — same tensor ops on the same
    /// layouts, so the same bits — for a quarter of the bookkeeping in the tutorial's training loops. Inputs:
    /// `x`, `weight` and, when present, `bias`. `relu_out` is the output of `linear_relu` (`max(x Wᵀ + b, 0)`,
    /// a hidden layer and its activation as one node and, on a GPU, one kernel), whose mask the gradient passes
    /// first; `None` without the ReLU.
    Linear { x: Tensor, weight: Tensor, relu_out: Option<Tensor> },

    // --- extension point ----------------------------------------------------------------------------------
    /// An op defined outside this crate with its own rule ([`Var::custom`](crate::Var::custom)).
    Custom { name: &'static str, inputs: Vec<Tensor>, out: Tensor, rule: Arc<CustomRule> },
}

impl Op {
    /// The op's name, as shown by `graph_text`, anomaly mode and errors.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Op::Add => "add",
            Op::Sub => "sub",
            Op::Mul { .. } => "mul",
            Op::Div { .. } => "div",
            Op::Maximum { .. } => "maximum",
            Op::Where { .. } => "where",
            Op::Affine { .. } => "affine",
            Op::Powf { .. } => "powf",
            Op::Exp { .. } => "exp",
            Op::Log { .. } => "log",
            Op::Log1p { .. } => "log1p",
            Op::Sqrt { .. } => "sqrt",
            Op::Abs { .. } => "abs",
            Op::Relu { .. } => "relu",
            Op::Tanh { .. } => "tanh",
            Op::Sum { .. } => "sum",
            Op::Max { .. } => "max",
            Op::Matmul { .. } => "matmul",
            Op::Reshape { .. } => "reshape",
            Op::Permute { .. } => "permute",
            Op::Expand { .. } => "expand",
            Op::Narrow { .. } => "narrow",
            Op::Cat { .. } => "cat",
            Op::Gather { .. } => "gather",
            Op::Sigmoid { .. } => "sigmoid",
            Op::Softmax { .. } => "softmax",
            Op::LogSoftmax { .. } => "log_softmax",
            Op::BceWithLogits { .. } => "bce_with_logits",
            Op::BceWithLogitsMean { .. } => "bce_with_logits_mean",
            Op::CrossEntropyMean { .. } => "cross_entropy_mean",
            Op::Linear { .. } => "linear",
            Op::Custom { name, .. } => name,
        }
    }
}
