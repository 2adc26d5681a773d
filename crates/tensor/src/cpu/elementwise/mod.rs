//! Element-wise kernels: one `map` (unary) and one `zip` (binary) family, plus `where`, `cast` and the strided
//! copy behind `contiguous()`.
//!
//! Read [`map`] and [`zip`] first: each has two paths, tried in order —
//! 1. **contiguous** — every operand is one slice: a tight loop the compiler vectorises, split over the thread
//!    pool in fixed chunks above a size threshold (see the comment at [`PAR_THRESHOLD`]);
//! 2. **strided** — row by row: the last dimension walked with its own stride (1, or 0 for a broadcast operand
//!    such as a bias row), the outer dimensions with an odometer ([`Rows`]). Rank-0 tensors are a single row of
//!    length 1.
//!
//! The op itself is a closure calling the scalar definition in [`crate::ops`], so kernels and tests share it.
//! Integer tensors go through these two loops as they are. Float ops take the fast paths of `fast.rs`
//! (`unary_float`, `binary_float`: SIMD runs, broadcast rows, short rows), which fall back to these loops where
//! no fast path fits.

mod fast;

use rayon::prelude::*;

use crate::dtype::{DType, Element, HostBuffer};
use crate::layout::Layout;

use super::simd::Operand;
pub(crate) use fast::{binary_float, unary_float};

// Thresholds. Splitting a loop over the pool has a fixed cost per call (waking a worker, then waiting for it at the
// join), and a second core that is busy with other work takes longer still to join. A split pays only when half
// the work is several times that cost, so the threshold follows the cost of the op per element: 2^20 elements for
// the cheap ops (one load and one store per element, memory-bound), 2^17 for the transcendental ones (a polynomial
// per element). `ELEMENTWISE_THRESHOLD_TABLE=1 cargo bench --bench elementwise` times each op best-of-N inside
// rayon pools of 1 and 2 threads with the thresholds lowered to 4096, which is how these were chosen; the README's
// table of measured figures has its results.

/// Below this many elements, cheap element-wise ops (`+ - * /`, comparisons, relu, affine, copies) stay on the
/// calling thread.
pub(crate) const PAR_THRESHOLD_CHEAP: usize = 1 << 20;
/// Below this many elements, the costly element-wise ops (exp, log, sigmoid, tanh, pow, bce...) stay on the
/// calling thread.
pub(crate) const PAR_THRESHOLD: usize = 1 << 17;
/// Chunk size of the parallel element-wise loops (fixed, so the split never depends on the thread count; 256 KiB
/// of f32, about an L2).
const PAR_CHUNK: usize = 1 << 16;

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
        if x.len() >= PAR_THRESHOLD_CHEAP {
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
        if l.len() >= PAR_THRESHOLD_CHEAP {
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

/// How a whole operand is read by the one-pass paths (`where`, and the first path of `binary_float`): a slice or a
/// single broadcast element.
enum Whole {
    /// Contiguous: this storage range.
    Slice(std::ops::Range<usize>),
    /// Every element is the storage element at this index.
    Scalar(usize),
}

impl Whole {
    fn of(layout: &Layout) -> Option<Whole> {
        if let Some(range) = layout.contiguous_range() {
            Some(Whole::Slice(range))
        } else if layout.numel() > 0 && layout.strides().iter().all(|&s| s == 0) {
            Some(Whole::Scalar(layout.offset()))
        } else {
            None
        }
    }

    /// Storage index of logical element `i`.
    #[inline(always)]
    fn index(&self, i: usize) -> usize {
        match self {
            Whole::Slice(range) => range.start + i,
            Whole::Scalar(at) => *at,
        }
    }

    /// Elements `at..at + len` of the operand.
    fn operand<'a, T: Copy>(&self, x: &'a [T], at: usize, len: usize) -> Operand<'a, T> {
        match self {
            Whole::Slice(range) => Operand::Slice(&x[range.start + at..range.start + at + len]),
            Whole::Scalar(i) => Operand::Scalar(x[*i]),
        }
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
///
/// When every operand is contiguous or a single broadcast value (the common case: a mask against a tensor and
/// a scalar 0), one pass reads each operand directly; otherwise the three layouts are walked element by element.
pub(crate) fn where_cond(
    cond: &HostBuffer,
    cl: &Layout,
    on_true: &HostBuffer,
    tl: &Layout,
    on_false: &HostBuffer,
    fl: &Layout,
) -> HostBuffer {
    fn pick<C: Copy, T: Element>(
        cs: &[C],
        cl: &Layout,
        ts: &[T],
        tl: &Layout,
        fs: &[T],
        fl: &Layout,
        nonzero: impl Fn(C) -> bool,
    ) -> Vec<T> {
        use Whole::{Scalar, Slice};
        // One loop per operand kind, so that each is a straight select the compiler vectorises.
        match (Whole::of(cl), Whole::of(tl), Whole::of(fl)) {
            (Some(Slice(c)), Some(Slice(t)), Some(Slice(f))) => {
                let (c, t, f) = (&cs[c], &ts[t], &fs[f]);
                return c.iter().zip(t).zip(f).map(|((&c, &t), &f)| if nonzero(c) { t } else { f }).collect();
            }
            (Some(Slice(c)), Some(Slice(t)), Some(Scalar(f))) => {
                let f = fs[f];
                return cs[c].iter().zip(&ts[t]).map(|(&c, &t)| if nonzero(c) { t } else { f }).collect();
            }
            (Some(Slice(c)), Some(Scalar(t)), Some(Slice(f))) => {
                let t = ts[t];
                return cs[c].iter().zip(&fs[f]).map(|(&c, &f)| if nonzero(c) { t } else { f }).collect();
            }
            (Some(cw), Some(tw), Some(fw)) => {
                return (0..cl.numel())
                    .map(|i| if nonzero(cs[cw.index(i)]) { ts[tw.index(i)] } else { fs[fw.index(i)] })
                    .collect();
            }
            _ => {}
        }
        cl.offsets()
            .zip(tl.offsets())
            .zip(fl.offsets())
            .map(|((co, to), fo)| if nonzero(cs[co]) { ts[to] } else { fs[fo] })
            .collect()
    }
    macro_rules! values {
        ($c:expr, $nz:expr) => {
            match (on_true, on_false) {
                (HostBuffer::F32(t), HostBuffer::F32(f)) => pick($c, cl, t, tl, f, fl, $nz).into(),
                (HostBuffer::F64(t), HostBuffer::F64(f)) => pick($c, cl, t, tl, f, fl, $nz).into(),
                (HostBuffer::I64(t), HostBuffer::I64(f)) => pick($c, cl, t, tl, f, fl, $nz).into(),
                _ => unreachable!("where: values checked to share a dtype"),
            }
        };
    }
    match cond {
        HostBuffer::F32(c) => values!(c, |v: f32| v != 0.0),
        HostBuffer::F64(c) => values!(c, |v: f64| v != 0.0),
        HostBuffer::I64(c) => values!(c, |v: i64| v != 0),
    }
}
