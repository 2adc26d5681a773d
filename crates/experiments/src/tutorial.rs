//! The tutorial's helpers as a library, over tensors: the dataset generators it calls (`make_circles`,
//! `make_moons`, `make_blobs`, the CS231n spirals), scikit-learn's `train_test_split`, and
//! `plot_decision_boundary` from its `helper_functions.py`. They need no command line: a crate that depends on
//! `experiments` with `default-features = false` (or on `tapegrad`, which re-exports them) gets them without
//! clap.
//!
//! The generators return what scikit-learn returns — `X` as float64 `[n, n_features]` and `y` as int64 `[n]`,
//! bit for bit (they replay numpy's random stream, see [`crate::datasets`]) — so the notebook's conversion lines
//! keep their twins: `torch.from_numpy(X).type(torch.float)` is `x.to_dtype(DType::F32)`.
//!
//! A bad parameter (a negative noise, no samples) is a programmer error here, as a bad shape: the call panics at
//! the caller's line with scikit-learn's reason. [`crate::datasets`] has the same generators with every option
//! and `Result`s.
//!
//! What does not live here: the runs of the `experiments` binary ([`crate::runs`]), the CLI.

use std::path::{Path, PathBuf};

use autograd::{no_grad, Var};
use nn::Module;
use tensor::{DType, Device, Tensor};

use crate::datasets::{self, Dataset, DatasetError};
use crate::error::CliError;
use crate::plot::boundary::{self, Panel};

/// The features `[n, n_features]` float64 and labels `[n]` int64 of a dataset, on the CPU.
fn to_tensors(d: Dataset) -> (Tensor, Tensor) {
    let x = Tensor::from_vec(d.x, &[d.n_samples, d.n_features], &Device::Cpu);
    let y = Tensor::from_vec(d.y, &[d.n_samples], &Device::Cpu);
    (x, y)
}

/// Panics at the caller with the generator's reason.
#[cold]
#[track_caller]
fn bad_parameter(op: &str, e: &DatasetError) -> ! {
    panic!("{op}: {e}")
}

#[track_caller]
fn generated(op: &str, d: Result<Dataset, DatasetError>) -> (Tensor, Tensor) {
    match d {
        Ok(d) => to_tensors(d),
        Err(e) => bad_parameter(op, &e),
    }
}

/// `sklearn.datasets.make_circles(n_samples, noise=noise, random_state=random_state)` (factor 0.8, shuffled):
/// `X` float64 `[n, 2]`, `y` int64 `[n]` (0 outer circle, 1 inner).
///
/// # Panics
/// When `noise` is negative or not finite.
#[track_caller]
pub fn make_circles(n_samples: usize, noise: f64, random_state: u32) -> (Tensor, Tensor) {
    let params = datasets::Circles {
        n_samples: datasets::TwoGroupSamples::Total(n_samples),
        noise: Some(noise),
        random_state,
        ..datasets::Circles::default()
    };
    generated("make_circles", params.generate())
}

/// `sklearn.datasets.make_moons(n_samples, noise=noise, random_state=random_state)` (shuffled): `X` float64
/// `[n, 2]`, `y` int64 `[n]`.
///
/// # Panics
/// When `n_samples` is 0 or `noise` is negative or not finite.
#[track_caller]
pub fn make_moons(n_samples: usize, noise: f64, random_state: u32) -> (Tensor, Tensor) {
    let params = datasets::Moons {
        n_samples: datasets::TwoGroupSamples::Total(n_samples),
        noise: Some(noise),
        random_state,
        ..datasets::Moons::default()
    };
    generated("make_moons", params.generate())
}

/// `sklearn.datasets.make_blobs(n_samples, n_features, centers=centers, cluster_std=cluster_std,
/// random_state=random_state)` (centers drawn in `(-10, 10)`, shuffled): `X` float64 `[n, n_features]`, `y`
/// int64 `[n]` in `0..centers`.
///
/// # Panics
/// When `n_samples`, `n_features` or `centers` is 0, or `cluster_std` is negative or not finite.
#[track_caller]
pub fn make_blobs(
    n_samples: usize,
    n_features: usize,
    centers: usize,
    cluster_std: f64,
    random_state: u32,
) -> (Tensor, Tensor) {
    let params = datasets::Blobs {
        n_samples: datasets::BlobSamples::Total(n_samples),
        n_features,
        centers: Some(datasets::BlobCenters::Count(centers)),
        cluster_std: datasets::ClusterStd::Same(cluster_std),
        random_state,
        ..datasets::Blobs::default()
    };
    generated("make_blobs", params.generate())
}

/// The CS231n spirals of the exercises (`np.random.seed(seed)`, `N` points per class, `K` classes): `X`
/// float64 `[N * K, 2]` in class order, `y` int64 `[N * K]`.
///
/// # Panics
/// When `points_per_class` or `classes` is 0, or `classes > 256` (the snippet's uint8 labels).
#[track_caller]
pub fn make_spirals(points_per_class: usize, classes: usize, seed: u32) -> (Tensor, Tensor) {
    generated("make_spirals", datasets::Spirals { points_per_class, classes, seed }.generate())
}

