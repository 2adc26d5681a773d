//! [`Context`]: the one wgpu device of the process and everything that makes running kernels cheap.
//!
//! This file opens the device (adapter, limits, error handlers) and reads results back; `buffers.rs` holds the
//! buffer pool, the shared constants, uploads and copies; `batch.rs` the encoding of kernels into batches (the
//! pipeline and bind-group caches, the params arena, the counters).
//!
//! * **Pipelines** are compiled once per (shader, entry point) and cached. Each entry point's workgroup size is
//!   read from its shader's `@workgroup_size` (parsed with naga once per shader), so a launcher never repeats it.
//! * **Buffers** come from a pool of size classes (powers of two); a storage gives its buffer back on drop.
//! * **Batching**: every kernel is recorded into one shared command encoder, consecutive dispatches into one open
//!   compute pass (closed only for a copy, a clear, a timestamp or a readback; wgpu places the barriers between the
//!   dispatches of a pass). The batch is submitted when a readback needs its results, on `flush`/`synchronize`, or
//!   when it grows past `MAX_BATCH` commands or `MAX_BATCH_UPLOAD` uploaded bytes. There is no CPU–GPU round
//!   trip per op.
//! * **Params** live in a content-addressed arena: each distinct `Params` value gets one slot, written once with
//!   `queue.write_buffer` (the queue runs such writes before the next submitted batch) and never changed until the
//!   arena is full, when the batch is submitted and the arena starts over. A training loop launches the same
//!   kernels with the same params every step, so after the first step no params are written at all.
//! * **Bind groups** are cached by (pipeline, bound buffers, params slot). The buffer pool hands the same buffers
//!   out again step after step, so the cache hits; an entry is dropped with the buffer it binds (when the pool
//!   lets a buffer go) and the cache is cleared with the params arena. Uploads go through the encoder (a staging
//!   buffer and a copy) so that they stay in order with the kernels: a pooled buffer may still be read by a
//!   pending kernel when it is handed out again.
//! * **Counters** ([`GpuStats`]): dispatches, copies, passes, bind groups created, submits, readbacks, and the host
//!   time spent encoding and inside `queue.submit`, for `Device::gpu_stats` and `experiments bench epoch`.
//! * **Errors**: validation errors, out-of-memory and device loss are caught by handlers that record the message;
//!   `synchronize` returns it as an [`Error::Device`] and a readback panics with it, instead of hanging or
//!   returning garbage. Kernels that detect bad input (out-of-range gather indices) raise bits in a flag buffer
//!   that is read back with every readback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

mod batch;
mod buffers;

use crate::dtype::DType;
use crate::error::{Error, Result};

#[cfg(test)]
pub(crate) use batch::workgroup_sizes;
#[cfg(feature = "bench")]
pub(crate) use batch::MAX_BATCH;
use batch::{State, Timer, PARAMS_SLOT};
use buffers::Pool;

/// Bit of the error flags raised by an out-of-range index (`ERROR_INDEX` in gather.wgsl; a test compares them).
pub const ERROR_INDEX: u32 = 1;

/// Locks a mutex, ignoring poisoning (a panic in a test must not break every later test of the process).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The device, its queue, and the shared state of the backend.
pub struct Context {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    /// `"<adapter name> (<backend>)"`.
    pub adapter: String,
    pub limits: wgpu::Limits,
    state: Mutex<State>,
    pool: Mutex<Pool>,
    /// Shared one-element constants by (value as f64 bits, dtype) (see `WgpuBackend::try_constant`).
    constants: Mutex<HashMap<(u64, DType), wgpu::Buffer>>,
    /// The first error reported by wgpu (validation, out of memory, device lost).
    error: Arc<Mutex<Option<String>>>,
    /// Error flags raised by kernels (`ERROR_INDEX`...), 16 bytes.
    pub flags: wgpu::Buffer,
    /// The index kernels launched since the last readback whose indices the host could not check (computed on
    /// the device): `"gather (input [2, 3], index [2, 1])"`, so that a raised `ERROR_INDEX` names its op.
    pub unchecked_index_ops: Mutex<Vec<String>>,
    /// Placeholders for bindings an entry point declares but a launch does not use.
    pub dummy_read: wgpu::Buffer,
    pub dummy_write: wgpu::Buffer,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("adapter", &self.adapter).finish_non_exhaustive()
    }
}

/// The usage of every storage buffer: bound to kernels, copied from and to.
const STORAGE_USAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC).union(wgpu::BufferUsages::COPY_DST);

