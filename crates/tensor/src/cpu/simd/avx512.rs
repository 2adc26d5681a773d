//! The AVX-512F instantiation of the SIMD kernels: [`Avx512`], a token proving the CPU has AVX-512F (and the
//! AVX2/FMA the detection requires with it), implements [`Vf32`] on 512-bit registers (16 f32 lanes) with
//! mask registers for comparisons, and five `#[target_feature]` entry points run the generic kernels of
//! `vector.rs` and `dispatch.rs` compiled for AVX-512.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::dispatch;
use super::vector::{self, Operand, Vf32};
use crate::cpu::features::Isa;
use crate::ops::{BinaryKernel, UnaryOp};

/// Proof that the CPU runs AVX-512F: created only by [`Avx512::new`] after run-time detection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx512(());

impl Avx512 {
    /// The token, when the CPU has AVX-512F.
    pub(crate) fn new() -> Option<Avx512> {
        Isa::Avx512.is_available().then_some(Avx512(()))
    }
}

/// Wraps a register-only AVX-512F intrinsic call (no memory access).
macro_rules! avx512 {
    ($e:expr) => {
        // SAFETY: an `Avx512` token (the `self` of every method) exists only when `is_x86_feature_detected!`
        // found avx512f, and this intrinsic only reads and writes registers.
        unsafe { $e }
    };
}

const SIGN: i32 = i32::MIN; // 0x8000_0000, the sign bit of an f32

impl Vf32 for Avx512 {
    type V = __m512;
    type M = __mmask16;
    const LANES: usize = 16;

    #[inline(always)]
    fn splat(self, v: f32) -> __m512 {
        avx512!(_mm512_set1_ps(v))
    }
    #[inline(always)]
    fn load(self, s: &[f32]) -> __m512 {
        let s = &s[..16];
        // SAFETY: `s` has 16 elements (the slicing above checks it); AVX-512F is present (token); unaligned load.
        unsafe { _mm512_loadu_ps(s.as_ptr()) }
    }
    #[inline(always)]
    fn store(self, v: __m512, s: &mut [f32]) {
        let s = &mut s[..16];
        // SAFETY: `s` has 16 writable elements (checked by the slicing); AVX-512F is present (token).
        unsafe { _mm512_storeu_ps(s.as_mut_ptr(), v) }
    }
    #[inline(always)]
    fn add(self, a: __m512, b: __m512) -> __m512 {
        avx512!(_mm512_add_ps(a, b))
    }
    #[inline(always)]
    fn sub(self, a: __m512, b: __m512) -> __m512 {
        avx512!(_mm512_sub_ps(a, b))
    }
    #[inline(always)]
    fn mul(self, a: __m512, b: __m512) -> __m512 {
        avx512!(_mm512_mul_ps(a, b))
    }
    #[inline(always)]
    fn div(self, a: __m512, b: __m512) -> __m512 {
        avx512!(_mm512_div_ps(a, b))
    }
    #[inline(always)]
    fn fma(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        avx512!(_mm512_fmadd_ps(a, b, c))
    }
    #[inline(always)]
    fn sqrt(self, a: __m512) -> __m512 {
        avx512!(_mm512_sqrt_ps(a))
    }
    #[inline(always)]
    fn abs(self, a: __m512) -> __m512 {
        avx512!(_mm512_abs_ps(a))
    }
    #[inline(always)]
    fn neg(self, a: __m512) -> __m512 {
        // An integer xor (the float one needs AVX-512DQ).
        avx512!(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(SIGN))))
    }
    #[inline(always)]
    fn round(self, a: __m512) -> __m512 {
        avx512!(_mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(a))
    }
    #[inline(always)]
    fn lt(self, a: __m512, b: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_LT_OQ>(a, b))
    }
    #[inline(always)]
    fn le(self, a: __m512, b: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_LE_OQ>(a, b))
    }
    #[inline(always)]
    fn gt(self, a: __m512, b: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_GT_OQ>(a, b))
    }
    #[inline(always)]
    fn ge(self, a: __m512, b: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_GE_OQ>(a, b))
    }
    #[inline(always)]
    fn eq(self, a: __m512, b: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_EQ_OQ>(a, b))
    }
    #[inline(always)]
    fn ne(self, a: __m512, b: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_NEQ_UQ>(a, b))
    }
    #[inline(always)]
    fn is_nan(self, a: __m512) -> __mmask16 {
        avx512!(_mm512_cmp_ps_mask::<_CMP_UNORD_Q>(a, a))
    }
    #[inline(always)]
    fn or(self, a: __mmask16, b: __mmask16) -> __mmask16 {
        a | b
    }
    #[inline(always)]
    fn any(self, m: __mmask16) -> bool {
        m != 0
    }
    #[inline(always)]
    fn select(self, m: __mmask16, a: __m512, b: __m512) -> __m512 {
        // `mask_blend(k, x, y)` takes `y` where `k` is set.
        avx512!(_mm512_mask_blend_ps(m, b, a))
    }
    #[inline(always)]
    fn pow2i(self, n: __m512) -> __m512 {
        // The biased exponent `n + 127` shifted into place is the bit pattern of 2^n.
        avx512!(_mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_add_epi32(
            _mm512_cvtps_epi32(n),
            _mm512_set1_epi32(127)
        ))))
    }
    #[inline(always)]
    fn frexp(self, a: __m512) -> (__m512, __m512) {
        avx512!({
            let bits = _mm512_castps_si512(a);
            let e = _mm512_sub_epi32(_mm512_srli_epi32::<23>(bits), _mm512_set1_epi32(126));
            // Keep sign and mantissa, set the exponent of 0.5.
            let m = _mm512_or_si512(
                _mm512_and_si512(bits, _mm512_set1_epi32(0x807F_FFFFu32 as i32)),
                _mm512_set1_epi32(0x3F00_0000),
            );
            (_mm512_cvtepi32_ps(e), _mm512_castsi512_ps(m))
        })
    }
}

