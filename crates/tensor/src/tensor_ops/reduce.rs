//! Reductions along an axis or over every element (`sum`, `mean`, `max`, `argmax`, ...), softmax and log-softmax.

use super::*;

impl Tensor {
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
        let storage = dispatch!(self => |b, s| b.reduce(op, s, &self.layout, axis));
        let out = Tensor::from_storage(storage, &shape, self.device.clone());
        if op.is_arg() {
            // Indices along `axis`: known to lie in 0..size, so a gather with them needs no range check.
            out.storage.set_index_range(0, self.shape()[axis] as i64 - 1);
        }
        out
    }

    /// Reduces every element to a 0-d tensor.
    #[track_caller]
    pub fn reduce_all(&self, op: ReduceOp) -> Tensor {
        let flat = if self.rank() == 1 { self.clone() } else { self.flatten() };
        flat.reduce(op, 0usize, false)
    }

    // The names follow PyTorch's calls: the bare method reduces every element to a 0-d tensor (`x.sum()`),
    // `_dim(d)` reduces one dimension and drops it (`x.sum(d)`), `_keepdim(d)` keeps it with size 1
    // (`x.sum(d, keepdim=True)`). `argmax`/`argmin` always take a dimension, as the tutorial calls them.

    /// Sum of every element, a 0-d tensor (PyTorch's `x.sum()`).
    #[track_caller]
    pub fn sum(&self) -> Tensor {
        self.reduce_all(ReduceOp::Sum)
    }
    /// Sum over `dim`, which is dropped (PyTorch's `x.sum(dim)`).
    #[track_caller]
    pub fn sum_dim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::Sum, dim, false)
    }
    /// Sum over `dim`, kept with size 1 (PyTorch's `x.sum(dim, keepdim=True)`).
    #[track_caller]
    pub fn sum_keepdim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::Sum, dim, true)
    }
    /// Mean of every element, a 0-d tensor (PyTorch's `x.mean()`).
    #[track_caller]
    pub fn mean(&self) -> Tensor {
        let n = self.numel();
        self.sum().div_scalar(n as f64)
    }
    /// Mean over `dim`, which is dropped (PyTorch's `x.mean(dim)`).
    #[track_caller]
    pub fn mean_dim(&self, dim: impl Dim) -> Tensor {
        self.mean_over(dim, false)
    }
    /// Mean over `dim`, kept with size 1 (PyTorch's `x.mean(dim, keepdim=True)`).
    #[track_caller]
    pub fn mean_keepdim(&self, dim: impl Dim) -> Tensor {
        self.mean_over(dim, true)
    }
    #[track_caller]
    fn mean_over(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        let axis = dim.resolve("mean", self.rank());
        let n = self.shape()[axis];
        // A true division (not a multiplication by 1/n), as PyTorch, so results agree to the last bit.
        self.reduce(ReduceOp::Sum, axis, keepdim).div_scalar(n as f64)
    }
    /// Maximum of every element, a 0-d tensor (PyTorch's `x.max()`).
    #[track_caller]
    pub fn max(&self) -> Tensor {
        self.reduce_all(ReduceOp::Max)
    }
    /// Maximum over `dim`, which is dropped (PyTorch's `x.max(dim).values`).
    #[track_caller]
    pub fn max_dim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::Max, dim, false)
    }
    /// Maximum over `dim`, kept with size 1 (PyTorch's `x.max(dim, keepdim=True).values`).
    #[track_caller]
    pub fn max_keepdim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::Max, dim, true)
    }
    /// Minimum of every element, a 0-d tensor (PyTorch's `x.min()`).
    #[track_caller]
    pub fn min(&self) -> Tensor {
        self.reduce_all(ReduceOp::Min)
    }
    /// Minimum over `dim`, which is dropped (PyTorch's `x.min(dim).values`).
    #[track_caller]
    pub fn min_dim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::Min, dim, false)
    }
    /// Minimum over `dim`, kept with size 1 (PyTorch's `x.min(dim, keepdim=True).values`).
    #[track_caller]
    pub fn min_keepdim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::Min, dim, true)
    }
    /// Index (int64) of the first maximum over `dim`, which is dropped (PyTorch's `x.argmax(dim)`).
    #[track_caller]
    pub fn argmax(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::ArgMax, dim, false)
    }
    /// Index (int64) of the first maximum over `dim`, kept with size 1 (PyTorch's `x.argmax(dim, keepdim=True)`).
    #[track_caller]
    pub fn argmax_keepdim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::ArgMax, dim, true)
    }
    /// Index (int64) of the first minimum over `dim`, which is dropped (PyTorch's `x.argmin(dim)`).
    #[track_caller]
    pub fn argmin(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::ArgMin, dim, false)
    }
    /// Index (int64) of the first minimum over `dim`, kept with size 1 (PyTorch's `x.argmin(dim, keepdim=True)`).
    #[track_caller]
    pub fn argmin_keepdim(&self, dim: impl Dim) -> Tensor {
        self.reduce(ReduceOp::ArgMin, dim, true)
    }

    /// Softmax along `axis`, computed as `e^(x - max) / Σ e^(x - max)`.
    #[track_caller]
    pub fn softmax(&self, axis: impl Dim) -> Tensor {
        self.softmax_op(SoftmaxOp::Softmax, axis.resolve("softmax", self.rank()))
    }

    /// Log-softmax along `axis`: `x - max - ln Σ e^(x - max)`.
    #[track_caller]
    pub fn log_softmax(&self, axis: impl Dim) -> Tensor {
        self.softmax_op(SoftmaxOp::LogSoftmax, axis.resolve("log_softmax", self.rank()))
    }

    #[track_caller]
    fn softmax_op(&self, op: SoftmaxOp, axis: usize) -> Tensor {
        ensure!(
            self.dtype.is_float(),
            op.name(),
            "defined for float tensors only; got {} (shape {:?})",
            self.dtype,
            self.shape()
        );
        let storage = dispatch!(self => |b, s| b.softmax(op, s, &self.layout, axis));
        Tensor::from_storage(storage, self.shape(), self.device.clone())
    }
}
