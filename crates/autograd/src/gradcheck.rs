//! [`gradcheck`]: compares the gradients of the backward pass with finite differences.
//!
//! For `f: inputs -> out`, the backward pass computes vector-Jacobian products `gᵀ·J`; a central difference
//! `(f(x + ε·v) - f(x - ε·v)) / 2ε` estimates `J·v` to `O(ε²)`. All in f64 (inputs are converted), with ε = 1e-6.
//!
//! * **Full Jacobian** when it is small (`numel(out) × Σ numel(input) ≤ max_full_entries`): one backward per
//!   output element (the rows), two forwards per input element (the columns); every entry is compared.
//! * **Directional** otherwise: the output is weighted by a random `u` (so a rule that ignores its upstream
//!   gradient is caught), and `uᵀ·J·v` is compared along `directions` random directions `v` per input. The
//!   randomness is a fixed-seed generator: the same call checks the same directions.
//!
//! An entry passes when `|analytic - numeric| ≤ atol + rtol·|numeric|` (PyTorch's defaults: 1e-5, 1e-3). A failure
//! names the input, the element (or direction), both values and the tolerance.

use std::fmt;

use tensor::{DType, Tensor};

use crate::error::AutogradError;
use crate::grad_mode::no_grad;
use crate::var::Var;

/// Tolerances and sizes of a [`gradcheck`].
#[derive(Clone, Debug)]
pub struct GradcheckOptions {
    /// The finite-difference step ε.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance (of the numeric value).
    pub rtol: f64,
    /// Largest Jacobian (output elements × input elements) compared entry by entry; beyond, directional.
    pub max_full_entries: usize,
    /// Random directions per input in directional mode.
    pub directions: usize,
    /// Seed of the random output weights and directions.
    pub seed: u64,
}

impl Default for GradcheckOptions {
    fn default() -> Self {
        GradcheckOptions { eps: 1e-6, atol: 1e-5, rtol: 1e-3, max_full_entries: 4096, directions: 8, seed: 0x5eed }
    }
}

/// How the Jacobian was compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradcheckMode {
    /// Every entry.
    FullJacobian,
    /// `uᵀ·J·v` for random `u` and `v`.
    Directional,
}

/// What a passing [`gradcheck`] compared.
#[derive(Clone, Debug)]
pub struct GradcheckReport {
    /// How.
    pub mode: GradcheckMode,
    /// How many analytic/numeric pairs were compared.
    pub checks: usize,
    /// The largest `|analytic - numeric|` seen.
    pub max_abs_error: f64,
}

/// Where a mismatch was found.
#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    /// Jacobian entry `∂out[output_index] / ∂input[input_index]`.
    Element { input_index: Vec<usize>, output_index: Vec<usize> },
    /// Random direction number `direction` (of the seeded sequence).
    Direction { direction: usize },
}

/// Why a [`gradcheck`] failed.
#[derive(Clone, Debug, PartialEq)]
pub enum GradcheckError {
    /// The analytic and numeric derivatives differ by more than the tolerance.
    Mismatch { input: usize, probe: Probe, analytic: f64, numeric: f64, tolerance: f64 },
    /// The backward pass itself failed.
    Backward(AutogradError),
    /// Input `input` is not a float tensor.
    NotFloat { input: usize },
}

impl fmt::Display for GradcheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GradcheckError::Mismatch { input, probe, analytic, numeric, tolerance } => {
                write!(f, "gradcheck: input {input}, ")?;
                match probe {
                    Probe::Element { input_index, output_index } => {
                        write!(f, "d out{output_index:?} / d x{input_index:?}")?
                    }
                    Probe::Direction { direction } => write!(f, "random direction {direction}")?,
                }
                write!(
                    f,
                    ": analytic {analytic:.10e} vs numeric {numeric:.10e} (difference {:.3e} > tolerance {tolerance:.3e})",
                    (analytic - numeric).abs()
                )
            }
            GradcheckError::Backward(e) => write!(f, "gradcheck: the backward pass failed: {e}"),
            GradcheckError::NotFloat { input } => write!(f, "gradcheck: input {input} is not a float tensor"),
        }
    }
}

