//! [`Tensor`]: a [`Layout`] over a shared, immutable [`Storage`] on a [`Device`].
//!
//! This file holds the type, its constructors and data access; the zero-copy views are in `tensor/views.rs`.
//! The computing ops (unary, binary with broadcasting, reductions, matmul, indexing...) are in `tensor_ops/`;
//! printing is in `display.rs`.
//!
//! Tensors are values: cloning one is cheap (the storage is shared through an `Arc`) and no op mutates its
//! inputs. Views share storage; `contiguous()` copies.

use std::sync::Arc;

use crate::device::{Device, Storage};
use crate::dtype::{DType, Element, HostBuffer};
use crate::ensure;
use crate::error::{expect_ok, human_bytes, Error, Result};
use crate::layout::{checked_numel, resolve_axis, Layout};
use crate::tensor_ops::dispatch;

/// An n-dimensional array on a device.
#[derive(Clone)]
pub struct Tensor {
    pub(crate) storage: Arc<Storage>,
    pub(crate) layout: Layout,
    pub(crate) device: Device,
    pub(crate) dtype: DType,
}

/// An axis argument: `usize`, or a signed integer where `-1` is the last dimension (as in PyTorch).
pub trait Dim: Copy {
    /// The axis as a `usize` for a tensor of rank `rank`; panics naming `op` when out of range.
    #[track_caller]
    fn resolve(self, op: &str, rank: usize) -> usize;
}

impl Dim for usize {
    #[track_caller]
    fn resolve(self, op: &str, rank: usize) -> usize {
        // Not through `as isize`: `usize::MAX` would become -1, the last axis.
        ensure!(self < rank, op, "axis {self} out of range for a tensor of rank {rank}");
        self
    }
}
impl Dim for isize {
    #[track_caller]
    fn resolve(self, op: &str, rank: usize) -> usize {
        resolve_axis(op, self, rank)
    }
}
impl Dim for i32 {
    #[track_caller]
    fn resolve(self, op: &str, rank: usize) -> usize {
        resolve_axis(op, self as isize, rank)
    }
}
impl Dim for i64 {
    #[track_caller]
    fn resolve(self, op: &str, rank: usize) -> usize {
        match isize::try_from(self) {
            Ok(axis) => resolve_axis(op, axis, rank),
            Err(_) => {
                crate::error::shape_error(op, format_args!("axis {self} out of range for a tensor of rank {rank}"))
            }
        }
    }
}

// The zero-copy views.
mod views;

impl Tensor {
    // --- construction ------------------------------------------------------------------------------------

    /// Wraps a storage (already on `device`) with a contiguous layout of `shape`.
    pub(crate) fn from_storage(storage: Storage, shape: &[usize], device: Device) -> Tensor {
        let dtype = storage.dtype();
        Tensor { storage: Arc::new(storage), layout: Layout::contiguous(shape), device, dtype }
    }

