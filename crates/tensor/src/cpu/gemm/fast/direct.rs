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
//!
//! Before the blocks, [`gemm_direct`] may reshape the problem or hand it to a kernel made for its shape; each
//! step is decided by [`super::super::plan`] (the conditions are the functions of this file) and only carried
//! out here: a transposed column product, the dot kernel, a copy of a small strided `rhs`, the short-k kernel.

use super::super::plan::trace::{self, Step};
pub(crate) use super::super::plan::BlockVariant;
use super::super::plan::{DirectKernelKind, DirectPlan};
use super::super::{GemmFloat, MatRef};

/// Where the sums of a direct block start: `c = Σ` (`Zero`), `c = c + Σ` (`Out`), or `c = row + Σ` with one
/// row broadcast to every output row (`Row`, the bias of a linear layer). Each is one add of the finished sum
/// `Σ`, so `Row` gives exactly the bits of adding the row after the product (IEEE addition is commutative).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Init<'a, T> {
    Zero,
    Out,
    /// A row of at least `n` elements (the output's columns).
    Row(&'a [T]),
}

impl<T> Init<'_, T> {
    /// `Out` when accumulating, else `Zero`.
    pub(crate) fn of(accumulate: bool) -> Self {
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
pub(crate) type DirectFn<T> = unsafe fn(
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
pub(crate) type DotFn<T> = unsafe fn(lhs: &MatRef<T>, rhs: &MatRef<T>, out: *mut T, accumulate: bool);

/// A short-k kernel: the whole product `out = init + lhs · rhs` for `k ≤ SHORT_K_MAX` and `n ≤` the kernel's
/// `width`, with the `k` rows of `rhs` held in registers for the whole call and the rows of `out` streamed
/// past them (the forward `x · Wᵀ` of the tutorial's layers: `800×10 · 10×10`).
///
/// # Safety
/// `1 ≤ k ≤ SHORT_K_MAX`, `1 ≤ n ≤` the kernel's `width`, `rhs.cs == 1`; the views were bounds-checked, `out`
/// holds `m × n` writable elements, an `Init::Row` holds at least `n` elements, and the CPU runs the kernel's
/// ISA.
pub(crate) type ShortKFn<T> = unsafe fn(lhs: &MatRef<T>, rhs: &MatRef<T>, out: *mut T, init: Init<'_, T>);

/// Longest `k` of the short-k kernels (`k` rhs registers plus 8 accumulators and a broadcast fit the 32).
pub const SHORT_K_MAX: usize = 16;

/// Largest strided rhs (k·n elements) the direct path copies to row-major before running (a stack buffer).
pub const RHS_COPY_MAX: usize = 1024;

/// Most output columns the dot kernels handle.
pub const DOT_MAX_N: usize = 2;

/// From this `k` on, a block kernel with variants (AVX-512) keeps more FMA chains in flight: a block of few
/// rows splits its sum over several accumulators, or, when its `lhs` column is contiguous, loads the column
/// once and permutes broadcasts out of it (`block_variant`).
pub const LONG_K: usize = 64;

/// The direct kernels of one instruction set and their block size.
pub(crate) struct DirectKernel<T: 'static> {
    pub rows: usize,
    pub width: usize,
    pub run: DirectFn<T>,
    /// Whether `run` has the long-`k` variants of [`block_variant`] (AVX-512).
    pub long_k_variants: bool,
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
pub const DIRECT_MAX_FLOPS: u128 = 1 << 20;
/// Skinny products (at most one AVX-512 register of output columns) stay direct up to this many flops: the
/// packed path would fill 4-vector-wide tiles with zeros.
pub const SKINNY_MAX_FLOPS: u128 = 1 << 26;

/// 2·m·n·k: exact for any sizes a buffer can hold, saturated beyond.
pub(crate) fn flops(m: usize, k: usize, n: usize) -> u128 {
    (2 * m as u128).saturating_mul(n as u128).saturating_mul(k as u128)
}

/// Whether the shape is small or skinny enough for the direct path (see [`DIRECT_MAX_FLOPS`] and
/// [`SKINNY_MAX_FLOPS`]; `lanes512`: output columns in one AVX-512 register).
pub(crate) fn prefers_direct(m: usize, k: usize, n: usize, lanes512: usize) -> bool {
    let flops = flops(m, k, n);
    flops <= DIRECT_MAX_FLOPS || (n <= lanes512 && flops <= SKINNY_MAX_FLOPS)
}

/// Whether a column output is better computed as its transpose: `out (m×1)` has the memory of `outᵀ (1×m) =
/// rhsᵀ · lhsᵀ`, and when `lhs` is column-contiguous (the backward `Xᵀ · dy`) the rows of that `rhs` are
/// contiguous: one long vector row instead of `m` one-lane rows.
pub(crate) fn transposes(m: usize, n: usize, lhs_rs: usize, lhs_cs: usize) -> bool {
    n == 1 && m > 1 && lhs_rs == 1 && lhs_cs != 1
}

/// Whether the dot kernel fits: an output of at most [`DOT_MAX_N`] columns, `k` within one register, rows of
/// `lhs` contiguous — each output is then one vector product summed across lanes, using `k` lanes instead of `n`.
pub(crate) fn fits_dot(k: usize, n: usize, lhs_cs: usize, width: usize) -> bool {
    n <= DOT_MAX_N && k <= width && lhs_cs == 1
}

/// Whether a strided `rhs` is copied to row-major first: its columns are not contiguous (the layers' `Wᵀ`) and
/// would be gathered lane by lane at every step of every block, while a copy of at most [`RHS_COPY_MAX`]
/// elements is one pass. Only the loads change, not the arithmetic: the same bits.
pub(crate) fn copies_rhs(k: usize, n: usize, rhs_cs: usize) -> bool {
    rhs_cs != 1 && k.saturating_mul(n) <= RHS_COPY_MAX
}

/// Whether the short-k kernel fits: `k ≤` [`SHORT_K_MAX`] rows of a row-major `rhs`, each within one register.
pub(crate) fn fits_short_k(k: usize, n: usize, rhs_cs: usize, width: usize) -> bool {
    k <= SHORT_K_MAX && n <= width && rhs_cs == 1
}

/// The variant of a block of `rows` rows (`lanes`: the kernel's width).
pub(crate) fn block_variant(lhs_rs: usize, k: usize, rows: usize, lanes: usize) -> BlockVariant {
    if k < LONG_K {
        BlockVariant::Plain
    } else if lhs_rs == 1 && (2..=lanes).contains(&rows) {
        BlockVariant::ColumnPermutes
    } else if rows <= 6 {
        BlockVariant::SplitK
    } else {
        BlockVariant::Plain
    }
}

/// `out = init + lhs · rhs` on the direct path, as `plan` says (shapes already checked; m, n, k > 0).
///
/// # Panics
/// When an `Init::Row` has fewer than `n` elements, or when `plan` does not fit the operands (a plan made for
/// other views).
pub(crate) fn gemm_direct<T: GemmFloat>(
    kern: &DirectKernel<T>,
    plan: &DirectPlan,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    init: Init<'_, T>,
) {
    let (m, n) = (lhs.rows, rhs.cols);
    let mut init = init;
    if let Init::Row(row) = init {
        assert!(row.len() >= n, "matmul: a starting row of {} elements for {n} output columns", row.len());
        if plan.row_written_first {
            // The steps below that reshape the problem (a transposed column product, the dot kernels) take the row
            // as the output's starting value instead: written out, then accumulated into (the same one add).
            // At most `DOT_MAX_N` (2) columns: each row written by hand, not by a `memcpy` call per row.
            match n {
                1 => out.fill(row[0]),
                2 => {
                    for r in out.chunks_exact_mut(2) {
                        r[0] = row[0];
                        r[1] = row[1];
                    }
                }
                _ => out.chunks_exact_mut(n).for_each(|r| r.copy_from_slice(&row[..n])),
            }
            init = Init::Out;
            trace::record(Step::RowFirst);
        }
    }
    let (lhs, rhs) = if plan.transposed {
        assert!(transposes(m, n, lhs.rs, lhs.cs), "matmul: a transposed direct plan for another shape");
        trace::record(Step::Transposed);
        (rhs.t(), lhs.t())
    } else {
        (lhs, rhs)
    };
    if plan.rhs_copied {
        let (k, n) = (rhs.rows, rhs.cols);
        assert!(k * n <= RHS_COPY_MAX, "matmul: a copied-rhs direct plan for another shape");
        let mut buf = [T::ZERO; RHS_COPY_MAX];
        for p in 0..k {
            for j in 0..n {
                buf[p * n + j] = rhs.data[rhs.idx(p, j)];
            }
        }
        let copied = MatRef { data: &buf[..k * n], offset: 0, rows: k, cols: n, rs: n, cs: 1 };
        trace::record(Step::RhsCopied);
        return run_kernel(kern, plan.kernel, lhs, copied, out, init);
    }
    run_kernel(kern, plan.kernel, lhs, rhs, out, init)
}

/// The last step of [`gemm_direct`]: one kernel call, or the blocks.
fn run_kernel<T: GemmFloat>(
    kern: &DirectKernel<T>,
    kernel: DirectKernelKind,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    init: Init<'_, T>,
) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    match kernel {
        DirectKernelKind::Dot => {
            let dot = kern.dot.expect("matmul: a dot-kernel plan for an instruction set without one");
            assert!(fits_dot(k, n, lhs.cs, kern.width) && n >= 1, "matmul: a dot-kernel plan for another shape");
            assert!(!matches!(init, Init::Row(_)), "matmul: a dot-kernel plan with a starting row");
            trace::record(Step::Dot);
            // SAFETY: the conditions of `DotFn` were just checked; `out` is m × n (checked by the caller).
            unsafe { dot(&lhs, &rhs, out.as_mut_ptr(), matches!(init, Init::Out)) }
        }
        DirectKernelKind::ShortK => {
            let short_k = kern.short_k.expect("matmul: a short-k plan for an instruction set without one");
            assert!(fits_short_k(k, n, rhs.cs, kern.width), "matmul: a short-k plan for another shape");
            trace::record(Step::ShortK);
            // SAFETY: the conditions of `ShortKFn` were just checked (an `Init::Row` above); `out` is m × n.
            unsafe { short_k(&lhs, &rhs, out.as_mut_ptr(), init) }
        }
        DirectKernelKind::Blocks { .. } => {
            trace::record(Step::Blocks);
            let c = out.as_mut_ptr();
            for i0 in (0..m).step_by(kern.rows) {
                let rows = kern.rows.min(m - i0);
                for j0 in (0..n).step_by(kern.width) {
                    let cols = kern.width.min(n - j0);
                    // SAFETY: the block is inside the m × n `out` (exclusively borrowed) and inside the views,
                    // which `check_shapes` bounds-checked; the caller picked a kernel this CPU runs.
                    unsafe { (kern.run)(&lhs, &rhs, c, n, i0, rows, j0, cols, init) };
                }
            }
        }
    }
}
