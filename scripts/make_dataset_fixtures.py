#!/usr/bin/env python3
"""Write the JSON fixtures that pin `experiments::datasets` to real numpy / scikit-learn / torch.

Run from the repository root:

    python3 scripts/make_dataset_fixtures.py

It writes three files under crates/experiments/tests/fixtures/datasets/:

* rng.json       raw `np.random.RandomState` streams: u32 words, doubles, normals (with the
                 cached second Box-Muller value), interleaved calls, randint bounds, permutations,
                 uniform / normal with loc and scale.
* datasets.json  make_circles / make_moons / make_blobs / the CS231n spirals for the tutorial's
                 parameters and a handful of other combinations. `params` uses the Rust field
                 names so the test can rebuild the call.
* splits.json    train_test_split index vectors (the tutorial's test_size=0.2, random_state=42
                 splits and other sizes), and the tutorial's straight line computed by torch.
* blobs_large.json  blobs-large's make_blobs(n, n_features=32, centers=10, cluster_std=2.0,
                 random_state=42) at n = 2,000 and 100,000, kept small: a few rows in full, and
                 64-bit FNV-1a hashes (hex) of the features' f64 bits, of the labels, and of the
                 split train/test sets as the run feeds them (float32 features, int64 labels).
                 `--only-blobs-large` writes this file alone.

Doubles are written with Python's `repr` (shortest round-trip form), so JSON -> f64 is exact.
Rust tests never run this script; rerun it only to refresh the fixtures.
"""

import json
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.model_selection import train_test_split

OUT_DIR = os.path.join("crates", "experiments", "tests", "fixtures", "datasets")


def floats(a):
    """Flatten to a list of Python floats (repr is exact for f64)."""
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


# ----------------------------------------------------------------------------- RandomState streams


def rng_fixtures():
    out = {"u32": [], "doubles": [], "normals": [], "interleaved": [], "randint": [],
           "permutation": [], "shuffle_ints": [], "uniform": [], "normal": []}
    for seed in [0, 1, 42, 12345, 2**32 - 1]:
        rs = np.random.RandomState(seed)
        # randint over the full u32 range returns the raw MT19937 words.
        out["u32"].append({"seed": seed, "values": ints(rs.randint(0, 2**32, size=16, dtype=np.uint32))})
        rs = np.random.RandomState(seed)
        out["doubles"].append({"seed": seed, "values": floats(rs.random_sample(25))})
        rs = np.random.RandomState(seed)
        # An odd count leaves one value cached in `has_gauss`; the next call must use it.
        first = floats(rs.standard_normal(21))
        second = floats(rs.standard_normal(3))
        out["normals"].append({"seed": seed, "values": first + second})

    # Calls that interleave the cached gauss with plain doubles and integer draws.
    rs = np.random.RandomState(7)
    calls = []
    script = ["normal", "double", "normal", "normal", "double", "randint10", "normal",
              "normal", "double", "normal", "randint10", "normal", "double"]
    for op in script:
        if op == "normal":
            calls.append({"op": op, "value": float(rs.standard_normal())})
        elif op == "double":
            calls.append({"op": op, "value": float(rs.random_sample())})
        else:
            calls.append({"op": op, "value": int(rs.randint(0, 10))})
    out["interleaved"].append({"seed": 7, "calls": calls})

    # Reseeding with np.random.seed drops the cached gauss.
    np.random.seed(3)
    a = float(np.random.randn())
    np.random.seed(3)
    b = float(np.random.randn())
    out["reseed"] = {"seed": 3, "first_after_seed": a, "again_after_reseed": b}

    for seed, low, high in [(42, 0, 1), (42, 0, 2), (42, 0, 7), (1, 0, 2**31), (1, -5, 5),
                            (2, 0, 2**32), (3, 0, 2**32 + 5), (4, 0, 2**40), (5, -2**40, 2**41),
                            (6, 10, 11), (7, 0, 1000)]:
        rs = np.random.RandomState(seed)
        out["randint"].append({"seed": seed, "low": low, "high": high,
                               "values": ints(rs.randint(low, high, size=40))})

    for seed, n in [(42, 1000), (0, 7), (5, 1), (5, 2), (9, 33)]:
        rs = np.random.RandomState(seed)
        out["permutation"].append({"seed": seed, "n": n, "values": ints(rs.permutation(n))})

    # shuffle of an existing array, then a double: checks draw count of shuffle.
    rs = np.random.RandomState(11)
    arr = np.arange(10, 30)
    rs.shuffle(arr)
    out["shuffle_ints"].append({"seed": 11, "input": list(range(10, 30)), "values": ints(arr),
                                "next_double": float(rs.random_sample())})

    for seed, low, high in [(42, -10.0, 10.0), (0, 0.0, 1.0), (3, 2.5, -1.5)]:
        rs = np.random.RandomState(seed)
        out["uniform"].append({"seed": seed, "low": low, "high": high,
                               "values": floats(rs.uniform(low, high, size=9))})
    for seed, loc, scale in [(42, 0.0, 0.03), (1, 3.0, 1.5), (2, -1.0, 0.0)]:
        rs = np.random.RandomState(seed)
        out["normal"].append({"seed": seed, "loc": loc, "scale": scale,
                              "values": floats(rs.normal(loc, scale, size=9))})
    return out


