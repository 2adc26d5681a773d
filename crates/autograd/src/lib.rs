//! `autograd`: reverse-mode automatic differentiation over [`tensor::Tensor`]s — the middle layer of tapegrad.
//!
//! A [`Var`] wraps a tensor. Ops on `Var`s compute their value with the tensor op and, when some input requires
//! a gradient, record a node: which primitive `Op` made it, what its derivative rule needs, and links to
//! its inputs. [`Var::backward`] walks those links from the result back to the parameters, applying each rule.
//!
//! Reading order:
//!
//! 1. `op.rs` — the differentiable primitives, one enum, then the fused compositions (one kernel standing for
//!    several primitives); each variant names what it saves for backward.
//! 2. `rules.rs` — every derivative rule, one arm per variant, written with forward tensor ops.
//! 3. `engine.rs` — the backward walk: topological order, reversed, gradients summed in a store by node id.
//! 4. `var.rs` — [`Var`] and its graph node; recording; the iterative drop of long chains.
//! 5. `var_ops.rs` — the `Var` API: primitives (value + record); `var_ops/fused.rs` the fused ops;
//!    `var_ops/composed.rs` the composed ops (no rules) and the operators; `var_torch.rs` — PyTorch's names for the
//!    rest of a training loop (`item`, `round`, `argmax`, comparisons, `to`, `backward()` / `try_backward()`) and
//!    printing as PyTorch (`grad_fn=<AddmmBackward0>`).
//!
//!    Naming rule, for `Var` as for `Tensor`: a PyTorch method keeps its name and takes PyTorch's positional
//!    arguments; `keepdim=True` is a `_keepdim` suffix; the one-dim form of a method whose bare form reduces
//!    everything is `_dim` (`sum()`, `sum_dim(1)`, `sum_keepdim(1)`).
//! 6. [`grad_mode`] — [`no_grad`], [`NoGradGuard`], anomaly mode.
//! 7. [`error`] — [`AutogradError`], whose messages say what to do.
//! 8. `graph.rs` — [`Var::graph_text`] and [`Var::graph_dot`], to look at a graph.
//! 9. [`gradcheck()`](gradcheck::gradcheck) — finite-difference checking of any rule.
//!
//! ```
//! use autograd::Var;
//! use tensor::Tensor;
//! // One step of logistic regression: loss = mean(bce(x @ w + b, y)).
//! let x = Var::constant(Tensor::new(&[1.0f32, 2.0, -1.0, 0.5], &[2, 2]));
//! let y = Var::constant(Tensor::new(&[1.0f32, 0.0], &[2, 1]));
//! let w = Var::leaf(Tensor::new(&[0.1f32, -0.2], &[2, 1]));
//! let b = Var::leaf(Tensor::new(&[0.0f32], &[1]));
//! let loss = (x.matmul(&w) + &b).bce_with_logits(&y).mean();
//! loss.backward();
//! assert_eq!(w.grad().unwrap().shape(), &[2, 1]);
//! assert_eq!(b.grad().unwrap().shape(), &[1]); // the broadcast over the batch was summed back
//! ```

mod engine;
pub mod error;
pub mod grad_mode;
pub mod gradcheck;
mod graph;
mod op;
mod rules;
mod var;
mod var_ops;
mod var_torch;

pub use error::AutogradError;
pub use grad_mode::{detect_anomaly, is_anomaly_enabled, is_grad_enabled, no_grad, set_anomaly_mode, NoGradGuard};
pub use gradcheck::{gradcheck, GradcheckError, GradcheckMode, GradcheckOptions, GradcheckReport, Probe};
pub use op::CustomRule;
pub use var::Var;
