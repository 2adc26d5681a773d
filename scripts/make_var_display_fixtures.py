"""Fixtures for `crates/autograd/tests/var_display.rs`: what `print(t)` gives in PyTorch for tensors that require
a gradient — a parameter (`requires_grad=True`) and the results of the tutorial's ops (`grad_fn=<...Backward0>`).

Writes `crates/autograd/tests/fixtures/var_display.json`, a list of `{"name", "expected"}`. The inputs are the
literals below; the Rust test builds the same values and runs the same ops.

Run from the repository root: `python3 scripts/make_var_display_fixtures.py`.
"""

import json
import os

import torch
import torch.nn.functional as F

x = torch.tensor([[1.0, 2.0], [-1.0, 0.5], [0.25, -3.0]])
w = torch.tensor([[0.5, -1.0], [2.0, 0.25]], requires_grad=True)
b = torch.tensor([0.1, -0.2], requires_grad=True)
y = torch.tensor([1.0, 0.0, 1.0])
labels = torch.tensor([1, 0, 1])
w64 = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True)

h = F.linear(x, w, b)
cases = [
    ("leaf", w),
    ("leaf_f64", w64),
    ("constant", x),
    ("linear", h),
    ("linear_no_bias", F.linear(x, w)),
    ("relu", torch.relu(h)),
    ("sigmoid", torch.sigmoid(h)),
    ("tanh", torch.tanh(h)),
    ("add", h + h),
    ("sub", h - h),
    ("mul", h * h),
    ("sum", h.sum()),
    ("softmax", torch.softmax(h, dim=1)),
    ("bce_with_logits", torch.nn.BCEWithLogitsLoss()(h[:, 0], y)),
    ("cross_entropy", torch.nn.CrossEntropyLoss()(h, labels)),
    ("exp_f64", torch.exp(w64)),
]

out = [{"name": name, "expected": str(t)} for name, t in cases]
path = os.path.join("crates", "autograd", "tests", "fixtures", "var_display.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(f"wrote {path} ({len(out)} cases)")
