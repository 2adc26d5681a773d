//! The table of WGSL shaders: one file per kernel family in `/shaders`, loaded with `include_str!`.
//!
//! Each shader's module comment names its CPU twin, its bindings and the dispatch geometry of every entry point.
//! The test `tests/gpu_shaders_validate.rs` parses and validates every entry of [`ALL`] with naga, without a GPU.

/// A WGSL shader: a family of kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shader {
    /// The file's stem (`"elementwise"`), also the shader module's label.
    pub name: &'static str,
    /// The WGSL source.
    pub source: &'static str,
    /// The entry points (`@compute` functions), all of which the backend uses.
    pub entries: &'static [&'static str],
    /// Whether the module is compiled with naga's runtime bounds checks (every shader but the unchecked twin of a
    /// fast kernel, whose launcher proves its indices in range; see [`MATMUL_PIPELINED_UNCHECKED`]).
    pub bounds_checks: bool,
}

/// Unary and binary ops over strided layouts (`unary_f32`, `binary_f32`, and their i32 twins), with vec4 fast paths
/// for contiguous f32 operands (`unary_vec4_f32`, `binary_vec4_f32`).
pub const ELEMENTWISE: Shader = Shader {
    name: "elementwise",
    source: include_str!("../../../../shaders/elementwise.wgsl"),
    entries: &["unary_vec4_f32", "binary_vec4_f32", "unary_f32", "unary_i32", "binary_f32", "binary_i32"],
    bounds_checks: true,
};

/// Strided copy (and concat), cast, fill, where.
pub const COPY: Shader = Shader {
    name: "copy",
    source: include_str!("../../../../shaders/copy.wgsl"),
    entries: &["copy_strided_x32", "cast_f32_i32", "cast_i32_f32", "fill_x32", "where_cond_f32", "where_cond_i32"],
    bounds_checks: true,
};

/// Sum, max, min, argmax, argmin over an axis (a workgroup per row chunk, multi-pass, with a vec4 fast path for
/// contiguous rows; or an invocation per row).
pub const REDUCE: Shader = Shader {
    name: "reduce",
    source: include_str!("../../../../shaders/reduce.wgsl"),
    entries: &["reduce_contiguous_f32", "reduce_f32", "reduce_rows_f32", "reduce_i32", "reduce_rows_i32"],
    bounds_checks: true,
};

/// Softmax and log-softmax along an axis (a contiguous row held in registers, a workgroup per row, or an invocation
/// per row).
pub const SOFTMAX: Shader = Shader {
    name: "softmax",
    source: include_str!("../../../../shaders/softmax.wgsl"),
    entries: &["softmax_contiguous_f32", "softmax_f32", "softmax_rows_f32"],
    bounds_checks: true,
};

/// Gather and index_select (bounds-checked).
pub const GATHER: Shader = Shader {
    name: "gather",
    source: include_str!("../../../../shaders/gather.wgsl"),
    entries: &["gather_x32"],
    bounds_checks: true,
};

/// Batched matmul (with the bias + ReLU epilogue of a fused linear): tiled and register-blocked (64 × 64 and
/// 128 × 128 tiles, single-buffered), plus a naive kernel for skinny shapes.
pub const MATMUL: Shader = Shader {
    name: "matmul",
    source: include_str!("../../../../shaders/matmul.wgsl"),
    entries: &["matmul_f32", "matmul_vec4_f32", "matmul_big_f32", "matmul_big_vec4_f32", "matmul_naive_f32"],
    bounds_checks: true,
};

/// The entry points of `matmul_pipelined.wgsl`, by tile (128 × 128 or 128 × 64) and panel depth (8 or 16).
const MATMUL_PIPELINED_ENTRIES: &[&str] = &[
    "matmul_pipelined_128x128_k8_f32",
    "matmul_pipelined_128x128_k16_f32",
    "matmul_pipelined_128x64_k8_f32",
    "matmul_pipelined_128x64_k16_f32",
];

/// Batched matmul for large products: register prefetch + double-buffered workgroup panels, 8 × 8 per invocation.
pub const MATMUL_PIPELINED: Shader = Shader {
    name: "matmul_pipelined",
    source: include_str!("../../../../shaders/matmul_pipelined.wgsl"),
    entries: MATMUL_PIPELINED_ENTRIES,
    bounds_checks: true,
};

/// [`MATMUL_PIPELINED`] compiled without naga's runtime bounds checks (the clamp of every index), so that no
/// check is left for the driver to hoist. Its launcher's proof that every access is in range is the `SAFETY`
/// comment in `gpu/matmul.rs`; a test runs every edge case through both and compares the bits.
pub const MATMUL_PIPELINED_UNCHECKED: Shader = Shader {
    name: "matmul_pipelined_unchecked",
    source: include_str!("../../../../shaders/matmul_pipelined.wgsl"),
    entries: MATMUL_PIPELINED_ENTRIES,
    bounds_checks: false,
};

/// Optimizer updates: the SGD step (one kernel per parameter, or per pair without momentum) and the Adam step.
pub const OPTIM: Shader = Shader {
    name: "optim",
    source: include_str!("../../../../shaders/optim.wgsl"),
    entries: &["sgd_step_f32", "sgd_step_pair_f32", "adam_step_f32", "adam_amsgrad_step_f32"],
    bounds_checks: true,
};

/// Metrics: the right predictions of a binary classifier counted in one kernel.
pub const METRICS: Shader = Shader {
    name: "metrics",
    source: include_str!("../../../../shaders/metrics.wgsl"),
    entries: &["count_round_sigmoid_eq_f32", "count_argmax_softmax_eq_f32"],
    bounds_checks: true,
};

/// Losses: the mean binary cross-entropy of logits, the mean cross-entropy of logits against class indices, and
/// their gradients, one kernel each.
pub const LOSS: Shader = Shader {
    name: "loss",
    source: include_str!("../../../../shaders/loss.wgsl"),
    entries: &[
        "bce_with_logits_mean_f32",
        "bce_with_logits_mean_grad_f32",
        "cross_entropy_mean_f32",
        "cross_entropy_mean_grad_f32",
    ],
    bounds_checks: true,
};

/// Every shader of the backend: the table `cargo test` validates (`gpu/shader_checks.rs`, and
/// `tests/gpu_shaders_validate.rs` and `examples/spirv_dump.rs`, which include this file by path, without the
/// `wgpu` feature); the backend itself names each shader it launches.
#[cfg_attr(not(test), allow(dead_code))]
pub const ALL: &[Shader] = &[
    ELEMENTWISE,
    COPY,
    REDUCE,
    SOFTMAX,
    GATHER,
    MATMUL,
    MATMUL_PIPELINED,
    MATMUL_PIPELINED_UNCHECKED,
    OPTIM,
    METRICS,
    LOSS,
];
