#!/usr/bin/env bash
# Prepares the one device check (scripts/gpu_report.sh) here, on the development machine: builds the release
# binaries it runs (the `experiments` CLI and the tensor crate's `gpu_kernels` example), strips them into .devbin/,
# fetches the Vulkan loader packages into .gl/ where they are missing (the device README's recipe; set
# GPU_REPORT_NO_GL=1 to skip), and prints the `carry` list and the command to give the device tool.
#
#   bash scripts/gpu_report_prepare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p experiments --bin experiments
cargo build --release -p tensor --example gpu_kernels
mkdir -p .devbin
cp target/release/experiments target/release/examples/gpu_kernels .devbin/
strip .devbin/experiments .devbin/gpu_kernels

if [ "${GPU_REPORT_NO_GL:-0}" != 1 ] && ! ls .gl/*.deb >/dev/null 2>&1; then
    mkdir -p .gl /tmp/amd64/partial
    o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
    # shellcheck disable=SC2086
    apt-get $o update >/dev/null
    # shellcheck disable=SC2086
    (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
fi

du -sh .devbin .gl 2>/dev/null || true
echo 'carry: [".devbin", ".gl"]'
echo 'command: bash scripts/gpu_report.sh   (timeout_s 420; it keeps its steps within 330 s)'
