//! Element-wise kernels: one `map` (unary) and one `zip` (binary) family, plus `where`, `cast` and the strided
//! copy behind `contiguous()`.
//!
//! Each kernel has three paths, tried in order:
//! 1. **contiguous** — every operand is one slice: a tight loop the compiler vectorises, split over the thread
//!    pool in fixed chunks above [`PAR_THRESHOLD`] elements;
//! 2. **row-strided** — the last dimension is walked with its own stride (1, or 0 for a broadcast operand such as
//!    a bias row), the outer dimensions with an odometer ([`Rows`]);
//! 3. there is no third: rank-0 tensors are a single row of length 1.
//!
//! The op itself is a closure calling the scalar definition in [`crate::ops`], so kernels and tests share it.

use rayon::prelude::*;

use crate::dtype::{DType, Element, HostBuffer};
use crate::layout::Layout;
use crate::ops::{self, BinaryOp, Float, UnaryOp};

/// Below this many elements, element-wise kernels stay on the calling thread.
pub(crate) const PAR_THRESHOLD: usize = 1 << 16;
/// Chunk size of the parallel element-wise loops (fixed, so results never depend on the thread count).
const PAR_CHUNK: usize = 1 << 14;

/// The rows of a layout: the storage offset where each row (run along the last dimension) starts, the row
/// length and the stride inside a row. A 0-d layout is one row of length 1.
pub(crate) struct Rows {
    pub outer: Layout,
    pub len: usize,
    pub stride: usize,
}

impl Rows {
    pub(crate) fn of(layout: &Layout) -> Rows {
        let r = layout.rank();
        if r == 0 {
            return Rows { outer: Layout::from_parts(vec![], vec![], layout.offset()), len: 1, stride: 1 };
        }
        Rows {
            outer: Layout::from_parts(
                layout.shape()[..r - 1].to_vec(),
                layout.strides()[..r - 1].to_vec(),
                layout.offset(),
            ),
            len: layout.shape()[r - 1],
            stride: layout.strides()[r - 1],
        }
    }
}

/// `out[i] = f(x[i])` over any layout.
pub(crate) fn map<T: Element, U: Element>(x: &[T], layout: &Layout, f: impl Fn(T) -> U + Sync + Send) -> Vec<U> {
    if let Some(range) = layout.contiguous_range() {
        let x = &x[range];
        if x.len() >= PAR_THRESHOLD {
            let mut out = vec![U::default(); x.len()];
            super::parallel::install(|| {
                out.par_chunks_mut(PAR_CHUNK).zip(x.par_chunks(PAR_CHUNK)).for_each(|(o, x)| {
                    for (o, &x) in o.iter_mut().zip(x) {
                        *o = f(x);
                    }
                })
            });
            return out;
        }
        return x.iter().map(|&v| f(v)).collect();
    }
    let rows = Rows::of(layout);
    let mut out = Vec::with_capacity(layout.numel());
    for start in rows.outer.offsets() {
        if rows.stride == 1 {
            out.extend(x[start..start + rows.len].iter().map(|&v| f(v)));
        } else {
            out.extend((0..rows.len).map(|j| f(x[start + j * rows.stride])));
        }
    }
    out
}

/// `out[i] = f(lhs[i], rhs[i])` over two layouts of the same shape.
pub(crate) fn zip<T: Element, U: Element>(
    lhs: &[T],
    ll: &Layout,
    rhs: &[T],
    rl: &Layout,
    f: impl Fn(T, T) -> U + Sync + Send,
) -> Vec<U> {
    debug_assert_eq!(ll.shape(), rl.shape());
    if let (Some(lr), Some(rr)) = (ll.contiguous_range(), rl.contiguous_range()) {
        let (l, r) = (&lhs[lr], &rhs[rr]);
        if l.len() >= PAR_THRESHOLD {
            let mut out = vec![U::default(); l.len()];
            super::parallel::install(|| {
                out.par_chunks_mut(PAR_CHUNK).zip(l.par_chunks(PAR_CHUNK).zip(r.par_chunks(PAR_CHUNK))).for_each(
                    |(o, (l, r))| {
                        for ((o, &a), &b) in o.iter_mut().zip(l).zip(r) {
                            *o = f(a, b);
                        }
                    },
                )
            });
            return out;
        }
        return l.iter().zip(r).map(|(&a, &b)| f(a, b)).collect();
    }
    let (lrows, rrows) = (Rows::of(ll), Rows::of(rl));
    let n = lrows.len;
    let mut out = Vec::with_capacity(ll.numel());
    for (ls, rs) in lrows.outer.offsets().zip(rrows.outer.offsets()) {
        match (lrows.stride, rrows.stride) {
            (1, 1) => out.extend(lhs[ls..ls + n].iter().zip(&rhs[rs..rs + n]).map(|(&a, &b)| f(a, b))),
            (1, 0) => {
                let b = rhs[rs];
                out.extend(lhs[ls..ls + n].iter().map(|&a| f(a, b)));
            }
            (0, 1) => {
                let a = lhs[ls];
                out.extend(rhs[rs..rs + n].iter().map(|&b| f(a, b)));
            }
            (sl, sr) => out.extend((0..n).map(|j| f(lhs[ls + j * sl], rhs[rs + j * sr]))),
        }
    }
    out
}

