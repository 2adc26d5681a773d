//! Issue 12's reliability catalogue for the `experiments` CLI: about 150 invocations of the built
//! binary — every numeric flag at 0, 1, its maximum, one past it, u64::MAX, negative, NaN and inf;
//! flags a run would ignore; bad output paths (a directory, a missing parent, a read-only directory,
//! a symlink, /dev/null, a FIFO); a disk that fills up; a closed stdout or stderr; a bad
//! `TAPEGRAD_NUM_THREADS`; a matrix too large for the GPU.
//!
//! Each invocation is put in a class — success, clear error (status 1, or clap's 2, with the case's
//! key words on stderr), unclear error (no key words), panic (status 101 or "panicked" on stderr),
//! crash / abort / hang (a signal, status 134, over a minute), silent wrong answer (status 0 where an
//! error was due), data lost (a case's own check: a damaged or partial file, a replaced device) —
//! and compared with the class it must have. No case may panic: a panic in the CLI is a bug. With
//! `TAPEGRAD_CATALOGUE_REPORT=1` the counts per class are printed instead of asserted (the figures of
//! the closing note, made on this branch and on `main`). The classes, the wait with a timeout
//! and the table are the harness the four catalogues share (`tests/support/catalogue.rs`).
//!
//! Every case is small (one epoch, tiny datasets, `--device cpu` except the GPU case), and a value
//! at a flag's maximum that would take long to run is paired with an output path that fails before
//! any work, which shows that the parser accepted it.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "../../../tests/support/catalogue.rs"]
mod catalogue;

use catalogue::{report, running_as_root, wait_or_kill, Class, Tally};
use Class::*;

/// The label of a class in this catalogue's table (the CLI's classes are read from its status and stderr).
fn label(class: Class) -> &'static str {
    match class {
        Success => "success",
        ClearError => "clear error (status 1 or 2, key words)",
        Unclear => "unclear error (status 1 or 2, no key words)",
        Panic => "panic in the CLI",
        Wrong => "silent wrong answer (status 0 where an error was due)",
        CallerPanic | Crash | DataLost | Skipped => class.label(),
    }
}

/// How the binary is run.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Plain,
    /// stdout is a pipe whose reader goes away after the first line (`| head -1`).
    ClosedStdout,
    /// stderr is a pipe already closed.
    ClosedStderr,
    /// stdout is /dev/full.
    StdoutFull,
    /// With a file-size limit of `n` 512-byte blocks and SIGXFSZ ignored: writes fail as on a full disk.
    FileSizeLimit(u32),
    /// As an unprivileged user when the tests run as root (so that permissions apply).
    Nobody,
    /// Needs a GPU adapter with limits below the case's size.
    GpuTooLarge,
}

/// What one invocation did.
struct Ran {
    status: Option<std::process::ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }
}

type Check = Box<dyn Fn(&Path, &Ran) -> Option<(Class, String)>>;

