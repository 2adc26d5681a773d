//! The launcher of `metrics.wgsl`: a binary classifier's right predictions counted in one kernel
//! ([`Backend::count_round_sigmoid_eq`]).
//!
//! [`Backend::count_round_sigmoid_eq`]: crate::Backend::count_round_sigmoid_eq

use super::params::{u32_of, CountParams};
use super::shaders::METRICS;
use super::{WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::Layout;

/// Below this many elements a sum of 0/1 values in f32 is exact, so the kernel's integer count has its bits.
const EXACT_F32_COUNT: usize = 1 << 24;

/// `Σ [round(sigmoid(logits)) == target]` as a one-element f32 storage, for contiguous f32 views of one shape
/// with fewer than 2^24 elements; else `None`.
pub(super) fn count_round_sigmoid_eq(
    be: &WgpuBackend,
    logits: &WgpuStorage,
    logits_layout: &Layout,
    target: &WgpuStorage,
    target_layout: &Layout,
) -> Option<WgpuStorage> {
    let (lr, tr) = (logits_layout.contiguous_range()?, target_layout.contiguous_range()?);
    let n = logits_layout.numel();
    if logits.dtype != DType::F32
        || target.dtype != DType::F32
        || logits_layout.shape() != target_layout.shape()
        || n >= EXACT_F32_COUNT
    {
        return None;
    }
    let out = be.alloc(1, DType::F32);
    let p = CountParams {
        n: u32_of("numel", n),
        logits_offset: u32_of("offset", lr.start),
        target_offset: u32_of("offset", tr.start),
        _pad: 0,
    };
    be.ctx().dispatch(
        &METRICS,
        "count_round_sigmoid_eq_f32",
        &[(0, logits.buffer()), (1, target.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        (1, 1, 1),
    );
    Some(out)
}
