// Reductions over one axis: sum, max, min, argmax, argmin (`op`: the codes SUM ... ARGMIN below).
//
// CPU twin: `reduce_float` / `reduce_i64` in crates/tensor/src/cpu/reduce.rs.
//
// The host moves the reduced axis last, so every output element reduces one *row*: `n` elements starting at
// `x_offset + Σ_d r_d * outer_strides[d]` (r = the row's coordinates over `outer_shape`), `row_stride` apart.
//
// Three geometries:
// * `reduce_contiguous_f32`, the fast path for f32 rows of unit stride whose starts are multiples of 4 (a full
//   reduction of a tensor, the rows of a row-major matrix): a workgroup of 256 per (row, chunk of `chunk`
//   elements); each invocation folds the quads (vec4 loads) `tid, tid + 256, ...` of its chunk in order, four
//   loads in flight at a time, then the workgroup combines the 256 partials in the fixed tree below. A row of
//   several chunks leaves one partial per chunk, reduced by `reduce_f32` (`partial = 1`): two passes in all.
// * `reduce_f32` / `reduce_i32`: a workgroup of 256 per (row, chunk). Each invocation folds the elements
//   `tid, tid + 256, ...` of its chunk in order, then the workgroup combines the 256 partials in a fixed tree
//   (so the result is deterministic). A long row is split in `chunks` chunks: the first pass writes one partial
//   (value, and index for arg ops) per chunk, and the host runs the kernel again over the partials
//   (`partial = 1`) until one chunk remains — the multi-pass reduction of 10^6-element tensors.
// * `reduce_rows_f32` / `reduce_rows_i32`: one invocation per row, folding it sequentially (short rows, e.g.
//   argmax over 10 classes for 800 samples).
//
// Ties and NaN (as PyTorch): max/min propagate NaN; argmax/argmin return the first index of the extreme value (the
// first NaN if any). `combine` compares indices on ties, so the result does not depend on the fold order.
//
// Bindings (inputs, output, params): 0 `x`, 1 `x_index` (indices of partials), 2 `out`, 3 `out_index`,
// 4 `params`. `x_index` is read only for arg ops over partials, `out_index` written only for arg ops.

// Keep in sync with `ReduceParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    rows: u32,
    n: u32,
    row_stride: u32,
    // Elements of a row per workgroup, and chunks per row (workgroup kernels only).
    chunk: u32,
    chunks: u32,
    op: u32,
    // 1 when `x` holds partials of an earlier pass (their indices are in `x_index`).
    partial: u32,
    x_offset: u32,
    outer_rank: u32,
    _pad: array<u32, 3>,
    outer_shape: array<u32, 6>,
    outer_strides: array<u32, 6>,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> x_index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read_write> out_index: array<i32>;
@group(0) @binding(4) var<storage, read> params: Params;
// The input seen as vec4 (only `reduce_contiguous_f32` uses it; bindings are per entry point).
@group(0) @binding(0) var<storage, read> x4: array<vec4<u32>>;

const WORKGROUP: u32 = 256u;
// Index of the identity element: larger than every real index, so any real element wins a tie against it.
const NO_INDEX: i32 = 0x7fffffff;

// The op codes: `Params.op` names a variant of `ReduceOp` by the code of `reduce_code` in
// crates/tensor/src/gpu/params.rs (a test reads these constants with naga and compares them both ways).
const SUM: u32 = 0u;
const MAX: u32 = 1u;
const MIN: u32 = 2u;
const ARGMAX: u32 = 3u;
const ARGMIN: u32 = 4u;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Storage index of the first element of row `row`.
fn row_start(row: u32) -> u32 {
    var rest = row;
    var off = params.x_offset;
    for (var d = i32(params.outer_rank) - 1; d >= 0; d--) {
        let n = params.outer_shape[d];
        off += (rest % n) * params.outer_strides[d];
        rest /= n;
    }
    return off;
}

// Max-like ops (max, argmax) look for the largest value; min-like for the smallest.
fn wants_max(op: u32) -> bool {
    return op == MAX || op == ARGMAX;
}

// --- f32 --------------------------------------------------------------------------------------------------

struct PairF {
    v: f32,
    i: i32,
}

fn identity_f(op: u32) -> PairF {
    if op == SUM {
        return PairF(0.0, NO_INDEX);
    }
    if wants_max(op) {
        return PairF(bitcast<f32>(0xff800000u), NO_INDEX); // -inf
    }
    return PairF(bitcast<f32>(0x7f800000u), NO_INDEX); // +inf
}

// Combines two partial results; order-independent for max/min/arg ops (ties and NaN go to the smaller index).
fn combine_f(op: u32, a: PairF, b: PairF) -> PairF {
    if op == SUM {
        return PairF(a.v + b.v, 0);
    }
    let an = is_nan(a.v);
    let bn = is_nan(b.v);
    var take_b: bool;
    if an || bn {
        // NaN wins; between two NaNs (or two equal values below) the smaller index wins.
        take_b = (bn && !an) || (an && bn && b.i < a.i);
    } else if a.v == b.v {
        take_b = b.i < a.i;
    } else if wants_max(op) {
        take_b = b.v > a.v;
    } else {
        take_b = b.v < a.v;
    }
    if take_b {
        return b;
    }
    return a;
}

