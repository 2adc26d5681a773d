//! `blobs-large` — the next size up from the tutorial (no notebook of its own), on the
//! same code for both devices:
//!
//! ```python
//! X, y = make_blobs(n_samples=100_000, n_features=32, centers=10, cluster_std=2.0, random_state=42)
//! X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
//! torch.manual_seed(42)
//! model = nn.Sequential(nn.Linear(32, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
//! loss_fn = nn.CrossEntropyLoss(); optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
//! for epoch in range(5):
//!     loss_sum, correct = zeros(()), zeros((), dtype=long)  # summed on the device, read once
//!     for row in range(0, len(X_train), 1024):            # consecutive rows, in order, no shuffle
//!         xb, yb = X_train[row:row + 1024], y_train[row:row + 1024]   # the last batch is shorter
//!         logits = model(xb); loss = loss_fn(logits, yb)
//!         correct += (yb == softmax(logits, 1).argmax(1)).sum()
//!         optimizer.zero_grad(); loss.backward(); optimizer.step()
//!         loss_sum += loss.detach()
//!     train_loss, train_acc = loss_sum.item() / n_batches, correct.item() / n_train * 100
//!     with torch.inference_mode():                        # one pass over the whole test set
//!         test_logits = model(X_test); test_loss = loss_fn(test_logits, y_test); test_acc = accuracy_fn(...)
//! ```
//!
//! `--samples`, `--epochs` and `--batch-size` change the three sizes. The twin in PyTorch is
//! `train_blobs_large` in `scripts/make_replay_fixtures.py` (the replay fixtures) and the timing
//! scripts in `benches/`. One line is printed per epoch, in the `blobs` run's format.
//!
//! Target: final test accuracy ≥ 99% (the ten blobs sit far apart in 32 dimensions; PyTorch
//! reaches 100% at every size replayed).

use super::train::{accuracy_of, build_model, count_correct, TrainOptions, Trained};
use super::{Cmp, DataKind, LogFormat, LossKind, Metric, OptimizerKind, RunKind, RunSpec, Target, TrainSpec};
use crate::error::CliError;
use crate::record::{EpochRecord, RunRecord};
use autograd::{no_grad, Var};
use nn::{Adam, AdamConfig, CrossEntropyLoss, Module, Optimizer, SgdConfig, SGD};
use std::time::Instant;
use tensor::{DType, Device, Tensor};

/// `n_samples` of `make_blobs` unless `--samples` says otherwise.
pub const SAMPLES: usize = 100_000;
/// Rows per mini-batch unless `--batch-size` says otherwise.
pub const BATCH_SIZE: usize = 1024;
/// Features of each sample (the model's input width).
pub const FEATURES: usize = 32;
/// The hidden layers' width.
pub const HIDDEN: usize = 512;

/// The training spec (the data's size comes from `--samples`, see [`train`]).
pub const TRAIN: TrainSpec = TrainSpec {
    data: DataKind::BlobsLarge { samples: SAMPLES },
    widths: &[FEATURES, HIDDEN, HIDDEN, 10],
    relu: true,
    loss: LossKind::CrossEntropy,
    optimizer: OptimizerKind::Adam,
    lr: 1e-3,
    epochs: 5,
    log_every: 1,
    log: LogFormat::Blobs,
    targets: &[Target {
        metric: Metric::TestAcc,
        cmp: Cmp::AtLeast,
        value: 99.0,
        source: "beyond the tutorial (PyTorch: 100% at every replayed size)",
    }],
};

/// The run.
pub const SPEC: RunSpec = RunSpec {
    name: "blobs-large",
    summary: "32→512→512→10 with ReLU on 100,000 points in ten 32-d blobs (CrossEntropy, Adam 0.001, batches of \
              1024, 5 epochs): ≥ 99% test",
    kind: RunKind::MiniBatch(TRAIN),
};

/// Rows in the test set of `samples` rows: `train_test_split`'s `ceil(0.2 · samples)`.
pub fn test_rows(samples: usize) -> usize {
    (samples * 2).div_ceil(10)
}

/// Checks, before any data is generated, that the largest tensors of a run of `samples` rows in
/// batches of `batch` fit `device` (a GPU's largest buffer is far below the CPU's memory): the
/// train features and the hidden activations of the largest batch and of the test pass.
fn check_fits(samples: usize, batch: usize, device: &Device) -> Result<(), CliError> {
    let n_test = test_rows(samples);
    let n_train = samples - n_test.min(samples);
    let rows = batch.min(n_train).max(n_test);
    for (what, shape) in [("the train features", [n_train, FEATURES]), ("a layer's activations", [rows, HIDDEN])] {
        device.check_alloc(&shape, DType::F32).map_err(|e| {
            CliError::new(format!(
                "--samples {samples} --batch-size {batch}: {} cannot hold {what} ({shape:?} float32): {e}; pass a \
                 smaller --samples or --batch-size, or use --device cpu",
                device.name()
            ))
        })?;
    }
    Ok(())
}

