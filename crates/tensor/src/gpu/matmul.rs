//! Launchers of `matmul.wgsl` and `matmul_pipelined.wgsl`: batched `[b, m, k] @ [b, k, n] -> [b, m, n]`, and the
//! fused linear layer `x · w + b` (then optionally ReLU) through the kernels' epilogue.
//!
//! Public on purpose: benchmarks, `examples/gpu_kernels.rs` and the tests run one chosen kernel through
//! [`matmul_with`] / [`linear_with`] and [`MatmulConfig`]; [`Backend::matmul`](crate::Backend::matmul) picks one.
//!
//! CPU twin: `cpu/matmul.rs`. Operands are passed with their strides (a transposed operand or a broadcast batch,
//! stride 0, is read in place). Every kernel adds the `k` products of an output element in increasing `k`, one
//! fma each, from 0 — so whichever kernel runs, a product has the same bits, and the fused linear has exactly the
//! bits of `matmul`, then the `add` of the bias, then `relu`.
//!
//! Which kernel runs ([`MatmulConfig::pick`]), by the shape `b × (m × k) · (k × n)`:
//! * **naive** (`matmul_naive_f32`, one invocation per output element) for skinny products, where a tile would be
//!   mostly padding: `k <= 16` (the tutorial's `800×2 · 2×10`) or at most 4096 outputs (`10×800 · 800×10`);
//! * **pipelined 128 × 128** (`matmul_pipelined_128x128_k8_f32`) from [`P128_MIN_TILES`] tiles of 128 × 128 on
//!   (2048² has 256): the fast kernel — 8 × 8 outputs per invocation, the next k panel prefetched into registers
//!   while the current one is multiplied out of double-buffered workgroup memory;
//! * **pipelined 128 × 64** from [`P64_MIN_TILES`] tiles of 128 × 64 on (1024² has 128, only 64 of 128 × 128:
//!   half of a large GPU's multiprocessors would idle);
//! * **tiled 64 × 64** (`matmul_f32`, `matmul_vec4_f32`, 4 × 4 per invocation) for the rest, the mid-sized
//!   products whose 128-row tiles could not fill the GPU (`1024×512 · 512×512` of a blobs-large layer).
//!
//! The pipelined kernels read each operand as vec4 where its layout allows (`operand_mode`), in either
//! orientation (a row-major `x` and the transposed `Wᵀ` of a linear layer both qualify). The single-buffered
//! 128 × 128 kernels of `matmul.wgsl` (`Big`, `BigVec4`) are never picked (the pipelined ones do their work); they
//! stay selectable, with every other variant, through [`matmul_with`] so that one run of `examples/gpu_kernels.rs`
//! can time them all.

use super::params::{
    u32_of, MatmulParams, EPILOGUE_BIAS, EPILOGUE_BIAS_RELU, EPILOGUE_NONE, OPERAND_K_QUADS, OPERAND_MN_QUADS,
    OPERAND_STRIDED,
};
use super::shaders::{Shader, MATMUL, MATMUL_PIPELINED, MATMUL_PIPELINED_UNCHECKED};
use super::{WgpuBackend, WgpuStorage};
use crate::device::{Device, Storage};
use crate::dtype::DType;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// The pipelined 128 × 128 kernel is picked from this many 128 × 128 output tiles on (over all batches): enough
/// to give every multiprocessor of a large GPU (132 on an H100/H200) a tile, with few left idle in the last wave.
pub const P128_MIN_TILES: usize = 128;
/// The pipelined 128 × 64 kernel is picked from this many 128 × 64 tiles on (below [`P128_MIN_TILES`] tiles of
/// 128 × 128): about three quarters of such a GPU busy; fewer tiles go to the 64 × 64 kernel, which makes four
/// times as many workgroups of a product.
pub const P64_MIN_TILES: usize = 96;
/// Tile rows per band of the pipelined kernels' workgroup order (see `tile_of` in matmul_pipelined.wgsl).
pub const SWIZZLE: u32 = 8;

