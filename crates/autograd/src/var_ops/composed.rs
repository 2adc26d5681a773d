//! The composed ops of [`Var`]: built from the primitives, with no rule of their own, then the operators
//! `+ - * /` (with `Var`s, references and `f64`) and unary `-`.

use tensor::{Dim, Tensor};

use crate::op::Op;
use crate::var::Var;

impl Var {
    /// `-self`: the `affine` `self·(-1) + 0`, computed by the negation kernel (exact, keeps the sign of zero).
    #[track_caller]
    pub fn neg(&self) -> Var {
        Var::record(&[self], self.tensor().neg(), |_| Op::Affine { mul: -1.0 }).named("neg")
    }

    /// `min(self, rhs)` element-wise (broadcasting): `-max(-self, -rhs)`, the same bits as the minimum kernel;
    /// ties split the gradient evenly, as `maximum`'s.
    #[track_caller]
    pub fn minimum(&self, rhs: &Var) -> Var {
        self.neg().maximum(&rhs.neg()).neg().named("minimum")
    }

    /// `min(max(self, lo), hi)`, computed by the clamp kernel and recorded as the `where` it equals:
    /// `self` where `lo ≤ self ≤ hi`, else the bound (a constant). The gradient passes where `self` is inside,
    /// the bounds included, as PyTorch.
    #[track_caller]
    pub fn clamp(&self, lo: f64, hi: f64) -> Var {
        let x = self.tensor();
        let out = x.clamp(lo, hi);
        if !Var::should_record(&[self]) {
            return Var::unrecorded(out);
        }
        let inside = x.ge(&x.scalar_like(lo)).mul(&x.le(&x.scalar_like(hi)));
        let bound = Var::constant(out.clone());
        Var::record(&[self, &bound], out, |_| Op::Where { cond: inside }).named("clamp")
    }

    /// `self + s` (an `affine`).
    #[track_caller]
    pub fn add_scalar(&self, s: f64) -> Var {
        self.affine(1.0, s)
    }

    /// `self - s` (an `affine`).
    #[track_caller]
    pub fn sub_scalar(&self, s: f64) -> Var {
        self.affine(1.0, -s)
    }

    /// `self * s` (an `affine`).
    #[track_caller]
    pub fn mul_scalar(&self, s: f64) -> Var {
        self.affine(s, 0.0)
    }

    /// `self / s`, a true division by a constant (as `Tensor::div_scalar`, to the last bit).
    #[track_caller]
    pub fn div_scalar(&self, s: f64) -> Var {
        self.div(&Var::constant(self.tensor().scalar_like(s)))
    }

    /// `self²` (`self * self`).
    #[track_caller]
    pub fn sqr(&self) -> Var {
        self.mul(self)
    }

    // Reductions are named as `Tensor`'s, after PyTorch's calls: the bare method reduces every element to
    // 0-d (`x.sum()`), `_dim(d)` drops the reduced dimension (`x.sum(d)`), `_keepdim(d)` keeps it with size 1.

    /// Sum of every element, 0-d (PyTorch's `x.sum()`; a `reshape` to 1-D, then the sum).
    #[track_caller]
    pub fn sum(&self) -> Var {
        self.flatten().sum_over(0usize, false)
    }

    /// Sum over `dim`, which is dropped (PyTorch's `x.sum(dim)`).
    #[track_caller]
    pub fn sum_dim(&self, dim: impl Dim) -> Var {
        self.sum_over(dim, false)
    }

    /// Sum over `dim`, kept with size 1 (PyTorch's `x.sum(dim, keepdim=True)`).
    #[track_caller]
    pub fn sum_keepdim(&self, dim: impl Dim) -> Var {
        self.sum_over(dim, true)
    }

    /// Mean of every element, 0-d (PyTorch's `x.mean()`).
    #[track_caller]
    pub fn mean(&self) -> Var {
        let n = self.tensor().numel();
        self.sum().div_scalar(n as f64).named("mean")
    }

    /// Mean over `dim`, which is dropped (`sum`, then a true division by the size, as `Tensor::mean_dim`).
    #[track_caller]
    pub fn mean_dim(&self, dim: impl Dim) -> Var {
        self.mean_over(dim, false)
    }

    /// Mean over `dim`, kept with size 1 (PyTorch's `x.mean(dim, keepdim=True)`).
    #[track_caller]
    pub fn mean_keepdim(&self, dim: impl Dim) -> Var {
        self.mean_over(dim, true)
    }

    #[track_caller]
    fn mean_over(&self, dim: impl Dim, keepdim: bool) -> Var {
        let axis = dim.resolve("mean", self.rank());
        let n = self.shape()[axis];
        self.sum_over(axis, keepdim).div_scalar(n as f64).named("mean")
    }

    /// Maximum of every element, 0-d (PyTorch's `x.max()`).
    #[track_caller]
    pub fn max(&self) -> Var {
        self.flatten().max_over(0usize, false)
    }

    /// Maximum over `dim`, which is dropped (PyTorch's `x.max(dim).values`).
    #[track_caller]
    pub fn max_dim(&self, dim: impl Dim) -> Var {
        self.max_over(dim, false)
    }

    /// Maximum over `dim`, kept with size 1 (PyTorch's `x.max(dim, keepdim=True).values`).
    #[track_caller]
    pub fn max_keepdim(&self, dim: impl Dim) -> Var {
        self.max_over(dim, true)
    }

    /// All elements as a 1-D variable (PyTorch's `x.flatten()`; a `reshape`, `self` when already 1-D).
    #[track_caller]
    pub fn flatten(&self) -> Var {
        if self.rank() == 1 {
            return self.clone();
        }
        self.reshape(&[self.tensor().numel()])
    }

