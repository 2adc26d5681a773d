//! Tests of the CPU matmul (`tensor::cpu::kernels::gemm`): every path (direct, packed, packed + parallel) and
//! every instruction set this CPU has, against the naive triple loop (the reference of `gemm/naive.rs`), on odd
//! sizes, empty sizes, transposed / strided / offset / broadcast operands, with and without accumulation; plus
//! thread-count independence.

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tensor::cpu::kernels::gemm::{
    gemm_bias_f32_with, gemm_f32, gemm_f32_with, gemm_f64, gemm_f64_with, gemm_naive, Isa, MatRef, Path,
};

const PATHS: [Path; 5] = [Path::Auto, Path::AutoSerial, Path::Direct, Path::Packed, Path::PackedParallel];

fn isas() -> Vec<Isa> {
    Isa::ALL.into_iter().filter(|i| i.is_available()).collect()
}

/// How an operand is laid out in memory.
#[derive(Clone, Copy, Debug)]
enum Layout {
    RowMajor,
    /// Stored as the row-major transpose (rs = 1, cs = rows).
    Transposed,
    /// Row-major with padding between rows and columns, at an offset.
    Strided,
    /// One row repeated (rs = 0).
    BroadcastRows,
}

const LAYOUTS: [Layout; 4] = [Layout::RowMajor, Layout::Transposed, Layout::Strided, Layout::BroadcastRows];

/// A `rows × cols` operand in `layout`, values in [-1, 1).
struct Operand<T> {
    data: Vec<T>,
    offset: usize,
    rows: usize,
    cols: usize,
    rs: usize,
    cs: usize,
}

impl<T: Copy> Operand<T> {
    fn new(rows: usize, cols: usize, layout: Layout, rng: &mut StdRng, conv: fn(f64) -> T) -> Self {
        let (offset, rs, cs, len) = match layout {
            Layout::RowMajor => (0, cols, 1, rows * cols),
            Layout::Transposed => (0, 1, rows, rows * cols),
            Layout::Strided => (5, 3 * cols + 2, 3, 5 + rows * (3 * cols + 2)),
            Layout::BroadcastRows => (2, 0, 1, 2 + cols),
        };
        let data = (0..len).map(|_| conv(rng.gen_range(-1.0..1.0))).collect();
        Self { data, offset, rows, cols, rs, cs }
    }

    fn view(&self) -> MatRef<'_, T> {
        MatRef { data: &self.data, offset: self.offset, rows: self.rows, cols: self.cols, rs: self.rs, cs: self.cs }
    }
}

/// Asserts `got` ≈ `want` elementwise, relative to Σ_p |lhs_ip|·|rhs_pj| (the scale of the rounding error
/// of a length-k dot product) times k·eps.
fn assert_close<T: Copy + Into<f64>>(got: &[T], want: &[T], abs_scale: &[f64], k: usize, eps: f64, what: &str) {
    assert_eq!(got.len(), want.len());
    for (i, ((&g, &w), &s)) in got.iter().zip(want).zip(abs_scale).enumerate() {
        let (g, w) = (g.into(), w.into());
        let tol = 4.0 * eps * (k as f64 + 2.0) * (s + w.abs()) + f64::MIN_POSITIVE;
        assert!((g - w).abs() <= tol, "{what}: element {i}: got {g}, want {w} (tol {tol})");
    }
}

/// Σ_p |lhs_ip|·|rhs_pj| for each output element.
fn abs_scale<T: Copy + Into<f64>>(lhs: MatRef<T>, rhs: MatRef<T>) -> Vec<f64> {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    let mut s = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            for p in 0..k {
                let a: f64 = lhs.data[lhs.idx(i, p)].into();
                let b: f64 = rhs.data[rhs.idx(p, j)].into();
                s[i * n + j] += a.abs() * b.abs();
            }
        }
    }
    s
}

