//! The exercises' binary classification (seed notebook 000, "02. PyTorch Classification Exercises", exercises
//! 1-5): `make_moons` with noise 0.07, `MoonModelV0` (two hidden layers of 10 units with ReLU),
//! `BCEWithLogitsLoss`, `SGD(lr=0.1)`, 1000 epochs, and torchmetrics' `Accuracy` (a float32 fraction).
//!
//! Each Python line of the notebook is the comment above its Rust twin; the program prints what the notebook
//! prints, in the same format. Full run: `cargo run --release --example moons`; `TAPEGRAD_EPOCHS=3` caps the
//! training at 3 epochs (CI does this).

use std::error::Error;

use tapegrad::autograd::{no_grad, Var};
use tapegrad::nn::{self, children, BCEWithLogitsLoss, Linear, Module, Optimizer, ReLU, SgdConfig, SGD};
use tapegrad::tensor::{DType, Device, Tensor};
use tapegrad::{make_moons, plot_decision_boundaries, train_test_split};

/// The notebook's epoch count, or `TAPEGRAD_EPOCHS` when set (a short run).
fn epochs(notebook: usize) -> usize {
    std::env::var("TAPEGRAD_EPOCHS").ok().and_then(|v| v.parse().ok()).map_or(notebook, |e: usize| e.min(notebook))
}

/// `torchmetrics.Accuracy(task="multiclass", num_classes=2)(preds, target)`: the fraction of equal labels, a
/// float32 as torchmetrics returns it.
fn acc_fn(y_pred: &Tensor, y_true: &Tensor) -> f32 {
    (y_true.eq(&y_pred.to_dtype(y_true.dtype())).sum().item() / y_pred.numel() as f64) as f32
}

// class MoonModelV0(nn.Module):
struct MoonModelV0 {
    layer1: Linear,
    layer2: Linear,
    layer3: Linear,
    relu: ReLU,
}
impl MoonModelV0 {
    //     def __init__(self, in_features, out_features, hidden_units):
    fn new(in_features: usize, out_features: usize, hidden_units: usize) -> Self {
        MoonModelV0 {
            //         self.layer1 = nn.Linear(in_features=in_features, out_features=hidden_units)
            layer1: Linear::new(in_features, hidden_units),
            //         self.layer2 = nn.Linear(in_features=hidden_units, out_features=hidden_units)
            layer2: Linear::new(hidden_units, hidden_units),
            //         self.layer3 = nn.Linear(in_features=hidden_units, out_features=out_features)
            layer3: Linear::new(hidden_units, out_features),
            //         self.relu = nn.ReLU()
            relu: ReLU::new(),
        }
    }
}
impl Module for MoonModelV0 {
    //     def forward(self, x):
    fn forward(&self, x: &Var) -> Var {
        //         return self.layer3(self.relu(self.layer2(self.relu(self.layer1(x)))))
        self.layer3.forward(&self.relu.forward(&self.layer2.forward(&self.relu.forward(&self.layer1.forward(x)))))
    }
    children!(layer1, layer2, layer3, relu);
}

