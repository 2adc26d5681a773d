//! The launcher of `optim.wgsl`: the plain SGD step as one kernel ([`Backend::sgd_step`]).
//!
//! [`Backend::sgd_step`]: crate::Backend::sgd_step

use super::params::{u32_of, SgdParams};
use super::shaders::OPTIM;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::Layout;

const WORKGROUP: usize = 256;

/// `x + grad·(-lr)` for contiguous f32 views of one shape, or `None` (the tensor layer then runs the two ops).
pub(super) fn sgd_step(
    be: &WgpuBackend,
    x: &WgpuStorage,
    x_layout: &Layout,
    grad: &WgpuStorage,
    grad_layout: &Layout,
    lr: f64,
) -> Option<WgpuStorage> {
    let (xr, gr) = (x_layout.contiguous_range()?, grad_layout.contiguous_range()?);
    if x.dtype != DType::F32 || grad.dtype != DType::F32 || x_layout.shape() != grad_layout.shape() {
        return None;
    }
    let numel = x_layout.numel();
    let out = be.alloc(numel, DType::F32);
    if numel == 0 {
        return Some(out);
    }
    // The affine of `mul_scalar(-lr)`, as the unary launcher passes it (`a = mul as f32`, `b = add as f32`).
    let p = SgdParams {
        numel: u32_of("numel", numel),
        x_offset: u32_of("offset", xr.start),
        grad_offset: u32_of("offset", gr.start),
        a: (-lr) as f32,
        b: 0.0,
        ..Default::default()
    };
    be.ctx().dispatch(
        &OPTIM,
        "sgd_f32",
        &[(0, x.buffer()), (1, grad.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        grid(numel.div_ceil(WORKGROUP)),
    );
    Some(out)
}
