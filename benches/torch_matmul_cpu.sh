#!/usr/bin/env bash
# PyTorch's CPU matmul beside ours and the Rust GEMM crates, every library on the same number of threads.
#
#   bash benches/torch_matmul_cpu.sh            # 2 threads (as scripts/bench_matmul_baselines.sh)
#   THREADS=1 bash benches/torch_matmul_cpu.sh
#
# Needs `pip install torch`. Runs the Rust table (MATMUL_TABLE=1 cargo bench --bench matmul --features
# baselines), then benches/torch_matmul_cpu.py with it. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-2}
export TAPEGRAD_NUM_THREADS=$THREADS RAYON_NUM_THREADS=$THREADS MATMUL_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
table=$(mktemp)
trap 'rm -f "$table"' EXIT
MATMUL_TABLE=1 cargo bench --bench matmul --features baselines | tee "$table"
echo
python3 benches/torch_matmul_cpu.py --threads "$THREADS" --rust-table "$table"
