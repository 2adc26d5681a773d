//! `experiments bench …`: the kernel and training-loop timings, printed and optionally written as JSON.

use super::*;

/// Prints a bench's figures: on stdout, or on stderr when `--json -` makes the JSON all that stdout carries.
fn say(to_stderr: bool, text: &str) -> Result<(), CliError> {
    if to_stderr {
        output::note(text);
        return Ok(());
    }
    output::line(text)
}

/// A spinner naming the kernel bench that runs (it reports no progress of its own).
fn bench_spinner(op: &str, k: &KernelBench, device: &tensor::Device) -> Progress {
    let what = format!("timing {op} {0}x{0} on {1}, best of {2}", k.size, device.name(), k.reps);
    Progress::spinner(Progress::wanted(false), &what)
}

/// `experiments bench softmax|reduce`: prints GB/s and returns the JSON path and value.
fn memory_bound_bench(
    op: &str,
    label: &str,
    k: KernelBench,
    to_stderr: bool,
) -> Result<(Option<PathBuf>, serde_json::Result<serde_json::Value>), CliError> {
    let device = device_with_note(k.device, false)?;
    let spinner = bench_spinner(label, &k, &device);
    let t = bench::memory_bound(op, k.size, k.reps, &device)?;
    spinner.finish();
    say(
        to_stderr,
        &format!(
            "{label} {0}x{0} on {1}: {2:.2} GB/s ({3:.6} s, best of {4})",
            t.size,
            t.device,
            t.gbps.unwrap_or(0.0),
            t.seconds,
            k.reps
        ),
    )?;
    Ok((k.json, serde_json::to_value(&t)))
}

/// `experiments bench`. With `--json -` the JSON is all that stdout carries: the figures' lines go
/// to stderr.
pub fn bench(args: BenchArgs) -> Result<(), CliError> {
    if let BenchWhat::Matmul(crate::cli::MatmulBench { explain: Some(mkn), kernel: k }) = &args.what {
        if k.json.is_some() {
            return Err(ignored("--json", "--explain", "it prints a plan, not a timing"));
        }
        if k.device != crate::device::DeviceChoice::Cpu {
            return Err(ignored("--device", "--explain", "it describes the CPU matmul"));
        }
        return output::line(&bench::explain_matmul(mkn[0], mkn[1], mkn[2]));
    }
    let json = match &args.what {
        BenchWhat::Matmul(crate::cli::MatmulBench { kernel: k, .. }) | BenchWhat::Softmax(k) | BenchWhat::Reduce(k) => {
            &k.json
        }
        BenchWhat::Epoch(e) => &e.json,
    };
    if let Some(path) = json {
        prepare_json(path)?;
    }
    // With `--json -` the JSON is all stdout carries: the figures' lines go to stderr.
    let to_stderr = json.as_deref().is_some_and(is_stdout);
    let (json_path, value) = match args.what {
        BenchWhat::Matmul(crate::cli::MatmulBench { kernel: k, .. }) => {
            let device = device_with_note(k.device, false)?;
            let spinner = bench_spinner("matmul", &k, &device);
            let t = bench::matmul(k.size, k.reps, &device)?;
            spinner.finish();
            say(
                to_stderr,
                &format!(
                    "matmul {0}x{0} on {1}: {2:.1} GFLOP/s ({3:.6} s, best of {4})",
                    t.size,
                    t.device,
                    t.gflops.unwrap_or(0.0),
                    t.seconds,
                    k.reps
                ),
            )?;
            (k.json, serde_json::to_value(&t))
        }
        BenchWhat::Softmax(k) => memory_bound_bench("softmax", "softmax", k, to_stderr)?,
        BenchWhat::Reduce(k) => memory_bound_bench("reduce", "sum", k, to_stderr)?,
        BenchWhat::Epoch(e) => {
            let spec = find_run(&e.run)?;
            let Some(ts) = spec.kind.train_spec() else {
                return Err(CliError::new(format!("bench epoch: '{}' trains no model; pick a training run", e.run)));
            };
            check_minibatch_flags(
                spec,
                &format!("the run '{}'", spec.name),
                e.samples.is_some(),
                e.batch_size.is_some(),
            )?;
            let device = device_with_note(e.device, false)?;
            let opts = TrainOptions {
                lr: e.lr,
                epochs: e.epochs,
                samples: e.samples,
                batch_size: e.batch_size,
                ..TrainOptions::default()
            };
            let epochs = e.epochs.unwrap_or(ts.epochs);
            let (mut best, mut n_train) = (f64::INFINITY, 0);
            let mut stats = None;
            let reps = e.reps.max(1);
            let what = format!("{} on {}", spec.name, device.name());
            let bar = Progress::bar(Progress::wanted(false), &what, (reps * epochs) as u64, "epochs");
            for rep in 0..reps {
                // The counters of the last repetition (every repetition encodes the same work).
                device.reset_gpu_stats();
                let t = runs::train_run(spec, opts, &device, &mut |rec| bar.set((rep * epochs + rec.epoch + 1) as u64))
                    .unwrap_or_else(|| Err(CliError::new(format!("{}: not a training run", spec.name))))?;
                stats = device.gpu_stats();
                best = best.min(t.record.train_seconds);
                n_train = t.data.n_train();
            }
            let us = best / epochs as f64 * 1e6;
            // Training samples per second: each epoch sees every training row once (its test pass
            // counted in the epoch's time).
            let samples_per_s = (n_train * epochs) as f64 / best;
            bar.finish();
            say(to_stderr, &format!(
                "{} on {}: {us:.1} µs per epoch, {samples_per_s:.0} samples/s ({} epochs of {n_train} rows in {best:.4} \
                 s, best of {})",
                spec.name,
                device.name(),
                epochs,
                e.reps
            ))?;
            let mut value = json!({"op": "epoch", "run": spec.name, "device": device.name(), "epochs": epochs, "us_per_epoch": us, "seconds": best, "n_train": n_train, "samples_per_second": samples_per_s});
            if let Some(s) = stats {
                // The GPU backend's counters over the whole run (data upload and final synchronize included), per
                // epoch.
                let per_epoch = |n: u64| n as f64 / epochs as f64;
                value["dispatches_per_epoch"] = json!(per_epoch(s.dispatches));
                value["copies_per_epoch"] = json!(per_epoch(s.copies));
                value["compute_passes_per_epoch"] = json!(per_epoch(s.compute_passes));
                value["bind_groups_per_epoch"] = json!(per_epoch(s.bind_groups));
                value["submits_per_epoch"] = json!(per_epoch(s.submits));
                value["readbacks_per_epoch"] = json!(per_epoch(s.readbacks));
                value["host_encode_us_per_epoch"] = json!(per_epoch(s.host_encode_ns) / 1e3);
                value["host_submit_us_per_epoch"] = json!(per_epoch(s.host_submit_ns) / 1e3);
                say(
                    to_stderr,
                    &format!(
                    "  per epoch: {:.2} dispatches, {:.3} submits, {:.3} readbacks, {:.1} µs host encoding, {:.1} µs \
                     in submit",
                    per_epoch(s.dispatches),
                    per_epoch(s.submits),
                    per_epoch(s.readbacks),
                    per_epoch(s.host_encode_ns) / 1e3,
                    per_epoch(s.host_submit_ns) / 1e3
                ),
                )?;
            }
            (e.json, Ok(value))
        }
    };
    if let Some(path) = json_path {
        let v = value.map_err(|e| CliError::new(format!("cannot encode the timing: {e}")))?;
        write_json(&path, &serde_json::to_string_pretty(&v).unwrap_or_default())?;
    }
    Ok(())
}
