#!/usr/bin/env python3
"""Replays every training run of the PyTorch classification tutorial in real PyTorch (CPU) and
saves the per-epoch figures that `crates/experiments/tests/replay.rs` compares tapegrad against.

Each run is exactly the tutorial's code path, reduced to what produces numbers:

    data      scikit-learn / numpy generators with random_state=42, float32 features,
              train_test_split(test_size=0.2, random_state=42) (the straight line: arange + positional split)
    model     torch.manual_seed(seed); model = nn.Sequential(...)   # built right after seeding
    epoch     forward on the whole train set, loss, accuracy, zero_grad, backward, step,
              then forward + loss + accuracy on the test set under torch.inference_mode()

`accuracy_fn` is the tutorial's: torch.eq(y_true, y_pred).sum().item() / len(y_pred) * 100, with
y_pred = round(sigmoid(logits)) for binary runs and softmax(logits).argmax(1) for multi-class runs.

Output: one compact JSON per (run, lr, seed) in crates/experiments/tests/fixtures/replay/,
named `<run>[_lr<lr>]_seed<seed>.json`, values rounded to 9 significant digits (enough to
round-trip every float32 loss exactly). Accuracies are null for the regression run `line`.

blobs-large (beyond the tutorial) is replayed at small sizes (BLOBS_LARGE_FIXTURES),
named `blobs-large_n<samples>_b<batch>_e<epochs>_seed<seed>.json`; its loop is
`train_blobs_large` (mini-batches of consecutive rows, see its docstring).

Usage: python3 scripts/make_replay_fixtures.py [--seeds 42 7]
The module is also imported by benches/torch_epoch_timing.py and benches/torch_gpu_epoch_timing.py
(RUNS, LOOPS, make_data, build, train, train_blobs_large); `train` and `train_blobs_large` take a
torch device ("cpu", "cuda").
"""

import argparse
import json
import os
import time

import numpy as np
import torch
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split
from torch import nn

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "crates", "experiments", "tests", "fixtures", "replay")

# name -> (dataset, layer widths, relu between layers, loss, optimizer, lr, epochs)
# Keep in sync with the headers of crates/experiments/src/runs/*.rs.
RUNS = {
    "circles-v0": ("circles", [2, 5, 1], False, "bce", "sgd", 0.1, 100),
    "circles-v1": ("circles", [2, 10, 10, 1], False, "bce", "sgd", 0.1, 1000),
    "line": ("line", [1, 10, 10, 1], False, "l1", "sgd", 0.1, 1000),
    "circles-v2": ("circles", [2, 10, 10, 1], True, "bce", "sgd", 0.1, 1000),
    "blobs": ("blobs", [2, 8, 8, 4], False, "ce", "sgd", 0.1, 100),
    "moons": ("moons", [2, 10, 10, 1], True, "bce", "sgd", 0.1, 1000),
    "spirals": ("spirals", [2, 10, 10, 3], True, "ce", "adam", 0.02, 1000),
}

# The eight training loops: the seven runs plus seed 004's `line` at lr 0.01.
LOOPS = [(name, RUNS[name][5]) for name in RUNS] + [("line", 0.01)]

# blobs-large: make_blobs(n_samples, n_features=32, centers=10, cluster_std=2.0, random_state=42),
# Sequential(Linear(32, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10)), CrossEntropyLoss,
# Adam(lr=1e-3). Keep in sync with crates/experiments/src/runs/blobs_large.rs.
BLOBS_LARGE = {"samples": 100_000, "widths": [32, 512, 512, 10], "lr": 1e-3, "epochs": 5, "batch_size": 1024}

# (samples, batch_size, epochs, seed) of the committed blobs-large fixtures: small, and one batch
# size that does not divide the train set (a shorter last batch).
BLOBS_LARGE_FIXTURES = [(2000, 1024, 3, 42), (2000, 300, 2, 7)]


def spirals(n=100, k=3, seed=42):
    """The CS231n spirals, verbatim."""
    np.random.seed(seed)
    x = np.zeros((n * k, 2))
    y = np.zeros(n * k, dtype="uint8")
    for j in range(k):
        ix = range(n * j, n * (j + 1))
        r = np.linspace(0.0, 1, n)
        t = np.linspace(j * 4, (j + 1) * 4, n) + np.random.randn(n) * 0.2
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x, y


def make_data(dataset):
    """(X_train, X_test, y_train, y_test) as the tutorial builds them."""
    if dataset == "line":
        x = torch.arange(0, 1, 0.01).unsqueeze(dim=1)
        y = 0.7 * x + 0.3
        split = int(0.8 * len(x))
        return x[:split], x[split:], y[:split], y[split:]
    if dataset == "circles":
        x, y = make_circles(1000, noise=0.03, random_state=42)
    elif dataset == "moons":
        x, y = make_moons(1000, noise=0.07, random_state=42)
    elif dataset == "blobs":
        x, y = make_blobs(n_samples=1000, n_features=2, centers=4, cluster_std=1.5, random_state=42)
    elif dataset == "spirals":
        x, y = spirals()
    else:
        raise ValueError(dataset)
    x = torch.from_numpy(x).type(torch.float)
    multiclass = dataset in ("blobs", "spirals")
    y = torch.from_numpy(y).type(torch.LongTensor if multiclass else torch.float)
    return train_test_split(x, y, test_size=0.2, random_state=42)


def make_blobs_large(samples):
    """(X_train, X_test, y_train, y_test) of blobs-large: float32 features, int64 labels."""
    x, y = make_blobs(n_samples=samples, n_features=32, centers=10, cluster_std=2.0, random_state=42)
    x = torch.from_numpy(x).type(torch.float)
    y = torch.from_numpy(y).type(torch.LongTensor)
    return train_test_split(x, y, test_size=0.2, random_state=42)


