//! Which path a product takes, and why. [`plan`] makes every choice of the dispatcher — from the shape, the
//! operands' strides, the element type, the instruction set and the calling thread — and the dispatcher
//! ([`super::gemm_f32`] and the others) carries out the [`Plan`] it returns, step by step. So what `plan` says
//! is what runs: one decision, not a description beside it that could drift.
//!
//! ```
//! use tensor::cpu::kernels::gemm::{plan, Options, Route};
//!
//! // The first layer of the tutorial's model: x [800, 2] · Wᵀ [2, 10].
//! let p = plan(800, 2, 10, &Options::f32());
//! assert!(matches!(p.route, Route::Direct { .. }));
//! println!("{p}"); // path, why, threads
//! ```

use std::fmt;

use super::fast::direct::{self, DIRECT_MAX_FLOPS, SHORT_K_MAX, SKINNY_MAX_FLOPS};
use super::fast::team::{team_cut, TeamCut};
use super::{blis, kernels_f32, kernels_f64, Path};
use crate::cpu::features::Isa;
use crate::cpu::team;

/// Below this many flops (2·m·n·k) a packed product is not worth waking a second thread for: the direct path's
/// bound, so that every product the packed path takes under [`Path::Auto`] is spread over the pool.
pub const PARALLEL_MIN_FLOPS: u128 = DIRECT_MAX_FLOPS;

/// The element type of a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Float {
    F32,
    F64,
}

/// How an operand is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Row-major, contiguous.
    RowMajor,
    /// The transpose of a row-major matrix (contiguous columns), as `x.t()` or a layer's `Wᵀ`.
    Transposed,
    /// GemmFloat `(i, j)` at `i·rs + j·cs`.
    Strided { rs: usize, cs: usize },
}

impl Order {
    /// `(rs, cs)` of a `rows × cols` operand stored this way.
    fn strides(self, rows: usize, cols: usize) -> (usize, usize) {
        match self {
            Order::RowMajor => (cols, 1),
            Order::Transposed => (1, rows),
            Order::Strided { rs, cs } => (rs, cs),
        }
    }
}

/// Everything but the shape that the choice of a path depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub float: Float,
    pub lhs: Order,
    pub rhs: Order,
    /// The instruction set of the kernels (the best of this CPU by default).
    pub isa: Isa,
    /// [`Path::Auto`] unless forced.
    pub path: Path,
    /// The sums start from a bias row (a linear layer's `x·Wᵀ + b`, [`super::gemm_bias_f32`]).
    pub bias: bool,
}

impl Options {
    /// `f32`, row-major operands, the best instruction set, [`Path::Auto`], no bias.
    pub fn f32() -> Self {
        Self {
            float: Float::F32,
            lhs: Order::RowMajor,
            rhs: Order::RowMajor,
            isa: Isa::best(),
            path: Path::Auto,
            bias: false,
        }
    }

    /// As [`Options::f32`] for `f64`.
    pub fn f64() -> Self {
        Self { float: Float::F64, ..Self::f32() }
    }
}

/// What the dispatcher will do for one product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    pub options: Options,
    pub route: Route,
}

/// The path of a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `m = 0` or `n = 0`: no output element, nothing to do.
    NoOutput,
    /// `k = 0`: every sum is empty, so `out = 0` (or `out` unchanged when accumulating).
    EmptySum,
    /// The direct path (`fast/direct.rs`): no packing, no threads.
    Direct { why: DirectWhy, steps: DirectPlan },
    /// The packed BLIS path (`blis.rs`).
    Packed { why: PackedWhy, blocking: Blocking, split: Split },
}

/// Why the direct path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectWhy {
    /// At most [`DIRECT_MAX_FLOPS`].
    Small,
    /// At most one AVX-512 register of output columns and at most [`SKINNY_MAX_FLOPS`].
    Skinny,
    /// [`Path::Direct`] was asked for.
    Forced,
}

