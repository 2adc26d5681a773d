//! Hand-derived gradients for every rule of `rules.rs`, in the order of the `Op` enum, plus the composed ops
//! that have a shape of their own. Each body takes a device and runs once per backend (`test_device!`); values
//! are f32 so that the GPU can run them too.
//!
//! Unless stated otherwise the loss is `Σ op(inputs)`, so the upstream gradient is 1 everywhere.

mod common;

use autograd::Var;
use common::{assert_close, t32};
use tensor::{Device, Tensor};

/// The gradient of every input of `Σ f(inputs)`.
fn grads_of_sum(dev: &Device, inputs: &[(&[f32], &[usize])], f: impl Fn(&[Var]) -> Var) -> Vec<Vec<f64>> {
    let vars: Vec<Var> = inputs.iter().map(|(d, s)| Var::leaf(t32(dev, d, s))).collect();
    f(&vars).sum().backward();
    vars.iter().map(|v| v.grad().expect("a gradient").to_f64_vec()).collect()
}

fn add(dev: &Device) {
    // d/da (a + b) = 1; b is broadcast over the 2 rows, so d/db = Σ over rows = 2
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4.], &[2, 2]), (&[5., 6.], &[2])], |v| &v[0] + &v[1]);
    assert_close(&g[0], &[1., 1., 1., 1.], 1e-6);
    assert_close(&g[1], &[2., 2.], 1e-6);
}
test_device!(add, add_cpu, add_wgpu);

fn sub(dev: &Device) {
    // d/da (a - b) = 1, d/db = -1 (summed over the broadcast: -3)
    let g = grads_of_sum(dev, &[(&[1., 2., 3.], &[3]), (&[5.], &[1])], |v| &v[0] - &v[1]);
    assert_close(&g[0], &[1., 1., 1.], 1e-6);
    assert_close(&g[1], &[-3.], 1e-6);
}
test_device!(sub, sub_cpu, sub_wgpu);

fn mul(dev: &Device) {
    // d/da (a·b) = b, d/db = a
    let g = grads_of_sum(dev, &[(&[1., 2.], &[2]), (&[3., -4.], &[2])], |v| &v[0] * &v[1]);
    assert_close(&g[0], &[3., -4.], 1e-6);
    assert_close(&g[1], &[1., 2.], 1e-6);
}
test_device!(mul, mul_cpu, mul_wgpu);

fn div(dev: &Device) {
    // d/da (a/b) = 1/b = 0.5, d/db = -a/b² = -3/4
    let g = grads_of_sum(dev, &[(&[3.], &[1]), (&[2.], &[1])], |v| &v[0] / &v[1]);
    assert_close(&g[0], &[0.5], 1e-6);
    assert_close(&g[1], &[-0.75], 1e-6);
}
test_device!(div, div_cpu, div_wgpu);

fn maximum(dev: &Device) {
    // d/da max(a, b) = [a > b] + ½[a = b]: a wins, b wins, a tie
    let g = grads_of_sum(dev, &[(&[3., 1., 2.], &[3]), (&[1., 3., 2.], &[3])], |v| v[0].maximum(&v[1]));
    assert_close(&g[0], &[1., 0., 0.5], 1e-6);
    assert_close(&g[1], &[0., 1., 0.5], 1e-6);
}
test_device!(maximum, maximum_cpu, maximum_wgpu);

fn minimum(dev: &Device) {
    // d/da min(a, b) = [a < b] + ½[a = b]
    let g = grads_of_sum(dev, &[(&[3., 1., 2.], &[3]), (&[1., 3., 2.], &[3])], |v| v[0].minimum(&v[1]));
    assert_close(&g[0], &[0., 1., 0.5], 1e-6);
    assert_close(&g[1], &[1., 0., 0.5], 1e-6);
}
test_device!(minimum, minimum_cpu, minimum_wgpu);

