//! The `Params` structs of the shaders, mirrored field for field as `#[repr(C)]` [`bytemuck::Pod`] structs, the op
//! codes, and [`Strided`], the rank-6 view descriptor the kernels index with.
//!
//! Every struct here says which WGSL struct it mirrors; all fields are 32-bit, so the WGSL storage layout (4-byte
//! alignment, `array<u32, 6>` of stride 4) and the Rust layout agree without padding rules. The unit tests of
//! `gpu/shader_checks.rs` compare each struct's size and every field's name, type and offset with naga's layout of
//! its WGSL twin, and each op code below with the shader constant of the same name.

use bytemuck::{Pod, Zeroable};

use crate::layout::Layout;
use crate::ops::{BinaryKernel, BinaryOp, ReduceOp, SoftmaxOp, UnaryOp};

/// The largest rank the kernels index directly. Views are first simplified by [`collapse`], so only a tensor with
/// more than 6 dimensions that cannot be merged is refused.
pub const MAX_RANK: usize = 6;

/// Code of a unary op in `elementwise.wgsl` (`fn unary`): the variant's position in [`UnaryOp`], the value of the
/// shader's constant named after the variant (`SIGMOID` for `UnaryOp::Sigmoid`).
pub fn unary_code(op: UnaryOp) -> u32 {
    match op {
        UnaryOp::Neg => 0,
        UnaryOp::Exp => 1,
        UnaryOp::Log => 2,
        UnaryOp::Log1p => 3,
        UnaryOp::Sqrt => 4,
        UnaryOp::Abs => 5,
        UnaryOp::Relu => 6,
        UnaryOp::Sigmoid => 7,
        UnaryOp::Tanh => 8,
        UnaryOp::Sign => 9,
        UnaryOp::Round => 10,
        UnaryOp::Powf(_) => 11,
        UnaryOp::Clamp(..) => 12,
        UnaryOp::Affine(..) => 13,
    }
}

/// Code of a binary kernel in `elementwise.wgsl` (`fn binary`): for a public op, the variant's position in
/// [`BinaryOp`] (a fieldless enum, so its discriminant; `BinaryOp::ALL` lists the variants in that order, checked
/// by a test in `ops.rs`); the backend-only kernels follow, in the order of `BinaryKernel::ALL`. It is the value of
/// the shader's constant named after the kernel (`BCE_WITH_LOGITS` for `BinaryOp::BceWithLogits`,
/// `RELU_BACKWARD` for `BinaryKernel::ReluBackward`).
pub fn binary_code(op: BinaryKernel) -> u32 {
    match op {
        BinaryKernel::Op(op) => op as u32,
        BinaryKernel::ReluBackward => BinaryOp::ALL.len() as u32,
    }
}

/// Code of a reduction in `reduce.wgsl`: the variant's position in [`ReduceOp`] (its discriminant), the value of
/// the shader's constant named after the variant (`ARGMAX` for `ReduceOp::ArgMax`).
pub fn reduce_code(op: ReduceOp) -> u32 {
    op as u32
}

/// Code of a softmax op in `softmax.wgsl`: the variant's position in [`SoftmaxOp`] (its discriminant), the value of
/// the shader's constant named after the variant (`LOG_SOFTMAX` for `SoftmaxOp::LogSoftmax`).
pub fn softmax_code(op: SoftmaxOp) -> u32 {
    op as u32
}

/// Mirror of `struct Params` in `shaders/elementwise.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct ElementwiseParams {
    pub numel: u32,
    pub rank: u32,
    pub op: u32,
    pub contiguous: u32,
    pub lhs_offset: u32,
    pub rhs_offset: u32,
    pub a: f32,
    pub b: f32,
    pub ia: i32,
    pub ib: i32,
    pub int_affine: u32,
    pub _pad: u32,
    pub shape: [u32; MAX_RANK],
    pub lhs_strides: [u32; MAX_RANK],
    pub rhs_strides: [u32; MAX_RANK],
}

