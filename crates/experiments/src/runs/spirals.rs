//! `spirals` — seed 000, exercise 7: `SpiralModel` (`Linear(2, 10) -> ReLU -> Linear(10, 10) ->
//! ReLU -> Linear(10, 3)`) on the CS231n spirals (`N=100, K=3`, `np.random.seed(42)`),
//! `CrossEntropyLoss`, `Adam(lr=0.02)`, 1000 epochs, a line every 100 epochs.
//!
//! Target: "reach over 95% testing accuracy": final test accuracy > 95% (seed 000: 1.00).
//!
//! The printed lines follow seed 000's format but do not all match its numbers: the seed's
//! epoch-0 loss is 1.11 while PyTorch on the CPU, with the very initial weights the seed shows
//! (its printed first logits `[-0.2160, -0.0600, 0.2256]` are reproduced exactly), gives 1.1175 →
//! 1.12, and the later lines drift accordingly (e.g. epoch 200: 0.12/0.96 vs the seed's
//! 0.11/0.97). The seed's run was not on the CPU (CUDA), and its training cell evidently ran in a
//! different state than its printed cells; the replay fixtures (real PyTorch, CPU) are matched.

use super::{Cmp, DataKind, LogFormat, LossKind, Metric, OptimizerKind, RunKind, RunSpec, Target, TrainSpec};

/// The run.
pub const SPEC: RunSpec = RunSpec {
    name: "spirals",
    summary: "2→10→10→3 with ReLU on three spirals (CrossEntropy, Adam 0.02, 1000 epochs): > 95% test",
    kind: RunKind::Train(TrainSpec {
        data: DataKind::Spirals,
        widths: &[2, 10, 10, 3],
        relu: true,
        loss: LossKind::CrossEntropy,
        optimizer: OptimizerKind::Adam,
        lr: 0.02,
        epochs: 1000,
        log_every: 100,
        log: LogFormat::Spirals,
        targets: &[Target {
            metric: Metric::TestAcc,
            cmp: Cmp::Above,
            value: 95.0,
            source: "seed 000 exercise 7: over 95% testing accuracy",
        }],
    }),
};
