// Optimizer updates: `sgd_f32`, the plain SGD step `param ← param + grad·(-lr)` (`torch.optim.SGD(params, lr)`
// without momentum, weight decay or maximize) as one kernel instead of two.
//
// CPU twin: the unfused composition it replaces, `Tensor::sgd_step`'s fallback `x.add(&g.affine(-lr, 0))` — the
// `affine` of crates/tensor/src/ops.rs (`x * a + b`, as `fn unary`'s code 13 in elementwise.wgsl) rounded to f32,
// then the add — so the bits are those of the two kernels it replaces, which a parity test checks.
//
// Bindings (inputs, output, params): 0 `x` (the parameter), 1 `grad`, 2 `out`, 3 `params`. Both inputs are
// contiguous f32 views starting at their offsets; `out` is a new contiguous buffer.

// Keep in sync with `SgdParams` in crates/tensor/src/gpu/params.rs.
struct Params {
    numel: u32,
    x_offset: u32,
    grad_offset: u32,
    _pad: u32,
    // The affine of the step: `grad * a + b` with a = -lr, b = 0.
    a: f32,
    b: f32,
    _pad2: vec2<u32>,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> grad: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: Params;

const WORKGROUP: u32 = 256u;

// `affine` of ops.rs, as elementwise.wgsl computes it.
fn affine(v: f32, a: f32, b: f32) -> f32 {
    return v * a + b;
}

// Dispatch geometry: 1-D grid of ceil(numel / 256) workgroups of 256, folded into (x, y) with x <= 65535 when it
// is larger than one dimension allows. Invocation i updates element i.
@compute @workgroup_size(256)
fn sgd_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    if i >= params.numel {
        return;
    }
    let step = affine(bitcast<f32>(grad[params.grad_offset + i]), params.a, params.b);
    out[i] = bitcast<u32>(bitcast<f32>(x[params.x_offset + i]) + step);
}