impl Context {
    /// Opens the default adapter (high performance preferred) with its own limits.
    pub fn new() -> Result<Context> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let adapter = pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        }))
        .map_err(|e| {
            Error::NoAdapter(format!(
                "wgpu found no adapter ({e}); install a Vulkan driver, e.g. `apt-get install mesa-vulkan-drivers` \
                 (lavapipe, a CPU Vulkan driver), or the driver of your GPU — or use Device::Cpu"
            ))
        })?;
        let info = adapter.get_info();
        let limits = adapter.limits();
        // GPU timestamps between dispatches, for the measurement tool, where the adapter has them.
        let timestamps = wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS;
        let timestamps = if adapter.features().contains(timestamps) { timestamps } else { wgpu::Features::empty() };
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("tapegrad"),
            required_features: timestamps,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| Error::Device(format!("the adapter {} refused to open a device: {e}", info.name)))?;
        let error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        {
            let slot = error.clone();
            device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
                lock(&slot).get_or_insert_with(|| e.to_string());
            }));
            let slot = error.clone();
            device.set_device_lost_callback(move |reason, msg| {
                lock(&slot).get_or_insert_with(|| format!("device lost ({reason:?}): {msg}"));
            });
        }
        let small = |label, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 16,
                usage,
                mapped_at_creation: false,
            })
        };
        let flags = small("tapegrad error flags", STORAGE_USAGE);
        let dummy_read = small("tapegrad dummy (read)", STORAGE_USAGE);
        let dummy_write = small("tapegrad dummy (write)", STORAGE_USAGE);
        let state = State::new(&device);
        assert!(
            limits.min_storage_buffer_offset_alignment as usize <= PARAMS_SLOT,
            "wgpu: the device needs a storage offset alignment above {PARAMS_SLOT}"
        );
        Ok(Context {
            adapter: format!("{} ({:?})", info.name, info.backend),
            device,
            queue,
            limits,
            state: Mutex::new(state),
            pool: Mutex::new(Pool::default()),
            constants: Mutex::new(HashMap::new()),
            error,
            flags,
            unchecked_index_ops: Mutex::new(Vec::new()),
            dummy_read,
            dummy_write,
        })
    }

    // --- readback --------------------------------------------------------------------------------------------

    /// The first error wgpu reported, if any.
    pub fn device_error(&self) -> Option<String> {
        lock(&self.error).clone()
    }

    /// Copies `bytes` bytes of `src` from `offset` to the host, together with the error flags (which are then
    /// cleared): submits the batch and waits for it. Returns (data, flags).
    pub fn read(&self, src: &wgpu::Buffer, offset: u64, bytes: u64) -> Result<(Vec<u8>, u32)> {
        let (mut parts, flags) = self.read_many(&[(src, offset, bytes)])?;
        Ok((parts.pop().expect("one range read"), flags))
    }

    /// [`Context::read`] of several (buffer, offset, bytes) ranges in one transfer: one staging buffer, one
    /// submit, one wait. Returns the bytes of each range in order, and the error flags.
    pub fn read_many(&self, ranges: &[(&wgpu::Buffer, u64, u64)]) -> Result<(Vec<Vec<u8>>, u32)> {
        let total: u64 = ranges.iter().map(|r| r.2).sum();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("tapegrad readback"),
            size: total + 4,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        {
            let mut st = lock(&self.state);
            let timer = Timer::start(&st);
            st.stats.readbacks += 1;
            st.pass = None;
            let enc = st.encoder.get_or_insert_with(|| {
                self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("tapegrad batch") })
            });
            let mut at = 0;
            for &(src, offset, bytes) in ranges {
                if bytes > 0 {
                    enc.copy_buffer_to_buffer(src, offset, &staging, at, bytes);
                }
                at += bytes;
            }
            enc.copy_buffer_to_buffer(&self.flags, 0, &staging, total, 4);
            enc.clear_buffer(&self.flags, 0, None);
            self.submit(&mut st);
            timer.stop(&mut st);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        let polled = self.device.poll(wgpu::PollType::wait_indefinitely());
        if let Some(e) = self.device_error() {
            return Err(Error::Device(e));
        }
        polled.map_err(|e| Error::Device(format!("waiting for the GPU failed: {e}")))?;
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(Error::Device(format!("mapping a readback buffer failed: {e}"))),
            Err(_) => return Err(Error::Device("the readback was never completed (device lost?)".into())),
        }
        let view = staging
            .slice(..)
            .get_mapped_range()
            .map_err(|e| Error::Device(format!("reading a mapped buffer failed: {e}")))?;
        let mut parts = Vec::with_capacity(ranges.len());
        let mut at = 0usize;
        for &(_, _, bytes) in ranges {
            parts.push(view[at..at + bytes as usize].to_vec());
            at += bytes as usize;
        }
        let flags = u32::from_le_bytes(view[at..at + 4].try_into().expect("4 bytes"));
        drop(view);
        staging.unmap();
        Ok((parts, flags))
    }
}
