//! [`TorchGenerator`]: PyTorch's CPU random generator, reproduced bit for bit, and the process-wide default
//! generator that [`manual_seed`] seeds (like `torch.manual_seed`).
//!
//! What this file reproduces (checked against real PyTorch by `tests/init.rs`):
//!
//! * `torch.manual_seed(s)` seeds a 32-bit Mersenne Twister (MT19937) with the reference `init_genrand`
//!   routine, on the low 32 bits of `s` (`manual_seed(2**32 + 42)` draws what `manual_seed(42)` draws).
//! * `tensor.uniform_(from, to)` on a float32 tensor draws one 32-bit word per element, in row-major order,
//!   whatever the tensor's size (there is no vectorised path that would change the order), and maps it as
//!   `aten`'s `uniform_real_distribution<float>` does:
//!
//!   ```text
//!   x   = (u32 & (2^24 - 1)) * 2^-24          // 24 random mantissa bits, exact in f32
//!   out = f32( f64(x) * f64(to - from) + f64(from) )   // from, to cast to f32 first; to - from in f32
//!   ```
//!
//!   The product and sum are computed in double (the CPU's accumulate type for float) and rounded once.
//! * On a float64 tensor each element takes two words `hi, lo` (`random64 = hi << 32 | lo`), 53 bits of it,
//!   and `x * (to - from) + from` is one fused multiply-add (as the compiled aten kernel does).
//!
//! Normal draws (`randn`) are not reproduced here: nothing in the tutorial's models needs them.
//!
//! # Threads
//!
//! The default generator is one per process, as PyTorch's: every [`crate::Linear::new`] draws from it. On one
//! thread `manual_seed(42)` followed by building a model gives PyTorch's weights bit for bit. But threads that
//! build models *at the same time* take turns drawing from the one generator, so which weights each model gets
//! depends on the scheduling — `manual_seed` on each thread does not help. The deterministic ways:
//!
//! * give each thread its own generator and build with [`crate::Linear::with_generator`]:
//!
//!   ```
//!   use nn::{Linear, Module, ReLU, Sequential, TorchGenerator};
//!   use tensor::Device;
//!   let handles: Vec<_> = (0..4u64)
//!       .map(|seed| {
//!           std::thread::spawn(move || {
//!               let mut g = TorchGenerator::new(seed); // this thread's own torch.manual_seed(seed)
//!               let model = Sequential::new()
//!                   .add(Linear::with_generator(2, 10, true, &mut g, &Device::Cpu))
//!                   .add(ReLU)
//!                   .add(Linear::with_generator(10, 1, true, &mut g, &Device::Cpu));
//!               model.num_parameters()
//!           })
//!       })
//!       .collect();
//!   for h in handles {
//!       assert_eq!(h.join().unwrap(), 41);
//!   }
//!   ```
//!
//! * or seed and build under one lock of the default generator, with [`with_default_generator`] (other threads
//!   wait for the whole build). Inside its closure, draw from the generator it passes — calling
//!   [`manual_seed`], `Linear::new` or `with_default_generator` there would wait for the lock this thread holds,
//!   so they panic instead of hanging.

use std::cell::Cell;
use std::sync::{Mutex, MutexGuard, OnceLock};

use rand_mt::Mt;

/// The seed a never-seeded default generator starts from (PyTorch's `default_rng_seed_val`). PyTorch itself
/// seeds its default generator non-deterministically at start-up; tapegrad prefers reproducible runs.
pub const DEFAULT_SEED: u64 = 67_280_421_310_721;

/// PyTorch's CPU generator: MT19937 seeded like `torch.manual_seed`.
#[derive(Clone, Debug)]
pub struct TorchGenerator {
    engine: Mt,
    seed: u64,
}

impl TorchGenerator {
    /// A generator in the state `torch.manual_seed(seed)` leaves the default one in. Only the low 32 bits of
    /// `seed` matter, as in PyTorch.
    pub fn new(seed: u64) -> TorchGenerator {
        TorchGenerator { engine: Mt::new(seed as u32), seed }
    }

