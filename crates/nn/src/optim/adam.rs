//! [`Adam`] and [`AdamW`], as `torch.optim.Adam` / `torch.optim.AdamW` (`_single_tensor_adam`; AdamW is Adam
//! with decoupled weight decay).

use std::collections::BTreeMap;

use autograd::Var;
use tensor::ops::{binary, unary, Float};
use tensor::{BinaryOp, DType, Element, Tensor, UnaryOp};

use super::state::{OptimizerError, OptimizerState, ParamState, SavedTensor};
use super::{assert_grad_fits, assert_lr, check_non_negative, invalid_hyperparameter, Optimizer};

/// The options of [`Adam`], PyTorch's names and defaults (`AdamConfig::default()`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamConfig {
    /// Learning rate (1e-3).
    pub lr: f64,
    /// Decay rates of the first and second moment estimates ((0.9, 0.999)).
    pub betas: (f64, f64),
    /// Added to the denominator for stability (1e-8).
    pub eps: f64,
    /// L2 penalty added to the gradient (0).
    pub weight_decay: f64,
    /// Use the maximum of past second moments (AMSGrad).
    pub amsgrad: bool,
    /// Maximize the objective instead of minimizing it.
    pub maximize: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.0, amsgrad: false, maximize: false }
    }
}

impl AdamConfig {
    /// The defaults with learning rate `lr`.
    pub fn new(lr: f64) -> AdamConfig {
        AdamConfig { lr, ..AdamConfig::default() }
    }
}

/// The options of [`AdamW`]: as [`AdamConfig`], but the weight decay (default 1e-2) is decoupled — the
/// parameter shrinks by `lr·weight_decay` before the Adam update instead of the penalty entering the gradient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamWConfig {
    /// Learning rate (1e-3).
    pub lr: f64,
    /// Decay rates of the moment estimates ((0.9, 0.999)).
    pub betas: (f64, f64),
    /// Added to the denominator (1e-8).
    pub eps: f64,
    /// Decoupled weight decay (1e-2).
    pub weight_decay: f64,
    /// AMSGrad.
    pub amsgrad: bool,
    /// Maximize the objective.
    pub maximize: bool,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        AdamWConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false }
    }
}

impl AdamWConfig {
    /// The defaults with learning rate `lr`.
    pub fn new(lr: f64) -> AdamWConfig {
        AdamWConfig { lr, ..AdamWConfig::default() }
    }
}

/// Adam. For each parameter `x` with gradient `g`, at its step `t` (from 1):
///
/// ```text
/// g ← -g                                   if maximize
/// x ← x·(1 - lr·wd)                        if wd ≠ 0 and decoupled (AdamW)
/// g ← g + wd·x                             if wd ≠ 0 otherwise (Adam)
/// m ← lerp(m, g, 1 - β1)                   first moment
/// v ← β2·v + (1 - β2)·g·g                  second moment
/// step_size = lr / (1 - β1^t)              bias corrections, in f64 as Python computes them
/// v̂ = max(v̂, v) if amsgrad, else v
/// denom = √v̂ / √(1 - β2^t) + eps
/// x ← x + (-step_size·m) / denom
/// ```
pub struct Adam {
    core: AdamCore,
}

/// AdamW: [`Adam`] with decoupled weight decay (see [`AdamWConfig`]).
pub struct AdamW {
    core: AdamCore,
}

impl Adam {
    /// An optimizer over `params`.
    ///
    /// # Panics
    /// On a negative or non-finite learning rate, eps or weight decay, or betas outside `[0, 1)` (as PyTorch,
    /// which also accepts infinite values that only ever give non-finite parameters).
    #[track_caller]
    pub fn new(params: Vec<Var>, config: AdamConfig) -> Adam {
        let c = config;
        Adam { core: AdamCore::new("Adam", params, c.lr, c.betas, c.eps, c.weight_decay, c.amsgrad, c.maximize, false) }
    }
}

