//! The tutorial's `CircleModelV2` (seed 002, section 6): two hidden layers of 10 units with ReLU, trained with
//! `BCEWithLogitsLoss` and `SGD(lr=0.1)` — here on 400 points drawn inside and outside a circle of radius
//! 0.7 (the `experiments` crate replays the real `make_circles` data and figures).
//!
//! Shows the `nn` API end to end: a custom model whose fields are its children (`children!`), PyTorch's
//! printing, `manual_seed` for PyTorch's initial weights, a loss, an optimizer, metrics and a checkpoint.
//!
//! `cargo run --example circle_model` — prints the model, the loss and accuracy every 100 epochs, the
//! classification report, and saves `circle_model.safetensors` to the system's temporary directory.

use autograd::{no_grad, Var};
use nn::metrics::{accuracy_fn, classification_report};
use nn::{children, BCEWithLogitsLoss, Linear, Module, Optimizer, ReLU, SgdConfig, TorchGenerator, SGD};
use tensor::{Device, Tensor};

struct CircleModelV2 {
    layer_1: Linear,
    layer_2: Linear,
    layer_3: Linear,
    relu: ReLU,
}

impl CircleModelV2 {
    fn new() -> Self {
        // Fields are built in order, drawing from the default generator like PyTorch's `__init__`.
        CircleModelV2 {
            layer_1: Linear::new(2, 10),
            layer_2: Linear::new(10, 10),
            layer_3: Linear::new(10, 1),
            relu: ReLU,
        }
    }
}

impl Module for CircleModelV2 {
    fn forward(&self, x: &Var) -> Var {
        self.layer_3.forward(&self.relu.forward(&self.layer_2.forward(&self.relu.forward(&self.layer_1.forward(x)))))
    }
    children!(layer_1, layer_2, layer_3, relu);
}
nn::impl_display!(CircleModelV2);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Data: points in [-1, 1)², label 1 inside the circle of radius 0.7.
    let mut g = TorchGenerator::new(7);
    let n = 400;
    let xs = g.uniform_vec_f32(2 * n, -1.0, 1.0);
    let ys: Vec<f32> = xs.chunks(2).map(|p| (p[0] * p[0] + p[1] * p[1] < 0.49) as u8 as f32).collect();
    let x = Var::constant(Tensor::from_vec(xs, &[n, 2], &Device::Cpu));
    let y = Tensor::from_vec(ys, &[n], &Device::Cpu);

    nn::manual_seed(42);
    let model = CircleModelV2::new();
    println!("{model}");

    let loss_fn = BCEWithLogitsLoss::new();
    let mut optimizer = SGD::new(model.parameters(), SgdConfig::new(0.1));
    let predict = |logits: &Var| logits.tensor().sigmoid().round();
    for epoch in 0..=1000 {
        let logits = model.forward(&x).squeeze_dim(1);
        let loss = loss_fn.forward(&logits, &y);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if epoch % 100 == 0 {
            let acc = accuracy_fn(&y, &predict(&logits));
            println!("Epoch: {epoch} | Loss: {:.5}, Accuracy: {acc:.2}%", loss.tensor().item());
        }
    }
    let y_pred = no_grad(|| predict(&model.forward(&x).squeeze_dim(1)));
    println!("\n{}", classification_report(&y, &y_pred, Some(&["outside", "inside"]), 2));

    let path = std::env::temp_dir().join("circle_model.safetensors");
    nn::checkpoint::save(&model, &path)?;
    println!("saved {} (load it in PyTorch with safetensors.torch.load_file)", path.display());
    Ok(())
}
