#!/usr/bin/env python3
"""Times the eight training loops of the tutorial and blobs-large in PyTorch eager on CUDA, and
writes the figures as JSON.

The loops are those of scripts/make_replay_fixtures.py (seed 42): `train` for the eight tutorial
loops, `train_blobs_large` for blobs-large, with data and model moved to the device. The timing
convention is benches/torch_epoch_timing.py's: each whole loop (data and model construction
excluded, the per-epoch `.item()` reads of the tutorial's code included) is timed by the wall
clock, best of --reps, and divided by its epochs; on CUDA the device is synchronized before the
clock starts and after the loop. One untimed warm-up loop of each runs first (CUDA context, cuBLAS
handles, allocator).

Without CUDA the script writes {"available": false, "reason": ...} and exits 0 (the GPU report
records the step as unavailable); `--device cpu` runs the same loops on the CPU instead (to check
the script itself).

Usage: python3 benches/torch_gpu_epoch_timing.py [--reps 3] [--json PATH] [--device cuda|cpu]
       [--quick] [--blobs-large-samples N]
`--quick`: one rep, the tutorial loops at 20 epochs and blobs-large at 2,000 samples.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))


def stem(replay, name, lr):
    return name if lr == replay.RUNS[name][5] else f"{name}-lr{lr:g}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--json", default=None, help="where to write the figures (default: stdout only)")
    p.add_argument("--device", default="cuda")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--blobs-large-samples", type=int, default=None)
    args = p.parse_args()

    out = {"tool": "torch_gpu_epoch_timing", "device": args.device, "available": False}

    def finish():
        text = json.dumps(out, indent=1)
        print(text)
        if args.json:
            with open(args.json, "w") as f:
                f.write(text + "\n")

    try:
        import torch

        import make_replay_fixtures as replay
    except ImportError as e:
        out["reason"] = f"cannot import torch / scikit-learn: {e}"
        return finish()
    out["torch"] = torch.__version__
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        out["reason"] = "torch.cuda.is_available() is False"
        return finish()
    if args.device.startswith("cuda"):
        out["gpu"] = torch.cuda.get_device_name(0)
    # float32 as float32 (PyTorch's default; said here so that a changed default cannot slip in TF32).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    out["available"] = True
    reps = 1 if args.quick else args.reps
    epochs_override = 20 if args.quick else None
    bl_samples = args.blobs_large_samples or (2000 if args.quick else replay.BLOBS_LARGE["samples"])
    out.update({"reps": reps, "loops": {}})

    for name, lr in replay.LOOPS:
        replay.train(name, 42, lr=lr, epochs=epochs_override, device=args.device)  # warm-up
        times = [replay.train(name, 42, lr=lr, epochs=epochs_override, device=args.device)[1] for _ in range(reps)]
        epochs = epochs_override or replay.RUNS[name][6]
        best = min(times)
        out["loops"][stem(replay, name, lr)] = {"epochs": epochs, "seconds": best, "us_per_epoch": best / epochs * 1e6}
        print(f"{stem(replay, name, lr):<14} {best / epochs * 1e6:10.1f} us/epoch", file=sys.stderr)

    replay.train_blobs_large(42, samples=bl_samples, epochs=1, device=args.device)  # warm-up
    runs = [replay.train_blobs_large(42, samples=bl_samples, device=args.device) for _ in range(reps)]
    best = min(s for _, s in runs)
    hist = runs[0][0]
    out["loops"]["blobs-large"] = {
        "epochs": hist["epochs"],
        "samples": bl_samples,
        "n_train": hist["n_train"],
        "seconds": best,
        "us_per_epoch": best / hist["epochs"] * 1e6,
        "samples_per_second": hist["n_train"] * hist["epochs"] / best,
        "final_test_acc": hist["test_acc"][-1],
    }
    print(f"{'blobs-large':<14} {best / hist['epochs'] * 1e6:10.1f} us/epoch", file=sys.stderr)
    out["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return finish()


if __name__ == "__main__":
    main()
