//! Launchers of `elementwise.wgsl` (unary, binary) and `copy.wgsl` (strided copy, cast, fill, where, concat).
//!
//! CPU twins: `cpu/elementwise.rs` and `concat` in `cpu/index.rs`. Each launcher simplifies the views together
//! ([`collapse`]), fills the kernel's `Params` and dispatches one invocation per output element — except for the
//! fast path of `unary` and `binary`: contiguous f32 operands at offsets that are multiples of 4 go to the vec4
//! kernels, [`VEC4_QUADS`] quads (4 elements each) per invocation, the kernels a large tensor spends its memory
//! bandwidth in.

use super::params::{binary_code, collapse, pad6, u32_of, unary_code, CopyParams, ElementwiseParams};
use super::shaders::{COPY, ELEMENTWISE};
use super::{WgpuBackend, WgpuStorage};
use crate::dtype::DType;
use crate::layout::{contiguous_strides, Layout};
use crate::ops::{BinaryKernel, UnaryOp};

/// Quads per invocation of the vec4 kernels (`QUADS` in elementwise.wgsl, compared by a test): enough loads in
/// flight per invocation to cover the memory latency, few enough that a large tensor still makes thousands of
/// workgroups.
pub const VEC4_QUADS: usize = 4;

/// Workgroups of a vec4 kernel over `numel` elements: one invocation per [`VEC4_QUADS`] quads.
fn vec4_groups(be: &WgpuBackend, entry: &'static str, numel: usize) -> (u32, u32, u32) {
    be.ctx().grid_for(&ELEMENTWISE, entry, numel.div_ceil(4 * VEC4_QUADS))
}
/// The i32 form of an integral f64 parameter, if it has one.
fn as_i32(v: f64) -> Option<i32> {
    (v.fract() == 0.0 && v >= i32::MIN as f64 && v <= i32::MAX as f64).then_some(v as i32)
}

/// `out[i] = op(x[i])`.
pub(super) fn unary(be: &WgpuBackend, op: UnaryOp, x: &WgpuStorage, layout: &Layout) -> WgpuStorage {
    let numel = layout.numel();
    let out = be.alloc(numel, x.dtype);
    if numel == 0 {
        return out;
    }
    let s = collapse(op.name(), &[layout]);
    let mut p = ElementwiseParams {
        numel: u32_of("numel", numel),
        rank: s.shape.len() as u32,
        op: unary_code(op),
        contiguous: layout.is_contiguous() as u32,
        lhs_offset: u32_of("offset", layout.offset()),
        shape: pad6(&s.shape),
        lhs_strides: pad6(&s.strides[0]),
        ..Default::default()
    };
    match op {
        UnaryOp::Powf(e) => p.a = e as f32,
        UnaryOp::Clamp(lo, hi) => {
            (p.a, p.b) = (lo as f32, hi as f32);
            // As `ops::unary_i64`: integers clamp to [ceil(lo), floor(hi)] (`as` saturates to i32).
            (p.ia, p.ib) = (lo.ceil() as i32, hi.floor() as i32);
        }
        UnaryOp::Affine(mul, add) => {
            (p.a, p.b) = (mul as f32, add as f32);
            if let (Some(m), Some(a)) = (as_i32(mul), as_i32(add)) {
                (p.ia, p.ib, p.int_affine) = (m, a, 1);
            }
        }
        _ => {}
    }
    let (entry, groups) = if x.dtype == DType::F32 && layout.is_contiguous() && layout.offset().is_multiple_of(4) {
        ("unary_vec4_f32", vec4_groups(be, "unary_vec4_f32", numel))
    } else if x.dtype == DType::I64 {
        ("unary_i32", be.ctx().grid_for(&ELEMENTWISE, "unary_i32", numel))
    } else {
        ("unary_f32", be.ctx().grid_for(&ELEMENTWISE, "unary_f32", numel))
    };
    be.ctx().dispatch(&ELEMENTWISE, entry, &[(0, x.buffer()), (2, out.buffer())], 3, bytemuck::bytes_of(&p), groups);
    out
}

