//! The packed path: BLIS's five loops around a register-blocked microkernel.
//!
//! ```text
//! LOOP 5  for jc in n step nc          (a column block of out)
//! LOOP 4    for pc in k step kc        pack rhs[pc.., jc..] → B̃ (kc × nc, sized to stay in L2)
//! LOOP 3      for ic in m step mc      pack lhs[ic.., pc..] → Ã (mc × kc, L2/L3; a row-major lhs is read in place)
//! LOOP 2        for ir in mc step mr   (one micro-panel of Ã, mr × kc, stays in L1)
//! LOOP 1          for jr in nc step nr (one micro-panel of B̃, kc × nr, streamed from L2)
//!                   microkernel: out[ir.., jr..] (+)= Ã[ir] · B̃[jr]   (mr × nr tile in registers)
//! ```
//!
//! Our microkernels are wide (`nr` = 4 vectors) and short (`mr` = 6 broadcasts), so per step they read
//! `nr` values of B̃ and only `mr` of Ã. The small Ã micro-panel is therefore the one kept in L1 (LOOP 2
//! outside LOOP 1) and the B̃ micro-panels stream from L2, as in the column-major microkernels of faer/gemm
//! with the roles of the operands swapped. The block sizes are set for the caches of an AVX-512 core with 1 MiB
//! of L2 and 48 KiB of L1: `kc = 128`, `mc = 72`, `nc = 1024` make B̃ 512 KiB (half of L2, leaving room for the
//! lines of `out` and Ã) and Ã 36 KiB (about L1). They were chosen by timing candidates with `MATMUL_TABLE=tune
//! cargo bench --bench matmul`.
//!
//! Threads ([`gemm_rayon`]): B̃ is packed by parallel tasks, then the LOOP 3 blocks of `out` are spread over
//! the pool as rectangles, each computed by one thread running the loops above on it with the same `kc` panels
//! in the same order. So every element of `out` is computed by exactly one thread, in the same order, whatever
//! the thread count and wherever the cuts fall: results are bit-identical for any number of threads. (On a pool
//! of two threads called from outside it, the product runs on a team instead: `fast/team.rs`.)

use super::pack::{pack_lhs, pack_rhs};
use super::plan::trace::{self, Step};
use super::plan::Blocking;
use super::{GemmFloat, MatRef};
use std::cell::RefCell;

/// A microkernel: `c[0..mr, 0..nr] (+)= Σ_{p < kc} a[i·a_rs + p·a_cs] · b[p·nr + j]` where `c` is row-major
/// with row stride `ldc`. The lhs micro-panel is either packed (`a_rs = 1`, `a_cs = mr`) or read in place
/// (a row-major lhs: `a_rs` = its row stride, `a_cs = 1`). The sum starts from zero and is added to `c` at the
/// end when `accumulate`, so a tile computed into a temporary and added later rounds exactly like one computed
/// in place.
///
/// # Safety
/// `a` must be valid for reads at `i·a_rs + p·a_cs` for `i < mr`, `p < kc`, `b` for `kc·nr` reads, `c` for
/// the `mr × nr` tile with stride `ldc`, and the CPU must support the kernel's instruction set.
pub type MicroFn<T> =
    unsafe fn(kc: usize, a: *const T, a_rs: usize, a_cs: usize, b: *const T, c: *mut T, ldc: usize, accumulate: bool);

/// A microkernel and the blocking it was tuned with.
pub struct MicroKernel<T: 'static> {
    pub mr: usize,
    pub nr: usize,
    pub kc: usize,
    pub mc: usize,
    pub nc: usize,
    pub run: MicroFn<T>,
    /// Narrower kernels `(width, kernel)` for the last, partial panel of a block, by increasing width (each
    /// below `nr`; empty when the ISA has none). A partial panel is packed `width` wide for the narrowest one
    /// that covers it, instead of `nr` wide with zeros: `n = 160` in panels of 64 + 64 + 32 then computes 160
    /// columns, not 192.
    pub edge: &'static [(usize, MicroFn<T>)],
}