impl AdamW {
    /// An optimizer over `params`.
    ///
    /// # Panics
    /// As [`Adam::new`].
    #[track_caller]
    pub fn new(params: Vec<Var>, config: AdamWConfig) -> AdamW {
        let c = config;
        AdamW {
            core: AdamCore::new("AdamW", params, c.lr, c.betas, c.eps, c.weight_decay, c.amsgrad, c.maximize, true),
        }
    }
}

/// The moments of one parameter (created at its first update).
#[derive(Clone)]
struct Moments {
    step: u64,
    exp_avg: Tensor,
    exp_avg_sq: Tensor,
    max_exp_avg_sq: Option<Tensor>,
}

/// What Adam and AdamW share: everything but the name and whether the decay is decoupled.
struct AdamCore {
    name: &'static str,
    params: Vec<Var>,
    lr: f64,
    betas: (f64, f64),
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    maximize: bool,
    decoupled: bool,
    state: Vec<Option<Moments>>,
}

impl AdamCore {
    #[track_caller]
    fn new(
        name: &'static str,
        params: Vec<Var>,
        lr: f64,
        betas: (f64, f64),
        eps: f64,
        weight_decay: f64,
        amsgrad: bool,
        maximize: bool,
        decoupled: bool,
    ) -> AdamCore {
        if let Err(m) = validate(name, lr, betas, eps, weight_decay) {
            invalid_hyperparameter(m);
        }
        let n = params.len();
        AdamCore { name, params, lr, betas, eps, weight_decay, amsgrad, maximize, decoupled, state: vec![None; n] }
    }

    #[track_caller]
    fn step(&mut self) {
        let (beta1, beta2) = self.betas;
        for (i, (p, state)) in self.params.iter().zip(&mut self.state).enumerate() {
            let Some(grad) = p.grad() else { continue };
            let x = p.tensor();
            assert_grad_fits(self.name, i, &x, &grad);
            let s = state.get_or_insert_with(|| Moments {
                step: 0,
                exp_avg: x.zeros_like(),
                exp_avg_sq: x.zeros_like(),
                max_exp_avg_sq: self.amsgrad.then(|| x.zeros_like()),
            });
            s.step += 1;
            // The bias corrections are Python floats: f64, with Python's `**` (the C library's pow).
            let t = s.step as f64;
            let bias_correction1 = 1.0 - beta1.powf(t);
            let bias_correction2 = 1.0 - beta2.powf(t);
            let h = Hyper {
                lr: self.lr,
                beta1,
                beta2,
                eps: self.eps,
                weight_decay: self.weight_decay,
                decoupled: self.decoupled,
                maximize: self.maximize,
                step_size: self.lr / bias_correction1,
                bias_correction2_sqrt: bias_correction2.powf(0.5),
            };
            let fused = match x.dtype() {
                DType::F32 if x.device().is_cpu() => Some(fused_step::<f32>(&x, &grad, s, &h)),
                DType::F64 if x.device().is_cpu() => Some(fused_step::<f64>(&x, &grad, s, &h)),
                _ => None,
            };
            p.set_data(fused.unwrap_or_else(|| op_step(x, grad, s, &h)));
        }
    }

    fn state_dict(&self) -> OptimizerState {
        let hyperparameters = BTreeMap::from([
            ("lr".to_string(), self.lr),
            ("beta1".to_string(), self.betas.0),
            ("beta2".to_string(), self.betas.1),
            ("eps".to_string(), self.eps),
            ("weight_decay".to_string(), self.weight_decay),
            ("amsgrad".to_string(), self.amsgrad as u8 as f64),
            ("maximize".to_string(), self.maximize as u8 as f64),
        ]);
        let params = self
            .state
            .iter()
            .map(|s| match s {
                None => ParamState::default(),
                Some(m) => {
                    let mut buffers = BTreeMap::from([
                        ("exp_avg".to_string(), SavedTensor::from_tensor(&m.exp_avg)),
                        ("exp_avg_sq".to_string(), SavedTensor::from_tensor(&m.exp_avg_sq)),
                    ]);
                    if let Some(max) = &m.max_exp_avg_sq {
                        buffers.insert("max_exp_avg_sq".to_string(), SavedTensor::from_tensor(max));
                    }
                    ParamState { step: m.step, buffers }
                }
            })
            .collect();
        OptimizerState { optimizer: self.name.to_string(), hyperparameters, params }
    }

