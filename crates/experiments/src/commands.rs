//! What each subcommand does: `list`, `run`, `all`, `dataset`, `bench`. Every function returns
//! `Result<_, CliError>`; `main` prints the error on one line and exits with status 1.
//!
//! stdout carries only the tutorial's log (and `list`'s table, the bench figures); notes such as
//! "using the CPU" and the progress bar go to stderr, the bar only when stdout is a terminal. All
//! printing goes through [`crate::output`] (a closed stdout ends the program quietly).
//!
//! Before any work each command checks what the parser cannot: flags the chosen run or dataset
//! would ignore (an error, not a silent no-op), bounds that involve two flags, and that every
//! output file can be written — so a bad `--json` fails in a second, not after a long run.

use crate::bench;
use crate::cli::{AllArgs, BenchArgs, BenchWhat, DatasetArgs, DatasetName, KernelBench, RunArgs};
use crate::datasets::{
    BlobCenters, BlobSamples, Blobs, Circles, ClusterStd, Dataset, LineDataset, LineParams, Moons, Spirals,
    TwoGroupSamples,
};
use crate::device::{resolve, DeviceChoice};
use crate::error::{ensure_writable_dir, prepare_output_file, write_file, CliError};
use crate::limits;
use crate::output::{self, Printer};
use crate::plot::{self, boundary, curves::Curve, predictions::LinePlot};
use crate::record::RunRecord;
use crate::report::{self, ReportEntry, TargetResult};
use crate::runs::train::{TrainOptions, Trained};
use crate::runs::{self, log, LossKind, RunKind, RunSpec, TrainSpec};
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// `experiments list`: one line per run.
pub fn list() -> Vec<String> {
    runs::ALL.iter().map(|s| format!("{:<12} {}", s.name, s.summary)).collect()
}

/// The run called `name`, or an error listing the valid names.
pub fn find_run(name: &str) -> Result<&'static RunSpec, CliError> {
    runs::find(name).ok_or_else(|| CliError::new(format!("unknown run '{name}': expected one of {}", runs::names())))
}

/// What one executed run leaves behind.
#[derive(Debug, Clone)]
pub struct Execution {
    /// The printed log.
    pub lines: Vec<String>,
    /// The history of a training run.
    pub record: Option<RunRecord>,
    /// Targets, evaluated.
    pub targets: Vec<TargetResult>,
    /// Pictures written (PNG and SVG).
    pub pictures: Vec<PathBuf>,
}

/// A hand-rolled progress bar on stderr.
struct Progress {
    total: usize,
    shown: usize,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress { total: total.max(1), shown: usize::MAX }
    }

    fn update(&mut self, done: usize) {
        let width = 30;
        let filled = done * width / self.total;
        if filled == self.shown && done != self.total {
            return;
        }
        self.shown = filled;
        let bar: String = "#".repeat(filled) + &" ".repeat(width - filled);
        let mut err = std::io::stderr();
        let _ = write!(err, "\r[{bar}] {done}/{}", self.total);
        if done == self.total {
            let _ = write!(err, "\r{}\r", " ".repeat(width + 24));
        }
        let _ = err.flush();
    }
}

fn evaluate_targets(spec: &TrainSpec, rec: &RunRecord) -> Vec<TargetResult> {
    spec.targets
        .iter()
        .map(|t| {
            let achieved = match (t.achieved(rec), t.metric) {
                (None, _) => "—".to_string(),
                (Some(v), runs::Metric::TrainAcc | runs::Metric::TestAcc) => format!("{v:.2}%"),
                (Some(v), _) => format!("{v:.5}"),
            };
            TargetResult { describe: t.describe(), source: t.source.to_string(), achieved, met: t.met(rec) }
        })
        .collect()
}

