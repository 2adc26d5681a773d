//! The loss and accuracy curves of a run (train and test, per epoch): the tutorial prints them
//! every 10 or 100 epochs; here every epoch is drawn.
//!
//! Each curve is drawn twice: every epoch's value as a thin line, and — for runs of 200 epochs or
//! more — its centred moving mean as a thick line on top. A run whose loss swings from one epoch to
//! the next (the straight line's L1 at lr 0.1 overshoots every step) would otherwise paint a solid
//! band that hides the other curve, and a thick stroke through such a zigzag is drawn with mitred
//! joins that spike far outside the data. The thin lines are one pixel wide (no joins), the mean
//! is smooth, and the y axis spans the data (a loss from 0, an accuracy up to 100 %), so every
//! stroke stays inside the plot.

use super::{err, save_png_svg, tick_label, FONT_FAMILY};
use crate::error::CliError;
use crate::record::RunRecord;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Which pair of curves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// Train and test loss.
    Loss,
    /// Train and test accuracy (percent).
    Accuracy,
}

/// `(epoch, value)` points of one curve.
type Points = Vec<(f64, f64)>;

fn series(rec: &RunRecord, curve: Curve) -> (Points, Points) {
    let pick = |train: bool| -> Points {
        rec.history
            .iter()
            .filter_map(|h| {
                let v = match (curve, train) {
                    (Curve::Loss, true) => Some(h.train_loss),
                    (Curve::Loss, false) => Some(h.test_loss),
                    (Curve::Accuracy, true) => h.train_acc,
                    (Curve::Accuracy, false) => h.test_acc,
                };
                v.filter(|v| v.is_finite()).map(|v| (h.epoch as f64, v))
            })
            .collect()
    };
    (pick(true), pick(false))
}

/// Half the window of the moving mean: one epoch in 200 on each side (none below 200 epochs).
pub fn half_window(epochs: usize) -> usize {
    epochs / 200
}

/// The moving mean of `points` over the `2·half + 1` neighbours centred on each (at the ends, the
/// part of that window inside the run, so a swing is smoothed there too), summed left to right: the
/// same bits on every run.
pub fn moving_mean(points: &[(f64, f64)], half: usize) -> Points {
    (0..points.len())
        .map(|i| {
            let window = &points[i.saturating_sub(half)..=(i + half).min(points.len() - 1)];
            (points[i].0, window.iter().map(|p| p.1).sum::<f64>() / window.len() as f64)
        })
        .collect()
}

/// The y range of the plot: a loss from 0 (losses are never negative) to 5 % above its largest
/// value; an accuracy from 5 % below its smallest value (at least 0) to 100.
pub fn y_range(curve: Curve, values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        return match curve {
            Curve::Loss => (0.0, 1.0),
            Curve::Accuracy => (0.0, 100.0),
        };
    }
    match curve {
        Curve::Loss => (lo.min(0.0), if hi > 0.0 { hi * 1.05 } else { 1.0 }),
        Curve::Accuracy => (((lo - 5.0) / 10.0).floor().clamp(0.0, 9.0) * 10.0, hi.max(100.0)),
    }
}

/// Draws one pair of curves.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, rec: &RunRecord, curve: Curve) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (train, test) = series(rec, curve);
    let (lo, hi) = y_range(curve, train.iter().chain(&test).map(|p| p.1));
    let x_max = (rec.epochs.max(2) - 1) as f64;
    let what = match curve {
        Curve::Loss => "loss",
        Curve::Accuracy => "accuracy",
    };
    let half = half_window(rec.epochs);
    let title = format!("{} (lr {}): {what}", rec.run, rec.lr);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_max, lo..hi)
        .map_err(err)?;
    let y_desc = match curve {
        Curve::Loss => "loss".to_string(),
        Curve::Accuracy => "accuracy (%)".to_string(),
    };
    let x_desc = if half > 0 {
        format!("epoch (thin: every epoch; thick: mean of {} epochs)", 2 * half + 1)
    } else {
        "epoch".to_string()
    };
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| tick_label(*v, x_max))
        .y_label_formatter(&|v| tick_label(*v, hi - lo))
        .label_style((FONT_FAMILY, 13))
        .axis_desc_style((FONT_FAMILY, 15))
        .draw()
        .map_err(err)?;
    let blue = RGBColor(31, 119, 180);
    let orange = RGBColor(255, 127, 14);
    // Test first, train on top; the thin lines of both before either thick one.
    let curves = [("test", test, orange), ("train", train, blue)];
    for (_, points, color) in curves.iter().filter(|_| half > 0) {
        chart.draw_series(LineSeries::new(points.iter().copied(), color.mix(0.45).stroke_width(1))).map_err(err)?;
    }
    for (label, points, color) in &curves {
        let color = *color;
        let line = if half > 0 { moving_mean(points, half) } else { points.clone() };
        chart
            .draw_series(LineSeries::new(line, color.stroke_width(2)))
            .map_err(err)?
            .label(*label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .label_font((FONT_FAMILY, 15))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Writes `<stem>.png` and `<stem>.svg` (800×500).
pub fn save(stem: &Path, rec: &RunRecord, curve: Curve) -> Result<Vec<PathBuf>, CliError> {
    save_png_svg(stem, (800, 500), |r| draw(r, rec, curve), |r| draw(r, rec, curve))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_moving_mean_flattens_a_zigzag_to_its_ends() {
        let zigzag: Points = (0..9).map(|i| (i as f64, if i % 2 == 0 { 1.0 } else { 3.0 })).collect();
        let m = moving_mean(&zigzag, 2);
        assert_eq!(m[0], (0.0, 5.0 / 3.0));
        assert_eq!(m[1], (1.0, 2.0));
        assert_eq!(m[4].1, (1.0 + 3.0 + 1.0 + 3.0 + 1.0) / 5.0);
        assert_eq!(m[8], (8.0, 5.0 / 3.0));
        assert_eq!(moving_mean(&zigzag, 0), zigzag);
    }

    #[test]
    fn losses_start_at_zero_and_accuracies_end_at_100() {
        assert_eq!(y_range(Curve::Loss, [0.5, 0.01, 1.0].into_iter()), (0.0, 1.05));
        assert_eq!(y_range(Curve::Accuracy, [47.0, 99.5].into_iter()), (40.0, 100.0));
        assert_eq!(y_range(Curve::Accuracy, [3.0, 50.0].into_iter()), (0.0, 100.0));
        assert_eq!(y_range(Curve::Loss, std::iter::empty()), (0.0, 1.0));
    }
}