impl<T: 'static> MicroKernel<T> {
    /// The kernel for a panel of `cols ≤ nr` columns and the width it is packed at.
    fn for_cols(&self, cols: usize) -> (usize, MicroFn<T>) {
        self.edge.iter().copied().find(|&(w, _)| w >= cols).unwrap_or((self.nr, self.run))
    }

    /// The blocking, as the plan reports it.
    pub fn blocking(&self) -> Blocking {
        Blocking { mr: self.mr, nr: self.nr, kc: self.kc, mc: self.mc, nc: self.nc }
    }

    /// The packed width of a partial panel of `cols` columns (`nr` for a full one).
    pub fn packed_width(&self, cols: usize) -> usize {
        self.for_cols(cols).0
    }
}

/// Packing tasks per B̃ block (each packs a run of whole micro-panels), so both threads share the packing.
const PACK_TASKS: usize = 4;

/// Largest edge tile any microkernel uses (`mr · nr` elements).
const MAX_TILE: usize = 512;

/// Per-thread packing buffers, reused across calls (one per element type).
#[derive(Default)]
pub struct Scratch {
    f32: Vec<f32>,
    f64: Vec<f64>,
}

/// Gives access to the packing buffer of one element type.
pub trait ScratchVec: Sized {
    fn scratch_vec(s: &mut Scratch) -> &mut Vec<Self>;
}

impl ScratchVec for f32 {
    fn scratch_vec(s: &mut Scratch) -> &mut Vec<Self> {
        &mut s.f32
    }
}

impl ScratchVec for f64 {
    fn scratch_vec(s: &mut Scratch) -> &mut Vec<Self> {
        &mut s.f64
    }
}

thread_local! {
    /// This thread's buffer for Ã blocks.
    static SCRATCH_A: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// This thread's buffer for B̃ blocks (separate: a thread packing B̃ also runs LOOP 3 tasks).
    static SCRATCH_B: RefCell<Scratch> = RefCell::new(Scratch::default());
}

type ScratchKey = std::thread::LocalKey<RefCell<Scratch>>;

/// Runs `f` with a 64-byte-aligned buffer of at least `len` elements, reusing this thread's scratch `key`
/// (or a fresh one if it is already borrowed further up the stack).
fn with_scratch<T: GemmFloat, R>(key: &'static ScratchKey, len: usize, f: impl FnOnce(&mut [T]) -> R) -> R {
    let run = |v: &mut Vec<T>| {
        let pad = 64 / std::mem::size_of::<T>();
        if v.len() < len + pad {
            v.resize(len + pad, T::ZERO);
        }
        let off = v.as_ptr().align_offset(64).min(pad);
        f(&mut v[off..off + len])
    };
    key.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => run(T::scratch_vec(&mut s)),
        Err(_) => run(&mut Vec::new()),
    })
}

/// A pointer to `out` shared by the jobs, each of which writes only its own rectangle.
#[derive(Clone, Copy)]
pub(crate) struct OutPtr<T>(pub(crate) *mut T);
// SAFETY: jobs write disjoint rectangles of `out` (see `gemm_rayon` and `fast/team.rs`), and `out` outlives them.
unsafe impl<T: Send> Send for OutPtr<T> {}
// SAFETY: as above; the pointer itself is only copied.
unsafe impl<T: Send> Sync for OutPtr<T> {}

