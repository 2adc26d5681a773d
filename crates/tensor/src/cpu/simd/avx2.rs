//! The AVX2 + FMA instantiation of the SIMD kernels: [`Avx2`], a token proving the CPU has both, implements
//! [`Vf32`] on 256-bit registers (8 f32 lanes), and five `#[target_feature]` entry points run the generic
//! kernels of `vector.rs` and `dispatch.rs` compiled for AVX2.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::dispatch;
use super::vector::{self, Operand, Vf32};
use crate::cpu::features::Isa;
use crate::ops::{BinaryKernel, UnaryOp};

/// Proof that the CPU runs AVX2 and FMA: created only by [`Avx2::new`] after run-time detection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(());

impl Avx2 {
    /// The token, when the CPU has AVX2 and FMA.
    pub(crate) fn new() -> Option<Avx2> {
        Isa::Avx2Fma.is_available().then_some(Avx2(()))
    }
}

/// Wraps a register-only AVX/AVX2/FMA intrinsic call (no memory access).
macro_rules! avx {
    ($e:expr) => {
        // SAFETY: an `Avx2` token (the `self` of every method) exists only when `is_x86_feature_detected!`
        // found avx2 and fma, and this intrinsic only reads and writes registers.
        unsafe { $e }
    };
}

impl Vf32 for Avx2 {
    type V = __m256;
    type M = __m256;
    const LANES: usize = 8;

    #[inline(always)]
    fn splat(self, v: f32) -> __m256 {
        avx!(_mm256_set1_ps(v))
    }
    #[inline(always)]
    fn load(self, s: &[f32]) -> __m256 {
        let s = &s[..8];
        // SAFETY: `s` has 8 elements (the slicing above checks it); AVX2 is present (token); unaligned load.
        unsafe { _mm256_loadu_ps(s.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, v: __m256, s: &mut [f32]) {
        let s = &mut s[..8];
        // SAFETY: `s` has 8 writable elements (checked by the slicing); AVX2 is present (token).
        unsafe { _mm256_storeu_ps(s.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn add(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_add_ps(a, b))
    }
    #[inline(always)]
    fn sub(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_sub_ps(a, b))
    }
    #[inline(always)]
    fn mul(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_mul_ps(a, b))
    }
    #[inline(always)]
    fn div(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_div_ps(a, b))
    }
    #[inline(always)]
    fn fma(self, a: __m256, b: __m256, c: __m256) -> __m256 {
        avx!(_mm256_fmadd_ps(a, b, c))
    }
    #[inline(always)]
    fn sqrt(self, a: __m256) -> __m256 {
        avx!(_mm256_sqrt_ps(a))
    }
    #[inline(always)]
    fn abs(self, a: __m256) -> __m256 {
        avx!(_mm256_andnot_ps(_mm256_set1_ps(-0.0), a))
    }
    #[inline(always)]
    fn neg(self, a: __m256) -> __m256 {
        avx!(_mm256_xor_ps(_mm256_set1_ps(-0.0), a))
    }
    #[inline(always)]
    fn round(self, a: __m256) -> __m256 {
        avx!(_mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(a))
    }
    #[inline(always)]
    fn lt(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_LT_OQ>(a, b))
    }
    #[inline(always)]
    fn le(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_LE_OQ>(a, b))
    }
    #[inline(always)]
    fn gt(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_GT_OQ>(a, b))
    }
    #[inline(always)]
    fn ge(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_GE_OQ>(a, b))
    }
    #[inline(always)]
    fn eq(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_EQ_OQ>(a, b))
    }
    #[inline(always)]
    fn ne(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_NEQ_UQ>(a, b))
    }
    #[inline(always)]
    fn is_nan(self, a: __m256) -> __m256 {
        avx!(_mm256_cmp_ps::<_CMP_UNORD_Q>(a, a))
    }
    #[inline(always)]
    fn or(self, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_or_ps(a, b))
    }
    #[inline(always)]
    fn any(self, m: __m256) -> bool {
        avx!(_mm256_movemask_ps(m)) != 0
    }
    #[inline(always)]
    fn select(self, m: __m256, a: __m256, b: __m256) -> __m256 {
        avx!(_mm256_blendv_ps(b, a, m))
    }
    #[inline(always)]
    fn pow2i(self, n: __m256) -> __m256 {
        // The biased exponent `n + 127` shifted into place is the bit pattern of 2^n.
        avx!(_mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(
            _mm256_cvtps_epi32(n),
            _mm256_set1_epi32(127)
        ))))
    }
    #[inline(always)]
    fn frexp(self, a: __m256) -> (__m256, __m256) {
        avx!({
            let bits = _mm256_castps_si256(a);
            let e = _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits), _mm256_set1_epi32(126));
            // Keep sign and mantissa, set the exponent of 0.5.
            let m = _mm256_or_si256(
                _mm256_and_si256(bits, _mm256_set1_epi32(0x807F_FFFFu32 as i32)),
                _mm256_set1_epi32(0x3F00_0000),
            );
            (_mm256_cvtepi32_ps(e), _mm256_castsi256_ps(m))
        })
    }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn unary_avx2(s: Avx2, op: UnaryOp, x: &[f32], out: &mut [f32]) {
    dispatch::unary(s, op, x, out)
}
#[target_feature(enable = "avx2,fma")]
unsafe fn binary_avx2(s: Avx2, op: BinaryKernel, lhs: Operand, rhs: Operand, out: &mut [f32]) {
    dispatch::binary(s, op, lhs, rhs, out)
}
#[target_feature(enable = "avx2,fma")]
unsafe fn sum_avx2(s: Avx2, x: &[f32]) -> f32 {
    // The recursion of `pairwise` written here, so that every level runs with the instruction set enabled.
    if x.len() <= super::SUM_LEAF {
        return vector::sum_small(s, x);
    }
    let half = super::sum_split(x.len());
    // SAFETY: this function only runs when the token `s` proved the features it needs.
    unsafe { sum_avx2(s, &x[..half]) + sum_avx2(s, &x[half..]) }
}
#[target_feature(enable = "avx2,fma")]
unsafe fn col_sums_avx2(s: Avx2, x: &[f32], inner: usize, out: &mut [f32]) {
    vector::col_sums(s, x, inner, out)
}
#[target_feature(enable = "avx2,fma")]
unsafe fn max_min_avx2(s: Avx2, x: &[f32], max: bool) -> f32 {
    vector::max_min(s, x, max)
}

impl Avx2 {
    pub(crate) fn unary(self, op: UnaryOp, x: &[f32], out: &mut [f32]) {
        // SAFETY: the token proves avx2 and fma are available.
        unsafe { unary_avx2(self, op, x, out) }
    }
    pub(crate) fn binary(self, op: BinaryKernel, lhs: Operand, rhs: Operand, out: &mut [f32]) {
        // SAFETY: the token proves avx2 and fma are available.
        unsafe { binary_avx2(self, op, lhs, rhs, out) }
    }
    pub(crate) fn sum(self, x: &[f32]) -> f32 {
        // SAFETY: the token proves avx2 and fma are available.
        unsafe { sum_avx2(self, x) }
    }
    pub(crate) fn col_sums(self, x: &[f32], inner: usize, out: &mut [f32]) {
        // SAFETY: the token proves the features of `col_sums_avx2` are available.
        unsafe { col_sums_avx2(self, x, inner, out) }
    }
    pub(crate) fn max_min(self, x: &[f32], max: bool) -> f32 {
        // SAFETY: the token proves avx2 and fma are available.
        unsafe { max_min_avx2(self, x, max) }
    }
}
