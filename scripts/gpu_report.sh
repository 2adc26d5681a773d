#!/usr/bin/env bash
# The one-shot GPU device check, run on the GPU machine from the repository root:
#
#   1. the GPU kernel table: the carried `gpu_kernels` example (copy bandwidth, every matmul variant at
#      n = 1024/2048/4096, sum/max/softmax/add at 4096² and 8192²);
#   2. PyTorch's CUDA kernels beside it (benches/torch_gpu_kernels.py);
#   3. `experiments bench epoch` for the eight tutorial loops and blobs-large on the GPU, then
#   4. PyTorch CUDA eager on the same loops (benches/torch_gpu_epoch_timing.py), then
#   5. the same `bench epoch` runs on the CPU;
#   6. everything merged by scripts/gpu_report_merge.py into $OUT/gpu_report.md and $OUT/gpu_report.json
#      (with $OUT/gpu_report.log, every step's output).
#
# Every step has a timeout, and all of them together stay inside GPU_REPORT_BUDGET seconds (default 330,
# so that the machine's start and the transfers keep the whole call under 6 minutes); a step that fails,
# times out or finds no time left is recorded as such and the next one runs. The merge always runs.
#
# Binaries: built here by scripts/gpu_report_prepare.sh into .devbin/ (GPU_REPORT_BIN to change); the Vulkan
# loader: where `ldconfig` finds no libvulkan and the carried .gl/ holds the loader packages (the device
# README's recipe), they are unpacked first, and the NVIDIA ICD is named when its file exists.
#
#   bash scripts/gpu_report.sh                                  # on the GPU machine ($OUT set by the tool)
#   GPU_REPORT_QUICK=1 OUT=/tmp/report bash scripts/gpu_report.sh   # a dry run anywhere (lavapipe), tiny sizes:
#       the kernels at 64 and 128, the tutorial loops for 20 epochs, blobs-large at 200 samples for one epoch
set -uo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:?set OUT to the folder for gpu_report.md / gpu_report.json}
QUICK=${GPU_REPORT_QUICK:-0}
BUDGET=${GPU_REPORT_BUDGET:-330}
BIN=${GPU_REPORT_BIN:-.devbin}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu_report.XXXXXX")
LOG="$OUT/gpu_report.log"
: >"$LOG"
printf 'step\tstatus\tseconds\tcommand\n' >"$WORK/steps.tsv"
START=$SECONDS

log() { printf '%s\n' "$*" | tee -a "$LOG" >&2; }

# The Vulkan loader and the NVIDIA driver's ICD (see /work/.library/device/H200.md).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
    if [ "$(id -u)" -eq 0 ] && ls .gl/*.deb >/dev/null 2>&1 && command -v nvidia-smi >/dev/null 2>&1; then
        log "unpacking the carried Vulkan loader packages from .gl/"
        for f in .gl/*.deb; do dpkg -x "$f" /; done
        ldconfig
    else
        log "no libvulkan found and no carried .gl/ loader to unpack: the GPU steps will fail"
    fi
fi
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi

# step NAME MAX_SECONDS COMMAND...: runs COMMAND with the smaller of MAX_SECONDS and the time left, its output
# in $WORK/NAME.out (and the log), its outcome in steps.tsv: ok, failed (status N), timeout, skipped.
step() {
    local name=$1 max=$2
    shift 2
    local left=$((BUDGET - (SECONDS - START)))
    local limit=$((max < left ? max : left))
    if [ "$limit" -lt 3 ]; then
        printf '%s\tskipped (no time left in the %s s budget)\t0\t%s\n' "$name" "$BUDGET" "$*" >>"$WORK/steps.tsv"
        log "== $name: skipped, no time left"
        return
    fi
    log "== $name (at most ${limit} s): $*"
    local t0=$SECONDS rc
    timeout --kill-after=5 "$limit" "$@" >"$WORK/$name.out" 2>&1
    rc=$?
    cat "$WORK/$name.out" >>"$LOG"
    local status=ok
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        status="timeout after ${limit} s"
    elif [ $rc -ne 0 ]; then
        status="failed (status $rc)"
    fi
    printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$((SECONDS - t0))" "$*" >>"$WORK/steps.tsv"
    log "   $status in $((SECONDS - t0)) s"
}

if [ "$QUICK" = 1 ]; then
    kernels_flags=(--quick)
    torch_kernel_flags=(--quick --budget 0.05)
    torch_epoch_flags=(--quick)
    gpu_reps=1 cpu_reps=1 bl_reps=1
    loop_flags=(--epochs 20)
    bl_flags=(--samples 200 --epochs 1)
else
    kernels_flags=()
    torch_kernel_flags=()
    torch_epoch_flags=()
    gpu_reps=3 cpu_reps=3 bl_reps=2
    loop_flags=()
    bl_flags=()
fi

# The machine.
step machine 20 bash -c 'nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 || echo "no nvidia-smi"; nproc; uname -r'

# 1-2: the kernel table, ours then PyTorch's.
step kernels 120 "$BIN/gpu_kernels" "${kernels_flags[@]}" --json "$WORK/kernels.json" --md "$WORK/kernels.md"
step torch_kernels 45 "$PYTHON" benches/torch_gpu_kernels.py "${torch_kernel_flags[@]}" --json "$WORK/torch_kernels.json"

# 3-5: µs per epoch. The eight tutorial loops (the seven runs and `line` at lr 0.01), then blobs-large.
loops=(circles-v0 circles-v1 line circles-v2 blobs moons spirals line-lr0.01)
bench_epoch() { # DEVICE STEM MAX REPS [FLAGS...]
    local device=$1 stem=$2 max=$3 reps=$4
    shift 4
    local run=$stem extra=()
    if [ "$stem" = line-lr0.01 ]; then run=line extra=(--lr 0.01); fi
    step "epoch_${device}_${stem}" "$max" "$BIN/experiments" bench epoch "$run" "${extra[@]}" "$@" --device "$device" \
        --reps "$reps" --json "$WORK/epoch_${device}_${stem}.json"
}
for s in "${loops[@]}"; do bench_epoch gpu "$s" 25 "$gpu_reps" "${loop_flags[@]}"; done
bench_epoch gpu blobs-large 60 "$bl_reps" "${bl_flags[@]}"
step torch_epoch 90 "$PYTHON" benches/torch_gpu_epoch_timing.py "${torch_epoch_flags[@]}" --json "$WORK/torch_epoch.json"
for s in "${loops[@]}"; do bench_epoch cpu "$s" 10 "$cpu_reps" "${loop_flags[@]}"; done
bench_epoch cpu blobs-large 60 1 "${bl_flags[@]}"

# 6: the merge (always, outside the budget: it reads files and takes well under a second).
log "== merge"
"$PYTHON" scripts/gpu_report_merge.py --work "$WORK" --out "$OUT" --quick "$QUICK" --seconds "$((SECONDS - START))" \
    --budget "$BUDGET" \
    2>&1 | tee -a "$LOG"
log "total $((SECONDS - START)) s; wrote $OUT/gpu_report.md and $OUT/gpu_report.json"
