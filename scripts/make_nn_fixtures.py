#!/usr/bin/env python3
"""Writes the fixtures of the `nn` crate's tests (crates/nn/tests/fixtures/) from real PyTorch and scikit-learn.

Run from the repository root:  python3 scripts/make_nn_fixtures.py

Each section writes one JSON file; the Rust test of the same name reads it:

* init.json        -- nn.Linear initial weights after torch.manual_seed(s): float32 bit patterns (all of them for
                      small layers; an FNV-1a hash of all bits plus the first values for large ones), for single
                      layers and for the tutorial's models built layer after layer.
* losses.json      -- every loss x reduction: value and gradient w.r.t. the input.
* optim.json       -- five steps of every optimizer configuration from fixed parameters and gradients.
* metrics.json     -- accuracy / precision / recall / F1 / confusion matrix / classification_report (sklearn).
* checkpoint_*.safetensors -- state dicts written by safetensors.torch.save_file, and the expected values.
"""
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "nn", "tests", "fixtures")


def f32_bits(t):
    return [int(b) for b in t.detach().contiguous().numpy().astype(np.float32).view(np.uint32).ravel()]


def fnv1a64(bits):
    """FNV-1a (64-bit) over the little-endian bytes of each u32; mirrored by `fnv1a64` in tests/init.rs."""
    h = 0xCBF29CE484222325
    for w in bits:
        for k in range(4):
            h ^= (w >> (8 * k)) & 0xFF
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def param_record(name, t):
    bits = f32_bits(t)
    rec = {"name": name, "shape": list(t.shape), "fnv1a64": str(fnv1a64(bits)), "head": bits[:16]}
    if len(bits) <= 256:
        rec["bits"] = bits
    return rec


