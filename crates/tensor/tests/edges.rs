//! The safe API at the edges: views and shapes built from extreme values (0, 1, `usize::MAX`, `usize::MAX - 1`,
//! `1 << 32`, `i64::MIN` indices, size-0 dimensions), fed to every op family.
//!
//! A scalar oracle models a tensor as its shape and its values in row-major order, and each view op on it with
//! checked arithmetic: it says whether the op is valid and, if so, what it gives. Each call of the real API must
//! then either return the oracle's answer, or panic with a message that starts with the op's name — never a wrong
//! value, never a panic from inside std (an overflow, a slice index), never a crash. Consumers (copy, unary,
//! binary, reduction, matmul, indexing) run on every view small enough to compute.

use std::panic::{catch_unwind, AssertUnwindSafe};

#[path = "../../../tests/support/panics.rs"]
mod panics;

use panics::payload_text;
use proptest::prelude::*;
use tensor::{DType, Device, Tensor};

/// The extreme values every size, start and index is drawn from (with small ones, so that valid views happen).
const EXTREMES: [usize; 6] = [0, 1, usize::MAX, usize::MAX - 1, 1 << 32, (1 << 32) + 1];

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![3 => 0usize..4, 1 => proptest::sample::select(EXTREMES.to_vec())]
}

/// An axis: mostly in range, sometimes one that only wraps into range (`usize::MAX` as `-1`).
fn axis() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 0usize..3, 1 => proptest::sample::select(vec![usize::MAX, usize::MAX - 1, 1 << 32])]
}

fn index_value() -> impl Strategy<Value = i64> {
    prop_oneof![3 => -1i64..4, 1 => proptest::sample::select(vec![i64::MIN, i64::MAX, 1 << 32, -(1 << 32)])]
}

/// The oracle's tensor: shape and row-major values.
#[derive(Clone, Debug)]
struct Model {
    shape: Vec<usize>,
    values: Vec<f64>,
}

fn checked_numel(shape: &[usize]) -> Option<usize> {
    // Non-zero sizes must multiply without overflow even when another size is 0 (their strides must exist).
    let p = shape.iter().filter(|&&n| n != 0).try_fold(1usize, |a, &n| a.checked_mul(n))?;
    Some(if shape.contains(&0) { 0 } else { p })
}

/// Row-major multi-index of flat position `flat` in `shape`.
fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        idx[d] = flat % shape[d];
        flat /= shape[d];
    }
    idx
}

fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &n)| acc * n + i)
}

impl Model {
    fn numel(&self) -> usize {
        self.values.len()
    }

    /// Builds the output of `shape` whose element at multi-index `i` is `f(i)`.
    fn build(shape: Vec<usize>, f: impl Fn(&[usize]) -> f64) -> Model {
        let n = checked_numel(&shape).expect("oracle shapes are checked first");
        let values = (0..n).map(|k| f(&unravel(k, &shape))).collect();
        Model { shape, values }
    }

    fn at(&self, idx: &[usize]) -> f64 {
        self.values[ravel(idx, &self.shape)]
    }
}

/// One step of a view chain, with its arguments.
#[derive(Clone, Debug)]
enum Step {
    Narrow(usize, usize, usize),
    Get(usize),
    Slice(usize, usize),
    Expand(Vec<usize>),
    Reshape(Vec<usize>),
    ReshapeInfer(Vec<isize>),
    Permute(Vec<usize>),
    Transpose(usize, usize),
    Unsqueeze(usize),
    Squeeze(usize),
    IndexSelect(usize, Vec<i64>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (axis(), size(), size()).prop_map(|(a, s, l)| Step::Narrow(a, s, l)),
        1 => size().prop_map(Step::Get),
        1 => (size(), size()).prop_map(|(a, b)| Step::Slice(a, b)),
        2 => proptest::collection::vec(size(), 0..4).prop_map(Step::Expand),
        2 => proptest::collection::vec(size(), 0..4).prop_map(Step::Reshape),
        1 => proptest::collection::vec(
            prop_oneof![Just(-1isize), Just(-2), Just(isize::MIN), (0isize..4), Just(isize::MAX)],
            0..4
        )
        .prop_map(Step::ReshapeInfer),
        1 => proptest::collection::vec(0usize..4, 0..4).prop_map(Step::Permute),
        1 => (0usize..3, 0usize..3).prop_map(|(a, b)| Step::Transpose(a, b)),
        1 => (0usize..4).prop_map(Step::Unsqueeze),
        1 => (0usize..4).prop_map(Step::Squeeze),
        2 => (0usize..3, proptest::collection::vec(index_value(), 0..4)).prop_map(|(a, i)| Step::IndexSelect(a, i)),
    ]
}