fn bce_with_logits(dev: &Device) {
    // d/dx ℓ(x, y) = σ(x) - y: σ(0) - 1 = -0.5, σ(0) - 0 = 0.5; d/dy ℓ = -x = 0 and -2
    let g = grads_of_sum(dev, &[(&[0., 0., 2.], &[3]), (&[1., 0., 0.5], &[3])], |v| v[0].bce_with_logits(&v[1]));
    let s2 = 1.0 / (1.0 + (-2.0f64).exp());
    assert_close(&g[0], &[-0.5, 0.5, s2 - 0.5], 1e-6);
    assert_close(&g[1], &[0., 0., -2.], 1e-6);
}
test_device!(bce_with_logits, bce_with_logits_cpu, bce_with_logits_wgpu);

fn bce_with_logits_mean(dev: &Device) {
    // The mean of the above over n = 3 (the sum of one element is the loss itself): each gradient divided by 3;
    // the same bits as the composed `bce_with_logits(..).mean()`, for both operands.
    let inputs: &[(&[f32], &[usize])] = &[(&[0., 0., 2.], &[3]), (&[1., 0., 0.5], &[3])];
    let g = grads_of_sum(dev, inputs, |v| v[0].bce_with_logits_mean(&v[1]));
    let s2 = 1.0 / (1.0 + (-2.0f64).exp());
    assert_close(&g[0], &[-0.5 / 3.0, 0.5 / 3.0, (s2 - 0.5) / 3.0], 1e-6);
    assert_close(&g[1], &[0., 0., -2.0 / 3.0], 1e-6);
    let composed = grads_of_sum(dev, inputs, |v| v[0].bce_with_logits(&v[1]).mean());
    assert_eq!(g, composed);
}
test_device!(bce_with_logits_mean, bce_with_logits_mean_cpu, bce_with_logits_mean_wgpu);

fn cross_entropy_mean(dev: &Device) {
    // mean_i -log_softmax(x_i)[t_i] over 2 rows: d/dx_ij = (softmax(x_i)_j - [j = t_i]) / 2; the same bits as the
    // composed `-log_softmax(1).gather(1, t).mean()`. The second row is certain of class 1 (±1e4).
    let inputs: &[(&[f32], &[usize])] = &[(&[0., 0., 1., 2., 1e4, -1e4], &[2, 3])];
    let t = Tensor::from_slice(&[2i64, 0], &[2], dev);
    let g = grads_of_sum(dev, inputs, |v| v[0].cross_entropy_mean(&t));
    let e = [1.0f64, 1.0, 1.0f64.exp()];
    let z: f64 = e.iter().sum();
    assert_close(&g[0], &[e[0] / z / 2.0, e[1] / z / 2.0, (e[2] / z - 1.0) / 2.0, -0.5, 0.5, 0.0], 1e-6);
    let composed =
        grads_of_sum(dev, inputs, |v| v[0].log_softmax(1).gather(1, &t.unsqueeze(1)).squeeze_dim(1).neg().mean());
    assert_eq!(g, composed);
}
test_device!(cross_entropy_mean, cross_entropy_mean_cpu, cross_entropy_mean_wgpu);

fn where_cond(dev: &Device) {
    // d/da where(c, a, b) = [c], d/db = [not c]; b is a scalar broadcast: it collects the 2 unselected places
    let cond = t32(dev, &[1., 0., 1., 0.], &[4]);
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4.], &[4]), (&[9.], &[])], |v| Var::where_cond(&cond, &v[0], &v[1]));
    assert_close(&g[0], &[1., 0., 1., 0.], 1e-6);
    assert_close(&g[1], &[2.], 1e-6);
}
test_device!(where_cond, where_cond_cpu, where_cond_wgpu);

fn neg(dev: &Device) {
    // d/dx (-x) = -1
    let g = grads_of_sum(dev, &[(&[1., -2.], &[2])], |v| -&v[0]);
    assert_close(&g[0], &[-1., -1.], 1e-6);
}
test_device!(neg, neg_cpu, neg_wgpu);

fn affine(dev: &Device) {
    // d/dx (3x + 1) = 3
    let g = grads_of_sum(dev, &[(&[1., -2.], &[2])], |v| v[0].affine(3.0, 1.0));
    assert_close(&g[0], &[3., 3.], 1e-6);
}
test_device!(affine, affine_cpu, affine_wgpu);

