//! CPU matrix multiplication: `out[m×n] (+)= lhs[m×k] · rhs[k×n]` for `f32` and `f64`.
//!
//! Names used throughout: `m, k, n` are the dimensions above; `mr × nr` is the size of the register tile one
//! microkernel call computes; `kc` is the depth of one packed panel, `mc × kc` the packed block of `lhs` (kept
//! in L2) and `kc × nc` the packed block of `rhs`. Operands are strided [`MatRef`] views (transposed,
//! broadcast and offset views are read in place, never materialised); `out` is always row-major contiguous.
//!
//! Reading order:
//! 1. [`naive`]: the triple loop, the oracle every other path is tested against.
//! 2. [`direct`]: the unpacked path for small and skinny shapes (the MLP layers of the tutorial): no packing,
//!    no threads, no allocation.
//! 3. [`blis`]: the packed path, BLIS's five loops around a microkernel; threads share the packed `rhs` panel
//!    and split the `lhs` blocks.
//! 4. [`pack`]: copying `lhs`/`rhs` blocks into the microkernel's panel layout.
//! 5. [`fallback`], [`avx2`], [`avx512`]: the microkernels (portable / AVX2+FMA / AVX-512F); the SIMD
//!    microkernel itself is written once in `macros.rs`.
//! 6. [`detect`]: the one place that asks the CPU what it supports.
//! 7. [`bench`](mod@bench): a dependency-free timer for the CLI (criterion benchmarks: `benches/matmul.rs`).
//!
//! Which path runs depends only on the shape (never on the thread count), and threads split only the output
//! into blocks, each computed by one thread with the same `k` order: results are bit-identical whatever the
//! number of threads.

#[macro_use]
mod macros;

pub mod avx2;
pub mod avx512;
pub mod bench;
pub mod blis;
pub mod detect;
pub mod direct;
pub mod fallback;
pub mod naive;
pub mod pack;

pub use bench::bench_matmul_gflops;
pub use detect::Isa;
pub use naive::gemm_naive;

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

/// The element types the kernels handle. `mul_add` is the plain `acc + a * b` (one rounding per operation);
/// the SIMD kernels fuse it, so their results differ from [`gemm_naive`] by rounding only.
pub trait Element:
    Copy + Send + Sync + Default + Debug + PartialEq + Add<Output = Self> + Mul<Output = Self> + blis::ScratchVec + 'static
{
    const ZERO: Self;
    /// Size of one SIMD register in elements for the AVX-512 kernels (16 for `f32`, 8 for `f64`).
    const LANES512: usize;
}

impl Element for f32 {
    const ZERO: Self = 0.0;
    const LANES512: usize = 16;
}

impl Element for f64 {
    const ZERO: Self = 0.0;
    const LANES512: usize = 8;
}

/// Which algorithm computes the product. [`Path::Auto`] picks from the shape alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Direct for small/skinny shapes, packed (and parallel above a size threshold) otherwise.
    Auto,
    /// The unpacked register-blocked path ([`direct`]), whatever the shape.
    Direct,
    /// The packed BLIS path ([`blis`]), single-threaded.
    Packed,
    /// The packed BLIS path split over the thread pool (whatever the size).
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
    gemm_f32_with(detect::best(), Path::Auto, lhs, rhs, out, accumulate);
}

/// [`gemm_f32`] for `f64`.
///
/// # Panics
/// As [`gemm_f32`].
#[track_caller]
pub fn gemm_f64(lhs: MatRef<f64>, rhs: MatRef<f64>, out: &mut [f64], accumulate: bool) {
    gemm_f64_with(detect::best(), Path::Auto, lhs, rhs, out, accumulate);
}

/// The `f32` kernels of `isa` (which this CPU must support).
#[track_caller]
fn kernels_f32(isa: Isa) -> &'static Kernels<f32> {
    isa.assert_available();
    match isa {
        Isa::Fallback => &fallback::F32,
        Isa::Avx2Fma => &avx2::F32,
        Isa::Avx512 => &avx512::F32,
    }
}

/// The `f64` kernels of `isa` (which this CPU must support).
#[track_caller]
fn kernels_f64(isa: Isa) -> &'static Kernels<f64> {
    isa.assert_available();
    match isa {
        Isa::Fallback => &fallback::F64,
        Isa::Avx2Fma => &avx2::F64,
        Isa::Avx512 => &avx512::F64,
    }
}

