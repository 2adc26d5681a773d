// Element-wise kernels: the unary family (`unary_f32`, `unary_i32`) and the binary family (`binary_f32`,
// `binary_i32`). The op is a field of `Params`, one of the codes NEG ... AFFINE or ADD ... RELU_BACKWARD below.
//
// CPU twin: crates/tensor/src/cpu/elementwise.rs, and the scalar definitions in crates/tensor/src/ops.rs: every
// `fn` below named like a function of ops.rs (`sigmoid`, `bce_with_logits`, ...) is its twin.
//
// Data is bound as raw 32-bit words (`array<u32>`) and bitcast to f32 or i32 (the device stores I64 as i32), so the
// f32 and i32 entry points share their bindings.
//
// Bindings (inputs, output, params): 0 `lhs` (the `x` of unary ops), 1 `rhs`, 2 `out`, 3 `params`.
//
// Addressing: output element `i` (row-major over `shape`) reads `lhs[lhs_offset + Σ_d i_d * lhs_strides[d]]`;
// a broadcast operand has stride 0. When every operand is contiguous the host sets `contiguous = 1` and the
// address is simply `offset + i`.
//
// The fast path, `unary_vec4_f32` / `binary_vec4_f32`: contiguous f32 operands whose offsets are multiples of 4
// are read and written as vec4, QUADS quads per invocation, all loaded before any is computed (several loads in
// flight per invocation). The last quad may reach past `numel`: its extra lanes stay inside the buffers (whose
// sizes are multiples of 16 bytes) and land past the output's last element, where nothing reads them.

// Keep in sync with `ElementwiseParams` in crates/tensor/src/gpu/params.rs (a test compares the two layouts).
struct Params {
    numel: u32,
    rank: u32,
    op: u32,
    contiguous: u32,
    lhs_offset: u32,
    rhs_offset: u32,
    // Float scalars of the op: powf exponent; clamp lo, hi; affine mul, add.
    a: f32,
    b: f32,
    // Integer scalars: clamp ceil(lo), floor(hi); affine mul, add when both are integral.
    ia: i32,
    ib: i32,
    // 1 when an i32 affine can use integer arithmetic (`ia`, `ib`), else it goes through f32.
    int_affine: u32,
    _pad: u32,
    shape: array<u32, 6>,
    lhs_strides: array<u32, 6>,
    rhs_strides: array<u32, 6>,
}

@group(0) @binding(0) var<storage, read> lhs: array<u32>;
@group(0) @binding(1) var<storage, read> rhs: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: Params;
// The same buffers seen as vec4 (only the `_vec4` entry points use these; bindings are per entry point).
@group(0) @binding(0) var<storage, read> lhs4: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> rhs4: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<u32>>;

const WORKGROUP: u32 = 256u;
// Quads per invocation of the vec4 kernels (`VEC4_QUADS` in crates/tensor/src/gpu/elementwise.rs; a test compares
// them).
const QUADS: u32 = 4u;

// The op codes: `Params.op` names a variant of `UnaryOp` (unary kernels) or `BinaryOp` (binary kernels), by the
// codes of `unary_code` / `binary_code` in crates/tensor/src/gpu/params.rs. Each constant is the variant's name
// (`UnaryOp::Log1p` is LOG1P); a test reads them with naga and compares them with the Rust codes both ways.
const NEG: u32 = 0u;
const EXP: u32 = 1u;
const LOG: u32 = 2u;
const LOG1P: u32 = 3u;
const SQRT: u32 = 4u;
const ABS: u32 = 5u;
const RELU: u32 = 6u;
const SIGMOID: u32 = 7u;
const TANH: u32 = 8u;
const SIGN: u32 = 9u;
const ROUND: u32 = 10u;
const POWF: u32 = 11u;
const CLAMP: u32 = 12u;
const AFFINE: u32 = 13u;

const ADD: u32 = 0u;
const SUB: u32 = 1u;
const MUL: u32 = 2u;
const DIV: u32 = 3u;
const MAXIMUM: u32 = 4u;
const MINIMUM: u32 = 5u;
const POW: u32 = 6u;
const EQ: u32 = 7u;
const NE: u32 = 8u;
const LT: u32 = 9u;
const LE: u32 = 10u;
const GT: u32 = 11u;
const GE: u32 = 12u;
const BCE_WITH_LOGITS: u32 = 13u;
const RELU_BACKWARD: u32 = 14u;

