#!/usr/bin/env bash
# Side-by-side matmul benchmark: ours vs gemm (x86-v4), faer and matrixmultiply (threading), 2 threads each.
#
#   scripts/bench_matmul_baselines.sh          # best-of-N table (square GFLOP/s, MLP shapes µs per call)
#   scripts/bench_matmul_baselines.sh criterion # the full criterion run (HTML report in target/criterion)
#
# Run it on an otherwise idle machine: with 2 cores, any other busy process halves the 2-thread figures.
set -euo pipefail
cd "$(dirname "$0")/.."
export TAPEGRAD_NUM_THREADS=2 RAYON_NUM_THREADS=2 MATMUL_NUM_THREADS=2
if [[ "${1:-table}" == criterion ]]; then
    cargo bench --bench matmul --features baselines
else
    MATMUL_TABLE=1 cargo bench --bench matmul --features baselines
fi
