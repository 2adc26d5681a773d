// Batched matrix product for large products, software-pipelined: `out[b] <- lhs[b] · rhs[b]` (+ a bias row, then
// an optional ReLU: the epilogue of a fused linear layer). lhs is [batch, m, k], rhs is [batch, k, n], both read
// through their strides; out is the contiguous [batch, m, n].
//
// CPU twin: `matmul` / `linear` in crates/tensor/src/cpu/matmul.rs. The teaching kernels are in matmul.wgsl
// (read `matmul_f32` first); this file keeps their algorithm and their bits and reorganises the work so that the
// multiply-adds never wait for memory.
//
// Names: m, k, n are the matrix sizes; BM × BN is the output tile of a workgroup, BK the depth of one k panel.
//
// The tile. A workgroup computes a BM × BN = 128 × (64·WC) tile with 128·WC invocations, WC = 1 or 2 warp
// columns: its warps form a 4 × WC grid, each warp owns a 32 × 64 block, and within a warp the 32 invocations form
// a 4 (ty) × 8 (tx) grid, each owning an 8 × 8 register block:
//   rows    32·warp_row + 16·h + 4·ty + r,   h in {0, 1}, r in 0..4,
//   columns 64·warp_col + 32·h + 4·tx + c,   h in {0, 1}, c in 0..4,
// held as 16 vec4 accumulators (`acc[2·(4h + r) + h']` = row (h, r), columns (h', 0..4)).
//
// LOOP 1 walks k in panels of BK (8 or 16). The panels live in workgroup memory as vec4 quads, k-major:
//   a_panel[buffer][kk][q] = lhs rows 4q..4q+4 at depth kk,   b_panel[buffer][kk][q] = rhs columns 4q..4q+4.
// LOOP 2 walks a panel's depth: per step an invocation reads 2 vec4 of lhs and 2 of rhs (a warp reads 4 and 8
// distinct consecutive quads: one bank-conflict-free wavefront each) and does 64 multiply-adds.
//
// The pipeline, one barrier per panel:
//   registers <- global panel 0;  buffer 0 <- registers;  barrier
//   for each panel p:  registers <- global panel p + 1   (loads in flight ...)
//                      LOOP 2 over buffer p % 2           (... while the FMAs run)
//                      buffer (p + 1) % 2 <- registers;  barrier
// The barrier at the end of p both publishes panel p + 1 and tells every invocation that buffer p % 2 — which
// panel p + 2 will overwrite — has been read.
//
// How each operand is read (`lhs_mode` / `rhs_mode`, chosen by the launcher from the layout):
// * OPERAND_MN_QUADS: 4 consecutive rows of lhs (columns of rhs) are contiguous and aligned in memory (a
//   transposed lhs, a row-major rhs): one vec4 load, stored as one quad of the panel.
// * OPERAND_K_QUADS: 4 consecutive k are contiguous and aligned (a row-major lhs, a transposed rhs such as the Wᵀ
//   of a linear layer): one vec4 load, stored transposed as 4 scalars.
// * OPERAND_STRIDED: any other view (a broadcast batch, odd strides or offsets): 4 scalar loads.
// Consecutive invocations always take consecutive quads in memory, so the global loads are coalesced.
//
// Bounds checks: every workgroup-memory index is [buffer][kk][quad] with kk a constant past the start of LOOP 2's
// unrolled block and the quad a function of the invocation id alone, so the runtime clamps of a checked module
// are computed outside the loops (kk's within a block of eight); the accumulators are indexed by constants only.
//
// Edges: lhs rows past m and rhs columns past n are loaded as 0 and never stored. Depths past k pad the panels
// with lhs = -0 and rhs = +0: their product is -0, and fma(-0, +0, acc) = acc exactly for every acc (signed zeros
// included), so every output element is exactly the chain fma(lhs[0] rhs[0], fma(..., 0)) in increasing k — the
// bits of every kernel of matmul.wgsl.
//
// Tile order: with `swizzle` = G > 0, consecutive workgroups walk down a band of G tile rows before moving right,
// so the workgroups in flight share their lhs rows and rhs columns in L2 (0: row by row).
//
// Bindings (inputs, output, params): 0 `lhs`, 1 `rhs`, 2 `bias`, 3 `out`, 4 `params`. Every buffer is seen as
// vec4 (pool buffers hold a multiple of 16 bytes); scalar accesses index a quad's component.