fn powf(dev: &Device) {
    // d/dx x³ = 3x² = 12 at 2, 3/4 at 0.5
    let g = grads_of_sum(dev, &[(&[2., 0.5], &[2])], |v| v[0].powf(3.0));
    assert_close(&g[0], &[12., 0.75], 1e-6);
}
test_device!(powf, powf_cpu, powf_wgpu);

fn exp(dev: &Device) {
    // d/dx e^x = e^x
    let g = grads_of_sum(dev, &[(&[0., 1.], &[2])], |v| v[0].exp());
    assert_close(&g[0], &[1., std::f64::consts::E], 1e-6);
}
test_device!(exp, exp_cpu, exp_wgpu);

fn log(dev: &Device) {
    // d/dx ln x = 1/x
    let g = grads_of_sum(dev, &[(&[2., 0.25], &[2])], |v| v[0].log());
    assert_close(&g[0], &[0.5, 4.], 1e-6);
}
test_device!(log, log_cpu, log_wgpu);

fn log1p(dev: &Device) {
    // d/dx ln(1 + x) = 1/(1 + x)
    let g = grads_of_sum(dev, &[(&[1., 0., -0.5], &[3])], |v| v[0].log1p());
    assert_close(&g[0], &[0.5, 1., 2.], 1e-6);
}
test_device!(log1p, log1p_cpu, log1p_wgpu);

fn sqrt(dev: &Device) {
    // d/dx √x = 1/(2√x) = 1/4 at 4, 1/6 at 9
    let g = grads_of_sum(dev, &[(&[4., 9.], &[2])], |v| v[0].sqrt());
    assert_close(&g[0], &[0.25, 1.0 / 6.0], 1e-6);
}
test_device!(sqrt, sqrt_cpu, sqrt_wgpu);

fn abs(dev: &Device) {
    // d/dx |x| = sign(x), 0 at 0
    let g = grads_of_sum(dev, &[(&[-2., 0., 3.], &[3])], |v| v[0].abs());
    assert_close(&g[0], &[-1., 0., 1.], 1e-6);
}
test_device!(abs, abs_cpu, abs_wgpu);

fn relu(dev: &Device) {
    // d/dx max(x, 0) = [x > 0] (0 at 0, as PyTorch)
    let g = grads_of_sum(dev, &[(&[-1., 0., 2.], &[3])], |v| v[0].relu());
    assert_close(&g[0], &[0., 0., 1.], 1e-6);
}
test_device!(relu, relu_cpu, relu_wgpu);

fn sigmoid(dev: &Device) {
    // d/dx σ(x) = σ(1 - σ) = 1/4 at 0
    let g = grads_of_sum(dev, &[(&[0., 2.], &[2])], |v| v[0].sigmoid());
    let s = 1.0 / (1.0 + (-2.0f64).exp());
    assert_close(&g[0], &[0.25, s * (1.0 - s)], 1e-6);
}
test_device!(sigmoid, sigmoid_cpu, sigmoid_wgpu);

fn tanh(dev: &Device) {
    // d/dx tanh x = 1 - tanh² x = 1 at 0
    let g = grads_of_sum(dev, &[(&[0., 1.], &[2])], |v| v[0].tanh());
    assert_close(&g[0], &[1., 1.0 - 1.0f64.tanh().powi(2)], 1e-6);
}
test_device!(tanh, tanh_cpu, tanh_wgpu);

fn clamp(dev: &Device) {
    // d/dx clamp(x, -1, 1) = [-1 ≤ x ≤ 1], the bounds included
    let g = grads_of_sum(dev, &[(&[-2., -1., 0., 1., 2.], &[5])], |v| v[0].clamp(-1.0, 1.0));
    assert_close(&g[0], &[0., 1., 1., 1., 0.], 1e-6);
}
test_device!(clamp, clamp_cpu, clamp_wgpu);

