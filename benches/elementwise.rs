//! Element-wise, reduction and softmax benchmarks of the CPU backend, in GB/s (criterion "bytes" = bytes read
//! plus bytes written), each run twice in the same process: on the best SIMD path of this CPU (`simd`) and with
//! the portable fallback forced (`scalar`, [`tensor::cpu::kernels::simd::force`]), so the report is a ratio.
//!
//! ```text
//! cargo bench --bench elementwise                     # everything (about 3 minutes on 2 cores)
//! cargo bench --bench elementwise -- unary/exp        # one group / op
//! TAPEGRAD_NUM_THREADS=1 cargo bench --bench elementwise -- threshold   # the serial side of a threshold study
//! ```
//!
//! Sizes: 1K, 64K, 1M and 16M elements (f32) for the element-wise ops and reductions; softmax over rows of
//! 800×4 (the tutorial's logits) and 1M×10; the tutorial's own tensors (800×10 hidden activations, a bias row
//! broadcast over them, 800×1 logits for the BCE loss).
//!
//! The README's table of measured figures has a summary of a run (SIMD against the forced fallback); the
//! cheap ops are bound by memory and allocation (the fallback is auto-vectorised with SSE2, so their ratio is
//! near 1), and at 16M elements every op writes a fresh 64 MB output whose page faults dominate.

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use tensor::cpu::kernels::simd::{self, Isa};
use tensor::cpu::parallel::with_threads;
use tensor::{DType, Device, Tensor};

const SIZES: [(&str, usize); 4] = [("1K", 1 << 10), ("64K", 1 << 16), ("1M", 1 << 20), ("16M", 1 << 24)];

/// The two paths compared: the best this CPU has, and the portable fallback.
fn paths() -> [(&'static str, Option<Isa>); 2] {
    [("simd", None), ("scalar", Some(Isa::Fallback))]
}

/// Deterministic values in `[-4, 4)` (a quick LCG: benchmark inputs need no statistical quality).
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
        })
        .collect()
}

fn tensor(shape: &[usize], seed: u64) -> Tensor {
    Tensor::from_vec(values(shape.iter().product(), seed), shape, &Device::Cpu)
}

/// Runs `f` on each path as `group/<path>/<param>`.
fn on_paths(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    param: &str,
    f: &dyn Fn() -> Tensor,
) {
    for (path, isa) in paths() {
        simd::force(isa);
        group.bench_function(BenchmarkId::new(format!("{name}/{path}"), param), |b| b.iter(|| black_box(f())));
    }
    simd::force(None);
}

fn configure<'a>(c: &'a mut Criterion, name: &str) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_millis(1200));
    g
}

fn unary(c: &mut Criterion) {
    let mut g = configure(c, "unary");
    for (label, n) in SIZES {
        let x = tensor(&[n], 1);
        g.throughput(Throughput::Bytes(2 * 4 * n as u64));
        on_paths(&mut g, "relu", label, &|| x.relu());
        on_paths(&mut g, "affine", label, &|| x.affine(0.5, 1.0));
        on_paths(&mut g, "exp", label, &|| x.exp());
        on_paths(&mut g, "sigmoid", label, &|| x.sigmoid());
        on_paths(&mut g, "tanh", label, &|| x.tanh());
    }
}

fn binary(c: &mut Criterion) {
    let mut g = configure(c, "binary");
    for (label, n) in SIZES {
        let (l, r) = (tensor(&[n], 2), tensor(&[n], 3).abs().add_scalar(0.5));
        let y = tensor(&[n], 4).gt(&Tensor::scalar(0.0, DType::F32, &Device::Cpu));
        g.throughput(Throughput::Bytes(3 * 4 * n as u64));
        on_paths(&mut g, "add", label, &|| l.add(&r));
        on_paths(&mut g, "mul", label, &|| l.mul(&r));
        on_paths(&mut g, "div", label, &|| l.div(&r));
        on_paths(&mut g, "bce_with_logits", label, &|| l.bce_with_logits(&y));
    }
}

fn reduce(c: &mut Criterion) {
    let mut g = configure(c, "reduce");
    for (label, n) in SIZES {
        let x = tensor(&[n], 5);
        let rows = x.reshape(&[n / 256, 256]);
        g.throughput(Throughput::Bytes(4 * n as u64));
        on_paths(&mut g, "sum_all", label, &|| x.sum());
        on_paths(&mut g, "max_all", label, &|| x.max());
        on_paths(&mut g, "row_sums_x256", label, &|| rows.sum_dim(1usize));
    }
}

fn softmax(c: &mut Criterion) {
    let mut g = configure(c, "softmax");
    for (label, rows, cols) in [("800x4", 800, 4), ("800x10", 800, 10), ("1Mx10", 1 << 20, 10)] {
        let x = tensor(&[rows, cols], 6);
        g.throughput(Throughput::Bytes(2 * 4 * (rows * cols) as u64));
        on_paths(&mut g, "softmax", label, &|| x.softmax(1usize));
        on_paths(&mut g, "log_softmax", label, &|| x.log_softmax(1usize));
    }
}

