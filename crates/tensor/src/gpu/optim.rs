//! The launchers of `optim.wgsl`: the plain SGD and Adam steps, one kernel per parameter
//! ([`Backend::sgd_step`], [`Backend::adam_step`]).
//!
//! [`Backend::sgd_step`]: crate::Backend::sgd_step
//! [`Backend::adam_step`]: crate::Backend::adam_step

use super::params::{u32_of, AdamParams, SgdParams};
use super::shaders::OPTIM;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::backend::AdamStep;
use crate::dtype::DType;
use crate::layout::Layout;

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
        "sgd_step_f32",
        &[(0, x.buffer()), (1, grad.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        be.ctx().grid_for(&OPTIM, "sgd_step_f32", numel),
    );
    Some(out)
}

/// The plain SGD step of two parameters in one dispatch (`sgd_step_pair_f32`), each a (param, grad) pair of
/// contiguous f32 views of one shape: the new parameters, or `None` (the caller then steps them one by one).
pub(super) fn sgd_step_pair(
    be: &WgpuBackend,
    [(x, xl, g, gl), (x2, xl2, g2, gl2)]: [(&WgpuStorage, &Layout, &WgpuStorage, &Layout); 2],
    lr: f64,
) -> Option<(WgpuStorage, WgpuStorage)> {
    let fits = |x: &WgpuStorage, xl: &Layout, g: &WgpuStorage, gl: &Layout| {
        x.dtype == DType::F32 && g.dtype == DType::F32 && xl.shape() == gl.shape() && xl.numel() > 0
    };
    if !fits(x, xl, g, gl) || !fits(x2, xl2, g2, gl2) {
        return None;
    }
    let (xr, gr, xr2, gr2) =
        (xl.contiguous_range()?, gl.contiguous_range()?, xl2.contiguous_range()?, gl2.contiguous_range()?);
    let (numel, numel2) = (xl.numel(), xl2.numel());
    let (out, out2) = (be.alloc(numel, DType::F32), be.alloc(numel2, DType::F32));
    // The affine of `mul_scalar(-lr)`, as for `sgd_step_f32`.
    let p = SgdParams {
        numel: u32_of("numel", numel),
        x_offset: u32_of("offset", xr.start),
        grad_offset: u32_of("offset", gr.start),
        numel2: u32_of("numel", numel2),
        a: (-lr) as f32,
        b: 0.0,
        x2_offset: u32_of("offset", xr2.start),
        grad2_offset: u32_of("offset", gr2.start),
    };
    // The first parameter's workgroups, then the second's (see `sgd_step_pair_f32`).
    let wg = be.ctx().workgroup_size(&OPTIM, "sgd_step_pair_f32");
    be.ctx().dispatch(
        &OPTIM,
        "sgd_step_pair_f32",
        &[(0, x.buffer()), (1, g.buffer()), (2, out.buffer()), (8, x2.buffer()), (9, g2.buffer()), (10, out2.buffer())],
        3,
        bytemuck::bytes_of(&p),
        grid(numel.div_ceil(wg) + numel2.div_ceil(wg)),
    );
    Some((out, out2))
}

/// The plain Adam step for contiguous f32 views of one shape: (new parameter, new exp_avg, new exp_avg_sq), or
/// `None` (the caller then runs the unfused ops).
pub(super) fn adam_step(
    be: &WgpuBackend,
    views: [(&WgpuStorage, &Layout); 4],
    h: &AdamStep,
) -> Option<(WgpuStorage, WgpuStorage, WgpuStorage)> {
    let shape = views[0].1.shape();
    let mut offsets = [0usize; 4];
    for (o, (s, l)) in offsets.iter_mut().zip(views) {
        if s.dtype != DType::F32 || l.shape() != shape {
            return None;
        }
        *o = l.contiguous_range()?.start;
    }
    // Seven buffers and the params: a device that binds fewer storage buffers per kernel takes the unfused ops.
    if be.ctx().limits.max_storage_buffers_per_shader_stage < 8 {
        return None;
    }
    let numel = views[0].1.numel();
    let (x, m, v) = (be.alloc(numel, DType::F32), be.alloc(numel, DType::F32), be.alloc(numel, DType::F32));
    if numel == 0 {
        return Some((x, m, v));
    }
    // Each scalar as the unfused launchers pass it: an affine's factors and a scalar tensor as f32, the f64 math
    // of Python's scalars done first.
    let w = 1.0 - h.beta1;
    let p = AdamParams {
        numel: u32_of("numel", numel),
        x_offset: u32_of("offset", offsets[0]),
        grad_offset: u32_of("offset", offsets[1]),
        m_offset: u32_of("offset", offsets[2]),
        v_offset: u32_of("offset", offsets[3]),
        lerp_small: (w.abs() < 0.5) as u32,
        lerp_a: if w.abs() < 0.5 { w as f32 } else { (1.0 - w) as f32 },
        beta2: h.beta2 as f32,
        one_minus_beta2: (1.0 - h.beta2) as f32,
        bias_correction2_sqrt: h.bias_correction2_sqrt as f32,
        eps: h.eps as f32,
        neg_step_size: (-h.step_size) as f32,
        ..Default::default()
    };
    let [(xs, _), (gs, _), (ms, _), (vs, _)] = views;
    be.ctx().dispatch(
        &OPTIM,
        "adam_step_f32",
        &[
            (0, xs.buffer()),
            (1, gs.buffer()),
            (2, ms.buffer()),
            (3, vs.buffer()),
            (4, x.buffer()),
            (5, m.buffer()),
            (6, v.buffer()),
        ],
        7,
        bytemuck::bytes_of(&p),
        be.ctx().grid_for(&OPTIM, "adam_step_f32", numel),
    );
    Some((x, m, v))
}
