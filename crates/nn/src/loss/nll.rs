//! Negative log-likelihood and cross-entropy: losses of class scores against class indices or class
//! probabilities, sharing the index checks and the per-sample weights.

use autograd::Var;
use tensor::{DType, Tensor};

use super::{check_has_classes, check_same_shape, misuse, reduce, zero_like, MeanOf, Reduction};

/// The class axis: 1 for `[N, C, ...]` inputs, 0 for an unbatched `[C]` input.
fn class_axis(rank: usize) -> usize {
    if rank >= 2 {
        1
    } else {
        0
    }
}

/// The per-sample pieces shared by [`NLLLoss`] and [`CrossEntropyLoss`] for class-index targets.
struct IndexTargets {
    /// `target != ignore_index` (0/1 in the input's float dtype), shape of the target.
    valid: Tensor,
    /// The target with ignored entries replaced by class 0 (safe to gather).
    safe: Tensor,
    /// `w[target]` (1 without class weights), 0 where ignored.
    sample_weight: Tensor,
}

#[track_caller]
fn index_targets(op: &str, input: &Var, target: &Tensor, weight: Option<&Tensor>, ignore_index: i64) -> IndexTargets {
    check_index_targets(op, input, target, ignore_index);
    let shape = input.shape();
    let classes = shape[class_axis(shape.len())];
    if let Some(w) = weight {
        if w.shape() != [classes] || w.dtype() != input.dtype() {
            misuse(format!(
                "{op}: class weights {:?} {} must be [{classes}] {} for input {shape:?}",
                w.shape(),
                w.dtype(),
                input.dtype()
            ));
        }
    }
    let valid_i = target.ne(&target.scalar_like(ignore_index as f64));
    let safe = Tensor::where_cond(&valid_i, target, &target.scalar_like(0.0));
    let valid = valid_i.to_dtype(input.dtype());
    let sample_weight = match weight {
        Some(w) => w.index_select(0usize, &safe.flatten()).reshape(target.shape()).mul(&valid),
        None => valid.clone(),
    };
    IndexTargets { valid, safe, sample_weight }
}

/// Checks class-index targets against the input (shape, dtype, range); returns whether any is `ignore_index`.
#[track_caller]
fn check_index_targets(op: &str, input: &Var, target: &Tensor, ignore_index: i64) -> bool {
    check_has_classes(op, input);
    let shape = input.shape();
    let axis = class_axis(shape.len());
    let classes = shape[axis];
    let mut expected = shape.clone();
    expected.remove(axis);
    assert!(
        target.dtype() == DType::I64 && target.shape() == expected,
        "{op}: input {shape:?} needs class-index targets of shape {expected:?} and dtype int64, got {:?} {}",
        target.shape(),
        target.dtype()
    );
    if let Some(ignored) = checked_targets::recall(target, classes, ignore_index) {
        return ignored;
    }
    // A GPU target whose values have host-known bounds (uploaded from host data: a dataset's labels and every
    // mini-batch sliced from them) is checked against the bounds, without a readback.
    if let Some((lo, hi)) = target.known_index_range() {
        if lo >= 0 && (hi as u64) < classes as u64 && !(lo..=hi).contains(&ignore_index) {
            return false;
        }
    }
    let mut ignored = false;
    for &t in &target.to_vec::<i64>() {
        assert!(
            t == ignore_index || (0..classes as i64).contains(&t),
            "{op}: target {t} is out of bounds for {classes} classes (input {shape:?}, ignore_index {ignore_index})"
        );
        ignored |= t == ignore_index;
    }
    checked_targets::remember(target, classes, ignore_index, ignored);
    ignored
}

/// The GPU targets that passed [`check_index_targets`] lately, so that a training loop, which passes the same
/// target tensor every step, reads it from the device once and not once per step (a readback waits for the GPU).
/// Tensors are immutable values, so a tensor seen before (the same storage and view) holds the same classes. The
/// list holds a handle to each tensor, which keeps its storage (and so its identity) alive; CPU targets are read
/// every time, as that costs no wait. The list is a static, never dropped: no GPU handle is dropped while a thread
/// ends, when the driver's thread-local state may be gone.
mod checked_targets {
    use std::sync::{Mutex, MutexGuard};
    use tensor::Tensor;

    /// Targets remembered (a training loop has a train and a test target; a few loops may run at once).
    const KEEP: usize = 8;

    struct Checked {
        target: Tensor,
        classes: usize,
        ignore_index: i64,
        ignored: bool,
    }

    static CHECKED: Mutex<Vec<Checked>> = Mutex::new(Vec::new());

    fn checked() -> MutexGuard<'static, Vec<Checked>> {
        CHECKED.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn same(a: &Tensor, b: &Tensor) -> bool {
        a.same_storage(b) && a.layout() == b.layout()
    }

