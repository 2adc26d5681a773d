//! The training loop every run shares — the tutorial's loop, step for step:
//!
//! ```python
//! torch.manual_seed(42); model = Model()              # build right after seeding
//! for epoch in range(epochs):
//!     model.train()
//!     y_logits = model(X_train).squeeze()                 # squeeze only for the binary runs
//!     y_pred = torch.round(torch.sigmoid(y_logits))   # or softmax(y_logits, dim=1).argmax(dim=1)
//!     loss = loss_fn(y_logits, y_train)
//!     acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
//!     optimizer.zero_grad(); loss.backward(); optimizer.step()
//!     model.eval()
//!     with torch.inference_mode():
//!         test_logits = model(X_test).squeeze()
//!         test_pred = ...; test_loss = loss_fn(test_logits, y_test); test_acc = accuracy_fn(...)
//! ```
//!
//! Full batch, no shuffling, no dropout: the only randomness is the initial weights.

use super::{LossKind, OptimizerKind, TrainData, TrainSpec};
use crate::error::CliError;
use crate::record::{EpochRecord, RunRecord};
use autograd::{no_grad, Var};
pub use nn::metrics::{accuracy_fn, accuracy_of};
use nn::{
    Adam, AdamConfig, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, Linear, Module, Optimizer, ReLU, Sequential,
    SgdConfig, SGD,
};
use std::time::Instant;
use tensor::{DType, Device, Tensor};

/// Overrides of a run's defaults (the CLI flags).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Seed for `manual_seed` before the model is built.
    pub seed: u64,
    /// Epochs (default: the spec's).
    pub epochs: Option<usize>,
    /// Learning rate (default: the spec's).
    pub lr: Option<f64>,
    /// Samples generated (default: the run's); mini-batch runs only ([`super::blobs_large`]).
    pub samples: Option<usize>,
    /// Rows per mini-batch (default: the run's); mini-batch runs only.
    pub batch_size: Option<usize>,
}

impl TrainOptions {
    /// The epochs and the learning rate a run of `spec` uses: these options' where given, else the spec's.
    ///
    /// # Errors
    /// A learning rate that is not a positive number.
    pub fn epochs_and_lr(&self, spec: &TrainSpec) -> Result<(usize, f64), CliError> {
        let lr = self.lr.unwrap_or(spec.lr);
        if !(lr.is_finite() && lr > 0.0) {
            return Err(CliError::new(format!("--lr {lr}: pass a positive learning rate such as {}", spec.lr)));
        }
        Ok((self.epochs.unwrap_or(spec.epochs), lr))
    }
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self { seed: 42, epochs: None, lr: None, samples: None, batch_size: None }
    }
}

/// A trained model with its data and history.
pub struct Trained {
    /// The model.
    pub model: Sequential,
    /// The data it was trained on.
    pub data: TrainData,
    /// The history.
    pub record: RunRecord,
    /// The loss it was trained with (decides how logits become labels).
    pub loss: LossKind,
    /// Where it lives.
    pub device: Device,
}

/// `torch.manual_seed(seed); nn.Sequential(Linear, [ReLU,] Linear, ...)`.
///
/// Seeding and building happen under one lock of the default generator, so that runs built at the same time on
/// other threads (the replay tests run in parallel) cannot draw from it in between.
pub fn build_model(spec: &TrainSpec, seed: u64, device: &Device) -> Sequential {
    nn::with_default_generator(|g| {
        g.manual_seed(seed);
        let mut layers: Vec<Box<dyn Module>> = Vec::new();
        for (i, w) in spec.widths.windows(2).enumerate() {
            if i > 0 && spec.relu {
                layers.push(Box::new(ReLU::new()));
            }
            layers.push(Box::new(Linear::with_generator(w[0], w[1], true, g, device)));
        }
        Sequential::from(layers)
    })
}

/// The features as a `[n, n_features]` constant.
fn features(x: &[f32], n_features: usize, device: &Device) -> Var {
    Var::constant(Tensor::from_slice(x, &[x.len() / n_features, n_features], device))
}