# ----------------------------------------------------------------------------- datasets


def spirals(points_per_class=100, classes=3, seed=42):
    """The CS231n spiral code from the tutorial, verbatim apart from the parameters."""
    np.random.seed(seed)
    N, D, K = points_per_class, 2, classes
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def case(name, kind, params, X, y, tutorial=False):
    X = np.asarray(X, dtype=np.float64)
    return {"name": name, "kind": kind, "params": params, "tutorial": tutorial,
            "n_samples": int(X.shape[0]), "n_features": int(X.shape[1]) if X.ndim == 2 else 0,
            "x": floats(X), "y": ints(y)}


def dataset_fixtures():
    cases = []

    def circles(name, n_samples, noise=None, random_state=0, factor=0.8, shuffle=True, tutorial=False):
        ns = tuple(n_samples) if isinstance(n_samples, list) else n_samples
        X, y = make_circles(ns, shuffle=shuffle, noise=noise, random_state=random_state, factor=factor)
        params = {"n_samples": n_samples, "shuffle": shuffle, "noise": noise,
                  "random_state": random_state, "factor": factor}
        cases.append(case(name, "circles", params, X, y, tutorial))

    def moons(name, n_samples, noise=None, random_state=0, shuffle=True, tutorial=False):
        ns = tuple(n_samples) if isinstance(n_samples, list) else n_samples
        X, y = make_moons(ns, shuffle=shuffle, noise=noise, random_state=random_state)
        params = {"n_samples": n_samples, "shuffle": shuffle, "noise": noise,
                  "random_state": random_state}
        cases.append(case(name, "moons", params, X, y, tutorial))

    def blobs(name, n_samples, n_features=2, centers=None, cluster_std=1.0,
              center_box=(-10.0, 10.0), shuffle=True, random_state=0, tutorial=False):
        X, y = make_blobs(n_samples=n_samples, n_features=n_features, centers=centers,
                          cluster_std=cluster_std, center_box=center_box, shuffle=shuffle,
                          random_state=random_state)
        params = {"n_samples": n_samples, "n_features": n_features, "centers": centers,
                  "cluster_std": cluster_std, "center_box": list(center_box),
                  "shuffle": shuffle, "random_state": random_state}
        cases.append(case(name, "blobs", params, X, y, tutorial))

    # The tutorial's datasets (seed files 000-004).
    circles("tutorial_circles", 1000, noise=0.03, random_state=42, tutorial=True)
    moons("tutorial_moons", 1000, noise=0.07, random_state=42, tutorial=True)
    blobs("tutorial_blobs", 1000, n_features=2, centers=4, cluster_std=1.5, random_state=42,
          tutorial=True)
    X, y = spirals(100, 3, 42)
    cases.append(case("tutorial_spirals", "spirals",
                      {"points_per_class": 100, "classes": 3, "seed": 42}, X, y, True))

    # Other parameter combinations.
    circles("circles_odd_7", 7, noise=0.1, random_state=1)
    circles("circles_tuple", [3, 5], noise=None, random_state=2, factor=0.5)
    circles("circles_noshuffle", 9, noise=0.05, random_state=3, shuffle=False, factor=0.3)
    circles("circles_no_noise_no_shuffle", 6, shuffle=False)
    circles("circles_zero", 0, noise=0.1, random_state=4)
    circles("circles_200_rs0", 200, noise=0.2, random_state=0)
    moons("moons_odd_1001", 1001, noise=0.1, random_state=7)
    moons("moons_one", 1, noise=0.1, random_state=8)
    moons("moons_tuple", [4, 2], noise=None, random_state=9)
    moons("moons_noshuffle", 11, noise=0.0, random_state=10, shuffle=False)
    blobs("blobs_3f_stdlist", 31, n_features=3, centers=3, cluster_std=[0.5, 1.0, 2.5],
          random_state=11)
    blobs("blobs_explicit_centers", 20, centers=[[0.0, 0.0], [5.0, 5.0], [-3.0, 4.0]],
          cluster_std=0.7, random_state=12)
    blobs("blobs_per_center_counts", [3, 0, 5], n_features=4, random_state=13)
    blobs("blobs_per_center_counts_centers", [2, 4], centers=[[1.0, -1.0, 0.5], [10.0, 0.0, -3.0]],
          cluster_std=[0.1, 2.0], random_state=14, shuffle=False)
    blobs("blobs_default_centers", 10, random_state=0)
    blobs("blobs_box", 17, n_features=1, centers=5, center_box=(0.0, 1.0), random_state=15)
    blobs("blobs_fewer_samples_than_centers", 2, centers=5, random_state=16)
    X, y = spirals(7, 5, 0)
    cases.append(case("spirals_7x5_seed0", "spirals",
                      {"points_per_class": 7, "classes": 5, "seed": 0}, X, y))
    X, y = spirals(1, 2, 1)
    cases.append(case("spirals_1x2_seed1", "spirals",
                      {"points_per_class": 1, "classes": 2, "seed": 1}, X, y))
    return cases


