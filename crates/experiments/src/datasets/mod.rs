//! The tutorial's datasets, reproduced bit for bit from numpy, scikit-learn and torch.
//!
//! Every dataset the PyTorch classification tutorial trains on comes from one of three places:
//! scikit-learn's generators (`make_circles`, `make_moons`, `make_blobs`), the CS231n spiral
//! snippet (plain numpy with `np.random.seed`), or a `torch.arange` straight line. Each of them is
//! a deterministic function of numpy's legacy Mersenne Twister stream, so this module rebuilds that
//! stream ([`NumpyRandomState`]) and then replays the Python code draw for draw. Same seed, same
//! numbers: the fixtures in `tests/fixtures/datasets/` (written by
//! `scripts/make_dataset_fixtures.py` with the real libraries) are matched bit for bit.
//!
//! Reading order:
//! 1. [`numpy_rng`]: `np.random.RandomState` (MT19937, doubles, polar Box–Muller with its cache,
//!    masked rejection integers, Fisher–Yates shuffle).
//! 2. [`numpy_math`]: `np.linspace` with numpy's exact floating-point recipe.
//! 3. [`sklearn`]: `make_circles`, `make_moons`, `make_blobs`.
//! 4. [`spirals`]: the CS231n spirals.
//! 5. [`mod@line`]: the float32 straight line `y = 0.7 x + 0.3` and its split by position.
//! 6. [`split`]: `train_test_split` (scikit-learn's `ShuffleSplit`).
//!
//! What does not live here: tensors. Data comes out as plain row-major `Vec<f64>` features and
//! `Vec<i64>` labels ([`Dataset`]); converting to the engine's tensors is the caller's job, so
//! this module has no dependency on the `tensor` crate.

pub mod line;
pub mod numpy_math;
pub mod numpy_rng;
pub mod sklearn;
pub mod spirals;
pub mod split;

use std::fmt;

pub use line::{LineDataset, LineParams};
pub use numpy_math::linspace;
pub use numpy_rng::NumpyRandomState;
pub use sklearn::{
    make_blobs, make_circles, make_moons, BlobCenters, BlobSamples, Blobs, Circles, ClusterStd, Moons, TwoGroupSamples,
};
pub use spirals::{make_spirals, Spirals};
pub use split::{train_test_split, train_test_split_with, Split, SplitOptions, SplitSize};

/// A bad dataset parameter (the same inputs scikit-learn or numpy reject), with a message that
/// names the parameter and says what to pass instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetError {
    message: String,
}

impl DatasetError {
    /// Builds an error from a full sentence.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DatasetError {}

/// A labelled dataset: `n_samples` rows of `n_features` features, row-major, plus one integer
/// label per row. This is exactly the `(X, y)` pair the Python generators return, with `X`
/// flattened in C order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Features, row-major: row `i` is `x[i * n_features..(i + 1) * n_features]`.
    pub x: Vec<f64>,
    /// One class label per row.
    pub y: Vec<i64>,
    /// Number of rows.
    pub n_samples: usize,
    /// Number of columns of `x`.
    pub n_features: usize,
}

impl Dataset {
    /// Row `i` of the features.
    ///
    /// # Panics
    /// If `i >= n_samples`.
    #[track_caller]
    pub fn row(&self, i: usize) -> &[f64] {
        assert!(i < self.n_samples, "Dataset::row: row {i} out of range for {} rows", self.n_samples);
        &self.x[i * self.n_features..(i + 1) * self.n_features]
    }

    /// The rows named by `idx`, in that order (numpy's `X[idx], y[idx]`).
    ///
    /// # Panics
    /// If an index is `>= n_samples`.
    #[track_caller]
    pub fn select(&self, idx: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(idx.len() * self.n_features);
        let mut y = Vec::with_capacity(idx.len());
        for &i in idx {
            x.extend_from_slice(self.row(i));
            y.push(self.y[i]);
        }
        Dataset { x, y, n_samples: idx.len(), n_features: self.n_features }
    }

    /// `train_test_split(X, y, test_size=test_size, random_state=random_state)`: returns the
    /// `(train, test)` datasets, rows in scikit-learn's order.
    ///
    /// # Errors
    /// If `test_size` is not in `(0, 1)` or leaves an empty train set (see [`train_test_split`]).
    pub fn split(&self, test_size: f64, random_state: u32) -> Result<(Dataset, Dataset), DatasetError> {
        let split = train_test_split(self.n_samples, test_size, random_state)?;
        Ok(split.apply(self))
    }

    /// The features rounded to float32, as the tutorial's `torch.from_numpy(X).type(torch.float)`
    /// does (round to nearest even, like Rust's `as f32`).
    pub fn x_f32(&self) -> Vec<f32> {
        self.x.iter().map(|&v| v as f32).collect()
    }

    /// Number of rows whose label is `label`.
    pub fn count_label(&self, label: i64) -> usize {
        self.y.iter().filter(|&&l| l == label).count()
    }
}
