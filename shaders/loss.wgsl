// Loss kernels: `bce_with_logits_mean_f32`, the mean binary cross-entropy of logits against targets
// (`BCEWithLogitsLoss()` with its default mean reduction) in one kernel instead of three (the element-wise
// `bce_with_logits`, the sum, the division by n); and `bce_with_logits_mean_grad_f32`, its gradient
// `(sigmoid(x) - y) · g / n` in one kernel instead of four (the division of g by n, sigmoid, sub, mul).
//
// CPU twin: the compositions they replace (`Tensor::bce_with_logits_mean` and `Tensor::bce_with_logits_mean_grad`'s
// fallbacks), made of the scalar ops `bce_with_logits` and `sigmoid` of crates/tensor/src/ops.rs (the same
// formulas as in elementwise.wgsl, copied below), a sum and true divisions.
//
// Reduction order (fixed, so the bits are deterministic): one workgroup of 256; invocation t folds the quads
// (elements 4q .. 4q + 3) q = t, t + 256, ... lane by lane, adds its lanes as (x + y) + (z + w), and the workgroup
// adds the 256 partial sums as a tree — the order of `reduce_contiguous_f32` over one chunk, so up to 16384
// elements the forward has the bits of the unfused ops; above, the one-chunk order differs from their multi-pass
// one in the last bits only.
//
// Bindings: 0 `logits`, 1 `truth` (the target; `target` is a WGSL keyword), 2 `out` (one f32 for the forward,
// n for the gradient), 3 `params`, 4 `grad` (the gradient's upstream one-element g). Both inputs are contiguous
// f32 views starting at their offsets.

// Keep in sync with `LossParams` in crates/tensor/src/gpu/params.rs.
struct Params {
    n: u32,
    logits_offset: u32,
    target_offset: u32,
    grad_offset: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> truth: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> params: Params;
@group(0) @binding(4) var<storage, read> grad: array<f32>;

const WORKGROUP: u32 = 256u;

var<workgroup> tree: array<f32, WORKGROUP>;

// As in elementwise.wgsl.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// As in elementwise.wgsl: ln(1 + x), accurate near 0 without trusting `log` near 1: ln(1 + x) = 2 atanh(s),
// s = x / (2 + x), summed as a series for |x| < 0.5.
fn log1p(x: f32) -> f32 {
    if abs(x) < 0.5 {
        let s = x / (2.0 + x);
        let s2 = s * s;
        return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 / 11.0)))));
    }
    return log(1.0 + x);
}

// As in elementwise.wgsl: a product that is 0 when b is 0, even for an infinite a.
fn mul0(a: f32, b: f32) -> f32 {
    if b == 0.0 {
        return 0.0;
    }
    return a * b;
}

// As in elementwise.wgsl: ℓ(x, y) = max(x, 0) - x·y + ln(1 + e^-|x|), finite for any logit including ±∞.
fn bce_with_logits(x: f32, y: f32) -> f32 {
    var linear: f32;
    if x >= 0.0 {
        linear = mul0(x, 1.0 - y);
    } else {
        linear = mul0(-x, y);
    }
    return linear + log1p(exp(-abs(x)));
}

// Element i's loss, 0 past the end (the identity of the sum, as the reduction's padding).
fn loss_at(i: u32) -> f32 {
    if i >= params.n {
        return 0.0;
    }
    return bce_with_logits(logits[params.logits_offset + i], truth[params.target_offset + i]);
}

// Dispatch geometry: one workgroup of 256 (see the reduction order above).
@compute @workgroup_size(256)
fn bce_with_logits_mean_f32(@builtin(local_invocation_index) tid: u32) {
    var acc4 = vec4<f32>(0.0);
    let quads = (params.n + 3u) / 4u;
    for (var q = tid; q < quads; q += WORKGROUP) {
        let i = 4u * q;
        acc4 = acc4 + vec4<f32>(loss_at(i), loss_at(i + 1u), loss_at(i + 2u), loss_at(i + 3u));
    }
    tree[tid] = (acc4.x + acc4.y) + (acc4.z + acc4.w);
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree[tid] = tree[tid] + tree[tid + s];
        }
        workgroupBarrier();
    }
    if tid == 0u {
        out[0] = tree[0] / f32(params.n);
    }
}

// Dispatch: ceil(n / 256) workgroups of 256 (folded into x, y); one invocation per element. The factor g / n is
// the mean's gradient (a true division, as the unfused `div`), then times sigmoid(x) - y as the unfused `mul`.
@compute @workgroup_size(256)
fn bce_with_logits_mean_grad_f32(@builtin(global_invocation_id) gid: vec3<u32>,
                                 @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * (nwg.x * WORKGROUP) + gid.x;
    if i >= params.n {
        return;
    }
    let g = grad[params.grad_offset] / f32(params.n);
    out[i] = g * (sigmoid(logits[params.logits_offset + i]) - truth[params.target_offset + i]);
}
