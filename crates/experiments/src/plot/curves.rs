//! The loss and accuracy curves of a run (train and test, per epoch): the tutorial prints them
//! every 10 or 100 epochs; here every epoch is drawn.

use super::{err, save_png_svg, FONT_FAMILY};
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

/// Draws one pair of curves.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, rec: &RunRecord, curve: Curve) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let (train, test) = series(rec, curve);
    let all = train.iter().chain(&test).map(|p| p.1);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.05).max(1e-6);
    let x_max = (rec.epochs.max(2) - 1) as f64;
    let (title, y_desc) = match curve {
        Curve::Loss => (format!("{}: loss", rec.run), "loss"),
        Curve::Accuracy => (format!("{}: accuracy", rec.run), "accuracy (%)"),
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT_FAMILY, 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_max, (lo - pad)..(hi + pad))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_desc)
        .label_style((FONT_FAMILY, 13))
        .axis_desc_style((FONT_FAMILY, 15))
        .draw()
        .map_err(err)?;
    let blue = RGBColor(31, 119, 180);
    let orange = RGBColor(255, 127, 14);
    chart
        .draw_series(LineSeries::new(train, blue.stroke_width(2)))
        .map_err(err)?
        .label("train")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], blue.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(test, orange.stroke_width(2)))
        .map_err(err)?
        .label("test")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], orange.stroke_width(2)));
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
