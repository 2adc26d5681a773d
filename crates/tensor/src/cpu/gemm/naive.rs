//! The reference matmul: a plain triple loop over strided views, always compiled. It is the oracle of the
//! tests and the yardstick of the benchmarks; nothing else calls it.

use super::{check_shapes, Element, MatRef};

/// `out[i, j] (+)= Σ_p lhs[i, p] · rhs[p, j]`, summed in increasing `p`, one rounding per operation.
///
/// # Panics
/// As [`super::gemm_f32`].
#[track_caller]
pub fn gemm_naive<T: Element>(lhs: MatRef<T>, rhs: MatRef<T>, out: &mut [T], accumulate: bool) {
    check_shapes(&lhs, &rhs, out.len());
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    for i in 0..m {
        for j in 0..n {
            let mut acc = T::ZERO;
            for p in 0..k {
                acc = acc + lhs.data[lhs.idx(i, p)] * rhs.data[rhs.idx(p, j)];
            }
            let o = &mut out[i * n + j];
            *o = if accumulate { *o + acc } else { acc };
        }
    }
}
