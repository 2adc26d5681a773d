//! Reductions over one axis (sum, max, min, argmax, argmin) and softmax / log-softmax.
//!
//! Both families use one trick: permute the reduced axis to the end, so every output element is the reduction of
//! one *row* (a run with a fixed stride). The output offsets come from the contiguous output layout permuted the
//! same way. Rows are reduced in a fixed order, so results do not depend on the thread count.
//!
//! Sums of contiguous rows use the pairwise summation of [`simd::pairwise`] (the same bits on every SIMD path),
//! which keeps the rounding error of an n-element f32 sum at O(log n) ulps instead of O(n).

use rayon::prelude::*;

use super::elementwise::Rows;
use super::simd::{self, Isa, SimdFloat};
use crate::dtype::{Element, HostBuffer};
use crate::layout::Layout;
use crate::ops::{self, ReduceOp, UnaryOp};

/// Reductions and softmax below this many input elements stay on the calling thread. Chosen with the
/// element-wise thresholds and by the same reasoning (see `elementwise.rs`): split only when half the work is
/// several times the cost of a fork-join. The bench that chose those times row sums and softmax too; their cost
/// per element is of the order of a transcendental op's, so they share its threshold (the README's table of
/// measured figures has the per-element costs).
const PAR_THRESHOLD: usize = 1 << 17;

/// The layout with `axis` moved last.
fn axis_last(layout: &Layout, axis: usize) -> Layout {
    let mut perm: Vec<usize> = (0..layout.rank()).filter(|&d| d != axis).collect();
    perm.push(axis);
    layout.permute(&perm)
}

/// Reduces one row with `op`, returning (value, index) — the index is meaningful for arg ops only.
/// Contiguous rows of `Sum`, `Max` and `Min` go to the SIMD kernels; the arg ops and strided rows are scalar.
#[inline]
fn reduce_row<T: SimdFloat>(isa: Isa, op: ReduceOp, x: &[T], start: usize, n: usize, stride: usize) -> (T, usize) {
    match op {
        ReduceOp::Sum if stride == 1 => (T::sum_run(isa, &x[start..start + n]), 0),
        ReduceOp::Sum => {
            let mut acc = T::ZERO;
            for j in 0..n {
                acc = acc + x[start + j * stride];
            }
            (acc, 0)
        }
        ReduceOp::Max | ReduceOp::Min if stride == 1 => {
            (T::max_min_run(isa, &x[start..start + n], op == ReduceOp::Max), 0)
        }
        ReduceOp::Max | ReduceOp::ArgMax => {
            let (mut best, mut at) = (x[start], 0);
            for j in 1..n {
                let v = x[start + j * stride];
                // NaN wins and sticks, as in PyTorch.
                if !best.is_nan() && (v > best || v.is_nan()) {
                    best = v;
                    at = j;
                }
            }
            (best, at)
        }
        ReduceOp::Min | ReduceOp::ArgMin => {
            let (mut best, mut at) = (x[start], 0);
            for j in 1..n {
                let v = x[start + j * stride];
                if !best.is_nan() && (v < best || v.is_nan()) {
                    best = v;
                    at = j;
                }
            }
            (best, at)
        }
    }
}

