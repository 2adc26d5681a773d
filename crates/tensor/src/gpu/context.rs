//! [`Context`]: the one wgpu device of the process and everything that makes running kernels cheap.
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

use crate::device::GpuStats;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::gpu::grid;
use crate::gpu::shaders::Shader;

/// Commands (dispatches and copies) encoded before the batch is submitted.
pub const MAX_BATCH: usize = 2048;
/// Bytes uploaded through staging buffers before the batch is submitted.
const MAX_BATCH_UPLOAD: u64 = 64 << 20;
/// Bytes reserved per slot of the params arena (no `Params` struct is larger; must be a multiple of the device's
/// `min_storage_buffer_offset_alignment`, at most 256 by the WebGPU spec).
const PARAMS_SLOT: usize = 256;
/// Slots of the params arena (distinct `Params` values before it starts over).
const PARAMS_SLOTS: usize = 4096;
/// Shared constants kept before the list starts over.
const MAX_CONSTANTS: usize = 64;
/// Cached bind groups before the cache is cleared.
const MAX_BIND_GROUPS: usize = 16384;
/// Bit of the error flags raised by an out-of-range index (`ERROR_INDEX` in gather.wgsl; a test compares them).
pub const ERROR_INDEX: u32 = 1;
/// The pool keeps at most this many bytes of free buffers; beyond it freed buffers are destroyed.
const POOL_MAX_BYTES: u64 = 1 << 30;

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

/// The batch being encoded.
struct State {
    encoder: Option<wgpu::CommandEncoder>,
    /// The open compute pass of `encoder`, if the last command was a dispatch.
    pass: Option<wgpu::ComputePass<'static>>,
    /// Commands encoded since the last submit.
    commands: usize,
    /// Bytes uploaded since the last submit.
    upload_bytes: u64,
    params: ParamsArena,
    /// Bind groups by (pipeline, bound buffers, params slot and size).
    bind_groups: HashMap<BindKey, wgpu::BindGroup>,
    /// Compiled pipelines and their bind group layouts, by (shader, entry point).
    pipelines: HashMap<(&'static str, &'static str), (wgpu::ComputePipeline, wgpu::BindGroupLayout)>,
    modules: HashMap<&'static str, wgpu::ShaderModule>,
    /// Invocations per workgroup, by (shader, entry point), read from the shaders.
    workgroup_sizes: HashMap<(&'static str, &'static str), usize>,
    /// What has been encoded, submitted and read back since the last reset.
    stats: GpuStats,
}

/// The params arena: one slot per distinct params value, written once.
struct ParamsArena {
    buffer: wgpu::Buffer,
    slots: HashMap<Vec<u8>, u32>,
}

/// What a bind group binds: the pipeline, the (binding, buffer) pairs (the cache holds a handle to each buffer,
/// so none can be freed and its identity reused while an entry names it), the params slot and size.
#[derive(Clone, PartialEq, Eq, Hash)]
struct BindKey {
    shader: &'static str,
    entry: &'static str,
    buffers: Vec<(u32, wgpu::Buffer)>,
    params: (u32, u32, u32),
}

/// Host time of one encoding call, less the time spent inside `queue.submit` (counted apart).
struct Timer {
    start: std::time::Instant,
    submit_ns: u64,
}

impl Timer {
    fn start(st: &State) -> Timer {
        Timer { start: std::time::Instant::now(), submit_ns: st.stats.host_submit_ns }
    }

    fn stop(self, st: &mut State) {
        let total = self.start.elapsed().as_nanos() as u64;
        let submitted = st.stats.host_submit_ns.saturating_sub(self.submit_ns);
        st.stats.host_encode_ns += total.saturating_sub(submitted);
    }
}

/// Free buffers by size class.
struct Pool {
    free: HashMap<u64, Vec<wgpu::Buffer>>,
    bytes: u64,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("adapter", &self.adapter).finish_non_exhaustive()
    }
}

const STORAGE_USAGE: wgpu::BufferUsages =
    wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_SRC).union(wgpu::BufferUsages::COPY_DST);

