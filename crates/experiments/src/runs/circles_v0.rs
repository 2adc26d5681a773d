//! `circles-v0` — seed 002, "Building a training and testing loop": `CircleModelV0`
//! (`Linear(2, 5) -> Linear(5, 1)`, no activation) on `make_circles(1000, noise=0.03,
//! random_state=42)`, `BCEWithLogitsLoss`, `SGD(lr=0.1)`, 100 epochs, a line every 10 epochs.
//!
//! Target: the straight-line model cannot separate two circles: the final test accuracy stays at
//! a coin flip, ≤ 55% (the tutorial ends at 46.00%).
//!
//! Not replayed line for line: in the tutorial `model_0` is built long before
//! `torch.manual_seed(42)` (the random state is whatever the earlier cells left), so its logs
//! cannot be reproduced; ours is built right after seeding like every other run here.

use super::{Cmp, DataKind, LogFormat, LossKind, Metric, OptimizerKind, RunKind, RunSpec, Target, TrainSpec};

/// The run.
pub const SPEC: RunSpec = RunSpec {
    name: "circles-v0",
    summary: "2→5→1 linear model on the circles (BCEWithLogits, SGD 0.1, 100 epochs): stays at a coin flip",
    kind: RunKind::Train(TrainSpec {
        data: DataKind::Circles,
        widths: &[2, 5, 1],
        relu: false,
        loss: LossKind::BceWithLogits,
        optimizer: OptimizerKind::Sgd,
        lr: 0.1,
        epochs: 100,
        log_every: 10,
        log: LogFormat::Circles,
        targets: &[Target {
            metric: Metric::TestAcc,
            cmp: Cmp::AtMost,
            value: 55.0,
            source: "seed 002: a linear model stays at a coin flip (46.00% test acc at epoch 90)",
        }],
    }),
};
