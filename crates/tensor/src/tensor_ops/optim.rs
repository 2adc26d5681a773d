//! Optimizer steps over a parameter, its gradient and its buffers (SGD; Adam and AdamW): one kernel per
//! parameter, or per pair of parameters, on every backend ([`Backend::sgd_step`], [`Backend::sgd_step_pair`],
//! [`Backend::adam_step`]). Each kernel computes the scalar step of [`crate::ops::optim`] on every element, which
//! is PyTorch's single-tensor update written with the element-wise ops; `crates/tensor/tests/optim_steps.rs`
//! holds every kernel to that composition of tensor ops, bit for bit.

use super::*;
use crate::ops::optim::{AdamStep, SgdStep};

/// Checks that a parameter is a float tensor and that every other operand of its step has its shape, dtype and
/// device.
#[track_caller]
fn check_step(op: &str, param: &Tensor, others: &[(&str, &Tensor)]) {
    ensure!(
        param.dtype.is_float(),
        op,
        "param {:?} has dtype {}: the optimizer steps update float tensors",
        param.shape(),
        param.dtype
    );
    for &(name, other) in others {
        check_same(op, param, other);
        ensure!(
            param.shape() == other.shape(),
            op,
            "param {:?} and {name} {:?}: the shapes differ",
            param.shape(),
            other.shape()
        );
    }
}

impl Tensor {
    /// One SGD step ([`sgd_step`](crate::ops::optim::sgd_step) on every element) of the parameter `self` with
    /// gradient `grad` and, with momentum, its momentum buffer (`None` before the first step; ignored without
    /// momentum): the new parameter and, when `h.momentum` is not 0, the new buffer. One kernel on every backend
    /// ([`Backend::sgd_step`]; where a backend has none, the CPU's on host copies).
    ///
    /// # Panics
    /// When `self` is not a float tensor, or `grad` or the buffer is not of its shape, dtype and device:
    /// `sgd_step: param [10, 2] and grad [2, 10]: the shapes differ`.
    #[track_caller]
    pub fn sgd_step(&self, grad: &Tensor, momentum_buffer: Option<&Tensor>, h: &SgdStep) -> (Tensor, Option<Tensor>) {
        let buffer = momentum_buffer.filter(|_| h.momentum != 0.0);
        let mut others = vec![("grad", grad)];
        others.extend(buffer.map(|b| ("momentum buffer", b)));
        check_step("sgd_step", self, &others);
        self.check_result("sgd_step", self.shape(), self.dtype);
        let (x, g, b) = (self.contiguous(), grad.contiguous(), buffer.map(Tensor::contiguous));
        let kernel = dispatch!(backend &self.device => |be, view, wrap| {
            be.sgd_step(view(&x), view(&g), b.as_ref().map(view), h).map(|(x, b)| (wrap(x), b.map(wrap)))
        });
        match kernel {
            Some((x, b)) => (self.new_like(x), b.map(|b| self.new_like(b))),
            None => {
                let (x, b) = self.to_cpu().sgd_step(&grad.to_cpu(), b.map(|b| b.to_cpu()).as_ref(), h);
                (x.to_device(&self.device), b.map(|b| b.to_device(&self.device)))
            }
        }
    }

