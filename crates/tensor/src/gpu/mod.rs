//! The wgpu backend: [`WgpuBackend`] implements [`Backend`] with the hand-written WGSL kernels of `/shaders`.
//!
//! Reading order:
//! * `shaders.rs` — the table of shaders (one WGSL file per kernel family);
//! * `params.rs` — the `Params` structs mirrored from WGSL, op codes, the rank-6 view simplification;
//! * `context/` — device creation and readback (`mod.rs`), the buffer pool and uploads (`buffers.rs`), batched
//!   submission with the pipeline, bind-group and params caches (`batch.rs`);
//! * `backend.rs` — `impl Backend for WgpuBackend`: each method checks its views and calls its family's launcher;
//! * `elementwise.rs`, `reduce.rs`, `softmax.rs`, `matmul.rs`, `index.rs`, `loss.rs`, `metrics.rs`, `optim.rs` —
//!   the launchers: they turn a `(storage, layout)` call of the trait into a kernel's params and workgroup grid, as
//!   `cpu/` turns it into loops;
//! * `shader_checks.rs` (tests) — the Rust side held to the WGSL side with naga: op codes, `Params` layouts,
//!   workgroup sizes.
//!
//! Public on purpose, beside [`WgpuBackend`] and [`WgpuStorage`]: [`matmul`], so that benchmarks and tests can run
//! one chosen kernel ([`matmul::matmul_with`]); the sizes the bandwidth tests build their shapes from
//! ([`CONTIGUOUS_CHUNK`], [`SOFTMAX_REGISTERS_MAX`]); and, behind cargo features that only dev-dependencies turn
//! on, `testing` (`gpu_or_skip`, the gate of every GPU test) and `bench` (feature `bench`: the timing
//! helpers of `examples/gpu_kernels.rs`).
//!
//! Data stays on the device and crosses only in [`Backend::from_host`] / [`Backend::to_host`]. Every element is
//! 32 bits on the device: f32 as is, I64 as i32 (uploading a value outside i32 panics, naming it). There is no f64
//! (the tensor layer refuses it through `Device::supports`).

mod backend;
mod context;
mod elementwise;
mod index;
mod loss;
pub mod matmul;
mod metrics;
mod optim;
pub(crate) mod params;
mod reduce;
pub(crate) mod shaders;
mod softmax;

#[cfg(test)]
mod shader_checks;

#[cfg(feature = "bench")]
pub mod bench;
#[cfg(feature = "testing")]
pub mod testing;

pub use reduce::CONTIGUOUS_CHUNK;
pub use softmax::SOFTMAX_REGISTERS_MAX;

use std::sync::{Arc, OnceLock};

use crate::backend::Backend;
use crate::dtype::{DType, HostBuffer};
use crate::error::{human_bytes, Error, Result};
use crate::layout::{check_in_storage, Layout};

use context::{Context, ERROR_INDEX};

/// Every entry point of the backend first checks each operand view against its buffer's element count, once per
/// call ([`check_in_storage`]): a view outside its buffer never reaches a kernel.
#[track_caller]
fn fits(op: &str, x: &WgpuStorage, layout: &Layout) {
    check_in_storage(op, layout, x.len);
}

/// The GPU backend: a handle to the process's one wgpu device (cheap to clone).
#[derive(Clone, Debug)]
pub struct WgpuBackend {
    ctx: Arc<Context>,
}

/// A flat buffer of 32-bit elements on the device. Its buffer goes back to the pool when it is dropped.
pub struct WgpuStorage {
    buffer: Option<wgpu::Buffer>,
    len: usize,
    dtype: DType,
    ctx: Arc<Context>,
    /// For an int64 storage whose values the host knows bounds of (uploaded from host data, or argmax/argmin
    /// output): the smallest and largest value. `gather`/`index_select` check it at the call instead of leaving
    /// the range check to the kernel, whose flag is only seen at the next readback.
    index_range: OnceLock<(i64, i64)>,
    /// False for a shared constant ([`WgpuBackend::try_constant`]), whose buffer the device keeps.
    pooled: bool,
}

