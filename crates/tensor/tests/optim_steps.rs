//! The optimizer steps (`Tensor::sgd_step`, `sgd_step_many`, `adam_step`: one kernel per parameter) against the
//! reference they stand for — PyTorch's single-tensor update written with tensor ops, line for line
//! ([`sgd_step_ops`], [`adam_step_ops`]) — bit for bit, for every option, over several steps (so the buffers the
//! kernels write are checked too): f32 and f64 on the CPU, f32 on the GPU (lavapipe in CI).

use tensor::{AdamStep, DType, Device, SgdStep, Tensor};

/// `torch.optim.SGD`'s `_single_tensor_sgd` for one parameter, as tensor ops: the new parameter and, with
/// momentum, the new momentum buffer.
fn sgd_step_ops(x: &Tensor, grad: &Tensor, buf: Option<&Tensor>, h: &SgdStep) -> (Tensor, Option<Tensor>) {
    let mut g = if h.maximize { grad.neg() } else { grad.clone() };
    if h.weight_decay != 0.0 {
        // grad.add(param, alpha=weight_decay)
        g = g.add(&x.mul_scalar(h.weight_decay));
    }
    let mut new_buf = None;
    if h.momentum != 0.0 {
        // buf.mul_(momentum).add_(grad, alpha=1 - dampening), or a copy of the gradient at first (`add_` skips the
        // multiplication when alpha = 1)
        let b = match buf {
            None => g.clone(),
            Some(b) if 1.0 - h.dampening == 1.0 => b.mul_scalar(h.momentum).add(&g),
            Some(b) => b.mul_scalar(h.momentum).add(&g.mul_scalar(1.0 - h.dampening)),
        };
        g = if h.nesterov { g.add(&b.mul_scalar(h.momentum)) } else { b.clone() };
        new_buf = Some(b);
    }
    // param.add_(grad, alpha=-lr)
    (x.add(&g.mul_scalar(-h.lr)), new_buf)
}

/// `torch.lerp(start, end, w)` as aten computes it: `start + w·(end - start)` for `|w| < 0.5`, else
/// `end - (end - start)·(1 - w)`.
fn lerp(start: &Tensor, end: &Tensor, w: f64) -> Tensor {
    let diff = end.sub(start);
    if w.abs() < 0.5 {
        start.add(&diff.mul_scalar(w))
    } else {
        end.sub(&diff.mul_scalar(1.0 - w))
    }
}

/// `torch.optim.Adam`'s (and AdamW's) `_single_tensor_adam` for one parameter, as tensor ops:
/// `(param, exp_avg, exp_avg_sq, max_exp_avg_sq)`.
fn adam_step_ops(
    x: &Tensor,
    grad: &Tensor,
    m: &Tensor,
    v: &Tensor,
    max: Option<&Tensor>,
    h: &AdamStep,
) -> (Tensor, Tensor, Tensor, Option<Tensor>) {
    let mut x = x.clone();
    let mut g = if h.maximize { grad.neg() } else { grad.clone() };
    if h.weight_decay != 0.0 {
        if h.decoupled_weight_decay {
            // param.mul_(1 - lr * weight_decay)
            x = x.mul_scalar(1.0 - h.lr * h.weight_decay);
        } else {
            // grad.add(param, alpha=weight_decay)
            g = g.add(&x.mul_scalar(h.weight_decay));
        }
    }
    // exp_avg.lerp_(grad, 1 - beta1)
    let m = lerp(m, &g, 1.0 - h.beta1);
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    let v = v.mul_scalar(h.beta2).add(&g.mul_scalar(1.0 - h.beta2).mul(&g));
    // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    let max = max.map(|max| max.maximum(&v));
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    let denom = max.as_ref().unwrap_or(&v).sqrt().div_scalar(h.bias_correction2_sqrt).add_scalar(h.eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    (x.add(&m.mul_scalar(-h.step_size).div(&denom)), m, v, max)
}

/// A deterministic spread of values over several magnitudes, signed zeros and both signs included.
fn values(seed: u64, n: usize) -> Vec<f64> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match i % 11 {
                0 => 0.0,
                1 => -0.0,
                _ => ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((x % 7) as i32 - 4),
            }
        })
        .collect()
}

fn bits(t: &Tensor) -> Vec<u64> {
    t.to_f64_vec().iter().map(|v| v.to_bits()).collect()
}

/// The devices and dtypes every step is checked on.
fn devices() -> Vec<(Device, DType)> {
    let mut all = vec![(Device::Cpu, DType::F32), (Device::Cpu, DType::F64)];
    #[cfg(feature = "wgpu")]
    if let Some(gpu) = tensor::gpu::testing::gpu_or_skip() {
        all.push((gpu, DType::F32));
    }
    all
}

/// The shapes: a layer's weight, and one past a GPU workgroup of 256.
const SHAPES: [&[usize]; 2] = [&[7, 3], &[257]];

