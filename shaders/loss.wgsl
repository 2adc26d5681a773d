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
// adds the 256 partial sums as a tree — the order of `reduce_contiguous_f32` over one chunk, so from 65 to 16384
// elements the forward has the bits of the unfused ops. The unfused sum folds rows of at most 64 elements in one
// invocation, left to right, and sums above 16384 in several passes: there the bits may differ in the last places.
//
// Bindings: 0 `logits`, 1 `truth` (the target; `target` is a WGSL keyword), 2 `out` (one f32 for the forward,
// n for the gradient), 3 `params`, 4 `grad` (the gradient's upstream one-element g). Both inputs are contiguous
// f32 views starting at their offsets.

// Keep in sync with `LossParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    // Elements (BCE) or rows (cross-entropy).
    n: u32,
    logits_offset: u32,
    target_offset: u32,
    grad_offset: u32,
    // Classes per row (cross-entropy only).
    classes: u32,
    _pad: array<u32, 3>,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> truth: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> params: Params;
@group(0) @binding(4) var<storage, read> grad: array<f32>;
// The class-index targets of the cross-entropy kernels (int64 on the host, i32 on the device), in binding 1's place
// (bindings are per entry point).
@group(0) @binding(1) var<storage, read> class_of: array<i32>;

const WORKGROUP: u32 = 256u;
// The longest row the unfused sum folds in one invocation (`ROWS_MAX` in crates/tensor/src/gpu/reduce.rs; a test
// compares them): up to this many rows `cross_entropy_mean_f32` sums in that order.
const ROWS_MAX: u32 = 64u;

var<workgroup> tree: array<f32, WORKGROUP>;

// The workgroup's sum of one `partial` per invocation, added as a tree: tree[t] += tree[t + s] for s = 128, 64,
// ..., 1. Every invocation calls it (it holds the barriers) and gets the total.
fn workgroup_sum(tid: u32, partial: f32) -> f32 {
    tree[tid] = partial;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree[tid] = tree[tid] + tree[tid + s];
        }
        workgroupBarrier();
    }
    return tree[0];
}

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
@compute @workgroup_size(WORKGROUP)
fn bce_with_logits_mean_f32(@builtin(local_invocation_index) tid: u32) {
    var acc4 = vec4<f32>(0.0);
    let quads = (params.n + 3u) / 4u;
    for (var q = tid; q < quads; q += WORKGROUP) {
        let i = 4u * q;
        acc4 = acc4 + vec4<f32>(loss_at(i), loss_at(i + 1u), loss_at(i + 2u), loss_at(i + 3u));
    }
    let sum = workgroup_sum(tid, (acc4.x + acc4.y) + (acc4.z + acc4.w));
    if tid == 0u {
        out[0] = sum / f32(params.n);
    }
}

// Dispatch: ceil(n / 256) workgroups of 256 (folded into x, y); one invocation per element. The factor g / n is
// the mean's gradient (a true division, as the unfused `div`), then times sigmoid(x) - y as the unfused `mul`.
@compute @workgroup_size(WORKGROUP)
fn bce_with_logits_mean_grad_f32(@builtin(global_invocation_id) gid: vec3<u32>,
                                 @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * (nwg.x * WORKGROUP) + gid.x;
    if i >= params.n {
        return;
    }
    let g = grad[params.grad_offset] / f32(params.n);
    out[i] = g * (sigmoid(logits[params.logits_offset + i]) - truth[params.target_offset + i]);
}

// --- cross-entropy with class-index targets ------------------------------------------------------------------
//
// `cross_entropy_mean_f32`: `CrossEntropyLoss()` of logits [N, C] against int64 class indices [N] with its
// default mean reduction, `mean_i -log_softmax(x_i)[t_i]`, in one kernel instead of five (log_softmax, gather,
// neg, sum, div); `cross_entropy_mean_grad_f32`, its gradient `(softmax(x_i) - onehot(t_i)) · g / n`, in one
// kernel instead of the rules of those five.
//
// CPU twin: the compositions they replace (`Tensor::cross_entropy_mean` and `Tensor::cross_entropy_mean_grad`'s
// fallbacks).
//
// The log-probability of a row is computed with exactly the formula of `softmax_rows_f32` in softmax.wgsl (the
// row max m, the shift m or 0 when m is -inf, total = Σ_j e^(x_j - shift) in column order, logp_j = (x_j - shift)
// - ln(total)), so where the unfused log_softmax runs `softmax_rows_f32` (short rows) the bits are its bits; the
// mean folds -logp[i, t_i] in the order of the BCE kernel above (the one-chunk sum) and, at most ROWS_MAX rows, in
// the unfused sum's one-invocation row order, so up to 16384 rows the forward has the bits of the unfused ops. The
// gradient repeats the rules in their order: the upstream of row i is u_j = -(g / n) at j = t_i and 0 elsewhere
// (mean, neg, the gather's scatter), its row sum is exactly -(g / n), and the log_softmax rule gives
// u_j - e^(logp_j) · (-(g / n)).
//
// A target outside 0 .. C is clamped (the host checks targets before; the kernel never reads out of bounds).

