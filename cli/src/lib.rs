//! `latchkey`: the token authority's command line, over latchkey-core. A library so the
//! argument-to-core path can be fuzzed in-process; `main.rs` is the program.
mod args;
mod commands;
mod context;
mod error;
mod input;
mod output;

use std::ffi::OsString;

use clap::Parser;

pub use input::Stdin;

/// Runs `latchkey` with `args` (the program name first) and returns its exit status; errors are
/// one line on standard error.
pub fn run(args: impl IntoIterator<Item = OsString>, stdin: Stdin) -> u8 {
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // The parser's usual format (usage, --help, --version) and exit status.
            let _ = error.print();
            return u8::try_from(error.exit_code()).unwrap_or(2);
        }
    };
    let mut context = context::Context {
        global: cli.global,
        stdin,
    };
    match commands::run(&mut context, cli.command) {
        Ok(()) => 0,
        Err(error) => {
            // One line, whatever the message holds.
            let message = error.to_string().replace(['\n', '\r'], " ");
            if matches!(error, error::CliError::Denied(_)) {
                eprintln!("{message}");
            } else {
                eprintln!("latchkey: {message}");
            }
            error.exit_code()
        }
    }
}
