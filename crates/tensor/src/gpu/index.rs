//! Launchers of `gather.wgsl`: gather and index_select.
//!
//! CPU twin: `gather` and `index_select` in `cpu/index.rs`. `index_select` runs the gather kernel with its 1-D
//! index viewed as an index of the output's shape: stride 0 in every dimension but `axis`. Out-of-range indices
//! are clamped by the kernel and reported at the next readback (see `context/mod.rs`), naming the op: the tensor layer
//! checks indices whose bounds the host knows at the call, so only indices computed on the device get there.

use super::params::{pad6, u32_of, GatherParams, MAX_RANK};
use super::shaders::GATHER;
use super::{WgpuBackend, WgpuStorage};
use crate::layout::Layout;

/// Runs the gather kernel: the output has `index_view`'s shape.
#[track_caller]
fn launch(
    be: &WgpuBackend,
    op: &str,
    x: &WgpuStorage,
    layout: &Layout,
    axis: usize,
    index: &WgpuStorage,
    index_view: &Layout,
) -> WgpuStorage {
    let numel = index_view.numel();
    let out = be.alloc(numel, x.dtype);
    if numel == 0 {
        return out;
    }
    crate::ensure!(
        layout.rank() <= MAX_RANK,
        op,
        "the wgpu kernel handles at most {MAX_RANK} dimensions, input {:?} has {}",
        layout.shape(),
        layout.rank()
    );
    let p = GatherParams {
        numel: u32_of("numel", numel),
        rank: layout.rank() as u32,
        axis: axis as u32,
        axis_size: u32_of("size", layout.shape()[axis]),
        x_offset: u32_of("offset", layout.offset()),
        index_offset: u32_of("offset", index_view.offset()),
        _pad: [0; 2],
        shape: pad6(index_view.shape()),
        x_strides: pad6(layout.strides()),
        index_strides: pad6(index_view.strides()),
    };
    let ctx = be.ctx();
    // Indices whose bounds the host does not know are checked by the kernel only: remember the op, so that the
    // flag it may raise is reported with its name (a few are kept; the first is the likely culprit).
    let checked = index.index_range().is_some_and(|(lo, hi)| lo >= 0 && (hi as u64) < layout.shape()[axis] as u64);
    if !checked {
        let mut ops = ctx.unchecked_index_ops.lock().unwrap_or_else(|e| e.into_inner());
        if ops.len() < 4 {
            ops.push(format!("{op} (input {:?}, index {:?})", layout.shape(), index_view.shape()));
        }
    }
    ctx.dispatch(
        &GATHER,
        "gather_x32",
        &[(0, x.buffer()), (1, index.buffer()), (2, out.buffer()), (3, &ctx.flags)],
        4,
        bytemuck::bytes_of(&p),
        ctx.grid_for(&GATHER, "gather_x32", numel),
    );
    out
}

/// `out[.., i, ..] = x[.., index[.., i, ..], ..]` along `axis`.
pub(super) fn gather(
    be: &WgpuBackend,
    x: &WgpuStorage,
    layout: &Layout,
    axis: usize,
    index: &WgpuStorage,
    index_layout: &Layout,
) -> WgpuStorage {
    launch(be, "gather", x, layout, axis, index, index_layout)
}

/// The entries `index` (1-D) of dimension `axis`.
pub(super) fn index_select(
    be: &WgpuBackend,
    x: &WgpuStorage,
    layout: &Layout,
    axis: usize,
    index: &WgpuStorage,
    index_layout: &Layout,
) -> WgpuStorage {
    let mut shape = layout.shape().to_vec();
    shape[axis] = index_layout.numel();
    let mut strides = vec![0; shape.len()];
    strides[axis] = index_layout.strides()[0];
    let view = Layout::from_parts(shape, strides, index_layout.offset());
    launch(be, "index_select", x, layout, axis, index, &view)
}
