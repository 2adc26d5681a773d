//! Every loss × reduction against PyTorch: values and input gradients (`tests/fixtures/losses.json`), including
//! logits of ±1e4, -∞ off the target, probabilities of exactly 0 and 1, class weights, label smoothing,
//! ignored targets and pos_weight; plus the ±∞ cases where PyTorch itself gives NaN.

mod common;

use autograd::Var;
use common::*;
use nn::{BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss, Reduction};
use serde_json::Value;
use tensor::{DType, Device, Tensor};

fn reduction(s: &str) -> Reduction {
    match s {
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        "none" => Reduction::None,
        other => panic!("unknown reduction {other}"),
    }
}

/// Runs one fixture case: the loss value and the gradient of `Σ upstream · loss` w.r.t. the input.
fn run(case: &Value) -> (Var, Var) {
    let x = Var::leaf(f32_tensor(&case["input"], &case["input_shape"]));
    let target = if case["target_int"].as_bool().unwrap() {
        i64_tensor(&case["target"], &case["target_shape"])
    } else {
        f32_tensor(&case["target"], &case["target_shape"])
    };
    let r = reduction(case["reduction"].as_str().unwrap());
    let opt = |k: &str| {
        case.get(k).map(|v| {
            Tensor::from_vec(f64s(v).iter().map(|&x| x as f32).collect::<Vec<_>>(), &[f64s(v).len()], &Device::Cpu)
        })
    };
    let out = match case["kind"].as_str().unwrap() {
        "bce_with_logits" => {
            let mut l = BCEWithLogitsLoss::new().with_reduction(r);
            l.weight = opt("weight");
            l.pos_weight = opt("pos_weight");
            l.forward(&x, &target)
        }
        "bce" => {
            let mut l = BCELoss::new().with_reduction(r);
            l.weight = opt("weight");
            l.forward(&x, &target)
        }
        "cross_entropy" => {
            let mut l = CrossEntropyLoss::new().with_reduction(r);
            l.weight = opt("weight");
            if let Some(e) = case.get("label_smoothing") {
                l = l.with_label_smoothing(e.as_f64().unwrap());
            }
            if let Some(i) = case.get("ignore_index") {
                l = l.with_ignore_index(i.as_i64().unwrap());
            }
            l.forward(&x, &target)
        }
        "nll" => {
            let mut l = NLLLoss::new().with_reduction(r);
            l.weight = opt("weight");
            l.forward(&x, &target)
        }
        "l1" => L1Loss::new().with_reduction(r).forward(&x, &target),
        "mse" => MSELoss::new().with_reduction(r).forward(&x, &target),
        other => panic!("unknown loss {other}"),
    };
    let upstream = Var::constant(f32_tensor(&case["upstream"], &case["value_shape"]));
    out.mul(&upstream).sum().backward();
    (x, out)
}

#[test]
fn every_loss_and_reduction_matches_pytorch() {
    let cases = fixture("losses.json");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 60);
    for (k, case) in cases.iter().enumerate() {
        let what = format!(
            "case {k} {} {} {:?}",
            case["kind"],
            case["reduction"],
            ["weight", "pos_weight", "label_smoothing", "ignore_index"]
                .iter()
                .filter(|o| case.get(**o).is_some())
                .collect::<Vec<_>>()
        );
        let (x, out) = run(case);
        assert_eq!(out.shape(), usizes(&case["value_shape"]), "{what}: shape");
        assert_close(&format!("{what}: value"), &out.tensor().to_f64_vec(), &f64s(&case["value"]), 2e-6, 1e-6);
        let grad = x.grad().expect("input gradient").to_f64_vec();
        assert!(grad.iter().all(|g| g.is_finite()), "{what}: non-finite gradient {grad:?}");
        assert_close(&format!("{what}: grad"), &grad, &f64s(&case["grad"]), 2e-6, 1e-6);
    }
}