fn sum(dev: &Device) {
    // y_i = Σ_j x_ij, loss = Σ_i w_i y_i: d/dx_ij = w_i (the upstream gradient broadcast back along j)
    let x = Var::leaf(t32(dev, &[1., 2., 3., 4., 5., 6.], &[2, 3]));
    let w = Var::constant(t32(dev, &[10., 20.], &[2]));
    (x.sum_dim(1usize) * &w).sum().backward();
    assert_close(&x.grad().unwrap().to_f64_vec(), &[10., 10., 10., 20., 20., 20.], 1e-6);
}
test_device!(sum, sum_cpu, sum_wgpu);

fn max(dev: &Device) {
    // d/dx max_j x_ij = [x_ij = max] / #maxima: a unique maximum, then a tie of two
    let g = grads_of_sum(dev, &[(&[1., 5., 2., 3., 0., 3.], &[2, 3])], |v| v[0].max_dim(-1));
    assert_close(&g[0], &[0., 1., 0., 0.5, 0., 0.5], 1e-6);
}
test_device!(max, max_cpu, max_wgpu);

fn softmax(dev: &Device) {
    // y = softmax([0, 0]) = [½, ½]; loss = y₀: d/dx_j = y_j([j = 0] - y₀) = [¼, -¼]
    let x = Var::leaf(t32(dev, &[0., 0.], &[2]));
    x.softmax(0usize).narrow(0usize, 0, 1).sum().backward();
    assert_close(&x.grad().unwrap().to_f64_vec(), &[0.25, -0.25], 1e-6);
    // Σ_j softmax(x)_j = 1 whatever x: the gradient of the sum is 0.
    let g = grads_of_sum(dev, &[(&[1., 2., 3.], &[3])], |v| v[0].softmax(0usize));
    assert_close(&g[0], &[0., 0., 0.], 1e-6);
}
test_device!(softmax, softmax_cpu, softmax_wgpu);

fn log_softmax(dev: &Device) {
    // y = log_softmax(x), loss = y₀ (cross-entropy of class 0, negated): d/dx_j = [j = 0] - softmax(x)_j
    let x = Var::leaf(t32(dev, &[0., 0., 0., 0.], &[4]));
    x.log_softmax(0usize).narrow(0usize, 0, 1).sum().backward();
    assert_close(&x.grad().unwrap().to_f64_vec(), &[0.75, -0.25, -0.25, -0.25], 1e-6);
}
test_device!(log_softmax, log_softmax_cpu, log_softmax_wgpu);

fn matmul(dev: &Device) {
    // loss = Σ (A B): d/dA = 1 Bᵀ (row sums of B in each row), d/dB = Aᵀ 1 (column sums of A in each column)
    let a: &[f32] = &[1., 2., 3., 4., 5., 6.]; // [2, 3]
    let b: &[f32] = &[1., 0., 0., 1., 2., 3.]; // [3, 2]
    let g = grads_of_sum(dev, &[(a, &[2, 3]), (b, &[3, 2])], |v| v[0].matmul(&v[1]));
    assert_close(&g[0], &[1., 1., 5., 1., 1., 5.], 1e-6);
    assert_close(&g[1], &[5., 5., 7., 7., 9., 9.], 1e-6);
    // Batched [2, 2, 3] @ [3, 2]: the 2-D operand is shared by both batches, so its gradient is the sum of both.
    let a2: Vec<f32> = a.iter().chain(a).copied().collect();
    let g = grads_of_sum(dev, &[(&a2, &[2, 2, 3]), (b, &[3, 2])], |v| v[0].matmul(&v[1]));
    assert_close(&g[1], &[10., 10., 14., 14., 18., 18.], 1e-6);
}
test_device!(matmul, matmul_cpu, matmul_wgpu);

