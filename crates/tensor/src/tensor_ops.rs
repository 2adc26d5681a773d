//! The computing ops of [`Tensor`]: argument checks, broadcasting, then one backend call.
//!
//! Every check panics at the caller's line (`#[track_caller]`) with the op's name and the shapes involved.
//! Broadcasting happens here and only here: both operands are `expand`ed to the common shape (stride-0 views),
//! so backends see two layouts of the same shape.

use crate::backend::Backend;
use crate::device::{Device, Storage, CPU};
use crate::dtype::DType;
use crate::ensure;
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::tensor::{dispatch, Dim, Tensor};

/// Checks that two tensors share a device and a dtype.
#[track_caller]
fn check_same(op: &str, lhs: &Tensor, rhs: &Tensor) {
    ensure!(
        lhs.device.same(&rhs.device),
        op,
        "lhs {:?} is on {} but rhs {:?} is on {}",
        lhs.shape(),
        lhs.device.name(),
        rhs.shape(),
        rhs.device.name()
    );
    ensure!(
        lhs.dtype == rhs.dtype,
        op,
        "lhs {:?} has dtype {} but rhs {:?} has dtype {}",
        lhs.shape(),
        lhs.dtype,
        rhs.shape(),
        rhs.dtype
    );
}

/// Checks float logits `[N, C]` against int64 class indices `[N]` on the same device.
#[track_caller]
fn check_class_targets(op: &str, logits: &Tensor, target: &Tensor) {
    ensure!(
        logits.device.same(&target.device),
        op,
        "logits {:?} are on {} but target {:?} is on {}",
        logits.shape(),
        logits.device.name(),
        target.shape(),
        target.device.name()
    );
    ensure!(
        !target.dtype.is_float() || !logits.dtype.is_float(),
        op,
        "logits {:?} {} and a {} target {:?}: float targets would be class probabilities, which {op} does not \
         support; pass class indices as int64 [N] (target.to_dtype(DType::I64))",
        logits.shape(),
        logits.dtype,
        target.dtype,
        target.shape()
    );
    ensure!(
        logits.dtype.is_float()
            && target.dtype == DType::I64
            && logits.rank() == 2
            && target.shape() == [logits.shape()[0]],
        op,
        "logits {:?} {} and target {:?} {}: need float logits [N, C] and int64 class indices [N]",
        logits.shape(),
        logits.dtype,
        target.shape(),
        target.dtype
    );
}

/// Runs a backend method taking two (storage, layout) pairs.
macro_rules! dispatch2 {
    ($lhs:expr, $rhs:expr, |$b:ident, $l:ident, $r:ident| $body:expr) => {
        match (&$lhs.device, &*$lhs.storage, &*$rhs.storage) {
            (Device::Cpu, Storage::Cpu($l), Storage::Cpu($r)) => {
                let $b = &CPU;
                Storage::Cpu($body)
            }
            #[cfg(feature = "wgpu")]
            (Device::Wgpu($b), Storage::Wgpu($l), Storage::Wgpu($r)) => Storage::Wgpu($body),
            #[allow(unreachable_patterns)]
            _ => unreachable!("operands checked to share a device"),
        }
    };
}

impl Tensor {
    /// Checks, before a kernel allocates it, that a result of `shape` and `dtype` can exist on this device
    /// ([`Device::check_alloc`]): a broadcast or an expanded view may describe more elements than any memory holds.
    #[track_caller]
    fn check_result(&self, op: &str, shape: &[usize], dtype: DType) {
        if let Err(e) = self.device.check_alloc(shape, dtype) {
            crate::error::fail(op, &e);
        }
    }

    /// Bounds `(lo, hi)` known on the host for every value of this int64 tensor's storage, and so of this view: kept
    /// by the GPU backend for storages uploaded from host data or made by argmax/argmin, so that a check of the
    /// values needs no readback. `None` where no bounds are kept (the CPU, which reads its values at no wait, and
    /// GPU values computed on the device).
    pub fn known_index_range(&self) -> Option<(i64, i64)> {
        match &*self.storage {
            #[cfg(feature = "wgpu")]
            Storage::Wgpu(s) if self.dtype() == DType::I64 => s.index_range(),
            _ => None,
        }
    }

    /// Records that the values of this int64 tensor (a new storage) lie in `lo..=hi`, so that a GPU gather with
    /// it is range-checked at the call (see `check_index`).
    fn set_index_range(&self, lo: i64, hi: i64) {
        #[cfg(feature = "wgpu")]
        if let Storage::Wgpu(s) = &*self.storage {
            s.set_index_range(lo, hi);
        }
        let _ = (lo, hi);
    }

    // --- unary -------------------------------------------------------------------------------------------

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
        let storage = dispatch!(self, |b, s| b.unary(op, s, &self.layout));
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

    // --- binary ------------------------------------------------------------------------------------------

