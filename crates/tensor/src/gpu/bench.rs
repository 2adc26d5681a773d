//! Throughput helpers for `experiments bench`, `benches/gpu.rs` and `examples/gpu_kernels.rs`.
//!
//! `bench_*` time whole batches of kernels (encode, submit, wait), so their figures include the dispatch overhead
//! a training loop pays. [`time_calls`] times back-to-back calls two ways: by the wall clock around blocks of
//! calls between two synchronizations (the host's submit and readback amortised, but its encoding included when
//! it is slower than the GPU), and — where the device has timestamp queries — by GPU timestamps written before
//! and after calls recorded into one submission (the GPU's time alone).

use std::time::{Duration, Instant};

use super::context::MAX_BATCH;
use super::WgpuBackend;
use crate::backend::Backend;
use crate::device::{Device, Storage};
use crate::dtype::{DType, HostBuffer};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::BinaryOp;
use crate::tensor::Tensor;

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

/// The median time per call of a batch of back-to-back calls (see [`time_calls`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Seconds per call by the wall clock: the median over blocks of calls between two synchronizations.
    pub wall: f64,
    /// Seconds per call by GPU timestamps: the median over samples of calls recorded into one submission;
    /// `None` when the device has no timestamp queries.
    pub gpu: Option<f64>,
    /// Calls timed (wall-clock blocks and timestamp samples together).
    pub calls: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times `call`, which encodes `dispatches` dispatches (a copy counts as one) on `be`, within about `budget`: a
/// warm-up call (compiling its pipelines), then half the budget in wall-clock blocks and half in timestamp
/// samples. Each block or sample holds enough calls to last about a sixteenth of the budget; a timestamp sample
/// at most as many as one submission holds.
///
/// # Errors
/// A device error (lost device, validation) raised by the calls.
pub fn time_calls(be: &WgpuBackend, budget: Duration, dispatches: usize, call: &mut dyn FnMut()) -> Result<Timing> {
    call();
    be.synchronize()?;
    let start = Instant::now();
    call();
    call();
    be.synchronize()?;
    let estimate = (start.elapsed().as_secs_f64() / 2.0).max(1e-7);
    let slice = budget.as_secs_f64() / 16.0;
    let reps = ((slice / estimate) as usize).clamp(1, 100_000);
    let half = budget / 2;
    let mut calls = 3;
    // Wall clock: blocks of `reps` calls, each between two synchronizations.
    let mut walls = Vec::new();
    let started = Instant::now();
    while walls.len() < 3 || (started.elapsed() < half && walls.len() < 64) {
        let t = Instant::now();
        for _ in 0..reps {
            call();
        }
        be.synchronize()?;
        walls.push(t.elapsed().as_secs_f64() / reps as f64);
        calls += reps;
    }
    // GPU timestamps around calls recorded into one submission (begin, calls, end, resolve: within MAX_BATCH).
    let ctx = be.ctx();
    let gpu = if ctx.has_timestamps() {
        let per_sample = reps.clamp(1, ((MAX_BATCH - 6) / dispatches.max(1)).max(1));
        let set = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("tapegrad timing"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        let resolved = ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("tapegrad timestamps"),
            size: 16,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let period_ns = ctx.queue.get_timestamp_period() as f64;
        let mut samples = Vec::new();
        let started = Instant::now();
        while samples.len() < 3 || (started.elapsed() < half && samples.len() < 64) {
            be.synchronize()?; // an empty batch: the sample's commands go out in one submission
            ctx.write_timestamp(&set, 0);
            for _ in 0..per_sample {
                call();
            }
            ctx.write_timestamp(&set, 1);
            ctx.resolve_timestamps(&set, 0..2, &resolved);
            let (bytes, _) = ctx.read(&resolved, 0, 16)?;
            let t: &[u64] = bytemuck::cast_slice(&bytes);
            samples.push(t[1].wrapping_sub(t[0]) as f64 * period_ns * 1e-9 / per_sample as f64);
            calls += per_sample;
        }
        Some(median(samples))
    } else {
        None
    };
    Ok(Timing { wall: median(walls), gpu, calls })
}

/// True when `be` records GPU timestamps ([`Timing::gpu`]).
pub fn has_timestamps(be: &WgpuBackend) -> bool {
    be.ctx().has_timestamps()
}

/// The wgpu backend of a GPU tensor.
///
/// # Errors
/// [`Error::Unsupported`] for a CPU tensor.
pub fn backend_of(t: &Tensor) -> Result<&WgpuBackend> {
    match &t.device {
        Device::Wgpu(be) => Ok(be),
        Device::Cpu => Err(Error::Unsupported(format!("{:?} is on the CPU, not a GPU", t.shape()))),
    }
}

/// A copy of a GPU tensor made by `copy_buffer_to_buffer` when its view is contiguous (the device's own copy, the
/// baseline of the bandwidth figures), else by the strided copy kernel.
///
/// # Errors
/// [`Error::Unsupported`] for a CPU tensor.
pub fn buffer_copy(t: &Tensor) -> Result<Tensor> {
    let be = backend_of(t)?;
    let Storage::Wgpu(s) = &*t.storage else { unreachable!("a GPU tensor has GPU storage") };
    let copy = be.copy_strided(s, &t.layout);
    Ok(Tensor::from_storage(Storage::Wgpu(copy), t.shape(), t.device.clone()))
}
