//! Every `UnaryOp` against its scalar oracle (`tensor::ops::unary`, `unary_i64`) on random shapes (0- and
//! 1-sized dimensions included) and views (contiguous, transposed, narrowed, expanded), in f32, f64 and i64.
//! f64 and the exact f32 ops must match bit for bit; the f32 transcendental ops (SIMD polynomials) within 2 ulp.

mod ops_common;

use ops_common::*;
use proptest::prelude::*;
use tensor::ops::{self, UnaryOp};
use tensor::DType;

const OPS: [UnaryOp; 17] = [
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
    UnaryOp::Powf(0.5),
    UnaryOp::Powf(-1.5),
    UnaryOp::Clamp(-1.0, 2.5),
    UnaryOp::Affine(2.0, -1.0),
    UnaryOp::Affine(-0.3, 0.7),
];

fn transcendental(op: UnaryOp) -> bool {
    matches!(op, UnaryOp::Exp | UnaryOp::Log | UnaryOp::Log1p | UnaryOp::Sigmoid | UnaryOp::Tanh)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn unary_float_ops_match_the_oracle(
        shape in shape(4, 5),
        kind in view_kind(),
        pool in prop::collection::vec(value(true), 1..40),
        op_i in 0..OPS.len(),
        f64_ in any::<bool>(),
    ) {
        let op = OPS[op_i];
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let v = view_of(&shape, kind, &pool, dtype);
        let out = v.tensor.unary(op);
        prop_assert_eq!(out.shape(), &shape[..]);
        prop_assert_eq!(out.dtype(), dtype);
        let got = out.to_f64_vec();
        for (i, (&x, &g)) in v.values.iter().zip(&got).enumerate() {
            if f64_ {
                let want = ops::unary(op, x);
                prop_assert!(same(g, want), "{op:?} f64 {} [{i}] x={x}: {g} vs {want}", v.how);
            } else {
                let want = ops::unary(op, x as f32);
                let bound = if transcendental(op) { 2 } else { 0 };
                prop_assert!(ulps_f32(g as f32, want) <= bound, "{op:?} f32 {} [{i}] x={x}: {g} vs {want}", v.how);
            }
        }
    }

    #[test]
    fn unary_int_ops_match_the_oracle(
        shape in shape(3, 5),
        kind in view_kind(),
        pool in prop::collection::vec(-1000i64..1000, 1..30),
        op_i in 0..OPS.len(),
    ) {
        let op = OPS[op_i];
        prop_assume!(op.supports_int());
        let pool: Vec<f64> = pool.into_iter().map(|v| v as f64).collect();
        let v = view_of(&shape, kind, &pool, DType::I64);
        let out = v.tensor.unary(op);
        prop_assert_eq!(out.dtype(), DType::I64);
        let got = out.to_vec::<i64>();
        for (&x, &g) in v.values.iter().zip(&got) {
            prop_assert_eq!(g, ops::unary_i64(op, x as i64), "{:?} {} x={}", op, v.how, x);
        }
    }
}

#[test]
fn scalar_operators_are_affine_maps() {
    let x = tensor::Tensor::new(&[1.0f32, -2.0, 0.5], &[3]);
    assert_eq!((&x * 2.0).to_vec::<f32>(), vec![2.0, -4.0, 1.0]);
    assert_eq!((&x - 1.0).to_vec::<f32>(), vec![0.0, -3.0, -0.5]);
    assert_eq!((&x / 4.0).to_vec::<f32>(), vec![0.25, -0.5, 0.125]);
    assert_eq!((-&x).to_vec::<f32>(), vec![-1.0, 2.0, -0.5]);
}