// Keep in sync with `MatmulParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    batch: u32,
    m: u32,
    k: u32,
    n: u32,
    lhs_offset: u32,
    lhs_batch_stride: u32,
    lhs_row_stride: u32,
    lhs_col_stride: u32,
    rhs_offset: u32,
    rhs_batch_stride: u32,
    rhs_row_stride: u32,
    rhs_col_stride: u32,
    // EPILOGUE_* below; the bias row starts at `bias_offset` of `bias`.
    epilogue: u32,
    bias_offset: u32,
    // OPERAND_STRIDED / OPERAND_K_QUADS / OPERAND_MN_QUADS below.
    lhs_mode: u32,
    rhs_mode: u32,
    // 1 when n is a multiple of 4: the output is written as vec4.
    out_vec4: u32,
    // Tile rows per band of the workgroup order (0: plain row-major order).
    swizzle: u32,
}

@group(0) @binding(0) var<storage, read> lhs: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> rhs: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> params: Params;

const EPILOGUE_NONE: u32 = 0u;
const EPILOGUE_BIAS: u32 = 1u;
const EPILOGUE_BIAS_RELU: u32 = 2u;

const OPERAND_STRIDED: u32 = 0u;
const OPERAND_K_QUADS: u32 = 1u;
const OPERAND_MN_QUADS: u32 = 2u;

const BM: u32 = 128u;
// The largest BN and BK (the workgroup arrays are sized for them; smaller variants use a part).
const BN_MAX: u32 = 128u;
const BK_MAX: u32 = 16u;
// The padding of lhs past k (see the header).
const NEG_ZERO: f32 = -0.0;

var<workgroup> a_panel: array<array<array<vec4<f32>, 32>, 16>, 2>; // [buffer][kk][row quad]: BM / 4 quads
var<workgroup> b_panel: array<array<array<vec4<f32>, 32>, 16>, 2>; // [buffer][kk][column quad]: BN_MAX / 4

// The tile one workgroup computes: (batch, first row, first column).
struct Tile {
    b: u32,
    row0: u32,
    col0: u32,
}

// Workgroup (x, y) of a (tiles_n, tiles_m) grid -> its tile, in the order `swizzle` asks for.
fn tile_of(wid: vec3<u32>, nwg: vec3<u32>, bn: u32) -> Tile {
    var tx = wid.x;
    var ty = wid.y;
    let g = params.swizzle;
    if g > 0u {
        // The workgroups' linear order, cut into bands of g tile rows; within a band, down the rows first.
        let tiles_n = nwg.x;
        let tiles_m = nwg.y;
        let linear = wid.y * tiles_n + wid.x;
        let band = linear / (g * tiles_n);
        let first = band * g;
        let rows = min(tiles_m - first, g);
        let within = linear - band * g * tiles_n;
        ty = first + within % rows;
        tx = within / rows;
    }
    return Tile(wid.z, ty * BM, tx * bn);
}