impl Step {
    /// The op name a panic of this step must start with.
    fn op(&self) -> &'static str {
        match self {
            Step::Narrow(..) => "narrow",
            Step::Get(..) => "get",
            Step::Slice(..) => "slice",
            Step::Expand(..) => "expand",
            Step::Reshape(..) => "reshape",
            Step::ReshapeInfer(..) => "reshape_infer",
            Step::Permute(..) => "permute",
            Step::Transpose(..) => "transpose",
            Step::Unsqueeze(..) => "unsqueeze",
            Step::Squeeze(..) => "squeeze",
            Step::IndexSelect(..) => "index_select",
        }
    }

    /// The oracle: `None` when the step must be refused.
    fn model(&self, m: &Model) -> Option<Model> {
        let rank = m.shape.len();
        match self {
            Step::Narrow(axis, start, len) => {
                let (axis, start, len) = (*axis, *start, *len);
                if axis >= rank || start.checked_add(len)? > m.shape[axis] {
                    return None;
                }
                let mut shape = m.shape.clone();
                shape[axis] = len;
                Some(Model::build(shape, |i| {
                    let mut j = i.to_vec();
                    j[axis] += start;
                    m.at(&j)
                }))
            }
            Step::Get(i) => {
                if rank == 0 || *i >= m.shape[0] {
                    return None;
                }
                Some(Model::build(m.shape[1..].to_vec(), |j| {
                    let mut k = vec![*i];
                    k.extend_from_slice(j);
                    m.at(&k)
                }))
            }
            Step::Slice(a, b) => {
                if rank == 0 || a > b || *b > m.shape[0] {
                    return None;
                }
                Step::Narrow(0, *a, b - a).model(m)
            }
            Step::Expand(shape) => {
                if shape.len() < rank {
                    return None;
                }
                checked_numel(shape)?;
                let lead = shape.len() - rank;
                for d in 0..rank {
                    if m.shape[d] != shape[lead + d] && m.shape[d] != 1 {
                        return None;
                    }
                }
                if checked_numel(shape)? > 4096 {
                    // Valid, but too large to compute here: the real op is checked for not panicking only.
                    return Some(Model { shape: shape.clone(), values: Vec::new() });
                }
                Some(Model::build(shape.clone(), |i| {
                    let j: Vec<usize> = (0..rank).map(|d| if m.shape[d] == 1 { 0 } else { i[lead + d] }).collect();
                    m.at(&j)
                }))
            }
            Step::Reshape(shape) => {
                (checked_numel(shape)? == m.numel()).then(|| Model { shape: shape.clone(), values: m.values.clone() })
            }
            Step::ReshapeInfer(spec) => {
                if spec.iter().filter(|&&d| d < 0).count() > 1 || spec.iter().any(|&d| d < -1) {
                    return None;
                }
                let known: Vec<usize> = spec.iter().filter(|&&d| d >= 0).map(|&d| d as usize).collect();
                let known_n = checked_numel(&known)?;
                let shape: Vec<usize> = if spec.contains(&-1) {
                    if known_n == 0 || !m.numel().is_multiple_of(known_n) {
                        return None;
                    }
                    spec.iter().map(|&d| if d < 0 { m.numel() / known_n } else { d as usize }).collect()
                } else {
                    known
                };
                Step::Reshape(shape).model(m)
            }
            Step::Permute(perm) => {
                let mut seen = vec![false; rank];
                if perm.len() != rank || !perm.iter().all(|&p| p < rank && !std::mem::replace(&mut seen[p], true)) {
                    return None;
                }
                let shape: Vec<usize> = perm.iter().map(|&p| m.shape[p]).collect();
                Some(Model::build(shape, |i| {
                    let mut j = vec![0; rank];
                    for (d, &p) in perm.iter().enumerate() {
                        j[p] = i[d];
                    }
                    m.at(&j)
                }))
            }
            Step::Transpose(a, b) => {
                if *a >= rank || *b >= rank {
                    return None;
                }
                let mut perm: Vec<usize> = (0..rank).collect();
                perm.swap(*a, *b);
                Step::Permute(perm).model(m)
            }
            Step::Unsqueeze(axis) => {
                if *axis > rank {
                    return None;
                }
                let mut shape = m.shape.clone();
                shape.insert(*axis, 1);
                Some(Model { shape, values: m.values.clone() })
            }
            Step::Squeeze(axis) => {
                if *axis >= rank {
                    return None;
                }
                // As PyTorch's `squeeze(dim)`: a dimension whose size is not 1 is left alone.
                if m.shape[*axis] != 1 {
                    return Some(m.clone());
                }
                let mut shape = m.shape.clone();
                shape.remove(*axis);
                Some(Model { shape, values: m.values.clone() })
            }
            Step::IndexSelect(axis, index) => {
                if *axis >= rank || index.iter().any(|&i| i < 0 || i as u64 >= m.shape[*axis] as u64) {
                    return None;
                }
                let mut shape = m.shape.clone();
                shape[*axis] = index.len();
                Some(Model::build(shape, |i| {
                    let mut j = i.to_vec();
                    j[*axis] = index[i[*axis]] as usize;
                    m.at(&j)
                }))
            }
        }
    }

    fn apply(&self, t: &Tensor) -> Tensor {
        match self {
            Step::Narrow(axis, start, len) => t.narrow(*axis, *start, *len),
            Step::Get(i) => t.get(*i),
            Step::Slice(a, b) => t.slice(*a..*b),
            Step::Expand(shape) => t.expand(shape),
            Step::Reshape(shape) => t.reshape(shape),
            Step::ReshapeInfer(shape) => t.reshape_infer(shape),
            Step::Permute(perm) => t.permute(perm),
            Step::Transpose(a, b) => t.transpose(*a, *b),
            Step::Unsqueeze(axis) => t.unsqueeze(*axis),
            Step::Squeeze(axis) => t.squeeze_dim(*axis),
            Step::IndexSelect(axis, index) => {
                // The GPU stores int64 as int32: an index outside it is refused at the upload, which stands for
                // the op's refusal here.
                let i = Tensor::try_from_vec(index.clone(), &[index.len()], t.device())
                    .unwrap_or_else(|e| panic!("index_select: {e}"));
                t.index_select(*axis, &i)
            }
        }
    }
}

