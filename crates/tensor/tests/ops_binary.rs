//! Every `BinaryOp`, and ReLU's gradient `Tensor::relu_backward` (a kernel of the same family that no `BinaryOp`
//! names), against its scalar oracle (`tensor::ops::binary`, `binary_i64`, `relu_backward`) with NumPy
//! broadcasting and views (transposed, narrowed, expanded operands), in f32, f64 and i64. Comparisons give exactly
//! 0 or 1; bce_with_logits is checked at ±1e4 and ±∞ against PyTorch's values.

mod ops_common;

use ops_common::*;
use proptest::prelude::*;
use tensor::ops::{self, BinaryOp, Float};
use tensor::{DType, Tensor};

const OPS: [BinaryOp; 14] = BinaryOp::ALL;

/// A binary kernel under test: a public op, or ReLU's gradient.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kernel {
    Op(BinaryOp),
    ReluBackward,
}

/// Every binary kernel: the public ops, then ReLU's gradient.
fn kernels() -> Vec<Kernel> {
    OPS.into_iter().map(Kernel::Op).chain([Kernel::ReluBackward]).collect()
}

impl Kernel {
    fn run(self, lhs: &Tensor, rhs: &Tensor) -> Tensor {
        match self {
            Kernel::Op(op) => lhs.binary(op, rhs),
            Kernel::ReluBackward => lhs.relu_backward(rhs),
        }
    }

    fn oracle<T: Float>(self, a: T, b: T) -> T {
        match self {
            Kernel::Op(op) => ops::binary(op, a, b),
            Kernel::ReluBackward => ops::relu_backward(a, b),
        }
    }
}

/// An operand shape that broadcasts to `out`: some dimensions set to 1, some leading dimensions dropped.
fn operand_shape(out: &[usize], ones: u8, drop: usize) -> Vec<usize> {
    let drop = drop.min(out.len());
    out[drop..].iter().enumerate().map(|(i, &d)| if ones >> (i % 8) & 1 == 1 { 1 } else { d }).collect()
}

/// NumPy's broadcast of two shapes (both known to be compatible).
fn broadcast(a: &[usize], b: &[usize]) -> Vec<usize> {
    let rank = a.len().max(b.len());
    let get = |s: &[usize], i: usize| if i + s.len() >= rank { s[i + s.len() - rank] } else { 1 };
    (0..rank).map(|i| if get(a, i) == 1 { get(b, i) } else { get(a, i) }).collect()
}

/// Row-major index of `out` position `flat` in an operand of shape `s` broadcast to `out`.
fn broadcast_index(flat: usize, out: &[usize], s: &[usize]) -> usize {
    let (mut rem, mut idx, mut mul) = (flat, 0, 1);
    for d in (0..out.len()).rev() {
        let i = rem % out[d];
        rem /= out[d];
        let k = d as isize - (out.len() - s.len()) as isize;
        if k >= 0 {
            let k = k as usize;
            idx += if s[k] == 1 { 0 } else { i } * mul;
            mul *= s[k];
        }
    }
    idx
}

