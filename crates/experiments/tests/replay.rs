//! Replay tests: every training run against real PyTorch (CPU), epoch by epoch, and the seed-42
//! printed lines against the lines printed in the seed notebooks.
//!
//! The fixtures in `fixtures/replay/` are written by `scripts/make_replay_fixtures.py`: the same
//! data, `torch.manual_seed(seed)` then the same model, the same loop, for seeds 42 and 7, every
//! epoch's train/test loss and accuracy rounded to 9 significant digits.
//!
//! Tolerances, and why:
//! - The first 100 epochs: losses within 1e-5 relative (+1e-7 absolute). Both sides compute in
//!   float32 from bit-identical data and initial weights; what differs is only the order of the
//!   float32 sums inside matmul, the mean reductions and softmax (a few ulps, ~1e-7 relative per
//!   op), and SGD amplifies such noise slowly on these smooth losses. Accuracies may differ by at
//!   most one sample (a point whose logit sits within rounding noise of the boundary).
//! - After epoch 100: 1e-3 relative on losses, two samples on accuracies. Over 1000 epochs the
//!   per-step noise compounds (ReLU kinks switch, sigmoid saturates) but stays far below anything
//!   visible at the printed precision. `spirals` (Adam) gets its own late tolerance, see
//!   [`ADAM_LATE`].
//! - `line` at lr 0.1 is chaotic: L1's gradient is a sign, every step overshoots by ~lr, and a
//!   one-ulp difference eventually flips a sign (measured: epochs 324-348), after which the two
//!   trajectories are different bounded orbits. We compare the first 200 epochs tightly (20 at
//!   lr 0.01), then only the range: the mean train loss of the last 200 epochs within a factor 2
//!   of PyTorch's and below 0.1.

use experiments::commands;
use experiments::record::RunRecord;
use experiments::runs::train::{train, TrainOptions};
use experiments::runs::{self, RunKind};
use serde::Deserialize;
use tensor::Device;

#[derive(Deserialize)]
struct Fixture {
    run: String,
    seed: u64,
    lr: f64,
    epochs: usize,
    train_loss: Vec<f64>,
    train_acc: Vec<Option<f64>>,
    test_loss: Vec<f64>,
    test_acc: Vec<Option<f64>>,
    /// blobs-large only: `--samples`, `--batch-size` and the train rows.
    #[serde(default)]
    samples: Option<usize>,
    #[serde(default)]
    batch_size: Option<usize>,
    #[serde(default)]
    n_train: Option<usize>,
}

