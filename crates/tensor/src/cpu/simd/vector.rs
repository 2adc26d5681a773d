//! The SIMD kernels, written once over the [`Vf32`] trait (a vector of f32 lanes) and instantiated by
//! `avx2.rs` (8 lanes) and `avx512.rs` (16 lanes) inside `#[target_feature]` functions.
//!
//! What lives here:
//! * the loops: [`map`] (unary), [`zip`] (binary, each operand a slice or a broadcast scalar), [`sum_small`] and
//!   [`max_min`] (reductions of one contiguous row; the recursion of long sums is in the entry points);
//! * the vector math: [`exp`], [`ln`], [`ln_1p`], [`sigmoid`], [`tanh`], [`bce_with_logits`] — polynomial
//!   approximations (Cephes' single-precision coefficients, evaluated with FMA). Their error against the
//!   scalar libm oracle ([`crate::ops`]) is bounded by the test `transcendental_ulps` in `simd/tests.rs`:
//!   see the table in `simd/mod.rs`.
//!
//! Every op that is exact in the scalar definition (`+ - * /`, relu, affine, maximum, comparisons, clamp, sqrt,
//! and the sum, whose association order is fixed by [`super::pairwise`]) gives bit-identical results to the
//! portable fallback; only the transcendental functions differ, by at most the ulps in that table.
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

// --- exact element-wise ops (bit-identical to `crate::ops`) ---------------------------------------------

/// `max(x, 0)`, NaN kept (as [`crate::ops::relu`]).
#[inline(always)]
pub(crate) fn relu<S: Vf32>(s: S, x: S::V) -> S::V {
    let zero = s.splat(0.0);
    s.select(s.or(s.gt(x, zero), s.is_nan(x)), x, zero)
}

/// `a` if `a` is NaN or `a > b` (`a < b` for the minimum), else `b` (as [`crate::ops::maximum`]).
#[inline(always)]
pub(crate) fn maximum<S: Vf32>(s: S, a: S::V, b: S::V, max: bool) -> S::V {
    let pick_a = if max { s.gt(a, b) } else { s.lt(a, b) };
    s.select(s.or(s.is_nan(a), pick_a), a, b)
}

/// `lo` if `x < lo`, `hi` if `x > hi`, else `x` (as [`crate::ops::clamp`]).
#[inline(always)]
pub(crate) fn clamp<S: Vf32>(s: S, x: S::V, lo: f32, hi: f32) -> S::V {
    let (lo, hi) = (s.splat(lo), s.splat(hi));
    s.select(s.lt(x, lo), lo, s.select(s.gt(x, hi), hi, x))
}

// --- vector math -------------------------------------------------------------------------------------------

/// `e^x`. Range reduction `x = n·ln2 + r`, `|r| ≤ ln2/2` (Cody–Waite: ln2 split in a part with few bits, so
/// `n·LN2_HI` is exact, and the rest), then `e^r ≈ 1 + r + r²·P(r)` (Cephes `expf`, degree 5), then the
/// scaling by `2^n` done in two steps `2^n1 · 2^n2` so that results in the subnormal range round once.
#[inline(always)]
pub(crate) fn exp<S: Vf32>(s: S, x: S::V) -> S::V {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4; // 355/512, exact in 9 bits
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Beyond these, e^x overflows to ∞ / underflows to 0 anyway; clamping keeps n in the range of `pow2i`.
    let xc = s.select(s.gt(x, s.splat(89.0)), s.splat(89.0), x);
    let xc = s.select(s.lt(xc, s.splat(-104.0)), s.splat(-104.0), xc);
    let n = s.round(s.mul(xc, s.splat(LOG2E)));
    let r = s.fma(n, s.splat(-LN2_HI), xc);
    let r = s.fma(n, s.splat(-LN2_LO), r);
    let mut p = s.splat(1.987_569_1e-4);
    p = s.fma(p, r, s.splat(1.398_2e-3));
    p = s.fma(p, r, s.splat(8.333_452e-3));
    p = s.fma(p, r, s.splat(4.166_579_6e-2));
    p = s.fma(p, r, s.splat(1.666_666_5e-1));
    p = s.fma(p, r, s.splat(0.5));
    let y = s.add(s.fma(p, s.mul(r, r), r), s.splat(1.0));
    // 2^n = 2^n1 · 2^n2 with n1 = clamp(n, -126, 127): both factors normal for n in [-151, 129].
    let n1 = s.select(s.lt(n, s.splat(-126.0)), s.splat(-126.0), n);
    let n1 = s.select(s.gt(n1, s.splat(127.0)), s.splat(127.0), n1);
    let n2 = s.sub(n, n1);
    let out = s.mul(s.mul(y, s.pow2i(n1)), s.pow2i(n2));
    s.select(s.is_nan(x), x, out)
}