    /// A view of this tensor's storage with another layout.
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor { storage: self.storage.clone(), layout, device: self.device.clone(), dtype: self.dtype }
    }

    /// A tensor of `shape` from host data, on `device`.
    ///
    /// # Panics
    /// When the buffer's length is not the product of `shape`, or the tensor cannot exist on the device (see
    /// [`Tensor::try_from_host`], which returns these as errors).
    #[track_caller]
    pub fn from_host(data: HostBuffer, shape: &[usize], device: &Device) -> Tensor {
        expect_ok("from_vec", Tensor::try_from_host(data, shape, device))
    }

    /// A tensor of `shape` from host data, on `device`, for data and shapes that come from outside the program.
    ///
    /// # Errors
    /// [`Error::Shape`] when the buffer's length is not the product of `shape`; the errors of
    /// [`Device::check_alloc`]; on a GPU, [`Error::Unsupported`] for an int64 value outside int32 and
    /// [`Error::OutOfMemory`] when the device refuses the buffer.
    pub fn try_from_host(data: HostBuffer, shape: &[usize], device: &Device) -> Result<Tensor> {
        device.check_alloc(shape, data.dtype())?;
        let numel = checked_numel(shape).expect("check_alloc counts the elements");
        if data.len() != numel {
            return Err(Error::Shape(format!(
                "{} elements cannot have shape {shape:?} ({numel} elements)",
                data.len()
            )));
        }
        let storage = match device {
            Device::Cpu => Storage::Cpu(data),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => Storage::Wgpu(b.try_from_host(data)?),
        };
        Ok(Tensor::from_storage(storage, shape, device.clone()))
    }

    /// A tensor of `shape` from a vector, on `device`. See [`Tensor::from_host`] for the panics.
    #[track_caller]
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize], device: &Device) -> Tensor {
        Tensor::from_host(T::into_host(data), shape, device)
    }

    /// A tensor of `shape` from a vector, on `device`, for data and shapes that come from outside the program.
    ///
    /// # Errors
    /// As [`Tensor::try_from_host`].
    pub fn try_from_vec<T: Element>(data: Vec<T>, shape: &[usize], device: &Device) -> Result<Tensor> {
        Tensor::try_from_host(T::into_host(data), shape, device)
    }

    /// A tensor of `shape` from a slice, on `device`.
    #[track_caller]
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize], device: &Device) -> Tensor {
        Tensor::from_vec(data.to_vec(), shape, device)
    }

    /// A CPU tensor from a slice: `Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])`.
    #[track_caller]
    pub fn new<T: Element>(data: &[T], shape: &[usize]) -> Tensor {
        Tensor::from_slice(data, shape, &Device::Cpu)
    }

    /// A 0-dimensional tensor holding `value`.
    #[track_caller]
    pub fn scalar(value: f64, dtype: DType, device: &Device) -> Tensor {
        expect_ok("scalar", Tensor::try_full(&[], value, dtype, device))
    }

    /// A tensor of `shape` filled with `value`.
    ///
    /// # Panics
    /// When the tensor cannot exist on the device or the memory is refused: the errors of [`Tensor::try_full`].
    #[track_caller]
    pub fn full(shape: &[usize], value: f64, dtype: DType, device: &Device) -> Tensor {
        expect_ok("full", Tensor::try_full(shape, value, dtype, device))
    }

    /// A tensor of `shape` filled with `value`, for shapes that come from outside the program.
    ///
    /// # Errors
    /// The errors of [`Device::check_alloc`] (the shape cannot exist on the device: [`Error::TooLarge`] or
    /// [`Error::Unsupported`]), and [`Error::OutOfMemory`] when the system or the GPU refuses the memory.
    pub fn try_full(shape: &[usize], value: f64, dtype: DType, device: &Device) -> Result<Tensor> {
        device.check_alloc(shape, dtype)?;
        let numel = checked_numel(shape).expect("check_alloc counts the elements");
        let storage = match device {
            Device::Cpu => Storage::Cpu(HostBuffer::try_full(dtype, numel, value).ok_or_else(|| {
                Error::OutOfMemory(format!(
                    "cannot allocate {} for shape {shape:?} of {dtype} on the CPU (the system refused the memory); \
                     use a smaller size",
                    human_bytes(numel as u128 * dtype.size_in_bytes() as u128)
                ))
            })?),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) if shape.is_empty() => Storage::Wgpu(b.try_constant(value, dtype)?),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => Storage::Wgpu(b.try_full(numel, value, dtype)?),
        };
        Ok(Tensor::from_storage(storage, shape, device.clone()))
    }

    /// Zeros of `shape`.
    ///
    /// # Panics
    /// As [`Tensor::full`]: `zeros: cannot allocate 4 TiB for shape [1099511627776] of float32 on the CPU ...`.
    #[track_caller]
    pub fn zeros(shape: &[usize], dtype: DType, device: &Device) -> Tensor {
        expect_ok("zeros", Tensor::try_zeros(shape, dtype, device))
    }

    /// Zeros of `shape`, for shapes that come from outside the program.
    ///
    /// # Errors
    /// As [`Tensor::try_full`].
    pub fn try_zeros(shape: &[usize], dtype: DType, device: &Device) -> Result<Tensor> {
        Tensor::try_full(shape, 0.0, dtype, device)
    }

    /// Ones of `shape`.
    ///
    /// # Panics
    /// As [`Tensor::full`].
    #[track_caller]
    pub fn ones(shape: &[usize], dtype: DType, device: &Device) -> Tensor {
        expect_ok("ones", Tensor::try_full(shape, 1.0, dtype, device))
    }

    /// Zeros with the shape, dtype and device of `self`.
    #[track_caller]
    pub fn zeros_like(&self) -> Tensor {
        Tensor::zeros(self.shape(), self.dtype, &self.device)
    }

    /// Ones with the shape, dtype and device of `self`.
    #[track_caller]
    pub fn ones_like(&self) -> Tensor {
        Tensor::ones(self.shape(), self.dtype, &self.device)
    }

    /// `[start, start + step, ...]` up to `end` excluded, as `torch.arange`: the length is
    /// `ceil((end - start) / step)` and element `i` is `start + i * step` computed in f64, then cast.
    #[track_caller]
    pub fn arange(start: f64, end: f64, step: f64, dtype: DType, device: &Device) -> Tensor {
        ensure!(step != 0.0 && step.is_finite(), "arange", "step must be finite and non-zero, got {step}");
        ensure!(
            start.is_finite() && end.is_finite(),
            "arange",
            "start and end must be finite, got {start}..{end} (step {step})"
        );
        let count = ((end - start) / step).ceil().max(0.0);
        let fits = count < usize::MAX as f64;
        ensure!(fits, "arange", "{start}..{end} with step {step} has {count} elements, more than a usize can count");
        let len = count as usize;
        expect_ok("arange", device.check_alloc(&[len], dtype));
        let values = expect_ok("arange", try_collect(len, |i| start + i as f64 * step));
        Tensor::from_f64_values(&values, &[len], dtype, device)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive, as `torch.linspace`: element `i` is
    /// `start + i*step` for the first half and `end - (steps-1-i)*step` for the second. As in torch, `step` is
    /// computed in the output's precision, and for f32 each element is rounded once from the exact
    /// `start + i*step` (torch's kernel uses a fused multiply-add: `linspace(-1, 1, 7)[3]` is `-2.9802e-08`,
    /// not 0).
    #[track_caller]
    pub fn linspace(start: f64, end: f64, steps: usize, dtype: DType, device: &Device) -> Tensor {
        expect_ok("linspace", device.check_alloc(&[steps], dtype));
        let half = steps / 2;
        let values = if dtype == DType::F32 {
            let (start, end) = (start as f32, end as f32);
            let step = if steps > 1 { (end - start) / (steps - 1) as f32 } else { 0.0 };
            // The f64 products and sums of these f32 values are exact (or rounded far below f32's precision).
            let (start, end, step) = (start as f64, end as f64, step as f64);
            try_collect(steps, |i| {
                let v = if i < half { start + step * i as f64 } else { end - step * (steps - 1 - i) as f64 };
                v as f32 as f64
            })
        } else {
            let step = if steps > 1 { (end - start) / (steps - 1) as f64 } else { 0.0 };
            try_collect(steps, |i| if i < half { start + step * i as f64 } else { end - step * (steps - 1 - i) as f64 })
        };
        let values = expect_ok("linspace", values);
        Tensor::from_f64_values(&values, &[steps], dtype, device)
    }

    /// The `n × n` identity matrix.
    ///
    /// # Panics
    /// When `n × n` elements cannot exist on the device or the memory is refused.
    #[track_caller]
    pub fn eye(n: usize, dtype: DType, device: &Device) -> Tensor {
        expect_ok("eye", device.check_alloc(&[n, n], dtype));
        let mut values = expect_ok("eye", try_collect(n * n, |_| 0.0));
        for i in 0..n {
            values[i * n + i] = 1.0;
        }
        Tensor::from_f64_values(&values, &[n, n], dtype, device)
    }

    /// A tensor from f64 values converted to `dtype`.
    #[track_caller]
    pub fn from_f64_values(values: &[f64], shape: &[usize], dtype: DType, device: &Device) -> Tensor {
        let data = match dtype {
            DType::F32 => HostBuffer::F32(values.iter().map(|&v| v as f32).collect()),
            DType::F64 => HostBuffer::F64(values.to_vec()),
            DType::I64 => HostBuffer::I64(values.iter().map(|&v| v as i64).collect()),
        };
        Tensor::from_host(data, shape, device)
    }

    // --- metadata ----------------------------------------------------------------------------------------

    /// Sizes of the dimensions.
    pub fn shape(&self) -> &[usize] {
        self.layout.shape()
    }

    /// Size of dimension `axis` (negative counts from the end).
    #[track_caller]
    pub fn dim(&self, axis: impl Dim) -> usize {
        self.shape()[axis.resolve("dim", self.rank())]
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.layout.rank()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The device holding the storage.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Shape, strides and offset of this view.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The storage (shared with every view of it).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// True when `self` and `other` are views of the same storage.
    pub fn same_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// True when the view is row-major without gaps.
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    // --- data access -------------------------------------------------------------------------------------

    /// The elements in logical order, in host memory (downloads from a GPU).
    ///
    /// # Panics
    /// On a GPU, when a kernel since the last readback saw an out-of-range index (see `Tensor::gather`).
    #[track_caller]
    pub fn to_host(&self) -> HostBuffer {
        dispatch!(value self => |b, s| crate::backend::Backend::to_host(b, s, &self.layout))
    }

    /// [`Tensor::to_host`] of every tensor, in order. When they all live on one GPU they are read in one transfer
    /// (one submit, one wait for the device), which is what a training loop wants for its per-epoch figures.
    pub fn to_host_many(tensors: &[&Tensor]) -> Vec<HostBuffer> {
        #[cfg(feature = "wgpu")]
        if let Some(Device::Wgpu(be)) = tensors.first().map(|t| &t.device) {
            let views: Option<Vec<_>> = tensors
                .iter()
                .map(|t| match (&t.device, &*t.storage) {
                    (Device::Wgpu(b), Storage::Wgpu(s)) if b.same_device(be) => Some((s, &t.layout)),
                    _ => None,
                })
                .collect();
            if let Some(views) = views {
                return be.to_host_many(&views);
            }
        }
        tensors.iter().map(|t| t.to_host()).collect()
    }

    /// The elements in logical (row-major) order.
    ///
    /// # Panics
    /// When `T` is not the tensor's element type.
    #[track_caller]
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        ensure!(T::DTYPE == self.dtype, "to_vec", "tensor of dtype {} read as {}", self.dtype, T::DTYPE);
        match T::from_host_owned(self.to_host()) {
            Ok(v) => v,
            Err(_) => unreachable!("dtype checked above"),
        }
    }

    /// The rows of a 2-D tensor.
    #[track_caller]
    pub fn to_vec2<T: Element>(&self) -> Vec<Vec<T>> {
        ensure!(self.rank() == 2, "to_vec2", "tensor of shape {:?} is not 2-D", self.shape());
        let cols = self.shape()[1];
        let flat = self.to_vec::<T>();
        if cols == 0 {
            return vec![Vec::new(); self.shape()[0]];
        }
        flat.chunks(cols).map(|c| c.to_vec()).collect()
    }

    /// Every element converted to f64, in logical order.
    ///
    /// # Panics
    /// On a GPU, when a kernel since the last readback saw an out-of-range index (see `Tensor::gather`).
    #[track_caller]
    pub fn to_f64_vec(&self) -> Vec<f64> {
        self.to_host().to_f64_vec()
    }

    /// The single element of a one-element tensor (any rank).
    #[track_caller]
    pub fn to_scalar<T: Element>(&self) -> T {
        ensure!(
            self.numel() == 1,
            "to_scalar",
            "tensor of shape {:?} has {} elements, not 1",
            self.shape(),
            self.numel()
        );
        self.to_vec::<T>()[0]
    }

    /// The single element as f64, whatever the dtype (PyTorch's `.item()`).
    #[track_caller]
    pub fn item(&self) -> f64 {
        ensure!(self.numel() == 1, "item", "tensor of shape {:?} has {} elements, not 1", self.shape(), self.numel());
        self.to_f64_vec()[0]
    }

    /// A copy on `device` (the same tensor when it is already there).
    #[track_caller]
    pub fn to_device(&self, device: &Device) -> Tensor {
        if self.device.same(device) {
            return self.clone();
        }
        expect_ok("to_device", Tensor::try_from_host(self.to_host(), self.shape(), device))
    }

    /// A copy converted to `dtype` (the same tensor when it already has it).
    ///
    /// # Panics
    /// When the device has no such dtype (f64 on a GPU).
    #[track_caller]
    pub fn to_dtype(&self, dtype: DType) -> Tensor {
        if dtype == self.dtype {
            return self.clone();
        }
        expect_ok("to_dtype", self.device.check_alloc(self.shape(), dtype));
        let storage = dispatch!(self => |b, s| crate::backend::Backend::cast(b, s, &self.layout, dtype));
        Tensor::from_storage(storage, self.shape(), self.device.clone())
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor[{:?}, {}, {}]", self.shape(), self.dtype, self.device.name())
    }
}

/// `len` values `f(0), f(1), ...`, or [`Error::OutOfMemory`] when the system refuses the memory (a `Vec` that
/// cannot grow would abort the process).
fn try_collect(len: usize, f: impl Fn(usize) -> f64) -> Result<Vec<f64>> {
    let mut values = Vec::new();
    values.try_reserve_exact(len).map_err(|_| {
        Error::OutOfMemory(format!(
            "cannot allocate {} for {len} f64 values on the CPU (the system refused the memory); use a smaller size",
            human_bytes(len as u128 * 8)
        ))
    })?;
    values.extend((0..len).map(f));
    Ok(values)
}