/// Draws a trained run's pictures into `out` with file names starting with `stem`.
pub fn draw_training_pictures(out: &Path, stem: &str, trained: &Trained) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    let d = &trained.data;
    if d.n_features == 2 {
        let panel = |title: &'static str, x: &[f32], y: &[f32]| {
            let g = boundary::grid(x);
            let pred = trained.predict_labels(&g.points);
            (title, x.to_vec(), y.iter().map(|&v| v as i64).collect::<Vec<i64>>(), g, pred)
        };
        let train_p = panel("Train", &d.x_train, &d.y_train);
        let test_p = panel("Test", &d.x_test, &d.y_test);
        let panels = [&train_p, &test_p]
            .iter()
            .map(|(t, x, y, g, p)| boundary::Panel { title: t, x, y, grid: g.clone(), pred: p.clone() })
            .collect::<Vec<_>>();
        files.extend(boundary::save(&out.join(format!("{stem}_decision_boundary")), &panels, d.n_classes)?);
    } else if trained.loss == LossKind::L1 {
        let predictions = trained.logits(&d.x_test).to_vec::<f32>();
        let p = LinePlot {
            x_train: d.x_train.clone(),
            y_train: d.y_train.clone(),
            x_test: d.x_test.clone(),
            y_test: d.y_test.clone(),
            predictions,
        };
        files.extend(plot::predictions::save(&out.join(format!("{stem}_predictions")), &p)?);
    }
    files.extend(plot::curves::save(&out.join(format!("{stem}_loss")), &trained.record, Curve::Loss)?);
    if trained.loss != LossKind::L1 {
        files.extend(plot::curves::save(&out.join(format!("{stem}_accuracy")), &trained.record, Curve::Accuracy)?);
    }
    Ok(files)
}

/// Runs `spec`, calling `print` with each log line as it is produced.
pub fn execute(
    spec: &RunSpec,
    stem: &str,
    opts: TrainOptions,
    device: &tensor::Device,
    out: Option<&Path>,
    progress: bool,
    print: &mut dyn FnMut(&str),
) -> Result<Execution, CliError> {
    match spec.kind {
        RunKind::Train(ts) | RunKind::MiniBatch(ts) => {
            let epochs = opts.epochs.unwrap_or(ts.epochs);
            let width = log::epoch_width(epochs, ts.log_every);
            let mut bar = progress.then(|| Progress::new(epochs));
            let mut lines = Vec::new();
            let trained = runs::train_run(spec, opts, device, &mut |rec| {
                if rec.epoch % ts.log_every.max(1) == 0 {
                    let l = log::line(ts.log, width, rec);
                    print(&l);
                    lines.push(l);
                }
                if let Some(b) = bar.as_mut() {
                    b.update(rec.epoch + 1);
                }
            })
            .unwrap_or_else(|| Err(CliError::new(format!("{}: not a training run", spec.name))))?;
            let mut targets = evaluate_targets(&ts, &trained.record);
            if trained.record.lr != ts.lr {
                // The spec's target was stated for the tutorial's learning rate; say so.
                for t in &mut targets {
                    t.source =
                        format!("{} (stated for lr {}; this run used lr {})", t.source, ts.lr, trained.record.lr);
                }
            }
            let pictures = match out {
                Some(dir) => draw_training_pictures(dir, stem, &trained)?,
                None => Vec::new(),
            };
            Ok(Execution { lines, record: Some(trained.record), targets, pictures })
        }
        RunKind::Activations => {
            let r = runs::activations::run(device)?;
            r.lines.iter().for_each(|l| print(l));
            let targets = vec![TargetResult {
                describe: format!("ReLU equal, sigmoid/tanh within {:.0e}", runs::activations::TOLERANCE),
                source: "seed 002 §7 / seed 000 exercise 6".into(),
                achieved: format!("max diff {:.2e}", r.max_abs_diff),
                met: runs::activations::target_met(&r),
            }];
            let pictures = match out {
                Some(dir) => plot::activations::save(&dir.join(stem), &r.a, &r.panels)?,
                None => Vec::new(),
            };
            Ok(Execution { lines: r.lines, record: None, targets, pictures })
        }
        RunKind::Metrics => {
            let (trained, m) = runs::metrics::run(device, opts.seed)?;
            m.lines.iter().for_each(|l| print(l));
            let targets = vec![TargetResult {
                describe: format!("test accuracy ≥ {:.2}%", runs::metrics::TARGET_ACCURACY),
                source: "seed 002: torchmetrics Accuracy tensor(0.9950)".into(),
                achieved: format!("{:.2}%", m.accuracy),
                met: m.accuracy >= runs::metrics::TARGET_ACCURACY,
            }];
            Ok(Execution { lines: m.lines, record: Some(trained.record), targets, pictures: Vec::new() })
        }
    }
}