impl<T> OutPtr<T> {
    /// The pointer (a method, so that closures capture the whole `Send` wrapper, not its raw field).
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// `out (+)= lhs · rhs` on the packed path, on the calling thread: the five loops over the whole of `out`.
pub(crate) fn gemm_serial<T: GemmFloat>(
    kern: &MicroKernel<T>,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    accumulate: bool,
) {
    let (m, n) = (lhs.rows, rhs.cols);
    trace::record(Step::Serial);
    // SAFETY: the whole m × n `out`, exclusively borrowed; the views were bounds-checked by the caller, which
    // picked a kernel this CPU runs.
    unsafe { gemm_rect(kern, &lhs, &rhs, out.as_mut_ptr(), n, 0..m, 0..n, accumulate) }
}

/// The five loops on one thread for the rectangle `rows × cols` of the row-major `c` (row stride `ldc`), with
/// this thread's own packed blocks.
///
/// # Safety
/// `c` must be valid for writes on that rectangle and nobody else may access it meanwhile; `lhs`/`rhs` lie
/// inside their data; `kern` runs on this CPU.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemm_rect<T: GemmFloat>(
    kern: &MicroKernel<T>,
    lhs: &MatRef<T>,
    rhs: &MatRef<T>,
    c: *mut T,
    ldc: usize,
    rows: std::ops::Range<usize>,
    cols: std::ops::Range<usize>,
    accumulate: bool,
) {
    let k = lhs.cols;
    let nr = kern.nr;
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    let b_len = kern.kc.min(k) * kern.nc.min(cols.len()).div_ceil(nr) * nr;
    with_scratch::<T, _>(&SCRATCH_B, b_len, |bbuf| {
        // LOOP 5: split the columns into nc blocks.
        for jc in cols.clone().step_by(kern.nc) {
            let ncb = kern.nc.min(cols.end - jc);
            // LOOP 4: split k into kc panels.
            for pc in (0..k).step_by(kern.kc) {
                let kcb = kern.kc.min(k - pc);
                // The first panel overwrites (unless the caller accumulates); later panels add.
                let acc = accumulate || pc > 0;
                let bpanels = &mut bbuf[..ncb.div_ceil(nr) * nr * kcb];
                pack_rhs(rhs, pc, kcb, jc, ncb, nr, kern.packed_width(ncb % nr), bpanels);
                // LOOP 3 (in `block`).
                // SAFETY: the caller's rectangle, columns jc..jc + ncb of it.
                unsafe { block(kern, lhs, bpanels, kcb, c, ldc, pc, rows.start, rows.end, jc, 0, ncb, acc) };
            }
        }
    });
}

/// The packed loops on a rayon pool (the tapegrad pool, or the caller's own): B̃ packed by parallel tasks,
/// then the `mb × nb` LOOP 3 tasks ([`task_grid`]) spread over the pool (rayon's joins separate the two).
pub(crate) fn gemm_rayon<T: GemmFloat>(
    kern: &MicroKernel<T>,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    accumulate: bool,
    (mb, nb): (usize, usize),
) {
    use rayon::prelude::*;
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    let nr = kern.nr;
    trace::record(Step::Rayon);
    let c = OutPtr(out.as_mut_ptr());
    let b_len = kern.kc.min(k) * kern.nc.min(n).div_ceil(nr) * nr;
    in_pool(|| {
        with_scratch::<T, _>(&SCRATCH_B, b_len, |bbuf| {
            for jc in (0..n).step_by(kern.nc) {
                let ncb = kern.nc.min(n - jc);
                for pc in (0..k).step_by(kern.kc) {
                    let kcb = kern.kc.min(k - pc);
                    let acc = accumulate || pc > 0;
                    let bpanels = &mut bbuf[..ncb.div_ceil(nr) * nr * kcb];
                    let per_pack = ncb.div_ceil(nr).div_ceil(PACK_TASKS);
                    bpanels.par_chunks_mut(per_pack * nr * kcb).enumerate().for_each(|(q, panels)| {
                        let j = q * per_pack * nr;
                        let edge_w = kern.packed_width(ncb % nr);
                        pack_rhs(&rhs, pc, kcb, jc + j, (per_pack * nr).min(ncb - j), nr, edge_w, panels);
                    });
                    let bpanels = &*bpanels;
                    let (tasks_m, tasks_n) = (m.div_ceil(mb), ncb.div_ceil(nb));
                    (0..tasks_m * tasks_n).into_par_iter().for_each(|t| {
                        let (i0, j0) = ((t / tasks_n) * mb, (t % tasks_n) * nb);
                        let (i1, j1) = ((i0 + mb).min(m), (j0 + nb).min(ncb));
                        // SAFETY: task t alone writes its rectangle of `out` (the tasks tile it without overlap).
                        unsafe { block(kern, &lhs, bpanels, kcb, c.get(), n, pc, i0, i1, jc, j0, j1, acc) };
                    });
                }
            }
        })
    })
}