/// Why the packed path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackedWhy {
    /// Too large for the direct path.
    Large,
    /// [`Path::Packed`] or [`Path::PackedParallel`] was asked for.
    Forced,
}

/// The steps of the direct path, in the order they run (`fast/direct.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectPlan {
    /// A bias row of an output of at most 2 columns is written to `out` first and accumulated into (the
    /// reshaping steps below take a starting value that way).
    pub row_written_first: bool,
    /// A column output from a column-contiguous `lhs`, computed as its transpose `outᵀ = rhsᵀ · lhsᵀ`.
    pub transposed: bool,
    /// A small `rhs` with non-contiguous columns, copied to row-major first.
    pub rhs_copied: bool,
    /// The kernel that computes the (possibly transposed) product.
    pub kernel: DirectKernelKind,
}

/// The kernel at the end of the direct path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectKernelKind {
    /// Each output summed across SIMD lanes (`n ≤ 2`, short `k`).
    Dot,
    /// The `k ≤ 16` rows of `rhs` held in registers, the rows of `lhs` streamed past them.
    ShortK,
    /// Register blocks of `rows × width` outputs; `first_block` is how the first one runs.
    Blocks { rows: usize, width: usize, first_block: BlockVariant },
}

/// How a direct block runs (the AVX-512 block kernels have long-`k` variants; the others are always `Plain`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockVariant {
    /// One accumulator per row.
    Plain,
    /// A long `k` with at most 6 rows: the sum split over interleaved accumulators (more FMA chains in flight).
    SplitK,
    /// A long `k` with a contiguous `lhs` column (a transposed `lhs`): the column loaded once per step and part
    /// of the broadcasts permuted out of it instead of loaded.
    ColumnPermutes,
}

/// The blocking of the packed path's microkernel (`blis.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocking {
    pub mr: usize,
    pub nr: usize,
    pub kc: usize,
    pub mc: usize,
    pub nc: usize,
}

/// How the packed path uses threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// The calling thread alone.
    Serial(SerialWhy),
    /// The caller and the team's worker (`fast/team.rs`), cut as said.
    Team(TeamCut),
    /// Rayon tasks of `mb × nb` outputs on a pool of `threads` (`blis.rs`, `gemm_rayon`).
    Rayon { threads: usize, mb: usize, nb: usize },
}

/// Why the packed path stays on the calling thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialWhy {
    /// Fewer than [`PARALLEL_MIN_FLOPS`].
    Small,
    /// The pool the product would run in has one thread.
    OneThread,
    /// [`Path::Packed`] or [`Path::AutoSerial`] was asked for.
    Forced,
}

/// The plan of `out[m×n] (+)= lhs[m×k] · rhs[k×n]`: the path the dispatcher takes, and why.
///
/// The thread count comes from the calling thread's context, as the dispatcher's does: the pool of the rayon
/// worker that calls, else the tapegrad pool (`TAPEGRAD_NUM_THREADS`).
///
/// # Panics
/// When `options.isa` is not supported by this CPU.
#[track_caller]
pub fn plan(m: usize, k: usize, n: usize, options: &Options) -> Plan {
    let route = route(m, k, n, options);
    Plan { m, k, n, options: *options, route }
}

