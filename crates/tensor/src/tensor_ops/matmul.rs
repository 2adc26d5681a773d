//! The matrix product and `nn.Linear`'s map (`linear`, `linear_relu`).

use super::*;

impl Tensor {
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
        let storage = dispatch!(self, rhs => |be, l, r| be.matmul(l, &ll, r, &rl));
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
        let fused = dispatch!(optional self, wt, b => |be, x, w, bb| be.linear(x, xl, w, wl, bb, bl, relu));
        match fused {
            Some(storage) => Tensor::from_storage(storage, &[xs[0], ws[0]], self.device.clone()),
            None => epilogue(self.matmul(&wt).add(b)),
        }
    }
}