/// SGD options: (momentum, dampening, nesterov, weight_decay, maximize).
const SGD_CASES: [(f64, f64, bool, f64, bool); 6] = [
    (0.0, 0.0, false, 0.0, false),
    (0.0, 0.0, false, 0.1, true),
    (0.9, 0.0, false, 0.0, false),
    (0.9, 0.1, false, 0.01, true),
    (0.5, 0.0, true, 0.1, false),
    (0.3, 0.5, false, 0.0, true),
];

#[test]
fn sgd_step_matches_the_tensor_ops_bit_for_bit() {
    for (device, dtype) in devices() {
        for shape in SHAPES {
            let n: usize = shape.iter().product();
            let t = |seed: u64| Tensor::new(&values(seed, n), shape).to_dtype(dtype).to_device(&device);
            for (case, &(momentum, dampening, nesterov, weight_decay, maximize)) in SGD_CASES.iter().enumerate() {
                let h = SgdStep { lr: 0.1, momentum, dampening, nesterov, weight_decay, maximize };
                let (mut xk, mut xo) = (t(case as u64), t(case as u64));
                let (mut bk, mut bo) = (None, None);
                for step in 1..=3u64 {
                    let g = t(step + 10 * case as u64 + 100);
                    let (x, b) = xk.sgd_step(&g, bk.as_ref(), &h);
                    (xk, bk) = (x, b);
                    let (x, b) = sgd_step_ops(&xo, &g, bo.as_ref(), &h);
                    (xo, bo) = (x, b);
                    let what = format!("{} {dtype} {shape:?} case {case} step {step}", device.name());
                    assert_eq!(bits(&xk), bits(&xo), "{what}: parameter");
                    assert_eq!(bk.as_ref().map(bits), bo.as_ref().map(bits), "{what}: momentum buffer");
                    assert_eq!(xk.device().name(), device.name(), "{what}: the result stays on the device");
                }
            }
        }
    }
}

/// Adam options: (weight_decay, decoupled, amsgrad, maximize, beta1); beta1 = 0.3 takes the lerp's other branch.
const ADAM_CASES: [(f64, bool, bool, bool, f64); 6] = [
    (0.0, false, false, false, 0.9),
    (0.1, false, true, false, 0.9),
    (0.01, true, false, true, 0.3),
    (0.05, true, true, true, 0.6),
    (0.0, false, false, false, 0.3),
    (0.0, false, true, true, 0.9),
];

#[test]
fn adam_step_matches_the_tensor_ops_bit_for_bit() {
    for (device, dtype) in devices() {
        for shape in SHAPES {
            let n: usize = shape.iter().product();
            let t = |seed: u64| Tensor::new(&values(seed, n), shape).to_dtype(dtype).to_device(&device);
            for (case, &(weight_decay, decoupled, amsgrad, maximize, beta1)) in ADAM_CASES.iter().enumerate() {
                let zeros = || Tensor::zeros(shape, dtype, &device);
                let (mut xk, mut mk, mut vk, mut maxk) = (t(case as u64 + 1), zeros(), zeros(), amsgrad.then(zeros));
                let (mut xo, mut mo, mut vo, mut maxo) = (xk.clone(), zeros(), zeros(), amsgrad.then(zeros));
                for step in 1..=4u64 {
                    let g = t(step * 31 + case as u64);
                    let h = AdamStep {
                        weight_decay,
                        decoupled_weight_decay: decoupled,
                        amsgrad,
                        maximize,
                        ..AdamStep::new(0.02, (beta1, 0.999), 1e-8, step)
                    };
                    (xk, mk, vk, maxk) = xk.adam_step(&g, &mk, &vk, maxk.as_ref(), &h);
                    (xo, mo, vo, maxo) = adam_step_ops(&xo, &g, &mo, &vo, maxo.as_ref(), &h);
                    let what = format!("{} {dtype} {shape:?} case {case} step {step}", device.name());
                    assert_eq!(bits(&xk), bits(&xo), "{what}: parameter");
                    assert_eq!(bits(&mk), bits(&mo), "{what}: exp_avg");
                    assert_eq!(bits(&vk), bits(&vo), "{what}: exp_avg_sq");
                    assert_eq!(maxk.as_ref().map(bits), maxo.as_ref().map(bits), "{what}: max_exp_avg_sq");
                    assert_eq!(mk.shape(), shape, "{what}: exp_avg's shape");
                }
            }
        }
    }
}

