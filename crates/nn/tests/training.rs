//! End to end against PyTorch: the tutorial's models built after `manual_seed(42)`, trained ten steps with
//! their loss and optimizer on fixed data; every step's loss and the final parameters must agree
//! (`tests/fixtures/training.json`).

mod common;

use std::sync::Mutex;

use autograd::Var;
use common::*;
use nn::{
    children, Adam, AdamConfig, BCEWithLogitsLoss, CrossEntropyLoss, Linear, Module, Optimizer, ReLU, Sequential,
    SgdConfig, SGD,
};
use serde_json::json;

static SEED_LOCK: Mutex<()> = Mutex::new(());

struct CircleModelV2 {
    layer_1: Linear,
    layer_2: Linear,
    layer_3: Linear,
    relu: ReLU,
}
impl Module for CircleModelV2 {
    fn forward(&self, x: &Var) -> Var {
        let h = self.relu.forward(&self.layer_1.forward(x));
        let h = self.relu.forward(&self.layer_2.forward(&h));
        self.layer_3.forward(&h)
    }
    children!(layer_1, layer_2, layer_3, relu);
}

struct BlobModel {
    linear_layer_stack: Sequential,
}
impl Module for BlobModel {
    fn forward(&self, x: &Var) -> Var {
        self.linear_layer_stack.forward(x)
    }
    children!(linear_layer_stack);
}

#[test]
fn ten_training_steps_match_pytorch() {
    let fx = fixture("training.json");
    let x = Var::constant(f32_tensor(&fx["x"], &json!([32, 2])));
    let y_bin = f32_tensor(&fx["y_bin"], &json!([32]));
    let y_cls = i64_tensor(&fx["y_cls"], &json!([32]));
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let model: Box<dyn Module> = {
            let _g = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            nn::manual_seed(42);
            if name.starts_with("Circle") {
                Box::new(CircleModelV2 {
                    layer_1: Linear::new(2, 10),
                    layer_2: Linear::new(10, 10),
                    layer_3: Linear::new(10, 1),
                    relu: ReLU,
                })
            } else {
                Box::new(BlobModel {
                    linear_layer_stack: Sequential::new()
                        .add(Linear::new(2, 8))
                        .add(ReLU)
                        .add(Linear::new(8, 8))
                        .add(ReLU)
                        .add(Linear::new(8, 4)),
                })
            }
        };
        let mut opt: Box<dyn Optimizer> = if name.ends_with("SGD") {
            Box::new(SGD::new(model.parameters(), SgdConfig::new(0.1)))
        } else {
            Box::new(Adam::new(model.parameters(), AdamConfig::new(0.02)))
        };
        let mut losses = Vec::new();
        for _ in 0..10 {
            let logits = model.forward(&x);
            let loss = if name.starts_with("Circle") {
                BCEWithLogitsLoss::new().forward(&logits.squeeze_dim(1), &y_bin)
            } else {
                CrossEntropyLoss::new().forward(&logits, &y_cls)
            };
            opt.zero_grad();
            loss.backward();
            opt.step();
            losses.push(loss.tensor().item());
        }
        assert_close(&format!("{name}: losses"), &losses, &f64s(&case["losses"]), 1e-5, 1e-6);
        for (n, p) in model.named_parameters() {
            assert_close(&format!("{name}: {n}"), &p.tensor().to_f64_vec(), &f64s(&case["params"][&n]), 1e-4, 1e-6);
        }
    }
}