fn device_with_note(choice: DeviceChoice, quiet: bool) -> Result<tensor::Device, CliError> {
    let (device, note) = resolve(choice)?;
    if !quiet {
        output::note(&note);
    }
    Ok(device)
}

/// An error for `flag`, which the chosen run or dataset would ignore.
fn ignored(flag: &str, by: &str, instead: &str) -> CliError {
    CliError::new(format!("{flag}: {by} does not use it ({instead}); drop the flag"))
}

/// `--samples` and `--batch-size`, which only the mini-batch run (blobs-large) uses.
fn check_minibatch_flags(spec: &RunSpec, name: &str, samples: bool, batch_size: bool) -> Result<(), CliError> {
    if matches!(spec.kind, RunKind::MiniBatch(_)) {
        return Ok(());
    }
    for (flag, given) in [("--samples", samples), ("--batch-size", batch_size)] {
        if given {
            return Err(ignored(
                flag,
                name,
                "only blobs-large, which trains on mini-batches of a generated size, does",
            ));
        }
    }
    Ok(())
}

/// The flags of `run` that `spec` would ignore.
fn check_run_flags(spec: &RunSpec, args: &RunArgs) -> Result<(), CliError> {
    let name = format!("the run '{}'", spec.name);
    check_minibatch_flags(spec, &name, args.samples.is_some(), args.batch_size.is_some())?;
    // Only the two runs that train no model of their own ignore flags; every training run uses them all.
    if !matches!(spec.kind, RunKind::Activations | RunKind::Metrics) {
        return Ok(());
    }
    let trains_blobs = spec.kind == RunKind::Metrics;
    let what =
        if trains_blobs { "it scores the blobs model trained as the tutorial does" } else { "it trains no model" };
    for (flag, given) in [("--epochs", args.epochs.is_some()), ("--lr", args.lr.is_some())] {
        if given {
            return Err(ignored(flag, &name, what));
        }
    }
    if !trains_blobs && args.seed.is_some() {
        return Err(ignored("--seed", &name, "it draws nothing at random"));
    }
    if !trains_blobs && args.json.is_some() {
        return Err(ignored("--json", &name, "it trains no model and has no history to write"));
    }
    if trains_blobs && args.out.is_some() {
        return Err(ignored("--out", &name, "it draws no pictures"));
    }
    Ok(())
}

/// `experiments run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let spec = find_run(&args.run)?;
    check_run_flags(spec, &args)?;
    if let Some(dir) = &args.out {
        ensure_writable_dir(dir)?;
    }
    if let Some(path) = &args.json {
        prepare_output_file("--json", path)?;
    }
    let device = device_with_note(args.device, args.quiet)?;
    let opts = TrainOptions {
        seed: args.seed.unwrap_or(42),
        epochs: args.epochs,
        lr: args.lr,
        samples: args.samples,
        batch_size: args.batch_size,
    };
    let progress = !args.quiet && std::io::stdout().is_terminal();
    let quiet = args.quiet;
    let mut printer = Printer::default();
    let exec = execute(spec, spec.name, opts, &device, args.out.as_deref(), progress, &mut |l| {
        if !quiet {
            printer.line(l);
        }
    })?;
    printer.finish()?;
    if !quiet {
        for t in &exec.targets {
            output::note(&format!("target {}: {} ({})", if t.met { "met" } else { "NOT met" }, t.describe, t.achieved));
        }
        for p in &exec.pictures {
            output::note(&format!("wrote {}", p.display()));
        }
    }
    if let Some(path) = &args.json {
        let rec = exec.record.as_ref().ok_or_else(|| {
            CliError::new(format!("--json: the run '{}' trains no model and has no history to write", spec.name))
        })?;
        write_file(path, rec.to_json().as_bytes())?;
    }
    Ok(())
}