    /// The seed this generator was last seeded with (`torch.initial_seed()`).
    pub fn initial_seed(&self) -> u64 {
        self.seed
    }

    /// Reseeds in place (`generator.manual_seed(seed)`).
    pub fn manual_seed(&mut self, seed: u64) {
        *self = TorchGenerator::new(seed);
    }

    /// The next raw 32-bit word (`generator->random()`).
    pub fn next_u32(&mut self) -> u32 {
        self.engine.next_u32()
    }

    /// The next raw 64-bit word (`generator->random64()`): two 32-bit words, the first one high.
    pub fn next_u64(&mut self) -> u64 {
        let hi = self.engine.next_u32() as u64;
        let lo = self.engine.next_u32() as u64;
        (hi << 32) | lo
    }

    /// One float32 in `[from, to)` exactly as `torch.empty(1).uniform_(from, to)` draws it.
    pub fn uniform_f32(&mut self, from: f64, to: f64) -> f32 {
        // aten casts the bounds to the tensor's type first, and takes their difference in that type.
        let (from, to) = (from as f32, to as f32);
        let range = to - from;
        // 24 random bits scaled to [0, 1): exact in f32.
        let x = (self.next_u32() & ((1 << 24) - 1)) as f32 * (1.0f32 / (1u32 << 24) as f32);
        // The affine map in double (the CPU accumulate type), rounded once to f32.
        (x as f64 * range as f64 + from as f64) as f32
    }

    /// One float64 in `[from, to)` exactly as `torch.empty(1, dtype=torch.float64).uniform_(from, to)`.
    pub fn uniform_f64(&mut self, from: f64, to: f64) -> f64 {
        // 53 random bits of a 64-bit draw scaled to [0, 1).
        let x = (self.next_u64() & ((1u64 << 53) - 1)) as f64 * (1.0 / (1u64 << 53) as f64);
        x.mul_add(to - from, from)
    }

    /// `n` float32 draws in `[from, to)`: `torch.empty(n).uniform_(from, to)` (row-major for any shape).
    ///
    /// # Panics
    /// When memory for `n` float32 values cannot be had (instead of aborting the process).
    #[track_caller]
    pub fn uniform_vec_f32(&mut self, n: usize, from: f64, to: f64) -> Vec<f32> {
        let mut out = reserve("uniform_vec_f32", n, tensor::DType::F32);
        out.extend((0..n).map(|_| self.uniform_f32(from, to)));
        out
    }

    /// `n` float64 draws in `[from, to)`: `torch.empty(n, dtype=torch.float64).uniform_(from, to)`.
    ///
    /// # Panics
    /// When memory for `n` float64 values cannot be had (instead of aborting the process).
    #[track_caller]
    pub fn uniform_vec_f64(&mut self, n: usize, from: f64, to: f64) -> Vec<f64> {
        let mut out = reserve("uniform_vec_f64", n, tensor::DType::F64);
        out.extend((0..n).map(|_| self.uniform_f64(from, to)));
        out
    }
}

/// An empty vector with room for `n` values, or a panic at the caller when the memory cannot be had (a failed
/// `Vec` allocation would abort the process).
#[track_caller]
fn reserve<T>(op: &str, n: usize, dtype: tensor::DType) -> Vec<T> {
    crate::init::checked_numel(op, &[n], dtype);
    let mut out = Vec::new();
    if out.try_reserve_exact(n).is_err() {
        out_of_memory(op, n, dtype);
    }
    out
}

#[cold]
#[track_caller]
fn out_of_memory(op: &str, n: usize, dtype: tensor::DType) -> ! {
    panic!(
        "{op}: cannot allocate {n} {dtype} values ({:.1} GiB): not enough memory; pick smaller sizes",
        (n as f64) * dtype.size_in_bytes() as f64 / (1u64 << 30) as f64
    )
}

impl Default for TorchGenerator {
    fn default() -> Self {
        TorchGenerator::new(DEFAULT_SEED)
    }
}

