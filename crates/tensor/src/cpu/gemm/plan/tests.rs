//! `plan` against what runs: every plan is the path the dispatcher executes.

use super::trace::{self, Step};
use super::*;
use crate::cpu::gemm::{gemm_bias_f32_with, gemm_f32_with, gemm_f64_with, MatRef};
use std::collections::BTreeSet;

/// The steps the dispatcher must record for `plan`.
fn expected_steps(plan: &Plan) -> Vec<Step> {
    match plan.route {
        Route::NoOutput => vec![],
        Route::EmptySum => vec![Step::Fill],
        Route::Direct { steps, .. } => {
            let mut v = Vec::new();
            let flags = [
                (steps.row_written_first, Step::RowFirst),
                (steps.transposed, Step::Transposed),
                (steps.rhs_copied, Step::RhsCopied),
            ];
            v.extend(flags.iter().filter(|(on, _)| *on).map(|&(_, s)| s));
            v.push(match steps.kernel {
                DirectKernelKind::Dot => Step::Dot,
                DirectKernelKind::ShortK => Step::ShortK,
                DirectKernelKind::Blocks { .. } => Step::Blocks,
            });
            v
        }
        Route::Packed { split, .. } => vec![match split {
            Split::Serial(_) => Step::Serial,
            Split::Team(_) => Step::Team,
            Split::Rayon { .. } => Step::Rayon,
        }],
    }
}

/// `len` elements of data and the `(rs, cs)` of a `rows × cols` view stored as `order`.
fn storage(order: Order, rows: usize, cols: usize) -> (usize, usize, usize) {
    match order {
        Order::RowMajor => (rows * cols, cols, 1),
        Order::Transposed => (rows * cols, 1, rows),
        Order::Strided { rs, cs } => ((rows.max(1) - 1) * rs + (cols.max(1) - 1) * cs + 1, rs, cs),
    }
}

/// Runs one product with the operands stored as `options` says and returns (the plan, the recorded steps).
fn run_one(m: usize, k: usize, n: usize, options: &Options) -> (Plan, Vec<Step>) {
    let (ll, lrs, lcs) = storage(options.lhs, m, k);
    let (rl, rrs, rcs) = storage(options.rhs, k, n);
    let p = plan(m, k, n, options);
    let _ = trace::take();
    macro_rules! operands {
        ($t:ty) => {{
            let l: Vec<$t> = (0..ll).map(|i| (i % 7) as $t - 3.0).collect();
            let r: Vec<$t> = (0..rl).map(|i| (i % 5) as $t - 2.0).collect();
            (l, r)
        }};
    }
    macro_rules! view {
        ($data:expr, $rows:expr, $cols:expr, $rs:expr, $cs:expr) => {
            MatRef { data: &$data, offset: 0, rows: $rows, cols: $cols, rs: $rs, cs: $cs }
        };
    }
    match options.float {
        Float::F32 => {
            let (l, r) = operands!(f32);
            let (lhs, rhs) = (view!(l, m, k, lrs, lcs), view!(r, k, n, rrs, rcs));
            let mut out = vec![0.0f32; m * n];
            if options.bias {
                let fused = gemm_bias_f32_with(options.isa, lhs, rhs, &vec![0.5f32; n], &mut out);
                assert_eq!(fused, matches!(p.route, Route::Direct { .. }), "{p}");
            } else {
                gemm_f32_with(options.isa, options.path, lhs, rhs, &mut out, false);
            }
        }
        Float::F64 => {
            let (l, r) = operands!(f64);
            let (lhs, rhs) = (view!(l, m, k, lrs, lcs), view!(r, k, n, rrs, rcs));
            gemm_f64_with(options.isa, options.path, lhs, rhs, &mut vec![0.0f64; m * n], false);
        }
    }
    (p, trace::take())
}

