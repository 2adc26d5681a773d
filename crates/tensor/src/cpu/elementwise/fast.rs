//! The fast paths of the float element-wise ops: vector kernels over contiguous runs ([`crate::cpu::simd`]),
//! and two ways of keeping runs long when the tensor's rows are short. Each falls back to the plain loops of
//! `mod.rs` ([`map`](super::map), [`zip`](super::zip)) where it does not fit, and gives the same bits as they
//! do for the exact ops (`+ - * /`, comparisons, relu...; the transcendental ones within the ulps of the SIMD
//! table in `simd/mod.rs`).
//!
//! Tried in this order (`n`: elements of the output; `len`: its last dimension):
//!
//! | path | taken when | why |
//! |---|---|---|
//! | whole-tensor run ([`unary_float`], [`binary_float`]) | every operand contiguous, or (binary) one a single broadcast value | one vector kernel call over everything |
//! | · split over the pool | the same, and `n ≥` the op's threshold ([`PAR_THRESHOLD_CHEAP`] for one-instruction ops, [`PAR_THRESHOLD`] for the rest) | half the work must be several times the cost of waking a thread; fixed chunks of `PAR_CHUNK`, so the split never changes a result |
//! | tiled broadcast row ([`tiled_row_broadcast`], binary) | one operand contiguous, the other one row repeated (strides `[0, .., 0, 1]`: a bias add), `len ≤ 256` | one kernel call per row would be one per 10 elements in the tutorial's layers; runs over a tile of repeated rows are hundreds long |
//! | short rows gathered (binary) | `len <` [`SHORT_ROW`] | a kernel call per row would cost more than the row: both operands copied to contiguous buffers, one call |
//! | a run per row | each row of each operand a slice (stride 1) or (binary) a broadcast value (stride 0) | one kernel call per row |
//! | the plain strided loop | any other stride | element by element, the scalar definition |

use rayon::prelude::*;

use super::{copy_strided, map, zip, Rows, Whole, PAR_CHUNK, PAR_THRESHOLD, PAR_THRESHOLD_CHEAP};
use crate::cpu::simd::{self, Operand, SimdFloat};
use crate::dtype::Element;
use crate::layout::Layout;
use crate::ops::{self, BinaryKernel, BinaryOp, UnaryOp};

/// The parallel threshold of a unary op: cheap ones need more elements to pay for the threads.
fn unary_threshold(op: UnaryOp) -> usize {
    match op {
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Relu | UnaryOp::Clamp(..) | UnaryOp::Affine(..) | UnaryOp::Sign => {
            PAR_THRESHOLD_CHEAP
        }
        _ => PAR_THRESHOLD,
    }
}

/// The parallel threshold of a binary kernel.
fn binary_threshold(op: BinaryKernel) -> usize {
    match op {
        BinaryKernel::Op(BinaryOp::Pow | BinaryOp::BceWithLogits) => PAR_THRESHOLD,
        _ => PAR_THRESHOLD_CHEAP,
    }
}

/// `out[i] = op(x[i])` for a float tensor: contiguous runs (the whole tensor, or each row of a view whose last
/// dimension has stride 1) go to the SIMD kernels of [`crate::cpu::simd`]; other views take the plain strided
/// loop with the scalar definition.
pub(crate) fn unary_float<T: SimdFloat + Element>(op: UnaryOp, x: &[T], layout: &Layout) -> Vec<T> {
    let isa = simd::active();
    let rows = Rows::of(layout);
    if layout.contiguous_range().is_none() && rows.stride != 1 {
        return map(x, layout, |v| ops::unary(op, v));
    }
    // Every path below writes every element (the cached buffer's old values are never read).
    let mut out = T::take_buffer(layout.numel());
    if let Some(range) = layout.contiguous_range() {
        let x = &x[range];
        if x.len() >= unary_threshold(op) {
            // Fixed chunks: each element is computed alone, so the split cannot change a result anyway.
            crate::cpu::parallel::install(|| {
                out.par_chunks_mut(PAR_CHUNK)
                    .zip(x.par_chunks(PAR_CHUNK))
                    .for_each(|(o, x)| T::unary_run(isa, op, x, o))
            });
        } else {
            T::unary_run(isa, op, x, &mut out);
        }
        return out;
    }
    if rows.len == 0 {
        return out;
    }
    // A run per row.
    for (start, o) in rows.outer.offsets().zip(out.chunks_exact_mut(rows.len)) {
        T::unary_run(isa, op, &x[start..start + rows.len], o);
    }
    out
}

/// The run of `len` elements of a row starting at `start` with stride `stride`, as a kernel operand: a slice
/// (stride 1) or a broadcast scalar (stride 0); `None` for other strides.
fn operand<T: Copy>(x: &[T], start: usize, len: usize, stride: usize) -> Option<Operand<'_, T>> {
    match stride {
        1 => Some(Operand::Slice(&x[start..start + len])),
        0 => Some(Operand::Scalar(x[start])),
        _ => None,
    }
}

