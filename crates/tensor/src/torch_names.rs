//! PyTorch's names for the [`Tensor`] calls a notebook makes that the op families do not already spell that
//! way: `to(device)` and `unique()`.
//!
//! The naming rule of the whole API (stated once here and in the README's cheat sheet): **a PyTorch method keeps
//! its name and takes PyTorch's positional arguments; `keepdim=True` is a `_keepdim` suffix
//! (`sum_keepdim(1)`); the one-dim form of a method whose bare form reduces everything is `_dim`
//! (`sum()` over everything, `sum_dim(1)` over one axis)**. Keyword arguments with defaults other than those are
//! builder structs or separate constructors, since Rust has neither keyword arguments nor overloading.
//!
//! What does not live here: the ops themselves (the per-family files) and printing (`display.rs`).

use crate::device::Device;
use crate::dtype::HostBuffer;
use crate::tensor::Tensor;

impl Tensor {
    /// `tensor.to(device)`: this tensor on `device` — the same tensor (shared storage) when it is already there,
    /// else a copy, as PyTorch's `.to`.
    ///
    /// # Panics
    /// When the tensor cannot live on `device` (a float64 tensor on a GPU, one over its buffer limit), naming
    /// `to_device` and the shape.
    #[track_caller]
    pub fn to(&self, device: &Device) -> Tensor {
        self.to_device(device)
    }

    /// `torch.unique(tensor)`: the distinct values, sorted ascending, as a 1-D tensor of the same dtype on the
    /// same device. Floats are ordered by IEEE total order and compared by value, so `-0.0` and `0.0` are one
    /// value (the first kept, `-0.0`) and every NaN is a value of its own, placed last — as `torch.unique` on
    /// the CPU.
    ///
    /// ```
    /// use tensor::Tensor;
    /// let y = Tensor::new(&[2i64, 0, 1, 2, 0], &[5]);
    /// assert_eq!(y.unique().to_vec::<i64>(), vec![0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn unique(&self) -> Tensor {
        let host = match self.to_host() {
            HostBuffer::F32(mut v) => {
                v.sort_by(f32::total_cmp);
                v.dedup_by(|a, b| a == b);
                HostBuffer::F32(v)
            }
            HostBuffer::F64(mut v) => {
                v.sort_by(f64::total_cmp);
                v.dedup_by(|a, b| a == b);
                HostBuffer::F64(v)
            }
            HostBuffer::I64(mut v) => {
                v.sort_unstable();
                v.dedup();
                HostBuffer::I64(v)
            }
        };
        let n = host.len();
        Tensor::from_host(host, &[n], self.device())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_sorts_and_deduplicates() {
        let t = Tensor::new(&[3.0f32, -0.0, 1.0, 0.0, 3.0, f32::NAN, -2.0], &[7]);
        let u = t.unique().to_vec::<f32>();
        assert_eq!(&u[..4], &[-2.0, -0.0, 1.0, 3.0]);
        assert!(u[4].is_nan() && u.len() == 5);
        let t = Tensor::new(&[1i64, 1, 0, 1, 0, 0], &[2, 3]);
        let u = t.unique();
        assert_eq!((u.shape(), u.to_vec::<i64>()), (&[2usize][..], vec![0, 1]));
        assert_eq!(Tensor::new::<f64>(&[], &[0]).unique().shape(), &[0]);
    }

    #[test]
    fn to_the_same_device_shares_storage() {
        let t = Tensor::new(&[1.0f32, 2.0], &[2]);
        assert!(t.to(&Device::Cpu).same_storage(&t));
    }
}
