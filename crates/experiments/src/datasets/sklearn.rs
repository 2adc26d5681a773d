//! scikit-learn's toy generators `make_circles`, `make_moons` and `make_blobs`, replayed on
//! [`NumpyRandomState`] in the same draw order as `sklearn/datasets/_samples_generator.py`.
//!
//! All three follow one pattern, which is what makes them reproducible:
//! 1. `generator = check_random_state(random_state)`, i.e. `RandomState(random_state)`;
//! 2. build the points group by group (circles/moons: no draws, just `linspace` + `cos`/`sin`;
//!    blobs: `uniform` centers, then `normal(loc=center, scale=std)` rows in C order);
//! 3. if `shuffle`: `sklearn.utils.shuffle(X, y, random_state=generator)`, which is
//!    `indices = arange(n); generator.shuffle(indices); X, y = X[indices], y[indices]`;
//! 4. circles/moons only, if `noise` is given: `X += generator.normal(scale=noise, size=X.shape)`,
//!    drawn row by row, column by column, *after* the shuffle.
//!
//! Parameters are plain structs with scikit-learn's defaults in `Default`; invalid values
//! (those scikit-learn's `validate_params` or numpy reject) return a [`DatasetError`].
//! `random_state` is always an integer seed here: scikit-learn's `None` (the global numpy
//! state) has no reproducible meaning, and a shared `RandomState` instance is
//! `generate_with(&mut rng)`.

use super::numpy_math::linspace;
use super::numpy_rng::NumpyRandomState;
use super::{Dataset, DatasetError};
use std::f64::consts::PI;

/// `n_samples` of `make_circles` / `make_moons`: an int or an `(n_out, n_in)` tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwoGroupSamples {
    /// Total count: `n // 2` in group 0 (outer circle / upper moon), the rest in group 1.
    Total(usize),
    /// `(label-0 count, label-1 count)`: outer then inner circle, upper then lower moon.
    PerGroup(usize, usize),
}

impl TwoGroupSamples {
    /// `(n_samples_out, n_samples_in)` as scikit-learn splits them.
    fn counts(self) -> (usize, usize) {
        match self {
            TwoGroupSamples::Total(n) => (n / 2, n - n / 2),
            TwoGroupSamples::PerGroup(out, inner) => (out, inner),
        }
    }
}

/// Parameters of `make_circles(n_samples, shuffle, noise, random_state, factor)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Circles {
    /// Total or per-circle counts (default 100). For odd totals the inner circle gets one more.
    pub n_samples: TwoGroupSamples,
    /// Shuffle the rows (default true).
    pub shuffle: bool,
    /// Standard deviation of the Gaussian noise added after shuffling (default `None`: none).
    pub noise: Option<f64>,
    /// The `RandomState` seed (scikit-learn's `random_state`, here required; default 0).
    pub random_state: u32,
    /// Inner radius / outer radius, in `[0, 1)` (default 0.8).
    pub factor: f64,
}

impl Default for Circles {
    fn default() -> Self {
        Self { n_samples: TwoGroupSamples::Total(100), shuffle: true, noise: None, random_state: 0, factor: 0.8 }
    }
}

impl Circles {
    /// `make_circles(...)` with `random_state = self.random_state`.
    ///
    /// # Errors
    /// A negative or non-finite `noise`, or `factor` outside `[0, 1)`.
    pub fn generate(&self) -> Result<Dataset, DatasetError> {
        self.generate_with(&mut NumpyRandomState::new(self.random_state))
    }

    /// `make_circles(..., random_state=rng)`: draws from a caller-owned state (ignores
    /// `self.random_state`).
    ///
    /// # Errors
    /// As [`generate`](Self::generate).
    pub fn generate_with(&self, rng: &mut NumpyRandomState) -> Result<Dataset, DatasetError> {
        check_noise("make_circles", self.noise)?;
        if !(0.0..1.0).contains(&self.factor) {
            return Err(DatasetError::new(format!(
                "make_circles: factor {} must be in [0, 1) (inner radius / outer radius); \
                 pass e.g. 0.8",
                self.factor
            )));
        }
        let (n_out, n_in) = self.n_samples.counts();
        // `endpoint=False` so the first point is not repeated as the last.
        let lin_out = linspace(0.0, 2.0 * PI, n_out, false);
        let lin_in = linspace(0.0, 2.0 * PI, n_in, false);
        let outer: Vec<[f64; 2]> = lin_out.iter().map(|&t| [t.cos(), t.sin()]).collect();
        let inner: Vec<[f64; 2]> = lin_in.iter().map(|&t| [t.cos() * self.factor, t.sin() * self.factor]).collect();
        Ok(two_groups(&outer, &inner, self.shuffle, self.noise, rng))
    }
}