/// `ln x` for the *normal positive* lanes of `x` (no special cases): `x = m·2^e` with `m` in `[√½, √2)`, then
/// `ln x = e·ln2 + ln(1 + f)`, `f = m - 1`, `ln(1+f) ≈ f - f²/2 + f³·P(f)` (Cephes `logf`, degree 8).
#[inline(always)]
fn ln_core<S: Vf32>(s: S, x: S::V) -> S::V {
    const SQRT_HALF: f32 = std::f32::consts::FRAC_1_SQRT_2;
    let (e, m) = s.frexp(x);
    // Move m from [0.5, 1) to [√½, √2): if m < √½ then m = 2m, e = e - 1.
    let small = s.lt(m, s.splat(SQRT_HALF));
    let e = s.select(small, s.sub(e, s.splat(1.0)), e);
    let f = s.sub(s.select(small, s.add(m, m), m), s.splat(1.0));
    let z = s.mul(f, f);
    let mut p = s.splat(7.037_683_6e-2);
    p = s.fma(p, f, s.splat(-1.151_461e-1));
    p = s.fma(p, f, s.splat(1.167_699_9e-1));
    p = s.fma(p, f, s.splat(-1.242_014_1e-1));
    p = s.fma(p, f, s.splat(1.424_932_3e-1));
    p = s.fma(p, f, s.splat(-1.666_805_8e-1));
    p = s.fma(p, f, s.splat(2.000_071_4e-1));
    p = s.fma(p, f, s.splat(-2.499_999_4e-1));
    p = s.fma(p, f, s.splat(3.333_333e-1));
    let mut y = s.mul(s.mul(p, f), z);
    y = s.fma(e, s.splat(-2.121_944_4e-4), y); // e·ln2 split as in `exp`: the small part first
    y = s.fma(z, s.splat(-0.5), y);
    let r = s.add(f, y);
    s.fma(e, s.splat(0.693_359_4), r)
}

/// `ln x` with the special cases of libm: `ln 0 = -∞`, `ln x = NaN` for `x < 0`, `ln ∞ = ∞`, NaN kept;
/// subnormal inputs are scaled by `2^23` first.
#[inline(always)]
pub(crate) fn ln<S: Vf32>(s: S, x: S::V) -> S::V {
    let tiny = s.lt(x, s.splat(f32::MIN_POSITIVE));
    let xs = s.select(tiny, s.mul(x, s.splat(8_388_608.0)), x);
    let mut y = ln_core(s, xs);
    y = s.select(tiny, s.sub(y, s.splat(23.0 * std::f32::consts::LN_2)), y);
    y = s.select(s.eq(x, s.splat(f32::INFINITY)), x, y);
    y = s.select(s.eq(x, s.splat(0.0)), s.splat(f32::NEG_INFINITY), y);
    y = s.select(s.lt(x, s.splat(0.0)), s.splat(f32::NAN), y);
    s.select(s.is_nan(x), x, y)
}

/// `ln(1 + x)`, accurate near 0: with `u = 1 + x` (rounded), `ln(1+x) = ln(u) · x / (u - 1)` (Goldberg's
/// correction of the rounding of `u`), and `x` itself when `u == 1`.
#[inline(always)]
pub(crate) fn ln_1p<S: Vf32>(s: S, x: S::V) -> S::V {
    let one = s.splat(1.0);
    let u = s.add(one, x);
    let um1 = s.sub(u, one);
    let corrected = s.mul(ln(s, u), s.div(x, um1));
    let y = s.select(s.eq(u, one), x, corrected);
    // u = ∞ (x = ∞, or x large enough to round up) would give ∞·(∞/∞): ln(1+x) = ln(u) is exact enough there.
    let y = s.select(s.eq(u, s.splat(f32::INFINITY)), u, y);
    // u = 0 (x = -1): ln 0 = -∞; ln(u)·x/(u-1) = -∞·(-1/-1) already gives it.
    s.select(s.is_nan(x), x, y)
}

/// `1 / (1 + e^-x)` in the two overflow-free forms of [`crate::ops::sigmoid`]: with `e = e^-|x|`,
/// `1/(1+e)` for `x ≥ 0` and `e/(1+e)` for `x < 0`.
#[inline(always)]
pub(crate) fn sigmoid<S: Vf32>(s: S, x: S::V) -> S::V {
    let one = s.splat(1.0);
    let e = exp(s, s.neg(s.abs(x)));
    let d = s.add(one, e);
    let y = s.select(s.ge(x, s.splat(0.0)), s.div(one, d), s.div(e, d));
    s.select(s.is_nan(x), x, y)
}

