//! The tutorial's models built in Rust after `manual_seed(42)`: same printing, parameter names, bit-identical
//! initial weights and (to float tolerance) the same forward pass as PyTorch (`tests/fixtures/modules.json`).

mod common;

use autograd::Var;
use common::models::{seeded, BlobModel, CircleModelV0, CircleModelV2};
use common::{f64s, fixture, usizes};
use nn::{Linear, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh};
use tensor::{Device, Tensor};

fn build(name: &str) -> Box<dyn Module> {
    match name {
        "CircleModelV0" => Box::new(CircleModelV0::new()),
        "CircleModelV2" => Box::new(CircleModelV2::new()),
        "BlobModel" => Box::new(BlobModel::new(2, 4, 8)),
        "Sequential" => {
            Box::new(Sequential::new().add(Linear::new(2, 5)).add(Tanh).add(Linear::new(5, 1)).add(Sigmoid))
        }
        "NoBias" => {
            Box::new(Sequential::new().add(Linear::with_options(2, 3, false, &Device::Cpu)).add(Softmax::new(1)))
        }
        other => panic!("unknown model {other}"),
    }
}

#[test]
fn tutorial_models_match_pytorch() {
    let cases = fixture("modules.json");
    for case in cases.as_array().unwrap() {
        let name = case["model"].as_str().unwrap();
        let model = seeded(42, || build(name));
        // Printing, exactly.
        assert_eq!(model.repr(), case["repr"].as_str().unwrap(), "{name}: repr");
        assert_eq!(format!("{model}"), case["repr"].as_str().unwrap(), "{name}: Display");
        assert_eq!(format!("{model:?}"), case["repr"].as_str().unwrap(), "{name}: Debug");
        // Parameter names and values, bit for bit.
        let names: Vec<String> = model.named_parameters().into_iter().map(|(n, _)| n).collect();
        let want: Vec<String> =
            case["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
        assert_eq!(names, want, "{name}: parameter names");
        for (n, p) in model.named_parameters() {
            let got: Vec<f32> = p.tensor().to_vec::<f32>();
            let want: Vec<f32> = f64s(&case["params"][&n]).iter().map(|&v| v as f32).collect();
            assert_eq!(
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "{name}: {n}"
            );
        }
        // The forward pass, to float tolerance (summation order may differ from PyTorch's GEMM).
        let x = Tensor::from_vec(
            f64s(&case["x"]).iter().map(|&v| v as f32).collect::<Vec<f32>>(),
            &usizes(&case["x_shape"]),
            &Device::Cpu,
        );
        let y = model.forward(&Var::constant(x));
        assert_eq!(y.shape(), usizes(&case["y_shape"]), "{name}: output shape");
        for (i, (g, w)) in y.tensor().to_vec::<f32>().iter().zip(f64s(&case["y"])).enumerate() {
            assert!((*g as f64 - w).abs() <= 1e-6 + 1e-5 * w.abs(), "{name}: y[{i}] = {g}, PyTorch {w}");
        }
    }
}

#[test]
fn parameters_are_shared_handles() {
    let layer = Linear::from_tensors(Tensor::new(&[1.0f32, 2.0], &[1, 2]), Some(Tensor::new(&[0.5f32], &[1])));
    let params = layer.parameters();
    params[0].set_data(Tensor::new(&[3.0f32, 4.0], &[1, 2]));
    assert_eq!(layer.weight.tensor().to_vec::<f32>(), vec![3.0, 4.0]);
    // y = [1, 1] · [3, 4] + 0.5
    let y = layer.forward(&Var::constant(Tensor::new(&[1.0f32, 1.0], &[1, 2])));
    assert_eq!(y.tensor().to_vec::<f32>(), vec![7.5]);
    assert_eq!(layer.num_parameters(), 3);
}

#[test]
fn linear_accepts_1d_and_3d_inputs() {
    let layer = Linear::from_tensors(Tensor::new(&[1.0f32, 0.0, 0.0, 2.0, 1.0, 1.0], &[3, 2]), None);
    let y = layer.forward(&Var::constant(Tensor::new(&[1.0f32, 2.0], &[2])));
    assert_eq!(y.shape(), vec![3]);
    assert_eq!(y.tensor().to_vec::<f32>(), vec![1.0, 4.0, 3.0]);
    let x3 = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[2, 2, 2]);
    let y = layer.forward(&Var::constant(x3));
    assert_eq!(y.shape(), vec![2, 2, 3]);
    assert_eq!(y.tensor().to_vec::<f32>()[9..], [7.0, 16.0, 15.0]);
}

#[test]
#[should_panic(expected = "Linear: input [4, 3] has 3 features but the layer has in_features=2")]
fn linear_names_the_feature_mismatch() {
    let layer = Linear::from_tensors(Tensor::new(&[1.0f32, 0.0], &[1, 2]), None);
    layer.forward(&Var::constant(Tensor::zeros(&[4, 3], tensor::DType::F32, &Device::Cpu)));
}

#[test]
fn gradients_reach_every_parameter_and_zero_grad_clears_them() {
    let model = seeded(0, || build("CircleModelV2"));
    let x = Var::constant(Tensor::new(&[0.5f32, -1.0, 1.5, 2.0], &[2, 2]));
    model.forward(&x).sum().backward();
    for (n, p) in model.named_parameters() {
        let g = p.grad().unwrap_or_else(|| panic!("{n} has no gradient"));
        assert_eq!(g.shape(), p.tensor().shape());
    }
    model.zero_grad();
    assert!(model.parameters().iter().all(|p| p.grad().is_none()));
}

/// `println!("{:?}", layer)` prints PyTorch's repr for every layer type (the strings `print(layer)` gives).
#[test]
fn every_layer_debug_prints_its_pytorch_repr() {
    seeded(42, || {
        assert_eq!(format!("{:?}", Linear::new(2, 10)), "Linear(in_features=2, out_features=10, bias=True)");
        assert_eq!(format!("{:?}", ReLU::new()), "ReLU()");
        assert_eq!(format!("{:?}", Sigmoid::new()), "Sigmoid()");
        assert_eq!(format!("{:?}", Tanh::new()), "Tanh()");
        assert_eq!(format!("{:?}", Softmax::new(1)), "Softmax(dim=1)");
        let mut seq = Sequential::new().add(Linear::new(2, 10)).add(ReLU::new());
        assert_eq!(
            format!("{seq:?}"),
            "Sequential(\n  (0): Linear(in_features=2, out_features=10, bias=True)\n  (1): ReLU()\n)"
        );
        // train() / eval() are PyTorch's calls; they recurse into the children (none of these layers changes).
        seq.eval();
        seq.train();
        let model = CircleModelV0::new();
        assert_eq!(format!("{model:?}"), format!("{model}"));
    });
}