fn fixture(file: &str) -> Fixture {
    let path = format!("{}/tests/fixtures/replay/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn run(name: &str, seed: u64, lr: Option<f64>) -> RunRecord {
    let spec = runs::find(name).unwrap();
    let RunKind::Train(ts) = spec.kind else { panic!("{name} is not a training run") };
    train(name, &ts, TrainOptions { seed, lr, ..TrainOptions::default() }, &Device::Cpu, &mut |_| {}).unwrap().record
}

fn close(ours: f64, theirs: f64, rel: f64, abs: f64) -> bool {
    (ours - theirs).abs() <= rel * theirs.abs() + abs
}

/// Tolerance of one phase: relative and absolute on losses, samples on accuracies.
#[derive(Clone, Copy)]
struct Tol {
    rel: f64,
    abs: f64,
    samples: f64,
}

/// First epochs: float32 rounding noise only. The absolute 1e-6 covers small losses computed from
/// O(1) quantities (the line's test loss is a mean of |pred - y| with pred ≈ y ≈ 1: its rounding
/// noise is ~1e-7 absolute however small the loss). The fixtures' 9 significant digits add 1e-6
/// to the accuracy comparisons.
const TIGHT: Tol = Tol { rel: 1e-5, abs: 1e-6, samples: 1.0 };
/// Later epochs of the smooth SGD runs.
const LOOSE: Tol = Tol { rel: 1e-3, abs: 1e-7, samples: 2.0 };
/// Later epochs of spirals: Adam divides each step by the root of its second moment, so once the
/// loss is ~1e-3 the ulp-level differences become relative step differences; measured: up to
/// 2.5% on the train loss and 2.5e-4 absolute on a test loss of 1e-3, accuracies within one sample.
const ADAM_LATE: Tol = Tol { rel: 5e-2, abs: 1e-3, samples: 1.0 };

/// Compares `rec` with the fixture epoch by epoch: the first `tight` epochs at [`TIGHT`], the rest
/// at `loose` (`None`: not compared).
fn compare(rec: &RunRecord, fx: &Fixture, tight: usize, loose: Option<Tol>, n_train: f64, n_test: f64) {
    assert_eq!(rec.history.len(), fx.epochs, "{}: epochs", fx.run);
    for (e, h) in rec.history.iter().enumerate() {
        let Tol { rel, abs, samples } = if e < tight {
            TIGHT
        } else if let Some(l) = loose {
            l
        } else {
            break;
        };
        let ctx = format!("{} seed {} lr {} epoch {e}", fx.run, fx.seed, fx.lr);
        assert!(
            close(h.train_loss, fx.train_loss[e], rel, abs),
            "{ctx}: train loss {} vs torch {}",
            h.train_loss,
            fx.train_loss[e]
        );
        assert!(
            close(h.test_loss, fx.test_loss[e], rel, abs),
            "{ctx}: test loss {} vs torch {}",
            h.test_loss,
            fx.test_loss[e]
        );
        if let (Some(a), Some(b)) = (h.train_acc, fx.train_acc[e]) {
            assert!((a - b).abs() <= samples * 100.0 / n_train + 1e-6, "{ctx}: train acc {a} vs torch {b}");
        }
        if let (Some(a), Some(b)) = (h.test_acc, fx.test_acc[e]) {
            assert!((a - b).abs() <= samples * 100.0 / n_test + 1e-6, "{ctx}: test acc {a} vs torch {b}");
        }
        assert_eq!(h.train_acc.is_some(), fx.train_acc[e].is_some(), "{ctx}: accuracy presence");
    }
}

fn replay_smooth(name: &str, n_train: f64, n_test: f64, late: Tol) {
    for seed in [42, 7] {
        let fx = fixture(&format!("{name}_seed{seed}.json"));
        assert_eq!((fx.run.as_str(), fx.seed), (name, seed));
        let rec = run(name, seed, None);
        assert_eq!(rec.lr, fx.lr);
        compare(&rec, &fx, 100, Some(late), n_train, n_test);
    }
}

#[test]
fn circles_v0_replays_pytorch() {
    replay_smooth("circles-v0", 800.0, 200.0, LOOSE);
}

#[test]
fn circles_v1_replays_pytorch() {
    replay_smooth("circles-v1", 800.0, 200.0, LOOSE);
}

#[test]
fn circles_v2_replays_pytorch() {
    replay_smooth("circles-v2", 800.0, 200.0, LOOSE);
}

#[test]
fn blobs_replays_pytorch() {
    replay_smooth("blobs", 800.0, 200.0, LOOSE);
}

#[test]
fn moons_replays_pytorch() {
    replay_smooth("moons", 800.0, 200.0, LOOSE);
}

#[test]
fn spirals_replays_pytorch() {
    replay_smooth("spirals", 240.0, 60.0, ADAM_LATE);
}

fn mean_tail(v: impl Iterator<Item = f64>, n: usize) -> f64 {
    let v: Vec<f64> = v.collect();
    v[v.len() - n..].iter().sum::<f64>() / n as f64
}

#[test]
fn line_replays_pytorch_then_stays_in_range() {
    // Tight until epoch 200 at lr 0.1 (measured divergence starts at epochs 324-348), 20 at lr 0.01.
    for (lr, tag, tight) in [(None, "", 200), (Some(0.01), "_lr0.01", 20)] {
        for seed in [42, 7] {
            let fx = fixture(&format!("line{tag}_seed{seed}.json"));
            let rec = run("line", seed, lr);
            compare(&rec, &fx, tight, None, 80.0, 20.0);
            let ours = mean_tail(rec.history.iter().map(|h| h.train_loss), 200);
            let theirs = mean_tail(fx.train_loss.iter().copied(), 200);
            assert!(
                ours < 2.0 * theirs && ours > 0.5 * theirs,
                "line{tag} seed {seed}: tail mean {ours} vs torch {theirs}"
            );
            assert!(ours < 0.1, "line{tag} seed {seed}: the model does not fit the line ({ours})");
        }
    }
}

/// blobs-large at a small size (mini-batches, Adam) on `device`.
fn run_blobs_large(seed: u64, samples: usize, batch_size: usize, epochs: usize, device: &Device) -> RunRecord {
    let spec = runs::find("blobs-large").unwrap();
    let opts = TrainOptions {
        seed,
        epochs: Some(epochs),
        samples: Some(samples),
        batch_size: Some(batch_size),
        ..TrainOptions::default()
    };
    runs::train_run(spec, opts, device, &mut |_| {}).expect("a training run").unwrap().record
}

/// blobs-large's tolerance: bit-identical data and initial weights, float32 sums over 512-wide
/// layers in another order (a few ulps per op), compounded over a handful of Adam steps while the
/// losses fall by three decades — so relative, not absolute, and looser than [`TIGHT`] because
/// Adam's early steps are about `lr · sign(gradient)`, which turns rounding noise in a small
/// gradient into a full step. Accuracies within one sample.
const MINIBATCH: Tol = Tol { rel: 5e-4, abs: 1e-8, samples: 1.0 };

#[test]
fn blobs_large_replays_pytorch() {
    for file in ["blobs-large_n2000_b1024_e3_seed42.json", "blobs-large_n2000_b300_e2_seed7.json"] {
        let fx = fixture(file);
        let (samples, batch) = (fx.samples.unwrap(), fx.batch_size.unwrap());
        let rec = run_blobs_large(fx.seed, samples, batch, fx.epochs, &Device::Cpu);
        assert_eq!(rec.lr, fx.lr);
        let n_train = fx.n_train.unwrap();
        compare(&rec, &fx, 0, Some(MINIBATCH), n_train as f64, (samples - n_train) as f64);
    }
}

/// The same run on the GPU (lavapipe in CI) and on the CPU: the mini-batch loop, slices of
/// device tensors, the on-device sums of the batch losses and hits.
#[test]
fn blobs_large_cpu_and_gpu_agree() {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    // 300 samples: 240 train rows in batches of 96 (the last one 48), 60 test rows, two epochs.
    let cpu = run_blobs_large(42, 300, 96, 2, &Device::Cpu);
    let on_gpu = run_blobs_large(42, 300, 96, 2, &gpu);
    assert_eq!(on_gpu.history.len(), 2);
    for (c, g) in cpu.history.iter().zip(&on_gpu.history) {
        let ctx = format!("epoch {}", c.epoch);
        // Both sides in float32; only the order of the sums inside the kernels differs.
        assert!(
            close(g.train_loss, c.train_loss, 1e-4, 1e-8),
            "{ctx}: train loss gpu {} cpu {}",
            g.train_loss,
            c.train_loss
        );
        assert!(
            close(g.test_loss, c.test_loss, 1e-4, 1e-8),
            "{ctx}: test loss gpu {} cpu {}",
            g.test_loss,
            c.test_loss
        );
        assert!((g.train_acc.unwrap() - c.train_acc.unwrap()).abs() <= 100.0 / 240.0 + 1e-9, "{ctx}: train acc");
        assert!((g.test_acc.unwrap() - c.test_acc.unwrap()).abs() <= 100.0 / 60.0 + 1e-9, "{ctx}: test acc");
    }
}

/// Collapses runs of spaces (seed 002 pads the epoch, 000/004 do not).
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn printed(name: &str, lr: Option<f64>) -> Vec<String> {
    let spec = runs::find(name).unwrap();
    let mut lines = Vec::new();
    commands::execute(
        spec,
        name,
        TrainOptions { lr, ..TrainOptions::default() },
        &Device::Cpu,
        None,
        false,
        &mut |l| lines.push(l.to_string()),
    )
    .unwrap();
    lines
}

/// The numbers of a log line, as printed.
fn numbers(s: &str) -> Vec<f64> {
    s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| !t.is_empty() && t.chars().any(|c| c.is_ascii_digit()))
        .filter_map(|t| t.parse().ok())
        .collect()
}