fn is_comparison(op: Kernel) -> bool {
    use BinaryOp::*;
    matches!(op, Kernel::Op(Eq | Ne | Lt | Le | Gt | Ge))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn binary_float_ops_match_the_oracle(
        out_shape in shape(4, 4),
        (lones, ldrop, rones, rdrop) in (any::<u8>(), 0..2usize, any::<u8>(), 0..2usize),
        (lkind, rkind) in (view_kind(), view_kind()),
        lpool in prop::collection::vec(value(true), 1..30),
        rpool in prop::collection::vec(value(true), 1..30),
        op_i in 0..kernels().len(),
        f64_ in any::<bool>(),
    ) {
        let op = kernels()[op_i];
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let (ls, rs) = (operand_shape(&out_shape, lones, ldrop), operand_shape(&out_shape, rones, rdrop));
        let out_shape = broadcast(&ls, &rs);
        let (l, r) = (view_of(&ls, lkind, &lpool, dtype), view_of(&rs, rkind, &rpool, dtype));
        let out = op.run(&l.tensor, &r.tensor);
        prop_assert_eq!(out.shape(), &out_shape[..], "lhs {:?} rhs {:?}", ls, rs);
        let got = out.to_f64_vec();
        for (i, &g) in got.iter().enumerate() {
            let (a, b) = (l.values[broadcast_index(i, &out_shape, &ls)], r.values[broadcast_index(i, &out_shape, &rs)]);
            if is_comparison(op) {
                prop_assert!(g == 0.0 || g == 1.0, "{op:?} gave {g}");
            }
            if f64_ {
                let want = op.oracle(a, b);
                prop_assert!(same(g, want), "{op:?} f64 ({}, {}) [{i}] ({a}, {b}): {g} vs {want}", l.how, r.how);
            } else {
                let want = op.oracle(a as f32, b as f32);
                let ok = if op == Kernel::Op(BinaryOp::BceWithLogits) {
                    close(g, want as f64, 4e-7)
                } else {
                    ulps_f32(g as f32, want) == 0
                };
                prop_assert!(ok, "{op:?} f32 ({}, {}) [{i}] ({a}, {b}): {g} vs {want}", l.how, r.how);
            }
        }
    }

    #[test]
    fn binary_int_ops_match_the_oracle(
        out_shape in shape(3, 4),
        (lones, rones) in (any::<u8>(), any::<u8>()),
        lpool in prop::collection::vec(-50i64..50, 1..20),
        rpool in prop::collection::vec(1i64..20, 1..20),
        op_i in 0..OPS.len(),
    ) {
        let op = OPS[op_i];
        prop_assume!(op.supports_int());
        let (ls, rs) = (operand_shape(&out_shape, lones, 0), operand_shape(&out_shape, rones, 0));
        let out_shape = broadcast(&ls, &rs);
        let lp: Vec<f64> = lpool.iter().map(|&v| v as f64).collect();
        let rp: Vec<f64> = rpool.iter().map(|&v| v as f64).collect();
        let (l, r) = (view_of(&ls, ViewKind::Contiguous, &lp, DType::I64), view_of(&rs, ViewKind::Transposed, &rp, DType::I64));
        let got = l.tensor.binary(op, &r.tensor).to_vec::<i64>();
        for (i, &g) in got.iter().enumerate() {
            let (a, b) = (l.values[broadcast_index(i, &out_shape, &ls)] as i64, r.values[broadcast_index(i, &out_shape, &rs)] as i64);
            prop_assert_eq!(g, ops::binary_i64(op, a, b), "{:?} ({}, {})", op, a, b);
        }
    }
}

#[test]
fn bce_with_logits_at_the_extremes_matches_torch() {
    // torch.nn.functional.binary_cross_entropy_with_logits(x, y, reduction='none')
    let x = Tensor::new(&[1e4f32, -1e4, 1e4, -1e4, 0.0, f32::INFINITY, f32::NEG_INFINITY], &[7]);
    let y = Tensor::new(&[1.0f32, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0], &[7]);
    let got = x.bce_with_logits(&y).to_vec::<f32>();
    assert_eq!(&got[..4], &[0.0, 1e4, 1e4, 0.0]);
    assert!((got[4] - std::f32::consts::LN_2).abs() < 1e-7);
    assert_eq!(&got[5..], &[0.0, 0.0], "matching infinite logits cost nothing");
    let wrong = Tensor::new(&[f32::INFINITY], &[1]).bce_with_logits(&Tensor::new(&[0.0f32], &[1]));
    assert_eq!(wrong.to_vec::<f32>(), vec![f32::INFINITY]);
}

#[test]
fn relu_backward_by_hand() {
    // d/dx max(x, 0) = [x > 0]: the upstream gradient passes where the ReLU's output is positive, and is cut
    // (even an infinite one) where it is 0. A [2] output broadcasts against a [2, 2] gradient.
    let grad = Tensor::new(&[1.0f32, 2.0, f32::INFINITY, -4.0], &[2, 2]);
    let out = Tensor::new(&[0.0f32, 0.5], &[2]);
    assert_eq!(grad.relu_backward(&out).to_vec::<f32>(), vec![0.0, 2.0, 0.0, -4.0]);
}

#[test]
#[should_panic(expected = "relu_backward: defined for float tensors only")]
fn relu_backward_refuses_integers() {
    let x = Tensor::new(&[1i64, -2], &[2]);
    x.relu_backward(&x);
}

#[test]
fn bias_broadcast_over_rows() {
    // The tutorial's `x @ w + b`: a [800, 10] activation plus a [10] bias.
    let h = Tensor::from_f64_values(
        &(0..8000).map(|i| i as f64 * 0.01).collect::<Vec<_>>(),
        &[800, 10],
        DType::F32,
        &tensor::Device::Cpu,
    );
    let b = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], &[10]);
    let out = h.add(&b).to_vec2::<f32>();
    let hv = h.to_vec2::<f32>();
    for (i, row) in out.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            assert_eq!(v, hv[i][j] + (j + 1) as f32);
        }
    }
}
