//! Every hint in an `autograd` error message ("reduce it first", "pass keep_graph = true", ...) is
//! triggered here by the mistake it is for, and its text checked: a hint no test reaches can rot
//! into bad advice unseen. The hints of the ops' shape panics are the `tensor` crate's
//! (`crates/tensor/tests/hints.rs`).

#[path = "../../../tests/support/panics.rs"]
mod panics;

use autograd::Var;
use panics::panic_text;
use tensor::{DType, Device, Tensor};

fn leaf(values: &[f64], shape: &[usize]) -> Var {
    Var::leaf(Tensor::new(values, shape))
}

#[test]
fn backward_of_a_non_scalar_says_reduce_it_or_pass_a_gradient() {
    let x = leaf(&[1.0, 2.0], &[2]);
    let e = x.mul_scalar(3.0).backward_with(None, false).unwrap_err().to_string();
    assert!(e.contains("has shape [2]"), "{e}");
    assert!(e.contains("reduce it first (e.g. .mean())"), "{e}");
    assert!(e.contains("call backward_with(Some(&grad), ..) with a gradient of that shape"), "{e}");
    // The advice works: a reduced result, or a gradient of the result's shape.
    x.mul_scalar(3.0).mean().backward_with(None, false).unwrap();
    x.mul_scalar(3.0).backward_with(Some(&Tensor::new(&[1.0f64, 1.0], &[2])), false).unwrap();
}

#[test]
fn a_gradient_of_the_wrong_shape_says_pass_one_of_the_results_shape() {
    let x = leaf(&[1.0, 2.0], &[2]);
    let e = x.mul_scalar(3.0).backward_with(Some(&Tensor::new(&[1.0f64, 1.0, 1.0], &[3])), false).unwrap_err();
    let e = e.to_string();
    assert!(e.contains("backward_with: the gradient [3] does not match the result [2]"), "{e}");
    assert!(e.contains("pass a gradient of the result's shape and dtype"), "{e}");
}

#[test]
fn a_second_backward_through_a_freed_graph_says_keep_the_graph() {
    let x = leaf(&[1.0, 2.0], &[2]);
    let y = x.exp().sum();
    y.backward_with(None, false).unwrap();
    let e = y.backward_with(None, false).unwrap_err().to_string();
    assert!(e.contains("the graph was freed"), "{e}");
    assert!(e.contains("pass keep_graph = true to the first backward (backward_with(None, true))"), "{e}");
    // The advice works: kept once, it runs twice.
    let z = x.exp().sum();
    z.backward_with(None, true).unwrap();
    z.backward_with(None, false).unwrap();
}

#[test]
fn a_custom_rule_with_too_few_gradients_says_return_one_per_input() {
    let (a, b) = (leaf(&[1.0], &[1]), leaf(&[2.0], &[1]));
    let y = Var::custom("mul2", &[&a, &b], |xs| xs[0].mul(&xs[1]), |_, _, g| vec![g.clone()]);
    let e = y.sum().backward_with(None, false).unwrap_err().to_string();
    assert!(e.contains("returned 1 gradients for 2 inputs: return one per input"), "{e}");
}

#[test]
fn cross_entropy_mean_with_float_targets_says_class_indices_as_int64() {
    let logits = Var::leaf(Tensor::zeros(&[3, 4], DType::F32, &Device::Cpu));
    let float_targets = Tensor::new(&[0.0f32, 1.0, 3.0], &[3]);
    let e = panic_text(|| {
        logits.cross_entropy_mean(&float_targets);
    });
    assert!(e.contains("float targets would be class probabilities"), "{e}");
    assert!(e.contains("to_dtype(DType::I64)"), "{e}");
    // The advice works.
    let loss = logits.cross_entropy_mean(&float_targets.to_dtype(DType::I64));
    assert!((loss.tensor().to_vec::<f32>()[0] - 4f32.ln()).abs() < 1e-6);
}
