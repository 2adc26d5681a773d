//! Property tests: every differentiable op against finite differences (`<op>_gradcheck`), on random shapes
//! (size-1 dimensions included), with broadcasting, and with transposed, narrowed and expanded (stride-0) inputs
//! made inside the graph; each op sits mid-graph (`op(x) * w`, random `w`). Then f32 gradients against f64 ones,
//! and the negative controls: deliberately wrong rules must be caught.
//!
//! All in f64 on the CPU; 32 cases per op (gradcheck compares the full Jacobian when it has at most 4096 entries,
//! random directional derivatives beyond).

mod common;

use autograd::{gradcheck, GradcheckError, GradcheckMode, GradcheckOptions, Probe, Var};
use common::*;
use proptest::prelude::*;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use tensor::{DType, Tensor};

const CASES: u32 = 32;

// --- element-wise, one operand ---------------------------------------------------------------------------------

/// `<name>(case)`: gradcheck of `x ↦ op(view(x)) * w`, values in `lo..hi` at least 0.05 away from 0.
macro_rules! unary_gradcheck {
    ($name:ident, $lo:expr, $hi:expr, |$x:ident| $op:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]
            #[test]
            fn $name(case in case(3)) {
                check(|v| mid_graph(&case, &v[0], |$x: &Var| $op), &[case.base_away_from_zero($lo, $hi)]);
            }
        }
    };
}

unary_gradcheck!(neg_gradcheck, -2.0, 2.0, |x| x.neg());
unary_gradcheck!(affine_gradcheck, -2.0, 2.0, |x| x.affine(-1.5, 0.25));
unary_gradcheck!(add_scalar_gradcheck, -2.0, 2.0, |x| x.add_scalar(3.0));
unary_gradcheck!(mul_scalar_gradcheck, -2.0, 2.0, |x| x.mul_scalar(-2.0));
unary_gradcheck!(div_scalar_gradcheck, -2.0, 2.0, |x| x.div_scalar(3.0));
unary_gradcheck!(scalar_operators_gradcheck, -2.0, 2.0, |x| (2.0 - x) * 3.0 + 1.0 / x + (x - 1.0) / 2.0);
unary_gradcheck!(powf_gradcheck, 0.2, 2.0, |x| x.powf(2.5) + x.powf(-1.5) + x.powf(3.0));
unary_gradcheck!(exp_gradcheck, -2.0, 2.0, |x| x.exp());
unary_gradcheck!(log_gradcheck, 0.1, 3.0, |x| x.log());
unary_gradcheck!(log1p_gradcheck, -0.8, 3.0, |x| x.log1p());
unary_gradcheck!(sqrt_gradcheck, 0.1, 3.0, |x| x.sqrt());
unary_gradcheck!(abs_gradcheck, -2.0, 2.0, |x| x.abs());
unary_gradcheck!(relu_gradcheck, -2.0, 2.0, |x| x.relu());
unary_gradcheck!(sigmoid_gradcheck, -4.0, 4.0, |x| x.sigmoid());
unary_gradcheck!(tanh_gradcheck, -3.0, 3.0, |x| x.tanh());
unary_gradcheck!(clamp_gradcheck, -2.0, 2.0, |x| x.clamp(-0.5, 0.7));
unary_gradcheck!(sqr_gradcheck, -2.0, 2.0, |x| x.sqr());
unary_gradcheck!(sum_all_gradcheck, -2.0, 2.0, |x| x.sum());
unary_gradcheck!(mean_all_gradcheck, -2.0, 2.0, |x| x.mean());
unary_gradcheck!(max_all_gradcheck, -2.0, 2.0, |x| x.max());
unary_gradcheck!(flatten_all_gradcheck, -2.0, 2.0, |x| x.flatten());

// --- element-wise, two operands, broadcasting ------------------------------------------------------------------