struct CliCase {
    name: String,
    /// Arguments; `{d}` stands for the case's scratch directory.
    args: Vec<String>,
    expect: Class,
    /// Words stderr must contain (case-insensitive) for an error to count as clear.
    words: Vec<&'static str>,
    mode: Mode,
    env: Vec<(&'static str, String)>,
    setup: Box<dyn Fn(&Path)>,
    /// Looks for lost data or a wrong answer after the run; overrides the status's class.
    check: Check,
}

fn case(name: impl Into<String>, args: &[&str], expect: Class, words: &[&'static str]) -> CliCase {
    CliCase {
        name: name.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        expect,
        words: words.to_vec(),
        mode: Mode::Plain,
        env: Vec::new(),
        setup: Box::new(|_| {}),
        check: Box::new(|_, _| None),
    }
}

impl CliCase {
    fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }
    fn env(mut self, key: &'static str, value: &str) -> Self {
        self.env.push((key, value.to_string()));
        self
    }
    fn setup(mut self, f: impl Fn(&Path) + 'static) -> Self {
        self.setup = Box::new(f);
        self
    }
    fn check(mut self, f: impl Fn(&Path, &Ran) -> Option<(Class, String)> + 'static) -> Self {
        self.check = Box::new(f);
        self
    }
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_experiments")
}

/// Runs one case; returns its class and a one-line description.
fn run_case(c: &CliCase, n: usize) -> (Class, String) {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let dir = std::env::temp_dir().join(format!("experiments-catalogue-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    if c.mode == Mode::GpuTooLarge {
        match tensor::gpu::testing::gpu_or_skip() {
            None => return (Skipped, "no GPU adapter".into()),
            Some(gpu) => {
                if gpu.check_alloc(&[8192, 8192], tensor::DType::F32).is_ok() {
                    eprintln!(
                        "!!! SKIPPED: {} holds an 8192² matrix; the too-large case needs a smaller GPU",
                        gpu.name()
                    );
                    return (Skipped, "this GPU holds 8192²".into());
                }
            }
        }
    }
    if c.mode == Mode::Nobody && !running_as_root() {
        // Permissions apply to this user already.
    }
    (c.setup)(&dir);
    let args: Vec<String> = c.args.iter().map(|a| a.replace("{d}", &dir.display().to_string())).collect();
    let (out_path, err_path) = (dir.with_extension("stdout"), dir.with_extension("stderr"));
    let mut cmd = match c.mode {
        Mode::FileSizeLimit(blocks) => {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\"")).arg(bin());
            cmd
        }
        _ => Command::new(bin()),
    };
    cmd.args(&args).env("RUST_BACKTRACE", "0").env_remove("TAPEGRAD_NUM_THREADS").stdin(Stdio::null());
    for (k, v) in &c.env {
        cmd.env(k, v);
    }
    match c.mode {
        Mode::ClosedStdout => cmd.stdout(Stdio::piped()),
        Mode::StdoutFull => cmd.stdout(fs::OpenOptions::new().write(true).open("/dev/full").unwrap()),
        _ => cmd.stdout(fs::File::create(&out_path).unwrap()),
    };
    match c.mode {
        Mode::ClosedStderr => cmd.stderr(closed_pipe(&dir)),
        _ => cmd.stderr(fs::File::create(&err_path).unwrap()),
    };
    if c.mode == Mode::Nobody && running_as_root() {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        cmd.uid(65534).gid(65534);
    }
    let mut child = cmd.spawn().unwrap();
    let mut first_line = String::new();
    if c.mode == Mode::ClosedStdout {
        // `| head -1`: read one line, then close the pipe.
        let mut pipe = child.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        while pipe.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
            first_line.push(byte[0] as char);
        }
        drop(pipe);
    }
    let status = wait_or_kill(&mut child, Duration::from_secs(60));
    let read = |p: &Path| fs::read_to_string(p).unwrap_or_default();
    let ran = Ran { status, stdout: first_line + &read(&out_path), stderr: read(&err_path) };
    let checked = (c.check)(&dir, &ran);
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    let _ = fs::remove_dir_all(&dir);
    let err_line = ran.stderr.lines().filter(|l| !l.contains("XDG_RUNTIME_DIR")).collect::<Vec<_>>().join(" | ");
    let what = format!("status {:?}: {}", ran.status.map(|s| s.code().unwrap_or(-1)), err_line);
    if let Some((class, detail)) = checked {
        return (class, format!("{detail} ({what})"));
    }
    let Some(status) = ran.status else { return (Crash, "hung: killed after 60 s".into()) };
    if let Some(sig) = status.signal() {
        return (Crash, format!("killed by signal {sig} ({what})"));
    }
    let has_words = {
        let e = ran.stderr.to_lowercase();
        c.words.iter().all(|w| e.contains(&w.to_lowercase()))
    };
    let class = match status.code() {
        _ if ran.stderr.contains("panicked") => Panic,
        Some(101) => Panic,
        Some(134) => Crash,
        Some(0) if c.expect == ClearError => Wrong,
        Some(0) => Success,
        // A closed stdout ends the program quietly: success for this test, if stderr is quiet.
        Some(141) if c.mode == Mode::ClosedStdout && ran.stderr.lines().all(|l| !l.starts_with("error")) => Success,
        Some(1 | 2) if c.mode == Mode::ClosedStderr => ClearError,
        Some(1 | 2) if has_words => ClearError,
        Some(1 | 2) => Unclear,
        _ => Crash,
    };
    (class, what)
}

#[test]
fn catalogue() {
    let cases = cases();
    let mut tally = Tally::default();
    for (n, c) in cases.iter().enumerate() {
        let (class, what) = run_case(c, n);
        if report() {
            println!("{:<52} {:<11} {}", c.name, format!("{class:?}"), what.chars().take(200).collect::<String>());
        }
        tally.add(&c.name, c.expect, class, &what);
    }
    tally.finish("experiments CLI catalogue", "invocations", label);
}

// --- checks -------------------------------------------------------------------------------------------------------

/// `Some(DataLost)` when `path` no longer is a character device.
fn still_char_device(path: &'static str) -> impl Fn(&Path, &Ran) -> Option<(Class, String)> {
    move |_, _| {
        use std::os::unix::fs::FileTypeExt;
        let ok = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device());
        (!ok).then(|| (DataLost, format!("{path} was replaced")))
    }
}

/// Files in `dir` (not recursive) whose name contains `part`.
fn files_with(dir: &Path, part: &str) -> Vec<String> {
    fs::read_dir(dir)
        .map(|r| {
            r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.contains(part)).collect()
        })
        .unwrap_or_default()
}

/// `DataLost` when a picture in `dir` is partial (a PNG that does not end with IEND, an SVG without `</svg>`),
/// or a temporary is left behind.
fn no_partial_pictures(dir: &Path, _: &Ran) -> Option<(Class, String)> {
    for name in files_with(dir, ".") {
        let bytes = fs::read(dir.join(&name)).unwrap_or_default();
        let whole = if name.ends_with(".png") {
            bytes.len() >= 12 && &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND"
        } else if name.ends_with(".svg") {
            String::from_utf8_lossy(&bytes).trim_end().ends_with("</svg>")
        } else {
            !name.ends_with(".tmp")
        };
        if !whole {
            return Some((DataLost, format!("{name} is partial ({} bytes)", bytes.len())));
        }
    }
    None
}

