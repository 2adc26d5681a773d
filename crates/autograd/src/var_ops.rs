//! The differentiable ops of [`Var`]: compute the value with the [`Tensor`] op, then [`Var::record`] it.
//!
//! Three kinds, one file each:
//! * **primitives** (this file) — one [`Op`] each, with a rule in `rules.rs`; each method says what it saves;
//! * **fused** (`var_ops/fused.rs`) — `sigmoid`, `softmax`, `log_softmax`, `bce_with_logits`,
//!   `bce_with_logits_mean`, `cross_entropy_mean`, `linear`, `linear_relu`: one kernel and one node standing for a
//!   composition of primitives (see `op.rs`);
//! * **composed** (`var_ops/composed.rs`) — `neg`, `minimum`, `clamp`, `sub_scalar`, `div_scalar`, `sqr`,
//!   `mean`, `transpose`, `t`, `squeeze`, `unsqueeze`, `stack`, `index_select`... built from primitives, with no
//!   rule of their own; then the operators `+ - * /` (with `Var`s, references and `f64`) and unary `-`.
//!
//! Every method is `#[track_caller]` and checks its arguments through the tensor op, so a shape mismatch panics at
//! the caller's line with the tensor's message (`matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3
//! differ`). Broadcasting binary ops first compute the value (which checks the shapes), then — only when
//! recording — `expand` both operands to the result's shape as explicit graph nodes, so binary rules see equal
//! shapes.

mod composed;
mod fused;

use std::sync::Arc;

use tensor::{BinaryOp, Dim, ReduceOp, Tensor};

use crate::op::Op;
use crate::var::Var;

impl Var {
    // --- element-wise, two operands (broadcasting) -------------------------------------------------------

    /// Applies the tensor op `forward` to the values of `self` and `rhs` (which checks the shapes, panicking at
    /// the caller's line), then records `op`; when the shapes differ, the operands are first expanded to the
    /// result's shape as graph nodes.
    #[track_caller]
    fn binary(&self, rhs: &Var, forward: BinaryOp, op: fn(Tensor, Tensor) -> Op) -> Var {
        let (l, r) = (self.tensor(), rhs.tensor());
        let out = l.binary(forward, &r);
        if !Var::should_record(&[self, rhs]) {
            return Var::unrecorded(out);
        }
        if l.shape() == out.shape() && r.shape() == out.shape() {
            return Var::record(&[self, rhs], out, |_| op(l, r));
        }
        let (lhs, rhs) = (self.expand(out.shape()), rhs.expand(out.shape()));
        Var::record(&[&lhs, &rhs], out, |_| op(lhs.tensor(), rhs.tensor()))
    }

    /// `self + rhs` (broadcasting). Saves nothing.
    #[track_caller]
    pub fn add(&self, rhs: &Var) -> Var {
        self.binary(rhs, BinaryOp::Add, |_, _| Op::Add)
    }

    /// `self - rhs` (broadcasting). Saves nothing.
    #[track_caller]
    pub fn sub(&self, rhs: &Var) -> Var {
        self.binary(rhs, BinaryOp::Sub, |_, _| Op::Sub)
    }

    /// `self * rhs` (broadcasting). Saves both operands.
    #[track_caller]
    pub fn mul(&self, rhs: &Var) -> Var {
        self.binary(rhs, BinaryOp::Mul, |lhs, rhs| Op::Mul { lhs, rhs })
    }

    /// `self / rhs` (broadcasting). Saves both operands.
    #[track_caller]
    pub fn div(&self, rhs: &Var) -> Var {
        self.binary(rhs, BinaryOp::Div, |lhs, rhs| Op::Div { lhs, rhs })
    }

    /// `max(self, rhs)` element-wise (broadcasting); ties split the gradient evenly. Saves both operands.
    #[track_caller]
    pub fn maximum(&self, rhs: &Var) -> Var {
        self.binary(rhs, BinaryOp::Maximum, |lhs, rhs| Op::Maximum { lhs, rhs })
    }

    /// `on_true` where `cond != 0`, else `on_false`, all three broadcast together (`torch.where`). Saves `cond`.
    #[track_caller]
    pub fn where_cond(cond: &Tensor, on_true: &Var, on_false: &Var) -> Var {
        let out = Tensor::where_cond(cond, &on_true.tensor(), &on_false.tensor());
        if !Var::should_record(&[on_true, on_false]) {
            return Var::unrecorded(out);
        }
        let (t, f) = (on_true.expand(out.shape()), on_false.expand(out.shape()));
        Var::record(&[&t, &f], out, |_| Op::Where { cond: cond.clone() })
    }

