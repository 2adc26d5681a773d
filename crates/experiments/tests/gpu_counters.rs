//! The device-resident training step, counted: a GPU epoch of moons and spirals asks the device for at most one
//! submit and, over the run, about one readback per printed log line; and the GPU run agrees with the CPU run.
//!
//! The counters come from the wgpu backend ([`tensor::Device::gpu_stats`]); they count what is encoded, not how
//! long it takes, so they are the same on lavapipe as on a real GPU. The runs are shortened to 101 epochs with
//! the tutorial's cadence of a log line every 100 epochs (lines at epochs 0 and 100), so that readbacks are
//! averaged over a run as in the full one.

use experiments::runs::train::{train, TrainOptions};
use experiments::runs::{self, RunKind, TrainSpec};
use std::sync::Mutex;
use tensor::{Device, GpuStats};

/// The counters are the device's, shared by the threads of this test binary: one run at a time.
static ONE_RUN: Mutex<()> = Mutex::new(());

/// Epochs of the shortened runs: two log lines (epochs 0 and 100) and the last epoch.
const EPOCHS: usize = 101;

fn spec(name: &str) -> TrainSpec {
    match runs::find(name).expect("a tutorial run").kind {
        RunKind::Train(ts) => ts,
        _ => panic!("{name} trains a model"),
    }
}

/// Trains `name` for [`EPOCHS`] epochs on `device`; returns the train losses and the device's counters.
fn counted(name: &str, device: &Device) -> (Vec<f64>, Option<GpuStats>) {
    let ts = spec(name);
    assert_eq!(ts.log_every, 100, "{name}: the shortened run assumes the tutorial's log cadence");
    let opts = TrainOptions { epochs: Some(EPOCHS), ..TrainOptions::default() };
    let _one = ONE_RUN.lock().unwrap_or_else(|e| e.into_inner());
    device.reset_gpu_stats();
    let t = train(name, &ts, opts, device, &mut |_| {}).expect("the run trains");
    let stats = device.gpu_stats();
    (t.record.history.iter().map(|r| r.train_loss).collect(), stats)
}

/// The per-epoch counters of `name` on the GPU against the bounds.
fn check_bounds(name: &str, max_dispatches: f64) {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    let (_, stats) = counted(name, &gpu);
    let s = stats.expect("a GPU has counters");
    let per_epoch = |n: u64| n as f64 / EPOCHS as f64;
    let (dispatches, submits, readbacks) = (per_epoch(s.dispatches), per_epoch(s.submits), per_epoch(s.readbacks));
    eprintln!("{name}: per epoch {dispatches:.2} dispatches, {submits:.3} submits, {readbacks:.3} readbacks ({s:?})");
    assert!(submits <= 1.0, "{name}: {submits} submits per epoch, more than 1");
    assert!(readbacks <= 0.05, "{name}: {readbacks} readbacks per epoch, more than 0.05");
    assert!(dispatches <= max_dispatches, "{name}: {dispatches} dispatches per epoch, more than {max_dispatches}");
    // Bind groups are cached: after the first epochs almost every dispatch reuses one.
    assert!(
        (s.bind_groups as f64) < 0.5 * s.dispatches as f64,
        "{name}: {} bind groups for {} dispatches",
        s.bind_groups,
        s.dispatches
    );
}

// The bounds: 25 (moons) and 35 (spirals) dispatches per epoch.
#[test]
fn moons_epoch_counters() {
    check_bounds("moons", 25.0);
}

#[test]
fn spirals_epoch_counters() {
    check_bounds("spirals", 35.0);
}

/// Trains `name` on the GPU and the CPU; the train losses agree within a relative 1e-4 at every epoch.
fn gpu_agrees_with_cpu(name: &str) {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    let (ours, _) = counted(name, &gpu);
    let (cpu, stats) = counted(name, &Device::cpu());
    assert!(stats.is_none(), "the CPU has no GPU counters");
    assert_eq!(ours.len(), EPOCHS);
    for (e, (g, c)) in ours.iter().zip(&cpu).enumerate() {
        assert!((g - c).abs() <= 1e-4 * c.abs().max(1.0), "{name} epoch {e}: GPU loss {g}, CPU loss {c}");
    }
}

#[test]
fn moons_gpu_agrees_with_cpu() {
    gpu_agrees_with_cpu("moons");
}

#[test]
fn spirals_gpu_agrees_with_cpu() {
    gpu_agrees_with_cpu("spirals");
}

/// blobs-large trains on mini-batches sliced from labels uploaded once: the cross-entropy target check reads their
/// host-known bounds instead of the device, so an epoch reads back once (its log line), however many batches it has.
#[test]
fn blobs_large_reads_back_once_per_epoch_not_per_batch() {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    let spec = runs::find("blobs-large").expect("the blobs-large run");
    // 240 training rows in 5 batches of 48.
    let readbacks = |epochs: usize| {
        let opts =
            TrainOptions { epochs: Some(epochs), samples: Some(300), batch_size: Some(48), ..TrainOptions::default() };
        let _one = ONE_RUN.lock().unwrap_or_else(|e| e.into_inner());
        gpu.reset_gpu_stats();
        runs::train_run(spec, opts, &gpu, &mut |_| {}).expect("a training run").expect("the run trains");
        gpu.gpu_stats().expect("a GPU has counters").readbacks
    };
    let (one, three) = (readbacks(1), readbacks(3));
    assert!(three >= one, "readbacks: {one} for 1 epoch, {three} for 3");
    let per_epoch = (three - one) as f64 / 2.0;
    assert!(per_epoch <= 1.0, "{per_epoch} readbacks per epoch of 5 batches (1 epoch: {one}, 3 epochs: {three})");
}
