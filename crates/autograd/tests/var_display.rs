//! `Var`'s printing against PyTorch: `print(t)` for a parameter (`requires_grad=True`), a constant and the
//! results of the tutorial's ops (`grad_fn=<AddmmBackward0>`...). Expected strings in
//! `fixtures/var_display.json`, written by `scripts/make_var_display_fixtures.py` with torch; the inputs are the
//! literals of that script.

use autograd::Var;
use tensor::{DType, Device, Tensor};

fn expected() -> Vec<(String, String)> {
    let text = include_str!("fixtures/var_display.json");
    let cases: serde_json::Value = serde_json::from_str(text).expect("valid fixture");
    cases
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["expected"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn var_prints_as_pytorch() {
    let x = Var::constant(Tensor::new(&[1.0f32, 2.0, -1.0, 0.5, 0.25, -3.0], &[3, 2]));
    let w = Var::leaf(Tensor::new(&[0.5f32, -1.0, 2.0, 0.25], &[2, 2]));
    let b = Var::leaf(Tensor::new(&[0.1f32, -0.2], &[2]));
    let y = Tensor::new(&[1.0f32, 0.0, 1.0], &[3]);
    let labels = Tensor::new(&[1i64, 0, 1], &[3]);
    let w64 = Var::leaf(Tensor::new(&[1.5f64, -2.0], &[2]));
    let h = x.linear(&w, Some(&b));
    let got = |name: &str| -> Var {
        match name {
            "leaf" => w.clone(),
            "leaf_f64" => w64.clone(),
            "constant" => x.clone(),
            "linear" => h.clone(),
            "linear_no_bias" => x.linear(&w, None),
            "relu" => h.relu(),
            "sigmoid" => h.sigmoid(),
            "tanh" => h.tanh(),
            "add" => &h + &h,
            "sub" => &h - &h,
            "mul" => &h * &h,
            "sum" => h.sum(),
            "softmax" => h.softmax(1),
            "bce_with_logits" => h.narrow(1, 0, 1).squeeze_dim(1).bce_with_logits_mean(&Var::constant(y.clone())),
            "cross_entropy" => h.cross_entropy_mean(&labels),
            "exp_f64" => w64.exp(),
            other => panic!("no Rust twin for fixture case {other}"),
        }
    };
    let cases = expected();
    assert!(cases.len() >= 16, "the fixture lost cases");
    for (name, want) in cases {
        assert_eq!(got(&name).to_string(), want, "case {name}");
    }
}

#[test]
fn grad_fn_names_follow_pytorch() {
    let w = Var::leaf(Tensor::new(&[0.5f32, -1.0], &[2]));
    assert_eq!(w.grad_fn_name(), None);
    assert_eq!(w.relu().grad_fn_name().as_deref(), Some("ReluBackward0"));
    assert_eq!(w.sum().grad_fn_name().as_deref(), Some("SumBackward0"));
    assert_eq!(w.reshape(&[1, 2]).sum_dim(1).grad_fn_name().as_deref(), Some("SumBackward1"));
    // A constant has no grad_fn and no requires_grad suffix.
    assert_eq!(Var::constant(Tensor::new(&[1.0f32], &[1])).to_string(), "tensor([1.])");
}

#[test]
fn item_numel_round_argmax_and_comparisons() {
    let v = Var::leaf(Tensor::new(&[0.4f32, 2.5, -1.5, 3.0], &[2, 2]));
    assert_eq!(v.numel(), 4);
    assert_eq!(v.sum().item(), 4.4f32 as f64);
    // Half to even, as torch.round; not recorded.
    let r = v.round();
    assert_eq!(r.tensor().to_vec::<f32>(), vec![0.0, 2.0, -2.0, 3.0]);
    assert!(!r.requires_grad());
    assert_eq!(v.argmax(1).to_vec::<i64>(), vec![1, 1]);
    assert_eq!(v.argmax_keepdim(1).shape(), &[2, 1]);
    assert_eq!(v.argmin(0).to_vec::<i64>(), vec![1, 0]);
    assert_eq!(v.min().item(), -1.5);
    assert_eq!(v.min_dim(1).tensor().to_vec::<f32>(), vec![0.4, -1.5]);
    let zero = Var::constant(Tensor::zeros(&[1], DType::F32, &Device::Cpu));
    assert_eq!(v.gt(&zero).to_vec::<f32>(), vec![1.0, 1.0, 0.0, 1.0]);
    assert_eq!(v.le(&zero).to_vec::<f32>(), vec![0.0, 0.0, 1.0, 0.0]);
    assert_eq!(v.eq(&v).to_vec::<f32>(), vec![1.0; 4]);
    assert_eq!(v.ne(&v).to_vec::<f32>(), vec![0.0; 4]);
    assert_eq!(v.lt(&zero).to_vec::<f32>(), vec![0.0, 0.0, 1.0, 0.0]);
    assert_eq!(v.ge(&zero).to_vec::<f32>(), vec![1.0, 1.0, 0.0, 1.0]);
    assert_eq!(Var::constant(Tensor::new(&[2i64, 0, 2], &[3])).unique().to_vec::<i64>(), vec![0, 2]);
    // The gradient of min reaches the minimum only.
    v.min().backward();
    assert_eq!(v.grad().unwrap().to_vec::<f32>(), vec![0.0, 0.0, 1.0, 0.0]);
}

#[test]
#[should_panic(expected = "item: tensor of shape [2, 2] has 4 elements, not 1")]
fn item_of_many_elements_names_the_op_and_shape() {
    Var::leaf(Tensor::zeros(&[2, 2], DType::F32, &Device::Cpu)).item();
}

#[test]
#[should_panic(expected = "backward: backward() needs a scalar result but this one has shape [2]")]
fn backward_misuse_panics_with_the_error_message() {
    Var::leaf(Tensor::new(&[1.0f32, 2.0], &[2])).relu().backward();
}

#[test]
fn try_backward_returns_the_error() {
    let c = Var::constant(Tensor::new(&[1.0f32], &[1])).sum();
    assert!(matches!(c.try_backward(), Err(autograd::AutogradError::NoGradRequired { .. })));
}

#[test]
fn to_the_same_device_is_the_same_variable() {
    let w = Var::leaf(Tensor::new(&[1.0f32], &[1]));
    let moved = w.to(&Device::Cpu);
    assert_eq!(moved.id(), w.id());
    assert!(moved.requires_grad());
}

/// `x.to(gpu)` of a parameter: a copy that still requires a gradient, recorded as PyTorch's `ToCopyBackward0`,
/// whose gradient comes back to the CPU parameter; a constant moves as a constant.
#[cfg(feature = "wgpu")]
#[test]
fn to_another_device_keeps_requires_grad() {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    let w = Var::leaf(Tensor::new(&[1.0f32, -2.0, 3.0], &[3]));
    let on_gpu = w.to(&gpu);
    assert!(on_gpu.requires_grad() && !on_gpu.is_leaf());
    assert_eq!(on_gpu.grad_fn_name().as_deref(), Some("ToCopyBackward0"));
    assert!(!on_gpu.device().is_cpu());
    on_gpu.relu().sum().backward();
    let g = w.grad().expect("the gradient reached the CPU leaf");
    assert!(g.device().is_cpu());
    assert_eq!(g.to_vec::<f32>(), vec![1.0, 0.0, 1.0]);
    let c = Var::constant(Tensor::new(&[1.0f32], &[1])).to(&gpu);
    assert!(!c.requires_grad() && !c.device().is_cpu());
}
