//! Fused kernels standing for compositions of other ops (the accuracy counts, the mean losses and their
//! gradients): the backend's kernel where it has one, else the composition, with the same result.

use super::*;

impl Tensor {
    /// The right predictions of a binary classifier with logits `self`: `target.eq(&self.sigmoid().round())
    /// .sum()` (the tutorial's accuracy count), one kernel where the backend has one
    /// ([`Backend::count_round_sigmoid_eq`]) and those ops elsewhere — the same bits either way.
    ///
    /// # Panics
    /// When `target` is not of `self`'s shape, dtype and device.
    ///
    /// [`Backend::count_round_sigmoid_eq`]: crate::Backend::count_round_sigmoid_eq
    #[track_caller]
    pub fn count_round_sigmoid_eq(&self, target: &Tensor) -> Tensor {
        check_same("count_round_sigmoid_eq", self, target);
        ensure!(
            self.shape() == target.shape(),
            "count_round_sigmoid_eq",
            "logits {:?} and target {:?}: the shapes differ",
            self.shape(),
            target.shape()
        );
        let kernel = dispatch!(optional self, target => |be, x, t| {
            be.count_round_sigmoid_eq(x, &self.layout, t, &target.layout)
        });
        self.kernel_or(kernel, &[], || target.eq(&self.sigmoid().round()).sum())
    }

    /// The right predictions of a multi-class classifier with logits `self` (`[N, C]`) against int64 class indices
    /// `target` (`[N]`): `target.eq(&self.softmax(1).argmax(1)).sum()` (the tutorial's accuracy count),
    /// an int64 scalar, one kernel where the backend has one ([`Backend::count_argmax_softmax_eq`]) and those ops
    /// elsewhere — the same count either way.
    ///
    /// # Panics
    /// When `self` is not `[N, C]` float or `target` not `[N]` int64 on the same device.
    ///
    /// [`Backend::count_argmax_softmax_eq`]: crate::Backend::count_argmax_softmax_eq
    #[track_caller]
    pub fn count_argmax_softmax_eq(&self, target: &Tensor) -> Tensor {
        check_class_targets("count_argmax_softmax_eq", self, target);
        let kernel = dispatch!(optional self, target => |be, x, t| {
            be.count_argmax_softmax_eq(x, &self.layout, t, &target.layout)
        });
        self.kernel_or(kernel, &[], || target.eq(&self.softmax(1).argmax(1)).sum())
    }

    /// The mean binary cross-entropy of the logits `self` against `target` (`BCEWithLogitsLoss()`):
    /// `self.bce_with_logits(target).mean()`, one kernel where the backend has one
    /// ([`Backend::bce_with_logits_mean`]; on the GPU the same bits from 65 to 16384 elements, the last bits may
    /// differ outside that range, where the unfused sum adds in another order)
    /// and those ops elsewhere.
    ///
    /// # Panics
    /// When `target` is not of `self`'s shape, dtype and device.
    ///
    /// [`Backend::bce_with_logits_mean`]: crate::Backend::bce_with_logits_mean
    #[track_caller]
    pub fn bce_with_logits_mean(&self, target: &Tensor) -> Tensor {
        check_same("bce_with_logits_mean", self, target);
        ensure!(
            self.shape() == target.shape(),
            "bce_with_logits_mean",
            "logits {:?} and target {:?}: the shapes differ",
            self.shape(),
            target.shape()
        );
        let kernel = dispatch!(optional self, target => |be, x, t| {
            be.bce_with_logits_mean(x, &self.layout, t, &target.layout)
        });
        self.kernel_or(kernel, &[], || self.bce_with_logits(target).mean())
    }