/// The kernels of `matmul.wgsl` and `matmul_pipelined.wgsl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatmulKernel {
    /// `matmul_naive_f32`: one invocation per output element.
    Naive,
    /// `matmul_f32`: 64 × 64 tiles, strided operands (the teaching kernel).
    Tiled,
    /// `matmul_vec4_f32`: 64 × 64 tiles, vec4 reads of aligned row-major operands.
    TiledVec4,
    /// `matmul_big_f32`: 128 × 128 tiles, single-buffered, strided operands.
    Big,
    /// `matmul_big_vec4_f32`: 128 × 128 tiles, single-buffered, vec4 reads of aligned row-major operands.
    BigVec4,
    /// `matmul_pipelined_128x128_k8_f32`: 128 × 128 tiles, k panels of 8, double-buffered.
    Pipelined128x128K8,
    /// `matmul_pipelined_128x128_k16_f32`: 128 × 128 tiles, k panels of 16.
    Pipelined128x128K16,
    /// `matmul_pipelined_128x64_k8_f32`: 128 × 64 tiles (128 invocations), k panels of 8.
    Pipelined128x64K8,
    /// `matmul_pipelined_128x64_k16_f32`: 128 × 64 tiles, k panels of 16.
    Pipelined128x64K16,
}

impl MatmulKernel {
    /// Every kernel, in the order of the module doc.
    pub const ALL: [MatmulKernel; 9] = [
        MatmulKernel::Naive,
        MatmulKernel::Tiled,
        MatmulKernel::TiledVec4,
        MatmulKernel::Big,
        MatmulKernel::BigVec4,
        MatmulKernel::Pipelined128x128K8,
        MatmulKernel::Pipelined128x128K16,
        MatmulKernel::Pipelined128x64K8,
        MatmulKernel::Pipelined128x64K16,
    ];

    /// The WGSL entry point.
    pub fn entry(self) -> &'static str {
        match self {
            MatmulKernel::Naive => "matmul_naive_f32",
            MatmulKernel::Tiled => "matmul_f32",
            MatmulKernel::TiledVec4 => "matmul_vec4_f32",
            MatmulKernel::Big => "matmul_big_f32",
            MatmulKernel::BigVec4 => "matmul_big_vec4_f32",
            MatmulKernel::Pipelined128x128K8 => "matmul_pipelined_128x128_k8_f32",
            MatmulKernel::Pipelined128x128K16 => "matmul_pipelined_128x128_k16_f32",
            MatmulKernel::Pipelined128x64K8 => "matmul_pipelined_128x64_k8_f32",
            MatmulKernel::Pipelined128x64K16 => "matmul_pipelined_128x64_k16_f32",
        }
    }

    /// The output tile (rows, columns) of a workgroup; `None` for the naive kernel.
    pub fn tile(self) -> Option<(usize, usize)> {
        match self {
            MatmulKernel::Naive => None,
            MatmulKernel::Tiled | MatmulKernel::TiledVec4 => Some((64, 64)),
            MatmulKernel::Big
            | MatmulKernel::BigVec4
            | MatmulKernel::Pipelined128x128K8
            | MatmulKernel::Pipelined128x128K16 => Some((128, 128)),
            MatmulKernel::Pipelined128x64K8 | MatmulKernel::Pipelined128x64K16 => Some((128, 64)),
        }
    }

    /// True for the kernels of `matmul_pipelined.wgsl`.
    pub fn is_pipelined(self) -> bool {
        matches!(
            self,
            MatmulKernel::Pipelined128x128K8
                | MatmulKernel::Pipelined128x128K16
                | MatmulKernel::Pipelined128x64K8
                | MatmulKernel::Pipelined128x64K16
        )
    }

    /// True for the kernels that need both operands `vec4_aligned`.
    pub fn needs_vec4(self) -> bool {
        matches!(self, MatmulKernel::TiledVec4 | MatmulKernel::BigVec4)
    }
}

