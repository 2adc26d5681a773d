//! Launchers of `reduce.wgsl`: sum, max, min, argmax, argmin over an axis.
//!
//! CPU twin: `cpu/reduce.rs`. As there, the reduced axis is moved last ([`axis_last`]) so each output element
//! reduces one row; the rows' start offsets are described by the remaining ("outer") dimensions, simplified by
//! [`collapse`].
//!
//! Reductions pick a geometry by row length `n` and layout: rows of at most `ROWS_MAX` elements are folded by
//! one invocation each; longer f32 rows of unit stride whose starts are multiples of 4 (a full reduction, the rows
//! of a row-major matrix) take the fast path, `reduce_contiguous_f32`: workgroups of 256 over chunks of
//! [`CONTIGUOUS_CHUNK`] elements read as vec4, four loads in flight per invocation. Other long rows get workgroups
//! of 256 over chunks of `CHUNK` elements read one by one through the stride. When a row has several chunks the
//! partial results (value and index) are reduced again by the general kernel, pass after pass, until one chunk is
//! left — a full sum of 4096² elements is two passes (1024 partials, then 1). Every order is fixed by `n` and these
//! constants, so a reduction gives the same bits on every run.

use super::params::{collapse, pad6, reduce_code, u32_of, ReduceParams};
use super::shaders::REDUCE;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::Layout;
use crate::ops::{axis_last, ReduceOp};

/// Rows up to this length are reduced by one invocation each (`ROWS_MAX` of loss.wgsl, whose cross-entropy sums
/// in this order up to it; a test compares them).
pub(super) const ROWS_MAX: usize = 64;
/// Elements of a row per workgroup in the multi-pass reduction (16 per invocation).
const CHUNK: usize = 4096;
/// Elements of a row per workgroup of `reduce_contiguous_f32` (16 quads per invocation; a multiple of 4096, as
/// the kernel requires). Large enough that the workgroup's final tree is a small part of its work, small enough
/// that a 4096² tensor makes a thousand workgroups to spread over the GPU.
pub const CONTIGUOUS_CHUNK: usize = 16384;

/// The outer dimensions of a layout whose reduced axis is last: (shape, strides) without the last dimension.
pub(super) fn outer(l: &Layout) -> Layout {
    let r = l.rank() - 1;
    Layout::from_parts(l.shape()[..r].to_vec(), l.strides()[..r].to_vec(), l.offset())
}

/// Reduces `axis` of a view; arg ops give I64 (stored as i32).
pub(super) fn reduce(be: &WgpuBackend, op: ReduceOp, x: &WgpuStorage, layout: &Layout, axis: usize) -> WgpuStorage {
    let moved = axis_last(layout, axis);
    let outer_view = outer(&moved);
    let rows = outer_view.numel();
    let n = layout.shape()[axis];
    let out_dtype = if op.is_arg() { DType::I64 } else { x.dtype };
    let out = be.alloc(rows, out_dtype);
    if rows == 0 {
        return out;
    }
    let s = collapse(op.name(), &[&outer_view]);
    let entry_rows = if x.dtype == DType::I64 { "reduce_rows_i32" } else { "reduce_rows_f32" };
    let entry_wg = if x.dtype == DType::I64 { "reduce_i32" } else { "reduce_f32" };
    let ctx = be.ctx();
    let mut p = ReduceParams {
        rows: u32_of("rows", rows),
        n: u32_of("n", n),
        row_stride: u32_of("stride", moved.strides()[moved.rank() - 1]),
        chunk: CHUNK as u32,
        chunks: 1,
        op: reduce_code(op),
        partial: 0,
        x_offset: u32_of("offset", layout.offset()),
        outer_rank: s.shape.len() as u32,
        outer_shape: pad6(&s.shape),
        outer_strides: pad6(&s.strides[0]),
        ..Default::default()
    };
    // The buffers the final pass writes: values (a scratch buffer for arg ops) and indices (arg ops only).
    let values = if op.is_arg() { Some(be.alloc(rows, x.dtype)) } else { None };
    let (final_values, final_index) = match &values {
        Some(v) => (v.buffer(), out.buffer()),
        None => (out.buffer(), &ctx.dummy_write),
    };
    // The fast path's preconditions: unit stride, and every row start a multiple of 4.
    let contiguous = x.dtype == DType::F32
        && p.row_stride == 1
        && layout.offset().is_multiple_of(4)
        && s.strides[0].iter().all(|st| st.is_multiple_of(4));
    if n <= ROWS_MAX {
        ctx.dispatch(
            &REDUCE,
            entry_rows,
            &[(0, x.buffer()), (1, &ctx.dummy_read), (2, final_values), (3, final_index)],
            4,
            bytemuck::bytes_of(&p),
            ctx.grid_for(&REDUCE, entry_rows, rows),
        );
        return out;
    }
    // Multi-pass: pass 1 reads the view; later passes read the partials [rows, chunks] of the pass before.
    let mut input: Option<(WgpuStorage, WgpuStorage)> = None;
    let mut len = n;
    let mut entry = if contiguous { "reduce_contiguous_f32" } else { entry_wg };
    loop {
        let chunk = if entry == "reduce_contiguous_f32" { CONTIGUOUS_CHUNK } else { CHUNK };
        let chunks = len.div_ceil(chunk);
        p.chunk = chunk as u32;
        p.chunks = chunks as u32;
        let last = chunks == 1;
        let partials = (!last).then(|| (be.alloc(rows * chunks, x.dtype), be.alloc(rows * chunks, DType::I64)));
        let (vals, idx) = match &partials {
            Some((v, i)) => (v.buffer(), i.buffer()),
            None => (final_values, final_index),
        };
        let (src, src_idx) = match &input {
            Some((v, i)) => (v.buffer(), i.buffer()),
            None => (x.buffer(), &ctx.dummy_read),
        };
        // The contiguous kernel reads no partials, so its entry point has no binding 1.
        let all = [(0, src), (1, src_idx), (2, vals), (3, idx)];
        let no_partials = [(0, src), (2, vals), (3, idx)];
        let bindings: &[(u32, &wgpu::Buffer)] = if entry == "reduce_contiguous_f32" { &no_partials } else { &all };
        ctx.dispatch(&REDUCE, entry, bindings, 4, bytemuck::bytes_of(&p), grid(rows * chunks));
        if last {
            return out;
        }
        // The next pass reduces rows of `chunks` contiguous partials.
        len = chunks;
        p = ReduceParams {
            n: len as u32,
            row_stride: 1,
            partial: 1,
            x_offset: 0,
            outer_rank: 1,
            outer_shape: pad6(&[rows]),
            outer_strides: pad6(&[len]),
            ..p
        };
        input = partials;
        entry = entry_wg;
    }
}
