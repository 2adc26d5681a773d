//! CPU matrix multiplication: `out[m×n] (+)= lhs[m×k] · rhs[k×n]` for `f32` and `f64`.
//!
//! Names used throughout: `m, k, n` are the dimensions above; `mr × nr` is the size of the register tile one
//! microkernel call computes; `kc` is the depth of one packed panel, `mc × kc` the packed block of `lhs` (kept
//! in L2) and `kc × nc` the packed block of `rhs`. Operands are strided [`MatRef`] views (transposed,
//! broadcast and offset views are read in place, never materialised); `out` is always row-major contiguous.
//!
//! Reading order — the lesson first, the tricks for particular shapes after it:
//! 1. `naive.rs`: the triple loop, `out[i, j] = Σ_p lhs[i, p] · rhs[p, j]`. It is the reference: the tests
//!    compare every path and every instruction set against it.
//! 2. `blis.rs`: the packed path, BLIS's five loops around a register-blocked microkernel, on one thread or
//!    spread over a rayon pool; `pack.rs` copies blocks of the operands into the microkernel's panel layout;
//!    `fallback.rs`, `avx2.rs`, `avx512.rs` are the microkernels (portable / AVX2+FMA / AVX-512F), the SIMD
//!    ones written once in `macros.rs`.
//! 3. `plan.rs`: [`plan`](plan::plan) — which path a product takes, and why. The dispatcher in this file
//!    carries out the plan it returns, so the plan is what runs.
//! 4. `fast/`: the fast paths for the tutorial's shapes — the direct path (register blocks straight from the
//!    views, with its short-k and dot kernels, and permuted broadcasts for a transposed `lhs`) and the packed
//!    path on a team of two threads — with a table of when each is taken and why.
//! 5. `bench.rs` (cargo feature `bench`): a dependency-free timer for the CLI.
//!
//! The instruction set comes from `cpu/features.rs`, the one place that asks the CPU what it supports.
//!
//! Which path runs depends only on the shape, the strides and the instruction set (never on the thread
//! count), and threads split only the output into blocks, each computed by one thread with the same `k` order:
//! results are bit-identical whatever the number of threads.

#[macro_use]
mod macros;

mod avx2;
mod avx512;
#[cfg(feature = "bench")]
mod bench;
mod blis;
mod fallback;
pub(crate) mod fast;
mod naive;
mod pack;
pub(crate) mod plan;

#[cfg(feature = "bench")]
pub use bench::bench_matmul_gflops;
pub use naive::gemm_naive;

use crate::cpu::features::Isa;
use fast::direct::{self, DirectKernel, Init};
use fast::team;
use plan::{Options, Order, Route, Split};
use std::fmt::Debug;
use std::ops::{Add, Mul};

/// Strided read-only view of a matrix: element (i, j) is `data[offset + i * rs + j * cs]`.
///
/// Strides are element strides and may be anything: `rs = 1, cs = rows` is a transposed row-major matrix,
/// `rs = 0` broadcasts one row to every row.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a, T> {
    pub data: &'a [T],
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a, T> MatRef<'a, T> {
    /// A row-major contiguous `rows × cols` matrix.
    pub fn row_major(data: &'a [T], rows: usize, cols: usize) -> Self {
        Self { data, offset: 0, rows, cols, rs: cols, cs: 1 }
    }

    /// The transposed view (no copy): swaps rows/cols and their strides.
    pub fn t(self) -> Self {
        Self { rows: self.cols, cols: self.rows, rs: self.cs, cs: self.rs, ..self }
    }

    /// Index into `data` of element (i, j).
    #[inline(always)]
    pub fn idx(&self, i: usize, j: usize) -> usize {
        self.offset + i * self.rs + j * self.cs
    }

    /// Checks that every element of the view lies inside `data` (so the kernels may read it unchecked).
    #[track_caller]
    fn check_bounds(&self, what: &str) {
        if self.rows == 0 || self.cols == 0 {
            return;
        }
        // In checked arithmetic: an index that wraps past `usize::MAX` would otherwise look small.
        let last = (self.rows - 1)
            .checked_mul(self.rs)
            .and_then(|r| r.checked_add((self.cols - 1).checked_mul(self.cs)?))
            .and_then(|d| d.checked_add(self.offset));
        match last {
            Some(last) if last < self.data.len() => {}
            _ => bounds_panic(what, self, self.data.len()),
        }
    }
}