// The linear index of this invocation. Dispatch geometry: 1-D grid of ceil(numel / 256) workgroups of 256,
// folded into (x, y) with x <= 65535 when it is larger than one dimension allows.
fn linear_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WORKGROUP + lid;
}

// Storage index of logical element `i` of a view with `strides` and `base` offset over `params.shape`.
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

fn lhs_index(i: u32) -> u32 {
    if params.contiguous == 1u {
        return params.lhs_offset + i;
    }
    return strided(i, params.lhs_offset, params.lhs_strides);
}

fn rhs_index(i: u32) -> u32 {
    if params.contiguous == 1u {
        return params.rhs_offset + i;
    }
    return strided(i, params.rhs_offset, params.rhs_strides);
}

// --- float helpers (bit tests: they survive any fast-math assumption of the driver) -------------------------

fn is_nan(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

fn is_inf(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u;
}

// ln(1 + x), accurate near 0 without trusting `log` near 1 (GPUs only promise an absolute error there):
// ln(1 + x) = 2 atanh(s), s = x / (2 + x), summed as a series for |x| < 0.5 (|s| < 0.2, 6 terms: error < 1e-9).
fn log1p(x: f32) -> f32 {
    if abs(x) < 0.5 {
        let s = x / (2.0 + x);
        let s2 = s * s;
        return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 / 11.0)))));
    }
    return log(1.0 + x);
}

fn relu(x: f32) -> f32 {
    if x > 0.0 || is_nan(x) {
        return x;
    }
    return 0.0;
}

// 1 / (1 + e^-x); for x < 0 it is e^x / (1 + e^x), so neither branch overflows.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        return 1.0 / (1.0 + exp(-x));
    }
    let e = exp(x);
    return e / (1.0 + e);
}

// tanh x: an odd Taylor series for |x| < 0.25 (the builtin loses relative precision near 0 on some drivers),
// 1 - 2 / (e^2|x| + 1) up to |x| = 10, and ±1 beyond (tanh 10 rounds to 1 in f32; e^2x would overflow later).
fn tanh_(x: f32) -> f32 {
    let a = abs(x);
    if a < 0.25 {
        let x2 = x * x;
        // x - x^3/3 + 2x^5/15 - 17x^7/315 + 62x^9/2835
        return x * (1.0 + x2 * (-1.0 / 3.0 + x2 * (2.0 / 15.0 + x2 * (-17.0 / 315.0 + x2 * (62.0 / 2835.0)))));
    }
    if a > 10.0 {
        return sign(x);
    }
    return sign(x) * (1.0 - 2.0 / (exp(2.0 * a) + 1.0));
}

fn sign_(x: f32) -> f32 {
    if x > 0.0 {
        return 1.0;
    }
    if x < 0.0 {
        return -1.0;
    }
    return x; // 0, -0 or NaN
}

fn clamp_(x: f32, lo: f32, hi: f32) -> f32 {
    if x < lo {
        return lo;
    }
    if x > hi {
        return hi;
    }
    return x;
}

// x^y as Rust's `powf`: exact repeated squaring for small integral exponents (x^2 is the common case), the
// sign of a negative base for integral exponents, NaN for a negative base and a fractional exponent.
fn powf(x: f32, y: f32) -> f32 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    let integral = floor(y) == y;
    if integral && abs(y) <= 64.0 {
        var e = u32(abs(y));
        var base = x;
        var acc = 1.0;
        loop {
            if (e & 1u) == 1u {
                acc *= base;
            }
            e = e >> 1u;
            if e == 0u {
                break;
            }
            base *= base;
        }
        if y < 0.0 {
            return 1.0 / acc;
        }
        return acc;
    }
    if x == 0.0 {
        if y > 0.0 {
            return 0.0;
        }
        return bitcast<f32>(0x7f800000u);
    }
    let r = exp2(y * log2(abs(x)));
    if x < 0.0 {
        if !integral {
            return bitcast<f32>(0x7fc00000u);
        }
        // An odd integral exponent keeps the sign (|y| > 64 here, so y fits in f32's exact range test).
        if (floor(y * 0.5) * 2.0) != y {
            return -r;
        }
    }
    return r;
}

