//! The bound of every numeric flag and of `TAPEGRAD_NUM_THREADS`, and why, checked while the
//! command line is parsed — before any work — so that no value can make the program abort, panic
//! or quietly misbehave later. clap prints a failed check as
//! `error: invalid value '1000000000' for '--epochs <EPOCHS>': at most 10000000 epochs (the history
//! of every epoch is kept in memory)` and exits with status 2.
//!
//! Where a bound comes from:
//!
//! | flag | bound | why |
//! |---|---|---|
//! | `--epochs` | 1 ..= 10⁷ | the history of every epoch is kept in memory |
//! | `--lr` | finite, > 0 | a step size; 0, negative or non-finite steps cannot train |
//! | `--samples` | 1 ..= 10⁶ (`run`, `bench epoch`: 2 ..= 10⁶) | the dataset and its JSON are built in memory (a run needs a train and a test row) |
//! | `--batch-size` | 1 ..= 10⁶ | rows per mini-batch; a batch larger than the train set is the whole set |
//! | `--features` | 1 ..= 1000, samples × features ≤ 2·10⁶ | same |
//! | `--centers` | 1 ..= 1000 | one random center of `--features` coordinates each |
//! | `--points-per-class` | 1 ..= 10⁶, × classes ≤ 10⁶ | as `--samples` |
//! | `--classes` | 1 ..= 256 | the spirals' labels are uint8 in the snippet |
//! | `--noise`, `--std` | finite, 0 ..= 10³⁰⁰ | a standard deviation; far beyond, values overflow to ±inf, which JSON cannot hold |
//! | `--factor` | 0 ..< 1 | inner radius / outer radius |
//! | `--test-size` | 0 <..< 1 | a fraction of the samples (both sets non-empty, checked with the samples) |
//! | `--size` | 1 ..= 16384 | three `size²` float32 matrices (3 GiB at the bound) |
//! | `--reps` | 1 ..= 1000 | each repetition repeats the whole measurement |
//! | `--explain M K N` | each 0 ..= 2²⁴ | a matmul shape only described, never allocated |
//! | `--seed` | any u64 (`run`), any u32 (`dataset`) | torch's and numpy's seeds |
//! | `TAPEGRAD_NUM_THREADS` | 1 ..= 1024 | one OS thread each |

use crate::error::CliError;

/// Most epochs of one run.
pub const MAX_EPOCHS: usize = 10_000_000;
/// Most samples of a generated dataset (`--samples`, `--points-per-class × --classes`).
pub const MAX_SAMPLES: usize = 1_000_000;
/// Most features of a blob.
pub const MAX_FEATURES: usize = 1_000;
/// Most values (samples × features) of a generated dataset.
pub const MAX_VALUES: usize = 2_000_000;
/// Most blob centers.
pub const MAX_CENTERS: usize = 1_000;
/// Most spiral arms.
pub const MAX_CLASSES: usize = 256;
/// Largest noise or cluster spread.
pub const MAX_SPREAD: f64 = 1e300;
/// Largest bench matrix side.
pub const MAX_SIZE: usize = 16_384;
/// Largest dimension of `bench matmul --explain`.
pub const MAX_EXPLAIN_DIM: usize = 1 << 24;
/// Most bench repetitions.
pub const MAX_REPS: usize = 1_000;
/// Most CPU threads.
pub const MAX_THREADS: usize = 1_024;

/// A whole number in `min..=max`, else a sentence naming the bound (`unit`: "epochs") and `why`.
pub fn count(
    min: usize,
    max: usize,
    unit: &'static str,
    why: &'static str,
) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |s: &str| {
        let bound = || format!("a whole number of {unit} from {min} to {max} ({why})");
        let v: u128 = s.trim().parse().map_err(|_| bound())?;
        if v < min as u128 {
            Err(format!("at least {min} ({why})"))
        } else if v > max as u128 {
            Err(format!("at most {max} {unit} ({why})"))
        } else {
            Ok(v as usize)
        }
    }
}

