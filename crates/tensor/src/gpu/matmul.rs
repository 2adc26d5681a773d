//! Launcher of `matmul.wgsl`: batched `[b, m, k] @ [b, k, n] -> [b, m, n]`.
//!
//! CPU twin: `cpu/matmul.rs`. Operands are passed with their strides (a transposed operand or a broadcast batch,
//! stride 0, is read in place). [`matmul_kernel`] picks one of the shader's kernels per product:
//! skinny products, where a tile would be mostly padding, go to the naive kernel (one invocation per output
//! element): `k <= 16` (800×2 · 2×10 in the tutorial) or fewer than 4096 outputs (10×800 · 800×10); products with
//! at least [`BIG_MIN_TILES`] tiles of 128 × 128 go to the big-tile kernels, the rest to the 64 × 64 ones.
//! Row-major operands whose rows start at multiples of 4 go to the vec4 variants.

use super::params::{u32_of, MatmulParams};
use super::shaders::MATMUL;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::Layout;

/// Output tile of `matmul_f32` and `matmul_vec4_f32` (keep in sync with `BM`, `BN` in matmul.wgsl).
const TILE: usize = 64;
/// Output tile of the big kernels (`BIG` in matmul.wgsl).
const BIG_TILE: usize = 128;
/// The big kernels are used from this many 128 × 128 output tiles on (over all batches). A big tile does four
/// times the work of a small one with twice the arithmetic per workgroup-memory read, so it wins once there are
/// enough of them to keep every multiprocessor busy: measured on an H100 (132 multiprocessors), 1024² (64 big
/// tiles) runs faster on 64 × 64 tiles and 2048² (256 big tiles) on 128 × 128 tiles.
pub const BIG_MIN_TILES: usize = 128;

/// The kernels of `matmul.wgsl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatmulKernel {
    /// `matmul_naive_f32`: one invocation per output element.
    Naive,
    /// `matmul_f32`: 64 × 64 tiles, strided operands.
    Tiled,
    /// `matmul_vec4_f32`: 64 × 64 tiles, vec4 reads of aligned row-major operands.
    TiledVec4,
    /// `matmul_big_f32`: 128 × 128 tiles, strided operands.
    Big,
    /// `matmul_big_vec4_f32`: 128 × 128 tiles, vec4 reads of aligned row-major operands.
    BigVec4,
}

impl MatmulKernel {
    /// The WGSL entry point.
    pub fn entry(self) -> &'static str {
        match self {
            MatmulKernel::Naive => "matmul_naive_f32",
            MatmulKernel::Tiled => "matmul_f32",
            MatmulKernel::TiledVec4 => "matmul_vec4_f32",
            MatmulKernel::Big => "matmul_big_f32",
            MatmulKernel::BigVec4 => "matmul_big_vec4_f32",
        }
    }

    /// The output tile side (0 for the naive kernel).
    fn tile(self) -> usize {
        match self {
            MatmulKernel::Naive => 0,
            MatmulKernel::Tiled | MatmulKernel::TiledVec4 => TILE,
            MatmulKernel::Big | MatmulKernel::BigVec4 => BIG_TILE,
        }
    }
}

/// The kernel that computes `[b, m, k] @ [b, k, n]` (`vec4`: both operands are [`vec4_aligned`]). Public so that
/// tests can check which kernel a case exercises.
pub fn matmul_kernel(b: usize, m: usize, k: usize, n: usize, vec4: bool) -> MatmulKernel {
    if k <= 16 || b * m * n <= 4096 || b > 65535 {
        MatmulKernel::Naive
    } else if b * m.div_ceil(BIG_TILE) * n.div_ceil(BIG_TILE) >= BIG_MIN_TILES {
        if vec4 {
            MatmulKernel::BigVec4
        } else {
            MatmulKernel::Big
        }
    } else if vec4 {
        MatmulKernel::TiledVec4
    } else {
        MatmulKernel::Tiled
    }
}

/// True when the vec4 kernels can read both operands as aligned vec4s: row-major rows (column stride 1) and
/// k, n, the offsets and the batch and row strides all multiples of 4.
pub fn vec4_aligned(ll: &Layout, rl: &Layout) -> bool {
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
    let kernel = matmul_kernel(b, m, k, n, vec4_aligned(ll, rl));
    let groups = match kernel.tile() {
        0 => grid((b * m * n).div_ceil(256)),
        t => (u32_of("tiles", n.div_ceil(t)), u32_of("tiles", m.div_ceil(t)), b as u32),
    };
    be.ctx().dispatch(
        &MATMUL,
        kernel.entry(),
        &[(0, lhs.buffer()), (1, rhs.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        groups,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::{matmul_kernel, vec4_aligned, MatmulKernel};
    use crate::layout::Layout;

    #[test]
    fn kernel_choice_by_shape() {
        assert_eq!(matmul_kernel(1, 800, 2, 10, false), MatmulKernel::Naive); // k <= 16
        assert_eq!(matmul_kernel(1, 10, 800, 10, true), MatmulKernel::Naive); // 100 outputs
        assert_eq!(matmul_kernel(1, 1024, 1024, 1024, true), MatmulKernel::TiledVec4); // 64 big tiles
        assert_eq!(matmul_kernel(1, 1024, 1024, 1024, false), MatmulKernel::Tiled);
        assert_eq!(matmul_kernel(1, 2048, 2048, 2048, true), MatmulKernel::BigVec4); // 256 big tiles
        assert_eq!(matmul_kernel(1, 2048, 64, 1025, false), MatmulKernel::Big); // 16 * 9 = 144 big tiles
        assert_eq!(matmul_kernel(32, 129, 20, 129, false), MatmulKernel::Big); // 32 * 4 = 128 big tiles
        assert_eq!(matmul_kernel(31, 129, 20, 129, false), MatmulKernel::Tiled);
    }

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