/// A kernel and its knobs: what [`matmul_with`] runs. The knobs matter for the pipelined kernels only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MatmulConfig {
    pub kernel: MatmulKernel,
    /// Read each operand as vec4 where its layout allows (`operand_mode`); `false` reads every operand with
    /// scalar loads.
    pub vec4: bool,
    /// Run the module compiled without bounds checks (`MATMUL_PIPELINED_UNCHECKED` of `shaders.rs`).
    pub unchecked: bool,
    /// Tile rows per band of the workgroup order (0: row-major order).
    pub swizzle: u32,
}

impl MatmulConfig {
    /// `kernel` with the default knobs: vec4 reads, bounds checks on, [`SWIZZLE`].
    pub fn new(kernel: MatmulKernel) -> MatmulConfig {
        MatmulConfig { kernel, vec4: true, unchecked: false, swizzle: SWIZZLE }
    }

    /// The configuration the backend runs for `[b, m, k] @ [b, k, n]` (`vec4`: both operands are
    /// `vec4_aligned`), by the rules of the module doc.
    pub fn pick(b: usize, m: usize, k: usize, n: usize, vec4: bool) -> MatmulConfig {
        let tiles = |rows: usize, cols: usize| b * m.div_ceil(rows) * n.div_ceil(cols);
        let kernel = if k <= 16 || b * m * n <= 4096 || b > 65535 {
            MatmulKernel::Naive
        } else if tiles(128, 128) >= P128_MIN_TILES {
            MatmulKernel::Pipelined128x128K8
        } else if tiles(128, 64) >= P64_MIN_TILES {
            MatmulKernel::Pipelined128x64K8
        } else if vec4 {
            MatmulKernel::TiledVec4
        } else {
            MatmulKernel::Tiled
        };
        MatmulConfig::new(kernel)
    }

    /// A name for tables: the entry point and the knobs that differ from [`MatmulConfig::new`].
    pub fn name(&self) -> String {
        let mut s = self.kernel.entry().trim_start_matches("matmul_").trim_end_matches("_f32").to_string();
        if self.kernel.is_pipelined() {
            if !self.vec4 {
                s.push_str(" scalar-loads");
            }
            if self.unchecked {
                s.push_str(" unchecked");
            }
            if self.swizzle != SWIZZLE {
                s.push_str(&format!(" swizzle={}", self.swizzle));
            }
        }
        s
    }

    /// Why this configuration cannot run `[b, m, k] @ [b, k, n]` with these layouts, if it cannot.
    fn refusal(&self, b: usize, ll: &Layout, rl: &Layout) -> Option<String> {
        if self.kernel.needs_vec4() && !vec4_aligned(ll, rl) {
            return Some("needs row-major operands with k, n, offsets and strides multiples of 4".into());
        }
        if self.kernel.tile().is_some() && b > 65535 {
            return Some(format!("a batch of {b} exceeds the 65535 workgroups of a grid dimension"));
        }
        None
    }
}

/// True when the vec4 kernels of `matmul.wgsl` can read both operands as aligned vec4s: row-major rows (column
/// stride 1) and k, n, the offsets and the batch and row strides all multiples of 4.
pub(crate) fn vec4_aligned(ll: &Layout, rl: &Layout) -> bool {
    let quad = |v: usize| v.is_multiple_of(4);
    let rows_ok = |l: &Layout| l.strides()[2] == 1 && quad(l.offset()) && quad(l.strides()[0]) && quad(l.strides()[1]);
    quad(ll.shape()[2]) && quad(rl.shape()[2]) && rows_ok(ll) && rows_ok(rl)
}

