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

use crate::error::CliError;
use std::io::Write;

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