/// Negative control: a wrong formula (mean instead of weighted mean) is caught by the comparison above.
#[test]
#[should_panic(expected = "value")]
fn weighted_mean_is_not_a_plain_mean() {
    let cases = fixture("losses.json");
    let case = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "cross_entropy" && c["reduction"] == "mean" && c.get("weight").is_some())
        .unwrap();
    let mut plain = case.clone();
    plain["reduction"] = Value::from("none");
    plain["value_shape"] = Value::from(vec![5]);
    plain["upstream"] = Value::from(vec![1.0; 5]);
    let (_, per_sample) = run(&plain);
    let wrong = per_sample.tensor().mean().item();
    assert_close("value", &[wrong], &f64s(&case["value"]), 2e-6, 1e-6);
}

#[test]
fn bce_with_logits_is_finite_at_infinite_logits() {
    // ℓ(+∞, 1) = ℓ(-∞, 0) = 0 with gradient σ(x) - y = 0; ℓ(1e4, 0) = 1e4 with gradient 1.
    let x = Var::leaf(Tensor::new(&[f32::INFINITY, f32::NEG_INFINITY, 1e4, -1e4], &[4]));
    let y = Tensor::new(&[1.0f32, 0.0, 0.0, 1.0], &[4]);
    for loss in [BCEWithLogitsLoss::new(), BCEWithLogitsLoss::new().with_pos_weight(Tensor::new(&[2.5f32], &[1]))] {
        x.zero_grad();
        let l = loss.with_reduction(Reduction::None).forward(&x, &y);
        l.sum().backward();
        let v = l.tensor().to_vec::<f32>();
        assert_eq!(v[..2], [0.0, 0.0]);
        assert!(v[2] == 1e4 && v[3] >= 1e4, "{v:?}");
        let g = x.grad().unwrap().to_vec::<f32>();
        assert_eq!(g[..3], [0.0, 0.0, 1.0]);
        assert!(g[3] < 0.0 && g[3].is_finite(), "{g:?}");
    }
}

#[test]
fn bce_gradient_is_finite_at_zero_and_one() {
    // PyTorch: (x - y) / max(x(1-x), 1e-12) -> at x = 0, y = 1: -1e12; at x = 1, y = 1: 0.
    let x = Var::leaf(Tensor::new(&[0.0f32, 1.0, 0.5], &[3]));
    let y = Tensor::new(&[1.0f32, 1.0, 0.0], &[3]);
    let l = BCELoss::new().with_reduction(Reduction::Sum).forward(&x, &y);
    assert!((l.tensor().item() - (100.0 + 0.0 + std::f64::consts::LN_2)).abs() < 1e-4);
    l.backward();
    let g = x.grad().unwrap().to_vec::<f32>();
    assert_eq!(g[0], -1e12);
    assert_eq!(g[1], 0.0);
    assert!((g[2] - 2.0).abs() < 1e-6);
}

#[test]
#[should_panic(expected = "CrossEntropyLoss: target 4 is out of bounds for 4 classes")]
fn cross_entropy_names_a_bad_target() {
    let x = Var::leaf(Tensor::zeros(&[2, 4], DType::F32, &Device::Cpu));
    CrossEntropyLoss::new().forward(&x, &Tensor::new(&[0i64, 4], &[2]));
}

#[test]
#[should_panic(expected = "BCEWithLogitsLoss: input [3, 1] and target [3] must have the same shape")]
fn bce_with_logits_names_the_shapes() {
    let x = Var::leaf(Tensor::zeros(&[3, 1], DType::F32, &Device::Cpu));
    BCEWithLogitsLoss::new().forward(&x, &Tensor::zeros(&[3], DType::F32, &Device::Cpu));
}

#[test]
#[should_panic(expected = "BCELoss: all elements of input should be between 0 and 1")]
fn bce_rejects_logits() {
    let x = Var::leaf(Tensor::new(&[0.5f32, 1.5], &[2]));
    BCELoss::new().forward(&x, &Tensor::new(&[0.0f32, 1.0], &[2]));
}
