// Optimizer updates, one kernel per parameter (or per pair of parameters) instead of one per op:
// * `sgd_step_f32`: one SGD step with every option of `torch.optim.SGD` (momentum, dampening, Nesterov, weight
//   decay, maximize), the momentum buffer written beside the parameter;
// * `sgd_step_pair_f32`: the SGD step without momentum of two parameters in one dispatch;
// * `adam_step_f32`: one Adam or AdamW step (L2 or decoupled weight decay, maximize); `adam_amsgrad_step_f32`
//   the same with amsgrad.
//
// CPU twins: `fn sgd_step` and `fn adam_step` below are those of crates/tensor/src/ops/optim.rs (what the CPU
// kernel crates/tensor/src/cpu/optim.rs runs on every element), written with the scalar ops of ops.rs as
// elementwise.wgsl computes them: `affine` (`x * a + b`), `maximum`, `sqrt`, negation and the four arithmetic ops.
// Every intermediate is an f32, as the element-wise kernels round it when they store it, so the bits are those of
// the tensor ops the step is written with, which crates/tensor/tests/optim_steps.rs checks on the device.
//
// Each option is a bit of `flags`; the launcher (crates/tensor/src/gpu/optim.rs) sets the bits named below, and
// a test reads these constants with naga and compares them with the Rust ones (gpu/params.rs).

// g ← -g
const MAXIMIZE: u32 = 1u;
// g ← g + weight_decay·x (an L2 penalty)
const WEIGHT_DECAY: u32 = 2u;
// x ← x·(1 - lr·weight_decay) (AdamW's decoupled decay)
const DECOUPLED_WEIGHT_DECAY: u32 = 4u;
// SGD: the momentum buffer is updated and written
const MOMENTUM: u32 = 8u;
// SGD: a momentum buffer exists (after the first step); else the buffer starts as the gradient
const MOMENTUM_BUFFER: u32 = 16u;
// SGD: the gradient entering the buffer is scaled by 1 - dampening (unset when that factor is 1)
const DAMPENING: u32 = 32u;
// SGD: Nesterov momentum
const NESTEROV: u32 = 64u;
// Adam: divide by the running maximum of the second moment
const AMSGRAD: u32 = 128u;
// Adam: the lerp weight w = 1 - beta1 is below 0.5 in magnitude, so m + (g - m)·w, else g - (g - m)·(1 - w)
const LERP_FROM_START: u32 = 256u;

const WORKGROUP: u32 = 256u;

// `affine` of ops.rs, as elementwise.wgsl computes it (`mul_scalar(a)` is `affine(v, a, 0)`). The added 0 comes
// from the params (`zero`), as it does in elementwise.wgsl: a literal `+ 0.0` may be dropped by the driver's
// compiler (Vulkan does not require signed zeros to be kept), which turns a product of -0 into -0 where the
// element-wise op gives +0.
fn affine(v: f32, a: f32, b: f32) -> f32 {
    return v * a + b;
}

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// `maximum` of ops.rs (NaN-propagating), as elementwise.wgsl computes it.
fn maximum(a: f32, b: f32) -> f32 {
    if is_nan(a) || a > b {
        return a;
    }
    return b;
}

// --- SGD -------------------------------------------------------------------------------------------------------

// Keep in sync with `SgdParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    numel: u32,
    x_offset: u32,
    grad_offset: u32,
    buffer_offset: u32,
    // The second parameter of `sgd_step_pair_f32` (unused by `sgd_step_f32`).
    numel2: u32,
    x2_offset: u32,
    grad2_offset: u32,
    // The options: MAXIMIZE, WEIGHT_DECAY, MOMENTUM, MOMENTUM_BUFFER, DAMPENING, NESTEROV.
    flags: u32,
    // -lr, weight_decay, momentum, 1 - dampening: the factors of the step's affines, as f32.
    neg_lr: f32,
    weight_decay: f32,
    momentum: f32,
    one_minus_dampening: f32,
    // 0, the added term of the affines (see `affine`).
    zero: f32,
}

