//! The zero-copy views of a [`Tensor`]: `reshape`, `permute`, `transpose`, `expand`, `narrow`, `squeeze`...
//! A view shares the storage and describes another [`Layout`] over it; only `contiguous` copies.

use super::*;

impl Tensor {
    /// A contiguous tensor with the same elements: `self` when already contiguous, else a copy.
    ///
    /// # Panics
    /// When the copy cannot exist on the device (an expanded view of more elements than memory can hold).
    #[track_caller]
    pub fn contiguous(&self) -> Tensor {
        if self.is_contiguous() {
            return self.clone();
        }
        expect_ok("contiguous", self.device.check_alloc(self.shape(), self.dtype));
        let storage = dispatch!(self => |b, s| crate::backend::Backend::copy_strided(b, s, &self.layout));
        Tensor::from_storage(storage, self.shape(), self.device.clone())
    }

    /// The same elements with another shape of equal count; a view when the strides allow it, else a copy.
    /// Use [`Tensor::reshape_infer`] to infer one dimension (`-1`).
    ///
    /// # Panics
    /// When the element counts differ: `reshape: cannot reshape [2, 3] (6 elements) to [4] (4 elements)`; when the
    /// new shape's element count overflows; when a copy is needed and cannot exist (see [`Tensor::contiguous`]).
    #[track_caller]
    pub fn reshape(&self, shape: &[usize]) -> Tensor {
        match self.layout.reshape(shape) {
            Some(layout) => self.with_layout(layout),
            None => {
                let c = self.contiguous();
                let layout = c.layout.reshape(shape).expect("a contiguous layout can always be reshaped");
                c.with_layout(layout)
            }
        }
    }

    /// Reshape where one entry may be `-1`, inferred from the element count (PyTorch's `view(-1, n)`).
    ///
    /// # Panics
    /// `reshape_infer: cannot reshape [2, 3] (6 elements) to [4, -1]`, and for more than one `-1` or another
    /// negative size.
    #[track_caller]
    pub fn reshape_infer(&self, shape: &[isize]) -> Tensor {
        let holes = shape.iter().filter(|&&d| d < 0).count();
        ensure!(
            holes <= 1 && shape.iter().all(|&d| d >= -1),
            "reshape_infer",
            "{shape:?}: at most one size may be -1 and none may be below it (tensor {:?})",
            self.shape()
        );
        let known: Vec<usize> = shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).collect();
        let known_numel = checked_numel(&known);
        let numel = self.numel();
        // The inferred size, or the reason there is none (no closure: the panic must stay at the caller).
        let inferred = match known_numel {
            Some(k) if holes == 0 && k == numel => Some(0),
            Some(k) if holes == 1 && k != 0 && numel.is_multiple_of(k) => Some(numel / k),
            _ => None,
        };
        let Some(inferred) = inferred else {
            crate::error::shape_error(
                "reshape_infer",
                format_args!("cannot reshape {:?} ({numel} elements) to {shape:?}", self.shape()),
            )
        };
        let shape: Vec<usize> = shape.iter().map(|&d| if d >= 0 { d as usize } else { inferred }).collect();
        self.reshape(&shape)
    }

    /// All elements as a 1-D tensor (PyTorch's `x.flatten()`).
    #[track_caller]
    pub fn flatten(&self) -> Tensor {
        self.reshape(&[self.numel()])
    }

    /// Reorders the dimensions: output dimension `i` is input dimension `perm[i]`.
    #[track_caller]
    pub fn permute(&self, perm: &[usize]) -> Tensor {
        self.with_layout(self.layout.permute(perm))
    }

    /// Swaps two dimensions.
    #[track_caller]
    pub fn transpose(&self, a: impl Dim, b: impl Dim) -> Tensor {
        let (a, b) = (a.resolve("transpose", self.rank()), b.resolve("transpose", self.rank()));
        self.with_layout(self.layout.transpose(a, b))
    }

    /// The transpose of a 2-D tensor (`x.T`).
    #[track_caller]
    pub fn t(&self) -> Tensor {
        ensure!(self.rank() == 2, "t", "tensor of shape {:?} is not 2-D", self.shape());
        self.transpose(0usize, 1usize)
    }

    /// Broadcasts to `shape` without copying (size-1 dimensions get stride 0).
    #[track_caller]
    pub fn expand(&self, shape: &[usize]) -> Tensor {
        if shape == self.shape() {
            return self.clone();
        }
        self.with_layout(self.layout.expand(shape))
    }

    /// The sub-range `start..start+len` of dimension `axis`.
    #[track_caller]
    pub fn narrow(&self, axis: impl Dim, start: usize, len: usize) -> Tensor {
        let axis = axis.resolve("narrow", self.rank());
        self.with_layout(self.layout.narrow(axis, start, len))
    }

    /// Rows `range` of dimension 0 (`x[a..b]`).
    #[track_caller]
    pub fn slice(&self, range: std::ops::Range<usize>) -> Tensor {
        ensure!(self.rank() >= 1, "slice", "cannot slice a 0-dimensional tensor");
        ensure!(range.start <= range.end, "slice", "range {range:?} is decreasing (shape {:?})", self.shape());
        ensure!(
            range.end <= self.shape()[0],
            "slice",
            "range {range:?} out of bounds for dimension 0 of shape {:?}",
            self.shape()
        );
        self.narrow(0usize, range.start, range.end - range.start)
    }

    /// Element `i` of dimension 0, without that dimension (`x[i]`).
    ///
    /// # Panics
    /// `get: index 3 out of range for dimension 0 of shape [3, 2]`, and for a 0-dimensional tensor.
    #[track_caller]
    pub fn get(&self, i: usize) -> Tensor {
        ensure!(self.rank() >= 1, "get", "cannot index a 0-dimensional tensor");
        ensure!(i < self.shape()[0], "get", "index {i} out of range for dimension 0 of shape {:?}", self.shape());
        self.narrow(0usize, i, 1).squeeze_dim(0usize)
    }

    /// Removes every dimension of size 1 (PyTorch's `x.squeeze()`).
    #[track_caller]
    pub fn squeeze(&self) -> Tensor {
        let shape: Vec<usize> = self.shape().iter().copied().filter(|&d| d != 1).collect();
        self.reshape(&shape)
    }

    /// Removes dimension `dim` if it has size 1, and otherwise returns the tensor unchanged, as PyTorch's
    /// `x.squeeze(dim)` does.
    #[track_caller]
    pub fn squeeze_dim(&self, dim: impl Dim) -> Tensor {
        let axis = dim.resolve("squeeze", self.rank());
        if self.shape()[axis] != 1 {
            return self.clone();
        }
        self.with_layout(self.layout.squeeze(axis))
    }

    /// Inserts a dimension of size 1 at `axis` (`0..=rank`; `-1` appends).
    #[track_caller]
    pub fn unsqueeze(&self, axis: impl Dim) -> Tensor {
        let axis = axis.resolve("unsqueeze", self.rank() + 1);
        self.with_layout(self.layout.unsqueeze(axis))
    }
}
