//! The command line of the `experiments` binary (clap derive). Names and flags:
//!
//! ```text
//! experiments list
//! experiments run <RUN> [--device cpu|gpu|auto] [--seed N] [--epochs N] [--lr F] [--out DIR] [--json PATH] [--quiet]
//!                       [--samples N] [--batch-size N]   (the last two: blobs-large only)
//! experiments all [--device ...] [--out DIR] [--blobs-large]
//! experiments dataset <circles|moons|blobs|spirals|line> [generator flags] --json PATH
//! experiments bench matmul|softmax|reduce --size N [--device ...] [--reps N] [--json PATH]
//! experiments bench matmul --explain M K N
//! experiments bench epoch <RUN> [--device ...] [--reps N] [--json PATH] [--epochs N] [--samples N] [--batch-size N]
//! ```
//!
//! Every numeric flag states its bound in its help text and is checked while parsing (see
//! [`crate::limits`]): a bad value is refused before any work, with the bound and why. Every
//! `--json PATH` takes `-` for stdout. The exit statuses are stated in `--help` ([`EXIT_STATUS`]).

use crate::device::DeviceChoice;
use crate::limits;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The exit statuses, as `--help` states them (keep in sync with `main.rs` and
/// [`crate::commands::EXIT_TARGET_MISSED`]; a test reads them back from `--help`).
pub const EXIT_STATUS: &str = "Exit status: 0 done (every target met); 1 an error (the message says what to do); \
2 a bad command line; 3 a run finished but missed a target it is judged by (`run` and `all` judge a run by its \
targets only at the hyper-parameters they are stated for: seed 42 and the run's own epochs, learning rate and \
sizes); 141 stdout was closed (as `| head`).";

/// Replays the PyTorch neural-network classification tutorial on tapegrad.
///
/// Environment: TAPEGRAD_NUM_THREADS, the number of CPU threads (1 to 1024; default: every core).
#[derive(Debug, Parser)]
#[command(name = "experiments", version, about, after_help = EXIT_STATUS)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lists the runs with what they reproduce.
    List,
    /// Runs one of the tutorial's runs and prints its log (exit status 3 when it misses its target).
    Run(RunArgs),
    /// Runs every run, then writes the pictures and `report.md` into `--out` (exit status 3 when a
    /// run misses its target).
    All(AllArgs),
    /// Generates one of the tutorial's datasets and writes it as JSON.
    Dataset(DatasetArgs),
    /// Times a kernel or a training epoch.
    Bench(BenchArgs),
}

/// `experiments run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The run (see `experiments list`).
    pub run: String,
    /// Where to compute.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    pub device: DeviceChoice,
    /// Seed for `manual_seed` right before the model is built (default 42): any whole number from 0
    /// to 2^64 - 1 (only its low 32 bits matter, as in `torch.manual_seed`).
    #[arg(long, value_parser = limits::seed_u64, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// Number of epochs, 1 to 10000000 (the history of every epoch is kept in memory); default: the
    /// tutorial's. Training runs only.
    #[arg(long, value_parser = limits::epochs(), allow_hyphen_values = true)]
    pub epochs: Option<usize>,
    /// Learning rate: a finite number > 0; default: the tutorial's. Training runs only.
    #[arg(long, value_parser = limits::lr(), allow_hyphen_values = true)]
    pub lr: Option<f64>,
    /// Directory for the pictures (PNG and SVG); created if missing.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Writes the run's history as JSON here (atomically; checked before the run starts); `-` writes
    /// it to stdout, and the log goes to stderr.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Prints nothing but errors.
    #[arg(long)]
    pub quiet: bool,
    /// Samples generated, 2 to 1000000 (the dataset is built in memory; 2 leaves one train and one
    /// test row); default: the run's. Mini-batch runs only (blobs-large).
    #[arg(long, value_parser = limits::run_samples(), allow_hyphen_values = true)]
    pub samples: Option<usize>,
    /// Rows per mini-batch, 1 to 1000000 (a batch larger than the train set is the whole set);
    /// default: the run's. Mini-batch runs only (blobs-large).
    #[arg(long, value_parser = limits::batch_size(), allow_hyphen_values = true)]
    pub batch_size: Option<usize>,
}

