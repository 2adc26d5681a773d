//! Thread-local switches: gradient recording ([`no_grad`], [`NoGradGuard`]) and anomaly mode
//! ([`detect_anomaly`], [`set_anomaly_mode`]).
//!
//! Both are per thread, like PyTorch's grad mode: a `no_grad` evaluation on one thread does not stop another
//! thread from training. Reading a switch is one thread-local load, cheap enough to do on every op.
//!
//! **What anomaly mode does.** Every op checks its output for NaN and ±∞ (downloading it — slow, for debugging
//! only):
//! * in the **forward** pass an op whose output is not finite **panics** at the caller's line, naming the op
//!   and the node id (`anomaly: log (node #12) produced a non-finite value (NaN or ±inf) in its output ...`);
//! * in the **backward** pass, a rule that returns a non-finite gradient makes `backward` **return**
//!   [`AutogradError::Anomaly`](crate::AutogradError::Anomaly) naming the op and node id.

use std::cell::Cell;

use tensor::Tensor;

use crate::var::Var;

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
    static ANOMALY: Cell<bool> = const { Cell::new(false) };
}

/// True unless inside [`no_grad`] (or while a [`NoGradGuard`] lives) on this thread.
#[inline]
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(Cell::get)
}

/// Disables recording on this thread until dropped, then restores the previous state (guards nest).
///
/// ```
/// use autograd::{NoGradGuard, Var, is_grad_enabled};
/// use tensor::Tensor;
/// let w = Var::leaf(Tensor::new(&[1.0f32], &[1]));
/// {
///     let _guard = NoGradGuard::new();
///     assert!(!is_grad_enabled());
///     assert!(!(&w * 2.0).requires_grad()); // recorded nothing
/// }
/// assert!(is_grad_enabled());
/// ```
#[must_use = "recording is re-enabled when the guard is dropped"]
pub struct NoGradGuard {
    previous: bool,
}

impl NoGradGuard {
    /// Disables recording on this thread.
    pub fn new() -> NoGradGuard {
        let previous = GRAD_ENABLED.with(|g| g.replace(false));
        NoGradGuard { previous }
    }
}

impl Default for NoGradGuard {
    fn default() -> Self {
        NoGradGuard::new()
    }
}

impl Drop for NoGradGuard {
    fn drop(&mut self) {
        GRAD_ENABLED.with(|g| g.set(self.previous));
    }
}

/// Runs `f` without recording (PyTorch's `with torch.no_grad():`): every op returns a constant and saves
/// nothing. Use it for evaluation and for optimizer updates.
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _guard = NoGradGuard::new();
    f()
}

/// True while anomaly mode is on for this thread.
#[inline]
pub fn is_anomaly_enabled() -> bool {
    ANOMALY.with(Cell::get)
}

/// Turns anomaly mode on or off for this thread (see the module documentation for what it checks).
pub fn set_anomaly_mode(on: bool) {
    ANOMALY.with(|a| a.set(on));
}

/// Runs `f` with anomaly mode on for this thread, then restores the previous state (even if `f` panics).
pub fn detect_anomaly<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_anomaly_mode(self.0);
        }
    }
    let _restore = Restore(ANOMALY.with(|a| a.replace(true)));
    f()
}

/// True when a float tensor holds a NaN or ±∞.
pub(crate) fn has_non_finite(t: &Tensor) -> bool {
    t.dtype().is_float() && t.to_f64_vec().iter().any(|v| !v.is_finite())
}

/// The forward check of anomaly mode.
#[track_caller]
pub(crate) fn check_forward_anomaly(var: &Var) {
    if has_non_finite(&var.tensor()) {
        panic!(
            "anomaly: {} (node #{}) produced a non-finite value (NaN or ±inf) in its output of shape {:?}",
            var.op_name(),
            var.id(),
            var.shape()
        );
    }
}
