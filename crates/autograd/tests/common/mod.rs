//! Shared by the test files: the per-device macro, random cases for the property tests, and small helpers.
#![allow(dead_code)] // each test file uses a part

use autograd::{gradcheck, GradcheckOptions, Var};
use proptest::prelude::*;
use rand::{rngs::StdRng, Rng, SeedableRng};
use tensor::{DType, Device, Tensor};

/// Instantiates a test body `fn name(dev: &Device)` once per device: `test_device!(name, name_cpu, name_wgpu)`.
/// The GPU instantiation exists only with this crate's `wgpu` feature; without an adapter it skips (or fails under
/// `CI=true`, see `tensor::gpu::testing::gpu_or_skip`).
#[macro_export]
macro_rules! test_device {
    ($body:ident, $cpu:ident, $wgpu:ident) => {
        #[test]
        fn $cpu() {
            $body(&tensor::Device::Cpu);
        }
        #[cfg(feature = "wgpu")]
        #[test]
        fn $wgpu() {
            let Some(dev) = tensor::gpu::testing::gpu_or_skip() else { return };
            $body(&dev);
        }
    };
}

/// A tensor from f32 values on `dev`.
pub fn t32(dev: &Device, data: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(data, shape, dev)
}

/// Asserts two float sequences agree to `tol` (absolute, plus relative to the expected value).
#[track_caller]
pub fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "lengths differ: got {got:?}, want {want:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "element {i}: got {g}, want {w} (got {got:?}, want {want:?})");
    }
}

/// Runs gradcheck with the default options, panicking with its message on failure.
#[track_caller]
pub fn check(f: impl Fn(&[Var]) -> Var, inputs: &[Tensor]) {
    if let Err(e) = gradcheck(f, inputs, GradcheckOptions::default()) {
        panic!("{e}");
    }
}

/// How an input reaches the op under test: as given, or as a strided view made inside the graph (so the op sees
/// a non-contiguous tensor and the view's own rule is exercised too).
#[derive(Clone, Copy, Debug)]
pub enum View {
    Contiguous,
    /// The last two dimensions of a base tensor swapped.
    Transposed,
    /// A base tensor two rows longer, narrowed to rows `1..`.
    Narrowed,
    /// A base tensor with dimension 0 of size 1, expanded (stride 0).
    Expanded,
}

/// One random input: its shape as the op sees it, how it is viewed, and the seed of its values.
#[derive(Clone, Debug)]
pub struct Case {
    pub shape: Vec<usize>,
    pub view: View,
    pub seed: u64,
}

/// Shapes of rank `0..=max_rank` with sizes 1..=4 (size-1 dimensions included), any view.
pub fn case(max_rank: usize) -> impl Strategy<Value = Case> {
    let view = prop_oneof![Just(View::Contiguous), Just(View::Transposed), Just(View::Narrowed), Just(View::Expanded)];
    (proptest::collection::vec(1usize..=4, 0..=max_rank), view, any::<u64>()).prop_map(|(shape, view, seed)| Case {
        shape,
        view,
        seed,
    })
}

/// Like [`case`] with a fixed rank range `min_rank..=max_rank`.
pub fn case_rank(min_rank: usize, max_rank: usize) -> impl Strategy<Value = Case> {
    let view = prop_oneof![Just(View::Contiguous), Just(View::Transposed), Just(View::Narrowed), Just(View::Expanded)];
    (proptest::collection::vec(1usize..=4, min_rank..=max_rank), view, any::<u64>())
        .prop_map(|(shape, view, seed)| Case { shape, view, seed })
}

/// `n` values uniform in `lo..hi` from `seed`.
pub fn values(seed: u64, n: usize, lo: f64, hi: f64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen_range(lo..hi)).collect()
}

/// Random f64 values in `lo..hi` with magnitude at least `gap` (away from the kink at 0 of relu, abs...).
pub fn values_away_from_zero(seed: u64, n: usize, lo: f64, hi: f64, gap: f64) -> Vec<f64> {
    values(seed, n, lo, hi).into_iter().map(|v| if v.abs() < gap { v.signum() * gap + v } else { v }).collect()
}

impl Case {
    /// The shape of the tensor handed to gradcheck (before the view).
    pub fn base_shape(&self) -> Vec<usize> {
        let mut s = self.shape.clone();
        let rank = s.len();
        match self.view {
            View::Transposed if rank >= 2 => s.swap(rank - 1, rank - 2),
            View::Narrowed if rank >= 1 => s[0] += 2,
            View::Expanded if rank >= 1 => s[0] = 1,
            _ => {}
        }
        s
    }

    /// The base tensor, values uniform in `lo..hi`.
    pub fn base(&self, lo: f64, hi: f64) -> Tensor {
        let shape = self.base_shape();
        let n = shape.iter().product();
        Tensor::new(&values(self.seed, n, lo, hi), &shape)
    }

    /// The base tensor with values away from 0 (for kinks).
    pub fn base_away_from_zero(&self, lo: f64, hi: f64) -> Tensor {
        let shape = self.base_shape();
        let n = shape.iter().product();
        Tensor::new(&values_away_from_zero(self.seed, n, lo, hi, 0.05), &shape)
    }

    /// Turns the base variable into the op's input (of shape `self.shape`).
    pub fn view(&self, base: &Var) -> Var {
        let rank = self.shape.len();
        match self.view {
            View::Transposed if rank >= 2 => base.transpose(-1, -2),
            View::Narrowed if rank >= 1 => base.narrow(0usize, 1, self.shape[0]),
            View::Expanded if rank >= 1 => base.expand(&self.shape),
            _ => base.clone(),
        }
    }

    /// A random constant of `shape` (the weight that puts an op "mid-graph").
    pub fn weight(&self, shape: &[usize]) -> Var {
        let n = shape.iter().product();
        Var::constant(Tensor::new(&values(self.seed ^ 0x9e37, n, -1.0, 1.0), shape))
    }
}

/// `op(view(x)) * w` with a random constant `w`: the op sits mid-graph, so a rule that ignores its upstream
/// gradient is caught.
pub fn mid_graph(case: &Case, x: &Var, op: impl Fn(&Var) -> Var) -> Var {
    let y = op(&case.view(x));
    let w = case.weight(&y.shape());
    y * w
}

/// A shape `rhs` broadcastable with `lhs`: some dimensions set to 1 and possibly fewer leading dimensions.
pub fn broadcast_partner(lhs: &[usize], seed: u64) -> Vec<usize> {
    let mut rng = StdRng::seed_from_u64(seed);
    let drop = rng.gen_range(0..=lhs.len());
    lhs[drop..].iter().map(|&d| if rng.gen_bool(0.3) { 1 } else { d }).collect()
}

/// The float dtype used by tests that compare precisions.
pub const F32: DType = DType::F32;
