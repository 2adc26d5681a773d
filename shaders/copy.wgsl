// Data movement: strided copy (what `contiguous()` runs, and each part of a concat), cast, fill and where.
//
// CPU twin: `copy_strided`, `cast`, `where_cond` in crates/tensor/src/cpu/elementwise.rs and `concat` in
// crates/tensor/src/cpu/index.rs.
//
// Data is bound as raw 32-bit words and bitcast where the dtype matters (f32, or i32 for I64 tensors).
//
// Bindings (inputs, output, params): 0 `x` (the condition of `where`), 1 `on_true`, 2 `on_false`, 3 `out`,
// 4 `params`.
//
// Addressing: logical element `i` (row-major over `shape`) of view v lives at `v_offset + Σ_d i_d * v_strides[d]`.
// The output is addressed the same way, so a concat writes each part as a strided copy into the output at the
// part's offset along the concat axis.

// Keep in sync with `CopyParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    numel: u32,
    rank: u32,
    // 1 when `x` and `out` are both contiguous: addresses are `offset + i` (the fast path).
    contiguous: u32,
    // The fill value's bits (`fill_x32`).
    value: u32,
    x_offset: u32,
    t_offset: u32,
    f_offset: u32,
    out_offset: u32,
    shape: array<u32, 6>,
    x_strides: array<u32, 6>,
    t_strides: array<u32, 6>,
    f_strides: array<u32, 6>,
    out_strides: array<u32, 6>,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> on_true: array<u32>;
@group(0) @binding(2) var<storage, read> on_false: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
@group(0) @binding(4) var<storage, read> params: Params;

const WORKGROUP: u32 = 256u;

// Dispatch geometry of every kernel here: ceil(numel / 256) workgroups of 256 (folded into x, y when more than
// 65535), one invocation per element.
fn linear_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
}

fn strided(i: u32, base: u32, strides: array<u32, 6>) -> u32 {
    var s = strides;
    var rest = i;
    var off = base;
    for (var d = i32(params.rank) - 1; d >= 0; d--) {
        let n = params.shape[d];
        off += (rest % n) * s[d];
        rest /= n;
    }
    return off;
}

// Dispatch: ceil(numel / 256) workgroups; `out[out view][i] = x[x view][i]`, bit for bit.
@compute @workgroup_size(WORKGROUP)
fn copy_strided_x32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    if params.contiguous == 1u {
        out[params.out_offset + i] = x[params.x_offset + i];
        return;
    }
    out[strided(i, params.out_offset, params.out_strides)] = x[strided(i, params.x_offset, params.x_strides)];
}

// Dispatch: ceil(numel / 256) workgroups; f32 -> i32, truncating toward zero (as Rust's `as`; WGSL saturates
// out-of-range values, Rust too).
@compute @workgroup_size(WORKGROUP)
fn cast_f32_i32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    let v = bitcast<f32>(x[strided(i, params.x_offset, params.x_strides)]);
    // NaN becomes 0, as Rust's `as` (WGSL leaves it unspecified).
    var r = 0;
    if (bitcast<u32>(v) & 0x7fffffffu) <= 0x7f800000u {
        r = i32(v);
    }
    out[i] = bitcast<u32>(r);
}

// Dispatch: ceil(numel / 256) workgroups; i32 -> f32 (rounding to nearest).
@compute @workgroup_size(WORKGROUP)
fn cast_i32_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    out[i] = bitcast<u32>(f32(bitcast<i32>(x[strided(i, params.x_offset, params.x_strides)])));
}

// Dispatch: ceil(numel / 256) workgroups; `out[i] = value`.
@compute @workgroup_size(WORKGROUP)
fn fill_x32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    out[i] = params.value;
}

fn pick(i: u32, cond: bool) -> u32 {
    if cond {
        return on_true[strided(i, params.t_offset, params.t_strides)];
    }
    return on_false[strided(i, params.f_offset, params.f_strides)];
}

// Dispatch: ceil(numel / 256) workgroups; `out[i] = cond[i] != 0 ? on_true[i] : on_false[i]` for an f32
// condition (-0.0 counts as 0).
@compute @workgroup_size(WORKGROUP)
fn where_cond_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    let c = bitcast<f32>(x[strided(i, params.x_offset, params.x_strides)]);
    out[i] = pick(i, c != 0.0);
}

// Dispatch: as `where_cond_f32`, for an i32 (I64) condition.
@compute @workgroup_size(WORKGROUP)
fn where_cond_i32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    let c = bitcast<i32>(x[strided(i, params.x_offset, params.x_strides)]);
    out[i] = pick(i, c != 0);
}