/// Mirror of `struct Params` in `shaders/copy.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct CopyParams {
    pub numel: u32,
    pub rank: u32,
    pub contiguous: u32,
    pub value: u32,
    pub x_offset: u32,
    pub t_offset: u32,
    pub f_offset: u32,
    pub out_offset: u32,
    pub shape: [u32; MAX_RANK],
    pub x_strides: [u32; MAX_RANK],
    pub t_strides: [u32; MAX_RANK],
    pub f_strides: [u32; MAX_RANK],
    pub out_strides: [u32; MAX_RANK],
}

/// Mirror of `struct Params` in `shaders/reduce.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct ReduceParams {
    pub rows: u32,
    pub n: u32,
    pub row_stride: u32,
    pub chunk: u32,
    pub chunks: u32,
    pub op: u32,
    pub partial: u32,
    pub x_offset: u32,
    pub outer_rank: u32,
    pub _pad: [u32; 3],
    pub outer_shape: [u32; MAX_RANK],
    pub outer_strides: [u32; MAX_RANK],
}

/// Mirror of `struct Params` in `shaders/softmax.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct SoftmaxParams {
    pub rows: u32,
    pub n: u32,
    pub x_row_stride: u32,
    pub out_row_stride: u32,
    /// [`softmax_code`] of the op.
    pub op: u32,
    pub x_offset: u32,
    pub outer_rank: u32,
    pub _pad: u32,
    pub outer_shape: [u32; MAX_RANK],
    pub x_outer_strides: [u32; MAX_RANK],
    pub out_outer_strides: [u32; MAX_RANK],
}

/// Mirror of `struct Params` in `shaders/optim.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct SgdParams {
    pub numel: u32,
    pub x_offset: u32,
    pub grad_offset: u32,
    pub buffer_offset: u32,
    /// The second parameter of `sgd_step_pair_f32` (0 for `sgd_step_f32`).
    pub numel2: u32,
    pub x2_offset: u32,
    pub grad2_offset: u32,
    /// The bits of [`optim_flags`] that are set.
    pub flags: u32,
    pub neg_lr: f32,
    pub weight_decay: f32,
    pub momentum: f32,
    pub one_minus_dampening: f32,
    /// 0, the added term of the kernel's affines, as a value the driver's compiler cannot fold.
    pub zero: f32,
}

/// Mirror of `struct AdamParams` in `shaders/optim.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct AdamParams {
    pub numel: u32,
    pub x_offset: u32,
    pub grad_offset: u32,
    pub m_offset: u32,
    pub v_offset: u32,
    pub max_offset: u32,
    /// The bits of [`optim_flags`] that are set.
    pub flags: u32,
    pub _pad: u32,
    pub lerp_a: f32,
    pub beta2: f32,
    pub one_minus_beta2: f32,
    pub bias_correction2_sqrt: f32,
    pub eps: f32,
    pub neg_step_size: f32,
    /// weight_decay (L2), or 1 - lr·weight_decay (decoupled).
    pub decay: f32,
    /// 0, as in [`SgdParams`].
    pub zero: f32,
}

/// The option bits of `flags` in `shaders/optim.wgsl`'s params (the shader's constants of the same names).
pub mod optim_flags {
    /// g ← -g.
    pub const MAXIMIZE: u32 = 1;
    /// g ← g + weight_decay·x.
    pub const WEIGHT_DECAY: u32 = 2;
    /// x ← x·(1 - lr·weight_decay) (AdamW).
    pub const DECOUPLED_WEIGHT_DECAY: u32 = 4;
    /// SGD: the momentum buffer is updated and written.
    pub const MOMENTUM: u32 = 8;
    /// SGD: a momentum buffer exists.
    pub const MOMENTUM_BUFFER: u32 = 16;
    /// SGD: the gradient entering the buffer is scaled by 1 - dampening.
    pub const DAMPENING: u32 = 32;
    /// SGD: Nesterov momentum.
    pub const NESTEROV: u32 = 64;
    /// Adam: the running maximum of the second moment.
    pub const AMSGRAD: u32 = 128;
    /// Adam: the lerp starts from the old moment (`|1 - beta1| < 0.5`).
    pub const LERP_FROM_START: u32 = 256;

