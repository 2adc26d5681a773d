//! Loss functions with PyTorch's names, arguments and formulas: [`BCEWithLogitsLoss`], [`BCELoss`],
//! [`CrossEntropyLoss`], [`NLLLoss`], [`L1Loss`], [`MSELoss`].
//!
//! Each is a small struct of options with `forward(&self, input: &Var, target: &Tensor) -> Var` (PyTorch's
//! argument order: prediction first). All are compositions of autograd ops, except [`BCELoss`], whose input
//! gradient follows PyTorch's clamped formula (a custom rule built from tensor ops).
//!
//! | loss | element `ℓ_i` |
//! |---|---|
//! | BCEWithLogits | `w·[(1-y)·sp(x) + p·y·sp(-x)]`, `sp(z) = ln(1+e^z)`, `p` = pos_weight (1 without) |
//! | BCE | `-w·[y·max(ln x, -100) + (1-y)·max(ln(1-x), -100)]` |
//! | NLL | `-w_{y_i}·x_{i,y_i}` (0 where `y_i` = ignore_index) |
//! | CrossEntropy | NLL of `log_softmax(x)`, mixed with `-Σ_c w_c log_softmax(x)_c` by label smoothing |
//! | L1 / MSE | `|x - y|` / `(x - y)²` |
//!
//! [`Reduction::Mean`] averages over elements — except NLL and cross-entropy with class weights, which divide by
//! the summed weights of the targets (as PyTorch).

use autograd::Var;
use tensor::Tensor;

mod nll;
pub use nll::{CrossEntropyLoss, NLLLoss};

/// How the per-element losses are combined (PyTorch's `reduction=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// The mean (the default).
    #[default]
    Mean,
    /// The sum.
    Sum,
    /// No reduction: one loss per element (per sample for NLL / cross-entropy).
    None,
}

/// What [`Reduction::Mean`] divides the sum of the losses by.
enum MeanOf<'a> {
    /// Their number (`loss.mean()`).
    Elements,
    /// A count given by the loss (the samples of a cross-entropy with probability targets).
    Count(usize),
    /// The sum of these per-sample weights (NLL and cross-entropy: `Σ w_{y_i}`).
    Weights(&'a Tensor),
}

/// Sum, mean or nothing: the one place a loss is reduced.
fn reduce(loss: Var, reduction: Reduction, mean: MeanOf) -> Var {
    match (reduction, mean) {
        (Reduction::None, _) => loss,
        (Reduction::Sum, _) => loss.sum(),
        (Reduction::Mean, MeanOf::Elements) => loss.mean(),
        (Reduction::Mean, MeanOf::Count(n)) => loss.sum().div_scalar(n as f64),
        (Reduction::Mean, MeanOf::Weights(w)) => loss.sum().div(&Var::constant(w.sum())),
    }
}

#[track_caller]
fn check_same_shape(op: &str, input: &Var, target: &Tensor) {
    let shape = input.shape();
    assert!(
        shape == target.shape(),
        "{op}: input {shape:?} and target {:?} must have the same shape (squeeze the logits or unsqueeze the \
         targets)",
        target.shape()
    );
    assert!(
        target.dtype() == input.dtype(),
        "{op}: input {shape:?} is {} but target {:?} is {} (convert the targets with to_dtype)",
        input.dtype(),
        target.shape(),
        target.dtype()
    );
}

/// Panics at the caller of a loss with `message`.
#[cold]
#[track_caller]
fn misuse(message: String) -> ! {
    panic!("{message}")
}

/// Checks that an optional weight (`weight`, `pos_weight`) has the input's dtype and broadcasts to the input's
/// shape (numpy's rules, the result having exactly the input's shape — a weight that would enlarge the loss is
/// refused rather than silently averaged over more elements).
#[track_caller]
fn check_weight(op: &str, what: &str, weight: Option<&Tensor>, input: &Var) {
    let Some(w) = weight else { return };
    let shape = input.shape();
    let fits =
        w.rank() <= shape.len() && w.shape().iter().rev().zip(shape.iter().rev()).all(|(&wd, &xd)| wd == xd || wd == 1);
    if !fits || w.dtype() != input.dtype() {
        misuse(format!(
            "{op}: {what} {:?} {} must broadcast to the input {shape:?} {} (same dtype; each dimension equal or 1)",
            w.shape(),
            w.dtype(),
            input.dtype()
        ));
    }
}