/// Checks every path × ISA for one f32 and one f64 problem against the naive loop.
fn check_all(m: usize, k: usize, n: usize, ll: Layout, rl: Layout, accumulate: bool, seed: u64, paths: &[Path]) {
    let mut rng = StdRng::seed_from_u64(seed);
    let lhs = Operand::<f32>::new(m, k, ll, &mut rng, |x| x as f32);
    let rhs = Operand::<f32>::new(k, n, rl, &mut rng, |x| x as f32);
    let init: Vec<f32> = (0..m * n).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let mut want = init.clone();
    gemm_naive(lhs.view(), rhs.view(), &mut want, accumulate);
    let mut scale = abs_scale(lhs.view(), rhs.view());
    if accumulate {
        scale.iter_mut().zip(&init).for_each(|(s, i)| *s += f64::from(i.abs()));
    }
    for &isa in &isas() {
        for &path in paths {
            let mut got = init.clone();
            gemm_f32_with(isa, path, lhs.view(), rhs.view(), &mut got, accumulate);
            let what = format!("f32 {m}x{k}x{n} {ll:?}·{rl:?} acc={accumulate} {isa:?} {path:?}");
            assert_close(&got, &want, &scale, k, f64::from(f32::EPSILON), &what);
        }
    }

    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    let lhs = Operand::<f64>::new(m, k, ll, &mut rng, |x| x);
    let rhs = Operand::<f64>::new(k, n, rl, &mut rng, |x| x);
    let init: Vec<f64> = (0..m * n).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let mut want = init.clone();
    gemm_naive(lhs.view(), rhs.view(), &mut want, accumulate);
    let mut scale = abs_scale(lhs.view(), rhs.view());
    if accumulate {
        scale.iter_mut().zip(&init).for_each(|(s, i)| *s += i.abs());
    }
    for &isa in &isas() {
        for &path in paths {
            let mut got = init.clone();
            gemm_f64_with(isa, path, lhs.view(), rhs.view(), &mut got, accumulate);
            let what = format!("f64 {m}x{k}x{n} {ll:?}·{rl:?} acc={accumulate} {isa:?} {path:?}");
            assert_close(&got, &want, &scale, k, f64::EPSILON, &what);
        }
    }
}

#[test]
fn odd_sizes_every_path_and_isa() {
    let sizes = [1, 7, 63, 65];
    let mut seed = 0;
    for &m in &sizes {
        for &k in &sizes {
            for &n in &sizes {
                seed += 1;
                check_all(m, k, n, Layout::RowMajor, Layout::RowMajor, seed % 2 == 0, seed, &PATHS);
            }
        }
    }
}

#[test]
fn size_257_crosses_every_block_edge() {
    check_all(257, 257, 257, Layout::RowMajor, Layout::RowMajor, false, 1, &[Path::Packed, Path::PackedParallel]);
    check_all(257, 300, 129, Layout::Transposed, Layout::Strided, true, 2, &[Path::Auto, Path::PackedParallel]);
}

#[test]
fn skinny_and_mlp_shapes() {
    // (m, k, n, lhs layout): the tutorial's forward and backward shapes plus extremes.
    let shapes = [
        (800, 2, 10, Layout::RowMajor),
        (800, 10, 10, Layout::RowMajor),
        (800, 10, 1, Layout::RowMajor),
        (200, 10, 10, Layout::RowMajor),
        (10, 800, 10, Layout::Transposed),
        (2, 800, 10, Layout::Transposed),
        (800, 1, 10, Layout::RowMajor),
        (800, 10, 2, Layout::RowMajor),
        (1, 1000, 1, Layout::RowMajor),
        (1, 1, 1000, Layout::RowMajor),
        (1000, 1, 1, Layout::RowMajor),
        (3, 5, 17, Layout::RowMajor),
    ];
    for (s, &(m, k, n, ll)) in shapes.iter().enumerate() {
        for rl in [Layout::RowMajor, Layout::Transposed] {
            check_all(m, k, n, ll, rl, s % 2 == 1, s as u64, &PATHS);
        }
    }
}

/// A matmul entry point of one element type.
type GemmWith<T> = fn(Isa, Path, MatRef<T>, MatRef<T>, &mut [T], bool);