fn linear(dev: &Device) {
    // loss = Σ (x Wᵀ + b): d/dx = 1 W (column sums of W in each row), d/dW = 1ᵀ x (column sums of x in each
    // row), d/db = the number of rows
    let x: &[f32] = &[1., 2., 3., 4., 5., 6.]; // [3, 2]
    let w: &[f32] = &[1., 0., 0., 1., 2., 3.]; // [3, 2]: 3 outputs
    let g =
        grads_of_sum(dev, &[(x, &[3, 2]), (w, &[3, 2]), (&[0.5, -1., 2.], &[3])], |v| v[0].linear(&v[1], Some(&v[2])));
    assert_close(&g[0], &[3., 4., 3., 4., 3., 4.], 1e-6);
    assert_close(&g[1], &[9., 12., 9., 12., 9., 12.], 1e-6);
    assert_close(&g[2], &[3., 3., 3.], 1e-6);
    // The same values and gradients as the unfused graph x.matmul(W.t()) + b, bit for bit.
    let vars = |d: &[f32], s: &[usize]| Var::leaf(t32(dev, d, s));
    let (x1, w1, b1) = (vars(x, &[3, 2]), vars(w, &[3, 2]), vars(&[0.5, -1., 2.], &[3]));
    let (x2, w2, b2) = (vars(x, &[3, 2]), vars(w, &[3, 2]), vars(&[0.5, -1., 2.], &[3]));
    let fused = x1.linear(&w1, Some(&b1)).sigmoid();
    let unfused = (x2.matmul(&w2.t()) + &b2).sigmoid();
    assert_eq!(fused.tensor().to_f64_vec(), unfused.tensor().to_f64_vec());
    fused.sum().backward();
    unfused.sum().backward();
    for (a, b) in [(&x1, &x2), (&w1, &w2), (&b1, &b2)] {
        assert_eq!(a.grad().unwrap().to_f64_vec(), b.grad().unwrap().to_f64_vec());
    }
    // Without a bias: two inputs.
    let g = grads_of_sum(dev, &[(x, &[3, 2]), (w, &[3, 2])], |v| v[0].linear(&v[1], None));
    assert_close(&g[1], &[9., 12., 9., 12., 9., 12.], 1e-6);
}
test_device!(linear, linear_cpu, linear_wgpu);

fn linear_weight_grad_at_the_tutorial_shapes(dev: &Device) {
    // dW is computed as gᵀ x in W's orientation (contiguous, no copy); the unfused graph's (xᵀ g)ᵀ has the same
    // bits: each element is the same dot product over the rows. Random values at the tutorial's layer shapes
    // (800 rows; 2 → 10, 10 → 10, 10 → 1, 10 → 3) and an odd one.
    let mut state = 0x2545_f491_u32;
    let mut random = |n: usize| -> Vec<f32> {
        (0..n)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 * 4.0 - 2.0
            })
            .collect()
    };
    for (rows, fin, fout) in [(800, 2, 10), (800, 10, 10), (800, 10, 1), (800, 10, 3), (37, 5, 3)] {
        let (x, w, b, up) = (random(rows * fin), random(fout * fin), random(fout), random(rows * fout));
        let up = Var::constant(t32(dev, &up, &[rows, fout]));
        let vars = || {
            (
                Var::leaf(t32(dev, &x, &[rows, fin])),
                Var::leaf(t32(dev, &w, &[fout, fin])),
                Var::leaf(t32(dev, &b, &[fout])),
            )
        };
        let ((x1, w1, b1), (x2, w2, b2)) = (vars(), vars());
        (x1.linear(&w1, Some(&b1)) * &up).sum().backward();
        (&(x2.matmul(&w2.t()) + &b2) * &up).sum().backward();
        let (g1, g2) = (w1.grad().unwrap(), w2.grad().unwrap());
        assert!(g1.is_contiguous(), "{rows}x{fin}->{fout}: the weight gradient is contiguous");
        assert_eq!(g1.to_f64_vec(), g2.to_f64_vec(), "{rows}x{fin}->{fout} on {}", dev.name());
        assert_eq!(x1.grad().unwrap().to_f64_vec(), x2.grad().unwrap().to_f64_vec());
    }
}
test_device!(
    linear_weight_grad_at_the_tutorial_shapes,
    linear_weight_grad_at_the_tutorial_shapes_cpu,
    linear_weight_grad_at_the_tutorial_shapes_wgpu
);