fn load_f(start: u32, j: u32) -> PairF {
    let at = start + j * params.row_stride;
    let v = bitcast<f32>(x[at]);
    if params.partial == 1u && params.op >= ARGMAX {
        return PairF(v, x_index[at]);
    }
    return PairF(v, i32(j));
}

fn store_f(slot: u32, r: PairF) {
    out[slot] = bitcast<u32>(r.v);
    if params.op >= ARGMAX {
        out_index[slot] = r.i;
    }
}

var<workgroup> tree_f: array<PairF, WORKGROUP>;

// Dispatch: rows * chunks workgroups of 256 (folded into x, y); workgroup w reduces chunk w % chunks of row
// w / chunks and writes slot w.
@compute @workgroup_size(WORKGROUP)
fn reduce_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) tid: u32) {
    let w = wid.y * nwg.x + wid.x;
    if w >= params.rows * params.chunks {
        return; // uniform across the workgroup: no barrier is skipped by part of it
    }
    let row = w / params.chunks;
    let begin = (w % params.chunks) * params.chunk;
    let end = min(begin + params.chunk, params.n);
    let start = row_start(row);
    // Phase 1: each invocation folds a strided slice of the chunk, in order.
    var acc = identity_f(params.op);
    for (var j = begin + tid; j < end; j += WORKGROUP) {
        acc = combine_f(params.op, acc, load_f(start, j));
    }
    tree_f[tid] = acc;
    workgroupBarrier();
    // Phase 2: a fixed binary tree over the 256 partials.
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree_f[tid] = combine_f(params.op, tree_f[tid], tree_f[tid + s]);
        }
        workgroupBarrier();
    }
    if tid == 0u {
        store_f(w, tree_f[0]);
    }
}

// A quad of a row, with the lanes past the row's end (`valid` lanes are real) set to the identity of `op`.
fn quad_f(q: u32, valid: u32) -> vec4<f32> {
    let v = bitcast<vec4<f32>>(x4[q]);
    if valid >= 4u {
        return v;
    }
    return select(vec4<f32>(identity_f(params.op).v), v, vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(valid));
}

// NaN-propagating lane-wise max (`want_max`) or min of two quads, as `combine_f` on values.
fn extreme4(a: vec4<f32>, b: vec4<f32>, want_max: bool) -> vec4<f32> {
    let a_nan = (bitcast<vec4<u32>>(a) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
    let b_nan = (bitcast<vec4<u32>>(b) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u);
    var b_wins: vec4<bool>;
    if want_max {
        b_wins = b > a;
    } else {
        b_wins = b < a;
    }
    return select(a, b, (b_wins | b_nan) & !a_nan);
}

// The fold of one invocation in `reduce_contiguous_f32`: acc4 (sum, max, min: lane-wise) or acc (arg ops: pairs,
// with each element's index in the row).
struct FoldF {
    acc4: vec4<f32>,
    acc: PairF,
}

fn fold_quad(f: ptr<function, FoldF>, v: vec4<f32>, first: i32) {
    switch params.op {
        case SUM: {
            (*f).acc4 = (*f).acc4 + v;
        }
        case MAX, MIN: {
            (*f).acc4 = extreme4((*f).acc4, v, params.op == MAX);
        }
        default: {
            for (var e = 0u; e < 4u; e++) {
                (*f).acc = combine_f(params.op, (*f).acc, PairF(v[e], first + i32(e)));
            }
        }
    }
}

// Dispatch: rows * chunks workgroups of 256 (folded into x, y), as `reduce_f32`. Preconditions (the launcher's):
// row_stride = 1, every row start a multiple of 4, `chunk` a multiple of 4096 (so chunks start at quads
// 1024 apart), x not partial.
@compute @workgroup_size(WORKGROUP)
fn reduce_contiguous_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                         @builtin(local_invocation_index) tid: u32) {
    let w = wid.y * nwg.x + wid.x;
    if w >= params.rows * params.chunks {
        return; // uniform across the workgroup
    }
    let row = w / params.chunks;
    let start4 = row_start(row) / 4u;
    let n = params.n;
    // This chunk's quads of the row: [begin4, end4); those below full4 have 4 real elements.
    let begin4 = (w % params.chunks) * (params.chunk / 4u);
    let end4 = min(begin4 + params.chunk / 4u, (n + 3u) / 4u);
    let full4 = min(end4, n / 4u);
    var f = FoldF(vec4<f32>(identity_f(params.op).v), identity_f(params.op));
    var q = begin4 + tid;
    // Four quads at a time, folded in order (q, q + 256, q + 512, q + 768): four loads in flight.
    for (; q + 3u * WORKGROUP < full4; q += 4u * WORKGROUP) {
        let v0 = bitcast<vec4<f32>>(x4[start4 + q]);
        let v1 = bitcast<vec4<f32>>(x4[start4 + q + WORKGROUP]);
        let v2 = bitcast<vec4<f32>>(x4[start4 + q + 2u * WORKGROUP]);
        let v3 = bitcast<vec4<f32>>(x4[start4 + q + 3u * WORKGROUP]);
        fold_quad(&f, v0, i32(4u * q));
        fold_quad(&f, v1, i32(4u * (q + WORKGROUP)));
        fold_quad(&f, v2, i32(4u * (q + 2u * WORKGROUP)));
        fold_quad(&f, v3, i32(4u * (q + 3u * WORKGROUP)));
    }
    for (; q < end4; q += WORKGROUP) {
        fold_quad(&f, quad_f(start4 + q, n - 4u * q), i32(4u * q));
    }
    // The invocation's result: the lanes in a fixed order (sum: (x + y) + (z + w)).
    var acc = f.acc;
    if params.op == SUM {
        acc = PairF((f.acc4.x + f.acc4.y) + (f.acc4.z + f.acc4.w), 0);
    } else if params.op == MAX || params.op == MIN {
        for (var e = 0u; e < 4u; e++) {
            acc = combine_f(params.op, acc, PairF(f.acc4[e], 0));
        }
    }
    tree_f[tid] = acc;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree_f[tid] = combine_f(params.op, tree_f[tid], tree_f[tid + s]);
        }
        workgroupBarrier();
    }
    if tid == 0u {
        store_f(w, tree_f[0]);
    }
}

