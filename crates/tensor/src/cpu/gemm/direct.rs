//! The direct path: small and skinny products (the MLP layers of the tutorial: `800×10 · 10×10`,
//! `10×800 · 800×10` with a transposed `lhs`, `800×10 · 10×1`, ...) computed straight from the strided views.
//!
//! Packing costs a pass over both operands and pays off only when each packed element is reused many times;
//! for these shapes it is not, and a threaded split costs more than the whole product. So: no packing, no
//! threads, no allocation. The output is cut into blocks of `rows × width` (`width` = one SIMD register of
//! columns); a block kernel keeps the block's accumulators in registers for the whole `k` sum:
//!
//! ```text
//! for each block (i0.., j0..):            // rows × width outputs
//!   for p in 0..k:
//!     b = rhs[p, j0 .. j0+width]          // one (masked) vector load
//!     for r in 0..rows: acc[r] += lhs[i0+r, p] · b   // broadcast + FMA
//!   out[i0.., j0..] (+)= acc
//! ```

use super::{Element, MatRef};

/// A direct block kernel: `c[i0+r, j0+j] (+)= Σ_p lhs[i0+r, p] · rhs[p, j0+j]` for `r < rows`, `j < cols`.
///
/// # Safety
/// `rows ≤` the kernel's `rows`, `cols ≤` its `width`; the block is inside `lhs`/`rhs`/`c` (whose views were
/// bounds-checked), `c` (row stride `ldc`) is writable and unaliased there, and the CPU runs the kernel's ISA.
pub type DirectFn<T> = unsafe fn(
    lhs: &MatRef<T>,
    rhs: &MatRef<T>,
    c: *mut T,
    ldc: usize,
    i0: usize,
    rows: usize,
    j0: usize,
    cols: usize,
    accumulate: bool,
);

/// A direct block kernel and its block size.
pub struct DirectKernel<T> {
    pub rows: usize,
    pub width: usize,
    pub run: DirectFn<T>,
}

/// Products up to this many flops (2·m·n·k) with at most one register of output columns take the direct path.
pub const DIRECT_MAX_FLOPS: usize = 1 << 23;
/// Products this small take the direct path whatever their shape.
pub const TINY_FLOPS: usize = 2 * 24 * 24 * 24;

/// Whether [`super::Path::Auto`] should use the direct path for this shape.
pub fn prefers_direct<T: Element>(m: usize, k: usize, n: usize) -> bool {
    let flops = 2 * m * n * k;
    (n <= T::LANES512 && flops <= DIRECT_MAX_FLOPS) || flops <= TINY_FLOPS
}

/// `out (+)= lhs · rhs` by direct blocks (shapes already checked; m, n, k > 0).
pub fn gemm_direct<T: Element>(
    kern: &DirectKernel<T>,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    accumulate: bool,
) {
    let (m, n) = (lhs.rows, rhs.cols);
    let c = out.as_mut_ptr();
    for i0 in (0..m).step_by(kern.rows) {
        let rows = kern.rows.min(m - i0);
        for j0 in (0..n).step_by(kern.width) {
            let cols = kern.width.min(n - j0);
            // SAFETY: the block is inside the m × n `out` (exclusively borrowed) and inside the views, which
            // `check_shapes` bounds-checked; the caller picked a kernel this CPU runs.
            unsafe { (kern.run)(&lhs, &rhs, c, n, i0, rows, j0, cols, accumulate) };
        }
    }
}