    // --- element-wise, one operand -----------------------------------------------------------------------

    /// `self * mul + add`. Saves nothing.
    #[track_caller]
    pub fn affine(&self, mul: f64, add: f64) -> Var {
        Var::record(&[self], self.tensor().affine(mul, add), |_| Op::Affine { mul })
    }

    /// `self^p` element-wise. Saves the input.
    #[track_caller]
    pub fn powf(&self, p: f64) -> Var {
        let x = self.tensor();
        Var::record(&[self], x.powf(p), |_| Op::Powf { x, p })
    }

    /// `e^self`. Saves the output.
    #[track_caller]
    pub fn exp(&self) -> Var {
        Var::record(&[self], self.tensor().exp(), |out| Op::Exp { out: out.clone() })
    }

    /// `ln self`. Saves the input.
    #[track_caller]
    pub fn log(&self) -> Var {
        let x = self.tensor();
        Var::record(&[self], x.log(), |_| Op::Log { x })
    }

    /// `ln(1 + self)`. Saves the input.
    #[track_caller]
    pub fn log1p(&self) -> Var {
        let x = self.tensor();
        Var::record(&[self], x.log1p(), |_| Op::Log1p { x })
    }

    /// `√self`. Saves the output.
    #[track_caller]
    pub fn sqrt(&self) -> Var {
        Var::record(&[self], self.tensor().sqrt(), |out| Op::Sqrt { out: out.clone() })
    }

    /// `|self|`. Saves the input.
    #[track_caller]
    pub fn abs(&self) -> Var {
        let x = self.tensor();
        Var::record(&[self], x.abs(), |_| Op::Abs { x })
    }

    /// `max(self, 0)`. Saves the output.
    #[track_caller]
    pub fn relu(&self) -> Var {
        Var::record(&[self], self.tensor().relu(), |out| Op::Relu { out: out.clone() })
    }

    /// `tanh self`. Saves the output.
    #[track_caller]
    pub fn tanh(&self) -> Var {
        Var::record(&[self], self.tensor().tanh(), |out| Op::Tanh { out: out.clone() })
    }

    // --- reductions and normalisations -------------------------------------------------------------------