/// `<name>(case)`: gradcheck of `(x, y) ↦ op(view(x), y) * w` where `y`'s shape broadcasts against `x`'s (fewer
/// leading dimensions, some sizes 1), on either side. Values in `lo..hi`, 0.05 away from 0.
macro_rules! binary_gradcheck {
    ($name:ident, $lo:expr, $hi:expr, |$a:ident, $b:ident| $op:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]
            #[test]
            fn $name(case in case(3), rhs_seed in any::<u64>(), swap in any::<bool>()) {
                let rhs_shape = broadcast_partner(&case.shape, rhs_seed);
                let n = rhs_shape.iter().product();
                let rhs = Tensor::new(&values_away_from_zero(rhs_seed, n, $lo, $hi, 0.05), &rhs_shape);
                let f = |v: &[Var]| {
                    let x = case.view(&v[0]);
                    let ($a, $b) = if swap { (&v[1], &x) } else { (&x, &v[1]) };
                    let y: Var = $op;
                    let w = case.weight(&y.shape());
                    y * w
                };
                check(f, &[case.base_away_from_zero($lo, $hi), rhs]);
            }
        }
    };
}

binary_gradcheck!(add_gradcheck, -2.0, 2.0, |a, b| a + b);
binary_gradcheck!(sub_gradcheck, -2.0, 2.0, |a, b| a - b);
binary_gradcheck!(mul_gradcheck, -2.0, 2.0, |a, b| a * b);
binary_gradcheck!(div_gradcheck, 0.3, 2.0, |a, b| a / b);
binary_gradcheck!(maximum_gradcheck, -2.0, 2.0, |a, b| a.maximum(b));
binary_gradcheck!(minimum_gradcheck, -2.0, 2.0, |a, b| a.minimum(b));
// Targets are usually in [0, 1] but the loss is differentiable in both arguments everywhere.
binary_gradcheck!(bce_with_logits_gradcheck, -3.0, 3.0, |a, b| a.bce_with_logits(b));

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// `where(cond, a, b)` with `cond`, `a`, `b` of three mutually broadcastable shapes.
    #[test]
    fn where_cond_gradcheck(case in case(3), seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let cond_shape = broadcast_partner(&case.shape, rng.gen());
        let other_shape = broadcast_partner(&case.shape, rng.gen());
        let cond: Vec<f64> = (0..cond_shape.iter().product()).map(|_| rng.gen_range(0..2) as f64).collect();
        let cond = Tensor::new(&cond, &cond_shape);
        let other = Tensor::new(&values(seed, other_shape.iter().product(), -2.0, 2.0), &other_shape);
        check(
            |v| mid_graph(&case, &v[0], |x| Var::where_cond(&cond, x, &v[1])),
            &[case.base(-2.0, 2.0), other],
        );
    }
}

// --- reductions and normalisations -----------------------------------------------------------------------------

/// `<name>(case, axis, keepdim)` for a reduction along a random axis of a tensor of rank ≥ 1.
macro_rules! axis_gradcheck {
    ($name:ident, |$x:ident, $axis:ident, $keepdim:ident| $op:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(CASES))]
            #[test]
            fn $name(case in case_rank(1, 3), axis in any::<usize>(), $keepdim in any::<bool>()) {
                let $axis = axis % case.shape.len();
                check(|v| mid_graph(&case, &v[0], |$x: &Var| $op), &[case.base(-2.0, 2.0)]);
            }
        }
    };
}

axis_gradcheck!(sum_gradcheck, |x, axis, keepdim| if keepdim { x.sum_keepdim(axis) } else { x.sum_dim(axis) });
axis_gradcheck!(mean_gradcheck, |x, axis, keepdim| if keepdim { x.mean_keepdim(axis) } else { x.mean_dim(axis) });
axis_gradcheck!(max_gradcheck, |x, axis, keepdim| if keepdim { x.max_keepdim(axis) } else { x.max_dim(axis) });
axis_gradcheck!(softmax_gradcheck, |x, axis, _keepdim| x.softmax(axis));
axis_gradcheck!(log_softmax_gradcheck, |x, axis, _keepdim| x.log_softmax(axis));
// Negative axes count from the end.
axis_gradcheck!(sum_negative_axis_gradcheck, |x, axis, keepdim| if keepdim {
    x.sum_keepdim(-1 - axis as isize)
} else {
    x.sum_dim(-1 - axis as isize)
});

