//! The matmul kernels of `matmul.wgsl` and `matmul_pipelined.wgsl`, each forced through `gpu::matmul::matmul_with`:
//! every kernel and knob (vec4 or scalar loads, with or without bounds checks, tile order) gives exactly the bits
//! of the naive kernel — one fma per product, in increasing k, from 0 — over edge shapes (sizes that are not
//! multiples of a tile, k = 1, m or n = 1, transposed and narrowed operands, a broadcast batch), and the CPU's
//! values within f32 rounding. The fused linear (bias + ReLU epilogue) has the bits of its unfused ops.
#![cfg(feature = "wgpu")]

mod gpu_common;

use gpu_common::{assert_close, bits, values};
use tensor::gpu::matmul::{linear_with, matmul_with, MatmulConfig, MatmulKernel};
use tensor::gpu::testing::gpu_or_skip;
use tensor::{Device, Tensor};

/// Every configuration worth comparing: each kernel with its defaults, and for the pipelined kernels each knob
/// turned (scalar loads, no bounds checks, row-major tile order, a band of 3 rows that does not divide the grid).
fn configs() -> Vec<MatmulConfig> {
    let mut out = Vec::new();
    for kernel in MatmulKernel::ALL {
        let base = MatmulConfig::new(kernel);
        out.push(base);
        if kernel.is_pipelined() {
            out.push(MatmulConfig { vec4: false, ..base });
            out.push(MatmulConfig { unchecked: true, ..base });
            out.push(MatmulConfig { swizzle: 0, ..base });
            out.push(MatmulConfig { swizzle: 3, unchecked: true, ..base });
        }
    }
    out
}

/// A `[rows, cols]` operand (or `[batch, rows, cols]`) stored as `how` says, on the CPU.
fn operand(batch: Option<usize>, rows: usize, cols: usize, how: &str, seed: u64) -> Tensor {
    let lead: Vec<usize> = batch.into_iter().collect();
    let r = lead.len();
    let make = |shape: Vec<usize>| {
        let numel = shape.iter().product();
        Tensor::from_vec(values(seed, numel, -1.0, 1.0), &shape, &Device::Cpu)
    };
    let with = |a: usize, b: usize| lead.iter().copied().chain([a, b]).collect::<Vec<_>>();
    match how {
        "row-major" => make(with(rows, cols)),
        "transposed" => make(with(cols, rows)).transpose(r, r + 1),
        // Columns 4.. of a wider tensor: offset 4, row stride cols + 8 (vec4-aligned when cols + 8 is).
        "narrowed4" => make(with(rows, cols + 8)).narrow(r + 1, 4, cols),
        // Columns 3..: offset 3 (never vec4-aligned).
        "narrowed3" => make(with(rows, cols + 8)).narrow(r + 1, 3, cols),
        _ => unreachable!("{how}"),
    }
}

/// `[b?, m, k] @ [b?, k, n]` with every configuration: bit for bit the naive kernel, and the CPU within rounding.
fn check_all_configs(batch: (Option<usize>, Option<usize>), m: usize, k: usize, n: usize, lhs: &str, rhs: &str) {
    let Some(gpu) = gpu_or_skip() else { return };
    let seed = (m * 1_000_003 + k * 1009 + n) as u64;
    let (lc, rc) = (operand(batch.0, m, k, lhs, seed), operand(batch.1, k, n, rhs, seed ^ 77));
    let (lg, rg) = (lc.to_device(&gpu), rc.to_device(&gpu));
    let what = format!("[{batch:?}] {m}x{k} ({lhs}) · {k}x{n} ({rhs})");
    let naive = matmul_with(&lg, &rg, MatmulConfig::new(MatmulKernel::Naive));
    assert_close(&what, &lc.matmul(&rc), &naive, 1e-5, 1e-6 * k as f64 + 1e-7);
    let want = bits(&naive);
    let aligned = lhs == "row-major" && rhs == "row-major" && k.is_multiple_of(4) && n.is_multiple_of(4);
    for config in configs() {
        if config.kernel.needs_vec4() && (!aligned || batch.0.is_some() != batch.1.is_some()) {
            continue;
        }
        let got = matmul_with(&lg, &rg, config);
        assert!(bits(&got) == want, "{what}: {} differs from the naive kernel", config.name());
    }
}

