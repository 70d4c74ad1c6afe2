//! `scan`: the leak check. Finds tokens in files, folders or standard input, says what each is
//! (live and whose, revoked, expired, not ours, or unknown here without a store) and, with
//! `--revoke`, revokes the live ones the acting account may revoke. Exit 1 when a token that may
//! be live was found, else 2 when something could not be read, else 0. Never prints a token.
use std::collections::HashMap;
use std::path::PathBuf;

use latchkey_core::leaks::{
    self, Finding, LeakStatus, ReadReport, STANDARD_INPUT, Viewer, findings_without_store,
};
use latchkey_core::tokens::verify::TokenSystems;
use serde_json::{Value, json};

use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::output::{count, emit, print_json, time};

pub fn scan(
    context: &mut Context,
    paths: Vec<PathBuf>,
    only_files: bool,
    revoke: bool,
) -> CliResult {
    let is_stdin = |p: &PathBuf| !only_files && p.as_os_str() == "-";
    let stdin = paths.iter().filter(|p| is_stdin(p)).count();
    if stdin > 1 {
        return Err(CliError::Usage("name standard input (-) once".into()));
    }
    if stdin == 1 && revoke && context.global.password_stdin {
        return Err(CliError::Usage(
            "standard input is being scanned, so the password cannot come from it; set \
             LATCHKEY_PASSWORD instead of --password-stdin"
                .into(),
        ));
    }
    let files: Vec<PathBuf> = match paths.is_empty() {
        true => vec![PathBuf::from(".")],
        false => paths.into_iter().filter(|p| !is_stdin(p)).collect(),
    };
    leaks::check_paths(&files).map_err(CliError::Usage)?;

    // Open (and sign in) before reading, so a wrong password or key costs no scan.
    let location = context.location()?;
    let store = if location.path.exists() {
        let mut authority = context.open()?;
        let actor = match revoke {
            true => Some(context.actor(&mut authority)?),
            false => None,
        };
        Some((authority, actor))
    } else if revoke {
        return Err(CliError::Usage(format!(
            "--revoke needs a store, and there is none at {}; pass --db PATH",
            location.path.display()
        )));
    } else {
        None
    };

    let mut report = match stdin {
        1 => leaks::read_stream(std::io::stdin().lock(), STANDARD_INPUT)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?,
        _ => ReadReport::default(),
    };
    if !files.is_empty() {
        report.extend(leaks::read_paths(&files));
    }

    let (findings, revoked, failed) = match store {
        Some((mut authority, actor)) => {
            let viewer = actor.map_or(Viewer::Operator, Viewer::Account);
            let findings = authority.look_up_sightings(viewer, &report.sightings)?;
            let (revoked, failed) = match actor {
                Some(actor) => revoke_live(&mut authority, actor, &findings),
                None => (HashMap::new(), Vec::new()),
            };
            (findings, revoked, failed)
        }
        None => {
            if !report.sightings.is_empty() {
                eprintln!(
                    "no store at {}: the tokens found are unknown here, and any of them may be \
                     live",
                    location.path.display()
                );
            }
            let findings = findings_without_store(&report.sightings);
            (findings, HashMap::new(), Vec::new())
        }
    };
    report.sightings.clear();
    print(context.global.json, &findings, &revoked);
    for failure in &failed {
        eprintln!("latchkey: {failure}");
    }
    summarise(&report, &findings, &revoked)
}

/// Revokes each live token found that the actor may revoke, once, recording the first place it
/// was found. Returns the place each was revoked for, by token id, and a line for each that
/// could not be (the others are still revoked, and every finding still printed).
fn revoke_live(
    authority: &mut latchkey_core::Authority,
    actor: latchkey_core::Actor,
    findings: &[Finding],
) -> (HashMap<String, String>, Vec<String>) {
    let mut revoked = HashMap::new();
    let mut failed = Vec::new();
    for finding in findings.iter().filter(|f| f.may_revoke) {
        let Some(id) = &finding.token_id else {
            continue;
        };
        if revoked.contains_key(id) || failed.iter().any(|(f, _)| f == id) {
            continue;
        }
        let place = finding.place();
        match authority.revoke_leaked_token(actor, id, &place) {
            Ok(_) => {
                revoked.insert(id.clone(), place);
            }
            Err(e) => failed.push((id.clone(), format!("could not revoke {id}: {e}"))),
        }
    }
    (revoked, failed.into_iter().map(|(_, line)| line).collect())
}