/// [`gemm_f32`] with the instruction set and the path forced (tests and benchmarks use it to reach every
/// kernel).
///
/// # Panics
/// As [`gemm_f32`], and when `isa` is not supported by this CPU (see [`Isa::is_available`]).
#[track_caller]
pub fn gemm_f32_with(isa: Isa, path: Path, lhs: MatRef<f32>, rhs: MatRef<f32>, out: &mut [f32], accumulate: bool) {
    check_shapes(&lhs, &rhs, out.len());
    dispatch(kernels_f32(isa), path, lhs, rhs, out, accumulate);
}

/// [`gemm_f64`] with the instruction set and the path forced.
///
/// # Panics
/// As [`gemm_f32_with`].
#[track_caller]
pub fn gemm_f64_with(isa: Isa, path: Path, lhs: MatRef<f64>, rhs: MatRef<f64>, out: &mut [f64], accumulate: bool) {
    check_shapes(&lhs, &rhs, out.len());
    dispatch(kernels_f64(isa), path, lhs, rhs, out, accumulate);
}

/// `out = bias + lhs · rhs` with `bias` (`n` elements) broadcast to every row, when the product takes the direct
/// path — the one path where starting from the bias gives exactly the bits of adding it after the product
/// (see [`direct::Init`]). Returns `false`, leaving `out` alone, for shapes the packed path would take (it adds
/// `k` in panels) and for `k = 0`.
///
/// # Panics
/// As [`gemm_f32`], and when `bias` has fewer than `n` elements.
#[track_caller]
pub fn gemm_bias_f32(lhs: MatRef<f32>, rhs: MatRef<f32>, bias: &[f32], out: &mut [f32]) -> bool {
    gemm_bias_f32_with(detect::best(), lhs, rhs, bias, out)
}

/// [`gemm_bias_f32`] with the instruction set forced (tests).
///
/// # Panics
/// As [`gemm_bias_f32`], and when `isa` is not supported by this CPU.
#[track_caller]
pub fn gemm_bias_f32_with(isa: Isa, lhs: MatRef<f32>, rhs: MatRef<f32>, bias: &[f32], out: &mut [f32]) -> bool {
    gemm_bias(kernels_f32(isa), lhs, rhs, bias, out)
}

/// [`gemm_bias_f32`] for `f64`.
///
/// # Panics
/// As [`gemm_bias_f32`].
#[track_caller]
pub fn gemm_bias_f64(lhs: MatRef<f64>, rhs: MatRef<f64>, bias: &[f64], out: &mut [f64]) -> bool {
    gemm_bias(kernels_f64(detect::best()), lhs, rhs, bias, out)
}

#[track_caller]
fn gemm_bias<T: Element>(kernels: &Kernels<T>, lhs: MatRef<T>, rhs: MatRef<T>, bias: &[T], out: &mut [T]) -> bool {
    check_shapes(&lhs, &rhs, out.len());
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert!(bias.len() >= n, "matmul: a bias of {} elements for {n} output columns", bias.len());
    if m == 0 || n == 0 || k == 0 || !direct::prefers_direct::<T>(m, k, n) {
        return false;
    }
    direct::gemm_direct(&kernels.direct, lhs, rhs, out, direct::Init::Row(bias));
    true
}

/// Batched product: for `b` in `0..batch`, `out[b]` (+)= `lhs[b] · rhs[b]`, where batch element `b` of an
/// operand is the view shifted by `b * batch_stride` elements (a stride of 0 broadcasts it) and `out[b]` is
/// the `b`-th contiguous `m×n` chunk of `out`. Small products are spread over the thread pool one batch
/// element per task (each computed serially, so results equal the unbatched calls bit for bit).
///
/// # Panics
/// As [`gemm_f32`], for batch element 0 and the last one.
#[track_caller]
pub fn gemm_batched_f32(
    batch: usize,
    lhs: MatRef<f32>,
    lhs_batch_stride: usize,
    rhs: MatRef<f32>,
    rhs_batch_stride: usize,
    out: &mut [f32],
    accumulate: bool,
) {
    batched(batch, lhs, lhs_batch_stride, rhs, rhs_batch_stride, out, accumulate, gemm_f32, |l, r, o, acc| {
        gemm_f32_with(detect::best(), Path::AutoSerial, l, r, o, acc)
    });
}

