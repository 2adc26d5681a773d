//! The scalar oracles checked by hand.

use super::*;

#[test]
fn sigmoid_is_stable() {
    assert_eq!(sigmoid(0.0f32), 0.5);
    assert_eq!(sigmoid(f32::INFINITY), 1.0);
    assert_eq!(sigmoid(f32::NEG_INFINITY), 0.0);
    assert_eq!(sigmoid(-1e4f32), 0.0);
    assert!((sigmoid(-20.0f64) - 2.0611536181902037e-9).abs() < 1e-20);
}

#[test]
fn bce_with_logits_is_finite_at_the_extremes() {
    // ℓ(x, 1) = ln(1 + e^-x): 0 for x → ∞, ∞-ish (= |x|) for x → -∞.
    assert_eq!(bce_with_logits(f32::INFINITY, 1.0), 0.0);
    assert_eq!(bce_with_logits(f32::NEG_INFINITY, 0.0), 0.0);
    assert_eq!(bce_with_logits(1e4f32, 1.0), 0.0);
    assert_eq!(bce_with_logits(-1e4f32, 1.0), 1e4);
    assert_eq!(bce_with_logits(1e4f32, 0.0), 1e4);
    assert!((bce_with_logits(0.0f64, 1.0) - std::f64::consts::LN_2).abs() < 1e-15);
    // Against the textbook formula at a moderate value.
    let (x, y) = (0.3f64, 0.25);
    let s = 1.0 / (1.0 + (-x).exp());
    let want = -(y * s.ln() + (1.0 - y) * (1.0 - s).ln());
    assert!((bce_with_logits(x, y) - want).abs() < 1e-15);
}

#[test]
fn binary_all_lists_every_op_once_in_order() {
    for (i, op) in BinaryOp::ALL.iter().enumerate() {
        // An exhaustive match: a new variant does not compile here until it has its place in `ALL`.
        let position = match op {
            BinaryOp::Add => 0,
            BinaryOp::Sub => 1,
            BinaryOp::Mul => 2,
            BinaryOp::Div => 3,
            BinaryOp::Maximum => 4,
            BinaryOp::Minimum => 5,
            BinaryOp::Pow => 6,
            BinaryOp::Eq => 7,
            BinaryOp::Ne => 8,
            BinaryOp::Lt => 9,
            BinaryOp::Le => 10,
            BinaryOp::Gt => 11,
            BinaryOp::Ge => 12,
            BinaryOp::BceWithLogits => 13,
        };
        assert_eq!(position, i, "{}", op.name());
    }
}

#[test]
fn binary_kernels_are_the_public_ops_then_relu_backward() {
    let (public, backend_only) = BinaryKernel::ALL.split_at(BinaryOp::ALL.len());
    assert_eq!(public, BinaryOp::ALL.map(BinaryKernel::Op));
    for kernel in backend_only {
        // An exhaustive match: a new backend-only kernel does not compile here until it has its place in `ALL`.
        match kernel {
            BinaryKernel::Op(op) => panic!("{} listed twice", op.name()),
            BinaryKernel::ReluBackward => {}
        }
    }
    assert_eq!(backend_only, [BinaryKernel::ReluBackward]);
}

#[test]
fn relu_backward_by_hand() {
    // d/dx max(x, 0) = [x > 0]: the upstream gradient passes where x > 0 and is cut (even ∞, NaN) where x ≤ 0.
    assert_eq!(relu_backward(3.0f32, 0.5), 3.0);
    assert_eq!(relu_backward(3.0f32, 0.0), 0.0);
    assert_eq!(relu_backward(3.0f32, -0.0), 0.0);
    assert_eq!(relu_backward(f32::INFINITY, -1.0), 0.0);
    assert!(relu_backward(f32::NAN, 1.0f32).is_nan());
    assert_eq!(binary_kernel(BinaryKernel::ReluBackward, 2.0f64, -1.0), 0.0);
    assert_eq!(binary_kernel(BinaryKernel::Op(BinaryOp::Sub), 2.0f64, -1.0), 3.0);
}

#[test]
fn softmax_and_log_softmax_by_hand() {
    // softmax([0, ln 3]) = [1/4, 3/4]; log_softmax = ln of it. The shift does not change the result.
    let row = [0.0f64, 3.0f64.ln()];
    let p = softmax(&row);
    assert!((p[0] - 0.25).abs() < 1e-15 && (p[1] - 0.75).abs() < 1e-15, "{p:?}");
    let shifted = softmax(&[1000.0f64, 1000.0 + 3.0f64.ln()]);
    assert!((shifted[0] - 0.25).abs() < 1e-12, "{shifted:?}");
    let lp = log_softmax(&row);
    assert!((lp[0] - 0.25f64.ln()).abs() < 1e-15 && (lp[1] - 0.75f64.ln()).abs() < 1e-15, "{lp:?}");
    // A row with some -∞ gives exact zeros (and -∞) there; an all -∞ row gives NaN, as PyTorch.
    assert_eq!(softmax(&[f32::NEG_INFINITY, 0.0]), vec![0.0, 1.0]);
    assert_eq!(log_softmax(&[f32::NEG_INFINITY, 0.0]), vec![f32::NEG_INFINITY, 0.0]);
    assert!(softmax(&[f32::NEG_INFINITY; 2]).iter().all(|v| v.is_nan()));
    assert_eq!(softmax_row(SoftmaxOp::LogSoftmax, &row), lp);
}

#[test]
fn round_is_half_to_even() {
    assert_eq!(unary(UnaryOp::Round, 0.5f32), 0.0);
    assert_eq!(unary(UnaryOp::Round, 1.5f32), 2.0);
    assert_eq!(unary(UnaryOp::Round, -2.5f64), -2.0);
}
