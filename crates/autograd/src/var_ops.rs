//! The differentiable ops of [`Var`]: compute the value with the [`Tensor`] op, then [`Var::record`] it.
//!
//! Two kinds, in this order:
//! * **primitives** — one [`Op`] each, with a rule in `rules.rs`; each method says what it saves;
//! * **composed ops** — `sub_scalar`, `div_scalar`, `sqr`, `mean`, `sum_all`, `transpose`, `t`, `squeeze`,
//!   `unsqueeze`, `stack`, `index_select`... built from primitives, with no rule of their own.
//!
//! Every method is `#[track_caller]` and checks its arguments through the tensor op, so a shape mismatch panics at
//! the caller's line with the tensor's message (`matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3
//! differ`). Broadcasting binary ops first compute the value (which checks the shapes), then — only when
//! recording — `expand` both operands to the result's shape as explicit graph nodes, so binary rules see equal
//! shapes. The operators `+ - * /` (with `Var`s, references and `f64`) are at the end.

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

    /// `min(self, rhs)` element-wise (broadcasting); ties split the gradient evenly. Saves both operands.
    #[track_caller]
    pub fn minimum(&self, rhs: &Var) -> Var {
        self.binary(rhs, BinaryOp::Minimum, |lhs, rhs| Op::Minimum { lhs, rhs })
    }

    /// Element-wise binary cross-entropy of the logits `self` against `target` (broadcasting), fused and stable
    /// (see [`tensor::ops::bce_with_logits`]). Saves both operands. Reduce it with `mean_all` for the usual loss.
    #[track_caller]
    pub fn bce_with_logits(&self, target: &Var) -> Var {
        self.binary(target, BinaryOp::BceWithLogits, |lhs, rhs| Op::BceWithLogits { lhs, rhs })
    }

    /// The mean binary cross-entropy of the logits `self` against `target` of the same shape,
    /// `self.bce_with_logits(target).mean()` as one node: on a GPU one kernel forward and one backward
    /// ([`Tensor::bce_with_logits_mean`]). Saves both operands.
    ///
    /// # Panics
    /// When the shapes, dtypes or devices differ.
    #[track_caller]
    pub fn bce_with_logits_mean(&self, target: &Var) -> Var {
        let (x, y) = (self.tensor(), target.tensor());
        let out = x.bce_with_logits_mean(&y);
        Var::record(&[self, target], out, |_| Op::BceWithLogitsMean { lhs: x, rhs: y })
    }

    /// The mean cross-entropy of the logits `self` (`[N, C]`) against the int64 class indices `target` (`[N]`),
    /// `-self.log_softmax(1).gather(1, target[:, None]).mean()` as one node: on a GPU one kernel forward and
    /// one backward ([`Tensor::cross_entropy_mean`]). Saves the logits and the targets.
    ///
    /// # Panics
    /// When `self` is not `[N, C]` float or `target` not `[N]` int64 on the same device.
    #[track_caller]
    pub fn cross_entropy_mean(&self, target: &Tensor) -> Var {
        let x = self.tensor();
        let out = x.cross_entropy_mean(target);
        let target = target.clone();
        Var::record(&[self], out, |_| Op::CrossEntropyMean { logits: x, target })
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

    /// `-self`. Saves nothing.
    #[track_caller]
    pub fn neg(&self) -> Var {
        Var::record(&[self], self.tensor().neg(), |_| Op::Neg)
    }

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

    /// `1 / (1 + e^-self)`. Saves the output.
    #[track_caller]
    pub fn sigmoid(&self) -> Var {
        Var::record(&[self], self.tensor().sigmoid(), |out| Op::Sigmoid { out: out.clone() })
    }

    /// `tanh self`. Saves the output.
    #[track_caller]
    pub fn tanh(&self) -> Var {
        Var::record(&[self], self.tensor().tanh(), |out| Op::Tanh { out: out.clone() })
    }

    /// `min(max(self, lo), hi)`. Saves the input.
    #[track_caller]
    pub fn clamp(&self, lo: f64, hi: f64) -> Var {
        let x = self.tensor();
        Var::record(&[self], x.clamp(lo, hi), |_| Op::Clamp { x, lo, hi })
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

    /// Softmax along `axis`. Saves the output.
    #[track_caller]
    pub fn softmax(&self, axis: impl Dim) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("softmax", x.rank());
        Var::record(&[self], x.softmax(axis), |out| Op::Softmax { out: out.clone(), axis })
    }

    /// Log-softmax along `axis` (stable). Saves the output.
    #[track_caller]
    pub fn log_softmax(&self, axis: impl Dim) -> Var {
        let x = self.tensor();
        let axis = axis.resolve("log_softmax", x.rank());
        Var::record(&[self], x.log_softmax(axis), |out| Op::LogSoftmax { out: out.clone(), axis })
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

    /// `nn.Linear`'s map: `self Wᵀ + b` for `self` `[n, in]`, `weight` `[out, in]`, `bias` `[out]`, recorded as
    /// one `linear` node (PyTorch's `addmm`). Values and gradients are bit for bit those of
    /// `self.matmul(&weight.t()) + bias`. Saves `self` and `weight`.
    ///
    /// # Panics
    /// As [`Tensor::linear`].
    #[track_caller]
    pub fn linear(&self, weight: &Var, bias: Option<&Var>) -> Var {
        let out = self.tensor().linear(&weight.tensor(), bias.map(|b| b.tensor()).as_ref());
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        if !Var::should_record(&inputs) {
            return Var::unrecorded(out);
        }
        Var::record(&inputs, out, |_| Op::Linear { x: self.tensor(), weight: weight.tensor(), relu_out: None })
    }

    /// A hidden layer and its activation, `max(self Wᵀ + b, 0)`, as one `linear` node ([`Tensor::linear_relu`]:
    /// one kernel on a GPU). Values and gradients are bit for bit those of `self.linear(weight, bias).relu()`.
    /// Saves `self`, `weight` and the output.
    ///
    /// # Panics
    /// As [`Tensor::linear`], naming `linear_relu`.
    #[track_caller]
    pub fn linear_relu(&self, weight: &Var, bias: Option<&Var>) -> Var {
        let out = self.tensor().linear_relu(&weight.tensor(), bias.map(|b| b.tensor()).as_ref());
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        Var::record(&inputs, out, |out| Op::Linear {
            x: self.tensor(),
            weight: weight.tensor(),
            relu_out: Some(out.clone()),
        })
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

    // =====================================================================================================
    // Composed ops: no rule of their own.
    // =====================================================================================================

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
        self.sum().div_scalar(n as f64)
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
        self.sum_over(axis, keepdim).div_scalar(n as f64)
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