/// The runs of `experiments all`: every tutorial run, plus seed 004's `line --lr 0.01`, and
/// blobs-large when `blobs_large` (it takes far longer than all the others together).
pub fn all_runs(blobs_large: bool) -> Vec<(&'static RunSpec, String, TrainOptions)> {
    let mut v = Vec::new();
    for spec in runs::ALL.into_iter().filter(|s| blobs_large || s.name != runs::blobs_large::SPEC.name) {
        v.push((spec, spec.name.to_string(), TrainOptions::default()));
        if spec.name == "line" {
            v.push((spec, "line-lr0.01".to_string(), TrainOptions { lr: Some(0.01), ..TrainOptions::default() }));
        }
    }
    v
}

/// `experiments all`.
pub fn all(args: AllArgs) -> Result<(), CliError> {
    ensure_writable_dir(&args.out)?;
    prepare_output_file("report.md in --out", &args.out.join("report.md"))?;
    for (spec, stem, _) in all_runs(args.blobs_large) {
        if spec.kind != RunKind::Activations {
            prepare_output_file("a run's JSON in --out", &args.out.join(format!("{stem}.json")))?;
        }
    }
    let device = device_with_note(args.device, args.quiet)?;
    let mut entries = Vec::new();
    for (spec, stem, opts) in all_runs(args.blobs_large) {
        if !args.quiet {
            output::line(&format!("== {stem} =="))?;
        }
        let quiet = args.quiet;
        let mut printer = Printer::default();
        let exec = execute(spec, &stem, opts, &device, Some(&args.out), false, &mut |l| {
            if !quiet {
                printer.line(l);
            }
        })?;
        printer.finish()?;
        if let Some(rec) = &exec.record {
            write_file(&args.out.join(format!("{stem}.json")), rec.to_json().as_bytes())?;
        }
        let pictures = exec
            .pictures
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let title =
            if stem == spec.name { stem.clone() } else { format!("{} (lr {})", spec.name, opts.lr.unwrap_or(0.0)) };
        let extra = format!("```text\n{}\n```", exec.lines.join("\n"));
        entries.push(ReportEntry {
            title,
            summary: spec.summary.to_string(),
            record: if spec.kind.train_spec().is_some() { exec.record } else { None },
            targets: exec.targets,
            pictures,
            extra,
        });
    }
    let md = report::render(&entries, &device.name(), report::peak_rss_kib());
    let path = args.out.join("report.md");
    write_file(&path, md.as_bytes())?;
    output::line(&format!("wrote {}", path.display()))
}

fn rows(d: &Dataset) -> Value {
    Value::Array(d.x.chunks(d.n_features.max(1)).map(|r| json!(r)).collect())
}

