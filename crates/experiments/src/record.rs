//! What a run leaves behind: one [`EpochRecord`] per epoch and the [`RunRecord`] written by
//! `--json PATH`:
//!
//! ```json
//! {"run": "moons", "device": "cpu", "seed": 42, "lr": 0.1, "epochs": 1000, "train_seconds": 0.05,
//!  "history": [{"epoch": 0, "train_loss": 0.695, "train_acc": 37.375, "test_loss": 0.694, "test_acc": 49.5}, ...]}
//! ```
//!
//! Accuracies are in percent (the tutorial's `accuracy_fn`), `null` for the regression run `line`.
//! `train_seconds` times the training loop alone (no data generation, no plotting).

use serde::{Deserialize, Serialize};

/// The four figures of one epoch: the train step's loss and accuracy (measured on the forward
/// pass before the optimizer step, as the tutorial does) and the test set's after the step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 0-based epoch.
    pub epoch: usize,
    /// Loss of the train forward pass.
    pub train_loss: f64,
    /// Train accuracy in percent; `None` for regression.
    pub train_acc: Option<f64>,
    /// Loss on the test set after the step.
    pub test_loss: f64,
    /// Test accuracy in percent; `None` for regression.
    pub test_acc: Option<f64>,
}

/// Everything `--json` writes about one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Run name (`circles-v1`, ...).
    pub run: String,
    /// Device name (`cpu`, `wgpu:<adapter>`).
    pub device: String,
    /// Seed given to `nn::manual_seed` right before the model is built.
    pub seed: u64,
    /// Learning rate.
    pub lr: f64,
    /// Number of epochs.
    pub epochs: usize,
    /// Wall-clock seconds of the training loop alone.
    pub train_seconds: f64,
    /// One record per epoch.
    pub history: Vec<EpochRecord>,
}

impl RunRecord {
    /// The last epoch's record.
    pub fn last(&self) -> Option<&EpochRecord> {
        self.history.last()
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a RunRecord always serializes")
    }
}