    /// The gradient of [`Tensor::bce_with_logits_mean`] with respect to the logits `self` for the one-element
    /// upstream gradient `grad`: `grad.div_scalar(n).expand(shape).mul(&self.sigmoid().sub(target))` (the rules of
    /// the division, the sum and the element-wise loss), one kernel where the backend has one
    /// ([`Backend::bce_with_logits_mean_grad`]) and those ops elsewhere — the same bits either way.
    ///
    /// # Panics
    /// When `target` is not of `self`'s shape, dtype and device, or `grad` has more than one element.
    ///
    /// [`Backend::bce_with_logits_mean_grad`]: crate::Backend::bce_with_logits_mean_grad
    #[track_caller]
    pub fn bce_with_logits_mean_grad(&self, target: &Tensor, grad: &Tensor) -> Tensor {
        check_same("bce_with_logits_mean_grad", self, target);
        check_same("bce_with_logits_mean_grad", self, grad);
        ensure!(
            self.shape() == target.shape() && grad.numel() == 1,
            "bce_with_logits_mean_grad",
            "logits {:?}, target {:?} and grad {:?}: the shapes differ or grad is not one element",
            self.shape(),
            target.shape(),
            grad.shape()
        );
        let kernel = dispatch!(optional self, target, grad => |be, x, t, g| {
            be.bce_with_logits_mean_grad(x, &self.layout, t, &target.layout, g, &grad.layout)
        });
        self.kernel_or(kernel, self.shape(), || {
            let g = grad.div_scalar(self.numel() as f64).reshape(&vec![1; self.rank()]).expand(self.shape());
            g.mul(&self.sigmoid().sub(target))
        })
    }

    /// The mean cross-entropy of the logits `self` (`[N, C]`) against int64 class indices `target` (`[N]`)
    /// (`CrossEntropyLoss()`): `-self.log_softmax(1).gather(1, target[:, None]).mean()`, one kernel where the
    /// backend has one ([`Backend::cross_entropy_mean`]; the same bits where log_softmax runs its one-row-per-
    /// invocation kernel and N ≤ 16384) and those ops elsewhere.
    ///
    /// # Panics
    /// When `self` is not `[N, C]` float, `target` not `[N]` int64, or they are on different devices.
    ///
    /// [`Backend::cross_entropy_mean`]: crate::Backend::cross_entropy_mean
    #[track_caller]
    pub fn cross_entropy_mean(&self, target: &Tensor) -> Tensor {
        check_class_targets("cross_entropy_mean", self, target);
        let kernel = dispatch!(optional self, target => |be, x, t| {
            be.cross_entropy_mean(x, &self.layout, t, &target.layout)
        });
        self.kernel_or(kernel, &[], || self.log_softmax(1).gather(1, &target.unsqueeze(1)).squeeze_dim(1).neg().mean())
    }

    /// The gradient of [`Tensor::cross_entropy_mean`] with respect to the logits `self` for the one-element upstream
    /// gradient `grad`: the rules of the division by N, the negation, the gather and the log_softmax in that order
    /// (`u - exp(log_softmax(self)) · Σ_row u` with `u` the scatter of `-(grad / N)` at the targets), one kernel
    /// where the backend has one ([`Backend::cross_entropy_mean_grad`]) and those ops elsewhere.
    ///
    /// # Panics
    /// As [`Tensor::cross_entropy_mean`], and when `grad` has more than one element.
    ///
    /// [`Backend::cross_entropy_mean_grad`]: crate::Backend::cross_entropy_mean_grad
    #[track_caller]
    pub fn cross_entropy_mean_grad(&self, target: &Tensor, grad: &Tensor) -> Tensor {
        check_class_targets("cross_entropy_mean_grad", self, target);
        check_same("cross_entropy_mean_grad", self, grad);
        ensure!(grad.numel() == 1, "cross_entropy_mean_grad", "grad {:?} is not one element", grad.shape());
        let kernel = dispatch!(optional self, target, grad => |be, x, t, g| {
            be.cross_entropy_mean_grad(x, &self.layout, t, &target.layout, g, &grad.layout)
        });
        self.kernel_or(kernel, self.shape(), || {
            let rows = self.shape()[0];
            let u = grad.reshape(&[]).div_scalar(rows as f64).neg().reshape(&[1]).expand(&[rows]);
            let index = target.unsqueeze(1);
            let u = Tensor::zeros(self.shape(), self.dtype(), self.device()).scatter_add(1, &index, &u.unsqueeze(1));
            let logp = self.log_softmax(1);
            u.sub(&logp.exp().mul(&u.sum_keepdim(1)))
        })
    }
}