/// `make_circles`: a large circle (label 0) around a smaller one (label 1).
///
/// # Errors
/// See [`Circles::generate`].
pub fn make_circles(params: &Circles) -> Result<Dataset, DatasetError> {
    params.generate()
}

/// Parameters of `make_moons(n_samples, shuffle, noise, random_state)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Moons {
    /// Total (at least 1) or per-moon counts (default 100).
    pub n_samples: TwoGroupSamples,
    /// Shuffle the rows (default true).
    pub shuffle: bool,
    /// Standard deviation of the Gaussian noise added after shuffling (default `None`).
    pub noise: Option<f64>,
    /// The `RandomState` seed (default 0).
    pub random_state: u32,
}

impl Default for Moons {
    fn default() -> Self {
        Self { n_samples: TwoGroupSamples::Total(100), shuffle: true, noise: None, random_state: 0 }
    }
}

impl Moons {
    /// `make_moons(...)` with `random_state = self.random_state`.
    ///
    /// # Errors
    /// `n_samples` `Total(0)`, or a negative or non-finite `noise`.
    pub fn generate(&self) -> Result<Dataset, DatasetError> {
        self.generate_with(&mut NumpyRandomState::new(self.random_state))
    }

    /// `make_moons(..., random_state=rng)` (ignores `self.random_state`).
    ///
    /// # Errors
    /// As [`generate`](Self::generate).
    pub fn generate_with(&self, rng: &mut NumpyRandomState) -> Result<Dataset, DatasetError> {
        if self.n_samples == TwoGroupSamples::Total(0) {
            return Err(DatasetError::new(
                "make_moons: n_samples must be at least 1; pass a positive total or a \
                 (n_upper, n_lower) pair",
            ));
        }
        check_noise("make_moons", self.noise)?;
        let (n_out, n_in) = self.n_samples.counts();
        // Upper moon: (cos t, sin t); lower moon: (1 - cos t, 1 - sin t - 0.5), t in [0, pi].
        let outer: Vec<[f64; 2]> = linspace(0.0, PI, n_out, true).iter().map(|&t| [t.cos(), t.sin()]).collect();
        let inner: Vec<[f64; 2]> =
            linspace(0.0, PI, n_in, true).iter().map(|&t| [1.0 - t.cos(), 1.0 - t.sin() - 0.5]).collect();
        Ok(two_groups(&outer, &inner, self.shuffle, self.noise, rng))
    }
}

/// `make_moons`: two interleaving half circles (labels 0 and 1).
///
/// # Errors
/// See [`Moons::generate`].
pub fn make_moons(params: &Moons) -> Result<Dataset, DatasetError> {
    params.generate()
}

/// `noise` must be a finite standard deviation `>= 0` (scikit-learn: `Interval(Real, 0, None)`).
fn check_noise(func: &str, noise: Option<f64>) -> Result<(), DatasetError> {
    match noise {
        Some(s) if !(s.is_finite() && s >= 0.0) => Err(DatasetError::new(format!(
            "{func}: noise {s} must be a finite standard deviation >= 0; pass None for no noise"
        ))),
        _ => Ok(()),
    }
}

/// Steps 2–4 shared by circles and moons: stack group 0 then group 1, shuffle, add noise.
fn two_groups(
    outer: &[[f64; 2]],
    inner: &[[f64; 2]],
    shuffle: bool,
    noise: Option<f64>,
    rng: &mut NumpyRandomState,
) -> Dataset {
    // X = vstack([append(outer_x, inner_x), append(outer_y, inner_y)]).T; y = [0..0, 1..1]
    let rows: Vec<[f64; 2]> = outer.iter().chain(inner).copied().collect();
    let labels: Vec<i64> = std::iter::repeat_n(0, outer.len()).chain(std::iter::repeat_n(1, inner.len())).collect();
    let mut data =
        Dataset { x: rows.iter().flatten().copied().collect(), y: labels, n_samples: rows.len(), n_features: 2 };
    if shuffle {
        data = util_shuffle(&data, rng);
    }
    if let Some(scale) = noise {
        // X += generator.normal(scale=noise, size=X.shape): C order, loc 0.
        for v in &mut data.x {
            *v += rng.normal(0.0, scale);
        }
    }
    data
}

