//! Results do not depend on the number of threads: ops on tensors of more than 1M elements (above every
//! parallel threshold) give bit-identical results in pools of 1 and 2 threads (`parallel::with_threads`, whose
//! pool the kernels then use).

use tensor::cpu::parallel::with_threads;
use tensor::{DType, Device, Tensor};

fn bits(t: &Tensor) -> Vec<u32> {
    t.to_vec::<f32>().iter().map(|v| v.to_bits()).collect()
}

#[test]
fn ops_are_bit_identical_in_1_and_2_threads() {
    let n = 5 * 210_000; // > 2^20 elements, above every parallel threshold
    let values: Vec<f64> = (0..n).map(|i| ((i * 7919) % 10_007) as f64 / 1000.0 - 5.0).collect();
    let x = Tensor::from_f64_values(&values, &[n / 5, 5], DType::F32, &Device::Cpu);
    let y = x.affine(-0.5, 0.25).sigmoid();
    let run = || {
        vec![
            bits(&x.exp()),
            bits(&x.add(&y)),
            bits(&x.mul(&y)),
            bits(&x.bce_with_logits(&y)),
            bits(&x.sum()),
            bits(&x.sum_dim(1usize)),
            bits(&x.sum_dim(0usize)),
            bits(&x.max_dim(1usize)),
            bits(&x.softmax(1usize)),
            bits(&x.log_softmax(0usize)),
            bits(&x.t().contiguous()),
        ]
    };
    let one = with_threads(1, run);
    let two = with_threads(2, run);
    for (i, (a, b)) in one.iter().zip(&two).enumerate() {
        assert!(a == b, "op #{i}: results differ between 1 and 2 threads");
    }
}