#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn unary_avx512(s: Avx512, op: UnaryOp, x: &[f32], out: &mut [f32]) {
    dispatch::unary(s, op, x, out)
}
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn binary_avx512(s: Avx512, op: BinaryKernel, lhs: Operand, rhs: Operand, out: &mut [f32]) {
    dispatch::binary(s, op, lhs, rhs, out)
}
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn sum_avx512(s: Avx512, x: &[f32]) -> f32 {
    // The recursion of `pairwise` written here, so that every level runs with the instruction set enabled.
    if x.len() <= super::SUM_LEAF {
        return vector::sum_small(s, x);
    }
    let half = super::sum_split(x.len());
    // SAFETY: this function only runs when the token `s` proved the features it needs.
    unsafe { sum_avx512(s, &x[..half]) + sum_avx512(s, &x[half..]) }
}
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn col_sums_avx512(s: Avx512, x: &[f32], inner: usize, out: &mut [f32]) {
    vector::col_sums(s, x, inner, out)
}
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn max_min_avx512(s: Avx512, x: &[f32], max: bool) -> f32 {
    vector::max_min(s, x, max)
}

impl Avx512 {
    pub(crate) fn unary(self, op: UnaryOp, x: &[f32], out: &mut [f32]) {
        // SAFETY: the token proves avx512f (and avx2, fma) are available.
        unsafe { unary_avx512(self, op, x, out) }
    }
    pub(crate) fn binary(self, op: BinaryKernel, lhs: Operand, rhs: Operand, out: &mut [f32]) {
        // SAFETY: the token proves avx512f (and avx2, fma) are available.
        unsafe { binary_avx512(self, op, lhs, rhs, out) }
    }
    pub(crate) fn sum(self, x: &[f32]) -> f32 {
        // SAFETY: the token proves avx512f (and avx2, fma) are available.
        unsafe { sum_avx512(self, x) }
    }
    pub(crate) fn col_sums(self, x: &[f32], inner: usize, out: &mut [f32]) {
        // SAFETY: the token proves the features of `col_sums_avx512` are available.
        unsafe { col_sums_avx512(self, x, inner, out) }
    }
    pub(crate) fn max_min(self, x: &[f32], max: bool) -> f32 {
        // SAFETY: the token proves avx512f (and avx2, fma) are available.
        unsafe { max_min_avx512(self, x, max) }
    }
}
