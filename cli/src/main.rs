//! `latchkey`: the token authority's command line, over latchkey-core.
mod args;
mod commands;
mod context;
mod error;
mod input;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let mut context = context::Context {
        global: cli.global,
        stdin: input::Stdin::new(),
    };
    match commands::run(&mut context, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line, whatever the message holds.
            let message = error.to_string().replace(['\n', '\r'], " ");
            if matches!(error, error::CliError::Denied(_)) {
                eprintln!("{message}");
            } else {
                eprintln!("latchkey: {message}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}