/// Reduces `axis` of a float view.
pub(crate) fn reduce_float<T: SimdFloat + Element>(op: ReduceOp, x: &[T], layout: &Layout, axis: usize) -> HostBuffer {
    // Fast path for a column reduction of a contiguous tensor (e.g. summing a bias gradient over the batch):
    // accumulate whole rows of the inner block, which is vectorisable and cache-friendly.
    if op == ReduceOp::Sum && layout.is_contiguous() && axis + 1 < layout.rank() && layout.shape()[axis] > 0 {
        let base = &x[layout.offset()..layout.offset() + layout.numel()];
        let outer: usize = layout.shape()[..axis].iter().product();
        let (n, inner) = (layout.shape()[axis], layout.shape()[axis + 1..].iter().product::<usize>());
        // Rows are accumulated in order (row 0, then row 1, ...). This order keeps the replays of the tutorial
        // within 1e-5 of PyTorch: a reordering (summing groups of rows first was tried) changes the last bits of
        // the bias gradients, which Adam amplifies into visible differences within a hundred epochs.
        // `col_sums_run` writes all `inner` sums of each block, so a cached buffer will do.
        let mut out = T::take_buffer(outer * inner);
        let isa = simd::active();
        for o in (0..outer).filter(|_| inner > 0) {
            let block = &base[o * n * inner..(o + 1) * n * inner];
            T::col_sums_run(isa, block, inner, &mut out[o * inner..(o + 1) * inner]);
        }
        return T::into_host(out);
    }
    let moved = axis_last(layout, axis);
    let rows = Rows::of(&moved);
    let out_len = rows.outer.numel();
    let starts: Vec<usize> = rows.outer.offsets().collect();
    let n = rows.len;
    let isa = simd::active();
    let run = |start: usize| reduce_row(isa, op, x, start, n, rows.stride);
    let results: Vec<(T, usize)> = if out_len * n >= PAR_THRESHOLD && out_len > 1 {
        super::parallel::install(|| starts.par_iter().map(|&s| run(s)).collect())
    } else if n == 0 {
        vec![(T::ZERO, 0); out_len]
    } else {
        starts.iter().map(|&s| run(s)).collect()
    };
    if op.is_arg() {
        HostBuffer::I64(results.into_iter().map(|(_, i)| i as i64).collect())
    } else {
        T::into_host(results.into_iter().map(|(v, _)| v).collect())
    }
}

/// Reduces `axis` of an int64 view.
pub(crate) fn reduce_i64(op: ReduceOp, x: &[i64], layout: &Layout, axis: usize) -> HostBuffer {
    let moved = axis_last(layout, axis);
    let rows = Rows::of(&moved);
    let n = rows.len;
    let out: Vec<i64> = rows
        .outer
        .offsets()
        .map(|s| {
            let row = (0..n).map(|j| x[s + j * rows.stride]);
            match op {
                ReduceOp::Sum => row.fold(0i64, |a, b| a.wrapping_add(b)),
                ReduceOp::Max => row.max().unwrap_or(0),
                ReduceOp::Min => row.min().unwrap_or(0),
                // First index of the extreme value.
                ReduceOp::ArgMax => {
                    row.enumerate()
                        .fold((0usize, i64::MIN), |(bi, bv), (i, v)| if v > bv { (i, v) } else { (bi, bv) })
                        .0 as i64
                }
                ReduceOp::ArgMin => {
                    row.enumerate()
                        .fold((0usize, i64::MAX), |(bi, bv), (i, v)| if v < bv { (i, v) } else { (bi, bv) })
                        .0 as i64
                }
            }
        })
        .collect();
    HostBuffer::I64(out)
}

/// Softmax or log-softmax along `axis`, stable by max subtraction:
/// `softmax(x)_j = e^(x_j - m) / Σ_i e^(x_i - m)`, `log_softmax(x)_j = x_j - m - ln Σ_i e^(x_i - m)`, `m = max x`.
///
/// A row of `-∞` (an all-masked row) would give NaN through `-∞ - -∞`; the shift is 0 then, as in PyTorch.
pub(crate) fn softmax<T: SimdFloat + Element>(x: &[T], layout: &Layout, axis: usize, log: bool) -> Vec<T> {
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
        let block = |(xb, ob): (&[T], &mut [T])| softmax_rows(isa, xb, ob, n, log);
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
    let moved = axis_last(layout, axis);
    let rows = Rows::of(&moved);
    let out_layout = axis_last(&Layout::contiguous(layout.shape()), axis);
    let out_rows = Rows::of(&out_layout);
    let (mut row, mut row_out) = (vec![T::ZERO; n], vec![T::ZERO; n]);
    for (s, o) in rows.outer.offsets().zip(out_rows.outer.offsets()) {
        for (j, r) in row.iter_mut().enumerate() {
            *r = x[s + j * rows.stride];
        }
        softmax_rows(isa, &row, &mut row_out, n, log);
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
fn softmax_rows<T: SimdFloat>(isa: Isa, x: &[T], out: &mut [T], n: usize, log: bool) {
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
        if log {
            let lse = total.ln();
            for (o, &s) in or.iter_mut().zip(sr) {
                *o = s - lse;
            }
        } else {
            for o in or.iter_mut() {
                *o = *o / total;
            }
        }
    }
}
