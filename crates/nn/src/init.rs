//! Parameter initialisation as `torch.nn.init` computes it, drawing from a [`TorchGenerator`].
//!
//! Every bound is computed in f64 with the same operations, in the same order, as the Python source, so the
//! drawn values agree with PyTorch to the last bit (see `generator.rs` for how one value is drawn).
//!
//! `nn.Linear(in, out)` initialises its weight `[out, in]` with `kaiming_uniform_(a=√5)`:
//!
//! ```text
//! gain  = √(2 / (1 + a²))          // calculate_gain("leaky_relu", a)
//! std   = gain / √fan_in
//! bound = √3 · std                 // = 1/√fan_in up to rounding
//! weight ~ U(-bound, bound)
//! ```
//!
//! then its bias `[out]` with `uniform_(-1/√fan_in, 1/√fan_in)`, from the same generator, right after.

use tensor::{DType, Device, Tensor};

use crate::generator::TorchGenerator;

/// The non-linearity argument of [`calculate_gain`] (`torch.nn.init.calculate_gain`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nonlinearity {
    /// `"linear"` (and the convolutions): gain 1.
    Linear,
    /// `"sigmoid"`: gain 1.
    Sigmoid,
    /// `"tanh"`: gain 5/3.
    Tanh,
    /// `"relu"`: gain √2.
    Relu,
    /// `"leaky_relu"` with its negative slope (`None` = PyTorch's default 0.01): gain √(2 / (1 + slope²)).
    LeakyRelu(Option<f64>),
    /// `"selu"`: gain 3/4.
    Selu,
}

/// The recommended gain for a non-linearity, as `torch.nn.init.calculate_gain`.
pub fn calculate_gain(nonlinearity: Nonlinearity) -> f64 {
    match nonlinearity {
        Nonlinearity::Linear | Nonlinearity::Sigmoid => 1.0,
        Nonlinearity::Tanh => 5.0 / 3.0,
        Nonlinearity::Relu => 2.0f64.sqrt(),
        Nonlinearity::LeakyRelu(slope) => {
            let slope = slope.unwrap_or(0.01);
            // Python's `slope**2` is the correctly rounded square, as `slope * slope`.
            (2.0 / (1.0 + slope * slope)).sqrt()
        }
        Nonlinearity::Selu => 3.0 / 4.0,
    }
}

/// Which fan [`kaiming_uniform`] scales by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FanMode {
    /// The number of inputs (`shape[1] * receptive field`): preserves the forward pass's variance.
    FanIn,
    /// The number of outputs (`shape[0] * receptive field`): preserves the backward pass's variance.
    FanOut,
}

/// `(fan_in, fan_out)` of a weight of `shape` (`torch.nn.init._calculate_fan_in_and_fan_out`).
///
/// # Panics
/// When `shape` has fewer than 2 dimensions, or its size overflows.
#[track_caller]
pub fn fan_in_and_fan_out(shape: &[usize]) -> (usize, usize) {
    if shape.len() < 2 {
        init_misuse(format!(
            "fan_in_and_fan_out: fan in and fan out cannot be computed for shape {shape:?} (fewer than 2 dimensions)"
        ));
    }
    checked_numel("fan_in_and_fan_out", shape, DType::F32);
    // Each fan divides the number of elements, so none of these products overflows — unless a dimension is 0,
    // where saturating keeps the answer defined (a zero-element weight is never drawn from).
    let receptive_field = shape[2..].iter().fold(1usize, |n, &d| n.saturating_mul(d));
    (shape[1].saturating_mul(receptive_field), shape[0].saturating_mul(receptive_field))
}

/// The number of elements of a `dtype` tensor of `shape`, after checking that such a tensor can exist on the
/// CPU: the product does not overflow and the bytes fit in `isize::MAX` (Rust's limit for one allocation).
///
/// # Panics
/// When it cannot exist: `Linear: a float32 tensor of shape [4294967296, 4294967296] cannot exist (...)`.
#[track_caller]
pub fn checked_numel(op: &str, shape: &[usize], dtype: DType) -> usize {
    let numel = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    match numel {
        Some(n) if n.checked_mul(dtype.size_in_bytes()).is_some_and(|b| b <= isize::MAX as usize) => n,
        _ => init_misuse(format!(
            "{op}: a {dtype} tensor of shape {shape:?} cannot exist (its size in bytes overflows the address \
             space); pick smaller sizes"
        )),
    }
}

/// A float32 tensor of `shape` drawn from `U(from, to)`: `torch.empty(shape).uniform_(from, to)`.
///
/// # Panics
/// As [`uniform_dtype`].
#[track_caller]
pub fn uniform(shape: &[usize], from: f64, to: f64, generator: &mut TorchGenerator, device: &Device) -> Tensor {
    uniform_dtype(shape, from, to, DType::F32, generator, device)
}

