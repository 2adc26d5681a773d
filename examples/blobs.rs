//! The tutorial's multi-class classification (seed notebook 002, section 8, "Putting it all together"):
//! `make_blobs` with 4 classes, `BlobModel` (an `nn.Sequential` of three linear layers), `CrossEntropyLoss`,
//! `SGD(lr=0.1)`, 100 epochs.
//!
//! Each Python line of the notebook is the comment above its Rust twin; the program prints what the notebook
//! prints, in the same format. Full run: `cargo run --release --example blobs`; `TAPEGRAD_EPOCHS=3` caps the
//! training at 3 epochs (CI does this).

use std::error::Error;

use tapegrad::autograd::{no_grad, Var};
use tapegrad::nn::{self, children, CrossEntropyLoss, Linear, Module, Optimizer, Sequential, SgdConfig, SGD};
use tapegrad::tensor::{DType, Device, Tensor};
use tapegrad::{make_blobs, plot_decision_boundaries, train_test_split};

/// The notebook's epoch count, or `TAPEGRAD_EPOCHS` when set (a short run).
fn epochs(notebook: usize) -> usize {
    std::env::var("TAPEGRAD_EPOCHS").ok().and_then(|v| v.parse().ok()).map_or(notebook, |e: usize| e.min(notebook))
}

// def accuracy_fn(y_true, y_pred):
fn accuracy_fn(y_true: &Tensor, y_pred: &Tensor) -> f64 {
    //     correct = torch.eq(y_true, y_pred).sum().item()
    let correct = y_true.eq(y_pred).sum().item();
    //     acc = (correct / len(y_pred)) * 100
    (correct / y_pred.shape()[0] as f64) * 100.0
}

// class BlobModel(nn.Module):
struct BlobModel {
    linear_layer_stack: Sequential,
}
impl BlobModel {
    //     def __init__(self, input_features, output_features, hidden_units=8):
    fn new(input_features: usize, output_features: usize, hidden_units: usize) -> Self {
        BlobModel {
            //         self.linear_layer_stack = nn.Sequential(
            linear_layer_stack: Sequential::new()
                //             nn.Linear(in_features=input_features, out_features=hidden_units),
                .add(Linear::new(input_features, hidden_units))
                //             nn.Linear(in_features=hidden_units, out_features=hidden_units),
                .add(Linear::new(hidden_units, hidden_units))
                //             nn.Linear(in_features=hidden_units, out_features=output_features),
                .add(Linear::new(hidden_units, output_features)),
        }
    }
}
impl Module for BlobModel {
    //     def forward(self, x):
    fn forward(&self, x: &Var) -> Var {
        //         return self.linear_layer_stack(x)
        self.linear_layer_stack.forward(x)
    }
    children!(linear_layer_stack);
}

