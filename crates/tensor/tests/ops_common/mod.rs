//! Helpers shared by the `ops_*` property tests: random tensors and views, the naive logical read of a view
//! (index arithmetic on the base data, independent of the kernels under test), and float comparison in ulps.

#![allow(dead_code)]

use proptest::prelude::*;
use tensor::{DType, Device, Tensor};

/// A view of a random base tensor, with its expected logical values computed from the base data.
#[derive(Debug, Clone)]
pub struct View {
    pub tensor: Tensor,
    /// The elements in logical (row-major) order.
    pub values: Vec<f64>,
    /// How the view was made (for failure messages).
    pub how: String,
}

/// Logical values of `t` read through its layout from `base` (the storage's data), by index arithmetic.
pub fn read_through_layout(t: &Tensor, base: &[f64]) -> Vec<f64> {
    let l = t.layout();
    let n = l.numel();
    let mut out = Vec::with_capacity(n);
    for flat in 0..n {
        let mut rem = flat;
        let mut off = l.offset();
        for d in (0..l.rank()).rev() {
            let i = rem % l.shape()[d];
            rem /= l.shape()[d];
            off += i * l.strides()[d];
        }
        out.push(base[off]);
    }
    out
}

/// A value: mostly moderate, sometimes large, tiny, zero or non-finite (when `specials`).
pub fn value(specials: bool) -> impl Strategy<Value = f64> {
    let special = if specials {
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
            Just(1e4),
            Just(-1e4),
            Just(1.0),
        ]
        .boxed()
    } else {
        prop_oneof![Just(0.0), Just(1.0), Just(-1.0), Just(0.5)].boxed()
    };
    prop_oneof![8 => -5.0..5.0f64, 1 => -100.0..100.0f64, 1 => special]
}

/// A shape of rank `0..=max_rank` with dimensions in `0..=max_dim` (0- and 1-sized dimensions included).
pub fn shape(max_rank: usize, max_dim: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1 => Just(0usize), 2 => Just(1usize), 6 => 2..=max_dim], 0..=max_rank)
}

/// Makes a tensor of `dtype` from f64 values (rounded to f32, truncated to i64).
pub fn make(values: &[f64], shape: &[usize], dtype: DType) -> (Tensor, Vec<f64>) {
    let t = Tensor::from_f64_values(values, shape, dtype, &Device::Cpu);
    let rounded = match dtype {
        DType::F32 => values.iter().map(|&v| v as f32 as f64).collect(),
        DType::F64 => values.to_vec(),
        DType::I64 => values.iter().map(|&v| v as i64 as f64).collect(),
    };
    (t, rounded)
}

/// The kinds of views a test is run on.
#[derive(Debug, Clone, Copy)]
pub enum ViewKind {
    Contiguous,
    /// The last two dimensions swapped (a base of the swapped shape, transposed back).
    Transposed,
    /// A narrowed slice of a larger base along dimension 0.
    Narrowed,
    /// Broadcast from a base with size-1 dimensions.
    Expanded,
}

pub fn view_kind() -> impl Strategy<Value = ViewKind> {
    prop_oneof![
        Just(ViewKind::Contiguous),
        Just(ViewKind::Transposed),
        Just(ViewKind::Narrowed),
        Just(ViewKind::Expanded)
    ]
}

/// A view of logical shape `shape` and kind `kind`, from base values drawn by `seed_values` (cycled).
pub fn view_of(shape: &[usize], kind: ViewKind, pool: &[f64], dtype: DType) -> View {
    let rank = shape.len();
    let take =
        |n: usize| -> Vec<f64> { (0..n).map(|i| if pool.is_empty() { 0.5 } else { pool[i % pool.len()] }).collect() };
    let (tensor, base, how) = match kind {
        ViewKind::Transposed if rank >= 2 => {
            let mut bs = shape.to_vec();
            bs.swap(rank - 2, rank - 1);
            let (b, vals) = make(&take(bs.iter().product()), &bs, dtype);
            (b.transpose(rank - 2, rank - 1), vals, format!("transpose of {bs:?}"))
        }
        ViewKind::Narrowed if rank >= 1 => {
            let mut bs = shape.to_vec();
            bs[0] += 3;
            let (b, vals) = make(&take(bs.iter().product()), &bs, dtype);
            (b.narrow(0usize, 2, shape[0]), vals, format!("narrow(0, 2, {}) of {bs:?}", shape[0]))
        }
        ViewKind::Expanded if rank >= 1 => {
            // Every other dimension of size > 1 comes from a size-1 base dimension.
            let bs: Vec<usize> =
                shape.iter().enumerate().map(|(i, &d)| if i % 2 == 0 && d > 1 { 1 } else { d }).collect();
            let (b, vals) = make(&take(bs.iter().product()), &bs, dtype);
            (b.expand(shape), vals, format!("expand of {bs:?}"))
        }
        _ => {
            let (b, vals) = make(&take(shape.iter().product()), shape, dtype);
            (b, vals, "contiguous".to_string())
        }
    };
    let values = read_through_layout(&tensor, &base);
    assert_eq!(tensor.shape(), shape);
    View { tensor, values, how }
}

/// Distance in ulps of f32 (both NaN: 0; NaN against a number: max).
pub fn ulps_f32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return if a.is_nan() && b.is_nan() { 0 } else { u64::MAX };
    }
    let key = |x: f32| {
        let i = x.to_bits() as i32;
        (if i < 0 { i32::MIN.wrapping_sub(i) } else { i }) as i64
    };
    (key(a) - key(b)).unsigned_abs()
}

/// Equal, or both NaN (signed zeros equal).
pub fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// `|a - b| <= tol * max(1, |b|)`, infinities and NaNs compared exactly.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    if !a.is_finite() || !b.is_finite() {
        return same(a, b);
    }
    (a - b).abs() <= tol * b.abs().max(1.0)
}
