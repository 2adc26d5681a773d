use std::time::Instant;
fn time(name: &str, n: usize, mut f: impl FnMut()) {
    for _ in 0..200 {
        f();
    }
    let mut best = f64::MAX;
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / n as f64);
    }
    println!("{name:50} {:8.3} us", best * 1e6);
}
fn main() {
    use rayon::prelude::*;
    let pool = tensor::cpu::parallel::pool();
    let work = |us: f64| {
        let t = Instant::now();
        while t.elapsed().as_secs_f64() < us * 1e-6 {}
    };
    time("install(noop)", 2000, || pool.install(|| {}));
    time("install(par 2 tasks x 0)", 2000, || pool.install(|| (0..2).into_par_iter().for_each(|_| {})));
    time("install(par 2 tasks x 20us)", 500, || pool.install(|| (0..2).into_par_iter().for_each(|_| work(20.0))));
    time("install(2x(par 2 tasks x 20us))", 500, || {
        pool.install(|| {
            (0..2).into_par_iter().for_each(|_| work(20.0));
            (0..2).into_par_iter().for_each(|_| work(20.0))
        })
    });
    time("in_place_scope(spawn 20us + 20us)", 500, || {
        pool.in_place_scope(|s| {
            s.spawn(|_| work(20.0));
            work(20.0);
        })
    });
    time("serial 40us", 500, || work(40.0));
}
