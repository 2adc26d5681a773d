//! A team of threads for one parallel kernel call: the calling thread as member 0, the team's own worker
//! thread as member 1 (the packed GEMM's two-thread split, `gemm/fast/team.rs`).
//!
//! Why not `pool.install` + `par_iter`: `install` from a thread outside the pool puts the caller to sleep on a
//! lock until the pool is done, and waking it costs a futex round trip, a fixed cost per call that is a large
//! share of a mid-sized GEMM (`cargo run --release -p tensor --example pool_overhead` times both ways of
//! running an empty closure; the README's table of measured figures has its result). A team instead keeps the
//! caller working (it is member 0) and waits for the worker to finish by spinning.
//!
//! A team has at most [`MAX_MEMBERS`] = 2 members, and only a thread outside every rayon pool may start one
//! (see [`run`]). So the one job of a team waits for nothing but its caller, a thread that is always running:
//! several teams at once (concurrent callers) queue on the worker and delay each other, but cannot deadlock.
//! Bigger teams would have jobs spinning for other jobs still queued behind them, and concurrent callers could
//! tie up every worker that way; pools of more threads use rayon's work stealing instead (`pool.install`).

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most members of a team (the caller and one job), see the module comment.
pub const MAX_MEMBERS: usize = 2;

/// Spins (with `spin_loop` hints) this many times before each `yield_now` while waiting, so that an
/// oversubscribed machine (more threads than cores, as in a parallel test run) still makes progress.
const SPINS_BEFORE_YIELD: u32 = 1 << 12;

/// Waits until `done()` holds: spinning first, then also yielding the core.
fn spin_until(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        if spins < SPINS_BEFORE_YIELD {
            spins += 1;
            std::hint::spin_loop();
        } else {
            spins = 0;
            std::thread::yield_now();
        }
    }
}

/// The team's worker: a pool of its own with `MAX_MEMBERS - 1` thread(s). (Spawning into the main pool would
/// also wake its other, unused worker, which then spins for jobs beside the team and, on a 2-core machine,
/// takes a core from one of its members.)
fn worker_pool() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(MAX_MEMBERS - 1)
            .thread_name(|i| format!("tapegrad-team-{i}"))
            .build()
            .expect("failed to build the tapegrad team thread")
    })
}

/// What members 1.. share with member 0 (on member 0's stack).
struct Shared<'a> {
    body: &'a (dyn Fn(usize) + Sync),
    /// Members 1.. that have finished (returned or panicked).
    finished: AtomicUsize,
    /// The first panic of a member, re-raised on the caller.
    panic: std::sync::Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

impl Shared<'_> {
    /// Runs member `id`, recording a panic instead of unwinding (the first one is kept).
    fn member(&self, id: usize) {
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| (self.body)(id))) {
            self.panic.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(p);
        }
    }
}

/// Runs `body(id)` for `id` in `0..n` at the same time: `id` 0 on the calling thread, `id` 1 on the team's
/// worker; returns when both have returned. A panic in any member is re-raised here.
///
/// A team of one is `body(0)` on the calling thread, whatever that thread is.
///
/// # Panics
/// When `n` is 2 and the caller is a thread of a rayon pool (use `rayon::join`/`par_iter` there), when `n` is
/// not 1 or 2 ([`MAX_MEMBERS`]), or when a member panics.
pub fn run(n: usize, body: &(dyn Fn(usize) + Sync)) {
    assert!((1..=MAX_MEMBERS).contains(&n), "team::run: {n} members (1 to {MAX_MEMBERS})");
    if n == 1 {
        return body(0);
    }
    assert!(rayon::current_thread_index().is_none(), "team::run called from a rayon worker thread");
    let pool = worker_pool();
    let shared = Shared { body, finished: AtomicUsize::new(0), panic: std::sync::Mutex::new(None) };
    // The jobs get the address of `shared` as an integer: rayon's `spawn` wants 'static jobs.
    let addr = &shared as *const Shared as usize;
    for id in 1..n {
        pool.spawn(move || {
            // SAFETY: `run` does not return (and `shared` stays alive) until `finished` counts this job,
            // which is this job's last access to `shared`.
            let shared = unsafe { &*(addr as *const Shared) };
            shared.member(id);
            shared.finished.fetch_add(1, Ordering::Release);
        });
    }
    shared.member(0);
    spin_until(|| shared.finished.load(Ordering::Acquire) == n - 1);
    if let Some(p) = shared.panic.into_inner().unwrap_or_else(|e| e.into_inner()) {
        resume_unwind(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    /// Spins until `flag` is set or `tries` yields have passed; whether it was set.
    fn wait_for(flag: &AtomicBool, tries: usize) -> bool {
        for _ in 0..tries {
            if flag.load(Ordering::Acquire) {
                return true;
            }
            std::thread::yield_now();
        }
        flag.load(Ordering::Acquire)
    }

    #[test]
    fn members_run_at_the_same_time_on_two_threads() {
        // Each member raises its flag, then waits for the other's: members run one after the other would see
        // the second flag only after giving up.
        for round in 0..20 {
            let up = [AtomicBool::new(false), AtomicBool::new(false)];
            let saw = [AtomicBool::new(false), AtomicBool::new(false)];
            let threads = std::sync::Mutex::new(Vec::new());
            run(MAX_MEMBERS, &|id| {
                threads.lock().unwrap().push(std::thread::current().id());
                up[id].store(true, Ordering::Release);
                saw[id].store(wait_for(&up[1 - id], 1 << 24), Ordering::Release);
            });
            assert!(saw.iter().all(|s| s.load(Ordering::Acquire)), "round {round}: a member never saw the other");
            let threads = threads.into_inner().unwrap();
            assert!(threads.len() == 2 && threads[0] != threads[1], "round {round}: {threads:?}");
        }
    }

    #[test]
    fn a_panicking_member_is_reported_to_the_caller() {
        let n = MAX_MEMBERS;
        let r = catch_unwind(|| {
            run(n, &|id| {
                if id == n - 1 {
                    panic!("member {id} failed");
                }
            })
        });
        // The caller gets the failing member's own panic.
        let payload = r.expect_err("the member's panic must reach the caller");
        let message = payload.downcast_ref::<String>().map(String::as_str).unwrap_or("");
        assert_eq!(message, format!("member {} failed", n - 1));
        // The team still works afterwards.
        let ran = AtomicUsize::new(0);
        run(n, &|_| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
        assert_eq!(ran.load(Ordering::Relaxed), n);
    }
}