/// Lines before `approx_from` must be identical (up to padding); later ones must have the same
/// text with every printed number within `tol` (for the chaotic L1 run, see `seed_002_line_lines`).
fn assert_lines(name: &str, ours: &[String], seed: &[&str], approx_from: usize, tol: f64) {
    assert_eq!(ours.len(), seed.len(), "{name}: number of printed lines");
    for (i, (o, s)) in ours.iter().zip(seed).enumerate() {
        if i < approx_from {
            assert_eq!(norm(o), norm(s), "{name}: line {i}");
            continue;
        }
        let (a, b) = (numbers(o), numbers(s));
        assert_eq!(a.len(), b.len(), "{name}: line {i}: {o} vs {s}");
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() <= tol, "{name}: line {i}: {o} vs {s}");
        }
    }
}

#[test]
fn seed_002_circles_v1_lines() {
    let seed = [
        "Epoch: 0   | Loss: 0.69396, Accuracy: 50.88% | Test loss: 0.69261, Test acc: 51.00%",
        "Epoch: 100 | Loss: 0.69305, Accuracy: 50.38% | Test loss: 0.69379, Test acc: 48.00%",
        "Epoch: 200 | Loss: 0.69299, Accuracy: 51.12% | Test loss: 0.69437, Test acc: 46.00%",
        "Epoch: 300 | Loss: 0.69298, Accuracy: 51.62% | Test loss: 0.69458, Test acc: 45.00%",
        "Epoch: 400 | Loss: 0.69298, Accuracy: 51.12% | Test loss: 0.69465, Test acc: 46.00%",
        "Epoch: 500 | Loss: 0.69298, Accuracy: 51.00% | Test loss: 0.69467, Test acc: 46.00%",
        "Epoch: 600 | Loss: 0.69298, Accuracy: 51.00% | Test loss: 0.69468, Test acc: 46.00%",
        "Epoch: 700 | Loss: 0.69298, Accuracy: 51.00% | Test loss: 0.69468, Test acc: 46.00%",
        "Epoch: 800 | Loss: 0.69298, Accuracy: 51.00% | Test loss: 0.69468, Test acc: 46.00%",
        "Epoch: 900 | Loss: 0.69298, Accuracy: 51.00% | Test loss: 0.69468, Test acc: 46.00%",
    ];
    assert_lines("circles-v1", &printed("circles-v1", None), &seed, 10, 0.0);
}