    /// Sum over `axis`, keeping it as size 1 when `keepdim` (the primitive behind `sum`, `sum_dim` and
    /// `sum_keepdim`). Saves the input's shape.
    #[track_caller]
    fn sum_over(&self, axis: impl Dim, keepdim: bool) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("sum", x.rank());
        Var::record(&[self], x.reduce(ReduceOp::Sum, axis, keepdim), |_| Op::Sum {
            in_shape: x.shape().to_vec(),
            axis,
            keepdim,
        })
    }

    /// Maximum over `axis` (the primitive behind `max`, `max_dim` and `max_keepdim`); the gradient goes to the
    /// maximum (shared evenly between ties). Saves the input and the output.
    #[track_caller]
    fn max_over(&self, axis: impl Dim, keepdim: bool) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("max", x.rank());
        Var::record(&[self], x.reduce(ReduceOp::Max, axis, keepdim), |out| {
            let out = if keepdim { out.clone() } else { out.unsqueeze(axis) };
            Op::Max { x, out, axis, keepdim }
        })
    }

    // --- linear algebra ----------------------------------------------------------------------------------

    /// Matrix product, `[m, k] @ [k, n]` or batched `[b, m, k] @ [b, k, n]`; a 2-D operand of a batched product
    /// is broadcast over the batch (recorded as an `expand`). Saves both operands.
    #[track_caller]
    pub fn matmul(&self, rhs: &Var) -> Var {
        let out = self.tensor().matmul(&rhs.tensor());
        if !Var::should_record(&[self, rhs]) {
            return Var::unrecorded(out);
        }
        let batched = |v: &Var| {
            if out.rank() == 3 && v.rank() == 2 {
                let s = v.shape();
                v.unsqueeze(0).expand(&[out.shape()[0], s[0], s[1]])
            } else {
                v.clone()
            }
        };
        let (lhs, rhs) = (batched(self), batched(rhs));
        Var::record(&[&lhs, &rhs], out, |_| Op::Matmul { lhs: lhs.tensor(), rhs: rhs.tensor() })
    }

    // --- movement ----------------------------------------------------------------------------------------

    /// The same elements with another shape of equal count. Saves the input's shape.
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Var {
        let x = self.tensor();
        Var::record(&[self], x.reshape(shape), |_| Op::Reshape { in_shape: x.shape().to_vec() })
    }

    /// Reorders the dimensions: output dimension `i` is input dimension `perm[i]`. Saves `perm`.
    #[track_caller]
    pub fn permute(&self, perm: &[usize]) -> Var {
        Var::record(&[self], self.tensor().permute(perm), |_| Op::Permute { perm: perm.to_vec() })
    }

    /// Broadcasts to `shape` (new leading dimensions, size-1 dimensions repeated); its gradient sums the copies.
    /// Saves the input's shape. Returns `self` when the shape is already `shape`.
    #[track_caller]
    pub fn expand(&self, shape: &[usize]) -> Var {
        let x = self.tensor();
        if x.shape() == shape {
            return self.clone();
        }
        Var::record(&[self], x.expand(shape), |_| Op::Expand { in_shape: x.shape().to_vec() })
    }

    /// The range `start..start + len` of dimension `axis`. Saves the axis, the range and the input's size.
    #[track_caller]
    pub fn narrow(&self, axis: impl Dim, start: usize, len: usize) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("narrow", x.rank());
        let in_len = x.shape()[axis];
        Var::record(&[self], x.narrow(axis, start, len), |_| Op::Narrow { axis, start, in_len })
    }

    /// Concatenates along `axis`; the variables agree on every other dimension. Saves the sizes along `axis`.
    #[track_caller]
    pub fn cat(vars: &[&Var], axis: impl Dim) -> Var {
        let tensors: Vec<Tensor> = vars.iter().map(|v| v.tensor()).collect();
        let refs: Vec<&Tensor> = tensors.iter().collect();
        let out = Tensor::cat(&refs, axis);
        // `Tensor::cat` accepted the axis, so it resolves against the first input's rank.
        let axis = axis.resolve("cat", tensors[0].rank());
        Var::record(vars, out, |_| Op::Cat { axis, sizes: tensors.iter().map(|t| t.shape()[axis]).collect() })
    }

    /// `torch.gather`: `out[.., i, ..] = self[.., index[.., i, ..], ..]` along `axis` (`index` int64, same rank).
    /// Saves the index and the input's shape.
    #[track_caller]
    pub fn gather(&self, axis: impl Dim, index: &Tensor) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("gather", x.rank());
        let out = x.gather(axis, index);
        Var::record(&[self], out, |_| Op::Gather { axis, index: index.clone(), in_shape: x.shape().to_vec() })
    }

    // --- extension point ---------------------------------------------------------------------------------

    /// An op with a derivative rule of your own (PyTorch's `autograd.Function`): `forward` computes the value from
    /// the inputs' values; `rule(inputs, out, grad)` returns one gradient per input, each `grad · ∂out/∂input`.
    /// Check a rule with [`gradcheck`](crate::gradcheck()).
    ///
    /// ```
    /// use autograd::Var;
    /// use tensor::Tensor;
    /// // cube(x) = x³ with d/dx x³ = 3x²
    /// let x = Var::leaf(Tensor::new(&[2.0f64], &[1]));
    /// let y = Var::custom("cube", &[&x], |xs| xs[0].powf(3.0), |xs, _out, g| vec![g.mul(&xs[0].sqr().mul_scalar(3.0))]);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec::<f64>(), vec![12.0]);
    /// ```
    #[track_caller]
    pub fn custom(
        name: &'static str,
        inputs: &[&Var],
        forward: impl FnOnce(&[Tensor]) -> Tensor,
        rule: impl Fn(&[Tensor], &Tensor, &Tensor) -> Vec<Tensor> + Send + Sync + 'static,
    ) -> Var {
        let values: Vec<Tensor> = inputs.iter().map(|v| v.tensor()).collect();
        let out = forward(&values);
        Var::record(inputs, out, |out| Op::Custom { name, inputs: values, out: out.clone(), rule: Arc::new(rule) })
    }
}
