//! The portable kernels: plain loops over the scalar definitions of [`crate::ops`], generic over f32 and f64.
//! Always compiled, used when the CPU has no AVX2 (and for f64), and the reference every SIMD path is tested
//! against. The compiler vectorises the simple ones (`+`, `*`, relu) with the baseline SSE2.

use super::vector::Operand;
use crate::ops::{self, BinaryKernel, BinaryOp, Float, UnaryOp};

/// `out[i] = op(x[i])`.
pub(crate) fn unary<T: Float>(op: UnaryOp, x: &[T], out: &mut [T]) {
    #[inline(always)]
    fn run<T: Float>(x: &[T], out: &mut [T], f: impl Fn(T) -> T) {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = f(v);
        }
    }
    assert_eq!(x.len(), out.len());
    // Monomorphise the common ops so the inner loop has no `match`.
    match op {
        UnaryOp::Relu => run(x, out, ops::relu),
        UnaryOp::Sigmoid => run(x, out, ops::sigmoid),
        UnaryOp::Neg => run(x, out, |v: T| -v),
        UnaryOp::Exp => run(x, out, |v: T| v.exp()),
        UnaryOp::Affine(a, b) => {
            let (a, b) = (T::of(a), T::of(b));
            run(x, out, move |v: T| v * a + b)
        }
        op => run(x, out, move |v: T| ops::unary(op, v)),
    }
}

/// `out[i] = op(lhs[i], rhs[i])`.
pub(crate) fn binary<T: Float>(op: BinaryKernel, lhs: Operand<T>, rhs: Operand<T>, out: &mut [T]) {
    #[inline(always)]
    fn run<T: Float>(lhs: Operand<T>, rhs: Operand<T>, out: &mut [T], f: impl Fn(T, T) -> T) {
        let n = out.len();
        match (lhs, rhs) {
            (Operand::Slice(l), Operand::Slice(r)) => {
                for ((o, &a), &b) in out.iter_mut().zip(&l[..n]).zip(&r[..n]) {
                    *o = f(a, b);
                }
            }
            (Operand::Slice(l), Operand::Scalar(b)) => {
                for (o, &a) in out.iter_mut().zip(&l[..n]) {
                    *o = f(a, b);
                }
            }
            (Operand::Scalar(a), Operand::Slice(r)) => {
                for (o, &b) in out.iter_mut().zip(&r[..n]) {
                    *o = f(a, b);
                }
            }
            (Operand::Scalar(a), Operand::Scalar(b)) => out.fill(f(a, b)),
        }
    }
    match op {
        BinaryKernel::Op(BinaryOp::Add) => run(lhs, rhs, out, |a: T, b: T| a + b),
        BinaryKernel::Op(BinaryOp::Sub) => run(lhs, rhs, out, |a: T, b: T| a - b),
        BinaryKernel::Op(BinaryOp::Mul) => run(lhs, rhs, out, |a: T, b: T| a * b),
        BinaryKernel::Op(BinaryOp::Div) => run(lhs, rhs, out, |a: T, b: T| a / b),
        op => run(lhs, rhs, out, move |a: T, b: T| ops::binary_kernel(op, a, b)),
    }
}

/// Largest (`max`) or smallest element of a non-empty row; NaN wins and sticks (as PyTorch).
pub(crate) fn max_min<T: Float>(x: &[T], max: bool) -> T {
    let mut best = x[0];
    for &v in &x[1..] {
        if best.is_nan() {
            break;
        }
        if v.is_nan() || (max && v > best) || (!max && v < best) {
            best = v;
        }
    }
    best
}

/// Column sums of a row-major `[n, inner]` block, rows added in order (see `vector::col_sums`).
pub(crate) fn col_sums<T: Float>(x: &[T], inner: usize, out: &mut [T]) {
    out[..inner].iter_mut().for_each(|o| *o = T::ZERO);
    if inner == 0 {
        return;
    }
    for row in x.chunks_exact(inner) {
        for (a, &v) in out.iter_mut().zip(row) {
            *a = *a + v;
        }
    }
}