def build(widths, relu, seed):
    """torch.manual_seed(seed) then the model (Linear layers in order, ReLU between them)."""
    torch.manual_seed(seed)
    layers = []
    for i in range(len(widths) - 1):
        if i > 0 and relu:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(widths[i], widths[i + 1]))
    return nn.Sequential(*layers)


def accuracy_fn(y_true, y_pred):
    correct = torch.eq(y_true, y_pred).sum().item()
    return (correct / len(y_pred)) * 100


def synchronize(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def train(name, seed, lr=None, epochs=None, record=True, device="cpu"):
    """Runs one training loop; returns (history dict, seconds spent in the loop)."""
    dataset, widths, relu, loss_name, opt_name, default_lr, default_epochs = RUNS[name]
    lr = default_lr if lr is None else lr
    epochs = default_epochs if epochs is None else epochs
    x_train, x_test, y_train, y_test = (t.to(device) for t in make_data(dataset))
    model = build(widths, relu, seed).to(device)
    loss_fn = {"bce": nn.BCEWithLogitsLoss, "ce": nn.CrossEntropyLoss, "l1": nn.L1Loss}[loss_name]()
    if opt_name == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def predict(logits):
        if loss_name == "bce":
            return torch.round(torch.sigmoid(logits))
        return torch.softmax(logits, dim=1).argmax(dim=1)

    def forward(x):
        out = model(x)
        return out.squeeze() if loss_name == "bce" else out

    hist = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    synchronize(device)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        y_logits = forward(x_train)
        loss = loss_fn(y_logits, y_train)
        acc = None if loss_name == "l1" else accuracy_fn(y_train, predict(y_logits))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.inference_mode():
            test_logits = forward(x_test)
            test_loss = loss_fn(test_logits, y_test)
            test_acc = None if loss_name == "l1" else accuracy_fn(y_test, predict(test_logits))
        if record:
            hist["train_loss"].append(loss.item())
            hist["train_acc"].append(acc)
            hist["test_loss"].append(test_loss.item())
            hist["test_acc"].append(test_acc)
    synchronize(device)
    seconds = time.perf_counter() - start
    return {"run": name, "seed": seed, "lr": lr, "epochs": epochs, **hist}, seconds


def train_blobs_large(seed, samples=None, batch_size=None, epochs=None, device="cpu"):
    """The blobs-large loop; returns (history dict, seconds spent in the loop).

    Per epoch: mini-batches of `batch_size` consecutive training rows in order (the last one
    shorter), no shuffling; each batch: forward, loss, correct predictions, zero_grad, backward,
    step. The batch losses and correct counts are summed on the device (float32 / int64) and read
    once per epoch: train loss = sum / number of batches, train acc = correct / n_train * 100.
    Then one pass over the whole test set under inference_mode (loss and accuracy_fn).
    """
    cfg = BLOBS_LARGE
    samples = cfg["samples"] if samples is None else samples
    batch_size = cfg["batch_size"] if batch_size is None else batch_size
    epochs = cfg["epochs"] if epochs is None else epochs
    x_train, x_test, y_train, y_test = (t.to(device) for t in make_blobs_large(samples))
    model = build(cfg["widths"], True, seed).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    n_train = len(x_train)
    n_batches = (n_train + batch_size - 1) // batch_size
    hist = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
    synchronize(device)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.long, device=device)
        for row in range(0, n_train, batch_size):
            xb, yb = x_train[row:row + batch_size], y_train[row:row + batch_size]
            logits = model(xb)
            loss = loss_fn(logits, yb)
            correct += torch.eq(yb, torch.softmax(logits, dim=1).argmax(dim=1)).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach()
        model.eval()
        with torch.inference_mode():
            test_logits = model(x_test)
            test_loss = loss_fn(test_logits, y_test)
            test_acc = accuracy_fn(y_test, torch.softmax(test_logits, dim=1).argmax(dim=1))
        hist["train_loss"].append(loss_sum.item() / n_batches)
        hist["train_acc"].append((correct.item() / n_train) * 100)
        hist["test_loss"].append(test_loss.item())
        hist["test_acc"].append(test_acc)
    synchronize(device)
    seconds = time.perf_counter() - start
    out = {"run": "blobs-large", "seed": seed, "lr": cfg["lr"], "epochs": epochs, "samples": samples,
           "batch_size": batch_size, "n_train": n_train, **hist}
    return out, seconds


def sig9(v):
    return None if v is None else float(f"{v:.9g}")


def fixture_name(name, lr, seed):
    default_lr = RUNS[name][5]
    tag = "" if lr == default_lr else f"_lr{lr:g}"
    return f"{name}{tag}_seed{seed}.json"


def write(hist, file):
    for key in ("train_loss", "train_acc", "test_loss", "test_acc"):
        hist[key] = [sig9(v) for v in hist[key]]
    hist["torch"] = torch.__version__
    path = os.path.join(OUT_DIR, file)
    with open(path, "w") as f:
        json.dump(hist, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    parser.add_argument("--only-blobs-large", action="store_true", help="write only the blobs-large fixtures")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    if not args.only_blobs_large:
        for seed in args.seeds:
            for name, lr in LOOPS:
                write(train(name, seed, lr=lr)[0], fixture_name(name, lr, seed))
    for samples, batch_size, epochs, seed in BLOBS_LARGE_FIXTURES:
        hist, _ = train_blobs_large(seed, samples=samples, batch_size=batch_size, epochs=epochs)
        write(hist, f"blobs-large_n{samples}_b{batch_size}_e{epochs}_seed{seed}.json")


if __name__ == "__main__":
    main()
