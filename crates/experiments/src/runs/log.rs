//! The tutorial's print statements, one [`LogFormat`] per distinct f-string.
//!
//! Rust's `{:.5}` and Python's `{:.5f}` agree digit for digit: both round the exact binary value
//! to nearest, ties to even. What must match too is the value itself: accuracies are computed as
//! `accuracy_fn` does, `(correct / n) * 100` in f64 (so 427/800 prints `53.37`, not `53.38`).
//!
//! The epoch number is left-aligned and padded to the width of the largest printed epoch, as seed
//! 002 shows (`Epoch: 0   | ...` when the last printed epoch is 900).

use crate::record::EpochRecord;

/// One of the tutorial's log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// `Loss: {:.5f}, Accuracy: {:.2f}% | Test loss: {:.5f}, Test acc: {:.2f}%` (002 circles, 000 moons).
    Circles,
    /// `Loss: {:.5f}, Accuracy: {:.2f}% | Test Loss: {:.5f}, Test Accuracy: {:.2f}%` (002 `model_3`).
    CirclesV2,
    /// `Train loss: {:.5f}, Test loss: {:.5f}` (002 `model_2`).
    Line,
    /// `Loss: {:.5f}, Acc: {:.2f}% | Test Loss: {:.5f}, Test Acc: {:.2f}%` (002 `model_4`).
    Blobs,
    /// `Loss: {:.2f} Acc: {:.2f} | Test loss: {:.2f} Test acc: {:.2f}` with accuracies as
    /// fractions in float32 (000's torchmetrics `Accuracy` returns a float32 tensor).
    Spirals,
}

/// Width of the largest epoch number that will be printed.
pub fn epoch_width(epochs: usize, every: usize) -> usize {
    if epochs == 0 {
        return 1;
    }
    let every = every.max(1);
    let last = (epochs - 1) / every * every;
    last.to_string().len()
}

/// A percentage as float32 fraction, the way torchmetrics holds it.
fn fraction_f32(pct: f64) -> f64 {
    ((pct / 100.0) as f32) as f64
}

/// The printed line for `rec`.
pub fn line(format: LogFormat, width: usize, rec: &EpochRecord) -> String {
    let e = rec.epoch;
    let acc = rec.train_acc.unwrap_or(f64::NAN);
    let tacc = rec.test_acc.unwrap_or(f64::NAN);
    let (l, tl) = (rec.train_loss, rec.test_loss);
    match format {
        LogFormat::Circles => {
            format!("Epoch: {e:<width$} | Loss: {l:.5}, Accuracy: {acc:.2}% | Test loss: {tl:.5}, Test acc: {tacc:.2}%")
        }
        LogFormat::CirclesV2 => format!(
            "Epoch: {e:<width$} | Loss: {l:.5}, Accuracy: {acc:.2}% | Test Loss: {tl:.5}, Test Accuracy: {tacc:.2}%"
        ),
        LogFormat::Line => format!("Epoch: {e:<width$} | Train loss: {l:.5}, Test loss: {tl:.5}"),
        LogFormat::Blobs => {
            format!("Epoch: {e:<width$} | Loss: {l:.5}, Acc: {acc:.2}% | Test Loss: {tl:.5}, Test Acc: {tacc:.2}%")
        }
        LogFormat::Spirals => format!(
            "Epoch: {e:<width$} | Loss: {l:.2} Acc: {:.2} | Test loss: {tl:.2} Test acc: {:.2}",
            fraction_f32(acc),
            fraction_f32(tacc)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(epoch: usize, l: f64, a: f64, tl: f64, ta: f64) -> EpochRecord {
        EpochRecord { epoch, train_loss: l, train_acc: Some(a), test_loss: tl, test_acc: Some(ta) }
    }

    #[test]
    fn widths_follow_the_last_printed_epoch() {
        assert_eq!(epoch_width(1000, 100), 3);
        assert_eq!(epoch_width(100, 10), 2);
        assert_eq!(epoch_width(5, 10), 1);
    }

    #[test]
    fn circles_line_is_padded_like_seed_002() {
        let acc = (407.0 / 800.0) * 100.0;
        let s = line(LogFormat::Circles, 3, &rec(0, 0.693_96, acc, 0.692_61, 51.0));
        assert_eq!(s, "Epoch: 0   | Loss: 0.69396, Accuracy: 50.88% | Test loss: 0.69261, Test acc: 51.00%");
    }

    #[test]
    fn accuracy_fn_rounding_matches_python() {
        // Python: f"{(427 / 800) * 100:.2f}" == "53.37" because the product is 53.374999...
        let acc = (427.0 / 800.0) * 100.0;
        let s = line(LogFormat::CirclesV2, 3, &rec(200, 0.68977, acc, 0.6894, 55.0));
        assert!(s.contains("Accuracy: 53.37%"), "{s}");
    }

    #[test]
    fn spirals_prints_float32_fractions() {
        // 78/240 = 0.325 is 0.32499998 in float32: torchmetrics prints 0.32.
        let acc = (78.0 / 240.0) * 100.0;
        let s = line(LogFormat::Spirals, 3, &rec(0, 1.117, acc, 1.104, (22.0 / 60.0) * 100.0));
        assert_eq!(s, "Epoch: 0   | Loss: 1.12 Acc: 0.32 | Test loss: 1.10 Test acc: 0.37");
    }
}