#[track_caller]
fn route(m: usize, k: usize, n: usize, o: &Options) -> Route {
    let (lanes512, kern) = match o.float {
        Float::F32 => (16, KernelInfo::of(kernels_f32(o.isa))),
        Float::F64 => (8, KernelInfo::of(kernels_f64(o.isa))),
    };
    if m == 0 || n == 0 {
        return Route::NoOutput;
    }
    if k == 0 {
        return Route::EmptySum;
    }
    let flops = direct::flops(m, k, n);
    let direct_why = if flops <= DIRECT_MAX_FLOPS { DirectWhy::Small } else { DirectWhy::Skinny };
    let (direct, packed_why) = match o.path {
        Path::Auto | Path::AutoSerial => (direct::prefers_direct(m, k, n, lanes512), PackedWhy::Large),
        Path::Direct => (true, PackedWhy::Forced),
        Path::Packed | Path::PackedParallel => (false, PackedWhy::Forced),
    };
    if direct {
        let why = if o.path == Path::Direct { DirectWhy::Forced } else { direct_why };
        let (lhs, rhs) = (o.lhs.strides(m, k), o.rhs.strides(k, n));
        return Route::Direct { why, steps: direct_steps(&kern, m, k, n, lhs, rhs, o.bias) };
    }
    let b = kern.blocking;
    let split = match o.path {
        Path::Packed | Path::AutoSerial => Split::Serial(SerialWhy::Forced),
        Path::Auto if flops < PARALLEL_MIN_FLOPS => Split::Serial(SerialWhy::Small),
        _ => {
            let in_rayon = rayon::current_thread_index().is_some();
            let threads = if in_rayon { rayon::current_num_threads() } else { crate::cpu::parallel::num_threads() };
            if o.path == Path::Auto && threads < 2 {
                Split::Serial(SerialWhy::OneThread)
            } else if !in_rayon && threads == team::MAX_MEMBERS {
                Split::Team(team_cut(b, m, n))
            } else {
                let (mb, nb) = blis::task_grid(b, m, n);
                Split::Rayon { threads, mb, nb }
            }
        }
    };
    Route::Packed { why: packed_why, blocking: b, split }
}

/// What `plan` needs of an instruction set's kernels.
struct KernelInfo {
    blocking: Blocking,
    direct_rows: usize,
    direct_width: usize,
    long_k_variants: bool,
    dot: bool,
    short_k: bool,
}

impl KernelInfo {
    fn of<T: super::GemmFloat>(k: &super::Kernels<T>) -> Self {
        let (u, d) = (&k.micro, &k.direct);
        KernelInfo {
            blocking: u.blocking(),
            direct_rows: d.rows,
            direct_width: d.width,
            long_k_variants: d.long_k_variants,
            dot: d.dot.is_some(),
            short_k: d.short_k.is_some(),
        }
    }
}

/// The steps of the direct path for strides `(rs, cs)` of `lhs` and `rhs`, in the order `gemm_direct` takes
/// them (each condition is a function of `fast/direct.rs`).
fn direct_steps(
    kern: &KernelInfo,
    m: usize,
    k: usize,
    n: usize,
    lhs: (usize, usize),
    rhs: (usize, usize),
    bias: bool,
) -> DirectPlan {
    let row_written_first = bias && n <= direct::DOT_MAX_N;
    let transposed = direct::transposes(m, n, lhs.0, lhs.1);
    // The transposed product: m and n swap, lhs' = rhsᵀ and rhs' = lhsᵀ (strides swapped).
    let (m, n, lhs, rhs) = if transposed { (n, m, (rhs.1, rhs.0), (lhs.1, lhs.0)) } else { (m, n, lhs, rhs) };
    let w = kern.direct_width;
    if kern.dot && direct::fits_dot(k, n, lhs.1, w) {
        return DirectPlan { row_written_first, transposed, rhs_copied: false, kernel: DirectKernelKind::Dot };
    }
    let rhs_copied = direct::copies_rhs(k, n, rhs.1);
    let rhs_cs = if rhs_copied { 1 } else { rhs.1 };
    let kernel = if kern.short_k && direct::fits_short_k(k, n, rhs_cs, w) {
        DirectKernelKind::ShortK
    } else {
        let rows = kern.direct_rows.min(m);
        let first_block =
            if kern.long_k_variants { direct::block_variant(lhs.0, k, rows, w) } else { BlockVariant::Plain };
        DirectKernelKind::Blocks { rows: kern.direct_rows, width: w, first_block }
    };
    DirectPlan { row_written_first, transposed, rhs_copied, kernel }
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Order::RowMajor => write!(f, "row-major"),
            Order::Transposed => write!(f, "transposed"),
            Order::Strided { rs, cs } => write!(f, "strides [{rs}, {cs}]"),
        }
    }
}

