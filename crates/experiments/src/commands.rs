//! What each subcommand does: `list`, `run`, `all`, `dataset`, `bench`. Every function returns
//! `Result<_, CliError>`; `main` prints the error on one line and exits with status 1.
//!
//! stdout carries only the tutorial's log (and `list`'s table, the bench figures); notes such as
//! "using the CPU" and the progress bar go to stderr, the bar only when stderr is a terminal. All
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
use crate::output::{self, Printer, Progress};
use crate::plot::{self, boundary, curves::Curve, predictions::LinePlot};
use crate::record::RunRecord;
use crate::report::{self, ReportEntry, TargetResult};
use crate::runs::train::{TrainOptions, Trained};
use crate::runs::{self, log, LossKind, RunKind, RunSpec, TrainSpec};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

mod bench_command;
mod dataset_command;
pub use bench_command::bench;
pub use dataset_command::dataset;

/// `experiments list`: one line per runnable variant — every run, and the tutorial's runs of one of
/// them at another learning rate (seed 004's `line --lr 0.01`) — each as the arguments of
/// `experiments run` that reproduce it, then what it reproduces.
pub fn list() -> Vec<String> {
    let variants = all_runs(true);
    let width = variants.iter().map(|v| v.args().len()).max().unwrap_or(0);
    variants.iter().map(|v| format!("{:<width$}  {}", v.args(), v.summary())).collect()
}

/// The one-line summary of `spec` at learning rate `lr`: a spec's text names its optimizer and its
/// default rate (`SGD 0.1`); a run at another rate names that one instead.
pub fn summary_at(spec: &RunSpec, lr: Option<f64>) -> String {
    let (Some(lr), Some(ts)) = (lr, spec.kind.train_spec()) else { return spec.summary.to_string() };
    if lr == ts.lr {
        return spec.summary.to_string();
    }
    let optimizer = match ts.optimizer {
        runs::OptimizerKind::Sgd => "SGD",
        runs::OptimizerKind::Adam => "Adam",
    };
    let stated = format!("{optimizer} {}", ts.lr);
    if spec.summary.contains(&stated) {
        spec.summary.replacen(&stated, &format!("{optimizer} {lr}"), 1)
    } else {
        format!("{} (lr {lr})", spec.summary)
    }
}