// --- linear algebra ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// `[m, k] @ [k, n]`, batched `[b, m, k] @ [b, k, n]`, and a 2-D operand broadcast over the batch on either side;
    /// either operand may arrive transposed.
    #[test]
    fn matmul_gradcheck(m in 1usize..=4, k in 1usize..=4, n in 1usize..=4, b in 1usize..=3,
                        ranks in 0usize..4, lhs_t in any::<bool>(), rhs_t in any::<bool>(), seed in any::<u64>()) {
        let (lr, rr) = [(2, 2), (3, 3), (3, 2), (2, 3)][ranks];
        let shape = |rank: usize, rows: usize, cols: usize, transposed: bool| {
            let (r, c) = if transposed { (cols, rows) } else { (rows, cols) };
            if rank == 3 { vec![b, r, c] } else { vec![r, c] }
        };
        let (ls, rs) = (shape(lr, m, k, lhs_t), shape(rr, k, n, rhs_t));
        let lhs = Tensor::new(&values(seed, ls.iter().product(), -1.0, 1.0), &ls);
        let rhs = Tensor::new(&values(seed ^ 1, rs.iter().product(), -1.0, 1.0), &rs);
        let view = |v: &Var, t: bool| if t { v.transpose(-1, -2) } else { v.clone() };
        check(|v| view(&v[0], lhs_t).matmul(&view(&v[1], rhs_t)).tanh(), &[lhs, rhs]);
    }

    /// `x Wᵀ + b` (one `linear` node), with or without the bias, either operand arriving transposed.
    #[test]
    fn linear_gradcheck(n in 1usize..=5, fin in 1usize..=4, fout in 1usize..=4, x_t in any::<bool>(),
                        w_t in any::<bool>(), with_bias in any::<bool>(), seed in any::<u64>()) {
        let x = Tensor::new(&values(seed, n * fin, -1.0, 1.0), &if x_t { [fin, n] } else { [n, fin] });
        let w = Tensor::new(&values(seed ^ 1, fout * fin, -1.0, 1.0), &if w_t { [fin, fout] } else { [fout, fin] });
        let b = Tensor::new(&values(seed ^ 2, fout, -1.0, 1.0), &[fout]);
        let view = |v: &Var, t: bool| if t { v.t() } else { v.clone() };
        if with_bias {
            check(|v| view(&v[0], x_t).linear(&view(&v[1], w_t), Some(&v[2])).tanh(), &[x, w, b]);
        } else {
            check(|v| view(&v[0], x_t).linear(&view(&v[1], w_t), None).tanh(), &[x, w]);
        }
    }
}

