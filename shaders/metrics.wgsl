// Metric kernels: `count_round_sigmoid_eq_f32`, the number of right predictions of a binary classifier,
// `Σ_i [round(sigmoid(logit_i)) == target_i]` (the tutorial's `torch.eq(y_true, torch.round(torch.sigmoid(
// logits))).sum()`), in one kernel instead of four (sigmoid, round, eq, sum); and `count_argmax_softmax_eq_f32`,
// a multi-class classifier's, `Σ_i [argmax(softmax(logits_i)) == target_i]` over rows of logits [N, C] and int64
// class indices (the tutorial's `torch.eq(y_true, torch.softmax(logits, dim=1).argmax(dim=1)).sum()`), in one
// kernel instead of four (softmax, argmax, eq, sum) — see its comment below for its CPU twin and its bits.
//
// CPU twin: the composition it replaces, `Tensor::count_round_sigmoid_eq`'s fallback
// `target.eq(&logits.sigmoid().round()).sum_all()`, made of the scalar ops `sigmoid` (crates/tensor/src/ops.rs,
// the same formula as `sigmoid` in elementwise.wgsl, copied below), `round` (half to even) and `eq`. The count is
// an integer, summed exactly (in u32) and written as f32: the launcher takes it only below 2^24 elements, where
// the f32 sum of 0/1 values is exact too, so both give the same bits.
//
// Bindings (inputs, output, params): 0 `logits`, 1 `truth` (the target; `target` is a WGSL keyword), 2 `out`
// (one f32), 3 `params`. Both inputs are contiguous f32 views starting at their offsets.

// Keep in sync with `CountParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    // Elements (binary) or rows (multi-class).
    n: u32,
    logits_offset: u32,
    target_offset: u32,
    // Classes per row (multi-class only).
    classes: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> truth: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read> params: Params;
// The multi-class kernel's class indices (int64 on the host, i32 on the device) and its count (an int64 on the
// host, one i32 word on the device), in bindings 1 and 2 (bindings are per entry point).
@group(0) @binding(1) var<storage, read> class_of: array<i32>;
@group(0) @binding(2) var<storage, read_write> count_out: array<i32>;

const WORKGROUP: u32 = 256u;

var<workgroup> tree: array<u32, WORKGROUP>;

// The workgroup's sum of one `count` per invocation, added as a tree (integers: any order gives the same sum).
// Every invocation calls it (it holds the barriers) and gets the total.
fn workgroup_count(tid: u32, count: u32) -> u32 {
    tree[tid] = count;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree[tid] += tree[tid + s];
        }
        workgroupBarrier();
    }
    return tree[0];
}

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
@compute @workgroup_size(WORKGROUP)
fn count_round_sigmoid_eq_f32(@builtin(local_invocation_index) tid: u32) {
    var count = 0u;
    for (var i = tid; i < params.n; i += WORKGROUP) {
        let pred = round(sigmoid(logits[params.logits_offset + i]));
        count += select(0u, 1u, pred == truth[params.target_offset + i]);
    }
    let total = workgroup_count(tid, count);
    if tid == 0u {
        out[0] = f32(total);
    }
}

// --- multi-class ----------------------------------------------------------------------------------------------
//
// CPU twin: the composition it replaces, `Tensor::count_argmax_softmax_eq`'s fallback
// `target.eq(&logits.softmax(1).argmax(1)).sum_all()`. The kernel computes each row's softmax with exactly the
// formula of `softmax_rows_f32` in softmax.wgsl (the unfused softmax's kernel for rows of at most 128 classes, the
// only rows the launcher takes), then its argmax with the rule of the reduce kernels: the first maximal index, a
// NaN winning (the first NaN). The argmax is taken of the softmax, not of the logits: two logits that differ
// by less than the rounding of e^(x - m) give equal probabilities, and the first of them wins, as in the ops. The
// count is an integer, summed exactly, as the unfused int64 sum.

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

// The predicted class of row `row`: argmax of its softmax (see above).
fn predicted(row: u32) -> i32 {
    let start = params.logits_offset + row * params.classes;
    var m = bitcast<f32>(0xff800000u);
    for (var j = 0u; j < params.classes; j++) {
        m = max_nan(m, logits[start + j]);
    }
    var shift = m;
    if m == bitcast<f32>(0xff800000u) {
        shift = 0.0;
    }
    var total = 0.0;
    for (var j = 0u; j < params.classes; j++) {
        total += exp(logits[start + j] - shift);
    }
    var best = bitcast<f32>(0xff800000u);
    var best_j = -1;
    for (var j = 0u; j < params.classes; j++) {
        let p = exp(logits[start + j] - shift) / total;
        let take = best_j < 0 || (!is_nan(best) && (is_nan(p) || p > best));
        if take {
            best = p;
            best_j = i32(j);
        }
    }
    return best_j;
}

// Dispatch geometry: one workgroup of 256. Invocation t counts rows t, t + 256, ...; the workgroup then adds the
// 256 counts as a tree (integers: any order gives the same sum).
@compute @workgroup_size(WORKGROUP)
fn count_argmax_softmax_eq_f32(@builtin(local_invocation_index) tid: u32) {
    var count = 0u;
    for (var i = tid; i < params.n; i += WORKGROUP) {
        count += select(0u, 1u, predicted(i) == class_of[params.target_offset + i]);
    }
    let total = workgroup_count(tid, count);
    if tid == 0u {
        count_out[0] = i32(total);
    }
}
