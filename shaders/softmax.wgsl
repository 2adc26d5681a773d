// Softmax and log-softmax along one axis, stable by max subtraction:
//   softmax(x)_j = e^(x_j - m) / Σ_i e^(x_i - m),   log_softmax(x)_j = x_j - m - ln Σ_i e^(x_i - m),   m = max x.
// A row whose max is -inf uses the shift 0 (as the CPU), so an all -inf row gives NaN like PyTorch, and a row
// with some -inf entries gives exact zeros (or -inf) there.
//
// CPU twin: `softmax` in crates/tensor/src/cpu/softmax.rs; scalar definitions: `softmax` and `log_softmax` in
// crates/tensor/src/ops.rs.
//
// The host moves the axis last: row r starts at `x_offset + Σ_d r_d * x_outer_strides[d]` in the input and at
// `Σ_d r_d * out_outer_strides[d]` in the (contiguous) output, with `x_row_stride` / `out_row_stride` between
// elements of a row.
//
// Three geometries:
// * `softmax_contiguous_f32`, the fast path for contiguous rows (unit strides, starts multiples of 4, n a multiple
//   of 4, n <= 4 · 256 · QUADS): a workgroup of 256 per row; each invocation loads its quads `tid, tid + 256, ...`
//   once into registers, and the row is read once and written once — the least memory traffic softmax can have.
// * `softmax_f32`, a workgroup of 256 per row for any other long row: three passes over the row in memory.
// * `softmax_rows_f32`, one invocation per row (short rows).
// In the workgroup kernels max and sum are fixed-order trees in workgroup memory, so results are deterministic.
//
// Bindings (inputs, output, params): 0 `x`, 1 `out`, 2 `params`.

// Keep in sync with `SoftmaxParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    rows: u32,
    n: u32,
    x_row_stride: u32,
    out_row_stride: u32,
    // SOFTMAX or LOG_SOFTMAX.
    op: u32,
    x_offset: u32,
    outer_rank: u32,
    _pad: u32,
    outer_shape: array<u32, 6>,
    x_outer_strides: array<u32, 6>,
    out_outer_strides: array<u32, 6>,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> params: Params;
// The same buffers seen as vec4 (only `softmax_contiguous_f32` uses these; bindings are per entry point).
@group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out4: array<vec4<f32>>;

// The op codes: `Params.op` names a variant of `SoftmaxOp` by the code of `softmax_code` in
// crates/tensor/src/gpu/params.rs (a test reads these constants with naga and compares them both ways).
const SOFTMAX: u32 = 0u;
const LOG_SOFTMAX: u32 = 1u;

const WORKGROUP: u32 = 256u;
// Quads of a row per invocation in `softmax_contiguous_f32` (`SOFTMAX_REGISTERS_MAX` in
// crates/tensor/src/gpu/softmax.rs is 4 · WORKGROUP · QUADS; a test compares them).
const QUADS: u32 = 8u;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// `ops::maximum`: NaN-propagating.
fn maximum(a: f32, b: f32) -> f32 {
    if is_nan(a) || a > b {
        return a;
    }
    return b;
}

// (input start, output start) of row `row`.
fn row_starts(row: u32) -> vec2<u32> {
    var rest = row;
    var xo = params.x_offset;
    var oo = 0u;
    for (var d = i32(params.outer_rank) - 1; d >= 0; d--) {
        let n = params.outer_shape[d];
        let c = rest % n;
        xo += c * params.x_outer_strides[d];
        oo += c * params.out_outer_strides[d];
        rest /= n;
    }
    return vec2<u32>(xo, oo);
}

// The shift: the row max, or 0 when the max is -inf.
fn shift_of(m: f32) -> f32 {
    if m == bitcast<f32>(0xff800000u) {
        return 0.0;
    }
    return m;
}

fn write_row(starts: vec2<u32>, j: u32, shift: f32, total: f32) {
    let v = x[starts.x + j * params.x_row_stride] - shift;
    var r: f32;
    switch params.op {
        case LOG_SOFTMAX: { r = v - log(total); }
        case SOFTMAX, default: { r = exp(v) / total; }
    }
    out[starts.y + j * params.out_row_stride] = r;
}

var<workgroup> tree: array<f32, WORKGROUP>;