#[test]
fn seed_002_line_lines() {
    let seed = [
        "Epoch: 0   | Train loss: 0.75986, Test loss: 0.54143",
        "Epoch: 100 | Train loss: 0.09309, Test loss: 0.02901",
        "Epoch: 200 | Train loss: 0.07376, Test loss: 0.02850",
        "Epoch: 300 | Train loss: 0.06745, Test loss: 0.00615",
        "Epoch: 400 | Train loss: 0.06107, Test loss: 0.02004",
        "Epoch: 500 | Train loss: 0.05698, Test loss: 0.01061",
        "Epoch: 600 | Train loss: 0.04857, Test loss: 0.01326",
        "Epoch: 700 | Train loss: 0.06109, Test loss: 0.02127",
        "Epoch: 800 | Train loss: 0.05599, Test loss: 0.01426",
        "Epoch: 900 | Train loss: 0.05571, Test loss: 0.00603",
    ];
    // The L1 run at lr 0.1 is chaotic (see the module doc): from epoch ~320 on, a few ulps of
    // summation-order difference have grown into the fifth decimal. The seed itself shows it: its
    // epoch-800 line came from CUDA (0.05599, 0.01426) where PyTorch on the CPU prints 0.05600,
    // 0.01425. Epochs 0-300 must match exactly; later lines within 3 units of the last digit.
    assert_lines("line", &printed("line", None), &seed, 4, 3e-5);
}

/// Seed 004 prints `Epoch: 0 | Loss: 0.75986 | Test loss: 0.91103`: compare the numbers.
#[test]
fn seed_004_line_lr_0_01_numbers() {
    let seed = [
        (0.75986, 0.91103),
        (0.02858, 0.00081),
        (0.02533, 0.00209),
        (0.02137, 0.00305),
        (0.01964, 0.00341),
        (0.01940, 0.00387),
        (0.01903, 0.00379),
        (0.01878, 0.00381),
        (0.01840, 0.00329),
        (0.01798, 0.00360),
    ];
    let ours = printed("line", Some(0.01));
    assert_eq!(ours.len(), seed.len());
    for (o, (l, t)) in ours.iter().zip(seed) {
        assert!(o.ends_with(&format!("Train loss: {l:.5}, Test loss: {t:.5}")), "{o} vs ({l:.5}, {t:.5})");
    }
}

#[test]
fn seed_002_circles_v2_lines() {
    let seed = [
        "Epoch: 0   | Loss: 0.69295, Accuracy: 50.00% | Test Loss: 0.69319, Test Accuracy: 50.00%",
        "Epoch: 100 | Loss: 0.69115, Accuracy: 52.88% | Test Loss: 0.69102, Test Accuracy: 52.50%",
        "Epoch: 200 | Loss: 0.68977, Accuracy: 53.37% | Test Loss: 0.68940, Test Accuracy: 55.00%",
        "Epoch: 300 | Loss: 0.68795, Accuracy: 53.00% | Test Loss: 0.68723, Test Accuracy: 56.00%",
        "Epoch: 400 | Loss: 0.68517, Accuracy: 52.75% | Test Loss: 0.68411, Test Accuracy: 56.50%",
        "Epoch: 500 | Loss: 0.68102, Accuracy: 52.75% | Test Loss: 0.67941, Test Accuracy: 56.50%",
        "Epoch: 600 | Loss: 0.67515, Accuracy: 54.50% | Test Loss: 0.67285, Test Accuracy: 56.00%",
        "Epoch: 700 | Loss: 0.66659, Accuracy: 58.38% | Test Loss: 0.66322, Test Accuracy: 59.00%",
        "Epoch: 800 | Loss: 0.65160, Accuracy: 64.00% | Test Loss: 0.64757, Test Accuracy: 67.50%",
        "Epoch: 900 | Loss: 0.62362, Accuracy: 74.00% | Test Loss: 0.62145, Test Accuracy: 79.00%",
    ];
    assert_lines("circles-v2", &printed("circles-v2", None), &seed, 10, 0.0);
}