    /// Every bit, by the name of its shader constant.
    #[cfg(test)]
    pub const ALL: [(&str, u32); 9] = [
        ("MAXIMIZE", MAXIMIZE),
        ("WEIGHT_DECAY", WEIGHT_DECAY),
        ("DECOUPLED_WEIGHT_DECAY", DECOUPLED_WEIGHT_DECAY),
        ("MOMENTUM", MOMENTUM),
        ("MOMENTUM_BUFFER", MOMENTUM_BUFFER),
        ("DAMPENING", DAMPENING),
        ("NESTEROV", NESTEROV),
        ("AMSGRAD", AMSGRAD),
        ("LERP_FROM_START", LERP_FROM_START),
    ];
}

/// Mirror of `struct Params` in `shaders/metrics.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct CountParams {
    pub n: u32,
    pub logits_offset: u32,
    pub target_offset: u32,
    pub classes: u32,
}

/// Mirror of `struct Params` in `shaders/loss.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct LossParams {
    pub n: u32,
    pub logits_offset: u32,
    pub target_offset: u32,
    pub grad_offset: u32,
    pub classes: u32,
    pub _pad: [u32; 3],
}

/// Mirror of `struct Params` in `shaders/gather.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct GatherParams {
    pub numel: u32,
    pub rank: u32,
    pub axis: u32,
    pub axis_size: u32,
    pub x_offset: u32,
    pub index_offset: u32,
    pub _pad: [u32; 2],
    pub shape: [u32; MAX_RANK],
    pub x_strides: [u32; MAX_RANK],
    pub index_strides: [u32; MAX_RANK],
}

/// Mirror of `struct Params` in `shaders/matmul.wgsl` and `shaders/matmul_pipelined.wgsl`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct MatmulParams {
    pub batch: u32,
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub lhs_offset: u32,
    pub lhs_batch_stride: u32,
    pub lhs_row_stride: u32,
    pub lhs_col_stride: u32,
    pub rhs_offset: u32,
    pub rhs_batch_stride: u32,
    pub rhs_row_stride: u32,
    pub rhs_col_stride: u32,
    /// [`EPILOGUE_NONE`], [`EPILOGUE_BIAS`] or [`EPILOGUE_BIAS_RELU`].
    pub epilogue: u32,
    pub bias_offset: u32,
    /// How the pipelined kernels read each operand: [`OPERAND_STRIDED`], [`OPERAND_K_QUADS`] or
    /// [`OPERAND_MN_QUADS`].
    pub lhs_mode: u32,
    pub rhs_mode: u32,
    /// 1 when the pipelined kernels may store the output as vec4 (n a multiple of 4).
    pub out_vec4: u32,
    /// Tile rows per band of the pipelined kernels' workgroup order (0: row-major order).
    pub swizzle: u32,
}

/// `epilogue` codes of [`MatmulParams`] (the `EPILOGUE_*` constants of the matmul shaders; a test compares them).
pub const EPILOGUE_NONE: u32 = 0;
pub const EPILOGUE_BIAS: u32 = 1;
pub const EPILOGUE_BIAS_RELU: u32 = 2;

/// Operand read modes of `matmul_pipelined.wgsl` (its constants of the same names; a test compares them).
pub const OPERAND_STRIDED: u32 = 0;
pub const OPERAND_K_QUADS: u32 = 1;
pub const OPERAND_MN_QUADS: u32 = 2;

/// A `usize` as the `u32` of a kernel parameter, panicking (with the name of what overflowed) from 2^31 on.
///
/// The bound is 2^31, not 2^32: the kernels' loops count in `u32` up to such values by steps far below 2^31, so
/// no counter can wrap around (the shaders are compiled without naga's loop counters, see `context/batch.rs`). No
/// real tensor comes near it: a binding holds at most 2^30 elements of 32 bits.
#[track_caller]
pub fn u32_of(what: &str, v: usize) -> u32 {
    const MAX: usize = i32::MAX as usize;
    if v > MAX {
        panic!("wgpu: {what} = {v} does not fit the kernels' 31-bit sizes and indices (at most {MAX})");
    }
    v as u32
}

