//! `nn`: the composed API of tapegrad — layers, initialisation, losses, optimizers, metrics, checkpoints —
//! built only from `autograd` ops (no kernels of its own).
//!
//! Reading order:
//!
//! 1. [`generator`] — PyTorch's CPU random generator (MT19937) and `manual_seed`, bit for bit.
//! 2. [`init`] — `torch.nn.init`: gains, fans, `uniform_`, `kaiming_uniform_`, `nn.Linear`'s initial weights.
//! 3. [`module`] — the [`Module`] trait: parameters by PyTorch name, children, PyTorch's printing; the
//!    [`children!`] macro for custom models.
//! 4. [`layers`] — [`Linear`], [`ReLU`], [`Sigmoid`], [`Tanh`], [`Softmax`], [`Sequential`].
//! 5. [`loss`] — `BCEWithLogitsLoss`, `BCELoss`, `CrossEntropyLoss`, `NLLLoss`, `L1Loss`, `MSELoss`.
//! 6. [`optim`] — the [`Optimizer`] trait, `SGD`, `Adam`, `AdamW`, their saved state.
//! 7. [`metrics`] — accuracy, precision / recall / F1, confusion matrix, `classification_report` (scikit-learn).
//! 8. [`checkpoint`] — parameters to and from safetensors files under PyTorch's names.

pub mod checkpoint;
pub mod generator;
pub mod init;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod module;
pub mod optim;

pub use checkpoint::CheckpointError;
pub use generator::{manual_seed, with_default_generator, TorchGenerator};
pub use layers::{Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh};
pub use loss::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, Reduction};
pub use module::Module;
pub use optim::{Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, OptimizerState, SgdConfig, SGD};
