//! The SIMD microkernel, written once as a macro and instantiated per instruction set, element type and
//! register tile by `avx2` and `avx512` (a macro rather than generics because every intrinsic must be
//! compiled inside a function that enables its target feature).

/// Defines `unsafe fn $name(kc, a, b, c, ldc, accumulate)` (a [`super::blis::MicroFn`]): an `$mr × ($nv ·
/// $lanes)` tile of `c` held in `$mr · $nv` vector accumulators. Each step `p` loads `$nv` vectors of the
/// packed `rhs` row and, for each of the `$mr` packed `lhs` values, broadcasts it and does `$nv` FMAs:
/// `acc[i][v] += a[p·mr + i] · b[p·nr + v·lanes ..]`. The sum starts at zero and is added to `c` at the end.
macro_rules! simd_microkernel {
    (
        $name:ident, $feature:literal, $t:ty, $vec:ty, $lanes:expr, $mr:expr, $nv:expr,
        zero: $zero:ident, set1: $set1:ident, load: $load:ident, store: $store:ident, fmadd: $fmadd:ident,
        add: $add:ident
    ) => {
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn $name(
            kc: usize,
            a: *const $t,
            a_rs: usize,
            a_cs: usize,
            b: *const $t,
            c: *mut $t,
            ldc: usize,
            accumulate: bool,
        ) {
            const MR: usize = $mr;
            const NV: usize = $nv;
            const NR: usize = NV * $lanes;
            let mut acc: [[$vec; NV]; MR] = [[$zero(); NV]; MR];
            let (mut a, mut b) = (a, b);
            for _ in 0..kc {
                let mut bv: [$vec; NV] = [$zero(); NV];
                for v in 0..NV {
                    // SAFETY: `b` points at a packed rhs row of NR elements (the caller's kc·NR contract).
                    bv[v] = unsafe { $load(b.add(v * $lanes)) };
                }
                for i in 0..MR {
                    // SAFETY: `a` points at column p of the lhs micro-panel (rows i · a_rs apart, the caller's
                    // contract).
                    let ai = $set1(unsafe { *a.add(i * a_rs) });
                    for v in 0..NV {
                        acc[i][v] = $fmadd(ai, bv[v], acc[i][v]);
                    }
                }
                // SAFETY: advancing within (or one past the end of) the panels.
                unsafe {
                    a = a.add(a_cs);
                    b = b.add(NR);
                }
            }
            for i in 0..MR {
                for v in 0..NV {
                    // SAFETY: the caller guarantees the MR × NR tile at `c` (row stride ldc) is writable.
                    unsafe {
                        let p = c.add(i * ldc + v * $lanes);
                        let r = if accumulate { $add($load(p), acc[i][v]) } else { acc[i][v] };
                        $store(p, r);
                    }
                }
            }
        }
    };
}