/// Checks that the input of a classification loss has a class axis (rank ≥ 1).
#[track_caller]
fn check_has_classes(op: &str, input: &Var) {
    if input.rank() == 0 {
        misuse(format!("{op}: the input is a scalar []: pass logits [N, C] (or [C] for one sample)"));
    }
}

/// A float tensor of zeros-like scalar (0-d) on the input's device.
fn zero_like(v: &Var) -> Var {
    Var::constant(Tensor::scalar(0.0, v.dtype(), &v.device()))
}

// --- binary cross-entropy --------------------------------------------------------------------------------------

/// `nn.BCEWithLogitsLoss`: binary cross-entropy of logits, `sigmoid` fused in for stability.
///
/// Without `pos_weight` each element is the fused, stable [`Var::bce_with_logits`]. With it,
/// `ℓ = (1-y)·sp(x) + p·y·sp(-x)` is computed as `bce(x, y) + (p-1)·y·sp(-x)` where `sp(-x) = bce(x, 1)`;
/// the second term is dropped (not multiplied) where `(p-1)·y = 0`, so a logit of ±∞ with a matching target
/// gives a loss and gradient of 0 instead of `0·∞ = NaN`. (PyTorch's own formula gives NaN there.)
#[derive(Clone, Debug, Default)]
pub struct BCEWithLogitsLoss {
    /// A rescaling weight per element, broadcast to the input.
    pub weight: Option<Tensor>,
    /// The weight of positive examples, broadcast along the last (class) dimension.
    pub pos_weight: Option<Tensor>,
    /// How the elements are combined.
    pub reduction: Reduction,
}

impl BCEWithLogitsLoss {
    /// The default: no weights, mean reduction.
    pub fn new() -> Self {
        Self::default()
    }
    /// With `pos_weight`.
    pub fn with_pos_weight(mut self, pos_weight: Tensor) -> Self {
        self.pos_weight = Some(pos_weight);
        self
    }
    /// With an element weight.
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// With another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// The loss of logits `input` against targets in `[0, 1]` of the same shape and dtype.
    ///
    /// # Panics
    /// When the shapes or dtypes differ.
    #[track_caller]
    pub fn forward(&self, input: &Var, target: &Tensor) -> Var {
        check_same_shape("BCEWithLogitsLoss", input, target);
        check_weight("BCEWithLogitsLoss", "weight", self.weight.as_ref(), input);
        check_weight("BCEWithLogitsLoss", "pos_weight", self.pos_weight.as_ref(), input);
        let y = Var::constant(target.clone());
        if self.weight.is_none() && self.pos_weight.is_none() && self.reduction == Reduction::Mean {
            // The usual loss as one node (one kernel each way on a GPU), the same value as the ops below.
            return input.bce_with_logits_mean(&y);
        }
        let mut loss = input.bce_with_logits(&y);
        if let Some(pw) = &self.pos_weight {
            // coef = (p - 1)·y, broadcast to the input's shape.
            let coef = pw.add_scalar(-1.0).mul(target);
            let ones = Var::constant(Tensor::scalar(1.0, input.dtype(), &input.device()).expand(&input.shape()));
            let softplus_neg_x = input.bce_with_logits(&ones); // ln(1 + e^-x)
            let extra = softplus_neg_x.mul(&Var::constant(coef.clone()));
            let keep = coef.ne(&coef.scalar_like(0.0));
            loss = loss.add(&Var::where_cond(&keep, &extra, &zero_like(input)));
        }
        if let Some(w) = &self.weight {
            loss = loss.mul(&Var::constant(w.clone()));
        }
        reduce(loss, self.reduction, MeanOf::Elements)
    }
}

