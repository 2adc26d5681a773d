//! SIMD for the element-wise and reduction kernels on contiguous runs of f32.
//!
//! * `vector.rs` — the `Vf32` trait (a vector of f32 lanes) and the loops written once over it (`map`, `zip`,
//!   `sum`, `col_sums`, `max_min`);
//! * `math.rs` — the vector function of each op (`relu`, `exp`, `ln`, `ln_1p`, `sigmoid`, `tanh`,
//!   `bce_with_logits`, ...);
//! * `dispatch.rs` — from a [`UnaryOp`] or a `BinaryKernel` (a [`BinaryOp`], or ReLU's gradient) to its vector
//!   function (one `match` per call);
//!   [`has_vector_kernel`] names the unary ops that have one;
//! * `avx512.rs`, `avx2.rs` — the trait on AVX-512F (16 lanes) and AVX2+FMA (8 lanes), and the
//!   `#[target_feature]` entry points;
//! * `fallback.rs` — portable loops over the scalar definitions of [`crate::ops`]: always compiled, and the
//!   reference every SIMD path is tested against (`simd/tests.rs` forces each path).
//!
//! **Which path runs.** [`active`]: the best instruction set found by the one CPU detection of the crate
//! (`cpu/features.rs`, cached in a `OnceLock`), unless `force` (cargo feature `bench`) chose another (benches
//! compare against the fallback that way). The kernels of the CPU backend reach this module only through
//! `SimdFloat`, implemented for f32 (SIMD) and f64 (always the fallback).
//!
//! **Results.** Exact ops (`+ - * /`, neg, abs, relu, affine, clamp, sqrt, maximum/minimum, comparisons) are
//! bit-identical on every path. Sums are bit-identical too: every path computes [`pairwise`], whose
//! association order is fixed (32 running sums per leaf, then a fixed tree), never dependent on the vector
//! width or the thread count. The transcendental functions are polynomial approximations; their largest error
//! against the scalar oracle (Rust's libm), checked by `transcendental_ulps` in `simd/tests.rs` over ≥ 1.5M arguments
//! each (a dense grid over the interesting range plus random bit patterns) on AVX-512 and AVX2:
//!
//! | function          | range tested                | max error (ulp) |
//! |-------------------|-----------------------------|-----------------|
//! | `exp`             | [-104, 89] and all f32      | 1               |
//! | `ln`              | all positive f32            | 1               |
//! | `log1p`           | [-1, 1e6], tiny, all f32    | 2               |
//! | `sigmoid`         | [-110, 110] and all f32     | 2               |
//! | `tanh`            | [-12, 12] and all f32       | 2               |
//! | `bce_with_logits` | x in [-120, 120], y in 0..=1  | 3 (1.2e-7 rel.) |
//!
//! These are the bounds the test asserts: it fails when any argument is further from the oracle.

mod avx2;
mod avx512;
mod dispatch;
mod fallback;
mod math;
mod vector;

pub(crate) use crate::cpu::features::Isa;
use crate::ops::{BinaryKernel, BinaryOp, Float, UnaryOp};
pub use dispatch::has_vector_kernel;
pub use vector::Operand;

// --- choosing the path ---------------------------------------------------------------------------------

/// The instruction set the CPU kernels use now: the one `force`d (feature `bench`), else the best this CPU
/// has.
#[inline]
pub fn active() -> Isa {
    #[cfg(feature = "bench")]
    if let Some(isa) = forced() {
        return isa;
    }
    Isa::best()
}

/// 0: no override; otherwise `1 + index in Isa::ALL`.
#[cfg(feature = "bench")]
static FORCED: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

#[cfg(feature = "bench")]
fn forced() -> Option<Isa> {
    match FORCED.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        i => Some(Isa::ALL[i as usize - 1]),
    }
}

/// Makes every later element-wise and reduction kernel use `isa` (`None`: back to the best available). For
/// benchmarks that compare paths in one run (cargo feature `bench`); tests call the `*_with` functions instead.
///
/// # Panics
/// When this CPU cannot run `isa`.
#[cfg(feature = "bench")]
pub fn force(isa: Option<Isa>) {
    let code = match isa {
        None => 0,
        Some(isa) => {
            isa.assert_available("simd::force");
            1 + Isa::ALL.iter().position(|&i| i == isa).expect("Isa::ALL lists every variant") as u8
        }
    };
    FORCED.store(code, std::sync::atomic::Ordering::Relaxed);
}

// --- the pairwise sum ------------------------------------------------------------------------------------

/// Largest slice summed by one leaf of [`pairwise`].
pub const SUM_LEAF: usize = 1024;

