//! CPU-vs-GPU parity of every kernel family: the CPU backend is the oracle (it calls the scalar definitions of
//! `ops.rs`), the GPU must agree within f32 rounding.
//!
//! Property tests draw random shapes — dimensions of 0, 1 and sizes that are not multiples of the workgroup or
//! tile sizes — and random views of them: contiguous, transposed, narrowed (an offset and gaps) and expanded
//! (stride 0). Edge cases have their own tests: logits of ±1e4 and ±∞, softmax rows with -∞, argmax ties, a
//! 10^6-element reduction (multi-pass), matmul at sizes 1, 7, 63, 65, 130.
#![cfg(feature = "wgpu")]

mod gpu_common;

use gpu_common::{assert_close, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tensor::gpu::testing::gpu_or_skip;
use tensor::{ops, BinaryOp, DType, Device, ReduceOp, SoftmaxOp, Tensor, UnaryOp};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// How a test tensor of a given logical shape is laid out in memory.
#[derive(Clone, Copy, Debug)]
enum View {
    Contiguous,
    /// Stored with dimensions 0 and last swapped, then transposed back.
    Transposed,
    /// Narrowed out of a tensor with 2 more rows (an offset, and gaps when rank > 1).
    Narrowed,
    /// Dimension 0 expanded from size 1 (stride 0).
    Expanded,
}

fn any_view() -> impl Strategy<Value = View> {
    prop_oneof![Just(View::Contiguous), Just(View::Transposed), Just(View::Narrowed), Just(View::Expanded)]
}

/// A tensor with logical shape `shape` and layout `view`, on the CPU and the same on the GPU.
fn make(shape: &[usize], view: View, data: &dyn Fn(usize) -> Tensor, gpu: &Device) -> (Tensor, Tensor) {
    let r = shape.len();
    let view = match view {
        View::Transposed if r < 2 => View::Contiguous,
        View::Narrowed | View::Expanded if r < 1 => View::Contiguous,
        v => v,
    };
    let base_shape: Vec<usize> = match view {
        View::Contiguous => shape.to_vec(),
        View::Transposed => {
            let mut s = shape.to_vec();
            s.swap(0, r - 1);
            s
        }
        View::Narrowed => {
            let mut s = shape.to_vec();
            s[0] += 2;
            s
        }
        View::Expanded => {
            let mut s = shape.to_vec();
            s[0] = 1;
            s
        }
    };
    let n: usize = base_shape.iter().product();
    let cpu_base = data(n).reshape(&base_shape);
    let gpu_base = cpu_base.to_device(gpu);
    let apply = |t: &Tensor| match view {
        View::Contiguous => t.clone(),
        View::Transposed => t.transpose(0usize, r - 1),
        View::Narrowed => t.narrow(0usize, 1, shape[0]),
        View::Expanded => t.expand(shape),
    };
    (apply(&cpu_base), apply(&gpu_base))
}

fn f32_data(seed: u64, lo: f32, hi: f32) -> impl Fn(usize) -> Tensor {
    move |n| Tensor::from_vec(values(seed, n, lo, hi), &[n], &Device::Cpu)
}

/// Shapes of rank 0 to 4 with dimensions 0..=9 (mostly non-zero).
fn any_shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1 => Just(0usize), 1 => Just(1usize), 6 => 2usize..10], 0..=4)
}

const UNARY_OPS: &[UnaryOp] = &[
    UnaryOp::Neg,
    UnaryOp::Exp,
    UnaryOp::Log,
    UnaryOp::Log1p,
    UnaryOp::Sqrt,
    UnaryOp::Abs,
    UnaryOp::Relu,
    UnaryOp::Sigmoid,
    UnaryOp::Tanh,
    UnaryOp::Sign,
    UnaryOp::Round,
    UnaryOp::Powf(2.0),
    UnaryOp::Powf(-1.5),
    UnaryOp::Powf(3.0),
    UnaryOp::Clamp(-0.5, 1.25),
    UnaryOp::Affine(-2.0, 0.5),
];

const BINARY_OPS: &[BinaryOp] = &BinaryOp::ALL;

