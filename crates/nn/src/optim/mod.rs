//! Optimizers: the [`Optimizer`] trait, [`SGD`], [`Adam`] and [`AdamW`], and their saved state
//! ([`OptimizerState`]).
//!
//! Each `step` reproduces the single-tensor (`foreach=False`) path of `torch.optim` — the one PyTorch runs on
//! the CPU — in the same operation order, with Python's scalars computed in f64 as Python does (so results agree
//! to f32 rounding; PyTorch's vectorised kernels may fuse a multiply-add where we round twice). A parameter
//! whose gradient is `None` is skipped, as in PyTorch. Updates are tensor ops on the values (nothing is
//! recorded for autograd) and replace each parameter's value with [`Var::set_data`], so every clone of the
//! parameter — the model's own — sees the new value.

mod adam;
mod sgd;
mod state;

pub use adam::{Adam, AdamConfig, AdamW, AdamWConfig};
pub use sgd::{SgdConfig, SGD};
pub use state::{OptimizerError, OptimizerState, ParamState, SavedTensor};

use autograd::Var;

/// What every optimizer does (`torch.optim.Optimizer`).
///
/// Hyper-parameters are checked where they enter — the constructors and [`Optimizer::set_lr`] panic at the
/// caller on a value PyTorch would refuse or that can only give non-finite parameters (a negative, NaN or
/// infinite learning rate...), [`Optimizer::load_state_dict`] returns an error for the same values.
pub trait Optimizer {
    /// Updates every parameter that has a gradient, once.
    ///
    /// # Panics
    /// When a parameter's gradient was set to another shape or dtype than the parameter's.
    #[track_caller]
    fn step(&mut self);

    /// Sets every parameter's gradient to `None` (PyTorch's default `set_to_none=True`).
    fn zero_grad(&mut self) {
        for p in self.params() {
            p.zero_grad();
        }
    }

    /// The parameters being optimized, in order.
    fn params(&self) -> &[Var];

    /// The learning rate.
    fn lr(&self) -> f64;

    /// Changes the learning rate (what a scheduler does).
    ///
    /// # Panics
    /// When `lr` is negative, NaN or infinite: `SGD: invalid learning rate NaN (a finite number >= 0)`.
    #[track_caller]
    fn set_lr(&mut self, lr: f64);

    /// The hyper-parameters and per-parameter buffers (momentum, moments, step counts).
    fn state_dict(&self) -> OptimizerState;

    /// Restores a state saved by [`Optimizer::state_dict`] of the same optimizer over parameters of the same
    /// shapes. Nothing changes when it fails.
    fn load_state_dict(&mut self, state: OptimizerState) -> Result<(), OptimizerError>;
}

/// `Err` with a sentence when `value` is not a finite number `>= 0`.
pub(crate) fn check_non_negative(optimizer: &str, what: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!("{optimizer}: invalid {what} {value} (a finite number >= 0)"))
    }
}

/// Panics at the caller with a message built by one of the checks.
#[cold]
#[track_caller]
pub(crate) fn invalid_hyperparameter(message: String) -> ! {
    panic!("{message}")
}

/// Checks a learning rate given to a constructor or [`Optimizer::set_lr`].
#[track_caller]
pub(crate) fn assert_lr(optimizer: &str, lr: f64) {
    if let Err(m) = check_non_negative(optimizer, "learning rate", lr) {
        invalid_hyperparameter(m);
    }
}

/// Panics at the caller when a parameter's gradient does not have its parameter's shape and dtype.
#[track_caller]
pub(crate) fn assert_grad_fits(optimizer: &str, i: usize, x: &tensor::Tensor, grad: &tensor::Tensor) {
    if grad.shape() != x.shape() || grad.dtype() != x.dtype() {
        invalid_hyperparameter(format!(
            "{optimizer}: parameter {i} is {:?} {} but its gradient is {:?} {}",
            x.shape(),
            x.dtype(),
            grad.shape(),
            grad.dtype()
        ));
    }
}