    /// Applies an element-wise op of two tensors with NumPy/PyTorch broadcasting.
    ///
    /// # Panics
    /// When the shapes cannot be broadcast (`add: lhs [800, 2] and rhs [3] cannot be broadcast together ...`),
    /// or the operands differ in dtype or device.
    #[track_caller]
    pub fn binary(&self, op: BinaryOp, rhs: &Tensor) -> Tensor {
        check_same(op.name(), self, rhs);
        ensure!(
            self.dtype.is_float() || op.supports_int(),
            op.name(),
            "defined for float tensors only; got {} (lhs {:?}, rhs {:?})",
            self.dtype,
            self.shape(),
            rhs.shape()
        );
        if op == BinaryOp::Div && self.dtype == DType::I64 {
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
            let storage = dispatch2!(self, rhs, |b, l, r| b.binary(op, l, ll, r, rl));
            return Tensor::from_storage(storage, self.shape(), self.device.clone());
        }
        let shape = broadcast_shapes(op.name(), self.shape(), rhs.shape());
        self.check_result(op.name(), &shape, self.dtype);
        let ll = self.layout.expand(&shape);
        let rl = rhs.layout.expand(&shape);
        let storage = dispatch2!(self, rhs, |b, l, r| b.binary(op, l, &ll, r, &rl));
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
        let storage = match (&cond.device, &*cond.storage, &*on_true.storage, &*on_false.storage) {
            (Device::Cpu, Storage::Cpu(c), Storage::Cpu(t), Storage::Cpu(f)) => {
                Storage::Cpu(CPU.where_cond(c, &cl, t, &tl, f, &fl))
            }
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(b), Storage::Wgpu(c), Storage::Wgpu(t), Storage::Wgpu(f)) => {
                Storage::Wgpu(b.where_cond(c, &cl, t, &tl, f, &fl))
            }
            #[allow(unreachable_patterns)]
            _ => unreachable!("operands checked to share a device"),
        };
        Tensor::from_storage(storage, &shape, on_true.device.clone())
    }

    // --- reductions --------------------------------------------------------------------------------------

    /// Reduces one axis with `op`, keeping it as size 1 when `keepdim`.
    ///
    /// # Panics
    /// When the axis is out of range, or for `max`/`min`/`argmax`/`argmin` over an empty dimension.
    #[track_caller]
    pub fn reduce(&self, op: ReduceOp, axis: impl Dim, keepdim: bool) -> Tensor {
        let axis = axis.resolve(op.name(), self.rank());
        ensure!(
            op == ReduceOp::Sum || self.shape()[axis] > 0,
            op.name(),
            "cannot reduce the empty dimension {axis} of shape {:?} (no identity)",
            self.shape()
        );
        let mut shape = self.shape().to_vec();
        if keepdim {
            shape[axis] = 1;
        } else {
            shape.remove(axis);
        }
        self.check_result(op.name(), &shape, if op.is_arg() { DType::I64 } else { self.dtype });
        // Reducing a dimension of size 1 with sum/max/min changes nothing but the shape: a view, no kernel.
        if self.shape()[axis] == 1 && !op.is_arg() {
            return self.reshape(&shape);
        }
        let storage = dispatch!(self, |b, s| b.reduce(op, s, &self.layout, axis));
        let out = Tensor::from_storage(storage, &shape, self.device.clone());
        if op.is_arg() {
            // Indices along `axis`: known to lie in 0..size, so a gather with them needs no range check.
            out.set_index_range(0, self.shape()[axis] as i64 - 1);
        }
        out
    }

    /// Reduces every element to a 0-d tensor.
    #[track_caller]
    pub fn reduce_all(&self, op: ReduceOp) -> Tensor {
        let flat = if self.rank() == 1 { self.clone() } else { self.flatten_all() };
        flat.reduce(op, 0usize, false)
    }

    /// Sum over `axis`.
    #[track_caller]
    pub fn sum(&self, axis: impl Dim, keepdim: bool) -> Tensor {
        self.reduce(ReduceOp::Sum, axis, keepdim)
    }
    /// Sum of every element (0-d).
    #[track_caller]
    pub fn sum_all(&self) -> Tensor {
        self.reduce_all(ReduceOp::Sum)
    }
    /// Mean over `axis` (sum, then divided by the size).
    #[track_caller]
    pub fn mean(&self, axis: impl Dim, keepdim: bool) -> Tensor {
        let axis = axis.resolve("mean", self.rank());
        let n = self.shape()[axis];
        // A true division (not a multiplication by 1/n), as PyTorch, so results agree to the last bit.
        self.sum(axis, keepdim).div_scalar(n as f64)
    }
    /// Mean of every element (0-d).
    #[track_caller]
    pub fn mean_all(&self) -> Tensor {
        let n = self.numel();
        self.sum_all().div_scalar(n as f64)
    }
    /// Maximum over `axis`.
    #[track_caller]
    pub fn max(&self, axis: impl Dim, keepdim: bool) -> Tensor {
        self.reduce(ReduceOp::Max, axis, keepdim)
    }
    /// Maximum of every element (0-d).
    #[track_caller]
    pub fn max_all(&self) -> Tensor {
        self.reduce_all(ReduceOp::Max)
    }
    /// Minimum over `axis`.
    #[track_caller]
    pub fn min(&self, axis: impl Dim, keepdim: bool) -> Tensor {
        self.reduce(ReduceOp::Min, axis, keepdim)
    }
    /// Minimum of every element (0-d).
    #[track_caller]
    pub fn min_all(&self) -> Tensor {
        self.reduce_all(ReduceOp::Min)
    }
    /// Index of the first maximum over `axis` (int64).
    #[track_caller]
    pub fn argmax(&self, axis: impl Dim, keepdim: bool) -> Tensor {
        self.reduce(ReduceOp::ArgMax, axis, keepdim)
    }
    /// Index of the first minimum over `axis` (int64).
    #[track_caller]
    pub fn argmin(&self, axis: impl Dim, keepdim: bool) -> Tensor {
        self.reduce(ReduceOp::ArgMin, axis, keepdim)
    }

    /// Softmax along `axis`, computed as `e^(x - max) / Σ e^(x - max)`.
    #[track_caller]
    pub fn softmax(&self, axis: impl Dim) -> Tensor {
        self.softmax_impl(axis.resolve("softmax", self.rank()), false)
    }

    /// Log-softmax along `axis`: `x - max - ln Σ e^(x - max)`.
    #[track_caller]
    pub fn log_softmax(&self, axis: impl Dim) -> Tensor {
        self.softmax_impl(axis.resolve("log_softmax", self.rank()), true)
    }

    #[track_caller]
    fn softmax_impl(&self, axis: usize, log: bool) -> Tensor {
        let op = if log { "log_softmax" } else { "softmax" };
        ensure!(
            self.dtype.is_float(),
            op,
            "defined for float tensors only; got {} (shape {:?})",
            self.dtype,
            self.shape()
        );
        let storage = dispatch!(self, |b, s| b.softmax(s, &self.layout, axis, log));
        Tensor::from_storage(storage, self.shape(), self.device.clone())
    }

    // --- matmul ------------------------------------------------------------------------------------------

    /// Matrix product. `[m, k] @ [k, n] -> [m, n]`; batched `[b, m, k] @ [b, k, n] -> [b, m, n]`, where either
    /// operand may be 2-D (broadcast over the batch). Transposed and strided operands are not copied.
    ///
    /// # Panics
    /// `matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3 differ`, and likewise for ranks other
    /// than 2 or 3, batch sizes that differ, dtypes or devices that differ.
    #[track_caller]
    pub fn matmul(&self, rhs: &Tensor) -> Tensor {
        check_same("matmul", self, rhs);
        let (ls, rs) = (self.shape(), rhs.shape());
        ensure!(
            self.dtype.is_float(),
            "matmul",
            "lhs {ls:?} and rhs {rs:?}: defined for float tensors only; got {}",
            self.dtype
        );
        ensure!(
            (2..=3).contains(&ls.len()) && (2..=3).contains(&rs.len()),
            "matmul",
            "lhs {ls:?} and rhs {rs:?}: only 2-D and 3-D (batched) operands are supported"
        );
        let (lk, rk) = (ls[ls.len() - 1], rs[rs.len() - 2]);
        ensure!(lk == rk, "matmul", "lhs {ls:?} and rhs {rs:?}: inner dimensions {lk} and {rk} differ");
        let batch = match (ls.len(), rs.len()) {
            (3, 3) => {
                ensure!(
                    ls[0] == rs[0],
                    "matmul",
                    "lhs {ls:?} and rhs {rs:?}: batch sizes {} and {} differ",
                    ls[0],
                    rs[0]
                );
                Some(ls[0])
            }
            (3, 2) => Some(ls[0]),
            (2, 3) => Some(rs[0]),
            _ => None,
        };
        let b = batch.unwrap_or(1);
        let (m, k, n) = (ls[ls.len() - 2], lk, rs[rs.len() - 1]);
        self.check_result("matmul", &[b, m, n], self.dtype);
        let to3 = |t: &Tensor, rows: usize, cols: usize| -> Layout {
            if t.rank() == 3 {
                t.layout.clone()
            } else {
                t.layout.unsqueeze(0).expand(&[b, rows, cols])
            }
        };
        let (ll, rl) = (to3(self, m, k), to3(rhs, k, n));
        let storage = dispatch2!(self, rhs, |be, l, r| be.matmul(l, &ll, r, &rl));
        let shape: Vec<usize> = if batch.is_some() { vec![b, m, n] } else { vec![m, n] };
        Tensor::from_storage(storage, &shape, self.device.clone())
    }

    /// The affine map of `nn.Linear`: `x Wᵀ + b` for `x` `[n, in]`, `weight` `[out, in]`, `bias` `[out]` →
    /// `[n, out]`. Computed as `x.matmul(weight.t())` (the transpose is a view) plus the bias broadcast over the
    /// rows, so its bits are those of the two ops written out; it exists so that the autograd layer can record
    /// a layer as one node (see `autograd`'s `Op::Linear`).
    ///
    /// # Panics
    /// `linear: x [800, 3] and weight [10, 2]: in_features 3 and 2 differ`, and likewise for operands that are not
    /// 2-D, a bias that is not `[out]`, or dtypes and devices that differ.
    #[track_caller]
    pub fn linear(&self, weight: &Tensor, bias: Option<&Tensor>) -> Tensor {
        self.linear_impl("linear", weight, bias, false)
    }

    /// A hidden layer's `max(x Wᵀ + b, 0)`: [`Tensor::linear`] with a ReLU epilogue, one kernel where the backend
    /// fuses it, and always exactly the bits of `self.linear(weight, bias).relu()` on the same device.
    ///
    /// # Panics
    /// As [`Tensor::linear`], naming `linear_relu`.
    #[track_caller]
    pub fn linear_relu(&self, weight: &Tensor, bias: Option<&Tensor>) -> Tensor {
        self.linear_impl("linear_relu", weight, bias, true)
    }

    #[track_caller]
    fn linear_impl(&self, op: &str, weight: &Tensor, bias: Option<&Tensor>, relu: bool) -> Tensor {
        check_same(op, self, weight);
        let (xs, ws) = (self.shape(), weight.shape());
        ensure!(
            xs.len() == 2 && ws.len() == 2,
            op,
            "x {xs:?} and weight {ws:?}: both must be 2-D ([n, in] and [out, in])"
        );
        ensure!(xs[1] == ws[1], op, "x {xs:?} and weight {ws:?}: in_features {} and {} differ", xs[1], ws[1]);
        let epilogue = |t: Tensor| if relu { t.relu() } else { t };
        let Some(b) = bias else { return epilogue(self.matmul(&weight.t())) };
        check_same(op, weight, b);
        let bs = b.shape();
        ensure!(bs.len() == 1 && bs[0] == ws[0], op, "weight {ws:?} and bias {bs:?}: the bias must be [{}]", ws[0]);
        // The backend's fused kernel where it has one for these operands (the CPU: the bias as the GEMM's
        // starting value, see `cpu::matmul::linear`; the GPU: the matmul kernels' bias epilogue), else the ops.
        let wt = weight.t();
        let (xl, wl, bl) = (&self.layout, &wt.layout, &b.layout);
        let fused = match (&self.device, &*self.storage, &*wt.storage, &*b.storage) {
            (Device::Cpu, Storage::Cpu(x), Storage::Cpu(w), Storage::Cpu(bb)) => {
                CPU.linear(x, xl, w, wl, bb, bl, relu).map(Storage::Cpu)
            }
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(w), Storage::Wgpu(bb)) => {
                be.linear(x, xl, w, wl, bb, bl, relu).map(Storage::Wgpu)
            }
            #[allow(unreachable_patterns)]
            _ => unreachable!("operands checked to share a device"),
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, &[xs[0], ws[0]], self.device.clone()),
            None => epilogue(self.matmul(&wt).add(b)),
        }
    }

    // --- metrics -----------------------------------------------------------------------------------------

    /// The right predictions of a binary classifier with logits `self`: `target.eq(&self.sigmoid().round())
    /// .sum_all()` (the tutorial's accuracy count), one kernel where the backend has one
    /// ([`Backend::count_round_sigmoid_eq`]) and those ops elsewhere — the same bits either way.
    ///
    /// # Panics
    /// When `target` is not of `self`'s shape, dtype and device.
    ///
    /// [`Backend::count_round_sigmoid_eq`]: crate::Backend::count_round_sigmoid_eq
    #[track_caller]
    pub fn count_round_sigmoid_eq(&self, target: &Tensor) -> Tensor {
        check_same("count_round_sigmoid_eq", self, target);
        ensure!(
            self.shape() == target.shape(),
            "count_round_sigmoid_eq",
            "logits {:?} and target {:?}: the shapes differ",
            self.shape(),
            target.shape()
        );
        let fused = match (&self.device, &*self.storage, &*target.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(t)) => {
                be.count_round_sigmoid_eq(x, &self.layout, t, &target.layout).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, &[], self.device.clone()),
            None => target.eq(&self.sigmoid().round()).sum_all(),
        }
    }

    /// The right predictions of a multi-class classifier with logits `self` (`[N, C]`) against int64 class indices
    /// `target` (`[N]`): `target.eq(&self.softmax(1).argmax(1, false)).sum_all()` (the tutorial's accuracy count),
    /// an int64 scalar, one kernel where the backend has one ([`Backend::count_argmax_softmax_eq`]) and those ops
    /// elsewhere — the same count either way.
    ///
    /// # Panics
    /// When `self` is not `[N, C]` float or `target` not `[N]` int64 on the same device.
    ///
    /// [`Backend::count_argmax_softmax_eq`]: crate::Backend::count_argmax_softmax_eq
    #[track_caller]
    pub fn count_argmax_softmax_eq(&self, target: &Tensor) -> Tensor {
        check_class_targets("count_argmax_softmax_eq", self, target);
        let fused = match (&self.device, &*self.storage, &*target.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(t)) => {
                be.count_argmax_softmax_eq(x, &self.layout, t, &target.layout).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, &[], self.device.clone()),
            None => target.eq(&self.softmax(1).argmax(1, false)).sum_all(),
        }
    }

    /// The mean binary cross-entropy of the logits `self` against `target` (`BCEWithLogitsLoss()`):
    /// `self.bce_with_logits(target).mean_all()`, one kernel where the backend has one
    /// ([`Backend::bce_with_logits_mean`]; on the GPU the same bits from 65 to 16384 elements, the last bits may
    /// differ outside that range, where the unfused sum adds in another order)
    /// and those ops elsewhere.
    ///
    /// # Panics
    /// When `target` is not of `self`'s shape, dtype and device.
    ///
    /// [`Backend::bce_with_logits_mean`]: crate::Backend::bce_with_logits_mean
    #[track_caller]
    pub fn bce_with_logits_mean(&self, target: &Tensor) -> Tensor {
        check_same("bce_with_logits_mean", self, target);
        ensure!(
            self.shape() == target.shape(),
            "bce_with_logits_mean",
            "logits {:?} and target {:?}: the shapes differ",
            self.shape(),
            target.shape()
        );
        let fused = match (&self.device, &*self.storage, &*target.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(t)) => {
                be.bce_with_logits_mean(x, &self.layout, t, &target.layout).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, &[], self.device.clone()),
            None => self.bce_with_logits(target).mean_all(),
        }
    }

    /// The gradient of [`Tensor::bce_with_logits_mean`] with respect to the logits `self` for the one-element
    /// upstream gradient `grad`: `grad.div_scalar(n).expand(shape).mul(&self.sigmoid().sub(target))` (the rules of
    /// the division, the sum and the element-wise loss), one kernel where the backend has one
    /// ([`Backend::bce_with_logits_mean_grad`]) and those ops elsewhere — the same bits either way.
    ///
    /// # Panics
    /// When `target` is not of `self`'s shape, dtype and device, or `grad` has more than one element.
    ///
    /// [`Backend::bce_with_logits_mean_grad`]: crate::Backend::bce_with_logits_mean_grad
    #[track_caller]
    pub fn bce_with_logits_mean_grad(&self, target: &Tensor, grad: &Tensor) -> Tensor {
        check_same("bce_with_logits_mean_grad", self, target);
        check_same("bce_with_logits_mean_grad", self, grad);
        ensure!(
            self.shape() == target.shape() && grad.numel() == 1,
            "bce_with_logits_mean_grad",
            "logits {:?}, target {:?} and grad {:?}: the shapes differ or grad is not one element",
            self.shape(),
            target.shape(),
            grad.shape()
        );
        let fused = match (&self.device, &*self.storage, &*target.storage, &*grad.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(t), Storage::Wgpu(g)) => {
                be.bce_with_logits_mean_grad(x, &self.layout, t, &target.layout, g, &grad.layout).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, self.shape(), self.device.clone()),
            None => {
                let g = grad.div_scalar(self.numel() as f64).reshape(&vec![1; self.rank()]).expand(self.shape());
                g.mul(&self.sigmoid().sub(target))
            }
        }
    }

    /// The mean cross-entropy of the logits `self` (`[N, C]`) against int64 class indices `target` (`[N]`)
    /// (`CrossEntropyLoss()`): `-self.log_softmax(1).gather(1, target[:, None]).mean_all()`, one kernel where the
    /// backend has one ([`Backend::cross_entropy_mean`]; the same bits where log_softmax runs its one-row-per-
    /// invocation kernel and N ≤ 16384) and those ops elsewhere.
    ///
    /// # Panics
    /// When `self` is not `[N, C]` float, `target` not `[N]` int64, or they are on different devices.
    ///
    /// [`Backend::cross_entropy_mean`]: crate::Backend::cross_entropy_mean
    #[track_caller]
    pub fn cross_entropy_mean(&self, target: &Tensor) -> Tensor {
        check_class_targets("cross_entropy_mean", self, target);
        let fused = match (&self.device, &*self.storage, &*target.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(t)) => {
                be.cross_entropy_mean(x, &self.layout, t, &target.layout).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, &[], self.device.clone()),
            None => self.log_softmax(1).gather(1, &target.unsqueeze(1)).squeeze(1).neg().mean_all(),
        }
    }

    /// The gradient of [`Tensor::cross_entropy_mean`] with respect to the logits `self` for the one-element upstream
    /// gradient `grad`: the rules of the division by N, the negation, the gather and the log_softmax in that order
    /// (`u - exp(log_softmax(self)) · Σ_row u` with `u` the scatter of `-(grad / N)` at the targets), one kernel
    /// where the backend has one ([`Backend::cross_entropy_mean_grad`]) and those ops elsewhere.
    ///
    /// # Panics
    /// As [`Tensor::cross_entropy_mean`], and when `grad` has more than one element.
    ///
    /// [`Backend::cross_entropy_mean_grad`]: crate::Backend::cross_entropy_mean_grad
    #[track_caller]
    pub fn cross_entropy_mean_grad(&self, target: &Tensor, grad: &Tensor) -> Tensor {
        check_class_targets("cross_entropy_mean_grad", self, target);
        check_same("cross_entropy_mean_grad", self, grad);
        ensure!(grad.numel() == 1, "cross_entropy_mean_grad", "grad {:?} is not one element", grad.shape());
        let fused = match (&self.device, &*self.storage, &*target.storage, &*grad.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(t), Storage::Wgpu(g)) => {
                be.cross_entropy_mean_grad(x, &self.layout, t, &target.layout, g, &grad.layout).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, self.shape(), self.device.clone()),
            None => {
                let rows = self.shape()[0];
                let u = grad.reshape(&[]).div_scalar(rows as f64).neg().reshape(&[1]).expand(&[rows]);
                let index = target.unsqueeze(1);
                let u =
                    Tensor::zeros(self.shape(), self.dtype(), self.device()).scatter_add(1, &index, &u.unsqueeze(1));
                let logp = self.log_softmax(1);
                u.sub(&logp.exp().mul(&u.sum(1, true)))
            }
        }
    }

    // --- optimizers --------------------------------------------------------------------------------------

    /// The plain SGD step `self + grad·(-lr)`: one kernel where the backend has one ([`Backend::sgd_step`]),
    /// else — and always on the CPU — its two ops `self.add(&grad.mul_scalar(-lr))`, whose bits the kernel
    /// reproduces.
    ///
    /// # Panics
    /// When `grad` is not of `self`'s shape, dtype and device: `sgd_step: param [10, 2] and grad [2, 10] ...`.
    ///
    /// [`Backend::sgd_step`]: crate::Backend::sgd_step
    #[track_caller]
    pub fn sgd_step(&self, grad: &Tensor, lr: f64) -> Tensor {
        check_same("sgd_step", self, grad);
        ensure!(
            self.shape() == grad.shape(),
            "sgd_step",
            "param {:?} and grad {:?}: the shapes differ",
            self.shape(),
            grad.shape()
        );
        let fused = match (&self.device, &*self.storage, &*grad.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(g)) => {
                be.sgd_step(x, &self.layout, g, &grad.layout, lr).map(Storage::Wgpu)
            }
            _ => None,
        };
        match fused {
            Some(storage) => Tensor::from_storage(storage, self.shape(), self.device.clone()),
            None => self.add(&grad.mul_scalar(-lr)),
        }
    }

    /// [`Tensor::sgd_step`] of several parameters, each a `(param, grad)` pair: two at a time in one kernel where
    /// the backend has one ([`Backend::sgd_step_pair`]), else one by one — the same bits either way.
    ///
    /// # Panics
    /// When a grad is not of its param's shape, dtype and device.
    ///
    /// [`Backend::sgd_step_pair`]: crate::Backend::sgd_step_pair
    #[track_caller]
    pub fn sgd_step_many(pairs: &[(Tensor, Tensor)], lr: f64) -> Vec<Tensor> {
        let mut out = Vec::with_capacity(pairs.len());
        let mut rest = pairs;
        while let [first, second, tail @ ..] = rest {
            let fused =
                match (&first.0.device, &*first.0.storage, &*first.1.storage, &*second.0.storage, &*second.1.storage) {
                    #[cfg(feature = "wgpu")]
                    (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(g), Storage::Wgpu(x2), Storage::Wgpu(g2))
                        if second.0.device == first.0.device
                            && first.0.shape() == first.1.shape()
                            && second.0.shape() == second.1.shape() =>
                    {
                        be.sgd_step_pair(
                            (x, &first.0.layout, g, &first.1.layout),
                            (x2, &second.0.layout, g2, &second.1.layout),
                            lr,
                        )
                        .map(|(a, b)| {
                            (
                                Tensor::from_storage(Storage::Wgpu(a), first.0.shape(), first.0.device.clone()),
                                Tensor::from_storage(Storage::Wgpu(b), second.0.shape(), second.0.device.clone()),
                            )
                        })
                    }
                    _ => None,
                };
            match fused {
                Some((a, b)) => {
                    out.push(a);
                    out.push(b);
                }
                None => {
                    out.push(first.0.sgd_step(&first.1, lr));
                    out.push(second.0.sgd_step(&second.1, lr));
                }
            }
            rest = tail;
        }
        out.extend(rest.iter().map(|(x, g)| x.sgd_step(g, lr)));
        out
    }

    /// The plain Adam step of parameter `self` in one kernel where the backend has one
    /// ([`Backend::adam_step`]): `Some((param, exp_avg, exp_avg_sq))`, the bits of the unfused ops; `None` where
    /// it has not (always on the CPU), and the caller runs the ops.
    ///
    /// # Panics
    /// When the four tensors do not share a shape, dtype and device.
    ///
    /// [`Backend::adam_step`]: crate::Backend::adam_step
    #[track_caller]
    #[cfg_attr(not(feature = "wgpu"), allow(unused_variables))] // `hyper` is for the GPU kernel only
    pub fn adam_step(
        &self,
        grad: &Tensor,
        exp_avg: &Tensor,
        exp_avg_sq: &Tensor,
        hyper: &crate::backend::AdamStep,
    ) -> Option<(Tensor, Tensor, Tensor)> {
        for other in [grad, exp_avg, exp_avg_sq] {
            check_same("adam_step", self, other);
            ensure!(
                self.shape() == other.shape(),
                "adam_step",
                "param {:?} and {:?}: the shapes differ",
                self.shape(),
                other.shape()
            );
        }
        match (&self.device, &*self.storage, &*grad.storage, &*exp_avg.storage, &*exp_avg_sq.storage) {
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(be), Storage::Wgpu(x), Storage::Wgpu(g), Storage::Wgpu(m), Storage::Wgpu(v)) => {
                let (x, m, v) = be.adam_step(
                    (x, &self.layout),
                    (g, &grad.layout),
                    (m, &exp_avg.layout),
                    (v, &exp_avg_sq.layout),
                    hyper,
                )?;
                let wrap = |s| Tensor::from_storage(Storage::Wgpu(s), self.shape(), self.device.clone());
                Some((wrap(x), wrap(m), wrap(v)))
            }
            _ => None,
        }
    }

    // --- indexing ----------------------------------------------------------------------------------------

    /// Checks an index along `axis` for `gather`/`scatter_add`: the rank of `self`, no dimension larger than
    /// the input's outside `axis`, and then [`Self::check_index`] against the size of `axis`.
    #[track_caller]
    fn check_axis_index(&self, op: &str, axis: usize, index: &Tensor) {
        ensure!(
            index.rank() == self.rank(),
            op,
            "input {:?} and index {:?} must have the same rank",
            self.shape(),
            index.shape()
        );
        for d in 0..self.rank() {
            ensure!(
                d == axis || index.shape()[d] <= self.shape()[d],
                op,
                "input {:?} and index {:?}: index dimension {d} is larger than the input's",
                self.shape(),
                index.shape()
            );
        }
        self.check_index(op, index, self.shape()[axis]);
    }

    #[track_caller]
    fn check_index(&self, op: &str, index: &Tensor, bound: usize) {
        ensure!(index.dtype == DType::I64, op, "index {:?} must be int64, not {}", index.shape(), index.dtype);
        ensure!(
            self.device.same(&index.device),
            op,
            "input {:?} is on {} but index {:?} is on {}",
            self.shape(),
            self.device.name(),
            index.shape(),
            index.device.name()
        );
        // Range check at the call. On the CPU it is a scan. On the GPU, an index whose storage has known bounds
        // (uploaded from the host, or made by argmax/argmin) is checked against them, and read back for the
        // culprit when they do not fit; an index computed on the device is checked by the kernel, whose flag the
        // next readback reports.
        let scan = match &*index.storage {
            Storage::Cpu(_) => true,
            #[cfg(feature = "wgpu")]
            Storage::Wgpu(s) => s.index_range().is_some_and(|(lo, hi)| lo < 0 || hi as u64 >= bound as u64),
        };
        if scan {
            if let Some(bad) = index.to_vec::<i64>().into_iter().find(|&i| i < 0 || i as u64 >= bound as u64) {
                crate::error::shape_error(
                    op,
                    format_args!(
                        "index {bad} out of range for dimension of size {bound} (input {:?}, index {:?})",
                        self.shape(),
                        index.shape()
                    ),
                );
            }
        }
    }

    /// `torch.gather(self, axis, index)`: `out[i][j] = self[i][index[i][j]]` for `axis = 1`, and likewise for
    /// any axis. `index` is int64 with the rank of `self`; the output has the shape of `index`.
    #[track_caller]
    pub fn gather(&self, axis: impl Dim, index: &Tensor) -> Tensor {
        let axis = axis.resolve("gather", self.rank());
        self.check_axis_index("gather", axis, index);
        self.check_result("gather", index.shape(), self.dtype);
        let storage = dispatch2!(self, index, |b, x, i| b.gather(x, &self.layout, axis, i, &index.layout));
        Tensor::from_storage(storage, index.shape(), self.device.clone())
    }

    /// `torch.scatter_add(self, axis, index, src)`: a copy of `self` with `out[i][index[i][j]] += src[i][j]` for
    /// `axis = 1`, and likewise for any axis — the adjoint of [`Tensor::gather`] (its gradient is
    /// `zeros.scatter_add(axis, index, grad)`). `index` is int64 with the shape of `src`, no larger than `self`
    /// outside `axis`. Repeated indices add up in the index's row-major order.
    ///
    /// On the CPU this is one pass over the index (`Backend::scatter_add`). The GPU has no float atomics to scatter
    /// with, so there it is computed as a one-hot product: `Σ_i [index_i = j]·src_i` along `axis`, from the
    /// existing kernels.
    ///
    /// # Panics
    /// `scatter_add: index 3 out of range for dimension of size 3 (input [2, 3], index [2, 1])`, and likewise for
    /// ranks or shapes that do not fit, dtypes or devices that differ.
    #[track_caller]
    pub fn scatter_add(&self, axis: impl Dim, index: &Tensor, src: &Tensor) -> Tensor {
        let axis = axis.resolve("scatter_add", self.rank());
        check_same("scatter_add", self, src);
        ensure!(
            index.shape() == src.shape(),
            "scatter_add",
            "index {:?} and src {:?} must have the same shape",
            index.shape(),
            src.shape()
        );
        self.check_axis_index("scatter_add", axis, index);
        let (xl, il, sl) = (&self.layout, &index.layout, &src.layout);
        let direct = match (&self.device, &*self.storage, &*index.storage, &*src.storage) {
            (Device::Cpu, Storage::Cpu(x), Storage::Cpu(i), Storage::Cpu(s)) => {
                CPU.scatter_add(x, xl, axis, i, il, s, sl).map(Storage::Cpu)
            }
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(b), Storage::Wgpu(x), Storage::Wgpu(i), Storage::Wgpu(s)) => {
                b.scatter_add(x, xl, axis, i, il, s, sl).map(Storage::Wgpu)
            }
            #[allow(unreachable_patterns)]
            _ => unreachable!("operands checked to share a device"),
        };
        if let Some(storage) = direct {
            return Tensor::from_storage(storage, self.shape(), self.device.clone());
        }
        // No scatter kernel (the GPU has no float atomics to scatter with): the one-hot product: onehot[.., i, j, ..] = [index[.., i, ..] = j], summed over i against src.
        let n = self.shape()[axis];
        let mut positions_shape = vec![1; index.rank() + 1];
        positions_shape[axis + 1] = n;
        let positions = Tensor::arange(0.0, n as f64, 1.0, DType::I64, &self.device).reshape(&positions_shape);
        let one_hot = index.unsqueeze(axis + 1).eq(&positions).to_dtype(self.dtype); // [.., i, j, ..]
        let mut added = one_hot.mul(&src.unsqueeze(axis + 1)).sum(axis, false); // [.., j, ..]
                                                                                // Where the index is smaller than self in the other dimensions, nothing is added.
        for d in 0..self.rank() {
            if d != axis && added.shape()[d] < self.shape()[d] {
                let mut pad_shape = added.shape().to_vec();
                pad_shape[d] = self.shape()[d] - added.shape()[d];
                let zeros = Tensor::zeros(&pad_shape, self.dtype, &self.device);
                added = Tensor::cat(&[&added, &zeros], d);
            }
        }
        self.add(&added)
    }

    /// `torch.index_select(self, axis, index)`: the entries `index` (1-D int64) of dimension `axis`.
    #[track_caller]
    pub fn index_select(&self, axis: impl Dim, index: &Tensor) -> Tensor {
        let axis = axis.resolve("index_select", self.rank());
        ensure!(index.rank() == 1, "index_select", "index {:?} must be 1-D (input {:?})", index.shape(), self.shape());
        self.check_index("index_select", index, self.shape()[axis]);
        let mut shape = self.shape().to_vec();
        shape[axis] = index.numel();
        self.check_result("index_select", &shape, self.dtype);
        let storage = dispatch2!(self, index, |b, x, i| b.index_select(x, &self.layout, axis, i, &index.layout));
        Tensor::from_storage(storage, &shape, self.device.clone())
    }

    /// Concatenates tensors along `axis`; they must agree on every other dimension.
    #[track_caller]
    pub fn cat(tensors: &[&Tensor], axis: impl Dim) -> Tensor {
        ensure!(!tensors.is_empty(), "cat", "needs at least one tensor");
        let first = tensors[0];
        let axis = axis.resolve("cat", first.rank());
        for t in &tensors[1..] {
            check_same("cat", first, t);
            ensure!(
                t.rank() == first.rank()
                    && t.shape().iter().zip(first.shape()).enumerate().all(|(d, (a, b))| d == axis || a == b),
                "cat",
                "tensors {:?} and {:?} differ outside dimension {axis}",
                first.shape(),
                t.shape()
            );
        }
        let mut shape = first.shape().to_vec();
        shape[axis] = match tensors.iter().try_fold(0usize, |acc, t| acc.checked_add(t.shape()[axis])) {
            Some(n) => n,
            None => crate::error::shape_error("cat", format_args!("the sizes along dimension {axis} overflow a usize")),
        };
        first.check_result("cat", &shape, first.dtype);
        let storage = match &first.device {
            Device::Cpu => {
                let parts: Vec<_> = tensors
                    .iter()
                    .map(|t| match &*t.storage {
                        Storage::Cpu(s) => (s, &t.layout),
                        #[allow(unreachable_patterns)]
                        _ => unreachable!("checked to share a device"),
                    })
                    .collect();
                Storage::Cpu(CPU.concat(&parts, axis))
            }
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => {
                let parts: Vec<_> = tensors
                    .iter()
                    .map(|t| match &*t.storage {
                        Storage::Wgpu(s) => (s, &t.layout),
                        _ => unreachable!("checked to share a device"),
                    })
                    .collect();
                Storage::Wgpu(b.concat(&parts, axis))
            }
        };
        Tensor::from_storage(storage, &shape, first.device.clone())
    }

    /// Stacks tensors of one shape along a new dimension `axis`.
    #[track_caller]
    pub fn stack(tensors: &[&Tensor], axis: impl Dim) -> Tensor {
        ensure!(!tensors.is_empty(), "stack", "needs at least one tensor");
        let axis = axis.resolve("stack", tensors[0].rank() + 1);
        for t in tensors {
            ensure!(
                t.shape() == tensors[0].shape(),
                "stack",
                "tensors {:?} and {:?} differ in shape",
                tensors[0].shape(),
                t.shape()
            );
        }
        let parts: Vec<Tensor> = tensors.iter().map(|t| t.unsqueeze(axis)).collect();
        let refs: Vec<&Tensor> = parts.iter().collect();
        Tensor::cat(&refs, axis)
    }
}