/// `sklearn.utils.shuffle(X, y, random_state=rng)`: `resample(replace=False)`, i.e.
/// `indices = arange(n); rng.shuffle(indices); X[indices], y[indices]`.
fn util_shuffle(data: &Dataset, rng: &mut NumpyRandomState) -> Dataset {
    let indices = rng.permutation(data.n_samples);
    data.select(&indices)
}

/// `n_samples` of `make_blobs`: a total split evenly over the centers, or one count per center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobSamples {
    /// Total (at least 1): `n / k` per center, the first `n % k` centers get one more.
    Total(usize),
    /// One count per center (zeros allowed); the number of centers is the list's length.
    PerCenter(Vec<usize>),
}

/// `centers` of `make_blobs`.
#[derive(Debug, Clone, PartialEq)]
pub enum BlobCenters {
    /// Draw this many centers uniformly in `center_box` (only with [`BlobSamples::Total`]).
    Count(usize),
    /// Fixed centers, one row each; `n_features` is taken from them.
    Fixed(Vec<Vec<f64>>),
}

/// `cluster_std` of `make_blobs`.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterStd {
    /// One standard deviation for every cluster.
    Same(f64),
    /// One standard deviation per center.
    PerCenter(Vec<f64>),
}

/// Parameters of `make_blobs(n_samples, n_features, centers, cluster_std, center_box, shuffle,
/// random_state)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Blobs {
    /// Total or per-center counts (default `Total(100)`).
    pub n_samples: BlobSamples,
    /// Features per sample (default 2; ignored when centers are [`BlobCenters::Fixed`]).
    pub n_features: usize,
    /// `None` means 3 random centers for a total, or one random center per count (default).
    pub centers: Option<BlobCenters>,
    /// Cluster standard deviation(s) (default 1.0).
    pub cluster_std: ClusterStd,
    /// `(min, max)` box for random centers (default `(-10, 10)`).
    pub center_box: (f64, f64),
    /// Shuffle the rows (default true).
    pub shuffle: bool,
    /// The `RandomState` seed (default 0).
    pub random_state: u32,
}

impl Default for Blobs {
    fn default() -> Self {
        Self {
            n_samples: BlobSamples::Total(100),
            n_features: 2,
            centers: None,
            cluster_std: ClusterStd::Same(1.0),
            center_box: (-10.0, 10.0),
            shuffle: true,
            random_state: 0,
        }
    }
}

impl Blobs {
    /// `make_blobs(...)` with `random_state = self.random_state`.
    ///
    /// # Errors
    /// What scikit-learn rejects: `Total(0)`, `n_features == 0`, `Count(0)`, empty or ragged
    /// fixed centers, `Count` with per-center samples, a per-center list whose length differs
    /// from the number of centers, a negative or non-finite std, a center box with a
    /// non-finite width.
    pub fn generate(&self) -> Result<Dataset, DatasetError> {
        self.generate_with(&mut NumpyRandomState::new(self.random_state))
    }

