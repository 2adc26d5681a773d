//! Every SIMD path against the fallback (exact ops: bit for bit) and against the scalar libm oracle
//! (transcendental ops: within the ulp bounds documented in `simd/mod.rs`). Each available path is forced in
//! turn; on a CPU without AVX-512 or AVX2 those paths are skipped (and the test says so).

use super::*;
use crate::ops;

fn simd_paths() -> Vec<Isa> {
    let paths: Vec<Isa> = [Isa::Avx2Fma, Isa::Avx512].into_iter().filter(|i| i.is_available()).collect();
    if paths.is_empty() {
        eprintln!("no SIMD instruction set on this CPU: only the fallback is tested");
    }
    paths
}

/// A deterministic pseudo-random generator (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }
    /// Any f32 bit pattern (NaNs, infinities, subnormals included).
    fn bits(&mut self) -> f32 {
        f32::from_bits(self.next() as u32)
    }
}

/// Values that break careless kernels, then random ones of every magnitude.
fn awkward(n: usize, seed: u64) -> Vec<f32> {
    let special = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MIN_POSITIVE,
        1e-45,
        -1e-45,
        f32::MAX,
        f32::MIN,
        1e4,
        -1e4,
        88.7,
        -103.0,
        0.625,
        -0.625,
    ];
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| match i % 3 {
            _ if i < special.len() => special[i],
            0 => rng.bits(),
            1 => rng.uniform(-20.0, 20.0),
            _ => rng.uniform(-1.0, 1.0),
        })
        .collect()
}

/// Equal bits, or both NaN.
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Distance in units of the last place (0 for two NaNs, `u32::MAX` for NaN against a number).
fn ulps(a: f32, b: f32) -> u32 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u32::MAX };
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32;
        (if i < 0 { i32::MIN.wrapping_sub(i) } else { i }) as i64
    };
    (key(a) - key(b)).unsigned_abs().min(u32::MAX as u64) as u32
}

const LENGTHS: [usize; 12] = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000];

#[test]
fn exact_unary_ops_match_the_fallback_bit_for_bit() {
    let ops = [
        UnaryOp::Neg,
        UnaryOp::Abs,
        UnaryOp::Relu,
        UnaryOp::Sqrt,
        UnaryOp::Clamp(-0.5, 2.0),
        UnaryOp::Affine(0.3, -1.7),
        UnaryOp::Round,
        UnaryOp::Sign, // no vector kernel: the dispatcher must fall back
    ];
    for isa in simd_paths() {
        for op in ops {
            for n in LENGTHS {
                let x = awkward(n, n as u64 + 1);
                let (mut want, mut got) = (vec![0.0; n], vec![0.0; n]);
                unary_f32_with(Isa::Fallback, op, &x, &mut want);
                unary_f32_with(isa, op, &x, &mut got);
                for i in 0..n {
                    assert!(same(want[i], got[i]), "{isa:?} {op:?} n={n} x={}: {} vs {}", x[i], got[i], want[i]);
                }
            }
        }
    }
}