// --- elementwise.wgsl ----------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn unary_f32_matches_cpu(shape in any_shape(), view in any_view(), seed in any::<u64>()) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        for &op in UNARY_OPS {
            // Ops defined on x > 0 only get positive inputs; round gets exact halves too.
            let (lo, hi) = match op {
                UnaryOp::Log | UnaryOp::Sqrt | UnaryOp::Powf(_) => (0.01, 6.0),
                UnaryOp::Round => (-4.0, 4.0),
                _ => (-6.0, 6.0),
            };
            let data = move |n: usize| {
                let mut v = values(seed, n, lo, hi);
                if op == UnaryOp::Round {
                    v.iter_mut().for_each(|x| *x = (*x * 2.0).round() / 2.0);
                }
                Tensor::from_vec(v, &[n], &Device::Cpu)
            };
            let (c, g) = make(&shape, view, &data, &gpu);
            assert_close(op.name(), &c.unary(op), &g.unary(op), 2e-6, 1e-6);
        }
    }

    #[test]
    fn binary_f32_matches_cpu_with_broadcasting(
        shape in any_shape(), lview in any_view(), rview in any_view(), bcast in 0usize..3, seed in any::<u64>()
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        // rhs: the same shape, its last dimension only (a bias row), or a scalar.
        let rshape: Vec<usize> = match bcast {
            0 => shape.clone(),
            1 => shape.last().map(|&n| vec![n]).unwrap_or_default(),
            _ => vec![],
        };
        let (lc, lg) = make(&shape, lview, &f32_data(seed, 0.1, 3.0), &gpu);
        let (rc, rg) = make(&rshape, rview, &f32_data(seed ^ 1, -3.0, 3.0), &gpu);
        for &op in BINARY_OPS {
            assert_close(op.name(), &lc.binary(op, &rc), &lg.binary(op, &rg), 4e-6, 1e-6);
        }
        // ReLU's gradient, the binary kernel that no `BinaryOp` names (rhs: negatives, zeros and positives).
        assert_close("relu_backward", &lc.relu_backward(&rc), &lg.relu_backward(&rg), 4e-6, 1e-6);
        // Comparisons with equal operands (ties).
        assert_close("le (ties)", &lc.le(&lc), &lg.le(&lg), 0.0, 0.0);
    }

    #[test]
    fn int64_ops_match_cpu(shape in any_shape(), view in any_view(), seed in any::<u64>()) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        let ints = move |s: u64| move |n: usize| {
            let mut rng = StdRng::seed_from_u64(s);
            Tensor::from_vec((0..n).map(|_| rng.gen_range(-50i64..50)).collect::<Vec<_>>(), &[n], &Device::Cpu)
        };
        let (c, g) = make(&shape, view, &ints(seed), &gpu);
        for op in [UnaryOp::Neg, UnaryOp::Abs, UnaryOp::Relu, UnaryOp::Sign, UnaryOp::Clamp(-7.5, 20.2),
                   UnaryOp::Affine(3.0, -2.0), UnaryOp::Affine(0.5, 0.25)] {
            assert_close(op.name(), &c.unary(op), &g.unary(op), 0.0, 0.0);
        }
        let (rc, rg) = make(&shape, View::Contiguous, &ints(seed ^ 7), &gpu);
        // Division by a non-zero divisor (the CPU panics on zero).
        let nz = |t: &Tensor| t.abs().add_scalar(1.0);
        for &op in BINARY_OPS.iter().filter(|o| o.supports_int()) {
            let (rc, rg) = if op == BinaryOp::Div { (nz(&rc), nz(&rg)) } else { (rc.clone(), rg.clone()) };
            assert_close(op.name(), &c.binary(op, &rc), &g.binary(op, &rg), 0.0, 0.0);
        }
    }
}

#[test]
fn bce_with_logits_at_the_extremes() {
    let Some(gpu) = gpu_or_skip() else { return };
    let inf = f32::INFINITY;
    let logits = [1e4f32, -1e4, inf, -inf, 0.0, 30.0, -30.0, 1e-3];
    let mut x = Vec::new();
    let mut y = Vec::new();
    for &l in &logits {
        for t in [0.0f32, 1.0, 0.3] {
            x.push(l);
            y.push(t);
        }
    }
    let n = x.len();
    let (xc, yc) = (Tensor::from_vec(x, &[n], &Device::Cpu), Tensor::from_vec(y, &[n], &Device::Cpu));
    let (xg, yg) = (xc.to_device(&gpu), yc.to_device(&gpu));
    assert_close("bce_with_logits", &xc.bce_with_logits(&yc), &xg.bce_with_logits(&yg), 1e-6, 1e-7);
    // The values themselves: ℓ(∞, 1) = 0 and ℓ(-1e4, 1) = 1e4.
    let got = xg.bce_with_logits(&yg).to_vec::<f32>();
    assert_eq!(got[2 * 3 + 1], 0.0);
    assert_eq!(got[3 + 1], 1e4);
    // And the other special values: sigmoid and tanh saturate, log1p is accurate near 0.
    let s = Tensor::from_vec(vec![-1e4f32, 1e4, -inf, inf, 1e-7, -20.0], &[6], &Device::Cpu);
    let sg = s.to_device(&gpu);
    assert_close("sigmoid", &s.sigmoid(), &sg.sigmoid(), 2e-6, 0.0);
    assert_close("tanh", &s.tanh(), &sg.tanh(), 2e-6, 0.0);
    assert_close("log1p", &s.abs().log1p(), &sg.abs().log1p(), 2e-6, 0.0);
    assert_close("relu", &s.relu(), &sg.relu(), 0.0, 0.0);
}

// --- copy.wgsl ---------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn copy_cast_where_concat_match_cpu(
        shape in any_shape(), view in any_view(), seed in any::<u64>(), axis_pick in any::<prop::sample::Index>()
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        let (c, g) = make(&shape, view, &f32_data(seed, -40.0, 40.0), &gpu);
        assert_close("contiguous", &c.contiguous(), &g.contiguous(), 0.0, 0.0);
        let (ci, gi) = (c.to_dtype(DType::I64), g.to_dtype(DType::I64));
        assert_close("to_dtype(i64)", &ci, &gi, 0.0, 0.0);
        assert_close("to_dtype(f32)", &ci.to_dtype(DType::F32), &gi.to_dtype(DType::F32), 0.0, 0.0);
        // where over a float condition, an int condition, and a broadcast scalar branch.
        let (cond_c, cond_g) = (c.gt(&c.scalar_like(0.0)), g.gt(&g.scalar_like(0.0)));
        let (zc, zg) = (c.scalar_like(-1.0), g.scalar_like(-1.0));
        assert_close("where", &Tensor::where_cond(&cond_c, &c, &zc), &Tensor::where_cond(&cond_g, &g, &zg), 0.0, 0.0);
        assert_close(
            "where (int cond)",
            &Tensor::where_cond(&ci, &c.neg(), &c),
            &Tensor::where_cond(&gi, &g.neg(), &g),
            0.0,
            0.0,
        );
        if !shape.is_empty() {
            let axis = axis_pick.index(shape.len());
            let (c2, g2) = make(&shape, View::Transposed, &f32_data(seed ^ 3, -1.0, 1.0), &gpu);
            assert_close(
                "cat",
                &Tensor::cat(&[&c, &c2, &c], axis),
                &Tensor::cat(&[&g, &g2, &g], axis),
                0.0,
                0.0,
            );
        }
    }
}

