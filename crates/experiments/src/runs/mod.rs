//! The tutorial's runs. One file per run, each starting with a header that says which tutorial
//! cell it reproduces, its hyper-parameters and the figure it must reach (checked by its test):
//!
//! | run          | model                  | loss            | optimizer    | epochs | seed notebook   |
//! |--------------|------------------------|-----------------|--------------|--------|-----------------|
//! | `circles-v0` | 2→5→1                  | BCEWithLogits   | SGD 0.1      | 100    | 002 `model_0`   |
//! | `circles-v1` | 2→10→10→1              | BCEWithLogits   | SGD 0.1      | 1000   | 002 `model_1`   |
//! | `line`       | 1→10→10→1              | L1              | SGD 0.1      | 1000   | 002 `model_2`   |
//! | `circles-v2` | 2→10→10→1, ReLU        | BCEWithLogits   | SGD 0.1      | 1000   | 002 `model_3`   |
//! | `blobs`      | 2→8→8→4                | CrossEntropy    | SGD 0.1      | 100    | 002 `model_4`   |
//! | `moons`      | 2→10→10→1, ReLU        | BCEWithLogits   | SGD 0.1      | 1000   | 000 exercise 1-5|
//! | `spirals`    | 2→10→10→3, ReLU        | CrossEntropy    | Adam 0.02    | 1000   | 000 exercise 7  |
//! | `activations`| ReLU/sigmoid/tanh by hand vs built in, on `arange(-10, 10)`     | 002 §7, 000 §6  |
//! | `metrics`    | precision/recall/F1/confusion matrix of the trained blobs model | 002 §9          |
//! | `blobs-large`| 32→512→512→10, ReLU    | CrossEntropy    | Adam 0.001   | 5      | beyond the tutorial |
//!
//! Every tutorial training run follows the same recipe ([`train::train`]): seed, build the model,
//! then per epoch a full-batch train step (forward, loss, accuracy, `zero_grad`, `backward`,
//! `step`) and an evaluation of the test set under `no_grad`. `blobs-large` trains on mini-batches
//! of consecutive rows instead ([`blobs_large::train`]), with the same model builder and metrics.

pub mod activations;
pub mod blobs;
pub mod blobs_large;
pub mod circles_v0;
pub mod circles_v1;
pub mod circles_v2;
pub mod data;
pub mod line;
pub mod log;
pub mod metrics;
pub mod moons;
pub mod spirals;
pub mod train;

pub use data::{DataKind, TrainData};
pub use log::LogFormat;

use crate::record::RunRecord;

/// The loss a run minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossKind {
    /// `nn.BCEWithLogitsLoss()` on the squeezed logits; labels `round(sigmoid(logits))`.
    BceWithLogits,
    /// `nn.CrossEntropyLoss()`; labels `softmax(logits).argmax(1)`.
    CrossEntropy,
    /// `nn.L1Loss()` (regression: no accuracy).
    L1,
}

/// The optimizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerKind {
    /// `torch.optim.SGD(params, lr)`.
    Sgd,
    /// `torch.optim.Adam(params, lr)` (betas 0.9/0.999, eps 1e-8).
    Adam,
}

/// A figure of a finished run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Train accuracy of the last epoch, percent.
    TrainAcc,
    /// Test accuracy of the last epoch, percent.
    TestAcc,
    /// Train loss of the last epoch.
    TrainLoss,
    /// Test loss of the last epoch.
    TestLoss,
}

/// How the figure compares with the target value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// Strictly greater.
    Above,
    /// At least.
    AtLeast,
    /// At most.
    AtMost,
    /// Strictly smaller.
    Below,
}

/// The figure a run must reach, as the seed notebooks state or show it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Which figure.
    pub metric: Metric,
    /// How it compares.
    pub cmp: Cmp,
    /// The threshold.
    pub value: f64,
    /// Where the number comes from, for the report.
    pub source: &'static str,
}

impl Target {
    /// The figure in `record` this target looks at (`None` when the run has no such figure).
    pub fn achieved(&self, record: &RunRecord) -> Option<f64> {
        let last = record.last()?;
        match self.metric {
            Metric::TrainAcc => last.train_acc,
            Metric::TestAcc => last.test_acc,
            Metric::TrainLoss => Some(last.train_loss),
            Metric::TestLoss => Some(last.test_loss),
        }
    }