/// The process-wide default generator (PyTorch's `torch.default_generator`).
fn default_generator() -> &'static Mutex<TorchGenerator> {
    static DEFAULT: OnceLock<Mutex<TorchGenerator>> = OnceLock::new();
    DEFAULT.get_or_init(|| Mutex::new(TorchGenerator::default()))
}

thread_local! {
    /// Whether this thread holds the default generator's lock (inside [`with_default_generator`]).
    static HOLDS_DEFAULT: Cell<bool> = const { Cell::new(false) };
}

/// Locks the default generator; a panic in another thread while it held the lock leaves the state usable.
///
/// # Panics
/// When this thread already holds it (the lock is not re-entrant: waiting would hang forever).
#[track_caller]
fn lock_default(op: &str) -> MutexGuard<'static, TorchGenerator> {
    if HOLDS_DEFAULT.get() {
        reentrant_lock(op);
    }
    default_generator().lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cold]
#[track_caller]
fn reentrant_lock(op: &str) -> ! {
    panic!(
        "{op} inside with_default_generator: this thread already holds the default generator, so waiting for it \
         would hang; use the `&mut TorchGenerator` the closure gets (Linear::with_generator, g.manual_seed)"
    )
}

/// Seeds the process-wide default generator, like `torch.manual_seed(seed)`. Layers built afterwards with
/// [`crate::Linear::new`] draw their initial weights from it. For threads, see [the module doc](self#threads).
///
/// # Panics
/// Inside [`with_default_generator`] (use the generator the closure gets).
#[track_caller]
pub fn manual_seed(seed: u64) {
    lock_default("manual_seed").manual_seed(seed);
}

/// Runs `f` with exclusive access to the default generator (so several draws happen back to back even when
/// other threads draw too: `with_default_generator(|g| { g.manual_seed(42); Linear::with_generator(.., g, ..) })`
/// is deterministic whatever other threads do).
///
/// # Panics
/// When called inside another `with_default_generator` on the same thread; and `f`'s own panics propagate
/// (the generator stays usable).
#[track_caller]
pub fn with_default_generator<R>(f: impl FnOnce(&mut TorchGenerator) -> R) -> R {
    with_default_generator_for("with_default_generator", f)
}

/// [`with_default_generator`] for `op` (the name a re-entrant call's panic gives).
#[track_caller]
pub(crate) fn with_default_generator_for<R>(op: &str, f: impl FnOnce(&mut TorchGenerator) -> R) -> R {
    let mut guard = lock_default(op);
    /// Clears the flag however `f` ends, a panic included.
    struct Held;
    impl Drop for Held {
        fn drop(&mut self) {
            HOLDS_DEFAULT.set(false);
        }
    }
    HOLDS_DEFAULT.set(true);
    let _held = Held;
    f(&mut guard)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_reference_output() {
        // The reference implementation seeded with 5489 starts 3499211612, 581869302 (and the 10000th output
        // is 4123659995, the value the C++ standard requires of std::mt19937).
        let mut g = TorchGenerator::new(5489);
        assert_eq!(g.next_u32(), 3_499_211_612);
        assert_eq!(g.next_u32(), 581_869_302);
        let mut g = TorchGenerator::new(5489);
        let last = (0..10_000).map(|_| g.next_u32()).last();
        assert_eq!(last, Some(4_123_659_995));
    }

    #[test]
    fn torch_rand_seed_42() {
        // torch.manual_seed(42); torch.rand(3) -> tensor([0.8823, 0.9150, 0.3829])
        let mut g = TorchGenerator::new(42);
        let v = g.uniform_vec_f32(3, 0.0, 1.0);
        let rounded: Vec<f32> = v.iter().map(|x| (x * 1e4).round() / 1e4).collect();
        assert_eq!(rounded, vec![0.8823, 0.9150, 0.3829]);
    }

    #[test]
    fn only_the_low_32_bits_of_the_seed_matter() {
        let mut a = TorchGenerator::new((1 << 32) + 42);
        let mut b = TorchGenerator::new(42);
        assert_eq!(a.next_u32(), b.next_u32());
    }
}
