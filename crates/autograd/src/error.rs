//! [`AutogradError`]: what `backward` can refuse to do, each with what to do instead.
//!
//! Shape and dtype mismatches in ops stay panics at the call site (programmer errors, see STYLE.md); these are
//! the mistakes that only show up when a backward pass is asked for.

use std::fmt;

/// Why a backward pass could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AutogradError {
    /// `backward()` on a result with more than one element and no upstream gradient.
    NonScalar { shape: Vec<usize> },
    /// The upstream gradient given to `backward_with` does not match the result.
    GradMismatch { expected: Vec<usize>, got: Vec<usize>, detail: String },
    /// `backward` on a result that requires no gradient (a constant, or computed under `no_grad`).
    NoGradRequired { id: usize, op: &'static str },
    /// The graph below node `id` was freed by an earlier backward.
    GraphFreed { id: usize, op: &'static str },
    /// Anomaly mode: the backward rule of `op` (node `id`) returned NaN or ±∞ for its input `input`.
    Anomaly { id: usize, op: &'static str, input: usize },
    /// A custom rule returned the wrong number of gradients.
    CustomRule { op: &'static str, expected: usize, got: usize },
}

impl fmt::Display for AutogradError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AutogradError::NonScalar { shape } => write!(
                f,
                "backward() needs a scalar result but this one has shape {shape:?}: reduce it first (e.g. .mean()) \
                 or call backward_with(Some(&grad), ..) with a gradient of that shape"
            ),
            AutogradError::GradMismatch { expected, got, detail } => write!(
                f,
                "backward_with: the gradient {got:?} does not match the result {expected:?} ({detail}): pass a \
                 gradient of the result's shape and dtype"
            ),
            AutogradError::NoGradRequired { id, op } => write!(
                f,
                "backward on node #{id} ({op}), which requires no gradient: no input of its graph is a leaf made \
                 with Var::leaf, or it was computed inside no_grad"
            ),
            AutogradError::GraphFreed { id, op } => write!(
                f,
                "the graph was freed at node #{id} ({op}) by an earlier backward: pass keep_graph = true to the \
                 first backward (backward_with(None, true)) to run backward through it again, or recompute the forward"
            ),
            AutogradError::Anomaly { id, op, input } => write!(
                f,
                "anomaly: the backward of {op} (node #{id}) produced a non-finite gradient (NaN or ±inf) for its \
                 input {input}"
            ),
            AutogradError::CustomRule { op, expected, got } => write!(
                f,
                "the rule of custom op {op} returned {got} gradients for {expected} inputs: return one per input"
            ),
        }
    }
}

impl std::error::Error for AutogradError {}