/// The targets: float32 for BCE and L1 (`[n]` resp. `[n, 1]`), int64 class ids for cross-entropy.
fn targets(y: &[f32], loss: LossKind, device: &Device) -> Tensor {
    match loss {
        LossKind::BceWithLogits => Tensor::from_slice(y, &[y.len()], device),
        LossKind::L1 => Tensor::from_slice(y, &[y.len(), 1], device),
        LossKind::CrossEntropy => {
            let ids: Vec<i64> = y.iter().map(|&v| v as i64).collect();
            Tensor::from_vec(ids, &[y.len()], device)
        }
    }
}

/// The predicted labels of `logits`, as `y_true`'s dtype: `round(sigmoid(logits))` for BCE,
/// `softmax(logits, 1).argmax(1)` for cross-entropy.
pub fn labels(logits: &Tensor, loss: LossKind) -> Tensor {
    match loss {
        LossKind::BceWithLogits => logits.sigmoid().round(),
        LossKind::CrossEntropy => logits.softmax(1).argmax(1),
        LossKind::L1 => logits.clone(),
    }
}

/// `torch.eq(y_true, y_pred).sum()`: the number of right predictions, a one-element tensor on their device.
/// A count of 0/1 values is exact in f32 (below 2^24) and in int64, so reading it gives it exactly.
pub fn correct_count(y_true: &Tensor, y_pred: &Tensor) -> Tensor {
    y_true.eq(&y_pred.to_dtype(y_true.dtype())).sum()
}

/// The right predictions of `logits` against `y` (a one-element tensor on their device) and their number: for BCE
/// `round(sigmoid(logits)) == y`, for cross-entropy over a batch `argmax(softmax(logits)) == y`, counted in one
/// kernel where the device has one, else [`correct_count`] of [`labels`] — the same count either way.
pub(crate) fn count_correct(logits: &Tensor, y: &Tensor, loss: LossKind) -> (Tensor, usize) {
    match loss {
        LossKind::BceWithLogits => (logits.count_round_sigmoid_eq(y), logits.numel()),
        LossKind::CrossEntropy if logits.rank() == 2 && y.dtype() == DType::I64 && y.shape() == [logits.shape()[0]] => {
            (logits.count_argmax_softmax_eq(y), y.numel())
        }
        _ => {
            let pred = labels(logits, loss);
            (correct_count(y, &pred), pred.numel())
        }
    }
}

/// One epoch's figures, still on the device: the losses and the counts of right predictions (with the number of
/// predictions), read by [`read_epochs`].
struct PendingEpoch {
    epoch: usize,
    train_loss: Tensor,
    train_correct: Option<(Tensor, usize)>,
    test_loss: Tensor,
    test_correct: Option<(Tensor, usize)>,
}

/// The records of the pending epochs, in order, read in one transfer ([`Tensor::to_host_many`]).
fn read_epochs(pending: &mut Vec<PendingEpoch>) -> Vec<EpochRecord> {
    let mut tensors: Vec<&Tensor> = Vec::with_capacity(pending.len() * 4);
    for p in pending.iter() {
        tensors.push(&p.train_loss);
        tensors.extend(p.train_correct.as_ref().map(|c| &c.0));
        tensors.push(&p.test_loss);
        tensors.extend(p.test_correct.as_ref().map(|c| &c.0));
    }
    let mut values = Tensor::to_host_many(&tensors).into_iter().map(|h| h.to_f64_vec()[0]);
    let mut next = || values.next().expect("one value per tensor read");
    let records = pending
        .iter()
        .map(|p| {
            let train_loss = next();
            let train_acc = p.train_correct.as_ref().map(|c| accuracy_of(next(), c.1));
            let test_loss = next();
            let test_acc = p.test_correct.as_ref().map(|c| accuracy_of(next(), c.1));
            EpochRecord { epoch: p.epoch, train_loss, train_acc, test_loss, test_acc }
        })
        .collect();
    pending.clear();
    records
}

/// The model's logits, squeezed to `[n]` for BCE as the tutorial's `.squeeze()` (here `squeeze_dim(1)`).
fn forward(model: &Sequential, x: &Var, loss: LossKind) -> Var {
    let out = model.forward(x);
    if loss == LossKind::BceWithLogits {
        out.squeeze_dim(1)
    } else {
        out
    }
}

