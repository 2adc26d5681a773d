//! Helpers shared by the GPU tests (`gpu_parity`, `gpu_matmul`, `gpu_bandwidth`): random values, bits with one
//! canonical NaN, and the CPU-vs-GPU comparison within f32 rounding.
#![allow(dead_code)] // each test file uses a part of it

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tensor::Tensor;

/// Random f32 values in [lo, hi).
pub fn values(seed: u64, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen_range(lo..hi)).collect()
}

/// Bits of every element, with every NaN as one canonical NaN (kernels may differ in the payload they produce).
pub fn bits(t: &Tensor) -> Vec<u32> {
    t.to_vec::<f32>().iter().map(|v| if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() }).collect()
}

/// Values of both tensors in logical order, checked elementwise: |a - b| <= atol + rtol |a|, NaN matches NaN,
/// infinities must match exactly.
#[track_caller]
pub fn assert_close(what: &str, cpu: &Tensor, gpu: &Tensor, rtol: f64, atol: f64) {
    assert_eq!(cpu.shape(), gpu.shape(), "{what}: shapes differ");
    assert_eq!(cpu.dtype(), gpu.dtype(), "{what}: dtypes differ");
    let (a, b) = (cpu.to_f64_vec(), gpu.to_f64_vec());
    for (i, (&x, &y)) in a.iter().zip(&b).enumerate() {
        let ok = if x.is_nan() || y.is_nan() {
            x.is_nan() && y.is_nan()
        } else if x.is_infinite() || y.is_infinite() {
            x == y
        } else {
            (x - y).abs() <= atol + rtol * x.abs()
        };
        assert!(ok, "{what}: element {i} of shape {:?}: cpu {x} vs gpu {y}", cpu.shape());
    }
}