fn maximum(a: f32, b: f32) -> f32 {
    if is_nan(a) || a > b {
        return a;
    }
    return b;
}

fn minimum(a: f32, b: f32) -> f32 {
    if is_nan(a) || a < b {
        return a;
    }
    return b;
}

// a * b, with 0 * anything = 0 (so that 0 * ∞ does not give NaN).
fn mul0(a: f32, b: f32) -> f32 {
    if b == 0.0 {
        return 0.0;
    }
    return a * b;
}

// ℓ(x, y) = max(x, 0) - x·y + ln(1 + e^-|x|), finite for any logit including ±∞ (see ops::bce_with_logits).
fn bce_with_logits(x: f32, y: f32) -> f32 {
    var linear: f32;
    if x >= 0.0 {
        linear = mul0(x, 1.0 - y);
    } else {
        linear = mul0(-x, y);
    }
    return linear + log1p(exp(-abs(x)));
}

// The gradient of ReLU: the upstream `grad` where `x` (the ReLU's output or input) is not <= 0, else 0
// (PyTorch's threshold_backward at 0).
fn relu_backward(grad: f32, x: f32) -> f32 {
    return select(grad, 0.0, x <= 0.0);
}

fn unary(op: u32, x: f32) -> f32 {
    switch op {
        case NEG: { return -x; }
        case EXP: { return exp(x); }
        case LOG: { return log(x); }
        case LOG1P: { return log1p(x); }
        case SQRT: { return sqrt(x); }
        case ABS: { return abs(x); }
        case RELU: { return relu(x); }
        case SIGMOID: { return sigmoid(x); }
        case TANH: { return tanh_(x); }
        case SIGN: { return sign_(x); }
        case ROUND: { return round(x); } // WGSL's round is half-to-even, as torch.round
        case POWF: { return powf(x, params.a); }
        case CLAMP: { return clamp_(x, params.a, params.b); }
        case AFFINE, default: { return x * params.a + params.b; }
    }
}

fn binary(op: u32, a: f32, b: f32) -> f32 {
    switch op {
        case ADD: { return a + b; }
        case SUB: { return a - b; }
        case MUL: { return a * b; }
        case DIV: { return a / b; }
        case MAXIMUM: { return maximum(a, b); }
        case MINIMUM: { return minimum(a, b); }
        case POW: { return powf(a, b); }
        case EQ: { return select(0.0, 1.0, a == b); }
        case NE: { return select(0.0, 1.0, a != b); }
        case LT: { return select(0.0, 1.0, a < b); }
        case LE: { return select(0.0, 1.0, a <= b); }
        case GT: { return select(0.0, 1.0, a > b); }
        case GE: { return select(0.0, 1.0, a >= b); }
        case BCE_WITH_LOGITS: { return bce_with_logits(a, b); }
        case RELU_BACKWARD, default: { return relu_backward(a, b); }
    }
}

// Integer twins (`ops::unary_i64` / `ops::binary_i64`, on i32): wrapping arithmetic as WGSL defines it.
fn unary_int(op: u32, x: i32) -> i32 {
    switch op {
        case NEG: { return -x; }
        case ABS: { return abs(x); }
        case RELU: { return max(x, 0); }
        case SIGN: { return sign(x); }
        case CLAMP: { return min(max(x, params.ia), params.ib); }
        case AFFINE: {
            if params.int_affine == 1u {
                return x * params.ia + params.ib;
            }
            return i32(f32(x) * params.a + params.b);
        }
        default: { return x; } // float-only ops are refused by the tensor layer
    }
}

fn binary_int(op: u32, a: i32, b: i32) -> i32 {
    switch op {
        case ADD: { return a + b; }
        case SUB: { return a - b; }
        case MUL: { return a * b; }
        case DIV: { return a / b; } // WGSL: a / 0 = a (the tensor layer documents CPU-only panics)
        case MAXIMUM: { return max(a, b); }
        case MINIMUM: { return min(a, b); }
        case EQ: { return select(0, 1, a == b); }
        case NE: { return select(0, 1, a != b); }
        case LT: { return select(0, 1, a < b); }
        case LE: { return select(0, 1, a <= b); }
        case GT: { return select(0, 1, a > b); }
        case GE: { return select(0, 1, a >= b); }
        default: { return 0; } // float-only ops are refused by the tensor layer
    }
}