def shared_state_fixture():
    """One RandomState instance passed to several generators in turn (generate_with in Rust)."""
    rs = np.random.RandomState(5)
    Xc, yc = make_circles(10, noise=0.1, random_state=rs)
    Xm, ym = make_moons(9, noise=0.2, random_state=rs)
    Xb, yb = make_blobs(8, centers=2, random_state=rs)
    return {"seed": 5, "circles": {"x": floats(Xc), "y": ints(yc)},
            "moons": {"x": floats(Xm), "y": ints(ym)},
            "blobs": {"x": floats(Xb), "y": ints(yb)}}


# ----------------------------------------------------------------------------- splits and the line


def split_fixtures():
    splits = []

    def split(name, n, test_size, random_state=None, train_size=None, shuffle=True):
        tr, te = train_test_split(np.arange(n), test_size=test_size, train_size=train_size,
                                  random_state=random_state, shuffle=shuffle)
        splits.append({"name": name, "n": n, "test_size": test_size, "train_size": train_size,
                       "random_state": random_state, "shuffle": shuffle,
                       "train_idx": ints(tr), "test_idx": ints(te)})

    # Every tutorial split is test_size=0.2, random_state=42 (1000 rows; spirals 300 rows).
    split("tutorial_1000", 1000, 0.2, 42)
    split("tutorial_spirals_300", 300, 0.2, 42)
    split("n7_ts03_rs0", 7, 0.3, 0)
    split("n10_ts03_rs1", 10, 0.3, 1)  # ceil(0.3 * 10) = ceil(3.0000000000000004) = 4
    split("n1001_ts025_rs3", 1001, 0.25, 3)
    split("n50_count_rs5", 50, 12, 5)
    split("n50_train_size_rs6", 50, 0.2, 6, train_size=0.5)
    split("n20_noshuffle", 20, 0.25, None, shuffle=False)
    split("n2_ts05_rs9", 2, 0.5, 9)

    # The straight line of seed files 002/003, computed by torch exactly as the tutorial does.
    line = None
    try:
        import torch

        weight, bias, start, end, step = 0.7, 0.3, 0, 1, 0.01
        X = torch.arange(start, end, step).unsqueeze(dim=1)
        y = weight * X + bias
        train_split = int(0.8 * len(X))
        line = {"weight": weight, "bias": bias, "start": start, "end": end, "step": step,
                "dtype": str(X.dtype), "train_split": train_split,
                "x": floats(X.numpy()), "y": floats(y.numpy())}
        # Other arange ranges, to pin the float32 arange recipe itself.
        aranges = []
        for s, e, st in [(0.0, 0.2, 0.01), (0.1, 3.7, 0.013), (-2.0, 5.0, 0.07), (0.0, 1.0, 0.001),
                         (1.0, 2.3, 0.1)]:
            aranges.append({"start": s, "end": e, "step": st,
                            "values": floats(torch.arange(s, e, st).numpy())})
        line["other_aranges"] = aranges
        line["torch_version"] = torch.__version__
    except ImportError:
        print("torch not installed: the line fixture is not written", file=sys.stderr)
    return {"splits": splits, "line": line}


