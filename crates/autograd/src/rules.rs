//! Every derivative rule, one arm per [`Op`] variant, in the order of the enum: the primitives first, then the
//! fused compositions (whose rules give the gradient of the composition they replace).
//!
//! A rule gets the op (with the tensors it saved), the gradient `grad` of the loss with respect to the op's
//! output, and which inputs need a gradient; it returns `∂loss/∂input = grad · ∂out/∂input` for each input
//! (`None` for those not needed). It never accumulates — the engine does, in one place.
//!
//! Rules are written with ordinary forward [`Tensor`] ops, never backend calls, so they read like the math and
//! every backend gets autograd for free. Binary ops see operands of one shape (broadcasting was recorded as an
//! `Expand`), so they never sum back to the input's shape. Two arms do: `Expand`, and `Linear` for its bias,
//! which the fused layer broadcast over the rows.

use tensor::Tensor;

use crate::op::Op;

/// The gradients of the inputs of `op`, given the gradient `grad` of its output; `needs[i]` tells whether input
/// `i` requires one (a rule may skip the work for the others).
pub(crate) fn backward(op: &Op, grad: &Tensor, needs: &[bool]) -> Vec<Option<Tensor>> {
    let g = grad;
    let zero = || g.scalar_like(0.0);
    match op {
        // --- element-wise, two operands ---------------------------------------------------------------------
        // d/dlhs (lhs + rhs) = 1, d/drhs (lhs + rhs) = 1
        Op::Add => vec![Some(g.clone()), Some(g.clone())],
        // d/dlhs (lhs - rhs) = 1, d/drhs (lhs - rhs) = -1
        Op::Sub => vec![Some(g.clone()), needs[1].then(|| g.neg())],
        // d/dlhs (lhs·rhs) = rhs, d/drhs (lhs·rhs) = lhs
        Op::Mul { lhs, rhs } => vec![needs[0].then(|| g.mul(rhs)), needs[1].then(|| g.mul(lhs))],
        // d/dlhs (lhs/rhs) = 1/rhs, d/drhs (lhs/rhs) = -lhs/rhs²
        Op::Div { lhs, rhs } => {
            vec![needs[0].then(|| g.div(rhs)), needs[1].then(|| g.mul(lhs).div(&rhs.sqr()).neg())]
        }
        // d/dlhs max(lhs, rhs) = [lhs > rhs] + ½[lhs = rhs], d/drhs = the rest (ties split evenly, as PyTorch)
        Op::Maximum { lhs, rhs } => {
            let w = lhs.gt(rhs).add(&lhs.eq(rhs).mul_scalar(0.5));
            vec![needs[0].then(|| g.mul(&w)), needs[1].then(|| g.mul(&w.affine(-1.0, 1.0)))]
        }
        // d/don_true (cond ? a : b) = [cond], d/don_false = [not cond]
        Op::Where { cond } => vec![
            needs[0].then(|| Tensor::where_cond(cond, g, &zero())),
            needs[1].then(|| Tensor::where_cond(cond, &zero(), g)),
        ],

        // --- element-wise, one operand ----------------------------------------------------------------------
        // d/dx (x·mul + add) = mul  (-g exactly for `neg`, mul = -1: a product by -1 then + 0 would turn -0 into +0)
        Op::Affine { mul } => vec![Some(if *mul == -1.0 { g.neg() } else { g.mul_scalar(*mul) })],
        // d/dx x^p = p·x^(p-1)
        Op::Powf { x, p } => vec![Some(g.mul(&x.powf(p - 1.0).mul_scalar(*p)))],
        // d/dx e^x = e^x
        Op::Exp { out } => vec![Some(g.mul(out))],
        // d/dx ln x = 1/x
        Op::Log { x } => vec![Some(g.div(x))],
        // d/dx ln(1 + x) = 1/(1 + x)
        Op::Log1p { x } => vec![Some(g.div(&x.add_scalar(1.0)))],
        // d/dx √x = 1/(2√x)
        Op::Sqrt { out } => vec![Some(g.div(&out.mul_scalar(2.0)))],
        // d/dx |x| = sign(x)  (0 at 0, as PyTorch)
        Op::Abs { x } => vec![Some(g.mul(&x.sign()))],
        // d/dx max(x, 0) = [x > 0]: the upstream gradient where the output is positive, else 0 — one pass,
        // PyTorch's threshold_backward (a non-finite upstream gradient where x ≤ 0 gives 0)
        Op::Relu { out } => vec![Some(g.relu_backward(out))],
        // d/dx tanh x = 1 - tanh² x
        Op::Tanh { out } => vec![Some(g.mul(&out.sqr().affine(-1.0, 1.0)))],

        // --- reductions --------------------------------------------------------------------------------------------
        // d/dx_j Σ_i x_i = 1: every input element gets the gradient of its sum (broadcast back)
        Op::Sum { in_shape, axis, keepdim } => {
            let g = if *keepdim { g.clone() } else { g.unsqueeze(*axis) };
            vec![Some(g.expand(in_shape))]
        }
        // d/dx_j max_i x_i = [x_j = max] / #maxima  (ties share the gradient evenly, as torch.amax)
        Op::Max { x, out, axis, keepdim } => {
            let g = if *keepdim { g.clone() } else { g.unsqueeze(*axis) };
            let at_max = x.eq(out);
            vec![Some(at_max.div(&at_max.sum_keepdim(*axis)).mul(&g))]
        }

        // --- linear algebra ---------------------------------------------------------------------------------
        // out = lhs @ rhs:  d/dlhs = grad @ rhsᵀ,  d/drhs = lhsᵀ @ grad  (per batch for 3-D operands)
        Op::Matmul { lhs, rhs } => {
            vec![needs[0].then(|| g.matmul(&rhs.transpose(-1, -2))), needs[1].then(|| lhs.transpose(-1, -2).matmul(g))]
        }

        // --- movement ---------------------------------------------------------------------------------------
        // reshape moves no element: the gradient takes the input's shape back
        Op::Reshape { in_shape } => vec![Some(g.reshape(in_shape))],
        // permute moves dimension perm[i] to i: the inverse permutation moves it back
        Op::Permute { perm } => {
            let mut inverse = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p] = i;
            }
            vec![Some(g.permute(&inverse))]
        }
        // expand repeats each input element: its gradient is the sum over its copies ("sum in reverse"), over
        // the leading dimensions expand added and over the size-1 dimensions it repeated
        Op::Expand { in_shape } => {
            let mut g = g.clone();
            while g.rank() > in_shape.len() {
                g = g.sum_dim(0usize);
            }
            for (axis, &n) in in_shape.iter().enumerate() {
                if n == 1 && g.shape()[axis] != 1 {
                    g = g.sum_keepdim(axis);
                }
            }
            vec![Some(g)]
        }
        // narrow keeps start..start+len: the gradient goes back there, zeros elsewhere
        Op::Narrow { axis, start, in_len } => {
            vec![Some(pad(g, *axis, *start, in_len - start - g.shape()[*axis]))]
        }
        // cat: each input gets its own slice of the gradient
        Op::Cat { axis, sizes } => {
            let mut start = 0;
            sizes
                .iter()
                .zip(needs)
                .map(|(&len, &need)| {
                    let slice = need.then(|| g.narrow(*axis, start, len));
                    start += len;
                    slice
                })
                .collect()
        }
        // out[.., i, ..] = x[.., index[.., i, ..], ..]:  d out_i / d x_j = [index_i = j], so
        // dx[.., j, ..] = Σ_i [index[.., i, ..] = j]·g[.., i, ..]: the gradient goes back to where each element
        // was picked from, added up where an element was picked more than once — `scatter_add`, gather's adjoint
        Op::Gather { axis, index, in_shape } => {
            vec![Some(Tensor::zeros(in_shape, g.dtype(), g.device()).scatter_add(*axis, index, g))]
        }

        // =========================================================================================================
        // Fused compositions: each rule is the gradient of the composition the variant's doc names.
        // =========================================================================================================
        // d/dx σ(x) = σ(x)·(1 - σ(x))
        Op::Sigmoid { out } => vec![Some(g.mul(&out.mul(&out.affine(-1.0, 1.0))))],
        // y = softmax(x): d/dx_j = y_j·(g_j - Σ_i g_i·y_i)
        Op::Softmax { out, axis } => vec![Some(out.mul(&g.sub(&g.mul(out).sum_keepdim(*axis))))],
        // y = log_softmax(x): d/dx_j = g_j - e^(y_j)·Σ_i g_i
        Op::LogSoftmax { out, axis } => vec![Some(g.sub(&out.exp().mul(&g.sum_keepdim(*axis))))],
        // ℓ(x, y) = max(x, 0) - x·y + ln(1 + e^-|x|):  d/dx ℓ = σ(x) - y,  d/dy ℓ = -x
        Op::BceWithLogits { lhs: x, rhs: y } => {
            vec![needs[0].then(|| g.mul(&x.sigmoid().sub(y))), needs[1].then(|| g.mul(x).neg())]
        }
        // mean ℓ(x, y): the rules of the division by n, the sum and the element-wise loss in a row, the first in one
        // kernel where the backend has one (`Tensor::bce_with_logits_mean_grad`, the same bits as those rules)
        Op::BceWithLogitsMean { lhs: x, rhs: y } => vec![
            needs[0].then(|| x.bce_with_logits_mean_grad(y, g)),
            needs[1].then(|| {
                let n = x.numel() as f64;
                g.div_scalar(n).reshape(&vec![1; x.rank()]).expand(x.shape()).mul(x).neg()
            }),
        ],
        // mean -log_softmax(x)[t]: the rules of the division by n, the negation, the gather and the log_softmax in a
        // row, in one kernel where the backend has one (`Tensor::cross_entropy_mean_grad`, the same bits)
        Op::CrossEntropyMean { logits, target } => vec![Some(logits.cross_entropy_mean_grad(target, g))],
        // y = x Wᵀ + b: dx = g W, dW = gᵀ x, db = Σ_rows g. dW is computed in W's orientation (the matmul reads
        // the transposed g through its strides), so it is contiguous as the parameter's gradient must be, where
        // the unfused graph's (xᵀ g)ᵀ is a transposed view that would be copied; each element is the same dot
        // product over the rows, summed in the same order. With the ReLU epilogue the gradient first goes through
        // the relu rule (d/dy max(y, 0) = [y > 0]).
        Op::Linear { x, weight, relu_out } => {
            let masked = relu_out.as_ref().map(|out| g.relu_backward(out));
            let g = masked.as_ref().unwrap_or(g);
            let mut grads = vec![needs[0].then(|| g.matmul(weight)), needs[1].then(|| g.t().matmul(x))];
            if needs.len() > 2 {
                grads.push(needs[2].then(|| g.sum_dim(0usize)));
            }
            grads
        }

        // --- extension point --------------------------------------------------------------------------------
        // whatever rule the user supplied
        Op::Custom { inputs, out, rule, .. } => rule(inputs, out, g).into_iter().map(Some).collect(),
    }
}

/// `g` with `before` zeros in front of it and `after` zeros behind it along `axis`.
fn pad(g: &Tensor, axis: usize, before: usize, after: usize) -> Tensor {
    let zeros = |len: usize| {
        let mut shape = g.shape().to_vec();
        shape[axis] = len;
        Tensor::zeros(&shape, g.dtype(), g.device())
    };
    let (front, back) = (zeros(before), zeros(after));
    let mut parts = Vec::with_capacity(3);
    if before > 0 {
        parts.push(&front);
    }
    parts.push(g);
    if after > 0 {
        parts.push(&back);
    }
    if parts.len() == 1 {
        return g.clone();
    }
    Tensor::cat(&parts, axis)
}
