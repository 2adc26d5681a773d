//! The experiments library: the PyTorch classification tutorial replayed on tapegrad.
//!
//! Every training run of the tutorial (and of its exercise notebooks) is a [`runs::RunSpec`]: the
//! dataset, the model, the loss, the optimizer, the hyper-parameters, the log format and the figure
//! the run must reach. The `experiments` binary (`src/main.rs`, arguments in [`cli`]) runs them,
//! prints their logs in the tutorial's formats, draws their pictures and writes the report.
//!
//! Reading order:
//! 1. [`datasets`] — the tutorial's data, bit for bit from numpy / scikit-learn / torch.
//! 2. [`runs`] — one file per tutorial run (header: what it reproduces, hyper-parameters, target),
//!    the shared training loop ([`runs::train`]) and the log lines ([`runs::log`]).
//! 3. [`record`] — the per-epoch history and its JSON form.
//! 4. [`plot`] — decision boundaries, curves, the straight-line predictions, the activations.
//! 5. [`report`] — `out/report.md` and the peak RSS.
//! 6. [`bench`](mod@bench) — `experiments bench`: matmul GFLOP/s, softmax, reduce, µs per epoch.
//! 7. `cli` and `commands` (feature `cli`, on by default) — the command line and what each subcommand does;
//!    [`limits`] — the bound of every numeric flag and why; [`output`] — printing that never panics.
//! 8. [`tutorial`] — the tutorial's helpers as a library over tensors: `make_circles`, `make_moons`,
//!    `make_blobs`, `make_spirals`, `train_test_split`, `plot_decision_boundary` (no CLI needed; the root
//!    `tapegrad` crate re-exports them).

pub mod bench;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod commands;
pub mod datasets;
pub mod device;
pub mod error;
pub mod limits;
pub mod output;
pub mod plot;
pub mod record;
pub mod report;
pub mod runs;
pub mod tutorial;

pub use error::CliError;
pub use tutorial::{
    make_blobs, make_circles, make_moons, make_spirals, plot_decision_boundaries, plot_decision_boundary,
    train_test_split,
};
