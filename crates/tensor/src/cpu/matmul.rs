//! Batched matrix multiplication on the CPU: `[b, m, k] @ [b, k, n] -> [b, m, n]`.
//!
//! Each batch element is one call of the GEMM in `gemm/` with strided views of the operands (transposed or
//! broadcast operands are never copied here; the GEMM's packing reads them with their strides).

use super::gemm::{self, MatRef};
use crate::dtype::HostBuffer;
use crate::layout::Layout;
use crate::ops;

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

/// `x · w + b` for a 2-D `x` `[m, k]`, a 2-D `w` `[k, n]` (any strides) and a contiguous bias row `b` `[n]`,
/// fused: the GEMM's sums start from the bias (see [`gemm::gemm_bias_f32`]); with `relu`, the epilogue
/// `max(·, 0)` ([`ops::relu`]) then runs over the finished output while it is still in cache. `None` when the
/// fusion would change the bits, and the caller runs the ops one by one instead.
pub(crate) fn linear(
    x: &HostBuffer,
    xl: &Layout,
    w: &HostBuffer,
    wl: &Layout,
    b: &HostBuffer,
    bl: &Layout,
    relu: bool,
) -> Option<HostBuffer> {
    let (m, k, n) = (xl.shape()[0], xl.shape()[1], wl.shape()[1]);
    let bias = bl.contiguous_range()?;
    macro_rules! run {
        ($x:expr, $w:expr, $b:expr, $t:ty, $gemm:path) => {{
            // Every element is written when the fused product runs (and the buffer is dropped when it does not).
            let mut out = <$t as crate::dtype::Element>::take_buffer(m * n);
            let fused = $gemm(
                MatRef { data: $x, offset: xl.offset(), rows: m, cols: k, rs: xl.strides()[0], cs: xl.strides()[1] },
                MatRef { data: $w, offset: wl.offset(), rows: k, cols: n, rs: wl.strides()[0], cs: wl.strides()[1] },
                &$b[bias],
                &mut out,
            );
            if fused && relu {
                // The epilogue: exactly the `Relu` unary op, element by element (a select, so no rounding).
                out.iter_mut().for_each(|v| *v = ops::relu(*v));
            }
            fused.then(|| out.into())
        }};
    }
    match (x, w, b) {
        (HostBuffer::F32(x), HostBuffer::F32(w), HostBuffer::F32(b)) => run!(x, w, b, f32, gemm::gemm_bias_f32),
        (HostBuffer::F64(x), HostBuffer::F64(w), HostBuffer::F64(b)) => run!(x, w, b, f64, gemm::gemm_bias_f64),
        _ => None,
    }
}
