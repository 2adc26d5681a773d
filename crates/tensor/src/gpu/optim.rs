//! The launchers of `optim.wgsl`: the SGD and Adam steps, one kernel per parameter (SGD without momentum: per
//! pair of parameters) ([`Backend::sgd_step`], [`Backend::sgd_step_pair`], [`Backend::adam_step`]).
//!
//! Each scalar enters the params as the element-wise launchers pass it — an affine's factors and a scalar
//! tensor as f32, after the f64 arithmetic of Python's scalars (`1 - dampening`, `lr / (1 - beta1^t)`) — so the
//! kernel rounds as the ops it stands for.
//!
//! [`Backend::sgd_step`]: crate::Backend::sgd_step
//! [`Backend::sgd_step_pair`]: crate::Backend::sgd_step_pair
//! [`Backend::adam_step`]: crate::Backend::adam_step

use super::params::{optim_flags::*, u32_of, AdamParams, SgdParams};
use super::shaders::OPTIM;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::backend::AdamState;
use crate::dtype::DType;
use crate::layout::Layout;
use crate::ops::optim::{AdamStep, SgdStep};

/// The start of a contiguous f32 view in its buffer, or `None`.
fn f32_offset((s, layout): (&WgpuStorage, &Layout)) -> Option<usize> {
    (s.dtype == DType::F32).then_some(())?;
    Some(layout.contiguous_range()?.start)
}

/// Whether the device binds `n` storage buffers (the params included) to one kernel.
fn binds(be: &WgpuBackend, n: u32) -> bool {
    be.ctx().limits.max_storage_buffers_per_shader_stage >= n
}

/// The params of an SGD step: its options as flags and factors, the operands' offsets left at 0.
fn sgd_params(h: &SgdStep) -> SgdParams {
    let mut flags = 0;
    for (set, bit) in [
        (h.maximize, MAXIMIZE),
        (h.weight_decay != 0.0, WEIGHT_DECAY),
        (h.momentum != 0.0, MOMENTUM),
        // `add_(grad, alpha=1 - dampening)` skips the multiplication when alpha = 1
        (1.0 - h.dampening != 1.0, DAMPENING),
        (h.nesterov, NESTEROV),
    ] {
        if set {
            flags |= bit;
        }
    }
    SgdParams {
        flags,
        neg_lr: (-h.lr) as f32,
        weight_decay: h.weight_decay as f32,
        momentum: h.momentum as f32,
        one_minus_dampening: (1.0 - h.dampening) as f32,
        ..Default::default()
    }
}

/// One SGD step of contiguous f32 views of one shape: the new parameter and, with momentum, the new buffer; or
/// `None` (another dtype or layout, or a device that binds fewer than six storage buffers).
pub(super) fn sgd_step(
    be: &WgpuBackend,
    x: (&WgpuStorage, &Layout),
    grad: (&WgpuStorage, &Layout),
    buffer: Option<(&WgpuStorage, &Layout)>,
    h: &SgdStep,
) -> Option<(WgpuStorage, Option<WgpuStorage>)> {
    let (x_offset, grad_offset) = (f32_offset(x)?, f32_offset(grad)?);
    let buffer_offset = match buffer {
        Some(b) => f32_offset(b)?,
        None => 0,
    };
    if !binds(be, 6) {
        return None;
    }
    let numel = x.1.numel();
    let momentum = h.momentum != 0.0;
    let out = be.alloc(numel, DType::F32);
    let out_buffer = momentum.then(|| be.alloc(numel, DType::F32));
    if numel == 0 {
        return Some((out, out_buffer));
    }
    let mut p = sgd_params(h);
    p.numel = u32_of("numel", numel);
    p.x_offset = u32_of("offset", x_offset);
    p.grad_offset = u32_of("offset", grad_offset);
    p.buffer_offset = u32_of("offset", buffer_offset);
    if buffer.is_some() && momentum {
        p.flags |= MOMENTUM_BUFFER;
    }
    let ctx = be.ctx();
    let buffer_in = buffer.map_or(&ctx.dummy_read, |(b, _)| b.buffer());
    let buffer_out = out_buffer.as_ref().map_or(&ctx.dummy_write, |b| b.buffer());
    ctx.dispatch(
        &OPTIM,
        "sgd_step_f32",
        &[(0, x.0.buffer()), (1, grad.0.buffer()), (2, buffer_in), (3, out.buffer()), (4, buffer_out)],
        5,
        bytemuck::bytes_of(&p),
        ctx.grid_for(&OPTIM, "sgd_step_f32", numel),
    );
    Some((out, out_buffer))
}

