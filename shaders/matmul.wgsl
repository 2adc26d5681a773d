// Batched matrix product `out[b] <- lhs[b] · rhs[b]`: lhs is [batch, m, k], rhs is [batch, k, n], out is the
// contiguous [batch, m, n]. Operands are read through their strides (transposed or broadcast operands, including a
// batch stride of 0, are never copied).
//
// CPU twin: `matmul` in crates/tensor/src/cpu/matmul.rs (over the GEMM of cpu/gemm).
//
// Names: m, k, n are the matrix sizes; BM × BN is the output tile of a workgroup, BK the depth of one k panel;
// each invocation owns a TM × TN register block of the tile.
//
// The kernels:
// * `matmul_f32`: tiled. A workgroup of 16 × 16 invocations computes a 64 × 64 tile of out; each invocation a
//   4 × 4 block (rows ty + 16 r, columns tx + 16 c, so neighbouring invocations touch neighbouring columns).
//   LOOP 1 walks k in panels of BK = 16: the workgroup stages a 64 × 16 panel of lhs and a 16 × 64 panel of rhs
//   in workgroup memory (zero-padded at the edges); LOOP 2 walks the panel's depth, loading 4 values of lhs and
//   4 of rhs into registers and doing 16 multiply-adds.
// * `matmul_vec4_f32`: the same tiling when both operands are row-major with every offset and stride a multiple of
//   4 (and k, n multiples of 4): each invocation stages one vec4 of lhs (4 consecutive k) and one vec4 of rhs
//   (4 consecutive columns) per panel, a quarter of the loads. The launcher picks it when the layout allows.
// * `matmul_big_f32`, `matmul_big_vec4_f32`: for products with enough 128 × 128 tiles to fill a large GPU
//   (the launcher's rule). A workgroup of 256 invocations computes a 128 × 128 tile, each invocation an 8 × 8
//   block: rows 4 ty.. 4 ty + 3 and 64 + 4 ty.., columns 4 tx.. 4 tx + 3 and 64 + 4 tx.., held as 16 vec4
//   accumulators. LOOP 1 walks k in panels of 8 (staged as vec4 quads: lhs k-major by row quads, rhs by column
//   quads); LOOP 2 reads, per depth step, two vec4 of lhs and two of rhs from workgroup memory and does 64
//   multiply-adds — twice the arithmetic per workgroup-memory read of the 64 × 64 kernels. The vec4 variant
//   reads global memory as vec4 under the same preconditions as `matmul_vec4_f32`.
// * `matmul_naive_f32`: one invocation per output element, a plain dot product. Used for the skinny shapes where
//   tiles would be mostly padding (k <= 16, as 800×2 · 2×10, or tiny outputs such as 10×800 · 800×10).
//
// Every kernel adds the products of one output element in increasing k, one fused multiply-add each, starting
// from 0, so all kernels (those of matmul_pipelined.wgsl too) give the same bits. Tiles pad the k panels past k
// with lhs = -0 and rhs = +0: fma(-0, +0, acc) = acc exactly, even for acc = -0 (a +0 pad would turn a -0 sum,
// possible when a product underflows, into +0).
//
// The epilogue (`epilogue` in Params) adds a bias row and optionally applies ReLU to each finished element, with
// the bits of the `add` and `relu` kernels of elementwise.wgsl: a fused linear layer `x Wᵀ + b`.
//
// Bindings (inputs, output, params): 0 `lhs`, 1 `rhs`, 2 `bias`, 3 `out`, 4 `params`.

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
    // Used by matmul_pipelined.wgsl only.
    lhs_mode: u32,
    rhs_mode: u32,
    out_vec4: u32,
    swizzle: u32,
}

@group(0) @binding(0) var<storage, read> lhs: array<f32>;
@group(0) @binding(1) var<storage, read> rhs: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> params: Params;
// The same buffers seen as vec4 (only `matmul_vec4_f32` uses these; bindings are per entry point).
@group(0) @binding(0) var<storage, read> lhs4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> rhs4: array<vec4<f32>>;

