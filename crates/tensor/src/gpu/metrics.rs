//! The launcher of `metrics.wgsl`: a binary or multi-class classifier's right predictions counted in one kernel
//! ([`Backend::count_round_sigmoid_eq`], [`Backend::count_argmax_softmax_eq`]).
//!
//! [`Backend::count_round_sigmoid_eq`]: crate::Backend::count_round_sigmoid_eq
//! [`Backend::count_argmax_softmax_eq`]: crate::Backend::count_argmax_softmax_eq

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
    let p = CountParams {
        n: u32_of("numel", n),
        logits_offset: u32_of("offset", lr.start),
        target_offset: u32_of("offset", tr.start),
        classes: 0,
    };
    Some(count(be, "count_round_sigmoid_eq_f32", p, logits, target, DType::F32))
}

/// Rows up to this length: the unfused softmax's one-row-per-invocation kernel, whose formula the kernel copies
/// (`SOFTMAX_ROWS_MAX` in softmax.rs).
const SOFTMAX_ROWS_MAX: usize = 128;

/// `Σ_i [argmax(softmax(logits_i)) == target_i]` as a one-element int64 storage (one i32 word), for contiguous
/// f32 logits `[N, C]` with `1 <= C <= 128` and contiguous int64 class indices `[N]`; else `None`.
pub(super) fn count_argmax_softmax_eq(
    be: &WgpuBackend,
    logits: &WgpuStorage,
    logits_layout: &Layout,
    target: &WgpuStorage,
    target_layout: &Layout,
) -> Option<WgpuStorage> {
    let (lr, tr) = (logits_layout.contiguous_range()?, target_layout.contiguous_range()?);
    let &[rows, classes] = logits_layout.shape() else { return None };
    if logits.dtype != DType::F32
        || target.dtype != DType::I64
        || target_layout.shape() != [rows]
        || classes == 0
        || classes > SOFTMAX_ROWS_MAX
    {
        return None;
    }
    let p = CountParams {
        n: u32_of("rows", rows),
        logits_offset: u32_of("offset", lr.start),
        target_offset: u32_of("offset", tr.start),
        classes: u32_of("classes", classes),
    };
    Some(count(be, "count_argmax_softmax_eq_f32", p, logits, target, DType::I64))
}

/// Launches the counting kernel `entry` of `metrics.wgsl`: one workgroup, writing the count into a one-element
/// storage of `dtype`.
fn count(
    be: &WgpuBackend,
    entry: &'static str,
    p: CountParams,
    logits: &WgpuStorage,
    target: &WgpuStorage,
    dtype: DType,
) -> WgpuStorage {
    let out = be.alloc(1, dtype);
    be.ctx().dispatch(
        &METRICS,
        entry,
        &[(0, logits.buffer()), (1, target.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        (1, 1, 1),
    );
    out
}
