//! GPU (wgpu) benchmarks: a square matmul and an element-wise add, each timed as encode + submit + wait, and the
//! tutorial's skinny layer shapes.
//!
//! ```text
//! cargo bench --bench gpu
//! ```
//!
//! On a machine without a GPU the default adapter is lavapipe (Vulkan on the CPU): its figures measure
//! correctness-path overheads, not GPU speed. Sizes are kept small for that case. Without any adapter the bench
//! prints a notice and measures nothing.

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
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

fn matmul(c: &mut Criterion) {
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
    group.finish();
}

fn elementwise(c: &mut Criterion) {
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

criterion::criterion_group!(benches, matmul, elementwise);
criterion::criterion_main!(benches);