    fn load_state_dict(&mut self, state: OptimizerState) -> Result<(), OptimizerError> {
        let shapes: Vec<Vec<usize>> = self.params.iter().map(|p| p.shape()).collect();
        state.check(self.name, &shapes)?;
        let amsgrad = state.hyper("amsgrad")? != 0.0;
        let mut moments = Vec::with_capacity(self.params.len());
        for (i, (p, s)) in self.params.iter().zip(&state.params).enumerate() {
            if s.buffers.is_empty() {
                moments.push(None);
                continue;
            }
            let get = |name: &str| -> Result<Tensor, OptimizerError> {
                let b = s
                    .buffers
                    .get(name)
                    .ok_or_else(|| OptimizerError::Invalid(format!("parameter {i} has moments but no `{name}`")))?;
                Ok(b.to_tensor(&p.device())?.to_dtype(p.dtype()))
            };
            moments.push(Some(Moments {
                step: s.step,
                exp_avg: get("exp_avg")?,
                exp_avg_sq: get("exp_avg_sq")?,
                max_exp_avg_sq: if amsgrad { Some(get("max_exp_avg_sq")?) } else { None },
            }));
        }
        let (lr, betas, eps, weight_decay) = (
            state.hyper("lr")?,
            (state.hyper("beta1")?, state.hyper("beta2")?),
            state.hyper("eps")?,
            state.hyper("weight_decay")?,
        );
        validate(self.name, lr, betas, eps, weight_decay).map_err(OptimizerError::Invalid)?;
        (self.lr, self.betas, self.eps, self.weight_decay) = (lr, betas, eps, weight_decay);
        self.amsgrad = amsgrad;
        self.maximize = state.hyper("maximize")? != 0.0;
        self.state = moments;
        Ok(())
    }
}

/// What the constructors refuse, as a sentence.
fn validate(name: &str, lr: f64, betas: (f64, f64), eps: f64, weight_decay: f64) -> Result<(), String> {
    check_non_negative(name, "learning rate", lr)?;
    check_non_negative(name, "epsilon value", eps)?;
    for (i, beta) in [betas.0, betas.1].into_iter().enumerate() {
        if !(0.0..1.0).contains(&beta) {
            return Err(format!("{name}: invalid beta parameter at index {i}: {beta} (a number in [0, 1))"));
        }
    }
    check_non_negative(name, "weight_decay value", weight_decay)
}

/// The scalars of one update.
struct Hyper {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    maximize: bool,
    step_size: f64,
    bias_correction2_sqrt: f64,
}

/// One update written with tensor ops (`_single_tensor_adam` line for line); runs on any device. Returns the
/// new parameter and updates the moments.
fn op_step(mut x: Tensor, grad: Tensor, s: &mut Moments, h: &Hyper) -> Tensor {
    if !h.maximize && h.weight_decay == 0.0 && s.max_exp_avg_sq.is_none() {
        // The plain step: one kernel where the device has one (the same bits as the ops below).
        let plain = tensor::AdamStep {
            beta1: h.beta1,
            beta2: h.beta2,
            eps: h.eps,
            step_size: h.step_size,
            bias_correction2_sqrt: h.bias_correction2_sqrt,
        };
        let g = grad.contiguous();
        if let Some((x, m, v)) = x.adam_step(&g, &s.exp_avg, &s.exp_avg_sq, &plain) {
            (s.exp_avg, s.exp_avg_sq) = (m, v);
            return x;
        }
    }
    let mut g = if h.maximize { grad.neg() } else { grad };
    if h.weight_decay != 0.0 {
        if h.decoupled {
            // param.mul_(1 - lr * weight_decay)
            x = x.mul_scalar(1.0 - h.lr * h.weight_decay);
        } else {
            // grad.add(param, alpha=weight_decay)
            g = g.add(&x.mul_scalar(h.weight_decay));
        }
    }
    // exp_avg.lerp_(grad, 1 - beta1)
    s.exp_avg = lerp(&s.exp_avg, &g, 1.0 - h.beta1);
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    s.exp_avg_sq = s.exp_avg_sq.mul_scalar(h.beta2).add(&g.mul_scalar(1.0 - h.beta2).mul(&g));
    let second = match &mut s.max_exp_avg_sq {
        Some(max) => {
            *max = max.maximum(&s.exp_avg_sq);
            max.clone()
        }
        None => s.exp_avg_sq.clone(),
    };
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    let denom = second.sqrt().div_scalar(h.bias_correction2_sqrt).add_scalar(h.eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size): x + (-step_size·m) / denom
    x.add(&s.exp_avg.mul_scalar(-h.step_size).div(&denom))
}

