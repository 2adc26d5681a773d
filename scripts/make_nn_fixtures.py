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


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
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


SECTIONS = {"init": make_init, "modules": make_modules}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    wanted = sys.argv[1:] or list(SECTIONS)
    for s in wanted:
        SECTIONS[s]()
