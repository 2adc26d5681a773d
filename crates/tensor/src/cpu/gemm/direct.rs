//! The direct path: small and skinny products (the MLP layers of the tutorial: `800×10 · 10×10`,
//! `10×800 · 800×10` with a transposed `lhs`, `800×10 · 10×1`, ...) computed straight from the strided views.
//!
//! Packing costs a pass over both operands and pays off only when each packed element is reused many times;
//! for these shapes it is not, and a threaded split costs more than the whole product. So: no packing, no
//! threads, no allocation. (An ISA may add kernels for the commonest cases — a short `k` with the rhs held in
//! registers, skinny outputs summed across lanes — checked first in [`gemm_direct`].) The output is cut into blocks of `rows × width` (`width` = one SIMD register of
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

/// Where the sums of a direct block start: `c = Σ` (`Zero`), `c = c + Σ` (`Out`), or `c = row + Σ` with one
/// row broadcast to every output row (`Row`, the bias of a linear layer). Each is one add of the finished sum
/// `Σ`, so `Row` gives exactly the bits of adding the row after the product (IEEE addition is commutative).
#[derive(Clone, Copy, Debug)]
pub enum Init<'a, T> {
    Zero,
    Out,
    /// A row of at least `n` elements (the output's columns).
    Row(&'a [T]),
}

impl<T> Init<'_, T> {
    /// `Out` when accumulating, else `Zero`.
    pub fn of(accumulate: bool) -> Self {
        if accumulate {
            Init::Out
        } else {
            Init::Zero
        }
    }
}

/// A direct block kernel: `c[i0+r, j0+j] = init + Σ_p lhs[i0+r, p] · rhs[p, j0+j]` for `r < rows`, `j < cols`.
///
/// # Safety
/// `rows ≤` the kernel's `rows`, `cols ≤` its `width`; the block is inside `lhs`/`rhs`/`c` (whose views were
/// bounds-checked), `c` (row stride `ldc`) is writable and unaliased there, an `Init::Row` holds at least
/// `j0 + cols` elements, and the CPU runs the kernel's ISA.
pub type DirectFn<T> = unsafe fn(
    lhs: &MatRef<T>,
    rhs: &MatRef<T>,
    c: *mut T,
    ldc: usize,
    i0: usize,
    rows: usize,
    j0: usize,
    cols: usize,
    init: Init<'_, T>,
);

/// A dot kernel: `out[r, j] (+)= Σ_p lhs[r, p] · rhs[p, j]` for the whole product, summing each row of `lhs`
/// against each column of `rhs` across SIMD lanes.
///
/// # Safety
/// `lhs.cs == 1`, `k ≤` the kernel's `width`, `1 ≤ n ≤ DOT_MAX_N`; the views were bounds-checked, `out` holds
/// `m × n` writable elements, and the CPU runs the kernel's ISA.
pub type DotFn<T> = unsafe fn(lhs: &MatRef<T>, rhs: &MatRef<T>, out: *mut T, accumulate: bool);