/// Trains `spec` on mini-batches of consecutive training rows (see the module doc). `on_epoch`
/// sees every record as it is made; the timing excludes the data and the model construction.
///
/// # Errors
/// A learning rate that is not a positive number, `--samples` that leave the train set empty,
/// sizes the device cannot hold, or a failed backward pass or device.
pub fn train(
    name: &str,
    spec: &TrainSpec,
    opts: TrainOptions,
    device: &Device,
    on_epoch: &mut dyn FnMut(&EpochRecord),
) -> Result<Trained, CliError> {
    let (epochs, lr) = opts.epochs_and_lr(spec)?;
    let samples = opts.samples.unwrap_or(match spec.data {
        DataKind::BlobsLarge { samples } => samples,
        _ => SAMPLES,
    });
    let batch = opts.batch_size.unwrap_or(BATCH_SIZE);
    if batch == 0 {
        return Err(CliError::new("--batch-size 0: pass at least one row per batch, such as 1024"));
    }
    check_fits(samples, batch, device)?;
    let data = super::data::load(DataKind::BlobsLarge { samples })?;
    let (n_train, nf) = (data.n_train(), data.n_features);
    let x_train = Tensor::from_slice(&data.x_train, &[n_train, nf], device);
    let x_test = Var::constant(Tensor::from_slice(&data.x_test, &[data.n_test(), nf], device));
    let class_ids = |y: &[f32]| Tensor::from_vec(y.iter().map(|&v| v as i64).collect::<Vec<i64>>(), &[y.len()], device);
    let (y_train, y_test) = (class_ids(&data.y_train), class_ids(&data.y_test));

    let mut model = build_model(spec, opts.seed, device);
    let params = model.parameters();
    let mut opt: Box<dyn Optimizer> = match spec.optimizer {
        OptimizerKind::Sgd => Box::new(SGD::new(params, SgdConfig::new(lr))),
        OptimizerKind::Adam => Box::new(Adam::new(params, AdamConfig::new(lr))),
    };
    let loss_fn = CrossEntropyLoss::new();
    let n_batches = n_train.div_ceil(batch);

    let mut history = Vec::with_capacity(epochs);
    let start = Instant::now();
    for epoch in 0..epochs {
        // LOOP 1: the mini-batches, consecutive rows in order. The batch losses and the correct
        // predictions are summed on the device and read once, with the test figures, after the epoch.
        let mut loss_sum: Option<Tensor> = None;
        let mut correct: Option<Tensor> = None;
        model.train();
        for row in (0..n_train).step_by(batch) {
            let rows = row..(row + batch).min(n_train);
            let (xb, yb) = (Var::constant(x_train.slice(rows.clone())), y_train.slice(rows));
            let logits = model.forward(&xb);
            let loss = loss_fn.forward(&logits, &yb);
            let (hits, _) = count_correct(&logits.tensor(), &yb, spec.loss);
            correct = Some(match correct {
                Some(c) => c.add(&hits),
                None => hits,
            });
            opt.zero_grad();
            loss.try_backward().map_err(|e| CliError::new(format!("{name}: backward failed at epoch {epoch}: {e}")))?;
            opt.step();
            let l = loss.tensor();
            loss_sum = Some(match loss_sum {
                Some(s) => s.add(&l),
                None => l,
            });
        }
        let (loss_sum, correct) = (loss_sum.expect("at least one batch"), correct.expect("at least one batch"));

        // One pass over the whole test set, no graph recorded.
        model.eval();
        let (test_loss, test_correct) = no_grad(|| {
            let logits = model.forward(&x_test);
            let loss = loss_fn.forward(&logits, &y_test);
            (loss.tensor(), count_correct(&logits.tensor(), &y_test, spec.loss))
        });
        // The epoch's four figures in one transfer (one wait for the device).
        let v: Vec<f64> = Tensor::to_host_many(&[&loss_sum, &correct, &test_loss, &test_correct.0])
            .into_iter()
            .map(|h| h.to_f64_vec()[0])
            .collect();
        let (train_loss, train_acc) = (v[0] / n_batches as f64, Some(accuracy_of(v[1], n_train)));
        let (test_loss, test_acc) = (v[2], Some(accuracy_of(v[3], test_correct.1)));
        let rec = EpochRecord { epoch, train_loss, train_acc, test_loss, test_acc };
        on_epoch(&rec);
        history.push(rec);
    }
    device.synchronize().map_err(|e| CliError::new(format!("{name}: the device failed: {e}")))?;
    let train_seconds = start.elapsed().as_secs_f64();

    let record =
        RunRecord { run: name.to_string(), device: device.name(), seed: opts.seed, lr, epochs, train_seconds, history };
    Ok(Trained { model, data, record, loss: spec.loss, device: device.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_rows_follow_train_test_split() {
        // sklearn: n_test = ceil(0.2 * n): 100,000 → 20,000; 2,000 → 400; 7 → 2; 2 → 1.
        assert_eq!(test_rows(100_000), 20_000);
        assert_eq!(test_rows(2_000), 400);
        assert_eq!(test_rows(7), 2);
        assert_eq!(test_rows(2), 1);
    }

    #[test]
    fn a_small_run_learns_and_is_deterministic() {
        let opts =
            TrainOptions { samples: Some(300), epochs: Some(2), batch_size: Some(64), ..TrainOptions::default() };
        let run = || train("blobs-large", &TRAIN, opts, &Device::Cpu, &mut |_| {}).unwrap().record;
        let (a, b) = (run(), run());
        assert_eq!(a.history.len(), 2);
        assert!(a.history[1].train_loss < a.history[0].train_loss, "{:?}", a.history);
        assert_eq!(a.history, b.history, "same seed, same bits");
    }

    #[test]
    fn a_batch_of_zero_rows_is_refused() {
        let opts = TrainOptions { samples: Some(100), batch_size: Some(0), ..TrainOptions::default() };
        let e = train("blobs-large", &TRAIN, opts, &Device::Cpu, &mut |_| {}).err().unwrap().to_string();
        assert!(e.contains("--batch-size 0"), "{e}");
    }
}
