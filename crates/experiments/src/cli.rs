//! The command line of the `experiments` binary (clap derive). Names and flags:
//!
//! ```text
//! experiments list
//! experiments run <RUN> [--device cpu|gpu|auto] [--seed N] [--epochs N] [--lr F] [--out DIR] [--json PATH] [--quiet]
//! experiments all [--device ...] [--out DIR] [--json-dir DIR]
//! experiments dataset <circles|moons|blobs|spirals|line> [generator flags] --json PATH
//! experiments bench matmul|softmax|reduce --size N [--device ...] [--reps N] [--json PATH]
//! experiments bench epoch <RUN> [--device ...] [--reps N] [--json PATH]
//! ```

use crate::device::DeviceChoice;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Replays the PyTorch neural-network classification tutorial on tapegrad.
#[derive(Debug, Parser)]
#[command(name = "experiments", version, about)]
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
    /// Runs one of the tutorial's runs and prints its log.
    Run(RunArgs),
    /// Runs every run, then writes the pictures and `report.md` into `--out`.
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
    /// Seed for `manual_seed` right before the model is built.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Number of epochs (default: the tutorial's).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Learning rate (default: the tutorial's).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Directory for the pictures (PNG and SVG).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Writes the run's history as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Prints nothing but errors.
    #[arg(long)]
    pub quiet: bool,
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
    /// `n_samples` (circles, moons: 100; blobs: 100).
    #[arg(long)]
    pub samples: Option<usize>,
    /// `noise` (circles, moons; default none).
    #[arg(long)]
    pub noise: Option<f64>,
    /// `factor` of `make_circles` (default 0.8).
    #[arg(long)]
    pub factor: Option<f64>,
    /// `n_features` of `make_blobs` (default 2).
    #[arg(long)]
    pub features: Option<usize>,
    /// `centers` of `make_blobs` (default 3).
    #[arg(long)]
    pub centers: Option<usize>,
    /// `cluster_std` of `make_blobs` (default 1.0).
    #[arg(long)]
    pub std: Option<f64>,
    /// `N` of the spirals (default 100).
    #[arg(long)]
    pub points_per_class: Option<usize>,
    /// `K` of the spirals (default 3).
    #[arg(long)]
    pub classes: Option<usize>,
    /// `random_state` of the generator / `np.random.seed` of the spirals.
    #[arg(long, default_value_t = 42)]
    pub seed: u32,
    /// `random_state` of `train_test_split`.
    #[arg(long, default_value_t = 42)]
    pub split_seed: u32,
    /// `test_size` of `train_test_split` (the line: `1 - train fraction`).
    #[arg(long, default_value_t = 0.2)]
    pub test_size: f64,
    /// Where to write `{"X", "y", "X_train", "X_test", "y_train", "y_test"}`.
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
    /// `size x size` f32 matrix product: GFLOP/s, best of `--reps`.
    Matmul(KernelBench),
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
    /// Matrix side.
    #[arg(long, default_value_t = 512)]
    pub size: usize,
    /// Where to compute.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    pub device: DeviceChoice,
    /// Repetitions (the best is reported).
    #[arg(long, default_value_t = 10)]
    pub reps: usize,
    /// Writes the result as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Flags of `bench epoch`.
#[derive(Debug, Args)]
pub struct EpochBench {
    /// The run.
    pub run: String,
    /// Where to compute.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Cpu)]
    pub device: DeviceChoice,
    /// Learning rate (default: the run's).
    #[arg(long)]
    pub lr: Option<f64>,
    /// Whole training runs to time (the best is reported).
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Writes the result as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}