/// The element types the GEMM kernels handle: the tensor element types ([`crate::dtype::Element`]) that are
/// floats with `+` and `*` (f32 and f64). `mul_add` is the plain `acc + a * b` (one rounding per operation); the
/// SIMD kernels fuse it, so their results differ from [`gemm_naive`] by rounding only.
pub(crate) trait GemmFloat:
    crate::dtype::Element + PartialEq + Add<Output = Self> + Mul<Output = Self> + blis::ScratchVec
{
    const ZERO: Self;
    /// The plan's name for this type.
    const FLOAT: plan::Float;
}

impl GemmFloat for f32 {
    const ZERO: Self = 0.0;
    const FLOAT: plan::Float = plan::Float::F32;
}

impl GemmFloat for f64 {
    const ZERO: Self = 0.0;
    const FLOAT: plan::Float = plan::Float::F64;
}

/// Which algorithm computes the product. [`Path::Auto`] lets [`plan`](plan::plan) choose from the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Direct for small/skinny shapes, packed (and parallel above a size threshold) otherwise.
    Auto,
    /// The unpacked register-blocked path (`fast/direct.rs`), whatever the shape.
    Direct,
    /// The packed BLIS path (`blis.rs`), single-threaded.
    Packed,
    /// The packed BLIS path split over the threads (whatever the size).
    PackedParallel,
    /// As `Auto`, but never spread over threads (for callers that parallelise themselves).
    AutoSerial,
}

/// `out[m×n, row-major contiguous] (+)= lhs[m×k] · rhs[k×n]`. `accumulate == false` overwrites `out`.
///
/// # Panics
/// When `lhs.cols != rhs.rows`, when `out.len() != m * n`, or when a view reaches outside its data; the
/// message names `matmul` and both shapes.
#[track_caller]
pub fn gemm_f32(lhs: MatRef<f32>, rhs: MatRef<f32>, out: &mut [f32], accumulate: bool) {
    gemm_f32_with(Isa::best(), Path::Auto, lhs, rhs, out, accumulate);
}

/// [`gemm_f32`] for `f64`.
///
/// # Panics
/// As [`gemm_f32`].
#[track_caller]
pub fn gemm_f64(lhs: MatRef<f64>, rhs: MatRef<f64>, out: &mut [f64], accumulate: bool) {
    gemm_f64_with(Isa::best(), Path::Auto, lhs, rhs, out, accumulate);
}

/// [`gemm_f32`] with the instruction set and the path forced (tests and benchmarks use it to reach every
/// kernel).
///
/// # Panics
/// As [`gemm_f32`], and when `isa` is not supported by this CPU (see [`Isa::is_available`]).
#[track_caller]
pub fn gemm_f32_with(isa: Isa, path: Path, lhs: MatRef<f32>, rhs: MatRef<f32>, out: &mut [f32], accumulate: bool) {
    gemm(kernels_f32(isa), isa, path, lhs, rhs, out, Init::of(accumulate));
}

/// [`gemm_f32_with`] for `f64`.
///
/// # Panics
/// As [`gemm_f32_with`].
#[track_caller]
pub fn gemm_f64_with(isa: Isa, path: Path, lhs: MatRef<f64>, rhs: MatRef<f64>, out: &mut [f64], accumulate: bool) {
    gemm(kernels_f64(isa), isa, path, lhs, rhs, out, Init::of(accumulate));
}