/// Runs `f`: `Ok(value)`, or `Err(message)` of a panic that names `op` (a panic that does not is a test failure).
fn call<T>(op: &str, what: &str, f: impl FnOnce() -> T) -> Result<Option<T>, TestCaseError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            let msg = payload_text(&*e);
            prop_assert!(msg.starts_with(&format!("{op}:")), "{what}: a panic that does not name `{op}`: {msg:?}");
            Ok(None)
        }
    }
}

/// Checks a tensor against the oracle: shape, then (when small enough to compute) values through every op family.
fn check_consumers(t: &Tensor, m: &Model, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(t.shape(), &m.shape[..], "{}: shape", what);
    if m.values.len() != checked_numel(&m.shape).unwrap_or(usize::MAX) {
        return Ok(()); // too large to compute
    }
    let got = t.to_f64_vec();
    prop_assert_eq!(&got, &m.values, "{}: to_vec", what);
    prop_assert_eq!(t.contiguous().to_f64_vec(), m.values.clone(), "{}: contiguous", what);
    let neg: Vec<f64> = m.values.iter().map(|v| -v).collect();
    prop_assert_eq!(t.neg().to_f64_vec(), neg, "{}: neg", what);
    let twice: Vec<f64> = m.values.iter().map(|v| v + v).collect();
    prop_assert_eq!(t.add(t).to_f64_vec(), twice, "{}: add", what);
    let sum: f64 = m.values.iter().sum();
    prop_assert_eq!(t.sum().item(), sum, "{}: sum_all", what);
    if m.values.is_empty() {
        call("max", what, || t.max())?
            .map_or(Ok(()), |_| Err(TestCaseError::fail(format!("{what}: max of nothing"))))?;
    } else {
        let max = m.values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(t.max().item(), max, "{}: max_all", what);
    }
    if m.shape.len() == 2 && m.shape.iter().all(|&n| n <= 4096) {
        // t @ ones[k, 2]: each output column holds the row sums.
        let (rows, k) = (m.shape[0], m.shape[1]);
        let ones = Tensor::ones(&[k, 2], t.dtype(), t.device());
        let want: Vec<f64> = (0..rows)
            .flat_map(|r| {
                let s: f64 = m.values[r * k..(r + 1) * k].iter().sum();
                [s, s]
            })
            .collect();
        prop_assert_eq!(t.matmul(&ones).to_f64_vec(), want, "{}: matmul", what);
        // The transpose on the right: ones[2, rows] @ t.
        let ones = Tensor::ones(&[2, rows], t.dtype(), t.device());
        let col: Vec<f64> = (0..k).map(|c| (0..rows).map(|r| m.values[r * k + c]).sum()).collect();
        let want: Vec<f64> = col.iter().chain(col.iter()).copied().collect();
        prop_assert_eq!(ones.matmul(t).to_f64_vec(), want, "{}: matmul (rhs)", what);
    }
    if !m.shape.is_empty() && m.shape[0] > 0 {
        // gather of the first entry along axis 0 for every column.
        let mut ishape = m.shape.clone();
        ishape[0] = 1;
        let n: usize = ishape.iter().product();
        let index = Tensor::from_vec(vec![0i64; n], &ishape, t.device());
        let inner: usize = m.shape[1..].iter().product();
        prop_assert_eq!(t.gather(0usize, &index).to_f64_vec(), m.values[..inner].to_vec(), "{}: gather", what);
    }
    Ok(())
}

