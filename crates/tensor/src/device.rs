//! [`Device`]: where a tensor's storage lives, and [`Storage`], the storage of one of the backends.
//!
//! Both are plain enums and the tensor layer dispatches with a `match`: no generics leak into the API, and a
//! device mismatch is a clear panic at the call site.

use crate::cpu::CpuBackend;
use crate::dtype::{DType, HostBuffer};
use crate::error::{human_bytes, Error, Result};
#[cfg(feature = "wgpu")]
use crate::gpu::{WgpuBackend, WgpuStorage};
use crate::layout::checked_numel;

/// A device: the CPU, or a GPU through wgpu.
#[derive(Clone, Debug)]
pub enum Device {
    /// The host CPU (SIMD kernels, rayon above size thresholds).
    Cpu,
    /// A GPU (or lavapipe, the software Vulkan driver) through wgpu.
    #[cfg(feature = "wgpu")]
    Wgpu(WgpuBackend),
}

/// The storage of a tensor on one of the backends.
#[derive(Debug)]
pub enum Storage {
    /// CPU storage: a host vector.
    Cpu(HostBuffer),
    /// GPU storage.
    #[cfg(feature = "wgpu")]
    Wgpu(WgpuStorage),
}

/// A CPU buffer goes back to the backend's cache when its last tensor is dropped (see `cpu/pool.rs`).
impl Drop for Storage {
    fn drop(&mut self) {
        if let Storage::Cpu(b) = self {
            match b {
                HostBuffer::F32(v) => crate::cpu::pool::give(std::mem::take(v)),
                HostBuffer::F64(v) => crate::cpu::pool::give(std::mem::take(v)),
                HostBuffer::I64(v) => crate::cpu::pool::give(std::mem::take(v)),
            }
        }
    }
}

/// What the GPU backend has asked of its device since the last [`Device::reset_gpu_stats`]: the host-side cost
/// of a training step, counted where the backend encodes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpuStats {
    /// Kernel launches (`dispatch_workgroups`).
    pub dispatches: u64,
    /// Buffer-to-buffer copies, uploads, clears and timestamp writes/resolves.
    pub copies: u64,
    /// Compute passes begun.
    pub compute_passes: u64,
    /// Bind groups created (a cached one reused is not counted).
    pub bind_groups: u64,
    /// Command buffers submitted to the queue.
    pub submits: u64,
    /// Readbacks: the host waited for the GPU and mapped a buffer.
    pub readbacks: u64,
    /// Host time spent encoding commands (kernels, copies, bind groups, params), nanoseconds.
    pub host_encode_ns: u64,
    /// Host time spent in the queue's submit, nanoseconds (it may wait for earlier work on the device). The waits
    /// of readbacks are in neither figure.
    pub host_submit_ns: u64,
}

impl Device {
    /// The counters of the GPU backend ([`GpuStats`]), `None` on the CPU. They count for the whole device, so
    /// work of other threads on the same device is included.
    pub fn gpu_stats(&self) -> Option<GpuStats> {
        match self {
            Device::Cpu => None,
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => Some(b.stats()),
        }
    }

    /// Sets the counters of [`Device::gpu_stats`] to zero (a no-op on the CPU).
    pub fn reset_gpu_stats(&self) {
        match self {
            Device::Cpu => {}
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => b.reset_stats(),
        }
    }

    /// The CPU.
    pub fn cpu() -> Device {
        Device::Cpu
    }

    /// The default GPU adapter (created once and shared). Fails with a message that says what to install when
    /// there is no adapter, or when tapegrad was built without the `wgpu` feature.
    pub fn gpu() -> Result<Device> {
        #[cfg(feature = "wgpu")]
        {
            WgpuBackend::shared().map(Device::Wgpu)
        }
        #[cfg(not(feature = "wgpu"))]
        {
            Err(Error::Unsupported(
                "this build of tapegrad has no GPU backend: rebuild with the `wgpu` feature of the `tensor` crate"
                    .into(),
            ))
        }
    }

    /// The GPU when an adapter exists, else the CPU; the string says which and why.
    pub fn auto() -> (Device, String) {
        match Device::gpu() {
            Ok(d) => {
                let why = format!("using {}", d.name());
                (d, why)
            }
            Err(e) => (Device::Cpu, format!("using the CPU ({e})")),
        }
    }

    /// A short name: `cpu` or `wgpu:<adapter>`.
    pub fn name(&self) -> String {
        match self {
            Device::Cpu => "cpu".to_string(),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => crate::backend::Backend::name(b),
        }
    }

    /// True for the CPU.
    pub fn is_cpu(&self) -> bool {
        matches!(self, Device::Cpu)
    }

