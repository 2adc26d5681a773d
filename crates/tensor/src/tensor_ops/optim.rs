//! Optimizer steps over a parameter and its gradient (SGD, Adam), as one kernel where the backend has one.

use super::*;

impl Tensor {
    /// The plain SGD step `self + grad·(-lr)`: one kernel where the backend has one ([`Backend::sgd_step`]),
    /// else — and always on the CPU — its two ops `self.add(&grad.mul_scalar(-lr))`, whose bits the kernel
    /// reproduces.
    ///
    /// # Panics
    /// When `grad` is not of `self`'s shape, dtype and device: `sgd_step: param [10, 2] and grad [2, 10] ...`.
    ///
    /// [`Backend::sgd_step`]: crate::Backend::sgd_step
    #[track_caller]
    pub fn sgd_step(&self, grad: &Tensor, lr: f64) -> Tensor {
        check_same("sgd_step", self, grad);
        ensure!(
            self.shape() == grad.shape(),
            "sgd_step",
            "param {:?} and grad {:?}: the shapes differ",
            self.shape(),
            grad.shape()
        );
        let kernel = fused_kernel!(self, grad => |be, x, g| be.sgd_step(x, &self.layout, g, &grad.layout, lr));
        self.kernel_or(kernel, self.shape(), || self.add(&grad.mul_scalar(-lr)))
    }

    /// [`Tensor::sgd_step`] of several parameters, each a `(param, grad)` pair: two at a time in one kernel where
    /// the backend has one ([`Backend::sgd_step_pair`]), else one by one — the same bits either way.
    ///
    /// # Panics
    /// When a grad is not of its param's shape, dtype and device.
    ///
    /// [`Backend::sgd_step_pair`]: crate::Backend::sgd_step_pair
    #[track_caller]
    pub fn sgd_step_many(pairs: &[(Tensor, Tensor)], lr: f64) -> Vec<Tensor> {
        let mut out = Vec::with_capacity(pairs.len());
        let mut rest = pairs;
        while let [first, second, tail @ ..] = rest {
            let fused =
                match (&first.0.device, &*first.0.storage, &*first.1.storage, &*second.0.storage, &*second.1.storage) {
                    #[cfg(feature = "wgpu")]
                    (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(g), Storage::Wgpu(x2), Storage::Wgpu(g2))
                        if second.0.device == first.0.device
                            && first.0.shape() == first.1.shape()
                            && second.0.shape() == second.1.shape() =>
                    {
                        be.sgd_step_pair(
                            (x, &first.0.layout, g, &first.1.layout),
                            (x2, &second.0.layout, g2, &second.1.layout),
                            lr,
                        )
                        .map(|(a, b)| {
                            (
                                Tensor::from_storage(Storage::Wgpu(a), first.0.shape(), first.0.device.clone()),
                                Tensor::from_storage(Storage::Wgpu(b), second.0.shape(), second.0.device.clone()),
                            )
                        })
                    }
                    _ => None,
                };
            match fused {
                Some((a, b)) => {
                    out.push(a);
                    out.push(b);
                }
                None => {
                    out.push(first.0.sgd_step(&first.1, lr));
                    out.push(second.0.sgd_step(&second.1, lr));
                }
            }
            rest = tail;
        }
        out.extend(rest.iter().map(|(x, g)| x.sgd_step(g, lr)));
        out
    }

    /// The plain Adam step of parameter `self` in one kernel where the backend has one
    /// ([`Backend::adam_step`]): `Some((param, exp_avg, exp_avg_sq))`, the bits of the unfused ops; `None` where
    /// it has not (always on the CPU), and the caller runs the ops.
    ///
    /// # Panics
    /// When the four tensors do not share a shape, dtype and device.
    ///
    /// [`Backend::adam_step`]: crate::Backend::adam_step
    #[track_caller]
    #[cfg_attr(not(feature = "wgpu"), allow(unused_variables))] // `hyper` is for the GPU kernel only
    pub fn adam_step(
        &self,
        grad: &Tensor,
        exp_avg: &Tensor,
        exp_avg_sq: &Tensor,
        hyper: &crate::backend::AdamStep,
    ) -> Option<(Tensor, Tensor, Tensor)> {
        for other in [grad, exp_avg, exp_avg_sq] {
            check_same("adam_step", self, other);
            ensure!(
                self.shape() == other.shape(),
                "adam_step",
                "param {:?} and {:?}: the shapes differ",
                self.shape(),
                other.shape()
            );
        }
        match (&self.device, &*self.storage, &*grad.storage, &*exp_avg.storage, &*exp_avg_sq.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(g), Storage::Wgpu(m), Storage::Wgpu(v)) => {
                let (x, m, v) = be.adam_step(
                    (x, &self.layout),
                    (g, &grad.layout),
                    (m, &exp_avg.layout),
                    (v, &exp_avg_sq.layout),
                    hyper,
                )?;
                let wrap = |s| Tensor::from_storage(Storage::Wgpu(s), self.shape(), self.device.clone());
                Some((wrap(x), wrap(m), wrap(v)))
            }
            _ => None,
        }
    }
}
