//! The fused ops of [`Var`]: one kernel (and one node) standing for a composition of primitives, with a rule
//! of its own that gives the composition's gradient (see `op.rs`; checked against the compositions in
//! `tests/fused.rs`).

use tensor::{BinaryOp, Dim, Tensor};

use crate::op::Op;
use crate::var::Var;

impl Var {
    /// Element-wise binary cross-entropy of the logits `self` against `target` (broadcasting), fused and stable
    /// (see [`tensor::ops::bce_with_logits`]). Saves both operands. Reduce it with `mean_all` for the usual loss.
    #[track_caller]
    pub fn bce_with_logits(&self, target: &Var) -> Var {
        self.binary(target, BinaryOp::BceWithLogits, |lhs, rhs| Op::BceWithLogits { lhs, rhs })
    }

    /// The mean binary cross-entropy of the logits `self` against `target` of the same shape,
    /// `self.bce_with_logits(target).mean()` as one node: on a GPU one kernel forward and one backward
    /// ([`Tensor::bce_with_logits_mean`]). Saves both operands.
    ///
    /// # Panics
    /// When the shapes, dtypes or devices differ.
    #[track_caller]
    pub fn bce_with_logits_mean(&self, target: &Var) -> Var {
        let (x, y) = (self.tensor(), target.tensor());
        let out = x.bce_with_logits_mean(&y);
        Var::record(&[self, target], out, |_| Op::BceWithLogitsMean { lhs: x, rhs: y })
    }

    /// The mean cross-entropy of the logits `self` (`[N, C]`) against the int64 class indices `target` (`[N]`),
    /// `-self.log_softmax(1).gather(1, target[:, None]).mean()` as one node: on a GPU one kernel forward and
    /// one backward ([`Tensor::cross_entropy_mean`]). Saves the logits and the targets.
    ///
    /// # Panics
    /// When `self` is not `[N, C]` float or `target` not `[N]` int64 on the same device.
    #[track_caller]
    pub fn cross_entropy_mean(&self, target: &Tensor) -> Var {
        let x = self.tensor();
        let out = x.cross_entropy_mean(target);
        let target = target.clone();
        Var::record(&[self], out, |_| Op::CrossEntropyMean { logits: x, target })
    }

    /// `1 / (1 + e^-self)`. Saves the output.
    #[track_caller]
    pub fn sigmoid(&self) -> Var {
        Var::record(&[self], self.tensor().sigmoid(), |out| Op::Sigmoid { out: out.clone() })
    }

    /// Softmax along `axis`. Saves the output.
    #[track_caller]
    pub fn softmax(&self, axis: impl Dim) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("softmax", x.rank());
        Var::record(&[self], x.softmax(axis), |out| Op::Softmax { out: out.clone(), axis })
    }

    /// Log-softmax along `axis` (stable). Saves the output.
    #[track_caller]
    pub fn log_softmax(&self, axis: impl Dim) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("log_softmax", x.rank());
        Var::record(&[self], x.log_softmax(axis), |out| Op::LogSoftmax { out: out.clone(), axis })
    }

    /// `nn.Linear`'s map: `self Wᵀ + b` for `self` `[n, in]`, `weight` `[out, in]`, `bias` `[out]`, recorded as
    /// one `linear` node (PyTorch's `addmm`). Values and gradients are bit for bit those of
    /// `self.matmul(&weight.t()) + bias`. Saves `self` and `weight`.
    ///
    /// # Panics
    /// As [`Tensor::linear`].
    #[track_caller]
    pub fn linear(&self, weight: &Var, bias: Option<&Var>) -> Var {
        let out = self.tensor().linear(&weight.tensor(), bias.map(|b| b.tensor()).as_ref());
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        if !Var::should_record(&inputs) {
            return Var::unrecorded(out);
        }
        Var::record(&inputs, out, |_| Op::Linear { x: self.tensor(), weight: weight.tensor(), relu_out: None })
    }

    /// A hidden layer and its activation, `max(self Wᵀ + b, 0)`, as one `linear` node ([`Tensor::linear_relu`]:
    /// one kernel on a GPU). Values and gradients are bit for bit those of `self.linear(weight, bias).relu()`.
    /// Saves `self`, `weight` and the output.
    ///
    /// # Panics
    /// As [`Tensor::linear`], naming `linear_relu`.
    #[track_caller]
    pub fn linear_relu(&self, weight: &Var, bias: Option<&Var>) -> Var {
        let out = self.tensor().linear_relu(&weight.tensor(), bias.map(|b| b.tensor()).as_ref());
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Var::record(&inputs, out, |out| Op::Linear {
            x: self.tensor(),
            weight: weight.tensor(),
            relu_out: Some(out.clone()),
        })
    }
}