// `ops::relu`: NaN passes through, -0 and negatives give +0 (as `relu` in elementwise.wgsl).
fn relu(x: f32) -> f32 {
    if x > 0.0 || (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u {
        return x;
    }
    return 0.0;
}

// --- global memory -> registers -------------------------------------------------------------------------------

// Element `i` of a buffer seen as vec4.
fn lhs_scalar(i: u32) -> f32 {
    return lhs[i >> 2u][i & 3u];
}

fn rhs_scalar(i: u32) -> f32 {
    return rhs[i >> 2u][i & 3u];
}

// Item `i` of the lhs panel at depth k0: a quad of 4 k of one row (OPERAND_K_QUADS, OPERAND_STRIDED: row
// i / (bk/4), k quad i % (bk/4)) or of 4 rows at one depth (OPERAND_MN_QUADS: depth i / 32, row quad i % 32).
fn load_lhs(t: Tile, k0: u32, i: u32, bk: u32) -> vec4<f32> {
    let m = params.m;
    let k = params.k;
    let base = params.lhs_offset + t.b * params.lhs_batch_stride;
    let rs = params.lhs_row_stride;
    let cs = params.lhs_col_stride;
    if params.lhs_mode == OPERAND_MN_QUADS {
        let kk = k0 + i / 32u;
        let row = t.row0 + 4u * (i % 32u);
        if kk >= k {
            return vec4<f32>(NEG_ZERO);
        }
        if row >= m {
            return vec4<f32>(0.0);
        }
        let v = lhs[(base + row * rs + kk * cs) >> 2u];
        return select(v, vec4<f32>(0.0), vec4<u32>(row) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(m));
    }
    let row = t.row0 + i / (bk / 4u);
    let kk = k0 + 4u * (i % (bk / 4u));
    if row >= m || kk >= k {
        return vec4<f32>(NEG_ZERO);
    }
    let past_k = vec4<u32>(kk) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(k);
    let at = base + row * rs + kk * cs;
    var v: vec4<f32>;
    if params.lhs_mode == OPERAND_K_QUADS {
        v = lhs[at >> 2u];
    } else {
        for (var e = 0u; e < 4u; e++) {
            if kk + e < k {
                v[e] = lhs_scalar(at + e * cs);
            }
        }
    }
    return select(v, vec4<f32>(NEG_ZERO), past_k);
}

// Item `i` of the rhs panel at depth k0: a quad of 4 columns at one depth (OPERAND_MN_QUADS, OPERAND_STRIDED: depth
// i / (bn/4), column quad i % (bn/4)) or of 4 k of one column (OPERAND_K_QUADS: column i / (bk/4), k quad i % (bk/4)).
fn load_rhs(t: Tile, k0: u32, i: u32, bk: u32, bn: u32) -> vec4<f32> {
    let n = params.n;
    let k = params.k;
    let base = params.rhs_offset + t.b * params.rhs_batch_stride;
    let rs = params.rhs_row_stride;
    let cs = params.rhs_col_stride;
    if params.rhs_mode == OPERAND_K_QUADS {
        let col = t.col0 + i / (bk / 4u);
        let kk = k0 + 4u * (i % (bk / 4u));
        if col >= n || kk >= k {
            return vec4<f32>(0.0);
        }
        let v = rhs[(base + kk * rs + col * cs) >> 2u];
        return select(v, vec4<f32>(0.0), vec4<u32>(kk) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(k));
    }
    let kk = k0 + i / (bn / 4u);
    let col = t.col0 + 4u * (i % (bn / 4u));
    if kk >= k || col >= n {
        return vec4<f32>(0.0);
    }
    let past_n = vec4<u32>(col) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(n);
    let at = base + kk * rs + col * cs;
    var v: vec4<f32>;
    if params.rhs_mode == OPERAND_MN_QUADS {
        v = rhs[at >> 2u];
    } else {
        for (var e = 0u; e < 4u; e++) {
            if col + e < n {
                v[e] = rhs_scalar(at + e * cs);
            }
        }
    }
    return select(v, vec4<f32>(0.0), past_n);
}

// --- registers -> workgroup memory ----------------------------------------------------------------------------

// Stores item `i` of `load_lhs` into buffer `buf`.
fn store_lhs(buf: u32, i: u32, v: vec4<f32>, bk: u32) {
    if params.lhs_mode == OPERAND_MN_QUADS {
        a_panel[buf][i / 32u][i % 32u] = v;
        return;
    }
    // A quad of 4 k of one row: transposed into 4 panel rows.
    let row = i / (bk / 4u);
    let kk = 4u * (i % (bk / 4u));
    for (var e = 0u; e < 4u; e++) {
        a_panel[buf][kk + e][row / 4u][row % 4u] = v[e];
    }
}

// Stores item `i` of `load_rhs` into buffer `buf`.
fn store_rhs(buf: u32, i: u32, v: vec4<f32>, bk: u32, bn: u32) {
    if params.rhs_mode == OPERAND_K_QUADS {
        let col = i / (bk / 4u);
        let kk = 4u * (i % (bk / 4u));
        for (var e = 0u; e < 4u; e++) {
            b_panel[buf][kk + e][col / 4u][col % 4u] = v[e];
        }
        return;
    }
    b_panel[buf][i / (bn / 4u)][i % (bn / 4u)] = v;
}

// --- the multiply-adds ----------------------------------------------------------------------------------------

// acc += (a0, a1) ⊗ (b0, b1): the 8 lhs values of an invocation's rows times its 8 rhs values, one fma each.
fn outer_product(a0: vec4<f32>, a1: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, acc: ptr<function, array<vec4<f32>, 16>>) {
    (*acc)[0] = fma(vec4<f32>(a0.x), b0, (*acc)[0]);
    (*acc)[1] = fma(vec4<f32>(a0.x), b1, (*acc)[1]);
    (*acc)[2] = fma(vec4<f32>(a0.y), b0, (*acc)[2]);
    (*acc)[3] = fma(vec4<f32>(a0.y), b1, (*acc)[3]);
    (*acc)[4] = fma(vec4<f32>(a0.z), b0, (*acc)[4]);
    (*acc)[5] = fma(vec4<f32>(a0.z), b1, (*acc)[5]);
    (*acc)[6] = fma(vec4<f32>(a0.w), b0, (*acc)[6]);
    (*acc)[7] = fma(vec4<f32>(a0.w), b1, (*acc)[7]);
    (*acc)[8] = fma(vec4<f32>(a1.x), b0, (*acc)[8]);
    (*acc)[9] = fma(vec4<f32>(a1.x), b1, (*acc)[9]);
    (*acc)[10] = fma(vec4<f32>(a1.y), b0, (*acc)[10]);
    (*acc)[11] = fma(vec4<f32>(a1.y), b1, (*acc)[11]);
    (*acc)[12] = fma(vec4<f32>(a1.z), b0, (*acc)[12]);
    (*acc)[13] = fma(vec4<f32>(a1.z), b1, (*acc)[13]);
    (*acc)[14] = fma(vec4<f32>(a1.w), b0, (*acc)[14]);
    (*acc)[15] = fma(vec4<f32>(a1.w), b1, (*acc)[15]);
}

// One step of LOOP 2 at depth kk of buffer `buf`: the invocation's 2 + 2 quads, then their 64 fma.
fn step(buf: u32, kk: u32, a_quad: u32, b_quad: u32, acc: ptr<function, array<vec4<f32>, 16>>) {
    let a0 = a_panel[buf][kk][a_quad];
    let a1 = a_panel[buf][kk][a_quad + 4u];
    let b0 = b_panel[buf][kk][b_quad];
    let b1 = b_panel[buf][kk][b_quad + 8u];
    outer_product(a0, a1, b0, b1, acc);
}

// --- the kernel body ------------------------------------------------------------------------------------------

// The whole kernel for a BM × bn tile, bn = 64·wc, BK = bk, 128·wc invocations (the entry points pass constants,
// so once inlined every loop below has a constant trip count).
fn pipelined(wid: vec3<u32>, nwg: vec3<u32>, tid: u32, bk: u32, wc: u32) {
    let bn = 64u * wc;
    let threads = 128u * wc;
    let t = tile_of(wid, nwg, bn);
    if t.b >= params.batch {
        return; // uniform: the whole workgroup leaves
    }
    // Items per invocation per panel: lhs BM·bk/4 quads, rhs bk·bn/4 quads.
    let a_items = BM * bk / 4u / threads;
    let b_items = bk * bn / 4u / threads;
    // This invocation's quads of the panels (see the header): warp (warp_row, warp_col), lane (ty, tx).
    let warp = tid / 32u;
    let lane = tid % 32u;
    let a_quad = 8u * (warp % 4u) + lane / 8u; // + 4 h
    let b_quad = 16u * (warp / 4u) + lane % 8u; // + 8 h
    var acc: array<vec4<f32>, 16>;
    var next_a: array<vec4<f32>, 4>;
    var next_b: array<vec4<f32>, 2>;
    let panels = (params.k + bk - 1u) / bk;
    if panels > 0u {
        for (var j = 0u; j < a_items; j++) {
            store_lhs(0u, tid + threads * j, load_lhs(t, 0u, tid + threads * j, bk), bk);
        }
        for (var j = 0u; j < b_items; j++) {
            store_rhs(0u, tid + threads * j, load_rhs(t, 0u, tid + threads * j, bk, bn), bk, bn);
        }
    }
    workgroupBarrier();
    // LOOP 1: k panels.
    for (var p = 0u; p < panels; p++) {
        let buf = p % 2u;
        let more = p + 1u < panels;
        // Prefetch panel p + 1 into registers; nothing waits for these loads until after LOOP 2.
        if more {
            for (var j = 0u; j < a_items; j++) {
                next_a[j] = load_lhs(t, (p + 1u) * bk, tid + threads * j, bk);
            }
            for (var j = 0u; j < b_items; j++) {
                next_b[j] = load_rhs(t, (p + 1u) * bk, tid + threads * j, bk, bn);
            }
        }
        // LOOP 2: the panel's depth, 64 fma per step, unrolled by hand eight steps at a time (so the depths are
        // constants past k8 and the driver can load a step's quads while the one before multiplies).
        for (var k8 = 0u; k8 < bk; k8 += 8u) {
            step(buf, k8, a_quad, b_quad, &acc);
            step(buf, k8 + 1u, a_quad, b_quad, &acc);
            step(buf, k8 + 2u, a_quad, b_quad, &acc);
            step(buf, k8 + 3u, a_quad, b_quad, &acc);
            step(buf, k8 + 4u, a_quad, b_quad, &acc);
            step(buf, k8 + 5u, a_quad, b_quad, &acc);
            step(buf, k8 + 6u, a_quad, b_quad, &acc);
            step(buf, k8 + 7u, a_quad, b_quad, &acc);
        }
        if more {
            for (var j = 0u; j < a_items; j++) {
                store_lhs(1u - buf, tid + threads * j, next_a[j], bk);
            }
            for (var j = 0u; j < b_items; j++) {
                store_rhs(1u - buf, tid + threads * j, next_b[j], bk, bn);
            }
        }
        workgroupBarrier();
    }
    // The epilogue: bias and ReLU (as the `add` and `relu` kernels would), then the stores.
    let m = params.m;
    let n = params.n;
    let out_base = t.b * m * n;
    for (var hc = 0u; hc < 2u; hc++) {
        let col = t.col0 + 4u * (b_quad + 8u * hc);
        if col >= n {
            continue;
        }
        var bias4 = vec4<f32>(0.0);
        if params.epilogue != EPILOGUE_NONE {
            for (var c = 0u; c < 4u; c++) {
                if col + c < n {
                    bias4[c] = bias[params.bias_offset + col + c];
                }
            }
        }
        for (var i = 0u; i < 8u; i++) {
            let row = t.row0 + 4u * (a_quad + 4u * (i / 4u)) + i % 4u;
            if row >= m {
                continue;
            }
            var v = acc[2u * i + hc];
            if params.epilogue != EPILOGUE_NONE {
                v = v + bias4;
            }
            if params.epilogue == EPILOGUE_BIAS_RELU {
                v = vec4<f32>(relu(v.x), relu(v.y), relu(v.z), relu(v.w));
            }
            let at = out_base + row * n + col;
            if params.out_vec4 == 1u {
                out[at >> 2u] = v; // n % 4 = 0: the quad is aligned and wholly inside the row
            } else {
                for (var c = 0u; c < 4u; c++) {
                    if col + c < n {
                        out[(at + c) >> 2u][(at + c) & 3u] = v[c];
                    }
                }
            }
        }
    }
}

// --- entry points ---------------------------------------------------------------------------------------------

// Dispatch of every entry point: (ceil(n / BN), ceil(m / 128), batch) workgroups; workgroup (x, y, b) computes a
// tile of out[b] (see `tile_of`).

// Invocations per workgroup: 128 per 64 columns of the tile (`threads` in `pipelined`).
const WORKGROUP_128X128: u32 = 256u;
const WORKGROUP_128X64: u32 = 128u;

// 128 × 128 tiles, BK = 8: 256 invocations, 1 quad of each operand per invocation per panel.
@compute @workgroup_size(WORKGROUP_128X128)
fn matmul_pipelined_128x128_k8_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                                   @builtin(local_invocation_index) tid: u32) {
    pipelined(wid, nwg, tid, 8u, 2u);
}

// 128 × 128 tiles, BK = 16: half the barriers per k, twice the prefetch registers.
@compute @workgroup_size(WORKGROUP_128X128)
fn matmul_pipelined_128x128_k16_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                                    @builtin(local_invocation_index) tid: u32) {
    pipelined(wid, nwg, tid, 16u, 2u);
}

// 128 × 64 tiles, BK = 8: 128 invocations; twice the tiles of 128 × 128 for mid-sized products.
@compute @workgroup_size(WORKGROUP_128X64)
fn matmul_pipelined_128x64_k8_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                                  @builtin(local_invocation_index) tid: u32) {
    pipelined(wid, nwg, tid, 8u, 1u);
}

// 128 × 64 tiles, BK = 16.
@compute @workgroup_size(WORKGROUP_128X64)
fn matmul_pipelined_128x64_k16_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                                   @builtin(local_invocation_index) tid: u32) {
    pipelined(wid, nwg, tid, 16u, 1u);
}
