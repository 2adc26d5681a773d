//! What it costs to run a parallel kernel's threads, per call, without any work: `pool.install` (+ a join)
//! from the main thread, against `tensor::cpu::kernels::team::run` (the caller works as member 0 and spins until
//! the worker is done).
//!
//! `cargo run --release -p tensor --example pool_overhead` (set `TAPEGRAD_NUM_THREADS` to choose the pool).

use std::time::Instant;
use tensor::cpu::kernels::team;
use tensor::cpu::parallel;

fn per_call_us(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() / reps as f64 * 1e6
}

fn main() {
    let pool = parallel::pool();
    let members = parallel::num_threads();
    println!("pool of {members} threads; µs per call (best of 5 runs of 20000 calls)");
    let best = |f: &mut dyn FnMut()| (0..5).map(|_| per_call_us(20_000, &mut *f)).fold(f64::INFINITY, f64::min);
    let install = best(&mut || pool.install(|| std::hint::black_box(())));
    let join = best(&mut || {
        pool.install(|| rayon::join(|| std::hint::black_box(1), || std::hint::black_box(2)));
    });
    let team_run = best(&mut || {
        team::run(members.min(team::MAX_MEMBERS), &|id| {
            std::hint::black_box(id);
        })
    });
    println!("pool.install(empty)            {install:8.2}");
    println!("pool.install(join of 2 empty)  {join:8.2}");
    println!("team::run(empty)               {team_run:8.2}");
}
