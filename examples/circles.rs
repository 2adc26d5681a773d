//! The tutorial's binary classification, section by section (seed notebook 002, "PyTorch Neural Network
//! Classification"): `make_circles`, `CircleModelV0` (and its `nn.Sequential` twin), `CircleModelV1`, the straight
//! line that shows a model without non-linearity can learn a line, and `CircleModelV2` with ReLU.
//!
//! Each Python line of the notebook is the comment above its Rust twin; the program prints what the notebook
//! prints, in the same format. Full run: `cargo run --release --example circles` (writes the decision boundaries
//! to the system's temporary directory). `TAPEGRAD_EPOCHS=3` caps every training loop at 3 epochs (CI does this).

use std::error::Error;

use tapegrad::autograd::{no_grad, Var};
use tapegrad::nn::{
    self, children, BCEWithLogitsLoss, L1Loss, Linear, Module, Optimizer, ReLU, Sequential, SgdConfig, SGD,
};
use tapegrad::tensor::{DType, Device, Tensor};
use tapegrad::{make_circles, plot_decision_boundaries, train_test_split};

/// The notebook's epoch count, or `TAPEGRAD_EPOCHS` when set (a short run).
fn epochs(notebook: usize) -> usize {
    std::env::var("TAPEGRAD_EPOCHS").ok().and_then(|v| v.parse().ok()).map_or(notebook, |e: usize| e.min(notebook))
}

// def accuracy_fn(y_true, y_pred):
fn accuracy_fn(y_true: &Tensor, y_pred: &Tensor) -> f64 {
    //     correct = torch.eq(y_true, y_pred).sum().item()
    let correct = y_true.eq(y_pred).sum().item();
    //     acc = (correct / len(y_pred)) * 100
    //     return acc
    (correct / y_pred.shape()[0] as f64) * 100.0
}

// class CircleModelV0(nn.Module):
struct CircleModelV0 {
    layer_1: Linear,
    layer_2: Linear,
}
impl CircleModelV0 {
    //     def __init__(self):
    fn new() -> Self {
        CircleModelV0 {
            //         self.layer_1 = nn.Linear(in_features=2, out_features=5)
            layer_1: Linear::new(2, 5),
            //         self.layer_2 = nn.Linear(in_features=5, out_features=1)
            layer_2: Linear::new(5, 1),
        }
    }
}
impl Module for CircleModelV0 {
    //     def forward(self, x):
    fn forward(&self, x: &Var) -> Var {
        //         return self.layer_2(self.layer_1(x))
        self.layer_2.forward(&self.layer_1.forward(x))
    }
    children!(layer_1, layer_2);
}

// class CircleModelV1(nn.Module):
struct CircleModelV1 {
    layer_1: Linear,
    layer_2: Linear,
    layer_3: Linear,
}
impl CircleModelV1 {
    fn new() -> Self {
        CircleModelV1 {
            //         self.layer_1 = nn.Linear(in_features=2, out_features=10)
            layer_1: Linear::new(2, 10),
            //         self.layer_2 = nn.Linear(in_features=10, out_features=10) # extra layer
            layer_2: Linear::new(10, 10),
            //         self.layer_3 = nn.Linear(in_features=10, out_features=1)
            layer_3: Linear::new(10, 1),
        }
    }
}
impl Module for CircleModelV1 {
    fn forward(&self, x: &Var) -> Var {
        //         return self.layer_3(self.layer_2(self.layer_1(x)))
        self.layer_3.forward(&self.layer_2.forward(&self.layer_1.forward(x)))
    }
    children!(layer_1, layer_2, layer_3);
}

// class CircleModelV2(nn.Module):
struct CircleModelV2 {
    layer_1: Linear,
    layer_2: Linear,
    layer_3: Linear,
    relu: ReLU,
}
impl CircleModelV2 {
    fn new() -> Self {
        CircleModelV2 {
            //         self.layer_1 = nn.Linear(in_features=2, out_features=10)
            layer_1: Linear::new(2, 10),
            //         self.layer_2 = nn.Linear(in_features=10, out_features=10)
            layer_2: Linear::new(10, 10),
            //         self.layer_3 = nn.Linear(in_features=10, out_features=1)
            layer_3: Linear::new(10, 1),
            //         self.relu = nn.ReLU() # <- add in ReLU activation function
            relu: ReLU::new(),
        }
    }
}
impl Module for CircleModelV2 {
    fn forward(&self, x: &Var) -> Var {
        //        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))
        self.layer_3.forward(&self.relu.forward(&self.layer_2.forward(&self.relu.forward(&self.layer_1.forward(x)))))
    }
    children!(layer_1, layer_2, layer_3, relu);
}
nn::impl_display!(CircleModelV0, CircleModelV1, CircleModelV2);

