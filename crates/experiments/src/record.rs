//! What a run leaves behind: one [`EpochRecord`] per epoch and the [`RunRecord`] written by
//! `--json PATH`:
//!
//! ```json
//! {"run": "moons", "device": "cpu", "seed": 42, "lr": 0.1, "epochs": 1000, "train_seconds": 0.05,
//!  "history": [{"epoch": 0, "train_loss": 0.695, "train_acc": 37.375, "test_loss": 0.694, "test_acc": 49.5}, ...]}
//! ```
//!
//! Accuracies are in percent (the tutorial's `accuracy_fn`), `null` for the regression run `line`.
//! `train_seconds` times the training loop alone (no data generation, no plotting). A loss that
//! diverged is written as the string `"NaN"`, `"Infinity"` or `"-Infinity"` (JSON has no such
//! numbers; Python's `float()` reads these strings), never as `null`, so the file reads back.

use serde::{Deserialize, Serialize};

/// The four figures of one epoch: the train step's loss and accuracy (measured on the forward
/// pass before the optimizer step, as the tutorial does) and the test set's after the step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    /// 0-based epoch.
    pub epoch: usize,
    /// Loss of the train forward pass.
    #[serde(with = "non_finite_as_text")]
    pub train_loss: f64,
    /// Train accuracy in percent; `None` for regression.
    pub train_acc: Option<f64>,
    /// Loss on the test set after the step.
    #[serde(with = "non_finite_as_text")]
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

/// A loss as a JSON number when finite, else as Python's spelling of it in a string.
mod non_finite_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        match *v {
            v if v.is_finite() => s.serialize_f64(v),
            v if v.is_nan() => s.serialize_str("NaN"),
            v if v > 0.0 => s.serialize_str("Infinity"),
            _ => s.serialize_str("-Infinity"),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum NumberOrText {
            Number(f64),
            Text(String),
        }
        match NumberOrText::deserialize(d)? {
            NumberOrText::Number(v) => Ok(v),
            NumberOrText::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                other => Err(serde::de::Error::custom(format!("not a loss: {other:?}"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diverged_losses_read_back() {
        let rec = RunRecord {
            run: "blobs".into(),
            device: "cpu".into(),
            seed: 42,
            lr: 1e300,
            epochs: 3,
            train_seconds: 0.5,
            history: [f64::NAN, f64::INFINITY, f64::NEG_INFINITY]
                .iter()
                .enumerate()
                .map(|(epoch, &l)| EpochRecord {
                    epoch,
                    train_loss: 0.25,
                    train_acc: None,
                    test_loss: l,
                    test_acc: None,
                })
                .collect(),
        };
        let json = rec.to_json();
        assert!(
            !json.contains("\"test_loss\": null") && json.contains("\"NaN\"") && json.contains("\"-Infinity\""),
            "{json}"
        );
        let back: RunRecord = serde_json::from_str(&json).unwrap();
        assert!(back.history[0].test_loss.is_nan());
        assert_eq!(back.history[1].test_loss, f64::INFINITY);
        assert_eq!(back.history[2].test_loss, f64::NEG_INFINITY);
        assert_eq!(back.history[0].train_loss, 0.25);
    }
}
