//! Matmul (2-D, batched, broadcast, transposed operands) against a naive triple loop; where, gather,
//! index_select, cat, stack and reshape of non-contiguous views against index arithmetic; arange, linspace and
//! eye against the values PyTorch prints.

mod ops_common;

use ops_common::*;
use proptest::prelude::*;
use tensor::{DType, Device, Tensor};

/// Naive `[b, m, k] @ [b, k, n]` in f64 over logical values.
fn naive_matmul(l: &[f64], r: &[f64], b: usize, m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut out = vec![0.0; b * m * n];
    for bi in 0..b {
        for i in 0..m {
            for j in 0..n {
                out[(bi * m + i) * n + j] = (0..k).map(|p| l[(bi * m + i) * k + p] * r[(bi * k + p) * n + j]).sum();
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn matmul_matches_a_naive_loop(
        (b, m, k, n) in (1..4usize, 0..7usize, 0..7usize, 0..7usize),
        (lt, rt, batched_l, batched_r) in (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        pool in prop::collection::vec(-2.0..2.0f64, 1..25),
        f64_ in any::<bool>(),
    ) {
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let kind = |t: bool| if t { ViewKind::Transposed } else { ViewKind::Contiguous };
        let ls: Vec<usize> = if batched_l { vec![b, m, k] } else { vec![m, k] };
        let rs: Vec<usize> = if batched_r { vec![b, k, n] } else { vec![k, n] };
        let (l, r) = (view_of(&ls, kind(lt), &pool, dtype), view_of(&rs, kind(rt), &pool[pool.len() / 2..], dtype));
        let out = l.tensor.matmul(&r.tensor);
        let batch = batched_l || batched_r;
        let bb = if batch { b } else { 1 };
        let rep = |v: &[f64], batched: bool, per: usize| -> Vec<f64> {
            if batched { v.to_vec() } else { (0..bb).flat_map(|_| v[..per].to_vec()).collect() }
        };
        let want = naive_matmul(&rep(&l.values, batched_l, m * k), &rep(&r.values, batched_r, k * n), bb, m, k, n);
        let want_shape: Vec<usize> = if batch { vec![b, m, n] } else { vec![m, n] };
        prop_assert_eq!(out.shape(), &want_shape[..]);
        for (g, w) in out.to_f64_vec().iter().zip(&want) {
            prop_assert!(close(*g, *w, 1e-5), "{} @ {}: {g} vs {w}", l.how, r.how);
        }
    }

    /// `linear` against the scalar definition `y[i, o] = Σ_p x[i, p] · w[o, p] + b[o]`, and bit for bit against
    /// the two ops it stands for (`x.matmul(w.t()) + b`).
    #[test]
    fn linear_matches_its_definition(
        (n, fin, fout) in (0..9usize, 0..6usize, 0..6usize),
        (xt, wt, with_bias) in (any::<bool>(), any::<bool>(), any::<bool>()),
        pool in prop::collection::vec(-2.0..2.0f64, 1..25),
        f64_ in any::<bool>(),
    ) {
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let kind = |t: bool| if t { ViewKind::Transposed } else { ViewKind::Contiguous };
        let x = view_of(&[n, fin], kind(xt), &pool, dtype);
        let w = view_of(&[fout, fin], kind(wt), &pool[pool.len() / 3..], dtype);
        let b = view_of(&[fout], ViewKind::Contiguous, &pool[pool.len() / 2..], dtype);
        let bias = with_bias.then_some(&b.tensor);
        let y = x.tensor.linear(&w.tensor, bias);
        prop_assert_eq!(y.shape(), &[n, fout][..]);
        let composed = x.tensor.matmul(&w.tensor.t());
        let composed = if with_bias { composed.add(&b.tensor) } else { composed };
        prop_assert_eq!(y.to_f64_vec(), composed.to_f64_vec());
        // The ReLU epilogue: bit for bit the `relu` of the same linear.
        let bits = |t: &Tensor| t.to_f64_vec().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&x.tensor.linear_relu(&w.tensor, bias)), bits(&y.relu()));
        for i in 0..n {
            for o in 0..fout {
                let dot: f64 = (0..fin).map(|p| x.values[i * fin + p] * w.values[o * fin + p]).sum();
                let want = dot + if with_bias { b.values[o] } else { 0.0 };
                let got = y.to_f64_vec()[i * fout + o];
                prop_assert!(close(got, want, 1e-5), "{} · {}ᵀ: {got} vs {want}", x.how, w.how);
            }
        }
    }

    /// `scatter_add` against its definition, `out = x; out[.., index[p], ..] += src[p]` in the index's order
    /// (repeated indices included), for strided `x` and `src`, with an index smaller than `x` outside `axis`.
    #[test]
    fn scatter_add_matches_its_definition(
        shape in prop::collection::vec(1..5usize, 1..=3),
        (xkind, skind) in (view_kind(), view_kind()),
        pool in prop::collection::vec(-9.0..9.0f64, 1..20),
        axis_seed in 0..3usize,
        (picks, seed) in (0..6usize, 0..1000usize),
        f64_ in any::<bool>(),
    ) {
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let axis = axis_seed % shape.len();
        let x = view_of(&shape, xkind, &pool, dtype);
        // The index: `picks` along the axis, the other dimensions possibly one shorter than x's.
        let ishape: Vec<usize> = shape.iter().enumerate()
            .map(|(d, &n)| if d == axis { picks } else if (seed >> d) & 1 == 1 { n.max(2) - 1 } else { n })
            .collect();
        let inum: usize = ishape.iter().product();
        let idx: Vec<i64> = (0..inum).map(|i| ((i * 5 + seed) % shape[axis]) as i64).collect();
        let src = view_of(&ishape, skind, &pool[pool.len() / 2..], dtype);
        let got = x.tensor.scatter_add(axis, &Tensor::new(&idx, &ishape), &src.tensor);
        prop_assert_eq!(got.shape(), &shape[..]);
        // The definition, in f64 and in the same order.
        let mut want = x.values.clone();
        let strides = |s: &[usize]| -> Vec<usize> { (0..s.len()).map(|d| s[d + 1..].iter().product()).collect() };
        let (is, xs) = (strides(&ishape), strides(&shape));
        for (p, &j) in idx.iter().enumerate() {
            let off: usize = (0..shape.len()).map(|d| if d == axis { j as usize } else { p / is[d] % ishape[d] } * xs[d]).sum();
            want[off] += src.values[p];
        }
        for (g, w) in got.to_f64_vec().iter().zip(&want) {
            prop_assert!(close(*g, *w, 1e-5), "{} scatter {}: {g} vs {w}", x.how, src.how);
        }
    }

    #[test]
    fn gather_and_index_select_match_index_arithmetic(
        shape in prop::collection::vec(1..5usize, 1..=3),
        kind in view_kind(),
        pool in prop::collection::vec(-9.0..9.0f64, 1..20),
        axis_seed in 0..3usize,
        picks in prop::collection::vec(0..100usize, 0..7),
    ) {
        let axis = axis_seed % shape.len();
        let v = view_of(&shape, kind, &pool, DType::F32);
        let len = shape[axis];
        // index_select: any picks, repeated, in any order.
        let idx: Vec<i64> = picks.iter().map(|&p| (p % len) as i64).collect();
        let sel = v.tensor.index_select(axis, &Tensor::new(&idx, &[idx.len()]));
        let mut sel_shape = shape.clone();
        sel_shape[axis] = idx.len();
        prop_assert_eq!(sel.shape(), &sel_shape[..]);
        let inner: usize = shape[axis + 1..].iter().product();
        let got = sel.to_f64_vec();
        for (f, &g) in got.iter().enumerate() {
            let (o, rest) = (f / (idx.len() * inner), f % (idx.len() * inner));
            let (s, i) = (rest / inner, rest % inner);
            prop_assert_eq!(g, v.values[(o * len + idx[s] as usize) * inner + i]);
        }
        // gather with an index of the input's shape (the axis dimension resized to 2).
        let mut gshape = shape.clone();
        gshape[axis] = 2;
        let gidx: Vec<i64> = (0..gshape.iter().product::<usize>()).map(|i| ((i * 7 + picks.len()) % len) as i64).collect();
        let g = v.tensor.gather(axis, &Tensor::new(&gidx, &gshape)).to_f64_vec();
        for (f, &gv) in g.iter().enumerate() {
            let (o, rest) = (f / (2 * inner), f % (2 * inner));
            let i = rest % inner;
            prop_assert_eq!(gv, v.values[(o * len + gidx[f] as usize) * inner + i]);
        }
    }

    #[test]
    fn cat_stack_reshape_and_where_on_views(
        shape in prop::collection::vec(1..5usize, 2..=3),
        (k1, k2) in (view_kind(), view_kind()),
        pool in prop::collection::vec(-9.0..9.0f64, 1..20),
        axis_seed in 0..3usize,
    ) {
        let axis = axis_seed % shape.len();
        let (a, b) = (view_of(&shape, k1, &pool, DType::F32), view_of(&shape, k2, &pool[pool.len() / 2..], DType::F32));
        // cat along `axis`: the rows of a, then those of b, per outer position.
        let c = Tensor::cat(&[&a.tensor, &b.tensor], axis);
        let inner: usize = shape[axis..].iter().product();
        let want: Vec<f64> = a.values.chunks(inner).zip(b.values.chunks(inner)).flat_map(|(x, y)| x.iter().chain(y).copied()).collect();
        prop_assert_eq!(c.to_f64_vec(), want);
        // stack on a new leading axis = cat of the flattened values.
        let s = Tensor::stack(&[&a.tensor, &b.tensor], 0usize);
        prop_assert_eq!(s.to_f64_vec(), a.values.iter().chain(&b.values).copied().collect::<Vec<_>>());
        // reshape of a (possibly non-contiguous) view keeps the logical order.
        let n = a.values.len();
        prop_assert_eq!(a.tensor.reshape(&[n]).to_f64_vec(), a.values.clone());
        prop_assert_eq!(a.tensor.reshape_infer(&[-1, *shape.last().unwrap() as isize]).to_f64_vec(), a.values.clone());
        // where(a > b, a, b) = maximum.
        let w = Tensor::where_cond(&a.tensor.gt(&b.tensor), &a.tensor, &b.tensor).to_f64_vec();
        for ((&x, &y), &g) in a.values.iter().zip(&b.values).zip(&w) {
            prop_assert_eq!(g, if x > y { x } else { y });
        }
    }
}

#[test]
fn where_broadcasts_a_scalar_branch() {
    let x = Tensor::new(&[-1.0f32, 2.0, -3.0, 4.0], &[2, 2]);
    let zero = x.scalar_like(0.0);
    assert_eq!(Tensor::where_cond(&x.gt(&zero), &x, &zero).to_vec::<f32>(), vec![0.0, 2.0, 0.0, 4.0]);
}

#[test]
fn ranges_match_torch() {
    let cpu = Device::Cpu;
    // torch.arange(0, 1, 0.1), torch.arange(-3, 3, 0.7), torch.arange(2, 11, 3)
    let a = Tensor::arange(0.0, 1.0, 0.1, DType::F32, &cpu).to_vec::<f32>();
    let want = [
        0.0,
        0.100_000_001_490_116_12,
        0.200_000_002_980_232_24,
        0.300_000_011_920_928_96,
        0.400_000_005_960_464_5,
        0.5,
        0.600_000_023_841_857_9,
        0.699_999_988_079_071,
        0.800_000_011_920_929,
        0.899_999_976_158_142_1,
    ];
    assert_eq!(a, want.iter().map(|&v: &f64| v as f32).collect::<Vec<_>>());
    let a = Tensor::arange(-3.0, 3.0, 0.7, DType::F32, &cpu).to_vec::<f32>();
    let want = [
        -3.0,
        -2.299_999_952_316_284,
        -1.600_000_023_841_858,
        -0.899_999_976_158_142_1,
        -0.200_000_002_980_232_24,
        0.5,
        1.200_000_047_683_715_8,
        1.899_999_976_158_142,
        2.599_999_904_632_568_4,
    ];
    assert_eq!(a, want.iter().map(|&v: &f64| v as f32).collect::<Vec<_>>());
    assert_eq!(Tensor::arange(2.0, 11.0, 3.0, DType::I64, &cpu).to_vec::<i64>(), vec![2, 5, 8]);
    // torch.linspace(-1, 1, 7) (float32: note the -2.98e-08 torch computes for the middle element),
    // torch.linspace(0, 1, 5, dtype=float64), torch.linspace(3, -2, 4)
    let l = Tensor::linspace(-1.0, 1.0, 7, DType::F32, &cpu).to_vec::<f32>();
    let want = [
        -1.0,
        -0.666_666_626_930_236_8,
        -0.333_333_313_465_118_4,
        -2.980_232_238_769_531_2e-8,
        0.333_333_313_465_118_4,
        0.666_666_626_930_236_8,
        1.0,
    ];
    assert_eq!(l, want.iter().map(|&v: &f64| v as f32).collect::<Vec<_>>());
    assert_eq!(Tensor::linspace(0.0, 1.0, 5, DType::F64, &cpu).to_vec::<f64>(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let l = Tensor::linspace(3.0, -2.0, 4, DType::F32, &cpu).to_vec::<f32>();
    let want = [3.0, 1.333_333_373_069_763_2, -0.333_333_373_069_763_2, -2.0];
    assert_eq!(l, want.iter().map(|&v: &f64| v as f32).collect::<Vec<_>>());
    // torch.eye(3)
    assert_eq!(Tensor::eye(3, DType::F32, &cpu).to_vec::<f32>(), vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
}

/// `linear_relu` with non-finite and signed-zero values, on the CPU's fused path (the tutorial's small layers take
/// the direct GEMM) and on the composed one (a product large enough for the packed GEMM): always the bits of
/// `linear(..).relu()`, so NaN stays NaN, -0 and negatives become +0, +inf stays.
#[test]
fn linear_relu_is_linear_then_relu_with_non_finite_values() {
    let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, 0.0, 1e4, -1e4];
    for &(n, fin, fout) in &[(800usize, 10usize, 10usize), (800, 2, 10), (7, 3, 1), (160, 96, 130)] {
        let pick = |i: usize, salt: usize| -> f32 {
            let h = (i * 2654435761 + salt * 40503) % 1000;
            if h < 20 {
                specials[h % specials.len()]
            } else {
                (h as f32 - 500.0) / 250.0
            }
        };
        let x = Tensor::new(&(0..n * fin).map(|i| pick(i, 1)).collect::<Vec<_>>(), &[n, fin]);
        let w = Tensor::new(&(0..fout * fin).map(|i| pick(i, 2)).collect::<Vec<_>>(), &[fout, fin]);
        let b = Tensor::new(&(0..fout).map(|i| pick(i, 3)).collect::<Vec<_>>(), &[fout]);
        for bias in [Some(&b), None] {
            let fused = x.linear_relu(&w, bias).to_vec::<f32>();
            let composed = x.linear(&w, bias).relu().to_vec::<f32>();
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert!(bits(&fused) == bits(&composed), "linear_relu {n}x{fin} -> {fout} (bias: {})", bias.is_some());
            assert!(fused.iter().all(|v| v.is_nan() || (*v >= 0.0 && v.to_bits() != (-0.0f32).to_bits())));
        }
    }
}