#[test]
fn fill_matches_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (shape, v) in [(vec![0], 1.0), (vec![1], -2.5), (vec![257, 3], 3.0), (vec![5], 0.0)] {
        for dtype in [DType::F32, DType::I64] {
            let (c, g) = (Tensor::full(&shape, v, dtype, &Device::Cpu), Tensor::full(&shape, v, dtype, &gpu));
            assert_close("full", &c, &g, 0.0, 0.0);
        }
    }
}

// --- reduce.wgsl -------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn reductions_match_cpu(
        shape in any_shape(), view in any_view(), seed in any::<u64>(), axis_pick in any::<prop::sample::Index>(),
        ties in any::<bool>()
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        if shape.is_empty() {
            return Ok(());
        }
        // With `ties`, values from {0, 1, 2}: argmax/argmin must return the first index of the extreme.
        let data = move |n: usize| {
            let mut v = values(seed, n, -5.0, 5.0);
            if ties {
                v.iter_mut().for_each(|x| *x = x.abs().floor() % 3.0);
            }
            Tensor::from_vec(v, &[n], &Device::Cpu)
        };
        let (c, g) = make(&shape, view, &data, &gpu);
        let axis = axis_pick.index(shape.len());
        assert_close("sum", &c.sum_dim(axis), &g.sum_keepdim(axis).squeeze_dim(axis), 1e-5, 1e-5);
        if shape[axis] > 0 {
            for op in [ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin] {
                assert_close(op.name(), &c.reduce(op, axis, false), &g.reduce(op, axis, false), 0.0, 0.0);
            }
            let (ci, gi) = (c.to_dtype(DType::I64), g.to_dtype(DType::I64));
            for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin] {
                assert_close(op.name(), &ci.reduce(op, axis, false), &gi.reduce(op, axis, false), 0.0, 0.0);
            }
        }
    }

    #[test]
    fn long_row_reductions_match_cpu(
        rows in 1usize..4, n in prop_oneof![65usize..300, 4000usize..9000], seed in any::<u64>(), transposed in any::<bool>()
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        // Workgroup reductions (n > 64) and multi-pass ones (n > 4096), over a contiguous or a strided axis.
        let view = if transposed { View::Transposed } else { View::Contiguous };
        let data = move |len: usize| {
            let v: Vec<f32> = values(seed, len, 0.0, 8.0).into_iter().map(|x| x.floor() - 4.0).collect();
            Tensor::from_vec(v, &[len], &Device::Cpu)
        };
        let (c, g) = make(&[rows, n], view, &data, &gpu);
        for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin] {
            assert_close(op.name(), &c.reduce(op, 1usize, false), &g.reduce(op, 1usize, false), 0.0, 0.0);
            let (ci, gi) = (c.to_dtype(DType::I64), g.to_dtype(DType::I64));
            assert_close(op.name(), &ci.reduce(op, 1usize, false), &gi.reduce(op, 1usize, false), 0.0, 0.0);
        }
    }
}

#[test]
fn reduction_over_a_million_elements() {
    let Some(gpu) = gpu_or_skip() else { return };
    // Integers in [-3, 3]: every partial sum is exact in f32, so CPU and GPU must agree exactly.
    let n: usize = 1_000_000;
    let v: Vec<f32> = (0..n).map(|i| ((i * 7919 + 13) % 7) as f32 - 3.0).collect();
    let mut v2 = v.clone();
    v2[777_777] = 9.0; // the max, and a later tie that argmax must not pick
    v2[999_999] = 9.0;
    v2[123_456] = -9.0;
    let c = Tensor::from_vec(v2, &[1000, 1000], &Device::Cpu);
    let g = c.to_device(&gpu);
    for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin] {
        assert_close(op.name(), &c.reduce_all(op), &g.reduce_all(op), 0.0, 0.0);
    }
    assert_eq!(g.reduce_all(ReduceOp::ArgMax).to_vec::<i64>(), vec![777_777]);
    assert_eq!(g.reduce_all(ReduceOp::ArgMin).to_vec::<i64>(), vec![123_456]);
    // Over both axes of the square (columns are strided rows of 1000).
    assert_close("sum(0)", &c.sum_dim(0usize), &g.sum_dim(0usize), 0.0, 0.0);
    assert_close("argmax(0)", &c.argmax(0usize), &g.argmax(0usize), 0.0, 0.0);
}

// --- softmax.wgsl ------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn softmax_matches_cpu(
        shape in any_shape(), view in any_view(), seed in any::<u64>(), axis_pick in any::<prop::sample::Index>(),
        long_rows in any::<bool>()
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        let mut shape = shape;
        if shape.is_empty() {
            shape.push(3);
        }
        let axis = axis_pick.index(shape.len());
        if long_rows {
            shape[axis] = 200 + shape[axis] * 37; // workgroup-per-row kernel
        }
        let (c, g) = make(&shape, view, &f32_data(seed, -30.0, 30.0), &gpu);
        assert_close("softmax", &c.softmax(axis), &g.softmax(axis), 1e-5, 1e-7);
        assert_close("log_softmax", &c.log_softmax(axis), &g.log_softmax(axis), 1e-5, 1e-5);
    }
}

