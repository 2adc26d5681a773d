//! [`Context`]: the one wgpu device of the process and everything that makes running kernels cheap.
//!
//! * **Pipelines** are compiled once per (shader, entry point) and cached.
//! * **Buffers** come from a pool of size classes (powers of two); a storage gives its buffer back on drop.
//! * **Batching**: every kernel is encoded into one shared command encoder and submitted in batches — when a
//!   readback needs the results, when [`MAX_BATCH`] dispatches are pending, or on `synchronize`. There is no
//!   CPU–GPU round trip per op.
//! * **Params** of the batch's dispatches are packed into one arena (each at an aligned offset) and written with
//!   `queue.write_buffer` right before the batch is submitted (the queue runs such writes before the batch's
//!   commands). Uploads go through the encoder (a staging buffer and a copy) so that they stay in order with the
//!   kernels: a pooled buffer may still be read by a pending kernel when it is handed out again.
//! * **Errors**: validation errors, out-of-memory and device loss are caught by handlers that record the message;
//!   `synchronize` returns it as an [`Error::Device`] and a readback panics with it, instead of hanging or
//!   returning garbage. Kernels that detect bad input (out-of-range gather indices) raise bits in a flag buffer
//!   that is read back with every readback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::{Error, Result};
use crate::gpu::shaders::Shader;