    /// [`Tensor::sgd_step`] of several parameters, each `(param, grad, momentum buffer)`, in order. Without
    /// momentum, two at a time in one kernel where the backend has one ([`Backend::sgd_step_pair`]), else one by
    /// one — the same bits either way.
    ///
    /// # Panics
    /// As [`Tensor::sgd_step`], for each parameter.
    #[track_caller]
    pub fn sgd_step_many(steps: &[(Tensor, Tensor, Option<Tensor>)], h: &SgdStep) -> Vec<(Tensor, Option<Tensor>)> {
        let one = |(x, g, b): &(Tensor, Tensor, Option<Tensor>)| x.sgd_step(g, b.as_ref(), h);
        // With momentum there is no pair kernel; nor on the CPU, where one step is already one pass over the
        // elements with no launch to save.
        if h.momentum != 0.0 || steps.first().is_some_and(|(x, ..)| x.device.is_cpu()) {
            return steps.iter().map(one).collect();
        }
        let mut out = Vec::with_capacity(steps.len());
        let mut rest = steps;
        while let [first, second, tail @ ..] = rest {
            for (x, g, _) in [first, second] {
                check_step("sgd_step", x, &[("grad", g)]);
            }
            let (x, g, x2, g2) =
                (first.0.contiguous(), first.1.contiguous(), second.0.contiguous(), second.1.contiguous());
            let kernel = if x.device.same(&x2.device) {
                dispatch!(backend &x.device => |be, view, wrap| {
                    be.sgd_step_pair([view(&x), view(&g)], [view(&x2), view(&g2)], h).map(|(a, b)| (wrap(a), wrap(b)))
                })
            } else {
                None
            };
            match kernel {
                Some((a, b)) => {
                    out.push((first.0.new_like(a), None));
                    out.push((second.0.new_like(b), None));
                }
                None => {
                    out.push(one(first));
                    out.push(one(second));
                }
            }
            rest = tail;
        }
        out.extend(rest.iter().map(one));
        out
    }

    /// One Adam or AdamW step ([`adam_step`](crate::ops::optim::adam_step) on every element) of the parameter
    /// `self` with gradient `grad`, moments `exp_avg` and `exp_avg_sq` and, with amsgrad, `max_exp_avg_sq`:
    /// `(param, exp_avg, exp_avg_sq, max_exp_avg_sq)`, the last `Some` with amsgrad. One kernel on every backend
    /// ([`Backend::adam_step`]; where a backend has none, the CPU's on host copies).
    ///
    /// # Panics
    /// When `self` is not a float tensor, another operand is not of its shape, dtype and device, or
    /// `max_exp_avg_sq` is given without `h.amsgrad` or missing with it.
    #[track_caller]
    pub fn adam_step(
        &self,
        grad: &Tensor,
        exp_avg: &Tensor,
        exp_avg_sq: &Tensor,
        max_exp_avg_sq: Option<&Tensor>,
        h: &AdamStep,
    ) -> (Tensor, Tensor, Tensor, Option<Tensor>) {
        let mut others = vec![("grad", grad), ("exp_avg", exp_avg), ("exp_avg_sq", exp_avg_sq)];
        others.extend(max_exp_avg_sq.map(|b| ("max_exp_avg_sq", b)));
        check_step("adam_step", self, &others);
        ensure!(
            h.amsgrad == max_exp_avg_sq.is_some(),
            "adam_step",
            "param {:?}: amsgrad is {} but max_exp_avg_sq is {}",
            self.shape(),
            h.amsgrad,
            if max_exp_avg_sq.is_some() { "given" } else { "missing" }
        );
        let [x, g, m, v] = [self, grad, exp_avg, exp_avg_sq].map(Tensor::contiguous);
        let max = max_exp_avg_sq.map(Tensor::contiguous);
        let kernel = dispatch!(backend &self.device => |be, view, wrap| {
            be.adam_step(view(&x), view(&g), view(&m), view(&v), max.as_ref().map(view), h).map(|s| s.map(wrap))
        });
        let Some(s) = kernel else {
            let cpu = |t: &Tensor| t.to_cpu();
            let (x, m, v, max) =
                cpu(self).adam_step(&cpu(grad), &cpu(exp_avg), &cpu(exp_avg_sq), max.map(|t| cpu(&t)).as_ref(), h);
            let back = |t: Tensor| t.to_device(&self.device);
            return (back(x), back(m), back(v), max.map(back));
        };
        let s = s.map(|storage| self.new_like(storage));
        (s.param, s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq)
    }

    /// A tensor of this one's shape over a new contiguous storage on its device.
    fn new_like(&self, storage: Storage) -> Tensor {
        Tensor::from_storage(storage, self.shape(), self.device.clone())
    }

    /// This tensor on the CPU, where the optimizer steps fall back to when a backend has no kernel for them.
    fn to_cpu(&self) -> Tensor {
        let cpu = self.to_device(&Device::Cpu);
        assert!(!self.device.is_cpu(), "the CPU backend steps every contiguous float view");
        cpu
    }
}
