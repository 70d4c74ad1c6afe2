//! `backup` and `restore`.
use std::path::Path;

use latchkey_core::backup::BackupSummary;
use latchkey_core::clock::rfc3339;
use serde_json::json;

use crate::context::Context;
use crate::error::CliResult;
use crate::output::print_json;

pub fn backup(context: &mut Context, file: &Path, passphrase_stdin: bool) -> CliResult {
    let (mut authority, actor) = context.signed_in()?;
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

/// Where no store exists: the backup as it is, with a warning. With `--replace` over an existing
/// store: an administrator of that store replaces it, and what narrowed access since the backup
/// is carried forward (core's one path, shared with the app's Settings).
pub fn restore(
    context: &mut Context,
    file: &Path,
    passphrase_stdin: bool,
    replace: bool,
) -> CliResult {
    let location = context.location()?;
    let summary = if replace && location.path.exists() {
        let (authority, actor) = context.signed_in()?;
        let passphrase = context.stdin.backup_passphrase(passphrase_stdin, false)?;
        authority.replace_with_backup(actor, file, &passphrase, &location.key)?
    } else {
        let passphrase = context.stdin.backup_passphrase(passphrase_stdin, false)?;
        latchkey_core::backup::restore(
            file,
            &passphrase,
            &location.path,
            &location.key,
            context.clock(),
        )?
    };
    report(context, "Restored", file, &summary);
    Ok(())
}

fn report(context: &Context, done: &str, file: &Path, summary: &BackupSummary) {
    if context.global.json {
        let mut value = json!({
            "file": file.display().to_string(),
            "organisation": summary.organisation,
            "tokens": summary.tokens,
            "accounts": summary.accounts,
            "bytes": summary.bytes,
        });
        if summary.backed_up_at.is_some() {
            let active = summary.active_at_backup.as_ref().map(|tokens| {
                tokens
                    .iter()
                    .map(|t| {
                        json!({
                            "id": t.id,
                            "name": t.name,
                            "owner": t.owner,
                            "hint": t.hint,
                            "expires_at": rfc3339(t.expires_at),
                        })
                    })
                    .collect::<Vec<_>>()
            });
            value["backed_up_at"] = json!(summary.backed_up_at.map(rfc3339));
            value["carried_forward"] = json!(summary.carried_forward);
            value["replaced_store"] = json!(summary.replaced_store);
            value["active_at_backup"] = json!(active);
            value["notes"] = json!(summary.notes());
        }
        print_json(&value);
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
        for note in summary.notes() {
            eprintln!("{note}");
        }
    }
}
