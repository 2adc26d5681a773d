//! The portable kernels: plain Rust, no intrinsics, always compiled. They are what runs on a CPU without
//! AVX2, and the reference the SIMD kernels are tested against (same packing, same loop structure).

use super::blis::MicroKernel;
use super::direct::{DirectKernel, Init};
use super::{Element, Kernels, MatRef};

/// Register tile of the portable microkernel (small enough that the accumulators stay in registers on any
/// 64-bit target).
const MR: usize = 4;
const NR: usize = 8;

pub static F32: Kernels<f32> = Kernels {
    micro: MicroKernel { mr: MR, nr: NR, kc: 256, mc: 64, nc: 1024, run: micro::<f32>, edge: &[] },
    direct: DirectKernel { rows: DIRECT_ROWS, width: DIRECT_WIDTH, run: direct_block::<f32>, dot: None, short_k: None },
};

pub static F64: Kernels<f64> = Kernels {
    micro: MicroKernel { mr: MR, nr: NR, kc: 256, mc: 64, nc: 1024, run: micro::<f64>, edge: &[] },
    direct: DirectKernel { rows: DIRECT_ROWS, width: DIRECT_WIDTH, run: direct_block::<f64>, dot: None, short_k: None },
};

/// The portable microkernel: `c[0..MR, 0..NR] (+)= Σ_p a[i·a_rs + p·a_cs] · b[p·NR + j]` (see
/// [`super::blis::MicroFn`]).
///
/// # Safety
/// As [`super::blis::MicroFn`].
unsafe fn micro<T: Element>(
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

/// Rows × columns of one portable direct block.
pub const DIRECT_ROWS: usize = 4;
pub const DIRECT_WIDTH: usize = 8;

/// The portable direct block (see [`super::direct::DirectFn`]): `rows ≤ 4` rows × `cols ≤ 8` columns, the
/// whole `k` sum in registers, reading `lhs`/`rhs` in place.
///
/// # Safety
/// As [`super::direct::DirectFn`].
pub unsafe fn direct_block<T: Element>(
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

/// [`direct_block`], always inlined so that `avx2` can compile the same code with AVX2 enabled.
///
/// # Safety
/// As [`super::direct::DirectFn`].
#[inline(always)]
pub unsafe fn direct_block_inline<T: Element>(
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
    let k = lhs.cols;
    let mut acc = [[T::ZERO; DIRECT_WIDTH]; DIRECT_ROWS];
    for p in 0..k {
        let mut b = [T::ZERO; DIRECT_WIDTH];
        for j in 0..cols {
            b[j] = rhs.data[rhs.idx(p, j0 + j)];
        }
        for r in 0..rows {
            let a = lhs.data[lhs.idx(i0 + r, p)];
            for j in 0..DIRECT_WIDTH {
                acc[r][j] = acc[r][j] + a * b[j];
            }
        }
    }
    for r in 0..rows {
        // SAFETY: the caller guarantees row i0 + r, columns j0..j0+cols of `c` are writable and unaliased.
        let out = unsafe { std::slice::from_raw_parts_mut(c.add((i0 + r) * ldc + j0), cols) };
        for (j, (o, &v)) in out.iter_mut().zip(&acc[r]).enumerate() {
            *o = match init {
                Init::Zero => v,
                Init::Out => *o + v,
                Init::Row(row) => row[j0 + j] + v,
            };
        }
    }
}
