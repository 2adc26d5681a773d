//! The `experiments` binary: parses the command line ([`experiments::cli`]) and dispatches to
//! [`experiments::commands`]. Errors are one line on stderr and exit status 1 (clap's own usage
//! errors exit with 2).

use clap::Parser;
use experiments::cli::{Cli, Command};
use experiments::commands;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List => {
            commands::list().iter().for_each(|l| println!("{l}"));
            Ok(())
        }
        Command::Run(a) => commands::run(a),
        Command::All(a) => commands::all(a),
        Command::Dataset(a) => commands::dataset(a),
        Command::Bench(a) => commands::bench(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
