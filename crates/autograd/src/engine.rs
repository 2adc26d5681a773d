//! The backward pass: walk the graph from the result to the leaves, applying each node's rule once.
//!
//! 1. **Order.** Collect every node that requires a gradient and can be reached from the result (an explicit
//!    stack, no recursion: a 100,000-op chain is fine). Node ids grow in creation order and an op's inputs exist
//!    before its output, so sorting by decreasing id is a topological order: every node comes after all the
//!    nodes that use it.
//! 2. **Walk.** In that order, take the node's gradient from the store (complete by now: all its users were
//!    processed), hand it to its rule (`rules.rs`), and add the input gradients into the store, keyed by node id.
//!    This is the only place where gradients are accumulated.
//! 3. **Leaves** add their gradient to `Var::grad` (accumulating across backward calls until `zero_grad`);
//!    intermediate gradients are dropped. Unless `keep_graph`, each node's op — with its saved tensors — and its
//!    input links are released as soon as its rule has run.

use std::collections::{HashMap, HashSet};

use tensor::hash::BuildIntHasher;
use tensor::Tensor;

use crate::error::AutogradError;
use crate::grad_mode::{has_non_finite, is_anomaly_enabled};
use crate::rules;
use crate::var::{lock, Var};

/// Runs the backward pass from `root` with upstream gradient `grad` (`None`: 1 for a one-element result).
pub(crate) fn backward(root: &Var, grad: Option<&Tensor>, keep_graph: bool) -> Result<(), AutogradError> {
    let seed = seed_gradient(root, grad)?;

    // 1. Every node that needs a gradient, outputs before inputs.
    let mut order = vec![root.clone()];
    let mut seen: IdSet = HashSet::default();
    seen.insert(root.id());
    let mut stack = vec![root.clone()];
    while let Some(var) = stack.pop() {
        let grad_fn = lock(&var.0.grad_fn);
        let Some(f) = grad_fn.as_ref() else {
            if var.0.has_grad_fn {
                return Err(AutogradError::GraphFreed { id: var.id(), op: var.op_name() });
            }
            continue;
        };
        for input in &f.inputs {
            if input.requires_grad() && seen.insert(input.id()) {
                order.push(input.clone());
                stack.push(input.clone());
            }
        }
    }
    order.sort_unstable_by_key(|v| std::cmp::Reverse(v.id()));

    // 2. The walk. `grads[id]` is ∂root/∂node, summed over every path reached so far.
    let mut grads: HashMap<usize, Tensor, BuildIntHasher> = HashMap::default();
    grads.insert(root.id(), seed);
    for var in &order {
        let Some(g) = grads.remove(&var.id()) else { continue };
        if var.is_leaf() {
            // 3. A parameter: keep its gradient, adding to what earlier backward calls left.
            let mut slot = lock(&var.0.grad);
            *slot = Some(match slot.take() {
                Some(old) => old.add(&g),
                None => g.contiguous(),
            });
            continue;
        }
        let mut slot = lock(&var.0.grad_fn);
        let f = slot.as_ref().ok_or(AutogradError::GraphFreed { id: var.id(), op: var.op_name() })?;
        let needs: Vec<bool> = f.inputs.iter().map(Var::requires_grad).collect();
        let input_grads = rules::backward(&f.op, &g, &needs);
        if input_grads.len() != f.inputs.len() {
            return Err(AutogradError::CustomRule {
                op: var.op_name(),
                expected: f.inputs.len(),
                got: input_grads.len(),
            });
        }
        for (i, (input, input_grad)) in f.inputs.iter().zip(input_grads).enumerate() {
            let Some(input_grad) = input_grad.filter(|_| input.requires_grad()) else { continue };
            if is_anomaly_enabled() && has_non_finite(&input_grad) {
                return Err(AutogradError::Anomaly { id: var.id(), op: var.op_name(), input: i });
            }
            match grads.get_mut(&input.id()) {
                Some(sum) => *sum = sum.add(&input_grad),
                None => {
                    grads.insert(input.id(), input_grad);
                }
            }
        }
        if !keep_graph {
            *slot = None; // free the saved tensors and the links to the inputs
        }
    }
    Ok(())
}

/// Node ids are distinct integers: hashed with one multiply (SipHash cost more than the rest of a node's
/// bookkeeping).
type IdSet = HashSet<usize, BuildIntHasher>;

/// The gradient the walk starts from: the given one (checked against the result), or 1 for a scalar.
fn seed_gradient(root: &Var, grad: Option<&Tensor>) -> Result<Tensor, AutogradError> {
    if !root.requires_grad() {
        return Err(AutogradError::NoGradRequired { id: root.id(), op: root.op_name() });
    }
    let value = root.tensor();
    match grad {
        None if value.numel() == 1 => Ok(value.ones_like()),
        None => Err(AutogradError::NonScalar { shape: value.shape().to_vec() }),
        Some(g) => {
            let detail = if g.shape() != value.shape() {
                "shapes differ".to_string()
            } else if g.dtype() != value.dtype() {
                format!("dtype {} instead of {}", g.dtype(), value.dtype())
            } else if !g.device().same(value.device()) {
                format!("on {} instead of {}", g.device().name(), value.device().name())
            } else {
                return Ok(g.clone());
            };
            Err(AutogradError::GradMismatch { expected: value.shape().to_vec(), got: g.shape().to_vec(), detail })
        }
    }
}

impl Var {
    /// Backward with an upstream gradient `grad` of this result's shape (`None`: 1, scalars only), keeping the
    /// graph for another backward when `keep_graph`.
    ///
    /// # Errors
    /// As [`Var::try_backward`], and [`AutogradError::GradMismatch`] when `grad` has another shape, dtype or device.
    pub fn backward_with(&self, grad: Option<&Tensor>, keep_graph: bool) -> Result<(), AutogradError> {
        backward(self, grad, keep_graph)
    }
}
