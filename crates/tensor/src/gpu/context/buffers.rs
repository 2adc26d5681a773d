//! The buffers of the [`Context`]: a pool of size classes (powers of two) that storages give their buffer back to
//! on drop, the shared one-element constants, uploads (through the batch's encoder, so that they stay in order
//! with the kernels: a pooled buffer may still be read by a pending kernel when it is handed out again), copies
//! and clears.

use std::collections::HashMap;

use super::batch::{Timer, MAX_BATCH_UPLOAD};
use super::{lock, Context, STORAGE_USAGE};
use crate::dtype::DType;
use crate::error::{Error, Result};

/// Shared constants kept before the list starts over.
const MAX_CONSTANTS: usize = 64;
/// The pool keeps at most this many bytes of free buffers; beyond it freed buffers are destroyed.
const POOL_MAX_BYTES: u64 = 1 << 30;

/// Free buffers by size class.
#[derive(Default)]
pub(super) struct Pool {
    free: HashMap<u64, Vec<wgpu::Buffer>>,
    bytes: u64,
}

impl Context {
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
    #[cfg(feature = "bench")]
    pub fn write_timestamp(&self, set: &wgpu::QuerySet, index: u32) {
        self.encode(|enc| enc.write_timestamp(set, index));
    }

    /// Encodes copying the timestamps `range` of `set` into `dst` (8 bytes each, usage `QUERY_RESOLVE`).
    #[cfg(feature = "bench")]
    pub fn resolve_timestamps(&self, set: &wgpu::QuerySet, range: std::ops::Range<u32>, dst: &wgpu::Buffer) {
        self.encode(|enc| enc.resolve_query_set(set, range, dst, 0));
    }

    /// True when the device was opened with timestamp queries inside encoders.
    #[cfg(feature = "bench")]
    pub fn has_timestamps(&self) -> bool {
        self.device.features().contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS)
    }

    /// Encodes zeroing the first `bytes` bytes of `dst`.
    pub fn clear(&self, dst: &wgpu::Buffer, bytes: u64) {
        if bytes > 0 {
            self.encode(|enc| enc.clear_buffer(dst, 0, Some(bytes)));
        }
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