/// How the pipelined kernels read a 3-D operand (`lhs`: `[b, m, k]`, else `rhs`: `[b, k, n]`):
/// `OPERAND_K_QUADS` when 4 consecutive k are contiguous and every such quad starts at a multiple of 4 (k stride 1,
/// offset and other strides multiples of 4), `OPERAND_MN_QUADS` likewise for 4 consecutive rows of lhs (columns
/// of rhs), else `OPERAND_STRIDED`.
pub(crate) fn operand_mode(l: &Layout, lhs: bool) -> u32 {
    let quad = |v: usize| v.is_multiple_of(4);
    let (s, o) = (l.strides(), l.offset());
    let (k_axis, mn_axis) = if lhs { (2, 1) } else { (1, 2) };
    let quads_along = |axis: usize, other: usize| s[axis] == 1 && quad(o) && quad(s[0]) && quad(s[other]);
    if quads_along(k_axis, mn_axis) {
        OPERAND_K_QUADS
    } else if quads_along(mn_axis, k_axis) {
        OPERAND_MN_QUADS
    } else {
        OPERAND_STRIDED
    }
}

/// The bias of a fused linear: its storage, the offset of its row, and whether ReLU follows.
struct Epilogue<'a> {
    bias: &'a WgpuStorage,
    offset: usize,
    relu: bool,
}

/// Batched matmul of two 3-D views, with the kernel the backend picks.
pub(super) fn matmul(be: &WgpuBackend, lhs: &WgpuStorage, ll: &Layout, rhs: &WgpuStorage, rl: &Layout) -> WgpuStorage {
    let (b, m, k, n) = (ll.shape()[0], ll.shape()[1], ll.shape()[2], rl.shape()[2]);
    let config = MatmulConfig::pick(b, m, k, n, vec4_aligned(ll, rl));
    launch(be, config, lhs, ll, rhs, rl, None)
}

/// `x · w + b` (then ReLU when `relu`) for a 2-D `x` `[m, k]`, a 2-D `w` `[k, n]` and a bias row `[n]`: the
/// product's kernel with the bias epilogue. `None` when the bias is not a unit-stride row (the tensor layer then
/// runs the ops one by one).
pub(super) fn linear(
    be: &WgpuBackend,
    x: &WgpuStorage,
    xl: &Layout,
    w: &WgpuStorage,
    wl: &Layout,
    b: &WgpuStorage,
    bl: &Layout,
    relu: bool,
) -> Option<WgpuStorage> {
    if bl.rank() != 1 || (bl.shape()[0] > 1 && bl.strides()[0] != 1) {
        return None;
    }
    let (ll, rl) = (xl.unsqueeze(0), wl.unsqueeze(0));
    let (m, k, n) = (xl.shape()[0], xl.shape()[1], wl.shape()[1]);
    let config = MatmulConfig::pick(1, m, k, n, vec4_aligned(&ll, &rl));
    Some(launch(be, config, x, &ll, w, &rl, Some(Epilogue { bias: b, offset: bl.offset(), relu })))
}

