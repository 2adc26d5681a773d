//! Every fused op of `op.rs` against the composition of primitives it replaces, forward and gradient, on each
//! device (`test_device!`). Where the fused kernel evaluates the same expression in the same order the bits are
//! equal and the test says so with `assert_eq!`; where it cannot (a rule that uses a simpler closed form than the
//! chain rule of the composition, or a kernel that rounds the same math in another order) the test states the
//! bound it asserts and why. The fused ops with their own same-bits tests in `rules.rs`: `bce_with_logits_mean`
//! (against `bce_with_logits(..).mean()`), `cross_entropy_mean` (against `log_softmax`, `gather`, `neg`,
//! `mean`), `linear` (against `matmul(w.t()) + b`) and `linear_relu` (against `linear(..).relu()`).

mod common;

use autograd::Var;
use common::t32;
use tensor::Device;

/// The value of `f(inputs)` and the gradient of every input of `Σ f(inputs)·w`, for fixed weights `w` (so the
/// upstream gradient is not the same everywhere).
fn value_and_grads(
    dev: &Device,
    inputs: &[(&[f32], &[usize])],
    f: impl Fn(&[Var]) -> Var,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let vars: Vec<Var> = inputs.iter().map(|(d, s)| Var::leaf(t32(dev, d, s))).collect();
    let out = f(&vars);
    let n = out.tensor().numel();
    let w: Vec<f32> = (0..n).map(|i| 0.25 + (i % 5) as f32 * 0.375).collect();
    let w = Var::constant(t32(dev, &w, &out.shape()));
    (out.clone() * &w).sum().backward();
    (out.tensor().to_f64_vec(), vars.iter().map(|v| v.grad().expect("a gradient").to_f64_vec()).collect())
}

/// The largest `|got - want|`, in units of `f32::EPSILON` times the largest `|want|` (the precision of the values
/// compared, in f32 ulps of their scale).
fn scaled_error(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    let scale = want.iter().fold(f64::MIN_POSITIVE, |m, w| m.max(w.abs()));
    got.iter().zip(want).map(|(g, w)| (g - w).abs()).fold(0.0, f64::max) / (scale * f32::EPSILON as f64)
}

const XS: [f32; 12] = [-4.0, -2.5, -1.0, -0.5, -0.125, 0.0, 0.125, 0.5, 1.0, 2.5, 3.0, 4.0];

fn sigmoid(dev: &Device) {
    // σ(x) = 1 / (1 + e^-x) for x ≥ 0 and e^x / (1 + e^x) below (the kernel's two stable branches, which never
    // overflow): the same bits forward. The rule's σ·(1 - σ) is not the chain rule of that composition
    // (e^-x / (1 + e^-x)²), so the gradients agree to a few ulps of their scale, not to the bit.
    let (pos, neg): (Vec<f32>, Vec<f32>) = XS.iter().partition(|x| **x >= 0.0);
    for (xs, composed) in [
        (&pos, (|v: &[Var]| 1.0 / (v[0].neg().exp() + 1.0)) as fn(&[Var]) -> Var),
        (&neg, |v: &[Var]| v[0].exp() / (v[0].exp() + 1.0)),
    ] {
        let inputs: &[(&[f32], &[usize])] = &[(xs, &[xs.len()])];
        let (fused, fused_grad) = value_and_grads(dev, inputs, |v| v[0].sigmoid());
        let (want, want_grad) = value_and_grads(dev, inputs, composed);
        assert_eq!(fused, want, "sigmoid forward on {xs:?}");
        let e = scaled_error(&fused_grad[0], &want_grad[0]);
        assert!(e <= 4.0, "sigmoid gradient on {xs:?}: {e} ulps of scale");
    }
}
test_device!(sigmoid, sigmoid_cpu, sigmoid_wgpu);

fn softmax(dev: &Device) {
    // softmax(x) = e^(x - max x) / Σ e^(x - max x) along the rows: the kernel subtracts the same maximum and
    // divides by the same sum: the same bits forward. The rule's y·(g - Σ g·y) is not the chain rule through the division and the sum.
    let inputs: &[(&[f32], &[usize])] = &[(&XS, &[3, 4])];
    let (fused, fused_grad) = value_and_grads(dev, inputs, |v| v[0].softmax(1));
    let (want, want_grad) = value_and_grads(dev, inputs, |v| {
        let e = (&v[0] - v[0].max_keepdim(1)).exp();
        &e / e.sum_keepdim(1)
    });
    assert_eq!(fused, want, "softmax forward");
    let g = scaled_error(&fused_grad[0], &want_grad[0]);
    assert!(g <= 4.0, "softmax gradient: {g} ulps of scale");
}
test_device!(softmax, softmax_cpu, softmax_wgpu);

