//! Packing: copying a block of `lhs` or `rhs` (any strides) into the contiguous micro-panel layout the
//! microkernels stream through. This is where transposed and strided operands are absorbed: after packing,
//! every microkernel reads unit-stride memory whatever the caller's layout.
//!
//! Layouts (zero-padded past the matrix edge so the microkernel always computes a full `mr × nr` tile):
//! - `lhs` block `mc × kc` → `⌈mc/mr⌉` micro-panels; micro-panel `q` holds column `p` at `[q·mr·kc + p·mr ..][..mr]`
//!   (the `mr` values the microkernel broadcasts at step `p`).
//! - `rhs` block `kc × nc` → `⌈nc/nr⌉` micro-panels; micro-panel `q` holds row `p` at `[q·nr·kc + p·nr ..][..nr]`
//!   (the `nr` values the microkernel loads as vectors at step `p`); a last, partial panel is `edge_w ≤ nr`
//!   wide instead (row `p` at `[q·nr·kc + p·edge_w ..][..edge_w]`), for a narrower kernel.

use super::{GemmFloat, MatRef};

/// Packs `lhs[i0 .. i0+mc, p0 .. p0+kc]` into `buf` (layout in the module doc).
pub fn pack_lhs<T: GemmFloat>(lhs: &MatRef<T>, i0: usize, mc: usize, p0: usize, kc: usize, mr: usize, buf: &mut [T]) {
    let data = lhs.data;
    for (q, panel) in buf[..mc.div_ceil(mr) * mr * kc].chunks_exact_mut(mr * kc).enumerate() {
        let r0 = q * mr;
        let rows = mr.min(mc - r0);
        if rows < mr {
            panel.fill(T::ZERO);
        }
        if lhs.rs == 1 && rows == mr {
            // Column-contiguous (a transposed row-major matrix): each step is one contiguous copy.
            for p in 0..kc {
                let src = lhs.idx(i0 + r0, p0 + p);
                panel[p * mr..][..mr].copy_from_slice(&data[src..src + mr]);
            }
        } else if lhs.cs == 1 {
            // Row-major: read each row contiguously, write it with stride mr (a small transpose).
            for i in 0..rows {
                let src = lhs.idx(i0 + r0 + i, p0);
                for (p, &v) in data[src..src + kc].iter().enumerate() {
                    panel[p * mr + i] = v;
                }
            }
        } else {
            for p in 0..kc {
                for i in 0..rows {
                    panel[p * mr + i] = data[lhs.idx(i0 + r0 + i, p0 + p)];
                }
            }
        }
    }
}

/// Packs `rhs[p0 .. p0+kc, j0 .. j0+nc]` into `buf` (layout in the module doc; a partial last panel
/// `edge_w` wide).
///
/// # Panics
/// When a partial last panel has more columns than `edge_w`, or `edge_w > nr`.
#[allow(clippy::too_many_arguments)]
pub fn pack_rhs<T: GemmFloat>(
    rhs: &MatRef<T>,
    p0: usize,
    kc: usize,
    j0: usize,
    nc: usize,
    nr: usize,
    edge_w: usize,
    buf: &mut [T],
) {
    let data = rhs.data;
    if rhs.cs == 1 && nc.is_multiple_of(nr) {
        // Row-major, whole panels: read each row of the block once, front to back (one contiguous stream per
        // row instead of one short piece per row and panel), and deal its nr-wide pieces to the panels.
        for p in 0..kc {
            let src = rhs.idx(p0 + p, j0);
            for (q, piece) in data[src..src + nc].chunks_exact(nr).enumerate() {
                buf[q * nr * kc + p * nr..][..nr].copy_from_slice(piece);
            }
        }
        return;
    }
    for (q, panel) in buf[..nc.div_ceil(nr) * nr * kc].chunks_exact_mut(nr * kc).enumerate() {
        let c0 = q * nr;
        let cols = nr.min(nc - c0);
        // The row stride of this panel: nr, or edge_w for a partial one.
        let nr = if cols < nr {
            assert!(cols <= edge_w && edge_w <= nr, "pack_rhs: {cols} columns in a panel packed {edge_w} wide");
            panel[..edge_w * kc].fill(T::ZERO);
            edge_w
        } else {
            nr
        };
        if rhs.cs == 1 {
            // Row-major: each step is one contiguous copy of `cols` values.
            for p in 0..kc {
                let src = rhs.idx(p0 + p, j0 + c0);
                panel[p * nr..][..cols].copy_from_slice(&data[src..src + cols]);
            }
        } else if rhs.rs == 1 {
            // Column-contiguous (a transposed matrix): read each column contiguously, write with stride nr.
            for j in 0..cols {
                let src = rhs.idx(p0, j0 + c0 + j);
                for (p, &v) in data[src..src + kc].iter().enumerate() {
                    panel[p * nr + j] = v;
                }
            }
        } else {
            for p in 0..kc {
                for j in 0..cols {
                    panel[p * nr + j] = data[rhs.idx(p0 + p, j0 + c0 + j)];
                }
            }
        }
    }
}