/// `DataLost` when `{d}/<name>` does not hold `content` any more.
fn unchanged(name: &'static str, content: &'static str) -> impl Fn(&Path, &Ran) -> Option<(Class, String)> {
    move |d, _| {
        let now = fs::read_to_string(d.join(name)).unwrap_or_else(|e| format!("<{e}>"));
        (now != content).then(|| (DataLost, format!("{name} was damaged: now {} bytes", now.len())))
    }
}

/// `Wrong` when a successful run's JSON holds a `null` (a value JSON cannot hold, silently lost).
fn json_without_null(name: &'static str) -> impl Fn(&Path, &Ran) -> Option<(Class, String)> {
    move |d, ran| {
        if ran.code() != Some(0) {
            return None;
        }
        let text = fs::read_to_string(d.join(name)).unwrap_or_default();
        text.contains("null").then(|| (Wrong, format!("{name} holds null where numbers overflowed")))
    }
}

/// `Wrong` when stdout is not one JSON value holding every key in `keys` (`--json -`), or when a file
/// named `-` was written instead.
fn json_on_stdout(keys: &'static [&'static str]) -> impl Fn(&Path, &Ran) -> Option<(Class, String)> {
    move |_, ran| {
        if ran.code() != Some(0) {
            return None;
        }
        if Path::new("-").exists() {
            return Some((Wrong, "a file named '-' was written".into()));
        }
        match serde_json::from_str::<serde_json::Value>(&ran.stdout) {
            Err(e) => Some((Wrong, format!("stdout is not JSON ({e}): {:.80}", ran.stdout))),
            Ok(v) => keys
                .iter()
                .find(|k| !ran.stdout.contains(&format!("\"{k}\"")) && v.get(**k).is_none())
                .map(|k| (Wrong, format!("the JSON on stdout lacks {k}"))),
        }
    }
}

/// The write end of a pipe whose reader is already gone: every write to it fails with EPIPE. (A FIFO
/// opened read-write first, so that opening its write end does not block; then the reader is closed.)
fn closed_pipe(dir: &Path) -> fs::File {
    let fifo = dir.with_extension("fifo");
    let _ = fs::remove_file(&fifo);
    mkfifo(&fifo);
    let reader = fs::OpenOptions::new().read(true).write(true).open(&fifo).unwrap();
    let writer = fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    drop(reader);
    fs::remove_file(&fifo).unwrap();
    writer
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

// --- the cases ----------------------------------------------------------------------------------------------------

/// The values every numeric flag is tried with: `(label, value, class, key words)`.
struct Probe {
    label: &'static str,
    value: String,
    expect: Class,
    words: Vec<&'static str>,
}

fn probe(label: &'static str, value: impl ToString, expect: Class, words: &[&'static str]) -> Probe {
    Probe { label, value: value.to_string(), expect, words: words.to_vec() }
}

/// Probes of a whole-number flag in `min..=max`. `at_max` says how the maximum is tried: `Success` when a run
/// at the maximum is quick, `ClearError` when `tail` (a failing output path) stops it before any work.
fn whole_number_probes(flag: &'static str, min: u64, max: u64, min_runs: bool) -> Vec<Probe> {
    let bound = if flag == "--seed" || flag == "--split-seed" { "whole number" } else { "at most" };
    let mut v = vec![
        probe("0", 0, if min == 0 { Success } else { ClearError }, &[flag]),
        probe("1", 1, if min_runs { Success } else { ClearError }, &[]),
        probe("max+1", max as u128 + 1, ClearError, &[flag, bound]),
        probe("u64::MAX", u64::MAX, if max == u64::MAX { Success } else { ClearError }, &[flag]),
        probe("negative", -1, ClearError, &[flag, "whole number"]),
        probe("NaN", "NaN", ClearError, &[flag, "whole number"]),
        probe("inf", "inf", ClearError, &[flag, "whole number"]),
        probe("fraction", 1.5, ClearError, &[flag, "whole number"]),
    ];
    if max == u64::MAX {
        v.retain(|p| p.label != "max+1");
    }
    v
}