const EPILOGUE_NONE: u32 = 0u;
const EPILOGUE_BIAS: u32 = 1u;
const EPILOGUE_BIAS_RELU: u32 = 2u;

// The padding of lhs past k (see the header).
const NEG_ZERO: f32 = -0.0;

// Invocations per workgroup of every kernel here (the launcher reads each entry point's size from this file).
const WORKGROUP: u32 = 256u;

const BM: u32 = 64u;
const BN: u32 = 64u;
const BK: u32 = 16u;
const TM: u32 = 4u;
const TN: u32 = 4u;

// Panels, stored k-major: lhs_panel[kk * BM + row], rhs_panel[kk * BN + col].
var<workgroup> lhs_panel: array<f32, 1024>; // BK * BM
var<workgroup> rhs_panel: array<f32, 1024>; // BK * BN

fn lhs_at(b: u32, row: u32, col: u32) -> f32 {
    return lhs[params.lhs_offset + b * params.lhs_batch_stride + row * params.lhs_row_stride
        + col * params.lhs_col_stride];
}

fn rhs_at(b: u32, row: u32, col: u32) -> f32 {
    return rhs[params.rhs_offset + b * params.rhs_batch_stride + row * params.rhs_row_stride
        + col * params.rhs_col_stride];
}

// `ops::relu`: NaN passes through, -0 and negatives give +0 (as `relu` in elementwise.wgsl).
fn relu(x: f32) -> f32 {
    if x > 0.0 || (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u {
        return x;
    }
    return 0.0;
}

// A finished element of column `col`, through the epilogue: `+ bias[col]` (the `add` kernel's `a + b`), then
// `relu`.
fn epilogue(v: f32, col: u32) -> f32 {
    var r = v;
    if params.epilogue != EPILOGUE_NONE {
        r = r + bias[params.bias_offset + col];
    }
    if params.epilogue == EPILOGUE_BIAS_RELU {
        r = relu(r);
    }
    return r;
}

// Dispatch: (ceil(n / 64), ceil(m / 64), batch) workgroups of 256; workgroup (x, y, b) computes the tile at
// rows 64 y.., columns 64 x.. of out[b].
@compute @workgroup_size(WORKGROUP)
fn matmul_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let b = wid.z;
    if b >= params.batch {
        return; // uniform: the whole workgroup leaves
    }
    let m = params.m;
    let n = params.n;
    let k = params.k;
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;
    let tx = tid % 16u;
    let ty = tid / 16u;
    var acc: array<array<f32, 4>, 4>; // acc[r][c] for row ty + 16 r, column tx + 16 c
    for (var r = 0u; r < TM; r++) {
        for (var c = 0u; c < TN; c++) {
            acc[r][c] = 0.0;
        }
    }
    // LOOP 1: k panels.
    for (var k0 = 0u; k0 < k; k0 += BK) {
        // Stage the panels: 1024 values each, 4 per invocation. For lhs, consecutive invocations take
        // consecutive k (contiguous for a row-major lhs); for rhs, consecutive columns.
        for (var l = 0u; l < 4u; l++) {
            let e = tid + WORKGROUP * l;
            let kk_a = e % BK;
            let mm = e / BK;
            let row = row0 + mm;
            var va = NEG_ZERO;
            if row < m && k0 + kk_a < k {
                va = lhs_at(b, row, k0 + kk_a);
            }
            lhs_panel[kk_a * BM + mm] = va;
            let nn = e % BN;
            let kk_b = e / BN;
            let col = col0 + nn;
            var vb = 0.0;
            if col < n && k0 + kk_b < k {
                vb = rhs_at(b, k0 + kk_b, col);
            }
            rhs_panel[kk_b * BN + nn] = vb;
        }
        workgroupBarrier();
        accumulate_panels(tx, ty, &acc);
        workgroupBarrier();
    }
    store_block(b, row0, col0, tx, ty, &acc);
}

