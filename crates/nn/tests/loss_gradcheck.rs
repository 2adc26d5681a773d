//! Finite-difference gradient checks of every loss (f64, random shapes, every option), as property tests:
//! the composed losses and BCELoss's own rule agree with numeric derivatives away from kinks.

use autograd::{gradcheck, GradcheckOptions, Var};
use nn::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, Reduction};
use proptest::prelude::*;
use tensor::{Device, Tensor};

fn f64_tensor(values: Vec<f64>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(values, shape, &Device::Cpu)
}

fn reduction(i: u8) -> Reduction {
    [Reduction::Mean, Reduction::Sum, Reduction::None][i as usize % 3]
}

/// `(n, c, logits, class targets with some ignored, soft targets, class weights)`.
fn classification() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<i64>, Vec<f64>, Vec<f64>)> {
    (1usize..6, 2usize..5).prop_flat_map(|(n, c)| {
        (
            Just(n),
            Just(c),
            prop::collection::vec(-4.0f64..4.0, n * c),
            prop::collection::vec(-1i64..c as i64, n),
            prop::collection::vec(0.01f64..1.0, n * c),
            prop::collection::vec(0.1f64..3.0, c),
        )
    })
}

fn check(f: impl Fn(&[Var]) -> Var, input: Tensor) {
    let report = gradcheck(f, &[input], GradcheckOptions::default());
    if let Err(e) = report {
        panic!("{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn cross_entropy_and_nll_gradcheck(
        (n, c, x, t, soft, w) in classification(),
        r in 0u8..3,
        smoothing in 0.0f64..0.5,
    ) {
        // -1 stands for an ignored target; keep at least one valid target so the mean is defined.
        let mut t: Vec<i64> = t.into_iter().map(|v| if v < 0 { 7 } else { v }).collect();
        if t.iter().all(|&v| v == 7) {
            t[0] = 0;
        }
        let target = Tensor::new(&t, &[n]);
        let weight = f64_tensor(w, &[c]);
        let input = f64_tensor(x, &[n, c]);
        let ce = CrossEntropyLoss::new()
            .with_weight(weight.clone())
            .with_ignore_index(7)
            .with_label_smoothing(smoothing)
            .with_reduction(reduction(r));
        check(|v| ce.forward(&v[0], &target), input.clone());
        // Soft targets, normalised per row.
        let soft = f64_tensor(soft, &[n, c]);
        let soft = soft.div(&soft.sum_keepdim(1usize));
        let ce_soft = CrossEntropyLoss::new().with_weight(weight.clone()).with_label_smoothing(smoothing).with_reduction(reduction(r));
        check(|v| ce_soft.forward(&v[0], &soft), input.clone());
        let nll = NLLLoss::new().with_weight(weight).with_ignore_index(7).with_reduction(reduction(r));
        check(|v| nll.forward(&v[0].log_softmax(1usize), &target), input);
    }

    #[test]
    fn binary_losses_gradcheck(
        x in prop::collection::vec(-6.0f64..6.0, 6),
        y in prop::collection::vec(0.0f64..1.0, 6),
        pw in prop::collection::vec(0.2f64..4.0, 3),
        r in 0u8..3,
    ) {
        let input = f64_tensor(x, &[2, 3]);
        let target = f64_tensor(y, &[2, 3]);
        let pos_weight = f64_tensor(pw, &[3]);
        let bce_logits = BCEWithLogitsLoss::new().with_pos_weight(pos_weight.clone()).with_weight(pos_weight).with_reduction(reduction(r));
        check(|v| bce_logits.forward(&v[0], &target), input.clone());
        // BCELoss's own rule, on probabilities strictly inside (0, 1).
        let bce = BCELoss::new().with_reduction(reduction(r));
        check(|v| bce.forward(&v[0].sigmoid(), &target), input);
    }

    #[test]
    fn regression_losses_gradcheck(
        x in prop::collection::vec(-3.0f64..3.0, 8),
        y in prop::collection::vec(-3.0f64..3.0, 8),
        r in 0u8..3,
    ) {
        // Keep |x - y| away from L1's kink at 0.
        prop_assume!(x.iter().zip(&y).all(|(a, b)| (a - b).abs() > 1e-3));
        let input = f64_tensor(x, &[4, 2]);
        let target = f64_tensor(y, &[4, 2]);
        let l1 = L1Loss::new().with_reduction(reduction(r));
        check(|v| l1.forward(&v[0], &target), input.clone());
        let mse = MSELoss::new().with_reduction(reduction(r));
        check(|v| mse.forward(&v[0], &target), input);
    }
}