fn main() -> Result<(), Box<dyn Error>> {
    // device = 'cuda' if torch.cuda.is_available() else 'cpu'
    // (the CPU here so that the printed figures are the reference ones; `Device::auto().0` picks a GPU if any)
    let device = Device::Cpu;
    // RANDOM_SEED = 42
    const RANDOM_SEED: u32 = 42;
    // SAMPLES = 1000
    const SAMPLES: usize = 1000;
    // x_data, y_data = make_moons(SAMPLES, random_state=RANDOM_STATE, noise=0.07)
    let (x_data, y_data) = make_moons(SAMPLES, 0.07, RANDOM_SEED);
    // print(f"X Length = {len(x_data)}, Shape = {x_data.shape} || Y Length = {len(y_data)}, Shape = {y_data.shape}")
    println!(
        "X Length = {}, Shape = ({}, {}) || Y Length = {}, Shape = ({},)",
        x_data.shape()[0],
        x_data.shape()[0],
        x_data.shape()[1],
        y_data.shape()[0],
        y_data.shape()[0]
    );
    // X = torch.tensor(x_data, dtype=torch.float)
    let x = x_data.to_dtype(DType::F32);
    // y = torch.tensor(y_data, dtype=torch.float)
    let y = y_data.to_dtype(DType::F32);
    // X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=RANDOM_SEED)
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, 0.2, RANDOM_SEED);
    // len(X_train), len(X_test), len(y_train), len(y_test)
    println!("({}, {}, {}, {})", x_train.shape()[0], x_test.shape()[0], y_train.shape()[0], y_test.shape()[0]);

    // (the notebook builds model_0 before `torch.manual_seed(RANDOM_SEED)`; seeding first makes it reproducible)
    nn::manual_seed(RANDOM_SEED as u64);
    // model_0 = MoonModelV0(in_features=2, out_features=1, hidden_units=10).to(device)
    let mut model_0 = MoonModelV0::new(2, 1, 10);
    model_0.to_device(&device);
    // model_0
    println!("{}", model_0.repr());
    // loss_fn = nn.BCEWithLogitsLoss()
    let loss_fn = BCEWithLogitsLoss::new();
    // optimizer = torch.optim.SGD(params=model_0.parameters(),lr=0.1)
    let mut optimizer = SGD::new(model_0.parameters(), SgdConfig::new(0.1));

    // X_train, y_train = X_train.to(device), y_train.to(device)
    let (x_train, y_train) = (Var::from(x_train.to(&device)), y_train.to(&device));
    // X_test, y_test = X_test.to(device), y_test.to(device)
    let (x_test, y_test) = (Var::from(x_test.to(&device)), y_test.to(&device));
    // for epoch in range(epochs):
    for epoch in 0..epochs(1000) {
        //     model_0.train()
        model_0.train();
        //     y_logits = model_0(X_train).squeeze()
        let y_logits = model_0.forward(&x_train).squeeze();
        //     y_pred_probs = torch.sigmoid(y_logits)
        let y_pred_probs = y_logits.sigmoid();
        //     y_pred = torch.round(y_pred_probs)
        let y_pred = y_pred_probs.round();
        //     loss = loss_fn(y_logits, y_train)
        let loss = loss_fn.forward(&y_logits, &y_train);
        //     acc = acc_fn(y_pred, y_train.int())
        let acc = acc_fn(&y_pred.tensor(), &y_train.to_dtype(DType::I64));
        //     optimizer.zero_grad()
        optimizer.zero_grad();
        //     loss.backward()
        loss.backward();
        //     optimizer.step()
        optimizer.step();
        //     model_0.eval()
        model_0.eval();
        //     with torch.inference_mode():
        let (test_loss, test_acc) = no_grad(|| {
            //         test_logits = model_0(X_test).squeeze()
            let test_logits = model_0.forward(&x_test).squeeze();
            //         y_pred_probs = torch.sigmoid(test_logits)
            let y_pred_probs = test_logits.sigmoid();
            //         test_pred = torch.round(y_pred_probs)
            let test_pred = y_pred_probs.round();
            //         test_loss = loss_fn(test_logits, y_test)
            let test_loss = loss_fn.forward(&test_logits, &y_test);
            //         test_acc = acc_fn(test_pred, y_test.int())
            (test_loss, acc_fn(&test_pred.tensor(), &y_test.to_dtype(DType::I64)))
        });
        //     if epoch % 100 == 0:
        if epoch % 100 == 0 {
            //         print(f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc*100:.2f}% | Test loss: {test_loss:.5f}, Test acc: {test_acc*100:.2f}%")
            println!(
                "Epoch: {epoch} | Loss: {:.5}, Accuracy: {:.2}% | Test loss: {:.5}, Test acc: {:.2}%",
                loss.item(),
                acc * 100.0,
                test_loss.item(),
                test_acc * 100.0
            );
        }
    }

    // plt.subplot(1, 2, 1); plt.title("Train"); plot_decision_boundary(model_0, X_train, y_train)
    // plt.subplot(1, 2, 2); plt.title("Test"); plot_decision_boundary(model_0, X_test, y_test)
    let files = plot_decision_boundaries(
        &model_0,
        &[("Train", &x_train.tensor(), &y_train), ("Test", &x_test.tensor(), &y_test)],
        std::env::temp_dir().join("moons_model_0.png"),
    )?;
    eprintln!("wrote {}", files[0].display());
    Ok(())
}