impl std::error::Error for GradcheckError {}

/// Checks the backward pass of `f` at `inputs` against central finite differences (see the module docs).
///
/// `f` receives the inputs as leaves (f64) and may return a result of any shape. Integer arguments (indices) are
/// captured by the closure rather than passed as inputs.
///
/// ```
/// use autograd::{gradcheck, GradcheckOptions, Var};
/// use tensor::Tensor;
/// let x = Tensor::new(&[0.5f64, -1.0, 2.0], &[3]);
/// let w = Tensor::new(&[1.0f64, 2.0, 3.0], &[3, 1]);
/// // f(x, w) = tanh(x) ⊗ w, an outer product through broadcasting
/// let report = gradcheck(|v: &[Var]| v[0].tanh() * &v[1], &[x, w], GradcheckOptions::default()).unwrap();
/// assert!(report.checks > 0);
/// ```
///
/// # Errors
/// [`GradcheckError::Mismatch`] naming the first entry out of tolerance; [`GradcheckError::Backward`] when the
/// backward pass fails; [`GradcheckError::NotFloat`] for an integer input.
pub fn gradcheck(
    f: impl Fn(&[Var]) -> Var,
    inputs: &[Tensor],
    opts: GradcheckOptions,
) -> Result<GradcheckReport, GradcheckError> {
    for (i, t) in inputs.iter().enumerate() {
        if !t.dtype().is_float() {
            return Err(GradcheckError::NotFloat { input: i });
        }
    }
    let inputs: Vec<Tensor> = inputs.iter().map(|t| t.to_dtype(DType::F64).contiguous()).collect();
    let leaves: Vec<Var> = inputs.iter().map(|t| Var::leaf(t.clone())).collect();
    let out = f(&leaves);
    let out_shape = out.shape();
    let out_numel: usize = out_shape.iter().product();
    let in_numel: usize = inputs.iter().map(Tensor::numel).sum();
    let mut check = Checker { opts: &opts, checks: 0, max_abs_error: 0.0 };

    // f evaluated without recording at `inputs` with input `i` replaced by `x`.
    let eval = |i: usize, x: Tensor| -> Vec<f64> {
        no_grad(|| {
            let args: Vec<Var> = inputs
                .iter()
                .enumerate()
                .map(|(j, t)| Var::constant(if j == i { x.clone() } else { t.clone() }))
                .collect();
            f(&args).tensor().to_dtype(DType::F64).to_f64_vec()
        })
    };

    if out_numel * in_numel <= opts.max_full_entries {
        // Rows of J: the backward of each one-hot upstream gradient.
        let mut rows = Vec::with_capacity(out_numel); // rows[j][i] = ∂out_j/∂input_i, flattened
        for j in 0..out_numel {
            let mut seed = vec![0.0; out_numel];
            seed[j] = 1.0;
            let seed = Tensor::from_vec(seed, &out_shape, inputs.first().map_or(&tensor::Device::Cpu, |t| t.device()));
            rows.push(analytic_grads(&out, &leaves, &inputs, Some(&seed.to_dtype(out.dtype())), true)?);
        }
        // Columns of J: central differences of each input element.
        for (i, x) in inputs.iter().enumerate() {
            let values = x.to_f64_vec();
            for k in 0..values.len() {
                let (plus, minus) = (perturb(x, &values, k, opts.eps), perturb(x, &values, k, -opts.eps));
                let (fp, fm) = (eval(i, plus), eval(i, minus));
                for j in 0..out_numel {
                    let numeric = (fp[j] - fm[j]) / (2.0 * opts.eps);
                    let probe =
                        || Probe::Element { input_index: unravel(k, x.shape()), output_index: unravel(j, &out_shape) };
                    check.compare(i, rows[j][i][k], numeric, probe)?;
                }
            }
        }
        return Ok(check.report(GradcheckMode::FullJacobian));
    }

    // Directional: L = Σ u ⊙ out for a random u, then uᵀ·J·v along random directions v.
    let mut rng = SplitMix64(opts.seed);
    let u: Vec<f64> = (0..out_numel).map(|_| rng.uniform()).collect();
    let weigh = |o: &[f64]| o.iter().zip(&u).map(|(a, b)| a * b).sum::<f64>();
    let u_t = Tensor::from_vec(u.clone(), &out_shape, &tensor::Device::Cpu).to_dtype(out.dtype());
    let grads = analytic_grads(&out, &leaves, &inputs, Some(&u_t), false)?;
    for (i, x) in inputs.iter().enumerate() {
        let values = x.to_f64_vec();
        for d in 0..opts.directions {
            let v: Vec<f64> = (0..values.len()).map(|_| rng.uniform()).collect();
            let analytic: f64 = grads[i].iter().zip(&v).map(|(g, v)| g * v).sum();
            let shifted = |s: f64| {
                let moved: Vec<f64> = values.iter().zip(&v).map(|(x, v)| x + s * v).collect();
                Tensor::from_vec(moved, x.shape(), x.device())
            };
            let numeric = (weigh(&eval(i, shifted(opts.eps))) - weigh(&eval(i, shifted(-opts.eps)))) / (2.0 * opts.eps);
            check.compare(i, analytic, numeric, || Probe::Direction { direction: d })?;
        }
    }
    Ok(check.report(GradcheckMode::Directional))
}