// Dispatch: `rows` workgroups of 256 (folded into x, y); workgroup w normalises row w.
@compute @workgroup_size(WORKGROUP)
fn softmax_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) tid: u32) {
    let row = wid.y * nwg.x + wid.x;
    if row >= params.rows {
        return; // uniform across the workgroup
    }
    let starts = row_starts(row);
    let n = params.n;
    // Pass 1: the row max.
    var m = bitcast<f32>(0xff800000u);
    for (var j = tid; j < n; j += WORKGROUP) {
        m = maximum(m, x[starts.x + j * params.x_row_stride]);
    }
    tree[tid] = m;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree[tid] = maximum(tree[tid], tree[tid + s]);
        }
        workgroupBarrier();
    }
    let shift = shift_of(tree[0]);
    workgroupBarrier();
    // Pass 2: Σ e^(x - shift).
    var total = 0.0;
    for (var j = tid; j < n; j += WORKGROUP) {
        total += exp(x[starts.x + j * params.x_row_stride] - shift);
    }
    tree[tid] = total;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree[tid] = tree[tid] + tree[tid + s];
        }
        workgroupBarrier();
    }
    let sum = tree[0];
    // Pass 3: normalise.
    for (var j = tid; j < n; j += WORKGROUP) {
        write_row(starts, j, shift, sum);
    }
}

// Dispatch: ceil(rows / 256) workgroups of 256 (folded into x, y); one invocation per row.
@compute @workgroup_size(WORKGROUP)
fn softmax_rows_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) tid: u32) {
    let row = (wid.y * nwg.x + wid.x) * WORKGROUP + tid;
    if row >= params.rows {
        return;
    }
    let starts = row_starts(row);
    var m = bitcast<f32>(0xff800000u);
    for (var j = 0u; j < params.n; j++) {
        m = maximum(m, x[starts.x + j * params.x_row_stride]);
    }
    let shift = shift_of(m);
    var total = 0.0;
    for (var j = 0u; j < params.n; j++) {
        total += exp(x[starts.x + j * params.x_row_stride] - shift);
    }
    for (var j = 0u; j < params.n; j++) {
        write_row(starts, j, shift, total);
    }
}

// The fixed tree of `softmax_f32` over the 256 partials in `tree`: the max (`want_max`) or the sum, read by every
// invocation.
fn tree_reduce(tid: u32, v: f32, want_max: bool) -> f32 {
    tree[tid] = v;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            if want_max {
                tree[tid] = maximum(tree[tid], tree[tid + s]);
            } else {
                tree[tid] = tree[tid] + tree[tid + s];
            }
        }
        workgroupBarrier();
    }
    let r = tree[0];
    workgroupBarrier(); // everyone has read tree[0] before the next tree overwrites it
    return r;
}

// Dispatch: `rows` workgroups of 256 (folded into x, y); workgroup w normalises row w. Preconditions (the
// launcher's): x_row_stride = out_row_stride = 1, n a multiple of 4 and at most 4 · 256 · QUADS, every row start
// (input and output) a multiple of 4.
@compute @workgroup_size(WORKGROUP)
fn softmax_contiguous_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                          @builtin(local_invocation_index) tid: u32) {
    let row = wid.y * nwg.x + wid.x;
    if row >= params.rows {
        return; // uniform across the workgroup
    }
    let starts = row_starts(row) / 4u;
    let n4 = params.n / 4u;
    // Pass 1 (the only read of the row): the quads into registers, and the running max.
    var v: array<vec4<f32>, QUADS>;
    var m = bitcast<f32>(0xff800000u);
    for (var j = 0u; j < QUADS; j++) {
        let q = tid + WORKGROUP * j;
        if q < n4 {
            v[j] = x4[starts.x + q];
            m = maximum(maximum(m, v[j].x), maximum(v[j].y, maximum(v[j].z, v[j].w)));
        }
    }
    let shift = shift_of(tree_reduce(tid, m, true));
    // Σ e^(x - shift), lane by lane in order; softmax keeps the exponentials for the output.
    var total = 0.0;
    for (var j = 0u; j < QUADS; j++) {
        if tid + WORKGROUP * j < n4 {
            let e = exp(v[j] - shift);
            total += ((e.x + e.y) + e.z) + e.w;
            if params.op == SOFTMAX {
                v[j] = e;
            }
        }
    }
    let sum = tree_reduce(tid, total, false);
    // Pass 2 (the only write): as `write_row`, a quad at a time.
    for (var j = 0u; j < QUADS; j++) {
        let q = tid + WORKGROUP * j;
        if q < n4 {
            switch params.op {
                case LOG_SOFTMAX: { out4[starts.y + q] = (v[j] - shift) - log(sum); }
                case SOFTMAX, default: { out4[starts.y + q] = v[j] / sum; }
            }
        }
    }
}
