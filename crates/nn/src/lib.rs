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
//! 8. [`checkpoint`] — `load_state_dict` in memory; parameters to and from safetensors files under PyTorch's names.
//! 9. [`atomic_file`] — how every file is written (atomically, durably, symlinks followed, special files refused)
//!    so that no save can lose data.
//!
//! Threads: [`manual_seed`] seeds one process-wide generator, as `torch.manual_seed`, so models built on several
//! threads at once interleave their draws. Build them with [`Linear::with_generator`] and a [`TorchGenerator`]
//! per thread (or under [`with_default_generator`]); see [the generator's doc](generator#threads).
//!
//! Misuse — a layer fed an input of the wrong width, a loss given targets of the wrong shape or dtype, an
//! optimizer given a NaN learning rate — panics at the caller's line (`#[track_caller]`, also through
//! [`Sequential`] and the [`Module`] and [`Optimizer`] traits) with a message naming the op and the shapes.
//! What the environment can break (files, checkpoints) returns errors that say what to do.

pub mod atomic_file;
pub mod checkpoint;
pub mod generator;
pub mod init;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod module;
pub mod optim;

pub use checkpoint::{CheckpointError, StateDictError};
pub use generator::{manual_seed, with_default_generator, TorchGenerator};
pub use layers::{Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh};
pub use loss::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, Reduction};
pub use module::Module;
pub use optim::{Adam, AdamConfig, AdamW, AdamWConfig, Optimizer, OptimizerState, SgdConfig, SGD};