fn linear_relu(dev: &Device) {
    // loss = Σ max(x Wᵀ + b, 0): the gradient of `linear` with the rows' outputs ≤ 0 masked out.
    // x Wᵀ + b = [[1.5, -2, 10], [3.5, 0, 20], [5.5, 2, 30]] (b = [0.5, -4, 2]): the mask [y > 0] drops the
    // middle column in the first two rows (relu'(0) = 0, as PyTorch), so d/dx = mask W, d/dW = maskᵀ x,
    // d/db = the column sums of the mask.
    let x: &[f32] = &[1., 2., 3., 4., 5., 6.]; // [3, 2]
    let w: &[f32] = &[1., 0., 0., 1., 2., 3.]; // [3, 2]
    let b: &[f32] = &[0.5, -4., 2.];
    let g = grads_of_sum(dev, &[(x, &[3, 2]), (w, &[3, 2]), (b, &[3])], |v| v[0].linear_relu(&v[1], Some(&v[2])));
    assert_close(&g[0], &[3., 3., 3., 3., 3., 4.], 1e-6);
    assert_close(&g[1], &[9., 12., 5., 6., 9., 12.], 1e-6);
    assert_close(&g[2], &[3., 1., 3.], 1e-6);
    // The same values and gradients as `linear(..).relu()`, bit for bit, with and without a bias.
    let vars = |d: &[f32], s: &[usize]| Var::leaf(t32(dev, d, s));
    for bias in [true, false] {
        let (x1, w1, b1) = (vars(x, &[3, 2]), vars(w, &[3, 2]), vars(b, &[3]));
        let (x2, w2, b2) = (vars(x, &[3, 2]), vars(w, &[3, 2]), vars(b, &[3]));
        let fused = x1.linear_relu(&w1, bias.then_some(&b1)).sigmoid();
        let unfused = x2.linear(&w2, bias.then_some(&b2)).relu().sigmoid();
        assert_eq!(fused.tensor().to_f64_vec(), unfused.tensor().to_f64_vec());
        fused.sum().backward();
        unfused.sum().backward();
        for (a, b) in [(&x1, &x2), (&w1, &w2)] {
            assert_eq!(a.grad().unwrap().to_f64_vec(), b.grad().unwrap().to_f64_vec());
        }
        if bias {
            assert_eq!(b1.grad().unwrap().to_f64_vec(), b2.grad().unwrap().to_f64_vec());
        }
    }
}
test_device!(linear_relu, linear_relu_cpu, linear_relu_wgpu);

fn reshape(dev: &Device) {
    // reshape moves nothing: the gradient (here w, laid out [3, 2]) comes back in the input's shape [2, 3]
    let x = Var::leaf(t32(dev, &[0.; 6], &[2, 3]));
    let w = Var::constant(t32(dev, &[1., 2., 3., 4., 5., 6.], &[3, 2]));
    (x.reshape(&[3, 2]) * &w).sum().backward();
    let g = x.grad().unwrap();
    assert_eq!(g.shape(), &[2, 3]);
    assert_close(&g.to_f64_vec(), &[1., 2., 3., 4., 5., 6.], 1e-6);
}
test_device!(reshape, reshape_cpu, reshape_wgpu);

fn permute(dev: &Device) {
    // y = xᵀ, loss = Σ y ⊙ w: d/dx = wᵀ
    let x = Var::leaf(t32(dev, &[0.; 6], &[2, 3]));
    let w = Var::constant(t32(dev, &[1., 2., 3., 4., 5., 6.], &[3, 2]));
    (x.permute(&[1, 0]) * &w).sum().backward();
    assert_close(&x.grad().unwrap().to_f64_vec(), &[1., 3., 5., 2., 4., 6.], 1e-6);
}
test_device!(permute, permute_cpu, permute_wgpu);

fn expand(dev: &Device) {
    // [2, 1] expanded to [3, 2, 4]: each element has 3·4 = 12 copies, whose gradients add up
    let g = grads_of_sum(dev, &[(&[1., 2.], &[2, 1])], |v| v[0].expand(&[3, 2, 4]));
    assert_close(&g[0], &[12., 12.], 1e-6);
}
test_device!(expand, expand_cpu, expand_wgpu);