// LOOP 2 of both tiled kernels: the staged panels' depth, a 4 × 4 outer product per step into `acc`.
fn accumulate_panels(tx: u32, ty: u32, acc: ptr<function, array<array<f32, 4>, 4>>) {
    for (var kk = 0u; kk < BK; kk++) {
        var a: array<f32, 4>;
        var bv: array<f32, 4>;
        for (var r = 0u; r < TM; r++) {
            a[r] = lhs_panel[kk * BM + ty + 16u * r];
        }
        for (var c = 0u; c < TN; c++) {
            bv[c] = rhs_panel[kk * BN + tx + 16u * c];
        }
        for (var r = 0u; r < TM; r++) {
            for (var c = 0u; c < TN; c++) {
                (*acc)[r][c] = fma(a[r], bv[c], (*acc)[r][c]);
            }
        }
    }
}

// Writes an invocation's register block (edge tiles: only the elements inside out).
fn store_block(b: u32, row0: u32, col0: u32, tx: u32, ty: u32, acc: ptr<function, array<array<f32, 4>, 4>>) {
    let m = params.m;
    let n = params.n;
    for (var r = 0u; r < TM; r++) {
        let row = row0 + ty + 16u * r;
        for (var c = 0u; c < TN; c++) {
            let col = col0 + tx + 16u * c;
            if row < m && col < n {
                out[(b * m + row) * n + col] = epilogue((*acc)[r][c], col);
            }
        }
    }
}

// Dispatch: as `matmul_f32`. Preconditions (checked by the launcher): lhs_col_stride = rhs_col_stride = 1; k, n,
// both offsets and all batch and row strides multiples of 4 — so every vec4 below is aligned and either wholly
// inside or wholly outside the matrices.
@compute @workgroup_size(WORKGROUP)
fn matmul_vec4_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let b = wid.z;
    if b >= params.batch {
        return; // uniform: the whole workgroup leaves
    }
    let m = params.m;
    let n = params.n;
    let k = params.k;
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;
    let tx = tid % 16u;
    let ty = tid / 16u;
    var acc: array<array<f32, 4>, 4>;
    for (var r = 0u; r < TM; r++) {
        for (var c = 0u; c < TN; c++) {
            acc[r][c] = 0.0;
        }
    }
    // LOOP 1: k panels.
    for (var k0 = 0u; k0 < k; k0 += BK) {
        // Stage the panels, one vec4 of each per invocation: lhs row tid / 4, k quad tid % 4 (64 rows × 4 quads);
        // rhs k row tid / 16, column quad tid % 16 (16 rows × 16 quads).
        let mm = tid / 4u;
        let qa = tid % 4u;
        let row = row0 + mm;
        var va = vec4<f32>(NEG_ZERO);
        if row < m && k0 + 4u * qa < k {
            va = lhs4[(params.lhs_offset + b * params.lhs_batch_stride + row * params.lhs_row_stride + k0 + 4u * qa) / 4u];
        }
        for (var i = 0u; i < 4u; i++) {
            lhs_panel[(4u * qa + i) * BM + mm] = va[i];
        }
        let kk = tid / 16u;
        let qb = tid % 16u;
        let col = col0 + 4u * qb;
        var vb = vec4<f32>(0.0);
        if col < n && k0 + kk < k {
            vb = rhs4[(params.rhs_offset + b * params.rhs_batch_stride + (k0 + kk) * params.rhs_row_stride + col) / 4u];
        }
        for (var i = 0u; i < 4u; i++) {
            rhs_panel[kk * BN + 4u * qb + i] = vb[i];
        }
        workgroupBarrier();
        accumulate_panels(tx, ty, &acc);
        workgroupBarrier();
    }
    store_block(b, row0, col0, tx, ty, &acc);
}