/// Dispatches `config`'s kernel for `[b, m, k] @ [b, k, n]`, with the epilogue if any.
fn launch(
    be: &WgpuBackend,
    config: MatmulConfig,
    lhs: &WgpuStorage,
    ll: &Layout,
    rhs: &WgpuStorage,
    rl: &Layout,
    epilogue: Option<Epilogue<'_>>,
) -> WgpuStorage {
    let (b, m, k, n) = (ll.shape()[0], ll.shape()[1], ll.shape()[2], rl.shape()[2]);
    let out = be.alloc(b * m * n, DType::F32);
    if b * m * n == 0 {
        return out;
    }
    let kernel = config.kernel;
    let pipelined = kernel.is_pipelined();
    let mode = |l: &Layout, lhs: bool| if pipelined && config.vec4 { operand_mode(l, lhs) } else { OPERAND_STRIDED };
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
        epilogue: match &epilogue {
            None => EPILOGUE_NONE,
            Some(e) if e.relu => EPILOGUE_BIAS_RELU,
            Some(_) => EPILOGUE_BIAS,
        },
        bias_offset: u32_of("offset", epilogue.as_ref().map_or(0, |e| e.offset)),
        lhs_mode: mode(ll, true),
        rhs_mode: mode(rl, false),
        out_vec4: (pipelined && n.is_multiple_of(4)) as u32,
        swizzle: config.swizzle,
    };
    let shader: &Shader = match (pipelined, config.unchecked) {
        (true, true) => &MATMUL_PIPELINED_UNCHECKED,
        (true, false) => &MATMUL_PIPELINED,
        (false, _) => &MATMUL,
    };
    let ctx = be.ctx();
    let groups = match kernel.tile() {
        None => ctx.grid_for(shader, kernel.entry(), b * m * n),
        Some((rows, cols)) => (u32_of("tiles", n.div_ceil(cols)), u32_of("tiles", m.div_ceil(rows)), b as u32),
    };
    // SAFETY (of running the module compiled without bounds checks, see `create_module` in context/batch.rs): every
    // index the pipelined kernels form is in range for any params this launcher writes.
    // * Workgroup memory `[buffer][kk][quad][component]`: buffer is `p % 2` or `1 - p % 2`; kk < BK <= 16; the
    //   quads read are `a_quad (+ 4) <= 8·3 + 3 + 4 = 31` and `b_quad (+ 8) <= 16·1 + 7 + 8 = 31`; the quads
    //   stored are item / 32, item % 32 (OPERAND_MN_QUADS, item < 32·BK) or row / 4 with row < 128
    //   (OPERAND_K_QUADS, OPERAND_STRIDED) — constants of the entry point, whatever the params.
    // * Registers: `acc[0..16]` by constants, `next_a[j]`, `next_b[j]` with j < 128·BK/4/threads <= 4 and
    //   BK·BN/4/threads <= 2.
    // * lhs, rhs: an element is read only for row < m, k' < k (column < n): an element of the view, which lies
    //   in its storage (every layout of a tensor does); a vec4 only in the OPERAND_K_QUADS/OPERAND_MN_QUADS modes,
    //   which `operand_mode` grants only when every quad starts at a multiple of 4 — the aligned quad of an element
    //   of the view, inside the buffer, whose size the pool rounds up to 16 bytes.
    // * out: written for row < m, column < n: below b·m·n, the output's length; as vec4 only when n % 4 = 0
    //   (`out_vec4`), where the quad of a column multiple of 4 ends at or before n.
    // * bias: read at `bias_offset + column` for column < n, and `linear` only passes a unit-stride row of n.
    let bias = epilogue.as_ref().map_or(&ctx.dummy_read, |e| e.bias.buffer());
    ctx.dispatch(
        shader,
        kernel.entry(),
        &[(0, lhs.buffer()), (1, rhs.buffer()), (2, bias), (3, out.buffer())],
        4,
        bytemuck::bytes_of(&p),
        groups,
    );
    out
}

/// The GPU storage and backend of a tensor (panicking, naming `op`, for a CPU tensor).
#[track_caller]
fn on_gpu<'a>(op: &str, t: &'a Tensor) -> (&'a WgpuBackend, &'a WgpuStorage) {
    match (&t.device, &*t.storage) {
        (Device::Wgpu(be), Storage::Wgpu(s)) => (be, s),
        _ => crate::error::shape_error(op, format_args!("{:?} is not on the GPU", t.shape())),
    }
}