fn real_probes(
    flag: &'static str,
    bound: &'static str,
    ok: &[(&'static str, f64)],
    bad: &[(&'static str, &str)],
) -> Vec<Probe> {
    let mut v: Vec<Probe> = ok.iter().map(|(l, x)| probe(l, x, Success, &[])).collect();
    v.extend(bad.iter().map(|(l, x)| probe(l, x, ClearError, &[flag, bound])));
    v
}

/// One case per probe, named `{name} {label}`, with the probe's value where `args` holds `{v}`.
fn probe_cases(name: &str, args: &[&str], probes: Vec<Probe>) -> Vec<CliCase> {
    probes
        .into_iter()
        .map(|p| {
            let args: Vec<&str> = args.iter().map(|&a| if a == "{v}" { p.value.as_str() } else { a }).collect();
            case(format!("{name} {}", p.label), &args, p.expect, &p.words)
        })
        .collect()
}

/// A setup that makes `{d}/ro`, a directory no one may write into.
fn read_only_dir(d: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir(d.join("ro")).unwrap();
    fs::set_permissions(d.join("ro"), fs::Permissions::from_mode(0o555)).unwrap();
}

fn cases() -> Vec<CliCase> {
    let mut v = Vec::new();
    let json = "{d}/out.json";
    let dir_as_json = "{d}"; // a directory: fails before any work

    // --- run ---------------------------------------------------------------------------------------------------
    v.push(case("run --epochs -inf", &["run", "blobs", "--epochs", "-inf"], ClearError, &["--epochs", "whole number"]));
    v.push(case(
        "run --epochs followed by a flag",
        &["run", "blobs", "--epochs", "--quiet"],
        ClearError,
        &["--epochs", "whole number"],
    ));
    let mut epochs = whole_number_probes("--epochs", 1, 10_000_000, true);
    epochs[0].words = vec!["--epochs", "at least 1"];
    v.extend(probe_cases("run --epochs", &["run", "blobs", "--epochs", "{v}", "--quiet"], epochs));
    v.push(case(
        "run --epochs max (stopped by a directory --json)",
        &["run", "moons", "--epochs", "10000000", "--json", dir_as_json],
        ClearError,
        &["directory"],
    ));
    v.extend(probe_cases(
        "run --seed",
        &["run", "blobs", "--epochs", "1", "--quiet", "--seed", "{v}"],
        whole_number_probes("--seed", 0, u64::MAX, true),
    ));
    let lr = real_probes(
        "--lr",
        "finite learning rate > 0",
        &[("0.1", 0.1), ("1e300", 1e300), ("tiny", 1e-300)],
        &[
            ("0", "0"),
            ("negative", "-0.1"),
            ("-1", "-1"),
            ("NaN", "NaN"),
            ("inf", "inf"),
            ("-inf", "-inf"),
            ("1e999", "1e999"),
            ("text", "fast"),
        ],
    );
    v.extend(probe_cases("run --lr", &["run", "blobs", "--epochs", "1", "--quiet", "--lr", "{v}"], lr));
    // blobs-large's --samples and --batch-size (small runs: one epoch of a few rows).
    let mut samples = whole_number_probes("--samples", 2, 1_000_000, false);
    for p in &mut samples[..2] {
        p.words = vec!["--samples", "at least 2"]; // "0" and "1"
    }
    v.extend(probe_cases(
        "run blobs-large --samples",
        &["run", "blobs-large", "--epochs", "1", "--quiet", "--samples", "{v}"],
        samples,
    ));
    let mut batch_sizes = whole_number_probes("--batch-size", 1, 1_000_000, true);
    batch_sizes[0].words = vec!["--batch-size", "at least 1"];
    v.extend(probe_cases(
        "run blobs-large --batch-size",
        &["run", "blobs-large", "--epochs", "1", "--quiet", "--samples", "20", "--batch-size", "{v}"],
        batch_sizes,
    ));
    for (name, args) in [
        ("run blobs-large --samples 2 (smallest)", &["--samples", "2"][..]),
        ("run blobs-large --batch-size max", &["--samples", "30", "--batch-size", "1000000"]),
        ("run blobs-large --batch-size 7 (a shorter last batch)", &["--samples", "50", "--batch-size", "7"]),
    ] {
        let mut a = vec!["run", "blobs-large", "--epochs", "1", "--quiet"];
        a.extend_from_slice(args);
        v.push(case(name, &a, Success, &[]));
    }
    v.push(case(
        "run blobs-large --samples max (stopped by a directory --json)",
        &["run", "blobs-large", "--samples", "1000000", "--json", dir_as_json],
        ClearError,
        &["directory"],
    ));
    v.push(case(
        "bench epoch blobs --epochs 0",
        &["bench", "epoch", "blobs", "--epochs", "0"],
        ClearError,
        &["--epochs", "at least 1"],
    ));
    v.push(case(
        "bench epoch moons --epochs 3 --reps 1",
        &["bench", "epoch", "moons", "--epochs", "3", "--reps", "1"],
        Success,
        &[],
    ));
    v.push(case(
        "bench epoch blobs-large --samples 20 --reps 1",
        &["bench", "epoch", "blobs-large", "--samples", "20", "--reps", "1"],
        Success,
        &[],
    ));
    for (what, args) in [
        ("run moons --samples", &["run", "moons", "--epochs", "1", "--samples", "10"][..]),
        ("run blobs --batch-size", &["run", "blobs", "--epochs", "1", "--batch-size", "10"]),
        ("run metrics --samples", &["run", "metrics", "--samples", "10"]),
        ("run activations --batch-size", &["run", "activations", "--batch-size", "10"]),
        ("bench epoch moons --samples", &["bench", "epoch", "moons", "--samples", "10"]),
        ("bench epoch spirals --batch-size", &["bench", "epoch", "spirals", "--batch-size", "10"]),
    ] {
        let flag = args[args.len() - 2];
        v.push(case(
            format!("{what} (ignored)"),
            args,
            ClearError,
            &[flag, "does not use it", "blobs-large", "drop the flag"],
        ));
    }
    // Flags a run would ignore.
    for (run, flag, value) in [
        ("activations", "--epochs", "5"),
        ("activations", "--lr", "0.1"),
        ("activations", "--seed", "3"),
        ("activations", "--json", json),
        ("metrics", "--epochs", "5"),
        ("metrics", "--lr", "0.5"),
        ("metrics", "--out", "{d}/pictures"),
    ] {
        v.push(case(
            format!("run {run} {flag} (ignored)"),
            &["run", run, flag, value, "--quiet"],
            ClearError,
            &[flag, "does not use it", "drop the flag"],
        ));
    }
    v.push(
        case(
            "run --json of a diverged run (NaN losses)",
            &["run", "blobs", "--epochs", "2", "--lr", "1e300", "--quiet", "--json", json],
            Success,
            &[],
        )
        .check(json_without_null("out.json")),
    );
    v.push(case("run unknown", &["run", "nope"], ClearError, &["unknown run", "moons", "see `experiments list`"]));
    v.push(case("run with a typo", &["run", "moon"], ClearError, &["unknown run 'moon'", "did you mean 'moons'?"]));
    v.push(case("run with another typo", &["run", "circles-v3"], ClearError, &["did you mean 'circles-v"]));
    v.push(case("bench epoch with a typo", &["bench", "epoch", "spiral"], ClearError, &["did you mean 'spirals'?"]));
    v.push(case("a subcommand with a typo", &["rum", "moons"], ClearError, &["similar subcommand", "'run'"]));
    v.push(case("a flag with a typo", &["run", "moons", "--sed", "3"], ClearError, &["similar argument", "--seed"]));
    v.push(case("run activations", &["run", "activations", "--quiet"], Success, &[]));
    v.push(
        case(
            "run blobs --epochs 1 --json (new directory)",
            &["run", "blobs", "--epochs", "1", "--quiet", "--json", "{d}/new/dir/out.json"],
            Success,
            &[],
        )
        .check(|d, _| {
            let ok = fs::read_to_string(d.join("new/dir/out.json")).is_ok_and(|t| t.contains("\"epochs\": 1"));
            (!ok).then(|| (DataLost, "the history was not written".into()))
        }),
    );
    // Outputs.
    v.push(
        case(
            "run --json a directory (before training)",
            &["run", "moons", "--json", "{d}"],
            ClearError,
            &["directory"],
        )
        .check(|_, r| {
            r.stdout
                .contains("Epoch")
                .then(|| (DataLost, "trained before refusing the output (the run's work is lost)".into()))
        }),
    );
    v.push(
        case(
            "run --json /dev/null",
            &["run", "blobs", "--epochs", "1", "--quiet", "--json", "/dev/null"],
            ClearError,
            &["character device"],
        )
        .check(still_char_device("/dev/null")),
    );
    v.push(
        case(
            "run --json a FIFO",
            &["run", "blobs", "--epochs", "1", "--quiet", "--json", "{d}/fifo"],
            ClearError,
            &["fifo"],
        )
        .setup(|d| mkfifo(&d.join("fifo"))),
    );
    v.push(case(
        "run --json the empty path",
        &["run", "blobs", "--epochs", "1", "--quiet", "--json", ""],
        ClearError,
        &["--json"],
    ));
    v.push(case(
        "run --json ending with /",
        &["run", "blobs", "--epochs", "1", "--quiet", "--json", "{d}/x/"],
        ClearError,
        &["--json", "directory"],
    ));
    v.push(
        case(
            "run --json through a symlink",
            &["run", "blobs", "--epochs", "1", "--quiet", "--json", "{d}/link.json"],
            Success,
            &[],
        )
        .setup(|d| {
            fs::write(d.join("target.json"), "old").unwrap();
            std::os::unix::fs::symlink("target.json", d.join("link.json")).unwrap();
        })
        .check(|d, r| {
            if r.code() != Some(0) {
                return None;
            }
            let link = fs::symlink_metadata(d.join("link.json")).is_ok_and(|m| m.file_type().is_symlink());
            let target = fs::read_to_string(d.join("target.json")).unwrap_or_default();
            (!link || !target.contains("\"run\""))
                .then(|| (DataLost, "the symlink was replaced; its target keeps the old file".into()))
        }),
    );
    v.push(
        case(
            "run --json into a read-only directory",
            &["run", "blobs", "--epochs", "1", "--quiet", "--json", "{d}/ro/out.json"],
            ClearError,
            &["--json", "permission"],
        )
        .mode(Mode::Nobody)
        .setup(read_only_dir),
    );
    v.push(
        case(
            "run --out a read-only directory",
            &["run", "blobs", "--epochs", "1", "--quiet", "--out", "{d}/ro"],
            ClearError,
            &["output directory", "permission"],
        )
        .mode(Mode::Nobody)
        .setup(read_only_dir),
    );
    v.push(
        case(
            "run --out a file",
            &["run", "blobs", "--epochs", "1", "--quiet", "--out", "{d}/file"],
            ClearError,
            &["output directory", "name a directory"],
        )
        .setup(|d| fs::write(d.join("file"), "x").unwrap()),
    );
    v.push(
        case(
            "run --out on a full disk (pictures)",
            &["run", "blobs", "--epochs", "1", "--quiet", "--out", "{d}/pics"],
            ClearError,
            &["cannot write the picture", "too large"],
        )
        .mode(Mode::FileSizeLimit(64))
        .check(|d, r| {
            let partial = no_partial_pictures(&d.join("pics"), r);
            if partial.is_some() {
                return partial;
            }
            (r.stderr.contains("Custom {") || r.stderr.contains("IoError("))
                .then(|| (Unclear, "Debug noise in the message".into()))
        }),
    );
    v.push(
        case(
            "run --json on a full disk keeps the old file",
            &["run", "blobs", "--epochs", "100", "--quiet", "--json", "{d}/out.json"],
            ClearError,
            &["too large"],
        )
        .mode(Mode::FileSizeLimit(4))
        .setup(|d| fs::write(d.join("out.json"), "previous history").unwrap())
        .check(unchanged("out.json", "previous history")),
    );
    // stdout and stderr.
    v.push(case("run | head -1", &["run", "moons", "--epochs", "1000"], Success, &[]).mode(Mode::ClosedStdout));
    v.push(
        case("run > /dev/full", &["run", "blobs", "--epochs", "1"], ClearError, &["stdout", "no space"])
            .mode(Mode::StdoutFull),
    );
    v.push(case("run unknown 2> closed pipe", &["run", "nope"], ClearError, &[]).mode(Mode::ClosedStderr));
    v.push(case("run blobs 2> closed pipe", &["run", "blobs", "--epochs", "1"], Success, &[]).mode(Mode::ClosedStderr));

    // --- all and list ---------------------------------------------------------------------------------------------
    v.push(case("all | head -1", &["all", "--out", "{d}/out"], Success, &[]).mode(Mode::ClosedStdout));
    v.push(
        case("all --out a file", &["all", "--out", "{d}/file"], ClearError, &["output directory", "name a directory"])
            .setup(|d| fs::write(d.join("file"), "x").unwrap()),
    );
    v.push(
        case(
            "all with report.md a directory (before training)",
            &["all", "--out", "{d}"],
            ClearError,
            &["report.md", "directory"],
        )
        .setup(|d| fs::create_dir(d.join("report.md")).unwrap())
        .check(|_, r| r.stdout.contains("Epoch").then(|| (DataLost, "trained before refusing report.md".into()))),
    );
    v.push(case("list", &["list"], Success, &[]));
    v.push(case("list | head -1", &["list"], Success, &[]).mode(Mode::ClosedStdout));
    v.push(case("list > /dev/full", &["list"], ClearError, &["stdout"]).mode(Mode::StdoutFull));
    v.push(case("--help | head -1", &["--help"], Success, &[]).mode(Mode::ClosedStdout));
    v.push(case("no subcommand", &[], ClearError, &["usage"]));
    v.push(case("unknown flag", &["run", "moons", "--epoch", "3"], ClearError, &["--epoch"]));

    // --- TAPEGRAD_NUM_THREADS ----------------------------------------------------------------------------------------
    for bad in ["abc", "0", "-1", "", "1025", "2.5", "18446744073709551616"] {
        v.push(
            case(
                format!("TAPEGRAD_NUM_THREADS={bad:?}"),
                &["list"],
                ClearError,
                &["TAPEGRAD_NUM_THREADS", "1 to 1024", "or unset it to use every core"],
            )
            .env("TAPEGRAD_NUM_THREADS", bad),
        );
    }
    for ok in ["1", "2", "1024"] {
        v.push(
            case(format!("TAPEGRAD_NUM_THREADS={ok}"), &["run", "blobs", "--epochs", "1", "--quiet"], Success, &[])
                .env("TAPEGRAD_NUM_THREADS", ok),
        );
    }

    // --- dataset ---------------------------------------------------------------------------------------------------
    let push_probes = |v: &mut Vec<CliCase>, name: &str, flag: &str, probes: Vec<Probe>| {
        v.extend(probe_cases(
            &format!("dataset {name} {flag}"),
            &["dataset", name, "--json", json, flag, "{v}"],
            probes,
        ));
    };
    // --samples: 1 leaves an empty train set (a clear error from the split); 2 is the smallest that works.
    let mut samples = whole_number_probes("--samples", 1, 1_000_000, false);
    samples[1].words = vec!["train set would be empty"];
    samples.push(probe("2", 2, Success, &[]));
    push_probes(&mut v, "moons", "--samples", samples);
    v.push(case(
        "dataset moons --samples max (stopped by a directory --json)",
        &["dataset", "moons", "--samples", "1000000", "--json", dir_as_json],
        ClearError,
        &["directory"],
    ));
    push_probes(&mut v, "blobs", "--features", whole_number_probes("--features", 1, 1000, true));
    v.push(case(
        "dataset blobs --features max",
        &["dataset", "blobs", "--features", "1000", "--samples", "20", "--json", json],
        Success,
        &[],
    ));
    v.push(case(
        "dataset blobs --samples × --features over the bound",
        &["dataset", "blobs", "--samples", "1000000", "--features", "3", "--json", json],
        ClearError,
        &["--samples", "--features", "at most 2000000"],
    ));
    push_probes(&mut v, "blobs", "--centers", whole_number_probes("--centers", 1, 1000, true));
    v.push(case(
        "dataset blobs --centers max",
        &["dataset", "blobs", "--centers", "1000", "--json", json],
        Success,
        &[],
    ));
    push_probes(&mut v, "spirals", "--points-per-class", whole_number_probes("--points-per-class", 1, 1_000_000, true));
    v.push(case(
        "dataset spirals --points-per-class × --classes over the bound",
        &["dataset", "spirals", "--points-per-class", "1000000", "--classes", "2", "--json", json],
        ClearError,
        &["--points-per-class", "--classes", "at most 1000000"],
    ));
    push_probes(&mut v, "spirals", "--classes", whole_number_probes("--classes", 1, 256, true));
    v.push(case(
        "dataset spirals --classes max",
        &["dataset", "spirals", "--classes", "256", "--points-per-class", "2", "--json", json],
        Success,
        &[],
    ));
    push_probes(&mut v, "moons", "--seed", whole_number_probes("--seed", 0, u32::MAX as u64, true));
    v.push(case(
        "dataset moons --seed max",
        &["dataset", "moons", "--seed", "4294967295", "--json", json],
        Success,
        &[],
    ));
    push_probes(&mut v, "circles", "--split-seed", whole_number_probes("--split-seed", 0, u32::MAX as u64, true));
    let spread_bad: &[(&str, &str)] = &[("negative", "-1"), ("NaN", "NaN"), ("inf", "inf"), ("1e301", "1e301")];
    push_probes(
        &mut v,
        "moons",
        "--noise",
        real_probes("--noise", "standard deviation", &[("0", 0.0), ("0.07", 0.07), ("1e300", 1e300)], spread_bad),
    );
    push_probes(
        &mut v,
        "blobs",
        "--std",
        real_probes("--std", "standard deviation", &[("0", 0.0), ("1.5", 1.5), ("1e300", 1e300)], spread_bad),
    );
    v.push(
        case(
            "dataset blobs --std 1e308 (values overflow)",
            &["dataset", "blobs", "--std", "1e308", "--json", json],
            ClearError,
            &["--std"],
        )
        .check(json_without_null("out.json")),
    );
    push_probes(
        &mut v,
        "circles",
        "--factor",
        real_probes(
            "--factor",
            "less than 1",
            &[("0", 0.0), ("0.5", 0.5), ("0.9999", 0.9999)],
            &[("1", "1"), ("negative", "-0.1"), ("NaN", "NaN"), ("inf", "inf")],
        ),
    );
    push_probes(
        &mut v,
        "moons",
        "--test-size",
        real_probes(
            "--test-size",
            "strictly between 0 and 1",
            &[("0.5", 0.5), ("1e-9", 1e-9), ("0.99", 0.99)],
            &[("0", "0"), ("1", "1"), ("negative", "-0.2"), ("NaN", "NaN"), ("inf", "inf")],
        ),
    );
    v.push(case(
        "dataset line --test-size 0.999",
        &["dataset", "line", "--test-size", "0.999", "--json", json],
        ClearError,
        &["--test-size", "empty", "pass e.g. 0.2"],
    ));
    v.push(case("dataset line", &["dataset", "line", "--json", json], Success, &[]));
    v.push(
        case("dataset --json - (stdout)", &["dataset", "moons", "--json", "-"], Success, &[])
            .check(json_on_stdout(&["X_train", "y_test"])),
    );
    v.push(
        case(
            "run --json - (stdout, the log on stderr)",
            &["run", "blobs", "--epochs", "2", "--json", "-"],
            Success,
            &[],
        )
        .check(json_on_stdout(&["history", "train_loss"])),
    );
    v.push(
        case(
            "bench matmul --json - (stdout)",
            &["bench", "matmul", "--size", "4", "--reps", "1", "--json", "-"],
            Success,
            &[],
        )
        .check(json_on_stdout(&["gflops"])),
    );
    for (name, flag, value) in [
        ("line", "--samples", "5"),
        ("line", "--seed", "3"),
        ("line", "--split-seed", "3"),
        ("blobs", "--noise", "0.1"),
        ("moons", "--factor", "0.5"),
        ("moons", "--features", "3"),
        ("spirals", "--centers", "4"),
        ("circles", "--std", "2"),
        ("blobs", "--points-per-class", "5"),
        ("moons", "--classes", "4"),
        ("spirals", "--samples", "50"),
    ] {
        v.push(case(
            format!("dataset {name} {flag} (ignored)"),
            &["dataset", name, flag, value, "--json", json],
            ClearError,
            &[flag, "does not use it", "drop the flag"],
        ));
    }
    v.push(
        case(
            "dataset --json /dev/null",
            &["dataset", "moons", "--json", "/dev/null"],
            ClearError,
            &["character device"],
        )
        .check(still_char_device("/dev/null")),
    );
    v.push(
        case(
            "dataset --json /dev/full",
            &["dataset", "moons", "--json", "/dev/full"],
            ClearError,
            &["character device"],
        )
        .check(still_char_device("/dev/full")),
    );
    v.push(case("dataset --json a directory", &["dataset", "moons", "--json", "{d}"], ClearError, &["directory"]));
    v.push(
        case(
            "dataset --json on a full disk keeps the old file",
            &["dataset", "moons", "--samples", "200", "--json", "{d}/out.json"],
            ClearError,
            &["too large"],
        )
        .mode(Mode::FileSizeLimit(4))
        .setup(|d| fs::write(d.join("out.json"), "previous data").unwrap())
        .check(unchanged("out.json", "previous data")),
    );
    v.push(case("dataset without --json", &["dataset", "moons"], ClearError, &["--json"]));

    // --- bench -----------------------------------------------------------------------------------------------------
    v.extend(probe_cases(
        "bench matmul --size",
        &["bench", "matmul", "--reps", "1", "--size", "{v}"],
        whole_number_probes("--size", 1, 16_384, true),
    ));
    v.push(case(
        "bench matmul --size max (stopped by a directory --json)",
        &["bench", "matmul", "--size", "16384", "--json", dir_as_json],
        ClearError,
        &["directory"],
    ));
    v.extend(probe_cases(
        "bench softmax --reps",
        &["bench", "softmax", "--size", "4", "--reps", "{v}"],
        whole_number_probes("--reps", 1, 1000, true),
    ));
    v.push(case("bench reduce --reps max", &["bench", "reduce", "--size", "2", "--reps", "1000"], Success, &[]));
    v.push(case(
        "bench epoch --reps 0",
        &["bench", "epoch", "blobs", "--reps", "0"],
        ClearError,
        &["--reps", "at least 1"],
    ));
    v.push(case("bench epoch --lr NaN", &["bench", "epoch", "blobs", "--lr", "NaN"], ClearError, &["--lr", "finite"]));
    v.push(case(
        "bench epoch activations",
        &["bench", "epoch", "activations"],
        ClearError,
        &["trains no model", "pick a training run"],
    ));
    v.push(
        case(
            "bench matmul --json a directory (before timing)",
            &["bench", "matmul", "--size", "2", "--json", "{d}"],
            ClearError,
            &["directory"],
        )
        .check(|_, r| r.stdout.contains("GFLOP").then(|| (DataLost, "timed before refusing the output".into()))),
    );
    v.push(
        case("bench matmul | head -1", &["bench", "matmul", "--size", "8", "--reps", "2"], Success, &[])
            .mode(Mode::ClosedStdout),
    );
    v.push(
        case(
            "bench matmul --size 8192 --device gpu (too large)",
            &["bench", "matmul", "--size", "8192", "--device", "gpu", "--reps", "1"],
            ClearError,
            &["--size 8192", "too large"],
        )
        .mode(Mode::GpuTooLarge),
    );
    v.push(
        case(
            "bench softmax --size 16384 --device gpu (too large)",
            &["bench", "softmax", "--size", "16384", "--device", "gpu", "--reps", "1"],
            ClearError,
            &["--size 16384", "too large"],
        )
        .mode(Mode::GpuTooLarge),
    );
    v.push(
        case(
            "bench matmul --device gpu without a Vulkan driver",
            &["bench", "matmul", "--size", "2", "--reps", "1", "--device", "gpu"],
            ClearError,
            &["--device gpu: no GPU adapter", "install a Vulkan driver", "use --device cpu or --device auto"],
        )
        .env("VK_ICD_FILENAMES", "/nonexistent/tapegrad-no-driver.json")
        .env("VK_DRIVER_FILES", "/nonexistent/tapegrad-no-driver.json")
        // wgpu's GL backend would answer with Mesa's llvmpipe: no EGL vendor either.
        .env("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/tapegrad-no-egl.json")
        .check(|_, r| (r.code() == Some(0)).then(|| (Skipped, "a non-Vulkan adapter answered".into()))),
    );
    v
}

/// The bounds in the help texts: every numeric flag states its bound.
#[test]
fn every_numeric_flag_states_its_bound_in_help() {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let help = |args: &[&str]| {
        let out = Command::new(bin()).args(args).arg("--help").output().unwrap();
        flat(&String::from_utf8_lossy(&out.stdout))
    };
    for (args, bounds) in [
        (&["run"][..], &["1 to 10000000", "a finite number > 0", "0 to 2^64 - 1", "2 to 1000000", "1 to 1000000"][..]),
        (
            &["dataset"],
            &[
                "1 to 1000000",
                "1 to 1000, and samples × features at most 2000000",
                "1 to 256",
                "from 0 to 1e300",
                "from 0 to less than 1",
                "0 to 4294967295",
                "strictly between 0 and 1",
            ],
        ),
        (&["bench", "matmul"], &["1 to 16384", "1 to 1000"]),
        (&["bench", "epoch"], &["1 to 1000", "a finite number > 0", "1 to 10000000", "2 to 1000000", "1 to 1000000"]),
        (&[], &["TAPEGRAD_NUM_THREADS", "1 to 1024", "3 a run finished but missed a target it is judged by"]),
        (&["run"], &["`-` writes it to stdout, and the log goes to stderr", "exit status 3"]),
    ] {
        let text = help(args);
        for b in bounds {
            assert!(text.contains(b), "{args:?} --help lacks {b:?}:\n{text}");
        }
    }
}