#[test]
fn every_kernel_has_the_naive_kernels_bits_at_edge_shapes() {
    // Odd sizes around the tiles (64, 128), k = 1 and short k, m = 1, n = 1.
    for &(m, k, n) in &[(131, 37, 129), (65, 1, 67), (1, 33, 130), (129, 40, 1), (63, 20, 200), (2, 3, 5)] {
        check_all_configs((None, None), m, k, n, "row-major", "row-major");
    }
}

#[test]
fn every_kernel_has_the_naive_kernels_bits_on_every_operand_layout() {
    // Transposed lhs (quads along m when aligned), transposed rhs (the Wᵀ of a linear: quads along k), narrowed
    // views at an aligned offset, at an unaligned one, and a k of 37 inside rows of 45.
    check_all_configs((None, None), 132, 36, 136, "transposed", "row-major");
    check_all_configs((None, None), 130, 20, 68, "transposed", "row-major"); // m = 130: stride 130, strided
    check_all_configs((None, None), 128, 24, 200, "row-major", "transposed");
    check_all_configs((None, None), 70, 33, 131, "transposed", "transposed");
    check_all_configs((None, None), 100, 32, 72, "narrowed4", "row-major");
    check_all_configs((None, None), 100, 32, 72, "narrowed3", "narrowed4");
    check_all_configs((None, None), 130, 37, 66, "narrowed3", "narrowed3");
}

#[test]
fn every_kernel_has_the_naive_kernels_bits_on_batches() {
    // A batch on both sides, and a 2-D rhs broadcast over the batch (stride 0).
    check_all_configs((Some(3), Some(3)), 70, 44, 90, "row-major", "row-major");
    check_all_configs((Some(3), None), 70, 44, 90, "row-major", "transposed");
    check_all_configs((None, Some(2)), 33, 17, 140, "transposed", "row-major");
}

#[test]
fn padding_past_k_keeps_a_negative_zero_sum() {
    // With a fused fma, a product that underflows makes the sum -0 (fma(-1e-30, 1e-30, +0) = -0); the panels
    // past k must keep it -0 (lhs pads with -0), as the naive kernel, which has no padding, does. (A driver whose
    // `fma` rounds the product first, as lavapipe's, gives +0 on every kernel: the sum of a +0 start cannot become
    // -0 there.)
    let Some(gpu) = gpu_or_skip() else { return };
    for k in [1usize, 3, 9] {
        let (m, n) = (70, 130);
        let lhs = Tensor::from_vec(vec![-1e-30f32; m * k], &[m, k], &Device::Cpu).to_device(&gpu);
        let rhs = Tensor::from_vec(vec![1e-30f32; k * n], &[k, n], &Device::Cpu).to_device(&gpu);
        let want = bits(&matmul_with(&lhs, &rhs, MatmulConfig::new(MatmulKernel::Naive)));
        assert!(want.iter().all(|&b| b == want[0] && (b == 0 || b == 0x8000_0000)));
        for config in configs() {
            if config.kernel.needs_vec4() && !k.is_multiple_of(4) {
                continue;
            }
            let got = bits(&matmul_with(&lhs, &rhs, config));
            assert!(got == want, "k = {k}: {} gives {:#x}, the naive kernel {:#x}", config.name(), got[0], want[0]);
        }
    }
}

#[test]
fn non_finite_operands_give_the_same_values_on_every_kernel() {
    // ±inf and NaN in both operands (inf · 0 gives NaN, inf - inf too): every kernel as the naive one.
    let Some(gpu) = gpu_or_skip() else { return };
    let (m, k, n) = (66, 20, 132);
    let specials = [f32::INFINITY, f32::NEG_INFINITY, f32::NAN, 0.0, 1e30, -1e30];
    let mut l = values(1, m * k, -1.0, 1.0);
    let mut r = values(2, k * n, -1.0, 1.0);
    for (i, v) in l.iter_mut().enumerate().filter(|(i, _)| i % 37 == 0) {
        *v = specials[i % specials.len()];
    }
    for (i, v) in r.iter_mut().enumerate().filter(|(i, _)| i % 53 == 0) {
        *v = specials[i % specials.len()];
    }
    let lhs = Tensor::from_vec(l, &[m, k], &Device::Cpu).to_device(&gpu);
    let rhs = Tensor::from_vec(r, &[k, n], &Device::Cpu).to_device(&gpu);
    let want = bits(&matmul_with(&lhs, &rhs, MatmulConfig::new(MatmulKernel::Naive)));
    assert!(want.contains(&0x7fc0_0000) && want.contains(&f32::INFINITY.to_bits()));
    for config in configs() {
        assert!(bits(&matmul_with(&lhs, &rhs, config)) == want, "{} differs from the naive kernel", config.name());
    }
}

