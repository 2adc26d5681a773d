#!/usr/bin/env python3
"""PyTorch's CPU matmul beside tapegrad's GEMM and the Rust GEMM crates (gemm, faer, matrixmultiply).

The shapes are those of `benches/matmul.rs`: square n x n x n for n in 64..2048 (GFLOP/s) and the
tutorial's MLP products (microseconds per call), each with the same operand layout (a transposed
operand is a transposed view of a row-major matrix, as in the Rust bench). PyTorch runs
`torch.mm(a, b, out=c)` into a preallocated result, on `--threads` threads
(`torch.set_num_threads`), timed as the Rust table is: the best average of rounds of calls that
last about 2 ms, at least 5 rounds and about 100 ms per pass, the best of 4 passes.

The Rust columns come from `MATMUL_TABLE=1 cargo bench --bench matmul --features baselines` (the
table of `scripts/bench_matmul_baselines.sh`): pass its output with `--rust-table FILE`, or let
`benches/torch_matmul_cpu.sh` run both with the same thread count. A benchmark, never a test.

Usage: python3 benches/torch_matmul_cpu.py [--threads 2] [--rust-table FILE] [--sizes 64,128,...]
"""

import argparse
import re
import sys
import time

import torch

# (name, m, k, n, lhs transposed) — keep in sync with MLP in benches/matmul.rs.
MLP = [
    ("800x2.2x10", 800, 2, 10, False),
    ("800x10.10x10", 800, 10, 10, False),
    ("800x10.10x1", 800, 10, 1, False),
    ("200x10.10x10", 200, 10, 10, False),
    ("(800x10)T.800x10", 10, 800, 10, True),
    ("(800x2)T.800x10", 2, 800, 10, True),
    ("(800x10)T.800x1", 10, 800, 1, True),
    ("800x1.1x10", 800, 1, 10, False),
    ("800x10.10x2", 800, 10, 2, False),
]


def operands(m, k, n, lhs_t):
    g = torch.Generator().manual_seed(0)
    a = torch.rand(k, m, generator=g).t() if lhs_t else torch.rand(m, k, generator=g)
    b = torch.rand(k, n, generator=g)
    return a, b, torch.empty(m, n)


def best_of(a, b, out, budget=0.1):
    """Best average seconds per call, as `best_of` in benches/matmul.rs."""
    torch.mm(a, b, out=out)
    t = time.perf_counter()
    torch.mm(a, b, out=out)
    once = max(time.perf_counter() - t, 1e-7)
    inner = min(max(int(2e-3 / once), 1), 10_000)
    best, rounds, start = float("inf"), 0, time.perf_counter()
    while rounds < 5 or (time.perf_counter() - start < budget and rounds < 1000):
        t = time.perf_counter()
        for _ in range(inner):
            torch.mm(a, b, out=out)
        best = min(best, (time.perf_counter() - t) / inner)
        rounds += 1
    return best


def torch_time(m, k, n, lhs_t, passes=4):
    a, b, out = operands(m, k, n, lhs_t)
    return min(best_of(a, b, out) for _ in range(passes))


def parse_rust_table(path):
    """{shape: {column: value}} from the MATMUL_TABLE output (both halves; values as printed)."""
    rows, columns = {}, None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("shape"):
                columns = line.split()[1:]
                continue
            parts = line.split()
            if columns is None or len(parts) < 2 or not re.match(r"[-+.0-9]", parts[1]):
                continue
            values = parts[1 : 1 + len(columns)]
            rows[parts[0]] = dict(zip(columns, values))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2, as the Rust table)")
    ap.add_argument("--rust-table", help="output of MATMUL_TABLE=1 cargo bench --bench matmul --features baselines")
    ap.add_argument("--sizes", default="64,128,256,512,1024,2048", help="square sides")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    rust = parse_rust_table(args.rust_table) if args.rust_table else {}
    cols = ["ours", "gemm", "faer", "matrixmultiply"]
    print(f"PyTorch {torch.__version__} CPU, torch.get_num_threads() = {torch.get_num_threads()}; "
          f"Rust columns: {'from ' + args.rust_table if rust else 'not given (--rust-table)'}")

    def table(title, cases, as_gflops):
        print(f"\n{title}")
        header = f"{'shape':<20}" + "".join(f"{c:>16}" for c in cols) + f"{'torch':>12}{'ours/torch':>12}"
        print(header)
        for label, m, k, n, lhs_t in cases:
            t = torch_time(m, k, n, lhs_t)
            torch_value = 2 * m * n * k / t / 1e9 if as_gflops else t * 1e6
            row = rust.get(label, {})
            cells = "".join(f"{row.get(c, '-'):>16}" for c in cols)
            ratio = "-"
            if "ours" in row:
                ours = float(row["ours"])
                # > 1: ours is faster (GFLOP/s: higher is faster; µs: lower is faster).
                ratio = f"{(ours / torch_value if as_gflops else torch_value / ours):.2f}"
            fmt = f"{torch_value:>12.1f}" if as_gflops else f"{torch_value:>12.3f}"
            print(f"{label:<20}{cells}{fmt}{ratio:>12}")
            sys.stdout.flush()

    squares = [(f"{s}x{s}x{s}", s, s, s, False) for s in map(int, args.sizes.split(","))]
    table(f"square (GFLOP/s, {args.threads} threads)", squares, True)
    table(f"MLP shapes (µs per call, {args.threads} threads)", MLP, False)


if __name__ == "__main__":
    main()
