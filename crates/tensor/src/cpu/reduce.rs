//! Reductions over one axis: sum, max, min, argmax, argmin (softmax, which walks rows the same way, is in
//! `softmax.rs`).
//!
//! The reduced axis is permuted to the end ([`ops::axis_last`]), so every output element is the reduction of one
//! *row* (a run with a fixed stride). Rows are reduced in a fixed order, so results do not depend on the thread
//! count.
//!
//! Sums of contiguous rows use the pairwise summation of [`simd::pairwise`] (the same bits on every SIMD path),
//! which keeps the rounding error of an n-element f32 sum at O(log n) ulps instead of O(n).

use rayon::prelude::*;

use super::elementwise::Rows;
use super::simd::{self, Isa, SimdFloat};
use crate::dtype::{Element, HostBuffer};
use crate::layout::Layout;
use crate::ops::{self, ReduceOp};

/// Reductions (and softmax, `softmax.rs`) below this many input elements stay on the calling thread. Chosen with the
/// element-wise thresholds and by the same reasoning (see `elementwise.rs`): split only when half the work is
/// several times the cost of a fork-join. The bench that chose those times row sums and softmax too; their cost
/// per element is of the order of a transcendental op's, so they share its threshold (the README's table of
/// measured figures has the per-element costs).
pub(super) const PAR_THRESHOLD: usize = 1 << 17;

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
    let moved = ops::axis_last(layout, axis);
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
    let moved = ops::axis_last(layout, axis);
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
