//! One module per command group; each turns arguments into one core call and prints the answer.
mod accounts;
mod admin;
mod backup;
mod leaving;
mod overview;
mod scan;
mod serve;
mod systems;
mod tokens;
mod verify;

use crate::args::Command;
use crate::context::Context;
use crate::error::CliResult;

pub fn run(context: &mut Context, command: Command) -> CliResult {
    match command {
        Command::Init {
            org,
            admin,
            display_name,
        } => accounts::init(context, &org, &admin, display_name.as_deref()),
        Command::Users(command) => accounts::users(context, command),
        Command::Groups(command) => systems::groups(context, command),
        Command::Grant { username, system } => systems::grant(context, &username, &system, true),
        Command::Ungrant { username, system } => systems::grant(context, &username, &system, false),
        Command::Systems(command) => systems::systems(context, command),
        Command::Tokens(command) => tokens::tokens(context, command),
        Command::Verify {
            system,
            action,
            stray,
        } => verify::verify(context, system.as_deref(), action, &stray),
        Command::Reminders(command) => admin::reminders(context, command),
        Command::Audit {
            command: Some(crate::args::AuditCommand::Verify),
            ..
        } => admin::audit_verify(context),
        Command::Audit {
            query,
            command: None,
        } => admin::audit(context, query),
        Command::Settings(command) => admin::settings(context, command),
        Command::Clock(command) => admin::clock(context, command),
        Command::Doctor => admin::doctor(context),
        Command::Serve(args) => serve::serve(context, args),
        Command::Scan {
            paths,
            files,
            revoke,
        } => scan::scan(context, paths, files, revoke),
        Command::Backup {
            file,
            passphrase_stdin,
        } => backup::backup(context, &file, passphrase_stdin),
        Command::Restore {
            file,
            passphrase_stdin,
            replace,
        } => backup::restore(context, &file, passphrase_stdin, replace),
    }
}