// Bindings of `sgd_step_f32` (inputs, outputs, params): 0 `x` (the parameter), 1 `grad`, 2 `momentum_buf` (the
// momentum buffer; any buffer without momentum or before the first step), 3 `out`, 4 `out_momentum_buf` (with momentum), 5
// `params`. Inputs are contiguous f32 views starting at their offsets; outputs are new contiguous buffers.
// `sgd_step_pair_f32` (two parameters in one dispatch) binds 0, 1, 3 and 5, and 8 `x2`, 9 `grad2`, 10 `out2` for
// the second.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> momentum_buf: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_momentum_buf: array<f32>;
@group(0) @binding(5) var<storage, read> params: Params;
@group(0) @binding(8) var<storage, read> x2: array<f32>;
@group(0) @binding(9) var<storage, read> grad2: array<f32>;
@group(0) @binding(10) var<storage, read_write> out2: array<f32>;

// `sgd_step` of ops/optim.rs: the new parameter and the new momentum buffer (meaningful with MOMENTUM).
fn sgd_step(xi: f32, gi: f32, bi: f32) -> vec2<f32> {
    let flags = params.flags;
    var g = gi;
    if (flags & MAXIMIZE) != 0u {
        g = -g;
    }
    if (flags & WEIGHT_DECAY) != 0u {
        // grad.add(param, alpha=weight_decay)
        g = g + affine(xi, params.weight_decay, params.zero);
    }
    var b = g;
    if (flags & MOMENTUM) != 0u {
        // buf.mul_(momentum).add_(grad, alpha=1 - dampening), or a copy of the gradient at first
        if (flags & MOMENTUM_BUFFER) != 0u {
            var damped = g;
            if (flags & DAMPENING) != 0u {
                damped = affine(g, params.one_minus_dampening, params.zero);
            }
            b = affine(bi, params.momentum, params.zero) + damped;
        }
        if (flags & NESTEROV) != 0u {
            g = g + affine(b, params.momentum, params.zero);
        } else {
            g = b;
        }
    }
    // param.add_(grad, alpha=-lr)
    return vec2<f32>(xi + affine(g, params.neg_lr, params.zero), b);
}

// Dispatch geometry: 1-D grid of ceil(numel / 256) workgroups of 256, folded into (x, y) with x <= 65535 when it
// is larger than one dimension allows. Invocation i updates element i.
@compute @workgroup_size(WORKGROUP)
fn sgd_step_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    if i >= params.numel {
        return;
    }
    var b = 0.0;
    if (params.flags & MOMENTUM_BUFFER) != 0u {
        b = momentum_buf[params.buffer_offset + i];
    }
    let step = sgd_step(x[params.x_offset + i], grad[params.grad_offset + i], b);
    out[i] = step.x;
    if (params.flags & MOMENTUM) != 0u {
        out_momentum_buf[i] = step.y;
    }
}

// `sgd_step_f32` without momentum for two parameters in one dispatch (a layer's weight and bias; two parameters,
// not more, so that the seven storage bindings stay within the default limit of eight per stage): the same
// formula per element, so the same bits. Dispatch geometry: ceil(numel / 256) workgroups for the first parameter,
// then ceil(numel2 / 256) for the second, folded into (x, y) as `sgd_step_f32`'s.
@compute @workgroup_size(WORKGROUP)
fn sgd_step_pair_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    let w = wid.y * nwg.x + wid.x;
    let first = (params.numel + WORKGROUP - 1u) / WORKGROUP;
    if w < first {
        let i = w * WORKGROUP + lid;
        if i < params.numel {
            out[i] = sgd_step(x[params.x_offset + i], grad[params.grad_offset + i], 0.0).x;
        }
        return;
    }
    let i = (w - first) * WORKGROUP + lid;
    if i < params.numel2 {
        out2[i] = sgd_step(x2[params.x2_offset + i], grad2[params.grad2_offset + i], 0.0).x;
    }
}

// --- Adam ------------------------------------------------------------------------------------------------------

// Keep in sync with `AdamParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct AdamParams {
    numel: u32,
    x_offset: u32,
    grad_offset: u32,
    m_offset: u32,
    v_offset: u32,
    max_offset: u32,
    // The options: MAXIMIZE, WEIGHT_DECAY or DECOUPLED_WEIGHT_DECAY, AMSGRAD, LERP_FROM_START.
    flags: u32,
    _pad: u32,
    // w or 1 - w (w = 1 - beta1), as the lerp's affine takes it.
    lerp_a: f32,
    beta2: f32,
    one_minus_beta2: f32,
    // sqrt(1 - beta2^t), the divisor of the second moment's square root.
    bias_correction2_sqrt: f32,
    eps: f32,
    // -lr / (1 - beta1^t).
    neg_step_size: f32,
    // weight_decay (L2), or 1 - lr·weight_decay (decoupled).
    decay: f32,
    // 0, the added term of the affines (see `affine`).
    zero: f32,
}

