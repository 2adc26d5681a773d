//! Reductions over one axis (sum, max, min, argmax, argmin) and softmax / log-softmax.
//!
//! Both families use one trick: permute the reduced axis to the end, so every output element is the reduction of
//! one *row* (a run with a fixed stride). The output offsets come from the contiguous output layout permuted the
//! same way. Rows are reduced in a fixed order, so results do not depend on the thread count.
//!
//! Sums of contiguous rows use pairwise summation over blocks of 8 partial sums (as NumPy), which keeps the
//! rounding error of an n-element f32 sum at O(log n) ulps instead of O(n).

use rayon::prelude::*;

use super::elementwise::Rows;
use crate::dtype::{Element, HostBuffer};
use crate::layout::Layout;
use crate::ops::{self, Float, ReduceOp};

/// Rows below this many elements in total stay on the calling thread.
const PAR_THRESHOLD: usize = 1 << 16;

/// The layout with `axis` moved last.
fn axis_last(layout: &Layout, axis: usize) -> Layout {
    let mut perm: Vec<usize> = (0..layout.rank()).filter(|&d| d != axis).collect();
    perm.push(axis);
    layout.permute(&perm)
}

/// Pairwise sum of `n` elements starting at `x[start]` with stride `stride`.
#[inline]
pub(crate) fn sum_row<T: Float>(x: &[T], start: usize, n: usize, stride: usize) -> T {
    if stride == 1 {
        return pairwise(&x[start..start + n]);
    }
    let mut acc = T::ZERO;
    for j in 0..n {
        acc = acc + x[start + j * stride];
    }
    acc
}

/// Pairwise summation: blocks of up to 128 elements are summed with 8 interleaved accumulators, larger slices are
/// split in halves (NumPy's `pairwise_sum`).
pub(crate) fn pairwise<T: Float>(x: &[T]) -> T {
    let n = x.len();
    if n < 8 {
        let mut acc = T::ZERO;
        for &v in x {
            acc = acc + v;
        }
        acc
    } else if n <= 128 {
        let mut r = [T::ZERO; 8];
        r.copy_from_slice(&x[..8]);
        let mut i = 8;
        while i + 8 <= n {
            for k in 0..8 {
                r[k] = r[k] + x[i + k];
            }
            i += 8;
        }
        let mut acc = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            acc = acc + x[i];
            i += 1;
        }
        acc
    } else {
        let half = (n / 2) & !7;
        pairwise(&x[..half]) + pairwise(&x[half..])
    }
}

/// Reduces one row with `op`, returning (value, index) — the index is meaningful for arg ops only.
#[inline]
fn reduce_row<T: Float>(op: ReduceOp, x: &[T], start: usize, n: usize, stride: usize) -> (T, usize) {
    match op {
        ReduceOp::Sum => (sum_row(x, start, n, stride), 0),
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
pub(crate) fn reduce_float<T: Float + Element>(op: ReduceOp, x: &[T], layout: &Layout, axis: usize) -> HostBuffer {
    let moved = axis_last(layout, axis);
    let rows = Rows::of(&moved);
    let out_len = rows.outer.numel();
    // Fast path for a column reduction of a contiguous tensor (e.g. summing a bias gradient over the batch):
    // accumulate whole rows of the inner block, which is vectorisable and cache-friendly.
    if op == ReduceOp::Sum && layout.is_contiguous() && axis + 1 < layout.rank() && layout.shape()[axis] > 0 {
        let base = &x[layout.offset()..layout.offset() + layout.numel()];
        let outer: usize = layout.shape()[..axis].iter().product();
        let (n, inner) = (layout.shape()[axis], layout.shape()[axis + 1..].iter().product::<usize>());
        let mut out = vec![T::ZERO; outer * inner];
        for o in 0..outer {
            let acc = &mut out[o * inner..(o + 1) * inner];
            let block = &base[o * n * inner..(o + 1) * n * inner];
            for k in 0..n {
                for (a, &v) in acc.iter_mut().zip(&block[k * inner..(k + 1) * inner]) {
                    *a = *a + v;
                }
            }
        }
        return T::into_host(out);
    }
    let starts: Vec<usize> = rows.outer.offsets().collect();
    let n = rows.len;
    let run = |start: usize| reduce_row(op, x, start, n, rows.stride);
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
pub(crate) fn softmax<T: Float + Element>(x: &[T], layout: &Layout, axis: usize, log: bool) -> Vec<T> {
    let moved = axis_last(layout, axis);
    let rows = Rows::of(&moved);
    let out_layout = axis_last(&Layout::contiguous(layout.shape()), axis);
    let out_rows = Rows::of(&out_layout);
    let n = rows.len;
    let mut out = vec![T::ZERO; layout.numel()];
    if n == 0 {
        return out;
    }
    let mut exps = vec![T::ZERO; n];
    for (s, o) in rows.outer.offsets().zip(out_rows.outer.offsets()) {
        let get = |j: usize| x[s + j * rows.stride];
        let mut m = get(0);
        for j in 1..n {
            m = ops::maximum(m, get(j));
        }
        // A row of -inf (or an all-masked row) would give NaN via -inf - -inf; use 0 as the shift then.
        let shift = if m.is_infinite() && m < T::ZERO { T::ZERO } else { m };
        for j in 0..n {
            exps[j] = (get(j) - shift).exp();
        }
        let total = pairwise(&exps);
        if log {
            let lse = total.ln();
            for j in 0..n {
                out[o + j * out_rows.stride] = get(j) - shift - lse;
            }
        } else {
            for j in 0..n {
                out[o + j * out_rows.stride] = exps[j] / total;
            }
        }
    }
    out
}
