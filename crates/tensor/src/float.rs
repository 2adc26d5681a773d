//! [`Float`]: the float types (f32, f64) the kernels and the scalar definitions of `ops.rs` are generic over, with
//! the few functions of the standard library they use. Re-exported as `ops::Float`.

/// The float types kernels are generic over (f32, f64).
pub trait Float:
    Copy
    + PartialOrd
    + Send
    + Sync
    + std::fmt::Debug
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
    + 'static
{
    /// 0
    const ZERO: Self;
    /// 1
    const ONE: Self;
    /// Conversion from f64 (rounding).
    fn of(v: f64) -> Self;
    /// `e^x`
    fn exp(self) -> Self;
    /// `ln x`
    fn ln(self) -> Self;
    /// `ln(1 + x)`
    fn ln_1p(self) -> Self;
    /// `√x`
    fn sqrt(self) -> Self;
    /// `|x|`
    fn abs(self) -> Self;
    /// `tanh x`
    fn tanh(self) -> Self;
    /// `x^p`
    fn powf(self, p: Self) -> Self;
    /// Round half to even.
    fn round_ties_even(self) -> Self;
    /// True for NaN.
    fn is_nan(self) -> bool;
    /// True for ±∞.
    fn is_infinite(self) -> bool;
}

macro_rules! float {
    ($t:ty) => {
        impl Float for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            #[inline(always)]
            fn of(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            #[inline(always)]
            fn powf(self, p: Self) -> Self {
                <$t>::powf(self, p)
            }
            #[inline(always)]
            fn round_ties_even(self) -> Self {
                <$t>::round_ties_even(self)
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn is_infinite(self) -> bool {
                <$t>::is_infinite(self)
            }
        }
    };
}
float!(f32);
float!(f64);
