//! [`IntHasher`]: a hasher for integer keys (buffer lengths in the CPU buffer cache, node ids in the autograd
//! walk). One multiply by a large odd constant (Fibonacci hashing); SipHash, std's default, costs more than the
//! lookups it serves there. Not for keys an adversary chooses.

use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an integer with one multiply (see the module doc).
#[derive(Default, Clone, Copy, Debug)]
pub struct IntHasher(u64);

/// The `BuildHasher` of [`IntHasher`], for `HashMap::default()` / `HashSet::default()`.
pub type BuildIntHasher = BuildHasherDefault<IntHasher>;

const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(PHI);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(PHI);
    }
}
