//! The packed path on a [`team`] of two: the calling thread and the team's worker, each running the five loops
//! of `blis.rs` on its own rectangle of `out` with its own packed blocks.
//!
//! Why not rayon, as [`super::super::blis::gemm_rayon`]: `pool.install` from a thread outside the pool puts the
//! caller to sleep on the pool's lock and wakes it with a futex round trip, a fixed cost per call that a
//! mid-sized product cannot repay (see [`team`]). Taken when the tapegrad pool has two threads and the caller is
//! outside every rayon pool ([`super::super::plan`]).
//!
//! Nothing is shared but the operands, which are only read: the members never wait for each other and never
//! write to a cache line that the other one uses. The cut ([`team_cut`]): the rows (whole `mr` tiles, as equal
//! as they come), each member packing the whole B̃ itself; when there are too few tiles, the columns (whole `nr`
//! panels). A row cut leaves the two members at most one shared line of `out`. Why rows: the two cores may be
//! far apart (the two vCPUs of a VM can be, for stretches of time), and then every cache line passing between
//! them is costly. The cuts differ in how many do:
//! - B̃ shared, each member packing half of it with a barrier per block: each member reads half of its B̃ from
//!   the other core, in every block;
//! - columns cut: each row of `out` has a line written by both members, in every k panel;
//! - rows cut: no line passes but the one shared line of `out`, at the price of packing B̃ twice (a share of the
//!   work that shrinks as the sizes grow). It is the one cut whose speed does not drop when the cores are far
//!   apart.
//!
//! Every element gets the same bits whichever member computes it (each runs the same loops over the same kc
//! panels in the same order).

use super::super::blis::{gemm_rect, MicroKernel, OutPtr};
use super::super::plan::trace::{self, Step};
use super::super::plan::Blocking;
use super::super::{GemmFloat, MatRef};
use crate::cpu::team;

/// How a team of two divides `out`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamCut {
    /// Each member takes half of the row tiles (`mr` rows each).
    Rows,
    /// Too few row tiles: each member takes half of the column panels (`nr` columns each).
    Cols,
    /// Too small to divide: the caller computes it all, alone.
    Alone,
}

/// The cut of an `m × n` output between the [`team::MAX_MEMBERS`] members.
pub(crate) fn team_cut(kern: Blocking, m: usize, n: usize) -> TeamCut {
    let members = team::MAX_MEMBERS;
    let (tiles, panels) = (m.div_ceil(kern.mr), n.div_ceil(kern.nr));
    if tiles >= 2 * members {
        TeamCut::Rows
    } else if panels >= 2 * members {
        TeamCut::Cols
    } else {
        TeamCut::Alone
    }
}

/// `out (+)= lhs · rhs` on the packed path, cut as `cut` between the members of a team (see the module doc).
///
/// # Panics
/// When called from a thread of a rayon pool with a cut other than `Alone` (see [`team::run`]).
pub(crate) fn gemm_team<T: GemmFloat>(
    kern: &MicroKernel<T>,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    out: &mut [T],
    accumulate: bool,
    cut: TeamCut,
) {
    let (m, n) = (lhs.rows, rhs.cols);
    let (tiles, panels) = (m.div_ceil(kern.mr), n.div_ceil(kern.nr));
    let members = if cut == TeamCut::Alone { 1 } else { team::MAX_MEMBERS };
    trace::record(Step::Team);
    let c = OutPtr(out.as_mut_ptr());
    let body = |id: usize| {
        // Member `id`'s equal share of `units` whole units of `unit` elements (the last unit may end at `len`).
        let share = |units: usize, unit: usize, len: usize| {
            let at = |q: usize| (units * q / members * unit).min(len);
            at(id)..at(id + 1)
        };
        let (rows, cols) = match cut {
            TeamCut::Cols => (0..m, share(panels, kern.nr, n)),
            TeamCut::Rows | TeamCut::Alone => (share(tiles, kern.mr, m), 0..n),
        };
        // SAFETY: the members' rectangles tile `out` without overlap (disjoint shares of the columns or of the
        // rows), so this member alone writes rows × cols of the m × n `out`, which outlives the team.
        unsafe { gemm_rect(kern, &lhs, &rhs, c.get(), n, rows, cols, accumulate) };
    };
    team::run(members, &body);
}
