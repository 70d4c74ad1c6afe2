//! `backup` and `restore`.
use std::path::Path;

use latchkey_core::backup::{BackupSummary, ExistingStore};
use serde_json::json;

use crate::context::Context;
use crate::error::CliResult;
use crate::output::print_json;

pub fn backup(context: &mut Context, file: &Path, passphrase_stdin: bool) -> CliResult {
    let mut authority = context.open()?;
    let actor = context.actor(&mut authority)?;
    let passphrase = context.stdin.backup_passphrase(passphrase_stdin, true)?;
    let summary = authority.backup(actor, &passphrase, file)?;
    report(context, "Backed up", file, &summary);
    if !context.global.json {
        eprintln!(
            "Keep the passphrase apart from the file: without it the backup cannot be restored."
        );
    }
    Ok(())
}

pub fn restore(context: &mut Context, file: &Path, passphrase_stdin: bool) -> CliResult {
    let passphrase = context.stdin.backup_passphrase(passphrase_stdin, false)?;
    let summary = latchkey_core::backup::restore(
        file,
        &passphrase,
        &context.db_path()?,
        &context.key_source(),
        context.clock(),
        ExistingStore::Refuse,
    )?;
    report(context, "Restored", file, &summary);
    Ok(())
}

fn report(context: &Context, done: &str, file: &Path, summary: &BackupSummary) {
    if context.global.json {
        print_json(&json!({
            "file": file.display().to_string(),
            "organisation": summary.organisation,
            "tokens": summary.tokens,
            "accounts": summary.accounts,
            "bytes": summary.bytes,
        }));
    } else {
        let counted = |n: i64, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
        eprintln!(
            "{done} {}: {}, {} ({} bytes, {})",
            summary.organisation,
            counted(summary.tokens, "token"),
            counted(summary.accounts, "account"),
            summary.bytes,
            file.display()
        );
    }
}
