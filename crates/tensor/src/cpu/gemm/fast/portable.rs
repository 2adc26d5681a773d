//! The portable direct block kernel, plain Rust: what the direct path runs without AVX-512 (no dot or short-k
//! kernel there), compiled twice — as is, and with AVX2 + FMA enabled for the auto-vectoriser.

use super::super::{GemmFloat, MatRef};
use super::direct::{DirectKernel, Init};

/// Rows × columns of one portable direct block.
pub(crate) const DIRECT_ROWS: usize = 4;
pub(crate) const DIRECT_WIDTH: usize = 8;

pub(crate) const DIRECT_F32: DirectKernel<f32> = DirectKernel {
    rows: DIRECT_ROWS,
    width: DIRECT_WIDTH,
    run: direct_block::<f32>,
    long_k_variants: false,
    dot: None,
    short_k: None,
};

pub(crate) const DIRECT_F64: DirectKernel<f64> = DirectKernel {
    rows: DIRECT_ROWS,
    width: DIRECT_WIDTH,
    run: direct_block::<f64>,
    long_k_variants: false,
    dot: None,
    short_k: None,
};

#[cfg(target_arch = "x86_64")]
pub(crate) const DIRECT_AVX2_F32: DirectKernel<f32> = DirectKernel { run: direct_block_avx2::<f32>, ..DIRECT_F32 };
#[cfg(target_arch = "x86_64")]
pub(crate) const DIRECT_AVX2_F64: DirectKernel<f64> = DirectKernel { run: direct_block_avx2::<f64>, ..DIRECT_F64 };
#[cfg(not(target_arch = "x86_64"))]
pub(crate) use {DIRECT_F32 as DIRECT_AVX2_F32, DIRECT_F64 as DIRECT_AVX2_F64};

/// The portable direct block (see [`super::direct::DirectFn`]): `rows ≤ 4` rows × `cols ≤ 8` columns, the
/// whole `k` sum in registers, reading `lhs`/`rhs` in place.
///
/// # Safety
/// As [`super::direct::DirectFn`].
unsafe fn direct_block<T: GemmFloat>(
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

/// The portable direct block compiled with AVX2 + FMA available to the auto-vectoriser.
///
/// # Safety
/// As [`super::direct::DirectFn`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn direct_block_avx2<T: GemmFloat>(
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

/// The body of [`direct_block`], always inlined so that each caller compiles it with its own target features.
///
/// # Safety
/// As [`super::direct::DirectFn`].
#[inline(always)]
unsafe fn direct_block_inline<T: GemmFloat>(
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
