//! End to end through the root crate's re-exports: the three layers together (tensor → autograd → nn), on the
//! CPU and, where an adapter exists, on the GPU with the same numbers.
//!
//! The model is the tutorial's `CircleModelV2` (2→10→10→1 with ReLU), built right after `manual_seed(42)`,
//! trained for 20 full-batch SGD steps with BCEWithLogits on a small deterministic two-ring dataset.

use tapegrad::autograd::{no_grad, Var};
use tapegrad::nn::{self, BCEWithLogitsLoss, Linear, Module, Optimizer, ReLU, Sequential, SgdConfig, SGD};
use tapegrad::tensor::{Device, Tensor};

/// 64 points on two rings (radius 1 → label 0, radius 0.5 → label 1).
fn rings() -> (Tensor, Tensor) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for i in 0..64 {
        let t = i as f32 * 0.3;
        let r = if i % 2 == 0 { 1.0 } else { 0.5 };
        x.extend([r * t.cos(), r * t.sin()]);
        y.push((i % 2) as f32);
    }
    (Tensor::new(&x, &[64, 2]), Tensor::new(&y, &[64]))
}

/// Losses of 20 training steps on `device`.
fn train(device: &Device) -> Vec<f32> {
    // Seeded and built under one lock of the default generator: the tests of this file run in parallel.
    let model = nn::with_default_generator(|g| {
        g.manual_seed(42);
        let linear = |i, o, g: &mut nn::TorchGenerator| Linear::with_generator(i, o, true, g, &Device::Cpu);
        Sequential::new().add(linear(2, 10, g)).add(ReLU).add(linear(10, 10, g)).add(ReLU).add(linear(10, 1, g))
    });
    model.to_device(device);
    let (x, y) = rings();
    let (x, y) = (Var::constant(x.to_device(device)), y.to_device(device));
    let loss_fn = BCEWithLogitsLoss::new();
    let mut opt = SGD::new(model.parameters(), SgdConfig::new(0.1));
    let mut losses = Vec::new();
    for _ in 0..20 {
        let loss = loss_fn.forward(&model.forward(&x).squeeze_dim(1), &y);
        opt.zero_grad();
        loss.backward();
        opt.step();
        losses.push(loss.tensor().to_scalar::<f32>());
    }
    // Evaluation records nothing.
    let eval = no_grad(|| model.forward(&x));
    assert!(!eval.requires_grad());
    losses
}

#[test]
fn an_mlp_learns_on_the_cpu() {
    let losses = train(&Device::Cpu);
    assert!(losses.iter().all(|l| l.is_finite()));
    // 20 steps of SGD at lr 0.1 lower the loss of this separable problem.
    assert!(losses[19] < losses[0], "{losses:?}");
    // Deterministic: the same seed gives bit-identical losses.
    assert_eq!(losses, train(&Device::Cpu));
}

#[test]
fn the_gpu_trains_to_the_same_losses() {
    let Some(gpu) = tapegrad::tensor::gpu::testing::gpu_or_skip() else { return };
    let (cpu, gpu) = (train(&Device::Cpu), train(&gpu));
    for (step, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
        // f32 summation order differs between the backends; 20 steps keep the gap near rounding level.
        assert!((c - g).abs() <= 1e-5 + 1e-4 * c.abs(), "step {step}: cpu {c} vs gpu {g}");
    }
}
