//! The `experiments` binary: parses the command line ([`experiments::cli`]) and dispatches to
//! [`experiments::commands`]. Errors are one line on stderr and exit status 1 (clap's own usage
//! errors, out-of-bound flags included, exit with 2; a closed stdout ends it quietly with 141, see
//! [`experiments::output`]). No input makes it panic: a panic is a bug.

use clap::Parser;
use experiments::cli::{Cli, Command};
use experiments::{commands, limits, output};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = limits::check_num_threads(std::env::var_os("TAPEGRAD_NUM_THREADS")).and_then(|()| match cli.command {
        Command::List => commands::list().iter().try_for_each(|l| output::line(l)),
        Command::Run(a) => commands::run(a),
        Command::All(a) => commands::all(a),
        Command::Dataset(a) => commands::dataset(a),
        Command::Bench(a) => commands::bench(a),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::note(&format!("error: {e}"));
            ExitCode::FAILURE
        }
    }
}