/// `lhs @ rhs` on the GPU with a given kernel configuration — what the benches and the measurement tool use to
/// time every variant, and the tests to compare their bits. Operands are 2-D or 3-D as for [`Tensor::matmul`]
/// (a 2-D operand of a batched product is broadcast: batch stride 0).
///
/// # Panics
/// When the operands are not f32 tensors on one GPU whose shapes `Tensor::matmul` accepts, or when `config`
/// cannot run this product (a vec4 kernel of `matmul.wgsl` on an unaligned layout), naming the shapes.
#[track_caller]
pub fn matmul_with(lhs: &Tensor, rhs: &Tensor, config: MatmulConfig) -> Tensor {
    let op = "matmul_with";
    let ((be, ls), (_, rs)) = (on_gpu(op, lhs), on_gpu(op, rhs));
    let (lsh, rsh) = (lhs.shape(), rhs.shape());
    crate::ensure!(
        lhs.device.same(&rhs.device) && lhs.dtype() == DType::F32 && rhs.dtype() == DType::F32,
        op,
        "lhs {lsh:?} and rhs {rsh:?} must be f32 tensors on one GPU"
    );
    let batch = match (lsh.len(), rsh.len()) {
        (2, 2) => None,
        (3, 2) => Some(lsh[0]),
        (2, 3) => Some(rsh[0]),
        (3, 3) if lsh[0] == rsh[0] => Some(lsh[0]),
        _ => crate::error::shape_error(op, format_args!("lhs {lsh:?} and rhs {rsh:?}: 2-D or 3-D, equal batches")),
    };
    let (m, k, n) = (lsh[lsh.len() - 2], lsh[lsh.len() - 1], rsh[rsh.len() - 1]);
    crate::ensure!(rsh[rsh.len() - 2] == k, op, "lhs {lsh:?} and rhs {rsh:?}: inner dimensions differ");
    let b = batch.unwrap_or(1);
    let to3 = |t: &Tensor, rows: usize, cols: usize| {
        if t.rank() == 3 {
            t.layout.clone()
        } else {
            t.layout.unsqueeze(0).expand(&[b, rows, cols])
        }
    };
    let (ll, rl) = (to3(lhs, m, k), to3(rhs, k, n));
    if let Some(why) = config.refusal(b, &ll, &rl) {
        crate::error::shape_error(op, format_args!("lhs {lsh:?} and rhs {rsh:?}: {} {why}", config.name()));
    }
    let storage = launch(be, config, ls, &ll, rs, &rl, None);
    let shape: Vec<usize> = batch.map_or(vec![m, n], |b| vec![b, m, n]);
    Tensor::from_storage(Storage::Wgpu(storage), &shape, lhs.device.clone())
}

/// `x @ w + bias` (then ReLU when `relu`) for 2-D tensors on the GPU with a given kernel configuration: the fused
/// linear's epilogue on any kernel (`w` is `[k, n]`, e.g. a `weight.t()`; `bias` a unit-stride `[n]`).
///
/// # Panics
/// As [`matmul_with`] for 2-D operands, and for a bias of another shape or stride.
#[track_caller]
pub fn linear_with(x: &Tensor, w: &Tensor, bias: &Tensor, relu: bool, config: MatmulConfig) -> Tensor {
    let op = "linear_with";
    let ((be, xs), (_, ws), (_, bs)) = (on_gpu(op, x), on_gpu(op, w), on_gpu(op, bias));
    let (xsh, wsh, bl) = (x.shape(), w.shape(), &bias.layout);
    crate::ensure!(
        x.device.same(&w.device) && x.device.same(&bias.device),
        op,
        "x {xsh:?}, w {wsh:?} and bias {:?} must be on one GPU",
        bl.shape()
    );
    crate::ensure!(
        [x.dtype(), w.dtype(), bias.dtype()] == [DType::F32; 3] && xsh.len() == 2 && wsh.len() == 2 && xsh[1] == wsh[0],
        op,
        "x {xsh:?} and w {wsh:?}: two 2-D f32 operands with equal inner dimensions"
    );
    crate::ensure!(
        bl.shape() == [wsh[1]] && (wsh[1] <= 1 || bl.strides()[0] == 1),
        op,
        "w {wsh:?} and bias {:?}: the bias must be a unit-stride [{}]",
        bl.shape(),
        wsh[1]
    );
    let (ll, rl) = (x.layout.unsqueeze(0), w.layout.unsqueeze(0));
    if let Some(why) = config.refusal(1, &ll, &rl) {
        crate::error::shape_error(op, format_args!("x {xsh:?} and w {wsh:?}: {} {why}", config.name()));
    }
    let epilogue = Epilogue { bias: bs, offset: bl.offset(), relu };
    let storage = launch(be, config, xs, &ll, ws, &rl, Some(epilogue));
    Tensor::from_storage(Storage::Wgpu(storage), &[xsh[0], wsh[1]], x.device.clone())
}

