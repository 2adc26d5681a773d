//! Matmul benchmarks: square products (naive, register-blocked without packing — the direct path —, packed
//! single-thread, packed + parallel, auto) and the MLP shapes of the tutorial (direct path), reported in
//! GFLOP/s: each criterion group's throughput counts the product's 2·m·n·k floating-point operations, and
//! the [`Flops`] measurement prints it as `GFLOP/s` (criterion's own would say `Gelem/s`).
//!
//! ```text
//! cargo bench --bench matmul                        # criterion, ours only
//! cargo bench --bench matmul --features baselines   # + gemm (x86-v4), faer, matrixmultiply (threading)
//! MATMUL_TABLE=1 cargo bench --bench matmul --features baselines   # best-of-N table, side by side
//! ```
//!
//! Every implementation runs on 2 threads where it threads: ours in the tapegrad pool (`TAPEGRAD_NUM_THREADS`),
//! gemm and faer in rayon's global pool (`Rayon(2)`), matrixmultiply with `MATMUL_NUM_THREADS=2`.

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::{Duration, Instant};
use tensor::cpu::kernels::gemm::{gemm_f32, gemm_f32_with, gemm_naive, Isa, MatRef, Path};

#[path = "support/flops.rs"]
mod flops;
use flops::Flops;

/// One product: `m×k · k×n` with element strides `(rs, cs)` for each operand.
#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    m: usize,
    k: usize,
    n: usize,
    lhs_t: bool,
    rhs_t: bool,
}

impl Case {
    const fn new(name: &'static str, m: usize, k: usize, n: usize, lhs_t: bool) -> Self {
        Self { name, m, k, n, lhs_t, rhs_t: false }
    }
    fn flops(&self) -> f64 {
        2.0 * (self.m * self.n * self.k) as f64
    }
}

/// The tutorial's MLP layers (forward, and the backward products with a transposed operand).
const MLP: [Case; 9] = [
    Case::new("800x2.2x10", 800, 2, 10, false),
    Case::new("800x10.10x10", 800, 10, 10, false),
    Case::new("800x10.10x1", 800, 10, 1, false),
    Case::new("200x10.10x10", 200, 10, 10, false),
    Case::new("(800x10)T.800x10", 10, 800, 10, true),
    Case::new("(800x2)T.800x10", 2, 800, 10, true),
    Case::new("(800x10)T.800x1", 10, 800, 1, true),
    Case::new("800x1.1x10", 800, 1, 10, false),
    Case::new("800x10.10x2", 800, 10, 2, false),
];

/// Operands of a case: row-major data, viewed transposed where the case says so.
struct Data {
    case: Case,
    lhs: Vec<f32>,
    rhs: Vec<f32>,
    out: Vec<f32>,
}

impl Data {
    fn new(case: Case) -> Self {
        let fill = |len: usize, s: usize| (0..len).map(|i| ((i * s + 3) % 17) as f32 / 17.0 - 0.5).collect();
        Self { case, lhs: fill(case.m * case.k, 7), rhs: fill(case.k * case.n, 5), out: vec![0.0; case.m * case.n] }
    }
    /// (rs, cs) of lhs and rhs.
    fn strides(&self) -> ((usize, usize), (usize, usize)) {
        let c = self.case;
        let l = if c.lhs_t { (1, c.m) } else { (c.k, 1) };
        let r = if c.rhs_t { (1, c.k) } else { (c.n, 1) };
        (l, r)
    }
}