/// `out[i] = op(lhs[i], rhs[i])` over two views of one shape (a broadcast operand has stride-0 dimensions), for
/// any binary kernel: a public op, or ReLU's gradient.
pub(super) fn binary(
    be: &WgpuBackend,
    op: BinaryKernel,
    lhs: &WgpuStorage,
    ll: &Layout,
    rhs: &WgpuStorage,
    rl: &Layout,
) -> WgpuStorage {
    let numel = ll.numel();
    let out = be.alloc(numel, lhs.dtype);
    if numel == 0 {
        return out;
    }
    let s = collapse(op.name(), &[ll, rl]);
    let p = ElementwiseParams {
        numel: u32_of("numel", numel),
        rank: s.shape.len() as u32,
        op: binary_code(op),
        contiguous: (ll.is_contiguous() && rl.is_contiguous()) as u32,
        lhs_offset: u32_of("offset", ll.offset()),
        rhs_offset: u32_of("offset", rl.offset()),
        shape: pad6(&s.shape),
        lhs_strides: pad6(&s.strides[0]),
        rhs_strides: pad6(&s.strides[1]),
        ..Default::default()
    };
    let vec4 = lhs.dtype == DType::F32
        && ll.is_contiguous()
        && rl.is_contiguous()
        && ll.offset().is_multiple_of(4)
        && rl.offset().is_multiple_of(4);
    let (entry, groups) = if vec4 {
        ("binary_vec4_f32", vec4_groups(be, "binary_vec4_f32", numel))
    } else if lhs.dtype == DType::I64 {
        ("binary_i32", be.ctx().grid_for(&ELEMENTWISE, "binary_i32", numel))
    } else {
        ("binary_f32", be.ctx().grid_for(&ELEMENTWISE, "binary_f32", numel))
    };
    be.ctx().dispatch(
        &ELEMENTWISE,
        entry,
        &[(0, lhs.buffer()), (1, rhs.buffer()), (2, out.buffer())],
        3,
        bytemuck::bytes_of(&p),
        groups,
    );
    out
}

/// `CopyParams` for views of one shape: `x` (binding 0), optionally `on_true`/`on_false`, and the output view.
fn copy_params(op: &str, x: &Layout, tf: Option<(&Layout, &Layout)>, out: &Layout) -> CopyParams {
    let mut views = vec![x, out];
    if let Some((t, f)) = tf {
        views.extend([t, f]);
    }
    let s = collapse(op, &views);
    let mut p = CopyParams {
        numel: u32_of("numel", x.numel()),
        rank: s.shape.len() as u32,
        contiguous: (x.is_contiguous() && out.is_contiguous()) as u32,
        x_offset: u32_of("offset", x.offset()),
        out_offset: u32_of("offset", out.offset()),
        shape: pad6(&s.shape),
        x_strides: pad6(&s.strides[0]),
        out_strides: pad6(&s.strides[1]),
        ..Default::default()
    };
    if let Some((t, f)) = tf {
        (p.t_offset, p.f_offset) = (u32_of("offset", t.offset()), u32_of("offset", f.offset()));
        (p.t_strides, p.f_strides) = (pad6(&s.strides[2]), pad6(&s.strides[3]));
    }
    p
}

/// A contiguous copy of a view (a plain buffer copy when the view already is contiguous).
pub(super) fn copy_strided(be: &WgpuBackend, x: &WgpuStorage, layout: &Layout) -> WgpuStorage {
    let numel = layout.numel();
    let out = be.alloc(numel, x.dtype);
    if numel == 0 {
        return out;
    }
    if let Some(r) = layout.contiguous_range() {
        be.ctx().copy(x.buffer(), r.start as u64 * 4, out.buffer(), 0, numel as u64 * 4);
        return out;
    }
    let p = copy_params("contiguous", layout, None, &Layout::contiguous(layout.shape()));
    be.ctx().dispatch(
        &COPY,
        "copy_strided_x32",
        &[(0, x.buffer()), (3, out.buffer())],
        4,
        bytemuck::bytes_of(&p),
        be.ctx().grid_for(&COPY, "copy_strided_x32", numel),
    );
    out
}