/// `out[i] = op(lhs[i], rhs[i])` for float tensors of the same shape, by the first path of the module's table
/// that fits.
pub(crate) fn binary_float<T: SimdFloat + Element>(
    op: BinaryKernel,
    l: &[T],
    ll: &Layout,
    r: &[T],
    rl: &Layout,
) -> Vec<T> {
    debug_assert_eq!(ll.shape(), rl.shape());
    let isa = simd::active();
    let n = ll.numel();
    // Every path below writes every element (the cached buffer's old values are never read).
    let mut out = T::take_buffer(n);
    if let (Some(lw), Some(rw)) = (Whole::of(ll), Whole::of(rl)) {
        if n >= binary_threshold(op) {
            crate::cpu::parallel::install(|| {
                out.par_chunks_mut(PAR_CHUNK).enumerate().for_each(|(c, o)| {
                    let at = c * PAR_CHUNK;
                    let (lo, ro) = (lw.operand(l, at, o.len()), rw.operand(r, at, o.len()));
                    T::binary_run(isa, op, lo, ro, o)
                })
            });
        } else {
            T::binary_run(isa, op, lw.operand(l, 0, n), rw.operand(r, 0, n), &mut out);
        }
        return out;
    }
    let (lrows, rrows) = (Rows::of(ll), Rows::of(rl));
    let len = lrows.len;
    if len == 0 {
        return out;
    }
    if let Some(()) = tiled_row_broadcast(isa, op, l, ll, r, rl, &mut out) {
        return out;
    }
    if len < SHORT_ROW {
        // Short rows (e.g. `[800, 4] - [800, 1]` in a log-softmax backward): gather both operands into contiguous
        // buffers and make one call.
        let (lc, rc) = (copy_strided(l, ll), copy_strided(r, rl));
        T::binary_run(isa, op, Operand::Slice(&lc), Operand::Slice(&rc), &mut out);
        T::give_buffer(lc);
        T::give_buffer(rc);
        return out;
    }
    let runs = |stride: usize| stride <= 1;
    if !(runs(lrows.stride) && runs(rrows.stride)) {
        T::give_buffer(out);
        return zip(l, ll, r, rl, |a, b| ops::binary_kernel(op, a, b));
    }
    // A run per row.
    for ((ls, rs), o) in lrows.outer.offsets().zip(rrows.outer.offsets()).zip(out.chunks_exact_mut(len)) {
        match (operand(l, ls, len, lrows.stride), operand(r, rs, len, rrows.stride)) {
            (Some(lo), Some(ro)) => T::binary_run(isa, op, lo, ro, o),
            _ => unreachable!("strides 0 and 1 checked above"),
        }
    }
    out
}

/// Below this row length, [`binary_float`] copies its operands to contiguous buffers and makes one kernel call
/// instead of one per row.
const SHORT_ROW: usize = 16;

/// Rows per tile of [`tiled_row_broadcast`]: enough that one SIMD call covers a few hundred elements.
const TILE_ELEMS: usize = 512;

/// The path of [`binary_float`] for the shape of a bias add, `x[n, len] + b[len]`: one operand contiguous, the other the same row
/// repeated (strides `[0, .., 0, 1]`). Calling the kernel once per row costs a call per 10 elements in the
/// tutorial's layers, so the row is tiled into a buffer of whole rows and the kernel runs over runs of
/// `TILE_ELEMS / len` rows at a time. Results are identical: each element still meets its own row entry.
fn tiled_row_broadcast<T: SimdFloat + Element>(
    isa: simd::Isa,
    op: BinaryKernel,
    l: &[T],
    ll: &Layout,
    r: &[T],
    rl: &Layout,
    out: &mut [T],
) -> Option<()> {
    let is_row = |layout: &Layout| {
        let rank = layout.rank();
        rank >= 2 && layout.strides()[rank - 1] == 1 && layout.strides()[..rank - 1].iter().all(|&s| s == 0)
    };
    let len = *ll.shape().last()?;
    if len == 0 || len > TILE_ELEMS / 2 {
        return None;
    }
    let (row_on_right, full, row) = match (ll.contiguous_range(), rl.contiguous_range()) {
        (Some(range), None) if is_row(rl) => (true, &l[range], &r[rl.offset()..rl.offset() + len]),
        (None, Some(range)) if is_row(ll) => (false, &r[range], &l[ll.offset()..ll.offset() + len]),
        _ => return None,
    };
    let rows_per_tile = TILE_ELEMS / len;
    // The tile is built by doubling (row, 2 rows, 4 rows, ...): a few long copies instead of one per row.
    let mut tile = T::take_buffer(rows_per_tile * len);
    tile[..len].copy_from_slice(row);
    let mut filled = len;
    while filled < tile.len() {
        let n = filled.min(tile.len() - filled);
        tile.copy_within(..n, filled);
        filled += n;
    }
    for (x, o) in full.chunks(rows_per_tile * len).zip(out.chunks_mut(rows_per_tile * len)) {
        let t = Operand::Slice(&tile[..x.len()]);
        let x = Operand::Slice(x);
        if row_on_right {
            T::binary_run(isa, op, x, t, o);
        } else {
            T::binary_run(isa, op, t, x, o);
        }
    }
    T::give_buffer(tile);
    Some(())
}
