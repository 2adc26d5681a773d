"""Fixtures for `crates/tensor/tests/display.rs`: tensors and the string `print(tensor)` gives in PyTorch.

Writes `crates/tensor/tests/fixtures/display.json`, a list of
`{"name", "shape", "dtype" ("float32" | "float64" | "int64"), "values" (strings, row-major), "expected"}`.
Float values are Python `repr` strings of the exact element (f32 elements widened to f64, so the Rust side
parses them as f64 and narrows back exactly); `nan`, `inf` and `-inf` are spelled that way.

Run from the repository root: `python3 scripts/make_display_fixtures.py`.
"""

import json
import math
import os

import torch

torch.manual_seed(0)
cases = []


def add(name, t):
    t = t.contiguous()
    flat = t.reshape(-1).tolist()
    if t.dtype.is_floating_point:
        values = ["nan" if math.isnan(v) else repr(float(v)) for v in flat]
    else:
        values = [str(int(v)) for v in flat]
    cases.append(
        {
            "name": name,
            "shape": list(t.shape),
            "dtype": str(t.dtype).removeprefix("torch."),
            "values": values,
            "expected": str(t),
        }
    )


f32, f64, i64 = torch.float32, torch.float64, torch.int64
nan, inf = float("nan"), float("inf")

# The tutorial's printouts: logits, softmax probabilities (sci mode), labels.
add("logits_4x4", torch.randn(4, 4))
add("logits_scaled", torch.randn(6, 4) * 10)
add("probs_sci", torch.softmax(torch.randn(5, 4) * 12, dim=1))
add("labels", torch.tensor([1, 3, 2, 1, 0, 3, 2, 0, 2, 0]))
add("labels_wrapped", torch.randint(0, 4, (200,)))
add("column", torch.randn(8, 1))
add("row_1d_wrapped", torch.randn(30))
add("arange_float", torch.arange(10, dtype=f32))
add("arange_i64_wrapped", torch.arange(100))
add("negative_ints", torch.tensor([-100, 5, 1234567, -3]))
# Scalars and empties.
add("scalar", torch.tensor(0.6931))
add("scalar_int_valued", torch.tensor(3.0))
add("scalar_i64", torch.tensor(7))
add("scalar_f64", torch.tensor(2.5, dtype=f64))
add("scalar_nan", torch.tensor(nan))
add("empty_f32", torch.tensor([], dtype=f32))
add("empty_f64", torch.tensor([], dtype=f64))
add("empty_i64", torch.tensor([], dtype=i64))
add("empty_2x0", torch.zeros(2, 0))
add("empty_0x3_i64", torch.zeros(0, 3, dtype=i64))
# Format choice: int mode, sci mode by ratio / large / small, zeros, non-finite, negative zero.
add("int_mode", torch.tensor([[1.0, -2.0], [30.0, 4.0]]))
add("int_mode_large", torch.tensor([1.0e7, 2.0, -3.0]))
add("sci_large", torch.tensor([1.0e9, 2.5, -3.0]))
add("sci_small", torch.tensor([1.0e-5, 0.5]))
add("sci_ratio", torch.tensor([0.001, 1.5]))
add("sci_int_valued", torch.tensor([1.0e10, 1.0]))
add("zeros", torch.zeros(3))
add("neg_zero", torch.tensor([-0.0, 1.0]))
add("neg_zero_frac", torch.tensor([-0.0, 1.5]))
add("non_finite", torch.tensor([nan, inf, -inf, 1.5]))
add("non_finite_int_mode", torch.tensor([nan, inf, 2.0]))
add("non_finite_sci", torch.tensor([nan, -inf, 1.0e-7, 3.0]))
add("only_non_finite", torch.tensor([nan, inf]))
add("ties", torch.tensor([0.03125, 1.03125, 0.09375], dtype=f64))
add("f64_matrix", torch.randn(3, 3, dtype=f64))
add("f64_sci", torch.tensor([1.0e-8, 1.0], dtype=f64))
add("f64_wrapped_suffix", torch.randn(2, 7, dtype=f64))
# Layout: 3-D and 4-D blocks, deep nesting (large indent), long rows.
add("block_3d", torch.randn(2, 3, 4))
add("block_4d", torch.randn(2, 2, 2, 3))
add("deep_nesting", torch.randn(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 25))
add("long_rows", torch.randn(3, 20))
# Summarisation above 1000 elements.
add("summary_1d", torch.arange(2000, dtype=f32) / 7)
add("summary_1d_i64", torch.arange(1001))
add("summary_2d", torch.randn(40, 40))
add("summary_3d", torch.randn(8, 3, 50))
add("summary_tall", torch.randn(1001, 1))
add("summary_sci", torch.softmax(torch.randn(200, 10) * 8, dim=1))
add("summary_f64", torch.randn(20, 60, dtype=f64))

out = os.path.join("crates", "tensor", "tests", "fixtures", "display.json")
with open(out, "w") as fh:
    json.dump(cases, fh, indent=0)
    fh.write("\n")
print(f"wrote {len(cases)} cases to {out}")
