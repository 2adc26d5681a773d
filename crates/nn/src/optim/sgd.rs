//! [`SGD`]: stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize, as
//! `torch.optim.SGD` (`_single_tensor_sgd`).

use std::collections::BTreeMap;

use autograd::Var;
use tensor::ops::{binary, unary, Float};
use tensor::{BinaryOp, DType, Element, Tensor, UnaryOp};

use super::state::{OptimizerError, OptimizerState, ParamState, SavedTensor};
use super::{assert_grad_fits, assert_lr, check_non_negative, Optimizer};

/// The options of [`SGD`], PyTorch's names and defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SgdConfig {
    /// Learning rate.
    pub lr: f64,
    /// Momentum factor (0: none).
    pub momentum: f64,
    /// Dampening for momentum.
    pub dampening: f64,
    /// Nesterov momentum (needs momentum > 0 and dampening 0).
    pub nesterov: bool,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl SgdConfig {
    /// `SGD(params, lr=lr)`: no momentum, no weight decay.
    pub fn new(lr: f64) -> SgdConfig {
        SgdConfig { lr, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0, maximize: false }
    }

    /// What [`SGD::new`] refuses, as a sentence.
    fn validate(&self) -> Result<(), String> {
        check_non_negative("SGD", "learning rate", self.lr)?;
        check_non_negative("SGD", "momentum value", self.momentum)?;
        check_non_negative("SGD", "weight_decay value", self.weight_decay)?;
        if !self.dampening.is_finite() {
            return Err(format!("SGD: invalid dampening value {} (a finite number)", self.dampening));
        }
        if self.nesterov && !(self.momentum > 0.0 && self.dampening == 0.0) {
            return Err("SGD: Nesterov momentum requires a momentum and zero dampening".into());
        }
        Ok(())
    }
}

/// Stochastic gradient descent. For each parameter `x` with gradient `g`:
///
/// ```text
/// g ← -g                         if maximize
/// g ← g + weight_decay·x         if weight_decay ≠ 0
/// b ← g  (first step)  or  momentum·b + (1 - dampening)·g      if momentum ≠ 0
/// g ← g + momentum·b  (nesterov)  or  b
/// x ← x - lr·g
/// ```
pub struct SGD {
    params: Vec<Var>,
    config: SgdConfig,
    momentum_buffers: Vec<Option<Tensor>>,
}

impl SGD {
    /// An optimizer over `params` (usually `model.parameters()`).
    ///
    /// # Panics
    /// When `lr`, `momentum` or `weight_decay` is negative or not finite, `dampening` is not finite, or
    /// Nesterov is asked without momentum or with dampening (PyTorch raises the same errors, and accepts an
    /// infinite learning rate, which only ever gives non-finite parameters).
    #[track_caller]
    pub fn new(params: Vec<Var>, config: SgdConfig) -> SGD {
        if let Err(m) = config.validate() {
            super::invalid_hyperparameter(m);
        }
        let n = params.len();
        SGD { params, config, momentum_buffers: vec![None; n] }
    }

    /// The options.
    pub fn config(&self) -> &SgdConfig {
        &self.config
    }
}

impl Optimizer for SGD {
    fn step(&mut self) {
        let c = self.config;
        let plain = c.momentum == 0.0 && c.weight_decay == 0.0 && !c.maximize;
        if plain && self.params.first().is_some_and(|p| !p.device().is_cpu()) {
            // The plain step `x + grad·(-lr)` of every parameter with a gradient, two at a time in one kernel on
            // a GPU (`Tensor::sgd_step_many`): the same bits as `op_step`'s `sgd_step` one by one.
            let mut stepped = Vec::with_capacity(self.params.len());
            let mut pairs = Vec::with_capacity(self.params.len());
            for (i, p) in self.params.iter().enumerate() {
                let Some(grad) = p.grad() else { continue };
                let x = p.tensor();
                assert_grad_fits("SGD", i, &x, &grad);
                stepped.push(p);
                pairs.push((x, grad.contiguous()));
            }
            for (p, x) in stepped.into_iter().zip(Tensor::sgd_step_many(&pairs, c.lr)) {
                p.set_data(x);
            }
            return;
        }
        for (i, (p, buf)) in self.params.iter().zip(&mut self.momentum_buffers).enumerate() {
            let Some(grad) = p.grad() else { continue };
            let x = p.tensor();
            assert_grad_fits("SGD", i, &x, &grad);
            let fused = match x.dtype() {
                DType::F32 if x.device().is_cpu() => Some(fused_step::<f32>(&x, &grad, buf, &c)),
                DType::F64 if x.device().is_cpu() => Some(fused_step::<f64>(&x, &grad, buf, &c)),
                _ => None,
            };
            p.set_data(fused.unwrap_or_else(|| op_step(x, grad, buf, &c)));
        }
    }

