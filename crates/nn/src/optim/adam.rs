//! [`Adam`] and [`AdamW`], as `torch.optim.Adam` / `torch.optim.AdamW` (`_single_tensor_adam`; AdamW is Adam
//! with decoupled weight decay).

use std::collections::BTreeMap;

use autograd::Var;
use tensor::{AdamStep, Tensor};

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

/// Adam. For each parameter `x` with gradient `g`, at its step `t` (from 1) ([`Tensor::adam_step`], one kernel on
/// every device):
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
            let h = AdamStep {
                weight_decay: self.weight_decay,
                decoupled_weight_decay: self.decoupled,
                amsgrad: s.max_exp_avg_sq.is_some(),
                maximize: self.maximize,
                ..AdamStep::new(self.lr, self.betas, self.eps, s.step)
            };
            let (x, m, v, max) = x.adam_step(&grad, &s.exp_avg, &s.exp_avg_sq, s.max_exp_avg_sq.as_ref(), &h);
            (s.exp_avg, s.exp_avg_sq, s.max_exp_avg_sq) = (m, v, max);
            p.set_data(x);
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