/// `lhs · rhs` on the direct path for a random row-major lhs and for the same values stored transposed.
fn direct_row_major_and_transposed<T: Copy + Default>(
    isa: Isa,
    (m, k, n): (usize, usize, usize),
    rng: &mut StdRng,
    conv: fn(f64) -> T,
    gemm: GemmWith<T>,
) -> (Vec<T>, Vec<T>) {
    let row_major = Operand::<T>::new(m, k, Layout::RowMajor, rng, conv);
    let mut transposed = vec![T::default(); m * k];
    for i in 0..m {
        for p in 0..k {
            transposed[p * m + i] = row_major.data[i * k + p];
        }
    }
    let t_view = MatRef { data: &transposed, offset: 0, rows: m, cols: k, rs: 1, cs: m };
    let rhs = Operand::<T>::new(k, n, Layout::RowMajor, rng, conv);
    let (mut want, mut got) = (vec![T::default(); m * n], vec![T::default(); m * n]);
    gemm(isa, Path::Direct, row_major.view(), rhs.view(), &mut want, false);
    gemm(isa, Path::Direct, t_view, rhs.view(), &mut got, false);
    (want, got)
}

#[test]
fn transposed_lhs_gives_the_bits_of_its_row_major_copy_on_the_direct_path() {
    // A transposed lhs (contiguous columns, the backward `Xᵀ · dy`) with a long k takes direct blocks that load
    // the column once and permute broadcasts out of it; the products and their order are those of a row-major
    // lhs, so the bits must be equal. Every block height 1..=17, a full block of 24 and a 25th row.
    let mut rng = StdRng::seed_from_u64(11);
    for isa in isas() {
        for m in (1..=17).chain([24, 25]) {
            for (k, n) in [(100, 10), (64, 16), (77, 3)] {
                let (want, got) =
                    direct_row_major_and_transposed(isa, (m, k, n), &mut rng, |x| x as f32, gemm_f32_with);
                let same = want.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{isa:?} f32 m={m} k={k} n={n}: {got:?} != {want:?}");
                let (want, got) = direct_row_major_and_transposed(isa, (m, k, n), &mut rng, |x| x, gemm_f64_with);
                let same = want.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{isa:?} f64 m={m} k={k} n={n}: {got:?} != {want:?}");
            }
        }
    }
}

#[test]
fn short_k_rows_give_the_bits_of_the_packed_path() {
    // With AVX-512, a product with k ≤ 16 takes the short-k kernel (rhs rows held in registers). Each output is
    // one FMA chain over p = 0..k from zero, then `out +` it when accumulating: the order of the packed
    // microkernel for k ≤ kc. So the bits must match, for a contiguous lhs (constant offsets) and a strided
    // one, full groups of 8 rows and leftover rows. (n ≥ 3: outputs of 1 or 2 columns take the dot kernel.)
    if !Isa::Avx512.is_available() {
        eprintln!("short_k_rows_give_the_bits_of_the_packed_path: no AVX-512 on this CPU, nothing to compare");
        return;
    }
    let mut rng = StdRng::seed_from_u64(13);
    for k in 1..=16 {
        for (m, n) in [(1, 3), (7, 10), (8, 16), (9, 5), (37, 13), (800, 10)] {
            for ll in [Layout::RowMajor, Layout::Strided] {
                let acc = (k + m) % 2 == 1;
                let lhs = Operand::<f32>::new(m, k, ll, &mut rng, |x| x as f32);
                let rhs = Operand::<f32>::new(k, n, Layout::RowMajor, &mut rng, |x| x as f32);
                let start: Vec<f32> = (0..m * n).map(|i| (i % 5) as f32 - 2.0).collect();
                let (mut want, mut got) = (start.clone(), start);
                gemm_f32_with(Isa::Avx512, Path::Packed, lhs.view(), rhs.view(), &mut want, acc);
                gemm_f32_with(Isa::Avx512, Path::Direct, lhs.view(), rhs.view(), &mut got, acc);
                let same = want.iter().zip(&got).all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{ll:?} m={m} k={k} n={n} accumulate {acc}");
                let lhs = Operand::<f64>::new(m, k, ll, &mut rng, |x| x);
                let rhs = Operand::<f64>::new(k, n.min(8), Layout::RowMajor, &mut rng, |x| x);
                let (mut want, mut got) = (vec![0.5f64; m * n.min(8)], vec![0.5f64; m * n.min(8)]);
                gemm_f64_with(Isa::Avx512, Path::Packed, lhs.view(), rhs.view(), &mut want, acc);
                gemm_f64_with(Isa::Avx512, Path::Direct, lhs.view(), rhs.view(), &mut got, acc);
                assert!(want == got, "f64 {ll:?} m={m} k={k} n={} accumulate {acc}", n.min(8));
            }
        }
    }
}

