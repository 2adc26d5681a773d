//! The tutorial's straight line (seed files 002/003), in the float32 values torch produces:
//!
//! ```python
//! X = torch.arange(0, 1, 0.01).unsqueeze(dim=1)       # float32, 100 rows
//! y = 0.7 * X + 0.3                                   # float32 ops
//! train_split = int(0.8 * len(X))                     # 80 rows train, 20 test, by position
//! ```
//!
//! This dataset is `f32` because torch's is: the values are the exact float32 bits torch
//! computes, so `LineDataset::x`/`y` are `Vec<f32>` (widen with `f64::from` if needed: every f32 is
//! exact in f64).
//!
//! `torch.arange` with float arguments is subtler than `start + i*step`. Its CPU kernel computes in
//! double and rounds to float32, but in vector chunks: for each chunk of 8 lanes it rounds the
//! chunk's base `start + step*idx` to float32 first, then lane `k` is
//! `f32(f64(base_f32) + k*step)`. The chunks cover the largest multiple of 16 elements (two
//! vectors per loop step); the tail is scalar `f32(start + step*idx)`. The length is
//! `ceil((end - start) / step)` in double. This recipe matches torch's output bit for bit on every
//! range in `tests/fixtures/datasets/splits.json` (torch 2.x, x86-64 CPU); plain
//! `f32(start + i*step)` does not (19 of the tutorial's 100 values differ).

use super::DatasetError;

/// torch's `at::internal::GRAIN_SIZE`: above it `arange` is split over threads, which this
/// module does not reproduce.
const TORCH_GRAIN_SIZE: usize = 32_768;

/// Parameters of the line: `y = weight * x + bias` over `arange(start, end, step)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineParams {
    /// Slope (default 0.7).
    pub weight: f64,
    /// Intercept (default 0.3).
    pub bias: f64,
    /// First x (default 0).
    pub start: f64,
    /// Exclusive end (default 1).
    pub end: f64,
    /// Spacing (default 0.01).
    pub step: f64,
    /// Fraction of rows, from the front, in the train set (default 0.8).
    pub train_fraction: f64,
}

impl Default for LineParams {
    fn default() -> Self {
        Self { weight: 0.7, bias: 0.3, start: 0.0, end: 1.0, step: 0.01, train_fraction: 0.8 }
    }
}

/// The line's points (float32, as torch holds them) and the split position.
#[derive(Debug, Clone, PartialEq)]
pub struct LineDataset {
    /// Inputs, one feature per row.
    pub x: Vec<f32>,
    /// Targets `weight * x + bias` computed in float32.
    pub y: Vec<f32>,
    /// `int(train_fraction * len(x))`: rows `..train_split` train, `train_split..` test.
    pub train_split: usize,
}

impl LineDataset {
    /// Builds the line.
    ///
    /// # Errors
    /// Those torch raises (zero or non-finite step, bounds inconsistent with the step's sign),
    /// more than 32 768 points, or `train_fraction` outside `[0, 1]`.
    pub fn generate(params: &LineParams) -> Result<Self, DatasetError> {
        if !(0.0..=1.0).contains(&params.train_fraction) {
            return Err(DatasetError::new(format!(
                "line: train_fraction {} must be in [0, 1]; the tutorial uses 0.8",
                params.train_fraction
            )));
        }
        let x = torch_arange_f32(params.start, params.end, params.step)?;
        // torch casts the Python scalars to the tensor's float32, then multiplies and adds in
        // float32 (two roundings, no fused multiply-add).
        let (w, b) = (params.weight as f32, params.bias as f32);
        let y = x.iter().map(|&v| w * v + b).collect();
        let train_split = (params.train_fraction * x.len() as f64).floor() as usize;
        Ok(Self { x, y, train_split })
    }

    /// `(X_train, y_train)`: the first `train_split` rows.
    pub fn train(&self) -> (&[f32], &[f32]) {
        (&self.x[..self.train_split], &self.y[..self.train_split])
    }

    /// `(X_test, y_test)`: the rows from `train_split` on.
    pub fn test(&self) -> (&[f32], &[f32]) {
        (&self.x[self.train_split..], &self.y[self.train_split..])
    }
}

/// `torch.arange(start, end, step)` with float arguments on the CPU (default dtype float32).
///
/// # Errors
/// A zero or non-finite step, non-finite bounds, bounds inconsistent with the step's sign, or
/// more than 32 768 elements.
pub fn torch_arange_f32(start: f64, end: f64, step: f64) -> Result<Vec<f32>, DatasetError> {
    if !(start.is_finite() && end.is_finite() && step.is_finite()) || step == 0.0 {
        return Err(DatasetError::new(format!(
            "arange({start}, {end}, {step}): bounds must be finite and the step non-zero"
        )));
    }
    if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        return Err(DatasetError::new(format!(
            "arange({start}, {end}, {step}): upper bound and larger bound inconsistent with \
             step sign; swap the bounds or negate the step"
        )));
    }
    // size = ceil((end - start) / step), in double.
    let n = ((end - start) / step).ceil() as usize;
    if n > TORCH_GRAIN_SIZE {
        return Err(DatasetError::new(format!(
            "arange({start}, {end}, {step}): {n} points; torch splits more than \
             {TORCH_GRAIN_SIZE} over threads, which is not reproduced: use a larger step"
        )));
    }
    const LANES: usize = 8;
    let vector_part = n / (2 * LANES) * (2 * LANES);
    let mut out = Vec::with_capacity(n);
    // Vector loop: chunks of LANES, each from a float32-rounded base.
    for idx in (0..vector_part).step_by(LANES) {
        let base = (start + step * idx as f64) as f32;
        for k in 0..LANES {
            out.push((f64::from(base) + k as f64 * step) as f32);
        }
    }
    // Scalar tail.
    for idx in vector_part..n {
        out.push((start + step * idx as f64) as f32);
    }
    Ok(out)
}