fn run_chain(device: &Device, base: &[usize], steps: &[Step]) -> Result<(), TestCaseError> {
    let n: usize = base.iter().product();
    let values: Vec<f64> = (1..=n).map(|v| v as f64).collect();
    let mut model = Model { shape: base.to_vec(), values: values.clone() };
    let mut t = Tensor::from_f64_values(&values, base, DType::F32, device);
    let mut what = format!("base {base:?}");
    for s in steps {
        what = format!("{what}.{s:?}");
        let want = s.model(&model);
        let got = call(s.op(), &what, || s.apply(&t))?;
        match (want, got) {
            (None, Some(out)) => {
                return Err(TestCaseError::fail(format!(
                    "{what}: accepted (shape {:?}), the oracle refuses",
                    out.shape()
                )))
            }
            (_, None) => return Ok(()), // refused with a panic naming the op: the chain ends
            (Some(m), Some(out)) => {
                let consumers = catch_unwind(AssertUnwindSafe(|| check_consumers(&out, &m, &what)));
                match consumers {
                    Ok(r) => r?,
                    Err(e) => {
                        return Err(TestCaseError::fail(format!(
                            "{what}: a consumer panicked: {:?}",
                            payload_text(&*e)
                        )))
                    }
                }
                if m.values.len() != checked_numel(&m.shape).unwrap_or(usize::MAX) {
                    return Ok(()); // too large to go on computing
                }
                model = m;
                t = out;
            }
        }
    }
    Ok(())
}

/// Constructors with extreme shapes: refused with a panic naming the op (or an error from the fallible twin)
/// unless the tensor can exist; the shapes here are either tiny or impossible, so nothing large is allocated.
fn run_constructor(device: &Device, shape: &[usize]) -> Result<(), TestCaseError> {
    let what = format!("shape {shape:?}");
    let numel = checked_numel(shape);
    let possible = numel.is_some_and(|n| (n as u128) * 8 <= isize::MAX as u128);
    if possible && numel.unwrap() > 64 {
        return Ok(()); // could exist but is too large to build here
    }
    let zeros = call("zeros", &what, || Tensor::zeros(shape, DType::F32, device))?;
    prop_assert_eq!(zeros.is_some(), possible, "{}: zeros accepted {:?}", what, zeros.map(|t| t.numel()));
    let try_zeros = Tensor::try_zeros(shape, DType::F32, device);
    prop_assert_eq!(try_zeros.is_ok(), possible, "{}: try_zeros", what);
    let empty = call("from_vec", &what, || Tensor::from_vec(Vec::<f32>::new(), shape, device))?;
    prop_assert_eq!(empty.is_some(), numel == Some(0), "{}: from_vec of nothing", what);
    if let Ok(t) = Tensor::try_zeros(shape, DType::F32, device) {
        check_consumers(&t, &Model { shape: shape.to_vec(), values: vec![0.0; numel.unwrap()] }, &what)?;
    }
    Ok(())
}

