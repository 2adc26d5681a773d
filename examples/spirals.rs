//! The exercises' multi-class classification (seed notebook 000, exercise 7): the CS231n spirals (3 classes of
//! 100 points), `SpiralModel` (two hidden layers of 10 units with ReLU), `CrossEntropyLoss`, `Adam(lr=0.02)`,
//! 1000 epochs, and torchmetrics' `Accuracy` (a float32 fraction).
//!
//! Each Python line of the notebook is the comment above its Rust twin; the program prints what the notebook
//! prints, in the same format. Full run: `cargo run --release --example spirals`; `TAPEGRAD_EPOCHS=3` caps the
//! training at 3 epochs (CI does this).

use std::error::Error;

use tapegrad::autograd::{no_grad, Var};
use tapegrad::nn::{self, children, Adam, AdamConfig, CrossEntropyLoss, Linear, Module, Optimizer, ReLU};
use tapegrad::tensor::{DType, Device, Tensor};
use tapegrad::{make_spirals, plot_decision_boundaries, train_test_split};

/// The notebook's epoch count, or `TAPEGRAD_EPOCHS` when set (a short run).
fn epochs(notebook: usize) -> usize {
    std::env::var("TAPEGRAD_EPOCHS").ok().and_then(|v| v.parse().ok()).map_or(notebook, |e: usize| e.min(notebook))
}

/// `torchmetrics.Accuracy(task="multiclass", num_classes=K)(preds, target)`: the fraction of equal labels, a
/// float32 as torchmetrics returns it.
fn acc_fn(y_pred: &Tensor, y_true: &Tensor) -> f32 {
    (y_true.eq(y_pred).sum().item() / y_pred.numel() as f64) as f32
}

// K = 3 # number of classes
const K: usize = 3;

// class SpiralModel(nn.Module):
struct SpiralModel {
    linear1: Linear,
    linear2: Linear,
    linear3: Linear,
    relu: ReLU,
}
impl SpiralModel {
    //     def __init__(self):
    fn new() -> Self {
        SpiralModel {
            //         self.linear1 = nn.Linear(in_features=2, out_features=10)
            linear1: Linear::new(2, 10),
            //         self.linear2 = nn.Linear(in_features=10, out_features=10)
            linear2: Linear::new(10, 10),
            //         self.linear3 = nn.Linear(in_features=10, out_features=K)
            linear3: Linear::new(10, K),
            //         self.relu = nn.ReLU()
            relu: ReLU::new(),
        }
    }
}
impl Module for SpiralModel {
    //     def forward(self, x):
    fn forward(&self, x: &Var) -> Var {
        //         return self.linear3(self.relu(self.linear2(self.relu(self.linear1(x)))))
        self.linear3.forward(&self.relu.forward(&self.linear2.forward(&self.relu.forward(&self.linear1.forward(x)))))
    }
    children!(linear1, linear2, linear3, relu);
}

