//! The bandwidth kernels' fast paths — `unary_vec4_f32` / `binary_vec4_f32`, `reduce_contiguous_f32`,
//! `softmax_contiguous_f32` — against the CPU and against the general kernels they stand in for (reached with the
//! same values through a layout the fast path refuses: an offset that is not a multiple of 4, or a transposed
//! view), at lengths around their quads, workgroups and chunks, with ±1e4, ±inf and NaN in the data.
#![cfg(feature = "wgpu")]

mod gpu_common;

use gpu_common::bits;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tensor::gpu::testing::gpu_or_skip;
use tensor::gpu::{CONTIGUOUS_CHUNK, SOFTMAX_REGISTERS_MAX};
use tensor::{BinaryOp, Device, ReduceOp, Tensor, UnaryOp};

/// Random values in [-4, 4), with every `every`-th replaced by a special value (±1e4, ±inf, NaN, ±0).
fn data(seed: u64, n: usize, every: usize) -> Vec<f32> {
    let specials = [1e4, -1e4, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0, -0.0];
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            if every > 0 && i % every == every - 1 {
                specials[(i / every) % specials.len()]
            } else {
                rng.gen_range(-4.0..4.0)
            }
        })
        .collect()
}

/// The same values as a GPU tensor at storage offset 0 (fast paths) and at offset 1 (general kernels).
fn both_layouts(v: &[f32], shape: &[usize], gpu: &Device) -> (Tensor, Tensor) {
    let fast = Tensor::from_vec(v.to_vec(), shape, &Device::Cpu).to_device(gpu);
    let mut shifted = vec![7.0f32];
    shifted.extend_from_slice(v);
    let numel: usize = shape.iter().product();
    let general =
        Tensor::from_vec(shifted, &[numel + 1], &Device::Cpu).to_device(gpu).narrow(0, 1, numel).reshape(shape);
    (fast, general)
}

#[test]
fn vec4_elementwise_kernels_have_the_general_kernels_bits() {
    let Some(gpu) = gpu_or_skip() else { return };
    // Lengths around a quad (1, 3, 5), a workgroup's 4096 elements and beyond.
    for (i, &n) in [1usize, 3, 5, 1023, 4096, 4097, 12_345].iter().enumerate() {
        let (a, b) = (data(i as u64, n, 11), data(100 + i as u64, n, 13));
        let (af, ag) = both_layouts(&a, &[n], &gpu);
        let (bf, bg) = both_layouts(&b, &[n], &gpu);
        let (ac, bc) = (Tensor::new(&a, &[n]), Tensor::new(&b, &[n]));
        for op in BinaryOp::ALL {
            let fast = af.binary(op, &bf);
            assert!(bits(&fast) == bits(&ag.binary(op, &bg)), "{} n = {n}: vec4 and general kernels differ", op.name());
            if matches!(op, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Maximum | BinaryOp::Minimum) {
                // Exact on every device (one IEEE operation or a select).
                assert!(bits(&fast) == bits(&ac.binary(op, &bc)), "{} n = {n}: the CPU differs", op.name());
            }
        }
        // ReLU's gradient, the binary kernel that no `BinaryOp` names: a select, exact on every device (the data's
        // ±0 are where `x <= 0` and `x < 0` differ).
        let fast = af.relu_backward(&bf);
        assert!(bits(&fast) == bits(&ag.relu_backward(&bg)), "relu_backward n = {n}: vec4 and general kernels differ");
        assert!(bits(&fast) == bits(&ac.relu_backward(&bc)), "relu_backward n = {n}: the CPU differs");
        for op in [UnaryOp::Neg, UnaryOp::Relu, UnaryOp::Abs, UnaryOp::Exp, UnaryOp::Sigmoid, UnaryOp::Affine(2.0, 1.0)]
        {
            let fast = af.unary(op);
            assert!(bits(&fast) == bits(&ag.unary(op)), "{} n = {n}: vec4 and general kernels differ", op.name());
        }
        assert!(bits(&af.relu()) == bits(&ac.relu()), "relu n = {n}: the CPU differs");
    }
}

/// Every reduction of `v` viewed as `shape` along `axis`, GPU (both layouts) vs CPU: max, min and the arg ops
/// exactly, sums within `sum_tol` relative to the sum of magnitudes.
fn check_reductions(v: &[f32], shape: &[usize], axis: usize, gpu: &Device, sum_tol: f64) {
    let (fast, general) = both_layouts(v, shape, gpu);
    let cpu = Tensor::from_vec(v.to_vec(), shape, &Device::Cpu);
    let what = format!("{shape:?} axis {axis}");
    for op in [ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin] {
        let want = cpu.reduce(op, axis, false).to_f64_vec();
        for (name, t) in [("fast", &fast), ("general", &general)] {
            let got = t.reduce(op, axis, false).to_f64_vec();
            let same = want.iter().zip(&got).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
            assert!(same, "{what}: {} ({name}) gives {got:?}, the CPU {want:?}", op.name());
        }
    }
    let abs = cpu.abs().sum_dim(axis).to_f64_vec();
    let want = cpu.sum_dim(axis).to_f64_vec();
    for (name, t) in [("fast", &fast), ("general", &general)] {
        let got = t.sum_dim(axis).to_f64_vec();
        for ((w, g), a) in want.iter().zip(&got).zip(&abs) {
            let ok = if w.is_finite() {
                (w - g).abs() <= sum_tol * a
            } else {
                w.to_bits() == g.to_bits() || (w.is_nan() && g.is_nan())
            };
            assert!(ok, "{what}: sum ({name}) {g} vs the CPU's {w}");
        }
    }
    // Fixed order: the same input gives the same bits again.
    assert!(bits(&fast.sum_dim(axis)) == bits(&fast.sum_dim(axis)), "{what}: the sum is not deterministic");
}