/// The GPU kernels of both ops against their scalar definitions (`ops::softmax`, `ops::log_softmax`, in f64) on
/// each geometry: short rows (one invocation per row), contiguous rows held in registers, and strided long rows.
#[test]
fn softmax_and_log_softmax_match_the_ops_oracle() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (rows, n, transposed) in [(5usize, 10usize, false), (3, 1024, false), (3, 300, true)] {
        let data = values(n as u64, rows * n, -20.0, 20.0);
        let x = Tensor::from_vec(data.clone(), &[rows, n], &Device::Cpu).to_device(&gpu);
        // The same rows, stored as columns and viewed transposed (a strided row).
        let x = if transposed { x.transpose(0usize, 1usize).contiguous().transpose(0usize, 1usize) } else { x };
        for op in SoftmaxOp::ALL {
            let got = match op {
                SoftmaxOp::Softmax => x.softmax(1usize),
                SoftmaxOp::LogSoftmax => x.log_softmax(1usize),
            };
            let got = got.to_vec::<f32>();
            for (r, row) in data.chunks(n).enumerate() {
                let row: Vec<f64> = row.iter().map(|&v| v as f64).collect();
                for (j, want) in ops::softmax_row(op, &row).into_iter().enumerate() {
                    let g = got[r * n + j] as f64;
                    assert!(
                        (g - want).abs() <= 1e-6 + 1e-5 * want.abs(),
                        "{} [{rows}, {n}] row {r}: {g} vs {want}",
                        op.name()
                    );
                }
            }
        }
    }
}

#[test]
fn softmax_of_extreme_rows() {
    let Some(gpu) = gpu_or_skip() else { return };
    let inf = f32::INFINITY;
    for n in [4usize, 300] {
        // Rows: ±1e4 (a naive exp overflows), some -inf entries, all -inf (NaN as PyTorch), and a +inf entry.
        let mut rows: Vec<Vec<f32>> = vec![vec![1e4; n], vec![-1e4; n], vec![-inf; n], vec![0.0; n]];
        rows[0][1] = -1e4;
        rows[1][n - 1] = 1e4;
        rows[3][0] = -inf;
        rows[3][2] = -inf;
        let flat: Vec<f32> = rows.concat();
        let c = Tensor::from_vec(flat, &[4, n], &Device::Cpu);
        let g = c.to_device(&gpu);
        assert_close("softmax", &c.softmax(1usize), &g.softmax(1usize), 1e-6, 1e-7);
        assert_close("log_softmax", &c.log_softmax(1usize), &g.log_softmax(1usize), 1e-6, 1e-6);
        assert!(g.softmax(1usize).to_vec2::<f32>()[2].iter().all(|v| v.is_nan()));
        assert_eq!(g.softmax(1usize).to_vec2::<f32>()[3][0], 0.0);
    }
}

// --- gather.wgsl -------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn gather_and_index_select_match_cpu(
        shape in any_shape(), view in any_view(), seed in any::<u64>(), axis_pick in any::<prop::sample::Index>(),
        picks in 0usize..12
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        if shape.is_empty() || shape.contains(&0) {
            return Ok(());
        }
        let axis = axis_pick.index(shape.len());
        let (c, g) = make(&shape, view, &f32_data(seed, -9.0, 9.0), &gpu);
        let mut rng = StdRng::seed_from_u64(seed ^ 5);
        let bound = shape[axis] as i64;
        // index_select: any number of picks, repeats allowed.
        let sel: Vec<i64> = (0..picks).map(|_| rng.gen_range(0..bound)).collect();
        let sc = Tensor::from_vec(sel, &[picks], &Device::Cpu);
        let sg = sc.to_device(&gpu);
        assert_close("index_select", &c.index_select(axis, &sc), &g.index_select(axis, &sg), 0.0, 0.0);
        // gather: an index of the input's shape with `axis` resized, read through a transposed view too.
        let mut ishape = shape.clone();
        ishape[axis] = picks;
        let inum: usize = ishape.iter().product();
        let idx: Vec<i64> = (0..inum).map(|_| rng.gen_range(0..bound)).collect();
        let ic = Tensor::from_vec(idx, &ishape, &Device::Cpu);
        let ig = ic.to_device(&gpu);
        assert_close("gather", &c.gather(axis, &ic), &g.gather(axis, &ig), 0.0, 0.0);
        // gather of an int tensor.
        let (ci, gi) = (c.to_dtype(DType::I64), g.to_dtype(DType::I64));
        assert_close("gather (i64)", &ci.gather(axis, &ic), &gi.gather(axis, &ig), 0.0, 0.0);
        // scatter_add, gather's adjoint (repeated indices add up): a direct pass on the CPU, a one-hot product
        // on the GPU, so the sums may round differently where an index repeats.
        let src = Tensor::new(&values(seed ^ 9, inum, -2.0, 2.0), &ishape);
        let on_gpu = g.scatter_add(axis, &ig, &src.to_device(&gpu));
        assert_close("scatter_add", &c.scatter_add(axis, &ic, &src), &on_gpu, 1e-5, 1e-5);
    }
}

// --- matmul.wgsl -------------------------------------------------------------------------------------------------