/// Folds 32 running sums in a fixed tree: `r[k] += r[k + w]` for `w = 16, 8, 4, 2, 1` (the first two steps are
/// whole-vector adds in the SIMD kernels).
#[inline(always)]
pub fn fold32<T: Float>(r: &mut [T; 32]) -> T {
    let mut w = 16;
    while w > 0 {
        for k in 0..w {
            r[k] = r[k] + r[k + w];
        }
        w /= 2;
    }
    r[0]
}

/// Pairwise summation, the one definition of a contiguous sum in the crate (every SIMD path reproduces it bit
/// for bit):
/// * fewer than 32 elements: in order;
/// * up to `SUM_LEAF`: 32 running sums `r[k] += x[32i + k]` (one AVX-512 pair or AVX2 quad of registers),
///   folded by `fold32`, then the tail (`n mod 32` elements) in order;
/// * larger: split at `(n/2)` rounded down to a multiple of 32, both halves summed recursively.
///
/// The rounding error grows as O(log n) ulps, as NumPy's pairwise sum.
pub fn pairwise<T: Float>(x: &[T]) -> T {
    let n = x.len();
    if n < 32 {
        x.iter().fold(T::ZERO, |a, &v| a + v)
    } else if n <= SUM_LEAF {
        let mut r = [T::ZERO; 32];
        r.copy_from_slice(&x[..32]);
        let blocks = n / 32;
        for b in 1..blocks {
            for k in 0..32 {
                r[k] = r[k] + x[b * 32 + k];
            }
        }
        let mut total = fold32(&mut r);
        for &v in &x[blocks * 32..] {
            total = total + v;
        }
        total
    } else {
        let half = sum_split(n);
        pairwise(&x[..half]) + pairwise(&x[half..])
    }
}

/// Where [`pairwise`] splits a slice longer than [`SUM_LEAF`]: half, rounded down to a multiple of 32.
#[inline(always)]
pub fn sum_split(n: usize) -> usize {
    (n / 2) & !31
}

// --- entry points with an explicit instruction set (tests, benches) ---------------------------------------

/// `out[i] = op(x[i])` on the path `isa` (ops without a vector kernel, see [`has_vector_kernel`], run the
/// fallback).
///
/// # Panics
/// When `x` and `out` differ in length, or this CPU cannot run `isa`.
pub fn unary_f32_with(isa: Isa, op: UnaryOp, x: &[f32], out: &mut [f32]) {
    assert_eq!(x.len(), out.len(), "simd::unary: input and output lengths differ");
    match isa {
        _ if !has_vector_kernel(op) => fallback::unary(op, x, out),
        Isa::Avx512 => avx512::Avx512::new().expect("AVX-512F not available").unary(op, x, out),
        Isa::Avx2Fma => avx2::Avx2::new().expect("AVX2+FMA not available").unary(op, x, out),
        Isa::Fallback => fallback::unary(op, x, out),
    }
}

/// `out[i] = op(lhs[i], rhs[i])` on the path `isa` (`pow` runs the fallback).
///
/// # Panics
/// When a slice operand is shorter than `out`, or this CPU cannot run `isa`.
pub fn binary_f32_with(isa: Isa, op: BinaryOp, lhs: Operand<f32>, rhs: Operand<f32>, out: &mut [f32]) {
    binary_kernel_f32_with(isa, BinaryKernel::Op(op), lhs, rhs, out)
}

/// [`binary_f32_with`] for any binary kernel: a public op or a backend-only one (ReLU's gradient).
///
/// # Panics
/// When a slice operand is shorter than `out`, or this CPU cannot run `isa`.
pub(crate) fn binary_kernel_f32_with(
    isa: Isa,
    op: BinaryKernel,
    lhs: Operand<f32>,
    rhs: Operand<f32>,
    out: &mut [f32],
) {
    for side in [lhs, rhs] {
        if let Operand::Slice(s) = side {
            assert!(s.len() >= out.len(), "simd::binary: operand of {} elements for {} outputs", s.len(), out.len());
        }
    }
    match isa {
        _ if op == BinaryKernel::Op(BinaryOp::Pow) => fallback::binary(op, lhs, rhs, out),
        Isa::Avx512 => avx512::Avx512::new().expect("AVX-512F not available").binary(op, lhs, rhs, out),
        Isa::Avx2Fma => avx2::Avx2::new().expect("AVX2+FMA not available").binary(op, lhs, rhs, out),
        Isa::Fallback => fallback::binary(op, lhs, rhs, out),
    }
}