/// The flags of `dataset` that the chosen generator would ignore, and the bounds that involve two
/// flags.
fn check_dataset_flags(args: &DatasetArgs) -> Result<(), CliError> {
    use DatasetName::*;
    let given = [
        ("--samples", args.samples.is_some(), [Circles, Moons, Blobs].as_slice()),
        ("--noise", args.noise.is_some(), &[Circles, Moons]),
        ("--factor", args.factor.is_some(), &[Circles]),
        ("--features", args.features.is_some(), &[Blobs]),
        ("--centers", args.centers.is_some(), &[Blobs]),
        ("--std", args.std.is_some(), &[Blobs]),
        ("--points-per-class", args.points_per_class.is_some(), &[Spirals]),
        ("--classes", args.classes.is_some(), &[Spirals]),
        ("--seed", args.seed.is_some(), &[Circles, Moons, Blobs, Spirals]),
        ("--split-seed", args.split_seed.is_some(), &[Circles, Moons, Blobs, Spirals]),
    ];
    let name = format!("{:?}", args.name).to_lowercase();
    for (flag, is_given, used_by) in given {
        if is_given && !used_by.contains(&args.name) {
            let users: Vec<String> = used_by.iter().map(|d| format!("{d:?}").to_lowercase()).collect();
            return Err(ignored(flag, &format!("the {name} generator"), &format!("only {} do", users.join(", "))));
        }
    }
    let values = match args.name {
        Blobs => args.samples.unwrap_or(100).saturating_mul(args.features.unwrap_or(2)),
        _ => 0,
    };
    if values > limits::MAX_VALUES {
        return Err(CliError::new(format!(
            "--samples {} × --features {} = {values} values: at most {} (the dataset and its JSON are built in memory)",
            args.samples.unwrap_or(100),
            args.features.unwrap_or(2),
            limits::MAX_VALUES
        )));
    }
    let points = args.points_per_class.unwrap_or(100).saturating_mul(args.classes.unwrap_or(3));
    if args.name == Spirals && points > limits::MAX_SAMPLES {
        return Err(CliError::new(format!(
            "--points-per-class {} × --classes {} = {points} samples: at most {} (the dataset and its JSON are built \
             in memory)",
            args.points_per_class.unwrap_or(100),
            args.classes.unwrap_or(3),
            limits::MAX_SAMPLES
        )));
    }
    Ok(())
}

/// `experiments dataset`.
pub fn dataset(args: DatasetArgs) -> Result<(), CliError> {
    check_dataset_flags(&args)?;
    prepare_output_file("--json", &args.json)?;
    let value = if args.name == DatasetName::Line {
        let line =
            LineDataset::generate(&LineParams { train_fraction: 1.0 - args.test_size, ..LineParams::default() })?;
        if line.train().0.is_empty() || line.test().0.is_empty() {
            return Err(CliError::new(format!(
                "--test-size {}: the line's {} points would leave the train or the test set empty; pass e.g. 0.2",
                args.test_size,
                line.x.len()
            )));
        }
        let col = |v: &[f32]| Value::Array(v.iter().map(|&x| json!([x])).collect());
        let (xtr, ytr) = line.train();
        let (xte, yte) = line.test();
        json!({"X": col(&line.x), "y": col(&line.y), "X_train": col(xtr), "X_test": col(xte), "y_train": col(ytr), "y_test": col(yte)})
    } else {
        let ds = match args.name {
            DatasetName::Circles => Circles {
                n_samples: TwoGroupSamples::Total(args.samples.unwrap_or(100)),
                noise: args.noise,
                factor: args.factor.unwrap_or(0.8),
                random_state: args.seed.unwrap_or(42),
                ..Circles::default()
            }
            .generate()?,
            DatasetName::Moons => Moons {
                n_samples: TwoGroupSamples::Total(args.samples.unwrap_or(100)),
                noise: args.noise,
                random_state: args.seed.unwrap_or(42),
                ..Moons::default()
            }
            .generate()?,
            DatasetName::Blobs => Blobs {
                n_samples: BlobSamples::Total(args.samples.unwrap_or(100)),
                n_features: args.features.unwrap_or(2),
                centers: Some(BlobCenters::Count(args.centers.unwrap_or(3))),
                cluster_std: ClusterStd::Same(args.std.unwrap_or(1.0)),
                random_state: args.seed.unwrap_or(42),
                ..Blobs::default()
            }
            .generate()?,
            DatasetName::Spirals => Spirals {
                points_per_class: args.points_per_class.unwrap_or(100),
                classes: args.classes.unwrap_or(3),
                seed: args.seed.unwrap_or(42),
            }
            .generate()?,
            DatasetName::Line => unreachable!("handled above"),
        };
        let (train, test) = ds.split(args.test_size, args.split_seed.unwrap_or(42))?;
        json!({"X": rows(&ds), "y": ds.y, "X_train": rows(&train), "X_test": rows(&test), "y_train": train.y, "y_test": test.y})
    };
    let text = serde_json::to_string(&value).map_err(|e| CliError::new(format!("cannot encode the dataset: {e}")))?;
    write_file(&args.json, text.as_bytes())
}