fn main() -> Result<(), Box<dyn Error>> {
    // NUM_CLASSES = 4
    const NUM_CLASSES: usize = 4;
    // NUM_FEATURES = 2
    const NUM_FEATURES: usize = 2;
    // RANDOM_SEED = 42
    const RANDOM_SEED: u32 = 42;
    // X_blob, y_blob = make_blobs(n_samples=1000, n_features=NUM_FEATURES, centers=NUM_CLASSES, cluster_std=1.5, random_state=RANDOM_SEED)
    let (x_blob, y_blob) = make_blobs(1000, NUM_FEATURES, NUM_CLASSES, 1.5, RANDOM_SEED);
    // X_blob = torch.from_numpy(X_blob).type(torch.float)
    let x_blob = x_blob.to_dtype(DType::F32);
    // y_blob = torch.from_numpy(y_blob).type(torch.LongTensor)
    let y_blob = y_blob.to_dtype(DType::I64);
    // print(X_blob[:5], y_blob[:5])
    println!("{} {}", x_blob.narrow(0, 0, 5), y_blob.narrow(0, 0, 5));
    // X_blob_train, X_blob_test, y_blob_train, y_blob_test = train_test_split(X_blob, y_blob, test_size=0.2, random_state=RANDOM_SEED)
    let (x_blob_train, x_blob_test, y_blob_train, y_blob_test) = train_test_split(&x_blob, &y_blob, 0.2, RANDOM_SEED);

    // device = "cuda" if torch.cuda.is_available() else "cpu"
    // (the CPU here so that the printed figures are the reference ones; `Device::auto().0` picks a GPU if any)
    let device = Device::Cpu;
    // (the notebook builds model_4 before `torch.manual_seed(42)`; seeding first makes its weights reproducible)
    nn::manual_seed(42);
    // model_4 = BlobModel(input_features=NUM_FEATURES, output_features=NUM_CLASSES, hidden_units=8).to(device)
    let mut model_4 = BlobModel::new(NUM_FEATURES, NUM_CLASSES, 8);
    model_4.to_device(&device);
    // model_4
    println!("{}", model_4.repr());
    // loss_fn = nn.CrossEntropyLoss()
    let loss_fn = CrossEntropyLoss::new();
    // optimizer = torch.optim.SGD(model_4.parameters(), lr=0.1)
    let mut optimizer = SGD::new(model_4.parameters(), SgdConfig::new(0.1));

    // model_4(X_blob_train.to(device))[:5]
    println!("{}", model_4.forward(&Var::from(x_blob_train.to(&device))).narrow(0, 0, 5));

    // X_blob_train, y_blob_train = X_blob_train.to(device), y_blob_train.to(device)
    let (x_blob_train, y_blob_train) = (Var::from(x_blob_train.to(&device)), y_blob_train.to(&device));
    // X_blob_test, y_blob_test = X_blob_test.to(device), y_blob_test.to(device)
    let (x_blob_test, y_blob_test) = (Var::from(x_blob_test.to(&device)), y_blob_test.to(&device));
    // for epoch in range(epochs):
    for epoch in 0..epochs(100) {
        //     model_4.train()
        model_4.train();
        //     y_logits = model_4(X_blob_train)
        let y_logits = model_4.forward(&x_blob_train);
        //     y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
        let y_pred = y_logits.softmax(1).argmax(1);
        //     loss = loss_fn(y_logits, y_blob_train)
        let loss = loss_fn.forward(&y_logits, &y_blob_train);
        //     acc = accuracy_fn(y_true=y_blob_train, y_pred=y_pred)
        let acc = accuracy_fn(&y_blob_train, &y_pred);
        //     optimizer.zero_grad()
        optimizer.zero_grad();
        //     loss.backward()
        loss.backward();
        //     optimizer.step()
        optimizer.step();
        //     model_4.eval()
        model_4.eval();
        //     with torch.inference_mode():
        let (test_loss, test_acc) = no_grad(|| {
            //       test_logits = model_4(X_blob_test)
            let test_logits = model_4.forward(&x_blob_test);
            //       test_pred = torch.softmax(test_logits, dim=1).argmax(dim=1)
            let test_pred = test_logits.softmax(1).argmax(1);
            //       test_loss = loss_fn(test_logits, y_blob_test)
            let test_loss = loss_fn.forward(&test_logits, &y_blob_test);
            //       test_acc = accuracy_fn(y_true=y_blob_test, y_pred=test_pred)
            (test_loss, accuracy_fn(&y_blob_test, &test_pred))
        });
        //     if epoch % 10 == 0:
        if epoch % 10 == 0 {
            //         print(f"Epoch: {epoch} | Loss: {loss:.5f}, Acc: {acc:.2f}% | Test Loss: {test_loss:.5f}, Test Acc: {test_acc:.2f}%")
            println!(
                "Epoch: {epoch} | Loss: {:.5}, Acc: {acc:.2}% | Test Loss: {:.5}, Test Acc: {test_acc:.2}%",
                loss.item(),
                test_loss.item()
            );
        }
    }

    // model_4.eval()
    model_4.eval();
    // with torch.inference_mode():
    //     y_logits = model_4(X_blob_test)
    let y_logits = no_grad(|| model_4.forward(&x_blob_test));
    // y_logits[:10]
    println!("{}", y_logits.narrow(0, 0, 10));
    // y_pred_probs = torch.softmax(y_logits, dim=1)
    let y_pred_probs = y_logits.softmax(1);
    // y_preds = y_pred_probs.argmax(dim=1)
    let y_preds = y_pred_probs.argmax(1);
    // print(f"Predictions: {y_preds[:10]}\nLabels: {y_blob_test[:10]}")
    println!("Predictions: {}\nLabels: {}", y_preds.narrow(0, 0, 10), y_blob_test.narrow(0, 0, 10));
    // print(f"Test accuracy: {accuracy_fn(y_true=y_blob_test, y_pred=y_preds)}%")
    println!("Test accuracy: {:?}%", accuracy_fn(&y_blob_test, &y_preds));

    // plt.subplot(1, 2, 1); plt.title("Train"); plot_decision_boundary(model_4, X_blob_train, y_blob_train)
    // plt.subplot(1, 2, 2); plt.title("Test"); plot_decision_boundary(model_4, X_blob_test, y_blob_test)
    let files = plot_decision_boundaries(
        &model_4,
        &[("Train", &x_blob_train.tensor(), &y_blob_train), ("Test", &x_blob_test.tensor(), &y_blob_test)],
        std::env::temp_dir().join("blobs_model_4.png"),
    )?;
    eprintln!("wrote {}", files[0].display());
    Ok(())
}
