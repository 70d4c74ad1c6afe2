//! `latchkey`: the token authority's command line, over latchkey-core. A library so the
//! argument-to-core path can be fuzzed in-process; `main.rs` is the program.
mod args;
mod commands;
mod context;
mod error;
mod input;
mod output;
mod rows;

use std::ffi::OsString;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

pub use input::Stdin;

/// The command line's definition: the man page and the shell completions the installers carry
/// are generated from it (`examples/gen_docs.rs`).
pub fn command() -> clap::Command {
    args::Cli::command()
}

/// Runs `latchkey` with `args` (the program name first) and returns its exit status; errors are
/// one line on standard error.
pub fn run(args: impl IntoIterator<Item = OsString>, stdin: Stdin) -> u8 {
    let parsed = args::Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Ok((args::Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            // The parser's usual format (usage, --help, --version) and exit status.
            let _ = error.print();
            return u8::try_from(error.exit_code()).unwrap_or(2);
        }
    };
    let started = std::time::Instant::now();
    let name = command_name(&matches);
    debug(|| {
        format!(
            "{name}: store {}, key {}",
            cli.global
                .db
                .as_ref()
                .map_or("in the data directory".into(), |p| p.display().to_string()),
            cli.global
                .key_file
                .as_ref()
                .map_or("in the OS credential store".into(), |p| {
                    format!("file {}", p.display())
                })
        )
    });
    let mut context = context::Context {
        global: cli.global,
        stdin,
    };
    let status = finish(commands::run(&mut context, cli.command));
    debug(|| {
        format!(
            "{name}: exit {status} after {} ms",
            started.elapsed().as_millis()
        )
    });
    status
}

/// `LATCHKEY_LOG=debug`: a line on standard error as a command starts and ends (which command,
/// which store, how it ended); never an argument's value, a password or a token.
fn debug(message: impl FnOnce() -> String) {
    if std::env::var("LATCHKEY_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug")) {
        eprintln!("latchkey: debug: {}", message());
    }
}

/// "tokens create": the names of the subcommands given, nothing else.
fn command_name(matches: &ArgMatches) -> String {
    let mut names = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        names.push(name);
        current = sub;
    }
    names.join(" ")
}

fn finish(result: error::CliResult) -> u8 {
    match result {
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