/// A short-k kernel: the whole product `out = init + lhs · rhs` for `k ≤ SHORT_K_MAX` and `n ≤` the kernel's
/// `width`, with the `k` rows of `rhs` held in registers for the whole call and the rows of `out` streamed
/// past them (the forward `x · Wᵀ` of the tutorial's layers: `800×10 · 10×10`).
///
/// # Safety
/// `1 ≤ k ≤ SHORT_K_MAX`, `1 ≤ n ≤` the kernel's `width`, `rhs.cs == 1`; the views were bounds-checked, `out`
/// holds `m × n` writable elements, an `Init::Row` holds at least `n` elements, and the CPU runs the kernel's
/// ISA.
pub type ShortKFn<T> = unsafe fn(lhs: &MatRef<T>, rhs: &MatRef<T>, out: *mut T, init: Init<'_, T>);

/// Longest `k` of the short-k kernels (`k` rhs registers plus 8 accumulators and a broadcast fit the 32).
pub const SHORT_K_MAX: usize = 16;

/// Largest strided rhs (k·n elements) the direct path copies to row-major before running (a stack buffer).
const RHS_COPY_MAX: usize = 1024;

/// Most output columns the dot kernels handle.
pub const DOT_MAX_N: usize = 2;

/// The direct kernels of one instruction set and their block size.
pub struct DirectKernel<T> {
    pub rows: usize,
    pub width: usize,
    pub run: DirectFn<T>,
    /// For skinny outputs with a short, contiguous `k` (when the ISA has one).
    pub dot: Option<DotFn<T>>,
    /// For a short `k` (when the ISA has one).
    pub short_k: Option<ShortKFn<T>>,
}

/// Products up to this many flops (2·m·n·k, about 2·80³) take the direct path whatever their shape: below
/// it, packing the operands and padding the edge tiles cost the packed path more than its blocking saves.
/// `MATMUL_TABLE=tune cargo bench --bench matmul` prints the direct path beside the packed one on 1 and 2
/// threads for square sizes. The bound is where the packed path stops losing on one thread, not on two: it
/// must not depend on the thread count, or the bits would.
pub const DIRECT_MAX_FLOPS: usize = 1 << 20;
/// Skinny products (at most one register of output columns) stay direct up to this many flops: the packed
/// path would fill 4-vector-wide tiles with zeros.
pub const SKINNY_MAX_FLOPS: usize = 1 << 26;

/// Whether [`super::Path::Auto`] should use the direct path for this shape.
pub fn prefers_direct<T: Element>(m: usize, k: usize, n: usize) -> bool {
    let flops = 2 * m * n * k;
    flops <= DIRECT_MAX_FLOPS || (n <= T::LANES512 && flops <= SKINNY_MAX_FLOPS)
}

/// `out = init + lhs · rhs` by direct blocks (shapes already checked; m, n, k > 0).
///
/// # Panics
/// When an `Init::Row` has fewer than `n` elements.
pub fn gemm_direct<T: Element>(
    kern: &DirectKernel<T>,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    init: Init<'_, T>,
) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    if let Init::Row(row) = init {
        assert!(row.len() >= n, "matmul: a starting row of {} elements for {n} output columns", row.len());
        if n <= DOT_MAX_N {
            // The paths below that reshape the problem (a transposed column product, the dot kernels) take the row
            // as the output's starting value instead: written out, then accumulated into (the same one add).
            let (b0, b1) = (row[0], if n == 2 { row[1] } else { T::ZERO });
            if n == 1 {
                out.fill(b0);
            } else {
                for r in out.chunks_exact_mut(2) {
                    r[0] = b0;
                    r[1] = b1;
                }
            }
            return gemm_direct(kern, lhs, rhs, out, Init::Out);
        }
    }
    let accumulate = matches!(init, Init::Out);
    if n == 1 && m > 1 && lhs.rs == 1 && lhs.cs != 1 {
        // A column output from a column-contiguous lhs (the backward `Xᵀ · dy`): out (m×1) has the memory of
        // outᵀ (1×m) = rhsᵀ · lhsᵀ, whose rhs rows are contiguous: one long vector row instead of m
        // one-lane rows.
        return gemm_direct(kern, rhs.t(), lhs.t(), out, init);
    }
    if let Some(dot) = kern.dot {
        if n <= DOT_MAX_N && k <= kern.width && lhs.cs == 1 {
            // SAFETY: the conditions of `DotFn` were just checked; `out` is m × n (checked by the caller).
            unsafe { dot(&lhs, &rhs, out.as_mut_ptr(), accumulate) };
            return;
        }
    }
    if rhs.cs != 1 && k * n <= RHS_COPY_MAX {
        // Columns of rhs that are not contiguous (the layers' Wᵀ, a transposed view) would be gathered lane by
        // lane at every step of every block; a small rhs is copied once to row-major instead. Only the loads
        // change, not the arithmetic: the results are the same bits.
        let mut buf = [T::ZERO; RHS_COPY_MAX];
        for p in 0..k {
            for j in 0..n {
                buf[p * n + j] = rhs.data[rhs.idx(p, j)];
            }
        }
        let packed = MatRef { data: &buf[..k * n], offset: 0, rows: k, cols: n, rs: n, cs: 1 };
        return gemm_direct(kern, lhs, packed, out, init);
    }
    if let Some(short_k) = kern.short_k {
        if k <= SHORT_K_MAX && n <= kern.width && rhs.cs == 1 {
            // SAFETY: the conditions of `ShortKFn` were just checked (an `Init::Row` above); `out` is m × n.
            unsafe { short_k(&lhs, &rhs, out.as_mut_ptr(), init) };
            return;
        }
    }
    let c = out.as_mut_ptr();
    for i0 in (0..m).step_by(kern.rows) {
        let rows = kern.rows.min(m - i0);
        for j0 in (0..n).step_by(kern.width) {
            let cols = kern.width.min(n - j0);
            // SAFETY: the block is inside the m × n `out` (exclusively borrowed) and inside the views, which
            // `check_shapes` bounds-checked; the caller picked a kernel this CPU runs.
            unsafe { (kern.run)(&lhs, &rhs, c, n, i0, rows, j0, cols, init) };
        }
    }
}
