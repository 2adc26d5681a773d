//! tapegrad: a tensor and reverse-mode autograd engine written from scratch.
//!
//! This root crate only re-exports the three layers so that `use tapegrad::...` works:
//!
//! * [`tensor`] — backend primitives: tensors, layouts, the `Backend` trait, CPU and wgpu kernels;
//! * [`autograd`] — differentiable primitives: the tape, derivative rules, `gradcheck`;
//! * [`nn`] — the composed API: layers, losses, optimizers, metrics, checkpoints.
//!
//! Read them in that order.

pub use autograd;
pub use nn;
pub use tensor;
