// Metric kernels: `count_round_sigmoid_eq_f32`, the number of right predictions of a binary classifier,
// `Σ_i [round(sigmoid(logit_i)) == target_i]` (the tutorial's `torch.eq(y_true, torch.round(torch.sigmoid(
// logits))).sum()`), in one kernel instead of four (sigmoid, round, eq, sum).
//
// CPU twin: the composition it replaces, `Tensor::count_round_sigmoid_eq`'s fallback
// `target.eq(&logits.sigmoid().round()).sum_all()`, made of the scalar ops `sigmoid` (crates/tensor/src/ops.rs,
// the same formula as `sigmoid` in elementwise.wgsl, copied below), `round` (half to even) and `eq`. The count is
// an integer, summed exactly (in u32) and written as f32: the launcher takes it only below 2^24 elements, where
// the f32 sum of 0/1 values is exact too, so both give the same bits.
//
// Bindings (inputs, output, params): 0 `logits`, 1 `truth` (the target; `target` is a WGSL keyword), 2 `out`
// (one f32), 3 `params`. Both inputs are contiguous f32 views starting at their offsets.

// Keep in sync with `CountParams` in crates/tensor/src/gpu/params.rs.
struct Params {
    n: u32,
    logits_offset: u32,
    target_offset: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> truth: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> params: Params;

const WORKGROUP: u32 = 256u;

var<workgroup> tree: array<u32, WORKGROUP>;

// As `sigmoid` in elementwise.wgsl: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below (no overflow either way).
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// Dispatch geometry: one workgroup of 256. Invocation t counts elements t, t + 256, ...; the workgroup then adds
// the 256 counts as a tree (integers: any order gives the same sum).
@compute @workgroup_size(256)
fn count_round_sigmoid_eq_f32(@builtin(local_invocation_index) tid: u32) {
    var count = 0u;
    for (var i = tid; i < params.n; i += WORKGROUP) {
        let pred = round(sigmoid(logits[params.logits_offset + i]));
        count += select(0u, 1u, pred == truth[params.target_offset + i]);
    }
    tree[tid] = count;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree[tid] += tree[tid + s];
        }
        workgroupBarrier();
    }
    if tid == 0u {
        out[0] = f32(tree[0]);
    }
}
