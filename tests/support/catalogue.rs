//! The harness of the reliability catalogues, one file for all four: `crates/{tensor,autograd,nn}/tests/reliability.rs`
//! run library calls through [`Catalogue`]; `crates/experiments/tests/reliability.rs` runs the CLI binary and
//! shares the [`Class`]es, [`wait_or_kill`] and the [`Tally`]. Each includes it with
//! `#[path = "../../../tests/support/catalogue.rs"] mod catalogue;`.
//!
//! A catalogue is a list of [`Case`]s, each a function with the class its outcome must have. [`Catalogue::run`]
//! runs every case in a child process — the test binary re-invoked as `catalogue_child --exact` with
//! `<CRATE>_CATALOGUE_CASE=<name>`, under a 2 GiB address-space limit (not on the GPU, whose driver reserves more
//! address space) and a timeout — so that a case that aborts, hangs or is killed is observed rather than taking the
//! suite down. [`Catalogue::child`] is the child side: it runs the case, catches a panic with its location, and
//! prints one `@@outcome` line. The parent puts the outcome in a [`Class`] and compares it with the class the case
//! must have, and its message with the case's key words. A panic is clear when it is located in the catalogue's
//! own `tests/reliability.rs` (every public function on the way is `#[track_caller]`) and has the key words. With
//! `TAPEGRAD_CATALOGUE_REPORT=1` it prints every case and the per-class counts instead of asserting.
#![allow(dead_code, unused_imports, unused_macros)] // each catalogue uses a part of it

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[path = "panics.rs"]
mod panics;

/// The classes of the closing note's table, in the table's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Success,
    ClearError,
    /// A library panic located at the caller's line, with the key words.
    CallerPanic,
    Unclear,
    /// A panic inside the CLI (never wanted).
    Panic,
    Crash,
    Wrong,
    DataLost,
    /// Not run here (no GPU adapter, not root): reported loudly, not counted.
    Skipped,
}

impl Class {
    /// The label of a library catalogue's table.
    pub fn label(self) -> &'static str {
        match self {
            Class::Success => "success (right answer)",
            Class::ClearError => "clear error",
            Class::CallerPanic => "clear panic at the caller",
            Class::Unclear => "unclear error or panic (inside the library or std, or without the key words)",
            Class::Panic => "panic",
            Class::Crash => "crash / abort / hang",
            Class::Wrong => "silent wrong answer",
            Class::DataLost => "data lost",
            Class::Skipped => "skipped here",
        }
    }
}

/// What one case did, as the child process reports it.
pub enum Outcome {
    /// Worked, with the right answer.
    Ok,
    /// Returned an error with this message.
    Error(String),
    /// Returned success, but something is wrong: a wrong value, a refused value accepted.
    Wrong(String),
    /// Returned success but lost data: a file that cannot be loaded back, a replaced link or device.
    Lost(String),
    /// Could not run here (no GPU adapter, needs root): reported loudly, not counted.
    Skipped(String),
}

/// How the child runs.
#[derive(Clone, Copy)]
pub enum Env {
    /// Under a 2 GiB address-space limit.
    Plain,
    /// On the GPU: without the address-space limit (the Vulkan driver reserves more), with a longer timeout.
    Gpu,
    /// With `TAPEGRAD_NUM_THREADS` set to this value.
    Threads(&'static str),
    /// As an unprivileged user when the tests run as root (so that permissions apply).
    Nobody,
    /// With a file-size limit of a few KiB and SIGXFSZ ignored: writes fail as on a full disk.
    FileSizeLimit,
}

pub struct Case {
    pub name: &'static str,
    /// The class this case must have.
    pub expect: Class,
    /// Words its message must contain (case-insensitive) for an error or a panic to count as clear.
    pub words: &'static [&'static str],
    pub env: Env,
    pub run: fn() -> Outcome,
}

