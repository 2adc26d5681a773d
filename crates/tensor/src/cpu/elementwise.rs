//! Element-wise kernels: one `map` (unary) and one `zip` (binary) family, plus `where`, `cast` and the strided
//! copy behind `contiguous()`.
//!
//! Each kernel has three paths, tried in order:
//! 1. **contiguous** — every operand is one slice: a tight loop the compiler vectorises, split over the thread
//!    pool in fixed chunks above a size threshold (see the comment at [`PAR_THRESHOLD`]);
//! 2. **row-strided** — the last dimension is walked with its own stride (1, or 0 for a broadcast operand such as
//!    a bias row), the outer dimensions with an odometer ([`Rows`]);
//! 3. there is no third: rank-0 tensors are a single row of length 1.
//!
//! The op itself is a closure calling the scalar definition in [`crate::ops`], so kernels and tests share it.

use rayon::prelude::*;

use super::simd::{self, Operand, SimdFloat};
use crate::dtype::{DType, Element, HostBuffer};
use crate::layout::Layout;
use crate::ops::{self, BinaryOp, UnaryOp};

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

/// The parallel threshold of a unary op: cheap ones need more elements to pay for the threads.
fn unary_threshold(op: UnaryOp) -> usize {
    match op {
        UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Relu | UnaryOp::Clamp(..) | UnaryOp::Affine(..) | UnaryOp::Sign => {
            PAR_THRESHOLD_CHEAP
        }
        _ => PAR_THRESHOLD,
    }
}

/// The parallel threshold of a binary op.
fn binary_threshold(op: BinaryOp) -> usize {
    match op {
        BinaryOp::Pow | BinaryOp::BceWithLogits => PAR_THRESHOLD,
        _ => PAR_THRESHOLD_CHEAP,
    }
}

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

/// Unary float op: contiguous runs (the whole tensor, or each row of a view whose last dimension has stride 1)
/// go to the SIMD kernels of [`super::simd`]; other views apply the scalar definition element by element.
pub(crate) fn unary_float<T: SimdFloat + Element>(op: UnaryOp, x: &[T], layout: &Layout) -> Vec<T> {
    let isa = simd::active();
    // Every path below writes every element (the cached buffer's old values are never read).
    let mut out = T::take_buffer(layout.numel());
    if let Some(range) = layout.contiguous_range() {
        let x = &x[range];
        if x.len() >= unary_threshold(op) {
            // Fixed chunks: each element is computed alone, so the split cannot change a result anyway.
            super::parallel::install(|| {
                out.par_chunks_mut(PAR_CHUNK)
                    .zip(x.par_chunks(PAR_CHUNK))
                    .for_each(|(o, x)| T::unary_run(isa, op, x, o))
            });
        } else {
            T::unary_run(isa, op, x, &mut out);
        }
        return out;
    }
    let rows = Rows::of(layout);
    if rows.len == 0 {
        return out;
    }
    for (start, o) in rows.outer.offsets().zip(out.chunks_exact_mut(rows.len)) {
        if rows.stride == 1 {
            T::unary_run(isa, op, &x[start..start + rows.len], o);
        } else {
            for (j, o) in o.iter_mut().enumerate() {
                *o = ops::unary(op, x[start + j * rows.stride]);
            }
        }
    }
    out
}

/// The run of `len` elements of a row starting at `start` with stride `stride`, as a kernel operand: a slice
/// (stride 1) or a broadcast scalar (stride 0); `None` for other strides.
fn operand<T: Copy>(x: &[T], start: usize, len: usize, stride: usize) -> Option<Operand<'_, T>> {
    match stride {
        1 => Some(Operand::Slice(&x[start..start + len])),
        0 => Some(Operand::Scalar(x[start])),
        _ => None,
    }
}

