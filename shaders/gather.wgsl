// Gather along an axis: `out[.., i, ..] = x[.., index[.., i, ..], ..]` (torch.gather). `index_select` is the same
// kernel: the host passes its 1-D index expanded to the output's shape (stride 0 everywhere but `axis`).
//
// CPU twin: `gather` and `index_select` in crates/tensor/src/cpu/index.rs.
//
// Indices are i32 on the device. An index outside `0..axis_size` is clamped (the kernel never reads out of bounds)
// and raises bit 0 of `errors`; the host checks the flag at the next readback or synchronize and reports it.
//
// Bindings (inputs, output, params): 0 `x`, 1 `index`, 2 `out`, 3 `errors` (error flags, an output), 4 `params`.

// Keep in sync with `GatherParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    numel: u32,
    rank: u32,
    axis: u32,
    axis_size: u32,
    x_offset: u32,
    index_offset: u32,
    _pad: array<u32, 2>,
    // The output's shape (= the index's shape for gather).
    shape: array<u32, 6>,
    x_strides: array<u32, 6>,
    index_strides: array<u32, 6>,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read_write> errors: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read> params: Params;

const WORKGROUP: u32 = 256u;
// Bit of `errors[0]` raised by an out-of-range index (`ERROR_INDEX` in crates/tensor/src/gpu/context/mod.rs; a test
// compares them).
const ERROR_INDEX: u32 = 1u;

// Dispatch: ceil(numel / 256) workgroups of 256 (folded into x, y); one invocation per output element, which
// copies 32 bits (f32 or i32).
@compute @workgroup_size(WORKGROUP)
fn gather_x32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
    if i >= params.numel {
        return;
    }
    // Output coordinates c_d of element i; the index lives at the same coordinates of the index view.
    var coords: array<u32, 6>;
    var rest = i;
    var index_at = params.index_offset;
    for (var d = i32(params.rank) - 1; d >= 0; d--) {
        let n = params.shape[d];
        coords[d] = rest % n;
        index_at += coords[d] * params.index_strides[d];
        rest /= n;
    }
    var v = index[index_at];
    if v < 0 || u32(v) >= params.axis_size {
        atomicOr(&errors[0], ERROR_INDEX);
        v = clamp(v, 0, i32(params.axis_size) - 1);
    }
    // The input element: the output coordinates with coordinate `axis` replaced by the index value.
    var x_at = params.x_offset;
    for (var d = 0u; d < params.rank; d++) {
        var c = coords[d];
        if d == params.axis {
            c = u32(v);
        }
        x_at += c * params.x_strides[d];
    }
    out[i] = x[x_at];
}
