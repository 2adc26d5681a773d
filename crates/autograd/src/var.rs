//! [`Var`]: a tensor that remembers how it was made, so that gradients can flow back through it.
//!
//! A `Var` is an `Arc` to a [`Node`]. A node holds its value, whether it requires a gradient, and — when it was
//! made by a differentiable op while recording — a [`GradFn`]: the [`Op`] (with the tensors its rule saved) and
//! the input `Var`s. Those input links *are* the graph (the "tape"); there is no global list. Leaves (parameters,
//! made with [`Var::leaf`]) and constants have no `GradFn`.
//!
//! This file holds the type, its constructors and accessors, [`Var::record`] (the one function every op goes
//! through) and the iterative `Drop` that keeps a 100,000-op chain from overflowing the stack. The ops are in
//! `var_ops.rs`, the backward walk in `engine.rs`.
//!
//! Cost of recording one op: one `Arc<Node>` allocation, one `Vec` of inputs, an atomic id; nothing at all is
//! saved when no input requires a gradient or inside [`no_grad`](crate::no_grad) (the result is a constant).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tensor::{DType, Device, Tensor};

use crate::grad_mode::{check_forward_anomaly, is_anomaly_enabled, is_grad_enabled};
use crate::op::Op;

/// A node of the graph. Only [`Var`] touches it.
pub(crate) struct Node {
    /// Unique, increasing in creation order (so inputs always have smaller ids than their outputs).
    pub(crate) id: usize,
    /// The value; replaced only by [`Var::set_data`].
    pub(crate) value: RwLock<Tensor>,
    pub(crate) requires_grad: bool,
    /// `"leaf"`, `"constant"` or the op's name; kept when the `GradFn` is freed.
    pub(crate) op_name: &'static str,
    /// True for nodes made by an op while recording (they had a `GradFn`, possibly freed since).
    pub(crate) has_grad_fn: bool,
    /// The op and its inputs; `None` for leaves and constants, and after a backward without `keep_graph`.
    pub(crate) grad_fn: Mutex<Option<GradFn>>,
    /// The accumulated gradient (leaves only).
    pub(crate) grad: Mutex<Option<Tensor>>,
}

/// How a node was made: the op (with its saved tensors) and the input variables, in the op's operand order.
pub(crate) struct GradFn {
    pub(crate) op: Op,
    pub(crate) inputs: Vec<Var>,
}