/// Runs `f` in the tapegrad pool, or in the current rayon pool when called from one of its threads (a caller
/// already parallelising, or a test running the same product under pools of different sizes).
pub(crate) fn in_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        f()
    } else {
        crate::cpu::parallel::install(f)
    }
}

/// The task rectangle `mb × nb` of a parallel product, from the shape only (never the thread count): an even
/// number of row blocks, at least `TARGET_TASKS`, each at most `mc` rows and a multiple of the tile, as equal as
/// the tile allows, so that two threads get the same work (a row cut shares B̃; a column cut packs the same Ã
/// twice, so columns are cut only when `m` is too short to give `TARGET_TASKS` row blocks).
pub(crate) fn task_grid(kern: Blocking, m: usize, n: usize) -> (usize, usize) {
    const TARGET_TASKS: usize = 4;
    let round_up = |x: usize, to: usize| x.div_ceil(to) * to;
    let tiles = m.div_ceil(kern.mr);
    // Row blocks: enough to respect mc, at least TARGET_TASKS, rounded up to an even count.
    let wanted = round_up(m.div_ceil(kern.mc).max(TARGET_TASKS), 2);
    let row_blocks = wanted.min(tiles).max(1);
    let mb = round_up(m.div_ceil(row_blocks), kern.mr).min(round_up(kern.mc, kern.mr));
    let ncb = kern.nc.min(n);
    let col_blocks = TARGET_TASKS.div_ceil(m.div_ceil(mb)).min(ncb.div_ceil(kern.nr));
    let nb = round_up(ncb.div_ceil(col_blocks), kern.nr);
    (mb, nb)
}

/// LOOP 3 body on rows `i0..i1` × columns `jc+j0 .. jc+j1` of the row-major `c` (row stride `ldc`): pack Ã
/// (per mc rows) into this thread's scratch, then LOOP 2 / LOOP 1 over the tiles against the packed B̃.
///
/// A lhs with contiguous rows (`cs == 1`, the row-major case) is not packed: its full micro-panels are read in
/// place (`mr` rows of `kcb` contiguous values, which stay in L1 across LOOP 1 as a packed one would), and only
/// a last partial micro-panel is packed, zero-padded. Packing such a lhs would only copy values into the order
/// they already have: memory traffic that buys nothing. The microkernel multiplies the same values in the same
/// order either way.
///
/// # Safety
/// `c` must be valid for writes on that rectangle and nobody else may access it meanwhile; `bpanels` holds
/// the packed (pc, jc) panel of `kcb` steps; `lhs` lies inside its data; `kern` runs on this CPU.
unsafe fn block<T: GemmFloat>(
    kern: &MicroKernel<T>,
    lhs: &MatRef<T>,
    bpanels: &[T],
    kcb: usize,
    c: *mut T,
    ldc: usize,
    pc: usize,
    i0: usize,
    i1: usize,
    jc: usize,
    j0: usize,
    j1: usize,
    acc: bool,
) {
    let (mr, nr) = (kern.mr, kern.nr);
    let in_place = lhs.cs == 1;
    let a_len = if in_place { mr * kcb } else { kern.mc.min((i1 - i0).div_ceil(mr) * mr) * kcb };
    with_scratch::<T, _>(&SCRATCH_A, a_len, |abuf| {
        for ic in (i0..i1).step_by(kern.mc) {
            let mcb = kern.mc.min(i1 - ic);
            if !in_place {
                pack_lhs(lhs, ic, mcb, pc, kcb, mr, abuf);
            }
            // LOOP 2: mr-tall micro-panels of Ã (one stays in L1 while LOOP 1 runs).
            for ir in (0..mcb).step_by(mr) {
                let (a, a_rs, a_cs) = if !in_place {
                    (abuf[ir * kcb..].as_ptr(), 1, mr)
                } else if ir + mr <= mcb {
                    // SAFETY: (ic + ir, pc) is an element of the bounds-checked view (a full micro-panel).
                    (unsafe { lhs.data.as_ptr().add(lhs.idx(ic + ir, pc)) }, lhs.rs, 1)
                } else {
                    pack_lhs(lhs, ic + ir, mcb - ir, pc, kcb, mr, abuf);
                    (abuf.as_ptr(), 1, mr)
                };
                let panel = APanel { a, rs: a_rs, cs: a_cs };
                // LOOP 1: nr-wide micro-panels of B̃ (streamed from L2).
                for jr in (j0..j1).step_by(nr) {
                    // SAFETY: (ic + ir, jc + jr) is a tile of the caller's rectangle; `panel` is the lhs
                    // micro-panel of rows ic + ir.. (kcb steps), `bpanels` the packed (pc, jc) block.
                    unsafe { tile(kern, panel, bpanels, kcb, c, ldc, ic + ir, mr.min(mcb - ir), jc, jr, j1, acc) };
                }
            }
        }
    });
}