pub const fn case(name: &'static str, expect: Class, words: &'static [&'static str], run: fn() -> Outcome) -> Case {
    Case { name, expect, words, env: Env::Plain, run }
}

pub const fn gpu_case(name: &'static str, expect: Class, words: &'static [&'static str], run: fn() -> Outcome) -> Case {
    Case { name, expect, words, env: Env::Gpu, run }
}

/// One crate's catalogue of library calls.
pub struct Catalogue {
    /// The crate: the table's heading and the prefix of the child's environment variables.
    pub name: &'static str,
    pub cases: &'static [Case],
    /// The width of the case-name column in the report.
    pub name_width: usize,
}

/// The two tests of a library catalogue, beside `const CATALOGUE: Catalogue = ...;` in its `tests/reliability.rs`:
/// `catalogue::catalogue_tests!(CATALOGUE);`.
macro_rules! catalogue_tests {
    ($catalogue:path) => {
        /// The child side: runs the case named by `<CRATE>_CATALOGUE_CASE` and prints one `@@outcome` line.
        #[test]
        fn catalogue_child() {
            $catalogue.child();
        }

        /// Runs the whole catalogue; asserts every class (or prints the counts with `TAPEGRAD_CATALOGUE_REPORT=1`).
        #[test]
        fn catalogue() {
            $catalogue.run();
        }
    };
}
pub(crate) use catalogue_tests;

/// The panic seen by the child's hook: message and `file:line`.
static PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

impl Catalogue {
    /// `<CRATE>_CATALOGUE_CASE`: the case a child runs.
    fn case_var(&self) -> String {
        format!("{}_CATALOGUE_CASE", self.name.to_uppercase())
    }

    /// `<CRATE>_CATALOGUE_DIR`: the case's scratch directory, made by the parent.
    fn dir_var(&self) -> String {
        format!("{}_CATALOGUE_DIR", self.name.to_uppercase())
    }

    /// The scratch directory of the case this child runs (the system's temporary directory outside a child).
    pub fn scratch(&self) -> PathBuf {
        std::env::var_os(self.dir_var()).map_or_else(std::env::temp_dir, PathBuf::from)
    }

    /// The child side (the `catalogue_child` test): runs the case named by `<CRATE>_CATALOGUE_CASE`, if any, and
    /// prints one `@@outcome` line.
    pub fn child(&self) {
        let Ok(name) = std::env::var(self.case_var()) else { return };
        let case = self.cases.iter().find(|c| c.name == name).expect("a known case");
        std::panic::set_hook(Box::new(|info| {
            let msg = panics::payload_text(info.payload());
            let loc = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some((msg, loc));
        }));
        let line = match std::panic::catch_unwind(case.run) {
            Ok(Outcome::Ok) => "ok\t\t".to_string(),
            Ok(Outcome::Error(m)) => format!("error\t\t{m}"),
            Ok(Outcome::Wrong(m)) => format!("wrong\t\t{m}"),
            Ok(Outcome::Lost(m)) => format!("lost\t\t{m}"),
            Ok(Outcome::Skipped(m)) => format!("skipped\t\t{m}"),
            Err(_) => {
                let (m, loc) = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
                format!("panic\t{loc}\t{m}")
            }
        };
        println!("@@outcome {}", line.replace('\n', "\\n"));
    }

    /// Runs one case in a child process; returns its class and a one-line description.
    fn run_case(&self, case: &Case) -> (Class, String) {
        use std::os::unix::process::{CommandExt, ExitStatusExt};
        let exe = std::env::current_exe().unwrap();
        let tag = format!("{}-catalogue-{}-{}", self.name, std::process::id(), case.name);
        let dir = std::env::temp_dir().join(&tag);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let out_path = std::env::temp_dir().join(format!("{tag}.out"));
        let limits = match case.env {
            Env::Gpu => "",
            Env::FileSizeLimit => "ulimit -v 2097152; trap '' XFSZ; ulimit -f 8; ",
            _ => "ulimit -v 2097152; ",
        };
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("{limits}exec \"$0\" catalogue_child --exact --nocapture --test-threads=1"))
            .arg(&exe)
            .env(self.case_var(), case.name)
            .env(self.dir_var(), &dir)
            .env("RUST_BACKTRACE", "0")
            .env_remove("TAPEGRAD_NUM_THREADS")
            .stdin(Stdio::null())
            .stdout(Stdio::from(fs::File::create(&out_path).unwrap()))
            .stderr(Stdio::null());
        match case.env {
            Env::Threads(v) => {
                cmd.env("TAPEGRAD_NUM_THREADS", v);
            }
            Env::Nobody if running_as_root() => {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
                cmd.uid(65534).gid(65534);
            }
            _ => {}
        }
        let timeout = Duration::from_secs(if matches!(case.env, Env::Gpu) { 60 } else { 10 });
        let status = wait_or_kill(&mut cmd.spawn().unwrap(), timeout);
        let mut out = String::new();
        let _ = fs::File::open(&out_path).and_then(|mut f| f.read_to_string(&mut out));
        let _ = fs::remove_file(&out_path);
        let _ = fs::remove_dir_all(&dir);
        let Some(status) = status else { return (Class::Crash, format!("hung (killed after {timeout:?})")) };
        let Some(line) = out.lines().find_map(|l| l.split_once("@@outcome ").map(|(_, rest)| rest)) else {
            return (Class::Crash, format!("no outcome: exit {:?}, signal {:?}", status.code(), status.signal()));
        };
        let mut fields = line.splitn(3, '\t');
        let (kind, loc, msg) = (fields.next().unwrap_or(""), fields.next().unwrap_or(""), fields.next().unwrap_or(""));
        let has_words = {
            let m = msg.to_lowercase();
            case.words.iter().all(|w| m.contains(&w.to_lowercase()))
        };
        let class = match kind {
            "ok" => Class::Success,
            "error" if has_words => Class::ClearError,
            "panic" if has_words && loc.contains("tests/reliability.rs") => Class::CallerPanic,
            "error" | "panic" => Class::Unclear,
            "wrong" => Class::Wrong,
            "lost" => Class::DataLost,
            "skipped" => {
                eprintln!("!!! SKIPPED: catalogue case {}: {msg}", case.name);
                Class::Skipped
            }
            other => panic!("unknown outcome {other}"),
        };
        (class, format!("{kind} {loc} {msg}"))
    }

    /// The parent side (the `catalogue` test): runs every case; asserts every class (or prints the cases and the
    /// counts with `TAPEGRAD_CATALOGUE_REPORT=1`).
    pub fn run(&self) {
        if std::env::var(self.case_var()).is_ok() {
            return; // a child runs `catalogue_child` only
        }
        let mut tally = Tally::default();
        for case in self.cases {
            let (class, what) = self.run_case(case);
            if report() {
                let what: String = what.chars().take(160).collect();
                println!("{:<w$} {:<12} {what}", case.name, format!("{class:?}"), w = self.name_width);
            }
            tally.add(case.name, case.expect, class, &what);
        }
        tally.finish(&format!("{} catalogue", self.name), "cases", Class::label);
    }
}

/// True when `TAPEGRAD_CATALOGUE_REPORT=1`: print the cases and counts instead of asserting.
pub fn report() -> bool {
    std::env::var("TAPEGRAD_CATALOGUE_REPORT").is_ok_and(|v| v == "1")
}

/// True when this process runs as root (file permissions do not apply to it).
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// Waits for `child`; kills it after `timeout` and returns `None` (a hang).
pub fn wait_or_kill(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The count per class, and the cases whose class is not the one they must have.
#[derive(Default)]
pub struct Tally {
    counts: BTreeMap<Class, usize>,
    failures: Vec<String>,
}

impl Tally {
    /// Counts one case. It is off when its class is not `expect` (a skipped case is not counted as off), and always
    /// when it panicked in the CLI.
    pub fn add(&mut self, name: &str, expect: Class, class: Class, what: &str) {
        *self.counts.entry(class).or_default() += 1;
        if class == Class::Panic || (class != expect && class != Class::Skipped) {
            self.failures.push(format!("{name}: expected {expect:?}, got {class:?}: {what}"));
        }
    }

    /// Prints the table (`heading: N unit`, then one row per class seen) and, unless reporting, asserts that no
    /// case is off.
    pub fn finish(self, heading: &str, unit: &str, label: fn(Class) -> &'static str) {
        println!("\n{heading}: {} {unit}", self.counts.values().sum::<usize>());
        println!("| class | {unit} |\n|---|---:|");
        for (class, n) in &self.counts {
            println!("| {} | {n} |", label(*class));
        }
        if !report() {
            assert!(self.failures.is_empty(), "{} cases off:\n{}", self.failures.len(), self.failures.join("\n"));
        }
    }
}