/// `sklearn.model_selection.train_test_split(X, y, test_size=test_size, random_state=random_state)`: returns
/// `(X_train, X_test, y_train, y_test)` in scikit-learn's order (the same rows, in the same order, as
/// scikit-learn for the same seed), on the tensors' device.
///
/// # Panics
/// When `x` and `y` have different numbers of rows, `test_size` is not in `(0, 1)`, or the split leaves the
/// train set empty.
#[track_caller]
pub fn train_test_split(x: &Tensor, y: &Tensor, test_size: f64, random_state: u32) -> (Tensor, Tensor, Tensor, Tensor) {
    let n = x.shape().first().copied().unwrap_or(0);
    if y.shape().first().copied() != Some(n) {
        tensor::error::shape_error(
            "train_test_split",
            format_args!("X {:?} and y {:?} have different numbers of rows", x.shape(), y.shape()),
        );
    }
    let split = match datasets::train_test_split(n, test_size, random_state) {
        Ok(s) => s,
        Err(e) => bad_parameter("train_test_split", &e),
    };
    let index = |rows: &[usize]| {
        let ids: Vec<i64> = rows.iter().map(|&r| r as i64).collect();
        Tensor::from_vec(ids, &[rows.len()], x.device())
    };
    let (train, test) = (index(&split.train_idx), index(&split.test_idx));
    let y_index = |i: &Tensor| i.to_device(y.device());
    (
        x.index_select(0usize, &train),
        x.index_select(0usize, &test),
        y.index_select(0usize, &y_index(&train)),
        y.index_select(0usize, &y_index(&test)),
    )
}

/// The predicted label of every point of `x` (`[n, 2]`), as `helper_functions.py` decides: with more than two
/// classes in `y`, `softmax(logits, 1).argmax(1)`; else `round(sigmoid(logits))`.
fn predict(model: &dyn Module, x: &Tensor, multiclass: bool) -> Vec<i64> {
    let device = model.parameters().first().map(|p| p.device()).unwrap_or(Device::Cpu);
    let logits = no_grad(|| model.forward(&Var::constant(x.to(&device))));
    let pred = if multiclass { logits.softmax(1).argmax(1) } else { logits.tensor().sigmoid().round().flatten() };
    pred.to_dtype(DType::I64).to_vec::<i64>()
}

/// One panel's points and labels on the host: `[n, 2]` float32 features and int64 labels.
#[track_caller]
fn panel_data(op: &str, x: &Tensor, y: &Tensor) -> (Vec<f32>, Vec<i64>) {
    if x.rank() != 2 || x.shape()[1] != 2 || y.shape() != [x.shape()[0]] {
        tensor::error::shape_error(
            op,
            format_args!("needs X [n, 2] and y [n], got X {:?} and y {:?}", x.shape(), y.shape()),
        );
    }
    (x.to_dtype(DType::F32).to_vec::<f32>(), y.to_dtype(DType::I64).to_vec::<i64>())
}

/// `plot_decision_boundary(model, X, y)` from the tutorial's `helper_functions.py`, one panel saved to `path`:
/// the model's prediction over a 101×101 grid around the points (padded by 0.1) as filled regions, the points
/// coloured by label. `path` names the PNG; an SVG is written beside it (`boundary.png` → `boundary.png` and
/// `boundary.svg`). Returns the files written.
///
/// # Errors
/// When a file cannot be written (the message names it and says what to do).
///
/// # Panics
/// When `x` is not `[n, 2]` or `y` not `[n]`, or the model does not take 2 features.
#[track_caller]
pub fn plot_decision_boundary(
    model: &dyn Module,
    x: &Tensor,
    y: &Tensor,
    path: impl AsRef<Path>,
) -> Result<Vec<PathBuf>, CliError> {
    plot_decision_boundaries(model, &[("", x, y)], path)
}

/// `plt.subplot(1, n, i); plt.title(title); plot_decision_boundary(model, X, y)` for each `(title, X, y)`: the
/// notebook's "Train" | "Test" figure (`figsize=(12, 6)`) in one call, saved as [`plot_decision_boundary`].
///
/// # Errors
/// As [`plot_decision_boundary`].
///
/// # Panics
/// As [`plot_decision_boundary`], for any panel.
#[track_caller]
pub fn plot_decision_boundaries(
    model: &dyn Module,
    panels: &[(&str, &Tensor, &Tensor)],
    path: impl AsRef<Path>,
) -> Result<Vec<PathBuf>, CliError> {
    let data: Vec<(Vec<f32>, Vec<i64>)> =
        panels.iter().map(|(_, x, y)| panel_data("plot_decision_boundary", x, y)).collect();
    // The class count (colours) and the binary/multi-class choice are taken over every panel's labels.
    let all: Vec<i64> = data.iter().flat_map(|(_, y)| y.iter().copied()).collect();
    let n_classes = Tensor::from_vec(all, &[data.iter().map(|(_, y)| y.len()).sum()], &Device::Cpu).unique().numel();
    let mut drawn = Vec::with_capacity(panels.len());
    for ((title, _, _), (x, y)) in panels.iter().zip(&data) {
        let grid = boundary::grid(x);
        let points = Tensor::from_slice(&grid.points, &[grid.points.len() / 2, 2], &Device::Cpu);
        let pred = predict(model, &points, n_classes > 2);
        drawn.push(Panel { title, x, y, grid, pred });
    }
    let path = path.as_ref();
    let stem = match path.extension().and_then(|e| e.to_str()) {
        Some("png" | "svg") => path.with_extension(""),
        _ => path.to_path_buf(),
    };
    // figsize=(6, 6) per panel, as the notebook's `plt.figure(figsize=(12, 6))` for two.
    let size = (600 * drawn.len().max(1) as u32, 600);
    let n_classes = n_classes.max(2);
    crate::plot::save_png_svg(
        &stem,
        size,
        |r| boundary::draw(r, &drawn, n_classes),
        |r| boundary::draw(r, &drawn, n_classes),
    )
}
