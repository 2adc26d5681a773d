//! Launcher of `softmax.wgsl`: softmax and log-softmax ([`SoftmaxOp`]) along an axis.
//!
//! CPU twin: `cpu/softmax.rs`; scalar definitions: `ops::softmax` and `ops::log_softmax`. As for the reductions
//! (`reduce.rs`), the axis is moved last ([`axis_last`]) and each output row normalises one input row.
//!
//! Geometry by row length `n` and layout: rows of at most `SOFTMAX_ROWS_MAX` elements are one invocation each
//! (`softmax_rows_f32`); contiguous f32 rows (unit stride, starts multiples of 4, `n` a multiple of 4) of at most
//! [`SOFTMAX_REGISTERS_MAX`] elements take `softmax_contiguous_f32`, which reads its row once into registers and
//! writes it once; other rows take the three-pass `softmax_f32`, a workgroup per row.

use super::params::{collapse, pad6, softmax_code, u32_of, SoftmaxParams};
use super::reduce::outer;
use super::shaders::SOFTMAX;
use super::{grid, WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::{contiguous_strides, Layout};
use crate::ops::{axis_last, SoftmaxOp};

/// Softmax rows up to this length are handled by one invocation each.
const SOFTMAX_ROWS_MAX: usize = 128;
/// The longest row `softmax_contiguous_f32` holds in registers: 8 quads per invocation (`QUADS` in softmax.wgsl).
pub const SOFTMAX_REGISTERS_MAX: usize = 8 * 4 * 256;

/// Softmax or log-softmax (`op`) along `axis`; the output is contiguous with the input's shape.
pub(super) fn softmax(be: &WgpuBackend, op: SoftmaxOp, x: &WgpuStorage, layout: &Layout, axis: usize) -> WgpuStorage {
    let numel = layout.numel();
    let out = be.alloc(numel, DType::F32);
    let n = layout.shape()[axis];
    if numel == 0 {
        return out;
    }
    let moved = axis_last(layout, axis);
    let out_layout =
        axis_last(&Layout::from_parts(layout.shape().to_vec(), contiguous_strides(layout.shape()), 0), axis);
    let (xo, oo) = (outer(&moved), outer(&out_layout));
    let rows = xo.numel();
    let s = collapse(op.name(), &[&xo, &oo]);
    let p = SoftmaxParams {
        rows: u32_of("rows", rows),
        n: u32_of("n", n),
        x_row_stride: u32_of("stride", moved.strides()[moved.rank() - 1]),
        out_row_stride: u32_of("stride", out_layout.strides()[out_layout.rank() - 1]),
        op: softmax_code(op),
        x_offset: u32_of("offset", layout.offset()),
        outer_rank: s.shape.len() as u32,
        _pad: 0,
        outer_shape: pad6(&s.shape),
        x_outer_strides: pad6(&s.strides[0]),
        out_outer_strides: pad6(&s.strides[1]),
    };
    let quad = |v: usize| v.is_multiple_of(4);
    let contiguous = p.x_row_stride == 1
        && p.out_row_stride == 1
        && quad(n)
        && n <= SOFTMAX_REGISTERS_MAX
        && quad(layout.offset())
        && s.strides.iter().flatten().all(|&st| quad(st));
    // One invocation per row, or one workgroup per row.
    let (entry, groups) = if n <= SOFTMAX_ROWS_MAX {
        ("softmax_rows_f32", be.ctx().grid_for(&SOFTMAX, "softmax_rows_f32", rows))
    } else if contiguous {
        ("softmax_contiguous_f32", grid(rows))
    } else {
        ("softmax_f32", grid(rows))
    };
    be.ctx().dispatch(&SOFTMAX, entry, &[(0, x.buffer()), (1, out.buffer())], 2, bytemuck::bytes_of(&p), groups);
    out
}