/// Levenshtein distance between two short strings (for "did you mean").
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The run name closest to `name`, when it is close enough to be a typo (at most a third of its
/// letters differ, or one is the other's prefix).
pub fn closest_run(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    runs::ALL
        .iter()
        .map(|s| (edit_distance(&lower, s.name), s.name))
        .filter(|&(d, n)| d <= (n.len() / 3).max(1) || (lower.len() >= 3 && n.starts_with(&lower)))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

/// The run called `name`, or an error suggesting the closest name and listing the valid ones.
pub fn find_run(name: &str) -> Result<&'static RunSpec, CliError> {
    runs::find(name).ok_or_else(|| {
        let hint = closest_run(name).map(|n| format!("did you mean '{n}'? ")).unwrap_or_default();
        CliError::new(format!("unknown run '{name}': {hint}expected one of {} (see `experiments list`)", runs::names()))
    })
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

/// Whether a run with `opts` used the hyper-parameters its targets were stated for: the seed 42, and
/// the run's own epochs, learning rate and data sizes (given or by default). Only then does a missed
/// target count (the exit status [`EXIT_TARGET_MISSED`]).
pub fn judged(spec: &RunSpec, opts: &TrainOptions) -> bool {
    let default = TrainOptions::default();
    let same = |given: Option<f64>, stated: f64| given.is_none_or(|v| v == stated);
    opts.seed == default.seed
        && opts.samples.is_none()
        && opts.batch_size.is_none()
        && spec
            .kind
            .train_spec()
            .is_none_or(|ts| same(opts.epochs.map(|e| e as f64), ts.epochs as f64) && same(opts.lr, ts.lr))
}

/// The exit status of a command whose run finished but missed a target it is judged by (see
/// [`judged`]); stated in `experiments --help`.
pub const EXIT_TARGET_MISSED: u8 = 3;

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every judged target met (or none to judge).
    Done,
    /// A run missed a target it is judged by: exit status [`EXIT_TARGET_MISSED`].
    TargetMissed,
}

impl Outcome {
    fn of<'a>(targets: impl IntoIterator<Item = &'a TargetResult>) -> Outcome {
        if targets.into_iter().any(|t| t.judged && !t.met) {
            Outcome::TargetMissed
        } else {
            Outcome::Done
        }
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
            let met = t.met(rec);
            TargetResult { describe: t.describe(), source: t.source.to_string(), achieved, met, judged: true }
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
            title: format!("{} (lr {}): predictions", trained.record.run, trained.record.lr),
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

/// Runs `spec`, calling `print` with each log line as it is produced; with `progress`, a bar of the
/// epochs shows on stderr while it trains (see [`Progress`]: only on a terminal).
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
            let bar = Progress::bar(progress, stem, epochs as u64, "epochs");
            let mut lines = Vec::new();
            let trained = runs::train_run(spec, opts, device, &mut |rec| {
                if rec.epoch % ts.log_every.max(1) == 0 {
                    let l = log::line(ts.log, width, rec);
                    bar.suspend(|| print(&l));
                    lines.push(l);
                }
                bar.set(rec.epoch as u64 + 1);
            })
            .unwrap_or_else(|| Err(CliError::new(format!("{}: not a training run", spec.name))))?;
            let mut targets = evaluate_targets(&ts, &trained.record);
            let judged = judged(spec, &opts);
            targets.iter_mut().for_each(|t| t.judged = judged);
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
                judged: true,
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
                judged: judged(spec, &opts),
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

/// Whether a `--json` path means stdout (`--json -`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Checks before any work that `--json PATH` can be written ([`prepare_output_file`]); `-` is stdout.
fn prepare_json(path: &Path) -> Result<(), CliError> {
    if is_stdout(path) {
        return Ok(());
    }
    prepare_output_file("--json", path)
}

/// Writes `text` to the `--json` path: stdout for `-`, else the file, atomically.
fn write_json(path: &Path, text: &str) -> Result<(), CliError> {
    if is_stdout(path) {
        return output::line(text);
    }
    write_file(path, text.as_bytes())
}

/// Prints the targets of a finished run on stderr — a missed one that counts even under `--quiet`,
/// since it explains the exit status.
fn note_targets(targets: &[TargetResult], quiet: bool) {
    for t in targets.iter().filter(|t| !quiet || (t.judged && !t.met)) {
        let verdict = match (t.met, t.judged) {
            (true, _) => "met",
            (false, true) => "NOT met",
            (false, false) => "not met (not judged: the run's hyper-parameters differ from those it is stated for)",
        };
        output::note(&format!("target {verdict}: {} ({})", t.describe, t.achieved));
    }
}

/// `experiments run`. Ends with [`Outcome::TargetMissed`] when the run missed a target it is judged
/// by. With `--json -` the history is the only thing on stdout: the log goes to stderr.
pub fn run(args: RunArgs) -> Result<Outcome, CliError> {
    let spec = find_run(&args.run)?;
    check_run_flags(spec, &args)?;
    if let Some(dir) = &args.out {
        ensure_writable_dir(dir)?;
    }
    if let Some(path) = &args.json {
        prepare_json(path)?;
    }
    let device = device_with_note(args.device, args.quiet)?;
    let opts = TrainOptions {
        seed: args.seed.unwrap_or(42),
        epochs: args.epochs,
        lr: args.lr,
        samples: args.samples,
        batch_size: args.batch_size,
    };
    let progress = Progress::wanted(args.quiet);
    let quiet = args.quiet;
    let log_to_stderr = args.json.as_deref().is_some_and(is_stdout);
    let mut printer = Printer::default();
    let exec = execute(spec, spec.name, opts, &device, args.out.as_deref(), progress, &mut |l| match (
        quiet,
        log_to_stderr,
    ) {
        (true, _) => {}
        (false, true) => output::note(l),
        (false, false) => printer.line(l),
    })?;
    printer.finish()?;
    note_targets(&exec.targets, quiet);
    if !quiet {
        for p in &exec.pictures {
            output::note(&format!("wrote {}", p.display()));
        }
    }
    if let Some(path) = &args.json {
        let rec = exec.record.as_ref().ok_or_else(|| {
            CliError::new(format!("--json: the run '{}' trains no model and has no history to write", spec.name))
        })?;
        write_json(path, &rec.to_json())?;
    }
    Ok(Outcome::of(&exec.targets))
}

/// One runnable variant: a run and the options it runs with.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The run.
    pub spec: &'static RunSpec,
    /// The file-name stem of its outputs (`line-lr0.01`).
    pub stem: String,
    /// Its options.
    pub opts: TrainOptions,
    /// Which notebook runs it this way, when not the run's own header (`seed 004`).
    pub source: Option<&'static str>,
}

impl Variant {
    /// The arguments of `experiments run` that reproduce it (`line --lr 0.01`).
    pub fn args(&self) -> String {
        match self.opts.lr {
            Some(lr) => format!("{} --lr {lr}", self.spec.name),
            None => self.spec.name.to_string(),
        }
    }

    /// What it reproduces, with the learning rate it really uses.
    pub fn summary(&self) -> String {
        let s = summary_at(self.spec, self.opts.lr);
        match self.source {
            Some(src) => format!("{s}; {src}"),
            None => s,
        }
    }
}

/// The runs of `experiments all`: every tutorial run, plus seed 004's `line --lr 0.01`, and
/// blobs-large when `blobs_large` (it takes far longer than all the others together).
pub fn all_runs(blobs_large: bool) -> Vec<Variant> {
    let mut v = Vec::new();
    for spec in runs::ALL.into_iter().filter(|s| blobs_large || s.name != runs::blobs_large::SPEC.name) {
        v.push(Variant { spec, stem: spec.name.to_string(), opts: TrainOptions::default(), source: None });
        if spec.name == "line" {
            v.push(Variant {
                spec,
                stem: "line-lr0.01".to_string(),
                opts: TrainOptions { lr: Some(0.01), ..TrainOptions::default() },
                source: Some("seed 004"),
            });
        }
    }
    v
}

/// `experiments all`. Ends with [`Outcome::TargetMissed`] when a run missed a target it is judged
/// by (all its runs are, but for `line --lr 0.01`, whose target is stated for lr 0.1).
pub fn all(args: AllArgs) -> Result<Outcome, CliError> {
    ensure_writable_dir(&args.out)?;
    prepare_output_file("report.md in --out", &args.out.join("report.md"))?;
    for v in all_runs(args.blobs_large) {
        if v.spec.kind != RunKind::Activations {
            prepare_output_file("a run's JSON in --out", &args.out.join(format!("{}.json", v.stem)))?;
        }
    }
    let device = device_with_note(args.device, args.quiet)?;
    let progress = Progress::wanted(args.quiet);
    let mut entries = Vec::new();
    for variant in all_runs(args.blobs_large) {
        let (spec, stem, opts) = (variant.spec, &variant.stem, variant.opts);
        if !args.quiet {
            output::line(&format!("== {stem} =="))?;
        }
        let quiet = args.quiet;
        let mut printer = Printer::default();
        let exec = execute(spec, stem, opts, &device, Some(&args.out), progress, &mut |l| {
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
        let title = match opts.lr {
            Some(lr) if *stem != spec.name => format!("{} (lr {lr})", spec.name),
            _ => stem.clone(),
        };
        let extra = format!("```text\n{}\n```", exec.lines.join("\n"));
        entries.push(ReportEntry {
            title,
            summary: variant.summary(),
            record: if spec.kind.train_spec().is_some() { exec.record } else { None },
            targets: exec.targets,
            pictures,
            extra,
        });
    }
    let md = report::render(&entries, &device.name(), report::peak_rss_kib());
    let path = args.out.join("report.md");
    write_file(&path, md.as_bytes())?;
    for e in &entries {
        for t in e.targets.iter().filter(|t| t.judged && !t.met) {
            output::note(&format!("target NOT met by {}: {} ({})", e.title, t.describe, t.achieved));
        }
    }
    output::line(&format!("wrote {}", path.display()))?;
    Ok(Outcome::of(entries.iter().flat_map(|e| &e.targets)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(met: bool, judged: bool) -> TargetResult {
        TargetResult { describe: "d".into(), source: "s".into(), achieved: "a".into(), met, judged }
    }

    #[test]
    fn only_a_judged_miss_ends_with_the_target_status() {
        assert_eq!(Outcome::of(&[target(true, true), target(false, false)]), Outcome::Done);
        assert_eq!(Outcome::of(&[target(true, true), target(false, true)]), Outcome::TargetMissed);
        assert_eq!(Outcome::of(&[]), Outcome::Done);
        assert_eq!(EXIT_TARGET_MISSED, 3);
    }

    #[test]
    fn a_run_is_judged_at_the_hyper_parameters_its_target_is_stated_for() {
        let moons = runs::find("moons").unwrap();
        let default = TrainOptions::default();
        assert!(judged(moons, &default));
        assert!(judged(moons, &TrainOptions { epochs: Some(1000), lr: Some(0.1), ..default }));
        assert!(!judged(moons, &TrainOptions { epochs: Some(5), ..default }));
        assert!(!judged(moons, &TrainOptions { lr: Some(0.01), ..default }));
        assert!(!judged(moons, &TrainOptions { seed: 7, ..default }));
        assert!(!judged(runs::find("blobs-large").unwrap(), &TrainOptions { samples: Some(20), ..default }));
        assert!(judged(runs::find("activations").unwrap(), &default));
    }

    #[test]
    fn list_names_every_variant_with_its_real_learning_rate() {
        let lines = list();
        let lr = lines.iter().find(|l| l.starts_with("line --lr 0.01 ")).expect("line --lr 0.01 listed");
        assert!(lr.contains("SGD 0.01") && !lr.contains("SGD 0.1,"), "{lr}");
        assert_eq!(lines.len(), runs::ALL.len() + 1);
        assert_eq!(summary_at(runs::find("spirals").unwrap(), Some(0.5)).matches("Adam 0.5").count(), 1);
    }

    #[test]
    fn typos_get_the_closest_run() {
        assert_eq!(closest_run("moon"), Some("moons"));
        assert_eq!(closest_run("Spirals"), Some("spirals"));
        assert_eq!(closest_run("blobs_large"), Some("blobs-large"));
        assert_eq!(closest_run("circ"), Some("circles-v0"));
        assert_eq!(closest_run("xyz"), None);
    }
}
