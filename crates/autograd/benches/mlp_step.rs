//! One training step of the tutorial's circle classifier (`Linear(2, 10) → ReLU → Linear(10, 10) → ReLU →
//! Linear(10, 1)`, BCE-with-logits, SGD) on 800 samples, timed to show what recording costs per op.
//!
//! `cargo bench -p autograd --bench mlp_step`. Prints µs per step (forward + backward + update), µs per recorded
//! op, and the same forward under `no_grad` (nothing recorded) for comparison. No assertion on time: numbers only.

use std::time::Instant;

use autograd::{no_grad, Var};
use tensor::{DType, Device, Tensor};

fn linear(fan_in: usize, fan_out: usize, seed: u64) -> (Var, Var) {
    // Deterministic small weights; the values do not matter for timing.
    let w: Vec<f32> =
        (0..fan_in * fan_out).map(|i| (((i as u64 * 7919 + seed) % 101) as f32 / 101.0 - 0.5) * 0.6).collect();
    (Var::leaf(Tensor::new(&w, &[fan_in, fan_out])), Var::leaf(Tensor::zeros(&[fan_out], DType::F32, &Device::Cpu)))
}

fn main() {
    let n = 800;
    let x: Vec<f32> = (0..n * 2).map(|i| ((i * 37 % 200) as f32 / 100.0) - 1.0).collect();
    let y: Vec<f32> = (0..n).map(|i| (i % 2) as f32).collect();
    let x = Var::constant(Tensor::new(&x, &[n, 2]));
    let y = Var::constant(Tensor::new(&y, &[n, 1]));
    let layers = [linear(2, 10, 1), linear(10, 10, 2), linear(10, 1, 3)];
    let params: Vec<&Var> = layers.iter().flat_map(|(w, b)| [w, b]).collect();

    let forward = || {
        let h1 = (x.matmul(&layers[0].0) + &layers[0].1).relu();
        let h2 = (h1.matmul(&layers[1].0) + &layers[1].1).relu();
        let logits = h2.matmul(&layers[2].0) + &layers[2].1;
        logits.bce_with_logits(&y).mean()
    };
    let ops_per_forward =
        forward().graph_text().lines().filter(|l| !l.contains(" leaf ") && !l.contains(" constant ")).count();

    let step = || {
        let loss = forward();
        loss.backward();
        no_grad(|| {
            for p in &params {
                let g = p.grad().unwrap();
                p.set_data(p.tensor().sub(&g.mul_scalar(0.1)));
                p.zero_grad();
            }
        });
    };

    for _ in 0..200 {
        step(); // warm-up: thread pool, allocator
    }
    let iters = 2000;
    let start = Instant::now();
    for _ in 0..iters {
        step();
    }
    let step_us = start.elapsed().as_secs_f64() * 1e6 / iters as f64;

    let start = Instant::now();
    for _ in 0..iters {
        no_grad(forward);
    }
    let nograd_us = start.elapsed().as_secs_f64() * 1e6 / iters as f64;
    let start = Instant::now();
    for _ in 0..iters {
        forward();
    }
    let record_us = start.elapsed().as_secs_f64() * 1e6 / iters as f64;

    println!("circle MLP 2-10-10-1, batch {n}, f32, CPU");
    println!("  recorded ops per forward:        {ops_per_forward}");
    println!("  train step (fwd + bwd + SGD):    {step_us:8.2} µs");
    println!("  forward, recording:              {record_us:8.2} µs ({:.2} µs/op)", record_us / ops_per_forward as f64);
    println!("  forward, no_grad:                {nograd_us:8.2} µs ({:.2} µs/op)", nograd_us / ops_per_forward as f64);
    println!("  recording overhead:              {:8.2} µs/op", (record_us - nograd_us) / ops_per_forward as f64);

    // The bookkeeping alone: 1-element tensors, so the kernels cost next to nothing.
    let a = Var::leaf(Tensor::new(&[0.5f32], &[1]));
    let b = Var::leaf(Tensor::new(&[0.25f32], &[1]));
    let chain = |len: usize| {
        let mut v = a.clone();
        for _ in 0..len {
            v = (&v * &b).relu();
        }
        v
    };
    let len = 500; // 1000 ops
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..200 {
            f();
        }
        start.elapsed().as_secs_f64() * 1e6 / (200 * 2 * len) as f64
    };
    let tiny_nograd = time(&|| {
        no_grad(|| chain(len));
    });
    let tiny_record = time(&|| {
        chain(len);
    });
    let tiny_backward = time(&|| {
        chain(len).sum().backward();
    });
    println!("1-element ops (bookkeeping only):");
    println!("  no_grad:                         {tiny_nograd:8.3} µs/op");
    println!("  recording:                       {tiny_record:8.3} µs/op");
    println!("  recording + backward:            {tiny_backward:8.3} µs/op");
}