/// Unary float op.
pub(crate) fn unary_float<T: Float + Element>(op: UnaryOp, x: &[T], layout: &Layout) -> Vec<T> {
    // Monomorphise the common ops so the inner loop has no `match`.
    match op {
        UnaryOp::Relu => map(x, layout, ops::relu),
        UnaryOp::Sigmoid => map(x, layout, ops::sigmoid),
        UnaryOp::Neg => map(x, layout, |v: T| -v),
        UnaryOp::Exp => map(x, layout, |v: T| v.exp()),
        UnaryOp::Affine(a, b) => {
            let (a, b) = (T::of(a), T::of(b));
            map(x, layout, move |v: T| v * a + b)
        }
        op => map(x, layout, move |v: T| ops::unary(op, v)),
    }
}

/// Binary float op.
pub(crate) fn binary_float<T: Float + Element>(op: BinaryOp, l: &[T], ll: &Layout, r: &[T], rl: &Layout) -> Vec<T> {
    match op {
        BinaryOp::Add => zip(l, ll, r, rl, |a: T, b: T| a + b),
        BinaryOp::Sub => zip(l, ll, r, rl, |a: T, b: T| a - b),
        BinaryOp::Mul => zip(l, ll, r, rl, |a: T, b: T| a * b),
        BinaryOp::Div => zip(l, ll, r, rl, |a: T, b: T| a / b),
        op => zip(l, ll, r, rl, move |a: T, b: T| ops::binary(op, a, b)),
    }
}

/// Copies a view into a contiguous vector.
pub(crate) fn copy_strided<T: Element>(x: &[T], layout: &Layout) -> Vec<T> {
    if let Some(range) = layout.contiguous_range() {
        return x[range].to_vec();
    }
    map(x, layout, |v| v)
}

/// Converts a view to another dtype.
pub(crate) fn cast(x: &HostBuffer, layout: &Layout, dtype: DType) -> HostBuffer {
    macro_rules! to {
        ($v:expr, $t:ty) => {
            map($v, layout, |a| a as $t).into()
        };
    }
    match (x, dtype) {
        (HostBuffer::F32(v), DType::F32) => to!(v, f32),
        (HostBuffer::F32(v), DType::F64) => to!(v, f64),
        (HostBuffer::F32(v), DType::I64) => to!(v, i64),
        (HostBuffer::F64(v), DType::F32) => to!(v, f32),
        (HostBuffer::F64(v), DType::F64) => to!(v, f64),
        (HostBuffer::F64(v), DType::I64) => to!(v, i64),
        (HostBuffer::I64(v), DType::F32) => to!(v, f32),
        (HostBuffer::I64(v), DType::F64) => to!(v, f64),
        (HostBuffer::I64(v), DType::I64) => to!(v, i64),
    }
}

/// `out[i] = if cond[i] != 0 { t[i] } else { f[i] }`.
pub(crate) fn where_cond(
    cond: &HostBuffer,
    cl: &Layout,
    on_true: &HostBuffer,
    tl: &Layout,
    on_false: &HostBuffer,
    fl: &Layout,
) -> HostBuffer {
    // Select per element: build the boolean mask once, then pick.
    let mask: Vec<bool> = match cond {
        HostBuffer::F32(c) => cl.offsets().map(|o| c[o] != 0.0).collect(),
        HostBuffer::F64(c) => cl.offsets().map(|o| c[o] != 0.0).collect(),
        HostBuffer::I64(c) => cl.offsets().map(|o| c[o] != 0).collect(),
    };
    fn pick<T: Element>(mask: &[bool], t: &[T], tl: &Layout, f: &[T], fl: &Layout) -> Vec<T> {
        let t = copy_strided(t, tl);
        let f = copy_strided(f, fl);
        mask.iter().zip(t.iter().zip(&f)).map(|(&m, (&a, &b))| if m { a } else { b }).collect()
    }
    match (on_true, on_false) {
        (HostBuffer::F32(t), HostBuffer::F32(f)) => pick(&mask, t, tl, f, fl).into(),
        (HostBuffer::F64(t), HostBuffer::F64(f)) => pick(&mask, t, tl, f, fl).into(),
        (HostBuffer::I64(t), HostBuffer::I64(f)) => pick(&mask, t, tl, f, fl).into(),
        _ => unreachable!("where: values checked to share a dtype"),
    }
}
