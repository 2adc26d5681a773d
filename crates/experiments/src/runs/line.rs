//! `line` — seed 002, "Preparing data to see if our model can model a straight line": `model_2`
//! (`Linear(1, 10) -> Linear(10, 10) -> Linear(10, 1)`) on `y = 0.7 x + 0.3`,
//! `x = arange(0, 1, 0.01)` (first 80 points train, last 20 test), `L1Loss`, `SGD(lr=0.1)`,
//! 1000 epochs, a line every 100 epochs. Seed 004 runs it with `--lr 0.01`.
//!
//! Target: the linear model does fit a line: final train loss < 0.1 (seed 002: 0.05571 at epoch
//! 900; at lr 0.1 the L1 steps overshoot and the loss keeps oscillating, so no tighter bound).
//! With seed 42 the printed lines match seed 002's except epoch 800, which the seed printed from a
//! CUDA run (`0.05599, 0.01426`; PyTorch on the CPU prints `0.05600, 0.01425`: the oscillating
//! L1 run amplifies the GPU's different summation order). With `--lr 0.01` all ten lines match
//! seed 004's numbers.

use super::{Cmp, DataKind, LogFormat, LossKind, Metric, OptimizerKind, RunKind, RunSpec, Target, TrainSpec};

/// The run.
pub const SPEC: RunSpec = RunSpec {
    name: "line",
    summary: "1→10→10→1 on the straight line y = 0.7x + 0.3 (L1, SGD 0.1, 1000 epochs)",
    kind: RunKind::Train(TrainSpec {
        data: DataKind::Line,
        widths: &[1, 10, 10, 1],
        relu: false,
        loss: LossKind::L1,
        optimizer: OptimizerKind::Sgd,
        lr: 0.1,
        epochs: 1000,
        log_every: 100,
        log: LogFormat::Line,
        targets: &[Target {
            metric: Metric::TrainLoss,
            cmp: Cmp::Below,
            value: 0.1,
            source: "seed 002: train loss 0.05571 at epoch 900",
        }],
    }),
};
