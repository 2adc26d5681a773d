//! The portable microkernel: plain Rust, no intrinsics, always compiled. It is what the packed path runs on a
//! CPU without AVX2, and the reference the SIMD microkernels are tested against (same packing, same loops).

use super::blis::MicroKernel;
use super::GemmFloat;

/// Register tile of the portable microkernel (small enough that the accumulators stay in registers on any
/// 64-bit target).
const MR: usize = 4;
const NR: usize = 8;

pub(crate) const MICRO_F32: MicroKernel<f32> =
    MicroKernel { mr: MR, nr: NR, kc: 256, mc: 64, nc: 1024, run: micro::<f32>, edge: &[] };

pub(crate) const MICRO_F64: MicroKernel<f64> =
    MicroKernel { mr: MR, nr: NR, kc: 256, mc: 64, nc: 1024, run: micro::<f64>, edge: &[] };

/// The portable microkernel: `c[0..MR, 0..NR] (+)= Σ_p a[i·a_rs + p·a_cs] · b[p·NR + j]` (see
/// [`super::blis::MicroFn`]).
///
/// # Safety
/// As [`super::blis::MicroFn`].
unsafe fn micro<T: GemmFloat>(
    kc: usize,
    a: *const T,
    a_rs: usize,
    a_cs: usize,
    b: *const T,
    c: *mut T,
    ldc: usize,
    accumulate: bool,
) {
    // SAFETY: the caller guarantees kc·NR readable elements at `b`.
    let b = unsafe { std::slice::from_raw_parts(b, kc * NR) };
    let mut acc = [[T::ZERO; NR]; MR];
    for (p, bp) in b.chunks_exact(NR).enumerate() {
        // One rank-1 update of the tile: acc += a[:, p] ⊗ b[p, :].
        for i in 0..MR {
            // SAFETY: element (i, p) of the lhs micro-panel (the caller's contract).
            let a_ip = unsafe { *a.add(i * a_rs + p * a_cs) };
            for j in 0..NR {
                acc[i][j] = acc[i][j] + a_ip * bp[j];
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        // SAFETY: the caller guarantees the MR × NR tile at `c` (row stride ldc) is writable and unaliased.
        let out = unsafe { std::slice::from_raw_parts_mut(c.add(i * ldc), NR) };
        for (o, &v) in out.iter_mut().zip(row) {
            *o = if accumulate { *o + v } else { v };
        }
    }
}
