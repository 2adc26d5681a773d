//! End to end against PyTorch: the tutorial's models built after `manual_seed(42)`, trained ten steps with
//! their loss and optimizer on fixed data; every step's loss and the final parameters must agree
//! (`tests/fixtures/training.json`).

mod common;

use autograd::Var;
use common::models::{seeded, BlobModel, CircleModelV2};
use common::*;
use nn::{Adam, AdamConfig, BCEWithLogitsLoss, CrossEntropyLoss, Module, Optimizer, SgdConfig, SGD};
use serde_json::json;

#[test]
fn ten_training_steps_match_pytorch() {
    let fx = fixture("training.json");
    let x = Var::constant(f32_tensor(&fx["x"], &json!([32, 2])));
    let y_bin = f32_tensor(&fx["y_bin"], &json!([32]));
    let y_cls = i64_tensor(&fx["y_cls"], &json!([32]));
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let model = seeded(42, || -> Box<dyn Module> {
            if name.starts_with("Circle") {
                Box::new(CircleModelV2::new())
            } else {
                Box::new(BlobModel::new(2, 4, 8))
            }
        });
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