/// `tanh x`: for `|x| < 0.625` the odd polynomial `x + x³·P(x²)` (Cephes `tanhf`), else
/// `sign(x)·(1 - 2/(e^(2|x|) + 1))`, which is exactly ±1 beyond `|x| ≈ 9`.
#[inline(always)]
pub(crate) fn tanh<S: Vf32>(s: S, x: S::V) -> S::V {
    let one = s.splat(1.0);
    let a = s.abs(x);
    // Large branch (e^(2|x|) saturates to ∞ for |x| > 44, giving 1 - 0 = 1).
    let e = exp(s, s.add(a, a));
    let big = s.sub(one, s.div(s.splat(2.0), s.add(e, one)));
    let big = s.select(s.lt(x, s.splat(0.0)), s.neg(big), big);
    // Small branch.
    let z = s.mul(x, x);
    let mut p = s.splat(-5.704_988_7e-3);
    p = s.fma(p, z, s.splat(2.063_909e-2));
    p = s.fma(p, z, s.splat(-5.373_971_6e-2));
    p = s.fma(p, z, s.splat(1.333_144_2e-1));
    p = s.fma(p, z, s.splat(-3.333_328e-1));
    let small = s.fma(s.mul(p, z), x, x);
    let y = s.select(s.lt(a, s.splat(0.625)), small, big);
    s.select(s.is_nan(x), x, y)
}

/// Binary cross-entropy of logits, as [`crate::ops::bce_with_logits`]:
/// `max(x,0) - x·y + ln(1 + e^-|x|)`, the linear part as `x·(1-y)` (x ≥ 0) or `-x·y` (x < 0) with `0·∞ = 0`.
#[inline(always)]
pub(crate) fn bce_with_logits<S: Vf32>(s: S, x: S::V, y: S::V) -> S::V {
    let (zero, one) = (s.splat(0.0), s.splat(1.0));
    let pos = s.ge(x, zero);
    // mul0(a, b) = 0 if b == 0 else a·b
    let b = s.select(pos, s.sub(one, y), y);
    let a = s.select(pos, x, s.neg(x));
    let linear = s.select(s.eq(b, zero), zero, s.mul(a, b));
    let soft = ln_1p(s, exp(s, s.neg(s.abs(x))));
    s.add(linear, soft)
}

// --- op dispatch (one `match` per call, outside the loops) -------------------------------------------------

/// `out[i] = op(x[i])`.
#[inline(always)]
pub(crate) fn unary<S: Vf32>(s: S, op: super::VUnary, x: &[f32], out: &mut [f32]) {
    use super::VUnary as U;
    match op {
        U::Neg => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| s.neg(v),
        ),
        U::Round => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| s.round(v),
        ),
        U::Abs => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| s.abs(v),
        ),
        U::Relu => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| relu(s, v),
        ),
        U::Sqrt => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| s.sqrt(v),
        ),
        U::Exp => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| exp(s, v),
        ),
        U::Log => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| ln(s, v),
        ),
        U::Log1p => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| ln_1p(s, v),
        ),
        U::Sigmoid => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| sigmoid(s, v),
        ),
        U::Tanh => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| tanh(s, v),
        ),
        U::Clamp(lo, hi) => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| clamp(s, v, lo, hi),
        ),
        // Multiply then add, two roundings, as the scalar definition (no FMA).
        U::Affine(a, b) => map(
            s,
            x,
            out,
            #[inline(always)]
            |v| s.add(s.mul(v, s.splat(a)), s.splat(b)),
        ),
    }
}

/// `out[i] = op(lhs[i], rhs[i])` for every binary op but `Pow` (which stays scalar).
#[inline(always)]
pub(crate) fn binary<S: Vf32>(s: S, op: crate::ops::BinaryOp, lhs: Operand, rhs: Operand, out: &mut [f32]) {
    use crate::ops::BinaryOp as B;
    let (zero, one) = (s.splat(0.0), s.splat(1.0));
    match op {
        B::Add => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.add(a, b),
        ),
        B::Sub => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.sub(a, b),
        ),
        B::Mul => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.mul(a, b),
        ),
        B::Div => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.div(a, b),
        ),
        B::Maximum => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| maximum(s, a, b, true),
        ),
        B::Minimum => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| maximum(s, a, b, false),
        ),
        B::Eq => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.select(s.eq(a, b), one, zero),
        ),
        B::Ne => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.select(s.ne(a, b), one, zero),
        ),
        B::Lt => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.select(s.lt(a, b), one, zero),
        ),
        B::Le => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.select(s.le(a, b), one, zero),
        ),
        B::Gt => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.select(s.gt(a, b), one, zero),
        ),
        B::Ge => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |a, b| s.select(s.ge(a, b), one, zero),
        ),
        B::BceWithLogits => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |x, y| bce_with_logits(s, x, y),
        ),
        B::ReluBackward => zip(
            s,
            lhs,
            rhs,
            out,
            #[inline(always)]
            |g, x| s.select(s.le(x, zero), zero, g),
        ),
        B::Pow => unreachable!("pow has no SIMD kernel (checked by the dispatcher)"),
    }
}
