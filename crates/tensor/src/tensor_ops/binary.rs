//! Element-wise ops of two tensors with NumPy/PyTorch broadcasting ([`BinaryOp`], and ReLU's gradient
//! `relu_backward`, a kernel of the same family that no public op names), and `where_cond`.

use super::*;
use crate::ops::BinaryKernel;

impl Tensor {
    /// Applies an element-wise op of two tensors with NumPy/PyTorch broadcasting.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast (`add: lhs [800, 2] and rhs [3] cannot be broadcast together ...`),
    /// or the operands differ in dtype or device.
    #[track_caller]
    pub fn binary(&self, op: BinaryOp, rhs: &Tensor) -> Tensor {
        self.binary_kernel(BinaryKernel::Op(op), rhs)
    }

    /// ReLU's gradient: `self`, the upstream gradient, where `x` is not `≤ 0`, else 0 (broadcasting as
    /// [`Tensor::binary`]), for `x` the ReLU's output or its input (the same mask). It is the kernel of autograd's
    /// ReLU rule, PyTorch's `threshold_backward(grad, x, 0)`: one pass instead of a mask and a product. Its scalar
    /// definition is [`crate::ops::relu_backward`]; it runs in the binary kernel family, though no [`BinaryOp`]
    /// names it.
    ///
    /// # Panics
    /// As [`Tensor::binary`], and for integer tensors.
    #[track_caller]
    pub fn relu_backward(&self, x: &Tensor) -> Tensor {
        self.binary_kernel(BinaryKernel::ReluBackward, x)
    }

    /// The checks and the broadcast of [`Tensor::binary`] and [`Tensor::relu_backward`], then the kernel.
    #[track_caller]
    fn binary_kernel(&self, op: BinaryKernel, rhs: &Tensor) -> Tensor {
        check_same(op.name(), self, rhs);
        ensure!(
            self.dtype.is_float() || op.supports_int(),
            op.name(),
            "defined for float tensors only; got {} (lhs {:?}, rhs {:?})",
            self.dtype,
            self.shape(),
            rhs.shape()
        );
        if op == BinaryKernel::Op(BinaryOp::Div) && self.dtype == DType::I64 {
            // As PyTorch (`ZeroDivisionError`): an integer division by zero is refused, on every device, here at
            // the call rather than inside a kernel.
            ensure!(
                !rhs.to_vec::<i64>().contains(&0),
                "div",
                "integer division by zero (lhs {:?}, rhs {:?} holds a 0)",
                self.shape(),
                rhs.shape()
            );
        }
        if self.shape() == rhs.shape() {
            // No broadcast: the layouts as they are.
            let (ll, rl) = (&self.layout, &rhs.layout);
            let storage = dispatch!(self, rhs => |b, l, r| run_binary(b, op, l, ll, r, rl));
            return Tensor::from_storage(storage, self.shape(), self.device.clone());
        }
        let shape = broadcast_shapes(op.name(), self.shape(), rhs.shape());
        self.check_result(op.name(), &shape, self.dtype);
        let ll = self.layout.expand(&shape);
        let rl = rhs.layout.expand(&shape);
        let storage = dispatch!(self, rhs => |b, l, r| run_binary(b, op, l, &ll, r, &rl));
        Tensor::from_storage(storage, &shape, self.device.clone())
    }

    /// `lhs + rhs` (broadcasting)
    #[track_caller]
    pub fn add(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Add, rhs)
    }
    /// `lhs - rhs` (broadcasting)
    #[track_caller]
    pub fn sub(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Sub, rhs)
    }
    /// `lhs * rhs` (broadcasting)
    #[track_caller]
    pub fn mul(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Mul, rhs)
    }
    /// `lhs / rhs` (broadcasting)
    #[track_caller]
    pub fn div(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Div, rhs)
    }
    /// `max(lhs, rhs)` (broadcasting)
    #[track_caller]
    pub fn maximum(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Maximum, rhs)
    }
    /// `min(lhs, rhs)` (broadcasting)
    #[track_caller]
    pub fn minimum(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Minimum, rhs)
    }
    /// `lhs ^ rhs` (broadcasting)
    #[track_caller]
    pub fn pow(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Pow, rhs)
    }
    /// `lhs == rhs` as 0/1 (broadcasting)
    #[track_caller]
    pub fn eq(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Eq, rhs)
    }
    /// `lhs != rhs` as 0/1 (broadcasting)
    #[track_caller]
    pub fn ne(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Ne, rhs)
    }
    /// `lhs < rhs` as 0/1 (broadcasting)
    #[track_caller]
    pub fn lt(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Lt, rhs)
    }
    /// `lhs <= rhs` as 0/1 (broadcasting)
    #[track_caller]
    pub fn le(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Le, rhs)
    }
    /// `lhs > rhs` as 0/1 (broadcasting)
    #[track_caller]
    pub fn gt(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Gt, rhs)
    }
    /// `lhs >= rhs` as 0/1 (broadcasting)
    #[track_caller]
    pub fn ge(&self, rhs: &Tensor) -> Tensor {
        self.binary(BinaryOp::Ge, rhs)
    }
    /// Element-wise binary cross-entropy of logits `self` against targets (see [`crate::ops::bce_with_logits`]).
    #[track_caller]
    pub fn bce_with_logits(&self, target: &Tensor) -> Tensor {
        self.binary(BinaryOp::BceWithLogits, target)
    }

    /// A 0-d tensor holding `value` with this tensor's dtype and device (for comparisons with a scalar).
    #[track_caller]
    pub fn scalar_like(&self, value: f64) -> Tensor {
        Tensor::scalar(value, self.dtype, &self.device)
    }

    /// `self if cond != 0 else other`, all three broadcast together (`torch.where(cond, self, other)`).
    #[track_caller]
    pub fn where_cond(cond: &Tensor, on_true: &Tensor, on_false: &Tensor) -> Tensor {
        check_same("where", on_true, on_false);
        ensure!(
            cond.device.same(&on_true.device),
            "where",
            "cond {:?} is on {} but the values {:?} are on {}",
            cond.shape(),
            cond.device.name(),
            on_true.shape(),
            on_true.device.name()
        );
        let cond = if cond.dtype == on_true.dtype { cond.clone() } else { cond.to_dtype(on_true.dtype) };
        let shape =
            broadcast_shapes("where", &broadcast_shapes("where", cond.shape(), on_true.shape()), on_false.shape());
        on_true.check_result("where", &shape, on_true.dtype);
        let (cl, tl, fl) = (cond.layout.expand(&shape), on_true.layout.expand(&shape), on_false.layout.expand(&shape));
        let storage = dispatch!(cond, on_true, on_false => |b, c, t, f| b.where_cond(c, &cl, t, &tl, f, &fl));
        Tensor::from_storage(storage, &shape, on_true.device.clone())
    }
}

/// Runs a binary kernel on the backend `b`: [`Backend::binary`] for a public op, [`Backend::relu_backward`] for
/// ReLU's gradient.
#[track_caller]
fn run_binary<B: Backend>(
    b: &B,
    op: BinaryKernel,
    lhs: &B::Storage,
    lhs_layout: &Layout,
    rhs: &B::Storage,
    rhs_layout: &Layout,
) -> B::Storage {
    match op {
        BinaryKernel::Op(op) => b.binary(op, lhs, lhs_layout, rhs, rhs_layout),
        BinaryKernel::ReluBackward => b.relu_backward(lhs, lhs_layout, rhs, rhs_layout),
    }
}