/// `nn.BCELoss`: binary cross-entropy of probabilities in `[0, 1]`; each log is clamped at -100 so that a
/// probability of exactly 0 or 1 gives a finite loss, and the gradient is PyTorch's
/// `w·(x - y) / max(x·(1 - x), 1e-12)`, finite everywhere.
#[derive(Clone, Debug, Default)]
pub struct BCELoss {
    /// A rescaling weight per element, broadcast to the input.
    pub weight: Option<Tensor>,
    /// How the elements are combined.
    pub reduction: Reduction,
}

impl BCELoss {
    /// The default: no weight, mean reduction.
    pub fn new() -> Self {
        Self::default()
    }
    /// With an element weight.
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// With another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// The loss of probabilities `input` against targets of the same shape and dtype.
    ///
    /// # Panics
    /// When the shapes or dtypes differ, or an input is outside `[0, 1]` (PyTorch raises too).
    #[track_caller]
    pub fn forward(&self, input: &Var, target: &Tensor) -> Var {
        check_same_shape("BCELoss", input, target);
        check_weight("BCELoss", "weight", self.weight.as_ref(), input);
        let x = input.tensor();
        if x.numel() > 0 {
            let (lo, hi) = (x.min().item(), x.max().item());
            assert!(
                (0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi),
                "BCELoss: all elements of input should be between 0 and 1 (got [{lo}, {hi}]); apply a sigmoid \
                 first, or use BCEWithLogitsLoss on the logits"
            );
        }
        let y = target.clone();
        let y_rule = target.clone();
        let loss = Var::custom(
            "binary_cross_entropy",
            &[input],
            |xs| {
                // ℓ = (y - 1)·max(ln(1 - x), -100) - y·max(ln x, -100)
                let x = &xs[0];
                let log_1mx = x.neg().log1p().clamp(-100.0, f64::INFINITY);
                let log_x = x.log().clamp(-100.0, f64::INFINITY);
                y.add_scalar(-1.0).mul(&log_1mx).sub(&y.mul(&log_x))
            },
            move |xs, _out, g| {
                // ∂ℓ/∂x = (x - y) / max(x·(1 - x), ε), ε = 1e-12
                let x = &xs[0];
                let denom = x.neg().add_scalar(1.0).mul(x).maximum(&x.scalar_like(1e-12));
                vec![g.mul(&x.sub(&y_rule)).div(&denom)]
            },
        );
        let loss = match &self.weight {
            Some(w) => loss.mul(&Var::constant(w.clone())),
            None => loss,
        };
        reduce(loss, self.reduction, MeanOf::Elements)
    }
}

// --- regression ------------------------------------------------------------------------------------------------

/// `nn.L1Loss`: `|input - target|`.
#[derive(Clone, Copy, Debug, Default)]
pub struct L1Loss {
    /// How the elements are combined.
    pub reduction: Reduction,
}

impl L1Loss {
    /// Mean reduction.
    pub fn new() -> Self {
        Self::default()
    }
    /// With another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// The loss; input and target must have the same shape and dtype.
    #[track_caller]
    pub fn forward(&self, input: &Var, target: &Tensor) -> Var {
        check_same_shape("L1Loss", input, target);
        reduce(input.sub(&Var::constant(target.clone())).abs(), self.reduction, MeanOf::Elements)
    }
}

/// `nn.MSELoss`: `(input - target)²`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MSELoss {
    /// How the elements are combined.
    pub reduction: Reduction,
}

impl MSELoss {
    /// Mean reduction.
    pub fn new() -> Self {
        Self::default()
    }
    /// With another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// The loss; input and target must have the same shape and dtype.
    #[track_caller]
    pub fn forward(&self, input: &Var, target: &Tensor) -> Var {
        check_same_shape("MSELoss", input, target);
        reduce(input.sub(&Var::constant(target.clone())).sqr(), self.reduction, MeanOf::Elements)
    }
}