/// [`op_step`] fused into one pass over the elements, for CPU tensors: the same scalar ops
/// (`tensor::ops::unary` / `binary`, which every CPU kernel computes bit for bit for these exact ops) in the
/// same order, so the same bits — without the dozen tensors `op_step` allocates per parameter.
fn fused_step<T: Float + Element>(x: &Tensor, grad: &Tensor, s: &mut Moments, h: &Hyper) -> Tensor {
    use BinaryOp::{Add, Div, Maximum, Mul, Sub};
    let aff = |mul: f64, add: f64, v: T| unary(UnaryOp::Affine(mul, add), v);
    let (shape, device) = (x.shape().to_vec(), x.device().clone());
    let (mut xs, gs) = (x.to_vec::<T>(), grad.to_vec::<T>());
    let (mut m, mut v) = (s.exp_avg.to_vec::<T>(), s.exp_avg_sq.to_vec::<T>());
    let mut max = s.max_exp_avg_sq.as_ref().map(|t| t.to_vec::<T>());
    let w = 1.0 - h.beta1;
    let bc2 = T::of(h.bias_correction2_sqrt);
    for i in 0..xs.len() {
        let mut g = if h.maximize { unary(UnaryOp::Neg, gs[i]) } else { gs[i] };
        if h.weight_decay != 0.0 {
            if h.decoupled {
                xs[i] = aff(1.0 - h.lr * h.weight_decay, 0.0, xs[i]);
            } else {
                g = binary(Add, g, aff(h.weight_decay, 0.0, xs[i]));
            }
        }
        // lerp, as `lerp` below
        let diff = binary(Sub, g, m[i]);
        m[i] =
            if w.abs() < 0.5 { binary(Add, m[i], aff(w, 0.0, diff)) } else { binary(Sub, g, aff(1.0 - w, 0.0, diff)) };
        v[i] = binary(Add, aff(h.beta2, 0.0, v[i]), binary(Mul, aff(1.0 - h.beta2, 0.0, g), g));
        let second = match &mut max {
            Some(max) => {
                max[i] = binary(Maximum, max[i], v[i]);
                max[i]
            }
            None => v[i],
        };
        let denom = aff(1.0, h.eps, binary(Div, unary(UnaryOp::Sqrt, second), bc2));
        xs[i] = binary(Add, xs[i], binary(Div, aff(-h.step_size, 0.0, m[i]), denom));
    }
    s.exp_avg = Tensor::from_vec(m, &shape, &device);
    s.exp_avg_sq = Tensor::from_vec(v, &shape, &device);
    if let Some(max) = max {
        s.max_exp_avg_sq = Some(Tensor::from_vec(max, &shape, &device));
    }
    Tensor::from_vec(xs, &shape, &device)
}

/// `torch.lerp(start, end, w)` as aten computes it: `start + w·(end - start)` for `|w| < 0.5`, else
/// `end - (end - start)·(1 - w)` (exact at both ends).
fn lerp(start: &Tensor, end: &Tensor, w: f64) -> Tensor {
    let diff = end.sub(start);
    if w.abs() < 0.5 {
        start.add(&diff.mul_scalar(w))
    } else {
        end.sub(&diff.mul_scalar(1.0 - w))
    }
}