    fn params(&self) -> &[Var] {
        &self.params
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }

    fn set_lr(&mut self, lr: f64) {
        assert_lr("SGD", lr);
        self.config.lr = lr;
    }

    fn state_dict(&self) -> OptimizerState {
        let c = self.config;
        let hyperparameters = BTreeMap::from([
            ("lr".to_string(), c.lr),
            ("momentum".to_string(), c.momentum),
            ("dampening".to_string(), c.dampening),
            ("nesterov".to_string(), c.nesterov as u8 as f64),
            ("weight_decay".to_string(), c.weight_decay),
            ("maximize".to_string(), c.maximize as u8 as f64),
        ]);
        let params = self
            .momentum_buffers
            .iter()
            .map(|b| ParamState {
                step: 0,
                buffers: b.iter().map(|b| ("momentum_buffer".to_string(), SavedTensor::from_tensor(b))).collect(),
            })
            .collect();
        OptimizerState { optimizer: "SGD".into(), hyperparameters, params }
    }

    fn load_state_dict(&mut self, state: OptimizerState) -> Result<(), OptimizerError> {
        let shapes: Vec<Vec<usize>> = self.params.iter().map(|p| p.shape()).collect();
        state.check("SGD", &shapes)?;
        let config = SgdConfig {
            lr: state.hyper("lr")?,
            momentum: state.hyper("momentum")?,
            dampening: state.hyper("dampening")?,
            nesterov: state.hyper("nesterov")? != 0.0,
            weight_decay: state.hyper("weight_decay")?,
            maximize: state.hyper("maximize")? != 0.0,
        };
        config.validate().map_err(OptimizerError::Invalid)?;
        let mut buffers = Vec::with_capacity(self.params.len());
        for (p, s) in self.params.iter().zip(&state.params) {
            buffers.push(match s.buffers.get("momentum_buffer") {
                Some(b) => Some(b.to_tensor(&p.device())?.to_dtype(p.dtype())),
                None => None,
            });
        }
        self.config = config;
        self.momentum_buffers = buffers;
        Ok(())
    }
}

/// `alpha·t`, skipping the multiplication when `alpha = 1` (as PyTorch's `add_(t, alpha=1)`).
pub(super) fn scaled(t: &Tensor, alpha: f64) -> Tensor {
    if alpha == 1.0 {
        t.clone()
    } else {
        t.mul_scalar(alpha)
    }
}

/// One update written with tensor ops (`_single_tensor_sgd` line for line); runs on any device.
fn op_step(x: Tensor, grad: Tensor, buf: &mut Option<Tensor>, c: &SgdConfig) -> Tensor {
    let mut g = if c.maximize { grad.neg() } else { grad };
    if c.weight_decay != 0.0 {
        // grad.add(param, alpha=weight_decay)
        g = g.add(&x.mul_scalar(c.weight_decay));
    }
    if c.momentum != 0.0 {
        // buf.mul_(momentum).add_(grad, alpha=1 - dampening), or a copy of the gradient at first
        let b = match buf.take() {
            None => g.clone(),
            Some(b) => b.mul_scalar(c.momentum).add(&scaled(&g, 1.0 - c.dampening)),
        };
        g = if c.nesterov { g.add(&b.mul_scalar(c.momentum)) } else { b.clone() };
        *buf = Some(b);
    }
    // param.add_(grad, alpha=-lr): `x.add(&g.mul_scalar(-lr))`, one kernel where the device has it
    x.sgd_step(&g.contiguous(), c.lr)
}