/// The loss of `logits` against `y`.
fn loss_of(loss: LossKind, logits: &Var, y: &Tensor) -> Var {
    match loss {
        LossKind::BceWithLogits => BCEWithLogitsLoss::new().forward(logits, y),
        LossKind::CrossEntropy => CrossEntropyLoss::new().forward(logits, y),
        LossKind::L1 => L1Loss::new().forward(logits, y),
    }
}

/// Trains `spec` on `device`. `on_epoch` sees every record in order (for the log and the progress bar): on the
/// CPU as each epoch ends, on a GPU in groups, at every `spec.log_every`-th epoch and at the last; the timing
/// excludes the data and the model construction.
pub fn train(
    name: &str,
    spec: &TrainSpec,
    opts: TrainOptions,
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochRecord),
) -> Result<Trained, CliError> {
    let (epochs, lr) = opts.epochs_and_lr(spec)?;
    let data = super::data::load(spec.data)?;
    let nf = data.n_features;
    let (x_train, x_test) = (features(&data.x_train, nf, device), features(&data.x_test, nf, device));
    let (y_train, y_test) = (targets(&data.y_train, spec.loss, device), targets(&data.y_test, spec.loss, device));
    let classify = spec.loss != LossKind::L1;

    let mut model = build_model(spec, opts.seed, device);
    let params = model.parameters();
    let mut opt: Box<dyn Optimizer> = match spec.optimizer {
        OptimizerKind::Sgd => Box::new(SGD::new(params, SgdConfig::new(lr))),
        OptimizerKind::Adam => Box::new(Adam::new(params, AdamConfig::new(lr))),
    };

    let mut history = Vec::with_capacity(epochs);
    // On a GPU each epoch's figures stay on the device and are read together once per printed log line and at
    // the end: reading a number waits for the GPU, which would otherwise happen four times per epoch. On the CPU
    // reading is free, and each epoch is read as it ends.
    let log_every = spec.log_every.max(1);
    let mut pending: Vec<PendingEpoch> = Vec::new();
    let start = Instant::now();
    for epoch in 0..epochs {
        // Train step: forward, loss, accuracy, zero_grad, backward, step.
        model.train();
        let logits = forward(&model, &x_train, spec.loss);
        let loss = loss_of(spec.loss, &logits, &y_train);
        let train_correct = classify.then(|| count_correct(&logits.tensor(), &y_train, spec.loss));
        opt.zero_grad();
        loss.try_backward().map_err(|e| CliError::new(format!("{name}: backward failed at epoch {epoch}: {e}")))?;
        opt.step();

        // Evaluation of the test set, no graph recorded.
        model.eval();
        let (test_loss, test_correct) = no_grad(|| {
            let logits = forward(&model, &x_test, spec.loss);
            let loss = loss_of(spec.loss, &logits, &y_test);
            let correct = classify.then(|| count_correct(&logits.tensor(), &y_test, spec.loss));
            (loss.tensor(), correct)
        });
        pending.push(PendingEpoch { epoch, train_loss: loss.tensor(), train_correct, test_loss, test_correct });
        if device.is_cpu() || epoch % log_every == 0 || epoch + 1 == epochs {
            for rec in read_epochs(&mut pending) {
                on_epoch(&rec);
                history.push(rec);
            }
        }
    }
    device.synchronize().map_err(|e| CliError::new(format!("{name}: the device failed: {e}")))?;
    let train_seconds = start.elapsed().as_secs_f64();

    let record =
        RunRecord { run: name.to_string(), device: device.name(), seed: opts.seed, lr, epochs, train_seconds, history };
    Ok(Trained { model, data, record, loss: spec.loss, device: device.clone() })
}

impl Trained {
    /// The model's raw outputs on `points` (`[n, n_features]` row-major), without a graph.
    pub fn logits(&self, points: &[f32]) -> Tensor {
        let x = features(points, self.data.n_features, &self.device);
        no_grad(|| self.model.forward(&x).tensor())
    }

    /// Predicted labels of `points`: `round(sigmoid)` for two classes, `argmax(softmax)` for more.
    pub fn predict_labels(&self, points: &[f32]) -> Vec<i64> {
        let logits = self.logits(points);
        let logits = if self.loss == LossKind::BceWithLogits { logits.squeeze_dim(1) } else { logits };
        labels(&logits, self.loss).to_dtype(DType::I64).to_vec::<i64>()
    }
}