/// Every plan is what runs: for shapes that reach each path and step (the tutorial's layers forward and
/// backward, skinny, large, empty), every layout, instruction set, element type and forced path, the steps
/// the dispatcher records are the plan's. On one thread, on the tapegrad pool and inside pools of 1 and 3.
#[test]
fn every_plan_is_the_path_that_runs() {
    let shapes = [
        (800, 2, 10),
        (800, 10, 10),
        (800, 10, 1),
        (800, 10, 2),
        (10, 800, 10),
        (2, 800, 10),
        (10, 800, 1),
        (1, 100, 1),
        (3, 70, 40),
        (200, 300, 150),
        (2, 300, 1000),
        (0, 5, 5),
        (5, 0, 5),
    ];
    let orders = [Order::RowMajor, Order::Transposed, Order::Strided { rs: 40, cs: 3 }];
    let paths = [Path::Auto, Path::AutoSerial, Path::Direct, Path::Packed, Path::PackedParallel];
    let mut seen = BTreeSet::new();
    let check_all = |seen: &mut BTreeSet<String>| {
        for isa in Isa::ALL.into_iter().filter(|i| i.is_available()) {
            for &(m, k, n) in &shapes {
                for (lhs, rhs) in orders.iter().flat_map(|&l| orders.iter().map(move |&r| (l, r))) {
                    for float in [Float::F32, Float::F64] {
                        for path in paths {
                            for bias in [false, true] {
                                if bias && (float == Float::F64 || path != Path::Auto) {
                                    continue;
                                }
                                let options = Options { float, lhs, rhs, isa, path, bias };
                                let (p, steps) = run_one(m, k, n, &options);
                                // A fused bias runs only on the direct path (else the caller adds it).
                                let direct = matches!(p.route, Route::Direct { .. });
                                let want = if bias && !direct { vec![] } else { expected_steps(&p) };
                                assert_eq!(steps, want, "{p}");
                                seen.extend(steps.iter().map(|s| format!("{s:?}")));
                            }
                        }
                    }
                }
            }
        }
    };
    check_all(&mut seen);
    crate::cpu::parallel::with_threads(1, || check_all(&mut seen));
    crate::cpu::parallel::with_threads(3, || check_all(&mut seen));
    let mut want = vec!["Fill", "RowFirst", "Transposed", "RhsCopied", "Blocks", "Serial", "Rayon"];
    if Isa::Avx512.is_available() {
        want.extend(["Dot", "ShortK"]);
    }
    if crate::cpu::parallel::num_threads() == team::MAX_MEMBERS {
        want.push("Team");
    }
    for step in want {
        assert!(seen.contains(step), "no product took the step {step}: {seen:?}");
    }
}

#[test]
fn the_tutorial_shapes_are_explained() {
    let tutorial = plan(800, 2, 10, &Options::f32()).to_string();
    assert!(tutorial.starts_with("matmul [800, 2] · [2, 10] (f32, lhs row-major, rhs row-major)"), "{tutorial}");
    assert!(tutorial.contains("path:    direct") && tutorial.contains("threads: 1"), "{tutorial}");
    if Isa::Avx512.is_available() {
        assert!(tutorial.contains("short-k kernel"), "{tutorial}");
    }
    let portable = plan(800, 2, 10, &Options { isa: Isa::Fallback, ..Options::f32() }).to_string();
    assert!(portable.contains("blocks of 4×8"), "{portable}");
    let backward = Options { lhs: Order::Transposed, ..Options::f32() };
    let weight_grad = plan(10, 800, 10, &backward);
    assert!(matches!(weight_grad.route, Route::Direct { why: DirectWhy::Small, .. }), "{weight_grad}");
    let large = plan(512, 512, 512, &Options::f32());
    assert!(matches!(large.route, Route::Packed { why: PackedWhy::Large, .. }), "{large}");
    assert!(large.to_string().contains("path:    packed"), "{large}");
    // Sizes whose flop count overflows any integer are still planned.
    let huge = plan(usize::MAX / 2, usize::MAX / 2, usize::MAX, &Options::f32());
    assert!(matches!(huge.route, Route::Packed { .. }), "{huge}");
}