#[test]
fn partial_panels_of_every_edge_width() {
    // The last, partial panel of a block is packed and computed by the narrowest kernel that covers it (AVX-512:
    // 16, 32 or 48 f32 columns, 8, 16 or 24 f64). n mod 64 (f32) and n mod 32 (f64) hit each width exactly and
    // in between; a row-major rhs (whole-row packing) and a transposed one; accumulation; 2 threads too.
    let paths = [Path::Packed, Path::PackedParallel];
    for (s, n) in [80, 96, 112, 100, 90, 70, 65, 40, 45, 56].into_iter().enumerate() {
        let acc = s % 2 == 0;
        check_all(13, 40, n, Layout::RowMajor, Layout::RowMajor, acc, 200 + s as u64, &paths);
        check_all(25, 130, n, Layout::Transposed, Layout::Transposed, !acc, 300 + s as u64, &paths);
    }
    // Bit for bit: the same FMA chain per element as the full-width kernel, whose zero-padded columns never
    // touch the others. For k ≤ kc (one panel) and m ≥ 7 (one sum per element) the direct blocks add in the
    // same order, so they must agree exactly.
    if Isa::Avx512.is_available() {
        let mut rng = StdRng::seed_from_u64(17);
        for n in [80, 96, 112, 100, 70] {
            let lhs = Operand::<f32>::new(13, 40, Layout::RowMajor, &mut rng, |x| x as f32);
            let rhs = Operand::<f32>::new(40, n, Layout::RowMajor, &mut rng, |x| x as f32);
            let (mut packed, mut direct) = (vec![0.0f32; 13 * n], vec![0.0f32; 13 * n]);
            gemm_f32_with(Isa::Avx512, Path::Packed, lhs.view(), rhs.view(), &mut packed, false);
            gemm_f32_with(Isa::Avx512, Path::Direct, lhs.view(), rhs.view(), &mut direct, false);
            let same = packed.iter().zip(&direct).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "13x40x{n}: packed with an edge kernel differs from direct");
        }
    }
}

#[test]
fn every_layout_pair_and_accumulate() {
    let mut seed = 100;
    for ll in LAYOUTS {
        for rl in LAYOUTS {
            for accumulate in [false, true] {
                seed += 1;
                check_all(37, 29, 70, ll, rl, accumulate, seed, &PATHS);
            }
        }
    }
}

#[test]
fn empty_dimensions() {
    for isa in isas() {
        for path in PATHS {
            // k = 0: an empty sum, so out = 0, or out unchanged when accumulating.
            let (l, r) = (vec![0.0f32; 0], vec![0.0f32; 0]);
            let mut out = vec![3.0f32; 12];
            gemm_f32_with(isa, path, MatRef::row_major(&l, 3, 0), MatRef::row_major(&r, 0, 4), &mut out, true);
            assert!(out.iter().all(|&x| x == 3.0), "{isa:?} {path:?}");
            gemm_f32_with(isa, path, MatRef::row_major(&l, 3, 0), MatRef::row_major(&r, 0, 4), &mut out, false);
            assert!(out.iter().all(|&x| x == 0.0), "{isa:?} {path:?}");
            // m = 0 or n = 0: nothing to write.
            let l = vec![1.0f64; 5];
            let mut out: Vec<f64> = vec![];
            gemm_f64_with(isa, path, MatRef::row_major(&l, 0, 5), MatRef::row_major(&l, 5, 1), &mut out, false);
            gemm_f64_with(isa, path, MatRef::row_major(&l, 1, 5), MatRef::row_major(&l, 5, 0), &mut out, false);
        }
    }
}

