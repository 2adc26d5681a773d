//! A per-thread cache of host buffers, keyed by length: what a training loop frees in one step it allocates
//! again, at the same sizes, in the next.
//!
//! Without it every op of the tutorial's loop (tensors of 800×10 floats) would go through `malloc`, `memset`
//! (a zeroed `vec!`) and `free`, and glibc would hand the top of the heap back to the kernel and fault it in
//! again every epoch. With it an op's output buffer is usually the buffer some tensor of the same size gave
//! back a moment ago.
//!
//! * [`take`] returns a vector of `len` initialised elements whose values are **unspecified** (a cached
//!   buffer keeps its old contents): only kernels that write every element of their output use it.
//! * [`give`] is called when a CPU [`Storage`](crate::device::Storage) is dropped; the vector is kept if its
//!   size class has room, else freed.
//!
//! Bounds: buffers of at most [`MAX_BUFFER_BYTES`], at most [`MAX_PER_LEN`] per length, at most
//! [`MAX_TOTAL_BYTES`] per thread and element type. Results never depend on the cache: every element of a
//! taken buffer is overwritten before it is read (the tests compare every kernel against its scalar oracle,
//! with the cache warm).

use std::cell::RefCell;
use std::collections::HashMap;

use crate::hash::BuildIntHasher;

/// Largest buffer kept (bigger ones come from and go back to the system allocator, which maps them anyway).
pub const MAX_BUFFER_BYTES: usize = 1 << 20;
/// Buffers kept per length.
pub const MAX_PER_LEN: usize = 8;
/// Bytes kept per thread and element type.
pub const MAX_TOTAL_BYTES: usize = 32 << 20;

/// The cached buffers of one element type on one thread.
pub(crate) struct Shelf<T> {
    by_len: HashMap<usize, Vec<Vec<T>>, BuildIntHasher>,
    bytes: usize,
}

impl<T> Default for Shelf<T> {
    fn default() -> Self {
        Shelf { by_len: HashMap::default(), bytes: 0 }
    }
}

/// Element types with a cache: f32, f64 and i64 (all-zero bits are their value 0, which [`try_zeroed`] relies on).
pub(crate) trait Pooled: Copy + Default + 'static {
    /// Runs `f` on this thread's shelf; `None` when it is unavailable (thread teardown, re-entrant use).
    fn with_shelf<R>(f: impl FnOnce(&mut Shelf<Self>) -> R) -> Option<R>;
}

macro_rules! pooled {
    ($t:ty, $key:ident) => {
        thread_local! {
            static $key: RefCell<Shelf<$t>> = RefCell::new(Shelf::default());
        }
        impl Pooled for $t {
            fn with_shelf<R>(f: impl FnOnce(&mut Shelf<Self>) -> R) -> Option<R> {
                $key.try_with(|s| s.try_borrow_mut().ok().map(|mut s| f(&mut s))).ok().flatten()
            }
        }
    };
}
pooled!(f32, SHELF_F32);
pooled!(f64, SHELF_F64);
pooled!(i64, SHELF_I64);

/// A vector of `len` copies of `value`, or `None` when the system refuses the memory (where `vec!` would abort
/// the process).
pub(crate) fn try_filled<T: Copy>(len: usize, value: T) -> Option<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).ok()?;
    v.resize(len, value);
    Some(v)
}

