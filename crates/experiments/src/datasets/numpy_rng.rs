//! numpy's legacy `np.random.RandomState`, draw for draw.
//!
//! `np.random.seed(s)`, `np.random.RandomState(s)` and scikit-learn's `check_random_state(s)` all
//! build the same thing: a 32-bit Mersenne Twister (MT19937) seeded with `init_genrand(s)`, plus
//! a one-value cache for the polar Box–Muller method. Every legacy sampler is a fixed recipe on
//! top of the raw 32-bit words; this file reproduces the recipes numpy uses in
//! `numpy/random/src/legacy/legacy-distributions.c` and `distributions.c`:
//!
//! | numpy call                  | recipe                                                        |
//! |-----------------------------|---------------------------------------------------------------|
//! | `random_sample()`           | `a = w0 >> 5`, `b = w1 >> 6`, `(a * 2^26 + b) / 2^53`          |
//! | `standard_normal()`/`randn` | polar Box–Muller; returns `f*x2`, caches `f*x1` for next call |
//! | `normal(loc, scale)`        | `loc + scale * gauss`                                         |
//! | `uniform(low, high)`        | `low + (high - low) * random_sample()`                        |
//! | `randint(low, high)`        | masked rejection on `high - 1 - low` (`random_interval`)      |
//! | `shuffle(x)`                | Fisher–Yates from the end, `j = interval(i)` for `i = n-1..1` |
//! | `permutation(n)`            | `shuffle(arange(n))`                                          |
//!
//! What does not live here: numpy's new `Generator` API (PCG64, ziggurat normals), which the
//! tutorial never uses.

use rand_mt::Mt;

/// `np.random.RandomState(seed)`: the MT19937 stream plus the cached second Box–Muller value.
#[derive(Clone)]
pub struct NumpyRandomState {
    mt: Mt,
    /// numpy's `has_gauss` / `gauss` pair: the second value of the last polar Box–Muller step.
    gauss: Option<f64>,
}

impl std::fmt::Debug for NumpyRandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NumpyRandomState").field("cached_gauss", &self.gauss).finish_non_exhaustive()
    }
}

impl NumpyRandomState {
    /// `np.random.RandomState(seed)` (numpy accepts exactly the seeds `0..=2^32 - 1`).
    pub fn new(seed: u32) -> Self {
        Self {
            // `Mt::new` is MT19937's `init_genrand(seed)`, which is what numpy's
            // `_legacy_seeding` calls for an integer seed.
            mt: Mt::new(seed),
            gauss: None,
        }
    }

    /// `np.random.seed(seed)`: reseeds and drops the cached normal, as numpy does.
    pub fn seed(&mut self, seed: u32) {
        self.mt.reseed(seed);
        self.gauss = None;
    }

    /// One raw tempered MT19937 word (`genrand_int32`).
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// numpy's `mt19937_next64`: the first word is the high half.
    pub fn next_u64(&mut self) -> u64 {
        let hi = u64::from(self.next_u32());
        let lo = u64::from(self.next_u32());
        (hi << 32) | lo
    }

    /// `random_sample()`: a double in `[0, 1)` with 53 random bits, built from two words.
    pub fn random_sample(&mut self) -> f64 {
        // 27 high bits of the first word and 26 high bits of the second: a*2^26 + b < 2^53.
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// `random_sample(n)`.
    pub fn random_sample_n(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.random_sample()).collect()
    }

    /// `standard_normal()`: numpy's `legacy_gauss`, the Marsaglia polar method.
    ///
    /// Each accepted pair `(x1, x2)` in the unit disc gives two normals `f*x2` and `f*x1` with
    /// `f = sqrt(-2 ln r2 / r2)`; the first is returned, the second cached for the next call.
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(cached) = self.gauss.take() {
            return cached;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            // Reject points outside the unit disc and the origin.
            if r2 >= 1.0 || r2 == 0.0 {
                continue;
            }
            let f = (-2.0 * r2.ln() / r2).sqrt();
            self.gauss = Some(f * x1);
            return f * x2;
        }
    }

    /// `randn(n)` / `standard_normal(n)`.
    pub fn randn(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.standard_normal()).collect()
    }

    /// `normal(loc, scale)`: `loc + scale * gauss` (numpy's `legacy_normal`). numpy rejects a
    /// negative `scale` before drawing; callers validate it (see the generators).
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.standard_normal()
    }

    /// `uniform(low, high)`: `low + (high - low) * random_sample()` (`random_uniform`).
    /// `high < low` is allowed, as in numpy.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        let range = high - low;
        low + range * self.random_sample()
    }

    /// numpy's `random_interval(max)`: a uniform integer in `0..=max` by masked rejection.
    ///
    /// `mask` is the smallest `2^k - 1 >= max`; words are drawn (32-bit while `max` fits in 32
    /// bits, else 64-bit) and masked until the result is `<= max`. `max == 0` draws nothing.
    pub fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        // Smear the top bit of max rightwards: 0b0100_1010 -> 0b0111_1111.
        let mut mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        } else {
            loop {
                let value = self.next_u64() & mask;
                if value <= max {
                    return value;
                }
            }
        }
    }

    /// `randint(low, high)` for the default `int64` dtype: uniform in `low..high`.
    ///
    /// numpy's legacy bounded integers (`random_bounded_uint64_fill` with `use_masked`) are the
    /// same masked rejection as [`random_interval`](Self::random_interval) on
    /// `rng = high - 1 - low`, offset by `low`.
    ///
    /// # Panics
    /// If `low >= high` (numpy raises `ValueError: low >= high`).
    #[track_caller]
    pub fn randint(&mut self, low: i64, high: i64) -> i64 {
        assert!(low < high, "NumpyRandomState::randint: low {low} >= high {high}");
        // high - 1 - low fits in u64 for every i64 pair with low < high.
        let rng = (i128::from(high) - 1 - i128::from(low)) as u64;
        (i128::from(low) + i128::from(self.random_interval(rng))) as i64
    }

    /// `shuffle(x)` on a 1-D array: Fisher–Yates from the end, numpy's legacy draw order.
    pub fn shuffle<T>(&mut self, x: &mut [T]) {
        // for i in reversed(range(1, n)): j = random_interval(i); swap(x[i], x[j])
        for i in (1..x.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            x.swap(i, j);
        }
    }

    /// `permutation(n)`: `shuffle(arange(n))`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        self.shuffle(&mut idx);
        idx
    }
}
