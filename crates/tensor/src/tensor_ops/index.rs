//! Indexing: `gather`, `scatter_add`, `index_select`, `cat`, `stack`.

use super::*;

impl Tensor {
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
        let scan = index.device.is_cpu()
            || index.known_index_range().is_some_and(|(lo, hi)| lo < 0 || hi as u64 >= bound as u64);
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
        let storage = dispatch!(self, index => |b, x, i| b.gather(x, &self.layout, axis, i, &index.layout));
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
        let direct = dispatch!(optional self, index, src => |b, x, i, s| b.scatter_add(x, xl, axis, i, il, s, sl));
        if let Some(storage) = direct {
            return Tensor::from_storage(storage, self.shape(), self.device.clone());
        }
        // No scatter kernel (the GPU has no float atomics to scatter with): the one-hot product:
        // onehot[.., i, j, ..] = [index[.., i, ..] = j], summed over i against src.
        let n = self.shape()[axis];
        let mut positions_shape = vec![1; index.rank() + 1];
        positions_shape[axis + 1] = n;
        let positions = Tensor::arange(0.0, n as f64, 1.0, DType::I64, &self.device).reshape(&positions_shape);
        let one_hot = index.unsqueeze(axis + 1).eq(&positions).to_dtype(self.dtype); // [.., i, j, ..]
        let mut added = one_hot.mul(&src.unsqueeze(axis + 1)).sum_dim(axis); // [.., j, ..]

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
        let storage = dispatch!(self, index => |b, x, i| b.index_select(x, &self.layout, axis, i, &index.layout));
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
        let storage = dispatch!(views tensors => |b, parts| b.concat(&parts, axis));
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
