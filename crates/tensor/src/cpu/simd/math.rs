//! The vector math of the SIMD kernels, one function per op, over any [`Vf32`]:
//! * exact ops — [`relu`], [`maximum`], [`clamp`] — bit-identical to the scalar definitions of [`crate::ops`];
//! * [`exp`], [`ln`], [`ln_1p`], [`sigmoid`], [`tanh`], [`bce_with_logits`] — polynomial approximations
//!   (Cephes' single-precision coefficients, evaluated with FMA). Their error against the scalar libm oracle
//!   ([`crate::ops`]) is bounded by the test `transcendental_ulps` in `simd/tests.rs`: see the table in
//!   `simd/mod.rs`.

use super::vector::Vf32;

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
