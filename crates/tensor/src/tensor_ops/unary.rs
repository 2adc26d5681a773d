//! Element-wise ops of one tensor: [`UnaryOp`] and its named shorthands (`neg`, `exp`, `sigmoid`, ...).

use super::*;

impl Tensor {
    /// Applies an element-wise op.
    ///
    /// # Panics
    /// When the op is not defined for the dtype (e.g. `exp` of an int64 tensor).
    #[track_caller]
    pub fn unary(&self, op: UnaryOp) -> Tensor {
        ensure!(
            self.dtype.is_float() || op.supports_int(),
            op.name(),
            "defined for float tensors only; got {} (shape {:?})",
            self.dtype,
            self.shape()
        );
        if let UnaryOp::Clamp(lo, hi) = op {
            ensure!(!lo.is_nan() && !hi.is_nan(), "clamp", "bounds {lo} and {hi}: NaN is not a bound");
        }
        self.check_result(op.name(), self.shape(), self.dtype);
        let storage = dispatch!(self => |b, s| b.unary(op, s, &self.layout));
        Tensor::from_storage(storage, self.shape(), self.device.clone())
    }

    /// `-x`
    #[track_caller]
    pub fn neg(&self) -> Tensor {
        self.unary(UnaryOp::Neg)
    }
    /// `e^x`
    #[track_caller]
    pub fn exp(&self) -> Tensor {
        self.unary(UnaryOp::Exp)
    }
    /// `ln x`
    #[track_caller]
    pub fn log(&self) -> Tensor {
        self.unary(UnaryOp::Log)
    }
    /// `ln(1 + x)`
    #[track_caller]
    pub fn log1p(&self) -> Tensor {
        self.unary(UnaryOp::Log1p)
    }
    /// `√x`
    #[track_caller]
    pub fn sqrt(&self) -> Tensor {
        self.unary(UnaryOp::Sqrt)
    }
    /// `|x|`
    #[track_caller]
    pub fn abs(&self) -> Tensor {
        self.unary(UnaryOp::Abs)
    }
    /// `max(x, 0)`
    #[track_caller]
    pub fn relu(&self) -> Tensor {
        self.unary(UnaryOp::Relu)
    }
    /// `1 / (1 + e^-x)`
    #[track_caller]
    pub fn sigmoid(&self) -> Tensor {
        self.unary(UnaryOp::Sigmoid)
    }
    /// `tanh x`
    #[track_caller]
    pub fn tanh(&self) -> Tensor {
        self.unary(UnaryOp::Tanh)
    }
    /// `-1, 0, 1`
    #[track_caller]
    pub fn sign(&self) -> Tensor {
        self.unary(UnaryOp::Sign)
    }
    /// Round half to even.
    #[track_caller]
    pub fn round(&self) -> Tensor {
        self.unary(UnaryOp::Round)
    }
    /// `x^p`
    #[track_caller]
    pub fn powf(&self, p: f64) -> Tensor {
        self.unary(UnaryOp::Powf(p))
    }
    /// `min(max(x, lo), hi)`
    #[track_caller]
    pub fn clamp(&self, lo: f64, hi: f64) -> Tensor {
        self.unary(UnaryOp::Clamp(lo, hi))
    }
    /// `x * mul + add`
    #[track_caller]
    pub fn affine(&self, mul: f64, add: f64) -> Tensor {
        self.unary(UnaryOp::Affine(mul, add))
    }
    /// `x + s`
    #[track_caller]
    pub fn add_scalar(&self, s: f64) -> Tensor {
        self.affine(1.0, s)
    }
    /// `x * s`
    #[track_caller]
    pub fn mul_scalar(&self, s: f64) -> Tensor {
        self.affine(s, 0.0)
    }
    /// `x / s`, a true division (`x * (1/s)` can differ in the last bit).
    #[track_caller]
    pub fn div_scalar(&self, s: f64) -> Tensor {
        self.binary(BinaryOp::Div, &self.scalar_like(s))
    }
    /// `x^2`
    #[track_caller]
    pub fn sqr(&self) -> Tensor {
        self.binary(BinaryOp::Mul, self)
    }
}