// --- movement ---------------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn reshape_gradcheck(case in case(3), flat in any::<bool>()) {
        let numel: usize = case.shape.iter().product();
        let target: Vec<usize> = if flat { vec![numel] } else { case.shape.iter().rev().copied().collect() };
        check(|v| mid_graph(&case, &v[0], |x| x.reshape(&target)), &[case.base(-2.0, 2.0)]);
    }

    #[test]
    fn permute_gradcheck(case in case(3), seed in any::<u64>()) {
        let mut perm: Vec<usize> = (0..case.shape.len()).collect();
        perm.shuffle(&mut StdRng::seed_from_u64(seed));
        check(|v| mid_graph(&case, &v[0], |x| x.permute(&perm)), &[case.base(-2.0, 2.0)]);
    }

    #[test]
    fn transpose_gradcheck(case in case_rank(2, 3), a in any::<usize>(), b in any::<usize>()) {
        let rank = case.shape.len();
        check(|v| mid_graph(&case, &v[0], |x| x.transpose(a % rank, b % rank)), &[case.base(-2.0, 2.0)]);
    }

    #[test]
    fn t_gradcheck(case in case_rank(2, 2)) {
        check(|v| mid_graph(&case, &v[0], |x| x.t()), &[case.base(-2.0, 2.0)]);
    }

    /// Expand to new leading dimensions and along size-1 dimensions.
    #[test]
    fn expand_gradcheck(case in case(2), lead in proptest::collection::vec(1usize..=3, 0..=2), seed in any::<u64>()) {
        let small = broadcast_partner(&case.shape, seed);
        let target: Vec<usize> = lead.iter().chain(&case.shape).copied().collect();
        let n = small.iter().product();
        let x = Tensor::new(&values(seed, n, -2.0, 2.0), &small);
        check(|v| { let y = v[0].expand(&target); let w = case.weight(&target); y * w }, &[x]);
    }

    #[test]
    fn narrow_gradcheck(case in case_rank(1, 3), axis in any::<usize>(), a in any::<usize>(), b in any::<usize>()) {
        let axis = axis % case.shape.len();
        let size = case.shape[axis];
        let (start, end) = { let (a, b) = (a % (size + 1), b % (size + 1)); (a.min(b), a.max(b)) };
        check(|v| mid_graph(&case, &v[0], |x| x.narrow(axis, start, end - start)), &[case.base(-2.0, 2.0)]);
    }

    #[test]
    fn squeeze_gradcheck(case in case_rank(0, 2), at in any::<usize>()) {
        // Insert a size-1 dimension into the shape, then squeeze it.
        let mut shape = case.shape.clone();
        let at = at % (shape.len() + 1);
        shape.insert(at, 1);
        check(|v| mid_graph(&case, &v[0], |x| x.reshape(&shape).squeeze_dim(at)), &[case.base(-2.0, 2.0)]);
    }

    #[test]
    fn unsqueeze_gradcheck(case in case_rank(0, 3), at in any::<usize>()) {
        let at = at % (case.shape.len() + 1);
        check(|v| mid_graph(&case, &v[0], |x| x.unsqueeze(at)), &[case.base(-2.0, 2.0)]);
    }

    /// Two or three inputs of different sizes along `axis`; the first goes through the case's view.
    #[test]
    fn cat_gradcheck(case in case_rank(1, 3), axis in any::<usize>(), sizes in proptest::collection::vec(1usize..=3, 1..=2)) {
        let axis = axis % case.shape.len();
        let others: Vec<Tensor> = sizes.iter().enumerate().map(|(i, &len)| {
            let mut s = case.shape.clone();
            s[axis] = len;
            Tensor::new(&values(case.seed ^ i as u64, s.iter().product(), -2.0, 2.0), &s)
        }).collect();
        let mut inputs = vec![case.base(-2.0, 2.0)];
        inputs.extend(others);
        let f = |v: &[Var]| {
            let first = case.view(&v[0]);
            let parts: Vec<&Var> = std::iter::once(&first).chain(&v[1..]).collect();
            let y = Var::cat(&parts, axis);
            let w = case.weight(&y.shape());
            y * w
        };
        check(f, &inputs);
    }

    #[test]
    fn stack_gradcheck(case in case(2), axis in any::<usize>()) {
        let axis = axis % (case.shape.len() + 1);
        let other = Tensor::new(&values(case.seed ^ 7, case.shape.iter().product(), -2.0, 2.0), &case.shape);
        check(|v| {
            let y = Var::stack(&[&case.view(&v[0]), &v[1]], axis);
            let w = case.weight(&y.shape());
            y * w
        }, &[case.base(-2.0, 2.0), other]);
    }

    /// Random indices (repeats included, so gradients of one element add up), an index smaller than the input in
    /// the other dimensions.
    #[test]
    fn gather_gradcheck(case in case_rank(1, 3), axis in any::<usize>(), seed in any::<u64>()) {
        let axis = axis % case.shape.len();
        let mut rng = StdRng::seed_from_u64(seed);
        let index_shape: Vec<usize> = case.shape.iter().enumerate()
            .map(|(d, &n)| if d == axis { rng.gen_range(1..=4) } else { rng.gen_range(1..=n) }).collect();
        let index: Vec<i64> = (0..index_shape.iter().product()).map(|_| rng.gen_range(0..case.shape[axis] as i64)).collect();
        let index = Tensor::new(&index, &index_shape);
        check(|v| mid_graph(&case, &v[0], |x| x.gather(axis, &index)), &[case.base(-2.0, 2.0)]);
    }

    #[test]
    fn index_select_gradcheck(case in case_rank(1, 3), axis in any::<usize>(), seed in any::<u64>()) {
        let axis = axis % case.shape.len();
        let mut rng = StdRng::seed_from_u64(seed);
        let len = rng.gen_range(1..=5);
        let index: Vec<i64> = (0..len).map(|_| rng.gen_range(0..case.shape[axis] as i64)).collect();
        let index = Tensor::new(&index, &[len]);
        check(|v| mid_graph(&case, &v[0], |x| x.index_select(axis, &index)), &[case.base(-2.0, 2.0)]);
    }
}