/// Views that are not contiguous (a narrowed parameter with an offset, a transposed gradient) step as their
/// contiguous copies do.
#[test]
fn steps_of_strided_views_match_their_contiguous_copies() {
    for (device, dtype) in devices() {
        let x = Tensor::new(&values(7, 30), &[30]).to_dtype(dtype).to_device(&device).narrow(0, 5, 20).reshape(&[4, 5]);
        let g = Tensor::new(&values(8, 30), &[5, 6]).to_dtype(dtype).to_device(&device).narrow(1, 1, 4).t();
        let b = Tensor::new(&values(9, 20), &[5, 4]).to_dtype(dtype).to_device(&device).t();
        let h = SgdStep { momentum: 0.9, nesterov: true, ..SgdStep::new(0.1) };
        let (x1, b1) = x.sgd_step(&g, Some(&b), &h);
        let (x2, b2) = x.contiguous().sgd_step(&g.contiguous(), Some(&b.contiguous()), &h);
        assert_eq!((bits(&x1), bits(&b1.unwrap())), (bits(&x2), bits(&b2.unwrap())), "{}: sgd_step", device.name());
        let h = AdamStep { amsgrad: true, ..AdamStep::new(0.01, (0.9, 0.999), 1e-8, 3) };
        let a = x.adam_step(&g, &b, &g, Some(&b), &h);
        let c = x.contiguous().adam_step(&g.contiguous(), &b.contiguous(), &g.contiguous(), Some(&b.contiguous()), &h);
        assert_eq!(bits(&a.0), bits(&c.0), "{}: adam_step", device.name());
        assert_eq!(bits(&a.3.unwrap()), bits(&c.3.unwrap()), "{}: adam_step", device.name());
    }
}

/// `sgd_step_many` (on a GPU two parameters per dispatch without momentum) gives the bits of `sgd_step` one
/// parameter at a time, for odd and even numbers of parameters, the tutorial's layer shapes, views with an offset,
/// and with momentum (one by one, the buffers returned).
#[test]
fn sgd_step_many_matches_one_by_one() {
    let shapes: &[&[usize]] = &[&[10, 2], &[10], &[10, 10], &[10], &[1, 10], &[1], &[300, 3]];
    for (device, dtype) in devices() {
        for h in [
            SgdStep::new(0.1),
            SgdStep { weight_decay: 0.1, maximize: true, ..SgdStep::new(0.1) },
            SgdStep { momentum: 0.9, ..SgdStep::new(0.1) },
        ] {
            for count in [1usize, 2, 3, 6, 7] {
                let steps: Vec<(Tensor, Tensor, Option<Tensor>)> = shapes[..count]
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let n = s.iter().product::<usize>();
                        let t = |seed, n| Tensor::new(&values(seed, n), &[n]).to_dtype(dtype).to_device(&device);
                        let x = t(700 + i as u64, n).reshape(s);
                        // Every other gradient is a view starting past its buffer's first element.
                        let g = if i % 2 == 1 {
                            t(800 + i as u64, n + 1).narrow(0, 1, n).reshape(s)
                        } else {
                            t(800, n).reshape(s)
                        };
                        let b = (i % 3 == 0).then(|| t(900 + i as u64, n).reshape(s));
                        (x, g, b)
                    })
                    .collect();
                let many = Tensor::sgd_step_many(&steps, &h);
                assert_eq!(many.len(), count);
                for (i, ((x, g, b), (xm, bm))) in steps.iter().zip(&many).enumerate() {
                    let (xo, bo) = x.sgd_step(g, b.as_ref(), &h);
                    let what = format!("{} {dtype}: {count} parameters, parameter {i}", device.name());
                    assert_eq!(xm.shape(), x.shape(), "{what}");
                    assert_eq!(bits(xm), bits(&xo), "{what}");
                    assert_eq!(bm.as_ref().map(bits), bo.as_ref().map(bits), "{what}: buffer");
                }
            }
        }
    }
}

#[test]
#[should_panic(expected = "adam_step: param [3]: amsgrad is true but max_exp_avg_sq is missing")]
fn adam_step_without_the_maximum_that_amsgrad_needs_panics() {
    let z = Tensor::zeros(&[3], DType::F32, &Device::Cpu);
    let h = AdamStep { amsgrad: true, ..AdamStep::new(0.1, (0.9, 0.999), 1e-8, 1) };
    let _ = z.adam_step(&z, &z, &z, None, &h);
}

#[test]
#[should_panic(expected = "sgd_step: param [10, 2] and grad [2, 10]: the shapes differ")]
fn sgd_step_with_a_gradient_of_another_shape_panics() {
    let x = Tensor::zeros(&[10, 2], DType::F32, &Device::Cpu);
    let _ = x.sgd_step(&x.t(), None, &SgdStep::new(0.1));
}

#[test]
#[should_panic(expected = "sgd_step: param [2] has dtype int64: the optimizer steps update float tensors")]
fn sgd_step_of_an_integer_tensor_panics() {
    let x = Tensor::zeros(&[2], DType::I64, &Device::Cpu);
    let _ = x.sgd_step(&x, None, &SgdStep::new(0.1));
}