    /// Whether `record` meets the target.
    pub fn met(&self, record: &RunRecord) -> bool {
        match self.achieved(record) {
            None => false,
            Some(v) => match self.cmp {
                Cmp::Above => v > self.value,
                Cmp::AtLeast => v >= self.value,
                Cmp::AtMost => v <= self.value,
                Cmp::Below => v < self.value,
            },
        }
    }

    /// `test acc > 96.00%`-style text.
    pub fn describe(&self) -> String {
        let (name, pct) = match self.metric {
            Metric::TrainAcc => ("final train acc", true),
            Metric::TestAcc => ("final test acc", true),
            Metric::TrainLoss => ("final train loss", false),
            Metric::TestLoss => ("final test loss", false),
        };
        let op = match self.cmp {
            Cmp::Above => ">",
            Cmp::AtLeast => "≥",
            Cmp::AtMost => "≤",
            Cmp::Below => "<",
        };
        if pct {
            format!("{name} {op} {:.2}%", self.value)
        } else {
            format!("{name} {op} {:.5}", self.value)
        }
    }
}

/// One training run of the tutorial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainSpec {
    /// The data.
    pub data: DataKind,
    /// Layer widths, input first: `[2, 10, 10, 1]` is `Linear(2,10), Linear(10,10), Linear(10,1)`.
    pub widths: &'static [usize],
    /// `nn.ReLU()` between the linear layers.
    pub relu: bool,
    /// The loss.
    pub loss: LossKind,
    /// The optimizer.
    pub optimizer: OptimizerKind,
    /// Learning rate.
    pub lr: f64,
    /// Number of epochs.
    pub epochs: usize,
    /// Print every this many epochs.
    pub log_every: usize,
    /// The print statement.
    pub log: LogFormat,
    /// The figures the run must reach.
    pub targets: &'static [Target],
}

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RunKind {
    /// Trains a model.
    Train(TrainSpec),
    /// Compares hand-written activations with the built-ins.
    Activations,
    /// Classification metrics of the trained blobs model.
    Metrics,
    /// Trains a model on mini-batches of consecutive training rows ([`blobs_large::train`]).
    MiniBatch(TrainSpec),
}

impl RunKind {
    /// The training spec of a run that trains a model (full-batch or mini-batch).
    pub fn train_spec(&self) -> Option<TrainSpec> {
        match *self {
            RunKind::Train(ts) | RunKind::MiniBatch(ts) => Some(ts),
            RunKind::Activations | RunKind::Metrics => None,
        }
    }
}

/// Trains the run `spec` (full-batch or mini-batch) as its kind says; `None` for the runs that
/// train no model of their own.
pub fn train_run(
    spec: &RunSpec,
    opts: train::TrainOptions,
    device: &tensor::Device,
    on_epoch: &mut dyn FnMut(&crate::record::EpochRecord),
) -> Option<Result<train::Trained, crate::error::CliError>> {
    match spec.kind {
        RunKind::Train(ts) => Some(train::train(spec.name, &ts, opts, device, on_epoch)),
        RunKind::MiniBatch(ts) => Some(blobs_large::train(spec.name, &ts, opts, device, on_epoch)),
        RunKind::Activations | RunKind::Metrics => None,
    }
}

/// A named run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunSpec {
    /// CLI name.
    pub name: &'static str,
    /// One line for `experiments list`.
    pub summary: &'static str,
    /// What it does.
    pub kind: RunKind,
}

/// Every run, in the tutorial's order, then the runs beyond it.
pub const ALL: [&RunSpec; 10] = [
    &circles_v0::SPEC,
    &circles_v1::SPEC,
    &line::SPEC,
    &circles_v2::SPEC,
    &activations::SPEC,
    &blobs::SPEC,
    &metrics::SPEC,
    &moons::SPEC,
    &spirals::SPEC,
    &blobs_large::SPEC,
];

/// The run called `name`.
pub fn find(name: &str) -> Option<&'static RunSpec> {
    ALL.iter().copied().find(|s| s.name == name)
}

/// The names, comma-separated, for error messages.
pub fn names() -> String {
    ALL.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}