// --- operators ---------------------------------------------------------------------------------------------

macro_rules! bin_operator {
    ($trait:ident, $method:ident, $op:ident) => {
        impl std::ops::$trait<&Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl std::ops::$trait<Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                self.binary(BinaryOp::$op, &rhs)
            }
        }
        impl std::ops::$trait<&Tensor> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: &Tensor) -> Tensor {
                self.binary(BinaryOp::$op, rhs)
            }
        }
        impl std::ops::$trait<Tensor> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, rhs: Tensor) -> Tensor {
                self.binary(BinaryOp::$op, &rhs)
            }
        }
    };
}
bin_operator!(Add, add, Add);
bin_operator!(Sub, sub, Sub);
bin_operator!(Mul, mul, Mul);
bin_operator!(Div, div, Div);

macro_rules! scalar_operator {
    ($trait:ident, $method:ident, |$x:ident, $s:ident| $body:expr) => {
        impl std::ops::$trait<f64> for &Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, $s: f64) -> Tensor {
                let $x = self;
                $body
            }
        }
        impl std::ops::$trait<f64> for Tensor {
            type Output = Tensor;
            #[track_caller]
            fn $method(self, $s: f64) -> Tensor {
                let $x = &self;
                $body
            }
        }
    };
}
scalar_operator!(Add, add, |x, s| x.affine(1.0, s));
scalar_operator!(Sub, sub, |x, s| x.affine(1.0, -s));
scalar_operator!(Mul, mul, |x, s| x.affine(s, 0.0));
scalar_operator!(Div, div, |x, s| x.div_scalar(s));

impl std::ops::Neg for &Tensor {
    type Output = Tensor;
    #[track_caller]
    fn neg(self) -> Tensor {
        self.unary(UnaryOp::Neg)
    }
}
impl std::ops::Neg for Tensor {
    type Output = Tensor;
    #[track_caller]
    fn neg(self) -> Tensor {
        self.unary(UnaryOp::Neg)
    }
}
