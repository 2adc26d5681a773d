//! A dependency-free matmul timer for the CLI (`experiments bench matmul --size N --device cpu`), compiled with
//! the cargo feature `bench` (which the `experiments` crate enables); the criterion benchmarks live in
//! `benches/matmul.rs`.

use super::{gemm_f32, MatRef};
use std::time::Instant;

/// How long products are run untimed before the timed ones, so that the worker thread, the caches and the CPU
/// clock are up (one warm-up call is not enough: they take longer than one product to come up, and the
/// first timed products would be slow).
const WARM_UP: std::time::Duration = std::time::Duration::from_millis(50);

/// Times `reps` (at least 1) square `n × n · n × n` `f32` products, after `WARM_UP` of untimed ones (at
/// least one), and returns the best rate in GFLOP/s (2·n³ flops per product) and the best time in seconds.
pub fn bench_matmul_gflops(n: usize, reps: usize) -> (f64, f64) {
    let lhs: Vec<f32> = (0..n * n).map(|i| ((i * 7 + 3) % 13) as f32 * 0.125 - 0.75).collect();
    let rhs: Vec<f32> = (0..n * n).map(|i| ((i * 5 + 1) % 11) as f32 * 0.125 - 0.625).collect();
    let mut out = vec![0.0f32; n * n];
    let (l, r) = (MatRef::row_major(&lhs, n, n), MatRef::row_major(&rhs, n, n));
    let start = Instant::now();
    loop {
        gemm_f32(l, r, std::hint::black_box(&mut out), false);
        if start.elapsed() >= WARM_UP {
            break;
        }
    }
    let mut best = f64::INFINITY;
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        gemm_f32(l, r, std::hint::black_box(&mut out), false);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let flops = 2.0 * (n as f64).powi(3);
    (flops / best / 1e9, best)
}
