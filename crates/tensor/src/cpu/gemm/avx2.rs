//! AVX2 + FMA microkernels of the packed path (x86-64): 16 registers of 256 bits.
//!
//! Tiles: `6 × 16` for `f32` and `6 × 8` for `f64` (12 accumulators + 2 rhs vectors + 1 broadcast = 15 of the
//! 16 registers, the classic Haswell shape). (The direct path runs the portable block kernel compiled with
//! AVX2 enabled, in `fast/portable.rs`.)
//!
//! On other architectures this module exports the portable microkernels (never selected: `Isa::Avx2Fma` is
//! unavailable there).

#[cfg(target_arch = "x86_64")]
mod imp {
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

    pub(super) use {micro_f32_6x16 as micro_f32, micro_f64_6x8 as micro_f64};
}

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::super::blis::MicroKernel;
    use super::imp;

    pub(crate) const MICRO_F32: MicroKernel<f32> =
        MicroKernel { mr: 6, nr: 16, kc: 256, mc: 120, nc: 512, run: imp::micro_f32, edge: &[] };

    pub(crate) const MICRO_F64: MicroKernel<f64> =
        MicroKernel { mr: 6, nr: 8, kc: 256, mc: 120, nc: 256, run: imp::micro_f64, edge: &[] };
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) use super::fallback::{MICRO_F32, MICRO_F64};
#[cfg(target_arch = "x86_64")]
pub(crate) use kernels::{MICRO_F32, MICRO_F64};