/// [`op_step`] fused into one pass over the elements, for CPU tensors: the same scalar ops
/// (`tensor::ops::unary` / `binary`, which every CPU kernel computes bit for bit for these exact ops) in the
/// same order, so the same bits.
fn fused_step<T: Float + Element>(x: &Tensor, grad: &Tensor, buf: &mut Option<Tensor>, c: &SgdConfig) -> Tensor {
    let aff = |mul: f64, v: T| unary(UnaryOp::Affine(mul, 0.0), v);
    let (shape, device) = (x.shape().to_vec(), x.device().clone());
    let (mut xs, gs) = (x.to_vec::<T>(), grad.to_vec::<T>());
    let old = buf.as_ref().map(|b| b.to_vec::<T>());
    let mut new_buf = Vec::with_capacity(if c.momentum != 0.0 { xs.len() } else { 0 });
    for i in 0..xs.len() {
        let mut g = if c.maximize { unary(UnaryOp::Neg, gs[i]) } else { gs[i] };
        if c.weight_decay != 0.0 {
            g = binary(BinaryOp::Add, g, aff(c.weight_decay, xs[i]));
        }
        if c.momentum != 0.0 {
            let b = match &old {
                None => g,
                Some(old) => {
                    // `scaled`: the gradient itself when 1 - dampening = 1
                    let sg = if 1.0 - c.dampening == 1.0 { g } else { aff(1.0 - c.dampening, g) };
                    binary(BinaryOp::Add, aff(c.momentum, old[i]), sg)
                }
            };
            g = if c.nesterov { binary(BinaryOp::Add, g, aff(c.momentum, b)) } else { b };
            new_buf.push(b);
        }
        xs[i] = binary(BinaryOp::Add, xs[i], aff(-c.lr, g));
    }
    if c.momentum != 0.0 {
        *buf = Some(Tensor::from_vec(new_buf, &shape, &device));
    }
    Tensor::from_vec(xs, &shape, &device)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused CPU update gives exactly the bits of the tensor-op update, for every option, in f32 and f64,
    /// over several steps (so the momentum buffer it writes is checked too).
    #[test]
    fn fused_step_matches_the_tensor_ops_bit_for_bit() {
        let values = |seed: u64| -> Vec<f64> {
            (0..15).map(|i| if i % 7 == 0 { -0.0 } else { ((seed * 31 + i * 17) % 23) as f64 / 7.0 - 1.5 }).collect()
        };
        for dtype in [DType::F32, DType::F64] {
            for (case, (momentum, dampening, nesterov, wd, maximize)) in [
                (0.0, 0.0, false, 0.0, false),
                (0.9, 0.0, false, 0.0, false),
                (0.9, 0.1, false, 0.01, true),
                (0.5, 0.0, true, 0.1, false),
            ]
            .into_iter()
            .enumerate()
            {
                let c = SgdConfig { lr: 0.1, momentum, dampening, nesterov, weight_decay: wd, maximize };
                let t = |seed: u64| Tensor::new(&values(seed), &[5, 3]).to_dtype(dtype);
                let (mut xf, mut xo) = (t(case as u64), t(case as u64));
                let (mut bf, mut bo) = (None, None);
                for step in 1..=3u64 {
                    let g = t(step + 10);
                    xf = match dtype {
                        DType::F32 => fused_step::<f32>(&xf, &g, &mut bf, &c),
                        _ => fused_step::<f64>(&xf, &g, &mut bf, &c),
                    };
                    xo = op_step(xo, g, &mut bo, &c);
                    let bits = |t: &Tensor| t.to_f64_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&xf), bits(&xo), "{dtype} case {case} step {step}: parameters");
                    assert_eq!(bf.as_ref().map(bits), bo.as_ref().map(bits), "{dtype} case {case} step {step}: buffer");
                }
            }
        }
    }
}