/// `experiments bench softmax|reduce`: prints GB/s and returns the JSON path and value.
fn memory_bound_bench(
    op: &str,
    label: &str,
    k: KernelBench,
) -> Result<(Option<PathBuf>, serde_json::Result<serde_json::Value>), CliError> {
    let device = device_with_note(k.device, false)?;
    let t = bench::memory_bound(op, k.size, k.reps, &device)?;
    output::line(&format!(
        "{label} {0}x{0} on {1}: {2:.2} GB/s ({3:.6} s, best of {4})",
        t.size,
        t.device,
        t.gbps.unwrap_or(0.0),
        t.seconds,
        k.reps
    ))?;
    Ok((k.json, serde_json::to_value(&t)))
}

/// `experiments bench`.
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
        prepare_output_file("--json", path)?;
    }
    let (json_path, value) = match args.what {
        BenchWhat::Matmul(crate::cli::MatmulBench { kernel: k, .. }) => {
            let device = device_with_note(k.device, false)?;
            let t = bench::matmul(k.size, k.reps, &device)?;
            output::line(&format!(
                "matmul {0}x{0} on {1}: {2:.1} GFLOP/s ({3:.6} s, best of {4})",
                t.size,
                t.device,
                t.gflops.unwrap_or(0.0),
                t.seconds,
                k.reps
            ))?;
            (k.json, serde_json::to_value(&t))
        }
        BenchWhat::Softmax(k) => memory_bound_bench("softmax", "softmax", k)?,
        BenchWhat::Reduce(k) => memory_bound_bench("reduce", "sum", k)?,
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
            for _ in 0..e.reps.max(1) {
                // The counters of the last repetition (every repetition encodes the same work).
                device.reset_gpu_stats();
                let t = runs::train_run(spec, opts, &device, &mut |_| {})
                    .unwrap_or_else(|| Err(CliError::new(format!("{}: not a training run", spec.name))))?;
                stats = device.gpu_stats();
                best = best.min(t.record.train_seconds);
                n_train = t.data.n_train();
            }
            let us = best / epochs as f64 * 1e6;
            // Training samples per second: each epoch sees every training row once (its test pass
            // counted in the epoch's time).
            let samples_per_s = (n_train * epochs) as f64 / best;
            output::line(&format!(
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
                output::line(&format!(
                    "  per epoch: {:.2} dispatches, {:.3} submits, {:.3} readbacks, {:.1} µs host encoding, {:.1} µs \
                     in submit",
                    per_epoch(s.dispatches),
                    per_epoch(s.submits),
                    per_epoch(s.readbacks),
                    per_epoch(s.host_encode_ns) / 1e3,
                    per_epoch(s.host_submit_ns) / 1e3
                ))?;
            }
            (e.json, Ok(value))
        }
    };
    if let Some(path) = json_path {
        let v = value.map_err(|e| CliError::new(format!("cannot encode the timing: {e}")))?;
        write_file(&path, serde_json::to_string_pretty(&v).unwrap_or_default().as_bytes())?;
    }
    Ok(())
}