/// A vector of `len` zeros, or `None` when the system refuses the memory. Zeroed memory comes from the
/// allocator's `alloc_zeroed` (what `vec![0.0; n]` uses), which for large buffers maps fresh zero pages instead of
/// writing them.
pub(crate) fn try_zeroed<T: Pooled>(len: usize) -> Option<Vec<T>> {
    let layout = std::alloc::Layout::array::<T>(len).ok()?;
    if layout.size() == 0 {
        return Some(Vec::new());
    }
    // SAFETY: `layout` has a non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` comes from the global allocator with the layout of `[T; len]`, which is the layout a `Vec<T>`
    // of capacity `len` owns; all `len` elements are initialised, because all-zero bits are the value 0 of f32,
    // f64 and i64, the only `Pooled` types.
    Some(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// [`try_zeroed`], panicking (instead of aborting) when the system refuses the memory.
#[track_caller]
pub(crate) fn zeroed<T: Pooled>(len: usize) -> Vec<T> {
    try_zeroed(len).unwrap_or_else(|| refused::<T>(len))
}

/// An empty vector with room for `len` elements, panicking (instead of aborting) when the system refuses the
/// memory.
#[allow(dead_code)] // used by the kernels from the next change on
#[track_caller]
pub(crate) fn with_capacity<T>(len: usize) -> Vec<T> {
    let mut v = Vec::new();
    if v.try_reserve_exact(len).is_err() {
        refused::<T>(len)
    }
    v
}

/// The panic of a refused allocation. The tensor layer checks the size of every result before its kernel runs
/// (see `Tensor::check_result`), so this is reached only when memory runs out between that check and the kernel.
#[cold]
#[inline(never)]
#[track_caller]
fn refused<T>(len: usize) -> ! {
    let bytes = len as u128 * std::mem::size_of::<T>() as u128;
    panic!(
        "out of memory: cannot allocate {} for {len} elements of {} (the system refused the memory); use smaller \
         tensors",
        crate::error::human_bytes(bytes),
        std::any::type_name::<T>()
    )
}

/// A vector of `len` elements with unspecified values (a cached buffer, or a fresh zeroed one): the caller must
/// write every element before reading any.
pub(crate) fn take<T: Pooled>(len: usize) -> Vec<T> {
    if len == 0 || len.saturating_mul(std::mem::size_of::<T>()) > MAX_BUFFER_BYTES {
        return zeroed(len);
    }
    let cached = T::with_shelf(|s| {
        let v = s.by_len.get_mut(&len)?.pop()?;
        s.bytes -= v.capacity() * std::mem::size_of::<T>();
        Some(v)
    })
    .flatten();
    cached.unwrap_or_else(|| zeroed(len))
}

/// Gives `v` back to this thread's cache (or frees it when its size class or the cache is full).
pub(crate) fn give<T: Pooled>(v: Vec<T>) {
    // Counted by capacity: a short vector over a big allocation (a user's `Vec` given to `Tensor::from_vec`)
    // is not worth keeping.
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if v.is_empty() || bytes > MAX_BUFFER_BYTES {
        return;
    }
    T::with_shelf(move |s| {
        if s.bytes + bytes > MAX_TOTAL_BYTES {
            return;
        }
        let list = s.by_len.entry(v.len()).or_default();
        if list.len() < MAX_PER_LEN {
            list.push(v);
            s.bytes += bytes;
        }
    });
}

/// Bytes cached on this thread for `T` (tests).
#[cfg(test)]
fn cached_bytes<T: Pooled>() -> usize {
    T::with_shelf(|s| s.bytes).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_buffer_comes_back_for_the_same_length_only() {
        let mut v = take::<f32>(1000);
        v.fill(7.0);
        let ptr = v.as_ptr();
        let before = cached_bytes::<f32>();
        give(v);
        assert_eq!(cached_bytes::<f32>(), before + 4000);
        // Another length does not get it.
        let other = take::<f32>(999);
        assert_ne!(other.as_ptr(), ptr);
        // The same length does, with its old contents (the caller overwrites them).
        let again = take::<f32>(1000);
        assert_eq!(again.as_ptr(), ptr);
        assert_eq!(cached_bytes::<f32>(), before);
    }

    #[test]
    fn the_cache_is_bounded() {
        let len = 4096;
        for _ in 0..3 * MAX_PER_LEN {
            give(vec![0i64; len]);
        }
        assert!(cached_bytes::<i64>() <= MAX_PER_LEN * len * 8);
        // Too big to keep, also when only its capacity is.
        let before = cached_bytes::<f64>();
        give(vec![0f64; MAX_BUFFER_BYTES / 8 + 1]);
        let mut short = Vec::with_capacity(MAX_BUFFER_BYTES / 8 + 1);
        short.push(1.0f64);
        give(short);
        assert_eq!(cached_bytes::<f64>(), before);
    }

    #[test]
    fn tensors_dropped_and_made_again_reuse_buffers_and_compute_the_same() {
        use crate::{Device, Tensor};
        let a = Tensor::from_vec((0..800).map(|i| i as f32 * 0.5).collect(), &[80, 10], &Device::Cpu);
        let want = a.add(&a).exp().to_vec::<f32>();
        for _ in 0..3 {
            // Garbage in the cache must not leak into results.
            for _ in 0..4 {
                give(vec![f32::NAN; 800]);
            }
            assert_eq!(a.add(&a).exp().to_vec::<f32>(), want);
        }
    }
}
