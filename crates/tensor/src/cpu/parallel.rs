//! The one rayon pool all CPU kernels run in, and the size thresholds below which they stay serial.
//!
//! Every parallel kernel calls [`install`] (never rayon's global pool) so that the thread count is set in one
//! place: the `TAPEGRAD_NUM_THREADS` environment variable, else the number of available cores. (The packed
//! GEMM on a pool of two threads runs as a [`super::team`] instead: the caller and one worker, no sleeping.) Kernels split
//! only their outer range into fixed-size chunks whose boundaries do not depend on the thread count, so results
//! are bit-identical whatever the number of threads.

use std::sync::OnceLock;

/// The pool, built on first use.
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::env::var("TAPEGRAD_NUM_THREADS")
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tapegrad-cpu-{i}"))
            .build()
            .expect("failed to build the tapegrad CPU thread pool")
    })
}

/// Number of threads in the pool.
pub fn num_threads() -> usize {
    pool().current_num_threads()
}

/// Runs `f` inside the pool (so `rayon::join`/`par_iter` calls in `f` use its threads).
///
/// Called from a thread that already belongs to a rayon pool, `f` runs in *that* pool: kernels nested in a
/// parallel kernel do not hop pools, and a caller can choose the thread count of a computation by running it
/// inside its own pool (`ThreadPoolBuilder::new().num_threads(1).build()?.install(|| x.exp())`), which is how
/// the tests check that results do not depend on the number of threads.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        f()
    } else {
        pool().install(f)
    }
}

/// Runs `f` on a new pool of `threads` threads, which every kernel called by `f` then uses (see [`install`]):
/// for tests of thread-count independence and for benchmarks.
///
/// # Panics
/// When the pool cannot be created.
pub fn with_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("failed to build a thread pool").install(f)
}
