//! Checking derivative rules with finite differences: `cargo run --example gradcheck`.
//!
//! 1. A composed function (softmax cross-entropy of a tiny linear model) passes: its analytic gradients agree with
//!    central differences to ~1e-9.
//! 2. A custom op with a deliberately wrong rule (σ' written as σ(1 + σ)) is caught, and the report says which
//!    input, which element, and by how much.

use autograd::{gradcheck, GradcheckOptions, Var};
use tensor::Tensor;

fn main() {
    // --- 1. a correct graph ------------------------------------------------------------------------------------
    let x = Var::constant(Tensor::new(&[0.5f64, -1.0, 2.0, 0.1, -0.3, 0.7], &[3, 2]));
    let labels = Tensor::new(&[1i64, 0, 2], &[3, 1]);
    let w = Tensor::new(&[0.1f64, -0.2, 0.3, 0.4, 0.5, -0.6], &[2, 3]);
    let b = Tensor::new(&[0.0f64, 0.1, -0.1], &[3]);
    // loss(w, b) = -mean_i log_softmax(x w + b)[i, label_i]
    let loss = |v: &[Var]| (x.matmul(&v[0]) + &v[1]).log_softmax(-1).gather(1usize, &labels).mean().neg();
    match gradcheck(loss, &[w.clone(), b.clone()], GradcheckOptions::default()) {
        Ok(report) => println!(
            "cross-entropy: OK, {} Jacobian entries compared ({:?}), largest difference {:.1e}",
            report.checks, report.mode, report.max_abs_error
        ),
        Err(e) => println!("cross-entropy: {e}"),
    }

    // --- 2. a wrong rule ----------------------------------------------------------------------------------------
    let wrong_sigmoid = |v: &[Var]| {
        Var::custom(
            "my_sigmoid",
            &[&v[0]],
            |xs| xs[0].sigmoid(),
            // The right rule is g·σ(1 - σ).
            |_, out, g| vec![g.mul(&out.mul(&out.affine(1.0, 1.0)))],
        )
    };
    let input = Tensor::new(&[0.5f64, -1.0, 2.0], &[3]);
    match gradcheck(wrong_sigmoid, &[input], GradcheckOptions::default()) {
        Ok(_) => println!("wrong sigmoid: passed (it should not have!)"),
        Err(e) => println!("wrong sigmoid: caught — {e}"),
    }
}
