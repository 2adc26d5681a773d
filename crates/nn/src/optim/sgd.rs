//! [`SGD`]: stochastic gradient descent with momentum, dampening, Nesterov, weight decay and maximize, as
//! `torch.optim.SGD` (`_single_tensor_sgd`).

use std::collections::BTreeMap;

use autograd::Var;
use tensor::{SgdStep, Tensor};

use super::state::{OptimizerError, OptimizerState, ParamState, SavedTensor};
use super::{assert_grad_fits, assert_lr, check_non_negative, Optimizer};

/// The options of [`SGD`], PyTorch's names and defaults (`SgdConfig::new(lr)`: no momentum, no weight decay):
/// the tensor crate's [`SgdStep`], the options of the step kernel, under the name the optimizer gives them.
pub type SgdConfig = SgdStep;

/// What [`SGD::new`] refuses, as a sentence.
fn validate(c: &SgdConfig) -> Result<(), String> {
    check_non_negative("SGD", "learning rate", c.lr)?;
    check_non_negative("SGD", "momentum value", c.momentum)?;
    check_non_negative("SGD", "weight_decay value", c.weight_decay)?;
    if !c.dampening.is_finite() {
        return Err(format!("SGD: invalid dampening value {} (a finite number)", c.dampening));
    }
    if c.nesterov && !(c.momentum > 0.0 && c.dampening == 0.0) {
        return Err("SGD: Nesterov momentum requires a momentum and zero dampening".into());
    }
    Ok(())
}

/// Stochastic gradient descent. For each parameter `x` with gradient `g` ([`Tensor::sgd_step`], one kernel on
/// every device):
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
        if let Err(m) = validate(&config) {
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
        let h = self.config;
        // Every parameter with a gradient, in one call: one kernel per parameter, or per pair without momentum.
        let mut stepped = Vec::with_capacity(self.params.len());
        let mut steps = Vec::with_capacity(self.params.len());
        for (i, (p, buf)) in self.params.iter().zip(&self.momentum_buffers).enumerate() {
            let Some(grad) = p.grad() else { continue };
            let x = p.tensor();
            assert_grad_fits("SGD", i, &x, &grad);
            stepped.push(i);
            steps.push((x, grad, buf.clone()));
        }
        for (i, (x, buf)) in stepped.into_iter().zip(Tensor::sgd_step_many(&steps, &h)) {
            self.params[i].set_data(x);
            if buf.is_some() {
                self.momentum_buffers[i] = buf;
            }
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
        validate(&config).map_err(OptimizerError::Invalid)?;
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
