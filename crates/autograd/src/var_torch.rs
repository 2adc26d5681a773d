//! PyTorch's names on [`Var`] for what a training loop asks of a result: `item()`, `numel()`, `round()`,
//! `argmax(d)`, `min()`, the comparisons, `unique()`, `to(device)`, `backward()` without a `Result`, and printing
//! as PyTorch prints a tensor that requires a gradient (`grad_fn=<AddmmBackward0>`).
//!
//! The naming rule is the one of the whole API (see `tensor`'s `torch_names.rs` and the README's cheat sheet):
//! a PyTorch method keeps its name and takes PyTorch's positional arguments; `keepdim=True` is a `_keepdim`
//! suffix; the one-dim form of a method whose bare form reduces everything is `_dim`.
//!
//! What PyTorch computes without a gradient is a [`Tensor`] here too: `argmax`, the comparisons and `unique`
//! return tensors (PyTorch's results have `requires_grad=False`), `item` a number.
//!
//! What does not live here: the differentiable ops (`var_ops.rs`), the backward walk (`engine.rs`).

use std::fmt;

use tensor::{Device, Dim, Tensor};

use crate::error::AutogradError;
use crate::var::Var;

impl Var {
    /// `x.item()`: the single element as f64, whatever the dtype.
    ///
    /// # Panics
    /// When the value has more than one element: `item: tensor of shape [800] has 800 elements, not 1`.
    #[track_caller]
    pub fn item(&self) -> f64 {
        self.tensor().item()
    }

    /// `x.numel()`: the number of elements.
    pub fn numel(&self) -> usize {
        self.tensor().numel()
    }

    /// `torch.round(x)`, half to even, as a constant: PyTorch's gradient of `round` is zero everywhere, so the
    /// result carries no graph (a backward through it would add nothing). Used on predictions
    /// (`torch.round(torch.sigmoid(logits))`), never on a loss.
    #[track_caller]
    pub fn round(&self) -> Var {
        Var::constant(self.tensor().round())
    }

    /// `x.argmax(dim)`: the int64 index of the largest value along `dim`, which is dropped (the first on ties,
    /// a NaN winning, as PyTorch). Not differentiable: a tensor.
    #[track_caller]
    pub fn argmax(&self, dim: impl Dim) -> Tensor {
        self.tensor().argmax(dim)
    }

    /// `x.argmax(dim, keepdim=True)`.
    #[track_caller]
    pub fn argmax_keepdim(&self, dim: impl Dim) -> Tensor {
        self.tensor().argmax_keepdim(dim)
    }

    /// `x.argmin(dim)`.
    #[track_caller]
    pub fn argmin(&self, dim: impl Dim) -> Tensor {
        self.tensor().argmin(dim)
    }

    /// `x.argmin(dim, keepdim=True)`.
    #[track_caller]
    pub fn argmin_keepdim(&self, dim: impl Dim) -> Tensor {
        self.tensor().argmin_keepdim(dim)
    }

    /// Minimum of every element, 0-d (`x.min()`): `-max(-x)`, composed, so the gradient goes to the minimum.
    #[track_caller]
    pub fn min(&self) -> Var {
        self.neg().max().neg()
    }

    /// Minimum over `dim`, which is dropped (`x.min(dim).values`): `-max_dim(-x)`.
    #[track_caller]
    pub fn min_dim(&self, dim: impl Dim) -> Var {
        self.neg().max_dim(dim).neg()
    }

    /// Minimum over `dim`, kept with size 1 (`x.min(dim, keepdim=True).values`).
    #[track_caller]
    pub fn min_keepdim(&self, dim: impl Dim) -> Var {
        self.neg().max_keepdim(dim).neg()
    }

    /// `x == rhs` element-wise (broadcasting), 0/1 in the value's dtype; not differentiable (PyTorch's bool
    /// result has no gradient either).
    #[track_caller]
    pub fn eq(&self, rhs: &Var) -> Tensor {
        self.tensor().eq(&rhs.tensor())
    }

    /// `x != rhs`, as [`Var::eq`].
    #[track_caller]
    pub fn ne(&self, rhs: &Var) -> Tensor {
        self.tensor().ne(&rhs.tensor())
    }

    /// `x < rhs`, as [`Var::eq`].
    #[track_caller]
    pub fn lt(&self, rhs: &Var) -> Tensor {
        self.tensor().lt(&rhs.tensor())
    }

    /// `x <= rhs`, as [`Var::eq`].
    #[track_caller]
    pub fn le(&self, rhs: &Var) -> Tensor {
        self.tensor().le(&rhs.tensor())
    }

    /// `x > rhs`, as [`Var::eq`].
    #[track_caller]
    pub fn gt(&self, rhs: &Var) -> Tensor {
        self.tensor().gt(&rhs.tensor())
    }

    /// `x >= rhs`, as [`Var::eq`].
    #[track_caller]
    pub fn ge(&self, rhs: &Var) -> Tensor {
        self.tensor().ge(&rhs.tensor())
    }

    /// `torch.unique(x)`: the distinct values, sorted (see [`Tensor::unique`]); not differentiable.
    #[track_caller]
    pub fn unique(&self) -> Tensor {
        self.tensor().unique()
    }

    /// `x.to(device)`, as PyTorch's: `self` when the value is already on `device`; else a copy there that keeps
    /// `requires_grad` — a result that requires a gradient is recorded as a `to_copy` node whose gradient is the
    /// incoming one moved back to this device (PyTorch's `ToCopyBackward0`), a constant stays a constant. To move
    /// a parameter itself, use `Module::to_device` (PyTorch's `module.to`).
    ///
    /// # Panics
    /// When the value cannot live on `device` (a float64 tensor on a GPU, one over its buffer limit).
    #[track_caller]
    pub fn to(&self, device: &Device) -> Var {
        let here = self.device();
        if here.same(device) {
            return self.clone();
        }
        let target = device.clone();
        Var::custom("to_copy", &[self], |xs| xs[0].to(&target), move |_, _, grad| vec![grad.to(&here)])
    }