fn base_shape() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![Just(vec![2, 3]), proptest::collection::vec(0usize..4, 0..4)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn view_chains_match_the_oracle_or_panic_naming_the_op(
        base in base_shape(),
        steps in proptest::collection::vec(step(), 1..4),
    ) {
        run_chain(&Device::Cpu, &base, &steps)?;
    }

    #[test]
    fn constructors_of_extreme_shapes_are_refused_or_exact(shape in proptest::collection::vec(size(), 0..4)) {
        run_constructor(&Device::Cpu, &shape)?;
    }
}

#[cfg(feature = "wgpu")]
proptest! {
    // Lavapipe is slow: few cases, small tensors (the chains' tensors have at most 4096 elements).
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn view_chains_on_the_gpu_match_the_oracle_or_panic_naming_the_op(
        base in base_shape(),
        steps in proptest::collection::vec(step(), 1..3),
    ) {
        let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return Ok(()) };
        run_chain(&gpu, &base, &steps)?;
    }
}

/// The reproduction: a narrow whose end overflows, then a matmul that read before the allocation.
#[test]
fn narrow_with_an_overflowing_end_is_refused() {
    let cpu = Device::Cpu;
    let x = Tensor::from_slice(&[1f32, 2., 3., 4., 5., 6.], &[2, 3], &cpu);
    let r = catch_unwind(AssertUnwindSafe(|| {
        x.narrow(1, usize::MAX - 1, 3).matmul(&Tensor::ones(&[3, 2], DType::F32, &cpu))
    }));
    let msg = payload_text(&*r.expect_err("narrow past the end must be refused"));
    assert!(msg.starts_with("narrow:"), "{msg}");
}

/// An empty view can have a huge number of (empty) rows: every op on it returns at once. (A proptest seed found
/// the row loop of the strided copy walking `usize::MAX` empty rows.)
#[test]
fn empty_views_with_huge_outer_dimensions_cost_nothing() {
    let cpu = Device::Cpu;
    for shape in [[usize::MAX, 0], [1 << 40, 0], [0, usize::MAX]] {
        let t = Tensor::zeros(&[0], DType::F32, &cpu).reshape(&shape);
        for v in [t.clone(), t.t()] {
            let m = Model { shape: v.shape().to_vec(), values: Vec::new() };
            check_consumers(&v, &m, &format!("{shape:?}")).unwrap();
            assert_eq!(v.exp().shape(), v.shape());
            assert_eq!(v.softmax(1usize).numel(), 0);
            let zero_axis = v.shape().iter().position(|&n| n == 0).unwrap();
            assert_eq!(Tensor::cat(&[&v, &v], zero_axis).numel(), 0);
            assert_eq!(v.to_dtype(DType::I64).numel(), 0);
            assert_eq!(v.index_select(1usize, &Tensor::new(&[0i64; 0], &[0])).numel(), 0);
        }
    }
    // Reducing the empty dimension gives as many zeros as the others hold (here: few).
    let t = Tensor::zeros(&[0], DType::F32, &cpu).reshape(&[3, 0]);
    assert_eq!(t.sum_dim(1usize).to_vec::<f32>(), vec![0.0; 3]);
    // ...and a result too large to exist is refused before the kernel.
    let r = catch_unwind(AssertUnwindSafe(|| {
        Tensor::zeros(&[0], DType::F32, &cpu).reshape(&[usize::MAX, 0]).sum_dim(1usize)
    }));
    assert!(payload_text(&*r.unwrap_err()).starts_with("sum:"));
}