/// Several views of one shape, simplified together for a kernel: size-1 dimensions dropped, and neighbouring
/// dimensions merged wherever every view steps through them as one (`stride[d] = stride[d+1] * shape[d+1]`).
/// The element order is unchanged, so output element `i` still is logical element `i`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strided {
    pub shape: Vec<usize>,
    /// One stride vector per view.
    pub strides: Vec<Vec<usize>>,
}

/// Simplifies `views` (all of the same shape) as [`Strided`] describes.
///
/// # Panics
/// When the result still has more than [`MAX_RANK`] dimensions.
#[track_caller]
pub fn collapse(op: &str, views: &[&Layout]) -> Strided {
    let shape0 = views[0].shape();
    let mut shape: Vec<usize> = Vec::new();
    let mut strides: Vec<Vec<usize>> = vec![Vec::new(); views.len()];
    for d in 0..shape0.len() {
        let n = shape0[d];
        if n == 1 {
            continue;
        }
        let mergeable =
            !shape.is_empty() && views.iter().zip(&strides).all(|(v, s)| s[s.len() - 1] == v.strides()[d] * n);
        if mergeable {
            let last = shape.len() - 1;
            shape[last] *= n;
            for (v, s) in views.iter().zip(strides.iter_mut()) {
                s[last] = v.strides()[d];
            }
        } else {
            shape.push(n);
            for (v, s) in views.iter().zip(strides.iter_mut()) {
                s.push(v.strides()[d]);
            }
        }
    }
    if shape.len() > MAX_RANK {
        crate::error::shape_error(
            op,
            format_args!(
                "the wgpu kernels index at most {MAX_RANK} dimensions; view {:?} (strides {:?}) still has {} after \
                 merging (make it contiguous first)",
                shape0,
                views[0].strides(),
                shape.len()
            ),
        );
    }
    Strided { shape, strides }
}

/// Pads a list of at most [`MAX_RANK`] sizes/strides to the fixed array of a `Params` struct.
pub fn pad6(v: &[usize]) -> [u32; MAX_RANK] {
    let mut out = [0u32; MAX_RANK];
    for (o, &x) in out.iter_mut().zip(v) {
        *o = u32_of("a size or stride", x);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapse_merges_contiguous_runs() {
        let c = Layout::contiguous(&[2, 3, 4]);
        let s = collapse("t", &[&c]);
        assert_eq!(s.shape, vec![24]);
        assert_eq!(s.strides, vec![vec![1]]);
        // A broadcast bias row [4] expanded to [2, 3, 4] merges its two stride-0 dims but not the last.
        let b = Layout::contiguous(&[4]).expand(&[2, 3, 4]);
        let s = collapse("t", &[&c, &b]);
        assert_eq!(s.shape, vec![6, 4]);
        assert_eq!(s.strides, vec![vec![4, 1], vec![0, 1]]);
        // A transposed view keeps both dims; size-1 dims vanish.
        let t = Layout::contiguous(&[3, 1, 4]).permute(&[2, 1, 0]);
        let s = collapse("t", &[&t]);
        assert_eq!(s.shape, vec![4, 3]);
        assert_eq!(s.strides, vec![vec![1, 4]]);
    }

    #[test]
    fn collapse_keeps_the_element_order() {
        let l = Layout::contiguous(&[2, 3, 5]).narrow(2, 1, 3).transpose(0, 1);
        let s = collapse("t", &[&l]);
        let v = Layout::from_parts(s.shape.clone(), s.strides[0].clone(), l.offset());
        assert_eq!(v.offsets().collect::<Vec<_>>(), l.offsets().collect::<Vec<_>>());
    }
}
