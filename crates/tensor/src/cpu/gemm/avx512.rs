//! AVX-512F kernels (x86-64): 32 registers of 512 bits and mask registers.
//!
//! Packed-path microkernel tiles (chosen by measurement, see `benches/matmul.rs`):
//! - `f32`: `6 × 64` — 24 accumulators (6 rows × 4 vectors of 16), 4 rhs vectors, 1 broadcast: per step `p`,
//!   4 loads + 6 broadcasts feed 24 FMAs, enough independent chains to cover the FMA latency on both pipes.
//! - `f64`: `6 × 32` — the same register shape with 8 lanes per vector.
//!
//! Direct path: blocks of up to 12 rows × one masked vector of columns (16 `f32` / 8 `f64`); the masked
//! loads and stores handle any column count without touching memory past the edge.
//!
//! On other architectures this module exports the portable kernels (never selected: [`super::Isa::Avx512`] is
//! unavailable there).

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::super::MatRef;
    use std::arch::x86_64::*;

    simd_microkernel!(
        micro_f32_6x64, "avx512f", f32, __m512, 16, 6, 4,
        zero: _mm512_setzero_ps, set1: _mm512_set1_ps, load: _mm512_loadu_ps, store: _mm512_storeu_ps,
        fmadd: _mm512_fmadd_ps, add: _mm512_add_ps
    );
    simd_microkernel!(
        micro_f64_6x32, "avx512f", f64, __m512d, 8, 6, 4,
        zero: _mm512_setzero_pd, set1: _mm512_set1_pd, load: _mm512_loadu_pd, store: _mm512_storeu_pd,
        fmadd: _mm512_fmadd_pd, add: _mm512_add_pd
    );

    pub(super) use {micro_f32_6x64 as micro_f32, micro_f64_6x32 as micro_f64};

    /// Most rows of one direct block.
    pub(super) const DIRECT_ROWS: usize = 12;

    /// Defines the direct block kernel for one element type: `$name` dispatches the row count to
    /// `$block::<R>` so that the `R` accumulators are compile-time registers.
    macro_rules! direct_kernel {
        (
            $name:ident, $block:ident, $t:ty, $vec:ty, $mask:ty, $lanes:expr, $idx:ty,
            zero: $zero:ident, set1: $set1:ident, loadz: $loadz:ident, store: $store:ident, fmadd: $fmadd:ident,
            add: $add:ident, gather: $gather:ident, index: $index:expr
        ) => {
            /// One direct block of `R` rows × `cols ≤ lanes` columns (see `DirectFn`).
            ///
            /// # Safety
            /// As [`super::super::direct::DirectFn`] with `rows == R`.
            #[target_feature(enable = "avx512f")]
            unsafe fn $block<const R: usize>(
                lhs: &MatRef<$t>,
                rhs: &MatRef<$t>,
                c: *mut $t,
                ldc: usize,
                i0: usize,
                j0: usize,
                cols: usize,
                accumulate: bool,
            ) {
                let k = lhs.cols;
                let mask = ((1u32 << cols) - 1) as $mask;
                let (ars, acs, brs, bcs) = (lhs.rs, lhs.cs, rhs.rs, rhs.cs);
                // SAFETY: (i0, 0) and (0, j0) are elements of the bounds-checked views.
                let (a0, b0) =
                    unsafe { (lhs.data.as_ptr().add(lhs.idx(i0, 0)), rhs.data.as_ptr().add(rhs.idx(0, j0))) };
                let mut acc: [$vec; R] = [$zero(); R];
                // Columns of rhs are contiguous (the common case) → masked loads; otherwise gather them
                // (the byte offsets of `cols` elements must fit an i32).
                let gather = bcs != 1
                    && bcs.checked_mul(cols * std::mem::size_of::<$t>()).is_some_and(|x| x <= i32::MAX as usize);
                let offsets: $idx = $index(bcs * std::mem::size_of::<$t>());
                for p in 0..k {
                    // SAFETY: row p, columns j0..j0+cols of rhs are in bounds; masked-off lanes are not read.
                    let b = unsafe {
                        let row = b0.add(p * brs);
                        if bcs == 1 {
                            $loadz(mask, row)
                        } else if gather {
                            $gather::<1>($zero(), mask, offsets, row)
                        } else {
                            let mut tmp = [<$t>::default(); $lanes];
                            for j in 0..cols {
                                tmp[j] = *row.add(j * bcs);
                            }
                            $loadz(mask, tmp.as_ptr())
                        }
                    };
                    for r in 0..R {
                        // SAFETY: element (i0 + r, p) of lhs is in bounds (r < R ≤ rows of the block).
                        let a = $set1(unsafe { *a0.add(r * ars + p * acs) });
                        acc[r] = $fmadd(a, b, acc[r]);
                    }
                }
                for r in 0..R {
                    // SAFETY: row i0 + r, columns j0..j0+cols of `c` are writable (masked lanes untouched).
                    unsafe {
                        let p = c.add((i0 + r) * ldc + j0);
                        let v = if accumulate { $add($loadz(mask, p), acc[r]) } else { acc[r] };
                        $store(p, mask, v);
                    }
                }
            }

            /// The direct block kernel of this element type (a `DirectFn`).
            ///
            /// # Safety
            /// As [`super::super::direct::DirectFn`].
            #[target_feature(enable = "avx512f")]
            pub(super) unsafe fn $name(
                lhs: &MatRef<$t>,
                rhs: &MatRef<$t>,
                c: *mut $t,
                ldc: usize,
                i0: usize,
                rows: usize,
                j0: usize,
                cols: usize,
                accumulate: bool,
            ) {
                // SAFETY: forwarded from the caller, with R == rows.
                unsafe {
                    match rows {
                        1 => $block::<1>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        2 => $block::<2>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        3 => $block::<3>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        4 => $block::<4>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        5 => $block::<5>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        6 => $block::<6>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        7 => $block::<7>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        8 => $block::<8>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        9 => $block::<9>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        10 => $block::<10>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        11 => $block::<11>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                        _ => $block::<DIRECT_ROWS>(lhs, rhs, c, ldc, i0, j0, cols, accumulate),
                    }
                }
            }
        };
    }

    /// Byte offsets `j · stride` of the 16 `f32` lanes.
    #[target_feature(enable = "avx512f")]
    fn index_f32(stride: usize) -> __m512i {
        let s = stride.min(i32::MAX as usize / 16) as i32;
        _mm512_mullo_epi32(
            _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
            _mm512_set1_epi32(s),
        )
    }

    /// Byte offsets `j · stride` of the 8 `f64` lanes.
    #[target_feature(enable = "avx512f")]
    fn index_f64(stride: usize) -> __m256i {
        let s = stride.min(i32::MAX as usize / 8) as i32;
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(s))
    }

    direct_kernel!(
        direct_f32, direct_block_f32, f32, __m512, __mmask16, 16, __m512i,
        zero: _mm512_setzero_ps, set1: _mm512_set1_ps, loadz: _mm512_maskz_loadu_ps, store: _mm512_mask_storeu_ps,
        fmadd: _mm512_fmadd_ps, add: _mm512_add_ps, gather: _mm512_mask_i32gather_ps, index: index_f32
    );
    direct_kernel!(
        direct_f64, direct_block_f64, f64, __m512d, __mmask8, 8, __m256i,
        zero: _mm512_setzero_pd, set1: _mm512_set1_pd, loadz: _mm512_maskz_loadu_pd, store: _mm512_mask_storeu_pd,
        fmadd: _mm512_fmadd_pd, add: _mm512_add_pd, gather: _mm512_mask_i32gather_pd, index: index_f64
    );
}

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::super::blis::MicroKernel;
    use super::super::direct::DirectKernel;
    use super::super::Kernels;
    use super::imp;

    pub static F32: Kernels<f32> = Kernels {
        micro: MicroKernel { mr: 6, nr: 64, kc: 256, mc: 120, nc: 1024, run: imp::micro_f32 },
        direct: DirectKernel { rows: imp::DIRECT_ROWS, width: 16, run: imp::direct_f32 },
    };

    pub static F64: Kernels<f64> = Kernels {
        micro: MicroKernel { mr: 6, nr: 32, kc: 256, mc: 120, nc: 1024, run: imp::micro_f64 },
        direct: DirectKernel { rows: imp::DIRECT_ROWS, width: 8, run: imp::direct_f64 },
    };
}

#[cfg(not(target_arch = "x86_64"))]
pub use super::fallback::{F32, F64};
#[cfg(target_arch = "x86_64")]
pub use kernels::{F32, F64};
