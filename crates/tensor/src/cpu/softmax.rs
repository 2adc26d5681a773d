//! Softmax and log-softmax along one axis ([`SoftmaxOp`]), stable by max subtraction. The scalar definitions,
//! the oracle of these kernels, are [`ops::softmax`] and [`ops::log_softmax`]; the GPU twin is
//! `shaders/softmax.wgsl`.
//!
//! As the reductions of `reduce.rs`, the axis is moved last ([`ops::axis_last`]), so each output row is one input
//! row. Contiguous rows are normalised in blocks of whole rows (the exponentials of many short rows in one SIMD
//! call); any other view is gathered row by row into a buffer and goes through the same row kernel.

use rayon::prelude::*;

use super::elementwise::Rows;
use super::reduce::PAR_THRESHOLD;
use super::simd::{self, Isa, SimdFloat};
use crate::dtype::Element;
use crate::layout::Layout;
use crate::ops::{self, SoftmaxOp, UnaryOp};

/// Softmax or log-softmax (`op`) along `axis`, stable by max subtraction:
/// `softmax(x)_j = e^(x_j - m) / Σ_i e^(x_i - m)`, `log_softmax(x)_j = x_j - m - ln Σ_i e^(x_i - m)`, `m = max x`.
///
/// A row of `-∞` (an all-masked row) would give NaN through `-∞ - -∞`; the shift is 0 then, as in PyTorch.
pub(crate) fn softmax<T: SimdFloat + Element>(op: SoftmaxOp, x: &[T], layout: &Layout, axis: usize) -> Vec<T> {
    let n = layout.shape().get(axis).copied().unwrap_or(1);
    let mut out = vec![T::ZERO; layout.numel()];
    if n == 0 || out.is_empty() {
        return out;
    }
    let isa = simd::active();
    if let (Some(range), true) = (layout.contiguous_range(), axis + 1 == layout.rank()) {
        // Rows are contiguous: work on blocks of whole rows so that the exponentials of many short rows (the
        // tutorial's 800×4 logits) are one long SIMD call. Blocks have a fixed number of rows, so the split over
        // threads cannot change a result.
        let x = &x[range];
        let rows_per_block = (SOFTMAX_BLOCK / n).max(1);
        let block = |(xb, ob): (&[T], &mut [T])| softmax_rows(isa, op, xb, ob, n);
        if out.len() >= PAR_THRESHOLD && out.len() > rows_per_block * n {
            super::parallel::install(|| {
                x.par_chunks(rows_per_block * n).zip(out.par_chunks_mut(rows_per_block * n)).for_each(block)
            });
        } else {
            x.chunks(rows_per_block * n).zip(out.chunks_mut(rows_per_block * n)).for_each(block);
        }
        return out;
    }
    // Any other view: gather each row, then the same row kernel.
    let moved = ops::axis_last(layout, axis);
    let rows = Rows::of(&moved);
    let out_layout = ops::axis_last(&Layout::contiguous(layout.shape()), axis);
    let out_rows = Rows::of(&out_layout);
    let (mut row, mut row_out) = (vec![T::ZERO; n], vec![T::ZERO; n]);
    for (s, o) in rows.outer.offsets().zip(out_rows.outer.offsets()) {
        for (j, r) in row.iter_mut().enumerate() {
            *r = x[s + j * rows.stride];
        }
        softmax_rows(isa, op, &row, &mut row_out, n);
        for (j, &v) in row_out.iter().enumerate() {
            out[o + j * out_rows.stride] = v;
        }
    }
    out
}

/// Elements per block of rows in the contiguous softmax path (16 KiB of f32: the block and its temporary stay
/// in L1/L2).
const SOFTMAX_BLOCK: usize = 4096;

/// Softmax of consecutive rows of length `n`: `x` and `out` hold whole rows. Only the exponentials go through
/// the SIMD kernel, in one call for the block; the per-row steps are plain loops (rows are often 4–10 long, too
/// short for a kernel call each). Sums are [`simd::pairwise`], the same on every path.
fn softmax_rows<T: SimdFloat>(isa: Isa, op: SoftmaxOp, x: &[T], out: &mut [T], n: usize) {
    // 1. shifted = x - m per row, m = max of the row (0 for a row of -∞).
    let mut shifted = vec![T::ZERO; x.len()];
    for (xr, sr) in x.chunks_exact(n).zip(shifted.chunks_exact_mut(n)) {
        let mut m = xr[0];
        for &v in &xr[1..] {
            m = ops::maximum(m, v);
        }
        let shift = if m.is_infinite() && m < T::ZERO { T::ZERO } else { m };
        for (s, &v) in sr.iter_mut().zip(xr) {
            *s = v - shift;
        }
    }
    // 2. e^(x - m) for the whole block at once.
    T::unary_run(isa, UnaryOp::Exp, &shifted, out);
    // 3. per row: softmax = e^(x - m) / Σ e^(x - m), log_softmax = (x - m) - ln Σ e^(x - m).
    for (or, sr) in out.chunks_exact_mut(n).zip(shifted.chunks_exact(n)) {
        let total = simd::pairwise(or);
        match op {
            SoftmaxOp::Softmax => {
                for o in or.iter_mut() {
                    *o = *o / total;
                }
            }
            SoftmaxOp::LogSoftmax => {
                let lse = total.ln();
                for (o, &s) in or.iter_mut().zip(sr) {
                    *o = s - lse;
                }
            }
        }
    }
}
