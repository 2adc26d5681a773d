//! From an op of [`crate::ops`] to its vector function: one `match` per call, outside the loops, over the op
//! enums themselves (for two operands, over `BinaryKernel`: the public binary ops and ReLU's gradient).
//! [`has_vector_kernel`] says which unary ops have one (the others run the fallback); every binary kernel but
//! `Pow` has one.

use super::math::{bce_with_logits, clamp, exp, ln, ln_1p, maximum, relu, sigmoid, tanh};
use super::vector::{map, zip, Operand, Vf32};
use crate::ops::{BinaryKernel, BinaryOp, UnaryOp};

/// Whether `op` has a vector kernel (the SIMD unary kernels take it); `Sign` and `Powf` run the portable fallback.
pub fn has_vector_kernel(op: UnaryOp) -> bool {
    !matches!(op, UnaryOp::Sign | UnaryOp::Powf(_))
}

/// `out[i] = op(x[i])` for an op with a vector kernel ([`has_vector_kernel`]).
///
/// # Panics
/// For an op without one (the dispatcher of `simd/mod.rs` never passes it).
#[inline(always)]
pub(crate) fn unary<S: Vf32>(s: S, op: UnaryOp, x: &[f32], out: &mut [f32]) {
    // `map` with the vector function `$f`, inlined into the loop.
    macro_rules! each {
        (|$v:ident| $f:expr) => {
            map(
                s,
                x,
                out,
                #[inline(always)]
                |$v| $f,
            )
        };
    }
    match op {
        UnaryOp::Neg => each!(|v| s.neg(v)),
        UnaryOp::Round => each!(|v| s.round(v)),
        UnaryOp::Abs => each!(|v| s.abs(v)),
        UnaryOp::Relu => each!(|v| relu(s, v)),
        UnaryOp::Sqrt => each!(|v| s.sqrt(v)),
        UnaryOp::Exp => each!(|v| exp(s, v)),
        UnaryOp::Log => each!(|v| ln(s, v)),
        UnaryOp::Log1p => each!(|v| ln_1p(s, v)),
        UnaryOp::Sigmoid => each!(|v| sigmoid(s, v)),
        UnaryOp::Tanh => each!(|v| tanh(s, v)),
        UnaryOp::Clamp(lo, hi) => {
            let (lo, hi) = (lo as f32, hi as f32);
            each!(|v| clamp(s, v, lo, hi))
        }
        // Multiply then add, two roundings, as the scalar definition (no FMA).
        UnaryOp::Affine(a, b) => {
            let (a, b) = (s.splat(a as f32), s.splat(b as f32));
            each!(|v| s.add(s.mul(v, a), b))
        }
        UnaryOp::Sign | UnaryOp::Powf(_) => unreachable!("{op:?} has no vector kernel (checked by the dispatcher)"),
    }
}

/// `out[i] = op(lhs[i], rhs[i])` for every binary kernel but `Pow` (which stays scalar).
#[inline(always)]
pub(crate) fn binary<S: Vf32>(s: S, op: BinaryKernel, lhs: Operand, rhs: Operand, out: &mut [f32]) {
    let (zero, one) = (s.splat(0.0), s.splat(1.0));
    // `zip` with the vector function `$f`, inlined into the loop.
    macro_rules! each {
        (|$a:ident, $b:ident| $f:expr) => {
            zip(
                s,
                lhs,
                rhs,
                out,
                #[inline(always)]
                |$a, $b| $f,
            )
        };
    }
    let op = match op {
        BinaryKernel::Op(op) => op,
        // `relu_backward`: the upstream gradient `g` where `x > 0`, else 0.
        BinaryKernel::ReluBackward => return each!(|g, x| s.select(s.le(x, zero), zero, g)),
    };
    match op {
        BinaryOp::Add => each!(|a, b| s.add(a, b)),
        BinaryOp::Sub => each!(|a, b| s.sub(a, b)),
        BinaryOp::Mul => each!(|a, b| s.mul(a, b)),
        BinaryOp::Div => each!(|a, b| s.div(a, b)),
        BinaryOp::Maximum => each!(|a, b| maximum(s, a, b, true)),
        BinaryOp::Minimum => each!(|a, b| maximum(s, a, b, false)),
        BinaryOp::Eq => each!(|a, b| s.select(s.eq(a, b), one, zero)),
        BinaryOp::Ne => each!(|a, b| s.select(s.ne(a, b), one, zero)),
        BinaryOp::Lt => each!(|a, b| s.select(s.lt(a, b), one, zero)),
        BinaryOp::Le => each!(|a, b| s.select(s.le(a, b), one, zero)),
        BinaryOp::Gt => each!(|a, b| s.select(s.gt(a, b), one, zero)),
        BinaryOp::Ge => each!(|a, b| s.select(s.ge(a, b), one, zero)),
        BinaryOp::BceWithLogits => each!(|x, y| bce_with_logits(s, x, y)),
        BinaryOp::Pow => unreachable!("pow has no SIMD kernel (checked by the dispatcher)"),
    }
}