/// `lhs [b?, m, k] @ rhs [b?, k, n]` on both devices, with operands optionally stored transposed.
fn matmul_case(gpu: &Device, batch: Option<usize>, m: usize, k: usize, n: usize, lt: bool, rt: bool, seed: u64) {
    let mat = |rows: usize, cols: usize, t: bool, s: u64| {
        let lead: Vec<usize> = batch.into_iter().collect();
        let stored: Vec<usize> = lead.iter().copied().chain(if t { [cols, rows] } else { [rows, cols] }).collect();
        let numel: usize = stored.iter().product();
        let x = Tensor::from_vec(values(s, numel, -1.0, 1.0), &stored, &Device::Cpu);
        let r = stored.len();
        if t {
            x.transpose(r - 2, r - 1)
        } else {
            x
        }
    };
    let (lc, rc) = (mat(m, k, lt, seed), mat(k, n, rt, seed ^ 9));
    let (lg, rg) = (lc.to_device(gpu), rc.to_device(gpu));
    let what = format!("matmul b={batch:?} m={m} k={k} n={n} lhs_t={lt} rhs_t={rt}");
    assert_close(&what, &lc.matmul(&rc), &lg.matmul(&rg), 1e-5, 1e-6 * k as f64 + 1e-7);
}

#[test]
fn matmul_at_odd_sizes_and_transposed() {
    let Some(gpu) = gpu_or_skip() else { return };
    let sizes = [1usize, 7, 63, 65, 130];
    let mut seed = 0;
    for &m in &sizes {
        for &k in &sizes {
            for &n in &sizes {
                seed += 1;
                matmul_case(&gpu, None, m, k, n, seed % 2 == 0, seed % 3 == 0, seed);
            }
        }
    }
}

#[test]
fn matmul_of_the_tutorial_shapes() {
    let Some(gpu) = gpu_or_skip() else { return };
    matmul_case(&gpu, None, 800, 2, 10, false, true, 1); // x · W1ᵀ
    matmul_case(&gpu, None, 800, 10, 1, false, true, 2); // h · W3ᵀ
    matmul_case(&gpu, None, 10, 800, 10, true, false, 3); // gradient: hᵀ · δ
    matmul_case(&gpu, None, 0, 3, 4, false, false, 4);
    matmul_case(&gpu, None, 3, 0, 4, false, false, 5);
}

#[test]
fn linear_of_the_tutorial_layers() {
    // nn.Linear's forward, x · Wᵀ + b, on both devices: the layers of the tutorial's models.
    let Some(gpu) = gpu_or_skip() else { return };
    for (i, (n, fin, fout)) in
        [(800, 2, 10), (800, 10, 10), (200, 10, 1), (800, 10, 3), (7, 5, 3)].into_iter().enumerate()
    {
        let seed = 40 + i as u64;
        let x = Tensor::new(&values(seed, n * fin, -2.0, 2.0), &[n, fin]);
        let w = Tensor::new(&values(seed + 100, fout * fin, -1.0, 1.0), &[fout, fin]);
        let b = Tensor::new(&values(seed + 200, fout, -1.0, 1.0), &[fout]);
        let cpu = x.linear(&w, Some(&b));
        let on_gpu = x.to_device(&gpu).linear(&w.to_device(&gpu), Some(&b.to_device(&gpu)));
        assert_close(&format!("linear {n}x{fin} -> {fout}"), &cpu, &on_gpu, 1e-5, 1e-5);
    }
}