macro_rules! delegate_optimizer {
    ($t:ty) => {
        impl Optimizer for $t {
            fn step(&mut self) {
                self.core.step()
            }
            fn params(&self) -> &[Var] {
                &self.core.params
            }
            fn lr(&self) -> f64 {
                self.core.lr
            }
            fn set_lr(&mut self, lr: f64) {
                assert_lr(self.core.name, lr);
                self.core.lr = lr;
            }
            fn state_dict(&self) -> OptimizerState {
                self.core.state_dict()
            }
            fn load_state_dict(&mut self, state: OptimizerState) -> Result<(), OptimizerError> {
                self.core.load_state_dict(state)
            }
        }
    };
}
delegate_optimizer!(Adam);
delegate_optimizer!(AdamW);

#[cfg(test)]
mod tests {
    use super::*;
    use tensor::Device;

    /// A deterministic spread of values, signed zeros and both signs included.
    fn values(seed: u64, n: usize) -> Vec<f64> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match i % 11 {
                    0 => 0.0,
                    1 => -0.0,
                    _ => ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((x % 7) as i32 - 4),
                }
            })
            .collect()
    }

    /// The fused CPU update gives exactly the bits of the tensor-op update, for every option, in f32 and f64,
    /// over several steps (so the moments it writes are checked too).
    #[test]
    fn fused_step_matches_the_tensor_ops_bit_for_bit() {
        let shape = [7, 3];
        for dtype in [DType::F32, DType::F64] {
            for (case, (wd, decoupled, amsgrad, maximize, beta1)) in [
                (0.0, false, false, false, 0.9),
                (0.1, false, true, false, 0.9),
                (0.01, true, false, true, 0.3),
                (0.05, true, true, true, 0.6),
            ]
            .into_iter()
            .enumerate()
            {
                let t = |seed: u64| Tensor::new(&values(seed, 21), &shape).to_dtype(dtype);
                let zeros = || Moments {
                    step: 0,
                    exp_avg: t(0).zeros_like(),
                    exp_avg_sq: t(0).zeros_like(),
                    max_exp_avg_sq: amsgrad.then(|| t(0).zeros_like()),
                };
                let (mut sf, mut so) = (zeros(), zeros());
                let (mut xf, mut xo) = (t(case as u64 + 1), t(case as u64 + 1));
                for step in 1..=4u64 {
                    let g = t(step * 31 + case as u64);
                    let h = Hyper {
                        lr: 0.02,
                        beta1,
                        beta2: 0.999,
                        eps: 1e-8,
                        weight_decay: wd,
                        decoupled,
                        maximize,
                        step_size: 0.02 / (1.0 - beta1.powf(step as f64)),
                        bias_correction2_sqrt: (1.0 - 0.999f64.powf(step as f64)).powf(0.5),
                    };
                    xf = match dtype {
                        DType::F32 => fused_step::<f32>(&xf, &g, &mut sf, &h),
                        _ => fused_step::<f64>(&xf, &g, &mut sf, &h),
                    };
                    xo = op_step(xo, g, &mut so, &h);
                    let bits = |t: &Tensor| t.to_f64_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    let what = format!("{dtype} case {case} step {step}");
                    assert_eq!(bits(&xf), bits(&xo), "{what}: parameters");
                    assert_eq!(bits(&sf.exp_avg), bits(&so.exp_avg), "{what}: exp_avg");
                    assert_eq!(bits(&sf.exp_avg_sq), bits(&so.exp_avg_sq), "{what}: exp_avg_sq");
                    if amsgrad {
                        let (a, b) = (sf.max_exp_avg_sq.as_ref().unwrap(), so.max_exp_avg_sq.as_ref().unwrap());
                        assert_eq!(bits(a), bits(b), "{what}: max_exp_avg_sq");
                    }
                }
                assert!(xf.device().is_cpu() && Device::Cpu.is_cpu());
            }
        }
    }
}