// --- compositions -------------------------------------------------------------------------------------------------

/// A small classifier, the shape of the tutorial's: `CE(log_softmax(relu(x W1 + b1) W2 + b2), labels)`.
fn classifier_loss(x: &Var, v: &[Var], labels: &Tensor) -> Var {
    let h = (x.matmul(&v[0]) + &v[1]).relu();
    let logits = h.matmul(&v[2]) + &v[3];
    logits.log_softmax(-1).gather(1usize, labels).mean().neg()
}

fn classifier_params(seed: u64, d: usize, hidden: usize, classes: usize) -> Vec<Tensor> {
    let shapes = [vec![d, hidden], vec![hidden], vec![hidden, classes], vec![classes]];
    shapes
        .iter()
        .enumerate()
        .map(|(i, s)| Tensor::new(&values(seed + i as u64, s.iter().product(), -1.0, 1.0), s))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn classifier_gradcheck(seed in any::<u64>(), batch in 1usize..=6, classes in 2usize..=4) {
        let x = Var::constant(Tensor::new(&values(seed, batch * 3, -2.0, 2.0), &[batch, 3]));
        let labels: Vec<i64> = (0..batch).map(|i| ((seed as usize + i) % classes) as i64).collect();
        let labels = Tensor::new(&labels, &[batch, 1]);
        let params = classifier_params(seed, 3, 5, classes);
        // A central difference of step ε straddles ReLU's kink where a hidden pre-activation lies within ε of 0,
        // and is then not the derivative: such draws are set aside (the kink has its own tests).
        let pre = x.tensor().matmul(&params[0]).add(&params[1]);
        prop_assume!(pre.to_vec::<f64>().iter().all(|v| v.abs() > 1e-3));
        check(|v| classifier_loss(&x, v, &labels), &params);
    }

    /// The same gradients computed in f32 and in f64 agree to f32 precision.
    #[test]
    fn f32_gradients_match_f64_gradients(seed in any::<u64>(), batch in 1usize..=8) {
        let labels: Vec<i64> = (0..batch).map(|i| ((seed as usize + i) % 3) as i64).collect();
        let labels = Tensor::new(&labels, &[batch, 1]);
        let x = Tensor::new(&values(seed, batch * 2, -2.0, 2.0), &[batch, 2]);
        let grads = |dtype: DType| -> Vec<Vec<f64>> {
            let params: Vec<Var> = classifier_params(seed, 2, 4, 3).iter().map(|t| Var::leaf(t.to_dtype(dtype))).collect();
            let loss = classifier_loss(&Var::constant(x.to_dtype(dtype)), &params, &labels) + params[0].sigmoid().sum()
                + params[2].tanh().sqr().mean();
            loss.backward();
            params.iter().map(|p| p.grad().unwrap().to_f64_vec()).collect()
        };
        let (g32, g64) = (grads(F32), grads(DType::F64));
        for (a, b) in g32.iter().zip(&g64) {
            assert_close(a, b, 1e-5);
        }
    }
}