/// [`pairwise`] sum of `x` on the path `isa` (the same result on every path).
pub fn sum_f32_with(isa: Isa, x: &[f32]) -> f32 {
    match isa {
        Isa::Avx512 => avx512::Avx512::new().expect("AVX-512F not available").sum(x),
        Isa::Avx2Fma => avx2::Avx2::new().expect("AVX2+FMA not available").sum(x),
        Isa::Fallback => pairwise(x),
    }
}

/// Largest (`max`) or smallest element of a non-empty `x` on the path `isa`; NaN if any element is NaN.
pub fn max_min_f32_with(isa: Isa, x: &[f32], max: bool) -> f32 {
    assert!(!x.is_empty(), "simd::max_min: empty row");
    match isa {
        Isa::Avx512 => avx512::Avx512::new().expect("AVX-512F not available").max_min(x, max),
        Isa::Avx2Fma => avx2::Avx2::new().expect("AVX2+FMA not available").max_min(x, max),
        Isa::Fallback => fallback::max_min(x, max),
    }
}

/// Column sums of the row-major `[x.len() / inner, inner]` block `x` into `out[..inner]`, rows added in order
/// (the same bits on every path).
///
/// # Panics
/// When `out` is shorter than `inner`, or this CPU cannot run `isa`.
pub fn col_sums_f32_with(isa: Isa, x: &[f32], inner: usize, out: &mut [f32]) {
    assert!(out.len() >= inner, "simd::col_sums: {} outputs for {inner} columns", out.len());
    match isa {
        Isa::Avx512 => avx512::Avx512::new().expect("AVX-512F not available").col_sums(x, inner, out),
        Isa::Avx2Fma => avx2::Avx2::new().expect("AVX2+FMA not available").col_sums(x, inner, out),
        Isa::Fallback => fallback::col_sums(x, inner, out),
    }
}

// --- what the CPU kernels call ----------------------------------------------------------------------------

/// The contiguous-run kernels of a float type: SIMD for f32 on the [`active`] path, the fallback for f64.
pub(crate) trait SimdFloat: Float {
    /// `out[i] = op(x[i])`.
    fn unary_run(isa: Isa, op: UnaryOp, x: &[Self], out: &mut [Self]);
    /// `out[i] = op(lhs[i], rhs[i])`.
    fn binary_run(isa: Isa, op: BinaryKernel, lhs: Operand<Self>, rhs: Operand<Self>, out: &mut [Self]);
    /// The [`pairwise`] sum.
    fn sum_run(isa: Isa, x: &[Self]) -> Self;
    /// Largest / smallest element (NaN if any), `x` non-empty.
    fn max_min_run(isa: Isa, x: &[Self], max: bool) -> Self;
    /// Column sums of a row-major `[n, inner]` block, rows in order.
    fn col_sums_run(isa: Isa, x: &[Self], inner: usize, out: &mut [Self]);
}

impl SimdFloat for f32 {
    #[inline]
    fn unary_run(isa: Isa, op: UnaryOp, x: &[f32], out: &mut [f32]) {
        unary_f32_with(isa, op, x, out)
    }
    #[inline]
    fn binary_run(isa: Isa, op: BinaryKernel, lhs: Operand<f32>, rhs: Operand<f32>, out: &mut [f32]) {
        binary_kernel_f32_with(isa, op, lhs, rhs, out)
    }
    #[inline]
    fn sum_run(isa: Isa, x: &[f32]) -> f32 {
        sum_f32_with(isa, x)
    }
    #[inline]
    fn max_min_run(isa: Isa, x: &[f32], max: bool) -> f32 {
        max_min_f32_with(isa, x, max)
    }
    #[inline]
    fn col_sums_run(isa: Isa, x: &[f32], inner: usize, out: &mut [f32]) {
        col_sums_f32_with(isa, x, inner, out)
    }
}

impl SimdFloat for f64 {
    #[inline]
    fn unary_run(_: Isa, op: UnaryOp, x: &[f64], out: &mut [f64]) {
        fallback::unary(op, x, out)
    }
    #[inline]
    fn binary_run(_: Isa, op: BinaryKernel, lhs: Operand<f64>, rhs: Operand<f64>, out: &mut [f64]) {
        fallback::binary(op, lhs, rhs, out)
    }
    #[inline]
    fn sum_run(_: Isa, x: &[f64]) -> f64 {
        pairwise(x)
    }
    #[inline]
    fn max_min_run(_: Isa, x: &[f64], max: bool) -> f64 {
        fallback::max_min(x, max)
    }
    #[inline]
    fn col_sums_run(_: Isa, x: &[f64], inner: usize, out: &mut [f64]) {
        fallback::col_sums(x, inner, out)
    }
}

#[cfg(test)]
mod tests;
