//! The fast paths: what the GEMM does beyond the lesson of `naive.rs` and `blis.rs`, for the shapes a training
//! loop like the tutorial's actually runs — products of a few thousand flops (`800×2 · 2×10`), where packing
//! and threads cost more than the arithmetic, and mid-sized ones on a two-core machine.
//!
//! Every path below is chosen by `plan.rs` (`experiments bench matmul --explain M K N` prints the choice for a
//! shape) and computes the same products as the packed path, often to the same bits; the tests in
//! `tests/gemm.rs` compare each with the triple loop of `naive.rs`.
//!
//! When each is taken under `Path::Auto` (`lanes` = 16 for `f32`, 8 for `f64`: one AVX-512 register), checked
//! in this order:
//!
//! | path | taken when | why |
//! |---|---|---|
//! | direct (`direct.rs`) | `2·m·k·n ≤ DIRECT_MAX_FLOPS` (2²⁰), or `n ≤ lanes` and `2·m·k·n ≤ SKINNY_MAX_FLOPS` (2²⁶) | packing pays only when each packed element is reused many times, and waking a thread costs more than such a product: no packing, no threads, no allocation |
//! | · bias row first | a bias (`x·Wᵀ + b`) and `n ≤ 2` | the reshaping steps below take a starting value in `out` |
//! | · transposed column product | `n = 1`, `m > 1`, `lhs` column-contiguous (`rs = 1`, `cs ≠ 1`) | `outᵀ = rhsᵀ · lhsᵀ` has one long contiguous row instead of `m` one-lane rows |
//! | · dot kernel (AVX-512) | `n ≤ 2`, `k ≤ lanes`, `lhs` rows contiguous | each output is one vector product summed across lanes: `k` lanes busy instead of `n` |
//! | · copy of `rhs` | `rhs` columns not contiguous (`cs ≠ 1`) and `k·n ≤ 1024` | one pass of copying instead of a gather at every step of every block |
//! | · short-k kernel (AVX-512) | `k ≤ 16`, `n ≤ lanes`, `rhs` rows contiguous | the `k` rows of `rhs` stay in registers for the whole call; each step loads one row of `lhs` and no `rhs` |
//! | · register blocks | otherwise (`24 × lanes` on AVX-512, `4 × 8` portable and AVX2) | the block's accumulators stay in registers for the whole `k` sum |
//! | · · split sum (AVX-512) | `k ≥ 64` and a block of at most 6 rows (not permuting) | few rows are few FMA chains; interleaved accumulators hide the FMA latency |
//! | · · permuted broadcasts (AVX-512) | `k ≥ 64`, `lhs` column-contiguous (`rs = 1`), a block of 2 to `lanes` rows | a step is bound by the load ports; part of the broadcasts come from one column load by in-register permutes instead |
//! | team of two (`team.rs`) | the packed path on threads (`2·m·k·n ≥ PARALLEL_MIN_FLOPS` and a pool of at least 2, or `Path::PackedParallel`), a caller outside every rayon pool, and a tapegrad pool of exactly 2 threads | `pool.install` puts the caller to sleep and wakes it through the kernel; the team keeps the caller working as one of the two members |
//!
//! The AVX-512 kernels are in `avx512.rs`; the portable block (also compiled for AVX2) in `portable.rs`.

pub(crate) mod avx512;
pub(crate) mod direct;
pub(crate) mod portable;
pub(crate) mod team;