fn log_softmax(dev: &Device) {
    // log_softmax(x) = (x - max x) - ln Σ e^(x - max x) along the rows: the same bits forward. The rule's g - e^y·Σ g is the chain rule
    // simplified (e^y = softmax), so the gradients agree to a few ulps of their scale.
    let inputs: &[(&[f32], &[usize])] = &[(&XS, &[3, 4])];
    let (fused, fused_grad) = value_and_grads(dev, inputs, |v| v[0].log_softmax(1));
    let (want, want_grad) = value_and_grads(dev, inputs, |v| {
        let z = &v[0] - v[0].max_keepdim(1);
        &z - z.exp().sum_keepdim(1).log()
    });
    assert_eq!(fused, want, "log_softmax forward");
    let g = scaled_error(&fused_grad[0], &want_grad[0]);
    assert!(g <= 4.0, "log_softmax gradient: {g} ulps of scale");
}
test_device!(log_softmax, log_softmax_cpu, log_softmax_wgpu);

fn bce_with_logits(dev: &Device) {
    // ℓ(x, y) = max(x, 0) - x·y + ln(1 + e^-|x|): the same bits forward. The rule's σ(x) - y stands for the
    // chain rule through relu, abs, exp and log1p: a few ulps of their scale apart. Not at x = 0, where the
    // composition's pieces take the subgradient 0 of relu and |x| and the smooth loss has σ(0) - y.
    let xs: Vec<f32> = XS.iter().copied().filter(|x| *x != 0.0).collect();
    let ys: Vec<f32> = (0..xs.len()).map(|i| [0.0, 1.0, 0.25, 0.75][i % 4]).collect();
    let inputs: &[(&[f32], &[usize])] = &[(&xs, &[xs.len()]), (&ys, &[xs.len()])];
    let (fused, fused_grad) = value_and_grads(dev, inputs, |v| v[0].bce_with_logits(&v[1]));
    let (want, want_grad) =
        value_and_grads(dev, inputs, |v| v[0].relu() - &v[0] * &v[1] + v[0].abs().neg().exp().log1p());
    assert_eq!(fused, want, "bce_with_logits forward");
    let e = scaled_error(&fused_grad[0], &want_grad[0]);
    assert!(e <= 4.0, "bce_with_logits gradient d/dx: {e} ulps of scale");
    assert_eq!(fused_grad[1], want_grad[1], "bce_with_logits gradient d/dy (-x·g both ways)");
}
test_device!(bce_with_logits, bce_with_logits_cpu, bce_with_logits_wgpu);

fn compositions_give_the_kernels_bits(dev: &Device) {
    // `neg`, `minimum` and `clamp` have no rule: they are recorded as `affine`, `-max(-a, -b)` and a `where`.
    // Their values are the bits of the tensor kernels of the same name (negation is exact), signed zeros and
    // ties included; `sub` is a primitive, checked here too.
    let a = t32(dev, &[-2.0, -0.0, 0.0, 1.0, 3.0, 0.5], &[6]);
    let b = t32(dev, &[1.0, 0.0, -0.0, 1.0, -3.0, 0.25], &[6]);
    let (va, vb) = (Var::leaf(a.clone()), Var::leaf(b.clone()));
    let bits = |t: &tensor::Tensor| t.to_vec::<f32>().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&va.sub(&vb).tensor()), bits(&a.sub(&b)), "sub");
    assert_eq!(bits(&va.neg().tensor()), bits(&a.neg()), "neg");
    assert_eq!(bits(&va.minimum(&vb).tensor()), bits(&a.minimum(&b)), "minimum");
    assert_eq!(bits(&va.clamp(-0.0, 1.0).tensor()), bits(&a.clamp(-0.0, 1.0)), "clamp");
}
test_device!(
    compositions_give_the_kernels_bits,
    compositions_give_the_kernels_bits_cpu,
    compositions_give_the_kernels_bits_wgpu
);