/// `out = bias + lhs · rhs` with `bias` (`n` elements) broadcast to every row, when the product takes the direct
/// path — the one path where starting from the bias gives exactly the bits of adding it after the product
/// (each sum is finished before the one add of its starting value). Returns `false`, leaving `out` alone, for
/// shapes the packed path would take (it adds `k` in panels) and for `k = 0`.
///
/// # Panics
/// As [`gemm_f32`], and when `bias` has fewer than `n` elements.
#[track_caller]
pub fn gemm_bias_f32(lhs: MatRef<f32>, rhs: MatRef<f32>, bias: &[f32], out: &mut [f32]) -> bool {
    gemm_bias_f32_with(Isa::best(), lhs, rhs, bias, out)
}

/// [`gemm_bias_f32`] with the instruction set forced (tests).
///
/// # Panics
/// As [`gemm_bias_f32`], and when `isa` is not supported by this CPU.
#[track_caller]
pub fn gemm_bias_f32_with(isa: Isa, lhs: MatRef<f32>, rhs: MatRef<f32>, bias: &[f32], out: &mut [f32]) -> bool {
    gemm_bias(kernels_f32(isa), isa, lhs, rhs, bias, out)
}

/// [`gemm_bias_f32`] for `f64`.
///
/// # Panics
/// As [`gemm_bias_f32`].
#[track_caller]
pub fn gemm_bias_f64(lhs: MatRef<f64>, rhs: MatRef<f64>, bias: &[f64], out: &mut [f64]) -> bool {
    let isa = Isa::best();
    gemm_bias(kernels_f64(isa), isa, lhs, rhs, bias, out)
}

#[track_caller]
fn gemm_bias<T: GemmFloat>(
    kernels: &Kernels<T>,
    isa: Isa,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    bias: &[T],
    out: &mut [T],
) -> bool {
    check_shapes(&lhs, &rhs, out.len());
    let n = rhs.cols;
    assert!(bias.len() >= n, "matmul: a bias of {} elements for {n} output columns", bias.len());
    let plan = plan_of(isa, Path::Auto, &lhs, &rhs, true);
    if !matches!(plan.route, Route::Direct { .. }) {
        return false;
    }
    run(kernels, &plan, lhs, rhs, out, Init::Row(bias));
    true
}

/// The kernels of one instruction set for one element type.
pub(crate) struct Kernels<T: 'static> {
    /// The packed-path microkernel and its blocking.
    pub micro: blis::MicroKernel<T>,
    /// The direct-path kernels.
    pub direct: DirectKernel<T>,
}

static FALLBACK_F32: Kernels<f32> = Kernels { micro: fallback::MICRO_F32, direct: fast::portable::DIRECT_F32 };
static FALLBACK_F64: Kernels<f64> = Kernels { micro: fallback::MICRO_F64, direct: fast::portable::DIRECT_F64 };
static AVX2_F32: Kernels<f32> = Kernels { micro: avx2::MICRO_F32, direct: fast::portable::DIRECT_AVX2_F32 };
static AVX2_F64: Kernels<f64> = Kernels { micro: avx2::MICRO_F64, direct: fast::portable::DIRECT_AVX2_F64 };
static AVX512_F32: Kernels<f32> = Kernels { micro: avx512::MICRO_F32, direct: fast::avx512::DIRECT_F32 };
static AVX512_F64: Kernels<f64> = Kernels { micro: avx512::MICRO_F64, direct: fast::avx512::DIRECT_F64 };

/// The `f32` kernels of `isa` (which this CPU must support).
#[track_caller]
fn kernels_f32(isa: Isa) -> &'static Kernels<f32> {
    isa.assert_available("matmul");
    match isa {
        Isa::Fallback => &FALLBACK_F32,
        Isa::Avx2Fma => &AVX2_F32,
        Isa::Avx512 => &AVX512_F32,
    }
}

/// The `f64` kernels of `isa` (which this CPU must support).
#[track_caller]
fn kernels_f64(isa: Isa) -> &'static Kernels<f64> {
    isa.assert_available("matmul");
    match isa {
        Isa::Fallback => &FALLBACK_F64,
        Isa::Avx2Fma => &AVX2_F64,
        Isa::Avx512 => &AVX512_F64,
    }
}

