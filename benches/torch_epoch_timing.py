#!/usr/bin/env python3
"""Times the eight training loops of the tutorial in PyTorch eager (CPU) and in tapegrad, and
prints both with the ratio.

PyTorch side: the exact loops of scripts/make_replay_fixtures.py (seed 42), best of --reps
timings of each whole loop (data and model construction excluded), with torch's default
intra-op threads (set --threads to change).

tapegrad side: `experiments all --out DIR` writes one JSON per run with `train_seconds` (the
loop alone); by default this script runs `cargo run --release -p experiments -- all --quiet
--out <tmp>` --reps times and keeps each run's best; `--rust-json-dir DIR` reads existing JSONs.

Usage: python3 benches/torch_epoch_timing.py [--reps 3] [--rust-json-dir out]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
import make_replay_fixtures as replay  # noqa: E402
import torch  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")


def stem(name, lr):
    return name if lr == replay.RUNS[name][5] else f"{name}-lr{lr:g}"


def torch_times(reps):
    out = {}
    for name, lr in replay.LOOPS:
        best = min(replay.train(name, 42, lr=lr, record=True)[1] for _ in range(reps))
        out[stem(name, lr)] = (best, replay.RUNS[name][6])
    return out


def rust_times(reps, json_dir):
    best = {}
    dirs = [json_dir] if json_dir else []
    if not json_dir:
        for _ in range(reps):
            d = tempfile.mkdtemp(prefix="tapegrad-all-")
            subprocess.run(
                ["cargo", "run", "--release", "-q", "-p", "experiments", "--", "all", "--quiet", "--out", d],
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            dirs.append(d)
    for d in dirs:
        for name, lr in replay.LOOPS:
            s = stem(name, lr)
            with open(os.path.join(d, f"{s}.json")) as f:
                rec = json.load(f)
            t = rec["train_seconds"]
            best[s] = min(best.get(s, (float("inf"), 0))[0], t), rec["epochs"]
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)")
    p.add_argument("--rust-json-dir", default=None)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    pt = torch_times(args.reps)
    rs = rust_times(args.reps, args.rust_json_dir)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'loop':<14}{'epochs':>7}{'torch s':>10}{'torch us/ep':>13}{'ours s':>10}{'ours us/ep':>12}{'speed-up':>10}")
    tot_pt = tot_rs = 0.0
    for s, (t_pt, epochs) in pt.items():
        t_rs = rs[s][0]
        tot_pt += t_pt
        tot_rs += t_rs
        print(f"{s:<14}{epochs:>7}{t_pt:>10.4f}{t_pt / epochs * 1e6:>13.1f}{t_rs:>10.4f}{t_rs / epochs * 1e6:>12.1f}{t_pt / t_rs:>9.1f}x")
    print(f"{'all eight':<14}{'':>7}{tot_pt:>10.4f}{'':>13}{tot_rs:>10.4f}{'':>12}{tot_pt / tot_rs:>9.1f}x")


if __name__ == "__main__":
    main()
