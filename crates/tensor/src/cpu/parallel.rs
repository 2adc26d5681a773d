//! The one rayon pool all CPU kernels run in, and the size thresholds below which they stay serial.
//!
//! Every parallel kernel calls [`install`] (never rayon's global pool) so that the thread count is set in one
//! place: the `TAPEGRAD_NUM_THREADS` environment variable (a whole number from 1 to four per core, at most
//! 1024; anything else is reported on stderr and replaced, see [`threads_from_env`]), else the number of
//! available cores. (The packed
//! GEMM on a pool of two threads runs as a team instead, `cpu/team.rs`: the caller and one worker, no sleeping.) Kernels split
//! only their outer range into fixed-size chunks whose boundaries do not depend on the thread count, so results
//! are bit-identical whatever the number of threads.

use std::sync::OnceLock;

/// The most threads the pool gets from `TAPEGRAD_NUM_THREADS`: four per available core, and never more than
/// [`MAX_THREADS`] (each is an OS thread with its own stack; more than the cores only adds switching).
pub fn max_threads(available: usize) -> usize {
    available.saturating_mul(4).clamp(1, MAX_THREADS)
}

/// The absolute ceiling of [`max_threads`].
pub const MAX_THREADS: usize = 1024;

/// The pool's size for a value of `TAPEGRAD_NUM_THREADS` and a count of available cores, and the warning to print
/// when the value is not used as given: a value that is not a whole number, or 0, falls back to `available`; a
/// value above [`max_threads`] is clamped to it.
pub fn threads_from_env(value: Option<&str>, available: usize) -> (usize, Option<String>) {
    let available = available.max(1);
    let Some(text) = value else { return (available, None) };
    let max = max_threads(available);
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => (n, None),
        Ok(n) if n > max => (
            max,
            Some(format!(
                "tapegrad: TAPEGRAD_NUM_THREADS={text:?} is more than {max} (4 per available core, at most \
                 {MAX_THREADS}); using {max} threads"
            )),
        ),
        _ => (
            available,
            Some(format!(
                "tapegrad: TAPEGRAD_NUM_THREADS={text:?} is not a whole number from 1 to {max}; using the \
                 {available} available cores"
            )),
        ),
    }
}

/// The pool, built on first use. An invalid `TAPEGRAD_NUM_THREADS` is reported once, on stderr, when the pool is
/// built (see [`threads_from_env`]).
pub fn pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        let available = std::thread::available_parallelism().map_or(1, |n| n.get());
        let value = std::env::var_os("TAPEGRAD_NUM_THREADS").map(|v| v.to_string_lossy().into_owned());
        let (threads, warning) = threads_from_env(value.as_deref(), available);
        if let Some(w) = warning {
            eprintln!("{w}");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_from_the_environment() {
        assert_eq!(threads_from_env(None, 2), (2, None));
        assert_eq!(threads_from_env(Some("3"), 2), (3, None));
        assert_eq!(threads_from_env(Some("8"), 2), (8, None));
        for bad in ["", "0", "-1", "two", "1.5", "99999999999999999999999"] {
            let (n, w) = threads_from_env(Some(bad), 2);
            assert_eq!(n, 2, "{bad:?}");
            assert!(
                w.is_some_and(|w| w.contains("TAPEGRAD_NUM_THREADS") && w.contains("not a whole number")),
                "{bad:?}"
            );
        }
        let (n, w) = threads_from_env(Some("500"), 2);
        assert_eq!(n, 8);
        assert!(w.is_some_and(|w| w.contains("using 8 threads")));
        assert_eq!(threads_from_env(Some("100000"), 1000).0, MAX_THREADS);
        assert_eq!(threads_from_env(Some("1"), 0), (1, None));
    }
}