    /// True when both are the same device.
    pub fn same(&self, other: &Device) -> bool {
        match (self, other) {
            (Device::Cpu, Device::Cpu) => true,
            #[cfg(feature = "wgpu")]
            (Device::Wgpu(a), Device::Wgpu(b)) => a.same_device(b),
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// True when the device can hold tensors of `dtype` (the GPU has no f64).
    pub fn supports(&self, dtype: DType) -> bool {
        match self {
            Device::Cpu => {
                let _ = dtype;
                true
            }
            #[cfg(feature = "wgpu")]
            Device::Wgpu(_) => dtype != DType::F64,
        }
    }

    /// Ok when a tensor of `shape` and `dtype` can exist on this device: its element count and byte size do not
    /// overflow, the bytes are at most `isize::MAX` (the most any allocation can hold), the device has the dtype,
    /// and on a GPU the buffer fits the adapter's largest buffer and storage binding. It allocates nothing, so
    /// `Ok` does not promise that the memory is free: [`Tensor::try_zeros`](crate::Tensor::try_zeros) reports
    /// that as [`Error::OutOfMemory`].
    ///
    /// # Errors
    /// [`Error::TooLarge`] naming the shape, the bytes and the limit, and saying what to do;
    /// [`Error::Unsupported`] for a dtype the device lacks (f64 on a GPU).
    pub fn check_alloc(&self, shape: &[usize], dtype: DType) -> Result<()> {
        if !self.supports(dtype) {
            return Err(Error::Unsupported(format!(
                "the GPU backend ({}) supports float32/int64; got {dtype} — use the CPU device or convert with \
                 to_dtype",
                self.name()
            )));
        }
        let Some(numel) = checked_numel(shape) else {
            return Err(Error::TooLarge(format!(
                "shape {shape:?} of {dtype} has more elements than a usize can count (more than {}); use a smaller size",
                usize::MAX
            )));
        };
        let bytes = numel as u128 * self.element_bytes(dtype) as u128;
        if bytes > isize::MAX as u128 {
            return Err(Error::TooLarge(format!(
                "shape {shape:?} of {dtype} needs {} ({bytes} bytes), more than any allocation can hold \
                 (isize::MAX = {} bytes); use a smaller size",
                human_bytes(bytes),
                isize::MAX
            )));
        }
        match self {
            Device::Cpu => Ok(()),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => b.check_alloc(shape, dtype, numel),
        }
    }

    /// Bytes of one element of `dtype` in this device's memory (the GPU stores int64 as 32-bit integers).
    pub fn element_bytes(&self, dtype: DType) -> usize {
        match self {
            Device::Cpu => dtype.size_in_bytes(),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(_) => 4,
        }
    }

    /// Submits the GPU work encoded so far without waiting for it (a no-op on the CPU).
    pub fn flush(&self) {
        match self {
            Device::Cpu => {}
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => b.flush(),
        }
    }

    /// Waits until all work submitted to the device has finished (a no-op on the CPU).
    pub fn synchronize(&self) -> Result<()> {
        match self {
            Device::Cpu => Ok(()),
            #[cfg(feature = "wgpu")]
            Device::Wgpu(b) => b.synchronize(),
        }
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        self.same(other)
    }
}

impl Storage {
    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        match self {
            Storage::Cpu(b) => b.dtype(),
            #[cfg(feature = "wgpu")]
            Storage::Wgpu(s) => s.dtype(),
        }
    }

    /// The CPU buffer, or `None` for a GPU storage.
    pub fn as_cpu(&self) -> Option<&HostBuffer> {
        match self {
            Storage::Cpu(b) => Some(b),
            #[cfg(feature = "wgpu")]
            _ => None,
        }
    }

    /// Bounds `(lo, hi)` the host knows for every value of an int64 storage: kept by the GPU backend for storages
    /// uploaded from host data or made by argmax/argmin ([`WgpuStorage::index_range`]); `None` elsewhere.
    ///
    /// [`WgpuStorage::index_range`]: crate::gpu::WgpuStorage::index_range
    pub(crate) fn index_range(&self) -> Option<(i64, i64)> {
        match self {
            #[cfg(feature = "wgpu")]
            Storage::Wgpu(s) => s.index_range(),
            _ => None,
        }
    }

    /// Records that the values of this int64 storage lie in `lo..=hi` (kept on the GPU only, where a check of
    /// the values would otherwise need a readback).
    pub(crate) fn set_index_range(&self, lo: i64, hi: i64) {
        #[cfg(feature = "wgpu")]
        if let Storage::Wgpu(s) = self {
            s.set_index_range(lo, hi);
        }
        let _ = (lo, hi);
    }
}

/// The CPU backend as a value (it has no state).
pub(crate) const CPU: CpuBackend = CpuBackend;