/// Dispatches encoded before the batch is submitted.
pub const MAX_BATCH: usize = 128;
/// Bytes reserved per dispatch in the params arena (no `Params` struct is larger; must be a multiple of the
/// device's `min_storage_buffer_offset_alignment`, at most 256 by the WebGPU spec).
const PARAMS_SLOT: usize = 256;
/// Bit of the error flags raised by an out-of-range index (keep in sync with `ERROR_INDEX` in gather.wgsl).
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
    dispatches: usize,
    /// Params of this batch's dispatches, written to `params_buffer` when the batch is submitted.
    params: Vec<u8>,
    params_buffer: wgpu::Buffer,
    /// Compiled pipelines and their bind group layouts, by (shader, entry point).
    pipelines: HashMap<(&'static str, &'static str), (wgpu::ComputePipeline, wgpu::BindGroupLayout)>,
    modules: HashMap<&'static str, wgpu::ShaderModule>,
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
        size: (MAX_BATCH * PARAMS_SLOT) as u64,
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
            dispatches: 0,
            params: Vec::new(),
            params_buffer: params_buffer(&device),
            pipelines: HashMap::new(),
            modules: HashMap::new(),
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

    /// Gives a buffer back to the pool.
    pub fn release(&self, buffer: wgpu::Buffer) {
        lock(&self.pool).put(buffer);
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
    }

    /// Encodes a buffer-to-buffer copy (byte offsets and size multiples of 4).
    pub fn copy(&self, src: &wgpu::Buffer, src_offset: u64, dst: &wgpu::Buffer, dst_offset: u64, bytes: u64) {
        if bytes > 0 {
            self.encode(|enc| enc.copy_buffer_to_buffer(src, src_offset, dst, dst_offset, bytes));
        }
    }

    /// Encodes a GPU timestamp write into `set` at `index`, between the dispatches encoded before and after it
    /// (counted as a dispatch). Needs [`Context::has_timestamps`].
    pub fn write_timestamp(&self, set: &wgpu::QuerySet, index: u32) {
        self.encode(|enc| enc.write_timestamp(set, index));
    }

    /// Encodes copying the timestamps `range` of `set` into `dst` (8 bytes each, usage `QUERY_RESOLVE`).
    pub fn resolve_timestamps(&self, set: &wgpu::QuerySet, range: std::ops::Range<u32>, dst: &wgpu::Buffer) {
        self.encode(|enc| enc.resolve_query_set(set, range, dst, 0));
    }

    /// True when the device was opened with timestamp queries inside encoders.
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

    /// Runs `f` on the batch's encoder, counting it as one dispatch.
    fn encode(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
        let mut st = lock(&self.state);
        let enc = st.encoder.get_or_insert_with(|| {
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("tapegrad batch") })
        });
        f(enc);
        st.dispatches += 1;
        if st.dispatches >= MAX_BATCH {
            self.submit(&mut st);
        }
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
        debug_assert!(params.len() <= PARAMS_SLOT);
        let mut st = lock(&self.state);
        if st.dispatches + 1 >= MAX_BATCH {
            self.submit(&mut st);
        }
        let (pipeline, layout) = self.pipeline(&mut st, shader, entry);
        let offset = st.params.len();
        st.params.extend_from_slice(params);
        st.params.resize(offset + PARAMS_SLOT, 0);
        let mut entries: Vec<wgpu::BindGroupEntry<'_>> = bindings
            .iter()
            .map(|&(b, buf)| wgpu::BindGroupEntry { binding: b, resource: buf.as_entire_binding() })
            .collect();
        entries.push(wgpu::BindGroupEntry {
            binding: params_binding,
            resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                buffer: &st.params_buffer,
                offset: offset as u64,
                size: std::num::NonZeroU64::new(params.len() as u64),
            }),
        });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(entry),
            layout: &layout,
            entries: &entries,
        });
        let enc = st.encoder.get_or_insert_with(|| {
            self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("tapegrad batch") })
        });
        {
            let mut pass =
                enc.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some(entry), timestamp_writes: None });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups.0, groups.1, groups.2);
        }
        st.dispatches += 1;
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

    /// Submits the batch: writes its params, then its commands.
    fn submit(&self, st: &mut State) {
        let Some(enc) = st.encoder.take() else { return };
        if !st.params.is_empty() {
            self.queue.write_buffer(&st.params_buffer, 0, &st.params);
            st.params.clear();
            st.params_buffer = params_buffer(&self.device);
        }
        self.queue.submit([enc.finish()]);
        st.dispatches = 0;
    }

    // --- readback --------------------------------------------------------------------------------------------

    /// The first error wgpu reported, if any.
    pub fn device_error(&self) -> Option<String> {
        lock(&self.error).clone()
    }

    /// Copies `bytes` bytes of `src` from `offset` to the host, together with the error flags (which are then
    /// cleared): submits the batch and waits for it. Returns (data, flags).
    pub fn read(&self, src: &wgpu::Buffer, offset: u64, bytes: u64) -> Result<(Vec<u8>, u32)> {
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("tapegrad readback"),
            size: bytes + 4,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        {
            let mut st = lock(&self.state);
            let enc = st.encoder.get_or_insert_with(|| {
                self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("tapegrad batch") })
            });
            if bytes > 0 {
                enc.copy_buffer_to_buffer(src, offset, &staging, 0, bytes);
            }
            enc.copy_buffer_to_buffer(&self.flags, 0, &staging, bytes, 4);
            enc.clear_buffer(&self.flags, 0, None);
            self.submit(&mut st);
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
        let data = view[..bytes as usize].to_vec();
        let flags = u32::from_le_bytes(view[bytes as usize..bytes as usize + 4].try_into().expect("4 bytes"));
        drop(view);
        staging.unmap();
        Ok((data, flags))
    }
}

impl Pool {
    fn take(&mut self, class: u64) -> Option<wgpu::Buffer> {
        let b = self.free.get_mut(&class)?.pop()?;
        self.bytes -= class;
        Some(b)
    }

    fn put(&mut self, buffer: wgpu::Buffer) {
        let size = buffer.size();
        if self.bytes + size > POOL_MAX_BYTES {
            return; // dropped: wgpu frees it once no pending command uses it
        }
        self.bytes += size;
        self.free.entry(size).or_default().push(buffer);
    }
}

/// Compiles one of our shaders with every runtime check wgpu offers except `force_loop_bounding`, and without
/// bounds checks for the shaders whose table entry says so (`Shader::bounds_checks`).
///
/// By default naga adds a counter to every loop so that a driver can never see an infinite one; that counter
/// also keeps drivers from unrolling loops and from keeping the tiled matmul's accumulators in registers. On an
/// H100 (Vulkan), turning it off took `matmul_f32` at 4096² from 0.5 to 17 TFLOP/s. Bounds checks on every
/// buffer and workgroup-array access stay on (but for the unchecked twins), as do the guards of integer division.
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