// --- negative controls: wrong rules must be caught ----------------------------------------------------------------

/// `σ` as a custom op with the rule `rule`; the correct rule is `g·σ(1 - σ)`.
fn custom_sigmoid(x: &Var, rule: fn(&Tensor, &Tensor) -> Tensor) -> Var {
    Var::custom("my_sigmoid", &[x], |xs| xs[0].sigmoid(), move |_, out, g| vec![rule(out, g)])
}

fn sigmoid_input(n: usize) -> Tensor {
    Tensor::new(&values(42, n, -2.0, 2.0), &[n])
}

#[test]
fn positive_control_a_correct_custom_rule_passes() {
    let right = |out: &Tensor, g: &Tensor| g.mul(&out.mul(&out.affine(-1.0, 1.0)));
    for n in [5, 200] {
        let report =
            gradcheck(|v| custom_sigmoid(&v[0], right), &[sigmoid_input(n)], GradcheckOptions::default()).unwrap();
        let mode = if n == 5 { GradcheckMode::FullJacobian } else { GradcheckMode::Directional };
        assert_eq!(report.mode, mode);
    }
}

#[test]
fn negative_control_a_wrong_derivative_is_caught() {
    // σ' written as σ(1 + σ): a sign slip.
    let wrong = |out: &Tensor, g: &Tensor| g.mul(&out.mul(&out.affine(1.0, 1.0)));
    for n in [5, 200] {
        let err =
            gradcheck(|v| custom_sigmoid(&v[0], wrong), &[sigmoid_input(n)], GradcheckOptions::default()).unwrap_err();
        let GradcheckError::Mismatch { input, probe, analytic, numeric, .. } = err.clone() else { panic!("{err}") };
        assert_eq!(input, 0);
        // Small inputs are checked element by element (and the first element is already wrong); large ones along
        // random directions.
        let want = if n == 5 {
            Probe::Element { input_index: vec![0], output_index: vec![0] }
        } else {
            Probe::Direction { direction: 0 }
        };
        assert_eq!(probe, want);
        assert!((analytic - numeric).abs() > 1e-2, "{err}");
        assert!(err.to_string().contains("analytic"), "{err}");
    }
}

#[test]
fn negative_control_a_rule_ignoring_its_upstream_gradient_is_caught() {
    // Returns σ(1 - σ) instead of g·σ(1 - σ): right when the op is last with upstream 1, wrong mid-graph.
    let ignores_g = |out: &Tensor, _g: &Tensor| out.mul(&out.affine(-1.0, 1.0));
    let alone = |v: &[Var]| custom_sigmoid(&v[0], ignores_g).sum();
    assert!(gradcheck(alone, &[sigmoid_input(5)], GradcheckOptions::default()).is_ok(), "undetectable alone");
    for n in [5, 200] {
        let mid = |v: &[Var]| custom_sigmoid(&v[0], ignores_g).mul_scalar(3.0);
        assert!(gradcheck(mid, &[sigmoid_input(n)], GradcheckOptions::default()).is_err(), "n = {n}");
    }
}

#[test]
fn negative_control_a_dropped_broadcast_sum_is_caught() {
    // A rule that forgets the sum over a broadcast: d/db of (x + b) for b of shape [1] returns only the first
    // element of the gradient instead of the sum over all of them.
    let x = Tensor::new(&values(1, 6, -1.0, 1.0), &[6]);
    let b = Tensor::new(&[0.5f64], &[1]);
    let f = |v: &[Var]| {
        Var::custom("bad_add", &[&v[0], &v[1]], |t| t[0].add(&t[1]), |_, _, g| vec![g.clone(), g.narrow(0usize, 0, 1)])
            .sqr()
    };
    let err = gradcheck(f, &[x, b], GradcheckOptions::default()).unwrap_err();
    assert!(matches!(err, GradcheckError::Mismatch { input: 1, .. }), "{err}");
}