def finite_json(obj):
    """JSON has no infinities: write them (and NaN) as the strings "inf", "-inf", "nan"."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, list):
        return [finite_json(v) for v in obj]
    if isinstance(obj, dict):
        return {k: finite_json(v) for k, v in obj.items()}
    return obj


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(finite_json(obj), f, separators=(",", ":"), allow_nan=False)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


# --- init ----------------------------------------------------------------------------------------------------
def make_init():
    shapes = [(2, 5), (5, 1), (2, 10), (10, 10), (10, 1), (1, 10), (2, 8), (8, 4), (10, 3), (784, 128)]
    # The tutorial's models, as (name, [(in, out), ...]) drawn in construction order.
    models = [
        ("CircleModelV0", [(2, 5), (5, 1)]),
        ("CircleModelV1", [(2, 10), (10, 10), (10, 1)]),
        ("Sequential_1_10_10_1", [(1, 10), (10, 10), (10, 1)]),
        ("BlobModel", [(2, 8), (8, 8), (8, 4)]),
        ("SpiralModel", [(2, 10), (10, 10), (10, 3)]),
    ]
    cases = []
    for seed in [0, 1, 42, 1234, 2**32 + 42]:
        for (i, o) in shapes:
            torch.manual_seed(seed)
            lin = nn.Linear(i, o)
            cases.append({"seed": seed, "layers": [[i, o]],
                          "params": [param_record("weight", lin.weight), param_record("bias", lin.bias)]})
        for name, layers in models:
            torch.manual_seed(seed)
            mods = [nn.Linear(i, o) for (i, o) in layers]
            params = []
            for k, m in enumerate(mods):
                params.append(param_record(f"{k}.weight", m.weight))
                params.append(param_record(f"{k}.bias", m.bias))
            cases.append({"seed": seed, "model": name, "layers": [list(l) for l in layers], "params": params})
    # A layer without bias, then one with: the second layer's draws continue the same stream.
    torch.manual_seed(7)
    a = nn.Linear(3, 4, bias=False)
    b = nn.Linear(4, 2)
    cases.append({"seed": 7, "layers": [[3, 4, False], [4, 2]],
                  "params": [param_record("0.weight", a.weight), param_record("1.weight", b.weight),
                             param_record("1.bias", b.bias)]})
    # Raw uniform_ draws of several sizes (float32 and float64) against the generator alone.
    uniform = []
    for seed, n, lo, hi in [(0, 1, 0.0, 1.0), (1234, 5, -1.0, 1.0), (42, 16, -0.3, 0.7), (3, 100, -2.5, 1e-3),
                            (5, 1000, 0.0, 1.0)]:
        torch.manual_seed(seed)
        t32 = torch.empty(n).uniform_(lo, hi)
        torch.manual_seed(seed)
        t64 = torch.empty(n, dtype=torch.float64).uniform_(lo, hi)
        uniform.append({"seed": seed, "n": n, "from": lo, "to": hi, "f32_bits": f32_bits(t32),
                        "f64": [float(v) for v in t64.numpy()]})
    write("init.json", {"torch": torch.__version__, "linear": cases, "uniform": uniform})


# --- modules: the tutorial's models, their printing, parameter names and a forward pass -----------------------
class CircleModelV0(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=5)
        self.layer_2 = nn.Linear(in_features=5, out_features=1)

    def forward(self, x):
        return self.layer_2(self.layer_1(x))


class CircleModelV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer_1 = nn.Linear(in_features=2, out_features=10)
        self.layer_2 = nn.Linear(in_features=10, out_features=10)
        self.layer_3 = nn.Linear(in_features=10, out_features=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x)))))


class BlobModel(nn.Module):
    def __init__(self, input_features, output_features, hidden_units=8):
        super().__init__()
        self.linear_layer_stack = nn.Sequential(
            nn.Linear(in_features=input_features, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=hidden_units),
            nn.ReLU(),
            nn.Linear(in_features=hidden_units, out_features=output_features),
        )

    def forward(self, x):
        return self.linear_layer_stack(x)


def make_modules():
    x = torch.linspace(-1.5, 1.5, 14).reshape(7, 2)
    out = []
    for name, build in [
        ("CircleModelV0", CircleModelV0),
        ("CircleModelV2", CircleModelV2),
        ("BlobModel", lambda: BlobModel(2, 4, 8)),
        ("Sequential", lambda: nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1), nn.Sigmoid())),
        ("NoBias", lambda: nn.Sequential(nn.Linear(2, 3, bias=False), nn.Softmax(dim=1))),
    ]:
        torch.manual_seed(42)
        m = build()
        with torch.no_grad():
            y = m(x)
        out.append({"model": name, "repr": repr(m), "names": [n for n, _ in m.named_parameters()],
                    "params": {n: p.detach().numpy().ravel().tolist() for n, p in m.named_parameters()},
                    "x": x.numpy().ravel().tolist(), "x_shape": list(x.shape),
                    "y": y.numpy().ravel().tolist(), "y_shape": list(y.shape)})
    write("modules.json", out)


# --- losses --------------------------------------------------------------------------------------------------
def flat(t):
    return [float(v) for v in t.detach().numpy().ravel()]


def make_losses():
    g = torch.Generator().manual_seed(123)
    cases = []

    def case(kind, inp, target, reduction, **opts):
        x = inp.clone().requires_grad_(True)
        kw = {k: v for k, v in opts.items() if v is not None}
        fn = {"bce_with_logits": nn.BCEWithLogitsLoss, "bce": nn.BCELoss, "cross_entropy": nn.CrossEntropyLoss,
              "nll": nn.NLLLoss, "l1": nn.L1Loss, "mse": nn.MSELoss}[kind](reduction=reduction, **kw)
        out = fn(x, target)
        upstream = torch.linspace(0.5, 1.5, out.numel()).reshape(out.shape)
        (out * upstream).sum().backward()
        rec = {"kind": kind, "reduction": reduction, "input": flat(inp), "input_shape": list(inp.shape),
               "target": [float(v) for v in target.numpy().ravel()] if target.is_floating_point()
               else [int(v) for v in target.numpy().ravel()],
               "target_shape": list(target.shape), "target_int": not target.is_floating_point(),
               "upstream": flat(upstream), "value": flat(out), "value_shape": list(out.shape),
               "grad": flat(x.grad)}
        for k, v in opts.items():
            if v is None:
                continue
            rec[k] = flat(v) if isinstance(v, torch.Tensor) else v
        cases.append(rec)

    # Binary: logits with large magnitudes, soft and hard targets.
    logits = torch.randn(6, 3, generator=g) * 3
    logits[0, 0], logits[1, 1], logits[2, 2], logits[3, 0] = 1e4, -1e4, 1e4, -1e4
    y = (torch.rand(6, 3, generator=g) > 0.5).float()
    y[0, 0], y[1, 1], y[2, 2], y[3, 0] = 1.0, 0.0, 0.0, 1.0
    y[4, 1] = 0.3
    w = torch.rand(3, generator=g) + 0.5
    pw = torch.tensor([0.5, 2.0, 3.0])
    probs = torch.sigmoid(torch.randn(6, 3, generator=g))
    probs[0, 0], probs[1, 1], probs[2, 2], probs[3, 0] = 0.0, 1.0, 1.0, 0.0
    # Multi-class: logits [5, 4] with targets; one row with huge and -inf logits off the target.
    ce_x = torch.randn(5, 4, generator=g) * 2
    ce_big = ce_x.clone()
    ce_big[0] = torch.tensor([1e4, -1e4, 0.0, -float("inf")])
    ce_big[1] = torch.tensor([-1e4, 1e4, -float("inf"), 3.0])
    ce_t = torch.tensor([0, 3, 1, 2, 1])
    ce_t_ign = torch.tensor([0, -100, 1, 2, -100])
    ce_big_t = torch.tensor([0, 1, 1, 2, 1])
    cw = torch.tensor([0.2, 1.0, 2.5, 0.7])
    soft = torch.softmax(torch.randn(5, 4, generator=g), dim=1)
    ce3_x = torch.randn(2, 3, 4, generator=g)
    ce3_t = torch.tensor([[0, 2, 1, 1], [2, 2, 0, -100]])
    reg_x, reg_y = torch.randn(4, 3, generator=g), torch.randn(4, 3, generator=g)
    reg_y[0, 0] = reg_x[0, 0]
    for r in ["mean", "sum", "none"]:
        case("bce_with_logits", logits, y, r)
        case("bce_with_logits", logits, y, r, weight=w)
        case("bce_with_logits", logits, y, r, pos_weight=pw)
        case("bce_with_logits", logits, y, r, weight=w, pos_weight=pw)
        case("bce", probs, y, r)
        case("bce", probs, y, r, weight=w)
        case("cross_entropy", ce_x, ce_t, r)
        case("cross_entropy", ce_big, ce_big_t, r)
        case("cross_entropy", ce_x, ce_t, r, weight=cw)
        case("cross_entropy", ce_x, ce_t, r, label_smoothing=0.1)
        case("cross_entropy", ce_x, ce_t, r, weight=cw, label_smoothing=0.2)
        case("cross_entropy", ce_x, ce_t_ign, r, weight=cw, label_smoothing=0.1)
        case("cross_entropy", ce_x, ce_t_ign, r)
        case("cross_entropy", ce_x, torch.tensor([0, 9, 1, 9, 1]), r, ignore_index=9)
        case("cross_entropy", ce_x, soft, r)
        case("cross_entropy", ce_x, soft, r, weight=cw, label_smoothing=0.15)
        case("cross_entropy", ce3_x, ce3_t, r, weight=torch.tensor([1.0, 2.0, 0.5]), label_smoothing=0.1)
        case("cross_entropy", ce_x[2], torch.tensor(1), r)
        case("nll", torch.log_softmax(ce_x, 1), ce_t, r)
        case("nll", torch.log_softmax(ce_x, 1), ce_t_ign, r, weight=cw)
        case("l1", reg_x, reg_y, r)
        case("mse", reg_x, reg_y, r)
    write("losses.json", cases)


# --- optimizers ----------------------------------------------------------------------------------------------
def make_optim():
    g = torch.Generator().manual_seed(99)
    start = [torch.randn(3, 2, generator=g), torch.randn(2, generator=g), torch.randn(2, generator=g)]
    # Five steps of fixed gradients; the third parameter never gets one (PyTorch skips it).
    grads = [[torch.randn(3, 2, generator=g), torch.randn(2, generator=g)] for _ in range(5)]
    configs = [
        ("SGD", dict(lr=0.1)),
        ("SGD", dict(lr=0.1, momentum=0.9)),
        ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
        ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True)),
        ("SGD", dict(lr=0.1, weight_decay=0.01)),
        ("SGD", dict(lr=0.1, maximize=True)),
        ("SGD", dict(lr=0.03, momentum=0.7, weight_decay=0.1, nesterov=True, maximize=True)),
        ("Adam", dict()),
        ("Adam", dict(lr=0.01)),
        ("Adam", dict(lr=0.01, amsgrad=True)),
        ("Adam", dict(lr=0.01, weight_decay=0.1)),
        ("Adam", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
        ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, maximize=True)),
        ("Adam", dict(lr=0.01, betas=(0.3, 0.9))),
        ("AdamW", dict()),
        ("AdamW", dict(lr=0.01)),
        ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
        ("AdamW", dict(lr=0.02, weight_decay=0.0)),
    ]
    cases = []
    for name, kw in configs:
        params = [t.clone().requires_grad_(True) for t in start]
        opt = getattr(torch.optim, name)(params, foreach=False, **kw)
        traj = []
        for step in grads:
            opt.zero_grad()
            for p, gr in zip(params, step):
                p.grad = gr.clone()
            opt.step()
            traj.append([flat(p) for p in params])
        options = {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}
        cases.append({"optimizer": name, "options": options, "trajectory": traj})
    write("optim.json", {"start": [flat(t) for t in start], "shapes": [list(t.shape) for t in start],
                         "grads": [[flat(t) for t in step] for step in grads], "cases": cases})


# --- checkpoints ---------------------------------------------------------------------------------------------
def make_checkpoints():
    from safetensors.torch import save_file

    for name, build in [("circle_v0", CircleModelV0), ("blob", lambda: BlobModel(2, 4, 8))]:
        torch.manual_seed(42)
        m = build()
        save_file(m.state_dict(), os.path.join(OUT, f"checkpoint_{name}.safetensors"))
        print(f"wrote checkpoint_{name}.safetensors")


# --- metrics -------------------------------------------------------------------------------------------------
def make_metrics():
    import warnings

    from sklearn import metrics as skm
    from torchmetrics.classification import MulticlassAccuracy

    rng = np.random.RandomState(5)
    cases = []
    yt_b = rng.randint(0, 2, 40)
    yp_b = np.where(rng.rand(40) < 0.8, yt_b, 1 - yt_b)
    yt_m = rng.randint(0, 4, 50)
    yp_m = np.where(rng.rand(50) < 0.6, yt_m, rng.randint(0, 4, 50))
    yt_z = rng.randint(0, 3, 30)          # class 2 is never predicted: precision of class 2 is 0/0
    yp_z = np.where(yt_z == 2, 0, yt_z)
    yp_z[:5] = 1
    yt_x = np.array([0, 0, 1, 1, 2, 2, 0, 1])   # a predicted label (3) that never occurs: recall 0/0
    yp_x = np.array([0, 3, 1, 1, 2, 0, 0, 3])
    yt_p = np.array([2, 0, 1, 2, 1, 0])
    for name, yt, yp, names in [
        ("binary", yt_b, yp_b, ["class 0", "class 1"]),
        ("multiclass", yt_m, yp_m, ["red", "green", "blue", "a very long class name"]),
        ("never_predicted", yt_z, yp_z, None),
        ("never_true", yt_x, yp_x, None),
        ("perfect", yt_p, yt_p.copy(), None),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            labels = sorted(set(yt) | set(yp))
            rec = {"name": name, "y_true": [int(v) for v in yt], "y_pred": [int(v) for v in yp],
                   "labels": [int(v) for v in labels],
                   "accuracy": float(skm.accuracy_score(yt, yp)),
                   "confusion_matrix": skm.confusion_matrix(yt, yp).tolist(),
                   "report": skm.classification_report(yt, yp),
                   "report_digits4": skm.classification_report(yt, yp, digits=4)}
            if names is not None:
                rec["target_names"] = names
                rec["report_named"] = skm.classification_report(yt, yp, target_names=names)
            p, r, f, sup = skm.precision_recall_fscore_support(yt, yp, average=None)
            rec["per_class"] = {"precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(),
                                "support": [int(v) for v in sup]}
            avgs = ["macro", "micro", "weighted"] + (["binary"] if len(labels) <= 2 else [])
            rec["averages"] = {a: {"precision": float(skm.precision_score(yt, yp, average=a)),
                                   "recall": float(skm.recall_score(yt, yp, average=a)),
                                   "f1": float(skm.f1_score(yt, yp, average=a))} for a in avgs}
            k = int(max(labels)) + 1
            rec["torchmetrics"] = {
                "num_classes": int(k),
                "micro": float(MulticlassAccuracy(num_classes=k, average="micro")(torch.tensor(yp), torch.tensor(yt))),
                "macro": float(MulticlassAccuracy(num_classes=k, average="macro")(torch.tensor(yp), torch.tensor(yt))),
                "weighted": float(MulticlassAccuracy(num_classes=k, average="weighted")(torch.tensor(yp),
                                                                                        torch.tensor(yt))),
            }
        cases.append(rec)
    write("metrics.json", cases)


# --- training: model + loss + optimizer end to end -------------------------------------------------------------
def make_training():
    g = torch.Generator().manual_seed(2024)
    x = torch.rand(32, 2, generator=g) * 2 - 1
    y_bin = ((x ** 2).sum(1) < 0.5).float()
    y_cls = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
    cases = []
    for name, build, loss_fn, opt_fn, y in [
        ("CircleModelV2+BCEWithLogits+SGD", CircleModelV2, nn.BCEWithLogitsLoss(),
         lambda p: torch.optim.SGD(p, lr=0.1), y_bin),
        ("BlobModel+CrossEntropy+Adam", lambda: BlobModel(2, 4, 8), nn.CrossEntropyLoss(),
         lambda p: torch.optim.Adam(p, lr=0.02, foreach=False), y_cls),
    ]:
        torch.manual_seed(42)
        m = build()
        opt = opt_fn(m.parameters())
        losses = []
        for _ in range(10):
            logits = m(x)
            loss = loss_fn(logits.squeeze(1) if logits.shape[1] == 1 else logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        cases.append({"name": name, "losses": losses,
                      "params": {n: flat(p) for n, p in m.named_parameters()}})
    write("training.json", {"x": flat(x), "y_bin": flat(y_bin), "y_cls": [int(v) for v in y_cls], "cases": cases})


SECTIONS = {"training": make_training, "metrics": make_metrics, "init": make_init, "modules": make_modules, "losses": make_losses, "optim": make_optim,
            "checkpoints": make_checkpoints}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    wanted = sys.argv[1:] or list(SECTIONS)
    for s in wanted:
        SECTIONS[s]()
