//! `activations` — seed 002 §"Replicating non-linear activation functions" and seed 000
//! exercise 6: on `A = torch.arange(-10, 10, 1, dtype=torch.float32)`, the activations written by
//! hand next to the built-ins:
//!
//! - `relu(x) = torch.maximum(torch.tensor(0), x)` vs `torch.relu`;
//! - `sigmoid(x) = 1 / (1 + torch.exp(-x))` vs `torch.sigmoid`;
//! - `tanh(x) = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))` vs `torch.tanh`.
//!
//! Target: the hand-written ReLU equals the built-in exactly; sigmoid and tanh agree within
//! 1e-6 (absolute, values in [-1, 1]); the printed `relu(A)` and `sigmoid(A)` are the tutorial's
//! (`tensor([0., 0., ..., 9.])`, `tensor([4.5398e-05, 1.2339e-04, ...])`).

use super::{RunKind, RunSpec};
use crate::error::CliError;
use crate::plot::activations::ActivationPanel;
use tensor::{DType, Device, Tensor};

/// The run.
pub const SPEC: RunSpec = RunSpec {
    name: "activations",
    summary: "ReLU, sigmoid and tanh written by hand next to the built-ins on arange(-10, 10)",
    kind: RunKind::Activations,
};

/// Largest allowed |by hand - built in| for sigmoid and tanh.
pub const TOLERANCE: f32 = 1e-6;

/// The results: `A`, the three panels, the printed lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Activations {
    /// `arange(-10, 10)`.
    pub a: Vec<f32>,
    /// `A`, ReLU, sigmoid, tanh.
    pub panels: Vec<ActivationPanel>,
    /// What the run prints.
    pub lines: Vec<String>,
    /// Largest |by hand - built in| over sigmoid and tanh.
    pub max_abs_diff: f32,
    /// The hand-written ReLU equals the built-in bit for bit.
    pub relu_equal: bool,
}

/// Computes everything on `device`.
pub fn run(device: &Device) -> Result<Activations, CliError> {
    let a = Tensor::arange(-10.0, 10.0, 1.0, DType::F32, device);
    let zero = Tensor::scalar(0.0, DType::F32, device);
    let one = Tensor::scalar(1.0, DType::F32, device);

    // relu(x) = max(0, x)
    let relu_hand = zero.maximum(&a);
    let relu_builtin = a.relu();
    // sigmoid(x) = 1 / (1 + e^-x)
    let sigmoid_hand = one.div(&one.add(&a.neg().exp()));
    let sigmoid_builtin = a.sigmoid();
    // tanh(x) = (e^x - e^-x) / (e^x + e^-x)
    let (ex, emx) = (a.exp(), a.neg().exp());
    let tanh_hand = ex.sub(&emx).div(&ex.add(&emx));
    let tanh_builtin = a.tanh();

    let v = |t: &Tensor| t.to_vec::<f32>();
    let relu_equal = v(&relu_hand) == v(&relu_builtin);
    let max_abs_diff = v(&sigmoid_hand)
        .iter()
        .zip(v(&sigmoid_builtin))
        .chain(v(&tanh_hand).iter().zip(v(&tanh_builtin)))
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);

    let lines = vec![
        format!("A = {a}"),
        format!("relu(A) = {relu_hand}"),
        format!("torch.relu(A) = {relu_builtin}"),
        format!("sigmoid(A) = {sigmoid_hand}"),
        format!("torch.sigmoid(A) = {sigmoid_builtin}"),
        format!("tanh(A) = {tanh_hand}"),
        format!("torch.tanh(A) = {tanh_builtin}"),
        format!(
            "relu by hand == built in: {relu_equal}; max |by hand - built in| over sigmoid and tanh: {max_abs_diff:.3e}"
        ),
    ];
    let panel =
        |name: &str, h: &Tensor, b: &Tensor| ActivationPanel { name: name.into(), by_hand: v(h), built_in: v(b) };
    let panels = vec![
        panel("A = arange(-10, 10)", &a, &a),
        panel("ReLU", &relu_hand, &relu_builtin),
        panel("sigmoid", &sigmoid_hand, &sigmoid_builtin),
        panel("tanh", &tanh_hand, &tanh_builtin),
    ];
    Ok(Activations { a: v(&a), panels, lines, max_abs_diff, relu_equal })
}

/// Whether the run met its target.
pub fn target_met(r: &Activations) -> bool {
    r.relu_equal && r.max_abs_diff <= TOLERANCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_activations_match_the_built_ins() {
        let r = run(&Device::Cpu).unwrap();
        assert!(r.relu_equal);
        assert!(r.max_abs_diff <= TOLERANCE, "max diff {}", r.max_abs_diff);
        assert!(target_met(&r));
        assert_eq!(r.panels[1].by_hand[11..], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    }

    #[test]
    fn printed_like_the_tutorial() {
        let r = run(&Device::Cpu).unwrap();
        let relu = &r.lines[1];
        assert_eq!(
            relu,
            "relu(A) = tensor([0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 1., 2., 3., 4., 5., 6., 7.,\n        8., 9.])"
        );
        assert!(r.lines[3].starts_with("sigmoid(A) = tensor([4.5398e-05, 1.2339e-04, 3.3535e-04,"), "{}", r.lines[3]);
    }
}