/// `experiments all`.
#[derive(Debug, Args)]
pub struct AllArgs {
    /// Where to compute.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    pub device: DeviceChoice,
    /// Directory for the pictures, the per-run JSON and `report.md`.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Prints nothing but errors and the report's path.
    #[arg(long)]
    pub quiet: bool,
    /// Runs blobs-large too (100,000 samples: seconds on the CPU, where the tutorial's runs take
    /// milliseconds), with its report entry.
    #[arg(long)]
    pub blobs_large: bool,
}

/// The datasets of `experiments dataset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatasetName {
    /// `sklearn.datasets.make_circles`.
    Circles,
    /// `sklearn.datasets.make_moons`.
    Moons,
    /// `sklearn.datasets.make_blobs`.
    Blobs,
    /// The CS231n spirals.
    Spirals,
    /// The straight line `y = 0.7 x + 0.3`.
    Line,
}

/// `experiments dataset`. Defaults are scikit-learn's, except where the tutorial passes a value
/// (`random_state=42`, `test_size=0.2`).
#[derive(Debug, Args)]
pub struct DatasetArgs {
    /// Which generator.
    #[arg(value_enum)]
    pub name: DatasetName,
    /// `n_samples` (circles, moons, blobs; default 100): 1 to 1000000 (the dataset and its JSON are
    /// built in memory).
    #[arg(long, value_parser = limits::count(1, limits::MAX_SAMPLES, "samples", "the dataset and its JSON are built in memory"), allow_hyphen_values = true)]
    pub samples: Option<usize>,
    /// `noise` (circles, moons; default none): a standard deviation from 0 to 1e300 (beyond, values
    /// overflow to infinity, which JSON cannot hold).
    #[arg(long, value_parser = limits::real(|v| (0.0..=limits::MAX_SPREAD).contains(&v), "a standard deviation from 0 to 1e300", "beyond it values overflow to infinity, which JSON cannot hold"), allow_hyphen_values = true)]
    pub noise: Option<f64>,
    /// `factor` of `make_circles` (default 0.8): from 0 to less than 1 (inner radius / outer radius).
    #[arg(long, value_parser = limits::real(|v| (0.0..1.0).contains(&v), "a number from 0 to less than 1", "the inner circle's radius over the outer one's"), allow_hyphen_values = true)]
    pub factor: Option<f64>,
    /// `n_features` of `make_blobs` (default 2): 1 to 1000, and samples × features at most 2000000
    /// (the dataset and its JSON are built in memory).
    #[arg(long, value_parser = limits::count(1, limits::MAX_FEATURES, "features", "the dataset and its JSON are built in memory"), allow_hyphen_values = true)]
    pub features: Option<usize>,
    /// `centers` of `make_blobs` (default 3): 1 to 1000 (each a random point of `--features`
    /// coordinates).
    #[arg(long, value_parser = limits::count(1, limits::MAX_CENTERS, "centers", "each is a random point of --features coordinates"), allow_hyphen_values = true)]
    pub centers: Option<usize>,
    /// `cluster_std` of `make_blobs` (default 1.0): from 0 to 1e300 (beyond, values overflow to
    /// infinity, which JSON cannot hold).
    #[arg(long, value_parser = limits::real(|v| (0.0..=limits::MAX_SPREAD).contains(&v), "a standard deviation from 0 to 1e300", "beyond it values overflow to infinity, which JSON cannot hold"), allow_hyphen_values = true)]
    pub std: Option<f64>,
    /// `N` of the spirals (default 100): 1 to 1000000, and N × K at most 1000000.
    #[arg(long, value_parser = limits::count(1, limits::MAX_SAMPLES, "points per class", "the dataset and its JSON are built in memory"), allow_hyphen_values = true)]
    pub points_per_class: Option<usize>,
    /// `K` of the spirals (default 3): 1 to 256 (the snippet's labels are uint8).
    #[arg(long, value_parser = limits::count(1, limits::MAX_CLASSES, "classes", "the snippet's labels are uint8"), allow_hyphen_values = true)]
    pub classes: Option<usize>,
    /// `random_state` of the generator / `np.random.seed` of the spirals (default 42): 0 to
    /// 4294967295. Not for the line, which has no randomness.
    #[arg(long, value_parser = limits::seed_u32, allow_hyphen_values = true)]
    pub seed: Option<u32>,
    /// `random_state` of `train_test_split` (default 42): 0 to 4294967295. Not for the line, which
    /// is split by position.
    #[arg(long, value_parser = limits::seed_u32, allow_hyphen_values = true)]
    pub split_seed: Option<u32>,
    /// `test_size` of `train_test_split` (the line: `1 - train fraction`): a fraction strictly
    /// between 0 and 1 that leaves both sets non-empty.
    #[arg(long, default_value_t = 0.2, value_parser = limits::real(|v| v > 0.0 && v < 1.0, "a fraction strictly between 0 and 1, such as 0.2", "the share of the samples in the test set"), allow_hyphen_values = true)]
    pub test_size: f64,
    /// Where to write `{"X", "y", "X_train", "X_test", "y_train", "y_test"}` (atomically; checked
    /// before the data are generated); `-` writes it to stdout.
    #[arg(long)]
    pub json: PathBuf,
}