/// [`gemm_batched_f32`] for `f64`.
///
/// # Panics
/// As [`gemm_batched_f32`].
#[track_caller]
pub fn gemm_batched_f64(
    batch: usize,
    lhs: MatRef<f64>,
    lhs_batch_stride: usize,
    rhs: MatRef<f64>,
    rhs_batch_stride: usize,
    out: &mut [f64],
    accumulate: bool,
) {
    batched(batch, lhs, lhs_batch_stride, rhs, rhs_batch_stride, out, accumulate, gemm_f64, |l, r, o, acc| {
        gemm_f64_with(detect::best(), Path::AutoSerial, l, r, o, acc)
    });
}

#[track_caller]
fn batched<T: Element>(
    batch: usize,
    lhs: MatRef<T>,
    lhs_batch_stride: usize,
    rhs: MatRef<T>,
    rhs_batch_stride: usize,
    out: &mut [T],
    accumulate: bool,
    one: fn(MatRef<T>, MatRef<T>, &mut [T], bool),
    one_serial: impl Fn(MatRef<T>, MatRef<T>, &mut [T], bool) + Sync,
) {
    let (m, n) = (lhs.rows, rhs.cols);
    if batch == 0 {
        return;
    }
    #[track_caller]
    fn at<T>(view: MatRef<'_, T>, stride: usize, b: usize) -> MatRef<'_, T> {
        match b.checked_mul(stride).and_then(|o| o.checked_add(view.offset)) {
            Some(offset) => MatRef { offset, ..view },
            None => bounds_panic("batched", &view, view.data.len()),
        }
    }
    check_shapes(&lhs, &rhs, out.len() / batch);
    if out.len() != batch * m * n {
        out_len_panic(&lhs, &rhs, out.len());
    }
    at(lhs, lhs_batch_stride, batch - 1).check_bounds("lhs");
    at(rhs, rhs_batch_stride, batch - 1).check_bounds("rhs");
    let flops = 2.0 * (m * n * lhs.cols) as f64;
    if m * n == 0 {
        return;
    }
    if batch == 1 || flops >= blis::PARALLEL_MIN_FLOPS {
        // Each product is big enough to be split over the threads by itself.
        for (b, o) in out.chunks_mut(m * n).enumerate() {
            one(at(lhs, lhs_batch_stride, b), at(rhs, rhs_batch_stride, b), o, accumulate);
        }
    } else if flops * batch as f64 >= blis::PARALLEL_MIN_FLOPS {
        use rayon::prelude::*;
        blis::in_pool(|| {
            out.par_chunks_mut(m * n).enumerate().for_each(|(b, o)| {
                one_serial(at(lhs, lhs_batch_stride, b), at(rhs, rhs_batch_stride, b), o, accumulate)
            })
        });
    } else {
        for (b, o) in out.chunks_mut(m * n).enumerate() {
            one_serial(at(lhs, lhs_batch_stride, b), at(rhs, rhs_batch_stride, b), o, accumulate);
        }
    }
}

/// The kernels of one instruction set for one element type.
pub struct Kernels<T: 'static> {
    /// The packed-path microkernel and its blocking.
    pub micro: blis::MicroKernel<T>,
    /// The direct-path block kernel.
    pub direct: direct::DirectKernel<T>,
}

/// Chooses the algorithm (from the shape only) and runs it.
fn dispatch<T: Element>(
    kernels: &Kernels<T>,
    path: Path,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    accumulate: bool,
) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // An empty sum: out = 0 (or out + 0).
        if !accumulate {
            out.fill(T::ZERO);
        }
        return;
    }
    let path = match path {
        Path::Auto | Path::AutoSerial => {
            if direct::prefers_direct::<T>(m, k, n) {
                Path::Direct
            } else if path == Path::Auto && blis::prefers_parallel(m, k, n) {
                Path::PackedParallel
            } else {
                Path::Packed
            }
        }
        p => p,
    };
    match path {
        Path::Direct => direct::gemm_direct(&kernels.direct, lhs, rhs, out, direct::Init::of(accumulate)),
        Path::PackedParallel => blis::gemm_packed(&kernels.micro, lhs, rhs, out, accumulate, true),
        _ => blis::gemm_packed(&kernels.micro, lhs, rhs, out, accumulate, false),
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
