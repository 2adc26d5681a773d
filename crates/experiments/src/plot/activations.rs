//! The activations figure: for ReLU, sigmoid and tanh, the hand-written function (solid line) and
//! the built-in (dots) over `A = arange(-10, 10)`, plus `A` itself — the tutorial's
//! `plt.plot(A)`, `plt.plot(relu(A))`, `plt.plot(sigmoid(A))` and 000's `plt.plot(tanh(...))`.
//! The panel of `A` itself has nothing built in to compare with: one line, no legend.

use super::{err, save_png_svg, tick_label, FONT_FAMILY};
use crate::error::CliError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// One panel: a name and the two curves.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationPanel {
    /// Panel title.
    pub name: String,
    /// Hand-written values.
    pub by_hand: Vec<f32>,
    /// Built-in values.
    pub built_in: Vec<f32>,
}

/// Draws the panels on a 2×2 grid against `x`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: &[f32],
    panels: &[ActivationPanel],
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let areas = root.split_evenly((2, 2));
    for (area, p) in areas.iter().zip(panels) {
        let vals = p.by_hand.iter().chain(&p.built_in).map(|&v| v as f64);
        let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let pad = ((hi - lo) * 0.05).max(1e-3);
        let (x0, x1) = (x[0] as f64 - 0.5, x[x.len() - 1] as f64 + 0.5);
        let mut chart = ChartBuilder::on(area)
            .caption(&p.name, (FONT_FAMILY, 20))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(45)
            .build_cartesian_2d(x0..x1, (lo - pad)..(hi + pad))
            .map_err(err)?;
        let (y0, y1) = (lo - pad, hi + pad);
        chart
            .configure_mesh()
            .x_label_formatter(&|v| tick_label(*v, x1 - x0))
            .y_label_formatter(&|v| tick_label(*v, y1 - y0))
            .label_style((FONT_FAMILY, 12))
            .draw()
            .map_err(err)?;
        let blue = RGBColor(31, 119, 180);
        let orange = RGBColor(255, 127, 14);
        // `plt.plot(A)`: the input itself, with no hand-written twin.
        let is_input = p.by_hand == x && p.built_in == x;
        if is_input {
            chart
                .draw_series(LineSeries::new(
                    x.iter().zip(&p.by_hand).map(|(&a, &b)| (a as f64, b as f64)),
                    blue.stroke_width(2),
                ))
                .map_err(err)?;
            continue;
        }
        chart
            .draw_series(LineSeries::new(
                x.iter().zip(&p.by_hand).map(|(&a, &b)| (a as f64, b as f64)),
                blue.stroke_width(2),
            ))
            .map_err(err)?
            .label("by hand")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], blue.stroke_width(2)));
        chart
            .draw_series(
                x.iter().zip(&p.built_in).map(|(&a, &b)| Circle::new((a as f64, b as f64), 3, orange.filled())),
            )
            .map_err(err)?
            .label("built in")
            .legend(move |(x, y)| Circle::new((x + 10, y), 3, orange.filled()));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT_FAMILY, 13))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// Writes `<stem>.png` and `<stem>.svg` (1000×800).
pub fn save(stem: &Path, x: &[f32], panels: &[ActivationPanel]) -> Result<Vec<PathBuf>, CliError> {
    save_png_svg(stem, (1000, 800), |r| draw(r, x, panels), |r| draw(r, x, panels))
}