fn print(json: bool, findings: &[Finding], revoked: &HashMap<String, String>) {
    let revoked_now = |f: &Finding| {
        f.token_id
            .as_ref()
            .is_some_and(|id| revoked.contains_key(id))
    };
    if json {
        let rows: Vec<Value> = findings
            .iter()
            .map(|f| {
                json!({
                    "path": &*f.source, "line": f.line, "column": f.column, "hint": f.hint,
                    "status": f.status, "owner": f.owner, "owner_active": f.owner_active,
                    "token_id": f.token_id, "name": f.name, "usage_note": f.usage_note,
                    "systems": f.systems.as_ref().map(systems_json),
                    "last_used_at": time(f.last_used_at), "expires_at": time(f.expires_at),
                    "revoked_now": revoked_now(f),
                })
            })
            .collect();
        print_json(&Value::Array(rows));
        return;
    }
    for f in findings {
        let mut line = format!("{}  {}  {}", f.place(), f.hint, f.status.as_str());
        if revoked_now(f) {
            line.push_str(", revoked now");
        }
        line.push_str(&details(f));
        emit(&line);
    }
}

/// "  alice · "deploy" · tok_… · reaches api, web · last used … · used in "CI secret …"" for
/// what the viewer may see.
fn details(f: &Finding) -> String {
    let mut parts = Vec::new();
    if let Some(owner) = &f.owner {
        match f.owner_active {
            Some(false) => parts.push(format!("{owner} (deactivated)")),
            _ => parts.push(owner.clone()),
        }
    }
    if let Some(name) = &f.name {
        parts.push(format!("{name:?}"));
    }
    if let Some(id) = &f.token_id {
        parts.push(id.clone());
    }
    match &f.systems {
        Some(TokenSystems::All) => parts.push("reaches every system".into()),
        Some(TokenSystems::Listed(slugs)) if slugs.is_empty() => {
            parts.push("reaches no system now".into())
        }
        Some(TokenSystems::Listed(slugs)) => parts.push(format!("reaches {}", slugs.join(", "))),
        None => {}
    }
    if f.status == LeakStatus::Live && f.token_id.is_some() {
        parts.push(match f.last_used_at {
            Some(at) => format!("last used {}", latchkey_core::clock::rfc3339(at)),
            None => "never used".into(),
        });
        // Where to put its replacement once it is revoked.
        if let Some(note) = &f.usage_note {
            parts.push(format!("used in {note:?}"));
        }
    }
    match parts.is_empty() {
        true => String::new(),
        false => format!("  {}", parts.join(" · ")),
    }
}

pub(super) fn systems_json(systems: &TokenSystems) -> Value {
    match systems {
        TokenSystems::All => json!("all"),
        TokenSystems::Listed(slugs) => json!(slugs),
    }
}

/// The totals on standard error, and the exit status.
fn summarise(
    report: &ReadReport,
    findings: &[Finding],
    revoked: &HashMap<String, String>,
) -> CliResult {
    for error in &report.errors {
        eprintln!("latchkey: cannot read {error}");
    }
    let of = |status: LeakStatus| findings.iter().filter(|f| f.status == status).count();
    let mut totals = vec![format!(
        "{} in {} ({} bytes)",
        count(findings.len() as i64, "token found", "tokens found"),
        count(report.files as i64, "file", "files"),
        report.bytes
    )];
    if report.binary > 0 {
        totals.push(format!(
            "{} skipped",
            count(report.binary as i64, "binary file", "binary files")
        ));
    }
    for status in [
        LeakStatus::Live,
        LeakStatus::Revoked,
        LeakStatus::Expired,
        LeakStatus::NotOurs,
        LeakStatus::UnknownHere,
    ] {
        if of(status) > 0 {
            totals.push(format!("{} {}", of(status), status.as_str()));
        }
    }
    if !revoked.is_empty() {
        totals.push(format!(
            "{} revoked now",
            count(revoked.len() as i64, "token", "tokens")
        ));
    }
    eprintln!("{}", totals.join("; "));
    let unread = (!report.errors.is_empty()).then(|| {
        format!(
            "{} could not be read; the scan is incomplete",
            count(report.errors.len() as i64, "path", "paths")
        )
    });
    let alarming = findings.iter().filter(|f| f.status.may_be_live()).count();
    if alarming > 0 {
        let advice = match (of(LeakStatus::Live), revoked.len()) {
            (live, done) if live > 0 && done >= live => {
                "all revoked now; remove them from where they were found"
            }
            (live, _) if live > 0 => {
                "revoke them (latchkey scan --revoke) and remove them from where they were found"
            }
            _ => "remove them, and have whoever issued them revoke them",
        };
        // The most urgent news decides the status: a live token found is 1 even when some path
        // could not be read (said too).
        let unread = unread.map(|u| format!("; {u}")).unwrap_or_default();
        return Err(CliError::Denied(format!(
            "{} that may be live: {advice}{unread}",
            count(alarming as i64, "token", "tokens")
        )));
    }
    match unread {
        Some(unread) => Err(CliError::Incomplete(unread)),
        None => Ok(()),
    }
}