    /// Swaps dimensions `a` and `b` (a `permute`).
    #[track_caller]
    pub fn transpose(&self, a: impl Dim, b: impl Dim) -> Var {
        let rank = self.rank();
        let mut perm: Vec<usize> = (0..rank).collect();
        perm.swap(a.resolve("transpose", rank), b.resolve("transpose", rank));
        self.permute(&perm)
    }

    /// The transpose of a 2-D variable.
    ///
    /// # Panics
    /// When the variable is not 2-D.
    #[track_caller]
    pub fn t(&self) -> Var {
        if self.rank() != 2 {
            tensor::error::shape_error("t", format_args!("tensor of shape {:?} is not 2-D", self.shape()));
        }
        self.transpose(0usize, 1usize)
    }

    /// Removes every dimension of size 1 (PyTorch's `x.squeeze()`; a `reshape`).
    #[track_caller]
    pub fn squeeze(&self) -> Var {
        let shape = self.tensor().squeeze().shape().to_vec();
        self.reshape(&shape)
    }

    /// Removes dimension `dim` if it has size 1, else returns `self` unchanged (PyTorch's `x.squeeze(dim)`).
    #[track_caller]
    pub fn squeeze_dim(&self, dim: impl Dim) -> Var {
        let shape = self.tensor().squeeze_dim(dim).shape().to_vec();
        self.reshape(&shape)
    }

    /// Inserts a dimension of size 1 at `axis` (a `reshape`).
    #[track_caller]
    pub fn unsqueeze(&self, axis: impl Dim) -> Var {
        let shape = self.tensor().unsqueeze(axis).shape().to_vec();
        self.reshape(&shape)
    }

    /// Stacks variables of one shape along a new dimension `axis` (`unsqueeze` each, then `cat`).
    #[track_caller]
    pub fn stack(vars: &[&Var], axis: impl Dim) -> Var {
        if vars.is_empty() {
            tensor::error::shape_error("stack", format_args!("needs at least one tensor"));
        }
        let first = vars[0].shape();
        let axis = axis.resolve("stack", first.len() + 1);
        for v in vars {
            if v.shape() != first {
                tensor::error::shape_error(
                    "stack",
                    format_args!("tensors {first:?} and {:?} differ in shape", v.shape()),
                );
            }
        }
        let parts: Vec<Var> = vars.iter().map(|v| v.unsqueeze(axis)).collect();
        let refs: Vec<&Var> = parts.iter().collect();
        Var::cat(&refs, axis)
    }

    /// `torch.index_select`: the entries `index` (1-D int64) of dimension `axis`. Recorded as the `gather` it
    /// equals (the index reshaped and expanded to the output's shape); computed with the index-select kernel.
    #[track_caller]
    pub fn index_select(&self, axis: impl Dim, index: &Tensor) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("index_select", x.rank());
        let out = x.index_select(axis, index);
        if !Var::should_record(&[self]) {
            return Var::unrecorded(out);
        }
        let mut index_shape = vec![1; x.rank()];
        index_shape[axis] = index.numel();
        Var::record(&[self], out, |out| Op::Gather {
            axis,
            index: index.reshape(&index_shape).expand(out.shape()),
            in_shape: x.shape().to_vec(),
        })
    }
}

// --- operators ---------------------------------------------------------------------------------------------

macro_rules! var_operator {
    ($trait:ident, $method:ident) => {
        impl std::ops::$trait<&Var> for &Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: &Var) -> Var {
                Var::$method(self, rhs)
            }
        }
        impl std::ops::$trait<Var> for Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: Var) -> Var {
                Var::$method(&self, &rhs)
            }
        }
        impl std::ops::$trait<&Var> for Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: &Var) -> Var {
                Var::$method(&self, rhs)
            }
        }
        impl std::ops::$trait<Var> for &Var {
            type Output = Var;
            #[track_caller]
            fn $method(self, rhs: Var) -> Var {
                Var::$method(self, &rhs)
            }
        }
    };
}
var_operator!(Add, add);
var_operator!(Sub, sub);
var_operator!(Mul, mul);
var_operator!(Div, div);

macro_rules! scalar_operator {
    ($trait:ident, $method:ident, |$x:ident, $s:ident| $body:expr) => {
        impl std::ops::$trait<f64> for &Var {
            type Output = Var;
            fn $method(self, $s: f64) -> Var {
                let $x = self;
                $body
            }
        }
        impl std::ops::$trait<f64> for Var {
            type Output = Var;
            fn $method(self, $s: f64) -> Var {
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

macro_rules! scalar_lhs_operator {
    ($trait:ident, $method:ident, |$s:ident, $x:ident| $body:expr) => {
        impl std::ops::$trait<&Var> for f64 {
            type Output = Var;
            fn $method(self, $x: &Var) -> Var {
                let $s = self;
                $body
            }
        }
        impl std::ops::$trait<Var> for f64 {
            type Output = Var;
            fn $method(self, $x: Var) -> Var {
                let $s = self;
                let $x = &$x;
                $body
            }
        }
    };
}
scalar_lhs_operator!(Add, add, |s, x| x.affine(1.0, s));
scalar_lhs_operator!(Sub, sub, |s, x| x.affine(-1.0, s));
scalar_lhs_operator!(Mul, mul, |s, x| x.affine(s, 0.0));
scalar_lhs_operator!(Div, div, |s, x| Var::constant(x.tensor().scalar_like(s)).div(x));

impl std::ops::Neg for &Var {
    type Output = Var;
    #[track_caller]
    fn neg(self) -> Var {
        Var::neg(self)
    }
}
impl std::ops::Neg for Var {
    type Output = Var;
    #[track_caller]
    fn neg(self) -> Var {
        Var::neg(&self)
    }
}