fn narrow(dev: &Device) {
    // elements 1..3 of 4 get the gradient, the others 0
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4.], &[4])], |v| v[0].narrow(0usize, 1, 2));
    assert_close(&g[0], &[0., 1., 1., 0.], 1e-6);
}
test_device!(narrow, narrow_cpu, narrow_wgpu);

fn cat(dev: &Device) {
    // y = [a, b], loss = Σ y ⊙ w: each input gets its slice of w
    let a = Var::leaf(t32(dev, &[0., 0.], &[2]));
    let b = Var::leaf(t32(dev, &[0., 0., 0.], &[3]));
    let w = Var::constant(t32(dev, &[1., 2., 3., 4., 5.], &[5]));
    (Var::cat(&[&a, &b], 0usize) * &w).sum().backward();
    assert_close(&a.grad().unwrap().to_f64_vec(), &[1., 2.], 1e-6);
    assert_close(&b.grad().unwrap().to_f64_vec(), &[3., 4., 5.], 1e-6);
}
test_device!(cat, cat_cpu, cat_wgpu);

fn gather(dev: &Device) {
    // out[i][j] = x[i][index[i][j]]: x[0][2] is picked twice (gradient 2), x[1][0] once
    let index = Tensor::from_slice(&[2i64, 2, 0, 1], &[2, 2], dev);
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4., 5., 6.], &[2, 3])], |v| v[0].gather(1usize, &index));
    assert_close(&g[0], &[0., 0., 2., 1., 1., 0.], 1e-6);
}
test_device!(gather, gather_cpu, gather_wgpu);

// --- composed ops: no rules of their own, but shapes and values to get right -----------------------------------

fn index_select(dev: &Device) {
    // rows [2, 0, 2] of a [3, 2]: row 2 twice, row 0 once, row 1 never
    let index = Tensor::from_slice(&[2i64, 0, 2], &[3], dev);
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4., 5., 6.], &[3, 2])], |v| v[0].index_select(0usize, &index));
    assert_close(&g[0], &[1., 1., 0., 0., 2., 2.], 1e-6);
}
test_device!(index_select, index_select_cpu, index_select_wgpu);

fn mean(dev: &Device) {
    // d/dx_j mean(x) = 1/n
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4.], &[2, 2])], |v| v[0].mean_keepdim(0usize));
    assert_close(&g[0], &[0.5; 4], 1e-6);
    let g = grads_of_sum(dev, &[(&[1., 2., 3., 4.], &[4])], |v| v[0].mean());
    assert_close(&g[0], &[0.25; 4], 1e-6);
}
test_device!(mean, mean_cpu, mean_wgpu);

fn stack(dev: &Device) {
    // stack([a, b], 1)[i] = [a_i, b_i], loss = Σ y ⊙ w: a gets w[:, 0], b gets w[:, 1]
    let a = Var::leaf(t32(dev, &[0., 0.], &[2]));
    let b = Var::leaf(t32(dev, &[0., 0.], &[2]));
    let w = Var::constant(t32(dev, &[1., 2., 3., 4.], &[2, 2]));
    (Var::stack(&[&a, &b], 1usize) * &w).sum().backward();
    assert_close(&a.grad().unwrap().to_f64_vec(), &[1., 3.], 1e-6);
    assert_close(&b.grad().unwrap().to_f64_vec(), &[2., 4.], 1e-6);
}
test_device!(stack, stack_cpu, stack_wgpu);

fn sqr_and_scalar_operators(dev: &Device) {
    // d/dx (1 + 3x² - x/2) = 6x - 1/2 = 5.5 at 1
    let g = grads_of_sum(dev, &[(&[1.], &[1])], |v| 1.0 + v[0].sqr() * 3.0 - &v[0] / 2.0);
    assert_close(&g[0], &[5.5], 1e-6);
}
test_device!(sqr_and_scalar_operators, sqr_and_scalar_operators_cpu, sqr_and_scalar_operators_wgpu);