// Dispatch: ceil(rows / 256) workgroups of 256 (folded into x, y); one invocation per row.
@compute @workgroup_size(WORKGROUP)
fn reduce_rows_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) tid: u32) {
    let row = (wid.y * nwg.x + wid.x) * WORKGROUP + tid;
    if row >= params.rows {
        return;
    }
    let start = row_start(row);
    var acc = identity_f(params.op);
    for (var j = 0u; j < params.n; j++) {
        acc = combine_f(params.op, acc, load_f(start, j));
    }
    store_f(row, acc);
}

// --- i32 (I64 tensors) ------------------------------------------------------------------------------------

struct PairI {
    v: i32,
    i: i32,
}

fn identity_i(op: u32) -> PairI {
    if op == SUM {
        return PairI(0, NO_INDEX);
    }
    if wants_max(op) {
        return PairI(i32(-2147483647) - 1, NO_INDEX);
    }
    return PairI(2147483647, NO_INDEX);
}

fn combine_i(op: u32, a: PairI, b: PairI) -> PairI {
    if op == SUM {
        return PairI(a.v + b.v, 0); // wrapping, as the CPU's wrapping_add
    }
    var take_b: bool;
    if a.v == b.v {
        take_b = b.i < a.i;
    } else if wants_max(op) {
        take_b = b.v > a.v;
    } else {
        take_b = b.v < a.v;
    }
    if take_b {
        return b;
    }
    return a;
}

fn load_i(start: u32, j: u32) -> PairI {
    let at = start + j * params.row_stride;
    let v = bitcast<i32>(x[at]);
    if params.partial == 1u && params.op >= ARGMAX {
        return PairI(v, x_index[at]);
    }
    return PairI(v, i32(j));
}

fn store_i(slot: u32, r: PairI) {
    out[slot] = bitcast<u32>(r.v);
    if params.op >= ARGMAX {
        out_index[slot] = r.i;
    }
}

var<workgroup> tree_i: array<PairI, WORKGROUP>;

// Dispatch: as `reduce_f32`.
@compute @workgroup_size(WORKGROUP)
fn reduce_i32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) tid: u32) {
    let w = wid.y * nwg.x + wid.x;
    if w >= params.rows * params.chunks {
        return;
    }
    let row = w / params.chunks;
    let begin = (w % params.chunks) * params.chunk;
    let end = min(begin + params.chunk, params.n);
    let start = row_start(row);
    var acc = identity_i(params.op);
    for (var j = begin + tid; j < end; j += WORKGROUP) {
        acc = combine_i(params.op, acc, load_i(start, j));
    }
    tree_i[tid] = acc;
    workgroupBarrier();
    for (var s = WORKGROUP / 2u; s > 0u; s >>= 1u) {
        if tid < s {
            tree_i[tid] = combine_i(params.op, tree_i[tid], tree_i[tid + s]);
        }
        workgroupBarrier();
    }
    if tid == 0u {
        store_i(w, tree_i[0]);
    }
}

// Dispatch: as `reduce_rows_f32`.
@compute @workgroup_size(WORKGROUP)
fn reduce_rows_i32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) tid: u32) {
    let row = (wid.y * nwg.x + wid.x) * WORKGROUP + tid;
    if row >= params.rows {
        return;
    }
    let start = row_start(row);
    var acc = identity_i(params.op);
    for (var j = 0u; j < params.n; j++) {
        acc = combine_i(params.op, acc, load_i(start, j));
    }
    store_i(row, acc);
}
