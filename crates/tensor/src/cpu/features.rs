//! The one place that asks the CPU which instruction sets it has (`is_x86_feature_detected!`), cached in a
//! `OnceLock`. The GEMM (`gemm/`) and the element-wise SIMD kernels (`simd/`) both receive an [`Isa`] from
//! here and trust it; nothing else in the crate detects features.

use std::sync::OnceLock;

/// The instruction set a kernel is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Portable Rust, no intrinsics: always available, the reference for the SIMD kernels.
    Fallback,
    /// x86-64 AVX2 + FMA (256-bit registers, 16 of them).
    Avx2Fma,
    /// x86-64 AVX-512F (512-bit registers, 32 of them, mask registers for edges).
    Avx512,
}

impl Isa {
    /// Every instruction set, from the most portable.
    pub const ALL: [Isa; 3] = [Isa::Fallback, Isa::Avx2Fma, Isa::Avx512];

    /// The best instruction set of this CPU.
    pub fn best() -> Isa {
        let f = features();
        if f.avx512 {
            Isa::Avx512
        } else if f.avx2_fma {
            Isa::Avx2Fma
        } else {
            Isa::Fallback
        }
    }

    /// Whether this CPU can run kernels written for `self`.
    pub fn is_available(self) -> bool {
        let f = features();
        match self {
            Isa::Fallback => true,
            Isa::Avx2Fma => f.avx2_fma,
            Isa::Avx512 => f.avx512,
        }
    }

    /// The name a reader knows the instruction set by.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Fallback => "portable (no SIMD intrinsics)",
            Isa::Avx2Fma => "AVX2+FMA",
            Isa::Avx512 => "AVX-512F",
        }
    }

    /// Panics, naming `op`, unless this CPU runs `self`.
    #[track_caller]
    pub(crate) fn assert_available(self, op: &str) {
        if !self.is_available() {
            unavailable_panic(op, self);
        }
    }
}

#[cold]
#[track_caller]
fn unavailable_panic(op: &str, isa: Isa) -> ! {
    panic!("{op}: instruction set {isa:?} is not supported by this CPU")
}

#[derive(Clone, Copy, Debug)]
struct Features {
    avx2_fma: bool,
    avx512: bool,
}

fn features() -> Features {
    static FEATURES: OnceLock<Features> = OnceLock::new();
    *FEATURES.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2_fma = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            // The AVX-512 kernels also use AVX2/FMA-era instructions on the side; require both.
            let avx512 = avx2_fma && is_x86_feature_detected!("avx512f");
            Features { avx2_fma, avx512 }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Features { avx2_fma: false, avx512: false }
        }
    })
}
