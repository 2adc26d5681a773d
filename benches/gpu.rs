//! GPU (wgpu) benchmarks, each call timed as encode + submit + wait: square matmuls (the default kernel, and every
//! kernel variant at one size), the tutorial's skinny layer shapes and its fused `linear_relu`, and the bandwidth
//! kernels (add, sum, softmax).
//!
//! ```text
//! cargo bench --bench gpu
//! ```
//!
//! A matmul group's throughput is its 2·m·n·k floating-point operations per product, printed as FLOP/s
//! (`support/flops.rs`); the bandwidth kernels' is in bytes.
//!
//! On a machine without a GPU the default adapter is lavapipe (Vulkan on the CPU): its figures measure
//! correctness-path overheads, not GPU speed. Sizes are kept small for that case. Without any adapter the bench
//! prints a notice and measures nothing. The kernel table of a real GPU (large sizes, GPU timestamps, checks) is
//! `cargo run --release -p tensor --example gpu_kernels`.

use criterion::{BenchmarkId, Criterion, Throughput};

#[path = "support/flops.rs"]
mod flops;
use flops::Flops;
use std::hint::black_box;
use tensor::gpu::matmul::{matmul_with, MatmulConfig, MatmulKernel};
use tensor::{DType, Device, Tensor};

fn gpu() -> Option<Device> {
    match Device::gpu() {
        Ok(d) => {
            eprintln!("benchmarking {}", d.name());
            Some(d)
        }
        Err(e) => {
            eprintln!("!!! SKIPPED: no GPU adapter ({e})");
            None
        }
    }
}

fn matmul(c: &mut Criterion<Flops>) {
    let Some(dev) = gpu() else { return };
    let mut group = c.benchmark_group("gpu_matmul");
    group.sample_size(10);
    for n in [64usize, 128, 256] {
        let a = Tensor::ones(&[n, n], DType::F32, &dev);
        let b = Tensor::ones(&[n, n], DType::F32, &dev);
        group.throughput(Throughput::Elements(2 * (n * n * n) as u64));
        group.bench_with_input(BenchmarkId::new("square", n), &n, |bench, _| {
            bench.iter(|| {
                black_box(a.matmul(&b));
                dev.synchronize().expect("the device works");
            })
        });
    }
    // Every kernel (and knob of the pipelined ones) at one size.
    let n = 256;
    let a = Tensor::ones(&[n, n], DType::F32, &dev);
    let b = Tensor::ones(&[n, n], DType::F32, &dev);
    group.throughput(Throughput::Elements(2 * (n * n * n) as u64));
    for kernel in MatmulKernel::ALL.into_iter().filter(|&k| k != MatmulKernel::Naive) {
        let base = MatmulConfig::new(kernel);
        let mut configs = vec![base];
        if kernel.is_pipelined() {
            configs.extend([MatmulConfig { unchecked: true, ..base }, MatmulConfig { vec4: false, ..base }]);
        }
        for config in configs {
            group.bench_function(BenchmarkId::new("variant", format!("{n} {}", config.name())), |bench| {
                bench.iter(|| {
                    black_box(matmul_with(&a, &b, config));
                    dev.synchronize().expect("the device works");
                })
            });
        }
    }
    // The tutorial's layers: 800×2 · 2×10, 800×10 · 10×1, 10×800 · 800×10.
    for (m, k, n) in [(800usize, 2usize, 10usize), (800, 10, 1), (10, 800, 10)] {
        let a = Tensor::ones(&[m, k], DType::F32, &dev);
        let b = Tensor::ones(&[k, n], DType::F32, &dev);
        group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
        group.bench_function(BenchmarkId::new("tutorial", format!("{m}x{k}.{k}x{n}")), |bench| {
            bench.iter(|| {
                black_box(a.matmul(&b));
                dev.synchronize().expect("the device works");
            })
        });
    }
    // A hidden layer's fused x Wᵀ + b then ReLU (one kernel), against the three ops.
    let x = Tensor::ones(&[800, 10], DType::F32, &dev);
    let w = Tensor::ones(&[10, 10], DType::F32, &dev);
    let bias = Tensor::ones(&[10], DType::F32, &dev);
    group.bench_function("linear_relu 800x10->10", |bench| {
        bench.iter(|| {
            black_box(x.linear_relu(&w, Some(&bias)));
            dev.synchronize().expect("the device works");
        })
    });
    group.bench_function("matmul+add+relu 800x10->10", |bench| {
        bench.iter(|| {
            black_box(x.matmul(&w.t()).add(&bias).relu());
            dev.synchronize().expect("the device works");
        })
    });
    group.finish();
}

fn reductions(c: &mut Criterion<Flops>) {
    let Some(dev) = gpu() else { return };
    let mut group = c.benchmark_group("gpu_reduce");
    group.sample_size(10);
    for side in [64usize, 256, 1024] {
        let x = Tensor::ones(&[side, side], DType::F32, &dev);
        group.throughput(Throughput::Bytes(4 * (side * side) as u64));
        group.bench_with_input(BenchmarkId::new("sum_all", side * side), &side, |bench, _| {
            bench.iter(|| {
                black_box(x.sum());
                dev.synchronize().expect("the device works");
            })
        });
        group.throughput(Throughput::Bytes(8 * (side * side) as u64));
        group.bench_with_input(BenchmarkId::new("softmax_rows", side * side), &side, |bench, _| {
            bench.iter(|| {
                black_box(x.softmax(1usize));
                dev.synchronize().expect("the device works");
            })
        });
    }
    group.finish();
}

fn elementwise(c: &mut Criterion<Flops>) {
    let Some(dev) = gpu() else { return };
    let mut group = c.benchmark_group("gpu_add");
    group.sample_size(10);
    for n in [1usize << 12, 1 << 16, 1 << 20] {
        let a = Tensor::ones(&[n], DType::F32, &dev);
        let b = Tensor::ones(&[n], DType::F32, &dev);
        group.throughput(Throughput::Bytes(12 * n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
            bench.iter(|| {
                black_box(a.add(&b));
                dev.synchronize().expect("the device works");
            })
        });
    }
    group.finish();
}

// Matmul throughputs count 2·m·n·k operations per product, printed as FLOP/s by `Flops`.
criterion::criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(Flops);
    targets = matmul, reductions, elementwise
}
criterion::criterion_main!(benches);
