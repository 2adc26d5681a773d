//! [`SGD`]: stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize, as
//! `torch.optim.SGD` (`_single_tensor_sgd`).

use std::collections::BTreeMap;

use autograd::Var;
use tensor::Tensor;

use super::state::{OptimizerError, OptimizerState, ParamState, SavedTensor};
use super::Optimizer;

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
    /// When `lr`, `momentum` or `weight_decay` is negative, or Nesterov is asked without momentum or with
    /// dampening (PyTorch raises the same errors).
    #[track_caller]
    pub fn new(params: Vec<Var>, config: SgdConfig) -> SGD {
        assert!(config.lr >= 0.0, "SGD: invalid learning rate {}", config.lr);
        assert!(config.momentum >= 0.0, "SGD: invalid momentum value {}", config.momentum);
        assert!(config.weight_decay >= 0.0, "SGD: invalid weight_decay value {}", config.weight_decay);
        assert!(
            !config.nesterov || (config.momentum > 0.0 && config.dampening == 0.0),
            "SGD: Nesterov momentum requires a momentum and zero dampening"
        );
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
        for (p, buf) in self.params.iter().zip(&mut self.momentum_buffers) {
            let Some(grad) = p.grad() else { continue };
            let x = p.tensor();
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
            // param.add_(grad, alpha=-lr)
            p.set_data(x.add(&g.mul_scalar(-c.lr)));
        }
    }

    fn params(&self) -> &[Var] {
        &self.params
    }

    fn lr(&self) -> f64 {
        self.config.lr
    }

    fn set_lr(&mut self, lr: f64) {
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