// Dispatch: ceil(batch * m * n / 256) workgroups of 256 (folded into x, y); one invocation per output element.
@compute @workgroup_size(WORKGROUP)
fn matmul_naive_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) tid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + tid;
    let m = params.m;
    let n = params.n;
    if i >= params.batch * m * n {
        return;
    }
    let col = i % n;
    let row = (i / n) % m;
    let b = i / (m * n);
    var acc = 0.0;
    for (var kk = 0u; kk < params.k; kk++) {
        acc = fma(lhs_at(b, row, kk), rhs_at(b, kk, col), acc);
    }
    out[i] = epilogue(acc, col);
}

// ---- 128 × 128 tiles -------------------------------------------------------------------------------------------

const BIG: u32 = 128u; // BM = BN of the big kernels
const BIG_BK: u32 = 8u;

// Panels of the big kernels, as vec4 quads, k-major: big_lhs_panel[kk * 32 + row / 4][row % 4] and
// big_rhs_panel[kk * 32 + col / 4][col % 4].
var<workgroup> big_lhs_panel: array<vec4<f32>, 256>; // BIG_BK * BIG / 4
var<workgroup> big_rhs_panel: array<vec4<f32>, 256>;

// LOOP 2 of the big kernels: acc[2 r + h] holds row (r < 4 ? 4 ty + r : 64 + 4 ty + r - 4), columns
// 64 h + 4 tx .. 64 h + 4 tx + 3.
fn big_accumulate(tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 16>>) {
    for (var kk = 0u; kk < BIG_BK; kk++) {
        let a0 = big_lhs_panel[kk * 32u + ty];
        let a1 = big_lhs_panel[kk * 32u + 16u + ty];
        let b0 = big_rhs_panel[kk * 32u + tx];
        let b1 = big_rhs_panel[kk * 32u + 16u + tx];
        (*acc)[0] = fma(vec4(a0.x), b0, (*acc)[0]);
        (*acc)[1] = fma(vec4(a0.x), b1, (*acc)[1]);
        (*acc)[2] = fma(vec4(a0.y), b0, (*acc)[2]);
        (*acc)[3] = fma(vec4(a0.y), b1, (*acc)[3]);
        (*acc)[4] = fma(vec4(a0.z), b0, (*acc)[4]);
        (*acc)[5] = fma(vec4(a0.z), b1, (*acc)[5]);
        (*acc)[6] = fma(vec4(a0.w), b0, (*acc)[6]);
        (*acc)[7] = fma(vec4(a0.w), b1, (*acc)[7]);
        (*acc)[8] = fma(vec4(a1.x), b0, (*acc)[8]);
        (*acc)[9] = fma(vec4(a1.x), b1, (*acc)[9]);
        (*acc)[10] = fma(vec4(a1.y), b0, (*acc)[10]);
        (*acc)[11] = fma(vec4(a1.y), b1, (*acc)[11]);
        (*acc)[12] = fma(vec4(a1.z), b0, (*acc)[12]);
        (*acc)[13] = fma(vec4(a1.z), b1, (*acc)[13]);
        (*acc)[14] = fma(vec4(a1.w), b0, (*acc)[14]);
        (*acc)[15] = fma(vec4(a1.w), b1, (*acc)[15]);
    }
}

// Writes an invocation's 8 × 8 block (edge tiles: only the elements inside out).
fn big_store(b: u32, row0: u32, col0: u32, tx: u32, ty: u32, acc: ptr<function, array<vec4<f32>, 16>>) {
    let m = params.m;
    let n = params.n;
    for (var r = 0u; r < 8u; r++) {
        let row = row0 + select(64u + 4u * ty + r - 4u, 4u * ty + r, r < 4u);
        if row >= m {
            continue;
        }
        for (var h = 0u; h < 2u; h++) {
            let v = (*acc)[2u * r + h];
            let c0 = col0 + 64u * h + 4u * tx;
            for (var i = 0u; i < 4u; i++) {
                if c0 + i < n {
                    out[(b * m + row) * n + c0 + i] = epilogue(v[i], c0 + i);
                }
            }
        }
    }
}

