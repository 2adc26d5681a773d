//! Reductions (sum, mean, max, min, argmax, argmin over each axis, keepdim or not, and over everything) and
//! softmax / log-softmax against naive f64 loops, on random shapes and views, in f32, f64 and i64. Ties in
//! argmax/argmin resolve to the first index (values are drawn from a small set so ties are common); softmax
//! rows with ±1e4 and -∞ match PyTorch's values.

mod ops_common;

use ops_common::*;
use proptest::prelude::*;
use tensor::{ops, DType, Device, ReduceOp, Tensor};

/// The rows of `values` (shape `shape`) along `axis`, in output order.
fn rows_along(values: &[f64], shape: &[usize], axis: usize) -> Vec<Vec<f64>> {
    let inner: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    let n = shape[axis];
    let mut rows = Vec::new();
    for o in 0..outer {
        for i in 0..inner {
            rows.push((0..n).map(|k| values[(o * n + k) * inner + i]).collect());
        }
    }
    rows
}

/// The naive reduction of one row: (value, first index of the extreme).
fn naive(op: ReduceOp, row: &[f64]) -> f64 {
    match op {
        ReduceOp::Sum => row.iter().sum(),
        ReduceOp::Max | ReduceOp::Min | ReduceOp::ArgMax | ReduceOp::ArgMin => {
            let max = matches!(op, ReduceOp::Max | ReduceOp::ArgMax);
            let mut at = 0;
            for (j, &v) in row.iter().enumerate() {
                if row[at].is_nan() {
                    break;
                }
                if v.is_nan() || (max && v > row[at]) || (!max && v < row[at]) {
                    at = j;
                }
            }
            if op.is_arg() {
                at as f64
            } else {
                row[at]
            }
        }
    }
}

const OPS: [ReduceOp; 5] = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reductions_match_naive_loops(
        shape in prop::collection::vec(prop_oneof![1 => Just(1usize), 4 => 2..6usize], 1..=4),
        kind in view_kind(),
        pool in prop::collection::vec(prop_oneof![3 => (-3i32..4).prop_map(|v| v as f64), 1 => -5.0..5.0f64], 1..30),
        axis_seed in 0..4usize,
        op_i in 0..OPS.len(),
        keepdim in any::<bool>(),
        dtype_i in 0..3usize,
    ) {
        let (op, axis) = (OPS[op_i], axis_seed % shape.len());
        let dtype = [DType::F32, DType::F64, DType::I64][dtype_i];
        let v = view_of(&shape, kind, &pool, dtype);
        let out = v.tensor.reduce(op, axis, keepdim);
        let mut want_shape = shape.clone();
        if keepdim { want_shape[axis] = 1 } else { want_shape.remove(axis); }
        prop_assert_eq!(out.shape(), &want_shape[..]);
        prop_assert_eq!(out.dtype(), if op.is_arg() { DType::I64 } else { dtype });
        let got = out.to_f64_vec();
        for (row, &g) in rows_along(&v.values, &shape, axis).iter().zip(&got) {
            let want = naive(op, row);
            let scale: f64 = row.iter().map(|x| x.abs()).sum();
            prop_assert!(close(g, want, 1e-6 * scale.max(1.0)), "{op:?} {dtype:?} axis {axis} {} row {row:?}: {g} vs {want}", v.how);
        }
        // mean = sum / n, for floats.
        if dtype != DType::I64 && op == ReduceOp::Sum {
            let mean = (if keepdim { v.tensor.mean_keepdim(axis) } else { v.tensor.mean_dim(axis) }).to_f64_vec();
            for (m, s) in mean.iter().zip(&got) {
                prop_assert!(close(*m, s / shape[axis] as f64, 1e-6));
            }
        }
    }

    #[test]
    fn reductions_over_everything(
        shape in shape(3, 5),
        pool in prop::collection::vec(-4.0..4.0f64, 1..30),
        f64_ in any::<bool>(),
    ) {
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let v = view_of(&shape, ViewKind::Transposed, &pool, dtype);
        let sum = v.tensor.sum();
        prop_assert_eq!(sum.shape(), &[] as &[usize]);
        let exact: f64 = v.values.iter().sum();
        prop_assert!(close(sum.item(), exact, 1e-5));
        if !v.values.is_empty() {
            prop_assert!(close(v.tensor.mean().item(), exact / v.values.len() as f64, 1e-5));
            prop_assert_eq!(v.tensor.max().item(), naive(ReduceOp::Max, &v.values));
            prop_assert_eq!(v.tensor.min().item(), naive(ReduceOp::Min, &v.values));
        }
    }

    #[test]
    fn softmax_and_log_softmax_match_the_ops_oracle(
        shape in prop::collection::vec(1..6usize, 1..=3),
        kind in view_kind(),
        pool in prop::collection::vec(value(false), 1..30),
        axis_seed in 0..3usize,
        log in any::<bool>(),
        f64_ in any::<bool>(),
    ) {
        let axis = axis_seed % shape.len();
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let v = view_of(&shape, kind, &pool, dtype);
        let out = if log { v.tensor.log_softmax(axis) } else { v.tensor.softmax(axis) };
        prop_assert_eq!(out.shape(), &shape[..]);
        // Compare row by row: the output rows along `axis` against the scalar definition on the input rows.
        let got_rows = rows_along(&out.to_f64_vec(), &shape, axis);
        for (row, got) in rows_along(&v.values, &shape, axis).iter().zip(&got_rows) {
            let oracle = if log { ops::log_softmax(row) } else { ops::softmax(row) };
            for (want, g) in oracle.into_iter().zip(got) {
                prop_assert!(close(*g, want, 2e-6), "log={log} {} row {row:?}: {g} vs {want}", v.how);
            }
        }
    }
}

#[test]
fn argmax_ties_pick_the_first_index() {
    let x = Tensor::new(&[1.0f32, 3.0, 3.0, 0.0, 2.0, 2.0, 2.0, 2.0], &[2, 4]);
    assert_eq!(x.argmax(1usize).to_vec::<i64>(), vec![1, 0]);
    assert_eq!(x.argmin(1usize).to_vec::<i64>(), vec![3, 0]);
    let i = Tensor::new(&[5i64, 7, 7, 1], &[4]);
    assert_eq!(i.argmax_keepdim(0usize).to_vec::<i64>(), vec![1]);
}

#[test]
fn softmax_extremes_match_torch() {
    // torch.softmax / torch.log_softmax over dim 1 of [[-inf]*3, [-inf, 0, 1e4], [1e4, -1e4, 0]].
    let ninf = f32::NEG_INFINITY;
    let x = Tensor::new(&[ninf, ninf, ninf, ninf, 0.0, 1e4, 1e4, -1e4, 0.0], &[3, 3]);
    let s = x.softmax(1usize).to_vec::<f32>();
    assert!(s[..3].iter().all(|v| v.is_nan()), "an all -inf row is NaN in torch: {s:?}");
    assert_eq!(&s[3..], &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    let l = x.log_softmax(1usize).to_vec::<f32>();
    assert!(l[..3].iter().all(|v| v.is_nan()));
    assert_eq!(&l[3..], &[ninf, -1e4, 0.0, 0.0, -2e4, -1e4]);
}

#[test]
fn sum_of_an_empty_axis_is_zero() {
    let x = Tensor::zeros(&[3, 0], DType::F32, &Device::Cpu);
    assert_eq!(x.sum_dim(1usize).to_vec::<f32>(), vec![0.0; 3]);
    assert_eq!(x.sum_dim(0usize).shape(), &[0]);
}
