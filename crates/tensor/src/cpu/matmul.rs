//! Batched matrix multiplication on the CPU: `[b, m, k] @ [b, k, n] -> [b, m, n]`.
//!
//! Each batch element is one call of the GEMM in `gemm/` with strided views of the operands (transposed or
//! broadcast operands are never copied here; the GEMM's packing reads them with their strides).

use super::gemm::{self, MatRef};
use crate::dtype::HostBuffer;
use crate::layout::Layout;

/// Batched matmul of two 3-D views.
pub(crate) fn matmul(lhs: &HostBuffer, ll: &Layout, rhs: &HostBuffer, rl: &Layout) -> HostBuffer {
    let (b, m, k, n) = (ll.shape()[0], ll.shape()[1], ll.shape()[2], rl.shape()[2]);
    let view = |l: &Layout, i: usize, rows: usize, cols: usize| {
        (l.offset() + i * l.strides()[0], rows, cols, l.strides()[1], l.strides()[2])
    };
    macro_rules! run {
        ($l:expr, $r:expr, $t:ty, $gemm:path) => {{
            // The GEMM writes every element of each batch (zeros when k = 0), so a cached buffer will do.
            let mut out = <$t as crate::dtype::Element>::take_buffer(b * m * n);
            for i in 0..b {
                let (lo, lr, lc, lrs, lcs) = view(ll, i, m, k);
                let (ro, rr, rc, rrs, rcs) = view(rl, i, k, n);
                $gemm(
                    MatRef { data: $l, offset: lo, rows: lr, cols: lc, rs: lrs, cs: lcs },
                    MatRef { data: $r, offset: ro, rows: rr, cols: rc, rs: rrs, cs: rcs },
                    &mut out[i * m * n..(i + 1) * m * n],
                    false,
                );
            }
            out.into()
        }};
    }
    match (lhs, rhs) {
        (HostBuffer::F32(l), HostBuffer::F32(r)) => run!(l, r, f32, gemm::gemm_f32),
        (HostBuffer::F64(l), HostBuffer::F64(r)) => run!(l, r, f64, gemm::gemm_f64),
        _ => unreachable!("matmul: operands checked to share a dtype"),
    }
}
