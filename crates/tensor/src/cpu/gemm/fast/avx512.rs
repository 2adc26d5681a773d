//! AVX-512F kernels of the direct path (x86-64): the block kernel, the dot kernel and the short-k kernel, with
//! mask registers for the edges.
//!
//! - Blocks: up to 24 rows × one masked vector of columns (16 `f32` / 8 `f64`); the masked loads and stores
//!   handle any column count without touching memory past the edge. For a long `k` a block of few rows splits
//!   its sum over several accumulators, or permutes broadcasts out of a contiguous `lhs` column
//!   ([`super::direct::block_variant`]).
//! - Short-k: for `k ≤ 16` the `k` rows of rhs stay in registers for the whole call and every row of lhs
//!   streams past them (`800×10 · 10×10`, `800×2 · 2×10`), so each step loads one row of lhs and no rhs at all.
//! - Dot: skinny outputs (`n ≤ 2`) with a short `k` sum each row of lhs against each column of rhs across
//!   lanes.
//!
//! On other architectures this module exports the portable direct kernels (never selected: `Isa::Avx512` is
//! unavailable there).

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::super::super::MatRef;
    use super::super::direct::{block_variant, BlockVariant, Init};
    use std::arch::x86_64::*;

    /// Most rows of one direct block: 24 accumulators, the `rhs` vector and a broadcast fit the 32 registers,
    /// and fewer, taller blocks reload each `rhs` vector fewer times over the rows (the MLP table of
    /// `benches/matmul.rs` times such shapes).
    pub(super) const DIRECT_ROWS: usize = 24;

    /// Defines the direct block kernel for one element type: `$name` dispatches the row count to
    /// `$block::<R>` so that the `R` accumulators are compile-time registers.
    macro_rules! direct_kernel {
        (
            $name:ident, $block:ident, $t:ty, $vec:ty, $mask:ty, $lanes:expr, $idx:ty,
            zero: $zero:ident, set1: $set1:ident, loadz: $loadz:ident, store: $store:ident, fmadd: $fmadd:ident,
            add: $add:ident, gather: $gather:ident, index: $index:expr, permute: $permute:ident,
            lane: $lane:ident
        ) => {
            /// One direct block of `R` rows × `cols ≤ lanes` columns (see `DirectFn`). With few rows the `k`
            /// sum is split over `S` interleaved accumulators (step `p` goes to `p mod S`, the leftover steps
            /// to the first), added at the end in order, so that `R · S` FMA chains hide the FMA latency.
            ///
            /// `COL`: the block's lhs column is contiguous (`lhs.rs == 1`, a transposed lhs such as the
            /// backward `Xᵀ · dy`; requires `R ≤ lanes`). Each step then loads that column once and takes the
            /// first `2R/5` of its `R` broadcasts (all of them up to 4 rows) from it by in-register permutes
            /// instead of broadcast loads. The step is bound by the load ports (`R` broadcasts + 1 row of rhs
            /// for `R` FMAs); a permute runs on a shuffle pipe instead, so moving some broadcasts there
            /// balances the two.
            /// Moving all of them would overload the shuffle pipe, whose permutes then compete with the FMAs;
            /// `2R/5` is the share that timed best on the MLP table of `benches/matmul.rs`. The broadcast values,
            /// the FMAs and their order are unchanged: the same bits.
            ///
            /// # Safety
            /// As [`super::super::direct::DirectFn`] with `rows == R`.
            #[target_feature(enable = "avx512f")]
            unsafe fn $block<const R: usize, const S: usize, const COL: bool>(
                lhs: &MatRef<$t>,
                rhs: &MatRef<$t>,
                c: *mut $t,
                ldc: usize,
                i0: usize,
                j0: usize,
                cols: usize,
                init: Init<'_, $t>,
            ) {
                let k = lhs.cols;
                let mask = ((1u32 << cols) - 1) as $mask;
                let (ars, acs, brs, bcs) = (lhs.rs, lhs.cs, rhs.rs, rhs.cs);
                // SAFETY: (i0, 0) and (0, j0) are elements of the bounds-checked views.
                let (a0, b0) =
                    unsafe { (lhs.data.as_ptr().add(lhs.idx(i0, 0)), rhs.data.as_ptr().add(rhs.idx(0, j0))) };
                let mut acc: [[$vec; R]; S] = [[$zero(); R]; S];
                // Columns of rhs are contiguous (the common case) → masked loads; otherwise gather them
                // (the byte offsets of `cols` elements must fit an i32).
                let gather = bcs != 1
                    && bcs.checked_mul(cols * std::mem::size_of::<$t>()).is_some_and(|x| x <= i32::MAX as usize);
                let offsets: $idx = $index(bcs * std::mem::size_of::<$t>());
                debug_assert!(!COL || (ars == 1 && R <= $lanes));
                // How many of the R broadcasts of a step are permuted out of the loaded column (see `COL`).
                let permuted = if R <= 4 { R } else { 2 * R / 5 };
                let col_mask = ((1u32 << R.min($lanes)) - 1) as $mask;
                // One step: acc[s][r] += lhs[i0 + r, p] · rhs[p, j0..].
                macro_rules! step {
                    ($p:expr, $s:expr) => {{
                        let p = $p;
                        // SAFETY: row p, columns j0..j0+cols of rhs are in bounds; masked-off lanes are not
                        // read.
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
                        // SAFETY (COL): elements (i0 .. i0 + R, p) of lhs are in bounds and contiguous.
                        let col = if COL { unsafe { $loadz(col_mask, a0.add(p * acs)) } } else { $zero() };
                        for r in 0..R {
                            let a = if COL && r < permuted {
                                $permute($lane(r as _), col)
                            } else {
                                // SAFETY: element (i0 + r, p) of lhs is in bounds (r < R ≤ rows of the block).
                                $set1(unsafe { *a0.add(r * ars + p * acs) })
                            };
                            acc[$s][r] = $fmadd(a, b, acc[$s][r]);
                        }
                    }};
                }
                let mut p = 0;
                while p + S <= k {
                    for s in 0..S {
                        step!(p + s, s);
                    }
                    p += S;
                }
                while p < k {
                    step!(p, 0);
                    p += 1;
                }
                for s in 1..S {
                    for r in 0..R {
                        acc[0][r] = $add(acc[0][r], acc[s][r]);
                    }
                }
                let mut acc = acc[0];
                match init {
                    Init::Zero => {}
                    Init::Out => {
                        // All R rows of `c` are loaded before any is stored: a masked load right after the
                        // masked store of the row before it (the same cache line) waits for that store to
                        // retire, a stall on every row. The sums are the same: out + Σ.
                        let mut old = [$zero(); R];
                        for r in 0..R {
                            // SAFETY: row i0 + r, columns j0..j0+cols of `c` are readable (masked lanes
                            // untouched).
                            old[r] = unsafe { $loadz(mask, c.add((i0 + r) * ldc + j0)) };
                        }
                        for r in 0..R {
                            acc[r] = $add(old[r], acc[r]);
                        }
                    }
                    Init::Row(row) => {
                        // SAFETY: the caller guarantees the row holds j0 + cols elements (masked lanes
                        // untouched).
                        let b = unsafe { $loadz(mask, row.as_ptr().add(j0)) };
                        for r in 0..R {
                            acc[r] = $add(b, acc[r]);
                        }
                    }
                }
                for r in 0..R {
                    // SAFETY: row i0 + r, columns j0..j0+cols of `c` are writable (masked lanes untouched).
                    // (Full-width stores spilling into the next row would split cache lines far more often.)
                    unsafe { $store(c.add((i0 + r) * ldc + j0), mask, acc[r]) };
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
                init: Init<'_, $t>,
            ) {
                // SAFETY: forwarded from the caller, with R == rows.
                unsafe {
                    // The variant of this block (`block_variant`, which the plan describes too): a long `k`
                    // with few rows splits the sum so that enough FMA chains are in flight (`S` accumulators);
                    // a contiguous lhs column permutes broadcasts out of the loaded column (see `COL`).
                    use BlockVariant::{ColumnPermutes as Col, SplitK as Split};
                    match (rows, block_variant(lhs.rs, lhs.cols, rows, $lanes)) {
                        (1, Split) => $block::<1, 8, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (2, Split) => $block::<2, 4, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (3, Split) => $block::<3, 4, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (4, Split) => $block::<4, 2, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (5, Split) => $block::<5, 2, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (6, Split) => $block::<6, 2, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (2, Col) => $block::<2, 4, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (3, Col) => $block::<3, 4, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (4, Col) => $block::<4, 2, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (5, Col) => $block::<5, 2, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (6, Col) => $block::<6, 2, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (7, Col) => $block::<7, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (8, Col) => $block::<8, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (9, Col) if $lanes == 16 => $block::<9, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (10, Col) if $lanes == 16 => $block::<10, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (11, Col) if $lanes == 16 => $block::<11, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (12, Col) if $lanes == 16 => $block::<12, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (13, Col) if $lanes == 16 => $block::<13, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (14, Col) if $lanes == 16 => $block::<14, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (15, Col) if $lanes == 16 => $block::<15, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (16, Col) if $lanes == 16 => $block::<16, 1, true>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (1, _) => $block::<1, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (2, _) => $block::<2, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (3, _) => $block::<3, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (4, _) => $block::<4, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (5, _) => $block::<5, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (6, _) => $block::<6, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (7, _) => $block::<7, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (8, _) => $block::<8, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (9, _) => $block::<9, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (10, _) => $block::<10, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (11, _) => $block::<11, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (12, _) => $block::<12, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (13, _) => $block::<13, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (14, _) => $block::<14, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (15, _) => $block::<15, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (16, _) => $block::<16, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (17, _) => $block::<17, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (18, _) => $block::<18, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (19, _) => $block::<19, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (20, _) => $block::<20, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (21, _) => $block::<21, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (22, _) => $block::<22, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        (23, _) => $block::<23, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                        _ => $block::<DIRECT_ROWS, 1, false>(lhs, rhs, c, ldc, i0, j0, cols, init),
                    }
                }
            }
        };
    }

    /// Defines the dot kernel for one element type (a `DotFn`): for `n ≤ DOT_MAX_N` output columns (the
    /// kernel is written for up to 4) and `k ≤ lanes`,
    /// each row of `lhs` is one masked vector load, multiplied by each (pre-loaded) column of `rhs` and
    /// summed across lanes: `out[r, j] (+)= Σ_lanes lhs[r, :] ⊙ rhs[:, j]`. For skinny outputs (`800×10 ·
    /// 10×1`) this uses all `k` lanes instead of `n` of 16.
    macro_rules! dot_kernel {
        (
            $name:ident, $block:ident, $t:ty, $vec:ty, $mask:ty, $lanes:expr,
            zero: $zero:ident, loadz: $loadz:ident, mul: $mul:ident, reduce: $reduce:ident
        ) => {
            /// The dot kernel with `N` output columns.
            ///
            /// # Safety
            /// As [`super::super::direct::DotFn`] with `rhs.cols == N`.
            #[target_feature(enable = "avx512f")]
            unsafe fn $block<const N: usize>(lhs: &MatRef<$t>, rhs: &MatRef<$t>, out: *mut $t, accumulate: bool) {
                let (m, k) = (lhs.rows, lhs.cols);
                let mask = ((1u32 << k) - 1) as $mask;
                // The N columns of rhs as vectors of k lanes, read once.
                let mut bcol: [$vec; N] = [$zero(); N];
                for j in 0..N {
                    let mut tmp = [<$t>::default(); $lanes];
                    for p in 0..k {
                        tmp[p] = rhs.data[rhs.idx(p, j)];
                    }
                    // SAFETY: `tmp` holds `lanes ≥ k` elements.
                    bcol[j] = unsafe { $loadz(mask, tmp.as_ptr()) };
                }
                for r in 0..m {
                    // SAFETY: lhs rows are contiguous (cs == 1) and in bounds: lanes k.. are masked off.
                    let a = unsafe { $loadz(mask, lhs.data.as_ptr().add(lhs.idx(r, 0))) };
                    for j in 0..N {
                        let v = $reduce($mul(a, bcol[j]));
                        // SAFETY: `out` holds m × N elements (the caller's contract).
                        unsafe {
                            let o = out.add(r * N + j);
                            *o = if accumulate { *o + v } else { v };
                        }
                    }
                }
            }

            /// The dot kernel of this element type (a `DotFn`).
            ///
            /// # Safety
            /// As [`super::super::direct::DotFn`].
            #[target_feature(enable = "avx512f")]
            pub(super) unsafe fn $name(lhs: &MatRef<$t>, rhs: &MatRef<$t>, out: *mut $t, accumulate: bool) {
                // SAFETY: forwarded from the caller, with N == rhs.cols.
                unsafe {
                    match rhs.cols {
                        1 => $block::<1>(lhs, rhs, out, accumulate),
                        2 => $block::<2>(lhs, rhs, out, accumulate),
                        3 => $block::<3>(lhs, rhs, out, accumulate),
                        _ => $block::<4>(lhs, rhs, out, accumulate),
                    }
                }
            }
        };
    }

    dot_kernel!(
        dot_f32, dot_block_f32, f32, __m512, __mmask16, 16,
        zero: _mm512_setzero_ps, loadz: _mm512_maskz_loadu_ps, mul: _mm512_mul_ps, reduce: _mm512_reduce_add_ps
    );
    dot_kernel!(
        dot_f64, dot_block_f64, f64, __m512d, __mmask8, 8,
        zero: _mm512_setzero_pd, loadz: _mm512_maskz_loadu_pd, mul: _mm512_mul_pd, reduce: _mm512_reduce_add_pd
    );

    /// Defines the short-k kernel for one element type (a `ShortKFn`): the `K ≤ 16` rows of `rhs` are loaded
    /// once into registers, then the rows of `out` go by in groups of `ROWS`, each row one chain of `K`
    /// broadcast FMAs — the same products in the same order as a direct block, without reloading `rhs` or
    /// calling a block kernel for every 24 rows.
    macro_rules! short_k_kernel {
        (
            $name:ident, $block:ident, $t:ty, $vec:ty, $mask:ty,
            zero: $zero:ident, set1: $set1:ident, loadz: $loadz:ident, store: $store:ident, fmadd: $fmadd:ident,
            add: $add:ident
        ) => {
            /// The short-k kernel for `k == K`.
            ///
            /// # Safety
            /// As [`super::super::direct::ShortKFn`] with `lhs.cols == K`.
            #[target_feature(enable = "avx512f")]
            unsafe fn $block<const K: usize, const PACKED: bool>(
                lhs: &MatRef<$t>,
                rhs: &MatRef<$t>,
                out: *mut $t,
                init: Init<'_, $t>,
            ) {
                /// Rows in flight: independent FMA chains to cover the FMA latency.
                const ROWS: usize = 8;
                let (m, n) = (lhs.rows, rhs.cols);
                let mask = ((1u32 << n) - 1) as $mask;
                let mut b = [$zero(); K];
                for (p, bp) in b.iter_mut().enumerate() {
                    // SAFETY: row p of rhs holds n contiguous elements (cs == 1); lanes n.. are masked off.
                    *bp = unsafe { $loadz(mask, rhs.data.as_ptr().add(rhs.idx(p, 0))) };
                }
                // PACKED: lhs rows are K contiguous elements, one after the other (a row-major lhs, the
                // common case); the element offsets are then constants of the unrolled loop.
                let (rs, cs) = if PACKED { (K, 1) } else { (lhs.rs, lhs.cs) };
                // SAFETY: element (0, 0) of the bounds-checked view.
                let a = unsafe { lhs.data.as_ptr().add(lhs.idx(0, 0)) };
                // `R` rows from row i: acc[r] = Σ_p lhs[i + r, p] · rhs[p, :], then init, then one masked store.
                macro_rules! rows {
                    ($i:expr, $r_count:expr) => {{
                        let i = $i;
                        let mut acc = [$zero(); $r_count];
                        for p in 0..K {
                            for r in 0..$r_count {
                                // SAFETY: element (i + r, p) of lhs is in bounds (i + r < m, p < K = k).
                                let x = $set1(unsafe { *a.add((i + r) * rs + p * cs) });
                                acc[r] = $fmadd(x, b[p], acc[r]);
                            }
                        }
                        // Every old row is loaded before any is stored (see the direct block's `Init::Out`).
                        for r in 0..$r_count {
                            // SAFETY: row i + r of `out` holds n readable elements (lanes n.. untouched); a row of
                            // `Init::Row` holds at least n.
                            acc[r] = match init {
                                Init::Zero => acc[r],
                                Init::Out => $add(unsafe { $loadz(mask, out.add((i + r) * n)) }, acc[r]),
                                Init::Row(row) => $add(unsafe { $loadz(mask, row.as_ptr()) }, acc[r]),
                            };
                        }
                        for r in 0..$r_count {
                            // SAFETY: row i + r of `out` holds n writable elements (lanes n.. untouched).
                            unsafe { $store(out.add((i + r) * n), mask, acc[r]) };
                        }
                    }};
                }
                let mut i = 0;
                while i + ROWS <= m {
                    rows!(i, ROWS);
                    i += ROWS;
                }
                while i < m {
                    rows!(i, 1);
                    i += 1;
                }
            }

            /// The short-k kernel of this element type (a `ShortKFn`).
            ///
            /// # Safety
            /// As [`super::super::direct::ShortKFn`].
            #[target_feature(enable = "avx512f")]
            pub(super) unsafe fn $name(lhs: &MatRef<$t>, rhs: &MatRef<$t>, out: *mut $t, init: Init<'_, $t>) {
                // SAFETY: forwarded from the caller, with K == lhs.cols.
                unsafe {
                    match (lhs.cols, lhs.cs == 1 && lhs.rs == lhs.cols) {
                        (1, true) => $block::<1, true>(lhs, rhs, out, init),
                        (1, false) => $block::<1, false>(lhs, rhs, out, init),
                        (2, true) => $block::<2, true>(lhs, rhs, out, init),
                        (2, false) => $block::<2, false>(lhs, rhs, out, init),
                        (3, true) => $block::<3, true>(lhs, rhs, out, init),
                        (3, false) => $block::<3, false>(lhs, rhs, out, init),
                        (4, true) => $block::<4, true>(lhs, rhs, out, init),
                        (4, false) => $block::<4, false>(lhs, rhs, out, init),
                        (5, true) => $block::<5, true>(lhs, rhs, out, init),
                        (5, false) => $block::<5, false>(lhs, rhs, out, init),
                        (6, true) => $block::<6, true>(lhs, rhs, out, init),
                        (6, false) => $block::<6, false>(lhs, rhs, out, init),
                        (7, true) => $block::<7, true>(lhs, rhs, out, init),
                        (7, false) => $block::<7, false>(lhs, rhs, out, init),
                        (8, true) => $block::<8, true>(lhs, rhs, out, init),
                        (8, false) => $block::<8, false>(lhs, rhs, out, init),
                        (9, true) => $block::<9, true>(lhs, rhs, out, init),
                        (9, false) => $block::<9, false>(lhs, rhs, out, init),
                        (10, true) => $block::<10, true>(lhs, rhs, out, init),
                        (10, false) => $block::<10, false>(lhs, rhs, out, init),
                        (11, true) => $block::<11, true>(lhs, rhs, out, init),
                        (11, false) => $block::<11, false>(lhs, rhs, out, init),
                        (12, true) => $block::<12, true>(lhs, rhs, out, init),
                        (12, false) => $block::<12, false>(lhs, rhs, out, init),
                        (13, true) => $block::<13, true>(lhs, rhs, out, init),
                        (13, false) => $block::<13, false>(lhs, rhs, out, init),
                        (14, true) => $block::<14, true>(lhs, rhs, out, init),
                        (14, false) => $block::<14, false>(lhs, rhs, out, init),
                        (15, true) => $block::<15, true>(lhs, rhs, out, init),
                        (15, false) => $block::<15, false>(lhs, rhs, out, init),
                        (_, true) => $block::<16, true>(lhs, rhs, out, init),
                        (_, false) => $block::<16, false>(lhs, rhs, out, init),
                    }
                }
            }
        };
    }

    short_k_kernel!(
        short_k_f32, short_k_block_f32, f32, __m512, __mmask16,
        zero: _mm512_setzero_ps, set1: _mm512_set1_ps, loadz: _mm512_maskz_loadu_ps, store: _mm512_mask_storeu_ps,
        fmadd: _mm512_fmadd_ps, add: _mm512_add_ps
    );
    short_k_kernel!(
        short_k_f64, short_k_block_f64, f64, __m512d, __mmask8,
        zero: _mm512_setzero_pd, set1: _mm512_set1_pd, loadz: _mm512_maskz_loadu_pd, store: _mm512_mask_storeu_pd,
        fmadd: _mm512_fmadd_pd, add: _mm512_add_pd
    );

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
        fmadd: _mm512_fmadd_ps, add: _mm512_add_ps, gather: _mm512_mask_i32gather_ps, index: index_f32,
        permute: _mm512_permutexvar_ps, lane: _mm512_set1_epi32
    );
    direct_kernel!(
        direct_f64, direct_block_f64, f64, __m512d, __mmask8, 8, __m256i,
        zero: _mm512_setzero_pd, set1: _mm512_set1_pd, loadz: _mm512_maskz_loadu_pd, store: _mm512_mask_storeu_pd,
        fmadd: _mm512_fmadd_pd, add: _mm512_add_pd, gather: _mm512_mask_i32gather_pd, index: index_f64,
        permute: _mm512_permutexvar_pd, lane: _mm512_set1_epi64
    );
}

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::super::direct::DirectKernel;
    use super::imp;

    pub(crate) const DIRECT_F32: DirectKernel<f32> = DirectKernel {
        rows: imp::DIRECT_ROWS,
        width: 16,
        run: imp::direct_f32,
        long_k_variants: true,
        dot: Some(imp::dot_f32),
        short_k: Some(imp::short_k_f32),
    };

    pub(crate) const DIRECT_F64: DirectKernel<f64> = DirectKernel {
        rows: imp::DIRECT_ROWS,
        width: 8,
        run: imp::direct_f64,
        long_k_variants: true,
        dot: Some(imp::dot_f64),
        short_k: Some(imp::short_k_f64),
    };
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) use super::portable::{DIRECT_F32, DIRECT_F64};
#[cfg(target_arch = "x86_64")]
pub(crate) use kernels::{DIRECT_F32, DIRECT_F64};