#[test]
fn simd_matches_fallback_on_every_path() {
    // Same path, SIMD vs portable: they differ by FMA rounding only.
    let mut rng = StdRng::seed_from_u64(7);
    let (m, k, n) = (45, 130, 83);
    let lhs = Operand::<f32>::new(m, k, Layout::Transposed, &mut rng, |x| x as f32);
    let rhs = Operand::<f32>::new(k, n, Layout::RowMajor, &mut rng, |x| x as f32);
    let scale = abs_scale(lhs.view(), rhs.view());
    for path in PATHS {
        let mut reference = vec![0.0f32; m * n];
        gemm_f32_with(Isa::Fallback, path, lhs.view(), rhs.view(), &mut reference, false);
        for isa in isas() {
            let mut got = vec![0.0f32; m * n];
            gemm_f32_with(isa, path, lhs.view(), rhs.view(), &mut got, false);
            assert_close(&got, &reference, &scale, k, f64::from(f32::EPSILON), &format!("{isa:?} {path:?}"));
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut rng = StdRng::seed_from_u64(11);
    let (m, k, n) = (301, 517, 263);
    let lhs = Operand::<f32>::new(m, k, Layout::RowMajor, &mut rng, |x| x as f32);
    let rhs = Operand::<f32>::new(k, n, Layout::Transposed, &mut rng, |x| x as f32);
    let run = |threads: usize, path: Path| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut out = vec![0.5f32; m * n];
        pool.install(|| gemm_f32_with(Isa::best(), path, lhs.view(), rhs.view(), &mut out, true));
        out
    };
    let serial = run(1, Path::Packed);
    for threads in [1, 2, 3] {
        for path in [Path::Auto, Path::PackedParallel] {
            let got = run(threads, path);
            assert!(got == serial, "{threads} threads, {path:?}: not bit-identical to the serial result");
        }
    }
}

#[test]
fn parallel_calls_from_outside_the_pool_match_the_serial_result() {
    // Called from the test thread (outside any pool), a parallel product runs as a team when the tapegrad pool
    // has two threads (`cpu::team`; CI's 2-core machines), through rayon otherwise. Either way: the serial bits.
    // The shapes cover several k panels and n blocks, row splits with a partial tile, an output too short to
    // split by rows (a column split, with a partial panel), one too small to split at all (one member), a lhs
    // read in place (row-major) and a packed one (transposed), and accumulation.
    let mut rng = StdRng::seed_from_u64(12);
    for &(m, k, n, acc) in &[
        (301, 517, 263, true),
        (50, 300, 1100, false),
        (13, 260, 700, true),
        (256, 256, 256, false),
        (7, 300, 100, true),
    ] {
        let lhs = Operand::<f32>::new(m, k, Layout::RowMajor, &mut rng, |x| x as f32);
        let rhs = Operand::<f32>::new(k, n, Layout::Transposed, &mut rng, |x| x as f32);
        let start: Vec<f32> = (0..m * n).map(|i| (i % 7) as f32 * 0.25).collect();
        let mut serial = start.clone();
        gemm_f32_with(Isa::best(), Path::Packed, lhs.view(), rhs.view(), &mut serial, acc);
        for _ in 0..3 {
            let mut got = start.clone();
            gemm_f32_with(Isa::best(), Path::PackedParallel, lhs.view(), rhs.view(), &mut got, acc);
            assert!(got == serial, "{m}x{k}x{n} (accumulate {acc}): parallel differs from serial");
        }
        let lhs = Operand::<f64>::new(m, k, Layout::Transposed, &mut rng, |x| x);
        let rhs = Operand::<f64>::new(k, n, Layout::RowMajor, &mut rng, |x| x);
        let mut serial = vec![0.0f64; m * n];
        gemm_f64_with(Isa::best(), Path::Packed, lhs.view(), rhs.view(), &mut serial, false);
        let mut got = vec![0.0f64; m * n];
        gemm_f64_with(Isa::best(), Path::PackedParallel, lhs.view(), rhs.view(), &mut got, false);
        assert!(got == serial, "f64 {m}x{k}x{n}: parallel differs from serial");
    }
}

#[test]
fn public_entry_points_agree_with_forced_paths() {
    let mut rng = StdRng::seed_from_u64(3);
    let lhs = Operand::<f64>::new(70, 40, Layout::RowMajor, &mut rng, |x| x);
    let rhs = Operand::<f64>::new(40, 90, Layout::RowMajor, &mut rng, |x| x);
    let mut a = vec![0.0; 70 * 90];
    let mut b = vec![0.0; 70 * 90];
    gemm_f64(lhs.view(), rhs.view(), &mut a, false);
    gemm_f64_with(Isa::best(), Path::Auto, lhs.view(), rhs.view(), &mut b, false);
    assert_eq!(a, b);
}

/// A batched product as a caller that parallelises itself makes it: for `b` in `0..batch`, `out[b] (+)= lhs[b] ·
/// rhs[b]` (batch element `b` of an operand is the view shifted by `b * batch_stride` elements, a stride of 0
/// broadcasts it), one batch element per rayon task, each computed with `Path::AutoSerial`.
fn batched_f32(
    batch: usize,
    (lhs, lhs_batch_stride): (MatRef<f32>, usize),
    (rhs, rhs_batch_stride): (MatRef<f32>, usize),
    out: &mut [f32],
    accumulate: bool,
) {
    use rayon::prelude::*;
    let (m, n) = (lhs.rows, rhs.cols);
    assert_eq!(out.len(), batch * m * n, "batched: out holds {batch} products of {m}x{n}");
    out.par_chunks_mut(m * n).enumerate().for_each(|(b, o)| {
        let l = MatRef { offset: lhs.offset + b * lhs_batch_stride, ..lhs };
        let r = MatRef { offset: rhs.offset + b * rhs_batch_stride, ..rhs };
        gemm_f32_with(Isa::best(), Path::AutoSerial, l, r, o, accumulate)
    });
}

#[test]
fn batched_equals_one_call_per_batch_element() {
    let mut rng = StdRng::seed_from_u64(5);
    let (batch, m, k, n) = (6, 33, 12, 9);
    let lhs: Vec<f32> = (0..batch * m * k).map(|_| rng.gen_range(-1.0..1.0)).collect();
    // rhs is broadcast over the batch (batch stride 0).
    let rhs: Vec<f32> = (0..k * n).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let mut out = vec![0.0f32; batch * m * n];
    let l = MatRef::row_major(&lhs, m, k);
    let r = MatRef::row_major(&rhs, k, n);
    batched_f32(batch, (l, m * k), (r, 0), &mut out, false);
    for b in 0..batch {
        let mut one = vec![0.0f32; m * n];
        gemm_f32(MatRef { offset: b * m * k, ..l }, r, &mut one, false);
        assert_eq!(&out[b * m * n..][..m * n], &one[..], "batch element {b}");
    }
}

#[cfg(feature = "bench")]
#[test]
fn bench_helper_reports_a_rate() {
    let (gflops, secs) = tensor::cpu::kernels::gemm::bench_matmul_gflops(24, 2);
    assert!(gflops.is_finite() && gflops > 0.0 && secs > 0.0, "{gflops} GFLOP/s in {secs} s");
}

#[test]
#[should_panic(expected = "matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3 differ")]
fn mismatched_inner_dimensions_panic() {
    let (l, r) = (vec![0.0f32; 1600], vec![0.0f32; 30]);
    let mut out = vec![0.0f32; 8000];
    gemm_f32(MatRef::row_major(&l, 800, 2), MatRef::row_major(&r, 3, 10), &mut out, false);
}

#[test]
#[should_panic(expected = "matmul: lhs [4, 3] and rhs [3, 5]: out has 19 elements, expected 20")]
fn wrong_out_length_panics() {
    let (l, r) = (vec![0.0f32; 12], vec![0.0f32; 15]);
    let mut out = vec![0.0f32; 19];
    gemm_f32(MatRef::row_major(&l, 4, 3), MatRef::row_major(&r, 3, 5), &mut out, false);
}

#[test]
#[should_panic(
    expected = "matmul: rhs view [3, 5] (offset 1, strides [5, 1]) reaches outside its buffer of 15 elements"
)]
fn view_outside_its_data_panics() {
    let (l, r) = (vec![0.0f32; 12], vec![0.0f32; 15]);
    let mut out = vec![0.0f32; 20];
    gemm_f32(MatRef::row_major(&l, 4, 3), MatRef { offset: 1, ..MatRef::row_major(&r, 3, 5) }, &mut out, false);
}