impl WgpuStorage {
    /// The dtype of the elements (`I64` is stored as i32 on the device).
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The known smallest and largest value of an int64 storage (see the field's doc), if any.
    pub fn index_range(&self) -> Option<(i64, i64)> {
        self.index_range.get().copied()
    }

    /// Records bounds of the values (the first record stays).
    pub(crate) fn set_index_range(&self, lo: i64, hi: i64) {
        let _ = self.index_range.set((lo, hi));
    }

    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        self.buffer.as_ref().expect("a live storage has a buffer")
    }
}

impl Drop for WgpuStorage {
    fn drop(&mut self) {
        if let Some(b) = self.buffer.take() {
            if self.pooled {
                self.ctx.release(b);
            }
        }
    }
}

impl std::fmt::Debug for WgpuStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WgpuStorage({} x {})", self.len, self.dtype)
    }
}

/// Workgroup grid for `groups` workgroups of a 1-D kernel, folded into (x, y) when it exceeds one dimension.
pub(crate) fn grid(groups: usize) -> (u32, u32, u32) {
    const MAX: usize = 65535;
    if groups <= MAX {
        (groups as u32, 1, 1)
    } else {
        (MAX as u32, params::u32_of("workgroups", groups.div_ceil(MAX)), 1)
    }
}

impl WgpuBackend {
    /// The process's GPU backend, created on first use. Fails with [`Error::NoAdapter`] (saying what to install)
    /// when wgpu finds no adapter.
    pub fn shared() -> Result<WgpuBackend> {
        static SHARED: OnceLock<Result<WgpuBackend>> = OnceLock::new();
        SHARED.get_or_init(|| Context::new().map(|c| WgpuBackend { ctx: Arc::new(c) })).clone()
    }

    /// A new device of the default adapter, separate from [`WgpuBackend::shared`] (its own pipelines, buffers
    /// and error state): what the measurement tool opens after a device error, so that one failing kernel does not
    /// void the measurements after it. Fails as [`WgpuBackend::shared`].
    pub fn open() -> Result<WgpuBackend> {
        Context::new().map(|c| WgpuBackend { ctx: Arc::new(c) })
    }

    /// True when both handles are the same device.
    pub fn same_device(&self, other: &WgpuBackend) -> bool {
        Arc::ptr_eq(&self.ctx, &other.ctx)
    }

    /// Submits pending kernels and waits for them. Reports a device error (lost, out of memory, validation) or
    /// an out-of-range index seen by a gather kernel since the last check.
    pub fn synchronize(&self) -> Result<()> {
        let (_, flags) = self.ctx.read(&self.ctx.dummy_read, 0, 0)?;
        check_flags(&self.ctx, flags).map_err(Error::Device)
    }

    /// Submits the kernels encoded so far without waiting for them (they would otherwise wait for the next
    /// readback or for the batch to fill).
    pub fn flush(&self) {
        self.ctx.flush()
    }

    /// The counters of this device since the last [`WgpuBackend::reset_stats`].
    pub fn stats(&self) -> crate::device::GpuStats {
        self.ctx.stats()
    }

    /// Sets the counters of [`WgpuBackend::stats`] to zero.
    pub fn reset_stats(&self) {
        self.ctx.reset_stats()
    }

    /// The device's limits (for tests and benches).
    pub fn limits(&self) -> wgpu::Limits {
        self.ctx.limits.clone()
    }

    /// Ok when `numel` elements of `dtype` (a tensor of `shape`, named in the message) fit one buffer of this
    /// device and the kernels' 31-bit sizes (see `params::u32_of`). The rest of `Device::check_alloc`.
    pub(crate) fn check_alloc(&self, shape: &[usize], dtype: DType, numel: usize) -> Result<()> {
        let bytes = numel as u128 * 4;
        let limit = self.ctx.max_tensor_bytes();
        if numel > i32::MAX as usize || bytes > limit as u128 {
            return Err(Error::TooLarge(format!(
                "shape {shape:?} of {dtype} needs {} ({bytes} bytes) on {}, over its limit of {} per tensor (the \
                 smaller of max_buffer_size and max_storage_buffer_binding_size; at most {} elements); use a smaller \
                 size or the CPU",
                human_bytes(bytes),
                self.name(),
                human_bytes(limit as u128),
                i32::MAX
            )));
        }
        Ok(())
    }