/// Binary float op. Paths, in order:
/// 1. both operands contiguous, or one contiguous and the other a single broadcast value (`x / 2`): one SIMD
///    call over the whole tensor, split in fixed chunks over the pool above [`PAR_THRESHOLD`];
/// 2. row by row, each operand's row a slice (stride 1) or a broadcast value (stride 0), e.g. `x @ w + b`:
///    one SIMD call per row;
/// 3. rows with other strides: the scalar definition element by element.
pub(crate) fn binary_float<T: SimdFloat + Element>(op: BinaryOp, l: &[T], ll: &Layout, r: &[T], rl: &Layout) -> Vec<T> {
    debug_assert_eq!(ll.shape(), rl.shape());
    let isa = simd::active();
    let n = ll.numel();
    // Every path below writes every element (the cached buffer's old values are never read).
    let mut out = T::take_buffer(n);
    if let (Some(lw), Some(rw)) = (Whole::of(ll), Whole::of(rl)) {
        if n >= binary_threshold(op) {
            super::parallel::install(|| {
                out.par_chunks_mut(PAR_CHUNK).enumerate().for_each(|(c, o)| {
                    let at = c * PAR_CHUNK;
                    let (lo, ro) = (lw.operand(l, at, o.len()), rw.operand(r, at, o.len()));
                    T::binary_run(isa, op, lo, ro, o)
                })
            });
        } else {
            T::binary_run(isa, op, lw.operand(l, 0, n), rw.operand(r, 0, n), &mut out);
        }
        return out;
    }
    let (lrows, rrows) = (Rows::of(ll), Rows::of(rl));
    let len = lrows.len;
    if len == 0 {
        return out;
    }
    if let Some(()) = tiled_row_broadcast(isa, op, l, ll, r, rl, &mut out) {
        return out;
    }
    if len < SHORT_ROW {
        // Short rows (e.g. `[800, 4] - [800, 1]` in a log-softmax backward): a kernel call per row would cost
        // more than the row, so gather both operands into contiguous buffers and make one call.
        let (lc, rc) = (copy_strided(l, ll), copy_strided(r, rl));
        T::binary_run(isa, op, Operand::Slice(&lc), Operand::Slice(&rc), &mut out);
        T::give_buffer(lc);
        T::give_buffer(rc);
        return out;
    }
    for ((ls, rs), o) in lrows.outer.offsets().zip(rrows.outer.offsets()).zip(out.chunks_exact_mut(len)) {
        match (operand(l, ls, len, lrows.stride), operand(r, rs, len, rrows.stride)) {
            (Some(lo), Some(ro)) => T::binary_run(isa, op, lo, ro, o),
            _ => {
                for (j, o) in o.iter_mut().enumerate() {
                    *o = ops::binary(op, l[ls + j * lrows.stride], r[rs + j * rrows.stride]);
                }
            }
        }
    }
    out
}

/// Below this row length, path 2 of [`binary_float`] copies its operands to contiguous buffers and makes one
/// kernel call instead of one per row.
const SHORT_ROW: usize = 16;

/// Rows per tile of [`tiled_row_broadcast`]: enough that one SIMD call covers a few hundred elements.
const TILE_ELEMS: usize = 512;

/// Path 2 for the shape of a bias add, `x[n, len] + b[len]`: one operand contiguous, the other the same row
/// repeated (strides `[0, .., 0, 1]`). Calling the kernel once per row costs a call per 10 elements in the
/// tutorial's layers, so the row is tiled into a buffer of whole rows and the kernel runs over runs of
/// `TILE_ELEMS / len` rows at a time. Results are identical: each element still meets its own row entry.
fn tiled_row_broadcast<T: SimdFloat + Element>(
    isa: simd::Isa,
    op: BinaryOp,
    l: &[T],
    ll: &Layout,
    r: &[T],
    rl: &Layout,
    out: &mut [T],
) -> Option<()> {
    let is_row = |layout: &Layout| {
        let rank = layout.rank();
        rank >= 2 && layout.strides()[rank - 1] == 1 && layout.strides()[..rank - 1].iter().all(|&s| s == 0)
    };
    let len = *ll.shape().last()?;
    if len == 0 || len > TILE_ELEMS / 2 {
        return None;
    }
    let (row_on_right, full, row) = match (ll.contiguous_range(), rl.contiguous_range()) {
        (Some(range), None) if is_row(rl) => (true, &l[range], &r[rl.offset()..rl.offset() + len]),
        (None, Some(range)) if is_row(ll) => (false, &r[range], &l[ll.offset()..ll.offset() + len]),
        _ => return None,
    };
    let rows_per_tile = TILE_ELEMS / len;
    // The tile is built by doubling (row, 2 rows, 4 rows, ...): a few long copies instead of one per row.
    let mut tile = T::take_buffer(rows_per_tile * len);
    tile[..len].copy_from_slice(row);
    let mut filled = len;
    while filled < tile.len() {
        let n = filled.min(tile.len() - filled);
        tile.copy_within(..n, filled);
        filled += n;
    }
    for (x, o) in full.chunks(rows_per_tile * len).zip(out.chunks_mut(rows_per_tile * len)) {
        let t = Operand::Slice(&tile[..x.len()]);
        let x = Operand::Slice(x);
        if row_on_right {
            T::binary_run(isa, op, x, t, o);
        } else {
            T::binary_run(isa, op, t, x, o);
        }
    }
    T::give_buffer(tile);
    Some(())
}

/// How a whole operand is read by path 1 of [`binary_float`].
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
