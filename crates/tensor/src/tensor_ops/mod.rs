//! The computing ops of [`Tensor`]: argument checks, broadcasting, then one backend call.
//!
//! One file per family: `unary.rs`, `binary.rs`, `reduce.rs` (with softmax), `matmul.rs` (with `linear`),
//! `fused.rs` (kernels standing for compositions: accuracy counts, mean losses), `optim.rs` (optimizer steps),
//! `index.rs` (gather, scatter, cat). This file holds the checks they share and the operators; `dispatch.rs` holds
//! `dispatch!`, the match from a tensor's device to its backend that every op ends with.
//!
//! Every check panics at the caller's line (`#[track_caller]`) with the op's name and the shapes involved.
//! Broadcasting happens here and only here: both operands are `expand`ed to the common shape (stride-0 views),
//! so backends see two layouts of the same shape.

use crate::backend::Backend;
#[cfg(feature = "wgpu")]
use crate::device::Device; // the GPU-only matches of `optim.rs`
use crate::device::Storage;
use crate::dtype::DType;
use crate::ensure;
use crate::layout::{broadcast_shapes, Layout};
use crate::ops::{BinaryOp, ReduceOp, SoftmaxOp, UnaryOp};
use crate::tensor::{Dim, Tensor};

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
        if self.dtype() == DType::I64 {
            self.storage.index_range()
        } else {
            None
        }
    }

    /// A fused op's result: the kernel's storage (a tensor of `shape` on this device) where the backend has the
    /// kernel (`dispatch!(optional ..)`), else `composition()` — the ops the kernel stands for, with the same result.
    fn kernel_or(&self, kernel: Option<Storage>, shape: &[usize], composition: impl FnOnce() -> Tensor) -> Tensor {
        match kernel {
            Some(storage) => Tensor::from_storage(storage, shape, self.device.clone()),
            None => composition(),
        }
    }
}

// The ops by family, and `dispatch!`, the device match they share.
mod binary;
mod dispatch;
mod fused;
mod index;
mod matmul;
mod optim;
mod reduce;
mod unary;

pub(crate) use dispatch::dispatch;

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
