//! scikit-learn's `train_test_split`, as index vectors.
//!
//! `train_test_split(X, y, test_size, train_size, random_state, shuffle)` is, for index purposes
//! (`sklearn/model_selection/_split.py`):
//! 1. `_validate_shuffle_split`: `n_test = ceil(test_size * n)` for a fraction (or the count),
//!    `n_train = floor(train_size * n)` for a fraction (or the count); a missing side is the rest
//!    (`n - other`); both missing means `test_size = 0.25`. Fractions must lie in `(0, 1)`, counts
//!    in `1..n`, the sum must fit in `n`, and the train set must not be empty.
//! 2. `shuffle=False`: `train = 0..n_train`, `test = n_train..n_train + n_test`.
//! 3. Otherwise `ShuffleSplit`: `perm = RandomState(random_state).permutation(n)`,
//!    `test = perm[..n_test]`, `train = perm[n_test..n_test + n_train]`.
//!
//! Stratified splits are not reproduced (the tutorial never stratifies).

use super::numpy_rng::NumpyRandomState;
use super::{Dataset, DatasetError};

/// A train or test size: a fraction of the rows or a row count (scikit-learn's float / int).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SplitSize {
    /// A fraction in `(0, 1)`.
    Fraction(f64),
    /// A count in `1..n_samples`.
    Count(usize),
}

/// All of `train_test_split`'s index-relevant arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitOptions {
    /// `test_size` (default `None`: the complement of `train_size`, or 0.25 if both are `None`).
    pub test_size: Option<SplitSize>,
    /// `train_size` (default `None`: the complement of `test_size`).
    pub train_size: Option<SplitSize>,
    /// Shuffle before splitting (default true).
    pub shuffle: bool,
    /// The `RandomState` seed (default 0; unused without shuffling).
    pub random_state: u32,
}

impl Default for SplitOptions {
    fn default() -> Self {
        Self { test_size: None, train_size: None, shuffle: true, random_state: 0 }
    }
}

/// Row indices of a train/test split, in scikit-learn's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Rows of the train set, in the order `X_train` lists them.
    pub train_idx: Vec<usize>,
    /// Rows of the test set, in the order `X_test` lists them.
    pub test_idx: Vec<usize>,
}

impl Split {
    /// `(train, test)` datasets: `X[train_idx], y[train_idx]` and likewise for test.
    ///
    /// # Panics
    /// If an index is out of range for `data`.
    #[track_caller]
    pub fn apply(&self, data: &Dataset) -> (Dataset, Dataset) {
        (data.select(&self.train_idx), data.select(&self.test_idx))
    }

    /// Splits any row-major buffer of `width` values per row (features of another dtype,
    /// labels with `width == 1`): returns `(train, test)`.
    ///
    /// # Panics
    /// If `width == 0` or an index is out of range for `values.len() / width` rows.
    #[track_caller]
    pub fn take<T: Clone>(&self, values: &[T], width: usize) -> (Vec<T>, Vec<T>) {
        assert!(width > 0, "Split::take: width must be at least 1");
        let rows = values.len() / width;
        let gather = |idx: &[usize]| -> Vec<T> {
            let mut out = Vec::with_capacity(idx.len() * width);
            for &i in idx {
                assert!(i < rows, "Split::take: row {i} out of range for {rows} rows of width {width}");
                out.extend_from_slice(&values[i * width..(i + 1) * width]);
            }
            out
        };
        (gather(&self.train_idx), gather(&self.test_idx))
    }
}

/// `train_test_split(arange(n_samples), test_size=test_size, random_state=random_state)`.
///
/// # Errors
/// `test_size` outside `(0, 1)`, or a split that leaves the train set empty (e.g. `n_samples`
/// of 0 or 1).
pub fn train_test_split(n_samples: usize, test_size: f64, random_state: u32) -> Result<Split, DatasetError> {
    train_test_split_with(
        n_samples,
        &SplitOptions { test_size: Some(SplitSize::Fraction(test_size)), random_state, ..SplitOptions::default() },
    )
}

/// `train_test_split` with every index-relevant option.
///
/// # Errors
/// The sizes scikit-learn rejects (see the module doc), with the reason.
pub fn train_test_split_with(n_samples: usize, options: &SplitOptions) -> Result<Split, DatasetError> {
    let (n_train, n_test) = validate_shuffle_split(n_samples, options)?;
    if !options.shuffle {
        return Ok(Split { train_idx: (0..n_train).collect(), test_idx: (n_train..n_train + n_test).collect() });
    }
    // ShuffleSplit: one permutation, test first.
    let perm = NumpyRandomState::new(options.random_state).permutation(n_samples);
    Ok(Split { test_idx: perm[..n_test].to_vec(), train_idx: perm[n_test..n_test + n_train].to_vec() })
}

/// `_validate_shuffle_split`: `(n_train, n_test)` or the error scikit-learn raises.
fn validate_shuffle_split(n: usize, options: &SplitOptions) -> Result<(usize, usize), DatasetError> {
    let (test, train) = match (options.test_size, options.train_size) {
        (None, None) => (Some(SplitSize::Fraction(0.25)), None),
        sizes => sizes,
    };
    check_size("test_size", test, n)?;
    check_size("train_size", train, n)?;
    if let (Some(SplitSize::Fraction(a)), Some(SplitSize::Fraction(b))) = (test, train) {
        if a + b > 1.0 {
            return Err(DatasetError::new(format!(
                "train_test_split: test_size + train_size = {} exceeds 1; reduce either",
                a + b
            )));
        }
    }
    // n_test = ceil(test_size * n), n_train = floor(train_size * n), in double like Python.
    let count = |size: Option<SplitSize>, round: fn(f64) -> f64| {
        size.map(|s| match s {
            SplitSize::Fraction(f) => round(f * n as f64) as usize,
            SplitSize::Count(c) => c,
        })
    };
    let n_test = count(test, f64::ceil);
    let n_train = count(train, f64::floor);
    let (n_train, n_test) = match (n_train, n_test) {
        (Some(tr), Some(te)) => (tr, te),
        (None, Some(te)) => (n.saturating_sub(te), te),
        (Some(tr), None) => (tr, n.saturating_sub(tr)),
        (None, None) => unreachable!("test_size defaults to 0.25 above"),
    };
    if n_train + n_test > n {
        return Err(DatasetError::new(format!(
            "train_test_split: train and test sizes add up to {} rows but there are only {n}; \
             reduce test_size and/or train_size",
            n_train + n_test
        )));
    }
    if n_train == 0 {
        return Err(DatasetError::new(format!(
            "train_test_split: with {n} samples the train set would be empty; use more samples \
             or a smaller test_size"
        )));
    }
    Ok((n_train, n_test))
}

/// A fraction must lie in `(0, 1)`, a count in `1..n`.
fn check_size(name: &str, size: Option<SplitSize>, n: usize) -> Result<(), DatasetError> {
    let ok = match size {
        None => true,
        Some(SplitSize::Fraction(f)) => f > 0.0 && f < 1.0,
        Some(SplitSize::Count(c)) => c > 0 && c < n,
    };
    if ok {
        Ok(())
    } else {
        Err(DatasetError::new(format!(
            "train_test_split: {name}={size:?} should be a fraction in (0, 1) or a count between \
             1 and {} (the number of samples minus one)",
            n.saturating_sub(1)
        )))
    }
}