    /// Whether `target` had an ignored entry, when it was checked before for these classes.
    pub(super) fn recall(target: &Tensor, classes: usize, ignore_index: i64) -> Option<bool> {
        checked()
            .iter()
            .find(|c| same(&c.target, target) && c.classes == classes && c.ignore_index == ignore_index)
            .map(|c| c.ignored)
    }

    /// Remembers a GPU target that passed the check.
    pub(super) fn remember(target: &Tensor, classes: usize, ignore_index: i64, ignored: bool) {
        if target.device().is_cpu() {
            return;
        }
        let mut list = checked();
        if list.len() == KEEP {
            list.remove(0);
        }
        list.push(Checked { target: target.clone(), classes, ignore_index, ignored });
    }
}

/// NLL of log-probabilities with class-index targets, before the smoothing term.
fn nll_of_log_probs(logp: &Var, t: &IndexTargets, reduction: Reduction) -> Var {
    let axis = class_axis(logp.rank());
    // -w_{y_i} · logp[i, y_i]; ignored samples are 0 (selected, not multiplied: their logp may be -∞).
    let picked = logp.gather(axis, &t.safe.unsqueeze(axis)).squeeze_dim(axis);
    let per_sample = picked.mul(&Var::constant(t.sample_weight.clone())).neg();
    let per_sample = Var::where_cond(&t.valid, &per_sample, &zero_like(logp));
    // The mean is Σ ℓ_i / Σ w_{y_i} (the number of non-ignored samples without class weights).
    reduce(per_sample, reduction, MeanOf::Weights(&t.sample_weight))
}

/// `nn.NLLLoss`: the negative log-likelihood of log-probabilities `[N, C]` (or `[C]`, or `[N, C, d...]`) with
/// class-index targets `[N]` (int64).
#[derive(Clone, Debug)]
pub struct NLLLoss {
    /// A weight per class (`[C]`).
    pub weight: Option<Tensor>,
    /// Targets equal to this are ignored (PyTorch's default -100).
    pub ignore_index: i64,
    /// How the samples are combined.
    pub reduction: Reduction,
}

impl Default for NLLLoss {
    fn default() -> Self {
        NLLLoss { weight: None, ignore_index: -100, reduction: Reduction::Mean }
    }
}

impl NLLLoss {
    /// The default: no weights, ignore_index -100, mean reduction.
    pub fn new() -> Self {
        Self::default()
    }
    /// With class weights.
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// With another ignored target value.
    pub fn with_ignore_index(mut self, ignore_index: i64) -> Self {
        self.ignore_index = ignore_index;
        self
    }
    /// With another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// The loss of log-probabilities `input` against class indices `target`.
    ///
    /// # Panics
    /// When the target is not int64 of the input's shape without the class axis, or a target is out of range.
    #[track_caller]
    pub fn forward(&self, input: &Var, target: &Tensor) -> Var {
        let t = index_targets("NLLLoss", input, target, self.weight.as_ref(), self.ignore_index);
        nll_of_log_probs(input, &t, self.reduction)
    }
}

/// `nn.CrossEntropyLoss`: `log_softmax` over the class axis, then NLL — with class weights, label smoothing
/// and an ignored index, for class-index targets (int64 `[N]`) or class probabilities (float, the input's
/// shape). The log-softmax subtracts the row maximum, so logits of ±1e4 (and -∞ off the target) are fine.
#[derive(Clone, Debug)]
pub struct CrossEntropyLoss {
    /// A weight per class (`[C]`).
    pub weight: Option<Tensor>,
    /// Class-index targets equal to this are ignored (PyTorch's default -100).
    pub ignore_index: i64,
    /// How the samples are combined.
    pub reduction: Reduction,
    /// ε in `[0, 1]`: the target becomes `(1-ε)·onehot + ε/C`.
    pub label_smoothing: f64,
}

impl Default for CrossEntropyLoss {
    fn default() -> Self {
        CrossEntropyLoss { weight: None, ignore_index: -100, reduction: Reduction::Mean, label_smoothing: 0.0 }
    }
}

impl CrossEntropyLoss {
    /// The default: no weights, ignore_index -100, mean reduction, no smoothing.
    pub fn new() -> Self {
        Self::default()
    }
    /// With class weights.
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// With another ignored target value.
    pub fn with_ignore_index(mut self, ignore_index: i64) -> Self {
        self.ignore_index = ignore_index;
        self
    }
    /// With another reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// With label smoothing ε.
    ///
    /// # Panics
    /// When ε is outside `[0, 1]`.
    #[track_caller]
    pub fn with_label_smoothing(mut self, epsilon: f64) -> Self {
        assert!((0.0..=1.0).contains(&epsilon), "CrossEntropyLoss: label_smoothing must be in [0, 1], got {epsilon}");
        self.label_smoothing = epsilon;
        self
    }

