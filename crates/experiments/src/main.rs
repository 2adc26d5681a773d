//! The `experiments` binary: parses the command line ([`experiments::cli`]) and dispatches to
//! [`experiments::commands`]. Errors are one line on stderr and exit status 1 (clap's own usage
//! errors, out-of-bound flags included, exit with 2); a run that finished but missed a target it is
//! judged by exits with 3 ([`commands::EXIT_TARGET_MISSED`]); a closed stdout ends it quietly with
//! 141 (see [`experiments::output`]). No input makes it panic: a panic is a bug.

use clap::Parser;
use experiments::cli::{Cli, Command};
use experiments::commands::{self, Outcome};
use experiments::{limits, output};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = limits::check_num_threads(std::env::var_os("TAPEGRAD_NUM_THREADS")).and_then(|()| match cli.command {
        Command::List => commands::list().iter().try_for_each(|l| output::line(l)).map(|()| Outcome::Done),
        Command::Run(a) => commands::run(a),
        Command::All(a) => commands::all(a),
        Command::Dataset(a) => commands::dataset(a).map(|()| Outcome::Done),
        Command::Bench(a) => commands::bench(a).map(|()| Outcome::Done),
    });
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::TargetMissed) => ExitCode::from(commands::EXIT_TARGET_MISSED),
        Err(e) => {
            output::note(&format!("error: {e}"));
            ExitCode::FAILURE
        }
    }
}