/// An implementation under test.
type Impl = (&'static str, fn(&mut Data));

/// Ours: `path == None` is the public entry point (`Path::Auto`).
fn ours(d: &mut Data, path: Option<Path>) {
    let ((lrs, lcs), (rrs, rcs)) = d.strides();
    let Data { case, lhs, rhs, out } = d;
    let l = MatRef { data: lhs, offset: 0, rows: case.m, cols: case.k, rs: lrs, cs: lcs };
    let r = MatRef { data: rhs, offset: 0, rows: case.k, cols: case.n, rs: rrs, cs: rcs };
    match path {
        None => gemm_f32(l, r, out, false),
        Some(path) => gemm_f32_with(Isa::best(), path, l, r, out, false),
    }
}

fn ours_auto(d: &mut Data) {
    ours(d, None)
}

fn ours_packed(d: &mut Data) {
    ours(d, Some(Path::Packed))
}

fn ours_direct(d: &mut Data) {
    ours(d, Some(Path::Direct))
}

fn ours_parallel(d: &mut Data) {
    ours(d, Some(Path::PackedParallel))
}

fn naive(d: &mut Data) {
    let ((lrs, lcs), (rrs, rcs)) = d.strides();
    let Data { case, lhs, rhs, out } = d;
    let l = MatRef { data: lhs, offset: 0, rows: case.m, cols: case.k, rs: lrs, cs: lcs };
    let r = MatRef { data: rhs, offset: 0, rows: case.k, cols: case.n, rs: rrs, cs: rcs };
    gemm_naive(l, r, out, false);
}

#[cfg(feature = "baselines")]
mod baselines {
    use super::Data;

    fn gemm_crate(d: &mut Data, par: gemm::Parallelism) {
        let c = d.case;
        let ((lrs, lcs), (rrs, rcs)) = d.strides();
        // SAFETY: the pointers cover m×k, k×n and m×n elements with the given strides.
        unsafe {
            gemm::gemm(
                c.m,
                c.n,
                c.k,
                d.out.as_mut_ptr(),
                1,
                c.n as isize,
                false,
                d.lhs.as_ptr(),
                lcs as isize,
                lrs as isize,
                d.rhs.as_ptr(),
                rcs as isize,
                rrs as isize,
                0.0f32,
                1.0f32,
                false,
                false,
                false,
                par,
            )
        }
    }
    pub fn gemm_par(d: &mut Data) {
        gemm_crate(d, gemm::Parallelism::Rayon(2))
    }
    pub fn gemm_seq(d: &mut Data) {
        gemm_crate(d, gemm::Parallelism::None)
    }

    fn faer_crate(d: &mut Data, par: faer::Par) {
        let c = d.case;
        let ((lrs, lcs), (rrs, rcs)) = d.strides();
        // SAFETY: the pointers cover m×k and k×n elements with the given strides; they outlive the views.
        let (l, r) = unsafe {
            (
                faer::MatRef::from_raw_parts(d.lhs.as_ptr(), c.m, c.k, lrs as isize, lcs as isize),
                faer::MatRef::from_raw_parts(d.rhs.as_ptr(), c.k, c.n, rrs as isize, rcs as isize),
            )
        };
        let out = faer::MatMut::from_row_major_slice_mut(&mut d.out, c.m, c.n);
        faer::linalg::matmul::matmul(out, faer::Accum::Replace, l, r, 1.0f32, par);
    }
    pub fn faer_par(d: &mut Data) {
        faer_crate(d, faer::Par::rayon(2))
    }
    pub fn faer_seq(d: &mut Data) {
        faer_crate(d, faer::Par::Seq)
    }

    pub fn matrixmultiply(d: &mut Data) {
        let c = d.case;
        let ((lrs, lcs), (rrs, rcs)) = d.strides();
        // SAFETY: the pointers cover m×k, k×n and m×n elements with the given strides.
        unsafe {
            matrixmultiply::sgemm(
                c.m,
                c.k,
                c.n,
                1.0,
                d.lhs.as_ptr(),
                lrs as isize,
                lcs as isize,
                d.rhs.as_ptr(),
                rrs as isize,
                rcs as isize,
                0.0,
                d.out.as_mut_ptr(),
                c.n as isize,
                1,
            )
        }
    }
}

fn impls(parallel: bool) -> Vec<Impl> {
    #[cfg_attr(not(feature = "baselines"), allow(unused_mut))]
    let mut v: Vec<Impl> = vec![("ours", ours_auto)];
    #[cfg(feature = "baselines")]
    {
        v.push(("gemm", baselines::gemm_par));
        v.push(("faer", baselines::faer_par));
        v.push(("matrixmultiply", baselines::matrixmultiply));
        if !parallel {
            v.push(("gemm-seq", baselines::gemm_seq));
            v.push(("faer-seq", baselines::faer_seq));
        }
    }
    let _ = parallel;
    v
}

/// Best average time per call over `rounds` rounds of `inner` calls each.
fn best_of(f: fn(&mut Data), d: &mut Data, budget: Duration) -> f64 {
    f(d);
    let t = Instant::now();
    f(d);
    let once = t.elapsed().as_secs_f64().max(1e-7);
    let inner = ((2e-3 / once) as usize).clamp(1, 10_000);
    let mut best = f64::INFINITY;
    let start = Instant::now();
    let mut rounds = 0;
    while rounds < 5 || (start.elapsed() < budget && rounds < 1000) {
        let t = Instant::now();
        for _ in 0..inner {
            f(black_box(&mut *d));
        }
        best = best.min(t.elapsed().as_secs_f64() / inner as f64);
        rounds += 1;
    }
    best
}

/// What the table says in place of the `ours/best` column when no baseline is compiled in.
const BASELINES_OFF: &str = "(baselines off: the gemm, faer and matrixmultiply columns and ours/best need \
`--features baselines`, e.g. `MATMUL_TABLE=mlp cargo bench --bench matmul --features baselines`)";

/// Prints the side-by-side best-of-N table (`MATMUL_TABLE=1`; `=square` or `=mlp` for one half).
fn table(which: &str) {
    let square: Vec<Case> = [64, 128, 256, 512, 1024, 2048]
        .iter()
        .map(|&n| Case { name: "square", m: n, k: n, n, lhs_t: false, rhs_t: false })
        .collect();
    let halves = [("square (GFLOP/s, 2 threads)", square, true), ("MLP shapes (µs per call)", MLP.to_vec(), false)];
    for (title, cases, parallel) in halves {
        if (which == "square" && !parallel) || (which == "mlp" && parallel) {
            continue;
        }
        let list = impls(parallel);
        // Without the baselines there is nothing to compare with: say so instead of a ratio of infinity.
        let compared = list.len() > 1;
        println!("\n{title}");
        if !compared {
            println!("{BASELINES_OFF}");
        }
        print!("{:<20}", "shape");
        for (name, _) in &list {
            print!("{name:>16}");
        }
        println!("{:>14}", if compared { "ours/best" } else { "" });
        for case in cases {
            let mut d = Data::new(case);
            let label = if case.name == "square" { format!("{0}x{0}x{0}", case.m) } else { case.name.to_string() };
            print!("{label:<20}");
            // Best of PASSES interleaved passes over the implementations, so that a slow phase of the machine
            // (on the 2-core VM, stretches of a second or more in which 2-thread products run about 25% slower)
            // is shared by all of them instead of falling on one.
            const PASSES: usize = 4;
            let mut times = vec![f64::INFINITY; list.len()];
            for _ in 0..PASSES {
                for (t, (_, f)) in times.iter_mut().zip(&list) {
                    *t = t.min(best_of(*f, &mut d, Duration::from_millis(100)));
                }
            }
            for &t in &times {
                if parallel {
                    print!("{:>16.1}", case.flops() / t / 1e9);
                } else {
                    print!("{:>16.3}", t * 1e6);
                }
            }
            if !compared {
                println!();
                continue;
            }
            let best_other = times[1..].iter().copied().fold(f64::INFINITY, f64::min);
            // Speed ratio: > 1 means ours is faster than the best baseline.
            println!("{:>14.2}", best_other / times[0]);
        }
    }
}

/// Prints ours alone, packed single-thread and packed + parallel, in GFLOP/s (`MATMUL_TABLE=tune`): the quick
/// loop used to pick the blocking.
fn tune() {
    let sizes: Vec<usize> = std::env::var("MATMUL_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![64, 128, 256, 512, 1024]);
    println!("{:<8}{:>14}{:>14}{:>14}{:>14}", "n", "packed_1t", "parallel", "auto", "direct");
    for n in sizes {
        let case = Case { name: "square", m: n, k: n, n, lhs_t: false, rhs_t: false };
        let mut d = Data::new(case);
        let budget = Duration::from_millis(300);
        let t: Vec<f64> = [ours_packed as fn(&mut Data), ours_parallel, ours_auto, ours_direct]
            .iter()
            .map(|f| case.flops() / best_of(*f, &mut d, budget) / 1e9)
            .collect();
        println!("{n:<8}{:>14.1}{:>14.1}{:>14.1}{:>14.1}", t[0], t[1], t[2], t[3]);
    }
}

fn bench_square(c: &mut Criterion<Flops>) {
    for n in [64usize, 128, 256, 512, 1024, 2048] {
        let case = Case { name: "square", m: n, k: n, n, lhs_t: false, rhs_t: false };
        let mut g = c.benchmark_group(format!("matmul_square_{n}"));
        // The "elements" of a product are its 2·m·n·k operations: printed as FLOP/s by `Flops`.
        g.throughput(Throughput::Elements(case.flops() as u64));
        if n >= 512 {
            g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
        }
        let mut d = Data::new(case);
        let mut list: Vec<Impl> = vec![("packed_1thread", ours_packed), ("packed_parallel", ours_parallel)];
        if n <= 128 {
            list.push(("naive", naive));
        }
        if n <= 512 {
            list.push(("blocked_direct", ours_direct));
        }
        list.extend(impls(true).into_iter().skip(1));
        for (name, f) in list {
            g.bench_function(BenchmarkId::from_parameter(name), |b| b.iter(|| f(black_box(&mut d))));
        }
        g.finish();
    }
}

fn bench_mlp(c: &mut Criterion<Flops>) {
    for case in MLP {
        let mut g = c.benchmark_group(format!("matmul_mlp_{}", case.name));
        g.throughput(Throughput::Elements(case.flops() as u64));
        g.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
        let mut d = Data::new(case);
        for (name, f) in impls(false) {
            g.bench_function(BenchmarkId::from_parameter(name), |b| b.iter(|| f(black_box(&mut d))));
        }
        g.finish();
    }
}

fn main() {
    if std::env::var_os("MATMUL_NUM_THREADS").is_none() {
        std::env::set_var("MATMUL_NUM_THREADS", "2");
    }
    match std::env::var("MATMUL_TABLE").as_deref() {
        Ok("tune") => return tune(),
        Ok(which) => return table(which),
        Err(_) => {}
    }
    let mut c = Criterion::default().with_measurement(Flops).configure_from_args();
    bench_square(&mut c);
    bench_mlp(&mut c);
    c.final_summary();
}
