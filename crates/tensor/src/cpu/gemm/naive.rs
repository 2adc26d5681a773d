//! The reference matmul: the straightforward triple loop over strided views, the definition every faster path
//! is measured against. Each output is one dot product, summed in increasing `p` with one rounding per
//! operation:
//!
//! ```text
//! for i in 0..m:
//!   for j in 0..n:
//!     out[i, j] (+)= Σ_p lhs[i, p] · rhs[p, j]
//! ```
//!
//! It reads `rhs` down a column for every output (a stride of `n` elements per step), which is what the packed
//! path of `blis.rs` exists to avoid. The tests compare every path and every instruction set with it, and the
//! benchmarks time it as the yardstick; the dispatcher never calls it.

use super::{check_shapes, MatRef};
use std::ops::{Add, Mul};

/// `out[i, j] (+)= Σ_p lhs[i, p] · rhs[p, j]`, summed in increasing `p` from `T::default()` (zero), one
/// rounding per operation; `accumulate == false` overwrites `out`.
///
/// # Panics
/// As [`gemm_f32`](super::gemm_f32).
#[track_caller]
pub fn gemm_naive<T>(lhs: MatRef<T>, rhs: MatRef<T>, out: &mut [T], accumulate: bool)
where
    T: Copy + Default + Add<Output = T> + Mul<Output = T>,
{
    check_shapes(&lhs, &rhs, out.len());
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    for i in 0..m {
        for j in 0..n {
            let mut acc = T::default();
            for p in 0..k {
                acc = acc + lhs.data[lhs.idx(i, p)] * rhs.data[rhs.idx(p, j)];
            }
            let o = &mut out[i * n + j];
            *o = if accumulate { *o + acc } else { acc };
        }
    }
}
