//! The [`Vf32`] trait (a vector of f32 lanes on one instruction set) and the loops of the SIMD kernels,
//! written once over it and instantiated by `avx2.rs` (8 lanes) and `avx512.rs` (16 lanes) inside
//! `#[target_feature]` functions: [`map`] (unary), [`zip`] (binary, each operand a slice or a broadcast
//! scalar), [`sum_small`], [`col_sums`] and [`max_min`] (reductions of contiguous rows; the recursion of long
//! sums is in the entry points). The function applied to each vector is in `math.rs`, the choice of it for an
//! op in `dispatch.rs`.
//!
//! Tails shorter than one vector go through a zero-padded stack buffer, so every vector load and store is in
//! bounds of a slice.

/// A vector of f32 lanes on one instruction set. A value of the implementing type is a *token*: it can only be
/// created after run-time detection found the instruction set, which is what makes the methods safe to call.
pub(crate) trait Vf32: Copy {
    /// The vector register type.
    type V: Copy;
    /// The comparison-mask type.
    type M: Copy;
    /// Number of f32 lanes.
    const LANES: usize;

    fn splat(self, v: f32) -> Self::V;
    /// Loads the first `LANES` elements of `s` (panics when shorter).
    fn load(self, s: &[f32]) -> Self::V;
    /// Stores into the first `LANES` elements of `s` (panics when shorter).
    fn store(self, v: Self::V, s: &mut [f32]);
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn sub(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    fn div(self, a: Self::V, b: Self::V) -> Self::V;
    /// `a * b + c` with one rounding.
    fn fma(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    fn sqrt(self, a: Self::V) -> Self::V;
    /// Clears the sign bit.
    fn abs(self, a: Self::V) -> Self::V;
    /// Flips the sign bit.
    fn neg(self, a: Self::V) -> Self::V;
    /// Round to nearest, ties to even.
    fn round(self, a: Self::V) -> Self::V;
    fn lt(self, a: Self::V, b: Self::V) -> Self::M;
    fn le(self, a: Self::V, b: Self::V) -> Self::M;
    fn gt(self, a: Self::V, b: Self::V) -> Self::M;
    fn ge(self, a: Self::V, b: Self::V) -> Self::M;
    fn eq(self, a: Self::V, b: Self::V) -> Self::M;
    /// `a != b`, true when either is NaN (IEEE unordered-or-not-equal).
    fn ne(self, a: Self::V, b: Self::V) -> Self::M;
    fn is_nan(self, a: Self::V) -> Self::M;
    fn or(self, a: Self::M, b: Self::M) -> Self::M;
    fn any(self, m: Self::M) -> bool;
    /// `m ? a : b`, lane by lane.
    fn select(self, m: Self::M, a: Self::V, b: Self::V) -> Self::V;
    /// `2^n` for lanes holding integers `n` in `[-126, 127]`.
    fn pow2i(self, n: Self::V) -> Self::V;
    /// For positive normal lanes, `(e, m)` with `a = m * 2^e` and `m` in `[0.5, 1)` (C's `frexp`).
    fn frexp(self, a: Self::V) -> (Self::V, Self::V);
}

// --- loops ----------------------------------------------------------------------------------------------

/// `out[i] = f(x[i])`; `x` and `out` have the same length.
#[inline(always)]
pub(crate) fn map<S: Vf32>(s: S, x: &[f32], out: &mut [f32], f: impl Fn(S::V) -> S::V) {
    assert_eq!(x.len(), out.len());
    let l = S::LANES;
    let body = x.len() / l * l;
    for (xc, oc) in x[..body].chunks_exact(l).zip(out[..body].chunks_exact_mut(l)) {
        s.store(f(s.load(xc)), oc);
    }
    if body < x.len() {
        let mut buf = [0.0f32; 16];
        let n = x.len() - body;
        buf[..n].copy_from_slice(&x[body..]);
        let v = f(s.load(&buf));
        s.store(v, &mut buf);
        out[body..].copy_from_slice(&buf[..n]);
    }
}

/// An operand of a binary kernel: a slice as long as the output, or one value broadcast to every element.
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a, T = f32> {
    /// One element per output element.
    Slice(&'a [T]),
    /// The same value for every output element (a broadcast scalar, such as the divisor of `x / 2`).
    Scalar(T),
}

impl<T: Copy> Operand<'_, T> {
    /// Element `i`.
    #[inline(always)]
    pub fn get(&self, i: usize) -> T {
        match *self {
            Operand::Slice(v) => v[i],
            Operand::Scalar(c) => c,
        }
    }
}

impl Operand<'_, f32> {
    #[inline(always)]
    fn vector<S: Vf32>(&self, s: S, at: usize) -> S::V {
        match *self {
            Operand::Slice(v) => s.load(&v[at..]),
            Operand::Scalar(c) => s.splat(c),
        }
    }

    #[inline(always)]
    fn padded<S: Vf32>(&self, s: S, at: usize, n: usize) -> S::V {
        match *self {
            Operand::Slice(v) => {
                let mut buf = [0.0f32; 16];
                buf[..n].copy_from_slice(&v[at..at + n]);
                s.load(&buf)
            }
            Operand::Scalar(c) => s.splat(c),
        }
    }
}

/// `out[i] = f(lhs[i], rhs[i])`.
#[inline(always)]
pub(crate) fn zip<S: Vf32>(s: S, lhs: Operand, rhs: Operand, out: &mut [f32], f: impl Fn(S::V, S::V) -> S::V) {
    let l = S::LANES;
    let body = out.len() / l * l;
    for (i, oc) in out[..body].chunks_exact_mut(l).enumerate() {
        let at = i * l;
        s.store(f(lhs.vector(s, at), rhs.vector(s, at)), oc);
    }
    if body < out.len() {
        let n = out.len() - body;
        let mut buf = [0.0f32; 16];
        s.store(f(lhs.padded(s, body, n), rhs.padded(s, body, n)), &mut buf);
        out[body..].copy_from_slice(&buf[..n]);
    }
}

/// The leaf of the pairwise sum (see [`super::pairwise`]): 32 running sums `r[k] += x[i + k]` over a slice
/// of 32..=[`super::SUM_LEAF`] elements, folded by [`super::fold32`], then the tail added in order.
#[inline(always)]
pub(crate) fn sum_leaf<S: Vf32>(s: S, x: &[f32]) -> f32 {
    let l = S::LANES;
    let per = 32 / l; // vectors per 32 running sums: 4 for AVX2, 2 for AVX-512
    let mut acc = [s.splat(0.0); 4];
    for j in 0..per {
        acc[j] = s.load(&x[j * l..]);
    }
    let blocks = x.len() / 32;
    for b in 1..blocks {
        let chunk = &x[b * 32..b * 32 + 32];
        for j in 0..per {
            acc[j] = s.add(acc[j], s.load(&chunk[j * l..]));
        }
    }
    let mut r = [0.0f32; 32];
    for j in 0..per {
        s.store(acc[j], &mut r[j * l..]);
    }
    let mut total = super::fold32(&mut r);
    for &v in &x[blocks * 32..] {
        total += v;
    }
    total
}

/// The pairwise sum of a slice of at most [`super::SUM_LEAF`] elements: in order below 32, else [`sum_leaf`].
/// Longer slices are split by the `#[target_feature]` entry points (`sum_avx2`, `sum_avx512`) with
/// [`super::sum_split`], recursing in their own instruction-set context.
#[inline(always)]
pub(crate) fn sum_small<S: Vf32>(s: S, x: &[f32]) -> f32 {
    if x.len() < 32 {
        x.iter().fold(0.0, |a, &v| a + v)
    } else {
        sum_leaf(s, x)
    }
}

/// Column sums of a row-major `[n, inner]` block: `out[j] = (((0 + x[0][j]) + x[1][j]) + …) + x[n-1][j]`, rows
/// added in order — the bits of the scalar loop, with the accumulators in registers instead of memory.
///
/// Columns go in groups of up to four vectors (four independent add chains). A row's load may run past the
/// group into the next columns or the next row; those lanes are summed too and thrown away, which is what lets
/// a 10-column block (the tutorial's bias gradients) use one 16-lane vector per row. Only loads that would
/// leave `x` (the last rows) go through a zero-padded stack buffer.
#[inline(always)]
pub(crate) fn col_sums<S: Vf32>(s: S, x: &[f32], inner: usize, out: &mut [f32]) {
    let l = S::LANES;
    let n = x.len().checked_div(inner).unwrap_or(0);
    let x = &x[..n * inner];
    let load = |at: usize| {
        if at + l <= x.len() {
            s.load(&x[at..])
        } else {
            let mut buf = [0.0f32; 16];
            let end = x.len().min(at + l);
            buf[..end.saturating_sub(at)].copy_from_slice(&x[at.min(end)..end]);
            s.load(&buf)
        }
    };
    let mut j = 0;
    while j < inner {
        let groups = (inner - j).div_ceil(l).min(4);
        let mut acc = [s.splat(0.0); 4];
        for i in 0..n {
            let at = i * inner + j;
            for (g, a) in acc.iter_mut().enumerate().take(groups) {
                *a = s.add(*a, load(at + g * l));
            }
        }
        let mut buf = [0.0f32; 16];
        for (g, a) in acc.iter().enumerate().take(groups) {
            let c0 = j + g * l;
            let w = l.min(inner - c0);
            s.store(*a, &mut buf);
            out[c0..c0 + w].copy_from_slice(&buf[..w]);
        }
        j += groups * l;
    }
}

/// Largest (`max = true`) or smallest element of a non-empty row; NaN if any element is NaN (the first NaN,
/// as the scalar kernel).
#[inline(always)]
pub(crate) fn max_min<S: Vf32>(s: S, x: &[f32], max: bool) -> f32 {
    let l = S::LANES;
    let body = x.len() / l * l;
    let mut best_scalar = x[0];
    if body >= l {
        let mut best = s.load(x);
        let mut nan = s.is_nan(best);
        for c in x[l..body].chunks_exact(l) {
            let v = s.load(c);
            nan = s.or(nan, s.is_nan(v));
            best = s.select(if max { s.gt(v, best) } else { s.lt(v, best) }, v, best);
        }
        if s.any(nan) {
            return x[..body].iter().copied().find(|v| v.is_nan()).unwrap_or(f32::NAN);
        }
        let mut lanes = [0.0f32; 16];
        s.store(best, &mut lanes);
        best_scalar = lanes[0];
        for &v in &lanes[1..l] {
            if (max && v > best_scalar) || (!max && v < best_scalar) {
                best_scalar = v;
            }
        }
    }
    for &v in &x[body..] {
        if v.is_nan() {
            return v;
        }
        if (max && v > best_scalar) || (!max && v < best_scalar) {
            best_scalar = v;
        }
    }
    best_scalar
}