/// Every element of a view converted to `dtype` (f32 -> int truncates toward zero).
pub(super) fn cast(be: &WgpuBackend, x: &WgpuStorage, layout: &Layout, dtype: DType) -> WgpuStorage {
    let entry = match (x.dtype, dtype) {
        (a, b) if a == b => return copy_strided(be, x, layout),
        (DType::F32, DType::I64) => "cast_f32_i32",
        (DType::I64, DType::F32) => "cast_i32_f32",
        (a, b) => panic!("cast: the wgpu device has no {a} -> {b} conversion (no float64 on the device)"),
    };
    let numel = layout.numel();
    let out = be.alloc(numel, dtype);
    if numel == 0 {
        return out;
    }
    let p = copy_params("to_dtype", layout, None, &Layout::contiguous(layout.shape()));
    be.ctx().dispatch(
        &COPY,
        entry,
        &[(0, x.buffer()), (3, out.buffer())],
        4,
        bytemuck::bytes_of(&p),
        be.ctx().grid_for(&COPY, entry, numel),
    );
    out
}

/// `numel` copies of `value` converted to `dtype`.
pub(super) fn full(be: &WgpuBackend, numel: usize, value: f64, dtype: DType) -> WgpuStorage {
    let out = be.alloc(numel, dtype);
    fill(be, &out, value);
    out
}

/// Sets every element of `out` to `value`.
pub(super) fn fill(be: &WgpuBackend, out: &WgpuStorage, value: f64) {
    let numel = out.len();
    let bits = match out.dtype {
        DType::F32 => (value as f32).to_bits(),
        DType::I64 => {
            let v = value as i64;
            i32::try_from(v)
                .unwrap_or_else(|_| panic!("full: the wgpu device stores int64 as int32, and {v} does not fit"))
                as u32
        }
        DType::F64 => panic!("full: the wgpu device has no float64 tensors"),
    };
    if numel == 0 {
        return;
    }
    if bits == 0 {
        be.ctx().clear(out.buffer(), numel as u64 * 4);
        return;
    }
    let p = CopyParams { numel: u32_of("numel", numel), value: bits, ..Default::default() };
    be.ctx().dispatch(
        &COPY,
        "fill_x32",
        &[(3, out.buffer())],
        4,
        bytemuck::bytes_of(&p),
        be.ctx().grid_for(&COPY, "fill_x32", numel),
    );
}

/// `out[i] = cond[i] != 0 ? on_true[i] : on_false[i]`.
pub(super) fn where_cond(
    be: &WgpuBackend,
    cond: &WgpuStorage,
    cl: &Layout,
    on_true: &WgpuStorage,
    tl: &Layout,
    on_false: &WgpuStorage,
    fl: &Layout,
) -> WgpuStorage {
    let numel = cl.numel();
    let out = be.alloc(numel, on_true.dtype);
    if numel == 0 {
        return out;
    }
    let mut p = copy_params("where", cl, Some((tl, fl)), &Layout::contiguous(cl.shape()));
    p.contiguous = 0;
    let entry = if cond.dtype == DType::I64 { "where_cond_i32" } else { "where_cond_f32" };
    be.ctx().dispatch(
        &COPY,
        entry,
        &[(0, cond.buffer()), (1, on_true.buffer()), (2, on_false.buffer()), (3, out.buffer())],
        4,
        bytemuck::bytes_of(&p),
        be.ctx().grid_for(&COPY, entry, numel),
    );
    out
}

/// Concatenation along `axis`: each part is a strided copy into the output, at its offset along `axis`.
pub(super) fn concat(be: &WgpuBackend, parts: &[(&WgpuStorage, &Layout)], axis: usize) -> WgpuStorage {
    let mut shape = parts[0].1.shape().to_vec();
    shape[axis] = parts.iter().map(|(_, l)| l.shape()[axis]).sum();
    let numel: usize = shape.iter().product();
    let out = be.alloc(numel, parts[0].0.dtype);
    let out_strides = contiguous_strides(&shape);
    let mut start = 0;
    for (x, l) in parts {
        let n = l.shape()[axis];
        if l.numel() > 0 {
            let dst = Layout::from_parts(l.shape().to_vec(), out_strides.clone(), start * out_strides[axis]);
            let p = copy_params("cat", l, None, &dst);
            be.ctx().dispatch(
                &COPY,
                "copy_strided_x32",
                &[(0, x.buffer()), (3, out.buffer())],
                4,
                bytemuck::bytes_of(&p),
                be.ctx().grid_for(&COPY, "copy_strided_x32", l.numel()),
            );
        }
        start += n;
    }
    out
}