    /// `make_blobs(..., random_state=rng)` (ignores `self.random_state`).
    ///
    /// # Errors
    /// As [`generate`](Self::generate).
    pub fn generate_with(&self, rng: &mut NumpyRandomState) -> Result<Dataset, DatasetError> {
        let err = |msg: String| Err(DatasetError::new(format!("make_blobs: {msg}")));
        if self.n_features == 0 {
            return err("n_features must be at least 1".into());
        }
        let (low, high) = self.center_box;
        if !(high - low).is_finite() {
            return err(format!("center_box ({low}, {high}) has a non-finite width; pass finite bounds"));
        }
        // Step 1: centers (drawn only when not given), as in scikit-learn's two branches.
        let (centers, counts): (Vec<Vec<f64>>, Vec<usize>) = match &self.n_samples {
            BlobSamples::Total(n) => {
                if *n == 0 {
                    return err("n_samples must be at least 1".into());
                }
                let centers = match &self.centers {
                    None => self.random_centers(3, rng),
                    Some(BlobCenters::Count(0)) => return err("centers must be at least 1; pass e.g. 3".into()),
                    Some(BlobCenters::Count(k)) => self.random_centers(*k, rng),
                    Some(BlobCenters::Fixed(c)) => check_fixed_centers(c)?,
                };
                // [n // k] * k, then one more for each of the first n % k centers.
                let k = centers.len();
                let counts = (0..k).map(|i| n / k + usize::from(i < n % k)).collect();
                (centers, counts)
            }
            BlobSamples::PerCenter(counts) => {
                if counts.is_empty() {
                    return err("n_samples as a per-center list must not be empty".into());
                }
                let centers = match &self.centers {
                    None => self.random_centers(counts.len(), rng),
                    Some(BlobCenters::Count(_)) => {
                        return err("with per-center n_samples, centers must be None or a \
                                    list of center coordinates, not a count"
                            .into())
                    }
                    Some(BlobCenters::Fixed(c)) => {
                        if c.len() != counts.len() {
                            return err(format!(
                                "{} per-center sample counts but {} centers; give one \
                                 count per center",
                                counts.len(),
                                c.len()
                            ));
                        }
                        check_fixed_centers(c)?
                    }
                };
                (centers, counts.clone())
            }
        };
        let stds: Vec<f64> = match &self.cluster_std {
            ClusterStd::Same(s) => vec![*s; centers.len()],
            ClusterStd::PerCenter(list) => {
                if list.len() != centers.len() {
                    return err(format!(
                        "{} cluster_std values for {} centers; give one per center",
                        list.len(),
                        centers.len()
                    ));
                }
                list.clone()
            }
        };
        if let Some(s) = stds.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
            return err(format!("cluster_std {s} must be finite and >= 0"));
        }
        // Step 2: X[start:end] = normal(loc=centers[i], scale=std, size=(n, n_features)),
        // row by row, feature by feature; y = i.
        let n_features = centers[0].len();
        let total: usize = counts.iter().sum();
        let mut x = Vec::with_capacity(total * n_features);
        let mut y = Vec::with_capacity(total);
        for (i, ((center, &n), &std)) in centers.iter().zip(&counts).zip(&stds).enumerate() {
            for _ in 0..n {
                for &loc in center {
                    x.push(rng.normal(loc, std));
                }
                y.push(i as i64);
            }
        }
        let mut data = Dataset { x, y, n_samples: total, n_features };
        // Step 3.
        if self.shuffle {
            data = util_shuffle(&data, rng);
        }
        Ok(data)
    }

    /// `generator.uniform(center_box[0], center_box[1], size=(k, n_features))`, C order.
    fn random_centers(&self, k: usize, rng: &mut NumpyRandomState) -> Vec<Vec<f64>> {
        let (low, high) = self.center_box;
        (0..k).map(|_| (0..self.n_features).map(|_| rng.uniform(low, high)).collect()).collect()
    }
}

/// `check_array(centers)`: non-empty, rectangular, finite.
fn check_fixed_centers(centers: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, DatasetError> {
    let width = centers.first().map_or(0, Vec::len);
    if width == 0 {
        return Err(DatasetError::new(
            "make_blobs: fixed centers must be a non-empty list of non-empty coordinate rows",
        ));
    }
    if let Some(row) = centers.iter().find(|r| r.len() != width) {
        return Err(DatasetError::new(format!(
            "make_blobs: every center needs {width} coordinates, one has {}",
            row.len()
        )));
    }
    if centers.iter().flatten().any(|v| !v.is_finite()) {
        return Err(DatasetError::new("make_blobs: fixed centers must be finite"));
    }
    Ok(centers.to_vec())
}

/// `make_blobs`: isotropic Gaussian blobs, label `i` for center `i`.
///
/// # Errors
/// See [`Blobs::generate`].
pub fn make_blobs(params: &Blobs) -> Result<Dataset, DatasetError> {
    params.generate()
}