/// An lhs micro-panel as the microkernel reads it: element (i, p) at `a + i·rs + p·cs`.
#[derive(Clone, Copy)]
struct APanel<T> {
    a: *const T,
    rs: usize,
    cs: usize,
}

/// One microkernel call on the tile at rows `i..i + mrb`, columns `jc + jr` of `c` (edge tiles through a
/// temporary).
///
/// # Safety
/// The tile's valid part lies inside the caller's rectangle of `c`; `panel` is valid for `mr × kcb` reads,
/// `bbuf` holds the packed block (`kcb` deep); the kernel runs on this CPU.
#[inline(always)]
unsafe fn tile<T: GemmFloat>(
    kern: &MicroKernel<T>,
    panel: APanel<T>,
    bbuf: &[T],
    kcb: usize,
    c: *mut T,
    ldc: usize,
    i: usize,
    mrb: usize,
    jc: usize,
    jr: usize,
    ncb: usize,
    acc: bool,
) {
    let (mr, nr) = (kern.mr, kern.nr);
    let nrb = nr.min(ncb - jr);
    let APanel { a, rs, cs } = panel;
    let b = bbuf[jr * kcb..].as_ptr();
    // SAFETY: (i, jc + jr) is inside the caller's rectangle.
    let ct = unsafe { c.add(i * ldc + jc + jr) };
    // A partial panel was packed `w` wide for its own kernel (`pack_rhs`, `MicroKernel::edge`).
    let (w, run) = if nrb == nr { (nr, kern.run) } else { kern.for_cols(nrb) };
    if mrb == mr && nrb == w {
        // SAFETY: `panel` and b hold full micro-panels of kcb steps (b `w` wide); the full tile is inside the
        // rectangle.
        unsafe { run(kcb, a, rs, cs, b, ct, ldc, acc) };
    } else {
        // Edge tile: compute the full tile into a temporary, keep the valid part.
        let mut tmp = [T::ZERO; MAX_TILE];
        // SAFETY: as above, with `tmp` (mr·w ≤ mr·nr ≤ MAX_TILE elements, row stride w).
        unsafe { run(kcb, a, rs, cs, b, tmp.as_mut_ptr(), w, false) };
        for i in 0..mrb {
            for j in 0..nrb {
                // SAFETY: (i, j) < (mrb, nrb) stays inside the rectangle.
                let o = unsafe { &mut *ct.add(i * ldc + j) };
                let t = tmp[i * w + j];
                *o = if acc { *o + t } else { t };
            }
        }
    }
}
