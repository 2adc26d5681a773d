#!/usr/bin/env python3
"""PyTorch's CUDA kernels beside tapegrad's `gpu_kernels` example: matmul f32 with TF32 off at
n = 1024, 2048, 4096 (TFLOP/s, 2 n^3 flops), sum, max, softmax (rows) and add over 4096^2 and
8192^2 f32 (GB/s), and the copy bandwidth (`dst.copy_(src)`), written as JSON.

Sizes are named as `gpu_kernels` names them (`4096²`, `1024³`), so the two tables merge by (op, size).
Bytes are counted as `gpu_kernels` counts them, read + written once each: copy 2 x 4 per element,
add 3 x 4, softmax 2 x 4, sum and max 4. Each op is timed as back-to-back calls between two CUDA
events, in blocks of calls, for about --budget seconds; the figure is the median block's time per
call (the best block's is kept too).

Without CUDA the script writes {"available": false, "reason": ...} and exits 0; `--device cpu`
times the same ops on the CPU (to check the script itself, with `--quick`: sizes 64 and 128).

Usage: python3 benches/torch_gpu_kernels.py [--json PATH] [--budget 0.3] [--device cuda|cpu] [--quick]
"""

import argparse
import json
import statistics
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", default=None)
    p.add_argument("--budget", type=float, default=0.3, help="seconds of timed calls per op")
    p.add_argument("--device", default="cuda")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    out = {"tool": "torch_gpu_kernels", "device": args.device, "available": False, "rows": []}

    def finish():
        text = json.dumps(out, indent=1)
        print(text)
        if args.json:
            with open(args.json, "w") as f:
                f.write(text + "\n")

    try:
        import torch
    except ImportError as e:
        out["reason"] = f"cannot import torch: {e}"
        return finish()
    out["torch"] = torch.__version__
    cuda = args.device.startswith("cuda")
    if cuda and not torch.cuda.is_available():
        out["reason"] = "torch.cuda.is_available() is False"
        return finish()
    # FP32 as FP32: no TF32 in matmul (tapegrad's kernels compute in f32 fma).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    if cuda:
        out["gpu"] = torch.cuda.get_device_name(0)
    out["available"] = True
    dev = torch.device(args.device)

    def sync():
        if cuda:
            torch.cuda.synchronize()

    def time_calls(call):
        """(median, best) seconds per call over blocks of back-to-back calls."""
        call()
        sync()
        t = time.perf_counter()
        call()
        sync()
        one = max(time.perf_counter() - t, 1e-7)
        per_block = max(1, min(1000, int(args.budget / 10 / one)))
        blocks = []
        deadline = time.perf_counter() + args.budget
        while len(blocks) < 3 or (time.perf_counter() < deadline and len(blocks) < 200):
            if cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                for _ in range(per_block):
                    call()
                end.record()
                end.synchronize()
                blocks.append(start.elapsed_time(end) / 1e3 / per_block)
            else:
                t = time.perf_counter()
                for _ in range(per_block):
                    call()
                blocks.append((time.perf_counter() - t) / per_block)
        return statistics.median(blocks), min(blocks)

    def row(op, size, work, unit, call):
        try:
            median, best = time_calls(call)
            scale = 1e12 if unit == "TFLOP/s" else 1e9
            r = {"op": op, "size": size, "unit": unit, "us": median * 1e6, "best_us": best * 1e6,
                 "rate": work / median / scale, "best_rate": work / best / scale, "check": "ok"}
        except Exception as e:  # a failing op is recorded, the run goes on
            r = {"op": op, "size": size, "unit": unit, "check": f"FAILED: {e}"}
        out["rows"].append(r)
        print(f"{op:<8} {size:<10} {r.get('rate', float('nan')):10.2f} {unit}", file=sys.stderr)

    g = torch.Generator(device="cpu").manual_seed(0)

    def rand(*shape):
        return (torch.rand(*shape, generator=g) * 2 - 1).to(dev)

    mm_sizes = [64, 128] if args.quick else [1024, 2048, 4096]
    bw_sizes = [64, 128] if args.quick else [4096, 8192]
    for n in bw_sizes:
        x = rand(n, n)
        dst = torch.empty_like(x)
        row("copy", f"{n}²", 8.0 * n * n, "GB/s", lambda: dst.copy_(x))
        del dst
    for n in mm_sizes:
        a, b = rand(n, n), rand(n, n)
        c = torch.empty(n, n, device=dev)
        row("matmul", f"{n}³", 2.0 * n**3, "TFLOP/s", lambda: torch.matmul(a, b, out=c))
        del a, b, c
    for n in bw_sizes:
        x, y = rand(n, n), rand(n, n)
        out_buf = torch.empty_like(x)
        scalar = torch.empty((), device=dev)
        row("sum", f"{n}²", 4.0 * n * n, "GB/s", lambda: torch.sum(x, out=scalar))
        row("max", f"{n}²", 4.0 * n * n, "GB/s", lambda: torch.amax(x, dim=(0, 1), out=scalar))
        row("softmax", f"{n}²", 8.0 * n * n, "GB/s", lambda: torch.softmax(x, dim=1))
        row("add", f"{n}²", 12.0 * n * n, "GB/s", lambda: torch.add(x, y, out=out_buf))
        del x, y, out_buf
    copies = [r["rate"] for r in out["rows"] if r["op"] == "copy" and "rate" in r]
    out["copy_gbps"] = max(copies) if copies else None
    out["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return finish()


if __name__ == "__main__":
    main()