/// [`uniform`] for a float dtype (float64 draws two words per element, as PyTorch).
///
/// # Panics
/// When `dtype` is not a float type, `from` or `to` is not finite, `from > to` (PyTorch refuses both), or the
/// tensor cannot exist.
#[track_caller]
pub fn uniform_dtype(
    shape: &[usize],
    from: f64,
    to: f64,
    dtype: DType,
    generator: &mut TorchGenerator,
    device: &Device,
) -> Tensor {
    if !dtype.is_float() {
        init_misuse(format!("uniform: cannot draw floats into an {dtype} tensor of shape {shape:?}"));
    }
    if !(from.is_finite() && to.is_finite() && from <= to) {
        init_misuse(format!(
            "uniform: expects a finite range [from, to) with from <= to, got from={from}, to={to} (shape {shape:?})"
        ));
    }
    let n = checked_numel("uniform", shape, dtype);
    match dtype {
        DType::F32 => Tensor::from_vec(generator.uniform_vec_f32(n, from, to), shape, device),
        _ => Tensor::from_vec(generator.uniform_vec_f64(n, from, to), shape, device),
    }
}

/// Panics at the caller of an `init` function.
#[cold]
#[track_caller]
fn init_misuse(message: String) -> ! {
    panic!("{message}")
}

/// The bound `√3 · gain / √fan` of [`kaiming_uniform`], computed as PyTorch does.
#[track_caller]
pub fn kaiming_uniform_bound(shape: &[usize], a: f64, mode: FanMode, nonlinearity: Nonlinearity) -> f64 {
    let (fan_in, fan_out) = fan_in_and_fan_out(shape);
    let fan = match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    // `a` is the negative slope when the non-linearity is leaky ReLU, as in `calculate_gain(nonlinearity, a)`.
    let nonlinearity = match nonlinearity {
        Nonlinearity::LeakyRelu(_) => Nonlinearity::LeakyRelu(Some(a)),
        other => other,
    };
    let gain = calculate_gain(nonlinearity);
    let std = gain / (fan as f64).sqrt();
    3.0f64.sqrt() * std
}

/// `torch.nn.init.kaiming_uniform_(torch.empty(shape), a, mode, nonlinearity)`: `U(-bound, bound)` with
/// `bound = √3 · gain / √fan` (see the module doc).
#[track_caller]
pub fn kaiming_uniform(
    shape: &[usize],
    a: f64,
    mode: FanMode,
    nonlinearity: Nonlinearity,
    generator: &mut TorchGenerator,
    device: &Device,
) -> Tensor {
    if checked_numel("kaiming_uniform", shape, DType::F32) == 0 {
        // PyTorch: "Initializing zero-element tensors is a no-op" (the bound would be 1/√0).
        return Tensor::zeros(shape, DType::F32, device);
    }
    let bound = kaiming_uniform_bound(shape, a, mode, nonlinearity);
    uniform(shape, -bound, bound, generator, device)
}

/// The initial `(weight [out, in], bias [out])` of `nn.Linear(in_features, out_features, bias)`, drawn in
/// PyTorch's order: the whole weight first, then the bias.
///
/// # Panics
/// When the weight cannot exist (see [`checked_numel`]).
#[track_caller]
pub fn linear_parameters(
    in_features: usize,
    out_features: usize,
    bias: bool,
    generator: &mut TorchGenerator,
    device: &Device,
) -> (Tensor, Option<Tensor>) {
    let shape = [out_features, in_features];
    let weight = if checked_numel("Linear", &shape, DType::F32) == 0 {
        // PyTorch warns and leaves a zero-element tensor alone ("Initializing zero-element tensors is a no-op").
        Tensor::zeros(&shape, DType::F32, device)
    } else {
        kaiming_uniform(&shape, 5.0f64.sqrt(), FanMode::FanIn, Nonlinearity::LeakyRelu(None), generator, device)
    };
    let bias = bias.then(|| {
        let bound = if in_features > 0 { 1.0 / (in_features as f64).sqrt() } else { 0.0 };
        uniform(&[out_features], -bound, bound, generator, device)
    });
    (weight, bias)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_match_pytorch() {
        assert_eq!(calculate_gain(Nonlinearity::Tanh), 5.0 / 3.0);
        assert_eq!(calculate_gain(Nonlinearity::Relu), std::f64::consts::SQRT_2);
        // calculate_gain("leaky_relu", math.sqrt(5)) == 0.5773502691896257 (= 1/√3 up to rounding)
        assert_eq!(calculate_gain(Nonlinearity::LeakyRelu(Some(5.0f64.sqrt()))), 0.5773502691896257);
    }

    #[test]
    fn linear_bound_is_one_over_sqrt_fan_in_up_to_rounding() {
        // math.sqrt(3.0) * (math.sqrt(2.0 / (1 + math.sqrt(5)**2)) / math.sqrt(2)) == 0.7071067811865474
        let b = kaiming_uniform_bound(&[5, 2], 5.0f64.sqrt(), FanMode::FanIn, Nonlinearity::LeakyRelu(None));
        assert_eq!(b, 0.7071067811865474);
    }

    #[test]
    fn fans_of_a_conv_weight() {
        assert_eq!(fan_in_and_fan_out(&[8, 3, 5, 5]), (75, 200));
    }
}