/// The SGD step without momentum of two parameters in one dispatch (`sgd_step_pair_f32`), each `[param, grad]`
/// contiguous f32 views of one shape: the new parameters, or `None` (then the caller steps them one by one).
pub(super) fn sgd_step_pair(
    be: &WgpuBackend,
    [x, grad]: [(&WgpuStorage, &Layout); 2],
    [x2, grad2]: [(&WgpuStorage, &Layout); 2],
    h: &SgdStep,
) -> Option<(WgpuStorage, WgpuStorage)> {
    let (numel, numel2) = (x.1.numel(), x2.1.numel());
    if h.momentum != 0.0 || numel == 0 || numel2 == 0 || !binds(be, 7) {
        return None;
    }
    let (x_offset, grad_offset, x2_offset, grad2_offset) =
        (f32_offset(x)?, f32_offset(grad)?, f32_offset(x2)?, f32_offset(grad2)?);
    let (out, out2) = (be.alloc(numel, DType::F32), be.alloc(numel2, DType::F32));
    let p = SgdParams {
        numel: u32_of("numel", numel),
        x_offset: u32_of("offset", x_offset),
        grad_offset: u32_of("offset", grad_offset),
        numel2: u32_of("numel", numel2),
        x2_offset: u32_of("offset", x2_offset),
        grad2_offset: u32_of("offset", grad2_offset),
        ..sgd_params(h)
    };
    // The first parameter's workgroups, then the second's (see `sgd_step_pair_f32`).
    let wg = be.ctx().workgroup_size(&OPTIM, "sgd_step_pair_f32");
    be.ctx().dispatch(
        &OPTIM,
        "sgd_step_pair_f32",
        &[
            (0, x.0.buffer()),
            (1, grad.0.buffer()),
            (3, out.buffer()),
            (8, x2.0.buffer()),
            (9, grad2.0.buffer()),
            (10, out2.buffer()),
        ],
        5,
        bytemuck::bytes_of(&p),
        grid(numel.div_ceil(wg) + numel2.div_ceil(wg)),
    );
    Some((out, out2))
}

/// One Adam or AdamW step of contiguous f32 views of one shape: the new parameter, moments and (with amsgrad)
/// maximum; or `None` (another dtype or layout, or a device that binds fewer storage buffers than the kernel
/// needs: eight, ten with amsgrad).
pub(super) fn adam_step(
    be: &WgpuBackend,
    [x, grad, m, v]: [(&WgpuStorage, &Layout); 4],
    max: Option<(&WgpuStorage, &Layout)>,
    h: &AdamStep,
) -> Option<AdamState<WgpuStorage>> {
    let offsets = [f32_offset(x)?, f32_offset(grad)?, f32_offset(m)?, f32_offset(v)?];
    let max_offset = match max {
        Some(b) => f32_offset(b)?,
        None => 0,
    };
    let (entry, buffers) = if max.is_some() { ("adam_amsgrad_step_f32", 10) } else { ("adam_step_f32", 8) };
    if !binds(be, buffers) {
        return None;
    }
    let numel = x.1.numel();
    let alloc = || be.alloc(numel, DType::F32);
    let out = AdamState { param: alloc(), exp_avg: alloc(), exp_avg_sq: alloc(), max_exp_avg_sq: max.map(|_| alloc()) };
    if numel == 0 {
        return Some(out);
    }
    let w = 1.0 - h.beta1;
    let mut flags = if w.abs() < 0.5 { LERP_FROM_START } else { 0 };
    if h.maximize {
        flags |= MAXIMIZE;
    }
    if h.weight_decay != 0.0 {
        flags |= if h.decoupled_weight_decay { DECOUPLED_WEIGHT_DECAY } else { WEIGHT_DECAY };
    }
    if max.is_some() {
        flags |= AMSGRAD;
    }
    let p = AdamParams {
        numel: u32_of("numel", numel),
        x_offset: u32_of("offset", offsets[0]),
        grad_offset: u32_of("offset", offsets[1]),
        m_offset: u32_of("offset", offsets[2]),
        v_offset: u32_of("offset", offsets[3]),
        max_offset: u32_of("offset", max_offset),
        flags,
        lerp_a: if w.abs() < 0.5 { w as f32 } else { (1.0 - w) as f32 },
        beta2: h.beta2 as f32,
        one_minus_beta2: (1.0 - h.beta2) as f32,
        bias_correction2_sqrt: h.bias_correction2_sqrt as f32,
        eps: h.eps as f32,
        neg_step_size: (-h.step_size) as f32,
        decay: if h.decoupled_weight_decay { 1.0 - h.lr * h.weight_decay } else { h.weight_decay } as f32,
        ..Default::default()
    };
    let mut bindings = vec![
        (0, x.0.buffer()),
        (1, grad.0.buffer()),
        (2, m.0.buffer()),
        (3, v.0.buffer()),
        (5, out.param.buffer()),
        (6, out.exp_avg.buffer()),
        (7, out.exp_avg_sq.buffer()),
    ];
    if let (Some((max, _)), Some(out_max)) = (max, &out.max_exp_avg_sq) {
        bindings.extend([(4, max.buffer()), (8, out_max.buffer())]);
    }
    let ctx = be.ctx();
    ctx.dispatch(&OPTIM, entry, &bindings, 9, bytemuck::bytes_of(&p), ctx.grid_for(&OPTIM, entry, numel));
    Some(out)
}
