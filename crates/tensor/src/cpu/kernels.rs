//! The CPU kernels' own entry points, exported on purpose for benchmarks, the kernel tests and readers who want
//! to call one path directly: the GEMM with an instruction set or a path forced, its reference triple loop and
//! its [`plan`](gemm::plan); the element-wise SIMD kernels on a chosen instruction set; the two-thread team.
//!
//! This is not the tensor API (a program computes through [`Tensor`](crate::Tensor)), and it may change with
//! the kernels. The modules behind it (`cpu/gemm`, `cpu/simd`, `cpu/team.rs`) are private to the crate.

pub use super::features::Isa;

/// The CPU matrix multiplication (`cpu/gemm/`; its module doc gives the reading order).
pub mod gemm {
    pub use crate::cpu::features::Isa;
    #[cfg(feature = "bench")]
    pub use crate::cpu::gemm::bench_matmul_gflops;
    pub use crate::cpu::gemm::fast::direct::{
        DIRECT_MAX_FLOPS, DOT_MAX_N, LONG_K, RHS_COPY_MAX, SHORT_K_MAX, SKINNY_MAX_FLOPS,
    };
    pub use crate::cpu::gemm::fast::team::TeamCut;
    pub use crate::cpu::gemm::plan::{
        plan, BlockVariant, Blocking, DirectKernelKind, DirectPlan, DirectWhy, Float, Options, Order, PackedWhy, Plan,
        Route, SerialWhy, Split, PARALLEL_MIN_FLOPS,
    };
    pub use crate::cpu::gemm::{
        gemm_bias_f32, gemm_bias_f32_with, gemm_bias_f64, gemm_f32, gemm_f32_with, gemm_f64, gemm_f64_with, gemm_naive,
        MatRef, Path,
    };
}

/// The element-wise and reduction SIMD kernels on contiguous `f32` runs (`cpu/simd/`).
pub mod simd {
    pub use crate::cpu::features::Isa;
    #[cfg(feature = "bench")]
    pub use crate::cpu::simd::force;
    pub use crate::cpu::simd::{
        active, binary_f32_with, col_sums_f32_with, has_vector_kernel, max_min_f32_with, pairwise, sum_f32_with,
        unary_f32_with, Operand,
    };
}

/// A team of two threads for one kernel call (`cpu/team.rs`).
pub mod team {
    pub use crate::cpu::team::{run, MAX_MEMBERS};
}