# ----------------------------------------------------------------------------- blobs-large


def fnv1a64_words(words):
    """FNV-1a over 64-bit words: h = (h ^ w) * 0x100000001b3 mod 2^64, from 0xcbf29ce484222325."""
    h = 0xCBF29CE484222325
    for w in words.tolist():
        h = ((h ^ w) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def hash_f64(a):
    return fnv1a64_words(np.ascontiguousarray(a, dtype="<f8").ravel().view("<u8"))


def hash_f32(a):
    return fnv1a64_words(np.ascontiguousarray(a, dtype="<f4").ravel().view("<u4").astype("<u8"))


def hash_i64(a):
    return fnv1a64_words(np.ascontiguousarray(a, dtype="<i8").ravel().view("<u8"))


def blobs_large_fixture():
    cases = []
    for n in (2000, 100_000):
        X, y = make_blobs(n_samples=n, n_features=32, centers=10, cluster_std=2.0, random_state=42)
        # The run's split: float32 features (torch's .type(torch.float)), int64 labels.
        x_tr, x_te, y_tr, y_te = train_test_split(X.astype(np.float32), y.astype(np.int64), test_size=0.2,
                                                  random_state=42)
        case = {"samples": n, "n_features": 32, "x_f64_hash": hash_f64(X), "y_hash": hash_i64(y),
                "rows": {str(i): floats(X[i]) for i in (0, 1, n // 2, n - 1)},
                "label_counts": ints(np.bincount(y, minlength=10)),
                "n_train": len(y_tr), "n_test": len(y_te),
                "x_train_f32_hash": hash_f32(x_tr), "y_train_hash": hash_i64(y_tr),
                "x_test_f32_hash": hash_f32(x_te), "y_test_hash": hash_i64(y_te)}
        if n <= 2000:
            case["y"] = ints(y)
        cases.append(case)
    return {"cases": cases}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    meta = {"numpy": np.__version__, "sklearn": sklearn.__version__}
    files = [("blobs_large.json", blobs_large_fixture)]
    if "--only-blobs-large" not in sys.argv[1:]:
        files = [("rng.json", rng_fixtures), ("datasets.json", lambda: {"cases": dataset_fixtures(),
                                                                          "shared_state": shared_state_fixture()}),
                 ("splits.json", split_fixtures)] + files
    for name, make in files:
        body = make()
        body = {"versions": meta, **body}
        path = os.path.join(OUT_DIR, name)
        with open(path, "w") as f:
            json.dump(body, f, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
