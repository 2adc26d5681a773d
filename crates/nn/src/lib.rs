//! `nn`: the composed API of tapegrad — layers, initialisation, losses, optimizers, metrics, checkpoints —
//! built only from `autograd` ops (no kernels of its own).
//!
//! Reading order:
//!
//! 1. [`generator`] — PyTorch's CPU random generator (MT19937) and `manual_seed`, bit for bit.
//! 2. [`init`] — `torch.nn.init`: gains, fans, `uniform_`, `kaiming_uniform_`, `nn.Linear`'s initial weights.

pub mod generator;
pub mod init;

pub use generator::{manual_seed, with_default_generator, TorchGenerator};