/// A differentiable tensor: a value plus, when it was computed from variables that require gradients, the record
/// of how. Cloning is cheap (an `Arc`); clones are the same variable.
///
/// ```
/// use autograd::Var;
/// use tensor::Tensor;
/// let x = Var::leaf(Tensor::new(&[1.0f64, 2.0, 3.0], &[3]));
/// let y = (&x * &x).sum(); // y = Σ x²
/// y.backward();
/// assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![2.0, 4.0, 6.0]); // dy/dx = 2x
/// ```
#[derive(Clone)]
pub struct Var(pub(crate) Arc<Node>);

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// Locks ignoring poisoning: a panic in another thread cannot leave a tensor half-written.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Var {
    fn from_node(value: Tensor, requires_grad: bool, op_name: &'static str, grad_fn: Option<GradFn>) -> Var {
        Var(Arc::new(Node {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            value: RwLock::new(value),
            requires_grad,
            op_name,
            has_grad_fn: grad_fn.is_some(),
            grad_fn: Mutex::new(grad_fn),
            grad: Mutex::new(None),
        }))
    }

    /// A value that needs no gradient (data, targets, masks).
    pub fn constant(t: Tensor) -> Var {
        Var::from_node(t, false, "constant", None)
    }

    /// A parameter: a leaf whose gradient is accumulated by [`Var::backward`].
    ///
    /// # Panics
    /// When `t` is not a float tensor.
    #[track_caller]
    pub fn leaf(t: Tensor) -> Var {
        Var::new(t, true)
    }

    /// A leaf that requires a gradient or not.
    ///
    /// # Panics
    /// When `requires_grad` is set on a tensor that is not float (an int64 index has no gradient).
    #[track_caller]
    pub fn new(t: Tensor, requires_grad: bool) -> Var {
        if requires_grad && !t.dtype().is_float() {
            tensor::error::shape_error(
                "Var::leaf",
                format_args!("a {} tensor {:?} cannot require a gradient", t.dtype(), t.shape()),
            );
        }
        let name = if requires_grad { "leaf" } else { "constant" };
        Var::from_node(t, requires_grad, name, None)
    }

    /// True when an op on these inputs must be recorded: gradients are enabled and some input requires one.
    #[inline]
    pub(crate) fn should_record(inputs: &[&Var]) -> bool {
        inputs.iter().any(|v| v.0.requires_grad) && is_grad_enabled()
    }

    /// Wraps the result `out` of an op on `inputs`: records the op (built by `op`, which saves what its rule needs)
    /// when [`Var::should_record`], else returns a constant and saves nothing. Every differentiable op ends here.
    ///
    /// # Panics
    /// In anomaly mode, when `out` contains NaN or ±∞ (naming the op and the new node).
    #[track_caller]
    pub(crate) fn record(inputs: &[&Var], out: Tensor, op: impl FnOnce(&Tensor) -> Op) -> Var {
        if !Var::should_record(inputs) {
            return Var::unrecorded(out);
        }
        let op = op(&out);
        let name = op.name();
        let inputs = inputs.iter().map(|&v| v.clone()).collect();
        let var = Var::from_node(out, true, name, Some(GradFn { op, inputs }));
        if is_anomaly_enabled() {
            check_forward_anomaly(&var);
        }
        var
    }

    /// The same node, shown under the name of the composition that made it: `x.mean()` is recorded as a division
    /// but prints and graphs as `mean` (PyTorch's `MeanBackward0`). Only the name changes; the rule is the last
    /// primitive's. Constants and leaves keep theirs.
    pub(crate) fn named(mut self, name: &'static str) -> Var {
        if self.0.has_grad_fn {
            // A node just made by an op is held by this `Var` alone (its consumers do not exist yet).
            if let Some(node) = Arc::get_mut(&mut self.0) {
                node.op_name = name;
            }
        }
        self
    }

    /// The result `out` of an op that is not recorded: a constant (checked in anomaly mode, like [`Var::record`]).
    #[track_caller]
    pub(crate) fn unrecorded(out: Tensor) -> Var {
        let var = Var::constant(out);
        if is_anomaly_enabled() {
            check_forward_anomaly(&var);
        }
        var
    }

    // --- accessors ---------------------------------------------------------------------------------------

    /// The current value (a cheap clone sharing storage).
    pub fn tensor(&self) -> Tensor {
        self.0.value.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The shape of the value.
    pub fn shape(&self) -> Vec<usize> {
        self.0.value.read().unwrap_or_else(PoisonError::into_inner).shape().to_vec()
    }

    /// The number of dimensions of the value.
    pub fn rank(&self) -> usize {
        self.0.value.read().unwrap_or_else(PoisonError::into_inner).rank()
    }

    /// The element type of the value.
    pub fn dtype(&self) -> DType {
        self.0.value.read().unwrap_or_else(PoisonError::into_inner).dtype()
    }

    /// The device of the value.
    pub fn device(&self) -> Device {
        self.0.value.read().unwrap_or_else(PoisonError::into_inner).device().clone()
    }

    /// True for parameters and for every result computed from one while recording.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad
    }

    /// True for variables not made by a recorded op: parameters and constants.
    pub fn is_leaf(&self) -> bool {
        !self.0.has_grad_fn
    }

    /// A number unique to this variable, increasing in creation order (shown by [`Var::graph_text`]).
    pub fn id(&self) -> usize {
        self.0.id
    }

    /// `"leaf"`, `"constant"`, or the name of the op that made this variable (`"matmul"`, `"relu"`...).
    pub fn op_name(&self) -> &'static str {
        self.0.op_name
    }

    /// The gradient accumulated by the backward passes since the last [`Var::zero_grad`] (leaves only; `None`
    /// before any backward reached it, and always `None` for non-leaves, whose gradients are not kept).
    pub fn grad(&self) -> Option<Tensor> {
        lock(&self.0.grad).clone()
    }

    /// Replaces the accumulated gradient.
    ///
    /// # Panics
    /// When the gradient's shape or dtype differ from the value's.
    #[track_caller]
    pub fn set_grad(&self, g: Option<Tensor>) {
        if let Some(g) = &g {
            self.check_same_kind("Var::set_grad", g);
        }
        *lock(&self.0.grad) = g;
    }

    /// Forgets the accumulated gradient (sets it to `None`, as PyTorch's `zero_grad(set_to_none=True)`).
    pub fn zero_grad(&self) {
        *lock(&self.0.grad) = None;
    }

    /// Replaces the value (what an optimizer step does to a parameter). Ops recorded before keep the values they
    /// saved, so a pending backward still computes the gradients of the old value.
    ///
    /// # Panics
    /// When the new value's shape or dtype differ from the old one's.
    #[track_caller]
    pub fn set_data(&self, t: Tensor) {
        self.check_same_kind("Var::set_data", &t);
        *self.0.value.write().unwrap_or_else(PoisonError::into_inner) = t;
    }

    /// A constant with the same value (sharing storage): gradients do not flow through it.
    pub fn detach(&self) -> Var {
        Var::constant(self.tensor())
    }

    #[track_caller]
    fn check_same_kind(&self, op: &str, t: &Tensor) {
        let v = self.tensor();
        if t.shape() != v.shape() || t.dtype() != v.dtype() {
            tensor::error::shape_error(
                op,
                format_args!(
                    "the variable is {:?} {} but the new tensor is {:?} {}",
                    v.shape(),
                    v.dtype(),
                    t.shape(),
                    t.dtype()
                ),
            );
        }
    }

    /// The inputs of the op that made this variable; empty for leaves, constants and freed graphs.
    pub(crate) fn inputs(&self) -> Vec<Var> {
        lock(&self.0.grad_fn).as_ref().map(|f| f.inputs.clone()).unwrap_or_default()
    }
}

impl std::fmt::Debug for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let t = self.tensor();
        write!(f, "Var(#{} {} {:?} {}", self.id(), self.op_name(), t.shape(), t.dtype())?;
        if self.requires_grad() {
            write!(f, ", requires_grad")?;
        }
        write!(f, ")")
    }
}

/// Dropping the last `Var` of a long chain would drop its input, which drops its input... one stack frame per
/// node. Instead, unlink: take the inputs out of every node we are the last owner of, and drop them in a loop.
impl Drop for Node {
    fn drop(&mut self) {
        let Some(grad_fn) = self.grad_fn.get_mut().unwrap_or_else(PoisonError::into_inner).take() else {
            return;
        };
        let mut pending = grad_fn.inputs;
        drop(grad_fn.op);
        while let Some(var) = pending.pop() {
            // Only the last owner gets the node back; it then drops with an empty `grad_fn` (no recursion).
            if let Some(node) = Arc::into_inner(var.0) {
                if let Some(f) = node.grad_fn.lock().unwrap_or_else(PoisonError::into_inner).take() {
                    pending.extend(f.inputs);
                }
            }
        }
    }
}