// Dispatch: (ceil(n / 128), ceil(m / 128), batch) workgroups of 256; workgroup (x, y, b) computes the tile at
// rows 128 y.., columns 128 x.. of out[b]. Operands are read through their strides.
@compute @workgroup_size(WORKGROUP)
fn matmul_big_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let b = wid.z;
    if b >= params.batch {
        return; // uniform: the whole workgroup leaves
    }
    let m = params.m;
    let n = params.n;
    let k = params.k;
    let row0 = wid.y * BIG;
    let col0 = wid.x * BIG;
    var acc: array<vec4<f32>, 16>;
    // Staging: lhs row tid / 2, k quad tid % 2 (128 rows × 2 quads); rhs k row tid / 32, column quad tid % 32.
    let a_row = tid / 2u;
    let a_quad = tid % 2u;
    let b_k = tid / 32u;
    let b_quad = tid % 32u;
    // LOOP 1: k panels.
    for (var k0 = 0u; k0 < k; k0 += BIG_BK) {
        for (var i = 0u; i < 4u; i++) {
            let kk = 4u * a_quad + i;
            var va = NEG_ZERO;
            if row0 + a_row < m && k0 + kk < k {
                va = lhs_at(b, row0 + a_row, k0 + kk);
            }
            big_lhs_panel[kk * 32u + a_row / 4u][a_row % 4u] = va;
        }
        var vb = vec4<f32>(0.0);
        for (var i = 0u; i < 4u; i++) {
            let col = col0 + 4u * b_quad + i;
            if col < n && k0 + b_k < k {
                vb[i] = rhs_at(b, k0 + b_k, col);
            }
        }
        big_rhs_panel[b_k * 32u + b_quad] = vb;
        workgroupBarrier();
        big_accumulate(tid % 16u, tid / 16u, &acc);
        workgroupBarrier();
    }
    big_store(b, row0, col0, tid % 16u, tid / 16u, &acc);
}

// Dispatch: as `matmul_big_f32`. Preconditions: those of `matmul_vec4_f32` (checked by the launcher).
@compute @workgroup_size(WORKGROUP)
fn matmul_big_vec4_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let b = wid.z;
    if b >= params.batch {
        return; // uniform: the whole workgroup leaves
    }
    let m = params.m;
    let n = params.n;
    let k = params.k;
    let row0 = wid.y * BIG;
    let col0 = wid.x * BIG;
    var acc: array<vec4<f32>, 16>;
    let a_row = tid / 2u;
    let a_quad = tid % 2u;
    let b_k = tid / 32u;
    let b_quad = tid % 32u;
    // LOOP 1: k panels.
    for (var k0 = 0u; k0 < k; k0 += BIG_BK) {
        var va = vec4<f32>(NEG_ZERO);
        if row0 + a_row < m && k0 + 4u * a_quad < k {
            va = lhs4[(params.lhs_offset + b * params.lhs_batch_stride + (row0 + a_row) * params.lhs_row_stride + k0
                + 4u * a_quad) / 4u];
        }
        for (var i = 0u; i < 4u; i++) {
            big_lhs_panel[(4u * a_quad + i) * 32u + a_row / 4u][a_row % 4u] = va[i];
        }
        var vb = vec4<f32>(0.0);
        if col0 + 4u * b_quad < n && k0 + b_k < k {
            vb = rhs4[(params.rhs_offset + b * params.rhs_batch_stride + (k0 + b_k) * params.rhs_row_stride + col0
                + 4u * b_quad) / 4u];
        }
        big_rhs_panel[b_k * 32u + b_quad] = vb;
        workgroupBarrier();
        big_accumulate(tid % 16u, tid / 16u, &acc);
        workgroupBarrier();
    }
    big_store(b, row0, col0, tid % 16u, tid / 16u, &acc);
}
