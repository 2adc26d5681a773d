//! `experiments bench`: quick timers for the CLI (the criterion benchmarks live in `benches/`).
//!
//! - `matmul`: on the CPU, `tensor::cpu::kernels::gemm::bench_matmul_gflops` (the GEMM alone, best
//!   of `reps`, 2·n³ flops per product); on a GPU, `Tensor::matmul` + `synchronize`. With
//!   `--explain M K N`, nothing is timed: [`explain_matmul`] prints the CPU plan of that product.
//! - `softmax`, `reduce` (sum of all elements): best of `reps` through the `Tensor` API, reported
//!   in GB/s of input read (n²·4 bytes).
//! - `epoch <RUN>`: whole training runs (the loop alone, as `train_seconds`), best of `reps`,
//!   divided by the number of epochs: microseconds per epoch.

use crate::error::CliError;
use serde::Serialize;
use std::time::Instant;
use tensor::{DType, Device, Tensor};

/// One kernel timing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KernelTiming {
    /// `matmul`, `softmax` or `reduce`.
    pub op: String,
    /// Matrix side.
    pub size: usize,
    /// Device name.
    pub device: String,
    /// GFLOP/s (matmul only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gflops: Option<f64>,
    /// GB/s of input (softmax, reduce).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gbps: Option<f64>,
    /// Best time of one call, seconds.
    pub seconds: f64,
}

/// The best wall time of `reps` calls of `f` (after one warm-up call).
pub fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

/// The `size x size` input, or an error when the device cannot hold it.
fn input(size: usize, device: &Device) -> Result<Tensor, CliError> {
    let values: Vec<f32> = (0..size * size).map(|i| ((i * 7 + 3) % 13) as f32 * 0.125 - 0.75).collect();
    Tensor::try_from_vec(values, &[size, size], device).map_err(|e| too_large(size, device, &e))
}

/// Checks the side against `--size`'s bound, then that the device can hold a `size x size` float32
/// matrix (a GPU's buffer limits are far below the CPU's), before anything is allocated.
fn check_size(size: usize, device: &Device) -> Result<(), CliError> {
    if size == 0 || size > crate::limits::MAX_SIZE {
        return Err(CliError::new(format!(
            "--size {size}: pass a matrix side between 1 and {}",
            crate::limits::MAX_SIZE
        )));
    }
    device.check_alloc(&[size, size], DType::F32).map_err(|e| too_large(size, device, &e))
}

fn too_large(size: usize, device: &Device, e: &tensor::Error) -> CliError {
    CliError::new(format!("--size {size}: {} cannot hold a {size}x{size} float32 matrix: {e}", device.name()))
}

/// `bench matmul`.
pub fn matmul(size: usize, reps: usize, device: &Device) -> Result<KernelTiming, CliError> {
    check_size(size, device)?;
    let (gflops, seconds) = if device.is_cpu() {
        tensor::cpu::kernels::gemm::bench_matmul_gflops(size, reps)
    } else {
        let a = input(size, device)?;
        let b = input(size, device)?;
        let s = best_of(reps, || {
            let out = a.matmul(&b);
            std::hint::black_box(&out);
            let _ = device.synchronize();
        });
        (2.0 * (size as f64).powi(3) / s / 1e9, s)
    };
    Ok(KernelTiming { op: "matmul".into(), size, device: device.name(), gflops: Some(gflops), gbps: None, seconds })
}

/// `bench matmul --explain M K N`: the path the CPU matmul takes for `[m, k] · [k, n]` (float32, row-major
/// operands, this CPU's instruction set and thread pool), and why — `tensor::cpu::kernels::gemm::plan`.
pub fn explain_matmul(m: usize, k: usize, n: usize) -> String {
    tensor::cpu::kernels::gemm::plan(m, k, n, &tensor::cpu::kernels::gemm::Options::f32()).to_string()
}

/// `bench softmax` and `bench reduce`.
pub fn memory_bound(op: &str, size: usize, reps: usize, device: &Device) -> Result<KernelTiming, CliError> {
    check_size(size, device)?;
    let x = input(size, device)?;
    let seconds = best_of(reps, || {
        let out = if op == "softmax" { x.softmax(1) } else { x.sum() };
        std::hint::black_box(&out);
        let _ = device.synchronize();
    });
    let bytes = (size * size * DType::F32.size_in_bytes()) as f64;
    Ok(KernelTiming {
        op: op.into(),
        size,
        device: device.name(),
        gflops: None,
        gbps: Some(bytes / seconds / 1e9),
        seconds,
    })
}