    /// A new storage of `len` elements of `dtype` (contents undefined), or the error of [`Context::try_alloc`].
    pub(crate) fn try_alloc(&self, len: usize, dtype: DType) -> Result<WgpuStorage> {
        if dtype == DType::F64 {
            return Err(Error::Unsupported(format!(
                "the GPU backend ({}) supports float32/int64; got float64 — use the CPU device or convert with \
                 to_dtype",
                self.name()
            )));
        }
        let bytes = (len as u64).checked_mul(4).ok_or_else(|| {
            Error::TooLarge(format!("{len} elements do not fit a GPU buffer; use a smaller size or the CPU"))
        })?;
        Ok(self.storage(self.ctx.try_alloc(bytes)?, len, dtype, true))
    }

    /// A new storage of `len` elements of `dtype` (contents undefined).
    #[track_caller]
    pub(crate) fn alloc(&self, len: usize, dtype: DType) -> WgpuStorage {
        assert!(dtype != DType::F64, "wgpu: the device has no float64 tensors");
        self.storage(self.ctx.alloc(len as u64 * 4), len, dtype, true)
    }

    /// A storage of `len` elements of `dtype` held in `buffer`, which goes back to the pool on drop when `pooled`.
    fn storage(&self, buffer: wgpu::Buffer, len: usize, dtype: DType, pooled: bool) -> WgpuStorage {
        WgpuStorage { buffer: Some(buffer), len, dtype, ctx: self.ctx.clone(), index_range: OnceLock::new(), pooled }
    }

    /// Uploads host data, or fails: an int64 value outside int32 (the device's integer type), f64 data, or a
    /// buffer the device refuses.
    pub(crate) fn try_from_host(&self, data: HostBuffer) -> Result<WgpuStorage> {
        let (words, dtype): (Vec<u32>, DType) = match &data {
            HostBuffer::F32(v) => (v.iter().map(|x| x.to_bits()).collect(), DType::F32),
            HostBuffer::I64(v) => {
                let mut words = Vec::with_capacity(v.len());
                for &x in v {
                    let Ok(w) = i32::try_from(x) else {
                        return Err(Error::Unsupported(format!(
                            "the wgpu device stores int64 tensors as int32, and {x} does not fit (range {}..={})",
                            i32::MIN,
                            i32::MAX
                        )));
                    };
                    words.push(w as u32);
                }
                (words, DType::I64)
            }
            HostBuffer::F64(_) => {
                return Err(Error::Unsupported(format!(
                    "the GPU backend ({}) supports float32/int64; got float64 — use the CPU device or convert with \
                     to_dtype",
                    self.name()
                )))
            }
        };
        let out = self.try_alloc(words.len(), dtype)?;
        self.ctx.upload(bytemuck::cast_slice(&words), out.buffer());
        if let HostBuffer::I64(v) = &data {
            if let (Some(&lo), Some(&hi)) = (v.iter().min(), v.iter().max()) {
                out.set_index_range(lo, hi);
            }
        }
        Ok(out)
    }

    /// `numel` copies of `value`, or the error of [`WgpuBackend::try_alloc`] (or a value int32 cannot hold).
    pub(crate) fn try_full(&self, numel: usize, value: f64, dtype: DType) -> Result<WgpuStorage> {
        if dtype == DType::I64 && i32::try_from(value as i64).is_err() {
            return Err(Error::Unsupported(format!(
                "the wgpu device stores int64 tensors as int32, and {} does not fit",
                value as i64
            )));
        }
        let out = self.try_alloc(numel, dtype)?;
        elementwise::fill(self, &out, value);
        Ok(out)
    }

