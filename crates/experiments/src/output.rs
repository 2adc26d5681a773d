//! What the CLI prints, without ever panicking: `println!` and `eprintln!` panic when the stream
//! fails ("failed printing to stdout: Broken pipe"), so every line goes through here.
//!
//! - [`line()`] writes one line of stdout (the tutorial's log, `list`'s table, the bench figures).
//!   When the reader has gone — `experiments all | head -1` closes the pipe — the program ends at
//!   once and quietly, as a Unix tool killed by SIGPIPE does, with the status a shell reports for
//!   one ([`EXIT_BROKEN_PIPE`], so `set -o pipefail` still sees the cut). Nothing is half written:
//!   every file is written atomically, and lines are printed between writes. Any other failure (a
//!   full disk behind `> file`) is an error naming stdout.
//! - [`note()`] writes one line of stderr; a failure there is ignored (there is nowhere left to say it).
//! - [`Progress`] shows how far a long command is (epochs of a training run, repetitions of a bench)
//!   with `indicatif` on stderr — only when stderr is a terminal, so pipes, files and tests see
//!   nothing of it — and without the `indicatif` feature not at all. Lines printed while it shows go
//!   through [`Progress::suspend`], so the bar never breaks a log line.

use crate::error::CliError;
use std::io::{IsTerminal, Write};

/// The exit status of a program ended by a closed stdout: 128 + SIGPIPE (13), what shells report
/// for a tool the signal killed.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Prints `text` and a newline on stdout (see the module doc).
pub fn line(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(EXIT_BROKEN_PIPE.into()),
        Err(e) => Err(CliError::new(format!("cannot write to stdout: {e}"))),
    }
}

/// Prints `text` and a newline on stderr, ignoring failures.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Collects the first failure of [`line()`] in a callback that cannot return one (the log printer
/// inside the training loop); [`Printer::finish`] hands it over afterwards.
#[derive(Debug, Default)]
pub struct Printer {
    failed: Option<CliError>,
}

impl Printer {
    /// Prints `text` unless an earlier line failed.
    pub fn line(&mut self, text: &str) {
        if self.failed.is_none() {
            if let Err(e) = line(text) {
                self.failed = Some(e);
            }
        }
    }

    /// The first failure, if any.
    pub fn finish(self) -> Result<(), CliError> {
        self.failed.map_or(Ok(()), Err)
    }
}

/// How far a long command is, on stderr (see the module doc).
#[derive(Debug)]
pub struct Progress {
    #[cfg(feature = "indicatif")]
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// Whether a bar may show: not `quiet`, and stderr is a terminal.
    pub fn wanted(quiet: bool) -> bool {
        !quiet && std::io::stderr().is_terminal()
    }

    /// Nothing shown.
    pub fn hidden() -> Progress {
        Progress {
            #[cfg(feature = "indicatif")]
            bar: None,
        }
    }

    /// A bar counting `total` `unit` (`epochs`) of `what` (`moons`), shown when `show`.
    pub fn bar(show: bool, what: &str, total: u64, unit: &str) -> Progress {
        #[cfg(feature = "indicatif")]
        if show {
            let style = indicatif::ProgressStyle::with_template(&format!(
                "{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{elapsed}}, about {{eta}} left)"
            ))
            .map(|s| s.progress_chars("=> "));
            if let Ok(style) = style {
                let bar =
                    indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
                bar.set_style(style);
                bar.set_message(what.to_string());
                return Progress { bar: Some(bar) };
            }
        }
        let _ = (show, what, total, unit);
        Progress::hidden()
    }

    /// A spinner saying what runs (`timing matmul 4096x4096 on the GPU`), for a step that reports no
    /// progress of its own; shown when `show`.
    pub fn spinner(show: bool, what: &str) -> Progress {
        #[cfg(feature = "indicatif")]
        if show {
            let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.set_message(what.to_string());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            return Progress { bar: Some(bar) };
        }
        let _ = (show, what);
        Progress::hidden()
    }

    /// Sets how many units are done.
    pub fn set(&self, done: u64) {
        #[cfg(feature = "indicatif")]
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
        let _ = done;
    }

    /// Runs `f` (which prints) with the bar hidden for that moment.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        #[cfg(feature = "indicatif")]
        if let Some(b) = &self.bar {
            return b.suspend(f);
        }
        f()
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        #[cfg(feature = "indicatif")]
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