#[test]
fn seed_002_blobs_lines() {
    let seed = [
        "Epoch: 0  | Loss: 1.04324, Acc: 65.50% | Test Loss: 0.57861, Test Acc: 95.50%",
        "Epoch: 10 | Loss: 0.14398, Acc: 99.12% | Test Loss: 0.13037, Test Acc: 99.00%",
        "Epoch: 20 | Loss: 0.08062, Acc: 99.12% | Test Loss: 0.07216, Test Acc: 99.50%",
        "Epoch: 30 | Loss: 0.05924, Acc: 99.12% | Test Loss: 0.05133, Test Acc: 99.50%",
        "Epoch: 40 | Loss: 0.04892, Acc: 99.00% | Test Loss: 0.04098, Test Acc: 99.50%",
        "Epoch: 50 | Loss: 0.04295, Acc: 99.00% | Test Loss: 0.03486, Test Acc: 99.50%",
        "Epoch: 60 | Loss: 0.03910, Acc: 99.00% | Test Loss: 0.03083, Test Acc: 99.50%",
        "Epoch: 70 | Loss: 0.03643, Acc: 99.00% | Test Loss: 0.02799, Test Acc: 99.50%",
        "Epoch: 80 | Loss: 0.03448, Acc: 99.00% | Test Loss: 0.02587, Test Acc: 99.50%",
        "Epoch: 90 | Loss: 0.03300, Acc: 99.12% | Test Loss: 0.02423, Test Acc: 99.50%",
    ];
    assert_lines("blobs", &printed("blobs", None), &seed, 10, 0.0);
}

#[test]
fn seed_000_moons_lines() {
    let seed = [
        "Epoch: 0 | Loss: 0.69532, Accuracy: 37.38% | Test loss: 0.69446, Test acc: 49.50%",
        "Epoch: 100 | Loss: 0.38865, Accuracy: 81.62% | Test loss: 0.40304, Test acc: 76.00%",
        "Epoch: 200 | Loss: 0.24289, Accuracy: 88.50% | Test loss: 0.24102, Test acc: 89.50%",
        "Epoch: 300 | Loss: 0.20105, Accuracy: 90.88% | Test loss: 0.19153, Test acc: 93.50%",
        "Epoch: 400 | Loss: 0.16584, Accuracy: 92.88% | Test loss: 0.15421, Test acc: 94.00%",
        "Epoch: 500 | Loss: 0.12358, Accuracy: 95.12% | Test loss: 0.11175, Test acc: 96.00%",
        "Epoch: 600 | Loss: 0.08452, Accuracy: 97.88% | Test loss: 0.07401, Test acc: 98.50%",
        "Epoch: 700 | Loss: 0.05662, Accuracy: 99.00% | Test loss: 0.04811, Test acc: 99.50%",
        "Epoch: 800 | Loss: 0.04003, Accuracy: 99.25% | Test loss: 0.03284, Test acc: 99.50%",
        "Epoch: 900 | Loss: 0.02999, Accuracy: 99.75% | Test loss: 0.02394, Test acc: 100.00%",
    ];
    assert_lines("moons", &printed("moons", None), &seed, 10, 0.0);
}

/// Seed 000's spirals log cannot be matched (see the header of `runs/spirals.rs`); its accuracy
/// column format (float32 fractions) and its target are checked instead.
#[test]
fn spirals_prints_seed_000_format_and_reaches_95_percent() {
    let ours = printed("spirals", None);
    assert_eq!(ours.len(), 10);
    // Epoch 0's accuracy: 78/240 = 0.325, which float32 holds as 0.32499998 -> "0.32" as in the seed.
    assert!(ours[0].contains("Acc: 0.32 |"), "{}", ours[0]);
    let rec = run("spirals", 42, None);
    assert!(rec.last().unwrap().test_acc.unwrap() > 95.0);
}