// The row max, as `softmax_rows_f32`.
fn row_max(start: u32) -> f32 {
    var m = bitcast<f32>(0xff800000u);
    for (var j = 0u; j < params.classes; j++) {
        m = max_nan(m, logits[start + j]);
    }
    return m;
}

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// `ops::maximum`: NaN-propagating (as in softmax.wgsl).
fn max_nan(a: f32, b: f32) -> f32 {
    if is_nan(a) || a > b {
        return a;
    }
    return b;
}

// The shift: the row max, or 0 when the max is -inf (as in softmax.wgsl).
fn shift_of(m: f32) -> f32 {
    if m == bitcast<f32>(0xff800000u) {
        return 0.0;
    }
    return m;
}

// Σ_j e^(x_j - shift) in column order.
fn row_total(start: u32, shift: f32) -> f32 {
    var total = 0.0;
    for (var j = 0u; j < params.classes; j++) {
        total += exp(logits[start + j] - shift);
    }
    return total;
}

// Row i's target class, clamped into 0 .. C.
fn target_class(i: u32) -> u32 {
    return u32(clamp(class_of[params.target_offset + i], 0, i32(params.classes) - 1));
}

// Row i's loss -logp[i, t_i], 0 past the end.
fn ce_at(i: u32) -> f32 {
    if i >= params.n {
        return 0.0;
    }
    let start = params.logits_offset + i * params.classes;
    let shift = shift_of(row_max(start));
    let total = row_total(start, shift);
    let v = logits[start + target_class(i)] - shift;
    return -(v - log(total));
}

// Dispatch geometry: one workgroup of 256 (the reduction order of `bce_with_logits_mean_f32`).
@compute @workgroup_size(WORKGROUP)
fn cross_entropy_mean_f32(@builtin(local_invocation_index) tid: u32) {
    var acc4 = vec4<f32>(0.0);
    let quads = (params.n + 3u) / 4u;
    for (var q = tid; q < quads; q += WORKGROUP) {
        let i = 4u * q;
        acc4 = acc4 + vec4<f32>(ce_at(i), ce_at(i + 1u), ce_at(i + 2u), ce_at(i + 3u));
    }
    let sum = workgroup_sum(tid, (acc4.x + acc4.y) + (acc4.z + acc4.w));
    if tid == 0u {
        // The orders of the unfused sum at few rows: one element is its own sum (keeping a -0); up to ROWS_MAX
        // elements it is one invocation's fold in row order.
        var total = sum;
        if params.n == 1u {
            total = ce_at(0u);
        } else if params.n <= ROWS_MAX {
            total = 0.0;
            for (var i = 0u; i < params.n; i++) {
                total += ce_at(i);
            }
        }
        out[0] = total / f32(params.n);
    }
}

// Dispatch: ceil(n / 256) workgroups of 256 (folded into x, y); one invocation per row, writing its C gradients.
@compute @workgroup_size(WORKGROUP)
fn cross_entropy_mean_grad_f32(@builtin(global_invocation_id) gid: vec3<u32>,
                               @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.y * (nwg.x * WORKGROUP) + gid.x;
    if i >= params.n {
        return;
    }
    let start = params.logits_offset + i * params.classes;
    let shift = shift_of(row_max(start));
    let total = row_total(start, shift);
    let lt = log(total);
    let u = -(grad[params.grad_offset] / f32(params.n));
    let t = target_class(i);
    let o = i * params.classes;
    for (var j = 0u; j < params.classes; j++) {
        var uj = 0.0;
        if j == t {
            uj = u;
        }
        let logp = (logits[start + j] - shift) - lt;
        out[o + j] = uj - exp(logp) * u;
    }
}