fn main() -> Result<(), Box<dyn Error>> {
    // RANDOM_SEED = 42
    const RANDOM_SEED: u32 = 42;
    // np.random.seed(RANDOM_SEED)
    // N = 100 # number of points per class
    // (the snippet's loop: radius np.linspace(0.0, 1, N), angle np.linspace(j*4, (j+1)*4, N) + np.random.randn(N)*0.2)
    let (x, y) = make_spirals(100, K, RANDOM_SEED);
    // X = torch.from_numpy(X).type(torch.float) # features as float32
    let x = x.to_dtype(DType::F32);
    // y = torch.from_numpy(y).type(torch.LongTensor) # labels need to be of type long
    let y = y.to_dtype(DType::I64);
    // X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=RANDOM_SEED)
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, 0.2, RANDOM_SEED);
    // len(X_train), len(X_test), len(y_train), len(y_test)
    println!("({}, {}, {}, {})", x_train.shape()[0], x_test.shape()[0], y_train.shape()[0], y_test.shape()[0]);

    // device = "cuda" if torch.cuda.is_available() else "cpu"
    // (the CPU here so that the printed figures are the reference ones; `Device::auto().0` picks a GPU if any)
    let device = Device::Cpu;
    // (the notebook never seeds torch before building model_1; seeding makes its weights reproducible)
    nn::manual_seed(RANDOM_SEED as u64);
    // model_1 = SpiralModel().to(device)
    let mut model_1 = SpiralModel::new();
    model_1.to_device(&device);
    // model_1
    println!("{}", model_1.repr());

    // X_train, y_train = X_train.to(device), y_train.to(device)
    let (x_train, y_train) = (Var::from(x_train.to(&device)), y_train.to(&device));
    // X_test, y_test = X_test.to(device), y_test.to(device)
    let (x_test, y_test) = (Var::from(x_test.to(&device)), y_test.to(&device));
    // print(X_train.dtype, X_test.dtype, y_train.dtype, y_test.dtype)
    println!("torch.{} torch.{} torch.{} torch.{}", x_train.dtype(), x_test.dtype(), y_train.dtype(), y_test.dtype());
    // logits = model_1(X_train[:10])
    let logits = model_1.forward(&x_train.narrow(0, 0, 10));
    // print("Logits:", logits)
    println!("Logits: {logits}");
    // y_pred_probs = torch.softmax(model_1(X_train)[:10], dim=1)
    let y_pred_probs = model_1.forward(&x_train).narrow(0, 0, 10).softmax(1);
    // print("Pred probs:", y_pred_probs)
    println!("Pred probs: {y_pred_probs}");
    // print("Pred labels:", y_pred_probs.argmax(dim=1))
    println!("Pred labels: {}", y_pred_probs.argmax(1));

    // loss_fn = nn.CrossEntropyLoss()
    let loss_fn = CrossEntropyLoss::new();
    // optimizer = torch.optim.Adam(model_1.parameters(), lr=0.02)
    let mut optimizer = Adam::new(model_1.parameters(), AdamConfig::new(0.02));
    // for epoch in range(epochs):
    for epoch in 0..epochs(1000) {
        //     model_1.train()
        model_1.train();
        //     y_logits = model_1(X_train)
        let y_logits = model_1.forward(&x_train);
        //     y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
        let y_pred = y_logits.softmax(1).argmax(1);
        //     loss = loss_fn(y_logits, y_train)
        let loss = loss_fn.forward(&y_logits, &y_train);
        //     acc = acc_fn(y_pred, y_train)
        let acc = acc_fn(&y_pred, &y_train);
        //     optimizer.zero_grad()
        optimizer.zero_grad();
        //     loss.backward()
        loss.backward();
        //     optimizer.step()
        optimizer.step();
        //     model_1.eval()
        model_1.eval();
        //     with torch.inference_mode():
        let (test_loss, test_acc) = no_grad(|| {
            //         test_logits = model_1(X_test)
            let test_logits = model_1.forward(&x_test);
            //         test_pred = torch.softmax(test_logits, dim=1).argmax(dim=1)
            let test_pred = test_logits.softmax(1).argmax(1);
            //         test_loss = loss_fn(test_logits, y_test)
            let test_loss = loss_fn.forward(&test_logits, &y_test);
            //         test_acc = acc_fn(test_pred, y_test)
            (test_loss, acc_fn(&test_pred, &y_test))
        });
        //     if epoch % 100 == 0:
        if epoch % 100 == 0 {
            //         print(f"Epoch: {epoch} | Loss: {loss:.2f} Acc: {acc:.2f} | Test loss: {test_loss:.2f} Test acc: {test_acc:.2f}")
            println!(
                "Epoch: {epoch} | Loss: {:.2} Acc: {acc:.2} | Test loss: {:.2} Test acc: {test_acc:.2}",
                loss.item(),
                test_loss.item()
            );
        }
    }

    // plt.subplot(1, 2, 1); plt.title("Train"); plot_decision_boundary(model_1, X_train, y_train)
    // plt.subplot(1, 2, 2); plt.title("Test"); plot_decision_boundary(model_1, X_test, y_test)
    let files = plot_decision_boundaries(
        &model_1,
        &[("Train", &x_train.tensor(), &y_train), ("Test", &x_test.tensor(), &y_test)],
        std::env::temp_dir().join("spirals_model_1.png"),
    )?;
    eprintln!("wrote {}", files[0].display());
    Ok(())
}
