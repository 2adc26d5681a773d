//! How the [`Context`] runs kernels: every kernel is recorded into one shared command encoder, consecutive
//! dispatches into one open compute pass, and the batch is submitted only when needed (see the module doc of
//! `context`). Here live the caches that make a dispatch cheap — compiled pipelines by (shader, entry point), each
//! entry point's workgroup size read from its shader with naga, bind groups by what they bind, the
//! content-addressed params arena — the batch's counters, and the compilation of a shader module.

use std::collections::HashMap;

use super::{lock, Context};
use crate::device::GpuStats;
use crate::gpu::grid;
use crate::gpu::shaders::Shader;

/// Commands (dispatches and copies) encoded before the batch is submitted.
pub const MAX_BATCH: usize = 2048;
/// Bytes uploaded through staging buffers before the batch is submitted.
pub(super) const MAX_BATCH_UPLOAD: u64 = 64 << 20;
/// Bytes reserved per slot of the params arena (no `Params` struct is larger; must be a multiple of the device's
/// `min_storage_buffer_offset_alignment`, at most 256 by the WebGPU spec).
pub(super) const PARAMS_SLOT: usize = 256;
/// Slots of the params arena (distinct `Params` values before it starts over).
const PARAMS_SLOTS: usize = 4096;
/// Cached bind groups before the cache is cleared.
const MAX_BIND_GROUPS: usize = 16384;

/// The batch being encoded.
pub(super) struct State {
    pub(super) encoder: Option<wgpu::CommandEncoder>,
    /// The open compute pass of `encoder`, if the last command was a dispatch.
    pub(super) pass: Option<wgpu::ComputePass<'static>>,
    /// Commands encoded since the last submit.
    pub(super) commands: usize,
    /// Bytes uploaded since the last submit.
    pub(super) upload_bytes: u64,
    pub(super) params: ParamsArena,
    /// Bind groups by (pipeline, bound buffers, params slot and size).
    pub(super) bind_groups: HashMap<BindKey, wgpu::BindGroup>,
    /// Compiled pipelines and their bind group layouts, by (shader, entry point).
    pub(super) pipelines: HashMap<(&'static str, &'static str), (wgpu::ComputePipeline, wgpu::BindGroupLayout)>,
    pub(super) modules: HashMap<&'static str, wgpu::ShaderModule>,
    /// Invocations per workgroup, by (shader, entry point), read from the shaders.
    pub(super) workgroup_sizes: HashMap<(&'static str, &'static str), usize>,
    /// What has been encoded, submitted and read back since the last reset.
    pub(super) stats: GpuStats,
}

/// The params arena: one slot per distinct params value, written once.
pub(super) struct ParamsArena {
    pub(super) buffer: wgpu::Buffer,
    pub(super) slots: HashMap<Vec<u8>, u32>,
}

/// What a bind group binds: the pipeline, the (binding, buffer) pairs (the cache holds a handle to each buffer,
/// so none can be freed and its identity reused while an entry names it), the params slot and size.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) struct BindKey {
    pub(super) shader: &'static str,
    pub(super) entry: &'static str,
    pub(super) buffers: Vec<(u32, wgpu::Buffer)>,
    pub(super) params: (u32, u32, u32),
}

/// Host time of one encoding call, less the time spent inside `queue.submit` (counted apart).
pub(super) struct Timer {
    pub(super) start: std::time::Instant,
    pub(super) submit_ns: u64,
}

impl Timer {
    pub(super) fn start(st: &State) -> Timer {
        Timer { start: std::time::Instant::now(), submit_ns: st.stats.host_submit_ns }
    }

    pub(super) fn stop(self, st: &mut State) {
        let total = self.start.elapsed().as_nanos() as u64;
        let submitted = st.stats.host_submit_ns.saturating_sub(self.submit_ns);
        st.stats.host_encode_ns += total.saturating_sub(submitted);
    }
}

fn params_buffer(device: &wgpu::Device) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("tapegrad params"),
        size: (PARAMS_SLOTS * PARAMS_SLOT) as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

impl State {
    /// An empty batch, with the params arena of `device`.
    pub(super) fn new(device: &wgpu::Device) -> State {
        State {
            encoder: None,
            pass: None,
            commands: 0,
            upload_bytes: 0,
            params: ParamsArena { buffer: params_buffer(device), slots: HashMap::new() },
            bind_groups: HashMap::new(),
            pipelines: HashMap::new(),
            modules: HashMap::new(),
            workgroup_sizes: HashMap::new(),
            stats: GpuStats::default(),
        }
    }
}

impl Context {
    /// Runs `f` on the batch's encoder (the open compute pass closed first), counting it as one copy.
    pub(super) fn encode(&self, f: impl FnOnce(&mut wgpu::CommandEncoder)) {
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
    pub(super) fn submit(&self, st: &mut State) {
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