#[test]
fn matmul_vec4_path_at_aligned_sizes() {
    // Row-major operands with k and n multiples of 4, big enough for the tiled kernel: the vec4 variant.
    let Some(gpu) = gpu_or_skip() else { return };
    let mut seed = 100;
    for &m in &[1usize, 63, 64, 65, 130] {
        for &k in &[20usize, 64, 132] {
            for &n in &[4usize, 64, 68, 132] {
                seed += 1;
                if m * n > 4096 {
                    matmul_case(&gpu, None, m, k, n, false, false, seed);
                    matmul_case(&gpu, Some(2), m, k, n, false, false, seed);
                }
            }
        }
    }
    // Views: rows narrowed at an offset that is a multiple of 4 (vec4) and at one that is not (scalar kernel).
    for start in [4usize, 3] {
        let lc = Tensor::from_vec(values(7, 100 * 40, -1.0, 1.0), &[100, 40], &Device::Cpu).narrow(1, start, 32);
        let rc = Tensor::from_vec(values(8, 32 * 72, -1.0, 1.0), &[32, 72], &Device::Cpu);
        let (lg, rg) = (lc.to_device(&gpu), rc.to_device(&gpu));
        assert_close("matmul (narrowed lhs)", &lc.matmul(&rc), &lg.matmul(&rg), 1e-5, 1e-6 * 32.0 + 1e-7);
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn batched_matmul_matches_cpu(
        b in 1usize..4, m in 1usize..80, k in 0usize..80, n in 1usize..80, lt in any::<bool>(), rt in any::<bool>(),
        broadcast_rhs in any::<bool>(), seed in any::<u64>()
    ) {
        let Some(gpu) = gpu_or_skip() else { return Ok(()) };
        if broadcast_rhs {
            // [b, m, k] @ [k, n]: the rhs has batch stride 0.
            let lc = Tensor::from_vec(values(seed, b * m * k, -1.0, 1.0), &[b, m, k], &Device::Cpu);
            let rc = Tensor::from_vec(values(seed ^ 1, k * n, -1.0, 1.0), &[n, k], &Device::Cpu).t();
            let (lg, rg) = (lc.to_device(&gpu), rc.to_device(&gpu));
            assert_close("matmul (broadcast rhs)", &lc.matmul(&rc), &lg.matmul(&rg), 1e-5, 1e-6 * k as f64 + 1e-7);
        } else {
            matmul_case(&gpu, Some(b), m, k, n, lt, rt, seed);
        }
    }
}

/// `count_round_sigmoid_eq` (`metrics.wgsl`) against `target.eq(&logits.sigmoid().round()).sum()` on the same
/// device and on the CPU: the same bits, with logits at the rounding boundary (0 → 0.5 → 0), large magnitudes,
/// views with an offset, and sizes around the workgroup.
#[test]
fn count_round_sigmoid_eq_matches_the_unfused_ops() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (i, &n) in [1usize, 5, 255, 256, 257, 800, 5000].iter().enumerate() {
        let mut logits = values(300 + i as u64, n, -4.0, 4.0);
        logits[0] = 0.0;
        if n > 3 {
            (logits[1], logits[2], logits[3]) = (1e4, -1e4, -0.0);
        }
        let target: Vec<f32> = values(400 + i as u64, n, 0.0, 1.0).iter().map(|v| v.round()).collect();
        for dev in [&gpu, &Device::Cpu] {
            let (l, t) = (Tensor::from_slice(&logits, &[n], dev), Tensor::from_slice(&target, &[n], dev));
            let fused = l.count_round_sigmoid_eq(&t);
            let unfused = t.eq(&l.sigmoid().round()).sum();
            assert_eq!(fused.shape(), unfused.shape());
            assert_eq!(
                fused.to_vec::<f32>()[0].to_bits(),
                unfused.to_vec::<f32>()[0].to_bits(),
                "n={n} on {}",
                dev.name()
            );
        }
    }
    // A view with an offset.
    let l = Tensor::from_slice(&values(9, 40, -2.0, 2.0), &[40], &gpu).narrow(0, 3, 30);
    let t = Tensor::from_slice(&[1.0f32; 31], &[31], &gpu).narrow(0, 1, 30);
    assert_eq!(l.count_round_sigmoid_eq(&t).item(), t.eq(&l.sigmoid().round()).sum().item());
}

/// Logits for the loss kernels: uniform in [-4, 4] with ±1e4, ±∞, ±0 first; targets 0 or 1 (so the infinite
/// logits have finite losses), some in between past the first six.
fn bce_operands(seed: u64, n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut logits = values(seed, n, -4.0, 4.0);
    for (slot, v) in logits.iter_mut().zip([1e4, -1e4, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0]) {
        *slot = v;
    }
    let mut target: Vec<f32> = values(seed + 1, n, 0.0, 1.0)
        .iter()
        .enumerate()
        .map(|(i, &v)| if i % 7 == 3 && i >= 6 { v } else { v.round() })
        .collect();
    // +∞ predicts 1 and -∞ predicts 0 (a wrong target would make the loss infinite).
    for (slot, v) in target.iter_mut().skip(2).zip([1.0, 0.0]) {
        *slot = v;
    }
    (logits, target)
}

/// `bce_with_logits_mean` (`loss.wgsl`) against `bce_with_logits(..).mean()` on the same device: the same bits
/// for contiguous operands of 65 to 16384 elements (the kernel folds in the order of the one-chunk sum), within
/// relative 1e-6 elsewhere (at most 64 elements the unfused sum folds left to right; above 16384 it takes several
/// passes) and for views with an offset; at logits ±1e4 and ±∞.
#[test]
fn bce_with_logits_mean_matches_the_unfused_ops() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (i, &n) in [1usize, 6, 33, 64, 65, 255, 256, 257, 800, 1023, 5000, 16384, 20000].iter().enumerate() {
        let (logits, target) = bce_operands(500 + i as u64, n);
        for dev in [&gpu, &Device::Cpu] {
            let (l, t) = (Tensor::from_slice(&logits, &[n], dev), Tensor::from_slice(&target, &[n], dev));
            let fused = l.bce_with_logits_mean(&t);
            let unfused = l.bce_with_logits(&t).mean();
            assert_eq!(fused.shape(), unfused.shape());
            let (f, u) = (fused.to_vec::<f32>()[0], unfused.to_vec::<f32>()[0]);
            assert!(f.is_finite(), "n={n} on {}: {f}", dev.name());
            if (65..=16384).contains(&n) || dev.is_cpu() {
                assert_eq!(f.to_bits(), u.to_bits(), "n={n} on {}: fused {f}, unfused {u}", dev.name());
            } else {
                assert!((f - u).abs() <= 1e-6 * u.abs(), "n={n} on {}: fused {f}, unfused {u}", dev.name());
            }
        }
        // The GPU against the CPU (different sum orders and transcendental functions).
        let on = |dev: &Device| {
            Tensor::from_slice(&logits, &[n], dev).bce_with_logits_mean(&Tensor::from_slice(&target, &[n], dev)).item()
        };
        let (g, c) = (on(&gpu), on(&Device::Cpu));
        assert!((g - c).abs() <= 1e-5 * c.abs().max(1.0), "n={n}: GPU {g}, CPU {c}");
    }
    // Views with offsets, of rank 2: the unfused element-wise loss then runs in another kernel than the vec4 one
    // whose rounding the fused kernel shares, so the last bits may differ.
    let l = Tensor::from_slice(&values(11, 43, -3.0, 3.0), &[43], &gpu).narrow(0, 3, 40).reshape(&[20, 2]);
    let t = Tensor::from_slice(&values(12, 41, 0.0, 1.0), &[41], &gpu).narrow(0, 1, 40).reshape(&[20, 2]);
    let (f, u) = (l.bce_with_logits_mean(&t).item(), l.bce_with_logits(&t).mean().item());
    assert!((f - u).abs() <= 1e-6 * u.abs(), "a view: fused {f}, unfused {u}");
}