// Bindings of `adam_step_f32` (inputs, outputs, params): 0 `x`, 1 `grad`, 2 `m` (exp_avg), 3 `v` (exp_avg_sq), 5
// `out_x`, 6 `out_m`, 7 `out_v`, 9 `adam`: eight storage buffers, the default limit. `adam_amsgrad_step_f32` adds 4
// `max_v` (max_exp_avg_sq) and 8 `out_max_v`. Inputs are contiguous f32 views at their offsets; outputs are new.
@group(0) @binding(0) var<storage, read> adam_x: array<f32>;
@group(0) @binding(1) var<storage, read> adam_grad: array<f32>;
@group(0) @binding(2) var<storage, read> adam_m: array<f32>;
@group(0) @binding(3) var<storage, read> adam_v: array<f32>;
@group(0) @binding(4) var<storage, read> adam_max_v: array<f32>;
@group(0) @binding(5) var<storage, read_write> out_x: array<f32>;
@group(0) @binding(6) var<storage, read_write> out_m: array<f32>;
@group(0) @binding(7) var<storage, read_write> out_v: array<f32>;
@group(0) @binding(8) var<storage, read_write> out_max_v: array<f32>;
@group(0) @binding(9) var<storage, read> adam: AdamParams;

// The new parameter, first moment, second moment and maximum of the second moment of one element.
struct AdamElement {
    x: f32,
    m: f32,
    v: f32,
    max_v: f32,
}

// `adam_step` of ops/optim.rs.
fn adam_step(xi: f32, gi: f32, m: f32, v: f32, max_v: f32) -> AdamElement {
    let flags = adam.flags;
    var p = xi;
    var g = gi;
    if (flags & MAXIMIZE) != 0u {
        g = -g;
    }
    if (flags & DECOUPLED_WEIGHT_DECAY) != 0u {
        // param.mul_(1 - lr * weight_decay)
        p = affine(p, adam.decay, adam.zero);
    }
    if (flags & WEIGHT_DECAY) != 0u {
        // grad.add(param, alpha=weight_decay)
        g = g + affine(p, adam.decay, adam.zero);
    }
    // exp_avg.lerp_(grad, 1 - beta1)
    let diff = g - m;
    var m_new: f32;
    if (flags & LERP_FROM_START) != 0u {
        m_new = m + affine(diff, adam.lerp_a, adam.zero);
    } else {
        m_new = g - affine(diff, adam.lerp_a, adam.zero);
    }
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    let v_new = affine(v, adam.beta2, adam.zero) + affine(g, adam.one_minus_beta2, adam.zero) * g;
    // torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq) with amsgrad
    var second = v_new;
    if (flags & AMSGRAD) != 0u {
        second = maximum(max_v, v_new);
    }
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    let denom = affine(sqrt(second) / adam.bias_correction2_sqrt, 1.0, adam.eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    return AdamElement(p + affine(m_new, adam.neg_step_size, adam.zero) / denom, m_new, v_new, second);
}

// Dispatch geometry: as `sgd_step_f32`. Invocation i updates element i of the parameter and of its moments.
@compute @workgroup_size(WORKGROUP)
fn adam_step_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    if i >= adam.numel {
        return;
    }
    let e = adam_step(adam_x[adam.x_offset + i], adam_grad[adam.grad_offset + i], adam_m[adam.m_offset + i],
                      adam_v[adam.v_offset + i], 0.0);
    out_x[i] = e.x;
    out_m[i] = e.m;
    out_v[i] = e.v;
}

// `adam_step_f32` with amsgrad (AMSGRAD set): the running maximum of the second moment read and written too.
// Dispatch geometry: as `adam_step_f32`.
@compute @workgroup_size(WORKGROUP)
fn adam_amsgrad_step_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    if i >= adam.numel {
        return;
    }
    let e = adam_step(adam_x[adam.x_offset + i], adam_grad[adam.grad_offset + i], adam_m[adam.m_offset + i],
                      adam_v[adam.v_offset + i], adam_max_v[adam.max_offset + i]);
    out_x[i] = e.x;
    out_m[i] = e.m;
    out_v[i] = e.v;
    out_max_v[i] = e.max_v;
}
