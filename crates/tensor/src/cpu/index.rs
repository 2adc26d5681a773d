//! Indexing kernels: gather, index_select and concat.
//!
//! All three compute, for each output element in logical order, which input element it copies. Index values
//! have been range-checked by the tensor layer.

use crate::dtype::{DType, Element, HostBuffer};
use crate::layout::Layout;

/// `out[..., i, ...] = x[..., index[..., i, ...], ...]` along `axis`; the output has the shape of `index`.
pub(crate) fn gather<T: Element>(x: &[T], layout: &Layout, axis: usize, idx: &[i64], il: &Layout) -> Vec<T> {
    let mut out = Vec::with_capacity(il.numel());
    // Input offset: the output position, with coordinate `axis` replaced by the index value.
    along_index(il, axis, idx, layout.strides(), layout.offset(), |off| out.push(x[off]));
    out
}

/// Calls `f(off)` for every position of the index (layout `il`), in logical order: `off = base + Σ_d c_d ·
/// strides[d]`, `c` being the position with coordinate `axis` replaced by the index value there.
fn along_index(il: &Layout, axis: usize, idx: &[i64], strides: &[usize], base: usize, mut f: impl FnMut(usize)) {
    let shape = il.shape();
    let mut pos = vec![0usize; shape.len()];
    for io in il.offsets() {
        let mut off = base;
        for d in 0..shape.len() {
            let c = if d == axis { idx[io] as usize } else { pos[d] };
            off += c * strides[d];
        }
        f(off);
        // Advance the odometer of index positions.
        for d in (0..shape.len()).rev() {
            pos[d] += 1;
            if pos[d] < shape[d] {
                break;
            }
            pos[d] = 0;
        }
    }
}

/// `out = x` (contiguous) with `out[.., idx[p], ..] += src[p]` for every position `p` of the index, in the
/// index's logical order (so repeated indices add up in a fixed order). `idx` and `src` have the same shape.
pub(crate) fn scatter_add<T: Element + std::ops::Add<Output = T>>(
    x: &[T],
    layout: &Layout,
    axis: usize,
    idx: &[i64],
    il: &Layout,
    src: &[T],
    sl: &Layout,
) -> Vec<T> {
    let mut out = super::elementwise::copy_strided(x, layout);
    let out_strides = crate::layout::contiguous_strides(layout.shape());
    let mut src_offsets = sl.offsets();
    // Output offset: the index position, with coordinate `axis` replaced by the index value.
    along_index(il, axis, idx, &out_strides, 0, |off| {
        let so = src_offsets.next().expect("scatter_add: src has the index's shape");
        out[off] = out[off] + src[so];
    });
    out
}

/// The entries `index` of dimension `axis`.
pub(crate) fn index_select<T: Element>(x: &[T], layout: &Layout, axis: usize, idx: &[i64], il: &Layout) -> Vec<T> {
    let picks: Vec<usize> = il.offsets().map(|o| idx[o] as usize).collect();
    let mut out = Vec::with_capacity(layout.numel() / layout.shape()[axis].max(1) * picks.len());
    let outer: usize = layout.shape()[..axis].iter().product();
    let outer_layout =
        Layout::from_parts(layout.shape()[..axis].to_vec(), layout.strides()[..axis].to_vec(), layout.offset());
    let inner = Layout::from_parts(layout.shape()[axis + 1..].to_vec(), layout.strides()[axis + 1..].to_vec(), 0);
    debug_assert_eq!(outer_layout.numel(), outer);
    for base in outer_layout.offsets() {
        for &p in &picks {
            let start = base + p * layout.strides()[axis];
            out.extend(inner.offsets().map(|o| x[start + o]));
        }
    }
    out
}

/// Concatenation along `axis` of views that agree on every other dimension.
pub(crate) fn concat(parts: &[(&HostBuffer, &Layout)], axis: usize) -> HostBuffer {
    fn typed<T: Element>(parts: &[(&HostBuffer, &Layout)], axis: usize) -> Vec<T> {
        let outer: usize = parts[0].1.shape()[..axis].iter().product();
        let total: usize = parts.iter().map(|(_, l)| l.numel()).sum();
        // Each part as a contiguous block; then, for each outer position, append each part's slab
        // (its `axis` and inner dimensions).
        let blocks: Vec<(Vec<T>, usize)> = parts
            .iter()
            .map(|(b, l)| {
                let v = T::from_host(b).expect("cat: checked to share a dtype");
                (super::elementwise::copy_strided(v, l), l.shape()[axis..].iter().product())
            })
            .collect();
        let mut out = Vec::with_capacity(total);
        for o in 0..outer {
            for (b, slab) in &blocks {
                out.extend_from_slice(&b[o * slab..(o + 1) * slab]);
            }
        }
        out
    }
    match parts[0].0.dtype() {
        DType::F32 => typed::<f32>(parts, axis).into(),
        DType::F64 => typed::<f64>(parts, axis).into(),
        DType::I64 => typed::<i64>(parts, axis).into(),
    }
}