// Dispatch: ceil(numel / 256) workgroups (folded into x, y); one invocation per output element.
@compute @workgroup_size(WORKGROUP)
fn unary_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    out[i] = bitcast<u32>(unary(params.op, bitcast<f32>(lhs[lhs_index(i)])));
}

// Dispatch: as `unary_f32`.
@compute @workgroup_size(WORKGROUP)
fn unary_i32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    out[i] = bitcast<u32>(unary_int(params.op, bitcast<i32>(lhs[lhs_index(i)])));
}

// Dispatch: as `unary_f32`.
@compute @workgroup_size(WORKGROUP)
fn binary_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    let a = bitcast<f32>(lhs[lhs_index(i)]);
    let b = bitcast<f32>(rhs[rhs_index(i)]);
    out[i] = bitcast<u32>(binary(params.op, a, b));
}

// Dispatch: as `unary_f32`.
@compute @workgroup_size(WORKGROUP)
fn binary_i32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if i >= params.numel {
        return;
    }
    let a = bitcast<i32>(lhs[lhs_index(i)]);
    let b = bitcast<i32>(rhs[rhs_index(i)]);
    out[i] = bitcast<u32>(binary_int(params.op, a, b));
}

// --- the vec4 fast path ---------------------------------------------------------------------------------------

// `binary` on each lane of two quads (the four arithmetic ops as one vector op each: the same IEEE operation).
fn binary4(op: u32, a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
    switch op {
        case ADD: { return a + b; }
        case SUB: { return a - b; }
        case MUL: { return a * b; }
        case DIV: { return a / b; }
        default: {
            return vec4<f32>(binary(op, a.x, b.x), binary(op, a.y, b.y), binary(op, a.z, b.z), binary(op, a.w, b.w));
        }
    }
}

// Dispatch: ceil(numel / (4 · 256 · QUADS)) workgroups (folded into x, y); invocation `lid` of workgroup w computes
// the quads w · 256 · QUADS + lid + 256 j, j < QUADS. Preconditions (the launcher's): contiguous operands, offsets
// multiples of 4.
@compute @workgroup_size(WORKGROUP)
fn unary_vec4_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let first = (wid.y * nwg.x + wid.x) * WORKGROUP * QUADS + lid;
    let quads = (params.numel + 3u) / 4u;
    let base = params.lhs_offset / 4u;
    var x: array<vec4<f32>, QUADS>;
    for (var j = 0u; j < QUADS; j++) {
        if first + WORKGROUP * j < quads {
            x[j] = bitcast<vec4<f32>>(lhs4[base + first + WORKGROUP * j]);
        }
    }
    for (var j = 0u; j < QUADS; j++) {
        let q = first + WORKGROUP * j;
        if q < quads {
            let v = x[j];
            let op = params.op;
            out4[q] = bitcast<vec4<u32>>(vec4<f32>(unary(op, v.x), unary(op, v.y), unary(op, v.z), unary(op, v.w)));
        }
    }
}

// Dispatch: as `unary_vec4_f32`.
@compute @workgroup_size(WORKGROUP)
fn binary_vec4_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let first = (wid.y * nwg.x + wid.x) * WORKGROUP * QUADS + lid;
    let quads = (params.numel + 3u) / 4u;
    let lhs_base = params.lhs_offset / 4u;
    let rhs_base = params.rhs_offset / 4u;
    var a: array<vec4<f32>, QUADS>;
    var b: array<vec4<f32>, QUADS>;
    for (var j = 0u; j < QUADS; j++) {
        let q = first + WORKGROUP * j;
        if q < quads {
            a[j] = bitcast<vec4<f32>>(lhs4[lhs_base + q]);
            b[j] = bitcast<vec4<f32>>(rhs4[rhs_base + q]);
        }
    }
    for (var j = 0u; j < QUADS; j++) {
        let q = first + WORKGROUP * j;
        if q < quads {
            out4[q] = bitcast<vec4<u32>>(binary4(params.op, a[j], b[j]));
        }
    }
}