fn params_buffer(device: &wgpu::Device) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("tapegrad params"),
        size: (PARAMS_SLOTS * PARAMS_SLOT) as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

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
        let state = State {
            encoder: None,
            pass: None,
            commands: 0,
            upload_bytes: 0,
            params: ParamsArena { buffer: params_buffer(&device), slots: HashMap::new() },
            bind_groups: HashMap::new(),
            pipelines: HashMap::new(),
            modules: HashMap::new(),
            workgroup_sizes: HashMap::new(),
            stats: GpuStats::default(),
        };
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
            pool: Mutex::new(Pool { free: HashMap::new(), bytes: 0 }),
            constants: Mutex::new(HashMap::new()),
            error,
            flags,
            unchecked_index_ops: Mutex::new(Vec::new()),
            dummy_read,
            dummy_write,
        })
    }

    // --- buffers ---------------------------------------------------------------------------------------------

    /// The most bytes one tensor may have: the smaller of the largest buffer and the largest storage binding (a
    /// kernel could not bind more).
    pub fn max_tensor_bytes(&self) -> u64 {
        self.limits.max_storage_buffer_binding_size.min(self.limits.max_buffer_size)
    }

    /// A buffer of at least `bytes` bytes from the pool (or a new one).
    ///
    /// # Errors
    /// [`Error::TooLarge`] when `bytes` exceeds [`Context::max_tensor_bytes`] (the message names both);
    /// [`Error::OutOfMemory`] when the device refuses a new buffer.
    pub fn try_alloc(&self, bytes: u64) -> Result<wgpu::Buffer> {
        let limit = self.max_tensor_bytes();
        if bytes > limit {
            return Err(Error::TooLarge(format!(
                "a tensor of {bytes} bytes exceeds this device's max_storage_buffer_binding_size of {limit} bytes \
                 ({}); split it or use the CPU",
                self.adapter
            )));
        }
        let mut class = bytes.max(16).next_power_of_two();
        if class > limit {
            class = bytes.next_multiple_of(16);
        }
        if let Some(b) = lock(&self.pool).take(class) {
            return Ok(b);
        }
        // A refused buffer is reported to an error scope (which this thread pops at once), not to the device's
        // error handler, so that it comes back here as an error.
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("tapegrad storage"),
            size: class,
            usage: STORAGE_USAGE,
            mapped_at_creation: false,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(Error::OutOfMemory(format!(
                "the GPU ({}) refused a buffer of {}: {e}; free some tensors, use a smaller size, or use the CPU",
                self.adapter,
                crate::error::human_bytes(class as u128)
            )));
        }
        Ok(buffer)
    }

    /// [`Context::try_alloc`], panicking with its error.
    #[track_caller]
    pub fn alloc(&self, bytes: u64) -> wgpu::Buffer {
        match self.try_alloc(bytes) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        }
    }

    /// The buffer of a shared constant, if it was made before.
    pub fn constant(&self, key: (u64, DType)) -> Option<wgpu::Buffer> {
        lock(&self.constants).get(&key).cloned()
    }

    /// Keeps the buffer of a shared constant (never written again, never given to the pool).
    pub fn keep_constant(&self, key: (u64, DType), buffer: wgpu::Buffer) {
        let mut constants = lock(&self.constants);
        if constants.len() >= MAX_CONSTANTS {
            constants.clear();
        }
        constants.insert(key, buffer);
    }

    /// Gives a buffer back to the pool.
    pub fn release(&self, buffer: wgpu::Buffer) {
        let dropped = lock(&self.pool).put(buffer);
        if let Some(dropped) = dropped {
            // The pool lets it go: so do the bind groups that bind it.
            lock(&self.state).bind_groups.retain(|k, _| k.buffers.iter().all(|(_, b)| *b != dropped));
        }
    }

    /// Encodes a copy of `data` into `dst` (in order with the kernels encoded before it).
    pub fn upload(&self, data: &[u8], dst: &wgpu::Buffer) {
        if data.is_empty() {
            return;
        }
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("tapegrad upload"),
            size: data.len() as u64,
            usage: wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: true,
        });
        staging
            .slice(..)
            .get_mapped_range_mut()
            .expect("wgpu: a buffer mapped at creation can be written")
            .copy_from_slice(data);
        staging.unmap();
        self.encode(|enc| enc.copy_buffer_to_buffer(&staging, 0, dst, 0, data.len() as u64));
        let mut st = lock(&self.state);
        st.upload_bytes += data.len() as u64;
        if st.upload_bytes >= MAX_BATCH_UPLOAD {
            let timer = Timer::start(&st);
            self.submit(&mut st);
            timer.stop(&mut st);
        }
    }

    /// Encodes a buffer-to-buffer copy (byte offsets and size multiples of 4).
    pub fn copy(&self, src: &wgpu::Buffer, src_offset: u64, dst: &wgpu::Buffer, dst_offset: u64, bytes: u64) {
        if bytes > 0 {
            self.encode(|enc| enc.copy_buffer_to_buffer(src, src_offset, dst, dst_offset, bytes));
        }
    }

    /// Encodes a GPU timestamp write into `set` at `index`, between the dispatches encoded before and after it
    /// (counted as a copy). Needs [`Context::has_timestamps`].
    #[cfg(feature = "bench-internals")]
    pub fn write_timestamp(&self, set: &wgpu::QuerySet, index: u32) {
        self.encode(|enc| enc.write_timestamp(set, index));
    }

    /// Encodes copying the timestamps `range` of `set` into `dst` (8 bytes each, usage `QUERY_RESOLVE`).
    #[cfg(feature = "bench-internals")]
    pub fn resolve_timestamps(&self, set: &wgpu::QuerySet, range: std::ops::Range<u32>, dst: &wgpu::Buffer) {
        self.encode(|enc| enc.resolve_query_set(set, range, dst, 0));
    }

    /// True when the device was opened with timestamp queries inside encoders.
    #[cfg(feature = "bench-internals")]
    pub fn has_timestamps(&self) -> bool {
        self.device.features().contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS)
    }

    /// Encodes zeroing the first `bytes` bytes of `dst`.
    pub fn clear(&self, dst: &wgpu::Buffer, bytes: u64) {
        if bytes > 0 {
            self.encode(|enc| enc.clear_buffer(dst, 0, Some(bytes)));
        }
    }

    // --- kernels ---------------------------------------------------------------------------------------------

    /// Runs `f` on the batch's encoder (the open compute pass closed first), counting it as one copy.
    fn encode(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut st = lock(&self.state);
        let timer = Timer::start(&st);
        st.pass = None;
        let enc = st.encoder.get_or_insert_with(|| {
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("tapegrad batch") })
        });
        f(enc);
        st.stats.copies += 1;
        st.commands += 1;
        if st.commands >= MAX_BATCH {
            self.submit(&mut st);
        }
        timer.stop(&mut st);
    }

    /// Encodes one dispatch of `entry` of `shader`: `bindings` are (binding number, buffer) pairs in the shader's
    /// order (inputs, output), `params` goes to binding `params_binding`, `groups` is the workgroup grid.
    pub fn dispatch(
        &self,
        shader: &Shader,
        entry: &'static str,
        bindings: &[(u32, &wgpu::Buffer)],
        params_binding: u32,
        params: &[u8],
        groups: (u32, u32, u32),
    ) {
        debug_assert!(!params.is_empty() && params.len() <= PARAMS_SLOT);
        let mut st = lock(&self.state);
        let timer = Timer::start(&st);
        let (pipeline, layout) = self.pipeline(&mut st, shader, entry);
        let slot = self.params_slot(&mut st, params);
        let key = BindKey {
            shader: shader.name,
            entry,
            buffers: bindings.iter().map(|&(b, buf)| (b, buf.clone())).collect(),
            params: (params_binding, slot, params.len() as u32),
        };
        let bind_group = match st.bind_groups.get(&key) {
            Some(g) => g.clone(),
            None => {
                let mut entries: Vec<wgpu::BindGroupEntry<'_>> = bindings
                    .iter()
                    .map(|&(b, buf)| wgpu::BindGroupEntry { binding: b, resource: buf.as_entire_binding() })
                    .collect();
                entries.push(wgpu::BindGroupEntry {
                    binding: params_binding,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &st.params.buffer,
                        offset: slot as u64 * PARAMS_SLOT as u64,
                        size: std::num::NonZeroU64::new(params.len() as u64),
                    }),
                });
                let g = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(entry),
                    layout: &layout,
                    entries: &entries,
                });
                if st.bind_groups.len() >= MAX_BIND_GROUPS {
                    st.bind_groups.clear();
                }
                st.bind_groups.insert(key, g.clone());
                st.stats.bind_groups += 1;
                g
            }
        };
        let st = &mut *st;
        if st.pass.is_none() {
            let enc = st.encoder.get_or_insert_with(|| {
                self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("tapegrad batch") })
            });
            let pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("tapegrad kernels"),
                timestamp_writes: None,
            });
            st.pass = Some(pass.forget_lifetime());
            st.stats.compute_passes += 1;
        }
        let pass = st.pass.as_mut().expect("a compute pass was just opened");
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, groups.2);
        st.commands += 1;
        st.stats.dispatches += 1;
        if st.commands >= MAX_BATCH {
            self.submit(st);
        }
        timer.stop(st);
    }

    /// The arena slot holding `params`, written on first use. A full arena submits the batch (whose dispatches
    /// read the old slots) and starts over, dropping the bind groups that name its slots.
    fn params_slot(&self, st: &mut State, params: &[u8]) -> u32 {
        if let Some(&slot) = st.params.slots.get(params) {
            return slot;
        }
        if st.params.slots.len() >= PARAMS_SLOTS {
            self.submit(st);
            st.params.slots.clear();
            st.bind_groups.clear();
        }
        let slot = st.params.slots.len() as u32;
        // Ordered by the queue after every batch submitted so far and before the next one, which is the first
        // that can read this slot.
        self.queue.write_buffer(&st.params.buffer, slot as u64 * PARAMS_SLOT as u64, params);
        st.params.slots.insert(params.to_vec(), slot);
        slot
    }

    /// The cached pipeline of (shader, entry) and its bind group layout, compiled on first use.
    fn pipeline(
        &self,
        st: &mut State,
        shader: &Shader,
        entry: &'static str,
    ) -> (wgpu::ComputePipeline, wgpu::BindGroupLayout) {
        if let Some(p) = st.pipelines.get(&(shader.name, entry)) {
            return p.clone();
        }
        let module = st.modules.entry(shader.name).or_insert_with(|| create_module(&self.device, shader)).clone();
        let pipeline = self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        });
        let layout = pipeline.get_bind_group_layout(0);
        st.pipelines.insert((shader.name, entry), (pipeline.clone(), layout.clone()));
        (pipeline, layout)
    }

    /// The number of invocations in a workgroup of `entry`: the product of its `@workgroup_size`, read from the
    /// shader's WGSL with naga the first time one of its entry points is asked for.
    ///
    /// # Panics
    /// When the shader does not parse or has no such entry point (both are checked by `cargo test` without a GPU).
    pub fn workgroup_size(&self, shader: &Shader, entry: &'static str) -> usize {
        let mut st = lock(&self.state);
        if let Some(&size) = st.workgroup_sizes.get(&(shader.name, entry)) {
            return size;
        }
        for (name, size) in workgroup_sizes(shader) {
            st.workgroup_sizes.insert((shader.name, name), size);
        }
        *st.workgroup_sizes
            .get(&(shader.name, entry))
            .unwrap_or_else(|| panic!("wgpu: {}.wgsl has no entry point `{entry}`", shader.name))
    }

    /// The workgroup grid that gives each of `items` one invocation of `entry` (a 1-D grid folded by [`grid`]).
    pub fn grid_for(&self, shader: &Shader, entry: &'static str, items: usize) -> (u32, u32, u32) {
        grid(items.div_ceil(self.workgroup_size(shader, entry)))
    }

    /// Submits the batch (the params written since the last submit go first, see `params_slot`).
    fn submit(&self, st: &mut State) {
        st.pass = None;
        let Some(enc) = st.encoder.take() else { return };
        let commands = enc.finish();
        // Submitting may wait for the device (a driver's queue has a depth), so it is timed apart from encoding.
        let start = std::time::Instant::now();
        self.queue.submit([commands]);
        st.stats.host_submit_ns += start.elapsed().as_nanos() as u64;
        st.commands = 0;
        st.upload_bytes = 0;
        st.stats.submits += 1;
    }

    /// Submits the pending batch without waiting for it.
    pub fn flush(&self) {
        let mut st = lock(&self.state);
        let timer = Timer::start(&st);
        self.submit(&mut st);
        timer.stop(&mut st);
    }

    /// The counters since the last [`Context::reset_stats`].
    pub fn stats(&self) -> GpuStats {
        lock(&self.state).stats
    }

    /// Sets the counters to zero.
    pub fn reset_stats(&self) {
        lock(&self.state).stats = GpuStats::default();
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

impl Pool {
    fn take(&mut self, class: u64) -> Option<wgpu::Buffer> {
        let b = self.free.get_mut(&class)?.pop()?;
        self.bytes -= class;
        Some(b)
    }

    /// Keeps `buffer` for reuse, or hands it back when the pool is full (to be dropped: wgpu frees it once no
    /// pending command uses it).
    fn put(&mut self, buffer: wgpu::Buffer) -> Option<wgpu::Buffer> {
        let size = buffer.size();
        if self.bytes + size > POOL_MAX_BYTES {
            return Some(buffer);
        }
        self.bytes += size;
        self.free.entry(size).or_default().push(buffer);
        None
    }
}

/// The invocations per workgroup of each entry point of `shader` listed in its table entry: the product of the
/// entry point's `@workgroup_size`, as naga parses it from the WGSL.
///
/// # Panics
/// When the shader does not parse (`cargo test` parses every shader without a GPU).
pub(crate) fn workgroup_sizes(shader: &Shader) -> Vec<(&'static str, usize)> {
    let module = naga::front::wgsl::parse_str(shader.source)
        .unwrap_or_else(|e| panic!("wgpu: {}.wgsl does not parse: {e}", shader.name));
    let size = |ep: &naga::EntryPoint| ep.workgroup_size.iter().map(|&d| d as usize).product();
    shader
        .entries
        .iter()
        .filter_map(|&name| module.entry_points.iter().find(|ep| ep.name == name).map(|ep| (name, size(ep))))
        .collect()
}

/// Compiles one of our shaders with every runtime check wgpu offers except `force_loop_bounding`, and without
/// bounds checks for the shaders whose table entry says so (`Shader::bounds_checks`).
///
/// By default naga adds a counter to every loop so that a driver can never see an infinite one; that counter
/// also keeps drivers from unrolling loops and from keeping the tiled matmul's accumulators in registers, the two
/// things a tiled kernel's speed rests on. Bounds checks on every buffer and workgroup-array access stay on (but
/// for the unchecked twins), as do the guards of integer division.
fn create_module(device: &wgpu::Device, shader: &Shader) -> wgpu::ShaderModule {
    let mut checks = wgpu::ShaderRuntimeChecks::checked();
    checks.force_loop_bounding = false;
    checks.bounds_checks = shader.bounds_checks;
    let desc = wgpu::ShaderModuleDescriptor {
        label: Some(shader.name),
        source: wgpu::ShaderSource::Wgsl(shader.source.into()),
    };
    // SAFETY: the one obligation of `force_loop_bounding = false` is that no loop of the shader runs forever.
    // Every loop of `/shaders` either counts a `u32` (or the `i32` rank loops) from a start to a bound by a
    // constant step, or, in `powf`, shifts its counter right until it is zero. Counting loops stop because
    // every size, stride and offset a kernel reads is below 2^31 (`params::u32_of` panics otherwise) and no step
    // exceeds 2^16, so no counter can wrap around past its bound. Bounds checks stay on, so a wrong index still
    // cannot read or write outside a binding — except in a shader entered in the table with
    // `bounds_checks: false`, whose launcher carries the proof that every index it can produce is in range (the
    // `SAFETY` comment at its dispatch).
    unsafe { device.create_shader_module_trusted(desc, checks) }
}