/// The gradient of every input (flattened f64; zeros where none flowed) for the upstream gradient `seed`.
fn analytic_grads(
    out: &Var,
    leaves: &[Var],
    inputs: &[Tensor],
    seed: Option<&Tensor>,
    keep_graph: bool,
) -> Result<Vec<Vec<f64>>, GradcheckError> {
    leaves.iter().for_each(Var::zero_grad);
    match out.backward_with(seed, keep_graph) {
        // A result that does not depend on the inputs has zero gradients.
        Ok(()) | Err(AutogradError::NoGradRequired { .. }) => {}
        Err(e) => return Err(GradcheckError::Backward(e)),
    }
    Ok(leaves
        .iter()
        .zip(inputs)
        .map(|(leaf, x)| leaf.grad().map_or_else(|| vec![0.0; x.numel()], |g| g.to_dtype(DType::F64).to_f64_vec()))
        .collect())
}

/// `x` with element `k` (of its flattened `values`) moved by `delta`.
fn perturb(x: &Tensor, values: &[f64], k: usize, delta: f64) -> Tensor {
    let mut moved = values.to_vec();
    moved[k] += delta;
    Tensor::from_vec(moved, x.shape(), x.device())
}

/// The multi-index of flat (row-major) position `flat` in `shape`.
fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        index[d] = flat % shape[d];
        flat /= shape[d];
    }
    index
}

/// Counts comparisons and stops at the first one out of tolerance.
struct Checker<'a> {
    opts: &'a GradcheckOptions,
    checks: usize,
    max_abs_error: f64,
}

impl Checker<'_> {
    fn compare(
        &mut self,
        input: usize,
        analytic: f64,
        numeric: f64,
        probe: impl FnOnce() -> Probe,
    ) -> Result<(), GradcheckError> {
        let tolerance = self.opts.atol + self.opts.rtol * numeric.abs();
        let error = (analytic - numeric).abs();
        self.checks += 1;
        self.max_abs_error = self.max_abs_error.max(error);
        // A NaN on either side fails too.
        if error > tolerance || error.is_nan() {
            return Err(GradcheckError::Mismatch { input, probe: probe(), analytic, numeric, tolerance });
        }
        Ok(())
    }

    fn report(self, mode: GradcheckMode) -> GradcheckReport {
        GradcheckReport { mode, checks: self.checks, max_abs_error: self.max_abs_error }
    }
}

/// A tiny deterministic generator (SplitMix64), so gradcheck needs no dependency and repeats itself exactly.
struct SplitMix64(u64);

impl SplitMix64 {
    /// Uniform in [-1, 1).
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}