/// `experiments bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to time.
    #[command(subcommand)]
    pub what: BenchWhat,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchWhat {
    /// `size x size` f32 matrix product: GFLOP/s, best of `--reps` (or, with `--explain`, the CPU path of a
    /// product and why).
    Matmul(MatmulBench),
    /// Row softmax of a `size x size` f32 matrix: GB/s, best of `--reps`.
    Softmax(KernelBench),
    /// Sum of all elements of a `size x size` f32 matrix: GB/s, best of `--reps`.
    Reduce(KernelBench),
    /// Microseconds per training epoch of a run.
    Epoch(EpochBench),
}

/// Flags of the kernel benchmarks.
#[derive(Debug, Args)]
pub struct KernelBench {
    /// Matrix side: 1 to 16384 (three size² float32 matrices: 3 GiB at the bound); a size the device
    /// cannot hold is an error.
    #[arg(long, default_value_t = 512, value_parser = limits::count(1, limits::MAX_SIZE, "rows", "three size² float32 matrices: 3 GiB at the bound"), allow_hyphen_values = true)]
    pub size: usize,
    /// Where to compute.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    pub device: DeviceChoice,
    /// Repetitions, 1 to 1000 (the best is reported).
    #[arg(long, default_value_t = 10, value_parser = limits::reps(), allow_hyphen_values = true)]
    pub reps: usize,
    /// Writes the result as JSON here (atomically; checked before timing); `-` writes it to stdout,
    /// and the figures' line goes to stderr.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Flags of `bench matmul`.
#[derive(Debug, Args)]
pub struct MatmulBench {
    #[command(flatten)]
    pub kernel: KernelBench,
    /// Times nothing: prints the path the CPU matmul takes for an `M x K · K x N` float32 product with
    /// row-major operands (which kernel, why, how many threads). Three whole numbers, each 0 to 16777216
    /// (only described, never allocated).
    #[arg(long, num_args = 3, value_names = ["M", "K", "N"], value_parser = limits::count(0, limits::MAX_EXPLAIN_DIM, "rows or columns", "a shape only described, never allocated"), allow_hyphen_values = true)]
    pub explain: Option<Vec<usize>>,
}

/// Flags of `bench epoch`.
#[derive(Debug, Args)]
pub struct EpochBench {
    /// The run.
    pub run: String,
    /// Where to compute.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    pub device: DeviceChoice,
    /// Learning rate: a finite number > 0; default: the run's.
    #[arg(long, value_parser = limits::lr(), allow_hyphen_values = true)]
    pub lr: Option<f64>,
    /// Epochs of each timed run, 1 to 10000000; default: the run's.
    #[arg(long, value_parser = limits::epochs(), allow_hyphen_values = true)]
    pub epochs: Option<usize>,
    /// Whole training runs to time, 1 to 1000 (the best is reported).
    #[arg(long, default_value_t = 5, value_parser = limits::reps(), allow_hyphen_values = true)]
    pub reps: usize,
    /// Writes the result as JSON here (atomically; checked before timing); `-` writes it to stdout,
    /// and the figures' line goes to stderr.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Samples generated, 2 to 1000000 (the dataset is built in memory; 2 leaves one train and one
    /// test row); default: the run's. Mini-batch runs only (blobs-large).
    #[arg(long, value_parser = limits::run_samples(), allow_hyphen_values = true)]
    pub samples: Option<usize>,
    /// Rows per mini-batch, 1 to 1000000 (a batch larger than the train set is the whole set);
    /// default: the run's. Mini-batch runs only (blobs-large).
    #[arg(long, value_parser = limits::batch_size(), allow_hyphen_values = true)]
    pub batch_size: Option<usize>,
}
