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
pub trait Optimizer {
    /// Updates every parameter that has a gradient, once.
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
    fn set_lr(&mut self, lr: f64);

    /// The hyper-parameters and per-parameter buffers (momentum, moments, step counts).
    fn state_dict(&self) -> OptimizerState;

    /// Restores a state saved by [`Optimizer::state_dict`] of the same optimizer over parameters of the same
    /// shapes. Nothing changes when it fails.
    fn load_state_dict(&mut self, state: OptimizerState) -> Result<(), OptimizerError>;
}
