// Optimizer updates, one kernel per parameter instead of one per op:
// * `sgd_step_f32`: the plain SGD step `param ← param + grad·(-lr)` (`torch.optim.SGD(params, lr)` without momentum,
//   weight decay or maximize);
// * `adam_step_f32`: the plain Adam step (`torch.optim.Adam(params, lr, betas, eps)`, no weight decay, amsgrad or
//   maximize) — the moments and the parameter in one pass.
//
// CPU twins: the unfused compositions they replace — `Tensor::sgd_step`'s fallback `x.add(&g.affine(-lr, 0))`,
// and `op_step` in crates/nn/src/optim/adam.rs (whose CPU twin is its `fused_step`) — made of the scalar ops of
// crates/tensor/src/ops.rs: `affine` (`x * a + b`, as `fn unary`'s AFFINE in elementwise.wgsl), `sqrt`, and the
// four arithmetic ops. Every intermediate is rounded to f32 as the unfused kernels round it when they store it,
// so the bits are those of the kernels replaced, which parity tests check.
//
// Bindings of `sgd_step_f32` (inputs, output, params): 0 `x` (the parameter), 1 `grad`, 2 `out`, 3 `params`. Both
// inputs are contiguous f32 views starting at their offsets; `out` is a new contiguous buffer. `sgd_step_pair_f32` (two
// parameters in one dispatch) adds 8 `x2`, 9 `grad2`, 10 `out2` for the second.

// Keep in sync with `SgdParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    numel: u32,
    x_offset: u32,
    grad_offset: u32,
    // The second parameter of `sgd_step_pair_f32` (unused by `sgd_step_f32`).
    numel2: u32,
    // The affine of the step: `grad * a + b` with a = -lr, b = 0.
    a: f32,
    b: f32,
    x2_offset: u32,
    grad2_offset: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> grad: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: Params;
// The second parameter of `sgd_step_pair_f32`, its gradient and its result.
@group(0) @binding(8) var<storage, read> x2: array<u32>;
@group(0) @binding(9) var<storage, read> grad2: array<u32>;
@group(0) @binding(10) var<storage, read_write> out2: array<u32>;

const WORKGROUP: u32 = 256u;

// `affine` of ops.rs, as elementwise.wgsl computes it.
fn affine(v: f32, a: f32, b: f32) -> f32 {
    return v * a + b;
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
    let step = affine(bitcast<f32>(grad[params.grad_offset + i]), params.a, params.b);
    out[i] = bitcast<u32>(bitcast<f32>(x[params.x_offset + i]) + step);
}

// `sgd_step_f32` for two parameters in one dispatch (a layer's weight and bias; two parameters, not more, so that the
// seven storage bindings stay within the default limit of eight per stage): the same formula per element, so the
// same bits. Dispatch geometry: ceil(numel / 256) workgroups for the first parameter, then ceil(numel2 / 256) for
// the second, folded into (x, y) as `sgd_step_f32`'s.
@compute @workgroup_size(WORKGROUP)
fn sgd_step_pair_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
    let w = wid.y * nwg.x + wid.x;
    let first = (params.numel + WORKGROUP - 1u) / WORKGROUP;
    if w < first {
        let i = w * WORKGROUP + lid;
        if i < params.numel {
            let step = affine(bitcast<f32>(grad[params.grad_offset + i]), params.a, params.b);
            out[i] = bitcast<u32>(bitcast<f32>(x[params.x_offset + i]) + step);
        }
        return;
    }
    let i = (w - first) * WORKGROUP + lid;
    if i < params.numel2 {
        let step = affine(bitcast<f32>(grad2[params.grad2_offset + i]), params.a, params.b);
        out2[i] = bitcast<u32>(bitcast<f32>(x2[params.x2_offset + i]) + step);
    }
}

// Keep in sync with `AdamParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct AdamParams {
    numel: u32,
    x_offset: u32,
    grad_offset: u32,
    m_offset: u32,
    v_offset: u32,
    // 1 when the lerp weight w = 1 - beta1 is below 0.5 in magnitude: m + (g - m)·w, else g - (g - m)·(1 - w).
    lerp_small: u32,
    _pad: array<u32, 2>,
    // w or 1 - w, as the lerp's affine takes it.
    lerp_a: f32,
    beta2: f32,
    one_minus_beta2: f32,
    // sqrt(1 - beta2^t), the divisor of the second moment's square root.
    bias_correction2_sqrt: f32,
    eps: f32,
    // -lr / (1 - beta1^t).
    neg_step_size: f32,
    _pad2: array<u32, 2>,
}

// Bindings of `adam_step_f32` (inputs, outputs, params): 0 `x`, 1 `grad`, 2 `m` (exp_avg), 3 `v` (exp_avg_sq), 4
// `out_x`, 5 `out_m`, 6 `out_v`, 7 `adam`. Inputs are contiguous f32 views at their offsets; outputs are new.
@group(0) @binding(0) var<storage, read> adam_x: array<f32>;
@group(0) @binding(1) var<storage, read> adam_grad: array<f32>;
@group(0) @binding(2) var<storage, read> adam_m: array<f32>;
@group(0) @binding(3) var<storage, read> adam_v: array<f32>;
@group(0) @binding(4) var<storage, read_write> out_x: array<f32>;
@group(0) @binding(5) var<storage, read_write> out_m: array<f32>;
@group(0) @binding(6) var<storage, read_write> out_v: array<f32>;
@group(0) @binding(7) var<storage, read> adam: AdamParams;

// Dispatch geometry: as `sgd_step_f32`. Invocation i updates element i of the parameter and of both moments.
@compute @workgroup_size(WORKGROUP)
fn adam_step_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    if i >= adam.numel {
        return;
    }
    let g = adam_grad[adam.grad_offset + i];
    let m = adam_m[adam.m_offset + i];
    let v = adam_v[adam.v_offset + i];
    // exp_avg.lerp_(grad, 1 - beta1)
    let diff = g - m;
    var m_new: f32;
    if adam.lerp_small == 1u {
        m_new = m + affine(diff, adam.lerp_a, 0.0);
    } else {
        m_new = g - affine(diff, adam.lerp_a, 0.0);
    }
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    let v_new = affine(v, adam.beta2, 0.0) + affine(g, adam.one_minus_beta2, 0.0) * g;
    // denom = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    let denom = affine(sqrt(v_new) / adam.bias_correction2_sqrt, 1.0, adam.eps);
    // param.addcdiv_(exp_avg, denom, value=-step_size)
    out_x[i] = adam_x[adam.x_offset + i] + affine(m_new, adam.neg_step_size, 0.0) / denom;
    out_m[i] = m_new;
    out_v[i] = v_new;
}
