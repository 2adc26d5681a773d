//! Launcher of `matmul.wgsl`: batched `[b, m, k] @ [b, k, n] -> [b, m, n]`.
//!
//! CPU twin: `cpu/matmul.rs`. Operands are passed with their strides (a transposed operand or a broadcast batch,
//! stride 0, is read in place). The tiled kernel computes 64 × 64 output tiles; skinny products, where a tile
//! would be mostly padding, go to the naive kernel (one invocation per output element):
//! `k <= 16` (800×2 · 2×10 in the tutorial) or fewer than 4096 outputs (10×800 · 800×10). Row-major operands
//! whose rows start at multiples of 4 go to the vec4 variant of the tiled kernel.

use super::params::{u32_of, MatmulParams};
use super::shaders::MATMUL;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::Layout;

/// Output tile of the tiled kernel (keep in sync with `BM`, `BN` in matmul.wgsl).
const TILE: usize = 64;

/// True when the naive kernel is the better choice for this shape.
fn skinny(b: usize, m: usize, k: usize, n: usize) -> bool {
    k <= 16 || b * m * n <= 4096 || b > 65535
}

/// True when `matmul_vec4_f32` can read both operands as aligned vec4s: row-major rows (column stride 1) and
/// k, n, the offsets and the batch and row strides all multiples of 4.
fn vec4_aligned(ll: &Layout, rl: &Layout) -> bool {
    let quad = |v: usize| v.is_multiple_of(4);
    let rows_ok = |l: &Layout| l.strides()[2] == 1 && quad(l.offset()) && quad(l.strides()[0]) && quad(l.strides()[1]);
    quad(ll.shape()[2]) && quad(rl.shape()[2]) && rows_ok(ll) && rows_ok(rl)
}

/// Batched matmul of two 3-D views.
pub(super) fn matmul(be: &WgpuBackend, lhs: &WgpuStorage, ll: &Layout, rhs: &WgpuStorage, rl: &Layout) -> WgpuStorage {
    let (b, m, k, n) = (ll.shape()[0], ll.shape()[1], ll.shape()[2], rl.shape()[2]);
    let out = be.alloc(b * m * n, DType::F32);
    if b * m * n == 0 {
        return out;
    }
    let p = MatmulParams {
        batch: u32_of("batch", b),
        m: u32_of("m", m),
        k: u32_of("k", k),
        n: u32_of("n", n),
        lhs_offset: u32_of("offset", ll.offset()),
        lhs_batch_stride: u32_of("stride", ll.strides()[0]),
        lhs_row_stride: u32_of("stride", ll.strides()[1]),
        lhs_col_stride: u32_of("stride", ll.strides()[2]),
        rhs_offset: u32_of("offset", rl.offset()),
        rhs_batch_stride: u32_of("stride", rl.strides()[0]),
        rhs_row_stride: u32_of("stride", rl.strides()[1]),
        rhs_col_stride: u32_of("stride", rl.strides()[2]),
    };
    let (entry, groups) = if skinny(b, m, k, n) {
        ("matmul_naive_f32", grid((b * m * n).div_ceil(256)))
    } else {
        let entry = if vec4_aligned(ll, rl) { "matmul_vec4_f32" } else { "matmul_f32" };
        (entry, (u32_of("tiles", n.div_ceil(TILE)), u32_of("tiles", m.div_ceil(TILE)), b as u32))
    };
    be.ctx().dispatch(
        &MATMUL,
        entry,
        &[(0, lhs.buffer()), (1, rhs.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        groups,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::vec4_aligned;
    use crate::layout::Layout;

    #[test]
    fn vec4_needs_row_major_rows_at_multiples_of_4() {
        let l = |shape: &[usize]| Layout::contiguous(shape);
        assert!(vec4_aligned(&l(&[1, 64, 20]), &l(&[1, 20, 68])));
        assert!(!vec4_aligned(&l(&[1, 64, 18]), &l(&[1, 18, 68]))); // k not a multiple of 4
        assert!(!vec4_aligned(&l(&[1, 64, 20]), &l(&[1, 20, 66]))); // n not a multiple of 4
        assert!(!vec4_aligned(&l(&[1, 20, 64]).transpose(1, 2), &l(&[1, 20, 68]))); // transposed lhs
        assert!(!vec4_aligned(&l(&[1, 64, 24]).narrow(2, 3, 20), &l(&[1, 20, 68]))); // offset 3
        assert!(vec4_aligned(&l(&[1, 64, 24]).narrow(2, 4, 20), &l(&[1, 20, 68])));
        // offset 4, row stride 24
    }
}