#[test]
fn contiguous_reductions_match_the_cpu_around_chunk_boundaries() {
    let Some(gpu) = gpu_or_skip() else { return };
    let c = CONTIGUOUS_CHUNK;
    // Full reductions: one chunk, exactly one, one more element, several (a second pass), lengths not multiples
    // of 4; then the rows of matrices (unit stride, starts multiples of 4) and a strided axis (general only).
    for (i, &n) in [65usize, 1001, c - 1, c, c + 1, 3 * c + 6].iter().enumerate() {
        check_reductions(&data(i as u64, n, 0), &[n], 0, &gpu, 1e-6);
    }
    check_reductions(&data(7, 3 * 5000, 0), &[3, 5000], 1, &gpu, 1e-6);
    check_reductions(&data(8, 2 * (c + 4), 0), &[2, c + 4], 1, &gpu, 1e-6);
    check_reductions(&data(9, 300 * 70, 0), &[300, 70], 0, &gpu, 1e-6);
}

#[test]
fn contiguous_reductions_of_non_finite_values() {
    let Some(gpu) = gpu_or_skip() else { return };
    // ±1e4, ±inf, NaN: max/min propagate NaN, the arg ops return the first NaN, sums give NaN or ±inf.
    for (i, &(n, every)) in [(100usize, 17usize), (5000, 997), (CONTIGUOUS_CHUNK + 9, 4001)].iter().enumerate() {
        check_reductions(&data(20 + i as u64, n, every), &[n], 0, &gpu, 1e-6);
    }
    // Only ±1e4 and ±inf (no NaN): a row whose max is +inf, another whose min is -inf, ties of equal extremes.
    let mut v = vec![1e4f32; 2 * 4100];
    v[17] = f32::INFINITY;
    v[4100 + 3000] = f32::NEG_INFINITY;
    v[4100 + 5] = -1e4;
    check_reductions(&v, &[2, 4100], 1, &gpu, 1e-6);
}

#[test]
fn contiguous_softmax_matches_the_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    // Row lengths from just past the one-invocation rows to the longest row held in registers.
    for (i, &n) in [132usize, 1024, 1028, 4096, SOFTMAX_REGISTERS_MAX].iter().enumerate() {
        let rows = 3;
        let v: Vec<f32> = data(40 + i as u64, rows * n, 0).iter().map(|x| x * 5.0).collect();
        let (fast, general) = both_layouts(&v, &[rows, n], &gpu);
        let cpu = Tensor::from_vec(v, &[rows, n], &Device::Cpu);
        for log in [false, true] {
            let f = |t: &Tensor| if log { t.log_softmax(1usize) } else { t.softmax(1usize) };
            let want = f(&cpu).to_f64_vec();
            for (name, t) in [("fast", &fast), ("general", &general)] {
                let got = f(t).to_f64_vec();
                for (j, (w, g)) in want.iter().zip(&got).enumerate() {
                    let tol = if log { 1e-5 * w.abs() + 1e-5 } else { 1e-5 * w.abs() + 1e-8 };
                    assert!((w - g).abs() <= tol, "softmax (log: {log}, {name}) n = {n}: element {j}: {g} vs {w}");
                }
            }
            assert!(bits(&f(&fast)) == bits(&f(&fast)), "softmax n = {n}: not deterministic");
        }
    }
}

#[test]
fn contiguous_softmax_of_non_finite_rows() {
    let Some(gpu) = gpu_or_skip() else { return };
    let (inf, n) = (f32::INFINITY, 260);
    // Rows: ±1e4 (a naive exp overflows), some -inf entries, all -inf, a +inf entry, a NaN entry.
    let mut rows: Vec<Vec<f32>> =
        vec![vec![1e4; n], vec![-1e4; n], vec![-inf; n], vec![0.0; n], vec![1.0; n], vec![2.0; n]];
    rows[0][1] = -1e4;
    rows[1][n - 1] = 1e4;
    rows[3][0] = -inf;
    rows[3][2] = -inf;
    rows[4][7] = inf;
    rows[5][9] = f32::NAN;
    let flat: Vec<f32> = rows.concat();
    let cpu = Tensor::from_vec(flat.clone(), &[6, n], &Device::Cpu);
    let (fast, _) = both_layouts(&flat, &[6, n], &gpu);
    for log in [false, true] {
        let f = |t: &Tensor| if log { t.log_softmax(1usize) } else { t.softmax(1usize) };
        let (want, got) = (f(&cpu).to_f64_vec(), f(&fast).to_f64_vec());
        for (j, (w, g)) in want.iter().zip(&got).enumerate() {
            let ok = if w.is_finite() {
                (w - g).abs() <= 1e-6 * w.abs() + 1e-6
            } else {
                w.to_bits() == g.to_bits() || (w.is_nan() && g.is_nan())
            };
            assert!(ok, "softmax (log: {log}) of row {}, element {}: {g} vs the CPU's {w}", j / n, j % n);
        }
    }
}