/// The notebook's binary training loop (sections 3.3, 5 and 6.3): `log_every` is its `if epoch % 10 == 0`, and
/// `test_label` its spelling of the test figures ("Test loss: …, Test acc:" or "Test Loss: …, Test Accuracy:").
#[allow(clippy::too_many_arguments)]
fn fit_binary(
    model: &mut dyn Module,
    epochs: usize,
    log_every: usize,
    x_train: &Var,
    y_train: &Tensor,
    x_test: &Var,
    y_test: &Tensor,
    test_label: (&str, &str),
) {
    // loss_fn = nn.BCEWithLogitsLoss() # BCEWithLogitsLoss = sigmoid built-in
    let loss_fn = BCEWithLogitsLoss::new();
    // optimizer = torch.optim.SGD(params=model_0.parameters(), lr=0.1)
    let mut optimizer = SGD::new(model.parameters(), SgdConfig::new(0.1));
    // for epoch in range(epochs):
    for epoch in 0..epochs {
        //     model_0.train()
        model.train();
        //     y_logits = model_0(X_train).squeeze()
        let y_logits = model.forward(x_train).squeeze();
        //     y_pred = torch.round(torch.sigmoid(y_logits))
        let y_pred = y_logits.sigmoid().round();
        //     loss = loss_fn(y_logits, y_train)
        let loss = loss_fn.forward(&y_logits, y_train);
        //     acc = accuracy_fn(y_true=y_train, y_pred=y_pred)
        let acc = accuracy_fn(y_train, &y_pred.tensor());
        //     optimizer.zero_grad()
        optimizer.zero_grad();
        //     loss.backward()
        loss.backward();
        //     optimizer.step()
        optimizer.step();
        //     model_0.eval()
        model.eval();
        //     with torch.inference_mode():
        let (test_loss, test_acc) = no_grad(|| {
            //         test_logits = model_0(X_test).squeeze()
            let test_logits = model.forward(x_test).squeeze();
            //         test_pred = torch.round(torch.sigmoid(test_logits))
            let test_pred = test_logits.sigmoid().round();
            //         test_loss = loss_fn(test_logits, y_test)
            let test_loss = loss_fn.forward(&test_logits, y_test);
            //         test_acc = accuracy_fn(y_true=y_test, y_pred=test_pred)
            (test_loss, accuracy_fn(y_test, &test_pred.tensor()))
        });
        //     if epoch % 10 == 0:
        if epoch % log_every == 0 {
            //         print(f"Epoch: {epoch} | Loss: {loss:.5f}, Accuracy: {acc:.2f}% | Test loss: {test_loss:.5f}, Test acc: {test_acc:.2f}%")
            println!(
                "Epoch: {epoch} | Loss: {:.5}, Accuracy: {acc:.2}% | {}: {:.5}, {}: {test_acc:.2}%",
                loss.item(),
                test_label.0,
                test_loss.item(),
                test_label.1
            );
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let out_dir = std::env::temp_dir();

    // ## 1. Make classification data and get it ready
    // n_samples = 1000
    let n_samples = 1000;
    // X, y = make_circles(n_samples, noise=0.03, random_state=42)
    let (x, y) = make_circles(n_samples, 0.03, 42);
    // X = torch.from_numpy(X).type(torch.float)
    let x = x.to_dtype(DType::F32);
    // y = torch.from_numpy(y).type(torch.float)
    let y = y.to_dtype(DType::F32);
    // X[:5], y[:5]
    println!("({},\n {})", x.narrow(0, 0, 5), y.narrow(0, 0, 5));
    // X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, 0.2, 42);
    // len(X_train), len(X_test), len(y_train), len(y_test)
    println!("({}, {}, {}, {})", x_train.shape()[0], x_test.shape()[0], y_train.shape()[0], y_test.shape()[0]);

    // ## 2. Building a model
    // device = "cuda" if torch.cuda.is_available() else "cpu"
    // (the CPU here so that the printed figures are the reference ones; `Device::auto().0` picks a GPU if any)
    let device = Device::Cpu;
    // (the notebook builds its models before `torch.manual_seed(42)`, from whatever state earlier cells left;
    // seeding right before each model makes the weights, and the logs, reproducible)
    nn::manual_seed(42);
    // model_0 = CircleModelV0().to(device)
    let model_0 = CircleModelV0::new();
    model_0.to_device(&device);
    // model_0
    println!("{model_0:?}");
    // model_0 = nn.Sequential(nn.Linear(in_features=2, out_features=5), nn.Linear(in_features=5, out_features=1)).to(device)
    nn::manual_seed(42);
    let model_0 = Sequential::new().add(Linear::new(2, 5)).add(Linear::new(5, 1));
    model_0.to_device(&device);
    // model_0
    println!("{model_0:?}");

    // untrained_preds = model_0(X_test.to(device))
    let x_test = Var::from(x_test.to(&device));
    let untrained_preds = model_0.forward(&x_test);
    // print(f"Length of predictions: {len(untrained_preds)}, Shape: {untrained_preds.shape}")
    println!("Length of predictions: {}, Shape: torch.Size({:?})", untrained_preds.shape()[0], untrained_preds.shape());
    // print(f"Length of test samples: {len(y_test)}, Shape: {y_test.shape}")
    println!("Length of test samples: {}, Shape: torch.Size({:?})", y_test.shape()[0], y_test.shape());
    // print(f"\nFirst 10 predictions:\n{untrained_preds[:10]}")
    println!("\nFirst 10 predictions:\n{}", untrained_preds.narrow(0, 0, 10));
    // print(f"\nFirst 10 test labels:\n{y_test[:10]}")
    println!("\nFirst 10 test labels:\n{}", y_test.narrow(0, 0, 10));

    // ## 3. Train model_0
    // torch.manual_seed(42) (done before building it, above)
    // X_train, y_train = X_train.to(device), y_train.to(device)
    let (x_train, y_train) = (Var::from(x_train.to(&device)), y_train.to(&device));
    // X_test, y_test = X_test.to(device), y_test.to(device)
    let y_test = y_test.to(&device);
    // epochs = 100 (and the loop, printing every 10 epochs)
    let mut model_0 = model_0;
    fit_binary(&mut model_0, epochs(100), 10, &x_train, &y_train, &x_test, &y_test, ("Test loss", "Test acc"));
    // plt.subplot(1, 2, 1); plt.title("Train"); plot_decision_boundary(model_0, X_train, y_train); ... "Test"
    let files = plot_decision_boundaries(
        &model_0,
        &[("Train", &x_train.tensor(), &y_train), ("Test", &x_test.tensor(), &y_test)],
        out_dir.join("circles_model_0.png"),
    )?;
    eprintln!("wrote {}", files[0].display());

    // ## 5. Improving a model: CircleModelV1
    nn::manual_seed(42);
    // model_1 = CircleModelV1().to(device)
    let mut model_1 = CircleModelV1::new();
    model_1.to_device(&device);
    // model_1
    println!("{model_1:?}");
    // torch.manual_seed(42); epochs = 1000 (printing every 100 epochs)
    fit_binary(&mut model_1, epochs(1000), 100, &x_train, &y_train, &x_test, &y_test, ("Test loss", "Test acc"));

    // ## 5.2 Can our model learn a straight line?
    // weight = 0.7; bias = 0.3; start = 0; end = 1; step = 0.01
    let (weight, bias, start, end, step) = (0.7, 0.3, 0.0, 1.0, 0.01);
    // X_regression = torch.arange(start, end, step).unsqueeze(dim=1)
    let x_regression = Tensor::arange(start, end, step, DType::F32, &Device::Cpu).unsqueeze(1usize);
    // y_regression = weight * X_regression + bias
    let y_regression = x_regression.mul_scalar(weight).add_scalar(bias);
    // print(len(X_regression))
    println!("{}", x_regression.shape()[0]);
    // train_split = int(0.8 * len(X_regression))
    let train_split = (0.8 * x_regression.shape()[0] as f64) as usize;
    // X_train_regression, y_train_regression = X_regression[:train_split], y_regression[:train_split]
    let (x_train_regression, y_train_regression) =
        (x_regression.slice(0..train_split), y_regression.slice(0..train_split));
    // X_test_regression, y_test_regression = X_regression[train_split:], y_regression[train_split:]
    let n = x_regression.shape()[0];
    let (x_test_regression, y_test_regression) =
        (x_regression.slice(train_split..n), y_regression.slice(train_split..n));
    // print(len(X_train_regression), len(y_train_regression), len(X_test_regression), len(y_test_regression))
    println!(
        "{} {} {} {}",
        x_train_regression.shape()[0],
        y_train_regression.shape()[0],
        x_test_regression.shape()[0],
        y_test_regression.shape()[0]
    );
    nn::manual_seed(42);
    // model_2 = nn.Sequential(nn.Linear(1, 10), nn.Linear(10, 10), nn.Linear(10, 1)).to(device)
    let mut model_2 = Sequential::new().add(Linear::new(1, 10)).add(Linear::new(10, 10)).add(Linear::new(10, 1));
    model_2.to_device(&device);
    // model_2
    println!("{model_2:?}");
    // loss_fn = nn.L1Loss()
    let loss_fn = L1Loss::new();
    // optimizer = torch.optim.SGD(model_2.parameters(), lr=0.1)
    let mut optimizer = SGD::new(model_2.parameters(), SgdConfig::new(0.1));
    // torch.manual_seed(42) (done before building it, above)
    // X_train_regression, y_train_regression = X_train_regression.to(device), y_train_regression.to(device)
    let (x_train_regression, y_train_regression) =
        (Var::from(x_train_regression.to(&device)), y_train_regression.to(&device));
    // X_test_regression, y_test_regression = X_test_regression.to(device), y_test_regression.to(device)
    let (x_test_regression, y_test_regression) =
        (Var::from(x_test_regression.to(&device)), y_test_regression.to(&device));
    // for epoch in range(epochs):
    for epoch in 0..epochs(1000) {
        //     y_pred = model_2(X_train_regression)
        let y_pred = model_2.forward(&x_train_regression);
        //     loss = loss_fn(y_pred, y_train_regression)
        let loss = loss_fn.forward(&y_pred, &y_train_regression);
        //     optimizer.zero_grad()
        optimizer.zero_grad();
        //     loss.backward()
        loss.backward();
        //     optimizer.step()
        optimizer.step();
        //     model_2.eval()
        model_2.eval();
        //     with torch.inference_mode():
        let test_loss = no_grad(|| {
            //       test_pred = model_2(X_test_regression)
            let test_pred = model_2.forward(&x_test_regression);
            //       test_loss = loss_fn(test_pred, y_test_regression)
            loss_fn.forward(&test_pred, &y_test_regression)
        });
        //     if epoch % 100 == 0:
        if epoch % 100 == 0 {
            //         print(f"Epoch: {epoch} | Train loss: {loss:.5f}, Test loss: {test_loss:.5f}")
            println!("Epoch: {epoch} | Train loss: {:.5}, Test loss: {:.5}", loss.item(), test_loss.item());
        }
    }

    // ## 6. The missing piece: non-linearity
    nn::manual_seed(42);
    // model_3 = CircleModelV2().to(device)
    let mut model_3 = CircleModelV2::new();
    model_3.to_device(&device);
    // print(model_3)
    println!("{model_3}");
    // torch.manual_seed(42); epochs = 1000 (printing every 100 epochs)
    fit_binary(&mut model_3, epochs(1000), 100, &x_train, &y_train, &x_test, &y_test, ("Test Loss", "Test Accuracy"));
    // model_3.eval()
    model_3.eval();
    // with torch.inference_mode():
    //     y_preds = torch.round(torch.sigmoid(model_3(X_test))).squeeze()
    let y_preds = no_grad(|| model_3.forward(&x_test).sigmoid().round().squeeze());
    // y_preds[:10], y[:10]
    println!("({},\n {})", y_preds.tensor().narrow(0, 0, 10), y.narrow(0, 0, 10));
    // plot_decision_boundary(model_1, X_train, y_train); plot_decision_boundary(model_3, X_test, y_test)
    plot_decision_boundaries(&model_1, &[("Train", &x_train.tensor(), &y_train)], out_dir.join("circles_model_1.png"))?;
    let files = plot_decision_boundaries(
        &model_3,
        &[("Test", &x_test.tensor(), &y_test)],
        out_dir.join("circles_model_3.png"),
    )?;
    eprintln!("wrote {}", files[0].display());
    Ok(())
}
