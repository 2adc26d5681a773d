//! `plot_predictions(train_data, train_labels, test_data, test_labels, predictions)` from the
//! tutorial's `helper_functions.py`: `figsize=(10, 7)`, training data blue, testing data green,
//! predictions red, all `s=4`, with a legend.

use super::{err, range_padded, save_png_svg, tick_label, FONT_FAMILY};
use crate::error::CliError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// The points of the picture (one feature per row).
#[derive(Debug, Clone, PartialEq)]
pub struct LinePlot {
    /// The figure's title (the run and its learning rate: `line (lr 0.01): predictions`).
    pub title: String,
    /// Train inputs.
    pub x_train: Vec<f32>,
    /// Train targets.
    pub y_train: Vec<f32>,
    /// Test inputs.
    pub x_test: Vec<f32>,
    /// Test targets.
    pub y_test: Vec<f32>,
    /// Model predictions on the test inputs.
    pub predictions: Vec<f32>,
}

/// Draws the picture.
pub fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &LinePlot) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let xs = p.x_train.iter().chain(&p.x_test).map(|&v| v as f64);
    let ys = p.y_train.iter().chain(&p.y_test).chain(&p.predictions).map(|&v| v as f64);
    let (x0, x1) = range_padded(xs, 0.05);
    let (y0, y1) = range_padded(ys, 0.05);
    let mut chart = ChartBuilder::on(root)
        .caption(&p.title, (FONT_FAMILY, 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|v| tick_label(*v, x1 - x0))
        .y_label_formatter(&|v| tick_label(*v, y1 - y0))
        .label_style((FONT_FAMILY, 13))
        .draw()
        .map_err(err)?;
    let groups: [(&str, &[f32], &[f32], RGBColor); 3] = [
        ("Training data", &p.x_train, &p.y_train, BLUE),
        ("Testing data", &p.x_test, &p.y_test, RGBColor(0, 128, 0)),
        ("Predictions", &p.x_test, &p.predictions, RED),
    ];
    for (label, x, y, color) in groups {
        chart
            .draw_series(x.iter().zip(y).map(move |(&a, &b)| Circle::new((a as f64, b as f64), 3, color.filled())))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
    }
    chart
        .configure_series_labels()
        .label_font((FONT_FAMILY, 16))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Writes `<stem>.png` and `<stem>.svg` (1000×700).
pub fn save(stem: &Path, p: &LinePlot) -> Result<Vec<PathBuf>, CliError> {
    save_png_svg(stem, (1000, 700), |r| draw(r, p), |r| draw(r, p))
}