#[test]
fn the_epilogue_is_the_add_and_relu_kernels() {
    // linear_with (bias, bias + ReLU) on every kernel: bit for bit matmul_with, then `add`, then `relu`.
    let Some(gpu) = gpu_or_skip() else { return };
    for &(m, k, n) in &[(131, 36, 68), (7, 3, 130)] {
        let x = Tensor::new(&values(5, m * k, -2.0, 2.0), &[m, k]).to_device(&gpu);
        let w = Tensor::new(&values(6, n * k, -1.0, 1.0), &[n, k]).to_device(&gpu).t();
        let mut bv = values(7, n, -1.0, 1.0);
        bv[0] = f32::NAN;
        let b = Tensor::new(&bv, &[n]).to_device(&gpu);
        for config in configs() {
            if config.kernel.needs_vec4() {
                continue; // w is transposed
            }
            let product = matmul_with(&x, &w, config).add(&b);
            let what = format!("{m}x{k}·{k}x{n} {}", config.name());
            assert!(bits(&linear_with(&x, &w, &b, false, config)) == bits(&product), "{what}: + bias");
            assert!(bits(&linear_with(&x, &w, &b, true, config)) == bits(&product.relu()), "{what}: relu");
        }
    }
}

#[test]
fn linear_relu_is_linear_then_relu_on_the_gpu() {
    // The tutorial's layers and the blobs-large ones (at a reduced batch where the product is large, to stay fast on lavapipe):
    // fused on the GPU, bit for bit the unfused ops on the same device, and the CPU within rounding.
    let Some(gpu) = gpu_or_skip() else { return };
    let shapes = [(800, 2, 10), (800, 10, 10), (800, 10, 1), (256, 32, 512), (64, 512, 512), (1024, 512, 10)];
    for (i, &(n, fin, fout)) in shapes.iter().enumerate() {
        let seed = 900 + i as u64;
        let x = Tensor::new(&values(seed, n * fin, -2.0, 2.0), &[n, fin]);
        let w = Tensor::new(&values(seed + 1, fout * fin, -1.0, 1.0), &[fout, fin]);
        let b = Tensor::new(&values(seed + 2, fout, -1.0, 1.0), &[fout]);
        let (xg, wg, bg) = (x.to_device(&gpu), w.to_device(&gpu), b.to_device(&gpu));
        let what = format!("linear {n}x{fin} -> {fout}");
        let unfused = xg.matmul(&wg.t()).add(&bg);
        let fused = xg.linear(&wg, Some(&bg));
        assert!(bits(&fused) == bits(&unfused), "{what}: fused linear differs from matmul + add");
        assert!(bits(&xg.linear_relu(&wg, Some(&bg))) == bits(&unfused.relu()), "{what}: linear_relu");
        assert!(bits(&xg.linear_relu(&wg, None)) == bits(&xg.matmul(&wg.t()).relu()), "{what}: no bias");
        let tol = 1e-6 * fin as f64 + 1e-6;
        assert_close(&what, &x.linear_relu(&w, Some(&b)), &xg.linear_relu(&wg, Some(&bg)), 1e-5, tol);
    }
}

#[test]
fn a_vec4_kernel_refuses_an_unaligned_layout() {
    let Some(gpu) = gpu_or_skip() else { return };
    let a = Tensor::ones(&[8, 6], tensor::DType::F32, &gpu);
    let b = Tensor::ones(&[6, 8], tensor::DType::F32, &gpu);
    let run = std::panic::AssertUnwindSafe(|| matmul_with(&a, &b, MatmulConfig::new(MatmulKernel::TiledVec4)));
    let err = std::panic::catch_unwind(run).expect_err("k = 6 is not vec4-aligned");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.starts_with("matmul_with: lhs [8, 6] and rhs [6, 8]: vec4 needs row-major operands"), "{msg}");
}