#[test]
fn exact_binary_ops_match_the_fallback_bit_for_bit() {
    // Every binary kernel, ReLU's gradient included, but the one that is not exact (bce_with_logits: see
    // `transcendental_ulps`).
    let ops = BinaryKernel::ALL.into_iter().filter(|&op| op != BinaryKernel::Op(BinaryOp::BceWithLogits));
    for isa in simd_paths() {
        for op in ops.clone() {
            for n in LENGTHS {
                let l = awkward(n, 7 + n as u64);
                let mut r = awkward(n, 99 + n as u64);
                r.iter_mut().step_by(4).zip(&l).for_each(|(r, &l)| *r = l); // some equal pairs
                let operands = [
                    (Operand::Slice(&l[..]), Operand::Slice(&r[..])),
                    (Operand::Slice(&l[..]), Operand::Scalar(0.75)),
                    (Operand::Scalar(-2.0), Operand::Slice(&r[..])),
                    (Operand::Slice(&l[..]), Operand::Scalar(f32::NAN)),
                ];
                for (lhs, rhs) in operands {
                    let (mut want, mut got) = (vec![0.0; n], vec![0.0; n]);
                    binary_kernel_f32_with(Isa::Fallback, op, lhs, rhs, &mut want);
                    binary_kernel_f32_with(isa, op, lhs, rhs, &mut got);
                    for i in 0..n {
                        assert!(
                            same(want[i], got[i]),
                            "{isa:?} {op:?} n={n} ({}, {}): {} vs {}",
                            lhs.get(i),
                            rhs.get(i),
                            got[i],
                            want[i]
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn sums_are_bit_identical_on_every_path() {
    let mut rng = Rng(5);
    for n in (0..300).chain([1023, 1024, 1025, 4096, 10_000, 100_003]) {
        let x: Vec<f32> = (0..n).map(|_| rng.uniform(-1.0, 1.0) * 10f32.powi((rng.next() % 7) as i32)).collect();
        let want = sum_f32_with(Isa::Fallback, &x);
        // The reference itself is close to the exact (f64) sum.
        let exact: f64 = x.iter().map(|&v| v as f64).sum();
        let scale: f64 = x.iter().map(|&v| (v as f64).abs()).sum();
        assert!((want as f64 - exact).abs() <= 1e-5 * scale + 1e-30, "n={n}: {want} vs {exact}");
        for isa in simd_paths() {
            let got = sum_f32_with(isa, &x);
            assert_eq!(got.to_bits(), want.to_bits(), "{isa:?} n={n}: {got} vs {want}");
        }
    }
}

#[test]
fn max_and_min_match_the_fallback() {
    for isa in simd_paths() {
        for n in LENGTHS.into_iter().filter(|&n| n > 0).chain([64, 65, 333]) {
            for nan_at in [None, Some(0), Some(n / 2), Some(n - 1)] {
                let mut rng = Rng(n as u64);
                let mut x: Vec<f32> = (0..n).map(|_| rng.uniform(-50.0, 50.0)).collect();
                if let Some(i) = nan_at {
                    x[i] = f32::NAN;
                }
                for max in [true, false] {
                    let want = max_min_f32_with(Isa::Fallback, &x, max);
                    let got = max_min_f32_with(isa, &x, max);
                    assert!(same(want, got), "{isa:?} max={max} n={n} nan_at={nan_at:?}: {got} vs {want}");
                }
            }
        }
    }
}

/// Largest ulp error of `op` on `isa` against the scalar oracle, over a dense grid of `[lo, hi]` and random
/// bit patterns.
fn max_ulps(isa: Isa, op: UnaryOp, lo: f32, hi: f32) -> (u32, f32) {
    let grid = 1 << 20;
    let mut x: Vec<f32> = (0..grid).map(|i| lo + (hi - lo) * (i as f32 / grid as f32)).collect();
    let mut rng = Rng(17);
    x.extend((0..1 << 19).map(|_| rng.bits()));
    x.extend(awkward(64, 3));
    let mut got = vec![0.0; x.len()];
    unary_f32_with(isa, op, &x, &mut got);
    let mut worst = (0, 0.0);
    for (&v, &g) in x.iter().zip(&got) {
        let u = ulps(g, ops::unary(op, v));
        if u > worst.0 {
            worst = (u, v);
        }
    }
    worst
}

#[test]
fn transcendental_ulps() {
    let cases = [
        (UnaryOp::Exp, -104.0, 89.0, 1),
        (UnaryOp::Log, 0.0, 1e4, 1),
        (UnaryOp::Log1p, -1.0, 1e6, 2),
        (UnaryOp::Log1p, -1e-3, 1e-3, 2),
        (UnaryOp::Sigmoid, -110.0, 110.0, 2),
        (UnaryOp::Tanh, -12.0, 12.0, 2),
    ];
    for isa in simd_paths() {
        for (op, lo, hi, bound) in cases {
            let (u, at) = max_ulps(isa, op, lo, hi);
            eprintln!("{isa:?} {op:?} on [{lo}, {hi}] + random bits: max {u} ulp (at x = {at:e})");
            assert!(u <= bound, "{isa:?} {op:?}: {u} ulp at x = {at:e} (bound {bound})");
        }
    }
}

#[test]
fn bce_with_logits_matches_the_oracle() {
    let mut rng = Rng(23);
    let n = 1 << 18;
    let mut x: Vec<f32> = (0..n).map(|_| rng.uniform(-120.0, 120.0)).collect();
    let mut y: Vec<f32> = (0..n).map(|i| if i % 3 == 0 { (i % 2) as f32 } else { rng.uniform(0.0, 1.0) }).collect();
    for (xv, yv) in [(1e4, 1.0), (-1e4, 1.0), (1e4, 0.0), (f32::INFINITY, 1.0), (f32::NEG_INFINITY, 0.0)] {
        x.push(xv);
        y.push(yv);
    }
    for isa in simd_paths() {
        let mut got = vec![0.0; x.len()];
        binary_f32_with(isa, BinaryOp::BceWithLogits, Operand::Slice(&x), Operand::Slice(&y), &mut got);
        let (mut worst_ulp, mut worst_abs) = (0, 0.0f32);
        for i in 0..x.len() {
            let want = ops::bce_with_logits(x[i], y[i]);
            worst_ulp = worst_ulp.max(ulps(got[i], want));
            worst_abs = worst_abs.max((got[i] - want).abs() / want.abs().max(1.0));
        }
        eprintln!("{isa:?} bce_with_logits: max {worst_ulp} ulp, max error {worst_abs:e} relative to max(|l|, 1)");
        assert!(worst_abs <= 4e-7, "{isa:?}: error {worst_abs:e}");
    }
}

#[cfg(feature = "bench")]
#[test]
fn forcing_a_path_changes_active() {
    let best = active();
    force(Some(Isa::Fallback));
    assert_eq!(active(), Isa::Fallback);
    force(None);
    assert_eq!(active(), best);
}

#[test]
fn column_sums_match_the_scalar_loop_bit_for_bit_on_every_path() {
    let mut rng = Rng(31);
    for inner in [1, 2, 3, 7, 8, 10, 15, 16, 17, 31, 33, 64, 65, 70, 100, 130] {
        for n in [0, 1, 2, 5, 16, 33, 800] {
            let x: Vec<f32> =
                (0..n * inner).map(|_| rng.uniform(-3.0, 3.0) * 10f32.powi(rng.next() as i32 % 5)).collect();
            // The oracle: one column at a time, rows in order, from zero.
            let want: Vec<f32> = (0..inner).map(|j| (0..n).fold(0.0f32, |a, i| a + x[i * inner + j])).collect();
            for isa in std::iter::once(Isa::Fallback).chain(simd_paths()) {
                // A longer output: the kernel must write `inner` values and leave the rest alone.
                let mut got = vec![f32::NAN; inner + 3];
                col_sums_f32_with(isa, &x, inner, &mut got);
                for j in 0..inner {
                    assert_eq!(got[j].to_bits(), want[j].to_bits(), "{isa:?}: column {j} of [{n}, {inner}]");
                }
                assert!(got[inner..].iter().all(|v| v.is_nan()), "{isa:?}: wrote past {inner} columns");
            }
        }
    }
}