#[cfg(test)]
mod tests {
    use super::{operand_mode, vec4_aligned, MatmulConfig, MatmulKernel};

    /// The kernel the backend runs for `[b, m, k] @ [b, k, n]` (`vec4`: both operands are `vec4_aligned`).
    fn matmul_kernel(b: usize, m: usize, k: usize, n: usize, vec4: bool) -> MatmulKernel {
        MatmulConfig::pick(b, m, k, n, vec4).kernel
    }
    use crate::gpu::params::{OPERAND_K_QUADS, OPERAND_MN_QUADS, OPERAND_STRIDED};
    use crate::layout::Layout;

    #[test]
    fn kernel_choice_by_shape() {
        assert_eq!(matmul_kernel(1, 800, 2, 10, false), MatmulKernel::Naive); // k <= 16
        assert_eq!(matmul_kernel(1, 10, 800, 10, true), MatmulKernel::Naive); // 100 outputs
        assert_eq!(matmul_kernel(1, 4096, 4096, 4096, true), MatmulKernel::Pipelined128x128K8); // 1024 tiles
        assert_eq!(matmul_kernel(1, 2048, 2048, 2048, false), MatmulKernel::Pipelined128x128K8); // 256 tiles
        assert_eq!(matmul_kernel(1, 1024, 1024, 1024, true), MatmulKernel::Pipelined128x64K8); // 128 of 128 × 64
        assert_eq!(matmul_kernel(1, 1024, 512, 512, true), MatmulKernel::TiledVec4); // 64 of 128 × 64
        assert_eq!(matmul_kernel(1, 1024, 512, 510, false), MatmulKernel::Tiled);
        assert_eq!(matmul_kernel(32, 129, 20, 129, false), MatmulKernel::Pipelined128x128K8); // 32 · 4 tiles
        assert_eq!(matmul_kernel(31, 129, 20, 129, false), MatmulKernel::Pipelined128x64K8); // 31 · 6 tiles
        assert_eq!(matmul_kernel(15, 129, 20, 129, false), MatmulKernel::Tiled);
        // 15 · 6 tiles
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

    #[test]
    fn operand_modes_by_layout() {
        let l = |shape: &[usize]| Layout::contiguous(shape);
        // lhs [1, m, k]: row-major -> quads along k; transposed -> quads along m.
        assert_eq!(operand_mode(&l(&[1, 64, 20]), true), OPERAND_K_QUADS);
        assert_eq!(operand_mode(&l(&[1, 20, 64]).transpose(1, 2), true), OPERAND_MN_QUADS);
        assert_eq!(operand_mode(&l(&[1, 64, 18]), true), OPERAND_STRIDED); // rows start at 18 r
        assert_eq!(operand_mode(&l(&[1, 64, 24]).narrow(2, 1, 20), true), OPERAND_STRIDED); // offset 1
                                                                                            // rhs [1, k, n]: row-major -> quads along n; the Wᵀ of a linear layer -> quads along k.
        assert_eq!(operand_mode(&l(&[1, 20, 64]), false), OPERAND_MN_QUADS);
        assert_eq!(operand_mode(&l(&[1, 64, 20]).transpose(1, 2), false), OPERAND_K_QUADS);
        // A broadcast batch (stride 0) keeps the mode.
        assert_eq!(operand_mode(&l(&[1, 20, 64]).expand(&[3, 20, 64]), false), OPERAND_MN_QUADS);
    }
}