/// A finite number with `ok(v)`, else `{bound} ({why})`.
pub fn real(
    ok: fn(f64) -> bool,
    bound: &'static str,
    why: &'static str,
) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    move |s: &str| match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && ok(v) => Ok(v),
        _ => Err(format!("{bound} ({why})")),
    }
}

/// Any `u64` seed (`run --seed`): only its low 32 bits matter, as in `torch.manual_seed`.
pub fn seed_u64(s: &str) -> Result<u64, String> {
    s.trim().parse().map_err(|_| format!("a whole number from 0 to {} (torch's seeds are 64-bit)", u64::MAX))
}

/// Any `u32` seed (`dataset --seed`, `--split-seed`): numpy's `RandomState` takes 32 bits.
pub fn seed_u32(s: &str) -> Result<u32, String> {
    s.trim().parse().map_err(|_| format!("a whole number from 0 to {} (numpy's seeds are 32-bit)", u32::MAX))
}

/// The `--epochs` parser.
pub fn epochs() -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    count(1, MAX_EPOCHS, "epochs", "the history of every epoch is kept in memory")
}

/// The `--lr` parser.
pub fn lr() -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    real(|v| v > 0.0, "a finite learning rate > 0, such as 0.1", "the size of each optimizer step")
}

/// The `--samples` parser of `run` and `bench epoch` (blobs-large): a run needs at least one
/// train and one test row.
pub fn run_samples() -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    count(2, MAX_SAMPLES, "samples", "the dataset is built in memory; 2 leaves one train and one test row")
}

/// The `--batch-size` parser (blobs-large).
pub fn batch_size() -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    count(1, MAX_SAMPLES, "rows per batch", "a batch larger than the train set is the whole set")
}

/// The `--reps` parser.
pub fn reps() -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    count(1, MAX_REPS, "repetitions", "each repetition repeats the whole measurement; the best is reported")
}

/// Checks `TAPEGRAD_NUM_THREADS` (the CPU pool's size) before any work: unset, or a whole number
/// in `1..=1024`. The library itself falls back to every core on a bad value, with a warning; the
/// CLI refuses it, so a typo cannot silently change a measurement.
pub fn check_num_threads(value: Option<std::ffi::OsString>) -> Result<(), CliError> {
    let Some(value) = value else { return Ok(()) };
    let text = value.to_string_lossy();
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(()),
        _ => Err(CliError::new(format!(
            "TAPEGRAD_NUM_THREADS={text:?}: pass a whole number of CPU threads from 1 to {MAX_THREADS}, or unset \
             it to use every core"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_name_their_bound_and_why() {
        let p = epochs();
        assert_eq!(p("1"), Ok(1));
        assert_eq!(p("10000000"), Ok(MAX_EPOCHS));
        assert_eq!(
            p("10000001").unwrap_err(),
            "at most 10000000 epochs (the history of every epoch is kept in memory)"
        );
        assert!(p("0").unwrap_err().starts_with("at least 1 ("));
        for bad in ["-1", "1.5", "abc", "", "NaN", "99999999999999999999999999999999999999999"] {
            assert!(p(bad).unwrap_err().contains("a whole number of epochs from 1 to 10000000"), "{bad}");
        }
        assert!(p("18446744073709551615").unwrap_err().starts_with("at most"));
    }

    #[test]
    fn reals_refuse_non_finite_values() {
        let p = lr();
        assert_eq!(p("0.1"), Ok(0.1));
        for bad in ["0", "-0.1", "NaN", "inf", "-inf", "1e999", "x"] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn thread_counts() {
        assert!(check_num_threads(None).is_ok());
        assert!(check_num_threads(Some("4".into())).is_ok());
        for bad in ["abc", "0", "-1", "", "1025", "2.5"] {
            let e = check_num_threads(Some(bad.into())).unwrap_err().to_string();
            assert!(e.contains("TAPEGRAD_NUM_THREADS") && e.contains("from 1 to 1024"), "{bad}: {e}");
        }
    }
}
