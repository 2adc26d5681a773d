//! AVX2 + FMA kernels (x86-64): 16 registers of 256 bits.
//!
//! Microkernel tiles: `6 × 16` for `f32` and `6 × 8` for `f64` (12 accumulators + 2 rhs vectors + 1
//! broadcast = 15 of the 16 registers, the classic Haswell shape). The direct path reuses the portable block
//! kernel compiled with AVX2 enabled (auto-vectorised).
//!
//! On other architectures this module exports the portable kernels (never selected: [`super::Isa::Avx2Fma`]
//! is unavailable there).

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::super::direct::Init;
    use super::super::fallback::direct_block_inline;
    use super::super::{Element, MatRef};
    use std::arch::x86_64::*;

    simd_microkernel!(
        micro_f32_6x16, "avx2,fma", f32, __m256, 8, 6, 2,
        zero: _mm256_setzero_ps, set1: _mm256_set1_ps, load: _mm256_loadu_ps, store: _mm256_storeu_ps,
        fmadd: _mm256_fmadd_ps, add: _mm256_add_ps
    );
    simd_microkernel!(
        micro_f64_6x8, "avx2,fma", f64, __m256d, 4, 6, 2,
        zero: _mm256_setzero_pd, set1: _mm256_set1_pd, load: _mm256_loadu_pd, store: _mm256_storeu_pd,
        fmadd: _mm256_fmadd_pd, add: _mm256_add_pd
    );

    /// The portable direct block compiled with AVX2 + FMA available to the auto-vectoriser.
    ///
    /// # Safety
    /// As [`super::super::direct::DirectFn`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn direct_block<T: Element>(
        lhs: &MatRef<T>,
        rhs: &MatRef<T>,
        c: *mut T,
        ldc: usize,
        i0: usize,
        rows: usize,
        j0: usize,
        cols: usize,
        init: Init<'_, T>,
    ) {
        // SAFETY: forwarded from the caller.
        unsafe { direct_block_inline(lhs, rhs, c, ldc, i0, rows, j0, cols, init) }
    }

    pub(super) use {micro_f32_6x16 as micro_f32, micro_f64_6x8 as micro_f64};
}

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::super::blis::MicroKernel;
    use super::super::direct::DirectKernel;
    use super::super::fallback::{DIRECT_ROWS, DIRECT_WIDTH};
    use super::super::Kernels;
    use super::imp;

    pub static F32: Kernels<f32> = Kernels {
        micro: MicroKernel { mr: 6, nr: 16, kc: 256, mc: 120, nc: 512, run: imp::micro_f32, edge: &[] },
        direct: DirectKernel {
            rows: DIRECT_ROWS,
            width: DIRECT_WIDTH,
            run: imp::direct_block::<f32>,
            dot: None,
            short_k: None,
        },
    };

    pub static F64: Kernels<f64> = Kernels {
        micro: MicroKernel { mr: 6, nr: 8, kc: 256, mc: 120, nc: 256, run: imp::micro_f64, edge: &[] },
        direct: DirectKernel {
            rows: DIRECT_ROWS,
            width: DIRECT_WIDTH,
            run: imp::direct_block::<f64>,
            dot: None,
            short_k: None,
        },
    };
}

#[cfg(not(target_arch = "x86_64"))]
pub use super::fallback::{F32, F64};
#[cfg(target_arch = "x86_64")]
pub use kernels::{F32, F64};