/// An offset whose last index wraps past `usize::MAX` to a small number is still outside the buffer (the check is
/// in checked arithmetic; a wrapping one would let the kernels read before the allocation).
#[test]
#[should_panic(expected = "matmul: lhs view [2, 3] (offset 18446744073709551614, strides [3, 1]) reaches outside")]
fn view_whose_last_index_wraps_panics() {
    let (l, r) = (vec![0.0f32; 6], vec![0.0f32; 6]);
    let mut out = vec![0.0f32; 4];
    gemm_f32(
        MatRef { offset: usize::MAX - 1, ..MatRef::row_major(&l, 2, 3) },
        MatRef::row_major(&r, 3, 2),
        &mut out,
        false,
    );
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![Just(Layout::RowMajor), Just(Layout::Transposed), Just(Layout::Strided), Just(Layout::BroadcastRows)]
}

fn path() -> impl Strategy<Value = Path> {
    prop_oneof![Just(Path::Auto), Just(Path::Direct), Just(Path::Packed), Just(Path::PackedParallel)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_shapes_and_strides(
        m in 1usize..90, k in 0usize..90, n in 1usize..140,
        ll in layout(), rl in layout(), accumulate: bool, seed: u64, path in path(),
    ) {
        check_all(m, k, n, ll, rl, accumulate, seed, &[path]);
    }
}

/// `out = bias + lhs · rhs` (the fused bias of a linear layer) is bit for bit the product followed by the add of
/// the bias row, on every instruction set, for row-major and transposed operands, including the one- and
/// two-column outputs that go through the dot kernels; shapes for the packed path are refused.
#[test]
fn bias_as_the_starting_value_gives_the_bits_of_adding_it_after() {
    let mut rng = StdRng::seed_from_u64(21);
    for (m, k, n) in [(1, 1, 1), (800, 2, 10), (800, 10, 10), (200, 10, 1), (37, 5, 2), (33, 17, 19), (5, 70, 40)] {
        for (ll, rl) in [
            (Layout::RowMajor, Layout::RowMajor),
            (Layout::RowMajor, Layout::Transposed),
            (Layout::Transposed, Layout::RowMajor),
        ] {
            let lhs = Operand::<f32>::new(m, k, ll, &mut rng, |x| x as f32);
            let rhs = Operand::<f32>::new(k, n, rl, &mut rng, |x| x as f32);
            let bias: Vec<f32> = (0..n).map(|j| if j % 4 == 3 { -0.0 } else { rng.gen_range(-2.0..2.0) }).collect();
            for isa in isas() {
                let mut want = vec![0.0f32; m * n];
                gemm_f32_with(isa, Path::Auto, lhs.view(), rhs.view(), &mut want, false);
                for (i, w) in want.iter_mut().enumerate() {
                    *w += bias[i % n];
                }
                let mut got = vec![f32::NAN; m * n];
                assert!(gemm_bias_f32_with(isa, lhs.view(), rhs.view(), &bias, &mut got), "{m}x{k}x{n} refused");
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert!(bits(&got) == bits(&want), "{isa:?} {m}x{k}x{n} {ll:?}·{rl:?}: not the bits of product + bias");
            }
        }
    }
    // Big enough for the packed path (which adds k in panels): refused, and `out` untouched.
    let lhs = Operand::<f32>::new(300, 300, Layout::RowMajor, &mut rng, |x| x as f32);
    let mut out = vec![7.0f32; 300 * 300];
    assert!(!gemm_bias_f32_with(Isa::Fallback, lhs.view(), lhs.view(), &[0.0; 300], &mut out));
    assert!(out.iter().all(|&x| x == 7.0));
}