impl fmt::Display for Plan {
    /// Three lines and more: the product, `path:`, `why:`, `threads:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Plan { m, k, n, options: o, route } = *self;
        let float = if o.float == Float::F32 { "f32" } else { "f64" };
        writeln!(f, "matmul [{m}, {k}] · [{k}, {n}] ({float}, lhs {}, rhs {}) on {}", o.lhs, o.rhs, o.isa.name())?;
        let flops = direct::flops(m, k, n);
        match route {
            Route::NoOutput => {
                writeln!(f, "path:    none")?;
                writeln!(f, "why:     the output has no elements")?;
                write!(f, "threads: 0")
            }
            Route::EmptySum => {
                writeln!(f, "path:    fill")?;
                writeln!(f, "why:     k = 0: every sum is empty, so out = 0 (out unchanged when accumulating)")?;
                write!(f, "threads: 1")
            }
            Route::Direct { why, steps } => {
                let kernel = match steps.kernel {
                    DirectKernelKind::Dot => "dot kernel".to_string(),
                    DirectKernelKind::ShortK => "short-k kernel".to_string(),
                    DirectKernelKind::Blocks { rows, width, .. } => format!("blocks of {rows}×{width}"),
                };
                writeln!(f, "path:    direct (gemm/fast/direct.rs), {kernel}")?;
                match why {
                    DirectWhy::Small => writeln!(
                        f,
                        "why:     2·m·k·n = {flops} flops ≤ DIRECT_MAX_FLOPS = {DIRECT_MAX_FLOPS}: packing the operands \
                         would cost more than its blocking saves"
                    )?,
                    DirectWhy::Skinny => writeln!(
                        f,
                        "why:     n = {n} output columns fit one AVX-512 register and 2·m·k·n = {flops} flops ≤ \
                         SKINNY_MAX_FLOPS = {SKINNY_MAX_FLOPS}: packed tiles would be mostly zeros"
                    )?,
                    DirectWhy::Forced => writeln!(f, "why:     Path::Direct was asked for")?,
                }
                if steps.row_written_first {
                    writeln!(f, "         the bias row is written to out first, then the product added to it")?;
                }
                if steps.transposed {
                    writeln!(
                        f,
                        "         a column output from a column-contiguous lhs: computed as outᵀ = rhsᵀ · lhsᵀ \
                         (one long row instead of {m} one-lane rows)"
                    )?;
                }
                let (k2, n2, m2) = if steps.transposed { (k, m, n) } else { (k, n, m) };
                if steps.rhs_copied {
                    writeln!(
                        f,
                        "         rhs columns are not contiguous and k·n = {} ≤ {}: rhs copied to row-major first",
                        k2 * n2,
                        direct::RHS_COPY_MAX
                    )?;
                }
                match steps.kernel {
                    DirectKernelKind::Dot => writeln!(
                        f,
                        "         n = {n2} ≤ {} and k = {k2} within one register: each output is one vector product \
                         summed across lanes",
                        direct::DOT_MAX_N
                    )?,
                    DirectKernelKind::ShortK => writeln!(
                        f,
                        "         k = {k2} ≤ {SHORT_K_MAX} and n = {n2} within one register: the {k2} rows of rhs \
                         stay in registers while the {m2} rows of lhs stream past them"
                    )?,
                    DirectKernelKind::Blocks { rows, width, first_block } => {
                        writeln!(
                            f,
                            "         {} block(s) of up to {rows} rows × {width} columns, each keeping its \
                             accumulators in registers for the whole k sum",
                            m2.div_ceil(rows).saturating_mul(n2.div_ceil(width))
                        )?;
                        match first_block {
                            BlockVariant::Plain => {}
                            BlockVariant::SplitK => writeln!(
                                f,
                                "         k = {k2} ≥ {}: few rows, so the sum is split over several accumulators",
                                direct::LONG_K
                            )?,
                            BlockVariant::ColumnPermutes => writeln!(
                                f,
                                "         k = {k2} ≥ {} and lhs columns contiguous: each step loads the column once \
                                 and permutes broadcasts out of it",
                                direct::LONG_K
                            )?,
                        }
                    }
                }
                write!(f, "threads: 1 (the direct path never splits: waking a thread costs more than such a product)")
            }
            Route::Packed { why, blocking: b, split } => {
                writeln!(
                    f,
                    "path:    packed (gemm/blis.rs, BLIS's five loops): {}×{} microkernel, kc = {}, mc = {}, nc = {}",
                    b.mr, b.nr, b.kc, b.mc, b.nc
                )?;
                match why {
                    PackedWhy::Large => writeln!(
                        f,
                        "why:     2·m·k·n = {flops} flops > DIRECT_MAX_FLOPS = {DIRECT_MAX_FLOPS}, and not a skinny \
                         product: each packed element is reused enough to repay the packing"
                    )?,
                    PackedWhy::Forced => writeln!(f, "why:     Path::{:?} was asked for", o.path)?,
                }
                match split {
                    Split::Serial(SerialWhy::Small) => write!(
                        f,
                        "threads: 1 (fewer than PARALLEL_MIN_FLOPS = {PARALLEL_MIN_FLOPS} flops: a second thread \
                         would not repay waking it)"
                    ),
                    Split::Serial(SerialWhy::OneThread) => write!(f, "threads: 1 (the pool has one thread)"),
                    Split::Serial(SerialWhy::Forced) => write!(f, "threads: 1 (Path::{:?} was asked for)", o.path),
                    Split::Team(cut) => {
                        let how = match cut {
                            TeamCut::Rows => format!("rows cut in two ({} tiles of {} rows)", m.div_ceil(b.mr), b.mr),
                            TeamCut::Cols => {
                                format!("columns cut in two ({} panels of {} columns)", n.div_ceil(b.nr), b.nr)
                            }
                            TeamCut::Alone => "too few tiles to cut: the caller alone".to_string(),
                        };
                        write!(
                            f,
                            "threads: 2, as a team (gemm/fast/team.rs: the caller and one worker, no sleeping), {how}"
                        )
                    }
                    Split::Rayon { threads, mb, nb } => write!(
                        f,
                        "threads: {threads}, rayon tasks of {mb}×{nb} outputs ({} tasks per nc block)",
                        m.div_ceil(mb) * n.min(b.nc).div_ceil(nb)
                    ),
                }
            }
        }
    }
}