    /// A one-element `value` of `dtype` shared by every caller (a loss's `n`, the seed gradient `1`...): filled
    /// once per device instead of by a fill kernel each time a training step asks for it. Sharing is safe because
    /// no kernel writes into an input: every op writes a new storage. Fails as [`WgpuBackend::try_full`].
    pub(crate) fn try_constant(&self, value: f64, dtype: DType) -> Result<WgpuStorage> {
        let key = (value.to_bits(), dtype);
        if let Some(buffer) = self.ctx.constant(key) {
            return Ok(self.storage(buffer, 1, dtype, false));
        }
        let mut out = self.try_full(1, value, dtype)?;
        out.pooled = false;
        self.ctx.keep_constant(key, out.buffer().clone());
        Ok(out)
    }

    pub(crate) fn ctx(&self) -> &Context {
        &self.ctx
    }

    /// The 32-bit words of a view, in logical order.
    #[track_caller]
    fn read_words(&self, x: &WgpuStorage, layout: &Layout) -> Vec<u32> {
        self.read_words_many(&[(x, layout)]).pop().expect("one view read")
    }

    /// The 32-bit words of each view, in logical order, read in one transfer (views that are not one contiguous
    /// range are first copied into one).
    #[track_caller]
    fn read_words_many(&self, views: &[(&WgpuStorage, &Layout)]) -> Vec<Vec<u32>> {
        let copies: Vec<Option<WgpuStorage>> = views
            .iter()
            .map(|&(x, layout)| layout.contiguous_range().is_none().then(|| self.copy_strided(x, layout)))
            .collect();
        let ranges: Vec<(&wgpu::Buffer, u64, u64)> = views
            .iter()
            .zip(&copies)
            .map(|(&(x, layout), copy)| {
                let bytes = layout.numel() as u64 * 4;
                match (copy, layout.contiguous_range()) {
                    (Some(c), _) => (c.buffer(), 0, bytes),
                    (None, Some(r)) => (x.buffer(), r.start as u64 * 4, bytes),
                    (None, None) => unreachable!("a view without a contiguous range was copied"),
                }
            })
            .collect();
        let (parts, flags) = self.ctx.read_many(&ranges).unwrap_or_else(|e| panic!("to_host: {e}"));
        if let Err(e) = check_flags(&self.ctx, flags) {
            panic!("{e}");
        }
        parts.iter().map(|b| bytemuck::pod_collect_to_vec(b)).collect()
    }

    /// [`Backend::to_host`] of several views in one transfer (one submit, one wait).
    #[track_caller]
    pub fn to_host_many(&self, views: &[(&WgpuStorage, &Layout)]) -> Vec<HostBuffer> {
        for &(x, layout) in views {
            fits("to_host_many", x, layout);
        }
        let words = self.read_words_many(views);
        views.iter().zip(words).map(|(&(x, _), w)| host_buffer(x.dtype, &w)).collect()
    }
}

/// Device words as a host buffer of `dtype`.
fn host_buffer(dtype: DType, words: &[u32]) -> HostBuffer {
    match dtype {
        DType::F32 => HostBuffer::F32(bytemuck::cast_slice(words).to_vec()),
        DType::I64 => HostBuffer::I64(words.iter().map(|&w| w as i32 as i64).collect()),
        DType::F64 => unreachable!("wgpu storages are never f64"),
    }
}

/// Turns the error flags of the kernels (read and cleared by a readback) into a message naming the index ops
/// launched since the previous readback with indices the host could not check.
fn check_flags(ctx: &Context, flags: u32) -> std::result::Result<(), String> {
    let ops = std::mem::take(&mut *ctx.unchecked_index_ops.lock().unwrap_or_else(|e| e.into_inner()));
    if flags & ERROR_INDEX != 0 {
        let which = if ops.is_empty() { "gather/index_select".to_string() } else { ops.join(" or ") };
        return Err(format!(
            "{which}: an index was out of range (the indices were computed on the device, so the GPU kernel \
             checked them: it clamped the index, and the results since the last readback are wrong)"
        ));
    }
    Ok(())
}