    /// The loss of logits `input` (`[N, C]`, `[C]` or `[N, C, d...]`) against `target`.
    ///
    /// # Panics
    /// When the target has neither the shape of class indices (int64) nor the input's shape (float), or a class
    /// index is out of range.
    #[track_caller]
    pub fn forward(&self, input: &Var, target: &Tensor) -> Var {
        check_has_classes("CrossEntropyLoss", input);
        let axis = class_axis(input.rank());
        let shape = input.shape();
        let classes = shape[axis];
        if target.dtype().is_float() && target.shape() != shape {
            // The tutorial's classic mistake: float class ids `[N]` (y_blob_train.type(torch.float)).
            let mut ids = shape.clone();
            ids.remove(axis);
            misuse(format!(
                "CrossEntropyLoss: input {shape:?} with a {} target {:?}: float targets are class probabilities \
                 and must have the input's shape {shape:?}; class ids must be an int64 tensor of shape {ids:?} \
                 (convert them with to_dtype(DType::I64))",
                target.dtype(),
                target.shape()
            ));
        }
        if let Some(w) = &self.weight {
            if w.shape() != [classes] || w.dtype() != input.dtype() {
                misuse(format!(
                    "CrossEntropyLoss: class weights {:?} {} must be [{classes}] {} for input {shape:?}",
                    w.shape(),
                    w.dtype(),
                    input.dtype()
                ));
            }
        }
        if !target.dtype().is_float()
            && self.weight.is_none()
            && self.label_smoothing == 0.0
            && self.reduction == Reduction::Mean
            && input.rank() == 2
            && !check_index_targets("CrossEntropyLoss", input, target, self.ignore_index)
        {
            // The tutorial's case (a batch `[N, C]`, mean, no weights, no smoothing, nothing ignored):
            // `mean_i -logp[i, y_i]` as one node, one kernel each way on a GPU; the same bits as the ops below.
            return input.cross_entropy_mean(target);
        }
        let logp = input.log_softmax(axis);
        if target.dtype().is_float() {
            return self.forward_probabilities(&logp, target);
        }
        if self.weight.is_none()
            && self.label_smoothing == 0.0
            && !check_index_targets("CrossEntropyLoss", input, target, self.ignore_index)
        {
            // The common case (the tutorial's): no weights, no smoothing, nothing ignored — `-logp[i, y_i]`,
            // averaged over the samples. Same value as the general path below, with a third of its ops.
            let picked = logp.gather(axis, &target.unsqueeze(axis)).squeeze_dim(axis).neg();
            return reduce(picked, self.reduction, MeanOf::Elements);
        }
        let t = index_targets("CrossEntropyLoss", input, target, self.weight.as_ref(), self.ignore_index);
        let nll = nll_of_log_probs(&logp, &t, self.reduction);
        let eps = self.label_smoothing;
        if eps == 0.0 {
            return nll;
        }
        // The smoothing term: -Σ_c w_c·logp_c per sample, 0 where ignored.
        let weighted = match &self.weight {
            Some(w) => logp.mul(&Var::constant(class_broadcast(w, input.rank()))),
            None => logp.clone(),
        };
        let smooth = Var::where_cond(&t.valid, &weighted.sum_dim(axis).neg(), &zero_like(input));
        let smooth = reduce(smooth, self.reduction, MeanOf::Weights(&t.sample_weight));
        // (1-ε)·nll + (ε/C)·smooth
        nll.mul_scalar(1.0 - eps).add(&smooth.mul_scalar(eps / classes as f64))
    }

    /// Cross-entropy with class-probability targets: `-Σ_c w_c·y_c·logp_c` per sample (ignore_index unused).
    #[track_caller]
    fn forward_probabilities(&self, logp: &Var, target: &Tensor) -> Var {
        check_same_shape("CrossEntropyLoss", logp, target);
        let axis = class_axis(logp.rank());
        let classes = logp.shape()[axis];
        let eps = self.label_smoothing;
        let mut y = if eps > 0.0 { target.affine(1.0 - eps, eps / classes as f64) } else { target.clone() };
        if let Some(w) = &self.weight {
            y = y.mul(&class_broadcast(w, logp.rank()));
        }
        let per_sample = logp.mul(&Var::constant(y)).sum_dim(axis).neg();
        // The mean divides by the number of samples (every position but the class axis).
        reduce(per_sample, self.reduction, MeanOf::Count(logp.tensor().numel() / classes.max(1)))
    }
}

/// Class weights `[C]` shaped to broadcast along the class axis of a rank-`rank` input (`[1, C, 1, ...]`).
fn class_broadcast(w: &Tensor, rank: usize) -> Tensor {
    let axis = class_axis(rank);
    let mut shape = vec![1; rank];
    shape[axis] = w.numel();
    w.reshape(&shape)
}
