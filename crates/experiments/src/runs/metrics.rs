//! `metrics` — seed 002 §"More classification evaluation metrics": the trained `blobs` model
//! (seed 42, 100 epochs) evaluated on its test set with accuracy (`torchmetrics.Accuracy` →
//! `tensor(0.9950)`), the confusion matrix and scikit-learn's `classification_report`
//! (precision, recall, F1 and support per class, macro and weighted averages).
//!
//! Target: test accuracy 99.50% (seed 002: `tensor(0.9950)`, "Test accuracy: 99.5%").

use super::train::{labels, train, TrainOptions, Trained};
use super::{RunKind, RunSpec};
use crate::error::CliError;
use tensor::{DType, Device, Tensor};

/// The run.
pub const SPEC: RunSpec = RunSpec {
    name: "metrics",
    summary: "accuracy, confusion matrix and classification report of the trained blobs model",
    kind: RunKind::Metrics,
};

/// The figure this run must reach.
pub const TARGET_ACCURACY: f64 = 99.5;

/// What the run prints and checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Test accuracy, percent.
    pub accuracy: f64,
    /// `confusion[true][pred]`.
    pub confusion: Vec<Vec<usize>>,
    /// The classification report, scikit-learn's layout.
    pub report: String,
    /// Printed lines.
    pub lines: Vec<String>,
}

/// Trains blobs and evaluates it with `nn::metrics` (scikit-learn's and torchmetrics' definitions).
pub fn run(device: &Device, seed: u64) -> Result<(Trained, Metrics), CliError> {
    let super::RunKind::Train(spec) = super::blobs::SPEC.kind else {
        return Err(CliError::new("metrics: the blobs run is not a training run"));
    };
    let trained = train("blobs", &spec, TrainOptions { seed, ..TrainOptions::default() }, device, &mut |_| {})?;
    let y_true: Vec<i64> = trained.data.y_test.iter().map(|&v| v as i64).collect();
    let logits = trained.logits(&trained.data.x_test);
    let y_pred_t = labels(&logits, trained.loss);
    let y_pred: Vec<i64> = y_pred_t.to_dtype(DType::I64).to_vec::<i64>();
    let y_true_t = Tensor::from_vec(y_true.clone(), &[y_true.len()], &Device::Cpu);
    let y_pred_cpu = Tensor::from_vec(y_pred.clone(), &[y_pred.len()], &Device::Cpu);
    let accuracy = super::train::accuracy_fn(&y_true_t, &y_pred_cpu);
    let matrix = nn::metrics::confusion_matrix(&y_true_t, &y_pred_cpu);
    let k = matrix.shape()[0];
    let confusion: Vec<Vec<usize>> =
        matrix.to_vec::<i64>().chunks(k.max(1)).map(|row| row.iter().map(|&c| c as usize).collect()).collect();
    let report = nn::metrics::classification_report(&y_true_t, &y_pred_cpu, None, 2);
    let mut lines = vec![
        format!("Predictions: {:?}", &y_pred[..10.min(y_pred.len())]),
        format!("Labels:      {:?}", &y_true[..10.min(y_true.len())]),
        format!("Test accuracy: {accuracy}%"),
        "Confusion matrix (rows: true class, columns: predicted class):".to_string(),
    ];
    lines.extend(confusion.iter().map(|row| format!("  {row:?}")));
    lines.push("Classification report:".to_string());
    lines.extend(report.lines().map(str::to_string));
    Ok((trained, Metrics { accuracy, confusion, report, lines }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trained_blobs_reach_the_tutorial_accuracy() {
        let (_, m) = run(&Device::Cpu, 42).unwrap();
        assert!(m.accuracy >= TARGET_ACCURACY, "accuracy {}", m.accuracy);
        let diag: usize = (0..4).map(|c| m.confusion[c][c]).sum();
        assert_eq!(diag as f64 / 200.0 * 100.0, m.accuracy);
        assert!(m.report.contains("    accuracy                           0.99       200"), "{}", m.report);
    }
}
