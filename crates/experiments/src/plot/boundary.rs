//! `plot_decision_boundary(model, X, y)` from the tutorial's `helper_functions.py`:
//!
//! 1. `x_min, x_max = X[:, 0].min() - 0.1, X[:, 0].max() + 0.1` (same for the second column);
//! 2. `xx, yy = np.meshgrid(np.linspace(x_min, x_max, 101), np.linspace(y_min, y_max, 101))` — here
//!    [`GRID`] = 401 nodes per axis instead of 101 (see below);
//! 3. predict every grid point: `round(sigmoid(logits))` for two classes, `softmax(...).argmax(1)`
//!    for more (the caller does this with the model, see [`grid`]);
//! 4. `plt.contourf(xx, yy, y_pred, cmap=RdYlBu, alpha=0.7)`: here each grid node colours the cell
//!    around it (half-way to its neighbours), runs of equal labels merged into one rectangle;
//! 5. `plt.scatter(X[:, 0], X[:, 1], c=y, s=40, cmap=RdYlBu)`, each point with a dark edge.
//!
//! Why 401 nodes: matplotlib's `contourf` draws smooth boundaries between the 101 nodes by
//! interpolating; cells of one label each, at 101 nodes, are five pixels wide in this figure and
//! draw the boundary as a staircase. At 401 nodes a cell is about a pixel, so the same cell fill
//! is smooth, and it stays exact (every pixel shows what the model predicts there) and
//! deterministic. The edge on the points: a point of the light middle class of `RdYlBu` on its own
//! region (the same colour at alpha 0.7 over white) would otherwise vanish.
//!
//! The figure is `figsize=(12, 6)`: "Train" on the left, "Test" on the right.

use super::colormap::{class_color, over_white};
use super::{err, range_padded, save_png_svg, tick_label, FONT_FAMILY};
use crate::datasets::linspace;
use crate::error::CliError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Grid resolution per axis (four times the tutorial's 101: see the module doc).
pub const GRID: usize = 401;

/// The prediction grid of one panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// `np.linspace(x_min, x_max, GRID)`.
    pub xs: Vec<f64>,
    /// `np.linspace(y_min, y_max, GRID)`.
    pub ys: Vec<f64>,
    /// The points to predict, `np.column_stack((xx.ravel(), yy.ravel())).float()`: point
    /// `k` is `(xs[k % GRID], ys[k / GRID])`, row-major `[GRID * GRID, 2]`.
    pub points: Vec<f32>,
}

/// The grid around the rows of `x` (`[n, 2]` row-major).
pub fn grid(x: &[f32]) -> Grid {
    let (x_min, x_max) = range_padded(x.chunks(2).map(|r| r[0] as f64), 0.1);
    let (y_min, y_max) = range_padded(x.chunks(2).map(|r| r[1] as f64), 0.1);
    let xs = linspace(x_min, x_max, GRID, true);
    let ys = linspace(y_min, y_max, GRID, true);
    let mut points = Vec::with_capacity(GRID * GRID * 2);
    for &yv in &ys {
        for &xv in &xs {
            points.push(xv as f32);
            points.push(yv as f32);
        }
    }
    Grid { xs, ys, points }
}

/// One side of the figure.
#[derive(Debug, Clone)]
pub struct Panel<'a> {
    /// "Train" or "Test".
    pub title: &'a str,
    /// The points, `[n, 2]` row-major.
    pub x: &'a [f32],
    /// Their labels.
    pub y: &'a [i64],
    /// The grid and...
    pub grid: Grid,
    /// ...the predicted label of each grid point.
    pub pred: Vec<i64>,
}

/// Cell edges around grid nodes: half-way between neighbours, the outer edges at the nodes.
fn edges(nodes: &[f64]) -> Vec<f64> {
    let n = nodes.len();
    let mut e = Vec::with_capacity(n + 1);
    e.push(nodes[0]);
    for i in 1..n {
        e.push(0.5 * (nodes[i - 1] + nodes[i]));
    }
    e.push(nodes[n - 1]);
    e
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel, n_classes: usize) -> Result<(), String> {
    let g = &p.grid;
    let (x0, x1) = (g.xs[0], g.xs[GRID - 1]);
    let (y0, y1) = (g.ys[0], g.ys[GRID - 1]);
    let mut chart = ChartBuilder::on(area)
        .caption(p.title, (FONT_FAMILY, 22))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|v| tick_label(*v, x1 - x0))
        .y_label_formatter(&|v| tick_label(*v, y1 - y0))
        .label_style((FONT_FAMILY, 13))
        .draw()
        .map_err(err)?;

    // contourf: one rectangle per run of equal labels along each grid row.
    let (ex, ey) = (edges(&g.xs), edges(&g.ys));
    let mut rects = Vec::new();
    for i in 0..GRID {
        let row = &p.pred[i * GRID..(i + 1) * GRID];
        let mut j = 0;
        while j < GRID {
            let label = row[j];
            let mut k = j + 1;
            while k < GRID && row[k] == label {
                k += 1;
            }
            let color = over_white(class_color(label, n_classes), 0.7);
            rects.push(Rectangle::new([(ex[j], ey[i]), (ex[k], ey[i + 1])], color.filled()));
            j = k;
        }
    }
    chart.draw_series(rects).map_err(err)?;

    // scatter(X[:, 0], X[:, 1], c=y, s=40), with a dark edge (edgecolors="k", linewidths=0.5)
    let points = || p.x.chunks(2).zip(p.y).map(|(r, &label)| ((r[0] as f64, r[1] as f64), label));
    chart
        .draw_series(points().map(|(at, label)| Circle::new(at, 4, class_color(label, n_classes).filled())))
        .map_err(err)?;
    let edge = RGBColor(30, 30, 30).stroke_width(1);
    chart.draw_series(points().map(|(at, _)| Circle::new(at, 4, edge))).map_err(err)?;
    Ok(())
}

/// Draws the panels side by side.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    panels: &[Panel],
    n_classes: usize,
) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    let areas = root.split_evenly((1, panels.len().max(1)));
    for (area, p) in areas.iter().zip(panels) {
        draw_panel(area, p, n_classes)?;
    }
    Ok(())
}

/// Writes `<stem>.png` and `<stem>.svg` (1200×600, the tutorial's `figsize=(12, 6)`).
pub fn save(stem: &Path, panels: &[Panel], n_classes: usize) -> Result<Vec<PathBuf>, CliError> {
    save_png_svg(stem, (1200, 600), |r| draw(r, panels, n_classes), |r| draw(r, panels, n_classes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_padded_and_row_major() {
        let x = [0.0f32, 0.0, 1.0, 2.0];
        let g = grid(&x);
        assert!((g.xs[0] + 0.1).abs() < 1e-12 && (g.xs[GRID - 1] - 1.1).abs() < 1e-12);
        assert!((g.ys[0] + 0.1).abs() < 1e-12 && (g.ys[GRID - 1] - 2.1).abs() < 1e-12);
        // point 1 is (xs[1], ys[0]); point 101 is (xs[0], ys[1])
        assert_eq!(g.points[2], g.xs[1] as f32);
        assert_eq!(g.points[3], g.ys[0] as f32);
        assert_eq!(g.points[2 * GRID + 1], g.ys[1] as f32);
        assert_eq!(g.points.len(), 2 * GRID * GRID);
    }

    #[test]
    fn edges_bracket_the_nodes() {
        assert_eq!(edges(&[0.0, 1.0, 2.0]), vec![0.0, 0.5, 1.5, 2.0]);
    }
}