/// What the dispatcher did, step by step: recorded in the crate's own unit tests (and nowhere else), so that a
/// test can check that the path of each plan is the one that ran.
pub(crate) mod trace {
    /// One step of the dispatcher.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Step {
        /// `out` filled for an empty sum.
        Fill,
        /// The bias row written to `out` before a direct product.
        RowFirst,
        /// A direct product computed as its transpose.
        Transposed,
        /// A small strided `rhs` copied to row-major.
        RhsCopied,
        Dot,
        ShortK,
        Blocks,
        /// The packed path on the calling thread.
        Serial,
        /// The packed path on a team.
        Team,
        /// The packed path on a rayon pool.
        Rayon,
    }

    #[cfg(test)]
    thread_local! {
        static STEPS: std::cell::RefCell<Vec<Step>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Records `step` (in unit tests; nothing otherwise).
    #[inline(always)]
    pub(crate) fn record(step: Step) {
        #[cfg(test)]
        STEPS.with(|s| s.borrow_mut().push(step));
        #[cfg(not(test))]
        let _ = step;
    }

    /// The steps recorded on this thread since the last call.
    #[cfg(test)]
    pub(crate) fn take() -> Vec<Step> {
        STEPS.with(|s| std::mem::take(&mut *s.borrow_mut()))
    }
}

#[cfg(test)]
mod tests;