/// The plan of `lhs · rhs` with these views' strides.
#[track_caller]
fn plan_of<T: GemmFloat>(isa: Isa, path: Path, lhs: &MatRef<T>, rhs: &MatRef<T>, bias: bool) -> plan::Plan {
    let options = Options {
        float: T::FLOAT,
        lhs: Order::Strided { rs: lhs.rs, cs: lhs.cs },
        rhs: Order::Strided { rs: rhs.rs, cs: rhs.cs },
        isa,
        path,
        bias,
    };
    plan::plan(lhs.rows, lhs.cols, rhs.cols, &options)
}

/// Checks the operands, asks [`plan`](plan::plan) for the path, and runs it.
#[track_caller]
fn gemm<T: GemmFloat>(
    kernels: &Kernels<T>,
    isa: Isa,
    path: Path,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    init: Init<'_, T>,
) {
    check_shapes(&lhs, &rhs, out.len());
    let plan = plan_of(isa, path, &lhs, &rhs, false);
    run(kernels, &plan, lhs, rhs, out, init);
}

/// Carries out `plan` (made for these operands by [`plan_of`]).
fn run<T: GemmFloat>(
    kernels: &Kernels<T>,
    plan: &plan::Plan,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    init: Init<'_, T>,
) {
    let accumulate = matches!(init, Init::Out);
    match plan.route {
        Route::NoOutput => {}
        Route::EmptySum => {
            // An empty sum: out = 0 (or out + 0).
            if !accumulate {
                out.fill(T::ZERO);
            }
            plan::trace::record(plan::trace::Step::Fill);
        }
        Route::Direct { steps, .. } => direct::gemm_direct(&kernels.direct, &steps, lhs, rhs, out, init),
        Route::Packed { split, .. } => match split {
            Split::Serial(_) => blis::gemm_serial(&kernels.micro, lhs, rhs, out, accumulate),
            Split::Team(cut) => team::gemm_team(&kernels.micro, lhs, rhs, out, accumulate, cut),
            Split::Rayon { mb, nb, .. } => blis::gemm_rayon(&kernels.micro, lhs, rhs, out, accumulate, (mb, nb)),
        },
    }
}

/// Panics unless `lhs · rhs` is defined, fits `out`, and both views lie inside their data.
#[track_caller]
fn check_shapes<T>(lhs: &MatRef<T>, rhs: &MatRef<T>, out_len: usize) {
    if lhs.cols != rhs.rows {
        shape_panic(lhs, rhs);
    }
    if lhs.rows.checked_mul(rhs.cols) != Some(out_len) {
        out_len_panic(lhs, rhs, out_len);
    }
    lhs.check_bounds("lhs");
    rhs.check_bounds("rhs");
}

#[cold]
#[track_caller]
fn shape_panic<T>(lhs: &MatRef<T>, rhs: &MatRef<T>) -> ! {
    panic!(
        "matmul: lhs [{}, {}] and rhs [{}, {}]: inner dimensions {} and {} differ",
        lhs.rows, lhs.cols, rhs.rows, rhs.cols, lhs.cols, rhs.rows
    )
}

#[cold]
#[track_caller]
fn out_len_panic<T>(lhs: &MatRef<T>, rhs: &MatRef<T>, out_len: usize) -> ! {
    panic!(
        "matmul: lhs [{}, {}] and rhs [{}, {}]: out has {} elements, expected {}",
        lhs.rows,
        lhs.cols,
        rhs.rows,
        rhs.cols,
        out_len,
        lhs.rows * rhs.cols
    )
}

#[cold]
#[track_caller]
fn bounds_panic<T>(what: &str, v: &MatRef<T>, len: usize) -> ! {
    panic!(
        "matmul: {what} view [{}, {}] (offset {}, strides [{}, {}]) reaches outside its buffer of {len} elements",
        v.rows, v.cols, v.offset, v.rs, v.cs
    )
}