/// The tutorial's shapes: a hidden layer of 800×10, its bias, the 800×1 logits of the binary classifier.
fn tutorial(c: &mut Criterion) {
    let mut g = configure(c, "tutorial");
    let (h, b) = (tensor(&[800, 10], 7), tensor(&[10], 8));
    let (logits, y) = (tensor(&[800, 1], 9), tensor(&[800, 1], 10).gt(&Tensor::scalar(0.0, DType::F32, &Device::Cpu)));
    g.throughput(Throughput::Bytes(3 * 4 * 8000));
    on_paths(&mut g, "bias_add", "800x10+10", &|| h.add(&b));
    g.throughput(Throughput::Bytes(2 * 4 * 8000));
    on_paths(&mut g, "relu", "800x10", &|| h.relu());
    on_paths(&mut g, "tanh", "800x10", &|| h.tanh());
    g.throughput(Throughput::Bytes(4 * 8000));
    on_paths(&mut g, "sum_rows", "800x10", &|| h.sum_dim(1usize));
    on_paths(&mut g, "sum_cols", "800x10", &|| h.sum_dim(0usize));
    g.throughput(Throughput::Bytes(3 * 4 * 800));
    on_paths(&mut g, "bce_mean", "800x1", &|| logits.bce_with_logits(&y).mean());
    g.throughput(Throughput::Bytes(2 * 4 * 800));
    on_paths(&mut g, "sigmoid", "800x1", &|| logits.sigmoid());
}

/// Where threads start to pay: one op at sizes around the `PAR_THRESHOLD`s (run with `TAPEGRAD_NUM_THREADS`
/// 1 and 2 and compare; see the comments at the thresholds for the figures).
fn threshold(c: &mut Criterion) {
    let mut g = configure(c, "threshold");
    for log2 in [12, 13, 14, 15, 16, 17, 18, 20] {
        let n = 1usize << log2;
        let (x, r) = (tensor(&[n], 11), tensor(&[n], 12));
        let rows = x.reshape(&[n / 16, 16]);
        let label = format!("2^{log2}");
        g.throughput(Throughput::Bytes(3 * 4 * n as u64));
        g.bench_function(BenchmarkId::new("add", &label), |b| b.iter(|| black_box(x.add(&r))));
        g.throughput(Throughput::Bytes(2 * 4 * n as u64));
        g.bench_function(BenchmarkId::new("exp", &label), |b| b.iter(|| black_box(x.exp())));
        g.throughput(Throughput::Bytes(4 * n as u64));
        g.bench_function(BenchmarkId::new("row_sums_x16", &label), |b| b.iter(|| black_box(rows.sum_dim(1usize))));
        g.throughput(Throughput::Bytes(2 * 4 * n as u64));
        g.bench_function(BenchmarkId::new("softmax_x16", &label), |b| b.iter(|| black_box(rows.softmax(1usize))));
    }
}

/// Best-of-N time of `f` (ns): the minimum filters out preemption by other processes on a shared machine.
fn best_of(reps: usize, f: &(dyn Fn() -> Tensor + Sync)) -> f64 {
    (0..reps)
        .map(|_| {
            let t = std::time::Instant::now();
            black_box(f());
            t.elapsed().as_nanos() as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// `ELEMENTWISE_THRESHOLD_TABLE=1 cargo bench --bench elementwise`: for each op and size, the best-of-N time
/// with 1 and with 2 threads (the computation run inside a rayon pool of that size, which the tapegrad kernels
/// then use), and the speedup. With thresholds lowered to 4096, this says where threads start to pay.
fn threshold_table() {
    println!("{:<14} {:>9} {:>12} {:>12} {:>8}", "op", "elements", "1 thread us", "2 threads us", "speedup");
    for log2 in 12..=20 {
        let n = 1usize << log2;
        let (x, r) = (tensor(&[n], 11), tensor(&[n], 12));
        let rows = x.reshape(&[n / 16, 16]);
        let cases: [(&str, &(dyn Fn() -> Tensor + Sync)); 5] = [
            ("add", &|| x.add(&r)),
            ("exp", &|| x.exp()),
            ("sigmoid", &|| x.sigmoid()),
            ("row_sums_x16", &|| rows.sum_dim(1usize)),
            ("softmax_x16", &|| rows.softmax(1usize)),
        ];
        for (name, f) in cases {
            let reps = (1 << 24 >> log2).clamp(20, 2000);
            let t: Vec<f64> = [1, 2].iter().map(|&threads| with_threads(threads, || best_of(reps, f))).collect();
            println!("{name:<14} {n:>9} {:>12.1} {:>12.1} {:>8.2}", t[0] / 1e3, t[1] / 1e3, t[0] / t[1]);
        }
    }
}

criterion_group!(benches, unary, binary, reduce, softmax, tutorial, threshold);

fn main() {
    if std::env::var_os("ELEMENTWISE_THRESHOLD_TABLE").is_some() {
        threshold_table();
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
