//! The launcher of `loss.wgsl`: the mean binary cross-entropy of logits, the mean cross-entropy of logits against
//! class indices, and their gradients, one kernel each ([`Backend::bce_with_logits_mean`],
//! [`Backend::bce_with_logits_mean_grad`], [`Backend::cross_entropy_mean`], [`Backend::cross_entropy_mean_grad`]).
//!
//! [`Backend::bce_with_logits_mean`]: crate::Backend::bce_with_logits_mean
//! [`Backend::bce_with_logits_mean_grad`]: crate::Backend::bce_with_logits_mean_grad
//! [`Backend::cross_entropy_mean`]: crate::Backend::cross_entropy_mean
//! [`Backend::cross_entropy_mean_grad`]: crate::Backend::cross_entropy_mean_grad

use super::params::{u32_of, LossParams};
use super::shaders::LOSS;
use super::{WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::Layout;

/// Without `grad`: the mean loss of `logits` against `target` as a one-element f32 storage. With the one-element
/// upstream `grad`: the loss's gradient with respect to the logits, contiguous of the logits' shape. Both for
/// contiguous, non-empty f32 views of one shape; else `None`.
pub(super) fn bce_with_logits_mean(
    be: &WgpuBackend,
    (logits, logits_layout): (&WgpuStorage, &Layout),
    (target, target_layout): (&WgpuStorage, &Layout),
    grad: Option<(&WgpuStorage, &Layout)>,
) -> Option<WgpuStorage> {
    let (lr, tr) = (logits_layout.contiguous_range()?, target_layout.contiguous_range()?);
    let n = logits_layout.numel();
    if logits.dtype != DType::F32
        || target.dtype != DType::F32
        || logits_layout.shape() != target_layout.shape()
        || n == 0
    {
        return None;
    }
    let p = LossParams {
        n: u32_of("numel", n),
        logits_offset: u32_of("offset", lr.start),
        target_offset: u32_of("offset", tr.start),
        grad_offset: 0,
        ..LossParams::default()
    };
    let entries = ("bce_with_logits_mean_f32", "bce_with_logits_mean_grad_f32");
    mean_or_grad(be, entries, p, logits, target, grad, (n, 1))
}

/// Without `grad`: the mean cross-entropy of the logits `[N, C]` against the class indices `[N]` (int64, i32 on the
/// device) as a one-element f32 storage. With the one-element upstream `grad`: its gradient with respect to the
/// logits, contiguous `[N, C]`. For contiguous, non-empty operands; else `None`.
pub(super) fn cross_entropy_mean(
    be: &WgpuBackend,
    (logits, logits_layout): (&WgpuStorage, &Layout),
    (target, target_layout): (&WgpuStorage, &Layout),
    grad: Option<(&WgpuStorage, &Layout)>,
) -> Option<WgpuStorage> {
    let (lr, tr) = (logits_layout.contiguous_range()?, target_layout.contiguous_range()?);
    let &[rows, classes] = logits_layout.shape() else { return None };
    if logits.dtype != DType::F32
        || target.dtype != DType::I64
        || target_layout.shape() != [rows]
        || rows == 0
        || classes == 0
    {
        return None;
    }
    let p = LossParams {
        n: u32_of("rows", rows),
        logits_offset: u32_of("offset", lr.start),
        target_offset: u32_of("offset", tr.start),
        grad_offset: 0,
        classes: u32_of("classes", classes),
        ..LossParams::default()
    };
    let entries = ("cross_entropy_mean_f32", "cross_entropy_mean_grad_f32");
    mean_or_grad(be, entries, p, logits, target, grad, (rows, classes))
}

/// The launch both losses share. Without `grad`: the forward entry (`entries.0`), one workgroup writing the mean
/// into a one-element f32 storage. With the one-element f32 upstream `grad` (else `None`): the gradient entry
/// (`entries.1`), one invocation per item (an element, or a row), writing the `items.0 × items.1` gradients,
/// contiguous of the logits' shape.
fn mean_or_grad(
    be: &WgpuBackend,
    entries: (&'static str, &'static str),
    mut p: LossParams,
    logits: &WgpuStorage,
    target: &WgpuStorage,
    grad: Option<(&WgpuStorage, &Layout)>,
    items: (usize, usize),
) -> Option<WgpuStorage> {
    let ctx = be.ctx();
    let Some((g, g_layout)) = grad else {
        let out = be.alloc(1, DType::F32);
        ctx.dispatch(
            &LOSS,
            entries.0,
            &[(0, logits.buffer()), (1, target.buffer()), (2, out.buffer())],
            3,
            bytemuck::bytes_of(&p),
            (1, 1, 1),
        );
        return Some(out);
    };
    let gr = g_layout.contiguous_range()?;
    if g.dtype != DType::F32 || g_layout.numel() != 1 {
        return None;
    }
    p.grad_offset = u32_of("offset", gr.start);
    let out = be.alloc(items.0 * items.1, DType::F32);
    ctx.dispatch(
        &LOSS,
        entries.1,
        &[(0, logits.buffer()), (1, target.buffer()), (2, out.buffer()), (4, g.buffer())],
        3,
        bytemuck::bytes_of(&p),
        ctx.grid_for(&LOSS, entries.1, items.0),
    );
    Some(out)
}