/// `bce_with_logits_mean_grad` (`loss.wgsl`) against the unfused rules `(g / n) · (sigmoid(x) - y)` on the same
/// device: the same bits, at logits ±1e4 and ±∞, for several upstream gradients and a view with an offset.
#[test]
fn bce_with_logits_mean_grad_matches_the_unfused_ops() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (i, &n) in [1usize, 6, 255, 257, 800, 5000].iter().enumerate() {
        let (logits, target) = bce_operands(600 + i as u64, n);
        for g in [1.0f32, 0.37, -2.5] {
            for dev in [&gpu, &Device::Cpu] {
                let (l, t) = (Tensor::from_slice(&logits, &[n], dev), Tensor::from_slice(&target, &[n], dev));
                let gt = Tensor::from_slice(&[g], &[], dev);
                let fused = l.bce_with_logits_mean_grad(&t, &gt);
                let unfused = gt.div_scalar(n as f64).reshape(&[1]).expand(&[n]).mul(&l.sigmoid().sub(&t));
                assert_eq!(fused.shape(), &[n]);
                let (f, u) = (fused.to_vec::<f32>(), unfused.to_vec::<f32>());
                for (j, (a, b)) in f.iter().zip(&u).enumerate() {
                    assert_eq!(a.to_bits(), b.to_bits(), "n={n} g={g} [{j}] on {}: fused {a}, unfused {b}", dev.name());
                }
            }
        }
    }
    let l = Tensor::from_slice(&values(13, 43, -3.0, 3.0), &[43], &gpu).narrow(0, 3, 40).reshape(&[20, 2]);
    let t = Tensor::from_slice(&values(14, 41, 0.0, 1.0), &[41], &gpu).narrow(0, 1, 40).reshape(&[20, 2]);
    let g = Tensor::from_slice(&[0.5f32, 3.0], &[2], &gpu).narrow(0, 1, 1).reshape(&[]);
    let fused = l.bce_with_logits_mean_grad(&t, &g).to_vec::<f32>();
    let unfused = g.div_scalar(40.0).reshape(&[1, 1]).expand(&[20, 2]).mul(&l.sigmoid().sub(&t)).to_vec::<f32>();
    assert_eq!(
        fused.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        unfused.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

/// Logits `[rows, classes]` in [-4, 4] with ±1e4 and -∞ in the first rows (never -∞ at a row's target, which
/// would make the loss infinite), and class indices.
fn ce_operands(seed: u64, rows: usize, classes: usize) -> (Vec<f32>, Vec<i64>) {
    let mut logits = values(seed, rows * classes, -4.0, 4.0);
    let target: Vec<i64> = values(seed + 1, rows, 0.0, classes as f32 - 0.01).iter().map(|&v| v as i64).collect();
    if classes >= 2 {
        for (r, big) in [(0usize, 1e4f32), (1, -1e4), (2, f32::NEG_INFINITY)] {
            if r < rows {
                let other = (target[r] as usize + 1) % classes;
                logits[r * classes + other] = big;
            }
        }
    }
    (logits, target)
}

fn same_bits(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// `cross_entropy_mean` (`loss.wgsl`) against `-log_softmax(1).gather(1, t).mean()` on the same device: the
/// same bits for rows of at most 128 classes (the one-row-per-invocation log_softmax whose formula the kernel
/// copies) up to 16384 rows; within relative 1e-6 above (one chunk against the multi-pass sum); at logits ±1e4
/// and -∞, and NaN for a +∞ logit as the ops give.
#[test]
fn cross_entropy_mean_matches_the_unfused_ops() {
    let Some(gpu) = gpu_or_skip() else { return };
    let unfused = |l: &Tensor, t: &Tensor| l.log_softmax(1).gather(1, &t.unsqueeze(1)).squeeze_dim(1).neg().mean();
    for (i, &(rows, classes)) in
        [(1usize, 1usize), (1, 3), (6, 2), (257, 3), (800, 3), (300, 10), (16384, 4), (20000, 3)].iter().enumerate()
    {
        let (logits, target) = ce_operands(900 + i as u64, rows, classes);
        for dev in [&gpu, &Device::Cpu] {
            let l = Tensor::from_slice(&logits, &[rows, classes], dev);
            let t = Tensor::from_slice(&target, &[rows], dev);
            let fused = l.cross_entropy_mean(&t);
            assert_eq!(fused.shape(), &[] as &[usize]);
            let (f, u) = (fused.item(), unfused(&l, &t).item());
            assert!(f.is_finite(), "{rows}x{classes} on {}: {f}", dev.name());
            if rows <= 16384 {
                assert_eq!(f.to_bits(), u.to_bits(), "{rows}x{classes} on {}: fused {f}, unfused {u}", dev.name());
            } else {
                assert!((f - u).abs() <= 1e-6 * u.abs(), "{rows}x{classes} on {}: fused {f}, unfused {u}", dev.name());
            }
        }
        let on = |dev: &Device| {
            Tensor::from_slice(&logits, &[rows, classes], dev)
                .cross_entropy_mean(&Tensor::from_slice(&target, &[rows], dev))
                .item()
        };
        let (g, c) = (on(&gpu), on(&Device::Cpu));
        assert!((g - c).abs() <= 1e-5 * c.abs().max(1.0), "{rows}x{classes}: GPU {g}, CPU {c}");
    }
    // A +∞ logit: NaN (∞ - ∞ in the shift), as the ops and PyTorch give.
    for dev in [&gpu, &Device::Cpu] {
        let l = Tensor::from_slice(&[0.0f32, f32::INFINITY, 1.0, 2.0], &[2, 2], dev);
        let t = Tensor::from_slice(&[0i64, 1], &[2], dev);
        let (f, u) = (l.cross_entropy_mean(&t).item(), unfused(&l, &t).item());
        assert!(f.is_nan() && u.is_nan(), "on {}: fused {f}, unfused {u}", dev.name());
    }
}

/// `cross_entropy_mean_grad` (`loss.wgsl`) against the autograd rules of the unfused ops (mean, neg, gather,
/// log_softmax) on the same device: the same bits, at logits ±1e4 and -∞, for several upstream gradients.
#[test]
fn cross_entropy_mean_grad_matches_the_unfused_rules() {
    let Some(gpu) = gpu_or_skip() else { return };
    for (i, &(rows, classes)) in [(1usize, 1usize), (1, 3), (6, 2), (257, 3), (800, 3), (300, 10)].iter().enumerate() {
        let (logits, target) = ce_operands(950 + i as u64, rows, classes);
        for g in [1.0f32, 0.37, -2.5] {
            for dev in [&gpu, &Device::Cpu] {
                let l = Tensor::from_slice(&logits, &[rows, classes], dev);
                let t = Tensor::from_slice(&target, &[rows], dev);
                let gt = Tensor::from_slice(&[g], &[], dev);
                let fused = l.cross_entropy_mean_grad(&t, &gt);
                // The rules in the order backward runs them.
                let u = gt.div_scalar(rows as f64).reshape(&[1]).expand(&[rows]).neg().unsqueeze(1);
                let u = Tensor::zeros(&[rows, classes], DType::F32, dev).scatter_add(1, &t.unsqueeze(1), &u);
                let unfused = u.sub(&l.log_softmax(1).exp().mul(&u.sum_keepdim(1)));
                assert_eq!(fused.shape(), &[rows, classes]);
                let (f, u) = (fused.to_vec::<f32>(), unfused.to_vec::<f32>());
                for (j, (a, b)) in f.iter().zip(&u).enumerate() {
                    assert!(
                        same_bits(*a, *b),
                        "{rows}x{classes} g={g} [{j}] on {}: fused {a}, unfused {b}",
                        dev.name()
                    );
                }
            }
        }
    }
}

/// `count_argmax_softmax_eq` (`metrics.wgsl`) against `target.eq(&softmax(1).argmax(1)).sum()` on the same
/// device: the same count and dtype, for 1 to 128 classes, with ties (equal logits, and logits one ulp apart whose
/// probabilities round equal: the first index wins, as the ops), ±1e4, -∞ rows and NaN rows; and the GPU count
/// against the CPU's on ordinary logits.
#[test]
fn count_argmax_softmax_eq_matches_the_unfused_ops() {
    let Some(gpu) = gpu_or_skip() else { return };
    let near = f32::from_bits(0.1f32.to_bits() - 1);
    for (i, &(rows, classes)) in [(1usize, 1usize), (5, 2), (7, 3), (800, 3), (1000, 10), (300, 128)].iter().enumerate()
    {
        let mut logits = values(1000 + i as u64, rows * classes, -4.0, 4.0);
        let target: Vec<i64> =
            values(1100 + i as u64, rows, 0.0, classes as f32 - 0.01).iter().map(|&v| v as i64).collect();
        // The GPU against the CPU on ordinary logits (the special rows below may round differently on each).
        let on = |dev: &Device| {
            Tensor::from_slice(&logits, &[rows, classes], dev)
                .count_argmax_softmax_eq(&Tensor::from_slice(&target, &[rows], dev))
                .to_vec::<i64>()[0]
        };
        assert_eq!(on(&gpu), on(&Device::Cpu), "{rows}x{classes}: GPU against CPU");
        if classes >= 2 && rows >= 5 {
            let specials: [&[f32]; 5] =
                [&[2.0, 2.0], &[near, 0.1], &[1e4, -1e4], &[f32::NEG_INFINITY, f32::NEG_INFINITY], &[f32::NAN, 1.0]];
            for (r, row) in specials.iter().enumerate() {
                logits[r * classes..r * classes + classes].fill(f32::NEG_INFINITY);
                logits[r * classes..r * classes + 2].copy_from_slice(row);
            }
        }
        for dev in [&gpu, &Device::Cpu] {
            let l = Tensor::from_slice(&logits, &[rows, classes], dev);
            let t = Tensor::from_slice(&target, &[rows], dev);
            let fused = l.count_argmax_softmax_eq(&t);
            let unfused = t.eq(&l.softmax(1).argmax(1)).sum();
            assert_eq!((fused.shape(), fused.dtype()), (unfused.shape(), unfused.dtype()));
            let (f, u) = (fused.to_vec::<i64>()[0], unfused.to_vec::<i64>()[0]);
            assert_eq!(f, u, "{rows}x{classes} on {}", dev.name());
        }
    }
}