    /// `loss.backward()`: the gradient of this scalar with respect to every leaf it depends on is added to their
    /// [`Var::grad`]; the graph is freed as it goes (see [`Var::backward_with`] to keep it).
    ///
    /// # Panics
    /// On a misuse, with the message of [`Var::try_backward`]'s error — a result of more than one element, one
    /// that requires no gradient, a graph freed by an earlier backward, a non-finite gradient in anomaly mode.
    #[track_caller]
    pub fn backward(&self) {
        if let Err(e) = self.try_backward() {
            backward_failed(&e);
        }
    }

    /// `backward()` returning its error instead of panicking.
    ///
    /// # Errors
    /// [`AutogradError::NonScalar`] when the result has more than one element, [`AutogradError::NoGradRequired`]
    /// when it depends on no leaf, [`AutogradError::GraphFreed`] when an earlier backward freed its graph, and
    /// [`AutogradError::Anomaly`] in anomaly mode.
    pub fn try_backward(&self) -> Result<(), AutogradError> {
        self.backward_with(None, false)
    }

    /// The name PyTorch prints for the function that made this variable (`AddmmBackward0`), `None` for leaves and
    /// constants. A primitive maps to the function PyTorch records for the same call; a composition (`neg`,
    /// `minimum`, `clamp`, `mean`) is named after itself (`x.mean()` prints `MeanBackward0`, `-x` `NegBackward0`);
    /// any other composition shows its last primitive's.
    pub fn grad_fn_name(&self) -> Option<String> {
        if self.is_leaf() {
            return None;
        }
        let name = match self.op_name() {
            "add" => "AddBackward0",
            "sub" => "SubBackward0",
            "mul" => "MulBackward0",
            "div" => "DivBackward0",
            "maximum" => "MaximumBackward0",
            "minimum" => "MinimumBackward0",
            "bce_with_logits" | "bce_with_logits_mean" => "BinaryCrossEntropyWithLogitsBackward0",
            // `F.cross_entropy` is `nll_loss(log_softmax(x))`: its result is the NLL node's.
            "cross_entropy_mean" => "NllLossBackward0",
            "where" => "WhereBackward0",
            "neg" => "NegBackward0",
            // `x * a + b`: PyTorch's last node is the addition (a multiplication when b is 0; either way one node).
            "affine" => "AddBackward0",
            "powf" => "PowBackward0",
            "exp" => "ExpBackward0",
            "log" => "LogBackward0",
            "log1p" => "Log1PBackward0",
            "sqrt" => "SqrtBackward0",
            "abs" => "AbsBackward0",
            "relu" => "ReluBackward0",
            "sigmoid" => "SigmoidBackward0",
            "tanh" => "TanhBackward0",
            "clamp" => "ClampBackward1",
            // `x.sum()` (to 0-d) is SumBackward0, `x.sum(dim)` SumBackward1.
            // `x.mean()` is MeanBackward0, `x.mean(dim)` MeanBackward1 (compositions here, named after them).
            "mean" if self.rank() == 0 => "MeanBackward0",
            "mean" => "MeanBackward1",
            "sum" if self.rank() == 0 => "SumBackward0",
            "sum" => "SumBackward1",
            "max" if self.rank() == 0 => "MaxBackward1",
            "max" => "MaxBackward0",
            "softmax" => "SoftmaxBackward0",
            "log_softmax" => "LogSoftmaxBackward0",
            "matmul" if self.rank() == 3 => "BmmBackward0",
            "matmul" => "MmBackward0",
            // `F.linear` with a bias on a batch is `addmm`; without one, `mm`. After a backward freed the graph
            // the inputs are gone and the bias is assumed, the tutorial's case.
            "linear" if self.inputs().len() == 2 => "MmBackward0",
            "linear" => "AddmmBackward0",
            "linear_relu" => "ReluBackward0",
            "reshape" => "ViewBackward0",
            "permute" => "PermuteBackward0",
            "expand" => "ExpandBackward0",
            "narrow" => "SliceBackward0",
            "cat" => "CatBackward0",
            "gather" => "GatherBackward0",
            "to_copy" => "ToCopyBackward0",
            other => return Some(format!("{other}Backward")),
        };
        Some(name.to_string())
    }
}

/// The panic of a failed `backward()`: the error's message, at the caller's line.
#[cold]
#[track_caller]
fn backward_failed(e: &AutogradError) -> ! {
    panic!("backward: {e}")
}

/// Prints as PyTorch prints a tensor: the value, then `grad_fn=<AddmmBackward0>` for a result of a recorded op,
/// `requires_grad=True` for a parameter, nothing for a constant —
/// `tensor([[-0.4279], [-0.3417]], grad_fn=<AddmmBackward0>)`.
impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let suffix = match self.grad_fn_name() {
            Some(name) => vec![format!("grad_fn=<{name}>")],
            None if self.requires_grad() => vec!["requires_grad=True".to_string()],
            None => Vec::new(),
        };
        f.write_str(&self.tensor().to_string_with_suffixes(&suffix))
    }
}

/// A tensor used as data: a constant (`Var::constant`), so that `model.forward(&Var::from(x))` reads as
/// PyTorch's `model(X)` on a tensor that does not require a gradient.
impl From<Tensor> for Var {
    fn from(t: Tensor) -> Var {
        Var::constant(t)
    }
}
