//! Throughput helpers for `experiments bench` and `benches/gpu.rs`: they time whole batches of kernels (encode,
//! submit, wait), so the figures include the dispatch overhead a training loop pays.

use std::time::Instant;

use super::WgpuBackend;
use crate::backend::Backend;
use crate::dtype::{DType, HostBuffer};
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::BinaryOp;

/// GFLOP/s of an `n × n · n × n` f32 matmul on the shared GPU, averaged over `reps` runs (after one warm-up run
/// that also compiles the pipeline). One matmul is `2 n^3` flops.
pub fn bench_matmul_gflops(n: usize, reps: usize) -> Result<f64> {
    let be = WgpuBackend::shared()?;
    let data: Vec<f32> = (0..n * n).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
    let a = be.from_host(HostBuffer::F32(data.clone()));
    let b = be.from_host(HostBuffer::F32(data));
    let l = Layout::contiguous(&[1, n, n]);
    drop(be.matmul(&a, &l, &b, &l));
    be.synchronize()?;
    let start = Instant::now();
    for _ in 0..reps {
        drop(be.matmul(&a, &l, &b, &l));
    }
    be.synchronize()?;
    let secs = start.elapsed().as_secs_f64();
    Ok(2.0 * (n as f64).powi(3) * reps as f64 / secs / 1e9)
}

/// GB/s of an element-wise add of two contiguous f32 vectors of `n` elements (12 bytes moved per element),
/// averaged over `reps` runs after a warm-up.
pub fn bench_elementwise_gbps(n: usize, reps: usize) -> Result<f64> {
    let be = WgpuBackend::shared()?;
    let a = be.full(n, 1.5, DType::F32);
    let b = be.full(n, 2.5, DType::F32);
    let l = Layout::contiguous(&[n]);
    drop(be.binary(BinaryOp::Add, &a, &l, &b, &l));
    be.synchronize()?;
    let start = Instant::now();
    for _ in 0..reps {
        drop(be.binary(BinaryOp::Add, &a, &l, &b, &l));
    }
    be.synchronize()?;
    let secs = start.elapsed().as_secs_f64();
    Ok(12.0 * n as f64 * reps as f64 / secs / 1e9)
}
