//! AVX-512F microkernels of the packed path (x86-64): 32 registers of 512 bits.
//!
//! Tiles (chosen by timing candidates with `MATMUL_TABLE=tune cargo bench --bench matmul`):
//! - `f32`: `6 × 64` — 24 accumulators (6 rows × 4 vectors of 16), 4 rhs vectors, 1 broadcast: per step `p`,
//!   4 loads + 6 broadcasts feed 24 FMAs, enough independent chains to cover the FMA latency on both pipes.
//! - `f64`: `6 × 32` — the same register shape with 8 lanes per vector.
//! - narrower `6 × 16/32/48` (`f32`) and `6 × 8/16/24` (`f64`) for the last, partial panel of a block.
//!
//! The direct path's AVX-512 kernels (blocks with masked edges, dot, short-k) are in `fast/avx512.rs`.
//!
//! On other architectures this module exports the portable microkernels (never selected: `Isa::Avx512` is
//! unavailable there).

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::x86_64::*;

    /// An AVX-512 `f32` microkernel of 6 rows × `$nv` vectors of 16.
    macro_rules! micro_f32 {
        ($name:ident, $nv:expr) => {
            simd_microkernel!(
                $name, "avx512f", f32, __m512, 16, 6, $nv,
                zero: _mm512_setzero_ps, set1: _mm512_set1_ps, load: _mm512_loadu_ps, store: _mm512_storeu_ps,
                fmadd: _mm512_fmadd_ps, add: _mm512_add_ps
            );
        };
    }
    /// An AVX-512 `f64` microkernel of 6 rows × `$nv` vectors of 8.
    macro_rules! micro_f64 {
        ($name:ident, $nv:expr) => {
            simd_microkernel!(
                $name, "avx512f", f64, __m512d, 8, 6, $nv,
                zero: _mm512_setzero_pd, set1: _mm512_set1_pd, load: _mm512_loadu_pd, store: _mm512_storeu_pd,
                fmadd: _mm512_fmadd_pd, add: _mm512_add_pd
            );
        };
    }

    micro_f32!(micro_f32_6x64, 4);
    micro_f64!(micro_f64_6x32, 4);
    // Narrower kernels for the last, partial panel of a block (`MicroKernel::edge`).
    micro_f32!(micro_f32_6x16, 1);
    micro_f32!(micro_f32_6x32, 2);
    micro_f32!(micro_f32_6x48, 3);
    micro_f64!(micro_f64_6x8, 1);
    micro_f64!(micro_f64_6x16, 2);
    micro_f64!(micro_f64_6x24, 3);

    pub(super) use {micro_f32_6x64 as micro_f32, micro_f64_6x32 as micro_f64};
}

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::super::blis::MicroKernel;
    use super::imp;

    pub(crate) const MICRO_F32: MicroKernel<f32> = MicroKernel {
        mr: 6,
        nr: 64,
        kc: 128,
        mc: 72,
        nc: 1024,
        run: imp::micro_f32,
        edge: &[(16, imp::micro_f32_6x16), (32, imp::micro_f32_6x32), (48, imp::micro_f32_6x48)],
    };

    pub(crate) const MICRO_F64: MicroKernel<f64> = MicroKernel {
        mr: 6,
        nr: 32,
        kc: 256,
        mc: 120,
        nc: 256,
        run: imp::micro_f64,
        edge: &[(8, imp::micro_f64_6x8), (16, imp::micro_f64_6x16), (24, imp::micro_f64_6x24)],
    };
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) use super::fallback::{MICRO_F32, MICRO_F64};
#[cfg(target_arch = "x86_64")]
pub(crate) use kernels::{MICRO_F32, MICRO_F64};
