//! The CS231n spiral dataset used by the tutorial's exercises (seed file 000), replayed on numpy's
//! legacy stream:
//!
//! ```python
//! np.random.seed(seed)
//! for j in range(K):
//!     r = np.linspace(0.0, 1, N)                                         # radius
//!     t = np.linspace(j*4, (j+1)*4, N) + np.random.randn(N)*0.2          # theta
//!     X[N*j:N*(j+1)] = np.c_[r*np.sin(t), r*np.cos(t)]
//!     y[N*j:N*(j+1)] = j
//! ```
//!
//! Rows come out class by class (the snippet never shuffles); split them with
//! [`train_test_split`](super::train_test_split) as the tutorial does.

use super::numpy_math::linspace;
use super::numpy_rng::NumpyRandomState;
use super::{Dataset, DatasetError};

/// Parameters of the spiral snippet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spirals {
    /// `N`, points per class (default 100).
    pub points_per_class: usize,
    /// `K`, number of classes, i.e. spiral arms (default 3; at most 256 because the snippet
    /// stores labels as `uint8`).
    pub classes: usize,
    /// The `np.random.seed` value (default 42, the tutorial's `RANDOM_SEED`).
    pub seed: u32,
}

impl Default for Spirals {
    fn default() -> Self {
        Self { points_per_class: 100, classes: 3, seed: 42 }
    }
}

impl Spirals {
    /// Runs the snippet after `np.random.seed(self.seed)`.
    ///
    /// # Errors
    /// `points_per_class == 0`, `classes == 0`, or `classes > 256`.
    pub fn generate(&self) -> Result<Dataset, DatasetError> {
        self.generate_with(&mut NumpyRandomState::new(self.seed))
    }

    /// Runs the snippet on a caller-owned state (ignores `self.seed`).
    ///
    /// # Errors
    /// As [`generate`](Self::generate).
    pub fn generate_with(&self, rng: &mut NumpyRandomState) -> Result<Dataset, DatasetError> {
        let (n, k) = (self.points_per_class, self.classes);
        if n == 0 || k == 0 {
            return Err(DatasetError::new(format!(
                "spirals: points_per_class ({n}) and classes ({k}) must both be at least 1"
            )));
        }
        if k > 256 {
            return Err(DatasetError::new(format!(
                "spirals: {k} classes do not fit the snippet's uint8 labels; use at most 256"
            )));
        }
        let mut x = Vec::with_capacity(n * k * 2);
        let mut y = Vec::with_capacity(n * k);
        let r = linspace(0.0, 1.0, n, true);
        for j in 0..k {
            let base = linspace((j * 4) as f64, ((j + 1) * 4) as f64, n, true);
            // randn(N) is drawn whole before any trig: order matters only for the stream,
            // which is consumed the same way either way.
            let jitter = rng.randn(n);
            for i in 0..n {
                let t = base[i] + jitter[i] * 0.2;
                x.push(r[i] * t.sin());
                x.push(r[i] * t.cos());
                y.push(j as i64);
            }
        }
        Ok(Dataset { x, y, n_samples: n * k, n_features: 2 })
    }
}

/// The CS231n spirals: `classes` arms of `points_per_class` points, label `j` for arm `j`.
///
/// # Errors
/// See [`Spirals::generate`].
pub fn make_spirals(params: &Spirals) -> Result<Dataset, DatasetError> {
    params.generate()
}
